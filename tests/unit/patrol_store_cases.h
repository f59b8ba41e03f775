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
 * copies alone (their author, reply and time). Also the rows and the
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

#define PATROL_STORE_CASES(X) X(raise_once_with_events) X(sweep_many_steps) X(sweep_unjudged)

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

/* The database of the version before migration 0025 (patrol_inbox_rows)
 * of ps_after_0025: a county group with an admin and a resident, three
 * messages waiting in the inbox: a resident's complaint and an admin's
 * emergency with a complaint word (both judged as posted), and a bridged
 * question posted before messages were judged; and a row of the inbox
 * whose message is gone (0025 drops it). The same rows for both backends;
 * a message's other columns are given as cols (", name...") and each
 * message's values of them as vals (", value..."): PostgreSQL's terms. */
#define PS_BEFORE_0025(cols, vals)                                                              \
	"INSERT INTO regions VALUES ('99', NULL, 0, '演示', 't'), "                              \
	"('9901', '99', 1, '市', 't'), ('990101', '9901', 2, '县', 't');"                        \
	"INSERT INTO groups (id, kind, region_code, name, join_code, created_at) "               \
	"VALUES (5, 'county', '990101', '县群', 'j5', 1);"                                       \
	"INSERT INTO users (id, name, phone, region_code, created_at) VALUES "                   \
	"(1, '王书记', '13900000001', '990101', 1), (2, '李大姐', '13900000002', '990101', 1);"  \
	"INSERT INTO group_members (group_id, user_id, role, function, state, joined_at) "       \
	"VALUES (5, 1, 'admin', '', 'active', 1), (5, 2, 'resident', '', 'active', 1);"          \
	"INSERT INTO messages (id, group_id, county, author_id, author_name, kind, body, "       \
	"reply_to, mentions, attachment, broadcast_id, state, state_reason, source, at" cols     \
	") VALUES (7, 5, '990101', 2, '李大姐', 'text', '村干部不作为', NULL, '', '', NULL, "    \
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
