/*
 * search_recall.c - which tokenizer for Chinese full-text search, measured
 * on real messages; and how fast the chosen one is on a million synthetic
 * ones. docs/search.md quotes its figures; bench/search_recall.sh runs it.
 *
 * Part 1 (always): the ~7,600 real messages of ../shared/data/complaints
 * (attach2, 3, 4: 留言主题 and 留言详情) go into in-memory, contentless FTS5
 * tables, one per tokenizer: bianmin (core/terms.c: CJK bigrams, every
 * character also a unigram), bianmin compact (only the run-final character
 * also a unigram), compact without even that, bianmin with detail=none (no
 * positions), FTS5's trigram, ICU word breaks (locale zh, a tokenizer
 * defined here only) and unicode61 (FTS5's default). A few hundred queries of 1 to 4 characters come from a
 * hand-written list of everyday complaint words, the most frequent closed
 * character n-grams of the subjects, and the most frequent ICU words of
 * the subjects (the last set favours ICU, on purpose). The truth for a
 * query is the set of messages that contain it (strstr on subject or
 * detail). Printed per method: recall, precision, exact answers, index
 * size, build time and median query time.
 *
 * Part 2 (-n N -f FILE): N synthetic messages (1 to 4 real sentences drawn
 * at random, fixed seed) into an on-disk table with an external-content
 * FTS5 index using bianmin (or bianmin compact), built in transactions of
 * 10,000; at N/4, N/2, 3N/4 and N the query set runs (newest 20 hits with
 * their text; count of all hits): p50, p95, max; then again after
 * 'optimize'. The file is removed at the end unless -k.
 *
 * Part 3 (-p FILE): an SQL script for psql that loads the real messages
 * into PostgreSQL with tsvectors made from the same terms (positions
 * included, extra unigrams colocated; TERMS_INDEX_ALL and TERMS_INDEX),
 * indexes them with GIN, and compares each query's tsquery hits with
 * strpos() and with the counts found here; and to_tsvector('simple') of
 * the terms joined by spaces, to compare (docs/search.md, "PostgreSQL").
 *
 * Build (after `make`): make -f Makefile -f bench/search.mk build/bench/search_recall
 * or by hand:
 *   cc -std=c17 -D_GNU_SOURCE -O2 -Isrc -o search_recall bench/search_recall.c \
 *      src/core/terms.c src/core/csv.c src/core/strbuf.c src/core/err.c src/core/mem.c \
 *      src/core/log.c src/store/sqlite_fts.c \
 *      $(pkg-config --cflags --libs sqlite3 icu-uc icu-i18n zlib) -lpthread
 * usage: search_recall [-d DATA_DIR] [-s] [-n N -f DB_FILE [-k] [-c]] [-p PG_SQL_FILE] [-v]
 *   -s: skip part 1 (the queries are still made); -c: the synthetic index
 *   with 'bianmin compact'; -v: list every query a method misses or over-finds
 */
#include "core/csv.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "core/terms.h"
#include "store/sqlite_fts.h"

#include <sqlite3.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>
#include <unicode/uvernum.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("search_recall: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void *xrealloc_or_die(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The p-th percentile (0..100) of v[0..n), nearest rank; sorts v. */
static double pct(double *v, size_t n, double p)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	size_t k = (size_t)(p / 100.0 * (double)n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

/* ---- messages ---- */

struct msg {
	const char *subject, *detail;
};

static struct msg *msgs;
static size_t nmsgs;
static char **bufs;
static size_t nbufs;

static bool load_file(const char *path)
{
	char *buf;
	size_t len;
	struct app_error e;
	if (access(path, R_OK) != 0)
		return false;
	if (csv_load(path, 256u << 20, &buf, &len, &e) != APP_OK)
		die("%s", e.msg);
	bufs = xrealloc_or_die(bufs, (nbufs + 1) * sizeof(*bufs));
	bufs[nbufs++] = buf;
	struct csv_reader r;
	csv_init(&r, buf, len);
	int subject = -1, detail = -1, k;
	while ((k = csv_next(&r, &e)) == 1) {
		if (subject < 0) {
			for (size_t i = 0; i < r.nfields; i++) {
				if (strcmp(r.fields[i], "留言主题") == 0)
					subject = (int)i;
				else if (strcmp(r.fields[i], "留言详情") == 0)
					detail = (int)i;
			}
			if (subject < 0 || detail < 0)
				die("%s: no 留言主题 and 留言详情 columns", path);
			continue;
		}
		if ((size_t)subject >= r.nfields || (size_t)detail >= r.nfields)
			continue;
		msgs = xrealloc_or_die(msgs, (nmsgs + 1) * sizeof(*msgs));
		msgs[nmsgs].subject = r.fields[subject];
		msgs[nmsgs].detail = r.fields[detail];
		nmsgs++;
	}
	if (k < 0)
		die("%s", e.msg);
	csv_release(&r);
	return true;
}

/* ---- code points ---- */

/* Decode one code point of well-formed-or-not s[0..n); returns its length. */
static size_t cp_at(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len = s[0] < 0x80 ? 1 : s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
	if (len > n || s[0] >= 0xF8 || (s[0] >= 0x80 && s[0] < 0xC0)) {
		*cp = 0xFFFD;
		return 1;
	}
	uint32_t c = len == 1 ? s[0] : s[0] & (0x7F >> len);
	for (size_t i = 1; i < len; i++)
		c = (c << 6) | (s[i] & 0x3F);
	*cp = c;
	return len;
}

static bool is_han(uint32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
	       (c >= 0x20000 && c <= 0x323AF);
}

static size_t nchars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static bool all_han(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint32_t c;
		i += cp_at(s + i, n - i, &c);
		if (!is_han(c))
			return false;
	}
	return n > 0;
}

/* ---- ICU word breaks as an FTS5 tokenizer (this program only) ---- */

struct icu_tok {
	UBreakIterator *bi;
	UText *ut;
};

static int icu_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
	(void)ctx, (void)argv, (void)argc;
	UErrorCode st = U_ZERO_ERROR;
	struct icu_tok *t = calloc(1, sizeof(*t));
	if (!t)
		return SQLITE_NOMEM;
	t->bi = ubrk_open(UBRK_WORD, "zh", NULL, 0, &st);
	if (U_FAILURE(st)) {
		free(t);
		return SQLITE_ERROR;
	}
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void icu_delete(Fts5Tokenizer *tk)
{
	struct icu_tok *t = (struct icu_tok *)tk;
	ubrk_close(t->bi);
	if (t->ut)
		utext_close(t->ut);
	free(t);
}

typedef int (*icu_word_fn)(void *arg, const char *w, int n, int start, int end);

