#!/usr/bin/env bash
# t1520: the entitlement pipeline of 免申即享 (docs/entitle.md). The
# disabled persons' federation (CDPF) uploads its records, the medical
# insurance agency (YBJ) its enrolment, civil affairs (MZJ) the deaths; YBJ
# runs a test programme of the demo county over its subscriptions: a premium
# policy with a 7-day public notice, a second policy granting the same
# benefit to low-income persons, and (a second programme) a policy that asks
# the person's consent.
#
# Covered: a person eligible -> in notice -> no grant before the 7th day ->
# granted after (the clock moved with BIANMIN_CLOCK_OFFSET, nothing waits);
# an objection upheld; a consent refused; a death -> revoked from the death
# date; a grade change -> revoked from the run's date; two conflicting
# policies -> held, then the person's choice; the explanation of a refusal
# shown; an appeal becomes a demand in the person's region; a run refused
# without a subscription; masking and the audited reveal; another town's
# officer sees nothing (404); a resident gets 403; the granted list
# published as a signed batch the paying agency pulls, and not again when
# unchanged. Also: an objection dismissed during the notice goes back to
# it; an objection after notice_until is refused before advance runs; the
# person's choice of a policy with a notice starts that notice; a person
# outside the programme's region gets nothing; a death before the grant,
# reported late, revokes from the grant's first day; a person who left the
# data is revoked; a held entitlement is revoked too; a second policy of a
# benefit already granted makes nothing; an appeal being raised refuses a
# second; a programme that fails does not stop the others' notices; a new batch runs the
# programmes reading it by itself (job entitle.evaluate), and no new batch runs nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"
. "$(dirname "$0")/groups.sh"
. "$(dirname "$0")/clock.sh"

F=$T/files
mkdir -p "$F" "$T/prog" "$T/pol"
bmx() { bm --data-dir "$F" --programmes-dir "$T/prog" "$@"; }
count() { db_sql "$DB" "$1"; }
audited() { count "SELECT count(*) FROM audit_log WHERE action = '$1'"; }
# ent KEY: the id of person KEY's entitlement of policy t.premium
ent() { count "SELECT id FROM entitlements WHERE person_key = '$1' AND policy = '${2:-t.premium}'"; }
state_of() { count "SELECT state FROM entitlements WHERE id = $1"; }
upload() { bmx exchange upload --member "$1" --dataset "$2" --batch "$3" --key "$T/$1.key" "$4" >/dev/null; }

bmx init --demo >"$T/init.out" 2>&1
check "setup: init --demo" test $? -eq 0

# --- the exchange: three providers, YBJ subscribed to what its programme reads ----------
for m in CDPF YBJ MZJ CZJ; do bmx exchange member add $m --name $m --region 990101 --key-out "$T/$m.key" >/dev/null; done
cat >"$T/disability.json" <<'EOF'
{"fields": [
 {"name": "id_number", "type": "string", "required": true, "personal": true},
 {"name": "name", "type": "string", "required": true, "personal": true},
 {"name": "phone", "type": "string", "required": false, "personal": true},
 {"name": "grade", "type": "int", "required": true, "personal": false},
 {"name": "hukou_region", "type": "string", "required": true, "personal": false},
 {"name": "low_income", "type": "bool", "required": false, "personal": false}
]}
EOF
cat >"$T/insured.json" <<'EOF'
{"fields": [{"name": "id_number", "type": "string", "required": true, "personal": true},
 {"name": "scheme", "type": "string", "required": true, "personal": false}]}
EOF
cat >"$T/deaths.json" <<'EOF'
{"fields": [{"name": "id_number", "type": "string", "required": true, "personal": true},
 {"name": "death_date", "type": "date", "required": true, "personal": false}]}
EOF
cat >"$T/grants.json" <<'EOF'
{"fields": [{"name": "id_number", "type": "string", "required": true, "personal": true},
 {"name": "name", "type": "string", "required": true, "personal": true},
 {"name": "amount", "type": "decimal", "required": true, "personal": false},
 {"name": "effective_from", "type": "date", "required": true, "personal": false},
 {"name": "effective_to", "type": "date", "required": false, "personal": false}]}
