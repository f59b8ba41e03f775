/*
 * events.c - live events to clients as Server-Sent Events (text/event-stream).
 *
 * A stream belongs to one topic. It first sends what the client missed
 * (events after its Last-Event-ID), then waits. Waiting is done without a
 * thread: the stream's connection is suspended (MHD_suspend_connection, from
 * inside the content reader, the one place where libmicrohttpd allows it)
 * and parked in the hub under its topic. When the store's watcher reports a
 * committed event of that topic (from this node's writer, or from another
 * node through PostgreSQL NOTIFY) the hub resumes the parked streams of the
 * topic, and each reads its new events from the database: the database is
 * the only source, so a stream never skips or repeats an event.
 *
 * Lost wake-ups: the hub counts notifications (seq). A stream notes the
 * count before it reads; if the count moved by the time it would park, it
 * reads again instead. A comment line every HEARTBEAT_S wakes every parked
 * stream (the client learns the connection lives, the server learns of
 * clients that left) and bounds any delay. A stream ends after STREAM_MAX_S;
 * the browser's EventSource reconnects with Last-Event-ID and resumes.
 *
 * Locking: hub->mu is taken before libmicrohttpd's own locks (suspend and
 * resume take them), never after. A stream is in the hub only while
 * suspended, and a suspended connection is never freed by libmicrohttpd
 * until it is resumed, so freeing a stream needs no hub lock.
 */
#include "http/http_int.h"
#include "auth/accounts.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/store.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HEARTBEAT_S 15
#define STREAM_MAX_S 600
#define PAGE 100          /* events read from the database at a time */
#define RETRY_MS 3000     /* how long a browser waits before reconnecting */
#define HUB_BUCKETS 64
#define REREADS_MAX 8     /* reads in a row while notifications keep coming */

struct event_stream {
	struct event_hub *hub;
	struct MHD_Connection *conn;
	char topic[EVENT_TOPIC_MAX];
	int64_t last_id;
	uint64_t opened_us;
	struct strbuf out; /* bytes ready to send */
	size_t sent;       /* of out */
	bool ping;         /* the heartbeat woke it: send a comment */
	bool parked;
	struct auth_caller caller; /* who opened it, checked again while it lasts */
	http_events_allowed_fn allowed;
	int64_t allowed_arg;
	struct event_stream *prev, *next; /* in its hub bucket while parked */
};

struct event_hub {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* stop */
	uint64_t seq;      /* notifications so far */
	bool stopping;
	struct event_stream *bucket[HUB_BUCKETS];
	pthread_t heartbeat;
	struct store *store;
	atomic_int open; /* streams open */
};

static unsigned bucket_of(const char *topic)
{
	unsigned h = 2166136261u; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)topic; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h % HUB_BUCKETS;
}

/* Take st out of its bucket and let libmicrohttpd run it again. Hub locked. */
static void unpark(struct event_hub *hub, struct event_stream *st)
{
	struct event_stream **head = &hub->bucket[bucket_of(st->topic)];
	if (st->prev)
		st->prev->next = st->next;
	else
		*head = st->next;
	if (st->next)
		st->next->prev = st->prev;
	st->prev = st->next = NULL;
	st->parked = false;
	MHD_resume_connection(st->conn);
}

/* Wake the parked streams of topic (all of them when topic is NULL). */
static void wake(struct event_hub *hub, const char *topic, bool ping)
{
	pthread_mutex_lock(&hub->mu);
	hub->seq++;
	for (unsigned b = 0; b < HUB_BUCKETS; b++) {
		if (topic && b != bucket_of(topic))
			continue;
		for (struct event_stream *st = hub->bucket[b], *next; st; st = next) {
			next = st->next;
			if (topic && strcmp(st->topic, topic) != 0)
				continue;
			st->ping = st->ping || ping;
			unpark(hub, st);
		}
	}
	pthread_mutex_unlock(&hub->mu);
}

