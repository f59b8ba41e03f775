/*
 * messages_store_cases.h - the bodies of the message store tests, run on
 * each backend through store.h only: test_messages_store.c runs them on
 * SQLite, test_messages_store_pg.c on PostgreSQL, so both backends are held
 * to the same errors, messages, counts, orders and search results. Each
 * body gets a migrated store holding the demo county (990101) and nothing
 * else; the set-up helpers (demo, sync, users, members, audit) are
 * groups_store_cases.h's. Header-only; include it after <cmocka.h>.
 *
 * What is covered: posting (id, time, stored fields, the "message" event on
 * the group's topic and a "mention" per person mentioned, refusals that
 * store nothing), reads, paging after/before in both orders, state changes
 * with their audit entry and "message.changed" event; search of Chinese
 * text (two-character words, longer phrases, one character, Chinese with
 * ASCII, across punctuation), its scope (regions, a member's groups, one
 * group) and its errors; ingest with idempotency keys (seen before, twice
 * in one batch, all or nothing); the queue of bulk ingest (a call taken
 * with its keys in the same space as ingest's and its new keys' items kept
 * byte for byte as one pending call, read oldest first, counted, loaded
 * once into messages or not at all, set aside); broadcasts from a town to
 * its villages with their deliveries and audit entry; images. And the
 * bodies of the migration tests of 0028 and 0029, run by each backend's
 * file on a database it wrote at the version before.
 */
#ifndef TESTS_UNIT_MESSAGES_STORE_CASES_H
#define TESTS_UNIT_MESSAGES_STORE_CASES_H

/* The set-up helpers of the group tests; their case bodies are not run
 * here, so their unused static functions are no warning. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "groups_store_cases.h"
#pragma GCC diagnostic pop

#include "core/clock.h"
#include "core/strbuf.h"
#include "store/store.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MESSAGES_STORE_CASES(X)                                                                \
	X(post_get)                                                                            \
	X(post_refused)                                                                        \
	X(post_async)                                                                          \
	X(list_paging)                                                                         \
	X(set_state)                                                                           \
	X(search_words)                                                                        \
	X(search_scope)                                                                        \
	X(search_rebuild)                                                                      \
	X(ingest)                                                                              \
	X(ingest_all_or_nothing)                                                               \
	X(ingest_queue)                                                                        \
	X(ingest_pending)                                                                      \
	X(ingest_load)                                                                         \
	X(ingest_fail)                                                                         \
	X(broadcast)                                                                           \
	X(attachments)

/* The events' data: what a store_message_json_fn writes, checked as is. */
static void ms_json(const struct message *m, struct strbuf *out)
{
	strbuf_addf(out,
		    "{\"id\":%" PRId64 ",\"group\":%" PRId64 ",\"kind\":\"%s\",\"state\":\"%s\","
		    "\"broadcast\":%" PRId64 "}",
		    m->id, m->group_id, m->kind, m->state, m->broadcast_id);
}

static const char *ms_json_of(const struct message *m)
{
	static char out[256];
	struct strbuf sb = STRBUF_INIT;
	ms_json(m, &sb);
	snprintf(out, sizeof(out), "%s", sb.buf);
	strbuf_release(&sb);
	return out;
}

/* A text message of author in group (the demo county's). Static (one per
 * thread): fill, then copy or post before the next call. */
static struct message *ms_msg(int64_t group_id, int64_t author_id, const char *body)
{
	static _Thread_local struct message m;
	memset(&m, 0, sizeof(m));
	m.group_id = group_id;
	snprintf(m.county, sizeof(m.county), "%s", GS_COUNTY);
	m.author_id = author_id;
	snprintf(m.author_name, sizeof(m.author_name), "%s", author_id ? "张三" : "微信用户");
	snprintf(m.kind, sizeof(m.kind), "text");
	snprintf(m.body, sizeof(m.body), "%s", body);
	return &m;
}

static int64_t ms_post(struct store *s, int64_t group_id, int64_t author_id, const char *body)
{
	struct message *m = ms_msg(group_id, author_id, body);
	struct app_error e;
	if (store_message_post(s, m, ms_json, &e) != APP_OK)
		fail_msg("post '%s': %s", body, e.msg);
	assert_true(m->id > 0);
	return m->id;
}

static struct message *ms_get(struct store *s, int64_t id)
{
	static struct message m;
	struct app_error e;
	if (store_message_get(s, id, &m, &e) != APP_OK)
		fail_msg("message %" PRId64 ": %s", id, e.msg);
	return &m;
}

/* ---- collected results ---- */

struct ms_events {
	int n;
	char kind[64][EVENT_KIND_MAX];
	char data[64][256];
};

static bool ms_event_fn(void *ctx, const struct event_record *r)
{
	struct ms_events *l = ctx;
	if (l->n < 64) {
		snprintf(l->kind[l->n], sizeof(l->kind[0]), "%s", r->kind);
		snprintf(l->data[l->n], sizeof(l->data[0]), "%.255s", r->data);
	}
	l->n++;
	return true;
}

/* The events of topic "<what>:<id>", oldest first. Static: one at a time. */
static struct ms_events *ms_events_of(struct store *s, const char *what, int64_t id)
{
	static struct ms_events l;
	memset(&l, 0, sizeof(l));
	char topic[EVENT_TOPIC_MAX];
	snprintf(topic, sizeof(topic), "%s:%" PRId64, what, id);
	struct app_error e;
	if (store_events_after(s, topic, 0, 100, ms_event_fn, &l, &e) != APP_OK)
		fail_msg("events of %s: %s", topic, e.msg);
	return &l;
}

struct ms_ids {
	int n, stop_after; /* stop_after: return false after that many (0: never) */
	int64_t id[64];
};

static bool ms_id_fn(void *ctx, const struct message *m)
{
	struct ms_ids *l = ctx;
	if (l->n < 64)
		l->id[l->n] = m->id;
	l->n++;
	return !l->stop_after || l->n < l->stop_after;
}

static struct ms_ids ms_list(struct store *s, int64_t group_id, int64_t after, int64_t before,
			     int limit)
{
	struct ms_ids l = { 0 };
	struct app_error e;
	if (store_messages_list(s, group_id, after, before, limit, ms_id_fn, &l, &e) != APP_OK)
		fail_msg("list: %s", e.msg);
	return l;
}

/* ids as the indexes they have in posted[0..n) (1-based), "4,2,1": the
 * order the store gave them. */
static const char *ms_tags(const struct ms_ids *l, const int64_t *posted, int n)
{
	static char out[512];
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; i < l->n && i < 64; i++) {
		int tag = 0;
		for (int k = 1; k < n && !tag; k++)
			if (posted[k] == l->id[i])
				tag = k;
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%d", len ? "," : "", tag);
	}
	return out;
}

static enum app_err ms_search_rc(struct store *s, const char *q, const struct message_scope *sc,
				 int64_t group_id, int limit, struct ms_ids *l,
				 struct app_error *e)
{
	memset(l, 0, sizeof(*l));
	return store_messages_search(s, q, sc, group_id, limit, ms_id_fn, l, e);
}

/* What q finds in scope sc (group_id 0: any), as ms_tags. */
static const char *ms_search(struct store *s, const char *q, const struct message_scope *sc,
			     int64_t group_id, const int64_t *posted, int n)
{
	struct ms_ids l;
	struct app_error e;
	if (ms_search_rc(s, q, sc, group_id, 50, &l, &e) != APP_OK)
		fail_msg("search '%s': %s", q, e.msg);
	return ms_tags(&l, posted, n);
}

static struct message_scope ms_regions(const char *a, const char *b)
{
	struct message_scope sc = { .nregions = b ? 2 : 1, .regions = { a, b } };
	return sc;
}

static struct audit_note ms_note(char *object, size_t cap, const char *kind, int64_t id,
				 const char *action)
{
	snprintf(object, cap, "%s:%" PRId64, kind, id);
	return gs_note(object, action);
}

/* ---- posting and reading ---- */

