/*
 * cmd_demands.c - `bianmin demands ...`: the operator's side of residents'
 * demands.
 *
 *   demands sweep                              run the clocks now, as the
 *       scheduled job "demands" does every minute: warnings, expiries and
 *       escalations that are due (after an outage; for tests, with
 *       BIANMIN_CLOCK_OFFSET "now" is the moved clock)
 *   demands settings show --county CODE        a county's limits and the like
 *   demands settings set --county CODE name=value...   change them, all or
 *       nothing, audited
 *   demands categories show --county CODE      a county's category tree, as
 *       the CSV that `categories import` reads
 *   demands categories import --county CODE FILE   replace it, all or
 *       nothing, audited
 *
 * What the settings mean and how a file is checked is src/cases/case_settings.h's.
 */
#include "cli/cli.h"
#include "cases/case_settings.h"
#include "cases/cases_calendar.h"
#include "cases/demands.h"
#include "core/clock.h"

#include <stdio.h>
#include <string.h>

static int demands_sweep_now(struct store *s)
{
	struct app_error err;
	const struct calendar *cal;
	int seen = 512, changed = 0, total = 0;
	enum app_err e = cases_calendar_shared(s, &cal, &err);
	case_settings_scope_begin(); /* each county's settings read once */
	while (e == APP_OK && seen == 512) {
		int did;
		e = demands_sweep(s, cal, clock_now(), 512, &seen, &did, &err);
		changed += did;
		total += seen;
	}
	case_settings_scope_end();
	if (e != APP_OK)
		return cli_fail(&err);
	printf("demands: %d due, %d warned, expired or escalated\n", total, changed);
	return CLI_OK;
}

static int settings_show(struct store *s, const char *county)
{
	struct app_error err;
	const struct case_settings *cs = NULL;
	enum app_err e = case_settings_county(s, county, &err);
	if (e == APP_OK)
		e = case_settings_get(s, county, &cs, &err);
	if (e != APP_OK)
		return cli_fail(&err);
	struct case_settings defaults;
	case_settings_defaults(&defaults, county);
	printf("county %s, version %lld, %s category tree\n", county, (long long)cs->version,
	       cs->own_tree ? "an imported" : "the built-in");
	for (int i = 0; i < CASE_SETTING__MAX; i++) {
		const struct case_setting_row *r = &cs->setting[i];
		printf("%-18s %-12s %s", case_settings_name(i), r->value, case_settings_label(i));
		if (r->set_at) {
			char at[32];
			clock_format_utc(r->set_at, at, sizeof(at));
			printf("  (set by %s at %s; default %s)\n", r->set_by, at,
			       defaults.setting[i].value);
		} else {
			printf("  (default)\n");
		}
	}
	case_settings_put(cs);
	return CLI_OK;
}

static int settings_set(struct store *s, const char *county, char **pairs, int n)
{
	char actor[32];
	cli_actor(actor, sizeof(actor));
	struct app_error err;
	if (case_settings_set(s, actor, county, pairs, (size_t)n, clock_now(), &err) != APP_OK) {
		fprintf(stderr, "bianmin: the settings of county %s were not changed\n", county);
		return cli_fail(&err);
	}
	printf("county %s: %d setting%s changed\n", county, n, n == 1 ? "" : "s");
	return settings_show(s, county);
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void csv_field(const char *v, const char *end)
{
	if (!strpbrk(v, ",\"\r\n")) {
		printf("%s%s", v, end);
		return;
	}
	putchar('"');
	for (; *v; v++) {
		if (*v == '"')
			putchar('"');
		putchar(*v);
	}
	printf("\"%s", end);
}

static int categories_show(struct store *s, const char *county)
{
	struct app_error err;
	const struct case_settings *cs = NULL;
	enum app_err e = case_settings_county(s, county, &err);
	if (e == APP_OK)
		e = case_settings_get(s, county, &cs, &err);
	if (e != APP_OK)
		return cli_fail(&err);
	printf("code,parent,name,urgency,active\n");
	for (size_t i = 0; i < cs->ncategories; i++) {
		const struct category *k = &cs->categories[i];
		csv_field(k->code, ",");
		csv_field(k->parent, ",");
		csv_field(k->name, ",");
		printf("%s,%s\n", demand_urgency_name(k->urgency), k->active ? "yes" : "no");
	}
	case_settings_put(cs);
	return CLI_OK;
}

static int categories_import(struct store *s, const char *county, const char *path)
{
	char actor[32];
	cli_actor(actor, sizeof(actor));
	struct case_categories_report rep;
	struct app_error err;
	if (case_settings_import_categories(s, actor, county, path, &rep, &err) != APP_OK) {
		fprintf(stderr, "bianmin: '%s' was not imported (nothing changed)\n", path);
		return cli_fail(&err);
	}
	printf("%s: county %s has %zu categories (%zu inactive); %zu of its former tree removed\n",
	       path, county, rep.categories, rep.inactive, rep.removed);
	return CLI_OK;
}

int cmd_demands(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "", *action = argc > 2 ? argv[2] : "";
	const char *county = NULL;
	char *rest[64];
	int nrest = 0;
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--county") == 0 && i + 1 < argc)
			county = argv[++i];
		else if (argv[i][0] != '-' && nrest < (int)(sizeof(rest) / sizeof(rest[0])))
			rest[nrest++] = argv[i];
		else
			return cli_usage("demands", "unexpected argument '%s'", argv[i]);
	}
	bool sweep = strcmp(what, "sweep") == 0 && argc == 2;
	bool settings = strcmp(what, "settings") == 0, categories = strcmp(what, "categories") == 0;
	bool show = strcmp(action, "show") == 0;
	if (!sweep && !settings && !categories)
		return cli_usage("demands", "say what to do: sweep, settings or categories");
	if (settings && !show && strcmp(action, "set") != 0)
		return cli_usage("demands", "settings: the actions are show and set");
	if (categories && !show && strcmp(action, "import") != 0)
		return cli_usage("demands", "categories: the actions are show and import");
	if (!sweep && !county)
		return cli_usage("demands", "say which county (--county CODE)");
	if (show && nrest)
		return cli_usage("demands", "show takes only --county");
	if (settings && !show && !nrest)
		return cli_usage("demands", "say which settings to change, as name=value");
	if (categories && !show && nrest != 1)
		return cli_usage("demands", "categories import takes one FILE");
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	struct app_error err;
	if (store_check_schema(s, &err) != APP_OK)
		rc = cli_fail(&err);
	else if (sweep)
		rc = demands_sweep_now(s);
	else if (settings)
		rc = show ? settings_show(s, county) : settings_set(s, county, rest, nrest);
	else
		rc = show ? categories_show(s, county) : categories_import(s, county, rest[0]);
	store_close(s);
	return rc;
}
