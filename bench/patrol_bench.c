/*
 * patrol_bench.c - how fast the patrol's building blocks run on real text:
 * the keyword matcher (patrol/matcher.h, through the lexicon) and the
 * message classifier (patrol/classify.h), on one core. Run by
 * bench/classify.sh, which adds the machine and the held-out scores;
 * figures go to bench/RESULTS-patrol.md.
 *
 * Messages: the subjects and details of the message-board files in
 * DATA/complaints (attach2, attach3, attach4), details cut into
 * message-sized pieces: a piece ends at a sentence end (。！？!?；; or a
 * line break) once it holds 8 characters, and is cut at 120 characters
 * whatever comes. The data stay where they are (never copied).
 *
 * Each figure is the median of RUNS runs over all the pieces:
 *   - lexicon scan: lexicon_scan() of data/patrol/lexicon.csv over every
 *     piece, counting hits (MB/s of text, messages/s);
 *   - 1k- and 10k-word matchers: matcher_count() with 1,000 and 10,000
 *     words of 2 to 4 characters drawn from the texts themselves (lexicons
 *     far larger than ours, whose tables no longer fit in the caches, and
 *     which hit much more often);
 *   - classify: classify_text() without the lexicon (messages/s), with a
 *     model learnt here from data/patrol/intent.csv and the three files,
 *     default options, fold 0 held out; its training time is printed too;
 *   - a day: DAY messages (130,000 by default, the pieces over again as
 *     needed), each scanned once for the lexicon's words (all of them, for
 *     alerts) and classified, an urgent word making it a demand (what
 *     classify_text() does with a lexicon, without scanning twice): total
 *     milliseconds.
 *
 * usage: patrol_bench -d DATA -t TOP [-r RUNS] [-n DAY] [-b BITS]
 * (-b: the model's bits instead of the default, to see what size costs)
 */
#include "core/csv.h"
#include "core/mem.h"
#include "patrol/classify.h"
#include "patrol/lexicon.h"
#include "patrol/matcher.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct piece {
	const char *s;
	size_t n;
};

struct pieces {
	struct piece *p;
	size_t n, cap, bytes;
};

static void add_piece(struct pieces *ps, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (n < 2)
		return;
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 4096;
		ps->p = xrealloc(ps->p, ps->cap * sizeof(*ps->p));
	}
	ps->p[ps->n++] = (struct piece){ s, n };
	ps->bytes += n;
}

static bool sentence_end(const char *s, size_t len)
{
	static const char *const ends[] = { "。", "！", "？", "；", "!", "?", ";", "\n" };
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		if (strlen(ends[i]) == len && memcmp(s, ends[i], len) == 0)
			return true;
	return false;
}

/* Cut details into pieces (see the header). */
static void cut(struct pieces *ps, const char *s)
{
	const char *start = s;
	size_t chars = 0;
	while (*s) {
		size_t len = 1;
		while (((unsigned char)s[len] & 0xC0) == 0x80)
			len++;
		chars++;
		bool end = sentence_end(s, len);
		s += len;
		if ((end && chars >= 8) || chars >= 120) {
			add_piece(ps, start, (size_t)(s - start));
			start = s;
			chars = 0;
		}
	}
	add_piece(ps, start, (size_t)(s - start));
}

