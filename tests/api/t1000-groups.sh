#!/usr/bin/env bash
# t1000: the service network (项城 model) - groups, joining, rosters,
# members and the duty rota, against the demo county (521 standing groups).
#
# Joining: what a join link shows to anyone, joining by link (twice changes
# nothing), approval on -> pending -> approved by the owner -> active, a new
# join code kills the old link, the QR code (SVG and PNG) for managers only.
# Rosters: a CSV import with its counts, the same roster again (already
# members), and malformed rosters refused with 400 and "line N: ..." for each
# problem, changing nothing. Members: masked phones, role and function, removal,
# leaving, only people of the group's region or above, the owner's place
# decided by no admin, and who may do what (a resident sees but cannot
# manage, another village's admin finds no group, the county supervisor sees
# but cannot manage). Duty: who answers at explicit times, in and outside
# duty hours and across a day boundary; the rota, one-day overrides, leave
# with a stand-in, someone who left never named, and duty hours.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"
. "$(dirname "$0")/groups.sh"

bm init --demo >"$T/init.out" 2>&1
check "setup: init --demo makes the demo county's groups" test $? -eq 0
start_server || { fail "server starts"; finish; exit 1; }
signin_demo || { finish; exit 1; }

G1=$(group_of $V1) G2=$(group_of $V2) GT=$(group_of $TOWN town) GO=$(group_of $OTHER_VILLAGE)
check "setup: the standing groups of $V1, $V2, town $TOWN and $OTHER_VILLAGE exist" \
	test -n "$G1" -a -n "$G2" -a -n "$GT" -a -n "$GO"

# --- groups: listing and seeing -------------------------------------------------
as "$ADM" GET "/api/v1/groups?within=990101&limit=500"
expect_status 200 "the system admin lists the county's groups"
expect_json '.groups | length' 500 "a page holds 500 groups (limit=500)"
expect_json '.next_after != null' true "and says where the next page starts"
as "$ADM" GET "/api/v1/groups?within=990101&limit=500&after=$(json .next_after)"
expect_json '.groups | length' 21 "the second page holds the rest: 521 groups in all (1 county, 20 towns, 500 villages)"
for kind in county town village; do
	as "$ADM" GET "/api/v1/groups?within=990101&kind=$kind&limit=500"
	n=$(json '.groups | length')
	case $kind in county) want=1 ;; town) want=20 ;; village) want=500 ;; esac
	check "kind=$kind: $want groups ($n)" test "$n" = "$want"
done
as "$TSUP" GET "/api/v1/groups?within=$TOWN&kind=village&limit=500"
expect_status 200 "the town supervisor lists the groups of the town"
expect_json '.groups | length' 25 "25 village groups in town $TOWN"
as "$TSUP" GET "/api/v1/groups?within=990101001"
expect_error 404 not_found - "the town supervisor finds no groups in another town (404)"
as "$RES" GET /api/v1/groups
expect_error 403 forbidden - "a resident may not list groups (403)"
as "$ADM" GET "/api/v1/groups?kind=nosuch"
expect_error 400 invalid kind "an unknown kind is refused with 400 naming kind"

as "$RES" GET "/api/v1/groups/$G1"
expect_status 200 "a resident member sees their village's group"
expect_json '[.kind, .region, .members] | join(" ")' "village $V1 3" \
	"the group of $V1 is a village group of 3 demo members"
expect_json 'has("join_url")' false "a resident is not given the join link"
as "$OWN" GET "/api/v1/groups/$G1"
expect_json '.join_url | test("/join/[A-Za-z0-9_-]+$")' true "the owner is given the join link"
as "$OWN2" GET "/api/v1/groups/$G1"
expect_error 404 not_found - "another village's admin gets 404 on the group"
as "$CSUP" GET "/api/v1/groups/$G1"
expect_status 200 "the county supervisor sees the group (200)"
as "$TSUP" GET "/api/v1/groups/$GO"
expect_error 404 not_found - "the town supervisor gets 404 on a village of another town"
as "$ADM" GET /api/v1/groups/987654321
expect_error 404 not_found - "a group that does not exist is 404"

as "$RES" GET /api/v1/me/groups
expect_json '[.groups[] | "\(.group.id) \(.membership.role)"] | join(",")' "$G1 resident" \
	"/me/groups lists the resident's one group and role"

# --- ad-hoc groups ---------------------------------------------------------------
as "$OWN" POST /api/v1/groups "{\"name\":\"武台村防汛群\",\"region\":\"$V1\"}"
expect_status 201 "a village admin makes an ad-hoc group in their village"
expect_json '[.kind, .region, .members] | join(" ")' "adhoc $V1 0" "it is an ad-hoc group of the village, empty"
as "$OWN" POST /api/v1/groups "{\"name\":\"越界群\",\"region\":\"$V2\"}"
expect_error 404 not_found - "... but not in another village (404)"
as "$RES" POST /api/v1/groups "{\"name\":\"居民群\",\"region\":\"$V1\"}"
expect_error 403 forbidden - "a resident may not make groups (403)"
as "$ADM" POST /api/v1/groups "{\"name\":\"\",\"region\":\"$V1\"}"
expect_error 400 invalid name "an empty name is refused naming name"

# --- joining by link ----------------------------------------------------------------
new_person P1 "入群甲" 13810000001 && new_person P2 "入群乙" 13810000002 &&
	new_person P3 "入群丙" 13810000003 || { finish; exit 1; }
