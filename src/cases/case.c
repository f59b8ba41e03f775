/*
 * case.c - the case engine: states, transitions and clocks; see case.h.
 */
#include "cases/case.h"
#include "core/clock.h"

#include <stdio.h>
#include <string.h>

static const char *const clock_names[CASE_CLOCK__MAX] = {
	[CASE_CLOCK_ACK] = "ack",
	[CASE_CLOCK_RESOLVE] = "resolve",
	[CASE_CLOCK_ARRIVE] = "arrive",
	[CASE_CLOCK_FOLLOWUP] = "followup",
};

static const char *const status_names[CASE_CLOCK_STATUS__MAX] = {
	[CASE_CLOCK_IDLE] = "idle",     [CASE_CLOCK_RUNNING] = "running",
	[CASE_CLOCK_PAUSED] = "paused", [CASE_CLOCK_MET] = "met",
	[CASE_CLOCK_MISSED] = "missed",
};

const char *case_clock_name(enum case_clock_id id) { return clock_names[id]; }
const char *case_clock_status_name(enum case_clock_status st) { return status_names[st]; }

bool case_clock_parse(const char *s, enum case_clock_id *out)
{
	for (int i = 0; i < CASE_CLOCK__MAX; i++)
		if (strcmp(s, clock_names[i]) == 0) {
			*out = (enum case_clock_id)i;
			return true;
		}
	return false;
}

bool case_clock_status_parse(const char *s, enum case_clock_status *out)
{
	for (int i = 0; i < CASE_CLOCK_STATUS__MAX; i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum case_clock_status)i;
			return true;
		}
	return false;
}

int case_state_index(const struct case_type *type, const char *name)
{
	for (int i = 0; i < type->nstates; i++)
		if (strcmp(type->states[i].name, name) == 0)
			return i;
	return -1;
}

const struct case_transition *case_transition_of(const struct case_type *type,
						 const char *action)
{
	for (int i = 0; i < type->nactions; i++)
		if (strcmp(type->actions[i].action, action) == 0)
			return &type->actions[i];
	return NULL;
}

enum app_err case_rules_check(const struct case_rules *rules, struct app_error *err)
{
	if (rules->warn_percent < 1 || rules->warn_percent > 99)
		return app_fail_field(err, APP_EINVAL, "warn_percent",
				      "the warning share must be 1 to 99 percent");
	for (int i = 0; i < CASE_CLOCK__MAX; i++) {
		const struct case_limit *l = &rules->limit[i];
		int64_t minutes;
		if (l->amount == 0)
			continue;
		if ((unsigned)l->unit >= CALENDAR_UNIT__MAX ||
		    calendar_limit_minutes(l->unit, l->amount, &minutes, err) != APP_OK)
			return app_fail_field(err, APP_EINVAL, clock_names[i],
					      "the %s limit is out of range", clock_names[i]);
	}
	return APP_OK;
}

/* ---- the timeline and notices of a change ---- */

static struct case_step *add_step(struct case_result *res, const char *action, int from, int to,
				  int clock, int level)
{
	if (res->nsteps == CASE_STEPS_MAX)
		return NULL; /* a tick at most: warn + miss per clock stays below */
	struct case_step *s = &res->steps[res->nsteps++];
	memset(s, 0, sizeof(*s));
	snprintf(s->action, sizeof(s->action), "%s", action);
	s->from = from;
	s->to = to;
	s->clock = clock;
	s->level = level;
	return s;
}

static void tell(struct case_result *res, enum case_whom whom, const char *kind)
{
	for (int i = 0; i < res->nnotices; i++)
		if (res->notices[i].whom == whom && strcmp(res->notices[i].kind, kind) == 0)
			return;
	if (res->nnotices == CASE_NOTICES_MAX)
		return;
	struct case_notice *n = &res->notices[res->nnotices++];
	n->whom = whom;
	snprintf(n->kind, sizeof(n->kind), "%s", kind);
}

/* ---- clocks ---- */

/* When a clock started at now begins counting: now, or for a clock limited
 * in duty hours started outside them, the start of the next duty period. */
static int64_t counting_start(const struct case_env *env, const struct case_limit *l, int64_t now)
{
	if (!l->duty_hours || env->duty_start >= env->duty_end)
		return now;
	int minute;
	int day = clock_china_day(now, &minute);
	if (minute >= env->duty_start && minute < env->duty_end)
		return now;
	if (minute >= env->duty_end)
		day = clock_day_add(day, 1);
	return clock_china_time(day, env->duty_start);
}

