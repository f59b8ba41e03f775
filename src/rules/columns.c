/*
 * columns.c - persons as columns (struct-of-arrays) for the rules engine:
 * int32 values with a presence bitset per attribute, strings interned to ids,
 * dates as day numbers; the civil-date arithmetic the language needs (ages,
 * years and months between); CSV loading; counts per household key.
 *
 * Columns are allocated in whole blocks of RULES_BLOCK persons with the
 * padding zero and absent, so that the evaluator's loops never have a tail.
 */
#include "core/csv.h"
#include "rules/rules_int.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[RULES_TYPE__MAX] = {
	[RULES_BOOL] = "bool", [RULES_INT] = "int", [RULES_DEC] = "decimal",
	[RULES_STR] = "string", [RULES_DATE] = "date",
};

const char *rules_type_name(enum rules_type t) { return t < RULES_TYPE__MAX ? type_names[t] : "?"; }

bool rules_type_parse(const char *s, enum rules_type *out)
{
	for (int i = 0; i < RULES_TYPE__MAX; i++)
		if (strcmp(s, type_names[i]) == 0) {
			*out = (enum rules_type)i;
			return true;
		}
	return false;
}

const char *rules_period_name(enum rules_period p) { return p == RULES_MONTHLY ? "monthly" : "yearly"; }

/* ---- civil dates (proleptic Gregorian), after H. Hinnant's algorithms ---- */

