/*
 * test_delivery.c - delivery tasks, the dispatcher and the outbox on
 * SQLite: the case type on its own (transitions, the two-rung ladder), the
 * bodies of delivery_store_cases.h on a fresh file holding the demo
 * county (test_delivery_pg.c runs them on PostgreSQL), and migration 0022
 * on a database the previous version made: the cases table rebuilt with
 * every demand, clock, timeline line and photo kept and every reference
 * checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "store/store.h"

#include "delivery_store_cases.h"
#include "sqlite_schema.h"
#include "sqlite_testdb.h"

#include <sqlite3.h>
#include <stdlib.h>

/* ---- the case type alone ---- */

static void test_type(void **state)
{
	(void)state;
	struct calendar calendar, *cal = &calendar;
	struct app_error e;
	calendar_init(cal);
	assert_int_equal(calendar_add_builtin(cal, &e), APP_OK);
	struct case_rules rules;
	delivery_rules(10, &rules);
	assert_int_equal(case_rules_check(&rules, &e), APP_OK);
	assert_int_equal(delivery_limit_parse("10wd"), 10);
	assert_int_equal(delivery_limit_parse("10"), 0);
	assert_int_equal(delivery_limit_parse("0wd"), 0);
	assert_int_equal(delivery_limit_parse("61wd"), 0);
	struct delivery_new dn = { 5, "p", "社会保障卡送达", "social_security_card", 10,
				   DS_VILLAGE, "张三", "13800138000", "" };
	struct case_row k;
	struct case_event_row line;
	assert_int_equal(delivery_prepare(cal, &dn, DS_NOW, &k, &line, &e), APP_OK);
	assert_string_equal(k.urgency, "10wd");
	assert_string_equal(line.action, "open");
	assert_string_equal(line.to_state, "waiting");
	dn.limit_days = 0;
	assert_int_equal(delivery_prepare(cal, &dn, DS_NOW, &k, &line, &e), APP_EINVAL);
	/* a task cannot be escalated by hand, and a deliverer's failure needs why */
	assert_null(case_transition_of(&delivery_type, "escalate"));
	const struct case_transition *fail = case_transition_of(&delivery_type, "fail");
	assert_non_null(fail);
	assert_true(fail->needs & CASE_NEEDS_REASON);
	assert_int_equal(delivery_type.nlevels, 2);
	assert_string_equal(delivery_type.levels[DELIVERY_CITY], "city");
	calendar_release(cal);
}

/* ---- the store bodies ---- */

static int setup(void **state)
{
	return sqlite_testdb_setup(state, ds_load_demo);
}

#define X(name) SQLITE_TESTDB_CASE(name, ds_case_##name)
DELIVERY_STORE_CASES(X)
#undef X

/* ---- migration 0022 on a database of the previous version ---- */

