/*
 * pg_cases.c - cases, their clocks and their timelines on PostgreSQL: the
 * twin of sqlite_cases.c, with the same errors, messages and orders.
 *
 * A new case, or a change of one, is one transaction: the row, its clocks
 * (replaced whole), its new timeline lines, its events and its audit entry,
 * or none of them. A change is optimistic: the UPDATE replaces only the
 * version the change was computed from. Two changes of one case at once
 * queue on its row; the second, once the first commits, finds another
 * version and touches no row, and a look at the stored version then tells
 * a stale change (APP_ECONFLICT) from a missing case (APP_ENOTFOUND).
 * The events go before the audit entry (PG_LOCK_EVENTS before
 * PG_LOCK_AUDIT, as pg_messages.c explains). A case and its clocks are read
 * by one statement, so a read never mixes two versions of a case.
 */
#include "store/pg_int.h"
#include "core/mem.h"
#include "core/strbuf.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Columns of CASE_COLS (pg_sql.c) after the case's own: the clock. */
enum { CLOCK_COL = 36 };

/* Run a write of clocks or timeline lines: as pg_exec, and a value a CHECK
 * refuses is said as sqlite_cases.c says it. */
static enum app_err write_stmt(struct pg_conn *c, enum pg_stmt id, const struct pg_params *p,
			       const char *what, struct app_error *err)
{
	enum app_err rc = pg_exec(c, id, p, what, NULL, NULL, err);
	if (rc == APP_EDB && strcmp(c->sqlstate, "23514") == 0) /* check_violation */
		return app_fail(err, APP_EINVAL, "%s: a value is out of range", what);
	return rc;
}

/* Run a write of the row of case k: a region not in the registry (its only
 * reference) or a value a CHECK refuses (urgency, source) are the caller's
 * to fix, said as sqlite_cases.c says them. */
static enum app_err write_row(struct pg_conn *c, enum pg_stmt id, const struct pg_params *p,
			      const struct case_row *k, const char *what, PGresult **res,
			      int64_t *changes, struct app_error *err)
{
	enum app_err rc = pg_exec(c, id, p, what, res, changes, err);
	if (rc == APP_EINVAL && strcmp(c->sqlstate, "23503") == 0) /* foreign_key_violation */
		return app_fail_field(err, APP_EINVAL, "region",
				      "%s: region %s is not in the registry", what, k->region);
	if (rc == APP_EDB && strcmp(c->sqlstate, "23514") == 0)
		return app_fail(err, APP_EINVAL, "%s: a value is out of range", what);
	return rc;
}

/* The fields of k as $1..$34 of PS_CASE_INSERT and PS_CASE_UPDATE. */
static void bind_case(struct pg_params *p, const struct case_row *k)
{
	pgp_text(p, k->type);
	pgp_int(p, k->version);
	pgp_text(p, k->state);
	pgp_int(p, k->level);
	pgp_text(p, k->region);
	pgp_int(p, k->group_id);
	pgp_text(p, k->category);
	pgp_text(p, k->urgency);
	pgp_text(p, k->title);
	pgp_text(p, k->description);
	pgp_text(p, k->address);
	pgp_real(p, k->lat);
	pgp_real(p, k->lon);
	pgp_text(p, k->located ? "true" : "false");
	pgp_text(p, k->contact_name);
	pgp_text(p, k->contact_phone);
	pgp_int(p, k->resident_id);
	pgp_text(p, k->source);
	pgp_int(p, k->source_message_id);
	pgp_int(p, k->assignee_user);
	pgp_int(p, k->assignee_group);
	pgp_text(p, k->unit);
	pgp_int(p, k->first_receiver);
	pgp_int(p, k->returns);
	pgp_int(p, k->whistles);
	pgp_int(p, k->transfers);
	pgp_int(p, k->reopens);
	pgp_int(p, k->escalations);
	pgp_int(p, k->merged_into);
	pgp_text(p, k->rating);
	pgp_int(p, k->created_at);
	pgp_int(p, k->updated_at);
	pgp_int(p, k->closed_at);
	pgp_int(p, k->next_check);
}

/* Replace the clocks of case id by those of k, in one statement: each
 * column of the clocks is one array parameter ("{ack,resolve}"); names and
 * statuses are words of the engine, never input. */
