/*
 * pipeline.c - a run of a programme of 免申即享 (docs/entitle.md "The run"):
 * the latest snapshot of each dataset the programme reads, pulled through
 * its operator's subscriptions (so the exchange's grants and audit trail
 * apply to the pipeline as to any consumer), joined on the person's key into
 * the rules engine's columns; the policies evaluated at the run's date; and
 * the differences with the stored entitlements written in one transaction:
 * new ones, held ones (two policies granting one benefit) and revocations
 * from the right date. It never changes an entitlement a person or an
 * officer has acted on other than by revoking it when eligibility ends.
 */
#include "entitle/entitle.h"

#include "core/clock.h"
#include "core/division.h"
#include "core/log.h"
#include "core/pii.h"
#include "exchange/broker.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the revocation date ---- */

static int day_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

/* Person row of src alone into dst (every column, same names and types) as
 * the data stood on day: a date after day has not happened yet (absent). */
static void one_person(const struct rules_columns *src, size_t row, int32_t day,
		       struct rules_columns *dst)
{
	rules_columns_init(dst, 1);
	for (size_t i = 0; i < src->ncol; i++) {
		const struct rules_column *c = &src->col[i];
		struct rules_column *d = rules_columns_add(dst, c->name, c->type);
		char text[256];
		rules_columns_value_text(src, c, row, text, sizeof(text));
		if (d && text[0] && !(c->type == RULES_DATE && c->data[row] > day))
			rules_columns_set_text(dst, d, 0, text, NULL);
	}
}

/* Whether policy grants person row of cols on day, with the data as it stood. */
static enum app_err grants_on(const struct rules_set *set, size_t policy,
			      const struct rules_columns *cols, size_t row, int32_t day, bool *out,
			      struct app_error *err)
{
	struct rules_columns one;
	struct rules_results r;
	one_person(cols, row, day, &one);
	enum app_err rc = rules_evaluate(set, &one, day, &r, err);
	rules_columns_release(&one);
	if (rc != APP_OK)
		return rc;
	*out = rules_bit(r.out[policy].granted, 0);
	rules_results_release(&r);
	return APP_OK;
}

enum app_err entitle_revocation_day(const struct rules_set *set, size_t policy,
				    const struct rules_columns *cols, size_t row, int32_t from,
				    int32_t day, int32_t *out, struct app_error *err)
{
	int32_t cand[RULES_COLUMNS_MAX + 1];
	size_t n = 0;
	for (size_t i = 0; i < cols->ncol; i++) {
		const struct rules_column *c = &cols->col[i];
		if (c->type == RULES_DATE && rules_bit(c->present, row) && c->data[row] < day)
			cand[n++] = c->data[row];
	}
	qsort(cand, n, sizeof(*cand), day_cmp);
	enum app_err rc = APP_OK;
	int32_t found = day;
	for (size_t i = 0; i < n && rc == APP_OK; i++) {
		bool before, on;
		rc = grants_on(set, policy, cols, row, cand[i] - 1, &before, err);
		if (rc == APP_OK && before)
			rc = grants_on(set, policy, cols, row, cand[i], &on, err);
		if (rc == APP_OK && before && !on) { /* the change happened on that date */
			found = cand[i];
			break;
		}
	}
	if (rc == APP_OK)
		*out = found < from ? from : found;
	return rc;
}

/* ---- reading the data ---- */

struct person_data {
	struct rules_columns cols; /* the policies' inputs, one row per person */
	struct rules_columns keys; /* string table only: person key -> row */
	char **name, **phone, **region; /* per row; NULL when absent */
	size_t n;
	struct arena arena;
};

static void person_data_release(struct person_data *d)
{
	rules_columns_release(&d->cols);
	rules_columns_release(&d->keys);
	free(d->name);
	free(d->phone);
	free(d->region);
	arena_release(&d->arena);
}

struct sub_find {
	const char *dataset;
	struct exchange_subscription x;
	bool found;
};

static bool sub_pick(void *ctx, const struct exchange_subscription *x)
{
	struct sub_find *f = ctx;
	if (x->state == EXCHANGE_SUB_ACTIVE && strcmp(x->dataset, f->dataset) == 0) {
		f->x = *x;
		f->found = true;
		return false;
	}
	return true;
}

