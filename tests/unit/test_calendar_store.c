/*
 * test_calendar_store.c - the working-day calendar store tests of
 * calendar_store_cases.h on SQLite, each on a fresh file in a temporary
 * directory. test_calendar_store_pg.c runs the same bodies on PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "store/store.h"
#include "testutil.h"

#include "calendar_store_cases.h"

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
	return 0;
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
		cs_case_##name(f->s);                                                          \
	}
CALENDAR_STORE_CASES(X)
#undef X

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, teardown),
	const struct CMUnitTest tests[] = { CALENDAR_STORE_CASES(X) };
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
