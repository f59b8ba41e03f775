/*
 * test_entitle.c - unit tests of the pure parts of the entitlement pipeline
 * (entitle/entitle.h): the shipped Shenyang programme loads as the other
 * parts expect it, a programme file's mistakes are refused with a message
 * that names them, programmes are found by id in a directory, an
 * entitlement is revoked from the right date, and a second entitlement of a
 * person, policy and period is refused (409) without the person's ID
 * number in the message, on SQLite and PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "entitle/entitle.h"
#include "testutil.h"
#include "pg_testdb.h"

#include <stdio.h>
#include <string.h>

static const char *const policy_a =
	"{\"id\":\"p.a\",\"name\":\"A\",\"benefit\":\"b\",\"period\":\"yearly\",\"notice_days\":7,"
	"\"inputs\":{\"disability.grade\":\"int\",\"region\":\"string\"},"
	"\"parameters\":{\"x\":[{\"from\":\"2025-01-01\",\"value\":400}]},"
	"\"condition\":\"disability.grade in [1, 2]\",\"amount\":\"x\"}";
static const char *const policy_b = /* reads disability.grade as a string */
	"{\"id\":\"p.b\",\"name\":\"B\",\"benefit\":\"b\",\"period\":\"yearly\","
	"\"inputs\":{\"disability.grade\":\"string\"},"
	"\"parameters\":{\"x\":[{\"from\":\"2025-01-01\",\"value\":400}]},"
	"\"condition\":\"disability.grade = \\\"1\\\"\",\"amount\":\"x\"}";

/* A programme over policy files a.json (and b.json) in dir, with extra
 * fields (a JSON fragment starting with ',' or ""). */
static void programme_json(char *out, size_t cap, const char *policies, const char *inputs,
			   const char *extra)
{
	snprintf(out, cap,
		 "{\"id\":\"t.prog\",\"name\":\"T\",\"region\":\"2101\",\"operator\":\"YBJ\","
		 "\"policies\":%s,\"key\":\"id_number\",\"inputs\":%s,"
		 "\"person\":{\"name\":\"disability.name\",\"region\":\"disability.hukou\"}%s}",
		 policies, inputs, extra);
}

