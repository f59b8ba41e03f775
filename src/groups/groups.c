/*
 * groups.c - the rules of service groups: who may see and manage a group,
 * membership and joining, rosters, and who is on duty. See groups.h.
 */
#include "groups/groups.h"
#include "auth/accounts.h"
#include "auth/secret.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/mem.h"
#include "core/pii.h"
#include "core/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[][2] = {
	{ "owner", "群主" },
	{ "admin", "管理员" },
	{ "key_person", "关键人员" },
	{ "resident", "居民" },
};

static const char *const kind_names[][2] = {
	{ "county", "县级群" },
	{ "town", "乡镇群" },
	{ "village", "村级群" },
	{ "adhoc", "专题群" },
};

static const char *lookup(const char *const (*table)[2], size_t n, const char *key)
{
	for (size_t i = 0; key && i < n; i++)
		if (strcmp(table[i][0], key) == 0)
			return table[i][1];
	return NULL;
}

const char *groups_role_zh(const char *role)
{
	return lookup(role_names, sizeof(role_names) / sizeof(role_names[0]), role);
}

const char *groups_kind_zh(const char *kind)
{
	return lookup(kind_names, sizeof(kind_names) / sizeof(kind_names[0]), kind);
}

static void group_object(const struct group *g, char out[32])
{
	snprintf(out, 32, "group:%lld", (long long)g->id);
}

enum app_err groups_sync(struct store *s, const char *actor, const char *within,
			 struct group_sync_counts *counts, struct app_error *err)
{
	if (within && *within) {
		enum division_level level;
		enum app_err rc = division_code_check(within, &level, err);
		if (rc != APP_OK)
			return rc;
	}
	struct audit_note note = { actor, "groups.sync", "groups", within ? within : "",
				   "standing groups made for the registry" };
	return store_groups_sync(s, within, clock_now(), &note, counts, err);
}

/* c's membership of g when c is a person with one, else m->state "". */
static enum app_err membership(struct store *s, const struct auth_caller *c, int64_t group_id,
			       struct group_member *m, struct app_error *err)
{
	memset(m, 0, sizeof(*m));
	if (c->kind != AUTH_SESSION)
		return APP_OK;
	enum app_err rc = store_member_get(s, group_id, c->user_id, m, err);
	if (rc == APP_ENOTFOUND) {
		memset(m, 0, sizeof(*m));
		return APP_OK;
	}
	return rc;
}

static bool is_manager(const struct group_member *m)
{
	return strcmp(m->state, "active") == 0 &&
	       (strcmp(m->role, "owner") == 0 || strcmp(m->role, "admin") == 0);
}

/* groups_open(), with c's membership in *m; the group's head only (no count
 * of its members) when head. */
static enum app_err open_as(struct store *s, const struct auth_caller *c, int64_t id,
			    enum groups_need need, bool head, struct group *out,
			    struct group_member *m, struct app_error *err)
{
	enum app_err rc = head ? store_group_head(s, id, out, err) : store_group_get(s, id, out, err);
	if (rc != APP_OK)
		return rc;
	if ((rc = membership(s, c, id, m, err)) != APP_OK)
		return rc;
	bool member = strcmp(m->state, "active") == 0;
	struct app_error ignored;
	bool sees = member || auth_scope(c, PERM_GROUPS_READ, out->region, &ignored) == APP_OK;
	if (need == GROUPS_SEE && sees)
		return APP_OK;
	if (need == GROUPS_MANAGE &&
	    (is_manager(m) || auth_scope(c, PERM_GROUPS_MANAGE, out->region, &ignored) == APP_OK))
		return APP_OK;
	if (!sees) /* nothing here for this caller: the group must look absent */
		return app_fail(err, APP_ENOTFOUND, "no such group");
	return app_fail(err, APP_EPERM, "only the group's owner and admins may do this");
}

