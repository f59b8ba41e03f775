/*
 * broker.c - the exchange's operations over the store; see broker.h. The
 * checks (codes, signatures, schemas, sharing classes, granted fields) are
 * made here, before anything is written, so a refusal changes nothing.
 */
#include "exchange/broker.h"
#include "core/httpc.h"
#include "core/utf8.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- members ---- */

static bool one_member(void *ctx, const struct exchange_member *m)
{
	*(struct exchange_member *)ctx = *m;
	return false;
}

enum app_err exchange_member_get(struct store *s, const char *code, struct exchange_member *out,
				 struct app_error *err)
{
	struct exchange_member m = { .code = "" };
	if (!exchange_code_ok(code))
		return app_fail(err, APP_ENOTFOUND, "no member '%s'", code ? code : "");
	enum app_err rc = store_exchange_members(s, code, 0, one_member, &m, err);
	if (rc != APP_OK)
		return rc;
	if (!m.code[0])
		return app_fail(err, APP_ENOTFOUND, "no member '%s'", code);
	*out = m;
	return APP_OK;
}

enum app_err exchange_member_add(struct store *s, const char *code, const char *name,
				 const char *region, const char *secret_path, const char *actor,
				 int64_t now, struct exchange_member *out, struct app_error *err)
{
	if (!exchange_code_ok(code))
		return app_fail_field(err, APP_EINVAL, "code",
				      "a member code is 1 to 32 letters, digits, '_', '.' or '-'");
	size_t nlen = name ? strlen(name) : 0;
	if (nlen == 0 || nlen >= sizeof(out->name) || !utf8_valid(name, nlen))
		return app_fail_field(err, APP_EINVAL, "name",
				      "a member needs a name of at most %zu bytes",
				      sizeof(out->name) - 1);
	bool exists = false;
	enum app_err rc = region && strlen(region) <= DIVISION_CODE_MAX
				  ? store_region_exists(s, region, &exists, err)
				  : APP_OK;
	if (rc != APP_OK)
		return rc;
	if (!exists)
		return app_fail_field(err, APP_EINVAL, "region", "no region '%s'",
				      region ? region : "");
	struct exchange_member m;
	memset(&m, 0, sizeof(m));
	snprintf(m.code, sizeof(m.code), "%s", code);
	snprintf(m.name, sizeof(m.name), "%s", name);
	snprintf(m.region, sizeof(m.region), "%s", region);
	m.created_at = now;
	char sk[EXCHANGE_SECRET_TEXT];
	exchange_keypair(m.public_key, sizeof(m.public_key), sk, sizeof(sk));
	struct exchange_member taken;
	if (exchange_member_get(s, code, &taken, NULL) == APP_OK)
		return app_fail(err, APP_ECONFLICT, "member '%s' exists already", code);
	/* the key file first: a member whose agency never got its key is useless */
	if ((rc = exchange_secret_write(secret_path, sk, err)) != APP_OK)
		return rc;
	char object[64], summary[200];
	snprintf(object, sizeof(object), "exchange-member:%s", code);
	snprintf(summary, sizeof(summary), "{\"public_key\":\"%s\"}", m.public_key);
	struct audit_note note = { actor, "exchange.member.add", object, region, summary };
	rc = store_exchange_member_add(s, &m, &note, err);
	if (rc != APP_OK) {
		remove(secret_path);
		return rc;
	}
	*out = m;
	return APP_OK;
}

enum app_err exchange_member_rotate(struct store *s, const char *code, const char *secret_path,
				    const char *actor, int64_t now, struct exchange_member *out,
				    struct app_error *err)
{
	struct exchange_member m;
	enum app_err rc = exchange_member_get(s, code, &m, err);
	if (rc != APP_OK)
		return rc;
	char sk[EXCHANGE_SECRET_TEXT];
	exchange_keypair(m.public_key, sizeof(m.public_key), sk, sizeof(sk));
	if ((rc = exchange_secret_write(secret_path, sk, err)) != APP_OK)
		return rc;
	char object[64], summary[200];
	snprintf(object, sizeof(object), "exchange-member:%s", code);
	snprintf(summary, sizeof(summary), "{\"public_key\":\"%s\"}", m.public_key);
	struct audit_note note = { actor, "exchange.member.rotate", object, m.region, summary };
	rc = store_exchange_member_rotate(s, code, m.public_key, now, &note, &m.key_id, err);
	if (rc != APP_OK) {
		remove(secret_path);
		return rc;
	}
	*out = m;
	return APP_OK;
}