static bool batch_max(void *ctx, const struct exchange_batch *b)
{
	int64_t *max = ctx;
	if (b->id > *max)
		*max = b->id;
	return true;
}

/* A JSON value as the text rules_columns_set_text reads; "" for null. */
static void value_text(json_t *v, char *out, size_t cap)
{
	if (json_is_string(v))
		snprintf(out, cap, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, cap, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(out, cap, "%.2f", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(out, cap, "%s", json_is_true(v) ? "true" : "false");
	else
		out[0] = '\0';
}

/*
 * The rows of the latest batch of dataset ds, pulled through the operator's
 * active subscription granting p->key and every field of ds p reads, into
 * *rows (the exchange's JSON lines) and *nrows; *seq is raised to the
 * batch's id.
 */
static enum app_err pull_latest(struct store *s, const struct entitle_programme *p, const char *ds,
				const char *actor, struct strbuf *rows, int64_t *nrows,
				int64_t *seq, struct app_error *err)
{
	struct sub_find f = { .dataset = ds };
	struct exchange_sub_query q = { .consumer = p->operator_code };
	enum app_err rc = store_exchange_subs(s, &q, sub_pick, &f, err);
	if (rc != APP_OK)
		return rc;
	if (!f.found)
		return app_fail(err, APP_EPERM,
				"programme '%s': operator '%s' has no active subscription to dataset "
				"'%s' (bianmin exchange subscribe)", p->id, p->operator_code, ds);
	const char **need = xcalloc(p->ninputs + 4, sizeof(*need));
	size_t nneed = 0;
	need[nneed++] = p->key;
	for (size_t i = 0; i < p->ninputs; i++)
		if (strcmp(p->inputs[i].ref.dataset, ds) == 0)
			need[nneed++] = p->inputs[i].ref.field;
	const struct entitle_ref *person[3] = { &p->person_name, &p->person_phone, &p->person_region };
	for (int i = 0; i < 3; i++)
		if (person[i]->dataset && strcmp(person[i]->dataset, ds) == 0)
			need[nneed++] = person[i]->field;
	for (size_t i = 0; i < nneed && rc == APP_OK; i++)
		if (!exchange_field_granted(f.x.fields, need[i]))
			rc = app_fail(err, APP_EPERM,
				      "programme '%s': subscription %lld of '%s' to dataset '%s' does "
				      "not grant field '%s'", p->id, (long long)f.x.id, p->operator_code,
				      ds, need[i]);
	free(need);
	if (rc != APP_OK)
		return rc;
	int64_t latest = 0;
	rc = store_exchange_batches(s, ds, 0, 1 << 30, batch_max, &latest, err);
	if (rc != APP_OK || latest == 0) {
		*nrows = 0;
		return rc;
	}
	if (latest > *seq)
		*seq = latest;
	int64_t upto;
	return exchange_pull(s, f.x.id, p->operator_code, latest - 1, 1, actor, rows, &upto, nrows,
			     err);
}

/* Call fn on the data object of each line of rows (the exchange's JSON lines). */
static enum app_err each_line(const struct strbuf *rows, const char *ds,
			      enum app_err (*fn)(void *ctx, json_t *data, int64_t line,
						 struct app_error *err),
			      void *ctx, struct app_error *err)
{
	const char *pos = rows->buf, *end = rows->buf + rows->len;
	while (pos < end) {
		const char *nl = memchr(pos, '\n', (size_t)(end - pos));
		size_t len = nl ? (size_t)(nl - pos) : (size_t)(end - pos);
		json_t *row = len ? json_loadb(pos, len, 0, NULL) : NULL;
		pos += len + 1;
		if (!len)
			continue;
		json_t *data = json_object_get(row, "data");
		enum app_err rc = json_is_object(data)
			? fn(ctx, data, json_integer_value(json_object_get(row, "line")), err)
			: app_fail(err, APP_EINTERNAL, "dataset '%s': a row the exchange gave is "
				   "not an object", ds);
		json_decref(row);
		if (rc != APP_OK)
			return rc;
	}
	return APP_OK;
}

struct fill {
	const struct entitle_programme *p;
	struct person_data *d;
	const char *ds;
	bool first; /* the persons' dataset: rows are added */
};

static char *text_of(struct arena *a, json_t *data, const struct entitle_ref *r, const char *ds)
{
	if (!r->dataset || strcmp(r->dataset, ds) != 0)
		return NULL;
	char v[256];
	value_text(json_object_get(data, r->field), v, sizeof(v));
	return v[0] ? arena_strndup(a, v, strlen(v)) : NULL;
}

static enum app_err fill_row(void *ctx, json_t *data, int64_t line, struct app_error *err)
{
	struct fill *f = ctx;
	struct person_data *d = f->d;
	char key[ENTITLE_KEY_MAX + 1];
	value_text(json_object_get(data, f->p->key), key, sizeof(key));
	if (!key[0])
		return APP_OK; /* a row naming nobody */
	int32_t row = rules_columns_lookup(&d->keys, key);
	if (row < 0 && !f->first)
		return APP_OK; /* not one of the persons */
	if (row < 0) {
		row = rules_columns_intern(&d->keys, key);
		d->n = (size_t)row + 1;
		char masked[ENTITLE_KEY_MAX + 1]; /* explanations name the person masked */
		pii_id_mask(key, masked);
		d->cols.ids[row] = xstrdup(masked);
	} else if (f->first) {
		return APP_OK; /* the same key twice in a snapshot: the first row counts */
	}
	for (size_t i = 0; i < f->p->ninputs; i++) {
		const struct entitle_input *in = &f->p->inputs[i];
		if (strcmp(in->ref.dataset, f->ds) != 0)
			continue;
		char v[256];
		value_text(json_object_get(data, in->ref.field), v, sizeof(v));
		struct rules_column *col = (struct rules_column *)rules_columns_find(&d->cols,
										     in->name);
		struct app_error e;
		if (v[0] && rules_columns_set_text(&d->cols, col, (size_t)row, v, &e) != APP_OK)
			return app_fail(err, APP_EINVAL, "dataset '%s', line %lld: field '%s': %s",
					f->ds, (long long)line, in->ref.field, e.msg);
	}
	char *x;
	if ((x = text_of(&d->arena, data, &f->p->person_name, f->ds)))
		d->name[row] = x;
	if ((x = text_of(&d->arena, data, &f->p->person_phone, f->ds)))
		d->phone[row] = x;
	if ((x = text_of(&d->arena, data, &f->p->person_region, f->ds)))
		d->region[row] = x;
	return APP_OK;
}

/* The persons with the programme's inputs, from the latest data; *seq gets
 * the highest batch id read. */
static enum app_err load(struct store *s, const struct entitle_programme *p, const char *actor,
			 struct person_data *d, int64_t *seq, struct app_error *err)
{
	memset(d, 0, sizeof(*d));
	arena_init(&d->arena);
	rules_columns_init(&d->keys, 0);
	struct strbuf rows = STRBUF_INIT;
	int64_t nrows = 0;
	const char *first = p->person_region.dataset;
	enum app_err rc = pull_latest(s, p, first, actor, &rows, &nrows, seq, err);
	rules_columns_init(&d->cols, rc == APP_OK ? (size_t)nrows : 0);
	d->cols.ids = xcalloc(d->cols.cap, sizeof(char *));
	for (size_t i = 0; i < p->ninputs; i++)
		rules_columns_add(&d->cols, p->inputs[i].name, p->inputs[i].type);
	size_t cap = nrows > 0 ? (size_t)nrows : 1;
	d->name = xcalloc(cap, sizeof(char *));
	d->phone = xcalloc(cap, sizeof(char *));
	d->region = xcalloc(cap, sizeof(char *));
	struct fill f = { p, d, first, true };
	if (rc == APP_OK)
		rc = each_line(&rows, first, fill_row, &f, err);
	for (size_t i = 0; i < p->ndatasets && rc == APP_OK; i++) {
		if (strcmp(p->datasets[i], first) == 0)
			continue;
		strbuf_reset(&rows);
		f = (struct fill){ p, d, p->datasets[i], false };
		rc = pull_latest(s, p, p->datasets[i], actor, &rows, &nrows, seq, err);
		if (rc == APP_OK)
			rc = each_line(&rows, p->datasets[i], fill_row, &f, err);
	}
	strbuf_release(&rows);
	/* a key seen twice leaves rows unused at the end: the persons are the first n */
	d->cols.n = d->n;
	return rc;
}

/* ---- the stored entitlements of the programme ---- */

struct known {
	int64_t id;
	enum entitle_state state;
	int32_t period;
	const char *key;    /* the person's, in the stored map's arena */
	const char *policy;
};

struct stored {
	struct rules_columns map; /* string table only: "policy\x1fkey\x1fperiod" -> index */
	struct known *k;
	size_t n, cap;
	struct arena arena;
};

static void stored_key(char *out, size_t cap, const char *policy, const char *key, int32_t period)
{
	snprintf(out, cap, "%s\x1f%s\x1f%d", policy, key, (int)period);
}

static bool stored_add(void *ctx, const struct entitlement *e)
{
	struct stored *st = ctx;
	char k[3 * ENTITLE_KEY_MAX];
	stored_key(k, sizeof(k), e->policy, e->person_key, e->period);
	int32_t i = rules_columns_intern(&st->map, k);
	if ((size_t)i >= st->cap) {
		st->cap = st->cap ? st->cap * 2 : 1024;
		st->k = xrealloc(st->k, st->cap * sizeof(*st->k));
	}
	st->k[i] = (struct known){ e->id, e->state, e->period,
				   arena_strndup(&st->arena, e->person_key, strlen(e->person_key)),
				   arena_strndup(&st->arena, e->policy, strlen(e->policy)) };
	st->n = (size_t)i + 1;
	return true;
}

static const struct known *stored_find(const struct stored *st, const char *policy,
				       const char *key, int32_t period)
{
	char k[3 * ENTITLE_KEY_MAX];
	stored_key(k, sizeof(k), policy, key, period);
	int32_t i = rules_columns_lookup(&st->map, k);
	return i < 0 ? NULL : &st->k[i];
}

/* ---- the run ---- */

struct held {
	uint8_t *flag; /* npol × n: the person's grant by that policy conflicts */
	size_t n;
};

static void conflict_mark(void *arg, size_t row, size_t a, size_t b)
{
	struct held *h = arg;
	h->flag[a * h->n + row] = 1;
	h->flag[b * h->n + row] = 1;
}

struct run {
	struct store *s;
	const struct entitle_programme *p;
	struct person_data d;
	struct rules_results res;
	int32_t day;
	int64_t now;
	struct arena arena; /* explanations */
	struct entitlement *ents;
	struct entitlement_change *ch;
	size_t n, cap;
};

static struct entitlement_change *change_add(struct run *r)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->ents = xrealloc(r->ents, r->cap * sizeof(*r->ents));
		r->ch = xrealloc(r->ch, r->cap * sizeof(*r->ch));
	}
	memset(&r->ents[r->n], 0, sizeof(r->ents[r->n]));
	memset(&r->ch[r->n], 0, sizeof(r->ch[r->n]));
	return &r->ch[r->n++];
}

