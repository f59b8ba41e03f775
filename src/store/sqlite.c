/*
 * sqlite.c - the SQLite backend of the store (the default, embedded one).
 *
 * Connections: one writer connection owned by a writer thread, and a pool of
 * at most READERS_MAX read-only connections handed to reading threads one at
 * a time (a read waits for a busy one rather than open more: with each
 * connection's cache size, that bounds SQLite's page caches). WAL mode lets
 * readers run while the writer commits; synchronous=FULL makes every commit
 * durable before the writer reports it.
 *
 * Group commit: a write is a job (a function run on the writer connection).
 * Callers queue jobs and sleep; the writer takes every queued job, opens one
 * transaction, runs each job inside its own savepoint (a failing job is
 * rolled back alone), commits once, then wakes the callers. One fsync thus
 * serves as many concurrent writes as arrived during the previous commit. A
 * caller that must not hold its thread meanwhile (a message post, whose
 * connection waits suspended) queues its job with sq_write_async and is
 * told on the writer's thread after the commit instead.
 *
 * Every SQL statement is declared in sq_stmt_sql[] (sqlite_sql.c) and prepared
 * at most once per connection; values are always bound, never pasted into SQL
 * text. This file holds the machinery; sqlite_regions.c, sqlite_audit.c and
 * sqlite_accounts.c hold the domain operations. No domain rules here: those
 * belong to the domain modules.
 */
#include "store/sqlite_int.h"
#include "store/sqlite_fts.h"
#include "core/log.h"
#include "core/mem.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct sq *sq_impl(struct store *s) { return s->impl; }

enum app_err sq_db_fail(struct app_error *err, sqlite3 *db, const char *what)
{
	return app_fail(err, APP_EDB, "database error while %s: %s", what,
			db ? sqlite3_errmsg(db) : "out of memory");
}

/* ---- connections ---- */

static void conn_close(struct conn *c)
{
	if (!c)
		return;
	for (int i = 0; i < STMT__MAX; i++)
		sqlite3_finalize(c->stmt[i]);
	sqlite3_close_v2(c->db);
	free(c);
}

static enum app_err conn_exec(struct conn *c, const char *sql, struct app_error *err)
{
	char *msg = NULL;
	if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		enum app_err rc = app_fail(err, APP_EDB, "database error in '%.60s': %s", sql,
					   msg ? msg : sqlite3_errmsg(c->db));
		sqlite3_free(msg);
		return rc;
	}
	return APP_OK;
}

enum conn_role {
	CONN_WRITER,  /* the one writer of the main file */
	CONN_READER,  /* a pooled reader, the search index attached */
	CONN_INDEXER, /* reads the main file, writes the search index */
};

/* ATTACH the search index file as "search" (its path bound, never pasted). */
static enum app_err attach_search(struct conn *c, const char *path, struct app_error *err)
{
	sqlite3_stmt *st = NULL;
	int r = sqlite3_prepare_v2(c->db, "ATTACH ?1 AS search", -1, &st, NULL);
	if (r == SQLITE_OK) {
		sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
		r = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE && r != SQLITE_OK)
		return app_fail(err, APP_EDB, "cannot open the search index '%s': %s", path,
				sqlite3_errmsg(c->db));
	return APP_OK;
}

