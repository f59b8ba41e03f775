/*
 * delivery_store_cases.h - the bodies of the dispatch, outbox and delivery
 * task tests, run on each backend through store.h only: test_delivery.c
 * runs them on SQLite, test_delivery_pg.c on PostgreSQL. Each body gets a
 * migrated store holding the demo county; entitlements are written with
 * ent's store_entitle_apply(), the programme is the Shenyang one of
 * data/programmes (the tests run from the top of the tree).
 *
 * What is covered: a grant dispatched into one rendered SMS and one
 * delivery task in the person's village with a 10-working-day clock;
 * dispatching again stores nothing twice; a run cut short resumes at the
 * first event not stored; in a batch, an event that cannot be stored stops
 * the ones after it (the cursor never passes it); the same step stored twice keeps one message and
 * one task; the sweep escalates an overdue task from the district to the
 * city once, and at the top rung only marks it missed; a revocation
 * cancels the open task with the reason and tells the person; an officer
 * confirms a delivery only with the receiver's words, and only within
 * scope; demands lists never show delivery tasks; with no gateway a
 * message is kept.
 */
#ifndef TESTS_UNIT_DELIVERY_STORE_CASES_H
#define TESTS_UNIT_DELIVERY_STORE_CASES_H

#include "cases/cases_calendar.h"
#include "cases/delivery.h"
#include "cases/demands.h"
#include "entitle/dispatch.h"
#include "entitle/outbox.h"
#include "regions/regions.h"
#include "store/store.h"
#include "testutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define DELIVERY_STORE_CASES(X)                                                                \
	X(grant_dispatched)                                                                    \
	X(resume)                                                                              \
	X(batch_stops)                                                                         \
	X(step_twice)                                                                          \
	X(escalates)                                                                           \
	X(revoke_cancels)                                                                      \
	X(officer_acts)                                                                        \
	X(not_a_demand)                                                                        \
	X(kept_without_gateway)                                                                \
	X(claimed)                                                                             \
	X(skips_bad_event)

#define DS_NOW 1764400000 /* 2025-11-29 07:06 UTC, a Saturday */
#define DS_DAY 86400
#define DS_VILLAGE "990101103200"
#define DS_OTHER_TOWN "990101104"
#define DS_PROGRAMMES "data/programmes"
#define DS_PROGRAMME "shenyang.disability_premium"

static inline int ds_load_demo(struct store *s)
{
	struct region_import_counts n;
	struct app_error e;
	if (regions_demo_import(s, "cli:test", &n, &e) != APP_OK) {
		print_error("cannot load the demo county: %s\n", e.msg);
		return -1;
	}
	return 0;
}

/* A new entitlement of person key, written as the pipeline does with its
 * event kind (granted); x->id is set. */
static inline void ds_grant_in(struct store *s, const char *key, const char *region,
			       struct entitlement *x);
static inline void ds_grant(struct store *s, const char *key, struct entitlement *x)
{
	ds_grant_in(s, key, DS_VILLAGE, x);
}

static inline void ds_grant_in(struct store *s, const char *key, const char *region,
			       struct entitlement *x)
{
	memset(x, 0, sizeof(*x));
	snprintf(x->programme, sizeof(x->programme), "%s", DS_PROGRAMME);
	snprintf(x->policy, sizeof(x->policy), "shenyang.disability_premium.full");
	snprintf(x->benefit, sizeof(x->benefit), "premium");
	snprintf(x->person_key, sizeof(x->person_key), "%s", key);
	snprintf(x->person_name, sizeof(x->person_name), "张三");
	snprintf(x->phone, sizeof(x->phone), "13800138000");
	snprintf(x->region, sizeof(x->region), "%s", region);
	x->period = 2026;
	x->amount = 41000;
	x->state = ENTITLE_GRANTED;
	x->effective_from = 20454; /* 2026-01-01 */
	x->created_at = x->updated_at = DS_NOW;
	struct entitlement_change ch = { .e = x, .kind = ENTITLE_EV_GRANTED,
					 .from = ENTITLE_STATE__MAX };
	struct app_error e;
	if (store_entitle_apply(s, NULL, &ch, 1, DS_NOW, "test", NULL, &e) != APP_OK)
		fail_msg("grant: %s", e.msg);
}