CODE=$(join_code "$G1")
check "setup: the join code of the group of $V1" test -n "$CODE"
req GET "/api/v1/join/$CODE"
expect_status 200 "anyone (not signed in) reads what a join link leads to"
expect_json '[.name, .kind, .region, .approval] | map(tostring) | join(" ")' "武台村 village $V1 false" \
	"the link shows the group's name, kind, region and approval"
expect_json 'has("members") or has("id") or has("join_url")' false \
	"... and nothing more (no members, no id, no link)"
req GET /api/v1/join/nosuchcode0000000000000000000000
expect_error 404 not_found - "an unknown join code is 404"
req POST "/api/v1/join/$CODE"
expect_error 401 unauthenticated - "joining needs signing in (401)"

before=$(member_count "$G1")
as "$P1" POST "/api/v1/join/$CODE"
expect_status 200 "a signed-in person joins by the link"
expect_json '[.membership.role, .membership.state, .group.id] | map(tostring) | join(" ")' \
	"resident active $G1" "as an active resident of the group"
J1=$(json .membership.joined_at)
check "the group has one member more ($before -> $(member_count "$G1"))" \
	test "$(member_count "$G1")" -eq $((before + 1))
as "$P1" POST "/api/v1/join/$CODE"
expect_status 200 "joining a second time answers 200"
expect_json '[.membership.state, .membership.joined_at] | join(" ")' "active $J1" \
	"... and changes nothing (same state, same joined_at)"
check "the member count is unchanged by joining twice" test "$(member_count "$G1")" -eq $((before + 1))
as "$P1" GET "/api/v1/groups/$G1"
expect_status 200 "the new member sees the group"
as "$P1" GET /api/v1/me/groups
expect_json "[.groups[] | select(.group.id == $G1) | .membership.state] | join(\"\")" active \
	"and finds it under /me/groups"

# approval on: pending, then approved by the owner
as "$OWN" PATCH "/api/v1/groups/$G1" '{"approval":true}'
expect_status 200 "the owner turns approval on"
expect_json .approval true "the group now asks for approval"
req GET "/api/v1/join/$CODE"
expect_json .approval true "the join link says so"
before=$(member_count "$G1")
as "$P2" POST "/api/v1/join/$CODE"
expect_status 200 "a person asks to join"
expect_json .membership.state pending "and waits (pending)"
check "a pending person is not counted as a member" test "$(member_count "$G1")" -eq "$before"
as "$P2" GET "/api/v1/groups/$G1"
expect_error 404 not_found - "a pending person does not see the group yet (404)"
as "$P2" POST "/api/v1/join/$CODE"
expect_json .membership.state pending "asking again changes nothing (still pending)"
as "$OWN" GET "/api/v1/groups/$G1/members?state=pending"
expect_json "[.members[].user] | join(\",\")" "$P2_ID" "the owner sees who waits (?state=pending)"
as "$RES" POST "/api/v1/groups/$G1/members/$P2_ID/approve"
expect_error 403 forbidden - "a resident may not approve (403)"
as "$OWN2" POST "/api/v1/groups/$G1/members/$P2_ID/approve"
expect_error 404 not_found - "another village's admin may not approve (404)"
as "$OWN" POST "/api/v1/groups/$G1/members/$P2_ID/approve"
expect_status 200 "the owner approves"
expect_json '[.state, .role] | join(" ")' "active resident" "the person is now an active resident"
check "and counted as a member" test "$(member_count "$G1")" -eq $((before + 1))
as "$P2" GET "/api/v1/groups/$G1"
expect_status 200 "and sees the group"
as "$OWN" POST "/api/v1/groups/$G1/members/$P2_ID/approve"
expect_error 400 invalid - "approving someone not waiting is refused (400)"
as "$OWN" PATCH "/api/v1/groups/$G1" '{"approval":false}'
expect_json .approval false "the owner turns approval off again"

# a new join code: the old link stops working
as "$RES" POST "/api/v1/groups/$G1/join-code"
expect_error 403 forbidden - "a resident may not change the join link (403)"
as "$OWN" POST "/api/v1/groups/$G1/join-code"
expect_status 200 "the owner makes a new join link"
NEW=$(json '.join_url | split("/") | last')
check "the new code differs from the old one" test -n "$NEW" -a "$NEW" != "$CODE"
req GET "/api/v1/join/$CODE"
expect_error 404 not_found - "the old link is 404"
as "$P3" POST "/api/v1/join/$CODE"
expect_error 404 not_found - "joining by the old link is 404"
as "$P3" GET /api/v1/me/groups
expect_json '.groups | length' 0 "... and made nobody a member"
req GET "/api/v1/join/$NEW"
expect_json .name 武台村 "the new link works"
CODE=$NEW

# the QR code of the join link: SVG and PNG, for managers only
as "$OWN" GET "/api/v1/groups/$G1/qr"
expect_status 200 "the owner gets the QR code (SVG by default)"
check "it is image/svg+xml" test "$(header Content-Type)" = image/svg+xml
check "its root element is <svg> in the SVG namespace" \
	grep -qE '^(<\?xml[^>]*>\s*)?<svg [^>]*xmlns="http://www.w3.org/2000/svg"' "$T/body"
if command -v xmllint >/dev/null; then
	check "it is well-formed XML whose root is svg" \
		test "$(xmllint --xpath 'local-name(/*)' "$T/body" 2>/dev/null)" = svg
