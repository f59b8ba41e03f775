#!/usr/bin/env bash
# t1500: the data-sharing exchange (docs/exchange.md). The disabled persons'
# federation (CDPF) uploads signed batches of severe-disability records; the
# medical-insurance agency (YBJ) subscribes to two of their fields and gets
# them pushed monthly to its endpoint, or pulls them.
#
# Covered: a signature that does not verify (and one by a rotated-out key),
# a batch that breaks its schema (line-numbered errors, no personal value
# quoted, nothing stored), a re-sent batch (stored once, counted), the same
# batch id with other content (refused), a 不予共享 dataset refused, a 有条件
# one pending until an operator approves, a subscription that must not see
# a field (push body, pull, in neither), a monthly push that fails twice and
# then succeeds (a tiny receiver answering 500, 500, 200; the daemon's clock
# moved with BIANMIN_CLOCK_OFFSET and `bianmin exchange push --at`, nothing
# waits for time), and the audit lines of all of it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"
. "$(dirname "$0")/clock.sh"

DATA=$T/files
mkdir -p "$DATA" "$T/recv"
# the exchange's own key lives in the data folder, for the daemon and the CLI
bmx() { bm --data-dir "$DATA" "$@"; }
count() { db_sql "$DB" "$1"; }
audited() { test "$(count "SELECT count(*) FROM audit_log WHERE action = '$1'")" = "$2"; }

# --- members, keys and datasets (the operator, by the command line) ----------------
bmx init --demo >"$T/init.out" 2>&1
check "setup: init --demo" test $? -eq 0
bmx exchange member add CDPF --name 市残联 --region 990101 --key-out "$T/cdpf.key" >"$T/m1.out" 2>&1
check "a member agency is added with a key pair" grep -q 'member CDPF added; public key' "$T/m1.out"
check "its secret key is written to a file only its owner reads (0600)" \
	test "$(stat -c %a "$T/cdpf.key")" = 600
SECRET=$(cat "$T/cdpf.key")
check "the secret key is not printed" bash -c "! grep -qF -- '$SECRET' '$T/m1.out'"
check "nor stored in the database" \
	test "$(count "SELECT count(*) FROM exchange_member_keys WHERE public_key = '$SECRET'")" = 0
bmx exchange member add YBJ --name 市医保局 --region 990101 --key-out "$T/ybj.key" >/dev/null 2>&1
bmx exchange member add CDPF --name 又一个 --region 990101 --key-out "$T/again.key" >"$T/dup.out" 2>&1
check "a member code is taken once (exit 3, no key file left)" \
	test $? -eq 3 -a ! -e "$T/again.key"

cat >"$T/schema.json" <<'EOF'
{"fields": [
 {"name": "id_number", "type": "string", "required": true, "personal": true, "description": "身份证号"},
 {"name": "name", "type": "string", "required": true, "personal": true, "description": "姓名"},
 {"name": "born", "type": "date", "required": false, "personal": true, "description": "出生日期"},
 {"name": "grade", "type": "enum", "values": ["1", "2", "3", "4"], "required": true, "personal": false},
 {"name": "certified", "type": "bool", "required": false, "personal": false}
]}
EOF
bmx exchange dataset add disability --provider CDPF --name 重度残疾人名单 --sharing 有条件 \
	--schema "$T/schema.json" >"$T/d1.out" 2>&1
check "a 有条件 dataset is added with its schema" grep -q 'dataset disability of CDPF added (有条件)' "$T/d1.out"
bmx exchange dataset add rehab --provider CDPF --name 康复档案 --sharing 不予共享 \
	--schema "$T/schema.json" >/dev/null 2>&1
check "and a 不予共享 one" test $? -eq 0
bmx exchange dataset add registry --provider CDPF --name 残疾人证目录 --sharing 无条件 \
	--schema "$T/schema.json" >/dev/null 2>&1
check "and a 无条件 one" test $? -eq 0
echo '{"fields": [{"name": "x", "type": "money", "personal": false}]}' >"$T/bad-schema.json"
bmx exchange dataset add broken --provider CDPF --name 坏 --sharing 无条件 --schema "$T/bad-schema.json" \
	>"$T/d3.out" 2>&1
check "a schema with an unknown type is refused, saying which field" \
	grep -q "field 'x' needs a type" "$T/d3.out"

