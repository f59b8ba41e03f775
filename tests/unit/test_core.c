/*
 * test_core.c - unit tests of src/core: the strbuf invariants (always
 * NUL-terminated, growth, detach), the request arena, strict UTF-8
 * validation and counting, division code structure (levels, parents,
 * subtrees, the county of a code, the wording of errors), the CSV reader
 * (quoting, line counting, CRLF, BOM, blank lines, errors naming the line),
 * csv_load on plain and gzip files, and the config table (defaults,
 * validation, config files with errors naming the line, environment
 * precedence); form bodies (decoding, refusals that leave nothing
 * behind), the XML writer's escaping, and times in China's offset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/csv.h"
#include "core/division.h"
#include "core/err.h"
#include "core/form.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/strbuf.h"
#include "core/utf8.h"
#include "core/xml.h"
#include "testutil.h"

#include <zlib.h>

/* ---- strbuf ---- */

static void assert_sb_ok(const struct strbuf *sb)
{
	assert_non_null(sb->buf);
	assert_int_equal(sb->buf[sb->len], '\0');
	if (sb->alloc)
		assert_true(sb->len < sb->alloc);
	else
		assert_int_equal(sb->len, 0);
}

static void test_strbuf_init_is_empty_string(void **state)
{
	(void)state;
	struct strbuf a = STRBUF_INIT, b;
	strbuf_init(&b, 0);
	assert_sb_ok(&a);
	assert_sb_ok(&b);
	assert_string_equal(a.buf, "");
	assert_string_equal(b.buf, "");
	/* release of a never-grown buffer must not free the shared empty string */
	strbuf_release(&a);
	strbuf_release(&b);
	assert_sb_ok(&a);

	struct strbuf c;
	strbuf_init(&c, 1000);
	assert_true(c.alloc > 1000);
	assert_int_equal(c.len, 0);
	assert_sb_ok(&c);
	strbuf_release(&c);
}

static void test_strbuf_add_keeps_nul_and_grows(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "项城");
	assert_sb_ok(&sb);
	strbuf_addch(&sb, '-');
	assert_sb_ok(&sb);
	strbuf_addf(&sb, "%d:%s", 411681, "市");
	assert_sb_ok(&sb);
	assert_string_equal(sb.buf, "项城-411681:市");
	assert_int_equal(sb.len, strlen("项城-411681:市"));

	/* embedded NUL bytes are kept and counted */
	strbuf_add(&sb, "x\0y", 3);
	assert_sb_ok(&sb);
	assert_memory_equal(sb.buf + sb.len - 3, "x\0y", 3);

	/* growth across many reallocations keeps every byte */
	size_t before = sb.len;
	for (int i = 0; i < 100000; i++) {
		strbuf_addch(&sb, (char)('a' + i % 26));
		if (i % 9973 == 0)
			assert_sb_ok(&sb);
	}
	assert_int_equal(sb.len, before + 100000);
	assert_sb_ok(&sb);
	for (int i = 0; i < 100000; i++)
		if (sb.buf[before + (size_t)i] != (char)('a' + i % 26))
			fail_msg("byte %d lost on growth", i);
	strbuf_release(&sb);
	assert_sb_ok(&sb);
	assert_int_equal(sb.alloc, 0);
}

static void test_strbuf_addf_long(void **state)
{
	(void)state;
	/* longer than addf's stack buffer, so the second formatting path runs */
	char big[1000];
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "<");
	strbuf_addf(&sb, "%s|%d", big, 7);
	strbuf_addstr(&sb, ">");
	assert_sb_ok(&sb);
	assert_int_equal(sb.len, 1 + 999 + 2 + 1);
	assert_int_equal(sb.buf[0], '<');
	assert_int_equal(sb.buf[1000], '|');
	assert_string_equal(sb.buf + 1001, "7>");
	strbuf_release(&sb);
}

static void test_strbuf_reset_and_grow(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "hello");
	size_t alloc = sb.alloc;
	strbuf_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.alloc, alloc); /* allocation kept */
	assert_string_equal(sb.buf, "");
	strbuf_grow(&sb, 5000);
	assert_true(sb.alloc >= 5001);
	assert_int_equal(sb.len, 0);
	assert_sb_ok(&sb);
	strbuf_release(&sb);
}

static void test_strbuf_detach(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "abc");
	size_t len = 99;
	char *p = strbuf_detach(&sb, &len);
	assert_string_equal(p, "abc");
	assert_int_equal(len, 3);
	/* sb is empty and usable again; p belongs to the caller */
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.alloc, 0);
	assert_sb_ok(&sb);
	strbuf_addstr(&sb, "new");
	assert_string_equal(p, "abc");
	free(p);
	strbuf_release(&sb);

	/* detaching a never-grown buffer still gives something free() accepts */
	struct strbuf e = STRBUF_INIT;
	char *q = strbuf_detach(&e, NULL);
	assert_non_null(q);
	assert_string_equal(q, "");
	assert_ptr_not_equal(q, strbuf_empty);
	free(q);
}

/* ---- arena ---- */

