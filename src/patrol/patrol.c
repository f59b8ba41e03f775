/*
 * patrol.c - the smart patrol's sweep (see patrol.h and docs/patrol.md):
 * what counts as a finding, when it is due, and whom it is addressed to.
 * Storage goes through store.h only; the text rules through the lexicon
 * (lexicon.h) and the classifier (classify.h).
 *
 * The sweep runs in steps, each saved with its watermark in one
 * transaction: (1) new messages, in batches: residents' questions start
 * being watched, cadres' replies end the watch of what they answer,
 * emergency and complaint words raise alerts at once; (2) watched questions
 * whose window ended unanswered; (3) new warnings and misses of demands'
 * clocks; (4) new hides of residents' messages; (5) groups whose duty hours
 * began since the last sweep with nobody on duty.
 */
#include "patrol/patrol.h"
#include "core/clock.h"
#include "core/division.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "groups/groups.h"
#include "patrol/alerts.h"
#include "patrol/classify.h"
#include "patrol/lexicon.h"

#include <inttypes.h>
#include <pthread.h>
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
};

const char *const patrol_kind_names_zh[PATROL_KIND__MAX] = {
	[PATROL_UNANSWERED] = "群众提问未及时回复",
	[PATROL_DEMAND_AT_RISK] = "诉求即将超时",
	[PATROL_DEMAND_OVERDUE] = "诉求超时",
	[PATROL_NO_DUTY] = "无人值班",
	[PATROL_EMERGENCY] = "紧急情况",
	[PATROL_CADRE_COMPLAINT] = "群众投诉干部",
	[PATROL_HIDDEN_COMPLAINT] = "干部隐藏群众投诉",
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
#define MARK_MESSAGES "messages"
#define MARK_CASE_LINES "case_lines"
#define MARK_HIDES "hides"
#define MARK_DUTY "duty"

enum { BATCH = 500 };

int64_t patrol_ack_due(int duty_start, int duty_end, int64_t at, int64_t window)
{
	int day = clock_china_day(at, NULL);
	int64_t t = at, left = window;
	/* each day of the loop uses up at least a minute of the window */
	for (;;) {
		int64_t from = clock_china_time(day, duty_start), until = clock_china_time(day, duty_end);
		if (t < from)
			t = from;
		if (t < until) {
			if (t + left <= until)
				return t + left;
			left -= until - t;
		}
		day = clock_day_add(day, 1);
		t = clock_china_time(day, duty_start);
	}
}

/* Words that ask the cadres for something, besides the form of a question. */
static const char *const request_words[] = {
	"帮忙", "帮帮", "麻烦", "怎么办", "怎么弄", "能不能", "可不可以", "什么时候",
	"求助", "反映", "报修", "没人管", "请尽快", "请帮",
};

bool patrol_is_request(const struct patrol_rules *r, const char *text)
{
	if (classify_subject_is_question(text))
		return true;
	for (size_t i = 0; i < sizeof(request_words) / sizeof(request_words[0]); i++)
		if (strstr(text, request_words[i]))
			return true;
	if (!r->model)
		return false;
	struct classify_result res;
	classify_text(r->model, r->lex, text, strlen(text), &res);
	return res.intent == CLASSIFY_DEMAND || res.intent == CLASSIFY_QUESTION;
}

void patrol_supervisor(const char *region, char *out)
{
	size_t n = strlen(region);
	size_t keep = n == 12 ? 9 : n == 9 ? 6 : n;
	if (keep > DIVISION_CODE_MAX)
		keep = DIVISION_CODE_MAX;
	memcpy(out, region, keep);
	out[keep] = '\0';
}

/* ---- the rules compiled into the binary ---- */

struct patrol_file {
	const char *name;
	const char *data;
	size_t len;
};
extern const struct patrol_file patrol_builtin_files[];
extern const size_t patrol_builtin_files_count;

static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;
static struct patrol_rules builtin;
static bool builtin_ok;

/* A writable, NUL-terminated copy of the built-in file name (the parsers
 * rewrite their input); the caller frees it. */
static char *builtin_copy(const char *name, size_t *len)
{
	for (size_t i = 0; i < patrol_builtin_files_count; i++) {
		const struct patrol_file *f = &patrol_builtin_files[i];
		if (strcmp(f->name, name) == 0) {
			char *buf = xmalloc(f->len + 1);
			memcpy(buf, f->data, f->len);
			buf[f->len] = '\0';
			*len = f->len;
			return buf;
		}
	}
	return NULL;
}

static void load_builtin(void)
{
	struct app_error err;
	struct lexicon *lex = NULL;
	struct classify_model *model = NULL;
	size_t len;
	char *buf = builtin_copy("lexicon.csv", &len);
	enum app_err rc = buf ? lexicon_parse("lexicon.csv", buf, len, &lex, &err)
			      : app_fail(&err, APP_EINVAL, "lexicon.csv is not built in");
	free(buf);
	struct classify_data d;
	classify_data_init(&d);
	if (rc == APP_OK) {
		buf = builtin_copy("intent.csv", &len);
		rc = buf ? classify_data_parse(&d, "intent.csv", buf, len, &err)
			 : app_fail(&err, APP_EINVAL, "intent.csv is not built in");
		free(buf);
	}
	struct classify_train_opts o = CLASSIFY_TRAIN_OPTS_INIT;
	o.rows = CLASSIFY_SEL_ALL;
	if (rc == APP_OK)
		rc = classify_train(&d, &o, &model, &err);
	classify_data_release(&d);
	if (rc != APP_OK) {
		log_error("patrol.rules", "error=\"%s\"", err.msg);
		lexicon_free(lex);
		return;
	}
	builtin = (struct patrol_rules){ lex, model };
	builtin_ok = true;
}

const struct patrol_rules *patrol_builtin(void)
{
	pthread_once(&builtin_once, load_builtin);
	return builtin_ok ? &builtin : NULL;
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
	struct alert *alerts;
	bool *raised;
	int nalerts, cap_alerts;
	int64_t last; /* the last id read in the step */
	int nread;    /* rows read in the step */
};

static void step_reset(struct sweep *w)
{
	w->nwatch = w->nanswered = w->ndone = w->nalerts = w->nread = 0;
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

static bool is_cadre(const char *role)
{
	return strcmp(role, "owner") == 0 || strcmp(role, "admin") == 0 ||
	       strcmp(role, "key_person") == 0;
}

/* The words of one class found in text, "、"-joined into out; the
 * highest severity among them (0: none). */
struct class_scan {
	const char *cls;
	char *out;
	size_t cap;
	int severity;
};

static int class_hit(void *arg, const struct lexicon_hit *hit)
{
	struct class_scan *cs = arg;
	if (strcmp(hit->entry->cls, cs->cls) != 0)
		return 0;
	if (strstr(cs->out, hit->entry->word))
		return 0; /* said once */
	size_t n = strlen(cs->out);
	snprintf(cs->out + n, cs->cap - n, "%s%s", n ? "、" : "", hit->entry->word);
	if ((int)hit->entry->severity > cs->severity)
		cs->severity = (int)hit->entry->severity;
	return 0;
}

static int scan_class(const struct lexicon *lex, const char *text, const char *cls, char *out,
		      size_t cap)
{
	struct class_scan cs = { cls, out, cap, 0 };
	out[0] = '\0';
	if (lex)
		lexicon_scan(lex, text, strlen(text), class_hit, &cs);
	return cs.severity;
}

static bool on_message(void *ctx, const struct patrol_message *pm)
{
	struct sweep *w = ctx;
	const struct message *m = &pm->m;
	w->last = m->id;
	w->nread++;
	w->counts.messages++;
	if (strcmp(m->kind, "broadcast") == 0)
		return true; /* policy sent down, not talk in the group */
	bool cadre = is_cadre(pm->author_role);
	char words[256], text[256];
	excerpt(text, sizeof(text), m->body);
	int sev = scan_class(w->r->lex, m->body, "emergency", words, sizeof(words));
	if (sev) {
		struct alert *a = add_alert(w, PATROL_EMERGENCY, pm->group_region, m->group_id, sev);
		snprintf(a->object, sizeof(a->object), "message:%" PRId64, m->id);
		snprintf(a->summary, sizeof(a->summary), "%s在群内报告紧急情况（%s）：%s",
			 m->author_name, words, text);
	}
	if (!cadre) {
		sev = scan_class(w->r->lex, m->body, "cadre_complaint", words, sizeof(words));
		if (sev) {
			struct alert *a = add_alert(w, PATROL_CADRE_COMPLAINT, pm->group_region,
						    m->group_id, sev);
			snprintf(a->object, sizeof(a->object), "message:%" PRId64, m->id);
			snprintf(a->summary, sizeof(a->summary), "%s投诉干部（%s）：%s",
				 m->author_name, words, text);
		}
		if (m->body[0] && patrol_is_request(w->r, m->body))
			w->watch[w->nwatch++] = (struct patrol_watch){
				.message_id = m->id, .group_id = m->group_id, .at = m->at,
				.due = patrol_ack_due(pm->duty_start, pm->duty_end, m->at,
						      PATROL_ACK_SECONDS),
			};
	} else if (m->reply_to) {
		w->answered[w->nanswered++] = (struct patrol_watch){
			.message_id = m->reply_to, .group_id = m->group_id, .at = m->at,
		};
	}
	return true;
}

static enum app_err sweep_messages(struct sweep *w, struct app_error *err)
{
	int64_t mark;
	enum app_err rc = store_patrol_mark(w->s, MARK_MESSAGES, &mark, err);
	while (rc == APP_OK) {
		w->last = mark;
		rc = store_patrol_messages(w->s, mark, BATCH, on_message, w, err);
		if (rc != APP_OK || w->nread == 0)
			break;
		bool full = w->nread == BATCH;
		mark = w->last;
		rc = step_save(w, MARK_MESSAGES, mark, err);
		if (!full)
			break;
	}
	step_reset(w);
	return rc;
}

static bool on_due(void *ctx, const struct patrol_watch *q)
{
	struct sweep *w = ctx;
	w->watch[w->nread++] = *q;
	return true;
}

/* A watched question whose window ended: found, unless it was recalled or
 * hidden meanwhile (nothing left to answer). */
static enum app_err due_one(struct sweep *w, const struct patrol_watch *q, struct app_error *err)
{
	struct message m;
	struct group g;
	enum app_err rc = store_message_get(w->s, q->message_id, &m, err);
	if (rc == APP_OK)
		rc = store_group_get(w->s, q->group_id, &g, err);
	if (rc != APP_OK && rc != APP_ENOTFOUND)
		return rc;
	w->done[w->ndone++] = q->message_id;
	if (rc == APP_ENOTFOUND || strcmp(m.state, "visible") != 0)
		return APP_OK; /* nothing left to answer */
	char text[256];
	excerpt(text, sizeof(text), m.body);
	int minute;
	clock_china_day(m.at, &minute);
	struct alert *a = add_alert(w, PATROL_UNANSWERED, g.region, g.id, 2);
	snprintf(a->object, sizeof(a->object), "message:%" PRId64, m.id);
	snprintf(a->summary, sizeof(a->summary), "%s %02d:%02d 在%s的提问%d分钟内无干部回复：%s",
		 m.author_name, minute / 60, minute % 60, g.name, PATROL_ACK_SECONDS / 60, text);
	return APP_OK;
}

static enum app_err sweep_due(struct sweep *w, struct app_error *err)
{
	enum app_err rc = APP_OK;
	for (;;) {
		rc = store_patrol_due(w->s, w->now, BATCH, on_due, w, err);
		int n = w->nread;
		for (int i = 0; rc == APP_OK && i < n; i++)
			rc = due_one(w, &w->watch[i], err);
		w->nwatch = 0; /* the watch array held what was read, not what to add */
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
		if (rc == APP_OK && is_cadre(gm.role))
			return APP_OK;
		if (rc != APP_OK && rc != APP_ENOTFOUND)
			return rc;
	}
	char words[256], more[256];
	int sev = scan_class(w->r->lex, m.body, "cadre_complaint", words, sizeof(words));
	sev |= scan_class(w->r->lex, m.body, "escalation", more, sizeof(more));
	if (!sev && !patrol_is_request(w->r, m.body))
		return APP_OK;
	char text[256];
	excerpt(text, sizeof(text), m.body);
	struct alert *a = add_alert(w, PATROL_HIDDEN_COMPLAINT, g.region, g.id, 3);
	snprintf(a->object, sizeof(a->object), "message:%" PRId64, m.id);
	snprintf(a->summary, sizeof(a->summary), "%s隐藏了%s在%s的消息（理由：%s）：%s", r->actor,
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

/* The standing groups, read a page at a time. */
struct group_page {
	struct group *g;
	int n;
};

static bool on_group(void *ctx, const struct group *g)
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

static enum app_err duty_one(struct sweep *w, const struct group *g, struct app_error *err)
{
	bool in_hours;
	struct duty_slot now, next;
	enum app_err rc = groups_duty_at(w->s, g, w->now, &in_hours, &now, &next, err);
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
		rc = store_group_list(w->s, "", "", after, BATCH, on_group, &gp, err);
		for (int i = 0; rc == APP_OK && i < gp.n; i++)
			if (strcmp(gp.g[i].kind, "adhoc") != 0 && duty_began(&gp.g[i], mark, w->now))
				rc = duty_one(w, &gp.g[i], err);
		if (rc != APP_OK || gp.n < BATCH)
			break;
		after = gp.g[gp.n - 1].id;
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
	enum app_err rc = sweep_messages(&w, err);
	if (rc == APP_OK)
		rc = sweep_due(&w, err);
	if (rc == APP_OK)
		rc = sweep_cases(&w, err);
	if (rc == APP_OK)
		rc = sweep_hides(&w, err);
	if (rc == APP_OK)
		rc = sweep_duty(&w, err);
	if (counts)
		*counts = w.counts;
	free(w.watch);
	free(w.answered);
	free(w.done);
	free(w.alerts);
	free(w.raised);
	return rc;
}
