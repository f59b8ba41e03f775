#!/usr/bin/env bash
# t1300: the Open311 GeoReport v2 API at /open311/v2/ (and FixMyStreet's
# servicerequestupdates), through our own client (open311.sh): every
# endpoint and every error asked in JSON and in XML, both answers checked
# for the same values.
#
# Discovery; the services (the demand categories) and their attributes
# (village, urgency); raising a demand with an API key from a form, and
# every refusal of it changing nothing (no key, a revoked, unknown or
# session token, a role that may not raise, a bad form, non-UTF-8, missing
# fields, an unknown service, a village of another county or outside the
# key's region, another county's jurisdiction_id, a description over 4,000
# characters); reading requests one by one, by token, and searched (ids,
# service, status, window of 90 days at most, 1,000 results at most) only
# within the key's region and never with a contact; the updates of a
# window; errors in Open311's format even where the server itself refuses
# (unknown path, method, media type, size, credentials). The daemon's clock
# is set to chosen China times (BIANMIN_CLOCK_OFFSET): nothing waits.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"
. "$(dirname "$0")/groups.sh"
. "$(dirname "$0")/clock.sh"
. "$(dirname "$0")/open311.sh"

command -v xmllint >/dev/null || { skip "t1300: xmllint is not installed (Debian: libxml2-utils)"; finish; exit 0; }
O=/open311/v2

# --- setup: the demo county, a second county, API keys --------------------------------
bm init --demo >"$T/init.out" 2>&1
check "setup: init --demo" test $? -eq 0
printf 'code,name\n98,矩阵省\n' >"$T/p.csv"
printf 'code,name,parent_code\n9801,矩阵市,98\n' >"$T/c.csv"
printf 'code,name,parent_code\n980101,矩阵县,9801\n' >"$T/k.csv"
printf 'code,name,level,parent_code\n980101001,矩阵镇,town,980101\n980101001001,矩阵村,village,980101001\n' >"$T/t.csv"
bm import divisions "$T/p.csv" "$T/c.csv" "$T/k.csv" "$T/t.csv" >"$T/import.out" 2>&1
check "setup: a second county, 980101" test $? -eq 0
# newkey NAME ROLE REGION: an API key, printed
newkey() { bm apikey add "$1" --role "$2" --region "$3" 2>&1 | grep -E '^bmk_'; }
KEY=$(newkey county county_supervisor 990101)     # the county's integration
VKEY=$(newkey village village_admin $V1)          # one village only
BKEY=$(newkey bridge bridge 990101)               # a chat bridge: no demands
PKEY=$(newkey province system_admin 99)           # more than one county
RKEY=$(newkey revoked county_supervisor 990101)
RID=$(bm apikey list | awk '$2 == "revoked" { print $1 }')
bm apikey revoke "$RID" >/dev/null 2>&1
check "setup: five API keys, one revoked" test -n "$KEY" -a -n "$VKEY" -a -n "$BKEY" -a -n "$PKEY" -a -n "$RKEY" -a -n "$RID"

case_count() { db_sql "$DB" "SELECT count(*) FROM cases"; }
at_china "2026-05-11 10:00:00" # a Monday

# --- discovery --------------------------------------------------------------------------
o311 GET $O/discovery ""
expect_o311 200 "discovery answers in JSON and XML"
expect_both '.endpoints[0].specification' '/discovery/endpoints/endpoint[1]/specification' \
	http://wiki.open311.org/GeoReport_v2 "it names the GeoReport v2 specification"
expect_both '.endpoints[0].url | test("/open311/v2$")' \
	'substring-after(/discovery/endpoints/endpoint[1]/url, "//") != "" and contains(/discovery/endpoints/endpoint[1]/url, "/open311/v2")' \
	true "and where the API is"
expect_both '.endpoints[0].formats | join(",")' \
	'concat(/discovery/endpoints/endpoint[1]/formats/format[1], ",", /discovery/endpoints/endpoint[1]/formats/format[2])' \
	"text/xml,application/json" "and both formats"
expect_both '.changeset | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\+08:00$")' \
	'string-length(/discovery/changeset) = 25 and substring(/discovery/changeset, 20) = "+08:00"' \
	true "its changeset is an ISO 8601 time in China's offset"

