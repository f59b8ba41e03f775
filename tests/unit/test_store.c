/*
 * test_store.c - unit tests of src/store through store.h only, each on a
 * fresh SQLite file in a temporary directory: opening (a missing database
 * is "not found", never silently created), migrations and the schema check,
 * region imports (insert/update/unchanged counts; all or nothing, parents
 * in the registry or the batch), the reads (get, children with their
 * child_count, subtree in pre-order with a depth limit, search with prefix
 * hits before infix hits, within/level/limit, early stop, exists), and
 * group commit: many threads writing at once are batched into fewer
 * commits, every acknowledged write survives close and reopen, and a
 * failing write in a batch does not take the good ones down with it.
 * The readers' pool: reads beyond its bound wait instead of opening more,
 * a read nested in another does not, and all of them succeed.
 *
 * Live events: ids grow, reads filter by topic and resume after an id, in
 * id order up to a limit; bad events are refused and write nothing; the
 * watcher hears each committed event's topic (waited for on a condition
 * variable with a deadline, never slept for) and nothing after unwatch.
 * Scheduled jobs: a slot is claimed once, a later slot again, an earlier one
 * never; finishing records outcome and detail; store locks are exclusive
 * until released; maintenance says what it did.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "store/store.h"
#include "sqlite_schema.h"
#include "sqlite_testdb.h"
#include "testutil.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

/* A migrated empty store. */
static int setup_store(void **state)
{
	return sqlite_testdb_setup(state, NULL);
}

static struct region reg(const char *code, const char *name)
{
	struct region r = { 0 };
	enum division_level lv;
	assert_int_equal(division_code_check(code, &lv, NULL), APP_OK);
	snprintf(r.code, sizeof(r.code), "%s", code);
	snprintf(r.name, sizeof(r.name), "%s", name);
	r.level = lv;
	division_code_parent(code, lv, r.parent_code);
	return r;
}

static void import_ok(struct store *s, const struct region *rows, size_t n,
		      struct region_import_counts *counts)
{
	struct app_error e;
	if (store_regions_import(s, rows, n, NULL, counts, &e) != APP_OK)
		fail_msg("import failed: %s", e.msg);
}

static bool exists(struct store *s, const char *code)
{
	bool b = false;
	struct app_error e;
	if (store_region_exists(s, code, &b, &e) != APP_OK)
		fail_msg("exists '%s': %s", code, e.msg);
	return b;
}

/* Collects "code" or "code:child_count" per region, space separated. */
struct collect {
	struct strbuf out;
	bool with_counts;
	int calls, stop_after; /* stop_after 0: never stop */
};

static bool collect_fn(void *ctx, const struct region *r)
{
	struct collect *c = ctx;
	if (c->out.len)
		strbuf_addch(&c->out, ' ');
	if (c->with_counts)
		strbuf_addf(&c->out, "%s:%d", r->code, r->child_count);
	else
		strbuf_addstr(&c->out, r->code);
	c->calls++;
	return !(c->stop_after && c->calls >= c->stop_after);
}

/* ---- open and migrate ---- */

static void test_open_missing(void **state)
{
	struct sqlite_testdb *f = *state;
	struct store *s = (struct store *)0x1;
	struct app_error e;
	assert_int_equal(store_open(&s, f->db, STORE_OPEN_EXISTING, &e), APP_ENOTFOUND);
	assert_int_equal(e.code, APP_ENOTFOUND);
	assert_contains(e.msg, f->db);
	assert_ptr_equal(s, (struct store *)0x1); /* OUT parameter untouched */
	assert_false(tu_file_exists(f->db));      /* and nothing was created */
	assert_int_equal(store_open(&s, "", STORE_OPEN_CREATE, &e), APP_EINVAL);
}

static void test_migrate(void **state)
{
	struct sqlite_testdb *f = *state;
	struct app_error e;
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_CREATE, &e), APP_OK);
	assert_string_equal(store_backend(f->s), "sqlite");
	assert_true(tu_file_exists(f->db));

	int cur = -1, want = -1;
	assert_int_equal(store_schema_version(f->s, &cur, &want, &e), APP_OK);
	assert_int_equal(cur, 0);
	assert_true(want >= 1);
	/* serve refuses an unmigrated database, saying what to do */
	assert_int_equal(store_check_schema(f->s, &e), APP_EDB);
	assert_contains(e.msg, "migrate");

	int applied = -1;
	assert_int_equal(store_migrate(f->s, &applied, &e), APP_OK);
	assert_true(applied >= 1);
	assert_int_equal(store_schema_version(f->s, &cur, &want, &e), APP_OK);
	assert_int_equal(cur, want);
	assert_int_equal(store_check_schema(f->s, &e), APP_OK);

	/* a second run is a no-op */
	assert_int_equal(store_migrate(f->s, &applied, &e), APP_OK);
	assert_int_equal(applied, 0);
	assert_int_equal(store_check_schema(f->s, &e), APP_OK);

	/* the schema is on disk: a reopened database needs nothing */
	struct region r = reg("41", "河南省");
	import_ok(f->s, &r, 1, NULL);
	store_close(f->s);
	f->s = NULL;
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	assert_int_equal(store_check_schema(f->s, &e), APP_OK);
	assert_int_equal(store_migrate(f->s, &applied, &e), APP_OK);
	assert_int_equal(applied, 0);
	assert_true(exists(f->s, "41"));
}

/* A database migrated by a build that lacked a migration numbered below one
 * it had (the row of version 20 gone here): neither the schema check nor
 * migrate takes it as current; both say what is wrong. */
static void test_migration_missing_below_refused(void **state)
{
	struct sqlite_testdb *f = *state;
	struct app_error e;
	int applied;
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_CREATE, &e), APP_OK);
	assert_int_equal(store_migrate(f->s, &applied, &e), APP_OK);
	store_close(f->s);
	f->s = NULL;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite_schema_exec(db, "DELETE FROM schema_migrations WHERE version = 20");
	sqlite3_close(db);

	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	assert_int_equal(store_check_schema(f->s, &e), APP_EDB);
	assert_contains(e.msg, "lacks 1 of the earlier migrations");
	assert_int_equal(store_migrate(f->s, &applied, &e), APP_EDB);
	assert_contains(e.msg, "lacks 1 of the earlier migrations");
}

