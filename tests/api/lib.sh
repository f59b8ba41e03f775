# tests/api/lib.sh - what every API test script sources.
#
# Gives each script a temporary folder ($T) with its own database, a daemon
# on a free port of 127.0.0.1 (start_server), request helpers that keep the
# status, headers and body of the last response, and checks that count
# passes and failures. finish prints "N passed, N failed, N skipped" and sets
# the exit status. Needs curl and jq; BIANMIN names the binary.
set -uo pipefail

: "${BIANMIN:?set BIANMIN to the bianmin binary (make test does)}"
BIANMIN_TOP=${BIANMIN_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIANMIN_DATA=${BIANMIN_DATA:-$BIANMIN_TOP/../shared/data}
T=$(mktemp -d "${TMPDIR:-/tmp}/bianmin-api.XXXXXX")
PASS=0 FAIL=0 SKIPPED=0 N=0
SERVER_PID=
STATUS=
BASE=

cleanup() {
	[ -n "$SERVER_PID" ] && stop_server
	rm -rf "$T"
}
trap cleanup EXIT

# Run the binary on this script's database.
bm() { "$BIANMIN" --db "$T/db" "$@"; }

# Start `bianmin serve` on a free port; extra arguments go to serve.
# Waits (at most 20 s) for the ready line, then sets BASE.
start_server() {
	: >"$T/serve.log"
	"$BIANMIN" --db "$T/db" serve --listen 127.0.0.1:0 --web-root "$BIANMIN_TOP/web" "$@" \
		2>>"$T/serve.log" &
	SERVER_PID=$!
	local i
	for i in $(seq 1 400); do
		grep -q 'event=serve.ready' "$T/serve.log" && break
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.05
	done
	local port
	port=$(grep -o 'event=serve.ready url=http://127.0.0.1:[0-9]*' "$T/serve.log" | head -n 1 | sed 's/.*://')
	if [ -z "$port" ]; then
		echo "server did not start:" >&2
		cat "$T/serve.log" >&2
		SERVER_PID=
		return 1
	fi
	BASE="http://127.0.0.1:$port"
}

# Stop the daemon with SIGTERM and wait for it; returns its exit status.
stop_server() {
	local rc=0
	kill -TERM "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" || rc=$?
	SERVER_PID=
	return $rc
}

# req METHOD PATH [curl arguments...]: sets STATUS; body in $T/body,
# headers in $T/headers.
req() {
	local method=$1 path=$2
	shift 2
	STATUS=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' -X "$method" "$@" "$BASE$path")
}

# req_json METHOD PATH JSON: a request with a JSON body.
req_json() {
	req "$1" "$2" -H 'Content-Type: application/json' --data-binary "$3"
}

# Value of a jq expression over the last body (raw output).
json() { jq -r "$1" "$T/body" 2>/dev/null; }

# Value of a response header of the last response.
header() { grep -i "^$1:" "$T/headers" | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }

pass() { N=$((N + 1)); PASS=$((PASS + 1)); echo "ok $N - $1"; }
fail() {
	N=$((N + 1)); FAIL=$((FAIL + 1))
	echo "not ok $N - $1"
	[ $# -gt 1 ] && echo "#   $2"
	return 0
}
skip() { SKIPPED=$((SKIPPED + 1)); echo "SKIP $1"; }

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc" "command failed: $*"; fi
}

# expect_status CODE DESCRIPTION
expect_status() {
	if [ "$STATUS" = "$1" ]; then pass "$2"
	else fail "$2" "status $STATUS, expected $1; body: $(head -c 300 "$T/body")"; fi
}

# expect_json JQ_EXPR EXPECTED DESCRIPTION
expect_json() {
	local got
	got=$(json "$1")
	if [ "$got" = "$2" ]; then pass "$3"
	else fail "$3" "$1 is '$(head -c 300 <<<"$got")', expected '$2'"; fi
}

# The closing line the runner reads; exit status 1 when anything failed.
# A daemon still running is stopped first and must exit cleanly (under the
# sanitizer build this is where leaks and undefined behaviour show up).
finish() {
	if [ -n "$SERVER_PID" ]; then
		if stop_server; then pass "the daemon stops cleanly"
		else fail "the daemon stops cleanly" "$(tail -n 20 "$T/serve.log")"; fi
	fi
	echo "$PASS passed, $FAIL failed, $SKIPPED skipped"
	[ "$FAIL" -eq 0 ]
}
