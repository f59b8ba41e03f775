/*
 * sqlite_patrol.c - the smart patrol's reads, its watch list and its
 * alerts, on SQLite (store.h "the smart patrol").
 *
 * Every read starts after a watermark (an id) or at a due time, on a key or
 * an index, so a sweep reads what is new or due, never every message or
 * case. A sweep's step is one group-committed job: watch changes, alerts
 * (each stored once per kind and object, an event for each new one; both
 * SQ_ROWS_MANY to a statement) and watermarks, or none of them. No rules
 * here: src/patrol decides.
 */
#include "store/sqlite_int.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static void read_alert(sqlite3_stmt *st, struct alert *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	sq_copy_text(a->kind, sizeof(a->kind), st, 1);
	sq_copy_text(a->object, sizeof(a->object), st, 2);
	sq_copy_text(a->region, sizeof(a->region), st, 3);
	sq_copy_text(a->supervisor, sizeof(a->supervisor), st, 4);
	a->group_id = sqlite3_column_int64(st, 5);
	a->severity = sqlite3_column_int(st, 6);
	sq_copy_text(a->summary, sizeof(a->summary), st, 7);
	sq_copy_text(a->state, sizeof(a->state), st, 8);
	a->found_at = sqlite3_column_int64(st, 9);
	a->acknowledged_at = sqlite3_column_int64(st, 10);
	a->acknowledged_by = sqlite3_column_int64(st, 11);
}

struct mark_read {
	const char *kind;
	int64_t *out;
};

static enum app_err mark_read(struct conn *c, void *arg, struct app_error *err)
{
	struct mark_read *mr = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_PATROL_MARK_GET, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, mr->kind, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	int64_t v = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return sq_db_fail(err, c->db, "reading a patrol watermark");
	*mr->out = v;
	return APP_OK;
}

static enum app_err patrol_mark(struct store *s, const char *kind, int64_t *out,
				struct app_error *err)
{
	struct mark_read mr = { kind, out };
	return sq_read(s, mark_read, &mr, err);
}

/* A read of rows after a key: the statement, its two bound integers, and
 * what each row becomes. */
struct rows_read {
	enum stmt_id id;
	int64_t key;
	int limit;
	const char *what;
	bool (*row)(sqlite3_stmt *st, void *rr);
	void *fn;
	void *ctx;
};

static enum app_err rows_read(struct conn *c, void *arg, struct app_error *err)
{
	struct rows_read *rr = arg;
	sqlite3_stmt *st = sq_stmt(c, rr->id, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, rr->key);
	sqlite3_bind_int(st, 2, rr->limit);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		if (!rr->row(st, rr)) {
			r = SQLITE_DONE;
			break;
		}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, rr->what);
}

/* A row of the inbox: the copy of its message (the fields the inbox
 * holds; the others zero), its group and its author's role now. */
static bool message_row(sqlite3_stmt *st, void *arg)
{
	struct rows_read *rr = arg;
	struct patrol_message pm;
	memset(&pm.m, 0, offsetof(struct message, body));
	pm.m.id = sqlite3_column_int64(st, 0);
	pm.m.group_id = sqlite3_column_int64(st, 1);
	pm.m.author_id = sqlite3_column_int64(st, 2);
	sq_copy_text(pm.m.author_name, sizeof(pm.m.author_name), st, 3);
	sq_copy_text(pm.m.kind, sizeof(pm.m.kind), st, 4);
	pm.m.reply_to = sqlite3_column_int64(st, 5);
	pm.m.at = sqlite3_column_int64(st, 6);
	sq_copy_text(pm.m.body, sizeof(pm.m.body), st, 7);
	sq_copy_text(pm.author_role, sizeof(pm.author_role), st, 8);
	sq_copy_text(pm.group_kind, sizeof(pm.group_kind), st, 9);
	sq_copy_text(pm.group_region, sizeof(pm.group_region), st, 10);
	pm.duty_start = sqlite3_column_int(st, 11);
	pm.duty_end = sqlite3_column_int(st, 12);
	pm.judged = sqlite3_column_int(st, 13) != 0;
	return ((store_patrol_message_fn)rr->fn)(rr->ctx, &pm);
}

