/*
 * cmd_stats.c - `bianmin stats`: the statistics of demands of a region over
 * a period (docs/patrol.md "Statistics"), printed as CSV or JSON, or
 * written to a CSV or XLSX file; `stats verify` and `stats rebuild` check
 * and refill the rollup the figures come from. The operator's command: no
 * region scope.
 */
#include "cli/cli.h"
#include "core/clock.h"
#include "patrol/stats.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Write the CSV of r to path ("-": standard output). */
static int write_csv(const struct stats_report *r, const char *path)
{
	struct strbuf sb;
	strbuf_init(&sb, 4096);
	stats_csv(r, &sb);
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
	bool ok = f && fwrite(sb.buf, 1, sb.len, f) == sb.len;
	int e = errno;
	if (f && f != stdout && fclose(f) != 0 && ok) {
		ok = false;
		e = errno;
	}
	strbuf_release(&sb);
	if (ok)
		return CLI_OK;
	struct app_error err;
	app_fail(&err, APP_EIO, "cannot write '%s': %s", path, strerror(e));
	return cli_fail(&err);
}

static void print_diff(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
}

/* `stats verify`: the differences between the rollup and the demands, one
 * line each; exit 1 when there is any. `stats rebuild`: refill it. */
static int rollup_command(struct cli_ctx *ctx, const char *action)
{
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	struct app_error err;
	int64_t diffs = 0;
	if (store_check_schema(s, &err) != APP_OK) {
		rc = cli_fail(&err);
	} else if (strcmp(action, "rebuild") == 0) {
		if (store_stats_rebuild(s, &err) != APP_OK)
			rc = cli_fail(&err);
		else
			printf("statistics rollup rebuilt\n");
	} else if (store_stats_verify(s, print_diff, NULL, &diffs, &err) != APP_OK) {
		rc = cli_fail(&err);
	} else if (diffs > 0) {
		fprintf(stderr, "bianmin: the statistics rollup differs from the demands in %lld "
				"rows; run 'bianmin stats rebuild'\n",
			(long long)diffs);
		rc = CLI_FAIL;
	} else {
		printf("statistics rollup verified: no difference\n");
	}
	store_close(s);
	return rc;
}

int cmd_stats(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "verify") == 0 || strcmp(argv[1], "rebuild") == 0)) {
		if (argc != 2)
			return cli_usage("stats", "%s takes no argument", argv[1]);
		return rollup_command(ctx, argv[1]);
	}
	const char *region = NULL, *from = NULL, *to = NULL, *by = NULL, *csv = NULL,
		   *xlsx = NULL;
	bool json = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **opt = strcmp(a, "--region") == 0 ? &region
				   : strcmp(a, "--from") == 0 ? &from
				   : strcmp(a, "--to") == 0   ? &to
				   : strcmp(a, "--by") == 0   ? &by
				   : strcmp(a, "--csv") == 0  ? &csv
				   : strcmp(a, "--xlsx") == 0 ? &xlsx
							      : NULL;
		if (strcmp(a, "--json") == 0)
			json = true;
		else if (opt && i + 1 < argc)
			*opt = argv[++i];
		else
			return cli_usage("stats", "unknown argument '%s'", a);
	}
	if (!region)
		return cli_usage("stats", "stats needs --region CODE");
	char today[16];
	if (!from) {
		int d = clock_today_china();
		snprintf(today, sizeof(today), "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100);
		from = today;
	}
	struct app_error err;
	int64_t f, t;
	if (stats_period_parse(from, to, &f, &t, &err) != APP_OK)
		return cli_fail(&err);
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	struct stats_report r;
	stats_report_init(&r);
	enum app_err e = stats_compute(s, region, by, f, t, &r, &err);
	store_close(s);
	if (e == APP_OK && xlsx)
		e = stats_xlsx(&r, xlsx, &err);
	if (e != APP_OK) {
		stats_report_release(&r);
		return cli_fail(&err);
	}
	if (json) {
		json_t *o = stats_json(&r);
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(o);
	} else if (!xlsx || csv) {
		rc = write_csv(&r, csv ? csv : "-");
	}
	stats_report_release(&r);
	return rc;
}
