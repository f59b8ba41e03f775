/*
 * pg_stats.c - the statistics of demands on PostgreSQL: the twin of
 * sqlite_stats.c (reads from the rollup of migration 0019 and from the
 * messages, the rollup's upkeep inside each write of a case, verifying and
 * rebuilding it). A rollup row is created if missing and then read with
 * FOR UPDATE, so two transactions changing one row queue on it instead of
 * losing one's difference; a rebuild locks the table against writers.
 */
#include "store/pg_int.h"

#include <stdio.h>
#include <string.h>

struct stats_read {
	const struct stats_query *q;
	store_stats_part_fn fn;
	void *ctx;
};

/* The query's region, unit length and period as $1..$4 of a part. */
static void query_params(const struct stats_query *q, struct pg_params *p)
{
	pgp_text(p, q->region);
	pgp_int(p, q->unit_digits);
	pgp_int(p, q->from);
	pgp_int(p, q->to);
}

/* TALK: rows of a unit and its value, handed on as they are. */
static enum app_err read_talk(struct pg_conn *c, struct stats_read *sr, struct app_error *err)
{
	struct pg_params p = { 0 };
	query_params(sr->q, &p);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_STATS_TALK, &p, "computing the statistics of demands",
				  &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	for (int row = 0, rows = PQntuples(res); row < rows; row++) {
		char unit[DIVISION_CODE_MAX + 1];
		int64_t v = pg_int(res, row, 1);
		pg_copy_text(unit, sizeof(unit), res, row, 0);
		sr->fn(sr->ctx, STATS_PART_TALK, unit, &v, 1);
	}
	PQclear(res);
	return APP_OK;
}

static void rollup_row(void *ctx, const PGresult *row)
{
	char unit[DIVISION_CODE_MAX + 1];
	int64_t n[STATS_COUNTS_N];
	pg_copy_text(unit, sizeof(unit), row, 0, 0);
	for (int i = 0; i < STATS_COUNTS_N; i++)
		n[i] = pg_int(row, 0, 1 + i);
	store_stats_acc_row(ctx, unit, n, PQgetvalue(row, 0, 1 + STATS_COUNTS_N));
}

/* COUNTS and TIMES: the rollup's rows of each unit summed in one pass. The
 * rows stream in one by one: a county's year is some 180,000 rows and tens
 * of megabytes of histograms, which a whole result would hold in memory. */
static enum app_err read_rollup(struct pg_conn *c, struct stats_read *sr, struct app_error *err)
{
	struct pg_params p = { 0 };
	query_params(sr->q, &p);
	struct stats_acc acc;
	store_stats_acc_init(&acc, sr->q->total, sr->fn, sr->ctx);
	enum app_err rc = pg_exec_each(c, PS_STATS_ROLLUP, &p,
				       "computing the statistics of demands", rollup_row, &acc, err);
	store_stats_acc_finish(&acc, rc == APP_OK);
	return rc;
}

static enum app_err stats_read_conn(struct pg_conn *c, void *arg, struct app_error *err)
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
	return pg_read(s, stats_read_conn, &sr, err);
}

/* ---- upkeep ---- */

/* Row `row` of res (ROLLUP_COLS) into r. */
static void read_row(const PGresult *res, int row, struct stats_rollup_row *r)
{
	pg_copy_text(r->region, sizeof(r->region), res, row, 0);
	r->day = pg_int(res, row, 1);
	for (int i = 0; i < STATS_COUNTS_N; i++)
		r->n[i] = pg_int(res, row, 2 + i);
	r->acknowledged = pg_int(res, row, 2 + STATS_COUNTS_N);
	strbuf_reset(&r->times);
	strbuf_addstr(&r->times, PQgetvalue(res, row, 3 + STATS_COUNTS_N));
}

