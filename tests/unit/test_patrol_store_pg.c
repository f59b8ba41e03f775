/*
 * test_patrol_store_pg.c - the smart patrol's store tests of patrol_store_cases.h
 * on PostgreSQL, each on a database of its own made on the server
 * BIANMIN_TEST_PG names and dropped afterwards (pg_testdb.h). Without
 * BIANMIN_TEST_PG every test is skipped with a SKIP line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "store/store.h"

#include "pg_testdb.h"
#include "patrol_store_cases.h"

static int setup(void **state)
{
	return pg_testdb_setup(state, "bmpa", NULL);
}

#define X(name) PG_TESTDB_CASE(name, ps_case_##name)
PATROL_STORE_CASES(X)
#undef X

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, pg_testdb_teardown),
	const struct CMUnitTest tests[] = { PATROL_STORE_CASES(X) };
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
