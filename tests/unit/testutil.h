/*
 * testutil.h - small helpers shared by the unit tests: temporary
 * directories that clean up after themselves, writing files, and finding
 * the real data folder. Header-only (static inline) so that each test binary
 * stays a single translation unit; include it after <cmocka.h>.
 */
#ifndef TESTS_UNIT_TESTUTIL_H
#define TESTS_UNIT_TESTUTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh private directory under $TMPDIR (or /tmp); path receives its name. */
static inline void tu_tempdir(char *path, size_t cap)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(path, cap, "%s/bianmin-unit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(path)) {
		perror("mkdtemp");
		abort();
	}
}

static inline int tu_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove dir and everything under it. */
static inline void tu_rmtree(const char *dir)
{
	nftw(dir, tu_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* out = dir "/" name */
static inline void tu_path(char *out, size_t cap, const char *dir, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

/* Write len bytes of data to path, replacing it; aborts on failure. */
static inline void tu_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

static inline int tu_file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/*
 * The real data folder: $BIANMIN_DATA, else ../shared/data (tests run from
 * the repository root).
 */
static inline const char *tu_data_dir(void)
{
	const char *d = getenv("BIANMIN_DATA");
	return d && *d ? d : "../shared/data";
}

/* Fail the test unless hay contains needle, showing both. */
#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		const char *tu_h_ = (hay), *tu_n_ = (needle);                          \
		if (!strstr(tu_h_, tu_n_))                                             \
			fail_msg("expected \"%s\" to contain \"%s\"", tu_h_, tu_n_);   \
	} while (0)

/* A malloc'd copy of s with one spare byte (the CSV reader's contract). */
static inline char *tu_dup(const char *s, size_t *len)
{
	size_t n = strlen(s);
	char *p = malloc(n + 1);
	if (!p)
		abort();
	memcpy(p, s, n + 1);
	if (len)
		*len = n;
	return p;
}

#endif
