/*
 * sqlite_schema.h - a SQLite database as an earlier version of bianmin left
 * it, for the tests of a migration that moves data: the schema of
 * sql/sqlite's migrations before a given one, applied and recorded as the
 * migration runner records them, so that store_migrate() then applies the
 * rest. Talks to SQLite directly (the store would migrate it all at once).
 *
 * Header-only (static inline), like sqlite_testdb.h; include it after
 * <cmocka.h>. The tests run from the top of the tree (sql/sqlite).
 */
#ifndef TESTS_UNIT_SQLITE_SCHEMA_H
#define TESTS_UNIT_SQLITE_SCHEMA_H

#include "store/sqlite_fts.h" /* the tokenizer the migrations' FTS tables name */

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run sql (one or more statements) on db, or fail the test saying why. */
static inline void sqlite_schema_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%.60s: %s", sql, msg ? msg : "?");
}

static inline int sqlite_schema_by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* The whole of file path, NUL-terminated (the caller frees it). */
static inline char *sqlite_schema_read(const char *path)
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

/* Make db (new, empty) the schema the migrations numbered below version
 * left, each recorded in schema_migrations. */
static inline void sqlite_schema_before(sqlite3 *db, int version)
{
	struct app_error e;
	assert_int_equal(sq_fts_register(db, &e), APP_OK);
	sqlite_schema_exec(db, "PRAGMA foreign_keys = ON; CREATE TABLE schema_migrations (version "
			       "INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
	struct dirent **names;
	int n = scandir("sql/sqlite", &names, NULL, sqlite_schema_by_name);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		int v = atoi(names[i]->d_name);
		if (v >= 1 && v < version && strstr(names[i]->d_name, ".sql")) {
			char path[300];
			snprintf(path, sizeof(path), "sql/sqlite/%s", names[i]->d_name);
			char *sql = sqlite_schema_read(path);
			sqlite_schema_exec(db, sql);
			free(sql);
			char rec[400];
			snprintf(rec, sizeof(rec),
				 "INSERT INTO schema_migrations VALUES (%d, '%s', 'test')", v,
				 names[i]->d_name);
			sqlite_schema_exec(db, rec);
		}
		free(names[i]);
	}
	free(names);
}

#endif
