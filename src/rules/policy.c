/*
 * policy.c - policy files (JSON, read with jansson) into compiled policies,
 * the set of policies an evaluation runs, and the dated parameters. The file
 * format is in docs/rules.md; every field is checked and an unknown field is
 * refused, so that a typo never silently changes who is granted.
 */
#include "rules/rules_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rules_param_version(const struct rules_param *p, int32_t day)
{
	int v = -1;
	for (size_t i = 0; i < p->n && p->from[i] <= day; i++)
		v = (int)i;
	return v;
}

void rules_set_init(struct rules_set *s) { memset(s, 0, sizeof(*s)); }

void rules_policy_free(struct rules_policy *pol)
{
	if (!pol)
		return;
	rules_prog_release(&pol->cond_prog);
	rules_prog_release(&pol->amount_prog);
	for (size_t i = 0; i < pol->nstage; i++)
		rules_prog_release(&pol->stage[i].prog);
	free(pol->stage);
	free(pol->konst);
	arena_release(&pol->arena);
	free(pol);
}

void rules_set_release(struct rules_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		rules_policy_free(s->pol[i]);
	free(s->pol);
	memset(s, 0, sizeof(*s));
}

int rules_set_find(const struct rules_set *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->pol[i]->id, id) == 0)
			return (int)i;
	return -1;
}

const char *rules_policy_id(const struct rules_set *s, size_t i) { return s->pol[i]->id; }
const char *rules_policy_name(const struct rules_set *s, size_t i) { return s->pol[i]->name; }
const char *rules_policy_benefit(const struct rules_set *s, size_t i) { return s->pol[i]->benefit; }
enum rules_period rules_policy_period(const struct rules_set *s, size_t i) { return s->pol[i]->period; }
bool rules_policy_consent(const struct rules_set *s, size_t i) { return s->pol[i]->consent; }
int rules_policy_notice_days(const struct rules_set *s, size_t i) { return s->pol[i]->notice_days; }

size_t rules_policy_inputs(const struct rules_set *s, size_t i, const struct rules_want **out)
{
	*out = s->pol[i]->input;
	return s->pol[i]->ninput;
}

static bool valid_name(const char *s)
{
	if (!*s || strlen(s) > 64 || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '.'))
			return false;
	return s[-1] != '.';
}

static const char *str_field(struct rules_policy *pol, json_t *root, const char *key, bool required,
			     const char *file, struct app_error *err)
{
	json_t *v = json_object_get(root, key);
	if (!v && !required)
		return "";
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 200) {
		app_fail_field(err, APP_EINVAL, key, "%s: '%s' must be a string of 1 to 200 bytes",
			       file, key);
		return NULL;
	}
	return arena_strndup(&pol->arena, json_string_value(v), json_string_length(v));
}

/* "text" or ["line", "line"]: the lines joined with newlines (positions count lines). */
static char *expr_text(struct rules_policy *pol, json_t *v)
{
	if (json_is_string(v))
		return arena_strndup(&pol->arena, json_string_value(v), json_string_length(v));
	if (!json_is_array(v) || json_array_size(v) == 0)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x) {
		if (!json_is_string(x)) {
			strbuf_release(&sb);
			return NULL;
		}
		if (i)
			strbuf_addch(&sb, '\n');
		strbuf_add(&sb, json_string_value(x), json_string_length(x));
	}
	char *t = arena_strndup(&pol->arena, sb.buf, sb.len);
	strbuf_release(&sb);
	return t;
}

