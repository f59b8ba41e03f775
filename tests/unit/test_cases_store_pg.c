/*
 * test_cases_store_pg.c - the case store tests of cases_store_cases.h on
 * PostgreSQL, each on a database of its own made on the server
 * BIANMIN_TEST_PG names (a libpq URI of a maintenance database, e.g.
 * postgresql:///postgres), holding the demo county, and dropped afterwards.
 * Without BIANMIN_TEST_PG every test is skipped with a SKIP line (`make
 * test` runs them inside its throwaway cluster).
 *
 * The fixture is pg_testdb.h's: a database per test, named after the
 * process and a counter. Only PostgreSQL has concurrent writers: two
 * nodes (two stores on one database) changing one case at once store one
 * change and refuse the other as stale.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "store/store.h"

#include "cases_store_cases.h"
#include "pg_testdb.h"

/* Each test on the demo county. */
static int setup(void **state)
{
	return pg_testdb_setup(state, "bmk", ks_load_demo);
}

#define X(name) PG_TESTDB_CASE(name, ks_case_##name)
CASES_STORE_CASES(X)
#undef X

static void test_update_race(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	ks_update_race(f->s, pg_testdb_second_node(f));
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, pg_testdb_teardown),
	const struct CMUnitTest tests[] = {
		CASES_STORE_CASES(X)
		cmocka_unit_test_setup_teardown(test_update_race, setup, pg_testdb_teardown),
	};
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