static enum app_err patrol_messages(struct store *s, int64_t after, int limit,
				    store_patrol_message_fn fn, void *ctx, struct app_error *err)
{
	struct rows_read rr = { STMT_PATROL_MESSAGES, after, limit, "reading new messages",
				message_row, (void *)fn, ctx };
	return sq_read(s, rows_read, &rr, err);
}

static bool due_row(sqlite3_stmt *st, void *arg)
{
	struct rows_read *rr = arg;
	struct patrol_due d;
	sq_message_read(st, &d.m);
	d.w = (struct patrol_watch){
		.message_id = sqlite3_column_int64(st, 15),
		.group_id = sqlite3_column_int64(st, 16),
		.at = sqlite3_column_int64(st, 17),
		.due = sqlite3_column_int64(st, 18),
	};
	sq_copy_text(d.group_name, sizeof(d.group_name), st, 19);
	sq_copy_text(d.group_region, sizeof(d.group_region), st, 20);
	return ((store_patrol_due_fn)rr->fn)(rr->ctx, &d);
}

static enum app_err patrol_due(struct store *s, int64_t now, int limit, store_patrol_due_fn fn,
			       void *ctx, struct app_error *err)
{
	struct rows_read rr = { STMT_PATROL_DUE, now, limit, "reading watched questions",
				due_row, (void *)fn, ctx };
	return sq_read(s, rows_read, &rr, err);
}

static bool case_line_row(sqlite3_stmt *st, void *arg)
{
	struct rows_read *rr = arg;
	struct patrol_case_line l;
	memset(&l, 0, sizeof(l));
	l.e.id = sqlite3_column_int64(st, 0);
	l.e.case_id = sqlite3_column_int64(st, 1);
	l.e.at = sqlite3_column_int64(st, 2);
	l.e.actor = sqlite3_column_int64(st, 3);
	sq_copy_text(l.e.action, sizeof(l.e.action), st, 4);
	sq_copy_text(l.e.from_state, sizeof(l.e.from_state), st, 5);
	sq_copy_text(l.e.to_state, sizeof(l.e.to_state), st, 6);
	sq_copy_text(l.e.clock, sizeof(l.e.clock), st, 7);
	l.e.level = sqlite3_column_int(st, 8);
	sq_copy_text(l.e.detail, sizeof(l.e.detail), st, 9);
	sq_copy_text(l.region, sizeof(l.region), st, 10);
	l.group_id = sqlite3_column_int64(st, 11);
	sq_copy_text(l.title, sizeof(l.title), st, 12);
	return ((store_patrol_case_line_fn)rr->fn)(rr->ctx, &l);
}

static enum app_err patrol_case_lines(struct store *s, int64_t after, int limit,
				      store_patrol_case_line_fn fn, void *ctx,
				      struct app_error *err)
{
	struct rows_read rr = { STMT_PATROL_CASE_LINES, after, limit,
				"reading the clocks of demands", case_line_row, (void *)fn, ctx };
	return sq_read(s, rows_read, &rr, err);
}

static bool group_row(sqlite3_stmt *st, void *arg)
{
	struct rows_read *rr = arg;
	struct patrol_group pg;
	struct group *g = &pg.g;
	memset(&pg, 0, sizeof(pg));
	g->id = sqlite3_column_int64(st, 0);
	sq_copy_text(g->kind, sizeof(g->kind), st, 1);
	sq_copy_text(g->region, sizeof(g->region), st, 2);
	sq_copy_text(g->name, sizeof(g->name), st, 3);
	g->duty_start = sqlite3_column_int(st, 4);
	g->duty_end = sqlite3_column_int(st, 5);
	pg.duty_set = sqlite3_column_int(st, 6) != 0;
	return ((store_patrol_group_fn)rr->fn)(rr->ctx, &pg);
}

static enum app_err patrol_groups(struct store *s, int64_t after, int limit,
				  store_patrol_group_fn fn, void *ctx, struct app_error *err)
{
	struct rows_read rr = { STMT_PATROL_GROUPS, after, limit, "listing the groups on duty",
				group_row, (void *)fn, ctx };
	return sq_read(s, rows_read, &rr, err);
}