/* The explanation of policy pi for row at day, in the run's arena. */
static const char *explain(struct run *r, size_t pi, size_t row, int32_t day)
{
	struct strbuf sb = STRBUF_INIT;
	struct app_error e;
	if (rules_explain(&r->p->set, pi, &r->d.cols, row, day, &sb, &e) != APP_OK) {
		strbuf_reset(&sb);
		strbuf_addstr(&sb, e.msg);
	}
	const char *x = arena_strndup(&r->arena, sb.buf, sb.len);
	strbuf_release(&sb);
	return x;
}

/* The line of an explanation that says why not ("failed: ..."), or its first. */
static void reason_of(const char *expl, char *out, size_t cap)
{
	const char *f = strstr(expl, "failed: ");
	if (!f)
		f = expl;
	const char *nl = strchr(f, '\n');
	size_t len = nl ? (size_t)(nl - f) : strlen(f);
	if (len >= cap)
		len = cap - 1;
	memcpy(out, f, len);
	out[len] = '\0';
}

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* A new entitlement of policy pi for row, held or as the policy says. */
static void add_new(struct run *r, size_t pi, size_t row, int64_t amount, int32_t period,
		    bool held, struct entitlement_run *counts)
{
	const struct rules_set *set = &r->p->set;
	struct entitlement_change *c = change_add(r);
	struct entitlement *e = &r->ents[r->n - 1];
	copy(e->programme, sizeof(e->programme), r->p->id);
	copy(e->policy, sizeof(e->policy), rules_policy_id(set, pi));
	copy(e->benefit, sizeof(e->benefit), rules_policy_benefit(set, pi));
	copy(e->person_key, sizeof(e->person_key), r->d.keys.str[row]);
	copy(e->person_name, sizeof(e->person_name), r->d.name[row]);
	copy(e->phone, sizeof(e->phone), r->d.phone[row]);
	copy(e->region, sizeof(e->region), r->d.region[row]);
	e->period = period;
	e->amount = amount;
	e->effective_from = r->day;
	e->explanation = explain(r, pi, row, r->day);
	c->from = ENTITLE_STATE__MAX;
	int notice = rules_policy_notice_days(set, pi);
	if (held) {
		e->state = ENTITLE_HELD;
		c->kind = ENTITLE_EV_HELD;
		copy(e->reason, sizeof(e->reason),
		     "another policy grants the same benefit for the period: a person decides");
		counts->held++;
	} else if (notice > 0) {
		e->state = ENTITLE_IN_NOTICE;
		e->notice_until = r->now + (int64_t)notice * 86400;
		c->kind = ENTITLE_EV_NOTICE_STARTED;
		counts->granted_new++;
	} else if (rules_policy_consent(set, pi)) {
		e->state = ENTITLE_AWAITING_CONSENT;
		e->consent_until = r->now + (int64_t)r->p->consent_days * 86400;
		c->kind = ENTITLE_EV_CONSENT_ASKED;
		counts->granted_new++;
	} else {
		e->state = ENTITLE_GRANTED;
		c->kind = ENTITLE_EV_GRANTED;
		counts->granted_new++;
	}
	c->e = e;
}

