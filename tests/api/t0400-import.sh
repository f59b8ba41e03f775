#!/usr/bin/env bash
# t0400: `bianmin import divisions` on the test's own database, checked
# through the API of a daemon serving that database meanwhile.
#
# With the real files in $BIANMIN_DATA/divisions: provinces, cities,
# counties, then 项城市 (411681: 21 towns, 501 villages). Without them a
# small made-up county (980101) stands in, so that the rules of importing
# (all or nothing, line numbers, parents first, gzip, re-import) are still
# tested; the checks that need the real 项城市 print SKIP.
. "$(dirname "$0")/lib.sh"

DIV=$BIANMIN_DATA/divisions
if [ -f "$DIV/xiangcheng_divisions.csv" ]; then
	REAL=1
	UPPER=("$DIV/provinces.csv" "$DIV/cities.csv" "$DIV/counties.csv")
	FILE=$DIV/xiangcheng_divisions.csv
	COUNTY=411681 NAME=项城市 TOWNS=21 VILLAGES=501
else
	REAL=0
	skip "real division files ($DIV is absent): a made-up county stands in for 项城市"
	printf 'code,name\n98,测试省\n' >"$T/p.csv"
	printf 'code,name,parent_code\n9801,测试市,98\n' >"$T/c.csv"
	printf 'code,name,parent_code\n980101,测试县,9801\n' >"$T/k.csv"
	{
		echo code,name,level,parent_code
		for t in 001 002 003; do
			echo "980101$t,测试镇$t,town,980101"
			for v in 001 002; do echo "980101$t$v,测试村$t$v,village,980101$t"; done
		done
	} >"$T/towns.csv"
	UPPER=("$T/p.csv" "$T/c.csv" "$T/k.csv")
	FILE=$T/towns.csv
	COUNTY=980101 NAME=测试县 TOWNS=3 VILLAGES=6
fi
ROWS=$((TOWNS + VILLAGES))
TOWN=$(awk -F, 'NR == 2 { print $1 }' "$FILE")
TOWN_NAME=$(awk -F, 'NR == 2 { print $2 }' "$FILE")