EOF
bmx exchange dataset add disability --provider CDPF --name 残疾人 --sharing 无条件 --schema "$T/disability.json" >/dev/null &&
	bmx exchange dataset add insured --provider YBJ --name 参保 --sharing 无条件 --schema "$T/insured.json" >/dev/null &&
	bmx exchange dataset add deaths --provider MZJ --name 死亡 --sharing 无条件 --schema "$T/deaths.json" >/dev/null &&
	bmx exchange dataset add premium_grants --provider YBJ --name 资助名单 --sharing 无条件 --schema "$T/grants.json" >/dev/null &&
	bmx exchange subscribe --consumer YBJ --dataset disability --fields id_number,name,phone,grade,hukou_region,low_income >/dev/null &&
	bmx exchange subscribe --consumer YBJ --dataset insured --fields id_number,scheme >/dev/null &&
	bmx exchange subscribe --consumer YBJ --dataset deaths --fields id_number,death_date >/dev/null &&
	bmx exchange subscribe --consumer CZJ --dataset premium_grants --fields id_number,name,amount,effective_from,effective_to >/dev/null
check "setup: members, datasets and subscriptions" test $? -eq 0

P1=$(id18 99010119600101001) P2=$(id18 99010119600101002) P3=$(id18 99010119600101003)
P4=$(id18 99010119600101004) P5=$(id18 99010119600101005) P6=$(id18 99010119600101006)
P7=$(id18 99010119600101007) P8=$(id18 99010119600101008) P9=$(id18 99010119600101009)
P10=$(id18 99010119600101010) P11=$(id18 99010119600101011) P12=$(id18 99010119600101012)
VA=990101001001 VB=990101001002 VOTHER=990101002001 VOUT=990102001001
cat >"$T/d1.csv" <<EOF
id_number,name,phone,grade,hukou_region,low_income
$P1,张一,13800000001,1,$VA,false
$P2,李二,13800000002,2,$VB,false
$P3,王三,13800000003,1,$VA,false
$P4,赵四,13800000004,2,$VA,false
$P5,钱五,13800000005,1,$VA,true
$P6,孙六,13800000006,3,$VA,false
$P7,周七,13800000007,1,$VA,false
$P8,吴八,13800000008,1,$VOTHER,false
$P9,郑九,13800000009,1,$VA,true
$P10,冯十,13800000010,2,$VA,false
$P11,陈十一,13800000011,1,$VOUT,true
$P12,楚十二,13800000012,1,$VA,true
EOF
printf 'id_number,scheme\n' >"$T/i1.csv"
for p in "$P1" "$P2" "$P3" "$P4" "$P5" "$P6" "$P8" "$P9" "$P10" "$P11" "$P12"; do echo "$p,resident" >>"$T/i1.csv"; done
upload CDPF disability d-2026-10 "$T/d1.csv" && upload YBJ insured i-2026-10 "$T/i1.csv"
check "setup: the October snapshots are uploaded, signed" test $? -eq 0

cat >"$T/pol/premium.json" <<'EOF'
{"id": "t.premium", "name": "测试医保资助", "benefit": "premium", "period": "yearly", "notice_days": 7,
 "inputs": {"disability.grade": "int", "hukou_region": "string", "medical_insurance": "string", "death_date": "date"},
 "parameters": {"premium": [{"from": "2025-01-01", "value": 400}, {"from": "2026-01-01", "value": 410}]},
 "condition": ["disability.grade in [1, 2]", "and within(hukou_region, \"990101\")",
               "and medical_insurance = \"resident\"", "and missing(death_date)"],
 "amount": "premium"}
EOF
cat >"$T/pol/low.json" <<'EOF'
{"id": "t.low_income", "name": "测试低保资助", "benefit": "premium", "period": "yearly",
 "inputs": {"disability.grade": "int", "disability.low_income": "bool"},
 "parameters": {"x": [{"from": "2025-01-01", "value": 410}]},
 "condition": "disability.grade = 1 and disability.low_income", "amount": "x"}
EOF
cat >"$T/pol/card.json" <<'EOF'
{"id": "t.card", "name": "测试护理补贴", "benefit": "care", "period": "yearly", "consent": true,
 "inputs": {"disability.grade": "int"},
 "parameters": {"x": [{"from": "2025-01-01", "value": 600}]},
 "condition": "disability.grade = 3", "amount": "x"}
