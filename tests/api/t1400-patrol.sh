#!/usr/bin/env bash
# t1400: the smart patrol (智能巡群) and its alerts, on the daemon's clock set
# to chosen China times (BIANMIN_CLOCK_OFFSET) and sweeps run by `bianmin
# patrol --json` at chosen instants: nothing waits for time.
#
# A resident's question unanswered is found 3 minutes after it was asked and
# not a second before; one the cadre answered never is; one asked at 21:00
# is found at 08:03 the next morning. An emergency word raises an alert at
# once; a complaint about cadres too, and hiding it raises another. Demands
# whose clocks warn or are missed, a household's third demand about one
# category within 30 days, and groups with nobody on duty, are found. Alerts reach the town that supervises the village, live (SSE) and
# in its listing, and no other town; a finding read again is one alert;
# acknowledging works once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"
. "$(dirname "$0")/groups.sh"
. "$(dirname "$0")/clock.sh"

bm init --demo >"$T/init.out" 2>&1
check "setup: init --demo" test $? -eq 0
bm user add --role town_supervisor --region 990101001 另一镇督查 13900002222 >"$T/tsup2.out" 2>&1
TSUP2_OTP=$(sed -n 's/^one-time password: //p' "$T/tsup2.out")
check "setup: a supervisor of another town (990101001)" test -n "$TSUP2_OTP"
TSUP2_PW=Patrol-town-2

# daemon_at "YYYY-MM-DD HH:MM:SS": the daemon restarted at that China time
# (at_china), the other town's supervisor signed in again too.
daemon_at() {
	at_china "$1"
	signin TSUP2 13900002222 "$TSUP2_PW" || { finish; exit 1; }
}
# sweep EPOCH: one sweep at exactly that instant (--at), on the clock
# moved a little past it (a sweep cannot look into the future); its findings
# in $T/patrol.json.
sweep() {
	BIANMIN_CLOCK_OFFSET=$(($1 + 5 - $(date +%s))) bm patrol --json \
		--at "$(date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ)" >"$T/patrol.json" 2>"$T/patrol.err"
}
# patrol_at "YYYY-MM-DD HH:MM:SS": one sweep at that China time.
patrol_at() { sweep "$(china_epoch "$1")"; }
# patrol_after MESSAGE SECONDS: one sweep SECONDS after MESSAGE was posted
# (the daemon's clock runs on while the test works: a post at "10:00"
# happens some seconds later).
patrol_after() { sweep $(($(db_sql "$DB" "SELECT at FROM messages WHERE id = $1") + $2)); }
# jqt FILTER FILE: true when the filter is true of FILE.
jqt() { jq -e "$@" >/dev/null; }
# found KIND OBJECT: the last sweep found it (new or not).
found() { jq -e --arg k "$1" --arg o "$2" \
	'any(.findings[]; .kind == $k and .object == $o)' "$T/patrol.json" >/dev/null; }
not_found() { jq -e --arg k "$1" --arg o "$2" \
	'all(.findings[]; .kind != $k or .object != $o)' "$T/patrol.json" >/dev/null; }
# alert_id KIND OBJECT: the stored alert's id (empty when none).
alert_id() { db_sql "$DB" "SELECT id FROM alerts WHERE kind = '$1' AND object = '$2'"; }
alert_count() { db_sql "$DB" "SELECT count(*) FROM alerts WHERE kind = '$1' AND object = '$2'"; }
# post TOKEN GROUP JSON: a message; its id in MID.
post() {
	as "$1" POST "/api/v1/groups/$2/messages" "$3"
	MID=$(json '.id // empty')
}

# --- the first password of the other town's supervisor ---------------------------
BIANMIN_CLOCK_OFFSET=$(china_offset "2024-10-14 09:59:00") start_server --jobs false ||
	{ fail "the daemon starts"; finish; exit 1; }
login 13900002222 "$TSUP2_OTP"
as "$(json .token)" POST /api/v1/me/password \
	"{\"old_password\":\"$TSUP2_OTP\",\"new_password\":\"$TSUP2_PW\"}"
check "setup: the other town's supervisor sets a password" test "$STATUS" = 200