struct key_find {
	int64_t id;
	struct api_key key;
	bool found;
};

static bool find_key(void *ctx, const struct api_key *k)
{
	struct key_find *f = ctx;
	if (k->id != f->id)
		return true;
	f->key = *k;
	f->found = true;
	return false;
}

/* Another member than code bound to the key, into other ("" when none). */
struct key_owner {
	const char *code;
	char other[EXCHANGE_CODE_MAX + 1];
};

static bool other_owner(void *ctx, const struct exchange_member *m)
{
	struct key_owner *o = ctx;
	if (strcmp(m->code, o->code) != 0)
		snprintf(o->other, sizeof(o->other), "%s", m->code);
	return !o->other[0];
}

enum app_err exchange_member_link(struct store *s, const char *code, int64_t api_key_id,
				  const char *actor, struct app_error *err)
{
	struct exchange_member m;
	enum app_err rc = exchange_member_get(s, code, &m, err);
	if (rc != APP_OK)
		return rc;
	struct key_find f = { .id = api_key_id };
	if ((rc = store_api_key_list(s, find_key, &f, err)) != APP_OK)
		return rc;
	if (!f.found || f.key.revoked_at)
		return app_fail_field(err, APP_EINVAL, "apikey", "no valid API key %lld",
				      (long long)api_key_id);
	if (strcmp(f.key.role, "exchange_member") != 0)
		return app_fail_field(err, APP_EINVAL, "apikey",
				      "API key %lld has role %s: a member calls with a key of role "
				      "exchange_member",
				      (long long)api_key_id, f.key.role);
	struct key_owner o = { code, "" };
	if ((rc = store_exchange_members(s, NULL, api_key_id, other_owner, &o, err)) != APP_OK)
		return rc;
	if (o.other[0])
		return app_fail_field(err, APP_ECONFLICT, "apikey",
				      "API key %lld is bound to member %s already: a key speaks for "
				      "one member",
				      (long long)api_key_id, o.other);
	char object[64], summary[64];
	snprintf(object, sizeof(object), "exchange-member:%s", code);
	snprintf(summary, sizeof(summary), "{\"api_key\":%lld}", (long long)api_key_id);
	struct audit_note note = { actor, "exchange.member.link", object, m.region, summary };
	return store_exchange_member_link(s, code, api_key_id, &note, err);
}

/* ---- datasets ---- */

bool exchange_sharing_parse(const char *name, enum exchange_sharing *out)
{
	for (int i = 0; name && i < EXCHANGE_SHARING__MAX; i++) {
		if (strcmp(name, exchange_sharing_names[i]) == 0 ||
		    strcmp(name, exchange_sharing_names_zh[i]) == 0) {
			*out = (enum exchange_sharing)i;
			return true;
		}
	}
	return false;
}

