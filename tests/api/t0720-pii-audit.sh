#!/usr/bin/env bash
# t0720: personal data and the audit trail. Phone and ID numbers are masked
# everywhere; reveal=true needs a reason and a role that handles personal
# data in that region, and is recorded (pii.read) before the data leaves.
# Every change leaves an audit entry its object's history shows; `bianmin
# audit verify` counts a sound chain and names the first entry that was
# altered (with the sqlite3 shell, or psql on PostgreSQL) or removed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"

# signin PHONE [PASSWORD]: print the session token (demo password by default).
signin() {
	req POST /api/v1/auth/login -H 'Content-Type: application/json' \
		--data-binary "$(jq -nc --arg p "$1" --arg w "${2:-demo-2026}" '{phone: $p, password: $w}')"
	json .token
}

uri() { jq -rn --arg s "$1" '$s | @uri'; }

# history TOKEN OBJECT: GET /api/v1/audit?object=OBJECT.
history() { as "$1" GET "/api/v1/audit?object=$2"; }

# has_entry ACTION ACTOR [SUMMARY_PART]: the last history holds such an entry.
has_entry() {
	jq -e --arg a "$1" --arg who "$2" --arg s "${3:-}" \
		'any(.entries[]; .action == $a and .actor == $who and (.summary | contains($s)))' \
		"$T/body" >/dev/null
}

not_grep() { ! grep "$@"; }

bm init --demo >/dev/null 2>&1
start_server || { fail "server starts"; finish; exit 1; }
VA=$(signin 19900000002)  # village_admin of 990101103200 (user 2)
KP=$(signin 19900000003)  # key_person of the same village
VA2=$(signin 19900000004) # village_admin of the other village 990101103201
TS=$(signin 19900000005)  # town_supervisor of 990101103
SA=$(signin 19900000009)  # system_admin of 990101
RS=$(signin 19900000001)  # resident of 990101103200 (user 1)
check "six demo accounts sign in" test -n "$VA" -a -n "$KP" -a -n "$VA2" -a -n "$TS" -a -n "$SA" -a -n "$RS"

# --- masks ------------------------------------------------------------------------
PHONE=13812345678
IDN=$(id18 99010119900307123)
as "$VA" POST /api/v1/users "{\"name\":\"隐私测试\",\"phone\":\"$PHONE\",\"id_number\":\"$IDN\",\"region\":\"990101103200\"}"
expect_status 201 "a village_admin creates a villager with phone and ID number"
P=$(json .id) POTP=$(json .one_time_password)
expect_json .phone '138****5678' "the phone is masked as 138****5678"
expect_json .id_number "${IDN:0:4}**********${IDN:14:4}" "the ID number shows its first 4 and last 4 characters around 10 stars"
as "$VA" GET "/api/v1/users/$P"
expect_status 200 "the cadre reads the villager"
expect_json '[.phone, .id_number, .revealed // "no"] | join(" ")' "138****5678 ${IDN:0:4}**********${IDN:14:4} no" \
	"masked by default, and not marked revealed"
as "$VA" GET '/api/v1/users?region=990101103200'
check "the account list shows no full phone number" not_grep -q "$PHONE" "$T/body"
check "nor the full ID number" not_grep -q "$IDN" "$T/body"
check "and lists the phone masked" grep -q '138\*\*\*\*5678' "$T/body"
for r in 'reveal=false' 'reveal=1' 'reveal=TRUE' "reveal=yes&reason=$(uri 核实)"; do
	as "$VA" GET "/api/v1/users/$P?$r"
	expect_json .phone '138****5678' "$r leaves the data masked (only reveal=true unmasks)"
done

