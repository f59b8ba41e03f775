/*
 * groups_store_cases.h - the bodies of the service-group store tests, run
 * on each backend through store.h only: test_groups_store.c runs them on
 * SQLite, test_groups_store_pg.c on PostgreSQL, so both backends are held
 * to the same errors, messages, counts and orders. Each body gets a
 * migrated store holding the demo county (990101: 20 towns, 500 villages)
 * and nothing else. Header-only; include it after <cmocka.h>.
 *
 * What is covered: sync (521 standing groups, idempotent, within a town),
 * ad-hoc groups and the one-standing-group-per-region rule, reads by id and
 * join code, updates (a refused value is an error and changes nothing),
 * listing by region, kind and page; members (insert, update, state filter,
 * paging, a person's groups, unknown person or group); roster imports (new
 * households and people, known phones, all or nothing with the line named);
 * the duty rota, overrides and leave with range reads. Every write leaves
 * one audit entry on its object, and a refused write leaves none. Also the
 * rows and checks of migration 0027's tests (GS_BEFORE_0027, gs_after_0027).
 */
#ifndef TESTS_UNIT_GROUPS_STORE_CASES_H
#define TESTS_UNIT_GROUPS_STORE_CASES_H

#include "regions/regions.h"
#include "store/store.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

/* The cases, for the test files to wrap: X(name) for each gs_<name>(). */
#define GROUPS_STORE_CASES(X)                                                                  \
	X(sync)                                                                                \
	X(create)                                                                              \
	X(get_update)                                                                          \
	X(list)                                                                                \
	X(members)                                                                             \
	X(roster)                                                                              \
	X(roster_all_or_nothing)                                                               \
	X(roster_many)                                                                         \
	X(duty)

#define GS_NOW 1764400000
#define GS_COUNTY REGIONS_DEMO_COUNTY
#define GS_TOWN "990101103"            /* a town (镇) of the demo: 25 villages */
#define GS_VILLAGE "990101103200"      /* its first village */
#define GS_OTHER_VILLAGE "990101104200"

/* SQL for migration tests at an earlier schema (messages of 0017 to 0028):
 * a county (990101) with its group 5, an admin (1, 王书记) and a resident
 * (2, 李大姐), then the head of an INSERT of messages whose rows follow;
 * cols adds columns (", name..."): PostgreSQL's terms. */
#define GS_MESSAGES_FIXTURE(cols) \
	"INSERT INTO regions VALUES ('99', NULL, 0, '演示', 't'), "                              \
	"('9901', '99', 1, '市', 't'), ('990101', '9901', 2, '县', 't');"                        \
	"INSERT INTO groups (id, kind, region_code, name, join_code, created_at) "               \
	"VALUES (5, 'county', '990101', '县群', 'j5', 1);"                                       \
	"INSERT INTO users (id, name, phone, region_code, created_at) VALUES "                   \
	"(1, '王书记', '13900000001', '990101', 1), (2, '李大姐', '13900000002', '990101', 1);"  \
	"INSERT INTO group_members (group_id, user_id, role, function, state, joined_at) "       \
	"VALUES (5, 1, 'admin', '', 'active', 1), (5, 2, 'resident', '', 'active', 1);"          \
	"INSERT INTO messages (id, group_id, county, author_id, author_name, kind, body, "       \
	"reply_to, mentions, attachment, broadcast_id, state, state_reason, source, at" cols     \
	") VALUES "

/* Load the demo county: the fixture of every case. */
static inline int gs_load_demo(struct store *s)
{
	struct region_import_counts n;
	struct app_error e;
	if (regions_demo_import(s, "cli:test", &n, &e) != APP_OK) {
		print_error("cannot load the demo county: %s\n", e.msg);
		return -1;
	}
	return 0;
}

/* An audit note on object (the caller's buffer) for action. */
static inline struct audit_note gs_note(const char *object, const char *action)
{
	return (struct audit_note){ .actor = "cli:test", .action = action, .object = object,
				    .region = GS_COUNTY, .summary = "test" };
}

struct gs_audit {
	int n;
	char actions[64][48]; /* newest first */
};

static inline bool gs_audit_fn(void *ctx, const struct audit_record *r)
{
	struct gs_audit *a = ctx;
	if (a->n < 64)
		snprintf(a->actions[a->n], sizeof(a->actions[0]), "%s", r->action);
	a->n++;
	return true;
}

/* The audit entries on object, actions joined by spaces, oldest first. */
static inline const char *gs_audit_of(struct store *s, const char *object)
{
	static char out[1024];
	struct gs_audit a = { 0 };
	struct app_error e;
	if (store_audit_list(s, object, 64, gs_audit_fn, &a, &e) != APP_OK)
		fail_msg("audit list %s: %s", object, e.msg);
	out[0] = '\0';
	for (int i = a.n - 1; i >= 0; i--) {
		strcat(out, a.actions[i]);
		if (i)
			strcat(out, " ");
	}
	return out;
}

static inline int64_t gs_user(struct store *s, const char *name, const char *phone,
			      const char *id_number)
{
	struct user u = { .created_at = GS_NOW };
	snprintf(u.name, sizeof(u.name), "%s", name);
	snprintf(u.phone, sizeof(u.phone), "%s", phone);
	snprintf(u.id_number, sizeof(u.id_number), "%s", id_number);
	snprintf(u.region, sizeof(u.region), "%s", GS_VILLAGE);
	int64_t id = 0;
	struct app_error e;
	if (store_user_create(s, &u, "h", NULL, NULL, &id, &e) != APP_OK)
		fail_msg("user %s: %s", phone, e.msg);
	return id;
}

static inline struct group gs_get(struct store *s, int64_t id)
{
	struct group g;
	struct app_error e;
	if (store_group_get(s, id, &g, &e) != APP_OK)
		fail_msg("group %lld: %s", (long long)id, e.msg);
	return g;
}

static inline void gs_sync(struct store *s, const char *within, int64_t created,
			   int64_t existing)
{
	struct group_sync_counts n = { -1, -1 };
	struct audit_note note = gs_note("region:" GS_COUNTY, "groups.sync");
	struct app_error e;
	if (store_groups_sync(s, within, GS_NOW, &note, &n, &e) != APP_OK)
		fail_msg("sync %s: %s", within, e.msg);
	assert_int_equal(n.created, created);
	assert_int_equal(n.existing, existing);
}

/* Groups of a listing, collected. */
struct gs_groups {
	int n;
	struct group g[600];
};

