/*
 * test_messages_store_pg.c - the message store tests of
 * messages_store_cases.h on PostgreSQL, each on a database of its own made
 * on the server BIANMIN_TEST_PG names (a libpq URI of a maintenance
 * database, e.g. postgresql:///postgres), holding the demo county, and
 * dropped afterwards. Without BIANMIN_TEST_PG those tests are skipped with
 * a SKIP line (`make test` runs them inside its throwaway cluster).
 *
 * The fixture is pg_testdb.h's. Only here: the literals of
 * pg_fts.c (tsvector positions, tsquery phrases and prefixes; no server
 * needed), and the same search on both backends: the sample messages and,
 * when ../shared/data has them, 495 real citizen messages are stored in a
 * SQLite file and in PostgreSQL, and every query (the cases' own, and
 * pieces of one to four characters cut from each message, alone and in
 * pairs: some 2,300) must find the same messages in the same order on both.
 *
 * And what only PostgreSQL has, concurrent writers (several stores on one
 * database stand for several nodes): ingests of the same keys at once store
 * each key once and fail none, as one after the other would on SQLite, and
 * so do ingests and queued takes of the same keys; loads of the same
 * queued calls at once, in different orders, load each call once;
 * broadcasts, state changes and posts at once (events and audit entries in
 * one transaction) never deadlock, and message ids become visible in order.
 * And migrations 0028 and 0029 on a database of the version before each,
 * as test_messages_store.c has them on SQLite.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/csv.h"
#include "core/log.h"
#include "core/utf8.h"
#include "store/pg_fts.h"
#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "messages_store_cases.h"
#include "pg_schema.h"
#include "pg_testdb.h"

/* Each test on the demo county. */
static int setup(void **state)
{
	return pg_testdb_setup(state, "bmm", gs_load_demo);
}

#define X(name) PG_TESTDB_CASE(name, ms_case_##name)
MESSAGES_STORE_CASES(X)
#undef X

/* ---- the literals (no server) ---- */

static const char *vector_of(const char *s, bool compact)
{
	static char out[512];
	struct strbuf sb = STRBUF_INIT;
	pg_fts_vector(s, strlen(s), compact, &sb);
	snprintf(out, sizeof(out), "%s", sb.buf);
	strbuf_release(&sb);
	return out;
}

static const char *query_of(const char *q, bool compact)
{
	static char out[512];
	struct strbuf sb = STRBUF_INIT;
	struct app_error e;
	if (pg_fts_query(q, strlen(q), compact, &sb, &e) != APP_OK)
		fail_msg("pg_fts_query '%s': %s", q, e.msg);
	snprintf(out, sizeof(out), "%s", sb.buf);
	strbuf_release(&sb);
	return out;
}

