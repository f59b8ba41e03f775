/*
 * classify.c - character n-gram features, naive Bayes and logistic
 * regression training, model files, classifying and scoring.
 *
 * The model is one table of 2^bits rows (feature buckets) by k columns: the
 * three intents, then the categories. Both heads read the same row of a
 * feature, so a message costs one cache line or two per feature however
 * many heads there are. Scores are bias + scale * (sum of the rows of the
 * features), where scale is 1 for naive Bayes (a sum of log-likelihoods)
 * and 1/sqrt(number of features) for logistic regression (which learns on
 * length-normalised counts, so long and short messages weigh alike).
 */
#include "patrol/classify.h"
#include "core/csv.h"
#include "core/utf8.h"
#include "patrol/lexicon.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

const char *const classify_intent_names[CLASSIFY_INTENT__MAX] = {
	[CLASSIFY_DEMAND] = "demand",
	[CLASSIFY_QUESTION] = "question",
	[CLASSIFY_CHAT] = "chat",
};

const char *const classify_method_names[CLASSIFY_METHOD__MAX] = {
	[CLASSIFY_NB] = "nb",
	[CLASSIFY_LR] = "lr",
};

bool classify_intent_parse(const char *s, enum classify_intent *out)
{
	for (int i = 0; i < CLASSIFY_INTENT__MAX; i++)
		if (strcmp(s, classify_intent_names[i]) == 0) {
			*out = (enum classify_intent)i;
			return true;
		}
	return false;
}

/* ---- features ---- */

enum {
	CP_SPACE = ' ',
	CP_BOS = 0x110000,   /* before the first character */
	CP_EOS = 0x110001,   /* after the last */
	TAG_UNIGRAM = 0x200000,
	TAG_LENGTH = 0x200001,
	FEATURES_MAX = 2 * CLASSIFY_TEXT_MAX + 2,
};

/* A bucket of the pair (a, b): splitmix64's finaliser, top bits. */
static inline uint32_t bucket(uint32_t a, uint32_t b, unsigned bits)
{
	uint64_t x = ((uint64_t)a << 32 | b) + 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	x ^= x >> 31;
	return (uint32_t)(x >> (64 - bits));
}

/* Decode one code point at p (< end); ill-formed input gives U+FFFD for one byte. */
static inline uint32_t decode(const unsigned char **pp, const unsigned char *end)
{
	const unsigned char *p = *pp;
	unsigned c = p[0];
	if (c < 0x80) {
		*pp = p + 1;
		return c;
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
		*pp = p + 1;
		return 0xFFFD;
	}
	if ((size_t)(end - p) < len) {
		*pp = p + 1;
		return 0xFFFD;
	}
	for (size_t k = 1; k < len; k++) {
		if ((p[k] & 0xC0) != 0x80) {
			*pp = p + 1;
			return 0xFFFD;
		}
		cp = (cp << 6) | (p[k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
		*pp = p + 1;
		return 0xFFFD;
	}
	*pp = p + len;
	return cp;
}

/* Fold a code point: full-width ASCII to ASCII, capitals to small letters,
 * digits to 0, white space and controls to a space. */
static inline uint32_t normalise(uint32_t cp)
{
	if (cp >= 0xFF01 && cp <= 0xFF5E)
		cp -= 0xFEE0;
	if (cp < 0x80) {
		if (cp >= 'A' && cp <= 'Z')
			return cp + 32;
		if (cp >= '0' && cp <= '9')
			return '0';
		if (cp <= 0x20 || cp == 0x7F)
			return CP_SPACE;
		return cp;
	}
	if (cp == 0x3000 || cp == 0xA0 || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 || cp == 0x2029)
		return CP_SPACE;
	return cp;
}

/*
 * The feature buckets of s[0..n) into out (FEATURES_MAX entries): each code
 * point's unigram and its bigram with the one before (the first with a
 * begin marker), the last with an end marker, and the length band (how
 * many bits the number of code points needs, at most 8). Runs of white
 * space count as one space; white space at either end not at all.
 */
static size_t featurise(const char *s, size_t n, unsigned bits, uint32_t *out)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	uint32_t prev = CP_BOS;
	size_t k = 0, ncp = 0;
	bool space = false;
	while (p < end && ncp < CLASSIFY_TEXT_MAX) {
		uint32_t cp = normalise(decode(&p, end));
		if (cp == CP_SPACE) {
			space = ncp > 0;
			continue;
		}
		if (space && ncp + 1 < CLASSIFY_TEXT_MAX) {
			out[k++] = bucket(TAG_UNIGRAM, CP_SPACE, bits);
			out[k++] = bucket(prev, CP_SPACE, bits);
			prev = CP_SPACE;
			ncp++;
		}
		space = false;
		out[k++] = bucket(TAG_UNIGRAM, cp, bits);
		out[k++] = bucket(prev, cp, bits);
		prev = cp;
		ncp++;
	}
	out[k++] = bucket(prev, CP_EOS, bits);
	unsigned band = 0;
	while (band < 8 && (ncp >> band))
		band++;
	out[k++] = bucket(TAG_LENGTH, band, bits);
	return k;
}

/* ---- labelled data ---- */

struct classify_seen {
	const char **slots;
	size_t cap, n;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xCBF29CE484222325ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001B3ull;
	return h;
}

/* Add s to the set unless it is there; true when it was added. */
static bool seen_add(struct classify_seen *set, const char *s)
{
	if (set->n * 2 >= set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 1024;
		const char **slots = xcalloc(cap, sizeof(*slots));
		for (size_t i = 0; i < set->cap; i++)
			if (set->slots[i]) {
				size_t j = fnv1a(set->slots[i]) & (cap - 1);
				while (slots[j])
					j = (j + 1) & (cap - 1);
				slots[j] = set->slots[i];
			}
		free(set->slots);
		set->slots = slots;
		set->cap = cap;
	}
	size_t j = fnv1a(s) & (set->cap - 1);
	while (set->slots[j]) {
		if (strcmp(set->slots[j], s) == 0)
			return false;
		j = (j + 1) & (set->cap - 1);
	}
	set->slots[j] = s;
	set->n++;
	return true;
}

void classify_data_init(struct classify_data *d)
{
	memset(d, 0, sizeof(*d));
	arena_init(&d->mem);
	d->seen = xcalloc(2, sizeof(*d->seen));
}

void classify_data_release(struct classify_data *d)
{
	free(d->rows);
	if (d->seen) {
		free(d->seen[0].slots);
		free(d->seen[1].slots);
		free(d->seen);
	}
	arena_release(&d->mem);
	memset(d, 0, sizeof(*d));
}

unsigned classify_fold(const char *id)
{
	return (unsigned)(fnv1a(id) % CLASSIFY_FOLDS);
}

bool classify_selected(const struct classify_row *r, struct classify_sel sel)
{
	switch (sel.pick) {
	case CLASSIFY_ONLY_FOLD: return classify_fold(r->id) == sel.fold;
	case CLASSIFY_EXCEPT_FOLD: return classify_fold(r->id) != sel.fold;
	default: return true;
	}
}

/* What is wrong with a label-like string (id, category), or NULL. */
static const char *label_problem(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0)
		return "is empty";
	if (n > max)
		return "is longer than 64 bytes"; /* CLASSIFY_ID_MAX, CLASSIFY_LABEL_MAX */
	if (!utf8_valid(s, n))
		return "is not well-formed UTF-8";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
			return "holds a control character";
	if (s[0] == ' ' || s[n - 1] == ' ')
		return "starts or ends with a space";
	return NULL;
}

