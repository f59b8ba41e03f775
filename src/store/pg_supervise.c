/*
 * pg_supervise.c - 督办 on PostgreSQL: the twin of sqlite_supervise.c, with
 * the same errors, messages and orders. Each write is one transaction with
 * its audit entry, its event and, on a demand, its timeline line.
 */
#include "store/pg_int.h"

#include <string.h>

static void read_supervision(const PGresult *r, int row, struct supervision *v)
{
	memset(v, 0, sizeof(*v));
	v->id = pg_int(r, row, 0);
	pg_copy_text(v->kind, sizeof(v->kind), r, row, 1);
	v->item_id = pg_int(r, row, 2);
	pg_copy_text(v->region, sizeof(v->region), r, row, 3);
	v->group_id = pg_int(r, row, 4);
	pg_copy_text(v->note, sizeof(v->note), r, row, 5);
	v->days = (int)pg_int(r, row, 6);
	v->issued_by = pg_int(r, row, 7);
	v->issued_at = pg_int(r, row, 8);
	v->deadline = pg_int(r, row, 9);
	pg_copy_text(v->state, sizeof(v->state), r, row, 10);
	v->acknowledged_at = pg_int(r, row, 11);
	v->acknowledged_by = pg_int(r, row, 12);
	v->settled_at = pg_int(r, row, 13);
	pg_copy_text(v->period, sizeof(v->period), r, row, 14);
	v->notice_ack_at = pg_int(r, row, 15);
	v->notice_ack_by = pg_int(r, row, 16);
}

/* The audit entry, event and timeline line of a write on v. */
static enum app_err record(struct pg_conn *c, const struct supervision *v,
			   const struct supervision_write *w, struct app_error *err)
{
	enum app_err rc = pg_audit_append(c, w->note, err);
	if (rc == APP_OK && w->event)
		rc = pg_event_append(c, w->event, NULL, err);
	if (rc != APP_OK || !w->timeline || strcmp(v->kind, "case") != 0)
		return rc;
	struct pg_params p = { 0 };
	pgp_int(&p, v->item_id);
	pgp_int(&p, w->at);
	pgp_int(&p, w->user);
	pgp_text(&p, w->timeline);
	pgp_text(&p, v->note);
	int64_t changes = 0;
	rc = pg_exec(c, PS_SUPERVISION_TIMELINE, &p, "writing a demand's timeline", NULL, &changes,
		     err);
	if (rc == APP_OK && changes == 0)
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

static enum app_err get_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct one *o = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, o->id);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_SUPERVISION_GET, &p, "reading a supervision", &res, NULL,
				  err);
	if (rc != APP_OK)
		return rc;
	if (PQntuples(res) == 1)
		read_supervision(res, 0, o->v);
	else
		rc = app_fail(err, APP_ENOTFOUND, "no such supervision");
	PQclear(res);
	return rc;
}

static enum app_err insert_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct one *o = arg;
	struct supervision *v = o->v;
	struct pg_params p = { 0 };
	pgp_text(&p, v->kind);
	pgp_int(&p, v->item_id);
	pgp_text(&p, v->region);
	pgp_int(&p, v->group_id);
	pgp_text(&p, v->note);
	pgp_int(&p, v->days);
	pgp_int(&p, v->issued_by);
	pgp_int(&p, v->issued_at);
	pgp_int(&p, v->deadline);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_SUPERVISION_INSERT, &p, "storing a supervision", &res, NULL,
				  err);
	if (rc != APP_OK)
		return rc;
	o->id = pg_int(res, 0, 0);
	PQclear(res);
	rc = get_read(c, o, err);
	return rc == APP_OK ? record(c, v, o->w, err) : rc;
}

static enum app_err supervision_insert(struct store *s, struct supervision *v,
				       const struct supervision_write *w, struct app_error *err)
{
	struct supervision row = *v;
	struct one o = { .v = &row, .w = w };
	enum app_err rc = pg_write(s, insert_job, &o, err);
	if (rc == APP_OK)
		*v = row;
	return rc;
}

static enum app_err supervision_get(struct store *s, int64_t id, struct supervision *out,
				    struct app_error *err)
{
	struct one o = { .v = out, .id = id };
	return pg_read(s, get_read, &o, err);
}

static enum app_err ack_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct one *o = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, o->id);
	pgp_int(&p, o->w->at);
	pgp_int(&p, o->w->user);
	int64_t changes = 0;
	enum app_err rc =
		pg_exec(c, o->notice ? PS_SUPERVISION_NOTICE_ACK : PS_SUPERVISION_ACK, &p,
			o->notice ? "acknowledging a notice" : "acknowledging a reminder", NULL,
			&changes, err);
	if (rc == APP_OK && changes == 0)
		rc = app_fail(err, APP_ECONFLICT, "%s",
			      o->notice ? "this notice was acknowledged before, or is not listed"
					: "this reminder was acknowledged before");
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
	enum app_err rc = pg_write(s, ack_job, &o, err);
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

static enum app_err open_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct open_read *or = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, or->limit);
	pgp_int(&p, or->after);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_SUPERVISIONS_OPEN, &p, "reading open supervisions", &res,
				  NULL, err);
	if (rc != APP_OK)
		return rc;
	struct supervision v;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		read_supervision(res, i, &v);
		if (!or->fn(or->ctx, &v, pg_int(res, i, 17)))
			break;
	}
	PQclear(res);
	return APP_OK;
}

static enum app_err supervisions_open(struct store *s, int64_t after_id, int limit,
				      store_supervision_open_fn fn, void *ctx, struct app_error *err)
{
	struct open_read or = { after_id, limit, fn, ctx };
	return pg_read(s, open_read, &or, err);
}

static enum app_err settle_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct one *o = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, o->id);
	pgp_text(&p, o->state);
	pgp_int(&p, o->w->at);
	pgp_text(&p, o->period);
	int64_t changes = 0;
	enum app_err rc = pg_exec(c, PS_SUPERVISION_SETTLE, &p, "settling a supervision", NULL,
				  &changes, err);
	if (rc == APP_OK && changes == 0)
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
	return pg_write(s, settle_job, &o, err);
}

struct notices_read {
	const char *period, *region;
	store_supervision_fn fn;
	void *ctx;
};

static enum app_err notices_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct notices_read *nr = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, nr->period);
	pgp_text(&p, nr->region);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_SUPERVISION_NOTICES, &p, "listing notices", &res, NULL,
				  err);
	if (rc != APP_OK)
		return rc;
	struct supervision v;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		read_supervision(res, i, &v);
		if (!nr->fn(nr->ctx, &v))
			break;
	}
	PQclear(res);
	return APP_OK;
}

static enum app_err supervision_notices(struct store *s, const char *period, const char *region,
					store_supervision_fn fn, void *ctx, struct app_error *err)
{
	struct notices_read nr = { period, region, fn, ctx };
	return pg_read(s, notices_read, &nr, err);
}

const struct store_supervise_ops pg_supervise_ops = {
	.insert = supervision_insert,
	.get = supervision_get,
	.ack = supervision_ack,
	.open = supervisions_open,
	.settle = supervision_settle,
	.notices = supervision_notices,
};
