/*
 * pg_stats.c - the statistics of demands on PostgreSQL (store.h
 * "statistics of demands"): three grouped reads, each computed by the
 * database over the period, handed on row by row. No rates here: the
 * definitions live in src/patrol/stats.c and docs/patrol.md.
 */
#include "store/pg_int.h"

static const enum pg_stmt part_stmt[STATS_PART__MAX] = {
	[STATS_PART_COUNTS] = PS_STATS_COUNTS,
	[STATS_PART_TIMES] = PS_STATS_TIMES,
	[STATS_PART_TALK] = PS_STATS_TALK,
};

struct stats_read {
	const struct stats_query *q;
	store_stats_part_fn fn;
	void *ctx;
};

static enum app_err stats_read_conn(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct stats_read *sr = arg;
	for (int part = 0; part < STATS_PART__MAX; part++) {
		struct pg_params p = { 0 };
		pgp_text(&p, sr->q->region);
		pgp_int(&p, sr->q->unit_digits);
		pgp_int(&p, sr->q->from);
		pgp_int(&p, sr->q->to);
		PGresult *res;
		enum app_err rc = pg_exec(c, part_stmt[part], &p,
					  "computing the statistics of demands", &res, NULL, err);
		if (rc != APP_OK)
			return rc;
		int n = PQnfields(res) - 1;
		for (int row = 0, rows = PQntuples(res); row < rows; row++) {
			char unit[DIVISION_CODE_MAX + 1];
			int64_t v[STATS_COUNTS_N];
			pg_copy_text(unit, sizeof(unit), res, row, 0);
			for (int i = 0; i < n && i < STATS_COUNTS_N; i++)
				v[i] = pg_int(res, row, i + 1);
			sr->fn(sr->ctx, (enum stats_part)part, unit, v, n);
		}
		PQclear(res);
	}
	return APP_OK;
}

static enum app_err stats_read(struct store *s, const struct stats_query *q,
			       store_stats_part_fn fn, void *ctx, struct app_error *err)
{
	struct stats_read sr = { q, fn, ctx };
	return pg_read(s, stats_read_conn, &sr, err);
}

const struct store_stats_ops pg_stats_ops = {
	.read = stats_read,
};
