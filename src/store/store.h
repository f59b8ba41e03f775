/*
 * store.h - the domain operations on persistent state. No SQL crosses this
 * header: callers ask for regions, not rows.
 *
 * A struct store is opened on a URI (a SQLite file path, or a postgresql://
 * or postgres:// URI for PostgreSQL) and is safe to share between
 * threads: reads run concurrently on pooled connections; writes are queued
 * to one writer that commits concurrent writes together (group commit), and a
 * write function returns only once its change is durable on disk.
 * Every write is a transaction of its own: it is applied whole or not at all.
 */
#ifndef STORE_STORE_H
#define STORE_STORE_H

#include "core/division.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

enum store_open_mode {
	STORE_OPEN_EXISTING, /* fail when the database does not exist */
	STORE_OPEN_CREATE,   /* create an empty database if needed */
};

/*
 * Open the database named by uri. On success *out is set and must be closed
 * with store_close(). Errors: APP_ENOTFOUND (no such database), APP_EDB.
 */
enum app_err store_open(struct store **out, const char *uri, enum store_open_mode mode,
			struct app_error *err);
/* Finish queued writes and close everything. NULL is a no-op. */
void store_close(struct store *s);

/* Name of the backend in use ("sqlite" or "postgresql"). */
const char *store_backend(const struct store *s);

/*
 * Apply every migration the database lacks, all in one transaction: a
 * failure leaves the schema exactly as it was.
 * *applied (may be NULL) receives how many ran.
 */
enum app_err store_migrate(struct store *s, int *applied, struct app_error *err);
/* Current schema version and the version this binary expects. */
enum app_err store_schema_version(struct store *s, int *current, int *expected,
				  struct app_error *err);
/* Fail with a clear message unless the schema is current (serve uses this). */
enum app_err store_check_schema(struct store *s, struct app_error *err);

/* ---- regions (the divisions registry) ---- */

#define REGION_NAME_MAX 160 /* bytes, including the terminating NUL */

struct region {
	char code[DIVISION_CODE_MAX + 1];
	char parent_code[DIVISION_CODE_MAX + 1]; /* "" for a province */
	enum division_level level;
	char name[REGION_NAME_MAX];
	int child_count; /* filled by reads that say so, else 0 */
};

/* Called for each region of a listing; return false to stop early. */
typedef bool (*store_region_fn)(void *ctx, const struct region *r);

/* Fetch one region with its child_count. APP_ENOTFOUND when absent. */
enum app_err store_region_get(struct store *s, const char *code, struct region *out,
			      struct app_error *err);

/* The direct children of code, in code order, with their child_count. */
enum app_err store_region_children(struct store *s, const char *code, store_region_fn fn,
				   void *ctx, struct app_error *err);

/*
 * The subtree under code (code itself first) down to max_depth levels below
 * it, in pre-order (code order).
 */
enum app_err store_region_subtree(struct store *s, const char *code, int max_depth,
				  store_region_fn fn, void *ctx, struct app_error *err);

struct region_query {
	const char *text;   /* name fragment, UTF-8, non-empty */
	const char *within; /* only this subtree; NULL or "" for all */
	int level;          /* only this level; -1 for any */
	int limit;          /* at most this many results */
};

/*
 * Regions whose name contains q->text: names starting with it first, then
 * the others, each group in code order.
 */
enum app_err store_region_search(struct store *s, const struct region_query *q,
				 store_region_fn fn, void *ctx, struct app_error *err);

/*
 * A number that grows whenever the registry changes (by this process or
 * any other): answers about regions may be cached while it stays the same.
 */
enum app_err store_regions_generation(struct store *s, int64_t *out, struct app_error *err);

/* True (in *exists) when code is in the registry. */
enum app_err store_region_exists(struct store *s, const char *code, bool *exists,
				 struct app_error *err);

struct region_import_counts {
	size_t inserted, updated, unchanged;
};

/* ---- the audit trail (信息留痕) ----
 *
 * Every write below takes a struct audit_note and appends it to the
 * hash-chained audit log in the same transaction as the change: the change
 * and its trace are durable together or not at all. Summaries must hold no
 * unmasked personal data: supervisors read them.
 */

/* Fields longer than struct audit_record holds are cut (at a character
 * boundary) before they are hashed and stored. */
