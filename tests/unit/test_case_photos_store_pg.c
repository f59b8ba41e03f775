/*
 * test_case_photos_store_pg.c - the store tests of case_photos_store_cases.h
 * (the photos of cases, the case of a message) on PostgreSQL, each on a
 * database of its own made on the server BIANMIN_TEST_PG names, holding the
 * demo county, and dropped afterwards (pg_testdb.h). Without
 * BIANMIN_TEST_PG every test is skipped with a SKIP line. Two nodes (two
 * stores on one database) adding a photo each for a case's last place
 * store one and refuse the other.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "store/store.h"

#include "case_photos_store_cases.h"
#include "pg_testdb.h"

static int setup(void **state)
{
	return pg_testdb_setup(state, "bmp", ks_load_demo);
}

#define X(name) PG_TESTDB_CASE(name, kp_case_##name)
CASE_PHOTOS_STORE_CASES(X)
#undef X

static void test_photo_race(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	kp_photo_race(f->s, pg_testdb_second_node(f));
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, pg_testdb_teardown),
	const struct CMUnitTest tests[] = {
		CASE_PHOTOS_STORE_CASES(X)
		cmocka_unit_test_setup_teardown(test_photo_race, setup, pg_testdb_teardown),
	};
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