/* Entitlement x revoked from effective_to with reason. */
static inline void ds_revoke(struct store *s, struct entitlement *x, int32_t effective_to,
			     const char *reason)
{
	x->state = ENTITLE_REVOKED;
	x->effective_to = effective_to;
	snprintf(x->reason, sizeof(x->reason), "%s", reason);
	struct entitlement_change ch = { .e = x, .kind = ENTITLE_EV_REVOKED,
					 .from = ENTITLE_GRANTED, .detail = reason };
	struct app_error e;
	if (store_entitle_apply(s, NULL, &ch, 1, DS_NOW + DS_DAY, "test", NULL, &e) != APP_OK)
		fail_msg("revoke: %s", e.msg);
}

static inline struct dispatch_counts ds_dispatch(struct store *s, int64_t now, int limit)
{
	const struct calendar *cal;
	struct dispatch_counts n;
	struct app_error e;
	assert_int_equal(cases_calendar_shared(s, &cal, &e), APP_OK);
	if (dispatch_run(s, cal, DS_PROGRAMMES, now, limit, &n, &e) != APP_OK)
		fail_msg("dispatch: %s", e.msg);
	return n;
}

struct ds_rows {
	int n;
	struct outbox_row last;
	int64_t task;
};

static inline bool ds_count_msg(void *ctx, const struct outbox_row *o)
{
	struct ds_rows *r = ctx;
	if (!r->n)
		r->last = *o; /* newest first */
	r->n++;
	return true;
}

static inline struct ds_rows ds_outbox(struct store *s)
{
	struct ds_rows r = { 0 };
	struct outbox_query q = { .nregions = 1, .regions = { REGIONS_DEMO_COUNTY }, .limit = 50 };
	struct app_error e;
	assert_int_equal(store_outbox_list(s, &q, ds_count_msg, &r, &e), APP_OK);
	return r;
}

static inline bool ds_count_case(void *ctx, const struct case_row *k)
{
	struct ds_rows *r = ctx;
	r->n++;
	r->task = k->id;
	return true;
}

/* The delivery tasks of the demo county (as stored, no scope). */
static inline struct ds_rows ds_tasks(struct store *s)
{
	struct ds_rows r = { 0 };
	struct case_query q = { .type = "delivery", .nregions = 1,
				.regions = { REGIONS_DEMO_COUNTY }, .limit = 50 };
	struct app_error e;
	assert_int_equal(store_cases_list(s, &q, ds_count_case, &r, &e), APP_OK);
	return r;
}

static inline const struct case_clock_row *ds_resolve(const struct case_row *k)
{
	for (int i = 0; i < k->nclocks; i++)
		if (strcmp(k->clocks[i].name, "resolve") == 0)
			return &k->clocks[i];
	fail_msg("no resolve clock");
	return NULL;
}

