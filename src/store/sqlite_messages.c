/*
 * sqlite_messages.c - messages, their search index, broadcasts, bulk
 * ingest and images on SQLite.
 *
 * A message and its events go in one group-committed job, so a message is
 * never stored without being announced, or the reverse. Its row in the
 * search index comes right after, from the indexer (sqlite_index.c), and a
 * search waits for the index to cover every message committed before it.
 */
#include "store/sqlite_int.h"
#include "store/sqlite_fts.h"
#include "core/clock.h"
#include "core/mem.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static void read_message(sqlite3_stmt *st, struct message *m)
{
	memset(m, 0, offsetof(struct message, body));
	m->id = sqlite3_column_int64(st, 0);
	m->group_id = sqlite3_column_int64(st, 1);
	sq_copy_text(m->county, sizeof(m->county), st, 2);
	m->author_id = sqlite3_column_int64(st, 3);
	sq_copy_text(m->author_name, sizeof(m->author_name), st, 4);
	sq_copy_text(m->kind, sizeof(m->kind), st, 5);
	sq_copy_text(m->body, sizeof(m->body), st, 6);
	m->reply_to = sqlite3_column_int64(st, 7);
	store_mentions_parse((const char *)sqlite3_column_text(st, 8), m);
	sq_copy_text(m->attachment, sizeof(m->attachment), st, 9);
	m->broadcast_id = sqlite3_column_int64(st, 10);
	sq_copy_text(m->state, sizeof(m->state), st, 11);
	sq_copy_text(m->state_reason, sizeof(m->state_reason), st, 12);
	sq_copy_text(m->source, sizeof(m->source), st, 13);
	m->at = sqlite3_column_int64(st, 14);
}

void sq_message_read(sqlite3_stmt *st, struct message *m) { read_message(st, m); }

/* Step a write: as sq_step_write, and a value a CHECK refuses (kind, state,
 * source) is the caller's to fix, said as pg_messages.c says it. */
static enum app_err step_write(struct conn *c, sqlite3_stmt *st, const char *what,
			       struct app_error *err)
{
	enum app_err rc = sq_step_write(c, st, what, err);
	if (rc == APP_EDB && sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_CHECK)
		return app_fail(err, APP_EINVAL, "%s: a value is out of range", what);
	return rc;
}

static enum app_err append_event(void *ctx, const struct event_note *ev, struct app_error *err)
{
	return sq_event_append(ctx, ev, NULL, err);
}

static enum app_err rewrite_events(void *ctx, const char *subject, const char *data,
				   struct app_error *err)
{
	return sq_events_rewrite(ctx, subject, data, err);
}

/* Insert m as the next message, setting m->id (its at must be set), with
 * its events and what m->patrol says; the indexer (sqlite_index.c) makes
 * it findable after the commit. */
static enum app_err insert_message(struct conn *c, struct message *m,
				   store_message_json_fn json, struct app_error *err)
{
	char mentions[MESSAGE_MENTIONS_MAX * 21];
	store_mentions_format(m, mentions, sizeof(mentions));
	if (!*m->source)
		snprintf(m->source, sizeof(m->source), "app");
	snprintf(m->state, sizeof(m->state), "visible");
	sqlite3_stmt *st = sq_stmt(c, STMT_MESSAGE_INSERT, err);
	if (!st)
		return APP_EDB;
	c->owner->messages_written = true;
	sqlite3_bind_int64(st, 1, m->group_id);
	sqlite3_bind_text(st, 2, m->county, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, m->author_id);
	sqlite3_bind_text(st, 4, m->author_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, m->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, m->body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, m->reply_to);
	sqlite3_bind_text(st, 8, mentions, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, m->attachment, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, m->broadcast_id);
	sqlite3_bind_text(st, 11, m->source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, m->at);
	enum app_err rc = step_write(c, st, "storing a message", err);
	if (rc != APP_OK)
		return rc;
	m->id = sqlite3_last_insert_rowid(c->db);
	if ((rc = sq_patrol_note_message(c, m, err)) != APP_OK)
		return rc;
	return store_message_events(m, "message", json, append_event, rewrite_events, c, err);
}

