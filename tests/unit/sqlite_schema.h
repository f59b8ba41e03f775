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

#include "core/strbuf.h"
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

/* The rows query gives on db, a line each, columns joined by '|' (NULL
 * as "NULL"): a schema's pragmas to compare before and after a migration.
 * The caller frees the text. */
static inline char *sqlite_schema_rows(sqlite3 *db, const char *query)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, query, -1, &st, NULL), SQLITE_OK);
	struct strbuf out = STRBUF_INIT;
	while (sqlite3_step(st) == SQLITE_ROW)
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			strbuf_addf(&out, "%s%c", v ? v : "NULL",
				    i + 1 < sqlite3_column_count(st) ? '|' : '\n');
		}
	sqlite3_finalize(st);
	return strbuf_detach(&out, NULL);
}

/* sqlite_schema_rows() on the database at path. */
static inline char *sqlite_schema_rows_at(const char *path, const char *query)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char *rows = sqlite_schema_rows(db, query);
	sqlite3_close(db);
	return rows;
}

/* A table's shape, to compare before and after a migration: its columns
 * (hidden generated ones too: type, NOT NULL, default, key), references,
 * and indexes with their key columns. `only` limits the indexes looked at
 * (a clause on pragma_index_list aliased il: "WHERE ...", or ""). */
#define SQLITE_TABLE_SHAPE(t, only)                                                             \
	"SELECT 'column', name, type, \"notnull\", dflt_value, pk, hidden "                      \
	"FROM pragma_table_xinfo('" t "') UNION ALL "                                           \
	"SELECT 'reference', \"from\", \"table\", \"to\", on_delete || '/' || on_update, seq, "  \
	"NULL FROM pragma_foreign_key_list('" t "') UNION ALL "                                 \
	"SELECT 'index', il.name, il.\"unique\", il.origin, il.partial, NULL, NULL "             \
	"FROM pragma_index_list('" t "') il " only " UNION ALL "                                \
	"SELECT 'index key', il.name, x.seqno, x.name, x.\"desc\", x.coll, NULL "                \
	"FROM pragma_index_list('" t "') il, pragma_index_xinfo(il.name) x "                    \
	"WHERE x.key AND il.name IN (SELECT il.name FROM pragma_index_list('" t "') il "        \
	only ") ORDER BY 1, 2, 3"

#endif
