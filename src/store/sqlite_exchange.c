/*
 * sqlite_exchange.c - the data-sharing exchange on SQLite (store.h "the
 * data-sharing exchange"): members and their keys, datasets, batches and
 * their rows, subscriptions and push attempts. Each write is one job of the
 * group commit with its audit entry, all or nothing. No rules here:
 * src/exchange checks signatures, schemas and sharing classes first.
 */
#include "store/sqlite_int.h"

#include <string.h>

/* Step a read statement to its end, handing each row to row(); stops early
 * when row() returns false. */
static enum app_err each_row(struct conn *c, sqlite3_stmt *st,
			     bool (*row)(sqlite3_stmt *st, void *arg), void *arg,
			     const char *what, struct app_error *err)
{
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (!row(st, arg)) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, what);
}

/* ---- members and keys ---- */

struct member_job {
	struct exchange_member *m;
	const char *code, *key;
	int64_t at, api_key_id, *key_id;
	const struct audit_note *note;
};

static enum app_err key_insert(struct conn *c, const char *member, const char *key, int64_t at,
			       int64_t *id, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_EXCH_KEY_INSERT, err);
	if (!st)
		return APP_EDB;
	sq_bind_text(st, 1, member);
	sq_bind_text(st, 2, key);
	sqlite3_bind_int64(st, 3, at);
	int r = sqlite3_step(st);
	*id = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return r == SQLITE_ROW ? APP_OK : sq_db_fail(err, c->db, "storing a member's key");
}

static enum app_err member_add_job(struct conn *c, void *arg, struct app_error *err)
{
	struct member_job *j = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_EXCH_MEMBER_INSERT, err);
	if (!st)
		return APP_EDB;
	sq_bind_text(st, 1, j->m->code);
	sq_bind_text(st, 2, j->m->name);
	sq_bind_text(st, 3, j->m->region);
	sqlite3_bind_int64(st, 4, j->m->api_key_id);
	sqlite3_bind_int64(st, 5, j->m->created_at);
	enum app_err rc = sq_step_write(c, st, "storing a member", err);
	if (rc == APP_ECONFLICT)
		return app_fail(err, APP_ECONFLICT, "member '%s' exists already", j->m->code);
	if (rc == APP_OK)
		rc = key_insert(c, j->m->code, j->m->public_key, j->m->created_at, j->key_id, err);
	return rc == APP_OK ? sq_audit_append(c, j->note, err) : rc;
}

static enum app_err member_add(struct store *s, struct exchange_member *m,
			       const struct audit_note *note, struct app_error *err)
{
	int64_t key_id = 0;
	struct member_job j = { .m = m, .note = note, .key_id = &key_id };
	enum app_err rc = sq_write(s, member_add_job, &j, err);
	if (rc == APP_OK)
		m->key_id = key_id;
	return rc;
}

static enum app_err member_rotate_job(struct conn *c, void *arg, struct app_error *err)
{
	struct member_job *j = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_EXCH_KEY_RETIRE, err);
	if (!st)
		return APP_EDB;
	sq_bind_text(st, 1, j->code);
	sqlite3_bind_int64(st, 2, j->at);
	enum app_err rc = sq_step_write(c, st, "retiring a member's key", err);
	if (rc == APP_OK && sqlite3_changes(c->db) == 0)
		rc = app_fail(err, APP_ENOTFOUND, "no member '%s'", j->code);
	if (rc == APP_OK)
		rc = key_insert(c, j->code, j->key, j->at, j->key_id, err);
	return rc == APP_OK ? sq_audit_append(c, j->note, err) : rc;
}

static enum app_err member_rotate(struct store *s, const char *code, const char *public_key,
				  int64_t at, const struct audit_note *note, int64_t *key_id,
				  struct app_error *err)
{
	int64_t id = 0;
	struct member_job j = { .code = code, .key = public_key, .at = at, .note = note,
				.key_id = &id };
	enum app_err rc = sq_write(s, member_rotate_job, &j, err);
	if (rc == APP_OK)
		*key_id = id;
	return rc;
}

