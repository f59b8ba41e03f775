/*
 * exchange_store_cases.h - the bodies of the exchange's store tests, run on
 * each backend through store.h: test_exchange_store.c runs them on SQLite,
 * test_exchange_store_pg.c on PostgreSQL, so both hold the same rows, errors
 * and orders. Each body gets a freshly migrated, empty store. Header-only;
 * include it after <cmocka.h>.
 *
 * What is covered: members with their current key, a rotation that keeps
 * the old key retired, a code taken once, binding an API key; a dataset of
 * an unknown provider refused; a batch stored with its rows in order, the
 * same batch again counted and not stored, the same id with another hash
 * refused; subscriptions moving between states only from the state named,
 * found due by time, and push attempts moving them on or counting failures.
 */
#ifndef TESTS_UNIT_EXCHANGE_STORE_CASES_H
#define TESTS_UNIT_EXCHANGE_STORE_CASES_H

#include "store/store.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#define EXCHANGE_STORE_CASES(X)                                                                \
	X(members_and_keys)                                                                    \
	X(batches_once)                                                                        \
	X(subscriptions_and_attempts)

static inline struct audit_note xs_note(const char *action)
{
	return (struct audit_note){ .actor = "cli:test", .action = action,
				    .object = "exchange:test", .region = "990101", .summary = "" };
}

static inline struct exchange_member xs_member(const char *code, const char *key)
{
	struct exchange_member m;
	memset(&m, 0, sizeof(m));
	snprintf(m.code, sizeof(m.code), "%s", code);
	snprintf(m.name, sizeof(m.name), "%s 名称", code);
	snprintf(m.region, sizeof(m.region), "990101");
	snprintf(m.public_key, sizeof(m.public_key), "%s", key);
	m.created_at = 1000;
	return m;
}

struct xs_list {
	char text[512];
	int n;
};

static inline bool xs_add_member(void *ctx, const struct exchange_member *m)
{
	struct xs_list *l = ctx;
	l->n++;
	snprintf(l->text + strlen(l->text), sizeof(l->text) - strlen(l->text), "%s:%s:%lld;", m->code,
		 m->public_key, (long long)m->api_key_id);
	return true;
}

static inline bool xs_add_key(void *ctx, const struct exchange_key *k)
{
	struct xs_list *l = ctx;
	l->n++;
	snprintf(l->text + strlen(l->text), sizeof(l->text) - strlen(l->text), "%s:%lld;",
		 k->public_key, (long long)k->retired_at);
	return true;
}

static inline void xs_case_members_and_keys(struct store *s)
{
	struct app_error err;
	struct audit_note note = xs_note("exchange.member.add");
	struct exchange_member a = xs_member("CDPF", "key-a1"), b = xs_member("YBJ", "key-b1");
	assert_int_equal(store_exchange_member_add(s, &a, &note, &err), APP_OK);
	assert_true(a.key_id > 0);
	assert_int_equal(store_exchange_member_add(s, &b, &note, &err), APP_OK);
	struct exchange_member again = xs_member("CDPF", "key-x");
	assert_int_equal(store_exchange_member_add(s, &again, &note, &err), APP_ECONFLICT);
	assert_string_equal(err.msg, "member 'CDPF' exists already");

	int64_t key_id = 0;
	assert_int_equal(store_exchange_member_rotate(s, "CDPF", "key-a2", 2000, &note, &key_id, &err),
			 APP_OK);
	assert_true(key_id > a.key_id);
	assert_int_equal(store_exchange_member_rotate(s, "NONE", "key-n", 2000, &note, &key_id, &err),
			 APP_ENOTFOUND);
	assert_int_equal(store_exchange_member_link(s, "YBJ", 7, &note, &err), APP_OK);
	assert_int_equal(store_exchange_member_link(s, "NONE", 7, &note, &err), APP_ENOTFOUND);

	struct xs_list l = { "", 0 };
	assert_int_equal(store_exchange_members(s, NULL, 0, xs_add_member, &l, &err), APP_OK);
	assert_string_equal(l.text, "CDPF:key-a2:0;YBJ:key-b1:7;"); /* current keys, code order */
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_exchange_members(s, NULL, 7, xs_add_member, &l, &err), APP_OK);
	assert_string_equal(l.text, "YBJ:key-b1:7;"); /* by the API key bound */
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_exchange_keys(s, "CDPF", xs_add_key, &l, &err), APP_OK);
	assert_string_equal(l.text, "key-a1:2000;key-a2:0;"); /* the old one kept, retired */
}