#define CLASSIFY_TEXT_BYTES_MAX (1u << 20)
#define WEIGHTS_MAX ((size_t)1 << 26) /* floats of a model: 256 MiB */

/* What is wrong with a row, as "the <field> <problem>", into why; false if nothing. */
static bool row_problem(const char *id, const char *text, const char *body, const char *category,
			char *why, size_t cap)
{
	const char *p;
	if ((p = label_problem(id, CLASSIFY_ID_MAX))) {
		snprintf(why, cap, "the id %s", p);
		return true;
	}
	const char *texts[2] = { text, body };
	const char *names[2] = { "text", "body" };
	for (int i = 0; i < 2; i++) {
		if (!texts[i])
			continue;
		size_t n = strlen(texts[i]);
		if (n == 0) {
			snprintf(why, cap, "the %s is empty", names[i]);
			return true;
		}
		if (n > CLASSIFY_TEXT_BYTES_MAX) {
			snprintf(why, cap, "the %s is longer than 1 MiB", names[i]);
			return true;
		}
		if (!utf8_valid(texts[i], n)) {
			snprintf(why, cap, "the %s is not well-formed UTF-8", names[i]);
			return true;
		}
	}
	if (category && *category && (p = label_problem(category, CLASSIFY_LABEL_MAX))) {
		snprintf(why, cap, "the category %s", p);
		return true;
	}
	return false;
}

enum app_err classify_data_add(struct classify_data *d, const char *id, const char *text,
			       const char *body, int intent, const char *category,
			       struct app_error *err)
{
	char why[128];
	if (!id || !text)
		return app_fail(err, APP_EINVAL, "a row needs an id and a text");
	if (row_problem(id, text, body, category, why, sizeof(why)))
		return app_fail(err, APP_EINVAL, "row '%.64s': %s", id, why);
	if (intent < -1 || intent >= CLASSIFY_INTENT__MAX)
		return app_fail(err, APP_EINVAL, "row '%.64s': no such intent %d", id, intent);
	if (d->n >= CLASSIFY_ROWS_MAX)
		return app_fail(err, APP_ETOOBIG, "more than %d rows", CLASSIFY_ROWS_MAX);
	if (category && !*category)
		category = NULL;
	if (intent < 0 && !category) {
		d->unlabelled++;
		return APP_OK;
	}
	const char *t = arena_strndup(&d->mem, text, strlen(text));
	const char *b = body ? arena_strndup(&d->mem, body, strlen(body)) : t;
	if (intent >= 0 && !seen_add(&d->seen[0], t))
		intent = -1;
	if (category && !seen_add(&d->seen[1], b))
		category = NULL;
	if (intent < 0 && !category) {
		d->dropped++;
		return APP_OK;
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 256;
		d->rows = xrealloc(d->rows, d->cap * sizeof(*d->rows));
	}
	d->rows[d->n++] = (struct classify_row){
		.id = arena_strndup(&d->mem, id, strlen(id)),
		.text = t,
		.body = b,
		.intent = intent,
		.category = category ? arena_strndup(&d->mem, category, strlen(category)) : NULL,
		.source = d->sources,
	};
	return APP_OK;
}

/* s[0..n) ends with the bytes of suf. */
static bool ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

bool classify_subject_is_question(const char *subject)
{
	size_t n = strlen(subject);
	for (;;) { /* trailing white space: ASCII and U+3000 */
		if (n && (subject[n - 1] == ' ' || subject[n - 1] == '\t' || subject[n - 1] == '\r' ||
			  subject[n - 1] == '\n'))
			n--;
		else if (ends_with(subject, n, "\u3000"))
			n -= 3;
		else
			break;
	}
	const char *const ends[] = { "？", "?", "吗", "呢" };
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		if (ends_with(subject, n, ends[i]))
			return true;
	return strncmp(subject, "请问", strlen("请问")) == 0;
}

enum data_format { FORMAT_OURS, FORMAT_BOARD };

enum column { COL_ID, COL_TEXT, COL_INTENT, COL_CATEGORY, COL_BODY, COL__MAX };

static const char *const ours_names[COL__MAX] = { "id", "text", "intent", "category", "body" };
/* the board's: id, subject (the text), first-level class, details (the body) */
static const char *const board_names[COL__MAX] = {
	[COL_ID] = "留言编号", [COL_TEXT] = "留言主题", [COL_INTENT] = NULL,
	[COL_CATEGORY] = "一级分类", [COL_BODY] = "留言详情",
};

