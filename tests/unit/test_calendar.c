/*
 * test_calendar.c - unit tests of the working-day calendar (core/calendar.h):
 * the 2024-2026 holidays and make-up workdays compiled into the binary, the
 * weekday rule around them, imports that override and extend them, the
 * clocks (minutes and hours around the clock, working days after the day of
 * receipt) and their reverse, and calendar files refused whole with the
 * line named. Instants are built from explicit dates, never from the clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/calendar.h"
#include "core/clock.h"
#include "testutil.h"

#include <string.h>

enum { H = 60, DAY = 1440 };

/* Seconds since the epoch of hh:mm China time on day. */
static int64_t at(int day, int hh, int mm) { return clock_china_time(day, hh * 60 + mm); }

static int setup(void **state)
{
	struct calendar *cal = calloc(1, sizeof(*cal));
	struct app_error e;
	calendar_init(cal);
	if (calendar_add_builtin(cal, &e) != APP_OK) {
		print_error("%s\n", e.msg);
		return -1;
	}
	*state = cal;
	return 0;
}

static int teardown(void **state)
{
	calendar_release(*state);
	free(*state);
	return 0;
}

/* Parse text (a copy) into a fresh array; returns the result code. */
static enum app_err parse(const char *text, struct calendar_entry **out, size_t *n,
			  struct app_error *e)
{
	size_t len;
	char *buf = tu_dup(text, &len);
	enum app_err rc = calendar_parse(buf, len, CALENDAR_IMPORTED, out, n, e);
	free(buf);
	return rc;
}

static void test_builtin_files(void **state)
{
	(void)state;
	assert_true(calendar_builtin_count() >= 1);
	assert_string_equal(calendar_builtin_name(0), "cn-2024-2026.csv");
	assert_null(calendar_builtin_name(calendar_builtin_count()));
}

static void test_makeup_workdays_2024(void **state)
{
	const struct calendar *cal = *state;
	/* every one a Saturday or Sunday that is worked (调休上班) */
	const int days[] = { 20240204, 20240218, 20240407, 20240428,
			     20240511, 20240914, 20240929, 20241012 };
	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		if (!calendar_is_workday(cal, days[i]))
			fail_msg("%d should be a workday", days[i]);
		assert_true(clock_weekday(days[i]) >= 5);
		const struct calendar_entry *e = calendar_entry_of(cal, days[i]);
		assert_non_null(e);
		assert_int_equal(e->kind, CALENDAR_WORKDAY);
		assert_int_equal(e->origin, CALENDAR_BUILTIN);
	}
	assert_string_equal(calendar_entry_of(cal, 20240204)->name, "春节");
	assert_string_equal(calendar_entry_of(cal, 20241012)->name, "国庆节");
}

static void test_holidays(void **state)
{
	const struct calendar *cal = *state;
	for (int d = 20241001; d <= 20241007; d++)
		if (calendar_is_workday(cal, d))
			fail_msg("%d (国庆节) should be off", d);
	assert_string_equal(calendar_entry_of(cal, 20241003)->name, "国庆节");
	assert_false(calendar_is_workday(cal, 20240212)); /* a Monday of 春节 */
	for (int d = 20250128; d != 20250205; d = clock_day_add(d, 1))
		if (calendar_is_workday(cal, d))
			fail_msg("%d (春节 2025) should be off", d);
	assert_false(calendar_is_workday(cal, 20260216));
	assert_false(calendar_is_workday(cal, 20240101));
	assert_false(calendar_is_workday(cal, 20251008)); /* 国庆节、中秋节 2025 */
	/* the working days around them */
	assert_true(calendar_is_workday(cal, 20241008));
	assert_true(calendar_is_workday(cal, 20240930));
	assert_true(calendar_is_workday(cal, 20250205));
}

