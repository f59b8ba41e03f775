/*
 * test_terms.c - unit tests of Chinese search: the terms of src/core/terms.c
 * (CJK bigrams, lone characters and colocated run-final unigrams, folded
 * words, full-width forms, separators, emoji, ill-formed UTF-8, byte
 * offsets, query groups and prefix marks, long words cut into pieces) and
 * the FTS5 tokenizer "bianmin" of src/store/sqlite_fts.c (and its compact
 * form) on in-memory tables: what a resident's search finds and, as much,
 * what it must not find; the MATCH expressions; highlight() offsets. With
 * ../shared/data present, every search in a list of everyday words over the
 * 495 labelled real messages finds exactly the messages that contain the
 * word; otherwise that test prints SKIP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/csv.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "core/terms.h"
#include "store/sqlite_fts.h"
#include "testutil.h"

#include <sqlite3.h>

/* ---- terms ---- */

/*
 * The terms of s in mode as one line: each term, then "~" when colocated,
 * "*" when a prefix, "/G" (its group) in query mode; space-separated.
 */
struct render {
	struct strbuf sb;
	enum terms_mode mode;
};

static int render_term(void *arg, const struct terms_term *t)
{
	struct render *r = arg;
	assert_true(t->len >= 1 && t->len <= TERMS_TERM_MAX);
	assert_int_equal(strlen(t->text), t->len);
	if (r->sb.len)
		strbuf_addch(&r->sb, ' ');
	strbuf_add(&r->sb, t->text, t->len);
	if (t->colocated)
		strbuf_addch(&r->sb, '~');
	if (t->prefix)
		strbuf_addch(&r->sb, '*');
	if (r->mode == TERMS_QUERY)
		strbuf_addf(&r->sb, "/%u", t->group);
	return 0;
}

/* The rendering of s's terms, in a static buffer. */
static const char *terms_of(const char *s, size_t n, enum terms_mode mode)
{
	static char out[4096];
	struct render r = { STRBUF_INIT, mode };
	assert_int_equal(terms_split(s, n, mode, render_term, &r), 0);
	snprintf(out, sizeof(out), "%s", r.sb.buf);
	strbuf_release(&r.sb);
	return out;
}

#define INDEX(s) terms_of(s, strlen(s), TERMS_INDEX)
#define INDEX_ALL(s) terms_of(s, strlen(s), TERMS_INDEX_ALL)
#define QUERY(s) terms_of(s, strlen(s), TERMS_QUERY)

static void test_cjk_bigrams(void **state)
{
	(void)state;
	assert_string_equal(INDEX("我们村停水三天了"), "我们 们村 村停 停水 水三 三天 天了 了~");
	assert_string_equal(INDEX("停水"), "停水 水~");
	/* a lone character is a unigram at its own position */
	assert_string_equal(INDEX("水"), "水");
	assert_string_equal(INDEX("水 电"), "水 电");
	/* every character as a unigram, colocated with the bigram it starts */
	assert_string_equal(INDEX_ALL("停水三天"), "停水 停~ 水三 水~ 三天 三~ 天~");
	assert_string_equal(INDEX_ALL("水"), "水");
	/* the query side has no extra unigrams */
	assert_string_equal(QUERY("我们村停水三天了"), "我们/0 们村/0 村停/0 停水/0 水三/0 三天/0 天了/0");
	/* 々 and 〇 join runs; kana and hangul too */
	assert_string_equal(INDEX("二〇二四"), "二〇 〇二 二四 四~");
	assert_string_equal(INDEX("ひらがな"), "ひら らが がな な~");
	assert_string_equal(INDEX(""), "");
	assert_string_equal(terms_of(NULL, 0, TERMS_QUERY), "");
}

