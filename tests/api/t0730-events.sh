#!/usr/bin/env bash
# t0730: live events and scheduled jobs. A signed-in person's stream
# (GET /api/v1/me/events, Server-Sent Events) hears roles.changed when an
# admin grants or removes one of their roles, and password.changed; a stream
# resumed with Last-Event-ID (header or ?last_event_id=) gets exactly the
# events it missed, in order; a new stream replays nothing; another
# person's stream hears none of it; bad ids, the anonymous and API keys are
# refused. The daemon stops cleanly with a stream open. Jobs: with purge
# every second, GET /api/v1/jobs shows its runs, done by this node, and is
# for operators only.
#
# Streams are `curl -N` in the background writing to a file; every wait
# polls that file (or an endpoint) with a bound, never sleeps for timing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"

PW=demo-2026
NODE=t0730-node
V1=990101103200 V2=990101103201

# --- helpers: streams ---------------------------------------------------------
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
# stream_wait NAME N: true once N events have arrived (10 s).
stream_wait() { poll 10 stream_has "$1" "$2"; }
# stream_summary NAME: "event data" of each event, one a line.
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
close_all_streams() {
	local name
	for name in "${!STREAM_PID[@]}"; do stream_close "$name"; done
}
trap 'close_all_streams; cleanup' EXIT

# increasing AFTER ID...: each id is a whole number greater than the one before,
# the first greater than AFTER.
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

# grant USER ROLE REGION / ungrant USER ROLE REGION: as the system_admin.
grant() {
	as "$STOK" POST "/api/v1/users/$1/roles" "{\"role\":\"$2\",\"region\":\"$3\"}"
	[ "$STATUS" = 201 ] || fail "grant $2 $3 to user $1" "status $STATUS: $(head -c 200 "$T/body")"
}
ungrant() {
	as "$STOK" DELETE "/api/v1/users/$1/roles/$2/$3"
	[[ $STATUS == 2* ]] || fail "remove $2 $3 of user $1" "status $STATUS: $(head -c 200 "$T/body")"
}

# --- setup --------------------------------------------------------------------
bm init --demo >/dev/null 2>&1
bm apikey add events --role village_admin --region $V1 >"$T/key.out" 2>&1
KEY=$(grep -E '^bmk_' "$T/key.out")
check "setup: an API key (village_admin of $V1)" test -n "$KEY"
start_server --job-intervals purge=1 --node-name $NODE || { fail "server starts"; finish; exit 1; }

login 19900000002 $PW
VTOK=$(json .token) U2=$(json .user.id)
login 19900000004 $PW
V2TOK=$(json .token) U4=$(json .user.id)
login 19900000009 $PW
STOK=$(json .token)
login 19900000001 $PW
RTOK=$(json .token)
check "setup: four demo persons sign in" test -n "$VTOK" -a -n "$V2TOK" -a -n "$STOK" -a -n "$RTOK" \
	-a -n "$U2" -a -n "$U4" -a "$U2" != "$U4"

# --- a live stream ------------------------------------------------------------
stream_open live "$BASE" "$VTOK"
check "a signed-in person opens their event stream" stream_running live
check "the stream is text/event-stream" \
	grep -qiE '^Content-Type: text/event-stream(;|\r?$)' "$T/live.h"
check "the stream answers 200" grep -qE '^HTTP/1\.1 200 ' "$T/live.h"
check "the stream opens with 'retry: 3000'" test "$(head -n 1 "$T/live.sse")" = "retry: 3000"
HEAD0=$(sed -nE "s/^: stream of user:$U2 from event ([0-9]+)$/\1/p" "$T/live.sse")
check "then a comment naming the stream: user:$U2 from the newest event ($HEAD0)" test -n "$HEAD0"
check "nothing is replayed when no Last-Event-ID is given" test "$(stream_count live)" -eq 0

grant "$U2" key_person $V1
expect_stream live "an admin grants the person a role: the stream hears roles.changed with its data" \
	"$(roles_changed key_person $V1 true)"
L=$(stream_ids live)
check "the event carries an id after the stream's start ($L > $HEAD0)" increasing "$HEAD0" "$L"
stream_close live

