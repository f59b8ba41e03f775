/*
 * cmd_patrol.c - `bianmin patrol [--json] [--at TIME]`: run one sweep of
 * the smart patrol now, as the scheduled job "patrol" does every minute,
 * and print its findings (docs/patrol.md). With BIANMIN_CLOCK_OFFSET, "now"
 * is the moved clock; --at sweeps at an exact earlier instant (a sweep that
 * was missed, and tests that need a finding's very second), never a later
 * one: a sweep cannot look into the future.
 */
#include "cli/cli.h"
#include "core/clock.h"
#include "patrol/alerts.h"
#include "patrol/patrol.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* One line per finding: kind, object, region, alert, addressee, summary
 * (appended piece by piece: a line is longer than strbuf_addf formats in
 * one pass, and a day's first sweep writes thousands). */
static void add_line(void *ctx, const struct alert *a, bool raised)
{
	struct strbuf *out = ctx;
	strbuf_addstr(out, a->kind);
	strbuf_addch(out, '\t');
	strbuf_addstr(out, a->object);
	strbuf_addch(out, '\t');
	strbuf_addstr(out, a->region);
	strbuf_addf(out, "\talert %" PRId64 "%s\tto ", a->id, raised ? "" : " (raised before)");
	strbuf_addstr(out, a->supervisor);
	strbuf_addch(out, '\t');
	strbuf_addstr(out, a->summary);
	strbuf_addch(out, '\n');
}

/* The sweep's findings as lines of text and its tally, or as JSON; printed
 * once it has ended well. */
static enum app_err sweep(struct store *s, int64_t now, bool json, struct strbuf *out,
			  struct app_error *err)
{
	if (json)
		return alerts_sweep_json(s, now, out, NULL, err);
	struct patrol_counts n;
	enum app_err rc = alerts_sweep(s, now, add_line, out, &n, err);
	if (rc != APP_OK)
		return rc;
	int found = 0;
	for (int i = 0; i < PATROL_KIND__MAX; i++)
		found += n.found[i];
	strbuf_addf(out, "%d findings, %d new alerts, %d messages read", found, n.raised,
		    n.messages);
	return APP_OK;
}

int cmd_patrol(struct cli_ctx *ctx, int argc, char **argv)
{
	bool json = false;
	int64_t now = clock_now();
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--at") == 0 && i + 1 < argc) {
			if (!clock_parse_time(argv[++i], &now))
				return cli_usage("patrol", "--at takes an RFC 3339 time, not '%s'",
						 argv[i]);
			if (now > clock_now())
				return cli_usage("patrol", "--at %s is in the future", argv[i]);
		} else {
			return cli_usage("patrol", "unknown argument '%s'", argv[i]);
		}
	}
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	struct strbuf out = STRBUF_INIT;
	struct app_error err;
	enum app_err e = sweep(s, now, json, &out, &err);
	store_close(s);
	if (e != APP_OK) {
		strbuf_release(&out);
		return cli_fail(&err);
	}
	puts(out.buf);
	strbuf_release(&out);
	return CLI_OK;
}
