/*
 * pg_case_photos.c - what hangs off a case on PostgreSQL: the twin of
 * sqlite_case_photos.c, with the same errors, messages and orders.
 *
 * Adding a photo is one transaction that first locks the case's row (FOR
 * UPDATE), so that two uploads at once, on one node or two, count the
 * photos one after the other and cannot both pass the limit; then the row,
 * the timeline line, the events and the audit entry (the events before the
 * audit entry: PG_LOCK_EVENTS before PG_LOCK_AUDIT, as pg_messages.c
 * explains), or none of them.
 */
#include "store/pg_int.h"

#include <string.h>

/* Row `row` of PS_CASE_PHOTO_GET or PS_CASE_PHOTOS into p. */
static void read_photo(const PGresult *r, int row, struct case_photo *p)
{
	memset(p, 0, sizeof(*p));
	p->case_id = pg_int(r, row, 0);
	pg_copy_text(p->sha256, sizeof(p->sha256), r, row, 1);
	pg_copy_text(p->mime, sizeof(p->mime), r, row, 2);
	p->size = pg_int(r, row, 3);
	p->added_by = pg_int(r, row, 4);
	p->added_at = pg_int(r, row, 5);
}

struct photo_add {
	const struct case_photo *p;
	int max;
	const struct case_event_row *line;
	const struct audit_note *note;
	const struct event_note *events;
	int nevents;
	struct case_photo *out;
	bool added;
};

/* Lock case id and put its state and rung into line (APP_ENOTFOUND: no
 * such case). */
static enum app_err standing(struct pg_conn *c, int64_t id, struct case_event_row *line,
			     struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_int(&p, id);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_CASE_STANDING, &p, "reading a case", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	if (PQntuples(res) == 1) {
		pg_copy_text(line->from_state, sizeof(line->from_state), res, 0, 0);
		memcpy(line->to_state, line->from_state, sizeof(line->to_state));
		line->level = (int)pg_int(res, 0, 1);
	} else {
		rc = app_fail(err, APP_ENOTFOUND, "no such case");
	}
	PQclear(res);
	return rc;
}

/* Whether the case shows photo a->p already (then a->out is it as stored),
 * else whether it has room for one more. */
static enum app_err shown_or_room(struct pg_conn *c, struct photo_add *a, bool *shown,
				  struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_int(&p, a->p->case_id);
	pgp_text(&p, a->p->sha256);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_CASE_PHOTO_GET, &p, "reading a photo of a case", &res,
				  NULL, err);
	if (rc != APP_OK)
		return rc;
	if ((*shown = PQntuples(res) == 1))
		read_photo(res, 0, a->out);
	PQclear(res);
	if (*shown)
		return APP_OK;
	struct pg_params q = { 0 };
	pgp_int(&q, a->p->case_id);
	rc = pg_exec(c, PS_CASE_PHOTO_COUNT, &q, "counting the photos of a case", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	int64_t n = pg_int(res, 0, 0);
	PQclear(res);
	if (n >= a->max)
		return app_fail(err, APP_ECONFLICT, "the case has %d photos, the most it may have",
				a->max);
	return APP_OK;
}

