/*
 * pg_exchange.c - the data-sharing exchange on PostgreSQL: the twin of
 * sqlite_exchange.c, with the same errors, messages and orders. Each write
 * is one transaction with its audit entry, all or nothing.
 */
#include "store/pg_int.h"

#include <stdio.h>
#include <string.h>

/* ---- reads: one statement, each row to a reader ---- */

struct read_job {
	enum pg_stmt id;
	const char *what;
	struct pg_params p;
	bool (*row)(const PGresult *r, int i, struct read_job *j);
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

static enum app_err run_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct read_job *j = arg;
	PGresult *res;
	enum app_err rc = pg_exec(c, j->id, &j->p, j->what, &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	for (int i = 0, n = PQntuples(res); i < n; i++)
		if (!j->row(res, i, j))
			break;
	PQclear(res);
	return APP_OK;
}

/* Run a write statement, failing with APP_ENOTFOUND (message notfound)
 * when it changed no row. */
static enum app_err write_one(struct pg_conn *c, enum pg_stmt id, const struct pg_params *p,
			      const char *what, const char *notfound, struct app_error *err)
{
	int64_t changes = 0;
	enum app_err rc = pg_exec(c, id, p, what, NULL, &changes, err);
	if (rc == APP_OK && changes == 0 && notfound)
		rc = app_fail(err, APP_ENOTFOUND, "%s", notfound);
	return rc;
}

/* ---- members and keys ---- */

struct member_job {
	struct exchange_member *m;
	const char *code, *key;
	int64_t at, api_key_id, *key_id;
	const struct audit_note *note;
};

static enum app_err key_insert(struct pg_conn *c, const char *member, const char *key, int64_t at,
			       int64_t *id, struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_text(&p, member);
	pgp_text(&p, key);
	pgp_int(&p, at);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_EXCH_KEY_INSERT, &p, "storing a member's key", &res, NULL,
				  err);
	if (rc != APP_OK)
		return rc;
	*id = pg_int(res, 0, 0);
	PQclear(res);
	return APP_OK;
}

static enum app_err member_add_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct member_job *j = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, j->m->code);
	pgp_text(&p, j->m->name);
	pgp_text(&p, j->m->region);
	pgp_int(&p, j->m->api_key_id);
	pgp_int(&p, j->m->created_at);
	enum app_err rc = pg_exec(c, PS_EXCH_MEMBER_INSERT, &p, "storing a member", NULL, NULL,
				  err);
	if (rc == APP_ECONFLICT)
		return app_fail(err, APP_ECONFLICT, "member '%s' exists already", j->m->code);
	if (rc == APP_OK)
		rc = key_insert(c, j->m->code, j->m->public_key, j->m->created_at, j->key_id, err);
	return rc == APP_OK ? pg_audit_append(c, j->note, err) : rc;
}

static enum app_err member_add(struct store *s, struct exchange_member *m,
			       const struct audit_note *note, struct app_error *err)
{
	int64_t key_id = 0;
	struct member_job j = { .m = m, .note = note, .key_id = &key_id };
	enum app_err rc = pg_write(s, member_add_job, &j, err);
	if (rc == APP_OK)
		m->key_id = key_id;
	return rc;
}

static enum app_err member_rotate_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct member_job *j = arg;
	char notfound[80];
	snprintf(notfound, sizeof(notfound), "no member '%s'", j->code);
	struct pg_params p = { 0 };
	pgp_text(&p, j->code);
	pgp_int(&p, j->at);
	enum app_err rc = write_one(c, PS_EXCH_KEY_RETIRE, &p, "retiring a member's key",
				    notfound, err);
	if (rc == APP_OK)
		rc = key_insert(c, j->code, j->key, j->at, j->key_id, err);
	return rc == APP_OK ? pg_audit_append(c, j->note, err) : rc;
}

static enum app_err member_rotate(struct store *s, const char *code, const char *public_key,
				  int64_t at, const struct audit_note *note, int64_t *key_id,
				  struct app_error *err)
{
	int64_t id = 0;
	struct member_job j = { .code = code, .key = public_key, .at = at, .note = note,
				.key_id = &id };
	enum app_err rc = pg_write(s, member_rotate_job, &j, err);
	if (rc == APP_OK)
		*key_id = id;
	return rc;
}

