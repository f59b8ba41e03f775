/*
 * pg_events.c - live events, scheduled jobs and housekeeping on PostgreSQL:
 * the parts that let several nodes share one cluster.
 *
 * Events: an append takes a transaction-scoped advisory lock
 * (PG_LOCK_EVENTS) before it takes its id from the sequence, so ids become
 * visible in id order and a client resuming after id N never skips a
 * smaller id committed later. In the same transaction it NOTIFYs the
 * event's topic; PostgreSQL delivers that at COMMIT to every node that
 * LISTENs. Each node's watcher runs a listener thread on a connection of
 * its own; when that connection is lost it reconnects and tells the watcher
 * that events may have been missed (topic NULL).
 *
 * Jobs: a slot is claimed by a conditional UPDATE (concurrent claims queue
 * on the row lock, and only the first moves the slot); a store lock is a
 * session advisory lock (PG_LOCK_JOBS, hashtext(name)) on a connection kept
 * out of the pool while it is held, so a node that dies loses it at once.
 */
#include "store/pg_int.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/utf8.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- events ---- */

enum app_err pg_events_lock(struct pg_conn *c, struct app_error *err)
{
	if (c->tx.events_locked)
		return APP_OK;
	enum app_err rc = pg_exec(c, PS_EVENTS_LOCK, NULL, "ordering events", NULL, NULL, err);
	c->tx.events_locked = rc == APP_OK;
	return rc;
}

enum app_err pg_event_append(struct pg_conn *c, const struct event_note *ev, int64_t *id,
			     struct app_error *err)
{
	enum app_err rc = pg_events_lock(c, err);
	if (rc != APP_OK)
		return rc;
	struct pg_params p = { 0 };
	pgp_int(&p, clock_now());
	pgp_text(&p, ev->county);
	pgp_text(&p, ev->topic);
	pgp_text(&p, ev->kind);
	pgp_text(&p, ev->data);
	pgp_text(&p, ev->subject ? ev->subject : "");
	PGresult *res;
	rc = pg_exec(c, PS_EVENT_INSERT, &p, "recording an event", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	if (id)
		*id = pg_int(res, 0, 0);
	PQclear(res);
	return APP_OK;
}

enum app_err pg_events_rewrite(struct pg_conn *c, const char *subject, const char *data,
			       struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_text(&p, subject);
	pgp_text(&p, data);
	return pg_exec(c, PS_EVENTS_REWRITE, &p, "rewriting events", NULL, NULL, err);
}

struct publish_job {
	const struct event_note *ev;
	int64_t *id;
};

static enum app_err publish_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct publish_job *pj = arg;
	return pg_event_append(c, pj->ev, pj->id, err);
}

static enum app_err pg_event_publish(struct store *s, const struct event_note *ev, int64_t *id,
				     struct app_error *err)
{
	struct publish_job pj = { ev, id };
	return pg_write(s, publish_job, &pj, err);
}

struct after_read {
	const char *topic;
	int64_t after;
	int limit;
	store_event_fn fn;
	void *ctx;
};

static enum app_err after_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct after_read *ar = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, ar->topic);
	pgp_int(&p, ar->after);
	pgp_int(&p, ar->limit);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_EVENTS_AFTER, &p, "reading events", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	struct event_record *e = xmalloc(sizeof(*e));
	for (int i = 0; i < PQntuples(res); i++) {
		e->id = pg_int(res, i, 0);
		e->at = pg_int(res, i, 1);
		pg_copy_text(e->topic, sizeof(e->topic), res, i, 2);
		pg_copy_text(e->kind, sizeof(e->kind), res, i, 3);
		pg_copy_text(e->county, sizeof(e->county), res, i, 4);
		pg_copy_text(e->data, sizeof(e->data), res, i, 5);
		if (!ar->fn(ar->ctx, e))
			break;
	}
	free(e);
	PQclear(res);
	return APP_OK;
}

static enum app_err pg_events_after(struct store *s, const char *topic, int64_t after, int limit,
				    store_event_fn fn, void *ctx, struct app_error *err)
{
	struct after_read ar = { topic, after, limit, fn, ctx };
	return pg_read(s, after_read, &ar, err);
}

