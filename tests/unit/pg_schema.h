/*
 * pg_schema.h - a PostgreSQL database as an earlier version of bianmin left
 * it, for the tests of a migration that moves data: the PostgreSQL twin of
 * sqlite_schema.h (whose reading of the migration files it uses). The
 * migrations of sql/pg before a given one are applied and recorded as the
 * migration runner records them (src/store/pg.c), so that store_migrate()
 * then applies the rest. Talks to the server with libpq directly (the store
 * would migrate it all at once).
 *
 * Header-only (static inline); include it after <cmocka.h>, with
 * pg_testdb.h for the database (pg_testdb_create). The tests run from the
 * top of the tree (sql/pg).
 */
#ifndef TESTS_UNIT_PG_SCHEMA_H
#define TESTS_UNIT_PG_SCHEMA_H

#include "sqlite_schema.h" /* sqlite_schema_read, sqlite_schema_by_name */

#include <libpq-fe.h>

/* Run sql (one or more statements) on c, or fail the test saying why. */
static inline void pg_schema_exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fail_msg("%.60s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
}

/* A connection to the database uri names, or the test fails; the caller
 * closes it (PQfinish). */
static inline PGconn *pg_schema_connect(const char *uri)
{
	PGconn *c = PQconnectdb(uri);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("cannot connect to '%s': %s", uri, PQerrorMessage(c));
	pg_schema_exec(c, "SET client_min_messages = warning");
	return c;
}

/* Make c's database (new, empty) the schema the migrations numbered below
 * version left, each recorded in schema_migrations. */
static inline void pg_schema_before(PGconn *c, int version)
{
	pg_schema_exec(c, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
			  "name TEXT NOT NULL, applied_at TEXT NOT NULL)");
	struct dirent **names;
	int n = scandir("sql/pg", &names, NULL, sqlite_schema_by_name);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		int v = atoi(names[i]->d_name);
		if (v >= 1 && v < version && strstr(names[i]->d_name, ".sql")) {
			char path[300];
			snprintf(path, sizeof(path), "sql/pg/%s", names[i]->d_name);
			char *sql = sqlite_schema_read(path);
			pg_schema_exec(c, sql);
			free(sql);
			char rec[400];
			snprintf(rec, sizeof(rec),
				 "INSERT INTO schema_migrations VALUES (%d, '%s', 'test')", v,
				 names[i]->d_name);
			pg_schema_exec(c, rec);
		}
		free(names[i]);
	}
	free(names);
}

#endif
