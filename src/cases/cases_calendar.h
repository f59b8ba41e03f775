/*
 * cases_calendar.h - the working-day calendar the case clocks run on: the
 * calendar compiled into the binary plus the days admins imported into the
 * store (`bianmin calendar import`), which override and extend it.
 *
 * Why here and not in src/core or src/store: src/core/calendar.c is pure
 * arithmetic on days and must not depend on the store, and src/store holds
 * no domain rules (it keeps rows, it does not say what a holiday means). The
 * case engine is what runs clocks on the calendar, so loading the effective
 * calendar and checking an import before it is stored live in src/cases,
 * which talks to storage through store.h only.
 */
#ifndef CASES_CASES_CALENDAR_H
#define CASES_CASES_CALENDAR_H

#include "core/calendar.h"
#include "core/err.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

#define CASES_CALENDAR_FILE_MAX (4 << 20) /* bytes of a calendar file */

/*
 * The effective calendar: the built-in files, then every stored import in
 * day order (an imported day replaces the built-in one). On success *out
 * receives a calendar the caller releases with calendar_release(); on
 * failure *out is untouched. Errors: APP_EDB (and the like) from the
 * store; APP_EINTERNAL when a stored day is not a valid entry.
 */
enum app_err cases_calendar_load(struct store *s, struct calendar *out, struct app_error *err);

/*
 * The effective calendar of this process: loaded from s the first time
 * (cases_calendar_load) and kept for the process's life, shared by every
 * thread (it is only read). An import by `bianmin calendar import` reaches
 * a running server when it starts again.
 */
enum app_err cases_calendar_shared(struct store *s, const struct calendar **out,
				   struct app_error *err);

struct cases_calendar_report {
	size_t days, holidays, workdays; /* imported */
	int first_year, last_year;       /* the years they are dated in */
};

/*
 * Import the calendar file at path (CSV, plain or gzip; the format of
 * calendar_parse()) as actor at now: every day of it stored in one
 * transaction with one audit entry (action "calendar.import", object
 * "calendar:<first year>[-<last year>]"), or nothing. *rep (set on
 * success) says what was imported. Errors: APP_EIO when the file cannot be
 * read, APP_ETOOBIG over CASES_CALENDAR_FILE_MAX, APP_EINVAL when the file
 * is malformed or lists no day (the message names the line), the store's
 * errors otherwise.
 */
enum app_err cases_calendar_import(struct store *s, const char *actor, const char *path,
				   int64_t now, struct cases_calendar_report *rep,
				   struct app_error *err);

#endif