static enum app_err member_link_job(struct conn *c, void *arg, struct app_error *err)
{
	struct member_job *j = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_EXCH_MEMBER_LINK, err);
	if (!st)
		return APP_EDB;
	sq_bind_text(st, 1, j->code);
	sqlite3_bind_int64(st, 2, j->api_key_id);
	enum app_err rc = sq_step_write(c, st, "binding an API key to a member", err);
	if (rc == APP_OK && sqlite3_changes(c->db) == 0)
		rc = app_fail(err, APP_ENOTFOUND, "no member '%s'", j->code);
	return rc == APP_OK ? sq_audit_append(c, j->note, err) : rc;
}

static enum app_err member_link(struct store *s, const char *code, int64_t api_key_id,
				const struct audit_note *note, struct app_error *err)
{
	struct member_job j = { .code = code, .api_key_id = api_key_id, .note = note };
	return sq_write(s, member_link_job, &j, err);
}

struct read_job {
	const char *text;
	int64_t num, num2;
	int limit;
	const struct exchange_sub_query *q;
	union {
		store_exchange_member_fn member;
		store_exchange_key_fn key;
		store_exchange_dataset_fn dataset;
		store_exchange_batch_fn batch;
		store_exchange_row_fn row;
		store_exchange_sub_fn sub;
		store_exchange_attempt_fn attempt;
	} fn;
	void *ctx;
};

static bool member_row(sqlite3_stmt *st, void *arg)
{
	struct read_job *j = arg;
	struct exchange_member m;
	memset(&m, 0, sizeof(m));
	sq_copy_text(m.code, sizeof(m.code), st, 0);
	sq_copy_text(m.name, sizeof(m.name), st, 1);
	sq_copy_text(m.region, sizeof(m.region), st, 2);
	m.api_key_id = sqlite3_column_int64(st, 3);
	m.created_at = sqlite3_column_int64(st, 4);
	m.key_id = sqlite3_column_int64(st, 5);
	sq_copy_text(m.public_key, sizeof(m.public_key), st, 6);
	return j->fn.member(j->ctx, &m);
}

static enum app_err members_read(struct conn *c, void *arg, struct app_error *err)
{
	struct read_job *j = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_EXCH_MEMBERS, err);
	if (!st)
		return APP_EDB;
	sq_bind_text(st, 1, j->text);
	sqlite3_bind_int64(st, 2, j->num);
	return each_row(c, st, member_row, j, "reading members", err);
}

static enum app_err members(struct store *s, const char *code, int64_t api_key_id,
			    store_exchange_member_fn fn, void *ctx, struct app_error *err)
{
	struct read_job j = { .text = code, .num = api_key_id, .fn.member = fn, .ctx = ctx };
	return sq_read(s, members_read, &j, err);
}

static bool key_row(sqlite3_stmt *st, void *arg)
{
	struct read_job *j = arg;
	struct exchange_key k;
	memset(&k, 0, sizeof(k));
	k.id = sqlite3_column_int64(st, 0);
	sq_copy_text(k.member, sizeof(k.member), st, 1);
	sq_copy_text(k.public_key, sizeof(k.public_key), st, 2);
	k.created_at = sqlite3_column_int64(st, 3);
	k.retired_at = sqlite3_column_int64(st, 4);
	return j->fn.key(j->ctx, &k);
}

static enum app_err keys_read(struct conn *c, void *arg, struct app_error *err)
{
	struct read_job *j = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_EXCH_KEYS, err);
	if (!st)
		return APP_EDB;
	sq_bind_text(st, 1, j->text);
	return each_row(c, st, key_row, j, "reading a member's keys", err);
}

static enum app_err keys(struct store *s, const char *code, store_exchange_key_fn fn, void *ctx,
			 struct app_error *err)
{
	struct read_job j = { .text = code, .fn.key = fn, .ctx = ctx };
	return sq_read(s, keys_read, &j, err);
}

/* ---- datasets ---- */

struct dataset_job {
	const struct exchange_dataset *d;
	const struct audit_note *note;
};

