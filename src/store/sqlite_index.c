/*
 * sqlite_index.c - the search index of messages on SQLite, kept in a file of
 * its own and filled by a thread of its own.
 *
 * Why apart: building FTS5 rows costs several times more than storing the
 * message (a bigram and a unigram per Chinese character), and SQLite has
 * one writer per file. With the index in the main file, every post and every
 * bulk ingest waited for it on the one writer thread. Here the writer only
 * stores messages; this thread reads the messages committed since the last
 * batch and indexes them, thousands per transaction, in "<db>.search", on
 * the other core. Searches wait until the index covers every message
 * committed before they began (sq_index_wait), so a reader always finds
 * what was acknowledged to it; under a burst that wait is bounded and the
 * search then answers from the index as it is.
 *
 * The index is derived data: rowid = message id, the text of the message,
 * and its scope ("g<group id>" and "r<prefix>" for the prefixes of its
 * group's region code at each level of the division tree), so a search
 * limited to some groups or regions is one FTS5 query instead of a scan of
 * every match. index_state.upto (the last message id indexed) commits with
 * the rows it covers; a lost or stale file is rebuilt from the messages,
 * and a file ahead of its database (a restored backup) is rebuilt too.
 * Messages are never deleted and never move between groups, so the index
 * never has to change a row it wrote; hidden and recalled messages are
 * filtered when found. `bianmin search rebuild` (sq_index_rebuild) makes
 * the whole index again in large batches and merges it into one segment.
 */
#include "store/sqlite_int.h"
#include "core/clock.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* INDEX_BATCH: messages per transaction while following the writer;
 * REBUILD_BATCH: per transaction when rebuilding the whole index */
enum { INDEX_SCHEMA_VERSION = 1, INDEX_BATCH = 4000, REBUILD_BATCH = 100000 };

static const char index_schema[] =
	"CREATE TABLE IF NOT EXISTS search.index_state ("
	" one INTEGER PRIMARY KEY CHECK (one = 1), upto INTEGER NOT NULL);"
	"INSERT OR IGNORE INTO search.index_state VALUES (1, 0);"
	"CREATE VIRTUAL TABLE IF NOT EXISTS search.messages_fts USING fts5("
	" body, scope, content = '', columnsize = 0, tokenize = 'bianmin');"
	"PRAGMA search.user_version = 1;";

/* FTS5's default: merge 4 segments of one level into one of the next */
static const char automerge_on[] =
	"INSERT INTO search.messages_fts(messages_fts, rank) VALUES ('automerge', 4)";

static const char index_drop[] = "DROP TABLE IF EXISTS search.messages_fts;"
				 "DROP TABLE IF EXISTS search.index_state;";

static enum app_err exec_sql(struct conn *c, const char *sql, struct app_error *err)
{
	char *msg = NULL;
	if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		enum app_err rc = app_fail(err, APP_EDB, "search index: %s",
					   msg ? msg : sqlite3_errmsg(c->db));
		sqlite3_free(msg);
		return rc;
	}
	return APP_OK;
}

static int64_t read_int(struct conn *c, enum stmt_id id, struct app_error *err, bool *ok)
{
	sqlite3_stmt *st = sq_stmt(c, id, err);
	int64_t v = 0;
	*ok = st && sqlite3_step(st) == SQLITE_ROW;
	if (*ok)
		v = sqlite3_column_int64(st, 0);
	else if (st)
		sq_db_fail(err, c->db, "reading the search index state");
	if (st)
		sqlite3_reset(st);
	return v;
}

/* Whether the main file has its messages table yet (a new database gets it
 * from the migrations, after the store is open). */
