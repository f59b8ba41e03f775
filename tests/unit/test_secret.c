/*
 * test_secret.c - unit tests of src/auth/secret: the shape and uniqueness
 * of session tokens, API keys, invitation codes and one-time passwords;
 * the stored hash of a token (BLAKE2b-256, checked against a published
 * value so that stored hashes stay valid across versions); the CSRF token
 * derived from a session token; constant-time string equality; each
 * password rule with its message; and Argon2id hashing and verification.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/secret.h"
#include "core/err.h"
#include "testutil.h"

#include <sodium.h>

static bool all_in(const char *s, const char *alphabet)
{
	for (; *s; s++)
		if (!strchr(alphabet, *s))
			return false;
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* Sort n strings of size each and fail on any two equal. */
static void assert_all_different(char *strings, size_t n, size_t size)
{
	qsort(strings, n, size, cmp_str);
	for (size_t i = 1; i < n; i++)
		if (strcmp(strings + (i - 1) * size, strings + i * size) == 0)
			fail_msg("'%s' was made twice", strings + i * size);
}

#define B64URL "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

/* ---- tokens and codes ---- */

enum { MANY = 2000 };

static void test_token_format(void **state)
{
	(void)state;
	char t[SECRET_TOKEN_MAX];
	memset(t, '#', sizeof(t));
	secret_token_new(SECRET_SESSION_PREFIX, t);
	assert_int_equal(strlen(t), 4 + 43); /* 256 bits in base64url, no padding */
	assert_memory_equal(t, "bms_", 4);
	assert_true(all_in(t + 4, B64URL));

	secret_token_new(SECRET_API_KEY_PREFIX, t);
	assert_int_equal(strlen(t), 4 + 43);
	assert_memory_equal(t, "bmk_", 4);
	assert_true(all_in(t + 4, B64URL));

	secret_token_new("", t);
	assert_int_equal(strlen(t), 43);
	assert_true(all_in(t, B64URL));
}

static void test_token_unique(void **state)
{
	(void)state;
	char(*t)[SECRET_TOKEN_MAX] = calloc(MANY, sizeof(*t));
	assert_non_null(t);
	for (int i = 0; i < MANY; i++)
		secret_token_new(SECRET_SESSION_PREFIX, t[i]);
	assert_all_different(&t[0][0], MANY, sizeof(*t));
	/* and random: every base64url character shows up somewhere */
	int seen[256] = { 0 };
	for (int i = 0; i < MANY; i++)
		for (const char *p = t[i] + 4; *p; p++)
			seen[(unsigned char)*p]++;
	for (const char *c = B64URL; *c; c++)
		if (!seen[(unsigned char)*c])
			fail_msg("'%c' never appears in %d tokens", *c, MANY);
	free(t);
}

static void test_codes(void **state)
{
	(void)state;
	char(*c)[16] = calloc(MANY, sizeof(*c));
	assert_non_null(c);
	/* invitation codes: 10 characters, none that reads like another */
	for (int i = 0; i < MANY; i++) {
		secret_invite_code(c[i]);
		assert_int_equal(strlen(c[i]), 10);
		if (!all_in(c[i], "23456789ABCDEFGHJKMNPQRSTUVWXYZ"))
			fail_msg("invitation code '%s' has a look-alike or foreign character", c[i]);
	}
	assert_all_different(&c[0][0], MANY, sizeof(*c));
	/* one-time passwords: 12 letters and digits, no look-alikes either */
	for (int i = 0; i < MANY; i++) {
		secret_one_time_password(c[i]);
		assert_int_equal(strlen(c[i]), 12);
		if (!all_in(c[i], "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ"))
			fail_msg("one-time password '%s' has a look-alike character", c[i]);
	}
	assert_all_different(&c[0][0], MANY, sizeof(*c));
	free(c);
}

/* ---- hashes and CSRF ---- */

