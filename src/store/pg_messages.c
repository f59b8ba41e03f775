/*
 * pg_messages.c - messages, their search terms, broadcasts, bulk ingest
 * (stored at once, or queued: a call taken as one row of ingest_calls and
 * loaded later, on any node) and images on PostgreSQL: the twin of
 * sqlite_messages.c, with the same errors, messages, counts and orders.
 *
 * A message is stored with its tsvector (pg_fts.c: the terms FTS5 indexes
 * on SQLite; PG_MESSAGES_COMPACT says which kind) and its events in one
 * transaction, so a message is never stored without being findable and
 * announced, or the reverse.
 *
 * Where SQLite has one writer, several transactions write here at once, so
 * two locks keep the outcome the same:
 *   - a message takes its id only after its transaction holds
 *     PG_LOCK_EVENTS, which the event of the message takes anyway and holds
 *     to COMMIT: message ids then become visible in id order, as event ids
 *     do, and a reader catching up with "id > after" never skips a smaller
 *     id committed later;
 *   - an ingest, stored or queued, takes that lock before it checks its
 *     first key, so a key another ingest is storing or queueing at the same
 *     moment is seen as repeated, not refused as a conflict; a load of
 *     queued calls takes it before it deletes its first call (load_job).
 * A transaction that appends events and an audit entry appends the events
 * first: every such transaction takes PG_LOCK_EVENTS before PG_LOCK_AUDIT,
 * and none waits for another holding them the other way round.
 */
#include "store/pg_int.h"
#include "store/pg_fts.h"
#include "core/clock.h"
#include "core/mem.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kind of index of messages.terms: as messages_fts on SQLite
 * (sql/sqlite/0007: tokenize = 'bianmin', every character a unigram). */
#define PG_MESSAGES_COMPACT false

static void read_message(const PGresult *r, int row, struct message *m)
{
	memset(m, 0, sizeof(*m));
	m->id = pg_int(r, row, 0);
	m->group_id = pg_int(r, row, 1);
	pg_copy_text(m->county, sizeof(m->county), r, row, 2);
	m->author_id = pg_int(r, row, 3);
	pg_copy_text(m->author_name, sizeof(m->author_name), r, row, 4);
	pg_copy_text(m->kind, sizeof(m->kind), r, row, 5);
	pg_copy_text(m->body, sizeof(m->body), r, row, 6);
	m->reply_to = pg_int(r, row, 7);
	store_mentions_parse(PQgetvalue(r, row, 8), m);
	pg_copy_text(m->attachment, sizeof(m->attachment), r, row, 9);
	m->broadcast_id = pg_int(r, row, 10);
	pg_copy_text(m->state, sizeof(m->state), r, row, 11);
	pg_copy_text(m->state_reason, sizeof(m->state_reason), r, row, 12);
	pg_copy_text(m->source, sizeof(m->source), r, row, 13);
	m->at = pg_int(r, row, 14);
}

void pg_message_read(const PGresult *r, int row, struct message *m) { read_message(r, row, m); }

/* Run a write: as pg_exec, and a value a CHECK refuses (kind, state,
 * source) is the caller's to fix, said as sqlite_messages.c says it. */
static enum app_err write_stmt(struct pg_conn *c, enum pg_stmt id, const struct pg_params *p,
			       const char *what, PGresult **res, int64_t *changes,
			       struct app_error *err)
{
	enum app_err rc = pg_exec(c, id, p, what, res, changes, err);
	if (rc == APP_EDB && strcmp(c->sqlstate, "23514") == 0) /* check_violation */
		return app_fail(err, APP_EINVAL, "%s: a value is out of range", what);
	return rc;
}

/* The id an INSERT ... RETURNING id gave. */
static int64_t returned_id(PGresult *res)
{
	int64_t id = PQntuples(res) == 1 ? pg_int(res, 0, 0) : 0;
	PQclear(res);
	return id;
}


