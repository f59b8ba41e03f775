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

#include <stdatomic.h>

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

struct store_event_ops {
	enum app_err (*publish)(struct store *s, const struct event_note *ev, int64_t *id,
				struct app_error *err);
	enum app_err (*after)(struct store *s, const char *topic, int64_t after, int limit,
			      store_event_fn fn, void *ctx, struct app_error *err);
	enum app_err (*head)(struct store *s, int64_t *id, struct app_error *err);
	enum app_err (*watch)(struct store *s, store_watch_fn fn, void *ctx,
			      struct app_error *err);
	void (*unwatch)(struct store *s);
};

struct store_sched_ops {
	enum app_err (*job_claim)(struct store *s, const char *name, int64_t slot,
				  const char *node, int64_t now, int64_t *run_id,
				  struct app_error *err);
	enum app_err (*job_finish)(struct store *s, int64_t run_id, int64_t now, bool ok,
				   const char *detail, struct app_error *err);
	enum app_err (*job_runs)(struct store *s, const char *name, int limit,
				 store_job_run_fn fn, void *ctx, struct app_error *err);
	enum app_err (*lock_try)(struct store *s, const char *name, struct store_lock **out,
				 struct app_error *err);
	void (*lock_release)(struct store *s, struct store_lock *lock);
	enum app_err (*purge)(struct store *s, int64_t now, int64_t sessions_before,
			      int64_t attempts_before, int64_t events_before,
			      struct store_purge_counts *out, struct app_error *err);
	enum app_err (*maintain)(struct store *s, int64_t now, char *detail, size_t cap,
				 struct app_error *err);
};

struct store_group_ops {
	enum app_err (*sync)(struct store *s, const char *within, int64_t now,
			     const struct audit_note *note, struct group_sync_counts *counts,
			     struct app_error *err);
	enum app_err (*create)(struct store *s, const struct group *g,
			       const struct audit_note *note, int64_t *id, struct app_error *err);
	enum app_err (*get)(struct store *s, int64_t id, struct group *out, struct app_error *err);
	enum app_err (*head)(struct store *s, int64_t id, struct group *out, struct app_error *err);
	enum app_err (*by_join_code)(struct store *s, const char *code, struct group *out,
				     struct app_error *err);
	enum app_err (*update)(struct store *s, const struct group *g,
			       const struct audit_note *note, struct app_error *err);
	enum app_err (*list)(struct store *s, const char *within, const char *kind,
			     int64_t after_id, int limit, store_group_fn fn, void *ctx,
			     struct app_error *err);
	enum app_err (*member_put)(struct store *s, const struct group_member *m,
				   const struct audit_note *note, struct app_error *err);
	enum app_err (*member_get)(struct store *s, int64_t group_id, int64_t user_id,
				   struct group_member *out, struct app_error *err);
	enum app_err (*members)(struct store *s, int64_t group_id, const char *state,
				int64_t after_user, int limit, store_member_fn fn, void *ctx,
				struct app_error *err);
	enum app_err (*member_groups)(struct store *s, int64_t user_id, store_member_fn fn,
				      void *ctx, struct app_error *err);
	enum app_err (*roster_import)(struct store *s, int64_t group_id,
				      const struct roster_row *rows, size_t n, int64_t now,
				      const struct audit_note *note, struct roster_counts *counts,
				      struct app_error *err);
	enum app_err (*duty_rota_set)(struct store *s, int64_t group_id, const int64_t users[7],
				      const struct audit_note *note, struct app_error *err);
	enum app_err (*duty_override_set)(struct store *s, int64_t group_id,
					  const struct duty_override *o,
					  const struct audit_note *note, struct app_error *err);
	enum app_err (*duty_leave_add)(struct store *s, int64_t group_id,
				       const struct duty_leave *l, const struct audit_note *note,
				       int64_t *id, struct app_error *err);
	enum app_err (*duty_leave_remove)(struct store *s, int64_t group_id, int64_t leave_id,
					  const struct audit_note *note, struct app_error *err);
	enum app_err (*duty_get)(struct store *s, int64_t group_id, int first_day, int last_day,
				 struct duty_data *out, struct app_error *err);
};