/* The words (numbers, letters, kana, ideographs) ICU finds in s[0..n). */
static int icu_words(struct icu_tok *t, const char *s, int n, icu_word_fn fn, void *arg)
{
	UErrorCode st = U_ZERO_ERROR;
	t->ut = utext_openUTF8(t->ut, s, n, &st);
	ubrk_setUText(t->bi, t->ut, &st);
	if (U_FAILURE(st))
		return SQLITE_ERROR;
	int32_t start = ubrk_first(t->bi), end;
	char w[256];
	while ((end = ubrk_next(t->bi)) != UBRK_DONE) {
		if (ubrk_getRuleStatus(t->bi) >= UBRK_WORD_NUMBER && end - start < (int)sizeof(w)) {
			int len = end - start;
			for (int i = 0; i < len; i++) {
				char c = s[start + i];
				w[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
			}
			int r = fn(arg, w, len, start, end);
			if (r)
				return r;
		}
		start = end;
	}
	return 0;
}

struct icu_call {
	void *ctx;
	int (*token)(void *, int, const char *, int, int, int);
};

static int icu_token(void *arg, const char *w, int n, int start, int end)
{
	struct icu_call *c = arg;
	return c->token(c->ctx, 0, w, n, start, end);
}

static int icu_tokenize(Fts5Tokenizer *tk, void *ctx, int flags, const char *text, int n,
			int (*token)(void *, int, const char *, int, int, int))
{
	(void)flags;
	struct icu_call c = { ctx, token };
	return icu_words((struct icu_tok *)tk, text, n, icu_token, &c);
}

/* bianmin without the run-final unigrams: what that extra entry buys. */
struct notail_call {
	void *ctx;
	int (*token)(void *, int, const char *, int, int, int);
};

static int notail_term(void *arg, const struct terms_term *t)
{
	struct notail_call *c = arg;
	if (t->colocated)
		return 0;
	return c->token(c->ctx, 0, t->text, (int)t->len, (int)t->start, (int)t->end);
}

static int notail_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
	(void)ctx, (void)argv, (void)argc;
	static int dummy;
	*out = (Fts5Tokenizer *)&dummy;
	return SQLITE_OK;
}

static void notail_delete(Fts5Tokenizer *t)
{
	(void)t;
}

static int notail_tokenize(Fts5Tokenizer *tk, void *ctx, int flags, const char *text, int n,
			   int (*token)(void *, int, const char *, int, int, int))
{
	(void)tk;
	struct notail_call c = { ctx, token };
	enum terms_mode mode = (flags & FTS5_TOKENIZE_QUERY) ? TERMS_QUERY : TERMS_INDEX;
	return n > 0 ? terms_split(text, (size_t)n, mode, notail_term, &c) : 0;
}

static fts5_api *fts5_api_of(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
		sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return api;
}

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		die("%s: %s", sql, msg ? msg : sqlite3_errmsg(db));
}

static sqlite3 *open_db(const char *path)
{
	sqlite3 *db;
	struct app_error e;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die("cannot open '%s': %s", path, sqlite3_errmsg(db));
	if (sq_fts_register(db, &e) != APP_OK)
		die("%s", e.msg);
	fts5_api *api = fts5_api_of(db);
	fts5_tokenizer icu = { icu_create, icu_delete, icu_tokenize };
	fts5_tokenizer notail = { notail_create, notail_delete, notail_tokenize };
	if (!api || api->xCreateTokenizer(api, "icu_zh", NULL, &icu, NULL) != SQLITE_OK ||
	    api->xCreateTokenizer(api, "bigram_notail", NULL, &notail, NULL) != SQLITE_OK)
		die("cannot register the evaluation tokenizers");
	return db;
}

/* ---- queries ---- */

enum source { SRC_MANUAL, SRC_NGRAM, SRC_ICU, SRC__MAX };
static const char *const source_name[SRC__MAX] = { "hand-written", "subject n-grams", "ICU words" };

struct query {
	char text[32];
	enum source src;
	size_t nch;
	int64_t *truth;
	size_t ntruth;
	bool icu_one_word; /* ICU segments the query alone as one word */
};

static struct query *queries;
static size_t nqueries;

/*
 * Words residents and cadres type: public services, utilities, housing,
 * neighbours, money; several that ICU's dictionary splits differently in
 * running text than a user types them (水费, 电费, 小区, 业主...).
 */
static const char *const manual[] = {
	"停水", "停电", "噪音", "拆迁", "物业", "学校", "公交", "社保", "医保", "小区",
	"幼儿园", "农民工", "工资", "拖欠", "公积金", "养老保险", "医疗保险", "违章建筑",
	"违建", "扰民", "垃圾", "油烟", "路灯", "水费", "电费", "燃气", "暖气", "供暖",
	"自来水", "水压", "漏水", "下水道", "污水", "排污", "广场舞", "出租车", "网约车",
	"公交车", "地铁", "高铁", "停车", "停车位", "红绿灯", "占道", "堵车", "学位",
	"学区", "入学", "教师", "校车", "补课", "医院", "医生", "看病", "药费", "低保",
	"扶贫", "贫困户", "残疾人", "养老院", "退休", "退休金", "户口", "身份证", "房产证",
	"不动产", "开发商", "业主", "楼盘", "烂尾", "延期交房", "维修基金", "电梯", "装修",
	"租房", "房租", "中介", "快递", "外卖", "加班", "合同", "劳动合同", "辞退", "工伤",
	"补贴", "补偿", "征地", "安置房", "宅基地", "土地", "村委会", "村干部", "村民",
	"居委会", "网格员", "疫情", "口罩", "核酸", "环境污染", "噪声", "粉尘", "臭味",
	"渣土车", "施工", "夜间施工", "道路", "修路", "井盖", "绿化", "树木", "化粪池",
	"城管", "派出所", "诈骗", "传销", "非法集资", "食品安全", "过期", "消费者", "退款",
	"网购", "诊所", "疫苗", "独生子女", "计划生育", "二胎", "农村", "乡镇", "街道办",
};

static const char *const single[] = {
	"水", "电", "路", "桥", "狗", "车", "房", "树", "灯", "学", "钱", "税",
};

static bool have_query(const char *s)
{
	for (size_t i = 0; i < nqueries; i++)
		if (strcmp(queries[i].text, s) == 0)
			return true;
	return false;
}

static void add_query(const char *s, size_t len, enum source src)
{
	char t[32];
	if (len >= sizeof(t))
		return;
	memcpy(t, s, len);
	t[len] = '\0';
	if (have_query(t))
		return;
	queries = xrealloc_or_die(queries, (nqueries + 1) * sizeof(*queries));
	struct query *q = &queries[nqueries++];
	memset(q, 0, sizeof(*q));
	memcpy(q->text, t, len + 1);
	q->src = src;
	q->nch = nchars(t);
}

/* A counting table of short strings (n-grams, words) by subject. */
struct gram {
	char s[24];
	uint32_t df, last, super;
	unsigned char n;
	/*
	 * Accessor variety: the distinct characters seen before and after it
	 * (up to 4), a run boundary counting as a new one each time. A word
	 * has varied neighbours; a piece of a longer word (区居民 of 小区居民)
	 * has not.
	 */
	uint32_t left[4], right[4];
	unsigned char nleft, nright;
};

#define GRAMS (1u << 20)
static struct gram *grams;

static struct gram *gram(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	for (uint32_t i = h & (GRAMS - 1);; i = (i + 1) & (GRAMS - 1)) {
		struct gram *g = &grams[i];
		if (!g->n) {
			memcpy(g->s, s, len);
			g->s[len] = '\0';
			g->last = UINT32_MAX;
			return g;
		}
		if (strlen(g->s) == len && memcmp(g->s, s, len) == 0)
			return g;
	}
}