struct audit_note {
	const char *actor;   /* "user:12", "apikey:3", "cli:root" */
	const char *action;  /* "user.create", "pii.read", ... */
	const char *object;  /* "user:12", "region:411681", ... */
	const char *region;  /* the object's region code, "" when none */
	const char *summary; /* what changed, in a few words or compact JSON */
};

#define AUDIT_HASH_LEN 32

struct audit_record {
	int64_t id;
	int64_t at;
	char actor[64];
	char action[48];
	char object[128];
	char region[DIVISION_CODE_MAX + 1];
	char summary[1024];
	uint8_t prev_hash[AUDIT_HASH_LEN];
	uint8_t hash[AUDIT_HASH_LEN];
};

typedef bool (*store_audit_fn)(void *ctx, const struct audit_record *r);

/* Append one entry on its own (e.g. a read of personal data). */
enum app_err store_audit_append(struct store *s, const struct audit_note *note,
				struct app_error *err);
/* Entries about object, newest first, at most limit. */
enum app_err store_audit_list(struct store *s, const char *object, int limit, store_audit_fn fn,
			      void *ctx, struct app_error *err);
/* Every entry in id order (for verification). */
enum app_err store_audit_scan(struct store *s, store_audit_fn fn, void *ctx,
			      struct app_error *err);

/*
 * Insert or update n validated regions in one durable transaction. A parent
 * must be in the registry or among rows. On any failure nothing changes.
 */
enum app_err store_regions_import(struct store *s, const struct region *rows, size_t n,
				  const struct audit_note *note, struct region_import_counts *counts,
				  struct app_error *err);

/* ---- accounts ---- */

#define ROLE_NAME_MAX 24

struct user {
	int64_t id;
	char name[128];     /* up to 30 characters of up to 4 bytes */
	char phone[16];     /* 11 digits */
	char id_number[20]; /* 18 characters, "" when not given */
	char region[DIVISION_CODE_MAX + 1]; /* where the person lives or works */
	int64_t household_id; /* 0 when none */
	bool must_change_password;
	bool disabled;
	int64_t created_at;
	int64_t version; /* grows with every change of the password */
};

struct role_grant {
	char role[ROLE_NAME_MAX];
	char region[DIVISION_CODE_MAX + 1];
};

typedef bool (*store_user_fn)(void *ctx, const struct user *u);

/*
 * Create a user (and, when grant is not NULL, its first role). APP_ECONFLICT
 * when the phone number or the ID number is already registered.
 */
enum app_err store_user_create(struct store *s, const struct user *u, const char *password_hash,
			       const struct role_grant *grant, const struct audit_note *note,
			       int64_t *id, struct app_error *err);
enum app_err store_user_get(struct store *s, int64_t id, struct user *out, struct app_error *err);
/* The user with this phone and the password hash (cap bytes); for sign-in. */
enum app_err store_user_by_phone(struct store *s, const char *phone, struct user *out, char *hash,
				 size_t cap, struct app_error *err);
/*
 * Set a new password hash and close every session of the user but keep
 * (which may be NULL: close all), so that a changed password shuts out
 * whoever knew the old one.
 */
enum app_err store_user_set_password(struct store *s, int64_t id, const char *hash,
				     bool must_change, const uint8_t *keep,
				     const struct audit_note *note, struct app_error *err);
/* Users whose region is within `within`, by id, after after_id. */
enum app_err store_user_list(struct store *s, const char *within, int64_t after_id, int limit,
			     store_user_fn fn, void *ctx, struct app_error *err);

/* The user's role grants, at most cap; *n receives how many. */
enum app_err store_grants_of(struct store *s, int64_t user_id, struct role_grant *out, int cap,
			     int *n, struct app_error *err);
/* APP_ECONFLICT when the user has that grant already. */
enum app_err store_grant_add(struct store *s, int64_t user_id, const struct role_grant *g,
			     const struct audit_note *note, struct app_error *err);
/* APP_ENOTFOUND when the user has no such grant. */
enum app_err store_grant_remove(struct store *s, int64_t user_id, const struct role_grant *g,
				const struct audit_note *note, struct app_error *err);

struct household {
	int64_t id;
	char region[DIVISION_CODE_MAX + 1];
	char address[256];
	int64_t created_at;
};

enum app_err store_household_create(struct store *s, const struct household *h,
				    const struct audit_note *note, int64_t *id,
				    struct app_error *err);
enum app_err store_household_get(struct store *s, int64_t id, struct household *out,
				 struct app_error *err);
enum app_err store_household_members(struct store *s, int64_t id, store_user_fn fn, void *ctx,
				     struct app_error *err);

