/*
 * sqlite_cases.c - cases, their clocks and their timelines on SQLite.
 *
 * A new case, or a change of one, is one group-committed job: the row, its
 * clocks (replaced whole), its new timeline lines, its events and its audit
 * entry, or none of them. A change is optimistic: the UPDATE replaces only
 * the version the change was computed from; when it touches no row, a look
 * at the stored version tells a stale change (APP_ECONFLICT) from a missing
 * case (APP_ENOTFOUND). A case and its clocks are read by one statement,
 * so a read never mixes two versions of a case. No case rules here: those
 * are src/cases's.
 */
#include "store/sqlite_int.h"
#include "core/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Columns of CASE_COLS (sqlite_sql.c) after the case's own: the clock. */
enum { CLOCK_COL = 36 };

/* Step a write of clocks or timeline lines: as sq_step_write, and a value
 * a CHECK refuses is the caller's to fix, said as pg_cases.c says it. */
static enum app_err step_write(struct conn *c, sqlite3_stmt *st, const char *what,
			       struct app_error *err)
{
	enum app_err rc = sq_step_write(c, st, what, err);
	if (rc == APP_EDB && sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_CHECK)
		return app_fail(err, APP_EINVAL, "%s: a value is out of range", what);
	return rc;
}

/* Why storing the row of case k failed (r: what sqlite3_step said). Its
 * only reference is its region; a value a CHECK refuses (urgency, source)
 * is the caller's to fix too. Said as pg_cases.c says them. */
static enum app_err row_fail(struct conn *c, int r, const struct case_row *k, const char *what,
			     struct app_error *err)
{
	if (r == SQLITE_CONSTRAINT_FOREIGNKEY)
		return app_fail_field(err, APP_EINVAL, "region",
				      "%s: region %s is not in the registry", what, k->region);
	if (r == SQLITE_CONSTRAINT_CHECK)
		return app_fail(err, APP_EINVAL, "%s: a value is out of range", what);
	if (r == SQLITE_CONSTRAINT_UNIQUE) /* one demand per group message */
		return app_fail_field(err, APP_ECONFLICT, "source_message_id",
				      "%s: message %lld already has a demand", what,
				      (long long)k->source_message_id);
	return sq_db_fail(err, c->db, what);
}

/* Bind the fields of k as ?1..?34 of STMT_CASE_INSERT and STMT_CASE_UPDATE. */
static void bind_case(sqlite3_stmt *st, const struct case_row *k)
{
	sqlite3_bind_text(st, 1, k->type, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, k->version);
	sqlite3_bind_text(st, 3, k->state, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, k->level);
	sqlite3_bind_text(st, 5, k->region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, k->group_id);
	sqlite3_bind_text(st, 7, k->category, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, k->urgency, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, k->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, k->description, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, k->address, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 12, k->lat);
	sqlite3_bind_double(st, 13, k->lon);
	sqlite3_bind_int(st, 14, k->located);
	sqlite3_bind_text(st, 15, k->contact_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 16, k->contact_phone, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 17, k->resident_id);
	sqlite3_bind_text(st, 18, k->source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 19, k->source_message_id);
	sqlite3_bind_int64(st, 20, k->assignee_user);
	sqlite3_bind_int64(st, 21, k->assignee_group);
	sqlite3_bind_text(st, 22, k->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 23, k->first_receiver);
	sqlite3_bind_int(st, 24, k->returns);
	sqlite3_bind_int(st, 25, k->whistles);
	sqlite3_bind_int(st, 26, k->transfers);
	sqlite3_bind_int(st, 27, k->reopens);
	sqlite3_bind_int(st, 28, k->escalations);
	sqlite3_bind_int64(st, 29, k->merged_into);
	sqlite3_bind_text(st, 30, k->rating, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 31, k->created_at);
	sqlite3_bind_int64(st, 32, k->updated_at);
	sqlite3_bind_int64(st, 33, k->closed_at);
	sqlite3_bind_int64(st, 34, k->next_check);
}

