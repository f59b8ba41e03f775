#!/usr/bin/env bash
# t1010: the talk in service groups (全程公开、信息留痕).
#
# Posting (replies, mentions, size limits, who may write); hiding by the
# group's managers with a reason (residents see that it was hidden, managers
# and supervisors see the text, the reason and the history); policy
# broadcasts from a town group to every village group below it; the live
# stream of a group (Server-Sent Events): new messages, resuming with
# Last-Event-ID without gaps, changes without their text, and the stream
# ending when its person leaves the group or signs out; idempotent bulk
# ingest by a bridge's API key, stored at once or queued (Prefer:
# respond-async: 202, stored soon after by the server's loader, one key
# space for both); search in one's own groups and scope
# (Chinese of one and two characters; hidden and recalled messages are not
# found); images (type, size, who may fetch them); recalling within two
# minutes, tested on the daemon's clock moved forward (BIANMIN_CLOCK_OFFSET).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"
. "$(dirname "$0")/groups.sh"

FILES=$T/files
bm init --demo >"$T/init.out" 2>&1
check "setup: init --demo makes the demo county's groups" test $? -eq 0
bm apikey add bridge --role bridge --region $TOWN >"$T/key.out" 2>&1
BRIDGE=$(grep -E '^bmk_' "$T/key.out")
check "setup: a bridge's API key for town $TOWN (apikey add --role bridge)" test -n "$BRIDGE"
bm apikey add bridge2 --role bridge --region 990101001 >"$T/key3.out" 2>&1
BRIDGE2=$(grep -E '^bmk_' "$T/key3.out")
check "setup: another bridge's API key, for town 990101001" test -n "$BRIDGE2"
bm apikey add cadre --role village_admin --region $V1 >"$T/key2.out" 2>&1
CADRE_KEY=$(grep -E '^bmk_' "$T/key2.out")
check "setup: a village_admin API key of $V1" test -n "$CADRE_KEY"
start_server --data-dir "$FILES" || { fail "server starts"; finish; exit 1; }
signin_demo || { finish; exit 1; }
G1=$(group_of $V1) G2=$(group_of $V2) GT=$(group_of $TOWN town) GO=$(group_of $OTHER_VILLAGE)
check "setup: the groups of $V1, $V2, town $TOWN and $OTHER_VILLAGE" \
	test -n "$G1" -a -n "$G2" -a -n "$GT" -a -n "$GO"

# not_in_changes NAME: no message.changed event of stream NAME carries the
# texts written while it was disconnected.
not_in_changes() {
	! stream_events "$1" | awk -F'\t' '$2 == "message.changed"' | grep -qE '断线期间一|断线期间二'
}

# post TOKEN GROUP JSON: POST a message; its id in MID.
post() {
	as "$1" POST "/api/v1/groups/$2/messages" "$3"
	MID=$(json '.id // empty')
}
# text JSON-STRING: a message body of that text.
text() { jq -nc --arg t "$1" '{text: $t}'; }
# chars N CHAR: N times CHAR.
chars() { local s; printf -v s '%*s' "$1" ''; echo "${s// /$2}"; }

# --- posting ------------------------------------------------------------------------
post "$RES" "$G1" "$(text '村口路灯坏了，晚上看不见路')"
expect_status 201 "a resident posts in their village group (201)"
expect_json '[.group, .author.id, .author.name != "", .kind, .state, .source, .text] | map(tostring) | join(" ")' \
	"$G1 $RES_ID true text visible app 村口路灯坏了，晚上看不见路" \
	"the message answers its group, author, kind text, state visible, source app and text"
M1=$MID
post "$OWN" "$G1" "{\"text\":\"收到，明天安排电工\",\"reply_to\":$M1,\"mentions\":[$RES_ID,$DOC_ID]}"
expect_status 201 "the owner replies, mentioning two members"
expect_json '[.reply_to, (.mentions | map(tostring) | join(","))] | map(tostring) | join(" ")' \
	"$M1 $RES_ID,$DOC_ID" "the reply names the message replied to and the mentions"
post "$OWN2" "$G2" "$(text '二村的消息')"
M2=$MID
check "setup: a message in the group of $V2" test -n "$M2"
post "$OWN" "$G1" "{\"text\":\"回复别的群\",\"reply_to\":$M2}"
expect_error 400 invalid reply_to "a reply to a message of another group is refused naming reply_to"
post "$OWN" "$G1" '{"text":"回复不存在的消息","reply_to":987654321}'
expect_error 400 invalid reply_to "a reply to a message that does not exist is refused naming reply_to"
post "$OWN" "$G1" "{\"text\":\"提醒\",\"mentions\":[$OWN2_ID]}"
expect_error 400 invalid mentions "mentioning someone who is not a member is refused naming mentions"
post "$OWN" "$G1" "{\"text\":\"提醒\",\"mentions\":[$RES_ID,987654321]}"
expect_error 400 invalid mentions "mentioning a user who does not exist is refused naming mentions"
post "$OWN" "$G1" "{\"text\":\"提醒\",\"mentions\":\"$RES_ID\"}"
expect_error 400 invalid mentions "mentions that are not a list are refused naming mentions"
n=$(msg_total "$G1")
post "$RES" "$G1" "$(text "$(chars 2000 水)")"
expect_status 201 "a message of 2,000 Chinese characters is taken"
post "$RES" "$G1" "$(text "$(chars 2000 😀)")"
expect_status 201 "a message of 2,000 emoji (4 bytes each) is taken"
post "$RES" "$G1" "$(text "$(chars 2001 水)")"
expect_error 413 too_large text "a message of 2,001 characters is refused with 413 naming text"
post "$RES" "$G1" "$(text "$(chars 2001 a)")"
expect_error 413 too_large text "2,001 ASCII characters too (413)"
post "$RES" "$G1" '{"text":""}'
expect_error 400 invalid text "an empty text is refused naming text"
post "$RES" "$G1" '{}'
expect_error 400 invalid text "a message with neither text nor image is refused naming text"
post "$RES" "$G1" "$(text $'响铃\a')"
expect_error 400 invalid text "a text with a control character is refused naming text"
post "$OWN2" "$G1" "$(text '我不是这个群的')"
expect_error 404 not_found - "another village's admin cannot post in the group: it does not exist for them (404)"
post "$CSUP" "$G1" "$(text '县里督导')"
expect_error 403 forbidden - "the county supervisor sees the group but is no member: 403"
post "$ADM" "$G1" "$(text '系统管理员')"
expect_error 403 forbidden - "the system admin manages the group but is no member: 403"
post "$CADRE_KEY" "$G1" "$(text '机器')"
expect_error 403 forbidden - "an API key (no person) cannot post: 403"
check "refused posts stored nothing ($n + the 2 taken)" test "$(msg_total "$G1")" -eq $((n + 2))