# API keys of role exchange_member, bound to the members
bmx apikey add cdpf-system --role exchange_member --region 990101 >"$T/k1.out" 2>&1
bmx apikey add ybj-system --role exchange_member --region 990101 >"$T/k2.out" 2>&1
KCDPF=$(sed -n 2p "$T/k1.out") KYBJ=$(sed -n 2p "$T/k2.out")
IDCDPF=$(sed -n 's/^API key \([0-9]*\) .*/\1/p' "$T/k1.out")
IDYBJ=$(sed -n 's/^API key \([0-9]*\) .*/\1/p' "$T/k2.out")
bmx exchange member link CDPF --apikey "$IDCDPF" >/dev/null 2>&1 &&
	bmx exchange member link YBJ --apikey "$IDYBJ" >/dev/null 2>&1
check "setup: each member calls with its own API key" test $? -eq 0 -a -n "$KCDPF" -a -n "$KYBJ"
bmx apikey add other --role village_admin --region 990101 >"$T/k3.out" 2>&1
bmx exchange member link CDPF --apikey "$(sed -n 's/^API key \([0-9]*\) .*/\1/p' "$T/k3.out")" \
	>"$T/link.out" 2>&1
check "a key of another role cannot be bound to a member (exit 3)" \
	bash -c "[ $? -eq 3 ] && grep -q 'exchange_member' '$T/link.out'"
bmx exchange member link YBJ --apikey "$IDCDPF" >"$T/link2.out" 2>&1
check "a key bound to one member cannot be bound to another" \
	bash -c "[ $? -ne 0 ] && grep -q 'bound to member CDPF already' '$T/link2.out'"

# --- the daemon on Monday 2026-11-30, 10:00 China time -----------------------------
BIANMIN_CLOCK_OFFSET=$(china_offset "2026-11-30 10:00:00") \
	start_server --jobs false --data-dir "$DATA" || { fail "the daemon starts"; finish; exit 1; }
login 19900000009 demo-2026
ADM=$(json .token)
login 19900000001 demo-2026
RES=$(json .token)

# upload KEY DATASET BATCH FILE [SIGNATURE]: POST the file as CSV, signed with
# the CDPF secret key unless a signature is given.
upload() {
	local sig=${5:-}
	[ -n "$sig" ] || sig=$(bmx exchange sign --key "$T/cdpf.key" --member CDPF --dataset "$2" \
		--batch "$3" "$4")
	req POST "/api/v1/exchange/datasets/$2/batches/$3" -H "Authorization: Bearer $1" \
		-H 'Content-Type: text/csv' -H "X-Bianmin-Signature: ed25519=$sig" --data-binary "@$4"
}
batches() { count "SELECT count(*) FROM exchange_batches"; }
rows() { count "SELECT count(*) FROM exchange_rows"; }

printf 'id_number,name,born,grade,certified\n%s,张三,1990-01-01,1,true\n%s,李四,,2,\n' \
	"$(id18 41168119900101001)" "$(id18 41168119850505002)" >"$T/b1.csv"
upload "$KCDPF" disability 2026-11 "$T/b1.csv"
expect_status 201 "a signed batch is received (201)"
expect_json '[.batch, .rows, .resent, .already_received] | map(tostring) | join(" ")' \
	"2026-11 2 0 false" "with its rows counted"
SEQ1=$(json .seq)
check "its sha256 is the body's" test "$(json .sha256)" = "$(sha256sum <"$T/b1.csv" | cut -d' ' -f1)"

# --- a signature that does not verify ----------------------------------------------
before=$(batches)
OTHER=$(bmx exchange sign --key "$T/cdpf.key" --member CDPF --dataset disability --batch 2026-12 "$T/b1.csv")
upload "$KCDPF" disability 2026-12-x "$T/b1.csv" "$OTHER"
expect_error 400 invalid signature "a signature made for another batch id does not verify (400)" \
	"does not verify"
YSIG=$(bmx exchange sign --key "$T/ybj.key" --member CDPF --dataset disability --batch 2026-12 "$T/b1.csv")
upload "$KCDPF" disability 2026-12 "$T/b1.csv" "$YSIG"
expect_error 400 invalid signature "a signature by another member's key does not verify (400)"
req POST /api/v1/exchange/datasets/disability/batches/2026-12 -H "Authorization: Bearer $KCDPF" \
	-H 'Content-Type: text/csv' --data-binary "@$T/b1.csv"
