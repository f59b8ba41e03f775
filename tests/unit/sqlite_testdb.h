/*
 * sqlite_testdb.h - the fixture the SQLite store unit tests share (the
 * SQLite twin of pg_testdb.h): each test gets a private temporary directory
 * and a database file "test.db" in it, created, opened and migrated by the
 * setup (or only named, for the tests that open it themselves), and the
 * teardown closes the store, whatever the test left open, and removes the
 * directory with everything in it (journal, WAL, "<db>.search", copies).
 *
 * Header-only (static inline), like testutil.h, so that each test binary
 * stays a single translation unit; include it after <cmocka.h>. It talks to
 * the store only through store.h; it must not reach into the backend.
 */
#ifndef TESTS_UNIT_SQLITE_TESTDB_H
#define TESTS_UNIT_SQLITE_TESTDB_H

#include "store/store.h"
#include "testutil.h"

#include <stdlib.h>

/* One test's database; the cmocka state of the tests that use it. Tests may
 * close s and open it again on db; the teardown closes whatever s is. */
struct sqlite_testdb {
	char dir[256];   /* the temporary directory, removed by the teardown */
	char db[300];    /* dir/test.db */
	struct store *s; /* open on db; NULL until a test opens it */
};

/* The cmocka setup of the tests that open the database themselves: a fresh
 * directory and the name of a database file in it that does not exist. */
static inline int sqlite_testdb_dir(void **state)
{
	struct sqlite_testdb *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	*state = f;
	tu_tempdir(f->dir, sizeof(f->dir));
	tu_path(f->db, sizeof(f->db), f->dir, "test.db");
	return 0;
}

/*
 * The cmocka setup, called by each file's own: a fresh database file
 * created, opened and migrated, then given to load (when not NULL: a demo
 * county, say), whose result is the setup's.
 */
static inline int sqlite_testdb_setup(void **state, int (*load)(struct store *s))
{
	sqlite_testdb_dir(state);
	struct sqlite_testdb *f = *state;
	struct app_error e;
	if (store_open(&f->s, f->db, STORE_OPEN_CREATE, &e) != APP_OK ||
	    store_migrate(f->s, NULL, &e) != APP_OK) {
		print_error("cannot set up the store: %s\n", e.msg);
		return -1;
	}
	return load ? load(f->s) : 0;
}

/* The cmocka teardown: close the store, remove the directory and free the
 * fixture. */
static inline int sqlite_testdb_teardown(void **state)
{
	struct sqlite_testdb *f = *state;
	store_close(f->s);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/*
 * test_<name>: one case of a *_store_cases.h list, run(s), on the fixture's
 * store, which must be SQLite's. For the X macro of such a list:
 * #define X(name) SQLITE_TESTDB_CASE(name, cs_case_##name)
 */
#define SQLITE_TESTDB_CASE(name, run)                                                          \
	static void test_##name(void **state)                                                  \
	{                                                                                      \
		struct sqlite_testdb *f = *state;                                              \
		assert_string_equal(store_backend(f->s), "sqlite");                            \
		run(f->s);                                                                     \
	}

#endif