enum app_err exchange_dataset_add(struct store *s, const char *code, const char *provider,
				  const char *name, enum exchange_sharing sharing,
				  const char *schema, const char *actor, int64_t now,
				  struct app_error *err)
{
	if (!exchange_code_ok(code))
		return app_fail_field(err, APP_EINVAL, "code",
				      "a dataset code is 1 to 32 letters, digits, '_', '.' or '-'");
	struct exchange_dataset d;
	memset(&d, 0, sizeof(d));
	size_t nlen = name ? strlen(name) : 0;
	if (nlen == 0 || nlen >= sizeof(d.name) || !utf8_valid(name, nlen))
		return app_fail_field(err, APP_EINVAL, "name",
				      "a dataset needs a name of at most %zu bytes",
				      sizeof(d.name) - 1);
	struct exchange_member m;
	enum app_err rc = exchange_member_get(s, provider, &m, err);
	if (rc != APP_OK)
		return rc;
	struct exchange_schema *sc;
	if ((rc = exchange_schema_parse(schema, strlen(schema), &sc, err)) != APP_OK)
		return rc;
	exchange_schema_free(sc);
	snprintf(d.code, sizeof(d.code), "%s", code);
	snprintf(d.provider, sizeof(d.provider), "%s", provider);
	snprintf(d.name, sizeof(d.name), "%s", name);
	d.sharing = sharing;
	d.schema = schema;
	d.created_at = now;
	char object[64], summary[160];
	snprintf(object, sizeof(object), "exchange-dataset:%s", code);
	snprintf(summary, sizeof(summary), "{\"provider\":\"%s\",\"sharing\":\"%s\"}", provider,
		 exchange_sharing_names[sharing]);
	struct audit_note note = { actor, "exchange.dataset.add", object, m.region, summary };
	return store_exchange_dataset_add(s, &d, &note, err);
}

struct dataset_read {
	struct exchange_dataset_info *info;
	struct app_error *err;
	enum app_err rc;
	bool found;
};

static bool one_dataset(void *ctx, const struct exchange_dataset *d)
{
	struct dataset_read *r = ctx;
	r->found = true;
	r->info->d = *d;
	r->info->d.schema = NULL;
	r->rc = exchange_schema_parse(d->schema, strlen(d->schema), &r->info->schema, r->err);
	return false;
}

enum app_err exchange_dataset_get(struct store *s, const char *code,
				  struct exchange_dataset_info *out, struct app_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!exchange_code_ok(code))
		return app_fail(err, APP_ENOTFOUND, "no dataset '%s'", code ? code : "");
	struct dataset_read r = { .info = out, .err = err };
	enum app_err rc = store_exchange_datasets(s, code, one_dataset, &r, err);
	if (rc != APP_OK)
		return rc;
	if (!r.found)
		return app_fail(err, APP_ENOTFOUND, "no dataset '%s'", code);
	return r.rc;
}

void exchange_dataset_release(struct exchange_dataset_info *info)
{
	exchange_schema_free(info->schema);
	info->schema = NULL;
}

/* ---- uploads ---- */

/* Audit a refused upload: who, which batch, the body's hash and why. */
static void audit_reject(struct store *s, const struct exchange_upload *u, const char *region,
			 const char *sha256, const char *why)
{
	char object[80];
	snprintf(object, sizeof(object), "exchange-batch:%s/%s", u->member, u->batch_id);
	json_t *j = json_pack("{s:s, s:s, s:s}", "dataset", u->dataset, "sha256", sha256, "why",
			      why);
	char *summary = json_dumps(j, JSON_COMPACT);
	struct audit_note note = { u->actor, "exchange.batch.reject", object, region,
				   summary ? summary : "" };
	store_audit_append(s, &note, NULL);
	free(summary);
	json_decref(j);
}

