/*
 * entitlements.c - what happens to an entitlement after a run made it
 * (docs/entitle.md "After the run"): the end of the public notice (公示),
 * an objection (异议) and its review, the person's consent (意愿确认) or
 * choice between two policies, an appeal (申诉) that becomes a demand in the
 * person's region, and the publication of the granted list to the paying
 * agency through the exchange. Each checks the caller's scope with
 * auth_scope() on the entitlement's region (out of scope it is absent) and
 * its state, then writes the change with its event and audit entry in one
 * transaction (store_entitle_apply).
 */
#include "entitle/entitle.h"

#include "cases/demands.h"
#include "core/division.h"
#include "core/log.h"
#include "core/pii.h"
#include "core/utf8.h"
#include "exchange/broker.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TEXT_MAX = 500 }; /* bytes of an objection, a reason or a note */

bool entitle_copy_one(void *ctx, const struct entitlement *e)
{
	struct entitlement *out = ctx;
	*out = *e;
	out->explanation = NULL; /* valid during the callback only */
	return false;
}

struct one {
	struct entitlement *e;
	struct strbuf *expl;
	bool found;
};

static bool take(void *ctx, const struct entitlement *e)
{
	struct one *o = ctx;
	*o->e = *e;
	strbuf_reset(o->expl);
	strbuf_addstr(o->expl, e->explanation ? e->explanation : "");
	o->e->explanation = o->expl->buf;
	o->found = true;
	return false;
}

void entitle_mask(struct entitlement *e)
{
	char key[ENTITLE_KEY_MAX + 1], name[PII_NAME_MASK_MAX], phone[16];
	pii_id_mask(e->person_key, key);
	pii_name_mask(e->person_name, name);
	if (e->phone[0])
		pii_phone_mask(e->phone, phone);
	else
		phone[0] = '\0';
	snprintf(e->person_key, sizeof(e->person_key), "%s", key);
	snprintf(e->person_name, sizeof(e->person_name), "%s", name);
	snprintf(e->phone, sizeof(e->phone), "%s", phone);
}

enum app_err entitle_get(struct store *s, const struct auth_caller *c, int64_t id, unsigned perm,
			 struct entitlement *out, struct strbuf *expl, struct app_error *err)
{
	if (!auth_has(c, perm)) /* absent or not, it is none of theirs */
		return app_fail(err, APP_EPERM, "your roles may not %s entitlements",
				perm == PERM_ENTITLE_MANAGE ? "act on" : "read");
	struct entitlement e;
	struct one o = { &e, expl, false };
	struct entitlement_query q = { .id = id, .state = -1 };
	enum app_err rc = id > 0 ? store_entitlements(s, &q, take, &o, err) : APP_OK;
	if (rc != APP_OK)
		return rc;
	if (!o.found)
		return app_fail(err, APP_ENOTFOUND, "no entitlement %lld", (long long)id);
	rc = auth_scope(c, perm, e.region, err);
	if (rc == APP_ENOTFOUND)
		return app_fail(err, APP_ENOTFOUND, "no entitlement %lld", (long long)id);
	if (rc != APP_OK)
		return rc;
	*out = e;
	return APP_OK;
}

static enum app_err check_text(const char *field, const char *text, bool required,
			       struct app_error *err);

