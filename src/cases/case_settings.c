/*
 * case_settings.c - what each county configures for its demands: the
 * declared settings and their value parser, the per-county settings kept
 * in memory and checked against the store's version, setting them, and
 * importing a county's category tree; see case_settings.h.
 *
 * What a value means is decided here and nowhere else: the store keeps
 * values as written (canonical: "03m" is stored as "3m") and this file
 * reads them back through the same parser, so a value that passes a write
 * is one the engine can run on.
 */
#include "cases/case_settings.h"
#include "core/csv.h"
#include "core/division.h"
#include "core/mem.h"
#include "core/utf8.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUTY_START_DEFAULT (8 * 60)
#define DUTY_END_DEFAULT (20 * 60)

/* ---- the settings ---- */

enum setting_kind {
	KIND_LIMIT,   /* an amount of m, h or wd */
	KIND_PERCENT, /* 1% to 99% */
	KIND_HOURS,   /* HH:MM-HH:MM */
};

struct setting_def {
	const char *name;
	const char *label;
	enum setting_kind kind;
	size_t offset;    /* KIND_LIMIT: of its limit in struct demand_limits */
	int max_minutes;  /* KIND_LIMIT: the longest, as minutes or hours */
	int max_workdays; /* KIND_LIMIT: the longest in working days; 0: not in wd */
};

#define LIMIT(field) KIND_LIMIT, offsetof(struct demand_limits, field)
#define DAYS(n) ((n) * 24 * 60)

/* The longest values are there to catch slips ("300h" for "30h"), not to
 * judge a county's policy: a day for the acknowledgement and the 报到, 30
 * days (or 60 working days) for a resolution, a week (10 working days) for
 * the follow-up. */
static const struct setting_def defs[CASE_SETTING__MAX] = {
	[CASE_SETTING_ACK] = { "ack", "受理时限（值班时间内）", LIMIT(ack), DAYS(1), 0 },
	[CASE_SETTING_RESOLVE_EMERGENCY] = { "resolve.emergency", "紧急诉求办结时限",
					     LIMIT(resolve[DEMAND_EMERGENCY]), DAYS(30), 60 },
	[CASE_SETTING_RESOLVE_UTILITIES] = { "resolve.utilities", "水电气暖诉求办结时限",
					     LIMIT(resolve[DEMAND_UTILITIES]), DAYS(30), 60 },
	[CASE_SETTING_RESOLVE_GENERAL] = { "resolve.general", "一般诉求办结时限",
					   LIMIT(resolve[DEMAND_GENERAL]), DAYS(30), 60 },
	[CASE_SETTING_RESOLVE_COMPLEX] = { "resolve.complex", "复杂诉求办结时限",
					   LIMIT(resolve[DEMAND_COMPLEX]), DAYS(30), 60 },
	[CASE_SETTING_ARRIVE] = { "arrive", "吹哨报到时限", LIMIT(arrive), DAYS(1), 0 },
	[CASE_SETTING_FOLLOWUP] = { "followup", "回访时限", LIMIT(followup), DAYS(7), 10 },
	[CASE_SETTING_WARN] = { "warn", "预警比例", KIND_PERCENT, 0, 0, 0 },
	[CASE_SETTING_DUTY_HOURS] = { "duty_hours", "默认值班时间", KIND_HOURS, 0, 0, 0 },
};

const char *case_settings_name(enum case_setting_id id) { return defs[id].name; }
const char *case_settings_label(enum case_setting_id id) { return defs[id].label; }

static int setting_id(const char *name)
{
	for (int i = 0; i < CASE_SETTING__MAX; i++)
		if (strcmp(defs[i].name, name) == 0)
			return i;
	return -1;
}

static struct case_limit *limit_in(struct demand_limits *l, const struct setting_def *d)
{
	return (struct case_limit *)((char *)l + d->offset);
}

static const char *unit_suffix(enum calendar_unit u)
{
	return u == CALENDAR_MINUTES ? "m" : u == CALENDAR_HOURS ? "h" : "wd";
}

