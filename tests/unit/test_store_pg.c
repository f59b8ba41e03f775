/*
 * test_store_pg.c - unit tests of the PostgreSQL backend through store.h,
 * each on a database of its own made on the server BIANMIN_TEST_PG names (a
 * libpq URI of a maintenance database, e.g. postgresql:///postgres) and
 * dropped afterwards. Without BIANMIN_TEST_PG every test is skipped with a
 * SKIP line (`make test` runs them inside its throwaway cluster).
 *
 * What only PostgreSQL can get wrong: the backend's name, concurrent writers
 * on separate connections keeping the audit chain unbroken (ids 1..N, each
 * prev_hash the hash before it), constraint violations mapped to the same
 * errors as on SQLite, byte-order listings, and a missing database.
 *
 * Several nodes on one database (two stores opened on it stand for two
 * nodes): events read back as on SQLite, and a watcher hears (through
 * LISTEN/NOTIFY, asynchronously: waited for on a condition variable with a
 * deadline) the events committed by either node, hears "maybe missed"
 * (topic NULL) after its connection was cut, and nothing after unwatch;
 * a job slot is claimed by exactly one of many threads of both nodes at
 * once; a store lock excludes the other node and dies with its connection;
 * the maintain job creates monthly partitions of events once, and events
 * land in their month's partition; the purge removes what is old.
 *
 * The fixture is pg_testdb.h's: a database per test, named after the
 * process and a counter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/log.h"
#include "store/store.h"

#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg_testdb.h"

static int setup(void **state)
{
	return pg_testdb_setup(state, "bmu", NULL);
}

/* pg_testdb_teardown(), once the clock a test moved is put back. */
static int teardown(void **state)
{
	clock_set_offset(0);
	return pg_testdb_teardown(state);
}

static void region(struct region *r, const char *code, const char *parent, int level,
		   const char *name)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->code, sizeof(r->code), "%s", code);
	snprintf(r->parent_code, sizeof(r->parent_code), "%s", parent);
	r->level = (enum division_level)level;
	snprintf(r->name, sizeof(r->name), "%s", name);
}

static void seed(struct store *s)
{
	struct region rows[4];
	region(&rows[0], "98", "", 0, "测试省");
	region(&rows[1], "9801", "98", 1, "测试市");
	region(&rows[2], "980101", "9801", 2, "测试县");
	region(&rows[3], "980102", "9801", 2, "另一县");
	struct app_error e;
	struct region_import_counts n;
	assert_int_equal(store_regions_import(s, rows, 4, NULL, &n, &e), APP_OK);
	assert_int_equal(n.inserted, 4);
}

static void test_backend_and_schema(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	assert_string_equal(store_backend(f->s), "postgresql");
	struct app_error e;
	int cur, want, applied = -1;
	assert_int_equal(store_schema_version(f->s, &cur, &want, &e), APP_OK);
	assert_int_equal(cur, want);
	assert_int_equal(store_migrate(f->s, &applied, &e), APP_OK);
	assert_int_equal(applied, 0);
}

/* A database migrated by a build that lacked a migration numbered below one
 * it had (the row of version 20 gone here) is not taken as current. */
static void test_migration_missing_below_refused(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	PGconn *c = PQconnectdb(f->uri);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PGresult *r = PQexec(c, "DELETE FROM schema_migrations WHERE version = 20");
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	assert_string_equal(PQcmdTuples(r), "1");
	PQclear(r);
	PQfinish(c);
	struct app_error e;
	int applied;
	assert_int_equal(store_check_schema(f->s, &e), APP_EDB);
	assert_non_null(strstr(e.msg, "lacks 1 of the earlier migrations"));
	assert_int_equal(store_migrate(f->s, &applied, &e), APP_EDB);
	assert_non_null(strstr(e.msg, "lacks 1 of the earlier migrations"));
}