static void neighbour(uint32_t *seen, unsigned char *n, uint32_t c)
{
	if (*n >= 4)
		return;
	for (unsigned i = 0; c && i < *n; i++)
		if (seen[i] == c)
			return;
	seen[(*n)++] = c;
}

/* Count s[0..len) once per doc; lc, rc: its neighbours (0: a run boundary). */
static void count(const char *s, size_t len, unsigned n, uint32_t doc, uint32_t lc, uint32_t rc)
{
	if (len >= sizeof(grams[0].s))
		return;
	struct gram *g = gram(s, len);
	g->n = (unsigned char)n;
	neighbour(g->left, &g->nleft, lc);
	neighbour(g->right, &g->nright, rc);
	if (g->last != doc) {
		g->last = doc;
		g->df++;
	}
}

static int cmp_gram_df(const void *a, const void *b)
{
	const struct gram *x = *(const struct gram *const *)a, *y = *(const struct gram *const *)b;
	if (x->df != y->df)
		return x->df < y->df ? 1 : -1;
	return strcmp(x->s, y->s);
}

/* Characters that make an n-gram a piece of grammar rather than a search word. */
static bool has_stop_char(const char *s)
{
	static const char *const stop[] = { "的", "了", "是", "在", "和", "与", "及", "对", "于",
		"请", "我", "你", "他", "她", "们", "这", "那", "有", "就", "都", "也", "被", "把",
		"给", "从", "向", "为", "吗", "呢", "吧", "啊", "个", "些", "么", "什", "怎", "何",
		"能", "要", "该", "否", "还", "没", "不", "已", "将", "其", "等", "关", "问", "题" };
	for (size_t i = 0; i < sizeof(stop) / sizeof(stop[0]); i++)
		if (strstr(s, stop[i]))
			return true;
	return false;
}

struct icu_count {
	uint32_t doc;
};

static int icu_count_word(void *arg, const char *w, int n, int start, int end)
{
	(void)start, (void)end;
	struct icu_count *c = arg;
	size_t ch = 0;
	for (int i = 0; i < n; i++)
		ch += ((unsigned char)w[i] & 0xC0) != 0x80;
	char key[sizeof(grams[0].s)];
	if (ch >= 2 && ch <= 4 && all_han(w, (size_t)n) && (size_t)n + 1 < sizeof(key)) {
		/* "#word": ICU words apart from the n-grams; n > 100 says so too */
		key[0] = '#';
		memcpy(key + 1, w, (size_t)n);
		count(key, (size_t)n + 1, 100 + (unsigned)ch, c->doc, 0, 0);
	}
	return 0;
}

static int icu_one(void *arg, const char *w, int n, int start, int end)
{
	(void)w, (void)n, (void)start, (void)end;
	++*(int *)arg;
	return 0;
}

static void build_queries(struct icu_tok *icu)
{
	for (size_t i = 0; i < sizeof(manual) / sizeof(manual[0]); i++)
		add_query(manual[i], strlen(manual[i]), SRC_MANUAL);

	grams = calloc(GRAMS, sizeof(*grams));
	if (!grams)
		die("out of memory");
	/* document frequency of every Han n-gram (n = 2..5) of the subjects */
	for (size_t d = 0; d < nmsgs; d++) {
		const char *s = msgs[d].subject;
		size_t len = strlen(s), i = 0, off[64], run = 0;
		uint32_t cps[64];
		while (i <= len) {
			uint32_t c = 0;
			size_t k = i < len ? cp_at(s + i, len - i, &c) : 1;
			if (i < len && is_han(c) && run < 63) {
				cps[run] = c;
				off[run++] = i;
			} else if (run) {
				off[run] = i;
				for (unsigned n = 2; n <= 5; n++)
					for (size_t a = 0; a + n <= run; a++)
						count(s + off[a], off[a + n] - off[a], n, (uint32_t)d,
						      a ? cps[a - 1] : 0, a + n < run ? cps[a + n] : 0);
				run = 0;
				if (i < len && is_han(c))
					continue; /* a run longer than 63: start over here */
			}
			i += k;
		}
		/* ICU's words of the subject */
		struct icu_count ic = { (uint32_t)d };
		icu_words(icu, s, (int)len, icu_count_word, &ic);
	}
	/* closed n-grams: drop one when a longer one containing it is nearly as frequent */
	for (size_t i = 0; i < GRAMS; i++) {
		struct gram *g = &grams[i];
		if (g->n < 3 || g->n > 5)
			continue;
		size_t len = strlen(g->s), first, k;
		uint32_t c;
		first = cp_at(g->s, len, &c);
		k = len;
		do
			k--;
		while (((unsigned char)g->s[k] & 0xC0) == 0x80);
		struct gram *p = gram(g->s, k), *q = gram(g->s + first, len - first);
		if (p->n && g->df > p->super)
			p->super = g->df;
		if (q->n && g->df > q->super)
			q->super = g->df;
	}
	struct gram **all = NULL;
	size_t nall = 0;
	for (size_t i = 0; i < GRAMS; i++)
		if (grams[i].n && grams[i].df >= 5) {
			all = xrealloc_or_die(all, (nall + 1) * sizeof(*all));
			all[nall++] = &grams[i];
		}
	qsort(all, nall, sizeof(*all), cmp_gram_df);
	static const struct {
		unsigned n;
		size_t want;
	} take[] = { { 2, 130 }, { 3, 80 }, { 4, 50 }, { 102, 30 }, { 103, 15 }, { 104, 10 } };
	for (size_t t = 0; t < sizeof(take) / sizeof(take[0]); t++) {
		size_t got = 0;
		for (size_t i = 0; i < nall && got < take[t].want; i++) {
			struct gram *g = all[i];
			const char *w = g->n > 100 ? g->s + 1 : g->s;
			if (g->n != take[t].n || has_stop_char(w) || have_query(w))
				continue;
			if (g->n < 100 && g->super * 10 >= g->df * 7)
				continue; /* a fragment of a longer frequent n-gram */
			if (g->n < 100 && (g->nleft < 3 || g->nright < 3))
				continue; /* too few neighbours to be a word of its own */
			add_query(w, strlen(w), g->n > 100 ? SRC_ICU : SRC_NGRAM);
			got++;
		}
	}
	free(all);
	free(grams);
	grams = NULL;
	for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++)
		add_query(single[i], strlen(single[i]), SRC_MANUAL);

	/* truth: the messages that contain the query; and how ICU splits it alone */
	for (size_t i = 0; i < nqueries; i++) {
		struct query *q = &queries[i];
		for (size_t d = 0; d < nmsgs; d++)
			if (strstr(msgs[d].subject, q->text) || strstr(msgs[d].detail, q->text)) {
				q->truth = xrealloc_or_die(q->truth, (q->ntruth + 1) * sizeof(int64_t));
				q->truth[q->ntruth++] = (int64_t)d + 1;
			}
		int words = 0;
		icu_words(icu, q->text, (int)strlen(q->text), icu_one, &words);
		q->icu_one_word = words == 1;
	}
}

/* ---- methods: an index and a way to query it ---- */

