/*
 * sqlite_calendar.c - the working-day calendar's admin imports on SQLite:
 * an import is one group-committed job (every row and its audit entry, or
 * nothing); a listing runs on a pooled connection. No calendar rules here:
 * core/calendar.c checks the days before they come this far.
 */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <string.h>

/* Step a write: as sq_step_write, and a value a CHECK refuses (a kind, a
 * day out of range, an empty name) is the caller's to fix, said as
 * pg_calendar.c says it. */
static enum app_err step_write(struct conn *c, sqlite3_stmt *st, const char *what,
			       struct app_error *err)
{
	enum app_err rc = sq_step_write(c, st, what, err);
	if (rc == APP_EDB && sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_CHECK)
		return app_fail(err, APP_EINVAL, "%s: a value is out of range", what);
	return rc;
}

struct put_job {
	const struct calendar_row *rows;
	size_t n;
	const struct audit_note *note;
};

static enum app_err put_job(struct conn *c, void *arg, struct app_error *err)
{
	struct put_job *pj = arg;
	enum app_err rc = APP_OK;
	for (size_t i = 0; rc == APP_OK && i < pj->n; i++) {
		const struct calendar_row *r = &pj->rows[i];
		sqlite3_stmt *st = sq_stmt(c, STMT_CALENDAR_PUT, err);
		if (!st)
			return APP_EDB;
		sqlite3_bind_int(st, 1, r->day);
		sqlite3_bind_text(st, 2, r->kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, r->imported_at);
		sqlite3_bind_text(st, 5, r->imported_by, -1, SQLITE_STATIC);
		if ((rc = step_write(c, st, "storing a calendar day", err)) != APP_OK) {
			char why[sizeof(err->msg)];
			snprintf(why, sizeof(why), "%s", err->msg);
			app_fail(err, rc, "day %d: %s", r->day, why);
		}
	}
	return rc == APP_OK && pj->note ? sq_audit_append(c, pj->note, err) : rc;
}

static enum app_err calendar_put(struct store *s, const struct calendar_row *rows, size_t n,
				 const struct audit_note *note, struct app_error *err)
{
	struct put_job pj = { rows, n, note };
	return sq_write(s, put_job, &pj, err);
}

struct list_read {
	int first_day, last_day;
	store_calendar_fn fn;
	void *ctx;
};

static enum app_err list_read(struct conn *c, void *arg, struct app_error *err)
{
	struct list_read *lr = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_CALENDAR_LIST, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int(st, 1, lr->first_day);
	sqlite3_bind_int(st, 2, lr->last_day);
	int r;
	struct calendar_row row;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		row.day = sqlite3_column_int(st, 0);
		sq_copy_text(row.kind, sizeof(row.kind), st, 1);
		sq_copy_text(row.name, sizeof(row.name), st, 2);
		row.imported_at = sqlite3_column_int64(st, 3);
		sq_copy_text(row.imported_by, sizeof(row.imported_by), st, 4);
		if (!lr->fn(lr->ctx, &row)) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, "listing calendar days");
}

static enum app_err calendar_list(struct store *s, int first_day, int last_day,
				  store_calendar_fn fn, void *ctx, struct app_error *err)
{
	struct list_read lr = { first_day, last_day, fn, ctx };
	return sq_read(s, list_read, &lr, err);
}

const struct store_calendar_ops sq_calendar_ops = {
	.put = calendar_put,
	.list = calendar_list,
};