/* Replace the clocks of case id by those of k. */
static enum app_err write_clocks(struct conn *c, int64_t id, const struct case_row *k,
				 struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_CASE_CLOCKS_CLEAR, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, id);
	enum app_err rc = sq_step_done(c, st, "clearing a case's clocks", err);
	for (int i = 0; rc == APP_OK && i < k->nclocks; i++) {
		const struct case_clock_row *t = &k->clocks[i];
		if (!(st = sq_stmt(c, STMT_CASE_CLOCK_INSERT, err)))
			return APP_EDB;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, t->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, t->status, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, t->started);
		sqlite3_bind_int64(st, 5, t->used);
		sqlite3_bind_int64(st, 6, t->warn_at);
		sqlite3_bind_int64(st, 7, t->due);
		sqlite3_bind_int(st, 8, t->warned);
		sqlite3_bind_int64(st, 9, t->stopped);
		rc = step_write(c, st, "storing a case's clock", err);
	}
	return rc;
}

/* Append steps[0..n) to the timeline of case id. */
static enum app_err write_steps(struct conn *c, int64_t id, const struct case_event_row *steps,
				int n, struct app_error *err)
{
	enum app_err rc = APP_OK;
	for (int i = 0; rc == APP_OK && i < n; i++) {
		const struct case_event_row *e = &steps[i];
		sqlite3_stmt *st = sq_stmt(c, STMT_CASE_EVENT_INSERT, err);
		if (!st)
			return APP_EDB;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, e->at);
		sqlite3_bind_int64(st, 3, e->actor);
		sqlite3_bind_text(st, 4, e->action, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, e->from_state, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, e->to_state, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, e->clock, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 8, e->level);
		sqlite3_bind_text(st, 9, e->detail, -1, SQLITE_STATIC);
		rc = step_write(c, st, "adding to a case's timeline", err);
	}
	return rc;
}

static enum app_err append_event(void *ctx, const struct event_note *ev, struct app_error *err)
{
	return sq_event_append(ctx, ev, NULL, err);
}

struct case_write {
	const struct case_row *k;
	const struct case_event_row *steps;
	int nsteps;
	const struct audit_note *note;
	const struct event_note *events;
	int nevents;
	int64_t id;     /* set by the insert */
	char county[7]; /* set by the insert */
};

/* The clocks, timeline lines, events and audit entry of a change of case
 * id (new: the case was just inserted, and "{id}" gets its id). */
static enum app_err write_rest(struct conn *c, struct case_write *w, int64_t id, bool new,
			       struct app_error *err)
{
	enum app_err rc = write_clocks(c, id, w->k, err);
	if (rc == APP_OK)
		rc = write_steps(c, id, w->steps, w->nsteps, err);
	if (rc == APP_OK)
		rc = store_case_announce(new ? id : 0, w->events, w->nevents, append_event, c, err);
	if (rc == APP_OK && w->note) {
		struct strbuf object = STRBUF_INIT, summary = STRBUF_INIT;
		struct audit_note note =
			new ? store_case_note(w->note, id, &object, &summary) : *w->note;
		rc = sq_audit_append(c, &note, err);
		strbuf_release(&object);
		strbuf_release(&summary);
	}
	return rc;
}

static enum app_err insert_job(struct conn *c, void *arg, struct app_error *err)
{
	struct case_write *w = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_CASE_INSERT, err);
	if (!st)
		return APP_EDB;
	bind_case(st, w->k);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) { /* RETURNING id, county: the change is made by now */
		w->id = sqlite3_column_int64(st, 0);
		sq_copy_text(w->county, sizeof(w->county), st, 1);
		r = sqlite3_step(st);
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return row_fail(c, r, w->k, "storing a case", err);
	enum app_err rc = sq_stats_case_change(c, NULL, w->k, w->steps, w->nsteps, err);
	if (rc != APP_OK)
		return rc;
	return write_rest(c, w, w->id, true, err);
}

enum app_err sq_case_insert_in(struct conn *c, struct case_row *k,
			       const struct case_event_row *steps, int nsteps,
			       const struct audit_note *note, const struct event_note *events,
			       int nevents, struct app_error *err)
{
	struct case_write w = { k, steps, nsteps, note, events, nevents, 0, "" };
	enum app_err rc = insert_job(c, &w, err);
	if (rc == APP_OK) {
		k->id = w.id;
		memcpy(k->county, w.county, sizeof(k->county));
	}
	return rc;
}

static enum app_err case_insert(struct store *s, struct case_row *k,
				const struct case_event_row *steps, int nsteps,
				const struct audit_note *note, const struct event_note *events,
				int nevents, struct app_error *err)
{
	struct case_write w = { k, steps, nsteps, note, events, nevents, 0, "" };
	enum app_err rc = sq_write(s, insert_job, &w, err);
	if (rc == APP_OK) {
		k->id = w.id;
		memcpy(k->county, w.county, sizeof(k->county));
	}
	return rc;
}

