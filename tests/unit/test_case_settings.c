/*
 * test_case_settings.c - what a county may configure for its demands,
 * without a store (src/cases/case_settings.c): the defaults a county starts
 * with and the rules the engine gets from them; the value parser (units,
 * zero, absurd values, the warning share, duty hours, unknown names: each
 * refused in plain words, leaving the settings as they were, and values
 * kept in their canonical form); the category file parser (the format, and
 * every refusal with its line). The store side is case_settings_store_cases.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cases/case_settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct case_settings cs;

static int setup(void **state)
{
	(void)state;
	case_settings_defaults(&cs, "990101");
	return 0;
}

/* Set name=value; assert it works and reads back as want. */
static void set_ok(const char *name, const char *value, const char *want)
{
	struct app_error e;
	if (case_settings_apply(&cs, name, value, &e) != APP_OK)
		fail_msg("%s=%s: %s", name, value, e.msg);
	for (int i = 0; i < CASE_SETTING__MAX; i++)
		if (strcmp(case_settings_name(i), name) == 0)
			assert_string_equal(cs.setting[i].value, want);
}

/* Set name=value; assert it is refused naming field with a message that
 * contains part, and that nothing changed. */
static void set_refused(const char *name, const char *value, const char *field, const char *part)
{
	struct case_settings before = cs;
	struct app_error e;
	assert_int_equal(case_settings_apply(&cs, name, value, &e), APP_EINVAL);
	assert_string_equal(e.field, field);
	if (!strstr(e.msg, part))
		fail_msg("%s=%s: '%s' does not say '%s'", name, value, e.msg, part);
	assert_memory_equal(&before, &cs, sizeof(cs));
}

static void test_defaults(void **state)
{
	(void)state;
	static const char *const want[CASE_SETTING__MAX] = {
		"3m", "2h", "24h", "7wd", "15wd", "30m", "1wd", "80%", "08:00-20:00",
	};
	for (int i = 0; i < CASE_SETTING__MAX; i++) {
		assert_string_equal(cs.setting[i].value, want[i]);
		assert_string_equal(cs.setting[i].set_by, "");
		assert_non_null(case_settings_label(i));
	}
	assert_string_equal(case_settings_name(CASE_SETTING_RESOLVE_GENERAL), "resolve.general");
	assert_int_equal(cs.version, 0);
	assert_false(cs.own_tree);
	size_t n;
	assert_ptr_equal(cs.categories, categories_all(&n));
	assert_int_equal(cs.ncategories, n);
	const struct category *water = case_settings_category(&cs, "utilities.water");
	assert_non_null(water);
	assert_string_equal(water->parent, "utilities");
	assert_int_equal(water->urgency, DEMAND_UTILITIES);
	assert_null(case_settings_category(&cs, "nosuch"));
	assert_null(case_settings_category(&cs, NULL));
}

/* The defaults make the rules the engine always had. */
static void test_rules(void **state)
{
	(void)state;
	for (int u = 0; u < DEMAND_URGENCY__MAX; u++) {
		struct case_rules got, want;
		struct app_error e;
		case_settings_rules(&cs, (enum demand_urgency)u, &got);
		demand_default_rules((enum demand_urgency)u, &want);
		assert_memory_equal(&got, &want, sizeof(got));
		assert_int_equal(case_rules_check(&got, &e), APP_OK);
	}
	struct case_rules r;
	case_settings_rules(&cs, DEMAND_GENERAL, &r);
	assert_int_equal(r.limit[CASE_CLOCK_RESOLVE].unit, CALENDAR_WORKDAYS);
	assert_int_equal(r.limit[CASE_CLOCK_RESOLVE].amount, 7);
	assert_true(r.limit[CASE_CLOCK_ACK].duty_hours);
	assert_true(r.limit[CASE_CLOCK_ACK].escalates);
	assert_false(r.limit[CASE_CLOCK_ARRIVE].escalates);
	case_settings_rules(&cs, DEMAND_EMERGENCY, &r);
	assert_false(r.limit[CASE_CLOCK_ACK].duty_hours); /* around the clock */
}

/* A county's values reach the rules: the general limit, the warning share,
 * the acknowledgement, the follow-up. */
