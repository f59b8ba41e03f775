/*
 * patrol.c - the smart patrol's sweep (see patrol.h and docs/patrol.md):
 * what counts as a finding, when it is due, and whom it is addressed to.
 * Storage goes through store.h only; the rules for one message through
 * judge.h.
 *
 * The sweep runs in steps, each saved with its watermark in one
 * transaction: (1) the messages of the patrol's inbox, in batches: flagged
 * as they were posted, their emergency and complaint words raise alerts at
 * once (messages not judged when posted are judged whole: residents'
 * questions start being watched, cadres' replies end the watch of what
 * they answer; patrol_judge does that as a message is posted); (2)
 * watched questions whose window ended unanswered; (3) new warnings and misses of demands'
 * clocks; (4) new hides of residents' messages; (5) new demands that repeat
 * their household's about one category; (6) groups whose duty hours began
 * since the last sweep with nobody on duty.
 */
#include "patrol/patrol.h"
#include "cases/case_settings.h"
#include "cases/categories.h"
#include "core/clock.h"
#include "core/division.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "groups/groups.h"
#include "patrol/alerts.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const patrol_kind_names[PATROL_KIND__MAX] = {
	[PATROL_UNANSWERED] = "unanswered",
	[PATROL_DEMAND_AT_RISK] = "demand_at_risk",
	[PATROL_DEMAND_OVERDUE] = "demand_overdue",
	[PATROL_NO_DUTY] = "no_duty",
	[PATROL_EMERGENCY] = "emergency",
	[PATROL_CADRE_COMPLAINT] = "cadre_complaint",
	[PATROL_HIDDEN_COMPLAINT] = "hidden_complaint",
	[PATROL_REPEATED] = "repeated_complaint",
};

const char *const patrol_kind_names_zh[PATROL_KIND__MAX] = {
	[PATROL_UNANSWERED] = "群众提问未及时回复",
	[PATROL_DEMAND_AT_RISK] = "诉求即将超时",
	[PATROL_DEMAND_OVERDUE] = "诉求超时",
	[PATROL_NO_DUTY] = "无人值班",
	[PATROL_EMERGENCY] = "紧急情况",
	[PATROL_CADRE_COMPLAINT] = "群众投诉干部",
	[PATROL_HIDDEN_COMPLAINT] = "干部隐藏群众投诉",
	[PATROL_REPEATED] = "同户重复反映",
};

bool patrol_kind_parse(const char *name, enum patrol_kind *out)
{
	for (int i = 0; i < PATROL_KIND__MAX; i++)
		if (name && strcmp(name, patrol_kind_names[i]) == 0) {
			*out = (enum patrol_kind)i;
			return true;
		}
	return false;
}

/* The watermarks, one per kind of read. */
#define MARK_CASE_LINES "case_lines"
#define MARK_HIDES "hides"
#define MARK_DEMANDS "demands"
#define MARK_DUTY "duty"

enum { BATCH = 2000 };

void patrol_supervisor(const char *region, char *out)
{
	size_t n = strlen(region);
	size_t keep = n == 12 ? 9 : n == 9 ? 6 : n;
	if (keep > DIVISION_CODE_MAX)
		keep = DIVISION_CODE_MAX;
	memcpy(out, region, keep);
	out[keep] = '\0';
}

/* ---- one sweep ---- */

struct sweep {
	struct store *s;
	const struct patrol_rules *r;
	int64_t now;
	patrol_finding_fn fn;
	void *ctx;
	struct patrol_counts counts;
	/* the step being built */
	struct patrol_watch *watch, *answered;
	int nwatch, nanswered;
	int64_t *done;
	int ndone;
	int64_t *inbox; /* messages read from the patrol's inbox */
	int ninbox;
	struct alert *alerts;
	bool *raised;
	int nalerts, cap_alerts;
	int64_t last; /* the last id read in the step */
	int nread;    /* rows read in the step */
};

static void step_reset(struct sweep *w)
{
	w->nwatch = w->nanswered = w->ndone = w->ninbox = w->nalerts = w->nread = 0;
}

