/*
 * store_int.h - what a storage backend implements. Private to src/store.
 *
 * A backend is a table of function pointers (the model of SQLite's os.h),
 * split into one sub-table per domain so that each backend file fills its
 * own part. store.c holds the thin public wrappers and picks the backend
 * from the URI; domain code never sees this header.
 */
#ifndef STORE_STORE_INT_H
#define STORE_STORE_INT_H

#include "store/store.h"

struct store_region_ops {
	enum app_err (*generation)(struct store *s, int64_t *out, struct app_error *err);
	enum app_err (*get)(struct store *s, const char *code, struct region *out,
			    struct app_error *err);
	enum app_err (*children)(struct store *s, const char *code, store_region_fn fn, void *ctx,
				 struct app_error *err);
	enum app_err (*subtree)(struct store *s, const char *code, int max_depth,
				store_region_fn fn, void *ctx, struct app_error *err);
	enum app_err (*search)(struct store *s, const struct region_query *q, store_region_fn fn,
			       void *ctx, struct app_error *err);
	enum app_err (*exists)(struct store *s, const char *code, bool *exists,
			       struct app_error *err);
	enum app_err (*import)(struct store *s, const struct region *rows, size_t n,
			       const struct audit_note *note, struct region_import_counts *counts,
			       struct app_error *err);
};

struct store_audit_ops {
	enum app_err (*append)(struct store *s, const struct audit_note *note,
			       struct app_error *err);
	enum app_err (*list)(struct store *s, const char *object, int limit, store_audit_fn fn,
			     void *ctx, struct app_error *err);
	enum app_err (*scan)(struct store *s, store_audit_fn fn, void *ctx, struct app_error *err);
};

struct store_account_ops {
	enum app_err (*user_create)(struct store *s, const struct user *u, const char *password_hash,
				    const struct role_grant *grant, const struct audit_note *note,
				    int64_t *id, struct app_error *err);
	enum app_err (*user_get)(struct store *s, int64_t id, struct user *out,
				 struct app_error *err);
	enum app_err (*user_by_phone)(struct store *s, const char *phone, struct user *out,
				      char *hash, size_t cap, struct app_error *err);
	enum app_err (*user_set_password)(struct store *s, int64_t id, const char *hash,
					  bool must_change, const uint8_t *keep,
					  const struct audit_note *note,
					  struct app_error *err);
	enum app_err (*user_list)(struct store *s, const char *within, int64_t after_id, int limit,
				  store_user_fn fn, void *ctx, struct app_error *err);
	enum app_err (*grants_of)(struct store *s, int64_t user_id, struct role_grant *out, int cap,
				  int *n, struct app_error *err);
	enum app_err (*grant_add)(struct store *s, int64_t user_id, const struct role_grant *g,
				  const struct audit_note *note, struct app_error *err);
	enum app_err (*grant_remove)(struct store *s, int64_t user_id, const struct role_grant *g,
				     const struct audit_note *note, struct app_error *err);
	enum app_err (*household_create)(struct store *s, const struct household *h,
					 const struct audit_note *note, int64_t *id,
					 struct app_error *err);
	enum app_err (*household_get)(struct store *s, int64_t id, struct household *out,
				      struct app_error *err);
	enum app_err (*household_members)(struct store *s, int64_t id, store_user_fn fn, void *ctx,
					  struct app_error *err);
	enum app_err (*session_create)(struct store *s, const uint8_t *hash, int64_t user_id,
				       int64_t user_version, int64_t now, int64_t expires_at,
				       const struct audit_note *note, struct app_error *err);
	enum app_err (*session_get)(struct store *s, const uint8_t *hash, struct session_info *out,
				    struct app_error *err);
	enum app_err (*session_revoke)(struct store *s, const uint8_t *hash, int64_t now,
				       const struct audit_note *note, struct app_error *err);
	enum app_err (*api_key_create)(struct store *s, const struct api_key *k, const uint8_t *hash,
				       const struct audit_note *note, int64_t *id,
				       struct app_error *err);
	enum app_err (*api_key_by_hash)(struct store *s, const uint8_t *hash, struct api_key *out,
					struct app_error *err);
	enum app_err (*api_key_revoke)(struct store *s, int64_t id, int64_t now,
				       const struct audit_note *note, struct app_error *err);
	enum app_err (*api_key_list)(struct store *s, store_api_key_fn fn, void *ctx,
				     struct app_error *err);
	enum app_err (*login_attempt)(struct store *s, const char *subject, int64_t now,
				      int64_t since, int limit, bool *allowed, int64_t *latest,
				      struct app_error *err);
	enum app_err (*login_attempt_undo)(struct store *s, const char *subject, int64_t at,
					   struct app_error *err);
	enum app_err (*login_failures_clear)(struct store *s, const char *subject,
					     struct app_error *err);
	enum app_err (*invite_create)(struct store *s, const uint8_t *hash, const struct invite *inv,
				      const struct audit_note *note, struct app_error *err);
	enum app_err (*invite_accept)(struct store *s, const uint8_t *hash, int64_t now,
				      const struct user *u, const char *password_hash,
				      const struct audit_note *note, int64_t *user_id,
				      struct app_error *err);
};

struct store_ops {
	const char *name;
	enum app_err (*open)(struct store *s, const char *uri, enum store_open_mode mode,
			     struct app_error *err);
	void (*close)(struct store *s);
	enum app_err (*migrate)(struct store *s, int *applied, struct app_error *err);
	enum app_err (*schema_version)(struct store *s, int *current, int *expected,
				       struct app_error *err);
	void (*stats)(struct store *s, struct store_stats *out);
	const struct store_region_ops *regions;
	const struct store_audit_ops *audit;
	const struct store_account_ops *accounts;
};

struct store {
	const struct store_ops *ops;
	void *impl; /* the backend's own state */
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

/* Migrations compiled into the binary (generated from sql/<backend>/). */
struct store_migration {
	const char *name; /* file name, e.g. "0001_regions.sql"; version = leading number */
	const char *data;
	size_t len;
};
extern const struct store_migration store_sqlite_migrations[];
extern const size_t store_sqlite_migrations_count;
extern const struct store_migration store_pg_migrations[];
extern const size_t store_pg_migrations_count;

#endif
