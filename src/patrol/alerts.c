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

/* ",\"name\":" and t as the API writes a time, or null when t is 0. */
static void add_time(struct strbuf *out, const char *name, int64_t t)
{
	char buf[32];
	if (!t) {
		strbuf_addf(out, ",\"%s\":null", name);
		return;
	}
	clock_format_utc(t, buf, sizeof(buf));
	strbuf_addf(out, ",\"%s\":\"%s\"", name, buf);
}

/* ",\"name\":" and v, or null when v is 0. */
static void add_id(struct strbuf *out, const char *name, int64_t v)
{
	if (v)
		strbuf_addf(out, ",\"%s\":%" PRId64, name, v);
	else
		strbuf_addf(out, ",\"%s\":null", name);
}

/* The members of alerts_json(a), written directly, without the closing
 * brace (a finding adds "new"). A sweep writes one per alert it raises on
 * the writer's thread and one per finding for its answer: building a tree
 * for each was a third of a day's sweep. */
static void alert_members(const struct alert *a, struct strbuf *out)
{
	enum patrol_kind k;
	strbuf_addf(out, "{\"id\":%" PRId64 ",\"kind\":", a->id);
	strbuf_add_json_string(out, a->kind);
	strbuf_addstr(out, ",\"kind_name\":");
	strbuf_add_json_string(out, patrol_kind_parse(a->kind, &k) ? patrol_kind_names_zh[k]
								    : a->kind);
	strbuf_addstr(out, ",\"object\":");
	strbuf_add_json_string(out, a->object);
	strbuf_addstr(out, ",\"region\":");
	strbuf_add_json_string(out, a->region);
	strbuf_addstr(out, ",\"supervisor\":");
	strbuf_add_json_string(out, a->supervisor);
	strbuf_addf(out, ",\"severity\":%d,\"summary\":", a->severity);
	strbuf_add_json_string(out, a->summary);
	strbuf_addstr(out, ",\"state\":");
	strbuf_add_json_string(out, a->state);
	add_id(out, "group_id", a->group_id);
	add_time(out, "found_at", a->found_at);
	add_time(out, "acknowledged_at", a->acknowledged_at);
	add_id(out, "acknowledged_by", a->acknowledged_by);
}

void alerts_json_text(const struct alert *a, struct strbuf *out)
{
	alert_members(a, out);
	strbuf_addch(out, '}');
}

json_t *alerts_json(const struct alert *a)
{
	struct strbuf text = STRBUF_INIT;
	alerts_json_text(a, &text);
	json_t *o = json_loadb(text.buf, text.len, 0, NULL);
	strbuf_release(&text);
	return o;
}

enum app_err alerts_sweep(struct store *s, int64_t now, patrol_finding_fn fn, void *ctx,
			  struct patrol_counts *counts, struct app_error *err)
{
	const struct patrol_rules *rules = patrol_builtin();
	if (!rules)
		return app_fail(err, APP_EINVAL, "the built-in patrol rules do not load");
	return patrol_sweep(s, rules, now, fn, ctx, counts, err);
}

/* The answer of a sweep being written: its findings so far. */
struct finding_list {
	struct strbuf *out;
	int n;
};

static void add_finding(void *ctx, const struct alert *a, bool raised)
{
	struct finding_list *fl = ctx;
	if (fl->n++)
		strbuf_addch(fl->out, ',');
	alert_members(a, fl->out);
	strbuf_addstr(fl->out, raised ? ",\"new\":true}" : ",\"new\":false}");
}

enum app_err alerts_sweep_json(struct store *s, int64_t now, struct strbuf *out,
			       struct patrol_counts *counts, struct app_error *err)
{
	struct finding_list fl = { out, 0 };
	struct patrol_counts n;
	strbuf_reset(out);
	strbuf_addstr(out, "{\"findings\":[");
	enum app_err rc = alerts_sweep(s, now, add_finding, &fl, &n, err);
	if (rc != APP_OK) {
		strbuf_reset(out);
		return rc;
	}
	strbuf_addf(out, "],\"raised\":%d,\"messages\":%d}", n.raised, n.messages);
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
