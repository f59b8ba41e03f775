/*
 * test_stats.c - unit tests of the pure parts of the statistics of demands
 * (src/patrol/stats.c): the nearest-rank percentile (median and p90)
 * checked against its definition on every small sample, rates and their
 * rounding, periods of a day, a month and a custom range in China time, the
 * CSV table (Chinese header, empty cells, quoting) and the ranking's order
 * and minimum sample; the contribution of one demand to the rollup
 * (store_stats_contribution), the first-response buckets, and the rollup's
 * rows summed per unit and in total in one pass (store_stats_acc_*), a
 * histogram's over-long numbers skipped. The SQL side
 * is tested on both backends by tests/api/t1420-stats.sh and
 * t1421-stats-rollup.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "patrol/stats.h"
#include "store/store_int.h" /* the rollup's summing, shared by both backends */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The p-th percentile by definition: the smallest rank r (1-based) such
 * that at least p% of n sorted values lie at or below the r-th. */
static int64_t rank_by_definition(int64_t n, int p)
{
	for (int64_t r = 1; r <= n; r++)
		if (r * 100 >= n * p)
			return r;
	return 0;
}

static void test_rank(void **state)
{
	(void)state;
	assert_int_equal(stats_rank(0, 50), 0);
	assert_int_equal(stats_rank(1, 50), 1);
	assert_int_equal(stats_rank(1, 90), 1);
	assert_int_equal(stats_rank(2, 50), 1);   /* the lower of two */
	assert_int_equal(stats_rank(5, 50), 3);   /* the middle one */
	assert_int_equal(stats_rank(8, 50), 4);
	assert_int_equal(stats_rank(8, 90), 8);   /* ceil(7.2) */
	assert_int_equal(stats_rank(10, 90), 9);  /* exactly 9 */
	assert_int_equal(stats_rank(11, 90), 10); /* ceil(9.9) */
	for (int64_t n = 1; n <= 1000; n++) {
		assert_int_equal(stats_rank(n, 50), rank_by_definition(n, 50));
		assert_int_equal(stats_rank(n, 90), rank_by_definition(n, 90));
	}
	/* ten million demands do not overflow */
	assert_int_equal(stats_rank(10000000, 90), 9000000);
}

static void test_rate_value(void **state)
{
	(void)state;
	assert_true(stats_rate_value(0, 0) < 0);
	assert_true(stats_rate_value(3, 0) < 0);
	assert_true(stats_rate_value(0, 7) == 0.0);
	assert_true(stats_rate_value(6, 10) == 0.6);
	assert_true(stats_rate_value(2, 3) == 0.6667);
	assert_true(stats_rate_value(1, 6) == 0.1667);
	assert_true(stats_rate_value(7, 7) == 1.0);
	enum stats_rate r;
	assert_true(stats_rate_parse("first_line", &r));
	assert_int_equal(r, STATS_RATE_FIRST_LINE);
	assert_false(stats_rate_parse("speed", &r));
	assert_false(stats_rate_parse(NULL, &r));
	assert_false(stats_rates[STATS_RATE_RETURN].higher_better);
	assert_int_equal(stats_rates[STATS_RATE_SATISFACTION].den, STATS_RATED);
}

/* 2026-11-02 00:00 in China */
#define NOV2 1793548800

