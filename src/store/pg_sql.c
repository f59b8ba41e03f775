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
#define ALERT_COLS                                                                             \
	"id, kind, object, region, supervisor, group_id, severity, summary, state, found_at, "     \
	"acknowledged_at, acknowledged_by"
#define SUPERVISION_COLS                                                                       \
	"s.id, s.kind, s.item_id, s.region, s.group_id, s.note, s.days, s.issued_by, s.issued_at, " \
	"s.deadline, s.state, s.acknowledged_at, s.acknowledged_by, s.settled_at, s.period, "       \
	"s.notice_ack_at, s.notice_ack_by"
#define AUDIT_COLS "id, at, actor, action, object, region, summary, prev_hash, hash"
#define API_KEY_COLS "id, name, role, region_code, created_at, coalesce(revoked_at, 0)"
#define REGION_COLS "r.code, coalesce(r.parent_code, ''), r.level, r.name"
#define CHILD_COUNT "(SELECT count(*) FROM regions c WHERE c.parent_code = r.code)"
#define EVENT_COLS "id, at, topic, kind, county, data"
#define JOB_RUN_COLS                                                                           \
	"id, name, slot, node, started_at, coalesce(finished_at, 0), outcome, detail"
/* a bundle and one of its services, with the person's entitlement of an
 * entitlement service's programme (the latest period; NULL when none) and
 * its region; ID numbers compared upper-case: bundles keep the canonical X,
 * entitlements the key as the exchange's data gave it */
#define BUNDLE_COLS                                                                            \
	"b.id, b.event, b.name, b.person_key, b.person_name, b.phone, b.region, b.started_at, "   \
	"b.started_by, s.seq, s.code, s.name, s.kind, s.unit, s.programme, s.days, s.due_at, "    \
	"s.state, s.note, s.marked_at, s.marked_by, coalesce(e.state, ''), coalesce(e.id, 0), "  \
	"coalesce(e.region, '')"
#define BUNDLE_JOIN                                                                            \
	" JOIN bundle_services s ON s.bundle = b.id LEFT JOIN entitlements e ON e.id = (SELECT " \
	"x.id FROM entitlements x WHERE s.kind = 'entitlement' AND x.programme = s.programme "  \
	"AND upper(x.person_key) = upper(b.person_key) ORDER BY x.period DESC, x.id DESC LIMIT 1)"
#define WITHIN "($2::text = '' OR (r.code >= $2::text AND r.code < $2::text || ':'))"
#define WITHIN_R1 "($1::text = '' OR (r.code >= $1::text AND r.code < $1::text || ':'))"
/* a group's columns; GROUP_COLS with its count of active members, which
 * reads every membership of the group: GROUP_HEAD_COLS has 0 there */
#define GROUP_ROW_COLS                                                                         \
	"g.id, g.kind, g.region_code, g.name, g.join_code, g.approval, g.duty_start, g.duty_end, " \
	"g.created_at"
#define GROUP_COLS                                                                             \
	GROUP_ROW_COLS ", (SELECT count(*) FROM group_members m WHERE m.group_id = g.id "       \
	"AND m.state = 'active')"
#define GROUP_HEAD_COLS GROUP_ROW_COLS ", 0"
#define MEMBER_COLS                                                                            \
	"m.group_id, m.user_id, m.role, m.function, m.state, m.joined_at, u.name, u.phone"
#define MESSAGE_COLS                                                                           \
	"m.id, m.group_id, m.county, coalesce(m.author_id, 0), m.author_name, m.kind, m.body, "   \
	"coalesce(m.reply_to, 0), m.mentions, m.attachment, coalesce(m.broadcast_id, 0), "        \
	"m.state, m.state_reason, m.source, m.at"
/* a row of the statistics rollup (migration 0019), and the rollup recomputed
 * from the demands exactly as that migration fills it */
#define ROLLUP_COLS                                                                            \
	"region, day, demands, responded, resolved, rated, satisfied, first_line, returned, "      \
	"whistled, overdue, acknowledged, times"
#define ROLLUP_RECOMPUTE                                                                       \
	"WITH d AS (SELECT c.region AS region, c.created_at - (c.created_at + 28800) % 86400 "    \
	"AS day, (EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.action = "    \
	"'acknowledge') AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id "    \
	"AND e.action = 'clock.missed' AND e.clock = 'ack') AND NOT EXISTS (SELECT 1 FROM "     \
	"case_clocks k WHERE k.case_id = c.id AND k.name = 'ack' AND k.status = 'missed'))::int " \
	"AS responded, (c.state IN ('resolved', 'followed_up', 'closed'))::int AS resolved, "  \
	"(c.rating <> '')::int AS rated, (c.rating IN ('satisfied', 'fair'))::int AS "         \
	"satisfied, (c.state IN ('resolved', 'followed_up', 'closed') AND c.escalations = "    \
	"0)::int AS first_line, (c.returns > 0)::int AS returned, (c.whistles > 0)::int AS "   \
	"whistled, (EXISTS (SELECT 1 FROM case_clocks k WHERE k.case_id = c.id AND k.name IN " \
	"('ack', 'resolve') AND k.status = 'missed') OR EXISTS (SELECT 1 FROM case_events e "  \
	"WHERE e.case_id = c.id AND e.action = 'clock.missed' AND e.clock IN ('ack', "         \
	"'resolve')))::int AS overdue, (SELECT min(e.at) FROM case_events e WHERE e.case_id = " \
	"c.id AND e.action = 'acknowledge') - c.created_at AS t FROM cases c WHERE c.type = "  \
	"'demand' AND c.state <> 'merged'), b AS (SELECT region, day, CASE WHEN t < 3600 THEN " \
	"greatest(t, 0) WHEN t < 86400 THEN t - t % 60 WHEN t < 31536000 THEN t - t % 3600 "   \
	"ELSE 31536000 END AS s, count(*) AS n FROM d WHERE t IS NOT NULL GROUP BY 1, 2, 3), "  \
	"h AS (SELECT region, day, string_agg(s || ':' || n, ',' ORDER BY s) AS times FROM b " \
	"GROUP BY 1, 2) SELECT a.region, a.day, a.demands, a.responded, a.resolved, a.rated, " \
	"a.satisfied, a.first_line, a.returned, a.whistled, a.overdue, a.acknowledged, "       \
	"coalesce(h.times, '') FROM (SELECT region, day, count(*) AS demands, sum(responded) "  \
	"AS responded, sum(resolved) AS resolved, sum(rated) AS rated, sum(satisfied) AS "     \
	"satisfied, sum(first_line) AS first_line, sum(returned) AS returned, sum(whistled) "  \
	"AS whistled, sum(overdue) AS overdue, count(t) AS acknowledged FROM d GROUP BY 1, 2) " \
	"a LEFT JOIN h ON h.region = a.region AND h.day = a.day"
/* a case and its clocks: a case without clocks has one row with k.name NULL */
#define CASE_COLS                                                                              \
	"c.id, c.type, c.version, c.state, c.level, c.region, c.county, c.group_id, c.category, " \
	"c.urgency, c.title, c.description, c.address, c.lat, c.lon, c.located, "                \
	"c.contact_name, c.contact_phone, c.resident_id, c.source, c.source_message_id, "         \
	"c.assignee_user, c.assignee_group, c.unit, c.first_receiver, c.returns, c.whistles, "    \
	"c.transfers, c.reopens, c.escalations, c.merged_into, c.rating, c.created_at, "          \
	"c.updated_at, c.closed_at, c.next_check, k.name, k.status, k.started, k.used, "          \
	"k.warn_at, k.due, k.warned, k.stopped"
/* c.region within region $N ('~' sorts after every code: it matches none;
 * '' sorts before every code and ':' after: it matches all) */
/* a message of the outbox (migration 0022), as struct outbox_row reads it */
#define OUTBOX_COLS "id, event, entitlement, programme, kind, region, phone, text, state, attempts, next_at, " \
	"status, detail, created_at, sent_at, text_masked"
