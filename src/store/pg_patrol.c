/*
 * pg_patrol.c - the smart patrol's reads, its watch list and its alerts, on
 * PostgreSQL: the twin of sqlite_patrol.c, with the same errors, messages
 * and orders.
 *
 * A sweep's step is one transaction: watch changes, alerts (each stored
 * once per kind and object, the unique key deciding between two nodes that
 * raise the same one at once) with an event for each new one, and
 * watermarks. The scheduler runs one sweep at a time across nodes.
 */
#include "store/pg_int.h"
#include "core/clock.h"
#include "core/mem.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void read_alert(const PGresult *r, int row, struct alert *a)
{
	memset(a, 0, sizeof(*a));
	a->id = pg_int(r, row, 0);
	pg_copy_text(a->kind, sizeof(a->kind), r, row, 1);
	pg_copy_text(a->object, sizeof(a->object), r, row, 2);
	pg_copy_text(a->region, sizeof(a->region), r, row, 3);
	pg_copy_text(a->supervisor, sizeof(a->supervisor), r, row, 4);
	a->group_id = pg_int(r, row, 5);
	a->severity = (int)pg_int(r, row, 6);
	pg_copy_text(a->summary, sizeof(a->summary), r, row, 7);
	pg_copy_text(a->state, sizeof(a->state), r, row, 8);
	a->found_at = pg_int(r, row, 9);
	a->acknowledged_at = pg_int(r, row, 10);
	a->acknowledged_by = pg_int(r, row, 11);
}

struct mark_read {
	const char *kind;
	int64_t *out;
};

static enum app_err mark_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct mark_read *mr = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, mr->kind);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_PATROL_MARK_GET, &p, "reading a patrol watermark", &res,
				  NULL, err);
	if (rc != APP_OK)
		return rc;
	*mr->out = PQntuples(res) ? pg_int(res, 0, 0) : 0;
	PQclear(res);
	return APP_OK;
}

static enum app_err patrol_mark(struct store *s, const char *kind, int64_t *out,
				struct app_error *err)
{
	struct mark_read mr = { kind, out };
	return pg_read(s, mark_read, &mr, err);
}

/* A read of rows after a key: the statement, its two bound integers, and
 * what each row becomes. */
struct rows_read {
	enum pg_stmt id;
	int64_t key;
	int limit;
	const char *what;
	bool (*row)(const PGresult *r, int row, void *rr);
	void *fn;
	void *ctx;
};

static enum app_err rows_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct rows_read *rr = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, rr->key);
	pgp_int(&p, rr->limit);
	PGresult *res;
	enum app_err rc = pg_exec(c, rr->id, &p, rr->what, &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	for (int i = 0, n = PQntuples(res); i < n; i++)
		if (!rr->row(res, i, rr))
			break;
	PQclear(res);
	return APP_OK;
}

/* A row of the inbox: the copy of its message (the fields the inbox
 * holds; the others zero), its group and its author's role now. */
static bool message_row(const PGresult *r, int row, void *arg)
{
	struct rows_read *rr = arg;
	struct patrol_message pm;
	memset(&pm.m, 0, offsetof(struct message, body));
	pm.m.id = pg_int(r, row, 0);
	pm.m.group_id = pg_int(r, row, 1);
	pm.m.author_id = pg_int(r, row, 2);
	pg_copy_text(pm.m.author_name, sizeof(pm.m.author_name), r, row, 3);
	pg_copy_text(pm.m.kind, sizeof(pm.m.kind), r, row, 4);
	pm.m.reply_to = pg_int(r, row, 5);
	pm.m.at = pg_int(r, row, 6);
	pg_copy_text(pm.m.body, sizeof(pm.m.body), r, row, 7);
	pg_copy_text(pm.author_role, sizeof(pm.author_role), r, row, 8);
	pg_copy_text(pm.group_kind, sizeof(pm.group_kind), r, row, 9);
	pg_copy_text(pm.group_region, sizeof(pm.group_region), r, row, 10);
	pm.duty_start = (int)pg_int(r, row, 11);
	pm.duty_end = (int)pg_int(r, row, 12);
	pm.judged = pg_int(r, row, 13) != 0;
	return ((store_patrol_message_fn)rr->fn)(rr->ctx, &pm);
}