static enum app_err conn_open(struct sq *q, enum conn_role role, bool create, struct conn **out,
			      struct app_error *err)
{
	const char *path = q->path;
	struct conn *c = xcalloc(1, sizeof(*c));
	c->owner = q;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
		enum app_err rc = app_fail(err, APP_EDB, "cannot open database '%s': %s", path,
					   c->db ? sqlite3_errmsg(c->db) : "out of memory");
		conn_close(c);
		return rc;
	}
	sqlite3_busy_timeout(c->db, 10000);
	sqlite3_extended_result_codes(c->db, 1);
	if (sq_fts_register(c->db, err) != APP_OK) { /* before any FTS table is opened */
		conn_close(c);
		return APP_EDB;
	}
	/* Readers keep small caches and map nothing: the page cache of the
	 * kernel is shared by all of them, and a mapping per reader counted the
	 * same pages once per connection in the server's memory. */
	static const char *const setup[] = {
		[CONN_WRITER] = "PRAGMA journal_mode = WAL;"
				"PRAGMA synchronous = FULL;"
				"PRAGMA foreign_keys = ON;"
				"PRAGMA temp_store = MEMORY;"
				"PRAGMA cache_size = -16000;",
		[CONN_READER] = "PRAGMA query_only = ON;"
				"PRAGMA temp_store = MEMORY;"
				"PRAGMA cache_size = -4000;"
				"PRAGMA search.cache_size = -4000;",
		/* the index is derived from the messages: a commit lost to a power
		 * cut is indexed again, so it need not wait for the disk */
		[CONN_INDEXER] = "PRAGMA search.journal_mode = WAL;"
				 "PRAGMA search.synchronous = NORMAL;"
				 "PRAGMA temp_store = MEMORY;"
				 "PRAGMA cache_size = -2000;"
				 "PRAGMA search.cache_size = -16000;",
	};
	enum app_err rc = role == CONN_WRITER ? APP_OK : attach_search(c, q->search_path, err);
	if (rc == APP_OK)
		rc = conn_exec(c, setup[role], err);
	if (rc == APP_OK && role == CONN_INDEXER)
		rc = sq_index_prepare(c, err);
	if (rc != APP_OK) {
		conn_close(c);
		return rc;
	}
	*out = c;
	return APP_OK;
}

sqlite3_stmt *sq_stmt(struct conn *c, enum stmt_id id, struct app_error *err)
{
	sqlite3_stmt *st = c->stmt[id];
	if (!st) {
		if (sqlite3_prepare_v3(c->db, sq_stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st,
				       NULL) != SQLITE_OK) {
			sq_db_fail(err, c->db, "preparing a statement");
			return NULL;
		}
		c->stmt[id] = st;
	} else {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	return st;
}

enum app_err sq_step_done(struct conn *c, sqlite3_stmt *st, const char *what,
			      struct app_error *err)
{
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	if (r != SQLITE_DONE && r != SQLITE_ROW)
		return sq_db_fail(err, c->db, what);
	return APP_OK;
}

enum app_err sq_run(struct conn *c, enum stmt_id id, const char *what, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, id, err);
	if (!st)
		return APP_EDB;
	return sq_step_done(c, st, what, err);
}

/*
 * At most this many read connections are open at once; a read that finds
 * them all busy waits for one to be given back. This, with each
 * connection's cache_size (conn_open), is what bounds SQLite's page
 * caches: SQLite's memory statistics are off (see sq_open), so its soft
 * heap limit does not apply. The page caches are at most the writer's 16 MB,
 * the indexer's 18 MB and 8 MB for each reader: 130 MB (a query's sorts and
 * temporary results, temp_store MEMORY, come on top). Twelve are six per
 * core here; more would not read faster, only hold more caches.
 * docs/operate.md says so.
 */
enum { READERS_MAX = 12 };

/* Readers this thread holds now, plus one on the writer's thread. A thread
 * holding one never waits for another (a nested read, or the writer, whom
 * holders may be waiting for): it opens one past READERS_MAX, closed when
 * given back. Only a thread holding nothing waits, so waits cannot chain. */
static _Thread_local int readers_held;

/* A reader from the pool: a free one, else a new one while fewer than
 * READERS_MAX are open, else (may_wait and this thread holds none) the
 * next one given back; NULL with err set when one cannot be opened. */
static struct conn *reader_take(struct sq *q, bool may_wait, struct app_error *err)
{
	pthread_mutex_lock(&q->pool_mu);
	may_wait = may_wait && readers_held == 0;
	if (may_wait && !q->free_readers && q->readers_open >= READERS_MAX) {
		q->reader_waits++;
		q->readers_waiting++;
		while (!q->free_readers && q->readers_open >= READERS_MAX)
			pthread_cond_wait(&q->pool_cv, &q->pool_mu);
		q->readers_waiting--;
	}
	struct conn *c = q->free_readers;
	if (c)
		q->free_readers = c->next;
	else
		q->readers_open++; /* its place taken before the unlocked open */
	pthread_mutex_unlock(&q->pool_mu);
	if (!c && conn_open(q, CONN_READER, false, &c, err) != APP_OK) {
		pthread_mutex_lock(&q->pool_mu);
		q->readers_open--;
		if (q->readers_waiting)
			pthread_cond_signal(&q->pool_cv);
		pthread_mutex_unlock(&q->pool_mu);
		return NULL;
	}
	readers_held++;
	return c;
}

