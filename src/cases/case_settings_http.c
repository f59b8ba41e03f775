/*
 * case_settings_http.c - reading a county's settings and category tree over
 * HTTP; see case_settings_http.h. Which county: the one named (?county=, or
 * the county of ?region=), else the caller's own (the county of their first
 * grant below province and city level). Whether the caller may look: a
 * grant that covers the county or lies within it (a village cadre sees the
 * settings their village's demands run on), decided by auth_scope(); for
 * the settings the grant must give cases.read, for the categories any grant
 * will do (residents choose a category when they raise a demand).
 */
#include "cases/case_settings_http.h"
#include "auth/auth.h"
#include "cases/case_settings.h"
#include "core/division.h"
#include "http/http.h"

#include <stdio.h>
#include <string.h>

/*
 * The county a request is about: the county of `given` (a code of a
 * county or below, from query parameter `param`), else the county of the
 * caller's first grant giving perm (0: any) that lies in one. Replies 400
 * and returns false when there is none.
 */
static bool county_or_reply(struct http_req *req, const char *param, const char *given,
			    unsigned perm, char county[7])
{
	const struct auth_caller *c = http_caller(req);
	enum division_level level;
	if (given && *given) {
		if (division_code_check(given, &level, NULL) != APP_OK || level < DIV_COUNTY) {
			http_reply_fail(req, APP_EINVAL, param,
					"%s must be the code of a county or of a place in one, not "
					"'%.16s'",
					param, given);
			return false;
		}
		division_county(given, county);
		return true;
	}
	for (int i = 0; i < c->ngrants; i++) {
		division_county(c->grants[i].region, county);
		if (*county && (auth_role_perms[c->grants[i].role] & perm) == perm)
			return true;
	}
	http_reply_fail(req, APP_EINVAL, param, "say which county (%s)", param);
	return false;
}

/*
 * Whether c may look at county with perm (0: any grant): a grant giving it
 * covers the county, or lies within it. APP_EPERM when c holds perm
 * nowhere, APP_ENOTFOUND when not here.
 */
static enum app_err county_in_reach(const struct auth_caller *c, unsigned perm, const char *county,
				    struct app_error *err)
{
	enum app_err rc = auth_scope(c, perm, county, err);
	if (rc != APP_ENOTFOUND)
		return rc;
	for (int i = 0; i < c->ngrants; i++)
		if (division_code_within(c->grants[i].region, county) &&
		    auth_scope(c, perm, c->grants[i].region, err) == APP_OK)
			return APP_OK;
	return app_fail(err, APP_ENOTFOUND, "no county %s in your scope", county);
}

/* The settings of the county the request names, once the caller may look
 * and the county exists; or reply. */
static const struct case_settings *settings_or_reply(struct http_req *req, const char *param,
						     unsigned perm)
{
	char county[7];
	if (!county_or_reply(req, param, http_query(req, param), perm, county))
		return NULL;
	struct app_error err;
	const struct case_settings *cs = NULL;
	enum app_err rc = county_in_reach(http_caller(req), perm, county, &err);
	if (rc == APP_OK)
		rc = case_settings_county(http_store(req), county, &err);
	if (rc == APP_OK)
		rc = case_settings_get(http_store(req), county, &cs, &err);
	if (rc != APP_OK) {
		if (rc == APP_ENOTFOUND || rc == APP_EINVAL) /* about what the caller named */
			snprintf(err.field, sizeof(err.field), "%s", param);
		http_reply_error(req, &err);
		return NULL;
	}
	return cs;
}


void case_settings_handle_get(struct http_req *req)
{
	const struct case_settings *cs = settings_or_reply(req, "county", PERM_CASES_READ);
	if (!cs)
		return;
	struct case_settings defaults;
	case_settings_defaults(&defaults, cs->county);
	json_t *items = json_array();
	for (int i = 0; i < CASE_SETTING__MAX; i++) {
		const struct case_setting_row *r = &cs->setting[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", case_settings_name(i),
				      "label", case_settings_label(i), "value", r->value, "default",
				      defaults.setting[i].value, "set_by", http_json_str_or_null(r->set_by));
		json_object_set_new(o, "set_at", r->set_at ? http_json_time(r->set_at) : json_null());
		json_array_append_new(items, o);
	}
	json_t *body = json_pack("{s:s, s:I, s:s, s:o}", "county", cs->county, "version",
				 (json_int_t)cs->version, "tree",
				 cs->own_tree ? "imported" : "built-in", "settings", items);
	case_settings_put(cs);
	http_reply_json(req, 200, body);
}

void case_settings_handle_categories(struct http_req *req)
{
	const struct case_settings *cs = settings_or_reply(req, "region", 0);
	if (!cs)
		return;
	json_t *items = json_array();
	for (size_t i = 0; i < cs->ncategories; i++) {
		const struct category *k = &cs->categories[i];
		json_array_append_new(items, json_pack("{s:s, s:s, s:o, s:s, s:b}", "code", k->code,
						       "name", k->name, "parent",
						       http_json_str_or_null(k->parent), "urgency",
						       demand_urgency_name(k->urgency), "active",
						       k->active));
	}
	json_t *body = json_pack("{s:s, s:I, s:s, s:o}", "county", cs->county, "version",
				 (json_int_t)cs->version, "tree",
				 cs->own_tree ? "imported" : "built-in", "items", items);
	case_settings_put(cs);
	http_reply_json(req, 200, body);
}