enum app_err exchange_upload(struct store *s, const struct exchange_upload *u,
			     struct exchange_batch *out, bool *resent, struct app_error *err)
{
	if (!exchange_code_ok(u->batch_id))
		return app_fail_field(err, APP_EINVAL, "batch",
				      "a batch id is 1 to 32 letters, digits, '_', '.' or '-'");
	struct exchange_member m;
	enum app_err rc = exchange_member_get(s, u->member, &m, err);
	if (rc != APP_OK)
		return rc;
	struct exchange_dataset_info ds;
	if ((rc = exchange_dataset_get(s, u->dataset, &ds, err)) != APP_OK)
		return rc;
	if (strcmp(ds.d.provider, m.code) != 0) { /* another member's: not said to exist */
		exchange_dataset_release(&ds);
		return app_fail(err, APP_ENOTFOUND, "member '%s' provides no dataset '%s'", m.code,
				u->dataset);
	}
	char sha[65];
	exchange_sha256_hex(u->body, u->len, sha);
	struct strbuf signed_bytes;
	strbuf_init(&signed_bytes, 200);
	exchange_batch_signed_bytes(&signed_bytes, m.code, u->dataset, u->batch_id, sha);
	bool verified = u->signature &&
			exchange_verify(m.public_key, signed_bytes.buf, signed_bytes.len, u->signature);
	strbuf_release(&signed_bytes);
	if (!verified) {
		exchange_dataset_release(&ds);
		audit_reject(s, u, m.region, sha, "the signature does not verify");
		return app_fail_field(err, APP_EINVAL, "signature",
				      "the signature does not verify with the current key of member '%s' "
				      "(signed are the bytes of docs/exchange.md \"What is signed\")",
				      m.code);
	}
	struct exchange_rows rows = { 0 };
	rc = exchange_batch_parse(ds.schema, u->format, u->body, u->len, &rows, err);
	exchange_dataset_release(&ds);
	if (rc != APP_OK) {
		audit_reject(s, u, m.region, sha, "the batch breaks the dataset's schema");
		return rc;
	}
	struct exchange_batch b;
	memset(&b, 0, sizeof(b));
	snprintf(b.dataset, sizeof(b.dataset), "%s", u->dataset);
	snprintf(b.provider, sizeof(b.provider), "%s", m.code);
	snprintf(b.batch_id, sizeof(b.batch_id), "%s", u->batch_id);
	snprintf(b.sha256, sizeof(b.sha256), "%s", sha);
	snprintf(b.signature, sizeof(b.signature), "%s", u->signature);
	b.key_id = m.key_id;
	b.nrows = (int64_t)rows.n;
	b.received_at = u->now;
	char object[80], summary[200];
	snprintf(object, sizeof(object), "exchange-batch:%s/%s", m.code, u->batch_id);
	snprintf(summary, sizeof(summary), "{\"dataset\":\"%s\",\"sha256\":\"%s\",\"rows\":%zu}",
		 u->dataset, sha, rows.n);
	struct audit_note note = { u->actor, "exchange.batch.receive", object, m.region, summary };
	struct audit_note again = { u->actor, "exchange.batch.resend", object, m.region, summary };
	rc = store_exchange_batch_put(s, &b, (const char *const *)rows.rows, &note, &again, resent,
				      err);
	exchange_rows_release(&rows);
	if (rc == APP_OK)
		*out = b;
	return rc;
}

/* ---- subscriptions ---- */

static bool one_sub(void *ctx, const struct exchange_subscription *x)
{
	*(struct exchange_subscription *)ctx = *x;
	return false;
}

enum app_err exchange_sub_get(struct store *s, int64_t id, struct exchange_subscription *out,
			      struct app_error *err)
{
	struct exchange_subscription x = { .id = 0 };
	struct exchange_sub_query q = { .id = id };
	enum app_err rc = id > 0 ? store_exchange_subs(s, &q, one_sub, &x, err) : APP_OK;
	if (rc != APP_OK)
		return rc;
	if (x.id == 0)
		return app_fail(err, APP_ENOTFOUND, "no subscription %lld", (long long)id);
	*out = x;
	return APP_OK;
}

/* The audit note of a change of subscription x, into object and summary. */
static struct audit_note sub_note(const struct exchange_subscription *x, const char *actor,
				  const char *action, const char *region, char *object,
				  size_t ocap, char *summary, size_t scap)
{
	snprintf(object, ocap, "exchange-subscription:%lld", (long long)x->id);
	json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "consumer", x->consumer, "dataset",
			      x->dataset, "fields", x->fields, "state",
			      exchange_sub_state_names[x->state]);
	char *text = json_dumps(j, JSON_COMPACT);
	snprintf(summary, scap, "%s", text ? text : "");
	free(text);
	json_decref(j);
	return (struct audit_note){ actor, action, object, region, summary };
}

