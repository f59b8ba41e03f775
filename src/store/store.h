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

#include "core/calendar.h"
#include "core/division.h"
#include "core/err.h"
#include "core/strbuf.h"

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

/* Let the backend's upkeep run while it is idle (SQLite: merging the
 * search index's segments): a server asks for it; a short command does
 * not, so it ends as soon as its own work is done. Off when opened. */
void store_upkeep_when_idle(struct store *s);

/* Rebuild the full-text search index of messages from the messages
 * (`bianmin search rebuild`, docs/search.md): SQLite refills its index file
 * and merges it into one segment, refused (APP_EUNAVAIL) while another
 * process has the database open; PostgreSQL rebuilds the GIN index of the
 * stored tsvectors (REINDEX CONCURRENTLY, beside a server; the vectors are
 * not computed again). */
enum app_err store_search_rebuild(struct store *s, struct app_error *err);

/* Name of the backend in use ("sqlite" or "postgresql"). */
const char *store_backend(const struct store *s);

/* A number no other store opened by this process has (1, 2, ...): what
 * keys a cache of answers per database, where a pointer might be reused. */
uint64_t store_serial(const struct store *s);

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
	struct user user;   /* the session's user, read with it; id 0 if absent */
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
/* The session and its user, in one statement (a request's session check);
 * APP_ENOTFOUND for an unknown token; expiry and revocation are the
 * caller's to judge. */
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

/* ---- live events ----
 *
 * An event tells clients watching a topic ("user:12") that something they
 * see has changed. Events are rows: ids only grow, so a client that lost its
 * connection resumes after the last id it saw (SSE Last-Event-ID), from any
 * node. A watcher (store_events_watch) hears, on a thread of the store's,
 * the topic of every event committed by this process or, on PostgreSQL, by
 * any node of the cluster (LISTEN/NOTIFY).
 */

#define EVENT_TOPIC_MAX 64
#define EVENT_KIND_MAX 48
#define EVENT_DATA_MAX 16384 /* bytes of JSON, including the NUL */
#define EVENT_RETENTION_DAYS 7 /* how far back a client can resume */

struct event_note {
	const char *topic;  /* "user:12"; under EVENT_TOPIC_MAX bytes */
	const char *kind;   /* "roles.changed"; under EVENT_KIND_MAX bytes */
	const char *county; /* the county code the event belongs to, "" when none */
	const char *data;   /* a JSON object on one line; under EVENT_DATA_MAX bytes */
	const char *subject; /* the object told of, "message:12"; NULL or "" for none */
};

struct event_record {
	int64_t id;
	int64_t at;
	char topic[EVENT_TOPIC_MAX];
	char kind[EVENT_KIND_MAX];
	char county[7];
	char data[EVENT_DATA_MAX];
};

typedef bool (*store_event_fn)(void *ctx, const struct event_record *e);
/* topic is NULL when events may have been missed (a lost connection):
 * every watcher should look again. Must return quickly. */
typedef void (*store_watch_fn)(void *ctx, const char *topic);

/* Append an event in a transaction of its own. APP_EINVAL when a field is
 * empty or too long. *id (may be NULL) receives its id. */
enum app_err store_event_publish(struct store *s, const struct event_note *ev, int64_t *id,
				 struct app_error *err);
/* Events of topic with id > after, in id order, at most limit. */
enum app_err store_events_after(struct store *s, const char *topic, int64_t after, int limit,
				store_event_fn fn, void *ctx, struct app_error *err);
/* The newest event id of all topics (0 when none): where a new watcher starts. */
enum app_err store_events_head(struct store *s, int64_t *id, struct app_error *err);
/* Start calling fn for committed events (one watcher per store). */
enum app_err store_events_watch(struct store *s, store_watch_fn fn, void *ctx,
				struct app_error *err);
/* Stop calling the watcher; returns once it is no longer running. */
void store_events_unwatch(struct store *s);

/* ---- scheduled jobs ----
 *
 * Time is cut into slots of a job's interval; a slot is run by one node
 * only: store_job_claim() moves the job's last slot forward in one statement,
 * and only the node whose statement did it runs the slot. A store lock keeps
 * two runs of one job from overlapping (on PostgreSQL a session advisory
 * lock, so across nodes; on SQLite within the process).
 */

#define JOB_NAME_MAX 48
#define JOB_NODE_MAX 64

struct job_run {
	int64_t id;
	char name[JOB_NAME_MAX];
	int64_t slot;
	char node[JOB_NODE_MAX];
	int64_t started_at;
	int64_t finished_at; /* 0 while running */
	char outcome[12];    /* "running", "ok" or "failed" */
	char detail[256];
};

typedef bool (*store_job_run_fn)(void *ctx, const struct job_run *r);

/*
 * Claim slot of job name for node at now: when no node claimed this or a
 * later slot, record a run ("running") and set *run_id to its id; otherwise
 * set *run_id to 0 and change nothing.
 */
enum app_err store_job_claim(struct store *s, const char *name, int64_t slot, const char *node,
			     int64_t now, int64_t *run_id, struct app_error *err);
/* Record the end of a run: ok or failed, with a detail (cut to fit). */
enum app_err store_job_finish(struct store *s, int64_t run_id, int64_t now, bool ok,
			      const char *detail, struct app_error *err);
/* Runs of job name (NULL or "": all jobs), newest first, at most limit. */
enum app_err store_job_runs(struct store *s, const char *name, int limit, store_job_run_fn fn,
			    void *ctx, struct app_error *err);

struct store_lock;
/* Take the lock called name without waiting: *out is NULL when someone
 * else holds it. Release it with store_lock_release(). */
enum app_err store_lock_try(struct store *s, const char *name, struct store_lock **out,
			    struct app_error *err);
void store_lock_release(struct store *s, struct store_lock *lock);

/* ---- housekeeping (run by scheduled jobs) ---- */

struct store_purge_counts {
	int64_t sessions;       /* sessions that had ended */
	int64_t login_failures; /* sign-in attempts */
	int64_t events;         /* events */
};

/*
 * Remove sessions that expired or were revoked before `sessions_before`,
 * sign-in attempts made before `attempts_before` and events older than
 * `events_before`, each in transactions of its own. `now` is the caller's
 * clock: on SQLite the events go up to the first one stamped between
 * `events_before` and `now` (an event stamped in the future, after the
 * clock was set forward, stops nothing); an event stamped at or after
 * `events_before` is never removed.
 */
enum app_err store_purge(struct store *s, int64_t now, int64_t sessions_before,
			 int64_t attempts_before, int64_t events_before,
			 struct store_purge_counts *out, struct app_error *err);
/*
 * Keep the database in shape at now: on PostgreSQL create the monthly
 * partitions of the coming months; on SQLite checkpoint the WAL and let
 * SQLite refresh its statistics. *detail (cap bytes) says what was done.
 */
enum app_err store_maintain(struct store *s, int64_t now, char *detail, size_t cap,
			    struct app_error *err);

/* ---- service groups (the 项城 model) ----
 *
 * Kinds, roles and states are stored as the words below; the groups module
 * decides what they mean. Every write takes an audit note.
 */

#define GROUP_JOIN_CODE_MAX 64

struct group {
	int64_t id;
	char kind[8]; /* "county", "town", "village" or "adhoc" */
	char region[DIVISION_CODE_MAX + 1];
	char name[REGION_NAME_MAX];
	char join_code[GROUP_JOIN_CODE_MAX]; /* the secret part of the join link */
	bool approval;  /* joining needs an admin's approval */
	int duty_start; /* minutes after midnight, China time */
	int duty_end;
	int64_t created_at;
	int members; /* active members; filled by reads that say so */
};

struct group_member {
	int64_t group_id;
	int64_t user_id;
	char role[12];     /* "owner", "admin", "key_person" or "resident" */
	char function[96]; /* what a key person does here: 包村干部, 村医 ... */
	char state[8];     /* "active", "pending" (awaiting approval) or "left" */
	int64_t joined_at;
	/* of the person, filled by listings */
	char name[128];
	char phone[16];
};

typedef bool (*store_group_fn)(void *ctx, const struct group *g);
typedef bool (*store_member_fn)(void *ctx, const struct group_member *m);

struct group_sync_counts {
	int64_t created, existing;
};

/*
 * Make the standing group of every county, town and village in the
 * registry under `within` that has none yet, named after its region, with a
 * fresh join code, in one transaction.
 */
enum app_err store_groups_sync(struct store *s, const char *within, int64_t now,
			       const struct audit_note *note, struct group_sync_counts *counts,
			       struct app_error *err);
/* Make a group (ad-hoc ones; standing ones come from sync). APP_ECONFLICT
 * when a standing group of that region exists, or the join code is taken. */
enum app_err store_group_create(struct store *s, const struct group *g,
				const struct audit_note *note, int64_t *id, struct app_error *err);
/* One group, with its member count. APP_ENOTFOUND when absent. */
enum app_err store_group_get(struct store *s, int64_t id, struct group *out,
			     struct app_error *err);
/* One group as store_group_get gives it but with members 0: no count, for
 * checks that need what and where it is (the count reads every membership
 * of the group; an ingest call checks up to a thousand groups).
 * APP_ENOTFOUND when absent. */
enum app_err store_group_head(struct store *s, int64_t id, struct group *out,
			      struct app_error *err);
enum app_err store_group_by_join_code(struct store *s, const char *code, struct group *out,
				      struct app_error *err);
/* Change name, approval, duty hours and join code of g->id. */
enum app_err store_group_update(struct store *s, const struct group *g,
				const struct audit_note *note, struct app_error *err);
/* Groups whose region is within `within` ("" all), of kind ("" any), by id
 * after after_id, at most limit, with their member counts. */
enum app_err store_group_list(struct store *s, const char *within, const char *kind,
			      int64_t after_id, int limit, store_group_fn fn, void *ctx,
			      struct app_error *err);

