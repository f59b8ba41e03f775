#!/usr/bin/env bash
# t1200: residents' demands (诉求) through the API, on the daemon's clock set
# to chosen China times (BIANMIN_CLOCK_OFFSET) and the clocks run by
# `bianmin demands sweep` at chosen instants: nothing waits for time.
#
# Raising (categories, scope, size limits), acknowledging in time, missing
# the 3-minute clock (the village owner takes it and is told), missing the
# resolution clock across a weekend, the National Day holiday and two 调休
# workdays, 吹哨 and 报到, 退单 reviewed by the town and re-dispatched, the
# follow-up ("not resolved" reopens, "satisfied" closes), stale versions,
# illegal transitions, who may read and act, duplicate suggestions.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"
. "$(dirname "$0")/groups.sh"
. "$(dirname "$0")/clock.sh"

bm init --demo >"$T/init.out" 2>&1
check "setup: init --demo" test $? -eq 0

# sweep_at "YYYY-MM-DD HH:MM:SS": run the clocks at that China time.
sweep_at() {
	BIANMIN_CLOCK_OFFSET=$(china_offset "$1") bm demands sweep >"$T/sweep.out" 2>&1
}
# sweep_after ID SECONDS: run the clocks SECONDS after demand ID was raised
# (the daemon's clock runs on while the test signs people in: a raise at
# "10:00" happens some seconds later).
sweep_after() {
	local created
	created=$(db_sql "$DB" "SELECT created_at FROM cases WHERE id = $1")
	BIANMIN_CLOCK_OFFSET=$((created + $2 - $(date +%s))) bm demands sweep >"$T/sweep.out" 2>&1
}
# since_created CLOCK FIELD: seconds from the demand's creation to its clock's FIELD.
since_created() { json "(.clocks[] | select(.name == \"$1\") | .$2 | fromdateiso8601) - (.created_at | fromdateiso8601)"; }
# raise TOKEN JSON: POST a demand; its id in DID.
raise() {
	as "$1" POST /api/v1/demands "$2"
	DID=$(json '.id // empty')
}
# act TOKEN ID JSON: an action on demand ID; a JSON without "version" gets
# the demand's current version (read from the database, as an up-to-date
# client would have it).
act() {
	local body=$3 v
	v=$(db_sql "$DB" "SELECT version FROM cases WHERE id = $2")
	[[ $body == *'"version"'* ]] || body=$(jq -c --argjson v "${v:-1}" '. + {version: $v}' <<<"$body")
	as "$1" POST "/api/v1/demands/$2/actions" "$body"
}
get() { as "${2:-$OWN}" GET "/api/v1/demands/$1"; }
case_count() { db_sql "$DB" "SELECT count(*) FROM cases"; }

# --- raising, acknowledging in time (Monday 2024-10-14, duty hours) -----------------
at_china "2024-10-14 10:00:00"
G1=$(group_of $V1) GT=$(group_of $TOWN town)
as "$RES" GET /api/v1/demands/categories
expect_json '[.items[] | select(.code == "utilities.water") | .name, .urgency, .parent] | join(" ")' \
	"供水、停水 utilities utilities" "the categories name their urgency and their parent"
raise "$RES" '{"category":"roads.lights","description":"村口路灯坏了三天了，晚上出行不方便","contact_phone":"13912345678"}'
expect_status 201 "a resident raises a demand about their own village (201)"
expect_json '[.state, .level_name, .region, .group_id, .urgency, .version, .source] | map(tostring) | join(" ")' \
	"received village_duty $V1 $G1 general 1 app" \
	"it is received at the village's duty rung, in the village's group, general, version 1"
expect_json '.title' "村口路灯坏了三天了，晚上出行不方便" "without a title, the description's start is its title"
expect_json '.contact_phone' "139****5678" "the contact phone is masked"
expect_json '[.clocks[] | "\(.name)=\(.status)"] | join(",")' "ack=running,resolve=running" \
	"its acknowledgement and resolution clocks run"
check "it must be acknowledged within 3 minutes" test "$(since_created ack due)" = 180
expect_json '.clocks[] | select(.name == "resolve") | .due' "2024-10-23T16:00:00Z" \
	"and resolved within 7 working days (by the end of Wednesday 10-23)"
