/*
 * store_stats.c - the statistics of demands, the parts both backends share
 * (store.h "statistics of demands"): the public wrappers and their checks,
 * the contribution of one demand to the rollup (the one place where
 * docs/patrol.md's definitions meet a case row), the arithmetic and the
 * text format of a rollup row, the median and p90 from summed histograms,
 * and the comparison behind `bianmin stats verify`. No SQL here: the
 * backends read and write the rows (sqlite_stats.c, pg_stats.c).
 */
#include "store/store_int.h"
#include "core/mem.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* China time is UTC+8 all year. */
#define CHINA_OFFSET 28800
#define DAY 86400
/* The buckets of first-response times (store_stats_bucket): indices of a
 * dense histogram. */
#define HOUR_SECS 3600
#define YEAR_SECS 31536000
#define MINUTE_BASE HOUR_SECS                          /* 3600 seconds */
#define HOURLY_BASE (MINUTE_BASE + (DAY - HOUR_SECS) / 60) /* + 1380 minutes */
#define BUCKETS (HOURLY_BASE + (YEAR_SECS - DAY) / HOUR_SECS + 1)

static bool midnight(int64_t t) { return (t + CHINA_OFFSET) % DAY == 0; }

/* A read with q->total: the COUNTS and TALK rows of the units handed on and
 * summed (the TIMES total is the accumulator's: ranks do not add up). */
struct totals {
	store_stats_part_fn fn;
	void *ctx;
	int64_t v[STATS_PART__MAX][STATS_COUNTS_N];
	int n[STATS_PART__MAX];
};

static void totals_add(void *ctx, enum stats_part part, const char *unit, const int64_t *v,
		       int n)
{
	struct totals *t = ctx;
	if (unit && part != STATS_PART_TIMES) {
		for (int i = 0; i < n && i < STATS_COUNTS_N; i++)
			t->v[part][i] += v[i];
		if (n > t->n[part])
			t->n[part] = n < STATS_COUNTS_N ? n : STATS_COUNTS_N;
	}
	t->fn(t->ctx, part, unit, v, n);
}

enum app_err store_stats_read(struct store *s, const struct stats_query *q,
			      store_stats_part_fn fn, void *ctx, struct app_error *err)
{
	if (!q->region || q->unit_digits < 1 || q->unit_digits > DIVISION_CODE_MAX ||
	    q->from >= q->to)
		return app_fail(err, APP_EINVAL, "a statistics read is malformed");
	if (!midnight(q->from) || !midnight(q->to))
		return app_fail(err, APP_EINVAL,
				"a statistics period must start and end at midnight China time");
	if (!q->total)
		return s->ops->case_stats->read(s, q, fn, ctx, err);
	struct totals t = { .fn = fn, .ctx = ctx };
	enum app_err rc = s->ops->case_stats->read(s, q, totals_add, &t, err);
	if (rc != APP_OK)
		return rc;
	static const enum stats_part summed[] = { STATS_PART_COUNTS, STATS_PART_TALK };
	for (size_t i = 0; i < sizeof(summed) / sizeof(summed[0]); i++)
		if (t.n[summed[i]] > 0)
			fn(ctx, summed[i], NULL, t.v[summed[i]], t.n[summed[i]]);
	return APP_OK;
}

enum app_err store_stats_verify(struct store *s, store_stats_diff_fn fn, void *ctx,
				int64_t *diffs, struct app_error *err)
{
	return s->ops->case_stats->verify(s, fn, ctx, diffs, err);
}

enum app_err store_stats_rebuild(struct store *s, struct app_error *err)
{
	return s->ops->case_stats->rebuild(s, err);
}

/* ---- the contribution of a demand ---- */

void store_stats_facts_add(struct stats_facts *f, const struct case_event_row *steps, int n)
{
	for (int i = 0; i < n; i++) {
		const struct case_event_row *e = &steps[i];
		if (strcmp(e->action, "acknowledge") == 0) {
			if (!f->acknowledged || e->at < f->first_ack)
				f->first_ack = e->at;
			f->acknowledged = true;
		} else if (strcmp(e->action, "clock.missed") == 0) {
			if (strcmp(e->clock, "ack") == 0)
				f->missed_ack = true;
			else if (strcmp(e->clock, "resolve") == 0)
				f->missed_resolve = true;
		}
	}
}

static bool clock_missed(const struct case_row *k, const char *name)
{
	for (int i = 0; i < k->nclocks; i++)
		if (strcmp(k->clocks[i].name, name) == 0)
			return strcmp(k->clocks[i].status, "missed") == 0;
	return false;
}

static bool done(const char *state)
{
	return strcmp(state, "resolved") == 0 || strcmp(state, "followed_up") == 0 ||
	       strcmp(state, "closed") == 0;
}