static enum app_err dataset_add_job(struct conn *c, void *arg, struct app_error *err)
{
	struct dataset_job *j = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_EXCH_DATASET_INSERT, err);
	if (!st)
		return APP_EDB;
	sq_bind_text(st, 1, j->d->code);
	sq_bind_text(st, 2, j->d->provider);
	sq_bind_text(st, 3, j->d->name);
	sq_bind_text(st, 4, exchange_sharing_names[j->d->sharing]);
	sq_bind_text(st, 5, j->d->schema);
	sqlite3_bind_int64(st, 6, j->d->created_at);
	enum app_err rc = sq_step_write(c, st, "storing a dataset", err);
	if (rc == APP_ECONFLICT)
		return app_fail(err, APP_ECONFLICT, "dataset '%s' exists already", j->d->code);
	if (rc == APP_EINVAL)
		return app_fail(err, APP_EINVAL, "no member '%s' to provide it", j->d->provider);
	return rc == APP_OK ? sq_audit_append(c, j->note, err) : rc;
}

static enum app_err dataset_add(struct store *s, const struct exchange_dataset *d,
				const struct audit_note *note, struct app_error *err)
{
	struct dataset_job j = { d, note };
	return sq_write(s, dataset_add_job, &j, err);
}

static bool dataset_row(sqlite3_stmt *st, void *arg)
{
	struct read_job *j = arg;
	struct exchange_dataset d;
	memset(&d, 0, sizeof(d));
	sq_copy_text(d.code, sizeof(d.code), st, 0);
	sq_copy_text(d.provider, sizeof(d.provider), st, 1);
	sq_copy_text(d.name, sizeof(d.name), st, 2);
	const char *sharing = (const char *)sqlite3_column_text(st, 3);
	for (int i = 0; i < EXCHANGE_SHARING__MAX; i++)
		if (sharing && strcmp(sharing, exchange_sharing_names[i]) == 0)
			d.sharing = (enum exchange_sharing)i;
	d.schema = (const char *)sqlite3_column_text(st, 4);
	d.created_at = sqlite3_column_int64(st, 5);
	return j->fn.dataset(j->ctx, &d);
}

static enum app_err datasets_read(struct conn *c, void *arg, struct app_error *err)
{
	struct read_job *j = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_EXCH_DATASETS, err);
	if (!st)
		return APP_EDB;
	sq_bind_text(st, 1, j->text);
	return each_row(c, st, dataset_row, j, "reading datasets", err);
}

static enum app_err datasets(struct store *s, const char *code, store_exchange_dataset_fn fn,
			     void *ctx, struct app_error *err)
{
	struct read_job j = { .text = code, .fn.dataset = fn, .ctx = ctx };
	return sq_read(s, datasets_read, &j, err);
}

/* ---- batches ---- */

static void read_batch(sqlite3_stmt *st, struct exchange_batch *b)
{
	memset(b, 0, sizeof(*b));
	b->id = sqlite3_column_int64(st, 0);
	sq_copy_text(b->dataset, sizeof(b->dataset), st, 1);
	sq_copy_text(b->provider, sizeof(b->provider), st, 2);
	sq_copy_text(b->batch_id, sizeof(b->batch_id), st, 3);
	sq_copy_text(b->sha256, sizeof(b->sha256), st, 4);
	sq_copy_text(b->signature, sizeof(b->signature), st, 5);
	b->key_id = sqlite3_column_int64(st, 6);
	b->nrows = sqlite3_column_int64(st, 7);
	b->received_at = sqlite3_column_int64(st, 8);
	b->resent = sqlite3_column_int64(st, 9);
}

struct batch_job {
	struct exchange_batch *b;
	const char *const *rows;
	const struct audit_note *note, *resent_note;
	bool resent;
};

