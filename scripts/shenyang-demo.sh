#!/usr/bin/env bash
# scripts/shenyang-demo.sh - the Shenyang severe-disability subsidy (沈阳市重度
# 残疾人医保个人缴费资助, 免申即享) from upload to delivered card, on synthetic
# persons (docs/shenyang-demo.md; `make demo-shenyang`).
#
# The federation (CDPF), the medical-insurance agency (YBJ), the civil-affairs
# bureau (MZJ) and the finance bureau (CZJ, the paying agency) meet on the
# exchange; two months of their data go through the entitlement pipeline. Each
# step prints, in Chinese and English, what happened, its counts and its time,
# and checks its counts against what scripts/shenyang_persons.py says it
# generated: any failed command or wrong count stops the demo (exit 1).
# The database is left for `bianmin serve`; the generated files, the stand-in
# receiver of CZJ and the other temporary files are removed on exit.
#
# Dates are fixed (October and November 2026, China time): every command runs
# with BIANMIN_CLOCK_OFFSET set to the moment of its step, so the demo gives the
# same result whenever it is run and waits for nothing.
#
# usage: scripts/shenyang-demo.sh [--persons N] [--seed S] [--dir DIR] [--db DB]
#                                 [--bin BIANMIN] [--expected FILE] [--replace]
#   --dir       the demo's folder: SQLite database (unless --db), the exchange's
#               data folder, the agencies' secret keys, the accounts made
#               (default var/shenyang-demo)
#   --db        a database instead of DIR/bianmin.db: a SQLite path or a
#               postgresql:// URL of an empty database
#   --expected  copy the generator's expected counts (JSON) to FILE
#   --replace   remove DIR first when it holds an earlier run of this demo
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
PERSONS=47000 SEED=2101 DIR=var/shenyang-demo DB= BIN=$TOP/build/bianmin EXPECTED= REPLACE=
usage() { sed -n '/^# usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--persons) PERSONS=${2:?}; shift 2 ;;
	--seed) SEED=${2:?}; shift 2 ;;
	--dir) DIR=${2:?}; shift 2 ;;
	--db) DB=${2:?}; shift 2 ;;
	--bin) BIN=${2:?}; shift 2 ;;
	--expected) EXPECTED=${2:?}; shift 2 ;;
	--replace) REPLACE=1; shift ;;
	*) usage ;;
	esac
done
[ -x "$BIN" ] || { echo "shenyang-demo: no bianmin binary at '$BIN' (run make, or give --bin)" >&2; exit 2; }

if [ -n "$REPLACE" ] && [ -e "$DIR" ]; then
	[ -f "$DIR/.shenyang-demo" ] ||
		{ echo "shenyang-demo: '$DIR' was not made by this demo; not removed" >&2; exit 2; }
	rm -rf "$DIR"
