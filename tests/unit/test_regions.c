/*
 * test_regions.c - unit tests of src/regions: regions_parse_csv() reports
 * every bad row with its exact line (field count, code, level, parent,
 * duplicates naming the first line, names), header problems, and counts
 * lines correctly across quoted multi-line fields; the demo county is
 * well-formed (codes, parents, unique names, NBS community numbering) and
 * imports idempotently; regions_import_file() is all or nothing and its
 * report lists the offending lines. With the real NBS files present
 * ($BIANMIN_DATA, default ../shared/data) it imports provinces, cities,
 * counties and 项城市, and checks the county's shape; otherwise it SKIPs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/division.h"
#include "core/log.h"
#include "core/utf8.h"
#include "regions/regions.h"
#include "store/store.h"
#include "testutil.h"

#include <zlib.h>

/* ---- helpers ---- */

struct parsed {
	struct regions_batch b;
	struct regions_report rep;
	struct app_error err;
	enum app_err rc;
};

static void parse(struct parsed *p, const char *csv, size_t len)
{
	memset(p, 0, sizeof(*p));
	regions_report_init(&p->rep);
	app_error_clear(&p->err);
	char *buf = malloc(len + 1); /* the reader's contract: one spare byte */
	assert_non_null(buf);
	memcpy(buf, csv, len);
	buf[len] = '\0';
	p->rc = regions_parse_csv(buf, len, &p->b, &p->rep, &p->err);
	free(buf);
}

static void parsed_release(struct parsed *p)
{
	regions_batch_release(&p->b);
	regions_report_release(&p->rep);
}

/* The problem line for CSV line `line`, or fail. */
static void assert_problem(const struct regions_report *rep, size_t line, const char *fragment)
{
	char head[32];
	snprintf(head, sizeof(head), "line %zu: ", line);
	const char *p = rep->problems.buf;
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		if (strncmp(p, head, strlen(head)) == 0) {
			char one[600];
			snprintf(one, sizeof(one), "%.*s", (int)n, p);
			assert_contains(one, fragment);
			return;
		}
		p = eol ? eol + 1 : NULL;
	}
	fail_msg("no problem reported for line %zu; problems:\n%s", line, rep->problems.buf);
}

static size_t problem_lines(const struct regions_report *rep)
{
	size_t n = 0;
	for (const char *p = rep->problems.buf; *p; p++)
		n += *p == '\n';
	return n;
}

#define PARSE(p, lit) parse((p), (lit), sizeof(lit) - 1)

/* ---- regions_parse_csv ---- */

