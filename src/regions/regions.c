/*
 * regions.c - reading and checking division files, and importing them.
 *
 * Checks, per row: field count; code structure; name (UTF-8, no control
 * characters, length); level column agrees with the code; parent column is
 * the code's own prefix; no code twice in a file. Then, per file: every
 * parent is in the file or already in the registry. Only a file without a
 * single problem reaches the store.
 */
#include "regions/regions.h"
#include "core/csv.h"
#include "core/mem.h"
#include "core/utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void regions_batch_release(struct regions_batch *b)
{
	free(b->rows);
	free(b->lines);
	memset(b, 0, sizeof(*b));
}

void regions_report_init(struct regions_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	strbuf_init(&rep->problems, 0);
}

void regions_report_release(struct regions_report *rep)
{
	strbuf_release(&rep->problems);
	memset(rep, 0, sizeof(*rep));
}

void regions_batch_add(struct regions_batch *b, const struct region *r, size_t line)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->rows = xrealloc(b->rows, b->cap * sizeof(*b->rows));
		b->lines = xrealloc(b->lines, b->cap * sizeof(*b->lines));
	}
	b->rows[b->n] = *r;
	b->lines[b->n] = line;
	b->n++;
}

static void problem(struct regions_report *rep, size_t line, const char *why)
{
	if (rep->rejected < REGIONS_PROBLEMS_LISTED) {
		size_t start = rep->problems.len;
		strbuf_addf(&rep->problems, "line %zu: %s\n", line, why);
		/* why may quote a field, and a quoted field may hold a line break:
		 * keep one problem per line so none can pass for another line's. */
		for (size_t i = start; i + 1 < rep->problems.len; i++)
			if ((unsigned char)rep->problems.buf[i] < 0x20 || rep->problems.buf[i] == 0x7f)
				rep->problems.buf[i] = '?';
	}
	rep->rejected++;
}

/* ---- a set of codes, for duplicates and parents-in-file ---- */

struct code_set {
	uint64_t *keys; /* 0 = empty slot */
	size_t *vals;
	size_t cap, used;
};

/* Codes are at most 12 digits: value and length make a unique key. */
static uint64_t code_key(const char *code)
{
	uint64_t v = 0;
	size_t n = 0;
	for (; code[n]; n++)
		v = v * 10 + (uint64_t)(code[n] - '0');
	return (v << 4 | n) + 1;
}

static void set_init(struct code_set *s, size_t n)
{
	s->cap = 16;
	while (s->cap < n * 2)
		s->cap *= 2;
	s->used = 0;
	s->keys = xcalloc(s->cap, sizeof(*s->keys));
	s->vals = xcalloc(s->cap, sizeof(*s->vals));
}

static void set_release(struct code_set *s)
{
	free(s->keys);
	free(s->vals);
}

static size_t set_slot(const struct code_set *s, uint64_t key)
{
	size_t i = (size_t)(key * 0x9E3779B97F4A7C15ull) & (s->cap - 1);
	while (s->keys[i] && s->keys[i] != key)
		i = (i + 1) & (s->cap - 1);
	return i;
}

/* Insert key->val; when key is present, return false and its value in *old. */
static bool set_put(struct code_set *s, uint64_t key, size_t val, size_t *old)
{
	if ((s->used + 1) * 2 > s->cap) {
		struct code_set bigger;
		set_init(&bigger, s->cap);
		for (size_t j = 0; j < s->cap; j++) {
			if (!s->keys[j])
				continue;
			size_t k = set_slot(&bigger, s->keys[j]);
			bigger.keys[k] = s->keys[j];
			bigger.vals[k] = s->vals[j];
		}
		bigger.used = s->used;
		set_release(s);
		*s = bigger;
	}
	size_t i = set_slot(s, key);
	if (s->keys[i]) {
		*old = s->vals[i];
		return false;
	}
	s->keys[i] = key;
	s->vals[i] = val;
	s->used++;
	return true;
}

static bool set_has(const struct code_set *s, uint64_t key)
{
	return s->keys[set_slot(s, key)] != 0;
}

/* ---- parsing ---- */

enum column { COL_CODE, COL_NAME, COL_LEVEL, COL_PARENT, COL__MAX };