/* Add a member or change their role, function or state. APP_EINVAL when
 * the group or the user does not exist. */
enum app_err store_member_put(struct store *s, const struct group_member *m,
			      const struct audit_note *note, struct app_error *err);
/* APP_ENOTFOUND when the person never was a member. */
enum app_err store_member_get(struct store *s, int64_t group_id, int64_t user_id,
			      struct group_member *out, struct app_error *err);
/* Members of a group in state ("" any), by user id after after_user. */
enum app_err store_group_members(struct store *s, int64_t group_id, const char *state,
				 int64_t after_user, int limit, store_member_fn fn, void *ctx,
				 struct app_error *err);
/* The groups a person belongs to (any state), by group id. */
enum app_err store_member_groups(struct store *s, int64_t user_id, store_member_fn fn,
				 void *ctx, struct app_error *err);

/* One line of a roster: a household and the person who answers for it. */
struct roster_row {
	int line; /* in the file, for errors */
	char name[128];
	char phone[16];
	char id_number[20]; /* "" when not given */
	char address[256];
	bool repeat; /* the phone of an earlier line of the same roster */
};

struct roster_counts {
	int64_t households, users, joined, already; /* already: were members */
};

/*
 * Import a roster into a group in one transaction: per row a household at
 * the group's region and its resident (made unless the phone is known), who
 * joins the group as an active resident. All or nothing: on a conflict
 * (an ID number registered to another phone) the error names the line.
 * The caller marks with repeat each row whose phone an earlier row has:
 * the persons new to the database are written set-based, a few statements
 * for the whole roster, and only the others row by row.
 */
enum app_err store_roster_import(struct store *s, int64_t group_id, const struct roster_row *rows,
				 size_t n, int64_t now, const struct audit_note *note,
				 struct roster_counts *counts, struct app_error *err);

/* ---- duty rota (轮流值班) ---- */

struct duty_override {
	int day; /* yyyymmdd, China time */
	int64_t user_id;
	char reason[128];
};

struct duty_leave {
	int64_t id;
	int64_t user_id;
	int first_day, last_day; /* yyyymmdd, inclusive */
	char reason[128];
};

struct duty_data {
	int64_t weekday_user[7]; /* 0 Monday .. 6 Sunday; 0 when nobody */
	int noverrides, nleaves;
	struct duty_override overrides[64]; /* in the asked range, by day */
	struct duty_leave leaves[64];       /* overlapping the asked range */
};

/* Replace the weekly rotation of a group (users[i] for weekday i, 0 for nobody). */
enum app_err store_duty_rota_set(struct store *s, int64_t group_id, const int64_t users[7],
				 const struct audit_note *note, struct app_error *err);
/* Set one day's override (user_id 0 removes it). */
enum app_err store_duty_override_set(struct store *s, int64_t group_id,
				     const struct duty_override *o, const struct audit_note *note,
				     struct app_error *err);
enum app_err store_duty_leave_add(struct store *s, int64_t group_id, const struct duty_leave *l,
				  const struct audit_note *note, int64_t *id, struct app_error *err);
/* APP_ENOTFOUND when the group has no such leave. */
enum app_err store_duty_leave_remove(struct store *s, int64_t group_id, int64_t leave_id,
				     const struct audit_note *note, struct app_error *err);
/* The rotation, and the overrides and leaves touching days first..last
 * (at most 64 of each: a range of a few weeks). */
enum app_err store_duty_get(struct store *s, int64_t group_id, int first_day, int last_day,
			    struct duty_data *out, struct app_error *err);

/* ---- messages (the talk in service groups) ----
 *
 * A message is stored with its search terms and, in the same transaction,
 * an event on its group's topic ("group:<id>", kind "message") and one on
 * the topic of each mentioned person ("user:<id>", kind "mention"), whose
 * data the caller's json function writes once the message has its id.
 * Messages are never deleted; recalling and hiding change their state.
 */

#define MESSAGE_BODY_MAX 8004 /* 2,000 characters of up to 4 bytes, and a NUL */
#define MESSAGE_MENTIONS_MAX 20
#define ATTACHMENT_SHA_LEN 64 /* hex digits */

/* What the smart patrol judged of a message as it was posted
 * (patrol_judge, src/patrol/judge.h), stored with it: a question starts
 * being watched, a reply ends the watch of what it answers, a flagged
 * message waits in the patrol's inbox. All zero: not judged; then the
 * message waits in the inbox for the sweep to judge. Not read back. */
struct message_patrol {
	bool judged;  /* the fields below were set */
	int64_t due;  /* > 0: watched until then (a resident's question) */
	bool answers; /* a cadre's reply: reply_to is answered if within its window */
	bool flagged; /* words the sweep raises alerts for */
};

struct message {
	int64_t id;
	int64_t group_id;
	char county[7];
	int64_t author_id; /* 0: someone outside bianmin (a bridged message) */
	char author_name[128];
	char kind[12]; /* "text", "image" or "broadcast" */
	int64_t reply_to; /* 0 when none */
	int nmentions;
	int64_t mentions[MESSAGE_MENTIONS_MAX];
	char attachment[ATTACHMENT_SHA_LEN + 1]; /* "" when none */
	int64_t broadcast_id; /* 0 when none */
	char state[10];         /* "visible", "recalled" or "hidden" */
	char state_reason[256]; /* why it was hidden */
	char source[8];         /* "app" or "bridge" */
	int64_t at;
	struct message_patrol patrol; /* written, never read back */
	/* last: the other fields share a page or two, so clearing them
	 * (offsetof(struct message, body)) and a short text stay cheap */
	char body[MESSAGE_BODY_MAX];
};

typedef bool (*store_message_fn)(void *ctx, const struct message *m);
/* Write the JSON of m (one line, an object) for its events. */
typedef void (*store_message_json_fn)(const struct message *m, struct strbuf *out);

/* Store m (its id is set here, and its at when 0) with its terms, its
 * events and what m->patrol says. */
enum app_err store_message_post(struct store *s, struct message *m, store_message_json_fn json,
				struct app_error *err);
/* The end of an asynchronous write: rc APP_OK once it is durable, else rc
 * and err say why nothing was stored. */
typedef void (*store_done_fn)(void *ctx, enum app_err rc, const struct app_error *err);
/*
 * As store_message_post, without waiting where the backend has a writer
 * queue (SQLite): the write joins the next group commit and done(ctx, ...)
 * is called exactly once, from the writer's thread, when it is durable or
 * failed; m, which must live until then, has its id then. done must be
 * quick and must not call the store. Without a queue (PostgreSQL: each
 * connection commits alone) m is stored here and done called before return.
 */
void store_message_post_async(struct store *s, struct message *m, store_message_json_fn json,
			      store_done_fn done, void *ctx);
/* APP_ENOTFOUND when absent. */
enum app_err store_message_get(struct store *s, int64_t id, struct message *out,
			       struct app_error *err);
/*
 * Messages of a group: with after >= 0 those with id > after, oldest
 * first (catching up); with after < 0 the newest with id < before (0: no
 * bound), newest first (scrolling back). At most limit.
 */
enum app_err store_messages_list(struct store *s, int64_t group_id, int64_t after,
				 int64_t before, int limit, store_message_fn fn, void *ctx,
				 struct app_error *err);
/* Change m's state ("recalled", "hidden", "visible") and reason, with its
 * audit entry and a "message.changed" event on the group's topic. */
enum app_err store_message_set_state(struct store *s, const struct message *m,
				     const struct audit_note *note, store_message_json_fn json,
				     struct app_error *err);

/* Whose messages a search may return. */
struct message_scope {
	int nregions;
	const char *regions[4]; /* groups whose region is within one of these */
	int64_t member;         /* or groups this user is an active member of (0: none) */
};

/* Visible messages whose text matches every term of query (a phrase per
 * run of characters), newest first, at most limit. APP_EINVAL when the
 * query has no searchable term. */
enum app_err store_messages_search(struct store *s, const char *query,
				   const struct message_scope *scope, int64_t group_id, int limit,
				   store_message_fn fn, void *ctx, struct app_error *err);

struct ingest_counts {
	int64_t stored, repeated; /* repeated: keys seen before, ignored */
};

/* Write message i of an ingest call into m (every field: m holds the
 * previous one). Called once per new key, inside the ingest's
 * transaction: on SQLite on the store's writer thread, on PostgreSQL on
 * the caller's thread. It must not call the store (on SQLite it would wait
 * forever for the writer it runs on); ctx must stay valid until
 * store_messages_ingest() returns. */
typedef void (*store_ingest_fill_fn)(void *ctx, size_t i, struct message *m);

/*
 * Store n messages at once, each with an idempotency key (keys[i]): a key
 * seen before is skipped and counted, never stored twice; for a new one
 * fill(ctx, i, m) writes the message into the store's own struct (a call
 * need not hold a thousand 8 KiB structs). One transaction: all or nothing
 * (on an error counts is all zero: nothing was kept).
 */
enum app_err store_messages_ingest(struct store *s, const char *const *keys, size_t n,
				   store_ingest_fill_fn fill, void *ctx,
				   store_message_json_fn json, struct ingest_counts *counts,
				   struct app_error *err);

/*
 * The queue of bulk ingest (src/groups/ingest.c): a call is taken
 * now and its messages stored later. Taking records the n keys as
 * store_messages_ingest does (a repeat is counted and dropped) and keeps
 * the items of the new keys (item[i], item_len[i] bytes: message i
 * encoded, opaque here) together as one pending call, in one transaction:
 * all or nothing. *call_id is the pending call's id, 0 when every key was
 * a repeat (nothing is kept).
 */
enum app_err store_ingest_queue(struct store *s, const char *const *keys,
				const void *const *item, const size_t *item_len, size_t n,
				struct ingest_counts *counts, int64_t *call_id,
				struct app_error *err);