as "$RES" GET "/api/v1/groups/$G1/messages?limit=2"
expect_status 200 "a member reads the talk of the group"
expect_json '.messages | length' 2 "limit=2 gives 2 messages"
expect_json '.messages[0].id > .messages[1].id' true "newest first"
expect_json '.next_before != null' true "and says where the page before starts"
as "$RES" GET "/api/v1/groups/$G1/messages?after=$M1"
expect_json "[.messages[].id] | length > 0 and all(. > $M1)" true \
	"?after= gives the messages after one, without it"
as "$OWN2" GET "/api/v1/groups/$G1/messages"
expect_error 404 not_found - "another village's admin gets 404 on the talk"
as "$RES" GET "/api/v1/messages/$M2"
expect_error 404 not_found - "a message of another village's group is 404 to a resident"
as "$CSUP" GET "/api/v1/messages/$M2"
expect_status 200 "the county supervisor reads a message of any village of the county"

# --- hiding, with a reason and a history ---------------------------------------------
post "$RES" "$G1" "$(text '张三家电话13812345678，欠钱不还')"
MH=$MID
as "$RES" POST "/api/v1/messages/$MH/hide" '{"reason":"含个人信息"}'
expect_error 403 forbidden - "a resident may not hide a message (403)"
as "$CSUP" POST "/api/v1/messages/$MH/hide" '{"reason":"含个人信息"}'
expect_error 403 forbidden - "the county supervisor may not hide a message (403)"
as "$OWN2" POST "/api/v1/messages/$MH/hide" '{"reason":"含个人信息"}'
expect_error 404 not_found - "another village's admin finds no such message (404)"
as "$OWN" POST "/api/v1/messages/$MH/hide" '{}'
expect_error 400 invalid reason "hiding without a reason is refused naming reason"
as "$OWN" POST "/api/v1/messages/$MH/hide" "$(jq -nc --arg r "$(chars 101 因)" '{reason: $r}')"
expect_error 400 invalid reason "a reason of 101 characters is refused naming reason"
as "$OWN" POST "/api/v1/messages/$MH/hide" '{"reason":"含个人信息"}'
expect_status 200 "the owner hides the message with a reason"
expect_json '[.state, .reason, .text] | join(" ")' "hidden 含个人信息 张三家电话13812345678，欠钱不还" \
	"the owner's answer keeps the text and the reason"
as "$OWN" POST "/api/v1/messages/$MH/hide" '{"reason":"再藏一次"}'
expect_error 409 conflict - "hiding it again is a conflict (409)"
as "$RES" GET "/api/v1/messages/$MH"
expect_status 200 "a resident still finds the hidden message"
expect_json '[.state, (.text | tostring), .notice, has("reason")] | map(tostring) | join(" ")' \
	"hidden null 该消息已被管理员隐藏 false" \
	"... as state hidden, text null, a notice and no reason"
check "... and its text is nowhere in the answer" not_grep_body 13812345678
as "$RES" GET "/api/v1/groups/$G1/messages?limit=200"
expect_json "[.messages[] | select(.id == $MH) | [.state, (.text | tostring)] | join(\" \")] | join(\"\")" \
	"hidden null" "the talk as a resident shows it hidden, without its text"
for who in OWN CSUP TSUP; do
	as "${!who}" GET "/api/v1/messages/$MH"
	expect_json '[.state, .text, .reason] | join(" ")' "hidden 张三家电话13812345678，欠钱不还 含个人信息" \
		"$who (manager or supervisor) sees the hidden text and the reason"
done
as "$CSUP" GET "/api/v1/groups/$G1/messages?limit=200"
expect_json "[.messages[] | select(.id == $MH) | .reason] | join(\"\")" 含个人信息 \
	"the talk as the county supervisor shows the reason"

as "$CSUP" GET "/api/v1/messages/$MH/history"
expect_status 200 "the county supervisor reads the message's history"
expect_json '[.history[] | select(.action == "message.hide") | .summary] | join("")' "hidden: 含个人信息" \
	"the history records the hiding and its reason"
expect_json "[.history[] | select(.action == \"message.hide\") | .actor] | length" 1 "once, naming who did it"
expect_json '.message.text' "张三家电话13812345678，欠钱不还" "with the message as it was written"
as "$OWN" GET "/api/v1/messages/$MH/history"
expect_status 200 "the owner reads the history"
as "$TSUP" GET "/api/v1/messages/$MH/history"
expect_status 200 "the town supervisor reads the history"
as "$RES" GET "/api/v1/messages/$MH/history"
expect_error 403 forbidden - "a resident may not read the history (403)"
as "$OWN2" GET "/api/v1/messages/$MH/history"
expect_error 404 not_found - "another village's admin finds no such message (404)"

# --- broadcasts -------------------------------------------------------------------------
as "$ADM" GET "/api/v1/groups?within=$TOWN&kind=village&limit=500"
VILLAGES=$(json '[.groups[].id] | sort | map(tostring) | join(",")')
NV=$(json '.groups | length')
check "setup: town $TOWN has $NV village groups" test "$NV" -gt 1
as "$ADM" POST "/api/v1/groups/$GT/broadcasts" "$(text '关于做好冬季防火工作的通知')"
expect_status 201 "the system admin broadcasts from the town group"
B1=$(json .broadcast)
expect_json '[.from_group, .groups] | map(tostring) | join(" ")' "$GT $((NV + 1))" \
	"to 1 + $NV groups: the town's own and each of its villages'"
as "$TSUP" GET "/api/v1/broadcasts/$B1"
expect_status 200 "the town supervisor reads where the broadcast went"
expect_json '[.broadcast, .from_group, .groups, (.deliveries | length)] | map(tostring) | join(" ")' \
	"$B1 $GT $((NV + 1)) $((NV + 1))" "it lists $((NV + 1)) deliveries"
expect_json "[.deliveries[].group | select(. != $GT)] | sort | map(tostring) | join(\",\")" "$VILLAGES" \
	"one for every village group of the town"
