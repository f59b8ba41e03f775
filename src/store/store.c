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
	static _Atomic uint64_t opened;
	struct store *s = xcalloc(1, sizeof(*s));
	s->ops = backend_for(uri);
	s->serial = ++opened;
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

uint64_t store_serial(const struct store *s) { return s->serial; }

enum app_err store_search_rebuild(struct store *s, struct app_error *err)
{
	return s->ops->search_rebuild(s, err);
}

void store_upkeep_when_idle(struct store *s)
{
	if (s->ops->upkeep_when_idle)
		s->ops->upkeep_when_idle(s);
}

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

enum app_err store_migrations_complete(const struct store_migration *known, size_t n,
				       int current, int applied, struct app_error *err)
{
	int below = 0;
	for (size_t i = 0; i < n; i++)
		below += atoi(known[i].name) <= current;
	if (applied >= below)
		return APP_OK;
	return app_fail(err, APP_EDB,
			"database schema is at version %d but lacks %d of the earlier migrations of this "
			"bianmin (a build without them migrated it): restore a backup taken before that",
			current, below - applied);
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
	out->roster_fallbacks = atomic_load_explicit(&s->roster_fallbacks, memory_order_relaxed);
}

/* ---- live events ---- */

static bool event_field_ok(const char *v, size_t cap) { return v && *v && strlen(v) < cap; }

/* Whether ev can be stored and sent (store_event_publish's rules). */
static enum app_err event_check(const struct event_note *ev, struct app_error *err)
{
	if (!event_field_ok(ev->topic, EVENT_TOPIC_MAX) || !event_field_ok(ev->kind, EVENT_KIND_MAX) ||
	    !event_field_ok(ev->data, EVENT_DATA_MAX) || !ev->county || strlen(ev->county) > 6)
		return app_fail(err, APP_EINVAL, "an event needs a topic, a kind and data that fit");
	/* each goes out as one line of an event stream */
	if (strpbrk(ev->topic, "\r\n") || strpbrk(ev->kind, "\r\n") || strpbrk(ev->data, "\r\n"))
		return app_fail(err, APP_EINVAL, "an event's fields must be single lines");
	return APP_OK;
}

enum app_err store_event_publish(struct store *s, const struct event_note *ev, int64_t *id,
				 struct app_error *err)
{
	enum app_err rc = event_check(ev, err);
	if (rc != APP_OK)
		return rc;
	int64_t ignored;
	return s->ops->events->publish(s, ev, id ? id : &ignored, err);
}

enum app_err store_events_after(struct store *s, const char *topic, int64_t after, int limit,
				store_event_fn fn, void *ctx, struct app_error *err)
{
	return s->ops->events->after(s, topic, after, limit, fn, ctx, err);
}

enum app_err store_events_head(struct store *s, int64_t *id, struct app_error *err)
{
	return s->ops->events->head(s, id, err);
}

enum app_err store_events_watch(struct store *s, store_watch_fn fn, void *ctx,
				struct app_error *err)
{
	return s->ops->events->watch(s, fn, ctx, err);
}

void store_events_unwatch(struct store *s) { s->ops->events->unwatch(s); }

/* ---- scheduled jobs and housekeeping ---- */

enum app_err store_job_claim(struct store *s, const char *name, int64_t slot, const char *node,
			     int64_t now, int64_t *run_id, struct app_error *err)
{
	if (!event_field_ok(name, JOB_NAME_MAX) || !event_field_ok(node, JOB_NODE_MAX))
		return app_fail(err, APP_EINVAL, "a job claim needs a job and a node name that fit");
	*run_id = 0;
	return s->ops->sched->job_claim(s, name, slot, node, now, run_id, err);
}

enum app_err store_job_finish(struct store *s, int64_t run_id, int64_t now, bool ok,
			      const char *detail, struct app_error *err)
{
	return s->ops->sched->job_finish(s, run_id, now, ok, detail ? detail : "", err);
}

enum app_err store_job_runs(struct store *s, const char *name, int limit, store_job_run_fn fn,
			    void *ctx, struct app_error *err)
{
	return s->ops->sched->job_runs(s, name ? name : "", limit, fn, ctx, err);
}

