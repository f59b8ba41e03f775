/*
 * test_patrol_store.c - the smart patrol's store tests of patrol_store_cases.h on
 * SQLite, each on a fresh file in a temporary directory.
 * test_patrol_store_pg.c runs the same bodies on PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "store/store.h"

#include "sqlite_testdb.h"
#include "patrol_store_cases.h"

static int setup(void **state)
{
	return sqlite_testdb_setup(state, NULL);
}

#define X(name) SQLITE_TESTDB_CASE(name, ps_case_##name)
PATROL_STORE_CASES(X)
#undef X

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, sqlite_testdb_teardown),
	const struct CMUnitTest tests[] = { PATROL_STORE_CASES(X) };
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