static void test_missing_database(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	char uri[512];
	pg_testdb_uri(uri, sizeof(uri), getenv("BIANMIN_TEST_PG"), "bmu_no_such_database");
	struct store *s = NULL;
	struct app_error e;
	assert_int_equal(store_open(&s, uri, STORE_OPEN_EXISTING, &e), APP_ENOTFOUND);
	assert_non_null(strstr(e.msg, "does not exist"));
	assert_null(s);
}

struct appender {
	struct store *s;
	int n;
	int failures;
};

static void *append_many(void *arg)
{
	struct appender *a = arg;
	struct audit_note note = { .actor = "cli:test", .action = "test.append", .object = "x:1",
				   .region = "", .summary = "concurrent" };
	for (int i = 0; i < a->n; i++) {
		struct app_error e;
		if (store_audit_append(a->s, &note, &e) != APP_OK)
			a->failures++;
	}
	return NULL;
}

struct chain_check {
	int64_t next_id;
	uint8_t last[AUDIT_HASH_LEN];
	bool broken;
};

static bool check_link(void *ctx, const struct audit_record *r)
{
	struct chain_check *c = ctx;
	if (r->id != c->next_id || memcmp(r->prev_hash, c->last, AUDIT_HASH_LEN) != 0)
		c->broken = true;
	memcpy(c->last, r->hash, AUDIT_HASH_LEN);
	c->next_id++;
	return true;
}

