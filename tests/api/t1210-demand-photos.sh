#!/usr/bin/env bash
# t1210: what a demand (诉求) carries besides its text, and who hears of it.
#
# Photos: added by the resident who raised a demand and by its handlers
# (JPEG, PNG, WebP by their bytes, 5 MB, 9 at most, the same bytes twice
# one photo), each with a timeline line, an audit entry and an event;
# listed in the demand, served to whoever may read it and absent to
# everyone else; refusals (size, type, the 10th, outside scope, a reader
# who may not add, a machine) change nothing, on disk either. The contact
# revealed to a handler who may see personal data, with a reason, each
# read audited and never logged. A group message raised twice: 409 naming
# the demand, also when two raises race. The live stream of a group's
# demands, resumed with Last-Event-ID without a gap, for those who read
# demands in the group's region.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"
. "$(dirname "$0")/groups.sh"

bm init --demo >"$T/init.out" 2>&1
check "setup: init --demo" test $? -eq 0
FILES=$T/files
start_server --data-dir "$FILES" --jobs false || { fail "server starts"; finish; exit 1; }
signin_demo || { finish; exit 1; }
G1=$(group_of $V1)
check "setup: the village's group" test -n "$G1"

# raise TOKEN JSON: POST a demand; its id in DID.
raise() {
	as "$1" POST /api/v1/demands "$2"
	DID=$(json '.id // empty')
}
# upload TOKEN DEMAND FILE: POST the file's bytes as a photo of DEMAND.
upload() {
	req POST "/api/v1/demands/$2/photos" -H "Authorization: Bearer $1" \
		-H "Content-Type: image/png" --data-binary "@$3"
}
# photo_count DEMAND / photo_lines DEMAND / audit_count DEMAND ACTION: what
# the database holds about DEMAND.
photo_count() { db_sql "$DB" "SELECT count(*) FROM case_photos WHERE case_id = $1"; }
photo_lines() { db_sql "$DB" "SELECT count(*) FROM case_events WHERE case_id = $1 AND action = 'photo'"; }
audit_count() { db_sql "$DB" "SELECT count(*) FROM audit_log WHERE object = 'case:$1' AND action = '$2'"; }
files_count() { find "$FILES/images" -type f 2>/dev/null | wc -l; }
case_count() { db_sql "$DB" "SELECT count(*) FROM cases"; }
uri() { jq -rn --arg s "$1" '$s | @uri'; }

# A real 1x1 PNG (signature, IHDR, IDAT, IEND); png N is it with N bytes
# after its end: another photo to a sha256, the same to a viewer.
printf '%s' 89504e470d0a1a0a0000000d494844520000000100000001080600 \
	00001f15c4890000000a49444154789c63000100000500010d0a2db400 \
	00000049454e44ae426082 | xxd -r -p >"$T/tiny.png"
png() { { cat "$T/tiny.png"; head -c "$1" /dev/zero; } >"$T/p$1.png"; echo "$T/p$1.png"; }
sha() { sha256sum "$1" | cut -c1-64; }
printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00' >"$T/tiny.jpg"
printf 'RIFF\x10\x00\x00\x00WEBPVP8 ' >"$T/tiny.webp"
printf 'GIF89a\x01\x00\x01\x00\x00\x00\x00;' >"$T/tiny.gif"

# --- photos ---------------------------------------------------------------------------------
raise "$RES" '{"category":"roads.lights","description":"村口路灯坏了","contact_name":"张大爷","contact_phone":"13912345678"}'
expect_status 201 "setup: the resident raises a demand"
D1=$DID
expect_json '.photos | length' 0 "a new demand shows no photos"
SHA=$(sha "$T/tiny.png")
upload "$RES" $D1 "$T/tiny.png"
expect_status 201 "the resident who raised it adds a photo (201)"
expect_json '[.sha256, .type, .size, .added_by, .url] | map(tostring) | join(" ")' \
	"$SHA image/png 67 $RES_ID /api/v1/demands/$D1/photos/$SHA" \
	"named by its SHA-256, with its type found in its bytes, its size, who added it and its URL"
as "$OWN" GET /api/v1/demands/$D1
expect_json '[.photos[] | .sha256, .type, (.size | tostring), (.added_by | tostring)] | join(" ")' \
	"$SHA image/png 67 $RES_ID" "the demand lists it"
expect_json '.photos[0].added_at != null' true "with when it was added"
expect_json '[.timeline[] | select(.action == "photo") | "\(.detail) \(.actor) \(.to)"] | join(",")' \
	"$SHA $RES_ID received" "its timeline has a line for it (信息留痕)"