D1=$DID
act "$OWN" $D1 '{"action":"acknowledge"}'
expect_status 200 "the village owner acknowledges it"
expect_json '[.state, .version, (.clocks[] | select(.name == "ack") | .status), .first_receiver] | map(tostring) | join(" ")' \
	"acknowledged 2 met $OWN_ID" "acknowledged in time: version 2, the clock met, the owner its first receiver"
expect_json '[.timeline[] | .action] | join(",")' "open,acknowledge" "the timeline says so"

# --- refusals that change nothing ------------------------------------------------------
before=$(case_count)
raise "$RES" '{"category":"nosuch","description":"x"}'
expect_error 400 invalid category "an unknown category is refused" "no such category"
raise "$RES" '{"category":"roads","description":"x","region":"'$V2'"}'
expect_error 403 forbidden region "a resident cannot raise a demand about another village"
raise "$OWN2" '{"category":"roads","description":"x","region":"'$V1'"}'
expect_error 403 forbidden region "a cadre cannot raise one outside their scope"
raise "$RES" "$(jq -nc --arg d "$(printf '路%.0s' $(seq 1 4001))" '{category: "roads", description: $d}')"
expect_error 413 too_large description "a description over 4,000 characters is refused" "4000"
raise "$RES" '{"category":"roads"}'
expect_error 400 invalid description "a demand needs a description"
raise "$OWN" '{"category":"roads","description":"x"}'
expect_error 400 invalid region "a cadre says which village a demand is about"
raise "$TSUP" '{"category":"roads","description":"x","region":"'$TOWN'"}'
expect_error 400 invalid region "a demand is about a village, not a town" "not a village"
signin LAW 19900000008 || { finish; exit 1; }
raise "$LAW" '{"category":"roads","description":"x"}'
expect_error 403 forbidden - "someone registered in no village (a lawyer of the county) cannot raise one"
raise "$RES" '{"category":"roads","description":"x","contact_phone":"12345"}'
expect_error 400 invalid contact_phone "a contact phone that is no phone number is refused"
check "none of them was stored" test "$(case_count)" = "$before"
act "$OWN" $D1 '{"action":"start","version":1}'
expect_error 409 conflict - "acting on a version someone changed since is refused (409)" "read it again"
act "$OWN" $D1 '{"action":"close"}'
expect_error 400 invalid action "closing a demand that was never resolved is refused" "only one that is followed_up"
act "$RES" $D1 '{"action":"start"}'
expect_error 403 forbidden - "the resident who raised it cannot handle it"
act "$OWN2" $D1 '{"action":"start"}'
expect_error 404 not_found - "another village's cadre cannot act on it"
act "$OWN" $D1 '{"action":"tick"}'
expect_error 400 invalid action "the sweep's tick is not an action anyone may send"
act "$OWN" $D1 '{"action":"confirm"}'
expect_error 400 invalid action "nor is confirming: the follow-up does that" "follow_up"
as "$OWN" GET /api/v1/demands/999999
expect_error 404 not_found - "a demand that does not exist is as absent as one out of scope" "no such demand"
get $D1 "$OWN2"
expect_error 404 not_found - "nor read it (it looks absent)"
get $D1
expect_json '.version' 2 "and the demand is as it was (version 2)"

# --- reading and duplicates ------------------------------------------------------------
get $D1 "$RES"
expect_status 200 "the resident reads their own demand"
as "$CSUP" GET /api/v1/demands
expect_json "[.items[].id] | index($D1) != null" true "the county supervisor lists it"
as "$RES" GET "/api/v1/demands/similar?region=$V1&category=roads.lights"
expect_json "[.items[].id] | index($D1) != null" true "an open demand of the same village and category is suggested as a duplicate"
expect_json '.next_before' null "the suggestions are one page"
get $D1
expect_json '[.actions[].action] | join(",")' "start,assign,transfer,escalate,return,whistle,suspend,resolve,merge,note" \
	"the actions offered are those the demand allows now (no 报到 without a 吹哨)"

