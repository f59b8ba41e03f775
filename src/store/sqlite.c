/*
 * sqlite.c - the SQLite backend of the store (the default, embedded one).
 *
 * Connections: one writer connection owned by a writer thread, and a pool of
 * read-only connections handed to reading threads one at a time. WAL mode
 * lets readers run while the writer commits; synchronous=FULL makes every
 * commit durable before the writer reports it.
 *
 * Group commit: a write is a job (a function run on the writer connection).
 * Callers queue jobs and sleep; the writer takes every queued job, opens one
 * transaction, runs each job inside its own savepoint (a failing job is
 * rolled back alone), commits once, then wakes the callers. One fsync thus
 * serves as many concurrent writes as arrived during the previous commit.
 *
 * Every SQL statement is declared in stmt_sql[] and prepared at most once per
 * connection; values are always bound, never pasted into SQL text. This file
 * must not contain domain rules: those belong to the domain modules.
 */
#include "store/store_int.h"
#include "core/log.h"
#include "core/mem.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum stmt_id {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_SAVEPOINT,
	STMT_RELEASE,
	STMT_ROLLBACK_TO,
	STMT_SCHEMA_VERSION,
	STMT_MIGRATION_RECORD,
	STMT_REGION_GET,
	STMT_REGION_CHILDREN,
	STMT_REGION_SUBTREE,
	STMT_REGION_SEARCH_PREFIX,
	STMT_REGION_SEARCH_INFIX,
	STMT_REGION_EXISTS,
	STMT_REGION_CURRENT,
	STMT_REGION_INSERT,
	STMT_REGION_UPDATE,
	STMT__MAX
};

#define REGION_COLS "r.code, coalesce(r.parent_code, ''), r.level, r.name"
#define CHILD_COUNT "(SELECT count(*) FROM regions c WHERE c.parent_code = r.code)"
#define WITHIN "(?2 = '' OR (r.code >= ?2 AND r.code < ?2 || ':'))"

static const char *const stmt_sql[STMT__MAX] = {
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
	[STMT_SAVEPOINT] = "SAVEPOINT job",
	[STMT_RELEASE] = "RELEASE job",
	[STMT_ROLLBACK_TO] = "ROLLBACK TO job",
	[STMT_SCHEMA_VERSION] = "SELECT coalesce(max(version), 0) FROM schema_migrations",
	[STMT_MIGRATION_RECORD] =
		"INSERT INTO schema_migrations(version, name, applied_at) "
		"VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
	[STMT_REGION_GET] = "SELECT " REGION_COLS ", " CHILD_COUNT " FROM regions r WHERE r.code = ?1",
	[STMT_REGION_CHILDREN] = "SELECT " REGION_COLS ", " CHILD_COUNT
				 " FROM regions r WHERE r.parent_code = ?1 ORDER BY r.code",
	[STMT_REGION_SUBTREE] = "SELECT " REGION_COLS ", 0 FROM regions r "
				"WHERE r.code >= ?1 AND r.code < ?1 || ':' AND r.level <= ?2 "
				"ORDER BY r.code",
	[STMT_REGION_SEARCH_PREFIX] =
		"SELECT " REGION_COLS ", " CHILD_COUNT " FROM regions r "
		"WHERE r.name >= ?1 AND r.name < ?1 || char(1114111) AND " WITHIN
		" AND (?3 < 0 OR r.level = ?3) ORDER BY r.code LIMIT ?4",
	[STMT_REGION_SEARCH_INFIX] =
		"SELECT " REGION_COLS ", " CHILD_COUNT " FROM regions r "
		"WHERE instr(r.name, ?1) > 1 AND " WITHIN
		" AND (?3 < 0 OR r.level = ?3) ORDER BY r.code LIMIT ?4",
	[STMT_REGION_EXISTS] = "SELECT 1 FROM regions WHERE code = ?1",
	[STMT_REGION_CURRENT] =
		"SELECT coalesce(parent_code, ''), level, name FROM regions WHERE code = ?1",
	[STMT_REGION_INSERT] =
		"INSERT INTO regions(code, parent_code, level, name, updated_at) "
		"VALUES (?1, nullif(?2, ''), ?3, ?4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
	[STMT_REGION_UPDATE] =
		"UPDATE regions SET parent_code = nullif(?2, ''), level = ?3, name = ?4, "
		"updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE code = ?1",
};