expect_json "[.deliveries[] | select(.group == $GO)] | length" 0 "none to a village of another town"
cp "$T/body" "$T/deliveries.json"
ok=0 bad=
for g in ${VILLAGES//,/ } $GT; do
	as "$ADM" GET "/api/v1/groups/$g/messages?limit=5"
	mid=$(json "[.messages[] | select(.broadcast == $B1 and .kind == \"broadcast\" and .text == \"关于做好冬季防火工作的通知\") | .id] | .[0] // empty")
	want=$(jq -r ".deliveries[] | select(.group == $g) | .message" "$T/deliveries.json")
	if [ -n "$mid" ] && [ "$mid" = "$want" ]; then ok=$((ok + 1)); else bad+=" $g"; fi
done
check "each of the $((NV + 1)) groups holds the broadcast, as the message its delivery names (missing:${bad:- none})" \
	test "$ok" -eq $((NV + 1))
as "$RES" GET "/api/v1/groups/$G1/messages?limit=5"
expect_json "[.messages[] | select(.broadcast == $B1) | .author.name] | length" 1 \
	"a resident of a village sees the broadcast in their group"
as "$ADM" GET "/api/v1/groups/$GO/messages"
expect_json "[.messages[] | select(.broadcast == $B1)] | length" 0 "a village of another town did not get it"
as "$RES" GET "/api/v1/broadcasts/$B1"
expect_error 404 not_found - "a resident cannot read the delivery list of the town's broadcast (404)"
as "$CSUP" GET "/api/v1/broadcasts/$B1"
expect_status 200 "the county supervisor reads it"
as "$ADM" GET /api/v1/broadcasts/987654321
expect_error 404 not_found - "a broadcast that does not exist is 404"

as "$ADM" PUT "/api/v1/groups/$GT/members/$TSUP_ID" '{"role":"admin","function":"镇长"}'
expect_status 200 "the town supervisor is made an admin of the town group"
as "$TSUP" POST "/api/v1/groups/$GT/broadcasts" "$(text '镇政府通知：明日召开防汛会议')"
expect_status 201 "a manager of the town group broadcasts"
expect_json .groups $((NV + 1)) "to the same $((NV + 1)) groups"
as "$OWN" POST "/api/v1/groups/$G1/broadcasts" "$(text '村里广播')"
expect_error 400 invalid - "a village group cannot broadcast (400)"
as "$CSUP" POST "/api/v1/groups/$GT/broadcasts" "$(text '督导')"
expect_error 403 forbidden - "the county supervisor may not broadcast from the town group (403)"
as "$RES" POST "/api/v1/groups/$GT/broadcasts" "$(text '居民')"
expect_error 404 not_found - "a resident finds no town group to broadcast from (404)"
as "$ADM" POST "/api/v1/groups/$GT/broadcasts" '{"text":""}'
expect_error 400 invalid text "an empty broadcast is refused naming text"
as "$ADM" POST "/api/v1/groups/$GT/broadcasts" "$(text "$(chars 2001 火)")"
expect_error 413 too_large text "a broadcast of 2,001 characters is refused (413)"

# --- the live stream of a group -----------------------------------------------------------
EV=/api/v1/groups/$G1/events
stream_open live "$EV" "$RES"
check "a member opens the group's event stream" stream_running live
check "it is text/event-stream" grep -qiE '^Content-Type: text/event-stream(;|\r?$)' "$T/live.h"
check "it names the group's topic" grep -q "^: stream of group:$G1 from event [0-9]*$" "$T/live.sse"
check "nothing is replayed without Last-Event-ID" test "$(stream_count live)" -eq 0
post "$OWN" "$G1" "$(text '直播消息一')"
LM=$MID
stream_wait live 1
check "the stream hears a 'message' event" test "$(stream_kinds live | tr '\n' ' ')" = "message "
expect_stream_json live '.[0] | [.id, .group, .text] | map(tostring) | join(" ")' "$LM $G1 直播消息一" \
	"its data is the message (id, group, text)"
L=$(stream_ids live | tail -n 1)
stream_close live

post "$DOC" "$G1" "$(text '断线期间一')"
A=$MID
post "$RES" "$G1" "$(text '断线期间二')"
B=$MID
post "$OWN" "$G1" "$(text '断线期间三')"
C=$MID
post "$OWN2" "$G2" "$(text '别的群在断线期间')"
stream_open resume "$EV" "$RES" -H "Last-Event-ID: $L"
check "the stream resumed with Last-Event-ID starts from it" \
	grep -qx ": stream of group:$G1 from event $L" "$T/resume.sse"
stream_wait resume 3
post "$OWN" "$G1" "$(text '重连后的新消息')"
D=$MID
stream_wait resume 4
expect_stream_json resume '[.[].id] | map(tostring) | join(" ")' "$A $B $C $D" \
	"resumed: exactly the 3 messages missed, in order, then the live one (none of another group)"
check "all 'message' events" test "$(stream_kinds resume | sort -u)" = message
mapfile -t ids < <(stream_ids resume)
inc=1 prev=$L
for i in "${ids[@]}"; do [ "$i" -gt "$prev" ] || inc=; prev=$i; done
check "their event ids increase after $L (${ids[*]})" test -n "$inc" -a ${#ids[@]} -eq 4

# changes: recall and hide, without the text
as "$RES" POST "/api/v1/messages/$B/recall"
expect_status 200 "the author recalls a message at once (200)"
as "$OWN" POST "/api/v1/messages/$A/hide" '{"reason":"与本群无关"}'
expect_status 200 "the owner hides another"
stream_wait resume 6
expect_stream_json resume '.[4:] | map("\(.id) \(.state)") | join(",")' "$B recalled,$A hidden" \
	"the stream hears both changes with the new state"
check "as 'message.changed' events" test "$(stream_kinds resume | tail -n 2 | sort -u)" = message.changed
expect_stream_json resume '.[4:] | map(.text == null and .image == null and (has("reason") | not)) | all' true \
	"a change carries no text, image or reason"
check "the recalled and hidden texts are not in the changes" not_in_changes resume
stream_close resume
# A stream resumed from before the changes replays them; a resident must
# not learn there what was recalled or hidden since.
stream_open replay "$EV" "$RES" -H "Last-Event-ID: $L"
stream_wait replay 6
check "a resident's stream resumed from before the changes gets them too" \
	test "$(stream_kinds replay | tail -n 2 | tr '\n' ' ')" = "message.changed message.changed "
check "... and is not given the text of the recalled or hidden message (断线期间一/二)" \
	not_grep_file "$T/replay.sse" '断线期间一|断线期间二'
stream_close replay

# a member removed from the group: their stream ends before the next message
new_person P1 "旁听者" 13830000001 || { finish; exit 1; }
as "$OWN" PUT "/api/v1/groups/$G1/members/$P1_ID" '{"role":"resident"}'
expect_status 200 "setup: a person is added to the group"
stream_open p1 "$EV" "$P1"
check "the new member's stream opens" stream_running p1
post "$OWN" "$G1" "$(text '欢迎新成员')"
stream_wait p1 1
expect_stream_json p1 '[.[].text] | join(",")' 欢迎新成员 "the member hears the next message"
as "$OWN" DELETE "/api/v1/groups/$G1/members/$P1_ID"
expect_status 200 "the owner removes the member"
post "$OWN" "$G1" "$(text '移除之后的消息')"
check "the removed member's stream ends (10 s)" poll 10 stream_ended p1
check "... without the message written after the removal" not_grep_file "$T/p1.sse" 移除之后的消息
stream_close p1
req GET "$EV" --max-time 10 -H "Authorization: Bearer $P1"
expect_error 404 not_found - "and a new stream of theirs is refused (404)"

# a signed-out session: its stream ends too
new_person P2 "退出者" 13830000002 || { finish; exit 1; }
as "$OWN" PUT "/api/v1/groups/$G1/members/$P2_ID" '{"role":"resident"}'
stream_open p2 "$EV" "$P2"
check "a member's stream opens" stream_running p2
as "$P2" POST /api/v1/auth/logout
expect_status 200 "the member signs out"
post "$OWN" "$G1" "$(text '退出之后的消息')"
check "the signed-out session's stream ends (10 s)" poll 10 stream_ended p2
check "... without the message written after signing out" not_grep_file "$T/p2.sse" 退出之后的消息
stream_close p2

# who posted a moment ago may not post once removed or signed out: the
# very next post is refused, nothing of a previous answer is reused
new_person P3 "刚离开者" 13830000093 || { finish; exit 1; }
as "$OWN" PUT "/api/v1/groups/$G1/members/$P3_ID" '{"role":"resident"}'
post "$P3" "$G1" "$(text '离开前的消息')"
expect_status 201 "a new member posts (201)"
as "$OWN" DELETE "/api/v1/groups/$G1/members/$P3_ID"
expect_status 200 "the owner removes them"
post "$P3" "$G1" "$(text '离开后的消息')"
expect_error 404 not_found - "their very next post is refused: the group is no longer theirs to see (404)"
as "$OWN" PUT "/api/v1/groups/$G1/members/$P3_ID" '{"role":"resident"}'
post "$P3" "$G1" "$(text '回来后的消息')"
expect_status 201 "added back, they post again at once (201)"
as "$P3" POST /api/v1/auth/logout
expect_status 200 "they sign out"
post "$P3" "$G1" "$(text '退出后的消息')"
expect_error 401 unauthenticated - "the signed-out session's very next post is refused (401)"
as "$OWN" GET "/api/v1/groups/$G1/messages?limit=200"
check "none of the refused posts was stored" \
	test "$(json '.messages | length > 0 and ([.[].text | select(. == "离开后的消息" or . == "退出后的消息")] | length == 0)')" = true

# posts at once from many connections: each answered 201 with its own id,
# and each stored (they wait for their shared commit without a thread each)
many=()
for i in $(seq 1 40); do
	curl -s -m 30 -o "$T/many-$i.json" -w '%{http_code}\n' -H "Authorization: Bearer $RES" \
		-H 'Content-Type: application/json' --data-binary "{\"text\":\"并发消息$i\"}" \
		"$BASE/api/v1/groups/$G1/messages" >"$T/many-$i.status" &
	many+=($!)
done
wait "${many[@]}"
check "40 posts sent at once are all answered 201" \
	test "$(cat "$T"/many-*.status | grep -c '^201$')" = 40
check "... each with an id of its own" \
	test "$(jq -r .id "$T"/many-*.json | sort -u | grep -c '^[0-9][0-9]*$')" = 40
as "$RES" GET "/api/v1/groups/$G1/messages?limit=200"
check "... and all 40 are in the group's talk" \
	test "$(json '[.messages[] | (.text // "") | select(startswith("并发消息"))] | length')" = 40
# the index follows the writer on a thread of its own: a search made right
# after the posts still finds every acknowledged one
as "$RES" GET "/api/v1/messages/search?q=$(jq -rn '"并发消息" | @uri')&limit=100"
check "a search right after the 40 posts finds all 40" \
	test "$(json '[.messages[] | select(.text | startswith("并发消息"))] | length')" = 40

# who may open a group's stream
req GET "$EV" --max-time 10 -H "Authorization: Bearer $OWN2"
expect_error 404 not_found - "another village's admin gets 404 on the group's stream"
req GET "$EV" --max-time 10 -H "Authorization: Bearer $CADRE_KEY" -H 'Last-Event-ID: x'
expect_error 400 invalid Last-Event-ID "a bad Last-Event-ID is refused naming it"
req GET "$EV" --max-time 10
expect_error 401 unauthenticated - "the anonymous get 401 on the group's stream"
stream_open sup "$EV" "$CSUP"
check "the county supervisor (sees the group) opens its stream" stream_running sup
stream_close sup

# mentions reach the person's own stream
stream_open mine /api/v1/me/events "$DOC"
post "$RES" "$G1" "{\"text\":\"请村医看看\",\"mentions\":[$DOC_ID]}"
stream_wait mine 1
check "a mention reaches the mentioned person's /me/events as 'mention'" \
	test "$(stream_kinds mine | head -n 1)" = mention
expect_stream_json mine '.[0] | [.id, .text] | map(tostring) | join(" ")' "$MID 请村医看看" \
	"with the message"
stream_close mine

# --- bulk ingest by a bridge ------------------------------------------------------------------
# ingest TOKEN JSON
ingest() { as "$1" POST /api/v1/ingest/messages "$2"; }
n1=$(msg_total "$G1") n2=$(msg_total "$G2") no=$(msg_total "$GO")
BATCH=$(jq -nc --argjson g1 "$G1" --argjson g2 "$G2" '{messages: [
	{key: "wx-1001", group: $g1, author: "微信用户甲", text: "桥接消息一：自来水发黄"},
	{key: "wx-1002", group: $g2, author: "微信用户乙", text: "桥接消息二", at: "2026-11-28T09:30:00+08:00"},
	{key: "wx-1003", group: $g1, author: "微信用户丙", text: "桥接消息三"}]}')
ingest "$BRIDGE" "$BATCH"
expect_status 200 "the bridge ingests 3 messages"
expect_json '[.stored, .repeated] | map(tostring) | join(" ")' "3 0" "3 stored, 0 repeated"
check "2 more messages in the group of $V1, 1 in $V2" \
	test "$(msg_total "$G1")" -eq $((n1 + 2)) -a "$(msg_total "$G2")" -eq $((n2 + 1))
as "$ADM" GET "/api/v1/groups/$G2/messages?limit=200"
expect_json '[.messages[] | select(.text == "桥接消息二") | [.source, (.author.id | tostring), .author.name, .at] | join(" ")] | join(",")' \
	"bridge null 微信用户乙 2026-11-28T01:30:00Z" "it is stored once, from the bridge, with its author's name and time"
ingest "$BRIDGE" "$BATCH"
expect_status 200 "the same call again answers 200"
expect_json '[.stored, .repeated] | map(tostring) | join(" ")' "0 3" "0 stored, 3 repeated"
check "nothing stored twice" \
	test "$(msg_total "$G1")" -eq $((n1 + 2)) -a "$(msg_total "$G2")" -eq $((n2 + 1))
ingest "$BRIDGE2" "$(jq -nc --argjson g "$GO" '{messages: [{key: "wx-1001", group: $g, author: "戊", text: "另一座桥的消息"}]}')"
expect_json '[.stored, .repeated] | map(tostring) | join(" ")' "1 0" \
	"another bridge's key of the same name is its own: 1 stored"
check "... in its group" test "$(msg_total "$GO")" -eq $((no + 1))
no=$(msg_total "$GO")
ingest "$BRIDGE" "$(jq -nc --argjson g "$G1" '{messages: [{key: "wx-1003", group: $g, author: "丙", text: "桥接消息三"},
	{key: "wx-1004", group: $g, author: "丁", text: "桥接消息四"}]}')"