fi
as "$OWN" GET "/api/v1/groups/$G1/qr?format=png"
expect_status 200 "the owner gets the QR code as PNG"
check "it is image/png" test "$(header Content-Type)" = image/png
check "it starts with the PNG signature and an IHDR chunk" \
	test "$(head -c 16 "$T/body" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a0000000d49484452
check "it ends with the IEND chunk" test "$(tail -c 12 "$T/body" | od -An -tx1 | tr -d ' \n')" = \
	0000000049454e44ae426082
WH=$(od -An -tu1 -j16 -N8 "$T/body" | awk '{print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}')
check "it is square and not empty ($WH)" awk -v wh="$WH" 'BEGIN{split(wh, a, " "); exit !(a[1] > 0 && a[1] == a[2])}'
as "$OWN" GET "/api/v1/groups/$G1/qr?format=png&px=4"
w4=$(od -An -tu1 -j16 -N4 "$T/body" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
check "px=4 makes it half as wide as the default px=8 (${WH%% *} -> $w4)" test $((w4 * 2)) -eq "${WH%% *}"
as "$OWN" GET "/api/v1/groups/$G1/qr?format=gif"
expect_error 400 invalid format "another format is refused naming format"
as "$RES" GET "/api/v1/groups/$G1/qr"
expect_error 403 forbidden - "a resident may not get the QR code (403)"
as "$CSUP" GET "/api/v1/groups/$G1/qr?format=png"
expect_error 403 forbidden - "the county supervisor may not get the QR code (403)"
as "$OWN2" GET "/api/v1/groups/$G1/qr"
expect_error 404 not_found - "another village's admin gets 404 on the QR code"
as "$ADM" GET "/api/v1/groups/$G1/qr"
expect_status 200 "the system admin (manages groups in the county) gets the QR code"

# --- rosters ---------------------------------------------------------------------
# roster TOKEN GROUP FILE [CONTENT-TYPE]: POST a roster file.
roster() {
	req POST "/api/v1/groups/$2/roster" -H "Authorization: Bearer $1" \
		-H "Content-Type: ${4:-text/csv; charset=utf-8}" --data-binary "@$3"
}
# users_count: accounts in the database.
users_count() { db_sql "$DB" "SELECT count(*) FROM users"; }
ID1=$(id18 41162319800101123)
case ${ID1:17:1} in X) BADID=${ID1:0:17}0 ;; *) BADID=${ID1:0:17}$(((${ID1:17:1} + 1) % 10)) ;; esac
printf '\xef\xbb\xbf姓名,手机号,住址,身份证号\r\n张小一,13820000001,一组1号,%s\r\n李小二,13820000002,一组2号,\r\n王建国,19900000001,二组3号,\r\n' "$ID1" >"$T/roster.csv"
members0=$(member_count "$G2") users0=$(users_count)
roster "$OWN2" "$G2" "$T/roster.csv"
expect_status 200 "the owner imports a roster of 3 households (a UTF-8 CSV with BOM and CRLF, as Excel saves it)"
expect_json '[.households, .users, .joined, .already_members] | map(tostring) | join(" ")' "2 2 3 0" \
	"2 new households and accounts; 3 joined (one already had an account); 0 already members"
check "the group has 3 members more" test "$(member_count "$G2")" -eq $((members0 + 3))
check "2 accounts more in the database" test "$(users_count)" -eq $((users0 + 2))
as "$OWN2" GET "/api/v1/groups/$G2/members?limit=500"
expect_json '[.members[] | select(.name == "张小一" or .name == "李小二") | .role] | join(",")' \
	"resident,resident" "the households joined as residents"
roster "$OWN2" "$G2" "$T/roster.csv"
expect_status 200 "the same roster again answers 200"
expect_json '[.households, .users, .joined, .already_members] | map(tostring) | join(" ")' "0 0 0 3" \
	"... and changes nothing: all 3 already members"
members1=$(member_count "$G2") users1=$(users_count)
check "the member count is unchanged by the second import" test "$members1" -eq $((members0 + 3))