static void test_fts_literals(void **state)
{
	(void)state;
	/* a run: its bigrams, each character at the position of the bigram it
	 * starts, the last one at the last bigram's */
	assert_string_equal(vector_of("停水三天", false),
			    "'停水':1 '停':1 '水三':2 '水':2 '三天':3 '三':3 '天':3");
	/* punctuation separates runs; a lone character is a position of its own */
	assert_string_equal(vector_of("停水，三天", false),
			    "'停水':1 '停':1 '水':1 '三天':2 '三':2 '天':2");
	assert_string_equal(vector_of("水", false), "'水':1");
	assert_string_equal(vector_of("小区WiFi密码 A3", false),
			    "'小区':1 '小':1 '区':1 'wifi':2 '密码':3 '密':3 '码':3 'a3':4");
	assert_string_equal(vector_of("，。😀", false), "");
	assert_string_equal(vector_of("", false), "");
	/* compact: only the last character of a run */
	assert_string_equal(vector_of("停水三天", true), "'停水':1 '水三':2 '三天':3 '天':3");
	assert_string_equal(vector_of("停水，三天", true), "'停水':1 '水':1 '三天':2 '天':2");
	assert_string_equal(vector_of("小区WiFi密码 A3", true),
			    "'小区':1 '区':1 'wifi':2 '密码':3 '码':3 'a3':4");

	assert_string_equal(query_of("停水三天", false), "('停水' <-> '水三' <-> '三天')");
	assert_string_equal(query_of("停水 WiFi", false), "('停水') & ('wifi')");
	assert_string_equal(query_of("水", false), "('水')");
	assert_string_equal(query_of("A3区 停水", false), "('a3' <-> '区') & ('停水')");
	assert_string_equal(query_of("区A3", false), "('区' <-> 'a3')");
	assert_string_equal(query_of("停水，三天", false), "('停水') & ('三天')");
	assert_string_equal(query_of("'停水' | !x & y:*", false), "('停水') & ('x') & ('y')");
	/* compact: a lone character ending its group is a prefix */
	assert_string_equal(query_of("水", true), "('水':*)");
	assert_string_equal(query_of("A3区 停水", true), "('a3' <-> '区':*) & ('停水')");
	assert_string_equal(query_of("区A3", true), "('区' <-> 'a3')");

	/* nothing to search, and too much: as sq_fts_match, out untouched */
	struct strbuf sb = STRBUF_INIT;
	struct app_error e;
	assert_int_equal(pg_fts_query("，。 😀", 11, false, &sb, &e), APP_EINVAL);
	assert_string_equal(e.field, "q");
	assert_string_equal(e.msg, "search text has no letters, digits or Chinese characters");
	assert_int_equal(sb.len, 0);
	char many[200] = "";
	for (int i = 0; i < PG_FTS_QUERY_TERMS_MAX + 1; i++)
		strcat(many, "a ");
	assert_int_equal(pg_fts_query(many, strlen(many), false, &sb, &e), APP_ETOOBIG);
	assert_string_equal(e.msg, "search text has more than 64 terms");
	assert_int_equal(sb.len, 0);
	many[2 * PG_FTS_QUERY_TERMS_MAX] = '\0';
	assert_int_equal(pg_fts_query(many, strlen(many), true, &sb, &e), APP_OK);
	strbuf_release(&sb);
}

/* ---- the same search on both backends ---- */

/* The labelled sample of real messages (subject and detail), or none. */
static size_t load_real(char ***out)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/complaints/teddy2020C_attach2_labeled_messages_SAMPLE.csv",
		 tu_data_dir());
	*out = NULL;
	if (!tu_file_exists(path)) {
		printf("SKIP real messages absent (%s): comparing the samples only\n", path);
		return 0;
	}
	char *buf;
	size_t len, n = 0;
	struct app_error e;
	if (csv_load(path, 64u << 20, &buf, &len, &e) != APP_OK)
		fail_msg("%s", e.msg);
	struct csv_reader r;
	csv_init(&r, buf, len);
	char **msgs = NULL;
	int subject = -1, detail = -1, k;
	while ((k = csv_next(&r, &e)) == 1) {
		if (subject < 0) {
			for (size_t i = 0; i < r.nfields; i++) {
				if (strcmp(r.fields[i], "留言主题") == 0)
					subject = (int)i;
				if (strcmp(r.fields[i], "留言详情") == 0)
					detail = (int)i;
			}
			assert_true(subject >= 0 && detail >= 0);
			continue;
		}
		if ((size_t)detail >= r.nfields)
			continue;
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s\n%s", r.fields[subject], r.fields[detail]);
		msgs = realloc(msgs, (n + 1) * sizeof(*msgs));
		assert_non_null(msgs);
		msgs[n++] = strbuf_detach(&sb, NULL);
	}
	assert_int_equal(k, 0);
	csv_release(&r);
	free(buf);
	*out = msgs;
	return n;
}

/* ids of messages listed, in the order listed. */
struct id_list {
	int64_t *ids;
	size_t n;
};

static bool id_add(void *ctx, const struct message *m)
{
	struct id_list *l = ctx;
	l->ids[l->n++] = m->id;
	return true;
}

