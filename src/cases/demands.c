/*
 * demands.c - raising, reading, handling and sweeping demands; see
 * demands.h. The engine (case.c) decides what a change does; this file
 * decides who may ask for it, translates between the engine's case and the
 * store's row, finds the group that answers at each rung, and turns the
 * engine's notices into events.
 */
#include "cases/demands.h"
#include "cases/case_rows.h"
#include "cases/case_settings.h"
#include "cases/categories.h"
#include "cases/demand.h"
#include "cases/delivery.h"
#include "core/division.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/pii.h"
#include "core/strbuf.h"
#include "core/utf8.h"
#include "groups/groups.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define SIMILAR_DAYS 30

/* ---- where a demand runs ---- */

/* The groups looked up for one request or one run of the sweep: the duty
 * hours of each group and the standing group of each place, so that a new
 * demand reads its village group once, and hundreds of due demands of a few
 * villages each group once. Entries live in the caller's arrays of `cap`
 * each; a full memo just stops remembering. NULL: no memo. */
struct memo_duty {
	int64_t id;
	bool found;
	int start, end;
};
struct memo_place {
	char where[DIVISION_CODE_MAX + 1];
	const char *kind; /* "village", "town" or "county" (a literal) */
	int64_t id;
};
struct group_memo {
	int cap, nduty, nplaces;
	struct memo_duty *duty;
	struct memo_place *place;
};

static void memo_duty_add(struct group_memo *memo, int64_t id, bool found, int start, int end)
{
	if (memo && memo->nduty < memo->cap)
		memo->duty[memo->nduty++] = (struct memo_duty){ id, found, start, end };
}

struct found_group {
	const char *region;
	struct group g;
	bool found;
};

static bool take_group(void *ctx, const struct group *g)
{
	struct found_group *f = ctx;
	if (strcmp(g->region, f->region) != 0)
		return true;
	f->g = *g;
	f->found = true;
	return false;
}

/* The standing group (village, town or county) of exactly region. */
static enum app_err standing_group(struct store *s, const char *region, const char *kind,
				   struct found_group *f, struct app_error *err)
{
	memset(f, 0, sizeof(*f));
	f->region = region;
	return store_group_list(s, region, kind, 0, 16, take_group, f, err);
}

/* The group that answers at rung `level` for a demand of region (0: none
 * found, which leaves the case with whoever holds it). */
static enum app_err group_at_level(struct store *s, struct group_memo *memo, const char *region,
				   int level, int64_t *id, struct app_error *err)
{
	char town[DIVISION_CODE_MAX + 1] = "", county[7];
	division_county(region, county);
	if (strlen(region) > 9)
		division_code_parent(region, DIV_VILLAGE, town);
	else if (strlen(region) == 9)
		snprintf(town, sizeof(town), "%s", region);
	const char *where = region, *kind = "village";
	if (level >= DEMAND_TOWN && *town) {
		where = town;
		kind = "town";
	}
	if (level >= DEMAND_COUNTY_DEPARTMENT || (level >= DEMAND_TOWN && !*town)) {
		where = county;
		kind = "county";
	}
	for (int i = 0; memo && i < memo->nplaces; i++)
		if (strcmp(memo->place[i].kind, kind) == 0 &&
		    strcmp(memo->place[i].where, where) == 0) {
			*id = memo->place[i].id;
			return APP_OK;
		}
	struct found_group f;
	enum app_err rc = standing_group(s, where, kind, &f, err);
	*id = rc == APP_OK && f.found ? f.g.id : 0;
	if (rc == APP_OK && memo && memo->nplaces < memo->cap) {
		snprintf(memo->place[memo->nplaces].where, sizeof(memo->place[0].where), "%s", where);
		memo->place[memo->nplaces].kind = kind;
		memo->place[memo->nplaces++].id = *id;
	}
	if (rc == APP_OK && f.found) /* its duty hours come with it */
		memo_duty_add(memo, f.g.id, true, f.g.duty_start, f.g.duty_end);
	return rc;
}

/* The duty hours of group id into *start and *end, left alone when there is
 * no such group. */
static enum app_err group_duty(struct store *s, struct group_memo *memo, int64_t id, int *start,
			       int *end, struct app_error *err)
{
	for (int i = 0; memo && i < memo->nduty; i++)
		if (memo->duty[i].id == id) {
			if (memo->duty[i].found) {
				*start = memo->duty[i].start;
				*end = memo->duty[i].end;
			}
			return APP_OK;
		}
	struct group g;
	enum app_err rc = store_group_get(s, id, &g, err);
	if (rc == APP_OK) {
		*start = g.duty_start;
		*end = g.duty_end;
	}
	if (rc != APP_OK && rc != APP_ENOTFOUND)
		return rc;
	memo_duty_add(memo, id, rc == APP_OK, *start, *end);
	return APP_OK;
}

/* The rules and duty hours a demand runs on: its county's settings
 * (case_settings.h) for its urgency, and the duty hours of its village's
 * group (the county's default duty hours when it has none). */