/* The revocation of stored entitlement id (policy pi, person row). */
static enum app_err add_revocation(struct run *r, int64_t id, size_t pi, size_t row,
				   struct app_error *err)
{
	struct entitlement e;
	memset(&e, 0, sizeof(e));
	struct entitlement_query q = { .id = id, .state = -1 };
	enum app_err rc = store_entitlements(r->s, &q, entitle_copy_one, &e, err);
	if (rc != APP_OK)
		return rc;
	int32_t from;
	rc = entitle_revocation_day(&r->p->set, pi, &r->d.cols, row, e.effective_from, r->day,
				    &from, err);
	if (rc != APP_OK)
		return rc;
	struct entitlement_change *c = change_add(r);
	struct entitlement *n = &r->ents[r->n - 1];
	*n = e;
	c->e = n;
	c->from = e.state;
	c->kind = ENTITLE_EV_REVOKED;
	n->state = ENTITLE_REVOKED;
	n->effective_to = from;
	n->explanation = explain(r, pi, row, from);
	reason_of(n->explanation, n->reason, sizeof(n->reason));
	char day[16];
	rules_date_format(n->effective_to, day, sizeof(day));
	c->detail = arena_printf(&r->arena, "from %s: %s", day, n->reason);
	return APP_OK;
}

/* Whether an entitlement in state st still stands (revoked when its
 * person stops qualifying or leaves the data). */
