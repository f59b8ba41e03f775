/*
 * store_stats.c - the public wrapper of the statistics read (store.h
 * "statistics of demands"): the checks that do not depend on the backend,
 * then the backend's function.
 */
#include "store/store_int.h"

enum app_err store_stats_read(struct store *s, const struct stats_query *q,
			      store_stats_part_fn fn, void *ctx, struct app_error *err)
{
	if (!q->region || q->unit_digits < 1 || q->unit_digits > DIVISION_CODE_MAX ||
	    q->from >= q->to)
		return app_fail(err, APP_EINVAL, "a statistics read is malformed");
	return s->ops->case_stats->read(s, q, fn, ctx, err);
}
