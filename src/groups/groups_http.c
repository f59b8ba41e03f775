/*
 * groups_http.c - the HTTP handlers of the service network: groups, their
 * members, joining by link or QR code, rosters and the duty rota. Access
 * to a group is decided by groups_open(); the handlers only read inputs and
 * shape answers.
 */
#include "groups/groups_http.h"
#include "core/clock.h"
#include "core/pii.h"
#include "groups/groups.h"
#include "groups/qr.h"
#include "core/mem.h"
#include "http/http.h"

#include <stdint.h>
#include <stdlib.h>

#include <stdio.h>
#include <string.h>

enum { GROUP_LIST_MAX = 500, MEMBER_LIST_MAX = 500 };

/* ---- shaping answers ---- */

static json_t *hhmm_json(int minute)
{
	char buf[16];
	snprintf(buf, sizeof(buf), "%02d:%02d", minute / 60, minute % 60);
	return json_string(buf);
}

static json_t *day_json(int day)
{
	char buf[16];
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", day / 10000, day / 100 % 100, day % 100);
	return json_string(buf);
}

static void join_url(struct http_req *req, const struct group *g, char *out, size_t cap)
{
	snprintf(out, cap, "%s/join/%s", http_public_url(req), g->join_code);
}

/* A group; the join link only for those who manage it. */
static json_t *group_json(struct http_req *req, const struct group *g, bool manage)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:{s:o, s:o}, s:i, s:o}", "id",
			      (json_int_t)g->id, "kind", g->kind, "kind_name",
			      groups_kind_zh(g->kind) ? groups_kind_zh(g->kind) : g->kind, "region",
			      g->region, "name", g->name, "approval", g->approval, "duty_hours",
			      "start", hhmm_json(g->duty_start), "end", hhmm_json(g->duty_end),
			      "members", g->members, "created_at", http_json_time(g->created_at));
	if (manage) {
		char url[512];
		join_url(req, g, url, sizeof(url));
		json_object_set_new(o, "join_url", json_string(url));
	}
	return o;
}

static json_t *member_json(const struct group_member *m)
{
	char phone[16];
	pii_phone_mask(m->phone, phone);
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "group",
			 (json_int_t)m->group_id, "user", (json_int_t)m->user_id, "name", m->name,
			 "phone", phone, "role", m->role, "role_name",
			 groups_role_zh(m->role) ? groups_role_zh(m->role) : m->role, "function",
			 m->function, "state", m->state, "joined_at", http_json_time(m->joined_at));
}

/* Open group {id} for the caller, or reply and return false. */
static bool open_group(struct http_req *req, enum groups_need need, struct group *g)
{
	int64_t id;
	struct app_error err;
	if (!http_param_id(req, "id", &id))
		return false;
	if (groups_open(http_store(req), http_caller(req), id, need, g, &err) != APP_OK) {
		http_reply_error(req, &err);
		return false;
	}
	return true;
}

static bool may_manage(struct http_req *req, const struct group *g)
{
	struct group same;
	struct app_error ignored;
	return groups_open(http_store(req), http_caller(req), g->id, GROUPS_MANAGE, &same,
			   &ignored) == APP_OK;
}

static void reply_ok_or_error(struct http_req *req, enum app_err rc, const struct app_error *err,
			      int status, json_t *body)
{
	if (rc != APP_OK) {
		json_decref(body);
		http_reply_error(req, err);
		return;
	}
	http_reply_json(req, status, body);
}

/* ---- groups ---- */

struct list_ctx {
	struct http_req *req;
	json_t *items;
	int64_t last;
};

static bool add_group(void *ctx, const struct group *g)
{
	struct list_ctx *lc = ctx;
	json_array_append_new(lc->items, group_json(lc->req, g, false));
	lc->last = g->id;
	return true;
}