static enum app_err patrol_messages(struct store *s, int64_t after, int limit,
				    store_patrol_message_fn fn, void *ctx, struct app_error *err)
{
	struct rows_read rr = { PS_PATROL_MESSAGES, after, limit, "reading new messages",
				message_row, (void *)fn, ctx };
	return pg_read(s, rows_read, &rr, err);
}

static bool due_row(const PGresult *r, int row, void *arg)
{
	struct rows_read *rr = arg;
	struct patrol_due d;
	pg_message_read(r, row, &d.m);
	d.w = (struct patrol_watch){
		.message_id = pg_int(r, row, 15),
		.group_id = pg_int(r, row, 16),
		.at = pg_int(r, row, 17),
		.due = pg_int(r, row, 18),
	};
	pg_copy_text(d.group_name, sizeof(d.group_name), r, row, 19);
	pg_copy_text(d.group_region, sizeof(d.group_region), r, row, 20);
	return ((store_patrol_due_fn)rr->fn)(rr->ctx, &d);
}

static enum app_err patrol_due(struct store *s, int64_t now, int limit, store_patrol_due_fn fn,
			       void *ctx, struct app_error *err)
{
	struct rows_read rr = { PS_PATROL_DUE, now, limit, "reading watched questions", due_row,
				(void *)fn, ctx };
	return pg_read(s, rows_read, &rr, err);
}

static bool case_line_row(const PGresult *r, int row, void *arg)
{
	struct rows_read *rr = arg;
	struct patrol_case_line l;
	memset(&l, 0, sizeof(l));
	l.e.id = pg_int(r, row, 0);
	l.e.case_id = pg_int(r, row, 1);
	l.e.at = pg_int(r, row, 2);
	l.e.actor = pg_int(r, row, 3);
	pg_copy_text(l.e.action, sizeof(l.e.action), r, row, 4);
	pg_copy_text(l.e.from_state, sizeof(l.e.from_state), r, row, 5);
	pg_copy_text(l.e.to_state, sizeof(l.e.to_state), r, row, 6);
	pg_copy_text(l.e.clock, sizeof(l.e.clock), r, row, 7);
	l.e.level = (int)pg_int(r, row, 8);
	pg_copy_text(l.e.detail, sizeof(l.e.detail), r, row, 9);
	pg_copy_text(l.region, sizeof(l.region), r, row, 10);
	l.group_id = pg_int(r, row, 11);
	pg_copy_text(l.title, sizeof(l.title), r, row, 12);
	return ((store_patrol_case_line_fn)rr->fn)(rr->ctx, &l);
}

static enum app_err patrol_case_lines(struct store *s, int64_t after, int limit,
				      store_patrol_case_line_fn fn, void *ctx,
				      struct app_error *err)
{
	struct rows_read rr = { PS_PATROL_CASE_LINES, after, limit,
				"reading the clocks of demands", case_line_row, (void *)fn, ctx };
	return pg_read(s, rows_read, &rr, err);
}

static bool group_row(const PGresult *r, int row, void *arg)
{
	struct rows_read *rr = arg;
	struct patrol_group pg;
	struct group *g = &pg.g;
	memset(&pg, 0, sizeof(pg));
	g->id = pg_int(r, row, 0);
	pg_copy_text(g->kind, sizeof(g->kind), r, row, 1);
	pg_copy_text(g->region, sizeof(g->region), r, row, 2);
	pg_copy_text(g->name, sizeof(g->name), r, row, 3);
	g->duty_start = (int)pg_int(r, row, 4);
	g->duty_end = (int)pg_int(r, row, 5);
	pg.duty_set = pg_int(r, row, 6) != 0;
	return ((store_patrol_group_fn)rr->fn)(rr->ctx, &pg);
}

