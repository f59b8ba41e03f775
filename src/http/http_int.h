/*
 * http_int.h - the HTTP layer's private structures, shared by its files.
 * Nothing outside src/http includes this.
 */
#ifndef HTTP_HTTP_INT_H
#define HTTP_HTTP_INT_H

#include "http/http.h"
#include "auth/auth.h"
#include "core/form.h"
#include "core/strbuf.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>

struct config;

#define HTTP_MAX_PARAMS 4
#define HTTP_DRAIN_MAX (1u << 20) /* unused body bytes read before hanging up */
#define HTTP_STOP_WAIT_S 5 /* stop waits this long for deferred answers, then warns */

/* One status slot per status we count by name; the last is "other". */
enum { HTTP_STATUS_SLOTS = 18 };
extern const int http_counted_status[HTTP_STATUS_SLOTS - 1];

/* Latency buckets of the request histogram, in microseconds. */
enum { HTTP_LAT_BUCKETS = 14 };
extern const uint64_t http_latency_bounds_us[HTTP_LAT_BUCKETS];

/* Pseudo-routes for metrics, after the real routes. */
enum { HTTP_ROUTE_STATIC_EXTRA = 0, HTTP_ROUTE_UNMATCHED_EXTRA = 1, HTTP_ROUTE_EXTRAS = 2 };

struct http_server {
	struct MHD_Daemon *daemon;
	struct store *store;
	const char *web_root;
	size_t max_body;
	bool access_log;
	uint16_t port;
	int web_fd; /* open directory of web_root, or -1 */
	int64_t session_ttl;
	char public_url[256];
	const char *data_dir;
	struct event_hub *hub; /* live event streams (events.c) */

	/* deferred requests (http_defer): taken before libmicrohttpd's locks */
	pthread_mutex_t defer_mu;
	pthread_cond_t defer_cv; /* ndeferred fell to 0 */
	int ndeferred;           /* deferred, their connection not yet completed */
	bool closing;            /* stopping: defer nothing more */
};

#define HTTP_EXTRA_HEADERS 4

struct http_req {
	struct http_server *srv;
	struct MHD_Connection *conn;
	struct arena arena;
	enum http_method method;
	int method_known;
	const char *path;
	const struct http_route *route;
	int route_slot; /* index in metrics: a route, or an extra */
	const char *param_names[HTTP_MAX_PARAMS];
	const char *param_values[HTTP_MAX_PARAMS];
	int nparams;
	struct strbuf body;
	size_t body_limit;
	bool body_too_big;
	uint64_t body_seen; /* bytes of body received, kept or not */
	json_t *json;
	struct form form; /* the parsed body of a HTTP_BODY_FORM route */
	char rid[20];
	uint64_t start_us;
	struct auth_caller caller;
	char client_addr[64];

	/* the reply, built by the handler, sent by server.c */
	bool replied;
	int status;
	const char *content_type;
	const char *allow; /* Allow header for 405 */
	struct strbuf out;
	int out_fd;         /* file to send instead of out, or -1 */
	struct event_stream *stream; /* an event stream to send instead of out */
	uint64_t out_fd_size;
	const char *cache_control;
	int nextra;
	const char *extra_name[HTTP_EXTRA_HEADERS];
	const char *extra_value[HTTP_EXTRA_HEADERS];

	/* answering later (http_defer), under srv->defer_mu */
	http_finish_fn finish;
	void *finish_arg;
	bool suspended; /* the connection waits for http_resume */
	bool resumed;   /* http_resume has been called */
	bool deferred;  /* counted in srv->ndeferred until on_completed */
};

/* Paths whose errors another protocol's writer writes (routes.c). */
struct http_error_dialect {
	const char *prefix; /* e.g. "/open311/" */
	http_error_writer write;
};
extern const struct http_error_dialect http_error_dialects[];
extern const size_t http_error_dialects_count;

/* routes.c: find the route for method and path; see the contract there. */
const struct http_route *http_route_match(struct http_req *req, const char *path,
					  enum http_method method, const char **allow);
/* Parse a method name; false for one we do not serve. */
bool http_method_parse(const char *s, enum http_method *out);

/* metrics.c */
void http_metrics_init(void);
void http_metrics_record(int route_slot, int status, uint64_t elapsed_us);

/* static.c: serve a file of the front end; false when path is not one. */
bool http_static_serve(struct http_req *req);

/* server.c */
uint64_t http_now_us(void);

/* events.c: the hub of live event streams. Start it before the daemon;
 * close it (every stream ends) before stopping the daemon, free it after. */
enum app_err http_events_start(struct http_server *srv, struct app_error *err);
void http_events_close(struct http_server *srv);
void http_events_free(struct http_server *srv);
/* Streams open now. */
int http_events_open(const struct http_server *srv);
/* The response for req->stream (which it takes over); NULL when out of memory. */
struct MHD_Response *http_events_response(struct http_req *req);

/* builtin handlers (metrics.c, openapi.c) */
void http_handle_healthz(struct http_req *req);
void http_handle_metrics(struct http_req *req);
void http_handle_openapi(struct http_req *req);

/* The API document embedded at build time (docs/openapi.json). */
struct embedded_doc {
	const char *name;
	const char *data;
	size_t len;
};
extern const struct embedded_doc http_embedded_docs[];
extern const size_t http_embedded_docs_count;

#endif