/* The value of setting d in cs, written as a county writes it. */
static void format_value(const struct case_settings *cs, const struct setting_def *d, char *out,
			 size_t cap)
{
	if (d->kind == KIND_LIMIT) {
		const struct case_limit *l = limit_in((struct demand_limits *)&cs->limits, d);
		snprintf(out, cap, "%d%s", l->amount, unit_suffix(l->unit));
	} else if (d->kind == KIND_PERCENT) {
		snprintf(out, cap, "%d%%", cs->limits.warn_percent);
	} else {
		snprintf(out, cap, "%02d:%02d-%02d:%02d", cs->duty_start / 60, cs->duty_start % 60,
			 cs->duty_end / 60, cs->duty_end % 60);
	}
}

/* The longest value of limit d, for messages: "24h", "720h or 60wd". */
static void format_max(const struct setting_def *d, char *out, size_t cap)
{
	if (d->max_workdays)
		snprintf(out, cap, "%dh or %dwd", d->max_minutes / 60, d->max_workdays);
	else
		snprintf(out, cap, "%dh", d->max_minutes / 60);
}

static enum app_err parse_limit(const struct setting_def *d, const char *v, struct case_limit *out,
				struct app_error *err)
{
	size_t digits = strspn(v, "0123456789");
	const char *unit = v + digits;
	char max[32];
	format_max(d, max, sizeof(max));
	if (!digits)
		return app_fail_field(err, APP_EINVAL, d->name,
				      "%s: '%.32s' is no limit: write minutes as 30m, hours as 2h, "
				      "working days as 7wd",
				      d->name, v);
	enum calendar_unit u;
	if (strcmp(unit, "m") == 0)
		u = CALENDAR_MINUTES;
	else if (strcmp(unit, "h") == 0)
		u = CALENDAR_HOURS;
	else if (strcmp(unit, "wd") == 0)
		u = CALENDAR_WORKDAYS;
	else
		return app_fail_field(err, APP_EINVAL, d->name,
				      "%s: unknown unit '%.16s' in '%.32s': use m (minutes), h (hours) "
				      "or wd (working days)",
				      d->name, unit, v);
	if (u == CALENDAR_WORKDAYS && !d->max_workdays)
		return app_fail_field(err, APP_EINVAL, d->name,
				      "%s runs in minutes or hours (m, h), not in working days",
				      d->name);
	long amount = digits > 6 ? 1000000 : strtol(v, NULL, 10);
	if (amount == 0)
		return app_fail_field(err, APP_EINVAL, d->name,
				      "%s: a limit of zero would be due at once: give more than 0",
				      d->name);
	long minutes = u == CALENDAR_MINUTES ? amount : amount * 60;
	if (u == CALENDAR_WORKDAYS ? amount > d->max_workdays : minutes > d->max_minutes)
		return app_fail_field(err, APP_EINVAL, d->name,
				      "%s: %.32s is longer than this limit may be (at most %s)",
				      d->name, v, max);
	*out = (struct case_limit){ .unit = u, .amount = (int)amount };
	return APP_OK;
}

static enum app_err parse_percent(const struct setting_def *d, const char *v, int *out,
				  struct app_error *err)
{
	size_t digits = strspn(v, "0123456789");
	if (!digits || strcmp(v + digits, "%") != 0)
		return app_fail_field(err, APP_EINVAL, d->name,
				      "%s: write the warning share as a percentage, such as 80%%, "
				      "not '%.32s'",
				      d->name, v);
	long p = digits > 3 ? 1000 : strtol(v, NULL, 10);
	if (p < 1 || p > 99)
		return app_fail_field(err, APP_EINVAL, d->name,
				      "%s: the warning share must be 1%% to 99%% of a limit, not %.32s",
				      d->name, v);
	*out = (int)p;
	return APP_OK;
}

/* "HH:MM" at s into minutes after midnight (24:00 allowed); -1 if not. */
static int parse_hhmm(const char *s)
{
	for (int i = 0; i < 5; i++)
		if (i == 2 ? s[i] != ':' : (s[i] < '0' || s[i] > '9'))
			return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m))
		return -1;
	return h * 60 + m;
}