static enum app_err append_event(void *ctx, const struct event_note *ev, struct app_error *err)
{
	return pg_event_append(ctx, ev, NULL, err);
}

static enum app_err rewrite_events(void *ctx, const char *subject, const char *data,
				   struct app_error *err)
{
	return pg_events_rewrite(ctx, subject, data, err);
}

/* Insert m (setting its id; its at must be set) with its terms, its events
 * and what m->patrol says. */
static enum app_err insert_message(struct pg_conn *c, struct message *m,
				   store_message_json_fn json, struct app_error *err)
{
	char mentions[MESSAGE_MENTIONS_MAX * 21];
	store_mentions_format(m, mentions, sizeof(mentions));
	if (!*m->source)
		snprintf(m->source, sizeof(m->source), "app");
	snprintf(m->state, sizeof(m->state), "visible");
	enum app_err rc = pg_events_lock(c, err); /* ids in commit order (top of file) */
	if (rc != APP_OK)
		return rc;
	struct strbuf terms = STRBUF_INIT;
	pg_fts_vector(m->body, strlen(m->body), PG_MESSAGES_COMPACT, &terms);
	struct pg_params p = { 0 };
	pgp_int(&p, m->group_id);
	pgp_text(&p, m->county);
	pgp_int(&p, m->author_id);
	pgp_text(&p, m->author_name);
	pgp_text(&p, m->kind);
	pgp_text(&p, m->body);
	pgp_int(&p, m->reply_to);
	pgp_text(&p, mentions);
	pgp_text(&p, m->attachment);
	pgp_int(&p, m->broadcast_id);
	pgp_text(&p, m->source);
	pgp_int(&p, m->at);
	pgp_text(&p, terms.buf);
	PGresult *res;
	rc = write_stmt(c, PS_MESSAGE_INSERT, &p, "storing a message", &res, NULL, err);
	strbuf_release(&terms);
	if (rc != APP_OK)
		return rc;
	m->id = returned_id(res);
	if ((rc = pg_patrol_note_message(c, m, err)) != APP_OK)
		return rc;
	return store_message_events(m, "message", json, append_event, rewrite_events, c, err);
}

struct post_job {
	struct message *m;
	store_message_json_fn json;
};

static enum app_err post_job(struct pg_conn *c, void *arg, struct app_error *err)
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
	return pg_write(s, post_job, &pj, err);
}

struct list_read {
	enum pg_stmt stmt;
	int64_t a, b;
	int limit;
	store_message_fn fn;
	void *ctx;
	bool found;
};

static enum app_err list_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct list_read *lr = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, lr->a);
	if (lr->stmt != PS_MESSAGE_GET) {
		pgp_int(&p, lr->b);
		pgp_int(&p, lr->limit);
	}
	PGresult *res;
	enum app_err rc = pg_exec(c, lr->stmt, &p, "reading messages", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	struct message *m = xmalloc(sizeof(*m));
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		read_message(res, i, m);
		lr->found = true;
		if (!lr->fn(lr->ctx, m))
			break;
	}
	free(m);
	PQclear(res);
	return APP_OK;
}

static bool copy_message(void *ctx, const struct message *m)
{
	*(struct message *)ctx = *m;
	return false;
}

static enum app_err message_get(struct store *s, int64_t id, struct message *out,
				struct app_error *err)
{
	struct list_read lr = { .stmt = PS_MESSAGE_GET, .a = id, .fn = copy_message, .ctx = out };
	enum app_err rc = pg_read(s, list_read, &lr, err);
	if (rc == APP_OK && !lr.found)
		return app_fail(err, APP_ENOTFOUND, "no such message");
	return rc;
}

static enum app_err messages_list(struct store *s, int64_t group_id, int64_t after,
				  int64_t before, int limit, store_message_fn fn, void *ctx,
				  struct app_error *err)
{
	struct list_read lr = { .stmt = after >= 0 ? PS_MESSAGES_AFTER : PS_MESSAGES_BEFORE,
				.a = group_id,
				.b = after >= 0 ? after : (before > 0 ? before : INT64_MAX),
				.limit = limit,
				.fn = fn,
				.ctx = ctx };
	return pg_read(s, list_read, &lr, err);
}

