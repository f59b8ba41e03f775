/*
 * cases_store_cases.h - the bodies of the case store tests, run on each
 * backend through store.h only: test_cases_store.c runs them on SQLite,
 * test_cases_store_pg.c on PostgreSQL, so both backends are held to the
 * same errors, messages and orders. Each body gets a migrated store holding
 * the demo county (990101: 20 towns, 500 villages) and nothing else.
 * Header-only; include it after <cmocka.h>.
 *
 * What is covered: a case stored and read back field by field with its
 * clocks (in name order) and its longest description; its county derived
 * from its region; "{id}" in the events and the audit note of a new case;
 * the timeline, oldest first; an update from the version read (row,
 * clocks replaced, lines appended, audit entry, events on their topics);
 * an update from a stale version or of no case, refused with nothing
 * changed, alone or among others in one transaction; several cases read
 * at once; the sweep's due cases (earliest first, limit, next_check 0
 * never); listings by scope (a region's subtree, a resident's own), state
 * ("open", "ended"), category, region, time (since, until) and page; the
 * timeline lines of many cases in a window of time (by time, then id;
 * within a region, of one type, limited); a region not in the registry
 * and values the schema refuses, refused with nothing stored.
 */
#ifndef TESTS_UNIT_CASES_STORE_CASES_H
#define TESTS_UNIT_CASES_STORE_CASES_H

#include "regions/regions.h"
#include "store/store.h"
#include "testutil.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The cases, for the test files to wrap: X(name) for each ks_case_<name>(). */
#define CASES_STORE_CASES(X)                                                                   \
	X(insert_get)                                                                          \
	X(county)                                                                              \
	X(timeline)                                                                            \
	X(update)                                                                              \
	X(stale)                                                                               \
	X(unknown)                                                                             \
	X(update_many)                                                                         \
	X(get_many)                                                                            \
	X(due)                                                                                 \
	X(list_scope)                                                                          \
	X(list_filters)                                                                        \
	X(list_paging)                                                                         \
	X(events_between)                                                                      \
	X(refused)

#define KS_NOW 1764400000
#define KS_COUNTY REGIONS_DEMO_COUNTY
#define KS_TOWN "990101103"             /* a town (镇) of the demo: 25 villages */
#define KS_VILLAGE "990101103200"       /* its first village */
#define KS_VILLAGE2 "990101103201"      /* its second */
#define KS_OTHER_TOWN "990101104"
#define KS_OTHER_VILLAGE "990101104200" /* a village of another town */
#define KS_NO_VILLAGE "990101103299"    /* not in the registry */
#define KS_RESIDENT 42

/* Load the demo county: the fixture of every case. */
static inline int ks_load_demo(struct store *s)
{
	struct region_import_counts n;
	struct app_error e;
	if (regions_demo_import(s, "cli:test", &n, &e) != APP_OK) {
		print_error("cannot load the demo county: %s\n", e.msg);
		return -1;
	}
	return 0;
}

/* A demand at region made at created, received and nothing more. */
static inline void ks_fill(struct case_row *c, const char *region, const char *category,
			   int64_t created)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->type, sizeof(c->type), "demand");
	c->version = 1;
	snprintf(c->state, sizeof(c->state), "received");
	snprintf(c->region, sizeof(c->region), "%s", region);
	snprintf(c->category, sizeof(c->category), "%s", category);
	snprintf(c->urgency, sizeof(c->urgency), "general");
	snprintf(c->title, sizeof(c->title), "路灯不亮");
	snprintf(c->source, sizeof(c->source), "app");
	c->created_at = c->updated_at = created;
}

static inline struct case_clock_row ks_clock(const char *name, const char *status,
					     int64_t started, int64_t due)
{
	struct case_clock_row t = { .started = started, .due = due, .warn_at = due - 600 };
	snprintf(t.name, sizeof(t.name), "%s", name);
	snprintf(t.status, sizeof(t.status), "%s", status);
	return t;
}

static inline struct case_event_row ks_step(int64_t at, int64_t actor, const char *action,
					    const char *from, const char *to, const char *clock,
					    int level, const char *detail)
{
	struct case_event_row e = { .at = at, .actor = actor, .level = level };
	snprintf(e.action, sizeof(e.action), "%s", action);
	snprintf(e.from_state, sizeof(e.from_state), "%s", from);
	snprintf(e.to_state, sizeof(e.to_state), "%s", to);
	snprintf(e.clock, sizeof(e.clock), "%s", clock);
	snprintf(e.detail, sizeof(e.detail), "%s", detail);
	return e;
}

/* Store c as a new case, opened by actor 6 with one timeline line, an
 * audit entry on "case:<id>" and an event on that topic; its id. */
static inline int64_t ks_insert(struct store *s, struct case_row *c)
{
	struct case_event_row open = ks_step(c->created_at, 6, "open", "", c->state, "", 0, "");
	struct audit_note note = { .actor = "user:6", .action = "case.open", .object = "case:{id}",
				   .region = c->region, .summary = "case {id} opened" };
	struct event_note ev = { "case:{id}", "case.opened", KS_COUNTY, "{\"id\":{id}}",
				 "case:{id}" };
	struct app_error e;
	if (store_case_insert(s, c, &open, 1, &note, &ev, 1, &e) != APP_OK)
		fail_msg("insert a case at %s: %s", c->region, e.msg);
	assert_true(c->id > 0);
	return c->id;
}

static inline struct case_row *ks_get(struct store *s, int64_t id)
{
	static struct case_row c;
	struct app_error e;
	if (store_case_get(s, id, &c, &e) != APP_OK)
		fail_msg("get case %" PRId64 ": %s", id, e.msg);
	return &c;
}

/* The clock of c called name; fails the test when there is none. */
static inline const struct case_clock_row *ks_clock_of(const struct case_row *c,
						       const char *name)
{
	for (int i = 0; i < c->nclocks; i++)
		if (strcmp(c->clocks[i].name, name) == 0)
			return &c->clocks[i];
	fail_msg("case %" PRId64 " has no clock %s", c->id, name);
	return NULL;
}