/* A pending call: its items one after the other, as store_ingest_queue
 * kept them. */
struct ingest_call {
	int64_t id, at; /* at: when it was taken */
	int64_t messages;
	const void *body;
	size_t len;
};
/* Told each pending call, oldest first; body lives until it returns;
 * false stops. */
typedef bool (*store_ingest_call_fn)(void *ctx, const struct ingest_call *call);
enum app_err store_ingest_pending(struct store *s, store_ingest_call_fn fn, void *ctx,
				  struct app_error *err);

/* The queue's size: messages pending, the oldest pending call's at (0 when
 * none), and calls set aside because they could not be loaded. */
struct ingest_backlog {
	int64_t messages, oldest_at, failed;
};
enum app_err store_ingest_backlog(struct store *s, struct ingest_backlog *out,
				  struct app_error *err);

/*
 * Store the messages of ncalls pending calls in one transaction: call k
 * (calls[k]) holds messages first[k] to first[k + 1] - 1 (first has
 * ncalls + 1 entries), each filled by fill(ctx, i, m) as in
 * store_messages_ingest. A call is deleted in the same transaction; one no
 * longer pending (another node loaded it) is skipped and loaded[k] false.
 * An error stores nothing and deletes nothing.
 */
enum app_err store_ingest_load(struct store *s, const int64_t *calls, const size_t *first,
			       size_t ncalls, store_ingest_fill_fn fill, void *ctx,
			       store_message_json_fn json, bool *loaded, struct app_error *err);

/* Set pending call id aside, with why it cannot be loaded (kept, never
 * deleted: an operator reads it with the database's own tools);
 * APP_ENOTFOUND when it is not pending (loaded, or set aside already). */
enum app_err store_ingest_fail(struct store *s, int64_t id, const char *reason,
			       struct app_error *err);

struct broadcast_delivery {
	int64_t group_id;
	char group_name[REGION_NAME_MAX];
	int64_t message_id;
};
typedef bool (*store_delivery_fn)(void *ctx, const struct broadcast_delivery *d);

/*
 * A policy broadcast from group m->group_id to it and every standing group
 * whose region is within `within`, as one transaction: a message of kind
 * "broadcast" in each, its events, and a delivery row per group.
 * *broadcast_id and *groups receive the broadcast and how many got it.
 */
enum app_err store_broadcast(struct store *s, struct message *m, const char *within,
			     const struct audit_note *note, store_message_json_fn json,
			     int64_t *broadcast_id, int64_t *groups, struct app_error *err);
/* The deliveries of a broadcast, by group id. APP_ENOTFOUND when none. */
enum app_err store_broadcast_deliveries(struct store *s, int64_t broadcast_id,
					int64_t *from_group, store_delivery_fn fn, void *ctx,
					struct app_error *err);

struct attachment {
	char sha256[ATTACHMENT_SHA_LEN + 1];
	int64_t group_id;
	char mime[32];
	int64_t size;
	int64_t uploader;
	int64_t at;
};

/* Record an image sent to a group (its file is already on disk); the same
 * image sent to one group twice is one row (the first upload's). */
enum app_err store_attachment_put(struct store *s, const struct attachment *a,
				  struct app_error *err);
/* Whether a visible message of group_id shows the image sha256. */
enum app_err store_attachment_shown(struct store *s, const char *sha256, int64_t group_id,
				    bool *shown, struct app_error *err);
/* The image sha256 as sent to group_id. APP_ENOTFOUND when it was not. */
enum app_err store_attachment_get(struct store *s, const char *sha256, int64_t group_id,
				  struct attachment *out, struct app_error *err);

/* ---- the working-day calendar (admin imports) ----
 *
 * Days an admin imported over the calendar compiled into the binary
 * (core/calendar.h): public holidays and make-up workdays of later years,
 * or corrections. One row per day: a later import of a day replaces it.
 * Kinds are stored as the words "holiday" and "workday"; core/calendar.c
 * decides what they mean.
 */

struct calendar_row {
	int day;       /* yyyymmdd, China time, 2000 to 2099 */
	char kind[8];  /* "holiday" or "workday" */
	char name[CALENDAR_NAME_MAX]; /* 春节, 国庆节 ... */
	int64_t imported_at;
	char imported_by[64]; /* the actor: "cli:root" */
};

typedef bool (*store_calendar_fn)(void *ctx, const struct calendar_row *r);

/* Store n (>= 1) rows and the note's audit entry in one transaction, each
 * row replacing what was stored for its day. All or nothing: APP_EINVAL
 * when a value is refused (a kind, a day outside 2000..2099, an empty
 * name) and nothing changes. */
enum app_err store_calendar_put(struct store *s, const struct calendar_row *rows, size_t n,
				const struct audit_note *note, struct app_error *err);
/* The stored rows dated in the years first_year..last_year, by day. */
enum app_err store_calendar_list(struct store *s, int first_year, int last_year,
				 store_calendar_fn fn, void *ctx, struct app_error *err);

/* ---- cases (demands, and later other case types) ----
 *
 * The store keeps what the case engine (src/cases) decides: the case row,
 * its clocks, its timeline, and the events telling people about it, all in
 * one transaction. Changes are optimistic: an update names the version it
 * was computed from and is refused (APP_ECONFLICT) when the row has moved
 * on. next_check (0: none) is indexed, so the sweep reads only the cases
 * whose clocks need a look, never all of them. Nothing is deleted.
 */

#define CASE_CLOCKS_MAX 4
#define CASE_TEXT_BYTES 16004 /* 4,000 characters of up to 4 bytes, and a NUL */

struct case_clock_row {
	char name[12];   /* "ack", "resolve", "arrive", "followup" */
	char status[12]; /* "idle", "running", "paused", "met", "missed" */
	int64_t started, used, warn_at, due, stopped;
	bool warned;
};

struct case_row {
	int64_t id;
	char type[16]; /* "demand" */
	int version;
	char state[24];
	int level;
	char region[16];    /* the village (or town, county) it concerns */
	char county[7];     /* derived from region by the store */
	int64_t group_id;   /* the service group that answers for it, 0 when none */
	char category[32];  /* a code of the category tree */
	char urgency[12];   /* "emergency", "utilities", "general", "complex" */
	char title[256];
	char description[CASE_TEXT_BYTES];
	char address[256];
	double lat, lon;    /* 0, 0 when not given */
	bool located;       /* lat/lon given */
	char contact_name[128];
	char contact_phone[32];
	int64_t resident_id;  /* who raised it (an account), 0 when none */
	char source[12];      /* "app", "message", "open311" */
	int64_t source_message_id; /* the group message it came from, 0 when none */
	int64_t assignee_user, assignee_group;
	char unit[64];
	int64_t first_receiver;
	int returns, whistles, transfers, reopens, escalations;
	int64_t merged_into;  /* 0 when not merged */
	char rating[16];      /* follow-up: "satisfied", "fair", "dissatisfied", "" */
	int64_t created_at, updated_at, closed_at; /* closed_at 0 while open */
	int64_t next_check;   /* when the sweep must look again, 0: never */
	int nclocks;
	struct case_clock_row clocks[CASE_CLOCKS_MAX];
};

/* One line of a case's timeline. */
struct case_event_row {
	int64_t id, case_id, at;
	int64_t actor;       /* user id, 0: the system (the sweep) */
	char action[32];     /* "acknowledge", "clock.missed", "escalated", ... */
	char from_state[24], to_state[24]; /* from_state "" for the opening */
	char clock[12];      /* "" when none */
	int level;
	char detail[2048];
};

typedef bool (*store_case_fn)(void *ctx, const struct case_row *c);
typedef bool (*store_case_event_fn)(void *ctx, const struct case_event_row *e);

/*
 * Store a new case (c->id and c->county are set here) with its clocks, its
 * first timeline lines (their case_id is set here), its audit entry and its
 * events (each event's data may contain "{id}", replaced by the new id).
 * "{id}" is replaced likewise in each event's topic and subject and in the
 * note's object and summary, which cannot name the case otherwise.
 * APP_EINVAL when c->region is not in the registry.
 */
enum app_err store_case_insert(struct store *s, struct case_row *c,
			       const struct case_event_row *steps, int nsteps,
			       const struct audit_note *note, const struct event_note *events,
			       int nevents, struct app_error *err);
/*
 * Store c as changed from version c->version - 1: its row and clocks, the
 * new timeline lines, the audit entry and the events, in one transaction.
 * APP_ECONFLICT when the stored case is not at that version (someone
 * changed it since it was read); APP_ENOTFOUND when there is no such case;
 * APP_EINVAL when c->region is not in the registry.
 */
enum app_err store_case_update(struct store *s, const struct case_row *c,
			       const struct case_event_row *steps, int nsteps,
			       const struct audit_note *note, const struct event_note *events,
			       int nevents, struct app_error *err);
/* One change of store_case_update_many: what store_case_update takes, and
 * how storing it went (set by the store). */
struct case_change {
	const struct case_row *k;
	const struct case_event_row *steps;
	int nsteps;
	const struct audit_note *note;
	const struct event_note *events;
	int nevents;
	enum app_err result;
	struct app_error err;
};
/*
 * Store n changes, each as store_case_update would, in one durable
 * transaction (one flush for them all) where each stands alone: a change
 * refused (a stale version, no such case) is left out and the others are
 * stored. Each ch[i].result says how it went (a transaction that failed as
 * a whole fails them all). APP_OK, or APP_EUNAVAIL when the database could
 * not be reached (then too in every result).
 */
enum app_err store_case_update_many(struct store *s, struct case_change *ch, int n);
/* APP_ENOTFOUND when absent. Clocks come back in name order. */
enum app_err store_case_get(struct store *s, int64_t id, struct case_row *out,
			    struct app_error *err);
