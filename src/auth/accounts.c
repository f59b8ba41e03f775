/*
 * accounts.c - the rules of accounts; see accounts.h.
 *
 * Validation happens here, before the store is asked anything, so that bad
 * input changes nothing. Scope is asked of auth_scope() only.
 */
#include "auth/accounts.h"
#include "core/clock.h"
#include "core/division.h"
#include "core/log.h"
#include "core/pii.h"
#include "core/utf8.h"

#include <stdio.h>
#include <string.h>

void accounts_system_caller(struct auth_caller *c, const char *actor)
{
	memset(c, 0, sizeof(*c));
	c->kind = AUTH_API_KEY;
	snprintf(c->actor, sizeof(c->actor), "%s", actor);
	c->ngrants = 1;
	c->grants[0].role = ROLE_SYSTEM_ADMIN;
	c->grants[0].region[0] = '\0'; /* the empty prefix covers every region */
	c->perms = auth_role_perms[ROLE_SYSTEM_ADMIN];
}

enum app_err accounts_check_name(const char *name, struct app_error *err)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0)
		return app_fail_field(err, APP_EINVAL, "name", "a name is required");
	if (!utf8_valid(name, n) || utf8_length(name, n) > ACCOUNTS_NAME_MAX_CHARS ||
	    n >= sizeof(((struct user *)0)->name))
		return app_fail_field(err, APP_EINVAL, "name",
				      "a name is UTF-8 text of at most %d characters",
				      ACCOUNTS_NAME_MAX_CHARS);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return app_fail_field(err, APP_EINVAL, "name",
					      "a name must not contain control characters");
	return APP_OK;
}

/* A region code that is valid and in the registry. */
static enum app_err check_region(struct store *s, const char *field, const char *code,
				 struct app_error *err)
{
	enum division_level level;
	if (!code || !*code)
		return app_fail_field(err, APP_EINVAL, field, "a region code is required");
	if (division_code_check(code, &level, err) != APP_OK) {
		snprintf(err->field, sizeof(err->field), "%s", field);
		return APP_EINVAL;
	}
	bool exists;
	enum app_err rc = store_region_exists(s, code, &exists, err);
	if (rc != APP_OK)
		return rc;
	if (!exists)
		return app_fail_field(err, APP_EINVAL, field, "region '%s' is not in the registry",
				      code);
	return APP_OK;
}

/* Fill u from in after checking every field (no store access but regions). */
static enum app_err validate_new_user(struct store *s, const struct accounts_new_user *in,
				      struct user *u, struct app_error *err)
{
	memset(u, 0, sizeof(*u));
	enum app_err rc = accounts_check_name(in->name, err);
	if (rc != APP_OK)
		return rc;
	snprintf(u->name, sizeof(u->name), "%s", in->name);
	if (!in->phone || !*in->phone)
		return app_fail_field(err, APP_EINVAL, "phone", "a mobile phone number is required");
	if ((rc = pii_phone_check(in->phone, u->phone, err)) != APP_OK)
		return rc;
	if (in->id_number && *in->id_number &&
	    (rc = pii_id_check(in->id_number, clock_today_china(), u->id_number, err)) != APP_OK)
		return rc;
	if (in->region && (rc = check_region(s, "region", in->region, err)) != APP_OK)
		return rc;
	snprintf(u->region, sizeof(u->region), "%s", in->region ? in->region : "");
	u->household_id = in->household_id;
	u->created_at = clock_now();
	return APP_OK;
}

static void phone_note(const char *phone, char *out, size_t cap)
{
	char masked[16];
	pii_phone_mask(phone, masked);
	snprintf(out, cap, "phone %s", masked);
}

