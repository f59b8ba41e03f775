#!/usr/bin/env bash
# t1100: the working-day calendar from the command line: the 2024-2026
# holidays and make-up workdays (调休) the binary carries, `calendar show`
# for a year it knows and one it does not, `calendar import` of a 2027 file
# (made up for the test) that then shows as imported, a correction of a
# built-in day, and malformed files refused with exit 3 and the line named,
# changing nothing. Every import leaves one audit entry and the chain holds.
. "$(dirname "$0")/lib.sh"

# run ARGS...: the binary on this script's database (never longer than 10
# s); sets RC, output in $T/out and $T/err.
run() {
	timeout 10 "$BIANMIN" --db "$DB" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# imports: how many calendar.import entries the audit trail holds.
imports() { db_sql "$DB" "SELECT count(*) FROM audit_log WHERE action = 'calendar.import'"; }

# --- before a database exists ------------------------------------------------
timeout 10 "$BIANMIN" --db "$(missing_db missing)" calendar show 2024 >"$T/out" 2>"$T/err"
check "show on a missing database exits 4" test $? -eq 4
run init
check "setup: init (exit 0)" test "$RC" -eq 0

# --- usage ---------------------------------------------------------------------
run help
check "help lists the calendar command" grep -q '^  calendar import FILE' "$T/out"
run calendar
check "calendar without an action is a usage error (exit 2)" test "$RC" -eq 2
run calendar frob
check "an unknown action is a usage error naming it" test "$RC" -eq 2 -a -n "$(grep "'frob'" "$T/err")"
run calendar import
check "import without FILE is a usage error" test "$RC" -eq 2
run calendar show 24
check "a year outside 2000-2099 is a usage error" test "$RC" -eq 2 -a -n "$(grep "not '24'" "$T/err")"
run calendar show next
check "a year that is no number is a usage error" test "$RC" -eq 2

# --- the built-in years ------------------------------------------------------
run calendar show 2024
check "show 2024 exits 0" test "$RC" -eq 0
check "2024 has 251 working days, 28 holidays and 8 make-up workdays, all built in" \
	grep -qx '2024: 28 holidays, 8 make-up workdays (36 built-in, 0 imported); 251 working days' "$T/out"
for d in 2024-02-04 2024-02-18 2024-04-07 2024-04-28 2024-05-11 2024-09-14 2024-09-29 2024-10-12; do
	check "$d is a built-in make-up workday" grep -Eq "^$d  (Sat|Sun)  workday  built-in  " "$T/out"
done
for d in 01 02 03 04 05 06 07; do
	check "2024-10-$d is a built-in holiday (国庆节)" grep -Eq "^2024-10-$d  ...  holiday  built-in  国庆节$" "$T/out"
done
run calendar show 2025
check "2025 is built in too" grep -q '^2025-01-28  Tue  holiday  built-in  春节$' "$T/out"
run calendar show 2026
check "and 2026" grep -q '^2026-02-16  Mon  holiday  built-in  春节$' "$T/out"

# --- a year the calendar does not know -----------------------------------------
run calendar show 2027
check "show 2027 before any import exits 4" test "$RC" -eq 4
check "and says which years it knows" grep -q '2027 is not in the calendar (it knows 2024, 2025, 2026)' "$T/err"

# --- importing 2027 ------------------------------------------------------------
cat >"$T/cn-2027.csv" <<'EOF'
date,kind,name
2027-01-01,holiday,元旦
2027-02-06,workday,春节
2027-02-08,holiday,春节
2027-02-09,holiday,春节
2027-10-01,holiday,国庆节
2027-10-09,workday,国庆节
EOF
run calendar import "$T/cn-2027.csv"
check "import of a 2027 file exits 0" test "$RC" -eq 0
check "and says what it imported" grep -q 'cn-2027.csv: 6 days imported for 2027: 4 holidays, 2 make-up workdays' "$T/out"
run calendar show 2027
check "show 2027 now exits 0" test "$RC" -eq 0
check "2027 counts the imported days" \
	grep -qx '2027: 4 holidays, 2 make-up workdays (0 built-in, 6 imported); 259 working days' "$T/out"
check "an imported day is marked imported, with who and when" \
	grep -Eq '^2027-02-06  Sat  workday  imported  春节  \(by cli:[^ ]+ at 20[0-9-]+T[0-9:]+Z\)$' "$T/out"
check "every 2027 day is marked imported" test "$(grep -c '  imported  ' "$T/out")" -eq 6
check "the import left one audit entry" test "$(imports)" -eq 1
check "on object calendar:2027" \
	test "$(db_sql "$DB" "SELECT object FROM audit_log WHERE action = 'calendar.import'")" = calendar:2027

# --- malformed files: refused whole, the line named, nothing changed -----------
cp "$T/out" "$T/2027-before"
printf 'date,kind,name\n2027-05-01,holiday,劳动节\n2027-05-06,workday,劳动节\n' >"$T/weekday.csv"
run calendar import "$T/weekday.csv"
check "a workday on a weekday is refused (exit 3)" test "$RC" -eq 3
check "naming the line and why" grep -q 'line 3: 2027-05-06 is a Thursday: only a Saturday or Sunday can be a workday' "$T/err"
check "and saying nothing changed" grep -q "weekday.csv' was not imported (nothing changed)" "$T/err"
printf 'date,kind,name\n2027-05-01,holiday,劳动节\n2027-05-02,holiday,劳动节\n2027-13-01,holiday,x\n' >"$T/date.csv"
run calendar import "$T/date.csv"
check "a bad date is refused (exit 3) naming line 4" test "$RC" -eq 3 -a -n "$(grep "line 4: '2027-13-01' is not a date" "$T/err")"
printf 'date,kind,name\n2027-10-02,holiday,国庆节\n2027-10-02,workday,国庆节\n' >"$T/twice.csv"
run calendar import "$T/twice.csv"
check "one day both holiday and workday is refused naming both lines" \
	test "$RC" -eq 3 -a -n "$(grep 'line 3: 2027-10-02 is a workday here but a holiday on line 2' "$T/err")"
printf 'date;kind;name\n2027-05-03;holiday;劳动节\n' >"$T/semicolons.csv"
run calendar import "$T/semicolons.csv"
check "a file without the header is refused naming line 1" test "$RC" -eq 3 -a -n "$(grep "line 1: the first line must be 'date,kind,name'" "$T/err")"
run calendar import "$T/none.csv"
check "a file that cannot be read fails (exit 1)" test "$RC" -eq 1
run calendar show 2027
check "after the refusals 2027 is as it was" cmp -s "$T/out" "$T/2027-before"
check "and no refused file left an audit entry" test "$(imports)" -eq 1
check "2027-05-03 was never stored" \
	test "$(db_sql "$DB" "SELECT count(*) FROM calendar_days WHERE day BETWEEN 20270501 AND 20270531")" -eq 0

# --- correcting a built-in day -------------------------------------------------
printf 'date,kind,name\n2024-02-04,holiday,春节\n' >"$T/fix-2024.csv"
run calendar import "$T/fix-2024.csv"
check "a correction of a built-in day is imported" test "$RC" -eq 0
run calendar show 2024
check "2024 now counts one working day less" \
	grep -qx '2024: 29 holidays, 7 make-up workdays (35 built-in, 1 imported); 250 working days' "$T/out"
check "the corrected day says it replaces the built-in one" \
	grep -Eq '^2024-02-04  Sun  holiday  imported  春节  \(by .*; replaces the built-in day\)$' "$T/out"
run calendar import "$T/cn-2027.csv"
check "importing the same file again is harmless" test "$RC" -eq 0
run calendar show 2027
check "and 2027 is the same" diff <(sed 's/(by .*)//' "$T/out") <(sed 's/(by .*)//' "$T/2027-before")
check "three imports, three audit entries" test "$(imports)" -eq 3
run audit verify
check "the audit chain holds" test "$RC" -eq 0

finish
