/*
 * delivery_http.c - HTTP handlers of delivery tasks (docs/api.md
 * "Delivery tasks"): a region's tasks, one with its timeline, an officer's
 * action, and the person's contact revealed (audited). Who may: holders of
 * PERM_DELIVERIES_HANDLE in the task's region (delivery.c through
 * auth_scope()); anyone else finds no such task. Names and phones are
 * masked everywhere but the audited reveal.
 */
#include "cases/delivery_http.h"
#include "cases/cases_calendar.h"
#include "cases/delivery.h"
#include "core/clock.h"
#include "core/pii.h"
#include "http/http.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_MAX 200

static json_t *task_json(const struct auth_caller *c, const struct case_row *k)
{
	char name[PII_NAME_MASK_MAX] = "", phone[16] = "";
	pii_name_mask(k->contact_name, name);
	if (*k->contact_phone)
		pii_phone_mask(k->contact_phone, phone);
	int state = case_state_index(&delivery_type, k->state);
	json_t *o = json_pack("{s:I, s:i, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
			      (json_int_t)k->id, "version", k->version, "state", k->state,
			      "state_label", state >= 0 ? delivery_type.states[state].label : "",
			      "level", k->level, "level_name",
			      delivery_type.levels[k->level < CASE_LEVELS ? k->level : 0], "region",
			      k->region, "category", k->category, "title", k->title, "detail",
			      k->description, "limit", k->urgency, "person_name", name);
	json_object_set_new(o, "person_phone", http_json_str_or_null(phone));
	json_t *clock = json_null();
	for (int i = 0; i < k->nclocks; i++)
		if (strcmp(k->clocks[i].name, "resolve") == 0) {
			const struct case_clock_row *r = &k->clocks[i];
			json_decref(clock);
			clock = json_pack("{s:s, s:b}", "status", r->status, "warned", r->warned);
			json_object_set_new(clock, "due", r->due ? http_json_time(r->due) : json_null());
			json_object_set_new(clock, "stopped",
					    r->stopped ? http_json_time(r->stopped) : json_null());
		}
	json_object_set_new(o, "clock", clock);
	json_object_set_new(o, "escalations", json_integer(k->escalations));
	json_object_set_new(o, "created_at", http_json_time(k->created_at));
	json_object_set_new(o, "closed_at", k->closed_at ? http_json_time(k->closed_at) : json_null());
	const char *acts[8];
	int n = delivery_actions(c, k, clock_now(), acts, 8);
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_string(acts[i]));
	json_object_set_new(o, "actions", a);
	return o;
}

struct list_ctx {
	const struct auth_caller *c;
	json_t *items;
	int64_t last;
};

static bool add_task(void *ctx, const struct case_row *k)
{
	struct list_ctx *l = ctx;
	json_array_append_new(l->items, task_json(l->c, k));
	l->last = k->id;
	return true;
}

void delivery_handle_list(struct http_req *req)
{
	long before, limit;
	if (!http_query_int_or_reply(req, "before", 0, INT64_MAX, 0, &before) ||
	    !http_query_int_or_reply(req, "limit", 1, LIST_MAX, 50, &limit))
		return;
	const struct auth_caller *c = http_caller(req);
	const char *state = http_query(req, "state");
	if (state && *state && case_state_index(&delivery_type, state) < 0) {
		http_reply_fail(req, APP_EINVAL, "state",
				"state is waiting, out, delivered, failed or cancelled");
		return;
	}
	struct case_query q = { .state = state, .region = http_query(req, "region"),
				.before_id = before, .limit = (int)limit };
	struct list_ctx l = { c, json_array(), 0 };
	struct app_error err;
	if (delivery_list(http_store(req), c, &q, add_task, &l, &err) != APP_OK) {
		json_decref(l.items);
		http_reply_error(req, &err);
		return;
	}
	json_t *body = json_pack("{s:o}", "items", l.items);
	json_object_set_new(body, "next_before",
			    (long)json_array_size(l.items) == limit ? json_integer(l.last)
								    : json_null());
	http_reply_json(req, 200, body);
}

static bool add_line(void *ctx, const struct case_event_row *e)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:i}", "action", e->action, "from", e->from_state,
			      "to", e->to_state, "level", e->level);
	json_object_set_new(o, "detail", http_json_str_or_null(e->detail));
	json_object_set_new(o, "at", http_json_time(e->at));
	json_array_append_new(ctx, o);
	return true;
}

/* Task {id} as the caller may see it, into k; false when a reply went out. */
static bool task_or_reply(struct http_req *req, struct case_row *k)
{
	int64_t id;
	struct app_error err;
	if (!http_param_id(req, "id", &id))
		return false;
	if (delivery_get(http_store(req), http_caller(req), id, k, &err) != APP_OK) {
		http_reply_error(req, &err);
		return false;
	}
	return true;
}

static void reply_task(struct http_req *req, const struct case_row *k)
{
	json_t *o = task_json(http_caller(req), k);
	json_t *lines = json_array();
	struct app_error err;
	if (store_case_events(http_store(req), k->id, add_line, lines, &err) != APP_OK) {
		json_decref(lines);
		json_decref(o);
		http_reply_error(req, &err);
		return;
	}
	json_object_set_new(o, "timeline", lines);
	http_reply_json(req, 200, o);
}

void delivery_handle_get(struct http_req *req)
{
	struct case_row *k = malloc(sizeof(*k));
	if (!k) {
		http_reply_fail(req, APP_EINTERNAL, NULL, "out of memory");
		return;
	}
	if (task_or_reply(req, k))
		reply_task(req, k);
	free(k);
}

void delivery_handle_act(struct http_req *req)
{
	int64_t id, version = 0;
	const char *words = NULL, *action = http_param(req, "action");
	if (!http_param_id(req, "id", &id) || !http_body_id(req, "version", &version) ||
	    !http_body_str(req, "words", false, &words))
		return;
	/* no version: on the task as it is now (an officer at the door) */
	if (version < 0 || version > INT32_MAX) {
		http_reply_fail(req, APP_EINVAL, "version", "version is a positive whole number");
		return;
	}
	const struct calendar *cal;
	struct app_error err;
	struct case_row *k = malloc(sizeof(*k));
	if (!k) {
		http_reply_fail(req, APP_EINTERNAL, NULL, "out of memory");
		return;
	}
	if (cases_calendar_shared(http_store(req), &cal, &err) != APP_OK ||
	    delivery_act(http_store(req), cal, http_caller(req), id, action ? action : "",
			 version ? (int)version : -1, words, clock_now(), k, &err) != APP_OK)
		http_reply_error(req, &err);
	else
		reply_task(req, k);
	free(k);
}

void delivery_handle_contact(struct http_req *req)
{
	struct case_row *k = malloc(sizeof(*k));
	if (!k) {
		http_reply_fail(req, APP_EINTERNAL, NULL, "out of memory");
		return;
	}
	if (!task_or_reply(req, k)) {
		free(k);
		return;
	}
	/* recorded before the contact leaves; no name or number in it */
	const struct auth_caller *c = http_caller(req);
	char object[32];
	snprintf(object, sizeof(object), "case:%" PRId64, k->id);
	struct audit_note note = { c->actor, "delivery.contact_read", object, k->region,
				   "contact revealed to deliver" };
	struct app_error err;
	if (store_audit_append(http_store(req), &note, &err) != APP_OK)
		http_reply_error(req, &err);
	else
		http_reply_json(req, 200,
				json_pack("{s:I, s:s, s:s}", "id", (json_int_t)k->id, "name",
					  k->contact_name, "phone", k->contact_phone));
	free(k);
}