static bool live(enum entitle_state st)
{
	return st == ENTITLE_IN_NOTICE || st == ENTITLE_OBJECTED || st == ENTITLE_AWAITING_CONSENT ||
	       st == ENTITLE_GRANTED || st == ENTITLE_HELD;
}

/* Whether another policy than pi of pi's benefit has a live entitlement of
 * the person key for period (then a new one would grant the benefit twice). */
static bool benefit_taken(const struct stored *st, const struct rules_set *set, size_t pi,
			  const char *key, int32_t period)
{
	for (size_t pj = 0; pj < set->n; pj++) {
		const char *b = rules_policy_benefit(set, pj);
		if (pj == pi || strcmp(b, rules_policy_benefit(set, pi)) != 0)
			continue;
		const struct known *k = stored_find(st, rules_policy_id(set, pj), key, period);
		if (k && live(k->state))
			return true;
	}
	return false;
}

/* The revocation from the run's day of stored entitlement id, whose person
 * the snapshot no longer has. */
static enum app_err add_dropped(struct run *r, int64_t id, struct app_error *err)
{
	struct entitlement e;
	memset(&e, 0, sizeof(e));
	struct entitlement_query q = { .id = id, .state = -1 };
	enum app_err rc = store_entitlements(r->s, &q, entitle_copy_one, &e, err);
	if (rc != APP_OK)
		return rc;
	struct entitlement_change *c = change_add(r);
	struct entitlement *n = &r->ents[r->n - 1];
	*n = e;
	c->e = n;
	c->from = e.state;
	c->kind = ENTITLE_EV_REVOKED;
	n->state = ENTITLE_REVOKED;
	n->effective_to = r->day < e.effective_from ? e.effective_from : r->day;
	copy(n->reason, sizeof(n->reason), "no longer in the provider's data");
	n->explanation = n->reason;
	char day[16];
	rules_date_format(n->effective_to, day, sizeof(day));
	c->detail = arena_printf(&r->arena, "from %s: %s", day, n->reason);
	return APP_OK;
}

