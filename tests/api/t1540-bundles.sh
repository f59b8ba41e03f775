#!/usr/bin/env bash
# t1540: 一件事 bundles (docs/bundles.md). An agency operator of the county
# starts 扶残助残一件事 for a person: five services at once, four tasks with
# deadlines in working days and the Shenyang premium programme as an
# entitlement service.
#
# Covered: the services and their due instants across the National Day
# holiday of 2026 (30 September, a Wednesday: the 3-day task is due at the
# end of Saturday 10 October, a 调休 workday); two tasks marked done; the
# 3-day task not overdue that Saturday evening and overdue on Sunday morning
# (the daemon restarted at those China times with BIANMIN_CLOCK_OFFSET,
# nothing waits); the entitlement service following the person's
# entitlement as the pipeline moves it (`bianmin entitle run` over the
# exchange's data puts the person in notice, `entitle advance` past the
# notice grants it), matched by ID number whatever the case of its X; an
# entitlement in a region outside the caller's scope shown as `waiting`;
# the bundle completed once every service is; masking, and the reveal with
# a reason, audited; another district's officer 404, a resident 403; a
# second start refused without saying where the first is; an unknown
# event, a bad person, a broken definition and an unknown programme
# refused with nothing written; the command line.
#
# The demo county 990101 stands in for Shenyang: the test's copy of the
# premium programme covers hukou in 990101 instead of 2101, so the person
# lives, and has the hukou, in village V1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"
. "$(dirname "$0")/groups.sh"
. "$(dirname "$0")/clock.sh"

export BIANMIN_BUNDLES_DIR=$BIANMIN_TOP/data/bundles
count() { db_sql "$DB" "$1"; }
bundles() { count "SELECT count(*) FROM bundles"; }
audited() { count "SELECT count(*) FROM audit_log WHERE action = '$1'"; }
# at TIME: the daemon restarted at that China time, AGY signed in again
at() { at_china "$1" && signin AGY 19900000007 || { finish; exit 1; }; }
service() { json ".services[] | select(.code == \"$1\") | $2"; }

bm init --demo >"$T/init.out" 2>&1
check "setup: init --demo" test $? -eq 0
# an agency operator of another town (990101001): not the person's district
OTHER=$(bm apikey add elsewhere --role agency_operator --region 990101001 2>/dev/null | grep -E '^bmk_')
check "setup: another town's operator key" test -n "$OTHER"

# an ID number ending in X: the exchange's data give it with a lower-case x
PID=$(id18 99010119750315008) PID_LOWER=$(id18 99010119750315008 | tr X x)
# a second person living in V1 with the hukou in another town (人户分离)
PID2=$(id18 99010119800612002)
# the exchange behind the premium programme (docs/entitle.md): the federation
# (CDPF) records the person's severe disability with a hukou in Shenyang, the
# medical-insurance bureau (YBJ, the programme's operator) the enrolment, the
# civil-affairs bureau (MZJ) no death; YBJ subscribes to the three
exchange_setup() {
	local m
	for m in CDPF YBJ MZJ; do
		bm exchange member add $m --name $m --region 990101 --key-out "$T/$m.key" || return 1
	done
	printf '{"fields": [%s]}' '{"name": "id_number", "type": "string", "required": true, "personal": true},
	 {"name": "name", "type": "string", "required": true, "personal": true},
	 {"name": "phone", "type": "string", "required": false, "personal": true},
	 {"name": "grade", "type": "enum", "values": ["1", "2", "3", "4"], "required": true, "personal": false},
	 {"name": "hukou_region", "type": "string", "required": true, "personal": false}' >"$T/disability.json"
	printf '{"fields": [%s]}' '{"name": "id_number", "type": "string", "required": true, "personal": true},
	 {"name": "scheme", "type": "enum", "values": ["resident", "employee"], "required": true, "personal": false}' >"$T/insured.json"
	printf '{"fields": [%s]}' '{"name": "id_number", "type": "string", "required": true, "personal": true},
	 {"name": "death_date", "type": "date", "required": true, "personal": true}' >"$T/deaths.json"
	printf 'id_number,name,phone,grade,hukou_region\n%s,王小明,13800138000,1,%s\n%s,李大山,13900139000,2,%s\n' \
		"$PID_LOWER" "$V1" "$PID2" "$OTHER_VILLAGE" >"$T/disability.csv"
	printf 'id_number,scheme\n%s,resident\n%s,resident\n' "$PID_LOWER" "$PID2" >"$T/insured.csv"
	bm exchange dataset add disability --provider CDPF --name 残疾人 --sharing 无条件 --schema "$T/disability.json" &&
		bm exchange dataset add insured --provider YBJ --name 参保 --sharing 无条件 --schema "$T/insured.json" &&
		bm exchange dataset add deaths --provider MZJ --name 死亡 --sharing 无条件 --schema "$T/deaths.json" &&
		bm exchange upload --member CDPF --dataset disability --batch 2026-09 --key "$T/CDPF.key" "$T/disability.csv" &&
		bm exchange upload --member YBJ --dataset insured --batch 2026-09 --key "$T/YBJ.key" "$T/insured.csv" &&
		bm exchange subscribe --consumer YBJ --dataset disability --fields id_number,name,phone,grade,hukou_region &&
		bm exchange subscribe --consumer YBJ --dataset insured --fields id_number,scheme &&
		bm exchange subscribe --consumer YBJ --dataset deaths --fields id_number,death_date
}
exchange_setup >"$T/exchange.out" 2>&1
check "setup: the exchange of the premium programme" test $? -eq 0
mkdir -p "$T/programmes" "$T/policies"
jq '.region = "990101"' "$BIANMIN_TOP/data/programmes/shenyang-disability-premium.json" \
	>"$T/programmes/shenyang-disability-premium.json"