struct pending {
	const char *f[COL__MAX]; /* into the CSV buffer; NULL when absent */
	int intent;
	size_t line;
};

struct problems {
	struct app_error *err;
	const char *name;
	size_t count;
};

static void problem(struct problems *p, size_t line, const char *what)
{
	if (p->count++ == 0)
		app_fail(p->err, APP_EINVAL, "'%s' line %zu: %s", p->name, line, what);
}

/* Which column of the header holds each field; -1 when none. */
static bool find_columns(const struct csv_reader *r, enum data_format *fmt, int col[COL__MAX])
{
	for (int pass = 0; pass < 2; pass++) {
		const char *const *names = pass == 0 ? ours_names : board_names;
		for (int c = 0; c < COL__MAX; c++) {
			col[c] = -1;
			for (size_t i = 0; names[c] && i < r->nfields; i++)
				if (strcmp(r->fields[i], names[c]) == 0)
					col[c] = (int)i;
		}
		bool ok = col[COL_ID] >= 0 && col[COL_TEXT] >= 0 && (pass == 0 || col[COL_BODY] >= 0);
		if (ok) {
			*fmt = pass == 0 ? FORMAT_OURS : FORMAT_BOARD;
			return true;
		}
	}
	return false;
}

enum app_err classify_data_parse(struct classify_data *d, const char *name, char *buf, size_t len,
				 struct app_error *err)
{
	struct csv_reader r;
	csv_init(&r, buf, len);
	struct app_error csv_err;
	struct problems pb = { err, name, 0 };
	int got = csv_next(&r, &csv_err);
	if (got <= 0) {
		csv_release(&r);
		return app_fail(err, APP_EINVAL, "'%s' %s", name,
				got == 0 ? "is empty" : csv_err.msg);
	}
	enum data_format fmt;
	int col[COL__MAX];
	if (!find_columns(&r, &fmt, col)) {
		csv_release(&r);
		return app_fail(err, APP_EINVAL,
				"'%s' line %zu: the header must name the columns id and text (and "
				"intent, category, body), or those of a message board (留言编号, "
				"留言主题, 留言详情 and 一级分类)",
				name, r.record_line);
	}
	size_t nheader = r.nfields;
	struct pending *rows = NULL;
	size_t n = 0, cap = 0;
	char why[256];
	while ((got = csv_next(&r, &csv_err)) == 1) {
		size_t line = r.record_line;
		if (r.nfields != nheader) {
			snprintf(why, sizeof(why), "%zu fields where the header has %zu", r.nfields,
				 nheader);
			problem(&pb, line, why);
			continue;
		}
		struct pending p = { .intent = -1, .line = line };
		for (int c = 0; c < COL__MAX; c++)
			p.f[c] = col[c] >= 0 ? r.fields[col[c]] : NULL;
		if (fmt == FORMAT_OURS) {
			const char *in = p.f[COL_INTENT];
			enum classify_intent it;
			if (in && *in) {
				if (!classify_intent_parse(in, &it)) {
					snprintf(why, sizeof(why),
						 "the intent must be demand, question, chat or empty, "
						 "not '%.40s'", in);
					problem(&pb, line, why);
					continue;
				}
				p.intent = (int)it;
			}
			if (row_problem(p.f[COL_ID], p.f[COL_TEXT], p.f[COL_BODY], p.f[COL_CATEGORY],
					why, sizeof(why))) {
				problem(&pb, line, why);
				continue;
			}
		} else {
			/* the board: the intent from the subject's form */
			p.intent = classify_subject_is_question(p.f[COL_TEXT]) ? CLASSIFY_QUESTION
										: CLASSIFY_DEMAND;
			if (!*p.f[COL_BODY]) /* no details: the body is the subject */
				p.f[COL_BODY] = NULL;
			if (row_problem(p.f[COL_ID], p.f[COL_TEXT], p.f[COL_BODY], p.f[COL_CATEGORY],
					why, sizeof(why))) {
				problem(&pb, line, why);
				continue;
			}
		}
		if (d->n + n >= CLASSIFY_ROWS_MAX) {
			free(rows);
			csv_release(&r);
			return app_fail(err, APP_ETOOBIG, "'%s': more than %d rows", name,
					CLASSIFY_ROWS_MAX);
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			rows = xrealloc(rows, cap * sizeof(*rows));
		}
		rows[n++] = p;
	}
	if (got < 0) {
		size_t line = r.line;
		int skip = 0;
		if (sscanf(csv_err.msg, "line %zu: %n", &line, &skip) < 1)
			skip = 0;
		problem(&pb, line, csv_err.msg + skip);
	}
	csv_release(&r);
	if (pb.count) {
		if (pb.count > 1 && err) {
			size_t k = strlen(err->msg);
			snprintf(err->msg + k, sizeof(err->msg) - k,
				 " (and %zu more problem%s; no row was read)", pb.count - 1,
				 pb.count == 2 ? "" : "s");
		}
		free(rows);
		return APP_EINVAL;
	}
	struct strbuf body = STRBUF_INIT;
	enum app_err rc = APP_OK;
	for (size_t i = 0; i < n && rc == APP_OK; i++) {
		const struct pending *p = &rows[i];
		size_t before = d->n;
		if (fmt == FORMAT_OURS) {
			rc = classify_data_add(d, p->f[COL_ID], p->f[COL_TEXT], p->f[COL_BODY], p->intent,
					       p->f[COL_CATEGORY], err);
		} else {
			strbuf_reset(&body);
			strbuf_addstr(&body, p->f[COL_TEXT]);
			if (p->f[COL_BODY]) {
				strbuf_addch(&body, '\n');
				strbuf_addstr(&body, p->f[COL_BODY]);
			}
			rc = classify_data_add(d, p->f[COL_ID], p->f[COL_TEXT], body.buf, p->intent,
					       p->f[COL_CATEGORY], err);
		}
		if (d->n > before)
			d->rows[d->n - 1].line = p->line;
	}
	strbuf_release(&body);
	free(rows);
	d->sources++;
	return rc;
}

