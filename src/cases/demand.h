/*
 * demand.h - the demand (诉求) as a case type: its states, actions, ladder
 * and default clocks (docs/cases.md says the same in words).
 *
 *   received → acknowledged → in_progress → resolved → followed_up → closed
 *
 * with suspended (挂起: the resolution clock stops), returned (退单: waiting
 * for the level above to re-dispatch it or send it back), merged (a
 * duplicate, its timeline kept), 吹哨 to a county department with a
 * 30-minute arrival clock, and reopening when the follow-up says it is not
 * resolved. The ladder: village on duty → village owner → town → county
 * department → county government (兜底).
 */
#ifndef CASES_DEMAND_H
#define CASES_DEMAND_H

#include "cases/case.h"

enum demand_state {
	DEMAND_RECEIVED,
	DEMAND_ACKNOWLEDGED,
	DEMAND_IN_PROGRESS,
	DEMAND_SUSPENDED,
	DEMAND_RETURNED,
	DEMAND_RESOLVED,
	DEMAND_FOLLOWED_UP,
	DEMAND_CLOSED,
	DEMAND_MERGED,
	DEMAND_STATE__MAX
};

enum demand_level {
	DEMAND_VILLAGE_DUTY,
	DEMAND_VILLAGE_OWNER,
	DEMAND_TOWN,
	DEMAND_COUNTY_DEPARTMENT,
	DEMAND_COUNTY_GOVERNMENT,
};

/* How fast a demand must be resolved (the defaults of demand_default_limits()). */
enum demand_urgency {
	DEMAND_EMERGENCY, /* "emergency": 2 hours, around the clock */
	DEMAND_UTILITIES, /* "utilities": water, power, gas, heating: 24 hours */
	DEMAND_GENERAL,   /* "general": 7 working days */
	DEMAND_COMPLEX,   /* "complex": 15 working days */
	DEMAND_URGENCY__MAX
};

extern const struct case_type demand_type;

const char *demand_urgency_name(enum demand_urgency u);
bool demand_urgency_parse(const char *s, enum demand_urgency *out);

/*
 * The limits of a demand's clocks, as a county sets them
 * (cases/case_settings.h): only the unit and amount of each limit count
 * here; which clocks run in duty hours and which escalate is the demand
 * type's to say (demand_rules()).
 */
struct demand_limits {
	struct case_limit ack;                         /* acknowledgement (受理) */
	struct case_limit resolve[DEMAND_URGENCY__MAX]; /* resolution, by urgency */
	struct case_limit arrive;                      /* 报到 after a 吹哨 */
	struct case_limit followup;                    /* 回访 after resolution */
	int warn_percent;                              /* 1..99 */
};

/* The limits every county starts with: acknowledge in 3 minutes, resolve
 * an emergency in 2 hours, utilities in 24 hours, a general demand in 7
 * working days, a complex one in 15; 吹哨 arrival in 30 minutes; follow up
 * within 1 working day; warn at 80%. */
void demand_default_limits(struct demand_limits *out);

/* The rules of a demand of urgency u under limits l: acknowledgement in
 * duty hours (an emergency's at any hour), the resolution limit of u;
 * missing the acknowledgement or resolution clock escalates, missing the
 * arrival or follow-up clock does not. */
void demand_rules(const struct demand_limits *l, enum demand_urgency u, struct case_rules *out);

/* demand_rules() under the default limits. */
void demand_default_rules(enum demand_urgency u, struct case_rules *out);

#endif