static void test_arena(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	enum { N = 600 };
	unsigned char *ptr[N];
	size_t size[N];
	for (int i = 0; i < N; i++) {
		/* mostly small, some larger than a block */
		size[i] = i % 97 == 0 ? 20000 + (size_t)i : 1 + (size_t)(i * 37) % 300;
		ptr[i] = arena_alloc(&a, size[i]);
		assert_non_null(ptr[i]);
		assert_int_equal((uintptr_t)ptr[i] % alignof(max_align_t), 0);
		memset(ptr[i], i & 0xff, size[i]);
	}
	/* no allocation overlapped another */
	for (int i = 0; i < N; i++)
		for (size_t k = 0; k < size[i]; k++)
			if (ptr[i][k] != (unsigned char)(i & 0xff))
				fail_msg("allocation %d byte %zu was overwritten", i, k);

	char *s = arena_strndup(&a, "hello world", 5);
	assert_string_equal(s, "hello");
	char *f = arena_printf(&a, "%s-%d", "county", 411681);
	assert_string_equal(f, "county-411681");
	char big[10000];
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	char *g = arena_printf(&a, "[%s]", big);
	assert_int_equal(strlen(g), sizeof(big) + 1);
	assert_int_equal(g[0], '[');
	assert_int_equal(g[sizeof(big)], ']');
	assert_string_equal(s, "hello"); /* earlier strings survive later blocks */

	arena_release(&a);
	assert_null(a.head);
	/* usable again after release */
	char *t = arena_strndup(&a, "again", 5);
	assert_string_equal(t, "again");
	arena_release(&a);
}

/* ---- utf8 ---- */

#define U8(lit) (lit), (sizeof(lit) - 1)

static void test_utf8_valid_accepts(void **state)
{
	(void)state;
	assert_true(utf8_valid(U8("")));
	assert_true(utf8_valid(U8("plain ascii")));
	assert_true(utf8_valid(U8("项城市")));
	assert_true(utf8_valid(U8("\xC2\x80")));         /* U+0080, smallest 2-byte */
	assert_true(utf8_valid(U8("\xDF\xBF")));         /* U+07FF */
	assert_true(utf8_valid(U8("\xE0\xA0\x80")));     /* U+0800, smallest 3-byte */
	assert_true(utf8_valid(U8("\xED\x9F\xBF")));     /* U+D7FF, below surrogates */
	assert_true(utf8_valid(U8("\xEE\x80\x80")));     /* U+E000, above surrogates */
	assert_true(utf8_valid(U8("\xEF\xBF\xBF")));     /* U+FFFF */
	assert_true(utf8_valid(U8("\xF0\x90\x80\x80"))); /* U+10000 */
	assert_true(utf8_valid(U8("\xF0\x9F\x98\x80"))); /* emoji */
	assert_true(utf8_valid(U8("\xF4\x8F\xBF\xBF"))); /* U+10FFFF, the last */
	assert_true(utf8_valid(U8("小（氵甸）村委会")));
}

static void test_utf8_valid_rejects(void **state)
{
	(void)state;
	/* overlong forms */
	assert_false(utf8_valid(U8("\xC0\x80")));
	assert_false(utf8_valid(U8("\xC1\xBF")));
	assert_false(utf8_valid(U8("\xE0\x80\x80")));
	assert_false(utf8_valid(U8("\xE0\x9F\xBF")));     /* U+07FF in 3 bytes */
	assert_false(utf8_valid(U8("\xF0\x80\x80\x80")));
	assert_false(utf8_valid(U8("\xF0\x8F\xBF\xBF"))); /* U+FFFF in 4 bytes */
	/* surrogates */
	assert_false(utf8_valid(U8("\xED\xA0\x80"))); /* U+D800 */
	assert_false(utf8_valid(U8("\xED\xBF\xBF"))); /* U+DFFF */
	assert_false(utf8_valid(U8("a\xED\xB0\x80z")));
	/* beyond U+10FFFF */
	assert_false(utf8_valid(U8("\xF4\x90\x80\x80")));
	assert_false(utf8_valid(U8("\xF5\x80\x80\x80")));
	assert_false(utf8_valid(U8("\xF8\x88\x80\x80\x80")));
	assert_false(utf8_valid(U8("\xFF")));
	/* truncated sequences and bad continuations */
	assert_false(utf8_valid(U8("\xE9\xA1")));       /* 2 of 3 bytes at the end */
	assert_false(utf8_valid(U8("\xF0\x9F\x98")));   /* 3 of 4 */
	assert_false(utf8_valid(U8("\xC3")));
	assert_false(utf8_valid(U8("\xE9\xA1" "A")));   /* continuation replaced */
	assert_false(utf8_valid(U8("\x80")));           /* lone continuation */
	assert_false(utf8_valid(U8("ab\xBF")));
	/* a valid string cut inside a character by n */
	const char *s = "项城";
	assert_true(utf8_valid(s, 6));
	assert_false(utf8_valid(s, 5));
	assert_false(utf8_valid(s, 4));
	assert_true(utf8_valid(s, 3));
	/* NUL bytes */
	assert_false(utf8_valid(U8("a\0b")));
	assert_false(utf8_valid("\0", 1));
}

static void test_utf8_length(void **state)
{
	(void)state;
	assert_int_equal(utf8_length(U8("")), 0);
	assert_int_equal(utf8_length(U8("abc")), 3);
	assert_int_equal(utf8_length(U8("项城市")), 3);
	assert_int_equal(utf8_length(U8("a项\xF0\x9F\x98\x80z")), 4);
	assert_int_equal(utf8_length(U8("\xC2\x80\xEF\xBF\xBF\xF4\x8F\xBF\xBF")), 3);
}

/* ---- division codes ---- */