jq '.condition[1] = "and within(hukou_region, \"990101\")"' \
	"$BIANMIN_TOP/data/policies/shenyang-disability-premium.json" >"$T/policies/shenyang-disability-premium.json"
export BIANMIN_PROGRAMMES_DIR=$T/programmes
PROGRAMME=$BIANMIN_PROGRAMMES_DIR/shenyang-disability-premium.json

PERSON="\"id_number\":\"$PID\",\"name\":\"王小明\",\"phone\":\"13800138000\",\"region\":\"$V1\""

# --- starting: Wednesday 30 September 2026, the day before the National Day holiday ----
at "2026-09-30 10:00:00"
as "$AGY" POST /api/v1/bundles "{\"event\":\"disability\",$PERSON}"
expect_status 201 "an agency operator of the county starts 扶残助残一件事"
BID=$(json .id)
expect_json '.name + "|" + .state + "|" + (.services | length | tostring)' '扶残助残一件事|in_progress|5' \
	"five services start at once and the bundle is in progress"
expect_json '[.services[].kind] | join(",")' 'entitlement,task,task,task,task' \
	"the premium programme is an entitlement service, the others are tasks"
expect_json '.services[] | select(.code == "premium") | .state + "|" + .state_label + "|" + .programme' \
	'waiting|待评估|shenyang.disability_premium' "the entitlement service waits for the programme's run"
expect_json '[.services[] | select(.kind == "task") | .state] | unique | join(",")' 'todo' \
	"every task is to do"
expect_json '.services[] | select(.code == "bus_pass") | .due' '2026-10-10T16:00:00Z' \
	"3 working days from 30 September end with Saturday 10 October (调休), past the holiday"
expect_json '.services[] | select(.code == "certificate") | .due' '2026-10-13T16:00:00Z' \
	"5 working days end with Tuesday 13 October"
expect_json '.services[] | select(.code == "living_allowance") | .due' '2026-10-20T16:00:00Z' \
	"10 working days end with Tuesday 20 October"
expect_json '.person.id_number + "|" + .person.name + "|" + .person.phone' "9901**********${PID: -4}|王**|138****8000" \
	"the person is masked"
check "no personal data in the audit trail of the start" \
	test "$(count "SELECT count(*) FROM audit_log WHERE action = 'bundle.start' AND object = 'bundle:$BID' AND summary NOT LIKE '%王小明%' AND summary NOT LIKE '%$PID%'")" = 1