/* ---- imports ---- */

static void test_import_counts(void **state)
{
	struct sqlite_testdb *f = *state;
	struct region rows[] = { reg("41", "河南省"), reg("4116", "周口市"), reg("411681", "项城市") };
	struct region_import_counts c;

	import_ok(f->s, rows, 3, &c);
	assert_int_equal(c.inserted, 3);
	assert_int_equal(c.updated, 0);
	assert_int_equal(c.unchanged, 0);

	import_ok(f->s, rows, 3, &c);
	assert_int_equal(c.inserted, 0);
	assert_int_equal(c.updated, 0);
	assert_int_equal(c.unchanged, 3);

	rows[1] = reg("4116", "周口地区");
	struct region more[] = { rows[0], rows[1], rows[2], reg("411681001", "花园街道") };
	import_ok(f->s, more, 4, &c);
	assert_int_equal(c.inserted, 1);
	assert_int_equal(c.updated, 1);
	assert_int_equal(c.unchanged, 2);

	struct region got;
	struct app_error e;
	assert_int_equal(store_region_get(f->s, "4116", &got, &e), APP_OK);
	assert_string_equal(got.name, "周口地区");

	/* children before parents in one batch: the store orders them */
	struct region rev[] = { reg("411681002001", "东社区"), reg("411681002", "东方街道") };
	import_ok(f->s, rev, 2, &c);
	assert_int_equal(c.inserted, 2);
	assert_true(exists(f->s, "411681002001"));
}

static void test_import_orphan_changes_nothing(void **state)
{
	struct sqlite_testdb *f = *state;
	struct region base[] = { reg("41", "河南省"), reg("4116", "周口市"), reg("411681", "项城市") };
	import_ok(f->s, base, 3, NULL);

	/* a good new town, a renamed city, and a village whose town is nowhere */
	struct region bad[] = { reg("411681001", "花园街道"), reg("4116", "改名市"),
				reg("411681999001", "无主村") };
	struct region_import_counts c = { 7, 7, 7 };
	struct app_error e;
	app_error_clear(&e);
	assert_int_equal(store_regions_import(f->s, bad, 3, NULL, &c, &e), APP_EINVAL);
	assert_contains(e.msg, "411681999");
	assert_int_equal(c.inserted, 7); /* OUT parameter untouched on failure */
	assert_false(exists(f->s, "411681001"));
	assert_false(exists(f->s, "411681999001"));
	struct region got;
	assert_int_equal(store_region_get(f->s, "4116", &got, &e), APP_OK);
	assert_string_equal(got.name, "周口市");

	/* the store still takes writes afterwards */
	import_ok(f->s, bad, 2, &c);
	assert_int_equal(c.inserted, 1);
	assert_int_equal(c.updated, 1);
}

/* ---- reads ---- */

static const char *const seed_rows[][2] = {
	{ "41", "河南省" },           { "4116", "周口市" },         { "4117", "驻马店市" },
	{ "411602", "川汇区" },       { "411602100", "老城镇" },    { "411681", "项城市" },
	{ "411681001", "花园街道" },  { "411681001001", "城东社区" }, { "411681001002", "花园社区" },
	{ "411681100", "城关镇" },    { "411681100201", "新城村" }, { "411681100202", "王楼村" },
};

static void seed(struct store *s)
{
	size_t n = sizeof(seed_rows) / sizeof(seed_rows[0]);
	struct region rows[sizeof(seed_rows) / sizeof(seed_rows[0])];
	for (size_t i = 0; i < n; i++)
		rows[i] = reg(seed_rows[i][0], seed_rows[i][1]);
	struct region_import_counts c;
	import_ok(s, rows, n, &c);
	assert_int_equal(c.inserted, n);
}

static void test_get_and_exists(void **state)
{
	struct sqlite_testdb *f = *state;
	seed(f->s);
	struct region r;
	struct app_error e;
	assert_int_equal(store_region_get(f->s, "411681", &r, &e), APP_OK);
	assert_string_equal(r.code, "411681");
	assert_string_equal(r.name, "项城市");
	assert_string_equal(r.parent_code, "4116");
	assert_int_equal(r.level, DIV_COUNTY);
	assert_int_equal(r.child_count, 2);

	assert_int_equal(store_region_get(f->s, "41", &r, &e), APP_OK);
	assert_string_equal(r.parent_code, "");
	assert_int_equal(r.level, DIV_PROVINCE);
	assert_int_equal(r.child_count, 2);

	assert_int_equal(store_region_get(f->s, "411681100201", &r, &e), APP_OK);
	assert_int_equal(r.level, DIV_VILLAGE);
	assert_string_equal(r.parent_code, "411681100");
	assert_int_equal(r.child_count, 0);

	strcpy(r.name, "untouched");
	assert_int_equal(store_region_get(f->s, "411681999", &r, &e), APP_ENOTFOUND);
	assert_contains(e.msg, "411681999");
	assert_string_equal(r.name, "untouched");

	assert_true(exists(f->s, "411681"));
	assert_true(exists(f->s, "411681100202"));
	assert_false(exists(f->s, "411681100203"));
	assert_false(exists(f->s, "4118"));
}