static void test_migration_keeps_demands(void **state)
{
	struct sqlite_testdb *f = *state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite_schema_before(db, 22); /* the version before 0022 */
	/* two demands of the previous version: one with clocks, timeline and a
	 * photo, one merged into it */
	sqlite_schema_exec(db,
		"INSERT INTO regions VALUES ('99', NULL, 0, '演示', 't'), "
		"('9901', '99', 1, '市', 't'), ('990101', '9901', 2, '县', 't');"
		"INSERT INTO cases (id, type, version, state, level, region, group_id, category, "
		"urgency, title, description, address, lat, lon, located, contact_name, "
		"contact_phone, resident_id, source, source_message_id, assignee_user, "
		"assignee_group, unit, first_receiver, returns, whistles, transfers, reopens, "
		"escalations, merged_into, rating, created_at, updated_at, closed_at, next_check) "
		"VALUES (7, 'demand', 3, 'in_progress', 2, '990101', 4, 'roads', 'general', "
		"'路灯坏了', '村口路灯', '村口', 34.5, 113.8, 1, '李四', '13900139000', 42, "
		"'message', 99, 5, 6, 'YBJ', 8, 1, 2, 3, 0, 1, 0, '', 1000, 2000, 0, 5000),"
		"(8, 'demand', 2, 'merged', 0, '990101', 0, 'roads', 'general', '重复', '', '', 0, 0, "
		"0, '', '', 0, 'app', 0, 0, 0, '', 0, 0, 0, 0, 0, 0, 7, '', 1100, 1200, 1200, 0);"
		"INSERT INTO case_clocks VALUES (7, 'resolve', 'running', 1000, 0, 4000, 5000, 0, 0),"
		"(7, 'ack', 'met', 1000, 0, 1100, 1180, 0, 1050);"
		"INSERT INTO case_events (case_id, at, actor, action, from_state, to_state, clock, "
		"level, detail) VALUES (7, 1000, 0, 'open', '', 'received', '', 0, ''),"
		"(7, 1050, 8, 'acknowledge', 'received', 'acknowledged', '', 0, ''),"
		"(8, 1200, 8, 'merge', 'received', 'merged', '', 0, 'dup');"
		"INSERT INTO case_photos (case_id, sha256, mime, size, added_by, added_at) VALUES "
		"(7, '" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		"', 'image/jpeg', 1234, 8, 1060);");
	sqlite3_close(db);

	struct app_error e;
	int applied = 0;
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	assert_int_equal(store_migrate(f->s, &applied, &e), APP_OK);
	assert_true(applied >= 1);
	struct case_row k;
	assert_int_equal(store_case_get(f->s, 7, &k, &e), APP_OK);
	assert_string_equal(k.state, "in_progress");
	assert_int_equal(k.version, 3);
	assert_int_equal(k.level, 2);
	assert_string_equal(k.county, "990101");
	assert_string_equal(k.title, "路灯坏了");
	assert_string_equal(k.contact_phone, "13900139000");
	assert_string_equal(k.source, "message");
	assert_int_equal(k.source_message_id, 99);
	assert_string_equal(k.unit, "YBJ");
	assert_int_equal(k.whistles, 2);
	assert_int_equal(k.next_check, 5000);
	assert_true(k.located);
	assert_int_equal(k.nclocks, 2);
	assert_string_equal(k.clocks[0].name, "ack");
	assert_int_equal(k.clocks[0].stopped, 1050);
	assert_string_equal(k.clocks[1].name, "resolve");
	assert_int_equal(k.clocks[1].due, 5000);
	assert_int_equal(store_case_get(f->s, 8, &k, &e), APP_OK);
	assert_int_equal(k.merged_into, 7);
	struct case_photo p;
	assert_int_equal(store_case_photo_get(f->s, 7,
					      "0123456789abcdef0123456789abcdef0123456789abcdef"
					      "0123456789abcdef",
					      &p, &e),
			 APP_OK);
	assert_int_equal(p.size, 1234);
	int64_t due[4];
	int ndue = 0;
	assert_int_equal(store_cases_due(f->s, 6000, 4, due, &ndue, &e), APP_OK);
	assert_int_equal(ndue, 1);
	assert_int_equal(due[0], 7);
	store_close(f->s);
	f->s = NULL;

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite3_stmt *st;
	/* every line and reference kept, the indexes back */
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT (SELECT count(*) FROM case_events), "
					    "(SELECT count(*) FROM case_clocks), "
					    "(SELECT count(*) FROM sqlite_master WHERE type = 'index' "
					    "AND tbl_name = 'cases' AND name LIKE 'cases_%')",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 3);
	assert_int_equal(sqlite3_column_int(st, 1), 2);
	assert_int_equal(sqlite3_column_int(st, 2), 7);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	/* a demand's urgency is still checked; a delivery task's limit passes */
	sqlite_schema_exec(db, "PRAGMA foreign_keys = ON");
	assert_int_not_equal(sqlite3_exec(db,
					  "INSERT INTO cases (type, version, state, region, category, "
					  "urgency, title, source, created_at, updated_at) VALUES "
					  "('demand', 1, 'received', '990101', 'x', '10wd', 't', 'app', "
					  "1, 1)",
					  NULL, NULL, NULL),
			     SQLITE_OK);
	sqlite_schema_exec(db, "INSERT INTO cases (type, version, state, region, category, urgency, "
			       "title, source, created_at, updated_at) VALUES ('delivery', 1, "
			       "'waiting', '990101', 'x', '10wd', 't', 'entitlement', 1, 1)");
	sqlite3_close(db);
}

/* A migration that leaves a reference dangling is refused whole. */
static void test_migration_checks_references(void **state)
{
	struct sqlite_testdb *f = *state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite_schema_before(db, 22); /* the version before 0022 */
	/* a timeline line of a case that is not there (foreign keys were off
	 * when it was written): 0022's check must see it and refuse */
	sqlite_schema_exec(db, "PRAGMA foreign_keys = OFF; INSERT INTO case_events (case_id, at, "
			       "actor, action, from_state, to_state) VALUES (77, 1, 0, 'open', '', "
			       "'received')");
	sqlite3_close(db);
	struct app_error e;
	int cur = 0, want = 0;
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	assert_int_equal(store_migrate(f->s, NULL, &e), APP_EDB);
	assert_contains(e.msg, "case_events");
	assert_int_equal(store_schema_version(f->s, &cur, &want, &e), APP_OK);
	assert_int_equal(cur, 21);
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, sqlite_testdb_teardown),
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type),
		DELIVERY_STORE_CASES(X)
		cmocka_unit_test_setup_teardown(test_migration_keeps_demands, sqlite_testdb_dir,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_migration_checks_references,
						sqlite_testdb_dir, sqlite_testdb_teardown),
	};
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
