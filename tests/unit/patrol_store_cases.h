/*
 * patrol_store_cases.h - the bodies of the smart patrol's store tests, run
 * on each backend through store.h: test_patrol_store.c runs them on
 * SQLite, test_patrol_store_pg.c on PostgreSQL, so both raise, dedup and
 * announce alerts alike. Each body gets a freshly migrated, empty store.
 * Header-only; include it after <cmocka.h>.
 *
 * What is covered: a step's alerts raised in one save (PostgreSQL writes
 * them set-based, as array parameters): each new one gets its id, state and
 * one alert.raised event on its supervising level's topic with the JSON the
 * step's writer gives; a text with quotes, backslashes, commas, braces and
 * a line break reads back as written; an alert seen twice in one step, or
 * raised by an earlier step, is raised once and read back as stored,
 * without an event; the step's watermark moves with it. A whole sweep
 * (patrol_sweep) over an inbox of three steps (each read after the one
 * before, saved): each message read once, its alerts raised once and
 * told in the order of the messages, nothing left for the next sweep.
 * Messages not judged as posted, judged by the sweep from the inbox's
 * copies alone (their author, reply and time). A step of more alerts than
 * one statement of SQLite's writer stores (sqlite_int.h SQ_ROWS_MANY):
 * alerts seen twice in one statement, in two, and raised by an earlier
 * step, each told apart as one at a time would; steps whose every alert is
 * new (ids known without reading them back), before and after the alert of
 * the largest id is deleted; a step failing in its second statement, which
 * leaves nothing. Groups with nobody on duty, with no duty set at all, with
 * a rota, with only an override and with only a leave. Also the rows and the
 * checks of migration 0025's tests (PS_BEFORE_0025, ps_after_0025).
 */
#ifndef TESTS_UNIT_PATROL_STORE_CASES_H
#define TESTS_UNIT_PATROL_STORE_CASES_H

/* The set-up helpers of the group tests (the demo county, its groups);
 * their case bodies are not run here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "groups_store_cases.h"
#pragma GCC diagnostic pop

#include "core/strbuf.h"
#include "patrol/judge.h"
#include "patrol/patrol.h"
#include "store/store.h"
#include "testutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATROL_STORE_CASES(X)                                                                  \
	X(raise_once_with_events) X(raise_many) X(raise_failing) X(sweep_many_steps)           \
	X(sweep_unjudged) X(sweep_duty)

/* An awkward text: every character an array literal or JSON must escape. */
#define PS_AWKWARD "他说\"着火了\"，{快}\\来, 人\n第二行'"

/* The event data of a: its id, object and summary, as JSON. */
static inline void ps_json(const struct alert *a, struct strbuf *out)
{
	strbuf_addf(out, "{\"id\":%" PRId64 ",\"object\":", a->id);
	strbuf_add_json_string(out, a->object);
	strbuf_addstr(out, ",\"summary\":");
	strbuf_add_json_string(out, a->summary);
	strbuf_addch(out, '}');
}

/* The data of a message's events: its id. */
static inline void ps_json_message(const struct message *m, struct strbuf *out)
{
	strbuf_addf(out, "{\"id\":%" PRId64 "}", m->id);
}

static inline void ps_alert(struct alert *a, const char *kind, const char *object,
			    const char *region, const char *summary)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->kind, sizeof(a->kind), "%s", kind);
	snprintf(a->object, sizeof(a->object), "%s", object);
	snprintf(a->region, sizeof(a->region), "%s", region);
	snprintf(a->supervisor, sizeof(a->supervisor), "%.9s", region);
	snprintf(a->summary, sizeof(a->summary), "%s", summary);
	a->group_id = 7;
	a->severity = 3;
	a->found_at = 1790000000;
}

/* The events of a topic: every one kept, up to PS_EVENTS_MAX (the most a
 * case tells on one topic); n counts them all, one more when there are
 * more than that. */
enum { PS_EVENTS_MAX = 128 };
struct ps_events {
	int n;
	int64_t ids[PS_EVENTS_MAX];
	char data[PS_EVENTS_MAX][256];
};

static inline bool ps_event_fn(void *ctx, const struct event_record *e)
{
	struct ps_events *l = ctx;
	assert_string_equal(e->kind, "alert.raised");
	assert_string_equal(e->county, "990101");
	if (l->n < PS_EVENTS_MAX) {
		l->ids[l->n] = e->id;
		snprintf(l->data[l->n], sizeof(l->data[0]), "%.255s", e->data);
	}
	l->n++;
	return true;
}