/* Every field of a and b is the same, clocks included (in any order). */
static inline void ks_assert_same(const struct case_row *a, const struct case_row *b)
{
	assert_int_equal(a->id, b->id);
	assert_string_equal(a->type, b->type);
	assert_int_equal(a->version, b->version);
	assert_string_equal(a->state, b->state);
	assert_int_equal(a->level, b->level);
	assert_string_equal(a->region, b->region);
	assert_string_equal(a->county, b->county);
	assert_int_equal(a->group_id, b->group_id);
	assert_string_equal(a->category, b->category);
	assert_string_equal(a->urgency, b->urgency);
	assert_string_equal(a->title, b->title);
	assert_string_equal(a->description, b->description);
	assert_string_equal(a->address, b->address);
	assert_true(a->lat == b->lat);
	assert_true(a->lon == b->lon);
	assert_int_equal(a->located, b->located);
	assert_string_equal(a->contact_name, b->contact_name);
	assert_string_equal(a->contact_phone, b->contact_phone);
	assert_int_equal(a->resident_id, b->resident_id);
	assert_string_equal(a->source, b->source);
	assert_int_equal(a->source_message_id, b->source_message_id);
	assert_int_equal(a->assignee_user, b->assignee_user);
	assert_int_equal(a->assignee_group, b->assignee_group);
	assert_string_equal(a->unit, b->unit);
	assert_int_equal(a->first_receiver, b->first_receiver);
	assert_int_equal(a->returns, b->returns);
	assert_int_equal(a->whistles, b->whistles);
	assert_int_equal(a->transfers, b->transfers);
	assert_int_equal(a->reopens, b->reopens);
	assert_int_equal(a->escalations, b->escalations);
	assert_int_equal(a->merged_into, b->merged_into);
	assert_string_equal(a->rating, b->rating);
	assert_int_equal(a->created_at, b->created_at);
	assert_int_equal(a->updated_at, b->updated_at);
	assert_int_equal(a->closed_at, b->closed_at);
	assert_int_equal(a->next_check, b->next_check);
	assert_int_equal(a->nclocks, b->nclocks);
	for (int i = 0; i < a->nclocks; i++) {
		const struct case_clock_row *x = &a->clocks[i], *y = ks_clock_of(b, x->name);
		assert_string_equal(x->status, y->status);
		assert_int_equal(x->started, y->started);
		assert_int_equal(x->used, y->used);
		assert_int_equal(x->warn_at, y->warn_at);
		assert_int_equal(x->due, y->due);
		assert_int_equal(x->warned, y->warned);
		assert_int_equal(x->stopped, y->stopped);
	}
}

/* ---- collected results ---- */

struct ks_steps {
	int n, stop_after; /* stop_after: return false after that many (0: never) */
	struct case_event_row e[32];
};

static inline bool ks_step_fn(void *ctx, const struct case_event_row *e)
{
	struct ks_steps *l = ctx;
	if (l->n < 32)
		l->e[l->n] = *e;
	l->n++;
	return !l->stop_after || l->n < l->stop_after;
}

/* The timeline of case id. Static: one at a time. */
static inline struct ks_steps *ks_timeline(struct store *s, int64_t id)
{
	static struct ks_steps l;
	memset(&l, 0, sizeof(l));
	struct app_error e;
	if (store_case_events(s, id, ks_step_fn, &l, &e) != APP_OK)
		fail_msg("timeline of case %" PRId64 ": %s", id, e.msg);
	return &l;
}

struct ks_events {
	int n;
	char kind[16][EVENT_KIND_MAX];
	char data[16][256];
};

static inline bool ks_event_fn(void *ctx, const struct event_record *r)
{
	struct ks_events *l = ctx;
	if (l->n < 16) {
		snprintf(l->kind[l->n], sizeof(l->kind[0]), "%s", r->kind);
		snprintf(l->data[l->n], sizeof(l->data[0]), "%.255s", r->data);
	}
	l->n++;
	return true;
}

/* The events of topic, oldest first. Static: one at a time. */
static inline struct ks_events *ks_events_of(struct store *s, const char *topic)
{
	static struct ks_events l;
	memset(&l, 0, sizeof(l));
	struct app_error e;
	if (store_events_after(s, topic, 0, 100, ks_event_fn, &l, &e) != APP_OK)
		fail_msg("events of %s: %s", topic, e.msg);
	return &l;
}

struct ks_audit {
	int n;
	char actions[16][48]; /* newest first */
};

static inline bool ks_audit_fn(void *ctx, const struct audit_record *r)
{
	struct ks_audit *a = ctx;
	if (a->n < 16)
		snprintf(a->actions[a->n], sizeof(a->actions[0]), "%s", r->action);
	a->n++;
	return true;
}

/* The audit entries on object, actions joined by spaces, oldest first. */
static inline const char *ks_audit_of(struct store *s, const char *object)
{
	static char out[1024];
	struct ks_audit a = { 0 };
	struct app_error e;
	if (store_audit_list(s, object, 16, ks_audit_fn, &a, &e) != APP_OK)
		fail_msg("audit list %s: %s", object, e.msg);
	out[0] = '\0';
	for (int i = a.n - 1; i >= 0; i--) {
		strcat(out, a.actions[i]);
		if (i)
			strcat(out, " ");
	}
	return out;
}

static inline bool ks_count_fn(void *ctx, const struct audit_record *r)
{
	(void)r;
	++*(int *)ctx;
	return true;
}

/* How many audit entries there are in all. */
static inline int ks_audits(struct store *s)
{
	int n = 0;
	struct app_error e;
	if (store_audit_scan(s, ks_count_fn, &n, &e) != APP_OK)
		fail_msg("audit scan: %s", e.msg);
	return n;
}

static inline int64_t ks_events_head(struct store *s)
{
	int64_t id = 0;
	struct app_error e;
	if (store_events_head(s, &id, &e) != APP_OK)
		fail_msg("events head: %s", e.msg);
	return id;
}

struct ks_ids {
	int n, stop_after; /* stop_after: return false after that many (0: never) */
	int64_t id[64];
	int nclocks[64];
};

static inline bool ks_case_fn(void *ctx, const struct case_row *c)
{
	struct ks_ids *l = ctx;
	if (l->n < 64) {
		l->id[l->n] = c->id;
		l->nclocks[l->n] = c->nclocks;
	}
	l->n++;
	return !l->stop_after || l->n < l->stop_after;
}

/* The ids q lists, in its order. */
static inline struct ks_ids ks_list(struct store *s, const struct case_query *q)
{
	struct ks_ids l = { 0 };
	struct app_error e;
	if (store_cases_list(s, q, ks_case_fn, &l, &e) != APP_OK)
		fail_msg("list cases: %s", e.msg);
	return l;
}

/* The query of demands within region (scope), newest first, 50 at most. */
static inline struct case_query ks_query(const char *region)
{
	struct case_query q = { .type = "demand", .limit = 50 };
	if (region) {
		q.nregions = 1;
		q.regions[0] = region;
	}
	return q;
}

/* Assert that l holds exactly the n ids given, in that order. */
static inline void ks_assert_ids(const struct ks_ids *l, int n, const int64_t *ids)
{
	if (l->n != n) {
		char got[512] = "";
		for (int i = 0; i < l->n && i < 16; i++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), " %" PRId64, l->id[i]);
		fail_msg("listed %d cases (%s), expected %d", l->n, got, n);
	}
	for (int i = 0; i < n; i++)
		assert_int_equal(l->id[i], ids[i]);
}