# --- reveal ------------------------------------------------------------------------
as "$VA" GET "/api/v1/users/$P?reveal=true"
expect_error 400 invalid reason "reveal=true without a reason is refused naming reason" "reason"
as "$VA" GET "/api/v1/users/$P?reveal=true&reason="
expect_error 400 invalid reason "reveal=true with an empty reason is refused"
as "$VA" GET "/api/v1/users/$P?reveal=true&reason=$(uri "$(printf '因%.0s' $(seq 201))")"
expect_error 400 invalid reason "a reason of 201 characters is refused" "200"
history "$VA" "user:$P"
check "refused reveals leave no pii.read entry" \
	test "$(json '[.entries[] | select(.action == "pii.read")] | length')" = 0
REASON='电话回访核实身份'
as "$VA" GET "/api/v1/users/$P?reveal=true&reason=$(uri "$REASON")"
expect_status 200 "reveal=true with a reason by the village's cadre answers 200"
expect_json '[.phone, .id_number, .revealed] | join(" ")' "$PHONE $IDN true" \
	"with the phone and ID number unmasked and marked revealed"
history "$VA" "user:$P"
expect_status 200 "the cadre reads the villager's history"
check "a pii.read entry by user:2 with the reason appears in GET /api/v1/audit?object=user:$P" \
	has_entry pii.read user:2 "reason: $REASON"
LONG="a$(printf '中%.0s' $(seq 199))"
as "$VA" GET "/api/v1/users/$P?reveal=true&reason=$(uri "$LONG")"
expect_status 200 "a reason of exactly 200 characters is taken"
history "$VA" "user:$P"
check "its pii.read entry is listed with the whole reason" has_entry pii.read user:2 "reason: $LONG"

as "$KP" GET "/api/v1/users/$P"
expect_status 200 "a key_person of the village sees the villager"
expect_json .phone '138****5678' "masked"
as "$KP" GET "/api/v1/users/$P?reveal=true&reason=$(uri 看病)"
expect_error 403 forbidden - "but a key_person (no personal-data permission) may not reveal (403)"
as "$TS" GET "/api/v1/users/$P"
expect_status 200 "the town_supervisor sees the villager"
expect_json '[.phone, .id_number] | join(" ")' "138****5678 ${IDN:0:4}**********${IDN:14:4}" "masked"
as "$TS" GET "/api/v1/users/$P?reveal=true&reason=$(uri 督导检查)"
expect_error 403 forbidden - "but the town_supervisor's reveal is refused with 403"
as "$VA2" GET "/api/v1/users/$P"
expect_error 404 not_found - "the cadre of another village does not see the villager (404)"
as "$VA2" GET "/api/v1/users/$P?reveal=true&reason=$(uri 查)"
expect_error 404 not_found - "and a reveal from there answers 404 as well, not 403"
as "$RS" GET "/api/v1/users/$P"
expect_error 403 forbidden - "a resident may not read another villager (403)"
as "$RS" GET /api/v1/users/1
expect_json .phone '199****0001' "a resident reads their own account, masked"
as "$RS" GET "/api/v1/users/1?reveal=true"
expect_error 400 invalid reason "even their own reveal needs a reason"
as "$RS" GET "/api/v1/users/1?reveal=true&reason=$(uri 自己看)"
expect_json .phone 19900000001 "with a reason, a resident reveals their own phone"
history "$TS" "user:$P"
expect_status 200 "the town_supervisor may read the villager's history"
check "which holds exactly the cadre's two reveals, none of the refused ones" \
	test "$(json '[.entries[] | select(.action == "pii.read") | .actor] | join(",")')" = user:2,user:2
check "and no full phone or ID number" not_grep -Eq "$PHONE|$IDN" "$T/body"
history "$SA" user:1
check "the resident's own reveal is recorded too (actor user:1)" has_entry pii.read user:1 "自己看"

# --- every change is recorded ---------------------------------------------------
history "$VA" "user:$P"
check "user.create by user:2, with the phone masked" has_entry user.create user:2 "phone 138****5678"
check "entries come newest first" test "$(json '[.entries[].id] | . == (sort | reverse)')" = true
check "each entry carries its 32-byte hash in hex" \
	test "$(json '[.entries[].hash | test("^[0-9a-f]{64}$")] | all')" = true
