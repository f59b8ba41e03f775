/*
 * replay.c - run saved inputs through a fuzz harness without libFuzzer.
 *
 * Linked with one harness under the normal compiler and flags, it feeds every
 * file named on the command line (a directory stands for the files in it) to
 * LLVMFuzzerTestOneInput(), so `make test` re-checks the corpus and every
 * crash once found. A broken invariant aborts; otherwise it prints one line
 * with the number of inputs and exits 0. Exits 1 when it cannot read an input
 * or found none, so an empty or missing corpus is not a silent pass.
 *
 * usage: replay_fuzz_NAME FILE|DIR...
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

/* Read the whole file at path; caller frees. NULL with errno on failure. */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	for (;;) {
		if (!buf)
			break;
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		uint8_t *bigger = realloc(buf, cap *= 2);
		if (!bigger)
			free(buf);
		buf = bigger;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad || !buf) {
		free(buf);
		errno = bad ? EIO : ENOMEM;
		return NULL;
	}
	/* an exact-size copy, so the sanitizers see reads past the input */
	uint8_t *exact = malloc(n ? n : 1);
	if (exact)
		memcpy(exact, buf, n);
	free(buf);
	*len = n;
	return exact;
}

static int run_file(const char *path)
{
	size_t len;
	uint8_t *data = slurp(path, &len);
	if (!data) {
		fprintf(stderr, "replay: cannot read '%s': %s\n", path, strerror(errno));
		return -1;
	}
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run path, or every regular file in it; returns inputs run or -1. */
static int run_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: cannot read '%s': %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "replay: cannot open folder '%s': %s\n", path, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char **more = realloc(names, (n + 1) * sizeof(*names));
		if (!more)
			abort();
		names = more;
		size_t sz = strlen(path) + strlen(e->d_name) + 2;
		if (!(names[n] = malloc(sz)))
			abort();
		snprintf(names[n++], sz, "%s/%s", path, e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str); /* the same order every run */
	int count = 0;
	for (size_t i = 0; i < n; i++) {
		if (count >= 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			fprintf(stderr, "replay: %s\n", names[i]);
			int got = run_file(names[i]);
			count = got < 0 ? -1 : count + got;
		}
		free(names[i]);
	}
	free(names);
	return count;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	int total = 0;
	for (int i = 1; i < argc; i++) {
		int got = run_path(argv[i]);
		if (got < 0)
			return 1;
		total += got;
	}
	if (total == 0) {
		fprintf(stderr, "replay: no inputs in %s\n", argv[1]);
		return 1;
	}
	printf("%d inputs ok\n", total);
	return 0;
}