static enum app_err read_params(struct rules_policy *pol, json_t *params, const char *file,
				struct app_error *err)
{
	if (!params)
		return APP_OK;
	if (!json_is_object(params))
		return app_fail_field(err, APP_EINVAL, "parameters",
				      "%s: 'parameters' must be an object of name: [{from, value}...]", file);
	const char *name;
	json_t *vals;
	json_object_foreach(params, name, vals) {
		if (pol->nparam == RULES_PARAMS_MAX)
			return app_fail(err, APP_ETOOBIG, "%s: more than %d parameters", file,
					RULES_PARAMS_MAX);
		if (!valid_name(name))
			return app_fail_field(err, APP_EINVAL, "parameters",
					      "%s: parameter name '%.64s' is not a name (letters, digits, '_')",
					      file, name);
		struct rules_param *p = &pol->param[pol->nparam++];
		memset(p, 0, sizeof(*p));
		p->name = arena_strndup(&pol->arena, name, strlen(name));
		p->type = RULES_INT;
		if (!json_is_array(vals) || json_array_size(vals) == 0 ||
		    json_array_size(vals) > RULES_VERSIONS_MAX)
			return app_fail_field(err, APP_EINVAL, "parameters",
					      "%s: parameter '%s' needs 1 to %d dated values "
					      "[{\"from\": \"YYYY-MM-DD\", \"value\": N}...]",
					      file, name, RULES_VERSIONS_MAX);
		size_t i;
		json_t *x;
		json_array_foreach(vals, i, x) {
			json_t *from = json_object_get(x, "from"), *value = json_object_get(x, "value");
			if (!json_is_object(x) || json_object_size(x) != 2 || !json_is_string(from) ||
			    !rules_date_parse(json_string_value(from), &p->from[i]))
				return app_fail_field(err, APP_EINVAL, "parameters",
						      "%s: value %zu of parameter '%s' needs exactly "
						      "\"from\" (a date YYYY-MM-DD) and \"value\"",
						      file, i + 1, name);
			if (i && p->from[i] <= p->from[i - 1])
				return app_fail_field(err, APP_EINVAL, "parameters",
						      "%s: the values of parameter '%s' must be in "
						      "increasing order of 'from'", file, name);
			double d;
			if (json_is_integer(value))
				d = (double)json_integer_value(value);
			else if (json_is_real(value))
				d = json_real_value(value);
			else
				return app_fail_field(err, APP_EINVAL, "parameters",
						      "%s: value %zu of parameter '%s' is not a number",
						      file, i + 1, name);
			if (json_is_real(value))
				p->type = RULES_DEC;
			if (d > 2e7 || d < -2e7)
				return app_fail_field(err, APP_EINVAL, "parameters",
						      "%s: value %zu of parameter '%s' is out of range "
						      "(-20000000 to 20000000)", file, i + 1, name);
			p->value[i] = (int32_t)(d * 100 + (d < 0 ? -0.5 : 0.5)); /* ×100 for now */
			if (json_is_real(value) && (double)p->value[i] != d * 100 &&
			    (p->value[i] - d * 100 > 1e-6 || d * 100 - p->value[i] > 1e-6))
				return app_fail_field(err, APP_EINVAL, "parameters",
						      "%s: value %zu of parameter '%s' has more than 2 "
						      "decimal places", file, i + 1, name);
		}
		p->n = json_array_size(vals);
		if (p->type == RULES_INT) /* back to plain ints */
			for (size_t k = 0; k < p->n; k++)
				p->value[k] /= 100;
	}
	return APP_OK;
}

static enum app_err read_inputs(struct rules_policy *pol, json_t *inputs, const char *file,
				struct app_error *err)
{
	if (!json_is_object(inputs) || json_object_size(inputs) > RULES_INPUTS_MAX)
		return app_fail_field(err, APP_EINVAL, "inputs",
				      "%s: 'inputs' must be an object of at most %d name: type pairs "
				      "(int, decimal, string, date, bool)", file, RULES_INPUTS_MAX);
	const char *name;
	json_t *t;
	json_object_foreach(inputs, name, t) {
		enum rules_type ty;
		if (!valid_name(name))
			return app_fail_field(err, APP_EINVAL, "inputs",
					      "%s: input name '%.64s' is not a name (letters, digits, "
					      "'_', '.')", file, name);
		if (!json_is_string(t) || !rules_type_parse(json_string_value(t), &ty))
			return app_fail_field(err, APP_EINVAL, "inputs",
					      "%s: input '%s' has no known type (int, decimal, string, "
					      "date, bool)", file, name);
		for (size_t i = 0; i < pol->nparam; i++)
			if (strcmp(pol->param[i].name, name) == 0)
				return app_fail_field(err, APP_EINVAL, "inputs",
						      "%s: '%s' is both an input and a parameter", file,
						      name);
		pol->input[pol->ninput].name = arena_strndup(&pol->arena, name, strlen(name));
		pol->input[pol->ninput++].type = ty;
	}
	return APP_OK;
}

static const char *const known_keys[] = { "id", "name", "benefit", "period", "consent",
					  "notice_days", "inputs", "parameters", "condition",
					  "amount", "description", "source", NULL };