EOF
PERSON='"person": {"name": "disability.name", "phone": "disability.phone", "region": "disability.hukou_region"}'
cat >"$T/prog/t.json" <<EOF
{"id": "t.prog", "name": "测试免申即享", "region": "990101", "operator": "YBJ",
 "policies": ["../pol/premium.json", "../pol/low.json"], "key": "id_number",
 "inputs": {"hukou_region": "disability.hukou_region", "medical_insurance": "insured.scheme",
            "death_date": "deaths.death_date"},
 $PERSON, "granted_dataset": "premium_grants"}
EOF
cat >"$T/prog/care.json" <<EOF
{"id": "t.care", "name": "测试护理补贴（意愿确认）", "region": "990101", "operator": "YBJ",
 "policies": ["../pol/card.json"], "key": "id_number", $PERSON, "consent_days": 15}
EOF
cat >"$T/prog/nosub.json" <<EOF
{"id": "t.nosub", "name": "无订阅", "region": "990101", "operator": "CDPF",
 "policies": ["../pol/card.json"], "key": "id_number", $PERSON}
EOF

# --- the October run (Friday 9 October 2026) ----------------------------------------------
at() {
	[ -n "$SERVER_PID" ] && stop_server
	BIANMIN_CLOCK_OFFSET=$(china_offset "$1") start_server --jobs false --programmes-dir "$T/prog" ||
		{ fail "the daemon starts at $1"; finish; exit 1; }
	signin_demo && signin AGY 19900000007 || { finish; exit 1; }
}
at "2026-10-09 10:00:00"
OTHER=$(bm apikey add elsewhere --role agency_operator --region 990101002 2>/dev/null | grep -E '^bmk_')
check "setup: an operator key of another town" test -n "$OTHER"

as "$AGY" POST /api/v1/entitlements/runs '{"programme": "t.nosub", "at": "2026-10-09"}'
expect_error 403 forbidden - "a run whose operator subscribes to nothing is refused (403)" \
	"operator 'CDPF' has no active subscription to dataset 'disability'"
as "$AGY" POST /api/v1/entitlements/runs '{"programme": "t.prog", "at": "2026-10-09"}'
expect_status 201 "an agency operator runs the programme at a date (201)"
expect_json '"\(.persons) \(.new) \(.revoked) \(.unknown) \(.held) \(.out_of_region)"' \
	"12 6 0 1 6 1" "12 persons: 6 in notice, 1 undecided (no enrolment), 6 held (two policies, one benefit), 1 out of region"
check "every new entitlement has its event, in the same run" \
	test "$(count "SELECT count(*) FROM entitlement_events")" = 12
check "nothing is made for a person outside the programme's region" \
	test "$(count "SELECT count(*) FROM entitlements WHERE person_key = '$P11'")" = 0
check "the run's row counts them" \
	test "$(count "SELECT out_of_region FROM entitlement_runs ORDER BY id LIMIT 1")" = 1
as "$AGY" POST /api/v1/entitlements/runs '{"programme": "t.care", "at": "2026-10-09"}'
expect_json .new 1 "the consent programme asks the grade-3 person"
as "$AGY" POST /api/v1/entitlements/runs '{"programme": "t.prog", "at": "2026-10-09"}'
expect_json '"\(.new) \(.held) \(.revoked)"' "0 0 0" "a second run changes nothing (idempotent)"
check "the run read each dataset through the exchange, audited as pulls" \
	test "$(audited exchange.pull)" -ge 3

E1=$(ent "$P1")
as "$AGY" GET "/api/v1/entitlements/$E1"
expect_json '.state + "|" + .state_label + "|" + .amount + "|" + .effective_from' \
	"in_notice|公示中|410.00|2026-10-09" "an eligible person is in the public notice, 410.00 yuan"
expect_json '.notice_until[0:16]' '2026-10-16T02:00' "the notice ends 7 days after the run"
expect_json '.person.key + "|" + .person.name + "|" + .person.phone' "9901**********${P1: -4}|张*|138****0001" \
	"the person is masked"
expect_json '.timeline[0].kind' notice.started "its timeline starts with notice.started"

