/*
 * sqlite_accounts.c - users, role grants, households, sessions, API keys,
 * sign-in failures and invitations on SQLite.
 *
 * Each write is one group-committed job that also appends its audit entry;
 * each read runs on a pooled connection. Uniqueness (phone, ID number,
 * grants) is left to the schema's constraints and reported as APP_ECONFLICT.
 */
#include "store/sqlite_int.h"

#include "core/clock.h"

#include <stdio.h>
#include <string.h>

/* ---- shared pieces ---- */

static void read_user(sqlite3_stmt *st, struct user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(st, 0);
	sq_copy_text(u->name, sizeof(u->name), st, 1);
	sq_copy_text(u->phone, sizeof(u->phone), st, 2);
	sq_copy_text(u->id_number, sizeof(u->id_number), st, 3);
	sq_copy_text(u->region, sizeof(u->region), st, 4);
	u->household_id = sqlite3_column_int64(st, 5);
	u->must_change_password = sqlite3_column_int(st, 6) != 0;
	u->disabled = sqlite3_column_int(st, 7) != 0;
	u->created_at = sqlite3_column_int64(st, 8);
	u->version = sqlite3_column_int64(st, 9);
}

/* Turn a failed insert into APP_ECONFLICT (unique), APP_EINVAL (a missing
 * referenced row) or APP_EDB. */
static enum app_err insert_fail(struct conn *c, int res, const char *what, struct app_error *err)
{
	const char *msg = sqlite3_errmsg(c->db);
	if (res == SQLITE_CONSTRAINT_UNIQUE || res == SQLITE_CONSTRAINT_PRIMARYKEY) {
		if (strstr(msg, "users.phone"))
			return app_fail_field(err, APP_ECONFLICT, "phone",
					      "this phone number is already registered");
		if (strstr(msg, "users.id_number"))
			return app_fail_field(err, APP_ECONFLICT, "id_number",
					      "this ID number is already registered");
		return app_fail(err, APP_ECONFLICT, "%s: it exists already", what);
	}
	if (res == SQLITE_CONSTRAINT_FOREIGNKEY)
		return app_fail(err, APP_EINVAL, "%s: it refers to a region, household or user "
				"that does not exist", what);
	return sq_db_fail(err, c->db, what);
}

enum app_err sq_step_write(struct conn *c, sqlite3_stmt *st, const char *what,
			   struct app_error *err)
{
	int res = sqlite3_step(st);
	sqlite3_reset(st);
	if (res != SQLITE_DONE)
		return insert_fail(c, res, what, err);
	return APP_OK;
}

static enum app_err audit(struct conn *c, const struct audit_note *note, struct app_error *err)
{
	return note ? sq_audit_append(c, note, err) : APP_OK;
}

