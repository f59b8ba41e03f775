/*
 * pg_entitle.c - entitlements of 免申即享 on PostgreSQL: the twin of
 * sqlite_entitle.c, with the same errors, messages and orders. A run with
 * its new and changed entitlements, each change with its event, is one
 * transaction with its audit entry.
 */
#include "store/pg_int.h"

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

static enum app_err run_insert(struct pg_conn *c, const struct entitlement_run *r, int64_t *id,
			       struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_text(&p, r->programme);
	pgp_int(&p, r->at_day);
	pgp_int(&p, r->started_at);
	pgp_int(&p, r->finished_at);
	pgp_int(&p, r->persons);
	pgp_int(&p, r->granted_new);
	pgp_int(&p, r->revoked);
	pgp_int(&p, r->unknown);
	pgp_int(&p, r->held);
	pgp_text(&p, r->actor);
	pgp_int(&p, r->out_of_region);
	pgp_int(&p, r->data_seq);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_ENT_RUN_INSERT, &p, "storing a run", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	*id = pg_int(res, 0, 0);
	PQclear(res);
	return APP_OK;
}

static enum app_err insert(struct pg_conn *c, const struct entitlement *e, int64_t run,
			   int64_t at, int64_t *id, struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_text(&p, e->programme);
	pgp_text(&p, e->policy);
	pgp_text(&p, e->benefit);
	pgp_text(&p, e->person_key);
	pgp_text(&p, e->person_name);
	pgp_text(&p, e->phone);
	pgp_text(&p, e->region);
	pgp_int(&p, e->period);
	pgp_int(&p, e->amount);
	pgp_text(&p, entitle_state_names[e->state]);
	pgp_int(&p, e->notice_until);
	pgp_int(&p, e->consent_until);
	pgp_int(&p, e->effective_from);
	pgp_int(&p, e->effective_to);
	pgp_text(&p, e->reason);
	pgp_text(&p, e->explanation);
	pgp_int(&p, e->appeal_case);
	pgp_int(&p, run);
	pgp_int(&p, at);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_ENT_INSERT, &p, "storing an entitlement", &res, NULL, err);
	if (rc == APP_ECONFLICT) /* no ID number in the message: it reaches logs and callers */
		return app_fail(err, APP_ECONFLICT,
				"the person has an entitlement of policy '%s' for period %d already",
				e->policy, (int)e->period);
	if (rc != APP_OK)
		return rc;
	*id = pg_int(res, 0, 0);
	PQclear(res);
	return APP_OK;
}

static enum app_err update(struct pg_conn *c, const struct entitlement *e, int64_t run,
			   int64_t at, struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_int(&p, e->id);
	pgp_int(&p, e->version);
	pgp_text(&p, entitle_state_names[e->state]);
	pgp_int(&p, e->amount);
	pgp_int(&p, e->notice_until);
	pgp_int(&p, e->consent_until);
	pgp_int(&p, e->effective_to);
	pgp_text(&p, e->reason);
	pgp_text(&p, e->explanation);
	pgp_int(&p, e->appeal_case);
	pgp_int(&p, run);
	pgp_int(&p, at);
	int64_t changes = 0;
	enum app_err rc = pg_exec(c, PS_ENT_UPDATE, &p, "changing an entitlement", NULL, &changes,
				  err);
	if (rc == APP_OK && changes == 0)
		rc = app_fail(err, APP_ECONFLICT,
			      "entitlement %lld changed meanwhile (or is gone): read it again",
			      (long long)e->id);
	return rc;
}

static enum app_err event_insert(struct pg_conn *c, int64_t id,
				 const struct entitlement_change *ch, int64_t at, const char *actor,
				 struct app_error *err)
{
	struct pg_params p = { 0 };
	pgp_int(&p, id);
	pgp_text(&p, entitle_event_names[ch->kind]);
	pgp_text(&p, ch->from < ENTITLE_STATE__MAX ? entitle_state_names[ch->from] : "");
	pgp_text(&p, entitle_state_names[ch->e->state]);
	pgp_int(&p, at);
	pgp_text(&p, actor);
	pgp_text(&p, ch->detail ? ch->detail : "");
	return pg_exec(c, PS_ENT_EVENT_INSERT, &p, "storing an entitlement's event", NULL, NULL,
		       err);
}

static enum app_err apply_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct apply_job *j = arg;
	int64_t run = 0;
	/* event ids in commit order, for the dispatcher's cursor (docs/outbox.md):
	 * taken first, before any row, as every holder of PG_LOCK_EVENTS does */
	enum app_err rc = pg_events_lock(c, err);
	if (rc == APP_OK && j->run)
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
		rc = pg_audit_append(c, j->note, err);
	return rc;
}

static enum app_err apply(struct store *s, struct entitlement_run *run,
			  struct entitlement_change *changes, size_t n, int64_t at,
			  const char *actor, const struct audit_note *note, struct app_error *err)
{
	int64_t *ids = xcalloc(n ? n : 1, sizeof(*ids)), *ver = xcalloc(n ? n : 1, sizeof(*ver));
	struct apply_job j = { run, changes, n, at, actor, note, ids, ver };
	enum app_err rc = pg_write(s, apply_job, &j, err);
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
	enum pg_stmt id;
	struct pg_params p;
	store_entitlement_fn fn;
	store_entitlement_event_fn efn;
	void *ctx;
};

static int state_of(const PGresult *r, int i, int col, int none)
{
	char name[32];
	pg_copy_text(name, sizeof(name), r, i, col);
	int k = store_entitle_name_index(entitle_state_names, ENTITLE_STATE__MAX, name);
	return k < 0 ? none : k;
}