expect_error 400 invalid signature "a batch without a signature is refused (400)"
check "nothing was stored" test "$(batches)" = "$before"
check "each verification failure is audited with the body's hash" \
	test "$(count "SELECT count(*) FROM audit_log WHERE action = 'exchange.batch.reject' AND object = 'exchange-batch:CDPF/2026-12' AND summary LIKE '%does not verify%'")" = 1

# --- a batch that breaks its schema --------------------------------------------------
printf 'id_number,name,born,grade,certified\n%s,王五,1970-02-02,1,false\n%s,赵六,1990-13-01,7,maybe\n,钱七,,2,\n' \
	"$(id18 41168119700202003)" "$(id18 41168119900101004)" >"$T/bad.csv"
before=$(rows)
upload "$KCDPF" disability 2026-12 "$T/bad.csv"
expect_error 400 invalid - "a batch with a row that breaks the schema is refused whole (400)"
json .error.message >"$T/msg"
check "the errors name their lines: 3 (a bad value of each field)" \
	grep -qF "line 3: field 'grade': '7' is not one of its values" "$T/msg"
check "and 4 (a required field missing)" grep -qF "line 4: field 'id_number' is required" "$T/msg"
check "a personal field's bad value is named without quoting it" \
	grep -qF "line 3: field 'born': (a personal value, not shown) is not a date" "$T/msg"
check "a personal value is never quoted in an error" bash -c "! grep -q 1990-13-01 '$T/msg'"
check "nothing of the batch was stored, not even its good first row" test "$(rows)" = "$before"
printf 'id_number,nickname\n1,x\n' >"$T/bad2.csv"
upload "$KCDPF" disability 2026-12 "$T/bad2.csv"
expect_error 400 invalid - "a header naming no field of the dataset is refused (line 1)" \
	"line 1: the header names 'nickname'"

# --- a re-sent batch, and the same id with other content ------------------------------
upload "$KCDPF" disability 2026-11 "$T/b1.csv"
expect_status 200 "the same batch again is answered 200"
expect_json '[.already_received, .seq, .resent] | map(tostring) | join(" ")' "true $SEQ1 1" \
	"already received: the first one's seq, counted once more"
check "it is stored once" test "$(batches)" = 1 -a "$(rows)" = 2
printf 'id_number,name,born,grade,certified\n%s,张三,1990-01-01,2,true\n' "$(id18 41168119900101001)" \
	>"$T/b1-changed.csv"
upload "$KCDPF" disability 2026-11 "$T/b1-changed.csv"
expect_error 409 conflict - "the same batch id with other content is refused (409)" \
	"received before with other content"
check "and not stored" test "$(batches)" = 1 -a "$(rows)" = 2
as "$ADM" GET "/api/v1/exchange/batches?dataset=disability"
expect_json '[.items[] | "\(.batch):\(.rows):\(.resent)"] | join(",")' "2026-11:2:1" \
	"the operator sees one batch of 2 rows, re-sent once"
expect_json '.next' null "and the list has ended (next: null)"
as "$ADM" GET "/api/v1/exchange/batches?limit=1"
expect_json '(.items | length) == 1 and .next == .items[0].seq' true \
	"a full page gives the cursor of the next (next: the last seq)"
upload "$KYBJ" disability 2026-13 "$T/b1.csv"
expect_error 404 not_found - "another member cannot upload to CDPF's dataset, nor learn whose it is (404)" \
	"provides no dataset"
check "the refusal does not name the provider" test "$(grep -c CDPF "$T/body")" = 0
upload "$ADM" disability 2026-13 "$T/b1.csv"
expect_error 403 forbidden - "a person cannot upload: only a member's bound API key (403)"
upload "$RES" disability 2026-13 "$T/b1.csv"
expect_error 403 forbidden - "a resident cannot (403)"

# --- subscriptions -------------------------------------------------------------------
bmx exchange subscribe --consumer YBJ --dataset rehab --fields id_number,grade >"$T/s0.out" 2>&1
rc=$?
check "a 不予共享 dataset cannot be subscribed (exit non-zero, says why)" \
	bash -c "[ $rc -ne 0 ] && grep -q '不予共享' '$T/s0.out'"
