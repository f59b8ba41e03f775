/*
 * clock.c - wall time with an injectable offset; see clock.h.
 */
#include "core/clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static atomic_int_fast64_t offset;

int64_t clock_now(void)
{
	return (int64_t)time(NULL) + atomic_load_explicit(&offset, memory_order_relaxed);
}

void clock_set_offset(int64_t seconds) { atomic_store(&offset, seconds); }
int64_t clock_offset(void) { return atomic_load(&offset); }

int64_t clock_init_from_env(void)
{
	const char *v = getenv("BIANMIN_CLOCK_OFFSET");
	if (!v || !*v)
		return 0;
	char *end;
	long long s = strtoll(v, &end, 10);
	if (*end)
		return 0;
	clock_set_offset((int64_t)s);
	return (int64_t)s;
}

void clock_format_utc(int64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int clock_today_china(void)
{
	time_t tt = (time_t)(clock_now() + 8 * 3600);
	struct tm tm;
	gmtime_r(&tt, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}
