/*
 * test_duty.c - unit tests of who is on duty (groups_duty_compute) and the
 * China-time day arithmetic it stands on (src/core/clock.c): duty hours,
 * the day boundary, after-hours hand-over to the next day's person,
 * overrides, leave with stand-ins, and nobody on duty. Times are built
 * from explicit dates, never from the clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "groups/groups.h"
#include "testutil.h"

#include <string.h>

/* 2026-11-30 is a Monday. */
enum { MON = 20261130, TUE = 20261201, WED = 20261202, SUN = 20261129 };

/* Seconds since the epoch of hh:mm, China time, on the day that many days
 * after Sunday 2026-11-29, computed without clock.c: `date -d "2026-11-29
 * 00:00 +08:00" +%s` is 1795881600. */
static int64_t at(int day_offset_from_sun, int hh, int mm)
{
	return 1795881600 + (int64_t)day_offset_from_sun * 86400 + hh * 3600 + mm * 60;
}

static void test_china_days(void **state)
{
	(void)state;
	int minute;
	assert_int_equal(clock_china_day(at(0, 0, 0), &minute), SUN);
	assert_int_equal(minute, 0);
	assert_int_equal(clock_china_day(at(1, 23, 59), &minute), MON);
	assert_int_equal(minute, 23 * 60 + 59);
	/* 16:00 UTC on Sunday is midnight, Monday, in China */
	assert_int_equal(clock_china_day(1795881600 + 24 * 3600, NULL), MON);
	assert_int_equal(clock_china_day(1795881600 + 24 * 3600 - 1, NULL), SUN);
	assert_int_equal(clock_china_time(MON, 8 * 60), at(1, 8, 0));
	assert_int_equal(clock_weekday(MON), 0);
	assert_int_equal(clock_weekday(SUN), 6);
	assert_int_equal(clock_weekday(20240229), 3); /* a Thursday */
	assert_int_equal(clock_day_add(20261231, 1), 20270101);
	assert_int_equal(clock_day_add(20240301, -1), 20240229);
	assert_int_equal(clock_day_add(20250301, -1), 20250228);
}