check "and the audit trail an entry (demand.photo)" test "$(audit_count $D1 demand.photo)" = 1
as "$OWN" GET "/api/v1/demands/$D1/photos/$SHA"
expect_status 200 "the village's cadre fetches the photo"
check "the bytes are the ones sent" cmp -s "$T/body" "$T/tiny.png"
check "as image/png" test "$(header Content-Type)" = image/png
check "privately cached (Cache-Control private)" grep -qi '^Cache-Control: private' "$T/headers"
as "$RES" GET "/api/v1/demands/$D1/photos/$SHA"
expect_status 200 "the resident fetches it"
as "$TSUP" GET "/api/v1/demands/$D1/photos/$SHA"
expect_status 200 "the town's supervisor (reads the demand) fetches it"
as "$OWN2" GET "/api/v1/demands/$D1/photos/$SHA"
expect_error 404 not_found - "another village's cadre gets 404 (the demand does not exist for them)"
new_person P1 其他村民 13800001210 || { finish; exit 1; }
as "$P1" GET "/api/v1/demands/$D1/photos/$SHA"
expect_error 404 not_found - "another resident of the village gets 404"
as "$OWN" GET "/api/v1/demands/$D1/photos/$(printf '%064d' 0)"
expect_error 404 not_found - "a photo the demand does not show is 404" "no such photo"
as "$OWN" GET "/api/v1/demands/$D1/photos/abc"
expect_error 404 not_found - "a malformed photo name is 404"
req GET "/api/v1/demands/$D1/photos/$SHA"
expect_error 401 unauthenticated - "the anonymous get 401"

upload "$OWN" $D1 "$T/tiny.png"
expect_status 200 "the same bytes again (a retry, by a cadre) answer 200"
expect_json '.added_by' "$RES_ID" "with the photo as first added"
check "nothing new is recorded" test "$(photo_count $D1) $(photo_lines $D1) $(audit_count $D1 demand.photo)" = "1 1 1"
upload "$DOC" $D1 "$T/tiny.jpg"
expect_status 201 "a key person handling the village adds a JPEG"
expect_json .type image/jpeg "typed image/jpeg by its bytes"
upload "$OWN" $D1 "$T/tiny.webp"
expect_status 201 "the village's owner adds a WebP"
expect_json .type image/webp "typed image/webp"

# refusals: nothing changes, not even on disk
n_files=$(files_count)
before="$(photo_count $D1) $(photo_lines $D1) $(audit_count $D1 demand.photo)"
check "setup: 3 photos, 3 lines, 3 audit entries, 3 files" test "$before $n_files" = "3 3 3 3"
printf 'hello, this is no image\n' >"$T/text.png"
upload "$RES" $D1 "$T/text.png"
expect_error 415 unsupported_media_type - "text sent as image/png is refused (415)" "PNG, JPEG and WebP"
upload "$RES" $D1 "$T/tiny.gif"
expect_error 415 unsupported_media_type - "so is a GIF: a photo is a JPEG, PNG or WebP"
upload "$RES" $D1 "$(png $((5 * 1024 * 1024)))"
expect_error 413 too_large - "a photo over 5 MB is refused (413)"
upload "$RES" $D1 "$(png $((5 * 1024 * 1024 - 67)))"
expect_status 201 "one of exactly 5 MB is taken"
: >"$T/empty.png"
upload "$RES" $D1 "$T/empty.png"
expect_error 400 invalid - "an empty upload is refused (400)"
upload "$OWN2" $D1 "$(png 1)"
expect_error 404 not_found - "another village's cadre cannot add to it (404)"
upload "$P1" $D1 "$(png 1)"
expect_error 404 not_found - "nor another resident (404)"
upload "$OWN" 999999 "$(png 1)"
expect_error 404 not_found - "a demand that does not exist is 404" "no such demand"
bm apikey add reader --role village_admin --region $V1 >"$T/key.out" 2>&1
KEY=$(grep -E '^bmk_' "$T/key.out")
as "$KEY" GET /api/v1/demands/$D1
expect_status 200 "setup: an API key of the village reads the demand"
upload "$KEY" $D1 "$(png 1)"
expect_error 403 forbidden - "but a machine adds no photo (403)" "signed-in person"
req POST "/api/v1/demands/$D1/photos" --data-binary "@$(png 1)"
expect_error 401 unauthenticated - "the anonymous get 401"
check "none of them changed anything" \
	test "$(photo_count $D1) $(photo_lines $D1) $(audit_count $D1 demand.photo) $(files_count)" = "4 4 4 4"