# another person's stream, open while user $U2's events happen
stream_open other "$BASE" "$V2TOK"
check "another person (user $U4) opens their stream" \
	grep -q "^: stream of user:$U4 from event " "$T/other.sse"

# --- resume with Last-Event-ID --------------------------------------------------
# Disconnected, three changes happen (and two refused requests that change
# nothing); the stream resumed after L gets exactly those three, then hears
# a fourth live (which proves nothing else was pending before it).
grant "$U2" key_person $V2
as "$STOK" POST "/api/v1/users/$U2/roles" "{\"role\":\"key_person\",\"region\":\"$V1\"}"
check "a grant the person already holds is refused ($STATUS)" test "${STATUS:0:1}" = 4
as "$V2TOK" POST "/api/v1/users/$U2/roles" "{\"role\":\"key_person\",\"region\":\"$V2\"}"
check "a village cadre may not grant a role to another village's person ($STATUS)" \
	test "${STATUS:0:1}" = 4
ungrant "$U2" key_person $V2
grant "$U2" resident $V1
stream_open resume "$BASE" "$VTOK" -H "Last-Event-ID: $L"
check "the resumed stream starts from the id given" \
	grep -qx ": stream of user:$U2 from event $L" "$T/resume.sse"
stream_wait resume 3
grant "$U2" key_person $V2
expect_stream resume "Last-Event-ID: exactly the 3 missed events in order, then the live one" \
	"$(roles_changed key_person $V2 true)" "$(roles_changed key_person $V2 false)" \
	"$(roles_changed resident $V1 true)" "$(roles_changed key_person $V2 true)"
