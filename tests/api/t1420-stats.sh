#!/usr/bin/env bash
# t1420: the statistics of demands (docs/patrol.md "Statistics") on a
# hand-checked fixture: a dozen demands written straight into the store
# with known times, states, escalations, 退单, 吹哨 and ratings, and group
# messages posted on the daemon's clock set to Monday 2026-11-02. Every
# figure expected below is worked out by hand from the written definitions
# (the arithmetic is in the comments). Also: the ranking's minimum sample,
# region scope (another town answers 404), the CSV and the XLSX exports and
# `bianmin stats` (after `bianmin stats rebuild` has filled the rollup from
# the fixture).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"
. "$(dirname "$0")/groups.sh"
. "$(dirname "$0")/clock.sh"

bm init --demo >"$T/init.out" 2>&1
check "setup: init --demo" test $? -eq 0

at_china "2026-11-02 10:00:00"
OTHER_TOWN=990101001

# --- the fixture ----------------------------------------------------------------------
# B: Monday 2026-11-02 09:00 in China; every demand is raised B + its id's
# minute, acknowledged SECONDS after it was raised.
B=$(date -d "2026-11-02 09:00:00 +0800" +%s)
declare -A AT
# demand ID REGION STATE ESCALATIONS RETURNS WHISTLES RATING [CREATED]
demand() {
	AT[$1]=${8:-$((B + ($1 % 100) * 60))}
	db_sql "$DB" "INSERT INTO cases(id, type, version, state, level, region, category, urgency, \
title, source, returns, whistles, escalations, rating, created_at, updated_at) VALUES ($1, \
'demand', 1, '$3', $4, '$2', 'roads.lights', 'general', '统计样例', 'app', $5, $6, $4, '$7', \
${AT[$1]}, ${AT[$1]})" >/dev/null
}
# ack ID SECONDS: its acknowledgement line.
ack() {
	db_sql "$DB" "INSERT INTO case_events(case_id, at, action, from_state, to_state) VALUES \
($1, $((AT[$1] + $2)), 'acknowledge', 'received', 'acknowledged')" >/dev/null
}
# missed ID CLOCK SECONDS: a line of the sweep saying CLOCK was missed.
missed() {
	db_sql "$DB" "INSERT INTO case_events(case_id, at, action, from_state, to_state, clock) \
VALUES ($1, $((AT[$1] + $3)), 'clock.missed', 'received', 'received', '$2')" >/dev/null
}
# clock ID NAME STATUS: the clock as the case holds it now.
clock() {
	db_sql "$DB" "INSERT INTO case_clocks(case_id, name, status) VALUES ($1, '$2', '$3')" >/dev/null
}
#      id   region  state        esc ret whi rating
demand 9001 "$V1"   closed       0   0   0   satisfied; ack 9001 60;  clock 9001 ack met
demand 9002 "$V1"   closed       0   1   0   fair;      ack 9002 120; clock 9002 ack met
demand 9003 "$V1"   closed       1   0   0   satisfied; ack 9003 300; missed 9003 ack 180
clock 9003 ack met # met at the rung above, after the miss that escalated it
demand 9004 "$V1"   in_progress  0   0   1   "";        ack 9004 30;  clock 9004 ack met
demand 9005 "$V1"   received     0   0   0   "";        clock 9005 ack running
demand 9006 "$V1"   resolved     0   0   0   "";        ack 9006 240; clock 9006 ack missed
demand 9007 "$V1"   merged       0   0   0   "";        ack 9007 10
demand 9008 "$V1"   closed       0   0   0   satisfied $((B - 86400)); ack 9008 5
demand 9011 "$V2"   followed_up  0   0   0   fair;      ack 9011 45;  clock 9011 ack met
demand 9012 "$V2"   in_progress  0   0   0   "";        ack 9012 600; clock 9012 ack met
missed 9012 resolve 7200; clock 9012 resolve missed
demand 9013 "$V2"   closed       0   2   1   dissatisfied; ack 9013 100; clock 9013 ack met
demand 9031 "$TOWN" received     0   0   0   ""
demand 9021 990101001001 closed  0   0   0   satisfied; ack 9021 50
# The fixture went straight into the tables, past the store that keeps the
# statistics rollup: refill it from the demands, as after such a repair.
bm stats rebuild >"$T/rebuild.out" 2>&1
check "setup: bianmin stats rebuild" test $? -eq 0

