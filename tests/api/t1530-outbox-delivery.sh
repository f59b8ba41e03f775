#!/usr/bin/env bash
# t1530: what an entitlement sets going downstream (docs/outbox.md, docs/cases.md
# "Delivery tasks"): the dispatcher turns a granted event of the Shenyang
# premium programme into one SMS of the outbox with the rendered text and one
# delivery task in the person's village with a 10-working-day clock.
#
# Covered: dispatching twice sends nothing twice; the SMS gateway (a small
# receiver on this machine) failing once, retried after the backoff, then
# sent, with the phone and text it got; with no gateway the message is kept;
# an officer starts and confirms a delivery (the receiver's words needed),
# reads the person's contact (audited); a task left past its due day
# escalates from the district to the city; a revocation cancels the open task
# and tells the person from when it stops; delivery tasks never show among
# demands (nor may a reminder, 督办, name one); another town's officer does
# not see the task, a resident may not ask. The daemon's clock is moved with
# BIANMIN_CLOCK_OFFSET: nothing waits.
#
# The entitlements and their events are written as the pipeline writes them
# (rows of migration 0021), so that this script needs no exchange set-up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"
. "$(dirname "$0")/groups.sh"
. "$(dirname "$0")/clock.sh"

export BIANMIN_PROGRAMMES_DIR=$BIANMIN_TOP/data/programmes
count() { db_sql "$DB" "$1"; }
audited() { count "SELECT count(*) FROM audit_log WHERE action = '$1'"; }
at() { at_china "$1" && signin AGY 19900000007 || { finish; exit 1; }; }
# bm_at TIME ARGS...: the command line at that China time
bm_at() { local t=$1; shift; BIANMIN_CLOCK_OFFSET=$(china_offset "$t") bm "$@"; }

# grant KEY NAME REGION: a granted entitlement and its event, as the pipeline writes them
grant() {
	db_sql "$DB" "INSERT INTO entitlements (programme, policy, benefit, person_key, person_name,
		phone, region, period, amount, state, effective_from, created_at, updated_at) VALUES
		('shenyang.disability_premium', 'shenyang.disability_premium', 'premium', '$1', '$2',
		'13800138000', '$3', 2026, 41000, 'granted', 20454, 1, 1)" >/dev/null
	db_sql "$DB" "INSERT INTO entitlement_events (entitlement, kind, from_state, to_state, at, actor,
		detail) SELECT id, 'granted', '', 'granted', 1, 'test', '' FROM entitlements
		WHERE person_key = '$1'" >/dev/null
}
# revoke KEY DAY REASON: revoked from day number DAY, with its event
revoke() {
	db_sql "$DB" "UPDATE entitlements SET state = 'revoked', effective_to = $2, reason = '$3',
		version = version + 1 WHERE person_key = '$1'" >/dev/null
	db_sql "$DB" "INSERT INTO entitlement_events (entitlement, kind, from_state, to_state, at, actor,
		detail) SELECT id, 'revoked', 'granted', 'revoked', 2, 'test', '$3' FROM entitlements
		WHERE person_key = '$1'" >/dev/null
}
task_of() {
	count "SELECT d.case_id FROM deliveries d JOIN entitlements e ON e.id = d.entitlement
		WHERE e.person_key = '$1'"
}

bm init --demo >"$T/init.out" 2>&1
check "setup: init --demo" test $? -eq 0
OTHER=$(bm apikey add elsewhere --role agency_operator --region 990101001 2>/dev/null | grep -E '^bmk_')
check "setup: another town's operator key" test -n "$OTHER"

# --- a grant on Monday 30 November 2026 ------------------------------------------------
grant A01 张三 "$V1"
bm_at "2026-11-30 09:00:00" entitle dispatch >"$T/d1.out" 2>&1
check "a granted event makes one SMS and one delivery task" \
	grep -q "dispatched 1 events: 1 messages, 1 delivery tasks opened, 0 cancelled" "$T/d1.out"
