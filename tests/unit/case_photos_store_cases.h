/*
 * case_photos_store_cases.h - the bodies of the store tests of what hangs
 * off a case (its photos, the message it was raised from), run on each
 * backend through store.h only: test_case_photos_store.c on SQLite,
 * test_case_photos_store_pg.c on PostgreSQL, so both are held to the same
 * errors, messages and orders. Each body gets a migrated store holding the
 * demo county; the cases are made with cases_store_cases.h's helpers.
 * Header-only; include it after <cmocka.h>.
 *
 * What is covered: a photo recorded with its timeline line (in the case's
 * state and rung as stored), audit entry and events, then listed in the
 * order added and found by its SHA-256; the same bytes again are the first
 * photo and write nothing; the limit, refused with nothing written (but the
 * same photo again still answered); no such case; values refused before
 * the backend is asked; two uploads at once for the last place, one stored;
 * the case of a message, and a second case of one message refused by the
 * database with nothing stored.
 */
#ifndef TESTS_UNIT_CASE_PHOTOS_STORE_CASES_H
#define TESTS_UNIT_CASE_PHOTOS_STORE_CASES_H

#include "cases_store_cases.h"

/* The cases, for the test files to wrap: X(name) for each kp_case_<name>(). */
#define CASE_PHOTOS_STORE_CASES(X)                                                             \
	X(photo_add)                                                                           \
	X(photo_again)                                                                         \
	X(photo_limit)                                                                         \
	X(photo_no_case)                                                                       \
	X(photo_refused)                                                                       \
	X(of_message)

/* Photo number n of case id: its SHA-256 is n's digit repeated. */
static inline struct case_photo kp_photo(int64_t id, int n)
{
	struct case_photo p = { .case_id = id, .size = 1000 + n, .added_by = 6,
				.added_at = KS_NOW + n };
	memset(p.sha256, "0123456789abcdef"[n % 16], ATTACHMENT_SHA_LEN);
	snprintf(p.mime, sizeof(p.mime), "image/jpeg");
	return p;
}

/* Add photo p with max as the limit: its timeline line, an audit entry on
 * "case:<id>" and an event on "cases:7". *added says whether it was new. */
static inline enum app_err kp_add(struct store *s, const struct case_photo *p, int max,
				  struct case_photo *out, bool *added, struct app_error *e)
{
	char object[32], topic[32] = "cases:7";
	snprintf(object, sizeof(object), "case:%" PRId64, p->case_id);
	struct case_event_row line = ks_step(p->added_at, p->added_by, "photo", "", "", "", 0,
					     p->sha256);
	struct audit_note note = { "user:6", "demand.photo", object, KS_VILLAGE, p->sha256 };
	struct event_note ev = { topic, "case.photo", KS_COUNTY, "{\"photo\":1}", NULL };
	return store_case_photo_add(s, p, max, &line, &note, &ev, 1, out, added, e);
}

struct kp_list {
	int n;
	struct case_photo p[16];
};

static inline bool kp_list_fn(void *ctx, const struct case_photo *p)
{
	struct kp_list *l = ctx;
	if (l->n < 16)
		l->p[l->n] = *p;
	l->n++;
	return true;
}

/* The photos of case id, in their order. Static: one at a time. */
static inline struct kp_list *kp_photos(struct store *s, int64_t id)
{
	static struct kp_list l;
	memset(&l, 0, sizeof(l));
	struct app_error e;
	if (store_case_photos(s, id, kp_list_fn, &l, &e) != APP_OK)
		fail_msg("photos of case %" PRId64 ": %s", id, e.msg);
	return &l;
}

static inline void kp_assert_same(const struct case_photo *a, const struct case_photo *b)
{
	assert_int_equal(a->case_id, b->case_id);
	assert_string_equal(a->sha256, b->sha256);
	assert_string_equal(a->mime, b->mime);
	assert_int_equal(a->size, b->size);
	assert_int_equal(a->added_by, b->added_by);
	assert_int_equal(a->added_at, b->added_at);
}

/* A demand at the village, acknowledged at rung 1 (to see the line take
 * the case's state and rung as stored). */
static inline int64_t kp_case(struct store *s)
{
	struct case_row c;
	ks_fill(&c, KS_VILLAGE, "road", KS_NOW);
	snprintf(c.state, sizeof(c.state), "acknowledged");
	c.level = 1;
	return ks_insert(s, &c);
}

