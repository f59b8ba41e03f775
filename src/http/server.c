/*
 * server.c - libmicrohttpd glue: accept a request, enforce its route's
 * declarations, run the handler, send the reply, log and count it.
 *
 * Order of checks for every request, all here and nowhere else:
 *   method known -> path is UTF-8 -> route exists (404) or method allowed
 *   (405) -> caller allowed (deny by default) -> body size (413) -> body type
 *   (415) -> body parse (400: JSON, or a form) -> handler.
 * Every response carries X-Request-Id and the security headers.
 */
#include "http/server.h"
#include "http/http_int.h"
#include "auth/accounts.h"
#include "core/log.h"
#include "core/utf8.h"

#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static uint32_t rid_prefix;
static atomic_uint_fast64_t rid_counter;

uint64_t http_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void req_free(struct http_req *req)
{
	json_decref(req->json);
	strbuf_release(&req->body);
	strbuf_release(&req->out);
	if (req->out_fd >= 0)
		close(req->out_fd);
	arena_release(&req->arena);
	free(req);
}

static struct http_req *req_new(struct http_server *srv, struct MHD_Connection *conn)
{
	struct http_req *req = xcalloc(1, sizeof(*req));
	req->srv = srv;
	req->conn = conn;
	req->out_fd = -1;
	req->start_us = http_now_us();
	auth_caller_anonymous(&req->caller);
	arena_init(&req->arena);
	strbuf_init(&req->body, 0);
	strbuf_init(&req->out, 0);
	uint64_t n = atomic_fetch_add_explicit(&rid_counter, 1, memory_order_relaxed);
	snprintf(req->rid, sizeof(req->rid), "%08x%08llx", rid_prefix,
		 (unsigned long long)(n & 0xffffffffu));
	return req;
}

static void add_common_headers(struct http_req *req, struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Request-Id", req->rid);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
	MHD_add_response_header(resp, "Cache-Control",
				req->cache_control ? req->cache_control : "no-store");
	if (req->content_type)
		MHD_add_response_header(resp, "Content-Type", req->content_type);
	if (req->allow)
		MHD_add_response_header(resp, "Allow", req->allow);
	for (int i = 0; i < req->nextra; i++)
		MHD_add_response_header(resp, req->extra_name[i], req->extra_value[i]);
}

static enum MHD_Result send_reply(struct http_req *req)
{
	if (!req->replied)
		http_reply_fail(req, APP_EINTERNAL, NULL, "the handler gave no answer");
	struct MHD_Response *resp;
	if (req->stream) {
		resp = http_events_response(req);
	} else if (req->out_fd >= 0) {
		resp = MHD_create_response_from_fd64(req->out_fd_size, req->out_fd);
		if (resp)
			req->out_fd = -1; /* the response owns it now */
	} else {
		size_t len;
		char *data = strbuf_detach(&req->out, &len);
		resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	}
	if (!resp)
		return MHD_NO;
	add_common_headers(req, resp);
	enum MHD_Result r = MHD_queue_response(req->conn, (unsigned)req->status, resp);
	MHD_destroy_response(resp);
	return r;
}

static bool unsafe_method(enum http_method m)
{
	return m != HTTP_GET && m != HTTP_HEAD && m != HTTP_OPTIONS;
}

/*
 * Who is calling: a Bearer token (session or API key) or the session cookie.
 * Bad credentials are refused even on public routes, so that a client learns
 * its token is dead instead of silently acting anonymously.
 */
static bool resolve_caller(struct http_req *req)
{
	const char *auth = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_AUTHORIZATION);
	const char *bearer = NULL;
	if (auth) {
		if (strncasecmp(auth, "Bearer ", 7) != 0) {
			auth_caller_anonymous(&req->caller);
			http_reply_fail(req, APP_EAUTH, NULL,
					"the Authorization header must be 'Bearer TOKEN'");
			return false;
		}
		bearer = auth + 7;
	}
	const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, "bm_session");
	struct app_error err;
	if (accounts_resolve(req->srv->store, bearer, cookie, &req->caller, &err) != APP_OK) {
		if (err.code == APP_EAUTH && !bearer && req->route->access == HTTP_ACCESS_PUBLIC) {
			/* A stale cookie must not lock a browser out of public pages
			 * such as the sign-in itself. */
			auth_caller_anonymous(&req->caller);
			return true;
		}
		http_reply_error(req, &err);
		return false;
	}
	return true;
}