static void test_parse_row_problems(void **state)
{
	(void)state;
	/* 51 and 50 characters */
	char long_name[256] = "", max_name[256] = "";
	for (int i = 0; i < 51; i++)
		strcat(long_name, "村");
	for (int i = 0; i < 50; i++)
		strcat(max_name, "村");
	struct strbuf csv = STRBUF_INIT;
	strbuf_addstr(&csv, "code,name,level,parent_code\n"        /* 1 */
			    "411681001,花园街道,town,411681\n"      /* 2 ok */
			    "411681001001,a,village\n"             /* 3 */
			    "41168x,b,county,4116\n"               /* 4 */
			    "411681,项城市,town,4116\n"             /* 5 */
			    "411681002,c,town,411682\n"            /* 6 */
			    "411681001,d,town,411681\n"            /* 7 */
			    "411681003,,town,411681\n"             /* 8 */
			    "411681004,\xff\xfe,town,411681\n"     /* 9 */
			    "411681005,e,xiang,411681\n"           /* 10 */
			    "41,河南省,province,99\n"               /* 11 */
			    "4116811,f,town,411681\n"              /* 12 */
			    "411681006,\"a\tb\",town,411681\n");   /* 13 */
	strbuf_addf(&csv, "411681007,%s,town,411681\n", long_name); /* 14 */
	strbuf_addf(&csv, "411681008,%s,town,411681\n", max_name);  /* 15 ok */
	strbuf_addstr(&csv, "411681009,g,town,411681,extra\n");     /* 16 */

	struct parsed p;
	parse(&p, csv.buf, csv.len);
	assert_int_equal(p.rc, APP_EINVAL);
	assert_int_equal(p.rep.rows, 15);
	assert_int_equal(p.rep.rejected, 13);
	assert_int_equal(problem_lines(&p.rep), 13);
	assert_contains(p.err.msg, "13 of 15 rows rejected");
	assert_contains(p.err.msg, "nothing imported");

	assert_problem(&p.rep, 3, "expected 4 fields, found 3");
	assert_problem(&p.rep, 4, "'41168x'");
	assert_problem(&p.rep, 4, "non-digit");
	assert_problem(&p.rep, 5, "level 'town' does not match code '411681'");
	assert_problem(&p.rep, 5, "county");
	assert_problem(&p.rep, 6, "parent '411682' of '411681002' should be '411681'");
	assert_problem(&p.rep, 7, "code '411681001' already appears on line 2");
	assert_problem(&p.rep, 8, "name is empty");
	assert_problem(&p.rep, 9, "not valid UTF-8");
	assert_problem(&p.rep, 10, "level 'xiang' is unknown");
	assert_problem(&p.rep, 11, "a province has no parent");
	assert_problem(&p.rep, 12, "7 digits");
	assert_problem(&p.rep, 13, "control character");
	assert_problem(&p.rep, 14, "longer than 50 characters");
	assert_problem(&p.rep, 16, "expected 4 fields, found 5");

	/* the good rows are parsed, with their lines */
	assert_int_equal(p.b.n, 2);
	assert_string_equal(p.b.rows[0].code, "411681001");
	assert_string_equal(p.b.rows[0].name, "花园街道");
	assert_string_equal(p.b.rows[0].parent_code, "411681");
	assert_int_equal(p.b.rows[0].level, DIV_TOWN);
	assert_int_equal(p.b.lines[0], 2);
	assert_string_equal(p.b.rows[1].name, max_name);
	assert_int_equal(p.b.lines[1], 15);
	parsed_release(&p);
	strbuf_release(&csv);
}

static void test_parse_multiline_fields(void **state)
{
	(void)state;
	struct parsed p;
	PARSE(&p, "code,name,parent_code\n" /* 1 */
		  "11,\"北京\n市\",\n"      /* 2-3: a newline in a name */
		  "12,\"天津,市\",\n"       /* 4 ok */
		  "\"13\",\"河北\"\"省\",\n" /* 5 ok */
		  "14,\"山\r\n\r\n西\",\n"  /* 6-8 */
		  "\n"                      /* 9 blank */
		  "12,重复,\n"              /* 10 */
		  "15,内蒙古,");            /* 11 ok, no final newline */
	assert_int_equal(p.rc, APP_EINVAL);
	assert_int_equal(p.rep.rows, 6);
	assert_int_equal(p.rep.rejected, 3);
	assert_problem(&p.rep, 2, "control character");
	assert_problem(&p.rep, 6, "control character");
	assert_problem(&p.rep, 10, "code '12' already appears on line 4");
	assert_int_equal(p.b.n, 3);
	assert_string_equal(p.b.rows[0].name, "天津,市");
	assert_int_equal(p.b.lines[0], 4);
	assert_string_equal(p.b.rows[1].code, "13");
	assert_string_equal(p.b.rows[1].name, "河北\"省");
	assert_int_equal(p.b.lines[1], 5);
	assert_int_equal(p.b.lines[2], 11);
	parsed_release(&p);

	/* a quote that never closes stops reading, naming where it opened */
	PARSE(&p, "code,name\n11,北京市\n12,\"天津\n13,河北\n");
	assert_int_equal(p.rc, APP_EINVAL);
	assert_problem(&p.rep, 3, "never closed");
	parsed_release(&p);
}