static enum app_err head_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_EVENTS_HEAD, NULL, "reading the newest event", &res, NULL,
				  err);
	if (rc == APP_OK) {
		*(int64_t *)arg = pg_int(res, 0, 0);
		PQclear(res);
	}
	return rc;
}

static enum app_err pg_events_head(struct store *s, int64_t *id, struct app_error *err)
{
	return pg_read(s, head_read, id, err);
}

/* ---- the listener: one thread per watching node ---- */

struct pg_listener {
	char *uri;
	store_watch_fn fn;
	void *ctx;
	atomic_bool stop;
	pthread_t thread;
	struct pg_conn *first; /* the connection that LISTENs from the start, or NULL */
};

/* Connect and LISTEN; NULL (after a log line) when the server is away. */
static struct pg_conn *listen_connect(struct pg_listener *l)
{
	struct pg_conn *c;
	struct app_error err;
	if (pg_conn_open(l->uri, &c, &err) != APP_OK) {
		log_warn("store.listen_failed", "reason=\"%s\"", err.msg);
		return NULL;
	}
	if (pg_conn_exec(c, "LISTEN " PG_EVENTS_CHANNEL, "listening for events", &err) != APP_OK) {
		log_warn("store.listen_failed", "reason=\"%s\"", err.msg);
		pg_conn_close(c);
		return NULL;
	}
	return c;
}

/* Wait up to ms for c's socket to have data (or for nothing, when c is NULL). */
static void wait_readable(struct pg_conn *c, int ms)
{
	struct pollfd pfd = { .fd = c ? PQsocket(c->db) : -1, .events = POLLIN };
	while (poll(c ? &pfd : NULL, c ? 1 : 0, ms) < 0 && errno == EINTR)
		;
}

static void *listener_main(void *arg)
{
	struct pg_listener *l = arg;
	struct pg_conn *c = l->first;
	/* listening since before watch() returned, the first connection misses
	 * nothing; without one, whatever happened meanwhile may have been missed */
	bool was_connected = c != NULL;
	while (!atomic_load(&l->stop)) {
		if (!c) {
			c = listen_connect(l);
			if (!c) {
				was_connected = false;
				wait_readable(NULL, 500);
				continue;
			}
			if (!was_connected) {
				log_info("store.listen_resumed", "missed=maybe");
				l->fn(l->ctx, NULL);
			}
			was_connected = true;
		}
		wait_readable(c, 250);
		if (!PQconsumeInput(c->db) || PQstatus(c->db) != CONNECTION_OK) {
			log_warn("store.listen_lost", "reason=\"connection lost\"");
			pg_conn_close(c);
			c = NULL;
			was_connected = false;
			continue;
		}
		PGnotify *n;
		while ((n = PQnotifies(c->db))) {
			l->fn(l->ctx, n->extra);
			PQfreemem(n);
		}
	}
	pg_conn_close(c);
	return NULL;
}

static enum app_err pg_events_watch(struct store *s, store_watch_fn fn, void *ctx,
				    struct app_error *err)
{
	struct pg *q = pg_impl(s);
	if (q->listener)
		return app_fail(err, APP_EINTERNAL, "events are already being watched");
	struct pg_listener *l = xcalloc(1, sizeof(*l));
	l->uri = xstrdup(q->uri);
	l->fn = fn;
	l->ctx = ctx;
	atomic_init(&l->stop, false);
	/* LISTEN before returning, so that no event committed after this call
	 * goes unheard; when the server is away the thread keeps trying */
	l->first = listen_connect(l);
	if (pthread_create(&l->thread, NULL, listener_main, l) != 0) {
		pg_conn_close(l->first);
		free(l->uri);
		free(l);
		return app_fail(err, APP_EINTERNAL, "cannot start the event listener: %s",
				strerror(errno));
	}
	q->listener = l;
	return APP_OK;
}

static void pg_events_unwatch(struct store *s)
{
	struct pg *q = pg_impl(s);
	struct pg_listener *l = q ? q->listener : NULL;
	if (!l)
		return;
	atomic_store(&l->stop, true);
	pthread_join(l->thread, NULL);
	q->listener = NULL;
	free(l->uri);
	free(l);
}

