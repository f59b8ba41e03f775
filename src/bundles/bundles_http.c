/*
 * bundles_http.c - the HTTP handlers of 一件事 bundles (bundles_http.h).
 * Reads requests, asks auth_scope() whether the caller may act on the
 * bundle's region (outside it a bundle does not exist: 404), calls
 * bundles.c and writes JSON. The person (ID number, name, phone) is masked
 * everywhere but the audited reveal. An entitlement service shows the
 * person's entitlement only when the caller may read entitlements in the
 * entitlement's own region (it may lie outside the bundle's): otherwise
 * it shows "waiting", as if none were found.
 */
#include "bundles/bundles_http.h"
#include "auth/auth.h"
#include "bundles/bundles.h"
#include "cases/cases_calendar.h"
#include "core/clock.h"
#include "core/pii.h"
#include "entitle/entitle.h"
#include "http/http.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { LIST_MAX = 100 };

static json_t *time_or_null(int64_t t) { return t ? http_json_time(t) : json_null(); }

static json_t *service_json(const struct bundle_service *v, int64_t now)
{
	struct bundle_service_state st;
	bundles_service_state(v, now, &st);
	bool task = strcmp(v->kind, "task") == 0;
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "code", v->code, "name",
			      v->name, "kind", v->kind, "state", st.state, "state_label", st.label,
			      "outcome", bundle_outcome_names[st.outcome], "overdue", st.overdue);
	json_object_set_new(o, "unit", task ? json_string(v->unit) : json_null());
	json_object_set_new(o, "days", task ? json_integer(v->days) : json_null());
	json_object_set_new(o, "due", task ? time_or_null(v->due_at) : json_null());
	json_object_set_new(o, "programme", task ? json_null() : json_string(v->programme));
	json_object_set_new(o, "entitlement",
			    v->entitlement_id ? json_integer(v->entitlement_id) : json_null());
	json_object_set_new(o, "note", http_json_str_or_null(v->note));
	json_object_set_new(o, "marked_at", time_or_null(v->marked_at));
	json_object_set_new(o, "marked_by", http_json_str_or_null(v->marked_by));
	return o;
}

/* Forget in b each entitlement that caller c may not read in its region:
 * its service then reads "waiting" with no id, in the counts too. */
static void hide_foreign(struct bundle *b, const struct auth_caller *c)
{
	for (int i = 0; i < b->nservices; i++) {
		struct bundle_service *v = &b->services[i];
		struct app_error ignored;
		if (v->entitlement_id &&
		    auth_scope(c, PERM_ENTITLE_READ, v->entitlement_region, &ignored) != APP_OK) {
			v->entitlement_id = 0;
			v->entitlement_state[0] = v->entitlement_region[0] = '\0';
		}
	}
}

/* Bundle b as JSON for caller c at now, its person masked unless reveal;
 * the entitlements c may not read are removed from b first. */
static json_t *bundle_json(struct bundle *b, const struct auth_caller *c, int64_t now,
			   bool reveal)
{
	hide_foreign(b, c);
	char id[ENTITLE_KEY_MAX + 1], name[PII_NAME_MASK_MAX], phone[32] = "";
	if (reveal) {
		snprintf(id, sizeof(id), "%s", b->person_key);
		snprintf(phone, sizeof(phone), "%s", b->phone);
	} else {
		pii_id_mask(b->person_key, id);
		pii_name_mask(b->person_name, name);
		if (*b->phone)
			pii_phone_mask(b->phone, phone);
	}
	struct bundle_summary sum;
	bundles_summarize(b, now, &sum);
	json_t *person = json_pack("{s:s, s:s, s:o}", "id_number", id, "name",
				   reveal ? b->person_name : name, "phone",
				   http_json_str_or_null(phone));
	json_t *services = json_array();
	for (int i = 0; i < b->nservices; i++)
		json_array_append_new(services, service_json(&b->services[i], now));
	json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:s, s:o, s:s, s:s, s:s, s:b, s:b}", "id",
			      (json_int_t)b->id, "event", b->event, "name", b->name, "person",
			      person, "region", b->region, "started_at",
			      http_json_time(b->started_at), "started_by", b->started_by, "state",
			      sum.state, "state_label", sum.label, "completed", sum.completed,
			      "overdue", sum.overdue > 0);
	json_object_set_new(o, "counts",
			    json_pack("{s:i, s:i, s:i, s:i}", "pending", sum.pending, "done",
				      sum.done, "refused", sum.refused, "overdue", sum.overdue));
	json_object_set_new(o, "services", services);
	return o;
}

/* Bundle {id} into b when the caller holds perm for its region; else reply
 * (404 outside the scope, as if absent) and return false. */
static bool bundle_or_reply(struct http_req *req, unsigned perm, struct bundle *b)
{
	int64_t id;
	struct app_error err;
	if (!http_param_id(req, "id", &id))
		return false;
	enum app_err rc = store_bundle_get(http_store(req), id, b, &err);
	if (rc == APP_OK)
		rc = auth_scope(http_caller(req), perm, b->region, &err);
	if (rc == APP_ENOTFOUND)
		app_fail(&err, APP_ENOTFOUND, "no bundle %" PRId64, id);
	if (rc != APP_OK) {
		http_reply_error(req, &err);
		return false;
	}
	return true;
}