struct store_message_ops {
	enum app_err (*post)(struct store *s, struct message *m, store_message_json_fn json,
			     struct app_error *err);
	/* NULL when the backend has no writer queue */
	void (*post_async)(struct store *s, struct message *m, store_message_json_fn json,
			   store_done_fn done, void *ctx);
	enum app_err (*get)(struct store *s, int64_t id, struct message *out,
			    struct app_error *err);
	enum app_err (*list)(struct store *s, int64_t group_id, int64_t after, int64_t before,
			     int limit, store_message_fn fn, void *ctx, struct app_error *err);
	enum app_err (*set_state)(struct store *s, const struct message *m,
				  const struct audit_note *note, store_message_json_fn json,
				  struct app_error *err);
	enum app_err (*search)(struct store *s, const char *query,
			       const struct message_scope *scope, int64_t group_id, int limit,
			       store_message_fn fn, void *ctx, struct app_error *err);
	enum app_err (*ingest)(struct store *s, const char *const *keys, size_t n,
			       store_ingest_fill_fn fill, void *ctx, store_message_json_fn json,
			       struct ingest_counts *counts, struct app_error *err);
	enum app_err (*ingest_queue)(struct store *s, const char *const *keys,
				     const void *const *item, const size_t *item_len, size_t n,
				     struct ingest_counts *counts, int64_t *call_id,
				     struct app_error *err);
	enum app_err (*ingest_pending)(struct store *s, store_ingest_call_fn fn, void *ctx,
				       struct app_error *err);
	enum app_err (*ingest_backlog)(struct store *s, struct ingest_backlog *out,
				       struct app_error *err);
	enum app_err (*ingest_load)(struct store *s, const int64_t *calls, const size_t *first,
				    size_t ncalls, store_ingest_fill_fn fill, void *ctx,
				    store_message_json_fn json, bool *loaded,
				    struct app_error *err);
	enum app_err (*ingest_fail)(struct store *s, int64_t id, const char *reason,
				    struct app_error *err);
	enum app_err (*broadcast)(struct store *s, struct message *m, const char *within,
				  const struct audit_note *note, store_message_json_fn json,
				  int64_t *broadcast_id, int64_t *groups, struct app_error *err);
	enum app_err (*deliveries)(struct store *s, int64_t broadcast_id, int64_t *from_group,
				   store_delivery_fn fn, void *ctx, struct app_error *err);
	enum app_err (*attachment_put)(struct store *s, const struct attachment *a,
				       struct app_error *err);
	enum app_err (*attachment_get)(struct store *s, const char *sha256, int64_t group_id,
				       struct attachment *out, struct app_error *err);
	enum app_err (*attachment_shown)(struct store *s, const char *sha256, int64_t group_id,
					 bool *shown, struct app_error *err);
};

struct store_calendar_ops {
	enum app_err (*put)(struct store *s, const struct calendar_row *rows, size_t n,
			    const struct audit_note *note, struct app_error *err);
	enum app_err (*list)(struct store *s, int first_day, int last_day, store_calendar_fn fn,
			     void *ctx, struct app_error *err);
};

struct store_case_ops {
	enum app_err (*insert)(struct store *s, struct case_row *c,
			       const struct case_event_row *steps, int nsteps,
			       const struct audit_note *note, const struct event_note *events,
			       int nevents, struct app_error *err);
	/* changes that passed the shared checks, in one transaction: results[i]
	 * and errs[i] say how each went (as pg_write_each/sq_write_each) */
	enum app_err (*update)(struct store *s, struct case_change *const *ch, int n,
			       enum app_err *results, struct app_error *errs);
	enum app_err (*get)(struct store *s, int64_t id, struct case_row *out,
			    struct app_error *err);
	enum app_err (*get_many)(struct store *s, const int64_t *ids, int n, store_case_fn fn,
				 void *ctx, struct app_error *err);
	enum app_err (*events)(struct store *s, int64_t case_id, store_case_event_fn fn, void *ctx,
			       struct app_error *err);
	enum app_err (*due)(struct store *s, int64_t now, int limit, int64_t *ids, int *n,
			    struct app_error *err);
	enum app_err (*list)(struct store *s, const struct case_query *q, store_case_fn fn,
			     void *ctx, struct app_error *err);
	enum app_err (*events_between)(struct store *s, const struct case_event_query *q,
				       store_case_event_fn fn, void *ctx, struct app_error *err);
};

/* what hangs off a case (sqlite_case_photos.c, pg_case_photos.c): its
 * photos, and the message it was raised from */
