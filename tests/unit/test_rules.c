/*
 * test_rules.c - unit tests of the rules engine (rules/rules.h): parse errors
 * with their line and column, type errors, each operator over the vector
 * evaluator (and the same decision from the one-person explanation), ages on
 * the birthday, a premium that changes on 1 January, a person who stops
 * being eligible when the grade changes, nulls (unknown, never granted, said
 * missing), counts over a household, two conflicting policies, and the
 * explanation of a refusal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rules/rules.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

/* A person's attributes as "name=value" pairs; "" values are absent. */
struct person {
	const char *id;
	const char *kv[8];
};

static const struct rules_want inputs[] = {
	{ "grade", RULES_INT },      { "income", RULES_DEC }, { "birth", RULES_DATE },
	{ "region", RULES_STR },     { "insured", RULES_BOOL }, { "household", RULES_STR },
	{ "kind", RULES_STR },       { "start", RULES_DATE },
};
enum { NINPUTS = sizeof(inputs) / sizeof(inputs[0]) };

static int32_t day(const char *s)
{
	int32_t d;
	assert_true(rules_date_parse(s, &d));
	return d;
}

/* A policy JSON with the standard inputs, one parameter `premium` and cond/amount. */
static void policy_json(char *out, size_t cap, const char *id, const char *benefit,
			const char *cond, const char *amount)
{
	snprintf(out, cap,
		 "{\"id\":\"%s\",\"name\":\"t\",\"benefit\":\"%s\",\"period\":\"yearly\","
		 "\"inputs\":{\"grade\":\"int\",\"income\":\"decimal\",\"birth\":\"date\","
		 "\"region\":\"string\",\"insured\":\"bool\",\"household\":\"string\","
		 "\"kind\":\"string\",\"start\":\"date\"},"
		 "\"parameters\":{\"premium\":[{\"from\":\"2025-01-01\",\"value\":400},"
		 "{\"from\":\"2026-01-01\",\"value\":410}],"
		 "\"ceiling\":[{\"from\":\"2025-01-01\",\"value\":1000.50}]},"
		 "\"condition\":\"%s\",\"amount\":\"%s\"}",
		 id, benefit, cond, amount);
}

static enum app_err add(struct rules_set *s, const char *id, const char *benefit,
			const char *cond, const char *amount, struct app_error *err)
{
	char json[4096];
	policy_json(json, sizeof(json), id, benefit, cond, amount);
	return rules_set_add_json(s, json, strlen(json), "test.json", err);
}

static void columns(struct rules_columns *c, const struct person *p, size_t n)
{
	rules_columns_init(c, n);
	c->ids = calloc(n, sizeof(char *));
	for (size_t i = 0; i < NINPUTS; i++)
		assert_non_null(rules_columns_add(c, inputs[i].name, inputs[i].type));
	for (size_t i = 0; i < n; i++) {
		c->ids[i] = strdup(p[i].id);
		for (size_t k = 0; k < 8 && p[i].kv[k]; k++) {
			const char *eq = strchr(p[i].kv[k], '=');
			char name[64];
			snprintf(name, sizeof(name), "%.*s", (int)(eq - p[i].kv[k]), p[i].kv[k]);
			struct rules_column *col = (struct rules_column *)rules_columns_find(c, name);
			struct app_error e;
			assert_non_null(col);
			assert_int_equal(rules_columns_set_text(c, col, i, eq + 1, &e), APP_OK);
		}
	}
}

/*
 * Evaluate cond over persons at date; granted[i] is '1', '0' or '?' (unknown)
 * per person. Also checks the explanation reaches the same decision.
 */