static void ms_case_post_get(struct store *s)
{
	gs_sync(s, GS_TOWN, 26, 0);
	struct group v = gs_standing(s, GS_VILLAGE, "village");
	int64_t u = gs_user(s, "张三", "13900000001", "");
	int64_t u2 = gs_user(s, "李四", "13900000002", "");
	int64_t u3 = gs_user(s, "王五", "13900000003", "");

	int64_t t0 = clock_now();
	struct message *m = ms_msg(v.id, u, "明天上午停水，请大家提前储水 @李四 @王五");
	m->nmentions = 2;
	m->mentions[0] = u2;
	m->mentions[1] = u3;
	struct message posted;
	struct app_error e;
	assert_int_equal(store_message_post(s, m, ms_json, &e), APP_OK);
	posted = *m;
	assert_true(posted.id > 0);
	assert_true(posted.at >= t0 && posted.at <= clock_now());
	assert_string_equal(posted.state, "visible");
	assert_string_equal(posted.source, "app");

	struct message *g = ms_get(s, posted.id);
	assert_int_equal(g->id, posted.id);
	assert_int_equal(g->group_id, v.id);
	assert_string_equal(g->county, GS_COUNTY);
	assert_int_equal(g->author_id, u);
	assert_string_equal(g->author_name, "张三");
	assert_string_equal(g->kind, "text");
	assert_string_equal(g->body, "明天上午停水，请大家提前储水 @李四 @王五");
	assert_int_equal(g->reply_to, 0);
	assert_int_equal(g->nmentions, 2);
	assert_int_equal(g->mentions[0], u2);
	assert_int_equal(g->mentions[1], u3);
	assert_string_equal(g->attachment, "");
	assert_int_equal(g->broadcast_id, 0);
	assert_string_equal(g->state, "visible");
	assert_string_equal(g->state_reason, "");
	assert_string_equal(g->source, "app");
	assert_int_equal(g->at, posted.at);

	/* the group hears of it; each person mentioned too, with the same data */
	struct ms_events *ev = ms_events_of(s, "group", v.id);
	assert_int_equal(ev->n, 1);
	assert_string_equal(ev->kind[0], "message");
	assert_string_equal(ev->data[0], ms_json_of(&posted));
	ev = ms_events_of(s, "user", u2);
	assert_int_equal(ev->n, 1);
	assert_string_equal(ev->kind[0], "mention");
	assert_string_equal(ev->data[0], ms_json_of(&posted));
	assert_int_equal(ms_events_of(s, "user", u3)->n, 1);
	assert_int_equal(ms_events_of(s, "user", u)->n, 0); /* the author is not mentioned */

	/* a bridged message: nobody of bianmin wrote it; a reply with an image */
	m = ms_msg(v.id, 0, "收到");
	snprintf(m->source, sizeof(m->source), "bridge");
	snprintf(m->kind, sizeof(m->kind), "image");
	m->reply_to = posted.id;
	memset(m->attachment, 'a', ATTACHMENT_SHA_LEN);
	assert_int_equal(store_message_post(s, m, ms_json, &e), APP_OK);
	assert_true(m->id > posted.id);
	g = ms_get(s, m->id);
	assert_int_equal(g->author_id, 0);
	assert_string_equal(g->author_name, "微信用户");
	assert_string_equal(g->source, "bridge");
	assert_string_equal(g->kind, "image");
	assert_int_equal(g->reply_to, posted.id);
	assert_int_equal(g->nmentions, 0);
	assert_int_equal(strlen(g->attachment), ATTACHMENT_SHA_LEN);
	assert_int_equal(ms_events_of(s, "group", v.id)->n, 2);

	struct message out;
	assert_int_equal(store_message_get(s, 999999, &out, &e), APP_ENOTFOUND);
	assert_string_equal(e.msg, "no such message");
}

static void ms_case_post_refused(struct store *s)
{
	gs_sync(s, GS_TOWN, 26, 0);
	struct group v = gs_standing(s, GS_VILLAGE, "village");
	int64_t u = gs_user(s, "张三", "13900000001", "");
	struct app_error e;
	/* a group or an author that does not exist, a kind or source the
	 * schema refuses: nothing stored, nothing announced */
	struct message *m = ms_msg(999999, u, "没有这个群");
	assert_int_equal(store_message_post(s, m, ms_json, &e), APP_EINVAL);
	assert_string_equal(e.msg, "storing a message: it refers to a region, household or user "
				   "that does not exist");
	m = ms_msg(v.id, 999999, "没有这个人");
	assert_int_equal(store_message_post(s, m, ms_json, &e), APP_EINVAL);
	assert_contains(e.msg, "does not exist");
	m = ms_msg(v.id, u, "一段视频");
	snprintf(m->kind, sizeof(m->kind), "video");
	assert_int_equal(store_message_post(s, m, ms_json, &e), APP_EINVAL);
	assert_string_equal(e.msg, "storing a message: a value is out of range");
	m = ms_msg(v.id, u, "来自邮件");
	snprintf(m->source, sizeof(m->source), "mail");
	assert_int_equal(store_message_post(s, m, ms_json, &e), APP_EINVAL);
	assert_string_equal(e.msg, "storing a message: a value is out of range");
	assert_int_equal(ms_list(s, v.id, 0, 0, 10).n, 0);
	assert_int_equal(ms_events_of(s, "group", v.id)->n, 0);
	assert_int_equal(ms_events_of(s, "group", 999999)->n, 0);
	/* and the next one is stored as usual */
	assert_true(ms_post(s, v.id, u, "好的") > 0);
	assert_int_equal(ms_list(s, v.id, 0, 0, 10).n, 1);
	assert_int_equal(ms_events_of(s, "group", v.id)->n, 1);
}

/* What store_message_post_async told, in the order told. */
struct ms_told {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int n;
	int who[8];
	enum app_err rc[8];
	char msg[8][sizeof(((struct app_error *)0)->msg)];
};

struct ms_told_ctx {
	struct ms_told *t;
	int who;
};