static inline bool gs_group_fn(void *ctx, const struct group *g)
{
	struct gs_groups *l = ctx;
	if (l->n < 600)
		l->g[l->n] = *g;
	l->n++;
	return true;
}

/* Every group within/kind, read in pages of page; checks the pages are in
 * id order. The result is static: one listing at a time. */
static inline struct gs_groups *gs_list(struct store *s, const char *within, const char *kind,
					int page)
{
	static struct gs_groups all;
	static struct gs_groups one;
	memset(&all, 0, sizeof(all));
	int64_t after = 0;
	for (;;) {
		memset(&one, 0, sizeof(one));
		struct app_error e;
		if (store_group_list(s, within, kind, after, page, gs_group_fn, &one, &e) != APP_OK)
			fail_msg("list %s %s: %s", within, kind, e.msg);
		assert_true(one.n <= page);
		for (int i = 0; i < one.n; i++) {
			assert_true(one.g[i].id > after);
			after = one.g[i].id;
			all.g[all.n++] = one.g[i];
		}
		if (one.n < page)
			return &all;
	}
}

/* The standing group of region (after a sync). */
static inline struct group gs_standing(struct store *s, const char *region, const char *kind)
{
	struct gs_groups *l = gs_list(s, region, kind, 50);
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->g[i].region, region) == 0)
			return l->g[i];
	fail_msg("no %s group for %s", kind, region);
	return l->g[0];
}