expect_json '[.stored, .repeated] | map(tostring) | join(" ")' "1 1" "one old key and one new: 1 stored, 1 repeated"
n1=$(msg_total "$G1")

ingest "$BRIDGE" "$(jq -nc --argjson g "$G1" --argjson o "$GO" '{messages: [
	{key: "wx-2001", group: $g, author: "甲", text: "好消息"},
	{key: "wx-2002", group: $o, author: "乙", text: "别的镇"}]}')"
expect_error 400 invalid "messages[1]" "an item for a group outside the key's region is refused naming messages[1]"
ingest "$BRIDGE" "$(jq -nc --argjson g "$G1" --arg t "$(chars 2001 字)" '{messages: [
	{key: "wx-2001", group: $g, author: "甲", text: "好消息"},
	{key: "wx-2003", group: $g, author: "乙", text: $t}]}')"
expect_error 413 too_large "messages[1]" "an item of 2,001 characters is refused (413) naming messages[1]"
ingest "$BRIDGE" "$(jq -nc --argjson g "$G1" '{messages: [
	{key: "wx-2001", group: $g, author: "甲", text: "好消息"},
	{group: $g, author: "乙", text: "没有键"}]}')"
expect_error 400 invalid "messages[1]" "an item without key is refused naming messages[1]"
ingest "$BRIDGE" "$(jq -nc --argjson g "$G1" '{messages: [
	{key: "wx-2001", group: $g, author: "甲", text: "好消息", at: "昨天"}]}')"