enum app_err groups_open(struct store *s, const struct auth_caller *c, int64_t id,
			 enum groups_need need, struct group *out, struct app_error *err)
{
	struct group_member m;
	return open_as(s, c, id, need, false, out, &m, err);
}

enum app_err groups_open_head(struct store *s, const struct auth_caller *c, int64_t id,
			      struct group *out, struct group_member *me, struct app_error *err)
{
	return open_as(s, c, id, GROUPS_SEE, true, out, me, err);
}

static enum app_err check_text(const char *field, const char *v, size_t max_chars,
			       size_t cap, bool required, struct app_error *err)
{
	size_t n = v ? strlen(v) : 0;
	if (!n)
		return required ? app_fail_field(err, APP_EINVAL, field, "%s is required", field)
				: APP_OK;
	if (!utf8_valid(v, n) || utf8_length(v, n) > max_chars || n >= cap)
		return app_fail_field(err, APP_EINVAL, field,
				      "%s is UTF-8 text of at most %zu characters", field,
				      max_chars);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return app_fail_field(err, APP_EINVAL, field,
					      "%s must not contain control characters", field);
	return APP_OK;
}

enum app_err groups_create(struct store *s, const struct auth_caller *c, const char *name,
			   const char *region, bool approval, int64_t *id, struct app_error *err)
{
	struct group g = { .approval = approval, .duty_start = 8 * 60, .duty_end = 20 * 60 };
	enum app_err rc = check_text("name", name, GROUPS_NAME_MAX_CHARS, sizeof(g.name), true,
				     err);
	if (rc != APP_OK)
		return rc;
	bool exists = false;
	enum division_level level;
	if (!region || division_code_check(region, &level, err) != APP_OK ||
	    store_region_exists(s, region, &exists, err) != APP_OK || !exists)
		return app_fail_field(err, APP_EINVAL, "region",
				      "region must be a division code in the registry");
	if ((rc = auth_scope(c, PERM_GROUPS_MANAGE, region, err)) != APP_OK)
		return rc;
	snprintf(g.kind, sizeof(g.kind), "adhoc");
	snprintf(g.region, sizeof(g.region), "%s", region);
	snprintf(g.name, sizeof(g.name), "%s", name);
	char code[SECRET_TOKEN_MAX];
	secret_token_new("", code);
	snprintf(g.join_code, sizeof(g.join_code), "%s", code);
	g.created_at = clock_now();
	struct audit_note note = { c->actor, "group.create", "group:new", region, name };
	return store_group_create(s, &g, &note, id, err);
}

enum app_err groups_update(struct store *s, const struct auth_caller *c, const struct group *g,
			   struct app_error *err)
{
	enum app_err rc = check_text("name", g->name, GROUPS_NAME_MAX_CHARS, sizeof(g->name), true,
				     err);
	if (rc != APP_OK)
		return rc;
	if (g->duty_start < 0 || g->duty_end > 1440 || g->duty_start >= g->duty_end)
		return app_fail_field(err, APP_EINVAL, "duty_hours",
				      "duty hours must start before they end, within one day");
	char object[32], summary[96];
	group_object(g, object);
	snprintf(summary, sizeof(summary), "settings: approval %s, duty %02d:%02d-%02d:%02d",
		 g->approval ? "on" : "off", g->duty_start / 60, g->duty_start % 60,
		 g->duty_end / 60, g->duty_end % 60);
	struct audit_note note = { c->actor, "group.update", object, g->region, summary };
	return store_group_update(s, g, &note, err);
}

enum app_err groups_new_join_code(struct store *s, const struct auth_caller *c, struct group *g,
				  struct app_error *err)
{
	char code[SECRET_TOKEN_MAX], object[32];
	secret_token_new("", code);
	snprintf(g->join_code, sizeof(g->join_code), "%s", code);
	group_object(g, object);
	struct audit_note note = { c->actor, "group.join_code", object, g->region,
				   "new join link; the old one no longer works" };
	return store_group_update(s, g, &note, err);
}