static inline void ds_case_grant_dispatched(struct store *s)
{
	struct entitlement x;
	ds_grant(s, "210102199001011234", &x);
	struct dispatch_counts n = ds_dispatch(s, DS_NOW, 100);
	assert_int_equal(n.events, 1);
	assert_int_equal(n.messages, 1);
	assert_int_equal(n.tasks, 1);
	struct ds_rows m = ds_outbox(s);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.last.state, "pending");
	assert_string_equal(m.last.kind, "granted");
	assert_string_equal(m.last.phone, "13800138000");
	assert_string_equal(m.last.text,
			    "【沈阳医保】张三您好，您2026年城乡居民医保个人缴费410.00元已由政府全额"
			    "资助，无需申请。社保卡将由区残联工作人员送达。");
	struct ds_rows t = ds_tasks(s);
	assert_int_equal(t.n, 1);
	struct case_row k;
	struct app_error e;
	assert_int_equal(store_case_get(s, t.task, &k, &e), APP_OK);
	assert_string_equal(k.type, "delivery");
	assert_string_equal(k.state, "waiting");
	assert_string_equal(k.region, DS_VILLAGE);
	assert_string_equal(k.source, "entitlement");
	assert_string_equal(k.title, "社会保障卡送达");
	assert_string_equal(k.contact_name, "张三");
	assert_int_equal(k.level, 0);
	/* 10 working days from Saturday 2025-11-29: the end of Friday 12 December, China time */
	const struct case_clock_row *c = ds_resolve(&k);
	assert_string_equal(c->status, "running");
	assert_int_equal(c->due, 1765555200); /* 2025-12-13T00:00+08:00 */
	int64_t id = 0;
	assert_int_equal(store_delivery_of(s, x.id, &id, &e), APP_OK);
	assert_int_equal(id, k.id);
	/* again: nothing new, nothing twice */
	n = ds_dispatch(s, DS_NOW + 60, 100);
	assert_int_equal(n.events, 0);
	assert_int_equal(ds_outbox(s).n, 1);
	assert_int_equal(ds_tasks(s).n, 1);
}

static inline void ds_case_resume(struct store *s)
{
	struct entitlement a, b;
	ds_grant(s, "210102199001011234", &a);
	ds_grant(s, "210102199001015678", &b);
	/* a run that stopped after the first event (a crash, a limit) */
	struct dispatch_counts n = ds_dispatch(s, DS_NOW, 1);
	assert_int_equal(n.events, 1);
	int64_t cursor = 0;
	struct app_error e;
	assert_int_equal(store_dispatch_cursor(s, &cursor, &e), APP_OK);
	assert_true(cursor > 0);
	assert_int_equal(ds_outbox(s).n, 1);
	/* the next one resumes at the second */
	n = ds_dispatch(s, DS_NOW, 100);
	assert_int_equal(n.events, 1);
	assert_int_equal(n.tasks, 1);
	assert_int_equal(ds_outbox(s).n, 2);
	assert_int_equal(ds_tasks(s).n, 2);
}

static inline void ds_case_batch_stops(struct store *s)
{
	struct entitlement a, bad, c;
	/* the second person's village is not in the registry: its task cannot be stored */
	ds_grant(s, "210102199001011234", &a);
	ds_grant_in(s, "210102199001015678", "990101103299", &bad);
	ds_grant(s, "210102199001019999", &c);
	struct app_error e;
	const struct calendar *cal;
	assert_int_equal(cases_calendar_shared(s, &cal, &e), APP_OK);
	struct dispatch_counts n;
	assert_int_equal(dispatch_run(s, cal, DS_PROGRAMMES, DS_NOW, 100, &n, &e), APP_EINVAL);
	assert_int_equal(n.events, 1);
	assert_int_equal(ds_outbox(s).n, 1);
	assert_int_equal(ds_tasks(s).n, 1);
	int64_t cursor = 0;
	assert_int_equal(store_dispatch_cursor(s, &cursor, &e), APP_OK);
	/* the next run stops at the same event: nothing after it is lost */
	assert_int_equal(dispatch_run(s, cal, DS_PROGRAMMES, DS_NOW, 100, &n, &e), APP_EINVAL);
	assert_int_equal(n.events, 0);
	int64_t again = 0;
	assert_int_equal(store_dispatch_cursor(s, &again, &e), APP_OK);
	assert_int_equal(again, cursor);
	assert_int_equal(ds_tasks(s).n, 1);
}

