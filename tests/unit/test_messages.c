/*
 * test_messages.c - unit tests of the event data of a message
 * (messages_event_json in src/groups/messages.c).
 *
 * A new or changed message is announced to the group with the JSON a member
 * sees of it. That JSON is written without building a tree (a bulk ingest
 * writes one per message); what live clients receive must stay the bytes the
 * tree gave: json_dumps(messages_json(m, false), JSON_COMPACT). Each case
 * compares the two, over the states, the optional fields and text that
 * needs escaping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "groups/messages.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct message *message(const char *body, const char *state)
{
	struct message *m = calloc(1, sizeof(*m));
	assert_non_null(m);
	m->id = 123456789012;
	m->group_id = 81;
	snprintf(m->county, sizeof(m->county), "990101");
	snprintf(m->author_name, sizeof(m->author_name), "张三");
	snprintf(m->kind, sizeof(m->kind), "text");
	snprintf(m->body, sizeof(m->body), "%s", body);
	snprintf(m->state, sizeof(m->state), "%s", state);
	snprintf(m->source, sizeof(m->source), "bridge");
	m->at = 1764400000;
	return m;
}

/* The event data of m equals what the tree of messages_json dumps. */
static void assert_same(const struct message *m)
{
	json_t *o = messages_json(m, false);
	char *want = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	struct strbuf got = STRBUF_INIT;
	messages_event_json(m, &got);
	assert_string_equal(got.buf, want);
	strbuf_release(&got);
	free(want);
}

static void test_bridged_text(void **state)
{
	(void)state;
	struct message *m = message("村口的路灯坏了，晚上很黑。", "visible");
	assert_same(m);
	free(m);
}

static void test_every_field(void **state)
{
	(void)state;
	struct message *m = message("请看图", "visible");
	m->author_id = 42;
	snprintf(m->kind, sizeof(m->kind), "image");
	m->reply_to = 7;
	m->nmentions = 3;
	m->mentions[0] = 1;
	m->mentions[1] = 22;
	m->mentions[2] = 333;
	memset(m->attachment, 'a', ATTACHMENT_SHA_LEN);
	m->broadcast_id = 9;
	snprintf(m->source, sizeof(m->source), "app");
	assert_same(m);
	free(m);
}

static void test_recalled_and_hidden(void **state)
{
	(void)state;
	static const char *const states[] = { "recalled", "hidden" };
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		struct message *m = message("不该再给人看的话", states[i]);
		memset(m->attachment, 'b', ATTACHMENT_SHA_LEN);
		snprintf(m->state_reason, sizeof(m->state_reason), "广告");
		assert_same(m); /* neither text nor image, and the notice */
		free(m);
	}
}

static void test_escapes(void **state)
{
	(void)state;
	struct message *m = message("引号\"反斜杠\\ 斜杠/ 换行\n制表\t回车\r退格\b换页\f"
				    "\x01\x1f\x7f 结束",
				    "visible");
	snprintf(m->author_name, sizeof(m->author_name), "王\"五\\");
	assert_same(m);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bridged_text),
		cmocka_unit_test(test_every_field),
		cmocka_unit_test(test_recalled_and_hidden),
		cmocka_unit_test(test_escapes),
	};
	return cmocka_run_group_tests_name("messages", tests, NULL, NULL);
}
