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

#define PATROL_STORE_CASES(X) X(raise_once_with_events) X(sweep_many_steps)

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

struct ps_events {
	int n;
	int64_t ids[8];
	char data[8][1024];
};

static inline bool ps_event_fn(void *ctx, const struct event_record *e)
{
	struct ps_events *l = ctx;
	assert_string_equal(e->kind, "alert.raised");
	assert_string_equal(e->county, "990101");
	if (l->n < 8) {
		l->ids[l->n] = e->id;
		snprintf(l->data[l->n], sizeof(l->data[0]), "%.1023s", e->data);
	}
	l->n++;
	return true;
}

static inline void ps_events_of(struct store *s, const char *topic, struct ps_events *l)
{
	struct app_error e;
	memset(l, 0, sizeof(*l));
	assert_int_equal(store_events_after(s, topic, 0, 100, ps_event_fn, l, &e), APP_OK);
}

/* The event data ps_json writes for a. */
static inline void ps_expect_data(const struct alert *a, const char *data)
{
	struct strbuf sb = STRBUF_INIT;
	ps_json(a, &sb);
	assert_string_equal(data, sb.buf);
	strbuf_release(&sb);
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

#endif