static inline void ds_case_step_twice(struct store *s)
{
	struct entitlement x;
	ds_grant(s, "210102199001011234", &x);
	ds_dispatch(s, DS_NOW, 100);
	/* the same event's step again (as after a commit whose answer was lost) */
	const struct calendar *cal;
	struct app_error e;
	assert_int_equal(cases_calendar_shared(s, &cal, &e), APP_OK);
	struct delivery_new dn = { x.id, DS_PROGRAMME, "社会保障卡送达", "social_security_card",
				   10, DS_VILLAGE, "张三", "13800138000", "" };
	struct case_row k;
	struct case_event_row line;
	assert_int_equal(delivery_prepare(cal, &dn, DS_NOW, &k, &line, &e), APP_OK);
	struct outbox_row m = { .entitlement = x.id, .state = "pending", .created_at = DS_NOW };
	snprintf(m.text, sizeof(m.text), "again");
	snprintf(m.kind, sizeof(m.kind), "granted");
	struct audit_note note = { "test", "delivery.open", "case:{id}", DS_VILLAGE, "again" };
	int64_t cursor;
	assert_int_equal(store_dispatch_cursor(s, &cursor, &e), APP_OK);
	struct dispatch_step d = { .event = cursor, .message = &m, .task = &k, .line = &line,
				   .note = &note, .entitlement = x.id, .programme = DS_PROGRAMME };
	assert_int_equal(store_dispatch_apply(s, &d, &e), APP_OK);
	assert_false(d.message_new);
	assert_false(d.task_new);
	assert_int_equal(ds_outbox(s).n, 1);
	assert_int_equal(ds_tasks(s).n, 1);
	assert_string_not_equal(ds_outbox(s).last.text, "again");
}

static inline void ds_case_escalates(struct store *s)
{
	struct entitlement x;
	ds_grant(s, "210102199001011234", &x);
	ds_dispatch(s, DS_NOW, 100);
	int64_t id = ds_tasks(s).task;
	const struct calendar *cal;
	struct app_error e;
	assert_int_equal(cases_calendar_shared(s, &cal, &e), APP_OK);
	int seen, changed;
	/* past the due day: missed at the district, the city takes it */
	assert_int_equal(demands_sweep(s, cal, DS_NOW + 15 * DS_DAY, 100, &seen, &changed, &e),
			 APP_OK);
	assert_true(changed >= 1);
	struct case_row k;
	assert_int_equal(store_case_get(s, id, &k, &e), APP_OK);
	assert_int_equal(k.level, DELIVERY_CITY);
	assert_int_equal(k.escalations, 1);
	assert_string_equal(ds_resolve(&k)->status, "running");
	assert_true(k.next_check > DS_NOW + 15 * DS_DAY);
	/* missed at the city too: the top rung keeps it, overdue */
	assert_int_equal(demands_sweep(s, cal, DS_NOW + 40 * DS_DAY, 100, &seen, &changed, &e),
			 APP_OK);
	assert_int_equal(store_case_get(s, id, &k, &e), APP_OK);
	assert_int_equal(k.level, DELIVERY_CITY);
	assert_int_equal(k.escalations, 1);
	assert_string_equal(ds_resolve(&k)->status, "missed");
	assert_int_equal(k.next_check, 0);
	assert_string_equal(k.state, "waiting");
}

static inline void ds_case_revoke_cancels(struct store *s)
{
	struct entitlement x;
	ds_grant(s, "210102199001011234", &x);
	ds_dispatch(s, DS_NOW, 100);
	int64_t id = ds_tasks(s).task;
	ds_revoke(s, &x, 20480, "死亡");
	struct dispatch_counts n = ds_dispatch(s, DS_NOW + DS_DAY, 100);
	assert_int_equal(n.events, 1);
	assert_int_equal(n.cancelled, 1);
	assert_int_equal(n.messages, 1);
	struct case_row k;
	struct app_error e;
	assert_int_equal(store_case_get(s, id, &k, &e), APP_OK);
	assert_string_equal(k.state, "cancelled");
	assert_true(k.closed_at > 0);
	assert_int_equal(k.next_check, 0);
	struct ds_rows m = ds_outbox(s);
	assert_int_equal(m.n, 2);
	assert_string_equal(m.last.kind, "revoked");
	assert_contains(m.last.text, "自2026-01-27起停止");
	/* dispatching again cancels nothing more */
	n = ds_dispatch(s, DS_NOW + 2 * DS_DAY, 100);
	assert_int_equal(n.events, 0);
}