static inline void ps_events_of(struct store *s, const char *topic, struct ps_events *l)
{
	struct app_error e;
	memset(l, 0, sizeof(*l));
	assert_int_equal(store_events_after(s, topic, 0, PS_EVENTS_MAX + 1, ps_event_fn, l, &e),
			 APP_OK);
}

/* The event data ps_json writes for a. */
static inline void ps_expect_data(const struct alert *a, const char *data)
{
	struct strbuf sb = STRBUF_INIT;
	ps_json(a, &sb);
	assert_string_equal(data, sb.buf);
	strbuf_release(&sb);
}

/* ev's events from its from'th on are those of the alerts raised among
 * a[0..n) (raised NULL: all of them), in their order, with ids rising from
 * the event before; returns the index after them. */
static inline int ps_expect_events(const struct ps_events *ev, int from, const struct alert *a,
				   const bool *raised, int n)
{
	int k = from;
	for (int i = 0; i < n; i++) {
		if (raised && !raised[i])
			continue;
		assert_true(k < ev->n && k < PS_EVENTS_MAX);
		assert_true(k == 0 || ev->ids[k - 1] < ev->ids[k]);
		ps_expect_data(&a[i], ev->data[k]);
		k++;
	}
	return k;
}

/* n alerts a[0..n) of kind emergency in GS_VILLAGE, about messages first,
 * first + 1, ..., their summaries tag and their index. */
static inline void ps_alerts_numbered(struct alert *a, int n, int first, const char *tag)
{
	for (int i = 0; i < n; i++) {
		char object[32], summary[32];
		snprintf(object, sizeof(object), "message:%d", first + i);
		snprintf(summary, sizeof(summary), "%s%d", tag, i);
		ps_alert(&a[i], "emergency", object, GS_VILLAGE, summary);
	}
}

/* Each of a[0..n) raised (raised[i] true), open, with a rising id under
 * which its kind, object and summary are stored. */
static inline void ps_expect_stored_new(struct store *s, const struct alert *a,
					const bool *raised, int n)
{
	struct app_error e;
	for (int i = 0; i < n; i++) {
		struct alert got;
		assert_true(raised[i]);
		assert_string_equal(a[i].state, "open");
		assert_true(i == 0 || a[i - 1].id < a[i].id);
		assert_int_equal(store_alert_get(s, a[i].id, &got, &e), APP_OK);
		assert_string_equal(got.kind, a[i].kind);
		assert_string_equal(got.object, a[i].object);
		assert_string_equal(got.summary, a[i].summary);
	}
}

/* ev's events from its from'th on, one for each of a[0..n), each tell the
 * alert stored under its alert's id (the id an event gives is its alert's,
 * as stored). */
static inline void ps_expect_told_stored(struct store *s, const struct ps_events *ev, int from,
					 const struct alert *a, int n)
{
	struct app_error e;
	for (int i = 0; i < n; i++) {
		struct alert got;
		assert_true(from + i < ev->n && from + i < PS_EVENTS_MAX);
		assert_int_equal(store_alert_get(s, a[i].id, &got, &e), APP_OK);
		ps_expect_data(&got, ev->data[from + i]);
	}
}

static inline bool ps_count_fn(void *ctx, const struct alert *a)
{
	(void)a;
	++*(int *)ctx;
	return true;
}

/* How many alerts are stored (of the demo's province, 99). */
static inline int ps_alerts_count(struct store *s)
{
	struct alert_query q = { .nregions = 1, .regions = { "99" }, .limit = 1000 };
	struct app_error e;
	int n = 0;
	assert_int_equal(store_alerts_list(s, &q, ps_count_fn, &n, &e), APP_OK);
	return n;
}