as "$AGY" POST /api/v1/bundles "{\"event\":\"disability\",$PERSON}"
expect_error 409 conflict - "the same event is not started twice for one person" "already"
as "$AGY" POST /api/v1/bundles "{\"event\":\"disability\",${PERSON/$PID/$PID_LOWER}}"
expect_error 409 conflict - "an ID number with a lower-case x is the same person" "already"
as "$OTHER" POST /api/v1/bundles "{\"event\":\"disability\",${PERSON/$V1/$OTHER_VILLAGE}}"
expect_error 409 conflict - "another town's operator is refused too" \
	"this person has a bundle of event 'disability' already"
check "without learning where the bundle is or its id" \
	bash -c "! grep -qE -- '$V1|\"id\"|bundle $BID' '$T/body'"

# --- refused, nothing written ----------------------------------------------------------
N0=$(bundles) A0=$(audited bundle.start)
as "$AGY" POST /api/v1/bundles "{\"event\":\"marriage\",$PERSON}"
expect_error 400 invalid event "an unknown event is refused" "no bundle is defined for event 'marriage'"
as "$AGY" POST /api/v1/bundles "{\"event\":\"birth\",\"id_number\":\"990101197503150021\",\"name\":\"王小明\",\"region\":\"$V1\"}"
expect_error 400 invalid id_number "an ID number with a wrong check character is refused"
as "$AGY" POST /api/v1/bundles "{\"event\":\"birth\",\"id_number\":\"$PID\",\"name\":\"王小明\",\"region\":\"990101103299\"}"
expect_error 400 invalid region "a region not in the registry is refused" "no region"
check "nothing was written by the refusals" test "$(bundles)|$(audited bundle.start)" = "$N0|$A0"

# --- who may see and act ----------------------------------------------------------------
as "$RES" GET "/api/v1/bundles/$BID"
expect_status 403 "a resident may not read bundles"
as "$RES" POST /api/v1/bundles "{\"event\":\"birth\",$PERSON}"
expect_status 403 "nor start one"
as "$OTHER" GET "/api/v1/bundles/$BID"
expect_error 404 not_found - "another district's officer does not see the bundle" "no bundle"
as "$OTHER" POST "/api/v1/bundles/$BID/services/bus_pass" '{"state":"done"}'
expect_status 404 "nor mark its services"
as "$OTHER" POST /api/v1/bundles "{\"event\":\"birth\",$PERSON}"
expect_status 404 "nor start a bundle in the person's village"
as "$OTHER" GET "/api/v1/bundles?region=$V1"
expect_status 404 "nor list its region"
as "$TSUP" GET "/api/v1/bundles/$BID"
expect_status 200 "the town's supervisor follows it"
as "$TSUP" POST "/api/v1/bundles/$BID/services/bus_pass" '{"state":"done"}'
expect_status 403 "but does not mark services"
as "$CSUP" GET "/api/v1/bundles"
expect_json '([.items[].id | tostring] | join(",")) + "|" + .region' "$BID|990101" "the county's supervisor lists it in the county"
as "$AGY" GET "/api/v1/bundles?region=$V1&event=birth"
expect_json '.items | length' 0 "a listing by event shows only that event"

# --- marking tasks ----------------------------------------------------------------------
as "$AGY" POST "/api/v1/bundles/$BID/services/certificate" '{"state":"done","note":"已换发二代证"}'
expect_status 200 "a task is marked done"
expect_json '.services[] | select(.code == "certificate") | .state + "|" + .note' 'done|已换发二代证' \
	"with its note"
as "$AGY" POST "/api/v1/bundles/$BID/services/care_allowance" '{"state":"done"}'
expect_json '.counts | "\(.done) \(.pending)"' '2 3' "two tasks done, three services pending"
as "$AGY" POST "/api/v1/bundles/$BID/services/care_allowance" '{"state":"refused","note":"x"}'
expect_error 409 conflict - "a task is marked once"
as "$AGY" POST "/api/v1/bundles/$BID/services/living_allowance" '{"state":"refused"}'
expect_error 400 invalid note "a refusal needs a note"
as "$AGY" POST "/api/v1/bundles/$BID/services/premium" '{"state":"done"}'
expect_error 400 invalid state "an entitlement service is not marked by hand" "entitlement"
as "$AGY" POST "/api/v1/bundles/$BID/services/nothing" '{"state":"done"}'
expect_error 404 not_found - "an unknown service" "no service 'nothing'"
check "each marking is audited" test "$(audited bundle.mark)" = 2