/* The definitions of docs/patrol.md "Statistics", one line per count. */
bool store_stats_contribution(const struct case_row *k, const struct stats_facts *f,
			      struct stats_contrib *out)
{
	if (strcmp(k->type, "demand") != 0 || strcmp(k->state, "merged") == 0)
		return false;
	struct stats_contrib c = { .acknowledged = false };
	snprintf(c.region, sizeof(c.region), "%s", k->region);
	c.day = k->created_at - (k->created_at + CHINA_OFFSET) % DAY;
	bool missed_ack = f->missed_ack || clock_missed(k, "ack");
	c.n[0] = 1;
	c.n[1] = f->acknowledged && !missed_ack;
	c.n[2] = done(k->state);
	c.n[3] = k->rating[0] != '\0';
	c.n[4] = strcmp(k->rating, "satisfied") == 0 || strcmp(k->rating, "fair") == 0;
	c.n[5] = done(k->state) && k->escalations == 0;
	c.n[6] = k->returns > 0;
	c.n[7] = k->whistles > 0;
	c.n[8] = missed_ack || f->missed_resolve || clock_missed(k, "resolve");
	c.acknowledged = f->acknowledged;
	if (f->acknowledged)
		c.ack_seconds = f->first_ack - k->created_at;
	*out = c;
	return true;
}

int64_t store_stats_bucket(int64_t secs)
{
	if (secs < HOUR_SECS)
		return secs < 0 ? 0 : secs;
	if (secs < DAY)
		return secs - secs % 60;
	if (secs < YEAR_SECS)
		return secs - secs % HOUR_SECS;
	return YEAR_SECS;
}

/* The histogram index of a bucket's lower end, and back. */
static int64_t bucket_index(int64_t b)
{
	if (b < MINUTE_BASE)
		return b < 0 ? 0 : b;
	if (b < DAY)
		return MINUTE_BASE + (b - HOUR_SECS) / 60;
	if (b < YEAR_SECS)
		return HOURLY_BASE + (b - DAY) / HOUR_SECS;
	return BUCKETS - 1;
}

static int64_t bucket_seconds(int64_t i)
{
	if (i < MINUTE_BASE)
		return i;
	if (i < HOURLY_BASE)
		return HOUR_SECS + (i - MINUTE_BASE) * 60;
	return DAY + (i - HOURLY_BASE) * HOUR_SECS;
}

/* ---- rollup rows ---- */

void store_stats_row_init(struct stats_rollup_row *r)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->times, 0);
}

void store_stats_row_release(struct stats_rollup_row *r) { strbuf_release(&r->times); }

/* The most digits read_int() takes: 18 nines still fit an int64_t. */
enum { INT_DIGITS_MAX = 18 };

/* The decimal integer at *p (an optional '-', then 1 to INT_DIGITS_MAX
 * digits) into *out, *p moved past it; false (*p unmoved) when there is
 * none or its digits run on longer, which could not be summed. By hand
 * rather than strtoll(): a year's read parses some ten million of them. */
static bool read_int(const char **p, int64_t *out)
{
	const char *s = *p;
	bool neg = *s == '-';
	s += neg;
	if (*s < '0' || *s > '9')
		return false;
	int64_t v = 0;
	for (int digits = 0; *s >= '0' && *s <= '9'; digits++) {
		if (digits == INT_DIGITS_MAX)
			return false;
		v = v * 10 + (*s++ - '0');
	}
	*out = neg ? -v : v;
	*p = s;
	return true;
}

/* Call fn for each "seconds:count" pair of times (any order, malformed
 * pieces skipped, a number of more than 18 digits among them: the text is
 * ours). */
static void times_each(const char *times, void (*fn)(void *ctx, int64_t secs, int64_t n),
		       void *ctx)
{
	const char *p = times;
	while (*p) {
		int64_t secs, n;
		if (read_int(&p, &secs) && *p == ':') {
			p++;
			if (read_int(&p, &n))
				fn(ctx, secs, n);
		}
		while (*p && *p != ',')
			p++;
		if (*p)
			p++;
	}
}

struct pairs {
	int64_t (*v)[2];
	size_t n, cap;
};

static void pairs_add(void *ctx, int64_t secs, int64_t n)
{
	struct pairs *ps = ctx;
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i][0] == secs) {
			ps->v[i][1] += n;
			return;
		}
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 16;
		ps->v = xrealloc(ps->v, ps->cap * sizeof(*ps->v));
	}
	ps->v[ps->n][0] = secs;
	ps->v[ps->n][1] = n;
	ps->n++;
}

static int pair_cmp(const void *a, const void *b)
{
	int64_t x = ((const int64_t *)a)[0], y = ((const int64_t *)b)[0];
	return (x > y) - (x < y);
}

/* times rewritten in canonical form (ascending seconds, no zero counts),
 * with n more of bucket secs when n is not 0. */
