/*
 * store_entitle.c - the public wrappers of the entitlements' store
 * operations (store.h "entitlements of 免申即享"): the names of states and
 * event kinds as stored, the checks that do not depend on the backend, then
 * the backend's function.
 */
#include "store/store_int.h"

#include <string.h>

const char *const entitle_state_names[ENTITLE_STATE__MAX] = {
	[ENTITLE_IN_NOTICE] = "in_notice",
	[ENTITLE_OBJECTED] = "objected",
	[ENTITLE_AWAITING_CONSENT] = "awaiting_consent",
	[ENTITLE_GRANTED] = "granted",
	[ENTITLE_DECLINED] = "declined",
	[ENTITLE_REFUSED] = "refused",
	[ENTITLE_HELD] = "held",
	[ENTITLE_REVOKED] = "revoked",
};
const char *const entitle_state_names_zh[ENTITLE_STATE__MAX] = {
	[ENTITLE_IN_NOTICE] = "公示中",
	[ENTITLE_OBJECTED] = "有异议",
	[ENTITLE_AWAITING_CONSENT] = "待确认",
	[ENTITLE_GRANTED] = "已享受",
	[ENTITLE_DECLINED] = "已放弃",
	[ENTITLE_REFUSED] = "不予享受",
	[ENTITLE_HELD] = "暂缓",
	[ENTITLE_REVOKED] = "已停止",
};
const char *const entitle_event_names[ENTITLE_EVENT__MAX] = {
	[ENTITLE_EV_NOTICE_STARTED] = "notice.started",
	[ENTITLE_EV_OBJECTION_FILED] = "objection.filed",
	[ENTITLE_EV_OBJECTION_UPHELD] = "objection.upheld",
	[ENTITLE_EV_OBJECTION_DISMISSED] = "objection.dismissed",
	[ENTITLE_EV_CONSENT_ASKED] = "consent.asked",
	[ENTITLE_EV_CONSENT_GIVEN] = "consent.given",
	[ENTITLE_EV_CONSENT_REFUSED] = "consent.refused",
	[ENTITLE_EV_GRANTED] = "granted",
	[ENTITLE_EV_HELD] = "held",
	[ENTITLE_EV_REVOKED] = "revoked",
	[ENTITLE_EV_APPEALED] = "appealed",
};

int store_entitle_name_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; name && i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

static const struct store_entitle_ops *ops(struct store *s)
{
	return s->ops->entitle;
}

enum app_err store_entitle_apply(struct store *s, struct entitlement_run *run,
				 struct entitlement_change *changes, size_t n, int64_t at,
				 const char *actor, const struct audit_note *note,
				 struct app_error *err)
{
	for (size_t i = 0; i < n; i++) {
		const struct entitlement_change *c = &changes[i];
		if (!c->e || c->e->state >= ENTITLE_STATE__MAX || c->kind >= ENTITLE_EVENT__MAX)
			return app_fail(err, APP_EINVAL, "change %zu has no entitlement, state or kind",
					i + 1);
		if (c->e->id == 0 && (!c->e->programme[0] || !c->e->policy[0] ||
				      !c->e->person_key[0] || !c->e->region[0]))
			return app_fail(err, APP_EINVAL, "a new entitlement needs a programme, a "
					"policy, a person and a region");
	}
	return ops(s)->apply(s, run, changes, n, at, actor ? actor : "", note, err);
}

enum app_err store_entitlements(struct store *s, const struct entitlement_query *q,
				store_entitlement_fn fn, void *ctx, struct app_error *err)
{
	return ops(s)->list(s, q, fn, ctx, err);
}

enum app_err store_entitle_data_seq(struct store *s, const char *programme, int64_t *seq,
				    struct app_error *err)
{
	return ops(s)->data_seq(s, programme, seq, err);
}

enum app_err store_entitlement_events(struct store *s, int64_t id,
				      store_entitlement_event_fn fn, void *ctx,
				      struct app_error *err)
{
	return ops(s)->events(s, id, fn, ctx, err);
}

