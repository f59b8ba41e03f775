/*
 * entitle_http.c - the HTTP handlers of the entitlement pipeline
 * (entitle_http.h). Reads requests, calls entitlements.c and pipeline.c
 * (which ask auth_scope(): outside the caller's scope an entitlement does
 * not exist, 404) and writes JSON. The person (key, name, phone) is masked
 * everywhere but the audited reveal.
 */
#include "entitle/entitle_http.h"
#include "cases/cases_calendar.h"
#include "core/clock.h"
#include "entitle/entitle.h"
#include "http/http.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { LIST_MAX = 200 };

static json_t *time_or_null(int64_t t) { return t ? http_json_time(t) : json_null(); }

static json_t *day_or_null(int32_t day)
{
	char d[16];
	if (!day)
		return json_null();
	rules_date_format(day, d, sizeof(d));
	return json_string(d);
}

/* e as JSON (the caller masks it first unless revealing). */
static json_t *entitlement_json(const struct entitlement *e)
{
	char amount[24];
	rules_fen_format(e->amount, amount, sizeof(amount));
	json_t *person = json_pack("{s:s, s:s, s:o}", "key", e->person_key, "name", e->person_name,
				   "phone", http_json_str_or_null(e->phone));
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:i, s:s, s:I, s:s, s:s, s:I}", "id",
			      (json_int_t)e->id, "programme", e->programme, "policy", e->policy,
			      "benefit", e->benefit, "person", person, "region", e->region, "period",
			      (int)e->period, "amount", amount, "amount_fen", (json_int_t)e->amount,
			      "state", entitle_state_names[e->state], "state_label",
			      entitle_state_names_zh[e->state], "version", (json_int_t)e->version);
	json_object_set_new(o, "notice_until", time_or_null(e->notice_until));
	json_object_set_new(o, "consent_until", time_or_null(e->consent_until));
	json_object_set_new(o, "effective_from", day_or_null(e->effective_from));
	json_object_set_new(o, "effective_to", day_or_null(e->effective_to));
	json_object_set_new(o, "reason", http_json_str_or_null(e->reason));
	json_object_set_new(o, "explanation", http_json_str_or_null(e->explanation));
	json_object_set_new(o, "appeal_demand",
			    e->appeal_case ? json_integer(e->appeal_case) : json_null());
	json_object_set_new(o, "run", json_integer(e->run));
	json_object_set_new(o, "created_at", http_json_time(e->created_at));
	json_object_set_new(o, "updated_at", http_json_time(e->updated_at));
	return o;
}

static bool add_event(void *ctx, const struct entitlement_event *ev)
{
	json_t *o = json_pack("{s:I, s:s, s:o, s:s, s:o, s:s}", "id", (json_int_t)ev->id, "kind",
			      entitle_event_names[ev->kind], "from",
			      ev->from_state < ENTITLE_STATE__MAX
				      ? json_string(entitle_state_names[ev->from_state])
				      : json_null(),
			      "to", entitle_state_names[ev->to_state], "at", http_json_time(ev->at),
			      "actor", ev->actor);
	json_object_set_new(o, "detail", http_json_str_or_null(ev->detail));
	json_array_append_new(ctx, o);
	return true;
}

/* Entitlement id as JSON with its timeline, masked unless reveal; replies. */
static void reply_one(struct http_req *req, int status, struct entitlement *e, bool reveal)
{
	struct app_error err;
	json_t *events = json_array();
	if (store_entitlement_events(http_store(req), e->id, add_event, events, &err) != APP_OK) {
		json_decref(events);
		http_reply_error(req, &err);
		return;
	}
	if (!reveal)
		entitle_mask(e);
	json_t *o = entitlement_json(e);
	json_object_set_new(o, "timeline", events);
	if (reveal)
		json_object_set_new(o, "revealed", json_true());
	http_reply_json(req, status, o);
}

/* After an action on {id}: the entitlement as it is now, or the error. */
static void reply_after(struct http_req *req, int64_t id, enum app_err rc, struct app_error *err)
{
	struct entitlement e;
	struct strbuf expl = STRBUF_INIT;
	if (rc == APP_OK)
		rc = entitle_get(http_store(req), http_caller(req), id, PERM_ENTITLE_READ, &e, &expl,
				 err);
	if (rc != APP_OK)
		http_reply_error(req, err);
	else
		reply_one(req, 200, &e, false);
	strbuf_release(&expl);
}

