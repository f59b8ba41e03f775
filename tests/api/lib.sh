# tests/api/lib.sh - what every API test script sources.
#
# Gives each script a temporary folder ($T) with its own database, a daemon
# on a free port of 127.0.0.1 (start_server), request helpers that keep the
# status, headers and body of the last response, and checks that count
# passes and failures. finish prints "N passed, N failed, N skipped" and sets
# the exit status. Needs curl and jq; BIANMIN names the binary.
#
# Backends: by default each database is a SQLite file in $T. When
# BIANMIN_TEST_PG is set (a libpq URI of a maintenance database, e.g.
# "postgresql:///postgres"), each database is a PostgreSQL database of its
# own, created here with a name unique to $T and dropped in cleanup; $DB is
# what --db gets either way. Scripts that read or alter the database behind
# the daemon's back use db_sql and the helpers below, never a backend's
# shell directly.
set -uo pipefail

: "${BIANMIN:?set BIANMIN to the bianmin binary (make test does)}"
BIANMIN_TOP=${BIANMIN_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIANMIN_DATA=${BIANMIN_DATA:-$BIANMIN_TOP/../shared/data}
T=$(mktemp -d "${TMPDIR:-/tmp}/bianmin-api.XXXXXX")
PASS=0 FAIL=0 SKIPPED=0 N=0
SERVER_PID=
STATUS=
BASE=

on_pg() { [ -n "${BIANMIN_TEST_PG:-}" ]; }

# The database name for NAME on PostgreSQL: unique to this script's $T.
pg_name() { echo "bmt_$(basename "$T" | tr 'A-Z.-' 'a-z__')_$1"; }
# The URI of database DBNAME on the server of BIANMIN_TEST_PG.
pg_uri() {
	sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\1/$1#" <<<"$BIANMIN_TEST_PG"
}
# psql on the maintenance database, quiet, stopping at the first error.
pg_admin() { psql -qAtX -v ON_ERROR_STOP=1 -d "$BIANMIN_TEST_PG" "$@"; }

# new_db NAME: print the --db value of a new, empty database called NAME.
new_db() {
	if on_pg; then
		local name
		name=$(pg_name "$1")
		pg_admin -c "CREATE DATABASE \"$name\" ENCODING 'UTF8' TEMPLATE template0" >/dev/null ||
			return 1
		echo "$name" >>"$T/pg-databases"
		pg_uri "$name"
	else
		echo "$T/$1"
	fi
}

# missing_db NAME: the --db value of a database that does not exist.
missing_db() { if on_pg; then pg_uri "$(pg_name "$1")"; else echo "$T/$1/bianmin.db"; fi; }

# db_exists DB: true when the database DB exists and holds a schema.
db_exists() {
	if on_pg; then
		[ "$(psql -qAtX -d "$1" -c "SELECT to_regclass('schema_migrations') IS NOT NULL" 2>/dev/null)" = t ]
	else
		test -f "$1"
	fi
}

# db_shell: true when the shell that db_sql needs is installed.
db_shell() { if on_pg; then command -v psql >/dev/null; else command -v sqlite3 >/dev/null; fi; }
db_shell_name() { if on_pg; then echo psql; else echo sqlite3; fi; }

# db_sql DB SQL: run SQL on database DB; rows on stdout, one a line,
# columns separated by '|'.
db_sql() {
	if on_pg; then psql -qAtX -v ON_ERROR_STOP=1 -d "$1" -c "$2"
	else sqlite3 "$1" "$2"; fi
}

# db_copy DB NAME: copy database DB (no client may be connected to it) into
# a new database NAME; prints the copy's --db value.
db_copy() {
	if on_pg; then
		local name src
		name=$(pg_name "$2")
		src=$(sed -E 's#^postgres(ql)?://[^/?]*/([^?]*).*#\2#' <<<"$1")
		pg_admin -c "CREATE DATABASE \"$name\" TEMPLATE \"$src\"" >/dev/null || return 1
		echo "$name" >>"$T/pg-databases"
		pg_uri "$name"
	else
		sqlite3 "$1" ".backup '$T/$2.db'" && echo "$T/$2.db"
	fi
}

# SQL that differs between the backends: a blob literal from hex digits, the
# hex digits (upper case) of a blob column, and a comma-joined aggregate in
# id order.
sql_blob() { if on_pg; then echo "'\\x$1'::bytea"; else echo "X'$1'"; fi; }
sql_hex() { if on_pg; then echo "upper(encode($1, 'hex'))"; else echo "hex($1)"; fi; }
sql_join() { if on_pg; then echo "string_agg($1, ',' ORDER BY id)"; else echo "group_concat($1, ',')"; fi; }

cleanup() {
	[ -n "$SERVER_PID" ] && stop_server
	if on_pg && [ -f "$T/pg-databases" ]; then
		local name
		while read -r name; do
			pg_admin -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null 2>&1
		done <"$T/pg-databases"
	fi
	rm -rf "$T"
}
trap cleanup EXIT

if on_pg; then
	command -v psql >/dev/null || { echo "BIANMIN_TEST_PG is set but psql is not installed" >&2; exit 1; }
fi
DB=$(new_db db) || { echo "cannot create the test database" >&2; exit 1; }

# Run the binary on this script's database.
bm() { "$BIANMIN" --db "$DB" "$@"; }

# Start `bianmin serve` on a free port; extra arguments go to serve.
# Waits (at most 20 s) for the ready line, then sets BASE.
start_server() {
	: >"$T/serve.log"
	"$BIANMIN" --db "$DB" serve --listen 127.0.0.1:0 --web-root "$BIANMIN_TOP/web" "$@" \
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
