/*
 * reply.c - building replies and reading inputs for handlers (see http.h).
 *
 * http_status_for() is the one place where an error code becomes an HTTP
 * status; every error body has the same shape:
 *   {"error":{"code":"not_found","message":"...","field":"...","request_id":"..."}}
 * except under the paths of another protocol (http_error_dialects in
 * routes.c), whose own writer writes the error in that protocol's format.
 */
#include "http/http_int.h"
#include "core/clock.h"
#include "core/utf8.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int http_status_for(enum app_err code)
{
	switch (code) {
	case APP_OK: return 200;
	case APP_EINVAL: return 400;
	case APP_EAUTH: return 401;
	case APP_EPERM: return 403;
	case APP_ENOTFOUND: return 404;
	case APP_EMETHOD: return 405;
	case APP_ECONFLICT: return 409;
	case APP_ETOOBIG: return 413;
	case APP_EMEDIA: return 415;
	case APP_ETHROTTLED: return 429;
	case APP_EUNAVAIL: return 503;
	case APP_EDB:
	case APP_EIO:
	case APP_EINTERNAL:
	case APP_ERR__MAX: break;
	}
	return 500;
}

const char *http_param(struct http_req *req, const char *name)
{
	for (int i = 0; i < req->nparams; i++)
		if (strcmp(req->param_names[i], name) == 0)
			return req->param_values[i];
	return NULL;
}

static json_t *body_field(struct http_req *req, const char *name, bool *ok)
{
	json_t *body = http_json(req);
	*ok = json_is_object(body);
	if (!*ok) {
		http_reply_fail(req, APP_EINVAL, NULL, "the body must be a JSON object");
		return NULL;
	}
	json_t *v = json_object_get(body, name);
	return v && !json_is_null(v) ? v : NULL;
}

bool http_body_str(struct http_req *req, const char *name, bool required, const char **out)
{
	bool ok;
	json_t *v = body_field(req, name, &ok);
	*out = NULL;
	if (!ok)
		return false;
	if (!v) {
		if (required)
			http_reply_fail(req, APP_EINVAL, name, "'%s' is required", name);
		return !required;
	}
	if (!json_is_string(v)) {
		http_reply_fail(req, APP_EINVAL, name, "'%s' must be a string", name);
		return false;
	}
	*out = json_string_value(v);
	return true;
}

bool http_body_id(struct http_req *req, const char *name, int64_t *out)
{
	bool ok;
	json_t *v = body_field(req, name, &ok);
	*out = 0;
	if (!ok || !v)
		return ok;
	if (!json_is_integer(v) || json_integer_value(v) <= 0) {
		http_reply_fail(req, APP_EINVAL, name, "'%s' must be a positive whole number", name);
		return false;
	}
	*out = json_integer_value(v);
	return true;
}

bool http_body_bool(struct http_req *req, const char *name, bool def, bool *out)
{
	bool ok;
	json_t *v = body_field(req, name, &ok);
	*out = def;
	if (!ok || !v)
		return ok;
	if (!json_is_boolean(v)) {
		http_reply_fail(req, APP_EINVAL, name, "'%s' must be true or false", name);
		return false;
	}
	*out = json_is_true(v);
	return true;
}

bool http_param_id(struct http_req *req, const char *name, int64_t *out)
{
	const char *v = http_param(req, name);
	char *end;
	errno = 0;
	long long n = v ? strtoll(v, &end, 10) : 0;
	if (!v || errno || *end || n <= 0) {
		http_reply_fail(req, APP_ENOTFOUND, NULL, "not found");
		return false;
	}
	*out = n;
	return true;
}

json_t *http_json_time(int64_t t)
{
	char buf[32];
	clock_format_utc(t, buf, sizeof(buf));
	return json_string(buf);
}

json_t *http_json_str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

const char *http_public_url(struct http_req *req) { return req->srv->public_url; }

const char *http_data_dir(struct http_req *req) { return req->srv->data_dir; }

void http_reply_file(struct http_req *req, const char *content_type, int fd, uint64_t size,
		     const char *cache_control)
{
	req->replied = true;
	req->status = 200;
	req->content_type = content_type;
	req->out_fd = fd;
	req->out_fd_size = size;
	req->cache_control = cache_control;
}

char *http_body_text(struct http_req *req, size_t *len)
{
	strbuf_grow(&req->body, 1); /* an allocated buffer, never the shared empty one */
	*len = req->body.len;
	return req->body.buf;
}

