/*
 * cmd_classify.c - `bianmin classify train|eval|text`: learn a message
 * classifier from CSV files, score it on the held-out fold, and try it on
 * messages (docs/classify.md).
 */
#include "cli/cli.h"
#include "core/mem.h"
#include "patrol/classify.h"
#include "patrol/lexicon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MODEL "var/classify.model"

struct classify_args {
	const char *model;   /* -o (train) or -m (eval, text) */
	bool model_given;
	const char *lexicon; /* -l */
	struct classify_train_opts train;
	bool all;            /* train: learn from every row */
	unsigned folds;      /* eval: cross-validate over every fold */
	char **rest;         /* files or texts */
	int nrest;
};

static bool parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || s[0] == '-' || v < lo || v > hi)
		return false;
	*out = (unsigned)v;
	return true;
}

/* Options of every action; what an action does not take is refused. */
static int parse_args(const char *action, int argc, char **argv, struct classify_args *a)
{
	struct classify_train_opts init = CLASSIFY_TRAIN_OPTS_INIT;
	memset(a, 0, sizeof(*a));
	a->train = init;
	a->model = DEFAULT_MODEL;
	a->rest = xcalloc((size_t)argc + 1, sizeof(*a->rest));
	bool training = strcmp(action, "train") == 0, eval = strcmp(action, "eval") == 0;
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = strcmp(o, "-o") == 0 || strcmp(o, "-m") == 0 || strcmp(o, "-l") == 0 ||
			     strcmp(o, "--method") == 0 || strcmp(o, "--bits") == 0 ||
			     strcmp(o, "--epochs") == 0;
		if (takes && !v)
			return cli_usage("classify", "option %s needs a value", o);
		if (strcmp(o, "--") == 0) {
			while (++i < argc)
				a->rest[a->nrest++] = argv[i];
			break;
		} else if ((strcmp(o, "-o") == 0 && training) || (strcmp(o, "-m") == 0 && !training)) {
			a->model = argv[++i];
			a->model_given = true;
		} else if (strcmp(o, "-l") == 0 && !training) {
			a->lexicon = argv[++i];
		} else if (strcmp(o, "--method") == 0 && (training || eval)) {
			i++;
			if (strcmp(v, "nb") == 0)
				a->train.method = CLASSIFY_NB;
			else if (strcmp(v, "lr") == 0)
				a->train.method = CLASSIFY_LR;
			else
				return cli_usage("classify", "--method is nb or lr, not '%s'", v);
		} else if (strcmp(o, "--bits") == 0 && (training || eval)) {
			if (!parse_uint(argv[++i], CLASSIFY_BITS_MIN, CLASSIFY_BITS_MAX, &a->train.bits))
				return cli_usage("classify", "--bits is from %d to %d, not '%s'",
						 CLASSIFY_BITS_MIN, CLASSIFY_BITS_MAX, v);
		} else if (strcmp(o, "--epochs") == 0 && (training || eval)) {
			if (!parse_uint(argv[++i], 1, 1000, &a->train.epochs))
				return cli_usage("classify", "--epochs is from 1 to 1000, not '%s'", v);
		} else if (strcmp(o, "--all") == 0 && training) {
			a->all = true;
		} else if (strcmp(o, "--folds") == 0 && eval) {
			a->folds = CLASSIFY_FOLDS;
		} else if (o[0] == '-' && o[1] != '\0') {
			return cli_usage("classify", "'%s' is not an option of classify %s%s", o, action,
					 training || eval ? "" : " (put -- before a message that starts with -)");
		} else {
			a->rest[a->nrest++] = argv[i];
		}
	}
	return CLI_OK;
}

static int load_data(struct classify_data *d, char **files, int n)
{
	for (int i = 0; i < n; i++) {
		struct app_error err;
		size_t before = d->n, dropped = d->dropped, unlabelled = d->unlabelled;
		if (classify_data_load(d, files[i], &err) != APP_OK)
			return cli_fail(&err);
		fprintf(stderr, "%s: %zu rows", files[i], d->n - before);
		if (d->dropped > dropped)
			fprintf(stderr, " (%zu more dropped: their labels repeat an earlier text)",
				d->dropped - dropped);
		if (d->unlabelled > unlabelled)
			fprintf(stderr, " (%zu more without a label)", d->unlabelled - unlabelled);
		fputc('\n', stderr);
	}
	return CLI_OK;
}

