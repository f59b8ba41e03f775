/*
 * push.c - scheduled deliveries to consumers' endpoints over HTTP(S) with
 * libcurl; see push.h. A subscription is handled on its own: one that
 * fails never holds up the others.
 */
#include "exchange/push.h"
#include "core/httpc.h"
#include "core/log.h"
#include "exchange/broker.h"

#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define PUSH_BATCHES 50 /* batches one request carries at most */

static char key_dir[512];

void exchange_push_set_dir(const char *dir)
{
	snprintf(key_dir, sizeof(key_dir), "%s", dir ? dir : "");
}

enum app_err exchange_self_key(const char *dir, char *sk, size_t sk_cap, char *pk, size_t pk_cap,
			       struct app_error *err)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/exchange.key", dir);
	enum app_err rc = exchange_secret_read(path, sk, sk_cap, err);
	if (rc == APP_ENOTFOUND) {
		exchange_keypair(pk, pk_cap, sk, sk_cap);
		rc = exchange_secret_write(path, sk, err);
		if (rc == APP_OK)
			log_info("exchange.key.new", "path=%s", path);
		return rc;
	}
	return rc == APP_OK ? exchange_public_of(sk, pk, pk_cap, err) : rc;
}

/* POST body to x's endpoint; *status gets the HTTP status (0 when no answer
 * came), detail what went wrong. */
static void post(const struct exchange_subscription *x, const char *body, size_t len,
		 const char *sig, int64_t upto, int *status, char *detail, size_t cap)
{
	char hsub[64], hsig[160], hupto[64];
	snprintf(hsub, sizeof(hsub), "X-Bianmin-Subscription: %lld", (long long)x->id);
	snprintf(hsig, sizeof(hsig), "X-Bianmin-Signature: ed25519=%s", sig);
	snprintf(hupto, sizeof(hupto), "X-Bianmin-Upto: %lld", (long long)upto);
	const char *const hs[] = { hsub, hsig, hupto };
	httpc_post(x->endpoint, "application/x-ndjson", hs, 3, body, len, status, detail, cap);
}

static bool any_batch(void *ctx, const struct exchange_batch *b)
{
	(void)b;
	*(bool *)ctx = true;
	return false;
}

/* Deliver what subscription x has not been given yet. */
static enum app_err push_one(struct store *s, const char *sk, const struct exchange_subscription *x,
			     int64_t now, struct exchange_push_counts *n, struct app_error *err)
{
	struct exchange_member consumer;
	enum app_err rc = exchange_member_get(s, x->consumer, &consumer, err);
	if (rc != APP_OK)
		return rc;
	struct strbuf body;
	strbuf_init(&body, 4096);
	int64_t upto, nrows;
	rc = exchange_rows_of(s, x, x->pushed_upto, PUSH_BATCHES, &body, &upto, &nrows, err);
	char object[64], summary[400];
	snprintf(object, sizeof(object), "exchange-subscription:%lld", (long long)x->id);
	if (rc == APP_OK && nrows == 0) {
		/* nothing new this month: the next push is on the schedule */
		snprintf(summary, sizeof(summary),
			 "{\"consumer\":\"%s\",\"dataset\":\"%s\",\"upto\":%lld,\"rows\":0}",
			 x->consumer, x->dataset, (long long)x->pushed_upto);
		struct audit_note note = { "system:exchange", "exchange.push.none", object,
					   consumer.region, summary };
		rc = store_exchange_sub_state(s, x->id, EXCHANGE_SUB_ACTIVE, EXCHANGE_SUB_ACTIVE,
					      x->approved_by,
					      exchange_next_push(x->day, x->minute, now), &note, err);
		n->idle++;
	}
	if (rc != APP_OK || nrows == 0) {
		strbuf_release(&body);
		return rc;
	}
	struct exchange_attempt a;
	memset(&a, 0, sizeof(a));
	a.subscription = x->id;
	a.at = now;
	a.upto = upto;
	a.nrows = nrows;
	exchange_sha256_hex(body.buf, body.len, a.sha256);
	struct strbuf signed_bytes;
	strbuf_init(&signed_bytes, 128);
	exchange_push_signed_bytes(&signed_bytes, x->id, upto, a.sha256);
	char sig[EXCHANGE_SIG_TEXT];
	rc = exchange_sign(sk, signed_bytes.buf, signed_bytes.len, sig, sizeof(sig), err);
	strbuf_release(&signed_bytes);
	if (rc == APP_OK)
		post(x, body.buf, body.len, sig, upto, &a.status, a.detail, sizeof(a.detail));
	strbuf_release(&body);
	if (rc != APP_OK)
		return rc;
	bool delivered = a.status >= 200 && a.status <= 299;
	if (delivered) {
		bool more = false;
		rc = store_exchange_batches(s, x->dataset, upto, 1, any_batch, &more, err);
		if (rc != APP_OK)
			return rc;
		a.next_at = more ? now : exchange_next_push(x->day, x->minute, now);
		n->delivered++;
	} else {
		a.next_at = now + exchange_backoff(x->failures + 1);
		n->failed++;
	}
	snprintf(summary, sizeof(summary),
		 "{\"consumer\":\"%s\",\"dataset\":\"%s\",\"after\":%lld,\"upto\":%lld,"
		 "\"rows\":%lld,\"sha256\":\"%s\",\"status\":%d,\"delivered\":%s}",
		 x->consumer, x->dataset, (long long)x->pushed_upto, (long long)upto,
		 (long long)nrows, a.sha256, a.status, delivered ? "true" : "false");
	struct audit_note note = { "system:exchange", "exchange.push", object, consumer.region,
				   summary };
	log_info("exchange.push", "subscription=%lld upto=%lld rows=%lld status=%d",
		 (long long)x->id, (long long)upto, (long long)nrows, a.status);
	return store_exchange_attempt_add(s, &a, delivered, &note, err);
}