static enum app_err insert_grant(struct conn *c, int64_t user_id, const struct role_grant *g,
				 int64_t now, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_GRANT_INSERT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, g->role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, g->region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	enum app_err rc = sq_step_write(c, st, "adding a role", err);
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

static enum app_err insert_user(struct conn *c, struct user_create *uc, struct app_error *err)
{
	const struct user *u = uc->u;
	sqlite3_stmt *st = sq_stmt(c, STMT_USER_INSERT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, u->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, u->phone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, u->id_number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, u->region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, u->household_id);
	sqlite3_bind_text(st, 6, uc->password_hash ? uc->password_hash : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, u->must_change_password);
	sqlite3_bind_int64(st, 8, u->created_at);
	enum app_err rc = sq_step_write(c, st, "creating a user", err);
	if (rc != APP_OK)
		return rc;
	uc->id = sqlite3_last_insert_rowid(c->db);
	if (uc->grant && (rc = insert_grant(c, uc->id, uc->grant, u->created_at, err)) != APP_OK)
		return rc;
	return APP_OK;
}

/* The note's object names the new user, which has no id until inserted. */
static enum app_err audit_new_user(struct conn *c, const struct audit_note *note, int64_t id,
				   struct app_error *err)
{
	if (!note)
		return APP_OK;
	char object[32];
	snprintf(object, sizeof(object), "user:%lld", (long long)id);
	struct audit_note n = *note;
	n.object = object;
	return sq_audit_append(c, &n, err);
}

static enum app_err user_create_job(struct conn *c, void *arg, struct app_error *err)
{
	struct user_create *uc = arg;
	enum app_err rc = insert_user(c, uc, err);
	return rc == APP_OK ? audit_new_user(c, uc->note, uc->id, err) : rc;
}

static enum app_err user_create(struct store *s, const struct user *u, const char *password_hash,
				const struct role_grant *grant, const struct audit_note *note,
				int64_t *id, struct app_error *err)
{
	struct user_create uc = { .u = u, .password_hash = password_hash, .grant = grant,
				  .note = note };
	enum app_err rc = sq_write(s, user_create_job, &uc, err);
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

static enum app_err user_get_read(struct conn *c, void *arg, struct app_error *err)
{
	struct user_read *ur = arg;
	sqlite3_stmt *st = sq_stmt(c, ur->phone ? STMT_USER_BY_PHONE : STMT_USER_GET, err);
	if (!st)
		return APP_EDB;
	if (ur->phone)
		sqlite3_bind_text(st, 1, ur->phone, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, ur->id);
	int r = sqlite3_step(st);
	enum app_err rc = APP_OK;
	if (r == SQLITE_ROW) {
		read_user(st, ur->out);
		if (ur->hash)
			sq_copy_text(ur->hash, ur->cap, st, 10);
	} else if (r == SQLITE_DONE) {
		rc = app_fail(err, APP_ENOTFOUND, "not found");
	} else {
		rc = sq_db_fail(err, c->db, "reading a user");
	}
	sqlite3_reset(st);
	return rc;
}

static enum app_err user_get(struct store *s, int64_t id, struct user *out, struct app_error *err)
{
	struct user_read ur = { .id = id, .out = out };
	return sq_read(s, user_get_read, &ur, err);
}

static enum app_err user_by_phone(struct store *s, const char *phone, struct user *out,
				  char *hash, size_t cap, struct app_error *err)
{
	struct user_read ur = { .phone = phone, .out = out, .hash = hash, .cap = cap };
	return sq_read(s, user_get_read, &ur, err);
}

struct set_password {
	int64_t id;
	const char *hash;
	bool must_change;
	const uint8_t *keep;
	const struct audit_note *note;
};

static enum app_err set_password_job(struct conn *c, void *arg, struct app_error *err)
{
	struct set_password *sp = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_USER_SET_PASSWORD, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, sp->id);
	sqlite3_bind_text(st, 2, sp->hash, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, sp->must_change);
	enum app_err rc = sq_step_write(c, st, "changing a password", err);
	if (rc != APP_OK)
		return rc;
	if (sqlite3_changes(c->db) == 0)
		return app_fail(err, APP_ENOTFOUND, "no such user");
	static const uint8_t none[TOKEN_HASH_LEN];
	if (!(st = sq_stmt(c, STMT_SESSION_REVOKE_OTHERS, err)))
		return APP_EDB;
	sqlite3_bind_int64(st, 1, sp->id);
	sqlite3_bind_blob(st, 2, sp->keep ? sp->keep : none, TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, clock_now());
	if ((rc = sq_step_write(c, st, "closing other sessions", err)) != APP_OK)
		return rc;
	return audit(c, sp->note, err);
}

static enum app_err user_set_password(struct store *s, int64_t id, const char *hash,
				      bool must_change, const uint8_t *keep,
				      const struct audit_note *note, struct app_error *err)
{
	struct set_password sp = { id, hash, must_change, keep, note };
	return sq_write(s, set_password_job, &sp, err);
}

struct user_each {
	enum stmt_id stmt;
	const char *within;
	int64_t key; /* after_id or household id */
	int limit;
	store_user_fn fn;
	void *ctx;
};

static enum app_err user_each_read(struct conn *c, void *arg, struct app_error *err)
{
	struct user_each *ue = arg;
	sqlite3_stmt *st = sq_stmt(c, ue->stmt, err);
	if (!st)
		return APP_EDB;
	if (ue->stmt == STMT_USER_LIST) {
		sqlite3_bind_text(st, 1, ue->within, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, ue->key);
		sqlite3_bind_int(st, 3, ue->limit);
	} else {
		sqlite3_bind_int64(st, 1, ue->key);
	}
	int r;
	struct user u;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		read_user(st, &u);
		if (!ue->fn(ue->ctx, &u)) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, "listing users");
}

static enum app_err user_list(struct store *s, const char *within, int64_t after_id, int limit,
			      store_user_fn fn, void *ctx, struct app_error *err)
{
	struct user_each ue = { STMT_USER_LIST, within, after_id, limit, fn, ctx };
	return sq_read(s, user_each_read, &ue, err);
}