#define CASE_WITHIN(n) "(c.region >= $" n "::text AND c.region < $" n "::text || ':')"
/* g.region_code within region $N ('~' sorts after every code: it matches none) */
#define GROUP_WITHIN(n) "(g.region_code >= $" n "::text AND g.region_code < $" n "::text || ':')"

/* an entitlement (migration 0021), as struct entitlement reads it */
#define ENT_COLS                                                                               \
	"e.id, e.programme, e.policy, e.benefit, e.person_key, e.person_name, e.phone, e.region, " \
	"e.period, e.amount, e.state, e.version, e.notice_until, e.consent_until, "             \
	"e.effective_from, e.effective_to, e.reason, e.explanation, e.appeal_case, e.run, "    \
	"e.created_at, e.updated_at"

const char *const pg_stmt_sql[PS__MAX] = {
	[PS_BEGIN] = "BEGIN",
	[PS_COMMIT] = "COMMIT",
	[PS_ROLLBACK] = "ROLLBACK",
	[PS_MIGRATE_LOCK] = "SELECT pg_advisory_xact_lock(1651076353)", /* PG_LOCK_MIGRATE */
	[PS_AUDIT_LOCK] = "SELECT pg_advisory_xact_lock(1651076354)",   /* PG_LOCK_AUDIT */
	[PS_SCHEMA_VERSION] = "SELECT coalesce(max(version), 0), count(*) FROM schema_migrations",
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
	[PS_AUDIT_SCAN] = "SELECT " AUDIT_COLS " FROM audit_log WHERE id > $1::bigint "
			  "ORDER BY id LIMIT $2::bigint",
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
	[PS_SESSION_GET] = "SELECT " USER_COLS ", s.user_id, s.expires_at, "
			   "coalesce(s.revoked_at, 0) FROM sessions s "
			   "LEFT JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1::bytea",
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
	[PS_EVENTS_LOCK] = "SELECT pg_advisory_xact_lock(1651076356)", /* PG_LOCK_EVENTS */
	/* stored and announced (NOTIFY, delivered at COMMIT) in one round trip */
	[PS_EVENT_INSERT] = "WITH e AS (INSERT INTO events(id, at, county, topic, kind, data, "
			    "subject) VALUES (nextval('events_id_seq'), $1::bigint, $2::text, "
			    "$3::text, $4::text, $5::text, $6::text) RETURNING id) "
			    "SELECT id, pg_notify('" PG_EVENTS_CHANNEL "', $3::text) FROM e",
	[PS_EVENTS_REWRITE] = "UPDATE events SET data = $2::text WHERE subject = $1::text",
	[PS_EVENTS_AFTER] = "SELECT " EVENT_COLS " FROM events WHERE topic = $1::text "
			    "AND id > $2::bigint ORDER BY id LIMIT $3::bigint",
	[PS_EVENTS_HEAD] = "SELECT coalesce(max(id), 0) FROM events",
	[PS_EVENTS_DROP_MONTHS] = "SELECT bianmin_drop_partitions_before('events', $1::bigint)",
	[PS_EVENTS_PRUNE] = "DELETE FROM events WHERE at < $1::bigint",
	[PS_PARTITIONS_ENSURE] = "SELECT bianmin_month_partitions($1::text, $2::bigint, 2)",
	[PS_JOB_ENSURE] = "INSERT INTO jobs(name, last_slot) VALUES ($1::text, -1) "
			  "ON CONFLICT (name) DO NOTHING",
	/* Concurrent claims of one slot queue on the row lock; the later one
	 * re-reads last_slot after the first commits and matches nothing. */
	[PS_JOB_CLAIM] = "UPDATE jobs SET last_slot = $2::bigint "
			 "WHERE name = $1::text AND last_slot < $2::bigint",
	[PS_JOB_RUN_INSERT] = "INSERT INTO job_runs(name, slot, node, started_at, outcome) "
			      "VALUES ($1::text, $2::bigint, $3::text, $4::bigint, 'running') "
			      "RETURNING id",
	[PS_JOB_RUN_FINISH] = "UPDATE job_runs SET finished_at = $2::bigint, outcome = $3::text, "
			      "detail = $4::text WHERE id = $1::bigint",
	[PS_JOB_RUNS] = "SELECT " JOB_RUN_COLS " FROM job_runs "
			"WHERE ($1::text = '' OR name = $1::text) ORDER BY id DESC LIMIT $2::bigint",
	[PS_JOB_LOCK_TRY] = "SELECT pg_try_advisory_lock(1651076357, hashtext($1::text))",
	[PS_JOB_UNLOCK] = "SELECT pg_advisory_unlock(1651076357, hashtext($1::text))",
	[PS_SESSIONS_PURGE] = "DELETE FROM sessions WHERE expires_at < $1::bigint "
			      "OR revoked_at < $1::bigint",
	[PS_LOGIN_FAILURES_PURGE] = "DELETE FROM login_failures WHERE at < $1::bigint",
	/* ON CONFLICT: a sync running at the same time on another connection
	 * made the group first; this one leaves it be, as SQLite's NOT EXISTS
	 * does (SQLite has one writer). */
	[PS_GROUPS_SYNC] =
		"INSERT INTO groups(kind, region_code, name, join_code, created_at) "
		"SELECT CASE r.level WHEN 2 THEN 'county' WHEN 3 THEN 'town' ELSE 'village' END, "
		"r.code, r.name, replace(gen_random_uuid()::text, '-', ''), $2::bigint "
		"FROM regions r WHERE r.level >= 2 AND " WITHIN_R1 " AND NOT EXISTS "
		"(SELECT 1 FROM groups g WHERE g.region_code = r.code AND g.kind <> 'adhoc') "
		"ORDER BY r.code "
		"ON CONFLICT (region_code) WHERE kind <> 'adhoc' DO NOTHING",
	[PS_GROUPS_SYNC_COUNT] = "SELECT count(*) FROM regions r WHERE r.level >= 2 AND " WITHIN_R1,
	[PS_GROUP_INSERT] = "INSERT INTO groups(kind, region_code, name, join_code, approval, "
			    "duty_start, duty_end, created_at) VALUES ($1::text, $2::text, "
			    "$3::text, $4::text, $5::boolean, $6::integer, $7::integer, "
			    "$8::bigint) RETURNING id",
	[PS_GROUP_GET] = "SELECT " GROUP_COLS " FROM groups g WHERE g.id = $1::bigint",
	[PS_GROUP_HEAD] = "SELECT " GROUP_HEAD_COLS " FROM groups g WHERE g.id = $1::bigint",
	[PS_GROUP_BY_CODE] = "SELECT " GROUP_COLS " FROM groups g WHERE g.join_code = $1::text",
	[PS_GROUP_UPDATE] = "UPDATE groups SET name = $2::text, approval = $3::boolean, "
			    "duty_start = $4::integer, duty_end = $5::integer, "
			    "join_code = $6::text WHERE id = $1::bigint",
	[PS_GROUP_LIST] = "SELECT " GROUP_COLS " FROM groups g WHERE ($1::text = '' OR "
			  "(g.region_code >= $1::text AND g.region_code < $1::text || ':')) "
			  "AND ($2::text = '' OR g.kind = $2::text) AND g.id > $3::bigint "
			  "ORDER BY g.id LIMIT $4::integer",
	/* Writers of one group's rota queue here, so each replaces the rota
	 * whole (as on SQLite, whose writes are serial). Inserts of members
	 * (FOR KEY SHARE by their foreign key) do not wait for it. */
	[PS_GROUP_LOCK] = "SELECT id FROM groups WHERE id = $1::bigint FOR NO KEY UPDATE",
	[PS_MEMBER_PUT] = "INSERT INTO group_members(group_id, user_id, role, function, state, "
			  "joined_at) VALUES ($1::bigint, $2::bigint, $3::text, $4::text, "
			  "$5::text, $6::bigint) ON CONFLICT (group_id, user_id) DO UPDATE SET "
			  "role = EXCLUDED.role, function = EXCLUDED.function, "
			  "state = EXCLUDED.state",
	[PS_MEMBER_GET] = "SELECT " MEMBER_COLS " FROM group_members m JOIN users u "
			  "ON u.id = m.user_id WHERE m.group_id = $1::bigint "
			  "AND m.user_id = $2::bigint",
	[PS_GROUP_MEMBERS] = "SELECT " MEMBER_COLS " FROM group_members m JOIN users u "
			     "ON u.id = m.user_id WHERE m.group_id = $1::bigint "
			     "AND ($2::text = '' OR m.state = $2::text) AND m.user_id > $3::bigint "
			     "ORDER BY m.user_id LIMIT $4::integer",
	[PS_MEMBER_GROUPS] = "SELECT " MEMBER_COLS " FROM group_members m JOIN users u "
			     "ON u.id = m.user_id WHERE m.user_id = $1::bigint ORDER BY m.group_id",
	[PS_USER_ID_BY_PHONE] = "SELECT id FROM users WHERE phone = $1::text",
	/* a roster's lines, set-based (pg_groups.c): the JSON arrays of
	 * store_roster_phones_json and store_roster_new_json; the new
	 * households' ids are taken first, so that each user names their own */
	[PS_ROSTER_PHONES] = "SELECT j.ord - 1, u.id FROM jsonb_array_elements_text($1::jsonb) "
			     "WITH ORDINALITY j(phone, ord) JOIN users u ON u.phone = j.phone",
	[PS_ROSTER_NEW] = "WITH p AS MATERIALIZED (SELECT e->>0 AS name, e->>1 AS phone, "
			  "nullif(e->>2, '') AS id_number, e->>3 AS address, "
			  "nextval(pg_get_serial_sequence('households', 'id')) AS hid "
			  "FROM jsonb_array_elements($4::jsonb) e), "
			  "h AS (INSERT INTO households(id, region_code, address, created_at) "
			  "SELECT hid, $1::text, address, $3::bigint FROM p), "
			  "u AS (INSERT INTO users(name, phone, id_number, region_code, household_id, "
			  "created_at) SELECT name, phone, id_number, $1::text, hid, $3::bigint FROM p "
			  "RETURNING id) "
			  "INSERT INTO group_members(group_id, user_id, role, function, state, joined_at) "
			  "SELECT $2::bigint, id, 'resident', '', 'active', $3::bigint FROM u",
	[PS_DUTY_ROTA_CLEAR] = "DELETE FROM duty_rota WHERE group_id = $1::bigint",
	[PS_DUTY_ROTA_INSERT] = "INSERT INTO duty_rota(group_id, weekday, user_id) "
				"VALUES ($1::bigint, $2::integer, $3::bigint)",
	[PS_DUTY_ROTA_GET] = "SELECT weekday, user_id FROM duty_rota WHERE group_id = $1::bigint",
	[PS_DUTY_OVERRIDE_PUT] = "INSERT INTO duty_overrides(group_id, day, user_id, reason) "
				 "VALUES ($1::bigint, $2::integer, $3::bigint, $4::text) "
				 "ON CONFLICT (group_id, day) DO UPDATE "
				 "SET user_id = EXCLUDED.user_id, reason = EXCLUDED.reason",
	[PS_DUTY_OVERRIDE_DELETE] = "DELETE FROM duty_overrides WHERE group_id = $1::bigint "
				    "AND day = $2::integer",
	[PS_DUTY_OVERRIDES] = "SELECT day, user_id, reason FROM duty_overrides "
			      "WHERE group_id = $1::bigint "
			      "AND day BETWEEN $2::integer AND $3::integer ORDER BY day LIMIT 64",
	[PS_DUTY_LEAVE_INSERT] = "INSERT INTO duty_leave(group_id, user_id, first_day, last_day, "
				 "reason) VALUES ($1::bigint, $2::bigint, $3::integer, "
				 "$4::integer, $5::text) RETURNING id",
	[PS_DUTY_LEAVE_DELETE] = "DELETE FROM duty_leave WHERE group_id = $1::bigint "
				 "AND id = $2::bigint",
	[PS_DUTY_LEAVES] = "SELECT id, user_id, first_day, last_day, reason FROM duty_leave "
			   "WHERE group_id = $1::bigint AND last_day >= $2::integer "
			   "AND first_day <= $3::integer ORDER BY first_day, id LIMIT 64",
	/* the id comes from messages_id_seq after the caller took PG_LOCK_EVENTS
	 * (pg_messages.c), so ids, like event ids, become visible in order */
	[PS_MESSAGE_INSERT] =
		"INSERT INTO messages(group_id, county, author_id, author_name, kind, body, reply_to, "
		"mentions, attachment, broadcast_id, source, at, terms) VALUES ($1::bigint, $2::text, "
		"nullif($3::bigint, 0), $4::text, $5::text, $6::text, nullif($7::bigint, 0), "
		"$8::text, $9::text, nullif($10::bigint, 0), $11::text, $12::bigint, "
		"$13::tsvector) RETURNING id",
	[PS_MESSAGE_GET] = "SELECT " MESSAGE_COLS " FROM messages m WHERE m.id = $1::bigint",
	[PS_MESSAGES_AFTER] = "SELECT " MESSAGE_COLS " FROM messages m WHERE m.group_id = $1::bigint "
			      "AND m.id > $2::bigint ORDER BY m.id LIMIT $3::integer",
	[PS_MESSAGES_BEFORE] = "SELECT " MESSAGE_COLS " FROM messages m "
			       "WHERE m.group_id = $1::bigint AND m.id < $2::bigint "
			       "ORDER BY m.id DESC LIMIT $3::integer",
	[PS_MESSAGE_SET_STATE] = "UPDATE messages SET state = $2::text, state_reason = $3::text "
				 "WHERE id = $1::bigint",
	/* scope: regions $3..$6, or the groups of member $7 */
	[PS_MESSAGES_SEARCH] =
		"SELECT " MESSAGE_COLS " FROM messages m JOIN groups g ON g.id = m.group_id "
		"WHERE m.terms @@ $1::tsquery AND m.state = 'visible' "
		"AND ($2::bigint = 0 OR m.group_id = $2::bigint) AND (" GROUP_WITHIN("3") " OR "
		GROUP_WITHIN("4") " OR " GROUP_WITHIN("5") " OR " GROUP_WITHIN("6") " OR "
		"m.group_id IN (SELECT group_id FROM group_members WHERE user_id = $7::bigint "
		"AND state = 'active')) ORDER BY m.id DESC LIMIT $8::integer",
	/* an ingest call's keys: those recorded before, then its new ones */
	[PS_INGEST_KEYS_SEEN] = "SELECT key FROM ingest_keys WHERE key = ANY($1::text[])",
	[PS_INGEST_KEYS_INSERT] = "INSERT INTO ingest_keys(key, at) SELECT k, $2::bigint "
				  "FROM unnest($1::text[]) AS u(k)",
	/* the queue of bulk ingest: a taken call, the pending ones oldest first
	 * (a page after id $1), its size, a call loaded (deleted only while
	 * pending: a loader that lost the race deletes nothing), set aside */
	[PS_INGEST_CALL_INSERT] = "INSERT INTO ingest_calls(at, messages, body) VALUES "
				  "($1::bigint, $2::bigint, $3::bytea) RETURNING id",
	[PS_INGEST_CALLS_PENDING] = "SELECT id, at, messages, body FROM ingest_calls "
				    "WHERE error IS NULL AND id > $1::bigint ORDER BY id "
				    "LIMIT $2::integer",
	[PS_INGEST_BACKLOG] = "SELECT coalesce(sum(messages) FILTER (WHERE error IS NULL), 0), "
			      "coalesce(min(at) FILTER (WHERE error IS NULL), 0), "
			      "count(*) FILTER (WHERE error IS NOT NULL) FROM ingest_calls",
	[PS_INGEST_CALL_DELETE] = "DELETE FROM ingest_calls WHERE id = $1::bigint "
				  "AND error IS NULL",
	[PS_INGEST_CALL_FAIL] = "UPDATE ingest_calls SET error = $2::text WHERE id = $1::bigint "
				"AND error IS NULL",
	[PS_BROADCAST_INSERT] = "INSERT INTO broadcasts(group_id, author_id, body, at) "
				"VALUES ($1::bigint, $2::bigint, $3::text, $4::bigint) RETURNING id",
	[PS_BROADCAST_TARGETS] = "SELECT id, county FROM groups WHERE kind <> 'adhoc' "
				 "AND region_code >= $1::text AND region_code < $1::text || ':' "
				 "ORDER BY id",
	[PS_DELIVERY_INSERT] = "INSERT INTO broadcast_deliveries(broadcast_id, group_id, "
			       "message_id) VALUES ($1::bigint, $2::bigint, $3::bigint)",
	[PS_DELIVERIES] = "SELECT d.group_id, g.name, d.message_id, b.group_id "
			  "FROM broadcast_deliveries d JOIN groups g ON g.id = d.group_id "
			  "JOIN broadcasts b ON b.id = d.broadcast_id "
			  "WHERE d.broadcast_id = $1::bigint ORDER BY d.group_id",
	[PS_ATTACHMENT_INSERT] = "INSERT INTO attachments(sha256, group_id, mime, size, uploader, "
				 "at) VALUES ($1::text, $2::bigint, $3::text, $4::bigint, "
				 "$5::bigint, $6::bigint) ON CONFLICT (sha256, group_id) DO NOTHING",
	[PS_ATTACHMENT_GET] = "SELECT sha256, group_id, mime, size, uploader, at FROM attachments "
			      "WHERE sha256 = $1::text AND group_id = $2::bigint",
	[PS_ATTACHMENT_SHOWN] = "SELECT 1 FROM messages WHERE group_id = $2::bigint "
				"AND attachment = $1::text AND state = 'visible' LIMIT 1",
	[PS_CALENDAR_PUT] = "INSERT INTO calendar_days(day, kind, name, imported_at, imported_by) "
			    "VALUES ($1::integer, $2::text, $3::text, $4::bigint, $5::text) "
			    "ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, "
			    "name = excluded.name, imported_at = excluded.imported_at, "
			    "imported_by = excluded.imported_by",
	[PS_CALENDAR_LIST] = "SELECT day, kind, name, imported_at, imported_by FROM calendar_days "
			     "WHERE day BETWEEN $1::integer AND $2::integer ORDER BY day",
	/* $1..$34 are the case's fields in the order of pg_cases.c's
	 * bind_case(), for both the insert and the update */
	[PS_CASE_INSERT] =
		"INSERT INTO cases(type, version, state, level, region, group_id, category, urgency, "
		"title, description, address, lat, lon, located, contact_name, contact_phone, "
		"resident_id, source, source_message_id, assignee_user, assignee_group, unit, "
		"first_receiver, returns, whistles, transfers, reopens, escalations, merged_into, "
		"rating, created_at, updated_at, closed_at, next_check) VALUES ($1::text, "
		"$2::integer, $3::text, $4::integer, $5::text, $6::bigint, $7::text, $8::text, "
		"$9::text, $10::text, $11::text, $12::double precision, $13::double precision, "
		"$14::boolean, $15::text, $16::text, $17::bigint, $18::text, $19::bigint, "
		"$20::bigint, $21::bigint, $22::text, $23::bigint, $24::integer, $25::integer, "
		"$26::integer, $27::integer, $28::integer, $29::bigint, $30::text, $31::bigint, "
		"$32::bigint, $33::bigint, $34::bigint) RETURNING id, county",
	/* optimistic: only the version the change was computed from is replaced */
	[PS_CASE_UPDATE] =
		"UPDATE cases SET type = $1::text, version = $2::integer, state = $3::text, "
		"level = $4::integer, region = $5::text, group_id = $6::bigint, "
		"category = $7::text, urgency = $8::text, title = $9::text, "
		"description = $10::text, address = $11::text, lat = $12::double precision, "
		"lon = $13::double precision, located = $14::boolean, contact_name = $15::text, "
		"contact_phone = $16::text, resident_id = $17::bigint, source = $18::text, "
		"source_message_id = $19::bigint, assignee_user = $20::bigint, "
		"assignee_group = $21::bigint, unit = $22::text, first_receiver = $23::bigint, "
		"returns = $24::integer, whistles = $25::integer, transfers = $26::integer, "
		"reopens = $27::integer, escalations = $28::integer, merged_into = $29::bigint, "
		"rating = $30::text, created_at = $31::bigint, updated_at = $32::bigint, "
		"closed_at = $33::bigint, next_check = $34::bigint "
		"WHERE id = $35::bigint AND version = $2::integer - 1",
	[PS_CASE_VERSION] = "SELECT version FROM cases WHERE id = $1::bigint",
	[PS_CASE_GET] = "SELECT " CASE_COLS " FROM cases c LEFT JOIN case_clocks k "
			"ON k.case_id = c.id WHERE c.id = $1::bigint ORDER BY k.name",
	[PS_CASES_GET_MANY] = "SELECT " CASE_COLS " FROM cases c LEFT JOIN case_clocks k "
			      "ON k.case_id = c.id WHERE c.id = ANY ($1::bigint[]) "
			      "ORDER BY c.id, k.name",
	[PS_CASE_CLOCKS_PUT] =
		"WITH gone AS (DELETE FROM case_clocks WHERE case_id = $1::bigint "
		"AND name <> ALL ($2::text[])) "
		"INSERT INTO case_clocks(case_id, name, status, started, used, warn_at, due, warned, "
		"stopped) SELECT $1::bigint, * FROM unnest($2::text[], $3::text[], $4::bigint[], "
		"$5::bigint[], $6::bigint[], $7::bigint[], $8::boolean[], $9::bigint[]) "
		"ON CONFLICT (case_id, name) DO UPDATE SET status = excluded.status, "
		"started = excluded.started, used = excluded.used, warn_at = excluded.warn_at, "
		"due = excluded.due, warned = excluded.warned, stopped = excluded.stopped",
	[PS_CASE_EVENT_INSERT] = "INSERT INTO case_events(case_id, at, actor, action, from_state, "
				 "to_state, clock, level, detail) VALUES ($1::bigint, $2::bigint, "
				 "$3::bigint, $4::text, $5::text, $6::text, $7::text, $8::integer, "
				 "$9::text)",
	[PS_CASE_EVENTS] = "SELECT id, case_id, at, actor, action, from_state, to_state, clock, "
			   "level, detail FROM case_events WHERE case_id = $1::bigint ORDER BY id",
	/* the partial index cases_due holds exactly the rows next_check > 0 */
	[PS_CASES_DUE] = "SELECT id FROM cases WHERE next_check > 0 AND next_check <= $1::bigint "
			 "ORDER BY next_check, id LIMIT $2::integer",
	/* $2..$5 the scope's regions, $6 its resident (0: none); $7 the state
	 * ('' any, 'open' not closed or merged, 'ended' closed or merged), $8
	 * the category ('' any), $9 a region the cases are within too ('' all),
	 * $10 and $13 the window of creation ($13 0: no end) */
	[PS_CASES_LIST] =
		"SELECT " CASE_COLS " FROM (SELECT c.* FROM cases c WHERE c.type = $1::text AND ("
		CASE_WITHIN("2") " OR " CASE_WITHIN("3") " OR " CASE_WITHIN("4") " OR "
		CASE_WITHIN("5") " OR ($6::bigint <> 0 AND c.resident_id = $6::bigint)) AND "
		"($7::text = '' OR c.state = $7::text OR ($7::text = 'open' AND c.state NOT IN "
		"('closed', 'merged')) OR ($7::text = 'ended' AND c.state IN ('closed', 'merged'))) "
		"AND ($8::text = '' OR c.category = $8::text) AND "
		CASE_WITHIN("9") " AND c.created_at >= $10::bigint AND ($13::bigint = 0 OR "
		"c.created_at < $13::bigint) AND c.id < $11::bigint "
		"ORDER BY c.id DESC LIMIT $12::integer) c LEFT JOIN case_clocks k "
		"ON k.case_id = c.id ORDER BY c.id DESC, k.name",
	/* lines of cases of type $3 within region $4 at in [$1, $2), by time
	 * on case_events_by_time */
	[PS_CASE_EVENTS_BETWEEN] =
		"SELECT e.id, e.case_id, e.at, e.actor, e.action, e.from_state, e.to_state, "
		"e.clock, e.level, e.detail FROM case_events e JOIN cases c ON c.id = e.case_id "
		"WHERE e.at >= $1::bigint AND e.at < $2::bigint AND c.type = $3::text AND "
		CASE_WITHIN("4") " ORDER BY e.at, e.id LIMIT $5::integer",
	/* what hangs off a case (pg_case_photos.c); the case's row locked while
	 * a photo is added, so two additions at once count one after the other */
	[PS_CASE_STANDING] = "SELECT state, level FROM cases WHERE id = $1::bigint FOR UPDATE",
	[PS_CASE_PHOTO_GET] = "SELECT case_id, sha256, mime, size, added_by, added_at "
			      "FROM case_photos WHERE case_id = $1::bigint AND sha256 = $2::text",
	[PS_CASE_PHOTO_COUNT] = "SELECT count(*) FROM case_photos WHERE case_id = $1::bigint",
	[PS_CASE_PHOTO_INSERT] = "INSERT INTO case_photos(case_id, sha256, mime, size, added_by, "
				 "added_at) VALUES ($1::bigint, $2::text, $3::text, $4::bigint, "
				 "$5::bigint, $6::bigint)",
	[PS_CASE_PHOTOS] = "SELECT case_id, sha256, mime, size, added_by, added_at "
			   "FROM case_photos WHERE case_id = $1::bigint ORDER BY id",
	/* the partial index cases_by_source_message holds the rows $1 can match */
	[PS_CASE_OF_MESSAGE] = "SELECT id FROM cases WHERE source_message_id = $1::bigint "
			       "AND source_message_id > 0",
	/* what a county configures for its cases (pg_case_settings.c) */
	[PS_CASE_SETTINGS_VERSION] = "SELECT version FROM case_settings_versions "
				     "WHERE county = $1::text",
	[PS_CASE_SETTINGS_BUMP] = "INSERT INTO case_settings_versions AS v(county, version) "
				  "VALUES ($1::text, 1) ON CONFLICT(county) DO UPDATE SET "
				  "version = v.version + 1",
	[PS_CASE_SETTINGS_LIST] = "SELECT name, value, set_by, set_at FROM case_settings "
				  "WHERE county = $1::text ORDER BY name",
	[PS_CASE_SETTING_PUT] = "INSERT INTO case_settings(county, name, value, set_by, set_at) "
				"VALUES ($1::text, $2::text, $3::text, $4::text, $5::bigint) "
				"ON CONFLICT(county, name) DO UPDATE SET value = excluded.value, "
				"set_by = excluded.set_by, set_at = excluded.set_at",
	[PS_CASE_CATEGORIES_LIST] = "SELECT code, parent, name, urgency, sort, active "
				    "FROM case_categories WHERE county = $1::text ORDER BY sort, code",
	[PS_CASE_CATEGORIES_CLEAR] = "DELETE FROM case_categories WHERE county = $1::text",
	[PS_CASE_CATEGORY_INSERT] = "INSERT INTO case_categories(county, code, parent, name, "
				    "urgency, sort, active) VALUES ($1::text, $2::text, $3::text, "
				    "$4::text, $5::text, $6::integer, $7::boolean)",
	/* after the new tree is in: a category that cases still open in the
	 * county have and the tree lacks (the index cases_by_county) */
	[PS_CASE_CATEGORY_IN_USE] =
		"SELECT c.category, count(*) FROM cases c WHERE c.county = $1::text "
		"AND c.type = 'demand' AND c.state NOT IN ('closed', 'merged') AND NOT EXISTS (SELECT 1 FROM "
		"case_categories k WHERE k.county = $1::text AND k.code = c.category) "
		"GROUP BY c.category ORDER BY c.category LIMIT 1",

	/* the smart patrol (pg_patrol.c): every read starts after a watermark
	 * or at a due time, on a key or an index */
	[PS_PATROL_MARK_GET] = "SELECT mark FROM patrol_marks WHERE kind = $1::text",
	[PS_PATROL_MARK_PUT] = "INSERT INTO patrol_marks(kind, mark) VALUES ($1::text, $2::bigint) "
			       "ON CONFLICT(kind) DO UPDATE SET mark = excluded.mark",
	/* the inbox holds its messages' copies (migration 0025) */
	[PS_PATROL_MESSAGES] =
		"SELECT i.message_id, i.group_id, i.author_id, i.author_name, i.kind, i.reply_to, "
		"i.at, i.body, coalesce(gm.role, ''), g.kind, g.region_code, g.duty_start, "
		"g.duty_end, i.judged::int FROM patrol_inbox i JOIN groups g ON g.id = i.group_id "
		"LEFT JOIN group_members gm ON gm.group_id = i.group_id "
		"AND gm.user_id = i.author_id AND gm.state = 'active' "
		"WHERE i.message_id > $1::bigint ORDER BY i.message_id LIMIT $2::bigint",
	[PS_PATROL_INBOX_PUT] = "INSERT INTO patrol_inbox(message_id, judged, group_id, author_id, "
				"author_name, kind, reply_to, at, body) VALUES ($1::bigint, "
				"$2::int <> 0, $3::bigint, $4::bigint, $5::text, $6::text, $7::bigint, "
				"$8::bigint, $9::text)",
	/* a sweep's step writes set-based: one statement per kind of change,
	 * its rows as array parameters */
	[PS_PATROL_INBOX_DONE] = "DELETE FROM patrol_inbox WHERE message_id = ANY ($1::bigint[])",
	[PS_PATROL_DUE] = "SELECT " MESSAGE_COLS ", w.message_id, w.group_id, w.at, w.due, "
			  "coalesce(g.name, ''), coalesce(g.region_code, '') FROM patrol_watch w "
			  "LEFT JOIN messages m ON m.id = w.message_id "
			  "LEFT JOIN groups g ON g.id = w.group_id "
			  "WHERE w.due <= $1::bigint ORDER BY w.due, w.message_id LIMIT $2::bigint",
	[PS_PATROL_CASE_LINES] =
		"SELECT e.id, e.case_id, e.at, e.actor, e.action, e.from_state, e.to_state, "
		"e.clock, e.level, e.detail, c.region, c.group_id, c.title "
		"FROM case_events e JOIN cases c ON c.id = e.case_id WHERE e.id > $1::bigint "
		"AND e.action IN ('clock.warning', 'clock.missed') AND c.type = 'demand' "
		"ORDER BY e.id LIMIT $2::bigint",
	[PS_PATROL_GROUPS] =
		"SELECT id, kind, region_code, name, duty_start, duty_end, "
		"(EXISTS (SELECT 1 FROM duty_rota r WHERE r.group_id = g.id) "
		"OR EXISTS (SELECT 1 FROM duty_overrides o WHERE o.group_id = g.id) "
		"OR EXISTS (SELECT 1 FROM duty_leave l WHERE l.group_id = g.id))::int FROM groups g "
		"WHERE kind <> 'adhoc' AND id > $1::bigint ORDER BY id LIMIT $2::bigint",
	[PS_PATROL_DEMANDS] =
		"SELECT c.id, coalesce(c.group_id, 0), c.created_at, c.resident_id, "
		"coalesce(u.household_id, 0), c.region, c.category, c.title "
		"FROM cases c LEFT JOIN users u ON u.id = c.resident_id "
		"WHERE c.id > $1::bigint AND c.type = 'demand' AND c.resident_id > 0 "
		"ORDER BY c.id LIMIT $2::bigint",
	[PS_PATROL_REPEATS] =
		"SELECT count(*) FROM cases WHERE resident_id IN "
		"(SELECT id FROM users WHERE household_id = $1::bigint UNION ALL SELECT $2::bigint) "
		"AND type = 'demand' AND category = $3 AND created_at >= $4::bigint "
		"AND id <= $5::bigint",
	[PS_PATROL_HIDES] = "SELECT " AUDIT_COLS " FROM audit_log WHERE id > $1::bigint "
			    "AND action = 'message.hide' ORDER BY id LIMIT $2::bigint",
	[PS_PATROL_WATCH_PUT] = "INSERT INTO patrol_watch(message_id, group_id, at, due) "
				"VALUES ($1::bigint, $2::bigint, $3::bigint, $4::bigint) "
				"ON CONFLICT(message_id) DO NOTHING",
	[PS_PATROL_WATCH_ANSWERED] = "DELETE FROM patrol_watch WHERE message_id = $1::bigint "
				     "AND due >= $2::bigint",
	[PS_PATROL_WATCH_PUT_MANY] =
		"INSERT INTO patrol_watch(message_id, group_id, at, due) "
		"SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[]) "
		"ON CONFLICT(message_id) DO NOTHING",
	[PS_PATROL_WATCH_ANSWERED_MANY] =
		"DELETE FROM patrol_watch w USING unnest($1::bigint[], $2::bigint[]) AS a(id, at) "
		"WHERE w.message_id = a.id AND w.due >= a.at",
	[PS_PATROL_WATCH_DONE] = "DELETE FROM patrol_watch WHERE message_id = ANY ($1::bigint[])",
	[PS_ALERT_INSERT] = "INSERT INTO alerts(kind, object, region, supervisor, group_id, "
			    "severity, summary, found_at) SELECT * FROM unnest($1::text[], "
			    "$2::text[], $3::text[], $4::text[], $5::bigint[], $6::integer[], "
			    "$7::text[], $8::bigint[]) "
			    "ON CONFLICT(kind, object) DO NOTHING RETURNING id, kind, object",
	[PS_ALERT_GET] = "SELECT " ALERT_COLS " FROM alerts WHERE id = $1::bigint",
	[PS_ALERT_BY_KEY] = "SELECT " ALERT_COLS " FROM alerts a JOIN unnest($1::text[], "
			    "$2::text[]) AS k(kind, object) USING (kind, object)",
	/* the events of alerts raised by a step, in the order given (after
	 * pg_events_lock), each topic notified */
	[PS_ALERT_EVENTS] =
		"WITH e AS (INSERT INTO events(id, at, county, topic, kind, data, subject) "
		"SELECT nextval('events_id_seq'), $1::bigint, u.county, u.topic, $2::text, u.data, "
		"u.subject FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) "
		"WITH ORDINALITY AS u(county, topic, data, subject, n) ORDER BY u.n "
		"RETURNING topic) "
		"SELECT pg_notify('" PG_EVENTS_CHANNEL "', t) FROM (SELECT DISTINCT topic AS t FROM e) d",
	/* an unused region is bound '~', which sorts after every code */
	[PS_ALERTS_LIST] =
		"SELECT " ALERT_COLS " FROM alerts WHERE ("
		"(supervisor >= $1::text AND supervisor < $1::text || ':') OR "
		"(supervisor >= $2::text AND supervisor < $2::text || ':') OR "
		"(supervisor >= $3::text AND supervisor < $3::text || ':') OR "
		"(supervisor >= $4::text AND supervisor < $4::text || ':')) "
		"AND ($5::text = '' OR state = $5::text) AND ($6::text = '' OR kind = $6::text) "
		"AND ($7::bigint = 0 OR id < $7::bigint) ORDER BY id DESC LIMIT $8::bigint",
	[PS_ALERT_ACK] = "UPDATE alerts SET state = 'acknowledged', acknowledged_at = $2::bigint, "
			 "acknowledged_by = $3::bigint WHERE id = $1::bigint AND state = 'open'",
	[PS_ALERT_CLOSE] = "UPDATE alerts SET state = 'closed', closed_at = $2::bigint, "
			   "closed_by = $3::bigint WHERE id = $1::bigint AND state <> 'closed'",
	/* 督办 (pg_supervise.c); the done time of an item: its demand's
	 * last resolution (or its closing), or its alert's closing */
	[PS_SUPERVISION_INSERT] =
		"INSERT INTO supervisions(kind, item_id, region, group_id, note, days, issued_by, "
		"issued_at, deadline) VALUES ($1::text, $2::bigint, $3::text, $4::bigint, $5::text, "
		"$6::int, $7::bigint, $8::bigint, $9::bigint) RETURNING id",
	[PS_SUPERVISION_GET] =
		"SELECT " SUPERVISION_COLS " FROM supervisions s WHERE s.id = $1::bigint",
	[PS_SUPERVISION_ACK] = "UPDATE supervisions SET acknowledged_at = $2::bigint, "
			       "acknowledged_by = $3::bigint WHERE id = $1::bigint AND acknowledged_at = 0",
	[PS_SUPERVISION_NOTICE_ACK] =
		"UPDATE supervisions SET notice_ack_at = $2::bigint, notice_ack_by = $3::bigint "
		"WHERE id = $1::bigint AND state = 'noticed' AND notice_ack_at = 0",
	[PS_SUPERVISION_TIMELINE] =
		"INSERT INTO case_events(case_id, at, actor, action, from_state, to_state, detail) "
		"SELECT id, $2::bigint, $3::bigint, $4::text, state, state, $5::text FROM cases "
		"WHERE id = $1::bigint",
	[PS_SUPERVISIONS_OPEN] =
		"SELECT " SUPERVISION_COLS ", "
		"(CASE s.kind WHEN 'case' THEN coalesce((SELECT coalesce((SELECT max(e.at) FROM "
		"case_events e WHERE e.case_id = c.id AND e.to_state = 'resolved'), c.closed_at) "
		"FROM cases c WHERE c.id = s.item_id AND c.state IN ('resolved', 'followed_up', "
		"'closed')), 0) ELSE coalesce((SELECT a.closed_at FROM alerts a WHERE a.id = s.item_id "
		"AND a.state = 'closed'), 0) END) FROM supervisions s WHERE s.state = 'open' "
		"AND s.id > $2::bigint ORDER BY s.id LIMIT $1::bigint",
	[PS_SUPERVISION_SETTLE] =
		"UPDATE supervisions SET state = $2::text, settled_at = $3::bigint, period = $4::text "
		"WHERE id = $1::bigint AND state = 'open'",
	[PS_SUPERVISION_NOTICES] =
		"SELECT " SUPERVISION_COLS " FROM supervisions s WHERE s.period = $1::text AND "
		"s.state = 'noticed' AND s.region >= $2::text AND s.region < $2::text || ':' "
		"ORDER BY s.id",
	/* the statistics of demands (pg_stats.c): the rollup of migration 0019,
	 * summed per unit; the recompute is that migration's fill */
	/* in key order, so a unit's rows come together without sorting them
	 * by unit; summed per unit in C (store_stats_acc_row) in one pass */
	[PS_STATS_ROLLUP] =
		"SELECT substr(region, 1, $2::int), demands, responded, resolved, rated, "
		"satisfied, first_line, returned, whistled, overdue, times FROM stats_rollup "
		"WHERE region >= $1::text AND region < $1::text || ':' AND day >= $3::bigint AND "
		"day < $4::bigint ORDER BY region, day",
	/* valid interactions: author_id IS NOT NULL (implied by the join on
	 * the resident) states what the partial messages_by_group_at of 0028
	 * needs; the planner also infers it from the join */
	[PS_STATS_TALK] =
		"SELECT substr(g.region_code, 1, $2::int), count(*) FROM messages m JOIN "
		"groups g ON g.id = m.group_id JOIN group_members gm ON gm.group_id = "
		"m.group_id AND gm.user_id = m.author_id AND gm.role = 'resident' WHERE "
		"(g.region_code >= $1::text AND g.region_code < $1::text || ':') AND m.author_id "
		"IS NOT NULL AND m.at >= $3::bigint AND m.at < $4::bigint AND m.state = "
		"'visible' AND EXISTS (SELECT "
		"1 FROM messages r JOIN group_members rm ON rm.group_id = r.group_id AND "
		"rm.user_id = r.author_id AND rm.role IN ('owner', 'admin', 'key_person') "
		"WHERE r.reply_to = m.id AND r.state = 'visible') GROUP BY 1 ORDER BY 1",
	[PS_STATS_FACTS] =
		"SELECT (SELECT min(at) FROM case_events WHERE case_id = $1::bigint AND action = "
		"'acknowledge'), EXISTS (SELECT 1 FROM case_events WHERE case_id = $1::bigint AND "
		"action = 'clock.missed' AND clock = 'ack'), EXISTS (SELECT 1 FROM case_events "
		"WHERE case_id = $1::bigint AND action = 'clock.missed' AND clock = 'resolve')",
	/* a rollup row is created if missing, then read locked: two writers
	 * of one row queue on it */
	[PS_ROLLUP_ENSURE] = "INSERT INTO stats_rollup(region, day) VALUES ($1::text, $2::bigint) "
			     "ON CONFLICT DO NOTHING",
	[PS_ROLLUP_GET] = "SELECT " ROLLUP_COLS " FROM stats_rollup WHERE region = $1::text AND "
			  "day = $2::bigint FOR UPDATE",
	[PS_ROLLUP_PUT] =
		"UPDATE stats_rollup SET demands = $3::bigint, responded = $4::bigint, resolved = "
		"$5::bigint, rated = $6::bigint, satisfied = $7::bigint, first_line = $8::bigint, "
		"returned = $9::bigint, whistled = $10::bigint, overdue = $11::bigint, acknowledged "
		"= $12::bigint, times = $13::text WHERE region = $1::text AND day = $2::bigint",
	[PS_ROLLUP_ALL] = "SELECT " ROLLUP_COLS " FROM stats_rollup",
	[PS_ROLLUP_RECOMPUTE] = ROLLUP_RECOMPUTE,
	/* a rebuild keeps the writers of cases out until it commits */
	[PS_ROLLUP_LOCK] = "LOCK TABLE stats_rollup IN EXCLUSIVE MODE",
	[PS_ROLLUP_CLEAR] = "DELETE FROM stats_rollup",
	[PS_ROLLUP_REBUILD] = "INSERT INTO stats_rollup(" ROLLUP_COLS ") " ROLLUP_RECOMPUTE,
	[PS_EXCH_MEMBER_INSERT] =
		"INSERT INTO exchange_members(code, name, region, api_key_id, created_at) "
		"VALUES ($1::text, $2::text, $3::text, $4::bigint, $5::bigint)",
	[PS_EXCH_KEY_INSERT] =
		"INSERT INTO exchange_member_keys(member, public_key, created_at) VALUES "
		"($1::text, $2::text, $3::bigint) RETURNING id",
	[PS_EXCH_KEY_RETIRE] =
		"UPDATE exchange_member_keys SET retired_at = $2::bigint WHERE member = "
		"$1::text AND retired_at = 0",
	[PS_EXCH_MEMBER_LINK] =
		"UPDATE exchange_members SET api_key_id = $2::bigint WHERE code = $1::text",
	[PS_EXCH_MEMBERS] =
		"SELECT m.code, m.name, m.region, m.api_key_id, m.created_at, k.id, "
		"k.public_key FROM exchange_members m JOIN exchange_member_keys k ON k.member = "
		"m.code AND k.retired_at = 0 WHERE ($1::text = '' OR m.code = $1::text) AND "
		"($2::bigint = 0 OR m.api_key_id = $2::bigint) ORDER BY m.code",
	[PS_EXCH_KEYS] =
		"SELECT id, member, public_key, created_at, retired_at FROM "
		"exchange_member_keys WHERE member = $1::text ORDER BY id",
	[PS_EXCH_DATASET_INSERT] =
		"INSERT INTO exchange_datasets(code, provider, name, sharing, schema, "
		"created_at) VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, "
		"$6::bigint)",
	[PS_EXCH_DATASETS] =
		"SELECT code, provider, name, sharing, schema, created_at FROM "
		"exchange_datasets WHERE ($1::text = '' OR code = $1::text) ORDER BY code",
	[PS_EXCH_BATCH_FIND] =
		"SELECT b.id, b.dataset, b.provider, b.batch_id, b.sha256, b.signature, "
		"b.key_id, b.nrows, b.received_at, b.resent FROM exchange_batches b WHERE "
		"b.provider = $1::text AND b.batch_id = $2::text",
	[PS_EXCH_BATCH_INSERT] =
		"INSERT INTO exchange_batches(dataset, provider, batch_id, sha256, signature, "
		"key_id, nrows, received_at) VALUES ($1::text, $2::text, $3::text, $4::text, "
		"$5::text, $6::bigint, $7::bigint, $8::bigint) RETURNING id",
	[PS_EXCH_BATCH_RESENT] =
		"UPDATE exchange_batches SET resent = resent + 1 WHERE id = $1::bigint",
	[PS_EXCH_ROW_INSERT] =
		"INSERT INTO exchange_rows(batch, line, data) VALUES ($1::bigint, $2::bigint, "
		"$3::text)",
	[PS_EXCH_ROWS] =
		"SELECT b.id, b.dataset, b.provider, b.batch_id, b.sha256, b.signature, "
		"b.key_id, b.nrows, b.received_at, b.resent, r.line, r.data FROM "
		"exchange_batches b JOIN exchange_rows r ON r.batch = b.id WHERE b.id IN "
		"(SELECT id FROM exchange_batches WHERE dataset = $1::text AND id > $2::bigint "
		"ORDER BY id LIMIT $3::int) ORDER BY b.id, r.line",
	[PS_EXCH_BATCHES] =
		"SELECT b.id, b.dataset, b.provider, b.batch_id, b.sha256, b.signature, "
		"b.key_id, b.nrows, b.received_at, b.resent FROM exchange_batches b WHERE "
		"($1::text = '' OR b.dataset = $1::text) AND b.id > $2::bigint ORDER BY b.id "
		"LIMIT $3::int",
	[PS_EXCH_SUB_INSERT] =
		"INSERT INTO exchange_subscriptions(consumer, dataset, fields, endpoint, day, "
		"minute, state, approved_by, created_at, due_at) VALUES ($1::text, $2::text, "
		"$3::text, $4::text, $5::bigint, $6::bigint, $7::text, $8::text, $9::bigint, "
		"$10::bigint) RETURNING id",
	[PS_EXCH_SUB_STATE] =
		"UPDATE exchange_subscriptions SET state = $3::text, approved_by = $4::text, "
		"due_at = $5::bigint WHERE id = $1::bigint AND state = $2::text",
	[PS_EXCH_SUBS] =
		"SELECT id, consumer, dataset, fields, endpoint, day, minute, state, "
		"approved_by, created_at, pushed_upto, failures, due_at FROM "
		"exchange_subscriptions WHERE ($1::bigint = 0 OR id = $1::bigint) AND ($2::text "
		"= '' OR consumer = $2::text) AND ($3::bigint = 0 OR (state = 'active' AND "
		"due_at > 0 AND due_at <= $3::bigint)) ORDER BY id",
	[PS_EXCH_ATTEMPT_INSERT] =
		"INSERT INTO exchange_attempts(subscription, at, status, upto, nrows, sha256, "
		"detail, next_at) VALUES ($1::bigint, $2::bigint, $3::bigint, $4::bigint, "
		"$5::bigint, $6::text, $7::text, $8::bigint)",
	[PS_EXCH_SUB_PUSHED] =
		"UPDATE exchange_subscriptions SET pushed_upto = CASE WHEN $2::int = 1 THEN "
		"$3::bigint ELSE pushed_upto END, failures = CASE WHEN $2::int = 1 THEN 0 ELSE "
		"failures + 1 END, due_at = $4::bigint WHERE id = $1::bigint",
	[PS_EXCH_ATTEMPTS] =
		"SELECT id, subscription, at, status, upto, nrows, sha256, detail, next_at FROM "
		"exchange_attempts WHERE subscription = $1::bigint ORDER BY id",
	[PS_BUNDLE_INSERT] =
		"INSERT INTO bundles(event, name, person_key, person_name, phone, region, started_at, "
		"started_by) VALUES ($1, $2, $3, $4, $5, $6, $7::bigint, $8) RETURNING id",
	[PS_BUNDLE_SERVICE_INSERT] =
		"INSERT INTO bundle_services(bundle, seq, code, name, kind, unit, programme, days, "
		"due_at, state) VALUES ($1::bigint, $2::int, $3, $4, $5, $6, $7, $8::int, $9::bigint, "
		"$10)",
	[PS_BUNDLE_GET] = "SELECT " BUNDLE_COLS " FROM bundles b" BUNDLE_JOIN
			  " WHERE b.id = $1::bigint ORDER BY s.seq",
	[PS_BUNDLES_LIST] =
		"SELECT " BUNDLE_COLS " FROM (SELECT * FROM bundles WHERE region >= $1::text AND "
		"region < $1::text || ':' AND ($2::text = '' OR event = $2::text) AND ($3::bigint = 0 "
		"OR id < $3::bigint) ORDER BY id DESC LIMIT $4::int) b" BUNDLE_JOIN
		" ORDER BY b.id DESC, s.seq",
	[PS_BUNDLE_MARK] =
		"UPDATE bundle_services SET state = $3, note = $4, marked_at = $5::bigint, marked_by = "
		"$6 WHERE bundle = $1::bigint AND code = $2 AND kind = 'task' AND state = 'todo'",
	[PS_ENT_RUN_INSERT] =
		"INSERT INTO entitlement_runs(programme, at_day, started_at, finished_at, persons, "
		"granted_new, revoked, unknown, held, actor, out_of_region, data_seq) VALUES ($1::text, "
		"$2::bigint, $3::bigint, $4::bigint, $5::bigint, $6::bigint, $7::bigint, $8::bigint, "
		"$9::bigint, $10::text, $11::bigint, $12::bigint) RETURNING id",
	[PS_ENT_RUN_DATA_SEQ] =
		"SELECT COALESCE(MAX(data_seq), 0) FROM entitlement_runs WHERE programme = $1::text",
	[PS_ENT_INSERT] =
		"INSERT INTO entitlements(programme, policy, benefit, person_key, person_name, phone, "
		"region, period, amount, state, version, notice_until, consent_until, effective_from, "
		"effective_to, reason, explanation, appeal_case, run, created_at, updated_at) VALUES "
		"($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::bigint, "
		"$9::bigint, $10::text, 1, $11::bigint, $12::bigint, $13::bigint, $14::bigint, "
		"$15::text, $16::text, $17::bigint, $18::bigint, $19::bigint, $19::bigint) RETURNING id",
	[PS_ENT_UPDATE] =
		"UPDATE entitlements SET state = $3::text, version = version + 1, amount = $4::bigint, "
		"notice_until = $5::bigint, consent_until = $6::bigint, effective_to = $7::bigint, "
		"reason = $8::text, explanation = $9::text, appeal_case = $10::bigint, run = "
		"$11::bigint, updated_at = $12::bigint WHERE id = $1::bigint AND version = $2::bigint",
	[PS_ENT_EVENT_INSERT] =
		"INSERT INTO entitlement_events(entitlement, kind, from_state, to_state, at, actor, "
		"detail) VALUES ($1::bigint, $2::text, $3::text, $4::text, $5::bigint, $6::text, "
		"$7::text)",
	[PS_ENT_LIST] =
		"SELECT " ENT_COLS " FROM entitlements e WHERE ($1::bigint = 0 OR e.id = $1::bigint) "
		"AND ($2::text = '' OR e.programme = $2::text) AND ($3::text = '' OR e.state = "
		"$3::text) AND e.region >= $4::text AND e.region < $4::text || ':' AND ($5::bigint = "
		"0 OR e.period = $5::bigint) AND ($6::bigint = 0 OR (e.notice_until > 0 AND "
		"e.notice_until <= $6::bigint)) AND ($7::bigint = 0 OR EXISTS (SELECT 1 FROM "
		"entitlement_events v WHERE v.entitlement = e.id AND v.kind = 'granted')) AND e.id > "
		"$8::bigint ORDER BY e.id LIMIT $9::bigint",
	[PS_ENT_EVENTS] =
		"SELECT id, entitlement, kind, from_state, to_state, at, actor, detail FROM "
		"entitlement_events WHERE entitlement = $1::bigint ORDER BY id",
	/* the dispatcher of entitlement events (pg_outbox.c, migration 0022) */
	[PS_DISPATCH_CURSOR] = "SELECT last_event FROM entitle_dispatch WHERE id = 1",
	[PS_DISPATCH_EVENTS] =
		"SELECT e.id, e.entitlement, e.kind, e.from_state, e.to_state, e.at, e.actor, e.detail, "
		"x.programme, x.person_name, x.phone, x.region, x.period, x.amount, x.state, "
		"x.consent_until, x.effective_from, x.effective_to, x.reason, x.person_key, x.policy "
		"FROM entitlement_events e JOIN entitlements x ON x.id = e.entitlement "
		"WHERE e.id > $1::bigint ORDER BY e.id LIMIT $2::bigint",
	[PS_DISPATCH_MOVE] = "UPDATE entitle_dispatch SET last_event = greatest(last_event, "
			     "$1::bigint) WHERE id = 1",
	[PS_OUTBOX_INSERT] =
		"INSERT INTO outbox(event, entitlement, programme, kind, region, phone, text, state, "
		"next_at, created_at, text_masked) VALUES ($1::bigint, $2::bigint, $3::text, $4::text, "
		"$5::text, $6::text, $7::text, $8::text, $9::bigint, $10::bigint, $11::text) "
		"ON CONFLICT (event) DO NOTHING",
	[PS_DELIVERY_OF] = "SELECT case_id FROM deliveries WHERE entitlement = $1::bigint",
	[PS_DELIVERY_LINK] = "INSERT INTO deliveries(case_id, entitlement, programme) "
			     "VALUES ($1::bigint, $2::bigint, $3::text)",
	/* claimed: next_at moved to $3 in the statement that picks them; rows
	 * another sender is claiming are passed over */
	[PS_OUTBOX_DUE] = "WITH c AS (UPDATE outbox SET next_at = $3::bigint WHERE id IN ("
			  "SELECT id FROM outbox WHERE state = 'pending' AND next_at <= $1::bigint "
			  "ORDER BY next_at, id LIMIT $2::bigint FOR UPDATE SKIP LOCKED) "
			  "RETURNING " OUTBOX_COLS ") SELECT * FROM c ORDER BY id",
	[PS_OUTBOX_MARK] = "UPDATE outbox SET state = $2::text, attempts = $3::int, "
			   "next_at = $4::bigint, status = $5::int, detail = $6::text, "
			   "sent_at = $7::bigint WHERE id = $1::bigint AND state = 'pending'",
	[PS_OUTBOX_LIST] =
		"SELECT " OUTBOX_COLS " FROM outbox c WHERE (" CASE_WITHIN("1") " OR "
		CASE_WITHIN("2") " OR " CASE_WITHIN("3") " OR " CASE_WITHIN("4") ") "
		"AND ($5::text = '' OR c.state = $5::text) AND c.id < $6::bigint "
		"ORDER BY c.id DESC LIMIT $7::bigint",
	[PS_OUTBOX_GET] = "SELECT " OUTBOX_COLS " FROM outbox WHERE id = $1::bigint",
};