static inline void ps_case_raise_once_with_events(struct store *s)
{
	struct app_error e;
	struct alert a[4], got;
	bool raised[4];
	ps_alert(&a[0], "emergency", "message:11", "990101103200", PS_AWKWARD);
	ps_alert(&a[1], "cadre_complaint", "message:11", "990101103200", "投诉干部（不作为）");
	ps_alert(&a[2], "emergency", "message:11", "990101103200", "the same, seen twice");
	ps_alert(&a[3], "no_duty", "group:3:20261129", "990101104", "无人值班");
	struct patrol_save ps = { .alerts = a, .raised = raised, .nalerts = 4, .json = ps_json,
				  .nmarks = 1, .mark_kinds = { "hides" }, .marks = { 42 } };
	assert_int_equal(store_patrol_save(s, &ps, &e), APP_OK);
	assert_true(raised[0] && raised[1] && !raised[2] && raised[3]);
	assert_true(a[0].id > 0 && a[1].id > 0 && a[3].id > 0);
	assert_true(a[0].id != a[1].id && a[1].id != a[3].id && a[0].id != a[3].id);
	assert_string_equal(a[0].state, "open");
	/* the one seen twice is the stored first */
	assert_int_equal(a[2].id, a[0].id);
	assert_string_equal(a[2].summary, PS_AWKWARD);

	assert_int_equal(store_alert_get(s, a[0].id, &got, &e), APP_OK);
	assert_string_equal(got.summary, PS_AWKWARD);
	assert_string_equal(got.kind, "emergency");
	assert_string_equal(got.object, "message:11");
	assert_string_equal(got.region, "990101103200");
	assert_string_equal(got.supervisor, "990101103");
	assert_int_equal(got.group_id, 7);
	assert_int_equal(got.severity, 3);
	assert_int_equal(got.found_at, 1790000000);
	assert_string_equal(got.state, "open");
	assert_int_equal(store_alert_get(s, a[3].id, &got, &e), APP_OK);
	assert_string_equal(got.supervisor, "990101104");

	/* one event per new alert, on its level's topic, in the step's order */
	struct ps_events ev;
	ps_events_of(s, "alerts:990101103", &ev);
	assert_int_equal(ev.n, 2);
	assert_true(ev.ids[0] < ev.ids[1]);
	ps_expect_data(&a[0], ev.data[0]);
	ps_expect_data(&a[1], ev.data[1]);
	ps_events_of(s, "alerts:990101104", &ev);
	assert_int_equal(ev.n, 1);
	ps_expect_data(&a[3], ev.data[0]);

	int64_t mark = 0;
	assert_int_equal(store_patrol_mark(s, "hides", &mark, &e), APP_OK);
	assert_int_equal(mark, 42);

	/* a later step: raised before, read back as stored, no event */
	struct alert b[2];
	ps_alert(&b[0], "emergency", "message:11", "990101103200", "a newer text");
	ps_alert(&b[1], "emergency", "message:12", "990101103200", "火");
	ps = (struct patrol_save){ .alerts = b, .raised = raised, .nalerts = 2, .json = ps_json };
	assert_int_equal(store_patrol_save(s, &ps, &e), APP_OK);
	assert_false(raised[0]);
	assert_true(raised[1]);
	assert_int_equal(b[0].id, a[0].id);
	assert_string_equal(b[0].summary, PS_AWKWARD);
	assert_string_equal(b[0].state, "open");
	assert_true(b[1].id > a[3].id);
	ps_events_of(s, "alerts:990101103", &ev);
	assert_int_equal(ev.n, 3);
	ps_expect_data(&b[1], ev.data[2]);
}

/* A step of 75 alerts (SQLite's writer stores them 32 to a statement, the
 * rest one by one): message:3 seen again at 10 (within the first 32),
 * message:5 again at 40 (in the next 32), message:900 and message:901,
 * raised by an earlier step, again at 50 and 70 (the last, one by one).
 * Each seen again is not raised and is read back as stored; every other is
 * new, with ids in the step's order, and has its one event, in order. The
 * same step again: nothing new, each read back as stored, no event. */
static inline void ps_case_raise_many(struct store *s)
{
	enum { N = 75 };
	struct app_error e;
	struct alert early[2], a[N];
	bool raised[N];
	ps_alert(&early[0], "emergency", "message:900", GS_VILLAGE, "earlier");
	ps_alert(&early[1], "emergency", "message:901", GS_VILLAGE, "earlier too");
	struct patrol_save ps = { .alerts = early, .raised = raised, .nalerts = 2,
				  .json = ps_json };
	assert_int_equal(store_patrol_save(s, &ps, &e), APP_OK);
	assert_true(raised[0] && raised[1]);

	for (int i = 0; i < N; i++) {
		char object[32], summary[32];
		int m = i == 10 ? 3 : i == 40 ? 5 : i == 50 ? 900 : i == 70 ? 901 : i;
		snprintf(object, sizeof(object), "message:%d", m);
		snprintf(summary, sizeof(summary), "第%d条", i);
		ps_alert(&a[i], "emergency", object, GS_VILLAGE, summary);
	}
	ps = (struct patrol_save){ .alerts = a, .raised = raised, .nalerts = N, .json = ps_json };
	assert_int_equal(store_patrol_save(s, &ps, &e), APP_OK);
	int64_t last = early[1].id;
	for (int i = 0; i < N; i++) {
		bool again = i == 10 || i == 40 || i == 50 || i == 70;
		assert_int_equal(raised[i], !again);
		if (again)
			continue;
		assert_true(a[i].id > last);
		last = a[i].id;
		assert_string_equal(a[i].state, "open");
	}
	assert_int_equal(a[10].id, a[3].id);
	assert_string_equal(a[10].summary, "第3条");
	assert_int_equal(a[40].id, a[5].id);
	assert_string_equal(a[40].summary, "第5条");
	assert_int_equal(a[50].id, early[0].id);
	assert_string_equal(a[50].summary, "earlier");
	assert_int_equal(a[70].id, early[1].id);
	assert_string_equal(a[70].summary, "earlier too");
	struct alert got;
	assert_int_equal(store_alert_get(s, a[74].id, &got, &e), APP_OK);
	assert_string_equal(got.object, "message:74");
	assert_string_equal(got.summary, "第74条");

	/* the earlier step's 2 events, then the 71 new alerts', in order */
	struct ps_events ev;
	ps_events_of(s, "alerts:990101103", &ev);
	assert_int_equal(ev.n, 2 + N - 4);
	assert_int_equal(ps_expect_events(&ev, 0, early, NULL, 2), 2);
	assert_int_equal(ps_expect_events(&ev, 2, a, raised, N), ev.n);

	struct alert again[N];
	memcpy(again, a, sizeof(again));
	for (int i = 0; i < N; i++) {
		again[i].id = 0;
		snprintf(again[i].summary, sizeof(again[i].summary), "newer");
	}
	ps = (struct patrol_save){ .alerts = again, .raised = raised, .nalerts = N,
				   .json = ps_json };
	assert_int_equal(store_patrol_save(s, &ps, &e), APP_OK);
	for (int i = 0; i < N; i++) {
		assert_false(raised[i]);
		assert_int_equal(again[i].id, a[i].id);
		assert_string_equal(again[i].summary, a[i].summary);
	}
	ps_events_of(s, "alerts:990101103", &ev);
	assert_int_equal(ev.n, 2 + N - 4);
}