static void test_period(void **state)
{
	(void)state;
	struct app_error err;
	int64_t f, t;
	assert_int_equal(stats_period_parse("2026-11-02", NULL, &f, &t, &err), APP_OK);
	assert_int_equal(f, NOV2);
	assert_int_equal(t, NOV2 + 86400);
	assert_int_equal(stats_period_parse("2026-11-02", "", &f, &t, &err), APP_OK);
	assert_int_equal(t - f, 86400);
	assert_int_equal(stats_period_parse("2026-11", NULL, &f, &t, &err), APP_OK);
	assert_int_equal(f, NOV2 - 86400);
	assert_int_equal(t - f, 30 * 86400);
	assert_int_equal(stats_period_parse("2026-12", NULL, &f, &t, &err), APP_OK);
	assert_int_equal(t - f, 31 * 86400); /* into the next year */
	assert_int_equal(stats_period_parse("2028-02", NULL, &f, &t, &err), APP_OK);
	assert_int_equal(t - f, 29 * 86400); /* a leap year */
	assert_int_equal(stats_period_parse("2026-11-02", "2026-12", &f, &t, &err), APP_OK);
	assert_int_equal(t - f, 29 * 86400);
	assert_int_equal(stats_period_parse("2026-01", "2027-01", &f, &t, &err), APP_OK);
	assert_int_equal(t - f, 365 * 86400);

	assert_int_equal(stats_period_parse(NULL, NULL, &f, &t, &err), APP_EINVAL);
	assert_string_equal(err.field, "from");
	assert_int_equal(stats_period_parse("2026-11-31", NULL, &f, &t, &err), APP_EINVAL);
	assert_string_equal(err.field, "from");
	assert_int_equal(stats_period_parse("2026-13", NULL, &f, &t, &err), APP_EINVAL);
	assert_int_equal(stats_period_parse("2026-11-02T00:00", NULL, &f, &t, &err), APP_EINVAL);
	assert_int_equal(stats_period_parse("2026-11-02", "tomorrow", &f, &t, &err), APP_EINVAL);
	assert_string_equal(err.field, "to");
	assert_int_equal(stats_period_parse("2026-11-02", "2026-11-02", &f, &t, &err), APP_EINVAL);
	assert_string_equal(err.field, "to");
	assert_int_equal(stats_period_parse("2026-11-02", "2026-11", &f, &t, &err), APP_EINVAL);
}

static void unit(struct stats_unit *u, const char *code, const char *name, int64_t demands,
		 int64_t responded, int64_t rated, int64_t satisfied)
{
	memset(u, 0, sizeof(*u));
	strcpy(u->code, code);
	strcpy(u->name, name);
	u->n[STATS_DEMANDS] = demands;
	u->n[STATS_RESPONDED] = responded;
	u->n[STATS_RATED] = rated;
	u->n[STATS_SATISFIED] = satisfied;
	u->ack_median = u->ack_p90 = -1;
}

static void report(struct stats_report *r, struct stats_unit *units, int n)
{
	stats_report_init(r);
	strcpy(r->region, "990101");
	r->from = NOV2;
	r->to = NOV2 + 86400;
	r->days = 1;
	r->unit_digits = 9;
	r->units = units;
	r->nunits = n;
	unit(&r->total, "990101", "便民县", 0, 0, 0, 0);
}

