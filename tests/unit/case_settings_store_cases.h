/*
 * case_settings_store_cases.h - the bodies of the county settings tests
 * that need a store, run on each backend through store.h (and
 * src/cases/case_settings.c, which reads and writes through it):
 * test_case_settings_store.c runs them on SQLite,
 * test_case_settings_store_pg.c on PostgreSQL, so both backends are held to
 * the same errors, messages and orders. Each body gets a migrated store
 * holding the demo county (990101) and nothing else. Header-only; include
 * it after <cmocka.h>.
 *
 * What is covered: the version (0 until something is stored, +1 per
 * write), settings stored and read back by name, replaced, audited; a
 * refused write changes nothing and leaves no audit entry; a category tree
 * stored in its order and replaced whole; a code twice, a refused urgency,
 * or a category that open cases have (but not closed ones) left out of a
 * new tree: refused, nothing changed; the settings in memory follow the
 * store (a change is seen at the next read, within a scope at its end, and
 * never across two databases); setting and importing through src/cases,
 * all or nothing; a stored value that no longer parses is an error naming
 * it.
 */
#ifndef TESTS_UNIT_CASE_SETTINGS_STORE_CASES_H
#define TESTS_UNIT_CASE_SETTINGS_STORE_CASES_H

#include "cases/case_settings.h"
#include "regions/regions.h"
#include "store/store.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

/* The cases, for the test files to wrap: X(name) for each ss_case_<name>(). */
#define CASE_SETTINGS_STORE_CASES(X)                                                           \
	X(settings_put_load)                                                                   \
	X(settings_refused)                                                                    \
	X(categories_put_load)                                                                 \
	X(categories_refused)                                                                  \
	X(categories_in_use)                                                                   \
	X(in_memory)                                                                           \
	X(set_through_cases)                                                                   \
	X(import_through_cases)                                                                \
	X(stored_value_broken)

#define SS_NOW 1764400000
#define SS_COUNTY REGIONS_DEMO_COUNTY
#define SS_VILLAGE "990101103200"