static enum app_err household_members(struct store *s, int64_t id, store_user_fn fn, void *ctx,
				      struct app_error *err)
{
	struct user_each ue = { STMT_USER_BY_HOUSEHOLD, "", id, 0, fn, ctx };
	return sq_read(s, user_each_read, &ue, err);
}

/* ---- role grants ---- */

struct grants_read {
	int64_t user_id;
	struct role_grant *out;
	int cap, n;
};

static enum app_err grants_read(struct conn *c, void *arg, struct app_error *err)
{
	struct grants_read *gr = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_GRANTS_OF, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, gr->user_id);
	int r;
	gr->n = 0;
	while ((r = sqlite3_step(st)) == SQLITE_ROW && gr->n < gr->cap) {
		sq_copy_text(gr->out[gr->n].role, sizeof(gr->out[gr->n].role), st, 0);
		sq_copy_text(gr->out[gr->n].region, sizeof(gr->out[gr->n].region), st, 1);
		gr->n++;
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE || r == SQLITE_ROW ? APP_OK
						   : sq_db_fail(err, c->db, "reading roles");
}

static enum app_err grants_of(struct store *s, int64_t user_id, struct role_grant *out, int cap,
			      int *n, struct app_error *err)
{
	struct grants_read gr = { user_id, out, cap, 0 };
	enum app_err rc = sq_read(s, grants_read, &gr, err);
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

static enum app_err grant_add_job(struct conn *c, void *arg, struct app_error *err)
{
	struct grant_change *gc = arg;
	enum app_err rc = insert_grant(c, gc->user_id, gc->g, gc->now, err);
	return rc == APP_OK ? audit(c, gc->note, err) : rc;
}

static enum app_err grant_add(struct store *s, int64_t user_id, const struct role_grant *g,
			      const struct audit_note *note, struct app_error *err)
{
	struct grant_change gc = { user_id, g, note, clock_now() };
	return sq_write(s, grant_add_job, &gc, err);
}

static enum app_err grant_remove_job(struct conn *c, void *arg, struct app_error *err)
{
	struct grant_change *gc = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_GRANT_DELETE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, gc->user_id);
	sqlite3_bind_text(st, 2, gc->g->role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, gc->g->region, -1, SQLITE_STATIC);
	enum app_err rc = sq_step_write(c, st, "removing a role", err);
	if (rc != APP_OK)
		return rc;
	if (sqlite3_changes(c->db) == 0)
		return app_fail(err, APP_ENOTFOUND, "the user has no role %s for %s", gc->g->role,
				gc->g->region);
	return audit(c, gc->note, err);
}

static enum app_err grant_remove(struct store *s, int64_t user_id, const struct role_grant *g,
				 const struct audit_note *note, struct app_error *err)
{
	struct grant_change gc = { user_id, g, note, 0 };
	return sq_write(s, grant_remove_job, &gc, err);
}

/* ---- households ---- */

struct household_create {
	const struct household *h;
	const struct audit_note *note;
	int64_t id;
};

static enum app_err household_create_job(struct conn *c, void *arg, struct app_error *err)
{
	struct household_create *hc = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_HOUSEHOLD_INSERT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, hc->h->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hc->h->address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, hc->h->created_at);
	enum app_err rc = sq_step_write(c, st, "creating a household", err);
	if (rc != APP_OK)
		return rc;
	hc->id = sqlite3_last_insert_rowid(c->db);
	if (!hc->note)
		return APP_OK;
	char object[32];
	snprintf(object, sizeof(object), "household:%lld", (long long)hc->id);
	struct audit_note n = *hc->note;
	n.object = object;
	return sq_audit_append(c, &n, err);
}

static enum app_err household_create(struct store *s, const struct household *h,
				     const struct audit_note *note, int64_t *id,
				     struct app_error *err)
{
	struct household_create hc = { h, note, 0 };
	enum app_err rc = sq_write(s, household_create_job, &hc, err);
	if (rc == APP_OK)
		*id = hc.id;
	return rc;
}

struct household_read {
	int64_t id;
	struct household *out;
};

static enum app_err household_get_read(struct conn *c, void *arg, struct app_error *err)
{
	struct household_read *hr = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_HOUSEHOLD_GET, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, hr->id);
	int r = sqlite3_step(st);
	enum app_err rc = APP_OK;
	if (r == SQLITE_ROW) {
		hr->out->id = sqlite3_column_int64(st, 0);
		sq_copy_text(hr->out->region, sizeof(hr->out->region), st, 1);
		sq_copy_text(hr->out->address, sizeof(hr->out->address), st, 2);
		hr->out->created_at = sqlite3_column_int64(st, 3);
	} else if (r == SQLITE_DONE) {
		rc = app_fail(err, APP_ENOTFOUND, "not found");
	} else {
		rc = sq_db_fail(err, c->db, "reading a household");
	}
	sqlite3_reset(st);
	return rc;
}