# --- no grant before the 7th day; granted after ----------------------------------------
BIANMIN_CLOCK_OFFSET=$(china_offset "2026-10-15 10:00:00") bmx entitle advance >"$T/adv1.out" 2>&1
check "on the 6th day nothing moves" grep -q '^0 entitlements past their notice' "$T/adv1.out"
check "the person is still in notice" test "$(state_of "$E1")" = in_notice

# an objection during the notice (异议), upheld
E2=$(ent "$P2")
as "$AGY" POST "/api/v1/entitlements/$E2/objection" '{"text": "村委反映其户籍已迁出"}'
expect_json .state objected "an objection during the notice stops it (objected)"
as "$AGY" POST "/api/v1/entitlements/$E2/review" '{"decision": "uphold"}'
expect_error 400 invalid reason "upholding an objection needs a reason"
as "$AGY" POST "/api/v1/entitlements/$E2/review" '{"decision": "uphold", "reason": "户籍已迁出本县"}'
expect_json '.state + "|" + .reason' "refused|户籍已迁出本县" "an objection upheld refuses it, with the reason"
as "$AGY" POST "/api/v1/entitlements/$E1/review" '{"decision": "dismiss"}'
expect_error 409 conflict - "only an objected entitlement is reviewed (409)" "in_notice"
# an objection dismissed while the notice lasts: back in notice, granted at its end only
E8=$(ent "$P8")
as "$AGY" POST "/api/v1/entitlements/$E8/objection" '{"text": "邻居反映"}'
expect_json .state objected "another objection (objected)"
as "$AGY" POST "/api/v1/entitlements/$E8/review" '{"decision": "dismiss", "reason": "核实无误"}'
expect_json '.state + "|" + .timeline[-1].kind + "|" + .timeline[-1].to' \
	"in_notice|objection.dismissed|in_notice" "a dismissal during the notice puts it back in notice, not granted"

# the person's choice between two policies: the chosen one goes through the notice
E9A=$(ent "$P9") E9B=$(ent "$P9" t.low_income)
as "$AGY" POST "/api/v1/entitlements/$E9A/consent" '{"answer": "accept", "channel": "visit"}'
expect_json '.state + "|" + .notice_until[0:10] + "|" + ([.timeline[].kind] | join(","))' \
	"in_notice|2026-10-16|held,consent.given,notice.started" \
	"choosing a policy with a notice starts its public notice (no grant yet)"
check "the other policy's is declined" test "$(state_of "$E9B")" = declined

BIANMIN_CLOCK_OFFSET=$(china_offset "2026-10-17 10:00:00") bmx entitle object "$E1" --text late >"$T/late.out" 2>&1
check "an objection after the notice's end is refused, even before advance runs" \
	grep -q 'during the public notice only' "$T/late.out"
check "and the entitlement stays in notice until advance" test "$(state_of "$E1")" = in_notice
# a programme whose file no longer loads does not stop the others' notices
echo '{"id": "t.broken", "typo": 1}' >"$T/prog/broken.json"
db_sql "$DB" "INSERT INTO entitlements(programme, policy, benefit, person_key, person_name, phone, region,
	period, amount, state, version, notice_until, consent_until, effective_from, effective_to, reason,
	explanation, appeal_case, run, created_at, updated_at) SELECT 't.broken', policy, benefit, person_key,
	person_name, phone, region, period, amount, state, version, notice_until, consent_until, effective_from,
	effective_to, reason, explanation, appeal_case, run, created_at, updated_at FROM entitlements WHERE id = $E8" >/dev/null
BIANMIN_CLOCK_OFFSET=$(china_offset "2026-10-17 10:00:00") bmx entitle advance >"$T/adv2.out" 2>&1
check "a programme that fails makes advance fail, naming it" \
	bash -c "test $? -ne 0 && grep -q 'broken.json' '$T/adv2.out'"
check "after the 7th day the notices that ended move on" grep -q '^6 entitlements past their notice' "$T/adv2.out"
check "the failing programme's entitlement waits" \
	test "$(count "SELECT state FROM entitlements WHERE programme = 't.broken'")" = in_notice
rm "$T/prog/broken.json"
check "the person is granted" test "$(state_of "$E1")" = granted
check "the one whose objection was dismissed is granted at the notice's end" test "$(state_of "$E8")" = granted
check "with the event the outbox reads (granted)" \
	test "$(count "SELECT kind FROM entitlement_events WHERE entitlement = $E1 ORDER BY id DESC LIMIT 1")" = granted