static bool demand_row(sqlite3_stmt *st, void *arg)
{
	struct rows_read *rr = arg;
	struct patrol_demand d = {
		.id = sqlite3_column_int64(st, 0),
		.group_id = sqlite3_column_int64(st, 1),
		.created_at = sqlite3_column_int64(st, 2),
		.resident_id = sqlite3_column_int64(st, 3),
		.household_id = sqlite3_column_int64(st, 4),
	};
	sq_copy_text(d.region, sizeof(d.region), st, 5);
	sq_copy_text(d.category, sizeof(d.category), st, 6);
	sq_copy_text(d.title, sizeof(d.title), st, 7);
	return ((store_patrol_demand_fn)rr->fn)(rr->ctx, &d);
}

static enum app_err patrol_demands(struct store *s, int64_t after, int limit,
				   store_patrol_demand_fn fn, void *ctx, struct app_error *err)
{
	struct rows_read rr = { STMT_PATROL_DEMANDS, after, limit, "reading new demands",
				demand_row, (void *)fn, ctx };
	return sq_read(s, rows_read, &rr, err);
}

struct repeats_read {
	const struct patrol_repeat_query *q;
	int64_t *out;
};

static enum app_err repeats_read(struct conn *c, void *arg, struct app_error *err)
{
	struct repeats_read *rr = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_PATROL_REPEATS, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, rr->q->household_id);
	sqlite3_bind_int64(st, 2, rr->q->resident_id);
	sqlite3_bind_text(st, 3, rr->q->category, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, rr->q->since);
	sqlite3_bind_int64(st, 5, rr->q->upto_id);
	int r = sqlite3_step(st);
	*rr->out = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return r == SQLITE_ROW ? APP_OK : sq_db_fail(err, c->db, "counting a household's demands");
}

static enum app_err patrol_repeats(struct store *s, const struct patrol_repeat_query *q,
				   int64_t *out, struct app_error *err)
{
	struct repeats_read rr = { q, out };
	return sq_read(s, repeats_read, &rr, err);
}

static bool hide_row(sqlite3_stmt *st, void *arg)
{
	struct rows_read *rr = arg;
	struct audit_record r;
	sq_audit_read(st, &r);
	return ((store_audit_fn)rr->fn)(rr->ctx, &r);
}

static enum app_err patrol_hides(struct store *s, int64_t after, int limit, store_audit_fn fn,
				 void *ctx, struct app_error *err)
{
	struct rows_read rr = { STMT_PATROL_HIDES, after, limit, "reading hidden messages",
				hide_row, (void *)fn, ctx };
	return sq_read(s, rows_read, &rr, err);
}

/* Read the alert of st's single row into *a: APP_ENOTFOUND when none. */
static enum app_err alert_row(struct conn *c, sqlite3_stmt *st, struct alert *a,
			      struct app_error *err)
{
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		read_alert(st, a);
	sqlite3_reset(st);
	if (r == SQLITE_DONE)
		return app_fail(err, APP_ENOTFOUND, "no such alert");
	return r == SQLITE_ROW ? APP_OK : sq_db_fail(err, c->db, "reading an alert");
}

/* An alert's event being built: its note and the texts it points to. */
struct alert_ev {
	struct event_note note;
	char topic[EVENT_TOPIC_MAX], subject[40], county[7];
	struct strbuf data;
};

/* Build in ev (its data appended to ev->data, reset by the caller) the
 * event of kind telling the supervising level of a (new or changed). */
static void alert_ev_build(struct alert_ev *ev, const struct alert *a, const char *kind,
			   store_alert_json_fn json)
{
	snprintf(ev->topic, sizeof(ev->topic), "alerts:%s", a->supervisor);
	snprintf(ev->subject, sizeof(ev->subject), "alert:%" PRId64, a->id);
	division_county(a->region, ev->county);
	json(a, &ev->data);
	ev->note = (struct event_note){ ev->topic, kind, ev->county, ev->data.buf, ev->subject };
}

/* The event telling the supervising level of a (new or changed). */
static enum app_err alert_event(struct conn *c, const struct alert *a, const char *kind,
				store_alert_json_fn json, struct app_error *err)
{
	struct alert_ev ev = { .data = STRBUF_INIT };
	alert_ev_build(&ev, a, kind, json);
	enum app_err rc = sq_event_append(c, &ev.note, NULL, err);
	strbuf_release(&ev.data);
	return rc;
}

/* The "alert.raised" events of the alerts raised among a[0..n), in their
 * order, SQ_ROWS_MANY to a statement. */
