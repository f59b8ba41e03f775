/*
 * open311.c - Open311 GeoReport v2 apart from HTTP; see open311.h, and the
 * Open311 section of docs/api.md, which says the same for a client's
 * author.
 *
 * Documents are built once, as the JSON the spec shows; open311_write()
 * turns them into the spec's XML when asked, naming a list's items as the
 * spec does. Who may do what stays the demands' (demands.c) and the
 * region scope auth_scope()'s: this file only finds the caller (an API
 * key) and the county, and says refusals the way Open311 clients expect.
 */
#include "cases/open311.h"
#include "auth/accounts.h"
#include "auth/secret.h"
#include "cases/categories.h"
#include "cases/demand.h"
#include "cases/demands.h"
#include "core/clock.h"
#include "core/division.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "core/xml.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* when what this API offers last changed (discovery's changeset) */
#define CHANGESET "2026-11-29T00:00:00+08:00"

enum open311_format open311_format_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (!dot || strchr(dot, '/'))
		return OPEN311_NONE;
	return strcmp(dot, ".json") == 0 ? OPEN311_JSON
	       : strcmp(dot, ".xml") == 0 ? OPEN311_XML
					  : OPEN311_NONE;
}

/* ---- writing ---- */

/* The element of each item of a list, as the spec names them. */
static const char *item_of(const char *list)
{
	static const char *const items[][2] = {
		{ "services", "service" },         { "attributes", "attribute" },
		{ "values", "value" },             { "service_requests", "request" },
		{ "errors", "error" },             { "service_request_updates", "request_update" },
		{ "endpoints", "endpoint" },       { "formats", "format" },
	};
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
		if (strcmp(items[i][0], list) == 0)
			return items[i][1];
	return "item";
}

static void xml_value(struct xml_writer *w, const char *name, json_t *v)
{
	const char *key;
	json_t *x;
	size_t i;
	char num[40];
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		xml_open(w, name);
		json_object_foreach(v, key, x)
			xml_value(w, key, x);
		xml_close(w);
		break;
	case JSON_ARRAY:
		xml_open(w, name);
		json_array_foreach(v, i, x)
			xml_value(w, item_of(name), x);
		xml_close(w);
		break;
	case JSON_STRING:
		xml_text(w, name, json_string_value(v));
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		xml_text(w, name, num);
		break;
	case JSON_REAL: /* as the JSON writes it (JSON_REAL_PRECISION(9)) */
		snprintf(num, sizeof(num), "%.9g", json_real_value(v));
		xml_text(w, name, num);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		xml_text(w, name, json_is_true(v) ? "true" : "false");
		break;
	case JSON_NULL:
		xml_text(w, name, NULL);
		break;
	}
}

void open311_write(json_t *body, enum open311_format f, const char *root, struct strbuf *out)
{
	if (f == OPEN311_JSON) {
		char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(9));
		strbuf_addstr(out, text ? text : "[]"); /* NULL only when out of memory */
		free(text);
	} else {
		struct xml_writer w;
		xml_begin(&w, out);
		xml_value(&w, root, body);
		xml_end(&w);
	}
	json_decref(body);
}

json_t *open311_errors(int status, const char *description)
{
	return json_pack("[{s:i, s:s}]", "code", status, "description",
			 utf8_valid(description, strlen(description)) ? description
								      : "invalid input");
}

/* s as it may be quoted in a message: cut to fit, "(not UTF-8)" when it
 * is not text. */
static const char *shown(const char *s, char *buf, size_t cap)
{
	if (!utf8_valid(s, strlen(s)))
		return "(not UTF-8)";
	return utf8_copy_cut(buf, cap, s);
}

static json_t *text_or_null(const char *s) { return s && *s ? json_string(s) : json_null(); }