enum app_err exchange_subscribe(struct store *s, const struct exchange_subscribe *in,
				struct exchange_subscription *out, struct app_error *err)
{
	struct exchange_member consumer;
	enum app_err rc = exchange_member_get(s, in->consumer, &consumer, err);
	if (rc != APP_OK)
		return rc;
	struct exchange_dataset_info ds;
	if ((rc = exchange_dataset_get(s, in->dataset, &ds, err)) != APP_OK)
		return rc;
	enum exchange_sharing sharing = ds.d.sharing;
	rc = exchange_fields_check(ds.schema, in->fields, err);
	exchange_dataset_release(&ds);
	if (sharing == EXCHANGE_NOT_SHARED)
		return app_fail(err, APP_EPERM,
				"dataset '%s' is 不予共享 (not shared): it cannot be subscribed",
				in->dataset);
	if (rc != APP_OK)
		return rc;
	struct exchange_subscription x;
	memset(&x, 0, sizeof(x));
	if (strlen(in->fields) >= sizeof(x.fields))
		return app_fail_field(err, APP_EINVAL, "fields", "too many fields");
	const char *endpoint = in->endpoint ? in->endpoint : "";
	if (*endpoint && !httpc_url_ok(endpoint, EXCHANGE_ENDPOINT_MAX))
		return app_fail_field(err, APP_EINVAL, "endpoint",
				      "the endpoint is an https:// address without spaces (http:// "
				      "only to this machine: 127.0.0.1, localhost)");
	if (*endpoint && (in->day < 1 || in->day > 28 || in->minute < 0 || in->minute > 1439))
		return app_fail_field(err, APP_EINVAL, "schedule",
				      "pushes are monthly on a day from 1 to 28 at a time HH:MM");
	snprintf(x.consumer, sizeof(x.consumer), "%s", consumer.code);
	snprintf(x.dataset, sizeof(x.dataset), "%s", in->dataset);
	snprintf(x.fields, sizeof(x.fields), "%s", in->fields);
	snprintf(x.endpoint, sizeof(x.endpoint), "%s", endpoint);
	if (*endpoint) {
		x.day = in->day;
		x.minute = in->minute;
	}
	x.state = sharing == EXCHANGE_CONDITIONAL ? EXCHANGE_SUB_PENDING : EXCHANGE_SUB_ACTIVE;
	x.created_at = in->now;
	x.due_at = x.state == EXCHANGE_SUB_ACTIVE && *endpoint
			   ? exchange_next_push(x.day, x.minute, in->now)
			   : 0;
	char object[64], summary[EXCHANGE_FIELDS_TEXT + 200];
	struct audit_note note = sub_note(&x, in->actor, "exchange.subscription.add",
					  consumer.region, object, sizeof(object), summary,
					  sizeof(summary));
	snprintf(object, sizeof(object), "exchange-subscription:new"); /* no id yet */
	if ((rc = store_exchange_sub_add(s, &x, &note, err)) != APP_OK)
		return rc;
	*out = x;
	return APP_OK;
}

static enum app_err change_state(struct store *s, int64_t id, enum exchange_sub_state from,
				 enum exchange_sub_state to, const char *action,
				 const char *actor, int64_t now, struct app_error *err)
{
	struct exchange_subscription x;
	enum app_err rc = exchange_sub_get(s, id, &x, err);
	if (rc != APP_OK)
		return rc;
	struct exchange_member consumer;
	if ((rc = exchange_member_get(s, x.consumer, &consumer, err)) != APP_OK)
		return rc;
	if (x.state != from && !(to == EXCHANGE_SUB_ENDED && x.state != EXCHANGE_SUB_ENDED))
		return app_fail(err, APP_ECONFLICT, "subscription %lld is %s, not %s",
				(long long)id, exchange_sub_state_names[x.state],
				exchange_sub_state_names[from]);
	from = x.state;
	x.state = to;
	int64_t due = to == EXCHANGE_SUB_ACTIVE && x.endpoint[0]
			      ? exchange_next_push(x.day, x.minute, now)
			      : 0;
	char object[64], summary[EXCHANGE_FIELDS_TEXT + 200];
	struct audit_note note = sub_note(&x, actor, action, consumer.region, object,
					  sizeof(object), summary, sizeof(summary));
	return store_exchange_sub_state(s, id, from, to,
					to == EXCHANGE_SUB_ACTIVE ? actor : x.approved_by, due,
					&note, err);
}