enum app_err store_lock_try(struct store *s, const char *name, struct store_lock **out,
			    struct app_error *err)
{
	*out = NULL;
	return s->ops->sched->lock_try(s, name, out, err);
}

void store_lock_release(struct store *s, struct store_lock *lock)
{
	if (lock)
		s->ops->sched->lock_release(s, lock);
}

enum app_err store_purge(struct store *s, int64_t now, int64_t sessions_before,
			 int64_t attempts_before, int64_t events_before,
			 struct store_purge_counts *out, struct app_error *err)
{
	memset(out, 0, sizeof(*out));
	return s->ops->sched->purge(s, now, sessions_before, attempts_before, events_before, out,
				    err);
}

enum app_err store_maintain(struct store *s, int64_t now, char *detail, size_t cap,
			    struct app_error *err)
{
	if (cap)
		detail[0] = '\0';
	return s->ops->sched->maintain(s, now, detail, cap, err);
}

/* ---- service groups and duty ---- */

enum app_err store_groups_sync(struct store *s, const char *within, int64_t now,
			       const struct audit_note *note, struct group_sync_counts *counts,
			       struct app_error *err)
{
	memset(counts, 0, sizeof(*counts));
	return s->ops->groups->sync(s, within ? within : "", now, note, counts, err);
}

enum app_err store_group_create(struct store *s, const struct group *g,
				const struct audit_note *note, int64_t *id, struct app_error *err)
{
	return s->ops->groups->create(s, g, note, id, err);
}

enum app_err store_group_get(struct store *s, int64_t id, struct group *out,
			     struct app_error *err)
{
	return s->ops->groups->get(s, id, out, err);
}

enum app_err store_group_head(struct store *s, int64_t id, struct group *out,
			      struct app_error *err)
{
	return s->ops->groups->head(s, id, out, err);
}

enum app_err store_group_by_join_code(struct store *s, const char *code, struct group *out,
				      struct app_error *err)
{
	return s->ops->groups->by_join_code(s, code, out, err);
}

enum app_err store_group_update(struct store *s, const struct group *g,
				const struct audit_note *note, struct app_error *err)
{
	return s->ops->groups->update(s, g, note, err);
}

enum app_err store_group_list(struct store *s, const char *within, const char *kind,
			      int64_t after_id, int limit, store_group_fn fn, void *ctx,
			      struct app_error *err)
{
	return s->ops->groups->list(s, within ? within : "", kind ? kind : "", after_id, limit, fn,
				    ctx, err);
}

enum app_err store_member_put(struct store *s, const struct group_member *m,
			      const struct audit_note *note, struct app_error *err)
{
	return s->ops->groups->member_put(s, m, note, err);
}

enum app_err store_member_get(struct store *s, int64_t group_id, int64_t user_id,
			      struct group_member *out, struct app_error *err)
{
	return s->ops->groups->member_get(s, group_id, user_id, out, err);
}

enum app_err store_group_members(struct store *s, int64_t group_id, const char *state,
				 int64_t after_user, int limit, store_member_fn fn, void *ctx,
				 struct app_error *err)
{
	return s->ops->groups->members(s, group_id, state ? state : "", after_user, limit, fn, ctx,
				       err);
}

enum app_err store_member_groups(struct store *s, int64_t user_id, store_member_fn fn,
				 void *ctx, struct app_error *err)
{
	return s->ops->groups->member_groups(s, user_id, fn, ctx, err);
}

enum app_err store_roster_import(struct store *s, int64_t group_id, const struct roster_row *rows,
				 size_t n, int64_t now, const struct audit_note *note,
				 struct roster_counts *counts, struct app_error *err)
{
	memset(counts, 0, sizeof(*counts));
	return s->ops->groups->roster_import(s, group_id, rows, n, now, note, counts, err);
}

enum app_err store_duty_rota_set(struct store *s, int64_t group_id, const int64_t users[7],
				 const struct audit_note *note, struct app_error *err)
{
	return s->ops->groups->duty_rota_set(s, group_id, users, note, err);
}

