/*
 * ingest_cases.h - the bodies of the queued bulk ingest tests
 * (src/groups/ingest.c), run on each backend: test_ingest.c on SQLite,
 * test_ingest_pg.c on PostgreSQL. Each body gets a migrated store holding
 * the demo county (groups_store_cases.h's fixture) and syncs the groups of
 * one town; the queue's loader is started and stopped by the body, and the
 * teardown (iq_teardown_queue) stops it whatever a failing body left.
 *
 * What is covered: a call refused while the loader does not run and while
 * the queue is full (503's APP_EUNAVAIL, nothing taken); counts of queued
 * and repeated keys, one key space with calls stored at once; nothing in
 * the groups until the loader runs, then every queued message once, as
 * sent; what an earlier run left queued stored after a restart; calls that
 * cannot be stored (a group gone, damaged or no bytes) set aside and counted,
 * the others stored. Header-only; include it after <cmocka.h>.
 */
#ifndef TESTS_UNIT_INGEST_CASES_H
#define TESTS_UNIT_INGEST_CASES_H

#include "groups/ingest.h"

/* The set-up helpers of the group tests; their case bodies are not run
 * here, so their unused static functions are no warning. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "groups_store_cases.h"
#pragma GCC diagnostic pop

#include <jansson.h>
#include <string.h>

#define INGEST_CASES(X)                                                                        \
	X(queue_full_then_loaded)                                                              \
	X(queue_restart)                                                                       \
	X(queue_set_aside)

/* The loader stores a handful of messages in milliseconds; this bounds a
 * wait that only a broken loader reaches. */
enum { IQ_SETTLE_MS = 20000 };

/* A bridge's API key for the demo town. */
static inline struct auth_caller iq_bridge(void)
{
	struct auth_caller c = { .kind = AUTH_API_KEY, .key_id = 7, .ngrants = 1,
				 .perms = PERM_INGEST };
	snprintf(c.actor, sizeof(c.actor), "apikey:7");
	c.grants[0].role = ROLE_BRIDGE;
	snprintf(c.grants[0].region, sizeof(c.grants[0].region), "%s", GS_TOWN);
	return c;
}

/* The demo town's groups synced; the first village's group. */
static inline struct group iq_village(struct store *s)
{
	struct group_sync_counts n;
	struct audit_note note = gs_note("region:" GS_COUNTY, "groups.sync");
	struct app_error e;
	if (store_groups_sync(s, GS_TOWN, GS_NOW, &note, &n, &e) != APP_OK)
		fail_msg("sync %s: %s", GS_TOWN, e.msg);
	return gs_standing(s, GS_VILLAGE, "village");
}

/* One item of a call: key, group, text (the author is "微信用户"). */
static inline json_t *iq_item(const char *key, int64_t group, const char *text)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:s}", "key", key, "group", (json_int_t)group,
			 "author", "微信用户", "text", text, "at", "2026-11-28T09:30:00+08:00");
}

/* Send the items (a JSON array, consumed) as one call; the result, with
 * counts in *n. */
static inline enum app_err iq_send(struct store *s, json_t *items, bool queued,
				   struct ingest_counts *n, struct app_error *e)
{
	struct auth_caller c = iq_bridge();
	enum app_err rc = ingest_messages(s, &c, items, queued, n, e);
	json_decref(items);
	return rc;
}

/* The group's bridged messages, "text" joined by "|" oldest first, into
 * out (cap bytes); asserts each is a bridge's, as sent. */
struct iq_list {
	char *out;
	size_t cap;
};

static inline bool iq_list_fn(void *ctx, const struct message *m)
{
	struct iq_list *l = ctx;
	if (strcmp(m->source, "bridge") != 0)
		return true;
	assert_string_equal(m->author_name, "微信用户");
	assert_int_equal(m->author_id, 0);
	assert_int_equal(m->at, 1795829400); /* 2026-11-28T09:30:00+08:00 */
	size_t used = strlen(l->out);
	snprintf(l->out + used, l->cap - used, "%s%s", used ? "|" : "", m->body);
	return true;
}

