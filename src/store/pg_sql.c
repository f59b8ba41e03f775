/*
 * pg_sql.c - every SQL statement of the PostgreSQL backend, indexed by
 * enum pg_stmt (pg_int.h). Parameters are always bound ($N); no SQL is ever
 * built from input. Codes compare byte by byte (the columns are COLLATE "C",
 * sql/pg/0001), so ranges over codes use the primary key and orders match
 * the SQLite backend.
 */
#include "store/pg_int.h"

#define USER_COLS                                                                              \
	"u.id, u.name, u.phone, coalesce(u.id_number, ''), u.region_code, "                    \
	"coalesce(u.household_id, 0), u.must_change_password, u.disabled, u.created_at, u.version"
#define AUDIT_COLS "id, at, actor, action, object, region, summary, prev_hash, hash"
#define API_KEY_COLS "id, name, role, region_code, created_at, coalesce(revoked_at, 0)"
#define REGION_COLS "r.code, coalesce(r.parent_code, ''), r.level, r.name"
#define CHILD_COUNT "(SELECT count(*) FROM regions c WHERE c.parent_code = r.code)"
#define WITHIN "($2::text = '' OR (r.code >= $2::text AND r.code < $2::text || ':'))"

const char *const pg_stmt_sql[PS__MAX] = {
	[PS_BEGIN] = "BEGIN",
	[PS_COMMIT] = "COMMIT",
	[PS_ROLLBACK] = "ROLLBACK",
	[PS_MIGRATE_LOCK] = "SELECT pg_advisory_xact_lock(1651076353)", /* PG_LOCK_MIGRATE */
	[PS_AUDIT_LOCK] = "SELECT pg_advisory_xact_lock(1651076354)",   /* PG_LOCK_AUDIT */
	[PS_SCHEMA_VERSION] = "SELECT coalesce(max(version), 0) FROM schema_migrations",
	[PS_MIGRATION_RECORD] =
		"INSERT INTO schema_migrations(version, name, applied_at) VALUES ($1::integer, "
		"$2::text, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))",
	[PS_DB_SIZE] = "SELECT pg_database_size(current_database())",
	[PS_REGION_GET] = "SELECT " REGION_COLS ", " CHILD_COUNT
			  " FROM regions r WHERE r.code = $1::text",
	[PS_REGION_CHILDREN] = "SELECT " REGION_COLS ", " CHILD_COUNT
			       " FROM regions r WHERE r.parent_code = $1::text ORDER BY r.code",
	[PS_REGION_SUBTREE] = "SELECT " REGION_COLS ", 0 FROM regions r "
			      "WHERE r.code >= $1::text AND r.code < $1::text || ':' "
			      "AND r.level <= $2::integer ORDER BY r.code",
	[PS_REGION_SEARCH_PREFIX] =
		"SELECT " REGION_COLS ", " CHILD_COUNT " FROM regions r "
		"WHERE r.name >= $1::text AND r.name < $1::text || chr(1114111) AND " WITHIN
		" AND ($3::integer < 0 OR r.level = $3::integer) ORDER BY r.code LIMIT $4::integer",
	[PS_REGION_SEARCH_INFIX] =
		"SELECT " REGION_COLS ", " CHILD_COUNT " FROM regions r "
		"WHERE strpos(r.name, $1::text) > 1 AND " WITHIN
		" AND ($3::integer < 0 OR r.level = $3::integer) ORDER BY r.code LIMIT $4::integer",
	[PS_REGION_EXISTS] = "SELECT 1 FROM regions WHERE code = $1::text",
	[PS_REGION_CURRENT] =
		"SELECT coalesce(parent_code, ''), level, name FROM regions WHERE code = $1::text",
	[PS_REGION_INSERT] =
		"INSERT INTO regions(code, parent_code, level, name, updated_at) "
		"VALUES ($1::text, nullif($2::text, ''), $3::integer, $4::text, "
		"to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))",
	[PS_REGION_UPDATE] =
		"UPDATE regions SET parent_code = nullif($2::text, ''), level = $3::integer, "
		"name = $4::text, "
		"updated_at = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
		"WHERE code = $1::text",
	[PS_REGIONS_GENERATION] = "SELECT generation FROM regions_meta",
	[PS_REGIONS_BUMP] = "UPDATE regions_meta SET generation = generation + 1",
	[PS_AUDIT_LAST] = "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
	[PS_AUDIT_INSERT] = "INSERT INTO audit_log(" AUDIT_COLS ") VALUES ($1::bigint, $2::bigint, "
			    "$3::text, $4::text, $5::text, $6::text, $7::text, $8::bytea, $9::bytea)",
	[PS_AUDIT_BY_OBJECT] = "SELECT " AUDIT_COLS " FROM audit_log WHERE object = $1::text "
			       "ORDER BY id DESC LIMIT $2::integer",
	[PS_AUDIT_SCAN] = "SELECT " AUDIT_COLS " FROM audit_log ORDER BY id",
	[PS_USER_INSERT] =
		"INSERT INTO users(name, phone, id_number, region_code, household_id, password_hash, "
		"must_change_password, created_at) VALUES ($1::text, $2::text, nullif($3::text, ''), "
		"$4::text, nullif($5::bigint, 0), nullif($6::text, ''), $7::boolean, $8::bigint) "
		"RETURNING id",
	[PS_USER_GET] = "SELECT " USER_COLS " FROM users u WHERE u.id = $1::bigint",
	[PS_USER_BY_PHONE] = "SELECT " USER_COLS ", coalesce(u.password_hash, '') "
			     "FROM users u WHERE u.phone = $1::text",
	[PS_USER_SET_PASSWORD] = "UPDATE users SET password_hash = $2::text, "
				 "must_change_password = $3::boolean, version = version + 1 "
				 "WHERE id = $1::bigint",
	[PS_USER_LIST] = "SELECT " USER_COLS " FROM users u WHERE ($1::text = '' OR "
			 "(u.region_code >= $1::text AND u.region_code < $1::text || ':')) "
			 "AND u.id > $2::bigint ORDER BY u.id LIMIT $3::integer",
	[PS_USER_BY_HOUSEHOLD] = "SELECT " USER_COLS " FROM users u "
				 "WHERE u.household_id = $1::bigint ORDER BY u.id",
	[PS_GRANTS_OF] = "SELECT role, region_code FROM role_grants WHERE user_id = $1::bigint "
			 "ORDER BY role, region_code",
	[PS_GRANT_INSERT] = "INSERT INTO role_grants(user_id, role, region_code, created_at) "
			    "VALUES ($1::bigint, $2::text, $3::text, $4::bigint)",
	[PS_GRANT_DELETE] = "DELETE FROM role_grants WHERE user_id = $1::bigint "
			    "AND role = $2::text AND region_code = $3::text",
	[PS_HOUSEHOLD_INSERT] = "INSERT INTO households(region_code, address, created_at) "
				"VALUES ($1::text, $2::text, $3::bigint) RETURNING id",
	[PS_HOUSEHOLD_GET] = "SELECT id, region_code, address, created_at FROM households "
			     "WHERE id = $1::bigint",
	/* FOR SHARE: a password change (which bumps the version and closes the
	 * user's sessions) waits for this session, or this waits for it and
	 * then sees the new version. */
	[PS_SESSION_INSERT] = "INSERT INTO sessions(token_hash, user_id, created_at, expires_at) "
			      "SELECT $1::bytea, $2::bigint, $3::bigint, $4::bigint "
			      "WHERE (SELECT version FROM users WHERE id = $2::bigint FOR SHARE) "
			      "= $5::bigint",
	[PS_SESSION_GET] = "SELECT user_id, expires_at, coalesce(revoked_at, 0) FROM sessions "
			   "WHERE token_hash = $1::bytea",
	[PS_SESSION_REVOKE] = "UPDATE sessions SET revoked_at = $2::bigint "
			      "WHERE token_hash = $1::bytea AND revoked_at IS NULL",
	[PS_SESSION_REVOKE_OTHERS] = "UPDATE sessions SET revoked_at = $3::bigint "
				     "WHERE user_id = $1::bigint AND token_hash <> $2::bytea "
				     "AND revoked_at IS NULL",
	[PS_API_KEY_INSERT] = "INSERT INTO api_keys(name, key_hash, role, region_code, created_at) "
			      "VALUES ($1::text, $2::bytea, $3::text, $4::text, $5::bigint) "
			      "RETURNING id",
	[PS_API_KEY_BY_HASH] = "SELECT " API_KEY_COLS " FROM api_keys WHERE key_hash = $1::bytea",
	[PS_API_KEY_REVOKE] = "UPDATE api_keys SET revoked_at = coalesce(revoked_at, $2::bigint) "
			      "WHERE id = $1::bigint",
	[PS_API_KEY_LIST] = "SELECT " API_KEY_COLS " FROM api_keys ORDER BY id",
	[PS_LOGIN_FAILURES] = "SELECT count(*), coalesce(max(at), 0) FROM login_failures "
			      "WHERE subject = $1::text AND at >= $2::bigint",
	[PS_LOGIN_FAILURE_ADD] = "INSERT INTO login_failures(subject, at) "
				 "VALUES ($1::text, $2::bigint)",
	[PS_LOGIN_ATTEMPT_LOCK] = "SELECT pg_advisory_xact_lock(1651076355, hashtext($1::text))",
	[PS_LOGIN_ATTEMPT_UNDO] = "DELETE FROM login_failures WHERE ctid = (SELECT ctid FROM "
				  "login_failures WHERE subject = $1::text AND at = $2::bigint LIMIT 1)",
	[PS_LOGIN_FAILURES_CLEAR] = "DELETE FROM login_failures WHERE subject = $1::text",
	[PS_INVITE_INSERT] =
		"INSERT INTO invites(code_hash, region_code, household_id, created_by, created_at, "
		"expires_at) VALUES ($1::bytea, $2::text, nullif($3::bigint, 0), "
		"nullif($4::bigint, 0), $5::bigint, $6::bigint)",
	/* FOR UPDATE: two concurrent acceptances of one code queue here, and the
	 * second sees it used. */
	[PS_INVITE_GET] = "SELECT region_code, coalesce(household_id, 0), coalesce(created_by, 0), "
			  "created_at, expires_at, coalesce(used_by, 0) FROM invites "
			  "WHERE code_hash = $1::bytea FOR UPDATE",
	[PS_INVITE_USE] = "UPDATE invites SET used_by = $2::bigint, used_at = $3::bigint "
			  "WHERE code_hash = $1::bytea AND used_by IS NULL",
};