static inline void kp_case_photo_add(struct store *s)
{
	int64_t id = kp_case(s);
	struct case_photo a = kp_photo(id, 1), b = kp_photo(id, 2), out;
	bool added = false;
	struct app_error e;
	if (kp_add(s, &b, 9, &out, &added, &e) != APP_OK)
		fail_msg("add a photo: %s", e.msg);
	assert_true(added);
	kp_assert_same(&out, &b);
	assert_int_equal(kp_add(s, &a, 9, &out, &added, &e), APP_OK);
	assert_true(added);
	/* listed in the order added, not by name */
	struct kp_list *l = kp_photos(s, id);
	assert_int_equal(l->n, 2);
	kp_assert_same(&l->p[0], &b);
	kp_assert_same(&l->p[1], &a);
	struct case_photo got;
	assert_int_equal(store_case_photo_get(s, id, a.sha256, &got, &e), APP_OK);
	kp_assert_same(&got, &a);
	struct case_photo none = kp_photo(id, 3);
	assert_int_equal(store_case_photo_get(s, id, none.sha256, &got, &e), APP_ENOTFOUND);
	assert_string_equal(e.msg, "no such photo");
	/* each with its timeline line, in the case's state and rung */
	struct ks_steps *t = ks_timeline(s, id);
	assert_int_equal(t->n, 3);
	assert_string_equal(t->e[1].action, "photo");
	assert_string_equal(t->e[1].detail, b.sha256);
	assert_string_equal(t->e[1].from_state, "acknowledged");
	assert_string_equal(t->e[1].to_state, "acknowledged");
	assert_int_equal(t->e[1].level, 1);
	assert_int_equal(t->e[1].actor, 6);
	assert_int_equal(t->e[1].at, b.added_at);
	assert_int_equal(t->e[1].case_id, id);
	assert_string_equal(t->e[2].detail, a.sha256);
	/* its audit entry and its event */
	char object[32];
	snprintf(object, sizeof(object), "case:%" PRId64, id);
	assert_string_equal(ks_audit_of(s, object), "case.open demand.photo demand.photo");
	struct ks_events *ev = ks_events_of(s, "cases:7");
	assert_int_equal(ev->n, 2);
	assert_string_equal(ev->kind[0], "case.photo");
	/* another case shows none of them */
	int64_t other = kp_case(s);
	assert_int_equal(kp_photos(s, other)->n, 0);
	assert_int_equal(store_case_photo_get(s, other, a.sha256, &got, &e), APP_ENOTFOUND);
}

static inline void kp_case_photo_again(struct store *s)
{
	int64_t id = kp_case(s);
	struct case_photo a = kp_photo(id, 1), out;
	bool added = false;
	struct app_error e;
	assert_int_equal(kp_add(s, &a, 9, &out, &added, &e), APP_OK);
	int audits = ks_audits(s);
	int64_t head = ks_events_head(s);
	/* the same bytes sent again, by someone else, later */
	struct case_photo again = a;
	again.added_by = 7;
	again.added_at = a.added_at + 60;
	added = true;
	if (kp_add(s, &again, 9, &out, &added, &e) != APP_OK)
		fail_msg("the same photo again: %s", e.msg);
	assert_false(added);
	kp_assert_same(&out, &a); /* as first added */
	assert_int_equal(kp_photos(s, id)->n, 1);
	assert_int_equal(ks_timeline(s, id)->n, 2);
	assert_int_equal(ks_audits(s), audits);
	assert_int_equal(ks_events_head(s), head);
	/* the same bytes on another case are a photo of that case */
	int64_t other = kp_case(s);
	struct case_photo there = kp_photo(other, 1);
	assert_int_equal(kp_add(s, &there, 9, &out, &added, &e), APP_OK);
	assert_true(added);
}

static inline void kp_case_photo_limit(struct store *s)
{
	int64_t id = kp_case(s);
	struct case_photo out;
	bool added;
	struct app_error e;
	for (int n = 1; n <= 3; n++) {
		struct case_photo p = kp_photo(id, n);
		assert_int_equal(kp_add(s, &p, 3, &out, &added, &e), APP_OK);
		assert_true(added);
	}
	int audits = ks_audits(s);
	int64_t head = ks_events_head(s);
	struct case_photo fourth = kp_photo(id, 4);
	added = true;
	assert_int_equal(kp_add(s, &fourth, 3, &out, &added, &e), APP_ECONFLICT);
	assert_false(added);
	assert_string_equal(e.msg, "the case has 3 photos, the most it may have");
	assert_int_equal(kp_photos(s, id)->n, 3);
	assert_int_equal(ks_timeline(s, id)->n, 4);
	assert_int_equal(ks_audits(s), audits);
	assert_int_equal(ks_events_head(s), head);
	/* one it shows already is still answered at the limit */
	struct case_photo second = kp_photo(id, 2);
	assert_int_equal(kp_add(s, &second, 3, &out, &added, &e), APP_OK);
	assert_false(added);
	kp_assert_same(&out, &second);
}

static inline void kp_case_photo_no_case(struct store *s)
{
	struct case_photo p = kp_photo(999999, 1), out;
	bool added = true;
	struct app_error e;
	int audits = ks_audits(s);
	assert_int_equal(kp_add(s, &p, 9, &out, &added, &e), APP_ENOTFOUND);
	assert_false(added);
	assert_string_equal(e.msg, "no such case");
	assert_int_equal(kp_photos(s, 999999)->n, 0);
	assert_int_equal(ks_audits(s), audits);
}

