#!/usr/bin/env bash
# t0710: accounts. One-time passwords (made by a village cadre and by
# `bianmin user add`): nothing but /me and the password change until it is
# changed, the password rules, then the role's full access. New users: phone
# and ID number checks naming the field and the part that is wrong,
# conflicts, roles and regions a village cadre may not give. Invitations:
# made, accepted (a resident of that village, signed in), used twice,
# unknown, expired a week later (BIANMIN_CLOCK_OFFSET).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"

# change_pw TOKEN OLD NEW: POST /api/v1/me/password.
change_pw() {
	as "$1" POST /api/v1/me/password "$(jq -nc --arg o "$2" --arg n "$3" '{old_password: $o, new_password: $n}')"
}

# new_user TOKEN NAME PHONE [ID_NUMBER [REGION [EXTRA_JSON]]]: POST /api/v1/users.
new_user() {
	local body
	body=$(jq -nc --arg n "$2" --arg p "$3" --arg i "${4:-}" --arg r "${5:-990101103200}" \
		--argjson x "${6:-{\}}" '{name: $n, phone: $p, region: $r} + (if $i == "" then {} else {id_number: $i} end) + $x')
	as "$1" POST /api/v1/users "$body"
}

# users_in TOKEN REGION: how many accounts GET /api/v1/users lists there.
users_in() { as "$1" GET "/api/v1/users?region=$2&limit=200" && json '.users | length'; }

PW=demo-2026
VA=19900000002 # village_admin of 990101103200
OTP_BUSY='change your one-time password first'

bm init --demo >/dev/null 2>&1
start_server || { fail "server starts"; finish; exit 1; }
login $VA $PW
VTOK=$(json .token)
check "the village cadre signs in" test -n "$VTOK" -a "$STATUS" = 200

# --- a one-time password made by a village cadre ----------------------------------
new_user "$VTOK" 新村民 13812345678
expect_status 201 "a village_admin creates a resident of the village (201)"
NID=$(json .id) OTP=$(json .one_time_password)
check "the reply carries a one-time password of 12 characters" \
	grep -Eq '^[2-9a-km-np-zA-HJ-NP-Z]{12}$' <<<"$OTP"
expect_json .must_change_password true "the new account must change its password"
expect_json '.roles | map(.role + " " + .region) | join(",")' 'resident 990101103200' \
	"the new account is a resident of the village"
expect_json .phone '138****5678' "the new account's phone is masked in the reply"
expect_json .id_number null "no ID number was given, none is shown"
login 13812345678 "$OTP"
expect_status 200 "the new person signs in with the one-time password"
expect_json .user.must_change_password true "and the sign-in says the password must be changed"
NTOK=$(json .token)
as "$NTOK" GET /api/v1/users
expect_error 403 forbidden - "before the change, GET /api/v1/users is refused with 403" "$OTP_BUSY"
as "$NTOK" GET "/api/v1/users/$NID"
expect_error 403 forbidden - "before the change, even one's own account by id is refused" "$OTP_BUSY"
as "$NTOK" POST /api/v1/households '{"region":"990101103200","address":"x"}'
expect_error 403 forbidden - "before the change, POST /api/v1/households is refused" "$OTP_BUSY"
as "$NTOK" GET "/api/v1/audit?object=user:$NID"
expect_error 403 forbidden - "before the change, the audit trail is refused" "$OTP_BUSY"
as "$NTOK" GET /api/v1/me
expect_status 200 "before the change, GET /api/v1/me answers 200"
expect_json .must_change_password true "and says the password must be changed"