/* Set warn_at and due of a clock counting from c->started with `used`
 * minutes of its limit already gone. */
static enum app_err schedule(const struct case_env *env, const struct case_limit *l,
			     struct case_clock *k, struct app_error *err)
{
	int64_t limit, warn = 0;
	enum app_err rc = calendar_limit_minutes(l->unit, l->amount, &limit, err);
	int64_t left = limit - k->used, warn_left = limit * env->rules->warn_percent / 100 - k->used;
	if (left < 0)
		left = 0;
	if (rc == APP_OK)
		rc = calendar_after(env->cal, k->started, l->unit, left, &k->due, err);
	if (rc == APP_OK && warn_left > 0)
		rc = calendar_after(env->cal, k->started, l->unit, warn_left, &warn, err);
	k->warn_at = warn_left > 0 ? warn : 0;
	k->warned = warn_left <= 0;
	return rc;
}

static enum app_err clock_start(const struct case_env *env, int id, struct case_clock *k,
				int64_t now, struct app_error *err)
{
	const struct case_limit *l = &env->rules->limit[id];
	memset(k, 0, sizeof(*k));
	if (l->amount == 0)
		return APP_OK; /* a clock these rules do not use */
	k->status = CASE_CLOCK_RUNNING;
	k->started = counting_start(env, l, now);
	return schedule(env, l, k, err);
}

/* Stop a clock: met when stopped before its due instant, missed from it on
 * (a paused clock is not running late). */
static void clock_stop(struct case_clock *k, int64_t now)
{
	if (k->status != CASE_CLOCK_RUNNING && k->status != CASE_CLOCK_PAUSED)
		return;
	bool late = k->status == CASE_CLOCK_RUNNING && now >= k->due;
	k->status = late ? CASE_CLOCK_MISSED : CASE_CLOCK_MET;
	k->stopped = now;
	k->warn_at = k->due = 0;
}

static enum app_err clock_pause(const struct case_env *env, int id, struct case_clock *k,
				int64_t now, struct app_error *err)
{
	if (k->status != CASE_CLOCK_RUNNING)
		return APP_OK;
	int64_t ran = 0;
	if (now > k->started) {
		enum app_err rc = calendar_elapsed(env->cal, k->started,
						   env->rules->limit[id].unit, now, &ran, err);
		if (rc != APP_OK)
			return rc;
	}
	k->used += ran;
	k->status = CASE_CLOCK_PAUSED;
	k->warn_at = k->due = 0;
	return APP_OK;
}

static enum app_err clock_resume(const struct case_env *env, int id, struct case_clock *k,
				 int64_t now, struct app_error *err)
{
	if (k->status != CASE_CLOCK_PAUSED)
		return APP_OK;
	k->status = CASE_CLOCK_RUNNING;
	k->started = counting_start(env, &env->rules->limit[id], now);
	return schedule(env, &env->rules->limit[id], k, err);
}

/* ---- opening and changing ---- */

enum app_err case_open(const struct case_type *type, const struct case_env *env, int64_t now,
		       int64_t actor, struct case_data *out, struct case_result *res,
		       struct app_error *err)
{
	memset(out, 0, sizeof(*out));
	memset(res, 0, sizeof(*res));
	out->version = 1;
	out->state = type->initial;
	out->first_receiver = actor;
	out->created = out->updated = now;
	for (int i = 0; i < CASE_CLOCK__MAX; i++) {
		if (!(type->start & CASE_MASK(i)))
			continue;
		enum app_err rc = clock_start(env, i, &out->clock[i], now, err);
		if (rc != APP_OK)
			return rc;
	}
	add_step(res, "open", -1, out->state, -1, 0);
	tell(res, CASE_TELL_ASSIGNEE, "case.new");
	res->changed = true;
	return APP_OK;
}

/* The names of the states a transition may start from, for its refusal. */
static void from_names(const struct case_type *type, unsigned mask, char *out, size_t cap)
{
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; i < type->nstates && len < cap; i++)
		if (mask & CASE_MASK(i))
			len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? " or " : "",
						type->states[i].name);
}

/* How many rungs of the ladder type uses. */
static int rungs(const struct case_type *type)
{
	return type->nlevels > 0 && type->nlevels <= CASE_LEVELS ? type->nlevels : CASE_LEVELS;
}

