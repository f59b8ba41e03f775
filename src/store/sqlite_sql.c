/*
 * sqlite_sql.c - every SQL statement of the SQLite backend, indexed by
 * enum stmt_id (sqlite_int.h). Parameters are always bound (?N); no SQL is
 * ever built from input.
 */
#include "store/sqlite_int.h"

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
/* r repeated SQ_ROWS_MANY times, comma-separated: the rows of the *_MANY
 * inserts */
#define ROWS_2(r) r ", " r
#define ROWS_8(r) ROWS_2(ROWS_2(ROWS_2(r)))
#define ROWS_MANY(r) ROWS_2(ROWS_2(ROWS_8(r)))
_Static_assert(SQ_ROWS_MANY == 32, "ROWS_MANY writes SQ_ROWS_MANY rows");
#define JOB_RUN_COLS                                                                           \
	"id, name, slot, node, started_at, coalesce(finished_at, 0), outcome, detail"
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
	"AS day, EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.action = "     \
	"'acknowledge') AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id "    \
	"AND e.action = 'clock.missed' AND e.clock = 'ack') AND NOT EXISTS (SELECT 1 FROM "     \
	"case_clocks k WHERE k.case_id = c.id AND k.name = 'ack' AND k.status = 'missed') AS "  \
	"responded, c.state IN ('resolved', 'followed_up', 'closed') AS resolved, c.rating <> " \
	"'' AS rated, c.rating IN ('satisfied', 'fair') AS satisfied, c.state IN ('resolved', " \
	"'followed_up', 'closed') AND c.escalations = 0 AS first_line, c.returns > 0 AS "       \
	"returned, c.whistles > 0 AS whistled, EXISTS (SELECT 1 FROM case_clocks k WHERE "      \
	"k.case_id = c.id AND k.name IN ('ack', 'resolve') AND k.status = 'missed') OR EXISTS " \
	"(SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.action = 'clock.missed' "   \
	"AND e.clock IN ('ack', 'resolve')) AS overdue, (SELECT min(e.at) FROM case_events e "  \
	"WHERE e.case_id = c.id AND e.action = 'acknowledge') - c.created_at AS t FROM cases c " \
	"WHERE c.type = 'demand' AND c.state <> 'merged'), b AS (SELECT region, day, CASE WHEN " \
	"t < 3600 THEN max(t, 0) WHEN t < 86400 THEN t - t % 60 WHEN t < 31536000 THEN t - t "  \
	"% 3600 ELSE 31536000 END AS s, count(*) AS n FROM d WHERE t IS NOT NULL GROUP BY 1, "  \
	"2, 3 ORDER BY 1, 2, 3), h AS (SELECT region, day, group_concat(s || ':' || n, ',') AS " \
	"times FROM b GROUP BY 1, 2) SELECT a.region, a.day, a.demands, a.responded, "         \
	"a.resolved, a.rated, a.satisfied, a.first_line, a.returned, a.whistled, a.overdue, "   \
	"a.acknowledged, coalesce(h.times, '') FROM (SELECT region, day, count(*) AS demands, " \
	"sum(responded) AS responded, sum(resolved) AS resolved, sum(rated) AS rated, "         \
	"sum(satisfied) AS satisfied, sum(first_line) AS first_line, sum(returned) AS "         \
	"returned, sum(whistled) AS whistled, sum(overdue) AS overdue, count(t) AS "            \
	"acknowledged FROM d GROUP BY 1, 2) a LEFT JOIN h ON h.region = a.region AND h.day = "  \
	"a.day"
/* a case and its clocks: a case without clocks has one row with k.name NULL */
#define CASE_COLS                                                                              \
	"c.id, c.type, c.version, c.state, c.level, c.region, c.county, c.group_id, c.category, " \
	"c.urgency, c.title, c.description, c.address, c.lat, c.lon, c.located, "                \
	"c.contact_name, c.contact_phone, c.resident_id, c.source, c.source_message_id, "         \
	"c.assignee_user, c.assignee_group, c.unit, c.first_receiver, c.returns, c.whistles, "    \
	"c.transfers, c.reopens, c.escalations, c.merged_into, c.rating, c.created_at, "          \
	"c.updated_at, c.closed_at, c.next_check, k.name, k.status, k.started, k.used, "          \
	"k.warn_at, k.due, k.warned, k.stopped"
/* c.region within region ?N ('~' sorts after every code: it matches none;
 * '' sorts before every code and ':' after: it matches all) */
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
/* a message of the outbox (migration 0022), as struct outbox_row reads it */
#define OUTBOX_COLS "id, event, entitlement, programme, kind, region, phone, text, state, attempts, next_at, " \
	"status, detail, created_at, sent_at, text_masked"
#define CASE_WITHIN(n) "(c.region >= ?" n " AND c.region < ?" n " || ':')"
#define WITHIN_R1 "(?1 = '' OR (r.code >= ?1 AND r.code < ?1 || ':'))"
#define WITHIN "(?2 = '' OR (r.code >= ?2 AND r.code < ?2 || ':'))"

/* an entitlement (migration 0021), as struct entitlement reads it */
#define ENT_COLS                                                                               \
	"e.id, e.programme, e.policy, e.benefit, e.person_key, e.person_name, e.phone, e.region, " \
	"e.period, e.amount, e.state, e.version, e.notice_until, e.consent_until, "             \
	"e.effective_from, e.effective_to, e.reason, e.explanation, e.appeal_case, e.run, "    \
	"e.created_at, e.updated_at"