static void test_weekday_rule(void **state)
{
	const struct calendar *cal = *state;
	assert_false(calendar_is_workday(cal, 20240309)); /* Saturday */
	assert_false(calendar_is_workday(cal, 20240310)); /* Sunday */
	assert_true(calendar_is_workday(cal, 20240311));  /* Monday */
	assert_true(calendar_is_workday(cal, 20240315));  /* Friday */
	/* a year the calendar does not cover: the weekday rule alone */
	assert_false(calendar_covers_year(cal, 2030));
	assert_false(calendar_is_workday(cal, 20300105));
	assert_true(calendar_is_workday(cal, 20300101)); /* no holiday known */
	assert_false(calendar_is_workday(cal, 19991002)); /* before any entry */
	struct calendar empty;
	calendar_init(&empty);
	assert_true(calendar_is_workday(&empty, 20241001));
	assert_false(calendar_is_workday(&empty, 20240204));
	assert_int_equal(calendar_workdays_between(&empty, 20240101, 20241231), 262);
	calendar_release(&empty);
}

static void test_years(void **state)
{
	const struct calendar *cal = *state;
	assert_false(calendar_covers_year(cal, 2023));
	for (int y = 2024; y <= 2026; y++)
		assert_true(calendar_covers_year(cal, y));
	assert_false(calendar_covers_year(cal, 2027));
	/* counted by hand from the notices: 2024 has the well-known 251 */
	assert_int_equal(calendar_workdays_between(cal, 20240101, 20241231), 251);
	assert_int_equal(calendar_workdays_between(cal, 20250101, 20251231), 248);
	assert_int_equal(calendar_workdays_between(cal, 20260101, 20261231), 248);
	assert_int_equal(calendar_workdays_between(cal, 20241001, 20241007), 0);
	assert_int_equal(calendar_workdays_between(cal, 20241231, 20240101), 0);
	size_t n;
	const struct calendar_entry *e = calendar_entries(cal, 20240101, 20241231, &n);
	assert_non_null(e);
	assert_int_equal(n, 36);
	assert_int_equal(e[0].day, 20240101);
	assert_int_equal(e[n - 1].day, 20241012);
	assert_null(calendar_entries(cal, 20270101, 20271231, &n));
	assert_int_equal(n, 0);
}

static void test_due_workdays_guoqing(void **state)
{
	const struct calendar *cal = *state;
	/* received Friday 2024-09-27 10:00: day 1 is the make-up Sunday 9/29,
	 * day 2 Monday 9/30, then 国庆 10/1-7, days 3-6 10/8-10/11, day 7 the
	 * make-up Saturday 10/12; due at its end, 24:00 */
	int64_t due;
	struct app_error e;
	assert_int_equal(at(20240927, 10, 0), 1727366400 + 10 * 3600); /* `date -d` */
	assert_int_equal(calendar_due(cal, at(20240927, 10, 0), CALENDAR_WORKDAYS, 7, &due, &e),
			 APP_OK);
	assert_int_equal(due, 1728748800); /* 2024-10-13 00:00 +08:00 */
	assert_int_equal(due, at(20241012, 24, 0));
	/* the hour of receipt does not matter, nor receiving on the Saturday */
	assert_int_equal(calendar_due(cal, at(20240927, 0, 0), CALENDAR_WORKDAYS, 7, &due, &e),
			 APP_OK);
	assert_int_equal(due, at(20241013, 0, 0));
	assert_int_equal(calendar_due(cal, at(20240928, 23, 59), CALENDAR_WORKDAYS, 7, &due, &e),
			 APP_OK);
	assert_int_equal(due, at(20241013, 0, 0));
	/* 15 working days: 10/12, then 10/14 .. 10/18, 10/21 .. 10/25 */
	assert_int_equal(calendar_due(cal, at(20240927, 10, 0), CALENDAR_WORKDAYS, 15, &due, &e),
			 APP_OK);
	assert_int_equal(due, at(20241023, 24, 0));
	/* received during the holiday: counting starts on 10/8 */
	assert_int_equal(calendar_due(cal, at(20241003, 9, 0), CALENDAR_WORKDAYS, 1, &due, &e),
			 APP_OK);
	assert_int_equal(due, at(20241008, 24, 0));
}

