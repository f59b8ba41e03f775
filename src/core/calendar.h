/*
 * calendar.h - the Chinese working-day calendar and the deadline arithmetic
 * of case clocks. Pure: no store, no clock; the caller says what time it is.
 *
 * A day is a working day by the weekday rule (Monday to Friday work,
 * Saturday and Sunday off) unless an entry says otherwise: a `holiday` is a
 * day off (a weekday, or a weekend day inside a holiday span), a `workday` a
 * weekend day that is worked (调休上班). Entries come from the State
 * Council's yearly notice: the years in data/calendar/ are compiled into the
 * binary (calendar_add_builtin), later years are imported by an admin and
 * override or extend them (calendar_add, in the order given: the last entry
 * for a day wins). Entries are dated 2000-01-01 to 2099-12-31.
 *
 * Lookups are O(1): besides the entries (sorted by day), the calendar keeps,
 * for every day of the years it spans, a running count of how far the
 * entries moved the weekday rule, so counting the working days between two
 * days is a subtraction, and finding the Nth working day a binary search.
 *
 * Clocks. A limit is an amount of minutes, hours or working days:
 *   - minutes and hours run around the clock: weekends and holidays count
 *     (emergencies, and anything a rule measures in hours);
 *   - N working days end at 24:00 China time of the Nth working day after
 *     the day of receipt. The day of receipt itself never counts (as for
 *     periods in Chinese administrative law, 期间开始之日不计算在期间内), so
 *     a demand received on a non-working day starts counting on the next
 *     working day, exactly as one received on the working day before it.
 *     Time runs only inside working days: the share of the limit used up at
 *     an instant is the minutes of working days after the day of receipt
 *     that have passed, out of N * 1440.
 * calendar_after() gives the instant at which some minutes of a limit have
 * run (the due instant is calendar_after(limit), a warning at 80% is
 * calendar_after(limit * 4 / 5)), calendar_elapsed() the reverse.
 */
#ifndef CORE_CALENDAR_H
#define CORE_CALENDAR_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CALENDAR_YEAR_MIN 2000
#define CALENDAR_YEAR_MAX 2099
#define CALENDAR_NAME_MAX 64         /* bytes of a name, including the NUL */
#define CALENDAR_FILE_ROWS_MAX 40000 /* entries in one file */
/* The longest limit: about 27 years of working days, or of minutes. */
#define CALENDAR_LIMIT_MINUTES_MAX (7000LL * 1440)

enum calendar_kind {
	CALENDAR_HOLIDAY, /* "holiday": a day off */
	CALENDAR_WORKDAY, /* "workday": a weekend day that is worked */
	CALENDAR_KIND__MAX
};

enum calendar_origin {
	CALENDAR_BUILTIN,  /* from the files compiled into the binary */
	CALENDAR_IMPORTED, /* from an admin's import (the store) */
	CALENDAR_ORIGIN__MAX
};

enum calendar_unit {
	CALENDAR_MINUTES, /* "minutes", around the clock */
	CALENDAR_HOURS,   /* "hours", around the clock */
	CALENDAR_WORKDAYS, /* "workdays": working days after the day of receipt */
	CALENDAR_UNIT__MAX
};

struct calendar_entry {
	int day; /* yyyymmdd */
	enum calendar_kind kind;
	enum calendar_origin origin;
	bool replaced; /* it replaced an earlier entry for its day (an import a built-in one) */
	int line;      /* line of the file it was read from; 0 when not from a file */
	char name[CALENDAR_NAME_MAX]; /* the holiday it belongs to: 春节, 国庆节 ... */
};

struct calendar {
	struct calendar_entry *entries; /* sorted by day, one per day */
	size_t n, cap;
	/* The index over the years from the first entry's to the last
	 * entry's: first is the day number (days since 1970-01-01) of the
	 * first one's 1 January; shift[i] is the sum, over the days before
	 * first + i, of (working by the entries) - (working by the weekday
	 * rule); days + 1 values. */
	int64_t first;
	int32_t *shift;
	size_t days;
};

/* Words of the enums, and back (false for an unknown word). */
const char *calendar_kind_name(enum calendar_kind k);
bool calendar_kind_parse(const char *s, enum calendar_kind *out);
const char *calendar_unit_name(enum calendar_unit u);
bool calendar_unit_parse(const char *s, enum calendar_unit *out);

/* An empty calendar: the weekday rule alone. Release with calendar_release(). */
void calendar_init(struct calendar *cal);
void calendar_release(struct calendar *cal);

