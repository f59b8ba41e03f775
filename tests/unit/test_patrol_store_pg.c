/*
 * test_patrol_store_pg.c - the smart patrol's store tests of patrol_store_cases.h
 * on PostgreSQL, each on a database of its own made on the server
 * BIANMIN_TEST_PG names and dropped afterwards (pg_testdb.h). Without
 * BIANMIN_TEST_PG every test is skipped with a SKIP line. Also, as
 * test_patrol_store.c does on SQLite, ps_raise_all_new (which deletes an
 * alert beside the store) and migration 0025 (the inbox's copies of its
 * messages).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "store/store.h"

#include "pg_schema.h"
#include "pg_testdb.h"
#include "patrol_store_cases.h"

static int setup(void **state)
{
	return pg_testdb_setup(state, "bmpa", NULL);
}

#define X(name) PG_TESTDB_CASE(name, ps_case_##name)
PATROL_STORE_CASES(X)
#undef X

/* ps_raise_all_new, its statement run on a connection of its own. */
static void test_raise_all_new(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	PGconn *c = pg_schema_connect(f->uri);
	ps_raise_all_new(f->s, pg_schema_run, c);
	PQfinish(c);
}

static int setup_empty(void **state)
{
	return pg_testdb_create(state, "bmpm");
}

/* Migration 0025 on a database of the version before (PS_BEFORE_0025):
 * its copies filled, the row without a message deleted, then the columns
 * made NOT NULL. */
static void test_migration_0025_keeps_inbox(void **state)
{
	struct pg_testdb *f = *state;
	if (!f->name[0]) {
		printf("SKIP %s: BIANMIN_TEST_PG is not set\n", __func__);
		skip();
	}
	PGconn *c = pg_schema_connect(f->uri);
	pg_schema_before(c, 25);
	pg_schema_exec(c, PS_BEFORE_0025(", terms", ", ''"));
	PQfinish(c);
	struct app_error e;
	assert_int_equal(store_open(&f->s, f->uri, STORE_OPEN_EXISTING, &e), APP_OK);
	ps_after_0025(f->s);
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, pg_testdb_teardown),
	const struct CMUnitTest tests[] = {
		PATROL_STORE_CASES(X)
		cmocka_unit_test_setup_teardown(test_raise_all_new, setup, pg_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_migration_0025_keeps_inbox, setup_empty,
						pg_testdb_teardown),
	};
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
