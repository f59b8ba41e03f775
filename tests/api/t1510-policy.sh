#!/usr/bin/env bash
# t1510: the rules engine from the command line, no database needed: the
# policy tests of data/policies/ pass (`policy test`), a broken expectation
# fails with exit 1 and shows expected against got with the explanation, a
# policy with an error is refused by `policy check` (exit 3) naming the line
# and column, and `policy eval` decides persons of a CSV file at a date (the
# premium of the year, a refusal, a missing value that stays unknown) and
# explains one person's refusal. The same on both backends: nothing here
# touches the database.
. "$(dirname "$0")/lib.sh"

P=$BIANMIN_TOP/data/policies
# run ARGS...: the binary (never longer than 20 s); sets RC, output in $T/out and $T/err.
run() {
	timeout 20 "$BIANMIN" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

run help
check "help lists the policy command" grep -q '^  policy check FILE\.\.\. | test FILE' "$T/out"
run policy
check "policy without an action is a usage error (exit 2)" test "$RC" -eq 2

# --- the policies shipped in data/policies/ pass their own tests ---------------------
run policy test "$P"/*.test.json
check "policy test data/policies/*.test.json passes (exit 0)" test "$RC" -eq 0
check "and ran the Shenyang cases" grep -q 'shenyang-disability-premium.test.json: [1-9][0-9]* passed, 0 failed' "$T/out"
for f in "$P"/*.json; do
	case $f in *.test.json) continue ;; esac
	run policy check "$f"
	check "policy check $(basename "$f") (exit 0)" test "$RC" -eq 0
done

# --- a failing case: exit 1, expected and got, and why --------------------------------
cp "$P/shenyang-disability-premium.json" "$T/"
jq '.tests = [.tests[1] | .expect[0].amount = 999]' "$P/shenyang-disability-premium.test.json" >"$T/wrong.test.json"
run policy test "$T/wrong.test.json"
check "a wrong expected amount fails the run (exit 1)" test "$RC" -eq 1
check "the report shows what was expected" grep -q '  expected: granted 999.00' "$T/out"
check "and what the policy gave (the 2025 premium)" grep -q '  got:      granted 400.00' "$T/out"
check "with the parameter version that applied" grep -q 'parameter premium = 400 (the value in force from 2025-01-01)' "$T/out"
check "the count line says 0 passed, 1 failed" grep -q '^0 passed, 1 failed$' "$T/out"

# --- check refuses a broken policy, naming where ----------------------------------------
jq '.condition = ["disability.grade in [1, 2]", "and hukou_region < 2101"]' "$P/shenyang-disability-premium.json" >"$T/broken.json"
run policy check "$T/broken.json"
check "policy check of a type error exits 3" test "$RC" -eq 3
check "naming the line and column and why" grep -q 'condition: line 2, column 20: cannot compare a string with a int' "$T/err"
run policy check "$T/missing.json"
check "a missing file is a failure (exit 1)" test "$RC" -eq 1
run policy frob
check "an unknown action is a usage error (exit 2)" test "$RC" -eq 2

# --- eval over a CSV file -------------------------------------------------------------------
cat >"$T/persons.csv" <<'EOF'
id,disability.grade,hukou_region,medical_insurance,death_date,other
p1,1,210102,resident,,x
p2,3,210102,resident,,y
p3,,210103,resident,,z
p4,2,210202,resident,,
EOF
run policy eval "$P/shenyang-disability-premium.json" --persons "$T/persons.csv" --at 2026-03-01
check "eval exits 0" test "$RC" -eq 0
check "p1 is granted the 2026 premium" grep -q '^p1,shenyang.disability_premium,resident_medical_premium,granted,410.00,2026$' "$T/out"
check "p2 (grade 3) is refused" grep -q '^p2,.*,refused,0.00,2026$' "$T/out"
check "p3 (no grade) is unknown, not granted" grep -q '^p3,.*,unknown,0.00,2026$' "$T/out"
check "p4 (Dalian) is refused" grep -q '^p4,.*,refused,' "$T/out"
run policy eval "$P/shenyang-disability-premium.json" --persons "$T/persons.csv" --at 2026-03-01 --explain p2
check "explain p2 says refused" grep -q 'person p2, on 2026-03-01: refused: the condition does not hold' "$T/out"
check "and names the failing condition with the value" grep -q 'failed: disability.grade in \[1, 2\] (disability.grade is 3) \[line 1, column 1\]' "$T/out"
run policy eval "$P/shenyang-disability-premium.json" --persons "$T/persons.csv" --at 2026-03-01 --explain p3
check "explain p3 says the grade is missing" grep -q 'disability.grade is missing' "$T/out"
run policy eval "$P/shenyang-disability-premium.json" --persons "$T/persons.csv" --at 2026-03-01 --explain nobody
check "explaining an unknown person exits 4" test "$RC" -eq 4
run policy eval "$P/shenyang-disability-premium.json" --persons "$T/persons.csv" --at 2023-12-31
check "a date before the first premium is refused (exit 3)" test "$RC" -eq 3 -a -n "$(grep "no value in force on 2023-12-31" "$T/err")"
run policy eval "$P/shenyang-disability-premium.json" --persons "$T/persons.csv" --at 2026-02-30
check "an impossible date is a usage error" test "$RC" -eq 2
printf 'id,disability.grade\np1,one\n' >"$T/bad.csv"
run policy eval "$P/shenyang-disability-premium.json" --persons "$T/bad.csv" --at 2026-03-01
check "a bad CSV value is refused naming line and column" test "$RC" -eq 3 -a -n "$(grep "line 2, column 'disability.grade'" "$T/err")"

# --- two policies granting the same benefit: a conflict line --------------------------------
jq '.id = "county.disability_premium"' "$P/shenyang-disability-premium.json" >"$T/county.json"
run policy eval "$P/shenyang-disability-premium.json" "$T/county.json" --persons "$T/persons.csv" --at 2026-03-01
check "the double grant to p1 is reported as a conflict" grep -q '^conflict,p1,resident_medical_premium,shenyang.disability_premium,county.disability_premium$' "$T/out"
check "and only p1's" test "$(grep -c '^conflict,' "$T/out")" -eq 1

finish