static enum app_err batch_put_job(struct conn *c, void *arg, struct app_error *err)
{
	struct batch_job *j = arg;
	struct exchange_batch *b = j->b, old;
	sqlite3_stmt *st = sq_stmt(c, STMT_EXCH_BATCH_FIND, err);
	if (!st)
		return APP_EDB;
	sq_bind_text(st, 1, b->provider);
	sq_bind_text(st, 2, b->batch_id);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		read_batch(st, &old);
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return sq_db_fail(err, c->db, "looking up a batch");
	if (r == SQLITE_ROW) {
		if (strcmp(old.sha256, b->sha256) != 0 || strcmp(old.dataset, b->dataset) != 0)
			return app_fail(err, APP_ECONFLICT,
					"batch '%s' was received before with other content; "
					"send new content under a new batch id",
					b->batch_id);
		if (!(st = sq_stmt(c, STMT_EXCH_BATCH_RESENT, err)))
			return APP_EDB;
		sqlite3_bind_int64(st, 1, old.id);
		enum app_err rc = sq_step_write(c, st, "counting a resent batch", err);
		if (rc != APP_OK)
			return rc;
		old.resent++;
		*b = old;
		j->resent = true;
		return sq_audit_append(c, j->resent_note, err);
	}
	if (!(st = sq_stmt(c, STMT_EXCH_BATCH_INSERT, err)))
		return APP_EDB;
	sq_bind_text(st, 1, b->dataset);
	sq_bind_text(st, 2, b->provider);
	sq_bind_text(st, 3, b->batch_id);
	sq_bind_text(st, 4, b->sha256);
	sq_bind_text(st, 5, b->signature);
	sqlite3_bind_int64(st, 6, b->key_id);
	sqlite3_bind_int64(st, 7, b->nrows);
	sqlite3_bind_int64(st, 8, b->received_at);
	r = sqlite3_step(st);
	b->id = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (r != SQLITE_ROW)
		return sq_db_fail(err, c->db, "storing a batch");
	for (int64_t i = 0; i < b->nrows; i++) {
		if (!(st = sq_stmt(c, STMT_EXCH_ROW_INSERT, err)))
			return APP_EDB;
		sqlite3_bind_int64(st, 1, b->id);
		sqlite3_bind_int64(st, 2, i + 1);
		sq_bind_text(st, 3, j->rows[i]);
		enum app_err rc = sq_step_write(c, st, "storing a batch's row", err);
		if (rc != APP_OK)
			return rc;
	}
	return sq_audit_append(c, j->note, err);
}

static enum app_err batch_put(struct store *s, struct exchange_batch *b, const char *const *rows,
			      const struct audit_note *note, const struct audit_note *resent_note,
			      bool *resent, struct app_error *err)
{
	struct exchange_batch row = *b;
	struct batch_job j = { .b = &row, .rows = rows, .note = note, .resent_note = resent_note };
	enum app_err rc = sq_write(s, batch_put_job, &j, err);
	if (rc == APP_OK) {
		*b = row;
		*resent = j.resent;
	}
	return rc;
}

static bool batch_row(sqlite3_stmt *st, void *arg)
{
	struct read_job *j = arg;
	struct exchange_batch b;
	read_batch(st, &b);
	return j->fn.batch(j->ctx, &b);
}

static enum app_err batches_read(struct conn *c, void *arg, struct app_error *err)
{
	struct read_job *j = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_EXCH_BATCHES, err);
	if (!st)
		return APP_EDB;
	sq_bind_text(st, 1, j->text);
	sqlite3_bind_int64(st, 2, j->num);
	sqlite3_bind_int(st, 3, j->limit);
	return each_row(c, st, batch_row, j, "reading batches", err);
}

static enum app_err batches(struct store *s, const char *dataset, int64_t after, int limit,
			    store_exchange_batch_fn fn, void *ctx, struct app_error *err)
{
	struct read_job j = { .text = dataset, .num = after, .limit = limit,
			      .fn.batch = fn, .ctx = ctx };
	return sq_read(s, batches_read, &j, err);
}

static bool data_row(sqlite3_stmt *st, void *arg)
{
	struct read_job *j = arg;
	struct exchange_batch b;
	read_batch(st, &b);
	return j->fn.row(j->ctx, &b, sqlite3_column_int64(st, 10),
					     (const char *)sqlite3_column_text(st, 11));
}

static enum app_err rows_read(struct conn *c, void *arg, struct app_error *err)
{
	struct read_job *j = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_EXCH_ROWS, err);
	if (!st)
		return APP_EDB;
	sq_bind_text(st, 1, j->text);
	sqlite3_bind_int64(st, 2, j->num);
	sqlite3_bind_int(st, 3, j->limit);
	return each_row(c, st, data_row, j, "reading a dataset's rows", err);
}

static enum app_err rows(struct store *s, const char *dataset, int64_t after, int nbatches,
			 store_exchange_row_fn fn, void *ctx, struct app_error *err)
{
	struct read_job j = { .text = dataset, .num = after, .limit = nbatches,
			      .fn.row = fn, .ctx = ctx };
	return sq_read(s, rows_read, &j, err);
}

/* ---- subscriptions and attempts ---- */