/*
 * Decide whether the caller may use the route, in this order: credentials
 * valid; access level; CSRF token for cookie sessions on unsafe methods;
 * one-time password changed; the route's permission held somewhere. Deny by
 * default. Region scope is the handler's to ask of auth_scope().
 */
static bool access_allowed(struct http_req *req)
{
	const struct http_route *r = req->route;
	if (r->access != HTTP_ACCESS_PUBLIC && r->access != HTTP_ACCESS_SIGNED_IN) {
		http_reply_fail(req, APP_EPERM, NULL, "this route declares no access: refused");
		return false;
	}
	if (!resolve_caller(req))
		return false;
	const struct auth_caller *c = &req->caller;
	if (r->access == HTTP_ACCESS_SIGNED_IN && c->kind == AUTH_ANONYMOUS) {
		http_reply_fail(req, APP_EAUTH, NULL, "sign in first");
		return false;
	}
	if (c->by_cookie && unsafe_method(req->method)) {
		const char *sent = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
							       "X-CSRF-Token");
		const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND,
								 "bm_session");
		char want[SECRET_TOKEN_MAX];
		secret_csrf(cookie ? cookie : "", want);
		if (!sent || !secret_equal(sent, want)) {
			http_reply_fail(req, APP_EPERM, NULL,
					"missing or wrong X-CSRF-Token header for a cookie session");
			return false;
		}
	}
	/* The one-time password gates what needs signing in, not public routes
	 * (signing in as someone else, joining, the registry). */
	if (c->must_change_password && r->access == HTTP_ACCESS_SIGNED_IN &&
	    !(r->flags & HTTP_BEFORE_PASSWORD_CHANGE)) {
		http_reply_fail(req, APP_EPERM, NULL,
				"change your one-time password first (POST /api/v1/me/password)");
		return false;
	}
	if (r->perm && !auth_has(c, r->perm)) {
		http_reply_fail(req, APP_EPERM, NULL, "your role does not allow this");
		return false;
	}
	return true;
}

/* Checks done when the headers have arrived, before any body is read. */
static void on_headers(struct http_req *req, const char *url, const char *method)
{
	enum http_method m;
	req->route_slot = (int)http_routes_count + HTTP_ROUTE_UNMATCHED_EXTRA;
	req->path = arena_strndup(&req->arena, url, strlen(url));
	if (!http_method_parse(method, &m)) {
		http_reply_fail(req, APP_EMETHOD, NULL, "method '%.16s' is not supported", method);
		return;
	}
	req->method = m;
	req->method_known = 1;
	if (!utf8_valid(url, strlen(url))) {
		http_reply_fail(req, APP_EINVAL, NULL, "the request path is not valid UTF-8");
		return;
	}
	const char *allow;
	req->route = http_route_match(req, url, m, &allow);
	if (!req->route) {
		if (allow) {
			req->allow = allow;
			http_reply_fail(req, APP_EMETHOD, NULL,
					"method %s is not allowed here; allowed: %s", method, allow);
			return;
		}
		req->route_slot = (int)http_routes_count + HTTP_ROUTE_STATIC_EXTRA;
		if ((m == HTTP_GET || m == HTTP_HEAD) && http_static_serve(req))
			return;
		req->route_slot = (int)http_routes_count + HTTP_ROUTE_UNMATCHED_EXTRA;
		http_reply_fail(req, APP_ENOTFOUND, NULL, "no such resource: %s", url);
		return;
	}
	req->route_slot = (int)(req->route - http_routes);
	if (!access_allowed(req))
		return;
	req->body_limit = req->route->max_body ? req->route->max_body : req->srv->max_body;
	const char *clen = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (clen && strtoull(clen, NULL, 10) > req->body_limit) {
		http_reply_fail(req, APP_ETOOBIG, NULL, "request body is larger than %zu bytes",
				req->body_limit);
		return;
	}
}