bmx exchange subscribe --consumer YBJ --dataset disability --fields id_number,salary >"$T/s1.out" 2>&1
check "a field the dataset lacks cannot be granted" grep -q "'salary' is no field" "$T/s1.out"
check "neither made a subscription" test "$(count "SELECT count(*) FROM exchange_subscriptions")" = 0

python3 "$BIANMIN_TOP/tests/api/exchange_receiver.py" "$T/recv" 500,500,200 &
RECV_PID=$!
trap 'kill "$RECV_PID" 2>/dev/null; cleanup' EXIT
for _ in $(seq 1 100); do [ -f "$T/recv/port" ] && break; sleep 0.05; done
RPORT=$(cat "$T/recv/port" 2>/dev/null)
check "setup: the consumer's endpoint listens" test -n "$RPORT"

bmx exchange subscribe --consumer YBJ --dataset disability --fields id_number,grade \
	--endpoint "http://ybj.example/push" --monthly 5 --time 09:00 >"$T/s0.out" 2>&1
check "personal fields are not pushed in clear: plain http elsewhere than this machine is refused" \
	bash -c "[ $? -ne 0 ] && grep -q 'https://' '$T/s0.out'"
bmx exchange subscribe --consumer YBJ --dataset disability --fields id_number,grade \
	--endpoint "http://127.0.0.1:$RPORT/push" --monthly 5 --time 09:00 >"$T/s2.out" 2>&1
check "YBJ subscribes to two fields of the 有条件 dataset: pending approval" \
	grep -q 'subscription 1: YBJ gets id_number,grade of disability, pending' "$T/s2.out"
req GET /api/v1/exchange/subscriptions/1/rows -H "Authorization: Bearer $KYBJ"
expect_error 409 conflict - "nothing can be pulled before the approval (409)" "pending"
as "$RES" POST /api/v1/exchange/subscriptions/1/approve
expect_error 403 forbidden - "a resident cannot approve (403)"
as "$ADM" POST /api/v1/exchange/subscriptions/1/approve
expect_status 200 "a system administrator approves it (200)"
expect_json '[.state, .approved_by, .schedule.day, .schedule.time, .due_at] | map(tostring) | join(" ")' \
	"active user:9 5 09:00 2026-12-05T01:00:00Z" "it is active, first push on 5 December 09:00 China time"
as "$ADM" POST /api/v1/exchange/subscriptions/1/approve
expect_error 409 conflict - "approving twice is refused (409)"
bmx exchange subscribe --consumer YBJ --dataset registry --fields grade >"$T/s3.out" 2>&1
check "a subscription to a 无条件 dataset is active at once (pull only: no endpoint)" \
	grep -qx 'subscription 2: YBJ gets grade of registry, active' "$T/s3.out"

# --- a subscription that must not see a field: the pull ---------------------------------
req GET "/api/v1/exchange/subscriptions/1/rows?after=0" -H "Authorization: Bearer $KYBJ"
expect_status 200 "the consumer pulls (200)"
cp "$T/body" "$T/pull.jsonl"
check "it gets both rows, with the granted fields only" \
	test "$(jq -sc '[.[] | .data | keys | join(",")] | unique' "$T/pull.jsonl")" = '["grade,id_number"]' \
	-a "$(jq -s length "$T/pull.jsonl")" = 2
check "the name and birth date are nowhere in what it got" \
	bash -c "! grep -qE '张三|李四|1990-01-01|\"name\"|\"born\"' '$T/pull.jsonl'"
check "each line says its batch and seq (the cursor)" \
	test "$(jq -sc '[.[] | "\(.batch)/\(.seq)"] | unique' "$T/pull.jsonl")" = "[\"2026-11/$SEQ1\"]"
req GET "/api/v1/exchange/subscriptions/1/rows?after=$SEQ1" -H "Authorization: Bearer $KYBJ"
check "after the last seq there is nothing new" test "$STATUS" = 200 -a ! -s "$T/body"
req GET /api/v1/exchange/subscriptions/1/rows -H "Authorization: Bearer $KCDPF"
expect_error 404 not_found - "another member cannot pull this subscription (404)"
check "the pulls are audited with what was handed out" \
	test "$(count "SELECT count(*) FROM audit_log WHERE action = 'exchange.pull' AND actor = 'apikey:$IDYBJ' AND object = 'exchange-subscription:1' AND summary LIKE '%\"rows\":2%'")" = 1

