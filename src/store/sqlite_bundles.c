/*
 * sqlite_bundles.c - 一件事 bundles on SQLite (store.h "一件事 bundles"): a
 * bundle and its services stored in one job of the group commit with the
 * audit entry, a task service marked, and bundles read with the person's
 * entitlement of each entitlement service. No rules here: src/bundles
 * checks definitions, scope and transitions first.
 */
#include "store/sqlite_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct start_job {
	struct bundle *b;
	const struct audit_note *note;
};

static enum app_err start_job(struct conn *c, void *arg, struct app_error *err)
{
	struct start_job *j = arg;
	struct bundle *b = j->b;
	sqlite3_stmt *st = sq_stmt(c, STMT_BUNDLE_INSERT, err);
	if (!st)
		return APP_EDB;
	sq_bind_text(st, 1, b->event);
	sq_bind_text(st, 2, b->name);
	sq_bind_text(st, 3, b->person_key);
	sq_bind_text(st, 4, b->person_name);
	sq_bind_text(st, 5, b->phone);
	sq_bind_text(st, 6, b->region);
	sqlite3_bind_int64(st, 7, b->started_at);
	sq_bind_text(st, 8, b->started_by);
	enum app_err rc = sq_step_write(c, st, "storing a bundle", err);
	if (rc == APP_ECONFLICT)
		return app_fail(err, APP_ECONFLICT, "this person has a bundle of event '%s' already",
				b->event);
	if (rc == APP_EINVAL)
		return app_fail(err, APP_EINVAL, "no region '%s'", b->region);
	if (rc != APP_OK)
		return rc;
	b->id = sqlite3_last_insert_rowid(c->db);
	for (int i = 0; i < b->nservices; i++) {
		const struct bundle_service *v = &b->services[i];
		if (!(st = sq_stmt(c, STMT_BUNDLE_SERVICE_INSERT, err)))
			return APP_EDB;
		sqlite3_bind_int64(st, 1, b->id);
		sqlite3_bind_int(st, 2, i + 1);
		sq_bind_text(st, 3, v->code);
		sq_bind_text(st, 4, v->name);
		sq_bind_text(st, 5, v->kind);
		sq_bind_text(st, 6, v->unit);
		sq_bind_text(st, 7, v->programme);
		sqlite3_bind_int(st, 8, v->days);
		sqlite3_bind_int64(st, 9, v->due_at);
		sq_bind_text(st, 10, v->state);
		if ((rc = sq_step_write(c, st, "storing a bundle's service", err)) != APP_OK)
			return rc;
	}
	struct strbuf object = STRBUF_INIT, summary = STRBUF_INIT;
	struct audit_note note = store_case_note(j->note, b->id, &object, &summary);
	rc = sq_audit_append(c, &note, err);
	strbuf_release(&object);
	strbuf_release(&summary);
	return rc;
}

static enum app_err start(struct store *s, struct bundle *b, const struct audit_note *note,
			  struct app_error *err)
{
	struct start_job j = { b, note };
	int64_t before = b->id;
	enum app_err rc = sq_write(s, start_job, &j, err);
	if (rc != APP_OK)
		b->id = before;
	return rc;
}

/* ---- reads: rows of BUNDLE_COLS, one per service, grouped by bundle ---- */

struct read_job {
	enum stmt_id id;
	const struct bundle_query *q;
	int64_t bundle;
	struct bundle *b; /* the bundle being read */
	bool any, stopped;
	store_bundle_fn fn;
	void *ctx;
};

/* The columns of the bundle itself into b (its services emptied). */
static void read_head(sqlite3_stmt *st, struct bundle *b)
{
	memset(b, 0, offsetof(struct bundle, services));
	b->id = sqlite3_column_int64(st, 0);
	sq_copy_text(b->event, sizeof(b->event), st, 1);
	sq_copy_text(b->name, sizeof(b->name), st, 2);
	sq_copy_text(b->person_key, sizeof(b->person_key), st, 3);
	sq_copy_text(b->person_name, sizeof(b->person_name), st, 4);
	sq_copy_text(b->phone, sizeof(b->phone), st, 5);
	sq_copy_text(b->region, sizeof(b->region), st, 6);
	b->started_at = sqlite3_column_int64(st, 7);
	sq_copy_text(b->started_by, sizeof(b->started_by), st, 8);
}