void bundles_handle_start(struct http_req *req)
{
	const char *event;
	struct bundle_person p = { 0 };
	if (!http_body_str(req, "event", true, &event) ||
	    !http_body_str(req, "id_number", true, &p.id_number) ||
	    !http_body_str(req, "name", true, &p.name) ||
	    !http_body_str(req, "phone", false, &p.phone) ||
	    !http_body_str(req, "region", true, &p.region))
		return;
	const struct auth_caller *c = http_caller(req);
	struct app_error err;
	const struct calendar *cal;
	if (auth_scope(c, PERM_ENTITLE_MANAGE, p.region, &err) != APP_OK ||
	    cases_calendar_shared(http_store(req), &cal, &err) != APP_OK) {
		if (err.code == APP_ENOTFOUND)
			app_fail_field(&err, APP_ENOTFOUND, "region", "no region '%s' in your scope",
				       p.region);
		http_reply_error(req, &err);
		return;
	}
	struct bundle *b = malloc(sizeof(*b));
	if (!b) {
		http_reply_fail(req, APP_EINTERNAL, NULL, "out of memory");
		return;
	}
	int64_t now = clock_now();
	if (bundles_start(http_store(req), cal, bundles_dir(), entitle_programmes_dir(), event, &p,
			  c->actor, now, b, &err) != APP_OK)
		http_reply_error(req, &err);
	else
		http_reply_json(req, 201, bundle_json(b, c, now, false));
	free(b);
}

struct list_ctx {
	json_t *items;
	const struct auth_caller *caller;
	struct bundle *copy; /* bundle_json edits what it is given */
	int64_t now, last;
};

static bool add_bundle(void *ctx, const struct bundle *b)
{
	struct list_ctx *lc = ctx;
	*lc->copy = *b;
	json_array_append_new(lc->items, bundle_json(lc->copy, lc->caller, lc->now, false));
	lc->last = b->id;
	return true;
}

void bundles_handle_list(struct http_req *req)
{
	long before, limit;
	if (!http_query_int_or_reply(req, "before", 0, INT64_MAX, 0, &before) ||
	    !http_query_int_or_reply(req, "limit", 1, LIST_MAX, 50, &limit))
		return;
	const struct auth_caller *c = http_caller(req);
	const char *region = http_query(req, "region");
	if (!region || !*region)
		region = auth_home_region(c, PERM_ENTITLE_READ);
	struct app_error err;
	if (!region || auth_scope(c, PERM_ENTITLE_READ, region, &err) != APP_OK) {
		if (!region || err.code == APP_ENOTFOUND)
			app_fail_field(&err, APP_ENOTFOUND, "region", "no region '%s' in your scope",
				       region ? region : "");
		http_reply_error(req, &err);
		return;
	}
	struct bundle_query q = { .within = region, .event = http_query(req, "event"),
				  .before_id = before, .limit = (int)limit };
	struct list_ctx lc = { json_array(), c, malloc(sizeof(struct bundle)), clock_now(), 0 };
	enum app_err rc = lc.copy ? store_bundles_list(http_store(req), &q, add_bundle, &lc, &err)
				  : app_fail(&err, APP_EINTERNAL, "out of memory");
	free(lc.copy);
	if (rc != APP_OK) {
		json_decref(lc.items);
		http_reply_error(req, &err);
		return;
	}
	json_t *body = json_pack("{s:s, s:o}", "region", region, "items", lc.items);
	json_object_set_new(body, "next_before",
			    (long)json_array_size(lc.items) == limit ? json_integer(lc.last)
								     : json_null());
	http_reply_json(req, 200, body);
}

void bundles_handle_get(struct http_req *req)
{
	struct bundle *b = malloc(sizeof(*b));
	if (!b) {
		http_reply_fail(req, APP_EINTERNAL, NULL, "out of memory");
		return;
	}
	if (bundle_or_reply(req, PERM_ENTITLE_READ, b))
		http_reply_json(req, 200, bundle_json(b, http_caller(req), clock_now(), false));
	free(b);
}

void bundles_handle_mark(struct http_req *req)
{
	const char *state, *note;
	if (!http_body_str(req, "state", true, &state) || !http_body_str(req, "note", false, &note))
		return;
	struct bundle *b = malloc(sizeof(*b));
	if (!b) {
		http_reply_fail(req, APP_EINTERNAL, NULL, "out of memory");
		return;
	}
	struct app_error err;
	int64_t now = clock_now();
	if (bundle_or_reply(req, PERM_ENTITLE_MANAGE, b)) {
		if (bundles_mark(http_store(req), b, http_param(req, "code"), state, note,
				 http_caller(req)->actor, now, &err) != APP_OK)
			http_reply_error(req, &err);
		else
			http_reply_json(req, 200, bundle_json(b, http_caller(req), now, false));
	}
	free(b);
}

void bundles_handle_person(struct http_req *req)
{
	struct bundle *b = malloc(sizeof(*b));
	if (!b) {
		http_reply_fail(req, APP_EINTERNAL, NULL, "out of memory");
		return;
	}
	const struct auth_caller *c = http_caller(req);
	struct app_error err;
	if (bundle_or_reply(req, PERM_ENTITLE_READ, b)) {
		enum app_err rc = auth_scope(c, PERM_PERSONAL_DATA, b->region, &err);
		if (rc != APP_OK) /* visible, but not theirs to unmask */
			app_fail(&err, APP_EPERM, "your role may not reveal personal data here");
		else
			rc = bundles_reveal(http_store(req), b, http_query(req, "reason"), c->actor,
					    &err);
		if (rc != APP_OK) {
			http_reply_error(req, &err);
		} else {
			json_t *o = bundle_json(b, c, clock_now(), true);
			json_object_set_new(o, "revealed", json_true());
			http_reply_json(req, 200, o);
		}
	}
	free(b);
}