static enum app_err member_link_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct member_job *j = arg;
	char notfound[80];
	snprintf(notfound, sizeof(notfound), "no member '%s'", j->code);
	struct pg_params p = { 0 };
	pgp_text(&p, j->code);
	pgp_int(&p, j->api_key_id);
	enum app_err rc = write_one(c, PS_EXCH_MEMBER_LINK, &p, "binding an API key to a member",
				    notfound, err);
	return rc == APP_OK ? pg_audit_append(c, j->note, err) : rc;
}

static enum app_err member_link(struct store *s, const char *code, int64_t api_key_id,
				const struct audit_note *note, struct app_error *err)
{
	struct member_job j = { .code = code, .api_key_id = api_key_id, .note = note };
	return pg_write(s, member_link_job, &j, err);
}

static bool member_row(const PGresult *r, int i, struct read_job *j)
{
	struct exchange_member m;
	memset(&m, 0, sizeof(m));
	pg_copy_text(m.code, sizeof(m.code), r, i, 0);
	pg_copy_text(m.name, sizeof(m.name), r, i, 1);
	pg_copy_text(m.region, sizeof(m.region), r, i, 2);
	m.api_key_id = pg_int(r, i, 3);
	m.created_at = pg_int(r, i, 4);
	m.key_id = pg_int(r, i, 5);
	pg_copy_text(m.public_key, sizeof(m.public_key), r, i, 6);
	return j->fn.member(j->ctx, &m);
}

static enum app_err members(struct store *s, const char *code, int64_t api_key_id,
			    store_exchange_member_fn fn, void *ctx, struct app_error *err)
{
	struct read_job j = { .id = PS_EXCH_MEMBERS, .what = "reading members", .row = member_row,
			      .fn.member = fn, .ctx = ctx };
	pgp_text(&j.p, code);
	pgp_int(&j.p, api_key_id);
	return pg_read(s, run_read, &j, err);
}

static bool key_row(const PGresult *r, int i, struct read_job *j)
{
	struct exchange_key k;
	memset(&k, 0, sizeof(k));
	k.id = pg_int(r, i, 0);
	pg_copy_text(k.member, sizeof(k.member), r, i, 1);
	pg_copy_text(k.public_key, sizeof(k.public_key), r, i, 2);
	k.created_at = pg_int(r, i, 3);
	k.retired_at = pg_int(r, i, 4);
	return j->fn.key(j->ctx, &k);
}

static enum app_err keys(struct store *s, const char *code, store_exchange_key_fn fn, void *ctx,
			 struct app_error *err)
{
	struct read_job j = { .id = PS_EXCH_KEYS, .what = "reading a member's keys", .row = key_row,
			      .fn.key = fn, .ctx = ctx };
	pgp_text(&j.p, code);
	return pg_read(s, run_read, &j, err);
}

/* ---- datasets ---- */

struct dataset_job {
	const struct exchange_dataset *d;
	const struct audit_note *note;
};

static enum app_err dataset_add_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct dataset_job *j = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, j->d->code);
	pgp_text(&p, j->d->provider);
	pgp_text(&p, j->d->name);
	pgp_text(&p, exchange_sharing_names[j->d->sharing]);
	pgp_text(&p, j->d->schema);
	pgp_int(&p, j->d->created_at);
	enum app_err rc = pg_exec(c, PS_EXCH_DATASET_INSERT, &p, "storing a dataset", NULL, NULL,
				  err);
	if (rc == APP_ECONFLICT)
		return app_fail(err, APP_ECONFLICT, "dataset '%s' exists already", j->d->code);
	if (rc == APP_EINVAL)
		return app_fail(err, APP_EINVAL, "no member '%s' to provide it", j->d->provider);
	return rc == APP_OK ? pg_audit_append(c, j->note, err) : rc;
}

static enum app_err dataset_add(struct store *s, const struct exchange_dataset *d,
				const struct audit_note *note, struct app_error *err)
{
	struct dataset_job j = { d, note };
	return pg_write(s, dataset_add_job, &j, err);
}

static bool dataset_row(const PGresult *r, int i, struct read_job *j)
{
	struct exchange_dataset d;
	memset(&d, 0, sizeof(d));
	pg_copy_text(d.code, sizeof(d.code), r, i, 0);
	pg_copy_text(d.provider, sizeof(d.provider), r, i, 1);
	pg_copy_text(d.name, sizeof(d.name), r, i, 2);
	const char *sharing = PQgetvalue(r, i, 3);
	for (int k = 0; k < EXCHANGE_SHARING__MAX; k++)
		if (strcmp(sharing, exchange_sharing_names[k]) == 0)
			d.sharing = (enum exchange_sharing)k;
	d.schema = PQgetvalue(r, i, 4);
	d.created_at = pg_int(r, i, 5);
	return j->fn.dataset(j->ctx, &d);
}