static int64_t days_from_civil64(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int yoe = (int)(y - era * 400);
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int32_t rules_days_from_civil(int y, int m, int d) { return (int32_t)days_from_civil64(y, m, d); }

void rules_civil_from_days(int32_t day, int *y, int *m, int *d)
{
	int64_t z = (int64_t)day + 719468; /* any int32 day: no overflow */
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = (int)(z - era * 146097);
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int month_days(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

bool rules_date_parse(const char *s, int32_t *day)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return false;
	*day = rules_days_from_civil(y, m, d);
	return true;
}

void rules_fen_format(int64_t fen, char *out, size_t cap)
{
	uint64_t a = fen < 0 ? 0 - (uint64_t)fen : (uint64_t)fen;
	snprintf(out, cap, "%s%llu.%02llu", fen < 0 ? "-" : "", (unsigned long long)(a / 100),
		 (unsigned long long)(a % 100));
}

void rules_date_format(int32_t day, char *out, size_t cap)
{
	int y, m, d;
	rules_civil_from_days(day, &y, &m, &d);
	snprintf(out, cap, "%04d-%02d-%02d", y, m, d);
}

/* Whole months from a to b, counting a month only once its day is reached
 * (31 January to 28 February is 0 months; to 1 March, 1). */
int32_t rules_months_between(int32_t a, int32_t b)
{
	if (b < a)
		return -rules_months_between(b, a);
	int ya, ma, da, yb, mb, db;
	rules_civil_from_days(a, &ya, &ma, &da);
	rules_civil_from_days(b, &yb, &mb, &db);
	int32_t months = (yb - ya) * 12 + (mb - ma);
	if (db < da)
		months--;
	return months;
}

int32_t rules_years_between(int32_t a, int32_t b)
{
	return rules_months_between(a, b) / 12;
}

int32_t rules_age(int32_t birth, int32_t day) { return rules_years_between(birth, day); }

int32_t rules_age_threshold(int32_t day, int32_t years)
{
	int y, m, d;
	rules_civil_from_days(day, &y, &m, &d);
	int64_t ty = (int64_t)y - years;
	bool leap = (ty % 4 == 0 && ty % 100 != 0) || ty % 400 == 0;
	if (m == 2 && d == 29 && !leap) /* 29 February in a common year: the 28th */
		d = 28;
	/* past the int32 range every date is on one side of the threshold */
	int64_t t = days_from_civil64(ty, m, d);
	return t < INT32_MIN ? INT32_MIN : t > INT32_MAX ? INT32_MAX : (int32_t)t;
}

/* ---- the string table ---- */

struct rules_strmap {
	uint32_t *slot; /* id + 1, 0 = empty */
	size_t cap;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void strmap_grow(struct rules_columns *c)
{
	struct rules_strmap *m = c->strmap;
	size_t cap = m->cap ? m->cap * 2 : 256;
	uint32_t *slot = xcalloc(cap, sizeof(*slot));
	for (size_t i = 0; i < c->nstr; i++) {
		size_t h = hash_str(c->str[i]) & (cap - 1);
		while (slot[h])
			h = (h + 1) & (cap - 1);
		slot[h] = (uint32_t)i + 1;
	}
	free(m->slot);
	m->slot = slot;
	m->cap = cap;
}

int32_t rules_columns_lookup(const struct rules_columns *c, const char *s)
{
	const struct rules_strmap *m = c->strmap;
	if (!m || !m->cap)
		return -1;
	size_t h = hash_str(s) & (m->cap - 1);
	while (m->slot[h]) {
		if (strcmp(c->str[m->slot[h] - 1], s) == 0)
			return (int32_t)m->slot[h] - 1;
		h = (h + 1) & (m->cap - 1);
	}
	return -1;
}

int32_t rules_columns_intern(struct rules_columns *c, const char *s)
{
	struct rules_strmap *m = c->strmap;
	if ((c->nstr + 1) * 2 > m->cap)
		strmap_grow(c);
	size_t h = hash_str(s) & (m->cap - 1);
	while (m->slot[h]) {
		if (strcmp(c->str[m->slot[h] - 1], s) == 0)
			return (int32_t)m->slot[h] - 1;
		h = (h + 1) & (m->cap - 1);
	}
	if (c->nstr == c->strcap) {
		c->strcap = c->strcap ? c->strcap * 2 : 64;
		c->str = xrealloc(c->str, c->strcap * sizeof(*c->str));
	}
	c->str[c->nstr] = xstrdup(s);
	m->slot[h] = (uint32_t)c->nstr + 1;
	return (int32_t)c->nstr++;
}

/* ---- columns ---- */

void rules_columns_init(struct rules_columns *c, size_t n)
{
	memset(c, 0, sizeof(*c));
	c->n = n;
	c->cap = (n + RULES_BLOCK - 1) / RULES_BLOCK * RULES_BLOCK;
	if (c->cap == 0)
		c->cap = RULES_BLOCK;
	c->strmap = xcalloc(1, sizeof(*c->strmap));
	c->col = xcalloc(RULES_COLUMNS_MAX, sizeof(*c->col)); /* fixed: pointers stay valid */
}

void rules_columns_release(struct rules_columns *c)
{
	for (size_t i = 0; i < c->ncol; i++) {
		free(c->col[i].name);
		free(c->col[i].data);
		free(c->col[i].present);
	}
	free(c->col);
	for (size_t i = 0; i < c->nstr; i++)
		free(c->str[i]);
	free(c->str);
	if (c->strmap)
		free(c->strmap->slot);
	free(c->strmap);
	if (c->ids)
		for (size_t i = 0; i < c->n; i++)
			free(c->ids[i]);
	free(c->ids);
	memset(c, 0, sizeof(*c));
}

const struct rules_column *rules_columns_find(const struct rules_columns *c, const char *name)
{
	for (size_t i = 0; i < c->ncol; i++)
		if (strcmp(c->col[i].name, name) == 0)
			return &c->col[i];
	return NULL;
}

struct rules_column *rules_columns_add(struct rules_columns *c, const char *name, enum rules_type t)
{
	if (rules_columns_find(c, name) || c->ncol == RULES_COLUMNS_MAX)
		return NULL;
	struct rules_column *col = &c->col[c->ncol++];
	col->name = xstrdup(name);
	col->type = t;
	col->data = xcalloc(c->cap, sizeof(int32_t));
	col->present = xcalloc(c->cap / 64, sizeof(uint64_t));
	return col;
}

/* Parse a number with at most `places` decimals into ×10^places. */
static bool parse_fixed(const char *s, int places, int32_t *out)
{
	bool neg = *s == '-';
	if (neg)
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	int64_t v = 0;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (*s++ - '0');
		if (v > INT32_MAX)
			return false;
	}
	int got = 0;
	if (*s == '.' && places > 0) {
		s++;
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s) && got < places) {
			v = v * 10 + (*s++ - '0');
			got++;
		}
	}
	if (*s)
		return false;
	for (; got < places; got++)
		v *= 10;
	if (v > INT32_MAX)
		return false;
	*out = (int32_t)(neg ? -v : v);
	return true;
}

