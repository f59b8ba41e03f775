/*
 * store_patrol.c - the public wrappers of the smart patrol's store
 * operations (store.h "the smart patrol"): the checks that do not depend on
 * the backend, then the backend's function.
 */
#include "store/store_int.h"

static enum app_err limit_check(int limit, struct app_error *err)
{
	return limit >= 1 ? APP_OK : app_fail(err, APP_EINVAL, "a read needs a limit of 1 or more");
}

enum app_err store_patrol_mark(struct store *s, const char *kind, int64_t *out,
			       struct app_error *err)
{
	return s->ops->patrol->mark(s, kind, out, err);
}

enum app_err store_patrol_messages(struct store *s, int64_t after, int limit,
				   store_patrol_message_fn fn, void *ctx, struct app_error *err)
{
	enum app_err rc = limit_check(limit, err);
	return rc != APP_OK ? rc : s->ops->patrol->messages(s, after, limit, fn, ctx, err);
}

enum app_err store_patrol_due(struct store *s, int64_t now, int limit, store_patrol_due_fn fn,
			      void *ctx, struct app_error *err)
{
	enum app_err rc = limit_check(limit, err);
	return rc != APP_OK ? rc : s->ops->patrol->due(s, now, limit, fn, ctx, err);
}

enum app_err store_patrol_case_lines(struct store *s, int64_t after, int limit,
				     store_patrol_case_line_fn fn, void *ctx,
				     struct app_error *err)
{
	enum app_err rc = limit_check(limit, err);
	return rc != APP_OK ? rc : s->ops->patrol->case_lines(s, after, limit, fn, ctx, err);
}

enum app_err store_patrol_groups(struct store *s, int64_t after, int limit,
				 store_patrol_group_fn fn, void *ctx, struct app_error *err)
{
	enum app_err rc = limit_check(limit, err);
	return rc != APP_OK ? rc : s->ops->patrol->groups(s, after, limit, fn, ctx, err);
}

enum app_err store_patrol_demands(struct store *s, int64_t after, int limit,
				  store_patrol_demand_fn fn, void *ctx, struct app_error *err)
{
	enum app_err rc = limit_check(limit, err);
	return rc != APP_OK ? rc : s->ops->patrol->demands(s, after, limit, fn, ctx, err);
}

enum app_err store_patrol_repeats(struct store *s, const struct patrol_repeat_query *q,
				  int64_t *out, struct app_error *err)
{
	if (!q->category || !q->resident_id)
		return app_fail(err, APP_EINVAL, "counting repeats needs a person and a category");
	return s->ops->patrol->repeats(s, q, out, err);
}

enum app_err store_patrol_hides(struct store *s, int64_t after, int limit, store_audit_fn fn,
				void *ctx, struct app_error *err)
{
	enum app_err rc = limit_check(limit, err);
	return rc != APP_OK ? rc : s->ops->patrol->hides(s, after, limit, fn, ctx, err);
}

enum app_err store_patrol_save(struct store *s, struct patrol_save *ps, struct app_error *err)
{
	if (ps->nmarks < 0 || ps->nmarks > PATROL_MARKS_MAX || (ps->nalerts && !ps->json))
		return app_fail(err, APP_EINVAL, "a patrol step is malformed");
	if (!ps->nwatch && !ps->nanswered && !ps->ndone && !ps->nread && !ps->nalerts &&
	    !ps->nmarks)
		return APP_OK;
	return s->ops->patrol->save(s, ps, err);
}

enum app_err store_alerts_list(struct store *s, const struct alert_query *q, store_alert_fn fn,
			       void *ctx, struct app_error *err)
{
	if (q->nregions < 1 || q->nregions > 4)
		return app_fail(err, APP_EINVAL, "a listing of alerts needs 1 to 4 regions");
	enum app_err rc = limit_check(q->limit, err);
	return rc != APP_OK ? rc : s->ops->patrol->alerts(s, q, fn, ctx, err);
}

enum app_err store_alert_get(struct store *s, int64_t id, struct alert *out,
			     struct app_error *err)
{
	return s->ops->patrol->alert_get(s, id, out, err);
}

enum app_err store_alert_acknowledge(struct store *s, struct alert *a, int64_t user, int64_t at,
				     const struct audit_note *note, store_alert_json_fn json,
				     struct app_error *err)
{
	return s->ops->patrol->alert_ack(s, a, user, at, note, json, err);
}

enum app_err store_alert_close(struct store *s, struct alert *a, int64_t user, int64_t at,
			       const struct audit_note *note, store_alert_json_fn json,
			       struct app_error *err)
{
	return s->ops->patrol->alert_close(s, a, user, at, note, json, err);
}
