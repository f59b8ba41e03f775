/*
 * pg_int.h - what the files of the PostgreSQL backend share: the connection
 * pool, the statement ids, parameters, results and the read/write helpers.
 * Private to src/store/pg*.c.
 *
 * Every statement is declared once: its id here, its text in pg_sql.c. It
 * is prepared (PQprepare, named by its id) at most once per connection and
 * run with every value bound as a parameter. Reads run a function on a
 * pooled connection (pg_read); writes run a function inside a transaction of
 * their own (pg_write), where pg_audit_append() adds the change's audit
 * entry to the same transaction.
 */
#ifndef STORE_PG_INT_H
#define STORE_PG_INT_H

#include "store/store_int.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>

enum pg_stmt {
	PS_BEGIN,
	PS_COMMIT,
	PS_ROLLBACK,
	PS_MIGRATE_LOCK,
	PS_AUDIT_LOCK,
	PS_SCHEMA_VERSION,
	PS_MIGRATION_RECORD,
	PS_DB_SIZE,
	PS_REGION_GET,
	PS_REGION_CHILDREN,
	PS_REGION_SUBTREE,
	PS_REGION_SEARCH_PREFIX,
	PS_REGION_SEARCH_INFIX,
	PS_REGION_EXISTS,
	PS_REGION_CURRENT,
	PS_REGION_INSERT,
	PS_REGION_UPDATE,
	PS_REGIONS_GENERATION,
	PS_REGIONS_BUMP,
	PS_AUDIT_LAST,
	PS_AUDIT_INSERT,
	PS_AUDIT_BY_OBJECT,
	PS_AUDIT_SCAN,
	PS_USER_INSERT,
	PS_USER_GET,
	PS_USER_BY_PHONE,
	PS_USER_SET_PASSWORD,
	PS_USER_LIST,
	PS_USER_BY_HOUSEHOLD,
	PS_GRANTS_OF,
	PS_GRANT_INSERT,
	PS_GRANT_DELETE,
	PS_HOUSEHOLD_INSERT,
	PS_HOUSEHOLD_GET,
	PS_SESSION_INSERT,
	PS_SESSION_GET,
	PS_SESSION_REVOKE,
	PS_SESSION_REVOKE_OTHERS,
	PS_API_KEY_INSERT,
	PS_API_KEY_BY_HASH,
	PS_API_KEY_REVOKE,
	PS_API_KEY_LIST,
	PS_LOGIN_FAILURES,
	PS_LOGIN_FAILURE_ADD,
	PS_LOGIN_ATTEMPT_LOCK,
	PS_LOGIN_ATTEMPT_UNDO,
	PS_LOGIN_FAILURES_CLEAR,
	PS_INVITE_INSERT,
	PS_INVITE_GET,
	PS_INVITE_USE,
	PS_EVENTS_LOCK,
	PS_EVENT_INSERT,
	PS_EVENTS_REWRITE,
	PS_EVENTS_AFTER,
	PS_EVENTS_HEAD,
	PS_EVENTS_DROP_MONTHS,
	PS_EVENTS_PRUNE,
	PS_PARTITIONS_ENSURE,
	PS_JOB_ENSURE,
	PS_JOB_CLAIM,
	PS_JOB_RUN_INSERT,
	PS_JOB_RUN_FINISH,
	PS_JOB_RUNS,
	PS_JOB_LOCK_TRY,
	PS_JOB_UNLOCK,
	PS_SESSIONS_PURGE,
	PS_LOGIN_FAILURES_PURGE,
	PS_GROUPS_SYNC,
	PS_GROUPS_SYNC_COUNT,
	PS_GROUP_INSERT,
	PS_GROUP_GET,
	PS_GROUP_HEAD,
	PS_GROUP_BY_CODE,
	PS_GROUP_UPDATE,
	PS_GROUP_LIST,
	PS_GROUP_LOCK,
	PS_MEMBER_PUT,
	PS_MEMBER_GET,
	PS_GROUP_MEMBERS,
	PS_MEMBER_GROUPS,
	PS_USER_ID_BY_PHONE,
	PS_ROSTER_PHONES,
	PS_ROSTER_NEW,
	PS_DUTY_ROTA_CLEAR,
	PS_DUTY_ROTA_INSERT,
	PS_DUTY_ROTA_GET,
	PS_DUTY_OVERRIDE_PUT,
	PS_DUTY_OVERRIDE_DELETE,
	PS_DUTY_OVERRIDES,
	PS_DUTY_LEAVE_INSERT,
	PS_DUTY_LEAVE_DELETE,
	PS_DUTY_LEAVES,
	PS_MESSAGE_INSERT,
	PS_MESSAGE_GET,
	PS_MESSAGES_AFTER,
	PS_MESSAGES_BEFORE,
	PS_MESSAGE_SET_STATE,
	PS_MESSAGES_SEARCH,
	PS_INGEST_KEYS_SEEN,
	PS_INGEST_KEYS_INSERT,
	PS_INGEST_CALL_INSERT,
	PS_INGEST_CALLS_PENDING,
	PS_INGEST_BACKLOG,
	PS_INGEST_CALL_DELETE,
	PS_INGEST_CALL_FAIL,
	PS_BROADCAST_INSERT,
	PS_BROADCAST_TARGETS,
	PS_DELIVERY_INSERT,
	PS_DELIVERIES,
	PS_ATTACHMENT_INSERT,
	PS_ATTACHMENT_GET,
	PS_ATTACHMENT_SHOWN,
	PS_CALENDAR_PUT,
	PS_CALENDAR_LIST,
	PS_CASE_INSERT,
	PS_CASE_UPDATE,
	PS_CASE_VERSION,
	PS_CASE_GET,
	PS_CASES_GET_MANY,
	PS_CASE_CLOCKS_PUT,
	PS_CASE_EVENT_INSERT,
	PS_CASE_EVENTS,
	PS_CASES_DUE,
	PS_CASES_LIST,
	PS_CASE_EVENTS_BETWEEN,
	PS_CASE_STANDING,
	PS_CASE_PHOTO_GET,
	PS_CASE_PHOTO_COUNT,
	PS_CASE_PHOTO_INSERT,
	PS_CASE_PHOTOS,
	PS_CASE_OF_MESSAGE,
	PS_CASE_SETTINGS_VERSION,
	PS_CASE_SETTINGS_BUMP,
	PS_CASE_SETTINGS_LIST,
	PS_CASE_SETTING_PUT,
	PS_CASE_CATEGORIES_LIST,
	PS_CASE_CATEGORIES_CLEAR,
	PS_CASE_CATEGORY_INSERT,
	PS_CASE_CATEGORY_IN_USE,
	PS_PATROL_MARK_GET,
	PS_PATROL_MARK_PUT,
	PS_PATROL_MESSAGES,
	PS_PATROL_INBOX_PUT,
	PS_PATROL_INBOX_DONE,
	PS_PATROL_DUE,
	PS_PATROL_CASE_LINES,
	PS_PATROL_GROUPS,
	PS_PATROL_DEMANDS,
	PS_PATROL_REPEATS,
	PS_PATROL_HIDES,
	PS_PATROL_WATCH_PUT,
	PS_PATROL_WATCH_ANSWERED,
	PS_PATROL_WATCH_PUT_MANY,
	PS_PATROL_WATCH_ANSWERED_MANY,
	PS_PATROL_WATCH_DONE,
	PS_ALERT_INSERT,
	PS_ALERT_GET,
	PS_ALERT_BY_KEY,
	PS_ALERT_EVENTS,
	PS_ALERTS_LIST,
	PS_ALERT_ACK,
	PS_ALERT_CLOSE,
	PS_SUPERVISION_INSERT,
	PS_SUPERVISION_GET,
	PS_SUPERVISION_ACK,
	PS_SUPERVISION_NOTICE_ACK,
	PS_SUPERVISION_TIMELINE,
	PS_SUPERVISIONS_OPEN,
	PS_SUPERVISION_SETTLE,
	PS_SUPERVISION_NOTICES,
	PS_STATS_ROLLUP,
	PS_STATS_TALK,
	PS_STATS_FACTS,
	PS_ROLLUP_ENSURE,
	PS_ROLLUP_GET,
	PS_ROLLUP_PUT,
	PS_ROLLUP_ALL,
	PS_ROLLUP_RECOMPUTE,
	PS_ROLLUP_LOCK,
	PS_ROLLUP_CLEAR,
	PS_ROLLUP_REBUILD,
	PS_EXCH_MEMBER_INSERT,
	PS_EXCH_KEY_INSERT,
	PS_EXCH_KEY_RETIRE,
	PS_EXCH_MEMBER_LINK,
	PS_EXCH_MEMBERS,
	PS_EXCH_KEYS,
	PS_EXCH_DATASET_INSERT,
	PS_EXCH_DATASETS,
	PS_EXCH_BATCH_FIND,
	PS_EXCH_BATCH_INSERT,
	PS_EXCH_BATCH_RESENT,
	PS_EXCH_ROW_INSERT,
	PS_EXCH_ROWS,
	PS_EXCH_BATCHES,
	PS_EXCH_SUB_INSERT,
	PS_EXCH_SUB_STATE,
	PS_EXCH_SUBS,
	PS_EXCH_ATTEMPT_INSERT,
	PS_EXCH_SUB_PUSHED,
	PS_EXCH_ATTEMPTS,
	PS_BUNDLE_INSERT,
	PS_BUNDLE_SERVICE_INSERT,
	PS_BUNDLE_GET,
	PS_BUNDLES_LIST,
	PS_BUNDLE_MARK,
	PS_ENT_RUN_INSERT,
	PS_ENT_RUN_DATA_SEQ,
	PS_ENT_INSERT,
	PS_ENT_UPDATE,
	PS_ENT_EVENT_INSERT,
	PS_ENT_LIST,
	PS_ENT_EVENTS,
	PS_DISPATCH_CURSOR,
	PS_DISPATCH_EVENTS,
	PS_DISPATCH_MOVE,
	PS_OUTBOX_INSERT,
	PS_DELIVERY_OF,
	PS_DELIVERY_LINK,
	PS_OUTBOX_DUE,
	PS_OUTBOX_MARK,
	PS_OUTBOX_LIST,
	PS_OUTBOX_GET,
	PS__MAX
};