enum app_err case_allowed(const struct case_type *type, const struct case_data *c,
			  const char *action, int64_t now, struct app_error *err)
{
	const struct case_transition *t = case_transition_of(type, action);
	if (!t)
		return app_fail_field(err, APP_EINVAL, "action", "unknown action '%.40s'", action);
	if (!(t->from & CASE_MASK(c->state))) {
		char from[512];
		from_names(type, t->from, from, sizeof(from));
		return app_fail_field(err, APP_EINVAL, "action",
				      "a case that is %s cannot be %s: only one that is %s",
				      type->states[c->state].name, t->done, from);
	}
	for (int i = 0; i < CASE_CLOCK__MAX; i++)
		if ((t->running & CASE_MASK(i)) && c->clock[i].status != CASE_CLOCK_RUNNING)
			return app_fail_field(err, APP_EINVAL, "action",
					      "a case cannot be %s: its %s clock is not running",
					      t->done, clock_names[i]);
	const struct case_clock *window = &c->clock[CASE_CLOCK_RESOLVE];
	if ((t->does & CASE_IN_WINDOW) && window->status == CASE_CLOCK_RUNNING &&
	    now >= window->due)
		return app_fail_field(err, APP_EINVAL, "action",
				      "the time to handle the case is over: it can no longer be %s",
				      t->done);
	if ((t->does & CASE_ESCALATES) && c->level + 1 >= rungs(type))
		return app_fail_field(err, APP_EINVAL, "action",
				      "the case is already at the top rung (%s)",
				      type->levels[rungs(type) - 1]);
	return APP_OK;
}

static enum app_err check_needs(const struct case_transition *t, const struct case_cmd *cmd,
				struct app_error *err)
{
	if ((t->needs & CASE_NEEDS_REASON) && (!cmd->reason || !*cmd->reason))
		return app_fail_field(err, APP_EINVAL, "reason", "'%s' needs a reason", t->action);
	if ((t->needs & CASE_NEEDS_BASIS) && (!cmd->basis || !*cmd->basis))
		return app_fail_field(err, APP_EINVAL, "basis",
				      "'%s' needs its basis (the law, policy or duty it rests on)",
				      t->action);
	if ((t->needs & CASE_NEEDS_ASSIGNEE) && !cmd->assignee_user && !cmd->assignee_group &&
	    (!cmd->unit || !*cmd->unit))
		return app_fail_field(err, APP_EINVAL, "assignee",
				      "'%s' needs a person, a group or a unit to hand the case to",
				      t->action);
	if ((t->needs & CASE_NEEDS_UNIT) && (!cmd->unit || !*cmd->unit))
		return app_fail_field(err, APP_EINVAL, "unit", "'%s' needs a department", t->action);
	return APP_OK;
}

/* One rung up, told to the rung and to the first receiver. */
static void escalate(const struct case_type *type, struct case_data *c, struct case_result *res,
		     int clock)
{
	if (c->level + 1 >= rungs(type))
		return; /* the top rung (兜底) keeps it */
	c->level++;
	c->escalations++;
	struct case_step *s = add_step(res, "escalated", c->state, c->state, clock, c->level);
	if (s)
		snprintf(s->detail, sizeof(s->detail), "%s", type->levels[c->level]);
	tell(res, CASE_TELL_LEVEL, "case.escalated");
	tell(res, CASE_TELL_FIRST_RECEIVER, "case.escalated");
}

static enum app_err tick(const struct case_type *type, const struct case_env *env,
			 struct case_data *c, int64_t now, struct case_result *res,
			 struct app_error *err)
{
	for (int i = 0; i < CASE_CLOCK__MAX; i++) {
		struct case_clock *k = &c->clock[i];
		if (k->status != CASE_CLOCK_RUNNING)
			continue;
		if (!k->warned && k->warn_at && now >= k->warn_at) {
			k->warned = true;
			add_step(res, "clock.warning", c->state, c->state, i, c->level);
			tell(res, CASE_TELL_ASSIGNEE, "case.warning");
			res->changed = true;
		}
		if (now < k->due)
			continue;
		add_step(res, "clock.missed", c->state, c->state, i, c->level);
		res->changed = true;
		if (!env->rules->limit[i].escalates || c->level + 1 >= rungs(type)) {
			clock_stop(k, now); /* missed, and nobody above to take it */
			tell(res, CASE_TELL_ASSIGNEE, "case.overdue");
			tell(res, CASE_TELL_FIRST_RECEIVER, "case.overdue");
			continue;
		}
		escalate(type, c, res, i);
		/* the rung above gets the whole limit again */
		enum app_err rc = clock_start(env, i, k, now, err);
		if (rc != APP_OK)
			return rc;
	}
	return APP_OK;
}

