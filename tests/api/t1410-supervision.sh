#!/usr/bin/env bash
# t1410: 督办 and 通报, on the daemon's clock set to chosen China times
# (BIANMIN_CLOCK_OFFSET) and checks run by `bianmin supervision check --at`
# at chosen instants: nothing waits for time.
#
# A town supervisor issues a reminder (催办) on a demand on Friday
# 2024-11-15 with the default 5 working days: the deadline is the end of
# the next Friday (the weekend skipped). Checked at the end of 4 working
# days and a second before the deadline it is not in the 通报; at the
# deadline it is, in the 通报 of 2024-11. A reminder whose demand is
# resolved in time never is. The supervised (who handle the demand, not
# who issued it) acknowledge the reminder and the 通报, once each; an alert's
# reminder is acknowledged by a manager of its group. Another town's
# supervisor sees nothing (404), a resident may do nothing (403); bad input
# changes nothing; every step is audited.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"
. "$(dirname "$0")/groups.sh"
. "$(dirname "$0")/clock.sh"

bm init --demo >"$T/init.out" 2>&1
check "setup: init --demo" test $? -eq 0
bm user add --role town_supervisor --region 990101001 另一镇督查 13900002222 >"$T/tsup2.out" 2>&1
TSUP2_OTP=$(sed -n 's/^one-time password: //p' "$T/tsup2.out")
check "setup: a supervisor of another town (990101001)" test -n "$TSUP2_OTP"
TSUP2_PW=Supervise-town-2

# daemon_at "YYYY-MM-DD HH:MM:SS": the daemon restarted at that China time
# (at_china), the other town's supervisor signed in again too.
daemon_at() {
	at_china "$1"
	signin TSUP2 13900002222 "$TSUP2_PW" || { finish; exit 1; }
}
# check_at "YYYY-MM-DD HH:MM:SS": one check at exactly that China time, on
# the clock moved a little past it; its tally in $T/check.out.
check_at() {
	local e
	e=$(china_epoch "$1")
	BIANMIN_CLOCK_OFFSET=$((e + 5 - $(date +%s))) bm supervision check \
		--at "$(date -u -d "@$e" +%Y-%m-%dT%H:%M:%SZ)" >"$T/check.out" 2>&1
}
# notices TOKEN [PERIOD] [REGION]: the 通报 of PERIOD (2024-11) in REGION (the town).
notices() { as "$1" GET "/api/v1/supervision/notices?period=${2:-2024-11}&region=${3:-$TOWN}"; }
listed() { notices "$TSUP" && jq -e --argjson i "$1" 'any(.items[]; .id == $i)' "$T/body" >/dev/null; }
not_listed() { notices "$TSUP" && jq -e --argjson i "$1" 'all(.items[]; .id != $i)' "$T/body" >/dev/null; }
sup_count() { db_sql "$DB" "SELECT count(*) FROM supervisions"; }
audited() { test "$(db_sql "$DB" "SELECT count(*) FROM audit_log WHERE action = '$1' AND object = '$2'")" = "${3:-1}"; }
# raise: a demand of the resident; its id in DID.
raise() {
	as "$RES" POST /api/v1/demands '{"category":"roads.lights","description":"路灯坏了三天了"}'
	DID=$(json '.id // empty')
}
act() {
	local v
	v=$(db_sql "$DB" "SELECT version FROM cases WHERE id = $2")
	as "$1" POST "/api/v1/demands/$2/actions" "$(jq -c --argjson v "$v" '. + {version: $v}' <<<"$3")"
}

# --- the first password of the other town's supervisor ---------------------------
BIANMIN_CLOCK_OFFSET=$(china_offset "2024-11-15 09:00:00") start_server --jobs false ||
	{ fail "the daemon starts"; finish; exit 1; }
login 13900002222 "$TSUP2_OTP"
as "$(json .token)" POST /api/v1/me/password \
	"{\"old_password\":\"$TSUP2_OTP\",\"new_password\":\"$TSUP2_PW\"}"
check "setup: the other town's supervisor sets a password" test "$STATUS" = 200

# --- Friday 2024-11-15, 10:00: reminders ------------------------------------------
daemon_at "2024-11-15 10:00:00"
G1=$(group_of $V1)
raise
D1=$DID
raise
D2=$DID
check "setup: two demands of village $V1" test -n "$D1" -a -n "$D2"

as "$TSUP" POST /api/v1/supervision "{\"object\":\"case:$D1\",\"note\":\"请尽快修复路灯\"}"
expect_status 201 "the town supervisor issues a reminder on a demand (201)"
S1=$(json .id)
expect_json '[.object, .state, .days, .deadline, .region, .acknowledged_at] | map(tostring) | join(" ")' \
	"case:$D1 open 5 2024-11-22T16:00:00Z $V1 null" \
	"5 working days from Friday end with the next Friday: the weekend does not count"
