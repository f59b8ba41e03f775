/*
 * demand.c - the demand case type, its default limits and the rules it
 * makes of a county's limits; see demand.h.
 */
#include "cases/demand.h"

#include <string.h>

#define S(x) CASE_MASK(DEMAND_##x)
#define K(x) CASE_MASK(CASE_CLOCK_##x)
#define OPEN (S(RECEIVED) | S(ACKNOWLEDGED) | S(IN_PROGRESS))
#define HANDLING (S(ACKNOWLEDGED) | S(IN_PROGRESS))

static const struct case_state states[DEMAND_STATE__MAX] = {
	[DEMAND_RECEIVED] = { "received", "已接收", false },
	[DEMAND_ACKNOWLEDGED] = { "acknowledged", "已受理", false },
	[DEMAND_IN_PROGRESS] = { "in_progress", "办理中", false },
	[DEMAND_SUSPENDED] = { "suspended", "已挂起", false },
	[DEMAND_RETURNED] = { "returned", "退单待审", false },
	[DEMAND_RESOLVED] = { "resolved", "已办结待回访", false },
	[DEMAND_FOLLOWED_UP] = { "followed_up", "已回访", false },
	[DEMAND_CLOSED] = { "closed", "已关闭", true },
	[DEMAND_MERGED] = { "merged", "已合并", true },
};

/* clang-format off */
static const struct case_transition actions[] = {
	{ .action = "acknowledge", .label = "受理", .done = "acknowledged",
	  .from = S(RECEIVED), .to = DEMAND_ACKNOWLEDGED, .stop = K(ACK) },
	{ .action = "start", .label = "开始办理", .done = "started",
	  .from = S(ACKNOWLEDGED), .to = DEMAND_IN_PROGRESS },
	{ .action = "assign", .label = "指派", .done = "assigned",
	  .from = OPEN, .to = CASE_SAME,
	  .needs = CASE_NEEDS_ASSIGNEE, .does = CASE_ASSIGNS },
	/* to another unit, which acknowledges it anew */
	{ .action = "transfer", .label = "转办", .done = "transferred",
	  .from = OPEN, .to = DEMAND_RECEIVED, .start = K(ACK),
	  .needs = CASE_NEEDS_ASSIGNEE | CASE_NEEDS_REASON,
	  .does = CASE_ASSIGNS | CASE_COUNTS_TRANSFER },
	{ .action = "escalate", .label = "上报", .done = "escalated",
	  .from = OPEN, .to = CASE_SAME,
	  .needs = CASE_NEEDS_REASON, .does = CASE_ESCALATES },
	/* 退单: inside the handling window, with reason and basis */
	{ .action = "return", .label = "退单", .done = "returned",
	  .from = HANDLING, .to = DEMAND_RETURNED,
	  .needs = CASE_NEEDS_REASON | CASE_NEEDS_BASIS,
	  .does = CASE_COUNTS_RETURN | CASE_IN_WINDOW },
	/* the level above reviews a 退单: re-dispatch, or send it back */
	{ .action = "redispatch", .label = "改派", .done = "re-dispatched",
	  .from = S(RETURNED), .to = DEMAND_RECEIVED, .start = K(ACK),
	  .needs = CASE_NEEDS_ASSIGNEE, .does = CASE_ASSIGNS },
	{ .action = "reject_return", .label = "驳回退单", .done = "sent back",
	  .from = S(RETURNED), .to = DEMAND_IN_PROGRESS, .needs = CASE_NEEDS_REASON },
	/* 吹哨报到 */
	{ .action = "whistle", .label = "吹哨", .done = "whistled",
	  .from = HANDLING, .to = CASE_SAME, .start = K(ARRIVE),
	  .needs = CASE_NEEDS_UNIT, .does = CASE_COUNTS_WHISTLE },
	{ .action = "arrive", .label = "报到", .done = "reported as arrived",
	  .from = HANDLING, .to = CASE_SAME, .stop = K(ARRIVE), .running = K(ARRIVE) },
	{ .action = "suspend", .label = "挂起", .done = "suspended",
	  .from = HANDLING, .to = DEMAND_SUSPENDED, .pause = K(RESOLVE),
	  .needs = CASE_NEEDS_REASON },
	{ .action = "resume", .label = "恢复办理", .done = "resumed",
	  .from = S(SUSPENDED), .to = DEMAND_IN_PROGRESS, .resume = K(RESOLVE) },
	{ .action = "resolve", .label = "办结", .done = "resolved",
	  .from = HANDLING, .to = DEMAND_RESOLVED, .stop = K(ACK) | K(RESOLVE) | K(ARRIVE),
	  .start = K(FOLLOWUP), .needs = CASE_NEEDS_REASON },
	/* the follow-up (回访): resolved, or not (it reopens) */
	{ .action = "confirm", .label = "回访确认已解决", .done = "confirmed",
	  .from = S(RESOLVED), .to = DEMAND_FOLLOWED_UP, .stop = K(FOLLOWUP) },
	{ .action = "reopen", .label = "重新办理", .done = "reopened",
	  .from = S(RESOLVED) | S(FOLLOWED_UP), .to = DEMAND_IN_PROGRESS,
	  .stop = K(FOLLOWUP), .start = K(RESOLVE),
	  .needs = CASE_NEEDS_REASON, .does = CASE_COUNTS_REOPEN },
	{ .action = "close", .label = "关闭", .done = "closed",
	  .from = S(FOLLOWED_UP), .to = DEMAND_CLOSED },
	{ .action = "merge", .label = "合并", .done = "merged",
	  .from = OPEN | S(SUSPENDED), .to = DEMAND_MERGED,
	  .stop = K(ACK) | K(RESOLVE) | K(ARRIVE), .needs = CASE_NEEDS_REASON },
	{ .action = "note", .label = "备注", .done = "noted",
	  .from = OPEN | S(SUSPENDED) | S(RETURNED) | S(RESOLVED) | S(FOLLOWED_UP),
	  .to = CASE_SAME, .needs = CASE_NEEDS_REASON },
};
/* clang-format on */