#define KS_IDS(l, ...)                                                                         \
	do {                                                                                   \
		const int64_t ks_want_[] = { __VA_ARGS__ };                                    \
		ks_assert_ids(&(l), (int)(sizeof(ks_want_) / sizeof(ks_want_[0])), ks_want_);  \
	} while (0)

/* ---- the cases ---- */

static inline void ks_case_insert_get(struct store *s)
{
	struct case_row c;
	ks_fill(&c, KS_VILLAGE, "utilities.streetlight", KS_NOW);
	c.level = 2;
	c.group_id = 17;
	snprintf(c.urgency, sizeof(c.urgency), "utilities");
	snprintf(c.title, sizeof(c.title), "村东头路灯三天不亮");
	/* the longest description: 4,000 characters of 4 bytes */
	for (int i = 0; i < 4000; i++)
		memcpy(c.description + 4 * i, "\xf0\xa0\x80\x80", 4); /* U+20000 */
	c.description[16000] = '\0';
	snprintf(c.address, sizeof(c.address), "村东头小桥边");
	c.lat = 33.44391234567891;
	c.lon = 114.89987654321012;
	c.located = true;
	snprintf(c.contact_name, sizeof(c.contact_name), "张三");
	snprintf(c.contact_phone, sizeof(c.contact_phone), "13800000001");
	c.resident_id = KS_RESIDENT;
	snprintf(c.source, sizeof(c.source), "message");
	c.source_message_id = 9001;
	c.assignee_user = 7;
	c.assignee_group = 8;
	snprintf(c.unit, sizeof(c.unit), "供电所");
	c.first_receiver = 6;
	c.returns = 1;
	c.whistles = 2;
	c.transfers = 3;
	c.reopens = 4;
	c.escalations = 5;
	c.merged_into = 99;
	snprintf(c.rating, sizeof(c.rating), "fair");
	c.updated_at = KS_NOW + 1;
	c.closed_at = KS_NOW + 2;
	c.next_check = KS_NOW + 3;
	/* out of name order: they come back in it */
	c.nclocks = 3;
	c.clocks[0] = ks_clock("resolve", "running", KS_NOW, KS_NOW + 86400);
	c.clocks[1] = ks_clock("ack", "met", KS_NOW, KS_NOW + 3600);
	c.clocks[1].stopped = KS_NOW + 60;
	c.clocks[1].warned = true;
	c.clocks[2] = ks_clock("followup", "paused", KS_NOW + 5, KS_NOW + 7200);
	c.clocks[2].used = 45;
	struct case_event_row steps[] = {
		ks_step(KS_NOW, 6, "open", "", "received", "", 0, "由群消息转入"),
		ks_step(KS_NOW, 0, "clock.start", "received", "received", "ack", 2, "受理时限 1 小时"),
	};
	char object[32] = "case:{id}";
	struct audit_note note = { .actor = "user:6", .action = "case.open", .object = object,
				   .region = KS_VILLAGE, .summary = "case {id} opened" };
	struct event_note events[] = {
		{ "case:{id}", "case.opened", KS_COUNTY, "{\"id\":{id},\"again\":{id}}", "case:{id}" },
		{ "user:7", "case.assigned", KS_COUNTY, "{\"case\":{id}}", NULL },
	};
	struct app_error e;
	assert_int_equal(store_case_insert(s, &c, steps, 2, &note, events, 2, &e), APP_OK);
	assert_true(c.id > 0);
	assert_string_equal(c.county, KS_COUNTY);
	/* the note was the caller's: the store filled a copy */
	assert_string_equal(object, "case:{id}");

	struct case_row *got = ks_get(s, c.id);
	ks_assert_same(&c, got);
	assert_int_equal(strlen(got->description), 16000);
	assert_string_equal(got->clocks[0].name, "ack");
	assert_string_equal(got->clocks[1].name, "followup");
	assert_string_equal(got->clocks[2].name, "resolve");
	assert_true(got->clocks[0].warned);
	assert_int_equal(got->clocks[0].stopped, KS_NOW + 60);
	assert_int_equal(got->clocks[1].used, 45);

	/* "{id}" became the id in the events and the audit entry */
	char topic[32], want[96];
	snprintf(topic, sizeof(topic), "case:%" PRId64, c.id);
	struct ks_events *ev = ks_events_of(s, topic);
	assert_int_equal(ev->n, 1);
	assert_string_equal(ev->kind[0], "case.opened");
	snprintf(want, sizeof(want), "{\"id\":%" PRId64 ",\"again\":%" PRId64 "}", c.id, c.id);
	assert_string_equal(ev->data[0], want);
	ev = ks_events_of(s, "user:7");
	assert_int_equal(ev->n, 1);
	snprintf(want, sizeof(want), "{\"case\":%" PRId64 "}", c.id);
	assert_string_equal(ev->data[0], want);
	assert_string_equal(ks_audit_of(s, topic), "case.open");

	/* a case without clocks, and one that is not there */
	struct case_row bare;
	ks_fill(&bare, KS_VILLAGE, "road", KS_NOW);
	ks_insert(s, &bare);
	assert_true(bare.id > c.id);
	got = ks_get(s, bare.id);
	ks_assert_same(&bare, got);
	assert_int_equal(got->nclocks, 0);
	struct case_row none;
	assert_int_equal(store_case_get(s, bare.id + 1, &none, &e), APP_ENOTFOUND);
	assert_string_equal(e.msg, "no such case");
}

static inline void ks_case_county(struct store *s)
{
	static const struct {
		const char *region, *county;
	} at[] = {
		{ KS_VILLAGE, KS_COUNTY },
		{ KS_TOWN, KS_COUNTY },
		{ KS_COUNTY, KS_COUNTY },
		{ "9901", "" }, /* above a county: none */
	};
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		struct case_row c;
		ks_fill(&c, at[i].region, "road", KS_NOW);
		snprintf(c.county, sizeof(c.county), "999999"); /* wrong on purpose: the store derives it */
		ks_insert(s, &c);
		assert_string_equal(c.county, at[i].county);
		assert_string_equal(ks_get(s, c.id)->county, at[i].county);
	}
}

