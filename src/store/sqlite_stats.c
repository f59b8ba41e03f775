/*
 * sqlite_stats.c - the statistics of demands on SQLite (store.h
 * "statistics of demands"): the reads from the rollup (migration 0019) and
 * the messages, the rollup's upkeep inside each write of a case, and its
 * verification and rebuilding. The arithmetic and the definitions are
 * store_stats.c's; this file only moves rows. No rates here: those are
 * src/patrol/stats.c's.
 */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <string.h>

struct stats_read {
	const struct stats_query *q;
	store_stats_part_fn fn;
	void *ctx;
};

/* Bind the query's region, unit length and period as ?1..?4. */
static void bind_query(sqlite3_stmt *st, const struct stats_query *q)
{
	sqlite3_bind_text(st, 1, q->region, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, q->unit_digits);
	sqlite3_bind_int64(st, 3, q->from);
	sqlite3_bind_int64(st, 4, q->to);
}

/* TALK: rows of a unit and its value, handed on as they are. */
static enum app_err read_talk(struct conn *c, struct stats_read *sr, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_STATS_TALK, err);
	if (!st)
		return APP_EDB;
	bind_query(st, sr->q);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		char unit[DIVISION_CODE_MAX + 1];
		int64_t v = sqlite3_column_int64(st, 1);
		sq_copy_text(unit, sizeof(unit), st, 0);
		sr->fn(sr->ctx, STATS_PART_TALK, unit, &v, 1);
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return sq_db_fail(err, c->db, "computing the statistics of demands");
	return APP_OK;
}

/* COUNTS and TIMES: the rollup's rows of each unit summed in one pass. */
static enum app_err read_rollup(struct conn *c, struct stats_read *sr, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_STATS_ROLLUP, err);
	if (!st)
		return APP_EDB;
	bind_query(st, sr->q);
	struct stats_acc acc;
	store_stats_acc_init(&acc, sr->q->total, sr->fn, sr->ctx);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		char unit[DIVISION_CODE_MAX + 1];
		int64_t n[STATS_COUNTS_N];
		sq_copy_text(unit, sizeof(unit), st, 0);
		for (int i = 0; i < STATS_COUNTS_N; i++)
			n[i] = sqlite3_column_int64(st, 1 + i);
		const unsigned char *times = sqlite3_column_text(st, 1 + STATS_COUNTS_N);
		store_stats_acc_row(&acc, unit, n, times ? (const char *)times : "");
	}
	sqlite3_reset(st);
	store_stats_acc_finish(&acc, r == SQLITE_DONE);
	if (r != SQLITE_DONE)
		return sq_db_fail(err, c->db, "computing the statistics of demands");
	return APP_OK;
}

static enum app_err stats_read_conn(struct conn *c, void *arg, struct app_error *err)
{
	struct stats_read *sr = arg;
	enum app_err rc = read_rollup(c, sr, err);
	if (rc == APP_OK)
		rc = read_talk(c, sr, err);
	return rc;
}

static enum app_err stats_read(struct store *s, const struct stats_query *q,
			       store_stats_part_fn fn, void *ctx, struct app_error *err)
{
	struct stats_read sr = { q, fn, ctx };
	return sq_read(s, stats_read_conn, &sr, err);
}

/* ---- upkeep ---- */

/* The row st is on (ROLLUP_COLS) into r. */
static void read_row(sqlite3_stmt *st, struct stats_rollup_row *r)
{
	sq_copy_text(r->region, sizeof(r->region), st, 0);
	r->day = sqlite3_column_int64(st, 1);
	for (int i = 0; i < STATS_COUNTS_N; i++)
		r->n[i] = sqlite3_column_int64(st, 2 + i);
	r->acknowledged = sqlite3_column_int64(st, 2 + STATS_COUNTS_N);
	const unsigned char *times = sqlite3_column_text(st, 3 + STATS_COUNTS_N);
	strbuf_reset(&r->times);
	if (times)
		strbuf_addstr(&r->times, (const char *)times);
}

static enum app_err apply(void *ctx, const struct stats_contrib *k, int sign,
			  struct app_error *err)
{
	struct conn *c = ctx;
	struct stats_rollup_row row;
	store_stats_row_init(&row);
	snprintf(row.region, sizeof(row.region), "%s", k->region);
	row.day = k->day;
	sqlite3_stmt *st = sq_stmt(c, STMT_ROLLUP_GET, err);
	if (!st)
		goto fail;
	sqlite3_bind_text(st, 1, k->region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, k->day);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		read_row(st, &row);
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		sq_db_fail(err, c->db, "reading the statistics rollup");
		goto fail;
	}
	store_stats_row_add(&row, k, sign);
	if (!(st = sq_stmt(c, STMT_ROLLUP_PUT, err)))
		goto fail;
	sqlite3_bind_text(st, 1, row.region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, row.day);
	for (int i = 0; i < STATS_COUNTS_N; i++)
		sqlite3_bind_int64(st, 3 + i, row.n[i]);
	sqlite3_bind_int64(st, 3 + STATS_COUNTS_N, row.acknowledged);
	sqlite3_bind_text(st, 4 + STATS_COUNTS_N, row.times.buf, (int)row.times.len,
			  SQLITE_STATIC);
	enum app_err rc = sq_step_done(c, st, "writing the statistics rollup", err);
	store_stats_row_release(&row);
	return rc;
