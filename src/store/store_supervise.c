/*
 * store_supervise.c - the public wrappers of 督办's store operations
 * (store.h "督办"): the checks that do not depend on the backend, then the
 * backend's function.
 */
#include "store/store_int.h"

#include <string.h>

enum app_err store_supervision_insert(struct store *s, struct supervision *v,
				      const struct supervision_write *w, struct app_error *err)
{
	if (strcmp(v->kind, "alert") != 0 && strcmp(v->kind, "case") != 0)
		return app_fail(err, APP_EINVAL, "a supervision is of an alert or a demand");
	return s->ops->supervise->insert(s, v, w, err);
}

enum app_err store_supervision_get(struct store *s, int64_t id, struct supervision *out,
				   struct app_error *err)
{
	return s->ops->supervise->get(s, id, out, err);
}

enum app_err store_supervision_acknowledge(struct store *s, int64_t id, bool notice,
					   const struct supervision_write *w,
					   struct supervision *out, struct app_error *err)
{
	return s->ops->supervise->ack(s, id, notice, w, out, err);
}

enum app_err store_supervisions_open(struct store *s, int64_t after_id, int limit,
				     store_supervision_open_fn fn, void *ctx, struct app_error *err)
{
	if (limit < 1)
		return app_fail(err, APP_EINVAL, "a read needs a limit of 1 or more");
	return s->ops->supervise->open(s, after_id, limit, fn, ctx, err);
}

enum app_err store_supervision_settle(struct store *s, int64_t id, const char *state,
				      const char *period, const struct supervision_write *w,
				      struct app_error *err)
{
	if (strcmp(state, "resolved") != 0 && strcmp(state, "noticed") != 0)
		return app_fail(err, APP_EINVAL, "a supervision settles as resolved or noticed");
	return s->ops->supervise->settle(s, id, state, period, w, err);
}

enum app_err store_supervision_notices(struct store *s, const char *period, const char *region,
				       store_supervision_fn fn, void *ctx, struct app_error *err)
{
	return s->ops->supervise->notices(s, period, region, fn, ctx, err);
}