static inline void ks_case_timeline(struct store *s)
{
	struct case_row c;
	ks_fill(&c, KS_VILLAGE, "road", KS_NOW);
	struct case_event_row steps[] = {
		ks_step(KS_NOW, 6, "open", "", "received", "", 0, "由群消息转入"),
		ks_step(KS_NOW + 1, 0, "clock.start", "received", "received", "ack", 0, ""),
		ks_step(KS_NOW + 2, 6, "note", "received", "received", "", 1, "已电话联系"),
	};
	struct audit_note note = { "user:6", "case.open", "case:{id}", KS_VILLAGE, "" };
	struct app_error e;
	assert_int_equal(store_case_insert(s, &c, steps, 3, &note, NULL, 0, &e), APP_OK);
	/* another case's lines in between are not this case's */
	struct case_row other;
	ks_fill(&other, KS_VILLAGE, "road", KS_NOW);
	ks_insert(s, &other);
	c.version = 2;
	struct case_event_row more = ks_step(KS_NOW + 3, 7, "acknowledge", "received",
					     "acknowledged", "ack", 1, "已受理");
	assert_int_equal(store_case_update(s, &c, &more, 1, NULL, NULL, 0, &e), APP_OK);

	struct ks_steps *l = ks_timeline(s, c.id);
	assert_int_equal(l->n, 4);
	static const char *const actions[] = { "open", "clock.start", "note", "acknowledge" };
	for (int i = 0; i < 4; i++) {
		assert_string_equal(l->e[i].action, actions[i]);
		assert_int_equal(l->e[i].case_id, c.id);
		assert_int_equal(l->e[i].at, KS_NOW + i);
		if (i)
			assert_true(l->e[i].id > l->e[i - 1].id);
	}
	assert_string_equal(l->e[0].from_state, "");
	assert_string_equal(l->e[0].to_state, "received");
	assert_string_equal(l->e[0].detail, "由群消息转入");
	assert_int_equal(l->e[0].actor, 6);
	assert_int_equal(l->e[1].actor, 0);
	assert_string_equal(l->e[1].clock, "ack");
	assert_string_equal(l->e[3].from_state, "received");
	assert_string_equal(l->e[3].to_state, "acknowledged");
	assert_int_equal(l->e[3].level, 1);
	assert_int_equal(l->e[3].actor, 7);
	assert_int_equal(ks_timeline(s, other.id)->n, 1);
	/* a reading stops when told; a case that is not there has none */
	struct ks_steps two = { .stop_after = 2 };
	assert_int_equal(store_case_events(s, c.id, ks_step_fn, &two, &e), APP_OK);
	assert_int_equal(two.n, 2);
	assert_int_equal(ks_timeline(s, other.id + 1)->n, 0);
}

static inline void ks_case_update(struct store *s)
{
	struct case_row c;
	ks_fill(&c, KS_VILLAGE, "road", KS_NOW);
	c.resident_id = KS_RESIDENT;
	c.nclocks = 3;
	c.clocks[0] = ks_clock("ack", "running", KS_NOW, KS_NOW + 3600);
	c.clocks[1] = ks_clock("resolve", "running", KS_NOW, KS_NOW + 86400);
	c.clocks[2] = ks_clock("followup", "idle", 0, 0);
	c.next_check = KS_NOW + 3000;
	int64_t id = ks_insert(s, &c);

	/* what the engine makes of it: acknowledged, one clock met, one gone,
	 * one new, fields changed */
	struct case_row next = *ks_get(s, id);
	next.version = 2;
	snprintf(next.state, sizeof(next.state), "acknowledged");
	next.level = 1;
	next.assignee_user = 11;
	next.assignee_group = 12;
	snprintf(next.unit, sizeof(next.unit), "水利站");
	next.escalations = 1;
	next.updated_at = KS_NOW + 60;
	next.next_check = KS_NOW + 80000;
	snprintf(next.region, sizeof(next.region), "%s", KS_VILLAGE2);
	next.nclocks = 3;
	next.clocks[0] = ks_clock("resolve", "running", KS_NOW, KS_NOW + 86400);
	next.clocks[1] = ks_clock("ack", "met", KS_NOW, KS_NOW + 3600);
	next.clocks[1].stopped = KS_NOW + 60;
	next.clocks[2] = ks_clock("arrive", "running", KS_NOW + 60, KS_NOW + 7260);
	struct case_event_row steps[] = {
		ks_step(KS_NOW + 60, 11, "acknowledge", "received", "acknowledged", "", 1, ""),
		ks_step(KS_NOW + 60, 11, "clock.met", "acknowledged", "acknowledged", "ack", 1, ""),
	};
	char object[32], data[64], topic[32];
	snprintf(object, sizeof(object), "case:%" PRId64, id);
	snprintf(data, sizeof(data), "{\"id\":%" PRId64 ",\"version\":2}", id);
	struct audit_note note = { "user:11", "case.acknowledge", object, KS_VILLAGE2, "" };
	struct event_note events[] = {
		{ object, "case.changed", KS_COUNTY, data, object },
		{ "user:42", "case.changed", KS_COUNTY, data, object },
	};
	struct app_error e;
	assert_int_equal(store_case_update(s, &next, steps, 2, &note, events, 2, &e), APP_OK);

	struct case_row *got = ks_get(s, id);
	ks_assert_same(&next, got);
	assert_int_equal(got->version, 2);
	assert_string_equal(got->county, KS_COUNTY);
	/* the clocks were replaced: followup is gone, arrive is new */
	assert_int_equal(got->nclocks, 3);
	assert_string_equal(got->clocks[0].name, "ack");
	assert_string_equal(got->clocks[0].status, "met");
	assert_string_equal(got->clocks[1].name, "arrive");
	assert_string_equal(got->clocks[2].name, "resolve");
	struct ks_steps *l = ks_timeline(s, id);
	assert_int_equal(l->n, 3);
	assert_string_equal(l->e[1].action, "acknowledge");
	assert_string_equal(l->e[2].action, "clock.met");
	assert_string_equal(ks_audit_of(s, object), "case.open case.acknowledge");
	snprintf(topic, sizeof(topic), "case:%" PRId64, id);
	struct ks_events *ev = ks_events_of(s, topic);
	assert_int_equal(ev->n, 2);
	assert_string_equal(ev->kind[0], "case.opened");
	assert_string_equal(ev->kind[1], "case.changed");
	assert_string_equal(ev->data[1], data);
	assert_int_equal(ks_events_of(s, "user:42")->n, 1);

	/* and again, to no clock at all */
	next.version = 3;
	next.nclocks = 0;
	snprintf(next.state, sizeof(next.state), "closed");
	next.closed_at = KS_NOW + 120;
	next.next_check = 0;
	assert_int_equal(store_case_update(s, &next, NULL, 0, &note, NULL, 0, &e), APP_OK);
	got = ks_get(s, id);
	ks_assert_same(&next, got);
	assert_int_equal(got->nclocks, 0);
	assert_int_equal(ks_timeline(s, id)->n, 3);
	assert_string_equal(ks_audit_of(s, object), "case.open case.acknowledge case.acknowledge");
}