# at most 9
for n in 2 3 4 5 6; do upload "$RES" $D1 "$(png $n)"; done
expect_status 201 "setup: photos up to the 9th are taken"
check "setup: the demand shows 9" test "$(photo_count $D1)" = 9
n_files=$(files_count)
upload "$OWN" $D1 "$(png 7)"
expect_error 409 conflict - "the 10th photo is refused (409), naming the demand" "demand $D1 has 9 photos"
check "and nothing changed (9 photos, 9 lines, 9 audit entries, no new file)" \
	test "$(photo_count $D1) $(photo_lines $D1) $(audit_count $D1 demand.photo) $(files_count)" = "9 9 9 $n_files"
upload "$RES" $D1 "$(png 6)"
expect_status 200 "one it shows already is still answered (200) at the limit"
as "$OWN" GET /api/v1/demands/$D1
expect_json '[.photos[] | .added_by] | map(tostring) | join(",")' \
	"$RES_ID,$DOC_ID,$OWN_ID,$RES_ID,$RES_ID,$RES_ID,$RES_ID,$RES_ID,$RES_ID" "the demand lists the 9 in the order added"

# --- the contact, revealed ------------------------------------------------------------------
CT="/api/v1/demands/$D1/contact"
as "$OWN" GET /api/v1/demands/$D1
expect_json '[.contact_name, .contact_phone] | join(" ")' "张大爷 139****5678" "the demand shows its contact phone masked"
as "$OWN" GET "$CT"
expect_error 400 invalid reason "revealing it needs a reason (400, field reason)"
as "$OWN" GET "$CT?reason=$(uri "$(printf '因%.0s' $(seq 201))")"
expect_error 413 too_large reason "a reason over 200 characters is refused" "200"
as "$DOC" GET "$CT?reason=$(uri 看病)"
expect_error 403 forbidden - "a key person handling it, without the personal-data permission, may not (403)"
as "$TSUP" GET "$CT?reason=$(uri 督导)"
expect_error 403 forbidden - "nor the town's supervisor (403)"
as "$RES" GET "$CT?reason=$(uri 看看)"
expect_error 403 forbidden - "nor a resident (403)"
as "$OWN2" GET "$CT?reason=$(uri 查)"
expect_error 404 not_found - "another village's cadre gets 404: the demand does not exist for them"
check "none of the refused reveals is in the audit trail" test "$(audit_count $D1 demand.contact_read)" = 0
REASON='电话回访核实情况'
as "$OWN" GET "$CT?reason=$(uri "$REASON")"
expect_status 200 "the village's cadre reveals it with a reason"
expect_json '[.demand, .contact_name, .contact_phone, .from] | map(tostring) | join(" ")' \
	"$D1 张大爷 13912345678 demand" "the name and the phone in full, from the demand"
check "the read is audited: who, and why" test "$(db_sql "$DB" "SELECT actor || ' ' || summary \
	FROM audit_log WHERE object = 'case:$D1' AND action = 'demand.contact_read'")" = \
	"user:$OWN_ID contact revealed; reason: $REASON"
check "the audit trail holds no full phone number" \
	test "$(db_sql "$DB" "SELECT count(*) FROM audit_log WHERE summary LIKE '%13912345678%'")" = 0
as "$ADM" GET "$CT?reason=$(uri 核查)"
expect_status 200 "the system administrator reveals it too"
check "each reveal is one entry" test "$(audit_count $D1 demand.contact_read)" = 2
check "the phone is never logged" not_grep_file "$T/serve.log" 13912345678
raise "$RES" '{"category":"roads.lights","description":"没有留电话的诉求"}'
D2=$DID
as "$OWN" GET "/api/v1/demands/$D2/contact?reason=$(uri 回访)"
expect_json '[.contact_name, .contact_phone, .from] | join(" ")' "张秀英 19900000001 account" \
	"a demand that named no phone gives the raising resident's own, saying so"

# --- a message raised twice -----------------------------------------------------------------
as "$RES" POST "/api/v1/groups/$G1/messages" '{"text":"水渠堵了，浇不了地"}'
MSG=$(json .id)
raise "$OWN" "{\"category\":\"other\",\"source_message_id\":$MSG}"
expect_status 201 "the village's owner raises a demand of a message"
DM=$DID
n=$(case_count)
raise "$OWN" "{\"category\":\"other\",\"source_message_id\":$MSG}"
expect_error 409 conflict source_message_id "raising it again is refused (409)" "demand $DM"
raise "$RES" "{\"category\":\"other\",\"source_message_id\":$MSG}"
expect_error 409 conflict source_message_id "so is its author flagging it" "demand $DM"
raise "$OWN2" "{\"category\":\"other\",\"source_message_id\":$MSG}"
expect_error 404 not_found source_message_id "a cadre who cannot see the message still gets 404, not 409"
check "nothing was stored" test "$(case_count)" = "$n"
other=$(db_sql "$DB" "SELECT id FROM cases WHERE source_message_id = 0 LIMIT 1")
db_sql "$DB" "UPDATE cases SET source_message_id = $MSG WHERE id = $other" >/dev/null 2>&1
check "the database holds to it: no second case of the message, even behind the daemon's back" \
	test "$(db_sql "$DB" "SELECT count(*) FROM cases WHERE source_message_id = $MSG")" = 1
