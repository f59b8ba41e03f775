/*
 * supervise_http.c - 督办 over HTTP: issuing a reminder, acknowledging it or
 * its 通报, and the 通报 of a month. Who may do what is supervise.c's to
 * decide; this file only reads the request and writes the reply.
 */
#include "patrol/supervise_http.h"
#include "core/clock.h"
#include "http/http.h"
#include "patrol/supervise.h"

void supervise_handle_issue(struct http_req *req)
{
	const char *object, *note;
	int64_t days;
	if (!http_body_str(req, "object", true, &object) || !http_body_str(req, "note", true, &note) ||
	    !http_body_id(req, "days", &days))
		return;
	if (days > SUPERVISE_DAYS_MAX)
		days = SUPERVISE_DAYS_MAX + 1; /* refused by supervise_deadline, naming the field */
	struct supervision v;
	struct app_error err;
	int64_t now = clock_now();
	if (supervise_issue(http_store(req), http_caller(req), object, note, (int)days, now, &v,
			    &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, 201, supervise_json(&v, now));
}

static void acknowledge(struct http_req *req, bool notice)
{
	int64_t id;
	if (!http_param_id(req, "id", &id))
		return;
	struct supervision v;
	struct app_error err;
	int64_t now = clock_now();
	if (supervise_acknowledge(http_store(req), http_caller(req), id, notice, now, &v, &err) !=
	    APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, 200, supervise_json(&v, now));
}

void supervise_handle_acknowledge(struct http_req *req)
{
	acknowledge(req, false);
}

void supervise_handle_notice_acknowledge(struct http_req *req)
{
	acknowledge(req, true);
}

struct notices_ctx {
	json_t *items;
	int64_t now;
};

static bool add_notice(void *ctx, const struct supervision *v)
{
	struct notices_ctx *nc = ctx;
	json_array_append_new(nc->items, supervise_json(v, nc->now));
	return true;
}

void supervise_handle_notices(struct http_req *req)
{
	const char *period = http_query(req, "period");
	struct notices_ctx nc = { json_array(), clock_now() };
	struct app_error err;
	if (supervise_notices(http_store(req), http_caller(req), period, http_query(req, "region"),
			      add_notice, &nc, &err) != APP_OK) {
		json_decref(nc.items);
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, 200, json_pack("{s:s, s:o}", "period", period, "items", nc.items));
}
