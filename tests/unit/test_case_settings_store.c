/*
 * test_case_settings_store.c - the county settings tests of
 * case_settings_store_cases.h on SQLite, each on a fresh file in a
 * temporary directory holding the demo county.
 * test_case_settings_store_pg.c runs the same bodies on PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "store/store.h"

#include "case_settings_store_cases.h"
#include "sqlite_testdb.h"

static int setup(void **state)
{
	return sqlite_testdb_setup(state, ss_load_demo);
}

#define X(name) SQLITE_TESTDB_CASE(name, ss_case_##name)
CASE_SETTINGS_STORE_CASES(X)
#undef X

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, sqlite_testdb_teardown),
	const struct CMUnitTest tests[] = { CASE_SETTINGS_STORE_CASES(X) };
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
