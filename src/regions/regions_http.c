/*
 * regions_http.c - HTTP handlers of the divisions registry.
 *
 * Region objects look the same everywhere:
 *   {"code","name","level","level_name","parent_code"[,"child_count"]}
 * where level is "province".."village" and level_name its Chinese name.
 */
#include "regions/regions_http.h"
#include "http/http.h"
#include "regions/regions.h"
#include "core/textcache.h"
#include "core/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Answers about single regions and subtrees are cached, stamped with the
 * registry's generation: any import (by any process) makes them stale.
 */
static struct textcache answers = TEXTCACHE_INIT;

enum {
	CACHE_ANSWER_MAX = 256 * 1024, /* bigger trees are built each time */
	SEARCH_LIMIT_MAX = 200,
	LOOKUP_CODES_MAX = 1000,
	TREE_NODES_MAX = 100000,
	QUERY_CHARS_MAX = 50,
};

static json_t *region_json(const struct region *r, bool with_children)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "code", r->code, "name", r->name, "level",
			      division_level_names[r->level], "level_name",
			      division_level_names_zh[r->level]);
	json_object_set_new(o, "parent_code",
			    r->parent_code[0] ? json_string(r->parent_code) : json_null());
	if (with_children)
		json_object_set_new(o, "child_count", json_integer(r->child_count));
	return o;
}

/* Check a code from the request; replies 400 and returns false when bad. */
static bool code_or_reply(struct http_req *req, const char *field, const char *code,
			  enum division_level *level)
{
	struct app_error err;
	if (division_code_check(code, level, &err) != APP_OK) {
		snprintf(err.field, sizeof(err.field), "%s", field);
		http_reply_error(req, &err);
		return false;
	}
	return true;
}

/* The ancestors of r, province first, as a JSON array. */
static enum app_err parents_json(struct store *s, const struct region *r, json_t **out,
				 struct app_error *err)
{
	json_t *arr = json_array();
	for (int l = 0; l < (int)r->level; l++) {
		char code[DIVISION_CODE_MAX + 1];
		size_t n = (size_t)division_level_digits[l];
		memcpy(code, r->code, n);
		code[n] = '\0';
		struct region p;
		enum app_err rc = store_region_get(s, code, &p, err);
		if (rc == APP_ENOTFOUND)
			continue; /* a gap in the registry (e.g. a city file not loaded) */
		if (rc != APP_OK) {
			json_decref(arr);
			return rc;
		}
		json_array_append_new(arr, region_json(&p, false));
	}
	*out = arr;
	return APP_OK;
}

static bool append_region(void *ctx, const struct region *r)
{
	json_array_append_new(ctx, region_json(r, true));
	return true;
}

/* Reply with the cached answer for key at generation gen; false on a miss. */
static bool reply_cached(struct http_req *req, const char *key, int64_t gen)
{
	struct strbuf sb = STRBUF_INIT;
	bool hit = textcache_get(&answers, key, gen, &sb);
	if (hit)
		http_reply_data(req, 200, HTTP_JSON_TYPE, sb.buf, sb.len);
	strbuf_release(&sb);
	return hit;
}

/* Reply with o (taken) and remember it under key at generation gen. */
static void reply_and_cache(struct http_req *req, const char *key, int64_t gen, json_t *o)
{
	size_t len;
	char *text = http_json_text(o, &len);
	json_decref(o);
	if (len <= CACHE_ANSWER_MAX)
		textcache_put(&answers, key, gen, text, len);
	http_reply_data(req, 200, HTTP_JSON_TYPE, text, len);
	free(text);
}