static enum app_err datasets(struct store *s, const char *code, store_exchange_dataset_fn fn,
			     void *ctx, struct app_error *err)
{
	struct read_job j = { .id = PS_EXCH_DATASETS, .what = "reading datasets",
			      .row = dataset_row, .fn.dataset = fn, .ctx = ctx };
	pgp_text(&j.p, code);
	return pg_read(s, run_read, &j, err);
}

/* ---- batches ---- */

static void read_batch(const PGresult *r, int i, struct exchange_batch *b)
{
	memset(b, 0, sizeof(*b));
	b->id = pg_int(r, i, 0);
	pg_copy_text(b->dataset, sizeof(b->dataset), r, i, 1);
	pg_copy_text(b->provider, sizeof(b->provider), r, i, 2);
	pg_copy_text(b->batch_id, sizeof(b->batch_id), r, i, 3);
	pg_copy_text(b->sha256, sizeof(b->sha256), r, i, 4);
	pg_copy_text(b->signature, sizeof(b->signature), r, i, 5);
	b->key_id = pg_int(r, i, 6);
	b->nrows = pg_int(r, i, 7);
	b->received_at = pg_int(r, i, 8);
	b->resent = pg_int(r, i, 9);
}

struct batch_job {
	struct exchange_batch *b;
	const char *const *rows;
	const struct audit_note *note, *resent_note;
	bool resent;
};