enum app_err entitle_person(struct store *s, const struct auth_caller *c, int64_t id,
			    const char *reason, struct entitlement *out, struct strbuf *expl,
			    struct app_error *err)
{
	struct entitlement e;
	enum app_err rc = entitle_get(s, c, id, PERM_ENTITLE_READ, &e, expl, err);
	struct app_error scope;
	if (rc == APP_OK && auth_scope(c, PERM_PERSONAL_DATA, e.region, &scope) != APP_OK)
		rc = app_fail(err, APP_EPERM, "your role may not reveal personal data here");
	if (rc == APP_OK && (!reason || !*reason))
		rc = app_fail_field(err, APP_EINVAL, "reason",
				    "say why in 'reason': every reveal is recorded");
	if (rc == APP_OK)
		rc = check_text("reason", reason, true, err);
	if (rc == APP_OK) { /* recorded before the person leaves; no ID number in it */
		char object[48], summary[TEXT_MAX + 64];
		snprintf(object, sizeof(object), "entitlement:%lld", (long long)id);
		snprintf(summary, sizeof(summary), "person revealed; reason: %s", reason);
		struct audit_note note = { c->actor, "entitlement.person_read", object, e.region,
					   summary };
		rc = store_audit_append(s, &note, err);
	}
	if (rc == APP_OK)
		*out = e;
	return rc;
}

static enum app_err check_text(const char *field, const char *text, bool required,
			       struct app_error *err)
{
	if (required && (!text || !*text))
		return app_fail_field(err, APP_EINVAL, field, "say why (%s)", field);
	if (text && (strlen(text) > TEXT_MAX || !utf8_valid(text, strlen(text))))
		return app_fail_field(err, APP_EINVAL, field,
				      "%s must be text of at most %d bytes", field, TEXT_MAX);
	return APP_OK;
}

/* A change of e with its event; detail NULL: none. */
static struct entitlement_change mk(struct entitlement *e, enum entitle_event kind,
				    enum entitle_state from, const char *detail)
{
	return (struct entitlement_change){ .e = e, .kind = kind, .from = from, .detail = detail };
}

static enum app_err wrong_state(const struct entitlement *e, const char *what,
				struct app_error *err)
{
	return app_fail(err, APP_ECONFLICT, "entitlement %lld is %s (%s): %s", (long long)e->id,
			entitle_state_names[e->state], entitle_state_names_zh[e->state], what);
}

/* Write changes with the audit entry action on entitlement e. */
static enum app_err write(struct store *s, struct entitlement_change *ch, size_t n,
			  const struct entitlement *e, const char *action, const char *summary,
			  const char *actor, int64_t now, struct app_error *err)
{
	char object[48];
	snprintf(object, sizeof(object), "entitlement:%lld", (long long)e->id);
	struct audit_note note = { actor, action, object, e->region, summary };
	return store_entitle_apply(s, NULL, ch, n, now, actor, &note, err);
}

/* e as the notice's end leaves it: awaiting consent or granted, as its
 * policy says, into ch[0] (and ch[1], the grant's event); returns how many. */
static enum app_err after_notice(const struct entitle_programme *p, struct entitlement *e,
				 int64_t now, struct entitlement_change *ch, size_t *n,
				 struct app_error *err)
{
	int pi = rules_set_find(&p->set, e->policy);
	if (pi < 0)
		return app_fail(err, APP_ECONFLICT, "programme '%s' has no policy '%s' any more",
				p->id, e->policy);
	if (rules_policy_consent(&p->set, (size_t)pi)) {
		e->state = ENTITLE_AWAITING_CONSENT;
		e->consent_until = now + (int64_t)p->consent_days * 86400;
		ch[*n] = mk(e, ENTITLE_EV_CONSENT_ASKED, ENTITLE_IN_NOTICE, NULL);
	} else {
		e->state = ENTITLE_GRANTED;
		ch[*n] = mk(e, ENTITLE_EV_GRANTED, ENTITLE_IN_NOTICE, NULL);
	}
	(*n)++;
	return APP_OK;
}

enum app_err entitle_object(struct store *s, const struct auth_caller *c, int64_t id,
			    const char *text, int64_t now, struct app_error *err)
{
	struct entitlement e;
	struct strbuf expl = STRBUF_INIT;
	enum app_err rc = check_text("text", text, true, err);
	if (rc == APP_OK)
		rc = entitle_get(s, c, id, PERM_ENTITLE_MANAGE, &e, &expl, err);
	if (rc == APP_OK && (e.state != ENTITLE_IN_NOTICE || now > e.notice_until))
		rc = wrong_state(&e, "an objection is filed during the public notice only", err);
	if (rc == APP_OK) {
		e.state = ENTITLE_OBJECTED;
		struct entitlement_change ch = mk(&e, ENTITLE_EV_OBJECTION_FILED, ENTITLE_IN_NOTICE,
						  text);
		rc = write(s, &ch, 1, &e, "entitle.objection", "{}", c->actor, now, err);
	}
	strbuf_release(&expl);
	return rc;
}

