#!/usr/bin/env bash
# t1220: what each county configures for its demands (诉求), through the
# command line (`bianmin demands settings|categories`) and the API, with the
# daemon's clock set to chosen China times (BIANMIN_CLOCK_OFFSET) and the
# clocks run by `bianmin demands sweep` at chosen instants.
#
# Two counties: the demo county 990101 and a county 980101 imported here
# (no standing groups: its demands run on the county's default duty hours),
# whose demands an API key of a county supervisor raises. A county whose
# general limit is 5 working days sees its demand due 5 working days later,
# while the other keeps 7, and a running daemon sees the change at once; the
# sweep runs on the county's limits and warning share; the default duty
# hours move the acknowledgement clock. An imported tree changes what can be
# raised there (new categories, inactive ones refused, removed ones
# unknown) and nowhere else. Every refused setting or file (unknown name,
# bad unit, zero, absurd, warning share, duty hours, a name twice; unknown
# parent, duplicate code, bad urgency, empty name, a category open demands
# have) changes nothing and leaves no audit entry. Who may read them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"
. "$(dirname "$0")/groups.sh"
. "$(dirname "$0")/clock.sh"

bm init --demo >"$T/init.out" 2>&1
check "setup: init --demo" test $? -eq 0
printf 'code,name\n98,配置省\n' >"$T/p.csv"
printf 'code,name,parent_code\n9801,配置市,98\n' >"$T/c.csv"
printf 'code,name,parent_code\n980101,配置县,9801\n' >"$T/k.csv"
printf 'code,name,level,parent_code\n980101001,配置镇,town,980101\n980101001001,配置村,village,980101001\n' >"$T/t.csv"
bm import divisions "$T/p.csv" "$T/c.csv" "$T/k.csv" "$T/t.csv" >"$T/import.out" 2>&1
check "setup: the county 980101 is imported" test $? -eq 0
bm apikey add settings98 --role county_supervisor --region 980101 >"$T/key.out" 2>&1
K98=$(grep -oE '^bmk_[^ ]+' "$T/key.out")
check "setup: an API key of a county supervisor of 980101" test -n "$K98"
V98=980101001001

# sweep_after ID SECONDS: run the clocks SECONDS after demand ID was raised.
sweep_after() {
	local created
	created=$(db_sql "$DB" "SELECT created_at FROM cases WHERE id = $1")
	BIANMIN_CLOCK_OFFSET=$((created + $2 - $(date +%s))) bm demands sweep >"$T/sweep.out" 2>&1
}
# raise TOKEN REGION CATEGORY: POST a demand about REGION; its id in DID.
raise() {
	as "$1" POST /api/v1/demands "{\"region\":\"$2\",\"category\":\"$3\",\"description\":\"测试诉求\"}"
	DID=$(json '.id // empty')
}
# get ID [TOKEN]: demand ID as the county supervisor of 990101 (or TOKEN) reads it.
get() { as "${2:-$CSUP}" GET "/api/v1/demands/$1"; }
# due CLOCK: the due instant of the clock of the last demand read.
due() { json ".clocks[] | select(.name == \"$1\") | .due"; }
# since_created CLOCK FIELD: seconds from the demand's creation to its clock's FIELD.
since_created() { json "(.clocks[] | select(.name == \"$1\") | .$2 | fromdateiso8601) - (.created_at | fromdateiso8601)"; }
audits() { db_sql "$DB" "SELECT count(*) FROM audit_log WHERE object = '$1'"; }
# settings COUNTY: what `demands settings show` prints, in $T/settings.out
settings() { bm demands settings show --county "$1" >"$T/settings.out" 2>&1; }
# refused DESCRIPTION PART ARGS...: the command exits 3, its message says PART.
refused() {
	local desc=$1 part=$2 rc
	shift 2
	bm "$@" >"$T/cli.out" 2>&1
	rc=$?
	if [ $rc -eq 3 ] && grep -qF -- "$part" "$T/cli.out"; then pass "$desc"
	else fail "$desc" "exit $rc (want 3), output: $(head -c 300 "$T/cli.out") (want '$part')"; fi
}

# --- the settings a county starts with, and who may read them ---------------------------------
settings 990101
check "settings show: every setting at its default" grep -qE '^resolve.general +7wd +一般诉求办结时限  \(default\)$' "$T/settings.out"
check "settings show: nine settings" test "$(grep -c '(default)' "$T/settings.out")" -eq 9
at_china "2024-10-14 10:00:00"
as "$CSUP" GET "/api/v1/demands/settings?county=990101"
expect_status 200 "a county supervisor reads the county's settings"
expect_json '[.county, .version, .tree, (.settings | length)] | map(tostring) | join(" ")' "990101 0 built-in 9" \
	"version 0: nothing stored, the built-in tree"
