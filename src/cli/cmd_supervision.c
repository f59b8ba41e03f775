/*
 * cmd_supervision.c - `bianmin supervision check [--at TIME]`: settle the
 * reminders (督办) now, as the scheduled job "supervision" does every hour
 * (docs/patrol.md). --at checks at an exact earlier instant, never a later
 * one: a deadline cannot be judged before it comes.
 */
#include "cli/cli.h"
#include "core/clock.h"
#include "patrol/supervise.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

int cmd_supervision(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "check") != 0)
		return cli_usage("supervision", "the only subcommand is 'check'");
	int64_t now = clock_now();
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--at") == 0 && i + 1 < argc) {
			if (!clock_parse_time(argv[++i], &now))
				return cli_usage("supervision",
						 "--at takes an RFC 3339 time, not '%s'", argv[i]);
			if (now > clock_now())
				return cli_usage("supervision", "--at %s is in the future", argv[i]);
		} else {
			return cli_usage("supervision", "unknown argument '%s'", argv[i]);
		}
	}
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	int resolved, noticed;
	struct app_error err;
	enum app_err e = supervise_check(s, now, &resolved, &noticed, &err);
	store_close(s);
	if (e != APP_OK)
		return cli_fail(&err);
	printf("%d reminders resolved, %d listed in the 通报\n", resolved, noticed);
	return CLI_OK;
}