static inline bool gs_hex32(const char *code)
{
	if (strlen(code) != 32)
		return false;
	for (const char *p = code; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* ---- groups ---- */

static void gs_case_sync(struct store *s)
{
	/* one town first: the town and its 25 villages */
	gs_sync(s, GS_TOWN, 26, 0);
	gs_sync(s, GS_TOWN, 0, 26);
	/* then the county: 1 county + 20 towns + 500 villages in all */
	gs_sync(s, GS_COUNTY, 521 - 26, 26);
	gs_sync(s, GS_COUNTY, 0, 521);
	gs_sync(s, "", 0, 521); /* the province and city have no groups */
	assert_string_equal(gs_audit_of(s, "region:" GS_COUNTY),
			    "regions.import groups.sync groups.sync groups.sync groups.sync "
			    "groups.sync");

	struct gs_groups *l = gs_list(s, "", "county", 10);
	assert_int_equal(l->n, 1);
	assert_string_equal(l->g[0].region, GS_COUNTY);
	assert_string_equal(l->g[0].name, "便民县（演示）");
	assert_string_equal(l->g[0].kind, "county");
	assert_false(l->g[0].approval);
	assert_int_equal(l->g[0].duty_start, 480);
	assert_int_equal(l->g[0].duty_end, 1200);
	assert_int_equal(l->g[0].created_at, GS_NOW);
	assert_int_equal(l->g[0].members, 0);
	assert_int_equal(gs_list(s, GS_COUNTY, "town", 7)->n, 20);
	assert_int_equal(gs_list(s, GS_COUNTY, "village", 100)->n, 500);
	assert_int_equal(gs_list(s, "", "", 600)->n, 521);

	/* join codes: 128 random bits in hex, all different */
	l = gs_list(s, GS_TOWN, "", 100);
	assert_int_equal(l->n, 26);
	for (int i = 0; i < l->n; i++) {
		if (!gs_hex32(l->g[i].join_code))
			fail_msg("join code '%s' is not 32 hex digits", l->g[i].join_code);
		for (int k = 0; k < i; k++)
			assert_string_not_equal(l->g[i].join_code, l->g[k].join_code);
	}
	/* made in region order: the town before its villages */
	assert_string_equal(l->g[0].region, GS_TOWN);
	assert_string_equal(l->g[0].kind, "town");
	assert_string_equal(l->g[1].region, GS_VILLAGE);
	assert_string_equal(l->g[1].kind, "village");
}

static int64_t gs_create(struct store *s, const char *kind, const char *region,
			 const char *name, const char *join_code, struct app_error *e)
{
	struct group g = { .approval = true, .duty_start = 540, .duty_end = 1020,
			   .created_at = GS_NOW + 5 };
	snprintf(g.kind, sizeof(g.kind), "%s", kind);
	snprintf(g.region, sizeof(g.region), "%s", region);
	snprintf(g.name, sizeof(g.name), "%s", name);
	snprintf(g.join_code, sizeof(g.join_code), "%s", join_code);
	struct audit_note note = gs_note("group:new", "group.create");
	int64_t id = -1;
	enum app_err rc = store_group_create(s, &g, &note, &id, e);
	if (rc != APP_OK) {
		assert_int_equal(id, -1); /* OUT parameter set only on success */
		return -(int64_t)rc;
	}
	assert_true(id > 0);
	return id;
}

static void gs_case_create(struct store *s)
{
	gs_sync(s, GS_TOWN, 26, 0);
	struct app_error e;
	int64_t a = gs_create(s, "adhoc", GS_TOWN, "防汛应急群", "adhoc-code-1", &e);
	assert_true(a > 0);
	int64_t b = gs_create(s, "adhoc", GS_TOWN, "秋收互助群", "adhoc-code-2", &e);
	assert_true(b > a); /* ad-hoc groups: as many as wanted per region */
	struct group g = gs_get(s, a);
	assert_string_equal(g.kind, "adhoc");
	assert_string_equal(g.region, GS_TOWN);
	assert_string_equal(g.name, "防汛应急群");
	assert_string_equal(g.join_code, "adhoc-code-1");
	assert_true(g.approval);
	assert_int_equal(g.duty_start, 540);
	assert_int_equal(g.duty_end, 1020);
	assert_int_equal(g.created_at, GS_NOW + 5);
	assert_int_equal(g.members, 0);

	/* a second standing group of a region */
	assert_int_equal(gs_create(s, "village", GS_VILLAGE, "又一个", "x-1", &e), -APP_ECONFLICT);
	assert_string_equal(e.msg, "region " GS_VILLAGE " has its village group already");
	assert_int_equal(gs_create(s, "town", GS_TOWN, "又一个", "x-2", &e), -APP_ECONFLICT);
	assert_string_equal(e.msg, "region " GS_TOWN " has its town group already");
	/* a standing group where none is yet: fine (sync then leaves it be) */
	int64_t c = gs_create(s, "village", GS_OTHER_VILLAGE, "手建村群", "x-3", &e);
	assert_true(c > 0);
	/* a join code in use */
	assert_int_equal(gs_create(s, "adhoc", GS_TOWN, "重码", "adhoc-code-1", &e),
			 -APP_ECONFLICT);
	assert_string_equal(e.field, "join_code");
	assert_string_equal(e.msg, "this join code is taken");
	/* a region not in the registry, a kind or duty hours the schema refuses */
	assert_int_equal(gs_create(s, "adhoc", "990101999", "无此地", "x-4", &e), -APP_EINVAL);
	assert_contains(e.msg, "does not exist");
	assert_int_equal(gs_create(s, "club", GS_TOWN, "俱乐部", "x-5", &e), -APP_EINVAL);
	assert_string_equal(e.msg, "making a group: a value is out of range");

	assert_int_equal(gs_list(s, "", "", 100)->n, 26 + 3);
	gs_sync(s, "990101104", 25, 1); /* the hand-made village group counts as existing */
	/* each group made has its entry, under its new id; refusals left none */
	char object[32];
	snprintf(object, sizeof(object), "group:%lld", (long long)a);
	assert_string_equal(gs_audit_of(s, object), "group.create");
	snprintf(object, sizeof(object), "group:%lld", (long long)c);
	assert_string_equal(gs_audit_of(s, object), "group.create");
	assert_string_equal(gs_audit_of(s, "group:new"), "");
}

static void gs_case_get_update(struct store *s)
{
	gs_sync(s, GS_TOWN, 26, 0);
	struct group v = gs_standing(s, GS_VILLAGE, "village");
	struct group g, other = gs_standing(s, GS_TOWN, "town");
	struct app_error e;
	assert_int_equal(store_group_by_join_code(s, v.join_code, &g, &e), APP_OK);
	assert_int_equal(g.id, v.id);
	assert_string_equal(g.name, v.name);
	assert_int_equal(store_group_get(s, 999999, &g, &e), APP_ENOTFOUND);
	assert_string_equal(e.msg, "no such group");
	assert_int_equal(store_group_by_join_code(s, "nope", &g, &e), APP_ENOTFOUND);
	assert_string_equal(e.msg, "no such group");

	char object[32];
	snprintf(object, sizeof(object), "group:%lld", (long long)v.id);
	struct audit_note note = gs_note(object, "group.update");
	g = v;
	snprintf(g.name, sizeof(g.name), "张庄村便民群");
	g.approval = true;
	g.duty_start = 420;
	g.duty_end = 1080;
	snprintf(g.join_code, sizeof(g.join_code), "fresh-code");
	assert_int_equal(store_group_update(s, &g, &note, &e), APP_OK);
	g = gs_get(s, v.id);
	assert_string_equal(g.name, "张庄村便民群");
	assert_true(g.approval);
	assert_int_equal(g.duty_start, 420);
	assert_int_equal(g.duty_end, 1080);
	assert_string_equal(g.join_code, "fresh-code");
	assert_string_equal(g.kind, "village"); /* not changed by an update */
	assert_string_equal(g.region, GS_VILLAGE);
	assert_int_equal(store_group_by_join_code(s, v.join_code, &g, &e), APP_ENOTFOUND);
	assert_int_equal(store_group_by_join_code(s, "fresh-code", &g, &e), APP_OK);
	assert_int_equal(g.id, v.id);
	g.approval = false;
	assert_int_equal(store_group_update(s, &g, &note, &e), APP_OK);
	assert_false(gs_get(s, v.id).approval);

	/* refused: duty that ends before it starts, a day of 1441 minutes, an
	 * empty name, another group's join code; nothing changes */
	struct group bad = gs_get(s, v.id);
	bad.duty_start = 1000;
	bad.duty_end = 900;
	assert_int_equal(store_group_update(s, &bad, &note, &e), APP_EINVAL);
	assert_string_equal(e.msg, "changing a group: a value is out of range");
	bad.duty_start = 0;
	bad.duty_end = 1441;
	assert_int_equal(store_group_update(s, &bad, &note, &e), APP_EINVAL);
	bad = gs_get(s, v.id);
	bad.name[0] = '\0';
	assert_int_equal(store_group_update(s, &bad, &note, &e), APP_EINVAL);
	bad = gs_get(s, v.id);
	snprintf(bad.join_code, sizeof(bad.join_code), "%s", other.join_code);
	assert_int_equal(store_group_update(s, &bad, &note, &e), APP_ECONFLICT);
	assert_string_equal(e.field, "join_code");
	assert_string_equal(e.msg, "this join code is taken");
	g = gs_get(s, v.id);
	assert_string_equal(g.name, "张庄村便民群");
	assert_int_equal(g.duty_start, 420);
	assert_int_equal(g.duty_end, 1080);
	assert_string_equal(g.join_code, "fresh-code");
	/* no such group */
	bad.id = 999999;
	assert_int_equal(store_group_update(s, &bad, &note, &e), APP_ENOTFOUND);
	assert_string_equal(e.msg, "no such group");
	assert_string_equal(gs_audit_of(s, object), "group.update group.update");
}

static void gs_case_list(struct store *s)
{
	gs_sync(s, GS_COUNTY, 521, 0);
	struct app_error e;
	int64_t adhoc = gs_create(s, "adhoc", GS_VILLAGE, "村里的临时群", "adhoc-1", &e);
	assert_true(adhoc > 0);
	/* within a town, in pages of 10: the town, 25 villages, 1 ad-hoc */
	struct gs_groups *l = gs_list(s, GS_TOWN, "", 10);
	assert_int_equal(l->n, 27);
	assert_int_equal(l->g[26].id, adhoc);
	for (int i = 0; i < l->n; i++)
		assert_memory_equal(l->g[i].region, GS_TOWN, strlen(GS_TOWN));
	assert_int_equal(gs_list(s, GS_TOWN, "", 27)->n, 27); /* a full last page */
	assert_int_equal(gs_list(s, GS_TOWN, "village", 4)->n, 25);
	assert_int_equal(gs_list(s, GS_TOWN, "adhoc", 4)->n, 1);
	assert_int_equal(gs_list(s, GS_TOWN, "town", 4)->n, 1);
	assert_int_equal(gs_list(s, GS_VILLAGE, "", 4)->n, 2);
	assert_int_equal(gs_list(s, "990101103", "county", 4)->n, 0);
	/* a prefix of a code that is not a region still bounds by prefix */
	assert_int_equal(gs_list(s, "99010110", "town", 50)->n, 7); /* 103..109 */
	assert_int_equal(gs_list(s, "", "adhoc", 4)->n, 1);
	assert_int_equal(gs_list(s, "", "", 100)->n, 522);

	/* a page of 3 after the second id; early stop of the callback */
	struct gs_groups one = { 0 };
	l = gs_list(s, GS_TOWN, "", 100);
	int64_t second = l->g[1].id;
	assert_int_equal(store_group_list(s, GS_TOWN, "", second, 3, gs_group_fn, &one, &e),
			 APP_OK);
	assert_int_equal(one.n, 3);
	assert_int_equal(one.g[0].id, l->g[2].id);
	assert_int_equal(one.g[2].id, l->g[4].id);
}

/* ---- members ---- */

struct gs_members {
	int n;
	struct group_member m[16];
};

static bool gs_member_fn(void *ctx, const struct group_member *m)
{
	struct gs_members *l = ctx;
	if (l->n < 16)
		l->m[l->n] = *m;
	l->n++;
	return true;
}

static struct gs_members gs_members_of(struct store *s, int64_t group_id, const char *state,
				       int64_t after, int limit)
{
	struct gs_members l = { 0 };
	struct app_error e;
	if (store_group_members(s, group_id, state, after, limit, gs_member_fn, &l, &e) != APP_OK)
		fail_msg("members: %s", e.msg);
	return l;
}

static enum app_err gs_put(struct store *s, int64_t group_id, int64_t user_id, const char *role,
			   const char *function, const char *state, int64_t at,
			   struct app_error *e)
{
	struct group_member m = { .group_id = group_id, .user_id = user_id, .joined_at = at };
	snprintf(m.role, sizeof(m.role), "%s", role);
	snprintf(m.function, sizeof(m.function), "%s", function);
	snprintf(m.state, sizeof(m.state), "%s", state);
	char object[32];
	snprintf(object, sizeof(object), "group:%lld", (long long)group_id);
	struct audit_note note = gs_note(object, "member.put");
	return store_member_put(s, &m, &note, e);
}

static void gs_case_members(struct store *s)
{
	gs_sync(s, GS_TOWN, 26, 0);
	int64_t g1 = gs_standing(s, GS_VILLAGE, "village").id;
	int64_t g2 = gs_standing(s, GS_TOWN, "town").id;
	int64_t u1 = gs_user(s, "张三", "13900000001", "");
	int64_t u2 = gs_user(s, "李四", "13900000002", "");
	int64_t u3 = gs_user(s, "王五", "13900000003", "");
	struct app_error e;
	assert_int_equal(gs_put(s, g1, u1, "owner", "", "active", GS_NOW, &e), APP_OK);
	struct group_member m;
	assert_int_equal(store_member_get(s, g1, u1, &m, &e), APP_OK);
	assert_int_equal(m.group_id, g1);
	assert_int_equal(m.user_id, u1);
	assert_string_equal(m.role, "owner");
	assert_string_equal(m.function, "");
	assert_string_equal(m.state, "active");
	assert_int_equal(m.joined_at, GS_NOW);
	assert_string_equal(m.name, "张三");
	assert_string_equal(m.phone, "13900000001");
	/* an update changes role, function and state, not when they joined */
	assert_int_equal(gs_put(s, g1, u1, "key_person", "包村干部", "active", GS_NOW + 99, &e),
			 APP_OK);
	assert_int_equal(store_member_get(s, g1, u1, &m, &e), APP_OK);
	assert_string_equal(m.role, "key_person");
	assert_string_equal(m.function, "包村干部");
	assert_int_equal(m.joined_at, GS_NOW);

	assert_int_equal(gs_put(s, g1, u2, "resident", "", "pending", GS_NOW + 1, &e), APP_OK);
	assert_int_equal(gs_put(s, g1, u3, "resident", "", "left", GS_NOW + 2, &e), APP_OK);
	assert_int_equal(gs_put(s, g2, u1, "admin", "", "active", GS_NOW + 3, &e), APP_OK);
	assert_int_equal(gs_get(s, g1).members, 1); /* active ones only */
	assert_int_equal(gs_get(s, g2).members, 1);
	/* the head: the same group without the count */
	struct group full = gs_get(s, g1), head;
	memset(&head, 0xff, sizeof(head));
	assert_int_equal(store_group_head(s, g1, &head, &e), APP_OK);
	assert_int_equal(head.members, 0);
	full.members = 0;
	assert_int_equal(head.id, full.id);
	assert_string_equal(head.kind, full.kind);
	assert_string_equal(head.region, full.region);
	assert_string_equal(head.name, full.name);
	assert_string_equal(head.join_code, full.join_code);
	assert_int_equal(head.approval, full.approval);
	assert_int_equal(head.duty_start, full.duty_start);
	assert_int_equal(head.duty_end, full.duty_end);
	assert_int_equal(head.created_at, full.created_at);
	assert_int_equal(store_group_head(s, 999999, &head, &e), APP_ENOTFOUND);

	struct gs_members l = gs_members_of(s, g1, "", 0, 10);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.m[0].user_id, u1);
	assert_int_equal(l.m[1].user_id, u2);
	assert_int_equal(l.m[2].user_id, u3);
	assert_string_equal(l.m[1].name, "李四");
	assert_string_equal(l.m[2].state, "left");
	l = gs_members_of(s, g1, "pending", 0, 10);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.m[0].user_id, u2);
	l = gs_members_of(s, g1, "active", 0, 10);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.m[0].user_id, u1);
	l = gs_members_of(s, g1, "", u1, 1);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.m[0].user_id, u2);
	assert_int_equal(gs_members_of(s, g1, "", u3, 10).n, 0);

	l = (struct gs_members){ 0 };
	assert_int_equal(store_member_groups(s, u1, gs_member_fn, &l, &e), APP_OK);
	assert_int_equal(l.n, 2);
	assert_true(g2 < g1); /* the town's group was made first */
	assert_int_equal(l.m[0].group_id, g2);
	assert_string_equal(l.m[0].role, "admin");
	assert_int_equal(l.m[1].group_id, g1);
	l = (struct gs_members){ 0 };
	assert_int_equal(store_member_groups(s, u3, gs_member_fn, &l, &e), APP_OK);
	assert_int_equal(l.n, 1); /* any state */
	assert_string_equal(l.m[0].state, "left");

	/* not a member; unknown person or group; a role the schema refuses */
	assert_int_equal(store_member_get(s, g2, u2, &m, &e), APP_ENOTFOUND);
	assert_string_equal(e.msg, "that person is not a member of this group");
	assert_int_equal(gs_put(s, g1, 999999, "resident", "", "active", GS_NOW, &e), APP_EINVAL);
	assert_string_equal(e.msg, "adding a group member: it refers to a region, household or "
				   "user that does not exist");
	assert_int_equal(gs_put(s, 999999, u1, "resident", "", "active", GS_NOW, &e), APP_EINVAL);
	assert_int_equal(gs_put(s, g1, u2, "boss", "", "active", GS_NOW, &e), APP_EINVAL);
	assert_string_equal(e.msg, "adding a group member: a value is out of range");
	assert_int_equal(gs_put(s, g1, u2, "resident", "", "gone", GS_NOW, &e), APP_EINVAL);
	assert_int_equal(store_member_get(s, g1, u2, &m, &e), APP_OK);
	assert_string_equal(m.state, "pending");

	char object[32];
	snprintf(object, sizeof(object), "group:%lld", (long long)g1);
	assert_string_equal(gs_audit_of(s, object), "member.put member.put member.put member.put");
	snprintf(object, sizeof(object), "group:%lld", (long long)g2);
	assert_string_equal(gs_audit_of(s, object), "member.put");
}

