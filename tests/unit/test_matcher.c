/*
 * test_matcher.c - unit tests of the patrol's keyword matching: the
 * Aho-Corasick matcher of src/patrol/matcher.c (overlapping patterns, a
 * pattern inside another, equal patterns, UTF-8 boundaries, stray bytes,
 * ASCII case folding, empty text, every byte value as a pattern, thousands
 * of patterns checked against a naive search, stopping from the callback,
 * build errors) and the lexicon of src/patrol/lexicon.c (the default
 * data/patrol/lexicon.csv, comments, BOM and CRLF, and files refused whole
 * with the line of the first problem and the count of the others).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "core/utf8.h"
#include "patrol/lexicon.h"
#include "patrol/matcher.h"
#include "testutil.h"

/* ---- matcher ---- */

static struct matcher *build(const char *const *words, size_t n, unsigned flags)
{
	struct matcher_pattern p[64];
	assert_true(n <= 64);
	for (size_t i = 0; i < n; i++)
		p[i] = (struct matcher_pattern){ words[i], strlen(words[i]) };
	struct matcher *m = NULL;
	struct app_error err;
	if (matcher_build(p, n, flags, &m, &err) != APP_OK)
		fail_msg("matcher_build: %s", err.msg);
	return m;
}

struct render {
	struct strbuf sb;
	size_t n;
};

static int render_hit(void *arg, const struct matcher_hit *h)
{
	struct render *r = arg;
	strbuf_addf(&r->sb, "%s%u@%zu-%zu", r->n++ ? " " : "", h->pattern, h->start, h->end);
	return 0;
}

/* The hits of m in s as "PATTERN@START-END ..." in a static buffer;
 * matcher_count() must agree. */
static const char *hits_of(const struct matcher *m, const char *s)
{
	static char out[4096];
	struct render r = { STRBUF_INIT, 0 };
	assert_int_equal(matcher_scan(m, s, s ? strlen(s) : 0, render_hit, &r), 0);
	assert_int_equal(matcher_count(m, s, s ? strlen(s) : 0), r.n);
	snprintf(out, sizeof(out), "%s", r.sb.buf);
	strbuf_release(&r.sb);
	return out;
}

static void test_overlapping(void **state)
{
	(void)state;
	/* the textbook set: she and he end together, hers overlaps both */
	const char *w[] = { "he", "she", "his", "hers" };
	struct matcher *m = build(w, 4, 0);
	assert_string_equal(hits_of(m, "ushers"), "1@1-4 0@2-4 3@2-6");
	assert_int_equal(matcher_count(m, "ushers", 6), 3);
	assert_string_equal(hits_of(m, "hishers"), "2@0-3 1@2-5 0@3-5 3@3-7");
	/* overlapping occurrences of one pattern */
	const char *aa[] = { "aa" };
	struct matcher *m2 = build(aa, 1, 0);
	assert_int_equal(matcher_count(m2, "aaaa", 4), 3);
	assert_string_equal(hits_of(m2, "aaaa"), "0@0-2 0@1-3 0@2-4");
	matcher_free(m2);
	matcher_free(m);
}

static void test_pattern_inside_another(void **state)
{
	(void)state;
	const char *w[] = { "泄漏", "煤气泄漏", "煤气", "气泄" };
	struct matcher *m = build(w, 4, 0);
	/* at one end the longest first: 煤气泄漏 before 泄漏 */
	assert_string_equal(hits_of(m, "煤气泄漏了"), "2@0-6 3@3-9 1@0-12 0@6-12");
	assert_int_equal(matcher_count(m, "煤气泄漏了", strlen("煤气泄漏了")), 4);
	/* the shorter alone does not bring the longer */
	assert_string_equal(hits_of(m, "水管泄漏"), "0@6-12");
	matcher_free(m);
}