static void parse_body(struct http_req *req)
{
	if (req->body_too_big) {
		http_reply_fail(req, APP_ETOOBIG, NULL, "request body is larger than %zu bytes",
				req->body_limit);
		return;
	}
	if (req->route->body == HTTP_BODY_NONE) {
		if (req->body.len)
			http_reply_fail(req, APP_EINVAL, NULL, "this request takes no body");
		return;
	}
	if (req->route->body == HTTP_BODY_BYTES) {
		if (req->body.len == 0)
			http_reply_fail(req, APP_EINVAL, NULL, "request body is empty");
		return; /* the handler judges the bytes themselves */
	}
	static const char *const types[HTTP_BODY__MAX] = {
		[HTTP_BODY_JSON] = "application/json",
		[HTTP_BODY_CSV] = "text/csv",
		[HTTP_BODY_FORM] = "application/x-www-form-urlencoded",
	};
	const char *want = types[req->route->body];
	const char *ctype = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
							MHD_HTTP_HEADER_CONTENT_TYPE);
	size_t n = strlen(want);
	/* no body at all needs no type: a form without fields */
	bool untyped_empty_form = req->route->body == HTTP_BODY_FORM && !ctype && !req->body.len;
	if (!untyped_empty_form && (!ctype || strncasecmp(ctype, want, n) != 0 ||
				    (ctype[n] && ctype[n] != ';' && ctype[n] != ' '))) {
		http_reply_fail(req, APP_EMEDIA, NULL, "request body must be %s", want);
		return;
	}
	if (req->route->body == HTTP_BODY_FORM) { /* an empty body is a form without fields */
		struct app_error err;
		if (form_parse(req->body.buf, req->body.len, &req->arena, &req->form, &err) != APP_OK)
			http_reply_error(req, &err);
		return;
	}
	if (req->body.len == 0) {
		http_reply_fail(req, APP_EINVAL, NULL, "request body is empty; %s expected", want);
		return;
	}
	if (req->route->body == HTTP_BODY_CSV)
		return; /* the handler parses it, naming lines */
	json_error_t jerr;
	req->json = json_loadb(req->body.buf, req->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!req->json)
		http_reply_fail(req, APP_EINVAL, NULL,
				"request body is not valid JSON: %s (line %d, column %d)", jerr.text,
				jerr.line, jerr.column);
}

bool http_defer(struct http_req *req, http_finish_fn finish, void *arg)
{
	struct http_server *srv = req->srv;
	pthread_mutex_lock(&srv->defer_mu);
	bool ok = !srv->closing;
	if (ok) {
		srv->ndeferred++;
		req->deferred = true;
		req->finish = finish;
		req->finish_arg = arg;
	}
	pthread_mutex_unlock(&srv->defer_mu);
	return ok;
}

void http_resume(struct http_req *req)
{
	struct http_server *srv = req->srv;
	pthread_mutex_lock(&srv->defer_mu);
	req->resumed = true;
	if (req->suspended)
		MHD_resume_connection(req->conn);
	pthread_mutex_unlock(&srv->defer_mu);
}

/* After a deferring handler: suspend the connection unless http_resume came
 * first. True when suspended. */