/* A new alert in the step; the caller fills kind-specific fields. */
static struct alert *add_alert(struct sweep *w, enum patrol_kind kind, const char *region,
			       int64_t group_id, int severity)
{
	if (w->nalerts == w->cap_alerts) {
		w->cap_alerts = w->cap_alerts ? 2 * w->cap_alerts : 64;
		w->alerts = xrealloc(w->alerts, (size_t)w->cap_alerts * sizeof(*w->alerts));
		w->raised = xrealloc(w->raised, (size_t)w->cap_alerts * sizeof(*w->raised));
	}
	struct alert *a = &w->alerts[w->nalerts++];
	memset(a, 0, sizeof(*a));
	snprintf(a->kind, sizeof(a->kind), "%s", patrol_kind_names[kind]);
	snprintf(a->region, sizeof(a->region), "%s", region);
	patrol_supervisor(region, a->supervisor);
	a->group_id = group_id;
	a->severity = severity;
	a->found_at = w->now;
	w->counts.found[kind]++;
	return a;
}

/* Save the step with the watermark (kind NULL: none), then tell fn. */
static enum app_err step_save(struct sweep *w, const char *mark_kind, int64_t mark,
			      struct app_error *err)
{
	struct patrol_save ps = {
		.watch = w->watch, .nwatch = w->nwatch,
		.answered = w->answered, .nanswered = w->nanswered,
		.done = w->done, .ndone = w->ndone,
		.read = w->inbox, .nread = w->ninbox,
		.alerts = w->alerts, .raised = w->raised, .nalerts = w->nalerts,
		.json = alerts_json_text,
	};
	if (mark_kind) {
		ps.mark_kinds[0] = mark_kind;
		ps.marks[0] = mark;
		ps.nmarks = 1;
	}
	enum app_err rc = store_patrol_save(w->s, &ps, err);
	for (int i = 0; rc == APP_OK && i < w->nalerts; i++) {
		w->counts.raised += w->raised[i];
		if (w->fn)
			w->fn(w->ctx, &w->alerts[i], w->raised[i]);
	}
	step_reset(w);
	return rc;
}

/* An excerpt of text for a summary: at most 60 characters' worth of bytes. */
static void excerpt(char *out, size_t cap, const char *text)
{
	char cut[181];
	utf8_copy_cut(cut, sizeof(cut), text);
	snprintf(out, cap, "%s%s", cut, strlen(cut) < strlen(text) ? "…" : "");
}

static bool on_message(void *ctx, const struct patrol_message *pm)
{
	struct sweep *w = ctx;
	const struct message *m = &pm->m;
	w->last = m->id;
	w->inbox[w->ninbox++] = m->id;
	w->nread++;
	w->counts.messages++;
	if (strcmp(m->kind, "broadcast") == 0)
		return true; /* policy sent down, not talk in the group */
	bool cadre = patrol_is_cadre(pm->author_role);
	char words[256], text[256];
	excerpt(text, sizeof(text), m->body);
	int sev = patrol_scan_class(w->r->lex, m->body, "emergency", words, sizeof(words));
	if (sev) {
		struct alert *a = add_alert(w, PATROL_EMERGENCY, pm->group_region, m->group_id, sev);
		snprintf(a->object, sizeof(a->object), "message:%" PRId64, m->id);
		snprintf(a->summary, sizeof(a->summary), "%s在群内报告紧急情况（%s）：%s",
			 m->author_name, words, text);
	}
	if (!cadre) {
		sev = patrol_scan_class(w->r->lex, m->body, "cadre_complaint", words, sizeof(words));
		if (sev) {
			struct alert *a = add_alert(w, PATROL_CADRE_COMPLAINT, pm->group_region,
						    m->group_id, sev);
			snprintf(a->object, sizeof(a->object), "message:%" PRId64, m->id);
			snprintf(a->summary, sizeof(a->summary), "%s投诉干部（%s）：%s",
				 m->author_name, words, text);
		}
	}
	if (pm->judged)
		return true; /* watched, or its watch ended, as it was posted */
	if (!cadre && m->body[0] && patrol_is_request(w->r, m->body))
		w->watch[w->nwatch++] = (struct patrol_watch){
			.message_id = m->id, .group_id = m->group_id, .at = m->at,
			.due = patrol_ack_due(pm->duty_start, pm->duty_end, m->at,
					      PATROL_ACK_SECONDS),
		};
	else if (cadre && m->reply_to)
		w->answered[w->nanswered++] = (struct patrol_watch){
			.message_id = m->reply_to, .group_id = m->group_id, .at = m->at,
		};
	return true;
}