static enum app_err add_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct photo_add *a = arg;
	const struct case_photo *ph = a->p;
	struct case_event_row line = *a->line;
	bool shown = false;
	a->added = false;
	enum app_err rc = standing(c, ph->case_id, &line, err);
	if (rc == APP_OK)
		rc = shown_or_room(c, a, &shown, err);
	if (rc != APP_OK || shown)
		return rc;
	struct pg_params p = { 0 };
	pgp_int(&p, ph->case_id);
	pgp_text(&p, ph->sha256);
	pgp_text(&p, ph->mime);
	pgp_int(&p, ph->size);
	pgp_int(&p, ph->added_by);
	pgp_int(&p, ph->added_at);
	rc = pg_exec(c, PS_CASE_PHOTO_INSERT, &p, "recording a photo of a case", NULL, NULL, err);
	if (rc != APP_OK)
		return rc;
	struct pg_params q = { 0 };
	pgp_int(&q, ph->case_id);
	pgp_int(&q, line.at);
	pgp_int(&q, line.actor);
	pgp_text(&q, line.action);
	pgp_text(&q, line.from_state);
	pgp_text(&q, line.to_state);
	pgp_text(&q, line.clock);
	pgp_int(&q, line.level);
	pgp_text(&q, line.detail);
	rc = pg_exec(c, PS_CASE_EVENT_INSERT, &q, "adding to a case's timeline", NULL, NULL, err);
	for (int i = 0; rc == APP_OK && i < a->nevents; i++)
		rc = pg_event_append(c, &a->events[i], NULL, err);
	if (rc == APP_OK && a->note)
		rc = pg_audit_append(c, a->note, err);
	if (rc == APP_OK) {
		*a->out = *ph;
		a->added = true;
	}
	return rc;
}

static enum app_err photo_add(struct store *s, const struct case_photo *p, int max,
			      const struct case_event_row *line, const struct audit_note *note,
			      const struct event_note *events, int nevents, struct case_photo *out,
			      bool *added, struct app_error *err)
{
	struct photo_add a = { p, max, line, note, events, nevents, out, false };
	enum app_err rc = pg_write(s, add_job, &a, err);
	*added = rc == APP_OK && a.added;
	return rc;
}

struct photos_read {
	int64_t case_id;
	const char *sha256; /* NULL: every photo */
	store_case_photo_fn fn;
	void *ctx;
	bool found;
};

static enum app_err photos_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct photos_read *pr = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, pr->case_id);
	if (pr->sha256)
		pgp_text(&p, pr->sha256);
	PGresult *res;
	enum app_err rc = pg_exec(c, pr->sha256 ? PS_CASE_PHOTO_GET : PS_CASE_PHOTOS, &p,
				  "reading the photos of a case", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	struct case_photo ph;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		read_photo(res, i, &ph);
		pr->found = true;
		if (!pr->fn(pr->ctx, &ph))
			break;
	}
	PQclear(res);
	return APP_OK;
}

static enum app_err photos_list(struct store *s, int64_t case_id, store_case_photo_fn fn,
				void *ctx, struct app_error *err)
{
	struct photos_read pr = { case_id, NULL, fn, ctx, false };
	return pg_read(s, photos_read, &pr, err);
}

static bool copy_photo(void *ctx, const struct case_photo *p)
{
	*(struct case_photo *)ctx = *p;
	return false;
}

static enum app_err photo_get(struct store *s, int64_t case_id, const char *sha256,
			      struct case_photo *out, struct app_error *err)
{
	struct photos_read pr = { case_id, sha256, copy_photo, out, false };
	enum app_err rc = pg_read(s, photos_read, &pr, err);
	if (rc == APP_OK && !pr.found)
		return app_fail(err, APP_ENOTFOUND, "no such photo");
	return rc;
}

struct message_read {
	int64_t message_id;
	int64_t id;
};

static enum app_err message_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct message_read *mr = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, mr->message_id);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_CASE_OF_MESSAGE, &p, "finding the case of a message", &res,
				  NULL, err);
	if (rc != APP_OK)
		return rc;
	if (PQntuples(res) == 1)
		mr->id = pg_int(res, 0, 0);
	PQclear(res);
	return APP_OK;
}

static enum app_err of_message(struct store *s, int64_t message_id, int64_t *id,
			       struct app_error *err)
{
	struct message_read mr = { message_id, 0 };
	enum app_err rc = pg_read(s, message_read, &mr, err);
	if (rc == APP_OK)
		*id = mr.id;
	return rc;
}

const struct store_case_photo_ops pg_case_photo_ops = {
	.add = photo_add,
	.list = photos_list,
	.get = photo_get,
	.of_message = of_message,
};
