/*
 * test_supervise.c - unit tests of 督办's deadline and period
 * (patrol/supervise.h) on the calendar compiled into the binary: N working
 * days after the day a reminder is issued, a weekend skipped, a 调休
 * Saturday counted, a Sunday worked before National Day counted, and the
 * month a deadline falls in. Instants are built from explicit dates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/calendar.h"
#include "core/clock.h"
#include "patrol/supervise.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

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

static int64_t deadline(const struct calendar *cal, int64_t issued, int days)
{
	int64_t d = 0;
	struct app_error e;
	assert_int_equal(supervise_deadline(cal, issued, days, &d, &e), APP_OK);
	return d;
}

/* Issued on Friday 2024-11-15: the weekend does not count; 5 working days
 * end at 24:00 on the next Friday, 4 at 24:00 on Thursday. */
static void test_weekend_skipped(void **state)
{
	const struct calendar *cal = *state;
	int64_t friday = at(20241115, 10, 0);
	assert_int_equal(deadline(cal, friday, 5), at(20241123, 0, 0));
	assert_int_equal(deadline(cal, friday, 4), at(20241122, 0, 0));
	assert_int_equal(deadline(cal, friday, 1), at(20241119, 0, 0));
	/* issued on the Saturday or Sunday after: the same deadline */
	assert_int_equal(deadline(cal, at(20241116, 9, 0), 5), at(20241123, 0, 0));
	assert_int_equal(deadline(cal, at(20241117, 23, 59), 5), at(20241123, 0, 0));
}

/* Saturday 2024-10-12 was worked (调休 for National Day): issued on
 * Wednesday 2024-10-09, 5 working days are Thu, Fri, Sat 12, Mon, Tue; 3
 * end with that Saturday. Sunday 2024-09-29 was worked too, and the holiday
 * week 10-01..10-07 does not count. */
static void test_adjusted_workdays(void **state)
{
	const struct calendar *cal = *state;
	assert_int_equal(deadline(cal, at(20241009, 10, 0), 5), at(20241016, 0, 0));
	assert_int_equal(deadline(cal, at(20241009, 10, 0), 3), at(20241013, 0, 0));
	/* Friday 2024-09-27: Saturday off, Sunday 9-29 worked */
	assert_int_equal(deadline(cal, at(20240927, 15, 0), 1), at(20240930, 0, 0));
	/* from Sunday 9-29: Monday 9-30, then the holiday, then Tuesday 10-08 */
	assert_int_equal(deadline(cal, at(20240929, 10, 0), 2), at(20241009, 0, 0));
}

static void test_days_out_of_range(void **state)
{
	const struct calendar *cal = *state;
	int64_t d = 7;
	struct app_error e;
	assert_int_equal(supervise_deadline(cal, at(20241115, 10, 0), 0, &d, &e), APP_EINVAL);
	assert_int_equal(supervise_deadline(cal, at(20241115, 10, 0), 31, &d, &e), APP_EINVAL);
	assert_string_equal(e.field, "days");
	assert_int_equal(d, 7);
	assert_int_not_equal(deadline(cal, at(20241115, 10, 0), 30), 0);
}

/* A deadline at 24:00 on the last day of a month belongs to that month. */
static void test_period(void **state)
{
	(void)state;
	char p[8];
	supervise_period(at(20241201, 0, 0), p, sizeof(p));
	assert_string_equal(p, "2024-11");
	supervise_period(at(20241123, 0, 0), p, sizeof(p));
	assert_string_equal(p, "2024-11");
	supervise_period(at(20250101, 0, 0) + 60, p, sizeof(p));
	assert_string_equal(p, "2025-01");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weekend_skipped),
		cmocka_unit_test(test_adjusted_workdays),
		cmocka_unit_test(test_days_out_of_range),
		cmocka_unit_test(test_period),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