/* The patrol's inbox: messages flagged as they were posted, and messages
 * not judged then (posted before this version), in batches; each batch
 * leaves the inbox with its findings. */
static enum app_err sweep_messages(struct sweep *w, struct app_error *err)
{
	enum app_err rc = APP_OK;
	int64_t after = 0;
	for (;;) {
		rc = store_patrol_messages(w->s, after, BATCH, on_message, w, err);
		int n = w->nread;
		if (rc != APP_OK || n == 0)
			break;
		after = w->last;
		rc = step_save(w, NULL, 0, err);
		if (rc != APP_OK || n < BATCH)
			break;
	}
	step_reset(w);
	return rc;
}

/* A watched question whose window ended: found, unless it was recalled or
 * hidden meanwhile (nothing left to answer); watched no more either way. */
static bool on_due(void *ctx, const struct patrol_due *d)
{
	struct sweep *w = ctx;
	const struct message *m = &d->m;
	w->nread++;
	w->done[w->ndone++] = d->w.message_id;
	if (!m->id || !d->group_region[0] || strcmp(m->state, "visible") != 0)
		return true;
	char text[256];
	excerpt(text, sizeof(text), m->body);
	int minute;
	clock_china_day(m->at, &minute);
	struct alert *a = add_alert(w, PATROL_UNANSWERED, d->group_region, d->w.group_id, 2);
	snprintf(a->object, sizeof(a->object), "message:%" PRId64, m->id);
	snprintf(a->summary, sizeof(a->summary), "%s %02d:%02d 在%s的提问%d分钟内无干部回复：%s",
		 m->author_name, minute / 60, minute % 60, d->group_name, PATROL_ACK_SECONDS / 60,
		 text);
	return true;
}

static enum app_err sweep_due(struct sweep *w, struct app_error *err)
{
	enum app_err rc = APP_OK;
	for (;;) {
		rc = store_patrol_due(w->s, w->now, BATCH, on_due, w, err);
		int n = w->nread;
		if (rc != APP_OK || n == 0)
			break;
		rc = step_save(w, NULL, 0, err);
		if (rc != APP_OK || n < BATCH)
			break;
	}
	step_reset(w);
	return rc;
}

