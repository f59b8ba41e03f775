/*
 * pg.c - the PostgreSQL backend of the store (chosen by a postgresql:// or
 * postgres:// URI), through libpq.
 *
 * Connections: a small pool (a mutex and a free list). A connection is
 * opened when no free one is left, and one that broke (PQstatus is no longer
 * CONNECTION_OK) is closed instead of going back to the list, so the next
 * request opens a fresh one. Every session runs with synchronous_commit on:
 * a COMMIT returns once the change is durable.
 *
 * Writes: each write is a function run inside its own transaction (BEGIN ...
 * COMMIT); a failure rolls it back whole. PostgreSQL serialises concurrent
 * writers itself; the audit chain is serialised by an advisory lock taken
 * before its tail is read (pg_audit.c).
 *
 * Every SQL statement is declared in pg_stmt_sql[] (pg_sql.c) and prepared
 * once per connection under its id's name; values are always bound, never
 * pasted into SQL text. This file holds the machinery; pg_regions.c,
 * pg_audit.c, pg_accounts.c, pg_events.c, pg_groups.c and pg_messages.c
 * hold the domain operations.
 */
#include "store/pg_int.h"
#include "store/pg_fts.h"
#include "core/log.h"
#include "core/mem.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct pg *pg_impl(struct store *s) { return s->impl; }

/* ---- parameters and columns ---- */

void pgp_text(struct pg_params *p, const char *s)
{
	p->values[p->n] = s ? s : "";
	p->lengths[p->n] = 0;
	p->formats[p->n] = 0;
	p->n++;
}

void pgp_int(struct pg_params *p, int64_t v)
{
	snprintf(p->num[p->n], sizeof(p->num[p->n]), "%" PRId64, v);
	pgp_text(p, p->num[p->n]);
}

void pgp_real(struct pg_params *p, double v)
{
	snprintf(p->num[p->n], sizeof(p->num[p->n]), "%.17g", v);
	pgp_text(p, p->num[p->n]);
}

void pg_array_init(struct pg_array *a)
{
	strbuf_init(&a->sb, 256);
	strbuf_addch(&a->sb, '{');
	a->n = 0;
}

void pg_array_int(struct pg_array *a, int64_t v)
{
	strbuf_addf(&a->sb, "%s%" PRId64, a->n++ ? "," : "", v);
}

/* Double-quoted with its quotes and backslashes escaped (the array
 * literal's rules). */
void pg_array_text(struct pg_array *a, const char *s)
{
	strbuf_addstr(&a->sb, a->n++ ? ",\"" : "\"");
	for (const char *run = s;; s++) {
		if (*s && *s != '"' && *s != '\\')
			continue;
		strbuf_add(&a->sb, run, (size_t)(s - run));
		if (!*s)
			break;
		strbuf_addch(&a->sb, '\\');
		strbuf_addch(&a->sb, *s);
		run = s + 1;
	}
	strbuf_addch(&a->sb, '"');
}

void pg_array_param(struct pg_params *p, struct pg_array *a)
{
	strbuf_addch(&a->sb, '}');
	pgp_text(p, a->sb.buf);
}

void pg_array_release(struct pg_array *a)
{
	strbuf_release(&a->sb);
}

void pgp_blob(struct pg_params *p, const uint8_t *b, size_t len)
{
	p->values[p->n] = (const char *)b;
	p->lengths[p->n] = (int)len;
	p->formats[p->n] = 1; /* binary: the bytes as they are */
	p->n++;
}