expect_error 400 invalid "messages[0]" "an item with a bad time is refused naming messages[0]"
ingest "$BRIDGE" "$(jq -nc '{messages: [{key: "wx-2004", group: 987654321, author: "甲", text: "无此群"}]}')"
expect_error 400 invalid "messages[0]" "an item for a group that does not exist is refused naming messages[0]"
check "refused batches stored nothing (not even their good items)" \
	test "$(msg_total "$G1")" -eq "$n1" -a "$(msg_total "$GO")" -eq "$no"
jq -nc --argjson g "$G1" '{messages: [range(1001) | {key: "bulk-\(.)", group: $g, author: "批量", text: "批量消息 \(.)"}]}' >"$T/bulk.json"
req POST /api/v1/ingest/messages -H "Authorization: Bearer $BRIDGE" -H 'Content-Type: application/json' \
	--data-binary "@$T/bulk.json"
expect_error 413 too_large messages "1,001 messages in one call are refused (413) naming messages"
check "... and none stored" test "$(msg_total "$G1")" -eq "$n1"
jq -c '.messages |= .[0:1000]' "$T/bulk.json" >"$T/bulk1000.json"
req POST /api/v1/ingest/messages -H "Authorization: Bearer $BRIDGE" -H 'Content-Type: application/json' \
	--data-binary "@$T/bulk1000.json"
expect_status 200 "1,000 messages in one call are taken"
expect_json '[.stored, .repeated] | map(tostring) | join(" ")' "1000 0" "1000 stored"
ingest "$BRIDGE" "$(jq -nc --argjson g "$G1" '{messages: [{key: "wx-2001", group: $g, author: "甲", text: "好消息"}]}')"
expect_json .stored 1 "the good item of a refused batch can be sent again: it was never stored"
ingest "$BRIDGE" '{"messages":[]}'
expect_error 400 invalid messages "an empty list is refused naming messages"
ingest "$BRIDGE" '[1]'
expect_error 400 invalid - "a body that is no object is refused (400)"
ingest "$ADM" "$BATCH"
expect_error 403 forbidden - "a person's session (the system admin) may not ingest (403)"
ingest "$OWN" "$BATCH"
expect_error 403 forbidden - "a village admin's session may not ingest (403)"
ingest "$CADRE_KEY" "$BATCH"
expect_error 403 forbidden - "an API key without the bridge role may not ingest (403)"
req POST /api/v1/ingest/messages -H 'Content-Type: application/json' --data-binary "$BATCH"
expect_error 401 unauthenticated - "the anonymous get 401"