static enum app_err raised_events(struct conn *c, const struct alert *a, const bool *raised,
				  int n, store_alert_json_fn json, struct app_error *err)
{
	struct alert_ev ev[SQ_ROWS_MANY];
	struct event_note notes[SQ_ROWS_MANY];
	for (int j = 0; j < SQ_ROWS_MANY; j++)
		strbuf_init(&ev[j].data, 0);
	enum app_err rc = APP_OK;
	for (int i = 0, k = 0; rc == APP_OK && i < n; i++) {
		if (raised[i]) {
			strbuf_reset(&ev[k].data);
			alert_ev_build(&ev[k], &a[i], "alert.raised", json);
			notes[k] = ev[k].note;
			k++;
		}
		if (k == SQ_ROWS_MANY || (i == n - 1 && k)) {
			rc = sq_events_append(c, notes, k, err);
			k = 0;
		}
	}
	for (int j = 0; j < SQ_ROWS_MANY; j++)
		strbuf_release(&ev[j].data);
	return rc;
}

/* Bind a as the row of an alerts insert whose parameters start after the
 * first'th (its columns in the order of STMT_ALERT_INSERT). */
static void alert_bind(sqlite3_stmt *st, int first, const struct alert *a)
{
	sqlite3_bind_text(st, first + 1, a->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, first + 2, a->object, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, first + 3, a->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, first + 4, a->supervisor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, first + 5, a->group_id);
	sqlite3_bind_int(st, first + 6, a->severity);
	sqlite3_bind_text(st, first + 7, a->summary, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, first + 8, a->found_at);
}

/* Read into *a the alert stored under a's kind and object. */
static enum app_err alert_by_key(struct conn *c, struct alert *a, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_ALERT_BY_KEY, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, a->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->object, -1, SQLITE_STATIC);
	return alert_row(c, st, a, err);
}

/* a, just stored as new with id: its id and state as stored. */
static void alert_new(struct alert *a, int64_t id)
{
	a->id = id;
	snprintf(a->state, sizeof(a->state), "open");
}

/* Store a, or find it stored before (*raised false; *a then as stored). */
static enum app_err raise_alert(struct conn *c, struct alert *a, bool *raised,
				struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_ALERT_INSERT, err);
	if (!st)
		return APP_EDB;
	alert_bind(st, 0, a);
	/* no RETURNING: it would make each insert open a statement journal,
	 * which cost a fifth of a day's sweep */
	enum app_err rc = sq_step_write(c, st, "storing an alert", err);
	if (rc != APP_OK)
		return rc;
	*raised = sqlite3_changes(c->db) == 1;
	if (!*raised)
		return alert_by_key(c, a, err);
	alert_new(a, sqlite3_last_insert_rowid(c->db));
	return APP_OK;
}

/* raise_alert for the SQ_ROWS_MANY alerts a[0..SQ_ROWS_MANY) in one
 * statement. The rows it stores take the ids after the largest before it,
 * in order (an INTEGER PRIMARY KEY without AUTOINCREMENT), so when all are
 * new their ids are known; otherwise each is looked up by its key: new
 * when its id is one of the statement's and no alert before it in a has its
 * key (that one was stored, this one found stored). */
static enum app_err raise_alerts(struct conn *c, struct alert *a, bool *raised,
				 struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_ALERT_INSERT_MANY, err);
	if (!st)
		return APP_EDB;
	for (int i = 0; i < SQ_ROWS_MANY; i++)
		alert_bind(st, 8 * i, &a[i]);
	enum app_err rc = sq_step_write(c, st, "storing alerts", err);
	if (rc != APP_OK)
		return rc;
	int64_t stored = sqlite3_changes(c->db);
	int64_t last = sqlite3_last_insert_rowid(c->db);
	int64_t before = stored ? last - stored : INT64_MAX; /* the ids after it are new */
	for (int i = 0; i < SQ_ROWS_MANY; i++) {
		if (stored == SQ_ROWS_MANY) {
			raised[i] = true;
			alert_new(&a[i], before + 1 + i);
			continue;
		}
		struct alert found = a[i];
		if ((rc = alert_by_key(c, &found, err)) != APP_OK)
			return rc;
		raised[i] = found.id > before;
		for (int j = 0; raised[i] && j < i; j++)
			raised[i] = strcmp(a[j].kind, a[i].kind) != 0 ||
				    strcmp(a[j].object, a[i].object) != 0;
		if (raised[i])
			alert_new(&a[i], found.id);
		else
			a[i] = found;
	}
	return APP_OK;
}

