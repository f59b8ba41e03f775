#!/usr/bin/env bash
# t1550: the Shenyang demo (scripts/shenyang-demo.sh, docs/shenyang-demo.md)
# on 300 synthetic persons: it runs end to end on this script's database
# (SQLite, or PostgreSQL with BIANMIN_TEST_PG), and what it leaves there is
# what the generator says it generated, step by step: the districts, the
# members and their datasets, the rows of each signed batch, the fields each
# subscription carries, the entitlements and revocations, the notices, the
# delivery tasks and the list pushed to the paying agency. Also: a demo
# whose step fails exits non-zero, and its temporary files are removed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"

DEMO=$BIANMIN_TOP/scripts/shenyang-demo.sh
count() { db_sql "$DB" "$1"; }
mkdir -p "$T/tmp"

TMPDIR=$T/tmp "$DEMO" --persons 300 --dir "$T/demo" --db "$DB" --bin "$BIANMIN" \
	--expected "$T/expected.json" >"$T/demo.out" 2>&1
rc=$?
check "the demo runs end to end on 300 persons (exit 0)" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/#   /' "$T/demo.out" | tail -n 30
# ex KEY: the generator's expected count (month1.eligible)
ex() { jq -r ".$1" "$T/expected.json"; }
check "the generator wrote its expected counts" test "$(ex persons)" = 300
check "its temporary files are gone (the generated persons, CZJ's receiver)" \
	test -z "$(ls -A "$T/tmp")"
check "it says how long it took and how to look around with serve" \
	bash -c "grep -q 'The demo ran in [0-9.]* s' '$T/demo.out' && grep -q ' serve --data-dir ' '$T/demo.out'"

# --- the generator: same seed, same persons; valid and unique ID numbers --------
python3 "$BIANMIN_TOP/scripts/shenyang_persons.py" "$T/g1" --persons 300 >/dev/null &&
	python3 "$BIANMIN_TOP/scripts/shenyang_persons.py" "$T/g2" --persons 300 >/dev/null
check "the generator is deterministic: the same seed gives the same files" diff -r "$T/g1" "$T/g2"
python3 "$BIANMIN_TOP/scripts/shenyang_persons.py" "$T/g3" --persons 300 --seed 7 >/dev/null
check "another seed gives other persons" bash -c "! cmp -s '$T/g1/m1/disability.csv' '$T/g3/m1/disability.csv'"
# ids_valid FILE: every ID number of the CSV file has its GB 11643 check
# character (id18 of accounts.sh), and none is there twice
ids_valid() {
	local id
	tail -n +2 "$1" | cut -d, -f1 >"$T/ids"
	while read -r id; do [ "$(id18 "${id:0:17}")" = "$id" ] || return 1; done <"$T/ids"
	[ "$(sort -u "$T/ids" | wc -l)" = 300 ]
}
check "every ID number is 18 characters with its GB 11643 check character, and unique" \
	ids_valid "$T/g1/m1/disability.csv"

# --- the districts, members, datasets and subscriptions ---------------------------
check "沈阳市 and its 13 districts are regions" \
	test "$(count "SELECT count(*) FROM regions WHERE code LIKE '2101%'")" = 14
check "the four member agencies are there, each with a key" \
	test "$(count "SELECT count(DISTINCT member) FROM exchange_member_keys WHERE member IN ('CDPF','YBJ','MZJ','CZJ')")" = 4
check "the secret keys are in the demo's folder, readable by their owner only" \
	test "$(stat -c %a "$T/demo/keys/CDPF.key")" = 600
subfields() { count "SELECT fields FROM exchange_subscriptions WHERE consumer = '$1' AND dataset = '$2' AND state = 'active'"; }
check "YBJ gets five fields of the register: not the certificate's date" \
	test "$(subfields YBJ disability)" = "id_number,name,phone,grade,hukou_region"
check "CZJ gets the granted list, and nothing else" \
	test "$(count "SELECT $(sql_join dataset) FROM (SELECT id, dataset FROM exchange_subscriptions WHERE consumer = 'CZJ' ORDER BY id) s")" = premium_grants
check "CZJ's subscription pushes to its endpoint on the 20th at 09:00 (China time)" \
	test "$(count "SELECT day || ' ' || minute FROM exchange_subscriptions WHERE consumer = 'CZJ'")" = "20 540"