static void expect(const char *cond, const struct person *p, size_t n, const char *date,
		   const char *granted)
{
	struct rules_set s;
	struct app_error err;
	rules_set_init(&s);
	if (add(&s, "p", "b", cond, "premium", &err) != APP_OK)
		fail_msg("'%s' does not compile: %s", cond, err.msg);
	struct rules_columns c;
	columns(&c, p, n);
	struct rules_results r;
	assert_int_equal(rules_evaluate(&s, &c, day(date), &r, &err), APP_OK);
	for (size_t i = 0; i < n; i++) {
		char got = rules_bit(r.out[0].granted, i) ? '1' : rules_bit(r.out[0].known, i) ? '0' : '?';
		if (got != granted[i])
			fail_msg("'%s' for %s: expected %c, got %c", cond, p[i].id, granted[i], got);
		struct strbuf sb = STRBUF_INIT;
		assert_int_equal(rules_explain(&s, 0, &c, i, day(date), &sb, &err), APP_OK);
		bool says = strstr(sb.buf, ": granted") != NULL;
		if (says != (got == '1'))
			fail_msg("explanation disagrees for %s: %s", p[i].id, sb.buf);
		strbuf_release(&sb);
	}
	rules_results_release(&r);
	rules_columns_release(&c);
	rules_set_release(&s);
}

/* The error message compiling cond gives (must fail). */
static void expect_error(const char *cond, const char *msg)
{
	struct rules_set s;
	struct app_error err;
	rules_set_init(&s);
	assert_int_not_equal(add(&s, "p", "b", cond, "premium", &err), APP_OK);
	if (!strstr(err.msg, msg))
		fail_msg("'%s': expected '%s' in: %s", cond, msg, err.msg);
	rules_set_release(&s);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_error("grade >", "line 1, column 8: expected a value but found the end");
	expect_error("grade = 1 grade", "line 1, column 11: unexpected 'grade' after a complete");
	expect_error("(grade = 1", "line 1, column 11: expected ')'");
	expect_error("grade in []", "column 11: the list after 'in' is empty");
	expect_error("grade = 1 and\\n  region = \\\"21", "line 2, column 12: the string is not closed");
	expect_error("birth < 2026-02-30", "'2026-02-30' is not a real date");
	expect_error("income < 1.234", "at most 2 places");
	expect_error("1 < grade < 3", "comparisons do not chain");
	expect_error("grade ! 1", "'!' must be followed by '='");
	expect_error("foo(grade)", "unknown function 'foo'");
	expect_error("", "the expression is empty");
	/* nesting is bounded: no stack overflow, a plain error */
	char deep[4096] = "";
	for (int i = 0; i < 200; i++)
		strcat(deep, "(");
	strcat(deep, "grade = 1");
	for (int i = 0; i < 200; i++)
		strcat(deep, ")");
	expect_error(deep, "nested too deeply");
	char nots[2048] = "";
	for (int i = 0; i < 300; i++)
		strcat(nots, "not ");
	strcat(nots, "insured");
	expect_error(nots, "nested too deeply");
}

static void test_type_errors(void **state)
{
	(void)state;
	expect_error("grade = \\\"1\\\"", "line 1, column 9: cannot compare a int with a string");
	expect_error("region < \\\"2101\\\"", "strings compare only with = and !=");
	expect_error("age(grade) > 3", "age() needs a date, not a int");
	expect_error("grade", "expected a condition but this is a int value");
	expect_error("unknownname = 1", "unknown name 'unknownname'");
	expect_error("insured = true", "conditions are not compared");
	expect_error("birth - start > 3", "dates do not subtract");
	expect_error("count(grade, insured) > 1", "count() needs the name of a string input");
	expect_error("count(household, count(household, insured) > 1) > 1", "cannot be nested");
	expect_error("within(region, kind)", "within() needs a quoted prefix");
	expect_error("grade in [1, \\\"a\\\"]", "the list holds a string but the value is a int");
	expect_error("missing(premium)", "is a parameter");
	expect_error("years_between(birth)", "takes 2 arguments, not 1");
	/* an amount must be a number */
	struct rules_set s;
	struct app_error err;
	rules_set_init(&s);
	assert_int_equal(add(&s, "p", "b", "insured", "region", &err), APP_EINVAL);
	assert_non_null(strstr(err.msg, "amount: line 1, column 1: an amount must be a number"));
	rules_set_release(&s);
}

static const struct person people[] = {
	{ "a", { "grade=1", "income=999.99", "region=210102", "insured=true", "kind=x" } },
	{ "b", { "grade=2", "income=1000.50", "region=210202", "insured=false", "kind=y" } },
	{ "c", { "grade=3", "income=1000.51", "region=2101", "insured=true", "kind=z" } },
	{ "d", { "region=110101" } }, /* grade, income, insured absent */
};

