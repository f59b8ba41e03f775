/*
 * test_case.c - the case engine (src/cases/case.c) with the demand type
 * (src/cases/demand.c) on the built-in calendar: transitions and their
 * refusals, stale versions, and every clock (acknowledgement in duty hours,
 * resolution across a weekend, a holiday and a 调休 workday, warnings,
 * escalation up the ladder, 吹哨 arrival, pauses, follow-up). Times are
 * explicit China-time instants; nothing reads the clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cases/demand.h"
#include "core/clock.h"

#include <string.h>

static struct calendar cal;
static struct case_rules general, emergency;
static const struct case_env env_general = { &cal, &general, 8 * 60, 20 * 60 };
static const struct case_env env_emergency = { &cal, &emergency, 8 * 60, 20 * 60 };

static int64_t at(int day, int hh, int mm) { return clock_china_time(day, hh * 60 + mm); }

static int setup(void **state)
{
	(void)state;
	struct app_error e;
	calendar_init(&cal);
	if (calendar_add_builtin(&cal, &e) != APP_OK)
		return -1;
	demand_default_rules(DEMAND_GENERAL, &general);
	demand_default_rules(DEMAND_EMERGENCY, &emergency);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	calendar_release(&cal);
	return 0;
}

static struct case_data open_at(const struct case_env *env, int64_t t)
{
	struct case_data c;
	struct case_result r;
	struct app_error e;
	assert_int_equal(case_open(&demand_type, env, t, 0, &c, &r, &e), APP_OK);
	assert_int_equal(c.state, DEMAND_RECEIVED);
	assert_int_equal(c.version, 1);
	return c;
}

/* Apply action at t as user 7 on the version c has; assert it works. */
static struct case_result act(const struct case_env *env, struct case_data *c,
			      const char *action, int64_t t)
{
	struct case_cmd cmd = { .action = action, .now = t, .actor = 7,
				.expect_version = strcmp(action, "tick") ? c->version : -1,
				.reason = "理由", .basis = "依据", .unit = "县水利局",
				.assignee_group = 42 };
	struct case_result r;
	struct app_error e;
	if (case_apply(&demand_type, env, c, &cmd, &r, &e) != APP_OK)
		fail_msg("%s: %s", action, e.msg);
	return r;
}

static bool has_step(const struct case_result *r, const char *action)
{
	for (int i = 0; i < r->nsteps; i++)
		if (strcmp(r->steps[i].action, action) == 0)
			return true;
	return false;
}

static bool has_notice(const struct case_result *r, enum case_whom whom, const char *kind)
{
	for (int i = 0; i < r->nnotices; i++)
		if (r->notices[i].whom == whom && strcmp(r->notices[i].kind, kind) == 0)
			return true;
	return false;
}

/* 2024-10-14 is a Monday, an ordinary working day. */
static void test_acknowledged_in_time(void **state)
{
	(void)state;
	struct case_data c = open_at(&env_general, at(20241014, 10, 0));
	assert_int_equal(c.clock[CASE_CLOCK_ACK].due, at(20241014, 10, 3));
	assert_int_equal(case_next_check(&c), c.clock[CASE_CLOCK_ACK].warn_at);
	struct case_result r = act(&env_general, &c, "acknowledge", at(20241014, 10, 2));
	assert_int_equal(c.state, DEMAND_ACKNOWLEDGED);
	assert_int_equal(c.version, 2);
	assert_int_equal(c.first_receiver, 7);
	assert_int_equal(c.clock[CASE_CLOCK_ACK].status, CASE_CLOCK_MET);
	assert_true(has_step(&r, "acknowledge"));
	/* a sweep now finds nothing on the acknowledgement clock */
	r = act(&env_general, &c, "tick", at(20241014, 10, 5));
	assert_false(r.changed);
	assert_int_equal(c.version, 2);
}

/* Missing the 3-minute clock moves the demand to the village owner, who
 * gets 3 minutes of their own; the first receiver is told. */