struct state_job {
	const struct message *m;
	const struct audit_note *note;
	store_message_json_fn json;
};

static enum app_err state_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct state_job *sj = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, sj->m->id);
	pgp_text(&p, sj->m->state);
	pgp_text(&p, sj->m->state_reason);
	int64_t changed = 0;
	enum app_err rc = write_stmt(c, PS_MESSAGE_SET_STATE, &p, "changing a message", NULL,
				     &changed, err);
	if (rc == APP_OK && changed == 0)
		rc = app_fail(err, APP_ENOTFOUND, "no such message");
	/* the events before the audit entry (lock order: top of file) */
	if (rc == APP_OK)
		rc = store_message_events(sj->m, "message.changed", sj->json, append_event,
					  rewrite_events, c, err);
	if (rc == APP_OK)
		rc = pg_audit_append(c, sj->note, err);
	return rc;
}

static enum app_err message_set_state(struct store *s, const struct message *m,
				      const struct audit_note *note, store_message_json_fn json,
				      struct app_error *err)
{
	struct state_job sj = { m, note, json };
	return pg_write(s, state_job, &sj, err);
}

struct search_read {
	const char *query; /* a tsquery literal */
	const struct message_scope *scope;
	int64_t group_id;
	int limit;
	store_message_fn fn;
	void *ctx;
};

static enum app_err search_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct search_read *sr = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, sr->query);
	pgp_int(&p, sr->group_id);
	for (int i = 0; i < 4; i++) /* '~' sorts after every code: it matches nothing */
		pgp_text(&p, i < sr->scope->nregions ? sr->scope->regions[i] : "~");
	pgp_int(&p, sr->scope->member);
	pgp_int(&p, sr->limit);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_MESSAGES_SEARCH, &p, "searching messages", &res, NULL,
				  err);
	if (rc != APP_OK)
		return rc;
	struct message *m = xmalloc(sizeof(*m));
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		read_message(res, i, m);
		if (!sr->fn(sr->ctx, m))
			break;
	}
	free(m);
	PQclear(res);
	return APP_OK;
}

static enum app_err messages_search(struct store *s, const char *query,
				    const struct message_scope *scope, int64_t group_id,
				    int limit, store_message_fn fn, void *ctx,
				    struct app_error *err)
{
	struct strbuf tsq = STRBUF_INIT;
	enum app_err rc = pg_fts_query(query, strlen(query), PG_MESSAGES_COMPACT, &tsq, err);
	if (rc == APP_OK) {
		struct search_read sr = { tsq.buf, scope, group_id, limit, fn, ctx };
		rc = pg_read(s, search_read, &sr, err);
	}
	strbuf_release(&tsq);
	return rc;
}

struct ingest_job {
	const char *const *keys;
	size_t n;
	store_ingest_fill_fn fill;
	void *ctx;
	store_message_json_fn json;
	struct ingest_counts *counts;
};

/* A key of an ingest call and its place in the call. */
struct key_ref {
	const char *key;
	size_t i;
};

/* By key, then by place: the first of equal keys comes first. */
static int key_ref_cmp(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	int d = strcmp(x->key, y->key);
	return d ? d : (x->i > y->i) - (x->i < y->i);
}