static void test_division_levels(void **state)
{
	(void)state;
	static const struct {
		const char *code;
		enum division_level level;
	} ok[] = {
		{ "11", DIV_PROVINCE },         { "4116", DIV_CITY },
		{ "411681", DIV_COUNTY },       { "411681001", DIV_TOWN },
		{ "411681001001", DIV_VILLAGE }, { "441900", DIV_COUNTY }, /* 东莞: no county part */
		{ "350527000", DIV_TOWN },      /* 金门: placeholder town */
		{ "990101", DIV_COUNTY },       { "1101", DIV_CITY },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		enum division_level lv = DIV__MAX;
		struct app_error e;
		app_error_clear(&e);
		if (division_code_check(ok[i].code, &lv, &e) != APP_OK)
			fail_msg("'%s' rejected: %s", ok[i].code, e.msg);
		assert_int_equal(lv, ok[i].level);
		assert_int_equal(strlen(ok[i].code), (size_t)division_level_digits[lv]);
	}
}

static void expect_bad_code(const char *code, const char *fragment)
{
	enum division_level lv = DIV__MAX;
	struct app_error e;
	app_error_clear(&e);
	assert_int_equal(division_code_check(code, &lv, &e), APP_EINVAL);
	assert_int_equal(e.code, APP_EINVAL);
	assert_contains(e.msg, fragment);
	assert_int_equal(lv, DIV__MAX); /* OUT parameter untouched on failure */
}

static void test_division_bad_codes(void **state)
{
	(void)state;
	expect_bad_code("", "empty");
	/* non-digits, and the message quotes the code */
	expect_bad_code("41a681", "non-digit");
	expect_bad_code("41a681", "'41a681'");
	expect_bad_code(" 411681", "non-digit");
	expect_bad_code("411681 ", "non-digit");
	expect_bad_code("-11", "non-digit");
	expect_bad_code("４１", "non-digit"); /* full-width digits */
	/* lengths that are no level's */
	const char *lens[] = { "1", "111", "11111", "1111111", "11111111", "1111111111",
			       "11111111111", "1111111111111" };
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		char want[64];
		snprintf(want, sizeof(want), "has %zu digits", strlen(lens[i]));
		expect_bad_code(lens[i], want);
		expect_bad_code(lens[i], "2, 4, 6, 9 or 12");
	}
	/* province 00 */
	expect_bad_code("00", "00");
	expect_bad_code("00", "province");
	expect_bad_code("0001", "00");
	expect_bad_code("000000000000", "00");
	/* 01..09 are fine structurally (only 00 is excluded) */
	enum division_level lv;
	assert_int_equal(division_code_check("01", &lv, NULL), APP_OK);
	/* a NULL error buffer is allowed */
	assert_int_equal(division_code_check("x", &lv, NULL), APP_EINVAL);
}

static void test_division_parent(void **state)
{
	(void)state;
	char out[DIVISION_CODE_MAX + 1];
	assert_true(division_code_parent("411681001001", DIV_VILLAGE, out));
	assert_string_equal(out, "411681001");
	assert_true(division_code_parent("411681001", DIV_TOWN, out));
	assert_string_equal(out, "411681");
	assert_true(division_code_parent("411681", DIV_COUNTY, out));
	assert_string_equal(out, "4116");
	assert_true(division_code_parent("4116", DIV_CITY, out));
	assert_string_equal(out, "41");
	assert_true(division_code_parent("441900", DIV_COUNTY, out));
	assert_string_equal(out, "4419");
	assert_true(division_code_parent("350527000", DIV_TOWN, out));
	assert_string_equal(out, "350527");
	strcpy(out, "unchanged");
	assert_false(division_code_parent("41", DIV_PROVINCE, out));
	assert_string_equal(out, "unchanged");
}

static void test_division_within(void **state)
{
	(void)state;
	assert_true(division_code_within("411681001001", "41"));
	assert_true(division_code_within("411681001001", "4116"));
	assert_true(division_code_within("411681001001", "411681"));
	assert_true(division_code_within("411681001001", "411681001"));
	assert_true(division_code_within("411681001001", "411681001001")); /* itself */
	assert_true(division_code_within("411681", "411681"));
	assert_false(division_code_within("411681", "411681001")); /* ancestor is not within */
	assert_false(division_code_within("41", "4116"));
	assert_false(division_code_within("411682001", "411681"));
	assert_false(division_code_within("421681", "41"));
	assert_false(division_code_within("1101", "41"));
}

/* The county code that regional rows carry. */
static void expect_county(const char *code, const char *want)
{
	char out[7];
	memset(out, 'x', sizeof(out));
	division_county(code, out);
	if (strcmp(out, want) != 0)
		fail_msg("division_county(\"%s\") = \"%s\", expected \"%s\"", code ? code : "(null)",
			 out, want);
}

static void test_division_county(void **state)
{
	(void)state;
	expect_county("411681", "411681");       /* a county is its own */
	expect_county("411681001", "411681");    /* a town's */
	expect_county("411681001001", "411681"); /* a village's */
	expect_county("441900", "441900");       /* a city without counties, as a county */
	expect_county("441900003", "441900");
	expect_county("41", "");   /* a province belongs to no county */
	expect_county("4116", ""); /* nor does a city */
	expect_county("", "");
	expect_county(NULL, "");
	expect_county("41168x", "");          /* not a code */
	expect_county("411681001x", "");
	expect_county("4116810010011", "");   /* too long */
	expect_county("4116810", "");         /* no level has 7 digits */
	expect_county("41168100101", "");
}