/* Store bodies[0..n) in group of s in one ingest; ids[i] receives each id. */
static void store_all(struct store *s, int64_t group, char **bodies, size_t n, int64_t *ids)
{
	struct message *ms = calloc(n, sizeof(*ms));
	const char **keys = calloc(n, sizeof(*keys));
	char (*kbuf)[32] = calloc(n, sizeof(*kbuf));
	assert_true(ms && keys && kbuf);
	for (size_t i = 0; i < n; i++) {
		ms[i] = *ms_msg(group, 0, "");
		utf8_copy_cut(ms[i].body, sizeof(ms[i].body), bodies[i]);
		snprintf(kbuf[i], sizeof(kbuf[i]), "doc:%zu", i);
		keys[i] = kbuf[i];
	}
	struct ingest_counts c;
	struct app_error e;
	if (store_messages_ingest(s, keys, n, ms_fill, ms, ms_json, &c, &e) != APP_OK)
		fail_msg("ingest on %s: %s", store_backend(s), e.msg);
	assert_int_equal(c.stored, (int64_t)n);
	struct id_list got = { ids, 0 };
	if (store_messages_list(s, group, 0, 0, (int)n, id_add, &got, &e) != APP_OK)
		fail_msg("list on %s: %s", store_backend(s), e.msg);
	assert_int_equal(got.n, n); /* the group's only messages, in id order */
	free(ms);
	free(keys);
	free(kbuf);
}

struct found {
	const int64_t *ids; /* of the backend, ascending: index i is message i */
	size_t nids;
	struct strbuf out;  /* message indexes, in the order found */
	size_t n;
};

static bool found_fn(void *ctx, const struct message *m)
{
	struct found *f = ctx;
	size_t lo = 0, hi = f->nids;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (f->ids[mid] < m->id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == f->nids || f->ids[lo] != m->id)
		fail_msg("message %lld is none of the stored ones", (long long)m->id);
	strbuf_addf(&f->out, "%s%zu", f->n ? "," : "", lo);
	f->n++;
	return true;
}

/* What q finds on s, as message indexes ("err N" for an error). */
static void search_on(struct store *s, const char *q, const int64_t *ids, size_t n,
		      struct strbuf *out, size_t *count)
{
	struct found f = { ids, n, STRBUF_INIT, 0 };
	struct message_scope sc = { .nregions = 1, .regions = { GS_COUNTY } };
	struct app_error e;
	enum app_err rc = store_messages_search(s, q, &sc, 0, 5000, found_fn, &f, &e);
	strbuf_reset(out);
	if (rc != APP_OK)
		strbuf_addf(out, "err %d %s", (int)rc, e.msg);
	else
		strbuf_add(out, f.out.buf, f.out.len);
	*count = f.n;
	strbuf_release(&f.out);
}

/* The byte offset of character k of s (its length when k is past the end). */
static size_t char_at(const char *s, size_t k)
{
	size_t i = 0;
	for (; s[i]; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 && k-- == 0)
			return i;
	return i;
}