/* The store's watcher: an event of topic was committed somewhere. */
static void on_event(void *ctx, const char *topic) { wake(ctx, topic, false); }

static void *heartbeat_main(void *arg)
{
	struct event_hub *hub = arg;
	pthread_mutex_lock(&hub->mu);
	while (!hub->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += HEARTBEAT_S;
		while (!hub->stopping &&
		       pthread_cond_timedwait(&hub->cv, &hub->mu, &until) != ETIMEDOUT)
			;
		if (hub->stopping)
			break;
		pthread_mutex_unlock(&hub->mu);
		wake(hub, NULL, true);
		pthread_mutex_lock(&hub->mu);
	}
	pthread_mutex_unlock(&hub->mu);
	return NULL;
}

enum app_err http_events_start(struct http_server *srv, struct app_error *err)
{
	struct event_hub *hub = xcalloc(1, sizeof(*hub));
	hub->store = srv->store;
	atomic_init(&hub->open, 0);
	pthread_mutex_init(&hub->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&hub->cv, &ca);
	pthread_condattr_destroy(&ca);
	enum app_err rc = store_events_watch(srv->store, on_event, hub, err);
	if (rc == APP_OK && pthread_create(&hub->heartbeat, NULL, heartbeat_main, hub) != 0) {
		store_events_unwatch(srv->store);
		rc = app_fail(err, APP_EINTERNAL, "cannot start the event heartbeat: %s",
			      strerror(errno));
	}
	if (rc != APP_OK) {
		pthread_mutex_destroy(&hub->mu);
		pthread_cond_destroy(&hub->cv);
		free(hub);
		return rc;
	}
	srv->hub = hub;
	return APP_OK;
}

void http_events_close(struct http_server *srv)
{
	struct event_hub *hub = srv->hub;
	if (!hub)
		return;
	store_events_unwatch(hub->store);
	pthread_mutex_lock(&hub->mu);
	hub->stopping = true;
	pthread_cond_signal(&hub->cv);
	pthread_mutex_unlock(&hub->mu);
	pthread_join(hub->heartbeat, NULL);
	wake(hub, NULL, false); /* each stream sees `stopping` and ends */
}

void http_events_free(struct http_server *srv)
{
	struct event_hub *hub = srv->hub;
	if (!hub)
		return;
	pthread_mutex_destroy(&hub->mu);
	pthread_cond_destroy(&hub->cv);
	free(hub);
	srv->hub = NULL;
}

int http_events_open(const struct http_server *srv)
{
	return srv->hub ? atomic_load(&srv->hub->open) : 0;
}

/* ---- one stream ---- */

static bool add_event(void *ctx, const struct event_record *e)
{
	struct event_stream *st = ctx;
	/* data is one line of compact JSON (the publishers' contract), so it
	 * fits one data: field */
	strbuf_addf(&st->out, "id: %" PRId64 "\nevent: %s\ndata: %s\n\n", e->id, e->kind, e->data);
	st->last_id = e->id;
	return true;
}