static enum app_err parse_hours(const struct setting_def *d, const char *v, int *start, int *end,
				struct app_error *err)
{
	int from = strlen(v) == 11 && v[5] == '-' ? parse_hhmm(v) : -1;
	int to = from >= 0 ? parse_hhmm(v + 6) : -1;
	if (from < 0 || to < 0)
		return app_fail_field(err, APP_EINVAL, d->name,
				      "%s: write the duty hours as HH:MM-HH:MM, such as 08:00-20:00, "
				      "not '%.32s'",
				      d->name, v);
	if (from >= to)
		return app_fail_field(err, APP_EINVAL, d->name,
				      "%s: the duty hours must end after they start (%.32s)", d->name,
				      v);
	*start = from;
	*end = to;
	return APP_OK;
}

void case_settings_defaults(struct case_settings *out, const char *county)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->county, sizeof(out->county), "%s", county);
	demand_default_limits(&out->limits);
	out->duty_start = DUTY_START_DEFAULT;
	out->duty_end = DUTY_END_DEFAULT;
	for (int i = 0; i < CASE_SETTING__MAX; i++) {
		snprintf(out->setting[i].name, sizeof(out->setting[i].name), "%s", defs[i].name);
		format_value(out, &defs[i], out->setting[i].value, sizeof(out->setting[i].value));
	}
	out->categories = categories_all(&out->ncategories);
}

enum app_err case_settings_apply(struct case_settings *cs, const char *name, const char *value,
				 struct app_error *err)
{
	int id = setting_id(name);
	if (id < 0) {
		char known[256] = "";
		for (int i = 0, used = 0; i < CASE_SETTING__MAX; i++)
			used += snprintf(known + used, sizeof(known) - (size_t)used, "%s%s",
					 i ? ", " : "", defs[i].name);
		return app_fail_field(err, APP_EINVAL, "name", "unknown setting '%.32s'; known: %s",
				      name, known);
	}
	const struct setting_def *d = &defs[id];
	enum app_err rc;
	if (d->kind == KIND_LIMIT) {
		struct case_limit l;
		if ((rc = parse_limit(d, value, &l, err)) != APP_OK)
			return rc;
		*limit_in(&cs->limits, d) = l;
	} else if (d->kind == KIND_PERCENT) {
		if ((rc = parse_percent(d, value, &cs->limits.warn_percent, err)) != APP_OK)
			return rc;
	} else if ((rc = parse_hours(d, value, &cs->duty_start, &cs->duty_end, err)) != APP_OK) {
		return rc;
	}
	format_value(cs, d, cs->setting[id].value, sizeof(cs->setting[id].value));
	return APP_OK;
}

void case_settings_rules(const struct case_settings *cs, enum demand_urgency u,
			 struct case_rules *out)
{
	demand_rules(&cs->limits, u, out);
}

const struct category *case_settings_category(const struct case_settings *cs, const char *code)
{
	for (size_t i = 0; code && i < cs->ncategories; i++)
		if (strcmp(cs->categories[i].code, code) == 0)
			return &cs->categories[i];
	return NULL;
}

enum app_err case_settings_county(struct store *s, const char *county, struct app_error *err)
{
	enum division_level level;
	if (!county || division_code_check(county, &level, NULL) != APP_OK || level != DIV_COUNTY)
		return app_fail_field(err, APP_EINVAL, "county",
				      "'%.16s' is no county code (6 digits, such as 411681)",
				      county ? county : "");
	bool exists = false;
	enum app_err rc = store_region_exists(s, county, &exists, err);
	if (rc == APP_OK && !exists)
		rc = app_fail_field(err, APP_ENOTFOUND, "county", "no county %s in the registry",
				    county);
	return rc;
}

/* ---- reading a county's settings from the store ---- */

struct loading {
	struct case_settings *cs;
	struct case_category_row *rows;
	size_t n, cap;
	char bad[400]; /* why a stored row is no longer valid, "" when all are */
};