struct list_ctx {
	json_t *items;
	int64_t last;
};

static bool add_item(void *ctx, const struct entitlement *e)
{
	struct list_ctx *lc = ctx;
	struct entitlement m = *e;
	entitle_mask(&m);
	m.explanation = NULL; /* in a list: read one for why */
	json_array_append_new(lc->items, entitlement_json(&m));
	lc->last = e->id;
	return true;
}

void entitle_handle_list(struct http_req *req)
{
	long cursor, limit;
	if (!http_query_int_or_reply(req, "cursor", 0, INT64_MAX, 0, &cursor) ||
	    !http_query_int_or_reply(req, "limit", 1, LIST_MAX, 50, &limit))
		return;
	const struct auth_caller *c = http_caller(req);
	const char *region = http_query(req, "region"), *state = http_query(req, "state");
	if (!region || !*region)
		region = auth_home_region(c, PERM_ENTITLE_READ);
	struct app_error err;
	enum entitle_state st = ENTITLE_STATE__MAX;
	if (state && *state && !entitle_state_parse(state, &st)) {
		http_reply_fail(req, APP_EINVAL, "state",
				"state must be one of in_notice, objected, awaiting_consent, granted, "
				"declined, refused, held, revoked");
		return;
	}
	if (!region || auth_scope(c, PERM_ENTITLE_READ, region, &err) != APP_OK) {
		if (!region || err.code == APP_ENOTFOUND)
			app_fail_field(&err, APP_ENOTFOUND, "region", "no region '%s' in your scope",
				       region ? region : "");
		http_reply_error(req, &err);
		return;
	}
	const char *programme = http_query(req, "programme");
	struct entitlement_query q = { .programme = programme && *programme ? programme : NULL,
				       .state = state && *state ? (int)st : -1, .within = region,
				       .after_id = cursor, .limit = (int)limit };
	struct list_ctx lc = { json_array(), 0 };
	if (store_entitlements(http_store(req), &q, add_item, &lc, &err) != APP_OK) {
		json_decref(lc.items);
		http_reply_error(req, &err);
		return;
	}
	json_t *body = json_pack("{s:s, s:o}", "region", region, "items", lc.items);
	json_object_set_new(body, "next_cursor",
			    (long)json_array_size(lc.items) == limit ? json_integer(lc.last)
								     : json_null());
	http_reply_json(req, 200, body);
}

void entitle_handle_get(struct http_req *req)
{
	int64_t id;
	if (!http_param_id(req, "id", &id))
		return;
	struct entitlement e;
	struct strbuf expl = STRBUF_INIT;
	struct app_error err;
	if (entitle_get(http_store(req), http_caller(req), id, PERM_ENTITLE_READ, &e, &expl, &err) !=
	    APP_OK)
		http_reply_error(req, &err);
	else
		reply_one(req, 200, &e, false);
	strbuf_release(&expl);
}

void entitle_handle_person(struct http_req *req)
{
	int64_t id;
	if (!http_param_id(req, "id", &id))
		return;
	struct entitlement e;
	struct strbuf expl = STRBUF_INIT;
	struct app_error err;
	if (entitle_person(http_store(req), http_caller(req), id, http_query(req, "reason"), &e,
			   &expl, &err) != APP_OK)
		http_reply_error(req, &err);
	else
		reply_one(req, 200, &e, true);
	strbuf_release(&expl);
}

void entitle_handle_objection(struct http_req *req)
{
	int64_t id;
	const char *text;
	if (!http_param_id(req, "id", &id) || !http_body_str(req, "text", true, &text))
		return;
	struct app_error err;
	enum app_err rc = entitle_object(http_store(req), http_caller(req), id, text, clock_now(),
					 &err);
	reply_after(req, id, rc, &err);
}

/* The programme of entitlement id, which the caller may act on, into *p. */
static enum app_err programme_of(struct http_req *req, int64_t id, struct entitle_programme *p,
				 struct app_error *err)
{
	struct entitlement e;
	struct strbuf expl = STRBUF_INIT;
	enum app_err rc = entitle_get(http_store(req), http_caller(req), id, PERM_ENTITLE_MANAGE,
				      &e, &expl, err);
	strbuf_release(&expl);
	return rc == APP_OK ? entitle_programme_find(entitle_programmes_dir(), e.programme, p, err)
			    : rc;
}

