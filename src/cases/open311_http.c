/*
 * open311_http.c - the HTTP handlers of Open311 GeoReport v2; see
 * open311_http.h. Each handler finds its caller and county (open311.h),
 * reads what it needs through demands.h or the store, and replies with the
 * document open311.h builds, in the format of the path's suffix. Every
 * refusal goes through http_reply_fail()/http_reply_error() as anywhere
 * else; routes.c sends every error under /open311/ to
 * open311_reply_error(), which writes it as Open311's list of
 * {code, description}.
 */
#include "cases/open311_http.h"
#include "cases/cases_calendar.h"
#include "cases/demands.h"
#include "cases/open311.h"
#include "core/clock.h"
#include "http/http.h"

#include <stdlib.h>
#include <string.h>

#define XML_TYPE "text/xml; charset=utf-8"

/* Reply status with body (taken) in format f; in XML, root names the
 * document's element. */
static void reply(struct http_req *req, int status, enum open311_format f, const char *root,
		  json_t *body)
{
	struct strbuf out = STRBUF_INIT;
	open311_write(body, f, root, &out);
	http_reply_data(req, status, f == OPEN311_JSON ? HTTP_JSON_TYPE : XML_TYPE, out.buf,
			out.len);
	strbuf_release(&out);
}

void open311_reply_error(struct http_req *req, int status, const struct app_error *err)
{
	enum open311_format f = open311_format_of(http_path(req));
	reply(req, status, f == OPEN311_JSON ? f : OPEN311_XML, "errors",
	      open311_errors(status, err->msg));
}

/* The format of the path, or reply 404 when it ends in neither .json nor
 * .xml (a parameter route; the others name theirs). */
static bool format_or_reply(struct http_req *req, enum open311_format *f)
{
	*f = open311_format_of(http_path(req));
	if (*f == OPEN311_NONE)
		http_reply_fail(req, APP_ENOTFOUND, NULL,
				"no such resource: end the path with .json or .xml");
	return *f != OPEN311_NONE;
}

/* The text of path parameter name without its format suffix, from the
 * request's arena ("17" of "17.json"). */
static const char *param_base(struct http_req *req, const char *name)
{
	const char *v = http_param(req, name);
	const char *dot = strrchr(v, '.');
	return arena_strndup(http_arena(req), v, dot ? (size_t)(dot - v) : strlen(v));
}

/* A caller that may read demands (api_key of the query), the county and
 * where the key reaches in it; or reply. */
static bool reader_or_reply(struct http_req *req, struct auth_caller *key, char county[7],
			    char reach[DIVISION_CODE_MAX + 1])
{
	struct app_error err;
	if (open311_key(http_store(req), http_query(req, "api_key"), PERM_CASES_READ,
			"read demands", key, &err) != APP_OK ||
	    open311_jurisdiction(http_store(req), key, PERM_CASES_READ,
				 http_query(req, "jurisdiction_id"), county, reach,
				 &err) != APP_OK) {
		http_reply_error(req, &err);
		return false;
	}
	return true;
}

/* The tree of county (NULL: the built-in one), or reply. */
static bool tree_or_reply(struct http_req *req, const char *county, struct open311_tree *t)
{
	struct app_error err;
	if (open311_tree_get(http_store(req), county, t, &err) != APP_OK) {
		http_reply_error(req, &err);
		return false;
	}
	return true;
}

/* The services' tree: jurisdiction_id's county's, else the built-in one
 * (no key says which county is meant); or reply. */
static bool services_tree_or_reply(struct http_req *req, struct open311_tree *t)
{
	const char *given = http_query(req, "jurisdiction_id");
	struct app_error err;
	if (open311_public_jurisdiction(http_store(req), given, &err) != APP_OK) {
		http_reply_error(req, &err);
		return false;
	}
	return tree_or_reply(req, given, t);
}

void open311_handle_discovery(struct http_req *req)
{
	reply(req, 200, open311_format_of(http_path(req)), "discovery",
	      open311_discovery(http_public_url(req)));
}

