/*
 * pg_accounts.c - users, role grants, households, sessions, API keys,
 * sign-in failures and invitations on PostgreSQL.
 *
 * Each write is one transaction that also appends its audit entry; each
 * read runs on a pooled connection. Uniqueness (phone, ID number, grants) is
 * left to the schema's constraints and reported as APP_ECONFLICT, with the
 * same fields and messages as the SQLite backend.
 */
#include "store/pg_int.h"

#include "core/clock.h"

#include <stdio.h>
#include <string.h>

/* ---- shared pieces ---- */

static void read_user(const PGresult *r, int row, struct user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = pg_int(r, row, 0);
	pg_copy_text(u->name, sizeof(u->name), r, row, 1);
	pg_copy_text(u->phone, sizeof(u->phone), r, row, 2);
	pg_copy_text(u->id_number, sizeof(u->id_number), r, row, 3);
	pg_copy_text(u->region, sizeof(u->region), r, row, 4);
	u->household_id = pg_int(r, row, 5);
	u->must_change_password = pg_bool(r, row, 6);
	u->disabled = pg_bool(r, row, 7);
	u->created_at = pg_int(r, row, 8);
	u->version = pg_int(r, row, 9);
}

enum app_err pg_exec_write(struct pg_conn *c, enum pg_stmt id, const struct pg_params *p,
			   const char *what, PGresult **res, int64_t *changes,
			   struct app_error *err)
{
	enum app_err rc = pg_exec(c, id, p, what, res, changes, err);
	if (rc == APP_ECONFLICT) {
		if (strcmp(c->constraint, "users_phone_key") == 0)
			return app_fail_field(err, APP_ECONFLICT, "phone",
					      "this phone number is already registered");
		if (strcmp(c->constraint, "users_id_number_key") == 0)
			return app_fail_field(err, APP_ECONFLICT, "id_number",
					      "this ID number is already registered");
	}
	return rc;
}

static enum app_err audit(struct pg_conn *c, const struct audit_note *note,
			  struct app_error *err)
{
	return note ? pg_audit_append(c, note, err) : APP_OK;
}

/* Audit note with the object named after a new row ("user:12"). */
static enum app_err audit_new(struct pg_conn *c, const struct audit_note *note,
			      const char *kind, int64_t id, struct app_error *err)
{
	if (!note)
		return APP_OK;
	char object[32];
	snprintf(object, sizeof(object), "%s:%lld", kind, (long long)id);
	struct audit_note n = *note;
	n.object = object;
	return pg_audit_append(c, &n, err);
}

/* The id an INSERT ... RETURNING id gave. */
static int64_t returned_id(PGresult *res)
{
	int64_t id = PQntuples(res) == 1 ? pg_int(res, 0, 0) : 0;
	PQclear(res);
	return id;
}

static enum app_err insert_grant(struct pg_conn *c, int64_t user_id, const struct role_grant *g,
				 int64_t now, struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_int(&p, user_id);
	pgp_text(&p, g->role);
	pgp_text(&p, g->region);
	pgp_int(&p, now);
	enum app_err rc = pg_exec_write(c, PS_GRANT_INSERT, &p, "adding a role", NULL, NULL, err);
	if (rc == APP_ECONFLICT)
		app_fail(err, APP_ECONFLICT, "the user has role %s for %s already", g->role,
			 g->region);
	return rc;
}

/* ---- users ---- */

struct user_create {
	const struct user *u;
	const char *password_hash;
	const struct role_grant *grant;
	const struct audit_note *note;
	int64_t id;
};

