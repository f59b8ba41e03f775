/*
 * test_messages_store.c - the message store tests of
 * messages_store_cases.h on SQLite, each on a fresh file in a temporary
 * directory holding the demo county. test_messages_store_pg.c runs the same
 * bodies on PostgreSQL and compares the search results of both backends.
 * The tests after the shared ones are about the SQLite search index, which
 * lives in a file of its own ("<db>.search") filled by a thread, and about
 * migrations 0024, 0026, 0028 and 0029 on a database of the version before
 * each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "store/store.h"
#include "testutil.h"

#include "messages_store_cases.h"
#include "sqlite_schema.h"
#include "sqlite_testdb.h"
#include "store/sqlite_int.h"

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

/* Reads held inside their first callback until go, and the messages a
 * held search found. */
struct held_reads {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int inside;
	bool go;
};

struct held_read {
	struct held_reads *h;
	struct store *s;
	const struct message_scope *sc;
	bool seen;    /* its callback called (the reading thread's) */
	bool entered; /* likewise, under h->mu */
	int found;
	enum app_err rc;
};

static void held_read_enter(struct held_read *r)
{
	struct held_reads *h = r->h;
	if (r->seen)
		return;
	r->seen = true;
	pthread_mutex_lock(&h->mu);
	r->entered = true;
	h->inside++;
	pthread_cond_broadcast(&h->cv);
	while (!h->go)
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
}

static bool held_region_fn(void *ctx, const struct region *reg)
{
	(void)reg;
	held_read_enter(ctx);
	return true;
}

static bool held_message_fn(void *ctx, const struct message *m)
{
	(void)m;
	struct held_read *r = ctx;
	held_read_enter(r);
	r->found++;
	return true;
}

static void *held_region_main(void *p)
{
	struct held_read *r = p;
	struct app_error e;
	r->rc = store_region_subtree(r->s, GS_COUNTY, 1, held_region_fn, r, &e);
	return NULL;
}

static void *held_search_main(void *p)
{
	struct held_read *r = p;
	struct app_error e;
	r->rc = store_messages_search(r->s, "路灯", r->sc, 0, 50, held_message_fn, r, &e);
	return NULL;
}

/* Poll (at most 10 s) until n reads are inside their callbacks, or until
 * n searches wait for the index (index set); false on timeout. */
static bool held_poll(struct held_reads *h, struct sq *index, int n)
{
	struct timespec deadline, pause = { .tv_nsec = 1000000 };
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += 10;
	for (;;) {
		int now_n;
		if (index) {
			now_n = sq_index_waiting(index);
		} else {
			pthread_mutex_lock(&h->mu);
			now_n = h->inside;
			pthread_mutex_unlock(&h->mu);
		}
		if (now_n >= n)
			return true;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > deadline.tv_sec)
			return false;
		nanosleep(&pause, NULL);
	}
}

/*
 * A search waits for a lagging index holding no read connection: the
 * indexer held behind a fresh message (sq_index_hold), every reader but
 * one busy, a search waits for the index; another read then gets the last
 * reader while the search still waits. (A search waiting inside its read
 * would hold the last one, then keep it in its blocked callback: that read
 * would never begin.) Let go, the search finds both messages. Only a
 * stall longer than the search's 2 s wait could fail it.
 */