static bool name_ok(const char *name, char *why, size_t cap)
{
	size_t n = strlen(name);
	if (n == 0) {
		snprintf(why, cap, "name is empty");
		return false;
	}
	if (!utf8_valid(name, n)) {
		snprintf(why, cap, "name is not valid UTF-8");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) {
			snprintf(why, cap, "name contains a control character");
			return false;
		}
	}
	if (utf8_length(name, n) > REGIONS_NAME_MAX_CHARS || n >= REGION_NAME_MAX) {
		snprintf(why, cap, "name is longer than %d characters", REGIONS_NAME_MAX_CHARS);
		return false;
	}
	return true;
}

/* Check one data row; on success fill r. why receives the reason otherwise. */
static bool row_ok(char **f, const int *col, struct region *r, char *why, size_t cap)
{
	struct app_error e;
	const char *code = f[col[COL_CODE]];
	if (division_code_check(code, &r->level, &e) != APP_OK) {
		snprintf(why, cap, "%.200s", e.msg);
		return false;
	}
	snprintf(r->code, sizeof(r->code), "%s", code);
	const char *name = f[col[COL_NAME]];
	if (!name_ok(name, why, cap))
		return false;
	snprintf(r->name, sizeof(r->name), "%s", name);
	if (col[COL_LEVEL] >= 0) {
		enum division_level lv;
		const char *ls = f[col[COL_LEVEL]];
		if (!division_level_parse(ls, &lv)) {
			snprintf(why, cap,
				 "level '%.20s' is unknown; use province, city, county, town or village",
				 ls);
			return false;
		}
		if (lv != r->level) {
			snprintf(why, cap, "level '%s' does not match code '%s', which is a %s code",
				 ls, code, division_level_names[r->level]);
			return false;
		}
	}
	char expected[DIVISION_CODE_MAX + 1] = "";
	division_code_parent(code, r->level, expected);
	if (col[COL_PARENT] >= 0) {
		const char *p = f[col[COL_PARENT]];
		if (strcmp(p, expected) != 0) {
			if (r->level == DIV_PROVINCE)
				snprintf(why, cap, "a province has no parent, but '%.20s' is given", p);
			else
				snprintf(why, cap, "parent '%.20s' of '%s' should be '%s' (the code's first %d digits)",
					 p, code, expected, division_level_digits[r->level - 1]);
			return false;
		}
	}
	snprintf(r->parent_code, sizeof(r->parent_code), "%s", expected);
	r->child_count = 0;
	return true;
}

static enum app_err read_header(struct csv_reader *rd, int *col, size_t *ncols,
				struct app_error *err)
{
	struct app_error e;
	int got = csv_next(rd, &e);
	if (got < 0)
		return app_fail(err, APP_EINVAL, "%s", e.msg);
	if (got == 0)
		return app_fail(err, APP_EINVAL, "the file is empty");
	for (int i = 0; i < COL__MAX; i++)
		col[i] = -1;
	for (size_t i = 0; i < rd->nfields; i++) {
		const char *h = rd->fields[i];
		if (strcmp(h, "code") == 0)
			col[COL_CODE] = (int)i;
		else if (strcmp(h, "name") == 0)
			col[COL_NAME] = (int)i;
		else if (strcmp(h, "level") == 0)
			col[COL_LEVEL] = (int)i;
		else if (strcmp(h, "parent_code") == 0 || strcmp(h, "town_code") == 0)
			col[COL_PARENT] = (int)i;
	}
	if (col[COL_CODE] < 0 || col[COL_NAME] < 0)
		return app_fail(err, APP_EINVAL,
				"line %zu: the header must name the columns code and name "
				"(optionally level and parent_code)",
				rd->record_line);
	*ncols = rd->nfields;
	return APP_OK;
}