# --- queued bulk ingest (Prefer: respond-async) ------------------------------------------------
# The same checks, then the call is taken (202) and the server's loader
# stores its messages soon after: every wait below is a bounded poll.
# ingest_q TOKEN JSON [HEADER]: a bulk call with HEADER (Prefer: respond-async).
ingest_q() {
	req POST /api/v1/ingest/messages -H "Authorization: Bearer $1" \
		-H 'Content-Type: application/json' -H "${3:-Prefer: respond-async}" --data-binary "$2"
}
# counts: "N M" of the last answer's count (queued or stored) and repeated.
counts() { json '[.queued // .stored, .repeated] | map(tostring) | join(" ")'; }
# metric NAME: its value in /metrics.
metric() { req GET /metrics; awk -v n="$1" '$1 == n { print $2 }' "$T/body"; }
queue_drained() { [ "$(metric bianmin_ingest_queued_messages)" = 0 ]; }
# queued_in GROUP PREFIX: "text×times" of each message of GROUP (ADM's view,
# the 200 newest) whose text starts with PREFIX, sorted.
queued_in() {
	as "$ADM" GET "/api/v1/groups/$1/messages?limit=200"
	json "[.messages[] | (.text // \"\") | select(startswith(\"$2\"))] | group_by(.) |
		map(\"\(.[0])×\(length)\") | join(\",\")"
}
# shown GROUP PREFIX WANT: queued_in GROUP PREFIX is WANT.
shown() { [ "$(queued_in "$1" "$2")" = "$3" ]; }
# item KEY GROUP AUTHOR TEXT [AT]: one message of a call.
item() { jq -nc --arg k "$1" --argjson g "$2" --arg a "$3" --arg t "$4" --arg at "${5:-}" \
	'{key: $k, group: $g, author: $a, text: $t} + (if $at == "" then {} else {at: $at} end)'; }
# call ITEM...: the body of a call of those items.
call() { jq -sc '{messages: .}' <<<"$*"; }
L0=$(metric bianmin_ingest_loaded_total)
check "setup: /metrics counts the queued messages loaded ($L0 so far)" test -n "$L0"
stream_open qlive "/api/v1/groups/$G2/events" "$OWN2"
check "setup: the admin of $V2 listens to its group's stream" stream_running qlive
Q1=$(item q-1 "$G1" 微信用户子 "排队消息一：井盖松动" 2026-11-28T10:00:00+08:00)
Q2=$(item q-2 "$G2" 微信用户丑 "排队消息二：桥面结冰")
Q3=$(item q-3 "$G1" 微信用户寅 "排队消息三：垃圾未清")
ingest_q "$BRIDGE" "$(call "$Q1" "$Q2" "$Q3" "$(item q-1 "$G1" 微信用户子 "排队消息一：重发的")")"
expect_status 202 "with Prefer: respond-async the bridge's call is taken (202)"
expect_json 'keys | join(",")' queued,repeated "the answer has the counts queued and repeated (no stored)"
check "3 queued, 1 repeated: a key twice in one call is queued once ($(counts))" test "$(counts)" = "3 1"
ingest_q "$BRIDGE" "$(call "$(item wx-1001 "$G1" 微信用户甲 "排队消息：早已存过")" \
	"$(item q-4 "$G1" 微信用户卯 "排队消息四：门前积雪")")"
expect_status 202 "a queued call with a key stored earlier without the queue is taken (202)"
check "... that key is repeated, the other queued ($(counts))" test "$(counts)" = "1 1"
ingest "$BRIDGE" "$(call "$Q2" "$(item wx-3001 "$G1" 微信用户辰 "不排队的消息")")"
expect_status 200 "without the header a call with a key queued earlier is stored at once (200)"
expect_json '[.stored, .repeated] | map(tostring) | join(" ")' "1 1" \
	"... the queued key counted as repeated, the new one stored"
ingest_q "$BRIDGE" "$(call "$Q1" "$Q2" "$Q3")"
check "the first queued call again: 0 queued, 3 repeated ($STATUS $(counts))" test "$STATUS $(counts)" = "202 0 3"
check "the queued messages show up in the group of $V1, each once (10 s)" \
	poll 10 shown "$G1" 排队消息 "排队消息一：井盖松动×1,排队消息三：垃圾未清×1,排队消息四：门前积雪×1"
check "... and in the group of $V2 ($(queued_in "$G2" 排队消息))" \
	test "$(queued_in "$G2" 排队消息)" = "排队消息二：桥面结冰×1"
as "$ADM" GET "/api/v1/groups/$G1/messages?limit=200"
expect_json '[.messages[] | select(.text == "排队消息一：井盖松动") |
	[.source, (.author.id | tostring), .author.name, .at] | join(" ")] | join(",")' \
	"bridge null 微信用户子 2026-11-28T02:00:00Z" "a queued message is stored from the bridge, with its author's name and time"
expect_json '[.messages[] | select(.text == "排队消息三：垃圾未清") |
	[.source, .author.name, (.at | fromdateiso8601 > now - 600 | tostring)] | join(" ")] | join(",")' \
	"bridge 微信用户寅 true" "... one sent without at is dated by the server (within the last 10 minutes)"
stream_wait qlive 1
expect_stream_json qlive '[.[] | select(.text // "" | startswith("排队消息")) | "\(.group) \(.source) \(.text)"] | join(",")' \
	"$G2 bridge 排队消息二：桥面结冰" "the loader's message reaches its group's live stream"
stream_close qlive
check "/metrics: nothing left queued (10 s)" poll 10 queue_drained
check "... bianmin_ingest_loaded_total grew by the 4 queued messages" \
	test "$(metric bianmin_ingest_loaded_total)" -eq $((L0 + 4))
check "... bianmin_ingest_failed_calls 0" test "$(metric bianmin_ingest_failed_calls)" = 0

Q10=$(item q-10 "$G1" 甲 "排队消息十：好的那条")
ingest_q "$BRIDGE" "$(call "$Q10" "$(item q-11 "$GO" 乙 "排队消息：别的镇")")"
expect_error 400 invalid "messages[1]" \
	"a queued call with an item outside the key's region is refused naming messages[1]"
check "... and nothing is queued" queue_drained
ingest_q "$BRIDGE" "$(call "$Q10" "$(item q-12 "$G1" 乙 "$(chars 2001 字)")")"
expect_error 413 too_large "messages[1]" \
	"a queued call with an item of 2,001 characters is refused (413) naming messages[1]"
ingest_q "$BRIDGE" "$(call "$Q10")"
check "the good item sent again is queued, not repeated: it was never taken ($STATUS $(counts))" \
	test "$STATUS $(counts)" = "202 1 0"
check "... it shows up once (10 s)" poll 10 shown "$G1" 排队消息十 "排队消息十：好的那条×1"
check "... and nothing of the refused calls ($(queued_in "$GO" 排队消息))" test -z "$(queued_in "$GO" 排队消息)"

# the header: RFC 7240's list of preferences, names in any case
L1=$(metric bianmin_ingest_loaded_total)
i=0
for h in 'Prefer: respond-async, wait=10' 'prefer: RESPOND-ASYNC' 'Prefer: wait=10, respond-async'; do
	i=$((i + 1))
	ingest_q "$BRIDGE" "$(call "$(item "q-h$i" "$G1" 偏好 "排队偏好$i")")" "$h"
	check "'$h' queues the call ($STATUS $(counts))" test "$STATUS $(counts)" = "202 1 0"
done
# a preference in a second Prefer field counts too (one header may come as several fields)
i=$((i + 1))
req POST /api/v1/ingest/messages -H "Authorization: Bearer $BRIDGE" -H 'Content-Type: application/json' \
	-H 'Prefer: wait=10' -H 'Prefer: respond-async' --data-binary "$(call "$(item "q-h$i" "$G1" 偏好 "排队偏好$i")")"
check "'Prefer: wait=10' then 'Prefer: respond-async' queues the call ($STATUS $(counts))" \
	test "$STATUS $(counts)" = "202 1 0"
for h in 'Prefer: respond-asyncx' 'Prefer: wait=10' 'Prefer: return=minimal; respond-async'; do
	i=$((i + 1))
	ingest_q "$BRIDGE" "$(call "$(item "q-h$i" "$G1" 偏好 "排队偏好$i")")" "$h"
	expect_json '[.stored, .repeated] | map(tostring) | join(" ")' "1 0" \
		"'$h' does not: stored at once ($STATUS)"
done
check "each of the 7 is stored once (10 s)" poll 10 shown "$G1" 排队偏好 \
	"排队偏好1×1,排队偏好2×1,排队偏好3×1,排队偏好4×1,排队偏好5×1,排队偏好6×1,排队偏好7×1"
