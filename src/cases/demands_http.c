/*
 * demands_http.c - the HTTP handlers of demands (诉求): raising one, the
 * categories, listing, one demand with its clocks and timeline, acting on
 * it, and what a new one may duplicate. Who may do what is demands.c's;
 * this file reads requests and writes JSON (contact phones always masked).
 */
#include "cases/demands_http.h"
#include "cases/cases_calendar.h"
#include "cases/categories.h"
#include "cases/demand.h"
#include "cases/demands.h"
#include "core/clock.h"
#include "core/pii.h"
#include "http/http.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LIST_MAX = 200 };

static json_t *str_or_null(const char *s) { return *s ? json_string(s) : json_null(); }
static json_t *id_or_null(int64_t id) { return id ? json_integer(id) : json_null(); }

static const char *state_label(const char *state)
{
	int i = case_state_index(&demand_type, state);
	return i >= 0 ? demand_type.states[i].label : state;
}

/* The actions the caller may take on d now (for the interface's buttons). */
static json_t *actions_json(const struct auth_caller *c, const struct case_row *d)
{
	const char *names[32];
	int n = demands_actions(c, d, clock_now(), names, 32);
	json_t *a = json_array();
	for (int i = 0; i < n; i++) {
		const struct case_transition *t = case_transition_of(&demand_type, names[i]);
		json_array_append_new(a, json_pack("{s:s, s:s}", "action", names[i], "label",
						   t ? t->label : "回访"));
	}
	return a;
}

static json_t *demand_json(const struct auth_caller *c, const struct case_row *d)
{
	const struct category *cat = category_of(d->category);
	char phone[32] = "";
	if (*d->contact_phone)
		pii_phone_mask(d->contact_phone, phone);
	json_t *clocks = json_array();
	for (int i = 0; i < d->nclocks; i++) {
		const struct case_clock_row *k = &d->clocks[i];
		if (strcmp(k->status, "idle") == 0)
			continue;
		json_t *o = json_pack("{s:s, s:s, s:b}", "name", k->name, "status", k->status,
				      "warned", k->warned);
		json_object_set_new(o, "due", k->due ? http_json_time(k->due) : json_null());
		json_object_set_new(o, "warn_at", k->warn_at ? http_json_time(k->warn_at) : json_null());
		json_object_set_new(o, "stopped", k->stopped ? http_json_time(k->stopped) : json_null());
		json_array_append_new(clocks, o);
	}
	json_t *o = json_pack(
		"{s:I, s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
		(json_int_t)d->id, "type", d->type, "version", d->version, "state", d->state,
		"state_label", state_label(d->state), "level", d->level, "level_name",
		demand_type.levels[d->level < CASE_LEVELS ? d->level : 0], "region", d->region,
		"county", d->county, "category", d->category, "category_name",
		cat ? cat->name : d->category, "urgency", d->urgency, "title", d->title,
		"description", d->description);
	json_object_set_new(o, "address", str_or_null(d->address));
	json_object_set_new(o, "location",
			    d->located ? json_pack("{s:f, s:f}", "lat", d->lat, "lon", d->lon)
				       : json_null());
	json_object_set_new(o, "contact_name", str_or_null(d->contact_name));
	json_object_set_new(o, "contact_phone", str_or_null(phone));
	json_object_set_new(o, "source", json_string(d->source));
	json_object_set_new(o, "source_message_id", id_or_null(d->source_message_id));
	json_object_set_new(o, "resident_id", id_or_null(d->resident_id));
	json_object_set_new(o, "group_id", id_or_null(d->group_id));
	json_object_set_new(o, "assignee_user", id_or_null(d->assignee_user));
	json_object_set_new(o, "assignee_group", id_or_null(d->assignee_group));
	json_object_set_new(o, "unit", str_or_null(d->unit));
	json_object_set_new(o, "first_receiver", id_or_null(d->first_receiver));
	json_object_set_new(o, "merged_into", id_or_null(d->merged_into));
	json_object_set_new(o, "rating", str_or_null(d->rating));
	json_object_set_new(o, "counts",
			    json_pack("{s:i, s:i, s:i, s:i, s:i}", "returns", d->returns, "whistles",
				      d->whistles, "transfers", d->transfers, "reopens", d->reopens,
				      "escalations", d->escalations));
	json_object_set_new(o, "clocks", clocks);
	json_object_set_new(o, "created_at", http_json_time(d->created_at));
	json_object_set_new(o, "updated_at", http_json_time(d->updated_at));
	json_object_set_new(o, "closed_at", d->closed_at ? http_json_time(d->closed_at) : json_null());
	json_object_set_new(o, "actions", actions_json(c, d));
	return o;
}