static void test_missed_ack_alerts_the_owner(void **state)
{
	(void)state;
	struct case_data c = open_at(&env_general, at(20241014, 10, 0));
	struct case_result r = act(&env_general, &c, "tick", at(20241014, 10, 2));
	assert_false(has_step(&r, "clock.missed")); /* 2 of 3 minutes: warned only */
	assert_true(has_step(&r, "clock.warning"));
	assert_true(has_notice(&r, CASE_TELL_ASSIGNEE, "case.warning"));
	assert_int_equal(c.level, DEMAND_VILLAGE_DUTY);
	r = act(&env_general, &c, "tick", at(20241014, 10, 3));
	assert_true(has_step(&r, "clock.missed"));
	assert_true(has_step(&r, "escalated"));
	assert_int_equal(c.level, DEMAND_VILLAGE_OWNER);
	assert_int_equal(c.escalations, 1);
	assert_true(has_notice(&r, CASE_TELL_LEVEL, "case.escalated"));
	assert_true(has_notice(&r, CASE_TELL_FIRST_RECEIVER, "case.escalated"));
	assert_int_equal(c.clock[CASE_CLOCK_ACK].status, CASE_CLOCK_RUNNING);
	assert_int_equal(c.clock[CASE_CLOCK_ACK].due, at(20241014, 10, 6));
	/* and on up: owner, town, county department, county government (兜底) */
	act(&env_general, &c, "tick", at(20241014, 10, 6));
	act(&env_general, &c, "tick", at(20241014, 10, 9));
	act(&env_general, &c, "tick", at(20241014, 10, 12));
	assert_int_equal(c.level, DEMAND_COUNTY_GOVERNMENT);
	r = act(&env_general, &c, "tick", at(20241014, 10, 15));
	assert_int_equal(c.level, DEMAND_COUNTY_GOVERNMENT);
	assert_int_equal(c.clock[CASE_CLOCK_ACK].status, CASE_CLOCK_MISSED);
	assert_true(has_notice(&r, CASE_TELL_ASSIGNEE, "case.overdue"));
	assert_int_equal(case_next_check(&c), c.clock[CASE_CLOCK_RESOLVE].warn_at);
}

/* Outside duty hours the next duty period answers: a demand at 22:00 must
 * be acknowledged by 08:03 the next morning; an emergency at once. */
static void test_ack_outside_duty_hours(void **state)
{
	(void)state;
	struct case_data c = open_at(&env_general, at(20241014, 22, 0));
	assert_int_equal(c.clock[CASE_CLOCK_ACK].due, at(20241015, 8, 3));
	struct case_result r = act(&env_general, &c, "tick", at(20241015, 7, 59));
	assert_false(r.changed);
	c = open_at(&env_general, at(20241015, 6, 30)); /* before duty starts */
	assert_int_equal(c.clock[CASE_CLOCK_ACK].due, at(20241015, 8, 3));
	c = open_at(&env_emergency, at(20241014, 22, 0));
	assert_int_equal(c.clock[CASE_CLOCK_ACK].due, at(20241014, 22, 3));
	assert_int_equal(c.clock[CASE_CLOCK_RESOLVE].due, at(20241015, 0, 0));
}

/*
 * 7 working days from Friday 2024-09-27: Sunday 9-29 is a 调休 workday (1),
 * Monday 9-30 (2), the National Day holiday 10-1..7 does not count, 10-8
 * (3) to 10-11 (6), Saturday 10-12 is a 调休 workday (7): due at its end.
 */
