/*
 * pg_outbox.c - the dispatcher's cursor, the outbox and the links of
 * delivery tasks on PostgreSQL: the twin of sqlite_outbox.c, with the same
 * errors and orders. What one entitlement event makes is stored in one
 * transaction with the cursor moved past it.
 */
#include "store/pg_int.h"
#include "core/mem.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static enum app_err cursor_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_DISPATCH_CURSOR, NULL, "reading the dispatcher's cursor",
				  &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	*(int64_t *)arg = PQntuples(res) == 1 ? pg_int(res, 0, 0) : 0;
	PQclear(res);
	return APP_OK;
}

static enum app_err cursor(struct store *s, int64_t *last, struct app_error *err)
{
	return pg_read(s, cursor_read, last, err);
}

struct events_read {
	int64_t after;
	int limit;
	store_dispatch_fn fn;
	void *ctx;
};

static int name_index(const char *const *names, int n, const PGresult *r, int i, int col)
{
	return store_entitle_name_index(names, n, PQgetvalue(r, i, col));
}

static enum app_err events_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct events_read *q = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, q->after);
	pgp_int(&p, q->limit);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_DISPATCH_EVENTS, &p, "reading entitlement events", &res,
				  NULL, err);
	if (rc != APP_OK)
		return rc;
	struct entitlement_event e;
	struct entitlement *x = malloc(sizeof(*x));
	if (!x)
		abort();
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		memset(&e, 0, sizeof(e));
		memset(x, 0, sizeof(*x));
		e.id = pg_int(res, i, 0);
		e.entitlement = x->id = pg_int(res, i, 1);
		int k = name_index(entitle_event_names, ENTITLE_EVENT__MAX, res, i, 2);
		int from = name_index(entitle_state_names, ENTITLE_STATE__MAX, res, i, 3);
		int to = name_index(entitle_state_names, ENTITLE_STATE__MAX, res, i, 4);
		e.kind = k < 0 ? ENTITLE_EVENT__MAX : (enum entitle_event)k;
		e.from_state = from < 0 ? ENTITLE_STATE__MAX : (enum entitle_state)from;
		e.to_state = to < 0 ? ENTITLE_STATE__MAX : (enum entitle_state)to;
		e.at = pg_int(res, i, 5);
		pg_copy_text(e.actor, sizeof(e.actor), res, i, 6);
		pg_copy_text(e.detail, sizeof(e.detail), res, i, 7);
		pg_copy_text(x->programme, sizeof(x->programme), res, i, 8);
		pg_copy_text(x->person_name, sizeof(x->person_name), res, i, 9);
		pg_copy_text(x->phone, sizeof(x->phone), res, i, 10);
		pg_copy_text(x->region, sizeof(x->region), res, i, 11);
		x->period = (int32_t)pg_int(res, i, 12);
		x->amount = pg_int(res, i, 13);
		int xs = name_index(entitle_state_names, ENTITLE_STATE__MAX, res, i, 14);
		x->state = xs < 0 ? ENTITLE_STATE__MAX : (enum entitle_state)xs;
		x->consent_until = pg_int(res, i, 15);
		x->effective_from = (int32_t)pg_int(res, i, 16);
		x->effective_to = (int32_t)pg_int(res, i, 17);
		pg_copy_text(x->reason, sizeof(x->reason), res, i, 18);
		pg_copy_text(x->person_key, sizeof(x->person_key), res, i, 19);
		pg_copy_text(x->policy, sizeof(x->policy), res, i, 20);
		if (!q->fn(q->ctx, &e, x))
			break;
	}
	free(x);
	PQclear(res);
	return APP_OK;
}

static enum app_err events(struct store *s, int64_t after, int limit, store_dispatch_fn fn,
			   void *ctx, struct app_error *err)
{
	struct events_read q = { after, limit, fn, ctx };
	return pg_read(s, events_read, &q, err);
}

static enum app_err delivery_of_in(struct pg_conn *c, int64_t entitlement, int64_t *case_id,
				   struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_int(&p, entitlement);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_DELIVERY_OF, &p, "reading a delivery task's entitlement",
				  &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	*case_id = PQntuples(res) == 1 ? pg_int(res, 0, 0) : 0;
	PQclear(res);
	return APP_OK;
}