enum app_err accounts_create_user(struct store *s, const struct auth_caller *by,
				  const struct accounts_new_user *in, int64_t *id, char otp[16],
				  struct app_error *err)
{
	struct user u;
	struct accounts_new_user checked = *in;
	if (!checked.region)
		checked.region = ""; /* required here: NULL means "the invitation's" */
	enum app_err rc = validate_new_user(s, &checked, &u, err);
	if (rc != APP_OK)
		return rc;
	enum auth_role role = ROLE_RESIDENT;
	if (in->role && *in->role && !auth_role_parse(in->role, &role))
		return app_fail_field(err, APP_EINVAL, "role", "unknown role '%s'", in->role);
	if (role == ROLE_BRIDGE || role == ROLE_EXCHANGE_MEMBER)
		return app_fail_field(err, APP_EINVAL, "role", "%s is a role for API keys, not people",
				      auth_role_names[role]);
	if ((rc = auth_scope(by, PERM_USERS_MANAGE, u.region, err)) != APP_OK)
		return rc;
	if (role != ROLE_RESIDENT && (rc = auth_scope(by, PERM_ROLES_MANAGE, u.region, err)) != APP_OK)
		return rc == APP_ENOTFOUND ? app_fail(err, APP_EPERM, "your role cannot grant role %s",
						      auth_role_names[role])
					   : rc;
	if (u.household_id) {
		struct household h;
		if ((rc = store_household_get(s, u.household_id, &h, err)) != APP_OK ||
		    strcmp(h.region, u.region) != 0)
			return app_fail_field(err, APP_EINVAL, "household_id",
					      "household %lld is not in region %s",
					      (long long)u.household_id, u.region);
	}
	secret_one_time_password(otp);
	char hash[SECRET_PWHASH_MAX];
	if ((rc = secret_password_hash(otp, hash, err)) != APP_OK)
		return rc;
	u.must_change_password = true;
	struct role_grant g;
	snprintf(g.role, sizeof(g.role), "%s", auth_role_names[role]);
	snprintf(g.region, sizeof(g.region), "%s", u.region);
	char summary[128], ph[32];
	phone_note(u.phone, ph, sizeof(ph));
	snprintf(summary, sizeof(summary), "role %s, %s", auth_role_names[role], ph);
	struct audit_note note = { by->actor, "user.create", "user:new", u.region, summary };
	return store_user_create(s, &u, hash, &g, &note, id, err);
}

/* ---- signing in ---- */

static void account_subject(const char *phone, char *out, size_t cap)
{
	uint8_t h[TOKEN_HASH_LEN];
	secret_hash(phone, h);
	snprintf(out, cap, "account:%02x%02x%02x%02x%02x%02x%02x%02x", h[0], h[1], h[2], h[3],
		 h[4], h[5], h[6], h[7]);
}

/*
 * Count an attempt of subject as a failure until it succeeds (then
 * undone), refusing it when the subject has had 5 within 15 minutes.
 */
static enum app_err attempt(struct store *s, const char *subject, int64_t now,
			    struct app_error *err)
{
	bool allowed;
	int64_t latest;
	enum app_err rc = store_login_attempt(s, subject, now, now - ACCOUNTS_LOCK_WINDOW,
					      ACCOUNTS_LOCK_FAILURES, &allowed, &latest, err);
	if (rc != APP_OK || allowed)
		return rc;
	int64_t wait = latest + ACCOUNTS_LOCK_WINDOW - now;
	return app_fail(err, APP_ETHROTTLED, "too many failed attempts: try again in %lld minutes",
			(long long)(wait + 59) / 60);
}

static enum app_err open_session(struct store *s, const struct user *u, int64_t ttl,
				 const char *action, struct accounts_session *out,
				 struct app_error *err)
{
	int64_t now = clock_now();
	secret_token_new(SECRET_SESSION_PREFIX, out->token);
	secret_csrf(out->token, out->csrf);
	out->expires_at = now + ttl;
	out->user = *u;
	uint8_t h[TOKEN_HASH_LEN];
	secret_hash(out->token, h);
	char actor[32], object[32];
	snprintf(actor, sizeof(actor), "user:%lld", (long long)u->id);
	snprintf(object, sizeof(object), "user:%lld", (long long)u->id);
	struct audit_note note = { actor, action, object, u->region, "session opened" };
	enum app_err rc = store_session_create(s, h, u->id, u->version, now, out->expires_at, &note,
					       err);
	if (rc == APP_ECONFLICT) /* the password changed while this one was checked */
		return app_fail(err, APP_EAUTH, "wrong phone number or password");
	return rc;
}