/* ---- rosters ---- */

static struct roster_row gs_row(int line, const char *name, const char *phone,
				const char *id_number, const char *address)
{
	struct roster_row r = { .line = line };
	snprintf(r.name, sizeof(r.name), "%s", name);
	snprintf(r.phone, sizeof(r.phone), "%s", phone);
	snprintf(r.id_number, sizeof(r.id_number), "%s", id_number);
	snprintf(r.address, sizeof(r.address), "%s", address);
	return r;
}

struct gs_users {
	int n;
	struct user u[32];
};

static bool gs_user_fn(void *ctx, const struct user *u)
{
	struct gs_users *l = ctx;
	if (l->n < 32)
		l->u[l->n] = *u;
	l->n++;
	return true;
}

static struct gs_users gs_users_all(struct store *s)
{
	struct gs_users l = { 0 };
	struct app_error e;
	if (store_user_list(s, "", 0, 100, gs_user_fn, &l, &e) != APP_OK)
		fail_msg("users: %s", e.msg);
	return l;
}

static struct user gs_user_by_phone(struct store *s, const char *phone)
{
	struct user u;
	struct app_error e;
	char hash[128];
	if (store_user_by_phone(s, phone, &u, hash, sizeof(hash), &e) != APP_OK)
		fail_msg("user %s: %s", phone, e.msg);
	return u;
}