static void test_due_around_the_clock(void **state)
{
	const struct calendar *cal = *state;
	int64_t due;
	struct app_error e;
	/* 24 hours from Friday 18:00 end on Saturday 18:00: weekends count */
	assert_int_equal(calendar_due(cal, at(20240308, 18, 0), CALENDAR_HOURS, 24, &due, &e),
			 APP_OK);
	assert_int_equal(due, at(20240309, 18, 0));
	/* and holidays: an emergency on 国庆 night */
	assert_int_equal(calendar_due(cal, at(20241001, 23, 30), CALENDAR_HOURS, 2, &due, &e),
			 APP_OK);
	assert_int_equal(due, at(20241002, 1, 30));
	assert_int_equal(calendar_due(cal, at(20241001, 23, 30) + 17, CALENDAR_MINUTES, 30, &due,
				      &e),
			 APP_OK);
	assert_int_equal(due, at(20241002, 0, 0) + 17);
}

static void test_due_makeup_sunday(void **state)
{
	const struct calendar *cal = *state;
	int64_t due;
	struct app_error e;
	/* received on the make-up Sunday 2024-02-04: a working day, so
	 * counting starts Monday: 2/5-2/9 are days 1-5, 春节 2/10-17, the
	 * make-up Sunday 2/18 day 6, Monday 2/19 day 7 */
	assert_int_equal(at(20240204, 10, 0), 1707012000); /* `date -d` */
	assert_int_equal(calendar_due(cal, at(20240204, 10, 0), CALENDAR_WORKDAYS, 1, &due, &e),
			 APP_OK);
	assert_int_equal(due, at(20240205, 24, 0));
	assert_int_equal(calendar_due(cal, at(20240204, 10, 0), CALENDAR_WORKDAYS, 7, &due, &e),
			 APP_OK);
	assert_int_equal(due, at(20240219, 24, 0));
	/* received the Saturday before: that Sunday is its first working day */
	assert_int_equal(calendar_due(cal, at(20240203, 15, 0), CALENDAR_WORKDAYS, 1, &due, &e),
			 APP_OK);
	assert_int_equal(due, at(20240204, 24, 0));
	/* without the calendar the Sunday would not count */
	struct calendar empty;
	calendar_init(&empty);
	assert_int_equal(calendar_due(&empty, at(20240203, 15, 0), CALENDAR_WORKDAYS, 1, &due, &e),
			 APP_OK);
	assert_int_equal(due, at(20240205, 24, 0));
	calendar_release(&empty);
}

static void test_elapsed(void **state)
{
	const struct calendar *cal = *state;
	int64_t start = at(20240927, 10, 0), m, t;
	struct app_error e;
	struct {
		int64_t now;
		int64_t minutes;
	} cases[] = {
		{ at(20240927, 9, 0), 0 },             /* before the start */
		{ at(20240927, 23, 0), 0 },            /* the day of receipt does not count */
		{ at(20240928, 12, 0), 0 },            /* a Saturday off */
		{ at(20240929, 12, 0), 12 * H },       /* the make-up Sunday, half gone */
		{ at(20241005, 12, 0), 2 * DAY },      /* 9/29 and 9/30, then 国庆 */
		{ at(20241008, 6, 30), 2 * DAY + 390 }, /* back to work */
		{ at(20241012, 6, 0), 6 * DAY + 6 * H },
		{ at(20241013, 0, 0), 7 * DAY },       /* the due instant */
		{ at(20241013, 12, 0), 7 * DAY },      /* a Sunday: nothing more */
		{ at(20241014, 12, 0), 7 * DAY + 12 * H }, /* overdue by half a day */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(calendar_elapsed(cal, start, CALENDAR_WORKDAYS, cases[i].now, &m,
						  &e),
				 APP_OK);
		if (m != cases[i].minutes)
			fail_msg("case %zu: %lld minutes, want %lld", i, (long long)m,
				 (long long)cases[i].minutes);
	}
	/* a warning at 80% of 7 working days: 5 days and 864 minutes, on the
	 * 6th working day (10/11) at 14:24 */
	assert_int_equal(calendar_after(cal, start, CALENDAR_WORKDAYS, 7 * DAY * 4 / 5, &t, &e),
			 APP_OK);
	assert_int_equal(t, at(20241011, 14, 24));
	assert_int_equal(calendar_after(cal, start, CALENDAR_WORKDAYS, 0, &t, &e), APP_OK);
	assert_int_equal(t, start);
	/* around the clock: whole minutes since the start */
	assert_int_equal(calendar_elapsed(cal, start, CALENDAR_HOURS, start + 3 * 3600 + 59, &m,
					  &e),
			 APP_OK);
	assert_int_equal(m, 3 * H);
	assert_int_equal(calendar_elapsed(cal, start, CALENDAR_MINUTES, start - 60, &m, &e),
			 APP_OK);
	assert_int_equal(m, 0);
}