# --- the signed monthly uploads -------------------------------------------------------
rows() { count "SELECT nrows FROM exchange_batches WHERE dataset = '$1' AND batch_id = '$2'"; }
for m in 1 2; do
	b=2026-1$((m - 1))
	[ "$(ex "month$m.rows.disability")" = "$(rows disability $b)" ] &&
		[ "$(ex "month$m.rows.insured")" = "$(rows insured $b)" ] &&
		[ "$(ex "month$m.rows.deaths")" = "$(rows deaths $b)" ]
	check "month $m: the three batches $b hold the rows generated (register, enrolment, deaths)" test $? -eq 0
done
check "each batch was verified against its provider's key (and audited)" \
	test "$(count "SELECT count(*) FROM audit_log WHERE action = 'exchange.batch.receive'")" = \
	"$(count "SELECT count(*) FROM exchange_batches")"
check "the pull YBJ made carried its granted fields only (no certified)" \
	grep -q 'fields grade,hukou_region,id_number,name,phone (no certified)' "$T/demo.out"

# --- the pipeline's runs ------------------------------------------------------------------
runs() { count "SELECT persons || ' ' || granted_new || ' ' || revoked || ' ' || unknown || ' ' || held FROM entitlement_runs WHERE id = $1"; }
check "October's run: every person read; the eligible new, the unenrolled unknown, none held" \
	test "$(runs 1)" = "$(ex persons) $(ex month1.eligible) 0 $(ex month1.unknown) 0"
check "November's run: the re-assessed up new, the dead and re-assessed down revoked" \
	test "$(runs 2)" = "$(ex persons) $(ex month2.grade_up) $(ex month2.revoked) $(ex month2.unknown) 0"
check "each entitlement pays the year's 410 yuan premium of 2026" \
	test "$(count "SELECT count(*) FROM entitlements WHERE amount = $(ex month1.amount_fen) AND period = 2026")" = \
	"$(($(ex month1.eligible) + $(ex month2.grade_up)))"
count "SELECT region || '=' || count(*) FROM entitlements WHERE id IN (SELECT entitlement FROM entitlement_events WHERE kind = 'notice.started' AND at < (SELECT started_at FROM entitlement_runs WHERE id = 2)) GROUP BY region ORDER BY region" >"$T/by-region"
jq -r '.month1.eligible_by_district | to_entries[] | select(.value > 0) | "\(.key)=\(.value)"' "$T/expected.json" |
	sort >"$T/by-region-expected"
check "each is in its person's hukou district, as many per district as generated" \
	diff "$T/by-region-expected" "$T/by-region"
# the revocations, person by person, and the day each stops (effective_to, a day number)
count "SELECT person_key || ' ' || effective_to FROM entitlements WHERE state = 'revoked' ORDER BY person_key" |
	while read -r key day; do echo "$key $(date -u -d "@$((day * 86400))" +%F)"; done >"$T/revoked"
jq -r '.month2.revoked_from | to_entries[] | "\(.key) \(.value)"' "$T/expected.json" | sort >"$T/revoked-expected"
check "the dead are revoked from the day of death, the re-assessed from the November run's day" \
	diff "$T/revoked-expected" "$T/revoked"

# --- the notice, the grants and what follows them -----------------------------------------
E=$(ex month1.eligible) G=$(ex month2.grade_up) R=$(ex month2.revoked)
st() { count "SELECT count(*) FROM entitlements WHERE state = '$1'"; }
check "granted: October's eligible but the revoked, and November's re-assessed up" \
	test "$(st granted) $(st revoked)" = "$((E - R + G)) $R"
check "nobody was granted before the end of the 7-day notice (公示)" \
	test "$(count "SELECT count(*) FROM entitlement_events v JOIN entitlements e ON e.id = v.entitlement WHERE v.kind = 'granted' AND v.at < e.notice_until")" = 0
# the name and phone of each entitlement are the federation's (the generator's files again)
count "SELECT person_key || ',' || person_name || ',' || phone FROM entitlements ORDER BY person_key" >"$T/people"
python3 -c 'import csv, sys
rows = {r["id_number"]: r for r in csv.DictReader(open(sys.argv[1]))}
bad = [l for l in open(sys.argv[2]) if l.strip() and
       "%s,%s,%s" % (l.split(",")[0], rows[l.split(",")[0]]["name"], rows[l.split(",")[0]]["phone"]) != l.strip()]