as "$SA" POST "/api/v1/users/$P/roles" '{"role":"key_person","region":"990101103200"}'
expect_status 201 "the system_admin grants a role"
as "$SA" DELETE "/api/v1/users/$P/roles/key_person/990101103200"
expect_status 200 "and removes it"
history "$SA" "user:$P"
check "role.grant by user:9 is recorded" has_entry role.grant user:9 "granted key_person for 990101103200"
check "role.remove by user:9 is recorded" has_entry role.remove user:9 "removed key_person for 990101103200"
PT=$(signin $PHONE "$POTP")
as "$PT" POST /api/v1/me/password "$(jq -nc --arg o "$POTP" '{old_password: $o, new_password: "Villager-77"}')"
expect_status 200 "the villager changes the one-time password"
as "$PT" POST /api/v1/auth/logout
history "$SA" "user:$P"
check "auth.login of the villager is recorded" has_entry auth.login "user:$P"
check "user.password is recorded" has_entry user.password "user:$P"
check "auth.logout is recorded" has_entry auth.logout "user:$P"
check "no password appears in the history" not_grep -Eq "$POTP|Villager-77" "$T/body"
history "$VA" user:2
check "the cadre's own sign-in is in the cadre's history" has_entry auth.login user:2
as "$VA" POST /api/v1/households '{"region":"990101103200","address":"第一个村 9 号"}'
H=$(json .id)
history "$VA" "household:$H"
check "household.create is recorded under household:$H" has_entry household.create user:2
as "$VA" POST /api/v1/invites '{"region":"990101103200"}'
CODE=$(json .code)
history "$VA" region:990101103200
check "invite.create is recorded under region:990101103200" has_entry invite.create user:2
check "the invitation code is not in the audit trail" not_grep -q "$CODE" "$T/body"
req POST /api/v1/invites/accept -H 'Content-Type: application/json' \
	--data-binary "{\"code\":\"$CODE\",\"name\":\"新来的\",\"phone\":\"13700001111\",\"password\":\"Join-2026x\"}"
J=$(json .user.id)
history "$VA" "user:$J"
check "user.join is recorded, by the newcomer (user:$J)" has_entry user.join "user:$J" "137****1111"
check "and the newcomer's first session too" has_entry auth.login "user:$J"
bm apikey add feed --role county_supervisor --region 990101 >/dev/null 2>&1
bm apikey revoke 1 >/dev/null 2>&1
if db_shell; then
	check "apikey.create and apikey.revoke by the CLI are in the audit log" test \
		"$(db_sql "$DB" "SELECT $(sql_join "action || ' ' || substr(actor, 1, 4)") FROM audit_log WHERE object = 'apikey:1'")" \
		= 'apikey.create cli:,apikey.revoke cli:'
fi

# --- who may read the trail ---------------------------------------------------------
history "$KP" "user:$P"
expect_error 403 forbidden - "a key_person may not read the audit trail (403)"
history "$RS" user:1
expect_error 403 forbidden - "a resident may not read even their own history (403)"
history "$VA2" "user:$P"
expect_error 404 not_found - "the cadre of another village gets 404 for the villager's history"
history "$VA" region:990101103201
expect_error 404 not_found - "and a cadre gets 404 for another village's region"
as "$VA" GET /api/v1/audit
expect_error 400 invalid object "a history without object is refused naming object"
history "$VA" apikey:1
expect_error 400 invalid object "an object of an unknown kind is refused naming object"
history "$VA" region:99x
expect_error 400 invalid object "a malformed region object is refused naming object"
history "$VA" user:99999
expect_error 404 not_found - "an unknown user's history answers 404"
history "$VA" "user:$P&limit=1"
expect_json '.entries | length' 1 "limit=1 gives one entry"
expect_json '.entries[0].action' auth.logout "the newest"
history "$VA" "user:$P&limit=501"
expect_error 400 invalid limit "limit=501 is refused naming limit"