/* ---- members ---- */

/* Who the owner is, only the owner and holders of PERM_GROUPS_MANAGE in
 * scope decide: an admin can neither make an owner nor unmake one. */
static enum app_err check_owner_change(struct store *s, const struct auth_caller *c,
				       const struct group *g, struct app_error *err)
{
	struct group_member me;
	struct app_error ignored;
	if (auth_scope(c, PERM_GROUPS_MANAGE, g->region, &ignored) == APP_OK)
		return APP_OK;
	if (membership(s, c, g->id, &me, err) == APP_OK && strcmp(me.state, "active") == 0 &&
	    strcmp(me.role, "owner") == 0)
		return APP_OK;
	return app_fail(err, APP_EPERM, "only the owner can hand over or take the owner's place");
}

static enum app_err put_member(struct store *s, const struct auth_caller *c,
			       const struct group *g, const struct group_member *m,
			       const char *action, struct app_error *err)
{
	char object[32], summary[160];
	group_object(g, object);
	snprintf(summary, sizeof(summary), "user:%lld %s as %s%s%s (%s)", (long long)m->user_id,
		 action, m->role, *m->function ? ", " : "", m->function, m->state);
	struct audit_note note = { c->actor, "group.member", object, g->region, summary };
	return store_member_put(s, m, &note, err);
}

enum app_err groups_member_set(struct store *s, const struct auth_caller *c,
			       const struct group *g, int64_t user_id, const char *role,
			       const char *function, struct app_error *err)
{
	if (!groups_role_zh(role))
		return app_fail_field(err, APP_EINVAL, "role",
				      "role must be owner, admin, key_person or resident");
	struct group_member m = { .group_id = g->id, .user_id = user_id };
	enum app_err rc = check_text("function", function, GROUPS_FUNCTION_MAX_CHARS,
				     sizeof(m.function), false, err);
	if (rc != APP_OK)
		return rc;
	struct user u;
	rc = store_user_get(s, user_id, &u, err);
	/* people of the group's region, or of a region above it (a town
	 * leader, the county's police officer); nobody from elsewhere, whose
	 * existence must not show either */
	if (rc == APP_ENOTFOUND || (rc == APP_OK && !division_code_within(u.region, g->region) &&
				    !division_code_within(g->region, u.region)))
		return app_fail_field(err, APP_EINVAL, "user",
				      "there is no user %lld in this group's region", (long long)user_id);
	if (rc != APP_OK)
		return rc;
	struct group_member old;
	rc = store_member_get(s, g->id, user_id, &old, err);
	if (rc != APP_OK && rc != APP_ENOTFOUND)
		return rc;
	bool existed = rc == APP_OK;
	bool was_owner = existed && strcmp(old.role, "owner") == 0 && strcmp(old.state, "active") == 0;
	if ((was_owner || strcmp(role, "owner") == 0) &&
	    (rc = check_owner_change(s, c, g, err)) != APP_OK)
		return rc;
	m.joined_at = existed ? old.joined_at : clock_now();
	snprintf(m.role, sizeof(m.role), "%s", role);
	snprintf(m.function, sizeof(m.function), "%s", function ? function : "");
	snprintf(m.state, sizeof(m.state), "active");
	return put_member(s, c, g, &m, existed ? "changed" : "added", err);
}

enum app_err groups_member_remove(struct store *s, const struct auth_caller *c,
				  const struct group *g, int64_t user_id, struct app_error *err)
{
	struct group_member m;
	enum app_err rc = store_member_get(s, g->id, user_id, &m, err);
	if (rc != APP_OK)
		return rc;
	if (strcmp(m.state, "left") == 0)
		return APP_OK;
	bool self = c->kind == AUTH_SESSION && c->user_id == user_id;
	if (!self && strcmp(m.role, "owner") == 0 && strcmp(m.state, "active") == 0 &&
	    (rc = check_owner_change(s, c, g, err)) != APP_OK)
		return rc;
	snprintf(m.state, sizeof(m.state), "left");
	return put_member(s, c, g, &m, self ? "left" : "removed", err);
}