/* The first of sorted[0..n) whose key is key, or NULL. */
static const struct key_ref *first_of(const struct key_ref *sorted, size_t n, const char *key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(sorted[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(sorted[lo].key, key) == 0 ? &sorted[lo] : NULL;
}

/* Which keys[0..n) (n >= 1) are repeats (repeat[i]): recorded before, or
 * earlier in the call. One statement for the whole call, not one a key,
 * after PG_LOCK_EVENTS is taken (top of file). */
static enum app_err ingest_repeats(struct pg_conn *c, const char *const *keys, size_t n,
				   bool *repeat, struct app_error *err)
{
	enum app_err rc = pg_events_lock(c, err);
	if (rc != APP_OK)
		return rc;
	struct key_ref *sorted = xmalloc(n * sizeof(*sorted));
	struct pg_array seen;
	pg_array_init(&seen);
	for (size_t i = 0; i < n; i++) {
		sorted[i] = (struct key_ref){ keys[i], i };
		pg_array_text(&seen, keys[i]);
	}
	qsort(sorted, n, sizeof(*sorted), key_ref_cmp);
	for (size_t k = 1; k < n; k++)
		if (strcmp(sorted[k].key, sorted[k - 1].key) == 0)
			repeat[sorted[k].i] = true;
	struct pg_params p = { 0 };
	pg_array_param(&p, &seen);
	PGresult *res;
	rc = pg_exec(c, PS_INGEST_KEYS_SEEN, &p, "checking ingest keys", &res, NULL, err);
	for (int row = 0; rc == APP_OK && row < PQntuples(res); row++) {
		/* the first of the call's equal keys: the later ones are repeats already */
		const struct key_ref *k = first_of(sorted, n, PQgetvalue(res, row, 0));
		if (k)
			repeat[k->i] = true;
	}
	if (rc == APP_OK)
		PQclear(res);
	pg_array_release(&seen);
	free(sorted);
	return rc;
}

/* Record the call's new keys (keys: an array of them), taken at now. */
static enum app_err record_keys(struct pg_conn *c, struct pg_array *keys, int64_t now,
				struct app_error *err)
{
	struct pg_params p = { 0 };
	pg_array_param(&p, keys);
	pgp_int(&p, now);
	return write_stmt(c, PS_INGEST_KEYS_INSERT, &p, "recording ingest keys", NULL, NULL, err);
}

/* The keys seen before are found with one statement, the new ones recorded
 * with one more after their messages: two round trips a call instead of
 * two a message. */
static enum app_err ingest_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct ingest_job *ij = arg;
	int64_t now = clock_now();
	bool *repeat = xcalloc(ij->n ? ij->n : 1, sizeof(*repeat));
	enum app_err rc = ij->n ? ingest_repeats(c, ij->keys, ij->n, repeat, err) : APP_OK;
	struct message *m = xmalloc(sizeof(*m));
	struct pg_array keys;
	pg_array_init(&keys);
	for (size_t i = 0; rc == APP_OK && i < ij->n; i++) {
		if (repeat[i]) {
			ij->counts->repeated++;
			continue;
		}
		ij->fill(ij->ctx, i, m);
		if (!m->at)
			m->at = now;
		if ((rc = insert_message(c, m, ij->json, err)) != APP_OK)
			break;
		pg_array_text(&keys, ij->keys[i]);
		ij->counts->stored++;
	}
	if (rc == APP_OK && ij->counts->stored)
		rc = record_keys(c, &keys, now, err);
	pg_array_release(&keys);
	free(m);
	free(repeat);
	return rc;
}

static enum app_err messages_ingest(struct store *s, const char *const *keys, size_t n,
				    store_ingest_fill_fn fill, void *ctx,
				    store_message_json_fn json, struct ingest_counts *counts,
				    struct app_error *err)
{
	struct ingest_job ij = { keys, n, fill, ctx, json, counts };
	return pg_write(s, ingest_job, &ij, err);
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

/* The keys checked and recorded as ingest_job does; the new keys' items
 * concatenated into one pending call. */
static enum app_err queue_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct queue_job *qj = arg;
	int64_t now = clock_now();
	bool *repeat = xcalloc(qj->n ? qj->n : 1, sizeof(*repeat));
	enum app_err rc = qj->n ? ingest_repeats(c, qj->keys, qj->n, repeat, err) : APP_OK;
	struct strbuf body = STRBUF_INIT;
	struct pg_array keys;
	pg_array_init(&keys);
	for (size_t i = 0; rc == APP_OK && i < qj->n; i++) {
		if (repeat[i]) {
			qj->counts->repeated++;
			continue;
		}
		strbuf_add(&body, qj->item[i], qj->item_len[i]);
		pg_array_text(&keys, qj->keys[i]);
		qj->counts->stored++;
	}
	if (rc == APP_OK && qj->counts->stored)
		rc = record_keys(c, &keys, now, err);
	if (rc == APP_OK && qj->counts->stored) {
		struct pg_params p = { 0 };
		pgp_int(&p, now);
		pgp_int(&p, qj->counts->stored);
		pgp_blob(&p, (const uint8_t *)body.buf, body.len);
		PGresult *res;
		rc = write_stmt(c, PS_INGEST_CALL_INSERT, &p, "keeping an ingest call", &res, NULL,
				err);
		if (rc == APP_OK)
			*qj->call_id = returned_id(res);
	}
	pg_array_release(&keys);
	strbuf_release(&body);
	free(repeat);
	return rc;
}

static enum app_err messages_ingest_queue(struct store *s, const char *const *keys,
					  const void *const *item, const size_t *item_len,
					  size_t n, struct ingest_counts *counts, int64_t *call_id,
					  struct app_error *err)
{
	struct queue_job qj = { keys, item, item_len, n, counts, call_id };
	return pg_write(s, queue_job, &qj, err);
}

/* Pending calls read at a time: a call's body can weigh up to 4 MB (twice
 * that as hex text), and the loader stops after a few. */
#define PG_INGEST_PAGE 2

struct pending_read {
	store_ingest_call_fn fn;
	void *ctx;
};

/* A page of calls after the last one told, until fn says stop or a page
 * comes back short. */
static enum app_err pending_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct pending_read *pr = arg;
	enum app_err rc = APP_OK;
	int64_t after = 0;
	for (bool go = true; go && rc == APP_OK;) {
		struct pg_params p = { 0 };
		pgp_int(&p, after);
		pgp_int(&p, PG_INGEST_PAGE);
		PGresult *res;
		rc = pg_exec(c, PS_INGEST_CALLS_PENDING, &p, "reading pending ingest calls", &res,
			     NULL, err);
		if (rc != APP_OK)
			break;
		int n = PQntuples(res);
		for (int i = 0; go && i < n; i++) {
			struct ingest_call call = { .id = pg_int(res, i, 0),
						    .at = pg_int(res, i, 1),
						    .messages = pg_int(res, i, 2) };
			/* a body that does not decode is told as an empty one:
			 * the loader sets the call aside as damaged */
			uint8_t *body = pg_bytea_dup(res, i, 3, &call.len);
			call.body = body ? (const void *)body : "";
			if (!body)
				call.len = 0;
			go = pr->fn(pr->ctx, &call);
			free(body);
			after = call.id;
		}
		PQclear(res);
		go = go && n == PG_INGEST_PAGE;
	}
	return rc;
}