static inline bool xs_add_row(void *ctx, const struct exchange_batch *b, int64_t line,
			      const char *data)
{
	struct xs_list *l = ctx;
	l->n++;
	snprintf(l->text + strlen(l->text), sizeof(l->text) - strlen(l->text), "%s/%lld:%s;",
		 b->batch_id, (long long)line, data);
	return true;
}

static inline bool xs_add_batch(void *ctx, const struct exchange_batch *b)
{
	struct xs_list *l = ctx;
	l->n++;
	snprintf(l->text + strlen(l->text), sizeof(l->text) - strlen(l->text), "%s:%lld:%lld;",
		 b->batch_id, (long long)b->nrows, (long long)b->resent);
	return true;
}

static inline struct exchange_batch xs_batch(const char *id, const char *sha, int64_t nrows)
{
	struct exchange_batch b;
	memset(&b, 0, sizeof(b));
	snprintf(b.dataset, sizeof(b.dataset), "disability");
	snprintf(b.provider, sizeof(b.provider), "CDPF");
	snprintf(b.batch_id, sizeof(b.batch_id), "%s", id);
	snprintf(b.sha256, sizeof(b.sha256), "%s", sha);
	snprintf(b.signature, sizeof(b.signature), "sig");
	b.key_id = 1;
	b.nrows = nrows;
	b.received_at = 3000;
	return b;
}

/* CDPF providing the dataset "disability". */
static inline void xs_dataset(struct store *s)
{
	struct app_error err;
	struct audit_note note = xs_note("exchange.member.add");
	struct exchange_member a = xs_member("CDPF", "key-a1"), b = xs_member("YBJ", "key-b1");
	assert_int_equal(store_exchange_member_add(s, &a, &note, &err), APP_OK);
	assert_int_equal(store_exchange_member_add(s, &b, &note, &err), APP_OK);
	struct exchange_dataset d = { .code = "disability", .provider = "CDPF", .name = "名单",
				      .sharing = EXCHANGE_CONDITIONAL, .schema = "{}",
				      .created_at = 1000 };
	assert_int_equal(store_exchange_dataset_add(s, &d, &note, &err), APP_OK);
	assert_int_equal(store_exchange_dataset_add(s, &d, &note, &err), APP_ECONFLICT);
	struct exchange_dataset orphan = d;
	snprintf(orphan.code, sizeof(orphan.code), "orphan");
	snprintf(orphan.provider, sizeof(orphan.provider), "NONE");
	assert_int_equal(store_exchange_dataset_add(s, &orphan, &note, &err), APP_EINVAL);
	assert_string_equal(err.msg, "no member 'NONE' to provide it");
}

static inline void xs_case_batches_once(struct store *s)
{
	xs_dataset(s);
	struct app_error err;
	struct audit_note note = xs_note("exchange.batch.receive"),
			  again = xs_note("exchange.batch.resend");
	const char *rows[] = { "{\"a\":1}", "{\"a\":2}" };
	struct exchange_batch b1 = xs_batch("B1", "aaaa", 2), b2 = xs_batch("B2", "bbbb", 1);
	bool resent = true;
	assert_int_equal(store_exchange_batch_put(s, &b1, rows, &note, &again, &resent, &err), APP_OK);
	assert_false(resent);
	assert_true(b1.id > 0);
	assert_int_equal(store_exchange_batch_put(s, &b2, rows, &note, &again, &resent, &err), APP_OK);
	assert_true(b2.id > b1.id);

	/* the same batch again: counted, not stored */
	struct exchange_batch dup = xs_batch("B1", "aaaa", 2);
	assert_int_equal(store_exchange_batch_put(s, &dup, rows, &note, &again, &resent, &err), APP_OK);
	assert_true(resent);
	assert_int_equal(dup.id, b1.id);
	assert_int_equal(dup.resent, 1);
	/* the same id, other content: refused */
	struct exchange_batch other = xs_batch("B1", "cccc", 1);
	assert_int_equal(store_exchange_batch_put(s, &other, rows, &note, &again, &resent, &err),
			 APP_ECONFLICT);

	struct xs_list l = { "", 0 };
	assert_int_equal(store_exchange_rows(s, "disability", 0, 10, xs_add_row, &l, &err), APP_OK);
	assert_string_equal(l.text, "B1/1:{\"a\":1};B1/2:{\"a\":2};B2/1:{\"a\":1};");
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_exchange_rows(s, "disability", 0, 1, xs_add_row, &l, &err), APP_OK);
	assert_int_equal(l.n, 2); /* the first batch only */
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_exchange_rows(s, "disability", b1.id, 10, xs_add_row, &l, &err), APP_OK);
	assert_string_equal(l.text, "B2/1:{\"a\":1};");
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_exchange_batches(s, NULL, 0, 10, xs_add_batch, &l, &err), APP_OK);
	assert_string_equal(l.text, "B1:2:1;B2:1:0;");
}

