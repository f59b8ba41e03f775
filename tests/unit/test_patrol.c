/*
 * test_patrol.c - unit tests of the patrol's pure parts (src/patrol/patrol.c):
 * when a question must be answered (3 minutes counted in duty hours, across
 * the end of the day's hours and from outside them), what counts as a
 * request, which level a finding is addressed to, an alert's JSON
 * (written directly, src/patrol/alerts.c) as a JSON parser reads it, and
 * the built-in model learnt at build time being the repository's. Times
 * are built from explicit dates, never from the clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "patrol/alerts.h"
#include "patrol/classify.h"
#include "patrol/judge.h"
#include "patrol/patrol.h"
#include "testutil.h"

/* Seconds since the epoch of hh:mm:ss, China time, that many days after
 * Sunday 2026-11-29 (`date -d "2026-11-29 00:00 +08:00" +%s` is
 * 1795881600), computed without clock.c. */
static int64_t at(int day, int hh, int mm, int ss)
{
	return 1795881600 + (int64_t)day * 86400 + hh * 3600 + mm * 60 + ss;
}

enum { H8 = 8 * 60, H20 = 20 * 60 };

static void test_due_in_hours(void **state)
{
	(void)state;
	/* 10:00 asked: due 10:03, to the second */
	assert_int_equal(patrol_ack_due(H8, H20, at(1, 10, 0, 0), 180), at(1, 10, 3, 0));
	assert_int_equal(patrol_ack_due(H8, H20, at(1, 10, 0, 17), 180), at(1, 10, 3, 17));
	/* at the first second of duty hours */
	assert_int_equal(patrol_ack_due(H8, H20, at(1, 8, 0, 0), 180), at(1, 8, 3, 0));
	/* ending exactly as the hours end */
	assert_int_equal(patrol_ack_due(H8, H20, at(1, 19, 57, 0), 180), at(1, 20, 0, 0));
}

static void test_due_across_the_boundary(void **state)
{
	(void)state;
	/* 19:59 asked: one minute today, two tomorrow from 08:00 */
	assert_int_equal(patrol_ack_due(H8, H20, at(1, 19, 59, 0), 180), at(2, 8, 2, 0));
	/* 19:59:30: 30 s today, 150 s tomorrow */
	assert_int_equal(patrol_ack_due(H8, H20, at(1, 19, 59, 30), 180), at(2, 8, 2, 30));
	/* at 20:00 the hours are over: the whole window tomorrow */
	assert_int_equal(patrol_ack_due(H8, H20, at(1, 20, 0, 0), 180), at(2, 8, 3, 0));
	/* 21:00 and 22:00: 08:03 the next day */
	assert_int_equal(patrol_ack_due(H8, H20, at(1, 21, 0, 0), 180), at(2, 8, 3, 0));
	assert_int_equal(patrol_ack_due(H8, H20, at(1, 22, 0, 0), 180), at(2, 8, 3, 0));
	/* 23:59:59 and midnight belong to different China days, same answer */
	assert_int_equal(patrol_ack_due(H8, H20, at(1, 23, 59, 59), 180), at(2, 8, 3, 0));
	assert_int_equal(patrol_ack_due(H8, H20, at(2, 0, 0, 0), 180), at(2, 8, 3, 0));
	/* before the hours start the same morning */
	assert_int_equal(patrol_ack_due(H8, H20, at(2, 6, 30, 0), 180), at(2, 8, 3, 0));
	/* other hours: 09:00-17:30, asked 17:29 -> 1 min today, 2 min tomorrow */
	assert_int_equal(patrol_ack_due(9 * 60, 17 * 60 + 30, at(1, 17, 29, 0), 180),
			 at(2, 9, 2, 0));
	/* hours of one minute a day: the window spans three days */
	assert_int_equal(patrol_ack_due(H8, H8 + 1, at(1, 8, 0, 0), 180), at(3, 8, 1, 0));
	/* round the clock: never deferred */
	assert_int_equal(patrol_ack_due(0, 1440, at(1, 23, 59, 0), 180), at(2, 0, 2, 0));
}

/* The rules of form alone (no model). */
static void test_is_request_by_form(void **state)
{
	(void)state;
	struct patrol_rules r = { NULL, NULL };
	assert_true(patrol_is_request(&r, "低保什么时候发？"));
	assert_true(patrol_is_request(&r, "自来水停了吗"));
	assert_true(patrol_is_request(&r, "请问村委会几点上班"));
	assert_true(patrol_is_request(&r, "路灯坏了，麻烦来看看"));
	assert_false(patrol_is_request(&r, "谢谢书记"));
	assert_false(patrol_is_request(&r, "家里断电三天了")); /* no form, no word: the model's to say */
	assert_false(patrol_is_request(&r, "家里着火了"));
}