/* Steps whose every alert is new (a day's first sweep). After 3 alerts, 64
 * new ones: two of SQLite's statements of SQ_ROWS_MANY, whose ids it knows
 * without reading them back (the ones after the largest before). Each id
 * is its stored alert's, and each event, in the step's order, tells the
 * alert stored under the id it gives. Then the alert of the largest id is
 * deleted (SQLite gives that id again) and 32 more saved, checked alike.
 * run runs a statement on db, a connection of the test's own to the
 * store's database (the store deletes no alert). */
static inline void ps_raise_all_new(struct store *s, void (*run)(void *db, const char *sql),
				    void *db)
{
	enum { N = 64, M = 32 };
	struct app_error e;
	struct alert early[3], a[N], b[M], got;
	bool raised[N];
	ps_alerts_numbered(early, 3, 1000, "earlier");
	struct patrol_save ps = { .alerts = early, .raised = raised, .nalerts = 3,
				  .json = ps_json };
	assert_int_equal(store_patrol_save(s, &ps, &e), APP_OK);
	ps_expect_stored_new(s, early, raised, 3);

	ps_alerts_numbered(a, N, 0, "新");
	ps = (struct patrol_save){ .alerts = a, .raised = raised, .nalerts = N, .json = ps_json };
	assert_int_equal(store_patrol_save(s, &ps, &e), APP_OK);
	ps_expect_stored_new(s, a, raised, N);
	assert_true(a[0].id > early[2].id);
	struct ps_events ev;
	ps_events_of(s, "alerts:990101103", &ev);
	assert_int_equal(ev.n, 3 + N);
	assert_int_equal(ps_expect_events(&ev, 0, early, NULL, 3), 3);
	assert_int_equal(ps_expect_events(&ev, 3, a, NULL, N), ev.n);
	ps_expect_told_stored(s, &ev, 3, a, N);

	run(db, "DELETE FROM alerts WHERE id = (SELECT max(id) FROM alerts)");
	assert_int_equal(store_alert_get(s, a[N - 1].id, &got, &e), APP_ENOTFOUND);
	ps_alerts_numbered(b, M, 2000, "又");
	ps = (struct patrol_save){ .alerts = b, .raised = raised, .nalerts = M, .json = ps_json };
	assert_int_equal(store_patrol_save(s, &ps, &e), APP_OK);
	ps_expect_stored_new(s, b, raised, M);
	assert_true(b[0].id > a[N - 2].id);
	ps_events_of(s, "alerts:990101103", &ev);
	assert_int_equal(ev.n, 3 + N + M);
	assert_int_equal(ps_expect_events(&ev, 3 + N, b, NULL, M), ev.n);
	ps_expect_told_stored(s, &ev, 3 + N, b, M);
}

/* A step of 64 new alerts whose 50th breaks the alerts' CHECK (severity 9)
 * fails and leaves no alert and no event of it (SQLite's second statement
 * of SQ_ROWS_MANY fails after writing some of its rows, INSERT OR FAIL: the
 * step's savepoint takes them back, with the first statement's). The same
 * step corrected stores all 64 as new, with their ids and events. */
