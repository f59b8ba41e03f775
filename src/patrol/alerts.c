/*
 * alerts.c - the patrol's alerts for supervisors: JSON, scoped listing,
 * acknowledging and the live feed's topic (see alerts.h). Who may see an
 * alert is decided by auth_scope() on the region it is addressed to, here
 * and nowhere else.
 */
#include "patrol/alerts.h"
#include "core/clock.h"
#include "patrol/patrol.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *time_or_null(int64_t t)
{
	if (!t)
		return json_null();
	char buf[32];
	clock_format_utc(t, buf, sizeof(buf));
	return json_string(buf);
}

json_t *alerts_json(const struct alert *a)
{
	enum patrol_kind k;
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "id",
			      (json_int_t)a->id, "kind", a->kind, "kind_name",
			      patrol_kind_parse(a->kind, &k) ? patrol_kind_names_zh[k] : a->kind,
			      "object", a->object, "region", a->region, "supervisor", a->supervisor,
			      "severity", a->severity, "summary", a->summary, "state", a->state);
	json_object_set_new(o, "group_id", a->group_id ? json_integer(a->group_id) : json_null());
	json_object_set_new(o, "found_at", time_or_null(a->found_at));
	json_object_set_new(o, "acknowledged_at", time_or_null(a->acknowledged_at));
	json_object_set_new(o, "acknowledged_by",
			    a->acknowledged_by ? json_integer(a->acknowledged_by) : json_null());
	return o;
}

void alerts_json_text(const struct alert *a, struct strbuf *out)
{
	json_t *o = alerts_json(a);
	char *text = json_dumps(o, JSON_COMPACT);
	strbuf_addstr(out, text);
	free(text);
	json_decref(o);
}

static void add_finding(void *ctx, const struct alert *a, bool raised)
{
	json_t *o = alerts_json(a);
	json_object_set_new(o, "new", json_boolean(raised));
	json_array_append_new(ctx, o);
}

enum app_err alerts_sweep(struct store *s, int64_t now, json_t **out,
			  struct patrol_counts *counts, struct app_error *err)
{
	const struct patrol_rules *rules = patrol_builtin();
	if (!rules)
		return app_fail(err, APP_EINVAL, "the built-in patrol rules do not load");
	json_t *findings = json_array();
	struct patrol_counts n;
	enum app_err rc = patrol_sweep(s, rules, now, add_finding, findings, &n, err);
	if (rc != APP_OK) {
		json_decref(findings);
		return rc;
	}
	*out = json_pack("{s:o, s:i, s:i}", "findings", findings, "raised", n.raised, "messages",
			 n.messages);
	if (counts)
		*counts = n;
	return APP_OK;
}

/* The regions c supervises (at most 4), or the one region asked for after
 * checking c supervises it. */
static enum app_err scope_regions(const struct auth_caller *c, const char *region,
				  struct alert_query *q, struct app_error *err)
{
	q->nregions = 0;
	if (region && *region) {
		enum app_err rc = auth_scope(c, PERM_GROUPS_SUPERVISE, region, err);
		if (rc != APP_OK)
			return rc;
		q->regions[q->nregions++] = region;
		return APP_OK;
	}
	for (int i = 0; i < c->ngrants && q->nregions < 4; i++)
		if (auth_role_perms[c->grants[i].role] & PERM_GROUPS_SUPERVISE)
			q->regions[q->nregions++] = c->grants[i].region;
	if (!q->nregions)
		return app_fail(err, APP_EPERM, "only town and county supervisors see alerts");
	return APP_OK;
}

enum app_err alerts_list(struct store *s, const struct auth_caller *c, const char *region,
			 struct alert_query *q, store_alert_fn fn, void *ctx,
			 struct app_error *err)
{
	enum patrol_kind k;
	if (q->kind && *q->kind && !patrol_kind_parse(q->kind, &k))
		return app_fail_field(err, APP_EINVAL, "kind", "no such kind of alert: '%.40s'",
				      q->kind);
	if (q->state && *q->state && strcmp(q->state, "open") != 0 &&
	    strcmp(q->state, "acknowledged") != 0 && strcmp(q->state, "closed") != 0)
		return app_fail_field(err, APP_EINVAL, "state",
				      "state is open, acknowledged or closed");
	enum app_err rc = scope_regions(c, region, q, err);
	return rc != APP_OK ? rc : store_alerts_list(s, q, fn, ctx, err);
}

/* Acknowledge (close false) or close alert id for c: see alerts.h. */
static enum app_err change(struct store *s, const struct auth_caller *c, int64_t id, bool close,
			   struct alert *out, struct app_error *err)
{
	struct alert a;
	enum app_err rc = store_alert_get(s, id, &a, err);
	if (rc == APP_OK && auth_scope(c, PERM_GROUPS_SUPERVISE, a.supervisor, err) != APP_OK)
		rc = app_fail(err, APP_ENOTFOUND, "no such alert");
	if (rc != APP_OK)
		return rc;
	bool done = close ? strcmp(a.state, "closed") == 0 : strcmp(a.state, "open") != 0;
	if (done)
		return app_fail(err, APP_ECONFLICT, "this alert is already %s", a.state);
	char object[40];
	snprintf(object, sizeof(object), "alert:%" PRId64, a.id);
	struct audit_note note = { c->actor, close ? "alert.close" : "alert.acknowledge", object,
				   a.supervisor, a.kind };
	rc = (close ? store_alert_close : store_alert_acknowledge)(
		s, &a, c->user_id, clock_now(), &note, alerts_json_text, err);
	if (rc == APP_OK)
		*out = a;
	return rc;
}

enum app_err alerts_acknowledge(struct store *s, const struct auth_caller *c, int64_t id,
				struct alert *out, struct app_error *err)
{
	return change(s, c, id, false, out, err);
}

enum app_err alerts_close(struct store *s, const struct auth_caller *c, int64_t id,
			  struct alert *out, struct app_error *err)
{
	return change(s, c, id, true, out, err);
}

enum app_err alerts_feed_topic(const struct auth_caller *c, const char *region, char *topic,
			       size_t cap, struct app_error *err)
{
	if (!region || !*region)
		region = auth_home_region(c, PERM_GROUPS_SUPERVISE);
	if (!region)
		return app_fail(err, APP_EPERM, "only town and county supervisors see alerts");
	enum app_err rc = auth_scope(c, PERM_GROUPS_SUPERVISE, region, err);
	if (rc == APP_OK)
		snprintf(topic, cap, "alerts:%s", region);
	return rc;
}
