/*
 * http.h - what a route handler sees of the HTTP layer.
 *
 * Routes are declared in one table (routes.c): method, path pattern with
 * {name} segments, handler, who may call it, what body it takes and how big.
 * The server checks all of that before a handler runs, so a handler gets a
 * matched route, an allowed caller and, for JSON routes, a parsed body.
 *
 * A handler must answer exactly once with http_reply_*(). Every reply helper
 * that reports a failure picks the HTTP status from the app_err code, in one
 * place (reply.c). Memory a handler needs for the request comes from
 * http_arena(); it is freed when the response has been sent.
 */
#ifndef HTTP_HTTP_H
#define HTTP_HTTP_H

#include "core/err.h"
#include "core/mem.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct http_req;
struct auth_caller;

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_PATCH,
	HTTP_DELETE,
	HTTP_OPTIONS,
	HTTP_METHOD__MAX
};
extern const char *const http_method_names[HTTP_METHOD__MAX];

/* Who may call a route. A route that declares nothing is refused (403). */
enum http_access {
	HTTP_ACCESS_UNDECLARED = 0,
	HTTP_ACCESS_PUBLIC,    /* anyone, signed in or not */
	HTTP_ACCESS_SIGNED_IN, /* any authenticated caller */
	HTTP_ACCESS__MAX
};

/* What body a route accepts; anything else is refused before the handler. */
enum http_body {
	HTTP_BODY_NONE, /* a body is an error */
	HTTP_BODY_JSON, /* application/json, parsed into http_json() */
	HTTP_BODY_CSV,  /* text/csv in UTF-8, kept as text: http_body_text() */
	HTTP_BODY_BYTES, /* any type, kept as bytes (http_body_text()); the handler checks them */
	HTTP_BODY_FORM, /* application/x-www-form-urlencoded, parsed (core/form.h): http_form() */
	HTTP_BODY__MAX
};

/* Route flags. */
enum {
	/* usable by someone who must still change a one-time password */
	HTTP_BEFORE_PASSWORD_CHANGE = 1u << 0,
};

typedef void (*http_handler)(struct http_req *req);

struct http_route {
	enum http_method method;
	const char *path; /* e.g. "/api/v1/regions/{code}" */
	http_handler handler;
	enum http_access access;
	unsigned perm;    /* auth_perm bits the caller must hold somewhere */
	enum http_body body;
	size_t max_body;  /* bytes; 0 means the configured max_body */
	unsigned flags;
	const char *summary;
};

/* The route table (routes.c) and its length. */
extern const struct http_route http_routes[];
extern const size_t http_routes_count;

/* ---- inputs ---- */

/* Value of path parameter {name} of the matched route, or NULL. */
const char *http_param(struct http_req *req, const char *name);
/* The request's path, percent-decoded, without the query. */
const char *http_path(struct http_req *req);
/* Raw query parameter, already percent-decoded, or NULL when absent. */
const char *http_query(struct http_req *req, const char *name);
/* Request header name (case-insensitive), or NULL when absent. */
const char *http_header(struct http_req *req, const char *name);
/* Whether a header name, in any of its fields, lists token (compared
 * without case) among its comma-separated elements, as `Prefer:
 * respond-async, wait=10` lists respond-async (RFC 9110 §5.6.1; an
 * element's parameters after ';' or '=' are not part of it). */
bool http_header_has_token(struct http_req *req, const char *name, const char *token);
/* The same for one field's value, list (NULL: false). */
bool http_list_has_token(const char *list, const char *token);
/*
 * Query parameter as an integer in [min, max], def when absent. On a bad
 * value it replies 400 naming the parameter and returns false: the handler
 * then just returns.
 */
bool http_query_int_or_reply(struct http_req *req, const char *name, long min, long max,
			     long def, long *out);
/* Field name of the parsed body of a HTTP_BODY_FORM route, or NULL when
 * absent (an empty body is a form without fields). */
const char *http_form(struct http_req *req, const char *name);
/* The parsed JSON body of a HTTP_BODY_JSON route (borrowed). */
json_t *http_json(struct http_req *req);
/* The raw body of a HTTP_BODY_CSV route, NUL-terminated and writable
 * (parsers may rewrite it in place); *len receives its length. */
char *http_body_text(struct http_req *req, size_t *len);

/*
 * Fields of the JSON body object. Each replies 400 naming the field and
 * returns false when the body is no object, a required field is missing or
 * a field has the wrong type; an absent optional field leaves the default
 * (NULL, 0, false, def).
 */
bool http_body_str(struct http_req *req, const char *name, bool required, const char **out);
/* A positive whole number (0 when absent). */
bool http_body_id(struct http_req *req, const char *name, int64_t *out);
bool http_body_bool(struct http_req *req, const char *name, bool def, bool *out);
/* Path parameter {name} as a positive id; replies 404 when it is not one. */
bool http_param_id(struct http_req *req, const char *name, int64_t *out);