const char *http_query(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

bool http_list_has_token(const char *list, const char *token)
{
	size_t want = strlen(token);
	for (const char *p = list; p && *p;) {
		p += strspn(p, " \t,");
		size_t n = strcspn(p, " \t,;=");
		if (n && n == want && strncasecmp(p, token, n) == 0)
			return true;
		p += strcspn(p, ",");
	}
	return false;
}

struct token_search {
	const char *name, *token;
	bool found;
};

/* MHD_KeyValueIterator over the request's headers: stops at a field of
 * ts->name that lists ts->token. */
static enum MHD_Result header_token(void *ctx, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	(void)kind;
	struct token_search *ts = ctx;
	if (key && strcasecmp(key, ts->name) == 0 && http_list_has_token(value, ts->token)) {
		ts->found = true;
		return MHD_NO;
	}
	return MHD_YES;
}

bool http_header_has_token(struct http_req *req, const char *name, const char *token)
{
	struct token_search ts = { name, token, false };
	MHD_get_connection_values(req->conn, MHD_HEADER_KIND, header_token, &ts);
	return ts.found;
}

bool http_query_int_or_reply(struct http_req *req, const char *name, long min, long max,
			     long def, long *out)
{
	const char *v = http_query(req, name);
	if (!v) {
		*out = def;
		return true;
	}
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < min || n > max) {
		http_reply_fail(req, APP_EINVAL, name,
				"query parameter '%s' must be a whole number from %ld to %ld", name,
				min, max);
		return false;
	}
	*out = n;
	return true;
}

json_t *http_json(struct http_req *req) { return req->json; }
const char *http_form(struct http_req *req, const char *name) { return form_get(&req->form, name); }
const char *http_path(struct http_req *req) { return req->path; }
const struct auth_caller *http_caller(struct http_req *req) { return &req->caller; }
int64_t http_session_ttl(struct http_req *req) { return req->srv->session_ttl; }

const char *http_client_addr(struct http_req *req)
{
	if (req->client_addr[0])
		return req->client_addr;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, req->client_addr,
			  sizeof(req->client_addr));
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, req->client_addr,
			  sizeof(req->client_addr));
	else
		snprintf(req->client_addr, sizeof(req->client_addr), "unknown");
	return req->client_addr;
}

void http_set_cookie(struct http_req *req, const char *name, const char *value, int64_t max_age,
		     bool http_only)
{
	if (req->nextra == HTTP_EXTRA_HEADERS)
		return;
	req->extra_name[req->nextra] = "Set-Cookie";
	req->extra_value[req->nextra] = arena_printf(
		&req->arena, "%s=%s; Path=/; Max-Age=%lld; SameSite=Strict%s", name, value,
		(long long)max_age, http_only ? "; HttpOnly" : "");
	req->nextra++;
}
struct store *http_store(struct http_req *req) { return req->srv->store; }
struct arena *http_arena(struct http_req *req) { return &req->arena; }

void http_reply_data(struct http_req *req, int status, const char *content_type,
		     const char *data, size_t len)
{
	if (req->replied)
		return;
	req->replied = true;
	req->status = status;
	req->content_type = content_type;
	strbuf_add(&req->out, data, len);
}

char *http_json_text(json_t *body, size_t *len)
{
	char *text = json_dumps(body, JSON_COMPACT);
	if (!text) /* only on out of memory */
		text = xstrdup("null");
	size_t n = strlen(text);
	text = xrealloc(text, n + 2);
	text[n++] = '\n';
	text[n] = '\0';
	*len = n;
	return text;
}

void http_reply_json(struct http_req *req, int status, json_t *body)
{
	if (req->replied) {
		json_decref(body);
		return;
	}
	req->replied = true;
	req->status = status;
	req->content_type = HTTP_JSON_TYPE;
	size_t n;
	char *text = http_json_text(body, &n);
	strbuf_attach(&req->out, text, n, n + 1);
	json_decref(body);
}

/* The writer of the error format of req's path, NULL for the API's own. */
static http_error_writer dialect_of(struct http_req *req)
{
	for (size_t i = 0; req->path && i < http_error_dialects_count; i++) {
		const struct http_error_dialect *d = &http_error_dialects[i];
		if (strncmp(req->path, d->prefix, strlen(d->prefix)) == 0)
			return d->write;
	}
	return NULL;
}

void http_reply_error_detail(struct http_req *req, const struct app_error *err,
			     const char *key, json_t *detail)
{
	http_error_writer dialect = dialect_of(req);
	if (dialect) { /* that protocol's format has no room for a detail */
		json_decref(detail);
		if (!req->replied)
			dialect(req, http_status_for(err->code), err);
		return;
	}
	json_t *e = json_pack("{s:s,s:s,s:s}", "code", app_err_name(err->code), "message",
			      utf8_valid(err->msg, strlen(err->msg)) ? err->msg : "invalid input",
			      "request_id", req->rid);
	if (err->field[0])
		json_object_set_new(e, "field", json_string(err->field));
	if (key && detail)
		json_object_set_new(e, key, detail);
	else
		json_decref(detail);
	http_reply_json(req, http_status_for(err->code), json_pack("{s:o}", "error", e));
}

void http_reply_error(struct http_req *req, const struct app_error *err)
{
	http_reply_error_detail(req, err, NULL, NULL);
}

void http_reply_fail(struct http_req *req, enum app_err code, const char *field,
		     const char *fmt, ...)
{
	struct app_error err;
	va_list ap;
	va_start(ap, fmt);
	app_failv(&err, code, field, fmt, ap);
	va_end(ap);
	http_reply_error(req, &err);
}
