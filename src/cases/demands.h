/*
 * demands.h - residents' demands (诉求): raising one, reading it, acting on
 * it, and the sweep that runs their clocks. The rules of a demand's life
 * are the case engine's (cases/case.h, cases/demand.h); this module decides
 * who may do what, fills in what the engine leaves to its caller (which
 * group answers at each rung of the ladder, whom to tell), and stores the
 * result through store.h.
 *
 * Who may do what (deny by default; the region scope is auth_scope()'s):
 *   - raise: a resident, in their own village (their account's region); a
 *     handler (PERM_CASES_HANDLE) anywhere in their scope, on someone's
 *     behalf (a call, a group message);
 *   - read: the resident who raised it; PERM_CASES_READ in scope. Outside
 *     scope a demand looks absent (APP_ENOTFOUND);
 *   - act: PERM_CASES_HANDLE in scope; the follow-up (resolved or not,
 *     satisfied or not) also by the resident who raised it.
 */
#ifndef CASES_DEMANDS_H
#define CASES_DEMANDS_H

#include "auth/auth.h"
#include "core/calendar.h"
#include "store/store.h"

#define DEMAND_DESCRIPTION_MAX 4000 /* characters */
#define DEMAND_TITLE_MAX 60         /* characters */
#define DEMAND_ADDRESS_MAX 60       /* characters */
#define DEMAND_NAME_MAX 30          /* characters of a contact's name */

struct demand_new {
	const char *region;   /* the village it concerns; a resident's own when NULL */
	const char *category; /* a code of its county's tree (cases/case_settings.h) */
	const char *urgency;  /* NULL: the category's */
	const char *title;    /* NULL: the start of the description */
	const char *description;
	const char *address;  /* NULL: none */
	bool located;
	double lat, lon;
	const char *contact_name, *contact_phone; /* NULL: the resident's own */
	const char *source;   /* "app" (default), "message", "open311" */
	int64_t source_message_id;
};

/* Raise a demand at now; *out is the stored case. */
enum app_err demands_raise(struct store *s, const struct calendar *cal,
			   const struct auth_caller *c, const struct demand_new *in, int64_t now,
			   struct case_row *out, struct app_error *err);

/* One demand, if c may read it. */
enum app_err demands_get(struct store *s, const struct auth_caller *c, int64_t id,
			 struct case_row *out, struct app_error *err);

/* Whether c may act on d (handle it), and whether c raised it. */
bool demands_may_handle(const struct auth_caller *c, const struct case_row *d);
bool demands_raised_by(const struct auth_caller *c, const struct case_row *d);

/* The actions c may take on d at now (names, at most cap of them, in the
 * order of the demand type; "follow_up" last): what an interface offers. */
int demands_actions(const struct auth_caller *c, const struct case_row *d, int64_t now,
		    const char **out, int cap);

struct demand_act {
	const char *action; /* a transition of the demand type, or "follow_up" */
	int version;        /* the version the caller saw */
	const char *reason, *basis;
	int64_t assignee_user, assignee_group;
	const char *unit;
	int64_t merge_into;  /* "merge": the demand it duplicates */
	/* "follow_up": resolved or not; rating "satisfied", "fair" (基本满意),
	 * "dissatisfied" */
	bool resolved;
	const char *rating;
};

/*
 * Act on demand id at now. A follow-up that says resolved confirms it (and
 * closes it unless the resident is dissatisfied, which leaves it for a
 * handler to close or reopen); one that says not resolved reopens it.
 * Merging keeps both timelines: the duplicate is merged, the one it
 * duplicates gets a line saying so. Errors: the engine's (APP_ECONFLICT for
 * a stale version, APP_EINVAL for an action the state forbids), APP_EPERM
 * or APP_ENOTFOUND for who may not.
 */
enum app_err demands_act(struct store *s, const struct calendar *cal, const struct auth_caller *c,
			 int64_t id, const struct demand_act *a, int64_t now, struct case_row *out,
			 struct app_error *err);

/* Demands c may read, newest first (q->type is set here). */
enum app_err demands_list(struct store *s, const struct auth_caller *c, struct case_query *q,
			  store_case_fn fn, void *ctx, struct app_error *err);

#define DEMANDS_SIMILAR_MAX 20

/* Open demands of the same village and category raised in the 30 days
 * before now (at most DEMANDS_SIMILAR_MAX): what a new demand may duplicate. */
enum app_err demands_similar(struct store *s, const struct auth_caller *c, const char *region,
			     const char *category, int64_t now, store_case_fn fn, void *ctx,
			     struct app_error *err);

#define DEMAND_REASON_MAX 200 /* characters of why a contact is revealed */

struct demand_contact {
	char name[128];
	char phone[32];
	bool from_account; /* the demand named no phone: the raising resident's own */
};

/*
 * The contact of demand id unmasked, for a handler of it (demands_may_handle)
 * who may reveal personal data in its region (PERM_PERSONAL_DATA), saying
 * why (reason, at most DEMAND_REASON_MAX characters). The demand's own
 * contact, else its resident's name and phone. Every reveal is audited
 * (demand.contact_read, with the reason) before it is returned. Errors:
 * APP_ENOTFOUND (c may not read it), APP_EPERM, APP_EINVAL or APP_ETOOBIG
 * (field reason).
 */
enum app_err demands_contact(struct store *s, const struct auth_caller *c, int64_t id,
			     const char *reason, struct demand_contact *out, struct app_error *err);

/*
 * Group group_id, whose demands c may follow (PERM_CASES_READ in its
 * region: the events on its topic "cases:<id>"). APP_ENOTFOUND outside
 * c's scope, APP_EPERM without the permission anywhere.
 */
enum app_err demands_group_open(struct store *s, const struct auth_caller *c, int64_t group_id,
				struct group *out, struct app_error *err);

/* Run the clocks of the cases due at now, each on its own type's rules
 * (demands, and delivery tasks: cases/delivery.h), at most `limit` (up to 512),
 * stored a few dozen to a transaction: *seen says how many were due,
 * *changed how many warned, expired or escalated (a demand someone changed
 * meanwhile waits for the next sweep; one that fails alone is logged and
 * skipped). A failure of the database stops the sweep. */
enum app_err demands_sweep(struct store *s, const struct calendar *cal, int64_t now, int limit,
			   int *seen, int *changed, struct app_error *err);

#endif