static void ms_told_fn(void *ctx, enum app_err rc, const struct app_error *err)
{
	struct ms_told_ctx *c = ctx;
	struct ms_told *t = c->t;
	pthread_mutex_lock(&t->mu);
	if (t->n < 8) {
		t->who[t->n] = c->who;
		t->rc[t->n] = rc;
		snprintf(t->msg[t->n], sizeof(t->msg[0]), "%s", rc == APP_OK ? "" : err->msg);
	}
	t->n++;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

/* store_message_post_async: each post told once, in the order queued, a
 * refused one with its error and nothing of it stored, the others stored
 * under their id. */
static void ms_case_post_async(struct store *s)
{
	gs_sync(s, GS_TOWN, 26, 0);
	int64_t v = gs_standing(s, GS_VILLAGE, "village").id;
	int64_t u = gs_user(s, "张三", "13900000001", "");
	struct ms_told t = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };
	struct message m[3];
	struct ms_told_ctx c[3];
	const char *body[3] = { "第一条", "一段视频", "第三条" };
	for (int i = 0; i < 3; i++) {
		m[i] = *ms_msg(v, u, body[i]);
		c[i] = (struct ms_told_ctx){ &t, i };
	}
	snprintf(m[1].kind, sizeof(m[1].kind), "video"); /* refused by the schema */
	for (int i = 0; i < 3; i++)
		store_message_post_async(s, &m[i], ms_json, ms_told_fn, &c[i]);
	pthread_mutex_lock(&t.mu);
	while (t.n < 3)
		pthread_cond_wait(&t.cv, &t.mu);
	pthread_mutex_unlock(&t.mu);
	assert_int_equal(t.n, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(t.who[i], i);
	assert_int_equal(t.rc[0], APP_OK);
	assert_int_equal(t.rc[1], APP_EINVAL);
	assert_string_equal(t.msg[1], "storing a message: a value is out of range");
	assert_int_equal(t.rc[2], APP_OK);
	assert_true(m[0].id > 0 && m[2].id > m[0].id);
	struct ms_ids l = ms_list(s, v, 0, 0, 10);
	assert_int_equal(l.n, 2);
	int64_t posted[3] = { 0, m[0].id, m[2].id };
	assert_string_equal(ms_tags(&l, posted, 3), "1,2");
	assert_string_equal(ms_get(s, m[2].id)->body, "第三条");
	assert_int_equal(ms_events_of(s, "group", v)->n, 2);
}

static void ms_case_list_paging(struct store *s)
{
	gs_sync(s, GS_TOWN, 26, 0);
	int64_t v = gs_standing(s, GS_VILLAGE, "village").id;
	int64_t t = gs_standing(s, GS_TOWN, "town").id;
	int64_t u = gs_user(s, "张三", "13900000001", "");
	int64_t id[8] = { 0 }; /* id[1..7]: the village's, in posting order */
	for (int i = 1; i <= 7; i++) {
		char body[32];
		snprintf(body, sizeof(body), "第%d条", i);
		id[i] = ms_post(s, v, u, body);
		if (i % 3 == 0)
			ms_post(s, t, u, "镇里的消息"); /* another group's, in between */
	}
	for (int i = 2; i <= 7; i++)
		assert_true(id[i] > id[i - 1]);

	/* catching up: oldest first, in pages */
	struct ms_ids l = ms_list(s, v, 0, 0, 3);
	assert_string_equal(ms_tags(&l, id, 8), "1,2,3");
	l = ms_list(s, v, id[3], 0, 3);
	assert_string_equal(ms_tags(&l, id, 8), "4,5,6");
	l = ms_list(s, v, id[6], 0, 3);
	assert_string_equal(ms_tags(&l, id, 8), "7");
	assert_int_equal(ms_list(s, v, id[7], 0, 3).n, 0);
	assert_string_equal(ms_get(s, id[4])->body, "第4条");

	/* scrolling back: newest first; before 0 is no bound */
	l = ms_list(s, v, -1, 0, 3);
	assert_string_equal(ms_tags(&l, id, 8), "7,6,5");
	l = ms_list(s, v, -1, id[5], 3);
	assert_string_equal(ms_tags(&l, id, 8), "4,3,2");
	l = ms_list(s, v, -1, id[2], 3);
	assert_string_equal(ms_tags(&l, id, 8), "1");
	assert_int_equal(ms_list(s, v, -1, id[1], 3).n, 0);
	l = ms_list(s, v, -1, 0, 100);
	assert_string_equal(ms_tags(&l, id, 8), "7,6,5,4,3,2,1");

	/* the other group has its own two; a callback may stop early */
	assert_int_equal(ms_list(s, t, 0, 0, 100).n, 2);
	assert_int_equal(ms_list(s, 999999, 0, 0, 100).n, 0);
	struct ms_ids stop = { .stop_after = 2 };
	struct app_error e;
	assert_int_equal(store_messages_list(s, v, 0, 0, 100, ms_id_fn, &stop, &e), APP_OK);
	assert_int_equal(stop.n, 2);
}

static void ms_case_set_state(struct store *s)
{
	gs_sync(s, GS_TOWN, 26, 0);
	int64_t v = gs_standing(s, GS_VILLAGE, "village").id;
	int64_t u = gs_user(s, "张三", "13900000001", "");
	int64_t id = ms_post(s, v, u, "卖保健品，加微信");
	struct message m = *ms_get(s, id);
	char object[48];
	struct app_error e;

	/* recalled by its author */
	snprintf(m.state, sizeof(m.state), "recalled");
	struct audit_note note = ms_note(object, sizeof(object), "message", id, "message.recall");
	assert_int_equal(store_message_set_state(s, &m, &note, ms_json, &e), APP_OK);
	assert_string_equal(ms_get(s, id)->state, "recalled");
	struct ms_events *ev = ms_events_of(s, "group", v);
	assert_int_equal(ev->n, 2);
	assert_string_equal(ev->kind[0], "message");
	assert_string_equal(ev->kind[1], "message.changed");
	assert_string_equal(ev->data[1], ms_json_of(&m));
	assert_contains(ev->data[1], "\"state\":\"recalled\"");

	/* hidden by an admin, with the reason; then shown again */
	snprintf(m.state, sizeof(m.state), "hidden");
	snprintf(m.state_reason, sizeof(m.state_reason), "广告");
	note = ms_note(object, sizeof(object), "message", id, "message.hide");
	assert_int_equal(store_message_set_state(s, &m, &note, ms_json, &e), APP_OK);
	struct message *g = ms_get(s, id);
	assert_string_equal(g->state, "hidden");
	assert_string_equal(g->state_reason, "广告");
	assert_string_equal(g->body, "卖保健品，加微信"); /* never deleted */
	snprintf(m.state, sizeof(m.state), "visible");
	m.state_reason[0] = '\0';
	note = ms_note(object, sizeof(object), "message", id, "message.show");
	assert_int_equal(store_message_set_state(s, &m, &note, ms_json, &e), APP_OK);
	assert_string_equal(ms_get(s, id)->state, "visible");
	assert_string_equal(ms_get(s, id)->state_reason, "");

	/* refused: a state the schema does not know, a message that is not
	 * there; neither changes anything nor leaves a trace */
	snprintf(m.state, sizeof(m.state), "deleted");
	note = ms_note(object, sizeof(object), "message", id, "message.delete");
	assert_int_equal(store_message_set_state(s, &m, &note, ms_json, &e), APP_EINVAL);
	assert_string_equal(e.msg, "changing a message: a value is out of range");
	assert_string_equal(ms_get(s, id)->state, "visible");
	struct message ghost = m;
	ghost.id = 999999;
	snprintf(ghost.state, sizeof(ghost.state), "hidden");
	note = ms_note(object, sizeof(object), "message", ghost.id, "message.hide");
	assert_int_equal(store_message_set_state(s, &ghost, &note, ms_json, &e), APP_ENOTFOUND);
	assert_string_equal(e.msg, "no such message");
	assert_string_equal(gs_audit_of(s, "message:999999"), "");

	snprintf(object, sizeof(object), "message:%" PRId64, id);
	assert_string_equal(gs_audit_of(s, object), "message.recall message.hide message.show");
	ev = ms_events_of(s, "group", v);
	assert_int_equal(ev->n, 4);
	assert_string_equal(ev->kind[3], "message.changed");
	assert_int_equal(ms_events_of(s, "user", u)->n, 0); /* changes mention nobody */
}

/* ---- search ---- */

/* Posted in this order into one village group; the search tests name them
 * by index, newest first. */
static const char *const ms_docs[] = {
	NULL,
	"我们村停水三天了，什么时候恢复？",          /* 1 */
	"三天前停水了",                              /* 2 */
	"小区的WiFi坏了",                            /* 3 */
	"停水，三天没人管",                          /* 4 */
	"自来水费太贵",                              /* 5 */
	"水",                                        /* 6 */
	"ＷＩＦＩ密码是多少",                        /* 7 */
	"A3区联丰路",                                /* 8 */
	"联丰区A3",                                  /* 9 */
	"明天8点到12点检修线路，全村停电",           /* 10 */
	"请各户注意防火，秋收季节禁止焚烧秸秆",     /* 11 */
	"低保申请需要带户口本和身份证",              /* 12 */
};
#define MS_NDOCS ((int)(sizeof(ms_docs) / sizeof(ms_docs[0])))

/* Search text and what it finds among ms_docs, newest first: shared with
 * the PostgreSQL test that compares both backends. */
static const struct {
	const char *q, *want;
} ms_queries[] = {
	/* two-character words */
	{ "停水", "4,2,1" },
	{ "停电", "10" },
	{ "秸秆", "11" },
	{ "电费", "" },
	/* phrases of three and four characters keep their characters together */
	{ "户口本", "12" },
	{ "身份证", "12" },
	{ "停水三天", "1" },
	{ "检修线路", "10" },
	{ "我们村停水三天了", "1" },
	{ "停水两天", "" },
	/* separate words are AND-ed */
	{ "停水 三天", "4,2,1" },
	{ "秋收 防火", "11" },
	{ "防火 停电", "" },
	/* punctuation separates: no bigram spans it, in text or query */
	{ "水三", "1" },
	{ "停水，三天", "4,2,1" },
	{ "防火，秋收", "11" },
	/* one character: inside a run, at its end, or alone */
	{ "水", "6,5,4,2,1" },
	{ "费", "5" },
	{ "电", "10" },
	{ "户", "12,11" },
	{ "恢", "1" },
	/* Chinese with ASCII; ASCII regardless of case and width, whole words */
	{ "WiFi密码", "7" },
	{ "wifi", "7,3" },
	{ "WIFI", "7,3" },
	{ "wif", "" },
	{ "A3区", "8" },
	{ "区A3", "9" },
	{ "区", "9,8,3" },
	{ "8点到12点", "10" },
	{ "12点检修", "10" },
	{ "8点 停电", "10" },
};
#define MS_NQUERIES ((int)(sizeof(ms_queries) / sizeof(ms_queries[0])))

/* Post ms_docs into group; posted[i] receives the id of ms_docs[i]. */
static void ms_post_docs(struct store *s, int64_t group_id, int64_t author, int64_t *posted)
{
	posted[0] = 0;
	for (int i = 1; i < MS_NDOCS; i++)
		posted[i] = ms_post(s, group_id, author, ms_docs[i]);
}

static void ms_case_search_words(struct store *s)
{
	gs_sync(s, GS_TOWN, 26, 0);
	int64_t v = gs_standing(s, GS_VILLAGE, "village").id;
	int64_t u = gs_user(s, "张三", "13900000001", "");
	int64_t posted[MS_NDOCS];
	ms_post_docs(s, v, u, posted);
	struct message_scope county = ms_regions(GS_COUNTY, NULL);
	for (int i = 0; i < MS_NQUERIES; i++) {
		const char *got = ms_search(s, ms_queries[i].q, &county, 0, posted, MS_NDOCS);
		if (strcmp(got, ms_queries[i].want) != 0)
			fail_msg("'%s' found \"%s\", want \"%s\"", ms_queries[i].q, got,
				 ms_queries[i].want);
	}

	/* at most limit, the newest */
	struct ms_ids l;
	struct app_error e;
	assert_int_equal(ms_search_rc(s, "水", &county, 0, 2, &l, &e), APP_OK);
	assert_string_equal(ms_tags(&l, posted, MS_NDOCS), "6,5");
	/* nothing to search for; too much */
	assert_int_equal(ms_search_rc(s, "，。 😀", &county, 0, 10, &l, &e), APP_EINVAL);
	assert_string_equal(e.field, "q");
	assert_string_equal(e.msg, "search text has no letters, digits or Chinese characters");
	assert_int_equal(ms_search_rc(s, "", &county, 0, 10, &l, &e), APP_EINVAL);
	char many[200] = "";
	for (int i = 0; i < 65; i++)
		strcat(many, "a ");
	assert_int_equal(ms_search_rc(s, many, &county, 0, 10, &l, &e), APP_ETOOBIG);
	assert_string_equal(e.field, "q");
	assert_string_equal(e.msg, "search text has more than 64 terms");
	many[2 * 64] = '\0';
	assert_int_equal(ms_search_rc(s, many, &county, 0, 10, &l, &e), APP_OK);
	assert_int_equal(l.n, 0);
}

static void ms_case_search_scope(struct store *s)
{
	gs_sync(s, GS_COUNTY, 521, 0);
	int64_t town = gs_standing(s, GS_TOWN, "town").id;
	int64_t a = gs_standing(s, GS_VILLAGE, "village").id;
	int64_t b = gs_standing(s, GS_OTHER_VILLAGE, "village").id;
	int64_t county = gs_standing(s, GS_COUNTY, "county").id;
	int64_t u = gs_user(s, "张三", "13900000001", "");
	int64_t p[6] = { 0 };
	p[1] = ms_post(s, a, u, "甲村停水通知");
	p[2] = ms_post(s, b, u, "乙村停水通知");
	p[3] = ms_post(s, town, u, "全镇停水通知");
	p[4] = ms_post(s, county, u, "全县停水通知");
	p[5] = ms_post(s, a, u, "甲村又停水了");

	/* regions: a subtree each, several at once */
	struct message_scope sc = ms_regions(GS_COUNTY, NULL);
	assert_string_equal(ms_search(s, "停水", &sc, 0, p, 6), "5,4,3,2,1");
	sc = ms_regions(GS_TOWN, NULL);
	assert_string_equal(ms_search(s, "停水", &sc, 0, p, 6), "5,3,1");
	sc = ms_regions(GS_VILLAGE, NULL);
	assert_string_equal(ms_search(s, "停水", &sc, 0, p, 6), "5,1");
	sc = ms_regions(GS_VILLAGE, GS_OTHER_VILLAGE);
	assert_string_equal(ms_search(s, "停水", &sc, 0, p, 6), "5,2,1");
	sc = ms_regions("990101105", NULL); /* a town without messages */
	assert_string_equal(ms_search(s, "停水", &sc, 0, p, 6), "");
	/* one group of the scope */
	sc = ms_regions(GS_COUNTY, NULL);
	assert_string_equal(ms_search(s, "停水", &sc, a, p, 6), "5,1");
	sc = ms_regions(GS_OTHER_VILLAGE, NULL);
	assert_string_equal(ms_search(s, "停水", &sc, a, p, 6), "");

	/* a member: the groups they are an active member of, only */
	struct app_error e;
	int64_t r = gs_user(s, "李四", "13900000002", "");
	assert_int_equal(gs_put(s, b, r, "resident", "", "active", GS_NOW, &e), APP_OK);
	assert_int_equal(gs_put(s, a, r, "resident", "", "pending", GS_NOW, &e), APP_OK);
	assert_int_equal(gs_put(s, town, r, "resident", "", "left", GS_NOW, &e), APP_OK);
	struct message_scope mine = { .member = r };
	assert_string_equal(ms_search(s, "停水", &mine, 0, p, 6), "2");
	assert_string_equal(ms_search(s, "停水", &mine, a, p, 6), "");
	/* a member's groups and a region together */
	struct message_scope both = { .nregions = 1, .regions = { GS_VILLAGE }, .member = r };
	assert_string_equal(ms_search(s, "停水", &both, 0, p, 6), "5,2,1");
	/* nobody and nowhere: nothing */
	struct message_scope none = { 0 };
	assert_string_equal(ms_search(s, "停水", &none, 0, p, 6), "");

	/* hidden and recalled messages are not found; shown again, they are */
	char object[48];
	struct message m = *ms_get(s, p[5]);
	snprintf(m.state, sizeof(m.state), "hidden");
	struct audit_note note = ms_note(object, sizeof(object), "message", m.id, "message.hide");
	assert_int_equal(store_message_set_state(s, &m, &note, ms_json, &e), APP_OK);
	m = *ms_get(s, p[2]);
	snprintf(m.state, sizeof(m.state), "recalled");
	note = ms_note(object, sizeof(object), "message", m.id, "message.recall");
	assert_int_equal(store_message_set_state(s, &m, &note, ms_json, &e), APP_OK);
	sc = ms_regions(GS_COUNTY, NULL);
	assert_string_equal(ms_search(s, "停水", &sc, 0, p, 6), "4,3,1");
	assert_string_equal(ms_search(s, "停水", &mine, 0, p, 6), "");
	m = *ms_get(s, p[5]);
	snprintf(m.state, sizeof(m.state), "visible");
	note = ms_note(object, sizeof(object), "message", m.id, "message.show");
	assert_int_equal(store_message_set_state(s, &m, &note, ms_json, &e), APP_OK);
	assert_string_equal(ms_search(s, "停水", &sc, 0, p, 6), "5,4,3,1");
}

/* store_search_rebuild: the same answers after as before, in scope, a
 * hidden message still not found, and messages posted after it found. */
static void ms_case_search_rebuild(struct store *s)
{
	gs_sync(s, GS_COUNTY, 521, 0);
	int64_t a = gs_standing(s, GS_VILLAGE, "village").id;
	int64_t b = gs_standing(s, GS_OTHER_VILLAGE, "village").id;
	int64_t u = gs_user(s, "张三", "13900000001", "");
	int64_t p[6] = { 0 };
	p[1] = ms_post(s, a, u, "甲村停水通知");
	p[2] = ms_post(s, b, u, "乙村停水通知");
	p[3] = ms_post(s, a, u, "甲村又停水了，WiFi也断了");
	struct app_error e;
	char object[48];
	struct message m = *ms_get(s, p[3]);
	snprintf(m.state, sizeof(m.state), "hidden");
	struct audit_note note = ms_note(object, sizeof(object), "message", m.id, "message.hide");
	assert_int_equal(store_message_set_state(s, &m, &note, ms_json, &e), APP_OK);

	struct message_scope county = ms_regions(GS_COUNTY, NULL);
	struct message_scope village = ms_regions(GS_VILLAGE, NULL);
	for (int round = 0; round < 2; round++) { /* twice: a rebuilt index rebuilt again */
		assert_int_equal(store_search_rebuild(s, &e), APP_OK);
		assert_string_equal(ms_search(s, "停水", &county, 0, p, 6), "2,1");
		assert_string_equal(ms_search(s, "停水", &village, 0, p, 6), "1");
		assert_string_equal(ms_search(s, "水", &county, b, p, 6), "2");
		assert_string_equal(ms_search(s, "wifi", &county, 0, p, 6), "");
	}
	p[4] = ms_post(s, a, u, "停水三天了");
	assert_string_equal(ms_search(s, "停水", &village, 0, p, 6), "4,1");
	m = *ms_get(s, p[3]);
	snprintf(m.state, sizeof(m.state), "visible");
	note = ms_note(object, sizeof(object), "message", m.id, "message.show");
	assert_int_equal(store_message_set_state(s, &m, &note, ms_json, &e), APP_OK);
	assert_string_equal(ms_search(s, "wifi", &county, 0, p, 6), "3");
}

/* ---- ingest ---- */

/* store_ingest_fill_fn over an array of struct message. */
static void ms_fill(void *ctx, size_t i, struct message *m)
{
	*m = ((const struct message *)ctx)[i];
}

static enum app_err ms_ingest(struct store *s, const struct message *ms,
			      const char *const *keys, size_t n, struct ingest_counts *c,
			      struct app_error *e)
{
	*c = (struct ingest_counts){ -1, -1 };
	return store_messages_ingest(s, keys, n, ms_fill, (void *)ms, ms_json, c, e);
}

/* n bridged messages of group, bodies "<prefix> 1".. */
static struct message *ms_batch(int64_t group_id, size_t n, const char *prefix)
{
	struct message *ms = calloc(n, sizeof(*ms));
	assert_non_null(ms);
	for (size_t i = 0; i < n; i++) {
		char body[64];
		snprintf(body, sizeof(body), "%s %zu", prefix, i + 1);
		ms[i] = *ms_msg(group_id, 0, body);
		snprintf(ms[i].source, sizeof(ms[i].source), "bridge");
	}
	return ms;
}

static void ms_case_ingest(struct store *s)
{
	gs_sync(s, GS_TOWN, 26, 0);
	int64_t v = gs_standing(s, GS_VILLAGE, "village").id;
	int64_t u = gs_user(s, "张三", "13900000001", "");
	struct ingest_counts c;
	struct app_error e;

	struct message *ms = ms_batch(v, 3, "微信群转来");
	ms[0].at = GS_NOW; /* a time the bridge knows is kept */
	ms[2].nmentions = 1;
	ms[2].mentions[0] = u;
	const char *k1[] = { "wx:1", "wx:2", "wx:3" };
	int64_t t0 = clock_now();
	assert_int_equal(ms_ingest(s, ms, k1, 3, &c, &e), APP_OK);
	assert_int_equal(c.stored, 3);
	assert_int_equal(c.repeated, 0);
	struct ms_ids l = ms_list(s, v, 0, 0, 100);
	assert_int_equal(l.n, 3);
	struct message *g = ms_get(s, l.id[0]);
	assert_int_equal(g->at, GS_NOW);
	assert_string_equal(g->source, "bridge");
	assert_string_equal(g->body, "微信群转来 1");
	assert_true(ms_get(s, l.id[1])->at >= t0); /* no time: now */
	assert_string_equal(ms_get(s, l.id[2])->body, "微信群转来 3");
	int64_t third = l.id[2];
	assert_int_equal(ms_events_of(s, "group", v)->n, 3);
	assert_int_equal(ms_events_of(s, "user", u)->n, 1);
	free(ms);

	/* a key seen before is skipped and counted, the new one stored */
	ms = ms_batch(v, 2, "又转来");
	const char *k2[] = { "wx:2", "wx:4" };
	assert_int_equal(ms_ingest(s, ms, k2, 2, &c, &e), APP_OK);
	assert_int_equal(c.stored, 1);
	assert_int_equal(c.repeated, 1);
	l = ms_list(s, v, third, 0, 100);
	assert_int_equal(l.n, 1);
	assert_string_equal(ms_get(s, l.id[0])->body, "又转来 2");
	free(ms);

	/* a key twice in one batch: stored once */
	ms = ms_batch(v, 3, "重复转发");
	const char *k3[] = { "wx:5", "wx:5", "wx:3" };
	assert_int_equal(ms_ingest(s, ms, k3, 3, &c, &e), APP_OK);
	assert_int_equal(c.stored, 1);
	assert_int_equal(c.repeated, 2);
	free(ms);

	l = ms_list(s, v, 0, 0, 100);
	assert_int_equal(l.n, 5);
	assert_int_equal(ms_events_of(s, "group", v)->n, 5);
	assert_string_equal(ms_get(s, l.id[3])->body, "又转来 2");
	assert_string_equal(ms_get(s, l.id[4])->body, "重复转发 1");

	/* keys with the characters an array literal quotes: known again as sent */
	ms = ms_batch(v, 4, "怪键");
	const char *k4[] = { "wx:\"1\"", "wx:\\2", "{wx,3}", "wx 4 NULL" };
	assert_int_equal(ms_ingest(s, ms, k4, 4, &c, &e), APP_OK);
	assert_int_equal(c.stored, 4);
	assert_int_equal(ms_ingest(s, ms, k4, 4, &c, &e), APP_OK);
	assert_int_equal(c.stored, 0);
	assert_int_equal(c.repeated, 4);
	free(ms);
	assert_int_equal(ms_list(s, v, 0, 0, 100).n, 9);
	/* an empty batch stores nothing */
	assert_int_equal(ms_ingest(s, NULL, NULL, 0, &c, &e), APP_OK);
	assert_int_equal(c.stored, 0);
	assert_int_equal(c.repeated, 0);
}

static void ms_case_ingest_all_or_nothing(struct store *s)
{
	gs_sync(s, GS_TOWN, 26, 0);
	int64_t v = gs_standing(s, GS_VILLAGE, "village").id;
	struct ingest_counts c;
	struct app_error e;
	struct message *ms = ms_batch(v, 1, "先到的");
	const char *k0[] = { "wx:0" };
	assert_int_equal(ms_ingest(s, ms, k0, 1, &c, &e), APP_OK);
	free(ms);

	/* the third refers to a group that does not exist: the whole batch is
	 * refused, the first two are not kept, no key is recorded */
	ms = ms_batch(v, 4, "一批");
	ms[2].group_id = 999999;
	const char *k1[] = { "wx:1", "wx:0", "wx:2", "wx:3" };
	assert_int_equal(ms_ingest(s, ms, k1, 4, &c, &e), APP_EINVAL);
	assert_contains(e.msg, "does not exist");
	assert_int_equal(c.stored, 0);
	assert_int_equal(c.repeated, 0);
	assert_int_equal(ms_list(s, v, 0, 0, 100).n, 1);
	assert_int_equal(ms_events_of(s, "group", v)->n, 1);

	/* a kind the schema refuses, last in its batch: the same */
	ms[2].group_id = v;
	snprintf(ms[3].kind, sizeof(ms[3].kind), "video");
	assert_int_equal(ms_ingest(s, ms, k1, 4, &c, &e), APP_EINVAL);
	assert_string_equal(e.msg, "storing a message: a value is out of range");
	assert_int_equal(c.stored, 0);
	assert_int_equal(ms_list(s, v, 0, 0, 100).n, 1);

	/* fixed, the batch goes in: its keys were never recorded */
	snprintf(ms[3].kind, sizeof(ms[3].kind), "text");
	assert_int_equal(ms_ingest(s, ms, k1, 4, &c, &e), APP_OK);
	assert_int_equal(c.stored, 3);
	assert_int_equal(c.repeated, 1);
	free(ms);
	struct ms_ids l = ms_list(s, v, 0, 0, 100);
	assert_int_equal(l.n, 4);
	assert_string_equal(ms_get(s, l.id[1])->body, "一批 1");
	assert_string_equal(ms_get(s, l.id[3])->body, "一批 4");
	assert_int_equal(ms_events_of(s, "group", v)->n, 4);
}

/* ---- the queue of bulk ingest ---- */

/* Items of queued calls: "\0\xff<tag><i>", a NUL and a byte no UTF-8
 * text holds among them, so only bytes kept as bytes read back. */
struct ms_items {
	char buf[12][16];
	const void *item[12];
	size_t len[12];
};

/* n items (at most 12) into q: "<tag>1".. */
static void ms_items(struct ms_items *q, const char *tag, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		q->buf[i][0] = '\0';
		q->buf[i][1] = '\xff';
		int len = snprintf(q->buf[i] + 2, sizeof(q->buf[i]) - 2, "%s%zu", tag, i + 1);
		q->item[i] = q->buf[i];
		q->len[i] = 2 + (size_t)len;
	}
}