as "$AGY" POST "/api/v1/entitlements/$E1/objection" '{"text": "late"}'
expect_error 409 conflict - "an objection after the notice is refused (409)"

# --- consent (意愿确认) refused; the person's choice between two policies --------------
E6=$(ent "$P6" t.card)
as "$AGY" GET "/api/v1/entitlements/$E6"
expect_json '.state + "|" + .consent_until[0:16]' 'awaiting_consent|2026-10-24T02:00' \
	"a consent policy asks the person, for consent_days (15)"
as "$AGY" POST "/api/v1/entitlements/$E6/consent" '{"answer": "refuse"}'
expect_error 400 invalid channel "the channel of the answer is required"
as "$AGY" POST "/api/v1/entitlements/$E6/consent" '{"answer": "refuse", "channel": "sms", "note": "回复2"}'
expect_json .state declined "a consent refused declines it"
E5A=$(ent "$P5") E5B=$(ent "$P5" t.low_income)
as "$AGY" GET "/api/v1/entitlements/$E5A"
expect_json '.state + "|" + .timeline[0].kind' "held|held" "two policies granting one benefit hold both"
as "$AGY" POST "/api/v1/entitlements/$E5B/consent" '{"answer": "accept", "channel": "phone"}'
expect_json '.state + "|" + ([.timeline[].kind] | join(","))' "granted|held,consent.given,granted" \
	"the person chooses one: granted"
check "and the other is declined" test "$(state_of "$E5A")" = declined

# --- November: deaths (one reported late), a grade change, a person gone, a second policy ---------
# P4 is now grade 3; P1 now low-income (a second policy of the benefit); P10 left the data;
# P3 died on 20 October, P12 (held) on 25 October, P8 on 5 October (before the grant).
sed -e "s/^$P4,赵四,13800000004,2,/$P4,赵四,13800000004,3,/" -e "/^$P10,/d" \
	-e "s/^\($P1,.*\),false\$/\1,true/" "$T/d1.csv" >"$T/d2.csv"
printf 'id_number,death_date\n%s,2026-10-20\n%s,2026-10-25\n%s,2026-10-05\n' "$P3" "$P12" "$P8" >"$T/x2.csv"
upload CDPF disability d-2026-11 "$T/d2.csv" && upload MZJ deaths x-2026-11 "$T/x2.csv"
check "setup: the November snapshots" test $? -eq 0
at "2026-11-02 09:00:00"
as "$AGY" POST /api/v1/entitlements/runs '{"programme": "t.prog", "at": "2026-11-02"}'
expect_json '"\(.new) \(.revoked) \(.held)"' "0 5 1" \
	"the November run revokes five and makes no second grant of the benefit"
check "a second policy of a benefit already granted makes nothing (counted held)" \
	test "$(count "SELECT count(*) FROM entitlements WHERE person_key = '$P1'")" = 1
E3=$(ent "$P3") E4=$(ent "$P4")
as "$AGY" GET "/api/v1/entitlements/$E3"
expect_json '.state + "|" + .effective_to' "revoked|2026-10-20" "a death revokes from the death date"
as "$AGY" GET "/api/v1/entitlements/$E8"
expect_json '.state + "|" + .effective_to' "revoked|2026-10-09" \
	"a death before the grant, reported late, revokes from the grant's first day"
as "$AGY" GET "/api/v1/entitlements/$(ent "$P10")"
expect_json '.state + "|" + .effective_to + "|" + .reason' "revoked|2026-11-02|no longer in the provider's data" \
	"a person who left the provider's data is revoked from the run's date"
as "$AGY" GET "/api/v1/entitlements/$(ent "$P12")"
expect_json '.state + "|" + .effective_to + "|" + .timeline[-1].from' "revoked|2026-10-25|held" \
	"a held entitlement is revoked too when the person stops qualifying"
as "$AGY" GET "/api/v1/entitlements/$E4"
expect_json '.state + "|" + .effective_to' "revoked|2026-11-02" "a grade change revokes from the run's date"
check "the explanation of the refusal says why" \
	grep -q 'failed: disability.grade in \[1, 2\] (disability.grade is 3)' <(json .explanation)