/* A signed-in caller with role at region. */
static inline void ds_caller(struct auth_caller *c, enum auth_role role, const char *region)
{
	memset(c, 0, sizeof(*c));
	c->kind = AUTH_SESSION;
	c->user_id = 7;
	snprintf(c->actor, sizeof(c->actor), "user:7");
	c->ngrants = 1;
	c->grants[0].role = role;
	snprintf(c->grants[0].region, sizeof(c->grants[0].region), "%s", region);
	c->perms = auth_role_perms[role];
}

static inline void ds_case_officer_acts(struct store *s)
{
	struct entitlement x;
	ds_grant(s, "210102199001011234", &x);
	ds_dispatch(s, DS_NOW, 100);
	int64_t id = ds_tasks(s).task;
	const struct calendar *cal;
	struct app_error e;
	assert_int_equal(cases_calendar_shared(s, &cal, &e), APP_OK);
	struct auth_caller officer, elsewhere, resident;
	ds_caller(&officer, ROLE_AGENCY_OPERATOR, REGIONS_DEMO_COUNTY);
	ds_caller(&elsewhere, ROLE_AGENCY_OPERATOR, DS_OTHER_TOWN);
	ds_caller(&resident, ROLE_RESIDENT, REGIONS_DEMO_COUNTY);
	struct case_row k;
	/* out of scope: no such task */
	assert_int_equal(delivery_act(s, cal, &elsewhere, id, "start", -1, NULL, DS_NOW, &k, &e),
			 APP_ENOTFOUND);
	assert_int_equal(delivery_act(s, cal, &resident, id, "start", -1, NULL, DS_NOW, &k, &e),
			 APP_ENOTFOUND);
	assert_int_equal(delivery_act(s, cal, &officer, id, "start", 1, NULL, DS_NOW + 60, &k, &e),
			 APP_OK);
	assert_string_equal(k.state, "out");
	/* a confirmation without the receiver's words changes nothing */
	assert_int_equal(delivery_act(s, cal, &officer, id, "deliver", -1, "", DS_NOW + 120, &k, &e),
			 APP_EINVAL);
	assert_string_equal(e.field, "words");
	/* a stale version is refused */
	assert_int_equal(delivery_act(s, cal, &officer, id, "deliver", 1, "本人签收", DS_NOW + 120,
				      &k, &e),
			 APP_ECONFLICT);
	assert_int_equal(store_case_get(s, id, &k, &e), APP_OK);
	assert_string_equal(k.state, "out");
	/* the system's action is not an officer's */
	assert_int_equal(delivery_act(s, cal, &officer, id, "cancel", -1, "x", DS_NOW, &k, &e),
			 APP_EINVAL);
	assert_int_equal(delivery_act(s, cal, &officer, id, "deliver", -1, "本人签收，身份证核对",
				      DS_NOW + 180, &k, &e),
			 APP_OK);
	assert_string_equal(k.state, "delivered");
	assert_string_equal(ds_resolve(&k)->status, "met");
	/* ended: nothing more to do */
	const char *acts[8];
	assert_int_equal(delivery_actions(&officer, &k, DS_NOW + 240, acts, 8), 0);
	assert_int_equal(delivery_act(s, cal, &officer, id, "fail", -1, "x", DS_NOW + 240, &k, &e),
			 APP_EINVAL);
}

static inline bool ds_no_demand(void *ctx, const struct case_row *k)
{
	(void)ctx;
	fail_msg("a demands list shows case %" PRId64 " of type %s", k->id, k->type);
	return true;
}

static inline void ds_case_not_a_demand(struct store *s)
{
	struct entitlement x;
	ds_grant(s, "210102199001011234", &x);
	ds_dispatch(s, DS_NOW, 100);
	int64_t id = ds_tasks(s).task;
	struct auth_caller sup;
	ds_caller(&sup, ROLE_COUNTY_SUPERVISOR, REGIONS_DEMO_COUNTY);
	struct case_query q = { .limit = 50 };
	struct app_error e;
	assert_int_equal(demands_list(s, &sup, &q, ds_no_demand, NULL, &e), APP_OK);
	struct case_row k;
	assert_int_equal(demands_get(s, &sup, id, &k, &e), APP_ENOTFOUND);
	/* and a county supervisor does not handle deliveries */
	assert_int_equal(delivery_get(s, &sup, id, &k, &e), APP_ENOTFOUND);
}

