/*
 * sqlite_outbox.c - the dispatcher's cursor, the outbox of notifications and
 * the links of delivery tasks to entitlements on SQLite (store.h
 * "notifications and delivery tasks"). What one entitlement event makes is
 * stored in one job of the group commit with the cursor moved past it; no
 * rules here: src/entitle decides what an event makes.
 */
#include "store/sqlite_int.h"
#include "core/mem.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static enum app_err cursor_read(struct conn *c, void *arg, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_DISPATCH_CURSOR, err);
	if (!st)
		return APP_EDB;
	int r = sqlite3_step(st);
	*(int64_t *)arg = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return sq_db_fail(err, c->db, "reading the dispatcher's cursor");
	return APP_OK;
}

static enum app_err cursor(struct store *s, int64_t *last, struct app_error *err)
{
	return sq_read(s, cursor_read, last, err);
}

struct events_read {
	int64_t after;
	int limit;
	store_dispatch_fn fn;
	void *ctx;
};

static int name_index(const char *const *names, int n, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return store_entitle_name_index(names, n, t ? (const char *)t : "");
}

static enum app_err events_read(struct conn *c, void *arg, struct app_error *err)
{
	struct events_read *q = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_DISPATCH_EVENTS, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, q->after);
	sqlite3_bind_int(st, 2, q->limit);
	struct entitlement_event e;
	struct entitlement x;
	int r;
	bool more = true;
	while (more && (r = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		memset(&x, 0, sizeof(x));
		e.id = sqlite3_column_int64(st, 0);
		e.entitlement = x.id = sqlite3_column_int64(st, 1);
		int k = name_index(entitle_event_names, ENTITLE_EVENT__MAX, st, 2);
		int from = name_index(entitle_state_names, ENTITLE_STATE__MAX, st, 3);
		int to = name_index(entitle_state_names, ENTITLE_STATE__MAX, st, 4);
		e.kind = k < 0 ? ENTITLE_EVENT__MAX : (enum entitle_event)k;
		e.from_state = from < 0 ? ENTITLE_STATE__MAX : (enum entitle_state)from;
		e.to_state = to < 0 ? ENTITLE_STATE__MAX : (enum entitle_state)to;
		e.at = sqlite3_column_int64(st, 5);
		sq_copy_text(e.actor, sizeof(e.actor), st, 6);
		sq_copy_text(e.detail, sizeof(e.detail), st, 7);
		sq_copy_text(x.programme, sizeof(x.programme), st, 8);
		sq_copy_text(x.person_name, sizeof(x.person_name), st, 9);
		sq_copy_text(x.phone, sizeof(x.phone), st, 10);
		sq_copy_text(x.region, sizeof(x.region), st, 11);
		x.period = sqlite3_column_int(st, 12);
		x.amount = sqlite3_column_int64(st, 13);
		int xs = name_index(entitle_state_names, ENTITLE_STATE__MAX, st, 14);
		x.state = xs < 0 ? ENTITLE_STATE__MAX : (enum entitle_state)xs;
		x.consent_until = sqlite3_column_int64(st, 15);
		x.effective_from = sqlite3_column_int(st, 16);
		x.effective_to = sqlite3_column_int(st, 17);
		sq_copy_text(x.reason, sizeof(x.reason), st, 18);
		sq_copy_text(x.person_key, sizeof(x.person_key), st, 19);
		sq_copy_text(x.policy, sizeof(x.policy), st, 20);
		more = q->fn(q->ctx, &e, &x);
	}
	if (more && r != SQLITE_DONE) {
		sqlite3_reset(st);
		return sq_db_fail(err, c->db, "reading entitlement events");
	}
	sqlite3_reset(st);
	return APP_OK;
}

static enum app_err events(struct store *s, int64_t after, int limit, store_dispatch_fn fn,
			   void *ctx, struct app_error *err)
{
	struct events_read q = { after, limit, fn, ctx };
	return sq_read(s, events_read, &q, err);
}

static enum app_err delivery_of_in(struct conn *c, int64_t entitlement, int64_t *case_id,
				   struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_DELIVERY_OF, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, entitlement);
	int r = sqlite3_step(st);
	*case_id = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return sq_db_fail(err, c->db, "reading a delivery task's entitlement");
	return APP_OK;
}

