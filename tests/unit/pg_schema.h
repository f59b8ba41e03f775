/*
 * pg_schema.h - a PostgreSQL database as an earlier version of bianmin left
 * it, for the tests of a migration that moves data: the PostgreSQL twin of
 * sqlite_schema.h (both read the files through migration_files.h). The
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

#include "migration_files.h"

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

/* migration_run_fn on a PGconn *. */
static inline void pg_schema_run(void *c, const char *sql) { pg_schema_exec(c, sql); }

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
	migrations_before("sql/pg", version, pg_schema_run, c);
}

#endif
