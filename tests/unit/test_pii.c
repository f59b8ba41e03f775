/*
 * test_pii.c - unit tests of src/core/pii: resident ID numbers (GB 11643)
 * with their check character computed here by an independent
 * implementation of ISO 7064 MOD 11-2 (the recursive form, not the weight
 * table pii.c uses), every part that can be wrong with a number and the
 * message naming it, mainland mobile numbers in the forms people type, and
 * the masked forms in which both leave the server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/pii.h"
#include "testutil.h"

enum { TODAY = 20261129 };

/*
 * ISO 7064 MOD 11-2, recursive form: p = (p + digit) * 2 mod 11 over the 17
 * digits, then the check value c makes (p + c) mod 11 == 1; 10 is 'X'.
 */
static char iso7064_mod11_2(const char *first17)
{
	int p = 0;
	for (int i = 0; i < 17; i++)
		p = ((p + (first17[i] - '0')) * 2) % 11;
	int c = (12 - p) % 11;
	return c == 10 ? 'X' : (char)('0' + c);
}

/* first17 with its correct check character appended, into out[19]. */
static void make_id(const char *first17, char out[PII_ID_LEN + 1])
{
	assert_int_equal(strlen(first17), 17);
	memcpy(out, first17, 17);
	out[17] = iso7064_mod11_2(first17);
	out[18] = '\0';
}

static void expect_id_ok(const char *id, const char *canonical)
{
	char out[PII_ID_LEN + 1];
	struct app_error e;
	app_error_clear(&e);
	if (pii_id_check(id, TODAY, out, &e) != APP_OK)
		fail_msg("ID '%s' rejected: %s", id, e.msg);
	assert_string_equal(out, canonical);
}

/* Rejected with APP_EINVAL on field id_number, the message containing why;
 * out is left alone and the message never echoes the whole number. */
static void expect_id_bad(const char *id, int today, const char *why)
{
	char out[PII_ID_LEN + 1] = "untouched";
	struct app_error e;
	app_error_clear(&e);
	assert_int_equal(pii_id_check(id, today, out, &e), APP_EINVAL);
	assert_int_equal(e.code, APP_EINVAL);
	assert_string_equal(e.field, "id_number");
	assert_contains(e.msg, why);
	if (strlen(id) >= 8 && strstr(e.msg, id))
		fail_msg("the message echoes the whole ID number: %s", e.msg);
	assert_string_equal(out, "untouched");
}

/* ---- ID numbers ---- */

static void test_check_char_independent(void **state)
{
	(void)state;
	/* the example of GB 11643 itself */
	assert_int_equal(pii_id_check_char("11010519491231002"), 'X');
	assert_int_equal(iso7064_mod11_2("11010519491231002"), 'X');
	/* pii.c agrees with the recursive form over many numbers, every
	 * check value 0-9 and X among them */
	int seen[11] = { 0 };
	char first17[32];
	for (int i = 0; i < 2000; i++) {
		snprintf(first17, sizeof(first17), "411681%04d%02d%02d%03d", 1950 + i % 70,
			 1 + i % 12, 1 + i % 28, i % 1000);
		char want = iso7064_mod11_2(first17);
		if (pii_id_check_char(first17) != want)
			fail_msg("check character of %s: got %c, want %c", first17,
				 pii_id_check_char(first17), want);
		seen[want == 'X' ? 10 : want - '0']++;
	}
	for (int v = 0; v <= 10; v++)
		assert_true(seen[v] > 0);
}

static void test_id_valid(void **state)
{
	(void)state;
	char id[PII_ID_LEN + 1];
	make_id("41168119900307123", id);
	expect_id_ok(id, id);
	make_id("99010120000229001", id); /* 2000 is a leap year; 99 is the demo province */
	expect_id_ok(id, id);
	make_id("41168120240229001", id);
	expect_id_ok(id, id);
	/* born today is not the future */
	make_id("41168120261129005", id);
	expect_id_ok(id, id);
	make_id("11010519000101002", id); /* the earliest year accepted */
	expect_id_ok(id, id);

	/* a check character X, in either case; out is always upper case */
	assert_int_equal(iso7064_mod11_2("41168119850101123"), 'X');
	expect_id_ok("41168119850101123X", "41168119850101123X");
	expect_id_ok("41168119850101123x", "41168119850101123X");
	expect_id_ok("11010519491231002X", "11010519491231002X");
	expect_id_ok("11010519491231002x", "11010519491231002X");
}

