/*
 * sqlite_sql.c - every SQL statement of the SQLite backend, indexed by
 * enum stmt_id (sqlite_int.h). Parameters are always bound (?N); no SQL is
 * ever built from input.
 */
#include "store/sqlite_int.h"

#define USER_COLS                                                                              \
	"u.id, u.name, u.phone, coalesce(u.id_number, ''), u.region_code, "                    \
	"coalesce(u.household_id, 0), u.must_change_password, u.disabled, u.created_at, u.version"
#define AUDIT_COLS "id, at, actor, action, object, region, summary, prev_hash, hash"
#define API_KEY_COLS "id, name, role, region_code, created_at, coalesce(revoked_at, 0)"
#define REGION_COLS "r.code, coalesce(r.parent_code, ''), r.level, r.name"
#define CHILD_COUNT "(SELECT count(*) FROM regions c WHERE c.parent_code = r.code)"
#define WITHIN "(?2 = '' OR (r.code >= ?2 AND r.code < ?2 || ':'))"

const char *const sq_stmt_sql[STMT__MAX] = {
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
	[STMT_SAVEPOINT] = "SAVEPOINT job",
	[STMT_RELEASE] = "RELEASE job",
	[STMT_ROLLBACK_TO] = "ROLLBACK TO job",
	[STMT_SCHEMA_VERSION] = "SELECT coalesce(max(version), 0) FROM schema_migrations",
	[STMT_MIGRATION_RECORD] =
		"INSERT INTO schema_migrations(version, name, applied_at) "
		"VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
	[STMT_REGION_GET] = "SELECT " REGION_COLS ", " CHILD_COUNT " FROM regions r WHERE r.code = ?1",
	[STMT_REGION_CHILDREN] = "SELECT " REGION_COLS ", " CHILD_COUNT
				 " FROM regions r WHERE r.parent_code = ?1 ORDER BY r.code",
	[STMT_REGION_SUBTREE] = "SELECT " REGION_COLS ", 0 FROM regions r "
				"WHERE r.code >= ?1 AND r.code < ?1 || ':' AND r.level <= ?2 "
				"ORDER BY r.code",
	[STMT_REGION_SEARCH_PREFIX] =
		"SELECT " REGION_COLS ", " CHILD_COUNT " FROM regions r "
		"WHERE r.name >= ?1 AND r.name < ?1 || char(1114111) AND " WITHIN
		" AND (?3 < 0 OR r.level = ?3) ORDER BY r.code LIMIT ?4",
	[STMT_REGION_SEARCH_INFIX] =
		"SELECT " REGION_COLS ", " CHILD_COUNT " FROM regions r "
		"WHERE instr(r.name, ?1) > 1 AND " WITHIN
		" AND (?3 < 0 OR r.level = ?3) ORDER BY r.code LIMIT ?4",
	[STMT_REGION_EXISTS] = "SELECT 1 FROM regions WHERE code = ?1",
	[STMT_REGION_CURRENT] =
		"SELECT coalesce(parent_code, ''), level, name FROM regions WHERE code = ?1",
	[STMT_REGION_INSERT] =
		"INSERT INTO regions(code, parent_code, level, name, updated_at) "
		"VALUES (?1, nullif(?2, ''), ?3, ?4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
	[STMT_REGION_UPDATE] =
		"UPDATE regions SET parent_code = nullif(?2, ''), level = ?3, name = ?4, "
		"updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE code = ?1",
	[STMT_REGIONS_GENERATION] = "SELECT generation FROM regions_meta",
	[STMT_REGIONS_BUMP] = "UPDATE regions_meta SET generation = generation + 1",
	[STMT_AUDIT_LAST] = "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
	[STMT_AUDIT_INSERT] = "INSERT INTO audit_log(" AUDIT_COLS ") "
			      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[STMT_AUDIT_BY_OBJECT] = "SELECT " AUDIT_COLS " FROM audit_log WHERE object = ?1 "
				 "ORDER BY id DESC LIMIT ?2",
	[STMT_AUDIT_SCAN] = "SELECT " AUDIT_COLS " FROM audit_log ORDER BY id",
	[STMT_USER_INSERT] =
		"INSERT INTO users(name, phone, id_number, region_code, household_id, password_hash, "
		"must_change_password, created_at) "
		"VALUES (?1, ?2, nullif(?3, ''), ?4, nullif(?5, 0), nullif(?6, ''), ?7, ?8)",
	[STMT_USER_GET] = "SELECT " USER_COLS " FROM users u WHERE u.id = ?1",
	[STMT_USER_BY_PHONE] = "SELECT " USER_COLS ", coalesce(u.password_hash, '') "
			       "FROM users u WHERE u.phone = ?1",
	[STMT_USER_SET_PASSWORD] = "UPDATE users SET password_hash = ?2, must_change_password = ?3, "
				   "version = version + 1 WHERE id = ?1",
	[STMT_USER_LIST] = "SELECT " USER_COLS " FROM users u "
			   "WHERE (?1 = '' OR (u.region_code >= ?1 AND u.region_code < ?1 || ':')) "
			   "AND u.id > ?2 ORDER BY u.id LIMIT ?3",
	[STMT_USER_BY_HOUSEHOLD] = "SELECT " USER_COLS " FROM users u WHERE u.household_id = ?1 "
				   "ORDER BY u.id",
	[STMT_GRANTS_OF] = "SELECT role, region_code FROM role_grants WHERE user_id = ?1 "
			   "ORDER BY role, region_code",
	[STMT_GRANT_INSERT] = "INSERT INTO role_grants(user_id, role, region_code, created_at) "
			      "VALUES (?1, ?2, ?3, ?4)",
	[STMT_GRANT_DELETE] = "DELETE FROM role_grants WHERE user_id = ?1 AND role = ?2 "
			      "AND region_code = ?3",
	[STMT_HOUSEHOLD_INSERT] = "INSERT INTO households(region_code, address, created_at) "
				  "VALUES (?1, ?2, ?3)",
	[STMT_HOUSEHOLD_GET] = "SELECT id, region_code, address, created_at FROM households "
			       "WHERE id = ?1",
	[STMT_SESSION_INSERT] = "INSERT INTO sessions(token_hash, user_id, created_at, expires_at) "
				"SELECT ?1, ?2, ?3, ?4 "
				"WHERE (SELECT version FROM users WHERE id = ?2) = ?5",
	[STMT_SESSION_GET] = "SELECT user_id, expires_at, coalesce(revoked_at, 0) FROM sessions "
			     "WHERE token_hash = ?1",
	[STMT_SESSION_REVOKE] = "UPDATE sessions SET revoked_at = ?2 "
				"WHERE token_hash = ?1 AND revoked_at IS NULL",
	[STMT_SESSION_REVOKE_OTHERS] = "UPDATE sessions SET revoked_at = ?3 WHERE user_id = ?1 "
				       "AND token_hash <> ?2 AND revoked_at IS NULL",
	[STMT_API_KEY_INSERT] = "INSERT INTO api_keys(name, key_hash, role, region_code, created_at) "
				"VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_API_KEY_BY_HASH] = "SELECT " API_KEY_COLS " FROM api_keys WHERE key_hash = ?1",
	[STMT_API_KEY_REVOKE] = "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?2) "
				"WHERE id = ?1",
	[STMT_API_KEY_LIST] = "SELECT " API_KEY_COLS " FROM api_keys ORDER BY id",
	[STMT_LOGIN_FAILURES] = "SELECT count(*), coalesce(max(at), 0) FROM login_failures "
				"WHERE subject = ?1 AND at >= ?2",
	[STMT_LOGIN_FAILURE_ADD] = "INSERT INTO login_failures(subject, at) VALUES (?1, ?2)",
	[STMT_LOGIN_ATTEMPT_UNDO] = "DELETE FROM login_failures WHERE rowid = "
				    "(SELECT rowid FROM login_failures WHERE subject = ?1 AND at = ?2 "
				    "LIMIT 1)",
	[STMT_LOGIN_FAILURES_CLEAR] = "DELETE FROM login_failures WHERE subject = ?1",
	[STMT_INVITE_INSERT] =
		"INSERT INTO invites(code_hash, region_code, household_id, created_by, created_at, "
		"expires_at) VALUES (?1, ?2, nullif(?3, 0), nullif(?4, 0), ?5, ?6)",
	[STMT_INVITE_GET] = "SELECT region_code, coalesce(household_id, 0), coalesce(created_by, 0), "
			    "created_at, expires_at, coalesce(used_by, 0) FROM invites "
			    "WHERE code_hash = ?1",
	[STMT_INVITE_USE] = "UPDATE invites SET used_by = ?2, used_at = ?3 "
			    "WHERE code_hash = ?1 AND used_by IS NULL",
};
