/*
 * test_exchange.c - unit tests of src/exchange/exchange.c: the exact bytes a
 * provider signs, Ed25519 signatures (checked against RFC 8032's first test
 * vector, so that an agency's own implementation agrees with ours), the
 * schema parser, the batch validator (typed rows, line-numbered errors, all
 * or nothing, personal values never quoted) on CSV and JSON lines, the
 * granted fields, the secret key file, and the push schedule with its
 * backoff.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "exchange/exchange.h"
#include "store/store.h"
#include "testutil.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const SCHEMA =
	"{\"fields\": ["
	"{\"name\": \"id_number\", \"type\": \"string\", \"required\": true, \"personal\": true},"
	"{\"name\": \"born\", \"type\": \"date\", \"personal\": true},"
	"{\"name\": \"grade\", \"type\": \"enum\", \"values\": [\"1\", \"2\"], \"required\": true,"
	" \"personal\": false},"
	"{\"name\": \"members\", \"type\": \"int\", \"personal\": false},"
	"{\"name\": \"premium\", \"type\": \"decimal\", \"personal\": false},"
	"{\"name\": \"enrolled\", \"type\": \"bool\", \"personal\": false}"
	"]}";

static struct exchange_schema *schema(void)
{
	struct exchange_schema *sc = NULL;
	struct app_error err;
	if (exchange_schema_parse(SCHEMA, strlen(SCHEMA), &sc, &err) != APP_OK)
		fail_msg("the test schema does not parse: %s", err.msg);
	return sc;
}

/* ---- what is signed ---- */