# --- Monday 2024-10-14, 10:00: questions, answered and not ---------------------
daemon_at "2024-10-14 10:00:00"
G1=$(group_of $V1) G2=$(group_of $V2)
stream_open town "/api/v1/alerts/events?region=$TOWN" "$TSUP"
check "the town supervisor follows the alerts addressed to town $TOWN" test $? -eq 0
stream_open other "/api/v1/alerts/events?region=$TOWN" "$TSUP2"
check "another town's supervisor cannot follow them (404)" grep -q '^HTTP/1.1 404' "$T/other.h"
stream_open resident "/api/v1/alerts/events?region=$TOWN" "$RES"
check "nor can a resident (403)" grep -q '^HTTP/1.1 403' "$T/resident.h"

post "$RES" $G1 '{"text":"请问这个月的低保什么时候发？"}'
Q1=$MID
post "$RES" $G1 '{"text":"村口路灯坏了，麻烦来看看"}'
Q2=$MID
post "$OWN" $G1 "{\"text\":\"收到，下午电工去修\",\"reply_to\":$Q2}"
check "setup: a resident asks twice, the owner answers the second at once" \
	test -n "$Q1" -a -n "$Q2" -a "$STATUS" = 201
post "$RES" $G1 '{"text":"谢谢书记"}'
THANKS=$MID
post "$RES" $G1 '{"text":"家里断电三天了"}'
POWER=$MID

patrol_after $Q1 179
check "a sweep 2:59 after the question runs (exit 0)" test $? -eq 0
check "the unanswered question is not found at 2:59" not_found unanswered "message:$Q1"
check "nor is any alert stored for it" test "$(alert_count unanswered "message:$Q1")" = 0
patrol_after $Q1 181
check "at 3:01 the question is found unanswered" found unanswered "message:$Q1"
A_Q1=$(alert_id unanswered "message:$Q1")
check "and stored once as an alert" test "$(alert_count unanswered "message:$Q1")" = 1
check "the question the owner answered within the window is not found" \
	not_found unanswered "message:$Q2"
check "chat (谢谢书记) is no question" not_found unanswered "message:$THANKS"
jq -r --arg o "message:$Q1" '.findings[] | select(.object == $o and .kind == "unanswered")
	| [.supervisor, .region, .group_id, .severity, .state, .kind_name] | map(tostring) | join(" ")' \
	"$T/patrol.json" >"$T/q1.txt"
check "it is addressed to the town of the village, open, named in Chinese" \
	test "$(cat "$T/q1.txt")" = "$TOWN $V1 $G1 2 open 群众提问未及时回复"
patrol_after $Q2 900
check "the answered question is never found, even 15 minutes later" \
	test "$(alert_count unanswered "message:$Q2")" = 0
check "a demand in plain words (家里断电三天了: the classifier's) unanswered is found too" \
	test "$(alert_count unanswered "message:$POWER")" = 1
check "chat never is" test "$(alert_count unanswered "message:$THANKS")" = 0

# --- groups with nobody on duty (the first sweep checked every group in hours) ----
check "the first sweep found village $V2's group with nobody on duty" \
	test "$(db_sql "$DB" "SELECT count(*) FROM alerts WHERE kind = 'no_duty' AND group_id = $G2")" = 1
check "but not village $V1's group, whose owner is on duty every day" \
	test "$(db_sql "$DB" "SELECT count(*) FROM alerts WHERE kind = 'no_duty' AND group_id = $G1")" = 0

# --- an emergency: at once, by a sweep in the daemon --------------------------------
post "$RES" $G1 '{"text":"村东头着火了，快来人"}'
FIRE=$MID
as "$RES" POST /api/v1/patrol/run
expect_error 403 forbidden - "a resident cannot run the patrol"
as "$ADM" POST /api/v1/patrol/run
expect_status 200 "an operator runs a sweep now (POST /api/v1/patrol/run)"
cp "$T/body" "$T/patrol.json"
check "the emergency word is found at once" found emergency "message:$FIRE"
A_FIRE=$(alert_id emergency "message:$FIRE")
check "urgent (severity 3), with the word in its summary" \
	jqt --arg o "message:$FIRE" 'any(.findings[]; .object == $o and .kind == "emergency"
		and .severity == 3 and (.summary | contains("着火")) and .new)' "$T/patrol.json"

