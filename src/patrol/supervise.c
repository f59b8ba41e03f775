/*
 * supervise.c - 督办 (see supervise.h): reminders, their deadlines on the
 * working-day calendar, acknowledgements, the check that settles them and
 * the 通报. The rules of who may act are here and nowhere else; the store
 * keeps the rows.
 */
#include "patrol/supervise.h"
#include "cases/cases_calendar.h"
#include "core/clock.h"
#include "core/division.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "groups/groups.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_BATCH 500

enum app_err supervise_deadline(const struct calendar *cal, int64_t at, int days, int64_t *out,
				struct app_error *err)
{
	if (days < 1 || days > SUPERVISE_DAYS_MAX)
		return app_fail_field(err, APP_EINVAL, "days", "days is 1 to %d working days",
				      SUPERVISE_DAYS_MAX);
	return calendar_due(cal, at, CALENDAR_WORKDAYS, days, out, err);
}

void supervise_period(int64_t deadline, char *out, size_t cap)
{
	int minute, day = clock_china_day(deadline - 1, &minute);
	snprintf(out, cap, "%04u-%02u", (unsigned)day / 10000 % 10000, (unsigned)day / 100 % 100);
}

static json_t *time_or_null(int64_t t)
{
	if (!t)
		return json_null();
	char buf[32];
	clock_format_utc(t, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *id_or_null(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

json_t *supervise_json(const struct supervision *v, int64_t now)
{
	char object[40];
	snprintf(object, sizeof(object), "%s:%" PRId64, v->kind, v->item_id);
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:i, s:s}", "id", (json_int_t)v->id, "object",
			      object, "region", v->region, "note", v->note, "days", v->days,
			      "state", v->state);
	json_object_set_new(o, "group_id", id_or_null(v->group_id));
	json_object_set_new(o, "issued_by", id_or_null(v->issued_by));
	json_object_set_new(o, "issued_at", time_or_null(v->issued_at));
	json_object_set_new(o, "deadline", time_or_null(v->deadline));
	json_object_set_new(o, "acknowledged_at", time_or_null(v->acknowledged_at));
	json_object_set_new(o, "acknowledged_by", id_or_null(v->acknowledged_by));
	json_object_set_new(o, "settled_at", time_or_null(v->settled_at));
	bool noticed = strcmp(v->state, "noticed") == 0;
	json_object_set_new(o, "period", noticed ? json_string(v->period) : json_null());
	json_object_set_new(o, "notice_acknowledged_at", time_or_null(v->notice_ack_at));
	json_object_set_new(o, "notice_acknowledged_by", id_or_null(v->notice_ack_by));
	if (noticed)
		json_object_set_new(o, "days_overdue",
				    json_integer(now > v->deadline ? (now - v->deadline) / 86400 : 0));
	return o;
}

/* The event telling the supervised of v (on its group's topic, or the
 * alerts' topic of its region when it has no group) into ev, written in
 * topic (EVENT_TOPIC_MAX bytes), county (7) and *data, which the caller
 * frees. */
static void supervised_event(const struct supervision *v, const char *kind, int64_t now,
			     char *topic, char *county, char **data, struct event_note *ev)
{
	if (v->group_id)
		snprintf(topic, EVENT_TOPIC_MAX, "cases:%" PRId64, v->group_id);
	else
		snprintf(topic, EVENT_TOPIC_MAX, "alerts:%s", v->region);
	division_county(v->region, county);
	json_t *o = supervise_json(v, now);
	*data = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	*ev = (struct event_note){ topic, kind, county, *data, NULL };
}

/* Parse "alert:ID" or "case:ID" into kind and *id. */
static bool parse_object(const char *object, char kind[8], int64_t *id)
{
	const char *colon = object ? strchr(object, ':') : NULL;
	if (!colon)
		return false;
	size_t n = (size_t)(colon - object);
	if (!((n == 5 && strncmp(object, "alert", 5) == 0) ||
	      (n == 4 && strncmp(object, "case", 4) == 0)))
		return false;
	char *end;
	long long v = strtoll(colon + 1, &end, 10);
	if (*end || end == colon + 1 || v < 1)
		return false;
	memcpy(kind, object, n);
	kind[n] = '\0';
	*id = v;
	return true;
}

/* Fill v's item fields from its alert or demand, checking c supervises it
 * and it is not done. */
static enum app_err load_item(struct store *s, const struct auth_caller *c,
			      struct supervision *v, struct app_error *err)
{
	const char *scope;
	bool done;
	struct alert a;
	struct case_row cr;
	enum app_err rc;
	if (strcmp(v->kind, "alert") == 0) {
		if ((rc = store_alert_get(s, v->item_id, &a, err)) != APP_OK)
			return rc;
		scope = a.supervisor;
		snprintf(v->region, sizeof(v->region), "%s", a.region);
		v->group_id = a.group_id;
		done = strcmp(a.state, "closed") == 0;
	} else {
		if ((rc = store_case_get(s, v->item_id, &cr, err)) != APP_OK)
			return rc == APP_ENOTFOUND ? app_fail(err, rc, "no such demand") : rc;
		if (strcmp(cr.type, "demand") != 0) /* a delivery task is no demand */
			return app_fail(err, APP_ENOTFOUND, "no such demand");
		scope = cr.region;
		snprintf(v->region, sizeof(v->region), "%.*s", (int)sizeof(v->region) - 1, cr.region);
		v->group_id = cr.group_id;
		done = strcmp(cr.state, "resolved") == 0 || strcmp(cr.state, "followed_up") == 0 ||
		       strcmp(cr.state, "closed") == 0;
	}
	if (auth_scope(c, PERM_GROUPS_SUPERVISE, scope, err) != APP_OK)
		return app_fail(err, APP_ENOTFOUND, "no such %s",
				strcmp(v->kind, "alert") == 0 ? "alert" : "demand");
	if (done)
		return app_fail(err, APP_ECONFLICT, "this %s is already resolved or closed",
				strcmp(v->kind, "alert") == 0 ? "alert" : "demand");
	return APP_OK;
}

enum app_err supervise_issue(struct store *s, const struct auth_caller *c, const char *object,
			     const char *note, int days, int64_t now, struct supervision *out,
			     struct app_error *err)
{
	if (!auth_has(c, PERM_GROUPS_SUPERVISE))
		return app_fail(err, APP_EPERM, "only town and county supervisors issue reminders");
	struct supervision v;
	memset(&v, 0, sizeof(v));
	if (!parse_object(object, v.kind, &v.item_id))
		return app_fail_field(err, APP_EINVAL, "object",
				      "object is \"alert:ID\" or \"case:ID\"");
	size_t len = note ? strlen(note) : 0;
	if (!len || len >= sizeof(v.note) || !utf8_valid(note, len) ||
	    utf8_length(note, len) > SUPERVISE_NOTE_CHARS)
		return app_fail_field(err, APP_EINVAL, "note",
				      "a note of 1 to %d characters says what to do",
				      SUPERVISE_NOTE_CHARS);
	v.days = days ? days : SUPERVISE_DAYS_DEFAULT;
	const struct calendar *cal;
	enum app_err rc = cases_calendar_shared(s, &cal, err);
	if (rc == APP_OK)
		rc = supervise_deadline(cal, now, v.days, &v.deadline, err);
	if (rc == APP_OK)
		rc = load_item(s, c, &v, err);
	if (rc != APP_OK)
		return rc;
	memcpy(v.note, note, len + 1);
	v.issued_by = c->user_id;
	v.issued_at = now;
	snprintf(v.state, sizeof(v.state), "open");

	char obj[40], summary[64], topic[EVENT_TOPIC_MAX], county[7], *data;
	snprintf(obj, sizeof(obj), "%s:%" PRId64, v.kind, v.item_id);
	snprintf(summary, sizeof(summary), "催办, %d working days", v.days);
	struct audit_note an = { c->actor, "supervision.issue", obj, v.region, summary };
	struct event_note ev;
	supervised_event(&v, "supervision.issued", now, topic, county, &data, &ev);
	struct supervision_write w = { &an, &ev, "supervise", c->user_id, now };
	rc = store_supervision_insert(s, &v, &w, err);
	free(data);
	if (rc == APP_OK)
		*out = v;
	return rc;
}

/* Whether c is of the supervised of v: handles its item and did not
 * issue it. APP_ENOTFOUND when v is out of c's sight; APP_EPERM when c
 * sees it (as its supervisor, or a member of the alert's group) but is not
 * of the supervised, or holds no permission that could make them one. */
static enum app_err handles(struct store *s, const struct auth_caller *c,
			    const struct supervision *v, struct app_error *err)
{
	if (c->kind == AUTH_SESSION && c->user_id == v->issued_by)
		return app_fail(err, APP_EPERM, "who issued a reminder does not acknowledge it");
	enum app_err rc;
	if (strcmp(v->kind, "alert") == 0 && v->group_id) {
		struct group g;
		rc = groups_open(s, c, v->group_id, GROUPS_MANAGE, &g, err);
	} else {
		rc = auth_scope(c, PERM_CASES_HANDLE, v->region, err);
	}
	if (rc == APP_OK || (rc != APP_EPERM && rc != APP_ENOTFOUND))
		return rc;
	bool sees = rc == APP_EPERM && strcmp(v->kind, "alert") == 0 && v->group_id;
	if (sees || auth_scope(c, PERM_GROUPS_SUPERVISE, v->region, err) == APP_OK ||
	    (!auth_has(c, PERM_CASES_HANDLE) && !auth_has(c, PERM_GROUPS_SUPERVISE) &&
	     !auth_has(c, PERM_GROUPS_MANAGE)))
		return app_fail(err, APP_EPERM, "only who handles the item acknowledges");
	return app_fail(err, APP_ENOTFOUND, "no such supervision");
}

enum app_err supervise_acknowledge(struct store *s, const struct auth_caller *c, int64_t id,
				   bool notice, int64_t now, struct supervision *out,
				   struct app_error *err)
{
	struct supervision v;
	enum app_err rc = store_supervision_get(s, id, &v, err);
	if (rc == APP_OK)
		rc = handles(s, c, &v, err);
	if (rc != APP_OK)
		return rc;
	char obj[40];
	snprintf(obj, sizeof(obj), "supervision:%" PRId64, v.id);
	struct audit_note an = { c->actor,
				 notice ? "supervision.notice_acknowledge" : "supervision.acknowledge",
				 obj, v.region, notice ? v.period : "" };
	struct supervision_write w = { &an, NULL, NULL, c->user_id, now };
	return store_supervision_acknowledge(s, id, notice, &w, out, err);
}

struct due {
	struct supervision v[CHECK_BATCH];
	int64_t done_at[CHECK_BATCH];
	int n;
};

static bool add_due(void *ctx, const struct supervision *v, int64_t done_at)
{
	struct due *d = ctx;
	d->v[d->n] = *v;
	d->done_at[d->n++] = done_at;
	return true;
}

/* Settle v as state (period for a notice) at now, telling its group. */
static enum app_err settle(struct store *s, const struct supervision *v, const char *state,
			   const char *period, int64_t now, struct app_error *err)
{
	char obj[40], topic[EVENT_TOPIC_MAX], county[7], *data;
	snprintf(obj, sizeof(obj), "supervision:%" PRId64, v->id);
	bool noticed = strcmp(state, "noticed") == 0;
	struct audit_note an = { "system:supervision",
				 noticed ? "supervision.notice" : "supervision.resolve", obj,
				 v->region, noticed ? period : "" };
	struct supervision row = *v;
	snprintf(row.state, sizeof(row.state), "%s", state);
	snprintf(row.period, sizeof(row.period), "%s", period);
	row.settled_at = now;
	struct event_note ev;
	supervised_event(&row, noticed ? "supervision.noticed" : "supervision.resolved", now, topic,
			 county, &data, &ev);
	struct supervision_write w = { &an, &ev, noticed ? "supervision_notice" : NULL, 0, now };
	enum app_err rc = store_supervision_settle(s, v->id, state, period, &w, err);
	free(data);
	return rc;
}

enum app_err supervise_check(struct store *s, int64_t now, int *resolved, int *noticed,
			     struct app_error *err)
{
	struct due *d = xmalloc(sizeof(*d));
	int nr = 0, nn = 0;
	int64_t after = 0;
	enum app_err rc;
	do {
		d->n = 0;
		if ((rc = store_supervisions_open(s, after, CHECK_BATCH, add_due, d, err)) != APP_OK)
			break;
		for (int i = 0; rc == APP_OK && i < d->n; i++) {
			const struct supervision *v = &d->v[i];
			char period[8] = "";
			bool resolve = d->done_at[i] && d->done_at[i] <= v->deadline;
			if (!resolve && v->deadline > now)
				continue;
			if (!resolve)
				supervise_period(v->deadline, period, sizeof(period));
			rc = settle(s, v, resolve ? "resolved" : "noticed", period, now, err);
			if (rc == APP_ECONFLICT) { /* settled meanwhile by another check */
				rc = APP_OK;
				continue;
			}
			if (rc == APP_OK)
				*(resolve ? &nr : &nn) += 1;
		}
		if (d->n)
			after = d->v[d->n - 1].id;
	} while (rc == APP_OK && d->n == CHECK_BATCH);
	free(d);
	if (rc == APP_OK) {
		if (resolved)
			*resolved = nr;
		if (noticed)
			*noticed = nn;
	}
	return rc;
}

enum app_err supervise_notices(struct store *s, const struct auth_caller *c, const char *period,
			       const char *region, store_supervision_fn fn, void *ctx,
			       struct app_error *err)
{
	int y, m;
	char tail;
	if (!period || strlen(period) != 7 || sscanf(period, "%4d-%2d%c", &y, &m, &tail) != 2 ||
	    m < 1 || m > 12)
		return app_fail_field(err, APP_EINVAL, "period", "period is a month: 2026-11");
	if (!region || !*region) {
		region = auth_home_region(c, PERM_GROUPS_SUPERVISE);
		if (!region)
			region = auth_home_region(c, PERM_CASES_READ);
	}
	if (!region)
		return app_fail(err, APP_EPERM,
				"only supervisors and who reads demands see the 通报");
	enum app_err sup = auth_scope(c, PERM_GROUPS_SUPERVISE, region, err);
	enum app_err read = sup == APP_OK ? APP_OK : auth_scope(c, PERM_CASES_READ, region, err);
	if (read == APP_OK)
		return store_supervision_notices(s, period, region, fn, ctx, err);
	if (sup == APP_ENOTFOUND || read == APP_ENOTFOUND)
		return app_fail(err, APP_ENOTFOUND, "no such region in your scope");
	return read == APP_EPERM ? app_fail(err, APP_EPERM,
					    "only supervisors and who reads demands see the 通报")
				 : read;
}