extern const char *const pg_stmt_sql[PS__MAX];

/* Keys of the advisory locks (pg_advisory_xact_lock) the backend takes. */
#define PG_LOCK_MIGRATE 0x62696d01 /* migrations and the schema_migrations table */
#define PG_LOCK_AUDIT 0x62696d02   /* the tail of the audit chain */
#define PG_LOCK_LOGIN 0x62696d03   /* with hashtext(subject): one subject's attempts */
#define PG_LOCK_EVENTS 0x62696d04  /* event ids: handed out in commit order */
#define PG_LOCK_JOBS 0x62696d05    /* with hashtext(name): one scheduled job running */

/* The channel of LISTEN/NOTIFY that carries the topics of new events. */
#define PG_EVENTS_CHANNEL "bianmin_events"

/* What the open write transaction of a connection holds, to skip asking
 * again: pg_write_each clears it at BEGIN, and puts it back as it was when
 * a savepoint is rolled back (locks taken after a savepoint go with it). */
struct pg_tx_state {
	bool events_locked; /* PS_EVENTS_LOCK held */
	bool audit_locked;  /* PS_AUDIT_LOCK held */
	bool audit_known;   /* the last entry of the chain, as this transaction left it: */
	int64_t audit_last_id;
	uint8_t audit_last_hash[32]; /* CHAIN_HASH_LEN */
};

