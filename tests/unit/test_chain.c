/*
 * test_chain.c - unit tests of src/core/chain, the hash that links audit
 * entries: the exact byte layout (rebuilt here independently, so that a
 * change that would orphan every stored audit trail fails a test), a chain
 * of entries where changing any field of any entry, the order of entries
 * or a prev hash changes the hash at the end, and length-prefixing: moving
 * bytes from one field to the next changes the hash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/chain.h"
#include "testutil.h"

#include <sodium.h>

static const uint8_t zeros[CHAIN_HASH_LEN];

static struct chain_entry entry(int64_t id, int64_t at, const char *actor, const char *action,
				const char *object, const char *region, const char *summary)
{
	struct chain_entry e = { id, at, actor, action, object, region, summary };
	return e;
}

static void hash_of(const uint8_t prev[CHAIN_HASH_LEN], const struct chain_entry *e,
		    uint8_t out[CHAIN_HASH_LEN])
{
	memset(out, 0xee, CHAIN_HASH_LEN);
	chain_hash(prev, e, out);
}

/* ---- the layout ---- */

static size_t put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i)); /* big-endian */
	return 8;
}

static size_t put_text(uint8_t *p, const char *s)
{
	size_t n = strlen(s);
	put_u64(p, n);
	memcpy(p + 8, s, n);
	return 8 + n;
}

/* BLAKE2b-256 over prev || id || at || (len || bytes) per text field. */
static void reference_hash(const uint8_t prev[CHAIN_HASH_LEN], const struct chain_entry *e,
			   uint8_t out[CHAIN_HASH_LEN])
{
	uint8_t buf[4096];
	size_t n = 0;
	memcpy(buf, prev, CHAIN_HASH_LEN);
	n += CHAIN_HASH_LEN;
	n += put_u64(buf + n, (uint64_t)e->id);
	n += put_u64(buf + n, (uint64_t)e->at);
	const char *texts[] = { e->actor, e->action, e->object, e->region, e->summary };
	for (int i = 0; i < 5; i++) {
		assert_true(n + 8 + strlen(texts[i]) <= sizeof(buf));
		n += put_text(buf + n, texts[i]);
	}
	assert_int_equal(crypto_generichash(out, CHAIN_HASH_LEN, buf, n, NULL, 0), 0);
}

static void test_layout(void **state)
{
	(void)state;
	assert_true(sodium_init() >= 0);
	uint8_t prev[CHAIN_HASH_LEN], got[CHAIN_HASH_LEN], want[CHAIN_HASH_LEN];
	struct chain_entry e = entry(1, 1795900000, "cli:root", "regions.import", "region:990101",
				     "990101", "demo county loaded");
	hash_of(zeros, &e, got);
	reference_hash(zeros, &e, want);
	assert_memory_equal(got, want, CHAIN_HASH_LEN);

	for (int i = 0; i < CHAIN_HASH_LEN; i++)
		prev[i] = (uint8_t)(i * 7 + 1);
	e = entry(1234567890123, -5, "user:12", "user.create", "user:13", "990101103200",
		  "role resident, phone 138****5678 便民");
	hash_of(prev, &e, got);
	reference_hash(prev, &e, want);
	assert_memory_equal(got, want, CHAIN_HASH_LEN);

	/* empty text fields still count (their length, 0, is hashed) */
	e = entry(2, 0, "", "", "", "", "");
	hash_of(prev, &e, got);
	reference_hash(prev, &e, want);
	assert_memory_equal(got, want, CHAIN_HASH_LEN);
	/* and a missing field is the same as an empty one */
	struct chain_entry n = entry(2, 0, "", "", "", NULL, NULL);
	hash_of(prev, &n, want);
	assert_memory_equal(got, want, CHAIN_HASH_LEN);
}

/* ---- a chain ---- */

enum { N = 5 };

struct chain {
	char text[N][5][64];
	struct chain_entry e[N];
};

static void chain_init(struct chain *c)
{
	static const char *const field[5] = { "actor", "action", "object", "region", "summary" };
	for (int i = 0; i < N; i++) {
		for (int f = 0; f < 5; f++)
			snprintf(c->text[i][f], sizeof(c->text[i][f]), "%s-%d", field[f], i);
		c->e[i] = entry(i + 1, 1795900000 + 60 * i, c->text[i][0], c->text[i][1],
				c->text[i][2], c->text[i][3], c->text[i][4]);
	}
}

