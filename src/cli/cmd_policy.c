/*
 * cmd_policy.c - `bianmin policy check|test|eval`: compile policy files and
 * report their errors, run policy test files (exit 1 on a failing case, with
 * expected and got), and evaluate policies over persons from a CSV file at a
 * date, with the explanation of one person's decisions on demand
 * (docs/rules.md). No database: policies and persons are files.
 */
#include "cli/cli.h"
#include "core/csv.h"
#include "core/mem.h"
#include "rules/rules.h"

#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check(int argc, char **argv)
{
	if (argc < 3)
		return cli_usage("policy", "check needs at least one policy FILE");
	int bad = 0;
	for (int i = 2; i < argc; i++) {
		struct rules_set s;
		struct app_error err;
		rules_set_init(&s);
		if (rules_set_add_file(&s, argv[i], &err) != APP_OK) {
			fprintf(stderr, "bianmin: %s\n", err.msg);
			bad = err.code == APP_EIO ? CLI_FAIL : CLI_REJECTED;
		} else {
			const struct rules_want *w;
			printf("%s: ok: policy %s (%s), benefit %s, %zu inputs\n", argv[i],
			       rules_policy_id(&s, 0), rules_policy_name(&s, 0),
			       rules_policy_benefit(&s, 0), rules_policy_inputs(&s, 0, &w));
		}
		rules_set_release(&s);
	}
	return bad;
}

/* The policies a test file names, relative to the file's folder. */
static enum app_err test_policies(const char *path, const char *text, size_t len,
				  struct rules_set *s, struct app_error *err)
{
	json_error_t je;
	json_t *root = json_loadb(text, len, 0, &je);
	if (!root)
		return app_fail(err, APP_EINVAL, "%s: line %d, column %d: not valid JSON: %s", path,
				je.line, je.column, je.text);
	json_t *list = json_object_get(root, "policies");
	enum app_err rc = APP_OK;
	if (!json_is_array(list) || json_array_size(list) == 0)
		rc = app_fail(err, APP_EINVAL, "%s: 'policies' must list the policy files tested "
			      "(relative to the test file)", path);
	char *copy = xstrdup(path);
	const char *dir = dirname(copy);
	size_t i;
	json_t *p;
	json_array_foreach(list, i, p) {
		if (rc != APP_OK)
			break;
		if (!json_is_string(p)) {
			rc = app_fail(err, APP_EINVAL, "%s: 'policies' holds a non-string", path);
			break;
		}
		char file[4096];
		snprintf(file, sizeof(file), "%s/%s", dir, json_string_value(p));
		rc = rules_set_add_file(s, file, err);
	}
	free(copy);
	json_decref(root);
	return rc;
}

static int test(int argc, char **argv)
{
	if (argc < 3)
		return cli_usage("policy", "test needs at least one test FILE");
	size_t passed = 0, failed = 0;
	int rc = CLI_OK;
	for (int i = 2; i < argc; i++) {
		struct app_error err;
		char *buf;
		size_t len;
		if (csv_load(argv[i], RULES_FILE_MAX, &buf, &len, &err) != APP_OK) {
			fprintf(stderr, "bianmin: %s\n", err.msg);
			rc = CLI_FAIL;
			continue;
		}
		struct rules_set s;
		rules_set_init(&s);
		struct strbuf report = STRBUF_INIT;
		size_t p0 = passed, f0 = failed;
		if (test_policies(argv[i], buf, len, &s, &err) != APP_OK ||
		    rules_run_tests(&s, buf, len, argv[i], &report, &passed, &failed, &err) != APP_OK) {
			fprintf(stderr, "bianmin: %s\n", err.msg);
			if (rc == CLI_OK)
				rc = CLI_REJECTED;
		}
		fputs(report.buf, stdout);
		printf("%s: %zu passed, %zu failed\n", argv[i], passed - p0, failed - f0);
		strbuf_release(&report);
		rules_set_release(&s);
		free(buf);
	}
	printf("%zu passed, %zu failed\n", passed, failed);
	if (failed && rc == CLI_OK)
		rc = CLI_FAIL;
	return rc;
}

struct conflict_print {
	const struct rules_set *s;
	const struct rules_columns *c;
};

static void print_conflict(void *arg, size_t row, size_t a, size_t b)
{
	struct conflict_print *cp = arg;
	printf("conflict,%s,%s,%s,%s\n", cp->c->ids[row], rules_policy_benefit(cp->s, a),
	       rules_policy_id(cp->s, a), rules_policy_id(cp->s, b));
}