static void test_id_length(void **state)
{
	(void)state;
	char id[PII_ID_LEN + 1];
	make_id("41168119900307123", id);
	char longer[32];
	snprintf(longer, sizeof(longer), "%s0", id);
	expect_id_bad(longer, TODAY, "18 characters, this one has 19");
	id[17] = '\0';
	expect_id_bad(id, TODAY, "18 characters, this one has 17");
	expect_id_bad("", TODAY, "this one has 0");
	/* the old 15-digit form is not accepted */
	expect_id_bad("411681900307123", TODAY, "this one has 15");
}

static void test_id_non_digit(void **state)
{
	(void)state;
	char id[PII_ID_LEN + 1], bad[PII_ID_LEN + 1], msg[64];
	make_id("41168119900307123", id);
	/* each of the first 17 positions must be a digit; the message names it */
	for (int i = 0; i < 17; i++) {
		memcpy(bad, id, sizeof(bad));
		bad[i] = i % 2 ? 'X' : ' ';
		snprintf(msg, sizeof(msg), "character %d of the ID number must be a digit", i + 1);
		expect_id_bad(bad, TODAY, msg);
	}
	/* an X is a check character only in last place, and nothing else is */
	memcpy(bad, id, sizeof(bad));
	bad[17] = 'Y';
	expect_id_bad(bad, TODAY, "check digit");
	/* a multi-byte character of the right byte length */
	expect_id_bad("4116811990030712\xe5\x8f\xb7", TODAY, "this one has 19");
}

static void test_id_province(void **state)
{
	(void)state;
	char id[PII_ID_LEN + 1];
	/* 00, 10, 19, 20, 30, 39, 47, 55, 60, 66, 70, 72, 80, 83, 90, 98: no province */
	static const char *const bad[] = { "00", "10", "19", "20", "30", "39", "47", "55",
					   "60", "66", "70", "72", "80", "83", "90", "98" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char first17[32];
		snprintf(first17, sizeof(first17), "%s1681199003071%02zu", bad[i], i);
		make_id(first17, id);
		expect_id_bad(id, TODAY, "which is no province");
	}
	/* every province of GB/T 2260 (and Hong Kong, Macao, Taiwan) passes */
	static const char *const good[] = { "11", "12", "13", "14", "15", "21", "22", "23",
					    "31", "32", "33", "34", "35", "36", "37", "41",
					    "42", "43", "44", "45", "46", "50", "51", "52",
					    "53", "54", "61", "62", "63", "64", "65", "71",
					    "81", "82", "99" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char first17[32];
		snprintf(first17, sizeof(first17), "%s0105198001011%02zu", good[i], i);
		make_id(first17, id);
		expect_id_ok(id, id);
	}
}

static void test_id_dates(void **state)
{
	(void)state;
	static const char *const impossible[] = {
		"19930229", /* 1993 is not a leap year */
		"19000229", /* 1900 is not: divisible by 100, not by 400 */
		"21000229", /* nor 2100 (and that is the future as well) */
		"19900230", "19900431", "19900631", "19900931", "19901131", "19900132",
		"19900001", "19901301", "19909901", "19900100", "18991231",
		"00000101",
	};
	char first17[32], id[PII_ID_LEN + 1];
	for (size_t i = 0; i < sizeof(impossible) / sizeof(impossible[0]); i++) {
		snprintf(first17, sizeof(first17), "411681%s123", impossible[i]);
		make_id(first17, id);
		expect_id_bad(id, 21001231, "is not a real date");
	}
	/* the last day of each month is fine */
	static const char *const last_days[] = { "19900131", "19900228", "19920229", "19900331",
						 "19900430", "19900531", "19900630", "19900731",
						 "19900831", "19900930", "19901031", "19901130",
						 "19901231" };
	for (size_t i = 0; i < sizeof(last_days) / sizeof(last_days[0]); i++) {
		snprintf(first17, sizeof(first17), "411681%s123", last_days[i]);
		make_id(first17, id);
		expect_id_ok(id, id);
	}
}