enum app_err store_duty_override_set(struct store *s, int64_t group_id,
				     const struct duty_override *o, const struct audit_note *note,
				     struct app_error *err)
{
	return s->ops->groups->duty_override_set(s, group_id, o, note, err);
}

enum app_err store_duty_leave_add(struct store *s, int64_t group_id, const struct duty_leave *l,
				  const struct audit_note *note, int64_t *id, struct app_error *err)
{
	return s->ops->groups->duty_leave_add(s, group_id, l, note, id, err);
}

enum app_err store_duty_leave_remove(struct store *s, int64_t group_id, int64_t leave_id,
				     const struct audit_note *note, struct app_error *err)
{
	return s->ops->groups->duty_leave_remove(s, group_id, leave_id, note, err);
}

enum app_err store_duty_get(struct store *s, int64_t group_id, int first_day, int last_day,
			    struct duty_data *out, struct app_error *err)
{
	memset(out, 0, sizeof(*out));
	return s->ops->groups->duty_get(s, group_id, first_day, last_day, out, err);
}

/* ---- messages ---- */

enum app_err store_message_post(struct store *s, struct message *m, store_message_json_fn json,
				struct app_error *err)
{
	return s->ops->messages->post(s, m, json, err);
}

void store_message_post_async(struct store *s, struct message *m, store_message_json_fn json,
			      store_done_fn done, void *ctx)
{
	if (s->ops->messages->post_async) {
		s->ops->messages->post_async(s, m, json, done, ctx);
		return;
	}
	struct app_error err;
	enum app_err rc = s->ops->messages->post(s, m, json, &err);
	done(ctx, rc, &err);
}

enum app_err store_message_get(struct store *s, int64_t id, struct message *out,
			       struct app_error *err)
{
	return s->ops->messages->get(s, id, out, err);
}

enum app_err store_messages_list(struct store *s, int64_t group_id, int64_t after,
				 int64_t before, int limit, store_message_fn fn, void *ctx,
				 struct app_error *err)
{
	return s->ops->messages->list(s, group_id, after, before, limit, fn, ctx, err);
}

enum app_err store_message_set_state(struct store *s, const struct message *m,
				     const struct audit_note *note, store_message_json_fn json,
				     struct app_error *err)
{
	return s->ops->messages->set_state(s, m, note, json, err);
}

enum app_err store_messages_search(struct store *s, const char *query,
				   const struct message_scope *scope, int64_t group_id, int limit,
				   store_message_fn fn, void *ctx, struct app_error *err)
{
	return s->ops->messages->search(s, query, scope, group_id, limit, fn, ctx, err);
}

enum app_err store_messages_ingest(struct store *s, const char *const *keys, size_t n,
				   store_ingest_fill_fn fill, void *ctx,
				   store_message_json_fn json, struct ingest_counts *counts,
				   struct app_error *err)
{
	memset(counts, 0, sizeof(*counts));
	enum app_err rc = s->ops->messages->ingest(s, keys, n, fill, ctx, json, counts, err);
	if (rc != APP_OK)
		memset(counts, 0, sizeof(*counts)); /* rolled back: nothing was kept */
	return rc;
}

enum app_err store_ingest_queue(struct store *s, const char *const *keys,
				const void *const *item, const size_t *item_len, size_t n,
				struct ingest_counts *counts, int64_t *call_id,
				struct app_error *err)
{
	memset(counts, 0, sizeof(*counts));
	*call_id = 0;
	enum app_err rc = s->ops->messages->ingest_queue(s, keys, item, item_len, n, counts,
							 call_id, err);
	if (rc != APP_OK) { /* rolled back: nothing was kept */
		memset(counts, 0, sizeof(*counts));
		*call_id = 0;
	}
	return rc;
}

enum app_err store_ingest_pending(struct store *s, store_ingest_call_fn fn, void *ctx,
				  struct app_error *err)
{
	return s->ops->messages->ingest_pending(s, fn, ctx, err);
}

enum app_err store_ingest_backlog(struct store *s, struct ingest_backlog *out,
				  struct app_error *err)
{
	memset(out, 0, sizeof(*out));
	return s->ops->messages->ingest_backlog(s, out, err);
}