static int eval(int argc, char **argv)
{
	const char *persons = NULL, *at = NULL, *explain = NULL;
	struct rules_set s;
	rules_set_init(&s);
	int rc = CLI_OK;
	struct app_error err;
	for (int i = 2; i < argc && rc == CLI_OK; i++) {
		const char **opt = strcmp(argv[i], "--persons") == 0   ? &persons
				   : strcmp(argv[i], "--at") == 0      ? &at
				   : strcmp(argv[i], "--explain") == 0 ? &explain
								       : NULL;
		if (opt) {
			if (i + 1 >= argc)
				rc = cli_usage("policy", "option %s needs a value", argv[i]);
			else
				*opt = argv[++i];
		} else if (argv[i][0] == '-') {
			rc = cli_usage("policy", "unknown option '%s'", argv[i]);
		} else if (rules_set_add_file(&s, argv[i], &err) != APP_OK) {
			rc = cli_fail(&err);
		}
	}
	int32_t day = 0;
	if (rc == CLI_OK && (!persons || !at || s.n == 0))
		rc = cli_usage("policy", "eval needs POLICY..., --persons FILE.csv and --at DATE");
	if (rc == CLI_OK && !rules_date_parse(at, &day))
		rc = cli_usage("policy", "--at needs a date YYYY-MM-DD, not '%s'", at);
	if (rc != CLI_OK) {
		rules_set_release(&s);
		return rc;
	}
	/* every input of every policy, once */
	struct rules_want *want = NULL;
	size_t nwant = 0;
	for (size_t p = 0; p < s.n; p++) {
		const struct rules_want *w;
		size_t n = rules_policy_inputs(&s, p, &w);
		want = xrealloc(want, (nwant + n) * sizeof(*want));
		memcpy(want + nwant, w, n * sizeof(*w));
		nwant += n;
	}
	char *buf = NULL;
	size_t len;
	struct rules_columns c;
	rules_columns_init(&c, 0);
	struct rules_results r = { 0 };
	if (csv_load(persons, (size_t)1 << 31, &buf, &len, &err) != APP_OK ||
	    rules_columns_load_csv(&c, buf, len, want, nwant, &err) != APP_OK ||
	    rules_evaluate(&s, &c, day, &r, &err) != APP_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	if (explain) {
		size_t row = 0;
		while (row < c.n && strcmp(c.ids[row], explain) != 0)
			row++;
		if (row == c.n) {
			fprintf(stderr, "bianmin: no person '%s' in %s\n", explain, persons);
			rc = CLI_NOTFOUND;
			goto out;
		}
		struct strbuf sb = STRBUF_INIT;
		for (size_t p = 0; p < s.n; p++)
			rules_explain(&s, p, &c, row, day, &sb, &err);
		fputs(sb.buf, stdout);
		strbuf_release(&sb);
		goto out;
	}
	printf("person,policy,benefit,decision,amount,period\n");
	size_t *next = xcalloc(s.n, sizeof(*next)); /* running index into each amount list */
	for (size_t row = 0; row < c.n; row++)
		for (size_t p = 0; p < s.n; p++) {
			const struct rules_outcome *o = &r.out[p];
			bool g = rules_bit(o->granted, row);
			char yuan[24];
			rules_fen_format(g ? o->amount[next[p]++] : 0, yuan, sizeof(yuan));
			printf("%s,%s,%s,%s,%s,%d\n", c.ids[row], rules_policy_id(&s, p),
			       rules_policy_benefit(&s, p),
			       g ? "granted" : rules_bit(o->known, row) ? "refused" : "unknown", yuan,
			       (int)o->period);
		}
	free(next);
	struct conflict_print cp = { &s, &c };
	rules_conflicts(&s, &r, print_conflict, &cp);
out:
	rules_results_release(&r);
	rules_columns_release(&c);
	free(buf);
	free(want);
	rules_set_release(&s);
	return rc;
}

int cmd_policy(struct cli_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	if (cli_wants_help(argc, argv)) {
		cli_print_help("policy");
		return CLI_OK;
	}
	if (argc < 2)
		return cli_usage("policy", "which action: check, test or eval?");
	if (strcmp(argv[1], "check") == 0)
		return check(argc, argv);
	if (strcmp(argv[1], "test") == 0)
		return test(argc, argv);
	if (strcmp(argv[1], "eval") == 0)
		return eval(argc, argv);
	return cli_usage("policy", "unknown action '%s'", argv[1]);
}
