/*
 * routes.c - THE route table, and matching a request against it.
 *
 * Every HTTP endpoint of bianmin is declared here, once, with who may call it
 * and what body it takes. server.c enforces the declarations before any
 * handler runs; tests/unit/test_routes.c fails when a route declares no access
 * or is missing from docs/openapi.json.
 */
#include "http/http_int.h"
#include "auth/accounts_http.h"
#include "audit/audit_http.h"
#include "regions/regions_http.h"

#include <string.h>

const char *const http_method_names[HTTP_METHOD__MAX] = {
	[HTTP_GET] = "GET",       [HTTP_HEAD] = "HEAD",     [HTTP_POST] = "POST",
	[HTTP_PUT] = "PUT",       [HTTP_PATCH] = "PATCH",   [HTTP_DELETE] = "DELETE",
	[HTTP_OPTIONS] = "OPTIONS",
};

#define PUBLIC .access = HTTP_ACCESS_PUBLIC
#define SIGNED_IN .access = HTTP_ACCESS_SIGNED_IN
#define JSON_BODY(limit) .body = HTTP_BODY_JSON, .max_body = (limit)

const struct http_route http_routes[] = {
	{ HTTP_GET, "/healthz", http_handle_healthz, PUBLIC, .summary = "liveness and database check" },
	{ HTTP_GET, "/metrics", http_handle_metrics, PUBLIC, .summary = "Prometheus metrics" },
	{ HTTP_GET, "/api/v1/openapi.json", http_handle_openapi, PUBLIC,
	  .summary = "this API's OpenAPI 3 document" },

	/* the divisions registry: public reference data */
	{ HTTP_GET, "/api/v1/regions", regions_handle_search, PUBLIC,
	  .summary = "search regions by name" },
	{ HTTP_POST, "/api/v1/regions/lookup", regions_handle_lookup, PUBLIC, JSON_BODY(64 * 1024),
	  .summary = "resolve many region codes at once" },
	{ HTTP_GET, "/api/v1/regions/{code}", regions_handle_get, PUBLIC,
	  .summary = "one region with its parents and children" },
	{ HTTP_GET, "/api/v1/regions/{code}/tree", regions_handle_tree, PUBLIC,
	  .summary = "the subtree under a region" },

	/* signing in and out */
	{ HTTP_POST, "/api/v1/auth/login", accounts_handle_login, PUBLIC, JSON_BODY(4096),
	  .summary = "sign in with phone and password" },
	{ HTTP_POST, "/api/v1/auth/logout", accounts_handle_logout, SIGNED_IN,
	  .flags = HTTP_BEFORE_PASSWORD_CHANGE, .summary = "sign out (end this session)" },
	{ HTTP_GET, "/api/v1/me", accounts_handle_me, SIGNED_IN,
	  .flags = HTTP_BEFORE_PASSWORD_CHANGE, .summary = "the signed-in person and their roles" },
	{ HTTP_POST, "/api/v1/me/password", accounts_handle_password, SIGNED_IN, JSON_BODY(4096),
	  .flags = HTTP_BEFORE_PASSWORD_CHANGE, .summary = "change one's password" },
	{ HTTP_POST, "/api/v1/invites/accept", accounts_handle_invite_accept, PUBLIC,
	  JSON_BODY(4096), .summary = "join with an invitation code" },

	/* accounts, households, roles, invitations */
	{ HTTP_POST, "/api/v1/users", accounts_handle_user_create, SIGNED_IN,
	  .perm = PERM_USERS_MANAGE, JSON_BODY(8192), .summary = "create an account" },
	{ HTTP_GET, "/api/v1/users", accounts_handle_user_list, SIGNED_IN,
	  .perm = PERM_USERS_READ, .summary = "accounts in a region" },
	{ HTTP_GET, "/api/v1/users/{id}", accounts_handle_user_get, SIGNED_IN,
	  .summary = "one account (masked; reveal=true with a reason unmasks, audited)" },
	{ HTTP_POST, "/api/v1/users/{id}/roles", accounts_handle_grant_add, SIGNED_IN,
	  .perm = PERM_ROLES_MANAGE, JSON_BODY(4096), .summary = "grant a role for a region" },
	{ HTTP_DELETE, "/api/v1/users/{id}/roles/{role}/{region}", accounts_handle_grant_remove,
	  SIGNED_IN, .perm = PERM_ROLES_MANAGE, .summary = "remove a role" },
	{ HTTP_POST, "/api/v1/households", accounts_handle_household_create, SIGNED_IN,
	  .perm = PERM_USERS_MANAGE, JSON_BODY(4096), .summary = "register a household" },
	{ HTTP_GET, "/api/v1/households/{id}", accounts_handle_household_get, SIGNED_IN,
	  .perm = PERM_USERS_READ, .summary = "a household and its members" },
	{ HTTP_POST, "/api/v1/invites", accounts_handle_invite_create, SIGNED_IN,
	  .perm = PERM_USERS_MANAGE, JSON_BODY(4096), .summary = "make an invitation code" },

	/* the audit trail */
	{ HTTP_GET, "/api/v1/audit", audit_handle_list, SIGNED_IN, .perm = PERM_AUDIT_READ,
	  .summary = "the history of one object" },
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
