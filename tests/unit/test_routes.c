/*
 * test_routes.c - unit tests of the HTTP route table (src/http/routes.c) and
 * its documentation: every route declares who may call it, a handler, a
 * summary and a well-formed path; no two routes share method and path; the
 * embedded docs/openapi.json documents exactly the routes of the table
 * (each route documented with its path parameters and body, each documented
 * operation served); requests are matched to the right route with their
 * path parameters, and a known path with the wrong method yields the Allow
 * list; error codes map to the documented HTTP statuses; a list-valued
 * header's elements are found as RFC 9110 writes them (Prefer).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "http/http_int.h"
#include "testutil.h"

#include <ctype.h>

static const char *method_name(enum http_method m)
{
	assert_true((unsigned)m < HTTP_METHOD__MAX);
	return http_method_names[m];
}

/* ---- the table ---- */

static void test_routes_declared(void **state)
{
	(void)state;
	assert_true(http_routes_count > 0);
	for (size_t i = 0; i < http_routes_count; i++) {
		const struct http_route *r = &http_routes[i];
		assert_non_null(r->path);
		if (r->access == HTTP_ACCESS_UNDECLARED || r->access >= HTTP_ACCESS__MAX)
			fail_msg("route %s %s declares no access", method_name(r->method), r->path);
		if (!r->handler)
			fail_msg("route %s %s has no handler", method_name(r->method), r->path);
		if (!r->summary || !*r->summary)
			fail_msg("route %s %s has no summary", method_name(r->method), r->path);
		if (r->path[0] != '/')
			fail_msg("route path '%s' does not start with '/'", r->path);
		assert_true(r->body < HTTP_BODY__MAX);
		/* HEAD is answered by the GET route; a body on GET/HEAD is refused */
		assert_int_not_equal(r->method, HTTP_HEAD);
		if (r->method == HTTP_GET && r->body != HTTP_BODY_NONE)
			fail_msg("GET %s declares a request body", r->path);

		/* segments are non-empty; {name} parameters are whole segments */
		const char *p = r->path;
		while (*p) {
			assert_int_equal(*p, '/');
			const char *seg = p + 1, *end = strchr(seg, '/');
			if (!end)
				end = seg + strlen(seg);
			if (end == seg)
				fail_msg("route path '%s' has an empty segment", r->path);
			if (*seg == '{') {
				if (end[-1] != '}' || end - seg < 3)
					fail_msg("route path '%s' has a malformed parameter", r->path);
				for (const char *c = seg + 1; c < end - 1; c++)
					if (!islower((unsigned char)*c) && *c != '_')
						fail_msg("route path '%s': bad parameter name", r->path);
			} else {
				for (const char *c = seg; c < end; c++)
					if (*c == '{' || *c == '}')
						fail_msg("route path '%s': brace inside a segment", r->path);
			}
			p = end;
		}
	}
}

/* Each path prefix whose errors another protocol writes is a whole segment
 * and has its writer; a route under it is one of that protocol's. */
static void test_error_dialects(void **state)
{
	(void)state;
	for (size_t i = 0; i < http_error_dialects_count; i++) {
		const struct http_error_dialect *d = &http_error_dialects[i];
		size_t n = strlen(d->prefix);
		assert_non_null(d->write);
		if (n < 3 || d->prefix[0] != '/' || d->prefix[n - 1] != '/')
			fail_msg("error dialect prefix '%s' is not a path of whole segments", d->prefix);
		if (strncmp(d->prefix, "/api/", 5) == 0)
			fail_msg("error dialect prefix '%s' would change the API's errors", d->prefix);
	}
}

static void test_routes_unique(void **state)
{
	(void)state;
	for (size_t i = 0; i < http_routes_count; i++)
		for (size_t j = 0; j < i; j++)
			if (http_routes[i].method == http_routes[j].method &&
			    strcmp(http_routes[i].path, http_routes[j].path) == 0)
				fail_msg("route %s %s is declared twice",
					 method_name(http_routes[i].method), http_routes[i].path);
}

/* ---- the OpenAPI document ---- */

static json_t *load_openapi(void)
{
	const struct embedded_doc *doc = NULL;
	for (size_t i = 0; i < http_embedded_docs_count; i++)
		if (http_embedded_docs[i].name && strcmp(http_embedded_docs[i].name, "openapi.json") == 0)
			doc = &http_embedded_docs[i];
	if (!doc)
		fail_msg("docs/openapi.json is not embedded");
	json_error_t jerr;
	json_t *root = json_loadb(doc->data, doc->len, 0, &jerr);
	if (!root)
		fail_msg("docs/openapi.json line %d: %s", jerr.line, jerr.text);
	return root;
}

static const char *const operation_keys[] = { "get",    "put",     "post", "delete",
					      "options", "head",   "patch", "trace" };

static bool is_operation_key(const char *k)
{
	for (size_t i = 0; i < sizeof(operation_keys) / sizeof(operation_keys[0]); i++)
		if (strcmp(k, operation_keys[i]) == 0)
			return true;
	return false;
}