# --- password rules ---------------------------------------------------------------
change_pw "$NTOK" not-the-otp Village-2026
expect_error 400 invalid old_password "a wrong current password is refused naming old_password"
as "$NTOK" POST /api/v1/me/password "$(jq -nc --arg o "$OTP" '{old_password: $o}')"
expect_error 400 invalid new_password "a change without new_password is refused naming it"
change_pw "$NTOK" "$OTP" Ab1-x
expect_error 400 invalid new_password "a password of 5 characters is refused" "at least 8 characters"
change_pw "$NTOK" "$OTP" abcdefghijkl
expect_error 400 invalid new_password "a password of letters only is refused" "two kinds of characters"
change_pw "$NTOK" "$OTP" my13812345678
expect_error 400 invalid new_password "a password containing the phone number is refused" "phone number"
as "$NTOK" GET /api/v1/me
expect_json .must_change_password true "none of the refused changes counted"
change_pw "$NTOK" "$OTP" Village-2026
expect_status 200 "a good new password is taken (200)"
change_pw "$NTOK" Village-2026 Village-2026
expect_error 400 invalid new_password "a new password equal to the current one is refused" "differ"
as "$NTOK" GET /api/v1/me
expect_json .must_change_password false "after the change the account is free"
as "$NTOK" GET "/api/v1/users/$NID"
expect_status 200 "the same session now reads its own account by id"
as "$NTOK" GET /api/v1/users
expect_error 403 forbidden - "and a resident still may not list accounts" "your role does not allow this"
login 13812345678 "$OTP"
expect_error 401 unauthenticated - "the one-time password no longer signs in"
login 13812345678 Village-2026
expect_status 200 "the new password signs in"
expect_json .user.must_change_password false "without the must-change mark"

# --- a one-time password from the command line ---------------------------------
bm user add --role system_admin --region 990101 二号管理员 13900001111 >"$T/out" 2>"$T/err"
check "user add exits 0" test $? -eq 0
SOTP=$(sed -n 's/^one-time password: //p' "$T/out")
SID=$(sed -nE 's/^user ([0-9]+) created: .*/\1/p' "$T/out")
check "user add prints the new user's id and a one-time password" \
	test -n "$SID" -a "${#SOTP}" -eq 12
check "user add says it is shown once" grep -q 'shown once' "$T/out"
login 13900001111 "$SOTP"
expect_status 200 "the printed one-time password signs in"
expect_json '.user.roles | map(.role + " " + .region) | join(",")' 'system_admin 990101' \
	"as system_admin of the county"
STOK=$(json .token)
as "$STOK" GET '/api/v1/users?region=990101'
expect_error 403 forbidden - "a system_admin too is held back until the change" "$OTP_BUSY"
change_pw "$STOK" "$SOTP" County-admin-9
expect_status 200 "the system_admin changes the password"
as "$STOK" GET '/api/v1/users?region=990101'
expect_status 200 "then lists the county's accounts"
as "$STOK" POST "/api/v1/users/$NID/roles" '{"role":"key_person","region":"990101103200"}'
expect_status 201 "and grants the new villager key_person for the village (201)"
expect_json '.roles | map(.role) | sort | join(",")' 'key_person,resident' "who now has both roles"
as "$NTOK" GET /api/v1/users
expect_status 200 "the villager's running session lists the village's accounts at once"
expect_json .region 990101103200 "of the village, the region of the role"
bm user add --role mayor --region 990101 某人 13900002222 >/dev/null 2>"$T/err"
check "user add with an unknown role exits 3" test $? -eq 3
bm user add --role resident --region 990101 某人 13900001111 >/dev/null 2>"$T/err"
check "user add with a registered phone exits 3" test $? -eq 3
check "and says the phone is registered already" grep -q 'already registered' "$T/err"
bm user add --role resident --region 110101 某人 13900002222 >/dev/null 2>"$T/err"
check "user add with a region not in the registry exits 3" test $? -eq 3
bm user add --role resident --region 990101 --id-number 123 某人 13900002222 >/dev/null 2>"$T/err"
check "user add with a bad ID number exits 3" test $? -eq 3
bm user add --role resident 某人 13900002222 >/dev/null 2>&1
check "user add without --region is a usage error (exit 2)" test $? -eq 2