static json_t *time_json(int64_t t)
{
	char buf[32];
	clock_format_china(t, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *id_json(int64_t id)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%" PRId64, id);
	return json_string(buf);
}

/* ---- who is asking, and about which county ---- */

enum app_err open311_key(struct store *s, const char *api_key, unsigned perm, const char *doing,
			 struct auth_caller *key, struct app_error *err)
{
	if (!api_key || !*api_key)
		return app_fail_field(err, APP_EPERM, "api_key",
				      "api_key is required: an API key made with 'bianmin apikey add'");
	if (strncmp(api_key, SECRET_API_KEY_PREFIX, strlen(SECRET_API_KEY_PREFIX)) != 0)
		return app_fail_field(err, APP_EPERM, "api_key",
				      "api_key is not an API key (they start with '%s')",
				      SECRET_API_KEY_PREFIX);
	struct app_error why;
	enum app_err rc = accounts_resolve(s, api_key, NULL, key, &why);
	if (rc == APP_EAUTH)
		return app_fail_field(err, APP_EPERM, "api_key", "api_key is refused: %s", why.msg);
	if (rc != APP_OK) {
		*err = why;
		return rc;
	}
	if (!auth_has(key, perm))
		return app_fail_field(err, APP_EPERM, "api_key",
				      "the role of this API key (%s) may not %s",
				      key->ngrants ? auth_role_names[key->grants[0].role] : "none",
				      doing);
	return APP_OK;
}

static enum app_err no_jurisdiction(const char *given, struct app_error *err)
{
	char buf[16];
	return app_fail_field(err, APP_ENOTFOUND, "jurisdiction_id",
			      "jurisdiction_id '%s' was not found: it is the code of a county this "
			      "service runs", shown(given, buf, sizeof(buf)));
}

enum app_err open311_public_jurisdiction(struct store *s, const char *given,
					 struct app_error *err)
{
	if (!given)
		return APP_OK;
	enum app_err rc = case_settings_county(s, given, err);
	return rc == APP_EINVAL || rc == APP_ENOTFOUND ? no_jurisdiction(given, err) : rc;
}

enum app_err open311_jurisdiction(struct store *s, const struct auth_caller *key, unsigned perm,
				  const char *given, char county[7],
				  char reach[DIVISION_CODE_MAX + 1], struct app_error *err)
{
	const char *home = auth_home_region(key, perm);
	if (given) {
		enum app_err rc = open311_public_jurisdiction(s, given, err);
		if (rc != APP_OK)
			return rc;
		snprintf(county, 7, "%s", given);
	} else {
		division_county(home ? home : "", county);
		if (!*county)
			return app_fail_field(err, APP_EINVAL, "jurisdiction_id",
					      "jurisdiction_id is required: this API key covers more "
					      "than one county");
	}
	struct app_error ignored;
	if (auth_scope(key, perm, county, &ignored) == APP_OK)
		snprintf(reach, DIVISION_CODE_MAX + 1, "%s", county);
	else if (home && division_code_within(home, county) &&
		 auth_scope(key, perm, home, &ignored) == APP_OK)
		snprintf(reach, DIVISION_CODE_MAX + 1, "%s", home);
	else
		return no_jurisdiction(county, err);
	return APP_OK;
}

/* ---- services ---- */

json_t *open311_discovery(const char *base_url)
{
	json_t *formats = json_pack("[s, s]", "text/xml", "application/json");
	json_t *endpoint = json_pack("{s:s, s:s+, s:s, s:s, s:o}", "specification",
				     "http://wiki.open311.org/GeoReport_v2", "url", base_url,
				     "/open311/v2", "changeset", CHANGESET, "type", "production",
				     "formats", formats);
	return json_pack("{s:s, s:s, s:s, s:[o]}", "changeset", CHANGESET, "contact",
			 "本县便民服务中心（服务电话见县政府公布）", "key_service",
			 "api_key: an API key made by the county's system administrator with "
			 "'bianmin apikey add NAME --role ROLE --region CODE'",
			 "endpoints", endpoint);
}

static const char *const urgency_labels[DEMAND_URGENCY__MAX] = {
	[DEMAND_EMERGENCY] = "紧急",
	[DEMAND_UTILITIES] = "水电气暖",
	[DEMAND_GENERAL] = "一般",
	[DEMAND_COMPLEX] = "复杂",
};

enum app_err open311_tree_get(struct store *s, const char *county, struct open311_tree *t,
			      struct app_error *err)
{
	t->cs = NULL;
	return county ? case_settings_get(s, county, &t->cs, err) : APP_OK;
}

void open311_tree_put(struct open311_tree *t)
{
	case_settings_put(t->cs);
	t->cs = NULL;
}

/* The category of code in t (active or not), NULL when none. */
static const struct category *tree_find(const struct open311_tree *t, const char *code)
{
	return t->cs ? case_settings_category(t->cs, code) : category_of(code);
}

enum app_err open311_category_check(const struct open311_tree *t, const char *code,
				    struct app_error *err)
{
	char buf[40];
	if (!code || !*code || tree_find(t, code))
		return APP_OK;
	return app_fail_field(err, APP_EINVAL, "service_code",
			      "service_code '%s' is not a service: GET services lists them",
			      shown(code, buf, sizeof(buf)));
}

json_t *open311_services(const struct open311_tree *t)
{
	size_t n = t->cs ? t->cs->ncategories : 0;
	const struct category *all = t->cs ? t->cs->categories : categories_all(&n);
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct category *cat = &all[i], *parent;
		if (!cat->active) /* kept for the demands that have it, not offered */
			continue;
		parent = *cat->parent ? tree_find(t, cat->parent) : NULL;
		char about[64];
		snprintf(about, sizeof(about), "默认紧急程度：%s", urgency_labels[cat->urgency]);
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:b, s:s, s:s}", "service_code",
						      cat->code, "service_name", cat->name,
						      "description", about, "metadata", 1, "type",
						      "realtime", "group",
						      parent ? parent->name : cat->name));
	}
	return list;
}

