/*
 * delivery.h - delivery tasks (送达任务) as a case type: something an
 * entitlement grants that an officer brings to the person (a social
 * security card), with a resolution clock of a programme's working days
 * that escalates from the district to the city when missed
 * (docs/cases.md "Delivery tasks").
 *
 *   waiting → out (出发送达) → delivered (确认送达: the receiver's words)
 *                            → failed (无法送达: why)
 *   waiting|out → cancelled (取消: the entitlement was revoked; the system's)
 *
 * Delivery tasks live in the cases table beside demands (type "delivery",
 * source "entitlement"); every demand read, list, stat and patrol keeps to
 * type "demand". A task's urgency column holds its limit as a county writes
 * limits ("10wd"): the clock restarts with it at each escalation.
 *
 * Who may act: PERM_DELIVERIES_HANDLE in the task's region (auth_scope()).
 */
#ifndef CASES_DELIVERY_H
#define CASES_DELIVERY_H

#include "auth/auth.h"
#include "cases/case.h"
#include "core/calendar.h"
#include "store/store.h"

enum delivery_state {
	DELIVERY_WAITING,   /* 待送达 */
	DELIVERY_OUT,       /* 送达中 */
	DELIVERY_DELIVERED, /* 已送达 */
	DELIVERY_FAILED,    /* 无法送达 */
	DELIVERY_CANCELLED, /* 已取消 */
	DELIVERY_STATE__MAX
};

enum delivery_level {
	DELIVERY_DISTRICT, /* the district (county-level) office */
	DELIVERY_CITY,     /* the city above it: the top rung */
};

#define DELIVERY_LIMIT_DAYS_MAX 60
#define DELIVERY_WORDS_MAX 500 /* characters of a receiver's words or a reason */

extern const struct case_type delivery_type;

/* The rules of a task limited to days working days (1..DELIVERY_LIMIT_DAYS_MAX):
 * its resolution clock escalates when missed, warns at 80%. */
void delivery_rules(int days, struct case_rules *out);

/* The working days of a task's limit as its row keeps it ("10wd"); 0 when
 * text is not such a limit. */
int delivery_limit_parse(const char *text);

/* What a new task is about: the entitlement it serves and the person. */
struct delivery_new {
	int64_t entitlement;
	const char *programme;  /* its id */
	const char *title;      /* "社会保障卡送达" */
	const char *category;   /* "social_security_card" */
	int limit_days;         /* 1..DELIVERY_LIMIT_DAYS_MAX */
	const char *region;     /* the person's */
	const char *name, *phone; /* the person's: personal data */
	const char *detail;     /* what the entitlement is, for the officer */
};

/*
 * A new task at now as the engine opens it: *row (its id 0) and its first
 * timeline line (*step). APP_EINVAL when n is not usable (no region, a
 * limit out of range). Storing it is the caller's (with the link to its
 * entitlement: store_delivery_open()).
 */
enum app_err delivery_prepare(const struct calendar *cal, const struct delivery_new *n,
			      int64_t now, struct case_row *row, struct case_event_row *step,
			      struct app_error *err);

/* A change of a task made by delivery_change(): what store_case_update
 * takes. Release it with delivery_change_release(). */
struct delivery_change {
	bool changed;
	struct case_event_row *steps;
	int nsteps;
	char object[40];
	char summary[64];
	struct audit_note note;
	struct event_note events[2];
	char data[96];
};

/*
 * Apply cmd to task *row (changed in place when it changes) and say how to
 * store it, into *out: the engine's decision under the task's own limit.
 * actor names the audit entry ("system:sweep", a user's). Errors as
 * case_apply().
 */
enum app_err delivery_change(const struct calendar *cal, struct case_row *row,
			     const struct case_cmd *cmd, const char *actor,
			     struct delivery_change *out, struct app_error *err);
void delivery_change_release(struct delivery_change *c);

/* ---- what officers do (each with the store) ---- */

/* Task id as c may see it: APP_ENOTFOUND when there is none, it is not a
 * delivery task or c may not handle deliveries in its region. */
enum app_err delivery_get(struct store *s, const struct auth_caller *c, int64_t id,
			  struct case_row *out, struct app_error *err);

/* The tasks of q (type set here) within c's regions of
 * PERM_DELIVERIES_HANDLE, newest first. APP_EPERM when c has none. */
enum app_err delivery_list(struct store *s, const struct auth_caller *c, struct case_query *q,
			   store_case_fn fn, void *ctx, struct app_error *err);

/*
 * Take action ("start", "deliver", "fail", "note") on task id as c, who saw
 * it at version (-1: whatever it is now), with words (the receiver's for
 * "deliver", the reason for "fail" and "note"). *out is the task after.
 * "cancel" is the system's (delivery_cancel_for()). Errors: APP_ENOTFOUND,
 * APP_EPERM, APP_EINVAL (not allowed now, words missing or too long),
 * APP_ECONFLICT (changed since version).
 */
enum app_err delivery_act(struct store *s, const struct calendar *cal, const struct auth_caller *c,
			  int64_t id, const char *action, int version, const char *words,
			  int64_t now, struct case_row *out, struct app_error *err);

/*
 * Cancel the open task of entitlement (the system, at now, with reason):
 * *cancelled says whether one was open. No task, or one already ended,
 * is no error.
 */
enum app_err delivery_cancel_for(struct store *s, const struct calendar *cal, int64_t entitlement,
				 const char *reason, int64_t now, bool *cancelled,
				 struct app_error *err);

/* The actions c may take on task k now ("start", ...), at most cap. */
int delivery_actions(const struct auth_caller *c, const struct case_row *k, int64_t now,
		     const char **out, int cap);

#endif