expect_json '.settings[] | select(.name == "resolve.general") | [.value, .default, .label, .set_by] | map(tostring) | join(" ")' \
	"7wd 7wd 一般诉求办结时限 null" "each with its value, default and label"
expect_json '[.settings[].name] | join(",")' "ack,resolve.emergency,resolve.utilities,resolve.general,resolve.complex,arrive,followup,warn,duty_hours" \
	"the names, in order"
as "$OWN" GET /api/v1/demands/settings
expect_json '.county' 990101 "a village cadre reads the settings of their county (the default county)"
as "$K98" GET /api/v1/demands/settings
expect_json '.county' 980101 "an API key reads those of its own county"
as "$RES" GET "/api/v1/demands/settings?county=990101"
expect_error 403 forbidden - "a resident may not read them"
as "$OWN" GET "/api/v1/demands/settings?county=980101"
expect_error 404 not_found county "another county's look absent"
as "$CSUP" GET "/api/v1/demands/settings?county=9901"
expect_error 400 invalid county "a code that is no county's is refused" "county"
as "$ADM" GET "/api/v1/demands/settings?county=990199"
expect_error 404 not_found county "a county not in the registry is absent"

# --- 5 working days in one county, 7 in the other ----------------------------------------------
raise "$OWN" $V1 roads.repair
expect_status 201 "a general demand in 990101"
D7=$DID
expect_json '.clocks[] | select(.name == "resolve") | .due' "2024-10-23T16:00:00Z" \
	"due in 7 working days (the end of Wednesday 10-23)"
bm demands settings set --county 990101 resolve.general=5wd >"$T/set.out" 2>&1
check "settings set resolve.general=5wd (the daemon keeps running)" test $? -eq 0
check "it says what changed" grep -q 'county 990101: 1 setting changed' "$T/set.out"
raise "$OWN" $V1 roads.repair
D5=$DID
expect_json '.clocks[] | select(.name == "resolve") | .due' "2024-10-21T16:00:00Z" \
	"a new general demand there is due in 5 working days (the end of Monday 10-21)"
raise "$K98" $V98 roads.repair
expect_status 201 "a general demand in 980101, raised by its county supervisor's key"
D98=$DID
expect_json '.clocks[] | select(.name == "resolve") | .due' "2024-10-23T16:00:00Z" \
	"the other county keeps 7 working days"
expect_json '[.region, .group_id] | map(tostring) | join(" ")' "$V98 null" "(a village without a group)"
get $D7
expect_json '.clocks[] | select(.name == "resolve") | .due' "2024-10-23T16:00:00Z" \
	"a clock already running keeps its limit"
raise "$OWN" $V1 land
expect_json '.clocks[] | select(.name == "resolve") | .due' "2024-11-04T16:00:00Z" \
	"the other limits of 990101 stay (complex: 15 working days)"
as "$CSUP" GET "/api/v1/demands/settings?county=990101"
expect_json '.settings[] | select(.name == "resolve.general") | [.value, .default, .set_by, (.set_at != null)] | map(tostring) | join(" ")' \
	"5wd 7wd cli:$(id -un) true" "the API shows the new value, the default and who set it"
expect_json '.version' 1 "version 1"
check "the change is audited" test "$(audits demand_settings:990101)" = 1
check "the audit entry says what changed" \
	test "$(db_sql "$DB" "SELECT summary FROM audit_log WHERE object = 'demand_settings:990101'")" = "resolve.general: 7wd → 5wd"

# --- the sweep runs on the county's limits and warning share ------------------------------------
bm demands settings set --county 980101 ack=10m warn=50% >"$T/set.out" 2>&1
check "settings set ack=10m warn=50% in 980101" test $? -eq 0
raise "$K98" $V98 roads.lights
DA=$DID
check "the acknowledgement is due in 10 minutes" test "$(since_created ack due)" = 600
check "and warns at half of it" test "$(since_created ack warn_at)" = 300
sweep_after $DA 290
get $DA "$K98"
expect_json '(.clocks[] | select(.name == "ack") | .warned)' false "not warned before half the limit"
sweep_after $DA 310
get $DA "$K98"
expect_json '[(.clocks[] | select(.name == "ack") | .warned), .counts.escalations] | map(tostring) | join(" ")' \
	"true 0" "warned at half of it, not escalated"
sweep_after $DA 590
get $DA "$K98"
expect_json '.counts.escalations' 0 "not escalated at 3 minutes, nor 10 seconds before 10"
sweep_after $DA 610
get $DA "$K98"
expect_json '[.counts.escalations, .level_name] | map(tostring) | join(" ")' "1 village_owner" \
	"escalated once the county's 10 minutes passed"