static enum app_err messages_ingest_pending(struct store *s, store_ingest_call_fn fn, void *ctx,
					    struct app_error *err)
{
	struct pending_read pr = { fn, ctx };
	return pg_read(s, pending_read, &pr, err);
}

static enum app_err backlog_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct ingest_backlog *out = arg;
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_INGEST_BACKLOG, NULL, "counting pending ingest calls",
				  &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	if (PQntuples(res) == 1)
		*out = (struct ingest_backlog){ .messages = pg_int(res, 0, 0),
						.oldest_at = pg_int(res, 0, 1),
						.failed = pg_int(res, 0, 2) };
	PQclear(res);
	return APP_OK;
}

static enum app_err messages_ingest_backlog(struct store *s, struct ingest_backlog *out,
					    struct app_error *err)
{
	return pg_read(s, backlog_read, out, err);
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

/* Each call deleted, then its messages stored; a call no longer pending
 * (another node's loader deleted it and committed, or it was set aside)
 * deletes nothing and is skipped. PG_LOCK_EVENTS, which the messages take
 * anyway, is taken before the first delete: two loaders never hold one
 * call's row each while waiting for the lock (a deadlock), and the second
 * one's delete sees the first one's commit. */
static enum app_err load_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct load_job *lj = arg;
	enum app_err rc = pg_events_lock(c, err);
	struct message *m = xmalloc(sizeof(*m));
	for (size_t k = 0; rc == APP_OK && k < lj->ncalls; k++) {
		struct pg_params p = { 0 };
		pgp_int(&p, lj->calls[k]);
		int64_t deleted = 0;
		rc = pg_exec(c, PS_INGEST_CALL_DELETE, &p, "taking an ingest call", NULL, &deleted,
			     err);
		lj->loaded[k] = rc == APP_OK && deleted == 1;
		for (size_t i = lj->first[k]; lj->loaded[k] && rc == APP_OK && i < lj->first[k + 1];
		     i++) {
			lj->fill(lj->ctx, i, m); /* its time as filled: when it was taken */
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
	return pg_write(s, load_job, &lj, err);
}

struct fail_job {
	int64_t id;
	const char *reason;
};

static enum app_err fail_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct fail_job *fj = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, fj->id);
	pgp_text(&p, fj->reason);
	int64_t changed = 0;
	enum app_err rc = write_stmt(c, PS_INGEST_CALL_FAIL, &p, "setting an ingest call aside",
				     NULL, &changed, err);
	if (rc == APP_OK && !changed)
		return app_fail(err, APP_ENOTFOUND, "ingest call %" PRId64 " is not pending",
				fj->id);
	return rc;
}

