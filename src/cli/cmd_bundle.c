/*
 * cmd_bundle.c - `bianmin bundle start|list|show|mark`: 一件事 bundles from
 * the command line (docs/bundles.md), as the operator: start a life event's
 * services for a person, list the bundles of a region, show one with every
 * service's state, mark a task done or refused. The person is printed
 * masked; the unmasked read is the API's, audited.
 */
#include "bundles/bundles.h"
#include "cases/cases_calendar.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "core/pii.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_head(const struct bundle *b, int64_t now)
{
	char id[ENTITLE_KEY_MAX + 1], name[PII_NAME_MASK_MAX];
	pii_id_mask(b->person_key, id);
	pii_name_mask(b->person_name, name);
	struct bundle_summary sum;
	bundles_summarize(b, now, &sum);
	printf("%" PRId64 "\t%s\t%s\t%s\t%s %s\t%s\t%d done, %d refused, %d pending, %d overdue\n",
	       b->id, b->event, b->name, b->region, name, id, sum.state, sum.done, sum.refused,
	       sum.pending, sum.overdue);
}

static void print_services(const struct bundle *b, int64_t now)
{
	for (int i = 0; i < b->nservices; i++) {
		const struct bundle_service *v = &b->services[i];
		struct bundle_service_state st;
		bundles_service_state(v, now, &st);
		char due[32] = "-";
		if (v->due_at)
			clock_format_china_due(v->due_at, due, sizeof(due));
		printf("  %s\t%s\t%s\t%s\t%s\tdue %s%s%s%s\n", v->code, v->name, v->kind,
		       *v->unit ? v->unit : v->programme, st.state, due,
		       st.overdue ? "\tOVERDUE" : "", *v->note ? "\t" : "", v->note);
	}
}

static int bundle_start(struct cli_ctx *ctx, int argc, char **argv)
{
	struct bundle_person p = { 0 };
	const char *event = NULL;
	for (int i = 2; i < argc; i++) {
		const char **opt = strcmp(argv[i], "--id") == 0	    ? &p.id_number
				   : strcmp(argv[i], "--name") == 0   ? &p.name
				   : strcmp(argv[i], "--phone") == 0  ? &p.phone
				   : strcmp(argv[i], "--region") == 0 ? &p.region
								      : NULL;
		if (opt && i + 1 < argc)
			*opt = argv[++i];
		else if (!opt && argv[i][0] != '-' && !event)
			event = argv[i];
		else
			return cli_usage("bundle", "unknown argument '%s'", argv[i]);
	}
	if (!event || !p.id_number || !p.name || !p.region)
		return cli_usage("bundle", "start takes EVENT --id ID_NUMBER --name NAME "
					   "--region CODE [--phone PHONE]");
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	struct calendar cal;
	struct app_error err;
	struct bundle *b = malloc(sizeof(*b));
	char actor[64];
	cli_actor(actor, sizeof(actor));
	int64_t now = clock_now();
	enum app_err e = b ? cases_calendar_load(s, &cal, &err)
			   : app_fail(&err, APP_EINTERNAL, "out of memory");
	if (e == APP_OK) {
		e = bundles_start(s, &cal, config_str(&ctx->cfg, CFG_BUNDLES_DIR),
				  config_str(&ctx->cfg, CFG_PROGRAMMES_DIR), event, &p, actor, now, b,
				  &err);
		calendar_release(&cal);
	}
	if (e == APP_OK) {
		print_head(b, now);
		print_services(b, now);
	}
	free(b);
	store_close(s);
	return e == APP_OK ? CLI_OK : cli_fail(&err);
}

struct list_ctx {
	int64_t now;
	int n;
};

static bool print_one(void *ctx, const struct bundle *b)
{
	struct list_ctx *lc = ctx;
	print_head(b, lc->now);
	lc->n++;
	return true;
}

static int bundle_list(struct cli_ctx *ctx, int argc, char **argv)
{
	struct bundle_query q = { .within = "", .limit = 50 };
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--region") == 0 && i + 1 < argc) {
			q.within = argv[++i];
		} else if (strcmp(argv[i], "--event") == 0 && i + 1 < argc) {
			q.event = argv[++i];
		} else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
			char *end;
			long n = strtol(argv[++i], &end, 10);
			if (*end || n < 1 || n > 10000)
				return cli_usage("bundle", "--limit takes 1 to 10000");
			q.limit = (int)n;
		} else {
			return cli_usage("bundle", "unknown argument '%s'", argv[i]);
		}
	}
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	struct list_ctx lc = { clock_now(), 0 };
	struct app_error err;
	enum app_err e = store_bundles_list(s, &q, print_one, &lc, &err);
	store_close(s);
	return e == APP_OK ? CLI_OK : cli_fail(&err);
}

/* Bundle argv[2] into b (the store open on s); prints why not. */
static int load(struct store *s, const char *arg, struct bundle *b)
{
	char *end;
	long long id = strtoll(arg, &end, 10);
	if (*end || id <= 0)
		return cli_usage("bundle", "'%s' is no bundle id", arg);
	struct app_error err;
	return store_bundle_get(s, id, b, &err) == APP_OK ? CLI_OK : cli_fail(&err);
}

static int bundle_show_or_mark(struct cli_ctx *ctx, int argc, char **argv, bool mark)
{
	const char *note = NULL;
	int want = mark ? 5 : 3;
	if (mark && argc == 7 && strcmp(argv[5], "--note") == 0)
		note = argv[6];
	else if (argc != want)
		return cli_usage("bundle", mark ? "mark takes ID CODE done|refused [--note TEXT]"
						: "show takes a bundle id");
	struct bundle *b = malloc(sizeof(*b));
	if (!b) {
		fprintf(stderr, "bianmin: out of memory\n");
		return CLI_FAIL;
	}
	struct store *s = NULL;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc == CLI_OK)
		rc = load(s, argv[2], b);
	int64_t now = clock_now();
	if (rc == CLI_OK && mark) {
		char actor[64];
		cli_actor(actor, sizeof(actor));
		struct app_error err;
		if (bundles_mark(s, b, argv[3], argv[4], note, actor, now, &err) != APP_OK)
			rc = cli_fail(&err);
	}
	if (rc == CLI_OK) {
		print_head(b, now);
		print_services(b, now);
	}
	store_close(s);
	free(b);
	return rc;
}

int cmd_bundle(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";
	if (strcmp(sub, "start") == 0)
		return bundle_start(ctx, argc, argv);
	if (strcmp(sub, "list") == 0)
		return bundle_list(ctx, argc, argv);
	if (strcmp(sub, "show") == 0)
		return bundle_show_or_mark(ctx, argc, argv, false);
	if (strcmp(sub, "mark") == 0)
		return bundle_show_or_mark(ctx, argc, argv, true);
	return cli_usage("bundle", "say start, list, show or mark");
}