static inline bool xs_add_sub(void *ctx, const struct exchange_subscription *x)
{
	struct xs_list *l = ctx;
	l->n++;
	snprintf(l->text + strlen(l->text), sizeof(l->text) - strlen(l->text),
		 "%lld:%s:%s:%lld:%d:%lld;", (long long)x->id, exchange_sub_state_names[x->state],
		 x->approved_by, (long long)x->pushed_upto, x->failures, (long long)x->due_at);
	return true;
}

static inline bool xs_add_attempt(void *ctx, const struct exchange_attempt *a)
{
	struct xs_list *l = ctx;
	l->n++;
	snprintf(l->text + strlen(l->text), sizeof(l->text) - strlen(l->text), "%d:%lld:%s;",
		 a->status, (long long)a->next_at, a->detail);
	return true;
}

static inline void xs_case_subscriptions_and_attempts(struct store *s)
{
	xs_dataset(s);
	struct app_error err;
	struct audit_note note = xs_note("exchange.subscription.add");
	struct exchange_subscription x;
	memset(&x, 0, sizeof(x));
	snprintf(x.consumer, sizeof(x.consumer), "YBJ");
	snprintf(x.dataset, sizeof(x.dataset), "disability");
	snprintf(x.fields, sizeof(x.fields), "a");
	snprintf(x.endpoint, sizeof(x.endpoint), "http://127.0.0.1:9/x");
	x.day = 5;
	x.minute = 540;
	x.state = EXCHANGE_SUB_PENDING;
	x.created_at = 1000;
	assert_int_equal(store_exchange_sub_add(s, &x, &note, &err), APP_OK);
	assert_true(x.id > 0);

	struct exchange_sub_query due = { .due_by = 5000 };
	struct xs_list l = { "", 0 };
	assert_int_equal(store_exchange_subs(s, &due, xs_add_sub, &l, &err), APP_OK);
	assert_int_equal(l.n, 0); /* pending: never due */
	assert_int_equal(store_exchange_sub_state(s, x.id, EXCHANGE_SUB_ACTIVE, EXCHANGE_SUB_ENDED, "",
						  0, &note, &err),
			 APP_ECONFLICT); /* not active */
	assert_int_equal(store_exchange_sub_state(s, x.id, EXCHANGE_SUB_PENDING, EXCHANGE_SUB_ACTIVE,
						  "user:9", 4000, &note, &err),
			 APP_OK);
	assert_int_equal(store_exchange_subs(s, &due, xs_add_sub, &l, &err), APP_OK);
	assert_string_equal(l.text, "1:active:user:9:0:0:4000;");
	memset(&l, 0, sizeof(l));
	due.due_by = 3999;
	assert_int_equal(store_exchange_subs(s, &due, xs_add_sub, &l, &err), APP_OK);
	assert_int_equal(l.n, 0); /* not yet */

	struct exchange_attempt a = { .subscription = x.id, .at = 4000, .status = 500, .upto = 9,
				      .nrows = 2, .sha256 = "ff", .detail = "HTTP 500",
				      .next_at = 4060 };
	assert_int_equal(store_exchange_attempt_add(s, &a, false, &note, &err), APP_OK);
	a.at = 4060;
	a.status = 200;
	a.next_at = 9000;
	snprintf(a.detail, sizeof(a.detail), "HTTP 200");
	struct exchange_sub_query one = { .id = x.id };
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_exchange_subs(s, &one, xs_add_sub, &l, &err), APP_OK);
	assert_string_equal(l.text, "1:active:user:9:0:1:4060;"); /* one failure, retry due */
	assert_int_equal(store_exchange_attempt_add(s, &a, true, &note, &err), APP_OK);
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_exchange_subs(s, &one, xs_add_sub, &l, &err), APP_OK);
	assert_string_equal(l.text, "1:active:user:9:9:0:9000;"); /* delivered up to 9 */
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_exchange_attempts(s, x.id, xs_add_attempt, &l, &err), APP_OK);
	assert_string_equal(l.text, "500:4060:HTTP 500;200:9000:HTTP 200;");
	a.subscription = 999;
	assert_int_equal(store_exchange_attempt_add(s, &a, true, &note, &err), APP_ENOTFOUND);
}

#endif