static void test_division_level_names(void **state)
{
	(void)state;
	enum division_level lv;
	for (int i = 0; i < DIV__MAX; i++) {
		assert_true(division_level_parse(division_level_names[i], &lv));
		assert_int_equal(lv, i);
		assert_non_null(division_level_names_zh[i]);
		if (i > 0)
			assert_true(division_level_digits[i] > division_level_digits[i - 1]);
	}
	assert_int_equal(division_level_digits[DIV_VILLAGE], DIVISION_CODE_MAX);
	lv = DIV_CITY;
	assert_false(division_level_parse("Town", &lv));
	assert_false(division_level_parse("", &lv));
	assert_false(division_level_parse(NULL, &lv));
	assert_int_equal(lv, DIV_CITY);
}

/* ---- csv ---- */

/*
 * Read every record of text into a compact listing "LINE:f1|f2\n...".
 * Returns csv_next's last result (0 at a clean end, -1 on error).
 */
static int csv_dump(const char *text, size_t len, struct strbuf *out, struct app_error *e)
{
	/* The reader needs one writable byte after the data (NUL-terminated fields). */
	char *buf = malloc(len + 1);
	assert_non_null(buf);
	memcpy(buf, text, len);
	buf[len] = '\0';
	struct csv_reader r;
	csv_init(&r, buf, len);
	app_error_clear(e);
	int got;
	while ((got = csv_next(&r, e)) > 0) {
		strbuf_addf(out, "%zu:", r.record_line);
		for (size_t i = 0; i < r.nfields; i++) {
			if (i)
				strbuf_addch(out, '|');
			strbuf_addstr(out, r.fields[i]);
		}
		strbuf_addch(out, '\n');
	}
	csv_release(&r);
	free(buf);
	return got;
}

static void expect_csv(const char *text, size_t len, const char *want)
{
	struct strbuf out = STRBUF_INIT;
	struct app_error e;
	int got = csv_dump(text, len, &out, &e);
	if (got != 0)
		fail_msg("csv error: %s", e.msg);
	assert_string_equal(out.buf, want);
	strbuf_release(&out);
}

static void expect_csv_error(const char *text, const char *fragment1, const char *fragment2)
{
	struct strbuf out = STRBUF_INIT;
	struct app_error e;
	int got = csv_dump(text, strlen(text), &out, &e);
	assert_int_equal(got, -1);
	assert_int_equal(e.code, APP_EINVAL);
	assert_contains(e.msg, fragment1);
	assert_contains(e.msg, fragment2);
	strbuf_release(&out);
}

#define CSV(lit) (lit), (sizeof(lit) - 1)

static void test_csv_basic(void **state)
{
	(void)state;
	expect_csv(CSV("code,name\n11,北京市\n"), "1:code|name\n2:11|北京市\n");
	/* no newline at the end */
	expect_csv(CSV("a,b\nc,d"), "1:a|b\n2:c|d\n");
	/* empty fields, including a trailing one at the very end */
	expect_csv(CSV("a,,c\n,\nx,"), "1:a||c\n2:|\n3:x|\n");
	expect_csv(CSV(""), "");
	expect_csv(CSV("\n\n"), "");
}

static void test_csv_quotes(void **state)
{
	(void)state;
	/* commas inside quotes */
	expect_csv(CSV("\"a,b\",c\n"), "1:a,b|c\n");
	/* doubled quotes */
	expect_csv(CSV("\"say \"\"hi\"\"\",x\n\"\"\"\"\n"), "1:say \"hi\"|x\n2:\"\n");
	/* empty quoted field */
	expect_csv(CSV("\"\",x\n"), "1:|x\n");
	/* embedded newlines: the next record's line accounts for them */
	expect_csv(CSV("\"one\ntwo\nthree\",x\nnext,y\n"), "1:one\ntwo\nthree|x\n4:next|y\n");
	expect_csv(CSV("a,\"1\n2\"\nb,\"3\n\n4\"\nc\n"), "1:a|1\n2\n3:b|3\n\n4\n6:c\n");
}

static void test_csv_crlf_bom_blank(void **state)
{
	(void)state;
	expect_csv(CSV("a,b\r\nc,d\r\n"), "1:a|b\n2:c|d\n");
	/* CRLF inside quotes is data; lines still count */
	expect_csv(CSV("\"x\r\ny\",z\r\nw,v\r\n"), "1:x\r\ny|z\n3:w|v\n");
	/* a UTF-8 byte-order mark is not part of the first field */
	expect_csv(CSV("\xEF\xBB\xBF" "code,name\r\n11,x\r\n"), "1:code|name\n2:11|x\n");
	/* blank lines are skipped but counted (LF and CRLF) */
	expect_csv(CSV("a\n\n\nb\n\r\n\nc"), "1:a\n4:b\n7:c\n");
	expect_csv(CSV("\n\na,b\n"), "3:a|b\n");
}

static void test_csv_errors(void **state)
{
	(void)state;
	/* unterminated quote names the line where the field started */
	expect_csv_error("a,b\nc,\"never closed\nmore\nand more\n", "line 2", "never closed");
	expect_csv_error("\"x\ny\",z\nq,\"open", "line 3", "never closed");
	/* a quote inside an unquoted field */
	expect_csv_error("a,b\"c\n", "line 1", "quote inside an unquoted field");
	expect_csv_error("ok,ok\n\"multi\nline\",ok\nbad\"field\n", "line 4",
			 "quote inside an unquoted field");
	/* junk after a closing quote */
	expect_csv_error("a\n\"x\"y,z\n", "line 2", "after a closing quote");
}