check "... the 4 queued ones by the loader" poll 10 queue_drained
check "... (bianmin_ingest_loaded_total grew by 4)" test "$(metric bianmin_ingest_loaded_total)" -eq $((L1 + 4))

as "$CSUP" GET "/api/v1/messages/search?q=$(jq -rn '"排队消息" | @uri')"
expect_json '[.messages[] | "\(.group):\(.text)"] | sort | join(",")' \
	"$(jq -nr --args '$ARGS.positional | sort | join(",")' "$G1:排队消息一：井盖松动" "$G1:排队消息三：垃圾未清" \
		"$G1:排队消息四：门前积雪" "$G1:排队消息十：好的那条" "$G2:排队消息二：桥面结冰")" \
	"search finds the queued messages once stored"
as "$OWN2" GET "/api/v1/messages/search?q=$(jq -rn '"排队消息" | @uri')"
expect_json '[.messages[] | "\(.group):\(.text)"] | join(",")' "$G2:排队消息二：桥面结冰" \
	"... each only by those who see its group"
ingest_q "$CADRE_KEY" "$(call "$Q10")"
expect_error 403 forbidden - "an API key without the bridge role may not queue either (403)"

# --- search ---------------------------------------------------------------------------------
# search TOKEN QUERY [MORE-QUERY]: GET /api/v1/messages/search?q=QUERY
search() { as "$1" GET "/api/v1/messages/search?q=$(jq -rn --arg q "$2" '$q | @uri')${3:-}"; }
# found: "group:text" of the results, sorted, comma-separated.
found() { json '[.messages[] | "\(.group):\(.text)"] | sort | join(",")'; }
post "$RES" "$G1" "$(text '通知：明天上午停水，请提前储水')"
post "$OWN2" "$G2" "$(text '二村下午停水检修')"
post "$RES" "$G1" "$(text '暴雨预警，大家注意')"
SR=$MID
post "$RES" "$G1" "$(text '暴雨过后路面湿滑')"
SH=$MID
as "$RES" POST "/api/v1/messages/$SR/recall"
expect_status 200 "setup: one message is recalled"
as "$OWN" POST "/api/v1/messages/$SH/hide" '{"reason":"重复"}'
expect_status 200 "setup: one message is hidden"
BOTH="$G1:通知：明天上午停水，请提前储水,$G2:二村下午停水检修"
ONE="$G1:通知：明天上午停水，请提前储水"
TWO="$G2:二村下午停水检修"
for who in RES OWN DOC; do
	search "${!who}" 停水
	expect_status 200 "$who of village $V1 searches 停水"
	check "$who finds only their village's message, never village $V2's ($(found))" test "$(found)" = "$ONE"
done
search "$OWN2" 停水
check "the admin of $V2 finds only their village's ($(found))" test "$(found)" = "$TWO"
search "$CSUP" 停水
check "the county supervisor finds both ($(found))" test "$(found)" = "$BOTH"
search "$TSUP" 停水
check "the town supervisor finds both ($(found))" test "$(found)" = "$BOTH"
search "$CSUP" 停
check "a 1-character query (停) finds both ($(found))" test "$(found)" = "$BOTH"
search "$CSUP" 修
check "a 1-character query that ends a run of Chinese (修) finds the second ($(found))" test "$(found)" = "$TWO"
search "$CSUP" 储
check "a 1-character query inside a run (储) finds the first ($(found))" test "$(found)" = "$ONE"
search "$CSUP" 储水
check "another 2-character query (储水) finds only the first ($(found))" test "$(found)" = "$ONE"
search "$CSUP" 检修
check "检修 finds only the second ($(found))" test "$(found)" = "$TWO"
search "$CSUP" 停电
expect_json '.messages | length' 0 "a word in neither finds nothing (停电)"
search "$CSUP" 暴雨
expect_json '.messages | length' 0 "recalled and hidden messages are not found (暴雨)"
search "$OWN" 暴雨
expect_json '.messages | length' 0 "... not even by the owner"
search "$CSUP" 停水 "&group=$G2"
check "?group= narrows to one group ($(found))" test "$(found)" = "$TWO"
search "$RES" 停水 "&group=$G2"
expect_error 404 not_found - "?group= of a group one does not see is 404"
search "$CSUP" 自来水发黄
check "messages from the bridge are found ($(found))" test "$(found)" = "$G1:桥接消息一：自来水发黄"
search "$OWN2" 自来水发黄
expect_json '.messages | length' 0 "... but not from another village"
search "$RES" 防火
expect_json "[.messages[] | select(.broadcast == $B1) | .group] | map(tostring) | join(\",\")" "$G1" \
	"a resident finds the town's broadcast in their own group only"
search "$ADM" 停水
check "the system admin finds both ($(found))" test "$(found)" = "$BOTH"
as "$RES" GET /api/v1/messages/search
expect_error 400 invalid q "q missing is refused naming q"
search "$RES" ""
expect_error 400 invalid q "an empty q is refused naming q"
search "$RES" "，。！"
expect_error 400 invalid q "a q of punctuation only is refused naming q"
req GET "/api/v1/messages/search?q=%E5%81%9C%E6%B0%B4"
expect_error 401 unauthenticated - "the anonymous get 401"

# --- images -------------------------------------------------------------------------------------
# upload TOKEN GROUP FILE [CONTENT-TYPE]
upload() {
	req POST "/api/v1/groups/$2/images" -H "Authorization: Bearer $1" \
		-H "Content-Type: ${4:-image/png}" --data-binary "@$3"
}
# A real 1x1 PNG: signature, IHDR, IDAT, IEND.
printf '%s' 89504e470d0a1a0a0000000d494844520000000100000001080600 \
	00001f15c4890000000a49444154789c63000100000500010d0a2db400 \
	00000049454e44ae426082 | xxd -r -p >"$T/tiny.png"
SHA=$(sha256sum "$T/tiny.png" | cut -c1-64)
upload "$RES" "$G1" "$T/tiny.png"
expect_status 201 "a member uploads a small PNG (201)"
expect_json '[.image, .type, .size, .group] | map(tostring) | join(" ")' "$SHA image/png 67 $G1" \
	"the answer names it by its SHA-256, with type, size and group"