/* An update of case id touched no row: tell a stale version from no case. */
static enum app_err unchanged(struct conn *c, int64_t id, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_CASE_VERSION, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, id);
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	if (r == SQLITE_ROW)
		return app_fail(err, APP_ECONFLICT, "the case was changed meanwhile: read it again");
	if (r == SQLITE_DONE)
		return app_fail(err, APP_ENOTFOUND, "no such case");
	return sq_db_fail(err, c->db, "reading a case's version");
}

struct get_read {
	int64_t id;
	struct case_row *out;
	bool found;
};

static enum app_err get_read(struct conn *c, void *arg, struct app_error *err);

/* The case is read as stored before the change, for the statistics
 * rollup's difference (sq_stats_case_change). */
static enum app_err update_job(struct conn *c, void *arg, struct app_error *err)
{
	struct case_change *ch = arg;
	struct case_write w = { ch->k, ch->steps, ch->nsteps, ch->note, ch->events, ch->nevents,
				0, "" };
	struct case_row *old = xmalloc(sizeof(*old));
	struct get_read gr = { w.k->id, old, false };
	enum app_err rc = get_read(c, &gr, err);
	if (rc != APP_OK)
		goto out;
	sqlite3_stmt *st = sq_stmt(c, STMT_CASE_UPDATE, err);
	if (!st) {
		rc = APP_EDB;
		goto out;
	}
	bind_case(st, w.k);
	sqlite3_bind_int64(st, 35, w.k->id);
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		rc = row_fail(c, r, w.k, "changing a case", err);
	else if (sqlite3_changes(c->db) == 0 || !gr.found)
		rc = unchanged(c, w.k->id, err);
	else if ((rc = sq_stats_case_change(c, old, w.k, w.steps, w.nsteps, err)) == APP_OK)
		rc = write_rest(c, &w, w.k->id, false, err);
out:
	free(old);
	return rc;
}

static enum app_err case_update(struct store *s, struct case_change *const *ch, int n,
				enum app_err *results, struct app_error *errs)
{
	return sq_write_each(s, update_job, (void *const *)ch, n, results, errs);
}

/* ---- reads ---- */

static void read_case(sqlite3_stmt *st, struct case_row *k)
{
	memset(k, 0, sizeof(*k));
	k->id = sqlite3_column_int64(st, 0);
	sq_copy_text(k->type, sizeof(k->type), st, 1);
	k->version = sqlite3_column_int(st, 2);
	sq_copy_text(k->state, sizeof(k->state), st, 3);
	k->level = sqlite3_column_int(st, 4);
	sq_copy_text(k->region, sizeof(k->region), st, 5);
	sq_copy_text(k->county, sizeof(k->county), st, 6);
	k->group_id = sqlite3_column_int64(st, 7);
	sq_copy_text(k->category, sizeof(k->category), st, 8);
	sq_copy_text(k->urgency, sizeof(k->urgency), st, 9);
	sq_copy_text(k->title, sizeof(k->title), st, 10);
	sq_copy_text(k->description, sizeof(k->description), st, 11);
	sq_copy_text(k->address, sizeof(k->address), st, 12);
	k->lat = sqlite3_column_double(st, 13);
	k->lon = sqlite3_column_double(st, 14);
	k->located = sqlite3_column_int(st, 15) != 0;
	sq_copy_text(k->contact_name, sizeof(k->contact_name), st, 16);
	sq_copy_text(k->contact_phone, sizeof(k->contact_phone), st, 17);
	k->resident_id = sqlite3_column_int64(st, 18);
	sq_copy_text(k->source, sizeof(k->source), st, 19);
	k->source_message_id = sqlite3_column_int64(st, 20);
	k->assignee_user = sqlite3_column_int64(st, 21);
	k->assignee_group = sqlite3_column_int64(st, 22);
	sq_copy_text(k->unit, sizeof(k->unit), st, 23);
	k->first_receiver = sqlite3_column_int64(st, 24);
	k->returns = sqlite3_column_int(st, 25);
	k->whistles = sqlite3_column_int(st, 26);
	k->transfers = sqlite3_column_int(st, 27);
	k->reopens = sqlite3_column_int(st, 28);
	k->escalations = sqlite3_column_int(st, 29);
	k->merged_into = sqlite3_column_int64(st, 30);
	sq_copy_text(k->rating, sizeof(k->rating), st, 31);
	k->created_at = sqlite3_column_int64(st, 32);
	k->updated_at = sqlite3_column_int64(st, 33);
	k->closed_at = sqlite3_column_int64(st, 34);
	k->next_check = sqlite3_column_int64(st, 35);
}