static void test_words_and_folding(void **state)
{
	(void)state;
	assert_string_equal(INDEX("WiFi密码"), "wifi 密码 码~");
	assert_string_equal(INDEX("A3区联丰路320号"), "a3 区联 联丰 丰路 路~ 320 号");
	/* full-width letters and digits are ASCII words */
	assert_string_equal(INDEX("ＷｉＦｉ１２３"), "wifi123");
	assert_string_equal(INDEX("ＡＢＣ－１"), "abc 1"); /* full-width hyphen separates */
	/* Latin-1, Greek, Cyrillic capitals */
	assert_string_equal(INDEX("ÉCOLE Ωμέγα МОСКВА Ёж"), "école ωμέγα москва ёж");
	/* dates and numbers split at their punctuation */
	assert_string_equal(INDEX("2019/2/28 11:25"), "2019 2 28 11 25");
	assert_string_equal(INDEX("3.5万元"), "3 5 万元 元~");
}

static void test_separators(void **state)
{
	(void)state;
	/* no bigram spans punctuation: "水三" must not come out of "停水，三天" */
	assert_string_equal(INDEX("停水，三天"), "停水 水~ 三天 天~");
	assert_string_equal(INDEX("停水,三天"), "停水 水~ 三天 天~");
	assert_string_equal(INDEX("停水　三天"), "停水 水~ 三天 天~"); /* ideographic space */
	assert_string_equal(INDEX("「停水」《通知》……"), "停水 水~ 通知 知~");
	assert_string_equal(INDEX("阿卜杜拉·买买提"), "阿卜 卜杜 杜拉 拉~ 买买 买提 提~");
	/* emoji, with variation selectors and joiners, separate */
	assert_string_equal(INDEX("停水😀三天"), "停水 水~ 三天 天~");
	assert_string_equal(INDEX("好👍🏻了❤️吗👨‍👩‍👧"), "好 了 吗");
	assert_string_equal(INDEX("①停水②断电"), "停水 水~ 断电 电~");
	/* format characters and combining marks do not separate */
	assert_string_equal(INDEX("停\u200b水"), "停水 水~");
	assert_string_equal(INDEX("\xef\xbb\xbf停水"), "停水 水~");
	assert_string_equal(INDEX("cafe\xcc\x81"), "cafe");
	/* nothing to search */
	assert_string_equal(INDEX("，。！？ ...\t\n"), "");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	/* each ill-formed byte is skipped and separates, like punctuation */
	assert_string_equal(INDEX("\xff停\xc0水"), "停 水");
	assert_string_equal(INDEX("停\xe6\x96水"), "停 水");     /* truncated 3-byte sequence */
	assert_string_equal(INDEX("停水\xe6\x96"), "停水 水~");  /* ... at the end */
	assert_string_equal(INDEX("ab\xed\xa0\x80" "cd"), "ab cd"); /* a surrogate */
	assert_string_equal(INDEX("ab\xc0\xaf" "cd"), "ab cd");     /* overlong '/' */
	assert_string_equal(INDEX("ab\xf4\x90\x80\x80" "cd"), "ab cd"); /* past U+10FFFF */
	assert_string_equal(terms_of("停\0水", 7, TERMS_INDEX), "停 水"); /* NUL separates */
	/* every single byte value alone: no crash, only ASCII alnum gives a term */
	for (int b = 0; b < 256; b++) {
		char c = (char)b;
		const char *t = terms_of(&c, 1, TERMS_INDEX);
		bool alnum = (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
		assert_int_equal(strlen(t), alnum ? 1 : 0);
	}
}

struct collect {
	struct terms_term t[32];
	char text[32][TERMS_TERM_MAX + 1];
	size_t n;
};

static int collect_term(void *arg, const struct terms_term *t)
{
	struct collect *c = arg;
	if (c->n == 32)
		return 1;
	memcpy(c->text[c->n], t->text, t->len + 1);
	c->t[c->n] = *t;
	c->t[c->n].text = c->text[c->n];
	c->n++;
	return 0;
}

#define ASSERT_TERM(c, i, txt, s, e)                                                   \
	do {                                                                           \
		assert_string_equal((c).t[i].text, txt);                               \
		assert_int_equal((c).t[i].start, s);                                   \
		assert_int_equal((c).t[i].end, e);                                     \
	} while (0)

static void test_offsets(void **state)
{
	(void)state;
	struct collect c = { .n = 0 };
	const char *s = "村里ＷｉＦｉ坏了, A3区";
	assert_int_equal(terms_split(s, strlen(s), TERMS_INDEX, collect_term, &c), 0);
	assert_int_equal(c.n, 7);
	ASSERT_TERM(c, 0, "村里", 0, 6);
	ASSERT_TERM(c, 1, "里", 3, 6);
	assert_true(c.t[1].colocated);
	assert_int_equal(c.t[1].kind, TERMS_UNIGRAM);
	ASSERT_TERM(c, 2, "wifi", 6, 18); /* the full-width input bytes, not the folded term */
	assert_int_equal(c.t[2].kind, TERMS_WORD);
	ASSERT_TERM(c, 3, "坏了", 18, 24);
	assert_int_equal(c.t[3].kind, TERMS_BIGRAM);
	ASSERT_TERM(c, 4, "了", 21, 24);
	ASSERT_TERM(c, 5, "a3", 26, 28);
	ASSERT_TERM(c, 6, "区", 28, 31);
	assert_false(c.t[6].colocated);
	for (size_t i = 0; i < c.n; i++)
		assert_memory_equal(s + c.t[i].start, i == 2 ? "ＷｉＦｉ" : i == 5 ? "A3" : c.t[i].text,
				    c.t[i].end - c.t[i].start);

	/* a bigram across a skipped format character covers it */
	c.n = 0;
	s = "停\u200b水";
	assert_int_equal(terms_split(s, strlen(s), TERMS_INDEX, collect_term, &c), 0);
	ASSERT_TERM(c, 0, "停水", 0, 9);
	ASSERT_TERM(c, 1, "水", 6, 9);

	/* the callback's non-zero answer stops the split and comes back */
	c.n = 30;
	assert_int_equal(terms_split("一二三四五六", 18, TERMS_INDEX, collect_term, &c), 1);
	assert_int_equal(c.n, 32);
}

static void test_long_words(void **state)
{
	(void)state;
	char w[200];
	memset(w, 'X', 150);
	w[150] = '\0';
	struct collect c = { .n = 0 };
	assert_int_equal(terms_split(w, 150, TERMS_INDEX, collect_term, &c), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.t[0].len, TERMS_TERM_MAX);
	assert_int_equal(c.t[1].len, TERMS_TERM_MAX);
	assert_int_equal(c.t[2].len, 150 - 2 * TERMS_TERM_MAX);
	assert_int_equal(c.t[1].start, TERMS_TERM_MAX);
	assert_int_equal(c.t[2].end, 150);
	assert_int_equal(c.t[2].text[0], 'x');
	/* cut at character boundaries: 32 two-byte letters fit in a term */
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 40; i++)
		strbuf_addstr(&sb, "Ж");
	c.n = 0;
	assert_int_equal(terms_split(sb.buf, sb.len, TERMS_QUERY, collect_term, &c), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.t[0].len, 64);
	assert_int_equal(c.t[1].len, 16);
	assert_int_equal(c.t[0].group, c.t[1].group); /* pieces of one word stay one phrase */
	strbuf_release(&sb);
}