static inline void ks_case_stale(struct store *s)
{
	struct case_row c;
	ks_fill(&c, KS_VILLAGE, "road", KS_NOW);
	c.nclocks = 1;
	c.clocks[0] = ks_clock("ack", "running", KS_NOW, KS_NOW + 3600);
	int64_t id = ks_insert(s, &c);
	char object[32];
	snprintf(object, sizeof(object), "case:%" PRId64, id);
	struct audit_note note = { "user:11", "case.acknowledge", object, KS_VILLAGE, "" };
	struct event_note ev = { object, "case.changed", KS_COUNTY, "{}", object };
	struct case_event_row step =
		ks_step(KS_NOW + 60, 11, "acknowledge", "received", "acknowledged", "", 0, "");

	/* two people read version 1; the first one's change is stored */
	struct case_row first = *ks_get(s, id), second = first;
	first.version = 2;
	snprintf(first.state, sizeof(first.state), "acknowledged");
	first.clocks[0] = ks_clock("ack", "met", KS_NOW, KS_NOW + 3600);
	struct app_error e;
	assert_int_equal(store_case_update(s, &first, &step, 1, &note, &ev, 1, &e), APP_OK);
	struct case_row before = *ks_get(s, id);
	int steps_before = ks_timeline(s, id)->n, audits_before = ks_audits(s);
	int64_t events_before = ks_events_head(s);

	/* the second one's, computed from version 1 too, is refused */
	second.version = 2;
	snprintf(second.state, sizeof(second.state), "returned");
	second.returns = 1;
	second.nclocks = 0;
	assert_int_equal(store_case_update(s, &second, &step, 1, &note, &ev, 1, &e), APP_ECONFLICT);
	assert_string_equal(e.msg, "the case was changed meanwhile: read it again");
	/* so is one from a version that never was */
	second.version = 7;
	assert_int_equal(store_case_update(s, &second, &step, 1, &note, &ev, 1, &e), APP_ECONFLICT);
	/* and nothing changed: row, clocks, timeline, audit, events */
	ks_assert_same(&before, ks_get(s, id));
	assert_string_equal(ks_get(s, id)->clocks[0].status, "met");
	assert_int_equal(ks_timeline(s, id)->n, steps_before);
	assert_int_equal(ks_audits(s), audits_before);
	assert_int_equal(ks_events_head(s), events_before);
	/* read again, the change goes through */
	second = *ks_get(s, id);
	second.version = 3;
	assert_int_equal(store_case_update(s, &second, &step, 1, &note, &ev, 1, &e), APP_OK);
	assert_int_equal(ks_get(s, id)->version, 3);
}

static inline void ks_case_unknown(struct store *s)
{
	struct case_row c;
	ks_fill(&c, KS_VILLAGE, "road", KS_NOW);
	int64_t id = ks_insert(s, &c);
	int audits = ks_audits(s);
	int64_t events = ks_events_head(s);
	c.id = id + 100;
	c.version = 2;
	struct audit_note note = { "user:11", "case.acknowledge", "case:x", KS_VILLAGE, "" };
	struct event_note ev = { "case:x", "case.changed", KS_COUNTY, "{}", NULL };
	struct case_event_row step = ks_step(KS_NOW, 11, "acknowledge", "a", "b", "", 0, "");
	struct app_error e;
	assert_int_equal(store_case_update(s, &c, &step, 1, &note, &ev, 1, &e), APP_ENOTFOUND);
	assert_string_equal(e.msg, "no such case");
	assert_int_equal(ks_timeline(s, id + 100)->n, 0);
	assert_int_equal(ks_audits(s), audits);
	assert_int_equal(ks_events_head(s), events);
	struct case_row out;
	assert_int_equal(store_case_get(s, id + 100, &out, &e), APP_ENOTFOUND);
	assert_int_equal(ks_get(s, id)->version, 1);
}

/* Three changes in one transaction: the stale one and the one of no case
 * are refused alone, with nothing of theirs stored; the other is stored
 * whole (row, timeline, audit entry, event). */
static inline void ks_case_update_many(struct store *s)
{
	int64_t id[2];
	struct case_row c[3];
	for (int i = 0; i < 2; i++) {
		ks_fill(&c[i], KS_VILLAGE, "road", KS_NOW);
		id[i] = ks_insert(s, &c[i]);
		c[i] = *ks_get(s, id[i]);
	}
	int audits = ks_audits(s);
	int64_t events = ks_events_head(s);
	c[0].version = 2; /* from version 1: good */
	snprintf(c[0].state, sizeof(c[0].state), "acknowledged");
	c[1].version = 5; /* from a version that never was */
	c[2] = c[0];      /* a case that is not there */
	c[2].id = id[1] + 100;
	struct audit_note note[3];
	struct event_note ev[3];
	struct case_event_row step =
		ks_step(KS_NOW + 60, 0, "clock.warned", "received", "received", "ack", 0, "");
	struct case_change ch[3];
	char object[3][32];
	for (int i = 0; i < 3; i++) {
		snprintf(object[i], sizeof(object[i]), "case:%" PRId64, c[i].id);
		note[i] = (struct audit_note){ "system:sweep", "case.clock", object[i], KS_VILLAGE, "" };
		ev[i] = (struct event_note){ object[i], "case.changed", KS_COUNTY, "{}", object[i] };
		ch[i] = (struct case_change){ &c[i], &step, 1, &note[i], &ev[i], 1, APP_EINTERNAL, { 0 } };
	}
	assert_int_equal(store_case_update_many(s, ch, 3), APP_OK);
	assert_int_equal(ch[0].result, APP_OK);
	assert_int_equal(ch[1].result, APP_ECONFLICT);
	assert_string_equal(ch[1].err.msg, "the case was changed meanwhile: read it again");
	assert_int_equal(ch[2].result, APP_ENOTFOUND);
	assert_string_equal(ks_get(s, id[0])->state, "acknowledged");
	assert_int_equal(ks_get(s, id[0])->version, 2);
	assert_int_equal(ks_timeline(s, id[0])->n, 2);
	assert_int_equal(ks_get(s, id[1])->version, 1);
	assert_int_equal(ks_timeline(s, id[1])->n, 1);
	assert_int_equal(ks_audits(s), audits + 1);
	assert_int_equal(ks_events_head(s), events + 1);
}

static inline bool ks_collect_fn(void *ctx, const struct case_row *c)
{
	struct ks_ids *l = ctx;
	l->id[l->n++] = c->id;
	assert_int_equal(c->nclocks, 1); /* with its clocks */
	return true;
}

/* Several cases read at once: those that exist, with their clocks; an id
 * of no case is left out. */
static inline void ks_case_get_many(struct store *s)
{
	int64_t ids[3];
	for (int i = 0; i < 2; i++) {
		struct case_row c;
		ks_fill(&c, KS_VILLAGE, "road", KS_NOW);
		c.nclocks = 1;
		c.clocks[0] = ks_clock("ack", "running", KS_NOW, KS_NOW + 180);
		ids[i] = ks_insert(s, &c);
	}
	ids[2] = ids[1] + 1000;
	struct ks_ids got = { 0 };
	struct app_error e;
	assert_int_equal(store_cases_get_many(s, ids, 3, ks_collect_fn, &got, &e), APP_OK);
	assert_int_equal(got.n, 2);
	assert_true((got.id[0] == ids[0] && got.id[1] == ids[1]) ||
		    (got.id[0] == ids[1] && got.id[1] == ids[0]));
}