expect_json .reason 'failed: disability.grade in [1, 2] (disability.grade is 3) [line 1, column 1]' \
	"and the reason is the failing condition"
expect_json '.timeline[-1].detail' \
	'from 2026-11-02: failed: disability.grade in [1, 2] (disability.grade is 3) [line 1, column 1]' \
	"the revocation's event says from when and why"

# --- an appeal (申诉) becomes a demand in the person's region ----------------------------------
as "$AGY" POST "/api/v1/entitlements/$E4/appeal" '{"text": "我已申请残疾等级复评"}'
expect_status 201 "an appeal of a revocation is accepted (201)"
DEM=$(json .appeal_demand)
expect_json '.timeline[-1].kind' appealed "the entitlement's timeline shows it"
as "$AGY" GET "/api/v1/demands/$DEM"
expect_json '.region + "|" + .category' "$VA|welfare" "the demand is in the person's village, category 社会保障"
as "$AGY" POST "/api/v1/entitlements/$E4/appeal" '{"text": "again"}'
expect_error 409 conflict - "an entitlement is appealed once"
db_sql "$DB" "UPDATE entitlements SET appeal_case = -1 WHERE id = $E3" >/dev/null
as "$AGY" POST "/api/v1/entitlements/$E3/appeal" '{"text": "同时申诉"}'
expect_error 409 conflict - "an appeal while another is being raised is refused" "being appealed right now"
check "and raises no second demand" test "$(count "SELECT count(*) FROM cases WHERE title = '免申即享申诉'")" = 1
as "$AGY" POST "/api/v1/entitlements/$E1/appeal" '{"text": "?"}'
expect_error 409 conflict - "a granted entitlement is not appealed"

# --- who sees what ----------------------------------------------------------------------------
as "$OTHER" GET "/api/v1/entitlements/$E1"
expect_error 404 not_found - "another town's officer does not see it (404)"
as "$OTHER" POST "/api/v1/entitlements/$E1/objection" '{"text": "x"}'
expect_error 404 not_found - "nor acts on it (404)"
as "$OTHER" GET "/api/v1/entitlements?region=990101002"
expect_json '[.items[].region] | unique | join(",")' "$VOTHER" "its list has its town's person only"
as "$RES" GET /api/v1/entitlements
expect_status 403 "a resident gets 403"
as "$TSUP" GET "/api/v1/entitlements?region=990101103"
expect_json '.items | length' 0 "a town supervisor reads their town's (none here)"
as "$CSUP" GET "/api/v1/entitlements?programme=t.prog&state=revoked"
REVOKED=$(count "SELECT id FROM entitlements WHERE programme = 't.prog' AND state = 'revoked' ORDER BY id" | paste -sd,)
expect_json '[.items[].id] | join(",")' "$REVOKED" "a county supervisor lists by programme and state"
expect_json '.items[0].person.name' "王*" "masked in the list"
as "$CSUP" POST "/api/v1/entitlements/$E1/objection" '{"text": "x"}'
expect_status 403 "a supervisor reads but does not act (403)"
as "$AGY" GET "/api/v1/entitlements/$E1/person?reason=核对"
expect_status 403 "an agency operator may not reveal the person (403)"
as "$ADM" GET "/api/v1/entitlements/$E1/person"
expect_error 400 invalid reason "a reveal needs a reason"
as "$ADM" GET "/api/v1/entitlements/$E1/person?reason=%E6%A0%B8%E5%AF%B9"
expect_json '.person.key + "|" + .person.phone' "$P1|13800000001" "a system administrator reveals it with a reason"
check "the reveal is audited" test "$(audited entitlement.person_read)" = 1
check "no ID number in the audit trail" \
	test "$(count "SELECT count(*) FROM audit_log WHERE summary LIKE '%$P1%'")" = 0

# --- the granted list to the paying agency ---------------------------------------------------
bmx entitle publish "$T/prog/t.json" --period 2026 --key "$T/YBJ.key" >"$T/pub.out" 2>&1
check "the granted list is published as a signed batch" \
	grep -q 'batch premium_grants.2026.1 of premium_grants' "$T/pub.out"
bmx exchange pull "$(count "SELECT id FROM exchange_subscriptions WHERE consumer = 'CZJ'")" >"$T/pull.out" 2>&1
check "the paying agency gets the granted persons (and those revoked, until when)" \
	test "$(grep -c '"data"' "$T/pull.out")" = 7