static enum app_err gs_import(struct store *s, int64_t group_id, const struct roster_row *rows,
			      size_t n, struct roster_counts *c, struct app_error *e)
{
	char object[32];
	snprintf(object, sizeof(object), "group:%lld", (long long)group_id);
	struct audit_note note = gs_note(object, "roster.import");
	return store_roster_import(s, group_id, rows, n, GS_NOW + 10, &note, c, e);
}

/* Roster imports so far whose set-based step fell back to the lines. */
static uint64_t gs_fallbacks(struct store *s)
{
	struct store_stats st;
	store_stats(s, &st);
	return st.roster_fallbacks;
}

static void gs_case_roster(struct store *s)
{
	gs_sync(s, GS_TOWN, 26, 0);
	struct group g = gs_standing(s, GS_VILLAGE, "village");
	int64_t known = gs_user(s, "老村长", "13900000001", "411681195001010011");
	/* a member already, who left: the roster brings them back as a
	 * resident (a roster never gives back a role that was taken away) */
	int64_t back = gs_user(s, "回乡人", "13900000002", "");
	struct app_error e;
	assert_int_equal(gs_put(s, g.id, back, "key_person", "网格员", "left", GS_NOW, &e), APP_OK);
	struct roster_row rows[] = {
		gs_row(2, "赵一", "13911110001", "", "一组12号"),
		gs_row(3, "老村长", "13900000001", "", "一组1号"), /* known phone */
		gs_row(4, "钱二", "13911110002", "411681198802020022", "二组3号"),
		gs_row(5, "赵一", "13911110001", "", "一组12号"), /* twice in the file */
		gs_row(6, "回乡人", "13900000002", "", "三组8号"),
	};
	rows[3].repeat = true; /* as groups.c marks it */
	struct roster_counts c = { 9, 9, 9, 9 };
	assert_int_equal(gs_import(s, g.id, rows, 5, &c, &e), APP_OK);
	assert_int_equal(c.households, 2);
	assert_int_equal(c.users, 2);
	assert_int_equal(c.joined, 4); /* 赵一, 老村长, 钱二, 回乡人 */
	assert_int_equal(c.already, 1);
	assert_int_equal(gs_users_all(s).n, 4);
	assert_int_equal(gs_get(s, g.id).members, 4);

	/* the new people live in the group's region, each in a household of
	 * their own at the roster's address */
	struct user u = gs_user_by_phone(s, "13911110002");
	assert_string_equal(u.name, "钱二");
	assert_string_equal(u.id_number, "411681198802020022");
	assert_string_equal(u.region, GS_VILLAGE);
	assert_false(u.must_change_password);
	assert_int_equal(u.created_at, GS_NOW + 10);
	struct household h;
	assert_true(u.household_id > 0);
	assert_int_equal(store_household_get(s, u.household_id, &h, &e), APP_OK);
	assert_string_equal(h.region, GS_VILLAGE);
	assert_string_equal(h.address, "二组3号");
	struct user first = gs_user_by_phone(s, "13911110001");
	assert_true(first.household_id > 0 && first.household_id != u.household_id);
	/* the known person got no household and no new account */
	assert_int_equal(gs_user_by_phone(s, "13900000001").id, known);
	assert_int_equal(gs_user_by_phone(s, "13900000001").household_id, 0);

	struct group_member m;
	assert_int_equal(store_member_get(s, g.id, u.id, &m, &e), APP_OK);
	assert_string_equal(m.role, "resident");
	assert_string_equal(m.state, "active");
	assert_int_equal(m.joined_at, GS_NOW + 10);
	assert_int_equal(store_member_get(s, g.id, back, &m, &e), APP_OK);
	assert_string_equal(m.role, "resident");
	assert_string_equal(m.function, "");
	assert_string_equal(m.state, "active");

	/* again: everyone is there already */
	assert_int_equal(gs_import(s, g.id, rows, 5, &c, &e), APP_OK);
	assert_int_equal(c.households, 0);
	assert_int_equal(c.users, 0);
	assert_int_equal(c.joined, 0);
	assert_int_equal(c.already, 5);
	assert_int_equal(gs_users_all(s).n, 4);

	/* an unknown group */
	assert_int_equal(gs_import(s, 999999, rows, 1, &c, &e), APP_ENOTFOUND);
	assert_string_equal(e.msg, "no such group");
	assert_int_equal(c.joined, 0);

	char object[32];
	snprintf(object, sizeof(object), "group:%lld", (long long)g.id);
	assert_string_equal(gs_audit_of(s, object), "member.put roster.import roster.import");
}

