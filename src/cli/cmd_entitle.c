/*
 * cmd_entitle.c - `bianmin entitle ...`: the entitlement pipeline of 免申即享
 * from the command line (docs/entitle.md, docs/cli.md): run a programme at a
 * date, advance the notices that ended, list and show entitlements, record
 * objections, reviews, consent and appeals, and publish the granted list.
 * The operator at the console acts as "cli:<login>"; every change is
 * audited as from the API.
 */
#include "cli/cli.h"
#include "cases/cases_calendar.h"
#include "core/clock.h"
#include "entitle/entitle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run(struct store *s, const char *actor, int argc, char **argv, struct app_error *err,
	       enum app_err *r)
{
	struct cli_opts o;
	int rc = cli_opts_parse("entitle", argc, argv, 2, "--at", 1, &o);
	if (rc != CLI_OK)
		return rc;
	int32_t day;
	const char *at = cli_opt(&o, "--at");
	if (!o.npos || !at)
		return cli_usage("entitle", "run PROGRAMME_FILE --at DATE");
	if (!rules_date_parse(at, &day))
		return cli_usage("entitle", "--at is a date YYYY-MM-DD, not '%s'", at);
	struct entitle_programme p;
	if ((*r = entitle_programme_load(o.pos[0], &p, err)) != APP_OK)
		return CLI_OK;
	struct entitlement_run run;
	*r = entitle_run(s, &p, day, clock_now(), actor, &run, err);
	if (*r == APP_OK)
		printf("run %lld: %lld persons, %lld new, %lld revoked, %lld unknown, %lld held, "
		       "%lld out of region\n",
		       (long long)run.id, (long long)run.persons, (long long)run.granted_new,
		       (long long)run.revoked, (long long)run.unknown, (long long)run.held,
		       (long long)run.out_of_region);
	entitle_programme_release(&p);
	return CLI_OK;
}

/* A positive id from text, or 0. */
static int64_t id_of(const char *s)
{
	char *end;
	long long v = s ? strtoll(s, &end, 10) : 0;
	return s && *s && !*end && v > 0 ? v : 0;
}

static void print_line(const struct entitlement *e)
{
	char amount[24], from[16], to[16] = "-";
	rules_fen_format(e->amount, amount, sizeof(amount));
	rules_date_format(e->effective_from, from, sizeof(from));
	if (e->effective_to)
		rules_date_format(e->effective_to, to, sizeof(to));
	printf("%-6lld %-18s %-10s %-12s %-16s %-12s %6d %10s %s..%s %s\n", (long long)e->id,
	       e->person_key, e->person_name, e->phone[0] ? e->phone : "-",
	       entitle_state_names[e->state], e->region, (int)e->period, amount, from, to,
	       e->policy);
}

struct listing {
	int n;
};

static bool list_line(void *ctx, const struct entitlement *e)
{
	struct listing *l = ctx;
	struct entitlement m = *e;
	entitle_mask(&m);
	print_line(&m);
	l->n++;
	return true;
}

static int list(struct store *s, int argc, char **argv, struct app_error *err, enum app_err *r)
{
	struct cli_opts o;
	int rc = cli_opts_parse("entitle", argc, argv, 2,
				"--programme,--state,--region,--after,--limit", 1, &o);
	if (rc != CLI_OK)
		return rc;
	enum entitle_state st = ENTITLE_STATE__MAX;
	const char *state = cli_opt(&o, "--state"), *limit = cli_opt(&o, "--limit");
	if (o.npos || (state && !entitle_state_parse(state, &st)))
		return cli_usage("entitle", "list [--programme ID] [--state STATE] [--region CODE] "
					    "[--after ID] [--limit N]");
	struct entitlement_query q = {
		.programme = cli_opt(&o, "--programme"), .state = state ? (int)st : -1,
		.within = cli_opt(&o, "--region"), .after_id = id_of(cli_opt(&o, "--after")),
		.limit = limit && atoi(limit) > 0 ? atoi(limit) : 100,
	};
	struct listing l = { 0 };
	*r = store_entitlements(s, &q, list_line, &l, err);
	if (*r == APP_OK)
		printf("%d entitlements%s\n", l.n, l.n == q.limit ? " (more: --after the last id)" : "");
	return CLI_OK;
}