enum app_err accounts_login(struct store *s, const char *phone_in, const char *password,
			    const char *addr, int64_t ttl, struct accounts_session *out,
			    struct app_error *err)
{
	char phone[16], acct[40], where[80];
	struct app_error ignored;
	if (!password || !*password)
		return app_fail_field(err, APP_EINVAL, "password", "a password is required");
	if (!phone_in || pii_phone_check(phone_in, phone, &ignored) != APP_OK)
		return app_fail_field(err, APP_EINVAL, "phone",
				      "a mobile number has 11 digits and starts with 13 to 19");
	int64_t now = clock_now();
	account_subject(phone, acct, sizeof(acct));
	snprintf(where, sizeof(where), "address:%s", addr ? addr : "-");
	enum app_err rc = attempt(s, acct, now, err);
	if (rc != APP_OK)
		return rc;
	if ((rc = attempt(s, where, now, err)) != APP_OK) {
		store_login_attempt_undo(s, acct, now, &ignored); /* not the account's doing */
		return rc;
	}
	struct user u;
	char hash[SECRET_PWHASH_MAX] = "";
	rc = store_user_by_phone(s, phone, &u, hash, sizeof(hash), err);
	if (rc != APP_OK && rc != APP_ENOTFOUND)
		return rc;
	bool ok = secret_password_verify(rc == APP_OK ? hash : "", password);
	if (!ok || u.disabled)
		return app_fail(err, APP_EAUTH, "wrong phone number or password");
	/* Success: the account starts afresh; the address keeps the failures
	 * it made against other accounts (so one's own account cannot be used
	 * to reset a spraying run), minus this attempt. */
	if ((rc = store_login_failures_clear(s, acct, err)) != APP_OK ||
	    (rc = store_login_attempt_undo(s, where, now, err)) != APP_OK)
		return rc;
	return open_session(s, &u, ttl, "auth.login", out, err);
}

/* The caller of the session stored as hash h. */
static enum app_err session_caller(struct store *s, const uint8_t h[TOKEN_HASH_LEN], bool cookie,
				   struct auth_caller *out, struct app_error *err)
{
	struct session_info si;
	enum app_err rc = store_session_get(s, h, &si, err);
	if (rc == APP_ENOTFOUND)
		return app_fail(err, APP_EAUTH, "unknown session: sign in again");
	if (rc != APP_OK)
		return rc;
	if (si.revoked_at)
		return app_fail(err, APP_EAUTH, "this session was closed (signed out): sign in again");
	if (si.expires_at <= clock_now())
		return app_fail(err, APP_EAUTH, "this session has expired: sign in again");
	const struct user *u = &si.user;
	if (u->id != si.user_id)
		return app_fail(err, APP_EAUTH, "unknown session");
	if (u->disabled)
		return app_fail(err, APP_EAUTH, "this account is disabled");
	out->kind = AUTH_SESSION;
	out->user_id = u->id;
	out->by_cookie = cookie;
	out->must_change_password = u->must_change_password;
	memcpy(out->session_hash, h, TOKEN_HASH_LEN);
	snprintf(out->actor, sizeof(out->actor), "user:%lld", (long long)u->id);
	return auth_load_grants(s, out, err);
}

static enum app_err resolve_session(struct store *s, const char *token, bool cookie,
				    struct auth_caller *out, struct app_error *err)
{
	uint8_t h[TOKEN_HASH_LEN];
	secret_hash(token, h);
	return session_caller(s, h, cookie, out, err);
}