enum style {
	STYLE_PHRASE, /* sq_fts_match(): each group a phrase of its terms */
	STYLE_PREFIX, /* sq_fts_match_compact(): the same, a lone last character a prefix */
	STYLE_AND,    /* each term alone, AND-ed: no adjacency */
	STYLE_RAW,    /* the query as one FTS5 string: the table's tokenizer splits it */
};

struct index {
	const char *name, *create;
	sqlite3 *db;
	double build_ms;
	int64_t bytes;
};

static struct index indexes[] = {
	{ "bianmin", "tokenize='bianmin'", NULL, 0, 0 },
	{ "bianmin compact", "tokenize='bianmin compact'", NULL, 0, 0 },
	{ "compact, no tail unigram", "tokenize='bigram_notail'", NULL, 0, 0 },
	{ "bianmin detail=none", "tokenize='bianmin', detail=none", NULL, 0, 0 },
	{ "trigram", "tokenize='trigram'", NULL, 0, 0 },
	{ "icu zh", "tokenize='icu_zh'", NULL, 0, 0 },
	{ "unicode61", "tokenize='unicode61'", NULL, 0, 0 },
};

enum { IX_BIGRAM, IX_COMPACT, IX_NOTAIL, IX_NONE, IX_TRIGRAM, IX_ICU, IX_U61, IX__MAX };

struct method {
	const char *name;
	int index;
	enum style style;
};

static const struct method methods[] = {
	{ "bianmin phrase (chosen)", IX_BIGRAM, STYLE_PHRASE },
	{ "bianmin AND", IX_BIGRAM, STYLE_AND },
	{ "compact phrase, 1 char prefix", IX_COMPACT, STYLE_PREFIX },
	{ "compact without tail unigram", IX_NOTAIL, STYLE_PREFIX },
	{ "bianmin detail=none AND", IX_NONE, STYLE_AND },
	{ "trigram", IX_TRIGRAM, STYLE_RAW },
	{ "ICU words (zh)", IX_ICU, STYLE_RAW },
	{ "unicode61", IX_U61, STYLE_RAW },
};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

static int and_term(void *arg, const struct terms_term *t)
{
	struct strbuf *sb = arg;
	strbuf_addf(sb, "%s\"%s\"", sb->len ? " " : "", t->text);
	return 0;
}

static void expression(const char *q, enum style style, struct strbuf *out)
{
	struct app_error e;
	strbuf_reset(out);
	switch (style) {
	case STYLE_PHRASE:
		if (sq_fts_match(q, strlen(q), out, &e) != APP_OK)
			die("query '%s': %s", q, e.msg);
		break;
	case STYLE_PREFIX:
		if (sq_fts_match_compact(q, strlen(q), out, &e) != APP_OK)
			die("query '%s': %s", q, e.msg);
		break;
	case STYLE_AND:
		terms_query(q, strlen(q), and_term, out);
		break;
	case STYLE_RAW:
		strbuf_addf(out, "\"%s\"", q);
		break;
	}
}

static void build_index(struct index *ix)
{
	ix->db = open_db(":memory:");
	char sql[256];
	snprintf(sql, sizeof(sql), "CREATE VIRTUAL TABLE t USING fts5(s, d, content='', %s)",
		 ix->create);
	exec(ix->db, sql);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(ix->db, "INSERT INTO t(rowid, s, d) VALUES (?1, ?2, ?3)", -1, &st,
			       NULL) != SQLITE_OK)
		die("%s", sqlite3_errmsg(ix->db));
	double t0 = now_ms();
	exec(ix->db, "BEGIN");
	for (size_t i = 0; i < nmsgs; i++) {
		sqlite3_bind_int64(st, 1, (int64_t)i + 1);
		sqlite3_bind_text(st, 2, msgs[i].subject, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, msgs[i].detail, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			die("insert: %s", sqlite3_errmsg(ix->db));
		sqlite3_reset(st);
	}
	exec(ix->db, "COMMIT");
	exec(ix->db, "INSERT INTO t(t) VALUES ('optimize')");
	ix->build_ms = now_ms() - t0;
	sqlite3_finalize(st);
	sqlite3_stmt *ps;
	sqlite3_prepare_v2(ix->db, "SELECT page_count * page_size FROM pragma_page_count, "
				   "pragma_page_size", -1, &ps, NULL);
	if (sqlite3_step(ps) == SQLITE_ROW)
		ix->bytes = sqlite3_column_int64(ps, 0);
	sqlite3_finalize(ps);
}

/* Rowids that MATCH expr finds, ascending; returns their number. */
static size_t run_match(sqlite3 *db, sqlite3_stmt *st, const char *expr, int64_t **out, size_t *cap)
{
	size_t n = 0;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == *cap) {
			*cap = *cap ? 2 * *cap : 1024;
			*out = xrealloc_or_die(*out, *cap * sizeof(**out));
		}
		(*out)[n++] = sqlite3_column_int64(st, 0);
	}
	if (r != SQLITE_DONE)
		die("MATCH %s: %s", expr, sqlite3_errmsg(db));
	return n;
}

static size_t intersect(const int64_t *a, size_t na, const int64_t *b, size_t nb)
{
	size_t i = 0, j = 0, k = 0;
	while (i < na && j < nb) {
		if (a[i] < b[j])
			i++;
		else if (a[i] > b[j])
			j++;
		else
			k++, i++, j++;
	}
	return k;
}

/* Per method, per query: what was found and how fast. */
struct result {
	size_t found, right;
	double ms;
};

static struct result *results; /* [method][query] */

static struct result *res(size_t m, size_t q)
{
	return &results[m * nqueries + q];
}

static void evaluate(bool verbose)
{
	results = calloc(NMETHODS * nqueries, sizeof(*results));
	int64_t *rows = NULL;
	size_t cap = 0;
	struct strbuf expr = STRBUF_INIT;
	for (size_t m = 0; m < NMETHODS; m++) {
		struct index *ix = &indexes[methods[m].index];
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(ix->db, "SELECT rowid FROM t WHERE t MATCH ?1", -1, &st,
				       NULL) != SQLITE_OK)
			die("%s", sqlite3_errmsg(ix->db));
		for (size_t q = 0; q < nqueries; q++) {
			struct query *qq = &queries[q];
			expression(qq->text, methods[m].style, &expr);
			double t[3];
			size_t n = 0;
			for (int k = 0; k < 3; k++) {
				double t0 = now_ms();
				n = run_match(ix->db, st, expr.buf, &rows, &cap);
				t[k] = now_ms() - t0;
			}
			struct result *r = res(m, q);
			r->found = n;
			r->right = intersect(rows, n, qq->truth, qq->ntruth);
			r->ms = pct(t, 3, 50);
			if (verbose && (r->right != qq->ntruth || r->right != n))
				printf("  %-28s %-10s truth %4zu found %4zu right %4zu  %s\n",
				       methods[m].name, qq->text, qq->ntruth, n, r->right, expr.buf);
		}
		sqlite3_finalize(st);
	}
	strbuf_release(&expr);
	free(rows);
}

/* Aggregates over the queries that pass the filter. */
struct agg {
	size_t queries, with_truth, with_found, exact, zero;
	double recall, precision; /* sums of per-query ratios */
	size_t right, found, truth;
	double *ms;
	size_t nms;
};