static enum app_err decide(struct run *r, struct entitlement_run *counts, struct app_error *err)
{
	const struct rules_set *set = &r->p->set;
	size_t n = r->d.n;
	struct held h = { xcalloc(set->n * (n ? n : 1), 1), n };
	rules_conflicts(set, &r->res, conflict_mark, &h);
	struct stored st = { 0 };
	rules_columns_init(&st.map, 0);
	arena_init(&st.arena);
	struct entitlement_query q = { .programme = r->p->id, .state = -1 };
	enum app_err rc = store_entitlements(r->s, &q, stored_add, &st, err);
	for (size_t pi = 0; pi < set->n && rc == APP_OK; pi++) {
		const struct rules_outcome *o = &r->res.out[pi];
		const char *policy = rules_policy_id(set, pi);
		size_t k = 0; /* index of the next granted person's amount */
		for (size_t row = 0; row < n && rc == APP_OK; row++) {
			bool granted = rules_bit(o->granted, row), known = rules_bit(o->known, row);
			int64_t amount = granted ? o->amount[k++] : 0;
			if (!known) {
				counts->unknown++;
				continue;
			}
			const char *key = r->d.keys.str[row];
			const struct known *have = stored_find(&st, policy, key, o->period);
			if (granted && !have) {
				struct app_error e;
				enum division_level lvl;
				const char *region = r->d.region[row];
				if (!region || division_code_check(region, &lvl, &e) != APP_OK) {
					counts->unknown++; /* nowhere to serve the person */
				} else if (!division_code_within(region, r->p->region)) {
					counts->out_of_region++; /* not the programme's to serve */
				} else if (benefit_taken(&st, set, pi, key, o->period)) {
					counts->held++; /* the benefit stands by another policy */
				} else {
					add_new(r, pi, row, amount, o->period, h.flag[pi * n + row],
						counts);
				}
			} else if (!granted && have && live(have->state)) {
				rc = add_revocation(r, have->id, pi, row, err);
				counts->revoked++;
			}
		}
		/* the live ones of the period whose person left the snapshot */
		for (size_t i = 0; i < st.n && rc == APP_OK; i++) {
			const struct known *x = &st.k[i];
			if (x->period != o->period || !live(x->state) ||
			    strcmp(x->policy, policy) != 0 ||
			    rules_columns_lookup(&r->d.keys, x->key) >= 0)
				continue;
			rc = add_dropped(r, x->id, err);
			counts->revoked++;
		}
	}
	arena_release(&st.arena);
	rules_columns_release(&st.map);
	free(st.k);
	free(h.flag);
	return rc;
}

