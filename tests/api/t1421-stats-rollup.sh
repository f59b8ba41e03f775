#!/usr/bin/env bash
# t1421: the statistics rollup (docs/patrol.md "Statistics", "The rollup")
# kept up to date by the demands' own writes, over several days on the
# daemon's clock (BIANMIN_CLOCK_OFFSET): a demand raised on Monday and
# acknowledged, resolved on Wednesday and rated on Friday moves Monday's
# figures only; a duplicate merged away leaves its day; a clock missed by
# the sweep (`bianmin demands sweep`, its batched writes) counts as overdue;
# a breakdown's total (read in one pass with its units) is the total read
# alone, its median first-response time ranked over both villages' times
# (not one of the villages' medians);
# `bianmin stats verify` finds no difference, finds the one a deliberate
# UPDATE of the rollup makes, and `bianmin stats rebuild` mends it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"
. "$(dirname "$0")/groups.sh"
. "$(dirname "$0")/clock.sh"

bm init --demo >"$T/init.out" 2>&1
check "setup: init --demo" test $? -eq 0

raise() { as "$RES" POST /api/v1/demands "$1"; DID=$(json '.id // empty'); }
act() {
	local v body
	v=$(db_sql "$DB" "SELECT version FROM cases WHERE id = $2")
	body=$(jq -c --argjson v "${v:-1}" '. + {version: $v}' <<<"$3")
	as "$1" POST "/api/v1/demands/$2/actions" "$body"
}
# day_figures DAY: V1's figures for that day, as the town supervisor reads them:
# demands responded resolved rated satisfied overdue acknowledged median.
day_figures() {
	as "$TSUP" GET "/api/v1/stats?region=$V1&from=$1"
	json '.total | [.demands, .counts.responded, .counts.resolved, .counts.rated,
		.counts.satisfied, .counts.overdue, .first_response.acknowledged,
		(.first_response.median_seconds | tostring)] | map(tostring) | join(" ")'
}
MON=2026-11-02 WED=2026-11-04 FRI=2026-11-06

# --- Monday: raised and acknowledged --------------------------------------------------
at_china "$MON 10:00:00"
check "before any demand, Monday has none" test "$(day_figures $MON)" = "0 0 0 0 0 0 0 null"
raise '{"category":"roads.lights","description":"村口路灯坏了"}'
D1=$DID
check "raised: Monday counts it, nothing else yet" test "$(day_figures $MON)" = "1 0 0 0 0 0 0 null"
act "$OWN" "$D1" '{"action":"acknowledge"}'
expect_status 200 "the village owner acknowledges it"
SECS=$(db_sql "$DB" "SELECT min(e.at) - min(c.created_at) FROM case_events e JOIN cases c ON \
c.id = e.case_id WHERE e.case_id = $D1 AND e.action = 'acknowledge'")
check "acknowledged in time: responded, with its first-response time as the median" \
	test "$(day_figures $MON)" = "1 1 0 0 0 0 1 $SECS"

# --- Wednesday: a duplicate raised and merged away, then the first resolved -----------
at_china "$WED 10:00:00"
raise '{"category":"roads.lights","description":"村口路灯还是坏的"}'
D2=$DID
check "Wednesday counts the duplicate" test "$(day_figures $WED)" = "1 0 0 0 0 0 0 null"
act "$OWN" "$D2" "{\"action\":\"merge\",\"reason\":\"重复\",\"merge_into\":$D1}"
expect_status 200 "it is merged into Monday's"
check "merged: Wednesday counts no demand any more" test "$(day_figures $WED)" = "0 0 0 0 0 0 0 null"
act "$OWN" "$D1" '{"action":"resolve","reason":"已更换灯泡"}'
expect_status 200 "Monday's demand is resolved on Wednesday"
check "resolved: Monday's figures move" test "$(day_figures $MON)" = "1 1 1 0 0 0 1 $SECS"

# --- Friday: rated; another demand misses its acknowledgement clock ---------------------
at_china "$FRI 10:00:00"
act "$RES" "$D1" '{"action":"follow_up","resolved":true,"rating":"satisfied"}'
expect_json '.state' closed "rated satisfied on Friday, it closes"
check "rated: Monday's 满意率 moves, Friday has nothing of it" \
	test "$(day_figures $MON) / $(day_figures $FRI)" = "1 1 1 1 1 0 1 $SECS / 0 0 0 0 0 0 0 null"
