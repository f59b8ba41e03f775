/*
 * pg_testdb.h - the fixture the PostgreSQL unit tests (test_*_pg.c) share:
 * each test gets a database of its own on the server BIANMIN_TEST_PG names
 * (a libpq URI of a maintenance database, e.g. postgresql:///postgres),
 * created empty, opened and migrated by the setup and dropped by the
 * teardown, whatever the test left open on it. Without BIANMIN_TEST_PG the
 * setup makes nothing and every test that needs the server skips itself
 * with a SKIP line, so that a run without a server says what it did not
 * test (`make test` runs them inside its throwaway cluster).
 *
 * Header-only (static inline), like testutil.h, so that each test binary
 * stays a single translation unit; include it after <cmocka.h>. It talks to
 * the server only through store.h and, for creating and dropping databases,
 * libpq on the maintenance database; it must not reach into the backend.
 */
#ifndef TESTS_UNIT_PG_TESTDB_H
#define TESTS_UNIT_PG_TESTDB_H

#include "store/store.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One test's database; the cmocka state of the tests that use it. */
struct pg_testdb {
	char name[64];   /* the database; "" without BIANMIN_TEST_PG */
	char uri[512];   /* BIANMIN_TEST_PG with its database replaced by name */
	struct store *s; /* open on it; NULL without BIANMIN_TEST_PG */
	struct store *b; /* a second node, for the tests that open one */
};

/* out = uri with its database replaced by name (cap bytes). */
static inline void pg_testdb_uri(char *out, size_t cap, const char *uri, const char *name)
{
	const char *auth = strstr(uri, "://");
	auth = auth ? auth + 3 : uri;
	size_t host = strcspn(auth, "/?");
	const char *rest = auth + host;
	if (*rest == '/')
		rest += strcspn(rest, "?");
	snprintf(out, cap, "%.*s/%s%s", (int)(auth + host - uri), uri, name, rest);
}

/*
 * Run sql on the maintenance database: a command when out is NULL, else a
 * query whose first cell is copied (as text) to out, cap bytes. False when
 * it fails, said on stderr, and when the query has no row.
 */
static inline bool pg_testdb_admin(const char *sql, char *out, size_t cap)
{
	PGconn *c = PQconnectdb(getenv("BIANMIN_TEST_PG"));
	bool ok = PQstatus(c) == CONNECTION_OK;
	if (ok) {
		ExecStatusType want = out ? PGRES_TUPLES_OK : PGRES_COMMAND_OK;
		PGresult *r = PQexec(c, sql);
		ok = PQresultStatus(r) == want && (!out || PQntuples(r) > 0);
		if (ok && out)
			snprintf(out, cap, "%s", PQgetvalue(r, 0, 0));
		else if (PQresultStatus(r) != want)
			print_error("%s: %s", sql, PQresultErrorMessage(r));
		PQclear(r);
	} else {
		print_error("cannot connect to BIANMIN_TEST_PG: %s", PQerrorMessage(c));
	}
	PQfinish(c);
	return ok;
}

/*
 * The fixture with a fresh, empty database "<prefix>_<pid>_<n>" (n counts
 * this process's tests), not opened: for a test that builds an older
 * schema itself (pg_schema.h). Without BIANMIN_TEST_PG, an empty fixture
 * (name "") and 0. -1 when the database cannot be made.
 */
static inline int pg_testdb_create(void **state, const char *prefix)
{
	struct pg_testdb *db = calloc(1, sizeof(*db));
	assert_non_null(db);
	*state = db;
	const char *pg = getenv("BIANMIN_TEST_PG");
	if (!pg || !*pg)
		return 0;
	static int seq;
	snprintf(db->name, sizeof(db->name), "%s_%ld_%d", prefix, (long)getpid(), ++seq);
	pg_testdb_uri(db->uri, sizeof(db->uri), pg, db->name);
	char sql[160];
	snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\" ENCODING 'UTF8' TEMPLATE template0",
		 db->name);
	return pg_testdb_admin(sql, NULL, 0) ? 0 : -1;
}

/*
 * The cmocka setup, called by each file's own with its prefix: a fresh
 * database (pg_testdb_create), opened and migrated, then given to load
 * (when not NULL: a demo county, say), whose result is the setup's.
 * Without BIANMIN_TEST_PG, an empty fixture and 0: the tests skip
 * themselves (PG_TESTDB_REQUIRE).
 */
static inline int pg_testdb_setup(void **state, const char *prefix, int (*load)(struct store *s))
{
	if (pg_testdb_create(state, prefix) != 0)
		return -1;
	struct pg_testdb *db = *state;
	if (!db->name[0])
		return 0;
	struct app_error e;
	if (store_open(&db->s, db->uri, STORE_OPEN_CREATE, &e) != APP_OK ||
	    store_migrate(db->s, NULL, &e) != APP_OK) {
		print_error("cannot set up the store: %s\n", e.msg);
		return -1;
	}
	return load ? load(db->s) : 0;
}

/* The cmocka teardown: close both nodes, drop the database (even with
 * connections still on it) and free the fixture. */
static inline int pg_testdb_teardown(void **state)
{
	struct pg_testdb *db = *state;
	store_close(db->b);
	store_close(db->s);
	if (db->name[0]) {
		char sql[160];
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", db->name);
		pg_testdb_admin(sql, NULL, 0);
	}
	free(db);
	return 0;
}

/* Skip the calling test, saying so, when there is no server to test on. */
#define PG_TESTDB_REQUIRE(db)                                                                  \
	do {                                                                                   \
		if (!(db)->s) {                                                                \
			printf("SKIP %s: BIANMIN_TEST_PG is not set\n", __func__);             \
			skip();                                                                \
		}                                                                              \
	} while (0)

/*
 * test_<name>: one case of a *_store_cases.h list, run(s), on the fixture's
 * store, which must be PostgreSQL's. For the X macro of such a list:
 * #define X(name) PG_TESTDB_CASE(name, cs_case_##name)
 */
#define PG_TESTDB_CASE(name, run)                                                              \
	static void test_##name(void **state)                                                  \
	{                                                                                      \
		struct pg_testdb *f = *state;                                                  \
		PG_TESTDB_REQUIRE(f);                                                          \
		assert_string_equal(store_backend(f->s), "postgresql");                        \
		run(f->s);                                                                     \
	}

/* A second node on db's database, closed by the teardown. */
static inline struct store *pg_testdb_second_node(struct pg_testdb *db)
{
	struct app_error e;
	if (store_open(&db->b, db->uri, STORE_OPEN_EXISTING, &e) != APP_OK)
		fail_msg("second node: %s", e.msg);
	return db->b;
}

/* n nodes on db's database for concurrent writers: nodes[0] is db->s, the
 * others are opened here and closed by pg_testdb_close_nodes(). */
static inline void pg_testdb_open_nodes(struct pg_testdb *db, struct store **nodes, int n)
{
	nodes[0] = db->s;
	struct app_error e;
	for (int i = 1; i < n; i++)
		if (store_open(&nodes[i], db->uri, STORE_OPEN_EXISTING, &e) != APP_OK)
			fail_msg("node %d: %s", i, e.msg);
}

static inline void pg_testdb_close_nodes(struct store **nodes, int n)
{
	for (int i = 1; i < n; i++)
		store_close(nodes[i]);
}

#endif