static void test_search_same_as_sqlite(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	char dir[256], path[300];
	tu_tempdir(dir, sizeof(dir));
	tu_path(path, sizeof(path), dir, "test.db");
	struct store *sq;
	struct app_error e;
	if (store_open(&sq, path, STORE_OPEN_CREATE, &e) != APP_OK ||
	    store_migrate(sq, NULL, &e) != APP_OK)
		fail_msg("sqlite: %s", e.msg);
	assert_int_equal(gs_load_demo(sq), 0);
	gs_sync(sq, GS_TOWN, 26, 0);
	gs_sync(f->s, GS_TOWN, 26, 0);

	char **real;
	size_t nreal = load_real(&real);
	size_t n = (size_t)MS_NDOCS - 1 + nreal;
	char **docs = calloc(n, sizeof(*docs));
	assert_non_null(docs);
	for (int i = 1; i < MS_NDOCS; i++)
		docs[i - 1] = (char *)ms_docs[i];
	for (size_t i = 0; i < nreal; i++)
		docs[MS_NDOCS - 1 + i] = real[i];
	int64_t *sq_ids = calloc(n, sizeof(*sq_ids)), *pg_ids = calloc(n, sizeof(*pg_ids));
	assert_true(sq_ids && pg_ids);
	store_all(sq, gs_standing(sq, GS_VILLAGE, "village").id, docs, n, sq_ids);
	store_all(f->s, gs_standing(f->s, GS_VILLAGE, "village").id, docs, n, pg_ids);

	/* the queries: the cases', then pieces of the messages: one to four
	 * characters from its start and its middle (across punctuation, ASCII
	 * and line breaks as they come), and two pieces of it together; of
	 * every sample and every other real message (PostgreSQL's part of the
	 * time is most of it) */
	struct strbuf queries = STRBUF_INIT; /* NUL-separated */
	size_t nq = 0;
	for (int i = 0; i < MS_NQUERIES; i++, nq++)
		strbuf_add(&queries, ms_queries[i].q, strlen(ms_queries[i].q) + 1);
	for (size_t d = 0; d < n; d += d < (size_t)MS_NDOCS - 1 ? 1 : 2) {
		const char *s = docs[d];
		size_t chars = utf8_length(s, strlen(s));
		for (int place = 0; place < 2; place++) {
			size_t k = chars * (size_t)place / 2 + (size_t)place;
			for (size_t len = 1; len <= 4; len++, nq++) {
				size_t a = char_at(s, k), b = char_at(s, k + len);
				strbuf_add(&queries, s + a, b - a);
				strbuf_addch(&queries, '\0');
			}
		}
		size_t a = char_at(s, 0), b = char_at(s, 2), c = char_at(s, chars / 2),
		       z = char_at(s, chars / 2 + 3);
		strbuf_add(&queries, s + a, b - a);
		strbuf_addch(&queries, ' ');
		strbuf_add(&queries, s + c, z - c);
		strbuf_addch(&queries, '\0');
		nq++;
	}

	struct strbuf got_sq = STRBUF_INIT, got_pg = STRBUF_INIT;
	size_t found = 0, refused = 0, hits = 0;
	const char *q = queries.buf;
	for (size_t i = 0; i < nq; i++, q += strlen(q) + 1) {
		size_t count_sq, count_pg;
		search_on(sq, q, sq_ids, n, &got_sq, &count_sq);
		search_on(f->s, q, pg_ids, n, &got_pg, &count_pg);
		if (strcmp(got_sq.buf, got_pg.buf) != 0)
			fail_msg("'%s': SQLite found [%s], PostgreSQL [%s]", q, got_sq.buf,
				 got_pg.buf);
		if (strncmp(got_sq.buf, "err ", 4) == 0)
			refused++;
		else if (count_sq)
			found++;
		hits += count_sq;
	}
	printf("compared %zu queries on %zu messages: %zu found something (%zu messages in "
	       "all), %zu had nothing to search for\n",
	       nq, n, found, hits, refused);
	/* every piece of a message finds at least that message, unless it is
	 * only punctuation: most queries find something */
	assert_true(found > nq * 3 / 4);

	strbuf_release(&got_sq);
	strbuf_release(&got_pg);
	strbuf_release(&queries);
	free(sq_ids);
	free(pg_ids);
	free(docs);
	for (size_t i = 0; i < nreal; i++)
		free(real[i]);
	free(real);
	store_close(sq);
	tu_rmtree(dir);
}

/* ---- concurrent writers ---- */

enum { NODES = 4, KEYS = 20, ROUNDS = 15 };

struct node {
	struct store *s;
	pthread_barrier_t *start;
	int64_t group, town, message, author;
	bool queue; /* queue_main: queue the batch rather than ingest it */
	struct ingest_counts n;
	enum app_err rc;
	struct app_error e;
};

/* Run fn on NODES threads at once, thread i on (char *)args + i * size
 * (each waits on start, made here for NODES, before it works); return when
 * all are done. */