static enum app_err insert_user(struct pg_conn *c, struct user_create *uc, struct app_error *err)
{
	const struct user *u = uc->u;
	struct pg_params p = { 0 };
	pgp_text(&p, u->name);
	pgp_text(&p, u->phone);
	pgp_text(&p, u->id_number);
	pgp_text(&p, u->region);
	pgp_int(&p, u->household_id);
	pgp_text(&p, uc->password_hash ? uc->password_hash : "");
	pgp_text(&p, u->must_change_password ? "true" : "false");
	pgp_int(&p, u->created_at);
	PGresult *res;
	enum app_err rc = pg_exec_write(c, PS_USER_INSERT, &p, "creating a user", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	uc->id = returned_id(res);
	if (uc->grant && (rc = insert_grant(c, uc->id, uc->grant, u->created_at, err)) != APP_OK)
		return rc;
	return APP_OK;
}

static enum app_err user_create_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct user_create *uc = arg;
	enum app_err rc = insert_user(c, uc, err);
	return rc == APP_OK ? audit_new(c, uc->note, "user", uc->id, err) : rc;
}

static enum app_err user_create(struct store *s, const struct user *u, const char *password_hash,
				const struct role_grant *grant, const struct audit_note *note,
				int64_t *id, struct app_error *err)
{
	struct user_create uc = { .u = u, .password_hash = password_hash, .grant = grant,
				  .note = note };
	enum app_err rc = pg_write(s, user_create_job, &uc, err);
	if (rc == APP_OK)
		*id = uc.id;
	return rc;
}

struct user_read {
	int64_t id;
	const char *phone;
	struct user *out;
	char *hash;
	size_t cap;
};

static enum app_err user_get_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct user_read *ur = arg;
	struct pg_params p = { 0 };
	if (ur->phone)
		pgp_text(&p, ur->phone);
	else
		pgp_int(&p, ur->id);
	PGresult *res;
	enum app_err rc = pg_exec(c, ur->phone ? PS_USER_BY_PHONE : PS_USER_GET, &p,
				  "reading a user", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	if (PQntuples(res) == 1) {
		read_user(res, 0, ur->out);
		if (ur->hash)
			pg_copy_text(ur->hash, ur->cap, res, 0, 10);
	} else {
		rc = app_fail(err, APP_ENOTFOUND, "not found");
	}
	PQclear(res);
	return rc;
}

static enum app_err user_get(struct store *s, int64_t id, struct user *out, struct app_error *err)
{
	struct user_read ur = { .id = id, .out = out };
	return pg_read(s, user_get_read, &ur, err);
}

static enum app_err user_by_phone(struct store *s, const char *phone, struct user *out,
				  char *hash, size_t cap, struct app_error *err)
{
	struct user_read ur = { .phone = phone, .out = out, .hash = hash, .cap = cap };
	return pg_read(s, user_get_read, &ur, err);
}

struct set_password {
	int64_t id;
	const char *hash;
	bool must_change;
	const uint8_t *keep;
	const struct audit_note *note;
};

static enum app_err set_password_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct set_password *sp = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, sp->id);
	pgp_text(&p, sp->hash);
	pgp_text(&p, sp->must_change ? "true" : "false");
	int64_t changed = 0;
	enum app_err rc = pg_exec_write(c, PS_USER_SET_PASSWORD, &p, "changing a password", NULL,
					&changed, err);
	if (rc != APP_OK)
		return rc;
	if (changed == 0)
		return app_fail(err, APP_ENOTFOUND, "no such user");
	static const uint8_t none[TOKEN_HASH_LEN];
	struct pg_params q = { 0 };
	pgp_int(&q, sp->id);
	pgp_blob(&q, sp->keep ? sp->keep : none, TOKEN_HASH_LEN);
	pgp_int(&q, clock_now());
	if ((rc = pg_exec_write(c, PS_SESSION_REVOKE_OTHERS, &q, "closing other sessions", NULL,
				NULL, err)) != APP_OK)
		return rc;
	return audit(c, sp->note, err);
}

static enum app_err user_set_password(struct store *s, int64_t id, const char *hash,
				      bool must_change, const uint8_t *keep,
				      const struct audit_note *note, struct app_error *err)
{
	struct set_password sp = { id, hash, must_change, keep, note };
	return pg_write(s, set_password_job, &sp, err);
}

struct user_each {
	enum pg_stmt stmt;
	const char *within;
	int64_t key; /* after_id or household id */
	int limit;
	store_user_fn fn;
	void *ctx;
};