enum app_err accounts_recheck(struct store *s, struct auth_caller *c, struct app_error *err)
{
	if (c->kind != AUTH_SESSION)
		return APP_OK;
	uint8_t h[TOKEN_HASH_LEN];
	memcpy(h, c->session_hash, sizeof(h));
	return session_caller(s, h, c->by_cookie, c, err);
}

static enum app_err resolve_key(struct store *s, const char *key, struct auth_caller *out,
				struct app_error *err)
{
	uint8_t h[TOKEN_HASH_LEN];
	secret_hash(key, h);
	struct api_key k;
	enum app_err rc = store_api_key_by_hash(s, h, &k, err);
	if (rc == APP_ENOTFOUND)
		return app_fail(err, APP_EAUTH, "unknown API key");
	if (rc != APP_OK)
		return rc;
	if (k.revoked_at)
		return app_fail(err, APP_EAUTH, "this API key has been revoked");
	enum auth_role role;
	if (!auth_role_parse(k.role, &role))
		return app_fail(err, APP_EAUTH, "this API key has an unknown role");
	out->kind = AUTH_API_KEY;
	out->key_id = k.id;
	snprintf(out->actor, sizeof(out->actor), "apikey:%lld", (long long)k.id);
	out->ngrants = 1;
	out->grants[0].role = role;
	snprintf(out->grants[0].region, sizeof(out->grants[0].region), "%s", k.region);
	out->perms = auth_role_perms[role];
	return APP_OK;
}

enum app_err accounts_resolve(struct store *s, const char *bearer, const char *cookie,
			      struct auth_caller *out, struct app_error *err)
{
	auth_caller_anonymous(out);
	if (bearer && strncmp(bearer, SECRET_API_KEY_PREFIX, strlen(SECRET_API_KEY_PREFIX)) == 0)
		return resolve_key(s, bearer, out, err);
	if (bearer)
		return resolve_session(s, bearer, false, out, err);
	if (cookie && *cookie)
		return resolve_session(s, cookie, true, out, err);
	return APP_OK;
}

enum app_err accounts_logout(struct store *s, const struct auth_caller *c, struct app_error *err)
{
	if (c->kind != AUTH_SESSION)
		return app_fail(err, APP_EINVAL, "only a signed-in session can sign out");
	struct audit_note note = { c->actor, "auth.logout", c->actor, "", "session closed" };
	return store_session_revoke(s, c->session_hash, clock_now(), &note, err);
}

/*
 * Tell the person's open pages (GET /api/v1/me/events) that their account
 * changed. After the change is durable and apart from it: a failure here is
 * logged, not the caller's; pages that missed it see the change on reload.
 */
static void tell_user(struct store *s, int64_t user_id, const char *region, const char *kind,
		      const char *data)
{
	char topic[EVENT_TOPIC_MAX], county[7];
	snprintf(topic, sizeof(topic), "user:%lld", (long long)user_id);
	division_county(region, county);
	struct event_note ev = { topic, kind, county, data, NULL };
	struct app_error err;
	if (store_event_publish(s, &ev, NULL, &err) != APP_OK)
		log_warn("accounts.event_failed", "kind=%s reason=\"%s\"", kind, err.msg);
}

enum app_err accounts_change_password(struct store *s, const struct auth_caller *c,
				      const char *old_pw, const char *new_pw, struct app_error *err)
{
	if (c->kind != AUTH_SESSION)
		return app_fail(err, APP_EINVAL, "only a signed-in person has a password");
	struct user u;
	char hash[SECRET_PWHASH_MAX] = "";
	struct user by_id;
	enum app_err rc = store_user_get(s, c->user_id, &by_id, err);
	if (rc != APP_OK)
		return rc;
	if ((rc = store_user_by_phone(s, by_id.phone, &u, hash, sizeof(hash), err)) != APP_OK)
		return rc;
	/* 400, not 401: the session is fine, the form is wrong. */
	if (!old_pw || !secret_password_verify(hash, old_pw))
		return app_fail_field(err, APP_EINVAL, "old_password", "the current password is wrong");
	if ((rc = secret_password_check(new_pw, u.phone, err)) != APP_OK) {
		snprintf(err->field, sizeof(err->field), "new_password");
		return rc;
	}
	if (strcmp(old_pw, new_pw) == 0)
		return app_fail_field(err, APP_EINVAL, "new_password",
				      "the new password must differ from the current one");
	if ((rc = secret_password_hash(new_pw, hash, err)) != APP_OK)
		return rc;
	struct audit_note note = { c->actor, "user.password", c->actor, u.region,
				   "password changed; other sessions closed" };
	rc = store_user_set_password(s, u.id, hash, false, c->session_hash, &note, err);
	if (rc == APP_OK)
		tell_user(s, u.id, u.region, "password.changed", "{\"other_sessions\":\"closed\"}");
	return rc;
}