static void test_query_groups(void **state)
{
	(void)state;
	assert_string_equal(QUERY("停水"), "停水/0");
	assert_string_equal(QUERY("停水三天"), "停水/0 水三/0 三天/0");
	/* spaces and punctuation separate groups (AND) */
	assert_string_equal(QUERY("停水 三天"), "停水/0 三天/1");
	assert_string_equal(QUERY("  停水，，三天。"), "停水/0 三天/1");
	assert_string_equal(QUERY("WiFi密码"), "wifi/0 密码/0");
	/* a lone character ending its group is a prefix; before a word it is not */
	assert_string_equal(QUERY("水"), "水*/0");
	assert_string_equal(QUERY("停 水"), "停*/0 水*/1");
	assert_string_equal(QUERY("A3区"), "a3/0 区*/0");
	assert_string_equal(QUERY("区A3"), "区/0 a3/0");
	assert_string_equal(QUERY("2019年 停水"), "2019/0 年*/0 停水/1");
	assert_string_equal(QUERY("😀"), "");
}

/* ---- the FTS5 tokenizer ---- */

static sqlite3 *open_db(const char *tokenize)
{
	sqlite3 *db;
	struct app_error e;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	if (sq_fts_register(db, &e) != APP_OK)
		fail_msg("sq_fts_register: %s", e.msg);
	char sql[200];
	snprintf(sql, sizeof(sql), "CREATE VIRTUAL TABLE m USING fts5(body, tokenize = '%s')",
		 tokenize);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	return db;
}