struct post_job {
	struct message *m;
	store_message_json_fn json;
};

static enum app_err post_job(struct conn *c, void *arg, struct app_error *err)
{
	struct post_job *pj = arg;
	return insert_message(c, pj->m, pj->json, err);
}

static enum app_err message_post(struct store *s, struct message *m, store_message_json_fn json,
				 struct app_error *err)
{
	if (!m->at)
		m->at = clock_now();
	struct post_job pj = { m, json };
	return sq_write(s, post_job, &pj, err);
}

/* A post in flight: its job's argument, freed when it is told. */
struct post_wait {
	struct post_job pj;
	store_done_fn done;
	void *ctx;
};

static void post_told(void *ctx, enum app_err rc, const struct app_error *err)
{
	struct post_wait *pw = ctx;
	pw->done(pw->ctx, rc, err);
	free(pw);
}

static void message_post_async(struct store *s, struct message *m, store_message_json_fn json,
			       store_done_fn done, void *ctx)
{
	if (!m->at)
		m->at = clock_now();
	struct post_wait *pw = xmalloc(sizeof(*pw));
	*pw = (struct post_wait){ { m, json }, done, ctx };
	sq_write_async(s, post_job, &pw->pj, post_told, pw);
}

struct list_read {
	enum stmt_id stmt;
	int64_t a, b;
	int limit;
	store_message_fn fn;
	void *ctx;
	bool found;
};

static enum app_err list_read(struct conn *c, void *arg, struct app_error *err)
{
	struct list_read *lr = arg;
	sqlite3_stmt *st = sq_stmt(c, lr->stmt, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, lr->a);
	if (lr->stmt != STMT_MESSAGE_GET) {
		sqlite3_bind_int64(st, 2, lr->b);
		sqlite3_bind_int(st, 3, lr->limit);
	}
	struct message *m = xmalloc(sizeof(*m));
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		read_message(st, m);
		lr->found = true;
		if (!lr->fn(lr->ctx, m)) {
			r = SQLITE_DONE;
			break;
		}
	}
	free(m);
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, "reading messages");
}

static bool copy_message(void *ctx, const struct message *m)
{
	*(struct message *)ctx = *m;
	return false;
}

static enum app_err message_get(struct store *s, int64_t id, struct message *out,
				struct app_error *err)
{
	struct list_read lr = { .stmt = STMT_MESSAGE_GET, .a = id, .fn = copy_message, .ctx = out };
	enum app_err rc = sq_read(s, list_read, &lr, err);
	if (rc == APP_OK && !lr.found)
		return app_fail(err, APP_ENOTFOUND, "no such message");
	return rc;
}

static enum app_err messages_list(struct store *s, int64_t group_id, int64_t after,
				  int64_t before, int limit, store_message_fn fn, void *ctx,
				  struct app_error *err)
{
	struct list_read lr = { .stmt = after >= 0 ? STMT_MESSAGES_AFTER : STMT_MESSAGES_BEFORE,
				.a = group_id,
				.b = after >= 0 ? after : (before > 0 ? before : INT64_MAX),
				.limit = limit,
				.fn = fn,
				.ctx = ctx };
	return sq_read(s, list_read, &lr, err);
}

struct state_job {
	const struct message *m;
	const struct audit_note *note;
	store_message_json_fn json;
};

static enum app_err state_job(struct conn *c, void *arg, struct app_error *err)
{
	struct state_job *sj = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_MESSAGE_SET_STATE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, sj->m->id);
	sqlite3_bind_text(st, 2, sj->m->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sj->m->state_reason, -1, SQLITE_STATIC);
	enum app_err rc = step_write(c, st, "changing a message", err);
	if (rc == APP_OK && sqlite3_changes(c->db) == 0)
		rc = app_fail(err, APP_ENOTFOUND, "no such message");
	if (rc == APP_OK)
		rc = sq_audit_append(c, sj->note, err);
	if (rc == APP_OK)
		rc = store_message_events(sj->m, "message.changed", sj->json, append_event,
					  rewrite_events, c, err);
	return rc;
}