static inline int ss_load_demo(struct store *s)
{
	struct region_import_counts n;
	struct app_error e;
	if (regions_demo_import(s, "cli:test", &n, &e) != APP_OK) {
		print_error("cannot load the demo county: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static inline struct case_setting_row ss_setting(const char *name, const char *value)
{
	struct case_setting_row r = { .set_at = SS_NOW };
	snprintf(r.name, sizeof(r.name), "%s", name);
	snprintf(r.value, sizeof(r.value), "%s", value);
	snprintf(r.set_by, sizeof(r.set_by), "cli:test");
	return r;
}

static inline struct case_category_row ss_category(const char *code, const char *parent,
						   const char *name, const char *urgency, int sort,
						   bool active)
{
	struct case_category_row r = { .sort = sort, .active = active };
	snprintf(r.code, sizeof(r.code), "%s", code);
	snprintf(r.parent, sizeof(r.parent), "%s", parent);
	snprintf(r.name, sizeof(r.name), "%s", name);
	snprintf(r.urgency, sizeof(r.urgency), "%s", urgency);
	return r;
}

static inline struct audit_note ss_note(const char *action)
{
	return (struct audit_note){ .actor = "cli:test", .action = action,
				    .object = "demand_settings:" SS_COUNTY, .region = SS_COUNTY,
				    .summary = "test" };
}

/* What store_case_settings_load gives. */
struct ss_loaded {
	int64_t version;
	int nsettings, ncategories;
	struct case_setting_row settings[16];
	struct case_category_row categories[16];
};

static inline bool ss_take_setting(void *ctx, const struct case_setting_row *r)
{
	struct ss_loaded *l = ctx;
	if (l->nsettings < 16)
		l->settings[l->nsettings] = *r;
	l->nsettings++;
	return true;
}

static inline bool ss_take_category(void *ctx, const struct case_category_row *r)
{
	struct ss_loaded *l = ctx;
	if (l->ncategories < 16)
		l->categories[l->ncategories] = *r;
	l->ncategories++;
	return true;
}

static inline struct ss_loaded *ss_load(struct store *s, const char *county)
{
	static struct ss_loaded l;
	memset(&l, 0, sizeof(l));
	struct app_error e;
	if (store_case_settings_load(s, county, &l.version, ss_take_setting, ss_take_category, &l,
				     &e) != APP_OK)
		fail_msg("load %s: %s", county, e.msg);
	int64_t v;
	if (store_case_settings_version(s, county, &v, &e) != APP_OK)
		fail_msg("version %s: %s", county, e.msg);
	assert_int_equal(v, l.version);
	return &l;
}

static inline bool ss_count_fn(void *ctx, const struct audit_record *r)
{
	(void)r;
	++*(int *)ctx;
	return true;
}

/* Audit entries about object. */
static inline int ss_audits(struct store *s, const char *object)
{
	int n = 0;
	struct app_error e;
	if (store_audit_list(s, object, 100, ss_count_fn, &n, &e) != APP_OK)
		fail_msg("audit of %s: %s", object, e.msg);
	return n;
}

static inline void ss_case_settings_put_load(struct store *s)
{
	struct ss_loaded *l = ss_load(s, SS_COUNTY);
	assert_int_equal(l->version, 0);
	assert_int_equal(l->nsettings + l->ncategories, 0);
	struct case_setting_row rows[] = { ss_setting("warn", "75%"),
					   ss_setting("resolve.general", "5wd") };
	struct audit_note note = ss_note("demand_settings.set");
	struct app_error e;
	assert_int_equal(store_case_settings_put(s, SS_COUNTY, rows, 2, &note, &e), APP_OK);
	l = ss_load(s, SS_COUNTY);
	assert_int_equal(l->version, 1);
	assert_int_equal(l->nsettings, 2);
	assert_string_equal(l->settings[0].name, "resolve.general"); /* by name */
	assert_string_equal(l->settings[0].value, "5wd");
	assert_string_equal(l->settings[0].set_by, "cli:test");
	assert_int_equal(l->settings[0].set_at, SS_NOW);
	assert_string_equal(l->settings[1].name, "warn");
	rows[1] = ss_setting("resolve.general", "6wd");
	rows[1].set_at = SS_NOW + 60;
	assert_int_equal(store_case_settings_put(s, SS_COUNTY, &rows[1], 1, &note, &e), APP_OK);
	l = ss_load(s, SS_COUNTY);
	assert_int_equal(l->version, 2);
	assert_int_equal(l->nsettings, 2);
	assert_string_equal(l->settings[0].value, "6wd");
	assert_int_equal(l->settings[0].set_at, SS_NOW + 60);
	assert_string_equal(l->settings[1].value, "75%");
	assert_int_equal(ss_audits(s, "demand_settings:" SS_COUNTY), 2);
	/* another county knows nothing of it */
	assert_int_equal(ss_load(s, "990102")->version, 0);
}

static inline void ss_case_settings_refused(struct store *s)
{
	struct case_setting_row ok = ss_setting("warn", "75%"), empty = ss_setting("ack", "");
	struct case_setting_row rows[] = { ok, empty };
	struct audit_note note = ss_note("demand_settings.set");
	struct app_error e;
	assert_int_equal(store_case_settings_put(s, SS_COUNTY, rows, 2, &note, &e), APP_EINVAL);
	assert_int_equal(store_case_settings_put(s, SS_COUNTY, rows, 0, &note, &e), APP_EINVAL);
	assert_int_equal(store_case_settings_put(s, "99", rows, 1, &note, &e), APP_EINVAL);
	assert_non_null(strstr(e.msg, "'99' is not a county code"));
	int64_t v;
	assert_int_equal(store_case_settings_version(s, "9901011", &v, &e), APP_EINVAL);
	struct ss_loaded *l = ss_load(s, SS_COUNTY);
	assert_int_equal(l->version, 0);
	assert_int_equal(l->nsettings, 0);
	assert_int_equal(ss_audits(s, "demand_settings:" SS_COUNTY), 0);
}

static inline void ss_case_categories_put_load(struct store *s)
{
	struct case_category_row tree[] = {
		ss_category("water", "", "供水", "utilities", 1, true),
		ss_category("water.pipes", "water", "管网漏水", "emergency", 2, true),
		ss_category("old", "", "旧分类", "general", 3, false),
	};
	struct audit_note note = ss_note("demand_categories.import");
	struct app_error e;
	assert_int_equal(store_case_categories_put(s, SS_COUNTY, tree, 3, &note, &e), APP_OK);
	struct ss_loaded *l = ss_load(s, SS_COUNTY);
	assert_int_equal(l->version, 1);
	assert_int_equal(l->ncategories, 3);
	for (int i = 0; i < 3; i++) {
		assert_string_equal(l->categories[i].code, tree[i].code);
		assert_string_equal(l->categories[i].parent, tree[i].parent);
		assert_string_equal(l->categories[i].name, tree[i].name);
		assert_string_equal(l->categories[i].urgency, tree[i].urgency);
		assert_int_equal(l->categories[i].sort, tree[i].sort);
		assert_int_equal(l->categories[i].active, tree[i].active);
	}
	/* replaced whole, in the new order */
	struct case_category_row next[] = {
		ss_category("roads", "", "道路", "general", 1, true),
		ss_category("water", "", "供水、停水", "utilities", 2, true),
	};
	assert_int_equal(store_case_categories_put(s, SS_COUNTY, next, 2, &note, &e), APP_OK);
	l = ss_load(s, SS_COUNTY);
	assert_int_equal(l->version, 2);
	assert_int_equal(l->ncategories, 2);
	assert_string_equal(l->categories[0].code, "roads");
	assert_string_equal(l->categories[1].name, "供水、停水");
	assert_int_equal(ss_audits(s, "demand_settings:" SS_COUNTY), 2);
}

static inline void ss_case_categories_refused(struct store *s)
{
	struct case_category_row tree[] = {
		ss_category("water", "", "供水", "utilities", 1, true),
	};
	struct audit_note note = ss_note("demand_categories.import");
	struct app_error e;
	assert_int_equal(store_case_categories_put(s, SS_COUNTY, tree, 1, &note, &e), APP_OK);
	struct case_category_row twice[] = {
		ss_category("roads", "", "道路", "general", 1, true),
		ss_category("roads", "", "道路", "general", 2, true),
	};
	assert_int_equal(store_case_categories_put(s, SS_COUNTY, twice, 2, &note, &e), APP_EINVAL);
	assert_non_null(strstr(e.msg, "category 'roads'"));
	struct case_category_row urgent[] = {
		ss_category("roads", "", "道路", "urgent", 1, true),
	};
	assert_int_equal(store_case_categories_put(s, SS_COUNTY, urgent, 1, &note, &e), APP_EINVAL);
	assert_non_null(strstr(e.msg, "category 'roads': storing a category: a value is out of range"));
	assert_int_equal(store_case_categories_put(s, SS_COUNTY, urgent, 0, &note, &e), APP_EINVAL);
	struct ss_loaded *l = ss_load(s, SS_COUNTY);
	assert_int_equal(l->version, 1);
	assert_int_equal(l->ncategories, 1);
	assert_string_equal(l->categories[0].code, "water");
	assert_int_equal(ss_audits(s, "demand_settings:" SS_COUNTY), 1);
}

/* Store a demand of category at SS_VILLAGE in state. */
static inline void ss_case(struct store *s, const char *category, const char *state)
{
	struct case_row *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	snprintf(c->type, sizeof(c->type), "demand");
	c->version = 1;
	snprintf(c->state, sizeof(c->state), "%s", state);
	snprintf(c->region, sizeof(c->region), SS_VILLAGE);
	snprintf(c->category, sizeof(c->category), "%s", category);
	snprintf(c->urgency, sizeof(c->urgency), "general");
	snprintf(c->title, sizeof(c->title), "测试");
	snprintf(c->source, sizeof(c->source), "app");
	c->created_at = c->updated_at = SS_NOW;
	struct audit_note note = { "cli:test", "demand.raise", "case:{id}", SS_VILLAGE, "" };
	struct app_error e;
	if (store_case_insert(s, c, NULL, 0, &note, NULL, 0, &e) != APP_OK)
		fail_msg("a case of %s: %s", category, e.msg);
	free(c);
}

static inline void ss_case_categories_in_use(struct store *s)
{
	ss_case(s, "roads.lights", "in_progress");
	ss_case(s, "roads.lights", "received");
	ss_case(s, "gone", "closed");
	ss_case(s, "merged.one", "merged");
	struct case_category_row tree[] = {
		ss_category("roads", "", "道路", "general", 1, true),
	};
	struct audit_note note = ss_note("demand_categories.import");
	struct app_error e;
	assert_int_equal(store_case_categories_put(s, SS_COUNTY, tree, 1, &note, &e),
			 APP_ECONFLICT);
	assert_string_equal(e.msg, "category 'roads.lights' is missing, but 2 open cases of county "
				   "990101 have it: keep it in the tree and deactivate it instead");
	struct ss_loaded *l = ss_load(s, SS_COUNTY);
	assert_int_equal(l->version, 0);
	assert_int_equal(l->ncategories, 0);
	assert_int_equal(ss_audits(s, "demand_settings:" SS_COUNTY), 0);
	/* kept, inactive: fine; closed and merged cases may lose theirs */
	struct case_category_row kept[] = {
		ss_category("roads", "", "道路", "general", 1, true),
		ss_category("roads.lights", "roads", "路灯", "general", 2, false),
	};
	assert_int_equal(store_case_categories_put(s, SS_COUNTY, kept, 2, &note, &e), APP_OK);
	assert_int_equal(ss_load(s, SS_COUNTY)->ncategories, 2);
}

/* The settings in memory follow the store: a change is seen at the next
 * read; within a scope, at its end. */
static inline void ss_case_in_memory(struct store *s)
{
	const struct case_settings *a, *b;
	struct app_error e;
	assert_int_equal(case_settings_get(s, SS_COUNTY, &a, &e), APP_OK);
	assert_int_equal(a->version, 0);
	assert_string_equal(a->setting[CASE_SETTING_RESOLVE_GENERAL].value, "7wd");
	assert_int_equal(case_settings_get(s, SS_COUNTY, &b, &e), APP_OK);
	assert_ptr_equal(a, b); /* unchanged: the same, from memory */
	case_settings_put(b);
	struct case_setting_row five = ss_setting("resolve.general", "5wd");
	struct audit_note note = ss_note("demand_settings.set");
	assert_int_equal(store_case_settings_put(s, SS_COUNTY, &five, 1, &note, &e), APP_OK);
	assert_string_equal(a->setting[CASE_SETTING_RESOLVE_GENERAL].value, "7wd"); /* as it was */
	case_settings_scope_begin();
	assert_int_equal(case_settings_get(s, SS_COUNTY, &b, &e), APP_OK);
	assert_int_equal(b->version, 1);
	assert_int_equal(b->limits.resolve[DEMAND_GENERAL].amount, 5);
	assert_string_equal(b->setting[CASE_SETTING_RESOLVE_GENERAL].set_by, "cli:test");
	case_settings_put(b);
	struct case_setting_row six = ss_setting("resolve.general", "6wd");
	assert_int_equal(store_case_settings_put(s, SS_COUNTY, &six, 1, &note, &e), APP_OK);
	assert_int_equal(case_settings_get(s, SS_COUNTY, &b, &e), APP_OK);
	assert_int_equal(b->version, 1); /* the scope read the county once */
	case_settings_put(b);
	case_settings_scope_end();
	assert_int_equal(case_settings_get(s, SS_COUNTY, &b, &e), APP_OK);
	assert_int_equal(b->version, 2);
	assert_int_equal(b->limits.resolve[DEMAND_GENERAL].amount, 6);
	case_settings_put(b);
	case_settings_put(a);
	assert_int_equal(case_settings_get(s, "990102", &b, &e), APP_OK); /* not stored: defaults */
	assert_int_equal(b->version, 0);
	case_settings_put(b);
}

static inline void ss_case_set_through_cases(struct store *s)
{
	char good[][24] = { "resolve.general=5wd", "warn=75%", "ack=05m" };
	char *pairs[] = { good[0], good[1], good[2] };
	struct app_error e;
	assert_int_equal(case_settings_set(s, "cli:test", SS_COUNTY, pairs, 3, SS_NOW, &e), APP_OK);
	const struct case_settings *cs;
	assert_int_equal(case_settings_get(s, SS_COUNTY, &cs, &e), APP_OK);
	assert_int_equal(cs->version, 1);
	assert_string_equal(cs->setting[CASE_SETTING_ACK].value, "5m");
	assert_string_equal(cs->setting[CASE_SETTING_WARN].value, "75%");
	assert_string_equal(cs->setting[CASE_SETTING_WARN].set_by, "cli:test");
	assert_int_equal(cs->setting[CASE_SETTING_WARN].set_at, SS_NOW);
	assert_string_equal(cs->setting[CASE_SETTING_ARRIVE].set_by, "");
	case_settings_put(cs);
	assert_int_equal(ss_audits(s, "demand_settings:" SS_COUNTY), 1);
	static const struct {
		const char *pairs[2];
		enum app_err code;
		const char *part;
	} bad[] = {
		{ { "warn=70%", "resolve.general=0wd" }, APP_EINVAL, "zero" },
		{ { "warn=70%", "warn=60%" }, APP_EINVAL, "warn is given twice" },
		{ { "warn=70%", "nosuch=1m" }, APP_EINVAL, "unknown setting 'nosuch'" },
		{ { "warn=70%", "warn" }, APP_EINVAL, "'warn' is no setting: write name=value" },
		{ { "warn=70%", "=3m" }, APP_EINVAL, "is no setting" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char a[32], b[32];
		snprintf(a, sizeof(a), "%s", bad[i].pairs[0]);
		snprintf(b, sizeof(b), "%s", bad[i].pairs[1]);
		char *p[] = { a, b };
		assert_int_equal(case_settings_set(s, "cli:test", SS_COUNTY, p, 2, SS_NOW, &e),
				 bad[i].code);
		if (!strstr(e.msg, bad[i].part))
			fail_msg("case %zu: '%s' does not say '%s'", i, e.msg, bad[i].part);
	}
	char *one[] = { good[0] };
	assert_int_equal(case_settings_set(s, "cli:test", "990199", one, 1, SS_NOW, &e),
			 APP_ENOTFOUND);
	assert_string_equal(e.msg, "no county 990199 in the registry");
	assert_int_equal(case_settings_set(s, "cli:test", "9901", one, 1, SS_NOW, &e), APP_EINVAL);
	assert_int_equal(case_settings_set(s, "cli:test", SS_COUNTY, one, 0, SS_NOW, &e),
			 APP_EINVAL);
	/* none of them changed anything */
	assert_int_equal(ss_load(s, SS_COUNTY)->version, 1);
	assert_string_equal(ss_load(s, SS_COUNTY)->settings[2].value, "75%");
	assert_int_equal(ss_audits(s, "demand_settings:" SS_COUNTY), 1);
}

/* Import text as county's tree through src/cases. */
static inline enum app_err ss_import(struct store *s, const char *text,
				     struct case_categories_report *rep, struct app_error *e)
{
	char dir[256], path[300];
	tu_tempdir(dir, sizeof(dir));
	tu_path(path, sizeof(path), dir, "tree.csv");
	tu_write_file(path, text, strlen(text));
	enum app_err rc = case_settings_import_categories(s, "cli:test", SS_COUNTY, path, rep, e);
	tu_rmtree(dir);
	return rc;
}

static inline void ss_case_import_through_cases(struct store *s)
{
	ss_case(s, "roads.lights", "received");
	struct case_categories_report rep;
	struct app_error e;
	const char *without = "code,parent,name,urgency,active\n"
			      "roads,,道路,general,yes\n";
	assert_int_equal(ss_import(s, without, &rep, &e), APP_ECONFLICT);
	assert_non_null(strstr(e.msg, "category 'roads.lights' is missing, but 1 open case"));
	assert_int_equal(ss_import(s, "code,parent,name,urgency,active\nroads,,道路,slow,yes\n",
				   &rep, &e),
			 APP_EINVAL);
	assert_non_null(strstr(e.msg, "line 2: urgency 'slow'"));
	assert_int_equal(ss_load(s, SS_COUNTY)->version, 0);
	const char *with = "code,parent,name,urgency,active\n"
			   "roads,,道路,general,yes\n"
			   "roads.lights,roads,路灯,general,no\n"
			   "water,,供水,emergency,yes\n";
	assert_int_equal(ss_import(s, with, &rep, &e), APP_OK);
	assert_int_equal(rep.categories, 3);
	assert_int_equal(rep.inactive, 1);
	size_t builtin;
	categories_all(&builtin);
	assert_int_equal(rep.removed, builtin - 2); /* all but roads and roads.lights */
	const struct case_settings *cs;
	assert_int_equal(case_settings_get(s, SS_COUNTY, &cs, &e), APP_OK);
	assert_true(cs->own_tree);
	assert_int_equal(cs->ncategories, 3);
	const struct category *water = case_settings_category(cs, "water");
	assert_non_null(water);
	assert_int_equal(water->urgency, DEMAND_EMERGENCY);
	assert_false(case_settings_category(cs, "roads.lights")->active);
	assert_null(case_settings_category(cs, "utilities.water"));
	case_settings_put(cs);
	assert_int_equal(ss_audits(s, "demand_categories:" SS_COUNTY), 1);
	assert_int_equal(ss_import(s, with, &rep, &e), APP_OK);
	assert_int_equal(rep.removed, 0);
}

static inline void ss_case_stored_value_broken(struct store *s)
{
	struct case_setting_row broken = ss_setting("ack", "3x");
	struct audit_note note = ss_note("demand_settings.set");
	struct app_error e;
	assert_int_equal(store_case_settings_put(s, SS_COUNTY, &broken, 1, &note, &e), APP_OK);
	const struct case_settings *cs;
	assert_int_equal(case_settings_get(s, SS_COUNTY, &cs, &e), APP_EINTERNAL);
	assert_non_null(strstr(e.msg, "a stored setting of county 990101 is not valid (ack: "
				      "unknown unit 'x' in '3x'"));
}

#endif
