/*
 * groups.h - the service network (项城 model): one group per village, town
 * and county, ad-hoc groups, their members, joining, rosters and the duty
 * rota (轮流值班). The rules live here; the store keeps the rows.
 *
 * Who may do what with a group, decided in groups_open() only: its active
 * owners and admins, and holders of PERM_GROUPS_MANAGE whose grants cover
 * the group's region, manage it; its active members and holders of
 * PERM_GROUPS_READ in scope see it. To anyone else it does not exist (404).
 */
#ifndef GROUPS_GROUPS_H
#define GROUPS_GROUPS_H

#include "auth/auth.h"
#include "core/strbuf.h"
#include "store/store.h"

#define GROUPS_NAME_MAX_CHARS 40
#define GROUPS_FUNCTION_MAX_CHARS 20
#define GROUPS_ROSTER_MAX_ROWS 5000
#define GROUPS_PROBLEMS_LISTED 100

/* Roles in a group and their Chinese names; NULL for an unknown role. */
const char *groups_role_zh(const char *role);
const char *groups_kind_zh(const char *kind);

/* Make the standing groups of the registry under within (see store). */
enum app_err groups_sync(struct store *s, const char *actor, const char *within,
			 struct group_sync_counts *counts, struct app_error *err);

/* The demo county's groups and a few members (groups_demo.c); safe to run
 * again. */
enum app_err groups_demo(struct store *s, const char *actor, struct group_sync_counts *counts,
			 struct app_error *err);

enum groups_need { GROUPS_SEE, GROUPS_MANAGE };

/*
 * Load group id for caller c and check that c may see or manage it (the
 * one place where that is decided): APP_ENOTFOUND when c may not see it,
 * APP_EPERM when c sees it but may not manage it.
 */
enum app_err groups_open(struct store *s, const struct auth_caller *c, int64_t id,
			 enum groups_need need, struct group *out, struct app_error *err);
/*
 * groups_open(s, c, id, GROUPS_SEE, ...) for a post: the same checks, the
 * group's head (store_group_head: members 0, not counted) in *out and c's
 * membership in *me (state "" when c has none), read once for both.
 */
enum app_err groups_open_head(struct store *s, const struct auth_caller *c, int64_t id,
			      struct group *out, struct group_member *me, struct app_error *err);

/* An ad-hoc group at region, which c must manage groups for. */
enum app_err groups_create(struct store *s, const struct auth_caller *c, const char *name,
			   const char *region, bool approval, int64_t *id, struct app_error *err);
/* Save the changed name, approval and duty hours of g (opened to manage),
 * after checking them. */
enum app_err groups_update(struct store *s, const struct auth_caller *c, const struct group *g,
			   struct app_error *err);
/* Give g (opened to manage) a new join code: the old link stops working. */
enum app_err groups_new_join_code(struct store *s, const struct auth_caller *c, struct group *g,
				  struct app_error *err);

/* Add user_id to g or change their role and function (active at once). */
enum app_err groups_member_set(struct store *s, const struct auth_caller *c,
			       const struct group *g, int64_t user_id, const char *role,
			       const char *function, struct app_error *err);
/* End user_id's membership (c manages g, or c is user_id leaving). */
enum app_err groups_member_remove(struct store *s, const struct auth_caller *c,
				  const struct group *g, int64_t user_id, struct app_error *err);
/* Let a pending member in. APP_EINVAL when they are not waiting. */
enum app_err groups_member_approve(struct store *s, const struct auth_caller *c,
				   const struct group *g, int64_t user_id, struct app_error *err);
/*
 * Join the group of a join code as a resident: active, or pending when the
 * group wants approval. Joining again changes nothing. *g and *m receive
 * the group and the membership.
 */
enum app_err groups_join(struct store *s, const struct auth_caller *c, const char *code,
			 struct group *g, struct group_member *m, struct app_error *err);

/*
 * Import a roster (CSV text, rewritten in place) into g: a header naming
 * the columns 姓名 (name), 手机号 (phone), 住址 (address) and optionally
 * 身份证号 (id_number), then one household per line. Every line is checked
 * first; any problem leaves everything unchanged, and problems gets "line
 * N: why" for each (at most GROUPS_PROBLEMS_LISTED).
 */
enum app_err groups_roster_import(struct store *s, const struct auth_caller *c,
				  const struct group *g, char *csv, size_t len,
				  struct roster_counts *counts, struct strbuf *problems,
				  struct app_error *err);

/* ---- duty ---- */

struct duty_slot {
	int day;           /* yyyymmdd, China time */
	int64_t from, until; /* the duty hours of that day */
	int64_t user_id;   /* 0 when nobody is on duty */
	const char *source; /* "rota", "override", "stand-in" (the rota's person is on
			     * leave), or "none" */
};

/*
 * Who answers at time at: *now is the duty period that covers at (in_hours
 * true), or, outside duty hours, the next one to start (in_hours false);
 * *next is the period after *now. Pure: d holds the rota, and the
 * overrides and leaves of both days.
 */
void groups_duty_compute(const struct group *g, const struct duty_data *d, int64_t at,
			 bool *in_hours, struct duty_slot *now, struct duty_slot *next);
/* The same, reading the rota from the store. */
enum app_err groups_duty_at(struct store *s, const struct group *g, int64_t at, bool *in_hours,
			    struct duty_slot *now, struct duty_slot *next, struct app_error *err);

/* Set the weekly rotation: users[i] on weekday i, each an active owner or
 * admin of g; 0 leaves a day to the next person of the rotation (as when
 * the day's person is on leave). */
enum app_err groups_rota_set(struct store *s, const struct auth_caller *c,
			     const struct group *g, const int64_t users[7],
			     struct app_error *err);
/* Put user_id (an active owner or admin; 0 to undo) on duty on day. */
enum app_err groups_override_set(struct store *s, const struct auth_caller *c,
				 const struct group *g, int day, int64_t user_id,
				 const char *reason, struct app_error *err);
enum app_err groups_leave_add(struct store *s, const struct auth_caller *c,
			      const struct group *g, int64_t user_id, int first_day, int last_day,
			      const char *reason, int64_t *id, struct app_error *err);
enum app_err groups_leave_remove(struct store *s, const struct auth_caller *c,
				 const struct group *g, int64_t leave_id, struct app_error *err);

#endif
