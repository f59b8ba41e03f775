/*
 * test_case_photos_store.c - the store tests of case_photos_store_cases.h
 * (the photos of cases, the case of a message) on SQLite, each on a fresh
 * file in a temporary directory holding the demo county.
 * test_case_photos_store_pg.c runs the same bodies on PostgreSQL. Two
 * uploads at once are raced through one store (its writer queues them) and
 * through two (two writers on one file).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "store/store.h"

#include "case_photos_store_cases.h"
#include "sqlite_testdb.h"

static int setup(void **state)
{
	return sqlite_testdb_setup(state, ks_load_demo);
}

#define X(name) SQLITE_TESTDB_CASE(name, kp_case_##name)
CASE_PHOTOS_STORE_CASES(X)
#undef X

static void test_photo_race(void **state)
{
	struct sqlite_testdb *f = *state;
	kp_photo_race(f->s, f->s);
}

static void test_photo_race_two_stores(void **state)
{
	struct sqlite_testdb *f = *state;
	struct store *b;
	struct app_error e;
	if (store_open(&b, f->db, STORE_OPEN_EXISTING, &e) != APP_OK)
		fail_msg("second store: %s", e.msg);
	kp_photo_race(f->s, b);
	store_close(b);
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, sqlite_testdb_teardown),
	const struct CMUnitTest tests[] = {
		CASE_PHOTOS_STORE_CASES(X)
		cmocka_unit_test_setup_teardown(test_photo_race, setup, sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_photo_race_two_stores, setup,
						sqlite_testdb_teardown),
	};
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