/* Bind a message id and a time to statement id and step it. */
static enum app_err watch_step(struct conn *c, enum stmt_id id, int64_t message, int64_t at,
			       const char *what, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, id, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, message);
	if (id == STMT_PATROL_WATCH_ANSWERED)
		sqlite3_bind_int64(st, 2, at);
	return sq_step_write(c, st, what, err);
}

/* Start watching the question of w. */
static enum app_err watch_put(struct conn *c, const struct patrol_watch *w,
			      struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_PATROL_WATCH_PUT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, w->message_id);
	sqlite3_bind_int64(st, 2, w->group_id);
	sqlite3_bind_int64(st, 3, w->at);
	sqlite3_bind_int64(st, 4, w->due);
	return sq_step_write(c, st, "watching a question", err);
}

enum app_err sq_patrol_note_message(struct conn *c, const struct message *m,
				    struct app_error *err)
{
	const struct message_patrol *p = &m->patrol;
	enum app_err rc = APP_OK;
	if (!p->judged || p->flagged) {
		sqlite3_stmt *st = sq_stmt(c, STMT_PATROL_INBOX_PUT, err);
		if (!st)
			return APP_EDB;
		sqlite3_bind_int64(st, 1, m->id);
		sqlite3_bind_int(st, 2, p->judged);
		sqlite3_bind_int64(st, 3, m->group_id);
		sqlite3_bind_int64(st, 4, m->author_id);
		sqlite3_bind_text(st, 5, m->author_name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, m->kind, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, m->reply_to);
		sqlite3_bind_int64(st, 8, m->at);
		sqlite3_bind_text(st, 9, m->body, -1, SQLITE_STATIC);
		rc = sq_step_write(c, st, "queueing a message for the patrol", err);
	}
	if (rc != APP_OK || !p->judged)
		return rc;
	if (p->due > 0) {
		struct patrol_watch w = { m->id, m->group_id, m->at, p->due };
		rc = watch_put(c, &w, err);
	}
	if (rc == APP_OK && p->answers && m->reply_to)
		rc = watch_step(c, STMT_PATROL_WATCH_ANSWERED, m->reply_to, m->at,
				"noting an answer", err);
	return rc;
}

static enum app_err save_job(struct conn *c, void *arg, struct app_error *err)
{
	struct patrol_save *ps = arg;
	enum app_err rc = APP_OK;
	for (int i = 0; rc == APP_OK && i < ps->nwatch; i++)
		rc = watch_put(c, &ps->watch[i], err);
	for (int i = 0; rc == APP_OK && i < ps->nanswered; i++)
		rc = watch_step(c, STMT_PATROL_WATCH_ANSWERED, ps->answered[i].message_id,
				ps->answered[i].at, "noting an answer", err);
	for (int i = 0; rc == APP_OK && i < ps->ndone; i++)
		rc = watch_step(c, STMT_PATROL_WATCH_DONE, ps->done[i], 0,
				"ending the watch of a question", err);
	for (int i = 0; rc == APP_OK && i < ps->nread; i++)
		rc = watch_step(c, STMT_PATROL_INBOX_DONE, ps->read[i], 0,
				"taking a message out of the patrol's inbox", err);
	int i = 0;
	for (; rc == APP_OK && ps->nalerts - i >= SQ_ROWS_MANY; i += SQ_ROWS_MANY)
		rc = raise_alerts(c, &ps->alerts[i], &ps->raised[i], err);
	for (; rc == APP_OK && i < ps->nalerts; i++)
		rc = raise_alert(c, &ps->alerts[i], &ps->raised[i], err);
	if (rc == APP_OK)
		rc = raised_events(c, ps->alerts, ps->raised, ps->nalerts, ps->json, err);
	for (i = 0; rc == APP_OK && i < ps->nmarks; i++) {
		sqlite3_stmt *st = sq_stmt(c, STMT_PATROL_MARK_PUT, err);
		if (!st)
			return APP_EDB;
		sqlite3_bind_text(st, 1, ps->mark_kinds[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, ps->marks[i]);
		rc = sq_step_write(c, st, "moving a patrol watermark", err);
	}
	return rc;
}

static enum app_err patrol_save(struct store *s, struct patrol_save *ps, struct app_error *err)
{
	return sq_write(s, save_job, ps, err);
}

struct alerts_read {
	const struct alert_query *q;
	store_alert_fn fn;
	void *ctx;
};

static enum app_err alerts_read(struct conn *c, void *arg, struct app_error *err)
{
	struct alerts_read *ar = arg;
	const struct alert_query *q = ar->q;
	sqlite3_stmt *st = sq_stmt(c, STMT_ALERTS_LIST, err);
	if (!st)
		return APP_EDB;
	for (int i = 0; i < 4; i++)
		sqlite3_bind_text(st, i + 1, i < q->nregions ? q->regions[i] : "~", -1,
				  SQLITE_STATIC);
	sqlite3_bind_text(st, 5, q->state ? q->state : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, q->kind ? q->kind : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, q->before_id);
	sqlite3_bind_int(st, 8, q->limit);
	int r;
	struct alert a;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		read_alert(st, &a);
		if (!ar->fn(ar->ctx, &a)) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, "listing alerts");
}