bm_at "2026-11-30 09:01:00" entitle dispatch >"$T/d2.out" 2>&1
check "dispatching again sends nothing twice" grep -q "dispatched 0 events: 0 messages" "$T/d2.out"
check "one SMS, one task in the tables" \
	test "$(count "SELECT count(*) FROM outbox")|$(count "SELECT count(*) FROM deliveries")" = "1|1"
TA=$(task_of A01)

at "2026-11-30 09:05:00"
as "$AGY" GET /api/v1/outbox
expect_status 200 "an agency operator of the county reads the outbox"
expect_json '.items[0].text' \
	"【沈阳医保】张*您好，您2026年城乡居民医保个人缴费410.00元已由政府全额资助，无需申请。社保卡将由区残联工作人员送达。" \
	"the SMS is the programme's template for a grant, rendered; the listing masks the name"
expect_json '.items[0].phone + "|" + .items[0].state + "|" + .items[0].kind' '138****8000|pending|granted' \
	"the phone is masked, the SMS waits for the sender"
OA=$(json '.items[0].id')
as "$AGY" GET "/api/v1/outbox/$OA/phone"
expect_status 403 "without personal_data the operator reveals neither the phone nor the text"
signin ADM 19900000009
as "$ADM" GET "/api/v1/outbox/$OA/phone"
expect_json '.phone + "|" + .text' \
	"13800138000|【沈阳医保】张三您好，您2026年城乡居民医保个人缴费410.00元已由政府全额资助，无需申请。社保卡将由区残联工作人员送达。" \
	"the administrator reveals the phone and the text as sent"
check "the reveal is audited, once" test "$(audited outbox.phone_read)" = 1

as "$AGY" GET /api/v1/deliveries
expect_status 200 "the operator lists the delivery tasks of the county"
expect_json '.items | length' 1 "one task"
expect_json '.items[0] | .region + "|" + .state + "|" + .level_name + "|" + .title + "|" + .person_name' \
	"$V1|waiting|district|社会保障卡送达|张*" "in the person's village, waiting, at the district, person masked"
expect_json '.items[0].clock.due' '2026-12-14T16:00:00Z' \
	"10 working days from Monday 30 November end with Monday 14 December"
expect_json '.items[0].actions | join(",")' 'start,deliver,fail,note' "what the officer may do"

# --- delivery tasks are no demands -------------------------------------------------
as "$CSUP" GET "/api/v1/demands?limit=100"
expect_json "[.items[]? , .demands[]? | select(.id == $TA)] | length" 0 "the demands list never shows a delivery task"
as "$CSUP" GET "/api/v1/demands/$TA"
expect_status 404 "nor does a demand's read"
as "$AGY" GET "/api/v1/demands/$TA"
expect_status 404 "not even for the officer who delivers it"
as "$TSUP" POST /api/v1/supervision "{\"object\":\"case:$TA\",\"note\":\"请尽快送达\"}"
expect_status 404 "a reminder (督办) is for demands: a delivery task is no such demand"
bm demands sweep >"$T/sw0.out" 2>&1
check "the sweep runs with delivery tasks among the cases" test $? -eq 0

# --- the SMS gateway: fails once, then takes it -------------------------------------
mkdir -p "$T/recv"
python3 "$BIANMIN_TOP/tests/api/exchange_receiver.py" "$T/recv" 503,200 &
RECV_PID=$!
trap 'kill "$RECV_PID" 2>/dev/null; cleanup' EXIT
for _ in $(seq 1 100); do [ -f "$T/recv/port" ] && break; sleep 0.05; done
RPORT=$(cat "$T/recv/port" 2>/dev/null)
check "setup: the SMS gateway listens" test -n "$RPORT"
GW="http://127.0.0.1:$RPORT/sms"

bm_at "2026-11-30 09:10:00" outbox send --gateway "http://sms.example.cn/send" >"$T/g0.out" 2>&1
check "a gateway in clear elsewhere than this machine is refused" \
	bash -c "grep -q 'https://' '$T/g0.out' && test -z \"\$(ls '$T/recv' | grep body)\""
