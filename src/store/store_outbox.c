/*
 * store_outbox.c - the public wrappers of the outbox's and delivery links'
 * store operations (store.h "notifications and delivery tasks"): the
 * checks that do not depend on the backend, then the backend's function.
 */
#include "store/store_int.h"

static const struct store_outbox_ops *ops(struct store *s)
{
	return s->ops->outbox;
}

enum app_err store_dispatch_cursor(struct store *s, int64_t *last, struct app_error *err)
{
	return ops(s)->cursor(s, last, err);
}

enum app_err store_dispatch_events(struct store *s, int64_t after, int limit,
				   store_dispatch_fn fn, void *ctx, struct app_error *err)
{
	if (limit <= 0)
		return APP_OK;
	return ops(s)->events(s, after, limit, fn, ctx, err);
}

enum app_err store_dispatch_apply_many(struct store *s, struct dispatch_step *d, int n,
				       int *stored, struct app_error *err)
{
	*stored = 0;
	for (int i = 0; i < n; i++) {
		if (d[i].event <= 0)
			return app_fail(err, APP_EINVAL, "an event to dispatch has an id");
		if (d[i].task &&
		    (!d[i].line || !d[i].entitlement || !d[i].programme || !*d[i].programme))
			return app_fail(err, APP_EINVAL, "a delivery task needs its opening line, "
							 "entitlement and programme");
	}
	return n > 0 ? ops(s)->apply(s, d, n, stored, err) : APP_OK;
}

enum app_err store_dispatch_apply(struct store *s, struct dispatch_step *d, struct app_error *err)
{
	int stored;
	return store_dispatch_apply_many(s, d, 1, &stored, err);
}

enum app_err store_delivery_of(struct store *s, int64_t entitlement, int64_t *case_id,
			       struct app_error *err)
{
	return ops(s)->delivery_of(s, entitlement, case_id, err);
}

enum app_err store_outbox_due(struct store *s, int64_t now, int limit, store_outbox_fn fn,
			      void *ctx, struct app_error *err)
{
	if (limit <= 0)
		return APP_OK;
	return ops(s)->due(s, now, limit, fn, ctx, err);
}

enum app_err store_outbox_mark(struct store *s, const struct outbox_row *o,
			       const struct audit_note *note, struct app_error *err)
{
	return ops(s)->mark(s, o, note, err);
}

enum app_err store_outbox_list(struct store *s, const struct outbox_query *q, store_outbox_fn fn,
			       void *ctx, struct app_error *err)
{
	struct outbox_query c = *q;
	if (!c.state)
		c.state = "";
	if (c.limit <= 0 || c.nregions <= 0)
		return APP_OK;
	return ops(s)->list(s, &c, fn, ctx, err);
}

enum app_err store_outbox_get(struct store *s, int64_t id, struct outbox_row *out,
			      struct app_error *err)
{
	return ops(s)->get(s, id, out, err);
}