static void test_equal_patterns(void **state)
{
	(void)state;
	const char *w[] = { "火灾", "着火", "火灾" };
	struct matcher *m = build(w, 3, 0);
	assert_string_equal(hits_of(m, "发生火灾"), "0@6-12 2@6-12");
	assert_int_equal(matcher_patterns(m), 3);
	assert_int_equal(matcher_pattern_len(m, 1), 6);
	assert_int_equal(matcher_pattern_len(m, 3), 0);
	matcher_free(m);
}

/* The code point boundaries of well-formed s: b[i] true when a character starts at i. */
static void boundaries(const char *s, size_t n, bool *b)
{
	for (size_t i = 0; i <= n; i++)
		b[i] = i == n || ((unsigned char)s[i] & 0xC0) != 0x80;
}

static int check_boundary(void *arg, const struct matcher_hit *h)
{
	const bool *b = arg;
	assert_true(b[h->start]);
	assert_true(b[h->end]);
	return 0;
}

/* The UTF-8 encoding of cp (U+0080..U+FFFF, no surrogate) into out; its length. */
static size_t encode(uint32_t cp, char *out)
{
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	out[0] = (char)(0xE0 | cp >> 12);
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

static void test_utf8_boundaries(void **state)
{
	(void)state;
	/*
	 * Every two-byte character and every CJK ideograph (U+4E00..U+9FFF) is
	 * a pattern: 22,912 of them. In 中国 (E4 B8 AD E5 9B BD) the bytes
	 * AD E5 9B straddle the seam; no pattern may match there or anywhere
	 * else across a boundary, so each hit is one whole character of the
	 * text and every character in those ranges is hit once.
	 */
	const char *text = "中国人民站起来了，灯火通明。Ünïcødé ©® 😀火！ascii";
	size_t n = strlen(text);
	bool b[128];
	assert_true(n < sizeof(b));
	boundaries(text, n, b);
	size_t np = 0x800 - 0x80 + 0xA000 - 0x4E00;
	struct matcher_pattern *p = calloc(np, sizeof(*p));
	char (*bytes)[4] = calloc(np, 4);
	size_t k = 0;
	for (uint32_t cp = 0x80; cp < 0xA000; cp++) {
		if (cp == 0x800)
			cp = 0x4E00;
		p[k] = (struct matcher_pattern){ bytes[k], encode(cp, bytes[k]) };
		k++;
	}
	assert_int_equal(k, np);
	struct matcher *m;
	assert_int_equal(matcher_build(p, np, 0, &m, NULL), APP_OK);
	assert_int_equal(matcher_scan(m, text, n, check_boundary, b), 0);
	/* 中国人民站起来了 灯火通明 (12), Ünïcødé (4 accented letters), ©® (2), 火 (1) */
	assert_int_equal(matcher_count(m, text, n), 12 + 4 + 2 + 1);
	matcher_free(m);
	free(bytes);
	free(p);

	/* the raw seam AD E5 9B is not UTF-8, and the lexicon refuses it (see
	 * test_lexicon_errors); a real 火 after a stray lead byte is found */
	const char *fire[] = { "火" };
	m = build(fire, 1, 0);
	assert_string_equal(hits_of(m, "\xE7火\xE7\x81"), "0@1-4");
	matcher_free(m);
}

static void test_fold_ascii(void **state)
{
	(void)state;
	const char *w[] = { "WiFi", "断网" };
	struct matcher *m = build(w, 2, MATCHER_FOLD_ASCII);
	assert_string_equal(hits_of(m, "wifi断网WIFI"), "0@0-4 1@4-10 0@10-14");
	matcher_free(m);
	m = build(w, 2, 0);
	assert_string_equal(hits_of(m, "wifi WiFi"), "0@5-9");
	matcher_free(m);
}

static void test_empty_text(void **state)
{
	(void)state;
	const char *w[] = { "着火" };
	struct matcher *m = build(w, 1, 0);
	assert_string_equal(hits_of(m, ""), "");
	assert_string_equal(hits_of(m, NULL), "");
	assert_int_equal(matcher_count(m, NULL, 0), 0);
	assert_string_equal(hits_of(m, "着"), "");
	matcher_free(m);
}

static void test_every_byte(void **state)
{
	(void)state;
	/* 256 one-byte patterns: no byte is left for the "other" class */
	char bytes[256];
	struct matcher_pattern p[257];
	for (int i = 0; i < 256; i++) {
		bytes[i] = (char)i;
		p[i] = (struct matcher_pattern){ &bytes[i], 1 };
	}
	p[256] = (struct matcher_pattern){ "\xFF\x00", 2 };
	struct matcher *m;
	assert_int_equal(matcher_build(p, 257, 0, &m, NULL), APP_OK);
	assert_int_equal(matcher_count(m, bytes, 256), 256);
	assert_int_equal(matcher_count(m, "\xFF\x00\xFF", 3), 4);
	matcher_free(m);
	assert_int_equal(matcher_build(p, 256, MATCHER_FOLD_ASCII, &m, NULL), APP_OK);
	assert_int_equal(matcher_count(m, "A", 1), 2); /* 'A' and 'a' */
	matcher_free(m);
}

/* xorshift32: the same pseudo-random words on every run */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

struct hitlist {
	struct matcher_hit *h;
	size_t n, cap;
};

static int collect(void *arg, const struct matcher_hit *h)
{
	struct hitlist *l = arg;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->h = realloc(l->h, l->cap * sizeof(*l->h));
		assert_non_null(l->h);
	}
	l->h[l->n++] = *h;
	return 0;
}