static bool calendar_or_reply(struct http_req *req, const struct calendar **cal)
{
	struct app_error err;
	if (cases_calendar_shared(http_store(req), cal, &err) != APP_OK) {
		http_reply_error(req, &err);
		return false;
	}
	return true;
}

void demands_handle_raise(struct http_req *req)
{
	struct demand_new in = { 0 };
	json_t *loc = json_object_get(http_json(req), "location");
	if (!http_body_str(req, "region", false, &in.region) ||
	    !http_body_str(req, "category", true, &in.category) ||
	    !http_body_str(req, "urgency", false, &in.urgency) ||
	    !http_body_str(req, "title", false, &in.title) ||
	    !http_body_str(req, "description", false, &in.description) ||
	    !http_body_str(req, "address", false, &in.address) ||
	    !http_body_str(req, "contact_name", false, &in.contact_name) ||
	    !http_body_str(req, "contact_phone", false, &in.contact_phone) ||
	    !http_body_id(req, "source_message_id", &in.source_message_id))
		return;
	if (loc && !json_is_null(loc)) {
		json_t *lat = json_object_get(loc, "lat"), *lon = json_object_get(loc, "lon");
		if (!json_is_number(lat) || !json_is_number(lon)) {
			http_reply_fail(req, APP_EINVAL, "location",
					"location must be {\"lat\": number, \"lon\": number}");
			return;
		}
		in.lat = json_number_value(lat);
		in.lon = json_number_value(lon);
		in.located = true;
	}
	in.source = in.source_message_id ? "message" : "app";
	const struct calendar *cal;
	if (!calendar_or_reply(req, &cal))
		return;
	struct case_row *d = malloc(sizeof(*d));
	struct app_error err;
	if (!d) {
		http_reply_fail(req, APP_EINTERNAL, NULL, "out of memory");
		return;
	}
	if (demands_raise(http_store(req), cal, http_caller(req), &in, clock_now(), d, &err) != APP_OK)
		http_reply_error(req, &err);
	else
		http_reply_json(req, 201, demand_json(http_caller(req), d));
	free(d);
}

void demands_handle_categories(struct http_req *req)
{
	size_t n;
	const struct category *all = categories_all(&n);
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		const char *dot = strrchr(all[i].code, '.');
		char parent[32] = "";
		if (dot)
			snprintf(parent, sizeof(parent), "%.*s", (int)(dot - all[i].code), all[i].code);
		json_array_append_new(items, json_pack("{s:s, s:s, s:o, s:s}", "code", all[i].code,
						       "name", all[i].name, "parent",
						       str_or_null(parent), "urgency",
						       demand_urgency_name(all[i].urgency)));
	}
	http_reply_json(req, 200, json_pack("{s:o}", "items", items));
}

struct list_ctx {
	const struct auth_caller *c;
	json_t *items;
	int64_t last;
};

static bool add_demand(void *ctx, const struct case_row *d)
{
	struct list_ctx *lc = ctx;
	json_array_append_new(lc->items, demand_json(lc->c, d));
	lc->last = d->id;
	return true;
}

static void reply_list(struct http_req *req, enum app_err rc, struct list_ctx *lc,
		       const struct app_error *err, int limit)
{
	if (rc != APP_OK) {
		json_decref(lc->items);
		http_reply_error(req, err);
		return;
	}
	json_t *body = json_pack("{s:o}", "items", lc->items);
	json_object_set_new(body, "next_before",
			    (int)json_array_size(lc->items) == limit ? json_integer(lc->last)
								     : json_null());
	http_reply_json(req, 200, body);
}

