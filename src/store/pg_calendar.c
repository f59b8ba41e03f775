/*
 * pg_calendar.c - the working-day calendar's admin imports on PostgreSQL:
 * the twin of sqlite_calendar.c, with the same errors, messages and order.
 *
 * An import is one transaction (every row and its audit entry, or
 * nothing); a listing runs on a pooled connection. Two imports at once each
 * upsert their days; the later commit wins a day both name, as on SQLite.
 */
#include "store/pg_int.h"

#include <stdio.h>
#include <string.h>

/* Run a write: as pg_exec_write, and a value a CHECK refuses is said as
 * sqlite_calendar.c says it. */
static enum app_err write_stmt(struct pg_conn *c, enum pg_stmt id, const struct pg_params *p,
			       const char *what, struct app_error *err)
{
	enum app_err rc = pg_exec_write(c, id, p, what, NULL, NULL, err);
	if (rc == APP_EDB && strcmp(c->sqlstate, "23514") == 0) /* check_violation */
		return app_fail(err, APP_EINVAL, "%s: a value is out of range", what);
	return rc;
}

struct put_job {
	const struct calendar_row *rows;
	size_t n;
	const struct audit_note *note;
};

static enum app_err put_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct put_job *pj = arg;
	enum app_err rc = APP_OK;
	for (size_t i = 0; rc == APP_OK && i < pj->n; i++) {
		const struct calendar_row *r = &pj->rows[i];
		struct pg_params p = { 0 };
		pgp_int(&p, r->day);
		pgp_text(&p, r->kind);
		pgp_text(&p, r->name);
		pgp_int(&p, r->imported_at);
		pgp_text(&p, r->imported_by);
		if ((rc = write_stmt(c, PS_CALENDAR_PUT, &p, "storing a calendar day", err)) !=
		    APP_OK) {
			char why[sizeof(err->msg)];
			snprintf(why, sizeof(why), "%s", err->msg);
			app_fail(err, rc, "day %d: %s", r->day, why);
		}
	}
	return rc == APP_OK && pj->note ? pg_audit_append(c, pj->note, err) : rc;
}

static enum app_err calendar_put(struct store *s, const struct calendar_row *rows, size_t n,
				 const struct audit_note *note, struct app_error *err)
{
	struct put_job pj = { rows, n, note };
	return pg_write(s, put_job, &pj, err);
}

struct list_read {
	int first_day, last_day;
	store_calendar_fn fn;
	void *ctx;
};

static enum app_err list_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct list_read *lr = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, lr->first_day);
	pgp_int(&p, lr->last_day);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_CALENDAR_LIST, &p, "listing calendar days", &res, NULL,
				  err);
	if (rc != APP_OK)
		return rc;
	struct calendar_row row;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		memset(&row, 0, sizeof(row));
		row.day = (int)pg_int(res, i, 0);
		pg_copy_text(row.kind, sizeof(row.kind), res, i, 1);
		pg_copy_text(row.name, sizeof(row.name), res, i, 2);
		row.imported_at = pg_int(res, i, 3);
		pg_copy_text(row.imported_by, sizeof(row.imported_by), res, i, 4);
		if (!lr->fn(lr->ctx, &row))
			break;
	}
	PQclear(res);
	return APP_OK;
}

static enum app_err calendar_list(struct store *s, int first_day, int last_day,
				  store_calendar_fn fn, void *ctx, struct app_error *err)
{
	struct list_read lr = { first_day, last_day, fn, ctx };
	return pg_read(s, list_read, &lr, err);
}

const struct store_calendar_ops pg_calendar_ops = {
	.put = calendar_put,
	.list = calendar_list,
};