typedef bool (*query_filter)(const struct query *q, const void *arg);

static struct agg aggregate(size_t m, query_filter keep, const void *arg)
{
	struct agg a = { 0 };
	a.ms = calloc(nqueries, sizeof(double));
	for (size_t q = 0; q < nqueries; q++) {
		const struct query *qq = &queries[q];
		if (!keep(qq, arg) || qq->ntruth == 0)
			continue;
		const struct result *r = res(m, q);
		a.queries++;
		a.with_truth++;
		a.recall += (double)r->right / (double)qq->ntruth;
		if (r->found) {
			a.with_found++;
			a.precision += (double)r->right / (double)r->found;
		} else {
			a.zero++;
		}
		a.exact += r->right == qq->ntruth && r->found == qq->ntruth;
		a.right += r->right;
		a.found += r->found;
		a.truth += qq->ntruth;
		a.ms[a.nms++] = r->ms;
	}
	return a;
}

static bool by_len(const struct query *q, const void *arg)
{
	int want = *(const int *)arg;
	return want == 0 ? q->nch >= 2 : want == 4 ? q->nch >= 4 : (int)q->nch == want;
}

static bool by_src(const struct query *q, const void *arg)
{
	return q->nch >= 2 && (int)q->src == *(const int *)arg;
}

static bool icu_split(const struct query *q, const void *arg)
{
	return q->nch >= 2 && q->icu_one_word == *(const bool *)arg;
}

static void print_row(const char *name, struct agg *a)
{
	double med = pct(a->ms, a->nms, 50), p95 = pct(a->ms, a->nms, 95);
	printf("| %-29s | %5.1f%% | %5.1f%% | %5.1f%% | %5.1f%% | %4zu/%-4zu | %4zu | %7.3f | %7.3f |\n",
	       name, a->with_truth ? 100.0 * a->recall / (double)a->with_truth : 0,
	       a->with_found ? 100.0 * a->precision / (double)a->with_found : 0,
	       a->truth ? 100.0 * (double)a->right / (double)a->truth : 0,
	       a->found ? 100.0 * (double)a->right / (double)a->found : 0, a->exact, a->queries,
	       a->zero, med, p95);
	free(a->ms);
}

static void print_header(const char *title)
{
	printf("\n%s\n\n", title);
	printf("| %-29s | recall | precis | µrecal | µprec  | exact     | none | med ms  | p95 ms  |\n",
	       "method");
	printf("|-------------------------------|-------:|-------:|-------:|-------:|----------:|-----:|--------:|--------:|\n");
}

static void report(void)
{
	size_t nlen[5] = { 0 }, nsrc[SRC__MAX] = { 0 }, ntruth0 = 0;
	for (size_t q = 0; q < nqueries; q++) {
		nlen[queries[q].nch < 4 ? queries[q].nch : 4]++;
		if (queries[q].nch >= 2)
			nsrc[queries[q].src]++;
		ntruth0 += queries[q].ntruth == 0;
	}
	printf("messages: %zu; queries: %zu (1 char %zu, 2 chars %zu, 3 chars %zu, 4+ chars %zu; "
	       "%s %zu, %s %zu, %s %zu; %zu with no message, left out)\n",
	       nmsgs, nqueries, nlen[1], nlen[2], nlen[3], nlen[4], source_name[0], nsrc[0],
	       source_name[1], nsrc[1], source_name[2], nsrc[2], ntruth0);
	printf("recall/precis: mean over queries; µ: over all hits; exact: queries answered "
	       "exactly; none: queries with no hit at all; times: median of 3 runs per query\n");

	printf("\nindexes (in memory, contentless, after 'optimize'):\n\n");
	printf("| %-26s | size MiB | vs bianmin | build ms |\n", "index");
	printf("|----------------------------|---------:|-----------:|---------:|\n");
	for (size_t i = 0; i < IX__MAX; i++)
		printf("| %-26s | %8.1f | %9.2fx | %8.0f |\n", indexes[i].name,
		       (double)indexes[i].bytes / 1048576.0,
		       (double)indexes[i].bytes / (double)indexes[IX_BIGRAM].bytes,
		       indexes[i].build_ms);

	int all = 0;
	print_header("queries of 2-4 characters:");
	for (size_t m = 0; m < NMETHODS; m++) {
		struct agg a = aggregate(m, by_len, &all);
		print_row(methods[m].name, &a);
	}
	for (int len = 2; len <= 4; len++) {
		char title[64];
		snprintf(title, sizeof(title), "queries of %d%s characters:", len, len == 4 ? "+" : "");
		print_header(title);
		for (size_t m = 0; m < NMETHODS; m++) {
			struct agg a = aggregate(m, by_len, &len);
			print_row(methods[m].name, &a);
		}
	}
	for (int s = 0; s < SRC__MAX; s++) {
		char title[80];
		snprintf(title, sizeof(title), "queries from %s (2-4 characters):", source_name[s]);
		print_header(title);
		for (size_t m = 0; m < NMETHODS; m++) {
			struct agg a = aggregate(m, by_src, &s);
			print_row(methods[m].name, &a);
		}
	}
	bool split = false;
	print_header("queries that ICU splits into several words when segmenting them alone:");
	for (size_t m = 0; m < NMETHODS; m++) {
		struct agg a = aggregate(m, icu_split, &split);
		print_row(methods[m].name, &a);
	}
	int one = 1;
	print_header("queries of 1 character:");
	for (size_t m = 0; m < NMETHODS; m++) {
		struct agg a = aggregate(m, by_len, &one);
		print_row(methods[m].name, &a);
	}

	/* where ICU loses most: its worst 2-4 character queries */
	size_t icu_m = 0;
	for (size_t m = 0; m < NMETHODS; m++)
		if (methods[m].index == IX_ICU)
			icu_m = m;
	int shown = 0;
	for (int src = 0; src < SRC__MAX; src++) {
		printf("\nICU's recall below 100%%, %s queries (query right/truth), 3+ messages:",
		       source_name[src]);
		shown = 0;
		for (int decile = 0; decile < 10 && shown < 32; decile++)
			for (size_t q = 0; q < nqueries && shown < 32; q++) {
				struct query *qq = &queries[q];
				struct result *r = res(icu_m, q);
				int d = qq->ntruth ? (int)(10 * r->right / qq->ntruth) : 10;
				if ((int)qq->src == src && qq->nch >= 2 && qq->ntruth >= 3 && d == decile) {
					printf("%s %s %zu/%zu", shown % 8 ? "," : "\n ", qq->text,
					       r->right, qq->ntruth);
					shown++;
				}
			}
		printf("\n");
	}
	/* and bigram AND's worst precision */
	printf("\nbianmin AND's lowest precision (query right/found):");
	shown = 0;
	for (int decile = 0; decile < 10 && shown < 24; decile++)
		for (size_t q = 0; q < nqueries && shown < 24; q++) {
			struct result *r = res(1, q);
			int d = r->found ? (int)(10 * r->right / r->found) : 10;
			if (queries[q].nch >= 3 && r->found && d == decile) {
				printf("%s %s %zu/%zu", shown % 8 ? "," : "\n ", queries[q].text,
				       r->right, r->found);
				shown++;
			}
		}
	printf("\n\nquery list (source M/N/I, hits):");
	for (size_t q = 0; q < nqueries; q++)
		printf("%s%s/%c/%zu", q % 12 ? " " : "\n ", queries[q].text, "MNI"[queries[q].src],
		       queries[q].ntruth);
	printf("\n");
}

