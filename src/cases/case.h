/*
 * case.h - the case engine: a case of some type moves through the states
 * its type declares, by the actions its type declares, while clocks run on
 * the working-day calendar and escalate it up a ladder when they expire.
 * Demands (诉求) are the first type (cases/demand.c); legal consultations and
 * entitlement deliveries are meant to be others.
 *
 * Pure: no store, no clock of its own, no permissions. case_apply() takes a
 * case as it was read, a command (the action, who, when, the version the
 * caller saw) and the environment (calendar, limits, duty hours), and
 * either refuses (an illegal transition, a stale version, a missing reason:
 * nothing changes) or changes the case and says what happened: the steps
 * for its timeline and whom to notify. Whoever stores the case keeps the
 * version check honest (an UPDATE ... WHERE version = the one read), and
 * whoever calls decides who may act (src/cases/demands.c, through the
 * accounts' region scope).
 *
 * Clocks. Each clock has a limit (minutes or hours around the clock, or
 * working days: core/calendar.h), starts and stops as the actions of the
 * type say, and may pause (the minutes used so far are kept; on resume the
 * rest of the limit starts again from that instant). A clock limited "in
 * duty hours" starts at the next duty period when started outside it. At a
 * share of its limit (the rules' warn_percent) a running clock warns once;
 * at its due instant it is missed: the case escalates one level of the
 * ladder (when the clock says so), the level above and the first receiver
 * are told, and the clock starts again with its whole limit for the new
 * level. case_next_check() is the instant a sweep must look at the case
 * again (0: never), kept in an index so that a sweep never scans cases
 * whose clocks are far from due.
 */
#ifndef CASES_CASE_H
#define CASES_CASE_H

#include "core/calendar.h"
#include "core/err.h"

#include <stdbool.h>
#include <stdint.h>

enum case_clock_id {
	CASE_CLOCK_ACK,      /* acknowledgement (受理) */
	CASE_CLOCK_RESOLVE,  /* resolution (办结) */
	CASE_CLOCK_ARRIVE,   /* arrival of a whistled department (报到) */
	CASE_CLOCK_FOLLOWUP, /* follow-up with the resident (回访) */
	CASE_CLOCK__MAX
};

enum case_clock_status {
	CASE_CLOCK_IDLE,    /* not started */
	CASE_CLOCK_RUNNING,
	CASE_CLOCK_PAUSED,
	CASE_CLOCK_MET,     /* stopped in time */
	CASE_CLOCK_MISSED,  /* stopped after its due instant */
	CASE_CLOCK_STATUS__MAX
};

#define CASE_MASK(x) (1u << (x))
#define CASE_SAME (-1) /* a transition that keeps the state */
#define CASE_LEVELS 5   /* rungs of the escalation ladder */
#define CASE_TEXT_MAX 1024
#define CASE_STEPS_MAX 16 /* a late tick: warning, miss and escalation of each clock */
#define CASE_NOTICES_MAX 6

/* What a transition asks of the command. */
enum case_needs {
	CASE_NEEDS_REASON = 1u << 0,   /* a reason, in words */
	CASE_NEEDS_BASIS = 1u << 1,    /* a legal or policy basis (退单) */
	CASE_NEEDS_ASSIGNEE = 1u << 2, /* a person or a unit to hand it to */
	CASE_NEEDS_UNIT = 1u << 3,     /* a department (吹哨) */
};

/* What a transition counts and does besides moving the state. */
enum case_does {
	CASE_COUNTS_RETURN = 1u << 0,   /* 退单 */
	CASE_COUNTS_WHISTLE = 1u << 1,  /* 吹哨 */
	CASE_COUNTS_TRANSFER = 1u << 2, /* 转办 */
	CASE_COUNTS_REOPEN = 1u << 3,
	CASE_ESCALATES = 1u << 4,       /* one rung up the ladder, by hand */
	CASE_ASSIGNS = 1u << 5,         /* hands the case to the command's assignee */
	CASE_IN_WINDOW = 1u << 6,       /* only while the resolution clock has not expired */
};

struct case_transition {
	const char *action; /* "acknowledge" */
	const char *label;  /* 受理 */
	const char *done;   /* what it makes of a case, for refusals: "acknowledged" */
	unsigned from;      /* mask of the states it may start from */
	int to;             /* the state it leads to, or CASE_SAME */
	unsigned start;     /* clocks it starts (anew, with their whole limit) */
	unsigned stop;      /* clocks it stops: met, or missed if past due */
	unsigned pause;     /* clocks it pauses */
	unsigned resume;    /* clocks it resumes */
	unsigned running;   /* clocks that must be running for it (报到 needs a 吹哨) */
	unsigned needs;     /* enum case_needs */
	unsigned does;      /* enum case_does */
};

struct case_state {
	const char *name;  /* "received" */
	const char *label; /* 已接收 */
	bool terminal;     /* nothing leaves it */
};

struct case_type {
	const char *name; /* "demand" */
	const struct case_state *states;
	int nstates;
	int initial;
	unsigned start; /* clocks started when a case is made */
	const struct case_transition *actions;
	int nactions;
	const char *const *levels; /* CASE_LEVELS names of the ladder's rungs, lowest first */
	int nlevels; /* rungs in use, 1..CASE_LEVELS (0: all): a miss at the top escalates no more */
};