check "a revoked person's line ends on the revocation date" \
	grep -q "\"id_number\":\"$P3\".*\"effective_to\":\"2026-10-20\"" "$T/pull.out"
bmx entitle publish "$T/prog/t.json" --period 2026 --key "$T/YBJ.key" >"$T/pub2.out" 2>&1
check "publishing the same list again uploads nothing and says so" \
	grep -q '^unchanged t.prog: batch premium_grants.2026.1 of premium_grants' "$T/pub2.out"
check "one audit entry for the publication" test "$(audited entitle.publish)" = 1
bmx entitle show "$E4" >"$T/show.out" 2>&1
check "the command line shows an entitlement with its timeline, masked" \
	bash -c "grep -q 'appealed' '$T/show.out' && ! grep -q '$P4' '$T/show.out'"

# --- new data -> evaluation: the job entitle.evaluate ------------------------------------
# A December snapshot where P13 (grade 3) joins; the daemon, its job every second, runs the
# programmes whose datasets have a batch newer than their last run, at today's date.
P13=$(id18 99010119600101013)
{ cat "$T/d2.csv"; echo "$P13,卫十三,13800000013,3,$VA,false"; } >"$T/d3.csv"
upload CDPF disability d-2026-12 "$T/d3.csv"
check "setup: the December snapshot" test $? -eq 0
stop_server
BIANMIN_CLOCK_OFFSET=$(china_offset "2026-12-01 09:00:00") start_server --programmes-dir "$T/prog" \
	--job-intervals entitle.evaluate=1 || { fail "the daemon starts with its jobs"; finish; exit 1; }
signin_demo || { finish; exit 1; }
# evaluated N: true once GET /api/v1/jobs lists N finished runs of entitle.evaluate
evaluated() {
	as "$ADM" GET "/api/v1/jobs?job=entitle.evaluate&limit=100"
	[ "$(json '[.runs[] | select(.outcome != "running")] | length')" -ge "$1" ]
}
# within COMMAND...: true as soon as COMMAND succeeds, false after 30 s
within() {
	local i
	for ((i = 0; i < 600; i++)); do "$@" && return 0; sleep 0.05; done
	return 1
}
check "the job entitle.evaluate runs" within evaluated 1
RUNS=$(count "SELECT count(*) FROM entitlement_runs")
as "$ADM" GET "/api/v1/jobs?job=entitle.evaluate&limit=100"
expect_json '[.runs[] | select(.outcome != "running")] | last | .outcome + "|" + .detail' \
	"failed|2 programmes ran (t.care: 2 new, 0 revoked, 0 unknown, 0 held; t.prog: 0 new, 0 revoked, 1 unknown, 1 held), 1 failed" \
	"the programmes reading the new batch ran, the one failing is counted, the job goes on, its run is marked failed"
check "the newcomer is asked, by a run of the job at today's date" \
	test "$(count "SELECT r.actor || '|' || r.at_day FROM entitlements e JOIN entitlement_runs r ON r.id = e.run
		WHERE e.person_key = '$P13' AND e.policy = 't.card' AND e.state = 'awaiting_consent'")" = \
	"job:entitle.evaluate|$(($(date -ud 2026-12-01 +%s) / 86400))"
check "a run records the newest batch it read" \
	test "$(count "SELECT data_seq FROM entitlement_runs WHERE programme = 't.prog' ORDER BY id DESC LIMIT 1")" = \
	"$(count "SELECT id FROM exchange_batches WHERE batch_id = 'd-2026-12'")"
check "the failing programme is logged by its id alone" \
	bash -c "grep -q 'programme=t.nosub: failed (forbidden)' '$T/serve.log' && ! grep -q 'no active subscription' '$T/serve.log'"
DONE=$(json '[.runs[] | select(.outcome != "running")] | length')
check "the job runs again" within evaluated $((DONE + 2))
check "with no new batch it runs nothing again" \
	test "$(count "SELECT count(*) FROM entitlement_runs")" = "$RUNS"
expect_json '[.runs[] | select(.outcome != "running")] | .[0] | .outcome + "|" + .detail' \
	"failed|0 programmes ran, 1 failed" "its detail says nothing ran; a programme still fails"

finish