# --- new users: phone and ID number ---------------------------------------------
BEFORE=$(users_in "$VTOK" 990101103200)
new_user "$VTOK" 某人 1381234567
expect_error 400 invalid phone "a phone of 10 digits is refused naming phone"
new_user "$VTOK" 某人 23812345678
expect_error 400 invalid phone "a phone not starting 13-19 is refused naming phone"
new_user "$VTOK" 某人 138-abcd-5678
expect_error 400 invalid phone "a phone with letters is refused naming phone"
new_user "$VTOK" '' 13812340001
expect_error 400 invalid name "an empty name is refused naming name"
new_user "$VTOK" $'某\x01人' 13812340001
expect_error 400 invalid name "a name with a control character is refused naming name"
new_user "$VTOK" "$(printf '张%.0s' $(seq 31))" 13812340001
expect_error 400 invalid name "a name of 31 characters is refused naming name"

GOOD=$(id18 99010119900307123)
new_user "$VTOK" 某人 13812340001 "${GOOD:0:17}"
expect_error 400 invalid id_number "an ID number of 17 characters is refused" "18 characters, this one has 17"
new_user "$VTOK" 某人 13812340001 "${GOOD}0"
expect_error 400 invalid id_number "an ID number of 19 characters is refused" "this one has 19"
new_user "$VTOK" 某人 13812340001 "9901A1${GOOD:6}"
expect_error 400 invalid id_number "a letter among the first 17 characters is refused" "character 5"
last=${GOOD:17} bad=0
[ "$last" = 0 ] && bad=1
new_user "$VTOK" 某人 13812340001 "${GOOD:0:17}$bad"
expect_error 400 invalid id_number "a wrong check digit is refused" "check digit"
new_user "$VTOK" 某人 13812340001 "$(id18 99010119900230123)"
expect_error 400 invalid id_number "an ID number born on 30 February is refused" "not a real date"
new_user "$VTOK" 某人 13812340001 "$(id18 99010118991231123)"
expect_error 400 invalid id_number "an ID number born in 1899 is refused" "birth date"
new_user "$VTOK" 某人 13812340001 "$(id18 99010120990101123)"
expect_error 400 invalid id_number "an ID number born in 2099 is refused" "in the future"
new_user "$VTOK" 某人 13812340001 "$(id18 00010119900307123)"
expect_error 400 invalid id_number "an ID number of province 00 is refused" "starts with 00, which is no province"
new_user "$VTOK" 某人 13812340001 "$(id18 10010119900307123)"
expect_error 400 invalid id_number "an ID number of province 10 is refused" "no province"
check "none of the refused users was created" test "$(users_in "$VTOK" 990101103200)" = "$BEFORE"

# An ID number ending in X, typed with a lower-case x.
for n in $(seq 100 999); do
	XID=$(id18 99010119850615$n)
	[ "${XID:17}" = X ] && break
done
new_user "$VTOK" 王小明 '+86 138-1234-0001' "${XID:0:17}x"
expect_status 201 "an ID number ending in a lower-case x is accepted (201)"
XUID=$(json .id)
expect_json .id_number "${XID:0:4}**********${XID:14:3}X" "its masked form ends in an upper-case X"
expect_json .phone '138****0001' "the phone '+86 138-1234-0001' is read as 13812340001"
as "$VTOK" GET "/api/v1/users/$XUID?reveal=true&reason=%E6%A0%B8%E5%AF%B9"
expect_json .id_number "$XID" "revealed, the ID number is stored with an upper-case X"
expect_json .phone 13812340001 "and the phone in its plain 11 digits"
new_user "$VTOK" 王小明 13812340002 "$XID"
expect_error 409 conflict id_number "the same ID number with X is a duplicate (409)" "already registered"
new_user "$VTOK" 某人 13812340001
expect_error 409 conflict phone "a phone already registered is refused with 409 naming phone" "already registered"
new_user "$VTOK" 某人 19900000001
expect_error 409 conflict phone "a demo account's phone is a duplicate too"