static void test_children(void **state)
{
	struct sqlite_testdb *f = *state;
	seed(f->s);
	struct collect c = { .out = STRBUF_INIT, .with_counts = true };
	struct app_error e;
	assert_int_equal(store_region_children(f->s, "411681", collect_fn, &c, &e), APP_OK);
	assert_string_equal(c.out.buf, "411681001:2 411681100:2");
	strbuf_reset(&c.out);
	assert_int_equal(store_region_children(f->s, "4116", collect_fn, &c, &e), APP_OK);
	assert_string_equal(c.out.buf, "411602:1 411681:2");
	strbuf_reset(&c.out);
	assert_int_equal(store_region_children(f->s, "41", collect_fn, &c, &e), APP_OK);
	assert_string_equal(c.out.buf, "4116:2 4117:0");
	strbuf_reset(&c.out);
	assert_int_equal(store_region_children(f->s, "411681100202", collect_fn, &c, &e), APP_OK);
	assert_string_equal(c.out.buf, "");
	/* stopping early */
	c.stop_after = 1;
	c.calls = 0;
	c.with_counts = false;
	assert_int_equal(store_region_children(f->s, "411681", collect_fn, &c, &e), APP_OK);
	assert_string_equal(c.out.buf, "411681001");
	strbuf_release(&c.out);
}

static void expect_subtree(struct store *s, const char *code, int depth, const char *want)
{
	struct collect c = { .out = STRBUF_INIT };
	struct app_error e;
	if (store_region_subtree(s, code, depth, collect_fn, &c, &e) != APP_OK)
		fail_msg("subtree %s: %s", code, e.msg);
	assert_string_equal(c.out.buf, want);
	strbuf_release(&c.out);
}

static void test_subtree(void **state)
{
	struct sqlite_testdb *f = *state;
	seed(f->s);
	/* pre-order: each region right before its descendants, siblings in code order */
	expect_subtree(f->s, "411681", 2,
		       "411681 411681001 411681001001 411681001002 411681100 411681100201 "
		       "411681100202");
	expect_subtree(f->s, "411681", 9,
		       "411681 411681001 411681001001 411681001002 411681100 411681100201 "
		       "411681100202");
	expect_subtree(f->s, "411681", 1, "411681 411681001 411681100");
	expect_subtree(f->s, "411681", 0, "411681");
	/* a sibling subtree (4117) is not included */
	expect_subtree(f->s, "4116", 1, "4116 411602 411681");
	expect_subtree(f->s, "41", 4,
		       "41 4116 411602 411602100 411681 411681001 411681001001 411681001002 "
		       "411681100 411681100201 411681100202 4117");
	expect_subtree(f->s, "411681100202", 3, "411681100202");
	expect_subtree(f->s, "42", 4, "");

	struct collect c = { .out = STRBUF_INIT };
	struct app_error e;
	assert_int_equal(store_region_subtree(f->s, "41x", 1, collect_fn, &c, &e), APP_EINVAL);
	assert_int_equal(c.calls, 0);
	strbuf_release(&c.out);
}

static void expect_search(struct store *s, const char *text, const char *within, int level,
			  int limit, const char *want)
{
	struct collect c = { .out = STRBUF_INIT };
	struct region_query q = { .text = text, .within = within, .level = level, .limit = limit };
	struct app_error e;
	if (store_region_search(s, &q, collect_fn, &c, &e) != APP_OK)
		fail_msg("search '%s': %s", text, e.msg);
	assert_string_equal(c.out.buf, want);
	strbuf_release(&c.out);
}

static void test_search(void **state)
{
	struct sqlite_testdb *f = *state;
	seed(f->s);
	/* names starting with 城 (城东社区, 城关镇) come before names containing it,
	 * each group in code order */
	expect_search(f->s, "城", NULL, -1, 20,
		      "411681001001 411681100 411602100 411681 411681100201");
	expect_search(f->s, "城", "", -1, 20,
		      "411681001001 411681100 411602100 411681 411681100201");
	expect_search(f->s, "城", "411681", -1, 20, "411681001001 411681100 411681 411681100201");
	expect_search(f->s, "城", "411681100", -1, 20, "411681100 411681100201");
	expect_search(f->s, "城", NULL, DIV_TOWN, 20, "411681100 411602100");
	expect_search(f->s, "城", "411681", DIV_VILLAGE, 20, "411681001001 411681100201");
	/* limit cuts prefix hits first, then infix hits */
	expect_search(f->s, "城", NULL, -1, 1, "411681001001");
	expect_search(f->s, "城", NULL, -1, 2, "411681001001 411681100");
	expect_search(f->s, "城", NULL, -1, 3, "411681001001 411681100 411602100");
	/* whole names and multi-character fragments */
	expect_search(f->s, "花园", NULL, -1, 20, "411681001 411681001002");
	expect_search(f->s, "项城市", NULL, -1, 20, "411681");
	expect_search(f->s, "社区", NULL, -1, 20, "411681001001 411681001002");
	expect_search(f->s, "不存在", NULL, -1, 20, "");
	/* a LIKE wildcard is just a character */
	expect_search(f->s, "%", NULL, -1, 20, "");
	expect_search(f->s, "_", NULL, -1, 20, "");

	struct collect c = { .out = STRBUF_INIT };
	struct region_query q = { .text = "", .level = -1, .limit = 10 };
	struct app_error e;
	assert_int_equal(store_region_search(f->s, &q, collect_fn, &c, &e), APP_EINVAL);
	q.text = "城";
	q.limit = 0;
	assert_int_equal(store_region_search(f->s, &q, collect_fn, &c, &e), APP_EINVAL);
	assert_int_equal(c.calls, 0);
	strbuf_release(&c.out);
}

static void test_search_stops_when_asked(void **state)
{
	struct sqlite_testdb *f = *state;
	seed(f->s);
	/* a callback that says stop is not called again, by either pass */
	for (int stop = 1; stop <= 4; stop++) {
		struct collect c = { .out = STRBUF_INIT, .stop_after = stop };
		struct region_query q = { .text = "城", .level = -1, .limit = 20 };
		struct app_error e;
		assert_int_equal(store_region_search(f->s, &q, collect_fn, &c, &e), APP_OK);
		assert_int_equal(c.calls, stop);
		strbuf_release(&c.out);
	}
}

/* ---- group commit ---- */

