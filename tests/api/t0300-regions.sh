#!/usr/bin/env bash
# t0300: the divisions registry as the API shows it, on the demo county
# (990101: 20 towns and streets with 25 villages or communities each):
# one region with its parents and children, the nested tree, HEAD, search
# and lookup.
. "$(dirname "$0")/lib.sh"

# check_jq DESCRIPTION JQ_FILTER: passes when the filter is true on the last body.
check_jq() {
	if jq -e "$2" "$T/body" >/dev/null 2>&1; then pass "$1"
	else fail "$1" "jq '$2' is not true; body: $(head -c 300 "$T/body")"; fi
}

bm init --demo >/dev/null 2>&1
start_server || { fail "server starts"; finish; exit 1; }

# --- one region -----------------------------------------------------------------
req GET /api/v1/regions/990101
expect_status 200 "a county is served"
expect_json '[.code, .level, .level_name, .parent_code] | join(" ")' "990101 county 县 9901" \
	"the county has its code, level, level name and parent"
expect_json '[.parents[].code] | join(" ")' "99 9901" "its parents run from the province down"
expect_json '[.parents[].level] | join(" ")' "province city" "the parents carry their levels"
expect_json '.parents[0].parent_code' null "the province's parent is null"
expect_json '.children | length' 20 "the county lists its 20 towns"
check_jq "child_count agrees with the children listed" '.child_count == (.children | length)'
check_jq "every child names the county as its parent and is a town" \
	'all(.children[]; .parent_code == "990101" and .level == "town" and .level_name == "乡镇")'
check_jq "every town carries its own child_count (25)" 'all(.children[]; .child_count == 25)'
check_jq "children come in code order" '[.children[].code] == ([.children[].code] | sort)'
cat "$T/body" >"$T/county.json"

req GET /api/v1/regions/990101001
expect_status 200 "a town is served"
village=$(json '.children[0].code')
expect_json '[.parents[].code] | join(" ")' "99 9901 990101" "the town's parents are province, city, county"
req GET "/api/v1/regions/$village"
expect_status 200 "a village is served"
expect_json '[.level, .parent_code, .child_count, (.children | length)] | join(" ")' \
	"village 990101001 0 0" "a village has no children"
expect_json '[.parents[].code] | join(" ")' "99 9901 990101 990101001" \
	"the village's parents run province, city, county, town"
req GET /api/v1/regions/99
expect_json '[.level, (.parents | length), (.parent_code == null), .children[0].code] | join(" ")' \
	"province 0 true 9901" "a province has no parents and lists its city"