static void add(sqlite3 *db, int64_t id, const char *body)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO m(rowid, body) VALUES (?, ?)", -1, &st,
					    NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/*
 * The rowids the search text q finds, ascending, as "1,3" ("" for none),
 * on a 'bianmin' table, or a 'bianmin compact' one when compact.
 */
static const char *search_in(sqlite3 *db, bool compact, const char *q)
{
	static char out[2048];
	struct strbuf expr = STRBUF_INIT;
	struct app_error e;
	if ((compact ? sq_fts_match_compact : sq_fts_match)(q, strlen(q), &expr, &e) != APP_OK)
		fail_msg("sq_fts_match '%s': %s", q, e.msg);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid FROM m WHERE m MATCH ? ORDER BY rowid",
					    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, expr.buf, (int)expr.len, SQLITE_STATIC);
	out[0] = '\0';
	size_t len = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%lld", len ? "," : "",
					(long long)sqlite3_column_int64(st, 0));
	if (r != SQLITE_DONE)
		fail_msg("MATCH %s: %s", expr.buf, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	strbuf_release(&expr);
	return out;
}

#define search(db, q) search_in(db, false, q)

static const char *const docs[] = {
	[1] = "我们村停水三天了，什么时候恢复？",
	[2] = "三天前停水了",
	[3] = "小区的WiFi坏了",
	[4] = "停水，三天没人管",
	[5] = "自来水费太贵",
	[6] = "水",
	[7] = "ＷＩＦＩ密码是多少",
	[8] = "A3区联丰路",
	[9] = "联丰区A3",
};

static void fill(sqlite3 *db)
{
	for (int64_t i = 1; i < (int64_t)(sizeof(docs) / sizeof(docs[0])); i++)
		add(db, i, docs[i]);
}

static void test_fts_search(void **state)
{
	(void)state;
	sqlite3 *db = open_db("bianmin");
	fill(db);
	assert_string_equal(search(db, "停水"), "1,2,4");
	assert_string_equal(search(db, "我们村停水三天了"), "1");
	/* a phrase keeps its characters together; separate words are AND-ed */
	assert_string_equal(search(db, "停水三天"), "1");
	assert_string_equal(search(db, "停水 三天"), "1,2,4");
	/* a bigram across punctuation would be spurious: "水三" is not in 4 */
	assert_string_equal(search(db, "水三"), "1");
	assert_string_equal(search(db, "停水，三天"), "1,2,4");
	/* ASCII words regardless of case and width, whole words only */
	assert_string_equal(search(db, "wifi"), "3,7");
	assert_string_equal(search(db, "WIFI"), "3,7");
	assert_string_equal(search(db, "ｗｉｆｉ"), "3,7");
	assert_string_equal(search(db, "WiFi密码"), "7");
	assert_string_equal(search(db, "wif"), "");
	/* one character: inside a run, at its end, or alone */
	assert_string_equal(search(db, "水"), "1,2,4,5,6");
	assert_string_equal(search(db, "费"), "5");
	assert_string_equal(search(db, "恢"), "1");
	/* a lone character next to a word */
	assert_string_equal(search(db, "A3区"), "8");
	assert_string_equal(search(db, "区A3"), "9");
	assert_string_equal(search(db, "区"), "3,8,9"); /* 小区 too */
	assert_string_equal(search(db, "水费"), "5");
	assert_string_equal(search(db, "电费"), "");
	sqlite3_close(db);
}