static enum app_err message_set_state(struct store *s, const struct message *m,
				      const struct audit_note *note, store_message_json_fn json,
				      struct app_error *err)
{
	struct state_job sj = { m, note, json };
	return sq_write(s, state_job, &sj, err);
}

/* How long a search waits for the indexer to cover the messages committed
 * before it (a burst of bulk ingest can put it behind by seconds). */
enum { SEARCH_INDEX_WAIT_MS = 2000 };

struct search_read {
	const char *query;
	const struct message_scope *scope;
	int64_t group_id;
	int limit;
	store_message_fn fn;
	void *ctx;
};

/* Add `scope : "<term>"` to the scope alternatives being written. */
static void add_scope(struct strbuf *expr, bool *first, char kind, const char *id)
{
	strbuf_addstr(expr, *first ? "(scope : \"" : " OR scope : \"");
	strbuf_addch(expr, kind);
	strbuf_addstr(expr, id);
	strbuf_addch(expr, '"');
	*first = false;
}

/* The scope part of the match: the caller's regions and the groups they are
 * an active member of, and the one group asked for if any. *any is false
 * for an empty scope (nothing can match). */
static enum app_err scope_match(struct conn *c, const struct search_read *sr,
				struct strbuf *expr, bool *any, struct app_error *err)
{
	char id[24];
	bool first = true;
	if (sr->group_id) {
		snprintf(id, sizeof(id), "%" PRId64, sr->group_id);
		strbuf_addf(expr, "scope : \"g%s\" AND ", id);
	}
	for (int i = 0; i < sr->scope->nregions; i++) {
		const char *code = sr->scope->regions[i];
		if (*code && code[strspn(code, "0123456789")] == '\0') /* a term, nothing else */
			add_scope(expr, &first, 'r', code);
	}
	if (sr->scope->member) {
		sqlite3_stmt *st = sq_stmt(c, STMT_MEMBER_ACTIVE_GROUPS, err);
		if (!st)
			return APP_EDB;
		sqlite3_bind_int64(st, 1, sr->scope->member);
		int r;
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			snprintf(id, sizeof(id), "%" PRId64, (int64_t)sqlite3_column_int64(st, 0));
			add_scope(expr, &first, 'g', id);
		}
		sqlite3_reset(st);
		if (r != SQLITE_DONE)
			return sq_db_fail(err, c->db, "reading the groups of a member");
	}
	if (!first)
		strbuf_addch(expr, ')');
	*any = !first;
	return APP_OK;
}

/* The newest message's id into *(int64_t *)arg, 0 when there is none. */
static enum app_err newest_read(struct conn *c, void *arg, struct app_error *err)
{
	int64_t *newest = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_MESSAGES_NEWEST, err);
	if (!st)
		return APP_EDB;
	int r = sqlite3_step(st);
	*newest = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return r == SQLITE_ROW ? APP_OK : sq_db_fail(err, c->db, "reading the newest message");
}

static enum app_err search_read(struct conn *c, void *arg, struct app_error *err)
{
	struct search_read *sr = arg;
	sqlite3_stmt *st;
	struct strbuf expr = STRBUF_INIT;
	strbuf_addstr(&expr, "body : (");
	enum app_err rc = sq_fts_match(sr->query, strlen(sr->query), &expr, err);
	bool any = false;
	if (rc == APP_OK) {
		strbuf_addstr(&expr, ") AND ");
		rc = scope_match(c, sr, &expr, &any, err);
	}
	if (rc != APP_OK || !any) {
		strbuf_release(&expr);
		return rc;
	}
	if (!(st = sq_stmt(c, STMT_MESSAGES_SEARCH, err))) {
		strbuf_release(&expr);
		return APP_EDB;
	}
	sqlite3_bind_text(st, 1, expr.buf, (int)expr.len, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, sr->limit);
	struct message *m = xmalloc(sizeof(*m));
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		read_message(st, m);
		if (!sr->fn(sr->ctx, m)) {
			r = SQLITE_DONE;
			break;
		}
	}
	free(m);
	sqlite3_reset(st);
	strbuf_release(&expr);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, "searching messages");
}