/* Queue items from..from + n - 1 of q with keys[0..n); counts and *id
 * start at -1, so that the store is seen setting them. */
static enum app_err ms_queue(struct store *s, const struct ms_items *q, size_t from, size_t n,
			     const char *const *keys, struct ingest_counts *c, int64_t *id,
			     struct app_error *e)
{
	*c = (struct ingest_counts){ -1, -1 };
	*id = -1;
	return store_ingest_queue(s, keys, q->item + from, q->len + from, n, c, id, e);
}

/* ms_queue of one key, which must be taken: the call's id. */
static int64_t ms_queue_one(struct store *s, const struct ms_items *q, size_t i, const char *key)
{
	struct ingest_counts c;
	int64_t id;
	struct app_error e;
	if (ms_queue(s, q, i, 1, &key, &c, &id, &e) != APP_OK)
		fail_msg("queue '%s': %s", key, e.msg);
	assert_int_equal(c.stored, 1);
	assert_true(id > 0);
	return id;
}

/* The pending calls told, their bodies shown with NUL as '|' and 0xff as
 * '~' ("|~a1|~a2": two items). */
struct ms_calls {
	int n, stop_after; /* stop_after: return false after that many (0: never) */
	struct {
		int64_t id, at, messages;
		size_t len;
		char body[256];
	} call[16];
};