static void gs_case_roster_all_or_nothing(struct store *s)
{
	gs_sync(s, GS_TOWN, 26, 0);
	struct group g = gs_standing(s, GS_VILLAGE, "village");
	struct app_error e;
	struct roster_counts c;
	struct roster_row ok[] = { gs_row(2, "赵一", "13911110001", "", "一组12号") };
	uint64_t fallbacks = gs_fallbacks(s);
	assert_int_equal(gs_import(s, g.id, ok, 1, &c, &e), APP_OK);
	assert_int_equal(gs_fallbacks(s), fallbacks);
	int64_t last_household = gs_user_by_phone(s, "13911110001").household_id;
	gs_user(s, "孙七", "13900000007", "411681197707070077");
	struct gs_users before = gs_users_all(s);
	assert_int_equal(before.n, 2);

	/* line 7 names 孙七's ID number under a new phone: the whole file is
	 * refused, and the new people before it are not kept */
	struct roster_row rows[] = {
		gs_row(4, "新户甲", "13922220001", "", "四组1号"),
		gs_row(5, "新户乙", "13922220002", "411681199909090099", "四组2号"),
		gs_row(7, "冒名者", "13922220003", "411681197707070077", "四组3号"),
		gs_row(8, "新户丁", "13922220004", "", "四组4号"),
	};
	c = (struct roster_counts){ 9, 9, 9, 9 };
	assert_int_equal(gs_import(s, g.id, rows, 4, &c, &e), APP_ECONFLICT);
	assert_string_equal(e.field, "id_number");
	assert_string_equal(e.msg, "line 7: this ID number is already registered");
	/* found by the set-based step, named by the line-by-line one */
	assert_int_equal(gs_fallbacks(s), fallbacks + 1);
	assert_int_equal(c.households, 0);
	assert_int_equal(c.users, 0);
	assert_int_equal(c.joined, 0);
	assert_int_equal(c.already, 0);

	struct gs_users after = gs_users_all(s);
	assert_int_equal(after.n, before.n);
	struct user u;
	char hash[8];
	assert_int_equal(store_user_by_phone(s, "13922220001", &u, hash, sizeof(hash), &e),
			 APP_ENOTFOUND);
	/* the households made for lines 4, 5 and 7 were rolled back */
	struct household h;
	for (int64_t id = last_household + 1; id <= last_household + 4; id++)
		assert_int_equal(store_household_get(s, id, &h, &e), APP_ENOTFOUND);
	struct gs_members l = gs_members_of(s, g.id, "", 0, 16);
	assert_int_equal(l.n, 1);
	assert_int_equal(gs_get(s, g.id).members, 1);

	char object[32];
	snprintf(object, sizeof(object), "group:%lld", (long long)g.id);
	assert_string_equal(gs_audit_of(s, object), "roster.import");
}

/* A roster of many new households around a known person: each new person
 * is tied to the household of their own line, in the group once. */
static void gs_case_roster_many(struct store *s)
{
	gs_sync(s, GS_TOWN, 26, 0);
	struct group g = gs_standing(s, GS_VILLAGE, "village");
	int64_t known = gs_user(s, "老村长", "13900000001", "");
	enum { N = 300 };
	struct roster_row *rows = calloc(N, sizeof(*rows));
	assert_non_null(rows);
	for (int i = 0; i < N; i++) {
		char phone[16], addr[32];
		snprintf(phone, sizeof(phone), "139%08d", i == 150 ? 1 : 22220000 + i);
		snprintf(addr, sizeof(addr), "%d组%d号", i / 40 + 1, i % 40 + 1);
		rows[i] = gs_row(i + 2, i == 150 ? "老村长" : "村民", phone, "", addr);
	}
	struct roster_counts c;
	struct app_error e;
	uint64_t fallbacks = gs_fallbacks(s);
	assert_int_equal(gs_import(s, g.id, rows, N, &c, &e), APP_OK);
	assert_int_equal(gs_fallbacks(s), fallbacks); /* written set-based */
	assert_int_equal(c.households, N - 1);
	assert_int_equal(c.users, N - 1);
	assert_int_equal(c.joined, N);
	assert_int_equal(c.already, 0);
	assert_int_equal(gs_get(s, g.id).members, N);
	for (int i = 0; i < N; i++) {
		struct user u = gs_user_by_phone(s, rows[i].phone);
		struct group_member m;
		assert_int_equal(store_member_get(s, g.id, u.id, &m, &e), APP_OK);
		assert_string_equal(m.state, "active");
		if (i == 150) {
			assert_int_equal(u.id, known);
			continue;
		}
		struct household h;
		assert_int_equal(store_household_get(s, u.household_id, &h, &e), APP_OK);
		assert_string_equal(h.address, rows[i].address);
		assert_string_equal(u.region, GS_VILLAGE);
	}
	free(rows);
}

/* ---- duty ---- */

static struct duty_data *gs_duty(struct store *s, int64_t group_id, int first, int last)
{
	static struct duty_data d;
	struct app_error e;
	if (store_duty_get(s, group_id, first, last, &d, &e) != APP_OK)
		fail_msg("duty: %s", e.msg);
	return &d;
}