static const char *const levels[CASE_LEVELS] = {
	"village_duty", "village_owner", "town", "county_department", "county_government",
};

const struct case_type demand_type = {
	.name = "demand",
	.states = states,
	.nstates = DEMAND_STATE__MAX,
	.initial = DEMAND_RECEIVED,
	.start = K(ACK) | K(RESOLVE),
	.actions = actions,
	.nactions = (int)(sizeof(actions) / sizeof(actions[0])),
	.levels = levels,
};

static const char *const urgency_names[DEMAND_URGENCY__MAX] = {
	[DEMAND_EMERGENCY] = "emergency",
	[DEMAND_UTILITIES] = "utilities",
	[DEMAND_GENERAL] = "general",
	[DEMAND_COMPLEX] = "complex",
};

const char *demand_urgency_name(enum demand_urgency u) { return urgency_names[u]; }

bool demand_urgency_parse(const char *s, enum demand_urgency *out)
{
	for (int i = 0; i < DEMAND_URGENCY__MAX; i++)
		if (strcmp(s, urgency_names[i]) == 0) {
			*out = (enum demand_urgency)i;
			return true;
		}
	return false;
}

void demand_default_limits(struct demand_limits *out)
{
	*out = (struct demand_limits){
		.ack = { CALENDAR_MINUTES, 3, false, false },
		.resolve = {
			[DEMAND_EMERGENCY] = { CALENDAR_HOURS, 2, false, false },
			[DEMAND_UTILITIES] = { CALENDAR_HOURS, 24, false, false },
			[DEMAND_GENERAL] = { CALENDAR_WORKDAYS, 7, false, false },
			[DEMAND_COMPLEX] = { CALENDAR_WORKDAYS, 15, false, false },
		},
		.arrive = { CALENDAR_MINUTES, 30, false, false },
		.followup = { CALENDAR_WORKDAYS, 1, false, false },
		.warn_percent = 80,
	};
}

/* limit with the flags the demand type gives its clock */
static struct case_limit flagged(struct case_limit limit, bool duty_hours, bool escalates)
{
	limit.duty_hours = duty_hours;
	limit.escalates = escalates;
	return limit;
}

void demand_rules(const struct demand_limits *l, enum demand_urgency u, struct case_rules *out)
{
	memset(out, 0, sizeof(*out));
	/* emergencies are acknowledged at any hour; others in duty hours */
	out->limit[CASE_CLOCK_ACK] = flagged(l->ack, u != DEMAND_EMERGENCY, true);
	out->limit[CASE_CLOCK_RESOLVE] = flagged(l->resolve[u], false, true);
	out->limit[CASE_CLOCK_ARRIVE] = flagged(l->arrive, false, false);
	out->limit[CASE_CLOCK_FOLLOWUP] = flagged(l->followup, false, false);
	out->warn_percent = l->warn_percent;
}

void demand_default_rules(enum demand_urgency u, struct case_rules *out)
{
	struct demand_limits l;
	demand_default_limits(&l);
	demand_rules(&l, u, out);
}