void groups_handle_list(struct http_req *req)
{
	const struct auth_caller *c = http_caller(req);
	const char *within = http_query(req, "within");
	const char *kind = http_query(req, "kind");
	long after, limit;
	struct app_error err;
	if (!http_query_int_or_reply(req, "after", 0, INT64_MAX, 0, &after) ||
	    !http_query_int_or_reply(req, "limit", 1, GROUP_LIST_MAX, 100, &limit))
		return;
	if (kind && !groups_kind_zh(kind)) {
		http_reply_fail(req, APP_EINVAL, "kind", "kind must be county, town, village or adhoc");
		return;
	}
	enum division_level level;
	if (within && division_code_check(within, &level, &err) != APP_OK) {
		snprintf(err.field, sizeof(err.field), "within");
		http_reply_error(req, &err);
		return;
	}
	if (!within)
		within = auth_home_region(c, PERM_GROUPS_READ);
	if (!within || auth_scope(c, PERM_GROUPS_READ, within, &err) != APP_OK) {
		if (!within)
			app_fail(&err, APP_EPERM, "your role does not allow this");
		http_reply_error(req, &err);
		return;
	}
	struct list_ctx lc = { req, json_array(), 0 };
	if (store_group_list(http_store(req), within, kind, after, (int)limit, add_group, &lc,
			     &err) != APP_OK) {
		json_decref(lc.items);
		http_reply_error(req, &err);
		return;
	}
	json_t *body = json_pack("{s:s, s:o}", "within", within, "groups", lc.items);
	if (json_array_size(lc.items) == (size_t)limit)
		json_object_set_new(body, "next_after", json_integer(lc.last));
	http_reply_json(req, 200, body);
}

void groups_handle_create(struct http_req *req)
{
	const char *name, *region;
	bool approval;
	if (!http_body_str(req, "name", true, &name) ||
	    !http_body_str(req, "region", true, &region) ||
	    !http_body_bool(req, "approval", false, &approval))
		return;
	struct app_error err;
	int64_t id;
	struct group g;
	enum app_err rc = groups_create(http_store(req), http_caller(req), name, region, approval,
					&id, &err);
	if (rc == APP_OK)
		rc = store_group_get(http_store(req), id, &g, &err);
	reply_ok_or_error(req, rc, &err, 201, rc == APP_OK ? group_json(req, &g, true) : NULL);
}

void groups_handle_get(struct http_req *req)
{
	struct group g;
	if (open_group(req, GROUPS_SEE, &g))
		http_reply_json(req, 200, group_json(req, &g, may_manage(req, &g)));
}

/* "08:30" into minutes after midnight (24:00 allowed for an end). */
static bool hhmm_field(struct http_req *req, const char *name, int *minute)
{
	const char *v;
	if (!http_body_str(req, name, false, &v))
		return false;
	if (!v)
		return true;
	bool digits = strlen(v) == 5 && v[2] == ':';
	for (int i = 0; digits && i < 5; i++)
		digits = i == 2 || (v[i] >= '0' && v[i] <= '9');
	int h = digits ? (v[0] - '0') * 10 + (v[1] - '0') : -1;
	int m = digits ? (v[3] - '0') * 10 + (v[4] - '0') : -1;
	if (!digits || m > 59 || h * 60 + m > 1440) {
		http_reply_fail(req, APP_EINVAL, name, "'%s' must be a time of day such as 08:00",
				name);
		return false;
	}
	*minute = h * 60 + m;
	return true;
}

void groups_handle_update(struct http_req *req)
{
	struct group g;
	if (!open_group(req, GROUPS_MANAGE, &g))
		return;
	const char *name;
	if (!http_body_str(req, "name", false, &name) ||
	    !http_body_bool(req, "approval", g.approval, &g.approval) ||
	    !hhmm_field(req, "duty_start", &g.duty_start) ||
	    !hhmm_field(req, "duty_end", &g.duty_end))
		return;
	if (name)
		snprintf(g.name, sizeof(g.name), "%s", name);
	struct app_error err;
	enum app_err rc = groups_update(http_store(req), http_caller(req), &g, &err);
	if (rc == APP_OK)
		rc = store_group_get(http_store(req), g.id, &g, &err);
	reply_ok_or_error(req, rc, &err, 200, rc == APP_OK ? group_json(req, &g, true) : NULL);
}

