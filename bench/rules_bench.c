/*
 * rules_bench.c - the rules engine benchmark (bench/rules.sh): N synthetic
 * persons generated as columns in memory, the policies of DIR/policies/
 * (bench/rules_gen.py) evaluated over all of them at 2026-03-01 on one core,
 * best of R runs. The same persons are written to DIR/cols/ (int32 values,
 * a byte per person for presence, the string table one string a line) for
 * the NumPy and json-rules-engine runs, and the granted count and amount sum
 * of every policy are printed for them to be compared.
 *
 * usage: rules_bench DIR [N] [RUNS]
 */
#include "core/mem.h"
#include "rules/rules.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set(struct rules_column *c, size_t i, int32_t v)
{
	c->data[i] = v;
	rules_bit_set(c->present, i, true);
}

/* Persons of realistic shape: 6% with a disability grade, regions mostly in
 * Liaoning (21), households of 1 to 5, a few deaths. */
static void generate(struct rules_columns *c, size_t n)
{
	rules_columns_init(c, n);
	struct rules_column *grade = rules_columns_add(c, "grade", RULES_INT);
	struct rules_column *birth = rules_columns_add(c, "birth", RULES_DATE);
	struct rules_column *region = rules_columns_add(c, "region", RULES_STR);
	struct rules_column *ins = rules_columns_add(c, "insurance", RULES_STR);
	struct rules_column *hh = rules_columns_add(c, "household", RULES_STR);
	struct rules_column *income = rules_columns_add(c, "income", RULES_DEC);
	struct rules_column *death = rules_columns_add(c, "death_date", RULES_DATE);
	int32_t regions[300];
	for (int r = 0; r < 300; r++) {
		char code[16];
		int city = r < 180 ? 1 : r < 240 ? 2 : r < 270 ? 3 : 0;
		if (city)
			snprintf(code, sizeof(code), "21%02d%02d", city, r % 60 + 1);
		else
			snprintf(code, sizeof(code), "41%02d%02d", r % 17 + 1, r % 30 + 1);
		regions[r] = rules_columns_intern(c, code);
	}
	int32_t resident = rules_columns_intern(c, "resident"), employee = rules_columns_intern(c, "employee");
	int32_t base = rules_days_from_civil(1930, 1, 1), span = rules_days_from_civil(2026, 1, 1) - base;
	size_t household = 0, left = 0;
	int32_t hid = 0, hregion = 0;
	for (size_t i = 0; i < n; i++) {
		if (left == 0) { /* a new household of 1 to 5 in one region */
			char name[24];
			snprintf(name, sizeof(name), "h%zu", household++);
			hid = rules_columns_intern(c, name);
			hregion = regions[next() % 300];
			left = 1 + next() % 5;
		}
		left--;
		set(hh, i, hid);
		set(region, i, hregion);
		set(birth, i, base + (int32_t)(next() % (uint32_t)span));
		if (next() % 100 < 6)
			set(grade, i, 1 + (int32_t)(next() % 4));
		uint32_t k = next() % 100;
		if (k < 70)
			set(ins, i, resident);
		else if (k < 95)
			set(ins, i, employee);
		set(income, i, (int32_t)(next() % 800000)); /* 0 to 8000.00 a month */
		if (next() % 100 == 0)
			set(death, i, rules_days_from_civil(2025, 6, 1));
	}
}

static void write_columns(const struct rules_columns *c, const char *dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "mkdir -p '%s/cols'", dir);
	if (system(path) != 0)
		abort();
	uint8_t *p = xmalloc(c->n ? c->n : 1);
	for (size_t k = 0; k < c->ncol; k++) {
		snprintf(path, sizeof(path), "%s/cols/%s.i32", dir, c->col[k].name);
		FILE *f = fopen(path, "wb");
		fwrite(c->col[k].data, sizeof(int32_t), c->n, f);
		fclose(f);
		for (size_t i = 0; i < c->n; i++)
			p[i] = rules_bit(c->col[k].present, i);
		snprintf(path, sizeof(path), "%s/cols/%s.present", dir, c->col[k].name);
		f = fopen(path, "wb");
		fwrite(p, 1, c->n, f);
		fclose(f);
	}
	free(p);
	snprintf(path, sizeof(path), "%s/cols/strings.txt", dir);
	FILE *f = fopen(path, "w");
	for (size_t s = 0; s < c->nstr; s++)
		fprintf(f, "%s\n", c->str[s]);
	fclose(f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: rules_bench DIR [N] [RUNS]\n");
		return 2;
	}
	const char *dir = argv[1];
	size_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 10000000;
	int runs = argc > 3 ? atoi(argv[3]) : 3;
	struct rules_set s;
	struct app_error err;
	rules_set_init(&s);
	char pattern[4096];
	snprintf(pattern, sizeof(pattern), "%s/policies/*.json", dir);
	glob_t g;
	if (glob(pattern, 0, NULL, &g) != 0) {
		fprintf(stderr, "no policies in %s (run bench/rules_gen.py)\n", pattern);
		return 1;
	}
	for (size_t i = 0; i < g.gl_pathc; i++)
		if (rules_set_add_file(&s, g.gl_pathv[i], &err) != APP_OK) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
	globfree(&g);
	double t0 = now();
	struct rules_columns c;
	generate(&c, n);
	double t1 = now();
	write_columns(&c, dir);
	printf("generated %zu persons (%zu strings) in %.2f s; %zu policies\n", n, c.nstr, t1 - t0, s.n);
	int32_t day;
	rules_date_parse("2026-03-01", &day);
	double best = 1e9;
	struct rules_results r = { 0 };
	for (int k = 0; k < runs; k++) {
		rules_results_release(&r);
		double a = now();
		if (rules_evaluate(&s, &c, day, &r, &err) != APP_OK) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		double b = now() - a;
		if (b < best)
			best = b;
	}
	for (size_t p = 0; p < s.n; p++) {
		long long sum = 0;
		for (size_t k = 0; k < r.out[p].ngranted; k++)
			sum += r.out[p].amount[k];
		printf("policy %s granted %zu amount_fen %lld\n", rules_policy_id(&s, p),
		       r.out[p].ngranted, sum);
	}
	printf("conflicts %zu\n", rules_conflicts(&s, &r, NULL, NULL));
	double evals = (double)n * (double)s.n;
	printf("bianmin: %zu persons x %zu policies in %.3f s (best of %d) = %.1f M person-policies/s\n",
	       n, s.n, best, runs, evals / best / 1e6);
	rules_results_release(&r);
	rules_columns_release(&c);
	rules_set_release(&s);
	return 0;
}
