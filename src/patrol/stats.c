/*
 * stats.c - the statistics of demands: counts from the store turned into
 * the rates of docs/patrol.md "Statistics", rankings with a minimum sample,
 * and the JSON, CSV and XLSX renderings; see stats.h.
 */
#include "patrol/stats.h"
#include "core/clock.h"
#include "core/division.h"
#include "core/mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

const struct stats_rate_def stats_rates[STATS_RATE__MAX] = {
	[STATS_RATE_RESPONSE] = { "response", "响应率", STATS_RESPONDED, STATS_DEMANDS, true },
	[STATS_RATE_RESOLUTION] = { "resolution", "解决率", STATS_RESOLVED, STATS_DEMANDS, true },
	[STATS_RATE_SATISFACTION] = { "satisfaction", "满意率", STATS_SATISFIED, STATS_RATED,
				      true },
	[STATS_RATE_FIRST_LINE] = { "first_line", "一线解决率", STATS_FIRST_LINE, STATS_RESOLVED,
				    true },
	[STATS_RATE_RETURN] = { "return", "退单率", STATS_RETURNED, STATS_DEMANDS, false },
	[STATS_RATE_WHISTLE] = { "whistle", "吹哨率", STATS_WHISTLED, STATS_DEMANDS, true },
};

static const char *const count_names[STATS_COUNT__MAX] = {
	[STATS_DEMANDS] = "demands",     [STATS_RESPONDED] = "responded",
	[STATS_RESOLVED] = "resolved",   [STATS_RATED] = "rated",
	[STATS_SATISFIED] = "satisfied", [STATS_FIRST_LINE] = "first_line",
	[STATS_RETURNED] = "returned",   [STATS_WHISTLED] = "whistled",
	[STATS_OVERDUE] = "overdue",
};

void stats_report_init(struct stats_report *r) { memset(r, 0, sizeof(*r)); }

void stats_report_release(struct stats_report *r)
{
	free(r->units);
	stats_report_init(r);
}

int64_t stats_rank(int64_t n, int p) { return n > 0 ? (n * p + 99) / 100 : 0; }

double stats_rate_value(int64_t num, int64_t den)
{
	return den > 0 ? round((double)num * 10000.0 / (double)den) / 10000.0 : -1;
}

bool stats_rate_parse(const char *name, enum stats_rate *out)
{
	for (int i = 0; name && i < STATS_RATE__MAX; i++)
		if (strcmp(name, stats_rates[i].name) == 0) {
			*out = (enum stats_rate)i;
			return true;
		}
	return false;
}

/* A date "YYYY-MM-DD" or a month "YYYY-MM" (its first day) as yyyymmdd;
 * *month tells which. */
static bool parse_date(const char *s, int *day, bool *month)
{
	char buf[16];
	*month = strlen(s) == 7;
	if (*month)
		snprintf(buf, sizeof(buf), "%s-01", s);
	else
		snprintf(buf, sizeof(buf), "%s", s);
	return strlen(s) <= 10 && clock_day_parse(buf, day);
}

/* The first day of the month after the month of day (yyyymmdd). */
static int next_month(int day)
{
	int y = day / 10000, m = day / 100 % 100;
	return m == 12 ? (y + 1) * 10000 + 101 : y * 10000 + (m + 1) * 100 + 1;
}

enum app_err stats_period_parse(const char *from, const char *to, int64_t *out_from,
				int64_t *out_to, struct app_error *err)
{
	int fday, tday;
	bool fmonth, tmonth;
	if (!from || !*from)
		return app_fail_field(err, APP_EINVAL, "from",
				      "from is required: a day (2026-11-29) or a month (2026-11)");
	if (!parse_date(from, &fday, &fmonth))
		return app_fail_field(err, APP_EINVAL, "from",
				      "from '%s' is not a day (2026-11-29) or a month (2026-11)",
				      from);
	if (to && *to) {
		if (!parse_date(to, &tday, &tmonth))
			return app_fail_field(err, APP_EINVAL, "to",
					      "to '%s' is not a day (2026-11-29) or a month (2026-11)",
					      to);
	} else {
		tday = fmonth ? next_month(fday) : clock_day_add(fday, 1);
	}
	if (tday <= fday)
		return app_fail_field(err, APP_EINVAL, "to", "to must come after from");
	*out_from = clock_china_time(fday, 0);
	*out_to = clock_china_time(tday, 0);
	return APP_OK;
}

static void unit_init(struct stats_unit *u, const char *code)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->code, sizeof(u->code), "%s", code);
	u->ack_median = u->ack_p90 = -1;
}

