/*
 * sqlite_int.h - what the files of the SQLite backend share: connections,
 * the statement ids, group commit and the read/write helpers. Private to
 * src/store/sqlite*.c.
 *
 * Every statement is declared once: its id here, its text in sqlite_sql.c.
 * Reads run a function on a pooled read connection (sq_read); writes run a
 * function on the writer inside the next group commit (sq_write), where
 * sq_audit_append() adds the change's audit entry to the same transaction.
 */
#ifndef STORE_SQLITE_INT_H
#define STORE_SQLITE_INT_H

#include "store/store_int.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

enum stmt_id {
	STMT_BEGIN,
	STMT_BEGIN_DEFERRED,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_SAVEPOINT,
	STMT_RELEASE,
	STMT_ROLLBACK_TO,
	STMT_SCHEMA_VERSION,
	STMT_MIGRATION_RECORD,
	STMT_REGION_GET,
	STMT_REGION_CHILDREN,
	STMT_REGION_SUBTREE,
	STMT_REGION_SEARCH_PREFIX,
	STMT_REGION_SEARCH_INFIX,
	STMT_REGION_EXISTS,
	STMT_REGION_CURRENT,
	STMT_REGION_INSERT,
	STMT_REGION_UPDATE,
	STMT_REGIONS_GENERATION,
	STMT_REGIONS_BUMP,
	STMT_AUDIT_LAST,
	STMT_AUDIT_INSERT,
	STMT_AUDIT_BY_OBJECT,
	STMT_AUDIT_SCAN,
	STMT_USER_INSERT,
	STMT_USER_GET,
	STMT_USER_BY_PHONE,
	STMT_USER_SET_PASSWORD,
	STMT_USER_LIST,
	STMT_USER_BY_HOUSEHOLD,
	STMT_GRANTS_OF,
	STMT_GRANT_INSERT,
	STMT_GRANT_DELETE,
	STMT_HOUSEHOLD_INSERT,
	STMT_HOUSEHOLD_GET,
	STMT_SESSION_INSERT,
	STMT_SESSION_GET,
	STMT_SESSION_REVOKE,
	STMT_SESSION_REVOKE_OTHERS,
	STMT_API_KEY_INSERT,
	STMT_API_KEY_BY_HASH,
	STMT_API_KEY_REVOKE,
	STMT_API_KEY_LIST,
	STMT_LOGIN_FAILURES,
	STMT_LOGIN_FAILURE_ADD,
	STMT_LOGIN_ATTEMPT_UNDO,
	STMT_LOGIN_FAILURES_CLEAR,
	STMT_INVITE_INSERT,
	STMT_INVITE_GET,
	STMT_INVITE_USE,
	STMT_EVENT_INSERT,
	STMT_EVENT_INSERT_MANY, /* SQ_ROWS_MANY events in one statement */
	STMT_EVENTS_REWRITE,
	STMT_EVENTS_AFTER,
	STMT_EVENTS_HEAD,
	STMT_EVENTS_PRUNE,
	STMT_JOB_ENSURE,
	STMT_JOB_CLAIM,
	STMT_JOB_RUN_INSERT,
	STMT_JOB_RUN_FINISH,
	STMT_JOB_RUNS,
	STMT_SESSIONS_PURGE,
	STMT_LOGIN_FAILURES_PURGE,
	STMT_GROUPS_SYNC,
	STMT_GROUPS_SYNC_COUNT,
	STMT_GROUP_INSERT,
	STMT_GROUP_GET,
	STMT_GROUP_HEAD,
	STMT_GROUP_BY_CODE,
	STMT_GROUP_UPDATE,
	STMT_GROUP_LIST,
	STMT_MEMBER_PUT,
	STMT_MEMBER_GET,
	STMT_GROUP_MEMBERS,
	STMT_MEMBER_GROUPS,
	STMT_USER_ID_BY_PHONE,
	STMT_ROSTER_PHONES,
	STMT_ROSTER_SAVEPOINT,
	STMT_ROSTER_ROLLBACK_TO,
	STMT_ROSTER_RELEASE,
	STMT_ROSTER_IDS,
	STMT_ROSTER_HOUSEHOLDS,
	STMT_ROSTER_USERS,
	STMT_ROSTER_MEMBERS,
	STMT_DUTY_ROTA_CLEAR,
	STMT_DUTY_ROTA_INSERT,
	STMT_DUTY_ROTA_GET,
	STMT_DUTY_OVERRIDE_PUT,
	STMT_DUTY_OVERRIDE_DELETE,
	STMT_DUTY_OVERRIDES,
	STMT_DUTY_LEAVE_INSERT,
	STMT_DUTY_LEAVE_DELETE,
	STMT_DUTY_LEAVES,
	STMT_MESSAGE_INSERT,
	STMT_MESSAGE_GET,
	STMT_MESSAGES_AFTER,
	STMT_MESSAGES_BEFORE,
	STMT_MESSAGE_SET_STATE,
	STMT_MESSAGES_SEARCH,
	STMT_MEMBER_ACTIVE_GROUPS,
	STMT_INGEST_KEY_INSERT,
	STMT_INGEST_CALL_INSERT,
	STMT_INGEST_CALLS_PENDING,
	STMT_INGEST_BACKLOG,
	STMT_INGEST_CALL_DELETE,
	STMT_INGEST_CALL_FAIL,
	STMT_BROADCAST_INSERT,
	STMT_BROADCAST_TARGETS,
	STMT_DELIVERY_INSERT,
	STMT_DELIVERIES,
	STMT_ATTACHMENT_INSERT,
	STMT_ATTACHMENT_GET,
	STMT_ATTACHMENT_SHOWN,
	STMT_INDEX_VERSION,
	STMT_INDEX_UPTO,
	STMT_MESSAGES_NEWEST,
	STMT_INDEX_LAST_OF_BATCH,
	STMT_INDEX_MESSAGES,
	STMT_INDEX_SET_UPTO,
	STMT_INDEX_MERGE,
	STMT_CALENDAR_PUT,
	STMT_CALENDAR_LIST,
	STMT_CASE_INSERT,
	STMT_CASE_UPDATE,
	STMT_CASE_VERSION,
	STMT_CASE_GET,
	STMT_CASE_CLOCKS_CLEAR,
	STMT_CASE_CLOCK_INSERT,
	STMT_CASE_EVENT_INSERT,
	STMT_CASE_EVENTS,
	STMT_CASES_DUE,
	STMT_CASES_LIST,
	STMT_CASE_EVENTS_BETWEEN,
	STMT_CASE_STANDING,
	STMT_CASE_PHOTO_GET,
	STMT_CASE_PHOTO_COUNT,
	STMT_CASE_PHOTO_INSERT,
	STMT_CASE_PHOTOS,
	STMT_CASE_OF_MESSAGE,
	STMT_CASE_SETTINGS_VERSION,
	STMT_CASE_SETTINGS_BUMP,
	STMT_CASE_SETTINGS_LIST,
	STMT_CASE_SETTING_PUT,
	STMT_CASE_CATEGORIES_LIST,
	STMT_CASE_CATEGORIES_CLEAR,
	STMT_CASE_CATEGORY_INSERT,
	STMT_CASE_CATEGORY_IN_USE,
	STMT_PATROL_MARK_GET,
	STMT_PATROL_MARK_PUT,
	STMT_PATROL_MESSAGES,
	STMT_PATROL_INBOX_PUT,
	STMT_PATROL_INBOX_DONE,
	STMT_PATROL_DUE,
	STMT_PATROL_CASE_LINES,
	STMT_PATROL_GROUPS,
	STMT_PATROL_DEMANDS,
	STMT_PATROL_REPEATS,
	STMT_PATROL_HIDES,
	STMT_PATROL_WATCH_PUT,
	STMT_PATROL_WATCH_ANSWERED,
	STMT_PATROL_WATCH_DONE,
	STMT_ALERT_INSERT,
	STMT_ALERT_INSERT_MANY, /* SQ_ROWS_MANY alerts in one statement */
	STMT_ALERT_GET,
	STMT_ALERT_BY_KEY,
	STMT_ALERTS_LIST,
	STMT_ALERT_ACK,
	STMT_ALERT_CLOSE,
	STMT_SUPERVISION_INSERT,
	STMT_SUPERVISION_GET,
	STMT_SUPERVISION_ACK,
	STMT_SUPERVISION_NOTICE_ACK,
	STMT_SUPERVISION_TIMELINE,
	STMT_SUPERVISIONS_OPEN,
	STMT_SUPERVISION_SETTLE,
	STMT_SUPERVISION_NOTICES,
	STMT_STATS_ROLLUP,
	STMT_STATS_TALK,
	STMT_STATS_FACTS,
	STMT_ROLLUP_GET,
	STMT_ROLLUP_PUT,
	STMT_ROLLUP_ALL,
	STMT_ROLLUP_RECOMPUTE,
	STMT_ROLLUP_CLEAR,
	STMT_ROLLUP_REBUILD,
	STMT_EXCH_MEMBER_INSERT,
	STMT_EXCH_KEY_INSERT,
	STMT_EXCH_KEY_RETIRE,
	STMT_EXCH_MEMBER_LINK,
	STMT_EXCH_MEMBERS,
	STMT_EXCH_KEYS,
	STMT_EXCH_DATASET_INSERT,
	STMT_EXCH_DATASETS,
	STMT_EXCH_BATCH_FIND,
	STMT_EXCH_BATCH_INSERT,
	STMT_EXCH_BATCH_RESENT,
	STMT_EXCH_ROW_INSERT,
	STMT_EXCH_ROWS,
	STMT_EXCH_BATCHES,
	STMT_EXCH_SUB_INSERT,
	STMT_EXCH_SUB_STATE,
	STMT_EXCH_SUBS,
	STMT_EXCH_ATTEMPT_INSERT,
	STMT_EXCH_SUB_PUSHED,
	STMT_EXCH_ATTEMPTS,
	STMT_BUNDLE_INSERT,
	STMT_BUNDLE_SERVICE_INSERT,
	STMT_BUNDLE_GET,
	STMT_BUNDLES_LIST,
	STMT_BUNDLE_MARK,
	STMT_ENT_RUN_INSERT,
	STMT_ENT_RUN_DATA_SEQ,
	STMT_ENT_INSERT,
	STMT_ENT_UPDATE,
	STMT_ENT_EVENT_INSERT,
	STMT_ENT_LIST,
	STMT_ENT_EVENTS,
	STMT_DISPATCH_CURSOR,
	STMT_DISPATCH_EVENTS,
	STMT_DISPATCH_MOVE,
	STMT_OUTBOX_INSERT,
	STMT_DELIVERY_OF,
	STMT_DELIVERY_LINK,
	STMT_OUTBOX_DUE,
	STMT_OUTBOX_MARK,
	STMT_OUTBOX_LIST,
	STMT_OUTBOX_GET,
	STMT__MAX
};