/* Add the clock of the row st is on (none when the case has no clock). */
static void read_clock(sqlite3_stmt *st, struct case_row *k)
{
	if (sqlite3_column_type(st, CLOCK_COL) == SQLITE_NULL || k->nclocks == CASE_CLOCKS_MAX)
		return;
	struct case_clock_row *t = &k->clocks[k->nclocks++];
	sq_copy_text(t->name, sizeof(t->name), st, CLOCK_COL);
	sq_copy_text(t->status, sizeof(t->status), st, CLOCK_COL + 1);
	t->started = sqlite3_column_int64(st, CLOCK_COL + 2);
	t->used = sqlite3_column_int64(st, CLOCK_COL + 3);
	t->warn_at = sqlite3_column_int64(st, CLOCK_COL + 4);
	t->due = sqlite3_column_int64(st, CLOCK_COL + 5);
	t->warned = sqlite3_column_int(st, CLOCK_COL + 6) != 0;
	t->stopped = sqlite3_column_int64(st, CLOCK_COL + 7);
}

/* Hand each case of st (rows of CASE_COLS, a case's rows together) to fn
 * until it returns false; *found is set when there was any. */
static enum app_err read_cases(struct conn *c, sqlite3_stmt *st, store_case_fn fn, void *ctx,
			       bool *found, struct app_error *err)
{
	struct case_row *k = xmalloc(sizeof(*k));
	bool have = false;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (have && sqlite3_column_int64(st, 0) != k->id) {
			have = false;
			if (!fn(ctx, k))
				break;
		}
		if (!have) {
			read_case(st, k);
			have = *found = true;
		}
		read_clock(st, k);
	}
	if (r == SQLITE_DONE && have)
		fn(ctx, k);
	free(k);
	sqlite3_reset(st);
	return r == SQLITE_DONE || r == SQLITE_ROW ? APP_OK
						   : sq_db_fail(err, c->db, "reading cases");
}

static bool copy_case(void *ctx, const struct case_row *k)
{
	*(struct case_row *)ctx = *k;
	return false;
}

static enum app_err get_read(struct conn *c, void *arg, struct app_error *err)
{
	struct get_read *gr = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_CASE_GET, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, gr->id);
	return read_cases(c, st, copy_case, gr->out, &gr->found, err);
}

static enum app_err case_get(struct store *s, int64_t id, struct case_row *out,
			     struct app_error *err)
{
	struct get_read gr = { id, out, false };
	enum app_err rc = sq_read(s, get_read, &gr, err);
	if (rc == APP_OK && !gr.found)
		return app_fail(err, APP_ENOTFOUND, "no such case");
	return rc;
}

struct many_read {
	const int64_t *ids;
	int n;
	store_case_fn fn;
	void *ctx;
};

/* One statement run for each id, on one connection: no join to plan. */
static enum app_err many_read(struct conn *c, void *arg, struct app_error *err)
{
	struct many_read *mr = arg;
	struct case_row *k = xmalloc(sizeof(*k));
	enum app_err rc = APP_OK;
	bool go = true;
	for (int i = 0; rc == APP_OK && go && i < mr->n; i++) {
		struct get_read gr = { mr->ids[i], k, false };
		rc = get_read(c, &gr, err);
		if (rc == APP_OK && gr.found)
			go = mr->fn(mr->ctx, k);
	}
	free(k);
	return rc;
}

static enum app_err cases_get_many(struct store *s, const int64_t *ids, int n, store_case_fn fn,
				   void *ctx, struct app_error *err)
{
	struct many_read mr = { ids, n, fn, ctx };
	return sq_read(s, many_read, &mr, err);
}

struct events_read {
	int64_t case_id;
	store_case_event_fn fn;
	void *ctx;
};

/* Hand each timeline line of st (bound; columns id, case_id, at, actor,
 * action, from_state, to_state, clock, level, detail) to fn until it
 * returns false. */