static enum app_err user_each_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct user_each *ue = arg;
	struct pg_params p = { 0 };
	if (ue->stmt == PS_USER_LIST) {
		pgp_text(&p, ue->within);
		pgp_int(&p, ue->key);
		pgp_int(&p, ue->limit);
	} else {
		pgp_int(&p, ue->key);
	}
	PGresult *res;
	enum app_err rc = pg_exec(c, ue->stmt, &p, "listing users", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	struct user u;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		read_user(res, i, &u);
		if (!ue->fn(ue->ctx, &u))
			break;
	}
	PQclear(res);
	return APP_OK;
}

static enum app_err user_list(struct store *s, const char *within, int64_t after_id, int limit,
			      store_user_fn fn, void *ctx, struct app_error *err)
{
	struct user_each ue = { PS_USER_LIST, within, after_id, limit, fn, ctx };
	return pg_read(s, user_each_read, &ue, err);
}

static enum app_err household_members(struct store *s, int64_t id, store_user_fn fn, void *ctx,
				      struct app_error *err)
{
	struct user_each ue = { PS_USER_BY_HOUSEHOLD, "", id, 0, fn, ctx };
	return pg_read(s, user_each_read, &ue, err);
}

/* ---- role grants ---- */

struct grants_read {
	int64_t user_id;
	struct role_grant *out;
	int cap, n;
};

static enum app_err grants_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct grants_read *gr = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, gr->user_id);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_GRANTS_OF, &p, "reading roles", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	gr->n = 0;
	for (int i = 0, n = PQntuples(res); i < n && gr->n < gr->cap; i++) {
		pg_copy_text(gr->out[gr->n].role, sizeof(gr->out[gr->n].role), res, i, 0);
		pg_copy_text(gr->out[gr->n].region, sizeof(gr->out[gr->n].region), res, i, 1);
		gr->n++;
	}
	PQclear(res);
	return APP_OK;
}

static enum app_err grants_of(struct store *s, int64_t user_id, struct role_grant *out, int cap,
			      int *n, struct app_error *err)
{
	struct grants_read gr = { user_id, out, cap, 0 };
	enum app_err rc = pg_read(s, grants_read, &gr, err);
	if (rc == APP_OK)
		*n = gr.n;
	return rc;
}

struct grant_change {
	int64_t user_id;
	const struct role_grant *g;
	const struct audit_note *note;
	int64_t now;
};

static enum app_err grant_add_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct grant_change *gc = arg;
	enum app_err rc = insert_grant(c, gc->user_id, gc->g, gc->now, err);
	return rc == APP_OK ? audit(c, gc->note, err) : rc;
}

static enum app_err grant_add(struct store *s, int64_t user_id, const struct role_grant *g,
			      const struct audit_note *note, struct app_error *err)
{
	struct grant_change gc = { user_id, g, note, clock_now() };
	return pg_write(s, grant_add_job, &gc, err);
}

static enum app_err grant_remove_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct grant_change *gc = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, gc->user_id);
	pgp_text(&p, gc->g->role);
	pgp_text(&p, gc->g->region);
	int64_t changed = 0;
	enum app_err rc = pg_exec_write(c, PS_GRANT_DELETE, &p, "removing a role", NULL,
					&changed, err);
	if (rc != APP_OK)
		return rc;
	if (changed == 0)
		return app_fail(err, APP_ENOTFOUND, "the user has no role %s for %s", gc->g->role,
				gc->g->region);
	return audit(c, gc->note, err);
}

static enum app_err grant_remove(struct store *s, int64_t user_id, const struct role_grant *g,
				 const struct audit_note *note, struct app_error *err)
{
	struct grant_change gc = { user_id, g, note, 0 };
	return pg_write(s, grant_remove_job, &gc, err);
}

/* ---- households ---- */

struct household_create {
	const struct household *h;
	const struct audit_note *note;
	int64_t id;
};