struct case_limit {
	enum calendar_unit unit;
	int amount;      /* 0: the clock is not used */
	bool duty_hours; /* counts from the next duty period when started outside one */
	bool escalates;  /* missing it moves the case one rung up */
};

/* The limits a case runs on (per county and per class of case). */
struct case_rules {
	struct case_limit limit[CASE_CLOCK__MAX];
	int warn_percent; /* 1..99: a running clock warns when this share has run */
};

/* Where a case runs its clocks: the calendar, and the duty hours of the
 * group that answers for it (minutes after midnight, China time). */
struct case_env {
	const struct calendar *cal;
	const struct case_rules *rules;
	int duty_start, duty_end;
};

struct case_clock {
	enum case_clock_status status;
	int64_t started; /* when it last (re)started counting */
	int64_t used;    /* minutes of its limit used before that */
	int64_t warn_at, due; /* while running */
	bool warned;
	int64_t stopped; /* when it was met or missed */
};

struct case_data {
	int64_t id;
	int version; /* +1 on every change */
	int state;
	int level;   /* rung of the ladder, 0..CASE_LEVELS-1 */
	int64_t assignee_user;  /* 0: none */
	int64_t assignee_group; /* 0: none */
	char unit[64];          /* a department handling it, "" when none */
	int64_t first_receiver; /* who took it first (首接负责) */
	int returns, whistles, transfers, reopens, escalations;
	struct case_clock clock[CASE_CLOCK__MAX];
	int64_t created, updated;
};

/* One line of the timeline a change adds. */
struct case_step {
	char action[32];   /* the transition, or "clock.warning", "clock.missed", "escalated" */
	int from, to;      /* states */
	int clock;         /* the clock concerned, -1 when none */
	int level;         /* the rung after the step */
	char detail[CASE_TEXT_MAX];
};

enum case_whom {
	CASE_TELL_ASSIGNEE,       /* who holds the case now */
	CASE_TELL_LEVEL,          /* the rung it escalated to */
	CASE_TELL_FIRST_RECEIVER, /* 首接: kept informed */
	CASE_TELL_RESIDENT,       /* who raised it */
	CASE_WHOM__MAX
};

struct case_notice {
	enum case_whom whom;
	char kind[32]; /* "case.warning", "case.overdue", "case.escalated", "case.changed" */
};

/* A change to make. */
struct case_cmd {
	const char *action;   /* a transition's name, or "tick" (the sweep) */
	int64_t now;
	int64_t actor;        /* user id, 0 for the system */
	int expect_version;   /* the version the actor saw; -1: the sweep, which re-reads */
	const char *reason;   /* words, when the transition needs them */
	const char *basis;
	int64_t assignee_user, assignee_group;
	const char *unit;
};

/* What a change did. */
struct case_result {
	int nsteps;
	struct case_step steps[CASE_STEPS_MAX];
	int nnotices;
	struct case_notice notices[CASE_NOTICES_MAX];
	bool changed; /* false: a tick found nothing due (nothing to store) */
};

/* Names of clocks and statuses ("ack", "resolve", ...; "running", ...). */
const char *case_clock_name(enum case_clock_id id);
const char *case_clock_status_name(enum case_clock_status st);
bool case_clock_parse(const char *s, enum case_clock_id *out);
bool case_clock_status_parse(const char *s, enum case_clock_status *out);

/* The state index of name in type, -1 when none; the transition named so,
 * NULL when none. */
int case_state_index(const struct case_type *type, const char *name);
const struct case_transition *case_transition_of(const struct case_type *type,
						 const char *action);

/* Whether rules are usable: known units, amounts 0..limit, warn 1..99. */
enum app_err case_rules_check(const struct case_rules *rules, struct app_error *err);

/*
 * A new case of type at now (state initial, version 1, its clocks
 * started), received by actor (the first receiver; 0 when it came from
 * outside). out->id is left 0 for the store to set.
 */
enum app_err case_open(const struct case_type *type, const struct case_env *env, int64_t now,
		       int64_t actor, struct case_data *out, struct case_result *res,
		       struct app_error *err);

/*
 * Whether action may be taken on c at now as far as the case goes (its
 * state, the clocks it needs, its handling window, the top rung): APP_OK,
 * or APP_EINVAL saying why not (field "action"). Not who may take it.
 */
enum app_err case_allowed(const struct case_type *type, const struct case_data *c,
			  const char *action, int64_t now, struct app_error *err);

/*
 * Apply cmd to c. On success c is the changed case (version + 1 when
 * changed) and res says what happened. On failure c is unchanged:
 *   APP_ECONFLICT  cmd->expect_version is not c->version (someone changed it
 *                  since: read it again);
 *   APP_EINVAL     no such action, the action is not allowed in the case's
 *                  state (the message names both, in words), or the command
 *                  lacks what the transition needs (field names it).
 * "tick" is the sweep's: each running clock that reached its warning or its
 * due instant warns or is missed; res->changed is false when none did.
 */
enum app_err case_apply(const struct case_type *type, const struct case_env *env,
			struct case_data *c, const struct case_cmd *cmd, struct case_result *res,
			struct app_error *err);

/* The earliest instant at which a tick would change c (a warning or a due
 * instant of a running clock), 0 when none will. */
int64_t case_next_check(const struct case_data *c);

#endif