/* A demand's clock in the words of its timeline. */
static const char *clock_zh(const char *clock)
{
	static const char *const names[][2] = {
		{ "ack", "受理" }, { "resolve", "办结" }, { "arrive", "报到" }, { "followup", "回访" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(clock, names[i][0]) == 0)
			return names[i][1];
	return clock;
}

static bool on_case_line(void *ctx, const struct patrol_case_line *l)
{
	struct sweep *w = ctx;
	w->last = l->e.id;
	w->nread++;
	bool missed = strcmp(l->e.action, "clock.missed") == 0;
	struct alert *a = add_alert(w, missed ? PATROL_DEMAND_OVERDUE : PATROL_DEMAND_AT_RISK,
				    l->region, l->group_id, missed ? 2 : 1);
	snprintf(a->object, sizeof(a->object), "demand:%" PRId64 ":%s", l->e.case_id, l->e.clock);
	char title[200];
	excerpt(title, sizeof(title), l->title);
	snprintf(a->summary, sizeof(a->summary), "诉求 #%" PRId64 "「%s」的%s时限%s", l->e.case_id,
		 title, clock_zh(l->e.clock), missed ? "已超时" : "即将到期");
	return true;
}

static enum app_err sweep_cases(struct sweep *w, struct app_error *err)
{
	int64_t mark;
	enum app_err rc = store_patrol_mark(w->s, MARK_CASE_LINES, &mark, err);
	while (rc == APP_OK) {
		rc = store_patrol_case_lines(w->s, mark, BATCH, on_case_line, w, err);
		if (rc != APP_OK || w->nread == 0)
			break;
		bool full = w->nread == BATCH;
		mark = w->last;
		rc = step_save(w, MARK_CASE_LINES, mark, err);
		if (!full)
			break;
	}
	step_reset(w);
	return rc;
}

/* The hides of a step, read first and looked at after (a look reads the
 * store, which a read callback must not). */
struct hide_read {
	struct audit_record *r;
	int n;
};

static bool on_hide(void *ctx, const struct audit_record *r)
{
	struct hide_read *hr = ctx;
	hr->r[hr->n++] = *r;
	return true;
}

/* The name of the person an audit entry's actor ("user:<id>") names, into
 * out; the actor itself for anyone else (an API key) or a person gone. */
static enum app_err hider_name(struct sweep *w, const char *actor, char *out, size_t cap,
			       struct app_error *err)
{
	int64_t id;
	struct user u;
	snprintf(out, cap, "%s", actor);
	if (sscanf(actor, "user:%" SCNd64, &id) != 1)
		return APP_OK;
	enum app_err rc = store_user_get(w->s, id, &u, err);
	if (rc == APP_OK)
		snprintf(out, cap, "%s", u.name);
	return rc == APP_ENOTFOUND ? APP_OK : rc;
}

/* A hide is a finding when the message was a resident's and a complaint
 * (a complaint or escalation word) or a request (patrol_is_request). */
static enum app_err hide_one(struct sweep *w, const struct audit_record *r, struct app_error *err)
{
	int64_t id;
	if (sscanf(r->object, "message:%" SCNd64, &id) != 1)
		return APP_OK;
	struct message m;
	struct group g;
	enum app_err rc = store_message_get(w->s, id, &m, err);
	if (rc == APP_OK)
		rc = store_group_get(w->s, m.group_id, &g, err);
	if (rc == APP_ENOTFOUND)
		return APP_OK; /* not a message of a group: nothing to judge */
	if (rc != APP_OK)
		return rc;
	if (m.author_id) {
		struct group_member gm;
		rc = store_member_get(w->s, g.id, m.author_id, &gm, err);
		if (rc == APP_OK && patrol_is_cadre(gm.role))
			return APP_OK;
		if (rc != APP_OK && rc != APP_ENOTFOUND)
			return rc;
	}
	char words[256], more[256];
	int sev = patrol_scan_class(w->r->lex, m.body, "cadre_complaint", words, sizeof(words));
	sev |= patrol_scan_class(w->r->lex, m.body, "escalation", more, sizeof(more));
	if (!sev && !patrol_is_request(w->r, m.body))
		return APP_OK;
	char text[256];
	excerpt(text, sizeof(text), m.body);
	char who[128];
	if ((rc = hider_name(w, r->actor, who, sizeof(who), err)) != APP_OK)
		return rc;
	struct alert *a = add_alert(w, PATROL_HIDDEN_COMPLAINT, g.region, g.id, 3);
	snprintf(a->object, sizeof(a->object), "message:%" PRId64, m.id);
	snprintf(a->summary, sizeof(a->summary), "%s隐藏了%s在%s的消息（理由：%s）：%s", who,
		 m.author_name, g.name, m.state_reason, text);
	return APP_OK;
}

static enum app_err sweep_hides(struct sweep *w, struct app_error *err)
{
	int64_t mark;
	enum app_err rc = store_patrol_mark(w->s, MARK_HIDES, &mark, err);
	struct hide_read hr = { xmalloc(BATCH * sizeof(*hr.r)), 0 };
	while (rc == APP_OK) {
		hr.n = 0;
		rc = store_patrol_hides(w->s, mark, BATCH, on_hide, &hr, err);
		for (int i = 0; rc == APP_OK && i < hr.n; i++)
			rc = hide_one(w, &hr.r[i], err);
		if (rc != APP_OK || hr.n == 0)
			break;
		mark = hr.r[hr.n - 1].id;
		rc = step_save(w, MARK_HIDES, mark, err);
		if (hr.n < BATCH)
			break;
	}
	free(hr.r);
	step_reset(w);
	return rc;
}

/* The demands of a step, read first and counted after (a count reads the
 * store, which a read callback must not). */
struct demand_read {
	struct patrol_demand *d;
	int n;
};

static bool on_demand(void *ctx, const struct patrol_demand *d)
{
	struct demand_read *dr = ctx;
	dr->d[dr->n++] = *d;
	return true;
}

/* The name of category code in the tree of region's county, or the code
 * when the tree has none (a category dropped since). */
static void category_name(struct sweep *w, const char *region, const char *code, char *out,
			  size_t cap)
{
	char county[DIVISION_CODE_MAX + 1];
	division_county(region, county);
	const struct case_settings *cs;
	struct app_error ignored;
	const struct category *cat = NULL;
	if (case_settings_get(w->s, county, &cs, &ignored) == APP_OK) {
		cat = case_settings_category(cs, code);
		snprintf(out, cap, "%s", cat ? cat->name : code);
		case_settings_put(cs);
	} else {
		snprintf(out, cap, "%s", code);
	}
}

/* A demand is a finding when it is the PATROL_REPEAT_COUNT-th of its
 * household (or, without one, of its person) about its category within
 * PATROL_REPEAT_DAYS days up to it: once per run of repeats, at the demand
 * that completes it. */
static enum app_err repeat_one(struct sweep *w, const struct patrol_demand *d,
			       struct app_error *err)
{
	struct patrol_repeat_query q = {
		.household_id = d->household_id, .resident_id = d->resident_id,
		.category = d->category, .since = d->created_at - PATROL_REPEAT_DAYS * 86400LL,
		.upto_id = d->id,
	};
	int64_t n;
	enum app_err rc = store_patrol_repeats(w->s, &q, &n, err);
	if (rc != APP_OK || n != PATROL_REPEAT_COUNT)
		return rc;
	char name[128], title[200];
	category_name(w, d->region, d->category, name, sizeof(name));
	excerpt(title, sizeof(title), d->title);
	struct alert *a = add_alert(w, PATROL_REPEATED, d->region, d->group_id, 2);
	if (d->household_id)
		snprintf(a->object, sizeof(a->object), "household:%" PRId64 ":%s:%" PRId64,
			 d->household_id, d->category, d->id);
	else
		snprintf(a->object, sizeof(a->object), "resident:%" PRId64 ":%s:%" PRId64,
			 d->resident_id, d->category, d->id);
	snprintf(a->summary, sizeof(a->summary),
		 "同一户%d天内第%d次反映「%s」：诉求 #%" PRId64 "「%s」", PATROL_REPEAT_DAYS,
		 PATROL_REPEAT_COUNT, name, d->id, title);
	return APP_OK;
}

static enum app_err sweep_demands(struct sweep *w, struct app_error *err)
{
	int64_t mark;
	enum app_err rc = store_patrol_mark(w->s, MARK_DEMANDS, &mark, err);
	struct demand_read dr = { xmalloc(BATCH * sizeof(*dr.d)), 0 };
	case_settings_scope_begin();
	while (rc == APP_OK) {
		dr.n = 0;
		rc = store_patrol_demands(w->s, mark, BATCH, on_demand, &dr, err);
		for (int i = 0; rc == APP_OK && i < dr.n; i++)
			rc = repeat_one(w, &dr.d[i], err);
		if (rc != APP_OK || dr.n == 0)
			break;
		mark = dr.d[dr.n - 1].id;
		rc = step_save(w, MARK_DEMANDS, mark, err);
		if (dr.n < BATCH)
			break;
	}
	case_settings_scope_end();
	free(dr.d);
	step_reset(w);
	return rc;
}

/* The standing groups, read a page at a time. */
struct group_page {
	struct patrol_group *g;
	int n;
};

static bool on_group(void *ctx, const struct patrol_group *g)
{
	struct group_page *gp = ctx;
	gp->g[gp->n++] = *g;
	return true;
}

/* Whether g's duty hours are on at now and began after mark (or, on a
 * first sweep, mark 0, whether they are on at all). */
static bool duty_began(const struct group *g, int64_t mark, int64_t now)
{
	int minute;
	int day = clock_china_day(now, &minute);
	if (minute < g->duty_start || minute >= g->duty_end)
		return false;
	return mark == 0 || clock_china_time(day, g->duty_start) > mark;
}

/* A group without any duty set (pg->duty_set false) is computed from an
 * empty rota without reading it: the same answer, and most groups of a
 * county have none. */
static enum app_err duty_one(struct sweep *w, const struct patrol_group *pg,
			     struct app_error *err)
{
	static const struct duty_data nothing_set;
	const struct group *g = &pg->g;
	bool in_hours;
	struct duty_slot now, next;
	enum app_err rc = APP_OK;
	if (pg->duty_set)
		rc = groups_duty_at(w->s, g, w->now, &in_hours, &now, &next, err);
	else
		groups_duty_compute(g, &nothing_set, w->now, &in_hours, &now, &next);
	if (rc != APP_OK || !in_hours || now.user_id)
		return rc;
	struct alert *a = add_alert(w, PATROL_NO_DUTY, g->region, g->id, 2);
	snprintf(a->object, sizeof(a->object), "group:%" PRId64 ":%d", g->id, now.day);
	snprintf(a->summary, sizeof(a->summary), "%s今天（%d）值班时间 %02d:%02d-%02d:%02d 无人值班",
		 g->name, now.day, g->duty_start / 60, g->duty_start % 60, g->duty_end / 60,
		 g->duty_end % 60);
	return APP_OK;
}

static enum app_err sweep_duty(struct sweep *w, struct app_error *err)
{
	int64_t mark;
	enum app_err rc = store_patrol_mark(w->s, MARK_DUTY, &mark, err);
	struct group_page gp = { xmalloc(BATCH * sizeof(*gp.g)), 0 };
	int64_t after = 0;
	while (rc == APP_OK) {
		gp.n = 0;
		rc = store_patrol_groups(w->s, after, BATCH, on_group, &gp, err);
		for (int i = 0; rc == APP_OK && i < gp.n; i++)
			if (duty_began(&gp.g[i].g, mark, w->now))
				rc = duty_one(w, &gp.g[i], err);
		if (rc != APP_OK || gp.n < BATCH)
			break;
		after = gp.g[gp.n - 1].g.id;
	}
	free(gp.g);
	if (rc == APP_OK)
		rc = step_save(w, MARK_DUTY, w->now, err);
	step_reset(w);
	return rc;
}

enum app_err patrol_sweep(struct store *s, const struct patrol_rules *r, int64_t now,
			  patrol_finding_fn fn, void *ctx, struct patrol_counts *counts,
			  struct app_error *err)
{
	struct sweep w = { .s = s, .r = r, .now = now, .fn = fn, .ctx = ctx };
	w.watch = xmalloc(BATCH * sizeof(*w.watch));
	w.answered = xmalloc(BATCH * sizeof(*w.answered));
	w.done = xmalloc(BATCH * sizeof(*w.done));
	w.inbox = xmalloc(BATCH * sizeof(*w.inbox));
	enum app_err rc = sweep_messages(&w, err);
	if (rc == APP_OK)
		rc = sweep_due(&w, err);
	if (rc == APP_OK)
		rc = sweep_cases(&w, err);
	if (rc == APP_OK)
		rc = sweep_hides(&w, err);
	if (rc == APP_OK)
		rc = sweep_demands(&w, err);
	if (rc == APP_OK)
		rc = sweep_duty(&w, err);
	if (counts)
		*counts = w.counts;
	free(w.watch);
	free(w.answered);
	free(w.done);
	free(w.inbox);
	free(w.alerts);
	free(w.raised);
	return rc;
}
