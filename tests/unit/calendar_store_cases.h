/*
 * calendar_store_cases.h - the bodies of the working-day calendar's store
 * tests, run on each backend through store.h (and src/cases, which loads
 * and imports through it): test_calendar_store.c runs them on SQLite,
 * test_calendar_store_pg.c on PostgreSQL, so both backends are held to the
 * same errors, messages and orders. Each body gets a freshly migrated,
 * empty store. Header-only; include it after <cmocka.h>.
 *
 * What is covered: storing and listing by year range (in day order, every
 * field back, a listing that stops early); a day stored again replaces the
 * first; a refused row (a kind, a day out of range, an empty name) or an
 * empty import changes nothing and leaves no audit entry; the effective
 * calendar (built-in plus stored, a stored day replacing a built-in one);
 * importing a file, all or nothing with the line named.
 */
#ifndef TESTS_UNIT_CALENDAR_STORE_CASES_H
#define TESTS_UNIT_CALENDAR_STORE_CASES_H

#include "cases/cases_calendar.h"
#include "core/calendar.h"
#include "store/store.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

/* The cases, for the test files to wrap: X(name) for each cs_case_<name>(). */
#define CALENDAR_STORE_CASES(X)                                                                \
	X(put_list)                                                                            \
	X(replace)                                                                             \
	X(all_or_nothing)                                                                      \
	X(load)                                                                                \
	X(import_file)

#define CS_NOW 1764400000

static inline struct calendar_row cs_row(int day, const char *kind, const char *name)
{
	struct calendar_row r = { .day = day, .imported_at = CS_NOW };
	snprintf(r.kind, sizeof(r.kind), "%s", kind);
	snprintf(r.name, sizeof(r.name), "%s", name);
	snprintf(r.imported_by, sizeof(r.imported_by), "cli:test");
	return r;
}

static inline struct audit_note cs_note(const char *object)
{
	return (struct audit_note){ .actor = "cli:test", .action = "calendar.import",
				    .object = object, .region = "", .summary = "test" };
}

struct cs_rows {
	int n, stop_after; /* stop_after 0: never stop */
	struct calendar_row r[64];
};

static inline bool cs_row_fn(void *ctx, const struct calendar_row *r)
{
	struct cs_rows *l = ctx;
	if (l->n < 64)
		l->r[l->n] = *r;
	l->n++;
	return l->stop_after == 0 || l->n < l->stop_after;
}

static inline struct cs_rows *cs_list(struct store *s, int first_year, int last_year)
{
	static struct cs_rows l;
	memset(&l, 0, sizeof(l));
	struct app_error e;
	if (store_calendar_list(s, first_year, last_year, cs_row_fn, &l, &e) != APP_OK)
		fail_msg("list %d-%d: %s", first_year, last_year, e.msg);
	return &l;
}

static inline bool cs_audit_fn(void *ctx, const struct audit_record *r)
{
	(void)r;
	++*(int *)ctx;
	return true;
}

/* How many audit entries are on object. */
static inline int cs_audits(struct store *s, const char *object)
{
	int n = 0;
	struct app_error e;
	if (store_audit_list(s, object, 64, cs_audit_fn, &n, &e) != APP_OK)
		fail_msg("audit list %s: %s", object, e.msg);
	return n;
}

static inline void cs_case_put_list(struct store *s)
{
	struct calendar_row rows[] = {
		cs_row(20271001, "holiday", "国庆节"),
		cs_row(20270101, "holiday", "元旦"),
		cs_row(20270925, "workday", "国庆节"),
		cs_row(20280101, "holiday", "元旦"),
	};
	struct audit_note note = cs_note("calendar:2027-2028");
	struct app_error e;
	assert_int_equal(store_calendar_put(s, rows, 4, &note, &e), APP_OK);
	struct cs_rows *l = cs_list(s, 2027, 2027);
	assert_int_equal(l->n, 3);
	assert_int_equal(l->r[0].day, 20270101);
	assert_int_equal(l->r[1].day, 20270925);
	assert_int_equal(l->r[2].day, 20271001);
	assert_string_equal(l->r[1].kind, "workday");
	assert_string_equal(l->r[2].name, "国庆节");
	assert_int_equal(l->r[2].imported_at, CS_NOW);
	assert_string_equal(l->r[2].imported_by, "cli:test");
	assert_int_equal(cs_list(s, 2027, 2028)->n, 4);
	assert_int_equal(cs_list(s, 2000, 2026)->n, 0);
	assert_int_equal(cs_list(s, 2028, 2099)->n, 1);
	/* a listing stops when told */
	struct cs_rows two = { .stop_after = 2 };
	assert_int_equal(store_calendar_list(s, 2000, 2099, cs_row_fn, &two, &e), APP_OK);
	assert_int_equal(two.n, 2);
	assert_int_equal(cs_audits(s, "calendar:2027-2028"), 1);
}

static inline void cs_case_replace(struct store *s)
{
	struct calendar_row first = cs_row(20270206, "workday", "春节");
	struct audit_note note = cs_note("calendar:2027");
	struct app_error e;
	assert_int_equal(store_calendar_put(s, &first, 1, &note, &e), APP_OK);
	/* a day again, and a day twice in one import: the last one stays */
	struct calendar_row again[] = {
		cs_row(20270206, "holiday", "春节（更正）"),
		cs_row(20270101, "holiday", "x"),
		cs_row(20270101, "holiday", "元旦"),
	};
	again[0].imported_at = CS_NOW + 60;
	assert_int_equal(store_calendar_put(s, again, 3, &note, &e), APP_OK);
	struct cs_rows *l = cs_list(s, 2027, 2027);
	assert_int_equal(l->n, 2);
	assert_string_equal(l->r[0].name, "元旦");
	assert_string_equal(l->r[1].kind, "holiday");
	assert_string_equal(l->r[1].name, "春节（更正）");
	assert_int_equal(l->r[1].imported_at, CS_NOW + 60);
	assert_int_equal(cs_audits(s, "calendar:2027"), 2);
}

