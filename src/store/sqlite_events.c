/*
 * sqlite_events.c - live events, scheduled jobs and housekeeping on SQLite.
 *
 * Events are appended by the writer inside the transaction of the change
 * they announce; the writer tells the watcher their topics after the commit
 * (sqlite.c), so a watcher never hears of an event it cannot read yet. With
 * SQLite the watcher hears only of this process's events: a deployment
 * with several nodes uses PostgreSQL (pg_events.c).
 *
 * Job slots are claimed with one conditional UPDATE on the writer, so they
 * are claimed once even by several processes on one file; store locks are
 * held by name within this process.
 */
#include "store/sqlite_int.h"
#include "store/sqlite_fts.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- events ---- */

/* Bind ev as the row of an events insert whose parameters start after the
 * first'th (its columns in the order of STMT_EVENT_INSERT). */
static void event_bind(sqlite3_stmt *st, int first, const struct event_note *ev)
{
	sqlite3_bind_int64(st, first + 1, clock_now());
	sqlite3_bind_text(st, first + 2, ev->county, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, first + 3, ev->topic, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, first + 4, ev->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, first + 5, ev->data, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, first + 6, ev->subject ? ev->subject : "", -1, SQLITE_STATIC);
}

enum app_err sq_event_append(struct conn *c, const struct event_note *ev, int64_t *id,
			     struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_EVENT_INSERT, err);
	if (!st)
		return APP_EDB;
	event_bind(st, 0, ev);
	enum app_err rc = sq_step_done(c, st, "recording an event", err);
	if (rc != APP_OK)
		return rc;
	if (id)
		*id = sqlite3_last_insert_rowid(c->db);
	sq_pending_topic(c->owner, ev->topic);
	return APP_OK;
}

enum app_err sq_events_append(struct conn *c, const struct event_note *evs, int n,
			      struct app_error *err)
{
	enum app_err rc = APP_OK;
	int i = 0;
	for (; rc == APP_OK && n - i >= SQ_ROWS_MANY; i += SQ_ROWS_MANY) {
		sqlite3_stmt *st = sq_stmt(c, STMT_EVENT_INSERT_MANY, err);
		if (!st)
			return APP_EDB;
		for (int j = 0; j < SQ_ROWS_MANY; j++)
			event_bind(st, 6 * j, &evs[i + j]);
		rc = sq_step_done(c, st, "recording events", err);
		for (int j = 0; rc == APP_OK && j < SQ_ROWS_MANY; j++)
			sq_pending_topic(c->owner, evs[i + j].topic);
	}
	for (; rc == APP_OK && i < n; i++)
		rc = sq_event_append(c, &evs[i], NULL, err);
	return rc;
}

enum app_err sq_events_rewrite(struct conn *c, const char *subject, const char *data,
			       struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_EVENTS_REWRITE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, data, -1, SQLITE_STATIC);
	return sq_step_done(c, st, "rewriting events", err);
}

struct publish_job {
	const struct event_note *ev;
	int64_t *id;
};

static enum app_err publish_job(struct conn *c, void *arg, struct app_error *err)
{
	struct publish_job *pj = arg;
	return sq_event_append(c, pj->ev, pj->id, err);
}

static enum app_err sq_event_publish(struct store *s, const struct event_note *ev, int64_t *id,
				     struct app_error *err)
{
	struct publish_job pj = { ev, id };
	return sq_write(s, publish_job, &pj, err);
}

struct after_read {
	const char *topic;
	int64_t after;
	int limit;
	store_event_fn fn;
	void *ctx;
};

static enum app_err after_read(struct conn *c, void *arg, struct app_error *err)
{
	struct after_read *ar = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_EVENTS_AFTER, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, ar->topic, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ar->after);
	sqlite3_bind_int(st, 3, ar->limit);
	struct event_record *e = xmalloc(sizeof(*e));
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		e->id = sqlite3_column_int64(st, 0);
		e->at = sqlite3_column_int64(st, 1);
		sq_copy_text(e->topic, sizeof(e->topic), st, 2);
		sq_copy_text(e->kind, sizeof(e->kind), st, 3);
		sq_copy_text(e->county, sizeof(e->county), st, 4);
		sq_copy_text(e->data, sizeof(e->data), st, 5);
		if (!ar->fn(ar->ctx, e)) {
			r = SQLITE_DONE;
			break;
		}
	}
	free(e);
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, "reading events");
}

static enum app_err sq_events_after(struct store *s, const char *topic, int64_t after, int limit,
				    store_event_fn fn, void *ctx, struct app_error *err)
{
	struct after_read ar = { topic, after, limit, fn, ctx };
	return sq_read(s, after_read, &ar, err);
}