static void test_search_waits_holding_no_reader(void **state)
{
	struct sqlite_testdb *f = *state;
	alarm(60);
	gs_sync(f->s, GS_COUNTY, 521, 0);
	int64_t v = gs_standing(f->s, GS_VILLAGE, "village").id;
	int64_t u = gs_user(f->s, "张三", "13900000001", "");
	struct message_scope sc = ms_regions(GS_COUNTY, NULL);
	int64_t p[3] = { 0 };
	p[1] = ms_post(f->s, v, u, "路灯坏了");
	assert_string_equal(ms_search(f->s, "路灯", &sc, 0, p, 2), "1");
	struct sq *q = sq_impl(f->s);
	sq_index_hold(q, true);
	p[2] = ms_post(f->s, v, u, "路灯又坏了");

	struct store_stats st;
	store_stats(f->s, &st);
	int cap = (int)st.readers_max;
	assert_true(cap > 1 && cap <= 64);
	struct held_reads h = { .go = false };
	pthread_mutex_init(&h.mu, NULL);
	pthread_cond_init(&h.cv, NULL);
	struct held_read r[65];
	pthread_t th[65];
	for (int i = 0; i <= cap; i++)
		r[i] = (struct held_read){ .h = &h, .s = f->s, .sc = &sc };
	for (int i = 0; i < cap - 1; i++)
		assert_int_equal(pthread_create(&th[i], NULL, held_region_main, &r[i]), 0);
	assert_true(held_poll(&h, NULL, cap - 1));
	struct held_read *search = &r[cap - 1], *last = &r[cap];
	assert_int_equal(pthread_create(&th[cap - 1], NULL, held_search_main, search), 0);
	assert_true(held_poll(&h, q, 1));
	assert_int_equal(pthread_create(&th[cap], NULL, held_region_main, last), 0);
	assert_true(held_poll(&h, NULL, cap)); /* the last read, or the search */
	pthread_mutex_lock(&h.mu);
	bool last_in = last->entered, search_in = search->entered;
	pthread_mutex_unlock(&h.mu);
	if (!last_in || search_in)
		fail_msg("the search held a reader while it waited for the index");
	assert_int_equal(sq_index_waiting(q), 1);

	sq_index_hold(q, false);
	pthread_mutex_lock(&h.mu);
	h.go = true;
	pthread_cond_broadcast(&h.cv);
	pthread_mutex_unlock(&h.mu);
	for (int i = 0; i <= cap; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(r[i].rc, APP_OK);
	}
	assert_int_equal(search->found, 2);
	pthread_cond_destroy(&h.cv);
	pthread_mutex_destroy(&h.mu);
	alarm(0);
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

/* `search rebuild` repairs an index that says it covers every message
 * but misses some (opening the store does not), leaving one segment and
 * automatic merging on; refused while another store has the file open. */
static void test_search_rebuild_repairs(void **state)
{
	struct sqlite_testdb *f = *state;
	gs_sync(f->s, GS_COUNTY, 521, 0);
	int64_t v = gs_standing(f->s, GS_VILLAGE, "village").id;
	int64_t u = gs_user(f->s, "张三", "13900000001", "");
	int64_t p[3] = { 0 };
	p[1] = ms_post(f->s, v, u, "井盖丢了");
	struct message_scope sc = ms_regions(GS_COUNTY, NULL);
	assert_string_equal(ms_search(f->s, "井盖", &sc, 0, p, 3), "1");
	char index[400], early[400];
	snprintf(index, sizeof(index), "%s.search", f->db);
	snprintf(early, sizeof(early), "%s.early", f->db);
	store_close(f->s);
	copy_file(index, early); /* the index of the first message only */
	struct app_error e;
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	p[2] = ms_post(f->s, v, u, "井盖又丢了");
	store_close(f->s);
	remove_index(f);
	copy_file(early, index);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(index, &db), SQLITE_OK);
	char *sql = sqlite3_mprintf("UPDATE index_state SET upto = %lld", (long long)p[2]);
	sqlite_schema_exec(db, sql);
	sqlite3_free(sql);
	sqlite3_close(db);
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	assert_string_equal(ms_search(f->s, "井盖", &sc, 0, p, 3), "1"); /* damaged */

	struct store *other;
	assert_int_equal(store_open(&other, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	assert_int_equal(store_search_rebuild(f->s, &e), APP_EUNAVAIL);
	store_close(other);
	assert_string_equal(ms_search(f->s, "井盖", &sc, 0, p, 3), "1");

	assert_int_equal(store_search_rebuild(f->s, &e), APP_OK);
	assert_string_equal(ms_search(f->s, "井盖", &sc, 0, p, 3), "2,1");
	store_close(f->s);
	char *rows = sqlite_schema_rows_at(index, "SELECT count(DISTINCT segid) FROM messages_fts_idx");
	assert_string_equal(rows, "1\n");
	free(rows);
	rows = sqlite_schema_rows_at(index, "SELECT v FROM messages_fts_config WHERE k = 'automerge'");
	assert_string_equal(rows, "4\n");
	free(rows);
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
}

/* What 0024 must keep of the table messages: its columns (type, NOT NULL,
 * default, key), references and indexes (the CHECKs are tried below). */
#define MESSAGES_SHAPE                                                                          \
	"SELECT 'column', name, type, \"notnull\", dflt_value, pk "                               \
	"FROM pragma_table_info('messages') UNION ALL "                                         \
	"SELECT 'reference', \"from\", \"table\", \"to\", on_delete, seq "                         \
	"FROM pragma_foreign_key_list('messages') UNION ALL "                                   \
	"SELECT 'index', name, sql, NULL, NULL, NULL FROM sqlite_master "                       \
	"WHERE type = 'index' AND tbl_name = 'messages' ORDER BY 1, 2"

/* Migration 0024 (messages rebuilt, ingest_keys WITHOUT ROWID, no index of
 * events by time) on a database of the version before: every message,
 * key and event kept and read as before, a key recorded before it still a
 * repeat, a new message under the next id, old events still pruned; the
 * columns, references, indexes and CHECKs of messages as before, both
 * tables as a new database has them. */
static void test_migration_0024_keeps_messages(void **state)
{
	struct sqlite_testdb *f = *state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite_schema_before(db, 24);
	char *shape_before = sqlite_schema_rows_at(f->db, MESSAGES_SHAPE);
	sqlite_schema_exec(
		db,
		"INSERT INTO regions VALUES ('99', NULL, 0, '演示', 't'), "
		"('9901', '99', 1, '市', 't'), ('990101', '9901', 2, '县', 't');"
		"INSERT INTO groups (id, kind, region_code, name, join_code, created_at) "
		"VALUES (5, 'county', '990101', '县群', 'j5', 1);"
		"INSERT INTO messages (id, group_id, county, author_id, author_name, kind, body, "
		"reply_to, mentions, attachment, broadcast_id, state, state_reason, source, at) "
		"VALUES (7, 5, '990101', NULL, '微信用户', 'text', '村口路灯坏了', NULL, '', '', "
		"NULL, 'visible', '', 'bridge', 1000),"
		"(8, 5, '990101', NULL, '管理员', 'text', '已派人', 7, '', '', NULL, 'hidden', "
		"'重复', 'app', 2000);"
		"INSERT INTO ingest_keys VALUES ('apikey:1/wx:1', 7, 1000);"
		"INSERT INTO events (at, county, topic, kind, data, subject) VALUES "
		"(1000, '990101', 'group:5', 'message', '{\"id\":7}', 'message:7'),"
		"(2000, '990101', 'group:5', 'message', '{\"id\":8}', 'message:8');");
	sqlite3_close(db);

	struct app_error e;
	int applied = 0;
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	assert_int_equal(store_migrate(f->s, &applied, &e), APP_OK);
	assert_true(applied >= 1);
	struct message *m = ms_get(f->s, 7);
	assert_string_equal(m->body, "村口路灯坏了");
	assert_string_equal(m->source, "bridge");
	assert_int_equal(m->at, 1000);
	m = ms_get(f->s, 8);
	assert_string_equal(m->state, "hidden");
	assert_string_equal(m->state_reason, "重复");
	assert_int_equal(m->reply_to, 7);
	assert_int_equal(ms_list(f->s, 5, 0, 0, 10).n, 2);
	assert_int_equal(ms_events_of(f->s, "group", 5)->n, 2);

	/* the old key is still known, a new one gets the next id */
	struct message in[2] = { *ms_msg(5, 0, "又一条"), *ms_msg(5, 0, "新的一条") };
	const char *keys[] = { "apikey:1/wx:1", "apikey:1/wx:2" };
	struct ingest_counts c;
	assert_int_equal(store_messages_ingest(f->s, keys, 2, ms_fill, in, ms_json, &c, &e),
			 APP_OK);
	assert_int_equal(c.stored, 1);
	assert_int_equal(c.repeated, 1);
	struct ms_ids l = ms_list(f->s, 5, 8, 0, 10);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.id[0], 9);
	assert_string_equal(ms_get(f->s, 9)->body, "新的一条");

	/* the prune still goes by time: the first two events, not the third */
	struct store_purge_counts n;
	assert_int_equal(store_purge(f->s, clock_now(), 0, 0, 2001, &n, &e), APP_OK);
	assert_int_equal(n.events, 2);
	assert_int_equal(ms_events_of(f->s, "group", 5)->n, 1);
	assert_int_equal(store_purge(f->s, clock_now(), 0, 0, 2001, &n, &e), APP_OK);
	assert_int_equal(n.events, 0);

	/* as before, but for messages_by_county, which 0026 drops, and
	 * messages_by_group_at, which 0028 makes partial */
	char *county = strstr(shape_before, "index|messages_by_county|");
	assert_non_null(county);
	memmove(county, strchr(county, '\n') + 1, strlen(strchr(county, '\n') + 1) + 1);
	const char *at_0017 = "ON messages(group_id, at)|";
	char *at = strstr(shape_before, at_0017);
	assert_non_null(at);
	struct strbuf expected = STRBUF_INIT;
	strbuf_add(&expected, shape_before, (size_t)(at - shape_before));
	strbuf_addf(&expected, "ON messages(group_id, at) WHERE author_id IS NOT NULL|%s",
		    at + strlen(at_0017));
	char *shape_after = sqlite_schema_rows_at(f->db, MESSAGES_SHAPE);
	assert_string_equal(shape_after, expected.buf);
	strbuf_release(&expected);
	assert_non_null(strstr(shape_after, "index|messages_by_reply|"));
	free(shape_before);
	free(shape_after);

	/* the same tables as a database made new (made by the same migrations,
	 * so even the name 0024's RENAME leaves in each CREATE is the same) */
	char fresh[400];
	snprintf(fresh, sizeof(fresh), "%s/fresh.db", f->dir);
	struct store *s2;
	assert_int_equal(store_open(&s2, fresh, STORE_OPEN_CREATE, &e), APP_OK);
	assert_int_equal(store_migrate(s2, NULL, &e), APP_OK);
	store_close(s2);
	const char *master = "SELECT type, name, tbl_name, sql FROM sqlite_master "
			     "WHERE tbl_name IN ('messages', 'ingest_keys') ORDER BY type, name";
	char *migrated = sqlite_schema_rows_at(f->db, master), *made = sqlite_schema_rows_at(fresh, master);
	assert_string_equal(migrated, made);
	free(migrated);
	free(made);

	/* the CHECKs rewritten by 0024 still refuse, the default still holds
	 * (tried in a transaction rolled back) */
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite_schema_exec(db, "BEGIN");
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO messages (group_id, county, author_name, kind, "
				      "body, at) VALUES (5, '990101', '某人', 'video', 'x', 3000)",
				      NULL, NULL, NULL),
			 SQLITE_CONSTRAINT);
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO messages (group_id, county, author_name, kind, "
				      "body, at, state) VALUES (5, '990101', '某人', 'text', 'x', "
				      "3000, 'deleted')",
				      NULL, NULL, NULL),
			 SQLITE_CONSTRAINT);
	sqlite_schema_exec(db, "INSERT INTO messages (id, group_id, county, author_name, kind, "
			       "body, at) VALUES (100, 5, '990101', '某人', 'text', 'x', 3000)");
	char *read = sqlite_schema_rows(db, "SELECT state, source FROM messages WHERE id = 100");
	sqlite_schema_exec(db, "ROLLBACK");
	sqlite3_close(db);
	assert_string_equal(read, "visible|app\n");
	free(read);
}

