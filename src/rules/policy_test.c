/*
 * policy_test.c - policy test files, OpenFisca's YAML tests in JSON: persons
 * given as attributes, an evaluation date, and the decision and amount each
 * policy must give each person (docs/rules.md "Test files"). A failing case
 * is reported as expected against got, with the explanation of the decision.
 */
#include "rules/rules_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The persons of one case as columns of every input the policies read. */
static enum app_err persons(const struct rules_set *s, json_t *list, struct rules_columns *c,
			    const char *where, struct app_error *err)
{
	if (!json_is_array(list) || json_array_size(list) == 0)
		return app_fail(err, APP_EINVAL, "%s: 'persons' must be a non-empty array", where);
	rules_columns_init(c, json_array_size(list));
	c->ids = xcalloc(c->n, sizeof(char *));
	for (size_t p = 0; p < s->n; p++) {
		const struct rules_want *w;
		size_t nw = rules_policy_inputs(s, p, &w);
		for (size_t i = 0; i < nw; i++) {
			const struct rules_column *have = rules_columns_find(c, w[i].name);
			if (have && have->type != w[i].type)
				return app_fail(err, APP_EINVAL, "%s: input '%s' is %s in one policy and "
						"%s in another", where, w[i].name,
						rules_type_name(have->type), rules_type_name(w[i].type));
			if (!have && !rules_columns_add(c, w[i].name, w[i].type))
				return app_fail(err, APP_ETOOBIG, "%s: the policies read more than %d inputs",
						where, RULES_COLUMNS_MAX);
		}
	}
	size_t i;
	json_t *person;
	json_array_foreach(list, i, person) {
		json_t *id = json_object_get(person, "id");
		if (!json_is_object(person) || !json_is_string(id))
			return app_fail(err, APP_EINVAL, "%s: person %zu needs an \"id\" string", where,
					i + 1);
		c->ids[i] = xstrdup(json_string_value(id));
		const char *key;
		json_t *v;
		json_object_foreach(person, key, v) {
			if (strcmp(key, "id") == 0)
				continue;
			struct rules_column *col = (struct rules_column *)rules_columns_find(c, key);
			if (!col)
				return app_fail(err, APP_EINVAL,
						"%s: person '%s': no policy reads '%s' (a typo?)", where,
						c->ids[i], key);
			char text[64];
			if (json_is_string(v))
				snprintf(text, sizeof(text), "%s", json_string_value(v));
			else if (json_is_integer(v))
				snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(v));
			else if (json_is_real(v))
				snprintf(text, sizeof(text), "%.2f", json_real_value(v));
			else if (json_is_boolean(v))
				snprintf(text, sizeof(text), "%s", json_is_true(v) ? "true" : "false");
			else if (json_is_null(v))
				text[0] = 0;
			else
				return app_fail(err, APP_EINVAL, "%s: person '%s': '%s' must be a value",
						where, c->ids[i], key);
			struct app_error e;
			if (rules_columns_set_text(c, col, i, text, &e) != APP_OK)
				return app_fail(err, APP_EINVAL, "%s: person '%s': %s: %s", where,
						c->ids[i], key, e.msg);
		}
	}
	return APP_OK;
}

static int find_person(const struct rules_columns *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->ids[i], id) == 0)
			return (int)i;
	return -1;
}

static void conflict_count(void *arg, size_t row, size_t a, size_t b)
{
	(void)row, (void)a, (void)b;
	++*(size_t *)arg;
}

