/*
 * routes.c - THE route table, and matching a request against it.
 *
 * Every HTTP endpoint of bianmin is declared here, once, with who may call it
 * and what body it takes. server.c enforces the declarations before any
 * handler runs; tests/unit/test_routes.c fails when a route declares no access
 * or is missing from docs/openapi.json.
 */
#include "http/http_int.h"
#include "regions/regions_http.h"

#include <string.h>

const char *const http_method_names[HTTP_METHOD__MAX] = {
	[HTTP_GET] = "GET",       [HTTP_HEAD] = "HEAD",     [HTTP_POST] = "POST",
	[HTTP_PUT] = "PUT",       [HTTP_PATCH] = "PATCH",   [HTTP_DELETE] = "DELETE",
	[HTTP_OPTIONS] = "OPTIONS",
};

const struct http_route http_routes[] = {
	{ HTTP_GET, "/healthz", http_handle_healthz, HTTP_ACCESS_PUBLIC, HTTP_BODY_NONE, 0,
	  "liveness and database check" },
	{ HTTP_GET, "/metrics", http_handle_metrics, HTTP_ACCESS_PUBLIC, HTTP_BODY_NONE, 0,
	  "Prometheus metrics" },
	{ HTTP_GET, "/api/v1/openapi.json", http_handle_openapi, HTTP_ACCESS_PUBLIC,
	  HTTP_BODY_NONE, 0, "this API's OpenAPI 3 document" },
	{ HTTP_GET, "/api/v1/regions", regions_handle_search, HTTP_ACCESS_PUBLIC, HTTP_BODY_NONE,
	  0, "search regions by name" },
	{ HTTP_POST, "/api/v1/regions/lookup", regions_handle_lookup, HTTP_ACCESS_PUBLIC,
	  HTTP_BODY_JSON, 64 * 1024, "resolve many region codes at once" },
	{ HTTP_GET, "/api/v1/regions/{code}", regions_handle_get, HTTP_ACCESS_PUBLIC,
	  HTTP_BODY_NONE, 0, "one region with its parents and children" },
	{ HTTP_GET, "/api/v1/regions/{code}/tree", regions_handle_tree, HTTP_ACCESS_PUBLIC,
	  HTTP_BODY_NONE, 0, "the subtree under a region" },
};
const size_t http_routes_count = sizeof(http_routes) / sizeof(http_routes[0]);

bool http_method_parse(const char *s, enum http_method *out)
{
	for (int i = 0; i < HTTP_METHOD__MAX; i++) {
		if (strcmp(s, http_method_names[i]) == 0) {
			*out = (enum http_method)i;
			return true;
		}
	}
	return false;
}

/*
 * Match path against pattern; on success record the {name} segments in req.
 * Segments never contain '/', and a parameter never matches an empty segment.
 */
static bool path_match(struct http_req *req, const char *pattern, const char *path)
{
	int nparams = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			const char *se = strchr(s, '/');
			if (!se)
				se = s + strlen(s);
			if (se == s || nparams == HTTP_MAX_PARAMS)
				return false;
			if (req) {
				req->param_names[nparams] = arena_strndup(&req->arena, p + 1,
									  (size_t)(pe - p - 1));
				req->param_values[nparams] = arena_strndup(&req->arena, s,
									   (size_t)(se - s));
			}
			nparams++;
			p = pe + 1;
			s = se;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	if (*p || *s)
		return false;
	if (req)
		req->nparams = nparams;
	return true;
}

/* Number of {name} segments in a pattern. */
static int pattern_params(const char *pattern)
{
	int n = 0;
	for (; *pattern; pattern++)
		n += *pattern == '{';
	return n;
}

/*
 * The route for (method, path), with its parameters recorded in req. Among
 * patterns matching the path, those with the fewest parameters win, so that
 * "/regions/lookup" is never taken for "/regions/{code}". When the path
 * exists but not for this method, returns NULL and sets *allow to the
 * methods that do exist (arena string); otherwise *allow stays NULL.
 * HEAD is answered by the GET route.
 */
const struct http_route *http_route_match(struct http_req *req, const char *path,
					  enum http_method method, const char **allow)
{
	enum http_method want = method == HTTP_HEAD ? HTTP_GET : method;
	*allow = NULL;
	int best = 1 << 20;
	for (size_t i = 0; i < http_routes_count; i++)
		if (path_match(NULL, http_routes[i].path, path) &&
		    pattern_params(http_routes[i].path) < best)
			best = pattern_params(http_routes[i].path);
	struct strbuf methods = STRBUF_INIT;
	const struct http_route *found = NULL;
	for (size_t i = 0; i < http_routes_count && !found; i++) {
		const struct http_route *r = &http_routes[i];
		if (pattern_params(r->path) != best || !path_match(NULL, r->path, path))
			continue;
		if (r->method == want) {
			found = r;
			break;
		}
		if (methods.len)
			strbuf_addstr(&methods, ", ");
		strbuf_addstr(&methods, http_method_names[r->method]);
		if (r->method == HTTP_GET)
			strbuf_addstr(&methods, ", HEAD");
	}
	if (found)
		path_match(req, found->path, path);
	else if (methods.len)
		*allow = arena_strndup(&req->arena, methods.buf, methods.len);
	strbuf_release(&methods);
	return found;
}