static bool wait_resumed(struct http_req *req)
{
	struct http_server *srv = req->srv;
	pthread_mutex_lock(&srv->defer_mu);
	if (!req->resumed) {
		MHD_suspend_connection(req->conn);
		req->suspended = true;
	}
	pthread_mutex_unlock(&srv->defer_mu);
	return req->suspended;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **con_cls)
{
	(void)version;
	struct http_server *srv = cls;
	struct http_req *req = *con_cls;
	if (!req) {
		req = req_new(srv, conn);
		*con_cls = req;
		log_set_request_id(req->rid);
		on_headers(req, url, method);
		log_set_request_id(NULL);
		/* An oversize body is refused at once (MHD then closes the
		 * connection instead of reading it); other early answers wait
		 * for the final call so that the connection stays alive. */
		if (req->replied && req->status == 413)
			return send_reply(req);
		return MHD_YES;
	}
	if (*upload_size) {
		req->body_seen += *upload_size;
		if (!req->replied) {
			if (req->body.len + *upload_size > req->body_limit)
				req->body_too_big = true;
			else
				strbuf_add(&req->body, upload_data, *upload_size);
		}
		*upload_size = 0;
		/* A body that will not be used is drained so that the client gets
		 * its answer, but not without end: past a bound, hang up. */
		if ((req->replied || req->body_too_big) &&
		    req->body_seen > HTTP_DRAIN_MAX + req->body_limit)
			return MHD_NO;
		return MHD_YES;
	}
	log_set_request_id(req->rid);
	if (req->replied) { /* answered at the headers; the body was drained */
		log_set_request_id(NULL);
		return send_reply(req);
	}
	if (req->finish) { /* called again once resumed */
		req->finish(req, req->finish_arg);
		req->finish = NULL;
		log_set_request_id(NULL);
		return send_reply(req);
	}
	parse_body(req);
	if (!req->replied)
		req->route->handler(req);
	assert(!(req->finish && req->replied)); /* a deferring handler must not reply */
	if (req->finish && wait_resumed(req)) {
		log_set_request_id(NULL);
		return MHD_YES; /* on_request runs again when resumed */
	}
	if (req->finish) { /* resumed already: answer now */
		req->finish(req, req->finish_arg);
		req->finish = NULL;
	}
	log_set_request_id(NULL);
	return send_reply(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	struct http_server *srv = cls;
	struct http_req *req = *con_cls;
	if (!req)
		return;
	uint64_t elapsed = http_now_us() - req->start_us;
	int status = req->replied ? req->status : 499;
	http_metrics_record(req->route_slot, status, elapsed);
	if (srv->access_log) {
		char path[256];
		log_quote(path, sizeof(path), req->path ? req->path : "-");
		log_set_request_id(req->rid);
		log_info("http.access", "method=%s path=\"%s\" route=\"%s\" status=%d us=%llu%s",
			 req->method_known ? http_method_names[req->method] : "-", path, req->route ? req->route->path : "-", status,
			 (unsigned long long)elapsed,
			 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
		log_set_request_id(NULL);
	}
	if (req->deferred) { /* answered (or its client gone): stop may go on */
		pthread_mutex_lock(&srv->defer_mu);
		if (--srv->ndeferred == 0)
			pthread_cond_broadcast(&srv->defer_cv);
		pthread_mutex_unlock(&srv->defer_mu);
	}
	req_free(req);
	*con_cls = NULL;
}

static enum app_err parse_listen(const char *listen, struct sockaddr_storage *ss,
				 struct app_error *err)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof(host))
		return app_fail(err, APP_EINVAL, "listen address '%s' is not HOST:PORT", listen);
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 0 || port > 65535)
		return app_fail(err, APP_EINVAL, "listen address '%s' has a bad port", listen);
	memset(ss, 0, sizeof(*ss));
	size_t hl = strlen(host);
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) == 1)
			return APP_OK;
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		if (strcmp(host, "localhost") == 0)
			strcpy(host, "127.0.0.1");
		if (inet_pton(AF_INET, host, &a4->sin_addr) == 1)
			return APP_OK;
	}
	return app_fail(err, APP_EINVAL, "listen address '%s' is not an IP address and port",
			listen);
}

/*
 * Decode %HH in the path and query values like MHD does, except %00: decoded,
 * its NUL would silently cut the string short ("/api/v1/regions/99%00x" would
 * answer for region 99). Left as text, it fails validation like any bad input.
 */