static void test_values(void **state)
{
	(void)state;
	set_ok("resolve.general", "5wd", "5wd");
	set_ok("warn", "75%", "75%");
	set_ok("ack", "05m", "5m"); /* kept as it reads best */
	set_ok("arrive", "1h", "1h");
	set_ok("followup", "48h", "48h");
	set_ok("resolve.emergency", "90m", "90m");
	set_ok("resolve.complex", "720h", "720h"); /* the longest */
	set_ok("duty_hours", "07:30-24:00", "07:30-24:00");
	struct case_rules r;
	case_settings_rules(&cs, DEMAND_GENERAL, &r);
	assert_int_equal(r.limit[CASE_CLOCK_RESOLVE].amount, 5);
	assert_int_equal(r.limit[CASE_CLOCK_RESOLVE].unit, CALENDAR_WORKDAYS);
	assert_int_equal(r.warn_percent, 75);
	assert_int_equal(r.limit[CASE_CLOCK_ACK].amount, 5);
	assert_int_equal(r.limit[CASE_CLOCK_ARRIVE].unit, CALENDAR_HOURS);
	assert_int_equal(r.limit[CASE_CLOCK_FOLLOWUP].amount, 48);
	case_settings_rules(&cs, DEMAND_EMERGENCY, &r);
	assert_int_equal(r.limit[CASE_CLOCK_RESOLVE].unit, CALENDAR_MINUTES);
	assert_int_equal(r.limit[CASE_CLOCK_RESOLVE].amount, 90);
	assert_int_equal(cs.duty_start, 7 * 60 + 30);
	assert_int_equal(cs.duty_end, 24 * 60);
	struct app_error e;
	assert_int_equal(case_rules_check(&r, &e), APP_OK);
}

static void test_refused(void **state)
{
	(void)state;
	set_refused("resolve.genral", "5wd", "name", "unknown setting 'resolve.genral'; known: ack");
	set_refused("", "5wd", "name", "unknown setting");
	set_refused("ack", "3x", "ack", "unknown unit 'x' in '3x'");
	set_refused("ack", "3 m", "ack", "unknown unit");
	set_refused("ack", "3", "ack", "unknown unit '' in '3'");
	set_refused("ack", "m", "ack", "'m' is no limit");
	set_refused("ack", "", "ack", "is no limit");
	set_refused("ack", "-3m", "ack", "is no limit");
	set_refused("ack", "0m", "ack", "zero");
	set_refused("resolve.general", "0wd", "resolve.general", "zero");
	set_refused("ack", "1wd", "ack", "not in working days");
	set_refused("arrive", "2wd", "arrive", "not in working days");
	set_refused("ack", "25h", "ack", "at most 24h");
	set_refused("ack", "1441m", "ack", "at most 24h");
	set_refused("resolve.general", "61wd", "resolve.general", "at most 720h or 60wd");
	set_refused("resolve.utilities", "721h", "resolve.utilities", "longer than this limit");
	set_refused("resolve.general", "99999999999999999999wd", "resolve.general", "longer");
	set_refused("followup", "11wd", "followup", "at most 168h or 10wd");
	set_refused("warn", "80", "warn", "as a percentage, such as 80%");
	set_refused("warn", "0%", "warn", "1% to 99%");
	set_refused("warn", "100%", "warn", "1% to 99%");
	set_refused("warn", "12345%", "warn", "1% to 99%");
	set_refused("warn", "%", "warn", "percentage");
	set_refused("duty_hours", "8:00-20:00", "duty_hours", "HH:MM-HH:MM");
	set_refused("duty_hours", "08:00-25:00", "duty_hours", "HH:MM-HH:MM");
	set_refused("duty_hours", "08:60-20:00", "duty_hours", "HH:MM-HH:MM");
	set_refused("duty_hours", "24:30-24:40", "duty_hours", "HH:MM-HH:MM");
	set_refused("duty_hours", "08:00~20:00", "duty_hours", "HH:MM-HH:MM");
	set_refused("duty_hours", "20:00-08:00", "duty_hours", "end after they start");
	set_refused("duty_hours", "08:00-08:00", "duty_hours", "end after they start");
}

/* Parse text as a category file: rows and their count, or the error. */
static enum app_err parse(const char *text, struct case_category_row **rows, size_t *n,
			  struct app_error *e)
{
	size_t len = strlen(text);
	char *buf = malloc(len + 1);
	assert_non_null(buf);
	memcpy(buf, text, len + 1);
	enum app_err rc = case_settings_parse_categories(buf, len, rows, n, e);
	free(buf);
	return rc;
}

#define HEADER "code,parent,name,urgency,active\n"

