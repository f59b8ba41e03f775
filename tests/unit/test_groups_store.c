/*
 * test_groups_store.c - the service-group store tests of
 * groups_store_cases.h on SQLite, each on a fresh file in a temporary
 * directory holding the demo county. test_groups_store_pg.c runs the same
 * bodies on PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "store/store.h"

#include "groups_store_cases.h"
#include "sqlite_testdb.h"

static int setup(void **state)
{
	return sqlite_testdb_setup(state, gs_load_demo);
}

#define X(name) SQLITE_TESTDB_CASE(name, gs_case_##name)
GROUPS_STORE_CASES(X)
#undef X

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, sqlite_testdb_teardown),
	const struct CMUnitTest tests[] = { GROUPS_STORE_CASES(X) };
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