enum app_err store_ingest_load(struct store *s, const int64_t *calls, const size_t *first,
			       size_t ncalls, store_ingest_fill_fn fill, void *ctx,
			       store_message_json_fn json, bool *loaded, struct app_error *err)
{
	memset(loaded, 0, ncalls * sizeof(*loaded));
	enum app_err rc = s->ops->messages->ingest_load(s, calls, first, ncalls, fill, ctx, json,
							loaded, err);
	if (rc != APP_OK) /* rolled back: nothing was loaded */
		memset(loaded, 0, ncalls * sizeof(*loaded));
	return rc;
}

enum app_err store_ingest_fail(struct store *s, int64_t id, const char *reason,
			       struct app_error *err)
{
	return s->ops->messages->ingest_fail(s, id, reason, err);
}

enum app_err store_broadcast(struct store *s, struct message *m, const char *within,
			     const struct audit_note *note, store_message_json_fn json,
			     int64_t *broadcast_id, int64_t *groups, struct app_error *err)
{
	return s->ops->messages->broadcast(s, m, within, note, json, broadcast_id, groups, err);
}

enum app_err store_broadcast_deliveries(struct store *s, int64_t broadcast_id,
					int64_t *from_group, store_delivery_fn fn, void *ctx,
					struct app_error *err)
{
	return s->ops->messages->deliveries(s, broadcast_id, from_group, fn, ctx, err);
}

enum app_err store_attachment_put(struct store *s, const struct attachment *a,
				  struct app_error *err)
{
	return s->ops->messages->attachment_put(s, a, err);
}

enum app_err store_attachment_shown(struct store *s, const char *sha256, int64_t group_id,
				    bool *shown, struct app_error *err)
{
	*shown = false;
	return s->ops->messages->attachment_shown(s, sha256, group_id, shown, err);
}

enum app_err store_attachment_get(struct store *s, const char *sha256, int64_t group_id,
				  struct attachment *out, struct app_error *err)
{
	return s->ops->messages->attachment_get(s, sha256, group_id, out, err);
}

/* ---- the working-day calendar ---- */

enum app_err store_calendar_put(struct store *s, const struct calendar_row *rows, size_t n,
				const struct audit_note *note, struct app_error *err)
{
	if (!n)
		return app_fail(err, APP_EINVAL, "a calendar import needs at least one day");
	return s->ops->calendar->put(s, rows, n, note, err);
}

enum app_err store_calendar_list(struct store *s, int first_year, int last_year,
				 store_calendar_fn fn, void *ctx, struct app_error *err)
{
	if (first_year < 0 || last_year > 9999)
		return app_fail(err, APP_EINVAL, "years must be from 0 to 9999");
	return s->ops->calendar->list(s, first_year * 10000 + 101, last_year * 10000 + 1231, fn,
				      ctx, err);
}

/* ---- cases ---- */

/* What every case write needs, checked before a backend is asked: a type,
 * clocks that fit and are named once each, steps and events as counted,
 * and events store_event_publish would take. */
static enum app_err case_write_check(const struct case_row *c, const struct case_event_row *steps,
				     int nsteps, const struct event_note *events, int nevents,
				     struct app_error *err)
{
	if (!c->type[0])
		return app_fail(err, APP_EINVAL, "a case needs a type");
	if (c->nclocks < 0 || c->nclocks > CASE_CLOCKS_MAX)
		return app_fail(err, APP_EINVAL, "a case has at most %d clocks", CASE_CLOCKS_MAX);
	for (int i = 0; i < c->nclocks; i++) {
		if (!c->clocks[i].name[0])
			return app_fail(err, APP_EINVAL, "a clock of the case has no name");
		for (int k = 0; k < i; k++)
			if (strcmp(c->clocks[k].name, c->clocks[i].name) == 0)
				return app_fail(err, APP_EINVAL, "the case has clock %s twice",
						c->clocks[i].name);
	}
	if (nsteps < 0 || (nsteps && !steps) || nevents < 0 || (nevents && !events))
		return app_fail(err, APP_EINVAL, "a case's steps or events are miscounted");
	for (int i = 0; i < nevents; i++) {
		enum app_err rc = event_check(&events[i], err);
		if (rc != APP_OK)
			return rc;
	}
	return APP_OK;
}

