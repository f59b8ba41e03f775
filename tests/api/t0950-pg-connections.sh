#!/usr/bin/env bash
# t0950: PostgreSQL connections that break. The server terminates every
# connection of the daemon's pool; a request that meets a broken connection
# answers 503 "the database is unavailable" (never a hang, a crash or a
# 500), the broken connection leaves the pool, and the next requests
# reconnect and answer 200, reads and writes alike. SQLite has no server
# connection to lose: the script prints SKIP there.
. "$(dirname "$0")/lib.sh"

not_grep() { ! grep -q "$@"; }

if ! on_pg; then
	skip "t0950: PostgreSQL only (a SQLite file has no server connection to lose)"
	finish
	exit
fi

bm init --demo >/dev/null 2>&1
start_server || { fail "server starts"; finish; exit 1; }
for i in 1 2 3 4; do req GET /api/v1/regions/990101; done
expect_status 200 "the daemon serves a region"

# kill_conns: terminate the daemon's connections; prints how many.
kill_conns() {
	pg_admin -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = '$(pg_name db)' AND pid <> pg_backend_pid()"
}
n=$(kill_conns)
check "the server closed the daemon's connections ($n)" test "${n:-0}" -ge 1

codes= unavail=0 other=0
for i in $(seq 1 20); do
	req GET /api/v1/regions/990101
	codes="$codes $STATUS"
	case $STATUS in
	200) ;;
	503) [ "$(json .error.code)" = unavailable ] && [ "$(json .error.message)" = "the database is unavailable" ] ||
		other=$((other + 1))
		unavail=$((unavail + 1)) ;;
	*) other=$((other + 1)) ;;
	esac
done
check "every answer was 200 or 503 'the database is unavailable' ($codes)" test "$other" -eq 0
check "at most one 503 per broken connection ($unavail of $n)" test "$unavail" -le "$n"
check "the pool reconnected: the last answers are 200" test "${codes% 200 200 200}" != "$codes"

n=$(kill_conns)
for i in $(seq 1 $((n + 1))); do
	req_json POST /api/v1/auth/login '{"phone":"19900000009","password":"demo-2026"}'
	[ "$STATUS" = 200 ] && break
done
expect_status 200 "after the connections broke again, a sign-in (a write) succeeds"
req GET /healthz
expect_json .db postgresql "healthz names the postgresql backend"
check "the daemon logged the dropped connections" grep -q 'event=store.connection_dropped' "$T/serve.log"
check "no request was answered with a 500" not_grep -q 'status=500' "$T/serve.log"
finish