/* The cases of ids[0..n) that exist, each handed to fn (in no set order)
 * until it returns false: one read for many, as the sweep needs them. */
enum app_err store_cases_get_many(struct store *s, const int64_t *ids, int n, store_case_fn fn,
				  void *ctx, struct app_error *err);
/* The timeline of a case, oldest first. */
enum app_err store_case_events(struct store *s, int64_t case_id, store_case_event_fn fn,
			       void *ctx, struct app_error *err);
/* Ids of the cases whose next_check is due at now (0 < next_check <= now),
 * earliest first, at most limit: what the sweep must look at. */
enum app_err store_cases_due(struct store *s, int64_t now, int limit, int64_t *ids, int *n,
			     struct app_error *err);

struct case_query {
	const char *type;     /* required */
	int nregions;
	const char *regions[4]; /* cases whose region is within one of these */
	int64_t resident_id;  /* or raised by this person (0: not this way) */
	const char *state;    /* "" or NULL: any; "open": not closed or merged;
			       * "ended": closed or merged */
	const char *category; /* "" or NULL: any */
	const char *region;   /* "" or NULL: any; else within this region too */
	int64_t since;        /* created at or after (0: any) */
	int64_t until;        /* created before (0: no bound) */
	int64_t before_id;    /* paging: ids below this (0: no bound) */
	int limit;
};

/* Cases matching q, newest first. */
enum app_err store_cases_list(struct store *s, const struct case_query *q, store_case_fn fn,
			      void *ctx, struct app_error *err);

/* Timeline lines of many cases in a window of time (what changed lately:
 * Open311's servicerequestupdates). */
struct case_event_query {
	const char *type;    /* required: lines of cases of this type */
	const char *region;  /* required: of cases within this region */
	int64_t from, until; /* lines at in [from, until) */
	int limit;           /* at most this many (1 or more) */
};

/* The lines of q, oldest first (by time, then id). The read walks an index
 * on the lines' time, so it reads the window, not every case's timeline. */
enum app_err store_case_events_between(struct store *s, const struct case_event_query *q,
				       store_case_event_fn fn, void *ctx, struct app_error *err);

/* ---- what hangs off a case: its photos, the message it was raised from ----
 *
 * A photo's bytes are a file on disk (src/groups/images.c); the store
 * records which case shows it. Adding one writes, in one transaction, its
 * row, a line of the case's timeline, the audit entry and the events; the
 * number of photos a case may have is checked in that transaction, so two
 * uploads at once cannot pass it. Nothing is deleted.
 */

struct case_photo {
	int64_t case_id;
	char sha256[ATTACHMENT_SHA_LEN + 1];
	char mime[32];
	int64_t size;     /* bytes */
	int64_t added_by; /* a user id */
	int64_t added_at;
};

typedef bool (*store_case_photo_fn)(void *ctx, const struct case_photo *p);

/*
 * Record photo p of case p->case_id (its file is already on disk) unless
 * the case shows it already: then *out is the photo as first added, *added
 * is false and nothing is written. Otherwise the row, the timeline line
 * `line` (its case_id, states and level are set here from the case as it
 * stands), the audit entry and the events are stored and *out is p.
 * APP_ENOTFOUND when there is no such case; APP_ECONFLICT when it has `max`
 * photos already.
 */
enum app_err store_case_photo_add(struct store *s, const struct case_photo *p, int max,
				  const struct case_event_row *line, const struct audit_note *note,
				  const struct event_note *events, int nevents,
				  struct case_photo *out, bool *added, struct app_error *err);
/* The photos of a case in the order they were added. */
enum app_err store_case_photos(struct store *s, int64_t case_id, store_case_photo_fn fn,
			       void *ctx, struct app_error *err);
/* Photo sha256 of a case. APP_ENOTFOUND when the case does not show it. */
enum app_err store_case_photo_get(struct store *s, int64_t case_id, const char *sha256,
				  struct case_photo *out, struct app_error *err);
/* The case raised from group message message_id; *id is 0 when none. */
enum app_err store_case_of_message(struct store *s, int64_t message_id, int64_t *id,
				   struct app_error *err);

/* ---- what a county configures for its cases ----
 *
 * A county's settings (the limits of the demand clocks and the like, kept
 * as written: "3m", "7wd"; src/cases/case_settings.h says what they mean)
 * and its category tree, each write bumping the county's version in the
 * same transaction, so that a process may keep a county's settings in
 * memory as long as store_case_settings_version() says the same. A county
 * with no rows runs on the built-in defaults.
 */

#define CASE_SETTING_NAME_MAX 32  /* bytes, including the NUL */
#define CASE_SETTING_VALUE_MAX 32 /* bytes, including the NUL */
#define CASE_CATEGORY_CODE_MAX 32 /* bytes, including the NUL (case_row.category) */
#define CASE_CATEGORY_NAME_MAX 128 /* bytes, including the NUL */

struct case_setting_row {
	char name[CASE_SETTING_NAME_MAX];
	char value[CASE_SETTING_VALUE_MAX];
	char set_by[64]; /* the actor: "cli:root" */
	int64_t set_at;
};

struct case_category_row {
	char code[CASE_CATEGORY_CODE_MAX];
	char parent[CASE_CATEGORY_CODE_MAX]; /* "" for a top category */
	char name[CASE_CATEGORY_NAME_MAX];
	char urgency[12]; /* "emergency", "utilities", "general", "complex" */
	int sort;         /* the order of the tree, parents before children */
	bool active;      /* false: kept for the demands that have it, not offered */
};

typedef bool (*store_case_setting_fn)(void *ctx, const struct case_setting_row *r);
typedef bool (*store_case_category_fn)(void *ctx, const struct case_category_row *r);

/* The version of county's settings and categories: 0 when nothing was ever
 * set or imported for it. One indexed read: the freshness check. */
enum app_err store_case_settings_version(struct store *s, const char *county, int64_t *version,
					 struct app_error *err);
/*
 * What is stored for county: *version, then every setting (by name) to
 * sfn and every category (by sort) to cfn. The version is read first, so
 * rows written meanwhile come with an older version and are read again at
 * the next check, never the reverse.
 */
enum app_err store_case_settings_load(struct store *s, const char *county, int64_t *version,
				      store_case_setting_fn sfn, store_case_category_fn cfn,
				      void *ctx, struct app_error *err);
/* Store n (>= 1) settings of county, each replacing the stored value of
 * its name, with the note's audit entry and a new version, in one
 * transaction. APP_EINVAL (nothing changes) for an empty name or value. */
enum app_err store_case_settings_put(struct store *s, const char *county,
				     const struct case_setting_row *rows, size_t n,
				     const struct audit_note *note, struct app_error *err);
/*
 * Replace county's category tree by rows[0..n) (n >= 1), with the note's
 * audit entry and a new version, in one transaction. APP_ECONFLICT when a
 * case of the county that is not closed or merged has a category the new
 * tree lacks (the message names it; a category in use is deactivated, not
 * removed); APP_EINVAL for a value the table refuses (an urgency, an empty
 * name) or a code twice. Nothing changes on failure.
 */
enum app_err store_case_categories_put(struct store *s, const char *county,
				       const struct case_category_row *rows, size_t n,
				       const struct audit_note *note, struct app_error *err);

/* ---- the smart patrol (src/patrol) ----
 *
 * What the patrol sweep reads since its last run and what it keeps: a
 * watermark per kind of finding (store_patrol_mark), the residents'
 * questions awaiting a cadre's answer (the watch list), and the alerts it
 * raises. A sweep's step is saved by store_patrol_save() in one
 * transaction: its watch changes, its new alerts (each stored once per kind
 * and object, with an event on the alert's topic) and its new watermarks,
 * or none of them. No rules here: src/patrol/patrol.c decides what is found.
 */

#define ALERT_KIND_MAX 24
#define ALERT_OBJECT_MAX 48
#define ALERT_SUMMARY_MAX 1024

struct alert {
	int64_t id;
	char kind[ALERT_KIND_MAX];     /* "unanswered", "emergency", ... (patrol.h) */
	char object[ALERT_OBJECT_MAX]; /* what it is about: "message:12", "demand:3:ack" */
	char region[DIVISION_CODE_MAX + 1];     /* where it happened */
	char supervisor[DIVISION_CODE_MAX + 1]; /* the level it is addressed to */
	int64_t group_id;              /* the service group, 0 when none */
	int severity;                  /* 1 note, 2 warning, 3 urgent */
	char summary[ALERT_SUMMARY_MAX];
	char state[16];                /* "open", "acknowledged", "closed" */
	int64_t found_at, acknowledged_at, acknowledged_by;
};
typedef bool (*store_alert_fn)(void *ctx, const struct alert *a);
/* Write the JSON of a (one line, an object) for its events. */
typedef void (*store_alert_json_fn)(const struct alert *a, struct strbuf *out);

/* A message as the patrol reads it: with its group and its author's role. */
struct patrol_message {
	struct message m; /* the fields the inbox holds (migration 0025); the others zero */
	char author_role[12]; /* the author's role in the group now, "" when not a member */
	char group_kind[8];
	char group_region[DIVISION_CODE_MAX + 1];
	int duty_start, duty_end; /* the group's duty hours, minutes of the day */
	bool judged; /* judged as it was posted (struct message_patrol): only its
		      * words are left to look at */
};
typedef bool (*store_patrol_message_fn)(void *ctx, const struct patrol_message *m);

/* A question watched until answered or due. */
struct patrol_watch {
	int64_t message_id, group_id;
	int64_t at;  /* when it was asked; for an answer: when it was answered */
	int64_t due; /* when its acknowledgement window ends */
};
/* A watched question that is due, as the patrol judges it. */
struct patrol_due {
	struct patrol_watch w;
	struct message m; /* the question; m.id 0 when it is gone */
	char group_name[REGION_NAME_MAX];
	char group_region[DIVISION_CODE_MAX + 1];
};
typedef bool (*store_patrol_due_fn)(void *ctx, const struct patrol_due *d);

