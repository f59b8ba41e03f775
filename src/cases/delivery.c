/*
 * delivery.c - the delivery task as a case type, and what officers and the
 * system do with tasks; see delivery.h. The engine (case.c) decides; this
 * file picks the rules from the task's own limit, keeps reads to type
 * "delivery" and to the caller's scope, and stores each change with its
 * audit entry and event.
 */
#include "cases/delivery.h"
#include "cases/case_rows.h"
#include "core/mem.h"
#include "core/utf8.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S(x) CASE_MASK(DELIVERY_##x)
#define K(x) CASE_MASK(CASE_CLOCK_##x)
#define OPEN (S(WAITING) | S(OUT))

static const struct case_state states[DELIVERY_STATE__MAX] = {
	[DELIVERY_WAITING] = { "waiting", "待送达", false },
	[DELIVERY_OUT] = { "out", "送达中", false },
	[DELIVERY_DELIVERED] = { "delivered", "已送达", true },
	[DELIVERY_FAILED] = { "failed", "无法送达", true },
	[DELIVERY_CANCELLED] = { "cancelled", "已取消", true },
};

/* clang-format off */
static const struct case_transition actions[] = {
	{ .action = "start", .label = "出发送达", .done = "started",
	  .from = S(WAITING), .to = DELIVERY_OUT },
	/* the receiver's words (who took it, how) are the reason */
	{ .action = "deliver", .label = "确认送达", .done = "delivered",
	  .from = OPEN, .to = DELIVERY_DELIVERED, .stop = K(RESOLVE), .needs = CASE_NEEDS_REASON },
	{ .action = "fail", .label = "无法送达", .done = "given up",
	  .from = OPEN, .to = DELIVERY_FAILED, .stop = K(RESOLVE), .needs = CASE_NEEDS_REASON },
	/* the system's, when the entitlement is revoked */
	{ .action = "cancel", .label = "取消", .done = "cancelled",
	  .from = OPEN, .to = DELIVERY_CANCELLED, .stop = K(RESOLVE), .needs = CASE_NEEDS_REASON },
	{ .action = "note", .label = "备注", .done = "noted",
	  .from = OPEN, .to = CASE_SAME, .needs = CASE_NEEDS_REASON },
};
/* clang-format on */

/* the ladder has two rungs: the district office, then the city */
static const char *const levels[CASE_LEVELS] = {
	"district", "city", "city", "city", "city",
};

const struct case_type delivery_type = {
	.name = "delivery",
	.states = states,
	.nstates = DELIVERY_STATE__MAX,
	.initial = DELIVERY_WAITING,
	.start = K(RESOLVE),
	.actions = actions,
	.nactions = (int)(sizeof(actions) / sizeof(actions[0])),
	.levels = levels,
	.nlevels = 2,
};

void delivery_rules(int days, struct case_rules *out)
{
	memset(out, 0, sizeof(*out));
	out->limit[CASE_CLOCK_RESOLVE] = (struct case_limit){ CALENDAR_WORKDAYS, days, false, true };
	out->warn_percent = 80;
}

int delivery_limit_parse(const char *text)
{
	char *end;
	long n = strtol(text, &end, 10);
	if (end == text || strcmp(end, "wd") != 0 || n < 1 || n > DELIVERY_LIMIT_DAYS_MAX)
		return 0;
	return (int)n;
}

/* The environment of a task limited to days: the rules live in *rules. */
static struct case_env env_of(const struct calendar *cal, int days, struct case_rules *rules)
{
	delivery_rules(days, rules);
	/* no clock of a task counts duty hours: these are never read */
	return (struct case_env){ cal, rules, 8 * 60, 18 * 60 };
}