void groups_handle_join_code(struct http_req *req)
{
	struct group g;
	if (!open_group(req, GROUPS_MANAGE, &g))
		return;
	struct app_error err;
	enum app_err rc = groups_new_join_code(http_store(req), http_caller(req), &g, &err);
	reply_ok_or_error(req, rc, &err, 200, rc == APP_OK ? group_json(req, &g, true) : NULL);
}

void groups_handle_qr(struct http_req *req)
{
	struct group g;
	if (!open_group(req, GROUPS_MANAGE, &g))
		return;
	const char *format = http_query(req, "format");
	long px;
	if (!http_query_int_or_reply(req, "px", 1, 16, 8, &px))
		return;
	bool png = format && strcmp(format, "png") == 0;
	if (format && !png && strcmp(format, "svg") != 0) {
		http_reply_fail(req, APP_EINVAL, "format", "format must be svg or png");
		return;
	}
	char url[512];
	join_url(req, &g, url, sizeof(url));
	struct strbuf out = STRBUF_INIT;
	struct app_error err;
	enum app_err rc = png ? qr_png(url, (int)px, &out, &err) : qr_svg(url, &out, &err);
	if (rc != APP_OK)
		http_reply_error(req, &err);
	else
		http_reply_data(req, 200, png ? "image/png" : "image/svg+xml", out.buf, out.len);
	strbuf_release(&out);
}

/* ---- members ---- */

static bool add_member(void *ctx, const struct group_member *m)
{
	struct list_ctx *lc = ctx;
	json_array_append_new(lc->items, member_json(m));
	lc->last = m->user_id;
	return true;
}

void groups_handle_members(struct http_req *req)
{
	struct group g;
	if (!open_group(req, GROUPS_SEE, &g))
		return;
	const char *state = http_query(req, "state");
	long after, limit;
	if (!http_query_int_or_reply(req, "after", 0, INT64_MAX, 0, &after) ||
	    !http_query_int_or_reply(req, "limit", 1, MEMBER_LIST_MAX, 100, &limit))
		return;
	if (state && strcmp(state, "active") && strcmp(state, "pending") && strcmp(state, "left")) {
		http_reply_fail(req, APP_EINVAL, "state", "state must be active, pending or left");
		return;
	}
	struct list_ctx lc = { req, json_array(), 0 };
	struct app_error err;
	enum app_err rc = store_group_members(http_store(req), g.id, state ? state : "active",
					      after, (int)limit, add_member, &lc, &err);
	if (rc != APP_OK) {
		json_decref(lc.items);
		http_reply_error(req, &err);
		return;
	}
	json_t *body = json_pack("{s:I, s:o}", "group", (json_int_t)g.id, "members", lc.items);
	if (json_array_size(lc.items) == (size_t)limit)
		json_object_set_new(body, "next_after", json_integer(lc.last));
	http_reply_json(req, 200, body);
}

static void reply_member(struct http_req *req, enum app_err rc, struct app_error *err,
			 int64_t group_id, int64_t user_id)
{
	struct group_member m;
	if (rc == APP_OK)
		rc = store_member_get(http_store(req), group_id, user_id, &m, err);
	reply_ok_or_error(req, rc, err, 200, rc == APP_OK ? member_json(&m) : NULL);
}

void groups_handle_member_put(struct http_req *req)
{
	struct group g;
	int64_t user;
	const char *role, *function;
	if (!open_group(req, GROUPS_MANAGE, &g) || !http_param_id(req, "user", &user) ||
	    !http_body_str(req, "role", true, &role) ||
	    !http_body_str(req, "function", false, &function))
		return;
	struct app_error err;
	enum app_err rc = groups_member_set(http_store(req), http_caller(req), &g, user, role,
					    function, &err);
	reply_member(req, rc, &err, g.id, user);
}