/* A line of a demand's timeline that the patrol reports, with its demand. */
struct patrol_case_line {
	struct case_event_row e;
	char region[16];
	int64_t group_id;
	char title[256];
};
typedef bool (*store_patrol_case_line_fn)(void *ctx, const struct patrol_case_line *l);

/* A demand the patrol reads once, with who raised it. */
struct patrol_demand {
	int64_t id, group_id, created_at;
	int64_t resident_id;  /* who raised it (an account), 0 when unknown */
	int64_t household_id; /* that person's household, 0 when none */
	char region[16];
	char category[32];
	char title[256];
};
typedef bool (*store_patrol_demand_fn)(void *ctx, const struct patrol_demand *d);

/* Demands of one person's household about one category raised in a window,
 * counted by store_patrol_repeats. */
struct patrol_repeat_query {
	int64_t household_id; /* the household's members' demands (0: none) */
	int64_t resident_id;  /* and this person's, household or not */
	const char *category;
	int64_t since;        /* raised at or after */
	int64_t upto_id;      /* with an id at most this (the demand counted last) */
};

#define PATROL_MARKS_MAX 4
struct patrol_save {
	const struct patrol_watch *watch; /* start watching these */
	int nwatch;
	const struct patrol_watch *answered; /* message_id answered at `at`: watched no more
					      * when that is within its window */
	int nanswered;
	const int64_t *done; /* watched no more (found, or nothing to answer) */
	int ndone;
	const int64_t *read; /* messages of the inbox looked at: out of it */
	int nread;
	struct alert *alerts; /* to raise; the store sets id, state and, for one
			       * raised before, the stored row's fields */
	bool *raised;         /* per alert: new (true) or raised before (false) */
	int nalerts;
	store_alert_json_fn json;
	int nmarks;
	const char *mark_kinds[PATROL_MARKS_MAX];
	int64_t marks[PATROL_MARKS_MAX];
};

/* The watermark of kind, 0 when never set. */
enum app_err store_patrol_mark(struct store *s, const char *kind, int64_t *out,
			       struct app_error *err);
/* Messages waiting in the patrol's inbox (struct message_patrol) with id >
 * after, oldest first, at most limit. */
enum app_err store_patrol_messages(struct store *s, int64_t after, int limit,
				   store_patrol_message_fn fn, void *ctx, struct app_error *err);
/* Watched questions due at now (due <= now), earliest first, at most limit,
 * each with its message and its group's name and region (one read for all). */
enum app_err store_patrol_due(struct store *s, int64_t now, int limit, store_patrol_due_fn fn,
			      void *ctx, struct app_error *err);
/* Timeline lines of demands with id > after whose action is "clock.warning"
 * or "clock.missed", oldest first, at most limit (an index on the id). */
enum app_err store_patrol_case_lines(struct store *s, int64_t after, int limit,
				     store_patrol_case_line_fn fn, void *ctx,
				     struct app_error *err);
/* A standing group as the duty check reads it: id, kind, region, name and
 * duty hours only (no member count: the duty check reads every group each
 * minute), and whether it has any duty set: a rota, an override or a leave
 * of any day (without any, nobody is ever on duty: no need to read them). */
struct patrol_group {
	struct group g;
	bool duty_set;
};
typedef bool (*store_patrol_group_fn)(void *ctx, const struct patrol_group *pg);
/* The standing groups (county, town, village; not ad hoc) with id > after,
 * by id, at most limit. */
enum app_err store_patrol_groups(struct store *s, int64_t after, int limit,
				 store_patrol_group_fn fn, void *ctx, struct app_error *err);
/* Demands with id > after raised by a known person (resident_id set),
 * oldest first, at most limit, each with the person's household. */
enum app_err store_patrol_demands(struct store *s, int64_t after, int limit,
				  store_patrol_demand_fn fn, void *ctx, struct app_error *err);
/* How many demands q matches (see struct patrol_repeat_query), into *out. */
enum app_err store_patrol_repeats(struct store *s, const struct patrol_repeat_query *q,
				  int64_t *out, struct app_error *err);
/* Audit entries with id > after of action "message.hide", oldest first, at
 * most limit. */
enum app_err store_patrol_hides(struct store *s, int64_t after, int limit, store_audit_fn fn,
				void *ctx, struct app_error *err);
/* Save one step of a sweep (see struct patrol_save) in one transaction. */
enum app_err store_patrol_save(struct store *s, struct patrol_save *ps, struct app_error *err);

struct alert_query {
	int nregions;
	const char *regions[4]; /* alerts addressed to a region within one of these */
	const char *state;      /* NULL or "": any */
	const char *kind;       /* NULL or "": any */
	int64_t before_id;      /* paging: ids below this (0: no bound) */
	int limit;
};
/* Alerts matching q, newest first. */
enum app_err store_alerts_list(struct store *s, const struct alert_query *q, store_alert_fn fn,
			       void *ctx, struct app_error *err);
/* APP_ENOTFOUND when absent. */
enum app_err store_alert_get(struct store *s, int64_t id, struct alert *out,
			     struct app_error *err);
/* Mark a acknowledged by user at `at` (a->state "open" as read), with the
 * note's audit entry and an event: APP_ECONFLICT when it is no longer open.
 * *a receives the stored row. */
enum app_err store_alert_acknowledge(struct store *s, struct alert *a, int64_t user, int64_t at,
				     const struct audit_note *note, store_alert_json_fn json,
				     struct app_error *err);
/* Close a (dealt with) by user at `at`, with the note's audit entry and an
 * event: APP_ECONFLICT when it is closed already. *a receives the row. */
enum app_err store_alert_close(struct store *s, struct alert *a, int64_t user, int64_t at,
			       const struct audit_note *note, store_alert_json_fn json,
			       struct app_error *err);

/* ---- 督办: reminders and 通报 (src/patrol/supervise.c) ----
 *
 * A supervision is a reminder (催办) on one alert or demand, with its
 * deadline; the check settles it once: "resolved" (its item was done by
 * the deadline) or "noticed" (listed in the 通报 of period). Each write
 * carries its audit entry and its event, and on a demand a line on the
 * demand's timeline, in the same transaction. No rules here.
 */
#define SUPERVISION_NOTE_MAX 1024

struct supervision {
	int64_t id;
	char kind[8]; /* "alert" or "case" */
	int64_t item_id;
	char region[DIVISION_CODE_MAX + 1]; /* where the item is */
	int64_t group_id;                   /* the item's service group, 0 when none */
	char note[SUPERVISION_NOTE_MAX];
	int days; /* working days given */
	int64_t issued_by, issued_at, deadline;
	char state[12]; /* "open", "resolved", "noticed" */
	int64_t acknowledged_at, acknowledged_by, settled_at;
	char period[8]; /* "2026-11" once noticed */
	int64_t notice_ack_at, notice_ack_by;
};
typedef bool (*store_supervision_fn)(void *ctx, const struct supervision *v);
/* An open supervision and when its item was done (resolved or closed), 0
 * when it is not. */
typedef bool (*store_supervision_open_fn)(void *ctx, const struct supervision *v,
					  int64_t done_at);

/* What a supervision's write records besides its row: the audit entry, an
 * event (NULL: none) and, for a demand, the action of a line on its
 * timeline (NULL: none) by user at the write's time. */
struct supervision_write {
	const struct audit_note *note;
	const struct event_note *event;
	const char *timeline;
	int64_t user, at;
};

/* Store v (its id is set). APP_ENOTFOUND when a demand it names is gone. */
enum app_err store_supervision_insert(struct store *s, struct supervision *v,
				      const struct supervision_write *w, struct app_error *err);
/* APP_ENOTFOUND when absent. */
enum app_err store_supervision_get(struct store *s, int64_t id, struct supervision *out,
				   struct app_error *err);
/* Record w->user's acknowledgement at w->at of the reminder (notice false)
 * or of its 通报 (notice true); *out receives the row. APP_ECONFLICT when
 * it was acknowledged before or (notice) is not listed. */
enum app_err store_supervision_acknowledge(struct store *s, int64_t id, bool notice,
					   const struct supervision_write *w,
					   struct supervision *out, struct app_error *err);
/* The open supervisions of id above after_id, by id, at most limit. */
enum app_err store_supervisions_open(struct store *s, int64_t after_id, int limit,
				     store_supervision_open_fn fn, void *ctx, struct app_error *err);
/* Settle open supervision id as state ("resolved" or "noticed" in period)
 * at w->at. APP_ECONFLICT when it is not open any more. */
enum app_err store_supervision_settle(struct store *s, int64_t id, const char *state,
				      const char *period, const struct supervision_write *w,
				      struct app_error *err);
/* The supervisions noticed in period whose item is within region, by id. */
enum app_err store_supervision_notices(struct store *s, const char *period, const char *region,
				       store_supervision_fn fn, void *ctx, struct app_error *err);

/* ---- statistics of demands (src/patrol/stats.c) ----
 *
 * The figures behind the rates of docs/patrol.md "Statistics", computed
 * set-wise by the database over one period and grouped by a prefix of the
 * region code (a village, a town, or the region itself). The store counts;
 * src/patrol/stats.c turns the counts into rates and says what they mean.
 */

struct stats_query {
	const char *region; /* the subtree counted */
	int unit_digits;    /* group by the first unit_digits of a region code */
	int64_t from, to;   /* demands raised, messages posted in [from, to) */
	bool total;         /* also the whole subtree's rows, as unit NULL */
};