struct conn {
	sqlite3 *db;
	sqlite3_stmt *stmt[STMT__MAX];
	struct conn *next; /* in the free list of readers */
};

struct write_job {
	enum app_err (*fn)(struct conn *c, void *arg, struct app_error *err);
	void *arg;
	struct app_error err;
	enum app_err result;
	bool done;
	struct write_job *next;
};

struct sq {
	char *path;
	struct conn *writer;

	pthread_mutex_t pool_mu;
	struct conn *free_readers;
	uint64_t readers_open;

	pthread_mutex_t queue_mu;
	pthread_cond_t queue_cv; /* a job arrived, or stop */
	pthread_cond_t done_cv;  /* a batch finished */
	struct write_job *queue_head, *queue_tail;
	bool stopping;
	pthread_t writer_thread;

	/* figures, written by the writer thread under queue_mu */
	uint64_t commits, jobs, failures, commit_us, max_batch;
};

static struct sq *sq_of(struct store *s) { return s->impl; }

static enum app_err db_fail(struct app_error *err, sqlite3 *db, const char *what)
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

static enum app_err conn_open(const char *path, bool writer, bool create, struct conn **out,
			      struct app_error *err)
{
	struct conn *c = xcalloc(1, sizeof(*c));
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
	const char *setup = writer ? "PRAGMA journal_mode = WAL;"
				     "PRAGMA synchronous = FULL;"
				     "PRAGMA foreign_keys = ON;"
				     "PRAGMA temp_store = MEMORY;"
				     "PRAGMA cache_size = -16000;"
				   : "PRAGMA query_only = ON;"
				     "PRAGMA temp_store = MEMORY;"
				     "PRAGMA cache_size = -8000;"
				     "PRAGMA mmap_size = 268435456;";
	enum app_err rc = conn_exec(c, setup, err);
	if (rc != APP_OK) {
		conn_close(c);
		return rc;
	}
	*out = c;
	return APP_OK;
}

