/*
 * demands_http.c - the HTTP handlers of demands (诉求): raising one,
 * listing, one demand with its clocks, timeline and photos,
 * acting on it, what a new one may duplicate, its photos, its contact
 * revealed, and the live stream of a group's demands. Who may do what is
 * demands.c's and demand_photos.c's; this file reads requests and writes
 * JSON (contact phones masked everywhere but the audited reveal).
 */
#include "cases/demands_http.h"
#include "cases/case_settings.h"
#include "cases/cases_calendar.h"
#include "cases/demand_photos.h"
#include "cases/categories.h"
#include "cases/demand.h"
#include "cases/demands.h"
#include "core/clock.h"
#include "core/pii.h"
#include "groups/images.h"
#include "http/http.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LIST_MAX = 200 };

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

/* The name of category code in county's tree (the code itself when the
 * tree has no such category, or cannot be read) into out. */
static void category_name(struct store *s, const char *county, const char *code, char *out,
			  size_t cap)
{
	const struct case_settings *cs = NULL;
	struct app_error ignored;
	const struct category *cat = NULL;
	if (case_settings_get(s, county, &cs, &ignored) == APP_OK)
		cat = case_settings_category(cs, code);
	snprintf(out, cap, "%s", cat ? cat->name : code);
	case_settings_put(cs);
}

static json_t *demand_json(struct http_req *req, const struct case_row *d)
{
	const struct auth_caller *c = http_caller(req);
	char category[CASE_CATEGORY_NAME_MAX];
	category_name(http_store(req), d->county, d->category, category, sizeof(category));
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
		"county", d->county, "category", d->category, "category_name", category,
		"urgency", d->urgency, "title", d->title,
		"description", d->description);
	json_object_set_new(o, "address", http_json_str_or_null(d->address));
	json_object_set_new(o, "location",
			    d->located ? json_pack("{s:f, s:f}", "lat", d->lat, "lon", d->lon)
				       : json_null());
	json_object_set_new(o, "contact_name", http_json_str_or_null(d->contact_name));
	json_object_set_new(o, "contact_phone", http_json_str_or_null(phone));
	json_object_set_new(o, "source", json_string(d->source));
	json_object_set_new(o, "source_message_id", id_or_null(d->source_message_id));
	json_object_set_new(o, "resident_id", id_or_null(d->resident_id));
	json_object_set_new(o, "group_id", id_or_null(d->group_id));
	json_object_set_new(o, "assignee_user", id_or_null(d->assignee_user));
	json_object_set_new(o, "assignee_group", id_or_null(d->assignee_group));
	json_object_set_new(o, "unit", http_json_str_or_null(d->unit));
	json_object_set_new(o, "first_receiver", id_or_null(d->first_receiver));
	json_object_set_new(o, "merged_into", id_or_null(d->merged_into));
	json_object_set_new(o, "rating", http_json_str_or_null(d->rating));
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
	case_settings_scope_begin(); /* the county's settings read once */
	if (demands_raise(http_store(req), cal, http_caller(req), &in, clock_now(), d, &err) !=
	    APP_OK) {
		http_reply_error(req, &err);
	} else {
		json_t *o = demand_json(req, d);
		json_object_set_new(o, "photos", json_array()); /* none yet */
		http_reply_json(req, 201, o);
	}
	case_settings_scope_end();
	free(d);
}

struct list_ctx {
	struct http_req *req;
	json_t *items;
	int64_t last;
};

static bool add_demand(void *ctx, const struct case_row *d)
{
	struct list_ctx *lc = ctx;
	json_array_append_new(lc->items, demand_json(lc->req, d));
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
	struct list_ctx lc = { req, json_array(), 0 };
	struct app_error err;
	case_settings_scope_begin(); /* each county's settings read once */
	enum app_err rc = demands_list(http_store(req), http_caller(req), &q, add_demand, &lc, &err);
	case_settings_scope_end();
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
	struct list_ctx lc = { req, json_array(), 0 };
	struct app_error err;
	case_settings_scope_begin(); /* the county's settings read once */
	enum app_err rc = demands_similar(http_store(req), http_caller(req), region, category,
					  clock_now(), add_demand, &lc, &err);
	case_settings_scope_end();
	reply_list(req, rc, &lc, &err, DEMANDS_SIMILAR_MAX);
}

static bool add_event(void *ctx, const struct case_event_row *e)
{
	json_t *o = json_pack("{s:I, s:s, s:o, s:s, s:o, s:i, s:o}", "id", (json_int_t)e->id,
			      "action", e->action, "from", http_json_str_or_null(e->from_state), "to",
			      e->to_state, "clock", http_json_str_or_null(e->clock), "level", e->level,
			      "detail", http_json_str_or_null(e->detail));
	json_object_set_new(o, "at", http_json_time(e->at));
	json_object_set_new(o, "actor", id_or_null(e->actor));
	json_array_append_new(ctx, o);
	return true;
}

