/*
 * audit_http.c - an object's history, for those who may see the object.
 */
#include "audit/audit_http.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "core/clock.h"
#include "http/http.h"

#include <sodium.h>

enum { AUDIT_LIST_MAX = 500 };

static bool append_entry(void *ctx, const struct audit_record *r)
{
	char at[32], hash[2 * AUDIT_HASH_LEN + 1];
	clock_format_utc(r->at, at, sizeof(at));
	sodium_bin2hex(hash, sizeof(hash), r->hash, AUDIT_HASH_LEN);
	json_array_append_new(ctx, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "id",
					     (json_int_t)r->id, "at", at, "actor", r->actor,
					     "action", r->action, "object", r->object, "summary",
					     r->summary, "hash", hash));
	return true;
}

void audit_handle_list(struct http_req *req)
{
	const char *object = http_query(req, "object");
	long limit;
	if (!http_query_int_or_reply(req, "limit", 1, AUDIT_LIST_MAX, 100, &limit))
		return;
	if (!object || !*object) {
		http_reply_fail(req, APP_EINVAL, "object",
				"say whose history in 'object' (user:ID, household:ID or region:CODE)");
		return;
	}
	struct store *s = http_store(req);
	struct app_error err;
	char region[DIVISION_CODE_MAX + 1];
	if (audit_object_region(s, object, region, &err) != APP_OK ||
	    auth_scope(http_caller(req), PERM_AUDIT_READ, region, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	json_t *entries = json_array();
	if (store_audit_list(s, object, (int)limit, append_entry, entries, &err) != APP_OK) {
		json_decref(entries);
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, 200, json_pack("{s:s,s:o}", "object", object, "entries", entries));
}