enum { WRITERS = 16, WRITES = 50 };

struct writer_arg {
	struct store *s;
	pthread_barrier_t *start;
	int county; /* 1..99: writes under 9801cc */
	int writes;
	bool orphans; /* write towns of a county that does not exist */
	int failures; /* writes whose result was not the expected one */
	char why[600];
};

static void *writer_main(void *p)
{
	struct writer_arg *a = p;
	pthread_barrier_wait(a->start);
	for (int w = 0; w < a->writes; w++) {
		char town[32], v1[48], v2[48], name[64];
		snprintf(town, sizeof(town), "9801%02d%03d", a->county, w + 1);
		snprintf(v1, sizeof(v1), "%s201", town);
		snprintf(v2, sizeof(v2), "%s202", town);
		snprintf(name, sizeof(name), "镇%d-%d", a->county, w);
		struct region rows[3] = { reg(town, name), reg(v1, "甲村"), reg(v2, "乙村") };
		struct region_import_counts c = { 0 };
		struct app_error e;
		app_error_clear(&e);
		enum app_err rc = store_regions_import(a->s, rows, 3, NULL, &c, &e);
		bool ok = a->orphans ? rc == APP_EINVAL : rc == APP_OK && c.inserted == 3;
		if (!ok) {
			a->failures++;
			snprintf(a->why, sizeof(a->why), "write %d: rc=%d %s", w, rc, e.msg);
		}
	}
	return NULL;
}

/* Start one thread per arg at the same moment and wait for all. */
static void run_writers(struct writer_arg *args, int n)
{
	pthread_t th[64];
	pthread_barrier_t start;
	assert_true(n <= 64);
	pthread_barrier_init(&start, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		args[i].start = &start;
		assert_int_equal(pthread_create(&th[i], NULL, writer_main, &args[i]), 0);
	}
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
	for (int i = 0; i < n; i++)
		if (args[i].failures)
			fail_msg("writer %d: %d unexpected results; last: %s", i, args[i].failures,
				 args[i].why);
}

/* Province 98, city 9801 and counties 980101..9801nn. */
static void seed_counties(struct store *s, int n)
{
	struct region rows[2 + 99];
	rows[0] = reg("98", "测试省");
	rows[1] = reg("9801", "测试市");
	for (int i = 1; i <= n; i++) {
		char code[32], name[48];
		snprintf(code, sizeof(code), "9801%02d", i);
		snprintf(name, sizeof(name), "测试县%d", i);
		rows[1 + i] = reg(code, name);
	}
	import_ok(s, rows, (size_t)n + 2, NULL);
}

struct level_count {
	size_t n[DIV__MAX];
};

static bool count_fn(void *ctx, const struct region *r)
{
	struct level_count *lc = ctx;
	lc->n[r->level]++;
	return true;
}

static void test_group_commit(void **state)
{
	struct sqlite_testdb *f = *state;
	seed_counties(f->s, WRITERS);
	struct store_stats before, after;
	store_stats(f->s, &before);

	struct writer_arg args[WRITERS];
	for (int i = 0; i < WRITERS; i++)
		args[i] = (struct writer_arg){ .s = f->s, .county = i + 1, .writes = WRITES };
	run_writers(args, WRITERS);

	store_stats(f->s, &after);
	uint64_t jobs = after.write_jobs - before.write_jobs;
	uint64_t commits = after.commits - before.commits;
	assert_int_equal(jobs, WRITERS * WRITES);
	print_message("group commit: %llu writes in %llu commits, largest batch %llu\n",
		      (unsigned long long)jobs, (unsigned long long)commits,
		      (unsigned long long)after.max_batch);
	/* concurrent writes shared commits */
	if (!(commits < jobs))
		fail_msg("%llu commits for %llu writes: nothing was batched",
			 (unsigned long long)commits, (unsigned long long)jobs);
	assert_true(after.max_batch > 1);
	assert_int_equal(after.write_failures, before.write_failures);
	assert_true(after.db_bytes > 0);

	/* every acknowledged write is on disk */
	store_close(f->s);
	f->s = NULL;
	struct app_error e;
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	struct level_count lc = { { 0 } };
	assert_int_equal(store_region_subtree(f->s, "98", 4, count_fn, &lc, &e), APP_OK);
	assert_int_equal(lc.n[DIV_PROVINCE], 1);
	assert_int_equal(lc.n[DIV_CITY], 1);
	assert_int_equal(lc.n[DIV_COUNTY], WRITERS);
	assert_int_equal(lc.n[DIV_TOWN], WRITERS * WRITES);
	assert_int_equal(lc.n[DIV_VILLAGE], 2 * WRITERS * WRITES);
	struct region r;
	assert_int_equal(store_region_get(f->s, "980116050", &r, &e), APP_OK);
	assert_string_equal(r.name, "镇16-49");
	assert_int_equal(r.child_count, 2);
}

static void test_group_commit_failure_isolated(void **state)
{
	struct sqlite_testdb *f = *state;
	enum { GOOD = 8, BAD = 2, N = 25 };
	seed_counties(f->s, GOOD);
	struct store_stats before, after;
	store_stats(f->s, &before);

	struct writer_arg args[GOOD + BAD];
	for (int i = 0; i < GOOD + BAD; i++)
		args[i] = (struct writer_arg){ .s = f->s, .writes = N };
	for (int i = 0; i < GOOD; i++)
		args[i].county = i + 1;
	for (int i = 0; i < BAD; i++) {
		args[GOOD + i].county = 90 + i; /* 980190, 980191: not in the registry */
		args[GOOD + i].orphans = true;
	}
	run_writers(args, GOOD + BAD);

	store_stats(f->s, &after);
	assert_int_equal(after.write_jobs - before.write_jobs, (GOOD + BAD) * N);
	assert_int_equal(after.write_failures - before.write_failures, BAD * N);

	store_close(f->s);
	f->s = NULL;
	struct app_error e;
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	struct level_count lc = { { 0 } };
	assert_int_equal(store_region_subtree(f->s, "98", 4, count_fn, &lc, &e), APP_OK);
	assert_int_equal(lc.n[DIV_COUNTY], GOOD);
	assert_int_equal(lc.n[DIV_TOWN], GOOD * N);
	assert_int_equal(lc.n[DIV_VILLAGE], 2 * GOOD * N);
	assert_false(exists(f->s, "980190001"));
	assert_false(exists(f->s, "980191025202"));
}

