/*
 * stats.h - the statistics of demands per village, town and county over a
 * period: 响应率, 解决率, 满意率, first-line resolution, 退单率, 吹哨率,
 * overdue demands, first-response times and valid interactions, each
 * defined in docs/patrol.md "Statistics" (this module follows that text to
 * the letter); rankings of the units below a region with a minimum sample;
 * JSON, CSV and XLSX renderings with Chinese headers.
 *
 * The database does the counting (store_stats_read); this module turns
 * counts into rates. It decides no access: callers check auth_scope()
 * before asking for a region.
 */
#ifndef PATROL_STATS_H
#define PATROL_STATS_H

#include "core/err.h"
#include "core/strbuf.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* The counts of a unit, in the order of the store's COUNTS part. */
enum stats_count {
	STATS_DEMANDS,    /* demands counted (raised in the period, not merged) */
	STATS_RESPONDED,  /* acknowledged, and no acknowledgement clock missed */
	STATS_RESOLVED,   /* resolved, followed up or closed */
	STATS_RATED,      /* with a rating */
	STATS_SATISFIED,  /* rated satisfied or fair */
	STATS_FIRST_LINE, /* resolved (as above) and never escalated */
	STATS_RETURNED,   /* returned (退单) at least once */
	STATS_WHISTLED,   /* whistled (吹哨) at least once */
	STATS_OVERDUE,    /* missed its acknowledgement or resolution clock */
	STATS_COUNT__MAX
};

enum stats_rate {
	STATS_RATE_RESPONSE,
	STATS_RATE_RESOLUTION,
	STATS_RATE_SATISFACTION,
	STATS_RATE_FIRST_LINE,
	STATS_RATE_RETURN,
	STATS_RATE_WHISTLE,
	STATS_RATE__MAX
};

/* A rate's name in the API ("response"), its Chinese label (响应率), its
 * numerator and denominator counts, and whether higher ranks first. */
struct stats_rate_def {
	const char *name;
	const char *label;
	enum stats_count num, den;
	bool higher_better;
};
extern const struct stats_rate_def stats_rates[STATS_RATE__MAX];

/* The figures of one unit (a village, a town, or the whole region). */
struct stats_unit {
	char code[DIVISION_CODE_MAX + 1];
	char name[REGION_NAME_MAX];
	int64_t n[STATS_COUNT__MAX];
	int64_t acknowledged;          /* demands with a first-response time */
	int64_t ack_median, ack_p90;   /* seconds; -1 when none acknowledged */
	int64_t interactions;          /* valid interactions in the period */
};

/* A report: the region's totals and, when asked, its units one level down. */
struct stats_report {
	char region[DIVISION_CODE_MAX + 1];
	int64_t from, to; /* [from, to) */
	int days;         /* days the period spans (rounded up) */
	int unit_digits;  /* 0: no breakdown */
	struct stats_unit total;
	struct stats_unit *units; /* owned; in code order */
	int nunits;
};

void stats_report_init(struct stats_report *r);
void stats_report_release(struct stats_report *r);

/*
 * The rank of the p-th percentile among n sorted values by the nearest-rank
 * method: ceil(n * p / 100), 1-based; 0 when n is 0. The store selects the
 * same ranks in SQL (STATS_PART_TIMES).
 */
int64_t stats_rank(int64_t n, int p);

/* num / den rounded to 4 decimals; -1 when den is 0 (no rate). */
double stats_rate_value(int64_t num, int64_t den);

/* Parse a rate's API name; false when unknown. */
bool stats_rate_parse(const char *name, enum stats_rate *out);

/*
 * The period [from, to) of the dates given, in China time: from is
 * "YYYY-MM-DD" (a day) or "YYYY-MM" (a month); to, optional, is the
 * exclusive end in either form (a month means its first day); without to,
 * the period is the day or month named by from. APP_EINVAL naming the field.
 */
enum app_err stats_period_parse(const char *from, const char *to, int64_t *out_from,
				int64_t *out_to, struct app_error *err);

/*
 * Compute the report of region over [from, to): its totals and, with by
 * "village" or "town" (NULL or "": none), its units at that level. The
 * caller checked the region's scope. APP_EINVAL for a bad code or a level
 * not below the region's; APP_ENOTFOUND when the region is not in the
 * registry. r is filled only on success (release it either way).
 */
enum app_err stats_compute(struct store *s, const char *region, const char *by, int64_t from,
			   int64_t to, struct stats_report *r, struct app_error *err);

/* The report as JSON (new reference). */
json_t *stats_json(const struct stats_report *r);

/*
 * A ranking of the units of r (computed with a breakdown) by rate: units
 * with at least min_sample demands ranked (best first, ties by more demands
 * then by code), the others listed apart as too small a sample. New
 * reference.
 */
json_t *stats_ranking_json(const struct stats_report *r, enum stats_rate rate, int min_sample);

/* The report as CSV with a Chinese header row, one row per unit and a last
 * row for the region's total. */
void stats_csv(const struct stats_report *r, struct strbuf *out);

/* The same table as an XLSX workbook written to path. APP_EIO on failure. */
enum app_err stats_xlsx(const struct stats_report *r, const char *path, struct app_error *err);

#endif