static void write_gz(const char *path, const char *data, size_t len)
{
	gzFile gz = gzopen(path, "wb");
	assert_non_null(gz);
	size_t done = 0;
	while (done < len) {
		size_t chunk = len - done > 65536 ? 65536 : len - done;
		assert_int_equal(gzwrite(gz, data + done, (unsigned)chunk), (int)chunk);
		done += chunk;
	}
	assert_int_equal(gzclose(gz), Z_OK);
}

static void test_csv_load(void **state)
{
	(void)state;
	char dir[256], plain[300], gz[300], missing[300];
	tu_tempdir(dir, sizeof(dir));
	tu_path(plain, sizeof(plain), dir, "plain.csv");
	tu_path(gz, sizeof(gz), dir, "packed.csv.gz");
	tu_path(missing, sizeof(missing), dir, "missing.csv");

	/* big enough to need several reads and buffer growth */
	struct strbuf want = STRBUF_INIT;
	strbuf_addstr(&want, "code,name\n");
	for (int i = 1; i <= 20000; i++)
		strbuf_addf(&want, "411681%03d%03d,村%d\n", i / 1000 + 1, i % 1000, i);
	tu_write_file(plain, want.buf, want.len);
	write_gz(gz, want.buf, want.len);

	const char *paths[] = { plain, gz };
	for (int k = 0; k < 2; k++) {
		char *buf = NULL;
		size_t len = 0;
		struct app_error e;
		if (csv_load(paths[k], 64u << 20, &buf, &len, &e) != APP_OK)
			fail_msg("csv_load %s: %s", paths[k], e.msg);
		assert_int_equal(len, want.len);
		assert_memory_equal(buf, want.buf, len);
		assert_int_equal(buf[len], '\0');
		/* the loaded buffer is directly usable by the reader */
		struct csv_reader r;
		csv_init(&r, buf, len);
		size_t records = 0;
		while (csv_next(&r, &e) > 0)
			records++;
		assert_int_equal(records, 20001);
		csv_release(&r);
		free(buf);
	}

	/* size limit, on the uncompressed content */
	char *buf = (char *)"untouched";
	size_t len = 12345;
	struct app_error e;
	assert_int_equal(csv_load(gz, 1000, &buf, &len, &e), APP_ETOOBIG);
	assert_contains(e.msg, gz);
	assert_string_equal(buf, "untouched");
	assert_int_equal(len, 12345);
	assert_int_equal(csv_load(plain, want.len - 1, &buf, &len, &e), APP_ETOOBIG);
	assert_int_equal(csv_load(plain, want.len, &buf, &len, &e), APP_OK);
	assert_int_equal(len, want.len);
	free(buf);

	/* a missing file is an I/O error naming it */
	assert_int_equal(csv_load(missing, 1000, &buf, &len, &e), APP_EIO);
	assert_contains(e.msg, missing);

	/* a gzip file cut short is an error, not a silently shorter file */
	{
		FILE *f = fopen(gz, "rb");
		assert_non_null(f);
		static char packed[1 << 20];
		size_t plen = fread(packed, 1, sizeof(packed), f);
		fclose(f);
		assert_true(plen > 1000 && plen < sizeof(packed));
		tu_write_file(gz, packed, plen / 2);
		buf = (char *)"untouched";
		assert_int_equal(csv_load(gz, 64u << 20, &buf, &len, &e), APP_EIO);
		assert_contains(e.msg, gz);
		assert_contains(e.msg, "truncated");
		assert_string_equal(buf, "untouched");
	}

	/* an empty file loads as an empty buffer */
	tu_write_file(plain, "", 0);
	assert_int_equal(csv_load(plain, 1000, &buf, &len, &e), APP_OK);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);

	strbuf_release(&want);
	tu_rmtree(dir);
}

/* ---- config ---- */

static void unset_config_env(void)
{
	for (int i = 0; i < CFG__MAX; i++)
		unsetenv(config_options[i].env);
}

static void test_config_defaults(void **state)
{
	(void)state;
	struct config cfg;
	config_init(&cfg);
	assert_string_equal(config_str(&cfg, CFG_DB), "var/bianmin.db");
	assert_string_equal(config_str(&cfg, CFG_LISTEN), "127.0.0.1:8080");
	assert_string_equal(config_str(&cfg, CFG_LOG_LEVEL), "info");
	assert_int_equal(config_int(&cfg, CFG_THREADS), 0);
	assert_int_equal(config_int(&cfg, CFG_MAX_BODY), 1048576);
	assert_true(config_bool(&cfg, CFG_ACCESS_LOG));
	for (int i = 0; i < CFG__MAX; i++) {
		const struct config_option *o = &config_options[i];
		assert_int_equal(cfg.source[i], SRC_DEFAULT);
		/* the table is complete and every default passes its own validation */
		assert_non_null(o->name);
		assert_non_null(o->help);
		assert_true(strncmp(o->env, "BIANMIN_", 8) == 0);
		assert_true(strncmp(o->flag, "--", 2) == 0);
		struct app_error e;
		if (config_set(&cfg, (enum config_key)i, o->def, SRC_DEFAULT, &e) != APP_OK)
			fail_msg("default of '%s' is invalid: %s", o->name, e.msg);
		enum config_key k;
		assert_true(config_find_flag(o->flag, &k));
		assert_int_equal(k, i);
	}
	enum config_key k = CFG_DB;
	assert_false(config_find_flag("--no-such-flag", &k));
	assert_int_equal(k, CFG_DB);
	config_release(&cfg);
}

