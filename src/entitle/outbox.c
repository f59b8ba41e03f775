/*
 * outbox.c - templates of notifications rendered, and the sender of the
 * outbox; see outbox.h. Rendering is pure; the sender talks to the store
 * and to the gateway (core/httpc.h) and records every attempt.
 */
#include "entitle/outbox.h"
#include "core/clock.h"
#include "core/httpc.h"
#include "core/log.h"
#include "core/utf8.h"
#include "exchange/exchange.h"
#include "rules/rules.h"

#include <jansson.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GATEWAY_URL_MAX 512

static const char *const value_names[OUTBOX_VALUE__MAX] = {
	[OUTBOX_NAME] = "name",     [OUTBOX_PROGRAMME] = "programme", [OUTBOX_AMOUNT] = "amount",
	[OUTBOX_PERIOD] = "period", [OUTBOX_UNTIL] = "until",         [OUTBOX_FROM] = "from",
};

const char *outbox_value_name(enum outbox_value v) { return value_names[v]; }

/* The value named by the n bytes at p, -1 when none. */
static int value_of(const char *p, size_t n)
{
	for (int i = 0; i < OUTBOX_VALUE__MAX; i++)
		if (strlen(value_names[i]) == n && memcmp(p, value_names[i], n) == 0)
			return i;
	return -1;
}

/*
 * Walk tmpl: the text between placeholders and each placeholder's value
 * appended to out (cap bytes) when out is not NULL. APP_EINVAL for a bad
 * placeholder or (with out) a message too long.
 */
static enum app_err walk(const char *tmpl, const char *const *v, char *out, size_t cap,
			 struct app_error *err)
{
	size_t len = 0;
	for (const char *p = tmpl; *p;) {
		const char *piece = p;
		size_t n;
		if (*p == '{') {
			const char *close = strchr(p + 1, '}');
			const char *reopen = strchr(p + 1, '{');
			if (!close || (reopen && reopen < close))
				return app_fail_field(err, APP_EINVAL, "templates",
						      "a '{' is not closed by '}' in the template");
			int k = value_of(p + 1, (size_t)(close - p - 1));
			if (k < 0)
				return app_fail_field(err, APP_EINVAL, "templates",
						      "unknown placeholder {%.*s}: a template may "
						      "use {name} {programme} {amount} {period} "
						      "{until} {from}",
						      (int)(close - p - 1 > 40 ? 40 : close - p - 1),
						      p + 1);
			piece = v && v[k] ? v[k] : "";
			n = strlen(piece);
			p = close + 1;
		} else if (*p == '}') {
			return app_fail_field(err, APP_EINVAL, "templates",
					      "a '}' without its '{' in the template");
		} else {
			n = strcspn(p, "{}");
			p += n;
		}
		if (out) {
			if (len + n >= cap)
				return app_fail_field(err, APP_EINVAL, "templates",
						      "the message is longer than %zu bytes",
						      cap - 1);
			memcpy(out + len, piece, n);
		}
		len += n;
	}
	if (out)
		out[len] = '\0';
	return APP_OK;
}

enum app_err outbox_template_check(const char *text, struct app_error *err)
{
	if (!utf8_valid(text, strlen(text)))
		return app_fail_field(err, APP_EINVAL, "templates", "a template is not valid UTF-8");
	if (!*text)
		return app_fail_field(err, APP_EINVAL, "templates", "a template is empty");
	return walk(text, NULL, NULL, 0, err);
}

enum app_err outbox_render(const char *tmpl, const char *const v[OUTBOX_VALUE__MAX], char *out,
			   size_t cap, struct app_error *err)
{
	char *tmp = malloc(cap ? cap : 1);
	if (!tmp)
		abort();
	enum app_err rc = walk(tmpl, v, tmp, cap, err);
	if (rc == APP_OK)
		memcpy(out, tmp, strlen(tmp) + 1);
	free(tmp);
	return rc;
}

/* Day number day as "2026-01-01", "" for 0. */
static void date_of(int32_t day, char *out, size_t cap)
{
	if (day)
		rules_date_format(day, out, cap);
	else
		out[0] = '\0';
}

void outbox_values_of(const struct entitlement *x, enum entitle_event kind,
		      const char *programme, struct outbox_values *vals)
{
	memset(vals, 0, sizeof(*vals));
	rules_fen_format(x->amount, vals->amount, sizeof(vals->amount));
	if (x->period > 9999)
		snprintf(vals->period, sizeof(vals->period), "%d-%02d", (int)(x->period / 100),
			 (int)(x->period % 100));
	else
		snprintf(vals->period, sizeof(vals->period), "%d", (int)x->period);
	if (x->consent_until) {
		int day = clock_china_day(x->consent_until, NULL);
		snprintf(vals->until, sizeof(vals->until), "%04d-%02d-%02d", day / 10000,
			 day / 100 % 100, day % 100);
	}
	/* a revocation tells from when it stops, anything else from when it starts */
	date_of(kind == ENTITLE_EV_REVOKED && x->effective_to ? x->effective_to : x->effective_from,
		vals->from, sizeof(vals->from));
	vals->v[OUTBOX_NAME] = x->person_name;
	vals->v[OUTBOX_PROGRAMME] = programme;
	vals->v[OUTBOX_AMOUNT] = vals->amount;
	vals->v[OUTBOX_PERIOD] = vals->period;
	vals->v[OUTBOX_UNTIL] = vals->until;
	vals->v[OUTBOX_FROM] = vals->from;
}