mapfile -t ids < <(stream_ids resume)
check "their ids increase, all after $L (${ids[*]})" increasing "$L" "${ids[@]}"
L=${ids[${#ids[@]} - 1]}
stream_close resume

# --- resume with ?last_event_id= ------------------------------------------------
ungrant "$U2" resident $V1
ungrant "$U2" key_person $V2
grant "$U2" resident $V1
stream_open resumeq "$BASE" "$VTOK" --get --data "last_event_id=$L"
check "?last_event_id= starts the stream from that id" \
	grep -qx ": stream of user:$U2 from event $L" "$T/resumeq.sse"
stream_wait resumeq 3
ungrant "$U2" resident $V1
expect_stream resumeq "last_event_id: exactly the 3 missed events in order, then the live one" \
	"$(roles_changed resident $V1 false)" "$(roles_changed key_person $V2 false)" \
	"$(roles_changed resident $V1 true)" "$(roles_changed resident $V1 false)"
mapfile -t ids < <(stream_ids resumeq)
check "their ids increase, all after $L (${ids[*]})" increasing "$L" "${ids[@]}"
L=${ids[${#ids[@]} - 1]}
stream_close resumeq

# --- a new stream replays nothing -------------------------------------------------
stream_open fresh "$BASE" "$VTOK"
check "a new stream without Last-Event-ID starts at the newest event ($L)" \
	grep -qx ": stream of user:$U2 from event $L" "$T/fresh.sse"
grant "$U2" key_person $V2
expect_stream fresh "and hears only what happens after it opened" \
	"$(roles_changed key_person $V2 true)"
stream_close fresh

# --- another person hears none of it -------------------------------------------
grant "$U4" key_person $V2
expect_stream other "another person's stream heard only their own event, none of user $U2's" \
	"$(roles_changed key_person $V2 true)"
stream_close other

# --- refusals -----------------------------------------------------------------------
# --max-time: a refusal answers at once; a stream would be cut and show as 200
for bad in abc -1 12x 99999999999999999999; do
	req GET /api/v1/me/events --max-time 10 -H "Authorization: Bearer $VTOK" -H "Last-Event-ID: $bad"
	expect_error 400 invalid Last-Event-ID "Last-Event-ID '$bad' is refused with 400 naming the field"
done
for bad in abc -1; do
	req GET "/api/v1/me/events?last_event_id=$bad" --max-time 10 -H "Authorization: Bearer $VTOK"
	expect_error 400 invalid last_event_id "?last_event_id=$bad is refused with 400 naming the field"
done
req GET /api/v1/me/events --max-time 10
expect_error 401 unauthenticated - "the anonymous get 401"
req GET /api/v1/me/events --max-time 10 -H 'Authorization: Bearer bms_noSuchSessionToken000000000000000000000'
expect_error 401 unauthenticated - "an unknown session token gets 401"
req GET /api/v1/me/events --max-time 10 -H "Authorization: Bearer $KEY"
expect_error 400 invalid - "an API key gets 400: it is no person"

# --- password.changed -------------------------------------------------------------
stream_open pw "$BASE" "$VTOK"
as "$VTOK" POST /api/v1/me/password "{\"old_password\":\"$PW\",\"new_password\":\"Events-2026-changed\"}"
expect_status 200 "the person changes their password"
expect_stream pw "their stream hears password.changed" \
	'password.changed {"other_sessions":"closed"}'

# --- scheduled jobs ---------------------------------------------------------------
# purge_runs N: true once GET /api/v1/jobs?job=purge lists N finished runs.
purge_runs() {
	as "$STOK" GET "/api/v1/jobs?job=purge&limit=$1"
	[ "$STATUS" = 200 ] && [ "$(json '[.runs[] | select(.outcome != "running")] | length')" -ge "$1" ]
}
poll 15 purge_runs 3
expect_status 200 "a system_admin reads the purge job's runs"
check "with purge every second, 3 runs are listed within 15 s" \
	test "$(json '[.runs[] | select(.outcome != "running")] | length')" -ge 3
expect_json '.runs | length' 3 "limit=3 lists 3 runs"
expect_json '[.runs[] | .job] | unique | join(",")' purge "every run listed is of the purge job"
expect_json '[.runs[] | .node] | unique | join(",")' "$NODE" "every run was done by node $NODE (--node-name)"
expect_json '[.runs[] | select(.outcome != "running") | .outcome] | unique | join(",")' ok \
	"the finished runs went ok"
expect_json '[.runs[] | select(.outcome == "ok") | .detail |
	test("^removed [0-9]+ sessions, [0-9]+ sign-in attempts, [0-9]+ events$")] | all' true \
	"each run says what it removed"
expect_json '[.runs[] | .slot == .started_at] | all' true "with a 1 s interval, a run's slot is its start second"
expect_json '[.runs[].slot] as $s | $s == ($s | sort | reverse) and ($s | unique | length) == 3' \
	true "newest first, each slot once"
expect_json '[.runs[] | select(.finished_at != null) | .finished_at >= .started_at] | all' true \
	"a finished run ends at or after its start"
expect_json '.jobs | map("\(.name)=\(.default_interval_s)") | join(",")' \
	purge=3600,maintain=86400,demands=60,patrol=60,supervision=3600,exchange=60,entitle.evaluate=600,entitle.advance=3600,entitle.dispatch=60,outbox.send=60 "the jobs are listed with their default intervals"
as "$STOK" GET "/api/v1/jobs?limit=1000"
expect_json '[.runs[] | select(.job == "maintain") | .outcome] | length >= 1 and all(. == "ok")' \
	true "without ?job=, the daily maintain job's run is listed too, ok"
as "$STOK" GET "/api/v1/jobs?job=nosuch"
expect_error 400 invalid job "an unknown job name is refused with 400 naming the field"
as "$STOK" GET "/api/v1/jobs?limit=0"
expect_error 400 invalid limit "limit=0 is refused with 400 naming the field"
as "$RTOK" GET /api/v1/jobs
expect_error 403 forbidden - "a resident gets 403 on the jobs"
as "$V2TOK" GET /api/v1/jobs
expect_error 403 forbidden - "a village admin gets 403 on the jobs"
as "$KEY" GET /api/v1/jobs
expect_error 403 forbidden - "a village admin's API key gets 403 on the jobs"
req GET /api/v1/jobs
expect_error 401 unauthenticated - "the anonymous get 401 on the jobs"

# --- the daemon stops with a stream open ----------------------------------------------
check "the stream of the password change is still open" stream_running pw
if stop_server; then pass "the daemon stops cleanly with a stream open"
else fail "the daemon stops cleanly with a stream open" "$(tail -n 20 "$T/serve.log")"; fi
stream_ended() { ! stream_running pw; }
check "and the stream ends with it" poll 10 stream_ended
finish