const struct store_event_ops pg_event_ops = {
	.publish = pg_event_publish,
	.after = pg_events_after,
	.head = pg_events_head,
	.watch = pg_events_watch,
	.unwatch = pg_events_unwatch,
};

/* ---- scheduled jobs ---- */

struct claim_job {
	const char *name, *node;
	int64_t slot, now;
	int64_t *run_id;
};

static enum app_err claim_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct claim_job *cj = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, cj->name);
	enum app_err rc = pg_exec(c, PS_JOB_ENSURE, &p, "registering a job", NULL, NULL, err);
	if (rc != APP_OK)
		return rc;
	pgp_int(&p, cj->slot);
	int64_t changed = 0;
	rc = pg_exec(c, PS_JOB_CLAIM, &p, "claiming a job's slot", NULL, &changed, err);
	if (rc != APP_OK || changed == 0)
		return rc; /* another run has this slot: *run_id stays 0 */
	struct pg_params r = { 0 };
	pgp_text(&r, cj->name);
	pgp_int(&r, cj->slot);
	pgp_text(&r, cj->node);
	pgp_int(&r, cj->now);
	PGresult *res;
	rc = pg_exec(c, PS_JOB_RUN_INSERT, &r, "recording a job run", &res, NULL, err);
	if (rc == APP_OK) {
		*cj->run_id = pg_int(res, 0, 0);
		PQclear(res);
	}
	return rc;
}

static enum app_err pg_job_claim(struct store *s, const char *name, int64_t slot,
				 const char *node, int64_t now, int64_t *run_id,
				 struct app_error *err)
{
	struct claim_job cj = { name, node, slot, now, run_id };
	enum app_err rc = pg_write(s, claim_job, &cj, err);
	if (rc != APP_OK)
		*run_id = 0;
	return rc;
}

struct finish_job {
	int64_t run_id, now;
	bool ok;
	const char *detail;
};

static enum app_err finish_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct finish_job *fj = arg;
	char detail[sizeof(((struct job_run *)0)->detail)];
	struct pg_params p = { 0 };
	pgp_int(&p, fj->run_id);
	pgp_int(&p, fj->now);
	pgp_text(&p, fj->ok ? "ok" : "failed");
	pgp_text(&p, utf8_copy_cut(detail, sizeof(detail), fj->detail));
	return pg_exec(c, PS_JOB_RUN_FINISH, &p, "recording the end of a job run", NULL, NULL, err);
}

static enum app_err pg_job_finish(struct store *s, int64_t run_id, int64_t now, bool ok,
				  const char *detail, struct app_error *err)
{
	struct finish_job fj = { run_id, now, ok, detail };
	return pg_write(s, finish_job, &fj, err);
}

struct runs_read {
	const char *name;
	int limit;
	store_job_run_fn fn;
	void *ctx;
};

static enum app_err runs_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct runs_read *rr = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, rr->name);
	pgp_int(&p, rr->limit);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_JOB_RUNS, &p, "reading job runs", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	for (int i = 0; i < PQntuples(res); i++) {
		struct job_run run = { .id = pg_int(res, i, 0) };
		pg_copy_text(run.name, sizeof(run.name), res, i, 1);
		run.slot = pg_int(res, i, 2);
		pg_copy_text(run.node, sizeof(run.node), res, i, 3);
		run.started_at = pg_int(res, i, 4);
		run.finished_at = pg_int(res, i, 5);
		pg_copy_text(run.outcome, sizeof(run.outcome), res, i, 6);
		pg_copy_text(run.detail, sizeof(run.detail), res, i, 7);
		if (!rr->fn(rr->ctx, &run))
			break;
	}
	PQclear(res);
	return APP_OK;
}

static enum app_err pg_job_runs(struct store *s, const char *name, int limit,
				store_job_run_fn fn, void *ctx, struct app_error *err)
{
	struct runs_read rr = { name, limit, fn, ctx };
	return pg_read(s, runs_read, &rr, err);
}