static void test_signed_bytes(void **state)
{
	(void)state;
	struct strbuf b;
	strbuf_init(&b, 64);
	exchange_batch_signed_bytes(&b, "CDPF", "disability", "2026-11",
				    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(b.buf, "bianmin-exchange-batch-v1\n"
				   "member=CDPF\n"
				   "dataset=disability\n"
				   "batch=2026-11\n"
				   "sha256=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
	strbuf_reset(&b);
	exchange_push_signed_bytes(&b, 12, 7, "00ff");
	assert_string_equal(b.buf,
			    "bianmin-exchange-push-v1\nsubscription=12\nupto=7\nsha256=00ff\n");
	strbuf_release(&b);

	char hex[65];
	exchange_sha256_hex("abc", 3, hex); /* FIPS 180-2's example */
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* RFC 8032 section 7.1, TEST 1: the empty message. */
static void test_rfc8032_vector(void **state)
{
	(void)state;
	static const char *seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
	static const char *pub = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
	static const char *want = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
				  "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
	assert_int_equal(sodium_init() < 0, 0);
	uint8_t sk[64], raw[64];
	sodium_hex2bin(sk, 32, seed, 64, NULL, NULL, NULL);
	sodium_hex2bin(sk + 32, 32, pub, 64, NULL, NULL, NULL);
	char sk64[EXCHANGE_SECRET_TEXT], pk64[64], sig[EXCHANGE_SIG_TEXT], hex[129];
	sodium_bin2base64(sk64, sizeof(sk64), sk, 64, sodium_base64_VARIANT_ORIGINAL);
	struct app_error err;
	assert_int_equal(exchange_sign(sk64, "", 0, sig, sizeof(sig), &err), APP_OK);
	size_t n = 0;
	assert_int_equal(sodium_base642bin(raw, sizeof(raw), sig, strlen(sig), NULL, &n, NULL,
					   sodium_base64_VARIANT_ORIGINAL),
			 0);
	assert_int_equal(n, 64);
	sodium_bin2hex(hex, sizeof(hex), raw, 64);
	assert_string_equal(hex, want);
	assert_int_equal(exchange_public_of(sk64, pk64, sizeof(pk64), &err), APP_OK);
	assert_true(exchange_verify(pk64, "", 0, sig));
}

static void test_sign_verify(void **state)
{
	(void)state;
	char pk[64], sk[EXCHANGE_SECRET_TEXT], pk2[64], sk2[EXCHANGE_SECRET_TEXT];
	exchange_keypair(pk, sizeof(pk), sk, sizeof(sk));
	exchange_keypair(pk2, sizeof(pk2), sk2, sizeof(sk2));
	assert_int_equal(strlen(pk), 44);
	assert_int_equal(strlen(sk), 88);
	char hex[65], sig[EXCHANGE_SIG_TEXT];
	exchange_sha256_hex("id_number\n1\n", 12, hex);
	struct strbuf b, other;
	strbuf_init(&b, 200);
	strbuf_init(&other, 200);
	exchange_batch_signed_bytes(&b, "CDPF", "disability", "2026-11", hex);
	struct app_error err;
	assert_int_equal(exchange_sign(sk, b.buf, b.len, sig, sizeof(sig), &err), APP_OK);
	assert_true(exchange_verify(pk, b.buf, b.len, sig));
	assert_false(exchange_verify(pk2, b.buf, b.len, sig)); /* another member's key */
	/* any other member, dataset, batch id or body makes other bytes */
	const char *const variants[][3] = { { "YBJ", "disability", "2026-11" },
					    { "CDPF", "rehab", "2026-11" },
					    { "CDPF", "disability", "2026-12" } };
	for (size_t i = 0; i < 3; i++) {
		strbuf_reset(&other);
		exchange_batch_signed_bytes(&other, variants[i][0], variants[i][1], variants[i][2],
					    hex);
		assert_false(exchange_verify(pk, other.buf, other.len, sig));
	}
	strbuf_reset(&other);
	exchange_sha256_hex("id_number\n2\n", 12, hex);
	exchange_batch_signed_bytes(&other, "CDPF", "disability", "2026-11", hex);
	assert_false(exchange_verify(pk, other.buf, other.len, sig));
	/* malformed keys and signatures never verify, never crash */
	assert_false(exchange_verify("not base64!", b.buf, b.len, sig));
	assert_false(exchange_verify(pk, b.buf, b.len, "c2hvcnQ="));
	assert_false(exchange_verify(pk, b.buf, b.len, ""));
	assert_int_equal(exchange_sign("c2hvcnQ=", b.buf, b.len, sig, sizeof(sig), &err), APP_EINVAL);
	strbuf_release(&b);
	strbuf_release(&other);
}

static void test_secret_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/bianmin-test-exchange.XXXXXX", path[64], sk[EXCHANGE_SECRET_TEXT],
	     pk[64], back[EXCHANGE_SECRET_TEXT];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/m.key", dir);
	exchange_keypair(pk, sizeof(pk), sk, sizeof(sk));
	struct app_error err;
	assert_int_equal(exchange_secret_write(path, sk, &err), APP_OK);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(exchange_secret_write(path, sk, &err), APP_ECONFLICT); /* never replaced */
	assert_int_equal(exchange_secret_read(path, back, sizeof(back), &err), APP_OK);
	assert_string_equal(back, sk);
	FILE *f = fopen(path, "w");
	fputs("garbage\n", f);
	fclose(f);
	assert_int_equal(exchange_secret_read(path, back, sizeof(back), &err), APP_EINVAL);
	unlink(path);
	assert_int_equal(exchange_secret_read(path, back, sizeof(back), &err), APP_ENOTFOUND);
	rmdir(dir);
}

/* ---- schemas ---- */

static void expect_schema_error(const char *json, const char *part)
{
	struct exchange_schema *sc = NULL;
	struct app_error err;
	assert_int_equal(exchange_schema_parse(json, strlen(json), &sc, &err), APP_EINVAL);
	assert_null(sc);
	if (!strstr(err.msg, part))
		fail_msg("schema error '%s' lacks '%s'", err.msg, part);
}

static void test_schema(void **state)
{
	(void)state;
	struct exchange_schema *sc = schema();
	assert_int_equal(sc->nfields, 6);
	assert_int_equal(exchange_schema_field(sc, "grade"), 2);
	assert_int_equal(exchange_schema_field(sc, "nope"), -1);
	assert_true(sc->fields[0].personal && sc->fields[0].required);
	assert_false(sc->fields[2].personal);
	assert_int_equal(sc->fields[2].type, EXT_ENUM);
	assert_int_equal(sc->fields[2].nvalues, 2);
	exchange_schema_free(sc);

	expect_schema_error("[]", "1 to 64 fields");
	expect_schema_error("{\"fields\": [{\"name\": \"a\", \"type\": \"money\", \"personal\": false}]}",
			    "field 'a' needs a type");
	expect_schema_error("{\"fields\": [{\"name\": \"a\", \"type\": \"int\"}]}",
			    "whether it is personal");
	expect_schema_error("{\"fields\": [{\"name\": \"a\", \"type\": \"int\", \"personal\": false},"
			    "{\"name\": \"a\", \"type\": \"int\", \"personal\": false}]}",
			    "'a' is named twice");
	expect_schema_error("{\"fields\": [{\"name\": \"a\", \"type\": \"enum\", \"personal\": false}]}",
			    "enum field 'a' needs its values");
	expect_schema_error("{\"fields\": [{\"name\": \"a\", \"type\": \"enum\", \"values\": [\"x\", 2],"
			    " \"personal\": false}]}",
			    "value 2");
	expect_schema_error("{\"fields\": [{\"name\": \"Bad Name\", \"type\": \"int\", \"personal\": false}]}",
			    "field 1 needs a name");
	expect_schema_error("{\"fields\": [", "not JSON");
}

/* ---- batches ---- */

/* Parse body as format; on success the rows joined by '\n' into out. */
static enum app_err parse(enum exchange_format format, const char *body, char *out, size_t cap,
			  struct app_error *err)
{
	struct exchange_schema *sc = schema();
	struct exchange_rows rows = { 0 };
	enum app_err rc = exchange_batch_parse(sc, format, body, strlen(body), &rows, err);
	exchange_schema_free(sc);
	out[0] = '\0';
	for (size_t i = 0; rc == APP_OK && i < rows.n; i++) {
		strncat(out, rows.rows[i], cap - strlen(out) - 2);
		strcat(out, "\n");
	}
	if (rc != APP_OK)
		assert_int_equal(rows.n, 0);
	exchange_rows_release(&rows);
	return rc;
}

static void test_batch_csv(void **state)
{
	(void)state;
	char out[2048];
	struct app_error err;
	/* columns in any order, empty optional values left out, values typed */
	assert_int_equal(parse(EXCHANGE_CSV,
			       "grade,id_number,members,premium,enrolled,born\r\n"
			       "1,110101199001011234,3,380.50,true,1990-01-01\r\n"
			       "2,\"11010119850505002X\",,-12,0,\n",
			       out, sizeof(out), &err),
			 APP_OK);
	assert_string_equal(out, "{\"id_number\":\"110101199001011234\",\"born\":\"1990-01-01\","
				 "\"grade\":\"1\",\"members\":3,\"premium\":\"380.50\","
				 "\"enrolled\":true}\n"
				 "{\"id_number\":\"11010119850505002X\",\"grade\":\"2\","
				 "\"premium\":\"-12\",\"enrolled\":false}\n");

	/* every bad line named, all or nothing, personal values withheld */
	assert_int_equal(parse(EXCHANGE_CSV,
			       "id_number,born,grade,members\n"
			       "1,1990-01-01,1,2\n"
			       "2,1990-13-01,3,x\n"
			       ",,1,\n",
			       out, sizeof(out), &err),
			 APP_EINVAL);
	assert_string_equal(err.msg, "the batch breaks the dataset's schema, nothing was stored: "
				     "line 3: field 'born': (a personal value, not shown) is not a "
				     "date such as 2026-11-29; line 3: field 'grade': '3' is not one "
				     "of its values; line 3: field 'members': 'x' is not a whole "
				     "number; line 4: field 'id_number' is required");
	assert_null(strstr(err.msg, "1990-13-01"));
	assert_string_equal(out, "");

	/* more errors than are spelt out are counted */
	assert_int_equal(parse(EXCHANGE_CSV, "id_number,grade\n1,9\n2,9\n3,9\n4,9\n5,9\n6,9\n", out,
			       sizeof(out), &err),
			 APP_EINVAL);
	assert_non_null(strstr(err.msg, "line 5: field 'grade': '9' is not one of its values; and 2 more"));

	/* the header */
	assert_int_equal(parse(EXCHANGE_CSV, "id_number,grade,salary\n1,1,3\n", out, sizeof(out), &err),
			 APP_EINVAL);
	assert_non_null(strstr(err.msg, "line 1: the header names 'salary', which is no field"));
	assert_int_equal(parse(EXCHANGE_CSV, "id_number,members\n1,3\n", out, sizeof(out), &err),
			 APP_EINVAL);
	assert_non_null(strstr(err.msg, "line 1: the header lacks the required field 'grade'"));
	assert_int_equal(parse(EXCHANGE_CSV, "id_number,grade,grade\n1,1,1\n", out, sizeof(out), &err),
			 APP_EINVAL);
	assert_non_null(strstr(err.msg, "names 'grade' twice"));
	assert_int_equal(parse(EXCHANGE_CSV, "id_number,grade\n1,1,1\n", out, sizeof(out), &err),
			 APP_EINVAL);
	assert_non_null(strstr(err.msg, "line 2: 3 values, the header has 2 columns"));
	assert_int_equal(parse(EXCHANGE_CSV, "", out, sizeof(out), &err), APP_EINVAL);
	assert_non_null(strstr(err.msg, "the batch is empty"));
	/* a header alone is refused as JSON lines with no line are: a batch of no
	 * rows would hold pulls and pushes up (they move from row to row) */
	assert_int_equal(parse(EXCHANGE_CSV, "id_number,grade\n", out, sizeof(out), &err),
			 APP_EINVAL);
	assert_non_null(strstr(err.msg, "line 2: the batch is empty: a header and no rows"));
}

static void test_batch_jsonl(void **state)
{
	(void)state;
	char out[2048];
	struct app_error err;
	assert_int_equal(parse(EXCHANGE_JSONL,
			       "{\"grade\": 2, \"id_number\": \"1\", \"members\": 4, \"enrolled\": false,"
			       " \"premium\": \"9.99\", \"born\": null}\n"
			       "\n"
			       "{\"id_number\": \"2\", \"grade\": \"1\"}",
			       out, sizeof(out), &err),
			 APP_OK);
	assert_string_equal(out, "{\"id_number\":\"1\",\"grade\":\"2\",\"members\":4,"
				 "\"premium\":\"9.99\",\"enrolled\":false}\n"
				 "{\"id_number\":\"2\",\"grade\":\"1\"}\n");
	assert_int_equal(parse(EXCHANGE_JSONL,
			       "{\"id_number\": \"1\", \"grade\": \"1\"}\n"
			       "[1, 2]\n"
			       "{\"id_number\": 7, \"grade\": \"1\", \"members\": \"3\"}\n"
			       "{\"id_number\": \"3\", \"grade\": \"1\", \"salary\": 1}\n",
			       out, sizeof(out), &err),
			 APP_EINVAL);
	assert_string_equal(err.msg, "the batch breaks the dataset's schema, nothing was stored: "
				     "line 2: not a JSON object; line 3: field 'id_number' must be a "
				     "JSON string; line 3: field 'members' must be a JSON integer; "
				     "line 4: 'salary' is no field of the dataset");
	assert_int_equal(parse(EXCHANGE_JSONL, "\n\n", out, sizeof(out), &err), APP_EINVAL);
	assert_non_null(strstr(err.msg, "the batch is empty"));
}

/* ---- subscriptions ---- */

static void test_fields(void **state)
{
	(void)state;
	struct exchange_schema *sc = schema();
	struct app_error err;
	assert_int_equal(exchange_fields_check(sc, "id_number,grade", &err), APP_OK);
	assert_int_equal(exchange_fields_check(sc, "id_number,salary", &err), APP_EINVAL);
	assert_string_equal(err.field, "fields");
	assert_non_null(strstr(err.msg, "'salary' is no field"));
	assert_int_equal(exchange_fields_check(sc, "grade,grade", &err), APP_EINVAL);
	assert_int_equal(exchange_fields_check(sc, "", &err), APP_EINVAL);
	assert_int_equal(exchange_fields_check(sc, "grade,", &err), APP_OK);
	exchange_schema_free(sc);

	assert_true(exchange_field_granted("id_number,grade", "grade"));
	assert_false(exchange_field_granted("id_number,grade", "id")); /* no prefix match */
	assert_false(exchange_field_granted("id_number,grade", "grad"));
	assert_false(exchange_field_granted("", "grade"));

	struct strbuf b;
	strbuf_init(&b, 64);
	assert_int_equal(exchange_project("{\"id_number\":\"1\",\"name\":\"张三\",\"grade\":\"2\"}",
					  "grade,id_number", &b, &err),
			 APP_OK);
	assert_string_equal(b.buf, "{\"id_number\":\"1\",\"grade\":\"2\"}");
	assert_int_equal(exchange_project("[]", "grade", &b, &err), APP_EINVAL);
	strbuf_release(&b);
}

/* ---- schedule ---- */

static int64_t china(const char *s)
{
	int64_t t;
	if (!clock_parse_time(s, &t))
		fail_msg("bad time %s", s);
	return t;
}

static void test_schedule(void **state)
{
	(void)state;
	assert_int_equal(exchange_next_push(5, 9 * 60, china("2026-11-30T10:00:00+08:00")),
			 china("2026-12-05T09:00:00+08:00"));
	/* at the very time, the next one is a month later */
	assert_int_equal(exchange_next_push(5, 9 * 60, china("2026-12-05T09:00:00+08:00")),
			 china("2027-01-05T09:00:00+08:00"));
	assert_int_equal(exchange_next_push(5, 9 * 60, china("2026-12-05T08:59:59+08:00")),
			 china("2026-12-05T09:00:00+08:00"));
	/* China's day, not UTC's: 2026-12-31T20:00Z is already 1 January there */
	assert_int_equal(exchange_next_push(1, 0, china("2026-12-31T20:00:00Z")),
			 china("2027-02-01T00:00:00+08:00"));
	assert_int_equal(exchange_next_push(28, 1439, china("2027-02-01T00:00:00+08:00")),
			 china("2027-02-28T23:59:00+08:00"));

	const int64_t want[] = { 60, 300, 1800, 7200, 21600, 86400, 86400 };
	for (int n = 1; n <= 7; n++)
		assert_int_equal(exchange_backoff(n), want[n - 1]);
	assert_int_equal(exchange_backoff(1000), 86400);
}

static void test_codes(void **state)
{
	(void)state;
	assert_true(exchange_code_ok("CDPF"));
	assert_true(exchange_code_ok("2026-11_a.b"));
	assert_false(exchange_code_ok(""));
	assert_false(exchange_code_ok(NULL));
	assert_false(exchange_code_ok("a/b"));
	assert_false(exchange_code_ok("残联"));
	assert_false(exchange_code_ok("123456789012345678901234567890123"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_bytes), cmocka_unit_test(test_rfc8032_vector),
		cmocka_unit_test(test_sign_verify),  cmocka_unit_test(test_secret_file),
		cmocka_unit_test(test_schema),       cmocka_unit_test(test_batch_csv),
		cmocka_unit_test(test_batch_jsonl),  cmocka_unit_test(test_fields),
		cmocka_unit_test(test_schedule),     cmocka_unit_test(test_codes),
	};
	return cmocka_run_group_tests_name("exchange", tests, NULL, NULL);
}