static void test_audit_chain_under_concurrency(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	enum { THREADS = 6, EACH = 25 };
	pthread_t t[THREADS];
	struct appender a[THREADS];
	for (int i = 0; i < THREADS; i++) {
		a[i] = (struct appender){ f->s, EACH, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, append_many, &a[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(a[i].failures, 0);
	}
	struct chain_check c = { .next_id = 1 };
	struct app_error e;
	assert_int_equal(store_audit_scan(f->s, check_link, &c, &e), APP_OK);
	assert_false(c.broken);
	assert_int_equal(c.next_id - 1, THREADS * EACH);
}

static void test_constraint_errors(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	seed(f->s);
	struct user u = { .created_at = 1 };
	snprintf(u.name, sizeof(u.name), "张三");
	snprintf(u.phone, sizeof(u.phone), "13800000001");
	snprintf(u.region, sizeof(u.region), "980101");
	struct app_error e;
	int64_t id = 0, id2 = 0;
	assert_int_equal(store_user_create(f->s, &u, "h", NULL, NULL, &id, &e), APP_OK);
	assert_true(id > 0);
	assert_int_equal(store_user_create(f->s, &u, "h", NULL, NULL, &id2, &e), APP_ECONFLICT);
	assert_string_equal(e.field, "phone");
	assert_string_equal(e.msg, "this phone number is already registered");
	snprintf(u.phone, sizeof(u.phone), "13800000002");
	snprintf(u.region, sizeof(u.region), "999999");
	assert_int_equal(store_user_create(f->s, &u, "h", NULL, NULL, &id2, &e), APP_EINVAL);
	struct role_grant g = { .role = "resident", .region = "980101" };
	assert_int_equal(store_grant_add(f->s, id, &g, NULL, &e), APP_OK);
	assert_int_equal(store_grant_add(f->s, id, &g, NULL, &e), APP_ECONFLICT);
	assert_string_equal(e.msg, "the user has role resident for 980101 already");
	struct user out;
	assert_int_equal(store_user_get(f->s, 424242, &out, &e), APP_ENOTFOUND);
	assert_string_equal(e.msg, "not found");
	struct region r;
	assert_int_equal(store_region_get(f->s, "980199", &r, &e), APP_ENOTFOUND);
	assert_string_equal(e.msg, "region '980199' is not in the registry");
}

static bool collect(void *ctx, const struct region *r)
{
	strcat(ctx, r->code);
	strcat(ctx, " ");
	return true;
}

static void test_subtree_in_byte_order(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	seed(f->s);
	char got[256] = "";
	struct app_error e;
	assert_int_equal(store_region_subtree(f->s, "98", 3, collect, got, &e), APP_OK);
	assert_string_equal(got, "98 9801 980101 980102 ");
	got[0] = '\0';
	struct region_query q = { .text = "县", .level = -1, .limit = 10 };
	assert_int_equal(store_region_search(f->s, &q, collect, got, &e), APP_OK);
	assert_string_equal(got, "980101 980102 ");
}

/* ---- live events ---- */

struct got_events {
	int n;
	struct event_record e[8];
};

static bool got_event(void *ctx, const struct event_record *r)
{
	struct got_events *g = ctx;
	if (g->n < 8)
		g->e[g->n] = *r;
	g->n++;
	return true;
}

static struct got_events *events_after(struct store *s, const char *topic, int64_t after,
				       int limit)
{
	static struct got_events g;
	memset(&g, 0, sizeof(g));
	struct app_error e;
	if (store_events_after(s, topic, after, limit, got_event, &g, &e) != APP_OK)
		fail_msg("events after %lld: %s", (long long)after, e.msg);
	return &g;
}

static int64_t publish(struct store *s, const char *topic, const char *kind, const char *data)
{
	struct event_note ev = { topic, kind, "980101", data, NULL };
	int64_t id = -1;
	struct app_error e;
	if (store_event_publish(s, &ev, &id, &e) != APP_OK)
		fail_msg("publish %s: %s", topic, e.msg);
	assert_true(id > 0);
	return id;
}

static int64_t head(struct store *s)
{
	int64_t id = -1;
	struct app_error e;
	if (store_events_head(s, &id, &e) != APP_OK)
		fail_msg("head: %s", e.msg);
	return id;
}

static void test_events_publish_and_read(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	assert_int_equal(head(f->s), 0);
	int64_t a = publish(f->s, "user:1", "roles.changed", "{\"granted\":true}");
	int64_t b = publish(f->s, "user:2", "password.changed", "{}");
	int64_t c = publish(f->s, "user:1", "password.changed", "{\"other_sessions\":\"closed\"}");
	assert_true(a < b && b < c);
	assert_int_equal(head(f->s), c);

	struct got_events *g = events_after(f->s, "user:1", 0, 10);
	assert_int_equal(g->n, 2);
	assert_int_equal(g->e[0].id, a);
	assert_string_equal(g->e[0].topic, "user:1");
	assert_string_equal(g->e[0].kind, "roles.changed");
	assert_string_equal(g->e[0].county, "980101");
	assert_string_equal(g->e[0].data, "{\"granted\":true}");
	assert_true(g->e[0].at > 0 && g->e[0].at <= clock_now());
	assert_int_equal(g->e[1].id, c);
	assert_string_equal(g->e[1].data, "{\"other_sessions\":\"closed\"}");
	g = events_after(f->s, "user:1", a, 10);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->e[0].id, c);
	assert_int_equal(events_after(f->s, "user:1", c, 10)->n, 0);
	g = events_after(f->s, "user:1", 0, 1);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->e[0].id, a);
	assert_int_equal(events_after(f->s, "user:2", 0, 10)->n, 1);
	assert_int_equal(events_after(f->s, "user:", 0, 10)->n, 0);

	/* refused events write nothing */
	struct event_note bad = { "user:1", "k", "4116810", "{}", NULL };
	struct app_error e;
	assert_int_equal(store_event_publish(f->s, &bad, NULL, &e), APP_EINVAL);
	bad = (struct event_note){ "user:1", "", "", "{}", NULL };
	assert_int_equal(store_event_publish(f->s, &bad, NULL, &e), APP_EINVAL);
	assert_int_equal(head(f->s), c);
}

/* A watcher that records the topics it hears, for a test to wait on. */
struct watcher {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int calls;
	char topics[32][EVENT_TOPIC_MAX];
};

static void watcher_init(struct watcher *w)
{
	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
}