/* With the built-in lexicon and model: demands and questions the form
 * misses, an urgent word always; chat never. */
static void test_is_request_builtin(void **state)
{
	(void)state;
	const struct patrol_rules *r = patrol_builtin();
	assert_non_null(r);
	assert_non_null(r->lex);
	assert_non_null(r->model);
	assert_true(patrol_is_request(r, "家里断电三天了"));
	assert_true(patrol_is_request(r, "家里着火了"));
	assert_false(patrol_is_request(r, "谢谢书记"));
	assert_false(patrol_is_request(r, "好的，收到"));
	assert_false(patrol_is_request(r, "哈哈哈"));
}

/* The built-in model (learnt at build time, tools/patrol_model.c) is the
 * one `bianmin classify train --all data/patrol/intent.csv` learns from the
 * repository's lines now: byte for byte, so a stale one is caught. */
static void test_builtin_model_is_learnt(void **state)
{
	(void)state;
	const struct patrol_rules *r = patrol_builtin();
	assert_non_null(r);
	char path[1024];
	const char *top = getenv("BIANMIN_TOP");
	snprintf(path, sizeof(path), "%s/data/patrol/intent.csv", top && *top ? top : ".");
	struct app_error err;
	struct classify_data d;
	struct classify_model *m = NULL;
	struct classify_train_opts o = CLASSIFY_TRAIN_OPTS_INIT;
	o.rows = CLASSIFY_SEL_ALL;
	classify_data_init(&d);
	if (classify_data_load(&d, path, &err) != APP_OK ||
	    classify_train(&d, &o, &m, &err) != APP_OK)
		fail_msg("%s", err.msg);
	struct strbuf built = STRBUF_INIT, learnt = STRBUF_INIT;
	classify_model_write(r->model, &built);
	classify_model_write(m, &learnt);
	assert_int_equal(built.len, learnt.len);
	assert_memory_equal(built.buf, learnt.buf, learnt.len);
	strbuf_release(&built);
	strbuf_release(&learnt);
	classify_model_free(m);
	classify_data_release(&d);
}

/* A message made as messages.c makes one, to be judged. */
static void message_of(struct message *m, const char *kind, const char *body, int64_t reply_to)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->kind, sizeof(m->kind), "%s", kind);
	snprintf(m->body, sizeof(m->body), "%s", body);
	m->reply_to = reply_to;
	m->at = at(1, 10, 0, 0);
}

/* What is remembered of a message as it is posted (patrol_judge). */
static void test_judge(void **state)
{
	(void)state;
	const struct patrol_rules *r = patrol_builtin();
	assert_non_null(r);
	static struct message m;
	message_of(&m, "text", "低保什么时候发？", 0);
	patrol_judge(r, &m, "resident", H8, H20);
	assert_true(m.patrol.judged);
	assert_int_equal(m.patrol.due, at(1, 10, 3, 0)); /* watched for 3 minutes */
	assert_false(m.patrol.answers);
	assert_false(m.patrol.flagged);
	message_of(&m, "text", "下周二发，请留意通知", 41);
	patrol_judge(r, &m, "owner", H8, H20);
	assert_true(m.patrol.answers); /* a cadre's reply ends the watch of message 41 */
	assert_int_equal(m.patrol.due, 0);
	message_of(&m, "text", "低保什么时候发？", 41);
	patrol_judge(r, &m, "resident", H8, H20);
	assert_false(m.patrol.answers); /* a resident's reply answers nothing */
	assert_true(m.patrol.due > 0);
	message_of(&m, "text", "谢谢书记", 0);
	patrol_judge(r, &m, "resident", H8, H20);
	assert_true(m.patrol.judged);
	assert_int_equal(m.patrol.due, 0); /* thanks ask nothing */
	assert_false(m.patrol.flagged);
	message_of(&m, "text", "村口着火了", 0);
	patrol_judge(r, &m, "owner", H8, H20);
	assert_true(m.patrol.flagged); /* an emergency word, whoever says it */
	message_of(&m, "text", "村干部不作为", 0);
	patrol_judge(r, &m, "resident", H8, H20);
	assert_true(m.patrol.flagged); /* a resident's complaint about cadres */
	patrol_judge(r, &m, "admin", H8, H20);
	assert_false(m.patrol.flagged); /* a cadre's own words are no complaint */
	message_of(&m, "broadcast", "请问大家都收到通知了吗？", 0);
	patrol_judge(r, &m, "", H8, H20);
	assert_true(m.patrol.judged); /* policy sent down: nothing to watch */
	assert_int_equal(m.patrol.due, 0);
	assert_false(m.patrol.flagged);
	message_of(&m, "text", "低保什么时候发？", 0);
	patrol_judge(NULL, &m, "resident", H8, H20);
	assert_false(m.patrol.judged); /* no rules: left for the sweep */
}