static enum app_err pg_lock_try(struct store *s, const char *name, struct store_lock **out,
				struct app_error *err)
{
	struct pg *q = pg_impl(s);
	struct pg_conn *c = pg_acquire(q, err);
	if (!c)
		return err->code;
	struct pg_params p = { 0 };
	pgp_text(&p, name);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_JOB_LOCK_TRY, &p, "taking a job lock", &res, NULL, err);
	if (rc != APP_OK) {
		pg_release(q, c);
		return rc;
	}
	bool got = pg_bool(res, 0, 0);
	PQclear(res);
	if (!got) {
		pg_release(q, c);
		return APP_OK;
	}
	struct store_lock *l = xcalloc(1, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->conn = c; /* out of the pool until released: the lock lives on it */
	*out = l;
	return APP_OK;
}

static void pg_lock_release(struct store *s, struct store_lock *lock)
{
	struct pg_params p = { 0 };
	pgp_text(&p, lock->name);
	struct app_error ignored;
	/* When the connection broke meanwhile the lock went with it, and the
	 * pool drops the connection. */
	pg_exec(lock->conn, PS_JOB_UNLOCK, &p, "releasing a job lock", NULL, NULL, &ignored);
	pg_release(pg_impl(s), lock->conn);
	free(lock);
}

/* ---- housekeeping ---- */

struct purge_job {
	enum pg_stmt stmt;
	int64_t before;
	int64_t *removed;
};

static enum app_err purge_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct purge_job *pj = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, pj->before);
	return pg_exec(c, pj->stmt, &p, "removing old rows", NULL, pj->removed, err);
}

struct drop_months_job {
	int64_t before;
	int64_t rows; /* that went with the dropped months */
};

static enum app_err drop_months_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct drop_months_job *dj = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, dj->before);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_EVENTS_DROP_MONTHS, &p, "dropping old months of events",
				  &res, NULL, err);
	if (rc == APP_OK) {
		dj->rows = pg_int(res, 0, 0);
		PQclear(res);
	}
	return rc;
}

static enum app_err pg_purge(struct store *s, int64_t now, int64_t sessions_before,
			     int64_t attempts_before, int64_t events_before,
			     struct store_purge_counts *out, struct app_error *err)
{
	(void)now; /* by time alone: the months of events are partitions of their own */
	/* Whole months of events go as partitions (cheap); the rest row by row. */
	struct drop_months_job dj = { events_before, 0 };
	enum app_err rc = pg_write(s, drop_months_job, &dj, err);
	struct purge_job jobs[] = {
		{ PS_SESSIONS_PURGE, sessions_before, &out->sessions },
		{ PS_LOGIN_FAILURES_PURGE, attempts_before, &out->login_failures },
		{ PS_EVENTS_PRUNE, events_before, &out->events },
	};
	for (size_t i = 0; rc == APP_OK && i < sizeof(jobs) / sizeof(jobs[0]); i++)
		rc = pg_write(s, purge_job, &jobs[i], err);
	out->events += dj.rows;
	return rc;
}

/* The tables partitioned by month (sql/pg). */
static const char *const monthly_tables[] = { "events", "audit_log", "messages" };

struct partitions_job {
	int64_t now;
	int64_t made;
};

static enum app_err partitions_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct partitions_job *pj = arg;
	for (size_t i = 0; i < sizeof(monthly_tables) / sizeof(monthly_tables[0]); i++) {
		struct pg_params p = { 0 };
		pgp_text(&p, monthly_tables[i]);
		pgp_int(&p, pj->now);
		PGresult *res;
		enum app_err rc = pg_exec(c, PS_PARTITIONS_ENSURE, &p, "creating partitions", &res,
					  NULL, err);
		if (rc != APP_OK)
			return rc;
		pj->made += pg_int(res, 0, 0);
		PQclear(res);
	}
	return APP_OK;
}

static enum app_err pg_maintain(struct store *s, int64_t now, char *detail, size_t cap,
				struct app_error *err)
{
	struct partitions_job pj = { .now = now };
	enum app_err rc = pg_write(s, partitions_job, &pj, err);
	if (rc == APP_OK)
		snprintf(detail, cap, "%lld monthly partitions created", (long long)pj.made);
	return rc;
}

const struct store_sched_ops pg_sched_ops = {
	.job_claim = pg_job_claim,
	.job_finish = pg_job_finish,
	.job_runs = pg_job_runs,
	.lock_try = pg_lock_try,
	.lock_release = pg_lock_release,
	.purge = pg_purge,
	.maintain = pg_maintain,
};