/* The unit of code in r (the total when code is NULL or r has no
 * breakdown), added in code order when new. */
static struct stats_unit *unit_of(struct stats_report *r, const char *code)
{
	if (!code || !r->unit_digits)
		return &r->total;
	int lo = 0, hi = r->nunits;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		int c = strcmp(r->units[mid].code, code);
		if (c == 0)
			return &r->units[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	r->units = xrealloc(r->units, (size_t)(r->nunits + 1) * sizeof(*r->units));
	memmove(&r->units[lo + 1], &r->units[lo], (size_t)(r->nunits - lo) * sizeof(*r->units));
	r->nunits++;
	unit_init(&r->units[lo], code);
	return &r->units[lo];
}

static void add_part(void *ctx, enum stats_part part, const char *code, const int64_t *v, int n)
{
	struct stats_unit *u = unit_of(ctx, code);
	switch (part) {
	case STATS_PART_COUNTS:
		for (int i = 0; i < n && i < STATS_COUNT__MAX; i++)
			u->n[i] = v[i];
		break;
	case STATS_PART_TIMES:
		if (n < 3)
			break;
		u->acknowledged = v[1];
		if (v[0] == stats_rank(v[1], 50))
			u->ack_median = v[2];
		if (v[0] == stats_rank(v[1], 90))
			u->ack_p90 = v[2];
		break;
	case STATS_PART_TALK:
		if (n >= 1)
			u->interactions = v[0];
		break;
	case STATS_PART__MAX:
		break;
	}
}

static void name_unit(struct store *s, struct stats_unit *u)
{
	struct region reg;
	struct app_error ignored;
	if (store_region_get(s, u->code, &reg, &ignored) == APP_OK)
		snprintf(u->name, sizeof(u->name), "%s", reg.name);
}

enum app_err stats_compute(struct store *s, const char *region, const char *by, int64_t from,
			   int64_t to, struct stats_report *r, struct app_error *err)
{
	enum division_level level, by_level = DIV__MAX;
	enum app_err rc;
	if (!region || !*region)
		return app_fail_field(err, APP_EINVAL, "region", "region is required");
	if ((rc = division_code_check(region, &level, err)) != APP_OK) {
		snprintf(err->field, sizeof(err->field), "region");
		return rc;
	}
	if (by && *by) {
		if (strcmp(by, "village") == 0)
			by_level = DIV_VILLAGE;
		else if (strcmp(by, "town") == 0)
			by_level = DIV_TOWN;
		else
			return app_fail_field(err, APP_EINVAL, "by",
					      "by must be village or town, not '%s'", by);
		if (by_level <= level)
			return app_fail_field(err, APP_EINVAL, "by",
					      "by=%s needs a region above that level", by);
	}
	struct stats_report out;
	stats_report_init(&out);
	snprintf(out.region, sizeof(out.region), "%s", region);
	out.from = from;
	out.to = to;
	out.days = (int)((to - from + 86399) / 86400);
	unit_init(&out.total, region);
	struct region reg;
	if ((rc = store_region_get(s, region, &reg, err)) != APP_OK)
		return rc;
	snprintf(out.total.name, sizeof(out.total.name), "%s", reg.name);

	/* a breakdown reads the units and the total in one pass */
	struct stats_query q = { region, (int)strlen(region), from, to, by_level != DIV__MAX };
	if (q.total)
		out.unit_digits = q.unit_digits = division_level_digits[by_level];
	if ((rc = store_stats_read(s, &q, add_part, &out, err)) != APP_OK)
		goto fail;
	for (int i = 0; i < out.nunits; i++)
		name_unit(s, &out.units[i]);
	stats_report_release(r);
	*r = out;
	return APP_OK;
fail:
	stats_report_release(&out);
	return rc;
}

static json_t *rate_json(int64_t num, int64_t den)
{
	return den > 0 ? json_real(stats_rate_value(num, den)) : json_null();
}

static json_t *seconds_json(int64_t s) { return s >= 0 ? json_integer(s) : json_null(); }

static double daily(const struct stats_unit *u, int days)
{
	return days > 0 ? round((double)u->interactions * 100.0 / days) / 100.0 : 0;
}

static json_t *unit_json(const struct stats_unit *u, int days)
{
	json_t *counts = json_object(), *rates = json_object();
	for (int i = 0; i < STATS_COUNT__MAX; i++)
		json_object_set_new(counts, count_names[i], json_integer(u->n[i]));
	for (int i = 0; i < STATS_RATE__MAX; i++)
		json_object_set_new(rates, stats_rates[i].name,
				    rate_json(u->n[stats_rates[i].num], u->n[stats_rates[i].den]));
	return json_pack("{s:s, s:s, s:I, s:o, s:o, s:{s:I, s:o, s:o}, s:I, s:f}", "region",
			 u->code, "name", u->name, "demands", (json_int_t)u->n[STATS_DEMANDS],
			 "counts", counts, "rates", rates, "first_response", "acknowledged",
			 (json_int_t)u->acknowledged, "median_seconds", seconds_json(u->ack_median),
			 "p90_seconds", seconds_json(u->ack_p90), "interactions",
			 (json_int_t)u->interactions, "daily_interactions", daily(u, days));
}

static json_t *period_json(const struct stats_report *r)
{
	char from[32], to[32];
	clock_format_china(r->from, from, sizeof(from));
	clock_format_china(r->to, to, sizeof(to));
	return json_pack("{s:s, s:s, s:i}", "from", from, "to", to, "days", r->days);
}

json_t *stats_json(const struct stats_report *r)
{
	json_t *units = json_array();
	for (int i = 0; i < r->nunits; i++)
		json_array_append_new(units, unit_json(&r->units[i], r->days));
	return json_pack("{s:s, s:o, s:o, s:o}", "region", r->region, "period", period_json(r),
			 "total", unit_json(&r->total, r->days), "units", units);
}

struct ranked {
	const struct stats_unit *u;
	double rate; /* -1: none */
	bool higher_better;
};

static int ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->rate != y->rate) {
		if (x->rate < 0 || y->rate < 0) /* no rate ranks last */
			return x->rate < 0 ? 1 : -1;
		bool x_first = x->higher_better ? x->rate > y->rate : x->rate < y->rate;
		return x_first ? -1 : 1;
	}
	if (x->u->n[STATS_DEMANDS] != y->u->n[STATS_DEMANDS])
		return x->u->n[STATS_DEMANDS] > y->u->n[STATS_DEMANDS] ? -1 : 1;
	return strcmp(x->u->code, y->u->code);
}