static void test_csv(void **state)
{
	(void)state;
	struct stats_unit u[2];
	unit(&u[0], "990101001", "甲镇, 东区", 4, 3, 0, 0);
	u[0].ack_median = 90;
	u[0].ack_p90 = 600;
	u[0].interactions = 5;
	unit(&u[1], "990101002", "乙\"镇\"", 0, 0, 0, 0);
	struct stats_report r;
	report(&r, u, 2);
	struct strbuf sb;
	strbuf_init(&sb, 0);
	stats_csv(&r, &sb);
	const char *want =
		"地区代码,地区名称,诉求数,响应率,解决率,满意率,一线解决率,退单率,吹哨率,超期数,"
		"首次响应时间中位数（分钟）,首次响应时间P90（分钟）,有效互动数,日均有效互动\r\n"
		"990101001,\"甲镇, 东区\",4,75.00%,0.00%,,,0.00%,0.00%,0,1.50,10.00,5,5.00\r\n"
		"990101002,\"乙\"\"镇\"\"\",0,,,,,,,0,,,0,0.00\r\n"
		"990101,便民县,0,,,,,,,0,,,0,0.00\r\n";
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

static const char *ranked_codes(json_t *o, const char *key, char *buf)
{
	size_t i;
	json_t *v;
	buf[0] = '\0';
	json_array_foreach(json_object_get(o, key), i, v) {
		strcat(buf, i ? "," : "");
		strcat(buf, json_string_value(json_object_get(v, "region")));
	}
	return buf;
}

static void test_ranking(void **state)
{
	(void)state;
	struct stats_unit u[5];
	unit(&u[0], "990101001", "a", 10, 5, 10, 9); /* response 0.5, satisfaction 0.9 */
	unit(&u[1], "990101002", "b", 12, 6, 0, 0);  /* 0.5 on more demands: before a */
	unit(&u[2], "990101003", "c", 9, 9, 9, 9);   /* under the minimum sample */
	unit(&u[3], "990101004", "d", 20, 19, 4, 1); /* 0.95 */
	unit(&u[4], "990101005", "e", 10, 5, 0, 0);  /* ties with a: by code */
	struct stats_report r;
	report(&r, u, 5);
	char buf[128];
	json_t *o = stats_ranking_json(&r, STATS_RATE_RESPONSE, 10);
	assert_string_equal(ranked_codes(o, "ranked", buf), "990101004,990101002,990101001,990101005");
	assert_string_equal(ranked_codes(o, "sample_too_small", buf), "990101003");
	assert_string_equal(json_string_value(json_object_get(o, "label")), "响应率");
	json_decref(o);
	/* no rating: no rate, ranked last */
	o = stats_ranking_json(&r, STATS_RATE_SATISFACTION, 10);
	assert_string_equal(ranked_codes(o, "ranked", buf), "990101001,990101004,990101002,990101005");
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(o, "ranked"), 2),
						  "rate")));
	json_decref(o);
	/* 退单率: lower first */
	u[0].n[STATS_RETURNED] = 3;
	u[1].n[STATS_RETURNED] = 1;
	o = stats_ranking_json(&r, STATS_RATE_RETURN, 1);
	assert_string_equal(ranked_codes(o, "ranked", buf),
			    "990101004,990101005,990101003,990101002,990101001");
	json_decref(o);
}

/* A demand of village 990101103200 raised Monday 2026-11-02 09:00 China
 * time, received, with no clock. */
static struct case_row *demand(void)
{
	struct case_row *k = calloc(1, sizeof(*k));
	assert_non_null(k);
	strcpy(k->type, "demand");
	strcpy(k->state, "received");
	strcpy(k->region, "990101103200");
	k->created_at = 1793581200; /* 2026-11-02T01:00:00Z */
	return k;
}

static void set_clock(struct case_row *k, const char *name, const char *status)
{
	struct case_clock_row *t = &k->clocks[k->nclocks++];
	strcpy(t->name, name);
	strcpy(t->status, status);
}

static struct case_event_row line(const char *action, const char *clock, int64_t at)
{
	struct case_event_row e;
	memset(&e, 0, sizeof(e));
	strcpy(e.action, action);
	strcpy(e.clock, clock);
	e.at = at;
	return e;
}

/* The counts of c as "demands responded resolved rated satisfied first_line
 * returned whistled overdue". */
static const char *counts(const struct stats_contrib *c, char *buf)
{
	char *p = buf;
	for (int i = 0; i < STATS_COUNTS_N; i++)
		p += sprintf(p, "%s%lld", i ? " " : "", (long long)c->n[i]);
	return buf;
}

/* The contribution of a demand to the rollup follows docs/patrol.md's
 * definitions, as the fixture of t1420 works them out case by case. */
