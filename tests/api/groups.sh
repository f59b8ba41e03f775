# tests/api/groups.sh - helpers of the service network tests (t10xx),
# sourced after lib.sh and accounts.sh: the demo persons signed in, groups
# found by region, new persons with a password of their own, member and
# message counts, bounded polls and Server-Sent Event streams of a group.
#
# Streams are `curl -N` in the background writing to a file; every wait
# polls that file (or an endpoint) with a bound, never sleeps for timing.
# close_all_streams runs on exit (the trap below), before lib.sh's cleanup.

GPW=demo-2026
V1=990101103200 V2=990101103201 TOWN=990101103 OTHER_VILLAGE=990101001001

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

# signin VAR PHONE [PASSWORD]: sign PHONE in; its token in VAR, its user id
# in VAR_ID. False (with a failed check) when it does not work.
signin() {
	local var=$1 phone=$2 pw=${3:-$GPW}
	login "$phone" "$pw"
	if [ "$STATUS" != 200 ]; then
		fail "setup: $phone signs in" "status $STATUS: $(head -c 200 "$T/body")"
		return 1
	fi
	printf -v "$var" '%s' "$(json .token)"
	printf -v "${var}_ID" '%s' "$(json .user.id)"
}

# The demo persons of `bianmin init --demo` (see groups_demo.c):
#   RES  19900000001 resident of V1, member of its group
#   OWN  19900000002 village_admin of V1, owner of its group (on duty daily)
#   DOC  19900000003 key_person (村医) of V1, key person of its group
#   OWN2 19900000004 village_admin of V2, owner of its group
#   TSUP 19900000005 town_supervisor of 990101103
#   CSUP 19900000006 county_supervisor of 990101
#   ADM  19900000009 system_admin of 990101
signin_demo() {
	signin RES 19900000001 && signin OWN 19900000002 && signin DOC 19900000003 &&
		signin OWN2 19900000004 && signin TSUP 19900000005 && signin CSUP 19900000006 &&
		signin ADM 19900000009
}

# group_of REGION [KIND]: print the id of the standing group of REGION
# (kind village, town or county; village by default), asked as ADM.
group_of() {
	as "$ADM" GET "/api/v1/groups?within=$1&kind=${2:-village}&limit=1"
	json '.groups[0].id // empty'
}

# join_code GROUP: the code of GROUP's join link (asked as ADM).
join_code() {
	as "$ADM" GET "/api/v1/groups/$1"
	json '.join_url // "" | split("/") | last'
}

# member_count GROUP: the group's active members, as ADM sees them.
member_count() {
	as "$ADM" GET "/api/v1/groups/$1"
	json .members
}

# message_count GROUP TOKEN: the messages of GROUP that TOKEN's holder sees
# (at most 200).
message_count() {
	as "$2" GET "/api/v1/groups/$1/messages?limit=200"
	json '.messages | length'
}

# msg_total GROUP: every message of GROUP in the database.
msg_total() { db_sql "$DB" "SELECT count(*) FROM messages WHERE group_id = $1"; }

# not_grep_body TEXT: the last reply does not contain TEXT.
not_grep_body() { ! grep -qF -- "$1" "$T/body"; }
# not_grep_file FILE ERE: FILE has no line matching ERE.
not_grep_file() { ! grep -qE -- "$2" "$1"; }

# new_person VAR NAME PHONE [REGION [HOUSEHOLD]]: an account made by ADM (a
# resident of REGION, V1 by default; of household id HOUSEHOLD when given)
# that has signed in and changed its one-time password: its token in VAR,
# its id in VAR_ID.
NEW_PW=Groups-2026-own
new_person() {
	local var=$1 name=$2 phone=$3 region=${4:-$V1} otp hh=
	[ -n "${5:-}" ] && hh=",\"household_id\":$5"
	as "$ADM" POST /api/v1/users \
		"{\"name\":\"$name\",\"phone\":\"$phone\",\"region\":\"$region\"$hh}"
	if [ "$STATUS" != 201 ]; then
		fail "setup: account $phone is made" "status $STATUS: $(head -c 200 "$T/body")"
		return 1
	fi
	otp=$(json .one_time_password)
	signin "$var" "$phone" "$otp" || return 1
	as "${!var}" POST /api/v1/me/password "{\"old_password\":\"$otp\",\"new_password\":\"$NEW_PW\"}"
	if [ "$STATUS" != 200 ]; then
		fail "setup: $phone changes the one-time password" "status $STATUS"
		return 1
	fi
}

# expect_problems DESCRIPTION PATTERN...: the last reply's error.problems
# has one entry matching each extended regular expression, in order, and no
# more.
expect_problems() {
	local desc=$1 got want
	shift
	got=$(jq -r '.error.problems // [] | .[]' "$T/body" 2>/dev/null)
	want=$#
	local n i=0 ok=1
	n=$(grep -c . <<<"$got")
	[ "$n" -eq "$want" ] || ok=
	if [ -n "$ok" ] && [ "$n" -gt 0 ]; then
		while IFS= read -r line; do
			i=$((i + 1))
			[[ $line =~ ${!i} ]] || ok=
		done <<<"$got"
	fi
	if [ -n "$ok" ]; then pass "$desc"
	else fail "$desc" "problems [$(tr '\n' '|' <<<"$got")], want $want matching [$*]"; fi
}

# --- Server-Sent Events ---------------------------------------------------------
# stream_open NAME PATH TOKEN [curl arguments...]: open the stream at PATH
# in the background: body in $T/NAME.sse, headers in $T/NAME.h. True once
# the stream's opening comment has arrived (10 s); false at once when the
# answer is no stream.
declare -A STREAM_PID
stream_open() {
	local name=$1 path=$2 tok=$3
	shift 3
	: >"$T/$name.sse"
	curl -s -N -D "$T/$name.h" -o "$T/$name.sse" -H "Authorization: Bearer $tok" "$@" \
		"$BASE$path" 2>/dev/null &
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
stream_ids() { stream_events "$1" | cut -f1; }
# stream_kinds NAME: the event names, one a line.
stream_kinds() { stream_events "$1" | cut -f2; }
# stream_data NAME: the data of each event, one a line.
stream_data() { stream_events "$1" | cut -f3; }
# expect_stream_json NAME JQ EXPECTED DESCRIPTION: JQ over the data of
# NAME's events (slurped into one array) gives EXPECTED.
expect_stream_json() {
	local got
	got=$(stream_data "$1" | jq -rs "$2" 2>/dev/null)
	if [ "$got" = "$3" ]; then pass "$4"; else fail "$4" "$2 is '$got', expected '$3'"; fi
}
stream_running() { kill -0 "${STREAM_PID[$1]}" 2>/dev/null; }
stream_ended() { ! stream_running "$1"; }
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
