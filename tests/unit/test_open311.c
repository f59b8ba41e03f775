/*
 * test_open311.c - unit tests of the Open311 mapping (src/cases/open311.c)
 * that need no store: the format of a path, documents written as JSON and
 * as the spec's XML (item names, nulls, escaping), the window of a search
 * (defaults, the 90-day bound to the second, bad times), the status
 * filter, lists of ids, and demands and timeline lines as requests and
 * updates (never a contact, times in China's offset). The API test
 * tests/api/t1300-open311.sh walks the same through the daemon.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cases/open311.h"
#include "core/clock.h"
#include "testutil.h"

#include <string.h>

static void test_format_of(void **state)
{
	(void)state;
	assert_int_equal(open311_format_of("/open311/v2/services.json"), OPEN311_JSON);
	assert_int_equal(open311_format_of("/open311/v2/services/roads.lights.xml"), OPEN311_XML);
	assert_int_equal(open311_format_of("/open311/v2/services.html"), OPEN311_NONE);
	assert_int_equal(open311_format_of("/open311/v2/services"), OPEN311_NONE);
	assert_int_equal(open311_format_of("/open311/v2.json/services"), OPEN311_NONE);
}

/* body written in f into a string (static: one at a time) */
static const char *written(json_t *body, enum open311_format f, const char *root)
{
	static struct strbuf out = STRBUF_INIT;
	strbuf_reset(&out);
	open311_write(body, f, root, &out);
	return out.buf;
}

static void test_write(void **state)
{
	(void)state;
	json_t *doc = json_pack("[{s:s, s:n, s:f, s:b, s:[s, s]}]", "service_request_id", "7",
				"address", "lat", 33.4512, "metadata", 1, "values", "a<b", "x&y");
	assert_string_equal(written(json_incref(doc), OPEN311_JSON, "service_requests"),
			    "[{\"service_request_id\":\"7\",\"address\":null,\"lat\":33.4512,"
			    "\"metadata\":true,\"values\":[\"a<b\",\"x&y\"]}]");
	assert_string_equal(written(doc, OPEN311_XML, "service_requests"),
			    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<service_requests><request>"
			    "<service_request_id>7</service_request_id><address/><lat>33.4512</lat>"
			    "<metadata>true</metadata><values><value>a&lt;b</value>"
			    "<value>x&amp;y</value></values></request></service_requests>\n");
	assert_string_equal(written(open311_errors(403, "no key"), OPEN311_XML, "errors"),
			    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<errors><error><code>403</code>"
			    "<description>no key</description></error></errors>\n");
	assert_string_equal(written(open311_errors(400, "bad \xff"), OPEN311_JSON, "errors"),
			    "[{\"code\":400,\"description\":\"invalid input\"}]");
	assert_string_equal(written(json_array(), OPEN311_XML, "service_request_updates"),
			    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			    "<service_request_updates></service_request_updates>\n");
}

static void test_window(void **state)
{
	(void)state;
	int64_t now, from, until, t;
	struct app_error err;
	assert_true(clock_parse_time("2026-05-11T10:00:00+08:00", &now));
	/* neither: the 90 days up to now, now included */
	assert_int_equal(open311_window(NULL, "", now, &from, &until, &err), APP_OK);
	assert_int_equal(until, now + 1);
	assert_int_equal(from, now - OPEN311_WINDOW);
	/* one: 90 days from or to it */
	assert_int_equal(open311_window("2026-01-01T00:00:00Z", NULL, now, &from, &until, &err),
			 APP_OK);
	assert_true(clock_parse_time("2026-01-01T00:00:00Z", &t));
	assert_int_equal(from, t);
	assert_int_equal(until, t + OPEN311_WINDOW + 1);
	assert_int_equal(open311_window(NULL, "2026-01-01T08:00:00+08:00", now, &from, &until, &err),
			 APP_OK);
	assert_int_equal(until, t + 1);
	/* exactly 90 days is allowed; a second more is not */
	assert_int_equal(open311_window("2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z", now, &from,
					&until, &err), APP_OK);
	assert_int_equal(open311_window("2026-01-01T00:00:00Z", "2026-04-01T00:00:01Z", now, &from,
					&until, &err), APP_EINVAL);
	assert_string_equal(err.field, "end_date");
	assert_non_null(strstr(err.msg, "more than 90 days"));
	assert_int_equal(open311_window("2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z", now, &from,
					&until, &err), APP_EINVAL);
	assert_string_equal(err.msg, "end_date is before start_date");
	assert_int_equal(open311_window("2026-01-02", NULL, now, &from, &until, &err), APP_EINVAL);
	assert_string_equal(err.field, "start_date");
	assert_int_equal(open311_window(NULL, "2026-01-02T00:00:00", now, &from, &until, &err),
			 APP_EINVAL);
	assert_string_equal(err.field, "end_date");
}