static void test_operators(void **state)
{
	(void)state;
	const char *d = "2026-06-01";
	expect("grade = 2", people, 4, d, "010?");
	expect("grade == 2", people, 4, d, "010?");
	expect("grade != 2", people, 4, d, "101?");
	expect("grade < 2", people, 4, d, "100?");
	expect("grade <= 2", people, 4, d, "110?");
	expect("grade > 2", people, 4, d, "001?");
	expect("grade >= 2", people, 4, d, "011?");
	expect("grade in [1, 3]", people, 4, d, "101?");
	expect("grade not in [1, 3]", people, 4, d, "010?");
	expect("kind in [\\\"x\\\", \\\"nobody\\\"]", people, 4, d, "100?");
	expect("income <= ceiling", people, 4, d, "110?");   /* decimal parameter */
	expect("income < 1000", people, 4, d, "100?");       /* int promoted to decimal */
	expect("income * 2 > 2001.01", people, 4, d, "001?");
	expect("grade + 1 = 3 and grade - 1 = 1", people, 4, d, "010?");
	expect("-grade < -2", people, 4, d, "001?");
	expect("within(region, \\\"2101\\\")", people, 4, d, "1010");
	expect("insured", people, 4, d, "101?");
	expect("not insured", people, 4, d, "010?");
	expect("grade = 1 or grade = 3", people, 4, d, "101?");
	expect("missing(grade)", people, 4, d, "0001");
	expect("true", people, 4, d, "1111");
	expect("false or grade = 1", people, 4, d, "100?");
}

static void test_nulls(void **state)
{
	(void)state;
	const char *d = "2026-06-01";
	/* unknown unless the other side decides: false and ? = false, true or ? = true */
	expect("grade = 1 and within(region, \\\"21\\\")", people, 4, d, "1000");
	expect("grade = 1 or within(region, \\\"11\\\")", people, 4, d, "1001");
	expect("not (grade = 1)", people, 4, d, "011?");
	expect("grade = 1 or missing(grade)", people, 4, d, "1001");

	/* the explanation says the value was missing */
	struct rules_set s;
	struct app_error err;
	rules_set_init(&s);
	assert_int_equal(add(&s, "p", "b", "grade in [1, 2] and insured", "premium", &err), APP_OK);
	struct rules_columns c;
	columns(&c, people, 4);
	struct strbuf sb = STRBUF_INIT;
	assert_int_equal(rules_explain(&s, 0, &c, 3, day(d), &sb, &err), APP_OK);
	assert_non_null(strstr(sb.buf, "person d, on 2026-06-01: refused: the condition could not "
				       "be decided because a value is missing"));
	assert_non_null(strstr(sb.buf, "unknown (a value is missing): grade in [1, 2] (grade is "
				       "missing) [line 1, column 1]"));
	strbuf_release(&sb);
	rules_columns_release(&c);
	rules_set_release(&s);
}

static void test_ages_and_dates(void **state)
{
	(void)state;
	static const struct person kids[] = {
		{ "turns16today", { "birth=2010-06-01", "start=2026-01-31" } },
		{ "turns16tomorrow", { "birth=2010-06-02", "start=2026-02-28" } },
		{ "leapling", { "birth=2008-02-29", "start=2026-03-01" } },
		{ "nobirth", { "start=2026-01-01" } },
	};
	/* a person turning 16 on the evaluation date is 16 */
	expect("age(birth) >= 16", kids, 4, "2026-06-01", "101?");
	expect("age(birth) < 16", kids, 4, "2026-06-01", "010?");
	expect("16 <= age(birth)", kids, 4, "2026-06-01", "101?");
	expect("age(birth) = 15", kids, 4, "2026-06-01", "010?");
	expect("age(birth) != 15", kids, 4, "2026-06-01", "101?");
	expect("age(birth) > 15", kids, 4, "2026-06-01", "101?");
	expect("age(birth) <= 15", kids, 4, "2026-06-01", "010?");
	/* born on 29 February: 18 on 1 March of a common year, not on the 28th */
	expect("age(birth) >= 18", kids, 4, "2026-02-28", "000?");
	expect("age(birth) >= 18", kids, 4, "2026-03-01", "001?");
	/* age as a number (not against a constant) agrees */
	expect("age(birth) - 16 >= 0", kids, 4, "2026-06-01", "101?");
	/* months count once the day is reached; days are plain */
	expect("months_between(start, 2026-02-28) = 0", kids, 4, "2026-06-01", "1110");
	expect("months_between(2026-01-31, start) = 1", kids, 4, "2026-06-01", "0010");
	expect("years_between(birth, start) = 15", kids, 4, "2026-06-01", "110?");
	expect("days_between(start, 2026-03-01) = 1", kids, 4, "2026-06-01", "0100");
	expect("start + 1 = 2026-03-02", kids, 4, "2026-06-01", "0010");
	expect("birth < 2010-06-02", kids, 4, "2026-06-01", "101?");
}

