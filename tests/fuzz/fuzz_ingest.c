/*
 * fuzz_ingest.c - ingest_item_decode() (groups/ingest.h), which reads the
 * queued messages of a bulk ingest call back from the database: bytes that
 * a damaged row or a bad disk can make anything. The input is decoded item
 * after item from 0 until the decoder refuses, as the loader does. It must
 * never read outside the input, only move forward within it, and hand back
 * only items a check lets through (a group id, a short author name of
 * UTF-8 without control characters, a non-empty text that fits a message,
 * UTF-8 without NUL); each encodes (ingest_item_encode) to exactly the
 * bytes it was decoded from.
 */
#include "fuzz.h"

#include "core/strbuf.h"
#include "core/utf8.h"
#include "groups/ingest.h"

#include <stdbool.h>
#include <string.h>

/* The encoding's fixed head: group id, at, and the two lengths. */
enum { HEAD = 8 + 8 + 2 + 2 };

/* Whether s[0, n) holds a control character (C0 or DEL). */
static bool has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

/* Check item it, decoded from data[from, to). */
static void check_item(const uint8_t *data, size_t from, size_t to, const struct ingest_item *it)
{
	const char *base = (const char *)data;
	FUZZ_CHECK(it->group_id > 0);
	FUZZ_CHECK(it->author_len >= 1 &&
		   it->author_len < sizeof(((struct message *)0)->author_name));
	FUZZ_CHECK(it->text_len >= 1 && it->text_len < MESSAGE_BODY_MAX);
	/* author and text lie one after the other right after the head */
	FUZZ_CHECK(it->author == base + from + HEAD);
	FUZZ_CHECK(it->text == it->author + it->author_len);
	FUZZ_CHECK(from + HEAD + it->author_len + it->text_len == to);
	FUZZ_CHECK(utf8_valid(it->author, it->author_len));
	FUZZ_CHECK(!has_control(it->author, it->author_len));
	FUZZ_CHECK(utf8_valid(it->text, it->text_len));
	FUZZ_CHECK(!memchr(it->text, '\0', it->text_len));

	struct strbuf again = STRBUF_INIT;
	ingest_item_encode(it, &again);
	FUZZ_CHECK(again.len == to - from);
	FUZZ_CHECK(memcmp(again.buf, data + from, again.len) == 0);
	strbuf_release(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ingest_item it;
	size_t pos = 0, from;
	for (;;) {
		from = pos;
		if (!ingest_item_decode(data, size, &pos, &it))
			break;
		FUZZ_CHECK(pos > from && pos <= size);
		check_item(data, from, pos, &it);
	}
	FUZZ_CHECK(pos == from); /* a refusal does not move */
	return 0;
}