static enum app_err env_of(struct store *s, struct group_memo *memo, const struct calendar *cal,
			   const struct case_row *r, struct case_rules *rules, struct case_env *env,
			   struct app_error *err)
{
	enum demand_urgency u = DEMAND_GENERAL;
	demand_urgency_parse(r->urgency, &u);
	const struct case_settings *cs;
	enum app_err rc = case_settings_get(s, r->county, &cs, err);
	if (rc != APP_OK)
		return rc;
	case_settings_rules(cs, u, rules);
	*env = (struct case_env){ cal, rules, cs->duty_start, cs->duty_end };
	case_settings_put(cs);
	if (!r->group_id)
		return APP_OK;
	return group_duty(s, memo, r->group_id, &env->duty_start, &env->duty_end, err);
}

/* ---- steps, notices and events ---- */

struct notices {
	int n;
	char topic[CASE_NOTICES_MAX * 2][EVENT_TOPIC_MAX];
	char kind[CASE_NOTICES_MAX * 2][32];
	struct event_note ev[CASE_NOTICES_MAX * 2];
	struct strbuf data;
};

static void notice_to(struct notices *ns, const char *kind, const char *fmt, int64_t id)
{
	if (!id || ns->n == (int)(sizeof(ns->ev) / sizeof(ns->ev[0])))
		return;
	snprintf(ns->topic[ns->n], EVENT_TOPIC_MAX, fmt, id);
	for (int i = 0; i < ns->n; i++)
		if (strcmp(ns->topic[i], ns->topic[ns->n]) == 0 && strcmp(ns->kind[i], kind) == 0)
			return;
	snprintf(ns->kind[ns->n], sizeof(ns->kind[0]), "%s", kind);
	ns->n++;
}

/*
 * The events telling people of a change: the holder (its person, else its
 * group's topic), the resident who raised it, the first receiver, and for
 * an escalation the group of the new rung. Their data is the demand's id,
 * state, level and version (readers fetch the rest, as their scope allows).
 */
static void make_notices(const struct case_row *r, const struct case_result *res,
			 int64_t level_group, struct notices *ns)
{
	memset(ns, 0, offsetof(struct notices, data));
	strbuf_init(&ns->data, 128);
	for (int i = 0; i < res->nnotices; i++) {
		const struct case_notice *n = &res->notices[i];
		switch (n->whom) {
		case CASE_TELL_ASSIGNEE:
			if (r->assignee_user)
				notice_to(ns, n->kind, "user:%" PRId64, r->assignee_user);
			else
				notice_to(ns, n->kind, "cases:%" PRId64, r->assignee_group);
			break;
		case CASE_TELL_LEVEL:
			notice_to(ns, n->kind, "cases:%" PRId64, level_group);
			break;
		case CASE_TELL_FIRST_RECEIVER:
			notice_to(ns, n->kind, "user:%" PRId64, r->first_receiver);
			break;
		case CASE_TELL_RESIDENT:
			notice_to(ns, n->kind, "user:%" PRId64, r->resident_id);
			break;
		default:
			break;
		}
	}
	/* a new case has no id yet: the store puts it in place of "{id}" */
	char id[24] = "{id}";
	if (r->id)
		snprintf(id, sizeof(id), "%" PRId64, r->id);
	strbuf_addf(&ns->data, "{\"id\":%s,\"state\":\"%s\",\"level\":%d,\"version\":%d}", id,
		    r->state, r->level, r->version);
	for (int i = 0; i < ns->n; i++)
		ns->ev[i] = (struct event_note){ ns->topic[i], ns->kind[i], r->county, ns->data.buf,
						 NULL };
}

/* ---- raising ---- */

static enum app_err check_text(const char *field, const char *v, size_t max_chars, bool required,
			       struct app_error *err)
{
	if (!v || !*v)
		return required ? app_fail_field(err, APP_EINVAL, field, "%s is required", field)
				: APP_OK;
	size_t n = strlen(v);
	if (!utf8_valid(v, n))
		return app_fail_field(err, APP_EINVAL, field, "%s is not valid UTF-8", field);
	if (utf8_length(v, n) > max_chars)
		return app_fail_field(err, APP_ETOOBIG, field, "%s is longer than %zu characters",
				      field, max_chars);
	return APP_OK;
}

/* The first `chars` characters of s into out. */
static void cut_chars(const char *s, size_t chars, char *out, size_t cap)
{
	size_t i = 0, seen = 0;
	while (s[i] && seen < chars && i + 4 < cap) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		seen++;
	}
	snprintf(out, cap, "%.*s", (int)i, s);
}

/* Whether code names a village (a demand is always about one: its group
 * answers first). */
static bool is_village(const char *code)
{
	enum division_level level;
	struct app_error ignored;
	return division_code_check(code, &level, &ignored) == APP_OK && level == DIV_VILLAGE;
}

/* Where c may raise a demand: a handler names a village in scope; a
 * resident raises about their own village (their account's region). */