struct sub_job {
	struct exchange_subscription *x;
	const struct exchange_attempt *a;
	int64_t id, due_at;
	enum exchange_sub_state from, to;
	const char *approved_by;
	bool delivered;
	const struct audit_note *note;
};

static enum app_err sub_add_job(struct conn *c, void *arg, struct app_error *err)
{
	struct sub_job *j = arg;
	struct exchange_subscription *x = j->x;
	sqlite3_stmt *st = sq_stmt(c, STMT_EXCH_SUB_INSERT, err);
	if (!st)
		return APP_EDB;
	sq_bind_text(st, 1, x->consumer);
	sq_bind_text(st, 2, x->dataset);
	sq_bind_text(st, 3, x->fields);
	sq_bind_text(st, 4, x->endpoint);
	sqlite3_bind_int(st, 5, x->day);
	sqlite3_bind_int(st, 6, x->minute);
	sq_bind_text(st, 7, exchange_sub_state_names[x->state]);
	sq_bind_text(st, 8, x->approved_by);
	sqlite3_bind_int64(st, 9, x->created_at);
	sqlite3_bind_int64(st, 10, x->due_at);
	int r = sqlite3_step(st);
	x->id = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (r != SQLITE_ROW)
		return sq_db_fail(err, c->db, "storing a subscription");
	return sq_audit_append(c, j->note, err);
}

static enum app_err sub_add(struct store *s, struct exchange_subscription *x,
			    const struct audit_note *note, struct app_error *err)
{
	struct exchange_subscription row = *x;
	struct sub_job j = { .x = &row, .note = note };
	enum app_err rc = sq_write(s, sub_add_job, &j, err);
	if (rc == APP_OK)
		x->id = row.id;
	return rc;
}

static enum app_err sub_state_job(struct conn *c, void *arg, struct app_error *err)
{
	struct sub_job *j = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_EXCH_SUB_STATE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, j->id);
	sq_bind_text(st, 2, exchange_sub_state_names[j->from]);
	sq_bind_text(st, 3, exchange_sub_state_names[j->to]);
	sq_bind_text(st, 4, j->approved_by);
	sqlite3_bind_int64(st, 5, j->due_at);
	enum app_err rc = sq_step_write(c, st, "changing a subscription", err);
	if (rc == APP_OK && sqlite3_changes(c->db) == 0)
		rc = app_fail(err, APP_ECONFLICT, "subscription %lld is not %s", (long long)j->id,
			      exchange_sub_state_names[j->from]);
	return rc == APP_OK ? sq_audit_append(c, j->note, err) : rc;
}

static enum app_err sub_state(struct store *s, int64_t id, enum exchange_sub_state from,
			      enum exchange_sub_state to, const char *approved_by, int64_t due_at,
			      const struct audit_note *note, struct app_error *err)
{
	struct sub_job j = { .id = id, .from = from, .to = to, .approved_by = approved_by,
			     .due_at = due_at, .note = note };
	return sq_write(s, sub_state_job, &j, err);
}

static bool sub_row(sqlite3_stmt *st, void *arg)
{
	struct read_job *j = arg;
	struct exchange_subscription x;
	memset(&x, 0, sizeof(x));
	x.id = sqlite3_column_int64(st, 0);
	sq_copy_text(x.consumer, sizeof(x.consumer), st, 1);
	sq_copy_text(x.dataset, sizeof(x.dataset), st, 2);
	sq_copy_text(x.fields, sizeof(x.fields), st, 3);
	sq_copy_text(x.endpoint, sizeof(x.endpoint), st, 4);
	x.day = sqlite3_column_int(st, 5);
	x.minute = sqlite3_column_int(st, 6);
	const char *state = (const char *)sqlite3_column_text(st, 7);
	for (int i = 0; i < EXCHANGE_SUB__MAX; i++)
		if (state && strcmp(state, exchange_sub_state_names[i]) == 0)
			x.state = (enum exchange_sub_state)i;
	sq_copy_text(x.approved_by, sizeof(x.approved_by), st, 8);
	x.created_at = sqlite3_column_int64(st, 9);
	x.pushed_upto = sqlite3_column_int64(st, 10);
	x.failures = sqlite3_column_int(st, 11);
	x.due_at = sqlite3_column_int64(st, 12);
	return j->fn.sub(j->ctx, &x);
}

