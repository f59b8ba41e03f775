/*
 * store.c - the public store functions: choose a backend, then forward.
 *
 * Nothing here knows SQL. Checks that hold for every backend (argument
 * sanity) live here so that backends need not repeat them.
 */
#include "store/store_int.h"
#include "core/mem.h"

#include <stdlib.h>
#include <string.h>

static const struct store_ops *backend_for(const char *uri)
{
	/* a libpq URI selects PostgreSQL; anything else is a SQLite file path */
	if (strncmp(uri, "postgresql://", 13) == 0 || strncmp(uri, "postgres://", 11) == 0)
		return &store_pg_ops;
	return &store_sqlite_ops;
}

enum app_err store_open(struct store **out, const char *uri, enum store_open_mode mode,
			struct app_error *err)
{
	if (!uri || !*uri)
		return app_fail(err, APP_EINVAL, "no database given (use --db or BIANMIN_DB)");
	struct store *s = xcalloc(1, sizeof(*s));
	s->ops = backend_for(uri);
	enum app_err rc = s->ops->open(s, uri, mode, err);
	if (rc != APP_OK) {
		free(s);
		return rc;
	}
	*out = s;
	return APP_OK;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	s->ops->close(s);
	free(s);
}

const char *store_backend(const struct store *s) { return s->ops->name; }

enum app_err store_migrate(struct store *s, int *applied, struct app_error *err)
{
	int dummy;
	return s->ops->migrate(s, applied ? applied : &dummy, err);
}

enum app_err store_schema_version(struct store *s, int *current, int *expected,
				  struct app_error *err)
{
	return s->ops->schema_version(s, current, expected, err);
}

enum app_err store_check_schema(struct store *s, struct app_error *err)
{
	int cur, want;
	enum app_err rc = store_schema_version(s, &cur, &want, err);
	if (rc != APP_OK)
		return rc;
	if (cur < want)
		return app_fail(err, APP_EDB,
				"database schema is at version %d but this bianmin needs %d: run 'bianmin migrate'",
				cur, want);
	if (cur > want)
		return app_fail(err, APP_EDB,
				"database schema is at version %d, newer than this bianmin (%d): upgrade bianmin",
				cur, want);
	return APP_OK;
}

enum app_err store_region_get(struct store *s, const char *code, struct region *out,
			      struct app_error *err)
{
	return s->ops->regions->get(s, code, out, err);
}

enum app_err store_region_children(struct store *s, const char *code, store_region_fn fn,
				   void *ctx, struct app_error *err)
{
	return s->ops->regions->children(s, code, fn, ctx, err);
}

enum app_err store_region_subtree(struct store *s, const char *code, int max_depth,
				  store_region_fn fn, void *ctx, struct app_error *err)
{
	return s->ops->regions->subtree(s, code, max_depth, fn, ctx, err);
}

enum app_err store_region_search(struct store *s, const struct region_query *q,
				 store_region_fn fn, void *ctx, struct app_error *err)
{
	if (!q->text || !*q->text || q->limit <= 0)
		return app_fail_field(err, APP_EINVAL, "q", "search text is empty");
	return s->ops->regions->search(s, q, fn, ctx, err);
}

enum app_err store_regions_generation(struct store *s, int64_t *out, struct app_error *err)
{
	return s->ops->regions->generation(s, out, err);
}

enum app_err store_region_exists(struct store *s, const char *code, bool *exists,
				 struct app_error *err)
{
	return s->ops->regions->exists(s, code, exists, err);
}

enum app_err store_regions_import(struct store *s, const struct region *rows, size_t n,
				  const struct audit_note *note, struct region_import_counts *counts,
				  struct app_error *err)
{
	struct region_import_counts dummy;
	return s->ops->regions->import(s, rows, n, note, counts ? counts : &dummy, err);
}

enum app_err store_audit_append(struct store *s, const struct audit_note *note,
				struct app_error *err)
{
	return s->ops->audit->append(s, note, err);
}

enum app_err store_audit_list(struct store *s, const char *object, int limit, store_audit_fn fn,
			      void *ctx, struct app_error *err)
{
	return s->ops->audit->list(s, object, limit, fn, ctx, err);
}

enum app_err store_audit_scan(struct store *s, store_audit_fn fn, void *ctx,
			      struct app_error *err)
{
	return s->ops->audit->scan(s, fn, ctx, err);
}

enum app_err store_user_create(struct store *s, const struct user *u, const char *password_hash,
			       const struct role_grant *grant, const struct audit_note *note,
			       int64_t *id, struct app_error *err)
{
	return s->ops->accounts->user_create(s, u, password_hash, grant, note, id, err);
}

enum app_err store_user_get(struct store *s, int64_t id, struct user *out, struct app_error *err)
{
	return s->ops->accounts->user_get(s, id, out, err);
}

enum app_err store_user_by_phone(struct store *s, const char *phone, struct user *out, char *hash,
				 size_t cap, struct app_error *err)
{
	return s->ops->accounts->user_by_phone(s, phone, out, hash, cap, err);
}