static void print_model_info(const struct classify_model *m, FILE *out)
{
	struct classify_model_info info;
	classify_model_info(m, &info);
	fprintf(out, "model: %s, %u bits (%.1f MiB); learnt from %u demand, %u question, %u chat "
		     "rows and %u categorised rows in %zu categories\n",
		classify_method_names[info.method], info.bits, (double)info.bytes / (1 << 20),
		info.intent_rows[CLASSIFY_DEMAND], info.intent_rows[CLASSIFY_QUESTION],
		info.intent_rows[CLASSIFY_CHAT], info.category_rows, classify_categories(m));
}

static int do_train(struct classify_args *a)
{
	if (a->nrest == 0)
		return cli_usage("classify", "give at least one FILE.csv to learn from");
	struct classify_data d;
	classify_data_init(&d);
	int rc = load_data(&d, a->rest, a->nrest);
	if (rc == CLI_OK) {
		a->train.rows = a->all ? CLASSIFY_SEL_ALL : CLASSIFY_SEL_TRAIN;
		struct classify_model *m;
		struct app_error err;
		if (classify_train(&d, &a->train, &m, &err) != APP_OK) {
			rc = cli_fail(&err);
		} else {
			print_model_info(m, stdout);
			if (!a->all)
				printf("fold 0 of %d held out (%s); --all learns from every row\n",
				       CLASSIFY_FOLDS, "bianmin classify eval scores the model on it");
			if (classify_model_save(m, a->model, &err) != APP_OK)
				rc = cli_fail(&err);
			else
				printf("wrote %s\n", a->model);
			classify_model_free(m);
		}
	}
	classify_data_release(&d);
	return rc;
}

static void print_head(const char *name, const struct classify_head_score *h)
{
	printf("%s: %zu rows, accuracy %.3f, macro-F1 %.3f", name, h->rows, h->accuracy,
	       h->macro_f1);
	if (h->unknown)
		printf(" (%zu rows of labels the model does not have)", h->unknown);
	printf("\n  %-20s %8s %9s %9s %7s %6s\n", "class", "support", "predicted", "precision",
	       "recall", "F1");
	for (size_t c = 0; c < h->nclasses; c++) {
		const struct classify_class_score *s = &h->cls[c];
		/* pad by display width: a CJK character takes 3 bytes and 2 columns */
		size_t bytes = strlen(s->label), cols = 0;
		for (size_t i = 0; i < bytes; i++)
			if (((unsigned char)s->label[i] & 0xC0) != 0x80)
				cols += (unsigned char)s->label[i] >= 0xE0 ? 2 : 1;
		int width = (int)bytes + (cols < 20 ? 20 - (int)cols : 0);
		printf("  %-*s %8zu %9zu %9.3f %7.3f %6.3f\n", width, s->label, s->support,
		       s->predicted, s->precision, s->recall, s->f1);
	}
}