/* One case: APP_OK with *ok set, or an error for a malformed case. */
static enum app_err run_case(const struct rules_set *s, json_t *tc, const char *where,
			     struct strbuf *report, bool *ok, struct app_error *err)
{
	json_t *date = json_object_get(tc, "date"), *expect = json_object_get(tc, "expect");
	int32_t day;
	if (!json_is_string(date) || !rules_date_parse(json_string_value(date), &day))
		return app_fail(err, APP_EINVAL, "%s: 'date' must be a date YYYY-MM-DD", where);
	if (!json_is_array(expect))
		return app_fail(err, APP_EINVAL, "%s: 'expect' must be an array", where);
	struct rules_columns c;
	struct rules_results r = { 0 };
	enum app_err rc = persons(s, json_object_get(tc, "persons"), &c, where, err);
	if (rc == APP_OK)
		rc = rules_evaluate(s, &c, day, &r, err);
	*ok = true;
	size_t i;
	json_t *e;
	json_array_foreach(expect, i, e) {
		if (rc != APP_OK)
			break;
		json_t *who = json_object_get(e, "person"), *pol = json_object_get(e, "policy");
		json_t *granted = json_object_get(e, "granted"), *amount = json_object_get(e, "amount");
		int row = json_is_string(who) ? find_person(&c, json_string_value(who)) : -1;
		int p = json_is_string(pol) ? rules_set_find(s, json_string_value(pol)) : -1;
		if (row < 0 || p < 0 || !json_is_boolean(granted) ||
		    (amount && !json_is_number(amount))) {
			rc = app_fail(err, APP_EINVAL,
				      "%s: expectation %zu needs a known \"person\" and \"policy\", "
				      "\"granted\" (true or false) and optionally \"amount\"",
				      where, i + 1);
			break;
		}
		bool got = rules_bit(r.out[p].granted, (size_t)row);
		int64_t fen = rules_outcome_amount(&r.out[p], (size_t)row);
		int64_t want_fen = amount ? (int64_t)(json_number_value(amount) * 100 +
						      (json_number_value(amount) < 0 ? -0.5 : 0.5))
					  : fen;
		if (got == json_is_true(granted) && (!got || want_fen == fen))
			continue;
		*ok = false;
		strbuf_addf(report, "FAIL %s: person %s, policy %s\n", where, json_string_value(who),
			    json_string_value(pol));
		strbuf_addf(report, "  expected: %s", json_is_true(granted) ? "granted" : "refused");
		char yuan[24];
		if (amount && json_is_true(granted)) {
			rules_fen_format(want_fen, yuan, sizeof(yuan));
			strbuf_addf(report, " %s", yuan);
		}
		strbuf_addf(report, "\n  got:      %s", got ? "granted" : "refused");
		if (got) {
			rules_fen_format(fen, yuan, sizeof(yuan));
			strbuf_addf(report, " %s", yuan);
		}
		strbuf_addch(report, '\n');
		rules_explain(s, (size_t)p, &c, (size_t)row, day, report, err);
	}
	json_t *conflicts = json_object_get(tc, "conflicts");
	if (rc == APP_OK && conflicts) {
		size_t n = 0;
		rules_conflicts(s, &r, conflict_count, &n);
		if (!json_is_integer(conflicts)) {
			rc = app_fail(err, APP_EINVAL, "%s: 'conflicts' must be a number", where);
		} else if ((json_int_t)n != json_integer_value(conflicts)) {
			*ok = false;
			strbuf_addf(report, "FAIL %s: conflicts\n  expected: %lld\n  got:      %zu\n",
				    where, (long long)json_integer_value(conflicts), n);
		}
	}
	rules_results_release(&r);
	rules_columns_release(&c);
	return rc;
}

enum app_err rules_run_tests(const struct rules_set *s, const char *text, size_t len,
			     const char *name, struct strbuf *report, size_t *passed,
			     size_t *failed, struct app_error *err)
{
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return app_fail(err, APP_EINVAL, "%s: line %d, column %d: not valid JSON: %s", name,
				je.line, je.column, je.text);
	json_t *tests = json_object_get(root, "tests");
	enum app_err rc = APP_OK;
	if (!json_is_array(tests)) {
		rc = app_fail(err, APP_EINVAL, "%s: 'tests' must be an array of cases", name);
		goto out;
	}
	size_t i;
	json_t *tc;
	json_array_foreach(tests, i, tc) {
		json_t *tn = json_object_get(tc, "name");
		char where[300];
		snprintf(where, sizeof(where), "%s: case %zu (%s)", name, i + 1,
			 json_is_string(tn) ? json_string_value(tn) : "unnamed");
		bool ok = false;
		if ((rc = run_case(s, tc, where, report, &ok, err)) != APP_OK)
			break;
		++*(ok ? passed : failed);
	}
out:
	json_decref(root);
	return rc;
}
