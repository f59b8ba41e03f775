/*
 * fuzz_matcher.c - the patrol's Aho-Corasick matcher (patrol/matcher.h)
 * against a naive search, and the lexicon reader (patrol/lexicon.h), on any
 * bytes.
 *
 * Input: the first byte's low bit asks for ASCII case folding; then the
 * patterns, one a line ('\n'; empty lines skipped, at most 256 patterns of
 * at most 64 bytes), up to the first NUL byte; the text is what follows it
 * (without a NUL, the same bytes are patterns and text). Checks: the hits
 * matcher_scan() reports are exactly those of a naive search (every pattern
 * at every end, folded alike), in its documented order (by end, longer
 * first, then by index); matcher_count() agrees; a callback that stops at
 * the k-th hit stops there and its value comes back. Then the whole input
 * is read as a lexicon file: when accepted, every word is well-formed UTF-8
 * with a valid class and severity, every hit in the input spells its word,
 * and in well-formed text every hit starts and ends on a character.
 */
#include "fuzz.h"

#include "core/utf8.h"
#include "patrol/lexicon.h"
#include "patrol/matcher.h"

#include <stdbool.h>
#include <string.h>

#define MAX_PATTERNS 256
#define MAX_PATTERN 64
#define MAX_TEXT 4096

struct hits {
	struct matcher_hit h[MAX_TEXT * 8];
	size_t n;
	size_t stop_at; /* 0: never */
};

static struct hits got, want;
static struct matcher_pattern pats[MAX_PATTERNS];
static unsigned fold_flags;

static int collect(void *arg, const struct matcher_hit *h)
{
	struct hits *l = arg;
	if (l->n < sizeof(l->h) / sizeof(l->h[0]))
		l->h[l->n] = *h;
	l->n++;
	return l->stop_at && l->n == l->stop_at ? 9 : 0;
}

static unsigned char fold(unsigned char c)
{
	return (fold_flags & MATCHER_FOLD_ASCII) && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static bool same(const uint8_t *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fold(a[i]) != fold((unsigned char)b[i]))
			return false;
	return true;
}

static void check_matcher(const uint8_t *text, size_t tn, size_t np)
{
	struct matcher *m;
	FUZZ_CHECK(matcher_build(pats, np, fold_flags, &m, NULL) == APP_OK);
	FUZZ_CHECK(matcher_patterns(m) == np);
	got.n = 0;
	got.stop_at = 0;
	FUZZ_CHECK(matcher_scan(m, (const char *)text, tn, collect, &got) == 0);
	/* the naive search, already in the matcher's order: by end, then
	 * longest first, then by index */
	want.n = 0;
	for (size_t e = 1; e <= tn; e++) {
		uint32_t at[MAX_PATTERNS];
		size_t k = 0;
		for (size_t i = 0; i < np; i++)
			if (pats[i].len <= e && same(text + e - pats[i].len, pats[i].bytes, pats[i].len)) {
				/* insertion: longer first, then by index */
				size_t j = k++;
				while (j > 0 && pats[at[j - 1]].len < pats[i].len) {
					at[j] = at[j - 1];
					j--;
				}
				at[j] = (uint32_t)i;
			}
		for (size_t j = 0; j < k; j++) {
			struct matcher_hit h = { e - pats[at[j]].len, e, at[j] };
			collect(&want, &h);
		}
	}
	FUZZ_CHECK(got.n == want.n);
	size_t cmp = got.n < sizeof(got.h) / sizeof(got.h[0]) ? got.n : sizeof(got.h) / sizeof(got.h[0]);
	for (size_t i = 0; i < cmp; i++) {
		FUZZ_CHECK(got.h[i].start == want.h[i].start);
		FUZZ_CHECK(got.h[i].end == want.h[i].end);
		FUZZ_CHECK(got.h[i].pattern == want.h[i].pattern);
		FUZZ_CHECK(matcher_pattern_len(m, got.h[i].pattern) == got.h[i].end - got.h[i].start);
	}
	FUZZ_CHECK(matcher_count(m, (const char *)text, tn) == want.n);
	if (want.n) {
		got.n = 0;
		got.stop_at = 1 + tn % want.n;
		FUZZ_CHECK(matcher_scan(m, (const char *)text, tn, collect, &got) == 9);
		FUZZ_CHECK(got.n == got.stop_at);
	}
	matcher_free(m);
}

struct lex_check {
	const uint8_t *text;
	size_t n;
	bool valid;
};

static int check_lex_hit(void *arg, const struct lexicon_hit *h)
{
	struct lex_check *c = arg;
	FUZZ_CHECK(h->start < h->end && h->end <= c->n);
	FUZZ_CHECK(h->end - h->start == h->entry->len);
	for (size_t i = 0; i < h->entry->len; i++) {
		unsigned char a = c->text[h->start + i], b = (unsigned char)h->entry->word[i];
		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a + 32);
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b + 32);
		FUZZ_CHECK(a == b);
	}
	if (c->valid) {
		FUZZ_CHECK((c->text[h->start] & 0xC0) != 0x80);
		FUZZ_CHECK(h->end == c->n || (c->text[h->end] & 0xC0) != 0x80);
	}
	return 0;
}

static void check_lexicon(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1); /* the CSV reader may write buf[size] */
	FUZZ_CHECK(buf != NULL);
	if (size)
		memcpy(buf, data, size);
	struct lexicon *lex = NULL;
	struct app_error err;
	enum app_err rc = lexicon_parse("fuzz.csv", buf, size, &lex, &err);
	free(buf);
	if (rc != APP_OK) {
		FUZZ_CHECK(lex == NULL);
		FUZZ_CHECK(strncmp(err.msg, "lexicon 'fuzz.csv'", 18) == 0);
		return;
	}
	FUZZ_CHECK(lex->n >= 1 && lex->n <= LEXICON_WORDS_MAX);
	for (size_t i = 0; i < lex->n; i++) {
		const struct lexicon_entry *e = &lex->entries[i];
		FUZZ_CHECK(e->len >= 1 && e->len <= LEXICON_WORD_MAX && strlen(e->word) == e->len);
		FUZZ_CHECK(utf8_valid(e->word, e->len));
		FUZZ_CHECK(e->severity >= LEXICON_NOTE && e->severity <= LEXICON_URGENT);
		FUZZ_CHECK(e->cls[0] >= 'a' && e->cls[0] <= 'z');
	}
	struct lex_check c = { data, size, utf8_valid((const char *)data, size) };
	FUZZ_CHECK(lexicon_scan(lex, (const char *)data, size, check_lex_hit, &c) == 0);
	lexicon_free(lex);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	fold_flags = (data[0] & 1) ? MATCHER_FOLD_ASCII : 0;
	const uint8_t *in = data + 1;
	size_t n = size - 1;
	const uint8_t *nul = memchr(in, 0, n);
	size_t plen = nul ? (size_t)(nul - in) : n;
	const uint8_t *text = nul ? nul + 1 : in;
	size_t tn = nul ? n - plen - 1 : n;
	if (tn > MAX_TEXT)
		tn = MAX_TEXT;
	size_t np = 0;
	for (size_t i = 0; i < plen && np < MAX_PATTERNS;) {
		size_t j = i;
		while (j < plen && in[j] != '\n')
			j++;
		if (j > i && j - i <= MAX_PATTERN)
			pats[np++] = (struct matcher_pattern){ (const char *)in + i, j - i };
		i = j + 1;
	}
	if (np)
		check_matcher(text, tn, np);
	check_lexicon(data, size);
	return 0;
}