static enum app_err household_get(struct store *s, int64_t id, struct household *out,
				  struct app_error *err)
{
	struct household_read hr = { id, out };
	return sq_read(s, household_get_read, &hr, err);
}

/* ---- sessions ---- */

struct session_write {
	const uint8_t *hash;
	int64_t user_id, user_version, now, expires_at;
	const struct audit_note *note;
};

static enum app_err session_create_job(struct conn *c, void *arg, struct app_error *err)
{
	struct session_write *sw = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_SESSION_INSERT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_blob(st, 1, sw->hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, sw->user_id);
	sqlite3_bind_int64(st, 3, sw->now);
	sqlite3_bind_int64(st, 4, sw->expires_at);
	sqlite3_bind_int64(st, 5, sw->user_version);
	enum app_err rc = sq_step_write(c, st, "opening a session", err);
	if (rc != APP_OK)
		return rc;
	if (sqlite3_changes(c->db) == 0)
		return app_fail(err, APP_ECONFLICT, "the account changed meanwhile");
	return audit(c, sw->note, err);
}

static enum app_err session_create(struct store *s, const uint8_t *hash, int64_t user_id,
				   int64_t user_version, int64_t now, int64_t expires_at,
				   const struct audit_note *note, struct app_error *err)
{
	struct session_write sw = { hash, user_id, user_version, now, expires_at, note };
	return sq_write(s, session_create_job, &sw, err);
}

struct session_read {
	const uint8_t *hash;
	struct session_info *out;
};

static enum app_err session_get_read(struct conn *c, void *arg, struct app_error *err)
{
	struct session_read *sr = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_SESSION_GET, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_blob(st, 1, sr->hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	int r = sqlite3_step(st);
	enum app_err rc = APP_OK;
	if (r == SQLITE_ROW) {
		read_user(st, &sr->out->user);
		sr->out->user_id = sqlite3_column_int64(st, 10);
		sr->out->expires_at = sqlite3_column_int64(st, 11);
		sr->out->revoked_at = sqlite3_column_int64(st, 12);
	} else if (r == SQLITE_DONE) {
		rc = app_fail(err, APP_ENOTFOUND, "unknown session");
	} else {
		rc = sq_db_fail(err, c->db, "reading a session");
	}
	sqlite3_reset(st);
	return rc;
}

static enum app_err session_get(struct store *s, const uint8_t *hash, struct session_info *out,
				struct app_error *err)
{
	struct session_read sr = { hash, out };
	return sq_read(s, session_get_read, &sr, err);
}

static enum app_err session_revoke_job(struct conn *c, void *arg, struct app_error *err)
{
	struct session_write *sw = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_SESSION_REVOKE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_blob(st, 1, sw->hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, sw->now);
	enum app_err rc = sq_step_write(c, st, "closing a session", err);
	return rc == APP_OK ? audit(c, sw->note, err) : rc;
}

static enum app_err session_revoke(struct store *s, const uint8_t *hash, int64_t now,
				   const struct audit_note *note, struct app_error *err)
{
	struct session_write sw = { hash, 0, 0, now, 0, note };
	return sq_write(s, session_revoke_job, &sw, err);
}

/* ---- API keys ---- */

static void read_api_key(sqlite3_stmt *st, struct api_key *k)
{
	memset(k, 0, sizeof(*k));
	k->id = sqlite3_column_int64(st, 0);
	sq_copy_text(k->name, sizeof(k->name), st, 1);
	sq_copy_text(k->role, sizeof(k->role), st, 2);
	sq_copy_text(k->region, sizeof(k->region), st, 3);
	k->created_at = sqlite3_column_int64(st, 4);
	k->revoked_at = sqlite3_column_int64(st, 5);
}

struct key_write {
	const struct api_key *k;
	const uint8_t *hash;
	int64_t id, now;
	const struct audit_note *note;
};

static enum app_err api_key_create_job(struct conn *c, void *arg, struct app_error *err)
{
	struct key_write *kw = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_API_KEY_INSERT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, kw->k->name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, kw->hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kw->k->role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, kw->k->region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, kw->k->created_at);
	enum app_err rc = sq_step_write(c, st, "creating an API key", err);
	if (rc != APP_OK)
		return rc;
	kw->id = sqlite3_last_insert_rowid(c->db);
	if (!kw->note)
		return APP_OK;
	char object[32];
	snprintf(object, sizeof(object), "apikey:%lld", (long long)kw->id);
	struct audit_note n = *kw->note;
	n.object = object;
	return sq_audit_append(c, &n, err);
}