static const struct matcher_pattern *sort_pats;

/* the matcher's order: by end, longer first, then by index */
static int cmp_hit(const void *a, const void *b)
{
	const struct matcher_hit *x = a, *y = b;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	size_t lx = sort_pats[x->pattern].len, ly = sort_pats[y->pattern].len;
	if (lx != ly)
		return lx > ly ? -1 : 1;
	return (x->pattern > y->pattern) - (x->pattern < y->pattern);
}

static int cmp_pat(const struct matcher_pattern *a, const struct matcher_pattern *b)
{
	int c = memcmp(a->bytes, b->bytes, a->len < b->len ? a->len : b->len);
	return c ? c : (a->len > b->len) - (a->len < b->len);
}

static int cmp_pat_index(const void *a, const void *b)
{
	return cmp_pat(&sort_pats[*(const uint32_t *)a], &sort_pats[*(const uint32_t *)b]);
}

static void test_many_patterns(void **state)
{
	(void)state;
	/* 5,000 words of 1 to 4 characters from a 60-character alphabet, some
	 * repeated, against a 200,000-byte text of the same characters */
	static const char alphabet[] = "水电路灯停着火灾塌方煤气泄漏村民书记干部不作为态度差推诿乱收费"
				       "补贴低保医保社保学校医院垃圾河道桥梁路面井盖网络信号噪音污染"
				       "abc";
	const char *chars[80];
	size_t nchars = 0;
	for (const char *p = alphabet; *p;) {
		chars[nchars++] = p;
		p += ((unsigned char)*p < 0x80) ? 1 : 3;
	}
	enum { NPAT = 5000, TEXT = 200000 };
	struct matcher_pattern *pats = calloc(NPAT, sizeof(*pats));
	char (*words)[16] = calloc(NPAT, 16);
	uint32_t seed = 7;
	for (size_t i = 0; i < NPAT; i++) {
		size_t len = 0, k = 1 + rnd(&seed) % 4;
		for (size_t j = 0; j < k; j++) {
			const char *c = chars[rnd(&seed) % nchars];
			size_t cl = (unsigned char)*c < 0x80 ? 1 : 3;
			memcpy(words[i] + len, c, cl);
			len += cl;
		}
		pats[i] = (struct matcher_pattern){ words[i], len };
	}
	char *text = malloc(TEXT + 4);
	size_t tn = 0;
	while (tn < TEXT) {
		const char *c = chars[rnd(&seed) % nchars];
		size_t cl = (unsigned char)*c < 0x80 ? 1 : 3;
		memcpy(text + tn, c, cl);
		tn += cl;
	}
	struct matcher *m;
	struct app_error err;
	if (matcher_build(pats, NPAT, 0, &m, &err) != APP_OK)
		fail_msg("%s", err.msg);
	struct hitlist got = { 0 }, want = { 0 };
	assert_int_equal(matcher_scan(m, text, tn, collect, &got), 0);
	/* the oracle: every substring of up to 12 bytes looked up in the sorted patterns */
	uint32_t *by = malloc(NPAT * sizeof(*by));
	for (uint32_t i = 0; i < NPAT; i++)
		by[i] = i;
	sort_pats = pats;
	qsort(by, NPAT, sizeof(*by), cmp_pat_index);
	for (size_t st = 0; st < tn; st++)
		for (size_t len = 1; len <= 12 && st + len <= tn; len++) {
			struct matcher_pattern key = { text + st, len };
			size_t lo = 0, hi = NPAT;
			while (lo < hi) { /* first pattern >= key */
				size_t mid = (lo + hi) / 2;
				if (cmp_pat(&pats[by[mid]], &key) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (; lo < NPAT && cmp_pat(&pats[by[lo]], &key) == 0; lo++) {
				struct matcher_hit h = { st, st + len, by[lo] };
				collect(&want, &h);
			}
		}
	free(by);
	sort_pats = pats;
	qsort(want.h, want.n, sizeof(*want.h), cmp_hit);
	assert_true(want.n > 10000);
	assert_int_equal(got.n, want.n);
	assert_memory_equal(got.h, want.h, want.n * sizeof(*want.h));
	assert_int_equal(matcher_count(m, text, tn), want.n);
	assert_true(matcher_states(m) > 1000);
	assert_true(matcher_memory(m) > matcher_states(m) * sizeof(uint32_t));
	matcher_free(m);
	free(got.h);
	free(want.h);
	free(text);
	free(words);
	free(pats);
}

static int stop_at_second(void *arg, const struct matcher_hit *h)
{
	(void)h;
	int *n = arg;
	return ++*n == 2 ? 42 : 0;
}

static void test_callback_stops(void **state)
{
	(void)state;
	const char *w[] = { "火" };
	struct matcher *m = build(w, 1, 0);
	int n = 0;
	assert_int_equal(matcher_scan(m, "火火火火", strlen("火火火火"), stop_at_second, &n), 42);
	assert_int_equal(n, 2);
	matcher_free(m);
}

static void test_build_errors(void **state)
{
	(void)state;
	struct matcher *m = (struct matcher *)0x1;
	struct app_error err;
	assert_int_equal(matcher_build(NULL, 0, 0, &m, &err), APP_EINVAL);
	assert_contains(err.msg, "at least one pattern");
	struct matcher_pattern p[2] = { { "火", 3 }, { "", 0 } };
	assert_int_equal(matcher_build(p, 2, 0, &m, &err), APP_EINVAL);
	assert_string_equal(err.msg, "pattern 2 is empty");
	static char big[MATCHER_PATTERN_MAX + 1];
	memset(big, 'x', sizeof(big));
	p[1] = (struct matcher_pattern){ big, sizeof(big) };
	assert_int_equal(matcher_build(p, 2, 0, &m, &err), APP_EINVAL);
	assert_contains(err.msg, "longer than");
	assert_true(m == (struct matcher *)0x1); /* untouched on failure */
}

/* ---- lexicon ---- */

static struct lexicon *parse(const char *text, enum app_err want, struct app_error *err)
{
	size_t len;
	char *buf = tu_dup(text, &len);
	struct lexicon *lex = NULL;
	assert_int_equal(lexicon_parse("t.csv", buf, len, &lex, err), want);
	free(buf);
	if (want != APP_OK)
		assert_null(lex);
	return lex;
}

static int render_lex(void *arg, const struct lexicon_hit *h)
{
	struct strbuf *sb = arg;
	strbuf_addf(sb, "%s%s/%s/%d@%zu", sb->len ? " " : "", h->entry->word, h->entry->cls,
		    (int)h->entry->severity, h->start);
	return 0;
}

static const char *lex_hits(const struct lexicon *lex, const char *s)
{
	static char out[4096];
	struct strbuf sb = STRBUF_INIT;
	assert_int_equal(lexicon_scan(lex, s, strlen(s), render_lex, &sb), 0);
	snprintf(out, sizeof(out), "%s", sb.buf);
	strbuf_release(&sb);
	return out;
}

static void test_lexicon_parse(void **state)
{
	(void)state;
	struct app_error err;
	struct lexicon *lex = parse("\xEF\xBB\xBF# a comment, with \"quotes\"\r\n"
				    "word,class,severity\r\n"
				    "着火,emergency,3\r\n"
				    "\r\n"
				    "# another\n"
				    "煤气泄漏,emergency,3\n"
				    "泄漏,emergency,2\n"
				    "\"不作为\",cadre_complaint,2\n"
				    "WiFi,network,1",
				    APP_OK, &err);
	assert_int_equal(lex->n, 5);
	assert_string_equal(lex->entries[0].word, "着火");
	assert_int_equal(lex->entries[0].line, 3);
	assert_int_equal(lex->entries[2].line, 7);
	assert_string_equal(lex->entries[3].cls, "cadre_complaint");
	assert_int_equal(lex->entries[4].severity, LEXICON_NOTE);
	assert_string_equal(lex_hits(lex, "村口着火了，家里煤气泄漏，村干部不作为，wifi断了"),
			    "着火/emergency/3@6 煤气泄漏/emergency/3@24 泄漏/emergency/2@30 "
			    "不作为/cadre_complaint/2@48 WiFi/network/1@60");
	struct lexicon_hit hits[2];
	assert_int_equal(lexicon_find(lex, "着火着火着火", strlen("着火着火着火"), hits, 2), 3);
	assert_int_equal(hits[1].start, 6);
	assert_int_equal(lexicon_find(lex, "平安无事", strlen("平安无事"), NULL, 0), 0);
	lexicon_free(lex);
	lexicon_free(NULL);
}

static void test_lexicon_errors(void **state)
{
	(void)state;
	struct app_error err;
	parse("word,class\n着火,emergency\n", APP_EINVAL, &err);
	assert_string_equal(err.msg, "lexicon 't.csv' line 1: the first line must be the header "
				     "'word,class,severity' (and 1 more problem; nothing was loaded)");
	parse("word,class,severity\n着火,emergency,3\n失火,emergency,5\n", APP_EINVAL, &err);
	assert_string_equal(err.msg, "lexicon 't.csv' line 3: severity must be 1, 2 or 3, not '5'");
	parse("word,class,severity\n着火,Emergency,3\n", APP_EINVAL, &err);
	assert_contains(err.msg, "line 2: 'Emergency' is not a class name");
	parse("word,class,severity\n,emergency,3\n", APP_EINVAL, &err);
	assert_contains(err.msg, "line 2: the word is empty");
	parse("word,class,severity\n\xAD\xE5\x9B,emergency,3\n", APP_EINVAL, &err);
	assert_contains(err.msg, "line 2: the word is not well-formed UTF-8");
	parse("word,class,severity\n\" 着火\",emergency,3\n", APP_EINVAL, &err);
	assert_contains(err.msg, "starts or ends with a space");
	parse("word,class,severity\n\"着\n火\",emergency,3\n", APP_EINVAL, &err);
	assert_contains(err.msg, "line 2: the word holds a control character");
	/* a repeat, ASCII letters without case: names both lines; three problems in all */
	parse("word,class,severity\nWiFi,network,1\n着火,emergency,3\n着火,emergency,2\n"
	      "wifi,network,1\n失火,,3\n",
	      APP_EINVAL, &err);
	assert_string_equal(err.msg, "lexicon 't.csv' line 6: '' is not a class name (a-z, 0-9 and _, "
				     "from a letter, up to 32 bytes) (and 2 more problems; nothing "
				     "was loaded)");
	parse("word,class,severity\nWiFi,network,1\n着火,emergency,3\n着火,emergency,2\n",
	      APP_EINVAL, &err);
	assert_string_equal(err.msg, "lexicon 't.csv' line 4: '着火' is already on line 3");
	parse("word,class,severity\n", APP_EINVAL, &err);
	assert_contains(err.msg, "the lexicon has no words");
	parse("", APP_EINVAL, &err);
	assert_contains(err.msg, "no words");
	parse("word,class,severity\n着火,emergency,3\n\"失火,emergency,3\n", APP_EINVAL, &err);
	assert_string_equal(err.msg, "lexicon 't.csv' line 3: quoted field is never closed");
	parse("word,class,severity\n着火,emergency,3,x\n", APP_EINVAL, &err);
	assert_contains(err.msg, "line 2: a line has three fields");
	struct lexicon *lex = NULL;
	assert_int_equal(lexicon_load("/nonexistent/lexicon.csv", &lex, &err), APP_EIO);
	assert_contains(err.msg, "/nonexistent/lexicon.csv");
	assert_null(lex);
}

static void test_default_lexicon(void **state)
{
	(void)state;
	const char *top = getenv("BIANMIN_TOP");
	char path[1024];
	snprintf(path, sizeof(path), "%s/data/patrol/lexicon.csv", top && *top ? top : ".");
	struct lexicon *lex;
	struct app_error err;
	if (lexicon_load(path, &lex, &err) != APP_OK)
		fail_msg("%s", err.msg);
	assert_true(lex->n >= 100);
	/* the words issue #7 names */
	const char *urgent[] = { "着火", "溺水", "塌方", "煤气泄漏", "失火", "火灾", "落水",
				 "滑坡", "燃气泄漏", "触电", "中毒" };
	for (size_t i = 0; i < sizeof(urgent) / sizeof(urgent[0]); i++) {
		struct lexicon_hit h[4];
		size_t n = lexicon_find(lex, urgent[i], strlen(urgent[i]), h, 4);
		assert_true(n >= 1);
		assert_string_equal(h[n > 4 ? 3 : n - 1].entry->cls, "emergency");
		assert_int_equal(h[0].entry->severity, LEXICON_URGENT);
	}
	const char *cadre[] = { "不作为", "吃拿卡要", "态度差", "推诿", "乱收费" };
	for (size_t i = 0; i < sizeof(cadre) / sizeof(cadre[0]); i++) {
		struct lexicon_hit h[4];
		assert_int_equal(lexicon_find(lex, cadre[i], strlen(cadre[i]), h, 4), 1);
		assert_string_equal(h[0].entry->cls, "cadre_complaint");
	}
	assert_int_equal(lexicon_find(lex, "大家早上好，今天天气不错", strlen("大家早上好，今天天气不错"),
				      NULL, 0), 0);
	lexicon_free(lex);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overlapping),
		cmocka_unit_test(test_pattern_inside_another),
		cmocka_unit_test(test_equal_patterns),
		cmocka_unit_test(test_utf8_boundaries),
		cmocka_unit_test(test_fold_ascii),
		cmocka_unit_test(test_empty_text),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_many_patterns),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_build_errors),
		cmocka_unit_test(test_lexicon_parse),
		cmocka_unit_test(test_lexicon_errors),
		cmocka_unit_test(test_default_lexicon),
	};
	return cmocka_run_group_tests_name("matcher", tests, NULL, NULL);
}
