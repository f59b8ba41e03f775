/*
 * fuzz_calendar.c - the calendar file reader (core/calendar.h) on arbitrary
 * bytes, and the calendar built from what it accepts.
 *
 * Checks that calendar_parse() either refuses the input (APP_EINVAL or
 * APP_ETOOBIG, a message naming a line or the empty file, its out
 * parameters untouched) or returns entries that hold what it promises:
 * real dates of 2000 to 2099 in increasing order, known kinds, workdays only
 * on a Saturday or Sunday, lines from 2 on, names of plain UTF-8 that fit.
 * Then, added over the built-in calendar: each entry is the day's entry and
 * decides it, the index agrees with the entries day by day around each
 * entry and over the first entry's year, and the clocks started around the
 * entries are undone by calendar_elapsed() and never go back.
 */
#include "fuzz.h"

#include "core/calendar.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/utf8.h"

#include <stdio.h>
#include <string.h>

/* What the day's entry (or the weekday rule) says of day. */
static bool expected_workday(const struct calendar *cal, int day)
{
	const struct calendar_entry *e = calendar_entry_of(cal, day);
	if (e)
		return e->kind == CALENDAR_WORKDAY;
	return clock_weekday(day) < 5;
}

static void check_clocks(const struct calendar *cal, int day)
{
	static const int64_t minutes[] = { 1, 1439, 1440, 1441, 3 * 1440, 7 * 1440 + 5 };
	struct app_error err;
	for (int hh = 0; hh < 24; hh += 11) {
		int64_t start = clock_china_time(clock_day_add(day, -2), hh * 60 + 7);
		for (int u = 0; u < CALENDAR_UNIT__MAX; u++) {
			int64_t prev = start;
			for (size_t i = 0; i < sizeof(minutes) / sizeof(minutes[0]); i++) {
				int64_t t, m;
				FUZZ_CHECK(calendar_after(cal, start, (enum calendar_unit)u,
							  minutes[i], &t, &err) == APP_OK);
				FUZZ_CHECK(t > prev);
				FUZZ_CHECK(calendar_elapsed(cal, start, (enum calendar_unit)u, t, &m,
							    &err) == APP_OK);
				FUZZ_CHECK(m == minutes[i]);
				prev = t;
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = xmalloc(size + 1);
	memcpy(buf, data, size);
	static struct calendar_entry untouched;
	struct calendar_entry *e = &untouched; /* must stay on failure */
	size_t n = 12345;
	struct app_error err;
	enum app_err rc = calendar_parse(buf, size, CALENDAR_IMPORTED, &e, &n, &err);
	free(buf);
	if (rc != APP_OK) {
		FUZZ_CHECK(rc == APP_EINVAL || rc == APP_ETOOBIG);
		FUZZ_CHECK(strncmp(err.msg, "line ", 5) == 0 ||
			   strncmp(err.msg, "the file is empty", 17) == 0);
		FUZZ_CHECK(e == &untouched && n == 12345);
		return 0;
	}
	FUZZ_CHECK(n <= CALENDAR_FILE_ROWS_MAX);
	for (size_t i = 0; i < n; i++) {
		int d = e[i].day;
		int parsed;
		char text[16];
		snprintf(text, sizeof(text), "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100);
		FUZZ_CHECK(clock_day_parse(text, &parsed) && parsed == d);
		FUZZ_CHECK(d / 10000 >= CALENDAR_YEAR_MIN && d / 10000 <= CALENDAR_YEAR_MAX);
		FUZZ_CHECK(i == 0 || e[i - 1].day < d);
		FUZZ_CHECK(e[i].kind == CALENDAR_HOLIDAY || e[i].kind == CALENDAR_WORKDAY);
		FUZZ_CHECK(e[i].kind == CALENDAR_HOLIDAY || clock_weekday(d) >= 5);
		FUZZ_CHECK(e[i].origin == CALENDAR_IMPORTED && !e[i].replaced);
		FUZZ_CHECK(e[i].line >= 2);
		size_t len = strnlen(e[i].name, sizeof(e[i].name));
		FUZZ_CHECK(len >= 1 && len < sizeof(e[i].name));
		FUZZ_CHECK(utf8_valid(e[i].name, len));
		for (size_t k = 0; k < len; k++)
			FUZZ_CHECK((unsigned char)e[i].name[k] >= 0x20 && e[i].name[k] != 0x7f);
	}

	struct calendar cal;
	calendar_init(&cal);
	FUZZ_CHECK(calendar_add_builtin(&cal, &err) == APP_OK);
	size_t builtin = cal.n;
	FUZZ_CHECK(calendar_add(&cal, e, n, &err) == APP_OK);
	FUZZ_CHECK(cal.n >= builtin && cal.n <= builtin + n);
	for (size_t i = 0; i < cal.n; i++)
		FUZZ_CHECK(i == 0 || cal.entries[i - 1].day < cal.entries[i].day);
	for (size_t i = 0; i < n && i < 64; i++) {
		const struct calendar_entry *x = calendar_entry_of(&cal, e[i].day);
		FUZZ_CHECK(x && x->origin == CALENDAR_IMPORTED && x->kind == e[i].kind);
		FUZZ_CHECK(strcmp(x->name, e[i].name) == 0);
		FUZZ_CHECK(calendar_covers_year(&cal, e[i].day / 10000));
		for (int k = -3; k <= 3; k++) {
			int d = clock_day_add(e[i].day, k);
			FUZZ_CHECK(calendar_is_workday(&cal, d) == expected_workday(&cal, d));
		}
		if (i < 4)
			check_clocks(&cal, e[i].day);
	}
	if (n) {
		int y = e[0].day / 10000;
		int64_t count = 0;
		for (int d = y * 10000 + 101; d <= y * 10000 + 1231; d = clock_day_add(d, 1)) {
			FUZZ_CHECK(calendar_is_workday(&cal, d) == expected_workday(&cal, d));
			count += expected_workday(&cal, d);
		}
		FUZZ_CHECK(calendar_workdays_between(&cal, y * 10000 + 101, y * 10000 + 1231) ==
			   count);
	}
	calendar_release(&cal);
	free(e);
	return 0;
}
