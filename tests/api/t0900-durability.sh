#!/usr/bin/env bash
# t0900: nothing acknowledged is lost. Eight clients register households as
# fast as they can while the daemon is killed with SIGKILL; after a restart
# every household the API acknowledged (201 with an id) is there, and the
# audit chain still verifies. Also: concurrent writes share commits.
. "$(dirname "$0")/lib.sh"

bm init --demo >/dev/null 2>&1
start_server || { fail "server starts"; finish; exit 1; }

req_json POST /api/v1/auth/login '{"phone":"19900000009","password":"demo-2026"}'
expect_status 200 "the system administrator signs in"
TOKEN=$(json .token)

# acked_until_kill NAME MIN URL TOKEN BODY: eight clients POST to URL as
# TOKEN as fast as they can, BODY a printf format whose two %s are the
# client's number and its count; each writes the id of every 201 to
# $T/NAME.<client> and stops at its first failure. Once MIN writes were
# acknowledged (bounded wait) the daemon is killed with SIGKILL; ACKED is
# then every acknowledged id, one per line, and ACKED_COUNT their number.
# ack_client NAME URL TOKEN BODY C: client C of acked_until_kill.
ack_client() {
	local name=$1 url=$2 token=$3 body=$4 c=$5 n=0 out
	while [ $n -lt 2000 ]; do
		# shellcheck disable=SC2059 # the format is the caller's
		out=$(curl -s -m 5 -w ' %{http_code}' -H "Authorization: Bearer $token" \
			-H 'Content-Type: application/json' \
			--data-binary "$(printf "$body" "$c" "$n")" "$BASE$url") || break
		case $out in
		*' 201') jq -r .id <<<"${out% 201}" >>"$T/$name.$c" ;;
		*) break ;;
		esac
		n=$((n + 1))
	done
}
acked_until_kill() {
	local name=$1 min=$2 c i
	local pids=()
	for c in 1 2 3 4 5 6 7 8; do ack_client "$name" "$3" "$4" "$5" $c & pids+=($!); done
	for i in $(seq 1 600); do
		[ "$(cat "$T/$name".* 2>/dev/null | wc -l)" -ge "$min" ] && break
		sleep 0.05
	done
	kill -KILL "$SERVER_PID"
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=
	wait "${pids[@]}"
	ACKED=$(cat "$T/$name".* 2>/dev/null | sort -n | uniq)
	ACKED_COUNT=$(grep -c . <<<"$ACKED")
}

# count_missing PATH TOKEN IDS: restarts the daemon and sets MISSING to how
# many of IDS (one per line) GET PATH/<id> as TOKEN does not find.
count_missing() {
	local path=$1 token=$2 ids=$3 id
	start_server || { fail "server restarts after SIGKILL"; finish; exit 1; }
	MISSING=0
	for id in $ids; do
		req GET "$path/$id" -H "Authorization: Bearer $token"
		[ "$STATUS" = 200 ] || MISSING=$((MISSING + 1))
	done
}

acked_until_kill acked 300 /api/v1/households "$TOKEN" \
	'{"region":"990101103200","address":"client %s house %s"}'
check "writes were acknowledged before the kill ($ACKED_COUNT)" test "$ACKED_COUNT" -ge 300
count_missing /api/v1/households "$TOKEN" "$ACKED"
check "every acknowledged household survived SIGKILL (missing: $MISSING)" test "$MISSING" -eq 0

stop_server
out=$(bm audit verify 2>&1)
check "the audit chain verifies after the crash" grep -q 'entries verified' <<<"$out"

# Concurrent writers share commits: run the load again on a live daemon and
# read the largest batch from /metrics.
start_server || { fail "server starts again"; finish; exit 1; }
pids=()
for c in 1 2 3 4 5 6 7 8; do (n=0; while [ $n -lt 40 ]; do
	curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		--data-binary '{"region":"990101103200","address":"batch"}' "$BASE/api/v1/households"
	n=$((n + 1)); done) & pids+=($!); done
wait "${pids[@]}"
req GET /metrics
batch=$(grep -o '^bianmin_db_max_batch [0-9]*' "$T/body" | cut -d' ' -f2)
commits=$(grep -o '^bianmin_db_commits_total [0-9]*' "$T/body" | cut -d' ' -f2)
writes=$(grep -o '^bianmin_db_writes_total [0-9]*' "$T/body" | cut -d' ' -f2)
if on_pg; then
	# PostgreSQL commits each write in a transaction of its own; the server
	# groups the WAL flushes of concurrent commits itself.
	check "every write was committed ($commits commits, $writes writes)" \
		test "${commits:-0}" -eq "${writes:-0}" -a "${writes:-0}" -ge 320
	skip "group commit (largest batch > 1): SQLite only; PostgreSQL commits each write in its own transaction"
else
	check "concurrent writes were committed together (largest batch $batch)" test "${batch:-0}" -gt 1
	check "fewer commits ($commits) than writes ($writes)" test "${commits:-0}" -lt "${writes:-0}"
fi

# Message posts: a 201 only once the message is durable, though the post
# waits for its commit without holding a thread. The same kill, with a
# resident of the village's group posting from eight clients.
req GET "/api/v1/groups?within=990101103200&kind=village&limit=1" -H "Authorization: Bearer $TOKEN"
GROUP=$(json '.groups[0].id // empty')
req_json POST /api/v1/auth/login '{"phone":"19900000001","password":"demo-2026"}'
RTOKEN=$(json .token)
check "setup: the village's group and its resident signed in" test -n "$GROUP" -a -n "$RTOKEN"
acked_until_kill posted 200 "/api/v1/groups/$GROUP/messages" "$RTOKEN" '{"text":"客户端%s第%s条"}'
check "posts were acknowledged before the kill ($ACKED_COUNT)" test "$ACKED_COUNT" -ge 200
count_missing /api/v1/messages "$RTOKEN" "$ACKED"
check "every acknowledged message survived SIGKILL (missing: $MISSING)" test "$MISSING" -eq 0

finish