enum app_err entitle_review(struct store *s, const struct auth_caller *c,
			    const struct entitle_programme *p, int64_t id, bool uphold,
			    const char *reason, int64_t now, struct app_error *err)
{
	struct entitlement e;
	struct strbuf expl = STRBUF_INIT;
	enum app_err rc = check_text("reason", reason, uphold, err);
	if (rc == APP_OK)
		rc = entitle_get(s, c, id, PERM_ENTITLE_MANAGE, &e, &expl, err);
	if (rc == APP_OK && strcmp(e.programme, p->id) != 0)
		rc = app_fail(err, APP_EINVAL, "entitlement %lld is of programme '%s', not '%s'",
			      (long long)id, e.programme, p->id);
	if (rc == APP_OK && e.state != ENTITLE_OBJECTED)
		rc = wrong_state(&e, "only an objected entitlement is reviewed", err);
	if (rc != APP_OK) {
		strbuf_release(&expl);
		return rc;
	}
	struct entitlement_change ch[2];
	size_t n = 1;
	if (uphold) {
		e.state = ENTITLE_REFUSED;
		snprintf(e.reason, sizeof(e.reason), "%s", reason);
		ch[0] = mk(&e, ENTITLE_EV_OBJECTION_UPHELD, ENTITLE_OBJECTED, reason);
	} else if (now < e.notice_until) {
		/* the notice goes on; entitle_advance moves it when it ends */
		e.state = ENTITLE_IN_NOTICE;
		ch[0] = mk(&e, ENTITLE_EV_OBJECTION_DISMISSED, ENTITLE_OBJECTED, reason);
	} else {
		/* as if the notice had ended: the dismissal, then what the end brings */
		n = 0;
		rc = after_notice(p, &e, now, ch, &n, err);
		ch[1] = ch[0];
		ch[1].event_only = true;
		ch[0].kind = ENTITLE_EV_OBJECTION_DISMISSED;
		ch[0].from = ENTITLE_OBJECTED;
		ch[0].detail = reason;
		ch[1].from = ENTITLE_OBJECTED;
		n = 2;
	}
	if (rc == APP_OK)
		rc = write(s, ch, n, &e, "entitle.review",
			   uphold ? "{\"decision\":\"uphold\"}" : "{\"decision\":\"dismiss\"}", c->actor,
			   now, err);
	strbuf_release(&expl);
	return rc;
}

struct held_of {
	const struct entitlement *e;
	struct entitlement *out;
	size_t n, cap;
};

/* The other held entitlements of e's person, benefit and period. */
static bool held_sibling(void *ctx, const struct entitlement *x)
{
	struct held_of *h = ctx;
	if (x->id == h->e->id || strcmp(x->person_key, h->e->person_key) != 0 ||
	    strcmp(x->benefit, h->e->benefit) != 0 || x->period != h->e->period ||
	    h->n == h->cap)
		return true;
	entitle_copy_one(&h->out[h->n++], x);
	return true;
}