enum app_err rules_columns_set_text(struct rules_columns *c, struct rules_column *col, size_t i,
				    const char *text, struct app_error *err)
{
	int32_t v = 0;
	bool ok = true;
	if (*text == 0) {
		rules_bit_set(col->present, i, false);
		col->data[i] = 0;
		return APP_OK;
	}
	switch (col->type) {
	case RULES_INT: ok = parse_fixed(text, 0, &v); break;
	case RULES_DEC: ok = parse_fixed(text, 2, &v); break;
	case RULES_DATE: ok = rules_date_parse(text, &v); break;
	case RULES_STR: v = rules_columns_intern(c, text); break;
	case RULES_BOOL:
		if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
			v = 1;
		else if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0)
			v = 0;
		else
			ok = false;
		break;
	default: ok = false;
	}
	if (!ok)
		return app_fail_field(err, APP_EINVAL, col->name, "'%.60s' is not a %s%s", text,
				      rules_type_name(col->type),
				      col->type == RULES_DATE   ? " (YYYY-MM-DD)"
				      : col->type == RULES_DEC ? " (at most 2 decimal places)"
								: "");
	col->data[i] = v;
	rules_bit_set(col->present, i, true);
	return APP_OK;
}

void rules_columns_value_text(const struct rules_columns *c, const struct rules_column *col,
			      size_t i, char *out, size_t cap)
{
	if (!rules_bit(col->present, i)) {
		snprintf(out, cap, "%s", "");
		return;
	}
	int32_t v = col->data[i];
	switch (col->type) {
	case RULES_DEC:
		snprintf(out, cap, "%s%d.%02d", v < 0 ? "-" : "", abs(v / 100), abs(v % 100));
		break;
	case RULES_DATE: rules_date_format(v, out, cap); break;
	case RULES_STR: snprintf(out, cap, "%s", c->str[v]); break;
	case RULES_BOOL: snprintf(out, cap, "%s", v ? "true" : "false"); break;
	default: snprintf(out, cap, "%d", v);
	}
}