static void run_nodes(void *(*fn)(void *), void *args, size_t size, pthread_barrier_t *start)
{
	pthread_t t[NODES];
	pthread_barrier_init(start, NULL, NODES);
	for (int i = 0; i < NODES; i++)
		assert_int_equal(pthread_create(&t[i], NULL, fn, (char *)args + (size_t)i * size), 0);
	for (int i = 0; i < NODES; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(start);
}

static void *ingest_main(void *arg)
{
	struct node *y = arg;
	struct message *ms = ms_batch(y->group, KEYS, "同一批");
	const char *keys[KEYS];
	char kbuf[KEYS][16];
	for (int i = 0; i < KEYS; i++) {
		snprintf(kbuf[i], sizeof(kbuf[i]), "wx:%d", i);
		keys[i] = kbuf[i];
	}
	pthread_barrier_wait(y->start);
	y->rc = store_messages_ingest(y->s, keys, KEYS, ms_fill, ms, ms_json, &y->n, &y->e);
	free(ms);
	return NULL;
}

/* The node queues the batch of ingest_main (y->queue) or ingests it. */
static void *queue_main(void *arg)
{
	struct node *y = arg;
	if (!y->queue) {
		ingest_main(y);
		return NULL;
	}
	struct ms_items q;
	ms_items(&q, "q", 10);
	const char *keys[KEYS];
	const void *item[KEYS];
	size_t len[KEYS];
	char kbuf[KEYS][16];
	for (int i = 0; i < KEYS; i++) {
		snprintf(kbuf[i], sizeof(kbuf[i]), "wx:%d", i);
		keys[i] = kbuf[i];
		item[i] = q.item[i % 10];
		len[i] = q.len[i % 10];
	}
	int64_t id;
	pthread_barrier_wait(y->start);
	y->rc = store_ingest_queue(y->s, keys, item, len, KEYS, &y->n, &id, &y->e);
	return NULL;
}

/* The same keys ingested on several nodes at once (queue_half: every
 * other node queues them instead): each key taken once, by one node and
 * one path, no call refused, and each taken message stored or pending
 * once, a stored one with its event. */
static void keys_at_once(void **state, bool queue_half)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	gs_sync(f->s, GS_TOWN, 26, 0);
	int64_t v = gs_standing(f->s, GS_VILLAGE, "village").id;
	struct store *nodes[NODES];
	pg_testdb_open_nodes(f, nodes, NODES);
	pthread_barrier_t start;
	struct node y[NODES];
	for (int i = 0; i < NODES; i++)
		y[i] = (struct node){ .s = nodes[i], .start = &start, .group = v,
				      .queue = queue_half && i % 2 };
	run_nodes(queue_main, y, sizeof(y[0]), &start);
	int64_t taken = 0;
	for (int i = 0; i < NODES; i++) {
		if (y[i].rc != APP_OK)
			fail_msg("node %d: %s", i, y[i].e.msg);
		assert_int_equal(y[i].n.stored + y[i].n.repeated, KEYS);
		taken += y[i].n.stored;
	}
	assert_int_equal(taken, KEYS);
	struct ms_calls *l = ms_pending(f->s, 0);
	int64_t queued = 0;
	for (int i = 0; i < l->n; i++)
		queued += l->call[i].messages;
	int stored = ms_list(f->s, v, 0, 0, 100).n;
	assert_int_equal(stored + queued, KEYS);
	assert_int_equal(ms_events_of(f->s, "group", v)->n, stored);
	pg_testdb_close_nodes(nodes, NODES);
}

static void test_ingest_concurrent(void **state) { keys_at_once(state, false); }
static void test_queue_concurrent(void **state) { keys_at_once(state, true); }

/* Node i loads every call, starting from call i. */
struct loader {
	struct store *s;
	pthread_barrier_t *start;
	const int64_t *calls;
	struct message *ms;
	int from;
	bool loaded[NODES];
	enum app_err rc;
	struct app_error e;
};

static void *load_main(void *arg)
{
	struct loader *y = arg;
	int64_t calls[NODES];
	size_t first[NODES + 1];
	for (int k = 0; k < NODES; k++) {
		calls[k] = y->calls[(y->from + k) % NODES];
		first[k] = (size_t)k * 2;
	}
	first[NODES] = NODES * 2;
	pthread_barrier_wait(y->start);
	y->rc = store_ingest_load(y->s, calls, first, NODES, ms_fill, y->ms, ms_json, y->loaded,
				  &y->e);
	return NULL;
}

/* The same calls loaded on several nodes at once, each in its own order:
 * none waits for another forever, each call is loaded by one node and its
 * messages stored once. */