# Messages in V1's group at 10:00: two resident messages answered by a
# cadre (the owner, the village doctor), one answered only by its author,
# and a cadre's message answered by a resident: 2 valid interactions.
G1=$(group_of "$V1")
post() { as "$1" POST "/api/v1/groups/$G1/messages" "$2"; MID=$(json '.id // empty'); }
post "$RES" '{"text":"村口路灯坏了"}'; M1=$MID
post "$OWN" "{\"text\":\"收到，马上安排\",\"reply_to\":$M1}"
post "$RES" '{"text":"自来水浑浊"}'; M2=$MID
post "$RES" "{\"text\":\"还是浑浊\",\"reply_to\":$M2}"
post "$RES" '{"text":"卫生室几点开门"}'; M3=$MID
post "$DOC" "{\"text\":\"八点\",\"reply_to\":$M3}"
post "$OWN" '{"text":"明天停电检修"}'; M4=$MID
post "$RES" "{\"text\":\"好的\",\"reply_to\":$M4}"
check "setup: eight messages posted" test "$(msg_total "$G1")" -ge 8

# --- the town's figures for the day ---------------------------------------------------
as "$TSUP" GET "/api/v1/stats?region=$TOWN&from=2026-11-02&by=village"
expect_status 200 "a town supervisor reads the statistics of their town"
# Counted (raised 11-02, not merged): V1 9001-9006, V2 9011-9013, the town's
# own 9031 = 10. 9007 is merged, 9008 was raised the day before, 9021 is in
# another town.
expect_json '.total.demands' 10 "10 demands count: raised that day in the town, not merged"
# 响应率: acknowledged, no missed ack line, ack clock not missed: 9001 9002
# 9004 9011 9012 9013 = 6 (9003 missed a line, 9006's clock is missed) -> 6/10
expect_json '[.total.counts.responded, .total.rates.response] | join(" ")' "6 0.6" \
	"响应率 = 6/10 (9003 and 9006 missed their acknowledgement clock)"
# 解决率: resolved, followed up or closed: 9001 9002 9003 9006 9011 9013 -> 6/10
expect_json '[.total.counts.resolved, .total.rates.resolution] | join(" ")' "6 0.6" \
	"解决率 = 6/10"
# 满意率: satisfied or fair among rated: rated 9001 9002 9003 9011 9013 = 5,
# satisfied or fair 9001 9002 9003 9011 = 4 -> 0.8
expect_json '[.total.counts.rated, .total.counts.satisfied, .total.rates.satisfaction] | join(" ")' \
	"5 4 0.8" "满意率 = 4/5 rated"
# first line: resolved and never escalated: 9001 9002 9006 9011 9013 = 5 of 6
# resolved -> 0.8333
expect_json '[.total.counts.first_line, .total.rates.first_line] | join(" ")' "5 0.8333" \
	"first-line resolution = 5/6 resolved (9003 was escalated)"
# 退单率: 9002 9013 -> 2/10; 吹哨率: 9004 9013 -> 2/10
expect_json '[.total.rates.return, .total.rates.whistle] | join(" ")' "0.2 0.2" "退单率 and 吹哨率 = 2/10"
# overdue: a missed ack or resolve clock, by line or by status: 9003 9006 9012
expect_json '.total.counts.overdue' 3 "3 overdue (9003, 9006 acknowledged late; 9012 past resolution)"
# first-response times: 30 45 60 100 120 240 300 600 (8 acknowledged):
# median rank ceil(8*0.5)=4 -> 100 s, p90 rank ceil(8*0.9)=8 -> 600 s
expect_json '.total.first_response | [.acknowledged, .median_seconds, .p90_seconds] | join(" ")' \
	"8 100 600" "first response: median 100 s, p90 600 s of 8 acknowledged"
expect_json '[.total.interactions, .total.daily_interactions] | join(" ")' "2 2" \
	"2 valid interactions (resident message, cadre reply) in one day"