# --- what the town supervisor sees, live and listed ---------------------------------
# (events of sweeps run by another process, `bianmin patrol`, reach a SQLite
# daemon's streams at its next 15-second heartbeat; the daemon's own at once)
fire_event() { stream_data town | grep -q "\"id\":$A_FIRE,"; }
check "the emergency reaches the town's live feed at once" poll 5 fire_event
check "as alert.raised" test "$(stream_kinds town | sort -u)" = "alert.raised"
as "$TSUP" GET /api/v1/alerts
expect_status 200 "the town supervisor lists alerts"
expect_json "[.items[] | select(.id == $A_FIRE or .id == $A_Q1)] | length" 2 \
	"the emergency and the unanswered question are listed"
expect_json '[.items[].supervisor] | unique | join(",")' "$TOWN" \
	"every alert listed is addressed to their town"
as "$TSUP" GET '/api/v1/alerts?kind=emergency'
expect_json '[.items[].kind] | unique | join(",")' emergency "the listing filters by kind"
as "$TSUP2" GET /api/v1/alerts
expect_status 200 "another town's supervisor lists alerts too"
expect_json "[.items[] | select(.supervisor == \"$TOWN\")] | length" 0 \
	"but sees none addressed to town $TOWN"
as "$TSUP2" GET "/api/v1/alerts?region=$TOWN"
expect_error 404 not_found - "asking for town $TOWN's alerts is as if there were none"
as "$CSUP" GET "/api/v1/alerts?region=$TOWN&kind=emergency"
expect_json "[.items[].id] | index($A_FIRE) != null" true "the county supervisor sees the town's alerts"
as "$RES" GET /api/v1/alerts
expect_error 403 forbidden - "a resident sees no alerts"
as "$OWN" GET /api/v1/alerts
expect_error 403 forbidden - "nor does the village cadre they are about"
as "$TSUP" GET '/api/v1/alerts?kind=nosuch'
expect_error 400 invalid kind "an unknown kind is refused"

# --- dedup: a finding read again is the same alert ----------------------------------
# inbox_put ID JUDGED: message ID back in the patrol's inbox, with the copy
# of it the inbox holds (as posting or migration 0025 writes it)
inbox_put() {
	db_sql "$DB" "INSERT INTO patrol_inbox(message_id, judged, group_id, author_id, author_name,
		kind, reply_to, at, body) SELECT m.id, $2, m.group_id, coalesce(m.author_id, 0),
		m.author_name, m.kind, coalesce(m.reply_to, 0), m.at, m.body
		FROM messages m WHERE m.id = $1" >/dev/null
}
check "the sweep took the message out of the patrol's inbox" \
	test "$(db_sql "$DB" "SELECT count(*) FROM patrol_inbox WHERE message_id = $FIRE")" = 0
inbox_put $FIRE true
patrol_after $FIRE 2
check "read again, the emergency is found again" found emergency "message:$FIRE"
check "but as raised before (not new)" jqt --arg o "message:$FIRE" \
	'all(.findings[] | select(.object == $o and .kind == "emergency"); .new == false)' "$T/patrol.json"
check "and there is still one alert for it" test "$(alert_count emergency "message:$FIRE")" = 1
check "no second event went out for it" test "$(db_sql "$DB" \
	"SELECT count(*) FROM events WHERE subject = 'alert:$A_FIRE' AND kind = 'alert.raised'")" = 1

# --- judged as it is posted; the sweep judges what was not ---------------------------
post "$RES" $G1 '{"text":"村里的自来水什么时候恢复？"}'
NEWQ=$MID
check "a resident's question is watched from the moment it is posted (due 3 minutes on)" \
	test "$(db_sql "$DB" "SELECT due - at FROM patrol_watch WHERE message_id = $NEWQ")" = 180
check "and does not wait in the patrol's inbox (no emergency or complaint word)" \
	test "$(db_sql "$DB" "SELECT count(*) FROM patrol_inbox WHERE message_id = $NEWQ")" = 0
# a message posted before messages were judged as posted: unjudged in the inbox
db_sql "$DB" "DELETE FROM patrol_watch WHERE message_id = $NEWQ" >/dev/null
inbox_put $NEWQ false
patrol_after $NEWQ 1
check "a question left unjudged is judged by the sweep and watched" \
	test "$(db_sql "$DB" "SELECT due - at FROM patrol_watch WHERE message_id = $NEWQ")" = 180

