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

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* One line per finding: kind, object, region, alert, addressee, summary. */
static void print_text(json_t *findings, const struct patrol_counts *n)
{
	size_t i;
	json_t *f;
	json_array_foreach(findings, i, f) {
		printf("%s\t%s\t%s\talert %" JSON_INTEGER_FORMAT "%s\tto %s\t%s\n",
		       json_string_value(json_object_get(f, "kind")),
		       json_string_value(json_object_get(f, "object")),
		       json_string_value(json_object_get(f, "region")),
		       json_integer_value(json_object_get(f, "id")),
		       json_is_true(json_object_get(f, "new")) ? "" : " (raised before)",
		       json_string_value(json_object_get(f, "supervisor")),
		       json_string_value(json_object_get(f, "summary")));
	}
	printf("%zu findings, %d new alerts, %d messages read\n", json_array_size(findings),
	       n->raised, n->messages);
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
	json_t *out;
	struct patrol_counts n;
	struct app_error err;
	enum app_err e = alerts_sweep(s, now, &out, &n, &err);
	store_close(s);
	if (e != APP_OK)
		return cli_fail(&err);
	if (json) {
		json_dumpf(out, stdout, JSON_COMPACT);
		putchar('\n');
	} else {
		print_text(json_object_get(out, "findings"), &n);
	}
	json_decref(out);
	return CLI_OK;
}