struct due_list {
	struct exchange_subscription *items;
	size_t n, cap;
};

static bool collect(void *ctx, const struct exchange_subscription *x)
{
	struct due_list *l = ctx;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->items = realloc(l->items, l->cap * sizeof(*l->items));
		if (!l->items)
			abort();
	}
	l->items[l->n++] = *x;
	return true;
}

enum app_err exchange_push_due(struct store *s, const char *dir, int64_t now,
			       struct exchange_push_counts *out, struct app_error *err)
{
	struct exchange_push_counts n = { 0 };
	struct due_list due = { 0 };
	struct exchange_sub_query q = { .due_by = now };
	char sk[EXCHANGE_SECRET_TEXT], pk[EXCHANGE_KEY_TEXT];
	enum app_err rc = store_exchange_subs(s, &q, collect, &due, err);
	if (rc == APP_OK && due.n > 0)
		rc = dir && *dir ? exchange_self_key(dir, sk, sizeof(sk), pk, sizeof(pk), err)
				 : app_fail(err, APP_EINTERNAL, "the exchange's key folder is not set");
	for (size_t i = 0; rc == APP_OK && i < due.n; i++) {
		n.due++;
		/* one subscription's failure holds up no other; a database out
		 * of reach ends the run */
		struct app_error one;
		enum app_err r1 = push_one(s, sk, &due.items[i], now, &n, &one);
		if (r1 == APP_EUNAVAIL) {
			rc = r1;
			*err = one;
		} else if (r1 != APP_OK) {
			n.failed++;
			log_warn("exchange.push_failed", "subscription=%lld reason=\"%s\"",
				 (long long)due.items[i].id, one.msg);
		}
	}
	free(due.items);
	sodium_memzero(sk, sizeof(sk));
	if (rc == APP_OK)
		*out = n;
	return rc;
}

enum app_err exchange_push_job(struct store *s, int64_t now, char *detail, size_t cap,
			       struct app_error *err)
{
	struct exchange_push_counts n;
	enum app_err rc = exchange_push_due(s, key_dir, now, &n, err);
	if (rc == APP_OK)
		snprintf(detail, cap, "%d subscriptions due: %d delivered, %d to retry, %d with nothing new",
			 n.due, n.delivered, n.failed, n.idle);
	return rc;
}
