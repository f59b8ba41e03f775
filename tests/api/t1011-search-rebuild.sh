#!/usr/bin/env bash
# t1011: `bianmin search rebuild` (docs/cli.md, docs/search.md): the search
# index made again from the messages finds what it found before, in the
# same scope (a cadre of one village never finds another's messages),
# hidden and recalled messages still not found, and what is posted after it
# found at once; the command's usage errors. On SQLite: an index damaged
# (older than it says) found whole again only by the command, which is
# refused while a server has the database open; a lost index file rebuilt.
# On PostgreSQL the rebuild runs beside the server.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"
. "$(dirname "$0")/groups.sh"

bm init --demo >"$T/init.out" 2>&1
check "setup: init --demo" test $? -eq 0
start_server || { fail "server starts"; finish; exit 1; }
signin_demo || { finish; exit 1; }
G1=$(group_of $V1) G2=$(group_of $V2)
check "setup: the groups of $V1 and $V2" test -n "$G1" -a -n "$G2"

# post TOKEN GROUP TEXT: POST a message; its id in MID.
post() {
	as "$1" POST "/api/v1/groups/$2/messages" "$(jq -nc --arg t "$3" '{text: $t}')"
	MID=$(json '.id // empty')
}
# search TOKEN QUERY: GET /api/v1/messages/search?q=QUERY
search() { as "$1" GET "/api/v1/messages/search?q=$(jq -rn --arg q "$2" '$q | @uri')"; }
# found: "group:text" of the results, sorted, comma-separated.
found() { json '[.messages[] | "\(.group):\(.text)"] | sort | join(",")'; }

post "$RES" "$G1" '通知：明天上午停水，请提前储水'
if ! on_pg; then
	# an index that covers the first message only, kept to damage it later
	search "$CSUP" 停水
	expect_status 200 "setup: the first message is indexed"
	sqlite3 "$DB.search" ".backup '$T/early.search'"
fi
post "$OWN2" "$G2" '二村下午停水检修，WiFi也停'
post "$RES" "$G1" '暴雨预警，大家注意'
as "$RES" POST "/api/v1/messages/$MID/recall"
expect_status 200 "setup: one message is recalled"
post "$RES" "$G1" '暴雨过后路面湿滑'
as "$OWN" POST "/api/v1/messages/$MID/hide" '{"reason":"重复"}'
expect_status 200 "setup: one message is hidden"
ONE="$G1:通知：明天上午停水，请提前储水"
TWO="$G2:二村下午停水检修，WiFi也停"

# the answers a user relies on, asked again after each rebuild
answers() {
	local when=$1
	search "$RES" 停水
	check "$when: the resident of $V1 finds only their village's message ($(found))" test "$(found)" = "$ONE"
	search "$OWN2" 停水
	check "$when: the admin of $V2 finds only theirs ($(found))" test "$(found)" = "$TWO"
	search "$CSUP" 停水
	check "$when: the county supervisor finds both villages' ($(found))" test "$(found)" = "$ONE,$TWO"
	search "$CSUP" 储
	check "$when: one character (储) finds the first ($(found))" \
		test "$(found)" = "$G1:通知：明天上午停水，请提前储水"
	search "$CSUP" wifi
	check "$when: a word in another case (wifi) finds the second ($(found))" test "$(found)" = "$TWO"
	search "$CSUP" 暴雨
	expect_json '.messages | length' 0 "$when: recalled and hidden messages are not found (暴雨)"
}
answers "before"

if on_pg; then
	# REINDEX CONCURRENTLY: the server keeps answering meanwhile
	bm search rebuild >"$T/rebuild.out" 2>"$T/rebuild.err"
	check "search rebuild with the server running exits 0 and says so ($(cat "$T/rebuild.err"))" \
		test $? -eq 0 -a "$(cat "$T/rebuild.out")" = "search index rebuilt"
	check "... the index rebuilt is valid" \
		test "$(db_sql "$DB" "SELECT bool_and(indisvalid) FROM pg_index
			WHERE indexrelid::regclass::text LIKE 'messages%terms%'")" = t
else
	bm search rebuild >"$T/rebuild.out" 2>"$T/rebuild.err"
	rc=$?
	check "search rebuild while the server runs is refused (exit 1: $(cat "$T/rebuild.err"))" \
		test $rc -eq 1 -a -n "$(grep -o 'has this database open: stop it first' "$T/rebuild.err")"
	answers "after a refused rebuild"
	stop_server
	# damage: the index as it was after the first message, told it covers all
	cp "$T/early.search" "$DB.search"
	rm -f "$DB.search-wal" "$DB.search-shm"
	sqlite3 "$DB.search" "UPDATE index_state SET upto = $(sqlite3 "$DB" 'SELECT max(id) FROM messages')"
	start_server || { fail "server starts on the damaged index"; finish; exit 1; }
	search "$CSUP" 停水
	check "the damaged index misses the second village's message ($(found))" \
		test "$(found)" = "$ONE"
	stop_server
	bm search rebuild >"$T/rebuild.out" 2>"$T/rebuild.err"
	check "search rebuild exits 0 and says so ($(cat "$T/rebuild.out"))" \
		test $? -eq 0 -a "$(cat "$T/rebuild.out")" = "search index rebuilt"
	check "... logs its progress and its end" \
		test -n "$(grep 'event=store.search_index_merging' "$T/rebuild.err")" \
		-a -n "$(grep 'event=store.search_index_rebuilt.*segments=1' "$T/rebuild.err")"
	check "... leaves one segment" test "$(sqlite3 "$DB.search" \
		'SELECT count(DISTINCT segid) FROM messages_fts_idx')" = 1
	check "... with automatic merging on again" test "$(sqlite3 "$DB.search" \
		"SELECT v FROM messages_fts_config WHERE k = 'automerge'")" = 4
	start_server || { fail "server starts again"; finish; exit 1; }
fi
answers "after a rebuild"
post "$RES" "$G1" '停水三天了'
search "$RES" 停水
check "a message posted after the rebuild is found at once ($(found))" \
	test "$(found)" = "$G1:停水三天了,$ONE"
ONE="$G1:停水三天了,$ONE"

if ! on_pg; then
	stop_server
	rm -f "$DB.search" "$DB.search-wal" "$DB.search-shm"
	bm search rebuild >"$T/rebuild.out" 2>"$T/rebuild.err"
	check "search rebuild makes a lost index file again (exit 0)" test $? -eq 0
	check "... a file of its own beside the database" test -s "$DB.search"
	start_server || { fail "server starts again"; finish; exit 1; }
	answers "after the file was lost and rebuilt"
fi

bm search >"$T/usage.out" 2>&1
check "'search' without an action is a usage error (exit 2)" test $? -eq 2
bm search rebuild now >"$T/usage.out" 2>&1
check "'search rebuild' with an argument is a usage error (exit 2)" test $? -eq 2
bm search optimize >"$T/usage.out" 2>&1
rc=$?
check "an unknown action is a usage error (exit 2) naming the only one" \
	test $rc -eq 2 -a -n "$(grep -o "the only action is 'rebuild'" "$T/usage.out")"

finish