# --- merging a duplicate ---------------------------------------------------------------
raise "$RES" '{"category":"roads.lights","description":"路灯又坏了"}'
DUP=$DID
act "$OWN" $DUP '{"action":"merge","reason":"重复","merge_into":999999}'
expect_error 400 invalid merge_into "merging into a demand that does not exist is refused"
get $DUP
expect_json '[.state, .merged_into] | map(tostring) | join(" ")' "received null" "and the duplicate is left as it was"
act "$OWN" $DUP "{\"action\":\"merge\",\"reason\":\"重复\",\"merge_into\":$D1}"
expect_json '[.state, .merged_into] | map(tostring) | join(" ")' "merged $D1" "merged into the first one"
get $D1
expect_json '[.timeline[] | select(.action == "note") | .detail] | join(";")' "merged: demand $DUP duplicates this one" \
	"whose timeline says so (both timelines kept)"

# --- from a group message: a cadre marks it, its author flags it -----------------------
as "$RES" POST "/api/v1/groups/$G1/messages" '{"text":"桥头的护栏被撞坏了，小孩上学很危险"}'
MSG=$(json .id)
as "$OWN" POST "/api/v1/groups/$G1/messages" '{"text":"大家注意安全"}'
OWN_MSG=$(json .id)
raise "$OWN" "{\"category\":\"safety.building\",\"source_message_id\":$MSG}"
expect_status 201 "the village owner marks a resident's message as a demand"
expect_json '[.source, .source_message_id, .resident_id, .region, .urgency, .description] | map(tostring) | join(" ")' \
	"message $MSG $RES_ID $V1 emergency 桥头的护栏被撞坏了，小孩上学很危险" \
	"it is the message's: its author raised it, its group's village, its text; safety is an emergency"
get $DID "$RES"
expect_status 200 "the author reads the demand made of their message"
raise "$RES" "{\"category\":\"other\",\"source_message_id\":$OWN_MSG}"
expect_error 403 forbidden source_message_id "a resident flags their own messages only"
raise "$OWN2" "{\"category\":\"other\",\"source_message_id\":$MSG}"
expect_error 404 not_found source_message_id "a cadre of another village cannot mark a message they cannot see"

# --- missing the 3-minute clock --------------------------------------------------------
raise "$RES" '{"category":"environment.waste","description":"垃圾好几天没人清运了"}'
D2=$DID
check "setup: a second demand" test -n "$D2"
sweep_after $D2 150
get $D2
expect_json '[.level_name, (.clocks[] | select(.name == "ack") | .warned)] | map(tostring) | join(" ")' \
	"village_duty true" "at 80% of the 3 minutes the clock warns, the demand stays at the duty rung"
sweep_after $D2 181
get $D2
expect_json '[.level_name, .assignee_group, .counts.escalations] | map(tostring) | join(" ")' "village_owner $G1 1" \
	"3 minutes unacknowledged: it moves up to the village owner"
expect_json '[.timeline[] | .action] | join(",")' "open,clock.warning,clock.missed,escalated" \
	"the timeline shows the warning, the miss and the escalation"
check "the owner's rung is told (event case.escalated on cases:$G1)" \
	test "$(db_sql "$DB" "SELECT count(*) FROM events WHERE topic = 'cases:$G1' AND kind = 'case.escalated'")" -ge 1
v=$(json .version)
sweep_after $D2 200
get $D2
expect_json '.version' "$v" "a sweep with nothing due changes nothing"

# --- the resolution clock across a weekend, the holiday and 调休 workdays --------------
at_china "2024-09-27 10:00:00"
raise "$RES" '{"category":"roads.repair","description":"村东头的路塌了一个坑"}'
D3=$DID
expect_json '.clocks[] | select(.name == "resolve") | .due' "2024-10-12T16:00:00Z" \
	"7 working days from Friday 09-27 end with Saturday 10-12 (09-29 and 10-12 are 调休 workdays, 10-01..07 a holiday)"
act "$OWN" $D3 '{"action":"acknowledge"}'
act "$OWN" $D3 '{"action":"start"}'
expect_json '.state' in_progress "acknowledged and in progress"
sweep_at "2024-10-12 23:59:00"
get $D3
expect_json '.level_name' village_duty "at 23:59 on the last working day it is not yet overdue"
sweep_at "2024-10-13 00:00:30"
get $D3
expect_json '[.level_name, .counts.escalations] | map(tostring) | join(" ")' "village_owner 1" \
	"past the end of 10-12 it escalates to the village owner"
expect_json '.clocks[] | select(.name == "resolve") | .due' "2024-10-22T16:00:00Z" \
	"who gets 7 working days of their own (to the end of 10-22)"