enum app_err regions_parse_csv(char *buf, size_t len, struct regions_batch *out,
			       struct regions_report *rep, struct app_error *err)
{
	struct csv_reader rd;
	csv_init(&rd, buf, len);
	int col[COL__MAX] = { -1, -1, -1, -1 };
	size_t ncols = 0;
	enum app_err rc = read_header(&rd, col, &ncols, err);
	if (rc != APP_OK) {
		csv_release(&rd);
		return rc;
	}
	struct code_set seen;
	set_init(&seen, 1024);
	char why[256];
	struct app_error e;
	int got;
	while ((got = csv_next(&rd, &e)) > 0) {
		rep->rows++;
		struct region r;
		if (rd.nfields != ncols) {
			snprintf(why, sizeof(why), "expected %zu fields, found %zu", ncols,
				 rd.nfields);
			problem(rep, rd.record_line, why);
			continue;
		}
		if (!row_ok(rd.fields, col, &r, why, sizeof(why))) {
			problem(rep, rd.record_line, why);
			continue;
		}
		size_t first;
		if (!set_put(&seen, code_key(r.code), rd.record_line, &first)) {
			snprintf(why, sizeof(why), "code '%s' already appears on line %zu", r.code,
				 first);
			problem(rep, rd.record_line, why);
			continue;
		}
		regions_batch_add(out, &r, rd.record_line);
	}
	set_release(&seen);
	csv_release(&rd);
	if (got < 0) {
		/* A broken quote makes every later line unreadable: stop there. */
		problem(rep, rd.record_line, strchr(e.msg, ':') ? strchr(e.msg, ':') + 2 : e.msg);
	}
	if (rep->rejected)
		return app_fail(err, APP_EINVAL, "%zu of %zu rows rejected; nothing imported",
				rep->rejected, rep->rows);
	if (out->n == 0)
		return app_fail(err, APP_EINVAL, "the file has a header but no rows");
	return APP_OK;
}

/* Every parent must be in the batch or in the registry. */
static enum app_err check_parents(struct store *s, const struct regions_batch *b,
				  struct regions_report *rep, struct app_error *err)
{
	struct code_set in_file, in_store;
	set_init(&in_file, b->n);
	set_init(&in_store, 64);
	enum app_err rc = APP_OK;
	size_t dummy;
	for (size_t i = 0; i < b->n; i++)
		set_put(&in_file, code_key(b->rows[i].code), i, &dummy);
	for (size_t i = 0; i < b->n && rc == APP_OK; i++) {
		const struct region *r = &b->rows[i];
		if (!r->parent_code[0])
			continue;
		uint64_t k = code_key(r->parent_code);
		if (set_has(&in_file, k) || set_has(&in_store, k))
			continue;
		bool exists;
		rc = store_region_exists(s, r->parent_code, &exists, err);
		if (rc != APP_OK)
			break;
		if (exists) {
			set_put(&in_store, k, 0, &dummy);
			continue;
		}
		char why[160];
		snprintf(why, sizeof(why),
			 "parent '%s' of '%s' is neither in the registry nor in this file (import the higher levels first)",
			 r->parent_code, r->code);
		problem(rep, b->lines[i], why);
	}
	set_release(&in_file);
	set_release(&in_store);
	if (rc == APP_OK && rep->rejected)
		rc = app_fail(err, APP_EINVAL, "%zu of %zu rows rejected; nothing imported",
			      rep->rejected, rep->rows);
	return rc;
}

enum app_err regions_import_file(struct store *s, const char *path, const char *actor,
				 struct regions_report *rep, regions_progress_fn progress, void *ctx,
				 struct app_error *err)
{
	char *buf;
	size_t len;
	enum app_err rc = csv_load(path, REGIONS_FILE_MAX, &buf, &len, err);
	if (rc != APP_OK)
		return rc;
	struct regions_batch b = { 0 };
	rc = regions_parse_csv(buf, len, &b, rep, err);
	free(buf);
	if (rc == APP_OK && progress)
		progress(ctx, "read", b.n, b.n);
	if (rc == APP_OK)
		rc = check_parents(s, &b, rep, err);
	if (rc == APP_OK && progress)
		progress(ctx, "checked", b.n, b.n);
	if (rc == APP_OK) {
		const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		char object[300], summary[320];
		snprintf(object, sizeof(object), "file:%s", base);
		snprintf(summary, sizeof(summary), "%zu regions imported from %s", b.n, base);
		struct audit_note note = { actor, "regions.import", object, "", summary };
		rc = store_regions_import(s, b.rows, b.n, &note, &rep->counts, err);
	}
	if (rc == APP_OK && progress)
		progress(ctx, "written", b.n, b.n);
	regions_batch_release(&b);
	return rc;
}