static void test_household_count(void **state)
{
	(void)state;
	static const struct person fam[] = {
		{ "mother", { "household=h1", "birth=1990-01-01" } },
		{ "kid1", { "household=h1", "birth=2015-01-01" } },
		{ "kid2", { "household=h1", "birth=2018-01-01" } },
		{ "single", { "household=h2", "birth=1980-01-01" } },
		{ "homeless", { "birth=2019-01-01" } },
	};
	expect("count(household, age(birth) < 16) >= 2", fam, 5, "2026-06-01", "1110?");
	expect("count(household, true) = 1", fam, 5, "2026-06-01", "0001?");

	/* policies counting the same thing share one count; a different one does not */
	struct rules_set s;
	struct app_error err;
	rules_set_init(&s);
	assert_int_equal(add(&s, "two", "a", "count(household, age(birth) < 16) >= 2", "premium", &err), APP_OK);
	assert_int_equal(add(&s, "one", "b", "count(household, age(birth) < 16) = 1", "premium", &err), APP_OK);
	assert_int_equal(add(&s, "adults", "c", "count(household, age(birth) >= 16) = 1", "premium", &err), APP_OK);
	assert_int_equal(add(&s, "old", "d", "count(household, age(birth) < 40) = 3", "premium", &err), APP_OK);
	assert_int_equal(add(&s, "both", "e", "count(household, age(birth) < 40) = 3 and "
				 "count(household, age(birth) < 50) = 3", "premium", &err), APP_OK);
	struct rules_columns c;
	columns(&c, fam, 5);
	struct rules_results r;
	assert_int_equal(rules_evaluate(&s, &c, day("2026-06-01"), &r, &err), APP_OK);
	static const char want[5][6] = { "11100", "00000", "11110", "11100", "11100" };
	for (size_t p = 0; p < 5; p++)
		for (size_t i = 0; i < 5; i++)
			if (rules_bit(r.out[p].granted, i) != (want[p][i] == '1'))
				fail_msg("policy %zu, person %zu", p, i);
	rules_results_release(&r);
	rules_columns_release(&c);
	rules_set_release(&s);
}

