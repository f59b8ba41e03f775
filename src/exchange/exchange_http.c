/*
 * exchange_http.c - the exchange over HTTP; see exchange_http.h. A member
 * agency is the member its API key is bound to (`bianmin exchange member
 * link`), in scope through auth_scope(); an operator sees the members,
 * datasets, batches and subscriptions of the regions where it holds
 * PERM_EXCHANGE_ADMIN, and nothing else exists for it (404).
 */
#include "exchange/exchange_http.h"
#include "auth/auth.h"
#include "core/clock.h"
#include "exchange/broker.h"
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PULL_BATCHES_MAX 100

static bool one_member(void *ctx, const struct exchange_member *m)
{
	*(struct exchange_member *)ctx = *m;
	return false;
}

/* The member the calling API key is bound to, in the caller's scope; on
 * failure the reply is sent and false returned. */
static bool caller_member(struct http_req *req, struct exchange_member *out)
{
	const struct auth_caller *c = http_caller(req);
	struct exchange_member m = { .code = "" };
	struct app_error err;
	if (c->kind == AUTH_API_KEY &&
	    store_exchange_members(http_store(req), NULL, c->key_id, one_member, &m, &err) != APP_OK) {
		http_reply_error(req, &err);
		return false;
	}
	if (!m.code[0]) {
		http_reply_fail(req, APP_EPERM, NULL,
				"only an API key bound to a member of the exchange may do this "
				"(bianmin exchange member link)");
		return false;
	}
	if (auth_scope(c, PERM_EXCHANGE_MEMBER, m.region, &err) != APP_OK) {
		http_reply_error(req, &err);
		return false;
	}
	*out = m;
	return true;
}

/* The region of member code, for an operator's scope check ("" when gone). */
static void member_region(struct store *s, const char *code, char *region, size_t cap)
{
	struct exchange_member m = { .region = "" };
	if (exchange_member_get(s, code, &m, NULL) != APP_OK)
		m.region[0] = '\0';
	snprintf(region, cap, "%s", m.region);
}

/* True when the operator may see objects of member code. */
static bool admin_sees(struct http_req *req, const char *code)
{
	char region[DIVISION_CODE_MAX + 1];
	member_region(http_store(req), code, region, sizeof(region));
	return region[0] && auth_scope(http_caller(req), PERM_EXCHANGE_ADMIN, region, NULL) == APP_OK;
}

static json_t *batch_json(const struct exchange_batch *b)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:I, s:o, s:I}", "seq", (json_int_t)b->id,
			 "batch", b->batch_id, "dataset", b->dataset, "provider", b->provider, "rows",
			 (json_int_t)b->nrows, "sha256", b->sha256, "key_id", (json_int_t)b->key_id,
			 "received_at", http_json_time(b->received_at), "resent",
			 (json_int_t)b->resent);
}

