/*
 * test_ingest_faults.c - the queued bulk ingest's loader (src/groups/
 * ingest.c) when the database fails under it, on SQLite: the functions it
 * calls are wrapped at link time (the Makefile's WRAP_test_ingest_faults)
 * so that a chosen call fails once or a few times, then works.
 *
 * What a bridge relies on: a call answered 202 is stored once whatever
 * fails meanwhile — a group that could not be read is not taken for a
 * group that is gone (the call is not set aside, it is stored on a later
 * round), a round whose commit fails half-way is stored whole later, and
 * a loader that cannot set a damaged call aside waits before it tries
 * again rather than spinning.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "sqlite_testdb.h"

/* Its helpers; its cases run in test_ingest.c, not here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "ingest_cases.h"
#pragma GCC diagnostic pop

#include <sqlite3.h>
#include <stdatomic.h>
#include <time.h>

/* How many of the next calls of each wrapped function fail. */
static atomic_int fail_group_head, fail_set_aside;
/* The message insert that fails: the Nth from now (0: none). */
static atomic_int insert_countdown;
/* The set-aside attempts, and when the first two came (monotonic ms). */
static atomic_int set_aside_calls;
static atomic_llong set_aside_at[2];

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Take one from *budget when there is one: true when this call fails. */
static bool take_failure(atomic_int *budget)
{
	int left = atomic_load(budget);
	while (left > 0 && !atomic_compare_exchange_weak(budget, &left, left - 1))
		;
	return left > 0;
}

enum app_err __real_store_group_head(struct store *s, int64_t id, struct group *out,
				     struct app_error *err);
enum app_err __wrap_store_group_head(struct store *s, int64_t id, struct group *out,
				     struct app_error *err);
enum app_err __wrap_store_group_head(struct store *s, int64_t id, struct group *out,
				     struct app_error *err)
{
	if (take_failure(&fail_group_head))
		return app_fail(err, APP_EDB, "injected: the group could not be read");
	return __real_store_group_head(s, id, out, err);
}

enum app_err __real_store_ingest_fail(struct store *s, int64_t id, const char *reason,
				      struct app_error *err);
enum app_err __wrap_store_ingest_fail(struct store *s, int64_t id, const char *reason,
				      struct app_error *err);
enum app_err __wrap_store_ingest_fail(struct store *s, int64_t id, const char *reason,
				      struct app_error *err)
{
	int k = atomic_fetch_add(&set_aside_calls, 1);
	if (k < 2)
		atomic_store(&set_aside_at[k], now_ms());
	if (take_failure(&fail_set_aside))
		return app_fail(err, APP_EDB, "injected: the call could not be set aside");
	return __real_store_ingest_fail(s, id, reason, err);
}

int __real_sqlite3_step(sqlite3_stmt *st);
int __wrap_sqlite3_step(sqlite3_stmt *st);
int __wrap_sqlite3_step(sqlite3_stmt *st)
{
	const char *sql = sqlite3_sql(st);
	if (sql && strncmp(sql, "INSERT INTO messages(", 21) == 0 &&
	    atomic_load(&insert_countdown) > 0 && atomic_fetch_sub(&insert_countdown, 1) == 1)
		return SQLITE_IOERR;
	return __real_sqlite3_step(st);
}

/* Two queued calls of two messages, held; the group. */
static struct group two_calls(struct store *s)
{
	struct group g = iq_village(s);
	struct ingest_counts n;
	struct app_error e;
	assert_int_equal(ingest_queue_start(s, 100, &e), APP_OK);
	ingest_queue_hold(true);
	assert_int_equal(iq_send(s, json_pack("[o,o]", iq_item("f1", g.id, "一"),
					      iq_item("f2", g.id, "二")), true, &n, &e),
			 APP_OK);
	assert_int_equal(iq_send(s, json_pack("[o,o]", iq_item("f3", g.id, "三"),
					      iq_item("f4", g.id, "四")), true, &n, &e),
			 APP_OK);
	return g;
}

/* A group that could not be read once: stored later, nothing set aside. */
static void faults_group_read(struct store *s)
{
	struct group g = two_calls(s);
	char texts[512];
	atomic_store(&fail_group_head, 1);
	ingest_queue_hold(false);
	assert_true(ingest_queue_settle(IQ_SETTLE_MS));
	assert_int_equal(atomic_load(&fail_group_head), 0); /* the failure happened */
	assert_string_equal(iq_texts(s, g.id, texts, sizeof(texts)), "一|二|三|四");
	assert_int_equal(iq_stats().failed, 0);
	assert_int_equal(iq_stats().loaded, 4);
	ingest_queue_stop();
}

/* A commit failing at its third message: nothing of it kept, all stored
 * once by a later round. */
static void faults_load_half_way(struct store *s)
{
	struct group g = two_calls(s);
	char texts[512];
	/* the third insert of the round fails: its first two are rolled back */
	atomic_store(&insert_countdown, 3);
	ingest_queue_hold(false);
	assert_true(ingest_queue_settle(IQ_SETTLE_MS));
	assert_int_equal(atomic_load(&insert_countdown), 0); /* the failure happened */
	assert_string_equal(iq_texts(s, g.id, texts, sizeof(texts)), "一|二|三|四");
	assert_int_equal(iq_stats().loaded, 4);
	ingest_queue_stop();
}

/* A damaged call that cannot be set aside at first: the loader waits a
 * second before the next attempt, then sets it aside. */
static void faults_set_aside(struct store *s)
{
	(void)iq_village(s);
	struct ingest_counts n;
	struct app_error e;
	int64_t id;
	static const char damaged[] = "not an encoded message";
	const char *key = "d1";
	const void *item = damaged;
	size_t len = sizeof(damaged);
	assert_int_equal(store_ingest_queue(s, &key, &item, &len, 1, &n, &id, &e), APP_OK);
	atomic_store(&set_aside_calls, 0);
	atomic_store(&fail_set_aside, 1);
	assert_int_equal(ingest_queue_start(s, 100, &e), APP_OK);
	assert_true(ingest_queue_settle(IQ_SETTLE_MS));
	assert_int_equal(atomic_load(&set_aside_calls), 2);
	assert_true(atomic_load(&set_aside_at[1]) - atomic_load(&set_aside_at[0]) >= 900);
	assert_int_equal(iq_stats().failed, 1);
	ingest_queue_stop();
}

static int setup(void **state)
{
	atomic_store(&fail_group_head, 0);
	atomic_store(&fail_set_aside, 0);
	atomic_store(&insert_countdown, 0);
	return sqlite_testdb_setup(state, gs_load_demo);
}

static int teardown(void **state)
{
	iq_teardown_queue();
	return sqlite_testdb_teardown(state);
}

SQLITE_TESTDB_CASE(group_read, faults_group_read)
SQLITE_TESTDB_CASE(load_half_way, faults_load_half_way)
SQLITE_TESTDB_CASE(set_aside, faults_set_aside)

int main(void)
{
	log_set_level(LOG__MAX); /* the failures are logged on purpose */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_group_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_half_way, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_aside, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