static enum app_err apply_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct dispatch_step *d = arg;
	enum app_err rc = APP_OK;
	d->message_new = d->task_new = false;
	if (d->message) {
		const struct outbox_row *o = d->message;
		struct pg_params p = { 0 };
		pgp_int(&p, d->event);
		pgp_int(&p, o->entitlement);
		pgp_text(&p, o->programme);
		pgp_text(&p, o->kind);
		pgp_text(&p, o->region);
		pgp_text(&p, o->phone);
		pgp_text(&p, o->text);
		pgp_text(&p, o->state);
		pgp_int(&p, o->next_at);
		pgp_int(&p, o->created_at);
		pgp_text(&p, o->text_masked);
		int64_t n = 0;
		rc = pg_exec(c, PS_OUTBOX_INSERT, &p, "storing a notification", NULL, &n, err);
		if (rc != APP_OK)
			return rc;
		d->message_new = n == 1;
	}
	if (d->task) {
		int64_t have;
		if ((rc = delivery_of_in(c, d->entitlement, &have, err)) != APP_OK)
			return rc;
		if (!have) {
			rc = pg_case_insert_in(c, d->task, d->line, 1, d->note, NULL, 0, err);
			if (rc != APP_OK)
				return rc;
			struct pg_params p = { 0 };
			pgp_int(&p, d->task->id);
			pgp_int(&p, d->entitlement);
			pgp_text(&p, d->programme);
			rc = pg_exec(c, PS_DELIVERY_LINK, &p, "linking a delivery task", NULL, NULL,
				     err);
			if (rc != APP_OK)
				return rc;
			d->task_new = true;
		} else {
			d->task->id = have;
		}
	} else if (d->note) { /* an event skipped: its entry says why */
		if ((rc = pg_audit_append(c, d->note, err)) != APP_OK)
			return rc;
	}
	struct pg_params p = { 0 };
	pgp_int(&p, d->event);
	return pg_exec(c, PS_DISPATCH_MOVE, &p, "moving the dispatcher's cursor", NULL, NULL, err);
}

/* One step of a batch: stops when an earlier one failed. */
struct batch_step {
	struct dispatch_step *d;
	bool *failed;
};

static enum app_err batch_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct batch_step *b = arg;
	if (*b->failed)
		return app_fail(err, APP_ECONFLICT, "an earlier event of the batch was not stored");
	enum app_err rc = apply_job(c, b->d, err);
	*b->failed = rc != APP_OK;
	return rc;
}

static enum app_err apply(struct store *s, struct dispatch_step *d, int n, int *stored,
			  struct app_error *err)
{
	bool failed = false;
	struct batch_step *b = xcalloc((size_t)n, sizeof(*b));
	void **args = xcalloc((size_t)n, sizeof(*args));
	enum app_err *results = xcalloc((size_t)n, sizeof(*results));
	struct app_error *errs = xcalloc((size_t)n, sizeof(*errs));
	for (int i = 0; i < n; i++) {
		b[i] = (struct batch_step){ &d[i], &failed };
		args[i] = &b[i];
	}
	enum app_err rc = pg_write_each(s, batch_job, args, n, results, errs);
	*stored = 0;
	while (rc == APP_OK && *stored < n && results[*stored] == APP_OK)
		(*stored)++;
	if (rc == APP_OK && *stored < n) {
		rc = results[*stored];
		*err = errs[*stored];
	} else if (rc != APP_OK) {
		*err = errs[0];
	}
	free(errs);
	free(results);
	free(args);
	free(b);
	return rc;
}

struct of_read {
	int64_t entitlement, *case_id;
};

static enum app_err of_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct of_read *q = arg;
	return delivery_of_in(c, q->entitlement, q->case_id, err);
}

static enum app_err delivery_of(struct store *s, int64_t entitlement, int64_t *case_id,
				struct app_error *err)
{
	struct of_read q = { entitlement, case_id };
	return pg_read(s, of_read, &q, err);
}

