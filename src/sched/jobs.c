/*
 * jobs.c - THE table of scheduled jobs. Every job bianmin runs on a clock is
 * declared here, once, with its default interval (operators change it with
 * the job_intervals option) and the function that does it.
 */
#include "sched/sched.h"
#include "cases/case_settings.h"
#include "cases/cases_calendar.h"
#include "cases/demands.h"
#include "entitle/dispatch.h"
#include "entitle/entitle.h"
#include "entitle/outbox.h"
#include "exchange/push.h"
#include "patrol/patrol.h"
#include "patrol/supervise.h"
#include "store/store.h"

#include <stdio.h>

#define MINUTE 60
#define HOUR 3600
#define DAY (24 * HOUR)

/* Sessions that ended a day ago, sign-in attempts older than a day (the
 * throttle looks back 15 minutes) and events past the resume window. */
static enum app_err job_purge(struct store *s, int64_t now, char *detail, size_t cap,
			      struct app_error *err)
{
	struct store_purge_counts n;
	enum app_err rc = store_purge(s, now, now - DAY, now - DAY,
				      now - (int64_t)EVENT_RETENTION_DAYS * DAY, &n, err);
	if (rc == APP_OK)
		snprintf(detail, cap, "removed %lld sessions, %lld sign-in attempts, %lld events",
			 (long long)n.sessions, (long long)n.login_failures, (long long)n.events);
	return rc;
}

static enum app_err job_maintain(struct store *s, int64_t now, char *detail, size_t cap,
				 struct app_error *err)
{
	return store_maintain(s, now, detail, cap, err);
}

/* The clocks of demands: warnings, expiries and escalations that are due,
 * read from the index on their next check (never a scan of every demand),
 * in batches until none is left. */
static enum app_err job_demands(struct store *s, int64_t now, char *detail, size_t cap,
				struct app_error *err)
{
	enum { BATCH = 500, BATCHES_MAX = 200 };
	const struct calendar *cal;
	enum app_err rc = cases_calendar_shared(s, &cal, err);
	int changed = 0, seen = BATCH;
	case_settings_scope_begin(); /* each county's settings read once a run */
	for (int i = 0; rc == APP_OK && seen == BATCH && i < BATCHES_MAX; i++) {
		int did;
		rc = demands_sweep(s, cal, now, BATCH, &seen, &did, err);
		changed += did;
	}
	case_settings_scope_end();
	if (rc == APP_OK)
		snprintf(detail, cap, "%d demands warned, expired or escalated", changed);
	return rc;
}

/* The smart patrol: what is new or due since its last sweep (never a scan
 * of every message or case), each finding raised once as an alert. */
static enum app_err job_patrol(struct store *s, int64_t now, char *detail, size_t cap,
			       struct app_error *err)
{
	const struct patrol_rules *rules = patrol_builtin();
	if (!rules)
		return app_fail(err, APP_EINVAL, "the built-in patrol rules do not load");
	struct patrol_counts n;
	enum app_err rc = patrol_sweep(s, rules, now, NULL, NULL, &n, err);
	if (rc == APP_OK)
		snprintf(detail, cap, "%d messages read, %d new alerts", n.messages, n.raised);
	return rc;
}

/* 督办: settle the reminders whose item is done or whose deadline has
 * passed; an hour is fine grain for deadlines at the end of a day. */
static enum app_err job_supervision(struct store *s, int64_t now, char *detail, size_t cap,
				    struct app_error *err)
{
	int resolved, noticed;
	enum app_err rc = supervise_check(s, now, &resolved, &noticed, err);
	if (rc == APP_OK)
		snprintf(detail, cap, "%d reminders resolved, %d listed in the 通报", resolved,
			 noticed);
	return rc;
}

/* 免申即享: the public notices (公示) that ended without an objection move on
 * to consent or grant (src/entitle/entitlements.c). */
static enum app_err job_entitle_advance(struct store *s, int64_t now, char *detail, size_t cap,
					struct app_error *err)
{
	size_t n;
	enum app_err rc = entitle_advance(s, entitle_programmes_dir(), now, "job:entitle.advance", &n,
					  err);
	if (rc == APP_OK)
		snprintf(detail, cap, "%zu entitlements past their notice", n);
	return rc;
}

const struct sched_job sched_jobs[] = {
	{ "purge", HOUR, "remove ended sessions, old sign-in attempts and old events", job_purge },
	{ "maintain", DAY, "database upkeep: next months' partitions, WAL checkpoint",
	  job_maintain },
	{ "demands", MINUTE,
	  "run the clocks of cases (demands, delivery tasks): warnings, expiries, escalations",
	  job_demands },
	{ "patrol", MINUTE, "smart patrol: unanswered questions, overdue demands, alerts",
	  job_patrol },
	{ "supervision", HOUR, "督办: settle reminders, list the overdue ones in the 通报",
	  job_supervision },
	{ "exchange", MINUTE, "data exchange: push due batches to subscribers, retry failed pushes",
	  exchange_push_job },
	{ "entitle.evaluate", 10 * MINUTE,
	  "免申即享: run each programme whose datasets have a batch newer than its last run",
	  entitle_evaluate_job },
	{ "entitle.advance", HOUR,
	  "免申即享: entitlements whose public notice ended move to consent or grant",
	  job_entitle_advance },
	{ "entitle.dispatch", MINUTE,
	  "免申即享: entitlement events into SMS of the outbox, delivery tasks opened or cancelled",
	  dispatch_job },
	{ "outbox.send", MINUTE, "send the outbox's SMS through the gateway, retry failed ones",
	  outbox_job },
};
const size_t sched_jobs_count = sizeof(sched_jobs) / sizeof(sched_jobs[0]);