extern const char *const sq_stmt_sql[STMT__MAX];

/* Rows of the statements that insert many rows at once (*_MANY): a write of
 * many rows pays the cost of a statement (cursors opened and closed, the
 * statement's end) once per SQ_ROWS_MANY rows instead of once per row. */
enum { SQ_ROWS_MANY = 32 };

struct sq;

struct conn {
	sqlite3 *db;
	sqlite3_stmt *stmt[STMT__MAX];
	struct sq *owner;
	struct conn *next; /* in the free list of readers */
};

/* A lock of store_lock_try(): held by name within this process. */
struct store_lock {
	char name[JOB_NAME_MAX];
	struct store_lock *next;
};

struct write_job {
	enum app_err (*fn)(struct conn *c, void *arg, struct app_error *err);
	void *arg;
	struct app_error err;
	enum app_err result;
	bool done;
	/* an asynchronous job (sq_write_async): told by the writer, which frees
	 * the job; NULL for a caller waiting in sq_write_each */
	store_done_fn told;
	void *told_ctx;
	struct write_job *next;
};

struct sq {
	char *path;
	struct conn *writer;

	/* the readers' pool (sqlite.c sq_reader_acquire), under pool_mu */
	pthread_mutex_t pool_mu;
	pthread_cond_t pool_cv; /* a reader was given back or closed */
	struct conn *free_readers;
	uint64_t readers_open;    /* open, busy or free: at most READERS_MAX but
				   * for the reads that do not wait (sqlite.c
				   * readers_held, sq_stats), while they last */
	uint64_t readers_waiting; /* threads waiting for a reader now */
	uint64_t reader_waits;    /* reads that had to wait, since opening */