/* ---- invitations, households, roles, API keys ---- */

enum app_err accounts_invite_create(struct store *s, const struct auth_caller *by,
				    const char *region, int64_t household_id, char code[16],
				    int64_t *expires_at, struct app_error *err)
{
	enum app_err rc = check_region(s, "region", region, err);
	if (rc != APP_OK || (rc = auth_scope(by, PERM_USERS_MANAGE, region, err)) != APP_OK)
		return rc;
	if (household_id) {
		struct household h;
		if (store_household_get(s, household_id, &h, err) != APP_OK ||
		    strcmp(h.region, region) != 0)
			return app_fail_field(err, APP_EINVAL, "household_id",
					      "household %lld is not in region %s",
					      (long long)household_id, region);
	}
	secret_invite_code(code);
	uint8_t h[TOKEN_HASH_LEN];
	secret_hash(code, h);
	struct invite inv = { .household_id = household_id, .created_by = by->user_id,
			      .created_at = clock_now() };
	snprintf(inv.region, sizeof(inv.region), "%s", region);
	inv.expires_at = inv.created_at + ACCOUNTS_INVITE_TTL;
	char object[48];
	snprintf(object, sizeof(object), "region:%s", region);
	struct audit_note note = { by->actor, "invite.create", object, region, "invitation made" };
	rc = store_invite_create(s, h, &inv, &note, err);
	if (rc == APP_OK)
		*expires_at = inv.expires_at;
	return rc;
}