static void test_hash(void **state)
{
	(void)state;
	/* BLAKE2b-256("abc") (RFC 7693 parameters, 32-byte digest): stored
	 * hashes must stay what they are, or every session is lost */
	static const uint8_t abc[TOKEN_HASH_LEN] = {
		0xbd, 0xdd, 0x81, 0x3c, 0x63, 0x42, 0x39, 0x72, 0x31, 0x71, 0xef,
		0x3f, 0xee, 0x98, 0x57, 0x9b, 0x94, 0x96, 0x4e, 0x3b, 0xb1, 0xcb,
		0x3e, 0x42, 0x72, 0x62, 0xc8, 0xc0, 0x68, 0xd5, 0x23, 0x19,
	};
	uint8_t h1[TOKEN_HASH_LEN], h2[TOKEN_HASH_LEN];
	secret_hash("abc", h1);
	assert_memory_equal(h1, abc, TOKEN_HASH_LEN);

	/* stable */
	char t[SECRET_TOKEN_MAX];
	secret_token_new(SECRET_SESSION_PREFIX, t);
	secret_hash(t, h1);
	secret_hash(t, h2);
	assert_memory_equal(h1, h2, TOKEN_HASH_LEN);

	/* different tokens, and tokens differing in one character, differ */
	char u[SECRET_TOKEN_MAX];
	memcpy(u, t, sizeof(u));
	u[10] = u[10] == 'A' ? 'B' : 'A';
	secret_hash(u, h2);
	assert_memory_not_equal(h1, h2, TOKEN_HASH_LEN);
	secret_token_new(SECRET_SESSION_PREFIX, u);
	secret_hash(u, h2);
	assert_memory_not_equal(h1, h2, TOKEN_HASH_LEN);
	/* and the hash is not the token */
	assert_memory_not_equal(h1, t, TOKEN_HASH_LEN);
}