const char *const sq_stmt_sql[STMT__MAX] = {
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_BEGIN_DEFERRED] = "BEGIN",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
	[STMT_SAVEPOINT] = "SAVEPOINT job",
	[STMT_RELEASE] = "RELEASE job",
	[STMT_ROLLBACK_TO] = "ROLLBACK TO job",
	[STMT_SCHEMA_VERSION] = "SELECT coalesce(max(version), 0), count(*) FROM schema_migrations",
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
	[STMT_SESSION_GET] = "SELECT " USER_COLS ", s.user_id, s.expires_at, "
			     "coalesce(s.revoked_at, 0) FROM sessions s "
			     "LEFT JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1",
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
	[STMT_EVENT_INSERT] = "INSERT INTO events(at, county, topic, kind, data, subject) "
			      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[STMT_EVENT_INSERT_MANY] = "INSERT OR FAIL INTO events(at, county, topic, kind, data, subject) "
				   "VALUES " ROWS_MANY("(?, ?, ?, ?, ?, ?)"),
	[STMT_EVENTS_REWRITE] = "UPDATE events SET data = ?2 WHERE subject = ?1",
	[STMT_EVENTS_AFTER] = "SELECT " EVENT_COLS " FROM events WHERE topic = ?1 AND id > ?2 "
			      "ORDER BY id LIMIT ?3",
	[STMT_EVENTS_HEAD] = "SELECT coalesce(max(id), 0) FROM events",
	/* the events older than ?1 that come before the first one stamped
	 * between ?1 and now ?2 (all older than ?1 when none is): ids grow
	 * with time, so no index on at (sql/sqlite/0024). One stamped after
	 * now (the clock was set forward) neither stops the prune nor goes;
	 * one older than ?1 after that first one (the clock set back) stays. */
	[STMT_EVENTS_PRUNE] = "DELETE FROM events WHERE at < ?1 AND id < coalesce((SELECT min(id) "
			      "FROM events WHERE at >= ?1 AND at <= ?2), "
			      "(SELECT max(id) + 1 FROM events))",
	[STMT_JOB_ENSURE] = "INSERT INTO jobs(name, last_slot) VALUES (?1, -1) "
			    "ON CONFLICT(name) DO NOTHING",
	[STMT_JOB_CLAIM] = "UPDATE jobs SET last_slot = ?2 WHERE name = ?1 AND last_slot < ?2",
	[STMT_JOB_RUN_INSERT] = "INSERT INTO job_runs(name, slot, node, started_at, outcome) "
				"VALUES (?1, ?2, ?3, ?4, 'running')",
	[STMT_JOB_RUN_FINISH] = "UPDATE job_runs SET finished_at = ?2, outcome = ?3, detail = ?4 "
				"WHERE id = ?1",
	[STMT_JOB_RUNS] = "SELECT " JOB_RUN_COLS " FROM job_runs WHERE (?1 = '' OR name = ?1) "
			  "ORDER BY id DESC LIMIT ?2",
	[STMT_SESSIONS_PURGE] = "DELETE FROM sessions WHERE expires_at < ?1 OR revoked_at < ?1",
	[STMT_LOGIN_FAILURES_PURGE] = "DELETE FROM login_failures WHERE at < ?1",
	[STMT_GROUPS_SYNC] =
		"INSERT INTO groups(kind, region_code, name, join_code, created_at) "
		"SELECT CASE r.level WHEN 2 THEN 'county' WHEN 3 THEN 'town' ELSE 'village' END, "
		"r.code, r.name, lower(hex(randomblob(16))), ?2 FROM regions r "
		"WHERE r.level >= 2 AND " WITHIN_R1 " AND NOT EXISTS (SELECT 1 FROM groups g "
		"WHERE g.region_code = r.code AND g.kind <> 'adhoc') ORDER BY r.code",
	[STMT_GROUPS_SYNC_COUNT] = "SELECT count(*) FROM regions r WHERE r.level >= 2 AND " WITHIN_R1,
	[STMT_GROUP_INSERT] = "INSERT INTO groups(kind, region_code, name, join_code, approval, "
			      "duty_start, duty_end, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[STMT_GROUP_GET] = "SELECT " GROUP_COLS " FROM groups g WHERE g.id = ?1",
	[STMT_GROUP_HEAD] = "SELECT " GROUP_HEAD_COLS " FROM groups g WHERE g.id = ?1",
	[STMT_GROUP_BY_CODE] = "SELECT " GROUP_COLS " FROM groups g WHERE g.join_code = ?1",
	[STMT_GROUP_UPDATE] = "UPDATE groups SET name = ?2, approval = ?3, duty_start = ?4, "
			      "duty_end = ?5, join_code = ?6 WHERE id = ?1",
	[STMT_GROUP_LIST] = "SELECT " GROUP_COLS " FROM groups g "
			    "WHERE (?1 = '' OR (g.region_code >= ?1 AND g.region_code < ?1 || ':')) "
			    "AND (?2 = '' OR g.kind = ?2) AND g.id > ?3 ORDER BY g.id LIMIT ?4",
	[STMT_MEMBER_PUT] = "INSERT INTO group_members(group_id, user_id, role, function, state, "
			    "joined_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
			    "ON CONFLICT(group_id, user_id) DO UPDATE SET role = excluded.role, "
			    "function = excluded.function, state = excluded.state",
	[STMT_MEMBER_GET] = "SELECT " MEMBER_COLS " FROM group_members m JOIN users u "
			    "ON u.id = m.user_id WHERE m.group_id = ?1 AND m.user_id = ?2",
	[STMT_GROUP_MEMBERS] = "SELECT " MEMBER_COLS " FROM group_members m JOIN users u "
			       "ON u.id = m.user_id WHERE m.group_id = ?1 AND (?2 = '' OR m.state = ?2) "
			       "AND m.user_id > ?3 ORDER BY m.user_id LIMIT ?4",
	[STMT_MEMBER_GROUPS] = "SELECT " MEMBER_COLS " FROM group_members m JOIN users u "
			       "ON u.id = m.user_id WHERE m.user_id = ?1 ORDER BY m.group_id",
	[STMT_USER_ID_BY_PHONE] = "SELECT id FROM users WHERE phone = ?1",
	/* a roster's lines, set-based (sqlite_groups.c): JSON arrays of
	 * store_roster_phones_json and store_roster_new_json, key the index.
	 * The new rows' ids are given, not left to SQLite: the largest ids
	 * (STMT_ROSTER_IDS, read by the writer in its transaction) plus 1 +
	 * key, so that the user of line key names the household of that line.
	 * Its own savepoint, as it runs inside a job's */
	[STMT_ROSTER_PHONES] = "SELECT j.key, u.id FROM json_each(?1) j JOIN users u ON u.phone = j.value",
	[STMT_ROSTER_SAVEPOINT] = "SAVEPOINT roster",
	[STMT_ROSTER_ROLLBACK_TO] = "ROLLBACK TO roster",
	[STMT_ROSTER_RELEASE] = "RELEASE roster",
	[STMT_ROSTER_IDS] = "SELECT (SELECT coalesce(max(id), 0) FROM households), "
			    "(SELECT coalesce(max(id), 0) FROM users)",
	[STMT_ROSTER_HOUSEHOLDS] = "INSERT INTO households(id, region_code, address, created_at) "
				   "SELECT ?1 + 1 + key, ?2, json_extract(value, '$[3]'), ?3 "
				   "FROM json_each(?4)",
	[STMT_ROSTER_USERS] = "INSERT INTO users(id, name, phone, id_number, region_code, "
			      "household_id, created_at) SELECT ?1 + 1 + key, "
			      "json_extract(value, '$[0]'), json_extract(value, '$[1]'), "
			      "nullif(json_extract(value, '$[2]'), ''), ?3, ?2 + 1 + key, ?4 "
			      "FROM json_each(?5)",
	[STMT_ROSTER_MEMBERS] = "INSERT INTO group_members(group_id, user_id, role, function, state, "
				"joined_at) SELECT ?1, id, 'resident', '', 'active', ?2 FROM users "
				"WHERE id > ?3",
	[STMT_DUTY_ROTA_CLEAR] = "DELETE FROM duty_rota WHERE group_id = ?1",
	[STMT_DUTY_ROTA_INSERT] = "INSERT INTO duty_rota(group_id, weekday, user_id) VALUES (?1, ?2, ?3)",
	[STMT_DUTY_ROTA_GET] = "SELECT weekday, user_id FROM duty_rota WHERE group_id = ?1",
	[STMT_DUTY_OVERRIDE_PUT] = "INSERT INTO duty_overrides(group_id, day, user_id, reason) "
				   "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(group_id, day) DO UPDATE "
				   "SET user_id = excluded.user_id, reason = excluded.reason",
	[STMT_DUTY_OVERRIDE_DELETE] = "DELETE FROM duty_overrides WHERE group_id = ?1 AND day = ?2",
	[STMT_DUTY_OVERRIDES] = "SELECT day, user_id, reason FROM duty_overrides WHERE group_id = ?1 "
				"AND day BETWEEN ?2 AND ?3 ORDER BY day LIMIT 64",
	[STMT_DUTY_LEAVE_INSERT] = "INSERT INTO duty_leave(group_id, user_id, first_day, last_day, "
				   "reason) VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_DUTY_LEAVE_DELETE] = "DELETE FROM duty_leave WHERE group_id = ?1 AND id = ?2",
	[STMT_DUTY_LEAVES] = "SELECT id, user_id, first_day, last_day, reason FROM duty_leave "
			     "WHERE group_id = ?1 AND last_day >= ?2 AND first_day <= ?3 "
			     "ORDER BY first_day, id LIMIT 64",
	[STMT_MESSAGE_INSERT] =
		"INSERT INTO messages(group_id, county, author_id, author_name, kind, body, reply_to, "
		"mentions, attachment, broadcast_id, source, at) VALUES (?1, ?2, nullif(?3, 0), "
		"?4, ?5, ?6, nullif(?7, 0), ?8, ?9, nullif(?10, 0), ?11, ?12)",
	[STMT_MESSAGE_GET] = "SELECT " MESSAGE_COLS " FROM messages m WHERE m.id = ?1",
	[STMT_MESSAGES_AFTER] = "SELECT " MESSAGE_COLS " FROM messages m WHERE m.group_id = ?1 "
				"AND m.id > ?2 ORDER BY m.id LIMIT ?3",
	[STMT_MESSAGES_BEFORE] = "SELECT " MESSAGE_COLS " FROM messages m WHERE m.group_id = ?1 "
				 "AND m.id < ?2 ORDER BY m.id DESC LIMIT ?3",
	[STMT_MESSAGE_SET_STATE] = "UPDATE messages SET state = ?2, state_reason = ?3 WHERE id = ?1",
	/* ?1 is the match expression of sqlite_messages.c search_read(): the scope is in it */
	[STMT_MESSAGES_SEARCH] =
		"SELECT " MESSAGE_COLS " FROM search.messages_fts f JOIN messages m ON m.id = f.rowid "
		"WHERE f.messages_fts MATCH ?1 AND m.state = 'visible' ORDER BY f.rowid DESC LIMIT ?2",
	[STMT_MEMBER_ACTIVE_GROUPS] = "SELECT group_id FROM group_members WHERE user_id = ?1 "
				      "AND state = 'active' ORDER BY group_id",
	/* no change: the key was seen before */
	[STMT_INGEST_KEY_INSERT] = "INSERT INTO ingest_keys(key, at) VALUES (?1, ?2) "
				   "ON CONFLICT(key) DO NOTHING",
	/* the queue of bulk ingest (0029) */
	[STMT_INGEST_CALL_INSERT] = "INSERT INTO ingest_calls(at, messages, body) VALUES (?1, ?2, ?3)",
	[STMT_INGEST_CALLS_PENDING] = "SELECT id, at, messages, body FROM ingest_calls "
				      "WHERE error IS NULL ORDER BY id",
	[STMT_INGEST_BACKLOG] =
		"SELECT coalesce(sum(messages) FILTER (WHERE error IS NULL), 0), "
		"coalesce(min(at) FILTER (WHERE error IS NULL), 0), "
		"count(*) FILTER (WHERE error IS NOT NULL) FROM ingest_calls",
	[STMT_INGEST_CALL_DELETE] = "DELETE FROM ingest_calls WHERE id = ?1 AND error IS NULL",
	[STMT_INGEST_CALL_FAIL] = "UPDATE ingest_calls SET error = ?2 WHERE id = ?1 AND error IS NULL",
	[STMT_BROADCAST_INSERT] = "INSERT INTO broadcasts(group_id, author_id, body, at) "
				  "VALUES (?1, ?2, ?3, ?4)",
	[STMT_BROADCAST_TARGETS] = "SELECT id, county FROM groups WHERE kind <> 'adhoc' "
				   "AND region_code >= ?1 AND region_code < ?1 || ':' ORDER BY id",
	[STMT_DELIVERY_INSERT] = "INSERT INTO broadcast_deliveries(broadcast_id, group_id, message_id) "
				 "VALUES (?1, ?2, ?3)",
	[STMT_DELIVERIES] = "SELECT d.group_id, g.name, d.message_id, b.group_id "
			    "FROM broadcast_deliveries d JOIN groups g ON g.id = d.group_id "
			    "JOIN broadcasts b ON b.id = d.broadcast_id WHERE d.broadcast_id = ?1 "
			    "ORDER BY d.group_id",
	[STMT_ATTACHMENT_INSERT] = "INSERT INTO attachments(sha256, group_id, mime, size, uploader, at) "
				   "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(sha256, group_id) DO NOTHING",
	[STMT_INDEX_VERSION] = "PRAGMA search.user_version",
	[STMT_INDEX_UPTO] = "SELECT upto FROM search.index_state",
	[STMT_MESSAGES_NEWEST] = "SELECT coalesce(max(id), 0) FROM messages",
	[STMT_INDEX_LAST_OF_BATCH] =
		"SELECT max(id) FROM (SELECT id FROM messages WHERE id > ?1 ORDER BY id LIMIT ?2)",
	/* the scope of a message: its group, and each prefix of its group's
	 * region code that names a level of the division tree (2, 4, 6, 9 and
	 * 12 digits), as the terms sq_fts_scoped_match() asks for */
	[STMT_INDEX_MESSAGES] =
		"INSERT INTO search.messages_fts(rowid, body, scope) "
		"SELECT m.id, m.body, 'g' || m.group_id || ' r' || substr(g.region_code, 1, 2)"
		" || iif(length(g.region_code) >= 4, ' r' || substr(g.region_code, 1, 4), '')"
		" || iif(length(g.region_code) >= 6, ' r' || substr(g.region_code, 1, 6), '')"
		" || iif(length(g.region_code) >= 9, ' r' || substr(g.region_code, 1, 9), '')"
		" || iif(length(g.region_code) >= 12, ' r' || substr(g.region_code, 1, 12), '')"
		" FROM messages m JOIN groups g ON g.id = m.group_id WHERE m.id > ?1 AND m.id <= ?2",
	[STMT_INDEX_SET_UPTO] = "UPDATE search.index_state SET upto = ?1",
	/* FTS5's incremental merge: at most 500 pages of work */
	[STMT_INDEX_MERGE] = "INSERT INTO search.messages_fts(messages_fts, rank) VALUES ('merge', 500)",
	[STMT_ATTACHMENT_GET] = "SELECT sha256, group_id, mime, size, uploader, at FROM attachments "
				"WHERE sha256 = ?1 AND group_id = ?2",
	[STMT_ATTACHMENT_SHOWN] = "SELECT 1 FROM messages WHERE group_id = ?2 AND attachment = ?1 "
				  "AND state = 'visible' LIMIT 1",
	[STMT_CALENDAR_PUT] = "INSERT INTO calendar_days(day, kind, name, imported_at, imported_by) "
			      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(day) DO UPDATE SET "
			      "kind = excluded.kind, name = excluded.name, "
			      "imported_at = excluded.imported_at, imported_by = excluded.imported_by",
	[STMT_CALENDAR_LIST] = "SELECT day, kind, name, imported_at, imported_by FROM calendar_days "
			       "WHERE day BETWEEN ?1 AND ?2 ORDER BY day",
	/* ?1..?34 are the case's fields in the order of sqlite_cases.c's
	 * bind_case(), for both the insert and the update */
	[STMT_CASE_INSERT] =
		"INSERT INTO cases(type, version, state, level, region, group_id, category, urgency, "
		"title, description, address, lat, lon, located, contact_name, contact_phone, "
		"resident_id, source, source_message_id, assignee_user, assignee_group, unit, "
		"first_receiver, returns, whistles, transfers, reopens, escalations, merged_into, "
		"rating, created_at, updated_at, closed_at, next_check) VALUES (?1, ?2, ?3, ?4, ?5, "
		"?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, "
		"?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34) RETURNING id, county",
	/* optimistic: only the version the change was computed from is replaced */
	[STMT_CASE_UPDATE] =
		"UPDATE cases SET type = ?1, version = ?2, state = ?3, level = ?4, region = ?5, "
		"group_id = ?6, category = ?7, urgency = ?8, title = ?9, description = ?10, "
		"address = ?11, lat = ?12, lon = ?13, located = ?14, contact_name = ?15, "
		"contact_phone = ?16, resident_id = ?17, source = ?18, source_message_id = ?19, "
		"assignee_user = ?20, assignee_group = ?21, unit = ?22, first_receiver = ?23, "
		"returns = ?24, whistles = ?25, transfers = ?26, reopens = ?27, escalations = ?28, "
		"merged_into = ?29, rating = ?30, created_at = ?31, updated_at = ?32, "
		"closed_at = ?33, next_check = ?34 WHERE id = ?35 AND version = ?2 - 1",
	[STMT_CASE_VERSION] = "SELECT version FROM cases WHERE id = ?1",
	[STMT_CASE_GET] = "SELECT " CASE_COLS " FROM cases c LEFT JOIN case_clocks k "
			  "ON k.case_id = c.id WHERE c.id = ?1 ORDER BY k.name",
	[STMT_CASE_CLOCKS_CLEAR] = "DELETE FROM case_clocks WHERE case_id = ?1",
	[STMT_CASE_CLOCK_INSERT] = "INSERT INTO case_clocks(case_id, name, status, started, used, "
				   "warn_at, due, warned, stopped) "
				   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[STMT_CASE_EVENT_INSERT] = "INSERT INTO case_events(case_id, at, actor, action, from_state, "
				   "to_state, clock, level, detail) "
				   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[STMT_CASE_EVENTS] = "SELECT id, case_id, at, actor, action, from_state, to_state, clock, "
			     "level, detail FROM case_events WHERE case_id = ?1 ORDER BY id",
	/* the partial index cases_due holds exactly the rows next_check > 0 */
	[STMT_CASES_DUE] = "SELECT id FROM cases WHERE next_check > 0 AND next_check <= ?1 "
			   "ORDER BY next_check, id LIMIT ?2",
	/* ?2..?5 the scope's regions, ?6 its resident (0: none); ?7 the state
	 * ('' any, 'open' not closed or merged), ?8 the category ('' any), ?9
	 * a region the cases are within too ('' all) */
	[STMT_CASES_LIST] =
		"SELECT " CASE_COLS " FROM (SELECT c.* FROM cases c WHERE c.type = ?1 AND ("
		CASE_WITHIN("2") " OR " CASE_WITHIN("3") " OR " CASE_WITHIN("4") " OR "
		CASE_WITHIN("5") " OR (?6 <> 0 AND c.resident_id = ?6)) AND (?7 = '' OR "
		"c.state = ?7 OR (?7 = 'open' AND c.state NOT IN ('closed', 'merged')) OR "
		"(?7 = 'ended' AND c.state IN ('closed', 'merged'))) "
		"AND (?8 = '' OR c.category = ?8) AND " CASE_WITHIN("9") " AND c.created_at >= ?10 "
		"AND (?13 = 0 OR c.created_at < ?13) "
		"AND c.id < ?11 ORDER BY c.id DESC LIMIT ?12) c LEFT JOIN case_clocks k "
		"ON k.case_id = c.id ORDER BY c.id DESC, k.name",
	/* lines of cases of type ?3 within region ?4 at in [?1, ?2): CROSS JOIN
	 * keeps the lines outside, walked by time on case_events_by_time */
	[STMT_CASE_EVENTS_BETWEEN] =
		"SELECT e.id, e.case_id, e.at, e.actor, e.action, e.from_state, e.to_state, "
		"e.clock, e.level, e.detail FROM case_events e CROSS JOIN cases c "
		"ON c.id = e.case_id WHERE e.at >= ?1 AND e.at < ?2 AND c.type = ?3 AND "
		CASE_WITHIN("4") " ORDER BY e.at, e.id LIMIT ?5",
	/* what hangs off a case (sqlite_case_photos.c) */
	[STMT_CASE_STANDING] = "SELECT state, level FROM cases WHERE id = ?1",
	[STMT_CASE_PHOTO_GET] = "SELECT case_id, sha256, mime, size, added_by, added_at "
				"FROM case_photos WHERE case_id = ?1 AND sha256 = ?2",
	[STMT_CASE_PHOTO_COUNT] = "SELECT count(*) FROM case_photos WHERE case_id = ?1",
	[STMT_CASE_PHOTO_INSERT] = "INSERT INTO case_photos(case_id, sha256, mime, size, added_by, "
				   "added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[STMT_CASE_PHOTOS] = "SELECT case_id, sha256, mime, size, added_by, added_at "
			     "FROM case_photos WHERE case_id = ?1 ORDER BY id",
	/* the partial index cases_by_source_message holds the rows ?1 can match */
	[STMT_CASE_OF_MESSAGE] = "SELECT id FROM cases WHERE source_message_id = ?1 "
				 "AND source_message_id > 0",
	/* what a county configures for its cases (sqlite_case_settings.c) */
	[STMT_CASE_SETTINGS_VERSION] = "SELECT version FROM case_settings_versions WHERE county = ?1",
	[STMT_CASE_SETTINGS_BUMP] = "INSERT INTO case_settings_versions(county, version) "
				    "VALUES (?1, 1) ON CONFLICT(county) DO UPDATE SET "
				    "version = version + 1",
	[STMT_CASE_SETTINGS_LIST] = "SELECT name, value, set_by, set_at FROM case_settings "
				    "WHERE county = ?1 ORDER BY name",
	[STMT_CASE_SETTING_PUT] = "INSERT INTO case_settings(county, name, value, set_by, set_at) "
				  "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(county, name) DO UPDATE "
				  "SET value = excluded.value, set_by = excluded.set_by, "
				  "set_at = excluded.set_at",
	[STMT_CASE_CATEGORIES_LIST] = "SELECT code, parent, name, urgency, sort, active "
				      "FROM case_categories WHERE county = ?1 ORDER BY sort, code",
	[STMT_CASE_CATEGORIES_CLEAR] = "DELETE FROM case_categories WHERE county = ?1",
	[STMT_CASE_CATEGORY_INSERT] = "INSERT INTO case_categories(county, code, parent, name, "
				      "urgency, sort, active) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	/* after the new tree is in: a category that cases still open in the
	 * county have and the tree lacks (the index cases_by_county) */
	[STMT_CASE_CATEGORY_IN_USE] =
		"SELECT c.category, count(*) FROM cases c WHERE c.county = ?1 "
		"AND c.type = 'demand' AND c.state NOT IN ('closed', 'merged') AND NOT EXISTS (SELECT 1 FROM "
		"case_categories k WHERE k.county = ?1 AND k.code = c.category) "
		"GROUP BY c.category ORDER BY c.category LIMIT 1",

	/* the smart patrol (sqlite_patrol.c): every read starts after a
	 * watermark or at a due time, on a key or an index */
	[STMT_PATROL_MARK_GET] = "SELECT mark FROM patrol_marks WHERE kind = ?1",
	[STMT_PATROL_MARK_PUT] = "INSERT INTO patrol_marks(kind, mark) VALUES (?1, ?2) "
				 "ON CONFLICT(kind) DO UPDATE SET mark = excluded.mark",
	/* the inbox holds its messages' copies (migration 0025): no page of
	 * messages read at random per row; an author outside bianmin (0) is
	 * nobody's member, and the NULL key skips the lookup of a random page of
	 * group_members (all of a synced day's flagged messages are WeChat's) */
	[STMT_PATROL_MESSAGES] =
		"SELECT i.message_id, i.group_id, i.author_id, i.author_name, i.kind, i.reply_to, "
		"i.at, i.body, coalesce(gm.role, ''), g.kind, g.region_code, g.duty_start, "
		"g.duty_end, i.judged FROM patrol_inbox i JOIN groups g ON g.id = i.group_id "
		"LEFT JOIN group_members gm ON gm.group_id = i.group_id "
		"AND gm.user_id = nullif(i.author_id, 0) AND gm.state = 'active' "
		"WHERE i.message_id > ?1 ORDER BY i.message_id LIMIT ?2",
	[STMT_PATROL_INBOX_PUT] = "INSERT INTO patrol_inbox(message_id, judged, group_id, "
				  "author_id, author_name, kind, reply_to, at, body) "
				  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[STMT_PATROL_INBOX_DONE] = "DELETE FROM patrol_inbox WHERE message_id = ?1",
	[STMT_PATROL_DUE] = "SELECT " MESSAGE_COLS ", w.message_id, w.group_id, w.at, w.due, "
			    "coalesce(g.name, ''), coalesce(g.region_code, '') FROM patrol_watch w "
			    "LEFT JOIN messages m ON m.id = w.message_id "
			    "LEFT JOIN groups g ON g.id = w.group_id "
			    "WHERE w.due <= ?1 ORDER BY w.due, w.message_id LIMIT ?2",
	[STMT_PATROL_CASE_LINES] =
		"SELECT e.id, e.case_id, e.at, e.actor, e.action, e.from_state, e.to_state, "
		"e.clock, e.level, e.detail, c.region, coalesce(c.group_id, 0), c.title "
		"FROM case_events e JOIN cases c ON c.id = e.case_id WHERE e.id > ?1 "
		"AND e.action IN ('clock.warning', 'clock.missed') AND c.type = 'demand' "
		"ORDER BY e.id LIMIT ?2",
	[STMT_PATROL_GROUPS] =
		"SELECT id, kind, region_code, name, duty_start, duty_end, "
		"EXISTS (SELECT 1 FROM duty_rota r WHERE r.group_id = g.id) "
		"OR EXISTS (SELECT 1 FROM duty_overrides o WHERE o.group_id = g.id) "
		"OR EXISTS (SELECT 1 FROM duty_leave l WHERE l.group_id = g.id) FROM groups g "
		"WHERE kind <> 'adhoc' AND id > ?1 ORDER BY id LIMIT ?2",
	[STMT_PATROL_DEMANDS] =
		"SELECT c.id, coalesce(c.group_id, 0), c.created_at, c.resident_id, "
		"coalesce(u.household_id, 0), c.region, c.category, c.title "
		"FROM cases c LEFT JOIN users u ON u.id = c.resident_id "
		"WHERE c.id > ?1 AND c.type = 'demand' AND c.resident_id > 0 ORDER BY c.id LIMIT ?2",
	[STMT_PATROL_REPEATS] =
		"SELECT count(*) FROM cases WHERE resident_id IN "
		"(SELECT id FROM users WHERE household_id = ?1 UNION ALL SELECT ?2) "
		"AND type = 'demand' AND category = ?3 AND created_at >= ?4 AND id <= ?5",
	[STMT_PATROL_HIDES] = "SELECT " AUDIT_COLS " FROM audit_log WHERE id > ?1 "
			      "AND action = 'message.hide' ORDER BY id LIMIT ?2",
	[STMT_PATROL_WATCH_PUT] = "INSERT INTO patrol_watch(message_id, group_id, at, due) "
				  "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(message_id) DO NOTHING",
	[STMT_PATROL_WATCH_ANSWERED] = "DELETE FROM patrol_watch WHERE message_id = ?1 "
				       "AND due >= ?2",
	[STMT_PATROL_WATCH_DONE] = "DELETE FROM patrol_watch WHERE message_id = ?1",
	[STMT_ALERT_INSERT] = "INSERT INTO alerts(kind, object, region, supervisor, group_id, "
			      "severity, summary, found_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
			      "ON CONFLICT(kind, object) DO NOTHING",
	[STMT_ALERT_INSERT_MANY] = "INSERT OR FAIL INTO alerts(kind, object, region, supervisor, group_id, "
				   "severity, summary, found_at) VALUES "
				   ROWS_MANY("(?, ?, ?, ?, ?, ?, ?, ?)")
				   " ON CONFLICT(kind, object) DO NOTHING",
	[STMT_ALERT_GET] = "SELECT " ALERT_COLS " FROM alerts WHERE id = ?1",
	[STMT_ALERT_BY_KEY] = "SELECT " ALERT_COLS " FROM alerts WHERE kind = ?1 AND object = ?2",
	/* an unused region is bound '~', which sorts after every code */
	[STMT_ALERTS_LIST] =
		"SELECT " ALERT_COLS " FROM alerts WHERE ("
		"(supervisor >= ?1 AND supervisor < ?1 || ':') OR "
		"(supervisor >= ?2 AND supervisor < ?2 || ':') OR "
		"(supervisor >= ?3 AND supervisor < ?3 || ':') OR "
		"(supervisor >= ?4 AND supervisor < ?4 || ':')) "
		"AND (?5 = '' OR state = ?5) AND (?6 = '' OR kind = ?6) "
		"AND (?7 = 0 OR id < ?7) ORDER BY id DESC LIMIT ?8",
	[STMT_ALERT_ACK] = "UPDATE alerts SET state = 'acknowledged', acknowledged_at = ?2, "
			   "acknowledged_by = ?3 WHERE id = ?1 AND state = 'open'",
	[STMT_ALERT_CLOSE] = "UPDATE alerts SET state = 'closed', closed_at = ?2, closed_by = ?3 "
			     "WHERE id = ?1 AND state <> 'closed'",
	/* 督办 (sqlite_supervise.c); the done time of an item: its demand's
	 * last resolution (or its closing), or its alert's closing */
	[STMT_SUPERVISION_INSERT] =
		"INSERT INTO supervisions(kind, item_id, region, group_id, note, days, issued_by, "
		"issued_at, deadline) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
	[STMT_SUPERVISION_GET] = "SELECT " SUPERVISION_COLS " FROM supervisions s WHERE s.id = ?1",
	[STMT_SUPERVISION_ACK] = "UPDATE supervisions SET acknowledged_at = ?2, acknowledged_by = ?3 "
				 "WHERE id = ?1 AND acknowledged_at = 0",
	[STMT_SUPERVISION_NOTICE_ACK] =
		"UPDATE supervisions SET notice_ack_at = ?2, notice_ack_by = ?3 "
		"WHERE id = ?1 AND state = 'noticed' AND notice_ack_at = 0",
	[STMT_SUPERVISION_TIMELINE] =
		"INSERT INTO case_events(case_id, at, actor, action, from_state, to_state, detail) "
		"SELECT id, ?2, ?3, ?4, state, state, ?5 FROM cases WHERE id = ?1",
	[STMT_SUPERVISIONS_OPEN] =
		"SELECT " SUPERVISION_COLS ", "
		"(CASE s.kind WHEN 'case' THEN coalesce((SELECT coalesce((SELECT max(e.at) FROM "
		"case_events e WHERE e.case_id = c.id AND e.to_state = 'resolved'), c.closed_at) "
		"FROM cases c WHERE c.id = s.item_id AND c.state IN ('resolved', 'followed_up', "
		"'closed')), 0) ELSE coalesce((SELECT a.closed_at FROM alerts a WHERE a.id = s.item_id "
		"AND a.state = 'closed'), 0) END) FROM supervisions s WHERE s.state = 'open' "
		"AND s.id > ?2 ORDER BY s.id LIMIT ?1",
	[STMT_SUPERVISION_SETTLE] = "UPDATE supervisions SET state = ?2, settled_at = ?3, period = ?4 "
				    "WHERE id = ?1 AND state = 'open'",
	[STMT_SUPERVISION_NOTICES] =
		"SELECT " SUPERVISION_COLS " FROM supervisions s WHERE s.period = ?1 AND "
		"s.state = 'noticed' AND s.region >= ?2 AND s.region < ?2 || ':' ORDER BY s.id",
	/* the statistics of demands (sqlite_stats.c): docs/patrol.md "Statistics" */
	/* the statistics of demands (sqlite_stats.c): the rollup of migration
	 * 0019, summed per unit; the recompute is that migration's fill */
	/* in key order, so a unit's rows come together without a sort; summed
	 * per unit in C (store_stats_acc_row) in one pass over the rows */
	[STMT_STATS_ROLLUP] =
		"SELECT substr(region, 1, ?2), demands, responded, resolved, rated, satisfied, "
		"first_line, returned, whistled, overdue, times FROM stats_rollup WHERE region "
		">= ?1 AND region < ?1 || ':' AND day >= ?3 AND day < ?4 ORDER BY region, day",
	/* valid interactions: author_id IS NOT NULL (implied by the join on
	 * the resident) states what the partial messages_by_group_at of 0028
	 * needs; the planner also infers it from the join */
	[STMT_STATS_TALK] =
		"SELECT substr(g.region_code, 1, ?2), count(*) FROM messages m JOIN groups g "
		"ON g.id = m.group_id JOIN group_members gm ON gm.group_id = m.group_id AND "
		"gm.user_id = m.author_id AND gm.role = 'resident' WHERE (g.region_code >= "
		"?1 AND g.region_code < ?1 || ':') AND m.author_id IS NOT NULL AND m.at >= ?3 "
		"AND m.at < ?4 AND m.state = 'visible' AND EXISTS (SELECT 1 FROM messages r "
		"JOIN group_members rm ON rm.group_id = r.group_id AND rm.user_id = "
		"r.author_id AND rm.role IN ('owner', 'admin', 'key_person') WHERE r.reply_to "
		"= m.id AND r.state = 'visible') GROUP BY 1 ORDER BY 1",
	[STMT_STATS_FACTS] =
		"SELECT (SELECT min(at) FROM case_events WHERE case_id = ?1 AND action = "
		"'acknowledge'), EXISTS (SELECT 1 FROM case_events WHERE case_id = ?1 AND action "
		"= 'clock.missed' AND clock = 'ack'), EXISTS (SELECT 1 FROM case_events WHERE "
		"case_id = ?1 AND action = 'clock.missed' AND clock = 'resolve')",
	[STMT_ROLLUP_GET] = "SELECT " ROLLUP_COLS " FROM stats_rollup WHERE region = ?1 AND day = ?2",
	[STMT_ROLLUP_PUT] =
		"INSERT INTO stats_rollup(" ROLLUP_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
		"?9, ?10, ?11, ?12, ?13) ON CONFLICT (region, day) DO UPDATE SET demands = "
		"excluded.demands, responded = excluded.responded, resolved = excluded.resolved, "
		"rated = excluded.rated, satisfied = excluded.satisfied, first_line = "
		"excluded.first_line, returned = excluded.returned, whistled = excluded.whistled, "
		"overdue = excluded.overdue, acknowledged = excluded.acknowledged, times = "
		"excluded.times",
	[STMT_ROLLUP_ALL] = "SELECT " ROLLUP_COLS " FROM stats_rollup",
	[STMT_ROLLUP_RECOMPUTE] = ROLLUP_RECOMPUTE,
	[STMT_ROLLUP_CLEAR] = "DELETE FROM stats_rollup",
	[STMT_ROLLUP_REBUILD] = "INSERT INTO stats_rollup(" ROLLUP_COLS ") " ROLLUP_RECOMPUTE,
	[STMT_EXCH_MEMBER_INSERT] =
		"INSERT INTO exchange_members(code, name, region, api_key_id, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_EXCH_KEY_INSERT] =
		"INSERT INTO exchange_member_keys(member, public_key, created_at) VALUES (?1, "
		"?2, ?3) RETURNING id",
	[STMT_EXCH_KEY_RETIRE] =
		"UPDATE exchange_member_keys SET retired_at = ?2 WHERE member = ?1 AND "
		"retired_at = 0",
	[STMT_EXCH_MEMBER_LINK] =
		"UPDATE exchange_members SET api_key_id = ?2 WHERE code = ?1",
	[STMT_EXCH_MEMBERS] =
		"SELECT m.code, m.name, m.region, m.api_key_id, m.created_at, k.id, "
		"k.public_key FROM exchange_members m JOIN exchange_member_keys k ON k.member = "
		"m.code AND k.retired_at = 0 WHERE (?1 = '' OR m.code = ?1) AND (?2 = 0 OR "
		"m.api_key_id = ?2) ORDER BY m.code",
	[STMT_EXCH_KEYS] =
		"SELECT id, member, public_key, created_at, retired_at FROM "
		"exchange_member_keys WHERE member = ?1 ORDER BY id",
	[STMT_EXCH_DATASET_INSERT] =
		"INSERT INTO exchange_datasets(code, provider, name, sharing, schema, "
		"created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[STMT_EXCH_DATASETS] =
		"SELECT code, provider, name, sharing, schema, created_at FROM "
		"exchange_datasets WHERE (?1 = '' OR code = ?1) ORDER BY code",
	[STMT_EXCH_BATCH_FIND] =
		"SELECT b.id, b.dataset, b.provider, b.batch_id, b.sha256, b.signature, "
		"b.key_id, b.nrows, b.received_at, b.resent FROM exchange_batches b WHERE "
		"b.provider = ?1 AND b.batch_id = ?2",
	[STMT_EXCH_BATCH_INSERT] =
		"INSERT INTO exchange_batches(dataset, provider, batch_id, sha256, signature, "
		"key_id, nrows, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING "
		"id",
	[STMT_EXCH_BATCH_RESENT] =
		"UPDATE exchange_batches SET resent = resent + 1 WHERE id = ?1",
	[STMT_EXCH_ROW_INSERT] =
		"INSERT INTO exchange_rows(batch, line, data) VALUES (?1, ?2, ?3)",
	[STMT_EXCH_ROWS] =
		"SELECT b.id, b.dataset, b.provider, b.batch_id, b.sha256, b.signature, "
		"b.key_id, b.nrows, b.received_at, b.resent, r.line, r.data FROM "
		"exchange_batches b JOIN exchange_rows r ON r.batch = b.id WHERE b.id IN "
		"(SELECT id FROM exchange_batches WHERE dataset = ?1 AND id > ?2 ORDER BY id "
		"LIMIT ?3) ORDER BY b.id, r.line",
	[STMT_EXCH_BATCHES] =
		"SELECT b.id, b.dataset, b.provider, b.batch_id, b.sha256, b.signature, "
		"b.key_id, b.nrows, b.received_at, b.resent FROM exchange_batches b WHERE (?1 = "
		"'' OR b.dataset = ?1) AND b.id > ?2 ORDER BY b.id LIMIT ?3",
	[STMT_EXCH_SUB_INSERT] =
		"INSERT INTO exchange_subscriptions(consumer, dataset, fields, endpoint, day, "
		"minute, state, approved_by, created_at, due_at) VALUES (?1, ?2, ?3, ?4, ?5, "
		"?6, ?7, ?8, ?9, ?10) RETURNING id",
	[STMT_EXCH_SUB_STATE] =
		"UPDATE exchange_subscriptions SET state = ?3, approved_by = ?4, due_at = ?5 "
		"WHERE id = ?1 AND state = ?2",
	[STMT_EXCH_SUBS] =
		"SELECT id, consumer, dataset, fields, endpoint, day, minute, state, "
		"approved_by, created_at, pushed_upto, failures, due_at FROM "
		"exchange_subscriptions WHERE (?1 = 0 OR id = ?1) AND (?2 = '' OR consumer = "
		"?2) AND (?3 = 0 OR (state = 'active' AND due_at > 0 AND due_at <= ?3)) ORDER "
		"BY id",
	[STMT_EXCH_ATTEMPT_INSERT] =
		"INSERT INTO exchange_attempts(subscription, at, status, upto, nrows, sha256, "
		"detail, next_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[STMT_EXCH_SUB_PUSHED] =
		"UPDATE exchange_subscriptions SET pushed_upto = CASE WHEN ?2 = 1 THEN ?3 ELSE "
		"pushed_upto END, failures = CASE WHEN ?2 = 1 THEN 0 ELSE failures + 1 END, "
		"due_at = ?4 WHERE id = ?1",
	[STMT_EXCH_ATTEMPTS] =
		"SELECT id, subscription, at, status, upto, nrows, sha256, detail, next_at FROM "
		"exchange_attempts WHERE subscription = ?1 ORDER BY id",
	[STMT_BUNDLE_INSERT] =
		"INSERT INTO bundles(event, name, person_key, person_name, phone, region, started_at, "
		"started_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[STMT_BUNDLE_SERVICE_INSERT] =
		"INSERT INTO bundle_services(bundle, seq, code, name, kind, unit, programme, days, "
		"due_at, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[STMT_BUNDLE_GET] = "SELECT " BUNDLE_COLS " FROM bundles b" BUNDLE_JOIN
			    " WHERE b.id = ?1 ORDER BY s.seq",
	[STMT_BUNDLES_LIST] =
		"SELECT " BUNDLE_COLS " FROM (SELECT * FROM bundles WHERE region >= ?1 AND region < "
		"?1 || ':' AND (?2 = '' OR event = ?2) AND (?3 = 0 OR id < ?3) ORDER BY id DESC "
		"LIMIT ?4) b" BUNDLE_JOIN " ORDER BY b.id DESC, s.seq",
	[STMT_BUNDLE_MARK] =
		"UPDATE bundle_services SET state = ?3, note = ?4, marked_at = ?5, marked_by = ?6 "
		"WHERE bundle = ?1 AND code = ?2 AND kind = 'task' AND state = 'todo'",
	[STMT_ENT_RUN_INSERT] =
		"INSERT INTO entitlement_runs(programme, at_day, started_at, finished_at, persons, "
		"granted_new, revoked, unknown, held, actor, out_of_region, data_seq) VALUES (?1, ?2, "
		"?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id",
	[STMT_ENT_RUN_DATA_SEQ] =
		"SELECT COALESCE(MAX(data_seq), 0) FROM entitlement_runs WHERE programme = ?1",
	[STMT_ENT_INSERT] =
		"INSERT INTO entitlements(programme, policy, benefit, person_key, person_name, phone, "
		"region, period, amount, state, version, notice_until, consent_until, effective_from, "
		"effective_to, reason, explanation, appeal_case, run, created_at, updated_at) VALUES "
		"(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
		"?19, ?19) RETURNING id",
	[STMT_ENT_UPDATE] =
		"UPDATE entitlements SET state = ?3, version = version + 1, amount = ?4, "
		"notice_until = ?5, consent_until = ?6, effective_to = ?7, reason = ?8, "
		"explanation = ?9, appeal_case = ?10, run = ?11, updated_at = ?12 "
		"WHERE id = ?1 AND version = ?2",
	[STMT_ENT_EVENT_INSERT] =
		"INSERT INTO entitlement_events(entitlement, kind, from_state, to_state, at, actor, "
		"detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[STMT_ENT_LIST] =
		"SELECT " ENT_COLS " FROM entitlements e WHERE (?1 = 0 OR e.id = ?1) AND (?2 = '' OR "
		"e.programme = ?2) AND (?3 = '' OR e.state = ?3) AND e.region >= ?4 AND e.region < "
		"?4 || ':' AND (?5 = 0 OR e.period = ?5) AND (?6 = 0 OR (e.notice_until > 0 AND "
		"e.notice_until <= ?6)) AND (?7 = 0 OR EXISTS (SELECT 1 FROM entitlement_events v "
		"WHERE v.entitlement = e.id AND v.kind = 'granted')) AND e.id > ?8 ORDER BY e.id "
		"LIMIT ?9",
	[STMT_ENT_EVENTS] =
		"SELECT id, entitlement, kind, from_state, to_state, at, actor, detail FROM "
		"entitlement_events WHERE entitlement = ?1 ORDER BY id",
	/* the dispatcher of entitlement events (sqlite_outbox.c, migration 0022) */
	[STMT_DISPATCH_CURSOR] = "SELECT last_event FROM entitle_dispatch WHERE id = 1",
	[STMT_DISPATCH_EVENTS] =
		"SELECT e.id, e.entitlement, e.kind, e.from_state, e.to_state, e.at, e.actor, e.detail, "
		"x.programme, x.person_name, x.phone, x.region, x.period, x.amount, x.state, "
		"x.consent_until, x.effective_from, x.effective_to, x.reason, x.person_key, x.policy "
		"FROM entitlement_events e JOIN entitlements x ON x.id = e.entitlement "
		"WHERE e.id > ?1 ORDER BY e.id LIMIT ?2",
	[STMT_DISPATCH_MOVE] =
		"UPDATE entitle_dispatch SET last_event = max(last_event, ?1) WHERE id = 1",
	[STMT_OUTBOX_INSERT] =
		"INSERT INTO outbox(event, entitlement, programme, kind, region, phone, text, state, "
		"next_at, created_at, text_masked) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
		"ON CONFLICT(event) DO NOTHING",
	[STMT_DELIVERY_OF] = "SELECT case_id FROM deliveries WHERE entitlement = ?1",
	[STMT_DELIVERY_LINK] =
		"INSERT INTO deliveries(case_id, entitlement, programme) VALUES (?1, ?2, ?3)",
	/* claimed: next_at moved to ?3 in the statement that picks them */
	[STMT_OUTBOX_DUE] = "UPDATE outbox SET next_at = ?3 WHERE id IN (SELECT id FROM outbox "
			    "WHERE state = 'pending' AND next_at <= ?1 ORDER BY next_at, id "
			    "LIMIT ?2) RETURNING " OUTBOX_COLS,
	[STMT_OUTBOX_MARK] = "UPDATE outbox SET state = ?2, attempts = ?3, next_at = ?4, "
			     "status = ?5, detail = ?6, sent_at = ?7 "
			     "WHERE id = ?1 AND state = 'pending'",
	[STMT_OUTBOX_LIST] =
		"SELECT " OUTBOX_COLS " FROM outbox c WHERE (" CASE_WITHIN("1") " OR "
		CASE_WITHIN("2") " OR " CASE_WITHIN("3") " OR " CASE_WITHIN("4") ") "
		"AND (?5 = '' OR c.state = ?5) AND c.id < ?6 ORDER BY c.id DESC LIMIT ?7",
	[STMT_OUTBOX_GET] = "SELECT " OUTBOX_COLS " FROM outbox WHERE id = ?1",
};