static inline void cs_case_all_or_nothing(struct store *s)
{
	struct audit_note note = cs_note("calendar:2027");
	struct app_error e;
	struct calendar_row bad_kind[] = {
		cs_row(20270101, "holiday", "元旦"),
		cs_row(20270102, "off", "元旦"),
	};
	assert_int_equal(store_calendar_put(s, bad_kind, 2, &note, &e), APP_EINVAL);
	assert_string_equal(e.msg, "day 20270102: storing a calendar day: a value is out of range");
	struct calendar_row bad_day[] = {
		cs_row(20270101, "holiday", "元旦"),
		cs_row(19991001, "holiday", "国庆节"),
	};
	assert_int_equal(store_calendar_put(s, bad_day, 2, &note, &e), APP_EINVAL);
	assert_string_equal(e.msg, "day 19991001: storing a calendar day: a value is out of range");
	struct calendar_row no_name = cs_row(20270101, "holiday", "");
	assert_int_equal(store_calendar_put(s, &no_name, 1, &note, &e), APP_EINVAL);
	assert_int_equal(store_calendar_put(s, bad_kind, 0, &note, &e), APP_EINVAL);
	assert_string_equal(e.msg, "a calendar import needs at least one day");
	assert_int_equal(cs_list(s, 2000, 2099)->n, 0);
	assert_int_equal(cs_audits(s, "calendar:2027"), 0);
}

static inline void cs_case_load(struct store *s)
{
	struct calendar_row rows[] = {
		cs_row(20240204, "holiday", "春节"), /* the make-up Sunday cancelled */
		cs_row(20270101, "holiday", "元旦"),
		cs_row(20270206, "workday", "春节"),
	};
	struct audit_note note = cs_note("calendar:2024-2027");
	struct app_error e;
	assert_int_equal(store_calendar_put(s, rows, 3, &note, &e), APP_OK);
	struct calendar cal;
	assert_int_equal(cases_calendar_load(s, &cal, &e), APP_OK);
	for (int y = 2024; y <= 2027; y++)
		assert_true(calendar_covers_year(&cal, y));
	assert_false(calendar_is_workday(&cal, 20240204));
	assert_true(calendar_is_workday(&cal, 20240218)); /* built-in, untouched */
	assert_false(calendar_is_workday(&cal, 20270101));
	assert_true(calendar_is_workday(&cal, 20270206));
	const struct calendar_entry *x = calendar_entry_of(&cal, 20240204);
	assert_int_equal(x->origin, CALENDAR_IMPORTED);
	assert_true(x->replaced);
	assert_int_equal(calendar_entry_of(&cal, 20241001)->origin, CALENDAR_BUILTIN);
	assert_false(calendar_entry_of(&cal, 20270101)->replaced);
	calendar_release(&cal);
}

static inline void cs_case_import_file(struct store *s)
{
	char dir[256], path[300];
	tu_tempdir(dir, sizeof(dir));
	tu_path(path, sizeof(path), dir, "cn-2027.csv");
	const char good[] = "date,kind,name\n"
			    "2027-01-01,holiday,元旦\n"
			    "2027-02-06,workday,春节\n"
			    "2027-10-01,holiday,国庆节\n";
	tu_write_file(path, good, sizeof(good) - 1);
	struct cases_calendar_report rep;
	struct app_error e;
	assert_int_equal(cases_calendar_import(s, "cli:test", path, CS_NOW, &rep, &e), APP_OK);
	assert_int_equal(rep.days, 3);
	assert_int_equal(rep.holidays, 2);
	assert_int_equal(rep.workdays, 1);
	assert_int_equal(rep.first_year, 2027);
	assert_int_equal(rep.last_year, 2027);
	assert_int_equal(cs_list(s, 2027, 2027)->n, 3);
	assert_int_equal(cs_audits(s, "calendar:2027"), 1);
	/* a bad line anywhere: nothing of the file is kept */
	const char bad[] = "date,kind,name\n"
			   "2027-05-01,holiday,劳动节\n"
			   "2027-05-06,workday,劳动节\n";
	tu_write_file(path, bad, sizeof(bad) - 1);
	assert_int_equal(cases_calendar_import(s, "cli:test", path, CS_NOW, &rep, &e), APP_EINVAL);
	assert_contains(e.msg, "line 3: 2027-05-06 is a Thursday");
	assert_int_equal(cs_list(s, 2027, 2027)->n, 3);
	assert_int_equal(cs_audits(s, "calendar:2027"), 1);
	tu_write_file(path, "date,kind,name\n", 15);
	assert_int_equal(cases_calendar_import(s, "cli:test", path, CS_NOW, &rep, &e), APP_EINVAL);
	assert_contains(e.msg, "lists no day");
	tu_path(path, sizeof(path), dir, "missing.csv");
	assert_int_equal(cases_calendar_import(s, "cli:test", path, CS_NOW, &rep, &e), APP_EIO);
	assert_int_equal(cs_audits(s, "calendar:2027"), 1);
	tu_rmtree(dir);
}

#endif