void demands_handle_list(struct http_req *req)
{
	long before, limit;
	if (!http_query_int_or_reply(req, "before", 0, INT64_MAX, 0, &before) ||
	    !http_query_int_or_reply(req, "limit", 1, LIST_MAX, 50, &limit))
		return;
	struct case_query q = { .state = http_query(req, "state"),
				.category = http_query(req, "category"),
				.region = http_query(req, "region"),
				.before_id = before,
				.limit = (int)limit };
	struct list_ctx lc = { http_caller(req), json_array(), 0 };
	struct app_error err;
	enum app_err rc = demands_list(http_store(req), http_caller(req), &q, add_demand, &lc, &err);
	reply_list(req, rc, &lc, &err, (int)limit);
}

void demands_handle_similar(struct http_req *req)
{
	const char *region = http_query(req, "region"), *category = http_query(req, "category");
	if (!region || !*region || !category || !*category) {
		http_reply_fail(req, APP_EINVAL, region && *region ? "category" : "region",
				"say which village (region) and category");
		return;
	}
	struct list_ctx lc = { http_caller(req), json_array(), 0 };
	struct app_error err;
	enum app_err rc = demands_similar(http_store(req), http_caller(req), region, category,
					  clock_now(), add_demand, &lc, &err);
	reply_list(req, rc, &lc, &err, DEMANDS_SIMILAR_MAX);
}

static bool add_event(void *ctx, const struct case_event_row *e)
{
	json_t *o = json_pack("{s:I, s:s, s:o, s:s, s:o, s:i, s:o}", "id", (json_int_t)e->id,
			      "action", e->action, "from", str_or_null(e->from_state), "to",
			      e->to_state, "clock", str_or_null(e->clock), "level", e->level,
			      "detail", str_or_null(e->detail));
	json_object_set_new(o, "at", http_json_time(e->at));
	json_object_set_new(o, "actor", id_or_null(e->actor));
	json_array_append_new(ctx, o);
	return true;
}

/* Demand {id} as the caller may see it, with its timeline; or reply. */
static void reply_demand(struct http_req *req, int status, const struct case_row *d)
{
	json_t *o = demand_json(http_caller(req), d);
	json_t *timeline = json_array();
	struct app_error err;
	if (store_case_events(http_store(req), d->id, add_event, timeline, &err) != APP_OK) {
		json_decref(timeline);
		json_decref(o);
		http_reply_error(req, &err);
		return;
	}
	json_object_set_new(o, "timeline", timeline);
	http_reply_json(req, status, o);
}

void demands_handle_get(struct http_req *req)
{
	int64_t id;
	if (!http_param_id(req, "id", &id))
		return;
	struct case_row *d = malloc(sizeof(*d));
	struct app_error err;
	if (!d) {
		http_reply_fail(req, APP_EINTERNAL, NULL, "out of memory");
		return;
	}
	if (demands_get(http_store(req), http_caller(req), id, d, &err) != APP_OK)
		http_reply_error(req, &err);
	else
		reply_demand(req, 200, d);
	free(d);
}

void demands_handle_act(struct http_req *req)
{
	int64_t id, version = 0;
	struct demand_act a = { 0 };
	if (!http_param_id(req, "id", &id) || !http_body_str(req, "action", true, &a.action) ||
	    !http_body_id(req, "version", &version) ||
	    !http_body_str(req, "reason", false, &a.reason) ||
	    !http_body_str(req, "basis", false, &a.basis) ||
	    !http_body_id(req, "assignee_user", &a.assignee_user) ||
	    !http_body_id(req, "assignee_group", &a.assignee_group) ||
	    !http_body_str(req, "unit", false, &a.unit) ||
	    !http_body_id(req, "merge_into", &a.merge_into) ||
	    !http_body_bool(req, "resolved", true, &a.resolved) ||
	    !http_body_str(req, "rating", false, &a.rating))
		return;
	if (version <= 0 || version > INT32_MAX) {
		http_reply_fail(req, APP_EINVAL, "version",
				"say which version of the demand you acted on (version)");
		return;
	}
	a.version = (int)version;
	const struct calendar *cal;
	if (!calendar_or_reply(req, &cal))
		return;
	struct case_row *d = malloc(sizeof(*d));
	struct app_error err;
	if (!d) {
		http_reply_fail(req, APP_EINTERNAL, NULL, "out of memory");
		return;
	}
	if (demands_act(http_store(req), cal, http_caller(req), id, &a, clock_now(), d, &err) !=
	    APP_OK)
		http_reply_error(req, &err);
	else
		reply_demand(req, 200, d);
	free(d);
}
