/*
 * test_sched.c - unit tests of src/sched (the scheduler engine and the job
 * table) and of store_purge(), on a fresh SQLite store in a temporary
 * directory.
 *
 * Time is never waited for: sched_tick() is given `now`, and rows are given
 * their times through the store API (or clock_set_offset() for events,
 * whose time is the store's clock). What is checked: two schedulers ("two
 * nodes") ticking at the same moment run each due job once in all, recorded
 * once per slot under the node that ran it; a later slot runs again; a job
 * whose store lock is taken elsewhere is left alone and run on a later tick
 * once the lock is free; bad job_intervals are refused naming the problem
 * and good ones change the intervals; and the purge removes ended sessions,
 * old sign-in attempts and old events while keeping fresh ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/log.h"
#include "sched/sched.h"
#include "store/store.h"
#include "testutil.h"

#define DAY 86400
/* A moment early in a day (UTC), so that an hour later is the same day. */
#define T0 ((int64_t)20000 * DAY + 100)

struct fixture {
	char dir[256];
	char db[300];
	struct store *s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	clock_set_offset(0);
	tu_tempdir(f->dir, sizeof(f->dir));
	tu_path(f->db, sizeof(f->db), f->dir, "test.db");
	struct app_error e;
	if (store_open(&f->s, f->db, STORE_OPEN_CREATE, &e) != APP_OK ||
	    store_migrate(f->s, NULL, &e) != APP_OK) {
		print_error("cannot set up the store: %s\n", e.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	clock_set_offset(0);
	store_close(f->s);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* Index of job name in sched_jobs. */
static size_t job_index(const char *name)
{
	for (size_t i = 0; i < sched_jobs_count; i++)
		if (strcmp(sched_jobs[i].name, name) == 0)
			return i;
	fail_msg("no job called '%s' in sched_jobs", name);
	return 0;
}

/* A scheduler of the store as node. The demands, patrol and exchange jobs
 * (every minute by default) and supervision (hourly) run once a (leap) year here
 * unless intervals say otherwise, so that these tests count the runs of
 * purge and maintain only after the first tick; they span days, not the
 * 130 days to the next yearly slot. */
static struct sched *make_sched(struct store *s, const char *node, const char *intervals)
{
	/* the jobs of a minute or an hour that these tests do not count run
	 * once a year, unless the test sets them */
	static const char *const quiet[] = { "demands",         "patrol",           "supervision",
					     "exchange",        "entitle.advance",  "entitle.dispatch",
					     "outbox.send",     "entitle.evaluate" };
	char with[512];
	if (intervals) {
		snprintf(with, sizeof(with), "%s", intervals);
		for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
			char name[40];
			snprintf(name, sizeof(name), "%s=", quiet[i]);
			if (!strstr(intervals, name)) {
				size_t n = strlen(with);
				snprintf(with + n, sizeof(with) - n, "%s%s31622400", n ? "," : "", name);
			}
		}
		intervals = with;
	}
	struct sched_options o = { .store = s, .node = node, .intervals = intervals };
	struct sched *sc = NULL;
	struct app_error e;
	if (sched_create(&o, &sc, &e) != APP_OK)
		fail_msg("sched_create(%s): %s", intervals, e.msg);
	return sc;
}

/* The runs of the store, newest first. */
struct runs {
	struct job_run r[32];
	int n;
};

static bool add_run(void *ctx, const struct job_run *r)
{
	struct runs *rs = ctx;
	if (rs->n < 32)
		rs->r[rs->n++] = *r;
	return true;
}

static struct runs runs_of(struct store *s, const char *name)
{
	struct runs rs = { .n = 0 };
	struct app_error e;
	if (store_job_runs(s, name, 32, add_run, &rs, &e) != APP_OK)
		fail_msg("store_job_runs: %s", e.msg);
	return rs;
}

/* The start of the slot of length interval that holds t: how slots are named. */
static int64_t slot_of(int64_t t, int64_t interval) { return t - t % interval; }

/* The run of job name for slot; fails unless there is exactly one. */
static struct job_run run_for(struct store *s, const char *name, int64_t slot)
{
	struct runs rs = runs_of(s, name);
	struct job_run found = { .id = 0 };
	int n = 0;
	for (int i = 0; i < rs.n; i++) {
		if (rs.r[i].slot == slot) {
			found = rs.r[i];
			n++;
		}
	}
	if (n != 1)
		fail_msg("%d runs of %s for slot %lld, expected 1", n, name, (long long)slot);
	return found;
}

/* ---- the table ---- */

static void test_job_table(void **state)
{
	(void)state;
	assert_true(sched_jobs_count >= 2);
	for (size_t i = 0; i < sched_jobs_count; i++) {
		const struct sched_job *j = &sched_jobs[i];
		assert_non_null(j->name);
		assert_true(*j->name && strlen(j->name) < JOB_NAME_MAX);
		assert_true(j->interval_s > 0);
		assert_true(j->summary && *j->summary);
		assert_non_null(j->run);
		for (size_t k = 0; k < i; k++)
			if (strcmp(sched_jobs[k].name, j->name) == 0)
				fail_msg("job '%s' is declared twice", j->name);
	}
	assert_int_equal(sched_jobs[job_index("purge")].interval_s, 3600);
	assert_int_equal(sched_jobs[job_index("maintain")].interval_s, DAY);
}

/* ---- intervals ---- */

static void expect_bad_intervals(struct store *s, const char *spec, const char *says)
{
	struct sched_options o = { .store = s, .node = "n1", .intervals = spec };
	struct sched *sc = (struct sched *)0x1;
	struct app_error e;
	app_error_clear(&e);
	if (sched_create(&o, &sc, &e) != APP_EINVAL)
		fail_msg("job_intervals '%s' was taken", spec);
	assert_int_equal(e.code, APP_EINVAL);
	assert_contains(e.msg, says);
	assert_ptr_equal(sc, (struct sched *)0x1); /* OUT parameter untouched */
}

static void test_bad_intervals(void **state)
{
	struct fixture *f = *state;
	expect_bad_intervals(f->s, "nope=5", "unknown job 'nope'");
	expect_bad_intervals(f->s, "purge=600,nope=5", "unknown job 'nope'");
	expect_bad_intervals(f->s, "purge=0", "'purge=0' must be NAME=SECONDS");
	expect_bad_intervals(f->s, "purge=-5", "'purge=-5' must be NAME=SECONDS");
	expect_bad_intervals(f->s, "purge=x", "'purge=x' must be NAME=SECONDS");
	expect_bad_intervals(f->s, "purge=60s", "'purge=60s' must be NAME=SECONDS");
	expect_bad_intervals(f->s, "purge=", "'purge=' must be NAME=SECONDS");
	expect_bad_intervals(f->s, "purge", "'purge' must be NAME=SECONDS");
	expect_bad_intervals(f->s, "purge=31622401", "'purge=31622401' must be NAME=SECONDS");
	expect_bad_intervals(f->s, "purge=99999999999999999999999", "must be NAME=SECONDS");
	/* the message says what the range is */
	expect_bad_intervals(f->s, "purge=0", "1 to 31622400");
}

static void test_interval_overrides(void **state)
{
	struct fixture *f = *state;
	size_t purge = job_index("purge"), maintain = job_index("maintain");

	struct sched *sc = make_sched(f->s, "n1", "");
	assert_int_equal(sched_interval(sc, purge), 3600);
	assert_int_equal(sched_interval(sc, maintain), DAY);
	sched_stop(sc);

	sc = make_sched(f->s, "n1", NULL);
	assert_int_equal(sched_interval(sc, purge), 3600);
	sched_stop(sc);

	sc = make_sched(f->s, "n1", "purge=600");
	assert_int_equal(sched_interval(sc, purge), 600);
	assert_int_equal(sched_interval(sc, maintain), DAY); /* the others keep theirs */
	sched_stop(sc);

	sc = make_sched(f->s, "n1", "maintain=7200,purge=1");
	assert_int_equal(sched_interval(sc, purge), 1);
	assert_int_equal(sched_interval(sc, maintain), 7200);
	sched_stop(sc);

	/* the largest interval allowed: a leap year */
	sc = make_sched(f->s, "n1", "purge=31622400");
	assert_int_equal(sched_interval(sc, purge), 31622400);
	sched_stop(sc);

	sched_stop(NULL); /* a no-op */
}

/* An overridden interval cuts time into slots of that length. */
static void test_interval_sets_slots(void **state)
{
	struct fixture *f = *state;
	struct sched *sc = make_sched(f->s, "n1", "purge=600");
	assert_int_equal(sched_tick(sc, T0), (int)sched_jobs_count);
	assert_int_equal(sched_tick(sc, T0 + 599 - T0 % 600), 0);     /* same 10 minutes */
	assert_int_equal(sched_tick(sc, T0 + 600 - T0 % 600), 1);     /* the next ones */
	assert_int_equal(run_for(f->s, "purge", slot_of(T0, 600) + 600).slot,
			 slot_of(T0, 600) + 600);
	sched_stop(sc);
}

/* Changing an interval back and forth never stops a job: slots are named
 * by their start times, which only grow. */
static void test_interval_change(void **state)
{
	struct fixture *f = *state;
	struct sched *fast = make_sched(f->s, "n1", "purge=600");
	assert_int_equal(sched_tick(fast, T0), (int)sched_jobs_count);
	sched_stop(fast);
	struct sched *slow = make_sched(f->s, "n1", "");
	int64_t t1 = slot_of(T0, 3600) + 3600; /* the next hour */
	assert_int_equal(sched_tick(slow, t1), 1);
	assert_int_equal(run_for(f->s, "purge", t1).node[0], 'n');
	/* and a node still on 600 s does not run the hour's slot again */
	struct sched *other = make_sched(f->s, "n2", "purge=600");
	assert_int_equal(sched_tick(other, t1 + 1), 0);
	assert_int_equal(sched_tick(other, t1 + 600), 1);
	sched_stop(other);
	sched_stop(slow);
}

/* ---- one run per slot across nodes ---- */

static void test_two_nodes_one_run_per_slot(void **state)
{
	struct fixture *f = *state;
	struct sched *a = make_sched(f->s, "node-a", "");
	struct sched *b = make_sched(f->s, "node-b", "");

	/* both due jobs, once in all, whichever node gets there first */
	int ra = sched_tick(a, T0), rb = sched_tick(b, T0);
	assert_int_equal(ra + rb, (int)sched_jobs_count);
	assert_int_equal(ra, (int)sched_jobs_count);
	assert_int_equal(runs_of(f->s, "").n, (int)sched_jobs_count);

	struct job_run p = run_for(f->s, "purge", slot_of(T0, 3600));
	assert_string_equal(p.node, "node-a");
	assert_string_equal(p.outcome, "ok");
	assert_int_equal(p.started_at, T0);
	assert_true(p.finished_at > 0);
	assert_contains(p.detail, "removed 0 sessions, 0 sign-in attempts, 0 events");
	struct job_run m = run_for(f->s, "maintain", slot_of(T0, DAY));
	assert_string_equal(m.node, "node-a");
	assert_string_equal(m.outcome, "ok");
	assert_contains(m.detail, "checkpointed");

	/* ticking again in the same slots does nothing, on either node */
	assert_int_equal(sched_tick(a, T0 + 10), 0);
	assert_int_equal(sched_tick(b, T0 + 20), 0);
	assert_int_equal(runs_of(f->s, "").n, (int)sched_jobs_count);

	/* the next hour: purge is due again (maintain is not), run by b this time */
	int64_t t1 = T0 + 3600;
	rb = sched_tick(b, t1);
	ra = sched_tick(a, t1);
	assert_int_equal(rb, 1);
	assert_int_equal(ra, 0);
	p = run_for(f->s, "purge", slot_of(t1, 3600));
	assert_string_equal(p.node, "node-b");
	assert_int_equal(p.started_at, t1);
	assert_int_equal(runs_of(f->s, "purge").n, 2);
	assert_int_equal(runs_of(f->s, "maintain").n, 1);

	/* the next day: purge and maintain again (demands runs yearly here) */
	int64_t t2 = T0 + DAY;
	assert_int_equal(sched_tick(a, t2) + sched_tick(b, t2), 2);
	assert_int_equal(run_for(f->s, "maintain", slot_of(t2, DAY)).slot, slot_of(t2, DAY));
	int runs = (int)sched_jobs_count + 1 + 2;
	assert_int_equal(runs_of(f->s, "").n, runs);

	/* a node whose clock is behind does not run an earlier slot again */
	struct sched *late = make_sched(f->s, "node-late", "");
	assert_int_equal(sched_tick(late, T0), 0);
	assert_int_equal(runs_of(f->s, "").n, runs);

	sched_stop(late);
	sched_stop(a);
	sched_stop(b);
}

static void test_locked_job_waits(void **state)
{
	struct fixture *f = *state;
	struct sched *a = make_sched(f->s, "node-a", "");
	assert_int_equal(sched_tick(a, T0), (int)sched_jobs_count);

	/* someone else is running purge */
	struct store_lock *held = NULL;
	struct app_error e;
	assert_int_equal(store_lock_try(f->s, "purge", &held, &e), APP_OK);
	assert_non_null(held);

	int64_t t1 = T0 + 3600;
	assert_int_equal(sched_tick(a, t1), 0);
	assert_int_equal(sched_tick(a, t1 + 1), 0);
	assert_int_equal(runs_of(f->s, "purge").n, 1); /* not claimed either */

	/* once it is free, the next tick runs the slot */
	store_lock_release(f->s, held);
	assert_int_equal(sched_tick(a, t1 + 2), 1);
	struct job_run p = run_for(f->s, "purge", slot_of(t1, 3600));
	assert_string_equal(p.node, "node-a");
	assert_string_equal(p.outcome, "ok");
	assert_int_equal(p.started_at, t1 + 2);
	/* and the scheduler let go of the lock */
	assert_int_equal(store_lock_try(f->s, "purge", &held, &e), APP_OK);
	assert_non_null(held);
	store_lock_release(f->s, held);
	sched_stop(a);
}

/* ---- purge ---- */

static void seed_user(struct store *s, int64_t *id, int64_t *version)
{
	struct region rows[3] = {
		{ .code = "98", .parent_code = "", .level = DIV_PROVINCE, .name = "测试省" },
		{ .code = "9801", .parent_code = "98", .level = DIV_CITY, .name = "测试市" },
		{ .code = "980101", .parent_code = "9801", .level = DIV_COUNTY, .name = "测试县" },
	};
	struct app_error e;
	if (store_regions_import(s, rows, 3, NULL, NULL, &e) != APP_OK)
		fail_msg("import: %s", e.msg);
	struct user u = { .created_at = 1 };
	snprintf(u.name, sizeof(u.name), "张三");
	snprintf(u.phone, sizeof(u.phone), "13800000001");
	snprintf(u.region, sizeof(u.region), "980101");
	if (store_user_create(s, &u, "h", NULL, NULL, id, &e) != APP_OK)
		fail_msg("user: %s", e.msg);
	struct user got;
	assert_int_equal(store_user_get(s, *id, &got, &e), APP_OK);
	*version = got.version;
}

static void token(uint8_t hash[TOKEN_HASH_LEN], int n)
{
	memset(hash, 0, TOKEN_HASH_LEN);
	hash[0] = (uint8_t)n;
	hash[1] = 0xb1;
}

static bool session_exists(struct store *s, int n)
{
	uint8_t h[TOKEN_HASH_LEN];
	token(h, n);
	struct session_info si;
	struct app_error e;
	enum app_err rc = store_session_get(s, h, &si, &e);
	if (rc != APP_OK && rc != APP_ENOTFOUND)
		fail_msg("session %d: %s", n, e.msg);
	return rc == APP_OK;
}

/* Record a sign-in attempt of subject at `at`. */
static void attempt(struct store *s, const char *subject, int64_t at)
{
	bool allowed = false;
	int64_t latest = 0;
	struct app_error e;
	assert_int_equal(store_login_attempt(s, subject, at, 0, 100, &allowed, &latest, &e), APP_OK);
	assert_true(allowed);
}

/* The newest attempt of subject still recorded, 0 when none. */
static int64_t newest_attempt(struct store *s, const char *subject, int64_t now)
{
	bool allowed = true;
	int64_t latest = 0;
	struct app_error e;
	/* a limit of 1 since the epoch: refused, saying when, iff one is left */
	assert_int_equal(store_login_attempt(s, subject, now, 0, 1, &allowed, &latest, &e), APP_OK);
	if (allowed) {
		assert_int_equal(store_login_attempt_undo(s, subject, now, &e), APP_OK);
		return 0;
	}
	return latest;
}

static bool count_fn(void *ctx, const struct event_record *r)
{
	(void)r;
	++*(int *)ctx;
	return true;
}

static int count_events(struct store *s, const char *topic)
{
	int n = 0;
	struct app_error e;
	assert_int_equal(store_events_after(s, topic, 0, 1000, count_fn, &n, &e), APP_OK);
	return n;
}

static void publish(struct store *s, const char *topic, int64_t *id)
{
	struct event_note ev = { .topic = topic, .kind = "test.kind", .county = "980101",
				 .data = "{\"n\":1}" };
	struct app_error e;
	if (store_event_publish(s, &ev, id, &e) != APP_OK)
		fail_msg("publish: %s", e.msg);
}

static void test_purge(void **state)
{
	struct fixture *f = *state;
	int64_t uid, ver;
	seed_user(f->s, &uid, &ver);
	const int64_t T = clock_now();
	struct app_error e;
	uint8_t h[TOKEN_HASH_LEN];
	/* 1: expired two days ago; 2: revoked two days ago; 3: valid; 4: expired an
	 * hour ago; 5: revoked an hour ago */
	const struct {
		int64_t created, expires, revoked;
	} sess[] = {
		{ T - 10 * DAY, T - 2 * DAY, 0 }, { T - 3 * DAY, T + DAY, T - 2 * DAY },
		{ T - 3 * DAY, T + DAY, 0 },      { T - 3 * DAY, T - 3600, 0 },
		{ T - 3 * DAY, T + DAY, T - 3600 },
	};
	for (int i = 0; i < 5; i++) {
		token(h, i + 1);
		assert_int_equal(store_session_create(f->s, h, uid, ver, sess[i].created,
						      sess[i].expires, NULL, &e),
				 APP_OK);
		if (sess[i].revoked)
			assert_int_equal(store_session_revoke(f->s, h, sess[i].revoked, NULL, &e),
					 APP_OK);
	}
	attempt(f->s, "account:old", T - 2 * DAY);
	attempt(f->s, "account:old", T - 2 * DAY + 60);
	attempt(f->s, "account:mixed", T - 2 * DAY);
	attempt(f->s, "account:mixed", T - 3600);
	attempt(f->s, "address:fresh", T - 60);

	/* an event of eight days ago, and two fresh ones */
	int64_t old_id, new_id;
	clock_set_offset(-8 * DAY);
	publish(f->s, "user:1", &old_id);
	clock_set_offset(0);
	publish(f->s, "user:1", &new_id);
	publish(f->s, "user:2", NULL);
	assert_true(new_id > old_id);

	struct store_purge_counts n = { 7, 7, 7 };
	assert_int_equal(store_purge(f->s, T, T - DAY, T - DAY, T - 7 * DAY, &n, &e), APP_OK);
	assert_int_equal(n.sessions, 2);
	assert_int_equal(n.login_failures, 3);
	assert_int_equal(n.events, 1);

	assert_false(session_exists(f->s, 1));
	assert_false(session_exists(f->s, 2));
	assert_true(session_exists(f->s, 3));
	assert_true(session_exists(f->s, 4));
	assert_true(session_exists(f->s, 5));
	assert_int_equal(newest_attempt(f->s, "account:old", T), 0);
	assert_int_equal(newest_attempt(f->s, "account:mixed", T), T - 3600);
	assert_int_equal(newest_attempt(f->s, "address:fresh", T), T - 60);
	assert_int_equal(count_events(f->s, "user:1"), 1);
	assert_int_equal(count_events(f->s, "user:2"), 1);
	/* the resume point of a client that saw the old event still works */
	int64_t head = 0;
	assert_int_equal(store_events_head(f->s, &head, &e), APP_OK);
	assert_true(head > new_id);

	/* nothing more to do */
	assert_int_equal(store_purge(f->s, T, T - DAY, T - DAY, T - 7 * DAY, &n, &e), APP_OK);
	assert_int_equal(n.sessions + n.login_failures + n.events, 0);

	/* the scheduled purge cuts at a day for sessions and attempts and at
	 * EVENT_RETENTION_DAYS for events: three days on, the rest goes */
	struct sched *sc = make_sched(f->s, "n1", "");
	assert_int_equal(sched_tick(sc, T + 3 * DAY), (int)sched_jobs_count);
	assert_contains(run_for(f->s, "purge", slot_of(T + 3 * DAY, 3600)).detail,
			"removed 3 sessions, 2 sign-in attempts, 0 events");
	sched_stop(sc);
	for (int i = 3; i <= 5; i++)
		assert_false(session_exists(f->s, i));
	assert_int_equal(count_events(f->s, "user:1"), 1);
}

/* The clock was once set a year forward: the event stamped then neither
 * stops the prune of the old events after it nor goes itself, nor does
 * one stamped at the cutoff; all go once they are old. */
static void test_purge_after_clock_set_forward(void **state)
{
	struct fixture *f = *state;
	const int64_t T = clock_now();
	struct app_error e;
	clock_set_offset(-9 * DAY);
	publish(f->s, "old", NULL);
	clock_set_offset(365 * DAY);
	publish(f->s, "future", NULL);
	clock_set_offset(-8 * DAY); /* set back */
	publish(f->s, "old", NULL);
	clock_set_offset(-7 * DAY);
	publish(f->s, "kept", NULL); /* at the cutoff */
	clock_set_offset(0);
	publish(f->s, "kept", NULL);

	struct store_purge_counts n;
	assert_int_equal(store_purge(f->s, T, T - DAY, T - DAY, T - 7 * DAY, &n, &e), APP_OK);
	assert_int_equal(n.events, 2);
	assert_int_equal(count_events(f->s, "old"), 0);
	assert_int_equal(count_events(f->s, "future"), 1);
	assert_int_equal(count_events(f->s, "kept"), 2);

	/* past the future event: none is left between the cutoff and now */
	const int64_t later = T + 400 * DAY;
	assert_int_equal(store_purge(f->s, later, later - DAY, later - DAY, later - 7 * DAY, &n, &e),
			 APP_OK);
	assert_int_equal(n.events, 3);
	assert_int_equal(count_events(f->s, "future"), 0);
	assert_int_equal(count_events(f->s, "kept"), 0);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_job_table),
		cmocka_unit_test_setup_teardown(test_bad_intervals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interval_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interval_sets_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interval_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_nodes_one_run_per_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked_job_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge_after_clock_set_forward, setup, teardown),
	};
	return cmocka_run_group_tests_name("sched", tests, NULL, NULL);
}