static void test_state_and_ids(void **state)
{
	(void)state;
	const char *st;
	struct app_error err;
	assert_int_equal(open311_state(NULL, &st, &err), APP_OK);
	assert_string_equal(st, "");
	assert_int_equal(open311_state("closed,open", &st, &err), APP_OK);
	assert_string_equal(st, "");
	assert_int_equal(open311_state("open", &st, &err), APP_OK);
	assert_string_equal(st, "open");
	assert_int_equal(open311_state("closed", &st, &err), APP_OK);
	assert_string_equal(st, "ended");
	assert_int_equal(open311_state("OPEN", &st, &err), APP_EINVAL);

	static int64_t ids[OPEN311_RESULTS_MAX];
	int n;
	assert_int_equal(open311_ids("17,3,17", ids, &n, &err), APP_OK);
	assert_int_equal(n, 3);
	assert_int_equal(ids[0], 17);
	assert_int_equal(ids[1], 3);
	static const char *const bad[] = { "", "1,,2", "1,", "0", "-1", "1 ", "x",
					   "99999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (open311_ids(bad[i], ids, &n, &err) != APP_EINVAL)
			fail_msg("'%s' was taken for ids", bad[i]);
		assert_string_equal(err.field, "service_request_id");
	}
	struct strbuf many = STRBUF_INIT;
	for (int i = 1; i <= OPEN311_RESULTS_MAX + 1; i++)
		strbuf_addf(&many, "%s%d", i > 1 ? "," : "", i);
	assert_int_equal(open311_ids(many.buf, ids, &n, &err), APP_EINVAL);
	assert_non_null(strstr(err.msg, "more than 1000 ids"));
	strbuf_release(&many);
}

static void test_request_and_update(void **state)
{
	(void)state;
	static struct case_row d;
	memset(&d, 0, sizeof(d));
	d.id = 17;
	snprintf(d.state, sizeof(d.state), "merged");
	d.merged_into = 12;
	snprintf(d.category, sizeof(d.category), "roads.lights");
	snprintf(d.description, sizeof(d.description), "路灯坏了");
	snprintf(d.contact_name, sizeof(d.contact_name), "张三");
	snprintf(d.contact_phone, sizeof(d.contact_phone), "13912345678");
	d.level = 2;
	assert_true(clock_parse_time("2026-05-11T02:00:05Z", &d.created_at));
	d.updated_at = d.created_at;
	struct open311_tree t = { NULL }; /* the built-in tree */
	json_t *r = open311_request(&t, &d);
	const char *json = written(r, OPEN311_JSON, "service_requests");
	assert_non_null(strstr(json, "\"service_request_id\":\"17\",\"status\":\"closed\","
				     "\"status_notes\":\"已合并到诉求 12\""));
	assert_non_null(strstr(json, "\"service_name\":\"路灯\""));
	assert_non_null(strstr(json, "\"agency_responsible\":\"乡镇\""));
	assert_non_null(strstr(json, "\"requested_datetime\":\"2026-05-11T10:00:05+08:00\""));
	assert_non_null(strstr(json, "\"lat\":null"));
	assert_null(strstr(json, "张三"));
	assert_null(strstr(json, "1391234"));

	struct case_event_row e = { .id = 40, .case_id = 17, .level = 2 };
	e.at = d.created_at;
	snprintf(e.action, sizeof(e.action), "escalated");
	snprintf(e.to_state, sizeof(e.to_state), "received");
	snprintf(e.detail, sizeof(e.detail), "town");
	assert_string_equal(written(open311_update(&e), OPEN311_JSON, "service_request_updates"),
			    "{\"update_id\":\"40\",\"service_request_id\":\"17\",\"status\":\"open\","
			    "\"updated_datetime\":\"2026-05-11T10:00:05+08:00\","
			    "\"description\":\"升级至乡镇\",\"media_url\":null}");
	snprintf(e.action, sizeof(e.action), "clock.missed");
	snprintf(e.clock, sizeof(e.clock), "ack");
	e.detail[0] = '\0';
	assert_non_null(strstr(written(open311_update(&e), OPEN311_JSON, "x"),
			       "\"description\":\"超时（受理）\""));
	snprintf(e.action, sizeof(e.action), "close");
	snprintf(e.to_state, sizeof(e.to_state), "closed");
	e.clock[0] = '\0';
	snprintf(e.detail, sizeof(e.detail), "已回访张三 13912345678");
	/* what happened, never the note a cadre wrote with it (it may name people) */
	assert_non_null(strstr(written(open311_update(&e), OPEN311_XML, "service_request_updates"),
			       "<status>closed</status><updated_datetime>2026-05-11T10:00:05+08:00"
			       "</updated_datetime><description>关闭</description>"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_of),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_state_and_ids),
		cmocka_unit_test(test_request_and_update),
	};
	return cmocka_run_group_tests_name("open311", tests, NULL, NULL);
}