# --- overdue, computed when read -------------------------------------------------------
at "2026-10-10 20:00:00"
as "$AGY" GET "/api/v1/bundles/$BID"
expect_json '(.services[] | select(.code == "bus_pass") | .overdue | tostring) + "|" + (.overdue | tostring)' \
	'false|false' "the 3-day task is not overdue on the evening of its last working day"
at "2026-10-11 09:00:00"
as "$AGY" GET "/api/v1/bundles/$BID"
expect_json '([.services[] | select(.overdue) | .code] | join(",")) + "|" + (.overdue | tostring) + "|" + (.counts.overdue | tostring)' \
	'bus_pass|true|1' "on Sunday it is overdue, and only it"
as "$AGY" GET "/api/v1/bundles?region=$V1"
expect_json '.items[0].overdue' true "the listing flags the bundle overdue"

# --- the entitlement service follows the person's entitlement ---------------------------
BIANMIN_CLOCK_OFFSET=$(china_offset "2026-10-11 09:05:00") bm entitle run "$PROGRAMME" --at 2026-10-11 \
	>"$T/run.out" 2>&1
check "setup: the programme's run finds both persons (公示, 7 days)" grep -q '2 new' "$T/run.out"
check "setup: the exchange's data keep the lower-case x" \
	test "$(count "SELECT count(*) FROM entitlements WHERE person_key = '$PID_LOWER'")" = 1
as "$AGY" GET "/api/v1/bundles/$BID"
expect_json '.services[] | select(.code == "premium") | .state + "|" + .state_label + "|" + .outcome' \
	'in_notice|公示中|pending' "the entitlement service shows the notice, found by the upper-case X"

# the second person lives in V1, the hukou (and the entitlement) in another town
as "$AGY" POST /api/v1/bundles "{\"event\":\"disability\",\"id_number\":\"$PID2\",\"name\":\"李大山\",\"region\":\"$V1\"}"
expect_status 201 "a bundle for a person whose hukou is in another town"
BID2=$(json .id)
expect_json '.services[] | select(.code == "premium") | .state + "|" + (.entitlement | tostring)' \
	"in_notice|$(count "SELECT id FROM entitlements WHERE person_key = '$PID2'")" \
	"the county's operator sees the entitlement in the other town"
as "$TSUP" GET "/api/v1/bundles/$BID2"
expect_json '.services[] | select(.code == "premium") | .state + "|" + .state_label + "|" + (.entitlement | tostring)' \
	'waiting|待评估|null' "the supervisor of the person's town, not of the hukou's, sees it waiting, no id"
as "$TSUP" GET "/api/v1/bundles?region=$V1"
expect_json '.items[] | select(.id == '"$BID2"') | .services[] | select(.code == "premium") | .state' \
	'waiting' "in the listing too"
BIANMIN_CLOCK_OFFSET=$(china_offset "2026-10-19 09:00:00") bm entitle advance >"$T/advance.out" 2>&1
check "setup: the notices end without objection: granted" grep -q '^2 entitlements' "$T/advance.out"
as "$AGY" GET "/api/v1/bundles/$BID"
expect_json '.services[] | select(.code == "premium") | .state + "|" + .outcome + "|" + (.entitlement | tostring)' \
	"granted|done|$(count "SELECT id FROM entitlements WHERE person_key = '$PID_LOWER'")" "and the grant"

as "$AGY" POST "/api/v1/bundles/$BID/services/bus_pass" '{"state":"done"}'
expect_json '(.overdue | tostring) + "|" + .state' 'false|in_progress' \
	"a late task done is no longer overdue; one service still pending"
as "$AGY" POST "/api/v1/bundles/$BID/services/living_allowance" '{"state":"done"}'
expect_json '.state + "|" + .state_label + "|" + (.completed | tostring) + "|" + (.counts.done | tostring)' \
	'completed|已办结|true|5' "the bundle completes when every service is done"