enum app_err entitle_run(struct store *s, const struct entitle_programme *p, int32_t day,
			 int64_t now, const char *actor, struct entitlement_run *out,
			 struct app_error *err)
{
	struct run r = { .s = s, .p = p, .day = day, .now = now };
	arena_init(&r.arena);
	struct entitlement_run counts;
	memset(&counts, 0, sizeof(counts));
	copy(counts.programme, sizeof(counts.programme), p->id);
	copy(counts.actor, sizeof(counts.actor), actor);
	counts.at_day = day;
	counts.started_at = now;
	enum app_err rc = load(s, p, actor, &r.d, &counts.data_seq, err);
	if (rc == APP_OK)
		rc = rules_evaluate(&p->set, &r.d.cols, day, &r.res, err);
	counts.persons = (int64_t)r.d.n;
	if (rc == APP_OK) {
		rc = decide(&r, &counts, err);
		rules_results_release(&r.res);
	}
	if (rc == APP_OK) {
		counts.finished_at = clock_now();
		char object[128], summary[256], date[16];
		rules_date_format(day, date, sizeof(date));
		snprintf(object, sizeof(object), "programme:%s", p->id);
		snprintf(summary, sizeof(summary),
			 "{\"at\":\"%s\",\"persons\":%lld,\"new\":%lld,\"revoked\":%lld,"
			 "\"unknown\":%lld,\"held\":%lld,\"out_of_region\":%lld}",
			 date, (long long)counts.persons, (long long)counts.granted_new,
			 (long long)counts.revoked, (long long)counts.unknown,
			 (long long)counts.held, (long long)counts.out_of_region);
		struct audit_note note = { actor, "entitle.run", object, p->region, summary };
		for (size_t i = 0; i < r.n; i++) /* r.ents moved as it grew */
			r.ch[i].e = &r.ents[i];
		rc = store_entitle_apply(s, &counts, r.ch, r.n, now, actor, &note, err);
	}
	if (rc == APP_OK) {
		*out = counts;
		log_info("entitle.run", "programme=%s run=%lld persons=%lld new=%lld revoked=%lld "
			 "unknown=%lld held=%lld",
			 p->id, (long long)counts.id, (long long)counts.persons,
			 (long long)counts.granted_new, (long long)counts.revoked,
			 (long long)counts.unknown, (long long)counts.held);
	}
	free(r.ents);
	free(r.ch);
	arena_release(&r.arena);
	person_data_release(&r.d);
	return rc;
}

/* ---- the job: new data -> evaluation ---- */

static bool batch_any(void *ctx, const struct exchange_batch *b)
{
	(void)b;
	*(bool *)ctx = true;
	return false;
}

/* Whether a dataset p reads has a batch after p's last run; *stale set. */
static enum app_err newer_data(struct store *s, const struct entitle_programme *p, bool *stale,
			       struct app_error *err)
{
	int64_t seq;
	enum app_err rc = store_entitle_data_seq(s, p->id, &seq, err);
	*stale = false;
	for (size_t i = 0; i < p->ndatasets && rc == APP_OK && !*stale; i++)
		rc = store_exchange_batches(s, p->datasets[i], seq, 1, batch_any, stale, err);
	return rc;
}

enum app_err entitle_evaluate_job(struct store *s, int64_t now, char *detail, size_t cap,
				  struct app_error *err)
{
	static const char actor[] = "job:entitle.evaluate";
	char **paths;
	size_t n;
	enum app_err rc = entitle_programme_paths(entitle_programmes_dir(), &paths, &n, err);
	if (rc != APP_OK)
		return rc;
	int ymd = clock_china_day(now, NULL);
	int32_t day = rules_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
	struct strbuf ran = STRBUF_INIT;
	size_t nran = 0, nfailed = 0;
	enum app_err first_failure = APP_OK;
	for (size_t i = 0; i < n; i++) {
		struct entitle_programme p;
		struct entitlement_run run;
		struct app_error e;
		bool stale = false;
		enum app_err r = entitle_programme_load(paths[i], &p, &e);
		if (r != APP_OK) {
			log_warn("entitle.evaluate", "file=%s: does not load", paths[i]);
			if (!nfailed++)
				first_failure = r;
			continue;
		}
		r = newer_data(s, &p, &stale, &e);
		if (r == APP_OK && stale)
			r = entitle_run(s, &p, day, now, actor, &run, &e);
		if (r != APP_OK) { /* by id only: a message may quote the data */
			log_warn("entitle.evaluate", "programme=%s: failed (%s)", p.id,
				 app_err_name(r));
			if (!nfailed++)
				first_failure = r;
		} else if (stale) {
			strbuf_addf(&ran, "%s%s: %lld new, %lld revoked, %lld unknown, %lld held",
				    nran ? "; " : " (", p.id, (long long)run.granted_new,
				    (long long)run.revoked, (long long)run.unknown, (long long)run.held);
			nran++;
		}
		entitle_programme_release(&p);
	}
	entitle_programme_paths_release(paths, n);
	snprintf(detail, cap, "%zu programmes ran%s%s, %zu failed", nran, ran.len ? ran.buf : "",
		 nran ? ")" : "", nfailed);
	strbuf_release(&ran);
	if (nfailed) /* the others ran; the run is marked failed with the same words */
		return app_fail(err, first_failure, "%s", detail);
	return APP_OK;
}