static enum app_err apply_job(struct conn *c, void *arg, struct app_error *err)
{
	struct dispatch_step *d = arg;
	enum app_err rc = APP_OK;
	d->message_new = d->task_new = false;
	if (d->message) {
		const struct outbox_row *o = d->message;
		sqlite3_stmt *st = sq_stmt(c, STMT_OUTBOX_INSERT, err);
		if (!st)
			return APP_EDB;
		sqlite3_bind_int64(st, 1, d->event);
		sqlite3_bind_int64(st, 2, o->entitlement);
		sq_bind_text(st, 3, o->programme);
		sq_bind_text(st, 4, o->kind);
		sq_bind_text(st, 5, o->region);
		sq_bind_text(st, 6, o->phone);
		sq_bind_text(st, 7, o->text);
		sq_bind_text(st, 8, o->state);
		sqlite3_bind_int64(st, 9, o->next_at);
		sqlite3_bind_int64(st, 10, o->created_at);
		sq_bind_text(st, 11, o->text_masked);
		if ((rc = sq_step_write(c, st, "storing a notification", err)) != APP_OK)
			return rc;
		d->message_new = sqlite3_changes(c->db) == 1;
	}
	if (d->task) {
		int64_t have;
		if ((rc = delivery_of_in(c, d->entitlement, &have, err)) != APP_OK)
			return rc;
		if (!have) {
			rc = sq_case_insert_in(c, d->task, d->line, 1, d->note, NULL, 0, err);
			if (rc != APP_OK)
				return rc;
			sqlite3_stmt *st = sq_stmt(c, STMT_DELIVERY_LINK, err);
			if (!st)
				return APP_EDB;
			sqlite3_bind_int64(st, 1, d->task->id);
			sqlite3_bind_int64(st, 2, d->entitlement);
			sq_bind_text(st, 3, d->programme);
			if ((rc = sq_step_write(c, st, "linking a delivery task", err)) != APP_OK)
				return rc;
			d->task_new = true;
		} else {
			d->task->id = have;
		}
	} else if (d->note) { /* an event skipped: its entry says why */
		if ((rc = sq_audit_append(c, d->note, err)) != APP_OK)
			return rc;
	}
	sqlite3_stmt *st = sq_stmt(c, STMT_DISPATCH_MOVE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, d->event);
	return sq_step_write(c, st, "moving the dispatcher's cursor", err);
}

/* One step of a batch: stops when an earlier one failed. */
struct batch_step {
	struct dispatch_step *d;
	bool *failed;
};

static enum app_err batch_job(struct conn *c, void *arg, struct app_error *err)
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
	enum app_err rc = sq_write_each(s, batch_job, args, n, results, errs);
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

static enum app_err of_read(struct conn *c, void *arg, struct app_error *err)
{
	struct of_read *q = arg;
	return delivery_of_in(c, q->entitlement, q->case_id, err);
}

static enum app_err delivery_of(struct store *s, int64_t entitlement, int64_t *case_id,
				struct app_error *err)
{
	struct of_read q = { entitlement, case_id };
	return sq_read(s, of_read, &q, err);
}

static void read_row(sqlite3_stmt *st, struct outbox_row *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(st, 0);
	o->event = sqlite3_column_int64(st, 1);
	o->entitlement = sqlite3_column_int64(st, 2);
	sq_copy_text(o->programme, sizeof(o->programme), st, 3);
	sq_copy_text(o->kind, sizeof(o->kind), st, 4);
	sq_copy_text(o->region, sizeof(o->region), st, 5);
	sq_copy_text(o->phone, sizeof(o->phone), st, 6);
	sq_copy_text(o->text, sizeof(o->text), st, 7);
	sq_copy_text(o->state, sizeof(o->state), st, 8);
	o->attempts = sqlite3_column_int(st, 9);
	o->next_at = sqlite3_column_int64(st, 10);
	o->status = sqlite3_column_int(st, 11);
	sq_copy_text(o->detail, sizeof(o->detail), st, 12);
	o->created_at = sqlite3_column_int64(st, 13);
	o->sent_at = sqlite3_column_int64(st, 14);
	sq_copy_text(o->text_masked, sizeof(o->text_masked), st, 15);
}

/* Hand each row of st (bound) to fn until it returns false. */
static enum app_err read_rows(struct conn *c, sqlite3_stmt *st, store_outbox_fn fn, void *ctx,
			      struct app_error *err)
{
	struct outbox_row *o = xmalloc(sizeof(*o));
	int r;
	bool more = true;
	while (more && (r = sqlite3_step(st)) == SQLITE_ROW) {
		read_row(st, o);
		more = fn(ctx, o);
	}
	free(o);
	enum app_err rc = more && r != SQLITE_DONE
				  ? sq_db_fail(err, c->db, "reading the outbox")
				  : APP_OK;
	sqlite3_reset(st);
	return rc;
}