static void test_fts_compact_table(void **state)
{
	(void)state;
	/* run-final unigrams only: one character is found as a prefix, just as well */
	sqlite3 *db = open_db("bianmin compact");
	fill(db);
	assert_string_equal(search_in(db, true, "水"), "1,2,4,5,6");
	assert_string_equal(search_in(db, true, "恢"), "1");
	assert_string_equal(search_in(db, true, "区"), "3,8,9");
	assert_string_equal(search_in(db, true, "停水三天"), "1");
	assert_string_equal(search_in(db, true, "水三"), "1");
	assert_string_equal(search_in(db, true, "区A3"), "9");
	assert_string_equal(search_in(db, true, "A3区"), "8");
	/* without the prefix mark only the ends of runs and lone characters */
	assert_string_equal(search_in(db, false, "水"), "4,6");
	sqlite3_close(db);

	/* an unknown tokenizer option is refused */
	sqlite3_open(":memory:", &db);
	assert_int_equal(sq_fts_register(db, NULL), APP_OK);
	assert_int_not_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE m USING fts5(body, "
					      "tokenize = 'bianmin bigrams')", NULL, NULL, NULL),
			     SQLITE_OK);
	sqlite3_close(db);
}

static void test_fts_highlight(void **state)
{
	(void)state;
	sqlite3 *db = open_db("bianmin");
	fill(db);
	struct {
		const char *q, *want;
	} cases[] = {
		{ "停水三天", "我们村[停水三天]了，什么时候恢复？" },
		{ "恢复", "我们村停水三天了，什么时候[恢复]？" },
		{ "wifi", "小区的[WiFi]坏了" },
		/*
		 * one character is a colocated unigram, and highlight() marks a
		 * position by its first term: the bigram that starts there
		 */
		{ "水", "我们村停[水三]天了，什么时候恢复？" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf expr = STRBUF_INIT;
		assert_int_equal(sq_fts_match(cases[i].q, strlen(cases[i].q), &expr, NULL), APP_OK);
		sqlite3_stmt *st;
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT highlight(m, 0, '[', ']') FROM m "
							"WHERE m MATCH ? ORDER BY rowid LIMIT 1",
						    -1, &st, NULL), SQLITE_OK);
		sqlite3_bind_text(st, 1, expr.buf, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), cases[i].want);
		sqlite3_finalize(st);
		strbuf_release(&expr);
	}
	sqlite3_close(db);
}

static void test_fts_match_expression(void **state)
{
	(void)state;
	struct {
		const char *q, *want, *want_compact;
	} cases[] = {
		{ "停水三天", "\"停水 水三 三天\"", "\"停水 水三 三天\"" },
		{ "停水 WiFi", "\"停水\" \"wifi\"", "\"停水\" \"wifi\"" },
		{ "水", "\"水\"", "\"水\"*" },
		{ "A3区 停水", "\"a3 区\" \"停水\"", "\"a3 区\"* \"停水\"" },
		{ "区A3", "\"区 a3\"", "\"区 a3\"" },
		{ "\"停水\" OR NEAR(x) *", "\"停水\" \"or\" \"near\" \"x\"",
		  "\"停水\" \"or\" \"near\" \"x\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int compact = 0; compact < 2; compact++) {
			struct strbuf expr = STRBUF_INIT;
			strbuf_addstr(&expr, "="); /* appended to, not replaced */
			assert_int_equal((compact ? sq_fts_match_compact : sq_fts_match)(
						 cases[i].q, strlen(cases[i].q), &expr, NULL),
					 APP_OK);
			assert_string_equal(expr.buf + 1,
					    compact ? cases[i].want_compact : cases[i].want);
			strbuf_release(&expr);
		}
	}
	/* nothing to search, and too much */
	struct strbuf expr = STRBUF_INIT;
	struct app_error e;
	assert_int_equal(sq_fts_match("，。 😀", 11, &expr, &e), APP_EINVAL);
	assert_string_equal(e.field, "q");
	assert_int_equal(expr.len, 0);
	char many[400] = "";
	for (int i = 0; i < SQ_FTS_QUERY_TERMS_MAX + 1; i++)
		strcat(many, "a ");
	assert_int_equal(sq_fts_match(many, strlen(many), &expr, &e), APP_ETOOBIG);
	assert_int_equal(expr.len, 0);
	many[2 * SQ_FTS_QUERY_TERMS_MAX] = '\0';
	assert_int_equal(sq_fts_match(many, strlen(many), &expr, &e), APP_OK);
	strbuf_release(&expr);
}

/* ---- real messages ---- */