/* What 0026 must keep of the table group_members: its columns (type, NOT
 * NULL, default, place in the primary key), references, and indexes with
 * their key columns (the primary key's and group_members_by_user's). Not
 * in it: what 0026 changes (WITHOUT ROWID, so the index by user ends in the
 * key instead of a rowid; the text of the CHECKs), tried apart below. */
#define GROUP_MEMBERS_SHAPE SQLITE_TABLE_SHAPE("group_members", "")

/* What WITHOUT ROWID changes: whether the table has one, and what ends
 * each entry of the index by user (a rowid, or the rest of the key). */
#define GROUP_MEMBERS_ROWID                                                                     \
	"SELECT 'without rowid', wr FROM pragma_table_list('group_members') UNION ALL "         \
	"SELECT 'by user ends in', name FROM pragma_index_xinfo('group_members_by_user') "      \
	"WHERE NOT key"

/* Migration 0026 (group_members rebuilt WITHOUT ROWID with its CHECKs as
 * comparisons; the unread indexes of users, households and messages by
 * county dropped) on a database of the version before: every membership
 * kept and read as before, a roster still joins people; group_members
 * keeps its columns, default, references and indexes, is now WITHOUT
 * ROWID with the CHECKs as comparisons, which refuse what they refused;
 * and the tables are as a new database has them. */