	pthread_mutex_t queue_mu;
	pthread_cond_t queue_cv; /* a job arrived, or stop */
	pthread_cond_t done_cv;  /* a batch finished */
	struct write_job *queue_head, *queue_tail;
	bool stopping;
	bool writer_started;
	pthread_t writer_thread;

	/* figures, written by the writer thread under queue_mu */
	uint64_t commits, jobs, failures, commit_us, max_batch;

	/* the open transaction stored messages: the search indexer has work
	 * once it commits (writer only) */
	bool messages_written;

	/* topics of the events the open transaction appended (writer only),
	 * told to the watcher once it commits */
	char (*pending_topics)[EVENT_TOPIC_MAX];
	size_t npending, cap_pending;
	pthread_mutex_t watch_mu; /* guards watch_fn and watch_ctx */
	store_watch_fn watch_fn;
	void *watch_ctx;

	pthread_mutex_t locks_mu;
	struct store_lock *locks; /* held by store_lock_try() */

	/* the search index (sqlite_index.c): its file, its connection and
	 * thread; the rest under index_mu */
	char *search_path;
	/* "<db>.lock" opened for flock(): shared while the store is open,
	 * exclusive while `bianmin search rebuild` runs (sq_index_rebuild) */
	int search_lock_fd;
	struct conn *indexer;
	pthread_t index_thread;
	bool index_started;
	pthread_mutex_t index_mu;
	pthread_cond_t index_cv;      /* kicked, or stop */
	pthread_cond_t index_done_cv; /* a batch indexed, or idle */
	bool index_kicked, index_idle, index_failed, index_stopping;
	bool index_merge; /* merge the index when idle (servers only) */
	bool index_held;  /* sq_index_hold: no batch begins (tests only) */
	int index_waiting; /* searches in sq_index_wait now */
	int64_t indexed_upto; /* every message up to this id is findable */
};