/* after() and elapsed() undo each other, and after() never goes back. */
static void test_after_elapsed_inverse(void **state)
{
	const struct calendar *cal = *state;
	const int64_t minutes[] = { 1, 59, DAY - 1, DAY, DAY + 1, 3 * DAY, 7 * DAY, 15 * DAY + 77 };
	struct app_error e;
	for (int64_t start = at(20231225, 0, 0); start < at(20270110, 0, 0); start += 7 * 3600 + 13) {
		for (int u = 0; u < CALENDAR_UNIT__MAX; u++) {
			int64_t prev = start;
			for (size_t i = 0; i < sizeof(minutes) / sizeof(minutes[0]); i++) {
				int64_t t, m;
				assert_int_equal(calendar_after(cal, start, (enum calendar_unit)u,
								minutes[i], &t, &e),
						 APP_OK);
				assert_int_equal(calendar_elapsed(cal, start, (enum calendar_unit)u,
								  t, &m, &e),
						 APP_OK);
				if (m != minutes[i] || t <= prev)
					fail_msg("unit %d start %lld: after(%lld) = %lld, elapsed %lld",
						 u, (long long)start, (long long)minutes[i],
						 (long long)t, (long long)m);
				prev = t;
			}
		}
	}
}

static void test_limits(void **state)
{
	const struct calendar *cal = *state;
	int64_t m, t;
	struct app_error e;
	assert_int_equal(calendar_limit_minutes(CALENDAR_WORKDAYS, 15, &m, &e), APP_OK);
	assert_int_equal(m, 15 * DAY);
	assert_int_equal(calendar_limit_minutes(CALENDAR_HOURS, 2, &m, &e), APP_OK);
	assert_int_equal(m, 120);
	assert_int_equal(calendar_limit_minutes(CALENDAR_MINUTES, 0, &m, &e), APP_EINVAL);
	assert_contains(e.msg, "0 minutes is out of range");
	assert_int_equal(calendar_limit_minutes(CALENDAR_HOURS, -1, &m, &e), APP_EINVAL);
	assert_int_equal(calendar_limit_minutes(CALENDAR_WORKDAYS, 7001, &m, &e), APP_EINVAL);
	assert_int_equal(calendar_limit_minutes(CALENDAR_UNIT__MAX, 1, &m, &e), APP_EINVAL);
	t = 42;
	assert_int_equal(calendar_due(cal, at(20240101, 0, 0), CALENDAR_WORKDAYS, 0, &t, &e),
			 APP_EINVAL);
	assert_int_equal(t, 42); /* untouched */
	assert_int_equal(calendar_after(cal, at(20240101, 0, 0), CALENDAR_MINUTES, -1, &t, &e),
			 APP_EINVAL);
	assert_int_equal(calendar_after(cal, INT64_MAX / 2, CALENDAR_WORKDAYS, 1, &t, &e),
			 APP_EINVAL);
	assert_int_equal(calendar_elapsed(cal, at(20240101, 0, 0), CALENDAR_WORKDAYS,
					  INT64_MIN / 2, &m, &e),
			 APP_EINVAL);
	/* the longest limit still ends */
	assert_int_equal(calendar_due(cal, at(20240101, 0, 0), CALENDAR_WORKDAYS, 7000, &t, &e),
			 APP_OK);
	assert_int_equal(calendar_elapsed(cal, at(20240101, 0, 0), CALENDAR_WORKDAYS, t, &m, &e),
			 APP_OK);
	assert_int_equal(m, 7000 * DAY);
	enum calendar_unit u;
	assert_true(calendar_unit_parse("workdays", &u) && u == CALENDAR_WORKDAYS);
	assert_false(calendar_unit_parse("days", &u));
	assert_string_equal(calendar_unit_name(CALENDAR_HOURS), "hours");
	enum calendar_kind k;
	assert_true(calendar_kind_parse("holiday", &k) && k == CALENDAR_HOLIDAY);
	assert_false(calendar_kind_parse("Holiday", &k));
}