as "$TSUP" POST /api/v1/supervision "{\"object\":\"case:$D2\",\"note\":\"请办理\",\"days\":5}"
expect_status 201 "and one on the second demand"
S2=$(json .id)
as "$OWN" GET "/api/v1/demands/$D1"
expect_json '[.timeline[] | select(.action == "supervise") | .detail] | join(",")' "请尽快修复路灯" \
	"the reminder is a line on the demand's timeline, with its note"
check "the village's group is told by an event" \
	test "$(db_sql "$DB" "SELECT count(*) FROM events WHERE topic = 'cases:$G1' AND kind = 'supervision.issued'")" = 2
check "the issue is audited" audited supervision.issue "case:$D1"

before=$(sup_count)
as "$RES" POST /api/v1/supervision "{\"object\":\"case:$D1\",\"note\":\"x\"}"
expect_error 403 forbidden - "a resident cannot issue a reminder (403)"
as "$TSUP2" POST /api/v1/supervision "{\"object\":\"case:$D1\",\"note\":\"x\"}"
expect_error 404 not_found - "another town's supervisor cannot see the demand (404)"
as "$TSUP" POST /api/v1/supervision "{\"object\":\"case:99999\",\"note\":\"x\"}"
expect_error 404 not_found - "a demand that does not exist (404)"
as "$TSUP" POST /api/v1/supervision "{\"object\":\"demand:$D1\",\"note\":\"x\"}"
expect_error 400 invalid object "an object that is no alert or demand is refused"
as "$TSUP" POST /api/v1/supervision "{\"object\":\"case:$D1\",\"note\":\"x\",\"days\":31}"
expect_error 400 invalid days "more than 30 working days is refused"
as "$TSUP" POST /api/v1/supervision "{\"object\":\"case:$D1\"}"
expect_error 400 invalid note "a reminder needs a note"
as "$TSUP" POST /api/v1/supervision "$(jq -nc --arg n "$(printf '催%.0s' $(seq 1 501))" --arg o "case:$D1" '{object: $o, note: $n}')"
expect_error 400 invalid note "a note over 500 characters is refused" "500"
check "nothing was stored by the refusals" test "$(sup_count)" = "$before"

# --- acknowledging the reminder ---------------------------------------------------
as "$TSUP" POST "/api/v1/supervision/$S1/acknowledge"
expect_error 403 forbidden - "who issued it does not acknowledge it (403)"
as "$RES" POST "/api/v1/supervision/$S1/acknowledge"
expect_error 403 forbidden - "a resident cannot (403)"
as "$OWN2" POST "/api/v1/supervision/$S1/acknowledge"
expect_error 404 not_found - "the admin of another village does not see it (404)"
as "$TSUP2" POST "/api/v1/supervision/$S1/acknowledge"
expect_error 404 not_found - "nor does another town's supervisor (404)"
as "$OWN" POST "/api/v1/supervision/$S1/acknowledge"
expect_status 200 "the village admin, who handles the demand, acknowledges it"
expect_json "[.acknowledged_by, (.acknowledged_at != null)] | map(tostring) | join(\" \")" "$OWN_ID true" \
	"who and when are recorded"
as "$DOC" POST "/api/v1/supervision/$S1/acknowledge"
expect_error 409 conflict - "only once (409)"
check "the acknowledgement is audited" audited supervision.acknowledge "supervision:$S1"

# the second demand is resolved in time
act "$OWN" $D2 '{"action":"acknowledge"}'
act "$OWN" $D2 '{"action":"resolve","reason":"已更换灯泡"}'
expect_status 200 "setup: the second demand is resolved on Friday"

# --- an alert: acknowledged by a manager of its group -------------------------------
as "$RES" POST "/api/v1/groups/$G1/messages" '{"text":"村东头着火了，快来人"}'
FIRE=$(json '.id // empty')
as "$RES" POST "/api/v1/groups/$G1/messages" '{"text":"村西头也着火了"}'
FIRE2=$(json '.id // empty')
BIANMIN_CLOCK_OFFSET=$(china_offset "2024-11-15 10:30:00") bm patrol >/dev/null 2>&1
A=$(db_sql "$DB" "SELECT id FROM alerts WHERE kind = 'emergency' AND object = 'message:$FIRE'")
B=$(db_sql "$DB" "SELECT id FROM alerts WHERE kind = 'emergency' AND object = 'message:$FIRE2'")
check "setup: two emergency alerts" test -n "$A" -a -n "$B"
as "$TSUP" POST /api/v1/supervision "{\"object\":\"alert:$B\",\"note\":\"核实火情\",\"days\":1}"
SB=$(json .id)
as "$RES" POST "/api/v1/alerts/$B/close"
expect_error 403 forbidden - "a resident cannot close an alert (403)"
as "$TSUP2" POST "/api/v1/alerts/$B/close"
expect_error 404 not_found - "another town's supervisor does not see it (404)"
as "$TSUP" POST "/api/v1/alerts/$B/close"
expect_status 200 "the town supervisor closes the alert once it is dealt with"
expect_json .state closed "it is closed"
as "$TSUP" POST "/api/v1/alerts/$B/close"
expect_error 409 conflict - "once (409)"
check "closing is audited" audited alert.close "alert:$B"
as "$TSUP" POST /api/v1/supervision "{\"object\":\"alert:$B\",\"note\":\"x\"}"
expect_error 409 conflict - "a closed alert takes no reminder (409)"
as "$TSUP" POST /api/v1/supervision "{\"object\":\"alert:$A\",\"note\":\"核实火情\",\"days\":1}"
expect_status 201 "a reminder on an alert"
SA=$(json .id)
expect_json .deadline "2024-11-18T16:00:00Z" "1 working day from Friday ends on Monday"
as "$TSUP2" POST /api/v1/supervision "{\"object\":\"alert:$A\",\"note\":\"x\"}"
expect_error 404 not_found - "another town's supervisor does not see the alert (404)"
as "$DOC" POST "/api/v1/supervision/$SA/acknowledge"
expect_error 403 forbidden - "a key person of the group, no manager, cannot acknowledge it (403)"
as "$OWN" POST "/api/v1/supervision/$SA/acknowledge"
expect_status 200 "the group's owner acknowledges it"