typedef enum app_err (*sq_fn)(struct conn *c, void *arg, struct app_error *err);

/* The search index (sqlite_index.c). On the indexer's connection (the
 * index file attached as "search"): create or upgrade the index's tables. */
enum app_err sq_index_prepare(struct conn *c, struct app_error *err);
/* Let the indexer merge the index's segments when it is idle (a server's
 * upkeep: store_upkeep_when_idle), and wake it to begin. */
void sq_index_merge_when_idle(struct store *s);
/* Open "<db>.lock" (creating it empty) and hold a shared flock() on it
 * until the store closes (q->search_lock_fd): APP_EUNAVAIL while a
 * `bianmin search rebuild` holds it exclusively. */
enum app_err sq_index_lock(struct sq *q, struct app_error *err);
/* Rebuild the index from the messages table (store_search_rebuild). */
enum app_err sq_index_rebuild(struct store *s, struct app_error *err);
/* Start the indexer thread on q->indexer; stop it (a no-op if not started). */
enum app_err sq_index_start(struct sq *q, struct app_error *err);
void sq_index_stop(struct sq *q);
/* Messages were committed: index them soon. */
void sq_index_kick(struct sq *q);
/* Wait until every message up to id is indexed, at most timeout_ms (or
 * until the indexer fails). */
void sq_index_wait(struct sq *q, int64_t id, int timeout_ms);
/* For tests: hold the indexer before its next batch (hold true) until let
 * go (false), so the index lags behind what is posted; and the searches
 * waiting for the index now (in sq_index_wait). */
void sq_index_hold(struct sq *q, bool hold);
int sq_index_waiting(struct sq *q);

/* The backend state of s. */
struct sq *sq_impl(struct store *s);

/* Record a database failure while doing `what`; returns APP_EDB. */
enum app_err sq_db_fail(struct app_error *err, sqlite3 *db, const char *what);

/* Statement id on c, prepared once per connection, reset and unbound; NULL on failure. */
sqlite3_stmt *sq_stmt(struct conn *c, enum stmt_id id, struct app_error *err);
/* Step st once (to a row or the end), then reset it. */
enum app_err sq_step_done(struct conn *c, sqlite3_stmt *st, const char *what,
			  struct app_error *err);
/* Prepare and step a statement without parameters. */
enum app_err sq_run(struct conn *c, enum stmt_id id, const char *what, struct app_error *err);

/* A read connection of the pool, for this thread until given back with
 * sq_reader_release; waits while all READERS_MAX are busy (unless this
 * thread already holds one: then it opens one more). NULL with err set when
 * one cannot be opened. */
struct conn *sq_reader_acquire(struct sq *q, struct app_error *err);
void sq_reader_release(struct sq *q, struct conn *c);
/* Step an insert or update st once, then reset it. A failure is classified:
 * a unique key APP_ECONFLICT (a phone or ID number says which, in field), a
 * missing referenced row APP_EINVAL, anything else APP_EDB. */
enum app_err sq_step_write(struct conn *c, sqlite3_stmt *st, const char *what,
			   struct app_error *err);

/* Run fn on a read connection of the pool. */
enum app_err sq_read(struct store *s, sq_fn fn, void *arg, struct app_error *err);
/* Run fn on the writer inside the next group commit; returns once durable. */
enum app_err sq_write(struct store *s, sq_fn fn, void *arg, struct app_error *err);
/*
 * Queue fn to run on the writer inside the next group commit and return at
 * once; done(ctx, result, err) is called exactly once, on the writer's
 * thread after the commit is durable (or failed), or here at once with
 * APP_EUNAVAIL when the database is closing. arg must live until then. done
 * must not block nor queue a write of its own.
 */