static bool messages_exist(struct conn *c)
{
	sqlite3_stmt *st = NULL;
	bool yes = sqlite3_prepare_v2(c->db,
				      "SELECT 1 FROM main.sqlite_master WHERE name = 'messages'",
				      -1, &st, NULL) == SQLITE_OK &&
		   sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

/* Drop the index and make it again, empty (nothing indexed). */
static enum app_err start_over(struct conn *c, struct app_error *err)
{
	if (exec_sql(c, index_drop, err) != APP_OK)
		return APP_EDB;
	for (int i = 0; i < STMT__MAX; i++) { /* statements on the dropped tables */
		sqlite3_finalize(c->stmt[i]);
		c->stmt[i] = NULL;
	}
	return exec_sql(c, index_schema, err);
}

/* A file ahead of its database (restored from an older backup): start over. */
static enum app_err check_not_ahead(struct conn *c, struct app_error *err)
{
	bool ok, ok2 = true;
	int64_t upto = read_int(c, STMT_INDEX_UPTO, err, &ok);
	int64_t newest = ok && messages_exist(c) ? read_int(c, STMT_MESSAGES_NEWEST, err, &ok2) : 0;
	if (!ok || !ok2)
		return APP_EDB;
	if (upto <= newest)
		return APP_OK;
	log_info("store.search_index_rebuilt", "reason=\"index ahead of the database\"");
	return start_over(c, err);
}

/* One number read from the index or the messages (a setting, a count, an
 * id); -1 when there is none or it cannot be read. */
static int64_t read_figure(struct conn *c, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

enum app_err sq_index_prepare(struct conn *c, struct app_error *err)
{
	bool ok;
	int64_t version = read_int(c, STMT_INDEX_VERSION, err, &ok);
	if (!ok)
		return APP_EDB;
	if (version != INDEX_SCHEMA_VERSION && version != 0) {
		log_info("store.search_index_rebuilt", "reason=\"format %lld\"", (long long)version);
		if (exec_sql(c, index_drop, err) != APP_OK)
			return APP_EDB;
	}
	if (version != INDEX_SCHEMA_VERSION && exec_sql(c, index_schema, err) != APP_OK)
		return APP_EDB;
	/* automatic merging left off by an interrupted `search rebuild` */
	if (read_figure(c, "SELECT v FROM search.messages_fts_config "
			      "WHERE k = 'automerge'") == 0 &&
	    exec_sql(c, automerge_on, err) != APP_OK)
		return APP_EDB;
	/* here, while the store opens and before anything can be written: an
	 * indexer that looked later could take a new message for the one its
	 * stale row was about */
	return check_not_ahead(c, err);
}

/* Index the messages after `upto`, at most `most`, in one transaction;
 * *next is the new upto (unchanged when there was nothing to do). */
static enum app_err index_batch(struct conn *c, int most, int64_t *next, struct app_error *err)
{
	/* deferred: the main file is only read, and must never wait for us */
	if (sq_run(c, STMT_BEGIN_DEFERRED, "starting to index", err) != APP_OK)
		return APP_EDB;
	bool ok;
	int64_t upto = read_int(c, STMT_INDEX_UPTO, err, &ok), last = upto;
	sqlite3_stmt *st = ok ? sq_stmt(c, STMT_INDEX_LAST_OF_BATCH, err) : NULL;
	enum app_err rc = st ? APP_OK : APP_EDB;
	if (st) {
		sqlite3_bind_int64(st, 1, upto);
		sqlite3_bind_int(st, 2, most);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
			last = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	if (rc == APP_OK && last > upto) {
		if (!(st = sq_stmt(c, STMT_INDEX_MESSAGES, err)))
			rc = APP_EDB;
		if (rc == APP_OK) {
			sqlite3_bind_int64(st, 1, upto);
			sqlite3_bind_int64(st, 2, last);
			rc = sq_step_done(c, st, "indexing messages", err);
		}
		if (rc == APP_OK && (st = sq_stmt(c, STMT_INDEX_SET_UPTO, err)) != NULL) {
			sqlite3_bind_int64(st, 1, last);
			rc = sq_step_done(c, st, "recording what is indexed", err);
		} else if (rc == APP_OK) {
			rc = APP_EDB;
		}
	}
	if (rc == APP_OK)
		rc = sq_run(c, STMT_COMMIT, "committing the index", err);
	if (rc != APP_OK) {
		struct app_error ignored;
		if (!sqlite3_get_autocommit(c->db))
			sq_run(c, STMT_ROLLBACK, "rolling back the index", &ignored);
		return rc;
	}
	*next = last;
	return APP_OK;
}

static bool kicked_or_stopping(struct sq *q)
{
	pthread_mutex_lock(&q->index_mu);
	bool yes = q->index_kicked || q->index_stopping;
	pthread_mutex_unlock(&q->index_mu);
	return yes;
}

/*
 * While nothing is waiting to be indexed: merge the index's segments, a
 * bounded amount of work per transaction, until FTS5 has nothing left to
 * merge or new messages arrive. Each batch leaves a small segment of its
 * own, and a query reads every segment: merged, a search over millions of
 * messages reads a few (docs/search.md measured 12 ms against 0.8 ms at p95
 * on 10 M messages, as built and once merged).
 */
static enum app_err merge_while_idle(struct sq *q, struct conn *c, struct app_error *err)
{
	while (!kicked_or_stopping(q)) {
		if (sq_run(c, STMT_BEGIN_DEFERRED, "starting to merge the index", err) != APP_OK)
			return APP_EDB;
		int before = sqlite3_total_changes(c->db);
		enum app_err rc = sq_run(c, STMT_INDEX_MERGE, "merging the index", err);
		int work = sqlite3_total_changes(c->db) - before;
		if (rc == APP_OK)
			rc = sq_run(c, STMT_COMMIT, "committing the merge", err);
		if (rc != APP_OK) {
			struct app_error ignored;
			if (!sqlite3_get_autocommit(c->db))
				sq_run(c, STMT_ROLLBACK, "rolling back the merge", &ignored);
			return rc;
		}
		if (work < 2) /* FTS5: fewer than two changes, nothing was merged */
			return APP_OK;
	}
	return APP_OK;
}

static void publish_upto(struct sq *q, int64_t upto)
{
	pthread_mutex_lock(&q->index_mu);
	if (upto > q->indexed_upto)
		q->indexed_upto = upto;
	pthread_cond_broadcast(&q->index_done_cv);
	pthread_mutex_unlock(&q->index_mu);
}

/* The indexer held by a test (sq_index_hold): wait to be let go, or stop. */
static void wait_while_held(struct sq *q)
{
	pthread_mutex_lock(&q->index_mu);
	while (q->index_held && !q->index_stopping)
		pthread_cond_wait(&q->index_cv, &q->index_mu);
	pthread_mutex_unlock(&q->index_mu);
}

static void *index_main(void *arg)
{
	struct sq *q = arg;
	struct conn *c = q->indexer;
	bool ready = false, failing = false;
	pthread_setname_np(pthread_self(), "db-indexer");
	/* acknowledging writes comes first: this thread takes the CPU they
	 * leave (Linux gives each thread its own nice value) */
	setpriority(PRIO_PROCESS, (id_t)gettid(), 5);
	pthread_mutex_lock(&q->index_mu);
	for (;;) {
		while (!q->index_kicked && !q->index_stopping)
			pthread_cond_wait(&q->index_cv, &q->index_mu);
		if (q->index_stopping)
			break;
		q->index_kicked = false;
		pthread_mutex_unlock(&q->index_mu);
		struct app_error err;
		enum app_err rc = APP_OK;
		ready = ready || messages_exist(c);
		int64_t upto = 0;
		bool more = ready;
		while (rc == APP_OK && more && !__atomic_load_n(&q->index_stopping, __ATOMIC_RELAXED)) {
			if (__atomic_load_n(&q->index_held, __ATOMIC_RELAXED))
				wait_while_held(q);
			int64_t before = upto;
			rc = index_batch(c, INDEX_BATCH, &upto, &err);
			more = rc == APP_OK && upto != before;
			if (rc == APP_OK)
				publish_upto(q, upto);
		}
		pthread_mutex_lock(&q->index_mu);
		bool merge = q->index_merge;
		pthread_mutex_unlock(&q->index_mu);
		if (rc == APP_OK && ready && !more && merge)
			rc = merge_while_idle(q, c, &err);
		if (rc != APP_OK && !failing) /* said once, not on every kick */
			log_error("store.search_index_failed", "reason=\"%s\"", err.msg);
		failing = rc != APP_OK;
		pthread_mutex_lock(&q->index_mu);
		q->index_failed = failing;
		if (!more) /* caught up, or failing: said to searches waiting */
			q->index_idle = true;
		pthread_cond_broadcast(&q->index_done_cv);
	}
	pthread_mutex_unlock(&q->index_mu);
	return NULL;
}

void sq_index_kick(struct sq *q)
{
	pthread_mutex_lock(&q->index_mu);
	q->index_kicked = true;
	q->index_idle = false;
	pthread_cond_signal(&q->index_cv);
	pthread_mutex_unlock(&q->index_mu);
}

void sq_index_merge_when_idle(struct store *s)
{
	struct sq *q = sq_impl(s);
	pthread_mutex_lock(&q->index_mu);
	q->index_merge = true;
	pthread_mutex_unlock(&q->index_mu);
	sq_index_kick(q);
}

enum app_err sq_index_start(struct sq *q, struct app_error *err)
{
	if (pthread_create(&q->index_thread, NULL, index_main, q) != 0)
		return app_fail(err, APP_EINTERNAL, "cannot start the search indexer: %s",
				strerror(errno));
	q->index_started = true;
	sq_index_kick(q); /* catch up with what an earlier run left */
	return APP_OK;
}

void sq_index_stop(struct sq *q)
{
	if (!q->index_started)
		return;
	pthread_mutex_lock(&q->index_mu);
	__atomic_store_n(&q->index_stopping, true, __ATOMIC_RELAXED);
	pthread_cond_signal(&q->index_cv);
	pthread_cond_broadcast(&q->index_done_cv);
	pthread_mutex_unlock(&q->index_mu);
	pthread_join(q->index_thread, NULL);
	q->index_started = false;
}

void sq_index_wait(struct sq *q, int64_t id, int timeout_ms)
{
	struct timespec until = clock_deadline(CLOCK_REALTIME, timeout_ms);
	pthread_mutex_lock(&q->index_mu);
	q->index_waiting++;
	while (q->indexed_upto < id && !q->index_stopping) {
		/* the indexer went idle short of id: a failing index (searches
		 * answer from it as it is), or id committed after it last looked
		 * (a kick makes it look again) */
		if (q->index_idle && q->index_failed)
			break;
		if (q->index_idle) {
			q->index_kicked = true;
			q->index_idle = false;
			pthread_cond_signal(&q->index_cv);
		}
		if (pthread_cond_timedwait(&q->index_done_cv, &q->index_mu, &until) == ETIMEDOUT)
			break;
	}
	q->index_waiting--;
	pthread_mutex_unlock(&q->index_mu);
}

void sq_index_hold(struct sq *q, bool hold)
{
	pthread_mutex_lock(&q->index_mu);
	__atomic_store_n(&q->index_held, hold, __ATOMIC_RELAXED);
	pthread_cond_signal(&q->index_cv);
	pthread_mutex_unlock(&q->index_mu);
}

int sq_index_waiting(struct sq *q)
{
	pthread_mutex_lock(&q->index_mu);
	int n = q->index_waiting;
	pthread_mutex_unlock(&q->index_mu);
	return n;
}

enum app_err sq_index_lock(struct sq *q, struct app_error *err)
{
	/* a file of its own: closing a descriptor of a file SQLite has open
	 * would drop the process's fcntl() locks on it */
	char path[4200];
	snprintf(path, sizeof(path), "%s.lock", q->path);
	q->search_lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (q->search_lock_fd < 0)
		return app_fail(err, APP_EIO, "cannot open the lock file '%s': %s", path,
				strerror(errno));
	if (flock(q->search_lock_fd, LOCK_SH | LOCK_NB) == 0)
		return APP_OK;
	return app_fail(err, APP_EUNAVAIL,
			"the search index of this database is being rebuilt: try again when "
			"'bianmin search rebuild' is done");
}

/* The index made again in large batches, automatic merging off meanwhile
 * and on again at the end, success or not. */
static enum app_err rebuild_index(struct sq *q, struct conn *c, struct app_error *err)
{
	int64_t total = read_figure(c, "SELECT count(*) FROM main.messages");
	int64_t newest = read_figure(c, "SELECT coalesce(max(id), 0) FROM main.messages");
	log_info("store.search_index_rebuilding", "messages=%lld newest=%lld", (long long)total,
		 (long long)newest);
	enum app_err rc = start_over(c, err);
	if (rc == APP_OK)
		rc = exec_sql(c, "INSERT INTO search.messages_fts(messages_fts, rank) "
				 "VALUES ('automerge', 0)", err);
	int64_t upto = 0, before = -1;
	while (rc == APP_OK && upto != before) {
		before = upto;
		rc = index_batch(c, REBUILD_BATCH, &upto, err);
		if (rc == APP_OK && upto != before) {
			publish_upto(q, upto);
			log_info("store.search_index_rebuilding", "upto=%lld of=%lld percent=%lld",
				 (long long)upto, (long long)newest,
				 newest > 0 ? (long long)(upto * 100 / newest) : 100LL);
		}
	}
	if (rc == APP_OK) {
		log_info("store.search_index_merging", "upto=%lld", (long long)upto);
		rc = exec_sql(c, "INSERT INTO search.messages_fts(messages_fts) VALUES ('optimize')",
			      err);
	}
	struct app_error ignored;
	enum app_err on = exec_sql(c, automerge_on, rc == APP_OK ? err : &ignored);
	if (rc == APP_OK && on == APP_OK)
		rc = exec_sql(c, "PRAGMA search.wal_checkpoint(TRUNCATE)", err);
	return rc != APP_OK ? rc : on;
}

/*
 * Rebuild the index from the messages (store_search_rebuild): refused
 * while another process has the database open (its indexer would write
 * beside this one, and a server's searches would miss what is not yet
 * rebuilt). The indexer thread is stopped, and this thread does its work
 * in large transactions, with FTS5's automatic merging off while it loads
 * (every segment would otherwise be merged again and again as the index
 * grows) and one 'optimize' at the end, which leaves a single segment:
 * what a query reads least. Then the thread starts again. The 'optimize'
 * transaction writes a WAL about as big as the index, truncated at the
 * end. Interrupted, the index covers the messages up to its last batch:
 * the indexer of the next process to open the store does the rest, and
 * turns automatic merging on again (sq_index_prepare).
 */
enum app_err sq_index_rebuild(struct store *s, struct app_error *err)
{
	struct sq *q = sq_impl(s);
	struct conn *c = q->indexer;
	if (flock(q->search_lock_fd, LOCK_EX | LOCK_NB) != 0) {
		flock(q->search_lock_fd, LOCK_SH | LOCK_NB); /* the conversion may drop it */
		return app_fail(err, APP_EUNAVAIL,
				"another process (a server?) has this database open: stop it "
				"first");
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sq_index_stop(q);
	pthread_mutex_lock(&q->index_mu);
	q->index_stopping = false;
	q->indexed_upto = 0;
	pthread_mutex_unlock(&q->index_mu);
	enum app_err rc = rebuild_index(q, c, err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (rc == APP_OK)
		log_info("store.search_index_rebuilt", "seconds=%.1f segments=%lld", secs,
			 (long long)read_figure(c, "SELECT count(DISTINCT segid) "
						      "FROM search.messages_fts_idx"));
	else
		log_error("store.search_index_rebuild_failed", "seconds=%.1f reason=\"%s\"", secs,
			  err->msg);
	flock(q->search_lock_fd, LOCK_SH);
	struct app_error start_err;
	if (sq_index_start(q, rc == APP_OK ? err : &start_err) != APP_OK && rc == APP_OK)
		rc = APP_EINTERNAL;
	return rc;
}