static void times_canon(struct strbuf *times, int64_t secs, int64_t n)
{
	struct pairs ps = { 0 };
	times_each(times->buf, pairs_add, &ps);
	if (n != 0)
		pairs_add(&ps, secs, n);
	if (ps.n > 1)
		qsort(ps.v, ps.n, sizeof(*ps.v), pair_cmp);
	strbuf_reset(times);
	for (size_t i = 0; i < ps.n; i++)
		if (ps.v[i][1] != 0)
			strbuf_addf(times, "%s%" PRId64 ":%" PRId64, times->len ? "," : "",
				    ps.v[i][0], ps.v[i][1]);
	free(ps.v);
}

void store_stats_row_add(struct stats_rollup_row *r, const struct stats_contrib *c, int sign)
{
	for (int i = 0; i < STATS_COUNTS_N; i++)
		r->n[i] += sign * c->n[i];
	if (c->acknowledged) {
		r->acknowledged += sign;
		times_canon(&r->times, store_stats_bucket(c->ack_seconds), sign);
	}
}

static int key_cmp(const char *ra, int64_t da, const char *rb, int64_t db)
{
	int r = strcmp(ra, rb);
	return r ? r : (da > db) - (da < db);
}

static bool contrib_equal(const struct stats_contrib *a, const struct stats_contrib *b)
{
	if (key_cmp(a->region, a->day, b->region, b->day) != 0 ||
	    a->acknowledged != b->acknowledged || a->ack_seconds != b->ack_seconds)
		return false;
	return memcmp(a->n, b->n, sizeof(a->n)) == 0;
}

enum app_err store_stats_change(const struct stats_contrib *before,
				const struct stats_contrib *after, store_stats_apply_fn apply,
				void *ctx, struct app_error *err)
{
	if (!before && !after)
		return APP_OK;
	if (before && after) {
		if (contrib_equal(before, after))
			return APP_OK;
		enum app_err rc;
		if (key_cmp(before->region, before->day, after->region, after->day) <= 0) {
			if ((rc = apply(ctx, before, -1, err)) != APP_OK)
				return rc;
			return apply(ctx, after, 1, err);
		}
		if ((rc = apply(ctx, after, 1, err)) != APP_OK)
			return rc;
		return apply(ctx, before, -1, err);
	}
	return before ? apply(ctx, before, -1, err) : apply(ctx, after, 1, err);
}

/* ---- the COUNTS and TIMES parts ---- */

void store_stats_acc_init(struct stats_acc *a, bool total, store_stats_part_fn fn, void *ctx)
{
	memset(a, 0, sizeof(*a));
	a->fn = fn;
	a->ctx = ctx;
	a->hist = xcalloc(BUCKETS, sizeof(*a->hist));
	if (total)
		a->all = xcalloc(BUCKETS, sizeof(*a->all));
}

/* The nearest rank of the p-th percentile of n, as src/patrol/stats.c's
 * stats_rank() and docs/patrol.md define it. */
static int64_t rank_of(int64_t n, int p) { return (n * p + 99) / 100; }

/* Hand on the median and p90 rows of histogram hist of count times as
 * unit's (NULL: the whole subtree), and clear it. */
static void times_ranks(struct stats_acc *a, const char *unit, int64_t *hist, int64_t count)
{
	if (count == 0)
		return;
	int64_t ranks[2] = { rank_of(count, 50), rank_of(count, 90) };
	int next = 0;
	int64_t seen = 0;
	for (int64_t i = 0; i < BUCKETS && next < 2; i++) {
		seen += hist[i];
		while (next < 2 && seen >= ranks[next]) {
			if (next == 0 || ranks[1] != ranks[0]) {
				int64_t v[3] = { ranks[next], count, bucket_seconds(i) };
				a->fn(a->ctx, STATS_PART_TIMES, unit, v, 3);
			}
			next++;
		}
	}
	memset(hist, 0, BUCKETS * sizeof(*hist));
}

/* Hand on the unit summed so far and clear it. */
static void unit_flush(struct stats_acc *a)
{
	if (a->n[0] > 0) /* units with demands only, as a GROUP BY ... HAVING would */
		a->fn(a->ctx, STATS_PART_COUNTS, a->unit, a->n, STATS_COUNTS_N);
	times_ranks(a, a->unit, a->hist, a->count);
	memset(a->n, 0, sizeof(a->n));
	a->count = 0;
}

static void hist_add(void *ctx, int64_t secs, int64_t n)
{
	struct stats_acc *a = ctx;
	int64_t i = bucket_index(secs);
	a->hist[i] += n;
	a->count += n;
	if (a->all) {
		a->all[i] += n;
		a->all_count += n;
	}
}

