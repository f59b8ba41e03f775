#!/usr/bin/env bash
# t0900: nothing acknowledged is lost. Eight clients register households as
# fast as they can while the daemon is killed with SIGKILL; after a restart
# every household the API acknowledged (201 with an id) is there, and the
# audit chain still verifies. Also: concurrent writes share commits; posted
# messages survive the same kill; and a bridge's queued bulk ingest (202,
# stored later by the loader) loses and doubles nothing across it.
. "$(dirname "$0")/lib.sh"

bm init --demo >/dev/null 2>&1
bm apikey add bridge --role bridge --region 990101103 >"$T/key.out" 2>&1
BRIDGE=$(grep -E '^bmk_' "$T/key.out")
start_server || { fail "server starts"; finish; exit 1; }

req_json POST /api/v1/auth/login '{"phone":"19900000009","password":"demo-2026"}'
expect_status 200 "the system administrator signs in"
TOKEN=$(json .token)

# acked_until_kill NAME MIN URL TOKEN BODY [PREFER [UNTIL]]: eight clients
# POST to URL as TOKEN as fast as they can, BODY a printf format whose %s
# are, in turn, the client's number and its count (as many pairs as it
# names); each writes the id of every 201 to $T/NAME.<client> and stops at
# its first failure. With PREFER, each request carries `Prefer: PREFER` and
# is acknowledged by a 202, which writes "<client> <count>" instead (what
# the body held follows from them). Once MIN writes were acknowledged (and,
# with UNTIL, once the command UNTIL succeeds too; bounded wait) the daemon
# is killed with SIGKILL; ACKED is then every acknowledged line, sorted,
# and ACKED_COUNT their number.
# body_of FORMAT C N: FORMAT (printf's) with C and N for each pair of %s.
body_of() {
	local rest=${1//%s/} args=() j
	for ((j = 0; j < (${#1} - ${#rest}) / 4; j++)); do args+=("$2" "$3"); done
	# shellcheck disable=SC2059 # the format is the caller's
	printf "$1" "${args[@]}"
}
# ack_client NAME URL TOKEN BODY C [PREFER]: client C of acked_until_kill.
ack_client() {
	local name=$1 url=$2 token=$3 body=$4 c=$5 prefer=${6:-} n=0 out ack=201
	local hdr=()
	[ -n "$prefer" ] && hdr=(-H "Prefer: $prefer") ack=202
	while [ $n -lt 2000 ]; do
		out=$(curl -s -m 5 -w ' %{http_code}' -H "Authorization: Bearer $token" \
			-H 'Content-Type: application/json' "${hdr[@]}" \
			--data-binary "$(body_of "$body" "$c" "$n")" "$BASE$url") || break
		case $out in
		*" $ack") if [ -n "$prefer" ]; then echo "$c $n"; else jq -r .id <<<"${out% 201}"; fi \
			>>"$T/$name.$c" ;;
		*) break ;;
		esac
		n=$((n + 1))
	done
}
acked_until_kill() {
	local name=$1 min=$2 c i
	local pids=()
	for c in 1 2 3 4 5 6 7 8; do ack_client "$name" "$3" "$4" "$5" $c "${6:-}" & pids+=($!); done
	for i in $(seq 1 600); do
		[ "$(cat "$T/$name".* 2>/dev/null | wc -l)" -ge "$min" ] && { [ -z "${7:-}" ] || ${7}; } &&
			break
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

# Queued bulk ingest: a 202 only once the call is durable, its messages
# stored later by the loader (after a restart if need be), each exactly
# once. The same kill during a flood of a bridge's queued calls, twice:
# while the calls wait (a flood defers the loader up to 5 s), then once the
# loader has begun storing them.
check "setup: a bridge's API key" test -n "$BRIDGE"
QK=20
# bridge_stored NAME: how many messages of queued_round NAME are stored.
bridge_stored() {
	db_sql "$DB" "SELECT count(*) FROM messages WHERE source = 'bridge' AND body LIKE '$1 %'"
}
loader_began() { [ "$(bridge_stored "$1")" -gt 0 ]; }
# queue_left: "gauge pending" of the queue, from /metrics and the table.
queue_left() {
	req GET /metrics
	echo "$(awk '$1 == "bianmin_ingest_queued_messages" { print $2 }' "$T/body")" \
		"$(db_sql "$DB" 'SELECT count(*) FROM ingest_calls WHERE error IS NULL')"
}
# q_send BODY C N: client C's call N (BODY as for acked_until_kill), queued.
q_send() {
	req POST /api/v1/ingest/messages -H "Authorization: Bearer $BRIDGE" -H 'Prefer: respond-async' \
		-H 'Content-Type: application/json' --data-binary "$(body_of "$1" "$2" "$3")"
}
# queued_round NAME WHEN [UNTIL]: eight bridge clients queue calls of QK
# messages, each message's key and text naming NAME, its client, call and
# place, until the kill (acked_until_kill ... UNTIL); WHEN says when it
# came. After the restart each client's unacknowledged call is sent again,
# as a bridge does; once the queue is empty every message of every
# acknowledged or resent call must be stored exactly once, and nothing else.
queued_round() {
	local name=$1 when=$2 fmt j c n resent=() retry_ok=0 left before want got missing doubled extra
	fmt=$(for ((j = 0; j < QK; j++)); do
		printf '{"key":"%s-%%s-%%s-%s","group":%s,"author":"桥","text":"%s %%s-%%s-%s"}\n' \
			"$name" "$j" "$GROUP" "$name" "$j"
	done | jq -sc '{messages: .}')
	acked_until_kill "$name" 100 /api/v1/ingest/messages "$BRIDGE" "$fmt" respond-async "${3:-}"
	left=$(db_sql "$DB" 'SELECT count(*) FROM ingest_calls') before=$(bridge_stored "$name")
	check "$when: queued calls were acknowledged (202) before the kill ($ACKED_COUNT; $before messages stored, $left calls queued)" \
		test "$ACKED_COUNT" -ge 100
	start_server || { fail "server restarts after SIGKILL"; finish; exit 1; }
	for c in 1 2 3 4 5 6 7 8; do
		n=$(grep -c "^$c " <<<"$ACKED")
		q_send "$fmt" "$c" "$n"
		[ "$STATUS" = 202 ] && [ "$(json '.queued + .repeated')" = "$QK" ] && retry_ok=$((retry_ok + 1))
		resent+=("$c $n")
	done
	check "... each client's unacknowledged call, sent again, is taken (202, $QK queued or repeated: $retry_ok of 8)" \
		test "$retry_ok" -eq 8
	read -r c n <<<"$(head -n 1 <<<"$ACKED")"
	q_send "$fmt" "$c" "$n"
	check "... an acknowledged call sent again is all repeats ($STATUS $(json '"\(.queued) \(.repeated)"'))" \
		test "$STATUS $(json '"\(.queued) \(.repeated)"')" = "202 0 $QK"
	for j in $(seq 1 1200); do [ "$(queue_left)" = "0 0" ] && break; sleep 0.05; done
	check "... the loader stores every queued call after the restart (queued messages, pending calls: $(queue_left))" \
		test "$(queue_left)" = "0 0"
	check "... none set aside" test "$(db_sql "$DB" 'SELECT count(*) FROM ingest_calls')" = 0
	want=$(printf '%s\n' "$ACKED" "${resent[@]}" | while read -r c n; do
		for ((j = 0; j < QK; j++)); do echo "$name $c-$n-$j"; done; done | LC_ALL=C sort)
	got=$(db_sql "$DB" "SELECT body FROM messages WHERE group_id = $GROUP AND source = 'bridge' AND body LIKE '$name %'" |
		LC_ALL=C sort)
	missing=$(LC_ALL=C comm -23 <(echo "$want") <(echo "$got") | grep -c .)
	doubled=$(uniq -d <<<"$got" | grep -c .)
	extra=$(LC_ALL=C comm -13 <(echo "$want") <(echo "$got") | grep -c .)
	check "... every message of every acknowledged call is stored (missing: $missing)" test "$missing" -eq 0
	check "... none twice (doubled: $doubled)" test "$doubled" -eq 0
	check "... and nothing else ($extra more than the $(grep -c . <<<"$want") sent)" test "$extra" -eq 0
}
queued_round wait "killed while the calls wait"
queued_round load "killed while the loader stores" "loader_began load"

finish