sys.exit(1 if bad else 0)' "$T/g1/m1/disability.csv" "$T/people"
check "each entitlement has its person's name and phone from the federation's register" test $? -eq 0
check "an SMS per grant and per revocation, kept in the outbox (no gateway configured)" \
	test "$(count "SELECT kind || '=' || count(*) FROM outbox WHERE state = 'kept' GROUP BY kind ORDER BY kind" | tr '\n' ' ')" = \
	"granted=$((E + G)) revoked=$R "
check "each grant's SMS goes to the person's phone, names them and the 410.00 yuan" \
	test "$(count "SELECT count(*) FROM outbox o JOIN entitlements e ON e.id = o.entitlement WHERE o.kind = 'granted' AND o.phone = e.phone AND o.text LIKE '%' || e.person_name || '您好%410.00元%'")" = $((E + G))
tasks() { count "SELECT count(*) FROM cases c JOIN deliveries d ON d.case_id = c.id JOIN entitlements e ON e.id = d.entitlement WHERE c.type = 'delivery' $1"; }
check "a card delivery task per grant, in the person's district" test "$(tasks "AND c.region = e.region")" = $((E + G))
DELIVERED=$(sed -n 's/^ *→ \([0-9]*\) delivered; .*/\1/p' "$T/demo.out")
check "the deliveries the district officers confirmed are delivered, with the receiver's words" \
	test "$(tasks "AND c.state = 'delivered'")" = "$DELIVERED" -a "$DELIVERED" -gt 0
check "a revocation cancels the task of a card not yet delivered, and leaves a delivered one" \
	test "$(tasks "AND e.state = 'revoked' AND c.state IN ('cancelled', 'delivered')")" = "$R"
check "no task of a person still granted is cancelled" test "$(tasks "AND e.state = 'granted' AND c.state = 'cancelled'")" = 0

# --- the granted list, published and pushed to the paying agency -------------------------
check "YBJ published the granted list twice: October's, and November's with the re-assessed up" \
	test "$(count "SELECT nrows FROM exchange_batches WHERE dataset = 'premium_grants' ORDER BY id" | tr '\n' ' ')" = "$E $((E + G)) "
check "each was pushed to CZJ's endpoint and taken at the first attempt (HTTP 200)" \
	test "$(count "SELECT a.status || ':' || a.nrows FROM exchange_attempts a JOIN exchange_subscriptions s ON s.id = a.subscription WHERE s.consumer = 'CZJ' ORDER BY a.id" | tr '\n' ' ')" = "200:$E 200:$((E + G)) "
check "CZJ got only the list's fields, the revoked with the day their subsidy ends" \
	grep -q "CZJ received $((E + G)) persons, $R of them with the day their subsidy ends" "$T/demo.out"

# --- a failed step stops the demo ------------------------------------------------------
TMPDIR=$T/tmp "$DEMO" --persons 300 --dir "$T/again" --db "$DB" --bin "$BIANMIN" >"$T/again.out" 2>&1
rc=$?
check "a second demo into a database that has one fails (exit 1), naming the step" \
	bash -c "[ $rc -eq 1 ] && grep -q 'step 2 failed: database .* already has exchange members' '$T/again.out'"
check "and leaves no temporary files behind" test -z "$(ls -A "$T/tmp")"
TMPDIR=$T/tmp "$DEMO" --persons 300 --dir "$T/demo" --db "$DB" --bin "$BIANMIN" >"$T/again.out" 2>&1
check "an existing demo folder is not overwritten without --replace (exit 2)" test $? -eq 2
mkdir -p "$T/mine" && touch "$T/mine/keep"
TMPDIR=$T/tmp "$DEMO" --persons 300 --dir "$T/mine" --db "$DB" --bin "$BIANMIN" --replace >"$T/again.out" 2>&1
check "--replace removes only a folder made by the demo" test $? -eq 2 -a -f "$T/mine/keep"

check "the audit chain the demo left verifies" bm audit verify >/dev/null 2>&1

finish