# --- new users: roles, regions, households ----------------------------------------
new_user "$VTOK" 某人 13812340003 '' 990101103200 '{"role":"mayor"}'
expect_error 400 invalid role "an unknown role is refused naming role" "mayor"
new_user "$VTOK" 某人 13812340003 '' 990101103200 '{"role":"key_person"}'
expect_error 403 forbidden - "a village_admin may not give the role key_person (403)"
new_user "$VTOK" 某人 13812340003 '' 990101103200 '{"role":"system_admin"}'
expect_error 403 forbidden - "nor system_admin"
new_user "$VTOK" 某人 13812340003 '' 990101103201
expect_error 404 not_found - "a region outside the cadre's village answers 404"
new_user "$VTOK" 某人 13812340003 '' 990101
expect_error 404 not_found - "so does the county above it"
new_user "$VTOK" 某人 13812340003 '' 110101
expect_error 400 invalid region "a region not in the registry is refused naming region"
new_user "$VTOK" 某人 13812340003 '' 99x
expect_error 400 invalid region "a malformed region is refused naming region"
as "$VTOK" POST /api/v1/users '{"name":"某人","phone":"13812340003"}'
expect_error 400 invalid region "a missing region is refused naming region"
as "$VTOK" POST /api/v1/households '{"region":"990101103200","address":"第一个村 8 号"}'
expect_status 201 "the cadre registers a household in the village"
HA=$(json .id)
as "$STOK" POST /api/v1/households '{"region":"990101103201","address":"另一个村 3 号"}'
expect_status 201 "the system_admin registers a household in another village"
HB=$(json .id)
new_user "$VTOK" 某人 13812340003 '' 990101103200 "{\"household_id\":$HB}"
expect_error 400 invalid household_id "a household of another village is refused naming household_id" "not in region"
new_user "$VTOK" 某人 13812340003 '' 990101103200 '{"household_id":9999}'
expect_error 400 invalid household_id "an unknown household is refused the same way" "not in region"
new_user "$VTOK" 某人 13812340003 '' 990101103200 '{"household_id":"1"}'
expect_error 400 invalid household_id "a household_id that is a string is refused"
new_user "$VTOK" 户主 13812340003 '' 990101103200 "{\"household_id\":$HA}"
expect_status 201 "a household of the village is taken (201)"
expect_json .household_id "$HA" "and recorded on the account"
as "$VTOK" GET "/api/v1/households/$HA"
expect_json '.members | map(.phone) | join(",")' '138****0003' "the household lists its member, masked"

# --- invitations ---------------------------------------------------------------
as "$VTOK" POST /api/v1/invites '{"region":"990101103200"}'
expect_status 201 "a village_admin makes an invitation (201)"
CODE=$(json .code)
check "the code is 10 unambiguous characters" grep -Eq '^[2-9A-HJ-NP-Z]{10}$' <<<"$CODE"
expect_json .join_path "/#/join/$CODE" "the reply gives the join path"
check "the invitation lasts 7 days" \
	test "$(jq -r '((.expires_at | fromdateiso8601) - now - 604800) | fabs < 60' "$T/body")" = true
as "$VTOK" POST /api/v1/invites '{"region":"990101103201"}'
expect_error 404 not_found - "an invitation for another village answers 404"
as "$VTOK" POST /api/v1/invites '{}'
expect_error 400 invalid region "an invitation without region is refused naming region"
as "$VTOK" POST /api/v1/invites "{\"region\":\"990101103200\",\"household_id\":$HB}"
expect_error 400 invalid household_id "an invitation to another village's household is refused"
as "$VTOK" POST /api/v1/invites "{\"region\":\"990101103200\",\"household_id\":$HA}"
expect_status 201 "an invitation into a household of the village (201)"
HCODE=$(json .code)
as "$VTOK" POST /api/v1/invites '{"region":"990101103200"}'
LATE=$(json .code)
as "$NTOK" POST /api/v1/invites '{"region":"990101103200"}'
expect_error 403 forbidden - "a key_person may not make invitations (403)"