static void test_contribution(void **state)
{
	(void)state;
	char buf[64];
	struct stats_facts f = { 0 };
	struct stats_contrib c;
	struct case_row *k = demand();

	/* raised, nothing done: counted on its China day, from 00:00 +08:00 */
	assert_true(store_stats_contribution(k, &f, &c));
	assert_string_equal(c.region, "990101103200");
	assert_int_equal(c.day, 1793548800); /* 2026-11-01T16:00:00Z */
	assert_string_equal(counts(&c, buf), "1 0 0 0 0 0 0 0 0");
	assert_false(c.acknowledged);

	/* acknowledged twice: the first line gives the time; responded */
	struct case_event_row steps[] = { line("acknowledge", "", k->created_at + 90),
					  line("note", "", k->created_at + 10),
					  line("acknowledge", "", k->created_at + 60) };
	store_stats_facts_add(&f, steps, 3);
	set_clock(k, "ack", "met");
	assert_true(store_stats_contribution(k, &f, &c));
	assert_true(c.acknowledged);
	assert_int_equal(c.ack_seconds, 60);
	assert_string_equal(counts(&c, buf), "1 1 0 0 0 0 0 0 0");

	/* closed at the first level, rated fair, returned once, whistled */
	strcpy(k->state, "closed");
	strcpy(k->rating, "fair");
	k->returns = 1;
	k->whistles = 2;
	assert_true(store_stats_contribution(k, &f, &c));
	assert_string_equal(counts(&c, buf), "1 1 1 1 1 1 1 1 0");
	/* escalated once: not first-line; dissatisfied: rated, not satisfied */
	k->escalations = 1;
	strcpy(k->rating, "dissatisfied");
	assert_true(store_stats_contribution(k, &f, &c));
	assert_string_equal(counts(&c, buf), "1 1 1 1 0 0 1 1 0");

	/* a missed acknowledgement, by its line or by its clock: overdue and
	 * not responded; a missed resolution: overdue only */
	struct stats_facts g = f;
	struct case_event_row missed = line("clock.missed", "ack", k->created_at + 180);
	store_stats_facts_add(&g, &missed, 1);
	assert_true(store_stats_contribution(k, &g, &c));
	assert_int_equal(c.n[1], 0);
	assert_int_equal(c.n[8], 1);
	strcpy(k->clocks[0].status, "missed");
	assert_true(store_stats_contribution(k, &f, &c));
	assert_int_equal(c.n[1], 0);
	assert_int_equal(c.n[8], 1);
	strcpy(k->clocks[0].status, "met");
	set_clock(k, "resolve", "missed");
	assert_true(store_stats_contribution(k, &f, &c));
	assert_int_equal(c.n[1], 1);
	assert_int_equal(c.n[8], 1);

	/* merged, or not a demand: counted nowhere, *out untouched */
	struct stats_contrib before = c;
	strcpy(k->state, "merged");
	assert_false(store_stats_contribution(k, &f, &c));
	assert_memory_equal(&c, &before, sizeof(c));
	strcpy(k->state, "received");
	strcpy(k->type, "complaint");
	assert_false(store_stats_contribution(k, &f, &c));
	free(k);
}

/* First-response buckets: to the second under an hour (the fixture's
 * times stay exact), the minute under a day, the hour under a year. */
static void test_bucket(void **state)
{
	(void)state;
	assert_int_equal(store_stats_bucket(-5), 0);
	assert_int_equal(store_stats_bucket(0), 0);
	assert_int_equal(store_stats_bucket(3599), 3599);
	assert_int_equal(store_stats_bucket(3600), 3600);
	assert_int_equal(store_stats_bucket(3661), 3660);
	assert_int_equal(store_stats_bucket(86399), 86340);
	assert_int_equal(store_stats_bucket(86400), 86400);
	assert_int_equal(store_stats_bucket(91234), 90000);
	assert_int_equal(store_stats_bucket(31535999), 31532400);
	assert_int_equal(store_stats_bucket(40000000), 31536000);
}

/* store_stats_acc_* hands its parts to this: one line per row. */
static void acc_line(void *ctx, enum stats_part part, const char *unit, const int64_t *v, int n)
{
	static const char *const names[STATS_PART__MAX] = { "counts", "times", "talk" };
	struct strbuf *out = ctx;
	strbuf_addf(out, "%s %s", names[part], unit ? unit : "(total)");
	for (int i = 0; i < n; i++)
		strbuf_addf(out, " %lld", (long long)v[i]);
	strbuf_addch(out, '\n');
}