static enum app_err household_create_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct household_create *hc = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, hc->h->region);
	pgp_text(&p, hc->h->address);
	pgp_int(&p, hc->h->created_at);
	PGresult *res;
	enum app_err rc = pg_exec_write(c, PS_HOUSEHOLD_INSERT, &p, "creating a household", &res,
					NULL, err);
	if (rc != APP_OK)
		return rc;
	hc->id = returned_id(res);
	return audit_new(c, hc->note, "household", hc->id, err);
}

static enum app_err household_create(struct store *s, const struct household *h,
				     const struct audit_note *note, int64_t *id,
				     struct app_error *err)
{
	struct household_create hc = { h, note, 0 };
	enum app_err rc = pg_write(s, household_create_job, &hc, err);
	if (rc == APP_OK)
		*id = hc.id;
	return rc;
}

struct household_read {
	int64_t id;
	struct household *out;
};

static enum app_err household_get_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct household_read *hr = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, hr->id);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_HOUSEHOLD_GET, &p, "reading a household", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	if (PQntuples(res) == 1) {
		hr->out->id = pg_int(res, 0, 0);
		pg_copy_text(hr->out->region, sizeof(hr->out->region), res, 0, 1);
		pg_copy_text(hr->out->address, sizeof(hr->out->address), res, 0, 2);
		hr->out->created_at = pg_int(res, 0, 3);
	} else {
		rc = app_fail(err, APP_ENOTFOUND, "not found");
	}
	PQclear(res);
	return rc;
}

static enum app_err household_get(struct store *s, int64_t id, struct household *out,
				  struct app_error *err)
{
	struct household_read hr = { id, out };
	return pg_read(s, household_get_read, &hr, err);
}

/* ---- sessions ---- */

struct session_write {
	const uint8_t *hash;
	int64_t user_id, user_version, now, expires_at;
	const struct audit_note *note;
};

static enum app_err session_create_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct session_write *sw = arg;
	struct pg_params p = { 0 };
	pgp_blob(&p, sw->hash, TOKEN_HASH_LEN);
	pgp_int(&p, sw->user_id);
	pgp_int(&p, sw->now);
	pgp_int(&p, sw->expires_at);
	pgp_int(&p, sw->user_version);
	int64_t added = 0;
	enum app_err rc = pg_exec_write(c, PS_SESSION_INSERT, &p, "opening a session", NULL,
					&added, err);
	if (rc != APP_OK)
		return rc;
	if (added == 0)
		return app_fail(err, APP_ECONFLICT, "the account changed meanwhile");
	return audit(c, sw->note, err);
}

static enum app_err session_create(struct store *s, const uint8_t *hash, int64_t user_id,
				   int64_t user_version, int64_t now, int64_t expires_at,
				   const struct audit_note *note, struct app_error *err)
{
	struct session_write sw = { hash, user_id, user_version, now, expires_at, note };
	return pg_write(s, session_create_job, &sw, err);
}

struct session_read {
	const uint8_t *hash;
	struct session_info *out;
};

static enum app_err session_get_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct session_read *sr = arg;
	struct pg_params p = { 0 };
	pgp_blob(&p, sr->hash, TOKEN_HASH_LEN);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_SESSION_GET, &p, "reading a session", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	if (PQntuples(res) == 1) {
		read_user(res, 0, &sr->out->user);
		sr->out->user_id = pg_int(res, 0, 10);
		sr->out->expires_at = pg_int(res, 0, 11);
		sr->out->revoked_at = pg_int(res, 0, 12);
	} else {
		rc = app_fail(err, APP_ENOTFOUND, "unknown session");
	}
	PQclear(res);
	return rc;
}

static enum app_err session_get(struct store *s, const uint8_t *hash, struct session_info *out,
				struct app_error *err)
{
	struct session_read sr = { hash, out };
	return pg_read(s, session_get_read, &sr, err);
}

static enum app_err session_revoke_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct session_write *sw = arg;
	struct pg_params p = { 0 };
	pgp_blob(&p, sw->hash, TOKEN_HASH_LEN);
	pgp_int(&p, sw->now);
	enum app_err rc = pg_exec_write(c, PS_SESSION_REVOKE, &p, "closing a session", NULL,
					NULL, err);
	return rc == APP_OK ? audit(c, sw->note, err) : rc;
}