/* ---- part 2: a million synthetic messages ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

struct span {
	const char *s;
	size_t len;
};

static struct span *sent;
static size_t nsent, capsent;

static void add_sentences(const char *s)
{
	size_t len = strlen(s), i = 0, start = 0;
	while (i < len) {
		uint32_t c;
		size_t k = cp_at(s + i, len - i, &c);
		i += k;
		bool end = c == 0x3002 || c == 0xFF01 || c == 0xFF1F || c == 0xFF1B || c == '!' ||
			   c == '?' || c == '\n' || i == len;
		if (!end)
			continue;
		size_t a = start, b = i;
		while (a < b && (s[a] == ' ' || s[a] == '\n' || s[a] == '\r' || s[a] == '\t'))
			a++;
		while (b > a && (s[b - 1] == '\n' || s[b - 1] == '\r' || s[b - 1] == ' '))
			b--;
		if (b - a >= 12) { /* at least 4 CJK characters' worth */
			if (nsent == capsent) {
				capsent = capsent ? 2 * capsent : 4096;
				sent = xrealloc_or_die(sent, capsent * sizeof(*sent));
			}
			sent[nsent].s = s + a;
			sent[nsent].len = b - a;
			nsent++;
		}
		start = i;
	}
}

static void time_queries(sqlite3 *db, size_t rows, bool one_char, enum style style)
{
	sqlite3_stmt *top, *cnt;
	if (sqlite3_prepare_v2(db, "SELECT rowid, body FROM f WHERE f MATCH ?1 "
				   "ORDER BY rowid DESC LIMIT 20", -1, &top, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM f WHERE f MATCH ?1", -1, &cnt, NULL) !=
		    SQLITE_OK)
		die("%s", sqlite3_errmsg(db));
	double *tt = calloc(nqueries, sizeof(double)), *tc = calloc(nqueries, sizeof(double));
	size_t n = 0;
	double hits = 0, maxhits = 0;
	struct strbuf expr = STRBUF_INIT;
	for (int pass = 0; pass < 2; pass++) { /* the first warms the cache */
		n = 0;
		for (size_t q = 0; q < nqueries; q++) {
			if ((queries[q].nch == 1) != one_char)
				continue;
			expression(queries[q].text, style, &expr);
			double t0 = now_ms();
			sqlite3_bind_text(top, 1, expr.buf, -1, SQLITE_STATIC);
			while (sqlite3_step(top) == SQLITE_ROW)
				;
			sqlite3_reset(top);
			double t1 = now_ms();
			sqlite3_bind_text(cnt, 1, expr.buf, -1, SQLITE_STATIC);
			if (sqlite3_step(cnt) != SQLITE_ROW)
				die("count: %s", sqlite3_errmsg(db));
			double c = (double)sqlite3_column_int64(cnt, 0);
			sqlite3_reset(cnt);
			double t2 = now_ms();
			tt[n] = t1 - t0;
			tc[n] = t2 - t1;
			n++;
			if (pass == 1) {
				hits += c;
				if (c > maxhits)
					maxhits = c;
			}
		}
	}
	double mean_hits = n ? hits / (double)n : 0;
	double t50 = pct(tt, n, 50), t95 = pct(tt, n, 95), t100 = pct(tt, n, 100);
	double c50 = pct(tc, n, 50), c95 = pct(tc, n, 95), c100 = pct(tc, n, 100);
	printf("| %9zu | %-7s | %5zu | %9.0f | %9.0f | %6.2f | %6.2f | %7.2f | %7.2f | %7.2f | %8.2f |\n",
	       rows, one_char ? "1 char" : "2-4", n, mean_hits, maxhits, t50, t95, t100, c50, c95,
	       c100);
	fflush(stdout);
	strbuf_release(&expr);
	free(tt);
	free(tc);
	sqlite3_finalize(top);
	sqlite3_finalize(cnt);
}

static int64_t scalar(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void synthetic(size_t n, const char *path, bool keep, bool compact)
{
	for (size_t i = 0; i < nmsgs; i++) {
		add_sentences(msgs[i].subject);
		add_sentences(msgs[i].detail);
	}
	if (!nsent)
		die("no sentences");
	unlink(path);
	char wal[1024];
	snprintf(wal, sizeof(wal), "%s-wal", path);
	unlink(wal);
	sqlite3 *db = open_db(path);
	exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
		 "PRAGMA cache_size = -16000; PRAGMA mmap_size = 268435456;"
		 "CREATE TABLE msg(id INTEGER PRIMARY KEY, body TEXT NOT NULL);");
	exec(db, compact ? "CREATE VIRTUAL TABLE f USING fts5(body, content='msg', "
			   "content_rowid='id', tokenize='bianmin compact')"
			 : "CREATE VIRTUAL TABLE f USING fts5(body, content='msg', "
			   "content_rowid='id', tokenize='bianmin')");
	const char *tune = getenv("SEARCH_FTS_TUNE"); /* e.g. automerge, hashsize: see the .sh */
	if (tune && *tune) {
		exec(db, tune);
		printf("\ntuning: %s\n", tune);
	}
	/* on a compact index a lone character is a prefix */
	enum style style = compact ? STYLE_PREFIX : STYLE_PHRASE;
	sqlite3_stmt *ins_m, *ins_f;
	if (sqlite3_prepare_v2(db, "INSERT INTO msg(id, body) VALUES (?1, ?2)", -1, &ins_m, NULL) !=
		    SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO f(rowid, body) VALUES (?1, ?2)", -1, &ins_f, NULL) !=
		    SQLITE_OK)
		die("%s", sqlite3_errmsg(db));
	printf("\nsynthetic messages: %zu sentences of the real messages, 1-4 per message, "
	       "seed fixed; table msg + FTS5 external content '%s'; WAL, synchronous=NORMAL, "
	       "transactions of 10,000 messages; times in ms\n\n", nsent,
	       compact ? "bianmin compact" : "bianmin");
	printf("| messages  | queries | count | mean hits | max hits | top20 p50 | p95 | max | "
	       "count p50 | p95 | max |\n");
	printf("|----------:|---------|------:|----------:|---------:|-------:|-------:|--------:|"
	       "--------:|--------:|---------:|\n");
	struct strbuf body = STRBUF_INIT;
	double build_ms = 0, chars = 0;
	size_t next_check = n / 4;
	exec(db, "BEGIN");
	double t0 = now_ms();
	for (size_t i = 1; i <= n; i++) {
		strbuf_reset(&body);
		int k = 1 + (int)(rng() % 4);
		for (int j = 0; j < k; j++) {
			const struct span *s = &sent[rng() % nsent];
			strbuf_add(&body, s->s, s->len);
		}
		chars += (double)nchars(body.buf);
		sqlite3_bind_int64(ins_m, 1, (int64_t)i);
		sqlite3_bind_text(ins_m, 2, body.buf, (int)body.len, SQLITE_STATIC);
		sqlite3_bind_int64(ins_f, 1, (int64_t)i);
		sqlite3_bind_text(ins_f, 2, body.buf, (int)body.len, SQLITE_STATIC);
		if (sqlite3_step(ins_m) != SQLITE_DONE || sqlite3_step(ins_f) != SQLITE_DONE)
			die("insert: %s", sqlite3_errmsg(db));
		sqlite3_reset(ins_m);
		sqlite3_reset(ins_f);
		if (i % 10000 == 0 || i == n) {
			exec(db, "COMMIT");
			if (i == next_check || i == n) {
				build_ms += now_ms() - t0;
				exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
				time_queries(db, i, false, style);
				time_queries(db, i, true, style);
				next_check += n / 4;
				t0 = now_ms();
			}
			if (i < n)
				exec(db, "BEGIN");
		}
	}
	build_ms += now_ms() - t0;
	int64_t fts = scalar(db, "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'f_%' OR name = 'f'");
	int64_t tab = scalar(db, "SELECT sum(pgsize) FROM dbstat WHERE name = 'msg'");
	int64_t segs = scalar(db, "SELECT count(*) FROM f_idx");
	printf("\nbuilt %zu messages (mean %.0f characters) in %.1f s (%.0f messages/s, queries "
	       "excluded); table msg %.0f MiB, FTS5 index %.0f MiB (%.2f of the text table); "
	       "%lld index segment entries\n",
	       n, chars / (double)n, build_ms / 1000, (double)n / (build_ms / 1000),
	       (double)tab / 1048576.0, (double)fts / 1048576.0, (double)fts / (double)tab,
	       (long long)segs);
	double to = now_ms();
	exec(db, "INSERT INTO f(f) VALUES ('optimize')");
	printf("'optimize' (merge into one segment): %.1f s; then:\n", (now_ms() - to) / 1000);
	time_queries(db, n, false, style);
	time_queries(db, n, true, style);
	sqlite3_finalize(ins_m);
	sqlite3_finalize(ins_f);
	sqlite3_close(db);
	strbuf_release(&body);
	if (!keep) {
		unlink(path);
		unlink(wal);
		snprintf(wal, sizeof(wal), "%s-shm", path);
		unlink(wal);
	}
	free(sent);
}

/* ---- part 3: the same terms in PostgreSQL ---- */

/* COPY text format: backslash, tab, newline and carriage return escaped. */
static void copy_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\': fputs("\\\\", f); break;
		case '\t': fputs("\\t", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		default: fputc(*s, f);
		}
	}
}