enum app_err classify_data_load(struct classify_data *d, const char *path, struct app_error *err)
{
	char *buf;
	size_t len;
	enum app_err rc = csv_load(path, CLASSIFY_FILE_MAX, &buf, &len, err);
	if (rc != APP_OK)
		return rc;
	rc = classify_data_parse(d, path, buf, len, err);
	free(buf);
	return rc;
}

/* ---- the model ---- */

struct classify_model {
	unsigned bits;
	enum classify_method method;
	uint32_t scaled;   /* 1: scores scaled by 1/sqrt(features) */
	uint32_t ncat, k;  /* k = CLASSIFY_INTENT__MAX + ncat columns */
	uint32_t stride;   /* k rounded up to 4: rows of 16 bytes, which vectorise */
	char *labels[CLASSIFY_CATEGORIES_MAX];
	float *bias;       /* [k] */
	float *w;          /* [2^bits][stride], the padding 0 */
	uint32_t intent_rows[CLASSIFY_INTENT__MAX], category_rows;
};

static struct classify_model *model_new(unsigned bits, uint32_t ncat)
{
	struct classify_model *m = xcalloc(1, sizeof(*m));
	m->bits = bits;
	m->ncat = ncat;
	m->k = CLASSIFY_INTENT__MAX + ncat;
	m->stride = (m->k + 3) & ~3u;
	m->bias = xcalloc(m->k, sizeof(*m->bias));
	m->w = xcalloc((size_t)m->stride << bits, sizeof(*m->w));
	return m;
}

void classify_model_free(struct classify_model *m)
{
	if (!m)
		return;
	for (uint32_t i = 0; i < m->ncat; i++)
		free(m->labels[i]);
	free(m->bias);
	free(m->w);
	free(m);
}

size_t classify_categories(const struct classify_model *m)
{
	return m->ncat;
}

const char *classify_category_name(const struct classify_model *m, int i)
{
	return i >= 0 && (uint32_t)i < m->ncat ? m->labels[i] : NULL;
}

void classify_model_info(const struct classify_model *m, struct classify_model_info *out)
{
	out->bits = m->bits;
	out->method = m->method;
	memcpy(out->intent_rows, m->intent_rows, sizeof(out->intent_rows));
	out->category_rows = m->category_rows;
	out->bytes = ((size_t)m->stride << m->bits) * sizeof(float);
}

/* ---- training ---- */

/* The features of every selected row of one head, end to end. */
struct head_rows {
	uint32_t *feat;     /* all features */
	size_t *start;      /* row i: feat[start[i] .. start[i + 1]) */
	uint32_t *label;    /* row i's class within the head */
	unsigned *source;   /* row i's source */
	float *weight;      /* row i's weight (see classify_train()) */
	size_t n;
	size_t count[CLASSIFY_CATEGORIES_MAX]; /* rows per class */
};