void open311_handle_services(struct http_req *req)
{
	struct open311_tree t;
	if (!services_tree_or_reply(req, &t))
		return;
	json_t *services = open311_services(&t);
	open311_tree_put(&t);
	reply(req, 200, open311_format_of(http_path(req)), "services", services);
}

void open311_handle_service(struct http_req *req)
{
	enum open311_format f;
	struct open311_tree t;
	if (!format_or_reply(req, &f) || !services_tree_or_reply(req, &t))
		return;
	json_t *definition;
	struct app_error err;
	enum app_err rc = open311_service(&t, param_base(req, "service_code"), &definition, &err);
	open311_tree_put(&t);
	if (rc == APP_OK)
		reply(req, 200, f, "service_definition", definition);
	else
		http_reply_error(req, &err);
}

void open311_handle_post_request(struct http_req *req)
{
	struct auth_caller key;
	char county[7], reach[DIVISION_CODE_MAX + 1];
	const struct calendar *cal;
	struct app_error err;
	if (open311_key(http_store(req), http_form(req, "api_key"), PERM_CASES_HANDLE,
			"raise demands", &key, &err) != APP_OK ||
	    open311_jurisdiction(http_store(req), &key, PERM_CASES_HANDLE,
				 http_form(req, "jurisdiction_id"), county, reach, &err) != APP_OK ||
	    cases_calendar_shared(http_store(req), &cal, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	struct open311_new in = {
		.service_code = http_form(req, "service_code"),
		.village = http_form(req, "attribute[village]"),
		.urgency = http_form(req, "attribute[urgency]"),
		.description = http_form(req, "description"),
		.lat = http_form(req, "lat"),
		.lon = http_form(req, "long"),
		.address = http_form(req, "address_string"),
		.first_name = http_form(req, "first_name"),
		.last_name = http_form(req, "last_name"),
		.phone = http_form(req, "phone"),
	};
	struct case_row *d = malloc(sizeof(*d));
	if (!d) {
		http_reply_fail(req, APP_EINTERNAL, NULL, "out of memory");
		return;
	}
	case_settings_scope_begin(); /* the county's settings read once */
	enum app_err rc = open311_raise(http_store(req), cal, &key, county, &in, clock_now(), d,
					&err);
	case_settings_scope_end();
	if (rc != APP_OK)
		http_reply_error(req, &err);
	else
		reply(req, 201, open311_format_of(http_path(req)), "service_requests",
		      open311_created(d));
	free(d);
}

/* The demand of path parameter name ("17.json") and its county, or reply
 * 404 (for one the key may not read too). *f is the path's format. */
static bool request_or_reply(struct http_req *req, const char *name, enum open311_format *f,
			     char county[7], struct case_row *d)
{
	struct auth_caller key;
	char reach[DIVISION_CODE_MAX + 1];
	struct app_error err;
	if (!format_or_reply(req, f) || !reader_or_reply(req, &key, county, reach))
		return false;
	if (open311_read_text(http_store(req), &key, county, name, param_base(req, name), d,
			      &err) != APP_OK) {
		http_reply_error(req, &err);
		return false;
	}
	return true;
}

void open311_handle_request(struct http_req *req)
{
	enum open311_format f;
	char county[7];
	struct open311_tree t;
	struct case_row *d = malloc(sizeof(*d));
	if (!d) {
		http_reply_fail(req, APP_EINTERNAL, NULL, "out of memory");
		return;
	}
	if (request_or_reply(req, "service_request_id", &f, county, d) &&
	    tree_or_reply(req, county, &t)) {
		json_t *one = json_pack("[o]", open311_request(&t, d));
		open311_tree_put(&t);
		reply(req, 200, f, "service_requests", one);
	}
	free(d);
}

/* Requests are made at once (their services are "realtime"), so a token is
 * a request's id: this answers clients written for batch services. */
void open311_handle_token(struct http_req *req)
{
	enum open311_format f;
	char county[7];
	struct case_row *d = malloc(sizeof(*d));
	if (!d) {
		http_reply_fail(req, APP_EINTERNAL, NULL, "out of memory");
		return;
	}
	if (request_or_reply(req, "token", &f, county, d))
		reply(req, 200, f, "service_requests", open311_token(d));
	free(d);
}

/* Requests being listed: the tree that names their services, the list. */
struct request_list {
	const struct open311_tree *t;
	json_t *items;
};

static bool add_request(void *ctx, const struct case_row *d)
{
	struct request_list *l = ctx;
	json_array_append_new(l->items, open311_request(l->t, d));
	return true;
}

/* The requests of ids (comma-separated) into l: those the key may read in
 * county; the others are left out, as absent. */
static enum app_err requests_by_id(struct http_req *req, const struct auth_caller *key,
				   const char *county, const char *ids, struct request_list *l,
				   struct app_error *err)
{
	int64_t *id = arena_alloc(http_arena(req), OPEN311_RESULTS_MAX * sizeof(*id));
	int n;
	enum app_err rc = open311_ids(ids, id, &n, err);
	struct case_row *d = rc == APP_OK ? malloc(sizeof(*d)) : NULL;
	if (rc == APP_OK && !d)
		rc = app_fail(err, APP_EINTERNAL, "out of memory");
	for (int i = 0; rc == APP_OK && i < n; i++) {
		rc = open311_read(http_store(req), key, county, id[i], d, err);
		if (rc == APP_OK)
			add_request(l, d);
		else if (rc == APP_ENOTFOUND)
			rc = APP_OK;
	}
	free(d);
	return rc;
}

/* The requests of the search's filters into l: demands within reach the
 * key may read, newest first, at most OPEN311_RESULTS_MAX. */
static enum app_err requests_found(struct http_req *req, const struct auth_caller *key,
				   const char *reach, struct request_list *l,
				   struct app_error *err)
{
	struct case_query q = { .region = reach, .category = http_query(req, "service_code"),
				.limit = OPEN311_RESULTS_MAX };
	enum app_err rc = open311_window(http_query(req, "start_date"), http_query(req, "end_date"),
					 clock_now(), &q.since, &q.until, err);
	if (rc == APP_OK)
		rc = open311_state(http_query(req, "status"), &q.state, err);
	if (rc == APP_OK)
		rc = open311_category_check(l->t, q.category, err);
	if (rc == APP_OK)
		rc = demands_list(http_store(req), key, &q, add_request, l, err);
	return rc;
}

void open311_handle_requests(struct http_req *req)
{
	struct auth_caller key;
	char county[7], reach[DIVISION_CODE_MAX + 1];
	struct open311_tree t;
	struct app_error err;
	if (!reader_or_reply(req, &key, county, reach) || !tree_or_reply(req, county, &t))
		return;
	struct request_list l = { &t, json_array() };
	const char *ids = http_query(req, "service_request_id");
	/* the spec: ids override every other filter */
	enum app_err rc = ids && *ids ? requests_by_id(req, &key, county, ids, &l, &err)
				      : requests_found(req, &key, reach, &l, &err);
	open311_tree_put(&t);
	if (rc == APP_OK) {
		reply(req, 200, open311_format_of(http_path(req)), "service_requests", l.items);
	} else {
		json_decref(l.items);
		http_reply_error(req, &err);
	}
}

static bool add_update(void *ctx, const struct case_event_row *e)
{
	json_array_append_new(ctx, open311_update(e));
	return true;
}

void open311_handle_updates(struct http_req *req)
{
	struct auth_caller key;
	char county[7], reach[DIVISION_CODE_MAX + 1];
	struct case_event_query q = { .type = "demand", .region = reach,
				      .limit = OPEN311_RESULTS_MAX };
	struct app_error err;
	if (!reader_or_reply(req, &key, county, reach))
		return;
	json_t *updates = json_array();
	if (open311_window(http_query(req, "start_date"), http_query(req, "end_date"), clock_now(),
			   &q.from, &q.until, &err) != APP_OK ||
	    store_case_events_between(http_store(req), &q, add_update, updates, &err) != APP_OK) {
		json_decref(updates);
		http_reply_error(req, &err);
		return;
	}
	reply(req, 200, open311_format_of(http_path(req)), "service_request_updates", updates);
}