struct tsv_build {
	struct strbuf *sb;   /* the tsvector text: 'term':pos ... */
	struct strbuf *flat; /* the positional terms separated by spaces (or NULL) */
	int pos;
};

static int tsv_term(void *arg, const struct terms_term *t)
{
	struct tsv_build *b = arg;
	if (!t->colocated) {
		b->pos++;
		if (b->flat) {
			if (b->flat->len)
				strbuf_addch(b->flat, ' ');
			strbuf_add(b->flat, t->text, t->len);
		}
	}
	/* terms are letters, digits and CJK: no quote or backslash to escape */
	strbuf_addf(b->sb, "%s'%s':%d", b->sb->len ? " " : "", t->text,
		    b->pos < 16383 ? b->pos : 16383);
	return 0;
}

struct tsq_build {
	struct strbuf *sb;   /* the tsquery text */
	struct strbuf *flat; /* the terms separated by spaces, for phraseto_tsquery() */
	bool compact;        /* for a TERMS_INDEX vector: prefix marks */
	size_t n;
	unsigned group;
};

static int tsq_term(void *arg, const struct terms_term *t)
{
	struct tsq_build *b = arg;
	if (!b->n)
		strbuf_addch(b->sb, '(');
	else if (t->group != b->group)
		strbuf_addstr(b->sb, ") & (");
	else
		strbuf_addstr(b->sb, " <-> ");
	strbuf_addf(b->sb, "'%s'%s", t->text, b->compact && t->prefix ? ":*" : "");
	strbuf_addf(b->flat, "%s%s", b->n ? " " : "", t->text);
	b->n++;
	b->group = t->group;
	return 0;
}

