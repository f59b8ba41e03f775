/*
 * sqlite_supervise.c - 督办 on SQLite (store.h "督办"): reminders on alerts
 * and demands, their acknowledgements, the check's reads and settlements,
 * and the 通报 of a period. Each write is one job with its audit entry, its
 * event and, on a demand, its timeline line. No rules here: src/patrol/
 * supervise.c decides what is due and what is listed.
 */
#include "store/sqlite_int.h"

#include <string.h>

static void read_supervision(sqlite3_stmt *st, struct supervision *v)
{
	memset(v, 0, sizeof(*v));
	v->id = sqlite3_column_int64(st, 0);
	sq_copy_text(v->kind, sizeof(v->kind), st, 1);
	v->item_id = sqlite3_column_int64(st, 2);
	sq_copy_text(v->region, sizeof(v->region), st, 3);
	v->group_id = sqlite3_column_int64(st, 4);
	sq_copy_text(v->note, sizeof(v->note), st, 5);
	v->days = sqlite3_column_int(st, 6);
	v->issued_by = sqlite3_column_int64(st, 7);
	v->issued_at = sqlite3_column_int64(st, 8);
	v->deadline = sqlite3_column_int64(st, 9);
	sq_copy_text(v->state, sizeof(v->state), st, 10);
	v->acknowledged_at = sqlite3_column_int64(st, 11);
	v->acknowledged_by = sqlite3_column_int64(st, 12);
	v->settled_at = sqlite3_column_int64(st, 13);
	sq_copy_text(v->period, sizeof(v->period), st, 14);
	v->notice_ack_at = sqlite3_column_int64(st, 15);
	v->notice_ack_by = sqlite3_column_int64(st, 16);
}

/* The audit entry, event and timeline line of a write on v. */
static enum app_err record(struct conn *c, const struct supervision *v,
			   const struct supervision_write *w, struct app_error *err)
{
	enum app_err rc = sq_audit_append(c, w->note, err);
	if (rc == APP_OK && w->event)
		rc = sq_event_append(c, w->event, NULL, err);
	if (rc != APP_OK || !w->timeline || strcmp(v->kind, "case") != 0)
		return rc;
	sqlite3_stmt *st = sq_stmt(c, STMT_SUPERVISION_TIMELINE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, v->item_id);
	sqlite3_bind_int64(st, 2, w->at);
	sqlite3_bind_int64(st, 3, w->user);
	sqlite3_bind_text(st, 4, w->timeline, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, v->note, -1, SQLITE_STATIC);
	rc = sq_step_write(c, st, "writing a demand's timeline", err);
	if (rc == APP_OK && sqlite3_changes(c->db) == 0)
		rc = app_fail(err, APP_ENOTFOUND, "no such demand");
	return rc;
}

struct one {
	struct supervision *v;
	const struct supervision_write *w;
	int64_t id;
	bool notice;
	const char *state, *period;
};

static enum app_err get_read(struct conn *c, void *arg, struct app_error *err)
{
	struct one *o = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_SUPERVISION_GET, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, o->id);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		read_supervision(st, o->v);
	sqlite3_reset(st);
	if (r == SQLITE_DONE)
		return app_fail(err, APP_ENOTFOUND, "no such supervision");
	return r == SQLITE_ROW ? APP_OK : sq_db_fail(err, c->db, "reading a supervision");
}

static enum app_err insert_job(struct conn *c, void *arg, struct app_error *err)
{
	struct one *o = arg;
	struct supervision *v = o->v;
	sqlite3_stmt *st = sq_stmt(c, STMT_SUPERVISION_INSERT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, v->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, v->item_id);
	sqlite3_bind_text(st, 3, v->region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, v->group_id);
	sqlite3_bind_text(st, 5, v->note, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, v->days);
	sqlite3_bind_int64(st, 7, v->issued_by);
	sqlite3_bind_int64(st, 8, v->issued_at);
	sqlite3_bind_int64(st, 9, v->deadline);
	int r = sqlite3_step(st);
	int64_t id = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (r != SQLITE_ROW)
		return sq_db_fail(err, c->db, "storing a supervision");
	o->id = id;
	enum app_err rc = get_read(c, o, err);
	return rc == APP_OK ? record(c, v, o->w, err) : rc;
}

static enum app_err supervision_insert(struct store *s, struct supervision *v,
				       const struct supervision_write *w, struct app_error *err)
{
	struct supervision row;
	struct one o = { .v = &row, .w = w };
	row = *v;
	enum app_err rc = sq_write(s, insert_job, &o, err);
	if (rc == APP_OK)
		*v = row;
	return rc;
}

