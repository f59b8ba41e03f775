/*
 * calendar.c - the working-day calendar: reading calendar files, merging
 * entries, the per-day index and the clock arithmetic; see calendar.h.
 *
 * Days are handled as day numbers (days since 1970-01-01, China time) so
 * that ranges are subtractions; yyyymmdd only at the edges. Counting the
 * working days of a range is the weekday rule's count (closed form) plus the
 * entries' correction (two reads of the running shift), so no call walks
 * the days or the entries.
 */
#include "core/calendar.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/mem.h"
#include "core/utf8.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[CALENDAR_KIND__MAX] = {
	[CALENDAR_HOLIDAY] = "holiday",
	[CALENDAR_WORKDAY] = "workday",
};

static const char *const unit_names[CALENDAR_UNIT__MAX] = {
	[CALENDAR_MINUTES] = "minutes",
	[CALENDAR_HOURS] = "hours",
	[CALENDAR_WORKDAYS] = "workdays",
};

static const int64_t unit_minutes[CALENDAR_UNIT__MAX] = {
	[CALENDAR_MINUTES] = 1,
	[CALENDAR_HOURS] = 60,
	[CALENDAR_WORKDAYS] = 1440,
};

static const char *const weekday_names[7] = { "Monday", "Tuesday",  "Wednesday", "Thursday",
					      "Friday", "Saturday", "Sunday" };

const char *calendar_kind_name(enum calendar_kind k)
{
	return (unsigned)k < CALENDAR_KIND__MAX ? kind_names[k] : "?";
}

bool calendar_kind_parse(const char *s, enum calendar_kind *out)
{
	for (int k = 0; k < CALENDAR_KIND__MAX; k++)
		if (strcmp(s, kind_names[k]) == 0) {
			*out = (enum calendar_kind)k;
			return true;
		}
	return false;
}

const char *calendar_unit_name(enum calendar_unit u)
{
	return (unsigned)u < CALENDAR_UNIT__MAX ? unit_names[u] : "?";
}

bool calendar_unit_parse(const char *s, enum calendar_unit *out)
{
	for (int u = 0; u < CALENDAR_UNIT__MAX; u++)
		if (strcmp(s, unit_names[u]) == 0) {
			*out = (enum calendar_unit)u;
			return true;
		}
	return false;
}

/* ---- days ---- */

/* Day number of yyyymmdd (which must be a real date). */
static int64_t day_num(int day) { return (clock_china_time(day, 0) + 8 * 3600) / 86400; }

/* yyyymmdd of a day number. */
static int day_of(int64_t dn) { return clock_china_day(dn * 86400 - 8 * 3600, NULL); }

/* x / 7 rounded down, also for negative x. */
static int64_t weeks_floor(int64_t x) { return x >= 0 ? x / 7 : -((-x + 6) / 7); }

/* 1970-01-01 was a Thursday: day number 0 is weekday 3 (Monday 0). */
static int weekday_of(int64_t dn) { return (int)(dn + 3 - weeks_floor(dn + 3) * 7); }

/* Days before day number x, counted from day number 0 (negative for x < 0),
 * that are Monday to Friday: the weekday rule's count. */
static int64_t weekdays_before(int64_t x)
{
	static const int part[7] = { 0, 1, 2, 2, 2, 3, 4 }; /* from a Thursday */
	int64_t w = weeks_floor(x);
	return w * 5 + part[x - w * 7];
}

/* True when day is a real date in the years entries may have. */
static bool day_in_range(int day)
{
	int y = day / 10000;
	return y >= CALENDAR_YEAR_MIN && y <= CALENDAR_YEAR_MAX && day % 100 >= 1 &&
	       day / 100 % 100 >= 1 && day / 100 % 100 <= 12 && clock_day_add(day, 0) == day;
}

/* The index's running shift at day number x (clamped to the span). */
static int64_t shift_at(const struct calendar *cal, int64_t x)
{
	if (!cal || !cal->shift || x <= cal->first)
		return 0;
	if (x >= cal->first + (int64_t)cal->days)
		return cal->shift[cal->days];
	return cal->shift[x - cal->first];
}

