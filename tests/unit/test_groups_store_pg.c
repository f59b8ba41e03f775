/*
 * test_groups_store_pg.c - the service-group store tests of
 * groups_store_cases.h on PostgreSQL, each on a database of its own made on
 * the server BIANMIN_TEST_PG names (a libpq URI of a maintenance database,
 * e.g. postgresql:///postgres), holding the demo county, and dropped
 * afterwards. Without BIANMIN_TEST_PG every test is skipped with a SKIP
 * line (`make test` runs them inside its throwaway cluster).
 *
 * The fixture is pg_testdb.h's: a database per test, named after the
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

#include <pthread.h>

#include "groups_store_cases.h"
#include "pg_testdb.h"

/* Each test on the demo county. */
static int setup(void **state)
{
	return pg_testdb_setup(state, "bmg", gs_load_demo);
}

#define X(name) PG_TESTDB_CASE(name, gs_case_##name)
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
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	enum { NODES = 4 };
	struct store *nodes[NODES];
	pg_testdb_open_nodes(f, nodes, NODES);
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
	pg_testdb_close_nodes(nodes, NODES);
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, pg_testdb_teardown),
	const struct CMUnitTest tests[] = {
		GROUPS_STORE_CASES(X)
		cmocka_unit_test_setup_teardown(test_sync_concurrent, setup, pg_testdb_teardown),
	};
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
