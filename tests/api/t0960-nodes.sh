#!/usr/bin/env bash
# t0960: several nodes on one PostgreSQL database. Two daemons, A and B,
# both running the purge job every second: (a) an event caused through one
# node reaches a stream open on the other (LISTEN/NOTIFY), and a stream
# resumes on the other node with Last-Event-ID; (b) each job slot is run by
# one node only, and both nodes list the same runs; (c) when A stops, B runs
# every new slot; (d) when B's connections are cut, and when the PostgreSQL
# server itself stops and starts again (only in a throwaway cluster of
# pg_virtualenv), B answers 503 meanwhile, recovers by itself, its jobs run
# again, and its streams lose no event: an open stream either goes on or is
# cut and resumed with Last-Event-ID, as a browser's EventSource does.
# SQLite has no shared server: the script prints SKIP there.
#
# Streams are `curl -N` in the background writing to files; every wait
# polls a file, an endpoint or the database with a bound, never sleeps for
# timing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"

if ! on_pg; then
	skip "t0960: PostgreSQL only (SQLite nodes cannot share a database)"
	finish
	exit
fi

PW=demo-2026
V1=990101103200 V2=990101103201

# --- helpers: polling and streams (as in t0730) ----------------------------------
# poll SECONDS COMMAND...: true as soon as COMMAND succeeds, false when it
# still fails after SECONDS.
poll() {
	local limit=$1 start now
	shift
	start=${EPOCHREALTIME//[^0-9]/}
	until "$@"; do
		now=${EPOCHREALTIME//[^0-9]/}
		((now - start > limit * 1000000)) && return 1
		sleep 0.05
	done
}

# stream_open NAME BASE TOKEN [curl arguments...]: open the event stream of
# TOKEN's person in the background: body in $T/NAME.sse, headers in
# $T/NAME.h. True once the stream's opening comment has arrived (10 s);
# false at once when the answer is no stream.
declare -A STREAM_PID
stream_open() {
	local name=$1 base=$2 tok=$3
	shift 3
	: >"$T/$name.sse"
	curl -s -N -D "$T/$name.h" -o "$T/$name.sse" -H "Authorization: Bearer $tok" "$@" \
		"$base/api/v1/me/events" 2>/dev/null &
	STREAM_PID[$name]=$!
	poll 10 stream_settled "$name"
	stream_started "$name"
}
stream_started() { grep -q '^: stream of ' "$T/$1.sse"; }
stream_settled() { stream_started "$1" || ! stream_running "$1"; }

# stream_events NAME: the complete events received so far, one a line:
# id, event and data separated by tabs.
stream_events() {
	awk '/^id: /{id=substr($0,5)} /^event: /{ev=substr($0,8)} /^data: /{d=substr($0,7)}
		/^$/{if (id != "" || ev != "") print id "\t" ev "\t" d; id=ev=d=""}' "$T/$1.sse"
}
stream_count() { stream_events "$1" | wc -l; }
stream_has() { [ "$(stream_count "$1")" -ge "$2" ]; }
stream_wait() { poll 10 stream_has "$1" "$2"; }
stream_summary() { stream_events "$1" | cut -f2,3 | tr '\t' ' '; }
stream_ids() { stream_events "$1" | cut -f1; }
stream_running() { kill -0 "${STREAM_PID[$1]}" 2>/dev/null; }
stream_close() {
	local pid=${STREAM_PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "STREAM_PID[$1]"
}

# increasing AFTER ID...: each id is a whole number greater than the one
# before, the first greater than AFTER.
increasing() {
	local prev=$1 id
	shift
	[ $# -gt 0 ] || return 1
	for id in "$@"; do
		[[ $id =~ ^[0-9]+$ ]] && [ "$id" -gt "$prev" ] || return 1
		prev=$id
	done
}

# expect_stream NAME DESCRIPTION LINE...: the events of NAME are exactly the
# LINEs ("event data"), in order; waits (10 s) for as many as expected.
expect_stream() {
	local name=$1 desc=$2 want got
	shift 2
	want=$(printf '%s\n' "$@")
	stream_wait "$name" $#
	got=$(stream_summary "$name")
	if [ "$got" = "$want" ]; then pass "$desc"
	else fail "$desc" "got [$(tr '\n' '|' <<<"$got")], want [$(tr '\n' '|' <<<"$want")]"; fi
}

roles_changed() { echo "roles.changed {\"role\":\"$1\",\"region\":\"$2\",\"granted\":$3}"; }

# --- helpers: an EventSource-like client ------------------------------------------
# A followed stream is a chain of streams NAME.1, NAME.2...: when the server
# cuts one, the next is opened with Last-Event-ID: the id of the last whole
# event received (or where the first one started), as a browser does.
declare -A FOLLOW_N FOLLOW_BASE FOLLOW_TOKEN
follow_open() { # NAME BASE TOKEN
	FOLLOW_N[$1]=1 FOLLOW_BASE[$1]=$2 FOLLOW_TOKEN[$1]=$3
	stream_open "$1.1" "$2" "$3"
}
follow_last_id() {
	local last
	last=$(follow_events "$1" | tail -n 1 | cut -f1)
	[ -n "$last" ] || last=$(sed -nE 's/^: stream of [^ ]+ from event ([0-9]+)$/\1/p' "$T/$1.1.sse")
	echo "$last"
}
follow_events() {
	local i
	for i in $(seq 1 "${FOLLOW_N[$1]}"); do stream_events "$1.$i"; done
}
follow_count() { follow_events "$1" | wc -l; }
# follow_step NAME N: true when N events arrived; reopens a cut stream.
follow_step() {
	local name=$1 n=${FOLLOW_N[$1]}
	[ "$(follow_count "$name")" -ge "$2" ] && return 0
	stream_running "$name.$n" && return 1
	wait "${STREAM_PID[$name.$n]}" 2>/dev/null
	unset "STREAM_PID[$name.$n]"
	local last
	last=$(follow_last_id "$name")
	n=$((n + 1))
	FOLLOW_N[$name]=$n
	stream_open "$name.$n" "${FOLLOW_BASE[$name]}" "${FOLLOW_TOKEN[$name]}" -H "Last-Event-ID: $last"
	return 1
}
# expect_follow NAME DESCRIPTION LINE...: across its reconnections, the
# followed stream got exactly the LINEs, in order, with increasing ids.
expect_follow() {
	local name=$1 desc=$2 want got ids
	shift 2
	want=$(printf '%s\n' "$@")
	poll 20 follow_step "$name" $#
	got=$(follow_events "$name" | cut -f2,3 | tr '\t' ' ')
	mapfile -t ids < <(follow_events "$name" | cut -f1)
	if [ "$got" = "$want" ] && increasing 0 "${ids[@]}"; then
		pass "$desc (the client connected $((FOLLOW_N[$name])) time(s))"
	else
		fail "$desc" "got [$(tr '\n' '|' <<<"$got")] ids [${ids[*]}], want [$(tr '\n' '|' <<<"$want")]"
	fi
}
follow_close() {
	local i
	for i in $(seq 1 "${FOLLOW_N[$1]}"); do stream_close "$1.$i"; done
}

# --- helpers: nodes -----------------------------------------------------------------
# start_node NAME [serve arguments...]: a daemon called NAME on this
# script's database, its log in $T/node-NAME.log; its connections carry
# application_name bm-t0960-NAME. Sets NODE_URL[NAME] once it is ready.
declare -A NODE_PID NODE_URL
start_node() {
	local name=$1 log=$T/node-$1.log sep='?' i port
	shift
	[[ $DB == *\?* ]] && sep='&'
	: >"$log"
	"$BIANMIN" --db "${DB}${sep}application_name=bm-t0960-$name" serve --listen 127.0.0.1:0 \
		--web-root "$BIANMIN_TOP/web" --node-name "$name" "$@" 2>>"$log" &
	NODE_PID[$name]=$!
	for i in $(seq 1 400); do
		grep -q 'event=serve.ready' "$log" && break
		kill -0 "${NODE_PID[$name]}" 2>/dev/null || break
		sleep 0.05
	done
	port=$(grep -o 'event=serve.ready url=http://127.0.0.1:[0-9]*' "$log" | head -n 1 | sed 's/.*://')
	if [ -z "$port" ]; then
		echo "node $name did not start:" >&2
		cat "$log" >&2
		unset "NODE_PID[$name]"
		return 1
	fi
	NODE_URL[$name]=http://127.0.0.1:$port
}
# stop_node NAME: SIGTERM, wait; returns the daemon's exit status.
stop_node() {
	local rc=0
	kill -TERM "${NODE_PID[$1]}" 2>/dev/null
	wait "${NODE_PID[$1]}" || rc=$?
	unset "NODE_PID[$1]"
	return $rc
}
# on NAME: the next requests (req, as) go to node NAME.
on() { BASE=${NODE_URL[$1]}; }

PG_STOPPED=
pg_cluster() { pg_ctlcluster "$PGVERSION" regress "$@"; }
at_exit() {
	local name
	for name in "${!STREAM_PID[@]}"; do stream_close "$name"; done
	[ -n "$PG_STOPPED" ] && pg_cluster start >/dev/null 2>&1
	for name in "${!NODE_PID[@]}"; do stop_node "$name"; done
	cleanup
}
trap at_exit EXIT

# grant_via NODE USER ROLE REGION [granted]: the system_admin grants (or,
# with "false", removes) a role through NODE.
grant_via() {
	on "$1"
	if [ "${5:-true}" = true ]; then
		as "$STOK" POST "/api/v1/users/$2/roles" "{\"role\":\"$3\",\"region\":\"$4\"}"
	else
		as "$STOK" DELETE "/api/v1/users/$2/roles/$3/$4"
	fi
	[[ $STATUS == 2* ]] || fail "through node $1: role $3 $4 ${5:-true} for user $2" \
		"status $STATUS: $(head -c 200 "$T/body")"
}

# runs NODE: the purge runs as node NODE lists them, into $T/runs.NODE.json.
runs() {
	on "$1"
	as "$STOK" GET "/api/v1/jobs?job=purge&limit=1000"
	cp "$T/body" "$T/runs.$1.json"
	[ "$STATUS" = 200 ]
}
# runs_jq NODE EXPR [jq arguments...]: jq over the runs node NODE listed last.
runs_jq() { jq -r "$2" "${@:3}" "$T/runs.$1.json" 2>/dev/null; }
# newest_slot NODE: the newest slot node NODE listed last, as JSON (a slot
# is compared as the API gives it, whatever its form).
newest_slot() { runs_jq "$1" '[.runs[].slot] | max | tojson'; }
# slots_at_least NODE N: node NODE lists runs of N distinct slots.
slots_at_least() { runs "$1" && [ "$(runs_jq "$1" '[.runs[].slot] | unique | length')" -ge "$2" ]; }
# runs_after NODE SLOT N: node NODE lists N finished runs of slots after
# SLOT (JSON, from newest_slot).
runs_after() {
	runs "$1" && [ "$(runs_jq "$1" '[.runs[] | select(.slot > $s and .outcome != "running")] |
		length' --argjson s "$2")" -ge "$3" ] 2>/dev/null
}
no_slot_twice() { [ "$(runs_jq "$1" '[.runs[].slot] | length == (unique | length)')" = true ]; }
# listening NODE: the database shows NODE's event listener connected.
listening() {
	[ "$(pg_admin -c "SELECT count(*) FROM pg_stat_activity WHERE application_name =
		'bm-t0960-$1' AND query = 'LISTEN bianmin_events'")" -ge 1 ] 2>/dev/null
}
# me_status NODE CODE: GET /api/v1/me through NODE answers CODE.
me_status() { on "$1"; as "$VTOK" GET /api/v1/me; [ "$STATUS" = "$2" ]; }

# --- two nodes ----------------------------------------------------------------------
bm init --demo >/dev/null 2>&1
start_node A --job-intervals purge=1 || { fail "node A starts"; finish; exit 1; }
start_node B --job-intervals purge=1 || { fail "node B starts"; finish; exit 1; }
pass "nodes A and B start on one database"
on A
login 19900000009 $PW
STOK=$(json .token)
login 19900000002 $PW
VTOK=$(json .token) U2=$(json .user.id)
on B
as "$VTOK" GET /api/v1/me
check "setup: a session made through A works on B" test "$STATUS" = 200 -a -n "$STOK" -a -n "$U2"

# --- (a) events cross nodes ---------------------------------------------------------
stream_open onB "${NODE_URL[B]}" "$VTOK"
stream_open onA "${NODE_URL[A]}" "$VTOK"
grant_via A "$U2" key_person $V2
expect_stream onB "a stream open on B hears the grant made through A" \
	"$(roles_changed key_person $V2 true)"
grant_via B "$U2" key_person $V2 false
expect_stream onA "a stream open on A hears the grant and the removal (made through B)" \
	"$(roles_changed key_person $V2 true)" "$(roles_changed key_person $V2 false)"
expect_stream onB "and so does the one on B, through its own node" \
	"$(roles_changed key_person $V2 true)" "$(roles_changed key_person $V2 false)"
check "the two nodes gave the events the same ids" \
	test "$(stream_ids onB | tr '\n' ,)" = "$(stream_ids onA | tr '\n' ,)"
stream_close onA
L=$(stream_ids onB | tail -n 1)
stream_close onB
grant_via A "$U2" resident $V1
grant_via B "$U2" resident $V1 false
stream_open resumed "${NODE_URL[A]}" "$VTOK" -H "Last-Event-ID: $L"
stream_wait resumed 2
grant_via B "$U2" key_person $V2
expect_stream resumed "a stream left on B resumes on A with Last-Event-ID: the 2 it missed, then live" \
	"$(roles_changed resident $V1 true)" "$(roles_changed resident $V1 false)" \
	"$(roles_changed key_person $V2 true)"
mapfile -t ids < <(stream_ids resumed)
check "with increasing ids after $L (${ids[*]})" increasing "$L" "${ids[@]}"
stream_close resumed

# --- (b) one run per slot -----------------------------------------------------------
poll 30 slots_at_least A 5
check "the purge job ran in at least 5 slots within 30 s ($(runs_jq A '[.runs[].slot] | unique | length'))" \
	slots_at_least A 5
runs B
check "no slot was run twice, as A lists the runs" no_slot_twice A
check "no slot was run twice, as B lists the runs" no_slot_twice B
# both lists, up to the newest run both had
M=$(jq -s '[.[] | [.runs[].id] | max] | min' "$T/runs.A.json" "$T/runs.B.json")
same() { runs_jq "$1" "[.runs[] | select(.id <= $M) | \"\(.id) \(.job) \(.slot) \(.node)\"] | join(\",\")"; }
check "A and B list the same runs (up to run $M)" test "$(same A)" = "$(same B)" -a -n "$(same A)"
check "every run was done by A or B" test "$(runs_jq B '[.runs[].node] - ["A","B"] | length')" = 0
echo "# purge runs so far: $(runs_jq B '[.runs[] | .node] | group_by(.) | map("\(.[0]): \(length)") | join(", ")')"
dups=$(db_sql "$DB" "SELECT count(*) FROM (SELECT name, slot FROM job_runs GROUP BY name, slot
	HAVING count(*) > 1) d")
check "in the database too, no job has a slot run twice (job_runs: $dups)" test "$dups" = 0
on B
as "$STOK" GET "/api/v1/jobs?job=maintain"
expect_json '[.runs[].slot] | length == (unique | length) and length >= 1' true \
	"the daily maintain job, tried by both nodes at start, ran once for its slot"

# --- (c) failover -------------------------------------------------------------------
if stop_node A; then pass "node A stops cleanly"
else fail "node A stops cleanly" "$(tail -n 20 "$T/node-A.log")"; fi
runs B
S0=$(newest_slot B)
poll 15 runs_after B "$S0" 3
check "after A stopped, new slots are run (3 within 15 s)" runs_after B "$S0" 3
check "all of them by B" \
	test "$(runs_jq B '[.runs[] | select(.slot > $s) | .node] | unique | join(",")' --argjson s "$S0")" = B
check "still no slot run twice" no_slot_twice B

# --- (d) B loses its connections ----------------------------------------------------
# C only publishes; its own connections stay up.
start_node C --jobs false || { fail "node C starts"; finish; exit 1; }
follow_open cut "${NODE_URL[B]}" "$VTOK"
grant_via C "$U2" resident $V1
stream_wait cut.1 1
check "B's event listener is connected (pg_stat_activity)" listening B
n=$(pg_admin -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	WHERE application_name = 'bm-t0960-B'")
check "the server closed B's connections, its event listener's among them ($n)" test "${n:-0}" -ge 2
grant_via C "$U2" resident $V1 false
expect_follow cut "B's open stream hears the events before and after, none lost or twice" \
	"$(roles_changed resident $V1 true)" "$(roles_changed resident $V1 false)"
poll 10 me_status B 200
check "B answers 200 again" me_status B 200
poll 10 listening B
check "B's event listener has connected again" listening B
stream_open cut2 "${NODE_URL[B]}" "$VTOK"
grant_via C "$U2" resident $V1
expect_stream cut2 "a stream opened on B afterwards hears the next event made through C" \
	"$(roles_changed resident $V1 true)"
stream_close cut2
follow_close cut

# --- (d) the PostgreSQL server stops and starts again ----------------------------------
if [ -z "${PGVERSION:-}" ] || [ -z "${PG_CLUSTER_CONF_ROOT:-}" ] ||
	[ ! -f "$PG_CLUSTER_CONF_ROOT/$PGVERSION/regress/.by_pg_virtualenv" ] ||
	[ "$(pg_admin -c 'SHOW port')" != "${PGPORT:-}" ]; then
	skip "t0960 (d): stopping the server is tried only in a throwaway cluster of pg_virtualenv"
else
	check "node C stops cleanly" stop_node C
	follow_open down "${NODE_URL[B]}" "$VTOK"
	runs B
	S1=$(newest_slot B)
	if pg_cluster stop -m fast >"$T/pg-stop.out" 2>&1; then
		PG_STOPPED=1
		pass "the PostgreSQL server stops"
	else
		fail "the PostgreSQL server stops" "$(cat "$T/pg-stop.out")"
	fi
	poll 10 me_status B 503
	expect_error 503 unavailable - "while it is away, B answers 503 on a route that needs the database" \
		"the database is unavailable"
	on B
	req GET /api/v1/me/events --max-time 10 -H "Authorization: Bearer $VTOK"
	check "and a stream opened meanwhile is refused with 503 at once ($STATUS)" test "$STATUS" = 503
	if pg_cluster start >"$T/pg-start.out" 2>&1; then
		PG_STOPPED=
		pass "the PostgreSQL server starts again"
	else
		fail "the PostgreSQL server starts again" "$(cat "$T/pg-start.out")"
	fi
	poll 30 me_status B 200
	check "B recovers by itself: 200 again" me_status B 200
	poll 10 listening B
	check "B's event listener has connected again" listening B
	poll 20 runs_after B "$S1" 2
	check "B runs the purge job again" runs_after B "$S1" 2
	check "still no slot run twice" no_slot_twice B
	# a node started now publishes: its connections are all new
	start_node P --jobs false || { fail "node P starts"; finish; exit 1; }
	stream_open after "${NODE_URL[B]}" "$VTOK"
	grant_via P "$U2" resident $V1 false
	expect_stream after "a stream opened on B after the restart hears an event made through P" \
		"$(roles_changed resident $V1 false)"
	expect_follow down "the stream open on B across the restart gets it too, nothing lost or twice" \
		"$(roles_changed resident $V1 false)"
	stream_close after
	follow_close down
	if stop_node P; then pass "node P stops cleanly"; else fail "node P stops cleanly"; fi
fi

for name in "${!NODE_PID[@]}"; do
	if stop_node "$name"; then pass "node $name stops cleanly"
	else fail "node $name stops cleanly" "$(tail -n 20 "$T/node-$name.log")"; fi
done
finish