/* Working days in [a, b) of day numbers (a, b >= 0). */
static int64_t count_work(const struct calendar *cal, int64_t a, int64_t b)
{
	if (b <= a)
		return 0;
	return weekdays_before(b) - weekdays_before(a) + shift_at(cal, b) - shift_at(cal, a);
}

static bool is_work_dn(const struct calendar *cal, int64_t dn) { return count_work(cal, dn, dn + 1); }

/* Day number of the nth (n >= 1) working day after day number r. */
static int64_t nth_workday_after(const struct calendar *cal, int64_t r, int64_t n)
{
	/* the weekday rule gives 5 working days in 7, so outside the span
	 * the search ends; inside, holidays may hold it up for a while */
	int64_t lo = r + 1, hi = r + n;
	while (count_work(cal, r + 1, hi + 1) < n) {
		lo = hi + 1;
		hi = r + (hi - r) * 2 + 7;
	}
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (count_work(cal, r + 1, mid + 1) >= n)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

bool calendar_is_workday(const struct calendar *cal, int day)
{
	return is_work_dn(cal, day_num(day));
}

int64_t calendar_workdays_between(const struct calendar *cal, int first_day, int last_day)
{
	return count_work(cal, day_num(first_day), day_num(last_day) + 1);
}

/* ---- entries and the index ---- */

void calendar_init(struct calendar *cal) { memset(cal, 0, sizeof(*cal)); }

void calendar_release(struct calendar *cal)
{
	free(cal->entries);
	free(cal->shift);
	memset(cal, 0, sizeof(*cal));
}

/* Index of the first entry dated day or later. */
static size_t lower_bound(const struct calendar *cal, int day)
{
	size_t lo = 0, hi = cal->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cal->entries[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct calendar_entry *calendar_entry_of(const struct calendar *cal, int day)
{
	size_t i = lower_bound(cal, day);
	return i < cal->n && cal->entries[i].day == day ? &cal->entries[i] : NULL;
}

const struct calendar_entry *calendar_entries(const struct calendar *cal, int first_day,
					      int last_day, size_t *count)
{
	size_t a = lower_bound(cal, first_day), b = lower_bound(cal, last_day + 1);
	*count = b > a ? b - a : 0;
	return *count ? &cal->entries[a] : NULL;
}

bool calendar_covers_year(const struct calendar *cal, int year)
{
	size_t n;
	return calendar_entries(cal, year * 10000 + 101, year * 10000 + 1231, &n) != NULL;
}

/* Rebuild the shift index over the years of the entries. */
static void reindex(struct calendar *cal)
{
	free(cal->shift);
	cal->shift = NULL;
	cal->days = 0;
	cal->first = 0;
	if (!cal->n)
		return;
	int y0 = cal->entries[0].day / 10000, y1 = cal->entries[cal->n - 1].day / 10000;
	cal->first = day_num(y0 * 10000 + 101);
	cal->days = (size_t)(day_num((y1 + 1) * 10000 + 101) - cal->first);
	cal->shift = xmalloc((cal->days + 1) * sizeof(*cal->shift));
	cal->shift[0] = 0;
	size_t e = 0;
	for (size_t i = 0; i < cal->days; i++) {
		int64_t dn = cal->first + (int64_t)i;
		int by_rule = weekday_of(dn) < 5, worked = by_rule;
		if (e < cal->n && day_num(cal->entries[e].day) == dn)
			worked = cal->entries[e++].kind == CALENDAR_WORKDAY;
		cal->shift[i + 1] = cal->shift[i] + (worked - by_rule);
	}
}

/* Why e cannot be an entry, or NULL when it can. */
static const char *entry_problem(const struct calendar_entry *e)
{
	if (!day_in_range(e->day))
		return "is not a date from 2000 to 2099";
	if ((unsigned)e->kind >= CALENDAR_KIND__MAX)
		return "has an unknown kind";
	if ((unsigned)e->origin >= CALENDAR_ORIGIN__MAX)
		return "has an unknown origin";
	if (e->kind == CALENDAR_WORKDAY && weekday_of(day_num(e->day)) < 5)
		return "is a weekday: only a Saturday or Sunday can be a workday";
	if (!memchr(e->name, '\0', sizeof(e->name)))
		return "has a name that does not end";
	return NULL;
}

struct keyed {
	struct calendar_entry e;
	size_t seq; /* position among the added entries: the last one wins */
};

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->e.day != y->e.day)
		return x->e.day < y->e.day ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

enum app_err calendar_add(struct calendar *cal, const struct calendar_entry *e, size_t n,
			  struct app_error *err)
{
	for (size_t i = 0; i < n; i++) {
		const char *why = entry_problem(&e[i]);
		if (why)
			return app_fail(err, APP_EINVAL, "calendar entry %d %s", e[i].day, why);
	}
	if (!n)
		return APP_OK;
	struct keyed *k = xmalloc(n * sizeof(*k));
	for (size_t i = 0; i < n; i++) {
		k[i].e = e[i];
		k[i].e.replaced = false;
		k[i].seq = i;
	}
	qsort(k, n, sizeof(*k), keyed_cmp);
	struct calendar_entry *out = xmalloc((cal->n + n) * sizeof(*out));
	size_t a = 0, b = 0, m = 0;
	while (a < cal->n || b < n) {
		if (b < n && b + 1 < n && k[b + 1].e.day == k[b].e.day) {
			b++; /* a later entry for the same day follows */
			continue;
		}
		if (b >= n || (a < cal->n && cal->entries[a].day < k[b].e.day)) {
			out[m++] = cal->entries[a++];
		} else {
			out[m] = k[b].e;
			if (a < cal->n && cal->entries[a].day == k[b].e.day) {
				out[m].replaced = true;
				a++;
			}
			m++;
			b++;
		}
	}
	free(k);
	free(cal->entries);
	cal->entries = out;
	cal->n = cal->cap = m;
	reindex(cal);
	return APP_OK;
}

/* ---- calendar files ---- */

/* s without leading and trailing spaces and tabs (in place). */
static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static int entry_day_cmp(const void *a, const void *b)
{
	const struct calendar_entry *x = a, *y = b;
	return (x->day > y->day) - (x->day < y->day);
}

/* Check one record (line) and fill e; a message in err otherwise. */
static enum app_err read_row(struct csv_reader *r, struct calendar_entry *e,
			     struct app_error *err)
{
	size_t line = r->record_line;
	if (r->nfields != 3)
		return app_fail(err, APP_EINVAL,
				"line %zu: 3 fields expected (date,kind,name), found %zu", line,
				r->nfields);
	const char *date = trim(r->fields[0]), *kind = trim(r->fields[1]);
	const char *name = trim(r->fields[2]);
	memset(e, 0, sizeof(*e));
	e->line = line > INT_MAX ? INT_MAX : (int)line;
	if (!clock_day_parse(date, &e->day))
		return app_fail(err, APP_EINVAL, "line %zu: '%.40s' is not a date (YYYY-MM-DD)",
				line, date);
	if (!day_in_range(e->day))
		return app_fail(err, APP_EINVAL, "line %zu: %s is outside the years %d to %d", line,
				date, CALENDAR_YEAR_MIN, CALENDAR_YEAR_MAX);
	if (!calendar_kind_parse(kind, &e->kind))
		return app_fail(err, APP_EINVAL,
				"line %zu: unknown kind '%.40s' (holiday or workday)", line, kind);
	int wd = weekday_of(day_num(e->day));
	if (e->kind == CALENDAR_WORKDAY && wd < 5)
		return app_fail(err, APP_EINVAL,
				"line %zu: %s is a %s: only a Saturday or Sunday can be a workday "
				"(a weekday is worked anyway)",
				line, date, weekday_names[wd]);
	size_t len = strlen(name);
	if (!len)
		return app_fail(err, APP_EINVAL, "line %zu: the name is empty (e.g. 春节)", line);
	if (len >= CALENDAR_NAME_MAX)
		return app_fail(err, APP_EINVAL, "line %zu: the name is longer than %d bytes", line,
				CALENDAR_NAME_MAX - 1);
	if (!utf8_valid(name, len) || has_control(name))
		return app_fail(err, APP_EINVAL,
				"line %zu: the name is not plain UTF-8 text", line);
	memcpy(e->name, name, len + 1);
	return APP_OK;
}

enum app_err calendar_parse(char *buf, size_t len, enum calendar_origin origin,
			    struct calendar_entry **out, size_t *n, struct app_error *err)
{
	struct csv_reader r;
	csv_init(&r, buf, len);
	enum app_err rc = APP_OK;
	struct calendar_entry *rows = NULL;
	size_t nrows = 0, cap = 0;
	/* per day of 2000..2099: the index + 1 of its row, 0 while unseen */
	int64_t base = day_num(CALENDAR_YEAR_MIN * 10000 + 101);
	uint16_t *seen = NULL;
	int got = csv_next(&r, err);
	if (got == 0) {
		rc = app_fail(err, APP_EINVAL, "the file is empty: the first line must be "
					       "'date,kind,name'");
		goto done;
	}
	if (got < 0) {
		rc = APP_EINVAL;
		goto done;
	}
	if (r.nfields != 3 || strcmp(trim(r.fields[0]), "date") != 0 ||
	    strcmp(trim(r.fields[1]), "kind") != 0 || strcmp(trim(r.fields[2]), "name") != 0) {
		rc = app_fail(err, APP_EINVAL, "line %zu: the first line must be 'date,kind,name'",
			      r.record_line);
		goto done;
	}
	seen = xcalloc((size_t)(day_num((CALENDAR_YEAR_MAX + 1) * 10000 + 101) - base),
		       sizeof(*seen));
	while ((got = csv_next(&r, err)) > 0) {
		struct calendar_entry e;
		if ((rc = read_row(&r, &e, err)) != APP_OK)
			goto done;
		e.origin = origin;
		size_t at = (size_t)(day_num(e.day) - base);
		if (seen[at]) {
			const struct calendar_entry *first = &rows[seen[at] - 1];
			if (first->kind != e.kind) {
				rc = app_fail(err, APP_EINVAL,
					      "line %zu: %.10s is a %s here but a %s on line %d",
					      r.record_line, trim(r.fields[0]),
					      kind_names[e.kind], kind_names[first->kind],
					      first->line);
				goto done;
			}
			continue; /* the same again: the first name stays */
		}
		if (nrows == CALENDAR_FILE_ROWS_MAX) {
			rc = app_fail(err, APP_ETOOBIG, "line %zu: a calendar file has at most %d "
							"lines", r.record_line, CALENDAR_FILE_ROWS_MAX);
			goto done;
		}
		if (nrows == cap) {
			cap = cap ? cap * 2 : 64;
			rows = xrealloc(rows, cap * sizeof(*rows));
		}
		rows[nrows++] = e;
		seen[at] = (uint16_t)nrows;
	}
	if (got < 0) {
		rc = APP_EINVAL;
		goto done;
	}
	if (nrows)
		qsort(rows, nrows, sizeof(*rows), entry_day_cmp);
	*out = rows;
	*n = nrows;
	rows = NULL;
done:
	free(seen);
	free(rows);
	csv_release(&r);
	return rc;
}

/* ---- the files compiled into the binary (tools/embed, see the Makefile) ---- */

struct calendar_file {
	const char *name;
	const char *data;
	size_t len;
};
extern const struct calendar_file calendar_builtin_files[];
extern const size_t calendar_builtin_files_count;

size_t calendar_builtin_count(void) { return calendar_builtin_files_count; }

const char *calendar_builtin_name(size_t i)
{
	return i < calendar_builtin_files_count ? calendar_builtin_files[i].name : NULL;
}

enum app_err calendar_add_builtin(struct calendar *cal, struct app_error *err)
{
	for (size_t i = 0; i < calendar_builtin_files_count; i++) {
		const struct calendar_file *f = &calendar_builtin_files[i];
		char *buf = xmalloc(f->len + 1);
		memcpy(buf, f->data, f->len);
		buf[f->len] = '\0';
		struct calendar_entry *e;
		size_t n;
		struct app_error why;
		enum app_err rc = calendar_parse(buf, f->len, CALENDAR_BUILTIN, &e, &n, &why);
		free(buf);
		if (rc == APP_OK) {
			rc = calendar_add(cal, e, n, &why);
			free(e);
		}
		if (rc != APP_OK)
			return app_fail(err, APP_EINTERNAL, "the built-in calendar %s is broken: %s",
					f->name, why.msg);
	}
	return APP_OK;
}

/* ---- clocks ---- */

enum app_err calendar_limit_minutes(enum calendar_unit unit, int64_t amount, int64_t *minutes,
				    struct app_error *err)
{
	if ((unsigned)unit >= CALENDAR_UNIT__MAX)
		return app_fail(err, APP_EINVAL, "unknown unit of a time limit");
	int64_t per = unit_minutes[unit];
	if (amount < 1 || amount > CALENDAR_LIMIT_MINUTES_MAX / per)
		return app_fail(err, APP_EINVAL, "a time limit of %lld %s is out of range (1 to %lld)",
				(long long)amount, unit_names[unit],
				(long long)(CALENDAR_LIMIT_MINUTES_MAX / per));
	*minutes = amount * per;
	return APP_OK;
}

/* Instants whose China day is in the years 1970 to 9999. */
static bool instant_ok(int64_t t)
{
	return t >= clock_china_time(19700101, 0) && t < clock_china_time(99991231, 1440);
}

enum app_err calendar_after(const struct calendar *cal, int64_t start, enum calendar_unit unit,
			    int64_t minutes, int64_t *at, struct app_error *err)
{
	if ((unsigned)unit >= CALENDAR_UNIT__MAX)
		return app_fail(err, APP_EINVAL, "unknown unit of a time limit");
	if (!instant_ok(start))
		return app_fail(err, APP_EINVAL, "a clock's start must be in the years 1970 to 9999");
	if (minutes < 0 || minutes > CALENDAR_LIMIT_MINUTES_MAX)
		return app_fail(err, APP_EINVAL, "%lld minutes of a clock are out of range",
				(long long)minutes);
	if (unit != CALENDAR_WORKDAYS || minutes == 0) {
		*at = start + minutes * 60;
		return APP_OK;
	}
	int64_t r = day_num(clock_china_day(start, NULL));
	int64_t k = minutes / 1440, rest = minutes % 1440;
	if (rest == 0)
		*at = clock_china_time(day_of(nth_workday_after(cal, r, k)), 1440);
	else
		*at = clock_china_time(day_of(nth_workday_after(cal, r, k + 1)), (int)rest);
	return APP_OK;
}

enum app_err calendar_due(const struct calendar *cal, int64_t start, enum calendar_unit unit,
			  int64_t amount, int64_t *due, struct app_error *err)
{
	int64_t minutes = 0;
	enum app_err rc = calendar_limit_minutes(unit, amount, &minutes, err);
	return rc == APP_OK ? calendar_after(cal, start, unit, minutes, due, err) : rc;
}

enum app_err calendar_elapsed(const struct calendar *cal, int64_t start, enum calendar_unit unit,
			      int64_t now, int64_t *minutes, struct app_error *err)
{
	if ((unsigned)unit >= CALENDAR_UNIT__MAX)
		return app_fail(err, APP_EINVAL, "unknown unit of a time limit");
	if (!instant_ok(start) || !instant_ok(now))
		return app_fail(err, APP_EINVAL, "a clock's times must be in the years 1970 to 9999");
	if (now <= start) {
		*minutes = 0;
		return APP_OK;
	}
	if (unit != CALENDAR_WORKDAYS) {
		*minutes = (now - start) / 60;
		return APP_OK;
	}
	int minute;
	int64_t r = day_num(clock_china_day(start, NULL));
	int64_t d = day_num(clock_china_day(now, &minute));
	if (d <= r) {
		*minutes = 0;
		return APP_OK;
	}
	*minutes = count_work(cal, r + 1, d) * 1440 + (is_work_dn(cal, d) ? minute : 0);
	return APP_OK;
}