static enum app_err write_clocks(struct pg_conn *c, int64_t id, const struct case_row *k,
				 struct app_error *err)
{
	enum { COLS = 8 };
	struct strbuf col[COLS];
	for (int j = 0; j < COLS; j++) {
		strbuf_init(&col[j], 64);
		strbuf_addstr(&col[j], "{");
	}
	for (int i = 0; i < k->nclocks; i++) {
		const struct case_clock_row *t = &k->clocks[i];
		const char *sep = i ? "," : "";
		strbuf_addf(&col[0], "%s%s", sep, t->name);
		strbuf_addf(&col[1], "%s%s", sep, t->status);
		strbuf_addf(&col[2], "%s%" PRId64, sep, t->started);
		strbuf_addf(&col[3], "%s%" PRId64, sep, t->used);
		strbuf_addf(&col[4], "%s%" PRId64, sep, t->warn_at);
		strbuf_addf(&col[5], "%s%" PRId64, sep, t->due);
		strbuf_addf(&col[6], "%s%s", sep, t->warned ? "t" : "f");
		strbuf_addf(&col[7], "%s%" PRId64, sep, t->stopped);
	}
	struct pg_params p = { 0 };
	pgp_int(&p, id);
	for (int j = 0; j < COLS; j++) {
		strbuf_addstr(&col[j], "}");
		pgp_text(&p, col[j].buf);
	}
	enum app_err rc = write_stmt(c, PS_CASE_CLOCKS_PUT, &p, "storing a case's clocks", err);
	for (int j = 0; j < COLS; j++)
		strbuf_release(&col[j]);
	return rc;
}

/* Append steps[0..n) to the timeline of case id. */
static enum app_err write_steps(struct pg_conn *c, int64_t id, const struct case_event_row *steps,
				int n, struct app_error *err)
{
	enum app_err rc = APP_OK;
	for (int i = 0; rc == APP_OK && i < n; i++) {
		const struct case_event_row *e = &steps[i];
		struct pg_params p = { 0 };
		pgp_int(&p, id);
		pgp_int(&p, e->at);
		pgp_int(&p, e->actor);
		pgp_text(&p, e->action);
		pgp_text(&p, e->from_state);
		pgp_text(&p, e->to_state);
		pgp_text(&p, e->clock);
		pgp_int(&p, e->level);
		pgp_text(&p, e->detail);
		rc = write_stmt(c, PS_CASE_EVENT_INSERT, &p, "adding to a case's timeline", err);
	}
	return rc;
}

static enum app_err append_event(void *ctx, const struct event_note *ev, struct app_error *err)
{
	return pg_event_append(ctx, ev, NULL, err);
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
static enum app_err write_rest(struct pg_conn *c, struct case_write *w, int64_t id, bool new,
			       struct app_error *err)
{
	enum app_err rc = write_clocks(c, id, w->k, err);
	if (rc == APP_OK)
		rc = write_steps(c, id, w->steps, w->nsteps, err);
	/* the events before the audit entry (lock order: top of file) */
	if (rc == APP_OK)
		rc = store_case_announce(new ? id : 0, w->events, w->nevents, append_event, c, err);
	if (rc == APP_OK && w->note) {
		struct strbuf object = STRBUF_INIT, summary = STRBUF_INIT;
		struct audit_note note =
			new ? store_case_note(w->note, id, &object, &summary) : *w->note;
		rc = pg_audit_append(c, &note, err);
		strbuf_release(&object);
		strbuf_release(&summary);
	}
	return rc;
}

static enum app_err insert_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct case_write *w = arg;
	struct pg_params p = { 0 };
	bind_case(&p, w->k);
	PGresult *res;
	enum app_err rc = write_row(c, PS_CASE_INSERT, &p, w->k, "storing a case", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	if (PQntuples(res) == 1) { /* RETURNING id, county */
		w->id = pg_int(res, 0, 0);
		pg_copy_text(w->county, sizeof(w->county), res, 0, 1);
	}
	PQclear(res);
	if ((rc = pg_stats_case_change(c, NULL, w->k, w->steps, w->nsteps, err)) != APP_OK)
		return rc;
	return write_rest(c, w, w->id, true, err);
}

enum app_err pg_case_insert_in(struct pg_conn *c, struct case_row *k,
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
	enum app_err rc = pg_write(s, insert_job, &w, err);
	if (rc == APP_OK) {
		k->id = w.id;
		memcpy(k->county, w.county, sizeof(k->county));
	}
	return rc;
}

/* An update of case id touched no row: tell a stale version from no case. */
static enum app_err unchanged(struct pg_conn *c, int64_t id, struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_int(&p, id);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_CASE_VERSION, &p, "reading a case's version", &res, NULL,
				  err);
	if (rc != APP_OK)
		return rc;
	bool exists = PQntuples(res) == 1;
	PQclear(res);
	if (exists)
		return app_fail(err, APP_ECONFLICT, "the case was changed meanwhile: read it again");
	return app_fail(err, APP_ENOTFOUND, "no such case");
}

