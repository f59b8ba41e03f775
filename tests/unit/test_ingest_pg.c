/*
 * test_ingest_pg.c - the queued bulk ingest's cases (ingest_cases.h) on
 * PostgreSQL: the twin of test_ingest.c, on a database of its own per test
 * (pg_testdb.h; skipped without BIANMIN_TEST_PG).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "ingest_cases.h"
#include "pg_testdb.h"

static int setup(void **state)
{
	return pg_testdb_setup(state, "bmiq", gs_load_demo);
}

static int teardown(void **state)
{
	iq_teardown_queue();
	return pg_testdb_teardown(state);
}

#define X(name) PG_TESTDB_CASE(name, iq_case_##name)
INGEST_CASES(X)
#undef X

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, teardown),
	const struct CMUnitTest tests[] = {
		INGEST_CASES(X)
	};
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
