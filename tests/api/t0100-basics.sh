#!/usr/bin/env bash
# t0100: the daemon starts on a demo database, answers /healthz, and stamps
# every response with a request id and the security headers.
. "$(dirname "$0")/lib.sh"

bm init --demo >/dev/null 2>&1
start_server || { fail "server starts"; finish; exit 1; }

req GET /healthz
expect_status 200 "healthz answers 200"
expect_json .status ok "healthz reports ok"
check "every response has a request id" test -n "$(header X-Request-Id)"
check "responses forbid content sniffing" test "$(header X-Content-Type-Options)" = nosniff
check "responses forbid framing" test "$(header X-Frame-Options)" = DENY
# near: the healthz time is within a minute of $1 seconds from now
near() { local t; t=$(json '.time | fromdateiso8601'); [ -n "$t" ] && (( ${t} - $(date +%s) - $1 < 60 && $(date +%s) + $1 - ${t} < 60 )); }
check "healthz tells the server's clock (the page counts remaining times by it)" near 0

req GET /api/v1/regions/990101
expect_status 200 "the demo county is served"
expect_json .name "便民县（演示）" "the demo county is labelled as a demo"
expect_json '.children | length' 20 "the demo county has 20 towns"

stop_server || fail "the daemon stops cleanly"
BIANMIN_CLOCK_OFFSET=86400 start_server || { fail "server starts a day later"; finish; exit 1; }
req GET /healthz
check "healthz's time is the server's clock, shifted a day when the clock is" near 86400

finish