static void test_premium_changes_on_1_january(void **state)
{
	(void)state;
	struct rules_set s;
	struct app_error err;
	rules_set_init(&s);
	assert_int_equal(add(&s, "p", "b", "grade in [1, 2]", "premium", &err), APP_OK);
	struct rules_columns c;
	columns(&c, people, 4);
	struct rules_results r;
	assert_int_equal(rules_evaluate(&s, &c, day("2025-12-31"), &r, &err), APP_OK);
	assert_int_equal(rules_outcome_amount(&r.out[0], 0), 40000);
	assert_int_equal(r.out[0].period, 2025);
	rules_results_release(&r);
	assert_int_equal(rules_evaluate(&s, &c, day("2026-01-01"), &r, &err), APP_OK);
	assert_int_equal(rules_outcome_amount(&r.out[0], 0), 41000);
	assert_int_equal(rules_outcome_amount(&r.out[0], 2), 0); /* refused: no amount */
	assert_int_equal(r.out[0].period, 2026);
	rules_results_release(&r);
	/* the explanation names the version */
	struct strbuf sb = STRBUF_INIT;
	assert_int_equal(rules_explain(&s, 0, &c, 0, day("2026-01-01"), &sb, &err), APP_OK);
	assert_non_null(strstr(sb.buf, "granted b 410.00"));
	assert_non_null(strstr(sb.buf, "parameter premium = 410 (the value in force from 2026-01-01)"));
	strbuf_release(&sb);
	/* before the first value: an error, not a silent refusal */
	assert_int_equal(rules_evaluate(&s, &c, day("2024-12-31"), &r, &err), APP_EINVAL);
	assert_non_null(strstr(err.msg, "parameter 'premium' has no value in force on 2024-12-31"));
	/* an amount from an expression, decimal */
	rules_set_release(&s);
	rules_set_init(&s);
	assert_int_equal(add(&s, "p", "b", "grade = 1", "income * 0.5 + 1", &err), APP_OK);
	assert_int_equal(rules_evaluate(&s, &c, day("2026-01-01"), &r, &err), APP_OK);
	assert_int_equal(rules_outcome_amount(&r.out[0], 0), 49999 + 100); /* 999.99 × 0.5 = 499.995 → 499.99 */
	rules_results_release(&r);
	rules_columns_release(&c);
	rules_set_release(&s);
}

static void test_stops_being_eligible(void **state)
{
	(void)state;
	struct rules_set s;
	struct app_error err;
	rules_set_init(&s);
	assert_int_equal(add(&s, "p", "b", "grade in [1, 2]", "premium", &err), APP_OK);
	struct person p[] = { { "x", { "grade=2" } } };
	struct rules_columns c;
	columns(&c, p, 1);
	struct rules_results r;
	assert_int_equal(rules_evaluate(&s, &c, day("2026-03-01"), &r, &err), APP_OK);
	assert_true(rules_bit(r.out[0].granted, 0));
	rules_results_release(&r);
	/* re-assessed as grade 3: no longer granted, and the explanation says why */
	assert_int_equal(rules_columns_set_text(&c, &c.col[0], 0, "3", &err), APP_OK);
	assert_int_equal(rules_evaluate(&s, &c, day("2026-03-01"), &r, &err), APP_OK);
	assert_false(rules_bit(r.out[0].granted, 0));
	assert_true(rules_bit(r.out[0].known, 0));
	rules_results_release(&r);
	struct strbuf sb = STRBUF_INIT;
	assert_int_equal(rules_explain(&s, 0, &c, 0, day("2026-03-01"), &sb, &err), APP_OK);
	assert_non_null(strstr(sb.buf, "person x, on 2026-03-01: refused: the condition does not hold"));
	assert_non_null(strstr(sb.buf, "failed: grade in [1, 2] (grade is 3) [line 1, column 1]"));
	strbuf_release(&sb);
	rules_columns_release(&c);
	rules_set_release(&s);
}

static void count_conflict(void *arg, size_t row, size_t a, size_t b)
{
	char *out = arg;
	sprintf(out + strlen(out), "%zu:%zu-%zu;", row, a, b);
}

static void test_conflicts(void **state)
{
	(void)state;
	struct rules_set s;
	struct app_error err;
	rules_set_init(&s);
	assert_int_equal(add(&s, "city", "premium", "grade in [1, 2]", "premium", &err), APP_OK);
	assert_int_equal(add(&s, "county", "premium", "insured", "premium", &err), APP_OK);
	assert_int_equal(add(&s, "other", "card", "insured", "premium", &err), APP_OK);
	assert_int_equal(add(&s, "city", "x", "insured", "premium", &err), APP_ECONFLICT);
	struct rules_columns c;
	columns(&c, people, 4);
	struct rules_results r;
	assert_int_equal(rules_evaluate(&s, &c, day("2026-03-01"), &r, &err), APP_OK);
	char seen[256] = "";
	/* only a: granted the premium by city and county; c is insured but grade 3 */
	assert_int_equal(rules_conflicts(&s, &r, count_conflict, seen), 1);
	assert_string_equal(seen, "0:0-1;");
	rules_results_release(&r);
	rules_columns_release(&c);
	rules_set_release(&s);
}

