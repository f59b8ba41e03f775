/*
 * store_bundles.c - the public wrappers of the bundles' store operations
 * (store.h "一件事 bundles"): the checks that do not depend on the backend,
 * then the backend's function.
 */
#include "store/store_int.h"

#include <string.h>

static const struct store_bundle_ops *ops(struct store *s)
{
	return s->ops->bundles;
}

enum app_err store_bundle_start(struct store *s, struct bundle *b, const struct audit_note *note,
				struct app_error *err)
{
	if (b->nservices < 1 || b->nservices > BUNDLE_SERVICES_MAX)
		return app_fail(err, APP_EINVAL, "a bundle needs 1 to %d services",
				BUNDLE_SERVICES_MAX);
	return ops(s)->start(s, b, note, err);
}

enum app_err store_bundle_get(struct store *s, int64_t id, struct bundle *out,
			      struct app_error *err)
{
	return ops(s)->get(s, id, out, err);
}

enum app_err store_bundles_list(struct store *s, const struct bundle_query *q,
				store_bundle_fn fn, void *ctx, struct app_error *err)
{
	struct bundle_query c = *q;
	if (!c.within)
		c.within = "";
	if (!c.event)
		c.event = "";
	if (c.limit <= 0)
		return APP_OK;
	return ops(s)->list(s, &c, fn, ctx, err);
}

enum app_err store_bundle_mark(struct store *s, int64_t id, const char *code, const char *state,
			       const char *note, int64_t at, const char *by,
			       const struct audit_note *audit, struct app_error *err)
{
	if (strcmp(state, "done") != 0 && strcmp(state, "refused") != 0)
		return app_fail(err, APP_EINVAL, "a task is marked done or refused");
	return ops(s)->mark(s, id, code, state, note ? note : "", at, by, audit, err);
}