static inline void ds_case_kept_without_gateway(struct store *s)
{
	struct entitlement x;
	ds_grant(s, "210102199001011234", &x);
	ds_dispatch(s, DS_NOW, 100);
	struct outbox_counts n;
	struct app_error e;
	assert_int_equal(outbox_send_due(s, "", DS_NOW + 60, 50, &n, &e), APP_OK);
	assert_int_equal(n.due, 1);
	assert_int_equal(n.kept, 1);
	struct ds_rows m = ds_outbox(s);
	assert_string_equal(m.last.state, "kept");
	/* kept is final: nothing is due any more */
	assert_int_equal(outbox_send_due(s, "", DS_NOW + 120, 50, &n, &e), APP_OK);
	assert_int_equal(n.due, 0);
}

/* A sender claims what it takes: a second one finds nothing until the
 * lease ends; the listing's text has the name masked. */
static inline void ds_case_claimed(struct store *s)
{
	struct entitlement x;
	ds_grant(s, "210102199001011234", &x);
	ds_dispatch(s, DS_NOW, 100);
	struct ds_rows m = { 0 };
	struct app_error e;
	assert_int_equal(store_outbox_due(s, DS_NOW + 60, 50, ds_count_msg, &m, &e), APP_OK);
	assert_int_equal(m.n, 1);
	assert_non_null(strstr(m.last.text, "张三"));
	assert_non_null(strstr(m.last.text_masked, "张*"));
	assert_null(strstr(m.last.text_masked, "张三"));
	struct ds_rows again = { 0 };
	assert_int_equal(store_outbox_due(s, DS_NOW + 61, 50, ds_count_msg, &again, &e), APP_OK);
	assert_int_equal(again.n, 0);
	/* a sender that died: the message is due again once the lease is over */
	assert_int_equal(store_outbox_due(s, DS_NOW + 60 + STORE_OUTBOX_LEASE, 50, ds_count_msg,
					  &again, &e),
			 APP_OK);
	assert_int_equal(again.n, 1);
}

static inline bool ds_count_skipped(void *ctx, const struct audit_record *a)
{
	*(int *)ctx += strcmp(a->action, "dispatch.skipped") == 0;
	return true;
}

/* An event whose programme is in no file is skipped (audited), and the
 * event after it is dispatched. */
static inline void ds_case_skips_bad_event(struct store *s)
{
	struct entitlement bad;
	ds_grant(s, "210102199001010001", &bad);
	/* the same, of a programme in no file: written as the pipeline does */
	struct entitlement x = bad;
	x.id = 0;
	snprintf(x.programme, sizeof(x.programme), "gone.programme");
	snprintf(x.person_key, sizeof(x.person_key), "210102199001010002");
	struct entitlement_change ch = { .e = &x, .kind = ENTITLE_EV_GRANTED,
					 .from = ENTITLE_STATE__MAX };
	struct app_error e;
	assert_int_equal(store_entitle_apply(s, NULL, &ch, 1, DS_NOW, "test", NULL, &e), APP_OK);
	struct entitlement good;
	ds_grant(s, "210102199001010003", &good);
	struct dispatch_counts n = ds_dispatch(s, DS_NOW, 100);
	assert_int_equal(n.events, 3);
	assert_int_equal(n.skipped, 1);
	assert_int_equal(n.messages, 2);
	assert_int_equal(n.tasks, 2);
	int audited = 0;
	char object[40];
	snprintf(object, sizeof(object), "entitlement:%" PRId64, x.id);
	assert_int_equal(store_audit_list(s, object, 10, ds_count_skipped, &audited, &e), APP_OK);
	assert_int_equal(audited, 1);
	n = ds_dispatch(s, DS_NOW + 60, 100);
	assert_int_equal(n.events, 0);
}

#endif