# two cadres at once, again and again: one demand each time, the other told which
wins=0 conflicts=0
for i in 1 2 3 4 5; do
	as "$RES" POST "/api/v1/groups/$G1/messages" "{\"text\":\"第${i}条：路边的井盖丢了\"}"
	m=$(json .id)
	pids=()
	for k in 0 1; do
		tok=$OWN
		[ $k = 1 ] && tok=$DOC
		curl -s -o "$T/race.$i.$k.body" -w '%{http_code}' -X POST -H "Authorization: Bearer $tok" \
			-H 'Content-Type: application/json' \
			--data-binary "{\"category\":\"other\",\"source_message_id\":$m}" \
			"$BASE/api/v1/demands" >"$T/race.$i.$k.status" &
		pids+=($!)
	done
	wait "${pids[@]}"
	for k in 0 1; do
		case $(cat "$T/race.$i.$k.status") in
		201) wins=$((wins + 1)) ;;
		409) grep -q "it is demand" "$T/race.$i.$k.body" && conflicts=$((conflicts + 1)) ;;
		esac
	done
	[ "$(db_sql "$DB" "SELECT count(*) FROM cases WHERE source_message_id = $m")" = 1 ] || wins=-99
done
check "two raises of one message at once: one demand, the other 409 naming it (5 rounds)" \
	test "$wins $conflicts" = "5 5"

# --- the live stream of a group's demands ---------------------------------------------------
EV=/api/v1/groups/$G1/cases/events
stream_open live "$EV" "$OWN"
check "the village's owner opens the stream of the group's demands" stream_running live
check "it names the topic cases:$G1" grep -q "^: stream of cases:$G1 from event [0-9]*$" "$T/live.sse"
raise "$RES" '{"category":"roads.lights","description":"又一盏路灯不亮"}'
D3=$DID
stream_wait live 1
expect_stream_json live '.[0] | [.id, .state, .version] | map(tostring) | join(" ")' "$D3 received 1" \
	"a new demand is heard at once"
check "as a case.new event" test "$(stream_kinds live)" = case.new
L=$(stream_ids live | tail -n 1)
stream_close live
# while away: two demands and a photo
raise "$RES" '{"category":"environment.waste","description":"垃圾没人清运"}'
D4=$DID
as "$OWN" POST "/api/v1/demands/$D4/actions" '{"action":"acknowledge","version":1}'
expect_status 200 "setup: the owner acknowledges it"
upload "$OWN" $D4 "$(png 11)"
expect_status 201 "setup: and adds a photo"
WANT=$(db_sql "$DB" "SELECT id FROM events WHERE topic = 'cases:$G1' AND id > $L ORDER BY id" | tr '\n' ' ')
check "setup: three events were written meanwhile" test "$(wc -w <<<"$WANT")" -eq 3
stream_open resume "$EV" "$OWN" -H "Last-Event-ID: $L"
check "the stream resumed with Last-Event-ID starts from it" \
	grep -qx ": stream of cases:$G1 from event $L" "$T/resume.sse"
stream_wait resume 3
check "it replays every event since, in order, without a gap" test "$(stream_ids resume | tr '\n' ' ')" = "$WANT"
check "the new demand, its acknowledgement and the photo" \
	test "$(stream_kinds resume | tr '\n' ' ')" = "case.new case.changed case.photo "
expect_stream_json resume '.[2] | [.id, .photo] | map(tostring) | join(" ")' "$D4 $(sha "$T/p11.png")" \
	"the photo event names the demand and the photo"
check "no event carries a phone or a description" not_grep_file "$T/resume.sse" '1391234|垃圾'
as "$OWN" POST "/api/v1/demands/$D4/actions" '{"action":"start","version":2}'
stream_wait resume 4
check "and goes on live after the replay" test "$(stream_kinds resume | tail -n 1)" = case.changed
stream_close resume
stream_open town "$EV" "$TSUP"
check "the town's supervisor may follow the village's group" stream_running town
stream_close town
stream_open res "$EV" "$RES"
check "a resident may not (no stream)" stream_ended res
check "... 403" grep -q '^HTTP/1.1 403' "$T/res.h"
stream_open other "$EV" "$OWN2"
check "another village's cadre may not" stream_ended other
check "... 404, the group does not exist for them" grep -q '^HTTP/1.1 404' "$T/other.h"
stream_open none /api/v1/groups/999999/cases/events "$OWN"
check "a group that does not exist is 404" grep -q '^HTTP/1.1 404' "$T/none.h"

finish