static bool take_setting(void *ctx, const struct case_setting_row *r)
{
	struct loading *ld = ctx;
	struct app_error why;
	int id = setting_id(r->name);
	if (case_settings_apply(ld->cs, r->name, r->value, &why) != APP_OK) {
		snprintf(ld->bad, sizeof(ld->bad), "%.300s", why.msg);
		return false;
	}
	memcpy(ld->cs->setting[id].set_by, r->set_by, sizeof(r->set_by));
	ld->cs->setting[id].set_at = r->set_at;
	return true;
}

static bool take_category(void *ctx, const struct case_category_row *r)
{
	struct loading *ld = ctx;
	if (ld->n == ld->cap) {
		ld->cap = ld->cap ? ld->cap * 2 : 64;
		ld->rows = xrealloc(ld->rows, ld->cap * sizeof(*ld->rows));
	}
	ld->rows[ld->n++] = *r;
	return true;
}

static void settings_free(struct case_settings *cs)
{
	if (!cs)
		return;
	free(cs->rows);
	free(cs->own);
	free(cs);
}

/* The imported tree of ld as cs's categories (its strings stay in rows). */
static enum app_err own_tree(struct loading *ld, struct app_error *err)
{
	struct case_settings *cs = ld->cs;
	cs->rows = ld->rows;
	ld->rows = NULL;
	cs->own = xcalloc(ld->n, sizeof(*cs->own));
	for (size_t i = 0; i < ld->n; i++) {
		const struct case_category_row *r = &cs->rows[i];
		struct category *c = &cs->own[i];
		*c = (struct category){ r->code, r->parent, r->name, DEMAND_GENERAL, r->active };
		if (!demand_urgency_parse(r->urgency, &c->urgency))
			return app_fail(err, APP_EINTERNAL,
					"the stored category %s of county %s has an unknown urgency",
					r->code, cs->county);
	}
	cs->categories = cs->own;
	cs->ncategories = ld->n;
	cs->own_tree = true;
	return APP_OK;
}

/* county's settings as stored now, in a new struct (refs 0). */
static enum app_err load(struct store *s, const char *county, struct case_settings **out,
			 struct app_error *err)
{
	struct loading ld = { .cs = xcalloc(1, sizeof(*ld.cs)) };
	case_settings_defaults(ld.cs, county);
	enum app_err rc = store_case_settings_load(s, county, &ld.cs->version, take_setting,
						   take_category, &ld, err);
	if (rc == APP_OK && ld.bad[0])
		rc = app_fail(err, APP_EINTERNAL,
			      "a stored setting of county %s is not valid (%s): set it again with "
			      "'bianmin demands settings set'",
			      county, ld.bad);
	if (rc == APP_OK && ld.n)
		rc = own_tree(&ld, err);
	free(ld.rows);
	if (rc != APP_OK) {
		settings_free(ld.cs);
		return rc;
	}
	*out = ld.cs;
	return APP_OK;
}

/* ---- the settings in memory ---- */

/* Every county's settings this process read, per store; each holds a
 * reference of the cache's. Few: a deployment serves a county or a city's
 * few, so a list will do. */
struct cached {
	uint64_t store;
	struct case_settings *cs;
};

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cached *cache;
static size_t ncache, cache_cap;

#define SCOPE_MAX 8 /* counties a scope remembers; more are checked each time */

static _Thread_local struct {
	int depth, n;
	struct cached seen[SCOPE_MAX];
} scope;

static struct cached *cache_find(uint64_t store, const char *county)
{
	for (size_t i = 0; i < ncache; i++)
		if (cache[i].store == store && strcmp(cache[i].cs->county, county) == 0)
			return &cache[i];
	return NULL;
}

/* One reference less (cache_mu held); the last one frees. */
static void drop(struct case_settings *cs)
{
	if (--cs->refs == 0)
		settings_free(cs);
}

/* What the cache holds for store and county once fresh was read: fresh,
 * unless another thread meanwhile put in something as new; with a
 * reference for the caller. */
