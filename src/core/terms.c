/*
 * terms.c - UTF-8 text to search terms (see terms.h for the rules).
 *
 * One pass over the bytes with a small state: the CJK run in progress (its
 * previous character, for the next bigram) or the word in progress (its
 * folded bytes so far). Character classes come from code point ranges kept
 * short on purpose: the product's text is Chinese with some ASCII, and what
 * is not known to be punctuation, a symbol or CJK counts as a letter. No
 * allocation, no locale, no ICU: the same input gives the same terms on
 * every machine, which the SQLite index and the PostgreSQL tsvector rely on.
 */
#include "core/terms.h"

#include <stdint.h>
#include <string.h>

enum cls {
	CLS_SEP,    /* separates terms */
	CLS_CJK,    /* joins a CJK run */
	CLS_WORD,   /* joins a word */
	CLS_IGNORE, /* skipped without separating */
};

#define BAD_CP 0xFFFFFFFFu

/*
 * Decode the code point at s[0..n), n >= 1. Returns the bytes used; an
 * ill-formed sequence gives BAD_CP for its first byte alone, so decoding
 * resynchronises on the next byte.
 */
static size_t decode(const unsigned char *s, size_t n, uint32_t *out)
{
	unsigned c = s[0];
	if (c < 0x80) {
		*out = c;
		return 1;
	}
	size_t len;
	uint32_t cp, min;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2; cp = c & 0x1F; min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3; cp = c & 0x0F; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4; cp = c & 0x07; min = 0x10000;
	} else {
		*out = BAD_CP;
		return 1;
	}
	if (n < len) {
		*out = BAD_CP;
		return 1;
	}
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80) {
			*out = BAD_CP;
			return 1;
		}
		cp = (cp << 6) | (s[k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
		*out = BAD_CP;
		return 1;
	}
	*out = cp;
	return len;
}

struct range {
	uint32_t lo, hi;
};

/* CJK runs: Han (with 々 〇 and Hangzhou numerals), kana, bopomofo, hangul. */
static const struct range cjk[] = {
	{ 0x1100, 0x11FF },   { 0x2E80, 0x2FDF },   { 0x3005, 0x3005 },   { 0x3007, 0x3007 },
	{ 0x3021, 0x3029 },   { 0x3038, 0x303B },   { 0x3041, 0x309F },   { 0x30A1, 0x30FA },
	{ 0x30FC, 0x30FF },   { 0x3100, 0x312F },   { 0x3131, 0x318F },   { 0x31A0, 0x31BF },
	{ 0x31F0, 0x31FF },   { 0x3400, 0x4DBF },   { 0x4E00, 0x9FFF },   { 0xA960, 0xA97F },
	{ 0xAC00, 0xD7FF },   { 0xF900, 0xFAFF },   { 0xFF66, 0xFFDC },   { 0x1B000, 0x1B16F },
	{ 0x20000, 0x323AF },
};

/* Skipped without separating: format characters, variation selectors, combining marks. */
static const struct range ignore[] = {
	{ 0x00AD, 0x00AD },   { 0x0300, 0x036F },   { 0x1AB0, 0x1AFF },   { 0x1DC0, 0x1DFF },
	{ 0x200B, 0x200D },   { 0x2060, 0x2064 },   { 0x20D0, 0x20FF },   { 0xFE00, 0xFE0F },
	{ 0xFE20, 0xFE2F },   { 0xFEFF, 0xFEFF },   { 0xE0000, 0xE007F }, { 0xE0100, 0xE01EF },
};

/*
 * Separators above ASCII: Latin-1 punctuation and signs, general punctuation
 * to dingbats and arrows, CJK punctuation and enclosed forms, private use,
 * compatibility and small forms, full-width punctuation, specials, emoji.
 */
static const struct range sep[] = {
	{ 0x0080, 0x00BF },   { 0x00D7, 0x00D7 },   { 0x00F7, 0x00F7 },   { 0x2000, 0x2BFF },
	{ 0x2E00, 0x2E7F },   { 0x3000, 0x303F },   { 0x30A0, 0x30A0 },   { 0x30FB, 0x30FB },
	{ 0x3200, 0x33FF },   { 0xE000, 0xF8FF },   { 0xFE10, 0xFE1F },   { 0xFE30, 0xFE6F },
	{ 0xFF00, 0xFF65 },   { 0xFFDD, 0xFFFF },   { 0x1F000, 0x1FBFF }, { 0xF0000, 0x10FFFF },
};