static void test_resolution_across_holidays(void **state)
{
	(void)state;
	struct case_data c = open_at(&env_general, at(20240927, 10, 0));
	assert_int_equal(c.clock[CASE_CLOCK_RESOLVE].due, at(20241013, 0, 0));
	/* warning at 80%: 5.6 working days, 14:24 of the sixth (10-11) */
	assert_int_equal(c.clock[CASE_CLOCK_RESOLVE].warn_at, at(20241011, 14, 24));
	act(&env_general, &c, "acknowledge", at(20240927, 10, 1));
	act(&env_general, &c, "start", at(20240927, 10, 5));
	struct case_result r = act(&env_general, &c, "tick", at(20241011, 14, 23));
	assert_false(r.changed);
	r = act(&env_general, &c, "tick", at(20241011, 14, 24));
	assert_true(has_step(&r, "clock.warning"));
	assert_int_equal(c.level, DEMAND_VILLAGE_DUTY);
	r = act(&env_general, &c, "tick", at(20241012, 23, 59));
	assert_false(r.changed);
	r = act(&env_general, &c, "tick", at(20241013, 0, 0));
	assert_true(has_step(&r, "clock.missed"));
	assert_int_equal(c.level, DEMAND_VILLAGE_OWNER);
	/* the owner gets 7 working days from Sunday 10-13: 10-14 .. 10-22 */
	assert_int_equal(c.clock[CASE_CLOCK_RESOLVE].due, at(20241023, 0, 0));
}

static void test_whistle_and_arrival(void **state)
{
	(void)state;
	struct case_data c = open_at(&env_general, at(20241014, 10, 0));
	act(&env_general, &c, "acknowledge", at(20241014, 10, 1));
	/* 报到 without a 吹哨 is refused */
	struct case_cmd cmd = { .action = "arrive", .now = at(20241014, 10, 2),
				.expect_version = c.version };
	struct case_result r;
	struct app_error e;
	assert_int_equal(case_apply(&demand_type, &env_general, &c, &cmd, &r, &e), APP_EINVAL);
	assert_string_equal(e.msg, "a case cannot be reported as arrived: its arrive clock is not running");
	/* 吹哨 needs a department */
	cmd = (struct case_cmd){ .action = "whistle", .now = at(20241014, 10, 2),
				 .expect_version = c.version };
	assert_int_equal(case_apply(&demand_type, &env_general, &c, &cmd, &r, &e), APP_EINVAL);
	assert_string_equal(e.field, "unit");
	act(&env_general, &c, "whistle", at(20241014, 10, 2));
	assert_string_equal(c.unit, "县水利局");
	assert_int_equal(c.whistles, 1);
	assert_int_equal(c.clock[CASE_CLOCK_ARRIVE].due, at(20241014, 10, 32));
	act(&env_general, &c, "arrive", at(20241014, 10, 31));
	assert_int_equal(c.clock[CASE_CLOCK_ARRIVE].status, CASE_CLOCK_MET);
	/* a second whistle, late arrival: overdue, told, no escalation */
	act(&env_general, &c, "whistle", at(20241014, 11, 0));
	r = act(&env_general, &c, "tick", at(20241014, 11, 30));
	assert_true(has_step(&r, "clock.missed"));
	assert_true(has_notice(&r, CASE_TELL_ASSIGNEE, "case.overdue"));
	assert_int_equal(c.clock[CASE_CLOCK_ARRIVE].status, CASE_CLOCK_MISSED);
	assert_int_equal(c.level, DEMAND_VILLAGE_DUTY);
	assert_int_equal(c.whistles, 2);
}

static void test_return_reviewed_and_redispatched(void **state)
{
	(void)state;
	struct case_data c = open_at(&env_general, at(20241014, 10, 0));
	act(&env_general, &c, "acknowledge", at(20241014, 10, 1));
	/* 退单 needs a reason and its basis */
	struct case_cmd cmd = { .action = "return", .now = at(20241014, 11, 0),
				.expect_version = c.version, .reason = "不属于本村职责" };
	struct case_result r;
	struct app_error e;
	assert_int_equal(case_apply(&demand_type, &env_general, &c, &cmd, &r, &e), APP_EINVAL);
	assert_string_equal(e.field, "basis");
	act(&env_general, &c, "return", at(20241014, 11, 0));
	assert_int_equal(c.state, DEMAND_RETURNED);
	assert_int_equal(c.returns, 1);
	act(&env_general, &c, "redispatch", at(20241014, 11, 30));
	assert_int_equal(c.state, DEMAND_RECEIVED);
	assert_int_equal(c.assignee_group, 42);
	assert_int_equal(c.clock[CASE_CLOCK_ACK].status, CASE_CLOCK_RUNNING);
	assert_int_equal(c.clock[CASE_CLOCK_ACK].due, at(20241014, 11, 33));
	/* sent back instead */
	act(&env_general, &c, "acknowledge", at(20241014, 11, 31));
	act(&env_general, &c, "return", at(20241014, 12, 0));
	act(&env_general, &c, "reject_return", at(20241014, 12, 10));
	assert_int_equal(c.state, DEMAND_IN_PROGRESS);
	assert_int_equal(c.returns, 2);
	/* outside the handling window, no 退单 */
	cmd = (struct case_cmd){ .action = "return", .now = c.clock[CASE_CLOCK_RESOLVE].due,
				 .expect_version = c.version, .reason = "r", .basis = "b" };
	assert_int_equal(case_apply(&demand_type, &env_general, &c, &cmd, &r, &e), APP_EINVAL);
	assert_string_equal(e.msg, "the time to handle the case is over: it can no longer be returned");
}