static void test_supervisor(void **state)
{
	(void)state;
	char out[13];
	patrol_supervisor("990101103200", out);
	assert_string_equal(out, "990101103"); /* a village's town */
	patrol_supervisor("990101103", out);
	assert_string_equal(out, "990101"); /* a town's county */
	patrol_supervisor("990101", out);
	assert_string_equal(out, "990101"); /* a county itself */
}

static void test_kinds(void **state)
{
	(void)state;
	enum patrol_kind k;
	for (int i = 0; i < PATROL_KIND__MAX; i++) {
		assert_non_null(patrol_kind_names_zh[i]);
		assert_true(patrol_kind_parse(patrol_kind_names[i], &k));
		assert_int_equal(k, i);
	}
	assert_false(patrol_kind_parse("nosuch", &k));
}

/* A JSON parser reads back every field of an alert's text, whatever its
 * summary holds; zero times and ids are null. */
static void test_alert_json(void **state)
{
	(void)state;
	struct alert a = { .id = 12, .group_id = 0, .severity = 3, .found_at = at(0, 9, 0, 0),
			   .acknowledged_at = 0, .acknowledged_by = 0 };
	snprintf(a.kind, sizeof(a.kind), "emergency");
	snprintf(a.object, sizeof(a.object), "message:7");
	snprintf(a.region, sizeof(a.region), "990101103200");
	snprintf(a.supervisor, sizeof(a.supervisor), "990101103");
	snprintf(a.summary, sizeof(a.summary), "他说\"着火了\"\\快\n\t\x01/来");
	snprintf(a.state, sizeof(a.state), "open");
	struct strbuf text = STRBUF_INIT;
	alerts_json_text(&a, &text);
	assert_null(strchr(text.buf, '\n'));
	json_error_t je;
	json_t *o = json_loads(text.buf, 0, &je);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "id")), 12);
	assert_string_equal(json_string_value(json_object_get(o, "kind")), "emergency");
	assert_string_equal(json_string_value(json_object_get(o, "kind_name")), "紧急情况");
	assert_string_equal(json_string_value(json_object_get(o, "object")), "message:7");
	assert_string_equal(json_string_value(json_object_get(o, "region")), "990101103200");
	assert_string_equal(json_string_value(json_object_get(o, "supervisor")), "990101103");
	assert_int_equal(json_integer_value(json_object_get(o, "severity")), 3);
	assert_string_equal(json_string_value(json_object_get(o, "summary")), a.summary);
	assert_string_equal(json_string_value(json_object_get(o, "state")), "open");
	assert_true(json_is_null(json_object_get(o, "group_id")));
	assert_string_equal(json_string_value(json_object_get(o, "found_at")),
			    "2026-11-29T01:00:00Z");
	assert_true(json_is_null(json_object_get(o, "acknowledged_at")));
	assert_true(json_is_null(json_object_get(o, "acknowledged_by")));
	assert_int_equal(json_object_size(o), 13);
	json_decref(o);

	a.group_id = 4;
	a.acknowledged_by = 9;
	a.acknowledged_at = at(0, 9, 5, 0);
	o = alerts_json(&a);
	assert_int_equal(json_integer_value(json_object_get(o, "group_id")), 4);
	assert_int_equal(json_integer_value(json_object_get(o, "acknowledged_by")), 9);
	assert_string_equal(json_string_value(json_object_get(o, "acknowledged_at")),
			    "2026-11-29T01:05:00Z");
	json_decref(o);
	strbuf_release(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_due_in_hours), cmocka_unit_test(test_due_across_the_boundary),
		cmocka_unit_test(test_is_request_by_form), cmocka_unit_test(test_is_request_builtin),
		cmocka_unit_test(test_judge), cmocka_unit_test(test_supervisor),
		cmocka_unit_test(test_kinds), cmocka_unit_test(test_alert_json),
		cmocka_unit_test(test_builtin_model_is_learnt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