static void gs_case_duty(struct store *s)
{
	gs_sync(s, GS_TOWN, 26, 0);
	int64_t g = gs_standing(s, GS_VILLAGE, "village").id;
	int64_t other = gs_standing(s, GS_TOWN, "town").id;
	int64_t u1 = gs_user(s, "张三", "13900000001", "");
	int64_t u2 = gs_user(s, "李四", "13900000002", "");
	int64_t u3 = gs_user(s, "王五", "13900000003", "");
	char object[32];
	snprintf(object, sizeof(object), "group:%lld", (long long)g);
	struct audit_note rota = gs_note(object, "duty.rota");
	struct audit_note over = gs_note(object, "duty.override");
	struct audit_note leave = gs_note(object, "duty.leave");
	struct app_error e;

	/* nothing yet */
	struct duty_data *d = gs_duty(s, g, 20261201, 20261231);
	for (int i = 0; i < 7; i++)
		assert_int_equal(d->weekday_user[i], 0);
	assert_int_equal(d->noverrides, 0);
	assert_int_equal(d->nleaves, 0);

	int64_t week[7] = { u1, u2, 0, u1, 0, 0, u3 };
	assert_int_equal(store_duty_rota_set(s, g, week, &rota, &e), APP_OK);
	d = gs_duty(s, g, 20261201, 20261231);
	for (int i = 0; i < 7; i++)
		assert_int_equal(d->weekday_user[i], week[i]);
	/* a new rotation replaces the old one whole */
	int64_t week2[7] = { 0, u3, u3, 0, u2, 0, 0 };
	assert_int_equal(store_duty_rota_set(s, g, week2, &rota, &e), APP_OK);
	d = gs_duty(s, g, 20261201, 20261231);
	for (int i = 0; i < 7; i++)
		assert_int_equal(d->weekday_user[i], week2[i]);
	assert_int_equal(gs_duty(s, other, 20261201, 20261231)->weekday_user[1], 0);
	/* an unknown person: refused, and the rotation stays as it was */
	int64_t bad_week[7] = { u1, 999999, 0, 0, 0, 0, 0 };
	assert_int_equal(store_duty_rota_set(s, g, bad_week, &rota, &e), APP_EINVAL);
	d = gs_duty(s, g, 20261201, 20261231);
	for (int i = 0; i < 7; i++)
		assert_int_equal(d->weekday_user[i], week2[i]);

	/* overrides: set, replace, remove; read by range in day order */
	struct duty_override o = { .day = 20261205, .user_id = u3 };
	snprintf(o.reason, sizeof(o.reason), "换班");
	assert_int_equal(store_duty_override_set(s, g, &o, &over, &e), APP_OK);
	o = (struct duty_override){ .day = 20261201, .user_id = u2 };
	assert_int_equal(store_duty_override_set(s, g, &o, &over, &e), APP_OK);
	o = (struct duty_override){ .day = 20261220, .user_id = u1 };
	assert_int_equal(store_duty_override_set(s, g, &o, &over, &e), APP_OK);
	d = gs_duty(s, g, 20261201, 20261210);
	assert_int_equal(d->noverrides, 2);
	assert_int_equal(d->overrides[0].day, 20261201);
	assert_int_equal(d->overrides[0].user_id, u2);
	assert_int_equal(d->overrides[1].day, 20261205);
	assert_int_equal(d->overrides[1].user_id, u3);
	assert_string_equal(d->overrides[1].reason, "换班");
	o = (struct duty_override){ .day = 20261201, .user_id = u3 };
	snprintf(o.reason, sizeof(o.reason), "病假顶班");
	assert_int_equal(store_duty_override_set(s, g, &o, &over, &e), APP_OK);
	o = (struct duty_override){ .day = 20261205, .user_id = 0 };
	assert_int_equal(store_duty_override_set(s, g, &o, &over, &e), APP_OK);
	d = gs_duty(s, g, 20261201, 20261231);
	assert_int_equal(d->noverrides, 2);
	assert_int_equal(d->overrides[0].day, 20261201);
	assert_int_equal(d->overrides[0].user_id, u3);
	assert_string_equal(d->overrides[0].reason, "病假顶班");
	assert_int_equal(d->overrides[1].day, 20261220);
	assert_int_equal(gs_duty(s, g, 20261202, 20261219)->noverrides, 0);
	assert_int_equal(gs_duty(s, g, 20261220, 20261220)->noverrides, 1);
	assert_int_equal(gs_duty(s, other, 20261201, 20261231)->noverrides, 0);

	/* leave: added with ids, read when it touches the range */
	struct duty_leave l1 = { .user_id = u1, .first_day = 20261201, .last_day = 20261203 };
	struct duty_leave l2 = { .user_id = u2, .first_day = 20261208, .last_day = 20261215 };
	struct duty_leave l3 = { .user_id = u3, .first_day = 20261220, .last_day = 20261225 };
	snprintf(l2.reason, sizeof(l2.reason), "探亲");
	int64_t id1 = -1, id2 = -1, id3 = -1;
	assert_int_equal(store_duty_leave_add(s, g, &l1, &leave, &id1, &e), APP_OK);
	assert_int_equal(store_duty_leave_add(s, g, &l3, &leave, &id3, &e), APP_OK);
	assert_int_equal(store_duty_leave_add(s, g, &l2, &leave, &id2, &e), APP_OK);
	assert_true(id1 > 0 && id3 > id1 && id2 > id3);
	d = gs_duty(s, g, 20261205, 20261210);
	assert_int_equal(d->nleaves, 1);
	assert_int_equal(d->leaves[0].id, id2);
	assert_int_equal(d->leaves[0].user_id, u2);
	assert_int_equal(d->leaves[0].first_day, 20261208);
	assert_int_equal(d->leaves[0].last_day, 20261215);
	assert_string_equal(d->leaves[0].reason, "探亲");
	d = gs_duty(s, g, 20261203, 20261208); /* both ends touch */
	assert_int_equal(d->nleaves, 2);
	assert_int_equal(d->leaves[0].id, id1);
	assert_int_equal(d->leaves[1].id, id2);
	assert_int_equal(gs_duty(s, g, 20261204, 20261207)->nleaves, 0);
	assert_int_equal(gs_duty(s, g, 20261101, 20261231)->nleaves, 3);
	/* leave that ends before it starts, or of an unknown person */
	struct duty_leave bad = { .user_id = u1, .first_day = 20261210, .last_day = 20261209 };
	int64_t bad_id = -1;
	assert_int_equal(store_duty_leave_add(s, g, &bad, &leave, &bad_id, &e), APP_EINVAL);
	assert_string_equal(e.msg, "recording leave: a value is out of range");
	bad = (struct duty_leave){ .user_id = 999999, .first_day = 20261210, .last_day = 20261210 };
	assert_int_equal(store_duty_leave_add(s, g, &bad, &leave, &bad_id, &e), APP_EINVAL);
	assert_int_equal(bad_id, -1);

	/* removing: only the group's own, and only once */
	assert_int_equal(store_duty_leave_remove(s, other, id1, &leave, &e), APP_ENOTFOUND);
	assert_string_equal(e.msg, "this group has no such leave");
	assert_int_equal(store_duty_leave_remove(s, g, 999999, &leave, &e), APP_ENOTFOUND);
	assert_int_equal(store_duty_leave_remove(s, g, id1, &leave, &e), APP_OK);
	assert_int_equal(store_duty_leave_remove(s, g, id1, &leave, &e), APP_ENOTFOUND);
	d = gs_duty(s, g, 20261101, 20261231);
	assert_int_equal(d->nleaves, 2);
	assert_int_equal(d->leaves[0].id, id2);
	assert_int_equal(d->leaves[1].id, id3);

	assert_string_equal(gs_audit_of(s, object),
			    "duty.rota duty.rota duty.override duty.override duty.override "
			    "duty.override duty.override duty.leave duty.leave duty.leave "
			    "duty.leave");
}