static inline void kp_case_photo_refused(struct store *s)
{
	int64_t id = kp_case(s);
	struct case_photo out;
	bool added;
	struct app_error e;
	struct case_photo bad = kp_photo(id, 1);
	bad.sha256[10] = 'X'; /* not lower-case hex */
	assert_int_equal(kp_add(s, &bad, 9, &out, &added, &e), APP_EINVAL);
	bad = kp_photo(id, 1);
	bad.sha256[63] = '\0';
	assert_int_equal(kp_add(s, &bad, 9, &out, &added, &e), APP_EINVAL);
	bad = kp_photo(id, 1);
	bad.mime[0] = '\0';
	assert_int_equal(kp_add(s, &bad, 9, &out, &added, &e), APP_EINVAL);
	bad = kp_photo(id, 1);
	bad.size = 0;
	assert_int_equal(kp_add(s, &bad, 9, &out, &added, &e), APP_EINVAL);
	assert_int_equal(kp_photos(s, id)->n, 0);
	assert_int_equal(ks_timeline(s, id)->n, 1);
}

static inline void kp_case_of_message(struct store *s)
{
	struct case_row c, twice;
	ks_fill(&c, KS_VILLAGE, "road", KS_NOW);
	snprintf(c.source, sizeof(c.source), "message");
	c.source_message_id = 77;
	int64_t id = ks_insert(s, &c);
	ks_fill(&twice, KS_VILLAGE2, "road", KS_NOW); /* no message: 0 is no key */
	int64_t plain = ks_insert(s, &twice);
	ks_fill(&twice, KS_VILLAGE2, "road", KS_NOW);
	int64_t plain2 = ks_insert(s, &twice);
	assert_true(plain2 > plain);
	int64_t got = -1;
	struct app_error e;
	assert_int_equal(store_case_of_message(s, 77, &got, &e), APP_OK);
	assert_int_equal(got, id);
	assert_int_equal(store_case_of_message(s, 78, &got, &e), APP_OK);
	assert_int_equal(got, 0);
	assert_int_equal(store_case_of_message(s, 0, &got, &e), APP_OK);
	assert_int_equal(got, 0);
	/* the same message raised again: the database refuses the second */
	int audits = ks_audits(s);
	ks_fill(&twice, KS_VILLAGE, "road", KS_NOW);
	snprintf(twice.source, sizeof(twice.source), "message");
	twice.source_message_id = 77;
	struct case_event_row open = ks_step(KS_NOW, 6, "open", "", "received", "", 0, "");
	struct audit_note note = { "user:6", "case.open", "case:{id}", KS_VILLAGE, "" };
	assert_int_not_equal(store_case_insert(s, &twice, &open, 1, &note, NULL, 0, &e), APP_OK);
	struct case_query q = ks_query(KS_VILLAGE);
	struct ks_ids l = ks_list(s, &q);
	KS_IDS(l, id);
	assert_int_equal(ks_audits(s), audits);
	assert_int_equal(store_case_of_message(s, 77, &got, &e), APP_OK);
	assert_int_equal(got, id);
}

/* ---- two uploads at once (wrapped by each test file, with its stores) ---- */

struct kp_racer {
	struct store *s;
	pthread_barrier_t *start;
	struct case_photo p;
	enum app_err rc;
	bool added;
	struct app_error e;
};

static inline void *kp_racer_main(void *arg)
{
	struct kp_racer *r = arg;
	struct case_photo out;
	pthread_barrier_wait(r->start);
	r->rc = kp_add(r->s, &r->p, 1, &out, &r->added, &r->e);
	return NULL;
}

/*
 * Two people add a different photo to a case with room for one more, at
 * the same moment, through a and b (one store, or two nodes on one
 * database), round after round on new cases: one photo is stored, the
 * other refused for the limit.
 */
static inline void kp_photo_race(struct store *a, struct store *b)
{
	enum { ROUNDS = 10 };
	static struct kp_racer r[2];
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, 2);
	for (int round = 0; round < ROUNDS; round++) {
		int64_t id = kp_case(a);
		pthread_t t[2];
		for (int i = 0; i < 2; i++) {
			r[i] = (struct kp_racer){ .s = i ? b : a, .start = &start,
						  .p = kp_photo(id, i + 1) };
			assert_int_equal(pthread_create(&t[i], NULL, kp_racer_main, &r[i]), 0);
		}
		for (int i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		int won = r[0].rc == APP_OK ? 0 : 1;
		if (r[won].rc != APP_OK || !r[won].added)
			fail_msg("round %d: neither photo was stored: %s", round, r[0].e.msg);
		if (r[1 - won].rc != APP_ECONFLICT)
			fail_msg("round %d: the other photo: %s", round,
				 r[1 - won].rc == APP_OK ? "stored too" : r[1 - won].e.msg);
		struct kp_list *l = kp_photos(a, id);
		assert_int_equal(l->n, 1);
		kp_assert_same(&l->p[0], &r[won].p);
		assert_int_equal(ks_timeline(a, id)->n, 2);
	}
	pthread_barrier_destroy(&start);
}

#endif