static enum app_err subs_read(struct conn *c, void *arg, struct app_error *err)
{
	struct read_job *j = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_EXCH_SUBS, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, j->q->id);
	sq_bind_text(st, 2, j->q->consumer);
	sqlite3_bind_int64(st, 3, j->q->due_by);
	return each_row(c, st, sub_row, j, "reading subscriptions", err);
}

static enum app_err subs(struct store *s, const struct exchange_sub_query *q,
			 store_exchange_sub_fn fn, void *ctx, struct app_error *err)
{
	struct read_job j = { .q = q, .fn.sub = fn, .ctx = ctx };
	return sq_read(s, subs_read, &j, err);
}

static enum app_err attempt_add_job(struct conn *c, void *arg, struct app_error *err)
{
	struct sub_job *j = arg;
	const struct exchange_attempt *a = j->a;
	sqlite3_stmt *st = sq_stmt(c, STMT_EXCH_ATTEMPT_INSERT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, a->subscription);
	sqlite3_bind_int64(st, 2, a->at);
	sqlite3_bind_int(st, 3, a->status);
	sqlite3_bind_int64(st, 4, a->upto);
	sqlite3_bind_int64(st, 5, a->nrows);
	sq_bind_text(st, 6, a->sha256);
	sq_bind_text(st, 7, a->detail);
	sqlite3_bind_int64(st, 8, a->next_at);
	enum app_err rc = sq_step_write(c, st, "recording a push attempt", err);
	if (rc == APP_EINVAL)
		return app_fail(err, APP_ENOTFOUND, "no subscription %lld",
				(long long)a->subscription);
	if (rc != APP_OK)
		return rc;
	if (!(st = sq_stmt(c, STMT_EXCH_SUB_PUSHED, err)))
		return APP_EDB;
	sqlite3_bind_int64(st, 1, a->subscription);
	sqlite3_bind_int(st, 2, j->delivered ? 1 : 0);
	sqlite3_bind_int64(st, 3, a->upto);
	sqlite3_bind_int64(st, 4, a->next_at);
	rc = sq_step_write(c, st, "moving a subscription on", err);
	return rc == APP_OK ? sq_audit_append(c, j->note, err) : rc;
}

static enum app_err attempt_add(struct store *s, const struct exchange_attempt *a,
				bool delivered, const struct audit_note *note,
				struct app_error *err)
{
	struct sub_job j = { .a = a, .delivered = delivered, .note = note };
	return sq_write(s, attempt_add_job, &j, err);
}

static bool attempt_row(sqlite3_stmt *st, void *arg)
{
	struct read_job *j = arg;
	struct exchange_attempt a;
	memset(&a, 0, sizeof(a));
	a.id = sqlite3_column_int64(st, 0);
	a.subscription = sqlite3_column_int64(st, 1);
	a.at = sqlite3_column_int64(st, 2);
	a.status = sqlite3_column_int(st, 3);
	a.upto = sqlite3_column_int64(st, 4);
	a.nrows = sqlite3_column_int64(st, 5);
	sq_copy_text(a.sha256, sizeof(a.sha256), st, 6);
	sq_copy_text(a.detail, sizeof(a.detail), st, 7);
	a.next_at = sqlite3_column_int64(st, 8);
	return j->fn.attempt(j->ctx, &a);
}

static enum app_err attempts_read(struct conn *c, void *arg, struct app_error *err)
{
	struct read_job *j = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_EXCH_ATTEMPTS, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, j->num);
	return each_row(c, st, attempt_row, j, "reading push attempts", err);
}

static enum app_err attempts(struct store *s, int64_t subscription, store_exchange_attempt_fn fn,
			     void *ctx, struct app_error *err)
{
	struct read_job j = { .num = subscription, .fn.attempt = fn, .ctx = ctx };
	return sq_read(s, attempts_read, &j, err);
}

const struct store_exchange_ops sq_exchange_ops = {
	.member_add = member_add,
	.member_rotate = member_rotate,
	.member_link = member_link,
	.members = members,
	.keys = keys,
	.dataset_add = dataset_add,
	.datasets = datasets,
	.batch_put = batch_put,
	.batches = batches,
	.rows = rows,
	.sub_add = sub_add,
	.sub_state = sub_state,
	.subs = subs,
	.attempt_add = attempt_add,
	.attempts = attempts,
};