static void test_follow_up(void **state)
{
	(void)state;
	struct case_data c = open_at(&env_general, at(20241014, 10, 0));
	act(&env_general, &c, "acknowledge", at(20241014, 10, 1));
	act(&env_general, &c, "resolve", at(20241015, 9, 0));
	assert_int_equal(c.state, DEMAND_RESOLVED);
	assert_int_equal(c.clock[CASE_CLOCK_RESOLVE].status, CASE_CLOCK_MET);
	/* one working day to follow up: by the end of Wednesday */
	assert_int_equal(c.clock[CASE_CLOCK_FOLLOWUP].due, at(20241017, 0, 0));
	/* "not resolved" reopens, with a new resolution clock */
	struct case_result r = act(&env_general, &c, "reopen", at(20241015, 15, 0));
	assert_int_equal(c.state, DEMAND_IN_PROGRESS);
	assert_int_equal(c.reopens, 1);
	assert_true(has_notice(&r, CASE_TELL_RESIDENT, "case.changed"));
	assert_int_equal(c.clock[CASE_CLOCK_RESOLVE].status, CASE_CLOCK_RUNNING);
	assert_int_equal(c.clock[CASE_CLOCK_FOLLOWUP].status, CASE_CLOCK_MET);
	act(&env_general, &c, "resolve", at(20241016, 9, 0));
	act(&env_general, &c, "confirm", at(20241016, 10, 0));
	assert_int_equal(c.state, DEMAND_FOLLOWED_UP);
	act(&env_general, &c, "close", at(20241016, 10, 0));
	assert_int_equal(c.state, DEMAND_CLOSED);
	assert_int_equal(case_next_check(&c), 0);
}

/* A stale version and an illegal transition change nothing. */
static void test_refusals_change_nothing(void **state)
{
	(void)state;
	struct case_data c = open_at(&env_general, at(20241014, 10, 0));
	act(&env_general, &c, "acknowledge", at(20241014, 10, 1));
	struct case_data before = c;
	struct case_cmd cmd = { .action = "start", .now = at(20241014, 10, 2), .expect_version = 1 };
	struct case_result r;
	struct app_error e;
	assert_int_equal(case_apply(&demand_type, &env_general, &c, &cmd, &r, &e), APP_ECONFLICT);
	assert_memory_equal(&c, &before, sizeof(c));
	cmd = (struct case_cmd){ .action = "close", .now = at(20241014, 10, 2), .expect_version = 2 };
	assert_int_equal(case_apply(&demand_type, &env_general, &c, &cmd, &r, &e), APP_EINVAL);
	assert_string_equal(e.msg, "a case that is acknowledged cannot be closed: only one that is followed_up");
	cmd.action = "fly";
	assert_int_equal(case_apply(&demand_type, &env_general, &c, &cmd, &r, &e), APP_EINVAL);
	assert_string_equal(e.field, "action");
	assert_memory_equal(&c, &before, sizeof(c));
}