enum app_err entitle_consent(struct store *s, const struct auth_caller *c,
			     const struct entitle_programme *p, int64_t id, bool accept,
			     const char *channel, const char *note, int64_t now,
			     struct app_error *err)
{
	struct entitlement e;
	struct strbuf expl = STRBUF_INIT;
	enum app_err rc = APP_OK;
	if (!channel || !*channel || strlen(channel) > 32)
		rc = app_fail_field(err, APP_EINVAL, "channel",
				    "say how the person answered (channel: sms, phone, visit...)");
	if (rc == APP_OK)
		rc = check_text("note", note, false, err);
	if (rc == APP_OK)
		rc = entitle_get(s, c, id, PERM_ENTITLE_MANAGE, &e, &expl, err);
	if (rc == APP_OK && strcmp(e.programme, p->id) != 0)
		rc = app_fail(err, APP_EINVAL, "entitlement %lld is of programme '%s', not '%s'",
			      (long long)id, e.programme, p->id);
	if (rc == APP_OK && e.state != ENTITLE_AWAITING_CONSENT && e.state != ENTITLE_HELD)
		rc = wrong_state(&e, "consent is asked of an entitlement awaiting it, or held "
				 "between two policies", err);
	int pi = rc == APP_OK ? rules_set_find(&p->set, e.policy) : 0;
	if (pi < 0)
		rc = app_fail(err, APP_ECONFLICT, "programme '%s' has no policy '%s' any more",
			      p->id, e.policy);
	enum { SIBLINGS_MAX = 15 };
	struct entitlement sib[SIBLINGS_MAX];
	struct held_of h = { &e, sib, 0, SIBLINGS_MAX };
	if (rc == APP_OK && accept && e.state == ENTITLE_HELD) {
		struct entitlement_query q = { .programme = e.programme, .state = ENTITLE_HELD,
					       .period = e.period };
		rc = store_entitlements(s, &q, held_sibling, &h, err);
	}
	if (rc != APP_OK) {
		strbuf_release(&expl);
		return rc;
	}
	char detail[TEXT_MAX + 64];
	snprintf(detail, sizeof(detail), "%s%s%s", channel, note && *note ? ": " : "",
		 note ? note : "");
	struct entitlement_change ch[2 + SIBLINGS_MAX];
	enum entitle_state from = e.state;
	size_t n = 0;
	int notice = rules_policy_notice_days(&p->set, (size_t)pi);
	if (accept && from == ENTITLE_HELD && notice > 0) {
		/* the choice made, it goes on as a new one would: the public notice */
		e.state = ENTITLE_IN_NOTICE;
		e.reason[0] = '\0'; /* "a person decides" is settled */
		e.notice_until = now + (int64_t)notice * 86400;
		ch[n++] = mk(&e, ENTITLE_EV_CONSENT_GIVEN, from, detail);
		ch[n] = mk(&e, ENTITLE_EV_NOTICE_STARTED, from, NULL);
		ch[n++].event_only = true;
	} else if (accept) {
		e.state = ENTITLE_GRANTED;
		e.reason[0] = '\0'; /* a held one's "a person decides" is settled */
		ch[n++] = mk(&e, ENTITLE_EV_CONSENT_GIVEN, from, detail);
		ch[n] = mk(&e, ENTITLE_EV_GRANTED, from, NULL);
		ch[n++].event_only = true;
	} else {
		e.state = ENTITLE_DECLINED;
		ch[n++] = mk(&e, ENTITLE_EV_CONSENT_REFUSED, from, detail);
	}
	char chose[ENTITLE_ID_MAX + 32];
	snprintf(chose, sizeof(chose), "the person chose policy %s", e.policy);
	for (size_t i = 0; i < h.n; i++) {
		sib[i].state = ENTITLE_DECLINED;
		ch[n++] = mk(&sib[i], ENTITLE_EV_CONSENT_REFUSED, ENTITLE_HELD, chose);
	}
	rc = write(s, ch, n, &e, "entitle.consent",
		   accept ? "{\"consent\":\"given\"}" : "{\"consent\":\"refused\"}", c->actor, now,
		   err);
	strbuf_release(&expl);
	return rc;
}