expect_json '[.units[].region] | join(" ")' "$TOWN $V1 $V2" \
	"by village: V1, V2, and the town's own demands under its code"
# V1: 9001-9006 = 6; responded 9001 9002 9004 = 3; resolved 9001 9002 9003
# 9006 = 4; rated 3, all satisfied or fair; first line 9001 9002 9006 = 3;
# returned 9002, whistled 9004; overdue 9003 9006; times 30 60 120 240 300:
# median rank 3 -> 120, p90 rank ceil(4.5)=5 -> 300
expect_json ".units[] | select(.region == \"$V1\") | [.demands, .rates.response, .rates.resolution, .rates.satisfaction, .rates.first_line, .rates.return, .rates.whistle, .counts.overdue, .first_response.median_seconds, .first_response.p90_seconds, .interactions] | join(\" \")" \
	"6 0.5 0.6667 1 0.75 0.1667 0.1667 2 120 300 2" "V1's figures, worked out by hand"
# V2: 3 demands, all responded; resolved 9011 9013; satisfied 9011 of 2
# rated; times 45 100 600: median rank 2 -> 100, p90 rank 3 -> 600
expect_json ".units[] | select(.region == \"$V2\") | [.demands, .rates.response, .rates.resolution, .rates.satisfaction, .rates.first_line, .rates.return, .rates.whistle, .counts.overdue, .first_response.median_seconds, .first_response.p90_seconds] | join(\" \")" \
	"3 1 0.6667 0.5 1 0.3333 0.3333 1 100 600" "V2's figures, worked out by hand"
expect_json ".units[] | select(.region == \"$TOWN\") | [.demands, .rates.response, (.rates.satisfaction | tostring), (.first_response.median_seconds | tostring)] | join(\" \")" \
	"1 0 null null" "a unit with no rating and no acknowledgement has no such rate (null)"

# the month: the same demands (and 9008 of 11-01); interactions per day over 30 days
as "$TSUP" GET "/api/v1/stats?region=$TOWN&from=2026-11"
expect_json '[.total.demands, .period.days, .total.daily_interactions, .period.from, .period.to] | join(" ")' \
	"11 30 0.07 2026-11-01T00:00:00+08:00 2026-12-01T00:00:00+08:00" \
	"a month counts 9008 too; 2 interactions over 30 days = 0.07 a day"
as "$TSUP" GET "/api/v1/stats?region=$TOWN&from=2026-11-03&to=2026-11-10"
expect_json '[.total.demands, (.total.rates.response | tostring)] | join(" ")' "0 null" \
	"a period with no demands has no rates"

# --- scope, permissions and bad input -------------------------------------------------
as "$TSUP" GET "/api/v1/stats?region=$OTHER_TOWN&from=2026-11-02"
expect_status 404 "another town's statistics are not found for a town supervisor (404)"
as "$TSUP" GET "/api/v1/stats?region=990101&from=2026-11-02"
expect_status 404 "nor the county's"
as "$RES" GET "/api/v1/stats?region=$V1&from=2026-11-02"
expect_status 403 "a resident may not read statistics (403)"
as "$TSUP" GET "/api/v1/stats?region=$TOWN&from=2026-11-31"
expect_error 400 invalid from "a date that does not exist is refused"
as "$TSUP" GET "/api/v1/stats?region=$TOWN&from=2026-11-05&to=2026-11-05"
expect_error 400 invalid to "an empty period is refused"
as "$TSUP" GET "/api/v1/stats?region=$V1&from=2026-11-02&by=town"
expect_error 400 invalid by "by=town of a village is refused"

# --- rankings -------------------------------------------------------------------------
as "$CSUP" GET "/api/v1/stats/ranking?region=990101&rate=response&from=2026-11-02"
expect_status 200 "the county supervisor ranks the county's towns"
expect_json '[.min_sample, (.ranked | map("\(.rank):\(.region):\(.rate)") | join(",")), (.sample_too_small | map(.region) | join(","))] | join(" ")' \
	"10 1:$TOWN:0.6 $OTHER_TOWN" \
	"10 demands make a sample: the town ranks, the other town (1 demand) is listed apart"
