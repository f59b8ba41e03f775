/*
 * test_ingest.c - the queued bulk ingest (src/groups/ingest.c) on SQLite:
 * the encoding of a queued message, and the cases of ingest_cases.h (the
 * queue and its loader) on the store. test_ingest_pg.c runs those cases on
 * PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "ingest_cases.h"
#include "sqlite_testdb.h"

#include <string.h>

/* ---- the encoding ---- */

/* Two items encoded one after the other decode back, in order, to the
 * end; every shorter prefix decodes the first at most. */
static void test_encoding_round_trip(void **state)
{
	(void)state;
	struct ingest_item a = { .group_id = 81, .at = 1764293400, .author = "老李（微信）",
				 .author_len = strlen("老李（微信）"), .text = "自来水什么时候恢复？",
				 .text_len = strlen("自来水什么时候恢复？") };
	struct ingest_item b = { .group_id = INT64_MAX, .at = -1, .author = "x", .author_len = 1,
				 .text = "line\nnext\tcol", .text_len = strlen("line\nnext\tcol") };
	struct strbuf body = STRBUF_INIT;
	ingest_item_encode(&a, &body);
	size_t first = body.len;
	ingest_item_encode(&b, &body);
	size_t pos = 0;
	struct ingest_item got;
	assert_true(ingest_item_decode(body.buf, body.len, &pos, &got));
	assert_int_equal(pos, first);
	assert_int_equal(got.group_id, 81);
	assert_int_equal(got.at, 1764293400);
	assert_int_equal(got.author_len, a.author_len);
	assert_memory_equal(got.author, a.author, a.author_len);
	assert_int_equal(got.text_len, a.text_len);
	assert_memory_equal(got.text, a.text, a.text_len);
	assert_true(ingest_item_decode(body.buf, body.len, &pos, &got));
	assert_int_equal(pos, body.len);
	assert_true(got.group_id == INT64_MAX);
	assert_int_equal(got.at, -1);
	assert_memory_equal(got.text, b.text, b.text_len);
	assert_false(ingest_item_decode(body.buf, body.len, &pos, &got)); /* the end */
	for (size_t cut = 0; cut < body.len; cut++) {
		pos = 0;
		bool one = ingest_item_decode(body.buf, cut, &pos, &got);
		assert_true(one == (cut >= first));
		assert_false(ingest_item_decode(body.buf, cut, &pos, &got));
	}
	strbuf_release(&body);
}

/* What a check never lets through does not decode: no author, an author
 * with a control character, no text, text that is not UTF-8 or holds a
 * NUL, a group id of 0. */
static void test_encoding_refuses(void **state)
{
	(void)state;
	struct ingest_item ok = { .group_id = 1, .at = 1, .author = "a", .author_len = 1,
				  .text = "好", .text_len = strlen("好") };
	struct ingest_item bad[] = { ok, ok, ok, ok, ok, ok };
	bad[0].author_len = 0;
	bad[1].author = "a\x01";
	bad[1].author_len = 2;
	bad[2].text_len = 0;
	bad[3].text = "\xe5\xa5"; /* 好 cut short */
	bad[3].text_len = 2;
	bad[4].text = "a\0b";
	bad[4].text_len = 3;
	bad[5].group_id = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct strbuf body = STRBUF_INIT;
		ingest_item_encode(&bad[i], &body);
		size_t pos = 0;
		struct ingest_item got;
		assert_false(ingest_item_decode(body.buf, body.len, &pos, &got));
		assert_int_equal(pos, 0);
		strbuf_release(&body);
	}
}

/* ---- the queue on the store ---- */

static int setup(void **state)
{
	return sqlite_testdb_setup(state, gs_load_demo);
}

static int teardown(void **state)
{
	iq_teardown_queue();
	return sqlite_testdb_teardown(state);
}

#define X(name) SQLITE_TESTDB_CASE(name, iq_case_##name)
INGEST_CASES(X)
#undef X

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, teardown),
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoding_round_trip),
		cmocka_unit_test(test_encoding_refuses),
		INGEST_CASES(X)
	};
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