struct conn *sq_reader_acquire(struct sq *q, struct app_error *err)
{
	return reader_take(q, true, err);
}

void sq_reader_release(struct sq *q, struct conn *c)
{
	for (int i = 0; i < STMT__MAX; i++)
		if (c->stmt[i])
			sqlite3_reset(c->stmt[i]);
	readers_held--;
	pthread_mutex_lock(&q->pool_mu);
	bool keep = q->readers_open <= READERS_MAX;
	if (keep) {
		c->next = q->free_readers;
		q->free_readers = c;
	} else {
		q->readers_open--;
	}
	if (q->readers_waiting)
		pthread_cond_signal(&q->pool_cv);
	pthread_mutex_unlock(&q->pool_mu);
	if (!keep)
		conn_close(c);
}

enum app_err sq_read(struct store *s, sq_fn fn, void *arg, struct app_error *err)
{
	struct sq *q = sq_impl(s);
	struct conn *c = sq_reader_acquire(q, err);
	if (!c)
		return APP_EDB;
	enum app_err rc = fn(c, arg, err);
	sq_reader_release(q, c);
	return rc;
}

void sq_copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	assert(cap > 0);
	const char *t = (const char *)sqlite3_column_text(st, col);
	size_t n = t ? strnlen(t, cap - 1) : 0; /* as snprintf "%s" would cut it */
	memcpy(dst, t ? t : "", n);
	dst[n] = '\0';
}

void sq_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

/* ---- the writer and group commit ---- */

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void sq_pending_topic(struct sq *q, const char *topic)
{
	if (q->npending == q->cap_pending) {
		q->cap_pending = q->cap_pending ? 2 * q->cap_pending : 16;
		q->pending_topics = xrealloc(q->pending_topics,
					     q->cap_pending * sizeof(q->pending_topics[0]));
	}
	snprintf(q->pending_topics[q->npending++], EVENT_TOPIC_MAX, "%s", topic);
}

static int topic_cmp(const void *a, const void *b) { return strcmp(a, b); }

/* After a commit: tell the watcher the topic of each event it carried
 * (a topic once per batch; sorted first, as a bulk ingest brings thousands). */
static void tell_watcher(struct sq *q)
{
	if (!q->npending)
		return;
	qsort(q->pending_topics, q->npending, sizeof(q->pending_topics[0]), topic_cmp);
	pthread_mutex_lock(&q->watch_mu);
	for (size_t i = 0; q->watch_fn && i < q->npending; i++)
		if (i == 0 || strcmp(q->pending_topics[i - 1], q->pending_topics[i]) != 0)
			q->watch_fn(q->watch_ctx, q->pending_topics[i]);
	pthread_mutex_unlock(&q->watch_mu);
}

static void run_batch(struct sq *q, struct write_job *batch)
{
	struct conn *c = q->writer;
	struct app_error err;
	uint64_t n = 0, failed = 0;
	enum app_err rc = sq_run(c, STMT_BEGIN, "starting a transaction", &err);
	for (struct write_job *j = batch; j; j = j->next) {
		n++;
		if (rc != APP_OK) {
			j->result = rc;
			j->err = err;
			continue;
		}
		app_error_clear(&j->err);
		size_t events_mark = q->npending;
		j->result = sq_run(c, STMT_SAVEPOINT, "opening a savepoint", &j->err);
		if (j->result == APP_OK)
			j->result = j->fn(c, j->arg, &j->err);
		if (j->result != APP_OK) {
			failed++;
			q->npending = events_mark; /* its events are rolled back too */
			struct app_error ignored;
			sq_run(c, STMT_ROLLBACK_TO, "rolling back a write", &ignored);
		}
		if (sq_run(c, STMT_RELEASE, "releasing a savepoint", &err) != APP_OK)
			rc = APP_EDB;
	}
	uint64_t t0 = now_us();
	if (rc == APP_OK)
		rc = sq_run(c, STMT_COMMIT, "committing", &err);
	uint64_t spent = now_us() - t0;
	if (rc != APP_OK) {
		struct app_error ignored;
		if (!sqlite3_get_autocommit(c->db))
			sq_run(c, STMT_ROLLBACK, "rolling back", &ignored);
		log_error("store.commit_failed", "jobs=%llu reason=\"%s\"", (unsigned long long)n,
			  err.msg);
		for (struct write_job *j = batch; j; j = j->next) {
			if (j->result == APP_OK) {
				j->result = rc;
				j->err = err;
			}
		}
	}
	pthread_mutex_lock(&q->queue_mu);
	q->commits++;
	q->jobs += n;
	q->failures += failed;
	q->commit_us += spent;
	if (n > q->max_batch)
		q->max_batch = n;
	/* the asynchronous jobs, told below in the order they were queued */
	struct write_job *told = NULL, **told_tail = &told;
	bool waiters = false;
	for (struct write_job *j = batch; j;) {
		struct write_job *next = j->next;
		if (j->told) {
			j->next = NULL;
			*told_tail = j;
			told_tail = &j->next;
		} else {
			waiters = true;
			j->done = true; /* j may be freed by its owner from here on */
		}
		j = next;
	}
	if (waiters)
		pthread_cond_broadcast(&q->done_cv);
	pthread_mutex_unlock(&q->queue_mu);
	while (told) {
		struct write_job *next = told->next;
		told->told(told->told_ctx, told->result, &told->err);
		free(told);
		told = next;
	}
	if (rc == APP_OK) {
		tell_watcher(q);
		if (q->messages_written)
			sq_index_kick(q);
	}
	q->npending = 0;
	q->messages_written = false;
}