/* ---- sessions, API keys, sign-in throttling, invitations ---- */

#define TOKEN_HASH_LEN 32

struct session_info {
	int64_t user_id;
	int64_t expires_at;
	int64_t revoked_at; /* 0 while valid */
};

/*
 * Open a session for user_id, provided the user's version is still
 * user_version (the password did not change since it was checked):
 * APP_ECONFLICT otherwise, and nothing is written.
 */
enum app_err store_session_create(struct store *s, const uint8_t hash[TOKEN_HASH_LEN],
				  int64_t user_id, int64_t user_version, int64_t now,
				  int64_t expires_at, const struct audit_note *note,
				  struct app_error *err);
/* APP_ENOTFOUND for an unknown token; expiry and revocation are the caller's to judge. */
enum app_err store_session_get(struct store *s, const uint8_t hash[TOKEN_HASH_LEN],
			       struct session_info *out, struct app_error *err);
enum app_err store_session_revoke(struct store *s, const uint8_t hash[TOKEN_HASH_LEN], int64_t now,
				  const struct audit_note *note, struct app_error *err);

struct api_key {
	int64_t id;
	char name[64];
	char role[ROLE_NAME_MAX];
	char region[DIVISION_CODE_MAX + 1];
	int64_t created_at;
	int64_t revoked_at; /* 0 while valid */
};

typedef bool (*store_api_key_fn)(void *ctx, const struct api_key *k);

enum app_err store_api_key_create(struct store *s, const struct api_key *k,
				  const uint8_t hash[TOKEN_HASH_LEN], const struct audit_note *note,
				  int64_t *id, struct app_error *err);
enum app_err store_api_key_by_hash(struct store *s, const uint8_t hash[TOKEN_HASH_LEN],
				   struct api_key *out, struct app_error *err);
/* APP_ENOTFOUND when no such key; revoking twice changes nothing. */
enum app_err store_api_key_revoke(struct store *s, int64_t id, int64_t now,
				  const struct audit_note *note, struct app_error *err);
enum app_err store_api_key_list(struct store *s, store_api_key_fn fn, void *ctx,
				struct app_error *err);

/*
 * Record an attempt of subject (an account, an address) at now, counted as a
 * failure until undone, unless subject already has `limit` attempts since
 * `since`: then *allowed is false, nothing is written and *latest is the
 * time of the newest. Check and record are one step, so parallel attempts
 * cannot slip past the limit.
 */
enum app_err store_login_attempt(struct store *s, const char *subject, int64_t now, int64_t since,
				 int limit, bool *allowed, int64_t *latest, struct app_error *err);
/* Take back one attempt of subject made at `at` (it succeeded). */
enum app_err store_login_attempt_undo(struct store *s, const char *subject, int64_t at,
				      struct app_error *err);
/* Forget every attempt of subject. */
enum app_err store_login_failures_clear(struct store *s, const char *subject,
					struct app_error *err);

struct invite {
	char region[DIVISION_CODE_MAX + 1];
	int64_t household_id; /* 0 when none */
	int64_t created_by;
	int64_t created_at;
	int64_t expires_at;
	int64_t used_by; /* 0 while unused */
};

enum app_err store_invite_create(struct store *s, const uint8_t hash[TOKEN_HASH_LEN],
				 const struct invite *inv, const struct audit_note *note,
				 struct app_error *err);
/*
 * Use an invitation: in one transaction check it is unused and unexpired,
 * create the user with a resident grant for the invitation's region and
 * household, and mark it used. APP_ENOTFOUND unknown, APP_ECONFLICT used or
 * phone taken, APP_EINVAL expired.
 */
enum app_err store_invite_accept(struct store *s, const uint8_t hash[TOKEN_HASH_LEN], int64_t now,
				 const struct user *u, const char *password_hash,
				 const struct audit_note *note, int64_t *user_id,
				 struct app_error *err);

/* ---- figures for /metrics ---- */

struct store_stats {
	uint64_t commits;        /* write transactions committed */
	uint64_t write_jobs;     /* writes carried by those commits */
	uint64_t write_failures; /* writes that were rolled back */
	uint64_t commit_us;      /* time spent committing, in microseconds */
	uint64_t max_batch;      /* most writes carried by one commit */
	uint64_t readers;        /* read connections open */
	uint64_t db_bytes;       /* size of the database */
};

void store_stats(struct store *s, struct store_stats *out);

#endif