enum app_err exchange_approve(struct store *s, int64_t id, const char *actor, int64_t now,
			      struct app_error *err)
{
	return change_state(s, id, EXCHANGE_SUB_PENDING, EXCHANGE_SUB_ACTIVE,
			    "exchange.subscription.approve", actor, now, err);
}

enum app_err exchange_unsubscribe(struct store *s, int64_t id, const char *actor,
				  struct app_error *err)
{
	return change_state(s, id, EXCHANGE_SUB_ACTIVE, EXCHANGE_SUB_ENDED,
			    "exchange.subscription.end", actor, 0, err);
}

/* ---- reading rows for a consumer ---- */

struct rows_out {
	const struct exchange_subscription *x;
	struct strbuf *out;
	int64_t upto, nrows;
	enum app_err rc;
	struct app_error *err;
};

static bool row_out(void *ctx, const struct exchange_batch *b, int64_t line, const char *data)
{
	struct rows_out *r = ctx;
	strbuf_addf(r->out,
		    "{\"seq\":%lld,\"batch\":\"%s\",\"provider\":\"%s\",\"sha256\":\"%s\","
		    "\"line\":%lld,\"data\":",
		    (long long)b->id, b->batch_id, b->provider, b->sha256, (long long)line);
	r->rc = exchange_project(data, r->x->fields, r->out, r->err);
	strbuf_addstr(r->out, "}\n");
	r->upto = b->id;
	r->nrows++;
	return r->rc == APP_OK;
}

enum app_err exchange_rows_of(struct store *s, const struct exchange_subscription *x,
			      int64_t after, int max_batches, struct strbuf *out, int64_t *upto,
			      int64_t *nrows, struct app_error *err)
{
	struct rows_out r = { .x = x, .out = out, .upto = after, .err = err };
	enum app_err rc = store_exchange_rows(s, x->dataset, after, max_batches, row_out, &r, err);
	if (rc == APP_OK)
		rc = r.rc;
	if (rc == APP_OK) {
		*upto = r.upto;
		*nrows = r.nrows;
	}
	return rc;
}

enum app_err exchange_pull(struct store *s, int64_t id, const char *consumer, int64_t after,
			   int max_batches, const char *actor, struct strbuf *out, int64_t *upto,
			   int64_t *nrows, struct app_error *err)
{
	struct exchange_subscription x;
	enum app_err rc = exchange_sub_get(s, id, &x, err);
	if (rc != APP_OK)
		return rc;
	if (consumer && strcmp(consumer, x.consumer) != 0)
		return app_fail(err, APP_ENOTFOUND, "no subscription %lld", (long long)id);
	if (x.state != EXCHANGE_SUB_ACTIVE)
		return app_fail(err, APP_ECONFLICT, "subscription %lld is %s, not active",
				(long long)id, exchange_sub_state_names[x.state]);
	struct exchange_member m;
	if ((rc = exchange_member_get(s, x.consumer, &m, err)) != APP_OK)
		return rc;
	size_t start = out->len;
	if ((rc = exchange_rows_of(s, &x, after, max_batches, out, upto, nrows, err)) != APP_OK)
		return rc;
	char sha[65], object[64], summary[240];
	exchange_sha256_hex(out->buf + start, out->len - start, sha);
	snprintf(object, sizeof(object), "exchange-subscription:%lld", (long long)id);
	snprintf(summary, sizeof(summary),
		 "{\"dataset\":\"%s\",\"consumer\":\"%s\",\"after\":%lld,\"upto\":%lld,"
		 "\"rows\":%lld,\"sha256\":\"%s\"}",
		 x.dataset, x.consumer, (long long)after, (long long)*upto, (long long)*nrows, sha);
	struct audit_note note = { actor, "exchange.pull", object, m.region, summary };
	return store_audit_append(s, &note, err);
}
