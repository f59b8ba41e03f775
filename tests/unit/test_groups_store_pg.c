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
 * and fail neither. Also migration 0027 on a database of the version
 * before, as test_groups_store.c has it on SQLite.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "store/store.h"

#include <pthread.h>

#include <stdlib.h>
#include <string.h>

#include "groups_store_cases.h"
#include "pg_schema.h"
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

static int setup_empty(void **state)
{
	return pg_testdb_create(state, "bmgm");
}

/* The one value query gives on c (NULL when no row); the caller frees it. */
static char *value_of(PGconn *c, const char *query)
{
	PGresult *r = PQexec(c, query);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", query, PQresultErrorMessage(r));
	char *v = PQntuples(r) ? strdup(PQgetvalue(r, 0, 0)) : NULL;
	PQclear(r);
	return v;
}

/* Migration 0027 on a database of the version before: gs_after_0027's
 * reads and writes through the store; the ID number's uniqueness is now a
 * unique index over the accounts that have one, under the constraint's
 * old name, and no longer a constraint; households_by_region is gone. */
static void test_migration_0027_keeps_users(void **state)
{
	struct pg_testdb *f = *state;
	if (!f->name[0]) {
		printf("SKIP %s: BIANMIN_TEST_PG is not set\n", __func__);
		skip();
	}
	const char *index = "SELECT indexdef FROM pg_indexes WHERE indexname = "
			    "'users_id_number_key'";
	const char *constraint = "SELECT contype FROM pg_constraint WHERE conname = "
				 "'users_id_number_key'";
	const char *by_region = "SELECT indexdef FROM pg_indexes WHERE indexname = "
				"'households_by_region'";
	PGconn *c = pg_schema_connect(f->uri);
	pg_schema_before(c, 27);
	char *v = value_of(c, constraint);
	assert_string_equal(v, "u");
	free(v);
	v = value_of(c, by_region);
	assert_non_null(v);
	free(v);
	pg_schema_exec(c, GS_BEFORE_0027);
	struct app_error e;
	assert_int_equal(store_open(&f->s, f->uri, STORE_OPEN_EXISTING, &e), APP_OK);
	assert_int_equal(store_migrate(f->s, NULL, &e), APP_OK);
	gs_after_0027(f->s);
	v = value_of(c, index);
	assert_non_null(v);
	assert_non_null(strstr(v, "CREATE UNIQUE INDEX users_id_number_key ON public.users "
				  "USING btree (id_number) WHERE (id_number IS NOT NULL)"));
	free(v);
	assert_null(value_of(c, constraint));
	assert_null(value_of(c, by_region));
	PQfinish(c);
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, pg_testdb_teardown),
	const struct CMUnitTest tests[] = {
		GROUPS_STORE_CASES(X)
		cmocka_unit_test_setup_teardown(test_sync_concurrent, setup, pg_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_migration_0027_keeps_users, setup_empty,
						pg_testdb_teardown),
	};
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