static void test_policy_fields(void **state)
{
	(void)state;
	struct rules_set s;
	struct app_error err;
	rules_set_init(&s);
	const char *bad[][2] = {
		{ "{\"id\":\"x\"}", "'name' must be a string" },
		{ "{\"id\":\"x\",\"name\":\"n\",\"benefit\":\"b\",\"period\":\"weekly\"}",
		  "period must be \"monthly\" or \"yearly\"" },
		{ "{\"id\":\"x\",\"nmae\":\"n\"}", "unknown field 'nmae'" },
		{ "{\"id\":\"x\",\"name\":\"n\",\"benefit\":\"b\",\"period\":\"yearly\",\"inputs\":{},"
		  "\"parameters\":{\"p\":[{\"from\":\"2026-01-01\",\"value\":1},{\"from\":\"2025-01-01\","
		  "\"value\":2}]},\"condition\":\"true\",\"amount\":\"p\"}",
		  "increasing order" },
		{ "{\"id\":\"x\",\"name\":\"n\",\"benefit\":\"b\",\"period\":\"yearly\",\"inputs\":"
		  "{\"a\":\"float\"},\"condition\":\"true\",\"amount\":\"1\"}", "no known type" },
		{ "{\"id\":\"x\",\"name\":\"n\",\"benefit\":\"b\",\"period\":\"yearly\",\"inputs\":{},"
		  "\"condition\":[\"true and\", \"  1\"],\"amount\":\"1\"}",
		  "condition: line 2, column 3: expected a condition" },
		{ "{", "not valid JSON" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_not_equal(rules_set_add_json(&s, bad[i][0], strlen(bad[i][0]), "f", &err), APP_OK);
		if (!strstr(err.msg, bad[i][1]))
			fail_msg("case %zu: expected '%s' in: %s", i, bad[i][1], err.msg);
	}
	assert_int_equal(s.n, 0);
	rules_set_release(&s);
}

static void test_csv(void **state)
{
	(void)state;
	static const struct rules_want w[] = { { "grade", RULES_INT }, { "birth", RULES_DATE } };
	char ok[] = "id,grade,other,birth\np1,1,x,2010-01-01\np2,,y,\n";
	struct rules_columns c;
	struct app_error err;
	rules_columns_init(&c, 0);
	assert_int_equal(rules_columns_load_csv(&c, ok, strlen(ok), w, 2, &err), APP_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.ids[1], "p2");
	assert_false(rules_bit(rules_columns_find(&c, "grade")->present, 1));
	char bad[] = "id,grade,birth\np1,1,2010-01-01\np2,two,2010-01-01\n";
	assert_int_equal(rules_columns_load_csv(&c, bad, strlen(bad), w, 2, &err), APP_EINVAL);
	assert_non_null(strstr(err.msg, "line 3, column 'grade': 'two' is not a int"));
	assert_int_equal(c.n, 2); /* unchanged */
	char dup[] = "id,grade,grade\np1,1,2\n";
	assert_int_equal(rules_columns_load_csv(&c, dup, strlen(dup), w, 2, &err), APP_EINVAL);
	assert_non_null(strstr(err.msg, "line 1: column 'grade' appears twice"));
	rules_columns_release(&c);
}

/* Amounts are written with their sign, to the fen. */
static void test_fen_format(void **state)
{
	(void)state;
	char out[24];
	rules_fen_format(41000, out, sizeof(out));
	assert_string_equal(out, "410.00");
	rules_fen_format(-50, out, sizeof(out));
	assert_string_equal(out, "-0.50");
	rules_fen_format(-12345, out, sizeof(out));
	assert_string_equal(out, "-123.45");
	rules_fen_format(INT64_MIN, out, sizeof(out));
	assert_string_equal(out, "-92233720368547758.08");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_type_errors),
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_nulls),
		cmocka_unit_test(test_ages_and_dates),
		cmocka_unit_test(test_household_count),
		cmocka_unit_test(test_premium_changes_on_1_january),
		cmocka_unit_test(test_stops_being_eligible),
		cmocka_unit_test(test_conflicts),
		cmocka_unit_test(test_policy_fields),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_fen_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