void groups_handle_member_delete(struct http_req *req)
{
	struct group g;
	int64_t user;
	const struct auth_caller *c = http_caller(req);
	if (!http_param_id(req, "user", &user))
		return;
	/* anyone may leave a group they belong to (or withdraw a request to
	 * join); removing others takes managing it */
	bool self = c->kind == AUTH_SESSION && c->user_id == user;
	struct app_error err;
	if (self) {
		int64_t id;
		struct group_member mine;
		if (!http_param_id(req, "id", &id))
			return;
		if (store_group_get(http_store(req), id, &g, &err) != APP_OK ||
		    store_member_get(http_store(req), id, user, &mine, &err) != APP_OK) {
			http_reply_fail(req, APP_ENOTFOUND, NULL, "no such group");
			return;
		}
	} else if (!open_group(req, GROUPS_MANAGE, &g)) {
		return;
	}
	enum app_err rc = groups_member_remove(http_store(req), c, &g, user, &err);
	reply_member(req, rc, &err, g.id, user);
}

void groups_handle_member_approve(struct http_req *req)
{
	struct group g;
	int64_t user;
	if (!open_group(req, GROUPS_MANAGE, &g) || !http_param_id(req, "user", &user))
		return;
	struct app_error err;
	enum app_err rc = groups_member_approve(http_store(req), http_caller(req), &g, user, &err);
	reply_member(req, rc, &err, g.id, user);
}

void groups_handle_roster(struct http_req *req)
{
	struct group g;
	if (!open_group(req, GROUPS_MANAGE, &g))
		return;
	size_t len;
	char *csv = http_body_text(req, &len);
	struct roster_counts n;
	struct strbuf problems = STRBUF_INIT;
	struct app_error err;
	enum app_err rc = groups_roster_import(http_store(req), http_caller(req), &g, csv, len, &n,
					       &problems, &err);
	if (rc != APP_OK) {
		json_t *list = json_array();
		for (char *line = problems.buf, *nl; *line; line = nl + 1) {
			nl = strchr(line, '\n');
			if (!nl)
				break;
			json_array_append_new(list, json_stringn(line, (size_t)(nl - line)));
		}
		http_reply_error_detail(req, &err, "problems", list);
	} else {
		http_reply_json(req, 200, json_pack("{s:I, s:I, s:I, s:I, s:I}", "group",
						    (json_int_t)g.id, "households",
						    (json_int_t)n.households, "users",
						    (json_int_t)n.users, "joined", (json_int_t)n.joined,
						    "already_members", (json_int_t)n.already));
	}
	strbuf_release(&problems);
}

/* ---- joining ---- */

void groups_handle_join_info(struct http_req *req)
{
	struct group g;
	struct app_error err;
	const char *code = http_param(req, "code");
	if (!code || strlen(code) >= GROUP_JOIN_CODE_MAX ||
	    store_group_by_join_code(http_store(req), code, &g, &err) != APP_OK) {
		http_reply_fail(req, APP_ENOTFOUND, NULL, "this join link is not valid (any more)");
		return;
	}
	/* what someone holding the link may know before joining: no members */
	http_reply_json(req, 200, json_pack("{s:s, s:s, s:s, s:b}", "name", g.name, "kind",
					    g.kind, "region", g.region, "approval", g.approval));
}

void groups_handle_join(struct http_req *req)
{
	struct group g;
	struct group_member m;
	struct app_error err;
	enum app_err rc = groups_join(http_store(req), http_caller(req), http_param(req, "code"),
				      &g, &m, &err);
	if (rc == APP_OK)
		rc = store_member_get(http_store(req), g.id, m.user_id, &m, &err);
	reply_ok_or_error(req, rc, &err, 200,
			  rc == APP_OK ? json_pack("{s:o, s:o}", "group", group_json(req, &g, false),
						   "membership", member_json(&m))
				       : NULL);
}

static bool add_my_group(void *ctx, const struct group_member *m)
{
	struct list_ctx *lc = ctx;
	struct group g;
	struct app_error err;
	if (store_group_get(http_store(lc->req), m->group_id, &g, &err) != APP_OK)
		return true;
	json_array_append_new(lc->items, json_pack("{s:o, s:o}", "group",
						   group_json(lc->req, &g, false), "membership",
						   member_json(m)));
	return true;
}