struct get_read {
	int64_t id;
	struct case_row *out;
	bool found;
};

static enum app_err get_read(struct pg_conn *c, void *arg, struct app_error *err);

/* The case is read as stored before the change, for the statistics
 * rollup's difference (pg_stats_case_change); a change made meanwhile by
 * another transaction moves the version, and the UPDATE below then
 * touches no row. */
static enum app_err update_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct case_change *ch = arg;
	struct case_write w = { ch->k, ch->steps, ch->nsteps, ch->note, ch->events, ch->nevents,
				0, "" };
	struct case_row *old = xmalloc(sizeof(*old));
	struct get_read gr = { w.k->id, old, false };
	enum app_err rc = get_read(c, &gr, err);
	if (rc != APP_OK)
		goto out;
	struct pg_params p = { 0 };
	bind_case(&p, w.k);
	pgp_int(&p, w.k->id);
	int64_t changed = 0;
	rc = write_row(c, PS_CASE_UPDATE, &p, w.k, "changing a case", NULL, &changed, err);
	if (rc != APP_OK)
		goto out;
	if (changed == 0 || !gr.found || old->version != w.k->version - 1)
		rc = unchanged(c, w.k->id, err);
	else if ((rc = pg_stats_case_change(c, old, w.k, w.steps, w.nsteps, err)) == APP_OK)
		rc = write_rest(c, &w, w.k->id, false, err);
out:
	free(old);
	return rc;
}

static enum app_err case_update(struct store *s, struct case_change *const *ch, int n,
				enum app_err *results, struct app_error *errs)
{
	return pg_write_each(s, update_job, (void *const *)ch, n, results, errs);
}

/* ---- reads ---- */

static void read_case(const PGresult *r, int row, struct case_row *k)
{
	memset(k, 0, sizeof(*k));
	k->id = pg_int(r, row, 0);
	pg_copy_text(k->type, sizeof(k->type), r, row, 1);
	k->version = (int)pg_int(r, row, 2);
	pg_copy_text(k->state, sizeof(k->state), r, row, 3);
	k->level = (int)pg_int(r, row, 4);
	pg_copy_text(k->region, sizeof(k->region), r, row, 5);
	pg_copy_text(k->county, sizeof(k->county), r, row, 6);
	k->group_id = pg_int(r, row, 7);
	pg_copy_text(k->category, sizeof(k->category), r, row, 8);
	pg_copy_text(k->urgency, sizeof(k->urgency), r, row, 9);
	pg_copy_text(k->title, sizeof(k->title), r, row, 10);
	pg_copy_text(k->description, sizeof(k->description), r, row, 11);
	pg_copy_text(k->address, sizeof(k->address), r, row, 12);
	k->lat = pg_real(r, row, 13);
	k->lon = pg_real(r, row, 14);
	k->located = pg_bool(r, row, 15);
	pg_copy_text(k->contact_name, sizeof(k->contact_name), r, row, 16);
	pg_copy_text(k->contact_phone, sizeof(k->contact_phone), r, row, 17);
	k->resident_id = pg_int(r, row, 18);
	pg_copy_text(k->source, sizeof(k->source), r, row, 19);
	k->source_message_id = pg_int(r, row, 20);
	k->assignee_user = pg_int(r, row, 21);
	k->assignee_group = pg_int(r, row, 22);
	pg_copy_text(k->unit, sizeof(k->unit), r, row, 23);
	k->first_receiver = pg_int(r, row, 24);
	k->returns = (int)pg_int(r, row, 25);
	k->whistles = (int)pg_int(r, row, 26);
	k->transfers = (int)pg_int(r, row, 27);
	k->reopens = (int)pg_int(r, row, 28);
	k->escalations = (int)pg_int(r, row, 29);
	k->merged_into = pg_int(r, row, 30);
	pg_copy_text(k->rating, sizeof(k->rating), r, row, 31);
	k->created_at = pg_int(r, row, 32);
	k->updated_at = pg_int(r, row, 33);
	k->closed_at = pg_int(r, row, 34);
	k->next_check = pg_int(r, row, 35);
}

