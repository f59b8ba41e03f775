/*
 * cmd_calendar.c - `bianmin calendar import FILE` and `bianmin calendar show
 * [YEAR]`: an admin adds a year's public holidays and make-up workdays (调休)
 * to the working-day calendar, all or nothing and audited, and looks at a
 * year as the case clocks see it, each day marked built-in or imported.
 */
#include "cases/cases_calendar.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "core/mem.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const weekday_short[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

static int calendar_import(struct store *s, const char *path)
{
	char actor[32];
	cli_actor(actor, sizeof(actor));
	struct cases_calendar_report rep;
	struct app_error err;
	if (cases_calendar_import(s, actor, path, clock_now(), &rep, &err) != APP_OK) {
		fprintf(stderr, "bianmin: '%s' was not imported (nothing changed)\n", path);
		return cli_fail(&err);
	}
	char years[16];
	if (rep.first_year == rep.last_year)
		snprintf(years, sizeof(years), "%d", rep.first_year);
	else
		snprintf(years, sizeof(years), "%d-%d", rep.first_year, rep.last_year);
	printf("%s: %zu days imported for %s: %zu holidays, %zu make-up workdays\n", path,
	       rep.days, years, rep.holidays, rep.workdays);
	return CLI_OK;
}

/* The stored rows of one year, to say who imported each day and when. */
struct year_rows {
	struct calendar_row rows[366];
	size_t n;
};

static bool keep_row(void *ctx, const struct calendar_row *r)
{
	struct year_rows *y = ctx;
	if (y->n < sizeof(y->rows) / sizeof(y->rows[0]))
		y->rows[y->n++] = *r;
	return true;
}

static const struct calendar_row *row_of(const struct year_rows *y, int day)
{
	for (size_t i = 0; i < y->n; i++)
		if (y->rows[i].day == day)
			return &y->rows[i];
	return NULL;
}

/* The years cal covers, as "2024, 2025, 2026" (cap bytes). */
static void covered_years(const struct calendar *cal, char *out, size_t cap)
{
	size_t used = 0;
	out[0] = '\0';
	for (int y = CALENDAR_YEAR_MIN; y <= CALENDAR_YEAR_MAX && used + 8 < cap; y++)
		if (calendar_covers_year(cal, y))
			used += (size_t)snprintf(out + used, cap - used, "%s%d", used ? ", " : "", y);
}

static void print_day(const struct calendar_entry *e, const struct year_rows *y)
{
	int d = e->day;
	printf("%04d-%02d-%02d  %s  %s  %s  %s", d / 10000, d / 100 % 100, d % 100,
	       weekday_short[clock_weekday(d)], calendar_kind_name(e->kind),
	       e->origin == CALENDAR_BUILTIN ? "built-in" : "imported", e->name);
	const struct calendar_row *r = e->origin == CALENDAR_IMPORTED ? row_of(y, d) : NULL;
	if (r) {
		char at[24];
		clock_format_utc(r->imported_at, at, sizeof(at));
		printf("  (by %s at %s%s)", r->imported_by, at,
		       e->replaced ? "; replaces the built-in day" : "");
	}
	putchar('\n');
}

static int calendar_show(struct store *s, int year)
{
	struct calendar cal;
	struct app_error err;
	if (cases_calendar_load(s, &cal, &err) != APP_OK)
		return cli_fail(&err);
	struct year_rows *y = xcalloc(1, sizeof(*y));
	int rc = CLI_OK;
	if (!calendar_covers_year(&cal, year)) {
		char known[256];
		covered_years(&cal, known, sizeof(known));
		app_fail(&err, APP_ENOTFOUND,
			 "%d is not in the calendar (it knows %s): only weekends would be off; "
			 "import the year's holidays with 'bianmin calendar import FILE'",
			 year, *known ? known : "no year");
		rc = cli_fail(&err);
	} else if (store_calendar_list(s, year, year, keep_row, y, &err) != APP_OK) {
		rc = cli_fail(&err);
	} else {
		size_t n, holidays = 0, builtin = 0;
		const struct calendar_entry *e =
			calendar_entries(&cal, year * 10000 + 101, year * 10000 + 1231, &n);
		for (size_t i = 0; i < n; i++) {
			holidays += e[i].kind == CALENDAR_HOLIDAY;
			builtin += e[i].origin == CALENDAR_BUILTIN;
		}
		printf("%d: %zu holidays, %zu make-up workdays (%zu built-in, %zu imported); "
		       "%lld working days\n",
		       year, holidays, n - holidays, builtin, n - builtin,
		       (long long)calendar_workdays_between(&cal, year * 10000 + 101,
							    year * 10000 + 1231));
		for (size_t i = 0; i < n; i++)
			print_day(&e[i], y);
	}
	free(y);
	calendar_release(&cal);
	return rc;
}

int cmd_calendar(struct cli_ctx *ctx, int argc, char **argv)
{
	int year = 0;
	if (argc < 2)
		return cli_usage("calendar", "say what to do: import or show");
	if (strcmp(argv[1], "import") == 0) {
		if (argc != 3)
			return cli_usage("calendar", "import takes one FILE");
	} else if (strcmp(argv[1], "show") == 0) {
		if (argc > 3)
			return cli_usage("calendar", "show takes at most one YEAR");
		char *end = NULL;
		long y = argc == 3 ? strtol(argv[2], &end, 10) : clock_today_china() / 10000;
		if ((end && (*end || end == argv[2])) || y < CALENDAR_YEAR_MIN ||
		    y > CALENDAR_YEAR_MAX)
			return cli_usage("calendar", "YEAR must be a year from %d to %d, not '%s'",
					 CALENDAR_YEAR_MIN, CALENDAR_YEAR_MAX,
					 argc == 3 ? argv[2] : "");
		year = (int)y;
	} else {
		return cli_usage("calendar", "unknown action '%s'; known: import, show", argv[1]);
	}
	struct store *s;
	int rc = cli_open_store(ctx, STORE_OPEN_EXISTING, &s);
	if (rc != CLI_OK)
		return rc;
	struct app_error err;
	if (store_check_schema(s, &err) != APP_OK)
		rc = cli_fail(&err);
	else if (year)
		rc = calendar_show(s, year);
	else
		rc = calendar_import(s, argv[2]);
	store_close(s);
	return rc;
}