enum app_err rules_columns_load_csv(struct rules_columns *c, char *buf, size_t len,
				    const struct rules_want *want, size_t nwant,
				    struct app_error *err)
{
	struct csv_reader r;
	csv_init(&r, buf, len);
	enum app_err rc = APP_OK;
	int got = csv_next(&r, err);
	if (got <= 0) {
		csv_release(&r);
		return got < 0 ? APP_EINVAL : app_fail(err, APP_EINVAL, "the file is empty");
	}
	size_t ncols = r.nfields;
	int *map = xcalloc(ncols, sizeof(int)); /* field → want index, -1 unused, -2 id */
	for (size_t f = 0; f < ncols && rc == APP_OK; f++) {
		for (size_t g = 0; g < f; g++)
			if (strcmp(r.fields[f], r.fields[g]) == 0)
				rc = app_fail(err, APP_EINVAL, "line 1: column '%.64s' appears twice",
					      r.fields[f]);
		map[f] = strcmp(r.fields[f], "id") == 0 ? -2 : -1;
		for (size_t w = 0; w < nwant; w++)
			if (strcmp(r.fields[f], want[w].name) == 0)
				map[f] = (int)w;
	}
	/* keep every record's fields (they point into buf): columns are sized once */
	char **cells = NULL;
	size_t *lines = NULL;
	size_t rows = 0, rowcap = 0;
	while (rc == APP_OK && (got = csv_next(&r, err)) > 0) {
		if (r.nfields != ncols) {
			rc = app_fail(err, APP_EINVAL, "line %zu: %zu fields where the header has %zu",
				      r.record_line, r.nfields, ncols);
			break;
		}
		if (rows == rowcap) {
			rowcap = rowcap ? rowcap * 2 : 64;
			cells = xrealloc(cells, rowcap * ncols * sizeof(*cells));
			lines = xrealloc(lines, rowcap * sizeof(*lines));
		}
		memcpy(cells + rows * ncols, r.fields, ncols * sizeof(*cells));
		lines[rows++] = r.record_line;
	}
	if (got < 0)
		rc = APP_EINVAL;
	struct rules_columns out;
	rules_columns_init(&out, rows);
	out.ids = xcalloc(rows ? rows : 1, sizeof(char *));
	struct rules_column **cols = xcalloc(nwant ? nwant : 1, sizeof(*cols));
	for (size_t w = 0; w < nwant && rc == APP_OK; w++) {
		const struct rules_column *have = rules_columns_find(&out, want[w].name);
		if (have && have->type != want[w].type)
			rc = app_fail(err, APP_EINVAL, "input '%s' is wanted both as %s and as %s",
				      want[w].name, rules_type_name(have->type),
				      rules_type_name(want[w].type));
		if (!have)
			rules_columns_add(&out, want[w].name, want[w].type);
	}
	for (size_t w = 0; w < nwant && rc == APP_OK; w++)
		if (!(cols[w] = (struct rules_column *)rules_columns_find(&out, want[w].name)))
			rc = app_fail(err, APP_ETOOBIG, "more than %d inputs", RULES_COLUMNS_MAX);
	for (size_t row = 0; row < rows && rc == APP_OK; row++) {
		for (size_t f = 0; f < ncols && rc == APP_OK; f++) {
			const char *cell = cells[row * ncols + f];
			struct app_error e;
			if (map[f] == -2)
				out.ids[row] = xstrdup(cell);
			else if (map[f] >= 0 &&
				 rules_columns_set_text(&out, cols[map[f]], row, cell, &e) != APP_OK)
				rc = app_fail(err, APP_EINVAL, "line %zu, column '%s': %s", lines[row],
					      want[map[f]].name, e.msg);
		}
		if (!out.ids[row]) {
			char id[32];
			snprintf(id, sizeof(id), "row%zu", row + 1);
			out.ids[row] = xstrdup(id);
		}
	}
	free(cells);
	free(lines);
	free(cols);
	free(map);
	csv_release(&r);
	if (rc != APP_OK) {
		rules_columns_release(&out);
		return rc;
	}
	rules_columns_release(c);
	*c = out;
	return APP_OK;
}

void rules_count_by_key(const struct rules_columns *c, const struct rules_column *key,
			const uint64_t *cond, struct rules_column *out)
{
	int32_t *counts = xcalloc(c->nstr ? c->nstr : 1, sizeof(int32_t));
	size_t words = c->cap / 64;
	for (size_t w = 0; w < words; w++) { /* only the persons who count */
		uint64_t bits = cond[w] & key->present[w];
		while (bits) {
			size_t i = w * 64 + (size_t)__builtin_ctzll(bits);
			bits &= bits - 1;
			counts[key->data[i]]++;
		}
	}
	/* absent keys hold 0, a valid id (or the empty table's one slot): the
	 * gather needs no test, presence is the key's */
	for (size_t i = 0; i < c->cap; i++)
		out->data[i] = counts[key->data[i]];
	memcpy(out->present, key->present, words * sizeof(uint64_t));
	free(counts);
}