static void test_migration_0026_keeps_members(void **state)
{
	struct sqlite_testdb *f = *state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite_schema_before(db, 26);
	char *shape_before = sqlite_schema_rows(db, GROUP_MEMBERS_SHAPE);
	char *rowid = sqlite_schema_rows(db, GROUP_MEMBERS_ROWID);
	assert_string_equal(rowid, "without rowid|0\nby user ends in|NULL\n");
	free(rowid);
	sqlite_schema_exec(
		db,
		"INSERT INTO regions VALUES ('99', NULL, 0, '演示', 't'), "
		"('9901', '99', 1, '市', 't'), ('990101', '9901', 2, '县', 't');"
		"INSERT INTO groups (id, kind, region_code, name, join_code, created_at) "
		"VALUES (5, 'county', '990101', '县群', 'j5', 1), "
		"(6, 'adhoc', '990101', '专班', 'j6', 1);"
		"INSERT INTO households (id, region_code, address, created_at) "
		"VALUES (1, '990101', '一组1号', 1);"
		"INSERT INTO users (id, name, phone, region_code, household_id, created_at) "
		"VALUES (3, '张三', '13900000003', '990101', 1, 1), "
		"(4, '李四', '13900000004', '990101', NULL, 1);"
		"INSERT INTO group_members VALUES (5, 3, 'owner', '', 'active', 100), "
		"(5, 4, 'key_person', '村医', 'pending', 200), (6, 3, 'resident', '', 'left', 300);");
	sqlite3_close(db);

	struct app_error e;
	int applied = 0;
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	assert_int_equal(store_migrate(f->s, &applied, &e), APP_OK);
	assert_true(applied >= 1);
	struct gs_members l = gs_members_of(f->s, 5, "", 0, 10);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.m[0].user_id, 3);
	assert_string_equal(l.m[0].role, "owner");
	assert_string_equal(l.m[0].name, "张三");
	assert_int_equal(l.m[0].joined_at, 100);
	assert_string_equal(l.m[1].role, "key_person");
	assert_string_equal(l.m[1].function, "村医");
	assert_string_equal(l.m[1].state, "pending");
	assert_int_equal(l.m[1].joined_at, 200);
	assert_int_equal(gs_members_of(f->s, 6, "left", 0, 10).n, 1);

	/* a roster: a known person joins, a new one is made and joins */
	struct roster_row rows[] = { { .line = 2, .name = "李四", .phone = "13900000004",
				       .address = "二组2号" },
				     { .line = 3, .name = "王五", .phone = "13900000005",
				       .address = "三组3号" } };
	struct roster_counts c;
	assert_int_equal(gs_import(f->s, 6, rows, 2, &c, &e), APP_OK);
	assert_int_equal(c.joined, 2);
	assert_int_equal(c.users, 1);
	l = gs_members_of(f->s, 6, "active", 0, 10);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.m[0].user_id, 4);
	assert_string_equal(l.m[1].name, "王五");
	store_close(f->s);
	f->s = NULL;

	/* group_members as before but for what 0026 changes: WITHOUT ROWID,
	 * and the CHECKs written as comparisons */
	char *shape_after = sqlite_schema_rows_at(f->db, GROUP_MEMBERS_SHAPE);
	assert_string_equal(shape_after, shape_before);
	assert_non_null(strstr(shape_after, "reference|group_id|groups|id|"));
	assert_non_null(strstr(shape_after, "index key|group_members_by_user|0|user_id|"));
	free(shape_before);
	free(shape_after);
	rowid = sqlite_schema_rows_at(f->db, GROUP_MEMBERS_ROWID);
	assert_string_equal(rowid, "without rowid|1\nby user ends in|group_id\n");
	free(rowid);
	char *made_by = sqlite_schema_rows_at(f->db, "SELECT sql FROM sqlite_master WHERE name = 'group_members'");
	assert_non_null(strstr(made_by, "CHECK (role = 'owner' OR role = 'admin' OR "
					"role = 'key_person' OR role = 'resident')"));
	assert_non_null(strstr(made_by, "CHECK (state = 'active' OR state = 'pending' OR "
					"state = 'left')"));
	assert_null(strstr(made_by, " IN "));
	free(made_by);

	/* the same tables and indexes as a database made new (by the same
	 * migrations: this shows no migration after 0026 is missing from an
	 * upgrade, not what 0026 itself does, which is checked above) */
	char fresh[400];
	snprintf(fresh, sizeof(fresh), "%s/fresh.db", f->dir);
	struct store *s2;
	assert_int_equal(store_open(&s2, fresh, STORE_OPEN_CREATE, &e), APP_OK);
	assert_int_equal(store_migrate(s2, NULL, &e), APP_OK);
	store_close(s2);
	const char *master = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name "
			     "IN ('group_members', 'users', 'households', 'messages') "
			     "ORDER BY type, name";
	char *migrated = sqlite_schema_rows_at(f->db, master), *made = sqlite_schema_rows_at(fresh, master);
	assert_string_equal(migrated, made);
	assert_non_null(strstr(migrated, "WITHOUT ROWID"));
	assert_null(strstr(migrated, "_by_county"));
	assert_non_null(strstr(migrated, "group_members_by_user"));
	free(migrated);
	free(made);

	/* the CHECKs rewritten by 0026 still refuse, on a pair not yet a
	 * member so that only the CHECK can; without a function a row reads
	 * '' (in a transaction rolled back) */
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite_schema_exec(db, "BEGIN");
	assert_int_equal(sqlite3_exec(db, "INSERT INTO group_members VALUES "
					  "(5, 5, 'boss', '', 'active', 1)",
				      NULL, NULL, NULL),
			 SQLITE_CONSTRAINT);
	assert_int_equal(sqlite3_extended_errcode(db), SQLITE_CONSTRAINT_CHECK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO group_members VALUES "
					  "(5, 5, 'admin', '', 'gone', 1)",
				      NULL, NULL, NULL),
			 SQLITE_CONSTRAINT);
	assert_int_equal(sqlite3_extended_errcode(db), SQLITE_CONSTRAINT_CHECK);
	sqlite_schema_exec(db, "INSERT INTO group_members (group_id, user_id, role, state, "
			       "joined_at) VALUES (5, 5, 'admin', 'left', 1)");
	char *function = sqlite_schema_rows(db, "SELECT quote(function) FROM group_members "
					"WHERE group_id = 5 AND user_id = 5");
	sqlite_schema_exec(db, "ROLLBACK");
	sqlite3_close(db);
	assert_string_equal(function, "''\n");
	free(function);
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
}