void entitle_handle_review(struct http_req *req)
{
	int64_t id;
	const char *decision, *reason;
	if (!http_param_id(req, "id", &id) || !http_body_str(req, "decision", true, &decision) ||
	    !http_body_str(req, "reason", false, &reason))
		return;
	bool uphold = strcmp(decision, "uphold") == 0;
	if (!uphold && strcmp(decision, "dismiss") != 0) {
		http_reply_fail(req, APP_EINVAL, "decision", "decision must be uphold or dismiss");
		return;
	}
	struct app_error err;
	struct entitle_programme p;
	enum app_err rc = programme_of(req, id, &p, &err);
	if (rc == APP_OK) {
		rc = entitle_review(http_store(req), http_caller(req), &p, id, uphold, reason,
				    clock_now(), &err);
		entitle_programme_release(&p);
	}
	reply_after(req, id, rc, &err);
}

void entitle_handle_consent(struct http_req *req)
{
	int64_t id;
	const char *answer, *channel, *note;
	if (!http_param_id(req, "id", &id) || !http_body_str(req, "answer", true, &answer) ||
	    !http_body_str(req, "channel", true, &channel) ||
	    !http_body_str(req, "note", false, &note))
		return;
	bool accept = strcmp(answer, "accept") == 0;
	if (!accept && strcmp(answer, "refuse") != 0) {
		http_reply_fail(req, APP_EINVAL, "answer", "answer must be accept or refuse");
		return;
	}
	struct app_error err;
	struct entitle_programme p;
	enum app_err rc = programme_of(req, id, &p, &err);
	if (rc == APP_OK) {
		rc = entitle_consent(http_store(req), http_caller(req), &p, id, accept, channel,
				     note, clock_now(), &err);
		entitle_programme_release(&p);
	}
	reply_after(req, id, rc, &err);
}

void entitle_handle_appeal(struct http_req *req)
{
	int64_t id, demand = 0;
	const char *text;
	if (!http_param_id(req, "id", &id) || !http_body_str(req, "text", true, &text))
		return;
	struct app_error err;
	const struct calendar *cal;
	enum app_err rc = cases_calendar_shared(http_store(req), &cal, &err);
	if (rc == APP_OK)
		rc = entitle_appeal(http_store(req), cal, http_caller(req), id, text, clock_now(),
				    &demand, &err);
	if (rc != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	struct entitlement e;
	struct strbuf expl = STRBUF_INIT;
	if (entitle_get(http_store(req), http_caller(req), id, PERM_ENTITLE_READ, &e, &expl, &err) !=
	    APP_OK)
		http_reply_error(req, &err);
	else
		reply_one(req, 201, &e, false);
	strbuf_release(&expl);
}

void entitle_handle_run(struct http_req *req)
{
	const char *id, *at;
	if (!http_body_str(req, "programme", true, &id) || !http_body_str(req, "at", true, &at))
		return;
	int32_t day;
	if (!rules_date_parse(at, &day)) {
		http_reply_fail(req, APP_EINVAL, "at", "at is a date YYYY-MM-DD");
		return;
	}
	const struct auth_caller *c = http_caller(req);
	struct app_error err;
	struct entitle_programme p;
	enum app_err rc = entitle_programme_find(entitle_programmes_dir(), id, &p, &err);
	if (rc == APP_ENOTFOUND)
		app_fail_field(&err, APP_ENOTFOUND, "programme", "no programme '%s'", id);
	if (rc != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	struct entitlement_run run;
	rc = auth_scope(c, PERM_ENTITLE_MANAGE, p.region, &err);
	if (rc == APP_ENOTFOUND) /* a programme of another region: as if absent */
		app_fail_field(&err, APP_ENOTFOUND, "programme", "no programme '%s'", id);
	if (rc == APP_OK)
		rc = entitle_run(http_store(req), &p, day, clock_now(), c->actor, &run, &err);
	entitle_programme_release(&p);
	if (rc != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, 201,
			json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "id",
				  (json_int_t)run.id, "programme", run.programme, "at", at, "persons",
				  (json_int_t)run.persons, "new", (json_int_t)run.granted_new,
				  "revoked", (json_int_t)run.revoked, "unknown",
				  (json_int_t)run.unknown, "held", (json_int_t)run.held,
				  "out_of_region", (json_int_t)run.out_of_region));
}
