/*
 * patrol.h - the smart patrol's sweep (智能巡群, issue #7): at an instant,
 * find what supervisors must see, and raise each finding once as an alert
 * to the supervising level (alerts.h). docs/patrol.md says exactly when
 * each kind fires.
 *
 * A sweep reads only what is new or due since its last run: the messages
 * flagged as they were posted (patrol_judge, judge.h: emergency and
 * complaint words) after a watermark, the questions watched since they
 * were posted whose acknowledgement window has ended, timeline lines of
 * demands after a watermark, hides in the audit trail after a watermark,
 * demands raised after a watermark, and the groups whose duty hours began
 * since the last run. It never scans every message
 * or every case. Each step is saved with its watermark in one transaction:
 * a sweep that fails half way leaves what it saved consistent, and the
 * next one goes on from there.
 */
#ifndef PATROL_PATROL_H
#define PATROL_PATROL_H

#include "core/err.h"
#include "patrol/judge.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

/* A household's demands about one category: the third within 30 days is a finding. */
#define PATROL_REPEAT_COUNT 3
#define PATROL_REPEAT_DAYS 30

enum patrol_kind {
	PATROL_UNANSWERED,       /* a resident's question, no cadre reply in the window */
	PATROL_DEMAND_AT_RISK,   /* a demand's clock passed its warning */
	PATROL_DEMAND_OVERDUE,   /* a demand's clock was missed */
	PATROL_NO_DUTY,          /* a group with nobody on duty in its duty hours */
	PATROL_EMERGENCY,        /* an emergency word in a message */
	PATROL_CADRE_COMPLAINT,  /* a resident complains about cadres */
	PATROL_HIDDEN_COMPLAINT, /* a cadre hid a resident's complaint or request */
	PATROL_REPEATED,         /* one household's repeated demands about one category */
	PATROL_KIND__MAX
};
/* "unanswered", "demand_at_risk", ...: the alert kinds of the API */
extern const char *const patrol_kind_names[PATROL_KIND__MAX];
/* 提问未回复, 诉求临期, ... */
extern const char *const patrol_kind_names_zh[PATROL_KIND__MAX];
bool patrol_kind_parse(const char *name, enum patrol_kind *out);

/* The region a finding at region is addressed to: a village's town, a
 * town's county; a county (or above) itself. out has DIVISION_CODE_MAX + 1 bytes. */
void patrol_supervisor(const char *region, char *out);

struct patrol_counts {
	int found[PATROL_KIND__MAX]; /* findings this sweep, by kind */
	int raised;                  /* of them, alerts new this sweep */
	int messages;                /* messages read */
};

/* Told of each finding: a is the alert as stored; raised is false when it
 * had been raised before (dedup). */
typedef void (*patrol_finding_fn)(void *ctx, const struct alert *a, bool raised);

/*
 * Run one sweep at now with rules r (patrol_builtin(), or others for
 * tests). fn (may be NULL) hears of every finding; *counts (may be NULL)
 * receives the tallies. Errors: those of the store; what was saved before a
 * failure stays saved.
 */
enum app_err patrol_sweep(struct store *s, const struct patrol_rules *r, int64_t now,
			  patrol_finding_fn fn, void *ctx, struct patrol_counts *counts,
			  struct app_error *err);

#endif