# --- acknowledging --------------------------------------------------------------------
as "$TSUP2" POST "/api/v1/alerts/$A_FIRE/acknowledge"
expect_error 404 not_found - "another town's supervisor cannot acknowledge it (404)"
as "$RES" POST "/api/v1/alerts/$A_FIRE/acknowledge"
expect_error 403 forbidden - "nor can a resident (403)"
as "$TSUP" POST "/api/v1/alerts/$A_FIRE/acknowledge"
expect_status 200 "the town supervisor acknowledges the emergency"
expect_json "[.state, .acknowledged_by] | map(tostring) | join(\" \")" "acknowledged $TSUP_ID" \
	"it is acknowledged, by them"
as "$TSUP" POST "/api/v1/alerts/$A_FIRE/acknowledge"
expect_error 409 conflict - "acknowledging it again is refused" "already acknowledged"
as "$TSUP" POST /api/v1/alerts/999999/acknowledge
expect_error 404 not_found - "an alert that does not exist is not found"
as "$TSUP" GET '/api/v1/alerts?state=open&kind=emergency'
expect_json "[.items[].id] | index($A_FIRE)" null "it is no longer listed as open"
check "the acknowledgement went out live" \
	poll 10 bash -c "grep -q '^event: alert.acknowledged' '$T/town.sse'"
check "and is in the audit trail" \
	test "$(db_sql "$DB" "SELECT count(*) FROM audit_log WHERE action = 'alert.acknowledge' AND object = 'alert:$A_FIRE'")" = 1

# --- a complaint about cadres, then hidden by a cadre ------------------------------
post "$RES" $G1 '{"text":"村干部态度差，办事推诿"}'
BAD=$MID
post "$RES" $G1 '{"text":"哈哈哈"}'
CHAT=$MID
as "$OWN" POST "/api/v1/messages/$BAD/hide" '{"reason":"不实言论"}'
expect_status 200 "the owner hides the complaint"
as "$OWN" POST "/api/v1/messages/$CHAT/hide" '{"reason":"刷屏"}'
expect_status 200 "and some chat"
patrol_after $CHAT 1
check "the complaint about cadres is found" found cadre_complaint "message:$BAD"
check "hiding it is found" found hidden_complaint "message:$BAD"
check "hiding chat is not" not_found hidden_complaint "message:$CHAT"
check "the hidden complaint is urgent and names the reason and who hid it" jqt --arg o "message:$BAD" \
	--arg who "$(db_sql "$DB" "SELECT name FROM users WHERE id = $OWN_ID")" \
	'any(.findings[]; .object == $o and .kind == "hidden_complaint" and .severity == 3
		and (.summary | contains("不实言论")) and (.summary | startswith($who + "隐藏了")))' \
	"$T/patrol.json"

# --- demands: at risk, then overdue ---------------------------------------------
as "$RES" POST /api/v1/demands '{"category":"roads.lights","description":"路灯坏了三天了"}'
DID=$(json '.id // empty')
check "setup: a resident raises a demand" test -n "$DID"
created=$(db_sql "$DB" "SELECT created_at FROM cases WHERE id = $DID")
warn=$(db_sql "$DB" "SELECT warn_at FROM case_clocks WHERE case_id = $DID AND name = 'ack'")
demands_sweep_at() { BIANMIN_CLOCK_OFFSET=$(($1 - $(date +%s))) bm demands sweep >"$T/sweep.out" 2>&1; }
demands_sweep_at $((warn + 1))
sweep $((warn + 2))
check "a demand past its acknowledgement warning is at risk" found demand_at_risk "demand:$DID:ack"
check "not yet overdue" not_found demand_overdue "demand:$DID:ack"
demands_sweep_at $((created + 181))
sweep $((created + 182))
check "a demand whose acknowledgement clock was missed is overdue" \
	found demand_overdue "demand:$DID:ack"
check "addressed to the town" test "$(db_sql "$DB" "SELECT supervisor FROM alerts WHERE kind = 'demand_overdue' AND object = 'demand:$DID:ack'")" = "$TOWN"

# --- one household's repeated demands about one category ---------------------------
as "$ADM" POST /api/v1/households "{\"region\":\"$V1\",\"address\":\"一组 8 号\"}"
HH=$(json '.id // empty')
check "setup: a household of village $V1" test -n "$HH"
new_person HA 户主甲 13900003331 "$V1" "$HH" && new_person HB 家属乙 13900003332 "$V1" "$HH" &&
	new_person SOLO 独居丙 13900003333 "$V1"