enum app_err entitle_appeal(struct store *s, const struct calendar *cal,
			    const struct auth_caller *c, int64_t id, const char *text, int64_t now,
			    int64_t *demand, struct app_error *err)
{
	struct entitlement e;
	struct strbuf expl = STRBUF_INIT;
	enum app_err rc = check_text("text", text, true, err);
	if (rc == APP_OK)
		rc = entitle_get(s, c, id, PERM_ENTITLE_MANAGE, &e, &expl, err);
	if (rc == APP_OK && e.state != ENTITLE_REFUSED && e.state != ENTITLE_REVOKED &&
	    e.state != ENTITLE_DECLINED)
		rc = wrong_state(&e, "an appeal is against a refusal, a revocation or a decline",
				 err);
	if (rc == APP_OK && e.appeal_case > 0)
		rc = app_fail(err, APP_ECONFLICT, "entitlement %lld was appealed already: demand %lld",
			      (long long)id, (long long)e.appeal_case);
	if (rc == APP_OK && e.appeal_case < 0)
		rc = app_fail(err, APP_ECONFLICT, "entitlement %lld is being appealed right now",
			      (long long)id);
	/* reserved first (appeal_case -1, version-checked): of two appeals at
	 * once, one raises the demand, the other is refused */
	struct entitlement_change ch = { .e = &e, .kind = ENTITLE_EV_APPEALED, .row_only = true };
	if (rc == APP_OK) {
		ch.from = e.state;
		e.appeal_case = -1;
		rc = store_entitle_apply(s, NULL, &ch, 1, now, c->actor, NULL, err);
		if (rc == APP_ECONFLICT)
			rc = app_fail(err, APP_ECONFLICT, "entitlement %lld is being appealed right "
				      "now", (long long)id);
	}
	if (rc != APP_OK) {
		strbuf_release(&expl);
		return rc;
	}
	/* the demand: what was decided and what the person says, for the
	 * officers of the person's region (no ID number in it) */
	char description[TEXT_MAX + 1024];
	snprintf(description, sizeof(description),
		 "申诉（entitlement %lld, programme %s, policy %s, period %d, state %s）：%s\n"
		 "原因：%s", (long long)e.id, e.programme, e.policy, (int)e.period,
		 entitle_state_names_zh[e.state], text, e.reason[0] ? e.reason : "-");
	struct demand_new d = {
		.region = e.region, .category = "welfare", .title = "免申即享申诉", .description = description,
		.contact_name = e.person_name[0] ? e.person_name : "-",
		.contact_phone = e.phone[0] ? e.phone : NULL, .source = "app",
	};
	struct case_row *row = xmalloc(sizeof(*row));
	rc = demands_raise(s, cal, c, &d, now, row, err);
	if (rc != APP_OK) { /* no demand: the reservation is lifted */
		struct app_error e2;
		e.appeal_case = 0;
		if (store_entitle_apply(s, NULL, &ch, 1, now, c->actor, NULL, &e2) != APP_OK)
			log_warn("entitle.appeal", "entitlement=%lld reservation not lifted: %s",
				 (long long)id, e2.msg);
	}
	if (rc == APP_OK) {
		e.appeal_case = row->id;
		char detail[64];
		snprintf(detail, sizeof(detail), "demand %lld", (long long)row->id);
		ch = mk(&e, ENTITLE_EV_APPEALED, e.state, detail);
		char summary[64];
		snprintf(summary, sizeof(summary), "{\"demand\":%lld}", (long long)row->id);
		rc = write(s, &ch, 1, &e, "entitle.appeal", summary, c->actor, now, err);
		if (rc == APP_OK)
			*demand = row->id;
		else /* the demand stands: the officers handle it; say so */
			log_warn("entitle.appeal", "entitlement=%lld demand=%lld link failed: %s",
				 (long long)id, (long long)row->id, err->msg);
	}
	free(row);
	strbuf_release(&expl);
	return rc;
}

/* ---- the end of notices ---- */

struct due {
	struct entitlement *e;
	size_t n, cap;
};