static void expect_set_fails(struct config *cfg, enum config_key key, const char *value,
			     const char *fragment)
{
	char before[256];
	snprintf(before, sizeof(before), "%s", config_str(cfg, key));
	enum config_source src = cfg->source[key];
	struct app_error e;
	app_error_clear(&e);
	assert_int_equal(config_set(cfg, key, value, SRC_FLAG, &e), APP_EINVAL);
	assert_string_equal(e.field, config_options[key].name);
	assert_contains(e.msg, config_options[key].name);
	assert_contains(e.msg, fragment);
	/* a rejected value changes nothing */
	assert_string_equal(config_str(cfg, key), before);
	assert_int_equal(cfg->source[key], src);
}

static void test_config_set_validation(void **state)
{
	(void)state;
	struct config cfg;
	config_init(&cfg);
	struct app_error e;

	/* integers: range and syntax */
	assert_int_equal(config_set(&cfg, CFG_THREADS, "8", SRC_FLAG, &e), APP_OK);
	assert_int_equal(config_int(&cfg, CFG_THREADS), 8);
	assert_int_equal(cfg.source[CFG_THREADS], SRC_FLAG);
	assert_int_equal(config_set(&cfg, CFG_THREADS, "256", SRC_FLAG, &e), APP_OK);
	expect_set_fails(&cfg, CFG_THREADS, "257", "0 to 256");
	expect_set_fails(&cfg, CFG_THREADS, "257", "'257'");
	expect_set_fails(&cfg, CFG_THREADS, "-1", "whole number");
	expect_set_fails(&cfg, CFG_THREADS, "abc", "whole number");
	expect_set_fails(&cfg, CFG_THREADS, "8x", "whole number");
	expect_set_fails(&cfg, CFG_THREADS, "", "whole number");
	expect_set_fails(&cfg, CFG_THREADS, "99999999999999999999999", "whole number");
	expect_set_fails(&cfg, CFG_MAX_BODY, "1023", "1024");
	expect_set_fails(&cfg, CFG_TIMEOUT, "0", "1 to 3600");
	assert_int_equal(config_int(&cfg, CFG_THREADS), 256);

	/* booleans */
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	for (int i = 0; i < 4; i++) {
		assert_int_equal(config_set(&cfg, CFG_ACCESS_LOG, no[i], SRC_ENV, &e), APP_OK);
		assert_false(config_bool(&cfg, CFG_ACCESS_LOG));
		assert_int_equal(config_set(&cfg, CFG_ACCESS_LOG, yes[i], SRC_ENV, &e), APP_OK);
		assert_true(config_bool(&cfg, CFG_ACCESS_LOG));
	}
	expect_set_fails(&cfg, CFG_ACCESS_LOG, "maybe", "true or false");
	expect_set_fails(&cfg, CFG_ACCESS_LOG, "", "true or false");
	expect_set_fails(&cfg, CFG_ACCESS_LOG, "TRUE ", "true or false");

	/* log level */
	const char *levels[] = { "debug", "info", "warn", "error" };
	for (int i = 0; i < 4; i++)
		assert_int_equal(config_set(&cfg, CFG_LOG_LEVEL, levels[i], SRC_FILE, &e), APP_OK);
	assert_string_equal(config_str(&cfg, CFG_LOG_LEVEL), "error");
	expect_set_fails(&cfg, CFG_LOG_LEVEL, "verbose", "debug, info, warn or error");
	expect_set_fails(&cfg, CFG_LOG_LEVEL, "verbose", "'verbose'");

	/* strings are taken as given */
	assert_int_equal(config_set(&cfg, CFG_DB, "/srv/x.db", SRC_FLAG, &e), APP_OK);
	assert_string_equal(config_str(&cfg, CFG_DB), "/srv/x.db");
	config_release(&cfg);
}