static void watcher_destroy(struct watcher *w)
{
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
}

static void heard(void *ctx, const char *topic)
{
	struct watcher *w = ctx;
	pthread_mutex_lock(&w->mu);
	if (w->calls < 32)
		snprintf(w->topics[w->calls], EVENT_TOPIC_MAX, "%s", topic ? topic : "(null)");
	w->calls++;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* Wait (at most ms) until w has heard topic ("(null)": a NULL topic). */
static bool heard_within(struct watcher *w, const char *topic, int ms)
{
	struct timespec until = clock_deadline(CLOCK_MONOTONIC, ms);
	pthread_mutex_lock(&w->mu);
	bool found = false;
	for (;;) {
		for (int i = 0; i < w->calls && i < 32 && !found; i++)
			found = strcmp(w->topics[i], topic) == 0;
		if (found || pthread_cond_timedwait(&w->cv, &w->mu, &until) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&w->mu);
	return found;
}

static bool heard_of(struct watcher *w, const char *topic)
{
	return heard_within(w, topic, 10000);
}

/*
 * Wait until w, the watcher of store s, is listening: store_events_watch()
 * returns before the listener thread has run LISTEN, and an event committed
 * before that is never heard. Probe events are published until one is heard
 * (at most 10 s in all).
 */
static void wait_listening(struct store *pub, struct watcher *w)
{
	for (int i = 0; i < 100; i++) {
		char topic[32];
		snprintf(topic, sizeof(topic), "probe:%d", i);
		publish(pub, topic, "probe", "{}");
		if (heard_within(w, topic, 100))
			return;
	}
	fail_msg("the watcher never started listening");
}

static int calls_of(struct watcher *w)
{
	pthread_mutex_lock(&w->mu);
	int n = w->calls;
	pthread_mutex_unlock(&w->mu);
	return n;
}

static void test_events_watch_across_nodes(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	struct store *b = pg_testdb_second_node(f);
	struct watcher wa, wb;
	watcher_init(&wa);
	watcher_init(&wb);
	struct app_error e;
	assert_int_equal(store_events_watch(f->s, heard, &wa, &e), APP_OK);
	assert_int_equal(store_events_watch(b, heard, &wb, &e), APP_OK);
	/* one watcher per store */
	assert_int_equal(store_events_watch(b, heard, &wb, &e), APP_EINTERNAL);
	wait_listening(f->s, &wa);
	wait_listening(f->s, &wb);

	/* an event committed on node a is heard on both nodes, and can be read
	 * on b once heard */
	int64_t id = publish(f->s, "user:7", "k", "{}");
	assert_true(heard_of(&wb, "user:7"));
	assert_true(heard_of(&wa, "user:7"));
	struct got_events *g = events_after(b, "user:7", 0, 10);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->e[0].id, id);
	/* and the other way */
	publish(b, "user:8", "k", "{}");
	assert_true(heard_of(&wa, "user:8"));
	assert_true(heard_of(&wb, "user:8"));

	/* once unwatch returns, the listener is gone: nothing more is heard */
	store_events_unwatch(b);
	int before = calls_of(&wb);
	publish(f->s, "user:9", "k", "{}");
	assert_true(heard_of(&wa, "user:9"));
	assert_int_equal(calls_of(&wb), before);
	/* and b can watch again */
	assert_int_equal(store_events_watch(b, heard, &wb, &e), APP_OK);
	store_events_unwatch(b);
	store_events_unwatch(b); /* twice is harmless */

	store_events_unwatch(f->s);
	watcher_destroy(&wa);
	watcher_destroy(&wb);
}

/* A lost listener connection: the watcher is told that events may have been
 * missed (topic NULL), and hears new ones again. */
static void test_events_watch_reconnects(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	struct watcher w;
	watcher_init(&w);
	struct app_error e;
	assert_int_equal(store_events_watch(f->s, heard, &w, &e), APP_OK);
	wait_listening(f->s, &w);
	publish(f->s, "user:1", "k", "{}");
	assert_true(heard_of(&w, "user:1"));

	char sql[512], n[16];
	snprintf(sql, sizeof(sql),
		 "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
		 "WHERE datname = '%s' AND query LIKE 'LISTEN %%'",
		 f->name);
	assert_true(pg_testdb_admin(sql, n, sizeof(n)));
	assert_string_equal(n, "1");
	assert_true(heard_of(&w, "(null)"));
	publish(f->s, "user:2", "k", "{}");
	assert_true(heard_of(&w, "user:2"));
	store_events_unwatch(f->s);
	watcher_destroy(&w);
}

/* ---- scheduled jobs ---- */

static int64_t claim(struct store *s, const char *name, int64_t slot, const char *node,
		     int64_t now)
{
	int64_t id = -1;
	struct app_error e;
	if (store_job_claim(s, name, slot, node, now, &id, &e) != APP_OK)
		fail_msg("claim %s slot %lld: %s", name, (long long)slot, e.msg);
	assert_true(id >= 0);
	return id;
}

struct got_runs {
	int n;
	struct job_run r[8];
};

static bool got_run(void *ctx, const struct job_run *r)
{
	struct got_runs *g = ctx;
	if (g->n < 8)
		g->r[g->n] = *r;
	g->n++;
	return true;
}

static struct got_runs runs(struct store *s, const char *name, int limit)
{
	struct got_runs g = { .n = 0 };
	struct app_error e;
	if (store_job_runs(s, name, limit, got_run, &g, &e) != APP_OK)
		fail_msg("runs: %s", e.msg);
	return g;
}

static void test_job_claims(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	struct app_error e;
	int64_t r10 = claim(f->s, "purge", 10, "node-a", 36000);
	assert_true(r10 > 0);
	assert_int_equal(claim(f->s, "purge", 10, "node-b", 36001), 0);
	assert_int_equal(claim(f->s, "purge", 9, "node-b", 36002), 0);
	int64_t m10 = claim(f->s, "maintain", 10, "node-b", 36003);
	assert_true(m10 > 0);
	int64_t r12 = claim(f->s, "purge", 12, "node-b", 43200);
	assert_true(r12 > 0 && r12 != r10);
	assert_int_equal(claim(f->s, "purge", 11, "node-a", 39600), 0);

	struct got_runs g = runs(f->s, "purge", 10);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.r[0].id, r12);
	assert_int_equal(g.r[0].slot, 12);
	assert_string_equal(g.r[0].node, "node-b");
	assert_string_equal(g.r[0].outcome, "running");
	assert_int_equal(g.r[0].finished_at, 0);
	assert_int_equal(g.r[1].id, r10);
	assert_int_equal(g.r[1].started_at, 36000);

	assert_int_equal(store_job_finish(f->s, r10, 36060, true, "removed 3 sessions", &e), APP_OK);
	assert_int_equal(store_job_finish(f->s, m10, 36070, false, "disk full", &e), APP_OK);
	g = runs(f->s, "purge", 10);
	assert_string_equal(g.r[1].outcome, "ok");
	assert_string_equal(g.r[1].detail, "removed 3 sessions");
	assert_int_equal(g.r[1].finished_at, 36060);
	g = runs(f->s, "maintain", 10);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.r[0].outcome, "failed");
	assert_string_equal(g.r[0].detail, "disk full");
	assert_int_equal(runs(f->s, "", 10).n, 3);
	assert_int_equal(runs(f->s, NULL, 1).n, 1);

	/* a long detail is cut at a character boundary */
	char detail[601] = "";
	for (int i = 0; i < 200; i++)
		strcat(detail, "删");
	assert_int_equal(store_job_finish(f->s, r12, 43201, true, detail, &e), APP_OK);
	g = runs(f->s, "purge", 1);
	size_t n = strlen(g.r[0].detail);
	assert_true(n > 0 && n < sizeof(g.r[0].detail));
	assert_int_equal(n % 3, 0);
	assert_memory_equal(g.r[0].detail, detail, n);
}