static void test_parse_headers(void **state)
{
	(void)state;
	static const struct {
		const char *csv, *frag1, *frag2;
	} bad[] = {
		{ "id,name\n11,北京市\n", "line 1", "code and name" },
		{ "code,title\n11,北京市\n", "line 1", "code and name" },
		{ "\n\nname\n11\n", "line 3", "code and name" },
		{ "code,name\n", "header", "no rows" },
		{ "code,name\n\n\r\n", "header", "no rows" },
		{ "", "empty", "empty" },
		{ "\n\n", "empty", "empty" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct parsed p;
		parse(&p, bad[i].csv, strlen(bad[i].csv));
		assert_int_equal(p.rc, APP_EINVAL);
		assert_int_equal(p.err.code, APP_EINVAL);
		assert_contains(p.err.msg, bad[i].frag1);
		assert_contains(p.err.msg, bad[i].frag2);
		assert_int_equal(p.b.n, 0);
		parsed_release(&p);
	}

	/* BOM, CRLF, columns in another order, unknown columns ignored */
	struct parsed p;
	PARSE(&p, "\xEF\xBB\xBFname,code\r\n北京市,11\r\n");
	assert_int_equal(p.rc, APP_OK);
	assert_int_equal(p.b.n, 1);
	assert_string_equal(p.b.rows[0].code, "11");
	assert_string_equal(p.b.rows[0].name, "北京市");
	assert_string_equal(p.b.rows[0].parent_code, "");
	assert_int_equal(p.b.rows[0].level, DIV_PROVINCE);
	parsed_release(&p);

	/* the village files' layout: town_code is the parent */
	PARSE(&p, "code,name,town_code,town_name\n411681001001,邝花园社区,411681001,花园街道\n");
	assert_int_equal(p.rc, APP_OK);
	assert_int_equal(p.b.n, 1);
	assert_string_equal(p.b.rows[0].parent_code, "411681001");
	assert_int_equal(p.b.rows[0].level, DIV_VILLAGE);
	parsed_release(&p);

	PARSE(&p, "code,name,town_code,town_name\n411681001001,邝花园社区,411681002,花园街道\n");
	assert_int_equal(p.rc, APP_EINVAL);
	assert_problem(&p.rep, 2, "should be '411681001'");
	parsed_release(&p);
}

/* ---- the demo county ---- */

static size_t index_of(const struct regions_batch *b, const char *code)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->rows[i].code, code) == 0)
			return i;
	return SIZE_MAX;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static void test_demo_build(void **state)
{
	(void)state;
	struct regions_batch b = { 0 };
	regions_demo_build(&b);
	assert_int_equal(b.n, 3 + 20 + 500);
	assert_string_equal(b.rows[0].code, "99");
	assert_string_equal(b.rows[1].code, "9901");
	assert_string_equal(b.rows[2].code, REGIONS_DEMO_COUNTY);

	size_t per_level[DIV__MAX] = { 0 };
	size_t communities = 0;
	for (size_t i = 0; i < b.n; i++) {
		const struct region *r = &b.rows[i];
		enum division_level lv;
		struct app_error e;
		if (division_code_check(r->code, &lv, &e) != APP_OK)
			fail_msg("demo code '%s': %s", r->code, e.msg);
		assert_int_equal(lv, r->level);
		per_level[lv]++;
		char parent[DIVISION_CODE_MAX + 1] = "";
		division_code_parent(r->code, lv, parent);
		assert_string_equal(r->parent_code, parent);
		/* parents first */
		if (lv != DIV_PROVINCE)
			assert_true(index_of(&b, parent) < i);
		assert_true(division_code_within(r->code, lv >= DIV_COUNTY ? REGIONS_DEMO_COUNTY : "99"));

		size_t n = strlen(r->name);
		assert_true(n > 0);
		assert_true(utf8_valid(r->name, n));
		assert_true(utf8_length(r->name, n) <= REGIONS_NAME_MAX_CHARS);
		/* names are unique within the county */
		for (size_t j = 0; j < i; j++)
			if (strcmp(b.rows[j].name, r->name) == 0)
				fail_msg("name '%s' used by %s and %s", r->name, b.rows[j].code, r->code);

		if (lv == DIV_VILLAGE) {
			/* every village's parent is a town of the batch */
			size_t t = index_of(&b, r->parent_code);
			assert_true(t < b.n);
			assert_int_equal(b.rows[t].level, DIV_TOWN);
			/* NBS numbering: 001-199 communities, only under streets (001-099) */
			int number = atoi(r->code + 9);
			int town_number = atoi(r->parent_code + 6);
			if (number < 200) {
				communities++;
				assert_true(town_number < 100);
				assert_true(ends_with(b.rows[t].name, "街道"));
				assert_true(ends_with(r->name, "社区"));
			} else {
				assert_true(ends_with(r->name, "村"));
			}
		}
	}
	assert_int_equal(per_level[DIV_PROVINCE], 1);
	assert_int_equal(per_level[DIV_CITY], 1);
	assert_int_equal(per_level[DIV_COUNTY], 1);
	assert_int_equal(per_level[DIV_TOWN], 20);
	assert_int_equal(per_level[DIV_VILLAGE], 500);
	assert_true(communities > 0);

	/* deterministic: the same demo everywhere */
	struct regions_batch again = { 0 };
	regions_demo_build(&again);
	assert_int_equal(again.n, b.n);
	assert_memory_equal(again.rows, b.rows, b.n * sizeof(*b.rows));
	regions_batch_release(&again);

	/* and it passes the importer's own checks */
	struct strbuf csv = STRBUF_INIT;
	strbuf_addstr(&csv, "code,name,level,parent_code\n");
	for (size_t i = 0; i < b.n; i++)
		strbuf_addf(&csv, "%s,%s,%s,%s\n", b.rows[i].code, b.rows[i].name,
			    division_level_names[b.rows[i].level], b.rows[i].parent_code);
	struct parsed p;
	parse(&p, csv.buf, csv.len);
	if (p.rc != APP_OK)
		fail_msg("demo rejected by the importer: %s\n%s", p.err.msg, p.rep.problems.buf);
	assert_int_equal(p.b.n, b.n);
	parsed_release(&p);
	strbuf_release(&csv);
	regions_batch_release(&b);
}