# imp [--db DB] FILE...: run the import; exit status in RC, output in
# $T/out and $T/err.
imp() {
	local db=$DB
	if [ "$1" = --db ]; then db=$2; shift 2; fi
	"$BIANMIN" --db "$db" import divisions "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

bm init >/dev/null 2>&1
start_server || { fail "server starts"; finish; exit 1; }

imp "${UPPER[@]}"
check "provinces, cities and counties import (exit 0)" test "$RC" -eq 0
check "the import reports each file" test "$(grep -c ' added, ' "$T/out")" -eq "${#UPPER[@]}"

# --- villages before their towns ---------------------------------------------
awk -F, 'NR == 1 || $3 == "village"' "$FILE" >"$T/villages.csv"
imp "$T/villages.csv"
check "villages without their towns are rejected (exit 3)" test "$RC" -eq 3
check "the rejection names the missing parent town" grep -q "parent '${TOWN}' of '${TOWN}[0-9]*'" "$T/err"
check "the rejection names the line of a village" grep -q '^line 2: ' "$T/err"
req GET "/api/v1/regions/$COUNTY"
expect_json .child_count 0 "nothing of the rejected file reached the database"

# --- the county's towns and villages ------------------------------------------
imp "$FILE"
check "the county's file imports (exit 0)" test "$RC" -eq 0
check "the import reports every row added" grep -q ": $ROWS rows: $ROWS added, 0 updated, 0 unchanged" "$T/out"
req GET "/api/v1/regions/$COUNTY"
expect_status 200 "the daemon serves the imported county"
expect_json '[.name, .level, .child_count, (.children | length)] | join(" ")' \
	"$NAME county $TOWNS $TOWNS" "$COUNTY is $NAME with $TOWNS towns"
req GET "/api/v1/regions/$COUNTY/tree"
expect_json '[.. | objects | select(.level? == "village")] | length' "$VILLAGES" \
	"the tree of $COUNTY has $VILLAGES villages"
expect_json .count $((1 + ROWS)) "the tree counts the county and all its rows"
if [ "$REAL" = 1 ]; then
	req GET "/api/v1/regions/$COUNTY"
	expect_json '[.parents[].name] | join(" ")' "河南省 周口市" "项城市 lies in 周口市, 河南省"
	req GET '/api/v1/regions?q=%E9%A1%B9%E5%9F%8E&level=county'
	expect_json '[.results[].code] | join(" ")' 411681 "a search for 项城 finds 项城市"
else
	skip "项城市's parents and search: needs the real files"
fi

# --- a file with one bad row changes nothing ----------------------------------
BAD=$(((ROWS + 1) / 2 + 1)) # a line in the middle
awk -F, -v OFS=, -v bad="$BAD" '
	NR == 2 { $2 = "改名测试" }
	NR == bad { $1 = substr($1, 1, 6) "X" substr($1, 8) }
	{ print }' "$FILE" >"$T/bad.csv"
imp "$T/bad.csv"
check "a file with one bad row is rejected (exit 3)" test "$RC" -eq 3
check "stderr names the bad row's line number" grep -q "^line $BAD: " "$T/err"
check "stderr names no other line" test "$(grep -c '^line ' "$T/err")" -eq 1
check "stderr says nothing was imported" grep -q 'nothing imported' "$T/err"
req GET "/api/v1/regions/$TOWN"
expect_json .name "$TOWN_NAME" "the good rows of the rejected file changed nothing (old name kept)"

# --- re-import, update ----------------------------------------------------------
imp "$FILE"
check "importing the same file again succeeds" test "$RC" -eq 0
check "a re-import reports every row unchanged" grep -q ": $ROWS rows: 0 added, 0 updated, $ROWS unchanged" "$T/out"
awk -F, -v OFS=, 'NR == 2 { $2 = "改名测试" } { print }' "$FILE" >"$T/renamed.csv"
imp "$T/renamed.csv"
check "a file with one renamed row reports one update" \
	grep -q ": $ROWS rows: 0 added, 1 updated, $((ROWS - 1)) unchanged" "$T/out"
req GET "/api/v1/regions/$TOWN"
expect_json .name 改名测试 "the daemon serves the new name at once"
imp "$FILE"
req GET "/api/v1/regions/$TOWN"
expect_json .name "$TOWN_NAME" "importing the original again restores the name"

# --- gzip -------------------------------------------------------------------------
gzip -c "$FILE" >"$T/county.csv.gz"
DB2=$(new_db db2)
"$BIANMIN" --db "$DB2" init >/dev/null 2>&1
imp --db "$DB2" "${UPPER[@]}" "$T/county.csv.gz"
check "a gzipped file imports (exit 0)" test "$RC" -eq 0
check "the gzipped file's rows are all added" grep -q "county.csv.gz: $ROWS rows: $ROWS added" "$T/out"
imp --db "$DB2" "$FILE"
check "the gzipped import equals the plain file (all rows unchanged)" \
	grep -q ": $ROWS rows: 0 added, 0 updated, $ROWS unchanged" "$T/out"
DB3=$(new_db db3)
"$BIANMIN" --db "$DB3" init >/dev/null 2>&1
imp --db "$DB3" "${UPPER[@]}"
size=$(stat -c %s "$T/county.csv.gz")
head -c $((size - 4)) "$T/county.csv.gz" >"$T/cut.csv.gz"
imp --db "$DB3" "$T/cut.csv.gz"
check "a gzipped file cut short is refused" test "$RC" -ne 0
check "the refusal names the file" grep -q "cut.csv.gz" "$T/err"
imp --db "$DB3" "$FILE"
check "nothing of the cut file was imported" grep -q ": $ROWS rows: $ROWS added" "$T/out"

# --- files that are not there or empty ----------------------------------------
imp "$T/missing.csv"
check "a missing file fails (exit 1) naming it" test "$RC" -eq 1 -a -n "$(grep "missing.csv" "$T/err")"
printf 'code,name\n' >"$T/header-only.csv"
imp "$T/header-only.csv"
check "a file with a header and no rows is rejected (exit 3)" test "$RC" -eq 3
imp "${UPPER[0]}" "$T/bad.csv" "$FILE"
check "with several files, the first bad one stops the import (exit 3)" test "$RC" -eq 3
check "the message says how many files before it were imported" \
	grep -q "'$T/bad.csv' was not imported; 1 file(s) before it were" "$T/err"
check "files after the bad one are not read" test "$(grep -c ' rows: ' "$T/out")" -eq 1

req GET /healthz
expect_status 200 "the daemon served throughout the imports"
finish