struct fixture {
	char dir[256];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	tu_tempdir(f->dir, sizeof(f->dir));
	char path[512];
	tu_path(path, sizeof(path), f->dir, "a.json");
	tu_write_file(path, policy_a, strlen(policy_a));
	tu_path(path, sizeof(path), f->dir, "b.json");
	tu_write_file(path, policy_b, strlen(policy_b));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* The shipped programme: the datasets the operator reads, the inputs'
 * fields, the templates by event kind and the delivery task. */
static void test_shipped_programme(void **state)
{
	(void)state;
	struct entitle_programme p;
	struct app_error err;
	assert_int_equal(entitle_programme_load("data/programmes/shenyang-disability-premium.json",
						&p, &err),
			 APP_OK);
	assert_string_equal(p.id, "shenyang.disability_premium");
	assert_string_equal(p.operator_code, "YBJ");
	assert_string_equal(p.region, "2101");
	assert_string_equal(p.key, "id_number");
	assert_int_equal(p.set.n, 1);
	assert_int_equal(rules_policy_notice_days(&p.set, 0), 7);
	const struct entitle_input *in = entitle_programme_input(&p, "medical_insurance");
	assert_non_null(in);
	assert_string_equal(in->ref.dataset, "insured");
	assert_string_equal(in->ref.field, "scheme");
	in = entitle_programme_input(&p, "disability.grade");
	assert_string_equal(in->ref.dataset, "disability");
	assert_string_equal(in->ref.field, "grade");
	assert_int_equal(in->type, RULES_INT);
	assert_int_equal(p.ndatasets, 3); /* disability, insured, deaths */
	assert_string_equal(p.person_region.field, "hukou_region");
	assert_string_equal(p.person_phone.field, "phone");
	assert_int_equal(p.consent_days, 30);
	assert_string_equal(p.granted_dataset, "premium_grants");
	assert_non_null(p.templates[ENTITLE_EV_GRANTED]);
	assert_non_null(p.templates[ENTITLE_EV_REVOKED]);
	assert_null(p.templates[ENTITLE_EV_NOTICE_STARTED]);
	assert_true(p.delivery);
	assert_int_equal(p.delivery_limit_days, 10);
	entitle_programme_release(&p);
}

/* Each mistake is refused, naming what is wrong. */
static void test_programme_errors(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *policies, *inputs, *extra, *want;
	} cases[] = {
		{ "[\"a.json\"]", "{\"region\":\"disability.hukou\"}", ",\"colour\":1",
		  "unknown field 'colour'" },
		{ "[\"a.json\"]", "{}", "", "input 'region' of policy 'p.a' needs a \"dataset.field\"" },
		{ "[\"a.json\"]", "{\"region\":\"hukou\"}", "", "'hukou' is not a \"dataset.field\"" },
		{ "[\"a.json\"]", "{\"region\":\"d.hukou\",\"age\":\"d.age\"}", "",
		  "input 'age' is read by none of the policies" },
		{ "[\"a.json\",\"b.json\"]", "{\"region\":\"d.hukou\"}", "",
		  "input 'disability.grade' is a int in one policy and a string in policy 'p.b'" },
		{ "[\"a.json\",\"a.json\"]", "{\"region\":\"d.hukou\"}", "", "loaded twice" },
		{ "[\"missing.json\"]", "{}", "", "cannot open policy file" },
		{ "[]", "{}", "", "'policies' must be a list of 1 to 16 policy files" },
		{ "[\"a.json\"]", "{\"region\":\"d.hukou\"}",
		  ",\"templates\":{\"granted\":\"hello {nmae}\"}",
		  "template 'granted': unknown placeholder {nmae}" },
		{ "[\"a.json\"]", "{\"region\":\"d.hukou\"}", ",\"templates\":{\"paid\":\"x\"}",
		  "template for 'paid', which is no event kind" },
		{ "[\"a.json\"]", "{\"region\":\"d.hukou\"}", ",\"consent_days\":0",
		  "'consent_days' must be 1 to 365 days" },
		{ "[\"a.json\"]", "{\"region\":\"d.hukou\"}",
		  ",\"delivery\":{\"title\":\"x\",\"category\":\"c\",\"limit_days\":0}",
		  "delivery.limit_days must be 1 to 60" },
		{ "[\"a.json\"]", "{\"region\":\"d.id_number\"}", "", "reads the key field 'id_number'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[2048];
		programme_json(text, sizeof(text), cases[i].policies, cases[i].inputs, cases[i].extra);
		struct entitle_programme p;
		struct app_error err;
		app_error_clear(&err);
		enum app_err rc = entitle_programme_parse(text, strlen(text), "t.json", f->dir, &p,
							  &err);
		if (rc == APP_OK)
			fail_msg("case %zu: accepted, want \"%s\"", i, cases[i].want);
		assert_contains(err.msg, cases[i].want);
	}
	struct entitle_programme p;
	struct app_error err;
	assert_int_equal(entitle_programme_parse("{\"id\":", 6, "t.json", f->dir, &p, &err),
			 APP_EINVAL);
	assert_contains(err.msg, "t.json: line 1");
	assert_contains(err.msg, "not valid JSON");
}

/* A programme is found by its id among the files of a directory. */
static void test_programme_find(void **state)
{
	struct fixture *f = *state;
	char text[2048], path[512];
	programme_json(text, sizeof(text), "[\"a.json\"]", "{\"region\":\"d.hukou\"}", "");
	tu_path(path, sizeof(path), f->dir, "t.json");
	tu_write_file(path, text, strlen(text));
	struct entitle_programme p;
	struct app_error err;
	assert_int_equal(entitle_programme_find(f->dir, "t.prog", &p, &err), APP_OK);
	assert_string_equal(p.name, "T");
	assert_string_equal(p.path, path);
	assert_int_equal(p.ndatasets, 2); /* disability (person), d */
	entitle_programme_release(&p);
	assert_int_equal(entitle_programme_find(f->dir, "nope", &p, &err), APP_ENOTFOUND);
	assert_contains(err.msg, "no programme 'nope'");
	assert_int_equal(entitle_programme_find("/nonexistent-dir", "t.prog", &p, &err), APP_EIO);
}

/* A policy stops granting from the first date in the person's data on
 * which it stops (a death), else from the run's day (a grade change, which
 * carries no date, is not backdated to an unrelated date); a death before
 * the grant, reported late, revokes it from its first day. */
static void test_revocation_day(void **state)
{
	(void)state;
	static const char pol[] =
		"{\"id\":\"p\",\"name\":\"P\",\"benefit\":\"b\",\"period\":\"yearly\","
		"\"inputs\":{\"grade\":\"int\",\"death_date\":\"date\",\"moved\":\"date\"},"
		"\"parameters\":{\"x\":[{\"from\":\"2025-01-01\",\"value\":410}]},"
		"\"condition\":\"grade in [1, 2] and missing(death_date)\",\"amount\":\"x\"}";
	struct rules_set set;
	struct app_error err;
	rules_set_init(&set);
	assert_int_equal(rules_set_add_json(&set, pol, strlen(pol), "p.json", &err), APP_OK);
	struct rules_columns c;
	rules_columns_init(&c, 3);
	struct rules_column *grade = rules_columns_add(&c, "grade", RULES_INT);
	struct rules_column *death = rules_columns_add(&c, "death_date", RULES_DATE);
	struct rules_column *moved = rules_columns_add(&c, "moved", RULES_DATE);
	/* 0 died on 20 October, after a move on 12 October that changed nothing */
	assert_int_equal(rules_columns_set_text(&c, grade, 0, "1", &err), APP_OK);
	assert_int_equal(rules_columns_set_text(&c, death, 0, "2026-10-20", &err), APP_OK);
	assert_int_equal(rules_columns_set_text(&c, moved, 0, "2026-10-12", &err), APP_OK);
	/* 1 is now grade 3 (no date says since when) and moved on 12 October */
	assert_int_equal(rules_columns_set_text(&c, grade, 1, "3", &err), APP_OK);
	assert_int_equal(rules_columns_set_text(&c, moved, 1, "2026-10-12", &err), APP_OK);
	/* 2 died on 1 September, before the grant of 9 October: known late */
	assert_int_equal(rules_columns_set_text(&c, grade, 2, "2", &err), APP_OK);
	assert_int_equal(rules_columns_set_text(&c, death, 2, "2026-09-01", &err), APP_OK);
	int32_t from, day, got, want;
	assert_true(rules_date_parse("2026-10-09", &from));
	assert_true(rules_date_parse("2026-11-02", &day));
	assert_int_equal(entitle_revocation_day(&set, 0, &c, 0, from, day, &got, &err), APP_OK);
	assert_true(rules_date_parse("2026-10-20", &want));
	assert_int_equal(got, want);
	assert_int_equal(entitle_revocation_day(&set, 0, &c, 1, from, day, &got, &err), APP_OK);
	assert_int_equal(got, day);
	assert_int_equal(entitle_revocation_day(&set, 0, &c, 2, from, day, &got, &err), APP_OK);
	assert_int_equal(got, from);
	rules_columns_release(&c);
	rules_set_release(&set);
}

/* The stored names of states and event kinds read back. */
static void test_names(void **state)
{
	(void)state;
	enum entitle_state st;
	enum entitle_event ev;
	assert_true(entitle_state_parse("awaiting_consent", &st));
	assert_int_equal(st, ENTITLE_AWAITING_CONSENT);
	assert_false(entitle_state_parse("paid", &st));
	assert_true(entitle_event_parse("objection.dismissed", &ev));
	assert_int_equal(ev, ENTITLE_EV_OBJECTION_DISMISSED);
	for (int i = 0; i < ENTITLE_EVENT__MAX; i++)
		assert_non_null(entitle_event_names[i]);
	for (int i = 0; i < ENTITLE_STATE__MAX; i++)
		assert_non_null(entitle_state_names_zh[i]);
}

/* A second insert of (programme, policy, person, period) into s. */
static void duplicate_refused(struct store *s)
{
	struct entitlement e;
	memset(&e, 0, sizeof(e));
	snprintf(e.programme, sizeof(e.programme), "t.prog");
	snprintf(e.policy, sizeof(e.policy), "p.a");
	snprintf(e.benefit, sizeof(e.benefit), "b");
	snprintf(e.person_key, sizeof(e.person_key), "99010119600101001X");
	snprintf(e.region, sizeof(e.region), "990101001001");
	e.period = 2026;
	e.state = ENTITLE_IN_NOTICE;
	e.explanation = "";
	struct entitlement twin = e;
	struct entitlement_change ch = { .e = &e, .kind = ENTITLE_EV_NOTICE_STARTED,
					 .from = ENTITLE_STATE__MAX };
	struct app_error err;
	assert_int_equal(store_entitle_apply(s, NULL, &ch, 1, 1, "test", NULL, &err), APP_OK);
	ch.e = &twin;
	assert_int_equal(store_entitle_apply(s, NULL, &ch, 1, 2, "test", NULL, &err),
			 APP_ECONFLICT);
	assert_contains(err.msg, "has an entitlement of policy 'p.a' for period 2026 already");
	assert_null(strstr(err.msg, "99010119600101001X"));
}

static void test_duplicate_sqlite(void **state)
{
	struct fixture *f = *state;
	char db[600];
	tu_path(db, sizeof(db), f->dir, "t.db");
	struct store *s;
	struct app_error e;
	assert_int_equal(store_open(&s, db, STORE_OPEN_CREATE, &e), APP_OK);
	assert_int_equal(store_migrate(s, NULL, &e), APP_OK);
	duplicate_refused(s);
	store_close(s);
}

static int pg_setup(void **state)
{
	return pg_testdb_setup(state, "test_entitle", NULL);
}

static void test_duplicate_pg(void **state)
{
	struct pg_testdb *db = *state;
	PG_TESTDB_REQUIRE(db);
	duplicate_refused(db->s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_programme),
		cmocka_unit_test_setup_teardown(test_programme_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_programme_find, setup, teardown),
		cmocka_unit_test(test_revocation_day),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_duplicate_sqlite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_pg, pg_setup, pg_testdb_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
