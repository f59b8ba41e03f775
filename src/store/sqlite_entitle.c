/*
 * sqlite_entitle.c - entitlements of 免申即享 on SQLite (store.h
 * "entitlements of 免申即享"): a run with its new and changed entitlements,
 * each change with its event, in one job of the group commit with its audit
 * entry; and the reads. No rules here: src/entitle decides every change.
 */
#include "store/sqlite_int.h"

#include "core/mem.h"

#include <stdlib.h>
#include <string.h>

struct apply_job {
	struct entitlement_run *run;
	struct entitlement_change *ch;
	size_t n;
	int64_t at;
	const char *actor;
	const struct audit_note *note;
	int64_t *ids;     /* the new ids, set once committed */
	int64_t *version; /* the new versions */
};

static enum app_err run_insert(struct conn *c, struct entitlement_run *r, int64_t *id,
			       struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_ENT_RUN_INSERT, err);
	if (!st)
		return APP_EDB;
	sq_bind_text(st, 1, r->programme);
	sqlite3_bind_int64(st, 2, r->at_day);
	sqlite3_bind_int64(st, 3, r->started_at);
	sqlite3_bind_int64(st, 4, r->finished_at);
	sqlite3_bind_int64(st, 5, r->persons);
	sqlite3_bind_int64(st, 6, r->granted_new);
	sqlite3_bind_int64(st, 7, r->revoked);
	sqlite3_bind_int64(st, 8, r->unknown);
	sqlite3_bind_int64(st, 9, r->held);
	sq_bind_text(st, 10, r->actor);
	sqlite3_bind_int64(st, 11, r->out_of_region);
	sqlite3_bind_int64(st, 12, r->data_seq);
	int rc = sqlite3_step(st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? APP_OK : sq_db_fail(err, c->db, "storing a run");
}

static enum app_err insert(struct conn *c, const struct entitlement *e, int64_t run, int64_t at,
			   int64_t *id, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_ENT_INSERT, err);
	if (!st)
		return APP_EDB;
	sq_bind_text(st, 1, e->programme);
	sq_bind_text(st, 2, e->policy);
	sq_bind_text(st, 3, e->benefit);
	sq_bind_text(st, 4, e->person_key);
	sq_bind_text(st, 5, e->person_name);
	sq_bind_text(st, 6, e->phone);
	sq_bind_text(st, 7, e->region);
	sqlite3_bind_int64(st, 8, e->period);
	sqlite3_bind_int64(st, 9, e->amount);
	sq_bind_text(st, 10, entitle_state_names[e->state]);
	sqlite3_bind_int64(st, 11, e->notice_until);
	sqlite3_bind_int64(st, 12, e->consent_until);
	sqlite3_bind_int64(st, 13, e->effective_from);
	sqlite3_bind_int64(st, 14, e->effective_to);
	sq_bind_text(st, 15, e->reason);
	sq_bind_text(st, 16, e->explanation);
	sqlite3_bind_int64(st, 17, e->appeal_case);
	sqlite3_bind_int64(st, 18, run);
	sqlite3_bind_int64(st, 19, at);
	int r = sqlite3_step(st);
	*id = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	bool dup = r != SQLITE_ROW && sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_UNIQUE;
	enum app_err rc = r == SQLITE_ROW || dup ? APP_OK
						 : sq_db_fail(err, c->db, "storing an entitlement");
	sqlite3_reset(st);
	if (dup) /* no ID number in the message: it reaches logs and callers */
		return app_fail(err, APP_ECONFLICT,
				"the person has an entitlement of policy '%s' for period %d already",
				e->policy, (int)e->period);
	return rc;
}

static enum app_err update(struct conn *c, const struct entitlement *e, int64_t run, int64_t at,
			   struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_ENT_UPDATE, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, e->id);
	sqlite3_bind_int64(st, 2, e->version);
	sq_bind_text(st, 3, entitle_state_names[e->state]);
	sqlite3_bind_int64(st, 4, e->amount);
	sqlite3_bind_int64(st, 5, e->notice_until);
	sqlite3_bind_int64(st, 6, e->consent_until);
	sqlite3_bind_int64(st, 7, e->effective_to);
	sq_bind_text(st, 8, e->reason);
	sq_bind_text(st, 9, e->explanation);
	sqlite3_bind_int64(st, 10, e->appeal_case);
	sqlite3_bind_int64(st, 11, run);
	sqlite3_bind_int64(st, 12, at);
	enum app_err rc = sq_step_write(c, st, "changing an entitlement", err);
	if (rc == APP_OK && sqlite3_changes(c->db) == 0)
		rc = app_fail(err, APP_ECONFLICT,
			      "entitlement %lld changed meanwhile (or is gone): read it again",
			      (long long)e->id);
	return rc;
}