static struct case_settings *cache_keep(uint64_t store, struct case_settings *fresh)
{
	pthread_mutex_lock(&cache_mu);
	struct cached *c = cache_find(store, fresh->county);
	struct case_settings *cs = fresh;
	if (c && c->cs->version >= fresh->version) {
		cs = c->cs;
		settings_free(fresh);
	} else if (c) {
		drop(c->cs);
		c->cs = fresh;
		fresh->refs = 1;
	} else {
		if (ncache == cache_cap) {
			cache_cap = cache_cap ? cache_cap * 2 : 16;
			cache = xrealloc(cache, cache_cap * sizeof(*cache));
		}
		cache[ncache++] = (struct cached){ store, fresh };
		fresh->refs = 1;
	}
	cs->refs++;
	pthread_mutex_unlock(&cache_mu);
	return cs;
}

enum app_err case_settings_get(struct store *s, const char *county,
			       const struct case_settings **out, struct app_error *err)
{
	uint64_t store = store_serial(s);
	if (!county)
		county = ""; /* which the store refuses, as any code that is no county's */
	for (int i = 0; i < scope.n; i++)
		if (scope.seen[i].store == store && strcmp(scope.seen[i].cs->county, county) == 0) {
			pthread_mutex_lock(&cache_mu);
			scope.seen[i].cs->refs++;
			pthread_mutex_unlock(&cache_mu);
			*out = scope.seen[i].cs;
			return APP_OK;
		}
	int64_t version;
	enum app_err rc = store_case_settings_version(s, county, &version, err);
	if (rc != APP_OK)
		return rc;
	struct case_settings *cs = NULL;
	pthread_mutex_lock(&cache_mu);
	struct cached *c = cache_find(store, county);
	if (c && c->cs->version >= version) {
		cs = c->cs;
		cs->refs++;
	}
	pthread_mutex_unlock(&cache_mu);
	if (!cs) {
		struct case_settings *fresh;
		if ((rc = load(s, county, &fresh, err)) != APP_OK)
			return rc;
		cs = cache_keep(store, fresh);
	}
	if (scope.depth && scope.n < SCOPE_MAX) {
		pthread_mutex_lock(&cache_mu);
		cs->refs++;
		pthread_mutex_unlock(&cache_mu);
		scope.seen[scope.n++] = (struct cached){ store, cs };
	}
	*out = cs;
	return APP_OK;
}

void case_settings_put(const struct case_settings *cs)
{
	if (!cs)
		return;
	pthread_mutex_lock(&cache_mu);
	drop((struct case_settings *)cs);
	pthread_mutex_unlock(&cache_mu);
}

void case_settings_scope_begin(void) { scope.depth++; }

void case_settings_scope_end(void)
{
	if (--scope.depth > 0)
		return;
	pthread_mutex_lock(&cache_mu);
	for (int i = 0; i < scope.n; i++)
		drop(scope.seen[i].cs);
	pthread_mutex_unlock(&cache_mu);
	scope.n = 0;
	scope.depth = 0;
}

/* ---- changing settings ---- */

enum app_err case_settings_set(struct store *s, const char *actor, const char *county,
			       char *const *pairs, size_t n, int64_t now, struct app_error *err)
{
	if (!n)
		return app_fail(err, APP_EINVAL, "say which settings to change, as name=value");
	enum app_err rc = case_settings_county(s, county, err);
	const struct case_settings *cur = NULL;
	if (rc == APP_OK)
		rc = case_settings_get(s, county, &cur, err);
	if (rc != APP_OK)
		return rc;
	struct case_settings next = *cur;
	struct case_setting_row rows[CASE_SETTING__MAX];
	bool given[CASE_SETTING__MAX] = { false };
	char summary[1024] = "";
	size_t used = 0, nrows = 0;
	for (size_t i = 0; rc == APP_OK && i < n; i++) {
		char name[CASE_SETTING_NAME_MAX];
		const char *eq = strchr(pairs[i], '=');
		if (!eq || eq == pairs[i] || (size_t)(eq - pairs[i]) >= sizeof(name)) {
			rc = app_fail(err, APP_EINVAL, "'%.40s' is no setting: write name=value, "
				      "such as resolve.general=5wd", pairs[i]);
			break;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(eq - pairs[i]), pairs[i]);
		int id = setting_id(name);
		if (id >= 0 && given[id]) {
			rc = app_fail_field(err, APP_EINVAL, name, "%s is given twice", name);
			break;
		}
		if ((rc = case_settings_apply(&next, name, eq + 1, err)) != APP_OK)
			break;
		given[id] = true;
		rows[nrows] = next.setting[id];
		snprintf(rows[nrows].set_by, sizeof(rows[nrows].set_by), "%s", actor);
		rows[nrows].set_at = now;
		nrows++;
		used += (size_t)snprintf(summary + used, sizeof(summary) - used, "%s%s: %s → %s",
					 used ? ", " : "", name, cur->setting[id].value,
					 next.setting[id].value);
		if (used >= sizeof(summary))
			used = sizeof(summary) - 1;
	}
	case_settings_put(cur);
	if (rc != APP_OK)
		return rc;
	char object[40];
	snprintf(object, sizeof(object), "demand_settings:%s", county);
	struct audit_note note = { actor, "demand_settings.set", object, county, summary };
	return store_case_settings_put(s, county, rows, nrows, &note, err);
}