static enum app_err batch_put_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct batch_job *j = arg;
	struct exchange_batch *b = j->b, old;
	/* batches get their seq in commit order (the events lock, held to the
	 * commit), as SQLite's single writer gives them: a pull or push that
	 * read past a seq never finds an earlier one committed later */
	enum app_err rc = pg_events_lock(c, err);
	if (rc != APP_OK)
		return rc;
	struct pg_params p = { 0 };
	pgp_text(&p, b->provider);
	pgp_text(&p, b->batch_id);
	PGresult *res;
	rc = pg_exec(c, PS_EXCH_BATCH_FIND, &p, "looking up a batch", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	bool found = PQntuples(res) == 1;
	if (found)
		read_batch(res, 0, &old);
	PQclear(res);
	if (found) {
		if (strcmp(old.sha256, b->sha256) != 0 || strcmp(old.dataset, b->dataset) != 0)
			return app_fail(err, APP_ECONFLICT,
					"batch '%s' was received before with other content; "
					"send new content under a new batch id",
					b->batch_id);
		p = (struct pg_params){ 0 };
		pgp_int(&p, old.id);
		rc = write_one(c, PS_EXCH_BATCH_RESENT, &p, "counting a resent batch", NULL, err);
		if (rc != APP_OK)
			return rc;
		old.resent++;
		*b = old;
		j->resent = true;
		return pg_audit_append(c, j->resent_note, err);
	}
	p = (struct pg_params){ 0 };
	pgp_text(&p, b->dataset);
	pgp_text(&p, b->provider);
	pgp_text(&p, b->batch_id);
	pgp_text(&p, b->sha256);
	pgp_text(&p, b->signature);
	pgp_int(&p, b->key_id);
	pgp_int(&p, b->nrows);
	pgp_int(&p, b->received_at);
	rc = pg_exec(c, PS_EXCH_BATCH_INSERT, &p, "storing a batch", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	b->id = pg_int(res, 0, 0);
	PQclear(res);
	for (int64_t i = 0; i < b->nrows; i++) {
		p = (struct pg_params){ 0 };
		pgp_int(&p, b->id);
		pgp_int(&p, i + 1);
		pgp_text(&p, j->rows[i]);
		rc = write_one(c, PS_EXCH_ROW_INSERT, &p, "storing a batch's row", NULL, err);
		if (rc != APP_OK)
			return rc;
	}
	return pg_audit_append(c, j->note, err);
}

static enum app_err batch_put(struct store *s, struct exchange_batch *b, const char *const *rows,
			      const struct audit_note *note, const struct audit_note *resent_note,
			      bool *resent, struct app_error *err)
{
	struct exchange_batch row = *b;
	struct batch_job j = { .b = &row, .rows = rows, .note = note, .resent_note = resent_note };
	enum app_err rc = pg_write(s, batch_put_job, &j, err);
	if (rc == APP_OK) {
		*b = row;
		*resent = j.resent;
	}
	return rc;
}

static bool batch_row(const PGresult *r, int i, struct read_job *j)
{
	struct exchange_batch b;
	read_batch(r, i, &b);
	return j->fn.batch(j->ctx, &b);
}

static enum app_err batches(struct store *s, const char *dataset, int64_t after, int limit,
			    store_exchange_batch_fn fn, void *ctx, struct app_error *err)
{
	struct read_job j = { .id = PS_EXCH_BATCHES, .what = "reading batches", .row = batch_row,
			      .fn.batch = fn, .ctx = ctx };
	pgp_text(&j.p, dataset);
	pgp_int(&j.p, after);
	pgp_int(&j.p, limit);
	return pg_read(s, run_read, &j, err);
}

static bool data_row(const PGresult *r, int i, struct read_job *j)
{
	struct exchange_batch b;
	read_batch(r, i, &b);
	return j->fn.row(j->ctx, &b, pg_int(r, i, 10), PQgetvalue(r, i, 11));
}

static enum app_err rows(struct store *s, const char *dataset, int64_t after, int nbatches,
			 store_exchange_row_fn fn, void *ctx, struct app_error *err)
{
	struct read_job j = { .id = PS_EXCH_ROWS, .what = "reading a dataset's rows",
			      .row = data_row, .fn.row = fn, .ctx = ctx };
	pgp_text(&j.p, dataset);
	pgp_int(&j.p, after);
	pgp_int(&j.p, nbatches);
	return pg_read(s, run_read, &j, err);
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

static enum app_err sub_add_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct sub_job *j = arg;
	struct exchange_subscription *x = j->x;
	struct pg_params p = { 0 };
	pgp_text(&p, x->consumer);
	pgp_text(&p, x->dataset);
	pgp_text(&p, x->fields);
	pgp_text(&p, x->endpoint);
	pgp_int(&p, x->day);
	pgp_int(&p, x->minute);
	pgp_text(&p, exchange_sub_state_names[x->state]);
	pgp_text(&p, x->approved_by);
	pgp_int(&p, x->created_at);
	pgp_int(&p, x->due_at);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_EXCH_SUB_INSERT, &p, "storing a subscription", &res, NULL,
				  err);
	if (rc != APP_OK)
		return rc;
	x->id = pg_int(res, 0, 0);
	PQclear(res);
	return pg_audit_append(c, j->note, err);
}

static enum app_err sub_add(struct store *s, struct exchange_subscription *x,
			    const struct audit_note *note, struct app_error *err)
{
	struct exchange_subscription row = *x;
	struct sub_job j = { .x = &row, .note = note };
	enum app_err rc = pg_write(s, sub_add_job, &j, err);
	if (rc == APP_OK)
		x->id = row.id;
	return rc;
}

static enum app_err sub_state_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct sub_job *j = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, j->id);
	pgp_text(&p, exchange_sub_state_names[j->from]);
	pgp_text(&p, exchange_sub_state_names[j->to]);
	pgp_text(&p, j->approved_by);
	pgp_int(&p, j->due_at);
	int64_t changes = 0;
	enum app_err rc = pg_exec(c, PS_EXCH_SUB_STATE, &p, "changing a subscription", NULL,
				  &changes, err);
	if (rc == APP_OK && changes == 0)
		rc = app_fail(err, APP_ECONFLICT, "subscription %lld is not %s", (long long)j->id,
			      exchange_sub_state_names[j->from]);
	return rc == APP_OK ? pg_audit_append(c, j->note, err) : rc;
}

static enum app_err sub_state(struct store *s, int64_t id, enum exchange_sub_state from,
			      enum exchange_sub_state to, const char *approved_by, int64_t due_at,
			      const struct audit_note *note, struct app_error *err)
{
	struct sub_job j = { .id = id, .from = from, .to = to, .approved_by = approved_by,
			     .due_at = due_at, .note = note };
	return pg_write(s, sub_state_job, &j, err);
}