enum app_err store_case_insert(struct store *s, struct case_row *c,
			       const struct case_event_row *steps, int nsteps,
			       const struct audit_note *note, const struct event_note *events,
			       int nevents, struct app_error *err)
{
	enum app_err rc = case_write_check(c, steps, nsteps, events, nevents, err);
	if (rc != APP_OK)
		return rc;
	return s->ops->cases->insert(s, c, steps, nsteps, note, events, nevents, err);
}

enum app_err store_case_update(struct store *s, const struct case_row *c,
			       const struct case_event_row *steps, int nsteps,
			       const struct audit_note *note, const struct event_note *events,
			       int nevents, struct app_error *err)
{
	struct case_change ch = { c, steps, nsteps, note, events, nevents, APP_OK, { 0 } };
	store_case_update_many(s, &ch, 1);
	if (ch.result != APP_OK && err)
		*err = ch.err;
	return ch.result;
}

enum app_err store_case_update_many(struct store *s, struct case_change *ch, int n)
{
	/* a change that fails the checks is refused alone; the rest are stored */
	struct case_change **ok = xcalloc((size_t)n + 1, sizeof(*ok));
	enum app_err *results = xcalloc((size_t)n + 1, sizeof(*results));
	struct app_error *errs = xcalloc((size_t)n + 1, sizeof(*errs));
	int nok = 0;
	for (int i = 0; i < n; i++) {
		app_error_clear(&ch[i].err);
		ch[i].result = case_write_check(ch[i].k, ch[i].steps, ch[i].nsteps, ch[i].events,
						ch[i].nevents, &ch[i].err);
		if (ch[i].result == APP_OK)
			ok[nok++] = &ch[i];
	}
	enum app_err rc = nok ? s->ops->cases->update(s, ok, nok, results, errs) : APP_OK;
	for (int i = 0; i < nok; i++) {
		ok[i]->result = results[i];
		if (results[i] != APP_OK)
			ok[i]->err = errs[i];
	}
	free(ok);
	free(results);
	free(errs);
	return rc;
}

enum app_err store_case_get(struct store *s, int64_t id, struct case_row *out,
			    struct app_error *err)
{
	return s->ops->cases->get(s, id, out, err);
}

enum app_err store_cases_get_many(struct store *s, const int64_t *ids, int n, store_case_fn fn,
				  void *ctx, struct app_error *err)
{
	return n > 0 ? s->ops->cases->get_many(s, ids, n, fn, ctx, err) : APP_OK;
}

enum app_err store_case_events(struct store *s, int64_t case_id, store_case_event_fn fn,
			       void *ctx, struct app_error *err)
{
	return s->ops->cases->events(s, case_id, fn, ctx, err);
}

enum app_err store_cases_due(struct store *s, int64_t now, int limit, int64_t *ids, int *n,
			     struct app_error *err)
{
	*n = 0;
	if (limit < 1)
		return app_fail(err, APP_EINVAL, "the sweep needs a limit of at least 1");
	return s->ops->cases->due(s, now, limit, ids, n, err);
}

enum app_err store_cases_list(struct store *s, const struct case_query *q, store_case_fn fn,
			      void *ctx, struct app_error *err)
{
	if (!q->type || !*q->type)
		return app_fail(err, APP_EINVAL, "a listing of cases needs a type");
	if (q->nregions < 0 || q->nregions > 4)
		return app_fail(err, APP_EINVAL, "a listing of cases takes at most 4 regions");
	for (int i = 0; i < q->nregions; i++)
		if (!q->regions[i])
			return app_fail(err, APP_EINVAL, "a region of the listing's scope is missing");
	if (q->limit < 1)
		return app_fail(err, APP_EINVAL, "a listing of cases needs a limit of at least 1");
	return s->ops->cases->list(s, q, fn, ctx, err);
}

enum app_err store_case_events_between(struct store *s, const struct case_event_query *q,
				       store_case_event_fn fn, void *ctx, struct app_error *err)
{
	if (!q->type || !*q->type || !q->region || !*q->region) /* "" would be everywhere */
		return app_fail(err, APP_EINVAL, "a window of case lines needs a type and a region");
	if (q->limit < 1)
		return app_fail(err, APP_EINVAL, "a window of case lines needs a limit of at least 1");
	return s->ops->cases->events_between(s, q, fn, ctx, err);
}