static inline void ks_case_due(struct store *s)
{
	static const int64_t checks[] = { 0, KS_NOW + 300, KS_NOW + 100, KS_NOW + 200,
					  KS_NOW + 100 };
	int64_t id[5];
	for (int i = 0; i < 5; i++) {
		struct case_row c;
		ks_fill(&c, KS_VILLAGE, "road", KS_NOW);
		c.next_check = checks[i];
		id[i] = ks_insert(s, &c);
	}
	int64_t ids[8];
	int n = -1;
	struct app_error e;
	/* due by now: earliest first, equal instants by id */
	assert_int_equal(store_cases_due(s, KS_NOW + 250, 8, ids, &n, &e), APP_OK);
	assert_int_equal(n, 3);
	assert_int_equal(ids[0], id[2]);
	assert_int_equal(ids[1], id[4]);
	assert_int_equal(ids[2], id[3]);
	assert_int_equal(store_cases_due(s, KS_NOW + 250, 2, ids, &n, &e), APP_OK);
	assert_int_equal(n, 2);
	assert_int_equal(ids[1], id[4]);
	/* the instant itself is due; before the first, none; next_check 0 never */
	assert_int_equal(store_cases_due(s, KS_NOW + 100, 8, ids, &n, &e), APP_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_cases_due(s, KS_NOW + 99, 8, ids, &n, &e), APP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_cases_due(s, INT64_MAX, 8, ids, &n, &e), APP_OK);
	assert_int_equal(n, 4);
	assert_int_equal(ids[3], id[1]);
	/* a case looked at and set to 0 is not due any more */
	struct case_row c = *ks_get(s, id[2]);
	c.version = 2;
	c.next_check = 0;
	assert_int_equal(store_case_update(s, &c, NULL, 0, NULL, NULL, 0, &e), APP_OK);
	assert_int_equal(store_cases_due(s, KS_NOW + 250, 8, ids, &n, &e), APP_OK);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], id[4]);
	assert_int_equal(store_cases_due(s, KS_NOW, 0, ids, &n, &e), APP_EINVAL);
	assert_int_equal(n, 0);
}

/* The cases of the listing tests: six demands, in id (and time) order. */
struct ks_six {
	int64_t a, b, c, d, e, f;
};

static inline int64_t ks_put(struct store *s, const char *region, const char *category,
			     int64_t created, int64_t resident, const char *state)
{
	struct case_row c;
	ks_fill(&c, region, category, created);
	c.resident_id = resident;
	snprintf(c.state, sizeof(c.state), "%s", state);
	c.nclocks = 1;
	c.clocks[0] = ks_clock("ack", "running", created, created + 3600);
	return ks_insert(s, &c);
}

static inline struct ks_six ks_six(struct store *s)
{
	struct ks_six x;
	x.a = ks_put(s, KS_VILLAGE, "road", KS_NOW, KS_RESIDENT, "received");
	x.b = ks_put(s, KS_VILLAGE2, "water", KS_NOW + 10, 0, "acknowledged");
	x.c = ks_put(s, KS_OTHER_VILLAGE, "road", KS_NOW + 20, KS_RESIDENT, "received");
	x.d = ks_put(s, KS_OTHER_VILLAGE, "road", KS_NOW + 30, 0, "closed");
	x.e = ks_put(s, KS_VILLAGE, "road", KS_NOW + 40, 0, "merged");
	x.f = ks_put(s, KS_COUNTY, "road", KS_NOW + 50, 0, "received");
	return x;
}

static inline void ks_case_list_scope(struct store *s)
{
	struct ks_six x = ks_six(s);
	struct case_query q = ks_query(KS_TOWN);
	struct ks_ids l = ks_list(s, &q); /* a town sees its villages' cases only */
	KS_IDS(l, x.e, x.b, x.a);
	q = ks_query(KS_OTHER_TOWN);
	l = ks_list(s, &q);
	KS_IDS(l, x.d, x.c);
	q = ks_query(KS_VILLAGE);
	l = ks_list(s, &q);
	KS_IDS(l, x.e, x.a);
	q = ks_query(KS_COUNTY);
	l = ks_list(s, &q);
	KS_IDS(l, x.f, x.e, x.d, x.c, x.b, x.a);
	/* every listed case comes with its clocks */
	for (int i = 0; i < l.n; i++)
		assert_int_equal(l.nclocks[i], 1);
	/* a resident sees their own, wherever they are */
	q = ks_query(NULL);
	q.resident_id = KS_RESIDENT;
	l = ks_list(s, &q);
	KS_IDS(l, x.c, x.a);
	/* regions and a resident together: either */
	q = ks_query(KS_TOWN);
	q.resident_id = KS_RESIDENT;
	l = ks_list(s, &q);
	KS_IDS(l, x.e, x.c, x.b, x.a);
	/* two regions */
	q = ks_query(KS_VILLAGE2);
	q.regions[q.nregions++] = KS_OTHER_TOWN;
	l = ks_list(s, &q);
	KS_IDS(l, x.d, x.c, x.b);
	/* no scope: nothing; another type: nothing */
	q = ks_query(NULL);
	assert_int_equal(ks_list(s, &q).n, 0);
	q = ks_query(KS_COUNTY);
	q.type = "legal";
	assert_int_equal(ks_list(s, &q).n, 0);
	/* a type is required, and a limit */
	struct app_error e;
	struct ks_ids none = { 0 };
	q.type = "";
	assert_int_equal(store_cases_list(s, &q, ks_case_fn, &none, &e), APP_EINVAL);
	q = ks_query(KS_COUNTY);
	q.limit = 0;
	assert_int_equal(store_cases_list(s, &q, ks_case_fn, &none, &e), APP_EINVAL);
	assert_int_equal(none.n, 0);
}

