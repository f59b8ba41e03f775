/*
 * fuzz_rules.c - the rules expression language (rules/rules.h) on arbitrary
 * bytes: lexer, parser and type checker, then both evaluators.
 *
 * Checks that rules_check_expr() either refuses the input with APP_EINVAL or
 * APP_ETOOBIG and a message that names a line and column ("line L, column
 * C: ") within the input, or accepts it; that a policy whose condition is the
 * accepted text compiles too; and that, over a few persons with values and
 * nulls (a household, a birthday on the evaluation date), the vector
 * evaluator grants exactly the persons the one-person explanation says are
 * granted.
 */
#include "fuzz.h"

#include "core/mem.h"
#include "rules/rules.h"

#include <jansson.h>
#include <string.h>

static const struct rules_want inputs[] = {
	{ "grade", RULES_INT }, { "income", RULES_DEC }, { "birth", RULES_DATE },
	{ "region", RULES_STR }, { "insured", RULES_BOOL }, { "household", RULES_STR },
};
enum { NINPUTS = sizeof(inputs) / sizeof(inputs[0]) };

static const char *const people[][NINPUTS] = {
	{ "1", "999.99", "2010-06-01", "210102", "true", "h1" },
	{ "2", "", "2015-02-28", "210202", "false", "h1" },
	{ "", "-5.50", "", "2101", "", "" },
	{ "3", "0", "1950-12-31", "", "true", "h2" },
};
enum { NPEOPLE = sizeof(people) / sizeof(people[0]) };

static void check_message(const struct app_error *err, int lines)
{
	int line, col;
	FUZZ_CHECK(sscanf(err->msg, "line %d, column %d: ", &line, &col) == 2);
	FUZZ_CHECK(line >= 1 && line <= lines && col >= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct app_error err;
	int lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	enum app_err rc = rules_check_expr(text, size, inputs, NINPUTS, true, &err);
	if (rc != APP_OK) {
		FUZZ_CHECK(rc == APP_EINVAL || rc == APP_ETOOBIG);
		check_message(&err, lines);
		return 0;
	}
	/* the same text as a policy's condition; JSON needs valid UTF-8 */
	char *cond = xstrndup(text, size);
	json_t *cj = json_string(cond);
	free(cond);
	if (!cj)
		return 0; /* not UTF-8: no policy file can hold it */
	json_t *in = json_object();
	for (size_t i = 0; i < NINPUTS; i++)
		json_object_set_new(in, inputs[i].name, json_string(rules_type_name(inputs[i].type)));
	json_t *pol = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s}", "id", "f", "name", "f",
				"benefit", "b", "period", "yearly", "inputs", in, "condition", cj,
				"amount", "1");
	FUZZ_CHECK(pol);
	char *doc = json_dumps(pol, 0);
	json_decref(pol);
	struct rules_set s;
	rules_set_init(&s);
	FUZZ_CHECK(rules_set_add_json(&s, doc, strlen(doc), "fuzz", &err) == APP_OK);
	free(doc);

	struct rules_columns c;
	rules_columns_init(&c, NPEOPLE);
	c.ids = xcalloc(NPEOPLE, sizeof(char *));
	for (size_t i = 0; i < NINPUTS; i++)
		rules_columns_add(&c, inputs[i].name, inputs[i].type);
	for (size_t p = 0; p < NPEOPLE; p++) {
		c.ids[p] = xstrdup("p");
		for (size_t i = 0; i < NINPUTS; i++)
			FUZZ_CHECK(rules_columns_set_text(&c, &c.col[i], p, people[p][i], &err) == APP_OK);
	}
	int32_t day;
	FUZZ_CHECK(rules_date_parse("2026-06-01", &day));
	struct rules_results r;
	FUZZ_CHECK(rules_evaluate(&s, &c, day, &r, &err) == APP_OK);
	for (size_t p = 0; p < NPEOPLE; p++) {
		struct strbuf sb = STRBUF_INIT;
		FUZZ_CHECK(rules_explain(&s, 0, &c, p, day, &sb, &err) == APP_OK);
		/* the first line only: later lines quote the expression's strings */
		static const char granted[] = "policy f (f), person p, on 2026-06-01: granted";
		bool says = strncmp(sb.buf, granted, sizeof(granted) - 1) == 0;
		FUZZ_CHECK(says == rules_bit(r.out[0].granted, p));
		FUZZ_CHECK(!rules_bit(r.out[0].granted, p) || rules_bit(r.out[0].known, p));
		strbuf_release(&sb);
	}
	rules_results_release(&r);
	rules_columns_release(&c);
	rules_set_release(&s);
	return 0;
}