struct store_case_photo_ops {
	enum app_err (*add)(struct store *s, const struct case_photo *p, int max,
			    const struct case_event_row *line, const struct audit_note *note,
			    const struct event_note *events, int nevents, struct case_photo *out,
			    bool *added, struct app_error *err);
	enum app_err (*list)(struct store *s, int64_t case_id, store_case_photo_fn fn, void *ctx,
			     struct app_error *err);
	enum app_err (*get)(struct store *s, int64_t case_id, const char *sha256,
			    struct case_photo *out, struct app_error *err);
	enum app_err (*of_message)(struct store *s, int64_t message_id, int64_t *id,
				   struct app_error *err);
};

/* what a county configures for its cases (sqlite_case_settings.c,
 * pg_case_settings.c) */
struct store_case_settings_ops {
	enum app_err (*version)(struct store *s, const char *county, int64_t *version,
				struct app_error *err);
	enum app_err (*load)(struct store *s, const char *county, int64_t *version,
			     store_case_setting_fn sfn, store_case_category_fn cfn, void *ctx,
			     struct app_error *err);
	enum app_err (*put)(struct store *s, const char *county, const struct case_setting_row *rows,
			    size_t n, const struct audit_note *note, struct app_error *err);
	enum app_err (*categories_put)(struct store *s, const char *county,
				       const struct case_category_row *rows, size_t n,
				       const struct audit_note *note, struct app_error *err);
};

/* the smart patrol's reads, its watch list and its alerts (sqlite_patrol.c,
 * pg_patrol.c) */
struct store_patrol_ops {
	enum app_err (*mark)(struct store *s, const char *kind, int64_t *out, struct app_error *err);
	enum app_err (*messages)(struct store *s, int64_t after, int limit,
				 store_patrol_message_fn fn, void *ctx, struct app_error *err);
	enum app_err (*due)(struct store *s, int64_t now, int limit, store_patrol_due_fn fn,
			    void *ctx, struct app_error *err);
	enum app_err (*case_lines)(struct store *s, int64_t after, int limit,
				   store_patrol_case_line_fn fn, void *ctx, struct app_error *err);
	enum app_err (*groups)(struct store *s, int64_t after, int limit,
			       store_patrol_group_fn fn, void *ctx, struct app_error *err);
	enum app_err (*demands)(struct store *s, int64_t after, int limit,
				store_patrol_demand_fn fn, void *ctx, struct app_error *err);
	enum app_err (*repeats)(struct store *s, const struct patrol_repeat_query *q,
				int64_t *out, struct app_error *err);
	enum app_err (*hides)(struct store *s, int64_t after, int limit, store_audit_fn fn,
			      void *ctx, struct app_error *err);
	enum app_err (*save)(struct store *s, struct patrol_save *ps, struct app_error *err);
	enum app_err (*alerts)(struct store *s, const struct alert_query *q, store_alert_fn fn,
			       void *ctx, struct app_error *err);
	enum app_err (*alert_get)(struct store *s, int64_t id, struct alert *out,
				  struct app_error *err);
	enum app_err (*alert_ack)(struct store *s, struct alert *a, int64_t user, int64_t at,
				  const struct audit_note *note, store_alert_json_fn json,
				  struct app_error *err);
	enum app_err (*alert_close)(struct store *s, struct alert *a, int64_t user, int64_t at,
				    const struct audit_note *note, store_alert_json_fn json,
				    struct app_error *err);
};

/* 督办 (sqlite_supervise.c, pg_supervise.c) */
struct store_supervise_ops {
	enum app_err (*insert)(struct store *s, struct supervision *v,
			       const struct supervision_write *w, struct app_error *err);
	enum app_err (*get)(struct store *s, int64_t id, struct supervision *out,
			    struct app_error *err);
	enum app_err (*ack)(struct store *s, int64_t id, bool notice,
			    const struct supervision_write *w, struct supervision *out,
			    struct app_error *err);
	enum app_err (*open)(struct store *s, int64_t after_id, int limit,
			     store_supervision_open_fn fn, void *ctx, struct app_error *err);
	enum app_err (*settle)(struct store *s, int64_t id, const char *state, const char *period,
			       const struct supervision_write *w, struct app_error *err);
	enum app_err (*notices)(struct store *s, const char *period, const char *region,
				store_supervision_fn fn, void *ctx, struct app_error *err);
};

/* the statistics of demands (sqlite_stats.c, pg_stats.c) */
struct store_stats_ops {
	enum app_err (*read)(struct store *s, const struct stats_query *q, store_stats_part_fn fn,
			     void *ctx, struct app_error *err);
	enum app_err (*verify)(struct store *s, store_stats_diff_fn fn, void *ctx, int64_t *diffs,
			       struct app_error *err);
	enum app_err (*rebuild)(struct store *s, struct app_error *err);
};

