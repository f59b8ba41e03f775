/*
 * supervise_store_cases.h - the bodies of 督办's store tests, run on each
 * backend through store.h (and src/cases for the effective calendar):
 * test_supervise_store.c runs them on SQLite, test_supervise_store_pg.c on
 * PostgreSQL, so both hold the same rows, errors and orders. Each body gets
 * a freshly migrated, empty store. Header-only; include it after
 * <cmocka.h>.
 *
 * What is covered: a deadline on the effective calendar with a 调休
 * Saturday imported by an admin; a reminder stored and read back whole; the
 * open reminders after an id with their item's done time; settling once; the 通报 of a
 * period within a region and no other; each acknowledgement once, and a
 * 通报 only once listed.
 */
#ifndef TESTS_UNIT_SUPERVISE_STORE_CASES_H
#define TESTS_UNIT_SUPERVISE_STORE_CASES_H

#include "cases/cases_calendar.h"
#include "core/clock.h"
#include "patrol/supervise.h"
#include "store/store.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#define SUPERVISE_STORE_CASES(X)                                                               \
	X(deadline_imported_workday)                                                           \
	X(settle_and_notices)

static inline struct audit_note ss_note(const char *action)
{
	return (struct audit_note){ .actor = "cli:test", .action = action,
				    .object = "supervision:test", .region = "", .summary = "" };
}

/* Saturday 2026-11-21 imported as a workday: a reminder issued on Friday
 * 11-20 with 1 working day ends with that Saturday, with 5 on Thursday
 * 11-26; without the import they end on Monday and Friday. */
static inline void ss_case_deadline_imported_workday(struct store *s)
{
	struct app_error e;
	struct calendar cal;
	int64_t friday = clock_china_time(20261120, 10 * 60), d = 0;
	assert_int_equal(cases_calendar_load(s, &cal, &e), APP_OK);
	assert_int_equal(supervise_deadline(&cal, friday, 1, &d, &e), APP_OK);
	assert_int_equal(d, clock_china_time(20261124, 0));
	calendar_release(&cal);

	struct calendar_row r = { .day = 20261121, .imported_at = friday };
	snprintf(r.kind, sizeof(r.kind), "workday");
	snprintf(r.name, sizeof(r.name), "测试调休");
	snprintf(r.imported_by, sizeof(r.imported_by), "cli:test");
	struct audit_note n = ss_note("calendar.import");
	assert_int_equal(store_calendar_put(s, &r, 1, &n, &e), APP_OK);
	assert_int_equal(cases_calendar_load(s, &cal, &e), APP_OK);
	assert_int_equal(supervise_deadline(&cal, friday, 1, &d, &e), APP_OK);
	assert_int_equal(d, clock_china_time(20261122, 0));
	assert_int_equal(supervise_deadline(&cal, friday, 5, &d, &e), APP_OK);
	assert_int_equal(d, clock_china_time(20261127, 0));
	calendar_release(&cal);
}

struct ss_list {
	int n;
	int64_t ids[8], done[8];
};

static inline bool ss_open_fn(void *ctx, const struct supervision *v, int64_t done_at)
{
	struct ss_list *l = ctx;
	if (l->n < 8) {
		l->ids[l->n] = v->id;
		l->done[l->n] = done_at;
	}
	l->n++;
	return true;
}

static inline bool ss_fn(void *ctx, const struct supervision *v)
{
	return ss_open_fn(ctx, v, 0);
}

/* A reminder on alert 7 of village region, issued at `at`. */
static inline void ss_issue(struct store *s, const char *region, int64_t at, struct supervision *v)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->kind, sizeof(v->kind), "alert");
	v->item_id = 7;
	snprintf(v->region, sizeof(v->region), "%s", region);
	v->group_id = 3;
	snprintf(v->note, sizeof(v->note), "核实火情");
	v->days = 5;
	v->issued_by = 11;
	v->issued_at = at;
	v->deadline = at + 7 * 86400;
	struct audit_note n = ss_note("supervision.issue");
	struct supervision_write w = { &n, NULL, "supervise", 11, at };
	struct app_error e;
	assert_int_equal(store_supervision_insert(s, v, &w, &e), APP_OK);
	assert_true(v->id > 0);
}

