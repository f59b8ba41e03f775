#!/usr/bin/env bash
# t0200: bad input of every kind gets the JSON error
#   {"error":{"code","message","request_id"[,"field"]}}
# with the right status, and the daemon keeps answering afterwards.
. "$(dirname "$0")/lib.sh"

# expect_error STATUS CODE FIELD DESCRIPTION: the last reply is an error of
# that status and code, naming FIELD ("-": names none), with a message and
# the request id of its X-Request-Id header.
expect_error() {
	local want="$2|string|true|$3" got
	got=$(jq -r --arg rid "$(header X-Request-Id)" '.error |
		"\(.code)|\(.message | if type == "string" and length > 0 then "string" else "none" end)|\(.request_id == $rid and $rid != "")|\(.field // "-")"' \
		"$T/body" 2>/dev/null)
	if [ "$STATUS" = "$1" ] && [ "$got" = "$want" ]; then pass "$4"
	else fail "$4" "status $STATUS (want $1), code|message|request_id|field '$got' (want '$want'); body: $(head -c 300 "$T/body")"; fi
}

not_grep() { ! grep -q "$@"; }

# A body of exactly N bytes: a valid lookup padded with spaces.
lookup_body() {
	local head='{"codes":["990101"]}'
	{ printf '%s' "$head"; head -c $(($1 - ${#head})) /dev/zero | tr '\0' ' '; } >"$T/pad.json"
}

bm init --demo >/dev/null 2>&1
start_server || { fail "server starts"; finish; exit 1; }
LOOKUP=/api/v1/regions/lookup

# --- request bodies -----------------------------------------------------------
req_json POST $LOOKUP '{"codes": ["990101"'
expect_error 400 invalid - "malformed JSON is refused with 400"
check "the message says the body is not JSON" grep -q 'not valid JSON' "$T/body"
req_json POST $LOOKUP ''
expect_error 400 invalid - "an empty JSON body is refused with 400"
req_json POST $LOOKUP '{"codes":["990101"],"codes":["110101"]}'
expect_error 400 invalid - "a JSON object with a duplicate key is refused"
req_json POST $LOOKUP $'{"codes":["\xff"]}'
expect_error 400 invalid - "a JSON body that is not UTF-8 is refused"
req_json POST $LOOKUP '[1,2]'
expect_error 400 invalid codes "a body that is not an object names field codes"
req_json POST $LOOKUP '{"codes":"990101"}'
expect_error 400 invalid codes "codes that is not an array names field codes"
req_json POST $LOOKUP '{"codes":[]}'
expect_error 400 invalid codes "an empty codes array is refused"
req_json POST $LOOKUP "{\"codes\":[$(printf '"990101",%.0s' $(seq 1000))\"990101\"]}"
expect_error 400 invalid codes "more than 1000 codes are refused"
req_json POST $LOOKUP '{"codes":["990101",5]}'
expect_error 400 invalid 'codes[1]' "a number among the codes names codes[1]"
req_json POST $LOOKUP '{"codes":[null]}'
expect_error 400 invalid 'codes[0]' "null among the codes names codes[0]"
req_json POST $LOOKUP '{"codes":["990101","99",{"code":"9901"}]}'
expect_error 400 invalid 'codes[2]' "an object among the codes names codes[2]"
req_json POST $LOOKUP '{"codes":["990101","99","12x"]}'
expect_error 400 invalid 'codes[2]' "a malformed code among the codes names codes[2]"

# --- body size: the lookup route takes at most 64 KiB ---------------------------
lookup_body 65536
req POST $LOOKUP -H 'Content-Type: application/json' --data-binary @"$T/pad.json"
expect_status 200 "a body of exactly the route's limit (65536 bytes) is accepted"
lookup_body 65537
req POST $LOOKUP -H 'Content-Type: application/json' --data-binary @"$T/pad.json"
expect_error 413 too_large - "a body one byte over the limit is refused with 413 (Content-Length)"
req POST $LOOKUP -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
	--data-binary @"$T/pad.json"
expect_error 413 too_large - "a body one byte over the limit is refused with 413 (chunked)"
check "curl really sends such a body chunked" \
	grep -q 'Transfer-Encoding: chunked' <(curl -s -v -o /dev/null -H 'Content-Type: application/json' \
		-H 'Transfer-Encoding: chunked' --data-binary '{}' "$BASE$LOOKUP" 2>&1)
lookup_body 65536
req POST $LOOKUP -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
	--data-binary @"$T/pad.json"
expect_status 200 "a chunked body of exactly the limit is accepted"

# --- content type -------------------------------------------------------------
req POST $LOOKUP -H 'Content-Type: text/plain' --data-binary '{"codes":["990101"]}'
expect_error 415 unsupported_media_type - "a text/plain body is refused with 415"
req POST $LOOKUP -H 'Content-Type:' --data-binary '{"codes":["990101"]}'
expect_error 415 unsupported_media_type - "a body without Content-Type is refused with 415"
req POST $LOOKUP -H 'Content-Type: application/jsonp' --data-binary '{"codes":["990101"]}'
expect_error 415 unsupported_media_type - "application/jsonp is not application/json"
req POST $LOOKUP -H 'Content-Type: application/json; charset=utf-8' --data-binary '{"codes":["990101"]}'
expect_status 200 "application/json with a charset parameter is accepted"

# --- a body where none is taken -----------------------------------------------
req GET /healthz -H 'Content-Type: application/json' --data-binary '{}'
expect_error 400 invalid - "a GET with a body is refused with 400"
req GET /api/v1/regions/990101 -H 'Transfer-Encoding: chunked' --data-binary 'x'
expect_error 400 invalid - "a GET with a chunked body is refused with 400"

# --- paths and query text that are not UTF-8 -----------------------------------
req GET '/api/v1/regions/%ff'
expect_error 400 invalid - "a path with byte 0xff is refused with 400"
req GET '/api/v1/regions/%c0%af'
expect_error 400 invalid - "a path with an overlong UTF-8 '/' is refused with 400"
req GET '/%ed%a0%80'
expect_error 400 invalid - "a path with a UTF-16 surrogate is refused with 400"
req GET '/api/v1/regions?q=%ff'
expect_error 400 invalid q "q with byte 0xff is refused naming q"
req GET '/api/v1/regions?q=%e6%96'
expect_error 400 invalid q "q with a cut UTF-8 sequence is refused naming q"
req GET '/api/v1/regions?q=%c0%af'
expect_error 400 invalid q "q with an overlong encoding is refused naming q"
req GET "/api/v1/regions?q=$(printf '%%E5%%BC%%A0%.0s' $(seq 51))"
expect_error 400 invalid q "q of 51 characters is refused naming q"
req GET '/api/v1/regions?q=%E5%BC%A0&within=%ff'
expect_error 400 invalid within "within that is not UTF-8 is refused naming within"

# A %00 must not cut the path or a query value short.
req GET '/api/v1/regions/99%0001'
expect_error 400 invalid code "a path with %00 is refused, not read as region 99"
req GET '/api/v1/regions?q=%E6%96%B0%00x'
check "a q with %00 is not cut short to the text before it" test "$(json .query)" != 新

# --- routes and methods --------------------------------------------------------
for p in /nope /api/v1/nope /api/v1/regions/ /api/v1/regions/990101/nope /metrics/; do
	req GET "$p"
	expect_error 404 not_found - "unknown route $p answers 404"
done
req DELETE /api/v1/regions/990101
expect_error 405 method_not_allowed - "DELETE on a region answers 405"
check "the 405 has an Allow header listing GET and HEAD" test "$(header Allow)" = "GET, HEAD"
req POST /healthz -H 'Content-Type: application/json' --data-binary '{}'
expect_error 405 method_not_allowed - "POST on /healthz answers 405"
check "the 405 of /healthz allows GET, HEAD" test "$(header Allow)" = "GET, HEAD"
req PUT $LOOKUP -H 'Content-Type: application/json' --data-binary '{"codes":["99"]}'
expect_error 405 method_not_allowed - "PUT on the lookup route answers 405"
check "the 405 of the lookup route allows POST" grep -q 'POST' <<<"$(header Allow)"
req FROB /healthz
expect_error 405 method_not_allowed - "an unknown method answers 405"

# An early answer (here 405 with a body) keeps the connection usable.
out=$(curl -s -o /dev/null -w '%{http_code} %{num_connects}\n' -X POST \
	-H 'Content-Type: application/json' --data-binary '{"codes":["990101"]}' "$BASE/healthz" \
	--next -s -o /dev/null -w '%{http_code} %{num_connects}\n' "$BASE/healthz")
check "after a refused request with a body, the same connection serves the next request" \
	test "$out" = $'405 1\n200 0'

# --- division codes, unknown regions, ranges -----------------------------------
for c in 12345 abc 1234567890123 00 99x1; do
	req GET "/api/v1/regions/$c"
	expect_error 400 invalid code "bad division code '$c' is refused naming field code"
done
req GET /api/v1/regions/12345/tree
expect_error 400 invalid code "a bad code in /tree is refused naming field code"
req GET "/api/v1/regions/$(printf '9%.0s' $(seq 3000))"
expect_error 400 invalid code "a 3000-digit code is refused naming field code"
req GET '/api/v1/regions?q=%E5%BC%A0&within=9x'
expect_error 400 invalid within "a bad within code is refused naming within"
req GET /api/v1/regions/110101
expect_error 404 not_found - "a region not in the registry answers 404"
check "the 404 message quotes the code" grep -q "'110101'" "$T/body"
req GET /api/v1/regions/110101/tree
expect_error 404 not_found - "the tree of a region not in the registry answers 404"
req GET /api/v1/regions/990101999
expect_error 404 not_found - "an unknown town under a known county answers 404"

for l in 0 201 -1 abc 1.5 ''; do
	req GET "/api/v1/regions?q=%E5%BC%A0&limit=$l"
	expect_error 400 invalid limit "limit='$l' is refused naming limit"
done
for d in 0 5 x 99999999999999999999; do
	req GET "/api/v1/regions/990101/tree?depth=$d"
	expect_error 400 invalid depth "depth='$d' is refused naming depth"
done
req GET '/api/v1/regions?q=%E5%BC%A0&level=planet'
expect_error 400 invalid level "an unknown level is refused naming level"
req GET /api/v1/regions
expect_error 400 invalid q "a search without q is refused naming q"
req GET '/api/v1/regions?q='
expect_error 400 invalid q "a search with an empty q is refused naming q"

# --- the daemon survived all of it --------------------------------------------
req GET /healthz
expect_status 200 "after all of that, /healthz still answers 200"
check "the daemon process is still running" kill -0 "$SERVER_PID"
check "no request of this script was answered with a 5xx status" \
	not_grep 'status=5[0-9][0-9]' "$T/serve.log"

finish