static void test_load_concurrent(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	gs_sync(f->s, GS_TOWN, 26, 0);
	int64_t v = gs_standing(f->s, GS_VILLAGE, "village").id;
	struct ms_items q;
	ms_items(&q, "c", 2);
	int64_t calls[NODES];
	for (int k = 0; k < NODES; k++) {
		char k0[16], k1[16];
		snprintf(k0, sizeof(k0), "wx:%d", 2 * k);
		snprintf(k1, sizeof(k1), "wx:%d", 2 * k + 1);
		const char *keys[] = { k0, k1 };
		struct ingest_counts c;
		struct app_error e;
		assert_int_equal(ms_queue(f->s, &q, 0, 2, keys, &c, &calls[k], &e), APP_OK);
	}
	struct message *ms = ms_batch(v, 2 * NODES, "同时装载");
	for (int i = 0; i < 2 * NODES; i++)
		ms[i].at = GS_NOW;
	struct store *nodes[NODES];
	pg_testdb_open_nodes(f, nodes, NODES);
	pthread_barrier_t start;
	struct loader y[NODES];
	for (int i = 0; i < NODES; i++)
		y[i] = (struct loader){ .s = nodes[i], .start = &start, .calls = calls, .ms = ms,
					.from = i };
	run_nodes(load_main, y, sizeof(y[0]), &start);
	int loads[NODES] = { 0 };
	for (int i = 0; i < NODES; i++) {
		if (y[i].rc != APP_OK)
			fail_msg("node %d: %s", i, y[i].e.msg);
		for (int k = 0; k < NODES; k++)
			loads[(i + k) % NODES] += y[i].loaded[k];
	}
	for (int k = 0; k < NODES; k++)
		assert_int_equal(loads[k], 1);
	assert_int_equal(ms_list(f->s, v, 0, 0, 100).n, 2 * NODES);
	assert_int_equal(ms_events_of(f->s, "group", v)->n, 2 * NODES);
	assert_int_equal(ms_pending(f->s, 0)->n, 0);
	free(ms);
	pg_testdb_close_nodes(nodes, NODES);
}

/* Node 0 broadcasts, node 1 hides and shows a message, nodes 2.. post. */
static void *writer_main(void *arg)
{
	struct node *y = arg;
	pthread_barrier_wait(y->start);
	char object[48];
	for (int r = 0; r < ROUNDS && y->rc == APP_OK; r++) {
		if (y->message) {
			struct message m = *ms_msg(y->group, y->author, "");
			m.id = y->message;
			snprintf(m.state, sizeof(m.state), r % 2 ? "visible" : "hidden");
			struct audit_note note = ms_note(object, sizeof(object), "message", m.id,
							 "message.hide");
			y->rc = store_message_set_state(y->s, &m, &note, ms_json, &y->e);
		} else if (y->town) {
			struct message *m = ms_msg(y->town, y->author, "防火通知");
			snprintf(m->kind, sizeof(m->kind), "broadcast");
			struct audit_note note = gs_note("broadcast:new", "broadcast.send");
			int64_t id, groups;
			y->rc = store_broadcast(y->s, m, GS_VILLAGE, &note, ms_json, &id, &groups,
						&y->e);
		} else {
			struct message *m = ms_msg(y->group, y->author, "收到");
			y->rc = store_message_post(y->s, m, ms_json, &y->e);
		}
	}
	return NULL;
}