/*
 * The rollup's pieces both backends share (store_stats.c), so that the
 * arithmetic and the format of its rows live in one place.
 */

/* A row of the rollup: times is its "seconds:count,..." histogram. */
struct stats_rollup_row {
	char region[16];
	int64_t day;
	int64_t n[STATS_COUNTS_N];
	int64_t acknowledged;
	struct strbuf times;
};
void store_stats_row_init(struct stats_rollup_row *r);
void store_stats_row_release(struct stats_rollup_row *r);
/* Add c to r (sign 1) or take it away (sign -1). */
void store_stats_row_add(struct stats_rollup_row *r, const struct stats_contrib *c, int sign);

/* Add (sign 1) or take away (sign -1) c in the rollup row of c->region
 * and c->day, creating it when missing: the backend's read-modify-write. */
typedef enum app_err (*store_stats_apply_fn)(void *ctx, const struct stats_contrib *c, int sign,
					     struct app_error *err);
/*
 * The rollup's part of a change of a case: before and after are its
 * contributions (NULL when it counted nowhere); apply takes away the one
 * and adds the other, rows in (region, day) order so that two writers lock
 * them in the same order; nothing when they are equal.
 */
enum app_err store_stats_change(const struct stats_contrib *before,
				const struct stats_contrib *after, store_stats_apply_fn apply,
				void *ctx, struct app_error *err);

/* The COUNTS and TIMES parts from the rollup in one pass: rows (unit,
 * counts, times), a unit's rows together, are summed per unit (the counts,
 * and the times into a histogram); each unit's COUNTS row (when it has
 * demands) and its median and p90 TIMES rows are handed to fn as the
 * parts' contract says. With total (a read's q->total) the histogram is
 * also summed over all units, its ranks handed on last as unit NULL. */
struct stats_acc {
	store_stats_part_fn fn;
	void *ctx;
	char unit[DIVISION_CODE_MAX + 1];
	int64_t n[STATS_COUNTS_N];
	int64_t *hist, *all; /* owned; all only with total */
	int64_t count, all_count;
};
void store_stats_acc_init(struct stats_acc *a, bool total, store_stats_part_fn fn, void *ctx);
/* Add a rollup row: n holds its STATS_COUNTS_N counts, times its histogram. */
void store_stats_acc_row(struct stats_acc *a, const char *unit, const int64_t *n,
			 const char *times);
/* Hand on the last unit (and the total) unless !hand_on (the read failed),
 * and free a. */
void store_stats_acc_finish(struct stats_acc *a, bool hand_on);

/* Verifying: the stored rows and the recomputed ones are collected (each
 * add takes r's contents, leaving r empty), then compared. */
struct stats_verify {
	struct stats_rollup_row *have, *want; /* owned */
	size_t nhave, nwant, capi, capw;
};
void store_stats_verify_add(struct stats_verify *v, bool stored, struct stats_rollup_row *r);
/* Compare, hand each difference to fn, free v; returns their number. */
int64_t store_stats_verify_finish(struct stats_verify *v, store_stats_diff_fn fn, void *ctx);