/* ---- the sender ---- */

static char gateway_url[GATEWAY_URL_MAX];

void outbox_set_gateway(const char *url)
{
	snprintf(gateway_url, sizeof(gateway_url), "%s", url ? url : "");
}

bool outbox_gateway_ok(const char *url)
{
	return !url || !*url || httpc_url_ok(url, GATEWAY_URL_MAX);
}

struct due_list {
	struct outbox_row *items;
	int n, cap;
};

static bool collect(void *ctx, const struct outbox_row *o)
{
	struct due_list *l = ctx;
	if (l->n == l->cap)
		return false;
	l->items[l->n++] = *o;
	return true;
}

/* POST message o to gateway: o's attempt fields set from the answer. */
static void post(const char *gateway, struct outbox_row *o, int64_t now)
{
	json_t *j = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)o->id, "to", o->phone, "text",
			      o->text);
	char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	o->attempts++;
	if (!body) {
		o->status = 0;
		snprintf(o->detail, sizeof(o->detail), "cannot write the message as JSON");
	} else {
		httpc_post(gateway, "application/json", NULL, 0, body, strlen(body), &o->status,
			   o->detail, sizeof(o->detail));
		free(body);
	}
	if (o->status >= 200 && o->status <= 299) {
		snprintf(o->state, sizeof(o->state), "sent");
		o->sent_at = now;
		o->next_at = 0;
	} else if (o->attempts >= OUTBOX_ATTEMPTS_MAX) {
		snprintf(o->state, sizeof(o->state), "failed");
		o->next_at = 0;
	} else {
		o->next_at = now + exchange_backoff(o->attempts);
	}
}

enum app_err outbox_send_due(struct store *s, const char *gateway, int64_t now, int limit,
			     struct outbox_counts *out, struct app_error *err)
{
	struct outbox_counts n = { 0 };
	struct due_list due = { .cap = limit > 0 ? limit : 1 };
	due.items = calloc((size_t)due.cap, sizeof(*due.items));
	if (!due.items)
		abort();
	enum app_err rc = store_outbox_due(s, now, limit, collect, &due, err);
	for (int i = 0; rc == APP_OK && i < due.n; i++) {
		struct outbox_row *o = &due.items[i];
		n.due++;
		if (!gateway || !*gateway) {
			snprintf(o->state, sizeof(o->state), "kept");
			snprintf(o->detail, sizeof(o->detail), "no SMS gateway configured");
			o->next_at = 0;
		} else {
			post(gateway, o, now);
		}
		char object[40], summary[320];
		snprintf(object, sizeof(object), "outbox:%" PRId64, o->id);
		snprintf(summary, sizeof(summary),
			 "{\"event\":%" PRId64 ",\"state\":\"%s\",\"attempts\":%d,\"status\":%d}",
			 o->event, o->state, o->attempts, o->status);
		struct audit_note note = { "system:outbox", "outbox.send", object, o->region,
					   summary };
		struct app_error one;
		enum app_err r = store_outbox_mark(s, o, &note, &one);
		if (r == APP_ENOTFOUND) /* sent meanwhile by another node */
			continue;
		if (r != APP_OK) {
			rc = r;
			*err = one;
			break;
		}
		log_info("outbox.send", "message=%" PRId64 " state=%s attempts=%d status=%d", o->id,
			 o->state, o->attempts, o->status);
		if (strcmp(o->state, "sent") == 0)
			n.sent++;
		else if (strcmp(o->state, "kept") == 0)
			n.kept++;
		else if (strcmp(o->state, "failed") == 0)
			n.failed++;
		else
			n.retry++;
	}
	free(due.items);
	if (rc == APP_OK)
		*out = n;
	return rc;
}

enum app_err outbox_job(struct store *s, int64_t now, char *detail, size_t cap,
			struct app_error *err)
{
	enum { BATCH = 200 };
	struct outbox_counts n;
	enum app_err rc = outbox_send_due(s, gateway_url, now, BATCH, &n, err);
	if (rc == APP_OK)
		snprintf(detail, cap, "%d due: %d sent, %d kept, %d to retry, %d failed", n.due,
			 n.sent, n.kept, n.retry, n.failed);
	return rc;
}