void regions_handle_get(struct http_req *req)
{
	const char *code = http_param(req, "code");
	enum division_level level;
	if (!code_or_reply(req, "code", code, &level))
		return;
	struct store *s = http_store(req);
	struct app_error err;
	int64_t gen;
	char key[TEXTCACHE_KEY_MAX];
	snprintf(key, sizeof(key), "get:%s", code);
	if (store_regions_generation(s, &gen, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	if (reply_cached(req, key, gen))
		return;
	struct region r;
	json_t *parents = NULL, *children = json_array();
	if (store_region_get(s, code, &r, &err) != APP_OK ||
	    parents_json(s, &r, &parents, &err) != APP_OK ||
	    store_region_children(s, code, append_region, children, &err) != APP_OK) {
		json_decref(children);
		json_decref(parents);
		http_reply_error(req, &err);
		return;
	}
	json_t *o = region_json(&r, true);
	json_object_set_new(o, "parents", parents);
	json_object_set_new(o, "children", children);
	reply_and_cache(req, key, gen, o);
}

struct tree_ctx {
	json_t *stack[DIV__MAX]; /* the open node at each level, or NULL */
	json_t *root;
	size_t nodes;
};

static bool append_tree_node(void *vctx, const struct region *r)
{
	struct tree_ctx *t = vctx;
	if (++t->nodes > TREE_NODES_MAX)
		return false;
	json_t *node = region_json(r, false);
	for (int l = (int)r->level; l < DIV__MAX; l++)
		t->stack[l] = NULL;
	t->stack[r->level] = node;
	if (!t->root) {
		t->root = node;
		return true;
	}
	json_t *parent = NULL;
	for (int l = (int)r->level - 1; l >= 0 && !parent; l--)
		parent = t->stack[l];
	if (!parent) { /* not under the root: cannot happen for a code range */
		json_decref(node);
		return true;
	}
	json_t *kids = json_object_get(parent, "children");
	if (!kids) {
		kids = json_array();
		json_object_set_new(parent, "children", kids);
	}
	json_array_append_new(kids, node);
	return true;
}

void regions_handle_tree(struct http_req *req)
{
	const char *code = http_param(req, "code");
	enum division_level level;
	long depth;
	if (!code_or_reply(req, "code", code, &level) ||
	    !http_query_int_or_reply(req, "depth", 1, DIV__MAX - 1, DIV__MAX - 1, &depth))
		return;
	struct store *s = http_store(req);
	struct app_error err;
	int64_t gen;
	char key[TEXTCACHE_KEY_MAX];
	snprintf(key, sizeof(key), "tree:%s:%ld", code, depth);
	if (store_regions_generation(s, &gen, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	if (reply_cached(req, key, gen))
		return;
	struct region r;
	if (store_region_get(s, code, &r, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	struct tree_ctx t = { 0 };
	if (store_region_subtree(s, code, (int)depth, append_tree_node, &t, &err) != APP_OK) {
		json_decref(t.root);
		http_reply_error(req, &err);
		return;
	}
	if (t.nodes > TREE_NODES_MAX) {
		json_decref(t.root);
		http_reply_fail(req, APP_ETOOBIG, "depth",
				"the tree under '%s' has more than %d regions; ask for fewer levels with depth",
				code, TREE_NODES_MAX);
		return;
	}
	json_object_set_new(t.root, "count", json_integer((json_int_t)t.nodes));
	reply_and_cache(req, key, gen, t.root);
}

struct search_ctx {
	struct store *s;
	json_t *results;
	enum app_err rc;
	struct app_error *err;
};

static bool append_search_hit(void *vctx, const struct region *r)
{
	struct search_ctx *c = vctx;
	json_t *o = region_json(r, true);
	json_t *parents;
	c->rc = parents_json(c->s, r, &parents, c->err);
	if (c->rc != APP_OK) {
		json_decref(o);
		return false;
	}
	json_object_set_new(o, "parents", parents);
	json_array_append_new(c->results, o);
	return true;
}

void regions_handle_search(struct http_req *req)
{
	const char *q = http_query(req, "q");
	const char *within = http_query(req, "within");
	const char *level_s = http_query(req, "level");
	long limit;
	if (!http_query_int_or_reply(req, "limit", 1, SEARCH_LIMIT_MAX, 20, &limit))
		return;
	if (!q || !*q) {
		http_reply_fail(req, APP_EINVAL, "q", "give the name to search for in 'q'");
		return;
	}
	size_t qlen = strlen(q);
	if (!utf8_valid(q, qlen) || utf8_length(q, qlen) > QUERY_CHARS_MAX) {
		http_reply_fail(req, APP_EINVAL, "q", "'q' must be UTF-8 text of at most %d characters",
				QUERY_CHARS_MAX);
		return;
	}
	enum division_level level;
	if (within && *within && !code_or_reply(req, "within", within, &level))
		return;
	int want_level = -1;
	if (level_s && *level_s) {
		if (!division_level_parse(level_s, &level)) {
			http_reply_fail(req, APP_EINVAL, "level",
					"'level' must be province, city, county, town or village");
			return;
		}
		want_level = (int)level;
	}
	struct app_error err;
	struct search_ctx c = { .s = http_store(req), .results = json_array(), .err = &err };
	struct region_query rq = { .text = q, .within = within, .level = want_level,
				   .limit = (int)limit };
	enum app_err rc = store_region_search(c.s, &rq, append_search_hit, &c, &err);
	if (rc == APP_OK)
		rc = c.rc;
	if (rc != APP_OK) {
		json_decref(c.results);
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, 200, json_pack("{s:s,s:o}", "query", q, "results", c.results));
}

void regions_handle_lookup(struct http_req *req)
{
	json_t *body = http_json(req);
	json_t *codes = json_is_object(body) ? json_object_get(body, "codes") : NULL;
	if (!json_is_array(codes)) {
		http_reply_fail(req, APP_EINVAL, "codes",
				"the body must be an object with 'codes', an array of region codes");
		return;
	}
	size_t n = json_array_size(codes);
	if (n == 0 || n > LOOKUP_CODES_MAX) {
		http_reply_fail(req, APP_EINVAL, "codes", "'codes' must hold 1 to %d codes",
				LOOKUP_CODES_MAX);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_array_get(codes, i);
		char field[32];
		snprintf(field, sizeof(field), "codes[%zu]", i);
		enum division_level level;
		if (!json_is_string(c)) {
			http_reply_fail(req, APP_EINVAL, field, "%s must be a string", field);
			return;
		}
		if (!code_or_reply(req, field, json_string_value(c), &level))
			return;
	}
	struct store *s = http_store(req);
	json_t *found = json_array(), *missing = json_array();
	for (size_t i = 0; i < n; i++) {
		const char *code = json_string_value(json_array_get(codes, i));
		struct region r;
		struct app_error err;
		enum app_err rc = store_region_get(s, code, &r, &err);
		if (rc == APP_ENOTFOUND) {
			json_array_append_new(missing, json_string(code));
			continue;
		}
		if (rc != APP_OK) {
			json_decref(found);
			json_decref(missing);
			http_reply_error(req, &err);
			return;
		}
		json_array_append_new(found, region_json(&r, true));
	}
	http_reply_json(req, 200, json_pack("{s:o,s:o}", "regions", found, "missing", missing));
}