static enum app_err api_key_create(struct store *s, const struct api_key *k, const uint8_t *hash,
				   const struct audit_note *note, int64_t *id,
				   struct app_error *err)
{
	struct key_write kw = { k, hash, 0, 0, note };
	enum app_err rc = sq_write(s, api_key_create_job, &kw, err);
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

static enum app_err api_key_read(struct conn *c, void *arg, struct app_error *err)
{
	struct key_read *kr = arg;
	sqlite3_stmt *st = sq_stmt(c, kr->hash ? STMT_API_KEY_BY_HASH : STMT_API_KEY_LIST, err);
	if (!st)
		return APP_EDB;
	if (kr->hash) {
		sqlite3_bind_blob(st, 1, kr->hash, TOKEN_HASH_LEN, SQLITE_STATIC);
		int r = sqlite3_step(st);
		enum app_err rc = APP_OK;
		if (r == SQLITE_ROW)
			read_api_key(st, kr->out);
		else if (r == SQLITE_DONE)
			rc = app_fail(err, APP_ENOTFOUND, "unknown API key");
		else
			rc = sq_db_fail(err, c->db, "reading an API key");
		sqlite3_reset(st);
		return rc;
	}
	int r;
	struct api_key k;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		read_api_key(st, &k);
		if (!kr->fn(kr->ctx, &k)) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, "listing API keys");
}

static enum app_err api_key_by_hash(struct store *s, const uint8_t *hash, struct api_key *out,
				    struct app_error *err)
{
	struct key_read kr = { .hash = hash, .out = out };
	return sq_read(s, api_key_read, &kr, err);
}

static enum app_err api_key_list(struct store *s, store_api_key_fn fn, void *ctx,
				 struct app_error *err)
{
	struct key_read kr = { .fn = fn, .ctx = ctx };
	return sq_read(s, api_key_read, &kr, err);
}

static enum app_err api_key_revoke_job(struct conn *c, void *arg, struct app_error *err)
{
	struct key_write *kw = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_API_KEY_REVOKE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, kw->id);
	sqlite3_bind_int64(st, 2, kw->now);
	enum app_err rc = sq_step_write(c, st, "revoking an API key", err);
	if (rc != APP_OK)
		return rc;
	if (sqlite3_changes(c->db) == 0)
		return app_fail(err, APP_ENOTFOUND, "no API key with id %lld", (long long)kw->id);
	return audit(c, kw->note, err);
}

static enum app_err api_key_revoke(struct store *s, int64_t id, int64_t now,
				   const struct audit_note *note, struct app_error *err)
{
	struct key_write kw = { NULL, NULL, id, now, note };
	return sq_write(s, api_key_revoke_job, &kw, err);
}

/* ---- sign-in attempts ---- */

struct attempt {
	const char *subject;
	int64_t at, since;
	int limit;
	bool allowed;
	int64_t latest;
};

static enum app_err attempt_job(struct conn *c, void *arg, struct app_error *err)
{
	struct attempt *a = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_LOGIN_FAILURES, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, a->subject, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, a->since);
	int r = sqlite3_step(st), count = 0;
	if (r == SQLITE_ROW) {
		count = sqlite3_column_int(st, 0);
		a->latest = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (r != SQLITE_ROW)
		return sq_db_fail(err, c->db, "counting sign-in attempts");
	a->allowed = count < a->limit;
	if (!a->allowed)
		return APP_OK;
	if (!(st = sq_stmt(c, STMT_LOGIN_FAILURE_ADD, err)))
		return APP_EDB;
	sqlite3_bind_text(st, 1, a->subject, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, a->at);
	return sq_step_done(c, st, "recording a sign-in attempt", err);
}

static enum app_err login_attempt(struct store *s, const char *subject, int64_t now,
				  int64_t since, int limit, bool *allowed, int64_t *latest,
				  struct app_error *err)
{
	struct attempt a = { subject, now, since, limit, false, 0 };
	enum app_err rc = sq_write(s, attempt_job, &a, err);
	if (rc == APP_OK) {
		*allowed = a.allowed;
		*latest = a.latest;
	}
	return rc;
}

