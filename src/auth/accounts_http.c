/*
 * accounts_http.c - HTTP handlers of accounts.
 *
 * A user object: {"id","name","phone","id_number","region","household_id",
 * "roles":[{"role","role_name","region"}],"must_change_password","created_at"}
 * with phone and ID number masked, unless revealed on request (reveal=true
 * and a reason), which only PERM_PERSONAL_DATA holders (and the person
 * themself) may do, and which is audited before the data leaves.
 */
#include "auth/accounts_http.h"
#include "auth/accounts.h"
#include "core/clock.h"
#include "core/pii.h"
#include "core/utf8.h"
#include "http/http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { USER_LIST_MAX = 200, REASON_MAX_CHARS = 200 };

/* ---- writing users ---- */

static json_t *user_json(struct http_req *req, const struct user *u, bool reveal)
{
	char phone[16], id[24];
	if (reveal) {
		snprintf(phone, sizeof(phone), "%s", u->phone);
		snprintf(id, sizeof(id), "%s", u->id_number);
	} else {
		pii_phone_mask(u->phone, phone);
		if (u->id_number[0])
			pii_id_mask(u->id_number, id);
	}
	char created[32];
	clock_format_utc(u->created_at, created, sizeof(created));
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:b,s:s}", "id", (json_int_t)u->id, "name",
			      u->name, "phone", phone, "region", u->region, "must_change_password",
			      u->must_change_password, "created_at", created);
	json_object_set_new(o, "id_number", u->id_number[0] ? json_string(id) : json_null());
	json_object_set_new(o, "household_id",
			    u->household_id ? json_integer(u->household_id) : json_null());
	if (reveal)
		json_object_set_new(o, "revealed", json_true());
	struct role_grant g[AUTH_GRANTS_MAX];
	int n = 0;
	struct app_error err;
	json_t *roles = json_array();
	if (store_grants_of(http_store(req), u->id, g, AUTH_GRANTS_MAX, &n, &err) == APP_OK) {
		for (int i = 0; i < n; i++) {
			enum auth_role r;
			json_array_append_new(
				roles, json_pack("{s:s,s:s,s:s}", "role", g[i].role, "role_name",
						 auth_role_parse(g[i].role, &r) ? auth_role_names_zh[r]
										: g[i].role,
						 "region", g[i].region));
		}
	}
	json_object_set_new(o, "roles", roles);
	return o;
}

static json_t *session_json(struct http_req *req, const struct accounts_session *ss)
{
	char expires[32];
	clock_format_utc(ss->expires_at, expires, sizeof(expires));
	return json_pack("{s:s,s:s,s:s,s:o}", "token", ss->token, "csrf_token", ss->csrf,
			 "expires_at", expires, "user", user_json(req, &ss->user, false));
}

/* Hand a new session to a browser as cookies, and to an API client in JSON. */
static void reply_session(struct http_req *req, int status, const struct accounts_session *ss)
{
	int64_t ttl = ss->expires_at - clock_now();
	http_set_cookie(req, "bm_session", ss->token, ttl, true);
	http_set_cookie(req, "bm_csrf", ss->csrf, ttl, false);
	http_reply_json(req, status, session_json(req, ss));
}

/* ---- handlers ---- */