static void head_rows_release(struct head_rows *h)
{
	free(h->feat);
	free(h->start);
	free(h->label);
	free(h->source);
	free(h->weight);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/*
 * Row weights: n / (classes present * sources of the class * rows of the
 * class from the row's source). Each class then weighs n / classes in all,
 * shared equally by the sources it comes from.
 */
static void weigh(struct head_rows *h, uint32_t nc)
{
	h->weight = xmalloc((h->n ? h->n : 1) * sizeof(*h->weight));
	/* (class, source) keys, sorted, to count rows per group and groups per class */
	uint64_t *keys = xmalloc((h->n ? h->n : 1) * sizeof(*keys));
	for (size_t i = 0; i < h->n; i++)
		keys[i] = (uint64_t)h->label[i] << 32 | h->source[i];
	qsort(keys, h->n, sizeof(*keys), cmp_u64);
	size_t sources[CLASSIFY_CATEGORIES_MAX] = { 0 };
	uint32_t present = 0;
	for (size_t i = 0; i < h->n; i++)
		if (i == 0 || keys[i] != keys[i - 1])
			sources[keys[i] >> 32]++;
	for (uint32_t c = 0; c < nc; c++)
		present += h->count[c] > 0;
	for (size_t i = 0; i < h->n; i++) {
		uint64_t key = (uint64_t)h->label[i] << 32 | h->source[i];
		size_t lo = 0, hi = h->n; /* rows of this group: [first >= key, first > key) */
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (keys[mid] < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		size_t first = lo;
		hi = h->n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (keys[mid] <= key)
				lo = mid + 1;
			else
				hi = mid;
		}
		double group = (double)(lo - first);
		h->weight[i] = (float)((double)h->n /
				       ((double)present * (double)sources[h->label[i]] * group));
	}
	free(keys);
}

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int label_index(char *const *labels, uint32_t n, const char *s)
{
	size_t lo = 0, hi = n;
	while (lo < hi) { /* labels are sorted */
		size_t mid = (lo + hi) / 2;
		int c = strcmp(labels[mid], s);
		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Collect the rows of head 0 (intent) or 1 (category) of d for model m. */
static void gather(const struct classify_data *d, struct classify_sel sel,
		   const struct classify_model *m, int head, struct head_rows *h)
{
	memset(h, 0, sizeof(*h));
	size_t cap = 0, nf = 0, fcap = 0;
	uint32_t *buf = xmalloc(FEATURES_MAX * sizeof(*buf));
	for (size_t i = 0; i < d->n; i++) {
		const struct classify_row *r = &d->rows[i];
		if (!classify_selected(r, sel))
			continue;
		int label;
		const char *t;
		if (head == 0) {
			label = r->intent;
			t = r->text;
		} else {
			label = r->category ? label_index(m->labels, m->ncat, r->category) : -1;
			t = r->body;
		}
		if (label < 0)
			continue;
		size_t k = featurise(t, strlen(t), m->bits, buf);
		if (h->n + 1 >= cap) {
			cap = cap ? cap * 2 : 256;
			h->start = xrealloc(h->start, (cap + 1) * sizeof(*h->start));
			h->label = xrealloc(h->label, cap * sizeof(*h->label));
			h->source = xrealloc(h->source, cap * sizeof(*h->source));
		}
		if (nf + k > fcap) {
			fcap = (nf + k) * 2;
			h->feat = xrealloc(h->feat, fcap * sizeof(*h->feat));
		}
		memcpy(h->feat + nf, buf, k * sizeof(*buf));
		h->start[h->n] = nf;
		h->label[h->n] = (uint32_t)label;
		h->source[h->n] = r->source;
		h->count[label]++;
		nf += k;
		h->n++;
	}
	if (!h->start)
		h->start = xmalloc(sizeof(*h->start));
	h->start[h->n] = nf;
	free(buf);
	weigh(h, head == 0 ? CLASSIFY_INTENT__MAX : m->ncat);
}

/*
 * Multinomial naive Bayes of one head into columns [col, col + nc): weight =
 * log P(feature | class) with add-alpha smoothing over the buckets seen in
 * training; uniform class priors (the bias stays 0), because how often each
 * class occurs in a village group is not how often it occurs in the
 * training files. Each row counts once: the weights of weigh() scored
 * worse here (docs/classify.md).
 */
static void train_nb(struct classify_model *m, const struct head_rows *h, uint32_t col, uint32_t nc)
{
	const double alpha = 0.1;
	size_t nb = (size_t)1 << m->bits;
	double *cnt = xcalloc(nb * nc, sizeof(*cnt));
	double total[CLASSIFY_CATEGORIES_MAX] = { 0 };
	for (size_t i = 0; i < h->n; i++)
		for (size_t f = h->start[i]; f < h->start[i + 1]; f++) {
			cnt[(size_t)h->feat[f] * nc + h->label[i]] += 1;
			total[h->label[i]] += 1;
		}
	size_t vocab = 0;
	for (size_t b = 0; b < nb; b++)
		for (uint32_t c = 0; c < nc; c++)
			if (cnt[b * nc + c] > 0) {
				vocab++;
				break;
			}
	for (uint32_t c = 0; c < nc; c++) {
		double denom = log(total[c] + alpha * (double)(vocab ? vocab : 1));
		for (size_t b = 0; b < nb; b++)
			m->w[b * m->stride + col + c] = (float)(log(cnt[b * nc + c] + alpha) - denom);
		/* a class without rows is never predicted */
		m->bias[col + c] = h->count[c] ? 0.0f : -1e30f;
	}
	free(cnt);
}

/* xorshift64*: the training order, the same on every machine */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

static void softmax(const float *z, float *p, uint32_t n)
{
	float max = -INFINITY;
	for (uint32_t c = 0; c < n; c++)
		if (z[c] > max)
			max = z[c];
	float sum = 0;
	for (uint32_t c = 0; c < n; c++) {
		p[c] = expf(z[c] - max);
		sum += p[c];
	}
	for (uint32_t c = 0; c < n; c++)
		p[c] /= sum;
}

/*
 * Softmax regression of one head into columns [col, col + nc), by averaged
 * stochastic gradient descent: each row's features scaled by
 * 1/sqrt(count), each row weighted by weigh() (the classes and the files
 * are very unequal in size), a fixed step,
 * a fixed number of passes in a fixed pseudo-random order; the weights
 * kept are the average over all steps, which generalises better than the
 * last ones and needs no tuning of a decay.
 */
static void train_lr(struct classify_model *m, const struct head_rows *h, uint32_t col, uint32_t nc,
		     unsigned epochs)
{
	const float eta = 0.5f;
	size_t nb = (size_t)1 << m->bits;
	float *w = xcalloc(nb * nc, sizeof(*w));
	float *u = xcalloc(nb * nc, sizeof(*u)); /* sum of step * update */
	float b[CLASSIFY_CATEGORIES_MAX] = { 0 }, ub[CLASSIFY_CATEGORIES_MAX] = { 0 };
	size_t *order = xmalloc((h->n ? h->n : 1) * sizeof(*order));
	for (size_t i = 0; i < h->n; i++)
		order[i] = i;
	uint64_t seed = 0x5EEDC1A55u;
	float t = 1;
	for (unsigned e = 0; e < epochs; e++) {
		for (size_t i = h->n; i > 1; i--) {
			size_t j = (size_t)(next_random(&seed) % i);
			size_t tmp = order[i - 1];
			order[i - 1] = order[j];
			order[j] = tmp;
		}
		for (size_t oi = 0; oi < h->n; oi++) {
			size_t r = order[oi];
			size_t f0 = h->start[r], f1 = h->start[r + 1];
			float scale = 1.0f / sqrtf((float)(f1 - f0));
			float z[CLASSIFY_CATEGORIES_MAX], p[CLASSIFY_CATEGORIES_MAX];
			for (uint32_t c = 0; c < nc; c++)
				z[c] = 0;
			for (size_t f = f0; f < f1; f++) {
				const float *row = w + (size_t)h->feat[f] * nc;
				for (uint32_t c = 0; c < nc; c++)
					z[c] += row[c];
			}
			for (uint32_t c = 0; c < nc; c++) /* a class without rows takes no part */
				z[c] = h->count[c] ? b[c] + scale * z[c] : -INFINITY;
			softmax(z, p, nc);
			uint32_t y = h->label[r];
			for (uint32_t c = 0; c < nc; c++) {
				float g = (p[c] - (c == y ? 1.0f : 0.0f)) * h->weight[r] * eta;
				b[c] -= g;
				ub[c] -= t * g;
				z[c] = g * scale; /* reuse: the step of each weight of this row */
			}
			for (size_t f = f0; f < f1; f++) {
				float *row = w + (size_t)h->feat[f] * nc;
				float *urow = u + (size_t)h->feat[f] * nc;
				for (uint32_t c = 0; c < nc; c++) {
					row[c] -= z[c];
					urow[c] -= t * z[c];
				}
			}
			t += 1;
		}
	}
	/* the average of the weights after each step: w - u / t */
	for (size_t bk = 0; bk < nb; bk++)
		for (uint32_t c = 0; c < nc; c++)
			m->w[bk * m->stride + col + c] = w[bk * nc + c] - u[bk * nc + c] / t;
	for (uint32_t c = 0; c < nc; c++)
		m->bias[col + c] = h->count[c] ? b[c] - ub[c] / t : -1e30f;
	free(order);
	free(u);
	free(w);
}

enum app_err classify_train(const struct classify_data *d, const struct classify_train_opts *o,
			    struct classify_model **out, struct app_error *err)
{
	if (o->bits < CLASSIFY_BITS_MIN || o->bits > CLASSIFY_BITS_MAX)
		return app_fail(err, APP_EINVAL, "bits must be from %d to %d, not %u", CLASSIFY_BITS_MIN,
				CLASSIFY_BITS_MAX, o->bits);
	if ((unsigned)o->method >= CLASSIFY_METHOD__MAX)
		return app_fail(err, APP_EINVAL, "no such training method");
	if (o->method == CLASSIFY_LR && (o->epochs < 1 || o->epochs > 1000))
		return app_fail(err, APP_EINVAL, "epochs must be from 1 to 1000, not %u", o->epochs);
	/* the categories: every label of a selected row, sorted */
	const char **cats = NULL;
	size_t ncat = 0, cap = 0, nintent = 0;
	for (size_t i = 0; i < d->n; i++) {
		const struct classify_row *r = &d->rows[i];
		if (!classify_selected(r, o->rows))
			continue;
		nintent += r->intent >= 0;
		if (!r->category)
			continue;
		if (ncat == cap) {
			cap = cap ? cap * 2 : 64;
			cats = xrealloc(cats, cap * sizeof(*cats));
		}
		cats[ncat++] = r->category;
	}
	if (ncat)
		qsort(cats, ncat, sizeof(*cats), cmp_str_ptr);
	size_t distinct = 0;
	for (size_t i = 0; i < ncat; i++)
		if (i == 0 || strcmp(cats[i], cats[distinct - 1]) != 0)
			cats[distinct++] = cats[i];
	if (nintent == 0 || distinct == 0) {
		free(cats);
		return app_fail(err, APP_EINVAL, "no row to learn %s from",
				nintent == 0 ? "an intent" : "a category");
	}
	if (distinct > CLASSIFY_CATEGORIES_MAX) {
		free(cats);
		return app_fail(err, APP_EINVAL, "%zu categories are more than the %d a model holds",
				distinct, CLASSIFY_CATEGORIES_MAX);
	}
	if ((((CLASSIFY_INTENT__MAX + distinct + 3) & ~(size_t)3) << o->bits) > WEIGHTS_MAX) {
		free(cats);
		return app_fail(err, APP_EINVAL,
				"%u bits and %zu categories make a model of more than 256 MiB; use fewer bits",
				o->bits, distinct);
	}
	struct classify_model *m = model_new(o->bits, (uint32_t)distinct);
	m->method = o->method;
	m->scaled = o->method == CLASSIFY_LR;
	for (size_t i = 0; i < distinct; i++)
		m->labels[i] = xstrdup(cats[i]);
	free(cats);
	for (int head = 0; head < 2; head++) {
		struct head_rows h;
		gather(d, o->rows, m, head, &h);
		uint32_t col = head == 0 ? 0 : CLASSIFY_INTENT__MAX;
		uint32_t nc = head == 0 ? CLASSIFY_INTENT__MAX : m->ncat;
		if (o->method == CLASSIFY_NB)
			train_nb(m, &h, col, nc);
		else
			train_lr(m, &h, col, nc, o->epochs);
		if (head == 0)
			for (int c = 0; c < CLASSIFY_INTENT__MAX; c++)
				m->intent_rows[c] = (uint32_t)h.count[c];
		else
			m->category_rows = (uint32_t)h.n;
		head_rows_release(&h);
	}
	*out = m;
	return APP_OK;
}

/* ---- classifying ---- */

static int urgent_word(void *arg, const struct lexicon_hit *hit)
{
	if (hit->entry->severity < LEXICON_URGENT)
		return 0;
	*(const struct lexicon_entry **)arg = hit->entry;
	return 1;
}

void classify_text(const struct classify_model *m, const struct lexicon *lex, const char *s,
		   size_t n, struct classify_result *out)
{
	uint32_t feat[FEATURES_MAX];
	size_t nf = featurise(s, n, m->bits, feat);
	float z[CLASSIFY_INTENT__MAX + CLASSIFY_CATEGORIES_MAX + 4] = { 0 };
	const uint32_t k = m->k, stride = m->stride;
	for (size_t f = 0; f < nf; f++) {
		const float *row = m->w + (size_t)feat[f] * stride;
		for (uint32_t c = 0; c < stride; c += 4) {
			z[c] += row[c];
			z[c + 1] += row[c + 1];
			z[c + 2] += row[c + 2];
			z[c + 3] += row[c + 3];
		}
	}
	float scale = m->scaled ? 1.0f / sqrtf((float)nf) : 1.0f;
	for (uint32_t c = 0; c < k; c++)
		z[c] = m->bias[c] + scale * z[c];
	softmax(z, out->intent_p, CLASSIFY_INTENT__MAX);
	int best = 0;
	for (int c = 1; c < CLASSIFY_INTENT__MAX; c++)
		if (z[c] > z[best])
			best = c;
	out->intent = (enum classify_intent)best;
	out->category = -1;
	out->category_p = 0;
	if (m->ncat) {
		float p[CLASSIFY_CATEGORIES_MAX];
		softmax(z + CLASSIFY_INTENT__MAX, p, m->ncat);
		int bc = 0;
		for (uint32_t c = 1; c < m->ncat; c++)
			if (p[c] > p[bc])
				bc = (int)c;
		out->category = bc;
		out->category_p = p[bc];
	}
	out->override = NULL;
	if (lex && lexicon_scan(lex, s, n, urgent_word, &out->override))
		out->intent = CLASSIFY_DEMAND;
}

/* ---- model files ---- */

static const char model_magic[8] = { 'B', 'M', 'C', 'L', 'A', 'S', 'S', '\0' };
enum { HEADER_BYTES = 8 + 4 * 9 };

static void put_u32(struct strbuf *sb, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 24) };
	strbuf_add(sb, b, 4);
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_f32(struct strbuf *sb, float f)
{
	uint32_t v;
	memcpy(&v, &f, 4);
	put_u32(sb, v);
}

static float get_f32(const unsigned char *p)
{
	uint32_t v = get_u32(p);
	float f;
	memcpy(&f, &v, 4);
	return f;
}

void classify_model_write(const struct classify_model *m, struct strbuf *out)
{
	size_t start = out->len;
	size_t nb = (size_t)1 << m->bits;
	strbuf_grow(out, HEADER_BYTES + m->ncat * (CLASSIFY_LABEL_MAX + 1) + (m->k * (nb + 1) + 1) * 4);
	strbuf_add(out, model_magic, sizeof(model_magic));
	put_u32(out, CLASSIFY_MODEL_VERSION);
	put_u32(out, m->bits);
	put_u32(out, (uint32_t)m->method);
	put_u32(out, m->scaled);
	put_u32(out, m->ncat);
	for (int c = 0; c < CLASSIFY_INTENT__MAX; c++)
		put_u32(out, m->intent_rows[c]);
	put_u32(out, m->category_rows);
	for (uint32_t c = 0; c < m->ncat; c++) {
		size_t len = strlen(m->labels[c]);
		strbuf_addch(out, (char)len);
		strbuf_add(out, m->labels[c], len);
	}
	for (uint32_t c = 0; c < m->k; c++)
		put_f32(out, m->bias[c]);
	for (size_t b = 0; b < nb; b++) /* k columns of each row, no padding */
		for (uint32_t c = 0; c < m->k; c++)
			put_f32(out, m->w[b * m->stride + c]);
	uLong crc = crc32(0L, Z_NULL, 0);
	const unsigned char *p = (const unsigned char *)out->buf + start;
	size_t left = out->len - start;
	while (left) { /* crc32() takes a uInt */
		uInt chunk = left > (1u << 30) ? (1u << 30) : (uInt)left;
		crc = crc32(crc, p, chunk);
		p += chunk;
		left -= chunk;
	}
	put_u32(out, (uint32_t)crc);
}

enum app_err classify_model_read(const char *name, const void *data, size_t len,
				 struct classify_model **out, struct app_error *err)
{
	const unsigned char *p = data;
	if (len < sizeof(model_magic) || memcmp(p, model_magic, sizeof(model_magic)) != 0)
		return app_fail(err, APP_EINVAL, "'%s' is not a classifier model (no BMCLASS header)",
				name);
	if (len < HEADER_BYTES)
		return app_fail(err, APP_EINVAL, "model '%s' is truncated: %zu bytes, less than its header",
				name, len);
	uint32_t version = get_u32(p + 8), bits = get_u32(p + 12), method = get_u32(p + 16),
		 scaled = get_u32(p + 20), ncat = get_u32(p + 24);
	if (version != CLASSIFY_MODEL_VERSION)
		return app_fail(err, APP_EINVAL,
				"model '%s' is of format version %u; this bianmin reads version %d "
				"(train it again)", name, version, CLASSIFY_MODEL_VERSION);
	if (bits < CLASSIFY_BITS_MIN || bits > CLASSIFY_BITS_MAX || method >= CLASSIFY_METHOD__MAX ||
	    scaled > 1 || ncat == 0 || ncat > CLASSIFY_CATEGORIES_MAX)
		return app_fail(err, APP_EINVAL,
				"model '%s' is corrupted: a header field is out of range "
				"(bits %u, method %u, scaling %u, categories %u)",
				name, bits, method, scaled, ncat);
	size_t pos = HEADER_BYTES;
	size_t label_at[CLASSIFY_CATEGORIES_MAX], label_len[CLASSIFY_CATEGORIES_MAX];
	for (uint32_t c = 0; c < ncat; c++) {
		if (pos >= len)
			return app_fail(err, APP_EINVAL, "model '%s' is truncated (in its labels)", name);
		label_len[c] = p[pos];
		label_at[c] = pos + 1;
		pos += 1 + label_len[c];
	}
	size_t k = CLASSIFY_INTENT__MAX + ncat;
	if ((((k + 3) & ~(size_t)3) << bits) > WEIGHTS_MAX)
		return app_fail(err, APP_EINVAL, "model '%s' is corrupted: %u bits and %u categories "
				"are more than a model may have", name, bits, ncat);
	size_t want = pos + (k + (k << bits) + 1) * 4;
	if (len < want)
		return app_fail(err, APP_EINVAL, "model '%s' is truncated: %zu bytes of %zu", name, len,
				want);
	if (len > want)
		return app_fail(err, APP_EINVAL, "model '%s' has %zu bytes more than its header says",
				name, len - want);
	uLong crc = crc32(0L, Z_NULL, 0);
	for (size_t off = 0; off < want - 4;) {
		uInt chunk = want - 4 - off > (1u << 30) ? (1u << 30) : (uInt)(want - 4 - off);
		crc = crc32(crc, p + off, chunk);
		off += chunk;
	}
	if ((uint32_t)crc != get_u32(p + want - 4))
		return app_fail(err, APP_EINVAL, "model '%s' is corrupted: its checksum does not match",
				name);
	/* labels: well-formed, sorted, each once (as classify_train() makes them) */
	char prev[CLASSIFY_LABEL_MAX + 1] = "", label[CLASSIFY_LABEL_MAX + 1];
	for (uint32_t c = 0; c < ncat; c++) {
		if (label_len[c] == 0 || label_len[c] > CLASSIFY_LABEL_MAX)
			return app_fail(err, APP_EINVAL, "model '%s' has a label of %zu bytes", name,
					label_len[c]);
		memcpy(label, p + label_at[c], label_len[c]);
		label[label_len[c]] = '\0';
		if (label_problem(label, CLASSIFY_LABEL_MAX) || (c > 0 && strcmp(prev, label) >= 0))
			return app_fail(err, APP_EINVAL,
					"model '%s' has a bad category label (number %u)", name, c + 1);
		memcpy(prev, label, label_len[c] + 1);
	}
	struct classify_model *m = model_new(bits, ncat);
	m->method = (enum classify_method)method;
	m->scaled = scaled;
	for (int c = 0; c < CLASSIFY_INTENT__MAX; c++)
		m->intent_rows[c] = get_u32(p + 28 + 4 * c);
	m->category_rows = get_u32(p + 40);
	for (uint32_t c = 0; c < ncat; c++)
		m->labels[c] = xstrndup((const char *)p + label_at[c], label_len[c]);
	const unsigned char *f = p + pos;
	for (size_t i = 0; i < k; i++, f += 4)
		m->bias[i] = get_f32(f);
	for (size_t i = 0; i < k; i++)
		if (!isfinite(m->bias[i])) {
			classify_model_free(m);
			return app_fail(err, APP_EINVAL, "model '%s' has a bias that is not a number", name);
		}
	size_t nb = (size_t)1 << bits;
	for (size_t b = 0; b < nb; b++)
		for (size_t c = 0; c < k; c++, f += 4) {
			float v = get_f32(f);
			if (!isfinite(v)) {
				classify_model_free(m);
				return app_fail(err, APP_EINVAL, "model '%s' has a weight that is not a number",
						name);
			}
			m->w[b * m->stride + c] = v;
		}
	*out = m;
	return APP_OK;
}

enum app_err classify_model_save(const struct classify_model *m, const char *path,
				 struct app_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	classify_model_write(m, &sb);
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof(tmp)) {
		strbuf_release(&sb);
		return app_fail(err, APP_EIO, "cannot write model '%s': the path is too long", path);
	}
	FILE *f = fopen(tmp, "wb");
	if (!f) {
		strbuf_release(&sb);
		return app_fail(err, APP_EIO, "cannot write model '%s': %s", path, strerror(errno));
	}
	bool ok = fwrite(sb.buf, 1, sb.len, f) == sb.len;
	int e = errno;
	if (fclose(f) != 0 && ok) {
		ok = false;
		e = errno;
	}
	strbuf_release(&sb);
	if (!ok || rename(tmp, path) != 0) {
		if (ok)
			e = errno;
		remove(tmp);
		return app_fail(err, APP_EIO, "cannot write model '%s': %s", path, strerror(e));
	}
	return APP_OK;
}

enum app_err classify_model_load(const char *path, struct classify_model **out,
				 struct app_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return app_fail(err, errno == ENOENT ? APP_ENOTFOUND : APP_EIO,
				"cannot open model '%s': %s", path, strerror(errno));
	struct strbuf sb = STRBUF_INIT;
	char chunk[1 << 16];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		strbuf_add(&sb, chunk, got);
	int bad = ferror(f);
	int e = errno;
	fclose(f);
	if (bad) {
		strbuf_release(&sb);
		return app_fail(err, APP_EIO, "cannot read model '%s': %s", path, strerror(e));
	}
	enum app_err rc = classify_model_read(path, sb.buf, sb.len, out, err);
	strbuf_release(&sb);
	return rc;
}

/* ---- evaluation ---- */

void classify_eval_init(struct classify_eval *e)
{
	memset(e, 0, sizeof(*e));
	e->intent.nclasses = CLASSIFY_INTENT__MAX;
	for (int c = 0; c < CLASSIFY_INTENT__MAX; c++)
		snprintf(e->intent.cls[c].label, sizeof(e->intent.cls[c].label), "%s",
			 classify_intent_names[c]);
}

static void tally(struct classify_head_score *h, int gold, int said)
{
	h->rows++;
	if (gold < 0) {
		h->unknown++;
	} else {
		h->cls[gold].support++;
		if (gold == said) {
			h->correct++;
			h->cls[gold].correct++;
		}
	}
	if (said >= 0)
		h->cls[said].predicted++;
}

void classify_eval_add(struct classify_eval *e, const struct classify_model *m,
		       const struct lexicon *lex, const struct classify_data *d,
		       struct classify_sel rows)
{
	if (e->category.nclasses == 0) {
		e->category.nclasses = m->ncat;
		for (uint32_t c = 0; c < m->ncat; c++)
			snprintf(e->category.cls[c].label, sizeof(e->category.cls[c].label), "%s",
				 m->labels[c]);
	}
	for (size_t i = 0; i < d->n; i++) {
		const struct classify_row *r = &d->rows[i];
		if (!classify_selected(r, rows))
			continue;
		struct classify_result res;
		if (r->intent >= 0) {
			classify_text(m, lex, r->text, strlen(r->text), &res);
			tally(&e->intent, r->intent, (int)res.intent);
		}
		if (r->category) {
			classify_text(m, lex, r->body, strlen(r->body), &res);
			/* by label: the models of several folds may differ */
			const char *said = classify_category_name(m, res.category);
			int gold = -1, s = -1;
			for (size_t c = 0; c < e->category.nclasses; c++) {
				if (strcmp(e->category.cls[c].label, r->category) == 0)
					gold = (int)c;
				if (said && strcmp(e->category.cls[c].label, said) == 0)
					s = (int)c;
			}
			tally(&e->category, gold, s);
		}
	}
}

static void finish_head(struct classify_head_score *h)
{
	h->accuracy = h->rows ? (double)h->correct / (double)h->rows : 0;
	double sum = 0;
	size_t counted = 0;
	for (size_t c = 0; c < h->nclasses; c++) {
		struct classify_class_score *s = &h->cls[c];
		s->precision = s->predicted ? (double)s->correct / (double)s->predicted : 0;
		s->recall = s->support ? (double)s->correct / (double)s->support : 0;
		s->f1 = s->precision + s->recall > 0
				? 2 * s->precision * s->recall / (s->precision + s->recall)
				: 0;
		if (s->support || s->predicted) {
			sum += s->f1;
			counted++;
		}
	}
	h->macro_f1 = counted ? sum / (double)counted : 0;
}

void classify_eval_finish(struct classify_eval *e)
{
	finish_head(&e->intent);
	finish_head(&e->category);
}
