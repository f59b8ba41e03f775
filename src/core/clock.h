/*
 * clock.h - the one source of "now" for anything that decides by time
 * (session expiry, throttling windows, SLA clocks), so tests can move time
 * instead of waiting for it.
 *
 * Wall time comes from CLOCK_REALTIME plus an offset. The offset is set by
 * clock_set_offset() (unit tests) or, for a whole process, by the
 * environment variable BIANMIN_CLOCK_OFFSET in seconds (API tests restart the
 * daemon "13 hours later"). Production never sets it; a warning line
 * (event=clock.offset) is logged at start when it is set.
 */
#ifndef CORE_CLOCK_H
#define CORE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Seconds since the epoch, UTC, offset applied. */
int64_t clock_now(void);
/* Shift "now" by seconds (may be negative). */
void clock_set_offset(int64_t seconds);
int64_t clock_offset(void);
/* Read BIANMIN_CLOCK_OFFSET; returns the offset applied (0 when unset). */
int64_t clock_init_from_env(void);

/* The time ms milliseconds from now on clk (CLOCK_MONOTONIC or
 * CLOCK_REALTIME, no offset): a deadline for pthread_cond_timedwait. */
struct timespec clock_deadline(clockid_t clk, int ms);

/* Format t as "2026-11-29T01:42:00Z" into out (at least 21 bytes). */
void clock_format_utc(int64_t t, char *out, size_t cap);
/* Format t in China time as "2026-11-29T09:42:00+08:00" into out (at least
 * 26 bytes): what protocols that want a local time with its offset get. */
void clock_format_china(int64_t t, char *out, size_t cap);
/* Format due instant t in China time as "2026-10-10 24:00" into out (at
 * least 17 bytes): midnight reads as 24:00 of the day before, the end of
 * the last day of a limit, as people read deadlines. */
void clock_format_china_due(int64_t t, char *out, size_t cap);
/* Today's date in China (UTC+8) as yyyymmdd, e.g. 20261129. */
int clock_today_china(void);

/* ---- days in China time (UTC+8 all year) ----
 * A day is an int yyyymmdd; a minute of the day is 0..1439. */

/* The day and the minute of that day at time t. */
int clock_china_day(int64_t t, int *minute);
/* The time at minute (0..1440) of day. */
int64_t clock_china_time(int day, int minute);
/* day plus n days (n may be negative). */
int clock_day_add(int day, int n);
/* 0 Monday .. 6 Sunday. */
int clock_weekday(int day);
/* Parse an RFC 3339 time, "2026-11-29T21:30:00+08:00" or "...Z" (seconds
 * optional), into seconds since the epoch. */
bool clock_parse_time(const char *s, int64_t *out);
/* Parse "2026-12-01" into 20261201: false unless a real date (1970..9999). */
bool clock_day_parse(const char *s, int *day);

#endif
