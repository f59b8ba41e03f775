/*
 * pg_bundles.c - 一件事 bundles on PostgreSQL: the twin of sqlite_bundles.c,
 * with the same errors, messages and orders. A bundle and its services are
 * stored in one transaction with the audit entry.
 */
#include "store/pg_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct start_job {
	struct bundle *b;
	const struct audit_note *note;
};

static enum app_err start_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct start_job *j = arg;
	struct bundle *b = j->b;
	struct pg_params p = { 0 };
	pgp_text(&p, b->event);
	pgp_text(&p, b->name);
	pgp_text(&p, b->person_key);
	pgp_text(&p, b->person_name);
	pgp_text(&p, b->phone);
	pgp_text(&p, b->region);
	pgp_int(&p, b->started_at);
	pgp_text(&p, b->started_by);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_BUNDLE_INSERT, &p, "storing a bundle", &res, NULL, err);
	if (rc == APP_ECONFLICT)
		return app_fail(err, APP_ECONFLICT, "this person has a bundle of event '%s' already",
				b->event);
	if (rc == APP_EINVAL)
		return app_fail(err, APP_EINVAL, "no region '%s'", b->region);
	if (rc != APP_OK)
		return rc;
	b->id = pg_int(res, 0, 0);
	PQclear(res);
	for (int i = 0; i < b->nservices; i++) {
		const struct bundle_service *v = &b->services[i];
		struct pg_params q = { 0 };
		pgp_int(&q, b->id);
		pgp_int(&q, i + 1);
		pgp_text(&q, v->code);
		pgp_text(&q, v->name);
		pgp_text(&q, v->kind);
		pgp_text(&q, v->unit);
		pgp_text(&q, v->programme);
		pgp_int(&q, v->days);
		pgp_int(&q, v->due_at);
		pgp_text(&q, v->state);
		rc = pg_exec(c, PS_BUNDLE_SERVICE_INSERT, &q, "storing a bundle's service", NULL,
			     NULL, err);
		if (rc != APP_OK)
			return rc;
	}
	struct strbuf object = STRBUF_INIT, summary = STRBUF_INIT;
	struct audit_note note = store_case_note(j->note, b->id, &object, &summary);
	rc = pg_audit_append(c, &note, err);
	strbuf_release(&object);
	strbuf_release(&summary);
	return rc;
}

static enum app_err start(struct store *s, struct bundle *b, const struct audit_note *note,
			  struct app_error *err)
{
	struct start_job j = { b, note };
	int64_t before = b->id;
	enum app_err rc = pg_write(s, start_job, &j, err);
	if (rc != APP_OK)
		b->id = before;
	return rc;
}

/* ---- reads: rows of BUNDLE_COLS, one per service, grouped by bundle ---- */

struct read_job {
	enum pg_stmt id;
	struct pg_params p;
	struct bundle *b;
	bool any;
	store_bundle_fn fn;
	void *ctx;
};

static void read_head(const PGresult *r, int i, struct bundle *b)
{
	memset(b, 0, offsetof(struct bundle, services));
	b->id = pg_int(r, i, 0);
	pg_copy_text(b->event, sizeof(b->event), r, i, 1);
	pg_copy_text(b->name, sizeof(b->name), r, i, 2);
	pg_copy_text(b->person_key, sizeof(b->person_key), r, i, 3);
	pg_copy_text(b->person_name, sizeof(b->person_name), r, i, 4);
	pg_copy_text(b->phone, sizeof(b->phone), r, i, 5);
	pg_copy_text(b->region, sizeof(b->region), r, i, 6);
	b->started_at = pg_int(r, i, 7);
	pg_copy_text(b->started_by, sizeof(b->started_by), r, i, 8);
}

static void read_service(const PGresult *r, int i, struct bundle *b)
{
	if (b->nservices >= BUNDLE_SERVICES_MAX)
		return;
	struct bundle_service *v = &b->services[b->nservices++];
	memset(v, 0, sizeof(*v));
	pg_copy_text(v->code, sizeof(v->code), r, i, 10);
	pg_copy_text(v->name, sizeof(v->name), r, i, 11);
	pg_copy_text(v->kind, sizeof(v->kind), r, i, 12);
	pg_copy_text(v->unit, sizeof(v->unit), r, i, 13);
	pg_copy_text(v->programme, sizeof(v->programme), r, i, 14);
	v->days = (int)pg_int(r, i, 15);
	v->due_at = pg_int(r, i, 16);
	pg_copy_text(v->state, sizeof(v->state), r, i, 17);
	pg_copy_text(v->note, sizeof(v->note), r, i, 18);
	v->marked_at = pg_int(r, i, 19);
	pg_copy_text(v->marked_by, sizeof(v->marked_by), r, i, 20);
	pg_copy_text(v->entitlement_state, sizeof(v->entitlement_state), r, i, 21);
	v->entitlement_id = pg_int(r, i, 22);
	pg_copy_text(v->entitlement_region, sizeof(v->entitlement_region), r, i, 23);
}

static enum app_err run_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct read_job *j = arg;
	PGresult *res;
	enum app_err rc = pg_exec(c, j->id, &j->p, "reading bundles", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	bool stopped = false;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		int64_t id = pg_int(res, i, 0);
		if (j->any && id != j->b->id && j->fn && !j->fn(j->ctx, j->b)) {
			stopped = true;
			break;
		}
		if (!j->any || id != j->b->id)
			read_head(res, i, j->b);
		j->any = true;
		read_service(res, i, j->b);
	}
	PQclear(res);
	if (j->any && !stopped && j->fn)
		j->fn(j->ctx, j->b);
	return APP_OK;
}

static enum app_err get(struct store *s, int64_t id, struct bundle *out, struct app_error *err)
{
	struct read_job j = { .id = PS_BUNDLE_GET, .b = out };
	pgp_int(&j.p, id);
	enum app_err rc = pg_read(s, run_read, &j, err);
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
	struct read_job j = { .id = PS_BUNDLES_LIST, .b = b, .fn = fn, .ctx = ctx };
	pgp_text(&j.p, q->within);
	pgp_text(&j.p, q->event);
	pgp_int(&j.p, q->before_id);
	pgp_int(&j.p, q->limit);
	enum app_err rc = pg_read(s, run_read, &j, err);
	free(b);
	return rc;
}

struct mark_job {
	int64_t id, at;
	const char *code, *state, *note, *by;
	const struct audit_note *audit;
};

static enum app_err mark_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct mark_job *j = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, j->id);
	pgp_text(&p, j->code);
	pgp_text(&p, j->state);
	pgp_text(&p, j->note);
	pgp_int(&p, j->at);
	pgp_text(&p, j->by);
	int64_t changes = 0;
	enum app_err rc = pg_exec(c, PS_BUNDLE_MARK, &p, "marking a bundle's service", NULL,
				  &changes, err);
	if (rc == APP_OK && changes == 0)
		rc = app_fail(err, APP_ECONFLICT, "service '%s' is no task waiting to be done",
			      j->code);
	return rc == APP_OK ? pg_audit_append(c, j->audit, err) : rc;
}

static enum app_err mark(struct store *s, int64_t id, const char *code, const char *state,
			 const char *note, int64_t at, const char *by,
			 const struct audit_note *audit, struct app_error *err)
{
	struct mark_job j = { .id = id, .at = at, .code = code, .state = state, .note = note,
			      .by = by, .audit = audit };
	return pg_write(s, mark_job, &j, err);
}

const struct store_bundle_ops pg_bundle_ops = {
	.start = start,
	.get = get,
	.list = list,
	.mark = mark,
};
