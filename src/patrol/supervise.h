/*
 * supervise.h - 督办: a supervisor's reminder (催办) on an alert or a
 * demand, its deadline in working days, the acknowledgement by the
 * supervised, and the 通报 (public criticism list) of the reminders still
 * unresolved at their deadline, by the month the deadline fell in.
 *
 * Who may do what is decided here with auth_scope(): a reminder is issued
 * by a holder of PERM_GROUPS_SUPERVISE covering the item's region (the
 * alert's addressee for an alert); acknowledged by who handles the item
 * (PERM_CASES_HANDLE in a demand's region; a manager of an alert's group);
 * the 通报 is read with PERM_GROUPS_SUPERVISE or PERM_CASES_READ. To anyone
 * else out of scope an item or a supervision does not exist (404).
 */
#ifndef PATROL_SUPERVISE_H
#define PATROL_SUPERVISE_H

#include "auth/auth.h"
#include "core/calendar.h"
#include "store/store.h"

#include <jansson.h>

#define SUPERVISE_DAYS_DEFAULT 5
#define SUPERVISE_DAYS_MAX 30
#define SUPERVISE_NOTE_CHARS 500 /* characters of a note */

/* The deadline of a reminder issued at `at` with `days` working days: the
 * end (24:00 China time) of the days-th working day after the day it was
 * issued, on cal (calendar_due). APP_EINVAL when days is not 1..30. */
enum app_err supervise_deadline(const struct calendar *cal, int64_t at, int days, int64_t *out,
				struct app_error *err);

/* The period ("2026-11") a deadline falls in: the month, in China time, of
 * the last working day it ends, into out (at least 8 bytes). */
void supervise_period(int64_t deadline, char *out, size_t cap);

/* v as the API shows it, with days_overdue at now when it is noticed (a
 * new reference). */
json_t *supervise_json(const struct supervision *v, int64_t now);

/*
 * Issue a reminder on object ("alert:ID" or "case:ID") with note and days
 * (0: the default) at now for c; *out receives it. The supervised are told
 * by an event on their group's topic; a demand gets a line on its
 * timeline. Errors: APP_EINVAL (field named), APP_EPERM when c supervises
 * nothing, APP_ENOTFOUND when the item is absent or out of c's scope,
 * APP_ECONFLICT when the item is already resolved or closed.
 */
enum app_err supervise_issue(struct store *s, const struct auth_caller *c, const char *object,
			     const char *note, int days, int64_t now, struct supervision *out,
			     struct app_error *err);

/* Acknowledge supervision id (notice false) or its 通报 (notice true) as c,
 * who must handle its item; *out receives it. APP_ENOTFOUND outside c's
 * scope, APP_EPERM for a supervisor who does not handle it, APP_ECONFLICT
 * when acknowledged before or not listed. */
enum app_err supervise_acknowledge(struct store *s, const struct auth_caller *c, int64_t id,
				   bool notice, int64_t now, struct supervision *out,
				   struct app_error *err);

/* Settle every open reminder at now: resolved when its item was done by
 * its deadline, listed in the 通报 when its deadline has passed without.
 * The counts (may be NULL) are how many of each. */
enum app_err supervise_check(struct store *s, int64_t now, int *resolved, int *noticed,
			     struct app_error *err);

/* The 通报 of period ("2026-11") within region (NULL or "": c's home region
 * of either permission) as c may read it, to fn. APP_EINVAL for a
 * malformed period, APP_EPERM when c holds neither permission,
 * APP_ENOTFOUND when region is outside c's scope. */
enum app_err supervise_notices(struct store *s, const struct auth_caller *c, const char *period,
			       const char *region, store_supervision_fn fn, void *ctx,
			       struct app_error *err);

#endif