static enum app_err head_read(struct conn *c, void *arg, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_EVENTS_HEAD, err);
	if (!st)
		return APP_EDB;
	int r = sqlite3_step(st);
	*(int64_t *)arg = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return r == SQLITE_ROW ? APP_OK : sq_db_fail(err, c->db, "reading the newest event");
}

static enum app_err sq_events_head(struct store *s, int64_t *id, struct app_error *err)
{
	return sq_read(s, head_read, id, err);
}

static enum app_err sq_events_watch(struct store *s, store_watch_fn fn, void *ctx,
				    struct app_error *err)
{
	(void)err;
	struct sq *q = sq_impl(s);
	pthread_mutex_lock(&q->watch_mu);
	q->watch_fn = fn;
	q->watch_ctx = ctx;
	pthread_mutex_unlock(&q->watch_mu);
	return APP_OK;
}

static void sq_events_unwatch(struct store *s)
{
	struct sq *q = sq_impl(s);
	pthread_mutex_lock(&q->watch_mu);
	q->watch_fn = NULL;
	q->watch_ctx = NULL;
	pthread_mutex_unlock(&q->watch_mu);
}

const struct store_event_ops sq_event_ops = {
	.publish = sq_event_publish,
	.after = sq_events_after,
	.head = sq_events_head,
	.watch = sq_events_watch,
	.unwatch = sq_events_unwatch,
};

/* ---- scheduled jobs ---- */

struct claim_job {
	const char *name, *node;
	int64_t slot, now;
	int64_t *run_id;
};

static enum app_err claim_job(struct conn *c, void *arg, struct app_error *err)
{
	struct claim_job *cj = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_JOB_ENSURE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, cj->name, -1, SQLITE_STATIC);
	enum app_err rc = sq_step_done(c, st, "registering a job", err);
	if (rc != APP_OK || !(st = sq_stmt(c, STMT_JOB_CLAIM, err)))
		return rc != APP_OK ? rc : APP_EDB;
	sqlite3_bind_text(st, 1, cj->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, cj->slot);
	rc = sq_step_done(c, st, "claiming a job's slot", err);
	if (rc != APP_OK || sqlite3_changes(c->db) == 0)
		return rc; /* another run has this slot: *run_id stays 0 */
	if (!(st = sq_stmt(c, STMT_JOB_RUN_INSERT, err)))
		return APP_EDB;
	sqlite3_bind_text(st, 1, cj->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, cj->slot);
	sqlite3_bind_text(st, 3, cj->node, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, cj->now);
	rc = sq_step_done(c, st, "recording a job run", err);
	if (rc == APP_OK)
		*cj->run_id = sqlite3_last_insert_rowid(c->db);
	return rc;
}

static enum app_err sq_job_claim(struct store *s, const char *name, int64_t slot,
				 const char *node, int64_t now, int64_t *run_id,
				 struct app_error *err)
{
	struct claim_job cj = { name, node, slot, now, run_id };
	return sq_write(s, claim_job, &cj, err);
}

struct finish_job {
	int64_t run_id, now;
	bool ok;
	const char *detail;
};

static enum app_err finish_job(struct conn *c, void *arg, struct app_error *err)
{
	struct finish_job *fj = arg;
	char detail[sizeof(((struct job_run *)0)->detail)];
	sqlite3_stmt *st = sq_stmt(c, STMT_JOB_RUN_FINISH, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, fj->run_id);
	sqlite3_bind_int64(st, 2, fj->now);
	sqlite3_bind_text(st, 3, fj->ok ? "ok" : "failed", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, utf8_copy_cut(detail, sizeof(detail), fj->detail), -1,
			  SQLITE_TRANSIENT);
	return sq_step_done(c, st, "recording the end of a job run", err);
}

static enum app_err sq_job_finish(struct store *s, int64_t run_id, int64_t now, bool ok,
				  const char *detail, struct app_error *err)
{
	struct finish_job fj = { run_id, now, ok, detail };
	return sq_write(s, finish_job, &fj, err);
}

struct runs_read {
	const char *name;
	int limit;
	store_job_run_fn fn;
	void *ctx;
};