bm_at "2026-11-30 09:10:00" outbox send --gateway "$GW" >"$T/g1.out" 2>&1
check "the gateway fails once: the SMS is to be retried" grep -q "1 due: 0 sent, 0 kept, 1 to retry" "$T/g1.out"
check "the gateway got the phone and the text as JSON" \
	test "$(jq -r '.to + "|" + (.id | tostring) + "|" + (.text | contains("410.00元") | tostring)' "$T/recv/1.body" | tr -d '\n')" = "13800138000|$OA|true"
bm_at "2026-11-30 09:10:30" outbox send --gateway "$GW" >"$T/g2.out" 2>&1
check "within the backoff nothing is tried" grep -q "outbox: 0 due" "$T/g2.out"
bm_at "2026-11-30 09:12:00" outbox send --gateway "$GW" >"$T/g3.out" 2>&1
check "after the backoff it is sent" grep -q "1 due: 1 sent" "$T/g3.out"
check "the second attempt carried the same SMS" cmp -s "$T/recv/1.body" "$T/recv/2.body"
as "$AGY" GET "/api/v1/outbox?state=sent"
expect_json '.items[0] | .state + "|" + (.attempts | tostring) + "|" + (.status | tostring)' 'sent|2|200' \
	"the SMS is sent after two attempts, with the gateway's status"
check "each attempt is audited, without the phone or the text" \
	test "$(count "SELECT count(*) FROM audit_log WHERE action = 'outbox.send' AND summary NOT LIKE '%13800138000%' AND summary NOT LIKE '%张三%'")" = 2

# --- no gateway: kept -------------------------------------------------------------
grant B02 李四 "$V1"
bm_at "2026-11-30 10:00:00" entitle dispatch >"$T/d3.out" 2>&1
# (half a minute on: each command's clock is set to the second, and may be a
# second late when the machine is busy)
bm_at "2026-11-30 10:00:30" outbox send >"$T/g4.out" 2>&1
check "with no gateway configured the SMS is kept in the outbox" grep -q "1 due: 0 sent, 1 kept" "$T/g4.out"
as "$AGY" GET "/api/v1/outbox?state=kept"
expect_json '.items | length' 1 "one kept SMS"
TB=$(task_of B02)

# --- the officer delivers --------------------------------------------------------
as "$AGY" POST "/api/v1/deliveries/$TA/actions/start" '{"version":1}'
expect_status 200 "the officer sets out (出发送达)"
expect_json '.state + "|" + (.version | tostring)' 'out|2' "the task is out"
as "$AGY" POST "/api/v1/deliveries/$TA/actions/deliver" '{"version":2}'
expect_error 400 invalid words "a delivery is confirmed only with the receiver's words" "receiver"
as "$AGY" POST "/api/v1/deliveries/$TA/actions/deliver" '{"version":1,"words":"本人签收"}'
expect_status 409 "a stale version is refused"
as "$AGY" POST "/api/v1/deliveries/$TA/actions/deliver" '{"version":2,"words":"本人签收，核对身份证"}'
expect_status 200 "the delivery is confirmed (确认送达)"
expect_json '.state + "|" + .clock.status + "|" + (.actions | length | tostring)' 'delivered|met|0' \
	"delivered in time, nothing left to do"
expect_json '.timeline[-1].detail' '本人签收，核对身份证' "the receiver's words are in the timeline"
A0=$(audited delivery.contact_read)
as "$AGY" GET "/api/v1/deliveries/$TB/contact"
expect_json '.name + "|" + .phone' '李四|13800138000' "the officer reads whom to deliver to"
check "the reveal is audited" test "$(audited delivery.contact_read)" = $((A0 + 1))

as "$OTHER" GET "/api/v1/deliveries/$TB"
expect_status 404 "another town's officer does not see the task"
as "$RES" GET "/api/v1/deliveries"
expect_status 403 "a resident may not ask"

# --- left overdue: the city takes it --------------------------------------------
bm_at "2026-12-15 09:00:00" demands sweep >"$T/sw1.out" 2>&1
at "2026-12-15 09:05:00"
as "$AGY" GET "/api/v1/deliveries/$TB"
expect_json '.level_name + "|" + (.escalations | tostring) + "|" + .state' 'city|1|waiting' \
	"a task past its 10 working days escalates from the district to the city"