/* ---- the readers' pool ---- */

/* Threads reading at once, each held inside its read's first callback
 * until go; then each makes a nested read while still holding its own. */
struct pool_test {
	struct store *s;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int inside; /* reads whose first callback has begun */
	bool go;
};

struct pool_reader {
	struct pool_test *t;
	bool first_seen;
	enum app_err rc, nested_rc;
	bool nested_found;
};

static bool pool_hold_fn(void *ctx, const struct region *r)
{
	(void)r;
	struct pool_reader *pr = ctx;
	struct pool_test *t = pr->t;
	if (pr->first_seen)
		return true;
	pr->first_seen = true;
	pthread_mutex_lock(&t->mu);
	t->inside++;
	pthread_cond_broadcast(&t->cv);
	while (!t->go)
		pthread_cond_wait(&t->cv, &t->mu);
	pthread_mutex_unlock(&t->mu);
	struct app_error e;
	pr->nested_rc = store_region_exists(t->s, "9801", &pr->nested_found, &e);
	return true;
}

static void *pool_reader_main(void *p)
{
	struct pool_reader *pr = p;
	struct app_error e;
	pr->rc = store_region_subtree(pr->t->s, "98", 4, pool_hold_fn, pr, &e);
	return NULL;
}

/* Wait (at most 10 s) until t->inside reaches n; false on timeout. */
static bool pool_wait_inside(struct pool_test *t, int n)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&t->mu);
	int r = 0;
	while (t->inside < n && r == 0)
		r = pthread_cond_timedwait(&t->cv, &t->mu, &until);
	bool ok = t->inside >= n;
	pthread_mutex_unlock(&t->mu);
	return ok;
}

/*
 * More reads at once than the pool holds: the first readers_max get a
 * connection each, the others wait (counted in reader_waits, polled with a
 * deadline: they are blocked, nothing is timed) rather than open more; a
 * read made while holding one does not wait (it would never end), and
 * every read succeeds. No more than readers_max connections stay open.
 */
static void test_readers_bounded(void **state)
{
	struct sqlite_testdb *f = *state;
	enum { EXTRA = 4 };
	alarm(60); /* a read that waits for ever (a nested one) fails the run */
	seed_counties(f->s, 2);
	struct store_stats before, mid, after;
	store_stats(f->s, &before);
	int cap = (int)before.readers_max;
	assert_true(cap > 0 && cap + EXTRA <= 64);

	struct pool_test t = { .s = f->s };
	pthread_mutex_init(&t.mu, NULL);
	pthread_cond_init(&t.cv, NULL);
	struct pool_reader pr[64];
	pthread_t th[64];
	for (int i = 0; i < cap + EXTRA; i++)
		pr[i] = (struct pool_reader){ .t = &t };
	for (int i = 0; i < cap; i++)
		assert_int_equal(pthread_create(&th[i], NULL, pool_reader_main, &pr[i]), 0);
	assert_true(pool_wait_inside(&t, cap));
	store_stats(f->s, &mid); /* answers, though every reader is busy */
	assert_int_equal(mid.readers, cap);

	for (int i = cap; i < cap + EXTRA; i++)
		assert_int_equal(pthread_create(&th[i], NULL, pool_reader_main, &pr[i]), 0);
	struct timespec deadline, pause = { .tv_nsec = 1000000 };
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += 10;
	for (;;) {
		store_stats(f->s, &mid);
		if (mid.reader_waits - before.reader_waits >= EXTRA)
			break;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > deadline.tv_sec)
			fail_msg("%llu of %d reads beyond the pool waited",
				 (unsigned long long)(mid.reader_waits - before.reader_waits), EXTRA);
		nanosleep(&pause, NULL);
	}
	assert_int_equal(mid.readers, cap);
	pthread_mutex_lock(&t.mu);
	assert_int_equal(t.inside, cap); /* none of the waiting ones got in */
	t.go = true;
	pthread_cond_broadcast(&t.cv);
	pthread_mutex_unlock(&t.mu);

	for (int i = 0; i < cap + EXTRA; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(pr[i].rc, APP_OK);
		assert_true(pr[i].first_seen);
		assert_int_equal(pr[i].nested_rc, APP_OK);
		assert_true(pr[i].nested_found);
	}
	store_stats(f->s, &after);
	assert_int_equal(after.reader_waits - before.reader_waits, EXTRA);
	assert_true(after.readers <= (uint64_t)cap);
	pthread_cond_destroy(&t.cv);
	pthread_mutex_destroy(&t.mu);
	alarm(0);
}

/* ---- live events ---- */

/* The events a read handed over, in order. */
struct got_events {
	int n, stop_after; /* stop_after 0: never stop */
	struct event_record e[8];
};

static bool got_event(void *ctx, const struct event_record *r)
{
	struct got_events *g = ctx;
	if (g->n < 8)
		g->e[g->n] = *r;
	g->n++;
	return !(g->stop_after && g->n >= g->stop_after);
}

static struct got_events *events_after(struct store *s, const char *topic, int64_t after,
				       int limit)
{
	static struct got_events g;
	memset(&g, 0, sizeof(g));
	struct app_error e;
	if (store_events_after(s, topic, after, limit, got_event, &g, &e) != APP_OK)
		fail_msg("events after %lld: %s", (long long)after, e.msg);
	return &g;
}