static enum app_err session_revoke(struct store *s, const uint8_t *hash, int64_t now,
				   const struct audit_note *note, struct app_error *err)
{
	struct session_write sw = { hash, 0, 0, now, 0, note };
	return pg_write(s, session_revoke_job, &sw, err);
}

/* ---- API keys ---- */

static void read_api_key(const PGresult *r, int row, struct api_key *k)
{
	memset(k, 0, sizeof(*k));
	k->id = pg_int(r, row, 0);
	pg_copy_text(k->name, sizeof(k->name), r, row, 1);
	pg_copy_text(k->role, sizeof(k->role), r, row, 2);
	pg_copy_text(k->region, sizeof(k->region), r, row, 3);
	k->created_at = pg_int(r, row, 4);
	k->revoked_at = pg_int(r, row, 5);
}

struct key_write {
	const struct api_key *k;
	const uint8_t *hash;
	int64_t id, now;
	const struct audit_note *note;
};

static enum app_err api_key_create_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct key_write *kw = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, kw->k->name);
	pgp_blob(&p, kw->hash, TOKEN_HASH_LEN);
	pgp_text(&p, kw->k->role);
	pgp_text(&p, kw->k->region);
	pgp_int(&p, kw->k->created_at);
	PGresult *res;
	enum app_err rc = pg_exec_write(c, PS_API_KEY_INSERT, &p, "creating an API key", &res,
					NULL, err);
	if (rc != APP_OK)
		return rc;
	kw->id = returned_id(res);
	return audit_new(c, kw->note, "apikey", kw->id, err);
}

static enum app_err api_key_create(struct store *s, const struct api_key *k, const uint8_t *hash,
				   const struct audit_note *note, int64_t *id,
				   struct app_error *err)
{
	struct key_write kw = { k, hash, 0, 0, note };
	enum app_err rc = pg_write(s, api_key_create_job, &kw, err);
	if (rc == APP_OK)
		*id = kw.id;
	return rc;
}

struct key_read {
	const uint8_t *hash;
	struct api_key *out;
	store_api_key_fn fn;
	void *ctx;
};

static enum app_err api_key_read(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct key_read *kr = arg;
	struct pg_params p = { 0 };
	if (kr->hash)
		pgp_blob(&p, kr->hash, TOKEN_HASH_LEN);
	PGresult *res;
	enum app_err rc = pg_exec(c, kr->hash ? PS_API_KEY_BY_HASH : PS_API_KEY_LIST, &p,
				  kr->hash ? "reading an API key" : "listing API keys", &res, NULL,
				  err);
	if (rc != APP_OK)
		return rc;
	if (kr->hash) {
		if (PQntuples(res) == 1)
			read_api_key(res, 0, kr->out);
		else
			rc = app_fail(err, APP_ENOTFOUND, "unknown API key");
		PQclear(res);
		return rc;
	}
	struct api_key k;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		read_api_key(res, i, &k);
		if (!kr->fn(kr->ctx, &k))
			break;
	}
	PQclear(res);
	return APP_OK;
}

static enum app_err api_key_by_hash(struct store *s, const uint8_t *hash, struct api_key *out,
				    struct app_error *err)
{
	struct key_read kr = { .hash = hash, .out = out };
	return pg_read(s, api_key_read, &kr, err);
}

static enum app_err api_key_list(struct store *s, store_api_key_fn fn, void *ctx,
				 struct app_error *err)
{
	struct key_read kr = { .fn = fn, .ctx = ctx };
	return pg_read(s, api_key_read, &kr, err);
}

static enum app_err api_key_revoke_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct key_write *kw = arg;
	struct pg_params p = { 0 };
	pgp_int(&p, kw->id);
	pgp_int(&p, kw->now);
	int64_t changed = 0;
	enum app_err rc = pg_exec_write(c, PS_API_KEY_REVOKE, &p, "revoking an API key", NULL,
					&changed, err);
	if (rc != APP_OK)
		return rc;
	if (changed == 0)
		return app_fail(err, APP_ENOTFOUND, "no API key with id %lld", (long long)kw->id);
	return audit(c, kw->note, err);
}