# bad ROSTER-TEXT DESCRIPTION PROBLEM...: a roster refused with 400, naming
# each problem, changing nothing.
bad_roster() {
	local text=$1 desc=$2
	shift 2
	printf '%b' "$text" >"$T/bad.csv"
	roster "$OWN2" "$G2" "$T/bad.csv"
	expect_error 400 invalid - "$desc: 400"
	if [ $# -gt 0 ]; then expect_problems "$desc: error.problems names it" "$@"
	else expect_problems "$desc: error.problems is empty"; fi
	check "$desc: nothing changed (members $members1, accounts $users1)" \
		test "$(member_count "$G2")" -eq "$members1" -a "$(users_count)" -eq "$users1"
}
H='姓名,手机号,住址\n'
bad_roster "${H}赵三,13820000011,三组1号\n钱四,1382000001,三组2号\n" "a bad phone on line 3" \
	'^line 3: .*mobile number'
bad_roster '姓名,手机号\n赵三,13820000011\n' "a missing column (住址)" \
	'^line 1: the header has no column 住址 \(address\)$'
bad_roster "${H}赵三,13820000011,三组1号\n,13820000012,三组2号\n" "an empty name on line 3" \
	'^line 3: .*name'
bad_roster "姓名,手机号,住址,身份证号\n赵三,13820000011,三组1号,$BADID\n" \
	"an ID number with a wrong check digit on line 2" '^line 2: .*check digit'
bad_roster "${H}赵三,13820000011,三组1号\n钱四,1382000001,三组2号\n孙五,13820000013,\n李六,13820000014,三组4号\n" \
	"two bad lines among good ones" '^line 3: .*mobile number' '^line 4: .*address'
bad_roster "${H}赵三,13820000011\n" "a line with fewer fields than the header" \
	'^line 2: this line has fewer fields than the header$'
bad_roster "${H}" "a header and no households" # (no problem line: the roster is just empty)
# not UTF-8 (GBK, as an old Excel saves it)
printf '%s\n\xd5\xd4\xc8\xfd,13820000011,abc\n' '姓名,手机号,住址' >"$T/gbk.csv"
roster "$OWN2" "$G2" "$T/gbk.csv"
expect_error 400 invalid - "a roster that is not UTF-8 (GBK) is refused with 400" "UTF-8"
check "a roster that is not UTF-8: nothing changed" \
	test "$(member_count "$G2")" -eq "$members1" -a "$(users_count)" -eq "$users1"
printf '%s\n%s\n' '姓名,手机号,住址' '赵三,13820000011,三组1号' >"$T/good.csv"
roster "$OWN2" "$G2" "$T/good.csv" application/json
expect_error 415 unsupported_media_type - "a roster sent as application/json is refused (415)"
roster "$OWN2" "$G2" "$T/good.csv" text/plain
expect_error 415 unsupported_media_type - "a roster sent as text/plain is refused (415)"
check "a roster of the wrong content type: nothing changed" \
	test "$(member_count "$G2")" -eq "$members1" -a "$(users_count)" -eq "$users1"
roster "$RES" "$G1" "$T/good.csv"
expect_error 403 forbidden - "a resident may not import a roster (403)"
roster "$OWN" "$G2" "$T/good.csv"
expect_error 404 not_found - "another village's admin may not import into the group (404)"
roster "$CSUP" "$G2" "$T/good.csv"
expect_error 403 forbidden - "the county supervisor may not import a roster (403)"
check "refused imports: nothing changed" \
	test "$(member_count "$G2")" -eq "$members1" -a "$(users_count)" -eq "$users1"
# an ID number taken (by 张小一, or twice in the file): the line is named,
# and the new households before it are not kept either. The one-statement
# write of the new persons meets the conflict and gives way to the
# line-by-line one (bianmin_roster_fallbacks_total, a warning in the log).
fallbacks() {
	req GET /metrics
	awk '$1 == "bianmin_roster_fallbacks_total" { print $2 }' "$T/body"
}
fb0=$(fallbacks)
ID2=$(id18 41162319900202224)
printf '%s\n%s\n%s\n' '姓名,手机号,住址,身份证号' '周一,13820000031,五组1号,' "冒名者,13820000032,五组2号,$ID1" >"$T/taken.csv"
roster "$OWN2" "$G2" "$T/taken.csv"
expect_error 409 conflict id_number "a roster naming an ID number registered to another phone is refused (409)" \
	"line 3: this ID number is already registered"
expect_problems "... error.problems names line 3" '^line 3: this ID number is already registered$'
printf '%s\n%s\n%s\n%s\n' '姓名,手机号,住址,身份证号' "周一,13820000031,五组1号,$ID2" '吴二,13820000032,五组2号,' "郑三,13820000033,五组3号,$ID2" >"$T/twice.csv"
roster "$OWN2" "$G2" "$T/twice.csv"
expect_error 409 conflict id_number "a roster naming one ID number on two new lines is refused (409)" \
	"line 4: this ID number is already registered"
expect_problems "... error.problems names line 4" '^line 4: this ID number is already registered$'
check "ID numbers taken: nothing changed" \
	test "$(member_count "$G2")" -eq "$members1" -a "$(users_count)" -eq "$users1"
check "... each found by the one-statement write, then named line by line" \
	test "$(fallbacks)" -eq $((fb0 + 2))
check "... which the log says with the constraint" \
	grep -q 'event=store.roster_fallback .*code=conflict constraint="[^"]*id_number' "$T/serve.log"
check "... and no ID number or phone in the log" \
	sh -c '! grep -q -F -e "$1" -e "$2" -e 1382000003 "$3"' - "$ID1" "$ID2" "$T/serve.log"
# a phone on two lines: one account and household, and a member once
printf '%s\n%s\n%s\n%s\n' '姓名,手机号,住址' '周一,13820000031,五组1号' '吴二,13820000032,五组2号' '周一,13820000031,五组1号' >"$T/repeat.csv"
roster "$OWN2" "$G2" "$T/repeat.csv"
expect_status 200 "a roster with a phone on two lines is imported"
expect_json '[.households, .users, .joined, .already_members] | map(tostring) | join(" ")' "2 2 2 1" \
	"... as 2 new households and accounts, 2 joined, the repeated line already a member"
check "2 members and 2 accounts more" \
	test "$(member_count "$G2")" -eq $((members1 + 2)) -a "$(users_count)" -eq $((users1 + 2))
check "... written by the one-statement write" test "$(fallbacks)" -eq $((fb0 + 2))
as "$OWN2" GET "/api/v1/groups/$G2/members?limit=500"
expect_json '[.members[] | select(.name == "周一" or .name == "吴二") | .role + "/" + .state] | join(",")' \
	"resident/active,resident/active" "... both active residents"

# --- members ---------------------------------------------------------------------
not_full_phone() { ! grep -qE '1[3-9][0-9]{9}' "$T/body"; }
n=$(member_count "$G1")
as "$RES" GET "/api/v1/groups/$G1/members"
expect_status 200 "a resident lists the members of their group"
expect_json '.members | length' "$n" "every active member is listed ($n)"
as "$RES" GET "/api/v1/groups/$G1/members"
expect_json '[.members[].phone | test("^1[0-9]{2}[*]{4}[0-9]{4}$")] | all' true \
	"every phone is masked (199****0002)"
check "no full phone number appears in the list" not_full_phone
as "$RES" GET "/api/v1/groups/$G1/members"
expect_json "[.members[] | select(.user == $OWN_ID) | .role, .role_name, .function] | join(\" \")" \
	"owner 群主 村党支部书记" "the owner is listed with role, Chinese role name and function"
as "$CSUP" GET "/api/v1/groups/$G1/members"
expect_status 200 "the county supervisor lists the members"
as "$OWN2" GET "/api/v1/groups/$G1/members"
expect_error 404 not_found - "another village's admin gets 404 on the members"
as "$OWN" GET "/api/v1/groups/$G1/members?state=gone"
expect_error 400 invalid state "an unknown state is refused naming state"

as "$OWN" PUT "/api/v1/groups/$G1/members/$P1_ID" '{"role":"admin","function":"水电工"}'
expect_status 200 "the owner makes a member an admin with a function"
expect_json '[.role, .role_name, .function, .state] | join(" ")' "admin 管理员 水电工 active" \
	"the member is now admin (管理员), 水电工"
as "$OWN" PUT "/api/v1/groups/$G1/members/$P1_ID" '{"role":"chief"}'
expect_error 400 invalid role "an unknown role is refused naming role"
as "$OWN" PUT "/api/v1/groups/$G1/members/987654321" '{"role":"resident"}'
expect_error 400 invalid user "a user who does not exist is refused naming user"
as "$OWN" PUT "/api/v1/groups/$G1/members/$P1_ID" '{"role":"admin","function":"一二三四五六七八九十一二三四五六七八九十一"}'
expect_error 400 invalid function "a function of 21 characters is refused naming function"
as "$RES" PUT "/api/v1/groups/$G1/members/$P2_ID" '{"role":"admin"}'
expect_error 403 forbidden - "a resident may not change roles (403)"
as "$OWN2" PUT "/api/v1/groups/$G1/members/$P2_ID" '{"role":"admin"}'
expect_error 404 not_found - "another village's admin gets 404 changing roles"
as "$CSUP" PUT "/api/v1/groups/$G1/members/$P2_ID" '{"role":"admin"}'
expect_error 403 forbidden - "the county supervisor sees but may not manage (403)"
as "$TSUP" DELETE "/api/v1/groups/$G1/members/$P2_ID"
expect_error 403 forbidden - "the town supervisor may not remove members (403)"
as "$RES" DELETE "/api/v1/groups/$G1/members/$P2_ID"
expect_error 403 forbidden - "a resident may not remove another member (403)"
as "$OWN" PUT "/api/v1/groups/$G1/members/$OWN2_ID" '{"role":"resident"}'
expect_error 400 invalid user "a person of another village cannot be added naming user"
as "$OWN" PUT "/api/v1/groups/$G1/members/$TSUP_ID" '{"role":"key_person","function":"包村干部"}'
expect_status 200 "a person of the town above (the town supervisor) is added as a key person"
expect_json '[.role, .role_name, .function] | join(" ")' "key_person 关键人员 包村干部" \
	"as 关键人员, 包村干部"
# who the owner is, an admin does not decide
as "$P1" PUT "/api/v1/groups/$G1/members/$OWN_ID" '{"role":"admin"}'
expect_error 403 forbidden - "an admin may not demote the owner (403)"
as "$P1" DELETE "/api/v1/groups/$G1/members/$OWN_ID"
expect_error 403 forbidden - "an admin may not remove the owner (403)"
as "$P1" PUT "/api/v1/groups/$G1/members/$P1_ID" '{"role":"owner"}'
expect_error 403 forbidden - "an admin may not make themselves owner (403)"
as "$RES" GET "/api/v1/groups/$G1/members"
expect_json "[.members[] | select(.role == \"owner\") | .user] | map(tostring) | join(\",\")" "$OWN_ID" \
	"the owner is still the owner"
as "$P1" PUT "/api/v1/groups/$G1/members/$P3_ID" '{"role":"resident"}'
expect_status 200 "the new admin adds a person as a resident"
as "$P3" GET "/api/v1/groups/$G1"
expect_status 200 "who now sees the group"

before=$(member_count "$G1")
as "$OWN" DELETE "/api/v1/groups/$G1/members/$P3_ID"
expect_status 200 "the owner removes a member"
expect_json .state left "their membership is left"
check "the group has one member less" test "$(member_count "$G1")" -eq $((before - 1))
as "$P3" GET "/api/v1/groups/$G1"
expect_error 404 not_found - "the removed person no longer sees the group (404)"
as "$OWN" GET "/api/v1/groups/$G1/members?state=left"
expect_json "[.members[] | select(.user == $P3_ID) | .state] | join(\"\")" left \
	"the removal is kept (state=left lists them)"
as "$P2" DELETE "/api/v1/groups/$G1/members/$P2_ID"
expect_status 200 "a member leaves the group themselves"
expect_json .state left "their membership is left"
as "$P2" GET "/api/v1/groups/$G1"
expect_error 404 not_found - "and they no longer see it"
check "the group has two members less" test "$(member_count "$G1")" -eq $((before - 2))
as "$P2" POST "/api/v1/join/$CODE"
expect_json .membership.state active "someone who left may join again by the link"

# --- duty ---------------------------------------------------------------------------
# duty TOKEN AT: GET the duty of G1 at a time (RFC 3339, +08:00).
duty() { as "$1" GET "/api/v1/groups/$G1/duty?at=$(jq -rn --arg a "$2" '$a | @uri')"; }
# expect_duty IN_HOURS NOW_DAY NOW_USER SOURCE NEXT_DAY NEXT_USER DESCRIPTION
expect_duty() {
	expect_json '[.in_duty_hours, .now.day, (.now.user.id // "none"), .now.source, .next.day,
		(.next.user.id // "none")] | map(tostring) | join(" ")' "$1 $2 $3 $4 $5 $6" "$7"
}
# 2026-11-29 is a Sunday. The demo owner ($OWN_ID) is on duty every day;
# P1 ($P1_ID, an admin since above) takes Mondays.
as "$OWN" GET "/api/v1/groups/$G1/duty/rota"
expect_status 200 "the owner reads the rota"
expect_json '.weekdays | map(tostring) | join(",")' "$(printf "$OWN_ID%.0s," 1 2 3 4 5 6 7 | sed 's/,$//')" \
	"the demo rota puts the owner on every day"
ROTA="[$P1_ID,$OWN_ID,$OWN_ID,$OWN_ID,$OWN_ID,null,$OWN_ID]"
as "$OWN" PUT "/api/v1/groups/$G1/duty/rota" "{\"weekdays\":$ROTA}"
expect_status 200 "the owner sets the rota: P1 on Monday, nobody on Saturday, the owner otherwise"
expect_json '.weekdays | map(tostring) | join(",")' "$P1_ID,$OWN_ID,$OWN_ID,$OWN_ID,$OWN_ID,null,$OWN_ID" \
	"the rota answered is the one set"
as "$RES" GET "/api/v1/groups/$G1/duty/rota"
expect_json '.weekdays[0]' "$P1_ID" "a resident reads the same rota"

duty "$RES" 2026-11-30T09:00:00+08:00
expect_status 200 "a resident asks who is on duty on Monday 09:00"
expect_duty true 2026-11-30 "$P1_ID" rota 2026-12-01 "$OWN_ID" \
	"Monday 09:00: in duty hours, Monday's person (P1) now, Tuesday's next"
expect_json '[.now.from, .now.until, .at] | join(" ")' \
	"2026-11-30T00:00:00Z 2026-11-30T12:00:00Z 2026-11-30T01:00:00Z" \
	"duty hours 08:00-20:00 China time are 00:00-12:00 UTC"
expect_json .now.user.name 入群甲 "the person on duty is named"
duty "$RES" 2026-11-30T21:30:00+08:00
expect_duty false 2026-12-01 "$OWN_ID" rota 2026-12-02 "$OWN_ID" \
	"Monday 21:30: outside duty hours, 'now' is Tuesday's person (the next to start)"
duty "$RES" 2026-11-29T23:00:00+08:00
expect_duty false 2026-11-30 "$P1_ID" rota 2026-12-01 "$OWN_ID" \
	"Sunday 23:00: outside duty hours, Monday's person answers next"
duty "$RES" 2026-11-29T15:00:00Z
expect_duty false 2026-11-30 "$P1_ID" rota 2026-12-01 "$OWN_ID" \
	"the same instant in UTC (15:00Z) gives the same answer: the day is China's"
duty "$RES" 2026-11-30T07:59:00+08:00
expect_duty false 2026-11-30 "$P1_ID" rota 2026-12-01 "$OWN_ID" \
	"Monday 07:59: before duty hours, the day's own person is next"
duty "$RES" 2026-11-30T08:00:00+08:00
expect_json .in_duty_hours true "Monday 08:00 is in duty hours (start included)"
duty "$RES" 2026-11-30T20:00:00+08:00
expect_duty false 2026-12-01 "$OWN_ID" rota 2026-12-02 "$OWN_ID" "Monday 20:00 is after duty hours (end excluded)"
duty "$RES" 2026-12-04T21:00:00+08:00
expect_duty false 2026-12-05 "$OWN_ID" stand-in 2026-12-06 "$OWN_ID" \
	"Friday 21:00: nobody is on the rota on Saturday, so Sunday's person stands in"
duty "$RES" 2026-11-30T09:00
expect_error 400 invalid at "a time without a zone is refused naming at"
as "$RES" GET "/api/v1/groups/$G1/duty"
expect_status 200 "without at, the duty of now is answered"
as "$OWN2" GET "/api/v1/groups/$G2/duty?at=2026-11-30T09%3A00%3A00%2B08%3A00"
expect_json '[.in_duty_hours, .now.user, .now.source, .next.user] | map(tostring) | join(" ")' \
	"true null none null" "a group without a rota: nobody on duty (user null, source none)"
as "$OWN2" GET "/api/v1/groups/$G1/duty"
expect_error 404 not_found - "another village's admin gets 404 on the duty"

as "$OWN" PUT "/api/v1/groups/$G1/duty/rota" "{\"weekdays\":[$RES_ID,null,null,null,null,null,null]}"
expect_error 400 invalid weekdays "a rota naming a resident (no owner or admin) is refused naming weekdays"
as "$OWN" PUT "/api/v1/groups/$G1/duty/rota" "{\"weekdays\":[$OWN2_ID,null,null,null,null,null,null]}"
expect_error 400 invalid weekdays "a rota naming someone of another group is refused naming weekdays"
as "$OWN" PUT "/api/v1/groups/$G1/duty/rota" "{\"weekdays\":[$OWN_ID,null,null,null,null,null]}"
expect_error 400 invalid weekdays "a rota of 6 days is refused naming weekdays"
as "$OWN" PUT "/api/v1/groups/$G1/duty/rota" '{"weekdays":["a",null,null,null,null,null,null]}'
expect_error 400 invalid weekdays "a rota with a string is refused naming weekdays"
as "$RES" PUT "/api/v1/groups/$G1/duty/rota" "{\"weekdays\":$ROTA}"
expect_error 403 forbidden - "a resident may not set the rota (403)"
as "$CSUP" PUT "/api/v1/groups/$G1/duty/rota" "{\"weekdays\":$ROTA}"
expect_error 403 forbidden - "the county supervisor may not set the rota (403)"
as "$RES" GET "/api/v1/groups/$G1/duty/rota"
expect_json '.weekdays | map(tostring) | join(",")' "$P1_ID,$OWN_ID,$OWN_ID,$OWN_ID,$OWN_ID,null,$OWN_ID" \
	"refused changes left the rota as it was"

# one-day overrides
as "$OWN" PUT "/api/v1/groups/$G1/duty/days/2026-11-30" "{\"user\":$OWN_ID,\"reason\":\"P1 外出培训\"}"
expect_status 200 "the owner takes Monday 2026-11-30 instead of the rota"
duty "$RES" 2026-11-30T09:00:00+08:00
expect_duty true 2026-11-30 "$OWN_ID" override 2026-12-01 "$OWN_ID" "Monday 09:00 is now the owner's (source override)"
duty "$RES" 2026-11-29T23:00:00+08:00
expect_json '[.now.user.id, .now.source] | map(tostring) | join(" ")' "$OWN_ID override" \
	"Sunday 23:00 also points to the override of Monday"
as "$OWN" GET "/api/v1/groups/$G1/duty/rota"
expect_json '[.overrides[] | "\(.day) \(.user) \(.reason)"] | join(",")' "2026-11-30 $OWN_ID P1 外出培训" \
	"the rota lists the override with its reason"
as "$OWN" PUT "/api/v1/groups/$G1/duty/days/2026-12-01" "{\"user\":$RES_ID}"
expect_error 400 invalid user "an override naming a resident is refused naming user"
as "$OWN" PUT "/api/v1/groups/$G1/duty/days/2026-13-01" "{\"user\":$OWN_ID}"
expect_error 400 invalid day "an override of no real day is refused naming day"
as "$RES" PUT "/api/v1/groups/$G1/duty/days/2026-12-01" "{\"user\":$OWN_ID}"
expect_error 403 forbidden - "a resident may not put anyone on duty (403)"
as "$OWN" DELETE "/api/v1/groups/$G1/duty/days/2026-11-30"
expect_status 200 "the owner gives Monday back to the rota"
duty "$RES" 2026-11-30T09:00:00+08:00
expect_duty true 2026-11-30 "$P1_ID" rota 2026-12-01 "$OWN_ID" "Monday is P1's again (source rota)"

# leave: the next person of the rota stands in
as "$OWN" POST "/api/v1/groups/$G1/duty/leave" "{\"user\":$P1_ID,\"from\":\"2026-11-30\",\"to\":\"2026-12-01\",\"reason\":\"病假\"}"
expect_status 201 "the owner records P1's leave on Monday and Tuesday"
LEAVE=$(json .id)
expect_json '[.user, .from, .to] | map(tostring) | join(" ")' "$P1_ID 2026-11-30 2026-12-01" \
	"the leave is answered with its person and days"
duty "$RES" 2026-11-30T09:00:00+08:00
expect_duty true 2026-11-30 "$OWN_ID" stand-in 2026-12-01 "$OWN_ID" \
	"Monday 09:00 with P1 on leave: the next of the rota (the owner) stands in"
as "$OWN" GET "/api/v1/groups/$G1/duty/rota"
expect_json "[.leave[] | select(.id == $LEAVE) | .reason] | join(\"\")" 病假 "the rota lists the leave"
as "$OWN" POST "/api/v1/groups/$G1/duty/leave" "{\"user\":$P1_ID,\"from\":\"2026-12-02\",\"to\":\"2026-12-01\"}"
expect_error 400 invalid to "leave ending before it starts is refused naming to"
as "$OWN" POST "/api/v1/groups/$G1/duty/leave" "{\"user\":$P1_ID,\"from\":\"2026-12-32\",\"to\":\"2026-12-01\"}"
expect_error 400 invalid from "leave from no real day is refused naming from"
as "$OWN" POST "/api/v1/groups/$G1/duty/leave" "{\"user\":$RES_ID,\"from\":\"2026-12-01\",\"to\":\"2026-12-01\"}"
expect_error 400 invalid user "leave for a resident (not on duty) is refused naming user"
as "$RES" POST "/api/v1/groups/$G1/duty/leave" "{\"user\":$P1_ID,\"from\":\"2026-12-01\",\"to\":\"2026-12-01\"}"
expect_error 403 forbidden - "a resident may not record leave (403)"
as "$RES" DELETE "/api/v1/groups/$G1/duty/leave/$LEAVE"
expect_error 403 forbidden - "a resident may not withdraw leave (403)"
as "$OWN2" DELETE "/api/v1/groups/$G2/duty/leave/$LEAVE"
expect_error 404 not_found - "leave of one group cannot be withdrawn through another (404)"
as "$OWN" DELETE "/api/v1/groups/$G1/duty/leave/$LEAVE"
expect_status 200 "the owner withdraws the leave"
as "$OWN" DELETE "/api/v1/groups/$G1/duty/leave/$LEAVE"
expect_error 404 not_found - "withdrawing it again is 404"
duty "$RES" 2026-11-30T09:00:00+08:00
expect_duty true 2026-11-30 "$P1_ID" rota 2026-12-01 "$OWN_ID" "without the leave Monday is P1's again"

# duty hours
as "$OWN" PATCH "/api/v1/groups/$G1" '{"duty_start":"08:30","duty_end":"17:30"}'
expect_status 200 "the owner sets duty hours 08:30-17:30"
expect_json '[.duty_hours.start, .duty_hours.end] | join("-")' "08:30-17:30" "the group answers its new duty hours"
duty "$RES" 2026-11-30T08:15:00+08:00
expect_duty false 2026-11-30 "$P1_ID" rota 2026-12-01 "$OWN_ID" "Monday 08:15 is now before duty hours"
duty "$RES" 2026-11-30T17:45:00+08:00
expect_duty false 2026-12-01 "$OWN_ID" rota 2026-12-02 "$OWN_ID" "Monday 17:45 is now after duty hours: Tuesday's person"
expect_json .now.from 2026-12-01T00:30:00Z "Tuesday's duty starts at 08:30 China time"
for bad in 25:00 8:00 08:60 0800 08-00 "" 24:01; do
	as "$OWN" PATCH "/api/v1/groups/$G1" "{\"duty_start\":\"$bad\"}"
	expect_error 400 invalid duty_start "duty_start '$bad' is refused naming duty_start"
done
as "$OWN" PATCH "/api/v1/groups/$G1" '{"duty_start":8}'
expect_error 400 invalid duty_start "duty_start as a number is refused naming duty_start"
as "$OWN" PATCH "/api/v1/groups/$G1" '{"duty_start":"20:00","duty_end":"08:00"}'
expect_error 400 invalid duty_hours "duty hours that end before they start are refused (400)"
as "$OWN" PATCH "/api/v1/groups/$G1" '{"duty_start":"17:30"}'
expect_error 400 invalid duty_hours "duty hours that end when they start are refused (400)"
as "$RES" PATCH "/api/v1/groups/$G1" '{"duty_start":"08:00"}'
expect_error 403 forbidden - "a resident may not change duty hours (403)"
as "$CSUP" PATCH "/api/v1/groups/$G1" '{"duty_start":"08:00"}'
expect_error 403 forbidden - "the county supervisor may not change duty hours (403)"
as "$RES" GET "/api/v1/groups/$G1"
expect_json '[.duty_hours.start, .duty_hours.end, .name] | join(" ")' "08:30 17:30 武台村" \
	"refused changes left the group as it was"
as "$OWN" PATCH "/api/v1/groups/$G1" '{"duty_start":"08:00","duty_end":"24:00"}'
expect_status 200 "duty hours may end at 24:00"
duty "$RES" 2026-11-30T23:59:00+08:00
expect_duty true 2026-11-30 "$P1_ID" rota 2026-12-01 "$OWN_ID" "Monday 23:59 is then in duty hours"
# someone on the rota who leaves the group is no longer on duty
as "$OWN" PUT "/api/v1/groups/$G1/duty/days/2026-12-01" "{\"user\":$P1_ID}"
expect_status 200 "the owner puts P1 on duty on Tuesday too"
duty "$RES" 2026-12-01T09:00:00+08:00
expect_json '[.now.user.id, .now.source] | map(tostring) | join(" ")' "$P1_ID override" "Tuesday is P1's (override)"
as "$OWN" DELETE "/api/v1/groups/$G1/members/$P1_ID"
expect_status 200 "the owner removes P1, Monday's person of the rota"
duty "$RES" 2026-11-30T09:00:00+08:00
expect_json '[.now.user.id, .now.source] | map(tostring) | join(" ")' "$OWN_ID stand-in" \
	"Monday 09:00 then names the next of the rota (the owner), not the person who left"
duty "$RES" 2026-12-01T09:00:00+08:00
expect_json '[.now.user.id, .now.source] | map(tostring) | join(" ")' "$OWN_ID rota" \
	"Tuesday's override of the person who left falls back to the rota"

# a time of day is two digits, a colon and two digits: no sign, no blank
for bad in +8:00 " 8:00" 08:+5 -0:30; do
	as "$OWN" PATCH "/api/v1/groups/$G1" "{\"duty_start\":\"$bad\"}"
	expect_error 400 invalid duty_start "duty_start '$bad' is refused naming duty_start"
done

finish