/*
 * Read a calendar file from buf[0..len) into *out (an array of *n entries
 * sorted by day, each with its line and the given origin; the caller frees
 * it). buf is rewritten in place and must have a writable byte at buf[len]
 * (the contract of core/csv.h).
 *
 * The format: UTF-8 CSV, the header `date,kind,name`, then one line per day:
 * `2024-10-01,holiday,国庆节`. Dates are YYYY-MM-DD from 2000 to 2099; the
 * kind is `holiday` (any day) or `workday` (a Saturday or Sunday only: a
 * weekday is worked anyway); the name is 1 to 63 bytes of text. A day listed
 * twice with the same kind counts once (the first name); with different
 * kinds it is an error. No comment lines. All or nothing: on any error
 * nothing is returned and err names the line and what is wrong
 * (APP_EINVAL; APP_ETOOBIG beyond CALENDAR_FILE_ROWS_MAX lines).
 */
enum app_err calendar_parse(char *buf, size_t len, enum calendar_origin origin,
			    struct calendar_entry **out, size_t *n, struct app_error *err);

/*
 * Add n entries to cal: an entry replaces the one cal has for its day. The
 * entries are checked as calendar_parse checks a file (a valid date in
 * range, a known kind, a workday on a weekend day); on an error nothing
 * changes (APP_EINVAL, naming the entry's day).
 */
enum app_err calendar_add(struct calendar *cal, const struct calendar_entry *e, size_t n,
			  struct app_error *err);

/* Add the files compiled into the binary (the CSV files of data/calendar/) to cal.
 * An error means a broken build (APP_EINTERNAL, naming file and line). */
enum app_err calendar_add_builtin(struct calendar *cal, struct app_error *err);

/* Names of the compiled-in files, for messages: "cn-2024-2026.csv". */
size_t calendar_builtin_count(void);
const char *calendar_builtin_name(size_t i);

/* Whether day (yyyymmdd, a real date of 1970..9999, as every day passed
 * to the functions below) is a working day. */
bool calendar_is_workday(const struct calendar *cal, int day);
/* Whether any entry of cal is dated in year: its holidays are known. */
bool calendar_covers_year(const struct calendar *cal, int year);
/* The entry for day, NULL when none (the weekday rule decides). */
const struct calendar_entry *calendar_entry_of(const struct calendar *cal, int day);
/* The entries dated first_day..last_day (inclusive): *count of them from
 * the returned pointer (NULL when none), valid until cal changes. */
const struct calendar_entry *calendar_entries(const struct calendar *cal, int first_day,
					      int last_day, size_t *count);
/* Working days from first_day to last_day, both included (0 when last_day
 * is before first_day). */
int64_t calendar_workdays_between(const struct calendar *cal, int first_day, int last_day);

/* The length of a limit in minutes of its clock: amount, amount * 60 or
 * amount * 1440. APP_EINVAL unless 1 <= that <= CALENDAR_LIMIT_MINUTES_MAX. */
enum app_err calendar_limit_minutes(enum calendar_unit unit, int64_t amount, int64_t *minutes,
				    struct app_error *err);

/*
 * The instant (seconds since the epoch) at which `minutes` of a clock of
 * unit started at `start` have run (see the top of this file): for minutes
 * and hours start + minutes * 60; for working days, with k = minutes / 1440
 * and r = minutes % 1440, the end (24:00) of the kth working day after the
 * day of receipt when r is 0, else minute r of the (k+1)th. 0 minutes is
 * start. APP_EINVAL when minutes is negative or over
 * CALENDAR_LIMIT_MINUTES_MAX, or start is not in 1970..9999.
 */
enum app_err calendar_after(const struct calendar *cal, int64_t start, enum calendar_unit unit,
			    int64_t minutes, int64_t *at, struct app_error *err);

/* The due instant of a limit of amount units started at start:
 * calendar_after() of calendar_limit_minutes(). */
enum app_err calendar_due(const struct calendar *cal, int64_t start, enum calendar_unit unit,
			  int64_t amount, int64_t *due, struct app_error *err);

/*
 * How many minutes of a clock of unit started at start have run at instant
 * now (0 before start): for minutes and hours the whole minutes since
 * start; for working days the minutes of the working days after the day of
 * receipt up to now (1440 per whole working day). So whole working days
 * used up are *minutes / 1440, and the share of a limit used up is *minutes
 * over calendar_limit_minutes(). Inverse of calendar_after(): for every m in
 * range, calendar_elapsed(calendar_after(m)) == m. APP_EINVAL when start or
 * now is not in 1970..9999.
 */
enum app_err calendar_elapsed(const struct calendar *cal, int64_t start, enum calendar_unit unit,
			      int64_t now, int64_t *minutes, struct app_error *err);

#endif