static enum app_err api_key_revoke(struct store *s, int64_t id, int64_t now,
				   const struct audit_note *note, struct app_error *err)
{
	struct key_write kw = { NULL, NULL, id, now, note };
	return pg_write(s, api_key_revoke_job, &kw, err);
}

/* ---- sign-in attempts ---- */

struct attempt {
	const char *subject;
	int64_t at, since;
	int limit;
	bool allowed;
	int64_t latest;
};

static enum app_err attempt_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct attempt *a = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, a->subject);
	/* one subject's attempts one at a time: the count and the insert are
	 * one step, so parallel attempts cannot slip past the limit */
	enum app_err rc = pg_exec(c, PS_LOGIN_ATTEMPT_LOCK, &p, "locking sign-in attempts", NULL,
				  NULL, err);
	if (rc != APP_OK)
		return rc;
	pgp_int(&p, a->since);
	PGresult *res;
	if ((rc = pg_exec(c, PS_LOGIN_FAILURES, &p, "counting sign-in attempts", &res, NULL,
			  err)) != APP_OK)
		return rc;
	int count = 0;
	if (PQntuples(res) == 1) {
		count = (int)pg_int(res, 0, 0);
		a->latest = pg_int(res, 0, 1);
	}
	PQclear(res);
	a->allowed = count < a->limit;
	if (!a->allowed)
		return APP_OK;
	struct pg_params q = { 0 };
	pgp_text(&q, a->subject);
	pgp_int(&q, a->at);
	return pg_exec(c, PS_LOGIN_FAILURE_ADD, &q, "recording a sign-in attempt", NULL, NULL, err);
}

static enum app_err login_attempt(struct store *s, const char *subject, int64_t now,
				  int64_t since, int limit, bool *allowed, int64_t *latest,
				  struct app_error *err)
{
	struct attempt a = { subject, now, since, limit, false, 0 };
	enum app_err rc = pg_write(s, attempt_job, &a, err);
	if (rc == APP_OK) {
		*allowed = a.allowed;
		*latest = a.latest;
	}
	return rc;
}

static enum app_err forget_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct attempt *a = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, a->subject);
	if (a->at)
		pgp_int(&p, a->at);
	return pg_exec(c, a->at ? PS_LOGIN_ATTEMPT_UNDO : PS_LOGIN_FAILURES_CLEAR, &p,
		       "forgetting sign-in attempts", NULL, NULL, err);
}

static enum app_err login_attempt_undo(struct store *s, const char *subject, int64_t at,
				       struct app_error *err)
{
	struct attempt a = { subject, at, 0, 0, false, 0 };
	return pg_write(s, forget_job, &a, err);
}

static enum app_err login_failures_clear(struct store *s, const char *subject,
					 struct app_error *err)
{
	struct attempt a = { subject, 0, 0, 0, false, 0 };
	return pg_write(s, forget_job, &a, err);
}

/* ---- invitations ---- */

struct invite_write {
	const uint8_t *hash;
	const struct invite *inv;
	const struct audit_note *note;
};

static enum app_err invite_create_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct invite_write *iw = arg;
	struct pg_params p = { 0 };
	pgp_blob(&p, iw->hash, TOKEN_HASH_LEN);
	pgp_text(&p, iw->inv->region);
	pgp_int(&p, iw->inv->household_id);
	pgp_int(&p, iw->inv->created_by);
	pgp_int(&p, iw->inv->created_at);
	pgp_int(&p, iw->inv->expires_at);
	enum app_err rc = pg_exec_write(c, PS_INVITE_INSERT, &p, "creating an invitation", NULL,
					NULL, err);
	return rc == APP_OK ? audit(c, iw->note, err) : rc;
}