/* ---- what hangs off a case ---- */

enum app_err store_case_photo_add(struct store *s, const struct case_photo *p, int max,
				  const struct case_event_row *line, const struct audit_note *note,
				  const struct event_note *events, int nevents,
				  struct case_photo *out, bool *added, struct app_error *err)
{
	*added = false;
	if (strlen(p->sha256) != ATTACHMENT_SHA_LEN || strspn(p->sha256, "0123456789abcdef") !=
							      ATTACHMENT_SHA_LEN)
		return app_fail(err, APP_EINVAL, "a photo is named by its SHA-256 in hex");
	if (!p->mime[0] || p->size <= 0 || max < 1 || !line || nevents < 0 || (nevents && !events))
		return app_fail(err, APP_EINVAL, "a photo needs a type, a size, a limit and its "
				"timeline line");
	for (int i = 0; i < nevents; i++) {
		enum app_err rc = event_check(&events[i], err);
		if (rc != APP_OK)
			return rc;
	}
	return s->ops->case_photos->add(s, p, max, line, note, events, nevents, out, added, err);
}

enum app_err store_case_photos(struct store *s, int64_t case_id, store_case_photo_fn fn,
			       void *ctx, struct app_error *err)
{
	return s->ops->case_photos->list(s, case_id, fn, ctx, err);
}

enum app_err store_case_photo_get(struct store *s, int64_t case_id, const char *sha256,
				  struct case_photo *out, struct app_error *err)
{
	return s->ops->case_photos->get(s, case_id, sha256, out, err);
}

enum app_err store_case_of_message(struct store *s, int64_t message_id, int64_t *id,
				   struct app_error *err)
{
	*id = 0;
	return s->ops->case_photos->of_message(s, message_id, id, err);
}

/* ---- what a county configures for its cases ---- */

/* A county code: 6 digits (the tables refuse other lengths, and a prefix
 * test elsewhere trusts them). */
static enum app_err county_check(const char *county, struct app_error *err)
{
	if (!county || strlen(county) != 6 || strspn(county, "0123456789") != 6)
		return app_fail(err, APP_EINVAL, "'%.16s' is not a county code (6 digits)",
				county ? county : "");
	return APP_OK;
}

enum app_err store_case_settings_version(struct store *s, const char *county, int64_t *version,
					 struct app_error *err)
{
	enum app_err rc = county_check(county, err);
	if (rc != APP_OK)
		return rc;
	return s->ops->case_settings->version(s, county, version, err);
}

enum app_err store_case_settings_load(struct store *s, const char *county, int64_t *version,
				      store_case_setting_fn sfn, store_case_category_fn cfn,
				      void *ctx, struct app_error *err)
{
	enum app_err rc = county_check(county, err);
	if (rc != APP_OK)
		return rc;
	return s->ops->case_settings->load(s, county, version, sfn, cfn, ctx, err);
}

enum app_err store_case_settings_put(struct store *s, const char *county,
				     const struct case_setting_row *rows, size_t n,
				     const struct audit_note *note, struct app_error *err)
{
	enum app_err rc = county_check(county, err);
	if (rc != APP_OK)
		return rc;
	if (!n)
		return app_fail(err, APP_EINVAL, "say which settings to change");
	for (size_t i = 0; i < n; i++)
		if (!rows[i].name[0] || !rows[i].value[0])
			return app_fail(err, APP_EINVAL, "a setting needs a name and a value");
	return s->ops->case_settings->put(s, county, rows, n, note, err);
}

enum app_err store_case_categories_put(struct store *s, const char *county,
				       const struct case_category_row *rows, size_t n,
				       const struct audit_note *note, struct app_error *err)
{
	enum app_err rc = county_check(county, err);
	if (rc != APP_OK)
		return rc;
	if (!n)
		return app_fail(err, APP_EINVAL, "a category tree needs at least one category");
	return s->ops->case_settings->categories_put(s, county, rows, n, note, err);
}