static void *writer_main(void *arg)
{
	struct sq *q = arg;
	pthread_setname_np(pthread_self(), "db-writer"); /* as top -H and perf show it */
	readers_held = 1; /* never waits for a reader: their holders may wait for it */
	pthread_mutex_lock(&q->queue_mu);
	for (;;) {
		while (!q->queue_head && !q->stopping)
			pthread_cond_wait(&q->queue_cv, &q->queue_mu);
		if (!q->queue_head && q->stopping)
			break;
		struct write_job *batch = q->queue_head;
		q->queue_head = q->queue_tail = NULL;
		pthread_mutex_unlock(&q->queue_mu);
		run_batch(q, batch);
		pthread_mutex_lock(&q->queue_mu);
	}
	pthread_mutex_unlock(&q->queue_mu);
	return NULL;
}

enum app_err sq_write_each(struct store *s, sq_fn fn, void *const *args, int n,
			   enum app_err *results, struct app_error *errs)
{
	assert(n >= 1);
	struct sq *q = sq_impl(s);
	struct write_job one, *jobs = n == 1 ? &one : xcalloc((size_t)n, sizeof(*jobs));
	for (int i = 0; i < n; i++)
		jobs[i] = (struct write_job){ .fn = fn, .arg = args[i],
					      .next = i + 1 < n ? &jobs[i + 1] : NULL };
	pthread_mutex_lock(&q->queue_mu);
	bool closing = q->stopping;
	if (!closing) {
		if (q->queue_tail)
			q->queue_tail->next = &jobs[0];
		else
			q->queue_head = &jobs[0];
		q->queue_tail = &jobs[n - 1];
		pthread_cond_signal(&q->queue_cv);
		/* queued together, so run in the same batch, marked done together */
		while (!jobs[n - 1].done)
			pthread_cond_wait(&q->done_cv, &q->queue_mu);
	}
	pthread_mutex_unlock(&q->queue_mu);
	for (int i = 0; i < n; i++) {
		results[i] = closing ? app_fail(&errs[i], APP_EUNAVAIL, "the database is closing")
				     : jobs[i].result;
		if (!closing && results[i] != APP_OK)
			errs[i] = jobs[i].err;
	}
	if (jobs != &one)
		free(jobs);
	return closing ? APP_EUNAVAIL : APP_OK;
}

void sq_write_async(struct store *s, sq_fn fn, void *arg, store_done_fn done, void *ctx)
{
	struct sq *q = sq_impl(s);
	struct write_job *j = xcalloc(1, sizeof(*j));
	*j = (struct write_job){ .fn = fn, .arg = arg, .told = done, .told_ctx = ctx };
	pthread_mutex_lock(&q->queue_mu);
	bool closing = q->stopping;
	if (!closing) {
		if (q->queue_tail)
			q->queue_tail->next = j;
		else
			q->queue_head = j;
		q->queue_tail = j;
		pthread_cond_signal(&q->queue_cv);
	}
	pthread_mutex_unlock(&q->queue_mu);
	if (closing) {
		struct app_error err;
		app_fail(&err, APP_EUNAVAIL, "the database is closing");
		done(ctx, APP_EUNAVAIL, &err);
		free(j);
	}
}