static void read_row(const PGresult *r, int i, struct outbox_row *o)
{
	memset(o, 0, sizeof(*o));
	o->id = pg_int(r, i, 0);
	o->event = pg_int(r, i, 1);
	o->entitlement = pg_int(r, i, 2);
	pg_copy_text(o->programme, sizeof(o->programme), r, i, 3);
	pg_copy_text(o->kind, sizeof(o->kind), r, i, 4);
	pg_copy_text(o->region, sizeof(o->region), r, i, 5);
	pg_copy_text(o->phone, sizeof(o->phone), r, i, 6);
	pg_copy_text(o->text, sizeof(o->text), r, i, 7);
	pg_copy_text(o->state, sizeof(o->state), r, i, 8);
	o->attempts = (int)pg_int(r, i, 9);
	o->next_at = pg_int(r, i, 10);
	o->status = (int)pg_int(r, i, 11);
	pg_copy_text(o->detail, sizeof(o->detail), r, i, 12);
	o->created_at = pg_int(r, i, 13);
	o->sent_at = pg_int(r, i, 14);
	pg_copy_text(o->text_masked, sizeof(o->text_masked), r, i, 15);
}

/* A read of outbox rows: statement id with p, each row to fn. */
struct rows_read {
	enum pg_stmt id;
	struct pg_params p;
	store_outbox_fn fn;
	void *ctx;
	int n; /* rows handed over */
};

static enum app_err rows_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct rows_read *q = arg;
	PGresult *res;
	enum app_err rc = pg_exec(c, q->id, &q->p, "reading the outbox", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	struct outbox_row *o = malloc(sizeof(*o));
	if (!o)
		abort();
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		read_row(res, i, o);
		q->n++;
		if (!q->fn(q->ctx, o))
			break;
	}
	free(o);
	PQclear(res);
	return APP_OK;
}

static enum app_err due(struct store *s, int64_t now, int limit, store_outbox_fn fn, void *ctx,
			struct app_error *err)
{
	struct rows_read q = { .id = PS_OUTBOX_DUE, .fn = fn, .ctx = ctx };
	pgp_int(&q.p, now);
	pgp_int(&q.p, limit);
	pgp_int(&q.p, now + STORE_OUTBOX_LEASE);
	return pg_write(s, rows_read, &q, err);
}

struct mark_job {
	const struct outbox_row *o;
	const struct audit_note *note;
};

static enum app_err mark_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct mark_job *j = arg;
	const struct outbox_row *o = j->o;
	struct pg_params p = { 0 };
	pgp_int(&p, o->id);
	pgp_text(&p, o->state);
	pgp_int(&p, o->attempts);
	pgp_int(&p, o->next_at);
	pgp_int(&p, o->status);
	pgp_text(&p, o->detail);
	pgp_int(&p, o->sent_at);
	int64_t n = 0;
	enum app_err rc = pg_exec(c, PS_OUTBOX_MARK, &p, "recording a notification's attempt",
				  NULL, &n, err);
	if (rc != APP_OK)
		return rc;
	if (n != 1)
		return app_fail(err, APP_ENOTFOUND, "no pending notification %lld",
				(long long)o->id);
	return j->note ? pg_audit_append(c, j->note, err) : APP_OK;
}

static enum app_err mark(struct store *s, const struct outbox_row *o,
			 const struct audit_note *note, struct app_error *err)
{
	struct mark_job j = { o, note };
	return pg_write(s, mark_job, &j, err);
}

static enum app_err list(struct store *s, const struct outbox_query *q, store_outbox_fn fn,
			 void *ctx, struct app_error *err)
{
	struct rows_read r = { .id = PS_OUTBOX_LIST, .fn = fn, .ctx = ctx };
	/* '~' sorts after every code: an unused slot matches nothing */
	for (int i = 0; i < 4; i++)
		pgp_text(&r.p, i < q->nregions ? q->regions[i] : "~");
	pgp_text(&r.p, q->state);
	pgp_int(&r.p, q->before_id > 0 ? q->before_id : INT64_MAX);
	pgp_int(&r.p, q->limit);
	return pg_read(s, rows_read, &r, err);
}

static bool copy_row(void *ctx, const struct outbox_row *o)
{
	*(struct outbox_row *)ctx = *o;
	return false;
}

static enum app_err get(struct store *s, int64_t id, struct outbox_row *out,
			struct app_error *err)
{
	struct rows_read q = { .id = PS_OUTBOX_GET, .fn = copy_row, .ctx = out };
	pgp_int(&q.p, id);
	enum app_err rc = pg_read(s, rows_read, &q, err);
	if (rc == APP_OK && !q.n)
		return app_fail(err, APP_ENOTFOUND, "no such notification");
	return rc;
}

const struct store_outbox_ops pg_outbox_ops = {
	.cursor = cursor,
	.events = events,
	.apply = apply,
	.delivery_of = delivery_of,
	.due = due,
	.mark = mark,
	.list = list,
	.get = get,
};