/* Add the clock of row (none when the case has no clock). */
static void read_clock(const PGresult *r, int row, struct case_row *k)
{
	if (PQgetisnull(r, row, CLOCK_COL) || k->nclocks == CASE_CLOCKS_MAX)
		return;
	struct case_clock_row *t = &k->clocks[k->nclocks++];
	pg_copy_text(t->name, sizeof(t->name), r, row, CLOCK_COL);
	pg_copy_text(t->status, sizeof(t->status), r, row, CLOCK_COL + 1);
	t->started = pg_int(r, row, CLOCK_COL + 2);
	t->used = pg_int(r, row, CLOCK_COL + 3);
	t->warn_at = pg_int(r, row, CLOCK_COL + 4);
	t->due = pg_int(r, row, CLOCK_COL + 5);
	t->warned = pg_bool(r, row, CLOCK_COL + 6);
	t->stopped = pg_int(r, row, CLOCK_COL + 7);
}

/* Hand each case of res (rows of CASE_COLS, a case's rows together) to fn
 * until it returns false; *found is set when there was any. Clears res. */
static void read_cases(PGresult *res, store_case_fn fn, void *ctx, bool *found)
{
	struct case_row *k = xmalloc(sizeof(*k));
	bool have = false, go = true;
	for (int i = 0, n = PQntuples(res); go && i < n; i++) {
		if (have && pg_int(res, i, 0) != k->id) {
			have = false;
			if (!(go = fn(ctx, k)))
				break;
		}
		if (!have) {
			read_case(res, i, k);
			have = *found = true;
		}
		read_clock(res, i, k);
	}
	if (go && have)
		fn(ctx, k);
	free(k);
	PQclear(res);
}

static bool copy_case(void *ctx, const struct case_row *k)
{
	*(struct case_row *)ctx = *k;
	return false;
}

static enum app_err get_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct get_read *gr = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, gr->id);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_CASE_GET, &p, "reading cases", &res, NULL, err);
	if (rc == APP_OK)
		read_cases(res, copy_case, gr->out, &gr->found);
	return rc;
}

static enum app_err case_get(struct store *s, int64_t id, struct case_row *out,
			     struct app_error *err)
{
	struct get_read gr = { id, out, false };
	enum app_err rc = pg_read(s, get_read, &gr, err);
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

static enum app_err many_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct many_read *mr = arg;
	struct strbuf ids = STRBUF_INIT; /* "{4,8,15}": one array parameter */
	strbuf_addstr(&ids, "{");
	for (int i = 0; i < mr->n; i++)
		strbuf_addf(&ids, "%s%" PRId64, i ? "," : "", mr->ids[i]);
	strbuf_addstr(&ids, "}");
	struct pg_params p = { 0 };
	pgp_text(&p, ids.buf);
	PGresult *res;
	bool found = false;
	enum app_err rc = pg_exec(c, PS_CASES_GET_MANY, &p, "reading cases", &res, NULL, err);
	if (rc == APP_OK)
		read_cases(res, mr->fn, mr->ctx, &found);
	strbuf_release(&ids);
	return rc;
}

static enum app_err cases_get_many(struct store *s, const int64_t *ids, int n, store_case_fn fn,
				   void *ctx, struct app_error *err)
{
	struct many_read mr = { ids, n, fn, ctx };
	return pg_read(s, many_read, &mr, err);
}

struct events_read {
	int64_t case_id;
	store_case_event_fn fn;
	void *ctx;
};

/* Hand each timeline line of res (columns id, case_id, at, actor, action,
 * from_state, to_state, clock, level, detail) to fn until it returns
 * false. Clears res. */
