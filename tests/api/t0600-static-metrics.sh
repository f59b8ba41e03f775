#!/usr/bin/env bash
# t0600: /metrics (Prometheus text format: request counters by route and
# status, latency histograms, database figures), the OpenAPI document, and
# the static files of the front end: served with their types, never from
# outside the web root, never hidden files or symbolic links.
. "$(dirname "$0")/lib.sh"

# metric 'NAME{LABELS}': its value in the last body, or 0 when absent.
metric() { awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }' "$T/body"; }

# A web root of our own, with a secret file beside it that must stay out.
W=$T/web
mkdir -p "$W/sub" "$W/.git" "$W/empty"
printf '<!doctype html><title>t0600</title>\n' >"$W/index.html"
printf 'console.log("t0600");\n' >"$W/app.js"
printf 'body{}\n' >"$W/style.css"
printf 'sub page\n' >"$W/sub/page.txt"
printf 'hidden\n' >"$W/.env"
printf '[core]\n' >"$W/.git/config"
printf 'k3pt-0ut-of-the-web-root\n' >"$T/secret.txt"
ln -s ../secret.txt "$W/link.txt"

bm init --demo >/dev/null 2>&1
start_server --web-root "$W" || { fail "server starts"; finish; exit 1; }

# --- metrics ------------------------------------------------------------------
req GET /metrics
expect_status 200 "/metrics answers 200"
check "/metrics is Prometheus text format 0.0.4" grep -q '^text/plain; version=0.0.4' <<<"$(header Content-Type)"
check "every line is a comment or a well-formed sample of a declared metric" awk '
	/^# HELP [a-z_:][a-z0-9_:]* / { next }
	/^# TYPE [a-z_:][a-z0-9_:]* (counter|gauge|histogram|summary|untyped)$/ { typed[$3] = 1; next }
	/^[a-z_:][a-z0-9_:]*(\{([a-z_][a-z0-9_]*="[^"]*",?)*\})? -?[0-9.e+]+$/ {
		name = $1; sub(/\{.*/, "", name)
		base = name; sub(/_(bucket|sum|count)$/, "", base)
		if (typed[name] || typed[base]) next
	}
	{ print "bad line " NR ": " $0; bad = 1 }
	END { exit bad }' "$T/body"
for m in bianmin_http_requests_total bianmin_http_request_duration_seconds bianmin_db_commits_total \
	bianmin_db_size_bytes bianmin_db_reader_connections bianmin_db_reader_connections_max \
	bianmin_db_reader_waits_total \
	bianmin_search_lag_messages; do
	check "/metrics declares $m" grep -q "^# TYPE $m " "$T/body"
done
check "the latency is a histogram" grep -q '^# TYPE bianmin_http_request_duration_seconds histogram$' "$T/body"
check "the database size is above 0" test "$(metric bianmin_db_size_bytes)" -gt 0
if on_pg; then
	check "PostgreSQL's reads wait for no bound" test "$(metric bianmin_db_reader_connections_max)" = 0
else
	check "SQLite's reads wait past 12 connections" \
		test "$(metric bianmin_db_reader_connections_max)" = 12
fi

K='{method="GET",route="/api/v1/regions/{code}",status="404"}'
H='{method="GET",route="/api/v1/regions/{code}"'
before=$(metric "bianmin_http_requests_total$K")
count_before=$(metric "bianmin_http_request_duration_seconds_count$H}")
# One connection: the 404 is counted before the next request is read.
curl -s -o /dev/null "$BASE/api/v1/regions/110101" -o "$T/body" "$BASE/metrics"
check "a 404 on /api/v1/regions/{code} increments its counter by one" \
	test "$(metric "bianmin_http_requests_total$K")" -eq $((before + 1))
check "the request is counted in the route's histogram" \
	test "$(metric "bianmin_http_request_duration_seconds_count$H}")" -eq $((count_before + 1))
check "the histogram's buckets are cumulative and end in +Inf = count" awk -v h="$H" '
	index($1, "bianmin_http_request_duration_seconds_bucket" h) == 1 {
		if ($2 + 0 < last) bad = 1
		last = $2 + 0; n++
		if ($1 ~ /le="\+Inf"/) inf = $2 + 0
	}
	index($1, "bianmin_http_request_duration_seconds_count" h) == 1 { count = $2 + 0 }
	END { exit !(n > 1 && !bad && inf == count && count > 0) }' "$T/body"
check "the histogram has a sum" grep -q "^bianmin_http_request_duration_seconds_sum$H} [0-9.]*$" "$T/body"
K200='{method="GET",route="/api/v1/regions/{code}",status="200"}'
before=$(metric "bianmin_http_requests_total$K200")
curl -s -o /dev/null "$BASE/api/v1/regions/990101" -o /dev/null "$BASE/api/v1/regions/99" \
	-o "$T/body" "$BASE/metrics"
check "two answers of 200 count two, apart from the 404s" \
	test "$(metric "bianmin_http_requests_total$K200")" -eq $((before + 2))
KU='{method="any",route="unmatched",status="404"}'
before=$(metric "bianmin_http_requests_total$KU")
curl -s -o /dev/null "$BASE/no/such/page" -o "$T/body" "$BASE/metrics"
check "an unknown path counts under route=\"unmatched\"" test "$(metric "bianmin_http_requests_total$KU")" -eq $((before + 1))
KS='{method="any",route="static",status="200"}'
before=$(metric "bianmin_http_requests_total$KS")
curl -s -o /dev/null "$BASE/app.js" -o "$T/body" "$BASE/metrics"
check "a static file counts under route=\"static\"" test "$(metric "bianmin_http_requests_total$KS")" -eq $((before + 1))

# --- OpenAPI --------------------------------------------------------------------
req GET /api/v1/openapi.json
expect_status 200 "the OpenAPI document is served"
check "it is JSON" jq -e . "$T/body" >/dev/null
check "its Content-Type is JSON" grep -q '^application/json' <<<"$(header Content-Type)"
check "it is OpenAPI 3.x" jq -e '.openapi | test("^3\\.[0-9]+\\.[0-9]+$")' "$T/body" >/dev/null
check "it has info.title, info.version and paths" \
	jq -e '(.info.title | type) == "string" and (.info.version | type) == "string" and (.paths | type) == "object"' "$T/body" >/dev/null

# --- static files ---------------------------------------------------------------
req GET /
expect_status 200 "/ serves index.html"
check "/ is text/html" grep -q '^text/html' <<<"$(header Content-Type)"
check "/ is the web root's index.html" cmp -s "$T/body" "$W/index.html"
check "every response keeps the security headers" test "$(header X-Content-Type-Options)" = nosniff
req GET /app.js
check "a .js file is served as JavaScript" test "$STATUS $(header Content-Type)" = "200 text/javascript; charset=utf-8"
check "its content is the file's" cmp -s "$T/body" "$W/app.js"
req GET /style.css
check "a .css file is served as CSS" test "$STATUS $(header Content-Type)" = "200 text/css; charset=utf-8"
req GET /sub/page.txt
check "a file in a folder is served" test "$STATUS $(cat "$T/body")" = "200 sub page"
req HEAD /app.js -I
check "HEAD on a static file answers 200 with its length" test "$STATUS $(header Content-Length)" = "200 $(wc -c <"$W/app.js" | tr -d ' ')"

for p in /../secret.txt /%2e%2e/secret.txt /%2E%2E%2Fsecret.txt /sub/../../secret.txt /sub/%2e%2e/%2e%2e/secret.txt \
	/..%2fsecret.txt //secret.txt /../db "/$T/secret.txt"; do
	req GET "$p" --path-as-is
	check "traversal $p is refused with 404" test "$STATUS" = 404
	check "and $p does not leak the file" test -z "$(grep k3pt-0ut "$T/body")"
done
req GET /sub/../index.html --path-as-is
expect_status 404 "a path with .. is refused even inside the root"
for p in /.env /.git/config /sub/.hidden /.%65nv; do
	req GET "$p"
	expect_status 404 "hidden file $p is refused"
done
req GET /index.html%00.js
expect_status 404 "a %00 does not cut a static path short"
req GET /link.txt
expect_status 404 "a symbolic link is not followed"
req GET /empty/
expect_status 404 "a folder without index.html answers 404"
req GET /sub
expect_status 404 "a folder is not served as a file"
req GET /missing.js
expect_status 404 "a missing file answers 404"
check "a missing file answers with the JSON error" test "$(json .error.code)" = not_found
req GET /api/app.js
expect_status 404 "paths under /api/ are never static files"
req GET /join/66a7e16b814e3df5b73d933d992cfa73
check "a group's join link /join/CODE serves index.html (the page reads the code)" \
	test "$STATUS $(cmp -s "$T/body" "$W/index.html" && echo same)" = "200 same"
for p in /join/ /join/a/b /join/../secret.txt; do
	req GET "$p" --path-as-is
	expect_status 404 "$p is no join link"
done
req POST /app.js -H 'Content-Type: application/json' --data-binary '{}'
expect_status 404 "a static path does not take POST"

# --- the project's own web/ -------------------------------------------------------
stop_server || fail "the daemon stops cleanly before the restart"
start_server || { fail "server restarts"; finish; exit 1; }
req GET /../Makefile --path-as-is
expect_status 404 "/../Makefile is refused with the project's web root"
req GET /%2e%2e/Makefile
expect_status 404 "/%2e%2e/Makefile is refused with the project's web root"
if [ -f "$BIANMIN_TOP/web/index.html" ]; then
	req GET /
	expect_status 200 "/ serves web/index.html"
	check "web/index.html is text/html" grep -q '^text/html' <<<"$(header Content-Type)"
	check "the body is web/index.html" cmp -s "$T/body" "$BIANMIN_TOP/web/index.html"
else
	skip "web/index.html is absent: the project's front end is not checked"
fi

finish