/* ---- importing a category tree ---- */

static const char *const header[] = { "code", "parent", "name", "urgency", "active" };
#define NCOLS (sizeof(header) / sizeof(header[0]))

static bool code_ok(const char *code)
{
	size_t n = strlen(code);
	return n >= 1 && n < CASE_CATEGORY_CODE_MAX &&
	       strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789_-.") == n;
}

/* The row of code among rows[0..n), -1 when none. */
static long row_of(const struct case_category_row *rows, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].code, code) == 0)
			return (long)i;
	return -1;
}

/* Check and fill row from the fields of the record at line; rows[0..n)
 * are the earlier ones, lines[] their lines. */
static enum app_err parse_row(char **f, size_t line, const struct case_category_row *rows,
			      const size_t *lines, size_t n, struct case_category_row *row,
			      struct app_error *err)
{
	const char *code = f[0], *parent = f[1], *name = f[2], *urgency = f[3], *active = f[4];
	if (!code_ok(code))
		return app_fail(err, APP_EINVAL,
				"line %zu: code '%.40s' must be 1 to %d of a-z, 0-9, '_', '-' and '.'",
				line, code, CASE_CATEGORY_CODE_MAX - 1);
	long dup = row_of(rows, n, code);
	if (dup >= 0)
		return app_fail(err, APP_EINVAL, "line %zu: code '%s' is already on line %zu", line,
				code, lines[dup]);
	long up = *parent ? row_of(rows, n, parent) : -1;
	if (*parent && up < 0)
		return app_fail(err, APP_EINVAL,
				"line %zu: unknown parent '%.40s' (a parent must be on an earlier "
				"line)",
				line, parent);
	size_t len = strlen(name);
	if (!len)
		return app_fail(err, APP_EINVAL, "line %zu: the name of '%s' is empty", line, code);
	if (!utf8_valid(name, len))
		return app_fail(err, APP_EINVAL, "line %zu: the name of '%s' is not valid UTF-8",
				line, code);
	if (utf8_length(name, len) > CASE_CATEGORY_NAME_CHARS)
		return app_fail(err, APP_EINVAL,
				"line %zu: the name of '%s' is longer than %d characters", line, code,
				CASE_CATEGORY_NAME_CHARS);
	enum demand_urgency u;
	if (!demand_urgency_parse(urgency, &u))
		return app_fail(err, APP_EINVAL,
				"line %zu: urgency '%.40s' is not emergency, utilities, general or "
				"complex",
				line, urgency);
	bool yes = strcmp(active, "yes") == 0;
	if (!yes && strcmp(active, "no") != 0)
		return app_fail(err, APP_EINVAL, "line %zu: active must be yes or no, not '%.40s'",
				line, active);
	if (yes && up >= 0 && !rows[up].active)
		return app_fail(err, APP_EINVAL,
				"line %zu: '%s' is active but its parent '%s' is not", line, code,
				parent);
	memset(row, 0, sizeof(*row));
	snprintf(row->code, sizeof(row->code), "%s", code);
	snprintf(row->parent, sizeof(row->parent), "%s", parent);
	snprintf(row->name, sizeof(row->name), "%s", name);
	snprintf(row->urgency, sizeof(row->urgency), "%s", demand_urgency_name(u));
	row->sort = (int)n + 1;
	row->active = yes;
	return APP_OK;
}