# --- services: the demand categories ------------------------------------------------------
as "$RES" GET /api/v1/demands/categories
NCAT=$(json '.items | length')
o311 GET $O/services ""
expect_o311 200 "the services answer without a key"
expect_both 'length' 'count(/services/service)' "$NCAT" "one service per demand category ($NCAT)"
expect_both '.[] | select(.service_code == "utilities.water") | [.service_name, .group, .type, .metadata] | map(tostring) | join(" ")' \
	'concat(/services/service[service_code="utilities.water"]/service_name, " ", /services/service[service_code="utilities.water"]/group, " ", /services/service[service_code="utilities.water"]/type, " ", /services/service[service_code="utilities.water"]/metadata)' \
	"供水、停水 水电气暖 realtime true" "a service: its Chinese name, its parent's name as group, realtime, with attributes"
expect_both '[.[] | select(.metadata != true or .type != "realtime")] | length' \
	'count(/services/service[metadata != "true" or type != "realtime"])' 0 "every service is realtime with attributes"
o311 GET $O/services "jurisdiction_id=990101"
expect_both 'length' 'count(/services/service)' "$NCAT" "jurisdiction_id: the county's code"
o311 GET $O/services "jurisdiction_id=980101"
expect_o311 200 "any county of the registry is a jurisdiction of the services"
o311 GET $O/services "jurisdiction_id=990199"
expect_o311_error 404 "a county that is not in the registry: 404 (the spec's)" "jurisdiction_id '990199' was not found"
o311 GET $O/services "jurisdiction_id=990101103200"
expect_o311_error 404 "a village is no jurisdiction: 404" "was not found"

o311 GET $O/services/utilities.water ""
expect_o311 200 "a service's definition"
expect_both .service_code /service_definition/service_code utilities.water "names its service"
expect_both '.attributes | map(.code) | join(",")' \
	'concat(/service_definition/attributes/attribute[1]/code, ",", /service_definition/attributes/attribute[2]/code)' \
	"village,urgency" "asks for the village, then the urgency"
expect_both '.attributes[0] | [.datatype, .required, .order, .variable] | map(tostring) | join(" ")' \
	'concat(//attribute[code="village"]/datatype, " ", //attribute[code="village"]/required, " ", //attribute[code="village"]/order, " ", //attribute[code="village"]/variable)' \
	"string true 1 true" "the village is a required string"
expect_both '.attributes[1] | [.datatype, .required, (.values | map(.key) | join(","))] | map(tostring) | join(" ")' \
	'concat(//attribute[code="urgency"]/datatype, " ", //attribute[code="urgency"]/required, " ", //attribute[code="urgency"]/values/value[1]/key, ",", //attribute[code="urgency"]/values/value[2]/key, ",", //attribute[code="urgency"]/values/value[3]/key, ",", //attribute[code="urgency"]/values/value[4]/key)' \
	"singlevaluelist false emergency,utilities,general,complex" "the urgency is an optional list of the four classes"
expect_both '.attributes[1].description | contains("水电气暖")' \
	'contains(//attribute[code="urgency"]/description, "水电气暖")' true "saying the category's own class"
o311 GET $O/services/nosuch.thing ""
expect_o311_error 404 "an unknown service_code: 404" "service_code 'nosuch.thing' was not found"
o311 GET $O/services/utilities.water "jurisdiction_id=123"
expect_o311_error 404 "a malformed jurisdiction_id: 404" "jurisdiction_id '123' was not found"