static enum app_err messages_search(struct store *s, const char *query,
				    const struct message_scope *scope, int64_t group_id,
				    int limit, store_message_fn fn, void *ctx,
				    struct app_error *err)
{
	/* the newest message first, then the wait for the index holding no
	 * reader (a lagging index must not keep the pool's connections from
	 * other requests), then the search: it finds every message committed
	 * before it began */
	int64_t newest;
	enum app_err rc = sq_read(s, newest_read, &newest, err);
	if (rc != APP_OK)
		return rc;
	sq_index_wait(sq_impl(s), newest, SEARCH_INDEX_WAIT_MS);
	struct search_read sr = { query, scope, group_id, limit, fn, ctx };
	return sq_read(s, search_read, &sr, err);
}

struct ingest_job {
	const char *const *keys;
	size_t n;
	store_ingest_fill_fn fill;
	void *ctx;
	store_message_json_fn json;
	struct ingest_counts *counts;
};

/* Record key, taken at now: *fresh false when it was recorded before (a
 * repeat, counted in counts). */
static enum app_err record_key(struct conn *c, const char *key, int64_t now, bool *fresh,
			       struct ingest_counts *counts, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_INGEST_KEY_INSERT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	enum app_err rc = step_write(c, st, "recording an ingest key", err);
	*fresh = rc == APP_OK && sqlite3_changes(c->db) > 0;
	if (rc == APP_OK && !*fresh)
		counts->repeated++;
	return rc;
}

/* One statement per message checks and records its key (a key seen before
 * changes nothing: a repeat); each new message is filled into the one
 * struct m and stored. */
static enum app_err ingest_job(struct conn *c, void *arg, struct app_error *err)
{
	struct ingest_job *ij = arg;
	int64_t now = clock_now();
	enum app_err rc = APP_OK;
	struct message *m = xmalloc(sizeof(*m));
	for (size_t i = 0; rc == APP_OK && i < ij->n; i++) {
		bool fresh;
		if ((rc = record_key(c, ij->keys[i], now, &fresh, ij->counts, err)) != APP_OK ||
		    !fresh)
			continue;
		ij->fill(ij->ctx, i, m);
		if (!m->at)
			m->at = now;
		if ((rc = insert_message(c, m, ij->json, err)) == APP_OK)
			ij->counts->stored++;
	}
	free(m);
	return rc;
}

static enum app_err messages_ingest(struct store *s, const char *const *keys, size_t n,
				    store_ingest_fill_fn fill, void *ctx,
				    store_message_json_fn json, struct ingest_counts *counts,
				    struct app_error *err)
{
	struct ingest_job ij = { keys, n, fill, ctx, json, counts };
	return sq_write(s, ingest_job, &ij, err);
}

/* ---- the queue of bulk ingest ---- */

struct queue_job {
	const char *const *keys;
	const void *const *item;
	const size_t *item_len;
	size_t n;
	struct ingest_counts *counts;
	int64_t *call_id;
};

/* The keys recorded as ingest_job records them; the new keys' items
 * concatenated into one pending call. */
static enum app_err queue_job(struct conn *c, void *arg, struct app_error *err)
{
	struct queue_job *qj = arg;
	int64_t now = clock_now();
	struct strbuf body = STRBUF_INIT;
	enum app_err rc = APP_OK;
	for (size_t i = 0; rc == APP_OK && i < qj->n; i++) {
		bool fresh;
		if ((rc = record_key(c, qj->keys[i], now, &fresh, qj->counts, err)) == APP_OK &&
		    fresh) {
			strbuf_add(&body, qj->item[i], qj->item_len[i]);
			qj->counts->stored++;
		}
	}
	sqlite3_stmt *st;
	if (rc == APP_OK && qj->counts->stored) {
		if (!(st = sq_stmt(c, STMT_INGEST_CALL_INSERT, err))) {
			rc = APP_EDB;
		} else {
			sqlite3_bind_int64(st, 1, now);
			sqlite3_bind_int64(st, 2, qj->counts->stored);
			sqlite3_bind_blob(st, 3, body.buf, (int)body.len, SQLITE_STATIC);
			if ((rc = step_write(c, st, "keeping an ingest call", err)) == APP_OK)
				*qj->call_id = sqlite3_last_insert_rowid(c->db);
		}
	}
	strbuf_release(&body);
	return rc;
}