void exchange_handle_upload(struct http_req *req)
{
	struct exchange_member m;
	if (!caller_member(req, &m))
		return;
	const char *type = http_header(req, "Content-Type");
	size_t tlen = type ? strcspn(type, "; ") : 0;
	enum exchange_format format;
	if (type && tlen == 8 && strncmp(type, "text/csv", 8) == 0)
		format = EXCHANGE_CSV;
	else if (type && ((tlen == 20 && strncmp(type, "application/x-ndjson", 20) == 0) ||
			  (tlen == 17 && strncmp(type, "application/jsonl", 17) == 0)))
		format = EXCHANGE_JSONL;
	else {
		http_reply_fail(req, APP_EMEDIA, NULL,
				"a batch is text/csv or application/x-ndjson (JSON lines)");
		return;
	}
	const char *sig = http_header(req, "X-Bianmin-Signature");
	if (sig && strncmp(sig, "ed25519=", 8) == 0)
		sig += 8;
	if (!sig || !*sig) {
		http_reply_fail(req, APP_EINVAL, "signature",
				"a batch needs its signature in the header X-Bianmin-Signature: "
				"ed25519=BASE64");
		return;
	}
	size_t len;
	const char *body = http_body_text(req, &len);
	struct exchange_upload u = { m.code,
				     http_param(req, "code"),
				     http_param(req, "batch"),
				     sig,
				     format,
				     body,
				     len,
				     http_caller(req)->actor,
				     clock_now() };
	struct exchange_batch b;
	bool resent = false;
	struct app_error err;
	if (exchange_upload(http_store(req), &u, &b, &resent, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	json_t *o = batch_json(&b);
	json_object_set_new(o, "already_received", json_boolean(resent));
	http_reply_json(req, resent ? 200 : 201, o);
}

void exchange_handle_pull(struct http_req *req)
{
	struct exchange_member m;
	int64_t id;
	long after, batches;
	if (!caller_member(req, &m) || !http_param_id(req, "id", &id) ||
	    !http_query_int_or_reply(req, "after", 0, 1L << 53, 0, &after) ||
	    !http_query_int_or_reply(req, "batches", 1, PULL_BATCHES_MAX, 10, &batches))
		return;
	struct strbuf out;
	strbuf_init(&out, 4096);
	int64_t upto, nrows;
	struct app_error err;
	if (exchange_pull(http_store(req), id, m.code, after, (int)batches, http_caller(req)->actor,
			  &out, &upto, &nrows, &err) != APP_OK)
		http_reply_error(req, &err);
	else
		http_reply_data(req, 200, "application/x-ndjson", out.buf, out.len);
	strbuf_release(&out);
}

struct list_ctx {
	struct http_req *req;
	json_t *items;
};

static bool add_key(void *ctx, const struct exchange_key *k)
{
	json_array_append_new(ctx, json_pack("{s:I, s:s, s:o, s:o}", "id", (json_int_t)k->id,
					     "public_key", k->public_key, "created_at",
					     http_json_time(k->created_at), "retired_at",
					     k->retired_at ? http_json_time(k->retired_at)
							   : json_null()));
	return true;
}

static bool add_member(void *ctx, const struct exchange_member *m)
{
	struct list_ctx *l = ctx;
	if (auth_scope(http_caller(l->req), PERM_EXCHANGE_ADMIN, m->region, NULL) != APP_OK)
		return true;
	json_t *keys = json_array();
	store_exchange_keys(http_store(l->req), m->code, add_key, keys, NULL);
	json_array_append_new(l->items,
			      json_pack("{s:s, s:s, s:s, s:I, s:s, s:o, s:o, s:o}", "code", m->code,
					"name", m->name, "region", m->region, "key_id",
					(json_int_t)m->key_id, "public_key", m->public_key,
					"api_key_id",
					m->api_key_id ? json_integer(m->api_key_id) : json_null(),
					"created_at", http_json_time(m->created_at), "keys", keys));
	return true;
}

/* Reply 200 {"items": l->items}, or the error. */
static void reply_items(struct http_req *req, enum app_err rc, const struct app_error *err,
			json_t *items)
{
	if (rc != APP_OK) {
		json_decref(items);
		http_reply_error(req, err);
		return;
	}
	http_reply_json(req, 200, json_pack("{s:o}", "items", items));
}

void exchange_handle_members(struct http_req *req)
{
	struct list_ctx l = { req, json_array() };
	struct app_error err;
	enum app_err rc = store_exchange_members(http_store(req), NULL, 0, add_member, &l, &err);
	reply_items(req, rc, &err, l.items);
}

static bool add_dataset(void *ctx, const struct exchange_dataset *d)
{
	struct list_ctx *l = ctx;
	if (!admin_sees(l->req, d->provider))
		return true;
	json_t *schema = json_loads(d->schema, 0, NULL);
	json_array_append_new(l->items,
			      json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "code", d->code,
					"provider", d->provider, "name", d->name, "sharing",
					exchange_sharing_names[d->sharing], "sharing_zh",
					exchange_sharing_names_zh[d->sharing], "schema",
					schema ? schema : json_null(), "created_at",
					http_json_time(d->created_at)));
	return true;
}

void exchange_handle_datasets(struct http_req *req)
{
	struct list_ctx l = { req, json_array() };
	struct app_error err;
	enum app_err rc = store_exchange_datasets(http_store(req), NULL, add_dataset, &l, &err);
	reply_items(req, rc, &err, l.items);
}

/* A page of batches: those in the operator's scope, read on until the page
 * is full or the batches end; last is the seq of the last batch read. */
struct batch_page {
	struct list_ctx l;
	size_t want;
	int read;
	int64_t last;
};

static bool add_batch(void *ctx, const struct exchange_batch *b)
{
	struct batch_page *p = ctx;
	p->read++;
	p->last = b->id;
	if (admin_sees(p->l.req, b->provider))
		json_array_append_new(p->l.items, batch_json(b));
	return json_array_size(p->l.items) < p->want;
}

/* At most this many reads for one page: an operator whose scope holds few of
 * many batches gets a shorter page and the cursor to go on from. */
enum { BATCH_PAGE_READS = 20 };

void exchange_handle_batches(struct http_req *req)
{
	long after, limit;
	if (!http_query_int_or_reply(req, "after", 0, 1L << 53, 0, &after) ||
	    !http_query_int_or_reply(req, "limit", 1, 1000, 100, &limit))
		return;
	struct batch_page p = { { req, json_array() }, (size_t)limit, 0, after };
	struct app_error err;
	enum app_err rc = APP_OK;
	bool ended = false;
	for (int i = 0; rc == APP_OK && !ended && i < BATCH_PAGE_READS &&
			json_array_size(p.l.items) < p.want; i++) {
		p.read = 0;
		rc = store_exchange_batches(http_store(req), http_query(req, "dataset"), p.last,
					    (int)limit, add_batch, &p, &err);
		ended = p.read < limit && json_array_size(p.l.items) < p.want;
	}
	if (rc != APP_OK) {
		json_decref(p.l.items);
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, 200, json_pack("{s:o, s:o}", "items", p.l.items, "next",
					    ended ? json_null() : json_integer(p.last)));
}

static json_t *sub_json(const struct exchange_subscription *x)
{
	char hhmm[16];
	snprintf(hhmm, sizeof(hhmm), "%02d:%02d", x->minute / 60, x->minute % 60);
	json_t *schedule = x->endpoint[0] ? json_pack("{s:i, s:s}", "day", x->day, "time", hhmm)
					  : json_null();
	return json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:I, s:i, s:o}", "id",
			 (json_int_t)x->id, "consumer", x->consumer, "dataset", x->dataset, "fields",
			 x->fields, "endpoint", http_json_str_or_null(x->endpoint), "schedule",
			 schedule, "state", exchange_sub_state_names[x->state], "approved_by",
			 http_json_str_or_null(x->approved_by), "created_at",
			 http_json_time(x->created_at), "pushed_upto", (json_int_t)x->pushed_upto,
			 "failures", x->failures, "due_at",
			 x->due_at ? http_json_time(x->due_at) : json_null());
}

