/*
 * sqlite_stats.c - the statistics of demands on SQLite (store.h
 * "statistics of demands"): three grouped reads, each computed by the
 * database over the period, handed on row by row. No rates here: the
 * definitions live in src/patrol/stats.c and docs/patrol.md.
 */
#include "store/sqlite_int.h"

static const enum stmt_id part_stmt[STATS_PART__MAX] = {
	[STATS_PART_COUNTS] = STMT_STATS_COUNTS,
	[STATS_PART_TIMES] = STMT_STATS_TIMES,
	[STATS_PART_TALK] = STMT_STATS_TALK,
};

struct stats_read {
	const struct stats_query *q;
	store_stats_part_fn fn;
	void *ctx;
};

static enum app_err stats_read_conn(struct conn *c, void *arg, struct app_error *err)
{
	struct stats_read *sr = arg;
	for (int part = 0; part < STATS_PART__MAX; part++) {
		sqlite3_stmt *st = sq_stmt(c, part_stmt[part], err);
		if (!st)
			return APP_EDB;
		sqlite3_bind_text(st, 1, sr->q->region, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, sr->q->unit_digits);
		sqlite3_bind_int64(st, 3, sr->q->from);
		sqlite3_bind_int64(st, 4, sr->q->to);
		int r;
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			char unit[DIVISION_CODE_MAX + 1];
			int64_t v[STATS_COUNTS_N];
			int n = sqlite3_column_count(st) - 1;
			sq_copy_text(unit, sizeof(unit), st, 0);
			for (int i = 0; i < n && i < STATS_COUNTS_N; i++)
				v[i] = sqlite3_column_int64(st, i + 1);
			sr->fn(sr->ctx, (enum stats_part)part, unit, v, n);
		}
		sqlite3_reset(st);
		if (r != SQLITE_DONE)
			return sq_db_fail(err, c->db, "computing the statistics of demands");
	}
	return APP_OK;
}

static enum app_err stats_read(struct store *s, const struct stats_query *q,
			       store_stats_part_fn fn, void *ctx, struct app_error *err)
{
	struct stats_read sr = { q, fn, ctx };
	return sq_read(s, stats_read_conn, &sr, err);
}

const struct store_stats_ops sq_stats_ops = {
	.read = stats_read,
};