enum { CLAIMERS = 8, SLOTS = 12 };

struct claimer {
	struct store *s;
	pthread_barrier_t *start;
	char node[24];
	int64_t run_id[SLOTS];
	int errors;
};

static void *claim_main(void *arg)
{
	struct claimer *c = arg;
	for (int slot = 0; slot < SLOTS; slot++) {
		pthread_barrier_wait(c->start);
		struct app_error e;
		if (store_job_claim(c->s, "purge", 100 + slot, c->node, 1000, &c->run_id[slot],
				    &e) != APP_OK)
			c->errors++;
	}
	return NULL;
}

static void test_job_claim_concurrent(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	struct store *b = pg_testdb_second_node(f);
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, CLAIMERS);
	pthread_t t[CLAIMERS];
	struct claimer c[CLAIMERS];
	for (int i = 0; i < CLAIMERS; i++) {
		c[i] = (struct claimer){ .s = i % 2 ? b : f->s, .start = &start };
		snprintf(c[i].node, sizeof(c[i].node), "node-%d", i);
		assert_int_equal(pthread_create(&t[i], NULL, claim_main, &c[i]), 0);
	}
	for (int i = 0; i < CLAIMERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	for (int slot = 0; slot < SLOTS; slot++) {
		int winners = 0;
		for (int i = 0; i < CLAIMERS; i++) {
			assert_int_equal(c[i].errors, 0);
			winners += c[i].run_id[slot] != 0;
		}
		if (winners != 1)
			fail_msg("slot %d was claimed %d times", 100 + slot, winners);
	}
	/* one run recorded per slot, under the winner's name */
	struct got_runs g = runs(f->s, "purge", 8);
	assert_int_equal(g.n, 8);
	for (int k = 0; k < 8; k++) {
		int slot = SLOTS - 1 - k;
		assert_int_equal(g.r[k].slot, 100 + slot);
		for (int i = 0; i < CLAIMERS; i++)
			if (c[i].run_id[slot]) {
				assert_int_equal(g.r[k].id, c[i].run_id[slot]);
				assert_string_equal(g.r[k].node, c[i].node);
			}
	}
}