void sq_write_async(struct store *s, sq_fn fn, void *arg, store_done_fn done, void *ctx);
/*
 * Run fn once for each of args[0..n) (n >= 1) on the writer, each inside its
 * own savepoint (a failing call is rolled back alone), all in the same
 * group commit; returns once durable. results[i] and errs[i] say how each
 * went; a failed commit fails them all. APP_OK, or APP_EUNAVAIL when the
 * database is closing (then too in every result, and nothing ran).
 */
enum app_err sq_write_each(struct store *s, sq_fn fn, void *const *args, int n,
			   enum app_err *results, struct app_error *errs);

/* Copy text column col of st into dst (cap bytes, cap > 0: asserted), cut
 * to cap - 1 bytes as snprintf would, "" for NULL. */
void sq_copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col);
/* Bind v (NULL as "") to parameter i of st, not copied: v must live until
 * st is reset. */
void sq_bind_text(sqlite3_stmt *st, int i, const char *v);

/* What m->patrol says, written with m inside the writer's transaction
 * (sqlite_patrol.c): the patrol's inbox, the watch of its question, the
 * end of the watch of what it answers. */
enum app_err sq_patrol_note_message(struct conn *c, const struct message *m,
				    struct app_error *err);

/* Append note to the audit chain, inside the writer's transaction. */
enum app_err sq_audit_append(struct conn *c, const struct audit_note *note,
			     struct app_error *err);

/* Remember that the open transaction carries an event of topic (writer only). */
void sq_pending_topic(struct sq *q, const char *topic);
/* Append an event inside the writer's transaction; the watcher hears of it
 * once the transaction commits. *id (may be NULL) receives its id. */
enum app_err sq_event_append(struct conn *c, const struct event_note *ev, int64_t *id,
			     struct app_error *err);
/* Append evs[0..n) in their order, as sq_event_append does each, with
 * SQ_ROWS_MANY of them at a time in one statement. A failure can leave part
 * of a statement's rows written (INSERT OR FAIL keeps no statement journal
 * to undo them), and the statements before it: call it inside a job's
 * savepoint, as every sq_write job runs, which takes them back. */
enum app_err sq_events_append(struct conn *c, const struct event_note *evs, int n,
			      struct app_error *err);

/* Replace the data of every event about subject, inside the writer's
 * transaction (what they told is withdrawn). */
enum app_err sq_events_rewrite(struct conn *c, const char *subject, const char *data,
			       struct app_error *err);

/* A row of MESSAGE_COLS (sqlite_messages.c) and of AUDIT_COLS
 * (sqlite_audit.c) at the current step of st, for the patrol's reads. */
void sq_message_read(sqlite3_stmt *st, struct message *m);
void sq_audit_read(sqlite3_stmt *st, struct audit_record *r);

/* The domain parts of the backend, one per file. */
extern const struct store_region_ops sq_region_ops;
extern const struct store_audit_ops sq_audit_ops;
extern const struct store_account_ops sq_account_ops;
extern const struct store_event_ops sq_event_ops;
extern const struct store_sched_ops sq_sched_ops;
extern const struct store_group_ops sq_group_ops;
extern const struct store_message_ops sq_message_ops;
extern const struct store_calendar_ops sq_calendar_ops;
extern const struct store_case_ops sq_case_ops;
extern const struct store_case_photo_ops sq_case_photo_ops;
extern const struct store_case_settings_ops sq_case_settings_ops;
extern const struct store_patrol_ops sq_patrol_ops;
extern const struct store_stats_ops sq_stats_ops;
/* The statistics rollup's part of a write of case k on the writer
 * (sqlite_stats.c), before k's new timeline lines steps[0..nsteps) are
 * stored: old is the case as stored before the change, NULL for a new one. */
enum app_err sq_stats_case_change(struct conn *c, const struct case_row *old,
				  const struct case_row *k, const struct case_event_row *steps,
				  int nsteps, struct app_error *err);
extern const struct store_supervise_ops sq_supervise_ops;
extern const struct store_exchange_ops sq_exchange_ops;
extern const struct store_entitle_ops sq_entitle_ops;
extern const struct store_bundle_ops sq_bundle_ops;
extern const struct store_outbox_ops sq_outbox_ops;
/* Insert case k as store_case_insert does, inside the writer's transaction
 * (sqlite_cases.c): k->id and k->county are set. */
enum app_err sq_case_insert_in(struct conn *c, struct case_row *k,
			       const struct case_event_row *steps, int nsteps,
			       const struct audit_note *note, const struct event_note *events,
			       int nevents, struct app_error *err);

#endif
