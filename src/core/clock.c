/*
 * clock.c - wall time with an injectable offset; see clock.h.
 */
#include "core/clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

void clock_format_china(int64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)(t + 8 * 3600);
	struct tm tm;
	gmtime_r(&tt, &tm);
	snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void clock_format_china_due(int64_t t, char *out, size_t cap)
{
	int minute, day = clock_china_day(t, &minute);
	if (minute == 0) {
		day = clock_day_add(day, -1);
		minute = 1440;
	}
	snprintf(out, cap, "%04d-%02d-%02d %02d:%02d", day / 10000, day / 100 % 100, day % 100,
		 minute / 60, minute % 60);
}

int clock_today_china(void)
{
	time_t tt = (time_t)(clock_now() + 8 * 3600);
	struct tm tm;
	gmtime_r(&tt, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int civil_from_days(int64_t z)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	int y = (int)(yoe + era * 400) + (m <= 2);
	return y * 10000 + m * 100 + d;
}

static int64_t day_number(int day)
{
	return days_from_civil(day / 10000, day / 100 % 100, day % 100);
}

int clock_china_day(int64_t t, int *minute)
{
	int64_t local = t + 8 * 3600;
	int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	if (minute)
		*minute = (int)((local - days * 86400) / 60);
	return civil_from_days(days);
}

int64_t clock_china_time(int day, int minute)
{
	return day_number(day) * 86400 + (int64_t)minute * 60 - 8 * 3600;
}

int clock_day_add(int day, int n) { return civil_from_days(day_number(day) + n); }

int clock_weekday(int day)
{
	int64_t w = (day_number(day) + 3) % 7; /* 1970-01-01 was a Thursday */
	return (int)(w < 0 ? w + 7 : w);
}

bool clock_day_parse(const char *s, int *day)
{
	int y, m, d, n = 0;
	for (int i = 0; s && i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return false;
	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
	    s[4] != '-' || s[7] != '-' || y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	int v = y * 10000 + m * 100 + d;
	if (clock_day_add(v, 0) != v) /* 2026-02-30 comes back as 2026-03-02 */
		return false;
	*day = v;
	return true;
}

bool clock_parse_time(const char *s, int64_t *out)
{
	char date[11];
	int hh, mm, ss = 0, n = 0, day;
	if (!s || strlen(s) < 17 || s[10] != 'T')
		return false;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (!clock_day_parse(date, &day))
		return false;
	const char *p = s + 11;
	for (int i = 0; i < 5; i++)
		if (i == 2 ? p[i] != ':' : (p[i] < '0' || p[i] > '9'))
			return false;
	if (sscanf(p, "%2d:%2d%n", &hh, &mm, &n) != 2 || n != 5 || hh > 23 || mm > 59 || hh < 0 ||
	    mm < 0)
		return false;
	p += 5;
	if (*p == ':') {
		if (sscanf(p, ":%2d%n", &ss, &n) != 1 || n != 3 || ss < 0 || ss > 60)
			return false;
		p += 3;
	}
	int offset_min = 0;
	if (*p == 'Z' && !p[1]) {
		offset_min = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int oh, om;
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || n != 5 || oh > 14 || om > 59 ||
		    oh < 0 || om < 0)
			return false;
		offset_min = (oh * 60 + om) * (*p == '-' ? -1 : 1);
	} else {
		return false;
	}
	/* clock_china_time counts from China's midnight; shift to the given offset */
	*out = clock_china_time(day, hh * 60 + mm) + ss + (8 * 60 - offset_min) * 60;
	return true;
}

struct timespec clock_deadline(clockid_t clk, int ms)
{
	struct timespec until;
	clock_gettime(clk, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	return until;
}