# --- a monthly push that fails twice and then succeeds ----------------------------------
stop_server
# push_at "YYYY-MM-DD HH:MM:SS": `exchange push --at` that China time, on the
# clock moved a little past it; its tally in $T/push.out.
push_at() {
	local e
	e=$(china_epoch "$1")
	BIANMIN_CLOCK_OFFSET=$((e + 5 - $(date +%s))) bmx exchange push \
		--at "$(date -u -d "@$e" +%Y-%m-%dT%H:%M:%SZ)" >"$T/push.out" 2>&1
}
attempts() { count "SELECT $(sql_join "CAST(status AS TEXT)") FROM (SELECT id, status FROM exchange_attempts ORDER BY id) a"; }
push_at "2026-12-05 08:59:59"
check "a second before its time nothing is due" grep -q '^0 subscriptions due' "$T/push.out"
push_at "2026-12-05 09:00:00"
check "at 09:00 it is pushed; the endpoint answers 500: to retry" \
	grep -q '^1 subscriptions due: 0 delivered, 1 to retry' "$T/push.out"
push_at "2026-12-05 09:00:59"
check "the first retry waits a minute" grep -q '^0 subscriptions due' "$T/push.out"
push_at "2026-12-05 09:01:00"
check "a minute later the retry fails again (500)" grep -q '1 to retry' "$T/push.out"
push_at "2026-12-05 09:05:59"
check "the second retry waits 5 minutes" grep -q '^0 subscriptions due' "$T/push.out"
push_at "2026-12-05 09:06:00"
check "the third attempt is acknowledged by a 200: delivered" grep -q '1 delivered' "$T/push.out"
check "every attempt is recorded with its HTTP status" test "$(attempts)" = "500,500,200"
push_at "2026-12-05 10:00:00"
check "once delivered nothing is due until next month" grep -q '^0 subscriptions due' "$T/push.out"
check "the subscription has its batches delivered and is due on 5 January" \
	test "$(count "SELECT pushed_upto || ' ' || failures || ' ' || due_at FROM exchange_subscriptions WHERE id = 1")" = \
	"$SEQ1 0 $(china_epoch "2027-01-05 09:00:00")"
push_at "2027-01-05 09:00:00"
check "a month with nothing new sends nothing" grep -q '^1 subscriptions due: 0 delivered, 0 to retry, 1 with nothing new' "$T/push.out"
check "and the next push is due a month later" \
	test "$(count "SELECT due_at FROM exchange_subscriptions WHERE id = 1")" = "$(china_epoch "2027-02-05 09:00:00")" \
	-a "$(attempts)" = "500,500,200" -a ! -e "$T/recv/4.body"
kill "$RECV_PID" 2>/dev/null
wait "$RECV_PID" 2>/dev/null
check "the endpoint got the same two rows three times (a retry sends them again)" \
	bash -c "cmp -s '$T/recv/1.body' '$T/recv/2.body' && cmp -s '$T/recv/1.body' '$T/recv/3.body' &&
		[ \$(wc -l <'$T/recv/3.body') = 2 ]"
check "the pushed body holds the granted fields only" \
	test "$(jq -sc '[.[] | .data | keys | join(",")] | unique' "$T/recv/3.body")" = '["grade,id_number"]'
check "and no name or birth date" bash -c "! grep -qE '张三|李四|1990-01-01|\"name\"|\"born\"' '$T/recv/3.body'"
check "each push is signed by the exchange (X-Bianmin-Signature: ed25519=...)" \
	grep -qiE '^X-Bianmin-Signature: ed25519=[A-Za-z0-9+/]{86}==' "$T/recv/3.headers"
EXKEY=$(bmx exchange key 2>/dev/null)
check "the exchange's public key is there for consumers to verify with" \
	test "$(printf %s "$EXKEY" | base64 -d 2>/dev/null | wc -c)" = 32
