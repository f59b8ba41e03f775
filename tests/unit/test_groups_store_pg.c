/*
 * test_groups_store_pg.c - the service-group store tests of
 * groups_store_cases.h on PostgreSQL, each on a database of its own made on
 * the server BIANMIN_TEST_PG names (a libpq URI of a maintenance database,
 * e.g. postgresql:///postgres), holding the demo county, and dropped
 * afterwards. Without BIANMIN_TEST_PG every test is skipped with a SKIP
 * line (`make test` runs them inside its throwaway cluster).
 *
 * The fixture is test_store_pg.c's: a database per test, named after the
 * process and a counter. Only PostgreSQL has concurrent writers: syncs run
 * at once on two nodes (two stores on one database) make each group once
 * and fail neither.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "groups_store_cases.h"

struct fixture {
	char name[64];
	char uri[512];
	struct store *s;
};

/* uri with its database replaced by name (cap bytes). */
static void uri_with_db(char *out, size_t cap, const char *uri, const char *name)
{
	const char *auth = strstr(uri, "://");
	auth = auth ? auth + 3 : uri;
	size_t host = strcspn(auth, "/?");
	const char *rest = auth + host;
	if (*rest == '/')
		rest += strcspn(rest, "?");
	snprintf(out, cap, "%.*s/%s%s", (int)(auth + host - uri), uri, name, rest);
}

static bool admin(const char *sql)
{
	PGconn *c = PQconnectdb(getenv("BIANMIN_TEST_PG"));
	bool ok = PQstatus(c) == CONNECTION_OK;
	if (ok) {
		PGresult *r = PQexec(c, sql);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!ok)
			print_error("%s: %s", sql, PQresultErrorMessage(r));
		PQclear(r);
	} else {
		print_error("cannot connect to BIANMIN_TEST_PG: %s", PQerrorMessage(c));
	}
	PQfinish(c);
	return ok;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	*state = f;
	const char *pg = getenv("BIANMIN_TEST_PG");
	if (!pg || !*pg)
		return 0;
	static int seq;
	snprintf(f->name, sizeof(f->name), "bmg_%ld_%d", (long)getpid(), ++seq);
	uri_with_db(f->uri, sizeof(f->uri), pg, f->name);
	char sql[160];
	snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\" ENCODING 'UTF8' TEMPLATE template0",
		 f->name);
	if (!admin(sql))
		return -1;
	struct app_error e;
	if (store_open(&f->s, f->uri, STORE_OPEN_CREATE, &e) != APP_OK ||
	    store_migrate(f->s, NULL, &e) != APP_OK) {
		print_error("cannot set up the store: %s\n", e.msg);
		return -1;
	}
	return gs_load_demo(f->s);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->s);
	if (f->name[0]) {
		char sql[160];
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", f->name);
		admin(sql);
	}
	free(f);
	return 0;
}

#define X(name)                                                                                \
	static void test_##name(void **state)                                                  \
	{                                                                                      \
		struct fixture *f = *state;                                                    \
		if (!f->s) {                                                                   \
			printf("SKIP %s: BIANMIN_TEST_PG is not set\n", __func__);             \
			skip();                                                                \
		}                                                                              \
		assert_string_equal(store_backend(f->s), "postgresql");                        \
		gs_case_##name(f->s);                                                          \
	}
GROUPS_STORE_CASES(X)
#undef X

struct syncer {
	struct store *s;
	pthread_barrier_t *start;
	struct group_sync_counts n;
	enum app_err rc;
	struct app_error e;
};

static void *sync_main(void *arg)
{
	struct syncer *y = arg;
	pthread_barrier_wait(y->start);
	y->rc = store_groups_sync(y->s, GS_COUNTY, GS_NOW, NULL, &y->n, &y->e);
	return NULL;
}

static void test_sync_concurrent(void **state)
{
	struct fixture *f = *state;
	if (!f->s) {
		printf("SKIP %s: BIANMIN_TEST_PG is not set\n", __func__);
		skip();
	}
	enum { NODES = 4 };
	struct store *nodes[NODES] = { f->s };
	struct app_error e;
	for (int i = 1; i < NODES; i++)
		if (store_open(&nodes[i], f->uri, STORE_OPEN_EXISTING, &e) != APP_OK)
			fail_msg("node %d: %s", i, e.msg);
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, NODES);
	pthread_t t[NODES];
	struct syncer y[NODES];
	for (int i = 0; i < NODES; i++) {
		y[i] = (struct syncer){ .s = nodes[i], .start = &start };
		assert_int_equal(pthread_create(&t[i], NULL, sync_main, &y[i]), 0);
	}
	int64_t created = 0;
	for (int i = 0; i < NODES; i++) {
		pthread_join(t[i], NULL);
		if (y[i].rc != APP_OK)
			fail_msg("sync on node %d: %s", i, y[i].e.msg);
		assert_int_equal(y[i].n.created + y[i].n.existing, 521);
		created += y[i].n.created;
	}
	pthread_barrier_destroy(&start);
	assert_int_equal(created, 521);
	assert_int_equal(gs_list(f->s, "", "", 600)->n, 521);
	for (int i = 1; i < NODES; i++)
		store_close(nodes[i]);
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, teardown),
	const struct CMUnitTest tests[] = {
		GROUPS_STORE_CASES(X)
		cmocka_unit_test_setup_teardown(test_sync_concurrent, setup, teardown),
	};
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