as "$CSUP" GET "/api/v1/stats/ranking?region=990101&rate=response&from=2026-11-02&min=1"
expect_json '.ranked | map("\(.rank):\(.region)") | join(",")' "1:$OTHER_TOWN,2:$TOWN" \
	"with min=1 both rank, the higher 响应率 (1/1) first"
as "$TSUP" GET "/api/v1/stats/ranking?region=$TOWN&rate=return&from=2026-11-02&min=3"
expect_json '[(.ranked | map("\(.rank):\(.region):\(.numerator)/\(.denominator)") | join(",")), (.sample_too_small | map(.region) | join(","))] | join(" ")' \
	"1:$V1:1/6,2:$V2:1/3 $TOWN" "退单率 ranks lowest first; the town's own 1 demand is too small a sample"
as "$TSUP" GET "/api/v1/stats/ranking?region=$TOWN&rate=speed&from=2026-11-02"
expect_error 400 invalid rate "an unknown rate is refused"
as "$TSUP" GET "/api/v1/stats/ranking?region=990101&rate=response&from=2026-11-02"
expect_status 404 "a town supervisor cannot rank the county"

# --- exports --------------------------------------------------------------------------
as "$TSUP" GET "/api/v1/stats/export.csv?region=$TOWN&from=2026-11-02&by=village"
expect_status 200 "the CSV export"
check "it is CSV" test "$(header Content-Type)" = "text/csv; charset=utf-8"
HEAD='地区代码,地区名称,诉求数,响应率,解决率,满意率,一线解决率,退单率,吹哨率,超期数,首次响应时间中位数（分钟）,首次响应时间P90（分钟）,有效互动数,日均有效互动'
check "its header row is in Chinese" test "$(head -n 1 "$T/body" | tr -d '\r')" = "$HEAD"
V1NAME=$(db_sql "$DB" "SELECT name FROM regions WHERE code = '$V1'")
check "V1's row: rates in percent, times in minutes" \
	grep -qxF "$V1,$V1NAME,6,50.00%,66.67%,100.00%,75.00%,16.67%,16.67%,2,2.00,5.00,2,2.00"$'\r' "$T/body"
check "a unit without ratings leaves 满意率 empty" \
	grep -qF "$TOWN,$(db_sql "$DB" "SELECT name FROM regions WHERE code = '$TOWN'"),1,0.00%,0.00%,," "$T/body"
check "one row per unit and one for the total" test "$(wc -l <"$T/body")" -eq 5
req GET "/api/v1/stats/export.xlsx?region=$TOWN&from=2026-11-02&by=village" \
	-H "Authorization: Bearer $TSUP" -o "$T/stats.xlsx"
expect_status 200 "the XLSX export"
if command -v unzip >/dev/null; then
	check "the workbook is a zip with its sheet, whose header is in Chinese" \
		sh -c "unzip -p '$T/body' xl/worksheets/sheet1.xml | grep -q '首次响应时间中位数'"
else
	skip "unzip is not installed: the XLSX is not opened"
fi
as "$TSUP" GET "/api/v1/stats/export.xlsx?region=$OTHER_TOWN&from=2026-11-02"
expect_status 404 "nor another town's export"

# --- the command ----------------------------------------------------------------------
bm stats --region "$TOWN" --from 2026-11-02 --json >"$T/cli.json" 2>"$T/cli.err"
check "bianmin stats --json gives the same totals" \
	test "$(jq -r '[.total.demands, .total.rates.response, .total.first_response.median_seconds] | join(" ")' "$T/cli.json")" = "10 0.6 100"
bm stats --region "$TOWN" --from 2026-11-02 --by village --csv "$T/cli.csv" --xlsx "$T/cli.xlsx" 2>"$T/cli.err"
check "bianmin stats --csv writes the same table" grep -qxF "$V1,$V1NAME,6,50.00%,66.67%,100.00%,75.00%,16.67%,16.67%,2,2.00,5.00,2,2.00"$'\r' "$T/cli.csv"
check "and --xlsx a workbook" test -s "$T/cli.xlsx"
bm stats --from 2026-11-02 >/dev/null 2>"$T/cli.err"
check "without --region it says what is missing" grep -q -- "--region" "$T/cli.err"

finish