/* Migration 0028 (messages_by_group_at only over messages with an author
 * here) on a database of the version before (MS_BEFORE_0028): the valid
 * interactions as before (ms_after_0028); the index is the partial one and
 * holds the messages with an author here, not a bridge's. */
static void test_migration_0028_partial_index(void **state)
{
	struct sqlite_testdb *f = *state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite_schema_before(db, 28);
	sqlite_schema_exec(db, MS_BEFORE_0028("", ""));
	sqlite3_close(db);
	struct app_error e;
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	ms_after_0028(f->s);
	char *made = sqlite_schema_rows_at(f->db, "SELECT sql FROM sqlite_master WHERE name = "
				    "'messages_by_group_at'");
	assert_string_equal(made, "CREATE INDEX messages_by_group_at ON messages(group_id, at) "
				  "WHERE author_id IS NOT NULL\n");
	free(made);
	/* its entries (the cells of its leaves) are the messages with an author
	 * here, none of the bridge's, which the database holds too */
	char *read = sqlite_schema_rows_at(
		f->db, "SELECT (SELECT sum(ncell) FROM dbstat WHERE name = 'messages_by_group_at' "
		       "AND pagetype = 'leaf'), (SELECT count(*) FROM messages WHERE author_id IS NOT "
		       "NULL), (SELECT count(*) FROM messages WHERE author_id IS NULL) > 0");
	assert_string_equal(read, "9|9|1\n");
	free(read);
}