enum app_err sq_write(struct store *s, sq_fn fn, void *arg, struct app_error *err)
{
	enum app_err result;
	struct app_error local;
	sq_write_each(s, fn, &arg, 1, &result, err ? err : &local);
	return result;
}

/* ---- open, close, migrations ---- */

/* Stop the writer thread once its queue is done. */
static void stop_writer(struct sq *q)
{
	if (!q->writer_started)
		return;
	pthread_mutex_lock(&q->queue_mu);
	q->stopping = true;
	pthread_cond_signal(&q->queue_cv);
	pthread_mutex_unlock(&q->queue_mu);
	pthread_join(q->writer_thread, NULL);
	q->writer_started = false;
}

static void sq_free(struct sq *q)
{
	stop_writer(q);
	sq_index_stop(q);
	conn_close(q->indexer);
	if (q->search_lock_fd >= 0)
		close(q->search_lock_fd);
	conn_close(q->writer);
	while (q->free_readers) {
		struct conn *c = q->free_readers;
		q->free_readers = c->next;
		conn_close(c);
	}
	pthread_mutex_destroy(&q->pool_mu);
	pthread_cond_destroy(&q->pool_cv);
	pthread_mutex_destroy(&q->queue_mu);
	pthread_cond_destroy(&q->queue_cv);
	pthread_cond_destroy(&q->done_cv);
	pthread_mutex_destroy(&q->watch_mu);
	pthread_mutex_destroy(&q->locks_mu);
	pthread_mutex_destroy(&q->index_mu);
	pthread_cond_destroy(&q->index_cv);
	pthread_cond_destroy(&q->index_done_cv);
	free(q->pending_topics);
	free(q->search_path);
	free(q->path);
	free(q);
}

/* The indexer's connection. The index file holds only what the messages
 * say: one that cannot be opened (damaged, not a database) is deleted and
 * made again, rather than keeping the server from starting. */
static enum app_err open_indexer(struct sq *q, struct app_error *err)
{
	if (conn_open(q, CONN_INDEXER, true, &q->indexer, err) == APP_OK)
		return APP_OK;
	log_error("store.search_index_reset", "reason=\"%s\"", err->msg);
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char path[4200];
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", q->search_path, suffix[i]);
		if (unlink(path) != 0 && errno != ENOENT)
			return app_fail(err, APP_EDB, "cannot remove the damaged search index '%s': %s",
					path, strerror(errno));
	}
	return conn_open(q, CONN_INDEXER, true, &q->indexer, err);
}

/*
 * SQLite's memory statistics off, before its first use in the process. With
 * them on, every allocation and free of every SQLite thread takes one global
 * mutex (~20 us of CPU per message post among the HTTP threads, the writer
 * and the indexer: bench/RESULTS-messages.md). Without them SQLite's soft
 * heap limit is not enforced; the readers' pool bounds its memory instead
 * (READERS_MAX). If SQLite was already initialised (a program that used it
 * before opening the store) this fails, and the statistics stay on: slower,
 * still correct.
 */
static pthread_once_t sqlite_configured = PTHREAD_ONCE_INIT;

static void configure_sqlite(void)
{
	if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
		log_info("store.sqlite_memstatus_kept", "reason=\"sqlite already initialised\"");
}