static inline void ps_case_raise_failing(struct store *s)
{
	enum { N = 64 };
	struct app_error e;
	struct alert early, a[N];
	bool raised[N];
	ps_alerts_numbered(&early, 1, 1000, "earlier");
	struct patrol_save ps = { .alerts = &early, .raised = raised, .nalerts = 1,
				  .json = ps_json };
	assert_int_equal(store_patrol_save(s, &ps, &e), APP_OK);

	ps_alerts_numbered(a, N, 0, "坏");
	a[49].severity = 9;
	ps = (struct patrol_save){ .alerts = a, .raised = raised, .nalerts = N, .json = ps_json };
	assert_int_not_equal(store_patrol_save(s, &ps, &e), APP_OK);
	assert_int_equal(ps_alerts_count(s), 1);
	struct ps_events ev;
	ps_events_of(s, "alerts:990101103", &ev);
	assert_int_equal(ev.n, 1);

	ps_alerts_numbered(a, N, 0, "好");
	ps = (struct patrol_save){ .alerts = a, .raised = raised, .nalerts = N, .json = ps_json };
	assert_int_equal(store_patrol_save(s, &ps, &e), APP_OK);
	ps_expect_stored_new(s, a, raised, N);
	assert_true(a[0].id > early.id);
	assert_int_equal(ps_alerts_count(s), 1 + N);
	ps_events_of(s, "alerts:990101103", &ev);
	assert_int_equal(ev.n, 1 + N);
	assert_int_equal(ps_expect_events(&ev, 1, a, NULL, N), ev.n);
	ps_expect_told_stored(s, &ev, 1, a, N);
}

/* The findings of a sweep about messages, checked as they are told. */
struct ps_told {
	int n, raised;
	int64_t last; /* the message of the last one */
};

static inline void ps_told_fn(void *ctx, const struct alert *a, bool raised)
{
	struct ps_told *t = ctx;
	int64_t id;
	if (sscanf(a->object, "message:%" SCNd64, &id) != 1)
		return; /* the group's duty: not what this case is about */
	assert_true(id >= t->last);
	t->last = id;
	t->n++;
	t->raised += raised;
	assert_string_equal(a->supervisor, GS_TOWN);
}

/* store_ingest_fill_fn: flagged message i of the inbox's case, in group
 * *ctx, posted a second apart. */
static inline void ps_fill_flagged(void *ctx, size_t i, struct message *m)
{
	memset(m, 0, sizeof(*m));
	m->group_id = *(const int64_t *)ctx;
	snprintf(m->county, sizeof(m->county), "%s", GS_COUNTY);
	snprintf(m->author_name, sizeof(m->author_name), "微信用户%zu", i);
	snprintf(m->kind, sizeof(m->kind), "text");
	snprintf(m->body, sizeof(m->body), "第%zu次反映：村干部不作为，家里着火了", i);
	m->at = GS_NOW + (int64_t)i;
	m->patrol = (struct message_patrol){ .judged = true, .flagged = true };
}

static inline void ps_case_sweep_many_steps(struct store *s)
{
	enum { N = 4100 }; /* two steps of patrol.c's 2,000 and a part */
	assert_int_equal(gs_load_demo(s), 0);
	gs_sync(s, GS_VILLAGE, 1, 0);
	struct group g = gs_standing(s, GS_VILLAGE, "village");
	struct app_error e;
	/* stored in one transaction, as a bridge's ingest stores them */
	char(*keyv)[16] = calloc(N, sizeof(*keyv));
	const char **keys = calloc(N, sizeof(*keys));
	assert_non_null(keyv);
	assert_non_null(keys);
	for (int i = 0; i < N; i++) {
		snprintf(keyv[i], sizeof(keyv[i]), "k%d", i);
		keys[i] = keyv[i];
	}
	struct ingest_counts c = { 0 };
	if (store_messages_ingest(s, keys, N, ps_fill_flagged, &g.id, ps_json_message, &c, &e) !=
	    APP_OK)
		fail_msg("ingest: %s", e.msg);
	assert_int_equal(c.stored, N);
	free(keys);
	free(keyv);
	const struct patrol_rules *r = patrol_builtin();
	assert_non_null(r);
	struct ps_told t = { 0 };
	struct patrol_counts n;
	assert_int_equal(patrol_sweep(s, r, GS_NOW + N, ps_told_fn, &t, &n, &e), APP_OK);
	assert_int_equal(n.messages, N);
	assert_int_equal(n.found[PATROL_EMERGENCY], N);
	assert_int_equal(n.found[PATROL_CADRE_COMPLAINT], N);
	assert_int_equal(t.n, 2 * N);
	assert_int_equal(t.raised, 2 * N);

	memset(&t, 0, sizeof(t));
	assert_int_equal(patrol_sweep(s, r, GS_NOW + N + 60, ps_told_fn, &t, &n, &e), APP_OK);
	assert_int_equal(n.messages, 0);
	assert_int_equal(t.n, 0);
}