check "setup: two persons of the household and one living alone" test -n "$HB_ID" -a -n "$SOLO_ID"
# sweep_after_raise: a sweep a second after the last demand was raised.
sweep_after_raise() { sweep $(($(db_sql "$DB" "SELECT created_at FROM cases WHERE id = $DID") + 1)); }
# raise TOKEN CATEGORY: a demand; its id in DID.
raise() {
	as "$1" POST /api/v1/demands "{\"category\":\"$2\",\"description\":\"门口路灯又不亮了\"}"
	DID=$(json '.id // empty')
}
raise "$HA" roads.lights && R1=$DID
raise "$HB" roads.lights && R2=$DID
raise "$HA" utilities.water && OTHER=$DID
check "setup: three demands of the household" test -n "$R1" -a -n "$R2" -a -n "$OTHER"
sweep_after_raise
check "two demands about street lights are not yet a repeat" \
	jqt 'all(.findings[]; .kind != "repeated_complaint")' "$T/patrol.json"
raise "$HB" roads.lights && R3=$DID
sweep_after_raise
check "the third about street lights from the same household is found, at that demand" \
	found repeated_complaint "household:$HH:roads.lights:$R3"
check "it is addressed to the town and names the category in Chinese" jqt --arg o \
	"household:$HH:roads.lights:$R3" 'any(.findings[]; .object == $o and .severity == 2
		and .supervisor == "'"$TOWN"'" and (.summary | contains("第3次反映「路灯」")))' \
	"$T/patrol.json"
raise "$HA" roads.lights && R4=$DID
sweep_after_raise
check "a fourth is no new finding (one per run of repeats)" \
	jqt 'all(.findings[]; .kind != "repeated_complaint")' "$T/patrol.json"
raise "$SOLO" roads.lights && S1=$DID
raise "$SOLO" roads.lights && S2=$DID
# the first of the three was raised 31 days ago: outside the 30-day window
db_sql "$DB" "UPDATE cases SET created_at = created_at - 31 * 86400 WHERE id = $S1" >/dev/null
raise "$SOLO" roads.lights && S3=$DID
sweep_after_raise
check "three within 31 days are not a repeat (the window is 30 days)" \
	not_found repeated_complaint "resident:$SOLO_ID:roads.lights:$S3"
raise "$SOLO" roads.lights && S4=$DID
sweep_after_raise
check "a person without a household repeats alone: the third within 30 days is found" \
	found repeated_complaint "resident:$SOLO_ID:roads.lights:$S4"

# --- Monday 21:00: a question out of hours, found at 08:03 ---------------------------
daemon_at "2024-10-14 21:00:00"
post "$RES" $G1 '{"text":"明天停水吗"}'
NIGHT=$MID
check "setup: a question at 21:00" test -n "$NIGHT"
patrol_at "2024-10-14 23:00:00"
check "it is not found that night" not_found unanswered "message:$NIGHT"
patrol_at "2024-10-15 08:02:59"
check "nor at 08:02:59 the next morning" not_found unanswered "message:$NIGHT"
check "Tuesday's duty hours began: village $V2's group is found with nobody on duty again" \
	found no_duty "group:$G2:20241015"
patrol_at "2024-10-15 08:03:00"
check "it is found at 08:03:00, three minutes into duty hours" found unanswered "message:$NIGHT"
check "once per day: Monday's alert stays one" \
	test "$(alert_count no_duty "group:$G2:20241014")" = 1
patrol_at "2024-10-15 08:04:00"
check "a sweep a minute later finds nothing new" jqt '.raised == 0' "$T/patrol.json"

# --- the command line --------------------------------------------------------------
at=$(china_epoch "2024-10-15 08:05:00")
BIANMIN_CLOCK_OFFSET=$((at + 5 - $(date +%s))) bm patrol --at 2024-10-15T08:05:00+08:00 >"$T/plain.out" 2>&1
check "bianmin patrol prints its tally as text" grep -qE '^0 findings, 0 new alerts, 0 messages read$' "$T/plain.out"
bm patrol --nosuch >"$T/bad.out" 2>&1
check "an unknown argument is a usage error (exit 2)" test $? -eq 2
bm patrol --at 2999-01-01T00:00:00Z >"$T/bad.out" 2>&1
check "a sweep in the future is refused (exit 2)" test $? -eq 2

finish