# --- 吹哨 and 报到 ----------------------------------------------------------------------
at_china "2024-10-14 10:00:00"
signin AGY 19900000007 || { finish; exit 1; }
raise "$RES" '{"category":"utilities.water","description":"全村停水了"}'
D4=$DID
expect_json '.urgency' utilities "water is a utilities demand"
check "to be resolved within 24 hours" test "$(since_created resolve due)" = 86400
act "$OWN" $D4 '{"action":"acknowledge"}'
act "$OWN" $D4 '{"action":"whistle"}'
expect_error 400 invalid unit "吹哨 needs a department"
act "$OWN" $D4 '{"action":"whistle","unit":"县水利局"}'
expect_json '[.unit, .counts.whistles] | map(tostring) | join(" ")' "县水利局 1" "吹哨 to the county water bureau"
expect_json '(.clocks[] | select(.name == "arrive") | .due | fromdateiso8601) - ([.timeline[] | select(.action == "whistle") | .at][0] | fromdateiso8601)' \
	1800 "starts a 30-minute arrival clock"
act "$AGY" $D4 '{"action":"arrive"}'
expect_json '.clocks[] | select(.name == "arrive") | .status' met "the department reports its arrival (报到) in time"
act "$AGY" $D4 '{"action":"arrive"}'
expect_error 400 invalid action "a second 报到 without a new 吹哨 is refused" "not running"

# --- 退单, reviewed by the town and re-dispatched ------------------------------------
raise "$RES" '{"category":"land","description":"邻居占了我家宅基地"}'
D5=$DID
act "$OWN" $D5 '{"action":"acknowledge"}'
act "$OWN" $D5 '{"action":"return","reason":"宅基地确权属于乡镇职责"}'
expect_error 400 invalid basis "退单 needs its basis"
act "$OWN" $D5 '{"action":"return","reason":"宅基地确权属于乡镇职责","basis":"《土地管理法》第六十二条"}'
expect_json '[.state, .counts.returns] | map(tostring) | join(" ")' "returned 1" "退单 with reason and basis"
act "$TSUP" $D5 "{\"action\":\"redispatch\",\"assignee_group\":$GT}"
expect_json '[.state, .assignee_group, .level_name, (.clocks[] | select(.name == "ack") | .status)] | map(tostring) | join(" ")' \
	"received $GT town running" "the town re-dispatches it to the town group (the town's rung), which must acknowledge it anew"
expect_json '[.timeline[] | .action] | join(",")' "open,acknowledge,return,redispatch" "all of it in the timeline"
act "$TSUP" $D5 "{\"action\":\"assign\",\"assignee_group\":$(group_of $OTHER_VILLAGE)}"
expect_error 400 invalid assignee_group "it cannot be handed to the group of a village it is not about"

# --- follow-up: not resolved reopens, satisfied closes --------------------------------
act "$OWN" $D1 '{"action":"resolve"}'
expect_error 400 invalid reason "resolving needs a word on how"
act "$OWN" $D1 '{"action":"resolve","reason":"已更换灯泡"}'
expect_json '[.state, (.clocks[] | select(.name == "followup") | .due)] | join(" ")' "resolved 2024-10-15T16:00:00Z" \
	"resolved; the follow-up is due within one working day"
act "$RES" $D1 '{"action":"follow_up","resolved":false}'
expect_json '[.state, .counts.reopens] | map(tostring) | join(" ")' "in_progress 1" "the resident says it is not resolved: it reopens"
act "$OWN" $D1 '{"action":"resolve","reason":"更换了线路"}'
act "$RES" $D1 '{"action":"follow_up","resolved":true,"rating":"great"}'
expect_error 400 invalid rating "a rating must be satisfied, fair or dissatisfied"
act "$RES" $D1 '{"action":"follow_up","resolved":true,"rating":"satisfied"}'
expect_json '[.state, .rating, (.closed_at != null)] | map(tostring) | join(" ")' "closed satisfied true" \
	"resolved and satisfied: it closes"
expect_json '[.timeline[] | .action] | join(",")' \
	"open,acknowledge,note,resolve,reopen,resolve,confirm,close" "the whole path is in the timeline (the merge's note too)"
check "every change is audited" \
	test "$(db_sql "$DB" "SELECT count(*) FROM audit_log WHERE object = 'case:$D1'")" -ge 6

finish
