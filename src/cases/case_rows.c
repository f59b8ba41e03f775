/*
 * case_rows.c - the engine's case and the store's row of it, both ways, for
 * any case type; see case_rows.h.
 */
#include "cases/case_rows.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void case_rows_put(const struct case_type *type, const struct case_data *c, struct case_row *r)
{
	r->version = c->version;
	snprintf(r->state, sizeof(r->state), "%s", type->states[c->state].name);
	r->level = c->level;
	r->assignee_user = c->assignee_user;
	r->assignee_group = c->assignee_group;
	snprintf(r->unit, sizeof(r->unit), "%s", c->unit);
	r->first_receiver = c->first_receiver;
	r->returns = c->returns;
	r->whistles = c->whistles;
	r->transfers = c->transfers;
	r->reopens = c->reopens;
	r->escalations = c->escalations;
	r->created_at = c->created;
	r->updated_at = c->updated;
	r->next_check = case_next_check(c);
	/* in name order, as the store gives them back */
	static const enum case_clock_id by_name[CASE_CLOCK__MAX] = {
		CASE_CLOCK_ACK, CASE_CLOCK_ARRIVE, CASE_CLOCK_FOLLOWUP, CASE_CLOCK_RESOLVE,
	};
	r->nclocks = CASE_CLOCK__MAX;
	for (int n = 0; n < CASE_CLOCK__MAX; n++) {
		enum case_clock_id i = by_name[n];
		const struct case_clock *k = &c->clock[i];
		struct case_clock_row *o = &r->clocks[n];
		snprintf(o->name, sizeof(o->name), "%s", case_clock_name(i));
		snprintf(o->status, sizeof(o->status), "%s", case_clock_status_name(k->status));
		o->started = k->started;
		o->used = k->used;
		o->warn_at = k->warn_at;
		o->due = k->due;
		o->warned = k->warned;
		o->stopped = k->stopped;
	}
}

enum app_err case_rows_get(const struct case_type *type, const struct case_row *r,
			   struct case_data *c, struct app_error *err)
{
	memset(c, 0, sizeof(*c));
	c->id = r->id;
	c->version = r->version;
	c->state = case_state_index(type, r->state);
	if (c->state < 0)
		return app_fail(err, APP_EINTERNAL, "%s %" PRId64 " is in an unknown state", type->name,
				r->id);
	c->level = r->level;
	c->assignee_user = r->assignee_user;
	c->assignee_group = r->assignee_group;
	snprintf(c->unit, sizeof(c->unit), "%s", r->unit);
	c->first_receiver = r->first_receiver;
	c->returns = r->returns;
	c->whistles = r->whistles;
	c->transfers = r->transfers;
	c->reopens = r->reopens;
	c->escalations = r->escalations;
	c->created = r->created_at;
	c->updated = r->updated_at;
	for (int i = 0; i < r->nclocks; i++) {
		enum case_clock_id id;
		enum case_clock_status st;
		if (!case_clock_parse(r->clocks[i].name, &id) ||
		    !case_clock_status_parse(r->clocks[i].status, &st))
			return app_fail(err, APP_EINTERNAL, "%s %" PRId64 " has an unknown clock",
					type->name, r->id);
		struct case_clock *k = &c->clock[id];
		k->status = st;
		k->started = r->clocks[i].started;
		k->used = r->clocks[i].used;
		k->warn_at = r->clocks[i].warn_at;
		k->due = r->clocks[i].due;
		k->warned = r->clocks[i].warned;
		k->stopped = r->clocks[i].stopped;
	}
	return APP_OK;
}

void case_rows_steps(const struct case_type *type, const struct case_result *res, int64_t id,
		     int64_t actor, int64_t now, struct case_event_row *out)
{
	for (int i = 0; i < res->nsteps; i++) {
		const struct case_step *st = &res->steps[i];
		struct case_event_row *e = &out[i];
		memset(e, 0, sizeof(*e));
		e->case_id = id;
		e->at = now;
		e->actor = actor;
		snprintf(e->action, sizeof(e->action), "%s", st->action);
		snprintf(e->from_state, sizeof(e->from_state), "%s",
			 st->from >= 0 ? type->states[st->from].name : "");
		snprintf(e->to_state, sizeof(e->to_state), "%s", type->states[st->to].name);
		snprintf(e->clock, sizeof(e->clock), "%s",
			 st->clock >= 0 ? case_clock_name((enum case_clock_id)st->clock) : "");
		e->level = st->level;
		snprintf(e->detail, sizeof(e->detail), "%s", st->detail);
	}
}