void pg_copy_text(char *dst, size_t cap, const PGresult *r, int row, int col)
{
	snprintf(dst, cap, "%s", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

int64_t pg_int(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

double pg_real(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtod(PQgetvalue(r, row, col), NULL);
}

bool pg_bool(const PGresult *r, int row, int col)
{
	return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode v (vlen bytes: a bytea's text as bytea_output hex, set for
 * every connection, writes it: "\x" and two hex digits a byte) into
 * out[0..len); false when v is not a bytea of len bytes. */
static bool bytea_decode(const char *v, size_t vlen, uint8_t *out, size_t len)
{
	if (vlen != 2 + 2 * len || v[0] != '\\' || v[1] != 'x')
		return false;
	for (size_t i = 0; i < len; i++) {
		int hi = hexval(v[2 + 2 * i]), lo = hexval(v[3 + 2 * i]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

bool pg_bytea(const PGresult *r, int row, int col, uint8_t *out, size_t len)
{
	return !PQgetisnull(r, row, col) &&
	       bytea_decode(PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col), out, len);
}

uint8_t *pg_bytea_dup(const PGresult *r, int row, int col, size_t *len)
{
	size_t vlen = (size_t)PQgetlength(r, row, col);
	if (PQgetisnull(r, row, col) || vlen < 2)
		return NULL;
	size_t n = (vlen - 2) / 2;
	uint8_t *out = xmalloc(n ? n : 1);
	if (!bytea_decode(PQgetvalue(r, row, col), vlen, out, n)) {
		free(out);
		return NULL;
	}
	*len = n;
	return out;
}

/* ---- errors ---- */

static bool conn_lost(struct pg_conn *c)
{
	if (PQstatus(c->db) != CONNECTION_OK)
		return true;
	/* class 08 (connection exception), 57P0x (the server shuts down) */
	return strncmp(c->sqlstate, "08", 2) == 0 || strncmp(c->sqlstate, "57P", 3) == 0;
}

static enum app_err unavailable(struct app_error *err, const char *detail)
{
	char d[200];
	snprintf(d, sizeof(d), "%s", detail ? detail : "");
	d[strcspn(d, "\n")] = '\0';
	log_warn("store.unavailable", "reason=\"%s\"", d);
	return app_fail(err, APP_EUNAVAIL, "the database is unavailable");
}

/* Classify the failed result res of `what` on c. */
static enum app_err exec_fail(struct pg_conn *c, PGresult *res, const char *what,
			      struct app_error *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *cons = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
	snprintf(c->sqlstate, sizeof(c->sqlstate), "%s", state ? state : "");
	snprintf(c->constraint, sizeof(c->constraint), "%s", cons ? cons : "");
	const char *msg = res ? PQresultErrorMessage(res) : "";
	if (!*msg)
		msg = PQerrorMessage(c->db);
	char m[300];
	snprintf(m, sizeof(m), "%s", msg);
	m[strcspn(m, "\n")] = '\0';
	if (conn_lost(c))
		return unavailable(err, m);
	if (strcmp(c->sqlstate, "23505") == 0)
		return app_fail(err, APP_ECONFLICT, "%s: it exists already", what);
	if (strcmp(c->sqlstate, "23503") == 0)
		return app_fail(err, APP_EINVAL,
				"%s: it refers to a region, household or user that does not exist",
				what);
	return app_fail(err, APP_EDB, "database error while %s: %s", what, m);
}

/* ---- statements ---- */

/* Prepare statement id on c once, under its name ("s<id>", into name). */
static enum app_err prepare(struct pg_conn *c, enum pg_stmt id, char name[16],
			    struct app_error *err)
{
	snprintf(name, 16, "s%d", (int)id);
	c->sqlstate[0] = c->constraint[0] = '\0';
	if (c->prepared[id])
		return APP_OK;
	PGresult *pr = PQprepare(c->db, name, pg_stmt_sql[id], 0, NULL);
	if (PQresultStatus(pr) != PGRES_COMMAND_OK) {
		enum app_err rc = exec_fail(c, pr, "preparing a statement", err);
		PQclear(pr);
		return rc;
	}
	PQclear(pr);
	c->prepared[id] = 1;
	return APP_OK;
}

enum app_err pg_exec(struct pg_conn *c, enum pg_stmt id, const struct pg_params *p,
		     const char *what, PGresult **res, int64_t *changes, struct app_error *err)
{
	char name[16];
	if (res)
		*res = NULL;
	enum app_err prc = prepare(c, id, name, err);
	if (prc != APP_OK)
		return prc;
	PGresult *r = PQexecPrepared(c->db, name, p ? p->n : 0, p ? p->values : NULL,
				     p ? p->lengths : NULL, p ? p->formats : NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		enum app_err rc = exec_fail(c, r, what, err);
		PQclear(r);
		return rc;
	}
	if (changes) {
		const char *t = PQcmdTuples(r);
		*changes = *t ? strtoll(t, NULL, 10) : 0;
	}
	if (res)
		*res = r;
	else
		PQclear(r);
	return APP_OK;
}

enum app_err pg_exec_each(struct pg_conn *c, enum pg_stmt id, const struct pg_params *p,
			  const char *what, pg_row_fn fn, void *ctx, struct app_error *err)
{
	char name[16];
	enum app_err rc = prepare(c, id, name, err);
	if (rc != APP_OK)
		return rc;
	if (!PQsendQueryPrepared(c->db, name, p ? p->n : 0, p ? p->values : NULL,
				 p ? p->lengths : NULL, p ? p->formats : NULL, 0))
		return exec_fail(c, NULL, what, err);
	PQsetSingleRowMode(c->db);
	/* every result is read, even after a failure, so that the connection
	 * is ready for its next statement */
	PGresult *r;
	while ((r = PQgetResult(c->db))) {
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_SINGLE_TUPLE) {
			if (rc == APP_OK)
				fn(ctx, r);
		} else if (st != PGRES_TUPLES_OK && rc == APP_OK) {
			rc = exec_fail(c, r, what, err);
		}
		PQclear(r);
	}
	return rc;
}

/* ---- connections ---- */

void pg_conn_close(struct pg_conn *c)
{
	if (!c)
		return;
	PQfinish(c->db);
	free(c);
}

/* Run SQL without parameters (fixed text of this backend, never input). */
enum app_err pg_conn_exec(struct pg_conn *c, const char *sql, const char *what,
			  struct app_error *err)
{
	PGresult *r = PQexec(c->db, sql);
	ExecStatusType st = PQresultStatus(r);
	enum app_err rc = APP_OK;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = exec_fail(c, r, what, err);
	PQclear(r);
	return rc;
}

enum app_err pg_conn_open(const char *uri, struct pg_conn **out, struct app_error *err)
{
	/* Later keywords override earlier ones: the URI may set its own
	 * connect_timeout or application_name. */
	const char *keys[] = { "connect_timeout", "fallback_application_name", "dbname", NULL };
	const char *vals[] = { "10", "bianmin", uri, NULL };
	struct pg_conn *c = xcalloc(1, sizeof(*c));
	c->db = PQconnectdbParams(keys, vals, 1);
	if (!c->db || PQstatus(c->db) != CONNECTION_OK) {
		char m[300];
		snprintf(m, sizeof(m), "%s", c->db ? PQerrorMessage(c->db) : "out of memory");
		m[strcspn(m, "\n")] = '\0';
		pg_conn_close(c);
		if (strstr(m, "does not exist") && strstr(m, "database"))
			return app_fail(err, APP_ENOTFOUND,
					"database '%s' does not exist: create it (createdb), then run "
					"'bianmin init --db %s'",
					uri, uri);
		return unavailable(err, m);
	}
	enum app_err rc = pg_conn_exec(c,
				    "SET synchronous_commit = on; SET bytea_output = 'hex'; "
				    "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'; "
				    "SET client_min_messages = warning",
				    "setting up a connection", err);
	if (rc != APP_OK) {
		pg_conn_close(c);
		return rc;
	}
	*out = c;
	return APP_OK;
}

struct pg_conn *pg_acquire(struct pg *q, struct app_error *err)
{
	pthread_mutex_lock(&q->mu);
	struct pg_conn *c = q->free;
	if (c) {
		q->free = c->next;
		pthread_mutex_unlock(&q->mu);
		return c;
	}
	q->open++; /* counted while it opens, so stats never under-count */
	pthread_mutex_unlock(&q->mu);
	if (pg_conn_open(q->uri, &c, err) != APP_OK) {
		pthread_mutex_lock(&q->mu);
		q->open--;
		pthread_mutex_unlock(&q->mu);
		return NULL;
	}
	return c;
}

void pg_release(struct pg *q, struct pg_conn *c)
{
	/* A broken connection, or one left inside a transaction, is dropped. */
	bool ok = PQstatus(c->db) == CONNECTION_OK &&
		  PQtransactionStatus(c->db) == PQTRANS_IDLE;
	pthread_mutex_lock(&q->mu);
	if (ok) {
		c->next = q->free;
		q->free = c;
	} else {
		q->open--;
	}
	pthread_mutex_unlock(&q->mu);
	if (!ok) {
		log_warn("store.connection_dropped", "status=%d", (int)PQstatus(c->db));
		pg_conn_close(c);
	}
}

enum app_err pg_read(struct store *s, pg_fn fn, void *arg, struct app_error *err)
{
	struct pg *q = pg_impl(s);
	struct app_error local;
	if (!err)
		err = &local;
	struct pg_conn *c = pg_acquire(q, err);
	if (!c)
		return err->code;
	enum app_err rc = fn(c, arg, err);
	pg_release(q, c);
	return rc;
}

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* What pg_write_each runs inside its transaction. */
struct each_call {
	pg_fn fn;
	void *const *args;
	int n;
	enum app_err *results;
	struct app_error *errs;
};

/* Each call in a savepoint of its own; a single call needs none (its
 * failure is the transaction's). */
static enum app_err run_each(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct each_call *e = arg;
	if (e->n == 1)
		return e->results[0] = e->fn(c, e->args[0], err);
	for (int i = 0; i < e->n; i++) {
		enum app_err rc = pg_conn_exec(c, "SAVEPOINT each", "opening a savepoint", err);
		if (rc != APP_OK)
			return rc;
		struct pg_tx_state before = c->tx;
		e->results[i] = e->fn(c, e->args[i], &e->errs[i]);
		if (e->results[i] != APP_OK) {
			rc = pg_conn_exec(c, "ROLLBACK TO SAVEPOINT each", "rolling back a write",
					  err);
			c->tx = before;
		}
		if (rc == APP_OK)
			rc = pg_conn_exec(c, "RELEASE SAVEPOINT each", "releasing a savepoint", err);
		if (rc != APP_OK)
			return rc;
	}
	return APP_OK;
}

enum app_err pg_write_each(struct store *s, pg_fn fn, void *const *args, int n,
			   enum app_err *results, struct app_error *errs)
{
	assert(n >= 1);
	struct pg *q = pg_impl(s);
	struct app_error whole;
	struct each_call e = { fn, args, n, results, errs };
	struct pg_conn *c = pg_acquire(q, &whole);
	enum app_err rc = c ? APP_OK : whole.code;
	uint64_t spent = 0;
	if (c) {
		memset(&c->tx, 0, sizeof(c->tx));
		rc = pg_exec(c, PS_BEGIN, NULL, "starting a transaction", NULL, NULL, &whole);
	}
	if (rc == APP_OK)
		rc = run_each(c, &e, n == 1 ? &errs[0] : &whole);
	if (rc == APP_OK) {
		uint64_t t0 = now_us();
		rc = pg_exec(c, PS_COMMIT, NULL, "committing", NULL, NULL, &whole);
		spent = now_us() - t0;
	}
	if (c && rc != APP_OK && PQstatus(c->db) == CONNECTION_OK &&
	    PQtransactionStatus(c->db) != PQTRANS_IDLE) {
		struct app_error ignored;
		pg_exec(c, PS_ROLLBACK, NULL, "rolling back", NULL, NULL, &ignored);
	}
	if (c) {
		pthread_mutex_lock(&q->mu);
		if (rc == APP_OK) {
			q->commits++;
			q->commit_us += spent;
		} else {
			q->failures++;
		}
		pthread_mutex_unlock(&q->mu);
		pg_release(q, c);
	}
	bool one_failed = n == 1 && c && results[0] != APP_OK && rc == results[0];
	for (int i = 0; rc != APP_OK && !one_failed && i < n; i++) {
		results[i] = rc;
		errs[i] = whole;
	}
	return c ? APP_OK : rc;
}

enum app_err pg_write(struct store *s, pg_fn fn, void *arg, struct app_error *err)
{
	enum app_err result;
	struct app_error local;
	pg_write_each(s, fn, &arg, 1, &result, err ? err : &local);
	return result;
}

/* ---- open, close, migrations ---- */

static void pg_free(struct pg *q)
{
	while (q->free) {
		struct pg_conn *c = q->free;
		q->free = c->next;
		pg_conn_close(c);
	}
	pthread_mutex_destroy(&q->mu);
	free(q->uri);
	free(q);
}

static enum app_err setup_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	(void)arg;
	enum app_err rc = pg_exec(c, PS_MIGRATE_LOCK, NULL, "locking the schema", NULL, NULL, err);
	if (rc == APP_OK)
		rc = pg_conn_exec(c,
			       "CREATE TABLE IF NOT EXISTS schema_migrations ("
			       " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
			       " applied_at TEXT NOT NULL)",
			       "creating the migrations table", err);
	return rc;
}

static enum app_err pgb_open(struct store *s, const char *uri, enum store_open_mode mode,
			     struct app_error *err)
{
	(void)mode; /* the database itself is made by its administrator (createdb) */
	struct pg *q = xcalloc(1, sizeof(*q));
	q->uri = xstrdup(uri);
	pthread_mutex_init(&q->mu, NULL);
	s->impl = q;
	/* Connect now, so that a wrong URI fails at once, and make sure the
	 * migrations table is there. */
	enum app_err rc = pg_write(s, setup_job, NULL, err);
	if (rc != APP_OK) {
		s->impl = NULL;
		pg_free(q);
		return rc;
	}
	pthread_mutex_lock(&q->mu);
	q->commits = 0; /* the setup is not one of the writes the figures count */
	q->commit_us = 0;
	pthread_mutex_unlock(&q->mu);
	return APP_OK;
}

static void pgb_close(struct store *s)
{
	pg_event_ops.unwatch(s); /* the listener thread uses the pool's URI */
	pg_free(pg_impl(s));
	s->impl = NULL;
}

static int migration_version(const struct store_migration *m) { return atoi(m->name); }

/* The database's schema version, failing when a migration below it is
 * missing (store_migrations_complete). */
static enum app_err read_version(struct pg_conn *c, int *out, struct app_error *err)
{
	PGresult *r;
	enum app_err rc = pg_exec(c, PS_SCHEMA_VERSION, NULL, "reading the schema version", &r,
				  NULL, err);
	if (rc != APP_OK)
		return rc;
	*out = PQntuples(r) == 1 ? (int)pg_int(r, 0, 0) : 0;
	int applied = PQntuples(r) == 1 ? (int)pg_int(r, 0, 1) : 0;
	PQclear(r);
	return store_migrations_complete(store_pg_migrations, store_pg_migrations_count, *out,
					 applied, err);
}

struct migrate_job {
	int applied;
};

static enum app_err migrate_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct migrate_job *mj = arg;
	int current = 0;
	enum app_err rc = pg_exec(c, PS_MIGRATE_LOCK, NULL, "locking the schema", NULL, NULL, err);
	if (rc == APP_OK)
		rc = read_version(c, &current, err);
	for (size_t i = 0; rc == APP_OK && i < store_pg_migrations_count; i++) {
		const struct store_migration *m = &store_pg_migrations[i];
		if (migration_version(m) <= current)
			continue;
		/* the migration's text is part of this binary, never input */
		rc = pg_conn_exec(c, m->data, "applying a migration", err);
		if (rc != APP_OK)
			break;
		struct pg_params p = { 0 };
		pgp_int(&p, migration_version(m));
		pgp_text(&p, m->name);
		rc = pg_exec(c, PS_MIGRATION_RECORD, &p, "recording a migration", NULL, NULL, err);
		if (rc == APP_OK) {
			mj->applied++;
			log_info("store.migrated", "version=%d name=%s", migration_version(m), m->name);
		}
	}
	return rc;
}

static enum app_err pgb_migrate(struct store *s, int *applied, struct app_error *err)
{
	/* All pending migrations in one transaction (DDL is transactional in
	 * PostgreSQL): a failure leaves the schema exactly as it was. */
	struct migrate_job mj = { 0 };
	enum app_err rc = pg_write(s, migrate_job, &mj, err);
	*applied = rc == APP_OK ? mj.applied : 0;
	return rc;
}

static enum app_err version_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	return read_version(c, arg, err);
}

static enum app_err pgb_schema_version(struct store *s, int *current, int *expected,
				       struct app_error *err)
{
	*current = 0;
	enum app_err rc = pg_read(s, version_read, current, err);
	*expected = 0;
	for (size_t i = 0; i < store_pg_migrations_count; i++)
		if (migration_version(&store_pg_migrations[i]) > *expected)
			*expected = migration_version(&store_pg_migrations[i]);
	return rc;
}

static enum app_err size_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	PGresult *r;
	enum app_err rc = pg_exec(c, PS_DB_SIZE, NULL, "reading the database size", &r, NULL, err);
	if (rc == APP_OK) {
		*(uint64_t *)arg = PQntuples(r) == 1 ? (uint64_t)pg_int(r, 0, 0) : 0;
		PQclear(r);
	}
	return rc;
}

static void pgb_stats(struct store *s, struct store_stats *out)
{
	struct pg *q = pg_impl(s);
	pthread_mutex_lock(&q->mu);
	out->commits = q->commits;
	out->write_jobs = q->commits + q->failures;
	out->write_failures = q->failures;
	out->commit_us = q->commit_us;
	out->max_batch = q->commits ? 1 : 0; /* one write per transaction */
	out->readers = q->open;
	pthread_mutex_unlock(&q->mu);
	struct app_error ignored;
	uint64_t bytes = 0;
	if (pg_read(s, size_read, &bytes, &ignored) == APP_OK)
		out->db_bytes = bytes;
}

const struct store_ops store_pg_ops = {
	.name = "postgresql",
	.open = pgb_open,
	.close = pgb_close,
	.search_rebuild = pg_fts_rebuild,
	.migrate = pgb_migrate,
	.schema_version = pgb_schema_version,
	.stats = pgb_stats,
	.regions = &pg_region_ops,
	.audit = &pg_audit_ops,
	.accounts = &pg_account_ops,
	.events = &pg_event_ops,
	.sched = &pg_sched_ops,
	.groups = &pg_group_ops,
	.messages = &pg_message_ops,
	.calendar = &pg_calendar_ops,
	.cases = &pg_case_ops,
	.case_photos = &pg_case_photo_ops,
	.case_settings = &pg_case_settings_ops,
	.patrol = &pg_patrol_ops,
	.case_stats = &pg_stats_ops,
	.supervise = &pg_supervise_ops,
	.exchange = &pg_exchange_ops,
	.entitle = &pg_entitle_ops,
	.bundles = &pg_bundle_ops,
	.outbox = &pg_outbox_ops,
};