enum app_err open311_service(const struct open311_tree *t, const char *code, json_t **out,
			     struct app_error *err)
{
	const struct category *cat = tree_find(t, code);
	char buf[40];
	if (!cat || !cat->active)
		return app_fail_field(err, APP_ENOTFOUND, "service_code",
				      "service_code '%s' was not found: GET services lists them",
				      shown(code, buf, sizeof(buf)));
	json_t *values = json_array();
	for (int u = 0; u < DEMAND_URGENCY__MAX; u++)
		json_array_append_new(values,
				      json_pack("{s:s, s:s}", "key",
						demand_urgency_name((enum demand_urgency)u), "name",
						urgency_labels[u]));
	char urgency[96];
	snprintf(urgency, sizeof(urgency), "紧急程度（不填则按类别默认：%s）",
		 urgency_labels[cat->urgency]);
	json_t *attributes = json_pack(
		"[{s:b, s:s, s:s, s:b, s:s, s:i, s:s}, {s:b, s:s, s:s, s:b, s:n, s:i, s:s, s:o}]",
		"variable", 1, "code", "village", "datatype", "string", "required", 1,
		"datatype_description",
		"the 12-digit division code of a village (村、社区) of the jurisdiction", "order", 1,
		"description", "诉求所在的村（社区）", "variable", 1, "code", "urgency", "datatype",
		"singlevaluelist", "required", 0, "datatype_description", "order", 2, "description",
		urgency, "values", values);
	*out = json_pack("{s:s, s:o}", "service_code", cat->code, "attributes", attributes);
	return APP_OK;
}

/* ---- requests and updates ---- */

/* The rungs of the ladder in words (demand_type.levels in order). */
static const char *const level_labels[CASE_LEVELS] = {
	"村值班", "村两委", "乡镇", "县直部门", "县政府",
};

static const char *level_label(int level)
{
	return level_labels[level >= 0 && level < CASE_LEVELS ? level : 0];
}

static bool is_closed(const char *state)
{
	return strcmp(state, "closed") == 0 || strcmp(state, "merged") == 0;
}

json_t *open311_request(const struct open311_tree *t, const struct case_row *d)
{
	const struct category *cat = tree_find(t, d->category);
	int state = case_state_index(&demand_type, d->state);
	char notes[96];
	if (d->merged_into)
		snprintf(notes, sizeof(notes), "已合并到诉求 %" PRId64, d->merged_into);
	else
		snprintf(notes, sizeof(notes), "%s",
			 state >= 0 ? demand_type.states[state].label : d->state);
	int64_t expected = 0;
	for (int i = 0; i < d->nclocks; i++)
		if (strcmp(d->clocks[i].name, "resolve") == 0 &&
		    strcmp(d->clocks[i].status, "running") == 0)
			expected = d->clocks[i].due;
	json_t *o = json_object();
	json_object_set_new(o, "service_request_id", id_json(d->id));
	json_object_set_new(o, "status", json_string(is_closed(d->state) ? "closed" : "open"));
	json_object_set_new(o, "status_notes", json_string(notes));
	json_object_set_new(o, "service_name", json_string(cat ? cat->name : d->category));
	json_object_set_new(o, "service_code", json_string(d->category));
	json_object_set_new(o, "description", json_string(d->description));
	json_object_set_new(o, "agency_responsible",
			    json_string(*d->unit ? d->unit : level_label(d->level)));
	json_object_set_new(o, "service_notice", json_null());
	json_object_set_new(o, "requested_datetime", time_json(d->created_at));
	json_object_set_new(o, "updated_datetime", time_json(d->updated_at));
	json_object_set_new(o, "expected_datetime", expected ? time_json(expected) : json_null());
	json_object_set_new(o, "address", text_or_null(d->address));
	json_object_set_new(o, "address_id", json_null());
	json_object_set_new(o, "zipcode", json_null());
	json_object_set_new(o, "lat", d->located ? json_real(d->lat) : json_null());
	json_object_set_new(o, "long", d->located ? json_real(d->lon) : json_null());
	json_object_set_new(o, "media_url", json_null());
	return o;
}