struct pg_conn {
	PGconn *db;
	uint8_t prepared[PS__MAX];
	struct pg_tx_state tx;
	/* the last failure on this connection, for the caller to classify */
	char sqlstate[6];
	char constraint[64];
	struct pg_conn *next; /* in the free list */
};

struct pg_listener; /* pg_events.c */

struct pg {
	char *uri;
	pthread_mutex_t mu; /* guards everything below */
	struct pg_conn *free;
	uint64_t open; /* connections open, in use or free */
	uint64_t commits, failures, commit_us;
	struct pg_listener *listener; /* while an event watcher is set */
};

/* A lock of store_lock_try(): a session advisory lock on a connection taken
 * from the pool for as long as it is held. */
struct store_lock {
	char name[JOB_NAME_MAX];
	struct pg_conn *conn;
};

typedef enum app_err (*pg_fn)(struct pg_conn *c, void *arg, struct app_error *err);

/* The values of one statement's parameters, all bound (a case row has 35). */
#define PG_MAX_PARAMS 40
struct pg_params {
	int n;
	const char *values[PG_MAX_PARAMS];
	int lengths[PG_MAX_PARAMS];
	int formats[PG_MAX_PARAMS];
	char num[PG_MAX_PARAMS][24];
};

void pgp_text(struct pg_params *p, const char *s);
void pgp_int(struct pg_params *p, int64_t v);
void pgp_blob(struct pg_params *p, const uint8_t *b, size_t len);
/* A double, written so that it reads back exactly. */
void pgp_real(struct pg_params *p, double v);