static void test_csrf(void **state)
{
	(void)state;
	char t1[SECRET_TOKEN_MAX], t2[SECRET_TOKEN_MAX];
	char a[SECRET_TOKEN_MAX], b[SECRET_TOKEN_MAX], c[SECRET_TOKEN_MAX];
	secret_token_new(SECRET_SESSION_PREFIX, t1);
	secret_token_new(SECRET_SESSION_PREFIX, t2);
	secret_csrf(t1, a);
	secret_csrf(t1, b);
	secret_csrf(t2, c);
	/* stable for a session, so that it need not be stored */
	assert_string_equal(a, b);
	/* different for another session */
	assert_string_not_equal(a, c);
	/* shaped like a token, and revealing neither the token nor its hash */
	assert_int_equal(strlen(a), 43);
	assert_true(all_in(a, B64URL));
	assert_null(strstr(t1, a));
	assert_null(strstr(a, t1 + 4));
	/* the stored session hash must not give it away: whoever reads the
	 * database could otherwise forge the CSRF token of every session */
	uint8_t h[TOKEN_HASH_LEN];
	char hb64[SECRET_TOKEN_MAX];
	secret_hash(t1, h);
	sodium_bin2base64(hb64, sizeof(hb64), h, sizeof(h), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	assert_string_not_equal(a, hb64);
	sodium_bin2base64(hb64, sizeof(hb64), h, sizeof(h), sodium_base64_VARIANT_ORIGINAL);
	assert_string_not_equal(a, hb64);
	/* one character of difference in the token changes it */
	t1[20] = t1[20] == 'A' ? 'B' : 'A';
	secret_csrf(t1, c);
	assert_string_not_equal(a, c);
}

static void test_equal(void **state)
{
	(void)state;
	assert_true(secret_equal("", ""));
	assert_true(secret_equal("abc", "abc"));
	char t[SECRET_TOKEN_MAX], u[SECRET_TOKEN_MAX];
	secret_token_new(SECRET_SESSION_PREFIX, t);
	memcpy(u, t, sizeof(u));
	assert_true(secret_equal(t, u));
	u[46] ^= 1; /* last character */
	assert_false(secret_equal(t, u));
	u[46] ^= 1;
	u[0] = 'x'; /* first */
	assert_false(secret_equal(t, u));
	/* a prefix is not equal, in either order; nor is empty */
	assert_false(secret_equal("abc", "abcd"));
	assert_false(secret_equal("abcd", "abc"));
	assert_false(secret_equal("", "a"));
	assert_false(secret_equal("a", ""));
	assert_false(secret_equal("abc", "ABC"));
}

/* ---- passwords ---- */

static void expect_pw_bad(const char *pw, const char *phone, const char *why)
{
	struct app_error e;
	app_error_clear(&e);
	assert_int_equal(secret_password_check(pw, phone, &e), APP_EINVAL);
	assert_int_equal(e.code, APP_EINVAL);
	assert_string_equal(e.field, "password");
	assert_contains(e.msg, why);
}

static void expect_pw_ok(const char *pw, const char *phone)
{
	struct app_error e;
	app_error_clear(&e);
	if (secret_password_check(pw, phone, &e) != APP_OK)
		fail_msg("password '%s' refused: %s", pw, e.msg);
}

static void test_password_rules(void **state)
{
	(void)state;
	/* required */
	expect_pw_bad(NULL, NULL, "a password is required");
	expect_pw_bad("", "13812345678", "a password is required");

	/* length in characters: 8 or more */
	expect_pw_bad("abc1234", NULL, "at least 8 characters");
	expect_pw_ok("abcd1234", NULL);
	/* counted in characters, not bytes: 7 Chinese characters are 21 bytes */
	expect_pw_bad("便民服务中心1", NULL, "at least 8 characters");
	expect_pw_ok("便民服务中心好1", NULL);

	/* at most 128 bytes */
	char pw[200];
	memset(pw, 'a', 128);
	pw[0] = '1';
	pw[128] = '\0';
	expect_pw_ok(pw, NULL);
	pw[128] = 'b';
	pw[129] = '\0';
	expect_pw_bad(pw, NULL, "at most 128 bytes");

	/* UTF-8 only */
	expect_pw_bad("abcd1234\xff", NULL, "UTF-8");
	expect_pw_bad("abcd1234\xc0\xaf", NULL, "UTF-8"); /* overlong '/' */
	expect_pw_bad("abcd\xe4\xbd", NULL, "UTF-8");     /* cut short */

	/* two kinds of characters */
	const char *kinds = "two kinds of characters";
	expect_pw_bad("abcdefgh", NULL, kinds);
	expect_pw_bad("ABCDefgh", NULL, kinds); /* cases are one kind */
	expect_pw_bad("12345678", NULL, kinds);
	expect_pw_bad("!@#$%^&*", NULL, kinds);
	expect_pw_bad("便民服务中心好吗", NULL, kinds);
	expect_pw_ok("abcdefg1", NULL);
	expect_pw_ok("abcdefg!", NULL);
	expect_pw_ok("1234567!", NULL);
	expect_pw_ok("便民服务中心好a", NULL);
	expect_pw_ok("correct horse", NULL); /* a space is another sign */

	/* not the phone number */
	const char *phone_msg = "must not contain the phone number";
	expect_pw_bad("13812345678a", "13812345678", phone_msg);
	expect_pw_bad("x13812345678", "13812345678", phone_msg);
	expect_pw_bad("13812345678!", "13812345678", phone_msg);
	expect_pw_ok("13812345678a", "13912345678"); /* someone else's is fine */
	expect_pw_ok("1381234567x", "13812345678");
	expect_pw_ok("13812345678a", "");
	expect_pw_ok("13812345678a", NULL);

	/* rules are checked in order: the first one broken is the one named */
	expect_pw_bad("abc", "13812345678", "at least 8 characters");
}

static void test_password_hash_verify(void **state)
{
	(void)state;
	char h1[SECRET_PWHASH_MAX], h2[SECRET_PWHASH_MAX];
	struct app_error e;
	assert_int_equal(secret_password_hash("demo-2026", h1, &e), APP_OK);
	assert_int_equal(strncmp(h1, "$argon2id$", 10), 0);
	/* the costs docs/security.md promises: 32 MiB, 3 passes, one lane */
	assert_non_null(strstr(h1, "$m=32768,t=3,p=1$"));
	assert_true(strlen(h1) < SECRET_PWHASH_MAX);
	assert_null(strstr(h1, "demo-2026"));
	assert_true(secret_password_verify(h1, "demo-2026"));
	assert_false(secret_password_verify(h1, "demo-2027"));
	assert_false(secret_password_verify(h1, "demo-202"));
	assert_false(secret_password_verify(h1, "demo-20266"));
	assert_false(secret_password_verify(h1, ""));

	/* salted: the same password hashes differently each time; both verify */
	assert_int_equal(secret_password_hash("demo-2026", h2, &e), APP_OK);
	assert_string_not_equal(h1, h2);
	assert_true(secret_password_verify(h2, "demo-2026"));

	/* non-ASCII passwords round-trip */
	assert_int_equal(secret_password_hash("便民服务中心好1", h2, &e), APP_OK);
	assert_true(secret_password_verify(h2, "便民服务中心好1"));
	assert_false(secret_password_verify(h2, "便民服务中心好2"));

	/* no account (empty or missing hash): false, whatever the password,
	 * even the one the dummy hash was made from */
	assert_false(secret_password_verify("", "demo-2026"));
	assert_false(secret_password_verify(NULL, "demo-2026"));
	assert_false(secret_password_verify("", ""));
	assert_false(secret_password_verify("", "not a real password 1"));
	/* a damaged hash never verifies */
	assert_false(secret_password_verify("$argon2id$garbage", "demo-2026"));
	h1[strlen(h1) - 2] = h1[strlen(h1) - 2] == 'A' ? 'B' : 'A';
	assert_false(secret_password_verify(h1, "demo-2026"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_format),
		cmocka_unit_test(test_token_unique),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_password_rules),
		cmocka_unit_test(test_password_hash_verify),
	};
	return cmocka_run_group_tests_name("secret", tests, NULL, NULL);
}
