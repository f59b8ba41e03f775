/*
 * sqlite_case_photos.c - what hangs off a case on SQLite: its photos (rows
 * naming files that src/groups/images.c keeps on disk) and the case a
 * group message was raised as.
 *
 * Adding a photo is one group-committed job: the case as it stands (its
 * state and rung go into the timeline line), the photo already shown or
 * the number of photos checked against the limit, then the row, the
 * timeline line, the events and the audit entry, or none of them. The
 * writer runs one job at a time, so two uploads cannot both pass the limit.
 * No rules of cases here: those are src/cases's.
 */
#include "store/sqlite_int.h"

#include <string.h>

/* Columns of STMT_CASE_PHOTO_GET and STMT_CASE_PHOTOS into p. */
static void read_photo(sqlite3_stmt *st, struct case_photo *p)
{
	memset(p, 0, sizeof(*p));
	p->case_id = sqlite3_column_int64(st, 0);
	sq_copy_text(p->sha256, sizeof(p->sha256), st, 1);
	sq_copy_text(p->mime, sizeof(p->mime), st, 2);
	p->size = sqlite3_column_int64(st, 3);
	p->added_by = sqlite3_column_int64(st, 4);
	p->added_at = sqlite3_column_int64(st, 5);
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

/* The state and rung of case id into line (APP_ENOTFOUND: no such case). */
static enum app_err standing(struct conn *c, int64_t id, struct case_event_row *line,
			     struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_CASE_STANDING, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, id);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		sq_copy_text(line->from_state, sizeof(line->from_state), st, 0);
		memcpy(line->to_state, line->from_state, sizeof(line->to_state));
		line->level = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (r == SQLITE_DONE)
		return app_fail(err, APP_ENOTFOUND, "no such case");
	return r == SQLITE_ROW ? APP_OK : sq_db_fail(err, c->db, "reading a case");
}

/* Whether the case shows photo a->p already (then a->out is it as stored),
 * else whether it has room for one more. */
static enum app_err shown_or_room(struct conn *c, struct photo_add *a, bool *shown,
				  struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_CASE_PHOTO_GET, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, a->p->case_id);
	sqlite3_bind_text(st, 2, a->p->sha256, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		read_photo(st, a->out);
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return sq_db_fail(err, c->db, "reading a photo of a case");
	if ((*shown = r == SQLITE_ROW))
		return APP_OK;
	if (!(st = sq_stmt(c, STMT_CASE_PHOTO_COUNT, err)))
		return APP_EDB;
	sqlite3_bind_int64(st, 1, a->p->case_id);
	r = sqlite3_step(st);
	int64_t n = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (r != SQLITE_ROW)
		return sq_db_fail(err, c->db, "counting the photos of a case");
	if (n >= a->max)
		return app_fail(err, APP_ECONFLICT, "the case has %d photos, the most it may have",
				a->max);
	return APP_OK;
}

static enum app_err add_job(struct conn *c, void *arg, struct app_error *err)
{
	struct photo_add *a = arg;
	const struct case_photo *p = a->p;
	struct case_event_row line = *a->line;
	bool shown = false;
	a->added = false;
	enum app_err rc = standing(c, p->case_id, &line, err);
	if (rc == APP_OK)
		rc = shown_or_room(c, a, &shown, err);
	if (rc != APP_OK || shown)
		return rc;
	sqlite3_stmt *st = sq_stmt(c, STMT_CASE_PHOTO_INSERT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, p->case_id);
	sqlite3_bind_text(st, 2, p->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->mime, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, p->size);
	sqlite3_bind_int64(st, 5, p->added_by);
	sqlite3_bind_int64(st, 6, p->added_at);
	if ((rc = sq_step_write(c, st, "recording a photo of a case", err)) != APP_OK)
		return rc;
	if (!(st = sq_stmt(c, STMT_CASE_EVENT_INSERT, err)))
		return APP_EDB;
	sqlite3_bind_int64(st, 1, p->case_id);
	sqlite3_bind_int64(st, 2, line.at);
	sqlite3_bind_int64(st, 3, line.actor);
	sqlite3_bind_text(st, 4, line.action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, line.from_state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, line.to_state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, line.clock, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, line.level);
	sqlite3_bind_text(st, 9, line.detail, -1, SQLITE_STATIC);
	if ((rc = sq_step_write(c, st, "adding to a case's timeline", err)) != APP_OK)
		return rc;
	for (int i = 0; rc == APP_OK && i < a->nevents; i++)
		rc = sq_event_append(c, &a->events[i], NULL, err);
	if (rc == APP_OK && a->note)
		rc = sq_audit_append(c, a->note, err);
	if (rc == APP_OK) {
		*a->out = *p;
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
	enum app_err rc = sq_write(s, add_job, &a, err);
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

static enum app_err photos_read(struct conn *c, void *arg, struct app_error *err)
{
	struct photos_read *pr = arg;
	sqlite3_stmt *st = sq_stmt(c, pr->sha256 ? STMT_CASE_PHOTO_GET : STMT_CASE_PHOTOS, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, pr->case_id);
	if (pr->sha256)
		sqlite3_bind_text(st, 2, pr->sha256, -1, SQLITE_STATIC);
	struct case_photo p;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		read_photo(st, &p);
		pr->found = true;
		if (!pr->fn(pr->ctx, &p)) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, "reading the photos of a case");
}

static enum app_err photos_list(struct store *s, int64_t case_id, store_case_photo_fn fn,
				void *ctx, struct app_error *err)
{
	struct photos_read pr = { case_id, NULL, fn, ctx, false };
	return sq_read(s, photos_read, &pr, err);
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
	enum app_err rc = sq_read(s, photos_read, &pr, err);
	if (rc == APP_OK && !pr.found)
		return app_fail(err, APP_ENOTFOUND, "no such photo");
	return rc;
}

struct message_read {
	int64_t message_id;
	int64_t id;
};

static enum app_err message_read(struct conn *c, void *arg, struct app_error *err)
{
	struct message_read *mr = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_CASE_OF_MESSAGE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, mr->message_id);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		mr->id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return r == SQLITE_ROW || r == SQLITE_DONE
		       ? APP_OK
		       : sq_db_fail(err, c->db, "finding the case of a message");
}

static enum app_err of_message(struct store *s, int64_t message_id, int64_t *id,
			       struct app_error *err)
{
	struct message_read mr = { message_id, 0 };
	enum app_err rc = sq_read(s, message_read, &mr, err);
	if (rc == APP_OK)
		*id = mr.id;
	return rc;
}

const struct store_case_photo_ops sq_case_photo_ops = {
	.add = photo_add,
	.list = photos_list,
	.get = photo_get,
	.of_message = of_message,
};