struct due_read {
	int64_t now;
	int limit;
	store_outbox_fn fn;
	void *ctx;
};

static enum app_err due_read(struct conn *c, void *arg, struct app_error *err)
{
	struct due_read *q = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_OUTBOX_DUE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, q->now);
	sqlite3_bind_int(st, 2, q->limit);
	sqlite3_bind_int64(st, 3, q->now + STORE_OUTBOX_LEASE);
	return read_rows(c, st, q->fn, q->ctx, err);
}

static enum app_err due(struct store *s, int64_t now, int limit, store_outbox_fn fn, void *ctx,
			struct app_error *err)
{
	struct due_read q = { now, limit, fn, ctx };
	return sq_write(s, due_read, &q, err);
}

struct mark_job {
	const struct outbox_row *o;
	const struct audit_note *note;
};

static enum app_err mark_job(struct conn *c, void *arg, struct app_error *err)
{
	struct mark_job *j = arg;
	const struct outbox_row *o = j->o;
	sqlite3_stmt *st = sq_stmt(c, STMT_OUTBOX_MARK, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, o->id);
	sq_bind_text(st, 2, o->state);
	sqlite3_bind_int(st, 3, o->attempts);
	sqlite3_bind_int64(st, 4, o->next_at);
	sqlite3_bind_int(st, 5, o->status);
	sq_bind_text(st, 6, o->detail);
	sqlite3_bind_int64(st, 7, o->sent_at);
	enum app_err rc = sq_step_write(c, st, "recording a notification's attempt", err);
	if (rc != APP_OK)
		return rc;
	if (sqlite3_changes(c->db) != 1)
		return app_fail(err, APP_ENOTFOUND, "no pending notification %lld",
				(long long)o->id);
	return j->note ? sq_audit_append(c, j->note, err) : APP_OK;
}

static enum app_err mark(struct store *s, const struct outbox_row *o,
			 const struct audit_note *note, struct app_error *err)
{
	struct mark_job j = { o, note };
	return sq_write(s, mark_job, &j, err);
}

struct list_read {
	const struct outbox_query *q;
	store_outbox_fn fn;
	void *ctx;
};

static enum app_err list_read(struct conn *c, void *arg, struct app_error *err)
{
	struct list_read *l = arg;
	const struct outbox_query *q = l->q;
	sqlite3_stmt *st = sq_stmt(c, STMT_OUTBOX_LIST, err);
	if (!st)
		return APP_EDB;
	/* '~' sorts after every code: an unused slot matches nothing */
	for (int i = 0; i < 4; i++)
		sq_bind_text(st, i + 1, i < q->nregions ? q->regions[i] : "~");
	sq_bind_text(st, 5, q->state);
	sqlite3_bind_int64(st, 6, q->before_id > 0 ? q->before_id : INT64_MAX);
	sqlite3_bind_int(st, 7, q->limit);
	return read_rows(c, st, l->fn, l->ctx, err);
}

static enum app_err list(struct store *s, const struct outbox_query *q, store_outbox_fn fn,
			 void *ctx, struct app_error *err)
{
	struct list_read l = { q, fn, ctx };
	return sq_read(s, list_read, &l, err);
}

static bool copy_row(void *ctx, const struct outbox_row *o)
{
	*(struct outbox_row *)ctx = *o;
	return false;
}

struct get_read {
	int64_t id;
	struct outbox_row *out;
	bool found;
};

static bool found_row(void *ctx, const struct outbox_row *o)
{
	struct get_read *g = ctx;
	g->found = true;
	return copy_row(g->out, o);
}

static enum app_err get_read(struct conn *c, void *arg, struct app_error *err)
{
	struct get_read *g = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_OUTBOX_GET, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, g->id);
	return read_rows(c, st, found_row, g, err);
}

static enum app_err get(struct store *s, int64_t id, struct outbox_row *out,
			struct app_error *err)
{
	struct get_read g = { id, out, false };
	enum app_err rc = sq_read(s, get_read, &g, err);
	if (rc == APP_OK && !g.found)
		return app_fail(err, APP_ENOTFOUND, "no such notification");
	return rc;
}

const struct store_outbox_ops sq_outbox_ops = {
	.cursor = cursor,
	.events = events,
	.apply = apply,
	.delivery_of = delivery_of,
	.due = due,
	.mark = mark,
	.list = list,
	.get = get,
};