static inline const char *iq_texts(struct store *s, int64_t group, char *out, size_t cap)
{
	struct iq_list l = { out, cap };
	struct app_error e;
	out[0] = '\0';
	if (store_messages_list(s, group, 0, 0, 200, iq_list_fn, &l, &e) != APP_OK)
		fail_msg("list %lld: %s", (long long)group, e.msg);
	return out;
}

static inline struct ingest_queue_stats iq_stats(void)
{
	struct ingest_queue_stats st;
	ingest_queue_stats(&st);
	return st;
}

/* Refused without a loader and when full; counts; one key space with
 * stored calls; stored once the loader may run, each message once. */
static void iq_case_queue_full_then_loaded(struct store *s)
{
	struct group g = iq_village(s);
	struct ingest_counts n;
	struct app_error e;
	char texts[512];

	assert_int_equal(iq_send(s, json_pack("[o]", iq_item("a1", g.id, "一")), true, &n, &e),
			 APP_EUNAVAIL);
	assert_non_null(strstr(e.msg, "not running"));
	assert_int_equal(n.stored + n.repeated, 0);

	assert_int_equal(ingest_queue_start(s, 3, &e), APP_OK);
	ingest_queue_hold(true);
	assert_int_equal(iq_send(s, json_pack("[o,o]", iq_item("a1", g.id, "一"),
					      iq_item("a2", g.id, "二")), true, &n, &e),
			 APP_OK);
	assert_int_equal(n.stored, 2);
	assert_int_equal(n.repeated, 0);
	/* a key queued before, a new one and its repeat in the same call */
	assert_int_equal(iq_send(s, json_pack("[o,o,o]", iq_item("a1", g.id, "一"),
					      iq_item("a3", g.id, "三"), iq_item("a3", g.id, "三")),
				 true, &n, &e),
			 APP_OK);
	assert_int_equal(n.stored, 1);
	assert_int_equal(n.repeated, 2);
	assert_int_equal(iq_stats().queued, 3);
	/* full: three of at most three queued */
	assert_int_equal(iq_send(s, json_pack("[o]", iq_item("a4", g.id, "四")), true, &n, &e),
			 APP_EUNAVAIL);
	assert_non_null(strstr(e.msg, "3 messages are queued"));
	assert_int_equal(n.stored + n.repeated, 0);
	/* a call stored at once shares the keys: a2 is queued, a5 is new */
	assert_int_equal(iq_send(s, json_pack("[o,o]", iq_item("a2", g.id, "二"),
					      iq_item("a5", g.id, "五")), false, &n, &e),
			 APP_OK);
	assert_int_equal(n.stored, 1);
	assert_int_equal(n.repeated, 1);
	/* held: nothing queued is in the group yet */
	assert_string_equal(iq_texts(s, g.id, texts, sizeof(texts)), "五");

	ingest_queue_hold(false);
	assert_true(ingest_queue_settle(IQ_SETTLE_MS));
	assert_string_equal(iq_texts(s, g.id, texts, sizeof(texts)), "五|一|二|三");
	struct ingest_queue_stats st = iq_stats();
	assert_true(st.running);
	assert_int_equal(st.queued, 0);
	assert_int_equal(st.loaded, 3);
	assert_int_equal(st.failed, 0);
	/* room again; the refused a4 was never taken */
	assert_int_equal(iq_send(s, json_pack("[o]", iq_item("a4", g.id, "四")), true, &n, &e),
			 APP_OK);
	assert_int_equal(n.stored, 1);
	assert_true(ingest_queue_settle(IQ_SETTLE_MS));
	assert_string_equal(iq_texts(s, g.id, texts, sizeof(texts)), "五|一|二|三|四");
	/* every key is a repeat now, queued or not */
	assert_int_equal(iq_send(s, json_pack("[o,o]", iq_item("a4", g.id, "四"),
					      iq_item("a5", g.id, "五")), true, &n, &e),
			 APP_OK);
	assert_int_equal(n.stored, 0);
	assert_int_equal(n.repeated, 2);
	ingest_queue_stop();
	assert_false(iq_stats().running);
}