static json_t *ranked_json(const struct stats_unit *u, const struct stats_rate_def *d)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:o}", "region", u->code, "name", u->name,
			 "demands", (json_int_t)u->n[STATS_DEMANDS], "numerator",
			 (json_int_t)u->n[d->num], "denominator", (json_int_t)u->n[d->den], "rate",
			 rate_json(u->n[d->num], u->n[d->den]));
}

json_t *stats_ranking_json(const struct stats_report *r, enum stats_rate rate, int min_sample)
{
	const struct stats_rate_def *d = &stats_rates[rate];
	struct ranked *list = xcalloc((size_t)r->nunits + 1, sizeof(*list));
	json_t *ranked = json_array(), *small = json_array();
	int n = 0;
	for (int i = 0; i < r->nunits; i++) {
		const struct stats_unit *u = &r->units[i];
		if (u->n[STATS_DEMANDS] < min_sample) {
			json_array_append_new(small, ranked_json(u, d));
			continue;
		}
		list[n++] = (struct ranked){ u, stats_rate_value(u->n[d->num], u->n[d->den]),
					     d->higher_better };
	}
	qsort(list, (size_t)n, sizeof(*list), ranked_cmp);
	for (int i = 0; i < n; i++) {
		json_t *o = ranked_json(list[i].u, d);
		json_object_set_new(o, "rank", json_integer(i + 1));
		json_array_append_new(ranked, o);
	}
	free(list);
	return json_pack("{s:s, s:s, s:s, s:o, s:i, s:o, s:o}", "region", r->region, "rate",
			 d->name, "label", d->label, "period", period_json(r), "min_sample",
			 min_sample, "ranked", ranked, "sample_too_small", small);
}

/* ---- tables: CSV and XLSX share their columns ---- */

enum column {
	COL_CODE,
	COL_NAME,
	COL_DEMANDS,
	COL_RATE0, /* the rates, in stats_rates[] order */
	COL_OVERDUE = COL_RATE0 + STATS_RATE__MAX,
	COL_MEDIAN,
	COL_P90,
	COL_INTERACTIONS,
	COL_DAILY,
	COL__MAX
};

static const char *column_label(int c)
{
	static const char *const fixed[COL__MAX] = {
		[COL_CODE] = "地区代码",
		[COL_NAME] = "地区名称",
		[COL_DEMANDS] = "诉求数",
		[COL_OVERDUE] = "超期数",
		[COL_MEDIAN] = "首次响应时间中位数（分钟）",
		[COL_P90] = "首次响应时间P90（分钟）",
		[COL_INTERACTIONS] = "有效互动数",
		[COL_DAILY] = "日均有效互动",
	};
	return c >= COL_RATE0 && c < COL_OVERDUE ? stats_rates[c - COL_RATE0].label : fixed[c];
}