static void read_service(sqlite3_stmt *st, struct bundle *b)
{
	if (b->nservices >= BUNDLE_SERVICES_MAX)
		return;
	struct bundle_service *v = &b->services[b->nservices++];
	memset(v, 0, sizeof(*v));
	sq_copy_text(v->code, sizeof(v->code), st, 10);
	sq_copy_text(v->name, sizeof(v->name), st, 11);
	sq_copy_text(v->kind, sizeof(v->kind), st, 12);
	sq_copy_text(v->unit, sizeof(v->unit), st, 13);
	sq_copy_text(v->programme, sizeof(v->programme), st, 14);
	v->days = sqlite3_column_int(st, 15);
	v->due_at = sqlite3_column_int64(st, 16);
	sq_copy_text(v->state, sizeof(v->state), st, 17);
	sq_copy_text(v->note, sizeof(v->note), st, 18);
	v->marked_at = sqlite3_column_int64(st, 19);
	sq_copy_text(v->marked_by, sizeof(v->marked_by), st, 20);
	sq_copy_text(v->entitlement_state, sizeof(v->entitlement_state), st, 21);
	v->entitlement_id = sqlite3_column_int64(st, 22);
	sq_copy_text(v->entitlement_region, sizeof(v->entitlement_region), st, 23);
}

static enum app_err run_read(struct conn *c, void *arg, struct app_error *err)
{
	struct read_job *j = arg;
	sqlite3_stmt *st = sq_stmt(c, j->id, err);
	if (!st)
		return APP_EDB;
	if (j->q) {
		sq_bind_text(st, 1, j->q->within);
		sq_bind_text(st, 2, j->q->event);
		sqlite3_bind_int64(st, 3, j->q->before_id);
		sqlite3_bind_int(st, 4, j->q->limit);
	} else {
		sqlite3_bind_int64(st, 1, j->bundle);
	}
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		if (j->any && id != j->b->id && j->fn && !j->fn(j->ctx, j->b)) {
			j->stopped = true;
			break;
		}
		if (!j->any || id != j->b->id)
			read_head(st, j->b);
		j->any = true;
		read_service(st, j->b);
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE && r != SQLITE_ROW)
		return sq_db_fail(err, c->db, "reading bundles");
	if (j->any && !j->stopped && j->fn)
		j->fn(j->ctx, j->b);
	return APP_OK;
}

static enum app_err get(struct store *s, int64_t id, struct bundle *out, struct app_error *err)
{
	struct read_job j = { .id = STMT_BUNDLE_GET, .bundle = id, .b = out };
	enum app_err rc = sq_read(s, run_read, &j, err);
	if (rc == APP_OK && !j.any)
		return app_fail(err, APP_ENOTFOUND, "no bundle %lld", (long long)id);
	return rc;
}

static enum app_err list(struct store *s, const struct bundle_query *q, store_bundle_fn fn,
			 void *ctx, struct app_error *err)
{
	struct bundle *b = malloc(sizeof(*b));
	if (!b)
		return app_fail(err, APP_EINTERNAL, "out of memory");
	struct read_job j = { .id = STMT_BUNDLES_LIST, .q = q, .b = b, .fn = fn, .ctx = ctx };
	enum app_err rc = sq_read(s, run_read, &j, err);
	free(b);
	return rc;
}

struct mark_job {
	int64_t id, at;
	const char *code, *state, *note, *by;
	const struct audit_note *audit;
};

static enum app_err mark_job(struct conn *c, void *arg, struct app_error *err)
{
	struct mark_job *j = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_BUNDLE_MARK, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, j->id);
	sq_bind_text(st, 2, j->code);
	sq_bind_text(st, 3, j->state);
	sq_bind_text(st, 4, j->note);
	sqlite3_bind_int64(st, 5, j->at);
	sq_bind_text(st, 6, j->by);
	enum app_err rc = sq_step_write(c, st, "marking a bundle's service", err);
	if (rc == APP_OK && sqlite3_changes(c->db) == 0)
		rc = app_fail(err, APP_ECONFLICT, "service '%s' is no task waiting to be done",
			      j->code);
	return rc == APP_OK ? sq_audit_append(c, j->audit, err) : rc;
}

static enum app_err mark(struct store *s, int64_t id, const char *code, const char *state,
			 const char *note, int64_t at, const char *by,
			 const struct audit_note *audit, struct app_error *err)
{
	struct mark_job j = { .id = id, .at = at, .code = code, .state = state, .note = note,
			      .by = by, .audit = audit };
	return sq_write(s, mark_job, &j, err);
}

const struct store_bundle_ops sq_bundle_ops = {
	.start = start,
	.get = get,
	.list = list,
	.mark = mark,
};