/* What a stopped loader left queued is stored by the next one. */
static void iq_case_queue_restart(struct store *s)
{
	struct group g = iq_village(s);
	struct ingest_counts n;
	struct app_error e;
	char texts[512];
	assert_int_equal(ingest_queue_start(s, 100, &e), APP_OK);
	ingest_queue_hold(true);
	assert_int_equal(iq_send(s, json_pack("[o,o]", iq_item("r1", g.id, "甲"),
					      iq_item("r2", g.id, "乙")), true, &n, &e),
			 APP_OK);
	assert_int_equal(n.stored, 2);
	ingest_queue_stop();
	assert_string_equal(iq_texts(s, g.id, texts, sizeof(texts)), "");
	struct ingest_backlog b;
	assert_int_equal(store_ingest_backlog(s, &b, &e), APP_OK);
	assert_int_equal(b.messages, 2);

	assert_int_equal(ingest_queue_start(s, 100, &e), APP_OK);
	assert_true(ingest_queue_settle(IQ_SETTLE_MS));
	assert_string_equal(iq_texts(s, g.id, texts, sizeof(texts)), "甲|乙");
	assert_int_equal(iq_stats().loaded, 2);
	ingest_queue_stop();
}

/* A call that cannot be stored is set aside and counted; the calls around
 * it are stored. */
static void iq_case_queue_set_aside(struct store *s)
{
	struct group g = iq_village(s);
	struct ingest_counts n;
	struct app_error e;
	char texts[512];
	int64_t id;
	/* four pending calls, as a queue would have kept them: one for a
	 * group that does not exist, damaged bytes, no bytes at all, and a
	 * good one */
	struct strbuf gone = STRBUF_INIT, good = STRBUF_INIT;
	struct ingest_item it = { .group_id = 987654321, .at = 1795829400, .author = "微信用户",
				  .author_len = strlen("微信用户"), .text = "无此群",
				  .text_len = strlen("无此群") };
	ingest_item_encode(&it, &gone);
	it.group_id = g.id;
	it.text = "好的";
	it.text_len = strlen("好的");
	ingest_item_encode(&it, &good);
	static const char damaged[] = "not an encoded message";
	const char *keys[] = { "x1", "x2", "x3", "x4" };
	const void *items[] = { gone.buf, damaged, "", good.buf };
	size_t lens[] = { gone.len, sizeof(damaged), 0, good.len };
	for (int k = 0; k < 4; k++) {
		assert_int_equal(store_ingest_queue(s, &keys[k], &items[k], &lens[k], 1, &n, &id, &e),
				 APP_OK);
		assert_true(id > 0);
	}
	strbuf_release(&gone);
	strbuf_release(&good);

	assert_int_equal(ingest_queue_start(s, 100, &e), APP_OK);
	assert_true(ingest_queue_settle(IQ_SETTLE_MS));
	assert_string_equal(iq_texts(s, g.id, texts, sizeof(texts)), "好的");
	struct ingest_queue_stats st = iq_stats();
	assert_int_equal(st.loaded, 1);
	assert_int_equal(st.failed, 3);
	struct ingest_backlog b;
	assert_int_equal(store_ingest_backlog(s, &b, &e), APP_OK);
	assert_int_equal(b.messages, 0);
	assert_int_equal(b.failed, 3);
	ingest_queue_stop();
}

/* The teardown's first step: the loader stopped, whatever a body left. */
static inline void iq_teardown_queue(void)
{
	ingest_queue_hold(false);
	ingest_queue_stop();
}

#endif