/* ---- with a store ---- */

struct fixture {
	char dir[256];
	struct store *s;
};

static int setup_store(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	tu_tempdir(f->dir, sizeof(f->dir));
	char db[300];
	tu_path(db, sizeof(db), f->dir, "regions.db");
	struct app_error e;
	if (store_open(&f->s, db, STORE_OPEN_CREATE, &e) != APP_OK ||
	    store_migrate(f->s, NULL, &e) != APP_OK) {
		print_error("cannot set up the store: %s\n", e.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown_store(void **state)
{
	struct fixture *f = *state;
	store_close(f->s);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

static bool exists(struct store *s, const char *code)
{
	bool b = false;
	struct app_error e;
	assert_int_equal(store_region_exists(s, code, &b, &e), APP_OK);
	return b;
}

static void test_demo_import(void **state)
{
	struct fixture *f = *state;
	struct region_import_counts c;
	struct app_error e;
	assert_int_equal(regions_demo_import(f->s, "test", &c, &e), APP_OK);
	assert_int_equal(c.inserted, 523);
	assert_int_equal(regions_demo_import(f->s, "test", &c, &e), APP_OK);
	assert_int_equal(c.inserted, 0);
	assert_int_equal(c.updated, 0);
	assert_int_equal(c.unchanged, 523);
	struct region r;
	assert_int_equal(store_region_get(f->s, REGIONS_DEMO_COUNTY, &r, &e), APP_OK);
	assert_int_equal(r.child_count, 20);
}

struct stages {
	char seen[128];
};

static void progress_fn(void *ctx, const char *stage, size_t done, size_t total)
{
	struct stages *st = ctx;
	assert_true(done <= total);
	size_t n = strlen(st->seen);
	snprintf(st->seen + n, sizeof(st->seen) - n, "%s%s", n ? "," : "", stage);
}

static void import_file(struct fixture *f, const char *name, const char *text, bool gzip,
			struct regions_report *rep, struct stages *st, enum app_err want)
{
	char path[400];
	tu_path(path, sizeof(path), f->dir, name);
	if (gzip) {
		gzFile gz = gzopen(path, "wb");
		assert_non_null(gz);
		assert_int_equal(gzwrite(gz, text, (unsigned)strlen(text)), (int)strlen(text));
		assert_int_equal(gzclose(gz), Z_OK);
	} else {
		tu_write_file(path, text, strlen(text));
	}
	struct app_error e;
	app_error_clear(&e);
	enum app_err rc = regions_import_file(f->s, path, "test", rep, progress_fn, st, &e);
	if (rc != want)
		fail_msg("import of %s gave %d, want %d: %s\n%s", name, rc, want, e.msg,
			 rep->problems.buf);
}

static const char upper[] = "code,name,parent_code\n"
			    "41,河南省,\n"
			    "4116,周口市,41\n"
			    "411681,项城市,4116\n";

static const char lower[] = "code,name,level,parent_code\n"
			    "411681001,花园街道,town,411681\n"
			    "411681001001,邝花园社区居民委员会,village,411681001\n"
			    "411681001002,刘庄村,village,411681001\n";

static void test_import_file_all_or_nothing(void **state)
{
	struct fixture *f = *state;
	struct regions_report rep;
	struct stages st = { "" };

	/* one bad row in an otherwise good file: nothing is written */
	char bad[512];
	snprintf(bad, sizeof(bad), "%s4117,驻马店市,41\n4118,,41\n", upper);
	regions_report_init(&rep);
	import_file(f, "bad.csv", bad, false, &rep, &st, APP_EINVAL);
	assert_int_equal(rep.rejected, 1);
	assert_problem(&rep, 6, "name is empty");
	assert_false(exists(f->s, "41"));
	assert_false(exists(f->s, "4117"));
	assert_string_equal(st.seen, ""); /* never got past reading */
	regions_report_release(&rep);

	/* good rows whose parents are nowhere: listed by line, nothing written */
	regions_report_init(&rep);
	import_file(f, "lower.csv", lower, false, &rep, &st, APP_EINVAL);
	assert_int_equal(rep.rejected, 1); /* the villages' town is in the file */
	assert_problem(&rep, 2, "parent '411681' of '411681001'");
	assert_problem(&rep, 2, "neither in the registry nor in this file");
	assert_false(exists(f->s, "411681001"));
	assert_false(exists(f->s, "411681001001"));
	regions_report_release(&rep);

	/* the upper levels, gzip-compressed, then the lower ones */
	st.seen[0] = '\0';
	regions_report_init(&rep);
	import_file(f, "upper.csv.gz", upper, true, &rep, &st, APP_OK);
	assert_int_equal(rep.rows, 3);
	assert_int_equal(rep.rejected, 0);
	assert_int_equal(rep.counts.inserted, 3);
	assert_string_equal(st.seen, "read,checked,written");
	regions_report_release(&rep);

	regions_report_init(&rep);
	import_file(f, "lower.csv", lower, false, &rep, &st, APP_OK);
	assert_int_equal(rep.counts.inserted, 3);
	regions_report_release(&rep);
	assert_true(exists(f->s, "411681001002"));

	/* again: nothing changes */
	regions_report_init(&rep);
	import_file(f, "lower.csv", lower, false, &rep, &st, APP_OK);
	assert_int_equal(rep.counts.inserted, 0);
	assert_int_equal(rep.counts.unchanged, 3);
	regions_report_release(&rep);

	/* a missing file is an I/O error */
	char path[400];
	tu_path(path, sizeof(path), f->dir, "absent.csv");
	struct app_error e;
	regions_report_init(&rep);
	assert_int_equal(regions_import_file(f->s, path, "test", &rep, NULL, NULL, &e), APP_EIO);
	assert_contains(e.msg, path);
	regions_report_release(&rep);
}

static void test_import_many_problems_listed(void **state)
{
	struct fixture *f = *state;
	/* more bad rows than are listed: all counted, the first ones listed */
	struct strbuf csv = STRBUF_INIT;
	strbuf_addstr(&csv, "code,name\n");
	for (int i = 0; i < REGIONS_PROBLEMS_LISTED + 50; i++)
		strbuf_addf(&csv, "x%d,名\n", i);
	struct regions_report rep;
	regions_report_init(&rep);
	struct stages st = { "" };
	import_file(f, "many.csv", csv.buf, false, &rep, &st, APP_EINVAL);
	assert_int_equal(rep.rejected, REGIONS_PROBLEMS_LISTED + 50);
	assert_int_equal(problem_lines(&rep), REGIONS_PROBLEMS_LISTED);
	assert_problem(&rep, 2, "non-digit");
	regions_report_release(&rep);
	strbuf_release(&csv);
}

/* ---- real data ---- */

static bool count_child(void *ctx, const struct region *r)
{
	(void)r;
	(*(size_t *)ctx)++;
	return true;
}

struct level_count {
	size_t n[DIV__MAX];
};

static bool count_level(void *ctx, const struct region *r)
{
	((struct level_count *)ctx)->n[r->level]++;
	return true;
}

static void test_real_divisions(void **state)
{
	struct fixture *f = *state;
	static const char *const files[] = { "provinces.csv", "cities.csv", "counties.csv",
					     "xiangcheng_divisions.csv" };
	char paths[4][512];
	for (int i = 0; i < 4; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/divisions/%s", tu_data_dir(), files[i]);
		if (!tu_file_exists(paths[i])) {
			print_message("SKIP real divisions data absent (%s)\n", paths[i]);
			skip();
		}
	}
	for (int i = 0; i < 4; i++) {
		struct regions_report rep;
		struct app_error e;
		regions_report_init(&rep);
		if (regions_import_file(f->s, paths[i], "test", &rep, NULL, NULL, &e) != APP_OK)
			fail_msg("import %s: %s\n%s", paths[i], e.msg, rep.problems.buf);
		assert_int_equal(rep.rejected, 0);
		assert_int_equal(rep.counts.inserted, rep.rows);
		if (i == 3)
			assert_int_equal(rep.rows, 522);
		regions_report_release(&rep);
	}
	struct region r;
	struct app_error e;
	assert_int_equal(store_region_get(f->s, "411681", &r, &e), APP_OK);
	assert_string_equal(r.name, "项城市");
	assert_string_equal(r.parent_code, "4116");
	assert_int_equal(r.child_count, 21);
	size_t children = 0;
	assert_int_equal(store_region_children(f->s, "411681", count_child, &children, &e), APP_OK);
	assert_int_equal(children, 21);
	struct level_count lc = { { 0 } };
	assert_int_equal(store_region_subtree(f->s, "411681", 2, count_level, &lc, &e), APP_OK);
	assert_int_equal(lc.n[DIV_COUNTY], 1);
	assert_int_equal(lc.n[DIV_TOWN], 21);
	assert_int_equal(lc.n[DIV_VILLAGE], 501);
	assert_int_equal(store_region_get(f->s, "41", &r, &e), APP_OK);
	assert_string_equal(r.name, "河南省");
}

int main(void)
{
	log_set_level(LOG_WARN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_row_problems),
		cmocka_unit_test(test_parse_multiline_fields),
		cmocka_unit_test(test_parse_headers),
		cmocka_unit_test(test_demo_build),
		cmocka_unit_test_setup_teardown(test_demo_import, setup_store, teardown_store),
		cmocka_unit_test_setup_teardown(test_import_file_all_or_nothing, setup_store,
						teardown_store),
		cmocka_unit_test_setup_teardown(test_import_many_problems_listed, setup_store,
						teardown_store),
		cmocka_unit_test_setup_teardown(test_real_divisions, setup_store, teardown_store),
	};
	return cmocka_run_group_tests_name("regions", tests, NULL, NULL);
}
