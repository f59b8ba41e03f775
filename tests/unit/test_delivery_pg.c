/*
 * test_delivery_pg.c - the dispatch, outbox and delivery task tests of
 * delivery_store_cases.h on PostgreSQL, each on a database of its own made
 * on the server BIANMIN_TEST_PG names, holding the demo county, dropped
 * afterwards. Without BIANMIN_TEST_PG every test is skipped with a SKIP
 * line. (Migration 0022 changes the CHECKs in place there: nothing to
 * rebuild, so nothing of test_delivery.c's migration tests applies.) One
 * test of its own: entitlement events wait for the events lock (two
 * connections).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/log.h"
#include "store/store.h"

#include "delivery_store_cases.h"
#include "pg_testdb.h"

static int setup(void **state)
{
	return pg_testdb_setup(state, "bmdl", ds_load_demo);
}

#define X(name) PG_TESTDB_CASE(name, ds_case_##name)
DELIVERY_STORE_CASES(X)
#undef X

static void *grant_thread(void *arg)
{
	struct entitlement x;
	ds_grant(arg, "210102199001019999", &x);
	return NULL;
}

static int64_t one_int(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	int64_t v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

/* Entitlement events commit in id order: while another transaction holds
 * the events lock (as a long run does), an entitlement's change waits for
 * it instead of committing a higher id before the run's lower ones, which
 * the dispatcher's cursor would then pass over. */
static void test_events_in_commit_order(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	PGconn *run = PQconnectdb(f->uri);
	assert_int_equal(PQstatus(run), CONNECTION_OK);
	PQclear(PQexec(run, "BEGIN"));
	PQclear(PQexec(run, "SELECT pg_advisory_xact_lock(1651076356)")); /* PG_LOCK_EVENTS */
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, grant_thread, f->s), 0);
	/* wait until the change queues behind the lock (at most 10 s) */
	int64_t waiting = 0;
	for (int i = 0; i < 1000 && !waiting; i++) {
		waiting = one_int(run, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
				       "AND NOT granted AND objid = 1651076356");
		if (!waiting)
			usleep(10000);
	}
	assert_int_equal(waiting, 1);
	PQclear(PQexec(run, "COMMIT"));
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(one_int(run, "SELECT count(*) FROM entitlement_events"), 1);
	PQfinish(run);
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, pg_testdb_teardown),
	const struct CMUnitTest tests[] = {
		DELIVERY_STORE_CASES(X)
		cmocka_unit_test_setup_teardown(test_events_in_commit_order, setup, pg_testdb_teardown),
	};
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