static void test_day_parse(void **state)
{
	(void)state;
	int d;
	assert_true(clock_day_parse("2026-12-01", &d));
	assert_int_equal(d, 20261201);
	assert_true(clock_day_parse("2024-02-29", &d));
	const char *bad[] = { "2025-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "26-12-01",
			      "2026/12/01", "2026-12-01x", "", "+026-12-01", "2026-12- 1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(clock_day_parse(bad[i], &d));
}

static void test_time_parse(void **state)
{
	(void)state;
	int64_t t;
	assert_true(clock_parse_time("2026-11-30T08:00:00+08:00", &t));
	assert_int_equal(t, at(1, 8, 0));
	assert_true(clock_parse_time("2026-11-30T00:00Z", &t));
	assert_int_equal(t, at(1, 8, 0));
	assert_true(clock_parse_time("2026-11-29T19:30:00-05:00", &t)); /* 08:30 Monday in China */
	assert_int_equal(t, at(1, 8, 30));
	const char *bad[] = { "2026-11-30", "2026-11-30T8:00Z", "2026-11-30T08:00",
			      "2026-11-30T24:00Z", "2026-11-30T08:00+8:00", "2026-11-30 08:00Z",
			      "2026-11-30T08:00:00+08:00x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(clock_parse_time(bad[i], &t));
}

static struct group group_8_to_20(void)
{
	struct group g = { .id = 1, .duty_start = 8 * 60, .duty_end = 20 * 60 };
	return g;
}

/* A rota of users 11 (Mon) .. 17 (Sun). */
static void weekly(struct duty_data *d)
{
	memset(d, 0, sizeof(*d));
	for (int i = 0; i < 7; i++)
		d->weekday_user[i] = 11 + i;
}

static void test_in_and_out_of_hours(void **state)
{
	(void)state;
	struct group g = group_8_to_20();
	struct duty_data d;
	weekly(&d);
	bool in;
	struct duty_slot now, next;

	groups_duty_compute(&g, &d, at(1, 9, 0), &in, &now, &next); /* Monday 09:00 */
	assert_true(in);
	assert_int_equal(now.day, MON);
	assert_int_equal(now.user_id, 11);
	assert_string_equal(now.source, "rota");
	assert_int_equal(now.from, at(1, 8, 0));
	assert_int_equal(now.until, at(1, 20, 0));
	assert_int_equal(next.day, TUE);
	assert_int_equal(next.user_id, 12);

	/* Monday 07:59: before hours, Monday's person is next to answer */
	groups_duty_compute(&g, &d, at(1, 7, 59), &in, &now, &next);
	assert_false(in);
	assert_int_equal(now.day, MON);
	assert_int_equal(now.user_id, 11);

	/* Monday 20:00 sharp: hours are over, Tuesday's person is responsible */
	groups_duty_compute(&g, &d, at(1, 20, 0), &in, &now, &next);
	assert_false(in);
	assert_int_equal(now.day, TUE);
	assert_int_equal(now.user_id, 12);
	assert_int_equal(next.day, WED);

	/* Sunday 23:30 crosses the week: Monday's person */
	groups_duty_compute(&g, &d, at(0, 23, 30), &in, &now, &next);
	assert_false(in);
	assert_int_equal(now.day, MON);
	assert_int_equal(now.user_id, 11);
}

static void test_override_and_leave(void **state)
{
	(void)state;
	struct group g = group_8_to_20();
	struct duty_data d;
	weekly(&d);
	d.overrides[d.noverrides++] = (struct duty_override){ .day = MON, .user_id = 99 };
	d.leaves[d.nleaves++] =
		(struct duty_leave){ .id = 1, .user_id = 12, .first_day = TUE, .last_day = WED };
	bool in;
	struct duty_slot now, next;
	groups_duty_compute(&g, &d, at(1, 12, 0), &in, &now, &next);
	assert_int_equal(now.user_id, 99);
	assert_string_equal(now.source, "override");
	/* Tuesday's person is on leave: Wednesday's stands in */
	assert_int_equal(next.user_id, 13);
	assert_string_equal(next.source, "stand-in");
	/* on Wednesday 13 is on duty (12's leave does not matter) */
	groups_duty_compute(&g, &d, at(3, 12, 0), &in, &now, &next);
	assert_int_equal(now.user_id, 13);
	assert_string_equal(now.source, "rota");
}

static void test_nobody(void **state)
{
	(void)state;
	struct group g = group_8_to_20();
	struct duty_data d;
	memset(&d, 0, sizeof(d));
	bool in;
	struct duty_slot now, next;
	groups_duty_compute(&g, &d, at(1, 12, 0), &in, &now, &next);
	assert_int_equal(now.user_id, 0);
	assert_string_equal(now.source, "none");
	/* one person for every day, on leave: still nobody */
	for (int i = 0; i < 7; i++)
		d.weekday_user[i] = 5;
	d.leaves[d.nleaves++] =
		(struct duty_leave){ .user_id = 5, .first_day = MON, .last_day = MON };
	groups_duty_compute(&g, &d, at(1, 12, 0), &in, &now, &next);
	assert_int_equal(now.user_id, 0);
	assert_int_equal(next.user_id, 5);
}

static void test_odd_hours(void **state)
{
	(void)state;
	/* a group on duty 00:00-24:00 is always in hours */
	struct group g = { .id = 2, .duty_start = 0, .duty_end = 1440 };
	struct duty_data d;
	weekly(&d);
	bool in;
	struct duty_slot now, next;
	groups_duty_compute(&g, &d, at(1, 23, 59), &in, &now, &next);
	assert_true(in);
	assert_int_equal(now.day, MON);
	assert_int_equal(now.until, at(2, 0, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_china_days),       cmocka_unit_test(test_day_parse),
		cmocka_unit_test(test_time_parse),       cmocka_unit_test(test_in_and_out_of_hours),
		cmocka_unit_test(test_override_and_leave), cmocka_unit_test(test_nobody),
		cmocka_unit_test(test_odd_hours),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