check "the log holds no full phone number" not_grep -q "$PHONE" "$T/serve.log"
check "nor the ID number" not_grep -q "$IDN" "$T/serve.log"
check "nor a reveal's reason" not_grep -q "$REASON" "$T/serve.log"
check "no request of this script was answered with a 5xx status" not_grep -q 'status=5[0-9][0-9]' "$T/serve.log"
check "the daemon stops cleanly" stop_server

# --- audit verify -----------------------------------------------------------------
bm audit verify >"$T/out" 2>"$T/err"
check "audit verify exits 0 on the untouched log" test $? -eq 0
if ! db_shell; then
	skip "audit tampering: the $(db_shell_name) shell is not installed"
	finish
	exit
fi
ROWS=$(db_sql "$DB" 'SELECT count(*) FROM audit_log')
check "audit verify prints '$ROWS entries verified' (every row)" grep -qx "$ROWS entries verified" "$T/out"
check "the log's ids run from 1 to $ROWS without a gap" \
	test "$(db_sql "$DB" 'SELECT CASE WHEN min(id) = 1 AND max(id) = count(*) THEN 1 ELSE 0 END FROM audit_log')" = 1

# tamper NAME SQL: a copy of the database with SQL applied; verify it.
tamper() {
	local copy
	copy=$(db_copy "$DB" "$1") && db_sql "$copy" "$2" >/dev/null
	"$BIANMIN" --db "$copy" audit verify >"$T/out" 2>"$T/err"
	RC=$?
}
tamper summary "UPDATE audit_log SET summary = substr(summary, 1, length(summary) - 1) ||
	CASE WHEN substr(summary, length(summary), 1) = 'x' THEN 'y' ELSE 'x' END WHERE id = 3"
check "one character of entry 3's summary changed: audit verify exits 3" test $RC -eq 3
check "naming entry 3, altered" grep -q 'audit entry 3 is broken: its content does not match its hash (altered)' "$T/err"
check "and counting the 2 entries before it" grep -q '(2 entries before it verified)' "$T/err"
check "and printing no 'verified' line" test ! -s "$T/out"
old=$(db_sql "$DB" "SELECT $(sql_hex hash) FROM audit_log WHERE id = 3")
flipped=$(printf '%02X' $((0x${old:0:2} ^ 0x01)))${old:2}
tamper hash "UPDATE audit_log SET hash = $(sql_blob "$flipped") WHERE id = 3"
check "one byte of entry 3's hash flipped: audit verify exits 3" test $RC -eq 3
check "naming entry 3" grep -q 'audit entry 3 is broken' "$T/err"
tamper at 'UPDATE audit_log SET at = at + 1 WHERE id = 3'
check "entry 3's time moved by one second: exit 3 naming entry 3" \
	test $RC -eq 3 -a -n "$(grep 'audit entry 3 is broken' "$T/err")"
tamper actor "UPDATE audit_log SET actor = 'cli:nobody' WHERE id = 3"
check "entry 3's actor changed: exit 3 naming entry 3" \
	test $RC -eq 3 -a -n "$(grep 'audit entry 3 is broken' "$T/err")"
tamper gone 'DELETE FROM audit_log WHERE id = 3'
check "entry 3 deleted: exit 3" test $RC -eq 3
check "naming entry 4, after a missing one" grep -q 'audit entry 4 is broken: an entry before it is missing' "$T/err"
tamper short "UPDATE audit_log SET hash = $(sql_blob 00) WHERE id = 3"
check "entry 3's hash cut to one byte: exit 3 naming entry 3" \
	test $RC -eq 3 -a -n "$(grep 'audit entry 3 is broken' "$T/err")"
bm audit verify >"$T/out" 2>&1
check "the original database still verifies" grep -qx "$ROWS entries verified" "$T/out"

finish
