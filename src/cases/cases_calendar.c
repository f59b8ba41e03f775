/*
 * cases_calendar.c - the effective working-day calendar (built-in files and
 * stored imports) and the import of a calendar file; see cases_calendar.h
 * for why this lives in src/cases.
 */
#include "cases/cases_calendar.h"
#include "core/csv.h"
#include "core/mem.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct collect {
	struct calendar_entry *e;
	size_t n, cap;
	int bad_day; /* a stored row that is no entry, 0 when none */
};

static bool collect_row(void *ctx, const struct calendar_row *r)
{
	struct collect *c = ctx;
	struct calendar_entry e = { .day = r->day, .origin = CALENDAR_IMPORTED };
	if (!calendar_kind_parse(r->kind, &e.kind)) {
		c->bad_day = r->day;
		return false;
	}
	snprintf(e.name, sizeof(e.name), "%s", r->name);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->e = xrealloc(c->e, c->cap * sizeof(*c->e));
	}
	c->e[c->n++] = e;
	return true;
}

enum app_err cases_calendar_load(struct store *s, struct calendar *out, struct app_error *err)
{
	struct calendar cal;
	calendar_init(&cal);
	struct collect c = { 0 };
	enum app_err rc = calendar_add_builtin(&cal, err);
	if (rc == APP_OK)
		rc = store_calendar_list(s, CALENDAR_YEAR_MIN, CALENDAR_YEAR_MAX, collect_row, &c,
					 err);
	if (rc == APP_OK && c.bad_day)
		rc = app_fail(err, APP_EINTERNAL, "the stored calendar day %d has an unknown kind",
			      c.bad_day);
	struct app_error why;
	if (rc == APP_OK && calendar_add(&cal, c.e, c.n, &why) != APP_OK)
		rc = app_fail(err, APP_EINTERNAL, "the stored calendar is broken: %s", why.msg);
	free(c.e);
	if (rc != APP_OK) {
		calendar_release(&cal);
		return rc;
	}
	*out = cal;
	return APP_OK;
}

static pthread_mutex_t shared_mu = PTHREAD_MUTEX_INITIALIZER;
static struct calendar shared_cal;
static bool shared_loaded;

enum app_err cases_calendar_shared(struct store *s, const struct calendar **out,
				   struct app_error *err)
{
	enum app_err rc = APP_OK;
	pthread_mutex_lock(&shared_mu);
	if (!shared_loaded) {
		rc = cases_calendar_load(s, &shared_cal, err);
		shared_loaded = rc == APP_OK;
	}
	pthread_mutex_unlock(&shared_mu);
	if (rc == APP_OK)
		*out = &shared_cal;
	return rc;
}

/* The file name of path, for the audit trail. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

enum app_err cases_calendar_import(struct store *s, const char *actor, const char *path,
				   int64_t now, struct cases_calendar_report *rep,
				   struct app_error *err)
{
	char *buf;
	size_t len;
	enum app_err rc = csv_load(path, CASES_CALENDAR_FILE_MAX, &buf, &len, err);
	if (rc != APP_OK)
		return rc;
	struct calendar_entry *e = NULL;
	size_t n = 0;
	rc = calendar_parse(buf, len, CALENDAR_IMPORTED, &e, &n, err);
	free(buf);
	if (rc != APP_OK)
		return rc;
	if (!n) {
		free(e);
		return app_fail(err, APP_EINVAL, "the file lists no day after its first line");
	}
	struct cases_calendar_report r = { .days = n, .first_year = e[0].day / 10000,
					   .last_year = e[n - 1].day / 10000 };
	struct calendar_row *rows = xcalloc(n, sizeof(*rows));
	for (size_t i = 0; i < n; i++) {
		rows[i].day = e[i].day;
		snprintf(rows[i].kind, sizeof(rows[i].kind), "%s", calendar_kind_name(e[i].kind));
		memcpy(rows[i].name, e[i].name, sizeof(rows[i].name));
		rows[i].imported_at = now;
		snprintf(rows[i].imported_by, sizeof(rows[i].imported_by), "%s", actor);
		if (e[i].kind == CALENDAR_WORKDAY)
			r.workdays++;
		else
			r.holidays++;
	}
	free(e);
	char object[32], summary[320];
	if (r.first_year == r.last_year)
		snprintf(object, sizeof(object), "calendar:%d", r.first_year);
	else
		snprintf(object, sizeof(object), "calendar:%d-%d", r.first_year, r.last_year);
	snprintf(summary, sizeof(summary), "%zu days from %.200s: %zu holidays, %zu workdays", n,
		 base_name(path), r.holidays, r.workdays);
	struct audit_note note = { actor, "calendar.import", object, "", summary };
	rc = store_calendar_put(s, rows, n, &note, err);
	free(rows);
	if (rc == APP_OK)
		*rep = r;
	return rc;
}