# --- the check: not after 4 working days, at the deadline after 5 ----------------------
check_at "2024-11-22 00:00:00"
check "the check runs" grep -q "listed in the 通报" "$T/check.out"
check "after 4 working days (Thursday ends) the reminder is not in the 通报" not_listed $S1
check "the reminder resolved in time is settled as resolved" \
	test "$(db_sql "$DB" "SELECT state FROM supervisions WHERE id = $S2")" = resolved
check "the alert's reminder, its alert still open on Monday night, is listed" listed $SA
check "the closed alert's reminder is resolved" \
	test "$(db_sql "$DB" "SELECT state FROM supervisions WHERE id = $SB")" = resolved
check_at "2024-11-22 23:59:59"
check "a second before the deadline it is not" not_listed $S1
check_at "2024-11-23 00:00:00"
check "at the end of the 5th working day it is" listed $S1
check "the one resolved in time never is" not_listed $S2
check "the listing is audited" audited supervision.notice "supervision:$S1"
check "and the village's group told" \
	test "$(db_sql "$DB" "SELECT count(*) FROM events WHERE topic = 'cases:$G1' AND kind = 'supervision.noticed'")" = 2
as "$OWN" GET "/api/v1/demands/$D1"
expect_json '[.timeline[].action] | index("supervision_notice") != null' true \
	"the 通报 is a line on the demand's timeline"
check_at "2024-11-24 00:00:00"
check "a later check lists nothing again" grep -q "^0 reminders resolved, 0 listed" "$T/check.out"

# --- reading the 通报 ---------------------------------------------------------------
daemon_at "2024-11-25 10:00:00"
notices "$TSUP"
expect_status 200 "the town supervisor reads the 通报 of November"
expect_json "[.items[] | select(.id == $S1) | .object, .region, .deadline, .days_overdue, .issued_by] | map(tostring) | join(\" \")" \
	"case:$D1 $V1 2024-11-22T16:00:00Z 2 $TSUP_ID" "who, what, since when and days overdue"
notices "$OWN" 2024-11 $V1
expect_status 200 "the village admin (who reads demands) reads their village's"
expect_json "[.items[].id] | index($S1) != null" true "with the reminder in it"
notices "$OWN"
expect_error 404 not_found - "but not the whole town's (404)"
notices "$TSUP" 2024-12
expect_json '.items | length' 0 "December's 通报 is empty"
notices "$RES"
expect_error 403 forbidden - "a resident cannot read it (403)"
notices "$TSUP2"
expect_error 404 not_found - "another town's supervisor cannot read this town's (404)"
notices "$TSUP" 2024-13
expect_error 400 invalid period "a period is a month"

# --- acknowledging the 通报 --------------------------------------------------------
as "$OWN" POST "/api/v1/supervision/notices/$S2/acknowledge"
expect_error 409 conflict - "a reminder that is not listed has no 通报 to acknowledge"
as "$TSUP" POST "/api/v1/supervision/notices/$S1/acknowledge"
expect_error 403 forbidden - "who issued it does not acknowledge its 通报"
as "$TSUP2" POST "/api/v1/supervision/notices/$S1/acknowledge"
expect_error 404 not_found - "another town's supervisor does not see it"
as "$OWN" POST "/api/v1/supervision/notices/$S1/acknowledge"
expect_status 200 "the village admin acknowledges the 通报"
expect_json "[.notice_acknowledged_by, .period] | map(tostring) | join(\" \")" "$OWN_ID 2024-11" "who is recorded"
as "$OWN" POST "/api/v1/supervision/notices/$S1/acknowledge"
expect_error 409 conflict - "once"
check "the 通报's acknowledgement is audited" audited supervision.notice_acknowledge "supervision:$S1"

# --- the command line --------------------------------------------------------------
bm supervision nosuch >"$T/bad.out" 2>&1
check "an unknown subcommand is a usage error (exit 2)" test $? -eq 2
bm supervision check --at 2999-01-01T00:00:00Z >"$T/bad.out" 2>&1
check "a check in the future is refused (exit 2)" test $? -eq 2

finish