struct store *http_store(struct http_req *req);
struct arena *http_arena(struct http_req *req);
/* Who is calling (resolved before the handler runs; never NULL). */
const struct auth_caller *http_caller(struct http_req *req);
/* The client's IP address as text. */
const char *http_client_addr(struct http_req *req);
/* The address the public reaches this server at, e.g. "https://bm.example.cn"
 * (configured; for links in QR codes). */
const char *http_public_url(struct http_req *req);
/* The folder of uploaded files (configured). */
const char *http_data_dir(struct http_req *req);
/* How long a new session lasts, in seconds (configured). */
int64_t http_session_ttl(struct http_req *req);

/* Add a Set-Cookie header (SameSite=Strict, Path=/; HttpOnly when
 * http_only). max_age 0 deletes the cookie. */
void http_set_cookie(struct http_req *req, const char *name, const char *value, int64_t max_age,
		     bool http_only);

/* ---- replies ---- */

#define HTTP_JSON_TYPE "application/json; charset=utf-8"

/* A time as the API writes every time: "2026-11-29T01:42:00Z" (UTC). */
json_t *http_json_time(int64_t t);
/* s as a JSON string, or null when it is NULL or empty (a field not given). */
json_t *http_json_str_or_null(const char *s);
/* body as compact JSON text ending in a newline; the caller frees it. */
char *http_json_text(json_t *body, size_t *len);
/* Reply with a JSON document; takes ownership of body. */
void http_reply_json(struct http_req *req, int status, json_t *body);
/* Reply with bytes of the given type; data is copied. */
void http_reply_data(struct http_req *req, int status, const char *content_type,
		     const char *data, size_t len);
/* Reply 200 with the file open on fd (taken over and closed) of size bytes. */
void http_reply_file(struct http_req *req, const char *content_type, int fd, uint64_t size,
		     const char *cache_control);
/* Reply with the error format for err (status from err->code). */
void http_reply_error(struct http_req *req, const struct app_error *err);
/* The same with one more member of the error object, e.g. "problems": a
 * list of what is wrong with each line of an upload (takes detail). */
void http_reply_error_detail(struct http_req *req, const struct app_error *err,
			     const char *key, json_t *detail);
/* Build and send an error in one call. */
void http_reply_fail(struct http_req *req, enum app_err code, const char *field,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Reply with a stream of Server-Sent Events of topic (the handler has
 * checked that the caller may see it; while the stream lasts, the caller's
 * session is checked again before anything is sent, and so is allowed(arg)
 * when not NULL: the stream ends when either fails): first the events after the client's
 * Last-Event-ID (the header, or the last_event_id query parameter for
 * clients that cannot set headers), or from now on when it sent none; then
 * every new event of the topic as it is committed, on any node. A comment
 * line every 15 s keeps the connection alive; the stream ends after 10
 * minutes and the client reconnects with Last-Event-ID. Events older than
 * EVENT_RETENTION_DAYS are gone.
 */
typedef bool (*http_events_allowed_fn)(struct store *s, const struct auth_caller *c, int64_t arg);
void http_reply_events(struct http_req *req, const char *topic, http_events_allowed_fn allowed,
		       int64_t arg);

/*
 * Answer later, without holding an HTTP thread: the handler calls
 * http_defer(), starts work that ends with http_resume(req) and returns
 * without a reply. After a true http_defer the handler must not reply (only
 * finish does), and http_resume must be called exactly once, from any
 * thread. Until then the connection waits, suspended; then finish(req, arg)
 * runs on an HTTP thread and replies. The request (its arena too) lives at
 * least until http_resume has returned, even if the client is gone
 * (libmicrohttpd 0.9.75 does not end a suspended connection), and server
 * stop waits until it is answered. False when the server is stopping:
 * nothing was deferred and the handler must answer now.
 */
typedef void (*http_finish_fn)(struct http_req *req, void *arg);
bool http_defer(struct http_req *req, http_finish_fn finish, void *arg);
void http_resume(struct http_req *req);

/* HTTP status for an error code: the one place where that is decided. */
int http_status_for(enum app_err code);

/*
 * Writes the reply for err, of the given status, in the error format of
 * another protocol (Open311's list of {code, description}) instead of the
 * API's error JSON. routes.c names the paths under which one is used
 * (http_error_dialects); there it writes every error, whether a handler or
 * the server's checks (404, 405, 413, 415, 400 on a bad body) raised it.
 */
typedef void (*http_error_writer)(struct http_req *req, int status, const struct app_error *err);

#endif
