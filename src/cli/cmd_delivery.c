/*
 * cmd_delivery.c - the operator's side of what entitlements set going
 * downstream (docs/outbox.md, docs/cases.md "Delivery tasks"):
 *
 *   entitle dispatch                 entitlement events into outbox SMS and
 *       delivery tasks now, as the job "entitle.dispatch" does every minute
 *   outbox send [--gateway URL]      send (or keep) the due SMS now, as the
 *       job "outbox.send" does (default gateway: option sms_gateway)
 *   outbox list --region CODE [--state S] [--limit N]   newest first, phone masked
 *   delivery list --region CODE [--state S] [--limit N] the tasks of a region
 *   delivery show ID                 a task and its timeline
 *   delivery act ID start|deliver|fail|note [--words TEXT]  as an officer
 *
 * The console is trusted as a system administrator of the region concerned
 * (the task's own for `act`); every change is audited as cli:USER.
 */
#include "cli/cli.h"
#include "cases/cases_calendar.h"
#include "cases/delivery.h"
#include "core/clock.h"
#include "core/pii.h"
#include "entitle/dispatch.h"
#include "entitle/outbox.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --name VALUE options of argv[from..argc): each of names, NULL when absent. */
static int options(int argc, char **argv, int from, const char *const *names, int n,
		   const char **values, const char *cmd)
{
	for (int i = from; i < argc; i++) {
		int k = -1;
		for (int j = 0; j < n && k < 0; j++)
			if (strcmp(argv[i], names[j]) == 0)
				k = j;
		if (k < 0 || i + 1 >= argc)
			return cli_usage(cmd, "unknown option or missing value: '%s'", argv[i]);
		values[k] = argv[++i];
	}
	return CLI_OK;
}

static int limit_of(const char *v)
{
	int n = v ? atoi(v) : 50;
	return n < 1 ? 1 : n > 500 ? 500 : n;
}

/* ---- entitle dispatch ---- */

int cli_entitle_dispatch(struct cli_ctx *ctx, int argc, char **argv)
{
	(void)argv;
	if (argc > 2)
		return cli_usage("entitle", "dispatch takes no arguments");
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	struct app_error err;
	const struct calendar *cal;
	struct dispatch_counts all = { 0 }, n = { .events = 500 };
	enum app_err e = store_check_schema(s, &err);
	if (e == APP_OK)
		e = cases_calendar_shared(s, &cal, &err);
	while (e == APP_OK && n.events == 500) {
		e = dispatch_run(s, cal, config_str(&ctx->cfg, CFG_PROGRAMMES_DIR), clock_now(), 500,
				 &n, &err);
		all.events += n.events;
		all.messages += n.messages;
		all.tasks += n.tasks;
		all.cancelled += n.cancelled;
		all.skipped += n.skipped;
	}
	store_close(s);
	printf("dispatched %d events: %d messages, %d delivery tasks opened, %d cancelled\n",
	       all.events, all.messages, all.tasks, all.cancelled);
	if (all.skipped)
		fprintf(stderr, "%d events skipped: see the audit log (dispatch.skipped)\n",
			all.skipped);
	return e == APP_OK ? CLI_OK : cli_fail(&err);
}

/* ---- outbox ---- */

static bool print_message(void *ctx, const struct outbox_row *o)
{
	(void)ctx;
	char phone[16], at[32];
	pii_phone_mask(o->phone, phone);
	clock_format_utc(o->created_at, at, sizeof(at));
	printf("%" PRId64 "\t%s\t%s\t%s\t%s\tattempts=%d\t%s\t%s\n", o->id, o->state, o->kind,
	       phone, o->region, o->attempts, at, o->text_masked);
	return true;
}

static int outbox_send(struct store *s, const char *gateway)
{
	if (!outbox_gateway_ok(gateway))
		return cli_usage("outbox", "the gateway '%s' is not an https:// address (http:// "
					   "only to this machine)",
				 gateway);
	struct outbox_counts n;
	struct app_error err;
	if (outbox_send_due(s, gateway, clock_now(), 500, &n, &err) != APP_OK)
		return cli_fail(&err);
	printf("outbox: %d due: %d sent, %d kept, %d to retry, %d failed\n", n.due, n.sent, n.kept,
	       n.retry, n.failed);
	return CLI_OK;
}

