/*
 * test_case_settings_store_pg.c - the county settings tests of
 * case_settings_store_cases.h on PostgreSQL, each on a database of its own
 * holding the demo county, made on the server BIANMIN_TEST_PG names (a
 * libpq URI of a maintenance database, e.g. postgresql:///postgres) and
 * dropped afterwards (pg_testdb.h). Without BIANMIN_TEST_PG every test is
 * skipped with a SKIP line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "store/store.h"

#include "case_settings_store_cases.h"
#include "pg_testdb.h"

static int setup(void **state)
{
	return pg_testdb_setup(state, "bmss", ss_load_demo);
}

#define X(name) PG_TESTDB_CASE(name, ss_case_##name)
CASE_SETTINGS_STORE_CASES(X)
#undef X

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, pg_testdb_teardown),
	const struct CMUnitTest tests[] = { CASE_SETTINGS_STORE_CASES(X) };
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