static bool add_sub(void *ctx, const struct exchange_subscription *x)
{
	struct list_ctx *l = ctx;
	if (admin_sees(l->req, x->consumer))
		json_array_append_new(l->items, sub_json(x));
	return true;
}

void exchange_handle_subscriptions(struct http_req *req)
{
	struct list_ctx l = { req, json_array() };
	struct app_error err;
	enum app_err rc = store_exchange_subs(http_store(req), NULL, add_sub, &l, &err);
	reply_items(req, rc, &err, l.items);
}

/* Whether the operator's scope covers the provider of dataset code. */
static bool admin_sees_provider(struct http_req *req, const char *dataset)
{
	struct exchange_dataset_info ds;
	struct app_error ignored;
	if (exchange_dataset_get(http_store(req), dataset, &ds, &ignored) != APP_OK)
		return false;
	bool sees = admin_sees(req, ds.d.provider);
	exchange_dataset_release(&ds);
	return sees;
}

/* Subscription {id} of the path, seen by the operator: one whose scope
 * covers the consumer or the provider, or, to approve it (owner), the
 * provider; on failure the reply is sent and false returned. */
static bool admin_sub(struct http_req *req, struct exchange_subscription *x, bool owner)
{
	int64_t id;
	if (!http_param_id(req, "id", &id))
		return false;
	struct app_error err;
	if (exchange_sub_get(http_store(req), id, x, &err) != APP_OK) {
		http_reply_error(req, &err);
		return false;
	}
	bool sees = owner ? admin_sees_provider(req, x->dataset)
			  : admin_sees(req, x->consumer) || admin_sees_provider(req, x->dataset);
	if (!sees) {
		http_reply_fail(req, APP_ENOTFOUND, NULL, "no subscription %lld", (long long)id);
		return false;
	}
	return true;
}

static bool add_attempt(void *ctx, const struct exchange_attempt *a)
{
	json_array_append_new(ctx, json_pack("{s:o, s:i, s:I, s:I, s:s, s:s, s:o}", "at",
					     http_json_time(a->at), "status", a->status, "upto",
					     (json_int_t)a->upto, "rows", (json_int_t)a->nrows,
					     "sha256", a->sha256, "detail", a->detail, "next_at",
					     http_json_time(a->next_at)));
	return true;
}

void exchange_handle_attempts(struct http_req *req)
{
	struct exchange_subscription x;
	if (!admin_sub(req, &x, false))
		return;
	json_t *items = json_array();
	struct app_error err;
	enum app_err rc = store_exchange_attempts(http_store(req), x.id, add_attempt, items, &err);
	reply_items(req, rc, &err, items);
}

void exchange_handle_approve(struct http_req *req)
{
	struct exchange_subscription x;
	if (!admin_sub(req, &x, true)) /* the data's owner decides */
		return;
	struct app_error err;
	int64_t now = clock_now();
	if (exchange_approve(http_store(req), x.id, http_caller(req)->actor, now, &err) != APP_OK ||
	    exchange_sub_get(http_store(req), x.id, &x, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, 200, sub_json(&x));
}