/* Send what is ready in out; 0 when nothing is. */
static ssize_t send_ready(struct event_stream *st, char *buf, size_t max)
{
	size_t left = st->out.len - st->sent;
	if (!left)
		return 0;
	size_t n = left < max ? left : max;
	memcpy(buf, st->out.buf + st->sent, n);
	st->sent += n;
	if (st->sent == st->out.len) {
		st->sent = 0;
		strbuf_reset(&st->out);
	}
	return (ssize_t)n;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct event_stream *st = cls;
	struct event_hub *hub = st->hub;
	ssize_t n = send_ready(st, buf, max);
	if (n)
		return n;
	if (http_now_us() - st->opened_us > (uint64_t)STREAM_MAX_S * 1000000u)
		return MHD_CONTENT_READER_END_OF_STREAM;
	/* before anything more goes out: signed out, password changed, role or
	 * membership gone? then stop (one small read per wake-up) */
	struct app_error err;
	if (accounts_recheck(hub->store, &st->caller, &err) != APP_OK ||
	    (st->allowed && !st->allowed(hub->store, &st->caller, st->allowed_arg)))
		return MHD_CONTENT_READER_END_OF_STREAM;
	for (int round = 0;; round++) {
		pthread_mutex_lock(&hub->mu);
		uint64_t seq = hub->seq;
		bool stopping = hub->stopping, ping = st->ping;
		st->ping = false;
		pthread_mutex_unlock(&hub->mu);
		if (stopping)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (store_events_after(hub->store, st->topic, st->last_id, PAGE, add_event, st,
				       &err) != APP_OK) {
			/* the client reconnects after RETRY_MS and resumes */
			log_warn("http.events_read_failed", "reason=\"%s\"", err.msg);
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
		if (!st->out.len && ping)
			strbuf_addstr(&st->out, ": ping\n\n");
		if (st->out.len)
			return send_ready(st, buf, max);
		pthread_mutex_lock(&hub->mu);
		if ((hub->seq == seq || round >= REREADS_MAX) && !hub->stopping) {
			unsigned b = bucket_of(st->topic);
			st->next = hub->bucket[b];
			if (st->next)
				st->next->prev = st;
			hub->bucket[b] = st;
			st->parked = true;
			MHD_suspend_connection(st->conn);
			pthread_mutex_unlock(&hub->mu);
			return 0;
		}
		pthread_mutex_unlock(&hub->mu);
	}
}

static void stream_free(void *cls)
{
	struct event_stream *st = cls;
	atomic_fetch_sub(&st->hub->open, 1);
	strbuf_release(&st->out);
	free(st);
}

/* Parse a Last-Event-ID: a whole number >= 0. */
static bool parse_last_id(const char *v, int64_t *out)
{
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno || end == v || *end || n < 0)
		return false;
	*out = n;
	return true;
}

void http_reply_events(struct http_req *req, const char *topic, http_events_allowed_fn allowed,
		       int64_t arg)
{
	struct event_hub *hub = req->srv->hub;
	if (!hub) {
		http_reply_fail(req, APP_EUNAVAIL, NULL, "live events are not running on this server");
		return;
	}
	const char *v = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Last-Event-ID");
	const char *field = "Last-Event-ID";
	if (!v) {
		v = http_query(req, "last_event_id");
		field = "last_event_id";
	}
	int64_t last_id = 0;
	struct app_error err;
	if (v && !parse_last_id(v, &last_id)) {
		http_reply_fail(req, APP_EINVAL, field, "%s must be an event id (a whole number)",
				field);
		return;
	}
	if (!v && store_events_head(req->srv->store, &last_id, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	struct event_stream *st = xcalloc(1, sizeof(*st));
	st->hub = hub;
	st->conn = req->conn;
	snprintf(st->topic, sizeof(st->topic), "%s", topic);
	st->last_id = last_id;
	st->opened_us = http_now_us();
	st->caller = req->caller;
	st->allowed = allowed;
	st->allowed_arg = arg;
	strbuf_init(&st->out, 0);
	strbuf_addf(&st->out, "retry: %d\n: stream of %s from event %" PRId64 "\n\n", RETRY_MS,
		    st->topic, last_id);
	atomic_fetch_add(&hub->open, 1);
	req->stream = st;
	req->replied = true;
	req->status = 200;
	req->content_type = "text/event-stream; charset=utf-8";
}

struct MHD_Response *http_events_response(struct http_req *req)
{
	struct MHD_Response *resp = MHD_create_response_from_callback(
		MHD_SIZE_UNKNOWN, 4096, stream_read, req->stream, stream_free);
	if (!resp) {
		stream_free(req->stream);
	} else {
		MHD_add_response_header(resp, "X-Accel-Buffering", "no"); /* nginx: pass through */
	}
	req->stream = NULL; /* the response owns it now */
	return resp;
}