enum app_err groups_member_approve(struct store *s, const struct auth_caller *c,
				   const struct group *g, int64_t user_id, struct app_error *err)
{
	struct group_member m;
	enum app_err rc = store_member_get(s, g->id, user_id, &m, err);
	if (rc != APP_OK)
		return rc;
	if (strcmp(m.state, "pending") != 0)
		return app_fail(err, APP_EINVAL, "this person is not waiting for approval");
	snprintf(m.state, sizeof(m.state), "active");
	return put_member(s, c, g, &m, "approved", err);
}

enum app_err groups_join(struct store *s, const struct auth_caller *c, const char *code,
			 struct group *g, struct group_member *m, struct app_error *err)
{
	if (c->kind != AUTH_SESSION)
		return app_fail(err, APP_EINVAL, "only a signed-in person can join a group");
	if (!code || !*code || strlen(code) >= GROUP_JOIN_CODE_MAX)
		return app_fail(err, APP_ENOTFOUND, "this join link is not valid (any more)");
	enum app_err rc = store_group_by_join_code(s, code, g, err);
	if (rc == APP_ENOTFOUND)
		return app_fail(err, APP_ENOTFOUND, "this join link is not valid (any more)");
	if (rc != APP_OK || (rc = membership(s, c, g->id, m, err)) != APP_OK)
		return rc;
	if (strcmp(m->state, "active") == 0 || strcmp(m->state, "pending") == 0)
		return APP_OK; /* joining again changes nothing */
	/* a newcomer, or one who had left, joins as a resident: a link never
	 * gives back a role that was taken away */
	if (!*m->state)
		*m = (struct group_member){ .group_id = g->id, .user_id = c->user_id,
					    .joined_at = clock_now() };
	snprintf(m->role, sizeof(m->role), "resident");
	m->function[0] = '\0';
	snprintf(m->state, sizeof(m->state), "%s", g->approval ? "pending" : "active");
	return put_member(s, c, g, m, "joined by link", err);
}

/* ---- rosters ---- */

enum roster_col { COL_NAME, COL_PHONE, COL_ADDRESS, COL_ID, COL__MAX };

static const char *const roster_headers[COL__MAX][2] = {
	[COL_NAME] = { "姓名", "name" },
	[COL_PHONE] = { "手机号", "phone" },
	[COL_ADDRESS] = { "住址", "address" },
	[COL_ID] = { "身份证号", "id_number" },
};

static void problem(struct strbuf *problems, size_t *count, size_t line, const char *why)
{
	if (*count < GROUPS_PROBLEMS_LISTED)
		strbuf_addf(problems, "line %zu: %s\n", line, why);
	(*count)++;
}

/* Check one roster line into row; false (with a problem noted) when bad. */
static bool roster_row(char **f, const int col[COL__MAX], size_t line, int today,
		       struct roster_row *row, struct strbuf *problems, size_t *count)
{
	struct app_error e;
	memset(row, 0, sizeof(*row));
	row->line = (int)line;
	const char *name = f[col[COL_NAME]], *addr = f[col[COL_ADDRESS]];
	const char *id = col[COL_ID] >= 0 ? f[col[COL_ID]] : "";
	if (accounts_check_name(name, &e) != APP_OK ||
	    pii_phone_check(f[col[COL_PHONE]], row->phone, &e) != APP_OK ||
	    check_text("address", addr, 100, sizeof(row->address), true, &e) != APP_OK ||
	    (*id && pii_id_check(id, today, row->id_number, &e) != APP_OK)) {
		problem(problems, count, line, e.msg);
		return false;
	}
	snprintf(row->name, sizeof(row->name), "%s", name);
	snprintf(row->address, sizeof(row->address), "%s", addr);
	return true;
}