static enum app_err patrol_groups(struct store *s, int64_t after, int limit,
				  store_patrol_group_fn fn, void *ctx, struct app_error *err)
{
	struct rows_read rr = { PS_PATROL_GROUPS, after, limit, "listing the groups on duty",
				group_row, (void *)fn, ctx };
	return pg_read(s, rows_read, &rr, err);
}

static bool demand_row(const PGresult *r, int row, void *arg)
{
	struct rows_read *rr = arg;
	struct patrol_demand d = {
		.id = pg_int(r, row, 0),
		.group_id = pg_int(r, row, 1),
		.created_at = pg_int(r, row, 2),
		.resident_id = pg_int(r, row, 3),
		.household_id = pg_int(r, row, 4),
	};
	pg_copy_text(d.region, sizeof(d.region), r, row, 5);
	pg_copy_text(d.category, sizeof(d.category), r, row, 6);
	pg_copy_text(d.title, sizeof(d.title), r, row, 7);
	return ((store_patrol_demand_fn)rr->fn)(rr->ctx, &d);
}

static enum app_err patrol_demands(struct store *s, int64_t after, int limit,
				   store_patrol_demand_fn fn, void *ctx, struct app_error *err)
{
	struct rows_read rr = { PS_PATROL_DEMANDS, after, limit, "reading new demands",
				demand_row, (void *)fn, ctx };
	return pg_read(s, rows_read, &rr, err);
}

struct repeats_read {
	const struct patrol_repeat_query *q;
	int64_t *out;
};

static enum app_err repeats_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct repeats_read *rr = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, rr->q->household_id);
	pgp_int(&p, rr->q->resident_id);
	pgp_text(&p, rr->q->category);
	pgp_int(&p, rr->q->since);
	pgp_int(&p, rr->q->upto_id);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_PATROL_REPEATS, &p, "counting a household's demands",
				  &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	*rr->out = PQntuples(res) == 1 ? pg_int(res, 0, 0) : 0;
	PQclear(res);
	return APP_OK;
}

static enum app_err patrol_repeats(struct store *s, const struct patrol_repeat_query *q,
				   int64_t *out, struct app_error *err)
{
	struct repeats_read rr = { q, out };
	return pg_read(s, repeats_read, &rr, err);
}

static bool hide_row(const PGresult *r, int row, void *arg)
{
	struct rows_read *rr = arg;
	struct audit_record a;
	pg_audit_read(r, row, &a);
	return ((store_audit_fn)rr->fn)(rr->ctx, &a);
}

static enum app_err patrol_hides(struct store *s, int64_t after, int limit, store_audit_fn fn,
				 void *ctx, struct app_error *err)
{
	struct rows_read rr = { PS_PATROL_HIDES, after, limit, "reading hidden messages", hide_row,
				(void *)fn, ctx };
	return pg_read(s, rows_read, &rr, err);
}

/* Run statement id (one alert's row expected) into *a: APP_ENOTFOUND when
 * there is none. */