static bool ms_call_fn(void *ctx, const struct ingest_call *call)
{
	struct ms_calls *l = ctx;
	if (l->n < 16) {
		l->call[l->n].id = call->id;
		l->call[l->n].at = call->at;
		l->call[l->n].messages = call->messages;
		l->call[l->n].len = call->len;
		char *out = l->call[l->n].body;
		const unsigned char *b = call->body;
		for (size_t i = 0; i < call->len && i < sizeof(l->call[0].body) - 1; i++)
			*out++ = b[i] == 0 ? '|' : b[i] == 0xff ? '~' : (char)b[i];
		*out = '\0';
	}
	l->n++;
	return !l->stop_after || l->n < l->stop_after;
}

/* The pending calls, oldest first (stop_after: as in struct ms_calls).
 * Static: one at a time. */
static struct ms_calls *ms_pending(struct store *s, int stop_after)
{
	static struct ms_calls l;
	memset(&l, 0, sizeof(l));
	l.stop_after = stop_after;
	struct app_error e;
	if (store_ingest_pending(s, ms_call_fn, &l, &e) != APP_OK)
		fail_msg("pending: %s", e.msg);
	return &l;
}

static struct ingest_backlog ms_backlog(struct store *s)
{
	struct ingest_backlog b = { -1, -1, -1 };
	struct app_error e;
	if (store_ingest_backlog(s, &b, &e) != APP_OK)
		fail_msg("backlog: %s", e.msg);
	return b;
}

/* Load calls[0..n) (n <= 4), whose messages are ms (bridged at GS_NOW),
 * each call's count in per[]: which were loaded, as "1,0". */
static enum app_err ms_load(struct store *s, const int64_t *calls, const size_t *per, size_t n,
			    struct message *ms, char *loaded, struct app_error *e)
{
	size_t first[5] = { 0 };
	for (size_t k = 0; k < n; k++)
		first[k + 1] = first[k] + per[k];
	for (size_t i = 0; i < first[n]; i++)
		ms[i].at = GS_NOW;
	bool got[4];
	memset(got, 1, sizeof(got)); /* the store says each */
	enum app_err rc = store_ingest_load(s, calls, first, n, ms_fill, ms, ms_json, got, e);
	loaded[0] = '\0';
	for (size_t k = 0; k < n; k++)
		strcat(loaded, k ? (got[k] ? ",1" : ",0") : (got[k] ? "1" : "0"));
	return rc;
}

/* Taking a call: its keys in the one space of ingest's (a key ingested is
 * a repeat when queued, and the reverse), a repeat within the call, every
 * key a repeat (no call), the items of the new keys kept byte for byte in
 * their order, no message stored until a load. */