json_t *open311_created(const struct case_row *d)
{
	return json_pack("[{s:o, s:s, s:n}]", "service_request_id", id_json(d->id),
			 "service_notice", "已接收，由所在村（社区）值班人员受理", "account_id");
}

json_t *open311_token(const struct case_row *d)
{
	return json_pack("[{s:o, s:o}]", "service_request_id", id_json(d->id), "token",
			 id_json(d->id));
}

/* What a line of a timeline says, in words, into out. */
static void update_text(const struct case_event_row *e, struct strbuf *out)
{
	static const char *const other[][2] = {
		{ "open", "已接收" }, { "clock.warning", "时限预警" },
		{ "clock.missed", "超时" }, { "escalated", "升级至" },
	};
	static const char *const clocks[][2] = {
		{ "ack", "受理" }, { "resolve", "办结" }, { "arrive", "报到" }, { "followup", "回访" },
	};
	const struct case_transition *t = case_transition_of(&demand_type, e->action);
	const char *label = t ? t->label : e->action;
	for (size_t i = 0; !t && i < sizeof(other) / sizeof(other[0]); i++)
		if (strcmp(other[i][0], e->action) == 0)
			label = other[i][1];
	strbuf_addstr(out, label);
	if (strcmp(e->action, "escalated") == 0) {
		strbuf_addstr(out, level_label(e->level));
		return; /* its detail is the rung's name, just said */
	}
	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++)
		if (strcmp(clocks[i][0], e->clock) == 0)
			strbuf_addf(out, "（%s）", clocks[i][1]);
	/* never e->detail: cadres' free text (reasons, notes) may name people */
}

json_t *open311_update(const struct case_event_row *e)
{
	struct strbuf text = STRBUF_INIT;
	update_text(e, &text);
	json_t *o = json_object();
	json_object_set_new(o, "update_id", id_json(e->id));
	json_object_set_new(o, "service_request_id", id_json(e->case_id));
	json_object_set_new(o, "status", json_string(is_closed(e->to_state) ? "closed" : "open"));
	json_object_set_new(o, "updated_datetime", time_json(e->at));
	json_object_set_new(o, "description", json_string(text.buf));
	json_object_set_new(o, "media_url", json_null());
	strbuf_release(&text);
	return o;
}

/* ---- searching ---- */

enum app_err open311_window(const char *start_date, const char *end_date, int64_t now,
			    int64_t *from, int64_t *until, struct app_error *err)
{
	const char *names[2] = { "start_date", "end_date" }, *given[2] = { start_date, end_date };
	int64_t t[2] = { 0, now };
	bool has[2];
	char buf[40];
	for (int i = 0; i < 2; i++) {
		has[i] = given[i] && *given[i];
		if (has[i] && !clock_parse_time(given[i], &t[i]))
			return app_fail_field(err, APP_EINVAL, names[i],
					      "%s '%s' is not an ISO 8601 time with its offset, such "
					      "as 2026-11-29T09:00:00+08:00",
					      names[i], shown(given[i], buf, sizeof(buf)));
	}
	if (!has[0])
		t[0] = t[1] - OPEN311_WINDOW;
	else if (!has[1])
		t[1] = t[0] + OPEN311_WINDOW;
	if (t[1] < t[0])
		return app_fail_field(err, APP_EINVAL, "end_date", "end_date is before start_date");
	if (t[1] - t[0] > OPEN311_WINDOW)
		return app_fail_field(err, APP_EINVAL, "end_date",
				      "start_date to end_date spans more than 90 days: ask for less");
	*from = t[0];
	*until = t[1] + 1;
	return APP_OK;
}

enum app_err open311_state(const char *status, const char **state, struct app_error *err)
{
	if (!status || !*status || strcmp(status, "open,closed") == 0 ||
	    strcmp(status, "closed,open") == 0)
		*state = "";
	else if (strcmp(status, "open") == 0)
		*state = "open";
	else if (strcmp(status, "closed") == 0)
		*state = "ended"; /* closed, or merged into another */
	else
		return app_fail_field(err, APP_EINVAL, "status", "status must be open or closed");
	return APP_OK;
}

/* A positive id written in s[0..n) (digits only), 0 when it is none. */
static int64_t id_of(const char *s, size_t n)
{
	int64_t id = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || id > (INT64_MAX - 9) / 10)
			return 0;
		id = id * 10 + (s[i] - '0');
	}
	return id;
}

