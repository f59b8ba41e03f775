/*
 * store_exchange.c - the public wrappers of the exchange's store operations
 * (store.h "the data-sharing exchange"): the checks that do not depend on
 * the backend, then the backend's function.
 */
#include "store/store_int.h"

#include <string.h>

const char *const exchange_sharing_names[EXCHANGE_SHARING__MAX] = {
	[EXCHANGE_UNCONDITIONAL] = "unconditional",
	[EXCHANGE_CONDITIONAL] = "conditional",
	[EXCHANGE_NOT_SHARED] = "none",
};
const char *const exchange_sharing_names_zh[EXCHANGE_SHARING__MAX] = {
	[EXCHANGE_UNCONDITIONAL] = "无条件",
	[EXCHANGE_CONDITIONAL] = "有条件",
	[EXCHANGE_NOT_SHARED] = "不予共享",
};
const char *const exchange_sub_state_names[EXCHANGE_SUB__MAX] = {
	[EXCHANGE_SUB_PENDING] = "pending",
	[EXCHANGE_SUB_ACTIVE] = "active",
	[EXCHANGE_SUB_ENDED] = "ended",
};

static const struct store_exchange_ops *ops(struct store *s)
{
	return s->ops->exchange;
}

enum app_err store_exchange_member_add(struct store *s, struct exchange_member *m,
				       const struct audit_note *note, struct app_error *err)
{
	if (!m->code[0] || !m->public_key[0])
		return app_fail(err, APP_EINVAL, "a member needs a code and a public key");
	return ops(s)->member_add(s, m, note, err);
}

enum app_err store_exchange_member_rotate(struct store *s, const char *code,
					  const char *public_key, int64_t at,
					  const struct audit_note *note, int64_t *key_id,
					  struct app_error *err)
{
	if (!public_key || !public_key[0])
		return app_fail(err, APP_EINVAL, "a new key is needed");
	return ops(s)->member_rotate(s, code, public_key, at, note, key_id, err);
}

enum app_err store_exchange_member_link(struct store *s, const char *code, int64_t api_key_id,
					const struct audit_note *note, struct app_error *err)
{
	return ops(s)->member_link(s, code, api_key_id, note, err);
}

enum app_err store_exchange_members(struct store *s, const char *code, int64_t api_key_id,
				    store_exchange_member_fn fn, void *ctx, struct app_error *err)
{
	return ops(s)->members(s, code ? code : "", api_key_id, fn, ctx, err);
}

enum app_err store_exchange_keys(struct store *s, const char *code, store_exchange_key_fn fn,
				 void *ctx, struct app_error *err)
{
	return ops(s)->keys(s, code, fn, ctx, err);
}

enum app_err store_exchange_dataset_add(struct store *s, const struct exchange_dataset *d,
					const struct audit_note *note, struct app_error *err)
{
	if ((unsigned)d->sharing >= EXCHANGE_SHARING__MAX || !d->schema)
		return app_fail(err, APP_EINVAL, "a dataset needs a sharing class and a schema");
	return ops(s)->dataset_add(s, d, note, err);
}

enum app_err store_exchange_datasets(struct store *s, const char *code,
				     store_exchange_dataset_fn fn, void *ctx,
				     struct app_error *err)
{
	return ops(s)->datasets(s, code ? code : "", fn, ctx, err);
}

enum app_err store_exchange_batch_put(struct store *s, struct exchange_batch *b,
				      const char *const *rows, const struct audit_note *note,
				      const struct audit_note *resent_note, bool *resent,
				      struct app_error *err)
{
	if (b->nrows < 0 || (b->nrows > 0 && !rows))
		return app_fail(err, APP_EINVAL, "a batch's rows are missing");
	return ops(s)->batch_put(s, b, rows, note, resent_note, resent, err);
}

enum app_err store_exchange_batches(struct store *s, const char *dataset, int64_t after,
				    int limit, store_exchange_batch_fn fn, void *ctx,
				    struct app_error *err)
{
	if (limit < 1)
		return app_fail(err, APP_EINVAL, "a read needs a limit of 1 or more");
	return ops(s)->batches(s, dataset ? dataset : "", after, limit, fn, ctx, err);
}

enum app_err store_exchange_rows(struct store *s, const char *dataset, int64_t after,
				 int batches, store_exchange_row_fn fn, void *ctx,
				 struct app_error *err)
{
	if (batches < 1)
		return app_fail(err, APP_EINVAL, "a read needs a limit of 1 or more");
	return ops(s)->rows(s, dataset, after, batches, fn, ctx, err);
}

enum app_err store_exchange_sub_add(struct store *s, struct exchange_subscription *x,
				    const struct audit_note *note, struct app_error *err)
{
	if ((unsigned)x->state >= EXCHANGE_SUB__MAX)
		return app_fail(err, APP_EINVAL, "a subscription needs a state");
	return ops(s)->sub_add(s, x, note, err);
}

enum app_err store_exchange_sub_state(struct store *s, int64_t id, enum exchange_sub_state from,
				      enum exchange_sub_state to, const char *approved_by,
				      int64_t due_at, const struct audit_note *note,
				      struct app_error *err)
{
	if ((unsigned)from >= EXCHANGE_SUB__MAX || (unsigned)to >= EXCHANGE_SUB__MAX)
		return app_fail(err, APP_EINVAL, "no such subscription state");
	return ops(s)->sub_state(s, id, from, to, approved_by ? approved_by : "", due_at, note,
				 err);
}

enum app_err store_exchange_subs(struct store *s, const struct exchange_sub_query *q,
				 store_exchange_sub_fn fn, void *ctx, struct app_error *err)
{
	struct exchange_sub_query all = { 0 };
	if (!q)
		q = &all;
	struct exchange_sub_query copy = *q;
	if (!copy.consumer)
		copy.consumer = "";
	return ops(s)->subs(s, &copy, fn, ctx, err);
}

enum app_err store_exchange_attempt_add(struct store *s, const struct exchange_attempt *a,
					bool delivered, const struct audit_note *note,
					struct app_error *err)
{
	return ops(s)->attempt_add(s, a, delivered, note, err);
}

enum app_err store_exchange_attempts(struct store *s, int64_t subscription,
				     store_exchange_attempt_fn fn, void *ctx,
				     struct app_error *err)
{
	return ops(s)->attempts(s, subscription, fn, ctx, err);
}
