/*
 * test_patrol_store.c - the smart patrol's store tests of patrol_store_cases.h on
 * SQLite, each on a fresh file in a temporary directory.
 * test_patrol_store_pg.c runs the same bodies on PostgreSQL. Also, as
 * the PostgreSQL file does too, ps_raise_all_new (which deletes an alert
 * beside the store) and migration 0025 (the inbox's copies of its
 * messages).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "store/store.h"

#include "sqlite_schema.h"
#include "sqlite_testdb.h"
#include "patrol_store_cases.h"

static int setup(void **state)
{
	return sqlite_testdb_setup(state, NULL);
}

#define X(name) SQLITE_TESTDB_CASE(name, ps_case_##name)
PATROL_STORE_CASES(X)
#undef X

/* ps_raise_all_new, its statement run on a connection of its own. */
static void test_raise_all_new(void **state)
{
	struct sqlite_testdb *f = *state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	ps_raise_all_new(f->s, sqlite_schema_run, db);
	sqlite3_close(db);
}

/* Migration 0025 on a database of the version before (PS_BEFORE_0025). */
static void test_migration_0025_keeps_inbox(void **state)
{
	struct sqlite_testdb *f = *state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite_schema_before(db, 25);
	sqlite_schema_exec(db, PS_BEFORE_0025("", ""));
	sqlite3_close(db);
	struct app_error e;
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	ps_after_0025(f->s);
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, sqlite_testdb_teardown),
	const struct CMUnitTest tests[] = {
		PATROL_STORE_CASES(X)
		cmocka_unit_test_setup_teardown(test_raise_all_new, setup, sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_migration_0025_keeps_inbox, sqlite_testdb_dir,
						sqlite_testdb_teardown),
	};
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