static void test_parse(void **state)
{
	(void)state;
	struct calendar_entry *e = NULL;
	size_t n = 0;
	struct app_error err;
	/* a BOM, CRLF, spaces, a quoted name, a weekend holiday, a blank
	 * line, a day listed twice with the same kind (the first name stays) */
	assert_int_equal(parse("\xEF\xBB\xBF"
			       "date,kind,name\r\n"
			       "2027-10-02, holiday ,\"国庆节\"\r\n"
			       "\r\n"
			       "2027-01-01,holiday,元旦\r\n"
			       "2027-09-26,workday,国庆节\r\n"
			       "2027-10-02,holiday,again\r\n",
			       &e, &n, &err),
			 APP_OK);
	assert_int_equal(n, 3);
	assert_int_equal(e[0].day, 20270101);
	assert_int_equal(e[0].line, 4);
	assert_int_equal(e[1].day, 20270926);
	assert_int_equal(e[1].kind, CALENDAR_WORKDAY);
	assert_int_equal(e[2].day, 20271002);
	assert_string_equal(e[2].name, "国庆节");
	assert_int_equal(e[2].origin, CALENDAR_IMPORTED);
	free(e);
	/* a header alone is a file of no days */
	assert_int_equal(parse("date,kind,name\n", &e, &n, &err), APP_OK);
	assert_int_equal(n, 0);
	free(e);
}