enum app_err case_settings_parse_categories(char *buf, size_t len, struct case_category_row **out,
					    size_t *nout, struct app_error *err)
{
	struct csv_reader r;
	csv_init(&r, buf, len);
	int got = csv_next(&r, err);
	enum app_err rc = got < 0 ? APP_EINVAL : APP_OK;
	bool header_ok = got > 0 && r.nfields == NCOLS;
	for (size_t i = 0; header_ok && i < NCOLS; i++)
		header_ok = strcmp(r.fields[i], header[i]) == 0;
	if (rc == APP_OK && !header_ok)
		rc = app_fail(err, APP_EINVAL,
			      "line 1: the first line must be code,parent,name,urgency,active");
	struct case_category_row *rows = NULL;
	size_t *lines = NULL, n = 0;
	while (rc == APP_OK && (got = csv_next(&r, err)) > 0) {
		size_t line = r.record_line;
		if (r.nfields != NCOLS) {
			rc = app_fail(err, APP_EINVAL,
				      "line %zu: %zu fields where code,parent,name,urgency,active "
				      "are 5",
				      line, r.nfields);
			break;
		}
		if (n == CASE_CATEGORIES_MAX) {
			rc = app_fail(err, APP_ETOOBIG, "line %zu: a tree has at most %d categories",
				      line, CASE_CATEGORIES_MAX);
			break;
		}
		if (!(n % 64)) {
			rows = xrealloc(rows, (n + 64) * sizeof(*rows));
			lines = xrealloc(lines, (n + 64) * sizeof(*lines));
		}
		if ((rc = parse_row(r.fields, line, rows, lines, n, &rows[n], err)) == APP_OK)
			lines[n++] = line;
	}
	if (rc == APP_OK && got < 0)
		rc = APP_EINVAL;
	if (rc == APP_OK && !n)
		rc = app_fail(err, APP_EINVAL, "the file lists no category after its first line");
	csv_release(&r);
	free(lines);
	if (rc != APP_OK) {
		free(rows);
		return rc;
	}
	*out = rows;
	*nout = n;
	return APP_OK;
}

/* The file name of path, for the audit trail. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

enum app_err case_settings_import_categories(struct store *s, const char *actor,
					     const char *county, const char *path,
					     struct case_categories_report *rep,
					     struct app_error *err)
{
	enum app_err rc = case_settings_county(s, county, err);
	char *buf = NULL;
	size_t len;
	if (rc == APP_OK)
		rc = csv_load(path, CASE_CATEGORIES_FILE_MAX, &buf, &len, err);
	struct case_category_row *rows = NULL;
	size_t n = 0;
	if (rc == APP_OK)
		rc = case_settings_parse_categories(buf, len, &rows, &n, err);
	free(buf);
	const struct case_settings *cur = NULL;
	if (rc == APP_OK)
		rc = case_settings_get(s, county, &cur, err);
	if (rc != APP_OK) {
		free(rows);
		return rc;
	}
	struct case_categories_report r = { .categories = n };
	for (size_t i = 0; i < n; i++)
		r.inactive += !rows[i].active;
	for (size_t i = 0; i < cur->ncategories; i++)
		r.removed += row_of(rows, n, cur->categories[i].code) < 0;
	char object[40], summary[400];
	snprintf(object, sizeof(object), "demand_categories:%s", county);
	snprintf(summary, sizeof(summary),
		 "%zu categories (%zu inactive) from %.200s in place of %s of %zu; %zu removed", n,
		 r.inactive, base_name(path), cur->own_tree ? "an imported tree" : "the built-in tree",
		 cur->ncategories, r.removed);
	case_settings_put(cur);
	struct audit_note note = { actor, "demand_categories.import", object, county, summary };
	rc = store_case_categories_put(s, county, rows, n, &note, err);
	free(rows);
	if (rc == APP_OK)
		*rep = r;
	return rc;
}