static void test_id_future(void **state)
{
	(void)state;
	char id[PII_ID_LEN + 1];
	/* the day after 'today', whatever 'today' is */
	make_id("41168120261130123", id);
	expect_id_bad(id, TODAY, "in the future");
	char out[PII_ID_LEN + 1];
	assert_int_equal(pii_id_check(id, 20261130, out, NULL), APP_OK);
	make_id("41168120270101123", id);
	expect_id_bad(id, TODAY, "in the future");
	assert_int_equal(pii_id_check(id, 20270101, out, NULL), APP_OK);
	/* a person born in 1990 cannot be registered "in 1989" */
	make_id("41168119900307123", id);
	expect_id_bad(id, 19891231, "in the future");
	/* a real date is checked before the future */
	make_id("41168120270229123", id);
	expect_id_bad(id, TODAY, "is not a real date");
}

static void test_id_check_digit(void **state)
{
	(void)state;
	char id[PII_ID_LEN + 1], bad[PII_ID_LEN + 1];
	make_id("41168119900307123", id);
	/* every wrong check character is caught */
	const char *all = "0123456789Xx";
	for (const char *c = all; *c; c++) {
		memcpy(bad, id, sizeof(bad));
		bad[17] = *c;
		if ((*c == 'x' ? 'X' : *c) == id[17])
			continue;
		expect_id_bad(bad, TODAY, "check digit");
	}
	/* a single mistyped digit, or two neighbours swapped, is caught */
	for (int i = 14; i < 17; i++) {
		memcpy(bad, id, sizeof(bad));
		bad[i] = bad[i] == '9' ? '0' : (char)(bad[i] + 1);
		expect_id_bad(bad, TODAY, "check digit");
	}
	memcpy(bad, id, sizeof(bad));
	bad[14] = id[15];
	bad[15] = id[14];
	expect_id_bad(bad, TODAY, "check digit");
	/* X where a digit is due */
	assert_true(id[17] != 'X');
	memcpy(bad, id, sizeof(bad));
	bad[17] = 'X';
	expect_id_bad(bad, TODAY, "check digit");
	/* a NULL error buffer is fine */
	char out[PII_ID_LEN + 1];
	assert_int_equal(pii_id_check(bad, TODAY, out, NULL), APP_EINVAL);
}

/* ---- phone numbers ---- */

static void expect_phone_ok(const char *in, const char *want)
{
	char out[PII_PHONE_LEN + 1];
	struct app_error e;
	app_error_clear(&e);
	if (pii_phone_check(in, out, &e) != APP_OK)
		fail_msg("phone '%s' rejected: %s", in, e.msg);
	assert_string_equal(out, want);
}

static void expect_phone_bad(const char *in, const char *why)
{
	char out[PII_PHONE_LEN + 1] = "untouched";
	struct app_error e;
	app_error_clear(&e);
	if (pii_phone_check(in, out, &e) != APP_EINVAL)
		fail_msg("phone '%s' accepted as %s", in, out);
	assert_string_equal(e.field, "phone");
	assert_contains(e.msg, why);
	assert_string_equal(out, "untouched");
}

static void test_phone_valid(void **state)
{
	(void)state;
	expect_phone_ok("13812345678", "13812345678");
	for (char c = '3'; c <= '9'; c++) {
		char in[16], want[16];
		snprintf(in, sizeof(in), "1%c012345678", c);
		snprintf(want, sizeof(want), "1%c012345678", c);
		expect_phone_ok(in, want);
	}
	expect_phone_ok("+8613812345678", "13812345678");
	expect_phone_ok("8613812345678", "13812345678");
	expect_phone_ok("+86 138 1234 5678", "13812345678");
	expect_phone_ok("+86-138-1234-5678", "13812345678");
	expect_phone_ok("86 13812345678", "13812345678");
	expect_phone_ok("138 1234 5678", "13812345678");
	expect_phone_ok("138-1234-5678", "13812345678");
	expect_phone_ok("199 0000 0001", "19900000001");
}