/* The prepared statement id on c, reset and with no bindings. */
static sqlite3_stmt *stmt(struct conn *c, enum stmt_id id, struct app_error *err)
{
	sqlite3_stmt *st = c->stmt[id];
	if (!st) {
		if (sqlite3_prepare_v3(c->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st,
				       NULL) != SQLITE_OK) {
			db_fail(err, c->db, "preparing a statement");
			return NULL;
		}
		c->stmt[id] = st;
	} else {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	return st;
}

static enum app_err step_done(struct conn *c, sqlite3_stmt *st, const char *what,
			      struct app_error *err)
{
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	if (r != SQLITE_DONE && r != SQLITE_ROW)
		return db_fail(err, c->db, what);
	return APP_OK;
}

static enum app_err run(struct conn *c, enum stmt_id id, const char *what, struct app_error *err)
{
	sqlite3_stmt *st = stmt(c, id, err);
	if (!st)
		return APP_EDB;
	return step_done(c, st, what, err);
}

static struct conn *reader_acquire(struct sq *q, struct app_error *err)
{
	pthread_mutex_lock(&q->pool_mu);
	struct conn *c = q->free_readers;
	if (c) {
		q->free_readers = c->next;
		pthread_mutex_unlock(&q->pool_mu);
		return c;
	}
	pthread_mutex_unlock(&q->pool_mu);
	if (conn_open(q->path, false, false, &c, err) != APP_OK)
		return NULL;
	pthread_mutex_lock(&q->pool_mu);
	q->readers_open++;
	pthread_mutex_unlock(&q->pool_mu);
	return c;
}

static void reader_release(struct sq *q, struct conn *c)
{
	for (int i = 0; i < STMT__MAX; i++)
		if (c->stmt[i])
			sqlite3_reset(c->stmt[i]);
	pthread_mutex_lock(&q->pool_mu);
	c->next = q->free_readers;
	q->free_readers = c;
	pthread_mutex_unlock(&q->pool_mu);
}

/* ---- the writer and group commit ---- */

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void run_batch(struct sq *q, struct write_job *batch)
{
	struct conn *c = q->writer;
	struct app_error err;
	uint64_t n = 0, failed = 0;
	enum app_err rc = run(c, STMT_BEGIN, "starting a transaction", &err);
	for (struct write_job *j = batch; j; j = j->next) {
		n++;
		if (rc != APP_OK) {
			j->result = rc;
			j->err = err;
			continue;
		}
		app_error_clear(&j->err);
		j->result = run(c, STMT_SAVEPOINT, "opening a savepoint", &j->err);
		if (j->result == APP_OK)
			j->result = j->fn(c, j->arg, &j->err);
		if (j->result != APP_OK) {
			failed++;
			struct app_error ignored;
			run(c, STMT_ROLLBACK_TO, "rolling back a write", &ignored);
		}
		if (run(c, STMT_RELEASE, "releasing a savepoint", &err) != APP_OK)
			rc = APP_EDB;
	}
	uint64_t t0 = now_us();
	if (rc == APP_OK)
		rc = run(c, STMT_COMMIT, "committing", &err);
	uint64_t spent = now_us() - t0;
	if (rc != APP_OK) {
		struct app_error ignored;
		if (!sqlite3_get_autocommit(c->db))
			run(c, STMT_ROLLBACK, "rolling back", &ignored);
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
	for (struct write_job *j = batch; j;) {
		struct write_job *next = j->next;
		j->done = true; /* j may be freed by its owner from here on */
		j = next;
	}
	pthread_cond_broadcast(&q->done_cv);
	pthread_mutex_unlock(&q->queue_mu);
}

static void *writer_main(void *arg)
{
	struct sq *q = arg;
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

/* Run fn on the writer inside the next group commit; wait until durable. */
static enum app_err write_sync(struct sq *q, enum app_err (*fn)(struct conn *, void *,
								  struct app_error *),
			       void *arg, struct app_error *err)
{
	struct write_job job = { .fn = fn, .arg = arg };
	pthread_mutex_lock(&q->queue_mu);
	if (q->stopping) {
		pthread_mutex_unlock(&q->queue_mu);
		return app_fail(err, APP_EUNAVAIL, "the database is closing");
	}
	if (q->queue_tail)
		q->queue_tail->next = &job;
	else
		q->queue_head = &job;
	q->queue_tail = &job;
	pthread_cond_signal(&q->queue_cv);
	while (!job.done)
		pthread_cond_wait(&q->done_cv, &q->queue_mu);
	pthread_mutex_unlock(&q->queue_mu);
	if (job.result != APP_OK && err)
		*err = job.err;
	return job.result;
}

/* ---- open, close, migrations ---- */

static void sq_free(struct sq *q)
{
	conn_close(q->writer);
	while (q->free_readers) {
		struct conn *c = q->free_readers;
		q->free_readers = c->next;
		conn_close(c);
	}
	pthread_mutex_destroy(&q->pool_mu);
	pthread_mutex_destroy(&q->queue_mu);
	pthread_cond_destroy(&q->queue_cv);
	pthread_cond_destroy(&q->done_cv);
	free(q->path);
	free(q);
}

static enum app_err sq_open(struct store *s, const char *uri, enum store_open_mode mode,
			    struct app_error *err)
{
	struct stat st;
	if (mode == STORE_OPEN_EXISTING && stat(uri, &st) != 0)
		return app_fail(err, APP_ENOTFOUND,
				"database '%s' does not exist: create it with 'bianmin init --db %s'",
				uri, uri);
	struct sq *q = xcalloc(1, sizeof(*q));
	q->path = xstrdup(uri);
	pthread_mutex_init(&q->pool_mu, NULL);
	pthread_mutex_init(&q->queue_mu, NULL);
	pthread_cond_init(&q->queue_cv, NULL);
	pthread_cond_init(&q->done_cv, NULL);
	enum app_err rc = conn_open(uri, true, mode == STORE_OPEN_CREATE, &q->writer, err);
	if (rc == APP_OK)
		rc = conn_exec(q->writer,
			       "CREATE TABLE IF NOT EXISTS schema_migrations ("
			       " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
			       " applied_at TEXT NOT NULL)",
			       err);
	if (rc == APP_OK && pthread_create(&q->writer_thread, NULL, writer_main, q) != 0)
		rc = app_fail(err, APP_EINTERNAL, "cannot start the database writer: %s",
			      strerror(errno));
	if (rc != APP_OK) {
		sq_free(q);
		return rc;
	}
	s->impl = q;
	return APP_OK;
}

static void sq_close(struct store *s)
{
	struct sq *q = sq_of(s);
	pthread_mutex_lock(&q->queue_mu);
	q->stopping = true;
	pthread_cond_signal(&q->queue_cv);
	pthread_mutex_unlock(&q->queue_mu);
	pthread_join(q->writer_thread, NULL);
	sq_free(q);
}

static int migration_version(const struct store_migration *m) { return atoi(m->name); }

static enum app_err read_version(struct conn *c, int *out, struct app_error *err)
{
	sqlite3_stmt *st = stmt(c, STMT_SCHEMA_VERSION, err);
	if (!st)
		return APP_EDB;
	if (sqlite3_step(st) != SQLITE_ROW)
		return db_fail(err, c->db, "reading the schema version");
	*out = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return APP_OK;
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
		sqlite3_stmt *st = stmt(c, STMT_MIGRATION_RECORD, err);
		if (!st)
			return APP_EDB;
		sqlite3_bind_int(st, 1, migration_version(m));
		sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
		rc = step_done(c, st, "recording a migration", err);
		if (rc == APP_OK) {
			mj->applied++;
			log_info("store.migrated", "version=%d name=%s", migration_version(m), m->name);
		}
	}
	return rc;
}

static enum app_err sq_migrate(struct store *s, int *applied, struct app_error *err)
{
	/* All pending migrations go in one transaction: a failure leaves the
	 * schema exactly as it was. */
	struct migrate_job mj = { 0 };
	enum app_err rc = write_sync(sq_of(s), migrate_job, &mj, err);
	*applied = rc == APP_OK ? mj.applied : 0;
	return rc;
}

static enum app_err sq_schema_version(struct store *s, int *current, int *expected,
				      struct app_error *err)
{
	struct sq *q = sq_of(s);
	struct conn *c = reader_acquire(q, err);
	if (!c)
		return APP_EDB;
	enum app_err rc = read_version(c, current, err);
	reader_release(q, c);
	*expected = 0;
	for (size_t i = 0; i < store_sqlite_migrations_count; i++)
		if (migration_version(&store_sqlite_migrations[i]) > *expected)
			*expected = migration_version(&store_sqlite_migrations[i]);
	return rc;
}

/* ---- regions ---- */

static void copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

static void read_region(sqlite3_stmt *st, struct region *r)
{
	copy_text(r->code, sizeof(r->code), st, 0);
	copy_text(r->parent_code, sizeof(r->parent_code), st, 1);
	r->level = (enum division_level)sqlite3_column_int(st, 2);
	copy_text(r->name, sizeof(r->name), st, 3);
	r->child_count = sqlite3_column_int(st, 4);
}

/*
 * Step st, handing each row to fn; adds the rows delivered to *count and
 * sets *stopped when fn asked to stop (both may be NULL).
 */
static enum app_err each_region(struct conn *c, sqlite3_stmt *st, store_region_fn fn, void *ctx,
				int *count, bool *stopped, struct app_error *err)
{
	int r;
	struct region reg;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		read_region(st, &reg);
		if (count)
			(*count)++;
		if (!fn(ctx, &reg)) {
			if (stopped)
				*stopped = true;
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return db_fail(err, c->db, "reading regions");
	return APP_OK;
}

static enum app_err sq_region_get(struct store *s, const char *code, struct region *out,
				  struct app_error *err)
{
	struct sq *q = sq_of(s);
	struct conn *c = reader_acquire(q, err);
	if (!c)
		return APP_EDB;
	enum app_err rc = APP_EDB;
	sqlite3_stmt *st = stmt(c, STMT_REGION_GET, err);
	if (st) {
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
		int r = sqlite3_step(st);
		if (r == SQLITE_ROW) {
			read_region(st, out);
			rc = APP_OK;
		} else if (r == SQLITE_DONE) {
			rc = app_fail(err, APP_ENOTFOUND, "region '%s' is not in the registry", code);
		} else {
			rc = db_fail(err, c->db, "reading a region");
		}
		sqlite3_reset(st);
	}
	reader_release(q, c);
	return rc;
}

static enum app_err sq_region_children(struct store *s, const char *code, store_region_fn fn,
				       void *ctx, struct app_error *err)
{
	struct sq *q = sq_of(s);
	struct conn *c = reader_acquire(q, err);
	if (!c)
		return APP_EDB;
	enum app_err rc = APP_EDB;
	sqlite3_stmt *st = stmt(c, STMT_REGION_CHILDREN, err);
	if (st) {
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
		rc = each_region(c, st, fn, ctx, NULL, NULL, err);
	}
	reader_release(q, c);
	return rc;
}

static enum app_err sq_region_subtree(struct store *s, const char *code, int max_depth,
				      store_region_fn fn, void *ctx, struct app_error *err)
{
	enum division_level level;
	if (division_code_check(code, &level, err) != APP_OK)
		return APP_EINVAL;
	struct sq *q = sq_of(s);
	struct conn *c = reader_acquire(q, err);
	if (!c)
		return APP_EDB;
	enum app_err rc = APP_EDB;
	sqlite3_stmt *st = stmt(c, STMT_REGION_SUBTREE, err);
	if (st) {
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, (int)level + max_depth);
		rc = each_region(c, st, fn, ctx, NULL, NULL, err);
	}
	reader_release(q, c);
	return rc;
}

static enum app_err sq_region_search(struct store *s, const struct region_query *qu,
				     store_region_fn fn, void *ctx, struct app_error *err)
{
	struct sq *q = sq_of(s);
	struct conn *c = reader_acquire(q, err);
	if (!c)
		return APP_EDB;
	enum app_err rc = APP_OK;
	int found = 0;
	bool stopped = false; /* fn said stop: the infix pass must not run */
	static const enum stmt_id passes[] = { STMT_REGION_SEARCH_PREFIX, STMT_REGION_SEARCH_INFIX };
	for (size_t i = 0; rc == APP_OK && i < 2 && found < qu->limit && !stopped; i++) {
		sqlite3_stmt *st = stmt(c, passes[i], err);
		if (!st) {
			rc = APP_EDB;
			break;
		}
		sqlite3_bind_text(st, 1, qu->text, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, qu->within ? qu->within : "", -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, qu->level);
		sqlite3_bind_int(st, 4, qu->limit - found);
		rc = each_region(c, st, fn, ctx, &found, &stopped, err);
	}
	reader_release(q, c);
	return rc;
}

static enum app_err sq_region_exists(struct store *s, const char *code, bool *exists,
				     struct app_error *err)
{
	struct sq *q = sq_of(s);
	struct conn *c = reader_acquire(q, err);
	if (!c)
		return APP_EDB;
	enum app_err rc = APP_EDB;
	sqlite3_stmt *st = stmt(c, STMT_REGION_EXISTS, err);
	if (st) {
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
		int r = sqlite3_step(st);
		if (r == SQLITE_ROW || r == SQLITE_DONE) {
			*exists = r == SQLITE_ROW;
			rc = APP_OK;
		} else {
			rc = db_fail(err, c->db, "looking up a region");
		}
		sqlite3_reset(st);
	}
	reader_release(q, c);
	return rc;
}

struct import_job {
	const struct region *rows;
	size_t n;
	struct region_import_counts counts;
};

static enum app_err import_one(struct conn *c, const struct region *r,
			       struct region_import_counts *counts, struct app_error *err)
{
	sqlite3_stmt *cur = stmt(c, STMT_REGION_CURRENT, err);
	if (!cur)
		return APP_EDB;
	sqlite3_bind_text(cur, 1, r->code, -1, SQLITE_STATIC);
	int step = sqlite3_step(cur);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		sqlite3_reset(cur);
		return db_fail(err, c->db, "reading a region");
	}
	enum stmt_id id = STMT_REGION_INSERT;
	if (step == SQLITE_ROW) {
		const char *parent = (const char *)sqlite3_column_text(cur, 0);
		const char *name = (const char *)sqlite3_column_text(cur, 2);
		bool same = strcmp(parent ? parent : "", r->parent_code) == 0 &&
			    sqlite3_column_int(cur, 1) == (int)r->level &&
			    strcmp(name ? name : "", r->name) == 0;
		sqlite3_reset(cur);
		if (same) {
			counts->unchanged++;
			return APP_OK;
		}
		id = STMT_REGION_UPDATE;
	} else {
		sqlite3_reset(cur);
	}
	sqlite3_stmt *st = stmt(c, id, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, r->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->parent_code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int)r->level);
	sqlite3_bind_text(st, 4, r->name, -1, SQLITE_STATIC);
	int res = sqlite3_step(st);
	sqlite3_reset(st);
	if (res != SQLITE_DONE) {
		if (res == SQLITE_CONSTRAINT_FOREIGNKEY)
			return app_fail(err, APP_EINVAL,
					"region '%s': parent '%s' is not in the registry", r->code,
					r->parent_code);
		return db_fail(err, c->db, "writing a region");
	}
	if (id == STMT_REGION_INSERT)
		counts->inserted++;
	else
		counts->updated++;
	return APP_OK;
}