enum app_err delivery_prepare(const struct calendar *cal, const struct delivery_new *n,
			      int64_t now, struct case_row *row, struct case_event_row *step,
			      struct app_error *err)
{
	if (n->limit_days < 1 || n->limit_days > DELIVERY_LIMIT_DAYS_MAX)
		return app_fail_field(err, APP_EINVAL, "limit_days",
				      "a delivery limit is 1 to %d working days, not %d",
				      DELIVERY_LIMIT_DAYS_MAX, n->limit_days);
	if (!n->region || !*n->region || !n->title || !*n->title)
		return app_fail(err, APP_EINVAL, "a delivery task needs a region and a title");
	struct case_rules rules;
	struct case_env env = env_of(cal, n->limit_days, &rules);
	struct case_data d;
	struct case_result res;
	enum app_err rc = case_open(&delivery_type, &env, now, 0, &d, &res, err);
	if (rc != APP_OK)
		return rc;
	memset(row, 0, sizeof(*row));
	snprintf(row->type, sizeof(row->type), "delivery");
	snprintf(row->region, sizeof(row->region), "%s", n->region);
	snprintf(row->category, sizeof(row->category), "%s", n->category ? n->category : "");
	snprintf(row->urgency, sizeof(row->urgency), "%dwd", n->limit_days);
	snprintf(row->title, sizeof(row->title), "%s", n->title);
	snprintf(row->description, sizeof(row->description), "%s", n->detail ? n->detail : "");
	snprintf(row->contact_name, sizeof(row->contact_name), "%s", n->name ? n->name : "");
	snprintf(row->contact_phone, sizeof(row->contact_phone), "%s", n->phone ? n->phone : "");
	snprintf(row->source, sizeof(row->source), "entitlement");
	case_rows_put(&delivery_type, &d, row);
	/* one line: the opening */
	case_rows_steps(&delivery_type, &res, 0, 0, now, step);
	snprintf(step->detail, sizeof(step->detail), "entitlement %" PRId64 " of %s",
		 n->entitlement, n->programme ? n->programme : "");
	return APP_OK;
}

void delivery_change_release(struct delivery_change *c)
{
	free(c->steps);
	c->steps = NULL;
	c->nsteps = 0;
}

enum app_err delivery_change(const struct calendar *cal, struct case_row *row,
			     const struct case_cmd *cmd, const char *actor,
			     struct delivery_change *out, struct app_error *err)
{
	memset(out, 0, sizeof(*out));
	int days = delivery_limit_parse(row->urgency);
	if (!days)
		return app_fail(err, APP_EINTERNAL, "delivery task %" PRId64 " has no limit",
				row->id);
	struct case_rules rules;
	struct case_env env = env_of(cal, days, &rules);
	struct case_data d;
	struct case_result res;
	enum app_err rc = case_rows_get(&delivery_type, row, &d, err);
	if (rc == APP_OK)
		rc = case_apply(&delivery_type, &env, &d, cmd, &res, err);
	if (rc != APP_OK || !res.changed)
		return rc;
	case_rows_put(&delivery_type, &d, row);
	if (d.state == DELIVERY_DELIVERED || d.state == DELIVERY_FAILED ||
	    d.state == DELIVERY_CANCELLED)
		row->closed_at = cmd->now;
	out->changed = true;
	out->nsteps = res.nsteps;
	out->steps = xcalloc((size_t)res.nsteps + 1, sizeof(*out->steps));
	case_rows_steps(&delivery_type, &res, row->id, cmd->actor, cmd->now, out->steps);
	snprintf(out->object, sizeof(out->object), "case:%" PRId64, row->id);
	snprintf(out->summary, sizeof(out->summary), "%s", cmd->action);
	out->note = (struct audit_note){ actor,
					 strcmp(cmd->action, "tick") == 0 ? "delivery.clock"
									 : "delivery.act",
					 out->object, row->region, out->summary };
	/* whoever watches the district's deliveries hears of it */
	snprintf(out->data, sizeof(out->data),
		 "{\"id\":%" PRId64 ",\"state\":\"%s\",\"level\":%d,\"version\":%d}", row->id,
		 row->state, row->level, row->version);
	out->events[0] = (struct event_note){ "deliveries", "delivery.changed", row->county,
					      out->data, NULL };
	return APP_OK;
}

/* ---- what officers do ---- */

static bool may_handle(const struct auth_caller *c, const struct case_row *k)
{
	struct app_error ignored;
	return auth_scope(c, PERM_DELIVERIES_HANDLE, k->region, &ignored) == APP_OK;
}

enum app_err delivery_get(struct store *s, const struct auth_caller *c, int64_t id,
			  struct case_row *out, struct app_error *err)
{
	enum app_err rc = store_case_get(s, id, out, err);
	if (rc == APP_ENOTFOUND || (rc == APP_OK && (strcmp(out->type, "delivery") != 0 ||
						     !may_handle(c, out))))
		return app_fail(err, APP_ENOTFOUND, "no such delivery task");
	return rc;
}