static int64_t publish(struct store *s, const char *topic, const char *kind, const char *county,
		       const char *data)
{
	struct event_note ev = { topic, kind, county, data, NULL };
	int64_t id = -1;
	struct app_error e;
	if (store_event_publish(s, &ev, &id, &e) != APP_OK)
		fail_msg("publish %s: %s", topic, e.msg);
	assert_true(id > 0);
	return id;
}

static int64_t head(struct store *s)
{
	int64_t id = -1;
	struct app_error e;
	if (store_events_head(s, &id, &e) != APP_OK)
		fail_msg("head: %s", e.msg);
	return id;
}

static void test_events_publish_and_read(void **state)
{
	struct sqlite_testdb *f = *state;
	assert_int_equal(head(f->s), 0);
	assert_int_equal(events_after(f->s, "user:1", 0, 10)->n, 0);

	int64_t before = clock_now();
	int64_t a = publish(f->s, "user:1", "roles.changed", "411681",
			    "{\"role\":\"resident\",\"region\":\"411681001001\",\"granted\":true}");
	int64_t b = publish(f->s, "user:2", "password.changed", "",
			    "{\"other_sessions\":\"closed\"}");
	int64_t c = publish(f->s, "user:1", "password.changed", "411681", "{}");
	assert_true(a < b && b < c);
	assert_int_equal(head(f->s), c);

	/* a topic's events in id order, with everything they carry */
	struct got_events *g = events_after(f->s, "user:1", 0, 10);
	assert_int_equal(g->n, 2);
	assert_int_equal(g->e[0].id, a);
	assert_string_equal(g->e[0].topic, "user:1");
	assert_string_equal(g->e[0].kind, "roles.changed");
	assert_string_equal(g->e[0].county, "411681");
	assert_string_equal(g->e[0].data,
			    "{\"role\":\"resident\",\"region\":\"411681001001\",\"granted\":true}");
	assert_true(g->e[0].at >= before && g->e[0].at <= clock_now());
	assert_int_equal(g->e[1].id, c);
	assert_string_equal(g->e[1].kind, "password.changed");

	/* resuming after an id, and the limit */
	g = events_after(f->s, "user:1", a, 10);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->e[0].id, c);
	g = events_after(f->s, "user:1", b, 10); /* an id of another topic works too */
	assert_int_equal(g->n, 1);
	assert_int_equal(g->e[0].id, c);
	assert_int_equal(events_after(f->s, "user:1", c, 10)->n, 0);
	g = events_after(f->s, "user:1", 0, 1);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->e[0].id, a);
	g = events_after(f->s, "user:2", 0, 10);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->e[0].id, b);
	assert_string_equal(g->e[0].county, "");
	/* topics are matched whole */
	assert_int_equal(events_after(f->s, "user:", 0, 10)->n, 0);
	assert_int_equal(events_after(f->s, "user:12", 0, 10)->n, 0);
	assert_int_equal(events_after(f->s, "user:3", 0, 10)->n, 0);

	/* a reader that says stop is not called again */
	struct got_events stop = { .stop_after = 1 };
	struct app_error e;
	assert_int_equal(store_events_after(f->s, "user:1", 0, 10, got_event, &stop, &e), APP_OK);
	assert_int_equal(stop.n, 1);

	/* ids are never reused, and survive a restart */
	store_close(f->s);
	f->s = NULL;
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	assert_int_equal(head(f->s), c);
	assert_true(publish(f->s, "user:1", "k", "", "{}") > c);
}

static void test_events_largest(void **state)
{
	struct sqlite_testdb *f = *state;
	/* fields just under their limits are kept whole */
	char topic[EVENT_TOPIC_MAX], kind[EVENT_KIND_MAX];
	memset(topic, 't', sizeof(topic) - 1);
	topic[sizeof(topic) - 1] = '\0';
	memset(kind, 'k', sizeof(kind) - 1);
	kind[sizeof(kind) - 1] = '\0';
	char *data = malloc(EVENT_DATA_MAX);
	assert_non_null(data);
	memset(data, ' ', EVENT_DATA_MAX - 1);
	data[0] = '{';
	data[EVENT_DATA_MAX - 2] = '}';
	data[EVENT_DATA_MAX - 1] = '\0';
	int64_t id = publish(f->s, topic, kind, "411681", data);
	struct got_events *g = events_after(f->s, topic, 0, 10);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->e[0].id, id);
	assert_string_equal(g->e[0].topic, topic);
	assert_string_equal(g->e[0].kind, kind);
	assert_int_equal(strlen(g->e[0].data), EVENT_DATA_MAX - 1);
	assert_string_equal(g->e[0].data, data);
	free(data);
}

static void expect_refused(struct store *s, const char *topic, const char *kind,
			   const char *county, const char *data)
{
	struct event_note ev = { topic, kind, county, data, NULL };
	int64_t id = -7;
	struct app_error e;
	app_error_clear(&e);
	if (store_event_publish(s, &ev, &id, &e) != APP_EINVAL)
		fail_msg("event topic=%.20s kind=%.20s county=%s was taken", topic ? topic : "(null)",
			 kind ? kind : "(null)", county ? county : "(null)");
	assert_int_equal(e.code, APP_EINVAL);
	assert_true(e.msg[0] != '\0');
	assert_int_equal(id, -7); /* OUT parameter untouched */
}