static enum app_err check_raise_scope(struct store *s, const struct auth_caller *c,
				      const char **region, char *own, struct app_error *err)
{
	if (auth_has(c, PERM_CASES_HANDLE)) {
		if (!**region)
			return app_fail_field(err, APP_EINVAL, "region",
					      "say which village the demand is about (region)");
		if (!is_village(*region))
			return app_fail_field(err, APP_EINVAL, "region",
					      "a demand is about a village: %.12s is not a village code",
					      *region);
		enum app_err rc = auth_scope(c, PERM_CASES_HANDLE, *region, err);
		if (rc == APP_ENOTFOUND) /* the region is the caller's own word: say it */
			return app_fail_field(err, APP_EPERM, "region",
					      "region %.12s is outside the regions you handle", *region);
		return rc;
	}
	if (c->kind != AUTH_SESSION)
		return app_fail(err, APP_EPERM, "only residents and the cadres handling demands "
				"may raise one");
	struct user u;
	enum app_err rc = store_user_get(s, c->user_id, &u, err);
	if (rc != APP_OK)
		return rc;
	snprintf(own, DIVISION_CODE_MAX + 1, "%s", u.region);
	if (!is_village(own))
		return app_fail(err, APP_EPERM, "only residents of a village raise demands");
	if (**region && strcmp(*region, own) != 0)
		return app_fail_field(err, APP_EPERM, "region",
				      "a resident raises demands about their own village only");
	*region = own;
	return APP_OK;
}

/* The category code of a demand about region: one of its county's tree
 * (case_settings.h), still in use; its code into out, the urgency it
 * implies into *urgency. */
static enum app_err check_category(struct store *s, const char *region, const char *code,
				   char out[CASE_CATEGORY_CODE_MAX], enum demand_urgency *urgency,
				   struct app_error *err)
{
	char county[7];
	division_county(region, county);
	const struct case_settings *cs;
	enum app_err rc = case_settings_get(s, county, &cs, err);
	if (rc != APP_OK)
		return rc;
	const struct category *cat = case_settings_category(cs, code);
	if (!cat)
		rc = app_fail_field(err, APP_EINVAL, "category", "no such category '%.32s'",
				    code ? code : "");
	else if (!cat->active)
		rc = app_fail_field(err, APP_EINVAL, "category",
				    "category '%s' (%s) is no longer used in county %s: choose another",
				    cat->code, cat->name, county);
	if (rc == APP_OK) {
		snprintf(out, CASE_CATEGORY_CODE_MAX, "%s", cat->code);
		*urgency = cat->urgency;
	}
	case_settings_put(cs);
	return rc;
}

/* Raise a demand once its message (if any) is read: author is the
 * message's author, 0 when none. */
static enum app_err raise_checked(struct store *s, const struct calendar *cal,
				  const struct auth_caller *c, const struct demand_new *in,
				  int64_t author, int64_t now, struct case_row *out,
				  struct app_error *err)
{
	char own[DIVISION_CODE_MAX + 1] = "";
	const char *region = in->region ? in->region : "";
	enum app_err rc = check_raise_scope(s, c, &region, own, err);
	char category[CASE_CATEGORY_CODE_MAX];
	enum demand_urgency urgency = DEMAND_GENERAL;
	if (rc == APP_OK)
		rc = check_category(s, region, in->category, category, &urgency, err);
	if (rc == APP_OK && in->urgency && !demand_urgency_parse(in->urgency, &urgency))
		rc = app_fail_field(err, APP_EINVAL, "urgency",
				    "urgency must be emergency, utilities, general or complex");
	if (rc == APP_OK)
		rc = check_text("description", in->description, DEMAND_DESCRIPTION_MAX, true, err);
	if (rc == APP_OK)
		rc = check_text("title", in->title, DEMAND_TITLE_MAX, false, err);
	if (rc == APP_OK)
		rc = check_text("address", in->address, DEMAND_ADDRESS_MAX, false, err);
	if (rc == APP_OK)
		rc = check_text("contact_name", in->contact_name, DEMAND_NAME_MAX, false, err);
	if (rc == APP_OK && in->located &&
	    (in->lat < -90 || in->lat > 90 || in->lon < -180 || in->lon > 180))
		rc = app_fail_field(err, APP_EINVAL, "lat", "coordinates are out of range");
	char phone[16] = "";
	if (rc == APP_OK && in->contact_phone && *in->contact_phone &&
	    pii_phone_check(in->contact_phone, phone, err) != APP_OK)
		rc = app_fail_field(err, APP_EINVAL, "contact_phone", "%s", err->msg);
	if (rc != APP_OK)
		return rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->type, sizeof(out->type), "demand");
	snprintf(out->region, sizeof(out->region), "%s", region);
	division_county(region, out->county); /* for the events, before the store sets it */
	snprintf(out->category, sizeof(out->category), "%s", category);
	snprintf(out->urgency, sizeof(out->urgency), "%s", demand_urgency_name(urgency));
	if (in->title && *in->title)
		snprintf(out->title, sizeof(out->title), "%s", in->title);
	else
		cut_chars(in->description, 30, out->title, sizeof(out->title));
	snprintf(out->description, sizeof(out->description), "%s", in->description);
	snprintf(out->address, sizeof(out->address), "%s", in->address ? in->address : "");
	out->located = in->located;
	out->lat = in->lat;
	out->lon = in->lon;
	snprintf(out->contact_name, sizeof(out->contact_name), "%s",
		 in->contact_name ? in->contact_name : "");
	snprintf(out->contact_phone, sizeof(out->contact_phone), "%s", phone);
	/* who raised it: the resident, or the author of the message marked */
	out->resident_id = author ? author
				  : (c->kind == AUTH_SESSION && !auth_has(c, PERM_CASES_HANDLE)
					     ? c->user_id
					     : 0);
	snprintf(out->source, sizeof(out->source), "%s", in->source ? in->source : "app");
	out->source_message_id = in->source_message_id;

	int64_t village_group;
	struct memo_duty duty[1];
	struct memo_place place[1];
	struct group_memo memo = { 1, 0, 0, duty, place }; /* the village group, read once */
	if ((rc = group_at_level(s, &memo, region, DEMAND_VILLAGE_DUTY, &village_group, err)) != APP_OK)
		return rc;
	out->group_id = village_group;
	struct case_rules rules;
	struct case_env env;
	if ((rc = env_of(s, &memo, cal, out, &rules, &env, err)) != APP_OK)
		return rc;
	struct case_data d;
	struct case_result res;
	/* a handler raising it on someone's behalf received it first (首接) */
	int64_t receiver = auth_has(c, PERM_CASES_HANDLE) && c->kind == AUTH_SESSION ? c->user_id : 0;
	if ((rc = case_open(&demand_type, &env, now, receiver, &d, &res, err)) != APP_OK)
		return rc;
	d.assignee_group = village_group;
	case_rows_put(&demand_type, &d, out);
	struct case_event_row steps[CASE_STEPS_MAX];
	case_rows_steps(&demand_type, &res, 0, c->kind == AUTH_SESSION ? c->user_id : 0, now, steps);
	struct notices ns;
	make_notices(out, &res, 0, &ns);
	struct audit_note note = { c->actor, "demand.raise", "case:{id}", region, out->category };
	rc = store_case_insert(s, out, steps, res.nsteps, &note, ns.ev, ns.n, err);
	strbuf_release(&ns.data);
	return rc;
}