static void test_locks(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	struct store *b = pg_testdb_second_node(f);
	struct app_error e;
	struct store_lock *a1 = NULL, *a2 = (struct store_lock *)0x1, *b1 = (struct store_lock *)0x1;
	assert_int_equal(store_lock_try(f->s, "purge", &a1, &e), APP_OK);
	assert_non_null(a1);
	assert_int_equal(store_lock_try(f->s, "purge", &a2, &e), APP_OK);
	assert_null(a2); /* held, on this node */
	assert_int_equal(store_lock_try(b, "purge", &b1, &e), APP_OK);
	assert_null(b1); /* and on the other */
	struct store_lock *m = NULL;
	assert_int_equal(store_lock_try(b, "maintain", &m, &e), APP_OK);
	assert_non_null(m);
	store_lock_release(b, m);
	store_lock_release(f->s, a1);
	assert_int_equal(store_lock_try(b, "purge", &b1, &e), APP_OK);
	assert_non_null(b1); /* free again, for any node */

	/* a node that dies loses its locks with its connection */
	char sql[512], n[16];
	snprintf(sql, sizeof(sql),
		 /* with a timeout: returns once the backend has ended */
		 "SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
		 "WHERE datname = '%s' AND query LIKE '%%pg_try_advisory_lock%%' "
		 "AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory')",
		 f->name);
	assert_true(pg_testdb_admin(sql, n, sizeof(n)));
	assert_string_equal(n, "1");
	a1 = NULL;
	assert_int_equal(store_lock_try(f->s, "purge", &a1, &e), APP_OK);
	assert_non_null(a1);
	store_lock_release(b, b1); /* on a dead connection: harmless */
	store_lock_release(f->s, a1);
	assert_int_equal(store_lock_try(b, "purge", &b1, &e), APP_OK);
	assert_non_null(b1);
	store_lock_release(b, b1);
}