static enum app_err invite_create(struct store *s, const uint8_t *hash, const struct invite *inv,
				  const struct audit_note *note, struct app_error *err)
{
	struct invite_write iw = { hash, inv, note };
	return pg_write(s, invite_create_job, &iw, err);
}

struct invite_accept {
	const uint8_t *hash;
	int64_t now;
	const struct user *u;
	const char *password_hash;
	const struct audit_note *note;
	int64_t user_id;
};

static enum app_err invite_accept_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct invite_accept *ia = arg;
	struct pg_params p = { 0 };
	pgp_blob(&p, ia->hash, TOKEN_HASH_LEN);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_INVITE_GET, &p, "reading an invitation", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	struct invite inv = { 0 };
	int rows = PQntuples(res);
	if (rows == 1) {
		pg_copy_text(inv.region, sizeof(inv.region), res, 0, 0);
		inv.household_id = pg_int(res, 0, 1);
		inv.expires_at = pg_int(res, 0, 4);
		inv.used_by = pg_int(res, 0, 5);
	}
	PQclear(res);
	if (rows != 1)
		return app_fail_field(err, APP_ENOTFOUND, "code", "no such invitation code");
	if (inv.used_by)
		return app_fail_field(err, APP_ECONFLICT, "code", "this invitation was used already");
	if (inv.expires_at <= ia->now)
		return app_fail_field(err, APP_EINVAL, "code",
				      "this invitation has expired; ask for a new one");
	struct user u = *ia->u;
	snprintf(u.region, sizeof(u.region), "%s", inv.region);
	u.household_id = inv.household_id;
	struct role_grant g = { .role = "resident" };
	snprintf(g.region, sizeof(g.region), "%s", inv.region);
	struct user_create uc = { .u = &u, .password_hash = ia->password_hash, .grant = &g };
	if ((rc = insert_user(c, &uc, err)) != APP_OK)
		return rc;
	ia->user_id = uc.id;
	struct pg_params q = { 0 };
	pgp_blob(&q, ia->hash, TOKEN_HASH_LEN);
	pgp_int(&q, uc.id);
	pgp_int(&q, ia->now);
	int64_t changed = 0;
	if ((rc = pg_exec_write(c, PS_INVITE_USE, &q, "using an invitation", NULL, &changed,
				err)) != APP_OK)
		return rc;
	if (changed == 0) /* cannot happen under FOR UPDATE; kept as a guard */
		return app_fail_field(err, APP_ECONFLICT, "code", "this invitation was used already");
	if (!ia->note)
		return APP_OK;
	struct audit_note n = *ia->note;
	n.region = inv.region;
	char actor[32];
	snprintf(actor, sizeof(actor), "user:%lld", (long long)uc.id);
	n.actor = actor;
	return audit_new(c, &n, "user", uc.id, err);
}

static enum app_err invite_accept(struct store *s, const uint8_t *hash, int64_t now,
				  const struct user *u, const char *password_hash,
				  const struct audit_note *note, int64_t *user_id,
				  struct app_error *err)
{
	struct invite_accept ia = { hash, now, u, password_hash, note, 0 };
	enum app_err rc = pg_write(s, invite_accept_job, &ia, err);
	if (rc == APP_OK)
		*user_id = ia.user_id;
	return rc;
}

const struct store_account_ops pg_account_ops = {
	.user_create = user_create,
	.user_get = user_get,
	.user_by_phone = user_by_phone,
	.user_set_password = user_set_password,
	.user_list = user_list,
	.grants_of = grants_of,
	.grant_add = grant_add,
	.grant_remove = grant_remove,
	.household_create = household_create,
	.household_get = household_get,
	.household_members = household_members,
	.session_create = session_create,
	.session_get = session_get,
	.session_revoke = session_revoke,
	.api_key_create = api_key_create,
	.api_key_by_hash = api_key_by_hash,
	.api_key_revoke = api_key_revoke,
	.api_key_list = api_key_list,
	.login_attempt = login_attempt,
	.login_attempt_undo = login_attempt_undo,
	.login_failures_clear = login_failures_clear,
	.invite_create = invite_create,
	.invite_accept = invite_accept,
};