static enum app_err import_job_run(struct conn *c, void *arg, struct app_error *err)
{
	struct import_job *ij = arg;
	memset(&ij->counts, 0, sizeof(ij->counts));
	/* Parents first, so that every foreign key holds row by row. */
	for (int level = 0; level < DIV__MAX; level++)
		for (size_t i = 0; i < ij->n; i++)
			if ((int)ij->rows[i].level == level) {
				enum app_err rc = import_one(c, &ij->rows[i], &ij->counts, err);
				if (rc != APP_OK)
					return rc;
			}
	return APP_OK;
}

static enum app_err sq_regions_import(struct store *s, const struct region *rows, size_t n,
				      struct region_import_counts *counts, struct app_error *err)
{
	struct import_job ij = { .rows = rows, .n = n };
	enum app_err rc = write_sync(sq_of(s), import_job_run, &ij, err);
	if (rc == APP_OK)
		*counts = ij.counts;
	return rc;
}

static void sq_stats(struct store *s, struct store_stats *out)
{
	struct sq *q = sq_of(s);
	pthread_mutex_lock(&q->queue_mu);
	out->commits = q->commits;
	out->write_jobs = q->jobs;
	out->write_failures = q->failures;
	out->commit_us = q->commit_us;
	out->max_batch = q->max_batch;
	pthread_mutex_unlock(&q->queue_mu);
	pthread_mutex_lock(&q->pool_mu);
	out->readers = q->readers_open;
	pthread_mutex_unlock(&q->pool_mu);
	struct stat st;
	if (stat(q->path, &st) == 0)
		out->db_bytes = (uint64_t)st.st_size;
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.migrate = sq_migrate,
	.schema_version = sq_schema_version,
	.region_get = sq_region_get,
	.region_children = sq_region_children,
	.region_subtree = sq_region_subtree,
	.region_search = sq_region_search,
	.region_exists = sq_region_exists,
	.regions_import = sq_regions_import,
	.stats = sq_stats,
};