/*
 * A demand made of a group message (a cadre marks it, or its author flags
 * it): the caller must see the message's group; the demand is about the
 * group's region, raised for the message's author, with the message's text
 * unless the caller wrote another description.
 */
static enum app_err from_message(struct store *s, const struct auth_caller *c,
				 struct demand_new *in, struct message *m,
				 char region[DIVISION_CODE_MAX + 1], int64_t *author,
				 struct app_error *err)
{
	struct group g;
	enum app_err rc = store_message_get(s, in->source_message_id, m, err);
	if (rc == APP_OK)
		rc = groups_open(s, c, m->group_id, GROUPS_SEE, &g, err);
	if (rc == APP_ENOTFOUND || rc == APP_EPERM)
		return app_fail_field(err, APP_ENOTFOUND, "source_message_id", "no such message");
	if (rc != APP_OK)
		return rc;
	if (strcmp(m->state, "visible") != 0)
		return app_fail_field(err, APP_EINVAL, "source_message_id",
				      "a recalled or hidden message cannot become a demand");
	bool handler = auth_has(c, PERM_CASES_HANDLE);
	if (!handler && (c->kind != AUTH_SESSION || m->author_id != c->user_id))
		return app_fail_field(err, APP_EPERM, "source_message_id",
				      "a resident flags their own messages only");
	if (!in->region || !*in->region) {
		snprintf(region, DIVISION_CODE_MAX + 1, "%s", g.region);
		in->region = region;
	}
	if (!in->description || !*in->description)
		in->description = m->body;
	*author = m->author_id;
	return APP_OK;
}

/* APP_ECONFLICT naming the demand when message_id was raised as one
 * already (a message becomes one demand; the database holds to that too). */
static enum app_err raised_already(struct store *s, int64_t message_id, struct app_error *err)
{
	int64_t id;
	enum app_err rc = store_case_of_message(s, message_id, &id, err);
	if (rc == APP_OK && id)
		return app_fail_field(err, APP_ECONFLICT, "source_message_id",
				      "message %" PRId64 " was raised already: it is demand %" PRId64,
				      message_id, id);
	return rc;
}

enum app_err demands_raise(struct store *s, const struct calendar *cal,
			   const struct auth_caller *c, const struct demand_new *asked, int64_t now,
			   struct case_row *out, struct app_error *err)
{
	struct demand_new copy = *asked, *in = &copy;
	char region[DIVISION_CODE_MAX + 1];
	struct message *m = NULL;
	int64_t author = 0;
	enum app_err rc = APP_OK;
	if (in->source_message_id) {
		m = malloc(sizeof(*m));
		rc = m ? from_message(s, c, in, m, region, &author, err)
		       : app_fail(err, APP_EINTERNAL, "out of memory");
		if (rc == APP_OK)
			rc = raised_already(s, in->source_message_id, err);
	}
	if (rc == APP_OK)
		rc = raise_checked(s, cal, c, in, author, now, out, err);
	/* lost a race with another raise of the message: the unique index on
	 * the source message refused this one (a conflict); say which demand won */
	if (rc == APP_ECONFLICT && in->source_message_id) {
		struct app_error again;
		if (raised_already(s, in->source_message_id, &again) == APP_ECONFLICT)
			rc = app_fail_field(err, APP_ECONFLICT, again.field, "%s", again.msg);
	}
	free(m);
	return rc;
}

/* ---- reading ---- */

