/*
 * test_cases_store.c - the case store tests of cases_store_cases.h on
 * SQLite, each on a fresh file in a temporary directory holding the demo
 * county. test_cases_store_pg.c runs the same bodies on PostgreSQL. Two
 * changes of one case at once are raced through one store (its writer
 * queues them) and through two (two writers on one file).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "store/store.h"
#include "testutil.h"

#include "cases_store_cases.h"

struct fixture {
	char dir[256];
	char db[300];
	struct store *s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	*state = f;
	tu_tempdir(f->dir, sizeof(f->dir));
	tu_path(f->db, sizeof(f->db), f->dir, "test.db");
	struct app_error e;
	if (store_open(&f->s, f->db, STORE_OPEN_CREATE, &e) != APP_OK ||
	    store_migrate(f->s, NULL, &e) != APP_OK) {
		print_error("cannot set up the store: %s\n", e.msg);
		return -1;
	}
	return ks_load_demo(f->s);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->s);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

#define X(name)                                                                                \
	static void test_##name(void **state)                                                  \
	{                                                                                      \
		struct fixture *f = *state;                                                    \
		assert_string_equal(store_backend(f->s), "sqlite");                            \
		ks_case_##name(f->s);                                                          \
	}
CASES_STORE_CASES(X)
#undef X

/* Two threads of one process: the writer queues their changes. */
static void test_update_race(void **state)
{
	struct fixture *f = *state;
	ks_update_race(f->s, f->s);
}

/* Two processes on one file: each has a writer of its own. */
static void test_update_race_two_stores(void **state)
{
	struct fixture *f = *state;
	struct store *b;
	struct app_error e;
	if (store_open(&b, f->db, STORE_OPEN_EXISTING, &e) != APP_OK)
		fail_msg("second store: %s", e.msg);
	ks_update_race(f->s, b);
	store_close(b);
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, teardown),
	const struct CMUnitTest tests[] = {
		CASES_STORE_CASES(X)
		cmocka_unit_test_setup_teardown(test_update_race, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_race_two_stores, setup, teardown),
	};
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