enum app_err open311_ids(const char *list, int64_t *ids, int *n, struct app_error *err)
{
	char raw[32], buf[32];
	*n = 0;
	for (const char *p = list;; p++) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int64_t id = id_of(p, len);
		if (!id) {
			snprintf(raw, sizeof(raw), "%.*s", (int)(len < 24 ? len : 24), p);
			return app_fail_field(err, APP_EINVAL, "service_request_id",
					      "service_request_id '%s' is not a request id",
					      shown(raw, buf, sizeof(buf)));
		}
		if (*n == OPEN311_RESULTS_MAX)
			return app_fail_field(err, APP_EINVAL, "service_request_id",
					      "service_request_id lists more than %d ids",
					      OPEN311_RESULTS_MAX);
		ids[(*n)++] = id;
		if (!comma)
			return APP_OK;
		p = comma;
	}
}

enum app_err open311_read(struct store *s, const struct auth_caller *key, const char *county,
			  int64_t id, struct case_row *out, struct app_error *err)
{
	enum app_err rc = demands_get(s, key, id, out, err);
	if (rc == APP_OK && !division_code_within(out->region, county))
		rc = app_fail(err, APP_ENOTFOUND, "no such demand");
	return rc;
}

enum app_err open311_read_text(struct store *s, const struct auth_caller *key,
			       const char *county, const char *name, const char *text,
			       struct case_row *out, struct app_error *err)
{
	char buf[40];
	int64_t id = id_of(text, strlen(text));
	enum app_err rc = id ? open311_read(s, key, county, id, out, err) : APP_ENOTFOUND;
	if (rc == APP_ENOTFOUND)
		return app_fail_field(err, APP_ENOTFOUND, name, "%s '%s' was not found", name,
				      shown(text, buf, sizeof(buf)));
	return rc;
}

/* ---- raising ---- */

/* A coordinate of the form: a finite number. */
static bool coordinate(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v))
		return false;
	*out = v;
	return true;
}

/* A refusal of demands_raise() in Open311's words into err: the field by
 * its Open311 name, and 400 for a text that is too long, as for any field. */
static enum app_err raise_refused(struct app_error *err)
{
	static const char *const names[][2] = {
		{ "region", "attribute[village]" }, { "category", "service_code" },
		{ "urgency", "attribute[urgency]" }, { "address", "address_string" },
		{ "contact_name", "first_name and last_name" }, { "contact_phone", "phone" },
		{ "lat", "lat and long" },
	};
	struct app_error was = *err;
	if (err->code == APP_ETOOBIG)
		err->code = APP_EINVAL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(was.field, names[i][0]) == 0)
			app_fail_field(err, err->code, names[i][1], "%s: %s", names[i][1], was.msg);
	return err->code;
}

enum app_err open311_raise(struct store *s, const struct calendar *cal,
			   const struct auth_caller *key, const char *county,
			   const struct open311_new *in, int64_t now, struct case_row *out,
			   struct app_error *err)
{
	enum division_level level;
	char buf[40];
	if (!in->service_code || !*in->service_code)
		return app_fail_field(err, APP_EINVAL, "service_code", "service_code is required");
	if (!in->village || !*in->village)
		return app_fail_field(err, APP_EINVAL, "attribute[village]",
				      "attribute[village] is required: the 12-digit code of the "
				      "village (村、社区) the request is about");
	if (division_code_check(in->village, &level, NULL) != APP_OK || level != DIV_VILLAGE ||
	    !division_code_within(in->village, county))
		return app_fail_field(err, APP_EINVAL, "attribute[village]",
				      "attribute[village] '%s' is not the code of a village of "
				      "jurisdiction %s", shown(in->village, buf, sizeof(buf)), county);
	struct demand_new d = {
		.region = in->village,
		.category = in->service_code,
		.urgency = in->urgency && *in->urgency ? in->urgency : NULL,
		.description = in->description,
		.address = in->address,
		.contact_phone = in->phone,
		.source = "open311",
	};
	bool lat = in->lat && *in->lat, lon = in->lon && *in->lon;
	if (lat || lon) {
		if (!lat || !lon || !coordinate(in->lat, &d.lat) || !coordinate(in->lon, &d.lon))
			return app_fail_field(err, APP_EINVAL, "lat",
					      "lat and long must both be given, as decimal degrees "
					      "(WGS 84)");
		d.located = true;
	}
	/* the contact's name: family name first, as names are written in China */
	struct strbuf name = STRBUF_INIT;
	strbuf_addstr(&name, in->last_name ? in->last_name : "");
	strbuf_addstr(&name, in->first_name ? in->first_name : "");
	d.contact_name = name.len ? name.buf : NULL;
	enum app_err rc = demands_raise(s, cal, key, &d, now, out, err);
	strbuf_release(&name);
	return rc == APP_OK ? APP_OK : raise_refused(err);
}