/* What each part's rows carry after their unit (docs/patrol.md):
 * COUNTS: demands, responded, resolved, rated, satisfied, first_line,
 *         returned, whistled, overdue (STATS_COUNTS_N values);
 * TIMES:  rank, count, seconds: the first-response times (raise to first
 *         acknowledgement) ranked within the unit, only the rows whose rank
 *         is ceil(count * 50 / 100) or ceil(count * 90 / 100);
 * TALK:   valid interactions (one value). */
enum stats_part { STATS_PART_COUNTS, STATS_PART_TIMES, STATS_PART_TALK, STATS_PART__MAX };
#define STATS_COUNTS_N 9
typedef void (*store_stats_part_fn)(void *ctx, enum stats_part part, const char *unit,
				    const int64_t *v, int n);

/*
 * Run the three parts of q, handing each row to fn. COUNTS and TIMES come
 * from the rollup (below) in one pass, in unit order, their rows
 * interleaved: a unit's COUNTS row (only when it has demands), then its
 * TIMES rows (none without an acknowledged demand; one when its median and
 * p90 are the same rank); then TALK, from the messages, in unit order.
 * With q->total the whole subtree's rows (unit NULL) also come, after all
 * the units' rows of their part, read in the same pass: up to two TIMES
 * rows, ranked over all the units' times together (not from their
 * medians), then one COUNTS and one TALK row, the units' values summed;
 * none of a part where no unit had a row of it.
 * On an error, rows read before it may have been handed on (the caller
 * drops them); the totals are not.
 * APP_EINVAL when q is malformed or its period does not start and end at
 * midnight in China time (the rollup's grain is a day).
 */
enum app_err store_stats_read(struct store *s, const struct stats_query *q,
			      store_stats_part_fn fn, void *ctx, struct app_error *err);

/*
 * The rollup (migration 0019): per region and day of raising, the sums of
 * the contributions of the demands raised there. Each change of a case
 * adds contribution(after) - contribution(before) in its transaction.
 * The contribution is computed here, in one place for both backends, from
 * the case row and the facts of its timeline.
 */

/* What a case's timeline says that its row does not. */
struct stats_facts {
	bool acknowledged;   /* an "acknowledge" line */
	int64_t first_ack;   /* the earliest one's time, when acknowledged */
	bool missed_ack;     /* a "clock.missed" line of clock "ack" */
	bool missed_resolve; /* a "clock.missed" line of clock "resolve" */
};

/* The facts f updated with the new timeline lines steps[0..n). */
void store_stats_facts_add(struct stats_facts *f, const struct case_event_row *steps, int n);

/* What one demand adds to the row (region, day) of the rollup. */
struct stats_contrib {
	char region[16];
	int64_t day;               /* 00:00 China time of the day it was raised */
	int64_t n[STATS_COUNTS_N]; /* 0 or 1 each, in the order of the COUNTS part */
	bool acknowledged;         /* with a first-response time: */
	int64_t ack_seconds;       /* its seconds, 0 when not acknowledged */
};

/* The contribution of case k with facts f into *out; false (and *out
 * untouched) when k counts nowhere (not a demand, or merged). */
bool store_stats_contribution(const struct case_row *k, const struct stats_facts *f,
			      struct stats_contrib *out);

/* The lower end of the first-response bucket of secs as the rollup keeps
 * it: to the second under one hour, to the minute under a day, to the hour
 * under 365 days, 31536000 beyond. */
int64_t store_stats_bucket(int64_t secs);

/* A difference found by store_stats_verify, said in one line. */
typedef void (*store_stats_diff_fn)(void *ctx, const char *line);

/* Recompute the rollup from the demands and compare it with the stored
 * one, handing each differing (region, day) to fn; *diffs receives their
 * number. */
enum app_err store_stats_verify(struct store *s, store_stats_diff_fn fn, void *ctx,
				int64_t *diffs, struct app_error *err);

/* Replace the rollup by one recomputed from the demands, in one
 * transaction. */
enum app_err store_stats_rebuild(struct store *s, struct app_error *err);

/* ---- figures for /metrics ---- */

struct store_stats {
	uint64_t commits;        /* write transactions committed */
	uint64_t write_jobs;     /* writes carried by those commits */
	uint64_t write_failures; /* writes that were rolled back */
	uint64_t commit_us;      /* time spent committing, in microseconds */
	uint64_t max_batch;      /* most writes carried by one commit */
	uint64_t readers;        /* read connections open */
	uint64_t readers_max;    /* most read connections open at once, past which a
				  * read waits for a busy one (0: no such bound) */
	uint64_t reader_waits;   /* reads that waited for a read connection */
	uint64_t db_bytes;       /* size of the database */
	uint64_t search_lag;     /* messages stored but not yet findable (0 when the
				  * backend indexes them as it stores them) */
	uint64_t roster_fallbacks; /* roster imports whose new persons were written
				    * line by line, the set-based step refused */
};

void store_stats(struct store *s, struct store_stats *out);

/* ---- the data-sharing exchange (sqlite_exchange.c, pg_exchange.c) ----
 * Members (agencies) with their Ed25519 public keys, datasets, the batches
 * providers upload, subscriptions and push attempts (docs/exchange.md).
 * Rules live in src/exchange: this layer only stores and reads, each write
 * in one transaction with its audit entry. */

#define EXCHANGE_CODE_MAX 32  /* member, dataset and batch codes */
#define EXCHANGE_KEY_TEXT 48  /* a public key in base64 (44 characters), with room */
#define EXCHANGE_SIG_TEXT 96  /* a signature in base64 (88 characters), with room */
#define EXCHANGE_FIELDS_TEXT 1024
#define EXCHANGE_ENDPOINT_MAX 512

struct exchange_member {
	char code[EXCHANGE_CODE_MAX + 1];
	char name[128];
	char region[DIVISION_CODE_MAX + 1];
	int64_t api_key_id; /* the API key it calls with; 0 none */
	int64_t created_at;
	int64_t key_id; /* its current key (reads) */
	char public_key[EXCHANGE_KEY_TEXT];
};
typedef bool (*store_exchange_member_fn)(void *ctx, const struct exchange_member *m);

struct exchange_key {
	int64_t id;
	char member[EXCHANGE_CODE_MAX + 1];
	char public_key[EXCHANGE_KEY_TEXT];
	int64_t created_at;
	int64_t retired_at; /* 0 while current */
};
typedef bool (*store_exchange_key_fn)(void *ctx, const struct exchange_key *k);

/* A member with its first key m->public_key (m->key_id is set).
 * APP_ECONFLICT when the code is taken. */
enum app_err store_exchange_member_add(struct store *s, struct exchange_member *m,
				       const struct audit_note *note, struct app_error *err);
/* Retire code's current key at `at` and make public_key current; *key_id
 * gets the new key's id. APP_ENOTFOUND for an unknown member. */
enum app_err store_exchange_member_rotate(struct store *s, const char *code,
					  const char *public_key, int64_t at,
					  const struct audit_note *note, int64_t *key_id,
					  struct app_error *err);
/* Bind the API key api_key_id to member code (0 unbinds). */
enum app_err store_exchange_member_link(struct store *s, const char *code, int64_t api_key_id,
					const struct audit_note *note, struct app_error *err);
/* Members in code order, with their current key; only code when code is
 * not NULL, only the one bound to api_key_id when it is not 0. */
enum app_err store_exchange_members(struct store *s, const char *code, int64_t api_key_id,
				    store_exchange_member_fn fn, void *ctx, struct app_error *err);
/* Every key of member code, retired ones too, oldest first. */
enum app_err store_exchange_keys(struct store *s, const char *code, store_exchange_key_fn fn,
				 void *ctx, struct app_error *err);

/* Sharing classes (国发〔2016〕51号). */
enum exchange_sharing {
	EXCHANGE_UNCONDITIONAL, /* 无条件共享 */
	EXCHANGE_CONDITIONAL,   /* 有条件共享: a subscription needs an approval */
	EXCHANGE_NOT_SHARED,    /* 不予共享: never subscribed */
	EXCHANGE_SHARING__MAX
};
extern const char *const exchange_sharing_names[EXCHANGE_SHARING__MAX];    /* "conditional" */
extern const char *const exchange_sharing_names_zh[EXCHANGE_SHARING__MAX]; /* "有条件" */

struct exchange_dataset {
	char code[EXCHANGE_CODE_MAX + 1];
	char provider[EXCHANGE_CODE_MAX + 1];
	char name[128];
	enum exchange_sharing sharing;
	const char *schema; /* its JSON text; in reads valid during the callback only */
	int64_t created_at;
};
typedef bool (*store_exchange_dataset_fn)(void *ctx, const struct exchange_dataset *d);

/* APP_ECONFLICT when the code is taken, APP_EINVAL for an unknown provider. */
enum app_err store_exchange_dataset_add(struct store *s, const struct exchange_dataset *d,
					const struct audit_note *note, struct app_error *err);
/* Datasets in code order; only code when not NULL. */
enum app_err store_exchange_datasets(struct store *s, const char *code,
				     store_exchange_dataset_fn fn, void *ctx,
				     struct app_error *err);

struct exchange_batch {
	int64_t id; /* the exchange's sequence: a pull's cursor */
	char dataset[EXCHANGE_CODE_MAX + 1];
	char provider[EXCHANGE_CODE_MAX + 1];
	char batch_id[EXCHANGE_CODE_MAX + 1]; /* chosen by the provider */
	char sha256[65];                       /* of the body as uploaded, hex */
	char signature[EXCHANGE_SIG_TEXT];     /* base64 */
	int64_t key_id;                        /* the key that verified it */
	int64_t nrows;
	int64_t received_at;
	int64_t resent; /* times it came again, identical */
};
typedef bool (*store_exchange_batch_fn)(void *ctx, const struct exchange_batch *b);
/* A row of a batch: data is a JSON object, valid during the callback. */
typedef bool (*store_exchange_row_fn)(void *ctx, const struct exchange_batch *b, int64_t line,
				      const char *data);