/* ---- migration 0027 (test_groups_store.c, test_groups_store_pg.c) ---- */

/* Rows for a database of the version before 0027 (both backends' SQL):
 * a household, an account with an ID number, a password and a household,
 * one without, and a membership naming the first. */
#define GS_BEFORE_0027                                                                          \
	"INSERT INTO regions VALUES ('99', NULL, 0, '演示', 't'), "                              \
	"('9901', '99', 1, '市', 't'), ('990101', '9901', 2, '县', 't');"                        \
	"INSERT INTO groups (id, kind, region_code, name, join_code, created_at) "               \
	"VALUES (5, 'county', '990101', '县群', 'j5', 1);"                                       \
	"INSERT INTO households (id, region_code, address, created_at) "                         \
	"VALUES (1000, '990101', '一组1号', 50);"                                                \
	"INSERT INTO users (id, name, phone, id_number, region_code, household_id, "             \
	"password_hash, must_change_password, disabled, created_at, version) VALUES "           \
	"(1000, '张三', '13900000003', '411681195001010011', '990101', 1000, 'h3', true, "       \
	"false, 100, 2), "                                                                     \
	"(1001, '李四', '13900000004', NULL, '990101', NULL, NULL, false, true, 200, 1);"        \
	"INSERT INTO group_members (group_id, user_id, role, function, state, joined_at) "       \
	"VALUES (5, 1000, 'owner', '', 'active', 100);"

/* An account at 990101 (the region of GS_BEFORE_0027). */
static inline enum app_err gs_user_0027(struct store *s, const char *phone, const char *id_number,
					struct app_error *e)
{
	struct user u = { .created_at = GS_NOW };
	snprintf(u.name, sizeof(u.name), "王五");
	snprintf(u.phone, sizeof(u.phone), "%s", phone);
	snprintf(u.id_number, sizeof(u.id_number), "%s", id_number);
	snprintf(u.region, sizeof(u.region), "990101");
	int64_t id;
	return store_user_create(s, &u, "h", NULL, NULL, &id, e);
}

/* After migration 0027 on GS_BEFORE_0027 (households_by_region dropped,
 * the ID number unique only among accounts that have one): every account,
 * household and membership read as before; an ID number taken is refused
 * as before, by an account made alone or by a roster's line, and any
 * number of accounts have none. */
static inline void gs_after_0027(struct store *s)
{
	struct app_error e;
	struct user u;
	assert_int_equal(store_user_get(s, 1000, &u, &e), APP_OK);
	assert_string_equal(u.name, "张三");
	assert_string_equal(u.phone, "13900000003");
	assert_string_equal(u.id_number, "411681195001010011");
	assert_string_equal(u.region, "990101");
	assert_int_equal(u.household_id, 1000);
	assert_true(u.must_change_password);
	assert_false(u.disabled);
	assert_int_equal(u.created_at, 100);
	assert_int_equal(u.version, 2);
	char hash[8];
	assert_int_equal(store_user_by_phone(s, "13900000003", &u, hash, sizeof(hash), &e), APP_OK);
	assert_string_equal(hash, "h3");
	assert_int_equal(store_user_get(s, 1001, &u, &e), APP_OK);
	assert_string_equal(u.id_number, "");
	assert_int_equal(u.household_id, 0);
	assert_true(u.disabled);
	assert_int_equal(u.created_at, 200);
	struct household h;
	assert_int_equal(store_household_get(s, 1000, &h, &e), APP_OK);
	assert_string_equal(h.region, "990101");
	assert_string_equal(h.address, "一组1号");
	assert_int_equal(h.created_at, 50);
	struct group_member m;
	assert_int_equal(store_member_get(s, 5, 1000, &m, &e), APP_OK);
	assert_string_equal(m.role, "owner");

	/* an ID number is still one account's; none is anyone's */
	assert_int_equal(gs_user_0027(s, "13900000005", "411681195001010011", &e), APP_ECONFLICT);
	assert_string_equal(e.field, "id_number");
	assert_int_equal(gs_user_0027(s, "13900000006", "", &e), APP_OK);
	assert_int_equal(gs_user_0027(s, "13900000007", "", &e), APP_OK);
	assert_int_equal(gs_user_0027(s, "13900000008", "411681199909090099", &e), APP_OK);

	/* a roster: new persons with and without an ID number and a known
	 * one join; a line with a taken ID number refuses the file */
	struct roster_row rows[] = {
		gs_row(2, "赵一", "13911110001", "", "二组1号"),
		gs_row(3, "钱二", "13911110002", "411681198802020022", "二组2号"),
		gs_row(4, "李四", "13900000004", "", "一组2号"),
	};
	struct roster_counts c;
	assert_int_equal(gs_import(s, 5, rows, 3, &c, &e), APP_OK);
	assert_int_equal(c.users, 2);
	assert_int_equal(c.joined, 3);
	assert_string_equal(gs_user_by_phone(s, "13911110002").id_number, "411681198802020022");
	struct roster_row taken[] = {
		gs_row(2, "孙三", "13911110003", "", "三组1号"),
		gs_row(3, "冒名者", "13911110004", "411681199909090099", "三组2号"),
	};
	assert_int_equal(gs_import(s, 5, taken, 2, &c, &e), APP_ECONFLICT);
	assert_string_equal(e.field, "id_number");
	assert_string_equal(e.msg, "line 3: this ID number is already registered");
	assert_int_equal(store_user_by_phone(s, "13911110003", &u, hash, sizeof(hash), &e),
			 APP_ENOTFOUND);
	assert_int_equal(gs_members_of(s, 5, "", 0, 16).n, 4);
}

#endif