raise '{"category":"utilities.water","description":"自来水浑浊"}'
D3=$DID
created=$(db_sql "$DB" "SELECT created_at FROM cases WHERE id = $D3")
BIANMIN_CLOCK_OFFSET=$((created + 600 - $(date +%s))) bm demands sweep >"$T/sweep.out" 2>&1
check "setup: the sweep runs 10 minutes after it was raised" test $? -eq 0
check "missed by the sweep: Friday counts it overdue" test "$(day_figures $FRI)" = "1 0 0 0 0 1 0 null"
as "$TSUP" GET "/api/v1/stats?region=$TOWN&from=2026-11&by=village"
expect_json '[.total.demands, .total.counts.resolved, .total.counts.overdue, (.units | length)] | map(tostring) | join(" ")' \
	"2 1 1 1" "the town's month sums its villages' days: 2 demands, 1 resolved, 1 overdue, 1 village"

# --- Thursday: a breakdown's total over two villages ----------------------------------
# One more demand acknowledged in V1, two in V2, acknowledged some 40, 80 and
# 120 seconds after they were raised. V1's times are then Monday's SECS and
# ~40 (median: rank 1 of 2, SECS), V2's ~80 and ~120 (median ~80); the town's
# four times ranked together give the median ~40 (rank 2 of 4, V1's second)
# and the p90 ~120 (rank 4): neither village's median.
ack_secs() {
	db_sql "$DB" "SELECT min(e.at) - min(c.created_at) FROM case_events e JOIN cases c ON \
c.id = e.case_id WHERE e.case_id = $1 AND e.action = 'acknowledge'"
}
at_china "2026-11-05 10:00:00"
raise '{"category":"roads.lights","description":"村西路灯也坏了"}'
E1=$DID
as "$OWN2" POST /api/v1/demands '{"region":"'"$V2"'","category":"roads.lights","description":"桥头路灯坏了"}'
E2=$(json '.id // empty')
as "$OWN2" POST /api/v1/demands '{"region":"'"$V2"'","category":"utilities.water","description":"水压太低"}'
E3=$(json '.id // empty')
check "setup: three more demands raised, one in V1 and two in V2" test -n "$E1" -a -n "$E2" -a -n "$E3"
at_china "2026-11-05 10:00:40"
act "$OWN" "$E1" '{"action":"acknowledge"}'
expect_status 200 "V1's owner acknowledges V1's second demand"
at_china "2026-11-05 10:01:20"
act "$OWN2" "$E2" '{"action":"acknowledge"}'
expect_status 200 "V2's owner acknowledges V2's first"
at_china "2026-11-05 10:02:00"
act "$OWN2" "$E3" '{"action":"acknowledge"}'
expect_status 200 "and V2's second"
T1=$(ack_secs "$E1") T2=$(ack_secs "$E2") T3=$(ack_secs "$E3")
check "setup: the times are ordered as the fixture needs ($SECS < $T1 < $T2 < $T3)" \
	test "$SECS" -lt "$T1" -a "$T1" -lt "$T2" -a "$T2" -lt "$T3"
as "$TSUP" GET "/api/v1/stats?region=$TOWN&from=2026-11&by=village"
expect_json '[(.units | map("\(.region):\(.first_response.acknowledged):\(.first_response.median_seconds)")
	| join(",")), .total.first_response.acknowledged, .total.first_response.median_seconds,
	.total.first_response.p90_seconds] | map(tostring) | join(" ")' \
	"$V1:2:$SECS,$V2:2:$T2 4 $T1 $T3" \
	"by village: V1's median is its first time, V2's its first; the town's (4 times) is V1's second, its p90 V2's last"
by_total=$(jq -c '.total' "$T/body")
as "$TSUP" GET "/api/v1/stats?region=$TOWN&from=2026-11"
check "the total of a breakdown (read with its units) is the total read alone" \
	test "$by_total" = "$(jq -c '.total' "$T/body")"

# --- verify and rebuild ---------------------------------------------------------------
bm stats verify >"$T/verify.out" 2>"$T/verify.err"
check "stats verify finds no difference (exit 0)" test $? -eq 0
check "and says so" grep -q "no difference" "$T/verify.out"
db_sql "$DB" "UPDATE stats_rollup SET resolved = resolved + 1 WHERE region = '$V1' AND resolved > 0" >/dev/null
bm stats verify >"$T/verify.out" 2>"$T/verify.err"
check "after a deliberate UPDATE of the rollup, stats verify exits 1" test $? -eq 1
check "naming the region, the day and the figure" \
	grep -qF "region $V1 day $MON: resolved 2 stored, 1 recomputed" "$T/verify.out"
check "and how many rows differ" grep -q "differs from the demands in 1 rows" "$T/verify.err"
bm stats rebuild >"$T/rebuild.out" 2>&1
check "stats rebuild refills it" test $? -eq 0
bm stats verify >"$T/verify.out" 2>&1
check "after which stats verify finds no difference" test $? -eq 0
check "and Monday's figures are as before" test "$(day_figures $MON)" = "1 1 1 1 1 0 1 $SECS"
bm stats verify extra >/dev/null 2>&1
check "stats verify takes no argument (exit 2)" test $? -eq 2

finish