static void test_parse_errors(void **state)
{
	(void)state;
	const struct {
		const char *text, *msg;
	} bad[] = {
		{ "", "the file is empty" },
		{ "day,kind,name\n2027-01-01,holiday,元旦\n", "line 1: the first line must be 'date,kind,name'" },
		{ "date,kind,name\n2027-01-01,holiday,元旦\n2027-13-01,holiday,x\n",
		  "line 3: '2027-13-01' is not a date (YYYY-MM-DD)" },
		{ "date,kind,name\n2027-02-29,holiday,x\n", "line 2: '2027-02-29' is not a date" },
		{ "date,kind,name\n1999-10-01,holiday,国庆节\n", "line 2: 1999-10-01 is outside the years 2000 to 2099" },
		{ "date,kind,name\n\n2027-10-01,off,国庆节\n", "line 3: unknown kind 'off' (holiday or workday)" },
		{ "date,kind,name\n2024-10-08,workday,国庆节\n",
		  "line 2: 2024-10-08 is a Tuesday: only a Saturday or Sunday can be a workday" },
		{ "date,kind,name\n2024-10-05,holiday,国庆节\n2024-10-06,holiday,国庆节\n2024-10-05,workday,国庆节\n",
		  "line 4: 2024-10-05 is a workday here but a holiday on line 2" },
		{ "date,kind,name\n2027-01-01,holiday\n", "line 2: 3 fields expected (date,kind,name), found 2" },
		{ "date,kind,name\n2027-01-01,holiday,元旦,x\n", "line 2: 3 fields expected" },
		{ "date,kind,name\n2027-01-01,holiday, \n", "line 2: the name is empty" },
		{ "date,kind,name\n2027-01-01,holiday,\xff\xfe\n", "line 2: the name is not plain UTF-8 text" },
		{ "date,kind,name\n2027-01-01,holiday,\"a\nb\"\n", "line 2: the name is not plain UTF-8 text" },
		{ "date,kind,name\n2027-01-01,holiday,"
		  "0123456789012345678901234567890123456789012345678901234567890123\n",
		  "line 2: the name is longer than 63 bytes" },
		{ "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,holiday,\"元旦\n", "line 3: quoted field is never closed" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct calendar_entry *e = (struct calendar_entry *)&bad; /* must stay */
		size_t n = 77;
		struct app_error err;
		enum app_err rc = parse(bad[i].text, &e, &n, &err);
		if (rc != APP_EINVAL)
			fail_msg("case %zu: %d, not APP_EINVAL", i, rc);
		assert_contains(err.msg, bad[i].msg);
		assert_true(e == (struct calendar_entry *)&bad && n == 77);
	}
}

static void test_import_overrides(void **state)
{
	struct calendar *cal = *state;
	struct calendar_entry *e;
	size_t n;
	struct app_error err;
	/* a 2027 file, and a change to 2024: the make-up Sunday 2/4 cancelled */
	assert_int_equal(parse("date,kind,name\n"
			       "2027-01-01,holiday,元旦\n"
			       "2027-02-06,workday,春节\n"
			       "2024-02-04,holiday,春节\n",
			       &e, &n, &err),
			 APP_OK);
	assert_int_equal(calendar_add(cal, e, n, &err), APP_OK);
	free(e);
	assert_true(calendar_covers_year(cal, 2027));
	assert_false(calendar_is_workday(cal, 20270101));
	assert_true(calendar_is_workday(cal, 20270206));
	assert_false(calendar_is_workday(cal, 20240204));
	const struct calendar_entry *x = calendar_entry_of(cal, 20240204);
	assert_int_equal(x->origin, CALENDAR_IMPORTED);
	assert_true(x->replaced);
	assert_false(calendar_entry_of(cal, 20240218)->replaced);
	assert_int_equal(calendar_workdays_between(cal, 20240101, 20241231), 250);
	/* a batch with one bad entry changes nothing */
	size_t before = cal->n;
	struct calendar_entry batch[2] = {
		{ .day = 20280101, .kind = CALENDAR_HOLIDAY, .origin = CALENDAR_IMPORTED, .name = "元旦" },
		{ .day = 20280103, .kind = CALENDAR_WORKDAY, .origin = CALENDAR_IMPORTED, .name = "x" },
	};
	assert_int_equal(calendar_add(cal, batch, 2, &err), APP_EINVAL);
	assert_contains(err.msg, "20280103 is a weekday");
	assert_int_equal(cal->n, before);
	assert_false(calendar_covers_year(cal, 2028));
	assert_true(calendar_is_workday(cal, 20280103));
	batch[1].day = 20281332;
	batch[1].kind = CALENDAR_HOLIDAY;
	assert_int_equal(calendar_add(cal, batch, 2, &err), APP_EINVAL);
	assert_int_equal(cal->n, before);
	/* in one batch the last entry for a day wins */
	batch[1] = batch[0];
	batch[1].kind = CALENDAR_HOLIDAY;
	snprintf(batch[1].name, sizeof(batch[1].name), "新年");
	assert_int_equal(calendar_add(cal, batch, 2, &err), APP_OK);
	assert_int_equal(cal->n, before + 1);
	assert_string_equal(calendar_entry_of(cal, 20280101)->name, "新年");
}

/* A year marked off from end to end: the count of working days jumps it. */
static void test_long_holiday(void **state)
{
	(void)state;
	struct calendar cal;
	calendar_init(&cal);
	size_t n = 0;
	struct calendar_entry *e = calloc(366, sizeof(*e));
	for (int d = 20300101; d <= 20301231; d = clock_day_add(d, 1), n++)
		e[n] = (struct calendar_entry){ .day = d, .kind = CALENDAR_HOLIDAY, .name = "x" };
	struct app_error err;
	assert_int_equal(calendar_add(&cal, e, n, &err), APP_OK);
	free(e);
	int64_t due;
	assert_int_equal(calendar_due(&cal, at(20291231, 12, 0), CALENDAR_WORKDAYS, 1, &due, &err),
			 APP_OK);
	assert_int_equal(due, at(20310101, 24, 0)); /* a Wednesday */
	assert_int_equal(calendar_workdays_between(&cal, 20300101, 20301231), 0);
	calendar_release(&cal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_files),
		cmocka_unit_test_setup_teardown(test_makeup_workdays_2024, setup, teardown),
		cmocka_unit_test_setup_teardown(test_holidays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_weekday_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_years, setup, teardown),
		cmocka_unit_test_setup_teardown(test_due_workdays_guoqing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_due_around_the_clock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_due_makeup_sunday, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elapsed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_after_elapsed_inverse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test_setup_teardown(test_import_overrides, setup, teardown),
		cmocka_unit_test(test_long_holiday),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