static void ms_case_ingest_queue(struct store *s)
{
	gs_sync(s, GS_TOWN, 26, 0);
	int64_t v = gs_standing(s, GS_VILLAGE, "village").id;
	struct ingest_counts c;
	struct app_error e;
	struct message *ms = ms_batch(v, 1, "先存的");
	const char *k0[] = { "wx:0" };
	assert_int_equal(ms_ingest(s, ms, k0, 1, &c, &e), APP_OK);
	free(ms);

	struct ms_items q;
	ms_items(&q, "a", 5);
	const char *k1[] = { "wx:1", "wx:2", "wx:1", "wx:0", "wx:\"3\"" };
	int64_t id, t0 = clock_now();
	assert_int_equal(ms_queue(s, &q, 0, 5, k1, &c, &id, &e), APP_OK);
	assert_int_equal(c.stored, 3);
	assert_int_equal(c.repeated, 2);
	assert_true(id > 0);
	struct ms_calls *l = ms_pending(s, 0);
	assert_int_equal(l->n, 1);
	assert_int_equal(l->call[0].id, id);
	assert_int_equal(l->call[0].messages, 3);
	assert_true(l->call[0].at >= t0 && l->call[0].at <= clock_now());
	assert_int_equal(l->call[0].len, q.len[0] + q.len[1] + q.len[4]);
	assert_string_equal(l->call[0].body, "|~a1|~a2|~a5");
	/* queued is not stored: only the message ingested before */
	assert_int_equal(ms_list(s, v, 0, 0, 100).n, 1);

	/* a key queued before is a repeat for ingest, and for the queue */
	ms = ms_batch(v, 2, "后存的");
	const char *k2[] = { "wx:2", "wx:4" };
	assert_int_equal(ms_ingest(s, ms, k2, 2, &c, &e), APP_OK);
	assert_int_equal(c.stored, 1);
	assert_int_equal(c.repeated, 1);
	free(ms);
	ms_items(&q, "b", 3);
	const char *k3[] = { "wx:\"3\"", "wx:4", "wx:5" };
	int64_t second;
	assert_int_equal(ms_queue(s, &q, 0, 3, k3, &c, &second, &e), APP_OK);
	assert_int_equal(c.stored, 1);
	assert_int_equal(c.repeated, 2);
	assert_true(second > id);
	l = ms_pending(s, 0);
	assert_int_equal(l->n, 2);
	assert_int_equal(l->call[1].id, second);
	assert_int_equal(l->call[1].messages, 1);
	assert_string_equal(l->call[1].body, "|~b3");

	/* every key a repeat: nothing kept, no call */
	assert_int_equal(ms_queue(s, &q, 0, 3, k3, &c, &id, &e), APP_OK);
	assert_int_equal(c.stored, 0);
	assert_int_equal(c.repeated, 3);
	assert_int_equal(id, 0);
	assert_int_equal(ms_queue(s, &q, 0, 0, NULL, &c, &id, &e), APP_OK);
	assert_int_equal(c.stored, 0);
	assert_int_equal(c.repeated, 0);
	assert_int_equal(id, 0);
	assert_int_equal(ms_pending(s, 0)->n, 2);
	assert_int_equal(ms_list(s, v, 0, 0, 100).n, 2);
}

/* The pending calls oldest first, over more than a page of them (8 on
 * PostgreSQL), until the reader says stop; the backlog's figures. */
static void ms_case_ingest_pending(struct store *s)
{
	assert_int_equal(ms_pending(s, 0)->n, 0);
	struct ingest_backlog b = ms_backlog(s);
	assert_int_equal(b.messages, 0);
	assert_int_equal(b.oldest_at, 0);
	assert_int_equal(b.failed, 0);

	struct ms_items q;
	ms_items(&q, "p", 10);
	int64_t ids[10];
	char key[16];
	clock_set_offset(-600); /* the first call taken ten minutes ago */
	int64_t first_at = clock_now();
	for (size_t i = 0; i < 10; i++) {
		snprintf(key, sizeof(key), "wx:%zu", i + 1);
		ids[i] = ms_queue_one(s, &q, i, key);
		clock_set_offset(0);
	}
	struct ms_calls *l = ms_pending(s, 0);
	assert_int_equal(l->n, 10);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(l->call[i].id, ids[i]);
		assert_int_equal(l->call[i].messages, 1);
		char want[16];
		snprintf(want, sizeof(want), "|~p%d", i + 1);
		assert_string_equal(l->call[i].body, want);
	}
	assert_true(l->call[0].at >= first_at && l->call[0].at < first_at + 60);
	assert_true(l->call[1].at >= first_at + 600);
	/* told no more once fn said stop, within a page and across one */
	assert_int_equal(ms_pending(s, 1)->n, 1);
	l = ms_pending(s, 9);
	assert_int_equal(l->n, 9);
	assert_int_equal(l->call[8].id, ids[8]);

	/* a call of three messages */
	const char *k3[] = { "wx:11", "wx:12", "wx:13" };
	ms_items(&q, "t", 3);
	struct ingest_counts c;
	int64_t id;
	struct app_error e;
	assert_int_equal(ms_queue(s, &q, 0, 3, k3, &c, &id, &e), APP_OK);
	b = ms_backlog(s);
	assert_int_equal(b.messages, 13);
	assert_int_equal(b.oldest_at, l->call[0].at);
	assert_int_equal(b.failed, 0);
}

/* A load stores the messages of its calls (a bridge's, in the group's
 * list, announced) and deletes the calls; a call loaded already is
 * skipped (loaded false, nothing stored twice); a load that fails stores
 * nothing of any of its calls and leaves them pending. */
static void ms_case_ingest_load(struct store *s)
{
	gs_sync(s, GS_TOWN, 26, 0);
	int64_t v = gs_standing(s, GS_VILLAGE, "village").id;
	struct ms_items q;
	ms_items(&q, "l", 4);
	struct ingest_counts c;
	struct app_error e;
	const char *k1[] = { "wx:1", "wx:2" };
	int64_t a;
	assert_int_equal(ms_queue(s, &q, 0, 2, k1, &c, &a, &e), APP_OK);
	int64_t b = ms_queue_one(s, &q, 2, "wx:3");

	struct message *ms = ms_batch(v, 3, "排队转来");
	char loaded[16];
	int64_t calls[] = { a, b };
	size_t per[] = { 2, 1 };
	assert_int_equal(ms_load(s, calls, per, 1, ms, loaded, &e), APP_OK);
	assert_string_equal(loaded, "1");
	struct ms_ids l = ms_list(s, v, 0, 0, 100);
	assert_int_equal(l.n, 2);
	struct message *g = ms_get(s, l.id[0]);
	assert_string_equal(g->body, "排队转来 1");
	assert_string_equal(g->source, "bridge");
	assert_int_equal(g->at, GS_NOW);
	assert_int_equal(g->group_id, v);
	assert_string_equal(ms_get(s, l.id[1])->body, "排队转来 2");
	assert_int_equal(ms_events_of(s, "group", v)->n, 2);
	struct ms_calls *p = ms_pending(s, 0);
	assert_int_equal(p->n, 1);
	assert_int_equal(p->call[0].id, b);
	struct ingest_backlog bl = ms_backlog(s);
	assert_int_equal(bl.messages, 1);

	/* a, loaded, again with b: a skipped, only b's message stored */
	assert_int_equal(ms_load(s, calls, per, 2, ms, loaded, &e), APP_OK);
	assert_string_equal(loaded, "0,1");
	l = ms_list(s, v, 0, 0, 100);
	assert_int_equal(l.n, 3);
	assert_string_equal(ms_get(s, l.id[2])->body, "排队转来 3");
	assert_int_equal(ms_pending(s, 0)->n, 0);
	bl = ms_backlog(s);
	assert_int_equal(bl.messages, 0);
	assert_int_equal(bl.oldest_at, 0);
	/* both loaded: nothing */
	assert_int_equal(ms_load(s, calls, per, 2, ms, loaded, &e), APP_OK);
	assert_string_equal(loaded, "0,0");
	assert_int_equal(ms_list(s, v, 0, 0, 100).n, 3);
	assert_int_equal(ms_events_of(s, "group", v)->n, 3);
	free(ms);

	/* a good call then one whose message names a group that does not
	 * exist: neither is stored, both stay pending */
	int64_t good = ms_queue_one(s, &q, 3, "wx:4");
	int64_t bad = ms_queue_one(s, &q, 0, "wx:5");
	ms = ms_batch(v, 2, "坏的一批");
	ms[1].group_id = 999999;
	int64_t both[] = { good, bad };
	size_t one_each[] = { 1, 1 };
	assert_int_equal(ms_load(s, both, one_each, 2, ms, loaded, &e), APP_EINVAL);
	assert_contains(e.msg, "does not exist");
	assert_string_equal(loaded, "0,0");
	assert_int_equal(ms_list(s, v, 0, 0, 100).n, 3);
	assert_int_equal(ms_events_of(s, "group", v)->n, 3);
	p = ms_pending(s, 0);
	assert_int_equal(p->n, 2);
	assert_int_equal(p->call[0].id, good);
	assert_int_equal(p->call[1].id, bad);
	/* fixed, they load */
	ms[1].group_id = v;
	assert_int_equal(ms_load(s, both, one_each, 2, ms, loaded, &e), APP_OK);
	assert_string_equal(loaded, "1,1");
	l = ms_list(s, v, 0, 0, 100);
	assert_int_equal(l.n, 5);
	assert_string_equal(ms_get(s, l.id[4])->body, "坏的一批 2");
	assert_int_equal(ms_pending(s, 0)->n, 0);
	free(ms);
}

/* A call set aside is no longer pending, counted as failed, never loaded;
 * the oldest pending call is then the next one. */
