/*
 * patrol.h - the smart patrol's sweep (智能巡群, issue #7): at an instant,
 * find what supervisors must see, and raise each finding once as an alert
 * to the supervising level (alerts.h). docs/patrol.md says exactly when
 * each kind fires.
 *
 * A sweep reads only what is new or due since its last run: messages after
 * a watermark, the questions it watches whose acknowledgement window has
 * ended, timeline lines of demands after a watermark, hides in the audit
 * trail after a watermark, and the groups whose duty hours began since the
 * last run. It never scans every message or every case. Each step is
 * saved with its watermark in one transaction: a sweep that fails half way
 * leaves what it saved consistent, and the next one goes on from there.
 */
#ifndef PATROL_PATROL_H
#define PATROL_PATROL_H

#include "core/err.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

struct lexicon;
struct classify_model;

/* What the sweep judges text with: a keyword lexicon and an intent model
 * (either may be NULL: then it is not consulted). */
struct patrol_rules {
	const struct lexicon *lex;
	const struct classify_model *model;
};

#define PATROL_ACK_SECONDS 180 /* a resident's question answered within 3 minutes of duty */

enum patrol_kind {
	PATROL_UNANSWERED,       /* a resident's question, no cadre reply in the window */
	PATROL_DEMAND_AT_RISK,   /* a demand's clock passed its warning */
	PATROL_DEMAND_OVERDUE,   /* a demand's clock was missed */
	PATROL_NO_DUTY,          /* a group with nobody on duty in its duty hours */
	PATROL_EMERGENCY,        /* an emergency word in a message */
	PATROL_CADRE_COMPLAINT,  /* a resident complains about cadres */
	PATROL_HIDDEN_COMPLAINT, /* a cadre hid a resident's complaint or request */
	PATROL_KIND__MAX
};
/* "unanswered", "demand_at_risk", ...: the alert kinds of the API */
extern const char *const patrol_kind_names[PATROL_KIND__MAX];
/* 提问未回复, 诉求临期, ... */
extern const char *const patrol_kind_names_zh[PATROL_KIND__MAX];
bool patrol_kind_parse(const char *name, enum patrol_kind *out);

/*
 * When a question asked at `at` in a group with duty hours
 * [duty_start, duty_end) (minutes of the day, China time) must be answered:
 * window seconds counted in duty hours only. Asked during duty hours, the
 * window starts at once and, past the end of the day's hours, goes on when
 * they start the next day; asked outside them, it starts when they next
 * start (a question at 22:00 is due at 08:03). Pure.
 */
int64_t patrol_ack_due(int duty_start, int duty_end, int64_t at, int64_t window);

/*
 * Whether a resident's text asks something of the cadres (docs/patrol.md):
 * it ends in a question mark, 吗 or 呢 or starts with 请问
 * (classify_subject_is_question), or has a request word (帮忙, 麻烦, 怎么办,
 * 能不能 ...), or the model says demand or question (an urgent word of the
 * lexicon makes it a demand, classify_text()).
 */
bool patrol_is_request(const struct patrol_rules *r, const char *text);

/* The region a finding at region is addressed to: a village's town, a
 * town's county; a county (or above) itself. out has DIVISION_CODE_MAX + 1 bytes. */
void patrol_supervisor(const char *region, char *out);

/* The rules compiled into the binary, made once per process: the lexicon
 * data/patrol/lexicon.csv and a model learnt from data/patrol/intent.csv
 * (as `make model` learns it, in well under a second). NULL (and a log
 * line) when either does not load. */
const struct patrol_rules *patrol_builtin(void);

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
