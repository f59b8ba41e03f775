/*
 * cmd_demands.c - `bianmin demands sweep`: run the clocks of demands now,
 * as the scheduled job "demands" does every minute: warnings, expiries and
 * escalations that are due. For operators after an outage, and for tests
 * (with BIANMIN_CLOCK_OFFSET, "now" is the moved clock).
 */
#include "cli/cli.h"
#include "cases/cases_calendar.h"
#include "cases/demands.h"
#include "core/clock.h"

#include <stdio.h>
#include <string.h>

int cmd_demands(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc != 2 || strcmp(argv[1], "sweep") != 0)
		return cli_usage("demands", "the only action is 'sweep'");
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	struct app_error err;
	const struct calendar *cal;
	int seen = 512, changed = 0, total = 0;
	enum app_err e = store_check_schema(s, &err);
	if (e == APP_OK)
		e = cases_calendar_shared(s, &cal, &err);
	while (e == APP_OK && seen == 512) {
		int did;
		e = demands_sweep(s, cal, clock_now(), 512, &seen, &did, &err);
		changed += did;
		total += seen;
	}
	if (e != APP_OK)
		rc = cli_fail(&err);
	else
		printf("demands: %d due, %d warned, expired or escalated\n", total, changed);
	store_close(s);
	return rc;
}