void accounts_handle_login(struct http_req *req)
{
	const char *phone, *password;
	if (!http_body_str(req, "phone", true, &phone) || !http_body_str(req, "password", true, &password))
		return;
	struct accounts_session ss;
	struct app_error err;
	if (accounts_login(http_store(req), phone, password, http_client_addr(req),
			   http_session_ttl(req), &ss, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	reply_session(req, 200, &ss);
}

void accounts_handle_logout(struct http_req *req)
{
	struct app_error err;
	if (accounts_logout(http_store(req), http_caller(req), &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_set_cookie(req, "bm_session", "", 0, true);
	http_set_cookie(req, "bm_csrf", "", 0, false);
	http_reply_json(req, 200, json_pack("{s:s}", "status", "signed out"));
}

void accounts_handle_me(struct http_req *req)
{
	const struct auth_caller *c = http_caller(req);
	struct app_error err;
	if (c->kind != AUTH_SESSION) {
		http_reply_fail(req, APP_EINVAL, NULL, "an API key is no person");
		return;
	}
	struct user u;
	if (store_user_get(http_store(req), c->user_id, &u, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, 200, user_json(req, &u, false));
}

void accounts_handle_events(struct http_req *req)
{
	const struct auth_caller *c = http_caller(req);
	if (c->kind != AUTH_SESSION) {
		http_reply_fail(req, APP_EINVAL, NULL, "an API key is no person and has no events");
		return;
	}
	char topic[EVENT_TOPIC_MAX];
	snprintf(topic, sizeof(topic), "user:%lld", (long long)c->user_id);
	http_reply_events(req, topic, NULL, 0);
}

void accounts_handle_password(struct http_req *req)
{
	const char *old_pw, *new_pw;
	if (!http_body_str(req, "old_password", true, &old_pw) ||
	    !http_body_str(req, "new_password", true, &new_pw))
		return;
	struct app_error err;
	if (accounts_change_password(http_store(req), http_caller(req), old_pw, new_pw, &err) !=
	    APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, 200, json_pack("{s:s}", "status", "password changed"));
}

/* Read name, phone, id_number (and region) of a new person from the body. */
static bool new_user_fields(struct http_req *req, struct accounts_new_user *in, bool region)
{
	memset(in, 0, sizeof(*in));
	return http_body_str(req, "name", true, &in->name) && http_body_str(req, "phone", true, &in->phone) &&
	       http_body_str(req, "id_number", false, &in->id_number) &&
	       (!region || (http_body_str(req, "region", true, &in->region) &&
			    http_body_str(req, "role", false, &in->role) &&
			    http_body_id(req, "household_id", &in->household_id)));
}

void accounts_handle_invite_accept(struct http_req *req)
{
	struct accounts_new_user in;
	const char *code, *password;
	if (!http_body_str(req, "code", true, &code) || !new_user_fields(req, &in, false) ||
	    !http_body_str(req, "password", true, &password))
		return;
	struct accounts_session ss;
	struct app_error err;
	if (accounts_invite_accept(http_store(req), code, &in, password, http_client_addr(req),
				   http_session_ttl(req), &ss, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	reply_session(req, 201, &ss);
}

void accounts_handle_user_create(struct http_req *req)
{
	struct accounts_new_user in;
	if (!new_user_fields(req, &in, true))
		return;
	struct app_error err;
	int64_t id;
	char otp[16];
	struct store *s = http_store(req);
	struct user u;
	if (accounts_create_user(s, http_caller(req), &in, &id, otp, &err) != APP_OK ||
	    store_user_get(s, id, &u, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	json_t *o = user_json(req, &u, false);
	json_object_set_new(o, "one_time_password", json_string(otp));
	http_reply_json(req, 201, o);
}

struct list_ctx {
	struct http_req *req;
	json_t *items;
	int64_t last;
};

static bool append_user(void *vctx, const struct user *u)
{
	struct list_ctx *lc = vctx;
	json_array_append_new(lc->items, user_json(lc->req, u, false));
	lc->last = u->id;
	return true;
}

void accounts_handle_user_list(struct http_req *req)
{
	const struct auth_caller *c = http_caller(req);
	const char *region = http_query(req, "region");
	long limit, after;
	if (!http_query_int_or_reply(req, "limit", 1, USER_LIST_MAX, 50, &limit) ||
	    !http_query_int_or_reply(req, "after", 0, 1L << 62, 0, &after))
		return;
	if (!region || !*region)
		region = auth_home_region(c, PERM_USERS_READ);
	struct app_error err;
	enum division_level level;
	if (division_code_check(region ? region : "", &level, &err) != APP_OK) {
		snprintf(err.field, sizeof(err.field), "region");
		http_reply_error(req, &err);
		return;
	}
	if (auth_scope(c, PERM_USERS_READ, region, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	struct list_ctx lc = { req, json_array(), 0 };
	if (store_user_list(http_store(req), region, after, (int)limit, append_user, &lc, &err) !=
	    APP_OK) {
		json_decref(lc.items);
		http_reply_error(req, &err);
		return;
	}
	json_t *o = json_pack("{s:s,s:o}", "region", region, "users", lc.items);
	json_object_set_new(o, "next_after",
			    json_array_size(lc.items) == (size_t)limit ? json_integer(lc.last)
								       : json_null());
	http_reply_json(req, 200, o);
}

/* Load user id if the caller may see it (itself, or PERM_USERS_READ in scope). */
static bool visible_user(struct http_req *req, int64_t id, struct user *u)
{
	const struct auth_caller *c = http_caller(req);
	struct app_error err;
	bool self = c->kind == AUTH_SESSION && c->user_id == id;
	if (!self && !auth_has(c, PERM_USERS_READ)) {
		http_reply_fail(req, APP_EPERM, NULL, "your role does not allow this");
		return false;
	}
	if (store_user_get(http_store(req), id, u, &err) != APP_OK ||
	    (!self && auth_scope(c, PERM_USERS_READ, u->region, &err) != APP_OK)) {
		http_reply_error(req, &err);
		return false;
	}
	return true;
}

/* Record why personal data is revealed, before it is; false when refused. */
static bool reveal_allowed(struct http_req *req, const struct user *u)
{
	const struct auth_caller *c = http_caller(req);
	const char *reason = http_query(req, "reason");
	struct app_error err;
	size_t n = reason ? strlen(reason) : 0;
	if (n == 0 || !utf8_valid(reason, n) || utf8_length(reason, n) > REASON_MAX_CHARS) {
		http_reply_fail(req, APP_EINVAL, "reason",
				"say why in 'reason' (at most %d characters): every reveal is recorded",
				REASON_MAX_CHARS);
		return false;
	}
	bool self = c->kind == AUTH_SESSION && c->user_id == u->id;
	if (!self && auth_scope(c, PERM_PERSONAL_DATA, u->region, &err) != APP_OK) {
		if (err.code == APP_ENOTFOUND) /* visible, but not theirs to unmask */
			app_fail(&err, APP_EPERM, "your role may not reveal personal data here");
		http_reply_error(req, &err);
		return false;
	}
	/* Room for the whole reason (up to 4 bytes a character): a cut one
	 * would lose its end, or split a character and break the entry's JSON. */
	char object[32], summary[64 + 4 * REASON_MAX_CHARS];
	snprintf(object, sizeof(object), "user:%lld", (long long)u->id);
	snprintf(summary, sizeof(summary), "phone and ID number revealed; reason: %s", reason);
	struct audit_note note = { c->actor, "pii.read", object, u->region, summary };
	if (store_audit_append(http_store(req), &note, &err) != APP_OK) {
		http_reply_error(req, &err);
		return false;
	}
	return true;
}

void accounts_handle_user_get(struct http_req *req)
{
	int64_t id;
	struct user u;
	if (!http_param_id(req, "id", &id) || !visible_user(req, id, &u))
		return;
	const char *reveal = http_query(req, "reveal");
	bool want = reveal && strcmp(reveal, "true") == 0;
	if (want && !reveal_allowed(req, &u))
		return;
	http_reply_json(req, 200, user_json(req, &u, want));
}

static void grant_change(struct http_req *req, bool add)
{
	int64_t id;
	const char *role, *region;
	if (!http_param_id(req, "id", &id))
		return;
	if (add) {
		if (!http_body_str(req, "role", true, &role) || !http_body_str(req, "region", true, &region))
			return;
	} else {
		role = http_param(req, "role");
		region = http_param(req, "region");
	}
	struct app_error err;
	struct user u;
	struct store *s = http_store(req);
	if (accounts_grant(s, http_caller(req), id, role, region, add, &err) != APP_OK ||
	    store_user_get(s, id, &u, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, add ? 201 : 200, user_json(req, &u, false));
}

void accounts_handle_grant_add(struct http_req *req) { grant_change(req, true); }
void accounts_handle_grant_remove(struct http_req *req) { grant_change(req, false); }

static json_t *household_json(const struct household *h)
{
	char created[32];
	clock_format_utc(h->created_at, created, sizeof(created));
	return json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)h->id, "region", h->region,
			 "address", h->address, "created_at", created);
}

void accounts_handle_household_create(struct http_req *req)
{
	const char *region, *address;
	if (!http_body_str(req, "region", true, &region) || !http_body_str(req, "address", true, &address))
		return;
	struct app_error err;
	int64_t id;
	struct household h;
	struct store *s = http_store(req);
	if (accounts_household_create(s, http_caller(req), region, address, &id, &err) != APP_OK ||
	    store_household_get(s, id, &h, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, 201, household_json(&h));
}

void accounts_handle_household_get(struct http_req *req)
{
	int64_t id;
	if (!http_param_id(req, "id", &id))
		return;
	struct app_error err;
	struct household h;
	struct store *s = http_store(req);
	if (store_household_get(s, id, &h, &err) != APP_OK ||
	    auth_scope(http_caller(req), PERM_USERS_READ, h.region, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	struct list_ctx lc = { req, json_array(), 0 };
	if (store_household_members(s, id, append_user, &lc, &err) != APP_OK) {
		json_decref(lc.items);
		http_reply_error(req, &err);
		return;
	}
	json_t *o = household_json(&h);
	json_object_set_new(o, "members", lc.items);
	http_reply_json(req, 200, o);
}

void accounts_handle_invite_create(struct http_req *req)
{
	const char *region;
	int64_t household;
	if (!http_body_str(req, "region", true, &region) || !http_body_id(req, "household_id", &household))
		return;
	struct app_error err;
	char code[16];
	int64_t expires;
	if (accounts_invite_create(http_store(req), http_caller(req), region, household, code,
				   &expires, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	char when[32];
	clock_format_utc(expires, when, sizeof(when));
	http_reply_json(req, 201,
			json_pack("{s:s,s:s,s:s,s:s}", "code", code, "region", region, "expires_at",
				  when, "join_path", arena_printf(http_arena(req), "/#/join/%s", code)));
}