/* The hash of the last entry, each entry linked to the one before. */
static void chain_tip(const struct chain_entry *e, int n, const uint8_t first_prev[CHAIN_HASH_LEN],
		      uint8_t out[CHAIN_HASH_LEN])
{
	uint8_t prev[CHAIN_HASH_LEN];
	memcpy(prev, first_prev, CHAIN_HASH_LEN);
	for (int i = 0; i < n; i++) {
		chain_hash(prev, &e[i], out);
		memcpy(prev, out, CHAIN_HASH_LEN);
	}
}

static void test_chain_links(void **state)
{
	(void)state;
	struct chain c;
	chain_init(&c);
	uint8_t tip[CHAIN_HASH_LEN], again[CHAIN_HASH_LEN], h[CHAIN_HASH_LEN];
	chain_tip(c.e, N, zeros, tip);
	/* deterministic */
	chain_tip(c.e, N, zeros, again);
	assert_memory_equal(tip, again, CHAIN_HASH_LEN);
	assert_memory_not_equal(tip, zeros, CHAIN_HASH_LEN);

	/* every entry's hash differs from every other's */
	uint8_t all[N][CHAIN_HASH_LEN], prev[CHAIN_HASH_LEN];
	memcpy(prev, zeros, sizeof(prev));
	for (int i = 0; i < N; i++) {
		chain_hash(prev, &c.e[i], all[i]);
		memcpy(prev, all[i], sizeof(prev));
		for (int j = 0; j < i; j++)
			assert_memory_not_equal(all[i], all[j], CHAIN_HASH_LEN);
	}
	assert_memory_equal(all[N - 1], tip, CHAIN_HASH_LEN);

	/* a different starting link changes every hash after it */
	uint8_t other[CHAIN_HASH_LEN];
	memcpy(other, zeros, sizeof(other));
	other[CHAIN_HASH_LEN - 1] = 1;
	chain_tip(c.e, N, other, h);
	assert_memory_not_equal(h, tip, CHAIN_HASH_LEN);
	/* and so does a prev hash differing in any one bit */
	for (int bit = 0; bit < 8 * CHAIN_HASH_LEN; bit += 37) {
		memcpy(other, all[1], sizeof(other));
		other[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		uint8_t a[CHAIN_HASH_LEN], b[CHAIN_HASH_LEN];
		chain_hash(all[1], &c.e[2], a);
		chain_hash(other, &c.e[2], b);
		assert_memory_not_equal(a, b, CHAIN_HASH_LEN);
	}
}

static void test_chain_any_field(void **state)
{
	(void)state;
	struct chain c;
	uint8_t tip[CHAIN_HASH_LEN], h[CHAIN_HASH_LEN];
	chain_init(&c);
	chain_tip(c.e, N, zeros, tip);

	for (int i = 0; i < N; i++) {
		/* id and time */
		chain_init(&c);
		c.e[i].id++;
		chain_tip(c.e, N, zeros, h);
		if (memcmp(h, tip, CHAIN_HASH_LEN) == 0)
			fail_msg("changing the id of entry %d left the chain's hash alone", i);
		chain_init(&c);
		c.e[i].at++;
		chain_tip(c.e, N, zeros, h);
		if (memcmp(h, tip, CHAIN_HASH_LEN) == 0)
			fail_msg("changing the time of entry %d left the chain's hash alone", i);
		/* one character of each text field */
		for (int f = 0; f < 5; f++) {
			chain_init(&c);
			c.text[i][f][0] ^= 0x20;
			chain_tip(c.e, N, zeros, h);
			if (memcmp(h, tip, CHAIN_HASH_LEN) == 0)
				fail_msg("changing field %d of entry %d left the chain's hash alone",
					 f, i);
			/* a field emptied */
			chain_init(&c);
			c.text[i][f][0] = '\0';
			chain_tip(c.e, N, zeros, h);
			assert_memory_not_equal(h, tip, CHAIN_HASH_LEN);
			/* a byte appended */
			chain_init(&c);
			strcat(c.text[i][f], " ");
			chain_tip(c.e, N, zeros, h);
			assert_memory_not_equal(h, tip, CHAIN_HASH_LEN);
		}
	}
}

static void test_chain_order(void **state)
{
	(void)state;
	struct chain c;
	uint8_t tip[CHAIN_HASH_LEN], h[CHAIN_HASH_LEN];
	chain_init(&c);
	chain_tip(c.e, N, zeros, tip);
	/* swapping any two entries (whole, ids and all) changes the tip */
	for (int i = 0; i < N; i++) {
		for (int j = i + 1; j < N; j++) {
			chain_init(&c);
			struct chain_entry t = c.e[i];
			c.e[i] = c.e[j];
			c.e[j] = t;
			chain_tip(c.e, N, zeros, h);
			if (memcmp(h, tip, CHAIN_HASH_LEN) == 0)
				fail_msg("swapping entries %d and %d left the hash alone", i, j);
		}
	}
	/* dropping one entry changes it too */
	for (int i = 0; i < N; i++) {
		chain_init(&c);
		struct chain_entry fewer[N];
		int k = 0;
		for (int j = 0; j < N; j++)
			if (j != i)
				fewer[k++] = c.e[j];
		chain_tip(fewer, N - 1, zeros, h);
		assert_memory_not_equal(h, tip, CHAIN_HASH_LEN);
	}
	/* fields swapped between each other within an entry */
	chain_init(&c);
	struct chain_entry e = c.e[0], s = e;
	uint8_t a[CHAIN_HASH_LEN], b[CHAIN_HASH_LEN];
	s.actor = e.action;
	s.action = e.actor;
	chain_hash(zeros, &e, a);
	chain_hash(zeros, &s, b);
	assert_memory_not_equal(a, b, CHAIN_HASH_LEN);
	s = e;
	s.id = e.at;
	s.at = e.id;
	chain_hash(zeros, &s, b);
	assert_memory_not_equal(a, b, CHAIN_HASH_LEN);
}

static void test_length_prefix(void **state)
{
	(void)state;
	/* the same bytes, cut at different places between two fields */
	static const char *const cuts[][2] = {
		{ "user:12", "user.create" }, { "user:12u", "ser.create" },
		{ "user:1", "2user.create" }, { "", "user:12user.create" },
		{ "user:12user.create", "" },
	};
	enum { NC = sizeof(cuts) / sizeof(cuts[0]) };
	uint8_t h[NC][CHAIN_HASH_LEN];
	for (int i = 0; i < NC; i++) {
		struct chain_entry e =
			entry(7, 100, cuts[i][0], cuts[i][1], "user:13", "990101", "x");
		chain_hash(zeros, &e, h[i]);
		for (int j = 0; j < i; j++)
			if (memcmp(h[i], h[j], CHAIN_HASH_LEN) == 0)
				fail_msg("'%s|%s' and '%s|%s' hash alike", cuts[i][0], cuts[i][1],
					 cuts[j][0], cuts[j][1]);
	}
	/* between each pair of neighbouring fields, region and summary included */
	const char *f[5] = { "ab", "cd", "ef", "gh", "ij" };
	struct chain_entry base = entry(7, 100, f[0], f[1], f[2], f[3], f[4]);
	uint8_t b[CHAIN_HASH_LEN];
	chain_hash(zeros, &base, b);
	for (int k = 0; k < 4; k++) {
		const char *g[5] = { f[0], f[1], f[2], f[3], f[4] };
		char left[8], right[8];
		/* move the first byte of field k+1 to the end of field k */
		snprintf(left, sizeof(left), "%s%c", f[k], f[k + 1][0]);
		snprintf(right, sizeof(right), "%s", f[k + 1] + 1);
		g[k] = left;
		g[k + 1] = right;
		struct chain_entry moved = entry(7, 100, g[0], g[1], g[2], g[3], g[4]);
		uint8_t m[CHAIN_HASH_LEN];
		chain_hash(zeros, &moved, m);
		if (memcmp(m, b, CHAIN_HASH_LEN) == 0)
			fail_msg("moving a byte from field %d to field %d left the hash alone",
				 k + 1, k);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_chain_links),
		cmocka_unit_test(test_chain_any_field),
		cmocka_unit_test(test_chain_order),
		cmocka_unit_test(test_length_prefix),
	};
	return cmocka_run_group_tests_name("chain", tests, NULL, NULL);
}