void groups_handle_my_groups(struct http_req *req)
{
	const struct auth_caller *c = http_caller(req);
	if (c->kind != AUTH_SESSION) {
		http_reply_fail(req, APP_EINVAL, NULL, "an API key is no person and has no groups");
		return;
	}
	struct list_ctx lc = { req, json_array(), 0 };
	struct app_error err;
	enum app_err rc = store_member_groups(http_store(req), c->user_id, add_my_group, &lc, &err);
	reply_ok_or_error(req, rc, &err, 200,
			  rc == APP_OK ? json_pack("{s:o}", "groups", lc.items) : lc.items);
}

/* ---- duty ---- */

static json_t *slot_json(struct http_req *req, const struct duty_slot *sl)
{
	json_t *user = json_null();
	struct user u;
	struct app_error err;
	if (sl->user_id && store_user_get(http_store(req), sl->user_id, &u, &err) == APP_OK)
		user = json_pack("{s:I, s:s}", "id", (json_int_t)u.id, "name", u.name);
	return json_pack("{s:o, s:o, s:o, s:o, s:s}", "day", day_json(sl->day), "from",
			 http_json_time(sl->from), "until", http_json_time(sl->until), "user", user,
			 "source", sl->source);
}

void groups_handle_duty(struct http_req *req)
{
	struct group g;
	if (!open_group(req, GROUPS_SEE, &g))
		return;
	int64_t at = clock_now();
	const char *v = http_query(req, "at");
	if (v && !clock_parse_time(v, &at)) {
		http_reply_fail(req, APP_EINVAL, "at",
				"at must be a time such as 2026-11-29T21:30:00+08:00");
		return;
	}
	bool in_hours;
	struct duty_slot now, next;
	struct app_error err;
	if (groups_duty_at(http_store(req), &g, at, &in_hours, &now, &next, &err) != APP_OK) {
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, 200, json_pack("{s:I, s:o, s:b, s:o, s:o}", "group", (json_int_t)g.id,
					    "at", http_json_time(at), "in_duty_hours", in_hours, "now",
					    slot_json(req, &now), "next", slot_json(req, &next)));
}

void groups_handle_rota_get(struct http_req *req)
{
	struct group g;
	if (!open_group(req, GROUPS_SEE, &g))
		return;
	int today = clock_china_day(clock_now(), NULL);
	struct duty_data *d = xmalloc(sizeof(*d));
	struct app_error err;
	if (store_duty_get(http_store(req), g.id, today, clock_day_add(today, 27), d, &err) !=
	    APP_OK) {
		free(d);
		http_reply_error(req, &err);
		return;
	}
	json_t *week = json_array(), *days = json_array(), *leaves = json_array();
	for (int i = 0; i < 7; i++)
		json_array_append_new(week, d->weekday_user[i] ? json_integer(d->weekday_user[i])
							       : json_null());
	for (int i = 0; i < d->noverrides; i++)
		json_array_append_new(days, json_pack("{s:o, s:I, s:s}", "day",
						      day_json(d->overrides[i].day), "user",
						      (json_int_t)d->overrides[i].user_id, "reason",
						      d->overrides[i].reason));
	for (int i = 0; i < d->nleaves; i++)
		json_array_append_new(leaves, json_pack("{s:I, s:I, s:o, s:o, s:s}", "id",
							(json_int_t)d->leaves[i].id, "user",
							(json_int_t)d->leaves[i].user_id, "from",
							day_json(d->leaves[i].first_day), "to",
							day_json(d->leaves[i].last_day), "reason",
							d->leaves[i].reason));
	free(d);
	http_reply_json(req, 200, json_pack("{s:I, s:o, s:o, s:o}", "group", (json_int_t)g.id,
					    "weekdays", week, "overrides", days, "leave", leaves));
}