static void test_phone_invalid(void **state)
{
	(void)state;
	const char *shape = "11 digits and starts with 13 to 19";
	/* 10 to 12 are no mobile prefixes */
	expect_phone_bad("12812345678", shape);
	expect_phone_bad("12012345678", shape);
	expect_phone_bad("11812345678", shape);
	expect_phone_bad("10812345678", shape);
	expect_phone_bad("+8612812345678", shape);
	/* not starting with 1 at all (a landline, a number with a 0 trunk prefix) */
	expect_phone_bad("23812345678", shape);
	expect_phone_bad("03712345678", shape);
	/* wrong lengths, with and without country code */
	expect_phone_bad("1381234567", shape);
	expect_phone_bad("138123456789", shape);
	expect_phone_bad("+861381234567", shape);
	expect_phone_bad("+86138123456789", shape);
	expect_phone_bad("", shape);
	expect_phone_bad("+86", shape);
	expect_phone_bad("   ", shape);
	/* a country code other than 86 */
	expect_phone_bad("+8513812345678", shape);
	/* other characters */
	const char *chars = "only digits, spaces, dashes and a leading +";
	expect_phone_bad("138.1234.5678", chars);
	expect_phone_bad("(138)12345678", chars);
	expect_phone_bad("138 1234 567a", chars);
	expect_phone_bad("13812345678+", chars);
	expect_phone_bad("++8613812345678", chars);
	expect_phone_bad("１３８１２３４５６７８", chars); /* full-width digits */
	/* a very long input is refused, not overflowed */
	char lots[200];
	memset(lots, '1', sizeof(lots) - 1);
	lots[sizeof(lots) - 1] = '\0';
	expect_phone_bad(lots, "");
}

/* ---- masks ---- */

static void test_masks(void **state)
{
	(void)state;
	char out[32];
	pii_id_mask("41168119850101123X", out);
	assert_string_equal(out, "4116**********123X");
	assert_int_equal(strlen(out), 18);
	pii_id_mask("990101200002290011", out);
	assert_string_equal(out, "9901**********0011");
	/* nothing of the birth date or sequence survives */
	assert_null(strstr(out, "2000"));

	pii_phone_mask("13812345678", out);
	assert_string_equal(out, "138****5678");
	assert_int_equal(strlen(out), 11);
	pii_phone_mask("19900000001", out);
	assert_string_equal(out, "199****0001");

	/* too short to mask meaningfully: nothing of it is shown */
	pii_id_mask("1234567", out);
	assert_string_equal(out, "****");
	pii_id_mask("", out);
	assert_string_equal(out, "****");
	pii_phone_mask("123456", out);
	assert_string_equal(out, "****");
	pii_phone_mask("", out);
	assert_string_equal(out, "****");
}

/* a name keeps its first character, the rest are stars */
static void test_name_mask(void **state)
{
	(void)state;
	char out[PII_NAME_MASK_MAX];
	pii_name_mask("王小明", out);
	assert_string_equal(out, "王**");
	pii_name_mask("A", out);
	assert_string_equal(out, "A");
	pii_name_mask("", out);
	assert_string_equal(out, "");
	char longer[40 * 3 + 1] = "";
	for (int i = 0; i < 40; i++)
		strcat(longer, "阿");
	pii_name_mask(longer, out);
	assert_int_equal(strlen(out), PII_NAME_MASK_MAX - 1); /* 阿 and 28 stars */
	assert_memory_equal(out, "阿****", 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_char_independent),
		cmocka_unit_test(test_id_valid),
		cmocka_unit_test(test_id_length),
		cmocka_unit_test(test_id_non_digit),
		cmocka_unit_test(test_id_province),
		cmocka_unit_test(test_id_dates),
		cmocka_unit_test(test_id_future),
		cmocka_unit_test(test_id_check_digit),
		cmocka_unit_test(test_phone_valid),
		cmocka_unit_test(test_phone_invalid),
		cmocka_unit_test(test_masks),
		cmocka_unit_test(test_name_mask),
	};
	return cmocka_run_group_tests_name("pii", tests, NULL, NULL);
}