static enum app_err forget_job(struct conn *c, void *arg, struct app_error *err)
{
	struct attempt *a = arg;
	sqlite3_stmt *st = sq_stmt(c, a->at ? STMT_LOGIN_ATTEMPT_UNDO : STMT_LOGIN_FAILURES_CLEAR,
				   err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_text(st, 1, a->subject, -1, SQLITE_STATIC);
	if (a->at)
		sqlite3_bind_int64(st, 2, a->at);
	return sq_step_done(c, st, "forgetting sign-in attempts", err);
}

static enum app_err login_attempt_undo(struct store *s, const char *subject, int64_t at,
				       struct app_error *err)
{
	struct attempt a = { subject, at, 0, 0, false, 0 };
	return sq_write(s, forget_job, &a, err);
}

static enum app_err login_failures_clear(struct store *s, const char *subject,
					 struct app_error *err)
{
	struct attempt a = { subject, 0, 0, 0, false, 0 };
	return sq_write(s, forget_job, &a, err);
}

/* ---- invitations ---- */

struct invite_write {
	const uint8_t *hash;
	const struct invite *inv;
	const struct audit_note *note;
};

static enum app_err invite_create_job(struct conn *c, void *arg, struct app_error *err)
{
	struct invite_write *iw = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_INVITE_INSERT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_blob(st, 1, iw->hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, iw->inv->region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, iw->inv->household_id);
	sqlite3_bind_int64(st, 4, iw->inv->created_by);
	sqlite3_bind_int64(st, 5, iw->inv->created_at);
	sqlite3_bind_int64(st, 6, iw->inv->expires_at);
	enum app_err rc = sq_step_write(c, st, "creating an invitation", err);
	return rc == APP_OK ? audit(c, iw->note, err) : rc;
}

static enum app_err invite_create(struct store *s, const uint8_t *hash, const struct invite *inv,
				  const struct audit_note *note, struct app_error *err)
{
	struct invite_write iw = { hash, inv, note };
	return sq_write(s, invite_create_job, &iw, err);
}

struct invite_accept {
	const uint8_t *hash;
	int64_t now;
	const struct user *u;
	const char *password_hash;
	const struct audit_note *note;
	int64_t user_id;
};

static enum app_err invite_accept_job(struct conn *c, void *arg, struct app_error *err)
{
	struct invite_accept *ia = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_INVITE_GET, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_blob(st, 1, ia->hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	int r = sqlite3_step(st);
	struct invite inv = { 0 };
	if (r == SQLITE_ROW) {
		sq_copy_text(inv.region, sizeof(inv.region), st, 0);
		inv.household_id = sqlite3_column_int64(st, 1);
		inv.expires_at = sqlite3_column_int64(st, 4);
		inv.used_by = sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	if (r == SQLITE_DONE)
		return app_fail_field(err, APP_ENOTFOUND, "code", "no such invitation code");
	if (r != SQLITE_ROW)
		return sq_db_fail(err, c->db, "reading an invitation");
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
	enum app_err rc = insert_user(c, &uc, err);
	if (rc != APP_OK)
		return rc;
	ia->user_id = uc.id;
	st = sq_stmt(c, STMT_INVITE_USE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_blob(st, 1, ia->hash, TOKEN_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, uc.id);
	sqlite3_bind_int64(st, 3, ia->now);
	if ((rc = sq_step_write(c, st, "using an invitation", err)) != APP_OK)
		return rc;
	struct audit_note n = ia->note ? *ia->note : (struct audit_note){ 0 };
	if (!ia->note)
		return APP_OK;
	n.region = inv.region;
	char actor[32];
	snprintf(actor, sizeof(actor), "user:%lld", (long long)uc.id);
	n.actor = actor;
	return audit_new_user(c, &n, uc.id, err);
}

static enum app_err invite_accept(struct store *s, const uint8_t *hash, int64_t now,
				  const struct user *u, const char *password_hash,
				  const struct audit_note *note, int64_t *user_id,
				  struct app_error *err)
{
	struct invite_accept ia = { hash, now, u, password_hash, note, 0 };
	enum app_err rc = sq_write(s, invite_accept_job, &ia, err);
	if (rc == APP_OK)
		*user_id = ia.user_id;
	return rc;
}

const struct store_account_ops sq_account_ops = {
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