/* The alerts of a sweep about messages, as told: kept whole. */
struct ps_found {
	int n;
	struct alert a[8];
};

static inline void ps_found_fn(void *ctx, const struct alert *a, bool raised)
{
	struct ps_found *f = ctx;
	assert_true(raised);
	if (strncmp(a->object, "message:", 8) == 0 && f->n < 8)
		f->a[f->n++] = *a;
}

/* Post a message of group g not judged as posted (as a bridge of an older
 * version, or a message from before migration 0020, is left): all the
 * sweep knows of it is the inbox's copy. Its id. */
static inline int64_t ps_post_unjudged(struct store *s, const struct group *g,
				       int64_t author_id, const char *author_name,
				       int64_t reply_to, int64_t at, const char *body)
{
	static struct message m; /* 8 KiB: not on the stack */
	memset(&m, 0, sizeof(m));
	m.group_id = g->id;
	snprintf(m.county, sizeof(m.county), "%s", GS_COUNTY);
	m.author_id = author_id;
	snprintf(m.author_name, sizeof(m.author_name), "%s", author_name);
	snprintf(m.kind, sizeof(m.kind), "text");
	m.reply_to = reply_to;
	m.at = at;
	snprintf(m.body, sizeof(m.body), "%s", body);
	m.patrol.judged = false;
	struct app_error e;
	if (store_message_post(s, &m, ps_json_message, &e) != APP_OK)
		fail_msg("post: %s", e.msg);
	return m.id;
}

static inline void ps_expect_found(const struct alert *a, const char *kind, int64_t message,
				   const struct group *g, const char *summary)
{
	char object[32];
	snprintf(object, sizeof(object), "message:%" PRId64, message);
	assert_string_equal(a->kind, kind);
	assert_string_equal(a->object, object);
	assert_int_equal(a->group_id, g->id);
	assert_string_equal(a->region, g->region);
	assert_string_equal(a->supervisor, GS_TOWN);
	assert_string_equal(a->summary, summary);
}

/* Messages not judged as posted are judged whole by the sweep from the
 * inbox's copies alone: two questions of someone outside bianmin (author
 * 0, not a member) are watched from the time they were posted, a cadre's
 * reply (author and reply_to of the copy) takes the first off the watch,
 * a complaint of the same author is raised with the copy's name and text.
 * The second question is found unanswered exactly when its window ends. */
static inline void ps_case_sweep_unjudged(struct store *s)
{
	assert_int_equal(gs_load_demo(s), 0);
	gs_sync(s, GS_VILLAGE, 1, 0);
	struct group g = gs_standing(s, GS_VILLAGE, "village");
	int64_t cadre = gs_user(s, "张支书", "13900000001", "");
	struct app_error e;
	assert_int_equal(gs_put(s, g.id, cadre, "admin", "", "active", GS_NOW, &e), APP_OK);

	const int64_t t = GS_NOW; /* 15:06 in China: within the duty hours */
	int64_t q1 = ps_post_unjudged(s, &g, 0, "微信用户", 0, t, "请问路灯什么时候修？");
	int64_t c = ps_post_unjudged(s, &g, 0, "微信用户", 0, t + 1, "村干部不作为");
	int64_t q2 = ps_post_unjudged(s, &g, 0, "微信用户", 0, t + 2, "请问水管什么时候通？");
	ps_post_unjudged(s, &g, cadre, "张支书", q1, t + 60, "明天就修");

	const struct patrol_rules *r = patrol_builtin();
	struct ps_found f = { 0 };
	struct patrol_counts n;
	assert_int_equal(patrol_sweep(s, r, t + 61, ps_found_fn, &f, &n, &e), APP_OK);
	assert_int_equal(n.messages, 4);
	assert_int_equal(f.n, 1);
	ps_expect_found(&f.a[0], "cadre_complaint", c, &g, "微信用户投诉干部（不作为）：村干部不作为");

	int64_t due = patrol_ack_due(g.duty_start, g.duty_end, t + 2, PATROL_ACK_SECONDS);
	assert_int_equal(due, t + 2 + PATROL_ACK_SECONDS);
	memset(&f, 0, sizeof(f));
	assert_int_equal(patrol_sweep(s, r, due - 1, ps_found_fn, &f, &n, &e), APP_OK);
	assert_int_equal(n.messages, 0);
	assert_int_equal(f.n, 0);
	assert_int_equal(patrol_sweep(s, r, due, ps_found_fn, &f, &n, &e), APP_OK);
	assert_int_equal(f.n, 1);
	char summary[256];
	snprintf(summary, sizeof(summary), "微信用户 15:06 在%s的提问3分钟内无干部回复：请问水管什么时候通？",
		 g.name);
	ps_expect_found(&f.a[0], "unanswered", q2, &g, summary);
	/* the answered one stays answered */
	memset(&f, 0, sizeof(f));
	assert_int_equal(patrol_sweep(s, r, t + 86400, ps_found_fn, &f, &n, &e), APP_OK);
	assert_int_equal(f.n, 0);
}