static enum app_err event_insert(struct conn *c, int64_t id, const struct entitlement_change *ch,
				 int64_t at, const char *actor, struct app_error *err)
{
	sqlite3_stmt *st = sq_stmt(c, STMT_ENT_EVENT_INSERT, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, id);
	sq_bind_text(st, 2, entitle_event_names[ch->kind]);
	sq_bind_text(st, 3, ch->from < ENTITLE_STATE__MAX ? entitle_state_names[ch->from] : "");
	sq_bind_text(st, 4, entitle_state_names[ch->e->state]);
	sqlite3_bind_int64(st, 5, at);
	sq_bind_text(st, 6, actor);
	sq_bind_text(st, 7, ch->detail);
	return sq_step_write(c, st, "storing an entitlement's event", err);
}

static enum app_err apply_job(struct conn *c, void *arg, struct app_error *err)
{
	struct apply_job *j = arg;
	int64_t run = 0;
	enum app_err rc = APP_OK;
	if (j->run)
		rc = run_insert(c, j->run, &run, err);
	for (size_t i = 0; i < j->n && rc == APP_OK; i++) {
		const struct entitlement_change *ch = &j->ch[i];
		int64_t r = j->run ? run : ch->e->run;
		int64_t id = ch->e->id;
		if (ch->event_only) {
			j->version[i] = 0; /* e is the previous change's */
		} else if (id == 0) {
			rc = insert(c, ch->e, r, j->at, &id, err);
			j->version[i] = 1;
		} else {
			rc = update(c, ch->e, r, j->at, err);
			j->version[i] = ch->e->version + 1;
		}
		j->ids[i] = id;
		if (rc == APP_OK && !ch->row_only)
			rc = event_insert(c, id, ch, j->at, j->actor, err);
	}
	if (rc == APP_OK && j->run)
		j->run->id = run;
	if (rc == APP_OK && j->note)
		rc = sq_audit_append(c, j->note, err);
	return rc;
}

static enum app_err apply(struct store *s, struct entitlement_run *run,
			  struct entitlement_change *changes, size_t n, int64_t at,
			  const char *actor, const struct audit_note *note, struct app_error *err)
{
	int64_t *ids = xcalloc(n ? n : 1, sizeof(*ids)), *ver = xcalloc(n ? n : 1, sizeof(*ver));
	struct apply_job j = { run, changes, n, at, actor, note, ids, ver };
	enum app_err rc = sq_write(s, apply_job, &j, err);
	for (size_t i = 0; rc == APP_OK && i < n; i++) {
		if (changes[i].event_only)
			continue;
		changes[i].e->id = ids[i];
		changes[i].e->version = ver[i];
		changes[i].e->run = run ? run->id : changes[i].e->run;
		changes[i].e->updated_at = at;
		if (ver[i] == 1)
			changes[i].e->created_at = at;
	}
	free(ids);
	free(ver);
	return rc;
}

/* ---- reads ---- */

struct read_job {
	const struct entitlement_query *q;
	int64_t id;
	store_entitlement_fn fn;
	store_entitlement_event_fn efn;
	void *ctx;
};

/* Row st into e; false when its state is none this build knows. */
static bool read_row(sqlite3_stmt *st, struct entitlement *e)
{
	e->id = sqlite3_column_int64(st, 0);
	sq_copy_text(e->programme, sizeof(e->programme), st, 1);
	sq_copy_text(e->policy, sizeof(e->policy), st, 2);
	sq_copy_text(e->benefit, sizeof(e->benefit), st, 3);
	sq_copy_text(e->person_key, sizeof(e->person_key), st, 4);
	sq_copy_text(e->person_name, sizeof(e->person_name), st, 5);
	sq_copy_text(e->phone, sizeof(e->phone), st, 6);
	sq_copy_text(e->region, sizeof(e->region), st, 7);
	e->period = (int32_t)sqlite3_column_int64(st, 8);
	e->amount = sqlite3_column_int64(st, 9);
	int k = store_entitle_name_index(entitle_state_names, ENTITLE_STATE__MAX,
					 (const char *)sqlite3_column_text(st, 10));
	if (k < 0)
		return false;
	e->state = (enum entitle_state)k;
	e->version = sqlite3_column_int64(st, 11);
	e->notice_until = sqlite3_column_int64(st, 12);
	e->consent_until = sqlite3_column_int64(st, 13);
	e->effective_from = (int32_t)sqlite3_column_int64(st, 14);
	e->effective_to = (int32_t)sqlite3_column_int64(st, 15);
	sq_copy_text(e->reason, sizeof(e->reason), st, 16);
	const char *x = (const char *)sqlite3_column_text(st, 17);
	e->explanation = x ? x : "";
	e->appeal_case = sqlite3_column_int64(st, 18);
	e->run = sqlite3_column_int64(st, 19);
	e->created_at = sqlite3_column_int64(st, 20);
	e->updated_at = sqlite3_column_int64(st, 21);
	return true;
}