/* the data-sharing exchange (sqlite_exchange.c, pg_exchange.c) */
struct store_exchange_ops {
	enum app_err (*member_add)(struct store *s, struct exchange_member *m,
				   const struct audit_note *note, struct app_error *err);
	enum app_err (*member_rotate)(struct store *s, const char *code, const char *public_key,
				      int64_t at, const struct audit_note *note, int64_t *key_id,
				      struct app_error *err);
	enum app_err (*member_link)(struct store *s, const char *code, int64_t api_key_id,
				    const struct audit_note *note, struct app_error *err);
	enum app_err (*members)(struct store *s, const char *code, int64_t api_key_id,
				store_exchange_member_fn fn, void *ctx, struct app_error *err);
	enum app_err (*keys)(struct store *s, const char *code, store_exchange_key_fn fn, void *ctx,
			     struct app_error *err);
	enum app_err (*dataset_add)(struct store *s, const struct exchange_dataset *d,
				    const struct audit_note *note, struct app_error *err);
	enum app_err (*datasets)(struct store *s, const char *code, store_exchange_dataset_fn fn,
				 void *ctx, struct app_error *err);
	enum app_err (*batch_put)(struct store *s, struct exchange_batch *b,
				  const char *const *rows, const struct audit_note *note,
				  const struct audit_note *resent_note, bool *resent,
				  struct app_error *err);
	enum app_err (*batches)(struct store *s, const char *dataset, int64_t after, int limit,
				store_exchange_batch_fn fn, void *ctx, struct app_error *err);
	enum app_err (*rows)(struct store *s, const char *dataset, int64_t after, int batches,
			     store_exchange_row_fn fn, void *ctx, struct app_error *err);
	enum app_err (*sub_add)(struct store *s, struct exchange_subscription *x,
				const struct audit_note *note, struct app_error *err);
	enum app_err (*sub_state)(struct store *s, int64_t id, enum exchange_sub_state from,
				  enum exchange_sub_state to, const char *approved_by,
				  int64_t due_at, const struct audit_note *note,
				  struct app_error *err);
	enum app_err (*subs)(struct store *s, const struct exchange_sub_query *q,
			     store_exchange_sub_fn fn, void *ctx, struct app_error *err);
	enum app_err (*attempt_add)(struct store *s, const struct exchange_attempt *a,
				    bool delivered, const struct audit_note *note,
				    struct app_error *err);
	enum app_err (*attempts)(struct store *s, int64_t subscription,
				 store_exchange_attempt_fn fn, void *ctx, struct app_error *err);
};

/* entitlements of 免申即享 (sqlite_entitle.c, pg_entitle.c) */
struct store_entitle_ops {
	enum app_err (*apply)(struct store *s, struct entitlement_run *run,
			      struct entitlement_change *changes, size_t n, int64_t at,
			      const char *actor, const struct audit_note *note,
			      struct app_error *err);
	enum app_err (*list)(struct store *s, const struct entitlement_query *q,
			     store_entitlement_fn fn, void *ctx, struct app_error *err);
	enum app_err (*events)(struct store *s, int64_t id, store_entitlement_event_fn fn,
			       void *ctx, struct app_error *err);
	enum app_err (*data_seq)(struct store *s, const char *programme, int64_t *seq,
				 struct app_error *err);
};

/* 一件事 bundles (sqlite_bundles.c, pg_bundles.c) */
struct store_bundle_ops {
	enum app_err (*start)(struct store *s, struct bundle *b, const struct audit_note *note,
			      struct app_error *err);
	enum app_err (*get)(struct store *s, int64_t id, struct bundle *out, struct app_error *err);
	enum app_err (*list)(struct store *s, const struct bundle_query *q, store_bundle_fn fn,
			     void *ctx, struct app_error *err);
	enum app_err (*mark)(struct store *s, int64_t id, const char *code, const char *state,
			     const char *note, int64_t at, const char *by,
			     const struct audit_note *audit, struct app_error *err);
};

