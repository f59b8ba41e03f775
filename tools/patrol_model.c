/*
 * patrol_model.c - build-time tool: learn the patrol's built-in classifier
 * model from the repository's labelled lines (data/patrol/intent.csv) and
 * write it as a model file, which the build embeds in the binary
 * (src/patrol/judge.c reads it at start instead of learning it each time).
 *
 * usage: patrol_model IN.csv OUT.model
 * The model is learnt as `bianmin classify train --all` learns it (every
 * row, the default options), so the built-in rules and `make model` agree.
 * Training is deterministic: the same data give the same bytes.
 */
#include "patrol/classify.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: patrol_model IN.csv OUT.model\n");
		return 2;
	}
	struct app_error err;
	struct classify_data d;
	struct classify_model *m = NULL;
	struct classify_train_opts o = CLASSIFY_TRAIN_OPTS_INIT;
	o.rows = CLASSIFY_SEL_ALL;
	classify_data_init(&d);
	enum app_err rc = classify_data_load(&d, argv[1], &err);
	if (rc == APP_OK)
		rc = classify_train(&d, &o, &m, &err);
	if (rc == APP_OK)
		rc = classify_model_save(m, argv[2], &err);
	classify_data_release(&d);
	classify_model_free(m);
	if (rc != APP_OK) {
		fprintf(stderr, "patrol_model: %s\n", err.msg);
		return 1;
	}
	return 0;
}