static enum app_err messages_ingest_queue(struct store *s, const char *const *keys,
					  const void *const *item, const size_t *item_len,
					  size_t n, struct ingest_counts *counts, int64_t *call_id,
					  struct app_error *err)
{
	struct queue_job qj = { keys, item, item_len, n, counts, call_id };
	return sq_write(s, queue_job, &qj, err);
}

struct pending_read {
	store_ingest_call_fn fn;
	void *ctx;
};

static enum app_err pending_read(struct conn *c, void *arg, struct app_error *err)
{
	struct pending_read *pr = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_INGEST_CALLS_PENDING, err);
	if (!st)
		return APP_EDB;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const void *body = sqlite3_column_blob(st, 3); /* NULL when empty */
		struct ingest_call call = { .id = sqlite3_column_int64(st, 0),
					    .at = sqlite3_column_int64(st, 1),
					    .messages = sqlite3_column_int64(st, 2),
					    .body = body ? body : "",
					    .len = (size_t)sqlite3_column_bytes(st, 3) };
		if (!pr->fn(pr->ctx, &call)) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, "reading pending ingest calls");
}

static enum app_err messages_ingest_pending(struct store *s, store_ingest_call_fn fn, void *ctx,
					    struct app_error *err)
{
	struct pending_read pr = { fn, ctx };
	return sq_read(s, pending_read, &pr, err);
}

static enum app_err backlog_read(struct conn *c, void *arg, struct app_error *err)
{
	struct ingest_backlog *out = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_INGEST_BACKLOG, err);
	if (!st)
		return APP_EDB;
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*out = (struct ingest_backlog){ .messages = sqlite3_column_int64(st, 0),
						.oldest_at = sqlite3_column_int64(st, 1),
						.failed = sqlite3_column_int64(st, 2) };
	sqlite3_reset(st);
	return r == SQLITE_ROW ? APP_OK : sq_db_fail(err, c->db, "counting pending ingest calls");
}

static enum app_err messages_ingest_backlog(struct store *s, struct ingest_backlog *out,
					    struct app_error *err)
{
	return sq_read(s, backlog_read, out, err);
}

struct load_job {
	const int64_t *calls;
	const size_t *first;
	size_t ncalls;
	store_ingest_fill_fn fill;
	void *ctx;
	store_message_json_fn json;
	bool *loaded;
};

/* Each call deleted, then its messages stored; a call no longer pending is
 * skipped. */
static enum app_err load_job(struct conn *c, void *arg, struct app_error *err)
{
	struct load_job *lj = arg;
	enum app_err rc = APP_OK;
	struct message *m = xmalloc(sizeof(*m));
	for (size_t k = 0; rc == APP_OK && k < lj->ncalls; k++) {
		sqlite3_stmt *st = sq_stmt(c, STMT_INGEST_CALL_DELETE, err);
		if (!st) {
			rc = APP_EDB;
			break;
		}
		sqlite3_bind_int64(st, 1, lj->calls[k]);
		if ((rc = sq_step_done(c, st, "taking an ingest call", err)) != APP_OK)
			break;
		if (!(lj->loaded[k] = sqlite3_changes(c->db) > 0))
			continue;
		for (size_t i = lj->first[k]; rc == APP_OK && i < lj->first[k + 1]; i++) {
			lj->fill(lj->ctx, i, m);
			rc = insert_message(c, m, lj->json, err);
		}
	}
	free(m);
	return rc;
}

static enum app_err messages_ingest_load(struct store *s, const int64_t *calls,
					 const size_t *first, size_t ncalls,
					 store_ingest_fill_fn fill, void *ctx,
					 store_message_json_fn json, bool *loaded,
					 struct app_error *err)
{
	struct load_job lj = { calls, first, ncalls, fill, ctx, json, loaded };
	return sq_write(s, load_job, &lj, err);
}

struct fail_job {
	int64_t id;
	const char *reason;
};