static void ms_case_ingest_fail(struct store *s)
{
	gs_sync(s, GS_TOWN, 26, 0);
	int64_t v = gs_standing(s, GS_VILLAGE, "village").id;
	struct ms_items q;
	ms_items(&q, "f", 4);
	clock_set_offset(-300);
	int64_t a = ms_queue_one(s, &q, 0, "wx:1");
	clock_set_offset(-200);
	struct ingest_counts c;
	int64_t b;
	struct app_error e;
	const char *k2[] = { "wx:2", "wx:3" };
	enum app_err rc = ms_queue(s, &q, 1, 2, k2, &c, &b, &e);
	clock_set_offset(0);
	assert_int_equal(rc, APP_OK);
	int64_t d = ms_queue_one(s, &q, 3, "wx:4");
	struct ms_calls *p = ms_pending(s, 0);
	assert_int_equal(p->n, 3);
	int64_t at_a = p->call[0].at, at_b = p->call[1].at;
	assert_true(at_a < at_b && at_b < p->call[2].at);
	struct ingest_backlog bl = ms_backlog(s);
	assert_int_equal(bl.messages, 4);
	assert_int_equal(bl.oldest_at, at_a);
	assert_int_equal(bl.failed, 0);

	assert_int_equal(store_ingest_fail(s, a, "item 1: not a message", &e), APP_OK);
	p = ms_pending(s, 0);
	assert_int_equal(p->n, 2);
	assert_int_equal(p->call[0].id, b);
	assert_int_equal(p->call[1].id, d);
	bl = ms_backlog(s);
	assert_int_equal(bl.messages, 3);
	assert_int_equal(bl.oldest_at, at_b);
	assert_int_equal(bl.failed, 1);
	assert_int_equal(store_ingest_fail(s, d, "item 1: not a message", &e), APP_OK);
	bl = ms_backlog(s);
	assert_int_equal(bl.messages, 2);
	assert_int_equal(bl.failed, 2);
	/* only a pending call is set aside: not one set aside already, nor one
	 * that no longer exists (loaded by another node) */
	assert_int_equal(store_ingest_fail(s, d, "again", &e), APP_ENOTFOUND);
	assert_int_equal(store_ingest_fail(s, d + 1000, "gone", &e), APP_ENOTFOUND);
	assert_int_equal(ms_backlog(s).failed, 2);

	/* a call set aside is not loaded */
	struct message *ms = ms_batch(v, 1, "搁置的");
	char loaded[16];
	size_t one[] = { 1 };
	assert_int_equal(ms_load(s, &a, one, 1, ms, loaded, &e), APP_OK);
	assert_string_equal(loaded, "0");
	assert_int_equal(ms_list(s, v, 0, 0, 100).n, 0);
	assert_int_equal(ms_backlog(s).failed, 2);
	/* and its keys stay taken */
	assert_int_equal(ms_ingest(s, ms, (const char *[]){ "wx:1" }, 1, &c, &e), APP_OK);
	assert_int_equal(c.repeated, 1);
	free(ms);
}

/* ---- broadcasts ---- */

struct ms_deliveries {
	int n;
	struct broadcast_delivery d[64];
};

static bool ms_delivery_fn(void *ctx, const struct broadcast_delivery *d)
{
	struct ms_deliveries *l = ctx;
	if (l->n < 64)
		l->d[l->n] = *d;
	l->n++;
	return true;
}

static void ms_case_broadcast(struct store *s)
{
	gs_sync(s, GS_COUNTY, 521, 0);
	struct group town = gs_standing(s, GS_TOWN, "town");
	int64_t other = gs_standing(s, GS_OTHER_VILLAGE, "village").id;
	int64_t u = gs_user(s, "镇干部", "13900000001", "");
	int64_t village = gs_standing(s, GS_VILLAGE, "village").id;
	/* the town and its 25 villages, by id (gs_list's result is static) */
	struct gs_groups *under = gs_list(s, GS_TOWN, "", 100);
	assert_int_equal(under->n, 26);
	int64_t ids[26];
	char names[26][REGION_NAME_MAX];
	for (int i = 0; i < 26; i++) {
		ids[i] = under->g[i].id;
		snprintf(names[i], sizeof(names[i]), "%s", under->g[i].name);
	}
	struct app_error e;
	/* an ad-hoc group of the town gets no broadcast */
	int64_t adhoc = gs_create(s, "adhoc", GS_TOWN, "防汛应急群", "adhoc-1", &e);
	assert_true(adhoc > 0);

	struct message *m = ms_msg(town.id, u, "关于秋季防火的通知：禁止野外用火。");
	snprintf(m->kind, sizeof(m->kind), "broadcast");
	struct audit_note note = gs_note("broadcast:new", "broadcast.send");
	int64_t bid = -1, groups = -1;
	assert_int_equal(store_broadcast(s, m, GS_TOWN, &note, ms_json, &bid, &groups, &e), APP_OK);
	assert_true(bid > 0);
	assert_int_equal(groups, 26);

	struct ms_deliveries l = { 0 };
	int64_t from = 0;
	assert_int_equal(store_broadcast_deliveries(s, bid, &from, ms_delivery_fn, &l, &e), APP_OK);
	assert_int_equal(from, town.id);
	assert_int_equal(l.n, 26);
	for (int i = 0; i < l.n; i++) {
		/* by group id: the town (made first) then its villages */
		assert_int_equal(l.d[i].group_id, ids[i]);
		assert_string_equal(l.d[i].group_name, names[i]);
		struct message *g = ms_get(s, l.d[i].message_id);
		assert_int_equal(g->group_id, l.d[i].group_id);
		assert_string_equal(g->kind, "broadcast");
		assert_int_equal(g->broadcast_id, bid);
		assert_int_equal(g->author_id, u);
		assert_string_equal(g->county, GS_COUNTY);
		assert_string_equal(g->body, "关于秋季防火的通知：禁止野外用火。");
		assert_string_equal(g->state, "visible");
		/* one message in each group, announced there */
		struct ms_ids msgs = ms_list(s, l.d[i].group_id, 0, 0, 10);
		assert_int_equal(msgs.n, 1);
		assert_int_equal(msgs.id[0], l.d[i].message_id);
		struct ms_events *ev = ms_events_of(s, "group", l.d[i].group_id);
		assert_int_equal(ev->n, 1);
		assert_string_equal(ev->kind[0], "message");
		assert_string_equal(ev->data[0], ms_json_of(g));
	}
	assert_int_equal(l.d[0].group_id, town.id);
	assert_string_equal(gs_get(s, l.d[0].group_id).kind, "town");
	assert_int_equal(ms_list(s, other, 0, 0, 10).n, 0);
	assert_int_equal(ms_list(s, adhoc, 0, 0, 10).n, 0);
	char object[48];
	snprintf(object, sizeof(object), "broadcast:%" PRId64, bid);
	assert_string_equal(gs_audit_of(s, object), "broadcast.send");
	assert_string_equal(gs_audit_of(s, "broadcast:new"), "");
	/* found by search in every group it reached */
	struct message_scope sc = ms_regions(GS_COUNTY, NULL);
	struct ms_ids found;
	assert_int_equal(ms_search_rc(s, "秋季防火", &sc, 0, 50, &found, &e), APP_OK);
	assert_int_equal(found.n, 26);

	/* refused: an author who does not exist; nothing is kept */
	m = ms_msg(town.id, 999999, "另一条通知");
	snprintf(m->kind, sizeof(m->kind), "broadcast");
	int64_t bid2 = -1, groups2 = -1;
	assert_int_equal(store_broadcast(s, m, GS_TOWN, &note, ms_json, &bid2, &groups2, &e),
			 APP_EINVAL);
	assert_contains(e.msg, "does not exist");
	assert_int_equal(bid2, -1);
	assert_int_equal(groups2, -1);
	assert_int_equal(ms_list(s, town.id, 0, 0, 10).n, 1);
	l = (struct ms_deliveries){ 0 };
	assert_int_equal(store_broadcast_deliveries(s, 999999, &from, ms_delivery_fn, &l, &e),
			 APP_ENOTFOUND);
	assert_string_equal(e.msg, "no such broadcast");
	assert_int_equal(l.n, 0);

	/* a second broadcast, to one village: its own id and delivery */
	m = ms_msg(town.id, u, "张庄村明天停电");
	snprintf(m->kind, sizeof(m->kind), "broadcast");
	assert_int_equal(store_broadcast(s, m, GS_VILLAGE, &note, ms_json, &bid2, &groups2, &e),
			 APP_OK);
	assert_true(bid2 > bid);
	assert_int_equal(groups2, 1);
	l = (struct ms_deliveries){ 0 };
	assert_int_equal(store_broadcast_deliveries(s, bid2, &from, ms_delivery_fn, &l, &e), APP_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.d[0].group_id, village);
	assert_int_equal(from, town.id);
}

/* ---- images ---- */