# --- the county's default duty hours (a village without a group) ----------------------------
at_china "2024-10-15 07:00:00"
raise "$K98" $V98 roads.lights
expect_json '.clocks[] | select(.name == "ack") | .due' "2024-10-15T00:10:00Z" \
	"raised at 07:00, before the duty hours (08:00-20:00): due 10 minutes after 08:00"
bm demands settings set --county 980101 duty_hours=06:30-22:00 >"$T/set.out" 2>&1
check "settings set duty_hours=06:30-22:00" test $? -eq 0
raise "$K98" $V98 roads.lights
check "raised at 07:00 within the new duty hours: due 10 minutes later" test "$(since_created ack due)" = 600
raise "$OWN" $V1 roads.lights
expect_json '.clocks[] | select(.name == "ack") | .due' "2024-10-15T00:03:00Z" \
	"a village with a group keeps its group's duty hours (08:00) and its county's 3 minutes"

# --- refused settings change nothing -----------------------------------------------------------
settings 990101
cp "$T/settings.out" "$T/settings.before"
before=$(audits demand_settings:990101)
refused "an unknown name is refused" "unknown setting 'resolve.genral'; known: ack, resolve.emergency" \
	demands settings set --county 990101 resolve.genral=5wd
refused "a bad unit is refused" "unknown unit 'd' in '5d': use m (minutes), h (hours) or wd (working days)" \
	demands settings set --county 990101 resolve.general=5d
refused "a value without a number is refused" "'wd' is no limit" \
	demands settings set --county 990101 resolve.general=wd
refused "zero is refused" "a limit of zero would be due at once" \
	demands settings set --county 990101 ack=0m
refused "an absurd value is refused" "resolve.general: 600wd is longer than this limit may be (at most 720h or 60wd)" \
	demands settings set --county 990101 resolve.general=600wd
refused "an acknowledgement in working days is refused" "ack runs in minutes or hours" \
	demands settings set --county 990101 ack=1wd
refused "a warning share of 100% is refused" "the warning share must be 1% to 99% of a limit, not 100%" \
	demands settings set --county 990101 warn=100%
refused "a warning share of 0% is refused" "1% to 99%" \
	demands settings set --county 990101 warn=0%
refused "a warning share without % is refused" "write the warning share as a percentage, such as 80%" \
	demands settings set --county 990101 warn=80
refused "duty hours that end before they start are refused" "the duty hours must end after they start" \
	demands settings set --county 990101 duty_hours=20:00-08:00
refused "duty hours not written HH:MM-HH:MM are refused" "HH:MM-HH:MM" \
	demands settings set --county 990101 duty_hours=8-20
refused "a name given twice is refused" "warn is given twice" \
	demands settings set --county 990101 warn=70% warn=60%
refused "all or nothing: a good setting beside a bad one is not stored either" "zero" \
	demands settings set --county 990101 warn=70% ack=1m resolve.complex=0wd
refused "no pair is no setting" "'warn70%' is no setting: write name=value" \
	demands settings set --county 990101 warn70%
bm demands settings set --county 990199 warn=70% >"$T/cli.out" 2>&1
check "a county not in the registry: exit 4" test $? -eq 4
check "saying so" grep -q "no county 990199 in the registry" "$T/cli.out"
refused "a code that is no county's is refused" "'99' is no county code" \
	demands settings set --county 99 warn=70%
bm demands settings set resolve.general=5wd >"$T/cli.out" 2>&1
check "without --county: a usage error (exit 2)" test $? -eq 2
settings 990101
check "none of them changed a setting" cmp -s "$T/settings.before" "$T/settings.out"
check "nor left an audit entry" test "$(audits demand_settings:990101)" = "$before"
as "$CSUP" GET "/api/v1/demands/settings?county=990101"
expect_json '.version' 1 "the county's version is still 1"

# --- an imported tree changes what can be raised -------------------------------------------
bm demands categories show --county 980101 >"$T/tree.out" 2>&1
check "categories show: the built-in tree as CSV" \
	test "$(head -n 2 "$T/tree.out")" = "$(printf 'code,parent,name,urgency,active\nutilities,,水电气暖,utilities,yes')"
check "with every category" grep -qx 'utilities.water,utilities,供水、停水,utilities,yes' "$T/tree.out"
cat >"$T/new.csv" <<'EOF'
code,parent,name,urgency,active
roads,,道路交通,general,yes
roads.lights,roads,路灯,general,yes
water,,饮水安全,utilities,yes
water.well,water,机井、水塔,emergency,yes
EOF
refused "a tree without a category that open demands have is refused" \
	"category 'roads.repair' is missing, but 1 open case of county 980101 has it: keep it in the tree and deactivate it instead" \
	demands categories import --county 980101 "$T/new.csv"
