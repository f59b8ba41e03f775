/*
 * fuzz_utf8.c - utf8_valid() and utf8_length() (core/utf8.h) against a
 * reference written from the Unicode standard's table of well-formed byte
 * sequences (Unicode 15, table 3-7) rather than by decoding, so that the two
 * do not share a mistake. NUL is refused as utf8.h promises.
 */
#include "fuzz.h"

#include "core/utf8.h"

#include <stdbool.h>

/* One row of table 3-7: the allowed range of each byte of a sequence. */
struct seq {
	int len;
	unsigned char lo[4], hi[4];
};

static const struct seq table[] = {
	{ 1, { 0x01 }, { 0x7F } }, /* 0x00 would be U+0000, which utf8.h refuses */
	{ 2, { 0xC2, 0x80 }, { 0xDF, 0xBF } },
	{ 3, { 0xE0, 0xA0, 0x80 }, { 0xE0, 0xBF, 0xBF } },
	{ 3, { 0xE1, 0x80, 0x80 }, { 0xEC, 0xBF, 0xBF } },
	{ 3, { 0xED, 0x80, 0x80 }, { 0xED, 0x9F, 0xBF } },
	{ 3, { 0xEE, 0x80, 0x80 }, { 0xEF, 0xBF, 0xBF } },
	{ 4, { 0xF0, 0x90, 0x80, 0x80 }, { 0xF0, 0xBF, 0xBF, 0xBF } },
	{ 4, { 0xF1, 0x80, 0x80, 0x80 }, { 0xF3, 0xBF, 0xBF, 0xBF } },
	{ 4, { 0xF4, 0x80, 0x80, 0x80 }, { 0xF4, 0x8F, 0xBF, 0xBF } },
};

/* Length of the well-formed sequence at s[0..n), or 0 when there is none. */
static int match(const uint8_t *s, size_t n)
{
	for (size_t t = 0; t < sizeof(table) / sizeof(table[0]); t++) {
		const struct seq *q = &table[t];
		if ((size_t)q->len > n)
			continue;
		int k = 0;
		while (k < q->len && s[k] >= q->lo[k] && s[k] <= q->hi[k])
			k++;
		if (k == q->len)
			return q->len;
	}
	return 0;
}

/* True when s[0..n) is well-formed; *chars counts its code points. */
static bool reference(const uint8_t *s, size_t n, size_t *chars)
{
	size_t i = 0;
	*chars = 0;
	while (i < n) {
		int len = match(s + i, n - i);
		if (!len)
			return false;
		i += (size_t)len;
		++*chars;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t chars;
	bool want = reference(data, size, &chars);
	FUZZ_CHECK(utf8_valid((const char *)data, size) == want);
	if (want)
		FUZZ_CHECK(utf8_length((const char *)data, size) == chars);

	/* every prefix ending on a sequence boundary is valid too */
	if (want && size) {
		size_t cut = size - 1;
		while (cut > 0 && (data[cut] & 0xC0) == 0x80)
			cut--;
		FUZZ_CHECK(utf8_valid((const char *)data, cut));
	}
	return 0;
}