bool demands_raised_by(const struct auth_caller *c, const struct case_row *d)
{
	return c->kind == AUTH_SESSION && d->resident_id && d->resident_id == c->user_id;
}

bool demands_may_handle(const struct auth_caller *c, const struct case_row *d)
{
	struct app_error ignored;
	return auth_scope(c, PERM_CASES_HANDLE, d->region, &ignored) == APP_OK;
}

enum app_err demands_get(struct store *s, const struct auth_caller *c, int64_t id,
			 struct case_row *out, struct app_error *err)
{
	enum app_err rc = store_case_get(s, id, out, err);
	if (rc == APP_ENOTFOUND || (rc == APP_OK && strcmp(out->type, "demand") != 0))
		return app_fail(err, APP_ENOTFOUND, "no such demand");
	if (rc != APP_OK)
		return rc;
	if (demands_raised_by(c, out))
		return APP_OK;
	rc = auth_scope(c, PERM_CASES_READ, out->region, err);
	if (rc == APP_ENOTFOUND || rc == APP_EPERM)
		return app_fail(err, APP_ENOTFOUND, "no such demand"); /* absent, not forbidden */
	return rc;
}

enum app_err demands_list(struct store *s, const struct auth_caller *c, struct case_query *q,
			  store_case_fn fn, void *ctx, struct app_error *err)
{
	q->type = "demand";
	q->nregions = 0;
	for (int i = 0; i < c->ngrants && q->nregions < 4; i++)
		if (auth_role_perms[c->grants[i].role] & PERM_CASES_READ)
			q->regions[q->nregions++] = c->grants[i].region;
	q->resident_id = c->kind == AUTH_SESSION ? c->user_id : 0;
	if (!q->nregions && !q->resident_id)
		return app_fail(err, APP_EPERM, "you may not read demands");
	return store_cases_list(s, q, fn, ctx, err);
}

enum app_err demands_similar(struct store *s, const struct auth_caller *c, const char *region,
			     const char *category, int64_t now, store_case_fn fn, void *ctx,
			     struct app_error *err)
{
	struct case_query q = { .state = "open", .category = category, .region = region,
				.since = now - (int64_t)SIMILAR_DAYS * 86400,
				.limit = DEMANDS_SIMILAR_MAX };
	return demands_list(s, c, &q, fn, ctx, err);
}

enum app_err demands_contact(struct store *s, const struct auth_caller *c, int64_t id,
			     const char *reason, struct demand_contact *out, struct app_error *err)
{
	struct case_row *d = malloc(sizeof(*d));
	if (!d)
		return app_fail(err, APP_EINTERNAL, "out of memory");
	enum app_err rc = demands_get(s, c, id, d, err);
	if (rc == APP_OK && !demands_may_handle(c, d))
		rc = app_fail(err, APP_EPERM, "only those handling the demand may see its contact");
	struct app_error scope;
	if (rc == APP_OK && auth_scope(c, PERM_PERSONAL_DATA, d->region, &scope) != APP_OK)
		rc = app_fail(err, APP_EPERM, "your role may not reveal personal data here");
	if (rc == APP_OK)
		rc = check_text("reason", reason, DEMAND_REASON_MAX, true, err);
	struct demand_contact found = { .from_account = false };
	if (rc == APP_OK) {
		snprintf(found.name, sizeof(found.name), "%s", d->contact_name);
		snprintf(found.phone, sizeof(found.phone), "%s", d->contact_phone);
	}
	/* no phone of its own: the resident who raised it is the contact */
	struct user u;
	if (rc == APP_OK && !found.phone[0] && d->resident_id) {
		rc = store_user_get(s, d->resident_id, &u, err);
		if (rc == APP_OK) {
			if (!found.name[0])
				snprintf(found.name, sizeof(found.name), "%s", u.name);
			snprintf(found.phone, sizeof(found.phone), "%s", u.phone);
			found.from_account = true;
		} else if (rc == APP_ENOTFOUND) { /* the account is gone: no contact there */
			rc = APP_OK;
		}
	}
	if (rc == APP_OK) { /* recorded before the contact leaves; no number in it */
		char object[32], summary[64 + 4 * DEMAND_REASON_MAX];
		snprintf(object, sizeof(object), "case:%" PRId64, d->id);
		snprintf(summary, sizeof(summary), "contact revealed; reason: %s", reason);
		struct audit_note note = { c->actor, "demand.contact_read", object, d->region,
					   summary };
		rc = store_audit_append(s, &note, err);
	}
	if (rc == APP_OK)
		*out = found;
	free(d);
	return rc;
}

enum app_err demands_group_open(struct store *s, const struct auth_caller *c, int64_t group_id,
				struct group *out, struct app_error *err)
{
	enum app_err rc = store_group_get(s, group_id, out, err);
	if (rc == APP_OK)
		rc = auth_scope(c, PERM_CASES_READ, out->region, err);
	if (rc == APP_ENOTFOUND) /* outside the scope: absent */
		return app_fail(err, APP_ENOTFOUND, "no such group");
	return rc;
}

/* ---- acting ---- */

/*
 * The rung of group id for a demand of region: its village group is the
 * duty rung, its town's group the town, its county's the county department
 * rung; -1 for an ad-hoc group (the rung stays). APP_EINVAL (field
 * assignee_group) for a group that does not cover the demand's village.
 */