# --- POST requests: refusals that change nothing -------------------------------------------
GOOD=(service_code=roads.lights "attribute[village]=$V1" "description=村口路灯坏了三天了" lat=33.4512
	long=114.8963 "address_string=村口" first_name=三 last_name=张 phone=13912345678
	email=zhang@example.cn media_url=https://example.cn/p.jpg)
before=$(case_count)
o311_post $O/requests "${GOOD[@]}"
expect_o311_error 403 "POST without api_key: 403" "api_key is required"
o311 POST $O/requests ""
expect_o311_error 403 "POST with no body nor type (a form without fields): 403" "api_key is required"
o311_post $O/requests "api_key=$RKEY" "${GOOD[@]}"
expect_o311_error 403 "POST with a revoked key: 403" "revoked"
o311_post $O/requests "api_key=bmk_NoSuchKey000000000000000000000000000000000" "${GOOD[@]}"
expect_o311_error 403 "POST with an unknown key: 403" "unknown API key"
o311_post $O/requests "api_key=$CSUP" "${GOOD[@]}"
expect_o311_error 403 "a session token is no API key: 403" "not an API key"
o311_post $O/requests "api_key=$BKEY" "${GOOD[@]}"
expect_o311_error 403 "a key whose role may not handle demands cannot raise one: 403" "may not raise demands"
o311 POST $O/requests "" -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary "api_key=$KEY&service_code=roads.lights&description=%E8%B7%AF%zz"
expect_o311_error 400 "a bad percent-escape in the form: 400" "field 'description' has a '%' that is not followed by two hex digits"
o311 POST $O/requests "" -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary "api_key=$KEY&service_code=roads.lights&description=%FF%FE"
expect_o311_error 400 "a field that is not UTF-8: 400" "field 'description' is not valid UTF-8"
o311 POST $O/requests "" -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary "api_key=$KEY&service_code=roads.lights&service_code=roads"
expect_o311_error 400 "a field given twice: 400" "field 'service_code' is given twice"
o311 POST $O/requests "" -H 'Content-Type: application/json' --data-binary '{"api_key":"x"}'
expect_o311_error 415 "a body that is no form: 415, still in Open311's format" "application/x-www-form-urlencoded"
o311_post $O/requests "api_key=$KEY" "attribute[village]=$V1" description=x
expect_o311_error 400 "without service_code: 400" "service_code is required"
o311_post $O/requests "api_key=$KEY" service_code=roads.nosuch "attribute[village]=$V1" description=x
expect_o311_error 400 "an unknown service_code: 400" "service_code: no such category 'roads.nosuch'"
o311_post $O/requests "api_key=$KEY" service_code=roads description=x
expect_o311_error 400 "without attribute[village]: 400" "attribute[village] is required"
o311_post $O/requests "api_key=$KEY" service_code=roads "attribute[village]=$TOWN" description=x
expect_o311_error 400 "a town is no village: 400" "is not the code of a village of jurisdiction 990101"
o311_post $O/requests "api_key=$KEY" service_code=roads "attribute[village]=980101001001" description=x
expect_o311_error 400 "a village of another county: 400" "is not the code of a village of jurisdiction 990101"
o311_post $O/requests "api_key=$VKEY" service_code=roads "attribute[village]=$V2" description=x
expect_o311_error 403 "a village outside the key's region: 403" "attribute[village]: region $V2 is outside the regions you handle"
o311_post $O/requests "api_key=$KEY" jurisdiction_id=980101 service_code=roads \
	"attribute[village]=980101001001" description=x
expect_o311_error 404 "another county's jurisdiction_id: 404 (the spec's)" "jurisdiction_id '980101' was not found"
o311_post $O/requests "api_key=$KEY" jurisdiction_id=990199 "${GOOD[@]}"
expect_o311_error 404 "a jurisdiction_id that is no county: 404" "was not found"
o311_post $O/requests "api_key=$PKEY" "${GOOD[@]}"
expect_o311_error 400 "a key over several counties must say which: 400" "jurisdiction_id is required"
o311_post $O/requests "api_key=$KEY" service_code=roads "attribute[village]=$V1"
expect_o311_error 400 "without a description: 400" "description is required"
LONG=$(printf '路%.0s' $(seq 1 4001))
o311_post $O/requests "api_key=$KEY" service_code=roads "attribute[village]=$V1" "description=$LONG"
expect_o311_error 400 "a description over 4,000 characters: 400" "description is longer than 4000 characters"
o311_post $O/requests "api_key=$KEY" service_code=roads "attribute[village]=$V1" description=x lat=33.1
expect_o311_error 400 "lat without long: 400" "lat and long must both be given"
o311_post $O/requests "api_key=$KEY" service_code=roads "attribute[village]=$V1" description=x lat=95 long=114
expect_o311_error 400 "coordinates out of range: 400" "lat and long: coordinates are out of range"
o311_post $O/requests "api_key=$KEY" service_code=roads "attribute[village]=$V1" description=x phone=12345
expect_o311_error 400 "a phone that is no phone number: 400, named as Open311 names it" "phone:"
o311_post $O/requests "api_key=$KEY" service_code=roads "attribute[village]=$V1" description=x \
	"attribute[urgency]=soon"
expect_o311_error 400 "an urgency that is no class: 400" "attribute[urgency]: urgency must be"
check "none of the refused requests stored anything" test "$(case_count)" = "$before"

# --- POST requests: raising demands -----------------------------------------------------------
o311_post $O/requests "api_key=$KEY" "${GOOD[@]}" "attribute[urgency]=utilities"
expect_o311 201 "a county key raises a demand from a form (201, in both formats)"
DJ=$(jx '.[0].service_request_id') DX=$(xx '/service_requests/request[1]/service_request_id')
check "each answer names its new request by a string id" \
	test "$(jx '.[0].service_request_id | type')" = string -a -n "$DX" -a "$DJ" != "$DX"
expect_both '.[0].service_notice | length > 0' 'string-length(/service_requests/request[1]/service_notice) > 0' \
	true "with a notice of what happens next"
check "two demands were stored" test "$(case_count)" = $((before + 2))
as "$CSUP" GET "/api/v1/demands/$DJ"
expect_json '[.source, .region, .category, .urgency, .address, .location.lat, .location.lon, .contact_name, .contact_phone, .state] | map(tostring) | join(" ")' \
	"open311 $V1 roads.lights utilities 村口 33.4512 114.8963 张三 139****5678 received" \
	"it is a demand like any other: source open311, the village, the service as category, urgency, address, location, the contact (family name first; masked)"
CREATED=$(json .created_at)
check "the email is not kept (demands keep a phone only)" \
	test "$(db_sql "$DB" "SELECT count(*) FROM cases WHERE description LIKE '%example.cn%' OR contact_name LIKE '%example%'")" = 0
o311_post $O/requests "api_key=$VKEY" service_code=utilities.water "attribute[village]=$V1" "description=停水了"
expect_o311 201 "a key of the village raises a demand about its village"
expect_both '.[0].service_request_id | test("^[0-9]+$")' \
	'string-length(translate(/service_requests/request[1]/service_request_id, "0123456789", "")) = 0' true "a string of digits"
DW=$(jx '.[0].service_request_id') DW2=$(xx '/service_requests/request[1]/service_request_id')
as "$CSUP" GET "/api/v1/demands/$DW"
expect_json '[.urgency, .source] | join(" ")' "utilities open311" "the category's urgency when none is asked"
o311_post $O/requests "api_key=$PKEY" jurisdiction_id=990101 service_code=roads.repair \
	"attribute[village]=$V2" "description=路面塌陷"
expect_o311 201 "a key over several counties raises with its jurisdiction_id"
DV2=$(jx '.[0].service_request_id') DV22=$(xx '/service_requests/request[1]/service_request_id')

# --- GET requests/{id} and tokens/{token} ---------------------------------------------------
o311 GET "$O/requests/$DJ" "api_key=$KEY"
expect_o311 200 "one request, by its id"
expect_both '.[0] | [.service_request_id, .status, .service_code, .service_name, .description, .lat, .long, .address] | map(tostring) | join(" ")' \
	'concat(//request/service_request_id, " ", //request/status, " ", //request/service_code, " ", //request/service_name, " ", //request/description, " ", //request/lat, " ", //request/long, " ", //request/address)' \
	"$DJ open roads.lights 路灯 村口路灯坏了三天了 33.4512 114.8963 村口" "its status, service, description, location and address"
want=$(jq -rn --arg t "$CREATED" '$t | fromdateiso8601 + 8 * 3600 | strftime("%Y-%m-%dT%H:%M:%S+08:00")')
expect_both '.[0].requested_datetime' '//request/requested_datetime' "$want" \
	"requested_datetime is ISO 8601 with China's offset ($want)"
expect_both '.[0].status_notes' '//request/status_notes' "已接收" "its state in words"
check "no contact in either answer: no name, phone or email" \
	test -z "$(grep -lE '张三|139[0-9*]{4}5678|example\.cn' "$T/o311.json" "$T/o311.xml")"
o311 GET "$O/requests/$DV2" "api_key=$VKEY"
expect_o311_error 404 "another village's request is absent to a village key: 404" "service_request_id '$DV2' was not found"
o311 GET "$O/requests/99999999" "api_key=$KEY"
expect_o311_error 404 "an unknown request: 404" "was not found"
o311 GET "$O/requests/abc" "api_key=$KEY"
expect_o311_error 404 "an id that is no id: 404" "was not found"
o311 GET "$O/requests/$DJ" ""
expect_o311_error 403 "reading without a key: 403" "api_key is required"
o311 GET "$O/requests/$DJ" "api_key=$RKEY"
expect_o311_error 403 "reading with a revoked key: 403" "revoked"
o311 GET "$O/requests/$DJ" "api_key=$BKEY"
expect_o311_error 403 "a key whose role may not read demands: 403" "may not read demands"
o311 GET "$O/requests/$DJ" "api_key=$KEY&jurisdiction_id=980101"
expect_o311_error 404 "another county's jurisdiction_id: 404" "jurisdiction_id '980101' was not found"
o311 GET "$O/requests/$DJ" "api_key=$PKEY&jurisdiction_id=990101"
expect_o311 200 "a key over several counties reads with its jurisdiction_id"
o311 GET "$O/requests/$DJ" "api_key=$PKEY&jurisdiction_id=980101"
expect_o311_error 404 "nor with a county outside its region" "was not found"

o311 GET "$O/tokens/$DW" "api_key=$VKEY"
expect_o311 200 "a token (a request's id: requests are made at once)"
expect_both '.[0] | [.service_request_id, .token] | join(" ")' \
	'concat(//request/service_request_id, " ", //request/token)' "$DW $DW" "names its request"
o311 GET "$O/tokens/424242" "api_key=$KEY"
expect_o311_error 404 "an unknown token: 404" "token '424242' was not found"
o311 GET "$O/tokens/$DW" ""
expect_o311_error 403 "a token without a key: 403" "api_key is required"

# --- the life of a demand, for the searches and updates -----------------------------------
act() {
	local v
	v=$(db_sql "$DB" "SELECT version FROM cases WHERE id = $2")
	as "$1" POST "/api/v1/demands/$2/actions" "$(jq -c --argjson v "$v" '. + {version: $v}' <<<"$3")"
}
act "$OWN" "$DW" '{"action":"acknowledge"}'
act "$OWN" "$DW" '{"action":"resolve","reason":"已修复水管"}'
act "$OWN" "$DW" '{"action":"follow_up","resolved":true,"rating":"satisfied"}'
expect_json .state closed "setup: the water demand is handled and closed through the JSON API"

# --- GET requests: searches --------------------------------------------------------------
# six demands: each POST above made two, one asked in JSON, one in XML
ALL=$(printf '%s\n' "$DJ" "$DX" "$DW" "$DW2" "$DV2" "$DV22" | sort -n | paste -sd,)
o311 GET $O/requests "api_key=$KEY"
expect_o311 200 "the county key lists the requests of the last 90 days"
expect_both '[.[].service_request_id] | sort_by(tonumber) | join(",")' \
	"concat(//request[6]/service_request_id, ',', //request[5]/service_request_id, ',', //request[4]/service_request_id, ',', //request[3]/service_request_id, ',', //request[2]/service_request_id, ',', //request[1]/service_request_id)" \
	"$ALL" "all six, newest first, in both formats"
check "newest first" test "$(jx '[.[].service_request_id | tonumber] | . == (sort | reverse)')" = true
o311 GET $O/requests "api_key=$VKEY"
expect_both "[.[].service_request_id] | (index(\"$DV2\") == null and index(\"$DV22\") == null and length == 4)" \
	"count(//request) = 4 and count(//request[service_request_id=$DV2 or service_request_id=$DV22]) = 0" true \
	"a village key lists only its village's requests"
o311 GET $O/requests "api_key=$KEY&status=closed"
expect_both '"\(length) " + ([.[] | .service_request_id + "/" + .status] | join(","))' \
	'concat(count(//request), " ", //request[1]/service_request_id, "/", //request[1]/status)' "1 $DW/closed" \
	"status=closed: the closed one"
expect_both '.[0].status_notes' '//request[1]/status_notes' "已关闭" "its state in words"
o311 GET $O/requests "api_key=$KEY&status=open"
expect_both "length == 5 and ([.[].status] | unique) == [\"open\"]" \
	"count(//request) = 5 and count(//request[status != 'open']) = 0" true "status=open: the other five"
o311 GET $O/requests "api_key=$KEY&service_code=utilities.water"
expect_both '"\(length) " + ([.[].service_request_id] | join(","))' \
	'concat(count(//request), " ", //request[1]/service_request_id, ",", //request[2]/service_request_id)' \
	"2 $DW2,$DW" "service_code filters by service"
o311 GET $O/requests "api_key=$KEY&service_request_id=$DJ,$DV2,99999999&status=closed"
expect_both '[.[].service_request_id] | sort | join(",")' \
	"concat(//request[service_request_id=$DJ]/service_request_id, ',', //request[service_request_id=$DV2]/service_request_id)" \
	"$(printf '%s\n' "$DJ" "$DV2" | sort | paste -sd,)" \
	"service_request_id: a comma list, overriding the other filters (an unknown id is left out)"
o311 GET $O/requests "api_key=$VKEY&service_request_id=$DJ,$DV2"
expect_both '"\(length) " + ([.[].service_request_id] | join(","))' \
	'concat(count(//request), " ", //request[1]/service_request_id)' "1 $DJ" \
	"an id outside the key's region is left out as absent"
o311 GET $O/requests "api_key=$KEY&service_request_id=$DJ,abc"
expect_o311_error 400 "service_request_id with something that is no id: 400" "service_request_id 'abc' is not a request id"
o311 GET $O/requests "api_key=$KEY&status=pending"
expect_o311_error 400 "an unknown status: 400" "status must be open or closed"
o311 GET $O/requests "api_key=$KEY&service_code=nosuch"
expect_o311_error 400 "an unknown service_code: 400" "service_code 'nosuch' is not a service"
o311 GET $O/requests "api_key=$KEY&start_date=yesterday"
expect_o311_error 400 "a start_date that is no ISO 8601 time: 400" "start_date 'yesterday' is not an ISO 8601 time"
o311 GET $O/requests "api_key=$KEY&end_date=2026-05-11T10:00:00"
expect_o311_error 400 "a time without its offset: 400" "end_date '2026-05-11T10:00:00' is not an ISO 8601 time"
o311 GET $O/requests "api_key=$KEY&start_date=2026-05-11T00:00:00%2B08:00&end_date=2026-05-10T00:00:00Z"
expect_o311_error 400 "an end before the start: 400" "end_date is before start_date"
o311 GET $O/requests "api_key=$KEY&start_date=2026-01-01T00:00:00Z&end_date=2026-04-02T00:00:00Z"
expect_o311_error 400 "a window over 90 days: 400" "spans more than 90 days"
o311 GET $O/requests "api_key=$KEY&start_date=2026-05-11T00:00:00%2B08:00&end_date=2026-05-11T23:59:59%2B08:00"
expect_both 'length' 'count(//request)' 6 "a window of one day (ISO 8601 with an offset) holds today's six"
o311 GET $O/requests "api_key=$KEY&end_date=2026-05-10T23:59:59%2B08:00"
expect_both 'length' 'count(//request)' 0 "the 90 days before an end_date of yesterday hold none"
o311 GET $O/requests ""
expect_o311_error 403 "searching without a key: 403" "api_key is required"
o311 GET $O/requests "api_key=$BKEY"
expect_o311_error 403 "with a key whose role may not read demands: 403" "may not read demands"
o311 GET $O/requests "api_key=$KEY&jurisdiction_id=980101"
expect_o311_error 404 "another county's jurisdiction_id: 404" "jurisdiction_id '980101' was not found"
o311 GET $O/requests "api_key=$PKEY"
expect_o311_error 400 "a key over several counties must name one: 400" "jurisdiction_id is required"

# --- servicerequestupdates ------------------------------------------------------------------
o311 GET $O/servicerequestupdates "api_key=$KEY"
expect_o311 200 "the updates of the last 90 days"
expect_both "[.[] | select(.service_request_id == \"$DW\") | .status] | join(\",\")" \
	"concat(//request_update[service_request_id=$DW][1]/status, ',', //request_update[service_request_id=$DW][2]/status, ',', //request_update[service_request_id=$DW][3]/status, ',', //request_update[service_request_id=$DW][4]/status, ',', //request_update[service_request_id=$DW][5]/status)" \
	"open,open,open,open,closed" "a demand's timeline, oldest first: received, acknowledged, resolved, confirmed, closed"
expect_both "[.[] | select(.service_request_id == \"$DW\") | .description][2]" \
	"//request_update[service_request_id=$DW][3]/description" "办结" "each update says what happened, in words"
expect_both "[.[] | .description | contains(\"已修复水管\")] | any" \
	"count(//request_update[contains(description, '已修复水管')]) > 0" false \
	"never with the notes cadres wrote (they may name people)"
expect_both '([.[].update_id | type] | unique) == ["string"] and ([.[].update_id | tonumber] | . == sort)' \
	'count(//request_update[string-length(update_id) = 0]) = 0' true "every update has a string id, in order"
expect_both '[.[] | .updated_datetime | test("\\+08:00$")] | all' \
	"count(//request_update[substring(updated_datetime, 20) != '+08:00']) = 0" true "updated_datetime in China's offset"
expect_both 'length' 'count(//request_update)' 10 "ten lines in all: six demands opened, four steps of one"
o311 GET $O/servicerequestupdates "api_key=$VKEY"
expect_both "[.[] | select(.service_request_id == \"$DV2\" or .service_request_id == \"$DV22\")] | length" \
	"count(//request_update[service_request_id=$DV2 or service_request_id=$DV22])" 0 \
	"a village key sees no update of another village"
o311 GET $O/servicerequestupdates "api_key=$KEY&start_date=2026-05-11T00:00:00%2B08:00&end_date=2026-05-11T09:59:00%2B08:00"
expect_both 'length' 'count(//request_update)' 0 "a window before anything happened holds none"
o311 GET $O/servicerequestupdates "api_key=$KEY&start_date=2026-01-01T00:00:00Z&end_date=2026-05-01T00:00:00Z"
expect_o311_error 400 "updates over more than 90 days: 400" "spans more than 90 days"
o311 GET $O/servicerequestupdates "api_key=$KEY&start_date=soon"
expect_o311_error 400 "a bad start_date: 400" "start_date 'soon'"
o311 GET $O/servicerequestupdates ""
expect_o311_error 403 "updates without a key: 403" "api_key is required"
o311 GET $O/servicerequestupdates "api_key=$RKEY"
expect_o311_error 403 "updates with a revoked key: 403" "revoked"
o311 GET $O/servicerequestupdates "api_key=$KEY&jurisdiction_id=980101"
expect_o311_error 404 "updates of another county: 404" "was not found"

# --- 100 days later: the default window moves on ---------------------------------------------
at_china "2026-08-19 10:00:00"
o311_post $O/requests "api_key=$KEY" service_code=environment.waste "attribute[village]=$V1" "description=垃圾没人清运"
expect_o311 201 "setup: two demands raised 100 days later"
o311 GET $O/requests "api_key=$KEY"
expect_both 'length' 'count(//request)' 2 "by default only the last 90 days: the two new ones"
o311 GET $O/requests "api_key=$KEY&start_date=2026-05-01T00:00:00%2B08:00"
expect_both 'length' 'count(//request)' 6 "a start_date alone: the 90 days from it"
o311 GET $O/servicerequestupdates "api_key=$KEY"
expect_both 'length' 'count(//request_update)' 2 "the updates likewise"

# --- at most 1,000 results ---------------------------------------------------------------------
: >"$T/many.cfg"
for i in $(seq 1 1000); do
	[ "$i" -gt 1 ] && echo next >>"$T/many.cfg"
	printf 'url = "%s"\nrequest = "POST"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\ndata-binary = "{\\"region\\":\\"%s\\",\\"category\\":\\"other\\",\\"description\\":\\"批量%s\\"}"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
		"$BASE/api/v1/demands" "$KEY" "$V1" "$i" >>"$T/many.cfg"
done
check "setup: 1,000 more demands (the JSON API)" test "$(curl -s -K "$T/many.cfg" | grep -c '^201$')" = 1000
o311 GET $O/requests "api_key=$KEY"
expect_both 'length' 'count(//request)' 1000 "a search lists at most 1,000 requests (1,002 match)"
expect_both '.[999].description' '//request[1000]/description' "批量1" "the newest ones"
o311 GET $O/servicerequestupdates "api_key=$KEY"
expect_both 'length' 'count(//request_update)' 1000 "and at most 1,000 updates"
expect_both '.[0].description' '//request_update[1]/description' "已接收" "the oldest first"

# --- a county's own category tree ---------------------------------------------------------------
printf 'code,parent,name,urgency,active\nroads,,道路,general,yes\nroads.paths,roads,村道,complex,yes\nold,,旧类别,general,no\n' >"$T/tree.csv"
bm demands categories import --county 980101 "$T/tree.csv" >"$T/tree.out" 2>&1
check "setup: county 980101 has a tree of its own" test $? -eq 0
KEY98=$(newkey county98 county_supervisor 980101)
o311 GET $O/services "jurisdiction_id=980101"
expect_both '[.[] | .service_code + "/" + .group] | join(",")' \
	'concat(//service[1]/service_code, "/", //service[1]/group, ",", //service[2]/service_code, "/", //service[2]/group, substring(",more", 1, 5 * (count(//service) > 2)))' \
	"roads/道路,roads.paths/道路" "the services of a jurisdiction are its county's categories (an inactive one is not offered)"
o311 GET $O/services/roads.paths "jurisdiction_id=980101"
expect_both '.attributes[1].description | contains("复杂")' 'contains(//attribute[code="urgency"]/description, "复杂")' \
	true "with the urgency that county gives them"
o311 GET $O/services/old "jurisdiction_id=980101"
expect_o311_error 404 "a category the county no longer uses is no service" "service_code 'old' was not found"
o311 GET $O/services/roads.paths ""
expect_o311_error 404 "without jurisdiction_id the services are the built-in tree" "was not found"
o311_post $O/requests "api_key=$KEY98" service_code=roads.lights "attribute[village]=980101001001" description=路灯
expect_o311_error 400 "a category of another county's tree is refused" "service_code: no such category 'roads.lights'"
o311_post $O/requests "api_key=$KEY98" service_code=roads.paths "attribute[village]=980101001001" description=村道坏了
expect_o311 201 "a request of the county's own service becomes its demand"
o311 GET "$O/requests/$(jx '.[0].service_request_id')" "api_key=$KEY98"
expect_both '.[0].service_name' '//request/service_name' 村道 "named as its county names it"

# --- every error under /open311/ is Open311's --------------------------------------------------
o311 GET $O/nosuch ""
expect_o311_error 404 "an unknown path: 404 in Open311's format" "no such resource"
o311 DELETE $O/requests ""
expect_o311_error 405 "a method the path does not take: 405 in Open311's format" "not allowed"
check "with its Allow header" grep -qi '^Allow: POST, GET, HEAD' "$T/o311.json.headers"
head -c 70000 /dev/zero | tr '\0' a >"$T/big"
o311 POST $O/requests "" -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "@$T/big"
expect_o311_error 413 "a body over 64 KiB: 413 in Open311's format" "larger than"
o311 GET $O/services "" -H 'Authorization: Basic eDp5'
expect_o311_error 401 "a malformed Authorization header: 401 in Open311's format" "Bearer"
req GET $O/services.html
check "no suffix it knows: 404 as an XML error list" \
	test "$STATUS" = 404 -a "$(xmllint --xpath 'string(/errors/error/code)' "$T/body" 2>/dev/null)" = 404

finish