static enum app_err messages_ingest_fail(struct store *s, int64_t id, const char *reason,
					 struct app_error *err)
{
	struct fail_job fj = { id, reason };
	return pg_write(s, fail_job, &fj, err);
}

struct broadcast_job {
	struct message *m;
	const char *within;
	const struct audit_note *note;
	store_message_json_fn json;
	int64_t id, groups;
};

static enum app_err broadcast_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct broadcast_job *bj = arg;
	struct message *m = bj->m;
	struct pg_params p = { 0 };
	pgp_int(&p, m->group_id);
	pgp_int(&p, m->author_id);
	pgp_text(&p, m->body);
	pgp_int(&p, m->at);
	PGresult *res;
	enum app_err rc = write_stmt(c, PS_BROADCAST_INSERT, &p, "recording a broadcast", &res,
				     NULL, err);
	if (rc != APP_OK)
		return rc;
	bj->id = returned_id(res);
	struct pg_params t = { 0 };
	pgp_text(&t, bj->within);
	PGresult *targets;
	if ((rc = pg_exec(c, PS_BROADCAST_TARGETS, &t, "finding the groups of a broadcast",
			  &targets, NULL, err)) != APP_OK)
		return rc;
	int n = PQntuples(targets);
	int64_t from = m->group_id;
	for (int i = 0; rc == APP_OK && i < n; i++) {
		m->group_id = pg_int(targets, i, 0);
		pg_copy_text(m->county, sizeof(m->county), targets, i, 1);
		m->broadcast_id = bj->id;
		if ((rc = insert_message(c, m, bj->json, err)) != APP_OK)
			break;
		struct pg_params d = { 0 };
		pgp_int(&d, bj->id);
		pgp_int(&d, m->group_id);
		pgp_int(&d, m->id);
		rc = write_stmt(c, PS_DELIVERY_INSERT, &d, "recording a delivery", NULL, NULL, err);
	}
	PQclear(targets);
	m->group_id = from;
	bj->groups = n;
	if (rc == APP_OK) {
		char object[48];
		snprintf(object, sizeof(object), "broadcast:%lld", (long long)bj->id);
		struct audit_note note = *bj->note;
		note.object = object;
		rc = pg_audit_append(c, &note, err);
	}
	return rc;
}