echo 'roads.repair,roads,道路破损,general,no' >>"$T/new.csv"
bm demands categories import --county 980101 "$T/new.csv" >"$T/cli.out" 2>&1
check "kept inactive, the tree is imported" test $? -eq 0
check "it says what it did" grep -q "county 980101 has 5 categories (1 inactive); 28 of its former tree removed" "$T/cli.out"
check "the import is audited" test "$(audits demand_categories:980101)" = 1
raise "$K98" $V98 water.well
expect_status 201 "a new category of the county's tree is raised"
expect_json '[.category_name, .urgency] | join(" ")' "机井、水塔 emergency" "with its name and the urgency it implies"
check "and that urgency's limit (2 hours)" test "$(since_created resolve due)" = 7200
raise "$K98" $V98 roads.repair
expect_error 400 invalid category "an inactive category is refused" "category 'roads.repair' (道路破损) is no longer used in county 980101"
raise "$K98" $V98 utilities.water
expect_error 400 invalid category "a category the tree no longer has is unknown" "no such category 'utilities.water'"
get $D98 "$K98"
expect_json '[.category, .category_name] | join(" ")' "roads.repair 道路破损" \
	"a demand of an inactive category keeps it, named by the county's tree"
raise "$OWN" $V1 water.well
expect_error 400 invalid category "the other county does not know the new category" "no such category 'water.well'"
raise "$OWN" $V1 utilities.water
expect_status 201 "and keeps the built-in tree"
as "$K98" GET "/api/v1/demands/categories?region=$V98"
expect_json '[.county, .tree, (.items | length)] | map(tostring) | join(" ")' "980101 imported 5" \
	"the API lists the county's tree"
expect_json '[.items[] | "\(.code):\(.parent // "-"):\(.urgency):\(.active)"] | join(",")' \
	"roads:-:general:true,roads.lights:roads:general:true,water:-:utilities:true,water.well:water:emergency:true,roads.repair:roads:general:false" \
	"in the file's order, each with its parent, urgency and whether it is in use"
as "$K98" GET /api/v1/demands/categories
expect_json '.county' 980101 "without ?region=, the caller's own county"
as "$RES" GET /api/v1/demands/categories
expect_json '[.county, .tree] | join(" ")' "990101 built-in" "a resident of 990101 gets the built-in tree"
as "$RES" GET "/api/v1/demands/categories?region=$V98"
expect_error 404 not_found region "another county's tree is absent to someone with no grant there"
as "$RES" GET "/api/v1/demands/categories?region=98"
expect_error 400 invalid region "a province is no county"

# --- refused files change nothing ----------------------------------------------------------
bm demands categories show --county 980101 >"$T/tree.before" 2>&1
bad_file() { # bad_file DESCRIPTION PART LINES...: a file of the header and LINES is refused
	local desc=$1 part=$2
	shift 2
	printf 'code,parent,name,urgency,active\n' >"$T/bad.csv"
	printf '%s\n' "$@" >>"$T/bad.csv"
	refused "$desc" "$part" demands categories import --county 980101 "$T/bad.csv"
}
bad_file "an unknown parent is refused, naming its line" \
	"line 3: unknown parent 'road' (a parent must be on an earlier line)" \
	'roads,,道路,general,yes' 'roads.repair,road,道路破损,general,no'
bad_file "a code twice is refused, naming both lines" "line 4: code 'roads' is already on line 2" \
	'roads,,道路,general,yes' 'roads.repair,roads,道路破损,general,no' 'roads,,道路二,general,yes'
bad_file "a bad urgency is refused" "line 2: urgency 'urgent' is not emergency, utilities, general or complex" \
	'roads,,道路,urgent,yes' 'roads.repair,roads,道路破损,general,no'
bad_file "an empty name is refused" "line 3: the name of 'roads.repair' is empty" \
	'roads,,道路,general,yes' 'roads.repair,roads,,general,no'
printf 'code,name\nroads,道路\n' >"$T/bad.csv"
refused "a file that is no category file is refused" "line 1: the first line must be code,parent,name,urgency,active" \
	demands categories import --county 980101 "$T/bad.csv"
bm demands categories import --county 980101 "$T/nosuch.csv" >"$T/cli.out" 2>&1
check "a file that does not exist: exit 1" test $? -eq 1
bm demands categories show --county 980101 >"$T/tree.after" 2>&1
check "none of them changed the tree" cmp -s "$T/tree.before" "$T/tree.after"
check "nor left an audit entry" test "$(audits demand_categories:980101)" = 1

finish