/* The units of r, then its total: row i of the table (0-based, no header). */
static const struct stats_unit *table_row(const struct stats_report *r, int i)
{
	return i < r->nunits ? &r->units[i] : &r->total;
}

/* Cell c of unit u as a number; false when the cell is text or empty. */
static bool cell_number(const struct stats_unit *u, int days, int c, double *out)
{
	if (c >= COL_RATE0 && c < COL_OVERDUE) {
		const struct stats_rate_def *d = &stats_rates[c - COL_RATE0];
		*out = stats_rate_value(u->n[d->num], u->n[d->den]);
		return *out >= 0;
	}
	switch (c) {
	case COL_DEMANDS: *out = (double)u->n[STATS_DEMANDS]; return true;
	case COL_OVERDUE: *out = (double)u->n[STATS_OVERDUE]; return true;
	case COL_MEDIAN: *out = round(u->ack_median / 6.0) / 10.0; return u->ack_median >= 0;
	case COL_P90: *out = round(u->ack_p90 / 6.0) / 10.0; return u->ack_p90 >= 0;
	case COL_INTERACTIONS: *out = (double)u->interactions; return true;
	case COL_DAILY: *out = daily(u, days); return true;
	default: return false;
	}
}

static void csv_text(struct strbuf *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		strbuf_addstr(out, s);
		return;
	}
	strbuf_addch(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			strbuf_addch(out, '"');
		strbuf_addch(out, *s);
	}
	strbuf_addch(out, '"');
}

void stats_csv(const struct stats_report *r, struct strbuf *out)
{
	for (int c = 0; c < COL__MAX; c++) {
		strbuf_addstr(out, c ? "," : "");
		strbuf_addstr(out, column_label(c));
	}
	strbuf_addstr(out, "\r\n");
	for (int i = 0; i <= r->nunits; i++) {
		const struct stats_unit *u = table_row(r, i);
		csv_text(out, u->code);
		strbuf_addch(out, ',');
		csv_text(out, u->name);
		for (int c = COL_DEMANDS; c < COL__MAX; c++) {
			double v;
			strbuf_addch(out, ',');
			if (!cell_number(u, r->days, c, &v))
				continue;
			if (c >= COL_RATE0 && c < COL_OVERDUE)
				strbuf_addf(out, "%.2f%%", v * 100.0);
			else if (c == COL_MEDIAN || c == COL_P90 || c == COL_DAILY)
				strbuf_addf(out, "%.2f", v);
			else
				strbuf_addf(out, "%.0f", v);
		}
		strbuf_addstr(out, "\r\n");
	}
}

enum app_err stats_xlsx(const struct stats_report *r, const char *path, struct app_error *err)
{
	/* constant memory: rows go to the file as written, with their strings
	 * inline in the sheet */
	const char *tmp = getenv("TMPDIR");
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE,
				     .tmpdir = (char *)(tmp && *tmp ? tmp : "/tmp") };
	lxw_workbook *wb = workbook_new_opt(path, &opt);
	if (!wb)
		return app_fail(err, APP_EIO, "cannot create workbook '%s'", path);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "统计");
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);
	lxw_format *pct = workbook_add_format(wb);
	format_set_num_format(pct, "0.00%");
	for (int c = 0; c < COL__MAX; c++)
		worksheet_write_string(ws, 0, (lxw_col_t)c, column_label(c), bold);
	for (int i = 0; i <= r->nunits; i++) {
		const struct stats_unit *u = table_row(r, i);
		lxw_row_t row = (lxw_row_t)i + 1;
		worksheet_write_string(ws, row, COL_CODE, u->code, NULL);
		worksheet_write_string(ws, row, COL_NAME, u->name, NULL);
		for (int c = COL_DEMANDS; c < COL__MAX; c++) {
			double v;
			if (cell_number(u, r->days, c, &v))
				worksheet_write_number(ws, row, (lxw_col_t)c, v,
						       c >= COL_RATE0 && c < COL_OVERDUE ? pct : NULL);
		}
	}
	lxw_error e = workbook_close(wb);
	if (e != LXW_NO_ERROR)
		return app_fail(err, APP_EIO, "cannot write workbook '%s': %s", path,
				lxw_strerror(e));
	return APP_OK;
}