static enum app_err alert_row(struct pg_conn *c, enum pg_stmt id, const struct pg_params *p,
			      struct alert *a, struct app_error *err)
{
	PGresult *res;
	enum app_err rc = pg_exec(c, id, p, "reading an alert", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	if (PQntuples(res) == 1)
		read_alert(res, 0, a);
	else
		rc = app_fail(err, APP_ENOTFOUND, "no such alert");
	PQclear(res);
	return rc;
}

/* The event telling the supervising level of a (new or changed). */
static enum app_err alert_event(struct pg_conn *c, const struct alert *a, const char *kind,
				store_alert_json_fn json, struct app_error *err)
{
	char topic[EVENT_TOPIC_MAX], subject[40], county[7];
	snprintf(topic, sizeof(topic), "alerts:%s", a->supervisor);
	snprintf(subject, sizeof(subject), "alert:%" PRId64, a->id);
	division_county(a->region, county);
	struct strbuf data = STRBUF_INIT;
	json(a, &data);
	struct event_note ev = { topic, kind, county, data.buf, subject };
	enum app_err rc = pg_event_append(c, &ev, NULL, err);
	strbuf_release(&data);
	return rc;
}

/* ---- a step's writes, set-based ----
 *
 * Each kind of change of a step is one statement with its rows as array
 * parameters: a day's sweep raises thousands of alerts, and a round trip
 * per row (insert, event, inbox) was most of its time. */

/* Run statement id with one array of ids; none: nothing to run. */
static enum app_err ids_stmt(struct pg_conn *c, enum pg_stmt id, const int64_t *ids, int n,
			     const char *what, struct app_error *err)
{
	if (!n)
		return APP_OK;
	struct pg_array a;
	pg_array_init(&a);
	for (int i = 0; i < n; i++)
		pg_array_int(&a, ids[i]);
	struct pg_params p = { 0 };
	pg_array_param(&p, &a);
	enum app_err rc = pg_exec(c, id, &p, what, NULL, NULL, err);
	pg_array_release(&a);
	return rc;
}

/* Run statement id with the columns of n watch rows: message, group, at
 * and due (ncols 4) or message and at (ncols 2). */
static enum app_err watch_rows(struct pg_conn *c, enum pg_stmt id, const struct patrol_watch *w,
			       int n, int ncols, const char *what, struct app_error *err)
{
	if (!n)
		return APP_OK;
	struct pg_array col[4];
	for (int j = 0; j < ncols; j++)
		pg_array_init(&col[j]);
	for (int i = 0; i < n; i++) {
		pg_array_int(&col[0], w[i].message_id);
		if (ncols == 2) {
			pg_array_int(&col[1], w[i].at);
			continue;
		}
		pg_array_int(&col[1], w[i].group_id);
		pg_array_int(&col[2], w[i].at);
		pg_array_int(&col[3], w[i].due);
	}
	struct pg_params p = { 0 };
	for (int j = 0; j < ncols; j++)
		pg_array_param(&p, &col[j]);
	enum app_err rc = pg_exec(c, id, &p, what, NULL, NULL, err);
	for (int j = 0; j < ncols; j++)
		pg_array_release(&col[j]);
	return rc;
}

/* The alerts of a step in the order of their key (kind, object), to match
 * the rows the database returns to them. */
struct alert_keys {
	struct alert *alerts;
	int *order; /* indexes into alerts, by key, then index */
	int n;
};

static int key_cmp(const char *kind, const char *object, const struct alert *a)
{
	int d = strcmp(kind, a->kind);
	return d ? d : strcmp(object, a->object);
}

static int order_cmp(const void *x, const void *y, void *arg)
{
	const struct alert *alerts = arg;
	int i = *(const int *)x, j = *(const int *)y;
	int d = key_cmp(alerts[i].kind, alerts[i].object, &alerts[j]);
	return d ? d : i - j;
}

static void keys_init(struct alert_keys *k, struct alert *alerts, int n)
{
	k->alerts = alerts;
	k->n = n;
	k->order = xmalloc((size_t)n * sizeof(*k->order));
	for (int i = 0; i < n; i++)
		k->order[i] = i;
	qsort_r(k->order, (size_t)n, sizeof(*k->order), order_cmp, alerts);
}

/* The position in k->order of the first alert of key (kind, object), or
 * of where it would be. */
static int key_first(const struct alert_keys *k, const char *kind, const char *object)
{
	int lo = 0, hi = k->n;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (key_cmp(kind, object, &k->alerts[k->order[mid]]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether position pos of k->order holds an alert of key (kind, object). */
static bool key_at(const struct alert_keys *k, int pos, const char *kind, const char *object)
{
	return pos < k->n && key_cmp(kind, object, &k->alerts[k->order[pos]]) == 0;
}

/* Insert the step's alerts (each once per kind and object): the new ones
 * get their id and state, raised[] says which are new (of two of one key
 * in a step, the first). */
static enum app_err alerts_insert(struct pg_conn *c, struct patrol_save *ps,
				  const struct alert_keys *k, struct app_error *err)
{
	enum { COLS = 8 };
	struct pg_array col[COLS];
	for (int j = 0; j < COLS; j++)
		pg_array_init(&col[j]);
	for (int i = 0; i < ps->nalerts; i++) {
		const struct alert *a = &ps->alerts[i];
		pg_array_text(&col[0], a->kind);
		pg_array_text(&col[1], a->object);
		pg_array_text(&col[2], a->region);
		pg_array_text(&col[3], a->supervisor);
		pg_array_int(&col[4], a->group_id);
		pg_array_int(&col[5], a->severity);
		pg_array_text(&col[6], a->summary);
		pg_array_int(&col[7], a->found_at);
		ps->raised[i] = false;
	}
	struct pg_params p = { 0 };
	for (int j = 0; j < COLS; j++)
		pg_array_param(&p, &col[j]);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_ALERT_INSERT, &p, "storing alerts", &res, NULL, err);
	for (int j = 0; j < COLS; j++)
		pg_array_release(&col[j]);
	if (rc != APP_OK)
		return rc;
	for (int r = 0, n = PQntuples(res); r < n; r++) {
		const char *kind = PQgetvalue(res, r, 1), *object = PQgetvalue(res, r, 2);
		int pos = key_first(k, kind, object);
		if (!key_at(k, pos, kind, object))
			continue; /* not one of the step's: cannot be */
		int i = k->order[pos];
		ps->raised[i] = true;
		ps->alerts[i].id = pg_int(res, r, 0);
		snprintf(ps->alerts[i].state, sizeof(ps->alerts[i].state), "open");
	}
	PQclear(res);
	return APP_OK;
}

/* The stored rows of the step's alerts raised before, into them. */
static enum app_err alerts_before(struct pg_conn *c, struct patrol_save *ps,
				  const struct alert_keys *k, struct app_error *err)
{
	struct pg_array kind, object;
	pg_array_init(&kind);
	pg_array_init(&object);
	for (int i = 0; i < ps->nalerts; i++)
		if (!ps->raised[i]) {
			pg_array_text(&kind, ps->alerts[i].kind);
			pg_array_text(&object, ps->alerts[i].object);
		}
	enum app_err rc = APP_OK;
	PGresult *res = NULL;
	if (kind.n) {
		struct pg_params p = { 0 };
		pg_array_param(&p, &kind);
		pg_array_param(&p, &object);
		rc = pg_exec(c, PS_ALERT_BY_KEY, &p, "reading alerts", &res, NULL, err);
	}
	pg_array_release(&kind);
	pg_array_release(&object);
	if (!res)
		return rc;
	struct alert row;
	for (int r = 0, n = PQntuples(res); r < n; r++) {
		read_alert(res, r, &row);
		for (int pos = key_first(k, row.kind, row.object);
		     key_at(k, pos, row.kind, row.object); pos++)
			if (!ps->raised[k->order[pos]])
				ps->alerts[k->order[pos]] = row;
	}
	PQclear(res);
	return APP_OK;
}

/* The events of the step's new alerts: alert.raised on each one's topic. */
static enum app_err alerts_events(struct pg_conn *c, const struct patrol_save *ps,
				  struct app_error *err)
{
	enum { COLS = 4 };
	struct pg_array col[COLS];
	for (int j = 0; j < COLS; j++)
		pg_array_init(&col[j]);
	struct strbuf data = STRBUF_INIT;
	for (int i = 0; i < ps->nalerts; i++) {
		if (!ps->raised[i])
			continue;
		const struct alert *a = &ps->alerts[i];
		char topic[EVENT_TOPIC_MAX], subject[40], county[7];
		snprintf(topic, sizeof(topic), "alerts:%s", a->supervisor);
		snprintf(subject, sizeof(subject), "alert:%" PRId64, a->id);
		division_county(a->region, county);
		strbuf_reset(&data);
		ps->json(a, &data);
		pg_array_text(&col[0], county);
		pg_array_text(&col[1], topic);
		pg_array_text(&col[2], data.buf);
		pg_array_text(&col[3], subject);
	}
	strbuf_release(&data);
	enum app_err rc = col[0].n ? pg_events_lock(c, err) : APP_OK;
	if (rc == APP_OK && col[0].n) {
		struct pg_params p = { 0 };
		pgp_int(&p, clock_now());
		pgp_text(&p, "alert.raised");
		for (int j = 0; j < COLS; j++)
			pg_array_param(&p, &col[j]);
		rc = pg_exec(c, PS_ALERT_EVENTS, &p, "recording events", NULL, NULL, err);
	}
	for (int j = 0; j < COLS; j++)
		pg_array_release(&col[j]);
	return rc;
}

/* Store the step's alerts, each once per kind and object, an event for
 * each new one; those raised before read back as stored. */
static enum app_err alerts_raise(struct pg_conn *c, struct patrol_save *ps,
				 struct app_error *err)
{
	struct alert_keys k;
	keys_init(&k, ps->alerts, ps->nalerts);
	enum app_err rc = alerts_insert(c, ps, &k, err);
	if (rc == APP_OK)
		rc = alerts_before(c, ps, &k, err);
	if (rc == APP_OK)
		rc = alerts_events(c, ps, err);
	free(k.order);
	return rc;
}

/* A cadre's answer at `at` to message: watched no more when within its window. */
static enum app_err note_answer(struct pg_conn *c, int64_t message, int64_t at,
				struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_int(&p, message);
	pgp_int(&p, at);
	return pg_exec(c, PS_PATROL_WATCH_ANSWERED, &p, "noting an answer", NULL, NULL, err);
}

/* Start watching the question of w. */
static enum app_err watch_put(struct pg_conn *c, const struct patrol_watch *w,
			      struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_int(&p, w->message_id);
	pgp_int(&p, w->group_id);
	pgp_int(&p, w->at);
	pgp_int(&p, w->due);
	return pg_exec(c, PS_PATROL_WATCH_PUT, &p, "watching a question", NULL, NULL, err);
}

enum app_err pg_patrol_note_message(struct pg_conn *c, const struct message *m,
				    struct app_error *err)
{
	const struct message_patrol *mp = &m->patrol;
	enum app_err rc = APP_OK;
	if (!mp->judged || mp->flagged) {
		struct pg_params p = { 0 };
		pgp_int(&p, m->id);
		pgp_int(&p, mp->judged);
		pgp_int(&p, m->group_id);
		pgp_int(&p, m->author_id);
		pgp_text(&p, m->author_name);
		pgp_text(&p, m->kind);
		pgp_int(&p, m->reply_to);
		pgp_int(&p, m->at);
		pgp_text(&p, m->body);
		rc = pg_exec(c, PS_PATROL_INBOX_PUT, &p, "queueing a message for the patrol", NULL,
			     NULL, err);
	}
	if (rc != APP_OK || !mp->judged)
		return rc;
	if (mp->due > 0) {
		struct patrol_watch w = { m->id, m->group_id, m->at, mp->due };
		rc = watch_put(c, &w, err);
	}
	if (rc == APP_OK && mp->answers && m->reply_to)
		rc = note_answer(c, m->reply_to, m->at, err);
	return rc;
}

static enum app_err save_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct patrol_save *ps = arg;
	enum app_err rc = watch_rows(c, PS_PATROL_WATCH_PUT_MANY, ps->watch, ps->nwatch, 4,
				     "watching questions", err);
	if (rc == APP_OK)
		rc = watch_rows(c, PS_PATROL_WATCH_ANSWERED_MANY, ps->answered, ps->nanswered, 2,
				"noting answers", err);
	if (rc == APP_OK)
		rc = ids_stmt(c, PS_PATROL_WATCH_DONE, ps->done, ps->ndone,
			      "ending the watch of questions", err);
	if (rc == APP_OK)
		rc = ids_stmt(c, PS_PATROL_INBOX_DONE, ps->read, ps->nread,
			      "taking messages out of the patrol's inbox", err);
	if (rc == APP_OK && ps->nalerts)
		rc = alerts_raise(c, ps, err);
	for (int i = 0; rc == APP_OK && i < ps->nmarks; i++) {
		struct pg_params p = { 0 };
		pgp_text(&p, ps->mark_kinds[i]);
		pgp_int(&p, ps->marks[i]);
		rc = pg_exec(c, PS_PATROL_MARK_PUT, &p, "moving a patrol watermark", NULL, NULL,
			     err);
	}
	return rc;
}

static enum app_err patrol_save(struct store *s, struct patrol_save *ps, struct app_error *err)
{
	return pg_write(s, save_job, ps, err);
}

struct alerts_read {
	const struct alert_query *q;
	store_alert_fn fn;
	void *ctx;
};

static enum app_err alerts_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct alerts_read *ar = arg;
	const struct alert_query *q = ar->q;
	struct pg_params p = { 0 };
	for (int i = 0; i < 4; i++)
		pgp_text(&p, i < q->nregions ? q->regions[i] : "~");
	pgp_text(&p, q->state ? q->state : "");
	pgp_text(&p, q->kind ? q->kind : "");
	pgp_int(&p, q->before_id);
	pgp_int(&p, q->limit);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_ALERTS_LIST, &p, "listing alerts", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	struct alert a;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		read_alert(res, i, &a);
		if (!ar->fn(ar->ctx, &a))
			break;
	}
	PQclear(res);
	return APP_OK;
}