enum app_err accounts_invite_accept(struct store *s, const char *code,
				    const struct accounts_new_user *in, const char *password,
				    const char *addr, int64_t ttl, struct accounts_session *out,
				    struct app_error *err)
{
	if (!code || !*code || strlen(code) > 32)
		return app_fail_field(err, APP_EINVAL, "code", "an invitation code is required");
	struct accounts_new_user checked = *in;
	checked.region = NULL; /* the invitation says where */
	struct user u;
	enum app_err rc = validate_new_user(s, &checked, &u, err);
	if (rc != APP_OK || (rc = secret_password_check(password, u.phone, err)) != APP_OK)
		return rc;
	/* Well-formed input only counts from here, before the costly hash. */
	char where[80];
	snprintf(where, sizeof(where), "invite:%s", addr ? addr : "-");
	int64_t now = clock_now();
	if ((rc = attempt(s, where, now, err)) != APP_OK)
		return rc;
	char hash[SECRET_PWHASH_MAX];
	if ((rc = secret_password_hash(password, hash, err)) != APP_OK)
		return rc;
	/* Codes are printed in capitals; accept them typed in any case, with
	 * spaces or dashes. */
	char typed[33];
	size_t n = 0;
	for (const char *p = code; *p && n < sizeof(typed) - 1; p++)
		if (*p != ' ' && *p != '-')
			typed[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	typed[n] = '\0';
	uint8_t h[TOKEN_HASH_LEN];
	secret_hash(typed, h);
	char summary[64];
	phone_note(u.phone, summary, sizeof(summary));
	struct audit_note note = { "", "user.join", "user:new", "", summary };
	int64_t id;
	if ((rc = store_invite_accept(s, h, now, &u, hash, &note, &id, err)) != APP_OK)
		return rc; /* the attempt stays counted */
	if ((rc = store_login_attempt_undo(s, where, now, err)) != APP_OK)
		return rc;
	if ((rc = store_user_get(s, id, &u, err)) != APP_OK)
		return rc;
	return open_session(s, &u, ttl, "auth.login", out, err);
}

enum app_err accounts_household_create(struct store *s, const struct auth_caller *by,
				       const char *region, const char *address, int64_t *id,
				       struct app_error *err)
{
	enum app_err rc = check_region(s, "region", region, err);
	if (rc != APP_OK || (rc = auth_scope(by, PERM_USERS_MANAGE, region, err)) != APP_OK)
		return rc;
	size_t n = address ? strlen(address) : 0;
	bool control = false;
	for (size_t i = 0; i < n; i++)
		control |= (unsigned char)address[i] < 0x20 || address[i] == 0x7f;
	if (n == 0 || n >= sizeof(((struct household *)0)->address) || !utf8_valid(address, n) ||
	    control)
		return app_fail_field(err, APP_EINVAL, "address",
				      "an address is UTF-8 text of 1 to %zu bytes without control "
				      "characters",
				      sizeof(((struct household *)0)->address) - 1);
	struct household h = { .created_at = clock_now() };
	snprintf(h.region, sizeof(h.region), "%s", region);
	snprintf(h.address, sizeof(h.address), "%s", address);
	struct audit_note note = { by->actor, "household.create", "household:new", region,
				   "household registered" };
	return store_household_create(s, &h, &note, id, err);
}

enum app_err accounts_grant(struct store *s, const struct auth_caller *by, int64_t user_id,
			    const char *role, const char *region, bool add, struct app_error *err)
{
	enum auth_role r;
	if (!role || !auth_role_parse(role, &r) || r == ROLE_BRIDGE || r == ROLE_EXCHANGE_MEMBER)
		return app_fail_field(err, APP_EINVAL, "role",
				      "role must be one of resident, village_admin, key_person, "
				      "town_supervisor, county_supervisor, agency_operator, lawyer, "
				      "system_admin");
	enum app_err rc = check_region(s, "region", region, err);
	if (rc != APP_OK)
		return rc;
	struct user u;
	if ((rc = store_user_get(s, user_id, &u, err)) != APP_OK)
		return rc;
	/* The person must be visible to the caller, and the grant's region too. */
	if ((rc = auth_scope(by, PERM_ROLES_MANAGE, u.region, err)) != APP_OK ||
	    (rc = auth_scope(by, PERM_ROLES_MANAGE, region, err)) != APP_OK)
		return rc;
	struct role_grant g;
	snprintf(g.role, sizeof(g.role), "%s", role);
	snprintf(g.region, sizeof(g.region), "%s", region);
	char object[32], summary[64];
	snprintf(object, sizeof(object), "user:%lld", (long long)user_id);
	snprintf(summary, sizeof(summary), "%s %s for %s", add ? "granted" : "removed", role,
		 region);
	struct audit_note note = { by->actor, add ? "role.grant" : "role.remove", object,
				   u.region, summary };
	rc = add ? store_grant_add(s, user_id, &g, &note, err)
		 : store_grant_remove(s, user_id, &g, &note, err);
	if (rc == APP_OK) {
		/* role and region were checked above: no character needs escaping */
		char data[128];
		snprintf(data, sizeof(data), "{\"role\":\"%s\",\"region\":\"%s\",\"granted\":%s}",
			 g.role, g.region, add ? "true" : "false");
		tell_user(s, user_id, u.region, "roles.changed", data);
	}
	return rc;
}

enum app_err accounts_api_key_add(struct store *s, const char *actor, const char *name,
				  const char *role, const char *region,
				  char key[SECRET_TOKEN_MAX], int64_t *id, struct app_error *err)
{
	enum auth_role r;
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n >= sizeof(((struct api_key *)0)->name) || !utf8_valid(name, n))
		return app_fail_field(err, APP_EINVAL, "name",
				      "a key's name is UTF-8 text of 1 to %zu bytes",
				      sizeof(((struct api_key *)0)->name) - 1);
	if (!role || !auth_role_parse(role, &r))
		return app_fail_field(err, APP_EINVAL, "role", "unknown role '%s'", role ? role : "");
	enum app_err rc = check_region(s, "region", region, err);
	if (rc != APP_OK)
		return rc;
	struct api_key k = { .created_at = clock_now() };
	snprintf(k.name, sizeof(k.name), "%s", name);
	snprintf(k.role, sizeof(k.role), "%s", role);
	snprintf(k.region, sizeof(k.region), "%s", region);
	secret_token_new(SECRET_API_KEY_PREFIX, key);
	uint8_t h[TOKEN_HASH_LEN];
	secret_hash(key, h);
	char summary[128];
	snprintf(summary, sizeof(summary), "key '%s' as %s for %s", name, role, region);
	struct audit_note note = { actor, "apikey.create", "apikey:new", region, summary };
	return store_api_key_create(s, &k, h, &note, id, err);
}