static enum app_err fail_job(struct conn *c, void *arg, struct app_error *err)
{
	struct fail_job *fj = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_INGEST_CALL_FAIL, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, fj->id);
	sqlite3_bind_text(st, 2, fj->reason, -1, SQLITE_STATIC);
	enum app_err rc = sq_step_done(c, st, "setting an ingest call aside", err);
	if (rc == APP_OK && sqlite3_changes(c->db) == 0)
		return app_fail(err, APP_ENOTFOUND, "ingest call %lld is not pending",
				(long long)fj->id);
	return rc;
}

static enum app_err messages_ingest_fail(struct store *s, int64_t id, const char *reason,
					 struct app_error *err)
{
	struct fail_job fj = { id, reason };
	return sq_write(s, fail_job, &fj, err);
}

struct broadcast_job {
	struct message *m;
	const char *within;
	const struct audit_note *note;
	store_message_json_fn json;
	int64_t id, groups;
};

static enum app_err broadcast_job(struct conn *c, void *arg, struct app_error *err)
{
	struct broadcast_job *bj = arg;
	struct message *m = bj->m;
	sqlite3_stmt *st = sq_stmt(c, STMT_BROADCAST_INSERT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, m->group_id);
	sqlite3_bind_int64(st, 2, m->author_id);
	sqlite3_bind_text(st, 3, m->body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, m->at);
	enum app_err rc = step_write(c, st, "recording a broadcast", err);
	if (rc != APP_OK)
		return rc;
	bj->id = sqlite3_last_insert_rowid(c->db);
	/* the targets first (a statement cannot stay open while others run on
	 * the same prepared slot), then a message in each */
	size_t n = 0, cap = 64;
	struct target {
		int64_t id;
		char county[7];
	} *targets = xmalloc(cap * sizeof(*targets));
	if (!(st = sq_stmt(c, STMT_BROADCAST_TARGETS, err))) {
		free(targets);
		return APP_EDB;
	}
	sqlite3_bind_text(st, 1, bj->within, -1, SQLITE_STATIC);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap)
			targets = xrealloc(targets, (cap *= 2) * sizeof(*targets));
		targets[n].id = sqlite3_column_int64(st, 0);
		sq_copy_text(targets[n].county, sizeof(targets[n].county), st, 1);
		n++;
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		rc = sq_db_fail(err, c->db, "finding the groups of a broadcast");
	int64_t from = m->group_id;
	for (size_t i = 0; rc == APP_OK && i < n; i++) {
		m->group_id = targets[i].id;
		snprintf(m->county, sizeof(m->county), "%s", targets[i].county);
		m->broadcast_id = bj->id;
		if ((rc = insert_message(c, m, bj->json, err)) != APP_OK)
			break;
		if (!(st = sq_stmt(c, STMT_DELIVERY_INSERT, err))) {
			rc = APP_EDB;
			break;
		}
		sqlite3_bind_int64(st, 1, bj->id);
		sqlite3_bind_int64(st, 2, targets[i].id);
		sqlite3_bind_int64(st, 3, m->id);
		rc = step_write(c, st, "recording a delivery", err);
	}
	m->group_id = from;
	bj->groups = (int64_t)n;
	free(targets);
	if (rc == APP_OK) {
		char object[48];
		snprintf(object, sizeof(object), "broadcast:%lld", (long long)bj->id);
		struct audit_note note = *bj->note;
		note.object = object;
		rc = sq_audit_append(c, &note, err);
	}
	return rc;
}

static enum app_err broadcast(struct store *s, struct message *m, const char *within,
			      const struct audit_note *note, store_message_json_fn json,
			      int64_t *broadcast_id, int64_t *groups, struct app_error *err)
{
	m->at = clock_now();
	struct broadcast_job bj = { m, within, note, json, 0, 0 };
	enum app_err rc = sq_write(s, broadcast_job, &bj, err);
	if (rc == APP_OK) {
		*broadcast_id = bj.id;
		*groups = bj.groups;
	}
	return rc;
}

struct deliveries_read {
	int64_t id;
	int64_t *from;
	store_delivery_fn fn;
	void *ctx;
	bool found;
};