/* An array parameter being written ("{" elements "}"), for set-based
 * statements (unnest, = ANY): pg_array_init, elements, pg_array_param to
 * add it to a pg_params, pg_array_release once the statement ran. */
struct pg_array {
	struct strbuf sb;
	int n;
};
void pg_array_init(struct pg_array *a);
void pg_array_int(struct pg_array *a, int64_t v);
/* A text element, quoted so that any text reads back as it was. */
void pg_array_text(struct pg_array *a, const char *s);
/* Close a and add it to p; a stays allocated until pg_array_release. */
void pg_array_param(struct pg_params *p, struct pg_array *a);
void pg_array_release(struct pg_array *a);

/* The backend state of s. */
struct pg *pg_impl(struct store *s);

/*
 * Run statement id with the parameters p (NULL: none). On success *res (may
 * be NULL: then the result is dropped) holds the rows, to be PQclear()ed.
 * On failure: a unique violation is APP_ECONFLICT, a missing referenced row
 * APP_EINVAL, a lost or refused connection APP_EUNAVAIL ("the database is
 * unavailable"), anything else APP_EDB; c->sqlstate and c->constraint say
 * more. *changes (may be NULL) receives the rows a write touched.
 */
enum app_err pg_exec(struct pg_conn *c, enum pg_stmt id, const struct pg_params *p,
		     const char *what, PGresult **res, int64_t *changes, struct app_error *err);

/*
 * As pg_exec for a read of many rows, handed to fn one at a time as they
 * arrive (libpq's single-row mode: the whole result is never held in
 * memory); row is a result of one row (row 0), freed after fn returns.
 * Errors as pg_exec's; after one, fn is not called again.
 */
typedef void (*pg_row_fn)(void *ctx, const PGresult *row);
enum app_err pg_exec_each(struct pg_conn *c, enum pg_stmt id, const struct pg_params *p,
			  const char *what, pg_row_fn fn, void *ctx, struct app_error *err);

/*
 * As pg_exec, for a write that may touch users: a unique violation of a
 * user's phone or ID number becomes APP_ECONFLICT naming the field ("phone",
 * "id_number") with the same message as on SQLite (sq_step_write).
 */
enum app_err pg_exec_write(struct pg_conn *c, enum pg_stmt id, const struct pg_params *p,
			   const char *what, PGresult **res, int64_t *changes,
			   struct app_error *err);

/* Open a connection of its own (not pooled) on uri; close it with
 * pg_conn_close(). Errors as pg_exec's. */
enum app_err pg_conn_open(const char *uri, struct pg_conn **out, struct app_error *err);
void pg_conn_close(struct pg_conn *c);
/* Run SQL without parameters: fixed text of this backend, never input. */
enum app_err pg_conn_exec(struct pg_conn *c, const char *sql, const char *what,
			  struct app_error *err);
/* A connection of the pool, for this thread until pg_release(); NULL with
 * err set when none can be opened. */
struct pg_conn *pg_acquire(struct pg *q, struct app_error *err);
void pg_release(struct pg *q, struct pg_conn *c);

/* Run fn on a connection of the pool, outside any transaction. */
enum app_err pg_read(struct store *s, pg_fn fn, void *arg, struct app_error *err);
/* Run fn inside a transaction of its own; returns once committed (durably). */
enum app_err pg_write(struct store *s, pg_fn fn, void *arg, struct app_error *err);
/*
 * Run fn once for each of args[0..n) (n >= 1) in one transaction, each
 * inside its own savepoint (a failing call is rolled back alone); returns
 * once committed. results[i] and errs[i] say how each went; a transaction
 * that fails as a whole fails them all. APP_OK, or the failure when no
 * connection could be had (then too in every result).
 */