static enum app_err read_lines(struct conn *c, sqlite3_stmt *st, store_case_event_fn fn,
			       void *ctx, struct app_error *err)
{
	struct case_event_row e;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		e.id = sqlite3_column_int64(st, 0);
		e.case_id = sqlite3_column_int64(st, 1);
		e.at = sqlite3_column_int64(st, 2);
		e.actor = sqlite3_column_int64(st, 3);
		sq_copy_text(e.action, sizeof(e.action), st, 4);
		sq_copy_text(e.from_state, sizeof(e.from_state), st, 5);
		sq_copy_text(e.to_state, sizeof(e.to_state), st, 6);
		sq_copy_text(e.clock, sizeof(e.clock), st, 7);
		e.level = sqlite3_column_int(st, 8);
		sq_copy_text(e.detail, sizeof(e.detail), st, 9);
		if (!fn(ctx, &e)) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, "reading a case's timeline");
}

static enum app_err events_read(struct conn *c, void *arg, struct app_error *err)
{
	struct events_read *er = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_CASE_EVENTS, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, er->case_id);
	return read_lines(c, st, er->fn, er->ctx, err);
}

static enum app_err case_events(struct store *s, int64_t case_id, store_case_event_fn fn,
				void *ctx, struct app_error *err)
{
	struct events_read er = { case_id, fn, ctx };
	return sq_read(s, events_read, &er, err);
}

struct due_read {
	int64_t now;
	int limit;
	int64_t *ids;
	int n;
};

static enum app_err due_read(struct conn *c, void *arg, struct app_error *err)
{
	struct due_read *dr = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_CASES_DUE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, dr->now);
	sqlite3_bind_int(st, 2, dr->limit);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW && dr->n < dr->limit)
		dr->ids[dr->n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return r == SQLITE_DONE || r == SQLITE_ROW
		       ? APP_OK
		       : sq_db_fail(err, c->db, "finding the cases due for a look");
}

static enum app_err cases_due(struct store *s, int64_t now, int limit, int64_t *ids, int *n,
			      struct app_error *err)
{
	struct due_read dr = { now, limit, ids, 0 };
	enum app_err rc = sq_read(s, due_read, &dr, err);
	if (rc == APP_OK)
		*n = dr.n;
	return rc;
}

struct list_read {
	const struct case_query *q;
	store_case_fn fn;
	void *ctx;
};

static enum app_err list_read(struct conn *c, void *arg, struct app_error *err)
{
	struct list_read *lr = arg;
	const struct case_query *q = lr->q;
	sqlite3_stmt *st = sq_stmt(c, STMT_CASES_LIST, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, q->type, -1, SQLITE_STATIC);
	for (int i = 0; i < 4; i++) /* '~' sorts after every code: it matches nothing */
		sqlite3_bind_text(st, 2 + i, i < q->nregions ? q->regions[i] : "~", -1,
				  SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, q->resident_id);
	sqlite3_bind_text(st, 7, q->state ? q->state : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, q->category ? q->category : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, q->region ? q->region : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, q->since);
	sqlite3_bind_int64(st, 11, q->before_id > 0 ? q->before_id : INT64_MAX);
	sqlite3_bind_int(st, 12, q->limit);
	sqlite3_bind_int64(st, 13, q->until);
	bool found = false;
	return read_cases(c, st, lr->fn, lr->ctx, &found, err);
}

static enum app_err cases_list(struct store *s, const struct case_query *q, store_case_fn fn,
			       void *ctx, struct app_error *err)
{
	struct list_read lr = { q, fn, ctx };
	return sq_read(s, list_read, &lr, err);
}

struct between_read {
	const struct case_event_query *q;
	store_case_event_fn fn;
	void *ctx;
};

static enum app_err between_read(struct conn *c, void *arg, struct app_error *err)
{
	struct between_read *br = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_CASE_EVENTS_BETWEEN, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, br->q->from);
	sqlite3_bind_int64(st, 2, br->q->until);
	sqlite3_bind_text(st, 3, br->q->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, br->q->region, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, br->q->limit);
	return read_lines(c, st, br->fn, br->ctx, err);
}

static enum app_err case_events_between(struct store *s, const struct case_event_query *q,
					store_case_event_fn fn, void *ctx, struct app_error *err)
{
	struct between_read br = { q, fn, ctx };
	return sq_read(s, between_read, &br, err);
}

const struct store_case_ops sq_case_ops = {
	.insert = case_insert,
	.update = case_update,
	.get = case_get,
	.get_many = cases_get_many,
	.events = case_events,
	.due = cases_due,
	.list = cases_list,
	.events_between = case_events_between,
};