/* Map the header's columns; false (with a problem) when one is missing. */
static bool roster_header(const struct csv_reader *r, int col[COL__MAX], struct strbuf *problems,
			  size_t *count)
{
	for (int k = 0; k < COL__MAX; k++) {
		col[k] = -1;
		for (size_t i = 0; i < r->nfields; i++)
			if (strcmp(r->fields[i], roster_headers[k][0]) == 0 ||
			    strcmp(r->fields[i], roster_headers[k][1]) == 0)
				col[k] = (int)i;
		if (col[k] < 0 && k != COL_ID) {
			char why[96];
			snprintf(why, sizeof(why), "the header has no column %s (%s)",
				 roster_headers[k][0], roster_headers[k][1]);
			problem(problems, count, r->record_line, why);
			return false;
		}
	}
	return true;
}

static int by_phone(const void *a, const void *b)
{
	const struct roster_row *x = *(const struct roster_row *const *)a;
	const struct roster_row *y = *(const struct roster_row *const *)b;
	int d = strcmp(x->phone, y->phone);
	return d ? d : (x->line > y->line) - (x->line < y->line);
}

/* Mark each of rows[0..n) whose phone an earlier row has (store.h asks it). */
static void mark_repeats(struct roster_row *rows, size_t n)
{
	struct roster_row **sorted = xmalloc(n * sizeof(*sorted));
	for (size_t i = 0; i < n; i++)
		sorted[i] = &rows[i];
	qsort(sorted, n, sizeof(*sorted), by_phone);
	for (size_t i = 1; i < n; i++)
		sorted[i]->repeat = strcmp(sorted[i]->phone, sorted[i - 1]->phone) == 0;
	free(sorted);
}

enum app_err groups_roster_import(struct store *s, const struct auth_caller *c,
				  const struct group *g, char *csv, size_t len,
				  struct roster_counts *counts, struct strbuf *problems,
				  struct app_error *err)
{
	memset(counts, 0, sizeof(*counts));
	if (!utf8_valid(csv, len)) {
		/* name the first line that is not UTF-8 (a GBK file fails early) */
		size_t line = 1;
		for (const char *p = csv, *end = csv + len; p < end; line++) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			if (!utf8_valid(p, n))
				break;
			p += n + 1;
		}
		strbuf_addf(problems, "line %zu: not UTF-8 text\n", line);
		return app_fail(err, APP_EINVAL, "the roster is not UTF-8 text (save it as CSV UTF-8)");
	}
	struct csv_reader r;
	csv_init(&r, csv, len);
	int col[COL__MAX];
	size_t nproblems = 0, n = 0, cap = 0;
	struct roster_row *rows = NULL;
	int today = clock_today_china();
	int got = csv_next(&r, err);
	if (got == 0)
		problem(problems, &nproblems, 1, "the roster is empty");
	else if (got > 0 && roster_header(&r, col, problems, &nproblems)) {
		while ((got = csv_next(&r, err)) > 0) {
			if (n == GROUPS_ROSTER_MAX_ROWS) {
				problem(problems, &nproblems, r.record_line,
					"a roster has at most 5000 households: split the file");
				break;
			}
			int need = col[COL_ID] > col[COL_ADDRESS] ? col[COL_ID] : col[COL_ADDRESS];
			need = need > col[COL_PHONE] ? need : col[COL_PHONE];
			need = need > col[COL_NAME] ? need : col[COL_NAME];
			if (r.nfields <= (size_t)need) {
				problem(problems, &nproblems, r.record_line,
					"this line has fewer fields than the header");
				continue;
			}
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				rows = xrealloc(rows, cap * sizeof(*rows));
			}
			if (roster_row(r.fields, col, r.record_line, today, &rows[n], problems,
				       &nproblems))
				n++;
		}
	}
	if (got < 0) { /* the reader's message names the line */
		strbuf_addf(problems, "%s\n", err->msg);
		nproblems++;
	}
	csv_release(&r);
	enum app_err rc;
	if (nproblems) {
		rc = app_fail(err, APP_EINVAL, "%zu line(s) of the roster have problems; nothing was "
			      "imported", nproblems);
	} else if (!n) {
		rc = app_fail(err, APP_EINVAL, "the roster has no households");
	} else {
		char object[32], summary[64];
		group_object(g, object);
		snprintf(summary, sizeof(summary), "roster of %zu households imported", n);
		struct audit_note note = { c->actor, "group.roster", object, g->region, summary };
		mark_repeats(rows, n);
		rc = store_roster_import(s, g->id, rows, n, clock_now(), &note, counts, err);
		if (rc != APP_OK && strncmp(err->msg, "line ", 5) == 0)
			strbuf_addf(problems, "%s\n", err->msg);
	}
	free(rows);
	return rc;
}