static enum app_err build(struct rules_policy *pol, json_t *root, const char *file,
			  struct app_error *err)
{
	if (!json_is_object(root))
		return app_fail(err, APP_EINVAL, "%s: a policy is a JSON object", file);
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v) {
		bool known = false;
		for (size_t i = 0; known_keys[i]; i++)
			known |= strcmp(known_keys[i], key) == 0;
		if (!known)
			return app_fail_field(err, APP_EINVAL, key, "%s: unknown field '%.64s'", file, key);
	}
	const char *id = str_field(pol, root, "id", true, file, err);
	const char *name = id ? str_field(pol, root, "name", true, file, err) : NULL;
	const char *benefit = name ? str_field(pol, root, "benefit", true, file, err) : NULL;
	const char *period = benefit ? str_field(pol, root, "period", true, file, err) : NULL;
	if (!period)
		return APP_EINVAL;
	if (!valid_name(id))
		return app_fail_field(err, APP_EINVAL, "id", "%s: id '%s' is not a name (letters, "
				      "digits, '_', '.')", file, id);
	pol->id = (char *)id;
	pol->name = (char *)name;
	pol->benefit = (char *)benefit;
	if (strcmp(period, "monthly") == 0)
		pol->period = RULES_MONTHLY;
	else if (strcmp(period, "yearly") == 0)
		pol->period = RULES_YEARLY;
	else
		return app_fail_field(err, APP_EINVAL, "period",
				      "%s: period must be \"monthly\" or \"yearly\", not '%s'", file, period);
	json_t *consent = json_object_get(root, "consent");
	if (consent && !json_is_boolean(consent))
		return app_fail_field(err, APP_EINVAL, "consent", "%s: 'consent' must be true or false",
				      file);
	pol->consent = json_is_true(consent);
	json_t *notice = json_object_get(root, "notice_days");
	if (notice && (!json_is_integer(notice) || json_integer_value(notice) < 0 ||
		       json_integer_value(notice) > 365))
		return app_fail_field(err, APP_EINVAL, "notice_days",
				      "%s: 'notice_days' (the objection window of the public notice) "
				      "must be 0 to 365 days", file);
	pol->notice_days = notice ? (int)json_integer_value(notice) : 0;
	enum app_err rc = read_params(pol, json_object_get(root, "parameters"), file, err);
	if (rc == APP_OK)
		rc = read_inputs(pol, json_object_get(root, "inputs"), file, err);
	if (rc != APP_OK)
		return rc;
	static const char *const exprs[2] = { "condition", "amount" };
	for (int k = 0; k < 2; k++) {
		char *text = expr_text(pol, json_object_get(root, exprs[k]));
		if (!text)
			return app_fail_field(err, APP_EINVAL, exprs[k],
					      "%s: '%s' must be an expression (a string or an array "
					      "of lines)", file, exprs[k]);
		struct app_error e;
		struct rules_node *root_node;
		rc = rules_parse(&pol->arena, text, strlen(text), &root_node, &e);
		if (rc == APP_OK)
			rc = rules_compile(pol, root_node, k == 0 ? RULES_BOOL : RULES_DEC,
					   k == 0 ? &pol->cond_prog : &pol->amount_prog, &e);
		if (rc != APP_OK)
			return app_fail_field(err, rc, exprs[k], "%s: %s: %s", file, exprs[k], e.msg);
		if (k == 0) {
			pol->cond = root_node;
		} else {
			pol->amount = root_node;
			pol->amount_text = text;
		}
	}
	/* an int parameter used as a decimal is scaled at evaluation: check it fits */
	for (size_t i = 0; i < pol->nconst; i++) {
		const struct rules_const *k = &pol->konst[i];
		if (!k->x100)
			continue;
		const struct rules_param *p = &pol->param[k->param];
		for (size_t j = 0; j < p->n; j++)
			if (p->value[j] > INT32_MAX / 100 || p->value[j] < -(INT32_MAX / 100))
				return app_fail_field(err, APP_EINVAL, "parameters",
						      "%s: parameter '%s' is too large to use as a "
						      "decimal", file, p->name);
	}
	return APP_OK;
}

enum app_err rules_set_add_json(struct rules_set *s, const char *text, size_t len,
				const char *name, struct app_error *err)
{
	if (len > RULES_FILE_MAX)
		return app_fail(err, APP_ETOOBIG, "%s: a policy file is at most %d bytes", name,
				RULES_FILE_MAX);
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return app_fail(err, APP_EINVAL, "%s: line %d, column %d: not valid JSON: %s", name,
				je.line, je.column, je.text);
	struct rules_policy *pol = xcalloc(1, sizeof(*pol));
	arena_init(&pol->arena);
	enum app_err rc = build(pol, root, name, err);
	json_decref(root);
	if (rc == APP_OK && rules_set_find(s, pol->id) >= 0)
		rc = app_fail_field(err, APP_ECONFLICT, "id", "%s: policy id '%s' is loaded twice",
				    name, pol->id);
	if (rc != APP_OK) {
		rules_policy_free(pol);
		return rc;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->pol = xrealloc(s->pol, s->cap * sizeof(*s->pol));
	}
	s->pol[s->n++] = pol;
	return APP_OK;
}

enum app_err rules_set_add_file(struct rules_set *s, const char *path, struct app_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return app_fail(err, APP_EIO, "cannot open policy file '%s': %m", path);
	char *buf = xmalloc(RULES_FILE_MAX + 1);
	size_t len = fread(buf, 1, RULES_FILE_MAX + 1, f);
	bool bad = ferror(f);
	fclose(f);
	enum app_err rc = bad ? app_fail(err, APP_EIO, "cannot read policy file '%s'", path)
			      : rules_set_add_json(s, buf, len, path, err);
	free(buf);
	return rc;
}

enum app_err rules_check_expr(const char *text, size_t len, const struct rules_want *inputs,
			      size_t ninputs, bool want_bool, struct app_error *err)
{
	struct rules_policy *pol = xcalloc(1, sizeof(*pol));
	arena_init(&pol->arena);
	pol->id = "check";
	for (size_t i = 0; i < ninputs && i < RULES_INPUTS_MAX; i++)
		pol->input[pol->ninput++] = inputs[i];
	struct rules_node *root;
	enum app_err rc = rules_parse(&pol->arena, text, len, &root, err);
	if (rc == APP_OK)
		rc = rules_compile(pol, root, want_bool ? RULES_BOOL : RULES_DEC, &pol->cond_prog, err);
	rules_policy_free(pol);
	return rc;
}