static size_t unescape_keep_nul(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	char *w = s;
	for (const char *r = s; *r;) {
		if (r[0] == '%' && isxdigit((unsigned char)r[1]) && isxdigit((unsigned char)r[2]) &&
		    (r[1] != '0' || r[2] != '0')) {
			char hex[3] = { r[1], r[2], '\0' };
			*w++ = (char)strtol(hex, NULL, 16);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_warn("http.mhd", "message=\"%s\"", msg);
}

enum app_err http_server_start(const struct http_server_options *opt, struct http_server **out,
			       struct app_error *err)
{
	struct sockaddr_storage ss;
	enum app_err rc = parse_listen(opt->listen, &ss, err);
	if (rc != APP_OK)
		return rc;
	if (getrandom(&rid_prefix, sizeof(rid_prefix), 0) != sizeof(rid_prefix))
		rid_prefix = (uint32_t)getpid();
	http_metrics_init();
	struct http_server *srv = xcalloc(1, sizeof(*srv));
	pthread_mutex_init(&srv->defer_mu, NULL);
	pthread_cond_init(&srv->defer_cv, NULL);
	srv->store = opt->store;
	srv->web_root = opt->web_root;
	srv->max_body = opt->max_body;
	srv->access_log = opt->access_log;
	srv->session_ttl = opt->session_ttl;
	snprintf(srv->public_url, sizeof(srv->public_url), "%s", opt->public_url ? opt->public_url : "");
	srv->data_dir = opt->data_dir ? opt->data_dir : "var/files";
	size_t ul = strlen(srv->public_url);
	while (ul && srv->public_url[ul - 1] == '/')
		srv->public_url[--ul] = '\0';
	rc = http_events_start(srv, err);
	if (rc != APP_OK) {
		free(srv);
		return rc;
	}
	srv->web_fd = open(opt->web_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (srv->web_fd < 0)
		log_warn("http.no_web_root", "web_root=\"%s\" static=off", opt->web_root);
	/* suspend/resume: event streams wait without holding a thread */
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, opt->threads, MHD_OPTION_CONNECTION_LIMIT,
		opt->conn_limit, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
		MHD_OPTION_CONNECTION_TIMEOUT, opt->timeout_s,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_UNESCAPE_CALLBACK,
		unescape_keep_nul, NULL, MHD_OPTION_END);
	if (!srv->daemon) {
		if (srv->web_fd >= 0)
			close(srv->web_fd);
		http_events_close(srv);
		http_events_free(srv);
		free(srv);
		return app_fail(err, APP_EIO, "cannot listen on '%s': address in use or not allowed",
				opt->listen);
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon,
								MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : 0;
	*out = srv;
	return APP_OK;
}

uint16_t http_server_port(const struct http_server *srv) { return srv->port; }

void http_server_stop(struct http_server *srv)
{
	if (!srv)
		return;
	http_events_close(srv);
	/* No new connection; then every deferred request is answered (its
	 * write committed, its reply sent) before the daemon closes the
	 * connections: libmicrohttpd cannot stop with one suspended, and a
	 * resumed one closed unanswered would lose the 201 of a durable post. */
	MHD_socket listen_fd = MHD_quiesce_daemon(srv->daemon);
	pthread_mutex_lock(&srv->defer_mu);
	srv->closing = true;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += HTTP_STOP_WAIT_S;
	bool warned = false;
	while (srv->ndeferred > 0) {
		if (warned) {
			pthread_cond_wait(&srv->defer_cv, &srv->defer_mu);
		} else if (pthread_cond_timedwait(&srv->defer_cv, &srv->defer_mu, &until) ==
			   ETIMEDOUT) {
			/* A request cannot be dropped while its write runs (the
			 * writer would answer a freed request), and closing the
			 * store waits for that write anyway: say why stop waits. */
			log_error("http.stop_waiting",
				  "deferred=%d seconds=%d hint=\"writes are slow to commit: check the disk\"",
				  srv->ndeferred, HTTP_STOP_WAIT_S);
			warned = true;
		}
	}
	pthread_mutex_unlock(&srv->defer_mu);
	MHD_stop_daemon(srv->daemon);
	if (listen_fd != MHD_INVALID_SOCKET)
		close(listen_fd);
	http_events_free(srv);
	if (srv->web_fd >= 0)
		close(srv->web_fd);
	pthread_cond_destroy(&srv->defer_cv);
	pthread_mutex_destroy(&srv->defer_mu);
	free(srv);
}
