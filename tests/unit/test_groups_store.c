/*
 * test_groups_store.c - the service-group store tests of
 * groups_store_cases.h on SQLite, each on a fresh file in a temporary
 * directory holding the demo county. test_groups_store_pg.c runs the same
 * bodies on PostgreSQL. Also migration 0027 on a database of the version
 * before.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups_store_cases.h"
#include "sqlite_schema.h"
#include "sqlite_testdb.h"

static int setup(void **state)
{
	return sqlite_testdb_setup(state, gs_load_demo);
}

#define X(name) SQLITE_TESTDB_CASE(name, gs_case_##name)
GROUPS_STORE_CASES(X)
#undef X

/* Take out of rows (sqlite_schema_rows's) each line holding what. */
static void drop_lines(char *rows, const char *what)
{
	char *line = rows, *out = rows;
	while (*line) {
		char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) + 1 : strlen(line);
		char keep = line[len];
		line[len] = '\0';
		bool drop = strstr(line, what) != NULL;
		line[len] = keep;
		if (!drop) {
			memmove(out, line, len);
			out += len;
		}
		line += len;
	}
	*out = '\0';
}

/* What 0027 must keep of users and households: their shapes but for the
 * ID number's index, which 0027 changes and which is looked at apart. */
#define USERS_SHAPE(t) SQLITE_TABLE_SHAPE(t, ID_INDEX)
/* not the index of users' ID numbers, before 0027 or after */
#define ID_INDEX                                                                                \
	"WHERE NOT EXISTS (SELECT 1 FROM pragma_index_info(il.name) "                           \
	"WHERE name = 'id_number')"
/* the index of users' ID numbers: unique? made how? partial? its key */
#define ID_NUMBER_INDEX                                                                         \
	"SELECT il.\"unique\", il.origin, il.partial, x.name FROM pragma_index_list('users') il, " \
	"pragma_index_info(il.name) x WHERE x.name = 'id_number'"

/* Migration 0027 (households_by_region dropped; users rebuilt with the ID
 * number unique only where there is one) on a database of the version
 * before: gs_after_0027's reads and writes through the store; users keeps
 * its columns, references and indexes; the ID number's index is unique,
 * partial (WHERE id_number IS NOT NULL) and on id_number alone; households
 * keeps nothing but its table; every reference to users still holds; and
 * both tables are as a new database has them. */
static void test_migration_0027_keeps_users(void **state)
{
	struct sqlite_testdb *f = *state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite_schema_before(db, 27);
	char *users_before = sqlite_schema_rows(db, USERS_SHAPE("users"));
	char *households_before = sqlite_schema_rows(db, USERS_SHAPE("households"));
	char *id_index = sqlite_schema_rows(db, ID_NUMBER_INDEX);
	assert_string_equal(id_index, "1|u|0|id_number\n"); /* the column's UNIQUE */
	free(id_index);
	assert_non_null(strstr(households_before, "index key|households_by_region|0|region_code|"));
	sqlite_schema_exec(db, GS_BEFORE_0027);
	sqlite3_close(db);

	struct app_error e;
	int applied = 0;
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
	assert_int_equal(store_migrate(f->s, &applied, &e), APP_OK);
	assert_true(applied >= 1);
	gs_after_0027(f->s);
	store_close(f->s);
	f->s = NULL;

	char *users_after = sqlite_schema_rows_at(f->db, USERS_SHAPE("users"));
	assert_string_equal(users_after, users_before);
	assert_non_null(strstr(users_after, "column|county|TEXT|0|NULL|0|2\n"));
	assert_non_null(strstr(users_after, "reference|household_id|households|id|"));
	assert_non_null(strstr(users_after, "index key|users_by_region|1|id|"));
	id_index = sqlite_schema_rows_at(f->db, ID_NUMBER_INDEX);
	assert_string_equal(id_index, "1|c|1|id_number\n");
	free(id_index);
	char *made_by = sqlite_schema_rows_at(f->db, "SELECT sql FROM sqlite_master "
					"WHERE name = 'users_id_number_key'");
	assert_non_null(strstr(made_by, "WHERE id_number IS NOT NULL"));
	free(made_by);
	char *households_after = sqlite_schema_rows_at(f->db, USERS_SHAPE("households"));
	drop_lines(households_before, "|households_by_region|");
	assert_string_equal(households_after, households_before);
	assert_non_null(strstr(households_after, "reference|region_code|regions|code|"));
	char *dangling = sqlite_schema_rows_at(f->db, "SELECT * FROM pragma_foreign_key_check");
	assert_string_equal(dangling, "");
	free(dangling);
	free(users_before);
	free(users_after);
	free(households_before);
	free(households_after);

	/* a migrated database and a new one agree (a new one ran 0027 too: what
	 * 0027 keeps is checked by the shapes before and after, above) */
	char fresh[400];
	snprintf(fresh, sizeof(fresh), "%s/fresh.db", f->dir);
	struct store *s2;
	assert_int_equal(store_open(&s2, fresh, STORE_OPEN_CREATE, &e), APP_OK);
	assert_int_equal(store_migrate(s2, NULL, &e), APP_OK);
	store_close(s2);
	const char *master = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name "
			     "IN ('users', 'households') ORDER BY type, name";
	char *migrated = sqlite_schema_rows_at(f->db, master);
	char *made = sqlite_schema_rows_at(fresh, master);
	assert_string_equal(migrated, made);
	assert_null(strstr(migrated, "households_by_region"));
	free(migrated);
	free(made);
	assert_int_equal(store_open(&f->s, f->db, STORE_OPEN_EXISTING, &e), APP_OK);
}

int main(void)
{
	log_set_level(LOG_ERROR);
#define X(name) cmocka_unit_test_setup_teardown(test_##name, setup, sqlite_testdb_teardown),
	const struct CMUnitTest tests[] = {
		GROUPS_STORE_CASES(X)
		cmocka_unit_test_setup_teardown(test_migration_0027_keeps_users, sqlite_testdb_dir,
						sqlite_testdb_teardown),
	};
#undef X
	return cmocka_run_group_tests(tests, NULL, NULL);
}