enum app_err store_user_set_password(struct store *s, int64_t id, const char *hash,
				     bool must_change, const uint8_t *keep,
				     const struct audit_note *note, struct app_error *err)
{
	return s->ops->accounts->user_set_password(s, id, hash, must_change, keep, note, err);
}

enum app_err store_user_list(struct store *s, const char *within, int64_t after_id, int limit,
			     store_user_fn fn, void *ctx, struct app_error *err)
{
	return s->ops->accounts->user_list(s, within ? within : "", after_id, limit, fn, ctx, err);
}

enum app_err store_grants_of(struct store *s, int64_t user_id, struct role_grant *out, int cap,
			     int *n, struct app_error *err)
{
	return s->ops->accounts->grants_of(s, user_id, out, cap, n, err);
}

enum app_err store_grant_add(struct store *s, int64_t user_id, const struct role_grant *g,
			     const struct audit_note *note, struct app_error *err)
{
	return s->ops->accounts->grant_add(s, user_id, g, note, err);
}

enum app_err store_grant_remove(struct store *s, int64_t user_id, const struct role_grant *g,
				const struct audit_note *note, struct app_error *err)
{
	return s->ops->accounts->grant_remove(s, user_id, g, note, err);
}

enum app_err store_household_create(struct store *s, const struct household *h,
				    const struct audit_note *note, int64_t *id,
				    struct app_error *err)
{
	return s->ops->accounts->household_create(s, h, note, id, err);
}

enum app_err store_household_get(struct store *s, int64_t id, struct household *out,
				 struct app_error *err)
{
	return s->ops->accounts->household_get(s, id, out, err);
}

enum app_err store_household_members(struct store *s, int64_t id, store_user_fn fn, void *ctx,
				     struct app_error *err)
{
	return s->ops->accounts->household_members(s, id, fn, ctx, err);
}

enum app_err store_session_create(struct store *s, const uint8_t hash[TOKEN_HASH_LEN],
				  int64_t user_id, int64_t user_version, int64_t now,
				  int64_t expires_at, const struct audit_note *note,
				  struct app_error *err)
{
	return s->ops->accounts->session_create(s, hash, user_id, user_version, now, expires_at,
						note, err);
}

enum app_err store_session_get(struct store *s, const uint8_t hash[TOKEN_HASH_LEN],
			       struct session_info *out, struct app_error *err)
{
	return s->ops->accounts->session_get(s, hash, out, err);
}

enum app_err store_session_revoke(struct store *s, const uint8_t hash[TOKEN_HASH_LEN], int64_t now,
				  const struct audit_note *note, struct app_error *err)
{
	return s->ops->accounts->session_revoke(s, hash, now, note, err);
}

enum app_err store_api_key_create(struct store *s, const struct api_key *k,
				  const uint8_t hash[TOKEN_HASH_LEN], const struct audit_note *note,
				  int64_t *id, struct app_error *err)
{
	return s->ops->accounts->api_key_create(s, k, hash, note, id, err);
}

enum app_err store_api_key_by_hash(struct store *s, const uint8_t hash[TOKEN_HASH_LEN],
				   struct api_key *out, struct app_error *err)
{
	return s->ops->accounts->api_key_by_hash(s, hash, out, err);
}

enum app_err store_api_key_revoke(struct store *s, int64_t id, int64_t now,
				  const struct audit_note *note, struct app_error *err)
{
	return s->ops->accounts->api_key_revoke(s, id, now, note, err);
}

enum app_err store_api_key_list(struct store *s, store_api_key_fn fn, void *ctx,
				struct app_error *err)
{
	return s->ops->accounts->api_key_list(s, fn, ctx, err);
}

enum app_err store_login_attempt(struct store *s, const char *subject, int64_t now, int64_t since,
				 int limit, bool *allowed, int64_t *latest, struct app_error *err)
{
	return s->ops->accounts->login_attempt(s, subject, now, since, limit, allowed, latest, err);
}

enum app_err store_login_attempt_undo(struct store *s, const char *subject, int64_t at,
				      struct app_error *err)
{
	return s->ops->accounts->login_attempt_undo(s, subject, at, err);
}

enum app_err store_login_failures_clear(struct store *s, const char *subject,
					struct app_error *err)
{
	return s->ops->accounts->login_failures_clear(s, subject, err);
}

enum app_err store_invite_create(struct store *s, const uint8_t hash[TOKEN_HASH_LEN],
				 const struct invite *inv, const struct audit_note *note,
				 struct app_error *err)
{
	return s->ops->accounts->invite_create(s, hash, inv, note, err);
}

enum app_err store_invite_accept(struct store *s, const uint8_t hash[TOKEN_HASH_LEN], int64_t now,
				 const struct user *u, const char *password_hash,
				 const struct audit_note *note, int64_t *user_id,
				 struct app_error *err)
{
	return s->ops->accounts->invite_accept(s, hash, now, u, password_hash, note, user_id, err);
}

void store_stats(struct store *s, struct store_stats *out)
{
	memset(out, 0, sizeof(*out));
	s->ops->stats(s, out);
}