/*
 * Store batch b with its rows (b->nrows JSON objects, line i + 1 each) and
 * audit entry note, all or nothing; b->id gets its id. When the provider
 * sent this batch id before with the same sha256, nothing new is stored:
 * its resend count goes up (audited by resent_note), *resent is true and b
 * gets the stored batch. APP_ECONFLICT when it came before with another
 * sha256.
 */
enum app_err store_exchange_batch_put(struct store *s, struct exchange_batch *b,
				      const char *const *rows, const struct audit_note *note,
				      const struct audit_note *resent_note, bool *resent,
				      struct app_error *err);
/* Batches of dataset (every dataset when NULL) with ids above after, in id
 * order, at most limit. */
enum app_err store_exchange_batches(struct store *s, const char *dataset, int64_t after,
				    int limit, store_exchange_batch_fn fn, void *ctx,
				    struct app_error *err);
/* The rows of the first `batches` batches of dataset with ids above after,
 * in batch and line order. */
enum app_err store_exchange_rows(struct store *s, const char *dataset, int64_t after,
				 int batches, store_exchange_row_fn fn, void *ctx,
				 struct app_error *err);

enum exchange_sub_state { EXCHANGE_SUB_PENDING, EXCHANGE_SUB_ACTIVE, EXCHANGE_SUB_ENDED,
			  EXCHANGE_SUB__MAX };
extern const char *const exchange_sub_state_names[EXCHANGE_SUB__MAX];

struct exchange_subscription {
	int64_t id;
	char consumer[EXCHANGE_CODE_MAX + 1];
	char dataset[EXCHANGE_CODE_MAX + 1];
	char fields[EXCHANGE_FIELDS_TEXT]; /* the granted fields, "a,b,c" */
	char endpoint[EXCHANGE_ENDPOINT_MAX]; /* where pushes go; "" pull only */
	int day, minute;   /* pushes monthly on day (1..28) at minute of the day (China time) */
	enum exchange_sub_state state;
	char approved_by[64]; /* who approved a conditional one */
	int64_t created_at;
	int64_t pushed_upto; /* every batch up to this id was delivered */
	int failures;        /* failed attempts since the last delivery */
	int64_t due_at;      /* next push (or retry); 0 none */
};
typedef bool (*store_exchange_sub_fn)(void *ctx, const struct exchange_subscription *x);

/* x->id gets the new subscription's id. */
enum app_err store_exchange_sub_add(struct store *s, struct exchange_subscription *x,
				    const struct audit_note *note, struct app_error *err);
/* Move subscription id from state `from` to `to`, with approved_by (may be
 * "") and due_at. APP_ECONFLICT when it is not in state from. */
enum app_err store_exchange_sub_state(struct store *s, int64_t id, enum exchange_sub_state from,
				      enum exchange_sub_state to, const char *approved_by,
				      int64_t due_at, const struct audit_note *note,
				      struct app_error *err);

struct exchange_sub_query {
	int64_t id;           /* only this one; 0 any */
	const char *consumer; /* only this consumer's; NULL any */
	int64_t due_by;       /* only active ones due at or before this time; 0 any */
};
/* Subscriptions in id order. */
enum app_err store_exchange_subs(struct store *s, const struct exchange_sub_query *q,
				 store_exchange_sub_fn fn, void *ctx, struct app_error *err);

struct exchange_attempt {
	int64_t id;
	int64_t subscription;
	int64_t at;
	int status;        /* HTTP status; 0 when no answer came */
	int64_t upto;      /* the last batch it carried */
	int64_t nrows;
	char sha256[65];   /* of the body sent */
	char detail[256];
	int64_t next_at;   /* the subscription's next push or retry */
};
typedef bool (*store_exchange_attempt_fn)(void *ctx, const struct exchange_attempt *a);

/* Record attempt a and move its subscription on: delivered, its batches up
 * to a->upto are done and its failures reset; otherwise one failure more.
 * Either way it is next due at a->next_at. */
enum app_err store_exchange_attempt_add(struct store *s, const struct exchange_attempt *a,
					bool delivered, const struct audit_note *note,
					struct app_error *err);
/* The attempts of subscription, oldest first. */
enum app_err store_exchange_attempts(struct store *s, int64_t subscription,
				     store_exchange_attempt_fn fn, void *ctx,
				     struct app_error *err);


/* ---- entitlements of 免申即享 (sqlite_entitle.c, pg_entitle.c) ----
 * The persons a programme's policies grant, one row per (programme, policy,
 * person, period), their state and the events of their timeline (also the
 * feed of the notifications). The rules live in src/entitle (entitle.h,
 * docs/entitle.md): this layer only stores and reads, each change of state
 * with its event in one transaction. */

#define ENTITLE_ID_MAX 64  /* programme, policy and benefit ids */
#define ENTITLE_KEY_MAX 64 /* a person's key (e.g. an ID number) */

enum entitle_state {
	ENTITLE_IN_NOTICE,        /* 公示中: the objection window is open */
	ENTITLE_OBJECTED,         /* 有异议: an objection waits for its review */
	ENTITLE_AWAITING_CONSENT, /* 待确认: the person is asked (意愿确认) */
	ENTITLE_GRANTED,          /* 已享受 */
	ENTITLE_DECLINED,         /* 已放弃: the person refused */
	ENTITLE_REFUSED,          /* 不予享受: an objection was upheld */
	ENTITLE_HELD,             /* 暂缓: two policies grant one benefit, a person decides */
	ENTITLE_REVOKED,          /* 已停止: eligibility ended (effective_to) */
	ENTITLE_STATE__MAX        /* also "no state": the from_state of a first event */
};
extern const char *const entitle_state_names[ENTITLE_STATE__MAX];    /* "in_notice" */
extern const char *const entitle_state_names_zh[ENTITLE_STATE__MAX]; /* "公示中" */

enum entitle_event {
	ENTITLE_EV_NOTICE_STARTED,      /* "notice.started" */
	ENTITLE_EV_OBJECTION_FILED,     /* "objection.filed" */
	ENTITLE_EV_OBJECTION_UPHELD,    /* "objection.upheld" */
	ENTITLE_EV_OBJECTION_DISMISSED, /* "objection.dismissed" */
	ENTITLE_EV_CONSENT_ASKED,       /* "consent.asked" */
	ENTITLE_EV_CONSENT_GIVEN,       /* "consent.given" */
	ENTITLE_EV_CONSENT_REFUSED,     /* "consent.refused" */
	ENTITLE_EV_GRANTED,             /* "granted" */
	ENTITLE_EV_HELD,                /* "held" */
	ENTITLE_EV_REVOKED,             /* "revoked" */
	ENTITLE_EV_APPEALED,            /* "appealed" */
	ENTITLE_EVENT__MAX
};
extern const char *const entitle_event_names[ENTITLE_EVENT__MAX];

/* The index of name in names[0..n), or -1 (for the two tables above). */
int store_entitle_name_index(const char *const *names, int n, const char *name);

struct entitlement {
	int64_t id;
	char programme[ENTITLE_ID_MAX + 1];
	char policy[ENTITLE_ID_MAX + 1];
	char benefit[ENTITLE_ID_MAX + 1];
	char person_key[ENTITLE_KEY_MAX + 1];
	char person_name[128]; /* personal data */
	char phone[32];        /* personal data */
	char region[DIVISION_CODE_MAX + 1];
	int32_t period;        /* yyyy or yyyymm */
	int64_t amount;        /* fen */
	enum entitle_state state;
	int64_t version;       /* +1 at every change */
	int64_t notice_until;  /* epoch seconds; 0 none */
	int64_t consent_until; /* epoch seconds; 0 none */
	int32_t effective_from; /* day number */
	int32_t effective_to;   /* day number; 0 open */
	char reason[512];
	const char *explanation; /* why (rules_explain); in reads valid during the callback only */
	int64_t appeal_case;   /* the demand an appeal raised; 0 none */
	int64_t run;           /* the run that created or last changed it */
	int64_t created_at, updated_at;
};

struct entitlement_event {
	int64_t id;
	int64_t entitlement;
	enum entitle_event kind;
	enum entitle_state from_state; /* ENTITLE_STATE__MAX for the first event */
	enum entitle_state to_state;
	int64_t at;
	char actor[64];
	char detail[512];
};

struct entitlement_run {
	int64_t id;
	char programme[ENTITLE_ID_MAX + 1];
	int32_t at_day;
	int64_t started_at, finished_at;
	int64_t persons, granted_new, revoked, unknown, held;
	int64_t out_of_region; /* granted, but living outside the programme's region */
	char actor[64];
	int64_t data_seq; /* the highest exchange batch id (sequence) the run read; 0 none */
};

/* A change to write with its event: a new entitlement (e->id 0: inserted,
 * then e->id and e->version are set) or a stored one moved to e->state
 * (e->version is the version it was read at: APP_ECONFLICT when it changed
 * since; it becomes version + 1) with its other fields as in e. */
struct entitlement_change {
	struct entitlement *e;
	enum entitle_event kind;
	enum entitle_state from; /* the state before; ENTITLE_STATE__MAX for a new one */
	const char *detail;      /* the event's detail; NULL or "" none */
	bool event_only;         /* only the event, of a stored e changed just before (a
				  * grant that follows a consent): e is left as it is */
	bool row_only;           /* only e's row, no event (an appeal's reservation) */
};

/*
 * Write run (when not NULL: inserted first, run->id set and every changed
 * entitlement's run set to it), then changes[0..n) each with its event at
 * `at` by actor, and the audit entry note (may be NULL), in one
 * transaction: all or nothing.
 */
enum app_err store_entitle_apply(struct store *s, struct entitlement_run *run,
				 struct entitlement_change *changes, size_t n, int64_t at,
				 const char *actor, const struct audit_note *note,
				 struct app_error *err);