static enum app_err apply(void *ctx, const struct stats_contrib *k, int sign,
			  struct app_error *err)
{
	struct pg_conn *c = ctx;
	struct pg_params p = { 0 };
	pgp_text(&p, k->region);
	pgp_int(&p, k->day);
	enum app_err rc = pg_exec(c, PS_ROLLUP_ENSURE, &p, "writing the statistics rollup", NULL,
				  NULL, err);
	if (rc != APP_OK)
		return rc;
	PGresult *res;
	if ((rc = pg_exec(c, PS_ROLLUP_GET, &p, "reading the statistics rollup", &res, NULL,
			  err)) != APP_OK)
		return rc;
	struct stats_rollup_row row;
	store_stats_row_init(&row);
	if (PQntuples(res) == 1)
		read_row(res, 0, &row);
	PQclear(res);
	store_stats_row_add(&row, k, sign);
	struct pg_params q = { 0 };
	pgp_text(&q, k->region);
	pgp_int(&q, k->day);
	for (int i = 0; i < STATS_COUNTS_N; i++)
		pgp_int(&q, row.n[i]);
	pgp_int(&q, row.acknowledged);
	pgp_text(&q, row.times.buf);
	rc = pg_exec(c, PS_ROLLUP_PUT, &q, "writing the statistics rollup", NULL, NULL, err);
	store_stats_row_release(&row);
	return rc;
}

/* The facts of the timeline of case id as stored. */
static enum app_err read_facts(struct pg_conn *c, int64_t id, struct stats_facts *f,
			       struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_int(&p, id);
	PGresult *res;
	enum app_err rc =
		pg_exec(c, PS_STATS_FACTS, &p, "reading a case's timeline", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	if (PQntuples(res) == 1) {
		f->acknowledged = !PQgetisnull(res, 0, 0);
		f->first_ack = pg_int(res, 0, 0);
		f->missed_ack = pg_bool(res, 0, 1);
		f->missed_resolve = pg_bool(res, 0, 2);
	}
	PQclear(res);
	return APP_OK;
}

enum app_err pg_stats_case_change(struct pg_conn *c, const struct case_row *old,
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

static enum app_err collect(struct pg_conn *c, enum pg_stmt id, bool stored,
			    struct stats_verify *v, struct app_error *err)
{
	PGresult *res;
	enum app_err rc =
		pg_exec(c, id, NULL, "verifying the statistics rollup", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	struct stats_rollup_row row;
	store_stats_row_init(&row);
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		read_row(res, i, &row);
		store_stats_verify_add(v, stored, &row);
	}
	store_stats_row_release(&row);
	PQclear(res);
	return APP_OK;
}

static enum app_err verify_conn(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct verify_read *vr = arg;
	struct stats_verify v = { 0 };
	/* one snapshot: both sides see the same demands */
	enum app_err rc = pg_conn_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
				       "starting a read", err);
	if (rc != APP_OK)
		return rc;
	rc = collect(c, PS_ROLLUP_ALL, true, &v, err);
	if (rc == APP_OK)
		rc = collect(c, PS_ROLLUP_RECOMPUTE, false, &v, err);
	struct app_error ignored;
	pg_conn_exec(c, "COMMIT", "ending a read", &ignored);
	vr->diffs = store_stats_verify_finish(&v, vr->fn, vr->ctx);
	return rc;
}

static enum app_err stats_verify(struct store *s, store_stats_diff_fn fn, void *ctx,
				 int64_t *diffs, struct app_error *err)
{
	struct verify_read vr = { fn, ctx, 0 };
	enum app_err rc = pg_read(s, verify_conn, &vr, err);
	if (rc == APP_OK)
		*diffs = vr.diffs;
	return rc;
}

static enum app_err rebuild_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	(void)arg;
	static const enum pg_stmt steps[] = { PS_ROLLUP_LOCK, PS_ROLLUP_CLEAR, PS_ROLLUP_REBUILD };
	enum app_err rc = APP_OK;
	for (size_t i = 0; rc == APP_OK && i < sizeof(steps) / sizeof(steps[0]); i++)
		rc = pg_exec(c, steps[i], NULL, "rebuilding the statistics rollup", NULL, NULL,
			     err);
	return rc;
}

static enum app_err stats_rebuild(struct store *s, struct app_error *err)
{
	return pg_write(s, rebuild_job, NULL, err);
}

const struct store_stats_ops pg_stats_ops = {
	.read = stats_read,
	.verify = stats_verify,
	.rebuild = stats_rebuild,
};