expect_json '[.timeline[].action] | join(",")' 'open,clock.warning,clock.missed,escalated' \
	"the timeline says so (the warning at 80% and the miss, found by one sweep)"

# --- a revocation cancels the open task -------------------------------------------
grant C03 王五 "$V1"
bm_at "2026-12-15 10:00:00" entitle dispatch >"$T/d4.out" 2>&1
TC=$(task_of C03)
revoke C03 20818 "死亡（2026-12-30）"
bm_at "2026-12-16 10:00:00" entitle dispatch >"$T/d5.out" 2>&1
check "the revocation cancels one task and tells the person" \
	grep -q "dispatched 1 events: 1 messages, 0 delivery tasks opened, 1 cancelled" "$T/d5.out"
at "2026-12-16 10:05:00"
as "$AGY" GET "/api/v1/deliveries/$TC"
expect_json '.state + "|" + .timeline[-1].action + "|" + .timeline[-1].detail' "cancelled|cancel|死亡（2026-12-30）" \
	"the task is cancelled with the entitlement's reason"
as "$AGY" GET "/api/v1/outbox?limit=1"
expect_json '.items[0].kind + "|" + (.items[0].text | contains("自2026-12-31起停止") | tostring)' \
	'revoked|true' "the person is told from when it stops"
bm_at "2026-12-17 10:00:00" entitle dispatch >"$T/d6.out" 2>&1
check "nothing more is cancelled or sent the next day" grep -q "dispatched 0 events" "$T/d6.out"

# --- the command line -------------------------------------------------------------
bm delivery list --region 990101 --state waiting >"$T/cli1.out" 2>&1
check "the CLI lists a region's waiting tasks, person masked" \
	bash -c "grep -q '^$TB	waiting	city' '$T/cli1.out' && ! grep -q '李四' '$T/cli1.out'"
bm delivery act "$TB" deliver --words "家属代收" >"$T/cli2.out" 2>&1
check "the CLI confirms a delivery" grep -q "^$TB	delivered" "$T/cli2.out"
bm delivery act "$TB" deliver --words "again" >"$T/cli3.out" 2>&1
check "a delivered task takes no more actions (exit 3)" test $? -eq 3
bm outbox list --region 990101 >"$T/cli4.out" 2>&1
check "the CLI lists the outbox, phone and name masked" \
	bash -c "test \$(wc -l <'$T/cli4.out') = 4 && ! grep -q 13800138000 '$T/cli4.out' && ! grep -q 张三 '$T/cli4.out'"

# --- an event whose programme is in no file is skipped, the ones after it go -----------
db_sql "$DB" "INSERT INTO entitlements (programme, policy, benefit, person_key, person_name, phone,
	region, period, amount, state, effective_from, created_at, updated_at) VALUES
	('gone.programme', 'gone.programme', 'premium', 'X01', '王五', '13800138000', '$V1', 2026,
	41000, 'granted', 20454, 1, 1)" >/dev/null
db_sql "$DB" "INSERT INTO entitlement_events (entitlement, kind, from_state, to_state, at, actor,
	detail) SELECT id, 'granted', '', 'granted', 1, 'test', '' FROM entitlements
	WHERE person_key = 'X01'" >/dev/null
grant D01 赵六 "$V1"
bm_at "2026-12-02 09:00:00" entitle dispatch >"$T/d9.out" 2>"$T/d9.err"
check "the bad event is passed over, the next one dispatched" \
	bash -c "test $? -eq 0 && grep -q 'dispatched 2 events: 1 messages, 1 delivery tasks opened' '$T/d9.out' && grep -q '1 events skipped' '$T/d9.err'"
check "the skipped event is audited with the reason" \
	test "$(count "SELECT count(*) FROM audit_log WHERE action = 'dispatch.skipped' AND summary LIKE '%gone.programme%'")" = 1
bm_at "2026-12-02 09:01:00" entitle dispatch >"$T/d10.out" 2>&1
check "it is not tried again" grep -q "dispatched 0 events" "$T/d10.out"

finish