enum app_err case_apply(const struct case_type *type, const struct case_env *env,
			struct case_data *c, const struct case_cmd *cmd, struct case_result *res,
			struct app_error *err)
{
	memset(res, 0, sizeof(*res));
	if (cmd->expect_version >= 0 && cmd->expect_version != c->version)
		return app_fail(err, APP_ECONFLICT,
				"the case was changed meanwhile (it is at version %d, the change was "
				"made on version %d): read it again",
				c->version, cmd->expect_version);
	struct case_data next = *c;
	enum app_err rc;
	if (strcmp(cmd->action, "tick") == 0) {
		rc = tick(type, env, &next, cmd->now, res, err);
	} else {
		if ((rc = case_allowed(type, c, cmd->action, cmd->now, err)) != APP_OK)
			return rc;
		const struct case_transition *t = case_transition_of(type, cmd->action);
		if ((rc = check_needs(t, cmd, err)) != APP_OK)
			return rc;
		for (int i = 0; rc == APP_OK && i < CASE_CLOCK__MAX; i++) {
			unsigned m = CASE_MASK(i);
			struct case_clock *k = &next.clock[i];
			if (t->stop & m)
				clock_stop(k, cmd->now);
			if (t->pause & m)
				rc = clock_pause(env, i, k, cmd->now, err);
			if (rc == APP_OK && (t->resume & m))
				rc = clock_resume(env, i, k, cmd->now, err);
			if (rc == APP_OK && (t->start & m))
				rc = clock_start(env, i, k, cmd->now, err);
		}
		/* a handover names a person, a group or a unit: what it names
		 * changes; a new group takes the person's place, a person or a
		 * unit works within the group that holds the case */
		if (t->does & CASE_ASSIGNS) {
			if (cmd->assignee_group) {
				next.assignee_group = cmd->assignee_group;
				next.assignee_user = 0;
			}
			if (cmd->assignee_user)
				next.assignee_user = cmd->assignee_user;
			if (cmd->unit && *cmd->unit)
				snprintf(next.unit, sizeof(next.unit), "%s", cmd->unit);
		}
		if ((t->needs & CASE_NEEDS_UNIT) && !(t->does & CASE_ASSIGNS))
			snprintf(next.unit, sizeof(next.unit), "%s", cmd->unit);
		next.returns += !!(t->does & CASE_COUNTS_RETURN);
		next.whistles += !!(t->does & CASE_COUNTS_WHISTLE);
		next.transfers += !!(t->does & CASE_COUNTS_TRANSFER);
		next.reopens += !!(t->does & CASE_COUNTS_REOPEN);
		if (!next.first_receiver && cmd->actor)
			next.first_receiver = cmd->actor; /* 首接: the first to act on it */
		int to = t->to == CASE_SAME ? c->state : t->to;
		struct case_step *s = add_step(res, t->action, c->state, to, -1, next.level);
		if (s) {
			const char *why = cmd->reason && *cmd->reason ? cmd->reason : "";
			const char *basis = cmd->basis && *cmd->basis ? cmd->basis : "";
			snprintf(s->detail, sizeof(s->detail), "%s%s%s", why, *why && *basis ? "；依据：" : "",
				 basis);
		}
		next.state = to;
		if (t->does & CASE_ESCALATES)
			escalate(type, &next, res, -1);
		tell(res, CASE_TELL_ASSIGNEE, "case.changed");
		tell(res, CASE_TELL_RESIDENT, "case.changed");
		res->changed = true;
	}
	if (rc != APP_OK)
		return rc;
	if (res->changed) {
		next.version++;
		next.updated = cmd->now;
	}
	*c = next;
	return APP_OK;
}

int64_t case_next_check(const struct case_data *c)
{
	int64_t next = 0;
	for (int i = 0; i < CASE_CLOCK__MAX; i++) {
		const struct case_clock *k = &c->clock[i];
		if (k->status != CASE_CLOCK_RUNNING)
			continue;
		int64_t at = !k->warned && k->warn_at ? k->warn_at : k->due;
		if (!next || at < next)
			next = at;
	}
	return next;
}