static int do_eval(struct classify_args *a)
{
	if (a->nrest == 0)
		return cli_usage("classify", "give at least one FILE.csv to score on");
	if (a->model_given && a->folds)
		return cli_usage("classify", "--folds learns its own models; it takes no -m");
	struct lexicon *lex = NULL;
	struct app_error err;
	if (a->lexicon && lexicon_load(a->lexicon, &lex, &err) != APP_OK)
		return cli_fail(&err);
	struct classify_data d;
	classify_data_init(&d);
	int rc = load_data(&d, a->rest, a->nrest);
	struct classify_eval e;
	classify_eval_init(&e);
	bool given = a->model_given;
	for (unsigned f = 0; rc == CLI_OK && f < (a->folds ? a->folds : 1); f++) {
		struct classify_model *m = NULL;
		if (given && !a->folds) {
			if (classify_model_load(a->model, &m, &err) != APP_OK) {
				rc = cli_fail(&err);
				break;
			}
		} else {
			a->train.rows = (struct classify_sel){ CLASSIFY_EXCEPT_FOLD, f };
			if (classify_train(&d, &a->train, &m, &err) != APP_OK) {
				rc = cli_fail(&err);
				break;
			}
		}
		if (f == 0)
			print_model_info(m, stdout);
		classify_eval_add(&e, m, lex, &d, (struct classify_sel){ CLASSIFY_ONLY_FOLD, f });
		classify_model_free(m);
	}
	if (rc == CLI_OK) {
		classify_eval_finish(&e);
		if (a->folds)
			printf("scored: each of the %d folds (FNV-1a of the row id mod %d) by a model "
			       "learnt from the other folds\n", CLASSIFY_FOLDS, CLASSIFY_FOLDS);
		else
			printf("scored: the held-out fold 0 (FNV-1a of the row id mod %d) by %s\n",
			       CLASSIFY_FOLDS,
			       given ? "the given model" : "a model learnt here from the other folds");
		if (lex)
			printf("lexicon: %s (urgent words make a demand)\n", a->lexicon);
		print_head("intent", &e.intent);
		print_head("category", &e.category);
	}
	classify_data_release(&d);
	lexicon_free(lex);
	return rc;
}

static void print_result(const struct classify_model *m, const struct lexicon *lex,
			 const char *text)
{
	struct classify_result r;
	size_t n = strlen(text);
	classify_text(m, lex, text, n, &r);
	printf("%s\t%.2f\t%s\t%.2f\t", classify_intent_names[r.intent], (double)r.intent_p[r.intent],
	       r.intent == CLASSIFY_CHAT ? "-" : classify_category_name(m, r.category),
	       r.intent == CLASSIFY_CHAT ? 0.0 : (double)r.category_p);
	if (lex) {
		struct lexicon_hit hits[8];
		size_t nh = lexicon_find(lex, text, n, hits, 8);
		for (size_t i = 0; i < nh && i < 8; i++)
			printf("%s%s/%s/%d", i ? "," : "", hits[i].entry->word, hits[i].entry->cls,
			       (int)hits[i].entry->severity);
		if (nh > 8)
			printf(",...");
		if (!nh)
			printf("-");
	} else {
		printf("-");
	}
	printf("\t%s\n", text);
}

static int do_text(struct classify_args *a)
{
	struct classify_model *m;
	struct lexicon *lex = NULL;
	struct app_error err;
	if (classify_model_load(a->model, &m, &err) != APP_OK) {
		int rc = cli_fail(&err);
		if (err.code == APP_ENOTFOUND)
			fprintf(stderr, "bianmin: make one with 'bianmin classify train --all "
					"data/patrol/intent.csv' (or 'make model'), or give -m MODEL\n");
		return rc;
	}
	if (a->lexicon && lexicon_load(a->lexicon, &lex, &err) != APP_OK) {
		classify_model_free(m);
		return cli_fail(&err);
	}
	for (int i = 0; i < a->nrest; i++)
		print_result(m, lex, a->rest[i]);
	if (a->nrest == 0) { /* one message a line from standard input */
		char *line = NULL;
		size_t cap = 0;
		ssize_t got;
		while ((got = getline(&line, &cap, stdin)) > 0) {
			while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
				line[--got] = '\0';
			if (got)
				print_result(m, lex, line);
		}
		free(line);
	}
	lexicon_free(lex);
	classify_model_free(m);
	return CLI_OK;
}

int cmd_classify(struct cli_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	if (argc < 2)
		return cli_usage("classify", "say train, eval or text (or give a message)");
	const char *action = argv[1];
	bool named = strcmp(action, "train") == 0 || strcmp(action, "eval") == 0 ||
		     strcmp(action, "text") == 0;
	struct classify_args a;
	int rc = named ? parse_args(action, argc - 2, argv + 2, &a)
		       : parse_args("text", argc - 1, argv + 1, &a);
	if (rc == CLI_OK) {
		if (strcmp(action, "train") == 0)
			rc = do_train(&a);
		else if (strcmp(action, "eval") == 0)
			rc = do_eval(&a);
		else
			rc = do_text(&a);
	}
	free(a.rest);
	return rc;
}