static enum app_err sq_open(struct store *s, const char *uri, enum store_open_mode mode,
			    struct app_error *err)
{
	struct stat st;
	if (mode == STORE_OPEN_EXISTING && stat(uri, &st) != 0)
		return app_fail(err, APP_ENOTFOUND,
				"database '%s' does not exist: create it with 'bianmin init --db %s'",
				uri, uri);
	pthread_once(&sqlite_configured, configure_sqlite);
	struct sq *q = xcalloc(1, sizeof(*q));
	q->path = xstrdup(uri);
	pthread_mutex_init(&q->pool_mu, NULL);
	pthread_cond_init(&q->pool_cv, NULL);
	pthread_mutex_init(&q->queue_mu, NULL);
	pthread_cond_init(&q->queue_cv, NULL);
	pthread_cond_init(&q->done_cv, NULL);
	pthread_mutex_init(&q->watch_mu, NULL);
	pthread_mutex_init(&q->locks_mu, NULL);
	pthread_mutex_init(&q->index_mu, NULL);
	pthread_cond_init(&q->index_cv, NULL);
	pthread_cond_init(&q->index_done_cv, NULL);
	size_t n = strlen(uri) + sizeof(".search");
	q->search_path = xmalloc(n);
	snprintf(q->search_path, n, "%s.search", uri);
	q->search_lock_fd = -1;
	enum app_err rc = conn_open(q, CONN_WRITER, mode == STORE_OPEN_CREATE, &q->writer, err);
	if (rc == APP_OK)
		rc = conn_exec(q->writer,
			       "CREATE TABLE IF NOT EXISTS schema_migrations ("
			       " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
			       " applied_at TEXT NOT NULL)",
			       err);
	if (rc == APP_OK && pthread_create(&q->writer_thread, NULL, writer_main, q) != 0)
		rc = app_fail(err, APP_EINTERNAL, "cannot start the database writer: %s",
			      strerror(errno));
	else if (rc == APP_OK)
		q->writer_started = true;
	if (rc == APP_OK)
		rc = sq_index_lock(q, err);
	if (rc == APP_OK)
		rc = open_indexer(q, err);
	if (rc == APP_OK)
		rc = sq_index_start(q, err);
	if (rc != APP_OK) {
		sq_free(q);
		return rc;
	}
	s->impl = q;
	return APP_OK;
}

static void sq_close(struct store *s)
{
	sq_free(sq_impl(s));
}

static int migration_version(const struct store_migration *m) { return atoi(m->name); }

/* The database's schema version, failing when a migration below it is
 * missing (store_migrations_complete). */
static enum app_err read_version(struct conn *c, int *out, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_SCHEMA_VERSION, err);
	if (!st)
		return APP_EDB;
	if (sqlite3_step(st) != SQLITE_ROW)
		return sq_db_fail(err, c->db, "reading the schema version");
	*out = sqlite3_column_int(st, 0);
	int applied = sqlite3_column_int(st, 1);
	sqlite3_reset(st);
	return store_migrations_complete(store_sqlite_migrations, store_sqlite_migrations_count,
					 *out, applied, err);
}

struct migrate_job {
	int applied;
};

static enum app_err migrate_job(struct conn *c, void *arg, struct app_error *err)
{
	struct migrate_job *mj = arg;
	int current;
	enum app_err rc = read_version(c, &current, err);
	for (size_t i = 0; rc == APP_OK && i < store_sqlite_migrations_count; i++) {
		const struct store_migration *m = &store_sqlite_migrations[i];
		if (migration_version(m) <= current)
			continue;
		rc = conn_exec(c, m->data, err);
		if (rc != APP_OK)
			break;
		sqlite3_stmt *st = sq_stmt(c, STMT_MIGRATION_RECORD, err);
		if (!st)
			return APP_EDB;
		sqlite3_bind_int(st, 1, migration_version(m));
		sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
		rc = sq_step_done(c, st, "recording a migration", err);
		if (rc == APP_OK) {
			mj->applied++;
			log_info("store.migrated", "version=%d name=%s", migration_version(m), m->name);
		}
	}
	return rc;
}

/* The first row PRAGMA foreign_key_check reports, as an error: a
 * migration that left a reference dangling. */