/* Rollup rows summed per unit in one pass (store_stats_acc_*): a unit's
 * counts, handed on only when it has demands; its median and p90 from its
 * rows' histograms summed (a malformed piece skipped, a negative count
 * taken away); with a total, the total's from all units' times together,
 * which is not a median of their medians. */
static void test_acc(void **state)
{
	(void)state;
	static const int64_t a1[STATS_COUNTS_N] = { 2, 1, 0, 0, 0, 0, 0, 0, 0 };
	static const int64_t a2[STATS_COUNTS_N] = { 1, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const int64_t none[STATS_COUNTS_N] = { 0 };
	static const int64_t c1[STATS_COUNTS_N] = { 4, 4, 4, 4, 3, 2, 1, 1, 0 };
	const char *want_units = "counts A 3 1 0 0 0 0 0 0 1\n"
				 "times A 2 3 20\n"     /* 10 20 30: rank 2 */
				 "times A 3 3 30\n"     /* rank ceil(2.7) = 3 */
				 "counts C 4 4 4 4 3 2 1 1 0\n"
				 "times C 2 4 200\n"    /* 100 200 300 400 */
				 "times C 4 4 400\n";
	for (int total = 0; total <= 1; total++) {
		struct strbuf out = STRBUF_INIT;
		struct stats_acc acc;
		store_stats_acc_init(&acc, total, acc_line, &out);
		store_stats_acc_row(&acc, "A", a1, "10:1,30:1");
		store_stats_acc_row(&acc, "A", a2, "20:1");
		store_stats_acc_row(&acc, "B", none, ""); /* a row emptied by changes */
		store_stats_acc_row(&acc, "C", c1, "100:1,200:1,bad,300:2");
		store_stats_acc_row(&acc, "C", none, "300:-1,400:1");
		store_stats_acc_finish(&acc, true);
		struct strbuf want = STRBUF_INIT;
		strbuf_addstr(&want, want_units);
		if (total) /* 10 20 30 100 200 300 400: ranks 4 and 7 */
			strbuf_addstr(&want, "times (total) 4 7 100\ntimes (total) 7 7 400\n");
		assert_string_equal(out.buf, want.buf);
		strbuf_release(&out);
		strbuf_release(&want);
	}
}

/* A number of more than 18 digits in a histogram's text (which could not
 * be summed without overflowing) makes its piece malformed, skipped both
 * when the rows are summed and when a row is rewritten; 18 digits still
 * read (the last bucket). */
static void test_long_numbers(void **state)
{
	(void)state;
	static const int64_t one[STATS_COUNTS_N] = { 1 };
	struct strbuf out = STRBUF_INIT;
	struct stats_acc acc;
	store_stats_acc_init(&acc, false, acc_line, &out);
	store_stats_acc_row(&acc, "A", one,
			    "1234567890123456789:1,10:1,20:12345678901234567890,"
			    "-99999999999999999999:1,999999999999999999:1");
	store_stats_acc_finish(&acc, true);
	char want[128];
	snprintf(want, sizeof(want), "counts A 1 0 0 0 0 0 0 0 0\ntimes A 1 2 10\ntimes A 2 2 %lld\n",
		 (long long)store_stats_bucket(999999999999999999));
	assert_string_equal(out.buf, want);
	strbuf_release(&out);

	struct stats_rollup_row r;
	store_stats_row_init(&r);
	strbuf_addstr(&r.times, "5:1,99999999999999999999:3,7:1");
	struct stats_contrib c = { .acknowledged = true, .ack_seconds = 5 };
	store_stats_row_add(&r, &c, 1);
	assert_string_equal(r.times.buf, "5:2,7:1");
	store_stats_row_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rank),    cmocka_unit_test(test_rate_value),
		cmocka_unit_test(test_period),  cmocka_unit_test(test_csv),
		cmocka_unit_test(test_ranking), cmocka_unit_test(test_contribution),
		cmocka_unit_test(test_acc),     cmocka_unit_test(test_long_numbers),
		cmocka_unit_test(test_bucket),
	};
	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