printf 'hello, this is no image\n' >"$T/text.png"
upload "$RES" "$G1" "$T/text.png"
expect_error 415 unsupported_media_type - "text bytes sent as image/png are refused (415)"
{ cat "$T/tiny.png"; head -c $((5 * 1024 * 1024)) /dev/zero; } >"$T/big.png"
upload "$RES" "$G1" "$T/big.png"
expect_error 413 too_large - "an image over 5 MB is refused (413)"
: >"$T/empty.png"
upload "$RES" "$G1" "$T/empty.png"
expect_error 400 invalid - "an empty upload is refused (400)"
upload "$CSUP" "$G1" "$T/tiny.png"
expect_error 403 forbidden - "the county supervisor (no member) may not upload (403)"
upload "$OWN2" "$G1" "$T/tiny.png"
expect_error 404 not_found - "another village's admin gets 404 uploading to the group"
post "$RES" "$G1" "{\"image\":\"$SHA\"}"
expect_status 201 "the member posts a message with the image"
IMG_MID=$MID
expect_json '[.kind, .image] | join(" ")' "image $SHA" "a message of kind image naming it"
post "$RES" "$G1" "{\"text\":\"看图\",\"image\":\"$(printf '%064d' 0)\"}"
expect_error 400 invalid image "an image never uploaded is refused naming image"
IMG=/api/v1/groups/$G1/images
as "$OWN" GET "$IMG/$SHA"
expect_status 200 "another member fetches the image"
check "the bytes are the ones uploaded" cmp -s "$T/body" "$T/tiny.png"
check "as image/png" test "$(header Content-Type)" = image/png
check "privately cached (Cache-Control private)" grep -qi '^Cache-Control: private' "$T/headers"
as "$CSUP" GET "$IMG/$SHA"
expect_status 200 "the county supervisor (sees the group) fetches it"
as "$OWN2" GET "$IMG/$SHA"
expect_error 404 not_found - "another village's admin gets 404 on the image"
as "$OWN2" GET "/api/v1/groups/$G2/images/$SHA"
expect_error 404 not_found - "... also through their own group, where it was never sent (404)"
req GET "$IMG/$SHA"
expect_error 401 unauthenticated - "the anonymous get 401 on the image"
as "$OWN" GET "$IMG/$(printf '%064d' 0)"
expect_error 404 not_found - "an unknown image is 404"
as "$OWN" GET "$IMG/abc"
expect_error 404 not_found - "a malformed image name is 404"
# the same picture sent in another village's group (a poster forwarded everywhere)
upload "$OWN2" "$G2" "$T/tiny.png"
expect_status 201 "the same image uploaded to another group is taken (201)"
expect_json .group "$G2" "... and answered as an image of that group, not of the first"
post "$OWN2" "$G2" "{\"image\":\"$SHA\"}"
expect_status 201 "... and can be sent in that group"
as "$OWN2" GET "/api/v1/groups/$G2/images/$SHA"
expect_status 200 "... and fetched by its members"
check "... the same bytes" cmp -s "$T/body" "$T/tiny.png"
as "$OWN" GET "$IMG/$SHA"
expect_status 200 "the first group's members still fetch it"
as "$RES" GET "/api/v1/groups/$G2/images/$SHA"
expect_error 404 not_found - "... but not through the other group, which they do not see (404)"

# --- recalling within two minutes (the daemon's clock moved) ---------------------------------------
new_person P3 "邻居" 13830000003 || { finish; exit 1; }
as "$OWN" PUT "/api/v1/groups/$G1/members/$P3_ID" '{"role":"resident"}'
expect_status 200 "setup: another resident joins the group"
# an image shows only while a visible message shows it
as "$P3" GET "$IMG/$SHA"
expect_status 200 "another resident fetches the image its message shows"
as "$OWN" POST "/api/v1/messages/$IMG_MID/hide" '{"reason":"图片不当"}'
expect_status 200 "the owner hides the message with the image"
as "$P3" GET "$IMG/$SHA"
expect_error 404 not_found - "... then other residents no longer get the image (404)"
as "$RES" GET "$IMG/$SHA"
expect_status 200 "... its sender still does"
as "$OWN" GET "$IMG/$SHA"
expect_status 200 "... and so does the owner, who sees hidden messages"
post "$RES" "$G1" "$(text '发错了')"
R1=$MID
as "$OWN" POST "/api/v1/messages/$R1/recall"
expect_error 403 forbidden - "another person (even the owner) may not recall a message (403)"
as "$CSUP" POST "/api/v1/messages/$R1/recall"
expect_error 403 forbidden - "the county supervisor may not recall it (403)"
as "$OWN2" POST "/api/v1/messages/$R1/recall"
expect_error 404 not_found - "another village's admin finds no such message (404)"
as "$RES" POST "/api/v1/messages/$R1/recall"
expect_status 200 "the author recalls it within the window"
expect_json '[.state, .notice, .text] | join(" ")' "recalled 消息已撤回 发错了" \
	"the author's answer: recalled, with a notice (and their own text)"
as "$RES" POST "/api/v1/messages/$R1/recall"
expect_error 409 conflict - "recalling it again is a conflict (409)"
as "$P3" GET "/api/v1/messages/$R1"
expect_json '[.state, (.text | tostring), .notice] | join(" ")' "recalled null 消息已撤回" \
	"another resident of the group sees it recalled, without its text"
as "$CSUP" GET "/api/v1/messages/$R1"
expect_json '[.state, .text] | join(" ")' "recalled 发错了" "the county supervisor still sees the recalled text (信息留痕)"
as "$OWN" POST "/api/v1/messages/$R1/hide" '{"reason":"x"}'
expect_error 409 conflict - "a recalled message cannot be hidden (409)"
as "$CSUP" GET "/api/v1/messages/$R1/history"
expect_json '[.history[] | .action] | index("message.recall") != null' true "the history records the recall"

post "$RES" "$G1" "$(text '九十秒后撤回')"
R2=$MID
post "$RES" "$G1" "$(text '两分钟后撤回')"
R3=$MID
check "setup: two messages to recall later" test -n "$R2" -a -n "$R3"
# restart OFFSET: the daemon again, its clock OFFSET seconds ahead.
restart() {
	if stop_server; then pass "the daemon stops cleanly before the restart at +$1 s"
	else fail "the daemon stops cleanly before the restart at +$1 s" "$(tail -n 5 "$T/serve.log")"; fi
	BIANMIN_CLOCK_OFFSET=$1 start_server --data-dir "$FILES" || { fail "the daemon starts at +$1 s"; finish; exit 1; }
	check "the restarted daemon logs its clock offset of $1 s" \
		grep -q "event=clock.offset seconds=$1 " "$T/serve.log"
}
restart 90
as "$RES" POST "/api/v1/messages/$R2/recall"
expect_status 200 "90 seconds later the author may still recall (200)"
restart 125
as "$RES" POST "/api/v1/messages/$R3/recall"
expect_error 409 conflict - "more than 2 minutes later the author may no longer recall (409)" "2 minutes"
as "$RES" GET "/api/v1/messages/$R3"
expect_json .state visible "the message stays visible"
as "$RES" GET "$IMG/$SHA"
expect_status 200 "images are still served after a restart"

finish