fail:
	store_stats_row_release(&row);
	return APP_EDB;
}

/* The facts of the timeline of case id as stored. */
static enum app_err read_facts(struct conn *c, int64_t id, struct stats_facts *f,
			       struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_STATS_FACTS, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, id);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		f->acknowledged = sqlite3_column_type(st, 0) != SQLITE_NULL;
		f->first_ack = sqlite3_column_int64(st, 0);
		f->missed_ack = sqlite3_column_int(st, 1) != 0;
		f->missed_resolve = sqlite3_column_int(st, 2) != 0;
	}
	sqlite3_reset(st);
	if (r != SQLITE_ROW)
		return sq_db_fail(err, c->db, "reading a case's timeline");
	return APP_OK;
}

enum app_err sq_stats_case_change(struct conn *c, const struct case_row *old,
				  const struct case_row *k, const struct case_event_row *steps,
				  int nsteps, struct app_error *err)
{
	struct stats_facts f = { 0 };
	struct stats_contrib before, after;
	bool had = false;
	if (strcmp(k->type, "demand") != 0 && (!old || strcmp(old->type, "demand") != 0))
		return APP_OK;
	if (old) {
		enum app_err rc = read_facts(c, old->id, &f, err);
		if (rc != APP_OK)
			return rc;
		had = store_stats_contribution(old, &f, &before);
	}
	store_stats_facts_add(&f, steps, nsteps);
	bool has = store_stats_contribution(k, &f, &after);
	return store_stats_change(had ? &before : NULL, has ? &after : NULL, apply, c, err);
}

/* ---- verify, rebuild ---- */

struct verify_read {
	store_stats_diff_fn fn;
	void *ctx;
	int64_t diffs;
};

/* Collect the rows of statement id (ROLLUP_COLS) into v. */
static enum app_err collect(struct conn *c, enum stmt_id id, bool stored, struct stats_verify *v,
			    struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, id, err);
	if (!st)
		return APP_EDB;
	struct stats_rollup_row row;
	store_stats_row_init(&row);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		read_row(st, &row);
		store_stats_verify_add(v, stored, &row);
	}
	store_stats_row_release(&row);
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return sq_db_fail(err, c->db, "verifying the statistics rollup");
	return APP_OK;
}

static enum app_err verify_conn(struct conn *c, void *arg, struct app_error *err)
{
	struct verify_read *vr = arg;
	struct stats_verify v = { 0 };
	/* one read transaction: both sides see the same demands */
	enum app_err rc = sq_run(c, STMT_BEGIN_DEFERRED, "starting a read", err);
	if (rc == APP_OK)
		rc = collect(c, STMT_ROLLUP_ALL, true, &v, err);
	if (rc == APP_OK)
		rc = collect(c, STMT_ROLLUP_RECOMPUTE, false, &v, err);
	struct app_error ignored;
	sq_run(c, STMT_COMMIT, "ending a read", &ignored);
	vr->diffs = store_stats_verify_finish(&v, vr->fn, vr->ctx);
	return rc;
}

static enum app_err stats_verify(struct store *s, store_stats_diff_fn fn, void *ctx,
				 int64_t *diffs, struct app_error *err)
{
	struct verify_read vr = { fn, ctx, 0 };
	enum app_err rc = sq_read(s, verify_conn, &vr, err);
	if (rc == APP_OK)
		*diffs = vr.diffs;
	return rc;
}

static enum app_err rebuild_job(struct conn *c, void *arg, struct app_error *err)
{
	(void)arg;
	enum app_err rc = sq_run(c, STMT_ROLLUP_CLEAR, "clearing the statistics rollup", err);
	if (rc == APP_OK)
		rc = sq_run(c, STMT_ROLLUP_REBUILD, "rebuilding the statistics rollup", err);
	return rc;
}

static enum app_err stats_rebuild(struct store *s, struct app_error *err)
{
	return sq_write(s, rebuild_job, NULL, err);
}

const struct store_stats_ops sq_stats_ops = {
	.read = stats_read,
	.verify = stats_verify,
	.rebuild = stats_rebuild,
};