# --- the person revealed ---------------------------------------------------------------
as "$AGY" GET "/api/v1/bundles/$BID/person?reason=%E5%9B%9E%E8%AE%BF"
expect_error 403 forbidden - "an operator without personal_data does not unmask the person"
as "$ADM" GET "/api/v1/bundles/$BID/person"
expect_error 400 invalid reason "a reveal needs a reason"
as "$ADM" GET "/api/v1/bundles/$BID/person?reason=%E5%9B%9E%E8%AE%BF"
expect_json '.person.id_number + "|" + .person.name + "|" + .person.phone + "|" + (.revealed | tostring)' \
	"$PID|王小明|13800138000|true" "an administrator reveals the person with a reason"
check "the reveal is audited with its reason, no personal data in it" \
	test "$(count "SELECT summary FROM audit_log WHERE action = 'bundle.person_read' AND object = 'bundle:$BID'")" = \
	"person revealed; reason: 回访"

# --- a broken definition is refused, nothing written -----------------------------------
mkdir -p "$T/defs"
cp "$BIANMIN_TOP"/data/bundles/*.json "$T/defs/"
jq '.services[2].days = 0' "$BIANMIN_TOP/data/bundles/birth.json" >"$T/defs/birth.json"
export BIANMIN_BUNDLES_DIR=$T/defs
at "2026-10-12 10:00:00"
N0=$(bundles) A0=$(audited bundle.start)
CHILD=$(id18 99010120261001003)
as "$AGY" POST /api/v1/bundles "{\"event\":\"birth\",\"id_number\":\"$CHILD\",\"name\":\"王小小\",\"region\":\"$V1\"}"
expect_error 400 invalid - "a broken definition is refused, naming the file and the place" \
	"birth.json: services[2]: 'days' must be a whole number of working days from 1 to 60"
check "nothing was written" test "$(bundles)|$(audited bundle.start)" = "$N0|$A0"
jq '.services[0].programme = "shenyang.nothing"' "$BIANMIN_TOP/data/bundles/disability.json" >"$T/defs/disability.json"
as "$AGY" POST /api/v1/bundles "{\"event\":\"disability\",\"id_number\":\"$CHILD\",\"name\":\"王小小\",\"region\":\"$V1\"}"
expect_error 400 invalid - "a definition naming an unknown programme is refused" \
	"disability.json: services[0]: no programme 'shenyang.nothing'"
check "nothing was written" test "$(bundles)|$(audited bundle.start)" = "$N0|$A0"
as "$AGY" POST /api/v1/bundles "{\"event\":\"retirement\",$PERSON}"
expect_json '.name + "|" + (.services | length | tostring)' '退休一件事|4' "another event of the folder still starts"
RID=$(json .id)
stop_server

# --- the command line ------------------------------------------------------------------
bm bundle show "$BID" >"$T/show.out" 2>&1
check "bundle show prints the completed bundle" grep -q "^$BID	disability	扶残助残一件事	$V1	王\*\* .*	completed	5 done" "$T/show.out"
check "and every service" test "$(grep -c '^  ' "$T/show.out")" = 5
check "with no unmasked person" bash -c "! grep -qF -- '$PID' '$T/show.out'"
bm bundle start birth --id "$CHILD" --name 王小小 --region "$V1" >"$T/start.out" 2>&1
check "bundle start with a broken folder's definition fails (exit 3)" test $? -eq 3
bm --bundles-dir "$BIANMIN_TOP/data/bundles" bundle start birth --id "$CHILD" --name 王小小 --region "$V1" >"$T/start.out" 2>&1
check "bundle start starts 出生一件事" grep -q "	birth	出生一件事	$V1	王\*\* " "$T/start.out"
NEW=$(cut -f1 "$T/start.out" | head -n 1)
bm bundle mark "$NEW" hukou done --note 已落户 >"$T/mark.out" 2>&1
check "bundle mark marks a task" grep -q "^  hukou	户口登记	task	公安派出所	done	due .*已落户" "$T/mark.out"
bm bundle mark "$NEW" hukou done >"$T/mark.out" 2>&1
check "a second mark is refused (exit 3)" test $? -eq 3
bm bundle mark "$NEW" nothing done >"$T/mark.out" 2>&1
check "an unknown service code exits 4" test $? -eq 4
bm bundle list --region "$V1" >"$T/list.out" 2>&1
check "bundle list shows the four bundles of the village, newest first" \
	test "$(cut -f1 "$T/list.out" | tr '\n' ' ')" = "$NEW $RID $BID2 $BID "
finish