/* notifications and delivery tasks of entitlements (sqlite_outbox.c, pg_outbox.c) */
struct store_outbox_ops {
	enum app_err (*cursor)(struct store *s, int64_t *last, struct app_error *err);
	enum app_err (*events)(struct store *s, int64_t after, int limit, store_dispatch_fn fn,
			       void *ctx, struct app_error *err);
	enum app_err (*apply)(struct store *s, struct dispatch_step *d, int n, int *stored,
			      struct app_error *err);
	enum app_err (*delivery_of)(struct store *s, int64_t entitlement, int64_t *case_id,
				    struct app_error *err);
	enum app_err (*due)(struct store *s, int64_t now, int limit, store_outbox_fn fn,
			    void *ctx, struct app_error *err);
	enum app_err (*mark)(struct store *s, const struct outbox_row *o,
			     const struct audit_note *note, struct app_error *err);
	enum app_err (*list)(struct store *s, const struct outbox_query *q, store_outbox_fn fn,
			     void *ctx, struct app_error *err);
	enum app_err (*get)(struct store *s, int64_t id, struct outbox_row *out,
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
	void (*upkeep_when_idle)(struct store *s); /* NULL: the backend has none */
	enum app_err (*search_rebuild)(struct store *s, struct app_error *err);
	const struct store_region_ops *regions;
	const struct store_audit_ops *audit;
	const struct store_account_ops *accounts;
	const struct store_event_ops *events;
	const struct store_sched_ops *sched;
	const struct store_group_ops *groups;
	const struct store_message_ops *messages;
	const struct store_calendar_ops *calendar;
	const struct store_case_ops *cases;
	const struct store_case_photo_ops *case_photos;
	const struct store_case_settings_ops *case_settings;
	const struct store_patrol_ops *patrol;
	const struct store_stats_ops *case_stats;
	const struct store_supervise_ops *supervise;
	const struct store_exchange_ops *exchange;
	const struct store_entitle_ops *entitle;
	const struct store_bundle_ops *bundles;
	const struct store_outbox_ops *outbox;
};

struct store {
	const struct store_ops *ops;
	void *impl;      /* the backend's own state */
	uint64_t serial; /* store_serial() */
	atomic_uint_fast64_t roster_fallbacks; /* store_stats() */
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

/* ---- shared by the backends (store_messages.c) ---- */

/* Mentions of m as "12,34" into out (cap bytes), and back. */
void store_mentions_format(const struct message *m, char *out, size_t cap);
void store_mentions_parse(const char *s, struct message *m);

/* Append one event inside the backend's open transaction. */
typedef enum app_err (*store_event_append_fn)(void *ctx, const struct event_note *ev,
					      struct app_error *err);
/* Replace the data of the events about subject, in the open transaction. */
typedef enum app_err (*store_event_rewrite_fn)(void *ctx, const char *subject, const char *data,
					       struct app_error *err);
/*
 * The events of stored message m (their subject "message:<id>"): kind on
 * its group's topic and, for a new message (kind "message"), a "mention" on
 * each mentioned person's topic, each with json(m) as data, handed to
 * append. For a change (any other kind), rewrite first replaces the data
 * of the message's earlier events with json(m), so a replay shows only
 * what may be seen now.
 */
enum app_err store_message_events(const struct message *m, const char *kind,
				  store_message_json_fn json, store_event_append_fn append,
				  store_event_rewrite_fn rewrite, void *ctx, struct app_error *err);

/* ---- shared by the backends (store_cases.c) ---- */

/*
 * Append events[0..n) through append, inside the backend's open
 * transaction. With id > 0 (a case just inserted) every "{id}" in an
 * event's topic, data and subject is replaced by id first. APP_EINVAL when
 * an event, so filled, no longer fits (store.c checked them as given).
 */
enum app_err store_case_announce(int64_t id, const struct event_note *events, int n,
				 store_event_append_fn append, void *ctx, struct app_error *err);
/*
 * The audit note of a case just inserted: note with every "{id}" in its
 * object and summary replaced by id. The texts are kept in object and
 * summary (the caller releases them); the result points into them.
 */
struct audit_note store_case_note(const struct audit_note *note, int64_t id,
				  struct strbuf *object, struct strbuf *summary);

/* ---- shared by the backends (store_groups.c): a roster's lines ---- */

/* Append the phones of rows[0..n) to out as a JSON array of strings. */
void store_roster_phones_json(const struct roster_row *rows, size_t n, struct strbuf *out);
/*
 * Append the persons new to the database (rows neither known[i] nor
 * repeat) to out as a JSON array of [name, phone, id_number, address], in
 * line order; returns how many.
 */
size_t store_roster_new_json(const struct roster_row *rows, size_t n, const bool *known,
			     struct strbuf *out);
/*
 * Note that the set-based step of a roster import into group_id failed
 * with why (a conflict or invalid input, APP_ECONFLICT or APP_EINVAL) and
 * the line-by-line path ran instead: a warning naming the constraint (the
 * backend's name for it, never a value) and store_stats().roster_fallbacks.
 */
void store_roster_fell_back(struct store *s, int64_t group_id, const char *constraint,
			    const struct app_error *why);

/* Migrations compiled into the binary (generated from sql/<backend>/). */
struct store_migration {
	const char *name; /* file name, e.g. "0001_regions.sql"; version = leading number */
	const char *data;
	size_t len;
};
/*
 * OK when no migration is missing below the database's version: every one
 * of the n KNOWN migrations numbered up to CURRENT (the highest recorded)
 * is among the APPLIED recorded ones. A database migrated by a build that
 * lacked one (numbered below a later one it had) would otherwise pass as up
 * to date and fail at the first use of what the missing one makes.
 */
enum app_err store_migrations_complete(const struct store_migration *known, size_t n,
				       int current, int applied, struct app_error *err);
extern const struct store_migration store_sqlite_migrations[];
extern const size_t store_sqlite_migrations_count;
extern const struct store_migration store_pg_migrations[];
extern const size_t store_pg_migrations_count;

#endif