/* The no_duty findings of a sweep, by group. */
struct ps_duty {
	int n;
	int64_t groups[8];
};

static inline void ps_duty_fn(void *ctx, const struct alert *a, bool raised)
{
	struct ps_duty *d = ctx;
	assert_true(raised);
	if (strcmp(a->kind, "no_duty") == 0 && d->n < 8)
		d->groups[d->n++] = a->group_id;
}

/* A sweep at `at`: it finds nobody on duty in the n groups of ids, in any
 * order, and in no other. */
static inline void ps_sweep_no_duty(struct store *s, int64_t at, const int64_t *ids, int n)
{
	struct ps_duty d = { 0 };
	struct patrol_counts counts;
	struct app_error e;
	assert_int_equal(patrol_sweep(s, patrol_builtin(), at, ps_duty_fn, &d, &counts, &e),
			 APP_OK);
	assert_int_equal(d.n, n);
	for (int i = 0; i < n; i++) {
		int found = 0;
		for (int j = 0; j < d.n; j++)
			found += d.groups[j] == ids[i];
		assert_int_equal(found, 1);
	}
}

/* The groups store_patrol_groups lists, by id: whether each has duty set. */
struct ps_duty_set {
	int n;
	int64_t ids[8];
	bool set[8];
};

static inline bool ps_duty_set_fn(void *ctx, const struct patrol_group *pg)
{
	struct ps_duty_set *l = ctx;
	assert_true(l->n < 8);
	l->ids[l->n] = pg->g.id;
	l->set[l->n++] = pg->duty_set;
	return true;
}

/* Whether store_patrol_groups lists group id with duty set. */
static inline bool ps_duty_set(struct store *s, int64_t id)
{
	struct ps_duty_set l = { 0 };
	struct app_error e;
	assert_int_equal(store_patrol_groups(s, 0, 8, ps_duty_set_fn, &l, &e), APP_OK);
	for (int i = 0; i < l.n; i++)
		if (l.ids[i] == id)
			return l.set[i];
	fail_msg("group %lld is not listed", (long long)id);
	return false;
}

/* Groups with nobody on duty once their duty hours began. Four villages'
 * groups, each with an admin but one: the first's rota names its admin
 * every day; the other village's has no duty set at all (found without
 * reading a rota); the second's only setting is an override naming its
 * admin today (20251129); the third's only a leave of its admin today.
 * Each of the first, second and third is listed with duty set, the other
 * village's without. Today nobody is on duty in the other's and the
 * third's (a leave names nobody on duty). The next day, once the first's
 * admin has left (a rota naming nobody who may be on duty), in all four. */