static void lower(char *out, size_t cap, const char *s)
{
	size_t i = 0;
	for (; s[i] && i + 1 < cap; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

/* The parameter named name with "in": "path" in a parameters array, or NULL. */
static json_t *path_param(json_t *params, const char *name)
{
	size_t i;
	json_t *p;
	json_array_foreach(params, i, p) {
		const char *in = json_string_value(json_object_get(p, "in"));
		const char *n = json_string_value(json_object_get(p, "name"));
		if (in && n && strcmp(in, "path") == 0 && strcmp(n, name) == 0)
			return p;
	}
	return NULL;
}

static void test_openapi_documents_every_route(void **state)
{
	(void)state;
	json_t *root = load_openapi();
	const char *version = json_string_value(json_object_get(root, "openapi"));
	assert_non_null(version);
	assert_true(strncmp(version, "3.", 2) == 0);
	json_t *paths = json_object_get(root, "paths");
	assert_true(json_is_object(paths));

	for (size_t i = 0; i < http_routes_count; i++) {
		const struct http_route *r = &http_routes[i];
		char m[16];
		lower(m, sizeof(m), method_name(r->method));
		json_t *item = json_object_get(paths, r->path);
		json_t *op = item ? json_object_get(item, m) : NULL;
		if (!json_is_object(op))
			fail_msg("route %s %s is not documented in docs/openapi.json",
				 method_name(r->method), r->path);
		if (!json_is_object(json_object_get(op, "responses")))
			fail_msg("%s %s documents no responses", m, r->path);

		/* every {name} is a documented, required path parameter */
		for (const char *p = strchr(r->path, '{'); p; p = strchr(p + 1, '{')) {
			char name[64];
			const char *e = strchr(p, '}');
			snprintf(name, sizeof(name), "%.*s", (int)(e - p - 1), p + 1);
			json_t *par = path_param(json_object_get(op, "parameters"), name);
			if (!par)
				par = path_param(json_object_get(item, "parameters"), name);
			if (!par)
				fail_msg("%s %s does not document path parameter '%s'", m, r->path, name);
			if (!json_is_true(json_object_get(par, "required")))
				fail_msg("%s %s: path parameter '%s' is not marked required", m,
					 r->path, name);
		}

		/* a body is documented exactly where one is accepted, with its type */
		json_t *body = json_object_get(op, "requestBody");
		json_t *content = json_object_get(body, "content");
		if (r->body == HTTP_BODY_JSON && !json_object_get(content, "application/json"))
			fail_msg("%s %s takes JSON but documents no application/json body", m,
				 r->path);
		if (r->body == HTTP_BODY_CSV && !json_object_get(content, "text/csv"))
			fail_msg("%s %s takes CSV but documents no text/csv body", m, r->path);
		if (r->body == HTTP_BODY_FORM &&
		    !json_object_get(content, "application/x-www-form-urlencoded"))
			fail_msg("%s %s takes a form but documents no "
				 "application/x-www-form-urlencoded body", m, r->path);
		if (r->body == HTTP_BODY_BYTES && !json_object_size(content))
			fail_msg("%s %s takes bytes but documents no body", m, r->path);
		if (r->body == HTTP_BODY_NONE && body)
			fail_msg("%s %s takes no body but documents a requestBody", m, r->path);
	}
	json_decref(root);
}

static void test_openapi_documents_only_routes(void **state)
{
	(void)state;
	json_t *root = load_openapi();
	json_t *paths = json_object_get(root, "paths");
	assert_true(json_is_object(paths));
	const char *path;
	json_t *item;
	json_object_foreach(paths, path, item) {
		const char *key;
		json_t *op;
		json_object_foreach(item, key, op) {
			if (!is_operation_key(key))
				continue;
			bool served = false;
			for (size_t i = 0; i < http_routes_count && !served; i++) {
				char m[16];
				lower(m, sizeof(m), method_name(http_routes[i].method));
				served = strcmp(http_routes[i].path, path) == 0 && strcmp(m, key) == 0;
			}
			if (!served)
				fail_msg("docs/openapi.json documents %s %s, which no route serves", key,
					 path);
		}
	}
	json_decref(root);
}

/* ---- matching ---- */

struct match {
	struct http_req req;
	const struct http_route *route;
	const char *allow;
};

static void match(struct match *m, enum http_method method, const char *path)
{
	memset(&m->req, 0, sizeof(m->req));
	arena_init(&m->req.arena);
	m->allow = (const char *)"unset";
	m->route = http_route_match(&m->req, path, method, &m->allow);
}

static void match_release(struct match *m) { arena_release(&m->req.arena); }

static void test_route_matching(void **state)
{
	(void)state;
	struct match m;

	/* every route matches its own path, with parameters filled in */
	for (size_t i = 0; i < http_routes_count; i++) {
		const struct http_route *r = &http_routes[i];
		char path[256];
		size_t n = 0;
		for (const char *p = r->path; *p && n + 8 < sizeof(path);) {
			if (*p == '{') {
				n += (size_t)snprintf(path + n, sizeof(path) - n, "v%zu", i);
				p = strchr(p, '}') + 1;
			} else {
				path[n++] = *p++;
			}
		}
		path[n] = '\0';
		match(&m, r->method, path);
		if (m.route != r)
			fail_msg("%s %s does not reach its route %s", method_name(r->method), path,
				 r->path);
		assert_null(m.allow);
		match_release(&m);
	}

	match(&m, HTTP_GET, "/api/v1/regions/411681/tree");
	assert_non_null(m.route);
	assert_string_equal(m.route->path, "/api/v1/regions/{code}/tree");
	assert_string_equal(http_param(&m.req, "code"), "411681");
	assert_null(http_param(&m.req, "other"));
	match_release(&m);

	match(&m, HTTP_GET, "/api/v1/regions/411681");
	assert_non_null(m.route);
	assert_string_equal(m.route->path, "/api/v1/regions/{code}");
	assert_string_equal(http_param(&m.req, "code"), "411681");
	match_release(&m);

	/* HEAD is served by the GET route */
	match(&m, HTTP_HEAD, "/healthz");
	assert_non_null(m.route);
	assert_int_equal(m.route->method, HTTP_GET);
	match_release(&m);

	/* a known path with another method: no route, and the Allow list */
	match(&m, HTTP_DELETE, "/healthz");
	assert_null(m.route);
	assert_non_null(m.allow);
	assert_string_equal(m.allow, "GET, HEAD");
	match_release(&m);

	/* a literal segment beats a parameter: GET on the lookup path is a
	 * wrong method, not a region whose code is "lookup" */
	match(&m, HTTP_GET, "/api/v1/regions/lookup");
	assert_null(m.route);
	assert_non_null(m.allow);
	assert_string_equal(m.allow, "POST");
	match_release(&m);

	/* unknown paths: no route and no Allow list */
	static const char *const unknown[] = { "/",
					       "/healthz/",
					       "/healthzx",
					       "/api/v1/regions//tree",
					       "/api/v1/regions/411681/tree/x",
					       "/api/v1/regions/411681/",
					       "/API/v1/regions" };
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		match(&m, HTTP_GET, unknown[i]);
		if (m.route)
			fail_msg("'%s' matched %s", unknown[i], m.route->path);
		assert_null(m.allow);
		match_release(&m);
	}
}

static void test_method_parse(void **state)
{
	(void)state;
	enum http_method m;
	for (int i = 0; i < HTTP_METHOD__MAX; i++) {
		assert_true(http_method_parse(http_method_names[i], &m));
		assert_int_equal(m, i);
	}
	m = HTTP_POST;
	assert_false(http_method_parse("get", &m)); /* methods are case-sensitive */
	assert_false(http_method_parse("TRACE", &m));
	assert_false(http_method_parse("", &m));
	assert_int_equal(m, HTTP_POST);
}

static void test_status_for(void **state)
{
	(void)state;
	assert_int_equal(http_status_for(APP_OK), 200);
	assert_int_equal(http_status_for(APP_EINVAL), 400);
	assert_int_equal(http_status_for(APP_EAUTH), 401);
	assert_int_equal(http_status_for(APP_EPERM), 403);
	assert_int_equal(http_status_for(APP_ENOTFOUND), 404);
	assert_int_equal(http_status_for(APP_EMETHOD), 405);
	assert_int_equal(http_status_for(APP_ECONFLICT), 409);
	assert_int_equal(http_status_for(APP_ETOOBIG), 413);
	assert_int_equal(http_status_for(APP_EMEDIA), 415);
	assert_int_equal(http_status_for(APP_EUNAVAIL), 503);
	assert_int_equal(http_status_for(APP_EDB), 500);
	assert_int_equal(http_status_for(APP_EIO), 500);
	assert_int_equal(http_status_for(APP_EINTERNAL), 500);
}

/* An element of a list header: whole, any case, before its parameters. */
static void test_list_has_token(void **state)
{
	(void)state;
	const char *yes[] = { "respond-async", "RESPOND-ASYNC", "respond-async, wait=10",
			      "wait=10, respond-async", " ,respond-async ;x=1", "respond-async=1" };
	const char *no[] = { "", "respond-asyncx", "x-respond-async", "wait=10",
			     "return=minimal; respond-async", "respond", "wait=respond-async" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(http_list_has_token(yes[i], "respond-async"));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(http_list_has_token(no[i], "respond-async"));
	assert_false(http_list_has_token(NULL, "respond-async"));
}

int main(void)
{
	log_set_level(LOG_WARN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes_declared),
		cmocka_unit_test(test_routes_unique),
		cmocka_unit_test(test_error_dialects),
		cmocka_unit_test(test_openapi_documents_every_route),
		cmocka_unit_test(test_openapi_documents_only_routes),
		cmocka_unit_test(test_route_matching),
		cmocka_unit_test(test_method_parse),
		cmocka_unit_test(test_status_for),
		cmocka_unit_test(test_list_has_token),
	};
	return cmocka_run_group_tests_name("routes", tests, NULL, NULL);
}