static enum app_err deliveries_read(struct conn *c, void *arg, struct app_error *err)
{
	struct deliveries_read *dr = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_DELIVERIES, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, dr->id);
	int r;
	bool go = true;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct broadcast_delivery d = { .group_id = sqlite3_column_int64(st, 0) };
		sq_copy_text(d.group_name, sizeof(d.group_name), st, 1);
		d.message_id = sqlite3_column_int64(st, 2);
		*dr->from = sqlite3_column_int64(st, 3);
		dr->found = true;
		if (go)
			go = dr->fn(dr->ctx, &d);
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, "reading deliveries");
}

static enum app_err broadcast_deliveries(struct store *s, int64_t broadcast_id,
					 int64_t *from_group, store_delivery_fn fn, void *ctx,
					 struct app_error *err)
{
	struct deliveries_read dr = { broadcast_id, from_group, fn, ctx, false };
	enum app_err rc = sq_read(s, deliveries_read, &dr, err);
	if (rc == APP_OK && !dr.found)
		return app_fail(err, APP_ENOTFOUND, "no such broadcast");
	return rc;
}

static enum app_err attachment_put_job(struct conn *c, void *arg, struct app_error *err)
{
	const struct attachment *a = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_ATTACHMENT_INSERT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, a->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, a->group_id);
	sqlite3_bind_text(st, 3, a->mime, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, a->size);
	sqlite3_bind_int64(st, 5, a->uploader);
	sqlite3_bind_int64(st, 6, a->at);
	return step_write(c, st, "recording an image", err);
}

static enum app_err attachment_put(struct store *s, const struct attachment *a,
				   struct app_error *err)
{
	return sq_write(s, attachment_put_job, (void *)a, err);
}

struct attachment_read {
	const char *sha;
	int64_t group_id;
	struct attachment *out;
};

static enum app_err attachment_read(struct conn *c, void *arg, struct app_error *err)
{
	struct attachment_read *ar = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_ATTACHMENT_GET, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, ar->sha, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ar->group_id);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		struct attachment *a = ar->out;
		sq_copy_text(a->sha256, sizeof(a->sha256), st, 0);
		a->group_id = sqlite3_column_int64(st, 1);
		sq_copy_text(a->mime, sizeof(a->mime), st, 2);
		a->size = sqlite3_column_int64(st, 3);
		a->uploader = sqlite3_column_int64(st, 4);
		a->at = sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	if (r == SQLITE_DONE)
		return app_fail(err, APP_ENOTFOUND, "no such image");
	return r == SQLITE_ROW ? APP_OK : sq_db_fail(err, c->db, "reading an image");
}

static enum app_err attachment_get(struct store *s, const char *sha256, int64_t group_id,
				   struct attachment *out, struct app_error *err)
{
	struct attachment_read ar = { sha256, group_id, out };
	return sq_read(s, attachment_read, &ar, err);
}

struct shown_read {
	const char *sha;
	int64_t group_id;
	bool *shown;
};

static enum app_err shown_read(struct conn *c, void *arg, struct app_error *err)
{
	struct shown_read *sr = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_ATTACHMENT_SHOWN, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, sr->sha, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, sr->group_id);
	int r = sqlite3_step(st);
	*sr->shown = r == SQLITE_ROW;
	sqlite3_reset(st);
	return r == SQLITE_ROW || r == SQLITE_DONE ? APP_OK
						   : sq_db_fail(err, c->db, "looking for an image");
}

static enum app_err attachment_shown(struct store *s, const char *sha256, int64_t group_id,
				     bool *shown, struct app_error *err)
{
	struct shown_read sr = { sha256, group_id, shown };
	return sq_read(s, shown_read, &sr, err);
}

const struct store_message_ops sq_message_ops = {
	.post = message_post,
	.post_async = message_post_async,
	.get = message_get,
	.list = messages_list,
	.set_state = message_set_state,
	.search = messages_search,
	.ingest = messages_ingest,
	.ingest_queue = messages_ingest_queue,
	.ingest_pending = messages_ingest_pending,
	.ingest_backlog = messages_ingest_backlog,
	.ingest_load = messages_ingest_load,
	.ingest_fail = messages_ingest_fail,
	.broadcast = broadcast,
	.deliveries = broadcast_deliveries,
	.attachment_put = attachment_put,
	.attachment_get = attachment_get,
	.attachment_shown = attachment_shown,
};