/* ---- duty ---- */

static bool on_leave(const struct duty_data *d, int64_t user, int day)
{
	for (int i = 0; i < d->nleaves; i++)
		if (d->leaves[i].user_id == user && d->leaves[i].first_day <= day &&
		    day <= d->leaves[i].last_day)
			return true;
	return false;
}

/* Who is on duty on day: an override, else the rota's person, else the
 * next person of the rota who is not on leave. */
static void duty_of_day(const struct group *g, const struct duty_data *d, int day,
			struct duty_slot *out)
{
	out->day = day;
	out->from = clock_china_time(day, g->duty_start);
	out->until = clock_china_time(day, g->duty_end);
	out->user_id = 0;
	out->source = "none";
	for (int i = 0; i < d->noverrides; i++) {
		if (d->overrides[i].day == day && d->overrides[i].user_id) {
			out->user_id = d->overrides[i].user_id;
			out->source = "override";
			return;
		}
	}
	int wd = clock_weekday(day);
	for (int k = 0; k < 7; k++) {
		int64_t u = d->weekday_user[(wd + k) % 7];
		if (u && !on_leave(d, u, day)) {
			out->user_id = u;
			out->source = k == 0 ? "rota" : "stand-in";
			return;
		}
	}
}

void groups_duty_compute(const struct group *g, const struct duty_data *d, int64_t at,
			 bool *in_hours, struct duty_slot *now, struct duty_slot *next)
{
	int minute;
	int day = clock_china_day(at, &minute);
	*in_hours = minute >= g->duty_start && minute < g->duty_end;
	if (minute >= g->duty_end) /* after hours: tomorrow's person answers */
		day = clock_day_add(day, 1);
	duty_of_day(g, d, day, now);
	duty_of_day(g, d, clock_day_add(day, 1), next);
}

enum app_err groups_duty_at(struct store *s, const struct group *g, int64_t at, bool *in_hours,
			    struct duty_slot *now, struct duty_slot *next, struct app_error *err)
{
	int day = clock_china_day(at, NULL);
	struct duty_data *d = xmalloc(sizeof(*d));
	enum app_err rc = store_duty_get(s, g->id, day, clock_day_add(day, 2), d, err);
	/* who left the group or lost their admin role is on duty no more */
	for (int i = 0; rc == APP_OK && i < 7; i++) {
		struct group_member m;
		if (d->weekday_user[i] &&
		    (store_member_get(s, g->id, d->weekday_user[i], &m, err) != APP_OK ||
		     !is_manager(&m)))
			d->weekday_user[i] = 0;
	}
	for (int i = 0; rc == APP_OK && i < d->noverrides; i++) {
		struct group_member m;
		if (store_member_get(s, g->id, d->overrides[i].user_id, &m, err) != APP_OK ||
		    !is_manager(&m))
			d->overrides[i].user_id = 0; /* an override of nobody: the rota's day */
	}
	if (rc == APP_OK)
		groups_duty_compute(g, d, at, in_hours, now, next);
	free(d);
	return rc;
}