static inline void ss_case_settle_and_notices(struct store *s)
{
	struct app_error e;
	int64_t at = clock_china_time(20261120, 600);
	struct supervision a, b, got;
	ss_issue(s, "990101103200", at, &a);
	ss_issue(s, "990101001001", at, &b);
	assert_int_equal(store_supervision_get(s, a.id, &got, &e), APP_OK);
	assert_string_equal(got.kind, "alert");
	assert_int_equal(got.item_id, 7);
	assert_string_equal(got.region, "990101103200");
	assert_int_equal(got.group_id, 3);
	assert_string_equal(got.note, "核实火情");
	assert_int_equal(got.days, 5);
	assert_int_equal(got.issued_by, 11);
	assert_int_equal(got.issued_at, at);
	assert_int_equal(got.deadline, at + 7 * 86400);
	assert_string_equal(got.state, "open");
	assert_int_equal(store_supervision_get(s, b.id + 100, &got, &e), APP_ENOTFOUND);

	/* open, oldest first, with no done time (alert 7 does not exist) */
	struct ss_list l = { 0 };
	assert_int_equal(store_supervisions_open(s, 0, 10, ss_open_fn, &l, &e), APP_OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.ids[0], a.id);
	assert_int_equal(l.ids[1], b.id);
	assert_int_equal(l.done[0], 0);
	l.n = 0;
	assert_int_equal(store_supervisions_open(s, a.id, 10, ss_open_fn, &l, &e), APP_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.ids[0], b.id);

	/* a 通报 only once listed */
	struct audit_note n = ss_note("supervision.notice_acknowledge");
	struct supervision_write w = { &n, NULL, NULL, 12, at + 100 };
	assert_int_equal(store_supervision_acknowledge(s, a.id, true, &w, &got, &e), APP_ECONFLICT);
	/* the reminder, once */
	n.action = "supervision.acknowledge";
	assert_int_equal(store_supervision_acknowledge(s, a.id, false, &w, &got, &e), APP_OK);
	assert_int_equal(got.acknowledged_by, 12);
	assert_int_equal(got.acknowledged_at, at + 100);
	assert_int_equal(store_supervision_acknowledge(s, a.id, false, &w, &got, &e), APP_ECONFLICT);

	/* settled once: a noticed, b resolved */
	n.action = "supervision.notice";
	w = (struct supervision_write){ &n, NULL, "supervision_notice", 0, at + 8 * 86400 };
	assert_int_equal(store_supervision_settle(s, a.id, "noticed", "2026-11", &w, &e), APP_OK);
	assert_int_equal(store_supervision_settle(s, a.id, "noticed", "2026-11", &w, &e), APP_ECONFLICT);
	assert_int_equal(store_supervision_settle(s, b.id, "resolved", "", &w, &e), APP_OK);
	assert_int_equal(store_supervision_settle(s, b.id, "closed", "", &w, &e), APP_EINVAL);
	l.n = 0;
	assert_int_equal(store_supervisions_open(s, 0, 10, ss_open_fn, &l, &e), APP_OK);
	assert_int_equal(l.n, 0);

	/* the 通报: of its period, within its region */
	l.n = 0;
	assert_int_equal(store_supervision_notices(s, "2026-11", "990101103", ss_fn, &l, &e), APP_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.ids[0], a.id);
	l.n = 0;
	assert_int_equal(store_supervision_notices(s, "2026-11", "990101001", ss_fn, &l, &e), APP_OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(store_supervision_notices(s, "2026-12", "990101", ss_fn, &l, &e), APP_OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(store_supervision_get(s, a.id, &got, &e), APP_OK);
	assert_string_equal(got.state, "noticed");
	assert_string_equal(got.period, "2026-11");
	assert_int_equal(got.settled_at, at + 8 * 86400);

	n.action = "supervision.notice_acknowledge";
	w = (struct supervision_write){ &n, NULL, NULL, 13, at + 9 * 86400 };
	assert_int_equal(store_supervision_acknowledge(s, a.id, true, &w, &got, &e), APP_OK);
	assert_int_equal(got.notice_ack_by, 13);
	assert_int_equal(store_supervision_acknowledge(s, a.id, true, &w, &got, &e), APP_ECONFLICT);
	assert_int_equal(store_supervision_acknowledge(s, b.id, true, &w, &got, &e), APP_ECONFLICT);
}

#endif
