/*
 * outbox_http.c - HTTP handlers of the outbox; see outbox_http.h. Who may
 * read: holders of PERM_ENTITLE_READ in the message's region (auth_scope()),
 * the text with the name masked; the phone number and the text as sent only
 * with PERM_PERSONAL_DATA there too, audited.
 */
#include "entitle/outbox_http.h"
#include "auth/auth.h"
#include "core/pii.h"
#include "http/http.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_MAX 200

static json_t *message_json(const struct outbox_row *o)
{
	char phone[16] = "";
	if (*o->phone)
		pii_phone_mask(o->phone, phone);
	json_t *j = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "id",
			      (json_int_t)o->id, "event", (json_int_t)o->event, "entitlement",
			      (json_int_t)o->entitlement, "programme", o->programme, "kind", o->kind,
			      "region", o->region, "text", o->text_masked, "state", o->state, "attempts",
			      o->attempts, "phone", phone);
	json_object_set_new(j, "status", o->status ? json_integer(o->status) : json_null());
	json_object_set_new(j, "detail", http_json_str_or_null(o->detail));
	json_object_set_new(j, "created_at", http_json_time(o->created_at));
	json_object_set_new(j, "sent_at", o->sent_at ? http_json_time(o->sent_at) : json_null());
	json_object_set_new(j, "next_at",
			    strcmp(o->state, "pending") == 0 ? http_json_time(o->next_at)
							     : json_null());
	return j;
}

struct list_ctx {
	json_t *items;
	int64_t last;
};

static bool add_message(void *ctx, const struct outbox_row *o)
{
	struct list_ctx *l = ctx;
	json_array_append_new(l->items, message_json(o));
	l->last = o->id;
	return true;
}

void outbox_handle_list(struct http_req *req)
{
	long before, limit;
	if (!http_query_int_or_reply(req, "before", 0, INT64_MAX, 0, &before) ||
	    !http_query_int_or_reply(req, "limit", 1, LIST_MAX, 50, &limit))
		return;
	const struct auth_caller *c = http_caller(req);
	const char *region = http_query(req, "region"), *state = http_query(req, "state");
	static const char *const states[] = { "pending", "sent", "failed", "kept" };
	bool known = !state || !*state;
	for (size_t i = 0; !known && i < sizeof(states) / sizeof(states[0]); i++)
		known = strcmp(state, states[i]) == 0;
	if (!known) {
		http_reply_fail(req, APP_EINVAL, "state", "state is pending, sent, failed or kept");
		return;
	}
	struct outbox_query q = { .state = state, .before_id = before, .limit = (int)limit };
	struct app_error err;
	if (region && *region) {
		if (auth_scope(c, PERM_ENTITLE_READ, region, &err) != APP_OK) {
			app_fail_field(&err, APP_ENOTFOUND, "region", "no region '%s' in your scope",
				       region);
			http_reply_error(req, &err);
			return;
		}
		q.regions[q.nregions++] = region;
	} else {
		for (int i = 0; i < c->ngrants && q.nregions < 4; i++)
			if (auth_role_perms[c->grants[i].role] & PERM_ENTITLE_READ)
				q.regions[q.nregions++] = c->grants[i].region;
	}
	struct list_ctx l = { json_array(), 0 };
	if (store_outbox_list(http_store(req), &q, add_message, &l, &err) != APP_OK) {
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

void outbox_handle_phone(struct http_req *req)
{
	int64_t id;
	if (!http_param_id(req, "id", &id))
		return;
	const struct auth_caller *c = http_caller(req);
	struct outbox_row *o = malloc(sizeof(*o));
	struct app_error err;
	if (!o) {
		http_reply_fail(req, APP_EINTERNAL, NULL, "out of memory");
		return;
	}
	enum app_err rc = store_outbox_get(http_store(req), id, o, &err);
	if (rc == APP_OK && auth_scope(c, PERM_ENTITLE_READ, o->region, &err) != APP_OK)
		rc = app_fail(&err, APP_ENOTFOUND, "no such notification");
	if (rc == APP_OK && auth_scope(c, PERM_PERSONAL_DATA, o->region, &err) != APP_OK)
		rc = app_fail(&err, APP_EPERM, "your role may not reveal personal data here");
	if (rc == APP_OK) { /* recorded before the number leaves; no number in it */
		char object[32];
		snprintf(object, sizeof(object), "outbox:%" PRId64, o->id);
		struct audit_note note = { c->actor, "outbox.phone_read", object, o->region,
					   "phone and text revealed" };
		rc = store_audit_append(http_store(req), &note, &err);
	}
	if (rc != APP_OK)
		http_reply_error(req, &err);
	else
		http_reply_json(req, 200,
				json_pack("{s:I, s:s, s:s}", "id", (json_int_t)o->id, "phone", o->phone,
					  "text", o->text));
	free(o);
}