static inline void ks_case_list_filters(struct store *s)
{
	struct ks_six x = ks_six(s);
	struct case_query q = ks_query(KS_COUNTY);
	q.state = "open"; /* neither closed nor merged */
	struct ks_ids l = ks_list(s, &q);
	KS_IDS(l, x.f, x.c, x.b, x.a);
	q.state = "closed";
	l = ks_list(s, &q);
	KS_IDS(l, x.d);
	q.state = "received";
	l = ks_list(s, &q);
	KS_IDS(l, x.f, x.c, x.a);
	q.state = "ended"; /* closed or merged */
	l = ks_list(s, &q);
	KS_IDS(l, x.e, x.d);
	q = ks_query(KS_COUNTY);
	q.category = "road";
	l = ks_list(s, &q);
	KS_IDS(l, x.f, x.e, x.d, x.c, x.a);
	q.category = "water";
	l = ks_list(s, &q);
	KS_IDS(l, x.b);
	/* within a region too, inside the scope */
	q = ks_query(KS_COUNTY);
	q.region = KS_OTHER_TOWN;
	l = ks_list(s, &q);
	KS_IDS(l, x.d, x.c);
	q = ks_query(KS_TOWN);
	q.region = KS_OTHER_TOWN;
	assert_int_equal(ks_list(s, &q).n, 0);
	/* made at or after since */
	q = ks_query(KS_COUNTY);
	q.since = KS_NOW + 20;
	l = ks_list(s, &q);
	KS_IDS(l, x.f, x.e, x.d, x.c);
	/* made before until, and in a window */
	q = ks_query(KS_COUNTY);
	q.until = KS_NOW + 20;
	l = ks_list(s, &q);
	KS_IDS(l, x.b, x.a);
	q.since = KS_NOW + 10;
	q.until = KS_NOW + 40;
	l = ks_list(s, &q);
	KS_IDS(l, x.d, x.c, x.b);
	/* all at once */
	q = ks_query(KS_COUNTY);
	q.resident_id = KS_RESIDENT;
	q.state = "open";
	q.category = "road";
	q.region = KS_TOWN;
	q.since = KS_NOW;
	l = ks_list(s, &q);
	KS_IDS(l, x.a);
}

/* The lines of demands within region at in [from, until), at most limit. */
static inline struct ks_steps *ks_between(struct store *s, const char *region, int64_t from,
					  int64_t until, int limit)
{
	static struct ks_steps l;
	memset(&l, 0, sizeof(l));
	struct case_event_query q = { "demand", region, from, until, limit };
	struct app_error e;
	if (store_case_events_between(s, &q, ks_step_fn, &l, &e) != APP_OK)
		fail_msg("lines between %" PRId64 " and %" PRId64 ": %s", from, until, e.msg);
	return &l;
}

static inline void ks_case_events_between(struct store *s)
{
	struct ks_six x = ks_six(s); /* each opened by one line, at KS_NOW + 0, 10, ... 50 */
	struct case_row other;         /* another type's lines are not demands' */
	ks_fill(&other, KS_VILLAGE, "road", KS_NOW + 5);
	snprintf(other.type, sizeof(other.type), "legal");
	ks_insert(s, &other);
	struct case_row a = *ks_get(s, x.a);
	a.version = 2;
	struct case_event_row more[] = { /* two lines of one second: in the order written */
		ks_step(KS_NOW + 60, 7, "acknowledge", "received", "acknowledged", "ack", 0, ""),
		ks_step(KS_NOW + 60, 7, "start", "acknowledged", "in_progress", "", 0, "已派人"),
	};
	struct app_error e;
	assert_int_equal(store_case_update(s, &a, more, 2, NULL, NULL, 0, &e), APP_OK);

	struct ks_steps *l = ks_between(s, KS_TOWN, KS_NOW, KS_NOW + 100, 50);
	assert_int_equal(l->n, 5); /* a, b and e are of the town; oldest first */
	const int64_t cases[] = { x.a, x.b, x.e, x.a, x.a };
	const char *const actions[] = { "open", "open", "open", "acknowledge", "start" };
	for (int i = 0; i < 5; i++) {
		assert_int_equal(l->e[i].case_id, cases[i]);
		assert_string_equal(l->e[i].action, actions[i]);
	}
	assert_true(l->e[4].id > l->e[3].id);
	assert_int_equal(l->e[4].at, KS_NOW + 60);
	assert_string_equal(l->e[4].to_state, "in_progress");
	assert_string_equal(l->e[4].detail, "已派人");
	/* the window is [from, until) */
	l = ks_between(s, KS_COUNTY, KS_NOW + 10, KS_NOW + 40, 50);
	assert_int_equal(l->n, 3);
	assert_int_equal(l->e[0].case_id, x.b);
	assert_int_equal(l->e[1].case_id, x.c);
	assert_int_equal(l->e[2].case_id, x.d);
	l = ks_between(s, KS_COUNTY, KS_NOW + 50, KS_NOW + 60, 50);
	assert_int_equal(l->n, 1);
	assert_int_equal(l->e[0].case_id, x.f);
	/* at most limit, the oldest; and a reader may stop early */
	l = ks_between(s, KS_COUNTY, KS_NOW, KS_NOW + 100, 2);
	assert_int_equal(l->n, 2);
	assert_int_equal(l->e[0].case_id, x.a);
	assert_int_equal(l->e[1].case_id, x.b);
	static struct ks_steps stop;
	memset(&stop, 0, sizeof(stop));
	stop.stop_after = 3;
	struct case_event_query q = { "demand", KS_COUNTY, KS_NOW, KS_NOW + 100, 50 };
	assert_int_equal(store_case_events_between(s, &q, ks_step_fn, &stop, &e), APP_OK);
	assert_int_equal(stop.n, 3);
	/* nothing of another village, nothing before anything happened */
	assert_int_equal(ks_between(s, KS_VILLAGE2, KS_NOW + 11, KS_NOW + 100, 50)->n, 0);
	assert_int_equal(ks_between(s, KS_COUNTY, 0, KS_NOW, 50)->n, 0);
	/* a window needs a type, a region and a limit */
	q.limit = 0;
	assert_int_equal(store_case_events_between(s, &q, ks_step_fn, &stop, &e), APP_EINVAL);
	q.limit = 5;
	q.region = NULL;
	assert_int_equal(store_case_events_between(s, &q, ks_step_fn, &stop, &e), APP_EINVAL);
}

static inline void ks_case_list_paging(struct store *s)
{
	struct ks_six x = ks_six(s);
	struct case_query q = ks_query(KS_COUNTY);
	q.limit = 2;
	struct ks_ids l = ks_list(s, &q);
	KS_IDS(l, x.f, x.e);
	q.before_id = x.e;
	l = ks_list(s, &q);
	KS_IDS(l, x.d, x.c);
	q.before_id = x.c;
	l = ks_list(s, &q);
	KS_IDS(l, x.b, x.a);
	q.before_id = x.a;
	assert_int_equal(ks_list(s, &q).n, 0);
	/* a listing stops when told */
	q = ks_query(KS_COUNTY);
	struct ks_ids two = { .stop_after = 2 };
	struct app_error e;
	assert_int_equal(store_cases_list(s, &q, ks_case_fn, &two, &e), APP_OK);
	assert_int_equal(two.n, 2);
	assert_int_equal(two.id[1], x.e);
}

