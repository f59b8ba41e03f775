/*
 * test_bundles.c - unit tests of 一件事 bundles (bundles/bundles.h): the
 * definitions shipped in data/bundles/ parse, broken ones are refused with
 * the file and the JSON path of the problem, and the state of a bundle is
 * derived from its services (tasks, overdue, entitlement states). No store:
 * bundles are built in memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bundles/bundles.h"
#include "testutil.h"

#include <string.h>

static struct bundle_def def;

static void test_shipped(void **state)
{
	(void)state;
	struct app_error e;
	assert_int_equal(bundles_def_load("data/bundles", "disability", &def, &e), APP_OK);
	assert_string_equal(def.name, "扶残助残一件事");
	assert_int_equal(def.nservices, 5);
	assert_string_equal(def.services[0].kind, "entitlement");
	assert_string_equal(def.services[0].programme, "shenyang.disability_premium");
	assert_string_equal(def.services[0].state, "follows");
	for (int i = 1; i < 5; i++) {
		assert_string_equal(def.services[i].kind, "task");
		assert_string_equal(def.services[i].state, "todo");
		assert_true(def.services[i].days >= 1 && *def.services[i].unit);
	}
	assert_int_equal(bundles_def_load("data/bundles", "birth", &def, &e), APP_OK);
	assert_string_equal(def.name, "出生一件事");
	assert_int_equal(bundles_def_load("data/bundles", "retirement", &def, &e), APP_OK);
	assert_string_equal(def.name, "退休一件事");
}

/* text is refused with exactly message. */
static void refused(const char *text, const char *message)
{
	struct app_error e;
	strcpy(def.name, "untouched");
	assert_int_equal(bundles_def_parse(text, strlen(text), "x.json", "x", &def, &e), APP_EINVAL);
	assert_string_equal(e.msg, message);
	assert_string_equal(def.name, "untouched");
}

#define TASK "{\"code\":\"a\",\"name\":\"甲\",\"kind\":\"task\",\"unit\":\"局\",\"days\":3}"

static void test_errors(void **state)
{
	(void)state;
	refused("{", "x.json: not valid JSON: string or '}' expected near end of file (line 1, column 1)");
	refused("[]", "x.json: a definition must be a JSON object");
	refused("{\"event\":\"y\",\"name\":\"n\",\"services\":[" TASK "]}",
		"x.json: defines event 'y', not 'x' (the file is named after its event)");
	refused("{\"event\":\"x\",\"name\":\"n\",\"services\":[" TASK "],\"extra\":1}",
		"x.json: unknown member 'extra'");
	refused("{\"event\":\"x\",\"services\":[" TASK "]}", "x.json: 'name' is missing");
	refused("{\"event\":\"x\",\"name\":\"n\",\"services\":[]}",
		"x.json: 'services' must be a list of 1 to 16 services");
	refused("{\"event\":\"x\",\"name\":\"n\",\"services\":[" TASK ",{\"code\":\"b\",\"name\":"
		"\"乙\",\"kind\":\"task\",\"unit\":\"局\",\"days\":61}]}",
		"x.json: services[1]: 'days' must be a whole number of working days from 1 to 60");
	refused("{\"event\":\"x\",\"name\":\"n\",\"services\":[" TASK "," TASK "]}",
		"x.json: services[1]: code 'a' is used by services[0] already");
	refused("{\"event\":\"x\",\"name\":\"n\",\"services\":[{\"code\":\"p\",\"name\":\"丙\","
		"\"kind\":\"entitlement\",\"programme\":\"p1\",\"days\":3}]}",
		"x.json: services[0]: unknown member 'days'");
	refused("{\"event\":\"x\",\"name\":\"n\",\"services\":[{\"code\":\"Q\",\"name\":\"丙\","
		"\"kind\":\"task\",\"unit\":\"局\",\"days\":3}]}",
		"x.json: services[0]: code 'Q' must be a lower-case letter, then lower-case "
		"letters, digits or '_' (at most 32)");
	refused("{\"event\":\"x\",\"name\":\"n\",\"services\":[{\"code\":\"q\",\"name\":\"丙\","
		"\"kind\":\"visit\"}]}",
		"x.json: services[0]: kind 'visit' must be \"task\" or \"entitlement\"");

	struct app_error e;
	assert_int_equal(bundles_def_load("data/bundles", "marriage", &def, &e), APP_EINVAL);
	assert_string_equal(e.field, "event");
	assert_int_equal(bundles_def_load("data/bundles", "../etc", &def, &e), APP_EINVAL);
	assert_string_equal(e.field, "event");
}

