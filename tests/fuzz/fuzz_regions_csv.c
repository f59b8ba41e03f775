/*
 * fuzz_regions_csv.c - regions_parse_csv() (regions/regions.h) on arbitrary
 * bytes: the check every division file passes before it may reach the store.
 *
 * Checks that every accepted row is a structurally valid code with the level
 * that code implies, its own prefix as parent, and a non-empty UTF-8 name
 * without control characters that fits the limits; that no code is accepted
 * twice; and that the counts add up: the rows read are the CSV records after
 * the header (counted by a second, independent pass of the CSV reader), each
 * either accepted or rejected, plus one rejection for a broken quote.
 */
#include "fuzz.h"

#include "core/csv.h"
#include "core/division.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "regions/regions.h"

#include <string.h>

/* Records in buf[0..len) and whether reading them ended in an error. */
static size_t count_records(const uint8_t *data, size_t size, bool *broken)
{
	char *buf = xmalloc(size + 1);
	memcpy(buf, data, size);
	struct csv_reader r;
	struct app_error err;
	csv_init(&r, buf, size);
	size_t n = 0;
	int got;
	while ((got = csv_next(&r, &err)) > 0)
		n++;
	*broken = got < 0;
	csv_release(&r);
	free(buf);
	return n;
}

static int cmp_code(const void *a, const void *b)
{
	return strcmp(((const struct region *)a)->code, ((const struct region *)b)->code);
}

static void check_row(const struct region *r)
{
	enum division_level level;
	FUZZ_CHECK(division_code_check(r->code, &level, NULL) == APP_OK);
	FUZZ_CHECK(level == r->level);
	char parent[DIVISION_CODE_MAX + 1] = "";
	division_code_parent(r->code, r->level, parent);
	FUZZ_CHECK(strcmp(parent, r->parent_code) == 0);

	size_t n = strnlen(r->name, sizeof(r->name));
	FUZZ_CHECK(n > 0 && n < sizeof(r->name));
	FUZZ_CHECK(utf8_valid(r->name, n));
	FUZZ_CHECK(utf8_length(r->name, n) <= REGIONS_NAME_MAX_CHARS);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)r->name[i] >= 0x20 && r->name[i] != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool broken;
	size_t records = count_records(data, size, &broken);

	char *buf = xmalloc(size + 1);
	memcpy(buf, data, size);
	struct regions_batch out = { 0 };
	struct regions_report rep;
	struct app_error err;
	regions_report_init(&rep);
	enum app_err rc = regions_parse_csv(buf, size, &out, &rep, &err);

	if (rc == APP_OK) {
		FUZZ_CHECK(out.n > 0 && rep.rejected == 0);
	} else {
		FUZZ_CHECK(rc == APP_EINVAL && err.code == APP_EINVAL && err.msg[0]);
	}
	if (rep.rows == 0 && rep.rejected == 0) {
		/* no data rows: a bad or lone header; nothing accepted */
		FUZZ_CHECK(out.n == 0);
	} else {
		/* the header was read: rows are the records after it */
		FUZZ_CHECK(records >= 1 && rep.rows == records - 1);
		FUZZ_CHECK(out.n + rep.rejected == rep.rows + (broken ? 1 : 0));
	}
	FUZZ_CHECK(out.n <= rep.rows);

	size_t listed = 0;
	for (size_t i = 0; i < rep.problems.len; i++)
		listed += rep.problems.buf[i] == '\n';
	FUZZ_CHECK(listed == (rep.rejected < REGIONS_PROBLEMS_LISTED ? rep.rejected
								     : REGIONS_PROBLEMS_LISTED));

	for (size_t i = 0; i < out.n; i++) {
		check_row(&out.rows[i]);
		FUZZ_CHECK(i == 0 || out.lines[i] > out.lines[i - 1]);
	}
	if (out.n)
		qsort(out.rows, out.n, sizeof(*out.rows), cmp_code);
	for (size_t i = 1; i < out.n; i++)
		FUZZ_CHECK(strcmp(out.rows[i - 1].code, out.rows[i].code) != 0);

	regions_batch_release(&out);
	regions_report_release(&rep);
	free(buf);
	return 0;
}