static enum app_err supervision_get(struct store *s, int64_t id, struct supervision *out,
				    struct app_error *err)
{
	struct one o = { .v = out, .id = id };
	return sq_read(s, get_read, &o, err);
}

/* Bind id, w->at and w->user to statement sid, step it: APP_ECONFLICT
 * when no row changed. */
static enum app_err update(struct conn *c, enum stmt_id sid, int64_t id,
			   const struct supervision_write *w, const char *what,
			   const char *conflict, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, sid, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, w->at);
	sqlite3_bind_int64(st, 3, w->user);
	enum app_err rc = sq_step_write(c, st, what, err);
	if (rc == APP_OK && sqlite3_changes(c->db) == 0)
		rc = app_fail(err, APP_ECONFLICT, "%s", conflict);
	return rc;
}

static enum app_err ack_job(struct conn *c, void *arg, struct app_error *err)
{
	struct one *o = arg;
	enum app_err rc =
		o->notice ? update(c, STMT_SUPERVISION_NOTICE_ACK, o->id, o->w,
				   "acknowledging a notice",
				   "this notice was acknowledged before, or is not listed", err)
			  : update(c, STMT_SUPERVISION_ACK, o->id, o->w, "acknowledging a reminder",
				   "this reminder was acknowledged before", err);
	if (rc == APP_OK)
		rc = get_read(c, o, err);
	return rc == APP_OK ? record(c, o->v, o->w, err) : rc;
}

static enum app_err supervision_ack(struct store *s, int64_t id, bool notice,
				    const struct supervision_write *w, struct supervision *out,
				    struct app_error *err)
{
	struct supervision row;
	struct one o = { .v = &row, .w = w, .id = id, .notice = notice };
	enum app_err rc = sq_write(s, ack_job, &o, err);
	if (rc == APP_OK)
		*out = row;
	return rc;
}

struct open_read {
	int64_t after;
	int limit;
	store_supervision_open_fn fn;
	void *ctx;
};

static enum app_err open_read(struct conn *c, void *arg, struct app_error *err)
{
	struct open_read *or = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_SUPERVISIONS_OPEN, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int(st, 1, or->limit);
	sqlite3_bind_int64(st, 2, or->after);
	int r;
	struct supervision v;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		read_supervision(st, &v);
		if (!or->fn(or->ctx, &v, sqlite3_column_int64(st, 17))) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, "reading open supervisions");
}

static enum app_err supervisions_open(struct store *s, int64_t after_id, int limit,
				      store_supervision_open_fn fn, void *ctx, struct app_error *err)
{
	struct open_read or = { after_id, limit, fn, ctx };
	return sq_read(s, open_read, &or, err);
}

static enum app_err settle_job(struct conn *c, void *arg, struct app_error *err)
{
	struct one *o = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_SUPERVISION_SETTLE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, o->id);
	sqlite3_bind_text(st, 2, o->state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, o->w->at);
	sqlite3_bind_text(st, 4, o->period, -1, SQLITE_STATIC);
	enum app_err rc = sq_step_write(c, st, "settling a supervision", err);
	if (rc == APP_OK && sqlite3_changes(c->db) == 0)
		rc = app_fail(err, APP_ECONFLICT, "this supervision is settled already");
	if (rc == APP_OK)
		rc = get_read(c, o, err);
	return rc == APP_OK ? record(c, o->v, o->w, err) : rc;
}

static enum app_err supervision_settle(struct store *s, int64_t id, const char *state,
				       const char *period, const struct supervision_write *w,
				       struct app_error *err)
{
	struct supervision row;
	struct one o = { .v = &row, .w = w, .id = id, .state = state, .period = period };
	return sq_write(s, settle_job, &o, err);
}

struct notices_read {
	const char *period, *region;
	store_supervision_fn fn;
	void *ctx;
};

static enum app_err notices_read(struct conn *c, void *arg, struct app_error *err)
{
	struct notices_read *nr = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_SUPERVISION_NOTICES, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, nr->period, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, nr->region, -1, SQLITE_STATIC);
	int r;
	struct supervision v;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		read_supervision(st, &v);
		if (!nr->fn(nr->ctx, &v)) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, "listing notices");
}

static enum app_err supervision_notices(struct store *s, const char *period, const char *region,
					store_supervision_fn fn, void *ctx, struct app_error *err)
{
	struct notices_read nr = { period, region, fn, ctx };
	return sq_read(s, notices_read, &nr, err);
}

const struct store_supervise_ops sq_supervise_ops = {
	.insert = supervision_insert,
	.get = supervision_get,
	.ack = supervision_ack,
	.open = supervisions_open,
	.settle = supervision_settle,
	.notices = supervision_notices,
};