static inline void ps_case_sweep_duty(struct store *s)
{
	assert_int_equal(gs_load_demo(s), 0);
	gs_sync(s, GS_VILLAGE, 1, 0);
	gs_sync(s, GS_OTHER_VILLAGE, 1, 0);
	gs_sync(s, "990101103201", 1, 0);
	gs_sync(s, "990101103202", 1, 0);
	struct group g = gs_standing(s, GS_VILLAGE, "village");
	struct group other = gs_standing(s, GS_OTHER_VILLAGE, "village");
	struct group over = gs_standing(s, "990101103201", "village");
	struct group leave = gs_standing(s, "990101103202", "village");
	int64_t cadre = gs_user(s, "张支书", "13900000001", "");
	int64_t cadre2 = gs_user(s, "王主任", "13900000002", "");
	int64_t cadre3 = gs_user(s, "李会计", "13900000003", "");
	struct app_error e;
	assert_int_equal(gs_put(s, g.id, cadre, "admin", "", "active", GS_NOW, &e), APP_OK);
	assert_int_equal(gs_put(s, over.id, cadre2, "admin", "", "active", GS_NOW, &e), APP_OK);
	assert_int_equal(gs_put(s, leave.id, cadre3, "admin", "", "active", GS_NOW, &e), APP_OK);
	const int64_t every_day[7] = { cadre, cadre, cadre, cadre, cadre, cadre, cadre };
	struct audit_note note = gs_note("group:rota", "groups.rota");
	assert_int_equal(store_duty_rota_set(s, g.id, every_day, &note, &e), APP_OK);
	struct duty_override o = { .day = 20251129, .user_id = cadre2 };
	note = gs_note("group:override", "duty.override");
	assert_int_equal(store_duty_override_set(s, over.id, &o, &note, &e), APP_OK);
	struct duty_leave l = { .user_id = cadre3, .first_day = 20251129, .last_day = 20251129 };
	note = gs_note("group:leave", "duty.leave");
	int64_t leave_id = 0;
	assert_int_equal(store_duty_leave_add(s, leave.id, &l, &note, &leave_id, &e), APP_OK);

	assert_true(ps_duty_set(s, g.id));
	assert_false(ps_duty_set(s, other.id));
	assert_true(ps_duty_set(s, over.id));
	assert_true(ps_duty_set(s, leave.id));

	/* GS_NOW is 15:06 of 20251129 in China, within every group's duty hours */
	ps_sweep_no_duty(s, GS_NOW, (int64_t[]){ other.id, leave.id }, 2);
	assert_int_equal(gs_put(s, g.id, cadre, "admin", "", "left", GS_NOW + 60, &e), APP_OK);
	ps_sweep_no_duty(s, GS_NOW + 86400, (int64_t[]){ g.id, other.id, over.id, leave.id }, 4);
}

/* The database of the version before migration 0025 (patrol_inbox_rows)
 * of ps_after_0025: a county group with an admin and a resident, three
 * messages waiting in the inbox: a resident's complaint and an admin's
 * emergency with a complaint word (both judged as posted), and a bridged
 * question posted before messages were judged; and a row of the inbox
 * whose message is gone (0025 drops it). The same rows for both backends;
 * a message's other columns are given as cols (", name...") and each
 * message's values of them as vals (", value..."): PostgreSQL's terms. */
#define PS_BEFORE_0025(cols, vals)                                                              \
	GS_MESSAGES_FIXTURE(cols)                                                               \
	"(7, 5, '990101', 2, '李大姐', 'text', '村干部不作为', NULL, '', '', NULL, "             \
	"'visible', '', 'app', 1000" vals "),"                                                   \
	"(8, 5, '990101', 1, '王书记', 'text', '村东着火了，别说我们不作为', 7, '', '', NULL, "  \
	"'visible', '', 'app', 1010" vals "),"                                                   \
	"(9, 5, '990101', NULL, '微信用户', 'text', '请问路灯什么时候修？', NULL, '', '', "      \
	"NULL, 'visible', '', 'bridge', 1020" vals ");"                                          \
	"INSERT INTO patrol_inbox VALUES (7, true), (8, true), (9, false), (10, false);"

/* The alerts a sweep tells of: their summaries, one a line. */
static inline void ps_told_summary(void *ctx, const struct alert *a, bool raised)
{
	(void)raised;
	if (strncmp(a->object, "message:", 8) == 0)
		strbuf_addf(ctx, "%s %s %s\n", a->kind, a->object, a->summary);
}

/* After migration 0025 on PS_BEFORE_0025, s's sweep finds what it found
 * before: the complaint (its author's name and text), the emergency and no
 * complaint of the admin (whose role the sweep looks up), the question
 * judged and watched, then found unanswered; the row without a message is
 * gone. */
static inline void ps_after_0025(struct store *s)
{
	struct app_error e;
	assert_int_equal(store_migrate(s, NULL, &e), APP_OK);
	struct strbuf told = STRBUF_INIT;
	struct patrol_counts n;
	assert_int_equal(patrol_sweep(s, patrol_builtin(), 1030, ps_told_summary, &told, &n, &e),
			 APP_OK);
	assert_int_equal(n.messages, 3);
	assert_string_equal(told.buf,
			    "cadre_complaint message:7 李大姐投诉干部（不作为）：村干部不作为\n"
			    "emergency message:8 王书记在群内报告紧急情况（着火）："
			    "村东着火了，别说我们不作为\n");
	/* the question, watched since, is found unanswered once due */
	strbuf_reset(&told);
	assert_int_equal(patrol_sweep(s, patrol_builtin(), 1020 + 3600, ps_told_summary, &told, &n,
				      &e),
			 APP_OK);
	assert_int_equal(n.messages, 0);
	assert_string_equal(told.buf, "unanswered message:9 微信用户 08:17 在县群的提问3分钟内无"
				      "干部回复：请问路灯什么时候修？\n");
	strbuf_release(&told);
}

#endif
