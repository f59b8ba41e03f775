/*
 * test_messages_store.c - the message store tests of
 * messages_store_cases.h on SQLite, each on a fresh file in a temporary
 * directory holding the demo county. test_messages_store_pg.c runs the same
 * bodies on PostgreSQL and compares the search results of both backends.
 * The tests after the shared ones are about the SQLite search index, which
 * lives in a file of its own ("<db>.search") filled by a thread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <unistd.h>

#include "core/log.h"
#include "store/store.h"
#include "testutil.h"

#include "messages_store_cases.h"
#include "sqlite_testdb.h"

static int setup(void **state)
{
	return sqlite_testdb_setup(state, gs_load_demo);
}

#define X(name) SQLITE_TESTDB_CASE(name, ms_case_##name)
MESSAGES_STORE_CASES(X)
#undef X

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	assert_non_null(in);
	assert_non_null(out);
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static void remove_index(const struct sqlite_testdb *f)
{
	char path[400];
	const char *suffix[] = { "", "-wal", "-shm" };
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s.search%s", f->db, suffix[i]);
		unlink(path);
	}
}

/* What is posted is found by the next search, however fresh. */
static void test_index_read_your_writes(void **state)
{
	struct sqlite_testdb *f = *state;
	gs_sync(f->s, GS_COUNTY, 521, 0);
	int64_t v = gs_standing(f->s, GS_VILLAGE, "village").id;
	int64_t u = gs_user(f->s, "张三", "13900000001", "");
	struct message_scope sc = ms_regions(GS_COUNTY, NULL);
	int64_t p[2] = { 0 };
	for (int i = 100; i < 150; i++) {
		char body[64], q[16];
		snprintf(body, sizeof(body), "第%d号路灯坏了", i);
		snprintf(q, sizeof(q), "%d", i);
		p[1] = ms_post(f->s, v, u, body);
		assert_string_equal(ms_search(f->s, q, &sc, 0, p, 2), "1");
	}
}

/* A lost index file is rebuilt from the messages. */
static void test_index_rebuilt_when_lost(void **state)
{
	struct sqlite_testdb *f = *state;
	gs_sync(f->s, GS_COUNTY, 521, 0);
	int64_t v = gs_standing(f->s, GS_VILLAGE, "village").id;
	int64_t u = gs_user(f->s, "张三", "13900000001", "");
	int64_t p[3] = { 0 };
	p[1] = ms_post(f->s, v, u, "井盖丢了");
	p[2] = ms_post(f->s, v, u, "井盖又丢了");
	store_close(f->s);
	remove_index(f);
	struct app_error e;
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	struct message_scope sc = ms_regions(GS_COUNTY, NULL);
	assert_string_equal(ms_search(f->s, "井盖", &sc, 0, p, 3), "2,1");
}

/* A damaged index file is made again rather than keeping the store shut. */
static void test_index_rebuilt_when_damaged(void **state)
{
	struct sqlite_testdb *f = *state;
	gs_sync(f->s, GS_COUNTY, 521, 0);
	int64_t v = gs_standing(f->s, GS_VILLAGE, "village").id;
	int64_t u = gs_user(f->s, "张三", "13900000001", "");
	int64_t p[2] = { 0 };
	p[1] = ms_post(f->s, v, u, "桥栏杆断了");
	store_close(f->s);
	remove_index(f);
	char path[400];
	snprintf(path, sizeof(path), "%s.search", f->db);
	const char junk[] = "this is not a database, and it is long enough to be read as a header "
			    "of one: SQLite must refuse it";
	tu_write_file(path, junk, sizeof(junk));
	struct app_error e;
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	struct message_scope sc = ms_regions(GS_COUNTY, NULL);
	assert_string_equal(ms_search(f->s, "栏杆", &sc, 0, p, 2), "1");
}

/* An index ahead of its database (the database restored from an older
 * backup) would point message ids at other texts: it is rebuilt. */
static void test_index_rebuilt_when_ahead(void **state)
{
	struct sqlite_testdb *f = *state;
	gs_sync(f->s, GS_COUNTY, 521, 0);
	int64_t v = gs_standing(f->s, GS_VILLAGE, "village").id;
	int64_t u = gs_user(f->s, "张三", "13900000001", "");
	int64_t p[4] = { 0 };
	p[1] = ms_post(f->s, v, u, "垃圾没人清");
	struct message_scope sc = ms_regions(GS_COUNTY, NULL);
	/* keep the database as it is now: the "backup" */
	char backup[400], path[400];
	snprintf(backup, sizeof(backup), "%s.bak", f->db);
	store_close(f->s);
	copy_file(f->db, backup);
	struct app_error e;
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	p[2] = ms_post(f->s, v, u, "垃圾桶满了"); /* indexed, then lost with the restore */
	assert_string_equal(ms_search(f->s, "桶满", &sc, 0, p, 4), "2");
	/* restore: the backup in place of the database, the index left as it is */
	store_close(f->s);
	copy_file(backup, f->db);
	snprintf(path, sizeof(path), "%s-wal", f->db);
	unlink(path);
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	int64_t lost = p[2];
	p[2] = 0;
	p[3] = ms_post(f->s, v, u, "路面塌了");
	assert_int_equal(p[3], lost); /* the id the lost message had */
	assert_string_equal(ms_search(f->s, "桶满", &sc, 0, p, 4), "");
	assert_string_equal(ms_search(f->s, "路面", &sc, 0, p, 4), "3");
	assert_string_equal(ms_search(f->s, "垃圾", &sc, 0, p, 4), "1");
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, sqlite_testdb_teardown),
	const struct CMUnitTest tests[] = {
		MESSAGES_STORE_CASES(X)
		cmocka_unit_test_setup_teardown(test_index_read_your_writes, setup,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_index_rebuilt_when_lost, setup,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_index_rebuilt_when_damaged, setup,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_index_rebuilt_when_ahead, setup,
						sqlite_testdb_teardown),
	};
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