static void test_config_file(void **state)
{
	(void)state;
	char dir[256], path[300];
	tu_tempdir(dir, sizeof(dir));
	tu_path(path, sizeof(path), dir, "bianmin.conf");
	struct config cfg;
	struct app_error e;

	const char *good = "# bianmin settings\n"
			   "\n"
			   "  db = /var/lib/bianmin/b.db  \n"
			   "threads=4\n"
			   "access_log = off\r\n"
			   "\t# indented comment\n"
			   "log_level = warn\n";
	tu_write_file(path, good, strlen(good));
	config_init(&cfg);
	if (config_load_file(&cfg, path, &e) != APP_OK)
		fail_msg("good file rejected: %s", e.msg);
	assert_string_equal(config_str(&cfg, CFG_DB), "/var/lib/bianmin/b.db");
	assert_int_equal(cfg.source[CFG_DB], SRC_FILE);
	assert_int_equal(config_int(&cfg, CFG_THREADS), 4);
	assert_false(config_bool(&cfg, CFG_ACCESS_LOG));
	assert_string_equal(config_str(&cfg, CFG_LOG_LEVEL), "warn");
	assert_int_equal(cfg.source[CFG_LISTEN], SRC_DEFAULT);
	config_release(&cfg);

	/* errors name the file and the line */
	static const struct {
		const char *text, *line, *why;
	} bad[] = {
		{ "threads = 4\n# c\nthreads = many\n", ":3:", "whole number" },
		{ "\n\nlisten = :80\nnosuch = 1\n", ":4:", "unknown option 'nosuch'" },
		{ "db = x\njust some words\n", ":2:", "expected 'name = value'" },
		{ "access_log = sometimes\n", ":1:", "true or false" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tu_write_file(path, bad[i].text, strlen(bad[i].text));
		config_init(&cfg);
		app_error_clear(&e);
		assert_int_equal(config_load_file(&cfg, path, &e), APP_EINVAL);
		assert_contains(e.msg, path);
		assert_contains(e.msg, bad[i].line);
		assert_contains(e.msg, bad[i].why);
		config_release(&cfg);
	}

	/* a missing file is an I/O error naming it */
	config_init(&cfg);
	tu_path(path, sizeof(path), dir, "absent.conf");
	assert_int_equal(config_load_file(&cfg, path, &e), APP_EIO);
	assert_contains(e.msg, path);
	config_release(&cfg);
	tu_rmtree(dir);
}

static void test_config_env_precedence(void **state)
{
	(void)state;
	char dir[256], path[300];
	tu_tempdir(dir, sizeof(dir));
	tu_path(path, sizeof(path), dir, "bianmin.conf");
	const char *text = "threads = 4\nlisten = 0.0.0.0:9000\n";
	tu_write_file(path, text, strlen(text));
	unset_config_env();

	struct config cfg;
	struct app_error e;
	config_init(&cfg);
	assert_int_equal(config_load_file(&cfg, path, &e), APP_OK);
	setenv("BIANMIN_THREADS", "12", 1);
	setenv("BIANMIN_ACCESS_LOG", "no", 1);
	assert_int_equal(config_load_env(&cfg, &e), APP_OK);
	/* env beats file, file beats default, untouched options stay default */
	assert_int_equal(config_int(&cfg, CFG_THREADS), 12);
	assert_int_equal(cfg.source[CFG_THREADS], SRC_ENV);
	assert_false(config_bool(&cfg, CFG_ACCESS_LOG));
	assert_int_equal(cfg.source[CFG_ACCESS_LOG], SRC_ENV);
	assert_string_equal(config_str(&cfg, CFG_LISTEN), "0.0.0.0:9000");
	assert_int_equal(cfg.source[CFG_LISTEN], SRC_FILE);
	assert_int_equal(cfg.source[CFG_DB], SRC_DEFAULT);
	/* a flag applied afterwards beats the environment */
	assert_int_equal(config_set(&cfg, CFG_THREADS, "2", SRC_FLAG, &e), APP_OK);
	assert_int_equal(config_int(&cfg, CFG_THREADS), 2);
	config_release(&cfg);

	/* a bad environment value names the variable */
	setenv("BIANMIN_TIMEOUT", "forever", 1);
	config_init(&cfg);
	assert_int_equal(config_load_env(&cfg, &e), APP_EINVAL);
	assert_contains(e.msg, "BIANMIN_TIMEOUT");
	assert_contains(e.msg, "forever");
	config_release(&cfg);

	unset_config_env();
	tu_rmtree(dir);
}

/* ---- form bodies ---- */

static void test_form_parse(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct app_error err;
	struct form f;
	static const char body[] = "a=1&b=x+y%2Bz&c&&d=%E8%B7%AF&attribute%5Bvillage%5D=9&";
	assert_int_equal(form_parse(body, strlen(body), &a, &f, &err), APP_OK);
	assert_int_equal(f.n, 5);
	assert_string_equal(f.fields[0].name, "a");
	assert_string_equal(form_get(&f, "a"), "1");
	assert_string_equal(form_get(&f, "b"), "x y+z");
	assert_string_equal(form_get(&f, "c"), "");
	assert_string_equal(form_get(&f, "d"), "路");
	assert_string_equal(form_get(&f, "attribute[village]"), "9");
	assert_null(form_get(&f, "e"));

	/* an empty body is a form without fields; the length bounds the body */
	assert_int_equal(form_parse("", 0, &a, &f, &err), APP_OK);
	assert_int_equal(f.n, 0);
	assert_null(form_get(&f, "a"));
	assert_int_equal(form_parse("a=1&b=2", 3, &a, &f, &err), APP_OK);
	assert_int_equal(f.n, 1);
	assert_string_equal(form_get(&f, "a"), "1");

	static const struct {
		const char *body, *says;
	} bad[] = {
		{ "a=%zz", "field 'a' has a '%' that is not followed by two hex digits" },
		{ "a=1&b=%4", "field 'b' has a '%'" },
		{ "x=1&%=1", "the name of pair 2 of the form has a '%'" },
		{ "=1", "pair 1 of the form has no name" },
		{ "a=1&&=2", "pair 3 of the form has no name" },
		{ "a=1&a=2", "field 'a' is given twice" },
		{ "a=%FF", "field 'a' is not valid UTF-8" },
		{ "a=x%00y", "field 'a' is not valid UTF-8" },
		{ "%C3=1", "the name of pair 1 of the form is not valid UTF-8" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct form kept = { 7, NULL };
		assert_int_equal(form_parse(bad[i].body, strlen(bad[i].body), &a, &kept, &err),
				 APP_EINVAL);
		if (!strstr(err.msg, bad[i].says))
			fail_msg("'%s': message '%s' lacks '%s'", bad[i].body, err.msg, bad[i].says);
		assert_int_equal(kept.n, 7); /* nothing half-parsed */
	}
	struct strbuf many = STRBUF_INIT;
	for (int i = 0; i <= FORM_FIELDS_MAX; i++)
		strbuf_addf(&many, "%sf%d=%d", i ? "&" : "", i, i);
	assert_int_equal(form_parse(many.buf, many.len, &a, &f, &err), APP_EINVAL);
	assert_non_null(strstr(err.msg, "more than 64 fields"));
	strbuf_release(&many);
	arena_release(&a);
}

/* ---- XML ---- */

static void test_xml_escape(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	xml_escape(&sb, "a<b>&\"c'\r\n\t\x01\xff路\xEF\xBF\xBE\xEF\xBF\xBD");
	assert_string_equal(sb.buf, "a&lt;b&gt;&amp;&quot;c&apos;&#13;\n\t\xEF\xBF\xBD\xEF\xBF\xBD"
				    "路\xEF\xBF\xBD\xEF\xBF\xBD");
	assert_true(utf8_valid(sb.buf, sb.len));
	strbuf_reset(&sb);
	xml_escape(&sb, "\xE8\xB7"); /* a character cut short: two bytes of nothing */
	assert_string_equal(sb.buf, "\xEF\xBF\xBD\xEF\xBF\xBD");
	strbuf_reset(&sb);
	xml_escape(&sb, "\xED\xA0\x80\xF0\x9F\x98\x80"); /* a surrogate; an emoji */
	assert_string_equal(sb.buf, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xF0\x9F\x98\x80");
	strbuf_reset(&sb);
	xml_escape(&sb, NULL);
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
}

static void test_xml_writer(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	struct xml_writer w;
	xml_begin(&w, &sb);
	xml_open(&w, "errors");
	xml_open(&w, "error");
	xml_text(&w, "code", "400");
	xml_text(&w, "description", "a < b");
	xml_close(&w);
	xml_text(&w, "empty", "");
	xml_text(&w, "none", NULL);
	xml_open(&w, "left_open");
	xml_end(&w);
	assert_string_equal(sb.buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<errors><error>"
				    "<code>400</code><description>a &lt; b</description></error>"
				    "<empty/><none/><left_open></left_open></errors>\n");
	assert_int_equal(w.depth, 0);
	strbuf_release(&sb);
}

/* ---- times in China's offset ---- */

static void test_clock_format_china(void **state)
{
	(void)state;
	char buf[32];
	int64_t t;
	clock_format_china(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T08:00:00+08:00");
	assert_true(clock_parse_time("2026-11-29T16:00:00Z", &t));
	clock_format_china(t, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-30T00:00:00+08:00"); /* the next day in China */
	assert_true(clock_parse_time("2026-12-31T23:59:59+08:00", &t));
	clock_format_china(t, buf, sizeof(buf));
	assert_string_equal(buf, "2026-12-31T23:59:59+08:00");
}

/* a due instant at midnight reads as 24:00 of the limit's last day */
static void test_clock_format_china_due(void **state)
{
	(void)state;
	char buf[32];
	int64_t t;
	assert_true(clock_parse_time("2026-10-10T16:00:00Z", &t));
	clock_format_china_due(t, buf, sizeof(buf));
	assert_string_equal(buf, "2026-10-10 24:00");
	assert_true(clock_parse_time("2026-10-10T16:01:00Z", &t));
	clock_format_china_due(t, buf, sizeof(buf));
	assert_string_equal(buf, "2026-10-11 00:01");
}

/* ---- err ---- */

static void test_err_names(void **state)
{
	(void)state;
	for (int i = 0; i < APP_ERR__MAX; i++) {
		const char *n = app_err_name((enum app_err)i);
		assert_non_null(n);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(n, app_err_name((enum app_err)j));
	}
	assert_string_equal(app_err_name(APP_ENOTFOUND), "not_found");
	struct app_error e;
	assert_int_equal(app_fail_field(&e, APP_EINVAL, "code", "bad code '%s'", "x"), APP_EINVAL);
	assert_string_equal(e.field, "code");
	assert_string_equal(e.msg, "bad code 'x'");
	assert_int_equal(app_fail(NULL, APP_EDB, "ignored"), APP_EDB);
}

int main(void)
{
	log_set_level(LOG_WARN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf_init_is_empty_string),
		cmocka_unit_test(test_strbuf_add_keeps_nul_and_grows),
		cmocka_unit_test(test_strbuf_addf_long),
		cmocka_unit_test(test_strbuf_reset_and_grow),
		cmocka_unit_test(test_strbuf_detach),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_utf8_valid_accepts),
		cmocka_unit_test(test_utf8_valid_rejects),
		cmocka_unit_test(test_utf8_length),
		cmocka_unit_test(test_division_levels),
		cmocka_unit_test(test_division_bad_codes),
		cmocka_unit_test(test_division_parent),
		cmocka_unit_test(test_division_within),
		cmocka_unit_test(test_division_county),
		cmocka_unit_test(test_division_level_names),
		cmocka_unit_test(test_csv_basic),
		cmocka_unit_test(test_csv_quotes),
		cmocka_unit_test(test_csv_crlf_bom_blank),
		cmocka_unit_test(test_csv_errors),
		cmocka_unit_test(test_csv_load),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_set_validation),
		cmocka_unit_test(test_config_file),
		cmocka_unit_test(test_config_env_precedence),
		cmocka_unit_test(test_form_parse),
		cmocka_unit_test(test_xml_escape),
		cmocka_unit_test(test_xml_writer),
		cmocka_unit_test(test_clock_format_china),
		cmocka_unit_test(test_clock_format_china_due),
		cmocka_unit_test(test_err_names),
	};
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