static void test_events_refused(void **state)
{
	struct sqlite_testdb *f = *state;
	char topic[EVENT_TOPIC_MAX + 1], kind[EVENT_KIND_MAX + 1];
	memset(topic, 't', EVENT_TOPIC_MAX);
	topic[EVENT_TOPIC_MAX] = '\0';
	memset(kind, 'k', EVENT_KIND_MAX);
	kind[EVENT_KIND_MAX] = '\0';
	char *data = malloc(EVENT_DATA_MAX + 1);
	assert_non_null(data);
	memset(data, ' ', EVENT_DATA_MAX);
	data[EVENT_DATA_MAX] = '\0';

	expect_refused(f->s, "", "k", "", "{}");
	expect_refused(f->s, NULL, "k", "", "{}");
	expect_refused(f->s, "user:1", "", "", "{}");
	expect_refused(f->s, "user:1", NULL, "", "{}");
	expect_refused(f->s, "user:1", "k", "", "");
	expect_refused(f->s, "user:1", "k", "", NULL);
	expect_refused(f->s, "user:1", "k", NULL, "{}");
	expect_refused(f->s, "user:1", "k", "4116810", "{}"); /* a county has 6 digits */
	expect_refused(f->s, topic, "k", "", "{}");           /* EVENT_TOPIC_MAX bytes */
	expect_refused(f->s, "user:1", kind, "", "{}");       /* EVENT_KIND_MAX bytes */
	expect_refused(f->s, "user:1", "k", "", data);        /* EVENT_DATA_MAX bytes */
	free(data);
	/* nothing was written */
	assert_int_equal(head(f->s), 0);
	/* and *id may be NULL */
	struct event_note ev = { "user:1", "k", "", "{}", NULL };
	struct app_error e;
	assert_int_equal(store_event_publish(f->s, &ev, NULL, &e), APP_OK);
	assert_int_equal(head(f->s), 1);
}

/* A watcher that records the topics it hears, for a test to wait on. */
struct watcher {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int calls;
	char topics[16][EVENT_TOPIC_MAX];
};

static void watcher_init(struct watcher *w)
{
	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
}

static void watcher_destroy(struct watcher *w)
{
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
}

static void heard(void *ctx, const char *topic)
{
	struct watcher *w = ctx;
	pthread_mutex_lock(&w->mu);
	if (w->calls < 16)
		snprintf(w->topics[w->calls], EVENT_TOPIC_MAX, "%s", topic ? topic : "(null)");
	w->calls++;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* Wait (at most 10 s) until w has heard topic; true when it has. */
static bool heard_of(struct watcher *w, const char *topic)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&w->mu);
	bool found = false;
	for (;;) {
		for (int i = 0; i < w->calls && i < 16 && !found; i++)
			found = strcmp(w->topics[i], topic) == 0;
		if (found || pthread_cond_timedwait(&w->cv, &w->mu, &until) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&w->mu);
	return found;
}

static int times_heard(struct watcher *w, const char *topic)
{
	pthread_mutex_lock(&w->mu);
	int n = 0;
	for (int i = 0; i < w->calls && i < 16; i++)
		n += strcmp(w->topics[i], topic) == 0;
	pthread_mutex_unlock(&w->mu);
	return n;
}

static void test_events_watch(void **state)
{
	struct sqlite_testdb *f = *state;
	struct watcher w1, w2;
	watcher_init(&w1);
	watcher_init(&w2);
	struct app_error e;
	assert_int_equal(store_events_watch(f->s, heard, &w1, &e), APP_OK);

	int64_t id = publish(f->s, "user:7", "k", "", "{}");
	assert_true(heard_of(&w1, "user:7"));
	/* once told, the event can be read */
	assert_int_equal(events_after(f->s, "user:7", id - 1, 10)->n, 1);
	publish(f->s, "user:8", "k", "", "{}");
	assert_true(heard_of(&w1, "user:8"));
	assert_int_equal(times_heard(&w1, "user:7"), 1);
	/* a refused event is not told */
	struct event_note bad = { "user:9", "", "", "{}", NULL };
	assert_int_equal(store_event_publish(f->s, &bad, NULL, &e), APP_EINVAL);

	/* after unwatch w1 hears nothing more. The writer tells watchers in
	 * commit order, so once w2 has heard of a later event, w1 would have
	 * heard of user:10 by then if it ever were to. */
	store_events_unwatch(f->s);
	publish(f->s, "user:10", "k", "", "{}");
	assert_int_equal(store_events_watch(f->s, heard, &w2, &e), APP_OK);
	publish(f->s, "user:11", "k", "", "{}");
	assert_true(heard_of(&w2, "user:11"));
	assert_int_equal(times_heard(&w1, "user:10"), 0);
	assert_int_equal(times_heard(&w1, "user:11"), 0);
	assert_int_equal(times_heard(&w1, "user:9"), 0);
	pthread_mutex_lock(&w1.mu);
	assert_int_equal(w1.calls, 2);
	pthread_mutex_unlock(&w1.mu);
	store_events_unwatch(f->s);
	store_events_unwatch(f->s); /* twice is harmless */
	watcher_destroy(&w1);
	watcher_destroy(&w2);
}

/* ---- scheduled jobs ---- */

static int64_t claim(struct store *s, const char *name, int64_t slot, const char *node,
		     int64_t now)
{
	int64_t id = -1;
	struct app_error e;
	if (store_job_claim(s, name, slot, node, now, &id, &e) != APP_OK)
		fail_msg("claim %s slot %lld: %s", name, (long long)slot, e.msg);
	assert_true(id >= 0);
	return id;
}

struct got_runs {
	int n;
	struct job_run r[8];
};

static bool got_run(void *ctx, const struct job_run *r)
{
	struct got_runs *g = ctx;
	if (g->n < 8)
		g->r[g->n] = *r;
	g->n++;
	return true;
}

static struct got_runs runs(struct store *s, const char *name, int limit)
{
	struct got_runs g = { .n = 0 };
	struct app_error e;
	if (store_job_runs(s, name, limit, got_run, &g, &e) != APP_OK)
		fail_msg("runs: %s", e.msg);
	return g;
}