static inline void ks_case_refused(struct store *s)
{
	int audits = ks_audits(s);
	int64_t events = ks_events_head(s);
	struct case_row c;
	struct app_error e;
	struct audit_note note = { "user:6", "case.open", "case:{id}", KS_NO_VILLAGE, "" };
	struct event_note ev = { "case:{id}", "case.opened", KS_COUNTY, "{}", "case:{id}" };
	struct case_event_row open = ks_step(KS_NOW, 6, "open", "", "received", "", 0, "");

	/* a region the registry does not know */
	ks_fill(&c, KS_NO_VILLAGE, "road", KS_NOW);
	c.nclocks = 1;
	c.clocks[0] = ks_clock("ack", "running", KS_NOW, KS_NOW + 3600);
	assert_int_equal(store_case_insert(s, &c, &open, 1, &note, &ev, 1, &e), APP_EINVAL);
	assert_string_equal(e.msg, "storing a case: region " KS_NO_VILLAGE " is not in the registry");
	assert_string_equal(e.field, "region");
	assert_int_equal(c.id, 0); /* set only on success */
	/* a value the schema refuses */
	ks_fill(&c, KS_VILLAGE, "road", KS_NOW);
	snprintf(c.urgency, sizeof(c.urgency), "whenever");
	assert_int_equal(store_case_insert(s, &c, &open, 1, &note, &ev, 1, &e), APP_EINVAL);
	assert_string_equal(e.msg, "storing a case: a value is out of range");
	ks_fill(&c, KS_VILLAGE, "road", KS_NOW);
	snprintf(c.source, sizeof(c.source), "fax");
	assert_int_equal(store_case_insert(s, &c, &open, 1, &note, &ev, 1, &e), APP_EINVAL);
	/* what the store checks before it writes */
	ks_fill(&c, KS_VILLAGE, "road", KS_NOW);
	c.nclocks = 2;
	c.clocks[0] = ks_clock("ack", "running", KS_NOW, KS_NOW + 3600);
	c.clocks[1] = ks_clock("ack", "idle", 0, 0);
	assert_int_equal(store_case_insert(s, &c, &open, 1, &note, &ev, 1, &e), APP_EINVAL);
	assert_string_equal(e.msg, "the case has clock ack twice");
	c.nclocks = CASE_CLOCKS_MAX + 1;
	assert_int_equal(store_case_insert(s, &c, &open, 1, &note, &ev, 1, &e), APP_EINVAL);
	c.nclocks = 0;
	struct event_note bad = { "case:{id}", "", KS_COUNTY, "{}", NULL };
	assert_int_equal(store_case_insert(s, &c, &open, 1, &note, &bad, 1, &e), APP_EINVAL);
	c.type[0] = '\0';
	assert_int_equal(store_case_insert(s, &c, &open, 1, &note, &ev, 1, &e), APP_EINVAL);
	/* nothing of any of them was kept */
	struct case_query q = ks_query("99");
	assert_int_equal(ks_list(s, &q).n, 0);
	assert_int_equal(ks_audits(s), audits);
	assert_int_equal(ks_events_head(s), events);

	/* a change to an unknown region is refused too, and changes nothing */
	ks_fill(&c, KS_VILLAGE, "road", KS_NOW);
	int64_t id = ks_insert(s, &c);
	audits = ks_audits(s);
	struct case_row next = *ks_get(s, id);
	next.version = 2;
	snprintf(next.region, sizeof(next.region), "%s", KS_NO_VILLAGE);
	assert_int_equal(store_case_update(s, &next, &open, 1, &note, &ev, 1, &e), APP_EINVAL);
	assert_string_equal(e.msg,
			    "changing a case: region " KS_NO_VILLAGE " is not in the registry");
	assert_string_equal(ks_get(s, id)->region, KS_VILLAGE);
	assert_int_equal(ks_get(s, id)->version, 1);
	assert_int_equal(ks_timeline(s, id)->n, 1);
	assert_int_equal(ks_audits(s), audits);
}

/* ---- two writers at once (wrapped by each test file, with its stores) ---- */

struct ks_racer {
	struct store *s;
	pthread_barrier_t *start;
	struct case_row c; /* the change to store */
	enum app_err rc;
	struct app_error e;
};

static inline void *ks_racer_main(void *arg)
{
	struct ks_racer *r = arg;
	char object[32];
	snprintf(object, sizeof(object), "case:%" PRId64, r->c.id);
	struct audit_note note = { "user:11", "case.change", object, KS_VILLAGE, "" };
	struct case_event_row step = ks_step(KS_NOW, 11, r->c.state, "", r->c.state, "", 0, "");
	pthread_barrier_wait(r->start);
	r->rc = store_case_update(r->s, &r->c, &step, 1, &note, NULL, 0, &r->e);
	return NULL;
}

/*
 * Two people change one case from the version they both read, at the same
 * moment, through a and b (one store, or two nodes on one database): one
 * change is stored, the other refused as stale, round after round; the
 * timeline and the audit trail hold the winners only.
 */
static inline void ks_update_race(struct store *a, struct store *b)
{
	enum { ROUNDS = 20 };
	struct case_row c;
	ks_fill(&c, KS_VILLAGE, "road", KS_NOW);
	int64_t id = ks_insert(a, &c);
	static struct ks_racer r[2];
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, 2);
	for (int round = 0; round < ROUNDS; round++) {
		struct case_row *now = ks_get(a, id);
		assert_int_equal(now->version, round + 1);
		pthread_t t[2];
		for (int i = 0; i < 2; i++) {
			r[i].s = i ? b : a;
			r[i].start = &start;
			r[i].c = *now;
			r[i].c.version = round + 2;
			snprintf(r[i].c.state, sizeof(r[i].c.state), "by%d.%d", i & 1, round % 100);
			r[i].c.returns = i;
			assert_int_equal(pthread_create(&t[i], NULL, ks_racer_main, &r[i]), 0);
		}
		for (int i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		int won = r[0].rc == APP_OK ? 0 : 1;
		if (r[won].rc != APP_OK)
			fail_msg("round %d: neither change was stored: %s", round, r[0].e.msg);
		if (r[1 - won].rc != APP_ECONFLICT)
			fail_msg("round %d: the other change: %s", round,
				 r[1 - won].rc == APP_OK ? "stored too" : r[1 - won].e.msg);
		struct case_row *got = ks_get(a, id);
		assert_string_equal(got->state, r[won].c.state);
		assert_int_equal(got->returns, won);
		assert_int_equal(ks_timeline(a, id)->n, round + 2);
		assert_string_equal(ks_timeline(a, id)->e[round + 1].action, r[won].c.state);
	}
	pthread_barrier_destroy(&start);
	char object[32];
	snprintf(object, sizeof(object), "case:%" PRId64, id);
	struct ks_audit au = { 0 };
	struct app_error e;
	assert_int_equal(store_audit_list(a, object, 64, ks_audit_fn, &au, &e), APP_OK);
	assert_int_equal(au.n, ROUNDS + 1);
}

#endif