/* Row i of r into e; false when its state is none this build knows. */
static bool read_row(const PGresult *r, int i, struct entitlement *e)
{
	e->id = pg_int(r, i, 0);
	pg_copy_text(e->programme, sizeof(e->programme), r, i, 1);
	pg_copy_text(e->policy, sizeof(e->policy), r, i, 2);
	pg_copy_text(e->benefit, sizeof(e->benefit), r, i, 3);
	pg_copy_text(e->person_key, sizeof(e->person_key), r, i, 4);
	pg_copy_text(e->person_name, sizeof(e->person_name), r, i, 5);
	pg_copy_text(e->phone, sizeof(e->phone), r, i, 6);
	pg_copy_text(e->region, sizeof(e->region), r, i, 7);
	e->period = (int32_t)pg_int(r, i, 8);
	e->amount = pg_int(r, i, 9);
	int k = state_of(r, i, 10, -1);
	if (k < 0)
		return false;
	e->state = (enum entitle_state)k;
	e->version = pg_int(r, i, 11);
	e->notice_until = pg_int(r, i, 12);
	e->consent_until = pg_int(r, i, 13);
	e->effective_from = (int32_t)pg_int(r, i, 14);
	e->effective_to = (int32_t)pg_int(r, i, 15);
	pg_copy_text(e->reason, sizeof(e->reason), r, i, 16);
	e->explanation = PQgetvalue(r, i, 17); /* "" for NULL; lives until PQclear */
	e->appeal_case = pg_int(r, i, 18);
	e->run = pg_int(r, i, 19);
	e->created_at = pg_int(r, i, 20);
	e->updated_at = pg_int(r, i, 21);
	return true;
}

static enum app_err list_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct read_job *j = arg;
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_ENT_LIST, &j->p, "reading entitlements", &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	struct entitlement *e = xmalloc(sizeof(*e));
	for (int i = 0, n = PQntuples(res); i < n && rc == APP_OK; i++) {
		if (!read_row(res, i, e))
			rc = app_fail(err, APP_EDB, "entitlement %lld has a state this version does "
				      "not know: '%.32s'", (long long)pg_int(res, i, 0),
				      PQgetvalue(res, i, 10));
		else if (!j->fn(j->ctx, e))
			break;
	}
	free(e);
	PQclear(res);
	return rc;
}

static enum app_err list(struct store *s, const struct entitlement_query *q,
			 store_entitlement_fn fn, void *ctx, struct app_error *err)
{
	struct read_job j = { .fn = fn, .ctx = ctx };
	pgp_int(&j.p, q->id);
	pgp_text(&j.p, q->programme ? q->programme : "");
	pgp_text(&j.p, q->state >= 0 && q->state < ENTITLE_STATE__MAX ? entitle_state_names[q->state]
									 : "");
	pgp_text(&j.p, q->within ? q->within : "");
	pgp_int(&j.p, q->period);
	pgp_int(&j.p, q->notice_due_by);
	pgp_int(&j.p, q->granted_ever);
	pgp_int(&j.p, q->after_id);
	pgp_int(&j.p, q->limit > 0 ? q->limit : INT64_MAX);
	return pg_read(s, list_job, &j, err);
}

static enum app_err events_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct read_job *j = arg;
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_ENT_EVENTS, &j->p, "reading an entitlement's events", &res,
				  NULL, err);
	if (rc != APP_OK)
		return rc;
	for (int i = 0, n = PQntuples(res); i < n; i++) {
		struct entitlement_event ev = { 0 };
		char kind[32];
		ev.id = pg_int(res, i, 0);
		ev.entitlement = pg_int(res, i, 1);
		pg_copy_text(kind, sizeof(kind), res, i, 2);
		int k = store_entitle_name_index(entitle_event_names, ENTITLE_EVENT__MAX, kind);
		ev.kind = k < 0 ? ENTITLE_EV_HELD : (enum entitle_event)k;
		ev.from_state = (enum entitle_state)state_of(res, i, 3, ENTITLE_STATE__MAX);
		ev.to_state = (enum entitle_state)state_of(res, i, 4, ENTITLE_HELD);
		ev.at = pg_int(res, i, 5);
		pg_copy_text(ev.actor, sizeof(ev.actor), res, i, 6);
		pg_copy_text(ev.detail, sizeof(ev.detail), res, i, 7);
		if (!j->efn(j->ctx, &ev))
			break;
	}
	PQclear(res);
	return APP_OK;
}

static enum app_err events(struct store *s, int64_t id, store_entitlement_event_fn fn, void *ctx,
			   struct app_error *err)
{
	struct read_job j = { .efn = fn, .ctx = ctx };
	pgp_int(&j.p, id);
	return pg_read(s, events_job, &j, err);
}

struct seq_job {
	const char *programme;
	int64_t *seq;
};

static enum app_err data_seq_job(struct pg_conn *c, void *arg, struct app_error *err)
{
	struct seq_job *j = arg;
	struct pg_params p = { 0 };
	pgp_text(&p, j->programme);
	PGresult *res;
	enum app_err rc = pg_exec(c, PS_ENT_RUN_DATA_SEQ, &p, "reading a programme's last run",
				  &res, NULL, err);
	if (rc != APP_OK)
		return rc;
	*j->seq = pg_int(res, 0, 0);
	PQclear(res);
	return APP_OK;
}

static enum app_err data_seq(struct store *s, const char *programme, int64_t *seq,
			     struct app_error *err)
{
	struct seq_job j = { programme, seq };
	return pg_read(s, data_seq_job, &j, err);
}

const struct store_entitle_ops pg_entitle_ops = {
	.apply = apply,
	.list = list,
	.events = events,
	.data_seq = data_seq,
};