static bool sub_row(const PGresult *r, int i, struct read_job *j)
{
	struct exchange_subscription x;
	memset(&x, 0, sizeof(x));
	x.id = pg_int(r, i, 0);
	pg_copy_text(x.consumer, sizeof(x.consumer), r, i, 1);
	pg_copy_text(x.dataset, sizeof(x.dataset), r, i, 2);
	pg_copy_text(x.fields, sizeof(x.fields), r, i, 3);
	pg_copy_text(x.endpoint, sizeof(x.endpoint), r, i, 4);
	x.day = (int)pg_int(r, i, 5);
	x.minute = (int)pg_int(r, i, 6);
	const char *state = PQgetvalue(r, i, 7);
	for (int k = 0; k < EXCHANGE_SUB__MAX; k++)
		if (strcmp(state, exchange_sub_state_names[k]) == 0)
			x.state = (enum exchange_sub_state)k;
	pg_copy_text(x.approved_by, sizeof(x.approved_by), r, i, 8);
	x.created_at = pg_int(r, i, 9);
	x.pushed_upto = pg_int(r, i, 10);
	x.failures = (int)pg_int(r, i, 11);
	x.due_at = pg_int(r, i, 12);
	return j->fn.sub(j->ctx, &x);
}

static enum app_err subs(struct store *s, const struct exchange_sub_query *q,
			 store_exchange_sub_fn fn, void *ctx, struct app_error *err)
{
	struct read_job j = { .id = PS_EXCH_SUBS, .what = "reading subscriptions",
			      .row = sub_row, .fn.sub = fn, .ctx = ctx };
	pgp_int(&j.p, q->id);
	pgp_text(&j.p, q->consumer);
	pgp_int(&j.p, q->due_by);
	return pg_read(s, run_read, &j, err);
}

static enum app_err attempt_add_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct sub_job *j = arg;
	const struct exchange_attempt *a = j->a;
	struct pg_params p = { 0 };
	pgp_int(&p, a->subscription);
	pgp_int(&p, a->at);
	pgp_int(&p, a->status);
	pgp_int(&p, a->upto);
	pgp_int(&p, a->nrows);
	pgp_text(&p, a->sha256);
	pgp_text(&p, a->detail);
	pgp_int(&p, a->next_at);
	enum app_err rc = write_one(c, PS_EXCH_ATTEMPT_INSERT, &p, "recording a push attempt", NULL,
				    err);
	if (rc == APP_EINVAL)
		return app_fail(err, APP_ENOTFOUND, "no subscription %lld",
				(long long)a->subscription);
	if (rc != APP_OK)
		return rc;
	p = (struct pg_params){ 0 };
	pgp_int(&p, a->subscription);
	pgp_int(&p, j->delivered ? 1 : 0);
	pgp_int(&p, a->upto);
	pgp_int(&p, a->next_at);
	rc = write_one(c, PS_EXCH_SUB_PUSHED, &p, "moving a subscription on", NULL, err);
	return rc == APP_OK ? pg_audit_append(c, j->note, err) : rc;
}

static enum app_err attempt_add(struct store *s, const struct exchange_attempt *a,
				bool delivered, const struct audit_note *note,
				struct app_error *err)
{
	struct sub_job j = { .a = a, .delivered = delivered, .note = note };
	return pg_write(s, attempt_add_job, &j, err);
}

static bool attempt_row(const PGresult *r, int i, struct read_job *j)
{
	struct exchange_attempt a;
	memset(&a, 0, sizeof(a));
	a.id = pg_int(r, i, 0);
	a.subscription = pg_int(r, i, 1);
	a.at = pg_int(r, i, 2);
	a.status = (int)pg_int(r, i, 3);
	a.upto = pg_int(r, i, 4);
	a.nrows = pg_int(r, i, 5);
	pg_copy_text(a.sha256, sizeof(a.sha256), r, i, 6);
	pg_copy_text(a.detail, sizeof(a.detail), r, i, 7);
	a.next_at = pg_int(r, i, 8);
	return j->fn.attempt(j->ctx, &a);
}

static enum app_err attempts(struct store *s, int64_t subscription, store_exchange_attempt_fn fn,
			     void *ctx, struct app_error *err)
{
	struct read_job j = { .id = PS_EXCH_ATTEMPTS, .what = "reading push attempts",
			      .row = attempt_row, .fn.attempt = fn, .ctx = ctx };
	pgp_int(&j.p, subscription);
	return pg_read(s, run_read, &j, err);
}

const struct store_exchange_ops pg_exchange_ops = {
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