static void test_parse_categories(void **state)
{
	(void)state;
	struct case_category_row *rows;
	size_t n;
	struct app_error e;
	assert_int_equal(parse("\xEF\xBB\xBF" HEADER "water,,供水,utilities,yes\r\n"
			       "water.pipes,water,\"管网, 漏水\",emergency,yes\n"
			       "\n"
			       "old,,旧分类,general,no\n",
			       &rows, &n, &e),
			 APP_OK);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].code, "water");
	assert_string_equal(rows[0].parent, "");
	assert_string_equal(rows[0].urgency, "utilities");
	assert_int_equal(rows[0].sort, 1);
	assert_true(rows[0].active);
	assert_string_equal(rows[1].parent, "water");
	assert_string_equal(rows[1].name, "管网, 漏水");
	assert_int_equal(rows[1].sort, 2);
	assert_false(rows[2].active);
	free(rows);
}

/* Each refusal names its line and what is wrong. */
static void test_parse_refused(void **state)
{
	(void)state;
	static const struct {
		const char *text, *part;
		enum app_err code;
	} bad[] = {
		{ "", "the first line must be code,parent,name,urgency,active", APP_EINVAL },
		{ "code,parent,name,urgency\n", "line 1: the first line must be", APP_EINVAL },
		{ HEADER, "the file lists no category", APP_EINVAL },
		{ HEADER "a,,甲,general\n", "line 2: 4 fields", APP_EINVAL },
		{ HEADER "A,,甲,general,yes\n", "line 2: code 'A' must be", APP_EINVAL },
		{ HEADER ",,甲,general,yes\n", "line 2: code '' must be", APP_EINVAL },
		{ HEADER "a,,甲,general,yes\nb,,乙,general,yes\na,,丙,general,yes\n",
		  "line 4: code 'a' is already on line 2", APP_EINVAL },
		{ HEADER "a.b,a,甲,general,yes\na,,乙,general,yes\n",
		  "line 2: unknown parent 'a' (a parent must be on an earlier line)", APP_EINVAL },
		{ HEADER "a,a,甲,general,yes\n", "line 2: unknown parent 'a'", APP_EINVAL },
		{ HEADER "a,,,general,yes\n", "line 2: the name of 'a' is empty", APP_EINVAL },
		{ HEADER "a,,\xff,general,yes\n", "line 2: the name of 'a' is not valid UTF-8",
		  APP_EINVAL },
		{ HEADER "a,,一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一,general,"
			 "yes\n",
		  "line 2: the name of 'a' is longer than 30 characters", APP_EINVAL },
		{ HEADER "a,,甲,urgent,yes\n",
		  "line 2: urgency 'urgent' is not emergency, utilities, general or complex",
		  APP_EINVAL },
		{ HEADER "a,,甲,general,1\n", "line 2: active must be yes or no, not '1'",
		  APP_EINVAL },
		{ HEADER "a,,甲,general,no\na.b,a,乙,general,yes\n",
		  "line 3: 'a.b' is active but its parent 'a' is not", APP_EINVAL },
		{ HEADER "a,,\"甲,general,yes\n", "line 2", APP_EINVAL },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct case_category_row *rows = NULL;
		size_t n = 0;
		struct app_error e;
		assert_int_equal(parse(bad[i].text, &rows, &n, &e), bad[i].code);
		if (!strstr(e.msg, bad[i].part))
			fail_msg("case %zu: '%s' does not say '%s'", i, e.msg, bad[i].part);
		assert_null(rows);
	}
}

/* At most CASE_CATEGORIES_MAX categories. */
static void test_parse_too_many(void **state)
{
	(void)state;
	size_t cap = 64 * (CASE_CATEGORIES_MAX + 2);
	char *text = malloc(cap);
	assert_non_null(text);
	size_t used = (size_t)snprintf(text, cap, HEADER);
	for (int i = 0; i <= CASE_CATEGORIES_MAX; i++)
		used += (size_t)snprintf(text + used, cap - used, "c%d,,分类%d,general,yes\n", i, i);
	struct case_category_row *rows = NULL;
	size_t n;
	struct app_error e;
	assert_int_equal(parse(text, &rows, &n, &e), APP_ETOOBIG);
	assert_non_null(strstr(e.msg, "at most 500 categories"));
	assert_null(rows);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, setup),
		cmocka_unit_test_setup(test_rules, setup),
		cmocka_unit_test_setup(test_values, setup),
		cmocka_unit_test_setup(test_refused, setup),
		cmocka_unit_test(test_parse_categories),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_parse_too_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