# accept CODE NAME PHONE PASSWORD [EXTRA_JSON]: POST /api/v1/invites/accept.
accept() {
	req POST /api/v1/invites/accept -H 'Content-Type: application/json' --data-binary \
		"$(jq -nc --arg c "$1" --arg n "$2" --arg p "$3" --arg w "$4" --argjson x "${5:-{\}}" \
			'{code: $c, name: $n, phone: $p, password: $w} + $x')"
}
# The same rules hold when joining (checked before any hashing, so cheap).
accept "$CODE" 新来的 13700001111 short1
expect_error 400 invalid password "accepting with a password of 6 characters is refused" "at least 8 characters"
accept "$CODE" 新来的 13700001111 1234567890123
expect_error 400 invalid password "accepting with a password of digits only is refused" "two kinds of characters"
accept "$CODE" 新来的 13700001111 我的密码非常非常长
expect_error 400 invalid password "a password of Chinese characters only is one kind too" "two kinds of characters"
accept "$CODE" 新来的 13700001111 x13700001111
expect_error 400 invalid password "accepting with a password containing the phone is refused" "phone number"
accept "$CODE" 新来的 13700001111 "a1$(printf 'x%.0s' $(seq 127))"
expect_error 400 invalid password "a password of 129 bytes is refused" "at most 128 bytes"
accept "$CODE" 新来的 19900000001 "a1$(printf 'x%.0s' $(seq 126))"
expect_error 409 conflict phone \
	"a password of exactly 128 bytes passes; the registered phone is then refused with 409"
accept "$CODE" 新来的 13700001111 Join-2026x '{"role":"system_admin","region":"990101"}'
expect_status 201 "the invitation is accepted afterwards: neither refusal used it up (201)"
JID=$(json .user.id)
JTOK=$(json .token)
check "accepting sets the bm_session cookie, HttpOnly" \
	grep -q "^Set-Cookie: bm_session=$JTOK; .*HttpOnly" <(tr -d '\r' <"$T/headers")
check "and the bm_csrf cookie" grep -q "^Set-Cookie: bm_csrf=$(json .csrf_token);" <(tr -d '\r' <"$T/headers")
expect_json '.user.roles | map(.role + " " + .region) | join(",")' 'resident 990101103200' \
	"the newcomer is a resident of the invitation's village, whatever role or region was sent"
expect_json .user.region 990101103200 "and lives in that village"
expect_json .user.must_change_password false "a chosen password need not be changed"
as "$JTOK" GET /api/v1/me
expect_status 200 "the newcomer's session works"
accept "$CODE" 又一个 13700002222 Join-2026x
expect_error 409 conflict code "an invitation used once is refused the second time (409)" "used already"
accept ZZZZZZZZZZ 又一个 13700002222 Join-2026x
expect_error 404 not_found code "an unknown invitation code answers 404"
req POST /api/v1/invites/accept -H 'Content-Type: application/json' \
	--data-binary '{"name":"又一个","phone":"13700002222","password":"Join-2026x"}'
expect_error 400 invalid code "accepting without a code is refused naming code"
accept "$HCODE" 家人 13700003333 Join-2026x
expect_status 201 "an invitation into a household is accepted"
expect_json .user.household_id "$HA" "and the newcomer belongs to that household"
as "$VTOK" GET "/api/v1/users/$JID"
expect_status 200 "the village cadre sees the newcomer"

# --- a week later ----------------------------------------------------------------
cp "$T/serve.log" "$T/old.log"
check "the daemon stops cleanly" stop_server
BIANMIN_CLOCK_OFFSET=700000 start_server || { fail "the daemon starts 700000 s later"; finish; exit 1; }
accept "$LATE" 迟到的 13700004444 Join-2026x
expect_error 400 invalid code "700000 s later an unused invitation has expired (400)" expired
login 13700004444 Join-2026x
expect_error 401 unauthenticated - "and no account was made from it"

check "no request of this script was answered with a 5xx status" \
	bash -c "! grep -q 'status=5[0-9][0-9]' '$T/old.log' '$T/serve.log'"
finish