static json_t *photo_json(const struct case_photo *p)
{
	char url[128];
	snprintf(url, sizeof(url), "/api/v1/demands/%" PRId64 "/photos/%s", p->case_id,
		 p->sha256);
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I}", "sha256", p->sha256, "url", url, "type",
			      p->mime, "size", (json_int_t)p->size, "added_by",
			      (json_int_t)p->added_by);
	json_object_set_new(o, "added_at", http_json_time(p->added_at));
	return o;
}

static bool add_photo(void *ctx, const struct case_photo *p)
{
	json_array_append_new(ctx, photo_json(p));
	return true;
}

/* Demand {id} as the caller may see it, with its timeline and photos; or
 * reply. */
static void reply_demand(struct http_req *req, int status, const struct case_row *d)
{
	json_t *o = demand_json(req, d);
	json_t *timeline = json_array(), *photos = json_array();
	struct app_error err;
	if (store_case_events(http_store(req), d->id, add_event, timeline, &err) != APP_OK ||
	    store_case_photos(http_store(req), d->id, add_photo, photos, &err) != APP_OK) {
		json_decref(photos);
		json_decref(timeline);
		json_decref(o);
		http_reply_error(req, &err);
		return;
	}
	json_object_set_new(o, "timeline", timeline);
	json_object_set_new(o, "photos", photos);
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
	case_settings_scope_begin(); /* the county's settings read once */
	if (demands_act(http_store(req), cal, http_caller(req), id, &a, clock_now(), d, &err) !=
	    APP_OK)
		http_reply_error(req, &err);
	else
		reply_demand(req, 200, d);
	case_settings_scope_end();
	free(d);
}

/* ---- photos ---- */

void demands_handle_photo_add(struct http_req *req)
{
	int64_t id;
	if (!http_param_id(req, "id", &id))
		return;
	size_t len;
	const char *data = http_body_text(req, &len);
	struct case_photo p;
	bool added;
	struct app_error err;
	if (demand_photos_add(http_store(req), http_data_dir(req), http_caller(req), id, data, len,
			      clock_now(), &p, &added, &err) != APP_OK)
		http_reply_error(req, &err);
	else
		http_reply_json(req, added ? 201 : 200, photo_json(&p));
}

void demands_handle_photo_get(struct http_req *req)
{
	int64_t id;
	if (!http_param_id(req, "id", &id))
		return;
	struct case_photo p;
	int fd;
	uint64_t size;
	struct app_error err;
	if (demand_photos_get(http_store(req), http_caller(req), id, http_param(req, "sha"), &p,
			      &err) != APP_OK ||
	    images_open(http_data_dir(req), p.sha256, &fd, &size, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	/* named by its content: it never changes, but it is not public; its
	 * type is sent after this returns, so it lives in the request's arena */
	http_reply_file(req, arena_strndup(http_arena(req), p.mime, strlen(p.mime)), fd, size,
			"private, max-age=86400, immutable");
}

/* ---- the contact, revealed ---- */

void demands_handle_contact(struct http_req *req)
{
	int64_t id;
	if (!http_param_id(req, "id", &id))
		return;
	struct demand_contact k;
	struct app_error err;
	if (demands_contact(http_store(req), http_caller(req), id, http_query(req, "reason"), &k,
			    &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, 200, json_pack("{s:I, s:o, s:o, s:s}", "demand", (json_int_t)id,
					    "contact_name", http_json_str_or_null(k.name), "contact_phone",
					    http_json_str_or_null(k.phone), "from",
					    k.from_account ? "account" : "demand"));
}

/* ---- the live stream of a group's demands ---- */

/* A group's stream of demands lasts while its caller may still follow it. */
static bool still_follows(struct store *s, const struct auth_caller *c, int64_t group_id)
{
	struct group g;
	struct app_error ignored;
	return demands_group_open(s, c, group_id, &g, &ignored) == APP_OK;
}

void demands_handle_group_events(struct http_req *req)
{
	int64_t id;
	struct group g;
	struct app_error err;
	if (!http_param_id(req, "id", &id))
		return;
	if (demands_group_open(http_store(req), http_caller(req), id, &g, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	char topic[EVENT_TOPIC_MAX];
	snprintf(topic, sizeof(topic), "cases:%" PRId64, g.id);
	http_reply_events(req, topic, still_follows, g.id);
}
