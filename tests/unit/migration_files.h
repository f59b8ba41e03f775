/*
 * migration_files.h - the migration files of a backend (sql/sqlite or
 * sql/pg) numbered below a given one, read in order, for the test helpers
 * that build a database as an earlier version of bianmin left it
 * (sqlite_schema.h, pg_schema.h). Each file is run and then recorded in
 * schema_migrations as the store's migration runner records it.
 *
 * Header-only (static inline); include it after <cmocka.h>. The tests run
 * from the top of the tree.
 */
#ifndef TESTS_UNIT_MIGRATION_FILES_H
#define TESTS_UNIT_MIGRATION_FILES_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs sql (one or more statements) on the database behind ctx, or fails
 * the test saying why. */
typedef void (*migration_run_fn)(void *ctx, const char *sql);

static inline int migration_files_by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* The whole of file path, NUL-terminated (the caller frees it). */
static inline char *migration_file_read(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open '%s' (run from the top of the tree)", path);
	char *buf = NULL;
	size_t len = 0, cap = 0, got;
	do {
		if (len + 4096 + 1 > cap) {
			cap = (len + 4096 + 1) * 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		got = fread(buf + len, 1, 4096, fp);
		len += got;
	} while (got > 0);
	fclose(fp);
	buf[len] = '\0';
	return buf;
}

/* run(ctx, ...) each migration of dir numbered below version, in order,
 * and after each its row of schema_migrations (which must exist). */
static inline void migrations_before(const char *dir, int version, migration_run_fn run,
				     void *ctx)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, migration_files_by_name);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		int v = atoi(names[i]->d_name);
		if (v >= 1 && v < version && strstr(names[i]->d_name, ".sql")) {
			char path[300];
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			char *sql = migration_file_read(path);
			run(ctx, sql);
			free(sql);
			char rec[400];
			snprintf(rec, sizeof(rec),
				 "INSERT INTO schema_migrations VALUES (%d, '%s', 'test')", v,
				 names[i]->d_name);
			run(ctx, rec);
		}
		free(names[i]);
	}
	free(names);
}

#endif