static enum app_err list_job(struct conn *c, void *arg, struct app_error *err)
{
	struct read_job *j = arg;
	const struct entitlement_query *q = j->q;
	sqlite3_stmt *st = sq_stmt(c, STMT_ENT_LIST, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, q->id);
	sq_bind_text(st, 2, q->programme);
	sq_bind_text(st, 3, q->state >= 0 && q->state < ENTITLE_STATE__MAX ? entitle_state_names[q->state]
									  : "");
	sq_bind_text(st, 4, q->within);
	sqlite3_bind_int64(st, 5, q->period);
	sqlite3_bind_int64(st, 6, q->notice_due_by);
	sqlite3_bind_int64(st, 7, q->granted_ever);
	sqlite3_bind_int64(st, 8, q->after_id);
	sqlite3_bind_int64(st, 9, q->limit > 0 ? q->limit : -1);
	struct entitlement *e = xmalloc(sizeof(*e));
	int r;
	bool bad = false;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (!read_row(st, e)) {
			bad = true;
			break;
		}
		if (!j->fn(j->ctx, e)) {
			r = SQLITE_DONE;
			break;
		}
	}
	enum app_err rc = bad ? app_fail(err, APP_EDB, "entitlement %lld has a state this version "
					 "does not know: '%s'", (long long)e->id,
					 (const char *)sqlite3_column_text(st, 10))
			      : r == SQLITE_DONE ? APP_OK
						 : sq_db_fail(err, c->db, "reading entitlements");
	free(e);
	sqlite3_reset(st);
	return rc;
}

static enum app_err list(struct store *s, const struct entitlement_query *q,
			 store_entitlement_fn fn, void *ctx, struct app_error *err)
{
	struct read_job j = { .q = q, .fn = fn, .ctx = ctx };
	return sq_read(s, list_job, &j, err);
}

static enum app_err events_job(struct conn *c, void *arg, struct app_error *err)
{
	struct read_job *j = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_ENT_EVENTS, err);
	if (!st)
		return APP_EDB;
	sqlite3_bind_int64(st, 1, j->id);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct entitlement_event ev = { 0 };
		ev.id = sqlite3_column_int64(st, 0);
		ev.entitlement = sqlite3_column_int64(st, 1);
		int k = store_entitle_name_index(entitle_event_names, ENTITLE_EVENT__MAX,
						 (const char *)sqlite3_column_text(st, 2));
		ev.kind = k < 0 ? ENTITLE_EV_HELD : (enum entitle_event)k;
		k = store_entitle_name_index(entitle_state_names, ENTITLE_STATE__MAX,
					     (const char *)sqlite3_column_text(st, 3));
		ev.from_state = k < 0 ? ENTITLE_STATE__MAX : (enum entitle_state)k;
		k = store_entitle_name_index(entitle_state_names, ENTITLE_STATE__MAX,
					     (const char *)sqlite3_column_text(st, 4));
		ev.to_state = k < 0 ? ENTITLE_HELD : (enum entitle_state)k;
		ev.at = sqlite3_column_int64(st, 5);
		sq_copy_text(ev.actor, sizeof(ev.actor), st, 6);
		sq_copy_text(ev.detail, sizeof(ev.detail), st, 7);
		if (!j->efn(j->ctx, &ev)) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? APP_OK : sq_db_fail(err, c->db, "reading an entitlement's events");
}

static enum app_err events(struct store *s, int64_t id, store_entitlement_event_fn fn, void *ctx,
			   struct app_error *err)
{
	struct read_job j = { .id = id, .efn = fn, .ctx = ctx };
	return sq_read(s, events_job, &j, err);
}

struct seq_job {
	const char *programme;
	int64_t *seq;
};

static enum app_err data_seq_job(struct conn *c, void *arg, struct app_error *err)
{
	struct seq_job *j = arg;
	sqlite3_stmt *st = sq_stmt(c, STMT_ENT_RUN_DATA_SEQ, err);
	if (!st)
		return APP_EDB;
	sq_bind_text(st, 1, j->programme);
	int r = sqlite3_step(st);
	*j->seq = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return r == SQLITE_ROW ? APP_OK : sq_db_fail(err, c->db, "reading a programme's last run");
}

static enum app_err data_seq(struct store *s, const char *programme, int64_t *seq,
			     struct app_error *err)
{
	struct seq_job j = { programme, seq };
	return sq_read(s, data_seq_job, &j, err);
}

const struct store_entitle_ops sq_entitle_ops = {
	.apply = apply,
	.list = list,
	.events = events,
	.data_seq = data_seq,
};
