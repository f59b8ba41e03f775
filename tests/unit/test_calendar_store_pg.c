/*
 * test_calendar_store_pg.c - the working-day calendar store tests of
 * calendar_store_cases.h on PostgreSQL, each on a database of its own made
 * on the server BIANMIN_TEST_PG names (a libpq URI of a maintenance
 * database, e.g. postgresql:///postgres) and dropped afterwards. Without
 * BIANMIN_TEST_PG every test is skipped with a SKIP line (`make test` runs
 * them inside its throwaway cluster).
 *
 * The fixture is pg_testdb.h's: a database per test, named after the
 * process and a counter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "store/store.h"

#include "calendar_store_cases.h"
#include "pg_testdb.h"

static int setup(void **state)
{
	return pg_testdb_setup(state, "bmc", NULL);
}

#define X(name) PG_TESTDB_CASE(name, cs_case_##name)
CALENDAR_STORE_CASES(X)
#undef X

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, pg_testdb_teardown),
	const struct CMUnitTest tests[] = { CALENDAR_STORE_CASES(X) };
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