/* ---- housekeeping ---- */

/* The partition that holds event id. */
static void partition_of(struct pg_testdb *f, int64_t id, char *out, size_t cap)
{
	char sql[160];
	snprintf(sql, sizeof(sql), "SELECT tableoid::regclass::text FROM events WHERE id = %lld",
		 (long long)id);
	PGconn *c = PQconnectdb(f->uri);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PGresult *r = PQexec(c, sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_int_equal(PQntuples(r), 1);
	snprintf(out, cap, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
}

/* "events_YYYYMM" of the month (UTC) of t. */
static void month_partition(int64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	snprintf(out, cap, "events_%04d%02d", tm.tm_year + 1900, tm.tm_mon + 1);
}

/* store_maintain() at now: how many partitions it says it created. */
static int maintain(struct store *s, int64_t now)
{
	char detail[256] = "x";
	struct app_error e;
	if (store_maintain(s, now, detail, sizeof(detail), &e) != APP_OK)
		fail_msg("maintain: %s", e.msg);
	int n = -1;
	char rest[64] = "";
	if (sscanf(detail, "%d %63[^\n]", &n, rest) != 2 ||
	    strcmp(rest, "monthly partitions created") != 0)
		fail_msg("maintain says \"%s\"", detail);
	return n;
}

/* True when the table called name exists in the fixture's database. */
static bool table_exists(struct pg_testdb *f, const char *name)
{
	char sql[160], got[64];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_class WHERE relname = '%s'", name);
	PGconn *c = PQconnectdb(f->uri);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PGresult *r = PQexec(c, sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	snprintf(got, sizeof(got), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return strcmp(got, "1") == 0;
}

static void test_maintain_partitions(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	const int64_t now = clock_now(), day = 86400, month = 31 * day;
	char name[64];
	/* the migration made this month's partitions and the next two */
	assert_int_equal(maintain(f->s, now), 0);
	for (int m = 0; m <= 2; m++) {
		month_partition(now + m * month - (m ? 3 * day : 0), name, sizeof(name));
		if (!table_exists(f, name))
			fail_msg("no partition %s after the migration", name);
	}
	/* a year on: that month and the two after it, once */
	const int64_t later = now + 400 * day;
	month_partition(later + 2 * month, name, sizeof(name));
	assert_false(table_exists(f, name));
	assert_true(maintain(f->s, later) >= 3);
	assert_int_equal(maintain(f->s, later), 0);
	assert_true(table_exists(f, name));

	/* events land in their month's partition */
	char got[64], want[64];
	int64_t id = publish(f->s, "user:1", "k", "{}");
	partition_of(f, id, got, sizeof(got));
	month_partition(clock_now(), want, sizeof(want));
	assert_string_equal(got, want);
	clock_set_offset(401 * day);
	id = publish(f->s, "user:1", "k", "{}");
	partition_of(f, id, got, sizeof(got));
	month_partition(clock_now(), want, sizeof(want));
	assert_string_equal(got, want);
	/* a month without a partition goes to the default one */
	clock_set_offset(4000 * day);
	id = publish(f->s, "user:1", "k", "{}");
	partition_of(f, id, got, sizeof(got));
	assert_string_equal(got, "events_default");
	clock_set_offset(0);
	/* and every event reads back in id order, whatever its partition */
	struct got_events *g = events_after(f->s, "user:1", 0, 10);
	assert_int_equal(g->n, 3);
	assert_true(g->e[0].id < g->e[1].id && g->e[1].id < g->e[2].id);
}

static void test_purge(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	seed(f->s);
	struct user u = { .created_at = 1 };
	snprintf(u.name, sizeof(u.name), "张三");
	snprintf(u.phone, sizeof(u.phone), "13800000001");
	snprintf(u.region, sizeof(u.region), "980101");
	struct app_error e;
	int64_t uid = 0;
	assert_int_equal(store_user_create(f->s, &u, "h", NULL, NULL, &uid, &e), APP_OK);
	struct user got;
	assert_int_equal(store_user_get(f->s, uid, &got, &e), APP_OK);
	const int64_t T = clock_now(), day = 86400;
	uint8_t h[TOKEN_HASH_LEN] = { 1 };
	/* an expired, a revoked and a valid session */
	assert_int_equal(store_session_create(f->s, h, uid, got.version, T - 9 * day, T - 2 * day,
					      NULL, &e),
			 APP_OK);
	h[0] = 2;
	assert_int_equal(store_session_create(f->s, h, uid, got.version, T - 3 * day, T + day, NULL,
					      &e),
			 APP_OK);
	assert_int_equal(store_session_revoke(f->s, h, T - 2 * day, NULL, &e), APP_OK);
	h[0] = 3;
	assert_int_equal(store_session_create(f->s, h, uid, got.version, T - 3 * day, T + day, NULL,
					      &e),
			 APP_OK);
	bool allowed;
	int64_t latest;
	assert_int_equal(store_login_attempt(f->s, "account:x", T - 2 * day, 0, 10, &allowed,
					     &latest, &e),
			 APP_OK);
	assert_int_equal(store_login_attempt(f->s, "account:x", T - 60, 0, 10, &allowed, &latest,
					     &e),
			 APP_OK);
	/* an event in a month long gone (its partition made for the test), one
	 * of eight days ago, a fresh one */
	char part[64], detail[256];
	assert_int_equal(store_maintain(f->s, T - 100 * day, detail, sizeof(detail), &e), APP_OK);
	month_partition(T - 100 * day, part, sizeof(part));
	assert_true(table_exists(f, part));
	clock_set_offset(-100 * day);
	int64_t ancient = publish(f->s, "user:1", "k", "{}");
	clock_set_offset(-8 * day);
	int64_t old = publish(f->s, "user:1", "k", "{}");
	clock_set_offset(0);
	int64_t fresh = publish(f->s, "user:1", "k", "{}");
	assert_true(ancient < old && old < fresh);

	struct store_purge_counts n;
	assert_int_equal(store_purge(f->s, T, T - day, T - day, T - 7 * day, &n, &e), APP_OK);
	assert_int_equal(n.sessions, 2);
	assert_int_equal(n.login_failures, 1);
	/* the old month went whole, with its partition; the rest row by row
	 * (n.events counts only the rows) */
	assert_false(table_exists(f, part));
	assert_true(n.events >= 1);
	struct session_info si;
	h[0] = 1;
	assert_int_equal(store_session_get(f->s, h, &si, &e), APP_ENOTFOUND);
	h[0] = 2;
	assert_int_equal(store_session_get(f->s, h, &si, &e), APP_ENOTFOUND);
	h[0] = 3;
	assert_int_equal(store_session_get(f->s, h, &si, &e), APP_OK);
	assert_true(si.user_id > 0);
	assert_int_equal(si.user.id, si.user_id); /* read with its user */
	assert_int_equal(store_login_attempt(f->s, "account:x", T, 0, 1, &allowed, &latest, &e),
			 APP_OK);
	assert_false(allowed);
	assert_int_equal(latest, T - 60);
	struct got_events *g = events_after(f->s, "user:1", 0, 10);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->e[0].id, fresh);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backend_and_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_missing_below_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_chain_under_concurrency, setup, teardown),
		cmocka_unit_test_setup_teardown(test_constraint_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subtree_in_byte_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_publish_and_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_watch_across_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_watch_reconnects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_claims, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_claim_concurrent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_maintain_partitions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