static void test_job_claims(void **state)
{
	struct sqlite_testdb *f = *state;
	struct app_error e;
	int64_t r10 = claim(f->s, "purge", 10, "node-a", 36000);
	assert_true(r10 > 0);
	assert_int_equal(claim(f->s, "purge", 10, "node-b", 36001), 0); /* taken */
	assert_int_equal(claim(f->s, "purge", 10, "node-a", 36002), 0); /* by anyone */
	assert_int_equal(claim(f->s, "purge", 9, "node-b", 36003), 0);  /* the past */
	int64_t m10 = claim(f->s, "maintain", 10, "node-b", 36004);     /* jobs apart */
	assert_true(m10 > r10);
	int64_t r12 = claim(f->s, "purge", 12, "node-b", 43200);        /* a later slot */
	assert_true(r12 > m10);
	assert_int_equal(claim(f->s, "purge", 11, "node-a", 39600), 0); /* skipped stays so */

	/* newest first; running until finished */
	struct got_runs g = runs(f->s, "purge", 10);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.r[0].id, r12);
	assert_int_equal(g.r[0].slot, 12);
	assert_string_equal(g.r[0].node, "node-b");
	assert_string_equal(g.r[0].name, "purge");
	assert_int_equal(g.r[0].started_at, 43200);
	assert_int_equal(g.r[0].finished_at, 0);
	assert_string_equal(g.r[0].outcome, "running");
	assert_string_equal(g.r[0].detail, "");
	assert_int_equal(g.r[1].id, r10);
	assert_string_equal(g.r[1].node, "node-a");
	assert_int_equal(g.r[1].started_at, 36000);

	assert_int_equal(store_job_finish(f->s, r10, 36060, true, "removed 3 sessions", &e), APP_OK);
	assert_int_equal(store_job_finish(f->s, m10, 36070, false, "disk full", &e), APP_OK);
	assert_int_equal(store_job_finish(f->s, r12, 43210, true, NULL, &e), APP_OK);
	g = runs(f->s, "purge", 10);
	assert_int_equal(g.r[1].finished_at, 36060);
	assert_string_equal(g.r[1].outcome, "ok");
	assert_string_equal(g.r[1].detail, "removed 3 sessions");
	assert_string_equal(g.r[0].outcome, "ok");
	assert_string_equal(g.r[0].detail, "");
	g = runs(f->s, "maintain", 10);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.r[0].outcome, "failed");
	assert_string_equal(g.r[0].detail, "disk full");
	assert_int_equal(g.r[0].finished_at, 36070);

	/* every job, and the limit */
	g = runs(f->s, "", 10);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.r[0].id, r12);
	assert_int_equal(g.r[1].id, m10);
	assert_int_equal(runs(f->s, NULL, 10).n, 3);
	g = runs(f->s, NULL, 1);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.r[0].id, r12);
	assert_int_equal(runs(f->s, "nope", 10).n, 0);

	/* a long detail is cut at a character boundary */
	char detail[601] = "";
	for (int i = 0; i < 200; i++)
		strcat(detail, "删");
	int64_t r13 = claim(f->s, "purge", 13, "node-a", 46800);
	assert_int_equal(store_job_finish(f->s, r13, 46801, true, detail, &e), APP_OK);
	g = runs(f->s, "purge", 1);
	size_t n = strlen(g.r[0].detail);
	assert_true(n > 0 && n < sizeof(g.r[0].detail));
	assert_int_equal(n % 3, 0);
	assert_memory_equal(g.r[0].detail, detail, n);

	/* names that do not fit are refused */
	char name[JOB_NAME_MAX + 1];
	memset(name, 'j', JOB_NAME_MAX);
	name[JOB_NAME_MAX] = '\0';
	int64_t id = -1;
	assert_int_equal(store_job_claim(f->s, name, 1, "node-a", 1, &id, &e), APP_EINVAL);
	assert_int_equal(store_job_claim(f->s, "", 1, "node-a", 1, &id, &e), APP_EINVAL);
	assert_int_equal(store_job_claim(f->s, "purge", 99, "", 1, &id, &e), APP_EINVAL);
	assert_int_equal(runs(f->s, NULL, 10).n, 4);
}

static void test_locks(void **state)
{
	struct sqlite_testdb *f = *state;
	struct app_error e;
	struct store_lock *a = NULL, *b = (struct store_lock *)0x1, *c = NULL;
	assert_int_equal(store_lock_try(f->s, "purge", &a, &e), APP_OK);
	assert_non_null(a);
	assert_int_equal(store_lock_try(f->s, "purge", &b, &e), APP_OK);
	assert_null(b); /* held */
	assert_int_equal(store_lock_try(f->s, "maintain", &c, &e), APP_OK);
	assert_non_null(c); /* another name is another lock */
	store_lock_release(f->s, a);
	assert_int_equal(store_lock_try(f->s, "purge", &b, &e), APP_OK);
	assert_non_null(b); /* free again */
	store_lock_release(f->s, b);
	store_lock_release(f->s, c);
	store_lock_release(f->s, NULL); /* a no-op */
}

static void test_maintain(void **state)
{
	struct sqlite_testdb *f = *state;
	publish(f->s, "user:1", "k", "", "{}");
	char detail[256] = "x";
	struct app_error e;
	assert_int_equal(store_maintain(f->s, clock_now(), detail, sizeof(detail), &e), APP_OK);
	assert_contains(detail, "checkpointed");
	assert_contains(detail, "WAL pages");
	/* the store works on as before */
	publish(f->s, "user:1", "k", "", "{}");
	assert_int_equal(events_after(f->s, "user:1", 0, 10)->n, 2);
}

int main(void)
{
	log_set_level(LOG_WARN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_missing, sqlite_testdb_dir,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_migration_missing_below_refused, sqlite_testdb_dir,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_migrate, sqlite_testdb_dir,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_import_counts, setup_store,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_import_orphan_changes_nothing, setup_store,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_get_and_exists, setup_store,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_children, setup_store, sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_subtree, setup_store, sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_search, setup_store, sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_search_stops_when_asked, setup_store,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_group_commit, setup_store,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_group_commit_failure_isolated, setup_store,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_readers_bounded, setup_store,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_events_publish_and_read, setup_store,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_events_largest, setup_store,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_events_refused, setup_store,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_events_watch, setup_store,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_job_claims, setup_store,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_locks, setup_store, sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_maintain, setup_store, sqlite_testdb_teardown),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