void store_stats_acc_row(struct stats_acc *a, const char *unit, const int64_t *n,
			 const char *times)
{
	if (strcmp(unit, a->unit) != 0) {
		unit_flush(a);
		snprintf(a->unit, sizeof(a->unit), "%s", unit);
	}
	for (int i = 0; i < STATS_COUNTS_N; i++)
		a->n[i] += n[i];
	times_each(times, hist_add, a);
}

void store_stats_acc_finish(struct stats_acc *a, bool hand_on)
{
	if (hand_on) {
		unit_flush(a);
		if (a->all)
			times_ranks(a, NULL, a->all, a->all_count);
	}
	free(a->hist);
	free(a->all);
	memset(a, 0, sizeof(*a));
}

/* ---- verifying ---- */

void store_stats_verify_add(struct stats_verify *v, bool stored, struct stats_rollup_row *r)
{
	struct stats_rollup_row **rows = stored ? &v->have : &v->want;
	size_t *n = stored ? &v->nhave : &v->nwant, *cap = stored ? &v->capi : &v->capw;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*rows = xrealloc(*rows, *cap * sizeof(**rows));
	}
	times_canon(&r->times, 0, 0);
	(*rows)[(*n)++] = *r;
	store_stats_row_init(r);
}

static int row_cmp(const void *a, const void *b)
{
	const struct stats_rollup_row *x = a, *y = b;
	return key_cmp(x->region, x->day, y->region, y->day);
}

static bool row_empty(const struct stats_rollup_row *r)
{
	for (int i = 0; i < STATS_COUNTS_N; i++)
		if (r->n[i])
			return false;
	return r->acknowledged == 0 && r->times.len == 0;
}

static const char *const count_names[STATS_COUNTS_N] = {
	"demands",    "responded", "resolved", "rated",   "satisfied",
	"first_line", "returned",  "whistled", "overdue",
};

/* One line saying how stored row h and recomputed row w differ (either may
 * be an empty row standing for a missing one). */
static void say_diff(const struct stats_rollup_row *h, const struct stats_rollup_row *w,
		     store_stats_diff_fn fn, void *ctx)
{
	struct strbuf line = STRBUF_INIT;
	time_t t = (time_t)(w->day + CHINA_OFFSET);
	struct tm tm;
	gmtime_r(&t, &tm);
	strbuf_addf(&line, "region %s day %04d-%02d-%02d:", w->region, tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday);
	for (int i = 0; i < STATS_COUNTS_N; i++)
		if (h->n[i] != w->n[i])
			strbuf_addf(&line, " %s %" PRId64 " stored, %" PRId64 " recomputed;",
				    count_names[i], h->n[i], w->n[i]);
	if (h->acknowledged != w->acknowledged)
		strbuf_addf(&line, " acknowledged %" PRId64 " stored, %" PRId64 " recomputed;",
			    h->acknowledged, w->acknowledged);
	if (strcmp(h->times.buf, w->times.buf) != 0)
		strbuf_addf(&line, " times '%s' stored, '%s' recomputed;", h->times.buf,
			    w->times.buf);
	line.buf[--line.len] = '\0'; /* the last ';' */
	fn(ctx, line.buf);
	strbuf_release(&line);
}

int64_t store_stats_verify_finish(struct stats_verify *v, store_stats_diff_fn fn, void *ctx)
{
	int64_t diffs = 0;
	if (v->nhave > 1)
		qsort(v->have, v->nhave, sizeof(*v->have), row_cmp);
	if (v->nwant > 1)
		qsort(v->want, v->nwant, sizeof(*v->want), row_cmp);
	size_t i = 0, j = 0;
	struct stats_rollup_row none;
	while (i < v->nhave || j < v->nwant) {
		int c = i == v->nhave	? 1
			: j == v->nwant ? -1
					: row_cmp(&v->have[i], &v->want[j]);
		const struct stats_rollup_row *h = c <= 0 ? &v->have[i] : NULL;
		const struct stats_rollup_row *w = c >= 0 ? &v->want[j] : NULL;
		store_stats_row_init(&none);
		if (!h) {
			memcpy(none.region, w->region, sizeof(none.region));
			none.day = w->day;
			h = &none;
		} else if (!w) {
			memcpy(none.region, h->region, sizeof(none.region));
			none.day = h->day;
			w = &none;
		}
		bool same = memcmp(h->n, w->n, sizeof(h->n)) == 0 &&
			    h->acknowledged == w->acknowledged &&
			    strcmp(h->times.buf, w->times.buf) == 0;
		if (!same && !(row_empty(h) && row_empty(w))) {
			diffs++;
			say_diff(h, w, fn, ctx);
		}
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	for (size_t k = 0; k < v->nhave; k++)
		store_stats_row_release(&v->have[k]);
	for (size_t k = 0; k < v->nwant; k++)
		store_stats_row_release(&v->want[k]);
	free(v->have);
	free(v->want);
	memset(v, 0, sizeof(*v));
	return diffs;
}
