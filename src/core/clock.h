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

#include <stddef.h>
#include <stdint.h>

/* Seconds since the epoch, UTC, offset applied. */
int64_t clock_now(void);
/* Shift "now" by seconds (may be negative). */
void clock_set_offset(int64_t seconds);
int64_t clock_offset(void);
/* Read BIANMIN_CLOCK_OFFSET; returns the offset applied (0 when unset). */
int64_t clock_init_from_env(void);

/* Format t as "2026-11-29T01:42:00Z" into out (at least 21 bytes). */
void clock_format_utc(int64_t t, char *out, size_t cap);
/* Today's date in China (UTC+8) as yyyymmdd, e.g. 20261129. */
int clock_today_china(void);

#endif