enum app_err pg_write_each(struct store *s, pg_fn fn, void *const *args, int n,
			   enum app_err *results, struct app_error *errs);

/* Column readers: text into dst (cap bytes, "" for NULL), integers and
 * doubles (0 for NULL), booleans, a bytea of exactly len bytes (false
 * otherwise), and a bytea of any length (pg_bytea_dup: *len bytes the
 * caller frees; NULL for NULL or a value that is not a bytea's text). */
void pg_copy_text(char *dst, size_t cap, const PGresult *r, int row, int col);
int64_t pg_int(const PGresult *r, int row, int col);
double pg_real(const PGresult *r, int row, int col);
bool pg_bool(const PGresult *r, int row, int col);
bool pg_bytea(const PGresult *r, int row, int col, uint8_t *out, size_t len);
uint8_t *pg_bytea_dup(const PGresult *r, int row, int col, size_t *len);

/* What m->patrol says, written with m inside the caller's transaction
 * (pg_patrol.c): the patrol's inbox, the watch of its question, the end of
 * the watch of what it answers. */
enum app_err pg_patrol_note_message(struct pg_conn *c, const struct message *m,
				    struct app_error *err);

/* Append note to the audit chain, inside the caller's transaction. */
enum app_err pg_audit_append(struct pg_conn *c, const struct audit_note *note,
			     struct app_error *err);

/* Take the lock that orders events (ids in commit order), once per
 * transaction. */
enum app_err pg_events_lock(struct pg_conn *c, struct app_error *err);
/* Append an event inside the caller's transaction and announce its topic
 * to every node (NOTIFY, delivered at COMMIT). */
enum app_err pg_event_append(struct pg_conn *c, const struct event_note *ev, int64_t *id,
			     struct app_error *err);

/* Replace the data of every event about subject, inside the caller's
 * transaction (what they told is withdrawn). */
enum app_err pg_events_rewrite(struct pg_conn *c, const char *subject, const char *data,
			       struct app_error *err);

/* Row `row` of a result of MESSAGE_COLS (pg_messages.c) and of AUDIT_COLS
 * (pg_audit.c), for the patrol's reads. */
void pg_message_read(const PGresult *r, int row, struct message *m);
void pg_audit_read(const PGresult *res, int row, struct audit_record *r);

/* The domain parts of the backend, one per file. */
extern const struct store_region_ops pg_region_ops;
extern const struct store_audit_ops pg_audit_ops;
extern const struct store_account_ops pg_account_ops;
extern const struct store_event_ops pg_event_ops;
extern const struct store_sched_ops pg_sched_ops;
extern const struct store_group_ops pg_group_ops;
extern const struct store_message_ops pg_message_ops;
extern const struct store_calendar_ops pg_calendar_ops;
extern const struct store_case_ops pg_case_ops;
extern const struct store_case_photo_ops pg_case_photo_ops;
extern const struct store_case_settings_ops pg_case_settings_ops;
extern const struct store_patrol_ops pg_patrol_ops;
extern const struct store_stats_ops pg_stats_ops;
/* The statistics rollup's part of a write of case k (pg_stats.c), inside
 * its transaction and before k's new timeline lines steps[0..nsteps) are
 * stored: old is the case as stored before the change, NULL for a new one. */
enum app_err pg_stats_case_change(struct pg_conn *c, const struct case_row *old,
				  const struct case_row *k, const struct case_event_row *steps,
				  int nsteps, struct app_error *err);
extern const struct store_supervise_ops pg_supervise_ops;
extern const struct store_exchange_ops pg_exchange_ops;
extern const struct store_entitle_ops pg_entitle_ops;
extern const struct store_bundle_ops pg_bundle_ops;

extern const struct store_outbox_ops pg_outbox_ops;
/* Insert case k as store_case_insert does, inside the open transaction
 * (pg_cases.c): k->id and k->county are set. */
enum app_err pg_case_insert_in(struct pg_conn *c, struct case_row *k,
			       const struct case_event_row *steps, int nsteps,
			       const struct audit_note *note, const struct event_note *events,
			       int nevents, struct app_error *err);

#endif