static enum app_err alerts_list(struct store *s, const struct alert_query *q, store_alert_fn fn,
				void *ctx, struct app_error *err)
{
	struct alerts_read ar = { q, fn, ctx };
	return sq_read(s, alerts_read, &ar, err);
}

struct alert_one {
	int64_t id;
	struct alert *a;
	int64_t user, at;
	const struct audit_note *note;
	store_alert_json_fn json;
	bool close; /* closing it, not acknowledging it */
};

static enum app_err alert_read(struct conn *c, void *arg, struct app_error *err)
{
	struct alert_one *ao = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_ALERT_GET, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, ao->id);
	return alert_row(c, st, ao->a, err);
}

static enum app_err alert_get(struct store *s, int64_t id, struct alert *out,
			      struct app_error *err)
{
	struct alert_one ao = { .id = id, .a = out };
	return sq_read(s, alert_read, &ao, err);
}

static enum app_err ack_job(struct conn *c, void *arg, struct app_error *err)
{
	struct alert_one *ao = arg;
	sqlite3_stmt *st = sq_stmt(c, ao->close ? STMT_ALERT_CLOSE : STMT_ALERT_ACK, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, ao->id);
	sqlite3_bind_int64(st, 2, ao->at);
	sqlite3_bind_int64(st, 3, ao->user);
	enum app_err rc = sq_step_write(c, st, ao->close ? "closing an alert" : "acknowledging an alert",
					err);
	if (rc != APP_OK)
		return rc;
	if (sqlite3_changes(c->db) == 0)
		return app_fail(err, APP_ECONFLICT, "this alert is %s",
				ao->close ? "already closed" : "no longer open");
	if ((rc = alert_read(c, ao, err)) != APP_OK)
		return rc;
	if ((rc = sq_audit_append(c, ao->note, err)) != APP_OK)
		return rc;
	return alert_event(c, ao->a, ao->close ? "alert.closed" : "alert.acknowledged", ao->json,
			   err);
}

static enum app_err alert_ack(struct store *s, struct alert *a, int64_t user, int64_t at,
			      const struct audit_note *note, store_alert_json_fn json,
			      struct app_error *err)
{
	struct alert_one ao = { a->id, a, user, at, note, json, false };
	return sq_write(s, ack_job, &ao, err);
}

static enum app_err alert_close(struct store *s, struct alert *a, int64_t user, int64_t at,
				const struct audit_note *note, store_alert_json_fn json,
				struct app_error *err)
{
	struct alert_one ao = { a->id, a, user, at, note, json, true };
	return sq_write(s, ack_job, &ao, err);
}

const struct store_patrol_ops sq_patrol_ops = {
	.mark = patrol_mark,
	.messages = patrol_messages,
	.due = patrol_due,
	.case_lines = patrol_case_lines,
	.groups = patrol_groups,
	.demands = patrol_demands,
	.repeats = patrol_repeats,
	.hides = patrol_hides,
	.save = patrol_save,
	.alerts = alerts_list,
	.alert_get = alert_get,
	.alert_ack = alert_ack,
	.alert_close = alert_close,
};