/* Suspending stops the resolution clock; resuming gives back what was left. */
static void test_suspend_pauses_the_clock(void **state)
{
	(void)state;
	struct case_data c = open_at(&env_emergency, at(20241014, 10, 0)); /* 2 hours */
	act(&env_emergency, &c, "acknowledge", at(20241014, 10, 1));
	act(&env_emergency, &c, "suspend", at(20241014, 10, 30));
	assert_int_equal(c.clock[CASE_CLOCK_RESOLVE].status, CASE_CLOCK_PAUSED);
	assert_int_equal(case_next_check(&c), 0);
	struct case_result r = act(&env_emergency, &c, "tick", at(20241014, 13, 0));
	assert_false(r.changed);
	act(&env_emergency, &c, "resume", at(20241014, 14, 0));
	/* 30 minutes were used: 90 left */
	assert_int_equal(c.clock[CASE_CLOCK_RESOLVE].due, at(20241014, 15, 30));
	assert_int_equal(c.state, DEMAND_IN_PROGRESS);
}

/* Escalating by hand climbs one rung at a time and stops at the top; a
 * handover changes only what it names. */
static void test_escalate_and_assign(void **state)
{
	(void)state;
	struct case_data c = open_at(&env_general, at(20241014, 10, 0));
	struct case_cmd cmd = { .action = "assign", .now = at(20241014, 10, 1),
				.expect_version = c.version, .assignee_group = 42 };
	struct case_result r;
	struct app_error e;
	assert_int_equal(case_apply(&demand_type, &env_general, &c, &cmd, &r, &e), APP_OK);
	cmd = (struct case_cmd){ .action = "assign", .now = at(20241014, 10, 2),
				 .expect_version = c.version, .unit = "村水管员" };
	assert_int_equal(case_apply(&demand_type, &env_general, &c, &cmd, &r, &e), APP_OK);
	assert_int_equal(c.assignee_group, 42); /* a unit works within the group */
	assert_string_equal(c.unit, "村水管员");
	cmd = (struct case_cmd){ .action = "assign", .now = at(20241014, 10, 3),
				 .expect_version = c.version, .assignee_user = 9 };
	assert_int_equal(case_apply(&demand_type, &env_general, &c, &cmd, &r, &e), APP_OK);
	assert_int_equal(c.assignee_user, 9);
	assert_int_equal(c.assignee_group, 42);
	for (int level = 1; level < CASE_LEVELS; level++) {
		act(&env_general, &c, "escalate", at(20241014, 10, 4));
		assert_int_equal(c.level, level);
	}
	assert_int_equal(case_allowed(&demand_type, &c, "escalate", at(20241014, 10, 5), &e),
			 APP_EINVAL);
	assert_string_equal(e.msg, "the case is already at the top rung (county_government)");
	assert_int_equal(case_allowed(&demand_type, &c, "acknowledge", at(20241014, 10, 5), &e),
			 APP_OK);
}

static void test_rules_checked(void **state)
{
	(void)state;
	struct case_rules rules = general;
	struct app_error e;
	assert_int_equal(case_rules_check(&rules, &e), APP_OK);
	rules.warn_percent = 100;
	assert_int_equal(case_rules_check(&rules, &e), APP_EINVAL);
	rules = general;
	rules.limit[CASE_CLOCK_RESOLVE].amount = -1;
	assert_int_equal(case_rules_check(&rules, &e), APP_EINVAL);
	assert_string_equal(e.field, "resolve");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acknowledged_in_time),
		cmocka_unit_test(test_missed_ack_alerts_the_owner),
		cmocka_unit_test(test_ack_outside_duty_hours),
		cmocka_unit_test(test_resolution_across_holidays),
		cmocka_unit_test(test_whistle_and_arrival),
		cmocka_unit_test(test_return_reviewed_and_redispatched),
		cmocka_unit_test(test_follow_up),
		cmocka_unit_test(test_refusals_change_nothing),
		cmocka_unit_test(test_suspend_pauses_the_clock),
		cmocka_unit_test(test_escalate_and_assign),
		cmocka_unit_test(test_rules_checked),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