static void read_lines(PGresult *res, store_case_event_fn fn, void *ctx)
{
	struct case_event_row e;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		memset(&e, 0, sizeof(e));
		e.id = pg_int(res, i, 0);
		e.case_id = pg_int(res, i, 1);
		e.at = pg_int(res, i, 2);
		e.actor = pg_int(res, i, 3);
		pg_copy_text(e.action, sizeof(e.action), res, i, 4);
		pg_copy_text(e.from_state, sizeof(e.from_state), res, i, 5);
		pg_copy_text(e.to_state, sizeof(e.to_state), res, i, 6);
		pg_copy_text(e.clock, sizeof(e.clock), res, i, 7);
		e.level = (int)pg_int(res, i, 8);
		pg_copy_text(e.detail, sizeof(e.detail), res, i, 9);
		if (!fn(ctx, &e))
			break;
	}
	PQclear(res);
}

static enum app_err events_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct events_read *er = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, er->case_id);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_CASE_EVENTS, &p, "reading a case's timeline", &res, NULL,
				  err);
	if (rc == APP_OK)
		read_lines(res, er->fn, er->ctx);
	return rc;
}

static enum app_err case_events(struct store *s, int64_t case_id, store_case_event_fn fn,
				void *ctx, struct app_error *err)
{
	struct events_read er = { case_id, fn, ctx };
	return pg_read(s, events_read, &er, err);
}

struct due_read {
	int64_t now;
	int limit;
	int64_t *ids;
	int n;
};

static enum app_err due_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct due_read *dr = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, dr->now);
	pgp_int(&p, dr->limit);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_CASES_DUE, &p, "finding the cases due for a look", &res,
				  NULL, err);
	if (rc != APP_OK)
		return rc;
	for (int i = 0, n = PQntuples(res); i < n && dr->n < dr->limit; i++)
		dr->ids[dr->n++] = pg_int(res, i, 0);
	PQclear(res);
	return APP_OK;
}

static enum app_err cases_due(struct store *s, int64_t now, int limit, int64_t *ids, int *n,
			      struct app_error *err)
{
	struct due_read dr = { now, limit, ids, 0 };
	enum app_err rc = pg_read(s, due_read, &dr, err);
	if (rc == APP_OK)
		*n = dr.n;
	return rc;
}

struct list_read {
	const struct case_query *q;
	store_case_fn fn;
	void *ctx;
};

static enum app_err list_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct list_read *lr = arg;
	const struct case_query *q = lr->q;
	struct pg_params p = { 0 };
	pgp_text(&p, q->type);
	for (int i = 0; i < 4; i++) /* '~' sorts after every code: it matches nothing */
		pgp_text(&p, i < q->nregions ? q->regions[i] : "~");
	pgp_int(&p, q->resident_id);
	pgp_text(&p, q->state);
	pgp_text(&p, q->category);
	pgp_text(&p, q->region);
	pgp_int(&p, q->since);
	pgp_int(&p, q->before_id > 0 ? q->before_id : INT64_MAX);
	pgp_int(&p, q->limit);
	pgp_int(&p, q->until);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_CASES_LIST, &p, "reading cases", &res, NULL, err);
	if (rc == APP_OK) {
		bool found = false;
		read_cases(res, lr->fn, lr->ctx, &found);
	}
	return rc;
}

static enum app_err cases_list(struct store *s, const struct case_query *q, store_case_fn fn,
			       void *ctx, struct app_error *err)
{
	struct list_read lr = { q, fn, ctx };
	return pg_read(s, list_read, &lr, err);
}

struct between_read {
	const struct case_event_query *q;
	store_case_event_fn fn;
	void *ctx;
};

static enum app_err between_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct between_read *br = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, br->q->from);
	pgp_int(&p, br->q->until);
	pgp_text(&p, br->q->type);
	pgp_text(&p, br->q->region);
	pgp_int(&p, br->q->limit);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_CASE_EVENTS_BETWEEN, &p, "reading the timelines of cases",
				  &res, NULL, err);
	if (rc == APP_OK)
		read_lines(res, br->fn, br->ctx);
	return rc;
}

static enum app_err case_events_between(struct store *s, const struct case_event_query *q,
					store_case_event_fn fn, void *ctx, struct app_error *err)
{
	struct between_read br = { q, fn, ctx };
	return pg_read(s, between_read, &br, err);
}

const struct store_case_ops pg_case_ops = {
	.insert = case_insert,
	.update = case_update,
	.get = case_get,
	.get_many = cases_get_many,
	.events = case_events,
	.due = cases_due,
	.list = cases_list,
	.events_between = case_events_between,
};