static struct bundle_service task(const char *state, int64_t due)
{
	struct bundle_service v = { .days = 3, .due_at = due };
	strcpy(v.kind, "task");
	strcpy(v.state, state);
	return v;
}

static struct bundle_service entitlement(const char *state)
{
	struct bundle_service v = { 0 };
	strcpy(v.kind, "entitlement");
	strcpy(v.state, "follows");
	strcpy(v.entitlement_state, state);
	return v;
}

static void test_service_state(void **state)
{
	(void)state;
	struct bundle_service_state st;
	struct bundle_service v = task("todo", 1000);
	bundles_service_state(&v, 1000, &st);
	assert_int_equal(st.outcome, BUNDLE_PENDING);
	assert_true(st.overdue); /* due at 1000: overdue from 1000 on, as a case clock */
	bundles_service_state(&v, 999, &st);
	assert_false(st.overdue);
	assert_string_equal(st.label, "办理中");
	v = task("done", 1000);
	bundles_service_state(&v, 5000, &st);
	assert_int_equal(st.outcome, BUNDLE_DONE);
	assert_false(st.overdue); /* done late is done */
	v = task("refused", 1000);
	bundles_service_state(&v, 5000, &st);
	assert_int_equal(st.outcome, BUNDLE_REFUSED);

	static const struct {
		const char *state;
		enum bundle_outcome outcome;
		const char *shown;
	} ents[] = {
		{ "", BUNDLE_PENDING, "waiting" },
		{ "in_notice", BUNDLE_PENDING, "in_notice" },
		{ "objected", BUNDLE_PENDING, "objected" },
		{ "awaiting_consent", BUNDLE_PENDING, "awaiting_consent" },
		{ "held", BUNDLE_PENDING, "held" },
		{ "granted", BUNDLE_DONE, "granted" },
		{ "declined", BUNDLE_REFUSED, "declined" },
		{ "refused", BUNDLE_REFUSED, "refused" },
		{ "revoked", BUNDLE_REFUSED, "revoked" },
	};
	for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
		v = entitlement(ents[i].state);
		bundles_service_state(&v, 5000, &st);
		assert_int_equal(st.outcome, ents[i].outcome);
		assert_string_equal(st.state, ents[i].shown);
		assert_false(st.overdue);
	}
}

static void test_summary(void **state)
{
	(void)state;
	struct bundle *b = calloc(1, sizeof(*b));
	assert_non_null(b);
	b->nservices = 3;
	b->services[0] = entitlement("");
	b->services[1] = task("todo", 100);
	b->services[2] = task("done", 100);
	struct bundle_summary s;
	bundles_summarize(b, 200, &s);
	assert_string_equal(s.state, "in_progress");
	assert_int_equal(s.pending, 2);
	assert_int_equal(s.done, 1);
	assert_int_equal(s.overdue, 1);
	assert_false(s.completed);

	b->services[0] = entitlement("granted");
	b->services[1] = task("refused", 100);
	bundles_summarize(b, 200, &s);
	assert_true(s.completed); /* every service decided, one of them refused */
	assert_string_equal(s.state, "completed");
	assert_string_equal(s.label, "已办结");
	assert_int_equal(s.refused, 1);
	assert_int_equal(s.overdue, 0);

	b->services[0] = entitlement("held"); /* a person still decides */
	bundles_summarize(b, 200, &s);
	assert_false(s.completed);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_service_state),
		cmocka_unit_test(test_summary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