static enum app_err level_of_group(struct store *s, const char *region, int64_t id, int *level,
				   struct app_error *err)
{
	struct group g;
	enum app_err rc = store_group_get(s, id, &g, err);
	if (rc == APP_ENOTFOUND || (rc == APP_OK && !division_code_within(region, g.region)))
		return app_fail_field(err, APP_EINVAL, "assignee_group",
				      "group %" PRId64 " does not serve this demand's village", id);
	if (rc != APP_OK)
		return rc;
	*level = strcmp(g.kind, "village") == 0 ? DEMAND_VILLAGE_DUTY
		 : strcmp(g.kind, "town") == 0  ? DEMAND_TOWN
		 : strcmp(g.kind, "county") == 0 ? DEMAND_COUNTY_DEPARTMENT
						  : -1;
	return APP_OK;
}

/* A change of a demand, worked out and ready to store. */
struct prepared {
	bool changed; /* false: the command changed nothing, there is nothing to store */
	struct case_event_row *steps;
	int nsteps;
	struct notices ns;
	char object[32];
	struct audit_note note;
};

static void prepared_release(struct prepared *p)
{
	free(p->steps);
	if (p->changed)
		strbuf_release(&p->ns.data);
	memset(p, 0, sizeof(*p));
}

/* What store_case_update_many takes for the change p of row. */
static struct case_change change_of(const struct case_row *row, const struct prepared *p)
{
	return (struct case_change){ row, p->steps, p->nsteps, &p->note, p->ns.ev, p->ns.n,
				     APP_OK, { 0 } };
}

/*
 * Apply one engine command to *row (changed in place) and work out what
 * storing it takes, into *p (release it after). p->changed is false when
 * the command changes nothing. memo: the sweep's, or NULL.
 */
static enum app_err prepare_change(struct store *s, struct group_memo *memo,
				   const struct calendar *cal, const struct auth_caller *c,
				   struct case_row *row, const struct case_cmd *cmd,
				   const char *audit_action, struct prepared *p, struct app_error *err)
{
	struct case_rules rules;
	struct case_env env;
	struct case_data d = { 0 };
	struct case_result res;
	memset(p, 0, sizeof(*p));
	enum app_err rc = env_of(s, memo, cal, row, &rules, &env, err);
	if (rc == APP_OK)
		rc = case_rows_get(&demand_type, row, &d, err);
	int old_level = d.level;
	if (rc == APP_OK)
		rc = case_apply(&demand_type, &env, &d, cmd, &res, err);
	if (rc != APP_OK || !res.changed)
		return rc;
	/* a group handed the case puts it on that group's rung */
	const struct case_transition *t = case_transition_of(&demand_type, cmd->action);
	if (t && (t->does & CASE_ASSIGNS) && cmd->assignee_group) {
		int level = -1;
		if ((rc = level_of_group(s, row->region, cmd->assignee_group, &level, err)) != APP_OK)
			return rc;
		if (level >= 0)
			d.level = old_level = level;
	}
	int64_t level_group = 0;
	if (d.level != old_level) { /* the rung above takes it */
		if ((rc = group_at_level(s, memo, row->region, d.level, &level_group, err)) != APP_OK)
			return rc;
		if (level_group) {
			d.assignee_group = level_group;
			d.assignee_user = 0;
		}
	}
	case_rows_put(&demand_type, &d, row);
	if (strcmp(row->state, "closed") == 0 || strcmp(row->state, "merged") == 0)
		row->closed_at = cmd->now;
	p->changed = true;
	p->nsteps = res.nsteps;
	p->steps = xcalloc((size_t)res.nsteps + 1, sizeof(*p->steps));
	case_rows_steps(&demand_type, &res, row->id, cmd->actor, cmd->now, p->steps);
	make_notices(row, &res, level_group, &p->ns);
	snprintf(p->object, sizeof(p->object), "case:%" PRId64, row->id);
	p->note = (struct audit_note){ c ? c->actor : "system:sweep", audit_action, p->object,
				       row->region, cmd->action };
	return APP_OK;
}

/* Apply one engine command to *row and store it. */
static enum app_err apply_and_store(struct store *s, const struct calendar *cal,
				   const struct auth_caller *c, struct case_row *row,
				   const struct case_cmd *cmd, const char *audit_action,
				   bool *changed, struct app_error *err)
{
	struct prepared p;
	enum app_err rc = prepare_change(s, NULL, cal, c, row, cmd, audit_action, &p, err);
	if (rc == APP_OK && p.changed)
		rc = store_case_update(s, row, p.steps, p.nsteps, &p.note, p.ns.ev, p.ns.n, err);
	if (changed)
		*changed = rc == APP_OK && p.changed;
	prepared_release(&p);
	return rc;
}