/* user must be an active owner or admin of g to take duty. */
static enum app_err check_on_duty_role(struct store *s, const struct group *g, int64_t user,
				       const char *field, struct app_error *err)
{
	struct group_member m;
	enum app_err rc = store_member_get(s, g->id, user, &m, err);
	if (rc == APP_ENOTFOUND || (rc == APP_OK && !is_manager(&m)))
		return app_fail_field(err, APP_EINVAL, field,
				      "user %lld is not an active owner or admin of this group",
				      (long long)user);
	return rc;
}

enum app_err groups_rota_set(struct store *s, const struct auth_caller *c,
			     const struct group *g, const int64_t users[7],
			     struct app_error *err)
{
	char summary[200] = "rota:", object[32];
	for (int i = 0; i < 7; i++) {
		if (users[i]) {
			enum app_err rc = check_on_duty_role(s, g, users[i], "weekdays", err);
			if (rc != APP_OK)
				return rc;
		}
		size_t n = strlen(summary);
		snprintf(summary + n, sizeof(summary) - n, " %lld", (long long)users[i]);
	}
	group_object(g, object);
	struct audit_note note = { c->actor, "duty.rota", object, g->region, summary };
	return store_duty_rota_set(s, g->id, users, &note, err);
}

enum app_err groups_override_set(struct store *s, const struct auth_caller *c,
				 const struct group *g, int day, int64_t user_id,
				 const char *reason, struct app_error *err)
{
	struct duty_override o = { .day = day, .user_id = user_id };
	enum app_err rc = check_text("reason", reason, 60, sizeof(o.reason), false, err);
	if (rc == APP_OK && user_id)
		rc = check_on_duty_role(s, g, user_id, "user", err);
	if (rc != APP_OK)
		return rc;
	snprintf(o.reason, sizeof(o.reason), "%s", reason ? reason : "");
	char object[32], summary[96];
	group_object(g, object);
	snprintf(summary, sizeof(summary), "duty on %d: %s%lld", day, user_id ? "user " : "",
		 (long long)user_id);
	if (!user_id)
		snprintf(summary, sizeof(summary), "duty on %d back to the rota", day);
	struct audit_note note = { c->actor, "duty.override", object, g->region, summary };
	return store_duty_override_set(s, g->id, &o, &note, err);
}

enum app_err groups_leave_add(struct store *s, const struct auth_caller *c,
			      const struct group *g, int64_t user_id, int first_day, int last_day,
			      const char *reason, int64_t *id, struct app_error *err)
{
	struct duty_leave l = { .user_id = user_id, .first_day = first_day, .last_day = last_day };
	if (first_day > last_day)
		return app_fail_field(err, APP_EINVAL, "to", "leave must end on or after its start");
	enum app_err rc = check_text("reason", reason, 60, sizeof(l.reason), false, err);
	if (rc == APP_OK)
		rc = check_on_duty_role(s, g, user_id, "user", err);
	if (rc != APP_OK)
		return rc;
	snprintf(l.reason, sizeof(l.reason), "%s", reason ? reason : "");
	char object[32], summary[96];
	group_object(g, object);
	snprintf(summary, sizeof(summary), "leave of user %lld from %d to %d", (long long)user_id,
		 first_day, last_day);
	struct audit_note note = { c->actor, "duty.leave", object, g->region, summary };
	return store_duty_leave_add(s, g->id, &l, &note, id, err);
}

enum app_err groups_leave_remove(struct store *s, const struct auth_caller *c,
				 const struct group *g, int64_t leave_id, struct app_error *err)
{
	char object[32], summary[64];
	group_object(g, object);
	snprintf(summary, sizeof(summary), "leave %lld withdrawn", (long long)leave_id);
	struct audit_note note = { c->actor, "duty.leave_remove", object, g->region, summary };
	return store_duty_leave_remove(s, g->id, leave_id, &note, err);
}