static enum app_err runs_read(struct conn *c, void *arg, struct app_error *err)
{
	struct runs_read *rr = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_JOB_RUNS, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, rr->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, rr->limit);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct job_run run = { .id = sqlite3_column_int64(st, 0) };
		sq_copy_text(run.name, sizeof(run.name), st, 1);
		run.slot = sqlite3_column_int64(st, 2);
		sq_copy_text(run.node, sizeof(run.node), st, 3);
		run.started_at = sqlite3_column_int64(st, 4);
		run.finished_at = sqlite3_column_int64(st, 5);
		sq_copy_text(run.outcome, sizeof(run.outcome), st, 6);
		sq_copy_text(run.detail, sizeof(run.detail), st, 7);
		if (!rr->fn(rr->ctx, &run)) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, "reading job runs");
}

static enum app_err sq_job_runs(struct store *s, const char *name, int limit,
				store_job_run_fn fn, void *ctx, struct app_error *err)
{
	struct runs_read rr = { name, limit, fn, ctx };
	return sq_read(s, runs_read, &rr, err);
}

static enum app_err sq_lock_try(struct store *s, const char *name, struct store_lock **out,
				struct app_error *err)
{
	(void)err;
	struct sq *q = sq_impl(s);
	pthread_mutex_lock(&q->locks_mu);
	struct store_lock *l = q->locks;
	while (l && strcmp(l->name, name) != 0)
		l = l->next;
	if (!l) {
		l = xcalloc(1, sizeof(*l));
		snprintf(l->name, sizeof(l->name), "%s", name);
		l->next = q->locks;
		q->locks = l;
		*out = l;
	}
	pthread_mutex_unlock(&q->locks_mu);
	return APP_OK;
}

static void sq_lock_release(struct store *s, struct store_lock *lock)
{
	struct sq *q = sq_impl(s);
	pthread_mutex_lock(&q->locks_mu);
	for (struct store_lock **p = &q->locks; *p; p = &(*p)->next) {
		if (*p == lock) {
			*p = lock->next;
			break;
		}
	}
	pthread_mutex_unlock(&q->locks_mu);
	free(lock);
}

/* ---- housekeeping ---- */

struct purge_job {
	enum stmt_id stmt;
	int64_t before;
	int64_t now; /* bound as ?2 where the statement has one */
	int64_t *removed;
};

static enum app_err purge_job(struct conn *c, void *arg, struct app_error *err)
{
	struct purge_job *pj = arg;
	sqlite3_stmt *st = sq_stmt(c, pj->stmt, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, pj->before);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, pj->now);
	enum app_err rc = sq_step_done(c, st, "removing old rows", err);
	if (rc == APP_OK)
		*pj->removed = sqlite3_changes(c->db);
	return rc;
}

static enum app_err sq_purge(struct store *s, int64_t now, int64_t sessions_before,
			     int64_t attempts_before, int64_t events_before,
			     struct store_purge_counts *out, struct app_error *err)
{
	struct purge_job jobs[] = {
		{ STMT_SESSIONS_PURGE, sessions_before, now, &out->sessions },
		{ STMT_LOGIN_FAILURES_PURGE, attempts_before, now, &out->login_failures },
		{ STMT_EVENTS_PRUNE, events_before, now, &out->events },
	};
	for (size_t i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++) {
		enum app_err rc = sq_write(s, purge_job, &jobs[i], err);
		if (rc != APP_OK)
			return rc;
	}
	return APP_OK;
}

static enum app_err sq_maintain(struct store *s, int64_t now, char *detail, size_t cap,
				struct app_error *err)
{
	(void)now;
	struct sq *q = sq_impl(s);
	/* A connection of its own: a checkpoint cannot run inside the writer's
	 * transactions, and a passive one never blocks them. */
	sqlite3 *db = NULL;
	int wal_pages = 0, copied = 0;
	if (sqlite3_open_v2(q->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
		    SQLITE_OK ||
	    sq_fts_register(db, err) != APP_OK || /* PRAGMA optimize may open FTS tables */
	    /* a first read opens the WAL; before it the checkpoint has none */
	    sqlite3_exec(db, "PRAGMA schema_version", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &wal_pages, &copied) !=
		    SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA optimize", NULL, NULL, NULL) != SQLITE_OK) {
		enum app_err rc = sq_db_fail(err, db, "maintaining the database");
		sqlite3_close_v2(db);
		return rc;
	}
	sqlite3_close_v2(db);
	snprintf(detail, cap, "checkpointed %d of %d WAL pages; statistics refreshed", copied,
		 wal_pages);
	return APP_OK;
}

const struct store_sched_ops sq_sched_ops = {
	.job_claim = sq_job_claim,
	.job_finish = sq_job_finish,
	.job_runs = sq_job_runs,
	.lock_try = sq_lock_try,
	.lock_release = sq_lock_release,
	.purge = sq_purge,
	.maintain = sq_maintain,
};