# verify_push N: check push N's signature as a consumer would, with OpenSSL
# (Ed25519 over the bytes of docs/exchange.md "What is signed").
verify_push() {
	{ printf '302a300506032b6570032100' | xxd -r -p; printf %s "$EXKEY" | base64 -d; } >"$T/exchange.der"
	printf 'bianmin-exchange-push-v1\nsubscription=1\nupto=%s\nsha256=%s\n' \
		"$(sed -n 's/^X-Bianmin-Upto: \([0-9]*\).*/\1/Ip' "$T/recv/$1.headers")" \
		"$(sha256sum <"$T/recv/$1.body" | cut -d' ' -f1)" >"$T/push.signed"
	sed -n 's/^X-Bianmin-Signature: ed25519=\([^[:space:]]*\).*/\1/Ip' "$T/recv/$1.headers" |
		base64 -d >"$T/push.sig"
	openssl pkeyutl -verify -pubin -inkey "$T/exchange.der" -keyform DER -rawin \
		-in "$T/push.signed" -sigfile "$T/push.sig" >/dev/null 2>&1
}
if command -v openssl >/dev/null && command -v xxd >/dev/null; then
	check "a consumer verifies the push's signature with OpenSSL and the exchange's key" verify_push 3
	printf 'x' >>"$T/recv/3.body"
	push_forged() { ! verify_push "$1"; }
	check "and a body changed on the way does not verify" push_forged 3
else
	skip "verifying a push with OpenSSL (openssl or xxd missing)"
fi
check "each push attempt is audited: who sent which batches to whom, with the hash and status" \
	test "$(count "SELECT $(sql_join "summary") FROM (SELECT id, summary FROM audit_log WHERE action = 'exchange.push' ORDER BY id) a" |
		grep -o '"consumer":"YBJ","dataset":"disability","after":0,"upto":'"$SEQ1"',"rows":2,"sha256":"[0-9a-f]\{64\}","status":[0-9]*' |
		sed 's/.*"status"://' | paste -sd,)" = "500,500,200"

# --- key rotation: the old key verifies old batches only --------------------------------
BIANMIN_CLOCK_OFFSET=$(($(china_epoch "2027-01-10 10:00:00") - $(date +%s))) \
	start_server --jobs false --data-dir "$DATA" || { fail "the daemon starts again"; finish; exit 1; }
login 19900000009 demo-2026
ADM=$(json .token)
login 19900000001 demo-2026
RES=$(json .token)
bmx exchange member rotate CDPF --key-out "$T/cdpf2.key" >"$T/rot.out" 2>&1
check "CDPF's key is rotated" grep -q 'member CDPF has key' "$T/rot.out"
printf 'id_number,name,born,grade,certified\n%s,孙八,,3,\n' "$(id18 41168119600303005)" >"$T/b2.csv"
upload "$KCDPF" disability 2026-12 "$T/b2.csv"
expect_error 400 invalid signature "a batch signed with the retired key is refused"
SIG2=$(bmx exchange sign --key "$T/cdpf2.key" --member CDPF --dataset disability --batch 2026-12 "$T/b2.csv")
upload "$KCDPF" disability 2026-12 "$T/b2.csv" "$SIG2"
expect_status 201 "with the new key it is received"
as "$ADM" GET /api/v1/exchange/members
expect_json '[.items[] | select(.code == "CDPF") | .keys | map(.retired_at != null) | map(tostring) | join(",")] | .[0]' \
	"true,false" "the old key is kept, retired, beside the current one"
as "$ADM" GET /api/v1/exchange/subscriptions/1/attempts
expect_json '[.items[].status] | map(tostring) | join(",")' "500,500,200" \
	"the operator sees the push attempts with their HTTP status"
as "$RES" GET /api/v1/exchange/subscriptions
expect_error 403 forbidden - "a resident sees no subscriptions (403)"

# --- the audit trail --------------------------------------------------------------------
check "uploads are audited: 2 received" audited exchange.batch.receive 2
check "1 re-sent" audited exchange.batch.resend 1
check "refusals (signature, schema, content) are audited" \
	test "$(count "SELECT count(*) FROM audit_log WHERE action = 'exchange.batch.reject'")" -ge 5
check "a subscription is audited when added" audited exchange.subscription.add 2
check "and when approved" audited exchange.subscription.approve 1
check "the audit chain is intact" bmx audit verify
check "no personal value reached the daemon's log" \
	bash -c "! grep -qE '张三|李四|$(id18 41168119900101001)' '$T/serve.log'"

finish