static bool event_line(void *ctx, const struct entitlement_event *ev)
{
	(void)ctx;
	char at[32];
	clock_format_china(ev->at, at, sizeof(at));
	printf("  %s %-20s %s -> %s by %s%s%s\n", at, entitle_event_names[ev->kind],
	       ev->from_state < ENTITLE_STATE__MAX ? entitle_state_names[ev->from_state] : "-",
	       entitle_state_names[ev->to_state], ev->actor, ev->detail[0] ? ": " : "", ev->detail);
	return true;
}

static bool region_of(void *ctx, const struct entitlement *e)
{
	snprintf(ctx, DIVISION_CODE_MAX + 1, "%s", e->region);
	return false;
}

/* The operator at the console as a caller in entitlement id's region. */
static enum app_err console_of(struct store *s, int64_t id, struct auth_caller *c,
			       struct app_error *err)
{
	char region[DIVISION_CODE_MAX + 1] = "";
	struct entitlement_query q = { .id = id, .state = -1 };
	enum app_err rc = store_entitlements(s, &q, region_of, region, err);
	if (rc == APP_OK && !region[0])
		rc = app_fail(err, APP_ENOTFOUND, "no entitlement %lld", (long long)id);
	if (rc == APP_OK)
		cli_console(c, region);
	return rc;
}

static int show(struct store *s, int64_t id, struct app_error *err, enum app_err *r)
{
	struct auth_caller c;
	struct entitlement e;
	struct strbuf expl = STRBUF_INIT;
	if ((*r = console_of(s, id, &c, err)) == APP_OK)
		*r = entitle_get(s, &c, id, PERM_ENTITLE_READ, &e, &expl, err);
	if (*r == APP_OK) {
		entitle_mask(&e);
		print_line(&e);
		if (e.reason[0])
			printf("  reason: %s\n", e.reason);
		if (e.appeal_case)
			printf("  appeal: demand %lld\n", (long long)e.appeal_case);
		printf("%s\n", e.explanation);
		*r = store_entitlement_events(s, id, event_line, NULL, err);
	}
	strbuf_release(&expl);
	return CLI_OK;
}

/* object ID --text T | review ID uphold|dismiss [--reason R] | consent ID
 * accept|refuse --channel C [--note N] | appeal ID --text T */
static int act(struct cli_ctx *ctx, struct store *s, const char *what, int argc, char **argv,
	       struct app_error *err, enum app_err *r)
{
	int64_t id = argc > 2 ? id_of(argv[2]) : 0;
	struct cli_opts o;
	int rc = cli_opts_parse("entitle", argc, argv, 3, "--text,--reason,--channel,--note", 1,
				&o);
	if (rc != CLI_OK)
		return rc;
	bool object = strcmp(what, "object") == 0, appeal = strcmp(what, "appeal") == 0;
	bool review = strcmp(what, "review") == 0;
	const char *choice = o.npos ? o.pos[0] : "";
	bool yes = strcmp(choice, review ? "uphold" : "accept") == 0;
	bool no = strcmp(choice, review ? "dismiss" : "refuse") == 0;
	if (!id || ((object || appeal) && (o.npos || !cli_opt(&o, "--text"))) ||
	    (!object && !appeal && !yes && !no))
		return cli_usage("entitle", "object ID --text T | review ID uphold|dismiss "
					    "[--reason R] | consent ID accept|refuse --channel C "
					    "[--note N] | appeal ID --text T");
	struct auth_caller c;
	if ((*r = console_of(s, id, &c, err)) != APP_OK)
		return CLI_OK;
	int64_t now = clock_now();
	if (object) {
		if ((*r = entitle_object(s, &c, id, cli_opt(&o, "--text"), now, err)) == APP_OK)
			printf("entitlement %lld: objection filed, waiting for its review\n",
			       (long long)id);
	} else if (appeal) {
		struct calendar cal;
		int64_t demand = 0;
		if ((*r = cases_calendar_load(s, &cal, err)) != APP_OK)
			return CLI_OK;
		*r = entitle_appeal(s, &cal, &c, id, cli_opt(&o, "--text"), now, &demand, err);
		calendar_release(&cal);
		if (*r == APP_OK)
			printf("entitlement %lld: appealed, demand %lld\n", (long long)id,
			       (long long)demand);
	} else { /* review and consent: by the entitlement's programme */
		struct entitlement e;
		struct strbuf expl = STRBUF_INIT;
		struct entitle_programme p;
		*r = entitle_get(s, &c, id, PERM_ENTITLE_READ, &e, &expl, err);
		strbuf_release(&expl);
		if (*r == APP_OK)
			*r = entitle_programme_find(config_str(&ctx->cfg, CFG_PROGRAMMES_DIR),
						    e.programme, &p, err);
		if (*r != APP_OK)
			return CLI_OK;
		if (review)
			*r = entitle_review(s, &c, &p, id, yes, cli_opt(&o, "--reason"), now, err);
		else
			*r = entitle_consent(s, &c, &p, id, yes, cli_opt(&o, "--channel"),
					     cli_opt(&o, "--note"), now, err);
		entitle_programme_release(&p);
		if (*r == APP_OK && review)
			printf("entitlement %lld: objection %s\n", (long long)id,
			       yes ? "upheld" : "dismissed");
		else if (*r == APP_OK)
			printf("entitlement %lld: consent %s\n", (long long)id,
			       yes ? "given" : "refused");
	}
	return CLI_OK;
}