enum app_err delivery_list(struct store *s, const struct auth_caller *c, struct case_query *q,
			   store_case_fn fn, void *ctx, struct app_error *err)
{
	q->type = "delivery";
	q->nregions = 0;
	q->resident_id = 0;
	for (int i = 0; i < c->ngrants && q->nregions < 4; i++)
		if (auth_role_perms[c->grants[i].role] & PERM_DELIVERIES_HANDLE)
			q->regions[q->nregions++] = c->grants[i].region;
	if (!q->nregions)
		return app_fail(err, APP_EPERM, "your role may not handle delivery tasks");
	return store_cases_list(s, q, fn, ctx, err);
}

/* Apply cmd to *row as actor and store it (nothing when it changes nothing). */
static enum app_err apply_and_store(struct store *s, const struct calendar *cal,
				    struct case_row *row, const struct case_cmd *cmd,
				    const char *actor, struct app_error *err)
{
	struct delivery_change ch;
	enum app_err rc = delivery_change(cal, row, cmd, actor, &ch, err);
	if (rc == APP_OK && ch.changed)
		rc = store_case_update(s, row, ch.steps, ch.nsteps, &ch.note, ch.events, 1, err);
	delivery_change_release(&ch);
	return rc;
}

enum app_err delivery_act(struct store *s, const struct calendar *cal, const struct auth_caller *c,
			  int64_t id, const char *action, int version, const char *words,
			  int64_t now, struct case_row *out, struct app_error *err)
{
	if (strcmp(action, "tick") == 0 || strcmp(action, "cancel") == 0)
		return app_fail_field(err, APP_EINVAL, "action",
				      "'%s' is the system's, not an officer's", action);
	if (words && utf8_length(words, strlen(words)) > DELIVERY_WORDS_MAX)
		return app_fail_field(err, APP_EINVAL, "words", "words are at most %d characters",
				      DELIVERY_WORDS_MAX);
	enum app_err rc = delivery_get(s, c, id, out, err);
	if (rc != APP_OK)
		return rc;
	if (strcmp(action, "deliver") == 0 && (!words || !*words))
		return app_fail_field(err, APP_EINVAL, "words",
				      "confirming a delivery needs the receiver's words "
				      "(who took it, and what they said)");
	struct case_cmd cmd = { .action = action, .now = now,
				.actor = c->kind == AUTH_SESSION ? c->user_id : 0,
				.expect_version = version < 0 ? out->version : version,
				.reason = words };
	return apply_and_store(s, cal, out, &cmd, c->actor, err);
}

enum app_err delivery_cancel_for(struct store *s, const struct calendar *cal, int64_t entitlement,
				 const char *reason, int64_t now, bool *cancelled,
				 struct app_error *err)
{
	int64_t id = 0;
	struct case_row *k = NULL;
	*cancelled = false;
	enum app_err rc = store_delivery_of(s, entitlement, &id, err);
	if (rc == APP_OK && id) {
		k = xmalloc(sizeof(*k));
		rc = store_case_get(s, id, k, err);
	}
	if (rc == APP_OK && k) {
		struct case_data d;
		struct app_error ignored;
		bool open = case_rows_get(&delivery_type, k, &d, &ignored) == APP_OK &&
			    !delivery_type.states[d.state].terminal;
		struct case_cmd cmd = { .action = "cancel", .now = now, .expect_version = k->version,
					.reason = reason && *reason ? reason : "entitlement revoked" };
		if (open)
			rc = apply_and_store(s, cal, k, &cmd, "system:dispatch", err);
		*cancelled = open && rc == APP_OK;
	}
	free(k);
	return rc;
}

int delivery_actions(const struct auth_caller *c, const struct case_row *k, int64_t now,
		     const char **out, int cap)
{
	struct case_data d;
	struct app_error ignored;
	int n = 0;
	if (!may_handle(c, k) || case_rows_get(&delivery_type, k, &d, &ignored) != APP_OK)
		return 0;
	for (int i = 0; i < delivery_type.nactions && n < cap; i++) {
		const char *name = delivery_type.actions[i].action;
		if (strcmp(name, "cancel") != 0 &&
		    case_allowed(&delivery_type, &d, name, now, &ignored) == APP_OK)
			out[n++] = name;
	}
	return n;
}