static void ms_case_attachments(struct store *s)
{
	gs_sync(s, GS_TOWN, 26, 0);
	int64_t v = gs_standing(s, GS_VILLAGE, "village").id;
	int64_t u = gs_user(s, "张三", "13900000001", "");
	int64_t u2 = gs_user(s, "李四", "13900000002", "");
	struct attachment a = { .group_id = v, .size = 123456, .uploader = u, .at = GS_NOW };
	memset(a.sha256, 'c', ATTACHMENT_SHA_LEN);
	snprintf(a.mime, sizeof(a.mime), "image/jpeg");
	struct app_error e;
	assert_int_equal(store_attachment_put(s, &a, &e), APP_OK);
	struct attachment g;
	assert_int_equal(store_attachment_get(s, a.sha256, v, &g, &e), APP_OK);
	assert_string_equal(g.sha256, a.sha256);
	assert_int_equal(g.group_id, v);
	assert_string_equal(g.mime, "image/jpeg");
	assert_int_equal(g.size, 123456);
	assert_int_equal(g.uploader, u);
	assert_int_equal(g.at, GS_NOW);

	/* the same image again, by someone else: one row, the first upload's */
	struct attachment again = a;
	again.uploader = u2;
	again.at = GS_NOW + 60;
	snprintf(again.mime, sizeof(again.mime), "image/png");
	assert_int_equal(store_attachment_put(s, &again, &e), APP_OK);
	assert_int_equal(store_attachment_get(s, a.sha256, v, &g, &e), APP_OK);
	assert_int_equal(g.uploader, u);
	assert_int_equal(g.at, GS_NOW);
	assert_string_equal(g.mime, "image/jpeg");

	/* the same image sent to another group is that group's too, and only
	 * there where it was sent */
	int64_t v2 = gs_standing(s, GS_TOWN, "town").id;
	assert_int_equal(store_attachment_get(s, a.sha256, v2, &g, &e), APP_ENOTFOUND);
	struct attachment there = a;
	there.group_id = v2;
	assert_int_equal(store_attachment_put(s, &there, &e), APP_OK);
	assert_int_equal(store_attachment_get(s, a.sha256, v2, &g, &e), APP_OK);
	assert_int_equal(g.group_id, v2);
	assert_int_equal(store_attachment_get(s, a.sha256, v, &g, &e), APP_OK);
	assert_int_equal(g.group_id, v);

	char other[ATTACHMENT_SHA_LEN + 1];
	memset(other, 'd', ATTACHMENT_SHA_LEN);
	other[ATTACHMENT_SHA_LEN] = '\0';
	assert_int_equal(store_attachment_get(s, other, v, &g, &e), APP_ENOTFOUND);
	assert_string_equal(e.msg, "no such image");
	/* an uploader or group that does not exist */
	struct attachment bad = a;
	memcpy(bad.sha256, other, sizeof(other));
	bad.uploader = 999999;
	assert_int_equal(store_attachment_put(s, &bad, &e), APP_EINVAL);
	assert_contains(e.msg, "does not exist");
	bad.uploader = u;
	bad.group_id = 999999;
	assert_int_equal(store_attachment_put(s, &bad, &e), APP_EINVAL);
	assert_int_equal(store_attachment_get(s, other, v, &g, &e), APP_ENOTFOUND);
}

/* ---- migration 0028 (the partial messages_by_group_at) ----
 *
 * Rows for a database of the version before 0028, written by each
 * backend's test beside the store: a county group with an admin (1) and a
 * resident (2); on 2026-11-29 (China time, from MS_DAY_0028) the
 * resident's question the admin answered (7, 8), a bridge's question the
 * admin answered (9, 10: no author here, never a valid interaction), the
 * resident's question nobody answered (11); the day before, a resident's
 * answered question (12, 13: outside the day). A message's other columns
 * are given as cols (", name...") and each message's values as vals
 * (", value..."): PostgreSQL's terms. */
#define MS_DAY_0028 INT64_C(1795881600)
#define MS_ROW_0028(id, author, name, reply, source, at, vals)                                \
	"(" #id ", 5, '990101', " author ", '" name "', 'text', '问题" #id "', " reply             \
	", '', '', NULL, 'visible', '', '" source "', " #at vals ")"
#define MS_BEFORE_0028(cols, vals)                                                             \
	GS_MESSAGES_FIXTURE(cols)                                                              \
	MS_ROW_0028(7, "2", "李大姐", "NULL", "app", 1795885200, vals) ","                        \
	MS_ROW_0028(8, "1", "王书记", "7", "app", 1795885300, vals) ","                          \
	MS_ROW_0028(9, "NULL", "微信用户", "NULL", "bridge", 1795885400, vals) ","               \
	MS_ROW_0028(10, "1", "王书记", "9", "app", 1795885500, vals) ","                         \
	MS_ROW_0028(11, "2", "李大姐", "NULL", "app", 1795885600, vals) ","                      \
	MS_ROW_0028(12, "2", "李大姐", "NULL", "app", 1795878000, vals) ","                      \
	MS_ROW_0028(13, "1", "王书记", "12", "app", 1795878100, vals) ";"

/* store_stats_part_fn: the valid interactions, "unit value" a line. */
static inline void ms_talk_row(void *ctx, enum stats_part part, const char *unit,
			       const int64_t *v, int n)
{
	if (part == STATS_PART_TALK && n == 1)
		strbuf_addf(ctx, "%s %" PRId64 "\n", unit ? unit : "all", v[0]);
}

/* The valid interactions of MS_BEFORE_0028's day, by village and in all. */
static inline char *ms_talk_0028(struct store *s)
{
	struct stats_query q = { "990101", 6, MS_DAY_0028, MS_DAY_0028 + 86400, true };
	struct strbuf out = STRBUF_INIT;
	struct app_error e;
	assert_int_equal(store_stats_read(s, &q, ms_talk_row, &out, &e), APP_OK);
	return strbuf_detach(&out, NULL);
}

/* Migration 0028 on s (a store of MS_BEFORE_0028 at the version before):
 * the valid interactions of the day are what they were before it (only
 * the resident's answered question); a bridge's messages ingested into
 * the day afterwards, one of them answered, change nothing; a resident's
 * question posted into it and answered counts. */
static inline void ms_after_0028(struct store *s)
{
	char *before = ms_talk_0028(s);
	assert_string_equal(before, "990101 1\nall 1\n");
	struct app_error e;
	assert_int_equal(store_migrate(s, NULL, &e), APP_OK);
	char *after = ms_talk_0028(s);
	assert_string_equal(after, before);
	free(after);

	struct message in[2] = { *ms_msg(5, 0, "路灯坏了"), *ms_msg(5, 0, "水管漏了") };
	in[0].at = in[1].at = MS_DAY_0028 + 7200;
	const char *keys[] = { "apikey:1/wx:1", "apikey:1/wx:2" };
	struct ingest_counts c;
	assert_int_equal(store_messages_ingest(s, keys, 2, ms_fill, in, ms_json, &c, &e), APP_OK);
	assert_int_equal(c.stored, 2);
	struct message *m = ms_msg(5, 1, "已派人");
	m->reply_to = 14;
	assert_int_equal(store_message_post(s, m, ms_json, &e), APP_OK);
	after = ms_talk_0028(s);
	assert_string_equal(after, before);
	free(after);
	free(before);
	m = ms_msg(5, 2, "路灯几时修？");
	m->at = MS_DAY_0028 + 8000;
	assert_int_equal(store_message_post(s, m, ms_json, &e), APP_OK);
	int64_t question = m->id;
	m = ms_msg(5, 1, "明天修");
	m->reply_to = question;
	assert_int_equal(store_message_post(s, m, ms_json, &e), APP_OK);
	after = ms_talk_0028(s);
	assert_string_equal(after, "990101 2\nall 2\n");
	free(after);
}

/* ---- migration 0029 (the queue of bulk ingest) ----
 *
 * MS_BEFORE_0028's rows, and the key the bridge's message 9 came with as
 * a database of the version before holds it (with its message id). */
#define MS_BEFORE_0029(cols, vals)                                                             \
	MS_BEFORE_0028(cols, vals)                                                             \
	"INSERT INTO ingest_keys (key, message_id, at) VALUES ('apikey:1/wx:9', 9, 1795885400);"

/* Migration 0029 on s (a store of MS_BEFORE_0029 at the version before):
 * the key recorded before is still a repeat, for ingest and for the queue;
 * a call of a new key is taken, pending, and loads into the county group. */
static inline void ms_after_0029(struct store *s)
{
	struct app_error e;
	assert_int_equal(store_migrate(s, NULL, &e), APP_OK);
	struct message in[2] = { *ms_msg(5, 0, "路灯坏了"), *ms_msg(5, 0, "水管漏了") };
	snprintf(in[1].source, sizeof(in[1].source), "bridge");
	const char *keys[] = { "apikey:1/wx:9", "apikey:1/wx:10" };
	struct ingest_counts c;
	assert_int_equal(store_messages_ingest(s, keys, 1, ms_fill, in, ms_json, &c, &e), APP_OK);
	assert_int_equal(c.stored, 0);
	assert_int_equal(c.repeated, 1);

	struct ms_items q;
	ms_items(&q, "m", 2);
	int64_t id;
	assert_int_equal(ms_queue(s, &q, 0, 2, keys, &c, &id, &e), APP_OK);
	assert_int_equal(c.stored, 1);
	assert_int_equal(c.repeated, 1);
	assert_true(id > 0);
	struct ms_calls *p = ms_pending(s, 0);
	assert_int_equal(p->n, 1);
	assert_int_equal(p->call[0].id, id);
	assert_string_equal(p->call[0].body, "|~m2");
	char loaded[16];
	size_t one[] = { 1 };
	assert_int_equal(ms_load(s, &id, one, 1, &in[1], loaded, &e), APP_OK);
	assert_string_equal(loaded, "1");
	/* the group's 7 messages and the one loaded */
	struct ms_ids l = ms_list(s, 5, 0, 0, 100);
	assert_int_equal(l.n, 8);
	int found = 0;
	for (int i = 0; i < l.n; i++)
		found += strcmp(ms_get(s, l.id[i])->body, "水管漏了") == 0;
	assert_int_equal(found, 1);
	assert_int_equal(ms_backlog(s).messages, 0);
	assert_int_equal(ms_pending(s, 0)->n, 0);
}

#endif
