/*
 * groups_demo.c - the service groups of the demo county: every standing
 * group of 990101, and in the first village (990101103200) its party
 * secretary as owner on duty every day, the village doctor as a key person
 * and a resident; in the second village its secretary as owner. Seeds a
 * group only while it has no members, so running it again changes nothing.
 */
#include "groups/groups.h"
#include "auth/accounts.h"
#include "core/clock.h"
#include "regions/regions.h"

#include <stdio.h>
#include <string.h>

struct demo_member {
	const char *region; /* the village's code */
	const char *phone;  /* a demo account */
	const char *role;
	const char *function;
};

static const struct demo_member demo_members[] = {
	{ "990101103200", "19900000002", "owner", "村党支部书记" },
	{ "990101103200", "19900000003", "key_person", "村医" },
	{ "990101103200", "19900000001", "resident", "" },
	{ "990101103201", "19900000004", "owner", "村党支部书记" },
};

static bool first_group(void *ctx, const struct group *g)
{
	*(struct group *)ctx = *g;
	return false;
}

/* The standing group of a region (kind "" when none). */
static enum app_err standing_group(struct store *s, const char *region, struct group *g,
				   struct app_error *err)
{
	memset(g, 0, sizeof(*g));
	enum division_level level;
	if (division_code_check(region, &level, err) != APP_OK)
		return err->code;
	const char *kind = level == DIV_VILLAGE ? "village" : level == DIV_TOWN ? "town"
												: "county";
	return store_group_list(s, region, kind, 0, 1, first_group, g, err);
}

static enum app_err seed_member(struct store *s, const char *actor, const struct demo_member *d,
				int64_t *user_id, struct app_error *err)
{
	struct group g;
	struct user u;
	char hash[8];
	enum app_err rc = standing_group(s, d->region, &g, err);
	if (rc != APP_OK || !*g.kind)
		return rc;
	if ((rc = store_user_by_phone(s, d->phone, &u, hash, sizeof(hash), err)) != APP_OK)
		return rc;
	*user_id = u.id;
	struct group_member m = { .group_id = g.id, .user_id = u.id, .joined_at = clock_now() };
	snprintf(m.role, sizeof(m.role), "%s", d->role);
	snprintf(m.function, sizeof(m.function), "%s", d->function);
	snprintf(m.state, sizeof(m.state), "active");
	char object[32];
	snprintf(object, sizeof(object), "group:%lld", (long long)g.id);
	struct audit_note note = { actor, "group.member", object, g.region, "demo member added" };
	return store_member_put(s, &m, &note, err);
}

enum app_err groups_demo(struct store *s, const char *actor, struct group_sync_counts *counts,
			 struct app_error *err)
{
	enum app_err rc = groups_sync(s, actor, REGIONS_DEMO_COUNTY, counts, err);
	struct group first;
	if (rc != APP_OK || (rc = standing_group(s, "990101103200", &first, err)) != APP_OK)
		return rc;
	if (!*first.kind || first.members > 0)
		return APP_OK; /* seeded before */
	int64_t secretary = 0;
	for (size_t i = 0; i < sizeof(demo_members) / sizeof(demo_members[0]); i++) {
		int64_t id = 0;
		if ((rc = seed_member(s, actor, &demo_members[i], &id, err)) != APP_OK)
			return rc;
		if (i == 0)
			secretary = id;
	}
	int64_t week[7];
	for (int i = 0; i < 7; i++)
		week[i] = secretary;
	char object[32];
	snprintf(object, sizeof(object), "group:%lld", (long long)first.id);
	struct audit_note note = { actor, "duty.rota", object, first.region, "demo rota" };
	return store_duty_rota_set(s, first.id, week, &note, err);
}