fi
[ -e "$DIR" ] && { echo "shenyang-demo: '$DIR' exists: remove it, or give --replace or another --dir" >&2; exit 2; }
mkdir -p "$DIR/data" "$DIR/keys"
: >"$DIR/.shenyang-demo"
DB=${DB:-$DIR/bianmin.db}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/shenyang-demo.XXXXXX")
RECV_PID=
cleanup() {
	if [ -n "$RECV_PID" ]; then
		kill "$RECV_PID" 2>/dev/null || true
		wait "$RECV_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap 'rc=$?; cleanup; exit $rc' EXIT

# --- output, timing and checks ------------------------------------------------------
STEP=0 T0=$EPOCHREALTIME STEP_T=
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
# step 中文 English: a step begins.
step() {
	STEP=$((STEP + 1)) STEP_T=$EPOCHREALTIME
	printf '\n[%2d] %s\n     %s\n' "$STEP" "$1" "$2"
}
# say 中文 English: what the step did (with its time on the English line).
say() { printf '     → %s\n     → %s (%s s)\n' "$1" "$2" "$(elapsed "$STEP_T")"; }
die() {
	printf '\nshenyang-demo: step %d failed: %s\n' "$STEP" "$1" >&2
	[ -s "$TMP/out" ] && sed 's/^/  | /' "$TMP/out" | tail -n 20 >&2
	exit 1
}
# expect GOT WANT WHAT: the step fails unless GOT is WANT.
expect() { [ "$1" = "$2" ] || die "$3: $1, expected $2"; }

# The generator's expected counts (expected.json, flattened once by
# load_expected): ex month1.eligible
declare -A EX
load_expected() {
	local k v
	while IFS='=' read -r k v; do EX[$k]=$v; done < <(python3 -c 'import json, sys
def walk(prefix, v):
    if isinstance(v, dict):
        for k, x in v.items(): walk(prefix + k + ".", x)
    else:
        print(prefix[:-1] + "=" + str(v))
walk("", json.load(open(sys.argv[1])))' "$TMP/gen/expected.json")
}
ex() { echo "${EX[$1]:?no expected count $1}"; }

# at "YYYY-MM-DD HH:MM:SS": the commands that follow run at that China time.
at() { export BIANMIN_CLOCK_OFFSET=$(($(date -u -d "$1 UTC" +%s) - 8 * 3600 - $(date +%s))); }
# bm ARGS: bianmin on the demo's database, its output in $TMP/out; the step
# fails when it does.
bm() {
	"$BIN" --log-level error --db "$DB" --data-dir "$DIR/data" "$@" >"$TMP/out" 2>&1 ||
		die "bianmin $*"
}

M1=2026-10 M2=2026-11
PROGRAMME=$TOP/data/programmes/shenyang-disability-premium.json
# advance and dispatch find the programme by its id there, wherever the demo is run from
export BIANMIN_PROGRAMMES_DIR=$TOP/data/programmes
# entitle_run DATE: `entitle run` of the programme at DATE; its counts in
# RUN_P (persons), RUN_G (new), RUN_R (revoked), RUN_U (unknown), RUN_H (held).
entitle_run() {
	bm entitle run "$PROGRAMME" --at "$1"
	read -r RUN_P RUN_G RUN_R RUN_U RUN_H < <(sed -n 's/^run [0-9]*: \([0-9]*\) persons, \([0-9]*\) new, \([0-9]*\) revoked, \([0-9]*\) unknown, \([0-9]*\) held\(,.*\)\{0,1\}$/\1 \2 \3 \4 \5/p' "$TMP/out") ||
		die "no counts in what entitle run printed"
}
# advance: `entitle advance`; ADVANCED is how many notices that ended moved on.
advance() {
	bm entitle advance
	ADVANCED=$(sed -n 's/^\([0-9]*\) entitlements past their notice moved on$/\1/p' "$TMP/out")
	[ -n "$ADVANCED" ] || die "no count in what entitle advance printed"
}
# dispatch: `entitle dispatch`; D_EVENTS, D_MESSAGES, D_TASKS, D_CANCELLED.
dispatch() {
	bm entitle dispatch
	read -r D_EVENTS D_MESSAGES D_TASKS D_CANCELLED < <(sed -n 's/^dispatched \([0-9]*\) events: \([0-9]*\) messages, \([0-9]*\) delivery tasks opened, \([0-9]*\) cancelled$/\1 \2 \3 \4/p' "$TMP/out") ||
		die "no counts in what entitle dispatch printed"
}
# send_sms: `outbox send` until nothing is due (as the job outbox.send does
# every minute); KEPT is how many were kept (no gateway configured).
send_sms() {
	local due=1 k
	KEPT=0
	while [ "$due" != 0 ]; do
		bm outbox send
		read -r due k < <(sed -n 's/^outbox: \([0-9]*\) due: [0-9]* sent, \([0-9]*\) kept, .*/\1 \2/p' "$TMP/out") ||
			die "no counts in what outbox send printed"
		KEPT=$((KEPT + k))
	done
}
# publish: YBJ publishes the year's granted list, signed with its key;
# P_ROWS, P_BATCH.
publish() {
	bm entitle publish "$PROGRAMME" --period 2026 --key "$DIR/keys/YBJ.key"
	read -r P_BATCH P_ROWS < <(sed -n 's/^published [^:]*: batch \([^ ]*\) of premium_grants, seq [0-9]*, \([0-9]*\) rows, .*/\1 \2/p' "$TMP/out") ||
		die "no counts in what entitle publish printed"
}
# push_at "YYYY-MM-DD HH:MM": the exchange's monthly push at that China time;
# CZJ's stand-in receiver must have got request N: its rows and how many of
# them end (effective_to) in PUSHED and PUSHED_ENDED.
push_at() {
	at "$1:05"
	bm exchange push --at "$(date -u -d "$1 +0800" +%Y-%m-%dT%H:%M:%SZ)"
	grep -q '^1 subscriptions due: 1 delivered' "$TMP/out" || die "the push to CZJ was not delivered"
	[ -f "$TMP/czj/$2.body" ] || die "CZJ's receiver got no request $2"
	read -r PUSHED PUSHED_ENDED PUSHED_FIELDS < <(python3 -c 'import json, sys
rows = [json.loads(l)["data"] for l in open(sys.argv[1]) if l.strip()]
fields = set().union(*rows) if rows else set()
print(len(rows), sum(1 for r in rows if r.get("effective_to")), ",".join(sorted(fields)))' "$TMP/czj/$2.body")
	case ,$PUSHED_FIELDS, in
	*,phone,* | *,grade,* | *,hukou_region,*) die "CZJ received a field it was not granted: $PUSHED_FIELDS" ;;
	esac
}
echo "沈阳市重度残疾人医保个人缴费资助（免申即享）演示 — $PERSONS 名合成人员，数据库 $DB"
echo "Shenyang severe-disability premium subsidy demo — $PERSONS synthetic persons, database $DB"

# --- 1. the persons ---------------------------------------------------------------------
step "生成合成人员（非真实人员：身份证号校验位有效、姓名、手机号、户籍区县、残疾等级）" \
	"generate synthetic persons (not real people: valid ID checksums, names, phones, districts, grades)"
python3 "$TOP/scripts/shenyang_persons.py" "$TMP/gen" --persons "$PERSONS" --seed "$SEED" >"$TMP/out" 2>&1 ||
	die "the generator"
[ -z "$EXPECTED" ] || cp "$TMP/gen/expected.json" "$EXPECTED"
load_expected
say "$(ex persons) 人：一、二级 $(ex month1.grade_1_2)，三、四级 $(ex month1.grade_3_4)，户籍在市外 $(ex month1.outside_city)，未参加医保 $(ex month1.not_enrolled)，职工医保 $(ex month1.employee_insured)，已故 $(ex month1.died_before)" \
	"$(ex persons) persons: grade 1-2 $(ex month1.grade_1_2), grade 3-4 $(ex month1.grade_3_4), registered outside the city $(ex month1.outside_city), not enrolled $(ex month1.not_enrolled), employees' insurance $(ex month1.employee_insured), deceased $(ex month1.died_before)"

# --- 2. the database and Shenyang's districts -----------------------------------------------
at "2026-10-08 09:00:00"
step "建库，导入沈阳市及其13个区县的区划代码" "create the database, import 沈阳市 and its 13 districts"
bm init
bm exchange member list
[ -s "$TMP/out" ] && die "database $DB already has exchange members: give an empty database"
bm import divisions "$TMP/gen/divisions.csv"
grep -q '15 rows: 15 added' "$TMP/out" || die "the divisions were not all added"
say "区划 15 条（辽宁省、沈阳市、13 个区县）" "15 regions (辽宁省, 沈阳市, 13 districts and counties)"

# --- 3. members, datasets, subscriptions ------------------------------------------------------
step "成员单位及其 Ed25519 密钥：市残联、市医保局、市民政局、市财政局" \
	"member agencies with Ed25519 keys: CDPF, YBJ, MZJ, CZJ"
member() { bm exchange member add "$1" --name "$2" --region 2101 --key-out "$DIR/keys/$1.key"; }
member CDPF 沈阳市残疾人联合会
member YBJ 沈阳市医疗保障局
member MZJ 沈阳市民政局
member CZJ 沈阳市财政局
say "4 个成员；私钥在 $DIR/keys/（0600），交换平台只存公钥" \
	"4 members; their secret keys in $DIR/keys/ (mode 0600), the exchange keeps the public keys only"

step "数据资源及其结构（有条件共享）" "datasets with their schemas (有条件: conditional sharing)"
dataset() {
	bm exchange dataset add "$1" --provider "$2" --name "$3" --sharing 有条件 \
		--schema "$TOP/data/shenyang-demo/$1.json"
}
dataset disability CDPF 持证残疾人名单
dataset insured YBJ 城乡居民医保参保名单
dataset deaths MZJ 死亡人员名单
dataset premium_grants YBJ 重度残疾人医保缴费资助名单
say "disability（残联）、insured（医保）、deaths（民政）、premium_grants（医保 → 财政）" \
	"disability (CDPF), insured (YBJ), deaths (MZJ), premium_grants (YBJ, for CZJ)"

mkdir -p "$TMP/czj"
python3 "$TOP/tests/api/exchange_receiver.py" "$TMP/czj" 200 &
RECV_PID=$!
for _ in $(seq 1 200); do [ -f "$TMP/czj/port" ] && break; sleep 0.05; done
[ -f "$TMP/czj/port" ] || die "CZJ's stand-in receiver did not start"
CZJ_URL="http://127.0.0.1:$(cat "$TMP/czj/port")/premium-grants"

step "订阅：只授予所需字段，提供方批准" "subscriptions: only the fields needed, approved by the provider's side"
subscribe() {
	bm exchange subscribe --consumer "$1" --dataset "$2" --fields "$3" "${@:4}"
	local id
	id=$(sed -n 's/^subscription \([0-9]*\):.*/\1/p' "$TMP/out")
	[ -n "$id" ] || die "no subscription id"
	bm exchange approve "$id"
}
# YBJ runs the programme: the fields of its policy, the name and phone for
# the notice (certified, the certificate's date, is not granted)
subscribe YBJ disability id_number,name,phone,grade,hukou_region
subscribe YBJ insured id_number,scheme
subscribe YBJ deaths id_number,death_date
# CZJ pays: the granted list only, pushed on the 20th of each month
subscribe CZJ premium_grants id_number,name,amount,effective_from,effective_to \
	--endpoint "$CZJ_URL" --monthly 20 --time 09:00
say "医保局：残联名单的 5 个字段（不含发证日期）、参保、死亡；财政局：仅资助名单，每月 20 日 09:00 推送到 $CZJ_URL" \
	"YBJ: 5 fields of the register (not the certificate's date), insured, deaths; CZJ: the granted list only, pushed on the 20th at 09:00 to $CZJ_URL"

# upload MEMBER DATASET BATCH FILE KEY: the agency signs with its secret key,
# the exchange verifies and stores; the rows received must be the generator's
# (KEY in expected.json); ROWS is set to them.
upload() {
	local sig
	"$BIN" exchange sign --key "$DIR/keys/$1.key" --member "$1" --dataset "$2" --batch "$3" "$4" \
		>"$TMP/sig" 2>"$TMP/out" || die "signing $4"
	sig=$(cat "$TMP/sig")
	bm exchange upload --member "$1" --dataset "$2" --batch "$3" --signature "$sig" "$4"
	ROWS=$(sed -n 's/^batch .* received: seq [0-9]*, \([0-9]*\) rows.*/\1/p' "$TMP/out")
	expect "$ROWS" "$(ex "$5")" "rows of $2 received"
}
# upload_month MONTH FOLDER KEY: the three monthly snapshots.
upload_month() {
	local d i
	upload CDPF disability "$1" "$2/disability.csv" "$3.rows.disability"
	d=$ROWS
	upload YBJ insured "$1" "$2/insured.csv" "$3.rows.insured"
	i=$ROWS
	upload MZJ deaths "$1" "$2/deaths.csv" "$3.rows.deaths"
	say "残联 $d 行，医保 $i 行，民政 $ROWS 行：签名验证通过、结构校验通过，批次 $1" \
		"CDPF $d rows, YBJ $i rows, MZJ $ROWS rows: signatures verified, schemas checked, batch $1"
}

# --- 4. month 1 -------------------------------------------------------------------------------
at "2026-10-09 08:30:00"
step "十月：三家单位上传签名的月度全量数据" "October: the three agencies upload their signed monthly snapshots"
upload_month "$M1" "$TMP/gen/m1" month1

step "医保局拉取残联名单：只有授予的字段" "YBJ pulls the register: the granted fields only"
"$BIN" --log-level error --db "$DB" --data-dir "$DIR/data" exchange pull 1 --batches 1 >"$TMP/pull" 2>"$TMP/out" ||
	die "exchange pull 1"
fields=$(python3 -c 'import json, sys
keys = {",".join(sorted(json.loads(l)["data"])) for l in open(sys.argv[1]) if l.strip()}
print(";".join(sorted(keys)))' "$TMP/pull")
expect "$fields" "grade,hukou_region,id_number,name,phone" "fields YBJ received"
say "$(grep -c . "$TMP/pull") 行，字段 $fields（无 certified）" \
	"$(grep -c . "$TMP/pull") rows with fields $fields (no certified)"

at "2026-10-09 09:00:00"
step "医保局运行免申即享：按政策比对三方最新数据（2026-10-09）" \
	"YBJ runs the programme: the policy over the three latest snapshots (2026-10-09)"
entitle_run 2026-10-09
expect "$RUN_P $RUN_G $RUN_R $RUN_U $RUN_H" \
	"$(ex persons) $(ex month1.eligible) 0 $(ex month1.unknown) 0" "persons, new, revoked, unknown, held"
say "$RUN_P 人：符合条件 $RUN_G 人进入 7 天公示；缺少参保数据 $RUN_U 人待定（不发放）；其余 $((RUN_P - RUN_G - RUN_U)) 人不符合" \
	"$RUN_P persons: $RUN_G eligible, in a 7-day public notice; $RUN_U unknown (no enrolment data: never granted); $((RUN_P - RUN_G - RUN_U)) refused"

at "2026-10-15 09:00:00"
step "公示第 6 天：异议期未满，无人发放" "day 6 of the notice: the objection window is still open, nobody is granted"
advance
expect "$ADVANCED" 0 "entitlements moved on before the notice ended"
say "$ADVANCED 人" "$ADVANCED moved on"

at "2026-10-16 09:30:00"
step "公示 7 天期满无异议：发放资助" "the 7-day notice ended without objection: granted"
advance
expect "$ADVANCED" "$(ex month1.eligible)" "entitlements granted"
say "$ADVANCED 人获资助，每人 2026 年个人缴费 410.00 元" "$ADVANCED granted the 2026 personal premium, 410.00 yuan each"

at "2026-10-16 09:35:00"
step "通知与送达任务：短信进发件箱，各区开社保卡送达任务（10 个工作日）" \
	"notices and deliveries: SMS into the outbox, a card delivery task per person in their district (10 working days)"
dispatch
expect "$D_MESSAGES $D_TASKS $D_CANCELLED" "$(ex month1.eligible) $(ex month1.eligible) 0" \
	"messages, delivery tasks, cancellations"
send_sms
expect "$KEPT" "$D_MESSAGES" "SMS kept in the outbox"
say "$D_EVENTS 个事件：短信 $D_MESSAGES 条（未配置短信网关：留存发件箱），送达任务 $D_TASKS 个" \
	"$D_EVENTS events: $D_MESSAGES SMS (no gateway configured: kept in the outbox), $D_TASKS delivery tasks"

at "2026-10-16 10:00:00"
step "医保局发布资助名单（签名批次，数据集 premium_grants）" "YBJ publishes the granted list (a signed batch of premium_grants)"
publish
expect "$P_ROWS" "$(ex month1.eligible)" "rows published"
say "批次 $P_BATCH：$P_ROWS 人" "batch $P_BATCH: $P_ROWS persons"

step "10 月 20 日 09:00 交换平台推送给财政局（签名推送）" "20 October 09:00: the exchange pushes it to CZJ (signed)"
push_at "2026-10-20 09:00" 1
expect "$PUSHED $PUSHED_ENDED" "$(ex month1.eligible) 0" "rows CZJ received, of which ended"
say "财政局收到 $PUSHED 人，字段 $PUSHED_FIELDS（无电话、等级）" \
	"CZJ received $PUSHED persons with fields $PUSHED_FIELDS (no phone, no grade)"

at "2026-10-21 10:00:00"
step "各区送达员上门送卡：每区先确认 3 张（本人签收）" \
	"district officers bring the cards: 3 confirmed in each district (signed for by the person)"
: >"$TMP/delivered"
want=0
for d in $(awk -F, '$3 == "county" { print $1 }' "$TMP/gen/divisions.csv"); do
	n=$(ex "month1.eligible_by_district.$d")
	want=$((want + (n < 3 ? n : 3)))
	"$BIN" --log-level error --db "$DB" --data-dir "$DIR/data" delivery list --region "$d" --state waiting \
		--limit 3 >"$TMP/tasks" 2>"$TMP/out" || die "delivery list --region $d"
	for task in $(cut -f1 "$TMP/tasks"); do
		bm delivery act "$task" deliver --words "本人签收，社保卡已当面交付"
		sed -n 's/.*(entitlement \([0-9]*\)).*/\1/p' "$TMP/out" | head -n 1 >>"$TMP/delivered"
	done
done
DELIVERED=$(grep -c . "$TMP/delivered" || true)
expect "$DELIVERED" "$want" "deliveries confirmed"
say "确认送达 $DELIVERED 张；其余 $(($(ex month1.eligible) - DELIVERED)) 张在办，期限 10 个工作日" \
	"$DELIVERED delivered; $(($(ex month1.eligible) - DELIVERED)) still to go, within 10 working days"

# --- month 2 -------------------------------------------------------------------------------
at "2026-11-02 08:30:00"
step "十一月：新的月度全量数据（含上月死亡、等级复评）" \
	"November: the new monthly snapshots (with last month's deaths and re-assessed grades)"
upload_month "$M2" "$TMP/gen/m2" month2

at "2026-11-02 09:00:00"
step "十一月运行：死亡、降级者停止资助，升级者进入公示" \
	"November's run: the dead and the re-assessed down are revoked, those re-assessed up enter the notice"
entitle_run 2026-11-02
expect "$RUN_P $RUN_G $RUN_R $RUN_U $RUN_H" \
	"$(ex persons) $(ex month2.grade_up) $(ex month2.revoked) $(ex month2.unknown) 0" \
	"persons, new, revoked, unknown, held"
say "停止 $RUN_R 人（上月死亡 $(ex month2.deaths_of_granted) 人自死亡之日起，降为三级 $(ex month2.grade_down) 人自 11 月 2 日起）；新进入公示 $RUN_G 人" \
	"$RUN_R revoked ($(ex month2.deaths_of_granted) deaths from the day of death, $(ex month2.grade_down) re-assessed to grade 3 from 2 November); $RUN_G new in notice"

at "2026-11-02 09:05:00"
step "停止通知；未送达的社保卡任务取消，已送达的保留" \
	"revocation notices; the open delivery tasks of the revoked are cancelled, the delivered stay delivered"
bm entitle list --state revoked --limit 100000
awk 'NF > 2 && $1 ~ /^[0-9]+$/ { print $1 }' "$TMP/out" | sort >"$TMP/revoked"
was_delivered=$(sort "$TMP/delivered" | comm -12 - "$TMP/revoked" | grep -c . || true)
dispatch
expect "$D_MESSAGES $D_TASKS $D_CANCELLED" \
	"$(ex month2.revoked) 0 $(($(ex month2.revoked) - was_delivered))" "messages, delivery tasks, cancellations"
send_sms
D_CANCELLED_M2=$D_CANCELLED
say "停止通知短信 $D_MESSAGES 条；取消送达任务 $D_CANCELLED 个（$was_delivered 张卡已送达）" \
	"$D_MESSAGES revocation SMS; $D_CANCELLED delivery tasks cancelled ($was_delivered cards were delivered already)"

at "2026-11-09 09:30:00"
step "升级者公示期满：发放资助，通知并开送达任务" \
	"the re-assessed up end their notice: granted, notified, delivery tasks opened"
advance
expect "$ADVANCED" "$(ex month2.grade_up)" "entitlements granted"
dispatch
expect "$D_MESSAGES $D_TASKS" "$(ex month2.grade_up) $(ex month2.grade_up)" "messages, delivery tasks"
send_sms
say "发放 $ADVANCED 人，短信 $D_MESSAGES 条，送达任务 $D_TASKS 个" \
	"$ADVANCED granted, $D_MESSAGES SMS, $D_TASKS delivery tasks"

at "2026-11-09 10:00:00"
step "医保局发布新名单：含停止者及其终止日期" "YBJ publishes the new list: the revoked with the day they end"
publish
expect "$P_ROWS" "$(($(ex month1.eligible) + $(ex month2.grade_up)))" "rows published"
say "批次 $P_BATCH：$P_ROWS 人" "batch $P_BATCH: $P_ROWS persons"

step "11 月 20 日 09:00 推送给财政局" "20 November 09:00: pushed to CZJ"
push_at "2026-11-20 09:00" 2
expect "$PUSHED $PUSHED_ENDED" "$P_ROWS $(ex month2.revoked)" "rows CZJ received, of which ended"
say "财政局收到 $PUSHED 人，其中 $PUSHED_ENDED 人有终止日期" \
	"CZJ received $PUSHED persons, $PUSHED_ENDED of them with the day their subsidy ends"

step "查看用的账号（一次性密码，首次登录须修改）" "accounts to look around with (one-time passwords, changed at the first sign-in)"
: >"$DIR/accounts.txt"
chmod 600 "$DIR/accounts.txt"
account() {
	bm user add --role "$1" --region "$2" "$3" "$4"
	printf '%s  %-17s %-7s %s  %s\n' "$4" "$1" "$2" "$(sed -n 's/^one-time password: //p' "$TMP/out")" "$3" \
		>>"$DIR/accounts.txt"
}
account system_admin 2101 沈阳市大数据局管理员 19921010001
account agency_operator 2101 沈阳市医保局经办员 19921010002
account agency_operator 210102 和平区残联送达员 19921010003
account county_supervisor 2101 沈阳市残联督导员 19921010004
sed 's/^/       /' "$DIR/accounts.txt"
say "4 个账号，密码见上（也在 $DIR/accounts.txt）" "4 accounts, passwords above (also in $DIR/accounts.txt)"

step "审计链校验" "the audit trail's hash chain verified"
bm audit verify
say "$(head -n 1 "$TMP/out")" "every exchange above is in the audit trail with its batch hash"

E=$(ex month1.eligible) G=$(ex month2.grade_up) R=$(ex month2.revoked)
cat <<EOF

汇总 summary (2026)
  残联名单 on the federation's register              $(ex persons)
  获资助 granted (October + November)                 $E + $G
  停止 revoked in November (deaths + grade 3)         $R ($(ex month2.deaths_of_granted) + $(ex month2.grade_down))
  现享受 granted now                                  $((E + G - R))
  短信 SMS in the outbox                              $((E + G + R))
  社保卡送达任务 card delivery tasks                   $((E + G)): $DELIVERED delivered, $D_CANCELLED_M2 cancelled
  推送财政局 lists pushed to CZJ                      2: $E and $((E + G)) rows
EOF
echo
echo "演示完成，用时 $(elapsed "$T0") 秒。 The demo ran in $(elapsed "$T0") s."
echo "查看 look around: $BIN --db $DB serve --data-dir $DIR/data   (docs/shenyang-demo.md)"