static enum app_err broadcast(struct store *s, struct message *m, const char *within,
			      const struct audit_note *note, store_message_json_fn json,
			      int64_t *broadcast_id, int64_t *groups, struct app_error *err)
{
	m->at = clock_now();
	struct broadcast_job bj = { m, within, note, json, 0, 0 };
	enum app_err rc = pg_write(s, broadcast_job, &bj, err);
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

static enum app_err deliveries_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct deliveries_read *dr = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, dr->id);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_DELIVERIES, &p, "reading deliveries", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	bool go = true;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		struct broadcast_delivery d = { .group_id = pg_int(res, i, 0) };
		pg_copy_text(d.group_name, sizeof(d.group_name), res, i, 1);
		d.message_id = pg_int(res, i, 2);
		*dr->from = pg_int(res, i, 3);
		dr->found = true;
		if (go)
			go = dr->fn(dr->ctx, &d);
	}
	PQclear(res);
	return APP_OK;
}

static enum app_err broadcast_deliveries(struct store *s, int64_t broadcast_id,
					 int64_t *from_group, store_delivery_fn fn, void *ctx,
					 struct app_error *err)
{
	struct deliveries_read dr = { broadcast_id, from_group, fn, ctx, false };
	enum app_err rc = pg_read(s, deliveries_read, &dr, err);
	if (rc == APP_OK && !dr.found)
		return app_fail(err, APP_ENOTFOUND, "no such broadcast");
	return rc;
}

static enum app_err attachment_put_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	const struct attachment *a = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, a->sha256);
	pgp_int(&p, a->group_id);
	pgp_text(&p, a->mime);
	pgp_int(&p, a->size);
	pgp_int(&p, a->uploader);
	pgp_int(&p, a->at);
	return write_stmt(c, PS_ATTACHMENT_INSERT, &p, "recording an image", NULL, NULL, err);
}

static enum app_err attachment_put(struct store *s, const struct attachment *a,
				   struct app_error *err)
{
	return pg_write(s, attachment_put_job, (void *)a, err);
}

struct attachment_read {
	const char *sha;
	int64_t group_id;
	struct attachment *out;
};

static enum app_err attachment_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct attachment_read *ar = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, ar->sha);
	pgp_int(&p, ar->group_id);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_ATTACHMENT_GET, &p, "reading an image", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	if (PQntuples(res) == 1) {
		struct attachment *a = ar->out;
		pg_copy_text(a->sha256, sizeof(a->sha256), res, 0, 0);
		a->group_id = pg_int(res, 0, 1);
		pg_copy_text(a->mime, sizeof(a->mime), res, 0, 2);
		a->size = pg_int(res, 0, 3);
		a->uploader = pg_int(res, 0, 4);
		a->at = pg_int(res, 0, 5);
	} else {
		rc = app_fail(err, APP_ENOTFOUND, "no such image");
	}
	PQclear(res);
	return rc;
}

static enum app_err attachment_get(struct store *s, const char *sha256, int64_t group_id,
				   struct attachment *out, struct app_error *err)
{
	struct attachment_read ar = { sha256, group_id, out };
	return pg_read(s, attachment_read, &ar, err);
}

struct shown_read {
	const char *sha;
	int64_t group_id;
	bool *shown;
};

static enum app_err shown_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct shown_read *sr = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, sr->sha);
	pgp_int(&p, sr->group_id);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_ATTACHMENT_SHOWN, &p, "looking for an image", &res, NULL,
				  err);
	if (rc == APP_OK) {
		*sr->shown = PQntuples(res) > 0;
		PQclear(res);
	}
	return rc;
}

static enum app_err attachment_shown(struct store *s, const char *sha256, int64_t group_id,
				     bool *shown, struct app_error *err)
{
	struct shown_read sr = { sha256, group_id, shown };
	return pg_read(s, shown_read, &sr, err);
}

const struct store_message_ops pg_message_ops = {
	.post = message_post,
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