struct entitlement_query {
	int64_t id;            /* only this one; 0 any */
	const char *programme; /* NULL any */
	int state;             /* an enum entitle_state; -1 any */
	const char *within;    /* only in this region's subtree; NULL any */
	int32_t period;        /* 0 any */
	int64_t notice_due_by; /* only those whose notice ends at or before this; 0 any */
	bool granted_ever;     /* only those granted once (a "granted" event) */
	int64_t after_id;      /* cursor: ids above this one */
	int limit;             /* at most; 0 no limit */
};
typedef bool (*store_entitlement_fn)(void *ctx, const struct entitlement *e);
typedef bool (*store_entitlement_event_fn)(void *ctx, const struct entitlement_event *ev);

/* Entitlements matching q in id order (fn returns false to stop). */
enum app_err store_entitlements(struct store *s, const struct entitlement_query *q,
				store_entitlement_fn fn, void *ctx, struct app_error *err);
/* The highest data_seq of programme's runs into *seq: 0 when it never ran
 * (or read no batch). A batch with a higher id came after its last run. */
enum app_err store_entitle_data_seq(struct store *s, const char *programme, int64_t *seq,
				    struct app_error *err);
/* The events of entitlement id, oldest first. */
enum app_err store_entitlement_events(struct store *s, int64_t id,
				      store_entitlement_event_fn fn, void *ctx,
				      struct app_error *err);

/* ---- notifications and delivery tasks of entitlements (sqlite_outbox.c,
 * pg_outbox.c) ----
 * The dispatcher (src/entitle/dispatch.c) reads entitlement_events after its
 * cursor, in order; what one event makes (its outbox message, the delivery
 * task a grant opens) is stored in ONE transaction with the cursor moved
 * past it, and each is unique (a message per event, a task per
 * entitlement): dispatching twice stores nothing twice, and a crash
 * between two events resumes at the first not stored. The sender
 * (src/entitle/outbox.c) then moves messages from pending to sent, failed
 * or kept. A phone number is personal data: lists mask it. */

#define OUTBOX_TEXT_MAX 2048 /* bytes of a rendered message, with its NUL */

struct outbox_row {
	int64_t id;
	int64_t event;       /* the entitlement event it tells of */
	int64_t entitlement;
	char programme[ENTITLE_ID_MAX + 1];
	char kind[24];       /* the event kind: "granted", ... */
	char region[DIVISION_CODE_MAX + 1]; /* the person's */
	char phone[32];      /* personal data */
	char text[OUTBOX_TEXT_MAX];        /* as sent: holds the name (personal data) */
	char text_masked[OUTBOX_TEXT_MAX]; /* the same with the name masked, for listings */
	char state[12];      /* "pending", "sent", "failed", "kept" */
	int attempts;
	int64_t next_at;     /* pending: when to try (again) */
	int status;          /* HTTP status of the last attempt, 0: no answer */
	char detail[256];    /* what the last attempt came to */
	int64_t created_at, sent_at;
};

typedef bool (*store_outbox_fn)(void *ctx, const struct outbox_row *o);
/* An event and its entitlement as the entitlement is now. */
typedef bool (*store_dispatch_fn)(void *ctx, const struct entitlement_event *e,
				  const struct entitlement *x);

/* The id of the last event dispatched (0: none yet). */
enum app_err store_dispatch_cursor(struct store *s, int64_t *last, struct app_error *err);
/* The events after id `after`, in id order, at most limit, each with its
 * entitlement, handed to fn until it returns false. */
enum app_err store_dispatch_events(struct store *s, int64_t after, int limit,
				   store_dispatch_fn fn, void *ctx, struct app_error *err);

/* What dispatching event `event` stores, with the cursor moved to it. */
struct dispatch_step {
	int64_t event;
	const struct outbox_row *message; /* NULL: none; kept once per event */
	/* a delivery task to open (NULL: none), once per entitlement: */
	struct case_row *task;            /* its id and county set when opened */
	const struct case_event_row *line; /* its opening line */
	/* its audit entry ("{id}" as in store_case_insert); without a task, the
	 * entry of an event skipped (recorded as given) */
	const struct audit_note *note;
	int64_t entitlement;
	const char *programme;
	bool message_new, task_new;       /* out: stored now (false: was already) */
};
/* Store d in one transaction (see above). APP_EINVAL when the task's
 * region is not in the registry; the cursor never moves back. */
enum app_err store_dispatch_apply(struct store *s, struct dispatch_step *d, struct app_error *err);
/* Store d[0..n) (events in order) as store_dispatch_apply each, in one
 * durable transaction (one flush for them all): the first that fails stops
 * the rest, none after it is stored, so the cursor never passes an event
 * that was not. *stored says how many were; APP_OK when all were, else the
 * first failure. */
enum app_err store_dispatch_apply_many(struct store *s, struct dispatch_step *d, int n,
				       int *stored, struct app_error *err);

/* The delivery task of entitlement: *case_id, 0 when none. */
enum app_err store_delivery_of(struct store *s, int64_t entitlement, int64_t *case_id,
			       struct app_error *err);

#define STORE_OUTBOX_LEASE 3600 /* s a claimed message waits for its sender */
/* The pending messages due at now (next_at <= now), at most limit, claimed:
 * their next_at moves to now + STORE_OUTBOX_LEASE in the same statement, so
 * a second sender (a node, the command line) does not take them meanwhile;
 * store_outbox_mark() then sets the real next attempt. */
enum app_err store_outbox_due(struct store *s, int64_t now, int limit, store_outbox_fn fn,
			      void *ctx, struct app_error *err);
/* Record an attempt at message o->id (its state, attempts, next_at, status,
 * detail and sent_at as given) with its audit entry; APP_ENOTFOUND when it
 * is not pending any more. */
enum app_err store_outbox_mark(struct store *s, const struct outbox_row *o,
			       const struct audit_note *note, struct app_error *err);
struct outbox_query {
	int nregions;
	const char *regions[4]; /* messages whose region is within one of these */
	const char *state;      /* NULL or "": any */
	int64_t before_id;      /* paging: ids below this (0: no bound) */
	int limit;
};
/* Messages matching q, newest first. */
enum app_err store_outbox_list(struct store *s, const struct outbox_query *q, store_outbox_fn fn,
			       void *ctx, struct app_error *err);
/* APP_ENOTFOUND when absent. */
enum app_err store_outbox_get(struct store *s, int64_t id, struct outbox_row *out,
			      struct app_error *err);

/* ---- 一件事 bundles (sqlite_bundles.c, pg_bundles.c) ----
 * One life event of one person and the services it started at once
 * (docs/bundles.md). The rules live in src/bundles: this layer stores a
 * bundle with its services in one transaction, marks a task service, and
 * reads bundles with, for each entitlement service, the person's
 * entitlement of its programme (the latest period). */

#define BUNDLE_SERVICES_MAX 16
#define BUNDLE_CODE_MAX 32 /* bytes of an event or a service code */

struct bundle_service {
	char code[BUNDLE_CODE_MAX + 1];
	char name[256];
	char kind[16]; /* "task" or "entitlement" */
	char unit[256];                     /* task: who does it */
	char programme[ENTITLE_ID_MAX + 1]; /* entitlement: the programme's id */
	int days;                           /* task: the limit in working days */
	int64_t due_at;                     /* task: end of the limit */
	char state[16]; /* task: "todo", "done", "refused"; entitlement: "follows" */
	char note[1024];
	int64_t marked_at;
	char marked_by[64];
	/* read, entitlement services only: the person's entitlement, state ""
	 * and id 0 when there is none; its region, which may lie outside the
	 * bundle's (the callers decide who may see it) */
	char entitlement_state[24];
	int64_t entitlement_id;
	char entitlement_region[DIVISION_CODE_MAX + 1];
};

struct bundle {
	int64_t id;
	char event[BUNDLE_CODE_MAX + 1];
	char name[256];
	char person_key[ENTITLE_KEY_MAX + 1]; /* personal data */
	char person_name[128];                /* personal data */
	char phone[32];                       /* personal data, "" when none */
	char region[DIVISION_CODE_MAX + 1];
	int64_t started_at;
	char started_by[64];
	int nservices;
	struct bundle_service services[BUNDLE_SERVICES_MAX];
};

typedef bool (*store_bundle_fn)(void *ctx, const struct bundle *b);

/*
 * Store bundle b and its services in one transaction with note (every
 * "{id}" in its object and summary replaced by the new id); b->id is set.
 * APP_ECONFLICT when the person has a bundle of that event already,
 * APP_EINVAL when the region is not in the registry.
 */
enum app_err store_bundle_start(struct store *s, struct bundle *b, const struct audit_note *note,
				struct app_error *err);
/* Bundle id with its services in order; APP_ENOTFOUND when absent. */
enum app_err store_bundle_get(struct store *s, int64_t id, struct bundle *out,
			      struct app_error *err);

struct bundle_query {
	const char *within; /* a region code: its subtree; "" all */
	const char *event;  /* only this event; NULL or "" any */
	int64_t before_id;  /* only ids below it; 0 from the newest */
	int limit;
};
/* Bundles of q, newest first, each with its services. */
enum app_err store_bundles_list(struct store *s, const struct bundle_query *q,
				store_bundle_fn fn, void *ctx, struct app_error *err);
/*
 * Task service code of bundle id from "todo" to state ("done" or
 * "refused") with note, at, by, and its audit entry. APP_ECONFLICT when it
 * is no longer "todo" (or is no task): someone marked it first.
 */
enum app_err store_bundle_mark(struct store *s, int64_t id, const char *code, const char *state,
			       const char *note, int64_t at, const char *by,
			       const struct audit_note *audit, struct app_error *err);

#endif