/* The demand a duplicate is merged into: one c may handle, still open. */
static enum app_err merge_target(struct store *s, const struct auth_caller *c, int64_t id,
				 int64_t target, struct case_row *t, struct app_error *err)
{
	if (!target || target == id)
		return app_fail_field(err, APP_EINVAL, "merge_into",
				      "merging needs the id of the demand this one duplicates");
	enum app_err rc = demands_get(s, c, target, t, err);
	if (rc == APP_ENOTFOUND)
		return app_fail_field(err, APP_EINVAL, "merge_into", "no such demand to merge into");
	if (rc != APP_OK)
		return rc;
	if (!demands_may_handle(c, t))
		return app_fail_field(err, APP_EPERM, "merge_into",
				      "you may not act on the demand to merge into");
	if (strcmp(t->state, "closed") == 0 || strcmp(t->state, "merged") == 0)
		return app_fail_field(err, APP_EINVAL, "merge_into",
				      "the demand to merge into is %s", t->state);
	return APP_OK;
}

/* After the duplicate was merged: a line on the demand it duplicates (two
 * transactions: if this one loses a race, the duplicate stays merged and
 * its own timeline names the target). */
static enum app_err note_merge(struct store *s, const struct calendar *cal,
			       const struct auth_caller *c, const struct case_row *dup,
			       struct case_row *t, int64_t now, struct app_error *err)
{
	char why[64];
	snprintf(why, sizeof(why), "merged: demand %" PRId64 " duplicates this one", dup->id);
	struct case_cmd note = { .action = "note", .now = now, .actor = c->user_id,
				 .expect_version = t->version, .reason = why };
	return apply_and_store(s, cal, c, t, &note, "demand.merge", NULL, err);
}

enum app_err demands_act(struct store *s, const struct calendar *cal, const struct auth_caller *c,
			 int64_t id, const struct demand_act *a, int64_t now, struct case_row *out,
			 struct app_error *err)
{
	/* the sweep's tick and the follow-up's confirmation are not actions of
	 * their own: the follow-up says resolved or not, and how satisfied */
	if (strcmp(a->action, "tick") == 0 || strcmp(a->action, "confirm") == 0)
		return app_fail_field(err, APP_EINVAL, "action",
				      "'%s' is not an action: use follow_up", a->action);
	enum app_err rc = demands_get(s, c, id, out, err);
	if (rc != APP_OK)
		return rc;
	bool follow_up = strcmp(a->action, "follow_up") == 0;
	bool handler = demands_may_handle(c, out);
	if (!handler && !(follow_up && demands_raised_by(c, out)))
		return app_fail(err, APP_EPERM, "you may read this demand but not act on it");
	struct case_cmd cmd = { .action = a->action, .now = now,
				.actor = c->kind == AUTH_SESSION ? c->user_id : 0,
				.expect_version = a->version, .reason = a->reason,
				.basis = a->basis, .assignee_user = a->assignee_user,
				.assignee_group = a->assignee_group, .unit = a->unit };
	bool satisfied = false;
	if (follow_up) {
		if (!a->resolved) {
			cmd.action = "reopen";
			if (!cmd.reason || !*cmd.reason)
				cmd.reason = "回访：未解决";
		} else if (!a->rating || (strcmp(a->rating, "satisfied") != 0 &&
					  strcmp(a->rating, "fair") != 0 &&
					  strcmp(a->rating, "dissatisfied") != 0)) {
			return app_fail_field(err, APP_EINVAL, "rating",
					      "rating must be satisfied, fair or dissatisfied");
		} else {
			cmd.action = "confirm";
			satisfied = strcmp(a->rating, "dissatisfied") != 0;
			snprintf(out->rating, sizeof(out->rating), "%s", a->rating);
		}
	}
	if (strcmp(cmd.action, "reopen") == 0)
		out->rating[0] = '\0'; /* the next follow-up rates it anew */
	struct case_row *target = NULL;
	if (strcmp(cmd.action, "merge") == 0) {
		if (!(target = malloc(sizeof(*target))))
			return app_fail(err, APP_EINTERNAL, "out of memory");
		if ((rc = merge_target(s, c, id, a->merge_into, target, err)) != APP_OK) {
			free(target);
			return rc;
		}
		out->merged_into = a->merge_into;
	}
	char audit_action[48];
	snprintf(audit_action, sizeof(audit_action), "demand.%s", cmd.action);
	rc = apply_and_store(s, cal, c, out, &cmd, audit_action, NULL, err);
	if (rc == APP_OK && target)
		rc = note_merge(s, cal, c, out, target, now, err);
	free(target);
	/* satisfied (or fair): the follow-up closes it; dissatisfied waits for
	 * a handler to close or reopen it */
	if (rc == APP_OK && satisfied) {
		struct case_cmd close = { .action = "close", .now = now, .actor = cmd.actor,
					  .expect_version = out->version };
		rc = apply_and_store(s, cal, c, out, &close, "demand.close", NULL, err);
	}
	return rc;
}

int demands_actions(const struct auth_caller *c, const struct case_row *d, int64_t now,
		    const char **out, int cap)
{
	struct case_data data;
	struct app_error ignored;
	int n = 0;
	if (case_rows_get(&demand_type, d, &data, &ignored) != APP_OK)
		return 0;
	bool handler = demands_may_handle(c, d);
	for (int i = 0; handler && i < demand_type.nactions && n < cap; i++) {
		const char *name = demand_type.actions[i].action;
		if (strcmp(name, "confirm") != 0 &&
		    case_allowed(&demand_type, &data, name, now, &ignored) == APP_OK)
			out[n++] = name;
	}
	bool followable = data.state == DEMAND_RESOLVED || data.state == DEMAND_FOLLOWED_UP;
	if (followable && (handler || demands_raised_by(c, d)) && n < cap)
		out[n++] = "follow_up";
	return n;
}