static int publish(struct store *s, const char *actor, int argc, char **argv,
		   struct app_error *err, enum app_err *r)
{
	struct cli_opts o;
	int rc = cli_opts_parse("entitle", argc, argv, 2, "--period,--key", 1, &o);
	if (rc != CLI_OK)
		return rc;
	const char *period = cli_opt(&o, "--period"), *key = cli_opt(&o, "--key");
	int64_t p = id_of(period);
	bool yearly = p >= 1900 && p <= 2200, monthly = p >= 190001 && p <= 220012;
	if (!o.npos || !key || (!yearly && !monthly))
		return cli_usage("entitle", "publish PROGRAMME_FILE --period YYYY|YYYYMM --key "
					    "SECRET_KEY_FILE");
	struct entitle_programme prog;
	if ((*r = entitle_programme_load(o.pos[0], &prog, err)) != APP_OK)
		return CLI_OK;
	struct exchange_batch b;
	bool unchanged;
	*r = entitle_publish(s, &prog, (int32_t)p, key, actor, clock_now(), &b, &unchanged, err);
	if (*r == APP_OK && unchanged)
		printf("unchanged %s: batch %s of %s, seq %lld, %lld rows, sha256 %s is the same "
		       "list: nothing uploaded\n", prog.id, b.batch_id, b.dataset, (long long)b.id,
		       (long long)b.nrows, b.sha256);
	else if (*r == APP_OK)
		printf("published %s: batch %s of %s, seq %lld, %lld rows, sha256 %s\n", prog.id,
		       b.batch_id, b.dataset, (long long)b.id, (long long)b.nrows, b.sha256);
	entitle_programme_release(&prog);
	return CLI_OK;
}

int cmd_entitle(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	if (strcmp(what, "dispatch") == 0) /* dlv's: the outbox and delivery tasks */
		return cli_entitle_dispatch(ctx, argc, argv);
	char actor[32];
	cli_actor(actor, sizeof(actor));
	static const char *const known[] = { "run",	"advance", "list",   "show",   "object",
					     "review", "consent", "appeal", "publish" };
	struct store *s;
	int rc = cli_open_for_subcommand(ctx, "entitle", what, known, sizeof(known) / sizeof(known[0]),
					 "give one of run, advance, list, show, object, review, "
					 "consent, appeal, publish, dispatch",
					 &s);
	if (rc != CLI_OK)
		return rc;
	struct app_error err;
	enum app_err r = APP_OK;
	size_t n;
	if (strcmp(what, "run") == 0) {
		rc = run(s, actor, argc, argv, &err, &r);
	} else if (strcmp(what, "advance") == 0) {
		if (argc != 2)
			rc = cli_usage("entitle", "advance takes no argument");
		else { /* the others move on when a programme fails: say how many */
			r = entitle_advance(s, config_str(&ctx->cfg, CFG_PROGRAMMES_DIR), clock_now(),
					    actor, &n, &err);
			printf("%zu entitlements past their notice moved on\n", n);
		}
	} else if (strcmp(what, "list") == 0) {
		rc = list(s, argc, argv, &err, &r);
	} else if (strcmp(what, "show") == 0) {
		int64_t id = argc == 3 ? id_of(argv[2]) : 0;
		rc = id ? show(s, id, &err, &r) : cli_usage("entitle", "show ID");
	} else if (strcmp(what, "publish") == 0) {
		rc = publish(s, actor, argc, argv, &err, &r);
	} else {
		rc = act(ctx, s, what, argc, argv, &err, &r);
	}
	store_close(s);
	if (rc != CLI_OK)
		return rc;
	return r == APP_OK ? CLI_OK : cli_fail(&err);
}
