/*
 * alerts.h - the patrol's alerts as supervisors see them: their JSON, the
 * listing in one's scope, acknowledging, and which live feed one may
 * follow. An alert is addressed to the supervising level of where it
 * happened (patrol_supervisor()); a holder of PERM_GROUPS_SUPERVISE sees
 * the alerts addressed to a region their grant covers, and no others: to
 * anyone else they do not exist (404).
 */
#ifndef PATROL_ALERTS_H
#define PATROL_ALERTS_H

#include "auth/auth.h"
#include "core/strbuf.h"
#include "patrol/patrol.h"
#include "store/store.h"

#include <jansson.h>

#define ALERTS_LIST_MAX 200

/* The alert as the API shows it, as one line of JSON text appended to out
 * (its events, a sweep's answer): written directly, no tree. */
void alerts_json_text(const struct alert *a, struct strbuf *out);
/* The same as a tree (a new reference; NULL only when out of memory). */
json_t *alerts_json(const struct alert *a);

/*
 * The alerts addressed within region (NULL or "": every region c
 * supervises) that c may see, newest first, with q's state, kind, paging
 * and limit (q's regions are set here). APP_EPERM when c supervises
 * nothing; APP_ENOTFOUND when region is outside c's scope; APP_EINVAL for
 * an unknown kind or state.
 */
enum app_err alerts_list(struct store *s, const struct auth_caller *c, const char *region,
			 struct alert_query *q, store_alert_fn fn, void *ctx,
			 struct app_error *err);

/*
 * Run one sweep at now with the built-in rules (patrol_builtin()): fn (may
 * be NULL) hears of every finding, *counts (may be NULL) receives the
 * tallies. Errors: patrol_sweep()'s, and APP_EINVAL when the built-in rules
 * do not load.
 */
enum app_err alerts_sweep(struct store *s, int64_t now, patrol_finding_fn fn, void *ctx,
			  struct patrol_counts *counts, struct app_error *err);

/*
 * The same, its outcome written into out (emptied first) as the API and
 * `bianmin patrol --json` show it: {"findings": [each alert and "new"],
 * "raised", "messages"}, compact, written directly (a day's sweep finds
 * thousands). On failure out is left empty.
 */
enum app_err alerts_sweep_json(struct store *s, int64_t now, struct strbuf *out,
			       struct patrol_counts *counts, struct app_error *err);

/* Acknowledge alert id for c (who must supervise where it is addressed);
 * *out receives it. APP_ENOTFOUND outside c's scope; APP_ECONFLICT when it
 * is not open. */
enum app_err alerts_acknowledge(struct store *s, const struct auth_caller *c, int64_t id,
				struct alert *out, struct app_error *err);

/* Close alert id for c (who must supervise where it is addressed) once it
 * is dealt with, open or acknowledged: a reminder (督办) on it is then
 * resolved. *out receives it. APP_ENOTFOUND outside c's scope;
 * APP_ECONFLICT when it is closed already. */
enum app_err alerts_close(struct store *s, const struct auth_caller *c, int64_t id,
			  struct alert *out, struct app_error *err);

/* The topic of the live feed of the alerts addressed to region (NULL or
 * "": c's home region of PERM_GROUPS_SUPERVISE) into topic, after checking
 * c supervises it. Errors as alerts_list's. */
enum app_err alerts_feed_topic(const struct auth_caller *c, const char *region, char *topic,
			       size_t cap, struct app_error *err);

#endif