enum app_err accounts_api_key_revoke(struct store *s, const char *actor, int64_t id,
				     struct app_error *err)
{
	char object[32];
	snprintf(object, sizeof(object), "apikey:%lld", (long long)id);
	struct audit_note note = { actor, "apikey.revoke", object, "", "key revoked" };
	return store_api_key_revoke(s, id, clock_now(), &note, err);
}

/* ---- demo accounts ---- */

/* Demo county 990101: first town 990101103 (a 镇), its first two villages. */
const struct accounts_demo_account accounts_demo_accounts[] = {
	{ "resident", "990101103200", "张秀英", "19900000001", "居民（第一个村）" },
	{ "village_admin", "990101103200", "王建国", "19900000002", "村支书（第一个村）" },
	{ "key_person", "990101103200", "刘医生", "19900000003", "村医（第一个村）" },
	{ "village_admin", "990101103201", "李书记", "19900000004", "村支书（另一个村）" },
	{ "town_supervisor", "990101103", "陈镇长", "19900000005", "乡镇督导" },
	{ "county_supervisor", "990101", "赵主任", "19900000006", "县级督导" },
	{ "agency_operator", "990101", "孙科长", "19900000007", "部门经办（残联）" },
	{ "lawyer", "990101", "周律师", "19900000008", "律师" },
	{ "system_admin", "990101", "系统管理员", "19900000009", "系统管理员" },
};
const size_t accounts_demo_count = sizeof(accounts_demo_accounts) / sizeof(accounts_demo_accounts[0]);

enum app_err accounts_demo_create(struct store *s, int *created, struct app_error *err)
{
	char hash[SECRET_PWHASH_MAX];
	enum app_err rc = secret_password_hash(ACCOUNTS_DEMO_PASSWORD, hash, err);
	*created = 0;
	for (size_t i = 0; rc == APP_OK && i < accounts_demo_count; i++) {
		const struct accounts_demo_account *d = &accounts_demo_accounts[i];
		struct user u = { .created_at = clock_now() };
		snprintf(u.name, sizeof(u.name), "%s", d->name);
		snprintf(u.phone, sizeof(u.phone), "%s", d->phone);
		snprintf(u.region, sizeof(u.region), "%s", d->region);
		struct role_grant g;
		snprintf(g.role, sizeof(g.role), "%s", d->role);
		snprintf(g.region, sizeof(g.region), "%s", d->region);
		char summary[64];
		snprintf(summary, sizeof(summary), "demo account, role %s", d->role);
		struct audit_note note = { "cli:demo", "user.create", "user:new", d->region, summary };
		int64_t id;
		rc = store_user_create(s, &u, hash, &g, &note, &id, err);
		if (rc == APP_ECONFLICT) {
			rc = APP_OK; /* made by an earlier run */
			continue;
		}
		if (rc == APP_OK)
			(*created)++;
	}
	return rc;
}