static bool in(const struct range *r, size_t nr, uint32_t c)
{
	size_t lo = 0, hi = nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c < r[mid].lo)
			hi = mid;
		else if (c > r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

#define IN(table, c) in(table, sizeof(table) / sizeof(table[0]), c)

/*
 * The class of c and, for word characters, its folded form. The tables are
 * checked in this order, so a CJK or ignorable code point inside a separator
 * range (々 in CJK punctuation, ZWSP in general punctuation) keeps its class.
 */
static enum cls classify(uint32_t c, uint32_t *fold)
{
	*fold = c;
	if (c < 0x80) {
		if (c >= 'A' && c <= 'Z') {
			*fold = c + 0x20;
			return CLS_WORD;
		}
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			return CLS_WORD;
		return CLS_SEP;
	}
	if (c >= 0x4E00 && c <= 0x9FFF) /* most of the text: skip the tables */
		return CLS_CJK;
	if (c == BAD_CP)
		return CLS_SEP;
	if (c >= 0xFF10 && c <= 0xFF19) { /* full-width digits */
		*fold = c - 0xFF10 + '0';
		return CLS_WORD;
	}
	if ((c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A)) { /* full-width letters */
		*fold = (c <= 0xFF3A ? c - 0xFF21 : c - 0xFF41) + 'a';
		return CLS_WORD;
	}
	if (IN(cjk, c))
		return CLS_CJK;
	if (IN(ignore, c))
		return CLS_IGNORE;
	if (IN(sep, c))
		return CLS_SEP;
	/* capitals of Latin-1, Greek and Cyrillic to small letters */
	if ((c >= 0xC0 && c <= 0xDE) || (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) ||
	    (c >= 0x410 && c <= 0x42F))
		*fold = c + 0x20;
	else if (c >= 0x400 && c <= 0x40F)
		*fold = c + 0x50;
	return CLS_WORD;
}

static size_t encode(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* A CJK character of the current run: where it is in the input. */
struct ch {
	size_t start, end;
};

struct state {
	const char *s;
	enum terms_mode mode;
	terms_fn fn;
	void *arg;
	/* the CJK run in progress */
	size_t run;           /* characters so far */
	struct ch prev;       /* its last character */
	/* the word in progress */
	char word[TERMS_TERM_MAX + 1];
	size_t wlen, wstart, wend;
	/* query groups */
	unsigned group;
	bool emitted;         /* a term has been given to fn */
	bool separated;       /* a separator came since the last term */
};

static int emit(struct state *st, const char *text, size_t len, size_t start, size_t end,
		enum terms_kind kind, bool colocated, bool prefix)
{
	char buf[TERMS_TERM_MAX + 1];
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (st->mode == TERMS_QUERY) {
		if (st->separated && st->emitted)
			st->group++;
		st->separated = false;
	}
	st->emitted = true;
	struct terms_term t = {
		.text = buf,
		.len = len,
		.start = start,
		.end = end,
		.kind = kind,
		.colocated = colocated,
		.group = st->mode == TERMS_QUERY ? st->group : 0,
		.prefix = prefix,
	};
	return st->fn(st->arg, &t);
}

/* The unigram of the run character c. */
static int emit_char(struct state *st, struct ch c, bool colocated, bool prefix)
{
	return emit(st, st->s + c.start, c.end - c.start, c.start, c.end, TERMS_UNIGRAM,
		    colocated, prefix);
}

/* Add CJK character c (input bytes [start, end)) to the run. */
static int cjk_add(struct state *st, size_t start, size_t end)
{
	struct ch c = { start, end };
	int r = 0;
	if (st->run > 0) {
		char bi[8];
		size_t a = st->prev.end - st->prev.start, b = end - start;
		memcpy(bi, st->s + st->prev.start, a);
		memcpy(bi + a, st->s + start, b);
		r = emit(st, bi, a + b, st->prev.start, end, TERMS_BIGRAM, false, false);
		if (!r && st->mode == TERMS_INDEX_ALL)
			r = emit_char(st, st->prev, true, false);
	}
	st->prev = c;
	st->run++;
	return r;
}

/*
 * End the CJK run, if any. next is the class of what ends it (a separator
 * at the end of the input): a lone character followed by a word is not the
 * end of its query group, so it is not a prefix.
 */
static int cjk_end(struct state *st, enum cls next)
{
	int r = 0;
	if (st->run == 1)
		r = emit_char(st, st->prev, false, st->mode == TERMS_QUERY && next != CLS_WORD);
	else if (st->run > 1 && st->mode != TERMS_QUERY)
		r = emit_char(st, st->prev, true, false);
	st->run = 0;
	return r;
}

static int word_end(struct state *st)
{
	int r = 0;
	if (st->wlen)
		r = emit(st, st->word, st->wlen, st->wstart, st->wend, TERMS_WORD, false, false);
	st->wlen = 0;
	return r;
}

/* Add the folded character c (input bytes [start, end)) to the word. */
static int word_add(struct state *st, uint32_t c, size_t start, size_t end)
{
	char enc[4];
	size_t k = encode(c, enc);
	int r = 0;
	if (st->wlen + k > TERMS_TERM_MAX)
		r = word_end(st); /* a piece of a long word: the rest starts a new term */
	if (st->wlen == 0)
		st->wstart = start;
	memcpy(st->word + st->wlen, enc, k);
	st->wlen += k;
	st->wend = end;
	return r;
}

int terms_split(const char *s, size_t n, enum terms_mode mode, terms_fn fn, void *arg)
{
	struct state st = { .s = s, .mode = mode, .fn = fn, .arg = arg };
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	int r = 0;
	while (i < n && !r) {
		uint32_t cp, fold;
		size_t len = decode(u + i, n - i, &cp);
		enum cls cl = classify(cp, &fold);
		switch (cl) {
		case CLS_IGNORE:
			if (st.wlen)
				st.wend = i + len; /* inside a word: part of its bytes */
			break;
		case CLS_CJK:
			r = word_end(&st);
			if (!r)
				r = cjk_add(&st, i, i + len);
			break;
		case CLS_WORD:
			r = cjk_end(&st, CLS_WORD);
			if (!r)
				r = word_add(&st, fold, i, i + len);
			break;
		case CLS_SEP:
			r = cjk_end(&st, CLS_SEP);
			if (!r)
				r = word_end(&st);
			st.separated = true;
			break;
		}
		i += len;
	}
	if (!r)
		r = cjk_end(&st, CLS_SEP);
	if (!r)
		r = word_end(&st);
	return r;
}

int terms_query(const char *s, size_t n, terms_fn fn, void *arg)
{
	return terms_split(s, n, TERMS_QUERY, fn, arg);
}
