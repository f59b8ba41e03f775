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

/* How fast a demand must be resolved (the brief's defaults). */
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

/* The default rules of a demand of urgency u: acknowledge in 3 minutes of
 * duty hours (an emergency at any hour), resolve by u, 吹哨 arrival in 30
 * minutes, follow up within 1 working day; warn at 80%. Missing the
 * acknowledgement or resolution clock escalates. */
void demand_default_rules(enum demand_urgency u, struct case_rules *out);

#endif