# --- HEAD ---------------------------------------------------------------------
req HEAD /api/v1/regions/990101 -I
expect_status 200 "HEAD on a region answers 200"
port=${BASE##*:}
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'HEAD /api/v1/regions/990101 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' >&3
timeout 10 cat <&3 >"$T/raw"
exec 3<&-
check "HEAD sends the headers and not a byte of body" \
	test "$(sed -n '/^\r$/,$p' "$T/raw" | tail -n +2 | wc -c)" -eq 0 -a -s "$T/raw"
check "HEAD announces the same length as GET" \
	test "$(header Content-Length)" = "$(wc -c <"$T/county.json" | tr -d ' ')"
check "HEAD announces JSON" grep -q '^application/json' <<<"$(header Content-Type)"
req HEAD /api/v1/regions/990101/tree -I
expect_status 200 "HEAD on a tree answers 200"
req HEAD /api/v1/regions/110101 -I
expect_status 404 "HEAD on an unknown region answers 404"

# --- tree -----------------------------------------------------------------------
req GET /api/v1/regions/990101/tree
expect_status 200 "the county's tree is served"
expect_json '.count' 521 "the whole tree counts the county, 20 towns and 500 villages"
expect_json '.children | length' 20 "the tree nests 20 towns under the county"
check_jq "each town nests its 25 villages" 'all(.children[]; (.children | length) == 25)'
check_jq "every nested node names its parent" \
	'all(.children[]; . as $t | .parent_code == "990101" and all($t.children[]; .parent_code == $t.code))'
check_jq "villages are leaves" 'all(.children[].children[]; .level == "village" and (has("children") | not))'
expect_json '[.. | objects | select(.level? == "village")] | length' 500 "500 villages in all"
req GET '/api/v1/regions/990101/tree?depth=1'
expect_json '.count' 21 "depth=1 stops at the towns"
check_jq "with depth=1 no town has children" 'all(.children[]; has("children") | not)'
req GET '/api/v1/regions/99/tree?depth=2'
expect_json '[.code, .children[0].code, .children[0].children[0].code, .count] | join(" ")' \
	"99 9901 990101 3" "depth=2 from the province reaches the county"
check_jq "depth=2 from the province stops at the county" \
	'.children[0].children[0] | has("children") | not'
req GET '/api/v1/regions/99/tree'
expect_json '.count' 523 "the province's full tree counts all 523 demo regions"
req GET "/api/v1/regions/$village/tree"
expect_json '[.code, .count, has("children")] | join(" ")' "$village 1 false" \
	"the tree of a village is the village alone"

# --- search -------------------------------------------------------------------
# 新 starts 9 demo names (新桥镇, 新薛集村...) and is inside 5 more (育新社区...).
req GET '/api/v1/regions?q=%E6%96%B0&limit=200'
expect_status 200 "search answers 200"
expect_json '.query' 新 "the reply echoes the query"
expect_json '.results | length' 14 "search finds every name containing 新"
check_jq "every hit contains the query" 'all(.results[]; .name | contains("新"))'
check_jq "hits are prefix hits first, then substring hits" \
	'[.results[].name | startswith("新")] as $p | $p == ($p | sort | reverse) and ($p | any) and ($p | all | not)'
check_jq "each hit carries its parents and child_count" \
	'all(.results[]; (.parents | type) == "array" and (.child_count | type) == "number")'
check_jq "a village hit lists its four parents" \
	'[.results[] | select(.level == "village")][0].parents | length == 4'
cat "$T/body" >"$T/all.json"
req GET '/api/v1/regions?q=%E6%96%B0&limit=3'
expect_json '.results | length' 3 "limit=3 returns 3 hits"
check "limit keeps the best hits: the first 3 of the full list" \
	test "$(json '[.results[].code] | join(" ")')" = "$(jq -r '[.results[:3][].code] | join(" ")' "$T/all.json")"
req GET '/api/v1/regions?q=%E6%96%B0&limit=10'
check "limit=10 runs past the 9 prefix hits into the substring hits in order" \
	test "$(json '[.results[].code] | join(" ")')" = "$(jq -r '[.results[:10][].code] | join(" ")' "$T/all.json")"
req GET '/api/v1/regions?q=%E6%96%B0&within=990101002'
check_jq "within= keeps hits inside that town, with both kinds of hit" \
	'(.results | length) > 1 and all(.results[]; .code | startswith("990101002")) and any(.results[]; .name | startswith("新") | not)'
req GET '/api/v1/regions?q=%E6%96%B0&level=town'
expect_json '[.results[] | .name + ":" + .level] | join(" ")' "新桥镇:town" "level=town keeps the towns only"
req GET '/api/v1/regions?q=%E6%96%B0&within=990101108&level=village&limit=200'
check_jq "within and level combine" 'all(.results[]; .level == "village" and (.code | startswith("990101108")))'
req GET '/api/v1/regions?q=%E4%BE%BF%E6%B0%91%E5%8E%BF'
expect_json '[.results[].code] | join(" ")' 990101 "a search for 便民县 finds the demo county"
req GET '/api/v1/regions?q=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84%E5%9C%B0%E6%96%B9'
expect_status 200 "a search without hits answers 200"
expect_json '.results | length' 0 "and returns no results"
req GET '/api/v1/regions?q=%25'
expect_json '.results | length' 0 "'%' is searched as text, not as a pattern"

# --- lookup ---------------------------------------------------------------------
req_json POST /api/v1/regions/lookup "{\"codes\":[\"990101\",\"110101\",\"$village\",\"99\",\"990101999\"]}"
expect_status 200 "lookup answers 200"
expect_json '[.regions[].code] | join(" ")' "990101 $village 99" "found regions come in the order asked"
expect_json '.missing | join(" ")' "110101 990101999" "codes not in the registry are listed as missing"
check_jq "found regions carry name, level and child_count" \
	'.regions[0] | .name == "便民县（演示）" and .level == "county" and .child_count == 20'

finish