static bool due_add(void *ctx, const struct entitlement *e)
{
	struct due *d = ctx;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->e = xrealloc(d->e, d->cap * sizeof(*d->e));
	}
	entitle_copy_one(&d->e[d->n++], e);
	return true;
}

static int by_programme(const void *a, const void *b)
{
	const struct entitlement *x = a, *y = b;
	int c = strcmp(x->programme, y->programme);
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* Advance d->e[from..to), all of programme id, found in dir. */
static enum app_err advance_programme(struct store *s, const char *dir, struct entitlement *e,
				      size_t n, int64_t now, const char *actor, size_t *done,
				      struct app_error *err)
{
	struct entitle_programme p;
	enum app_err rc = entitle_programme_find(dir, e[0].programme, &p, err);
	if (rc != APP_OK)
		return rc;
	struct entitlement_change *ch = xcalloc(n, sizeof(*ch));
	size_t k = 0;
	for (size_t i = 0; i < n && rc == APP_OK; i++)
		rc = after_notice(&p, &e[i], now, ch, &k, err);
	if (rc == APP_OK) {
		char object[128], summary[64];
		snprintf(object, sizeof(object), "programme:%s", p.id);
		snprintf(summary, sizeof(summary), "{\"advanced\":%zu}", k);
		struct audit_note note = { actor, "entitle.advance", object, p.region, summary };
		rc = store_entitle_apply(s, NULL, ch, k, now, actor, &note, err);
	}
	if (rc == APP_OK)
		*done += k;
	free(ch);
	entitle_programme_release(&p);
	return rc;
}

enum app_err entitle_advance(struct store *s, const char *dir, int64_t now, const char *actor,
			     size_t *advanced, struct app_error *err)
{
	struct due d = { 0 };
	struct entitlement_query q = { .state = ENTITLE_IN_NOTICE, .notice_due_by = now };
	enum app_err rc = store_entitlements(s, &q, due_add, &d, err);
	size_t done = 0;
	if (rc == APP_OK && d.n)
		qsort(d.e, d.n, sizeof(*d.e), by_programme);
	enum app_err first = rc;
	for (size_t i = 0, j; rc == APP_OK && i < d.n; i = j) {
		for (j = i + 1; j < d.n && strcmp(d.e[j].programme, d.e[i].programme) == 0; j++)
			;
		struct app_error e;
		enum app_err r = advance_programme(s, dir, &d.e[i], j - i, now, actor, &done, &e);
		if (r != APP_OK) { /* the others still move on; the first failure is returned */
			log_warn("entitle.advance", "programme=%s waiting=%zu: %s", d.e[i].programme,
				 j - i, e.msg);
			if (first == APP_OK) {
				first = r;
				*err = e;
			}
		}
	}
	free(d.e);
	*advanced = done;
	return first;
}

/* ---- publication ---- */

struct grants {
	const struct entitle_programme *p;
	struct strbuf *body;
	size_t n;
};

static bool grant_line(void *ctx, const struct entitlement *e)
{
	struct grants *g = ctx;
	if (e->state != ENTITLE_GRANTED && e->state != ENTITLE_REVOKED)
		return true;
	json_t *o = json_object();
	char amount[24], from[16], to[16];
	rules_fen_format(e->amount, amount, sizeof(amount));
	rules_date_format(e->effective_from, from, sizeof(from));
	json_object_set_new(o, g->p->key, json_string(e->person_key));
	json_object_set_new(o, "name", json_string(e->person_name));
	json_object_set_new(o, "amount", json_string(amount));
	json_object_set_new(o, "effective_from", json_string(from));
	if (e->effective_to) {
		rules_date_format(e->effective_to, to, sizeof(to));
		json_object_set_new(o, "effective_to", json_string(to));
	}
	char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	strbuf_addstr(g->body, line);
	strbuf_addch(g->body, '\n');
	free(line);
	json_decref(o);
	g->n++;
	return true;
}

struct seq_of {
	const char *prefix;
	int n;
	struct exchange_batch last; /* the latest of the prefix, when n > 0 */
};

static bool count_prefix(void *ctx, const struct exchange_batch *b)
{
	struct seq_of *q = ctx;
	if (strncmp(b->batch_id, q->prefix, strlen(q->prefix)) != 0)
		return true;
	if (q->n++ == 0 || b->id > q->last.id)
		q->last = *b;
	return true;
}

enum app_err entitle_publish(struct store *s, const struct entitle_programme *p, int32_t period,
			     const char *secret_path, const char *actor, int64_t now,
			     struct exchange_batch *out, bool *unchanged, struct app_error *err)
{
	*unchanged = false;
	if (!p->granted_dataset)
		return app_fail(err, APP_EINVAL, "programme '%s' names no granted_dataset to publish to",
				p->id);
	char prefix[EXCHANGE_CODE_MAX + 16], batch[EXCHANGE_CODE_MAX + 32];
	snprintf(prefix, sizeof(prefix), "%s.%d.", p->granted_dataset, (int)period);
	struct seq_of seq = { prefix, 0, { 0 } };
	enum app_err rc = store_exchange_batches(s, p->granted_dataset, 0, 1 << 30, count_prefix,
						 &seq, err);
	if (rc != APP_OK)
		return rc;
	snprintf(batch, sizeof(batch), "%s%d", prefix, seq.n + 1);
	if (!exchange_code_ok(batch))
		return app_fail(err, APP_EINVAL, "the batch id '%s' is longer than 32 characters: "
				"use a shorter granted_dataset code", batch);
	struct strbuf body = STRBUF_INIT;
	struct grants g = { p, &body, 0 };
	struct entitlement_query q = { .programme = p->id, .state = -1, .period = period,
				       .granted_ever = true };
	rc = store_entitlements(s, &q, grant_line, &g, err);
	char sk[EXCHANGE_SECRET_TEXT], sha[65], sig[EXCHANGE_SIG_TEXT];
	if (rc == APP_OK && g.n == 0)
		rc = app_fail(err, APP_ECONFLICT, "programme '%s' has granted nobody for period %d",
			      p->id, (int)period);
	if (rc == APP_OK)
		exchange_sha256_hex(body.buf, body.len, sha);
	if (rc == APP_OK && seq.n > 0 && strcmp(seq.last.sha256, sha) == 0) {
		*out = seq.last; /* the same list was published last: nothing to send */
		*unchanged = true;
		strbuf_release(&body);
		return APP_OK;
	}
	if (rc == APP_OK)
		rc = exchange_secret_read(secret_path, sk, sizeof(sk), err);
	if (rc == APP_OK) {
		struct strbuf signed_bytes = STRBUF_INIT;
		exchange_batch_signed_bytes(&signed_bytes, p->operator_code, p->granted_dataset, batch,
					    sha);
		rc = exchange_sign(sk, signed_bytes.buf, signed_bytes.len, sig, sizeof(sig), err);
		memset(sk, 0, sizeof(sk));
		strbuf_release(&signed_bytes);
	}
	if (rc == APP_OK) {
		struct exchange_upload u = { p->operator_code, p->granted_dataset, batch, sig,
					     EXCHANGE_JSONL, body.buf, body.len, actor, now };
		bool resent;
		rc = exchange_upload(s, &u, out, &resent, err);
	}
	if (rc == APP_OK) {
		char object[128], summary[256];
		snprintf(object, sizeof(object), "programme:%s", p->id);
		snprintf(summary, sizeof(summary),
			 "{\"period\":%d,\"batch\":\"%s\",\"persons\":%zu,\"sha256\":\"%s\"}",
			 (int)period, batch, g.n, sha);
		struct audit_note note = { actor, "entitle.publish", object, p->region, summary };
		rc = store_audit_append(s, &note, err);
	}
	strbuf_release(&body);
	return rc;
}