/* The subjects and cut details of one board file; its buffer is kept. */
static void load_board(struct pieces *ps, const char *path, char **keep)
{
	size_t len;
	struct app_error err;
	if (csv_load(path, 64u << 20, keep, &len, &err) != APP_OK) {
		fprintf(stderr, "patrol_bench: %s\n", err.msg);
		exit(1);
	}
	struct csv_reader r;
	csv_init(&r, *keep, len);
	int subject = -1, details = -1, got;
	while ((got = csv_next(&r, &err)) == 1) {
		if (subject < 0) {
			for (size_t i = 0; i < r.nfields; i++) {
				if (strcmp(r.fields[i], "留言主题") == 0)
					subject = (int)i;
				if (strcmp(r.fields[i], "留言详情") == 0)
					details = (int)i;
			}
			if (subject < 0 || details < 0) {
				fprintf(stderr, "patrol_bench: %s is not a board export\n", path);
				exit(1);
			}
			continue;
		}
		if (r.nfields <= (size_t)details || r.nfields <= (size_t)subject)
			continue;
		add_piece(ps, r.fields[subject], strlen(r.fields[subject]));
		cut(ps, r.fields[details]);
	}
	if (got < 0) {
		fprintf(stderr, "patrol_bench: %s: %s\n", path, err.msg);
		exit(1);
	}
	csv_release(&r);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int count_hit(void *arg, const struct lexicon_hit *h)
{
	(void)h;
	++*(size_t *)arg;
	return 0;
}

struct day_scan {
	size_t hits;
	bool urgent;
};

static int day_hit(void *arg, const struct lexicon_hit *h)
{
	struct day_scan *d = arg;
	d->hits++;
	d->urgent |= h->entry->severity == LEXICON_URGENT;
	return 0;
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* want distinct words of 2 to 4 characters drawn from the pieces. */
static struct matcher *big_matcher(const struct pieces *ps, size_t want)
{
	struct matcher_pattern *p = xcalloc(want, sizeof(*p));
	size_t n = 0;
	uint32_t seed = 12345;
	/* distinctness by a small open-addressing set of (pointer, length) */
	size_t cap = want * 4;
	struct matcher_pattern *set = xcalloc(cap, sizeof(*set));
	for (size_t tries = 0; n < want && tries < want * 100; tries++) {
		const struct piece *pc = &ps->p[rnd(&seed) % ps->n];
		size_t off = rnd(&seed) % pc->n;
		while (off < pc->n && ((unsigned char)pc->s[off] & 0xC0) == 0x80)
			off++;
		size_t chars = 2 + rnd(&seed) % 3, end = off;
		for (size_t c = 0; c < chars && end < pc->n; c++) {
			end++;
			while (end < pc->n && ((unsigned char)pc->s[end] & 0xC0) == 0x80)
				end++;
		}
		if (end - off < 4)
			continue;
		uint64_t h = 1469598103934665603ull;
		for (size_t i = off; i < end; i++)
			h = (h ^ (unsigned char)pc->s[i]) * 1099511628211ull;
		size_t j = h % cap;
		bool dup = false;
		while (set[j].bytes) {
			if (set[j].len == end - off && memcmp(set[j].bytes, pc->s + off, end - off) == 0) {
				dup = true;
				break;
			}
			j = (j + 1) % cap;
		}
		if (dup)
			continue;
		set[j] = (struct matcher_pattern){ pc->s + off, end - off };
		p[n++] = set[j];
	}
	struct matcher *m;
	struct app_error err;
	if (matcher_build(p, n, MATCHER_FOLD_ASCII, &m, &err) != APP_OK) {
		fprintf(stderr, "patrol_bench: %s\n", err.msg);
		exit(1);
	}
	free(set);
	free(p);
	return m;
}

static void usage(void)
{
	fprintf(stderr, "usage: patrol_bench -d DATA -t TOP [-r RUNS] [-n DAY] [-b BITS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *data = NULL, *top = ".";
	int runs = 7, opt;
	unsigned bits = CLASSIFY_BITS_DEFAULT;
	size_t day = 130000;
	while ((opt = getopt(argc, argv, "d:t:r:n:b:")) != -1) {
		switch (opt) {
		case 'd': data = optarg; break;
		case 't': top = optarg; break;
		case 'r': runs = atoi(optarg); break;
		case 'n': day = (size_t)atol(optarg); break;
		case 'b': bits = (unsigned)atoi(optarg); break;
		default: usage();
		}
	}
	if (!data || runs < 1 || runs > 100 || day == 0)
		usage();
	static const char *const files[] = { "teddy2020C_attach2_labeled_messages_SAMPLE.csv",
					     "teddy2020C_attach3_messages_with_likes.csv",
					     "teddy2020C_attach4_messages_with_replies.csv" };
	char path[4096], *bufs[3];
	struct pieces ps = { 0 };
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/complaints/%s", data, files[i]);
		if (access(path, R_OK) != 0) {
			printf("SKIP patrol_bench: no real messages (%s)\n", path);
			return 0;
		}
		load_board(&ps, path, &bufs[i]);
	}
	printf("messages: %zu pieces of the real texts, %.1f MB, %.0f bytes each on average\n",
	       ps.n, (double)ps.bytes / 1e6, (double)ps.bytes / (double)ps.n);

	struct lexicon *lex;
	struct app_error err;
	snprintf(path, sizeof(path), "%s/data/patrol/lexicon.csv", top);
	if (lexicon_load(path, &lex, &err) != APP_OK) {
		fprintf(stderr, "patrol_bench: %s\n", err.msg);
		return 1;
	}

	double *t = xcalloc((size_t)runs, sizeof(*t));
	size_t hits = 0;
	for (int r = 0; r < runs; r++) {
		hits = 0;
		double t0 = now();
		for (size_t i = 0; i < ps.n; i++)
			lexicon_scan(lex, ps.p[i].s, ps.p[i].n, count_hit, &hits);
		t[r] = now() - t0;
	}
	double med = median(t, runs);
	printf("lexicon scan (%zu words, %zu states, %.0f KiB): %.1f ms, %.0f MB/s, %.2f M messages/s, "
	       "%zu hits\n",
	       lex->n, matcher_states(lex->m), (double)matcher_memory(lex->m) / 1024, med * 1e3,
	       (double)ps.bytes / med / 1e6, (double)ps.n / med / 1e6, hits);

	static const size_t sizes[] = { 1000, 10000 };
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct matcher *big = big_matcher(&ps, sizes[k]);
		for (int r = 0; r < runs; r++) {
			hits = 0;
			double t0 = now();
			for (size_t i = 0; i < ps.n; i++)
				hits += matcher_count(big, ps.p[i].s, ps.p[i].n);
			t[r] = now() - t0;
		}
		med = median(t, runs);
		printf("%zuk-word matcher (%zu states, %.1f MiB): %.1f ms, %.0f MB/s, "
		       "%.2f M messages/s, %zu hits\n",
		       matcher_patterns(big) / 1000, matcher_states(big),
		       (double)matcher_memory(big) / (1 << 20), med * 1e3,
		       (double)ps.bytes / med / 1e6, (double)ps.n / med / 1e6, hits);
		matcher_free(big);
	}

	struct classify_data d;
	classify_data_init(&d);
	snprintf(path, sizeof(path), "%s/data/patrol/intent.csv", top);
	if (classify_data_load(&d, path, &err) != APP_OK) {
		fprintf(stderr, "patrol_bench: %s\n", err.msg);
		return 1;
	}
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/complaints/%s", data, files[i]);
		if (classify_data_load(&d, path, &err) != APP_OK) {
			fprintf(stderr, "patrol_bench: %s\n", err.msg);
			return 1;
		}
	}
	struct classify_train_opts o = CLASSIFY_TRAIN_OPTS_INIT;
	o.bits = bits;
	struct classify_model *m;
	double t0 = now();
	if (classify_train(&d, &o, &m, &err) != APP_OK) {
		fprintf(stderr, "patrol_bench: %s\n", err.msg);
		return 1;
	}
	double train_s = now() - t0;
	struct classify_model_info info;
	classify_model_info(m, &info);
	printf("training: %zu rows, %s, %u bits, %zu categories: %.0f ms\n", d.n,
	       classify_method_names[info.method], info.bits, classify_categories(m), train_s * 1e3);

	size_t tally[CLASSIFY_INTENT__MAX] = { 0 };
	for (int r = 0; r < runs; r++) {
		memset(tally, 0, sizeof(tally));
		t0 = now();
		for (size_t i = 0; i < ps.n; i++) {
			struct classify_result res;
			classify_text(m, NULL, ps.p[i].s, ps.p[i].n, &res);
			tally[res.intent]++;
		}
		t[r] = now() - t0;
	}
	med = median(t, runs);
	printf("classify: %.1f ms, %.0f k messages/s (%.2f us each), %.0f MB/s; "
	       "said demand %zu, question %zu, chat %zu\n",
	       med * 1e3, (double)ps.n / med / 1e3, med / (double)ps.n * 1e6,
	       (double)ps.bytes / med / 1e6, tally[CLASSIFY_DEMAND], tally[CLASSIFY_QUESTION],
	       tally[CLASSIFY_CHAT]);

	size_t bytes = 0, overrides = 0;
	for (int r = 0; r < runs; r++) {
		hits = overrides = bytes = 0;
		t0 = now();
		for (size_t i = 0; i < day; i++) {
			const struct piece *pc = &ps.p[i % ps.n];
			struct day_scan ds = { 0, false };
			lexicon_scan(lex, pc->s, pc->n, day_hit, &ds);
			struct classify_result res;
			classify_text(m, NULL, pc->s, pc->n, &res);
			if (ds.urgent) {
				res.intent = CLASSIFY_DEMAND;
				overrides++;
			}
			hits += ds.hits;
			bytes += pc->n;
		}
		t[r] = now() - t0;
	}
	med = median(t, runs);
	printf("a day of %zu messages (%.1f MB): scanned for the lexicon's words and classified "
	       "in %.1f ms; %zu hits, %zu with an urgent word\n",
	       day, (double)bytes / 1e6, med * 1e3, hits, overrides);
	printf("(medians of %d runs)\n", runs);

	classify_model_free(m);
	classify_data_release(&d);
	lexicon_free(lex);
	free(t);
	free(ps.p);
	for (int i = 0; i < 3; i++)
		free(bufs[i]);
	return 0;
}