static enum app_err alerts_list(struct store *s, const struct alert_query *q, store_alert_fn fn,
				void *ctx, struct app_error *err)
{
	struct alerts_read ar = { q, fn, ctx };
	return pg_read(s, alerts_read, &ar, err);
}

struct alert_one {
	int64_t id;
	struct alert *a;
	int64_t user, at;
	const struct audit_note *note;
	store_alert_json_fn json;
	bool close; /* closing it, not acknowledging it */
};

static enum app_err alert_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct alert_one *ao = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, ao->id);
	return alert_row(c, PS_ALERT_GET, &p, ao->a, err);
}

static enum app_err alert_get(struct store *s, int64_t id, struct alert *out,
			      struct app_error *err)
{
	struct alert_one ao = { .id = id, .a = out };
	return pg_read(s, alert_read, &ao, err);
}

static enum app_err ack_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct alert_one *ao = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, ao->id);
	pgp_int(&p, ao->at);
	pgp_int(&p, ao->user);
	int64_t changes = 0;
	enum app_err rc = pg_exec(c, ao->close ? PS_ALERT_CLOSE : PS_ALERT_ACK, &p,
				  ao->close ? "closing an alert" : "acknowledging an alert", NULL,
				  &changes, err);
	if (rc != APP_OK)
		return rc;
	if (changes == 0)
		return app_fail(err, APP_ECONFLICT, "this alert is %s",
				ao->close ? "already closed" : "no longer open");
	if ((rc = alert_read(c, ao, err)) != APP_OK)
		return rc;
	if ((rc = pg_audit_append(c, ao->note, err)) != APP_OK)
		return rc;
	return alert_event(c, ao->a, ao->close ? "alert.closed" : "alert.acknowledged", ao->json,
			   err);
}

static enum app_err alert_ack(struct store *s, struct alert *a, int64_t user, int64_t at,
			      const struct audit_note *note, store_alert_json_fn json,
			      struct app_error *err)
{
	struct alert_one ao = { a->id, a, user, at, note, json, false };
	return pg_write(s, ack_job, &ao, err);
}

static enum app_err alert_close(struct store *s, struct alert *a, int64_t user, int64_t at,
				const struct audit_note *note, store_alert_json_fn json,
				struct app_error *err)
{
	struct alert_one ao = { a->id, a, user, at, note, json, true };
	return pg_write(s, ack_job, &ao, err);
}

const struct store_patrol_ops pg_patrol_ops = {
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