int cmd_outbox(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	static const char *const names[] = { "--gateway", "--region", "--state", "--limit" };
	const char *v[4] = { NULL, NULL, NULL, NULL };
	if (strcmp(what, "send") != 0 && strcmp(what, "list") != 0)
		return cli_usage("outbox", "give send or list");
	int rc = options(argc, argv, 2, names, 4, v, "outbox");
	if (rc != CLI_OK)
		return rc;
	if (strcmp(what, "list") == 0 && !v[1])
		return cli_usage("outbox", "list needs --region CODE");
	struct store *s;
	if ((rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s)) != CLI_OK)
		return rc;
	struct app_error err;
	if (store_check_schema(s, &err) != APP_OK) {
		rc = cli_fail(&err);
	} else if (strcmp(what, "send") == 0) {
		rc = outbox_send(s, v[0] ? v[0] : config_str(&ctx->cfg, CFG_SMS_GATEWAY));
	} else {
		struct outbox_query q = { .nregions = 1, .regions = { v[1] }, .state = v[2],
					  .limit = limit_of(v[3]) };
		rc = store_outbox_list(s, &q, print_message, NULL, &err) == APP_OK ? CLI_OK
										    : cli_fail(&err);
	}
	store_close(s);
	return rc;
}

/* ---- delivery ---- */

static const char *resolve_due(const struct case_row *k, char *out, size_t cap)
{
	out[0] = '\0';
	for (int i = 0; i < k->nclocks; i++)
		if (strcmp(k->clocks[i].name, "resolve") == 0 &&
		    strcmp(k->clocks[i].status, "running") == 0)
			clock_format_utc(k->clocks[i].due, out, cap);
	return out[0] ? out : "-";
}

static bool print_task(void *ctx, const struct case_row *k)
{
	(void)ctx;
	char name[PII_NAME_MASK_MAX], due[32];
	pii_name_mask(k->contact_name, name);
	printf("%" PRId64 "\t%s\t%s\t%s\t%s\tdue %s\t%s\n", k->id, k->state,
	       delivery_type.levels[k->level], k->region, name, resolve_due(k, due, sizeof(due)),
	       k->title);
	return true;
}

static bool print_line(void *ctx, const struct case_event_row *e)
{
	(void)ctx;
	char at[32];
	clock_format_utc(e->at, at, sizeof(at));
	printf("  %s  %-14s %s -> %s %s\n", at, e->action, e->from_state, e->to_state, e->detail);
	return true;
}

static int task_show(struct store *s, const struct case_row *k)
{
	struct app_error err;
	print_task(NULL, k);
	printf("  version %d, %s, limit %s\n", k->version, k->description, k->urgency);
	return store_case_events(s, k->id, print_line, NULL, &err) == APP_OK ? CLI_OK
									   : cli_fail(&err);
}

static int task_act(struct store *s, struct case_row *k, const char *action, const char *words)
{
	struct auth_caller c;
	cli_console(&c, k->region);
	const struct calendar *cal;
	struct app_error err;
	enum app_err e = cases_calendar_shared(s, &cal, &err);
	if (e == APP_OK)
		e = delivery_act(s, cal, &c, k->id, action, -1, words, clock_now(), k, &err);
	if (e != APP_OK) {
		fprintf(stderr, "bianmin: delivery task %" PRId64 " was not changed\n", k->id);
		return cli_fail(&err);
	}
	return task_show(s, k);
}

int cmd_delivery(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	bool list = strcmp(what, "list") == 0, show = strcmp(what, "show") == 0,
	     act = strcmp(what, "act") == 0;
	if (!list && !show && !act)
		return cli_usage("delivery", "give list, show or act");
	int from = list ? 2 : act ? 4 : 3;
	if (argc < from)
		return cli_usage("delivery", "%s needs %s", what, act ? "ID ACTION" : "ID");
	static const char *const names[] = { "--region", "--state", "--limit", "--words" };
	const char *v[4] = { NULL, NULL, NULL, NULL };
	int rc = options(argc, argv, from, names, 4, v, "delivery");
	if (rc != CLI_OK)
		return rc;
	if (list && (!v[0] || strlen(v[0]) > DIVISION_CODE_MAX))
		return cli_usage("delivery", "list needs --region CODE (a division's code)");
	int64_t id = list ? 0 : strtoll(argv[2], NULL, 10);
	struct store *s;
	if ((rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s)) != CLI_OK)
		return rc;
	struct app_error err;
	struct case_row *k = calloc(1, sizeof(*k));
	if (!k)
		abort();
	enum app_err e = store_check_schema(s, &err);
	if (e == APP_OK && list) {
		struct auth_caller c;
		cli_console(&c, v[0]);
		struct case_query q = { .state = v[1], .limit = limit_of(v[2]) };
		e = delivery_list(s, &c, &q, print_task, NULL, &err);
	} else if (e == APP_OK) {
		e = store_case_get(s, id, k, &err);
		if (e == APP_ENOTFOUND || (e == APP_OK && strcmp(k->type, "delivery") != 0))
			e = app_fail(&err, APP_ENOTFOUND, "no delivery task %" PRId64, id);
	}
	if (e != APP_OK)
		rc = cli_fail(&err);
	else if (show)
		rc = task_show(s, k);
	else if (act)
		rc = task_act(s, k, argv[3], v[3]);
	free(k);
	store_close(s);
	return rc;
}