/* Messages of the labelled sample: 留言主题 and 留言详情, one body each. */
static size_t load_messages(const char *path, char ***out)
{
	char *buf;
	size_t len, n = 0;
	struct app_error e;
	if (csv_load(path, 64u << 20, &buf, &len, &e) != APP_OK)
		fail_msg("%s", e.msg);
	struct csv_reader r;
	csv_init(&r, buf, len);
	char **msgs = NULL;
	int subject = -1, detail = -1;
	int k;
	while ((k = csv_next(&r, &e)) == 1) {
		if (subject < 0) {
			for (size_t i = 0; i < r.nfields; i++) {
				if (strcmp(r.fields[i], "留言主题") == 0)
					subject = (int)i;
				if (strcmp(r.fields[i], "留言详情") == 0)
					detail = (int)i;
			}
			assert_true(subject >= 0 && detail >= 0);
			continue;
		}
		if ((size_t)detail >= r.nfields)
			continue;
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s\n%s", r.fields[subject], r.fields[detail]);
		msgs = realloc(msgs, (n + 1) * sizeof(*msgs));
		assert_non_null(msgs);
		msgs[n++] = strbuf_detach(&sb, NULL);
	}
	assert_int_equal(k, 0);
	csv_release(&r);
	free(buf);
	*out = msgs;
	return n;
}

/*
 * Every search of a list of everyday words finds exactly the messages that
 * contain the word.
 */
static void real_searches(sqlite3 *db, bool compact, char **msgs, size_t n)
{
	/* words residents type; some long, some that a word segmenter splits */
	static const char *const queries[] = {
		"停水", "噪音", "拆迁", "物业", "学校", "公交", "社保", "医保", "小区", "幼儿园",
		"农民工", "工资", "拖欠", "公积金", "养老保险", "违章建筑", "扰民", "垃圾",
		"补贴", "学位", "房产证", "油烟", "路灯", "水费", "电费", "广场舞", "教师",
		"医院", "出租车", "高铁", "地铁", "扶贫", "低保", "户口", "快递", "装修",
		"楼盘", "开发商", "业主", "医生", "退休", "考试", "加班", "合同", "停车",
		"水", "电", "路", "A市", "A3区", "2019年",
	};
	size_t total = 0;
	for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
		/* what a substring search finds, as "1,3" */
		struct strbuf want = STRBUF_INIT;
		for (size_t i = 0; i < n; i++)
			if (strstr(msgs[i], queries[q]))
				strbuf_addf(&want, "%s%zu", want.len ? "," : "", i + 1);
		const char *got = search_in(db, compact, queries[q]);
		if (strcmp(got, want.buf) != 0)
			fail_msg("'%s' found %s%s, but the messages that contain it are %s",
				 queries[q], got, compact ? " (compact)" : "", want.buf);
		total += want.len > 0;
		strbuf_release(&want);
	}
	assert_true(total > 40); /* the list is about these messages: most words occur */
}

static void test_real_messages(void **state)
{
	(void)state;
	char path[512];
	snprintf(path, sizeof(path), "%s/complaints/teddy2020C_attach2_labeled_messages_SAMPLE.csv",
		 tu_data_dir());
	if (!tu_file_exists(path)) {
		print_message("SKIP real messages absent (%s)\n", path);
		skip();
	}
	char **msgs;
	size_t n = load_messages(path, &msgs);
	assert_int_equal(n, 495);
	for (int compact = 0; compact < 2; compact++) {
		sqlite3 *db = open_db(compact ? "bianmin compact" : "bianmin");
		assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
		for (size_t i = 0; i < n; i++)
			add(db, (int64_t)i + 1, msgs[i]);
		assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
		real_searches(db, compact, msgs, n);
		sqlite3_close(db);
	}
	for (size_t i = 0; i < n; i++)
		free(msgs[i]);
	free(msgs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cjk_bigrams),
		cmocka_unit_test(test_words_and_folding),
		cmocka_unit_test(test_separators),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_long_words),
		cmocka_unit_test(test_query_groups),
		cmocka_unit_test(test_fts_search),
		cmocka_unit_test(test_fts_compact_table),
		cmocka_unit_test(test_fts_highlight),
		cmocka_unit_test(test_fts_match_expression),
		cmocka_unit_test(test_real_messages),
	};
	return cmocka_run_group_tests_name("terms", tests, NULL, NULL);
}