static enum app_err foreign_keys_hold(struct conn *c, struct app_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(c->db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
		return sq_db_fail(err, c->db, "checking foreign keys");
	int r = sqlite3_step(st);
	enum app_err rc = APP_OK;
	if (r == SQLITE_ROW)
		rc = app_fail(err, APP_EDB,
			      "a migration broke a reference: row %lld of table '%s' names a "
			      "missing row of '%s'",
			      (long long)sqlite3_column_int64(st, 1),
			      (const char *)sqlite3_column_text(st, 0),
			      (const char *)sqlite3_column_text(st, 2));
	else if (r != SQLITE_DONE)
		rc = sq_db_fail(err, c->db, "checking foreign keys");
	sqlite3_finalize(st);
	return rc;
}

/*
 * All pending migrations go in one transaction: a failure leaves the
 * schema exactly as it was. They run on a connection of their own with
 * foreign keys off, outside the writer's group commit (where a PRAGMA
 * foreign_keys is ignored), so that a migration may rebuild a table others
 * reference (sqlite.org/lang_altertable.html, "other kinds of table schema
 * changes"); PRAGMA foreign_key_check proves every reference still holds
 * before the commit.
 */
static enum app_err sq_migrate(struct store *s, int *applied, struct app_error *err)
{
	struct migrate_job mj = { 0 };
	struct conn *c = NULL;
	struct app_error ignored;
	*applied = 0;
	enum app_err rc = conn_open(sq_impl(s), CONN_WRITER, false, &c, err);
	if (rc != APP_OK)
		return rc;
	rc = conn_exec(c, "PRAGMA foreign_keys = OFF; BEGIN IMMEDIATE", err);
	if (rc == APP_OK)
		rc = migrate_job(c, &mj, err);
	if (rc == APP_OK)
		rc = foreign_keys_hold(c, err);
	if (rc == APP_OK)
		rc = conn_exec(c, "COMMIT", err);
	if (rc != APP_OK && !sqlite3_get_autocommit(c->db))
		conn_exec(c, "ROLLBACK", &ignored);
	conn_close(c);
	if (rc == APP_OK)
		*applied = mj.applied;
	return rc;
}

static enum app_err sq_schema_version(struct store *s, int *current, int *expected,
				      struct app_error *err)
{
	struct sq *q = sq_impl(s);
	struct conn *c = sq_reader_acquire(q, err);
	if (!c)
		return APP_EDB;
	enum app_err rc = read_version(c, current, err);
	sq_reader_release(q, c);
	*expected = 0;
	for (size_t i = 0; i < store_sqlite_migrations_count; i++)
		if (migration_version(&store_sqlite_migrations[i]) > *expected)
			*expected = migration_version(&store_sqlite_migrations[i]);
	return rc;
}

static void sq_stats(struct store *s, struct store_stats *out)
{
	struct sq *q = sq_impl(s);
	pthread_mutex_lock(&q->queue_mu);
	out->commits = q->commits;
	out->write_jobs = q->jobs;
	out->write_failures = q->failures;
	out->commit_us = q->commit_us;
	out->max_batch = q->max_batch;
	pthread_mutex_unlock(&q->queue_mu);
	pthread_mutex_lock(&q->pool_mu);
	out->readers = q->readers_open;
	out->readers_max = READERS_MAX;
	out->reader_waits = q->reader_waits;
	pthread_mutex_unlock(&q->pool_mu);
	struct stat st;
	if (stat(q->path, &st) == 0)
		out->db_bytes = (uint64_t)st.st_size;
	/* the figures answer even while every reader is busy (when they are
	 * looked at most): one statement on one past READERS_MAX if need be */
	struct app_error ignored;
	struct conn *c = reader_take(q, false, &ignored);
	sqlite3_stmt *newest = c ? sq_stmt(c, STMT_MESSAGES_NEWEST, &ignored) : NULL;
	if (newest && sqlite3_step(newest) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(newest, 0);
		pthread_mutex_lock(&q->index_mu);
		out->search_lag = id > q->indexed_upto ? (uint64_t)(id - q->indexed_upto) : 0;
		pthread_mutex_unlock(&q->index_mu);
	}
	if (c)
		sq_reader_release(q, c);
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.migrate = sq_migrate,
	.schema_version = sq_schema_version,
	.stats = sq_stats,
	.upkeep_when_idle = sq_index_merge_when_idle,
	.search_rebuild = sq_index_rebuild,
	.regions = &sq_region_ops,
	.audit = &sq_audit_ops,
	.accounts = &sq_account_ops,
	.events = &sq_event_ops,
	.sched = &sq_sched_ops,
	.groups = &sq_group_ops,
	.messages = &sq_message_ops,
	.calendar = &sq_calendar_ops,
	.cases = &sq_case_ops,
	.case_photos = &sq_case_photo_ops,
	.case_settings = &sq_case_settings_ops,
	.patrol = &sq_patrol_ops,
	.case_stats = &sq_stats_ops,
	.supervise = &sq_supervise_ops,
	.exchange = &sq_exchange_ops,
	.entitle = &sq_entitle_ops,
	.bundles = &sq_bundle_ops,
	.outbox = &sq_outbox_ops,
};