static void test_writers_concurrent(void **state)
{
	struct pg_testdb *f = *state;
	PG_TESTDB_REQUIRE(f);
	gs_sync(f->s, GS_TOWN, 26, 0);
	int64_t v = gs_standing(f->s, GS_VILLAGE, "village").id;
	int64_t town = gs_standing(f->s, GS_TOWN, "town").id;
	int64_t u = gs_user(f->s, "张三", "13900000001", "");
	int64_t first = ms_post(f->s, v, u, "第一条");
	struct store *nodes[NODES];
	pg_testdb_open_nodes(f, nodes, NODES);
	pthread_barrier_t start;
	struct node y[NODES];
	for (int i = 0; i < NODES; i++)
		y[i] = (struct node){ .s = nodes[i], .start = &start, .group = v, .author = u };
	y[0].town = town;
	y[1].message = first;
	run_nodes(writer_main, y, sizeof(y[0]), &start);
	for (int i = 0; i < NODES; i++)
		if (y[i].rc != APP_OK)
			fail_msg("node %d: %s", i, y[i].e.msg);
	/* 1 + a broadcast and 2 posts a round; their ids in commit order, as
	 * the group's events are */
	struct ms_ids l = ms_list(f->s, v, 0, 0, 100);
	assert_int_equal(l.n, 1 + ROUNDS * (NODES - 1));
	struct ms_events *ev = ms_events_of(f->s, "group", v);
	int k = 0;
	for (int i = 0; i < ev->n; i++) {
		if (strcmp(ev->kind[i], "message") != 0)
			continue;
		char want[64];
		snprintf(want, sizeof(want), "{\"id\":%" PRId64 ",", l.id[k++]);
		if (strncmp(ev->data[i], want, strlen(want)) != 0)
			fail_msg("event %d is %s, want message %s", i, ev->data[i], want);
	}
	assert_int_equal(k, l.n);
	assert_int_equal(ev->n, l.n + ROUNDS);
	char object[48];
	snprintf(object, sizeof(object), "message:%" PRId64, first);
	assert_int_equal(strlen(gs_audit_of(f->s, object)), ROUNDS * strlen("message.hide ") - 1);
	pg_testdb_close_nodes(nodes, NODES);
}

static int setup_empty(void **state)
{
	return pg_testdb_create(state, "bmmm");
}

/* Migration 0028 on a database of the version before (MS_BEFORE_0028):
 * the valid interactions as before (ms_after_0028), and
 * messages_by_group_at now over the messages with an author here only. */
static void test_migration_0028_partial_index(void **state)
{
	struct pg_testdb *f = *state;
	if (!f->name[0]) {
		printf("SKIP %s: BIANMIN_TEST_PG is not set\n", __func__);
		skip();
	}
	PGconn *c = pg_schema_connect(f->uri);
	pg_schema_before(c, 28);
	pg_schema_exec(c, MS_BEFORE_0028(", terms", ", ''"));
	struct app_error e;
	assert_int_equal(store_open(&f->s, f->uri, STORE_OPEN_EXISTING, &e), APP_OK);
	ms_after_0028(f->s);
	PGresult *r = PQexec(c, "SELECT indexdef FROM pg_indexes WHERE indexname = "
				"'messages_by_group_at'");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_int_equal(PQntuples(r), 1);
	assert_non_null(strstr(PQgetvalue(r, 0, 0), "(group_id, at) WHERE (author_id IS NOT NULL)"));
	PQclear(r);
	PQfinish(c);
}

/* Migration 0029 on a database of the version before (MS_BEFORE_0029):
 * its key still a repeat and the queue at work (ms_after_0029), and
 * ingest_keys without message_id. */
static void test_migration_0029_queue(void **state)
{
	struct pg_testdb *f = *state;
	if (!f->name[0]) {
		printf("SKIP %s: BIANMIN_TEST_PG is not set\n", __func__);
		skip();
	}
	PGconn *c = pg_schema_connect(f->uri);
	pg_schema_before(c, 29);
	pg_schema_exec(c, MS_BEFORE_0029(", terms", ", ''"));
	struct app_error e;
	assert_int_equal(store_open(&f->s, f->uri, STORE_OPEN_EXISTING, &e), APP_OK);
	ms_after_0029(f->s);
	PGresult *r = PQexec(c, "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) "
				"FROM information_schema.columns WHERE table_name = 'ingest_keys'");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_string_equal(PQgetvalue(r, 0, 0), "key,at");
	PQclear(r);
	PQfinish(c);
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, pg_testdb_teardown),
	const struct CMUnitTest tests[] = {
		MESSAGES_STORE_CASES(X)
		cmocka_unit_test(test_fts_literals),
		cmocka_unit_test_setup_teardown(test_search_same_as_sqlite, setup,
						pg_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_ingest_concurrent, setup, pg_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_writers_concurrent, setup, pg_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_queue_concurrent, setup, pg_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_load_concurrent, setup, pg_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_migration_0028_partial_index, setup_empty,
						pg_testdb_teardown),
		cmocka_unit_test_setup_teardown(test_migration_0029_queue, setup_empty,
						pg_testdb_teardown),
	};
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