/* Migration 0029 (the queue of bulk ingest) on a database of the version
 * before (MS_BEFORE_0029): its key still a repeat and the queue at work
 * (ms_after_0029), and ingest_keys without message_id. */
static void test_migration_0029_queue(void **state)
{
	struct sqlite_testdb *f = *state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite_schema_before(db, 29);
	sqlite_schema_exec(db, MS_BEFORE_0029("", ""));
	sqlite3_close(db);
	struct app_error e;
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	ms_after_0029(f->s);
	char *cols = sqlite_schema_rows_at(f->db,
					   "SELECT name FROM pragma_table_info('ingest_keys')");
	assert_string_equal(cols, "key\nat\n");
	free(cols);
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, sqlite_testdb_teardown),
	const struct CMUnitTest tests[] = {
		MESSAGES_STORE_CASES(X)
		cmocka_unit_test_setup_teardown(test_index_read_your_writes, setup,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_search_waits_holding_no_reader, setup,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_index_rebuilt_when_lost, setup,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_index_rebuilt_when_damaged, setup,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_search_rebuild_repairs, setup,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_index_rebuilt_when_ahead, setup,
						sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_migration_0024_keeps_messages,
						sqlite_testdb_dir, sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_migration_0026_keeps_members,
						sqlite_testdb_dir, sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_migration_0028_partial_index,
						sqlite_testdb_dir, sqlite_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_migration_0029_queue, sqlite_testdb_dir,
						sqlite_testdb_teardown),
	};
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