static void pg_script(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		die("cannot write '%s': %s", path, strerror(errno));
	fputs("-- written by bench/search_recall -p: the real messages with the tsvectors of\n"
	      "-- core/terms.c (positions; extra unigrams colocated): tsv of TERMS_INDEX_ALL\n"
	      "-- (what 'bianmin' indexes), tsv_compact of TERMS_INDEX; GIN-indexed; and, to\n"
	      "-- compare, to_tsvector('simple') of the positional terms joined by spaces\n"
	      "\\set ON_ERROR_STOP 1\n"
	      "SET client_min_messages = warning;\n"
	      "DROP TABLE IF EXISTS m, q, r;\n"
	      "SELECT current_setting('server_version') AS server,\n"
	      "       (SELECT datcollate FROM pg_database WHERE datname = current_database()) AS collate,\n"
	      "       (SELECT datctype FROM pg_database WHERE datname = current_database()) AS ctype,\n"
	      "       to_tsvector('simple', '停水 水三 WiFi') AS simple_parser_sample;\n"
	      "CREATE TABLE m (id int PRIMARY KEY, subject text, detail text, tsv tsvector, "
	      "tsv_compact tsvector, flat text);\n"
	      "COPY m (id, subject, detail, tsv, tsv_compact, flat) FROM stdin;\n", f);
	struct strbuf sb = STRBUF_INIT, sc = STRBUF_INIT, flat = STRBUF_INIT;
	for (size_t i = 0; i < nmsgs; i++) {
		strbuf_reset(&sb);
		strbuf_reset(&sc);
		strbuf_reset(&flat);
		struct tsv_build b = { &sb, &flat, 0 }, c = { &sc, NULL, 0 };
		terms_split(msgs[i].subject, strlen(msgs[i].subject), TERMS_INDEX_ALL, tsv_term, &b);
		terms_split(msgs[i].subject, strlen(msgs[i].subject), TERMS_INDEX, tsv_term, &c);
		b.pos++; /* a gap: no phrase from the subject into the detail */
		c.pos++;
		strbuf_addstr(&flat, " , ");
		terms_split(msgs[i].detail, strlen(msgs[i].detail), TERMS_INDEX_ALL, tsv_term, &b);
		terms_split(msgs[i].detail, strlen(msgs[i].detail), TERMS_INDEX, tsv_term, &c);
		fprintf(f, "%zu\t", i + 1);
		copy_text(f, msgs[i].subject);
		fputc('\t', f);
		copy_text(f, msgs[i].detail);
		fputc('\t', f);
		copy_text(f, sb.buf);
		fputc('\t', f);
		copy_text(f, sc.buf);
		fputc('\t', f);
		copy_text(f, flat.buf);
		fputc('\n', f);
	}
	fputs("\\.\n"
	      "ALTER TABLE m ADD COLUMN tsv_simple tsvector;\n"
	      "UPDATE m SET tsv_simple = to_tsvector('simple', flat);\n"
	      "CREATE INDEX m_tsv ON m USING gin (tsv);\n"
	      "CREATE INDEX m_tsv_compact ON m USING gin (tsv_compact);\n"
	      "CREATE INDEX m_tsv_simple ON m USING gin (tsv_simple);\n"
	      "VACUUM ANALYZE m;\n"
	      "CREATE TABLE q (id int, q text, tsq tsquery, tsq_compact tsquery, flat text, "
	      "want int);\n"
	      "COPY q (id, q, tsq, tsq_compact, flat, want) FROM stdin;\n", f);
	struct strbuf fq = STRBUF_INIT;
	for (size_t i = 0; i < nqueries; i++) {
		strbuf_reset(&sb);
		strbuf_reset(&sc);
		strbuf_reset(&fq);
		strbuf_reset(&flat);
		struct tsq_build b = { &sb, &fq, false, 0, 0 }, c = { &sc, &flat, true, 0, 0 };
		terms_query(queries[i].text, strlen(queries[i].text), tsq_term, &b);
		terms_query(queries[i].text, strlen(queries[i].text), tsq_term, &c);
		strbuf_addch(&sb, ')');
		strbuf_addch(&sc, ')');
		fprintf(f, "%zu\t%s\t%s\t%s\t%s\t%zu\n", i + 1, queries[i].text, sb.buf, sc.buf,
			fq.buf, queries[i].ntruth);
	}
	fputs("\\.\n"
	      "SELECT (SELECT count(*) FROM m) AS messages,\n"
	      "       pg_size_pretty(pg_relation_size('m_tsv')) AS gin_index,\n"
	      "       pg_size_pretty(pg_relation_size('m_tsv_compact')) AS gin_compact,\n"
	      "       pg_size_pretty(pg_relation_size('m_tsv_simple')) AS gin_simple,\n"
	      "       pg_size_pretty(pg_total_relation_size('m')) AS table_total;\n"
	      "CREATE TABLE r AS\n"
	      "SELECT q.id, q.q, q.tsq, q.tsq_compact, q.want,\n"
	      "       (SELECT count(*) FROM m WHERE m.tsv @@ q.tsq) AS got,\n"
	      "       (SELECT count(*) FROM m WHERE m.tsv_compact @@ q.tsq_compact) AS compact,\n"
	      "       (SELECT count(*) FROM m WHERE strpos(m.subject, q.q) > 0\n"
	      "                                  OR strpos(m.detail, q.q) > 0) AS substr,\n"
	      "       CASE WHEN char_length(q.q) > 1 THEN\n"
	      "         (SELECT count(*) FROM m WHERE m.tsv_simple @@ phraseto_tsquery('simple', q.flat))\n"
	      "       END AS simple\n"
	      "FROM q;\n"
	      "SELECT count(*) AS queries,\n"
	      "       count(*) FILTER (WHERE got = want) AS tsquery_equals_c_truth,\n"
	      "       count(*) FILTER (WHERE got = substr) AS tsquery_equals_strpos,\n"
	      "       count(*) FILTER (WHERE compact = substr) AS compact_equals_strpos,\n"
	      "       count(*) FILTER (WHERE simple = substr) AS simple_equals_strpos,\n"
	      "       count(*) FILTER (WHERE simple IS NOT NULL) AS simple_tried\n"
	      "FROM r;\n"
	      "SELECT id, q, tsq, want, got, compact, substr, simple FROM r\n"
	      " WHERE got <> want OR got <> substr OR compact <> substr OR simple <> substr\n"
	      " ORDER BY id LIMIT 20;\n"
	      "SELECT q, tsq, tsq_compact, want, got, compact, simple FROM r\n"
	      " WHERE q IN ('停水', '养老保险', '水', '电');\n"
	      "EXPLAIN (COSTS OFF) SELECT id FROM m WHERE tsv @@ '''停水'' <-> ''水三'''::tsquery;\n"
	      "\\timing on\n"
	      "SELECT count(*) FROM m WHERE tsv @@ '(''养老'' <-> ''老保'' <-> ''保险'')'::tsquery;\n"
	      "SELECT id FROM m WHERE tsv @@ '(''停水'')'::tsquery ORDER BY id DESC LIMIT 20;\n"
	      "SELECT count(*) FROM m WHERE tsv @@ '''水'''::tsquery;\n"
	      "SELECT count(*) FROM m WHERE tsv_compact @@ '''水'':*'::tsquery;\n",
	      f);
	strbuf_release(&sb);
	strbuf_release(&sc);
	strbuf_release(&flat);
	strbuf_release(&fq);
	if (fclose(f) != 0)
		die("cannot write '%s'", path);
}

int main(int argc, char **argv)
{
	const char *data = getenv("BIANMIN_DATA");
	const char *dbfile = NULL, *pgfile = NULL;
	size_t synth = 0;
	bool keep = false, verbose = false, compact = false, compare = true;
	int opt;
	while ((opt = getopt(argc, argv, "cd:n:f:kp:sv")) != -1) {
		switch (opt) {
		case 'd': data = optarg; break;
		case 'n': synth = strtoull(optarg, NULL, 10); break;
		case 'f': dbfile = optarg; break;
		case 'k': keep = true; break;
		case 'p': pgfile = optarg; break;
		case 's': compare = false; break;
		case 'c': compact = true; break;
		case 'v': verbose = true; break;
		default:
			fprintf(stderr, "usage: search_recall [-d DATA_DIR] [-s] [-n N -f DB_FILE [-k] [-c]] "
					"[-p PG_SQL_FILE] [-v]\n");
			return 2;
		}
	}
	if (!data || !*data)
		data = "../shared/data";
	static const char *const files[] = { "teddy2020C_attach2_labeled_messages_SAMPLE.csv",
					     "teddy2020C_attach3_messages_with_likes.csv",
					     "teddy2020C_attach4_messages_with_replies.csv" };
	for (size_t i = 0; i < 3; i++) {
		char path[1024];
		snprintf(path, sizeof(path), "%s/complaints/%s", data, files[i]);
		if (!load_file(path)) {
			printf("SKIP search_recall: no real messages (%s)\n", path);
			return 0;
		}
	}
	if (synth && !dbfile)
		die("-n needs -f DB_FILE");

	Fts5Tokenizer *icu_tk;
	if (icu_create(NULL, NULL, 0, &icu_tk) != SQLITE_OK)
		die("cannot open ICU's word break iterator");
	struct icu_tok *icu = (struct icu_tok *)icu_tk;
	build_queries(icu);
	printf("SQLite %s, ICU word break iterator (locale zh, ICU %s)\n", sqlite3_libversion(),
	       U_ICU_VERSION);
	if (compare) {
		for (size_t i = 0; i < IX__MAX; i++)
			build_index(&indexes[i]);
		evaluate(verbose);
		report();
	}
	if (pgfile)
		pg_script(pgfile);
	if (synth)
		synthetic(synth, dbfile, keep, compact);

	for (size_t i = 0; i < IX__MAX; i++)
		sqlite3_close(indexes[i].db);
	icu_delete(icu_tk);
	for (size_t q = 0; q < nqueries; q++)
		free(queries[q].truth);
	free(queries);
	free(results);
	free(msgs);
	for (size_t i = 0; i < nbufs; i++)
		free(bufs[i]);
	free(bufs);
	return 0;
}
