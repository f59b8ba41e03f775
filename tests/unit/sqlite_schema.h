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

#include "migration_files.h"

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

/* migration_run_fn on a sqlite3 *. */
static inline void sqlite_schema_run(void *db, const char *sql) { sqlite_schema_exec(db, sql); }

/* Make db (new, empty) the schema the migrations numbered below version
 * left, each recorded in schema_migrations. */
static inline void sqlite_schema_before(sqlite3 *db, int version)
{
	struct app_error e;
	assert_int_equal(sq_fts_register(db, &e), APP_OK);
	sqlite_schema_exec(db, "PRAGMA foreign_keys = ON; CREATE TABLE schema_migrations (version "
			       "INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
	migrations_before("sql/sqlite", version, sqlite_schema_run, db);
}

#endif