/* ---- the sweep ---- */

/* Demands whose clocks one transaction of the sweep stores at most. */
enum { SWEEP_BATCH = 64 };

/* A demand's failure in the sweep: logged, and the sweep goes on unless the
 * database itself failed (false). */
static bool sweep_tolerates(int64_t id, enum app_err rc, const struct app_error *err)
{
	if (rc == APP_OK || rc == APP_ECONFLICT || rc == APP_ENOTFOUND) /* acted on meanwhile */
		return true;
	if (rc == APP_EDB || rc == APP_EUNAVAIL)
		return false;
	/* this demand only: the others' clocks must not wait for it */
	log_error("demands.sweep_failed", "case=%" PRId64 " reason=\"%s\"", id, err->msg);
	return true;
}

/* The due demands of a batch as read: rows[i] is the demand ids[i]. */
struct batch_rows {
	const int64_t *ids;
	int n;
	struct case_row *rows;
	bool *found;
};

static bool place_row(void *ctx, const struct case_row *k)
{
	struct batch_rows *b = ctx;
	for (int i = 0; i < b->n; i++)
		if (b->ids[i] == k->id) {
			b->rows[i] = *k;
			b->found[i] = true;
		}
	return true;
}

/* Tick the demands ids[0..n) (n <= SWEEP_BATCH), read together, and store
 * what changed in one transaction; *changed counts what was stored. */
static enum app_err sweep_batch(struct store *s, struct group_memo *memo,
				const struct calendar *cal, int64_t now, const int64_t *ids, int n,
				int *changed, struct app_error *err)
{
	struct case_row *rows = xcalloc((size_t)n, sizeof(*rows));
	bool found[SWEEP_BATCH] = { false };
	struct prepared *prep = xcalloc((size_t)n, sizeof(*prep));
	struct delivery_change *dlv = xcalloc((size_t)n, sizeof(*dlv));
	struct case_change *ch = xcalloc((size_t)n, sizeof(*ch));
	struct batch_rows b = { ids, n, rows, found };
	int nch = 0;
	enum app_err rc = store_cases_get_many(s, ids, n, place_row, &b, err);
	for (int i = 0; rc == APP_OK && i < n; i++) {
		if (!found[i]) /* gone meanwhile: nothing to tick */
			continue;
		struct case_cmd tick = { .action = "tick", .now = now, .expect_version = -1 };
		struct app_error one;
		enum app_err r;
		/* each case on its own type's rules */
		if (strcmp(rows[i].type, "delivery") == 0) {
			r = delivery_change(cal, &rows[i], &tick, "system:sweep", &dlv[i], &one);
			if (r == APP_OK && dlv[i].changed)
				ch[nch++] = (struct case_change){ &rows[i], dlv[i].steps,
								  dlv[i].nsteps, &dlv[i].note,
								  dlv[i].events, 1, APP_OK, { 0 } };
		} else {
			r = prepare_change(s, memo, cal, NULL, &rows[i], &tick, "demand.clock",
					   &prep[i], &one);
			if (r == APP_OK && prep[i].changed)
				ch[nch++] = change_of(&rows[i], &prep[i]);
		}
		if (r != APP_OK && !sweep_tolerates(ids[i], r, &one))
			rc = app_fail(err, r, "%s", one.msg);
	}
	if (rc == APP_OK && nch)
		rc = store_case_update_many(s, ch, nch);
	for (int i = 0; i < nch && rc == APP_OK; i++) {
		*changed += ch[i].result == APP_OK;
		if (!sweep_tolerates(ch[i].k->id, ch[i].result, &ch[i].err))
			rc = app_fail(err, ch[i].result, "%s", ch[i].err.msg);
	}
	for (int i = 0; i < n; i++) {
		prepared_release(&prep[i]);
		delivery_change_release(&dlv[i]);
	}
	free(dlv);
	free(ch);
	free(prep);
	free(rows);
	return rc;
}

enum app_err demands_sweep(struct store *s, const struct calendar *cal, int64_t now, int limit,
			   int *seen, int *changed, struct app_error *err)
{
	int64_t ids[512];
	int n = 0;
	*seen = *changed = 0;
	if (limit > (int)(sizeof(ids) / sizeof(ids[0])))
		limit = (int)(sizeof(ids) / sizeof(ids[0]));
	enum app_err rc = store_cases_due(s, now, limit, ids, &n, err);
	*seen = n;
	struct group_memo memo = { .cap = n };
	memo.duty = n ? xcalloc((size_t)n, sizeof(*memo.duty)) : NULL;
	memo.place = n ? xcalloc((size_t)n, sizeof(*memo.place)) : NULL;
	for (int i = 0; rc == APP_OK && i < n; i += SWEEP_BATCH)
		rc = sweep_batch(s, &memo, cal, now, ids + i,
				 n - i < SWEEP_BATCH ? n - i : SWEEP_BATCH, changed, err);
	free(memo.duty);
	free(memo.place);
	return rc;
}