void groups_handle_rota_set(struct http_req *req)
{
	struct group g;
	if (!open_group(req, GROUPS_MANAGE, &g))
		return;
	json_t *w = json_object_get(http_json(req), "weekdays");
	int64_t users[7] = { 0 };
	bool ok = json_is_array(w) && json_array_size(w) == 7;
	for (size_t i = 0; ok && i < 7; i++) {
		json_t *v = json_array_get(w, i);
		ok = json_is_null(v) || (json_is_integer(v) && json_integer_value(v) > 0);
		users[i] = ok && !json_is_null(v) ? json_integer_value(v) : 0;
	}
	if (!ok) {
		http_reply_fail(req, APP_EINVAL, "weekdays",
				"weekdays must list 7 user ids (or null), Monday first");
		return;
	}
	struct app_error err;
	enum app_err rc = groups_rota_set(http_store(req), http_caller(req), &g, users, &err);
	if (rc != APP_OK)
		http_reply_error(req, &err);
	else
		groups_handle_rota_get(req);
}

static bool day_param(struct http_req *req, int *day)
{
	if (!clock_day_parse(http_param(req, "day"), day)) {
		http_reply_fail(req, APP_EINVAL, "day", "the day must be a date such as 2026-12-01");
		return false;
	}
	return true;
}

void groups_handle_override_put(struct http_req *req)
{
	struct group g;
	int day;
	int64_t user;
	const char *reason;
	if (!open_group(req, GROUPS_MANAGE, &g) || !day_param(req, &day) ||
	    !http_body_id(req, "user", &user) || !http_body_str(req, "reason", false, &reason))
		return;
	if (!user) {
		http_reply_fail(req, APP_EINVAL, "user", "'user' is required");
		return;
	}
	struct app_error err;
	enum app_err rc = groups_override_set(http_store(req), http_caller(req), &g, day, user,
					      reason, &err);
	reply_ok_or_error(req, rc, &err, 200,
			  json_pack("{s:o, s:I}", "day", day_json(day), "user", (json_int_t)user));
}

void groups_handle_override_delete(struct http_req *req)
{
	struct group g;
	int day;
	if (!open_group(req, GROUPS_MANAGE, &g) || !day_param(req, &day))
		return;
	struct app_error err;
	enum app_err rc = groups_override_set(http_store(req), http_caller(req), &g, day, 0, NULL,
					      &err);
	reply_ok_or_error(req, rc, &err, 200,
			  json_pack("{s:o, s:s}", "day", day_json(day), "status", "back to the rota"));
}

void groups_handle_leave_add(struct http_req *req)
{
	struct group g;
	int64_t user, id = 0;
	const char *from, *to, *reason;
	if (!open_group(req, GROUPS_MANAGE, &g) || !http_body_id(req, "user", &user) ||
	    !http_body_str(req, "from", true, &from) || !http_body_str(req, "to", true, &to) ||
	    !http_body_str(req, "reason", false, &reason))
		return;
	int first, last;
	if (!user) {
		http_reply_fail(req, APP_EINVAL, "user", "'user' is required");
		return;
	}
	if (!clock_day_parse(from, &first) || !clock_day_parse(to, &last)) {
		http_reply_fail(req, APP_EINVAL, clock_day_parse(from, &first) ? "to" : "from",
				"from and to must be dates such as 2026-12-01");
		return;
	}
	struct app_error err;
	enum app_err rc = groups_leave_add(http_store(req), http_caller(req), &g, user, first, last,
					   reason, &id, &err);
	reply_ok_or_error(req, rc, &err, 201,
			  json_pack("{s:I, s:I, s:o, s:o}", "id", (json_int_t)id, "user",
				    (json_int_t)user, "from", day_json(first), "to", day_json(last)));
}

void groups_handle_leave_delete(struct http_req *req)
{
	struct group g;
	int64_t leave;
	if (!open_group(req, GROUPS_MANAGE, &g) || !http_param_id(req, "leave", &leave))
		return;
	struct app_error err;
	enum app_err rc = groups_leave_remove(http_store(req), http_caller(req), &g, leave, &err);
	reply_ok_or_error(req, rc, &err, 200,
			  json_pack("{s:I, s:s}", "id", (json_int_t)leave, "status", "withdrawn"));
}
