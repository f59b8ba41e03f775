/*
 * patrol_http.c - the patrol over HTTP: a sweep on demand (operators), and
 * its alerts: the scoped listing, acknowledging, closing, and the live feed
 * (Server-Sent Events) of one supervising region. Who sees what is
 * alerts.c's to decide.
 */
#include "patrol/patrol_http.h"
#include "core/clock.h"
#include "http/http.h"
#include "patrol/alerts.h"

#include <stdint.h>

struct list_ctx {
	json_t *items;
	int64_t last;
};

static bool add_alert(void *ctx, const struct alert *a)
{
	struct list_ctx *lc = ctx;
	json_array_append_new(lc->items, alerts_json(a));
	lc->last = a->id;
	return true;
}

void alerts_handle_list(struct http_req *req)
{
	long before, limit;
	if (!http_query_int_or_reply(req, "before", 0, INT64_MAX, 0, &before) ||
	    !http_query_int_or_reply(req, "limit", 1, ALERTS_LIST_MAX, 50, &limit))
		return;
	struct alert_query q = { .state = http_query(req, "state"),
				 .kind = http_query(req, "kind"),
				 .before_id = before,
				 .limit = (int)limit };
	struct list_ctx lc = { json_array(), 0 };
	struct app_error err;
	if (alerts_list(http_store(req), http_caller(req), http_query(req, "region"), &q,
			add_alert, &lc, &err) != APP_OK) {
		json_decref(lc.items);
		http_reply_error(req, &err);
		return;
	}
	json_t *body = json_pack("{s:o}", "items", lc.items);
	json_object_set_new(body, "next_before",
			    (long)json_array_size(lc.items) == limit ? json_integer(lc.last)
								      : json_null());
	http_reply_json(req, 200, body);
}

/* Acknowledge or close the alert of the path. */
static void change(struct http_req *req, bool close)
{
	int64_t id;
	if (!http_param_id(req, "id", &id))
		return;
	struct alert a;
	struct app_error err;
	if ((close ? alerts_close : alerts_acknowledge)(http_store(req), http_caller(req), id, &a,
							 &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, 200, alerts_json(&a));
}

void alerts_handle_acknowledge(struct http_req *req)
{
	change(req, false);
}

void alerts_handle_close(struct http_req *req)
{
	change(req, true);
}

void patrol_handle_run(struct http_req *req)
{
	struct strbuf out = STRBUF_INIT;
	struct app_error err;
	if (alerts_sweep_json(http_store(req), clock_now(), &out, NULL, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	strbuf_addch(&out, '\n');
	http_reply_data(req, 200, HTTP_JSON_TYPE, out.buf, out.len);
	strbuf_release(&out);
}

void alerts_handle_events(struct http_req *req)
{
	char topic[EVENT_TOPIC_MAX];
	struct app_error err;
	if (alerts_feed_topic(http_caller(req), http_query(req, "region"), topic, sizeof(topic),
			      &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_reply_events(req, topic, NULL, 0);
}
