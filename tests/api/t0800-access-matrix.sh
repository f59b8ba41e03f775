#!/usr/bin/env bash
# t0800: the access matrix. Every route of src/http/routes.c, called by every
# role of the demo county (plus the anonymous, a bad token, an API key and a
# person whose one-time password is not changed yet), on objects in and out
# of the caller's scope, must answer the status written in access-matrix.tsv
# beside this script (see its header for the callers and scopes).
#
# The test first fails for any route of routes.c the matrix does not cover
# for every caller, then builds the objects (accounts and households in
# each scope; a second county 980101 is imported from a CSV made here), signs
# each caller in once, and plays the rows. A row that changes something works
# on objects of its own; password changes, then sign-outs (of the sessions
# used all along), come last. The requests go in a few batches of one curl
# each: here starting a process costs more than a request.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh" # id18

MATRIX=$(dirname "$0")/access-matrix.tsv
ROUTES_C=$BIANMIN_TOP/src/http/routes.c
CALLERS=(anon badtoken apikey otp resident village_admin key_person village_admin2
	town_supervisor county_supervisor agency_operator lawyer system_admin)
OBJECT_SCOPES=(v1 v2 t2 c2)
started=$SECONDS

# --- the matrix covers the route table ------------------------------------------
# A route entry opens with "{ HTTP_METHOD, "/path"" on one line.
grep -oE '^[[:space:]]*\{ *HTTP_[A-Z]+, *"[^"]*"' "$ROUTES_C" |
	sed -E 's/^[[:space:]]*\{ *HTTP_([A-Z]+), *"([^"]*)"/\1 \2/' >"$T/routes"
entries=$(grep -cE '^[[:space:]]*\{ *HTTP_[A-Z]+' "$ROUTES_C")
check "every route entry of routes.c names its method and path on its first line" \
	test "$entries" -eq "$(wc -l <"$T/routes")" -a "$entries" -gt 0

grep -vE '^[[:space:]]*(#|$)' "$MATRIX" >"$T/rows"
declare -A HAVE SEEN
dups=
while IFS=$'\t' read -r method path caller scope expect; do
	HAVE["$method $path|$caller"]=1
	HAVE["$method $path|$caller|$scope"]=1
	k="$method $path|$caller|$scope"
	[ -n "${SEEN[$k]:-}" ] && dups+=" [$method $path $caller $scope]"
	SEEN[$k]=1
done <"$T/rows"
check "the matrix has no row twice${dups:+:$dups}" test -z "$dups"
check "every row of the matrix has five fields" \
	test -z "$(awk -F'\t' 'NF != 5' "$T/rows")"

while read -r method path; do
	missing=()
	for c in "${CALLERS[@]}"; do
		[ -n "${HAVE["$method $path|$c"]:-}" ] || missing+=("$c")
	done
	if [ ${#missing[@]} -eq ${#CALLERS[@]} ]; then
		fail "the matrix covers route $method $path" "no row in $MATRIX"
	elif [ ${#missing[@]} -gt 0 ]; then
		fail "the matrix covers route $method $path for every caller" "missing: ${missing[*]}"
	else
		pass "the matrix covers route $method $path for every caller"
	fi
	# a route tried on objects is tried on all four scopes, by every caller
	gaps=()
	for c in "${CALLERS[@]}"; do
		any=
		for s in "${OBJECT_SCOPES[@]}"; do
			[ -n "${HAVE["$method $path|$c|$s"]:-}" ] && any=1
		done
		[ -z "$any" ] && continue
		for s in "${OBJECT_SCOPES[@]}"; do
			[ -n "${HAVE["$method $path|$c|$s"]:-}" ] || gaps+=("$c/$s")
		done
	done
	[ ${#gaps[@]} -eq 0 ] ||
		fail "route $method $path is tried in every scope" "missing: ${gaps[*]}"
done <"$T/routes"
stale=$(cut -f1,2 "$T/rows" | tr '\t' ' ' | sort -u | grep -vxF -f "$T/routes")
check "every route of the matrix is in routes.c${stale:+ (not: $stale)}" test -z "$stale"
unknown=$(cut -f3 "$T/rows" | sort -u | grep -vxF -f <(printf '%s\n' "${CALLERS[@]}"))
check "every caller of the matrix is known${unknown:+ (not: $unknown)}" test -z "$unknown"

# --- requests in batches ------------------------------------------------------
# Starting a process costs more than answering a request, so the requests go
# in batches, one curl (one connection) for each: batch NAME starts one, op
# adds a request, run_batch sends them in order. The status of the N-th
# request is ${STATUSES[N-1]}, its body in $BATCH.d/N.
batch() {
	BATCH=$T/batch.$1 NOPS=0
	: >"$BATCH.cfg"
	mkdir -p "$BATCH.d"
}

# op METHOD PATH CREDENTIAL [JSON]: add a request, made with the Bearer
# CREDENTIAL (none when empty) and the JSON body if given. With OP_STREAM
# set the answer may be a stream that never ends: its body goes unbuffered
# to /dev/full, so curl drops it at the first bytes, once the status is known.
# With OP_FILE set the body is that file's bytes, of type OP_CTYPE; with
# OP_FORM set it is that form (application/x-www-form-urlencoded, encoded).
op() {
	local body=${4-}
	NOPS=$((NOPS + 1))
	{
		[ $NOPS -gt 1 ] && echo next
		echo "url = \"$BASE$2\""
		echo "request = \"$1\""
		if [ -n "${OP_STREAM-}" ]; then
			printf '%s\n' 'output = "/dev/full"' no-buffer
		else
			echo "output = \"$BATCH.d/$NOPS\""
		fi
		# shellcheck disable=SC2028 # the \n is curl's to read
		echo 'write-out = "%{http_code}\n"'
		[ -n "$3" ] && echo "header = \"Authorization: Bearer $3\""
		if [ -n "${OP_FILE-}" ]; then
			echo "header = \"Content-Type: $OP_CTYPE\""
			echo "data-binary = \"@$OP_FILE\""
		elif [ -n "${OP_FORM-}" ]; then
			echo 'header = "Content-Type: application/x-www-form-urlencoded"'
			echo "data-binary = \"$OP_FORM\""
		elif [ -n "$body" ]; then
			body=${body//\\/\\\\}
			echo 'header = "Content-Type: application/json"'
			echo "data-binary = \"${body//\"/\\\"}\""
		fi
	} >>"$BATCH.cfg"
}

run_batch() {
	curl -s -K "$BATCH.cfg" >"$BATCH.status"
	mapfile -t STATUSES <"$BATCH.status"
}

# answer N: the body of the N-th request of the batch, in ANSWER.
answer() {
	ANSWER=
	[ -f "$BATCH.d/$1" ] && IFS= read -r -d '' ANSWER <"$BATCH.d/$1"
	return 0
}

# field N KEY: the first string or number KEY of the N-th answer, in FIELD.
field() {
	answer "$1"
	local re="\"$2\":\"?([^\",}]*)"
	FIELD=
	[[ $ANSWER =~ $re ]] && FIELD=${BASH_REMATCH[1]}
	return 0
}

# setup_ok N WHAT: check the N-th request of a setup batch succeeded.
setup_ok() {
	local st=${STATUSES[$1 - 1]:-none}
	answer "$1"
	if [[ $st == 2* ]]; then pass "setup: $2"
	else fail "setup: $2" "status $st; body: ${ANSWER:0:300}"; fi
}

# --- the objects --------------------------------------------------------------
# A second county, 980101, with one town and one village (nobody of the demo
# county holds a grant there), an account there made by the command line,
# the API key under test and a key that makes objects in province 98.
printf 'code,name\n98,矩阵省\n' >"$T/p.csv"
printf 'code,name,parent_code\n9801,矩阵市,98\n' >"$T/c.csv"
printf 'code,name,parent_code\n980101,矩阵县,9801\n' >"$T/k.csv"
printf 'code,name,level,parent_code\n980101001,矩阵镇,town,980101\n980101001001,矩阵村,village,980101001\n' >"$T/t.csv"
bm init --demo >"$T/init.out" 2>&1
check "setup: init --demo makes the 9 demo accounts" grep -q '9 demo accounts added' "$T/init.out"
bm import divisions "$T/p.csv" "$T/c.csv" "$T/k.csv" "$T/t.csv" >"$T/import.out" 2>&1
check "setup: the county 980101 is imported" test $? -eq 0
bm groups sync --within 980101 >"$T/sync.out" 2>&1
check "setup: the standing groups of county 980101 are made (groups sync)" \
	grep -q '^groups: 3 made' "$T/sync.out"
declare -A USER HH TOKEN PHONE PASS SELF
bm user add --role resident --region 980101001001 外县居民 13900000001 >"$T/user.out" 2>&1
[[ $(<"$T/user.out") =~ user\ ([0-9]+)\ created ]] && USER[c2]=${BASH_REMATCH[1]}
check "setup: an account in the other county (user add)" test -n "${USER[c2]:-}"
bm apikey add matrix --role village_admin --region 990101103200 >"$T/key.out" 2>&1
bm apikey add setup98 --role system_admin --region 98 >>"$T/key.out" 2>&1
mapfile -t keys < <(grep -oE '^bmk_[^ ]+' "$T/key.out")
TOKEN[apikey]=${keys[0]:-} KEY98=${keys[1]:-}
check "setup: two API keys" test -n "${TOKEN[apikey]}" -a -n "$KEY98"
TOKEN[badtoken]=bms_matrixNoSuchSessionToken0000000000000000 TOKEN[anon]=

# images go to a folder of this test, never to the default var/files; the
# bundle definitions are the repository's
start_server --data-dir "$T/files" --bundles-dir "$BIANMIN_TOP/data/bundles" \
	--programmes-dir "$BIANMIN_TOP/data/programmes" ||
	{ fail "server starts"; finish; exit 1; }

declare -A REGION=([v1]=990101103200 [v2]=990101103201 [t2]=990101001001
	[c2]=980101001001 [t1]=990101103 [k1]=990101)
NOID=987654321
DEMO_PW=demo-2026
NEW_PW=Matrix-2026-changed
PERSONS=(resident village_admin key_person village_admin2 town_supervisor county_supervisor
	agency_operator lawyer system_admin)
i=1
for c in "${PERSONS[@]}"; do
	PHONE[$c]=1990000000$i PASS[$c]=$DEMO_PW
	i=$((i + 1))
done
SEQ=0
next_phone() {
	SEQ=$((SEQ + 1))
	PHONE_NEW=$(printf '138%08d' "$SEQ")
}
login_json() { echo "{\"phone\":\"${PHONE[$1]}\",\"password\":\"${PASS[$1]}\"}"; }

# Each demo person signs in once.
batch login
for c in "${PERSONS[@]}"; do op POST /api/v1/auth/login "" "$(login_json "$c")"; done
run_batch
i=1
for c in "${PERSONS[@]}"; do
	setup_ok $i "$c signs in"
	field $i token && TOKEN[$c]=$FIELD
	field $i id && SELF[$c]=$FIELD
	i=$((i + 1))
done

# maker SCOPE: who makes objects in SCOPE (the demo system_admin in county
# 990101, the key of province 98 in c2), in MAKER.
maker() { if [ "$1" = c2 ]; then MAKER=$KEY98; else MAKER=${TOKEN[system_admin]}; fi; }

# op_new_user SCOPE [ROLE]: add the making of an account in SCOPE.
op_new_user() {
	maker "$1"
	next_phone
	op POST /api/v1/users "$MAKER" \
		"{\"name\":\"矩阵$SEQ\",\"phone\":\"$PHONE_NEW\",\"region\":\"${REGION[$1]}\"${2:+,\"role\":\"$2\"}}"
}

# The rows in the order played: password changes, then sign-outs, come last.
mapfile -t ROWS < <(grep -vE $'^POST\t/api/v1/(me/password|auth/logout)\t' "$T/rows"
	grep -E $'^POST\t/api/v1/me/password\t' "$T/rows"
	grep -E $'^POST\t/api/v1/auth/logout\t' "$T/rows")

# Shared objects in each scope, an account with a one-time password, and
# for each row that should change an account an account of its own
# (FRESH[row] = its request) and for each invitation to accept a code.
batch objects
declare -A AT FRESH INVITE
for s in v1 v2 t2; do
	op_new_user "$s"
	AT[user.$s]=$NOPS
done
for s in v1 v2 t2 c2; do
	maker "$s"
	op POST /api/v1/households "$MAKER" "{\"region\":\"${REGION[$s]}\",\"address\":\"矩阵路$s号\"}"
	AT[hh.$s]=$NOPS
done
op_new_user v1 village_admin
AT[otp]=$NOPS PHONE[otp]=$PHONE_NEW
for r in "${!ROWS[@]}"; do
	IFS=$'\t' read -r method path caller scope expect <<<"${ROWS[$r]}"
	case "$method $path" in
	"POST /api/v1/users/{id}/roles" | "DELETE /api/v1/users/{id}/roles/{role}/{region}")
		s=${scope%%>*}
		if [[ $expect == 2* && -n ${REGION[$s]:-} ]]; then
			op_new_user "$s"
			FRESH[$r]=$NOPS
		fi ;;
	"POST /api/v1/invites/accept")
		op POST /api/v1/invites "${TOKEN[system_admin]}" "{\"region\":\"${REGION[v1]}\"}"
		INVITE[$r]=$NOPS ;;
	esac
done
run_batch
for s in v1 v2 t2; do
	setup_ok "${AT[user.$s]}" "an account in $s"
	field "${AT[user.$s]}" id && USER[$s]=$FIELD
done
for s in v1 v2 t2 c2; do
	setup_ok "${AT[hh.$s]}" "a household in $s"
	field "${AT[hh.$s]}" id && HH[$s]=$FIELD
done
setup_ok "${AT[otp]}" "a village_admin of v1 with a one-time password"
field "${AT[otp]}" one_time_password && PASS[otp]=$FIELD
bad=0
for r in "${!FRESH[@]}"; do
	[[ ${STATUSES[${FRESH[$r]} - 1]:-} == 201 ]] || bad=$((bad + 1))
	field "${FRESH[$r]}" id && FRESH[$r]=$FIELD
done
for r in "${!INVITE[@]}"; do
	[[ ${STATUSES[${INVITE[$r]} - 1]:-} == 201 ]] || bad=$((bad + 1))
	field "${INVITE[$r]}" code && INVITE[$r]=$FIELD
done
check "setup: ${#FRESH[@]} accounts and ${#INVITE[@]} invitations for rows of their own" test $bad -eq 0

batch otp
op POST /api/v1/auth/login "" "$(login_json otp)"
run_batch
setup_ok 1 "the one-time password signs in"
field 1 token && TOKEN[otp]=$FIELD
field 1 id && SELF[otp]=$FIELD
field 1 must_change_password
check "setup: ... and must be changed" test "$FIELD" = true
# --- the service network's objects ------------------------------------------
# In each scope S (v1 v2 t2 c2): the village's standing group GID[S], where
# USER[S] becomes a resident and a helper person (HPID[S], signed in as
# HPT[S], its one-time password changed) an admin who writes MSG[S], sends
# the image IMG[S] (bytes of its own: images are per group) and has leave
# LEAVE[S]; the town groups GID[t1], GID[tx], GID[cx] with a broadcast each
# (BC[...]; the helper of c2 is made an admin of its town's group to send
# it); an ad-hoc group of v1 whose join code is JOIN. Rows that succeed on
# something they use up get one of their own in FRESH[row]: leave to
# withdraw, a message to hide (the caller's own messages to recall are
# posted at the end of the setup).
declare -A GID HPT HPID HPOTP MSG IMG LEAVE BC
declare -A TOWN_OF=([t1]=990101103 [tx]=990101001 [cx]=980101001)
HP_PW=Matrix-2026-helper
batch gfind
for s in v1 v2 t2 c2; do
	maker "$s"
	op GET "/api/v1/groups?within=${REGION[$s]}&kind=village&limit=1" "$MAKER"
	AT[g.$s]=$NOPS
	op_new_user "$s"
	AT[hp.$s]=$NOPS PHONE[hp.$s]=$PHONE_NEW
done
for t in t1 tx cx; do
	if [ "$t" = cx ]; then maker c2; else maker v1; fi
	op GET "/api/v1/groups?within=${TOWN_OF[$t]}&kind=town&limit=1" "$MAKER"
	AT[g.$t]=$NOPS
done
op POST /api/v1/groups "${TOKEN[system_admin]}" "{\"name\":\"矩阵入群\",\"region\":\"${REGION[v1]}\"}"
AT[join]=$NOPS
run_batch
for s in v1 v2 t2 c2 t1 tx cx; do
	field "${AT[g.$s]}" id && GID[$s]=$FIELD
	check "setup: the standing group of $s (${GID[$s]})" test -n "${GID[$s]}"
done
for s in v1 v2 t2 c2; do
	setup_ok "${AT[hp.$s]}" "a helper person in $s"
	field "${AT[hp.$s]}" id && HPID[$s]=$FIELD
	field "${AT[hp.$s]}" one_time_password && HPOTP[$s]=$FIELD
done
setup_ok "${AT[join]}" "an ad-hoc group of v1 to join"
field "${AT[join]}" join_url && JOIN=${FIELD##*/}

batch hplogin
for s in v1 v2 t2 c2; do
	op POST /api/v1/auth/login "" "{\"phone\":\"${PHONE[hp.$s]}\",\"password\":\"${HPOTP[$s]}\"}"
done
run_batch
i=1
for s in v1 v2 t2 c2; do
	setup_ok $i "the helper of $s signs in"
	field $i token && HPT[$s]=$FIELD
	i=$((i + 1))
done

batch hpsetup
for s in v1 v2 t2 c2; do
	maker "$s"
	op POST /api/v1/me/password "${HPT[$s]}" \
		"{\"old_password\":\"${HPOTP[$s]}\",\"new_password\":\"$HP_PW\"}"
	op PUT "/api/v1/groups/${GID[$s]}/members/${HPID[$s]}" "$MAKER" '{"role":"admin"}'
	op PUT "/api/v1/groups/${GID[$s]}/members/${USER[$s]}" "$MAKER" '{"role":"resident"}'
done
op PUT "/api/v1/groups/${GID[cx]}/members/${HPID[c2]}" "$KEY98" '{"role":"admin"}'
run_batch
for i in $(seq 1 $NOPS); do setup_ok "$i" "the helpers' passwords and memberships ($i)"; done

# own_group CALLER: the group the caller writes in (v1, or v2 for village_admin2).
own_group() { if [ "$1" = village_admin2 ]; then echo "${GID[v2]}"; else echo "${GID[v1]}"; fi; }
batch gobjects
for s in v1 v2 t2 c2; do
	maker "$s"
	op POST "/api/v1/groups/${GID[$s]}/messages" "${HPT[$s]}" "{\"text\":\"矩阵消息$s\"}"
	AT[msg.$s]=$NOPS
	printf '\x89PNG\r\n\x1a\nmatrix image of %s\n' "$s" >"$T/img.$s"
	OP_FILE=$T/img.$s OP_CTYPE=image/png op POST "/api/v1/groups/${GID[$s]}/images" "${HPT[$s]}"
	AT[img.$s]=$NOPS
	# shown in a message: members see an image only while a visible message shows it
	op POST "/api/v1/groups/${GID[$s]}/messages" "${HPT[$s]}" \
		"{\"text\":\"图$s\",\"image\":\"$(sha256sum "$T/img.$s" | cut -d' ' -f1)\"}"
	op POST "/api/v1/groups/${GID[$s]}/duty/leave" "$MAKER" \
		"{\"user\":${HPID[$s]},\"from\":\"2027-01-04\",\"to\":\"2027-01-05\"}"
	AT[leave.$s]=$NOPS
	# an emergency word: the patrol raises an alert to the scope's town
	op POST "/api/v1/groups/${GID[$s]}/messages" "${HPT[$s]}" "{\"text\":\"矩阵着火$s\"}"
	AT[fire.$s]=$NOPS
done
for t in t1 tx; do
	op POST "/api/v1/groups/${GID[$t]}/broadcasts" "${TOKEN[system_admin]}" '{"text":"矩阵通知"}'
	AT[bc.$t]=$NOPS
done
op POST "/api/v1/groups/${GID[cx]}/broadcasts" "${HPT[c2]}" '{"text":"矩阵通知"}'
AT[bc.cx]=$NOPS
declare -A GFRESH
for r in "${!ROWS[@]}"; do
	IFS=$'\t' read -r method path caller scope expect <<<"${ROWS[$r]}"
	[[ $expect == 2* ]] || continue
	case "$method $path|$scope" in
	"DELETE /api/v1/groups/{id}/duty/leave/{leave}|"*)
		maker "$scope"
		op POST "/api/v1/groups/${GID[$scope]}/duty/leave" "$MAKER" \
			"{\"user\":${HPID[$scope]},\"from\":\"2027-02-01\",\"to\":\"2027-02-01\"}" ;;
	"POST /api/v1/messages/{mid}/hide|"*)
		op POST "/api/v1/groups/${GID[$scope]}/messages" "${HPT[$scope]}" "{\"text\":\"待隐藏$r\"}" ;;
	"POST /api/v1/alerts/{id}/acknowledge|"* | "POST /api/v1/alerts/{id}/close|"*)
		op POST "/api/v1/groups/${GID[$scope]}/messages" "${HPT[$scope]}" "{\"text\":\"矩阵着火$r\"}" ;;
	*) continue ;;
	esac
	GFRESH[$r]=$NOPS
done
run_batch
for s in v1 v2 t2 c2; do
	setup_ok "${AT[msg.$s]}" "a message in $s"
	field "${AT[msg.$s]}" id && MSG[$s]=$FIELD
	setup_ok "${AT[img.$s]}" "an image in $s"
	field "${AT[img.$s]}" image && IMG[$s]=$FIELD
	setup_ok "${AT[leave.$s]}" "leave in $s"
	field "${AT[leave.$s]}" id && LEAVE[$s]=$FIELD
done
for t in t1 tx cx; do
	setup_ok "${AT[bc.$t]}" "a broadcast from the town group $t"
	field "${AT[bc.$t]}" broadcast && BC[$t]=$FIELD
done
bad=0
for r in "${!GFRESH[@]}"; do
	[[ ${STATUSES[${GFRESH[$r]} - 1]:-} == 201 ]] || bad=$((bad + 1))
	field "${GFRESH[$r]}" id && FRESH[$r]=$FIELD
done
check "setup: ${#GFRESH[@]} leaves and messages for rows of their own" test $bad -eq 0

# alerts (智能巡群): one sweep raises an alert for each emergency message above;
# ALERT[S] is the scope's, and each acknowledging row that succeeds has its own
declare -A ALERT
bm patrol >"$T/patrol.out" 2>&1
check "setup: a patrol sweep" test $? -eq 0
alert_of() { db_sql "$DB" "SELECT id FROM alerts WHERE kind = 'emergency' AND object = 'message:$1'"; }
for s in v1 v2 t2 c2; do
	field "${AT[fire.$s]}" id && ALERT[$s]=$(alert_of "$FIELD")
	check "setup: an alert from $s" test -n "${ALERT[$s]:-}"
done
for r in "${!GFRESH[@]}"; do
	[[ ${ROWS[$r]} == POST$'\t'/api/v1/alerts/* ]] && FRESH[$r]=$(alert_of "${FRESH[$r]}")
done

# --- demands (诉求) ------------------------------------------------------------
# DEMAND[S]: a demand about the village of scope S, raised in v1 by the
# resident caller, elsewhere by the scope's helper (a resident there); rows
# that act and succeed get one of their own (FRESH), and each v1+followup row
# a demand of the resident that 村两委 acknowledged and resolved (version 3).
declare -A DEMAND
demand_json() { echo "{\"region\":\"${REGION[$1]}\",\"category\":\"roads.lights\",\"description\":\"矩阵诉求$1\"}"; }
raiser() { if [ "$1" = v1 ]; then echo "${TOKEN[resident]}"; else echo "${HPT[$1]}"; fi; }
batch dmake
for s in v1 v2 t2 c2; do
	op POST /api/v1/demands "$(raiser "$s")" "$(demand_json "$s")"
	AT[d.$s]=$NOPS
done
declare -A DFRESH DFU
for r in "${!ROWS[@]}"; do
	IFS=$'\t' read -r method path caller scope expect <<<"${ROWS[$r]}"
	[ "$method $path" = "POST /api/v1/demands/{id}/actions" ] || continue
	if [ "$scope" = v1+followup ]; then
		op POST /api/v1/demands "${TOKEN[resident]}" "$(demand_json v1)"
		DFU[$r]=$NOPS
	elif [[ $expect == 2* && -n ${REGION[$scope]:-} ]]; then
		op POST /api/v1/demands "$(raiser "$scope")" "$(demand_json "$scope")"
		DFRESH[$r]=$NOPS
	fi
done
run_batch
for s in v1 v2 t2 c2; do
	setup_ok "${AT[d.$s]}" "a demand in $s"
	field "${AT[d.$s]}" id && DEMAND[$s]=$FIELD
done
bad=0
for r in "${!DFRESH[@]}"; do
	[[ ${STATUSES[${DFRESH[$r]} - 1]:-} == 201 ]] || bad=$((bad + 1))
	field "${DFRESH[$r]}" id && DFRESH[$r]=$FIELD
done
for r in "${!DFU[@]}"; do
	[[ ${STATUSES[${DFU[$r]} - 1]:-} == 201 ]] || bad=$((bad + 1))
	field "${DFU[$r]}" id && DFU[$r]=$FIELD
done
check "setup: ${#DFRESH[@]} demands to act on and ${#DFU[@]} to follow up" test $bad -eq 0
# PHOTO[S]: the SHA-256 of a photo the raiser of DEMAND[S] added to it
declare -A PHOTO
batch dphoto
for s in v1 v2 t2 c2; do
	printf '\x89PNG\r\n\x1a\nmatrix photo of %s\n' "$s" >"$T/photo.$s"
	OP_FILE=$T/photo.$s OP_CTYPE=image/png op POST "/api/v1/demands/${DEMAND[$s]}/photos" "$(raiser "$s")"
	AT[photo.$s]=$NOPS
done
run_batch
for s in v1 v2 t2 c2; do
	setup_ok "${AT[photo.$s]}" "a photo of the demand in $s"
	field "${AT[photo.$s]}" sha256 && PHOTO[$s]=$FIELD
done
batch dresolve
for r in "${!DFU[@]}"; do
	op POST "/api/v1/demands/${DFU[$r]}/actions" "${TOKEN[village_admin]}" '{"action":"acknowledge","version":1}'
	op POST "/api/v1/demands/${DFU[$r]}/actions" "${TOKEN[village_admin]}" '{"action":"resolve","version":2,"reason":"矩阵办结"}'
done
run_batch
for i in $(seq 1 $NOPS); do setup_ok "$i" "demands to follow up are resolved ($i)"; done

# --- 督办 ----------------------------------------------------------------------
# SUP[S]: a reminder on DEMAND[S] issued by the county supervisor (in c2 by the
# key of 98); each acknowledging row that succeeds has one of its own (FRESH).
# A check 60 days on lists them all in the 通报 of PERIOD.
declare -A SUP
issuer() { if [ "$1" = c2 ]; then echo "$KEY98"; else echo "${TOKEN[county_supervisor]}"; fi; }
sup_json() { echo "{\"object\":\"case:${DEMAND[$1]}\",\"note\":\"矩阵督办$1\"}"; }
batch smake
for s in v1 v2 t2 c2; do
	op POST /api/v1/supervision "$(issuer "$s")" "$(sup_json "$s")"
	AT[sup.$s]=$NOPS
done
declare -A SFRESH
for r in "${!ROWS[@]}"; do
	IFS=$'\t' read -r method path caller scope expect <<<"${ROWS[$r]}"
	[[ $path == /api/v1/supervision*/acknowledge && $expect == 2* ]] || continue
	op POST /api/v1/supervision "$(issuer "$scope")" "$(sup_json "$scope")"
	SFRESH[$r]=$NOPS
done
run_batch
for s in v1 v2 t2 c2; do
	setup_ok "${AT[sup.$s]}" "a reminder on the demand in $s"
	field "${AT[sup.$s]}" id && SUP[$s]=$FIELD
done
bad=0
for r in "${!SFRESH[@]}"; do
	[[ ${STATUSES[${SFRESH[$r]} - 1]:-} == 201 ]] || bad=$((bad + 1))
	field "${SFRESH[$r]}" id && FRESH[$r]=$FIELD
done
check "setup: ${#SFRESH[@]} reminders for rows of their own" test $bad -eq 0
BIANMIN_CLOCK_OFFSET=$((60 * 86400)) bm supervision check >"$T/supervision.out" 2>&1
check "setup: a check 60 days on lists the reminders in the 通报" \
	test "$(db_sql "$DB" "SELECT count(*) FROM supervisions WHERE state <> 'noticed'")" = 0
PERIOD=$(db_sql "$DB" "SELECT period FROM supervisions WHERE id = ${SUP[v1]:-0}")

# --- 一件事 bundles ---------------------------------------------------------------
# BUNDLE[S]: a disability bundle of a person of scope S, started by the system
# administrator (in c2 by the key of 98); a row that starts one starts it for
# a person of its own (bundle_json SCOPE N: the N-th such person), and each
# caller that may mark a task marks one of its own (system_admin bus_pass,
# the agency operator certificate).
declare -A BUNDLE
bundle_json() {
	local id
	id=$(id18 "$(printf '990101198002%02d%03d' $(($2 / 1000 + 1)) $(($2 % 1000)))")
	echo "{\"event\":\"disability\",\"id_number\":\"$id\",\"name\":\"矩阵\",\"region\":\"${REGION[$1]}\"}"
}
starter() { if [ "$1" = c2 ]; then echo "$KEY98"; else echo "${TOKEN[system_admin]}"; fi; }
batch bmake
i=0
for s in v1 v2 t2 c2; do
	i=$((i + 1))
	op POST /api/v1/bundles "$(starter "$s")" "$(bundle_json "$s" $((9000 + i)))"
	AT[b.$s]=$NOPS
done
run_batch
for s in v1 v2 t2 c2; do
	setup_ok "${AT[b.$s]}" "a bundle in $s"
	field "${AT[b.$s]}" id && BUNDLE[$s]=$FIELD
done

# --- delivery tasks and the outbox ------------------------------------------------
# DELIVERY[S], OUTBOX[S]: the delivery task and the SMS of a grant to a person
# of scope S, as the dispatcher makes them from an entitlement event (the
# pipeline's rows written as it writes them).
declare -A DELIVERY OUTBOX
for s in v1 v2 t2 c2; do
	db_sql "$DB" "INSERT INTO entitlements (programme, policy, benefit, person_key, person_name,
		phone, region, period, amount, state, effective_from, created_at, updated_at) VALUES
		('shenyang.disability_premium', 'm', 'premium', 'M-$s', '矩阵', '13800138000',
		'${REGION[$s]}', 2026, 41000, 'granted', 20454, 1, 1)" >/dev/null
	db_sql "$DB" "INSERT INTO entitlement_events (entitlement, kind, from_state, to_state, at,
		actor, detail) SELECT id, 'granted', '', 'granted', 1, 'matrix', '' FROM entitlements
		WHERE person_key = 'M-$s'" >/dev/null
done
bm --programmes-dir "$BIANMIN_TOP/data/programmes" entitle dispatch >"$T/dispatch.out" 2>&1
for s in v1 v2 t2 c2; do
	DELIVERY[$s]=$(db_sql "$DB" "SELECT d.case_id FROM deliveries d JOIN entitlements e
		ON e.id = d.entitlement WHERE e.person_key = 'M-$s'")
	OUTBOX[$s]=$(db_sql "$DB" "SELECT o.id FROM outbox o JOIN entitlements e
		ON e.id = o.entitlement WHERE e.person_key = 'M-$s'")
	check "setup: a delivery task and an SMS in $s" test -n "${DELIVERY[$s]}" -a -n "${OUTBOX[$s]}"
done

# ENT[S]: the granted entitlement of the person of scope S (made above)
declare -A ENT
for s in v1 v2 t2 c2; do
	ENT[$s]=$(db_sql "$DB" "SELECT id FROM entitlements WHERE person_key = 'M-$s'")
done

# The callers' own messages to recall, posted last of all: a message may be
# recalled for 2 minutes, and the setup above can take longer on a busy machine.
declare -A RFRESH
batch recallable
for r in "${!ROWS[@]}"; do
	IFS=$'\t' read -r method path caller scope expect <<<"${ROWS[$r]}"
	[[ "$method $path|$scope" == "POST /api/v1/messages/{mid}/recall|own" && $expect == 2* ]] || continue
	op POST "/api/v1/groups/$(own_group "$caller")/messages" "${TOKEN[$caller]}" "{\"text\":\"待撤回$r\"}"
	RFRESH[$r]=$NOPS
done
run_batch
bad=0
for r in "${!RFRESH[@]}"; do
	[[ ${STATUSES[${RFRESH[$r]} - 1]:-} == 201 ]] || bad=$((bad + 1))
	field "${RFRESH[$r]}" id && FRESH[$r]=$FIELD
done
check "setup: ${#RFRESH[@]} messages of the callers' own to recall" test $bad -eq 0

echo "# setup took $((SECONDS - started)) s"

# --- the rows ------------------------------------------------------------------
# op_row ROW: add the request of a row (by its caller, on its scope); false
# when the scope means nothing to the route.
op_row() {
	local r=$1 method path caller scope expect s who id q object sha
	IFS=$'\t' read -r method path caller scope expect <<<"${ROWS[$r]}"
	local cred=${TOKEN[$caller]-}
	case "$method $path|$scope" in
	"GET /healthz|-" | "GET /metrics|-" | "GET /api/v1/openapi.json|-" | "GET /api/v1/me|-" | \
		"GET /api/v1/users|home" | "POST /api/v1/auth/logout|-" | "GET /api/v1/jobs|-")
		op "$method" "$path" "$cred" ;;
	"GET /api/v1/me/events|-")
		OP_STREAM=1 op GET "$path" "$cred" ;;
	# --- the service network
	"GET /api/v1/groups|home" | "GET /api/v1/me/groups|-")
		op GET "$path" "$cred" ;;
	"GET /api/v1/groups|"*)
		[ -n "${REGION[$scope]:-}" ] || return 1
		op GET "$path?within=${REGION[$scope]}" "$cred" ;;
	"POST /api/v1/groups|"*)
		[ -n "${REGION[$scope]:-}" ] || return 1
		op POST "$path" "$cred" "{\"name\":\"矩阵专题$r\",\"region\":\"${REGION[$scope]}\"}" ;;
	"GET /api/v1/join/{code}|-" | "POST /api/v1/join/{code}|-")
		op "$method" "/api/v1/join/$JOIN" "$cred" ;;
	"GET /api/v1/join/{code}|none" | "POST /api/v1/join/{code}|none")
		op "$method" /api/v1/join/matrixNoSuchJoinCode0000000000000 "$cred" ;;
	"POST /api/v1/ingest/messages|-")
		op POST "$path" "$cred" \
			"{\"messages\":[{\"key\":\"matrix-$r\",\"group\":${GID[v1]},\"author\":\"矩阵\",\"text\":\"矩阵\"}]}" ;;
	"GET /api/v1/messages/search|-")
		op GET "$path?q=%E7%9F%A9%E9%98%B5" "$cred" ;; # 矩阵
	"GET /api/v1/messages/search|"*)
		[ -n "${GID[$scope]:-}" ] || return 1
		op GET "$path?q=%E7%9F%A9%E9%98%B5&group=${GID[$scope]}" "$cred" ;;
	"GET /api/v1/broadcasts/{bid}|"*)
		[ -n "${BC[$scope]:-}" ] || return 1
		op GET "/api/v1/broadcasts/${BC[$scope]}" "$cred" ;;
	"POST /api/v1/messages/{mid}/recall|own")
		[ -n "${FRESH[$r]:-}" ] || return 1
		op POST "/api/v1/messages/${FRESH[$r]}/recall" "$cred" ;;
	"POST /api/v1/messages/{mid}/hide|"*)
		id=${FRESH[$r]:-${MSG[$scope]:-}}
		[ -n "$id" ] || return 1
		op POST "/api/v1/messages/$id/hide" "$cred" '{"reason":"矩阵"}' ;;
	*" /api/v1/messages/{mid}"*"|"*)
		[ -n "${MSG[$scope]:-}" ] || return 1
		op "$method" "${path/\{mid\}/${MSG[$scope]}}" "$cred" ;;
	*" /api/v1/groups/{id}"*"|"*)
		[ -n "${GID[$scope]:-}" ] || return 1
		local p=${path/\{id\}/${GID[$scope]}}
		case "$method $path" in
		"GET /api/v1/groups/{id}/events" | "GET /api/v1/groups/{id}/cases/events")
			OP_STREAM=1 op GET "$p" "$cred" ;;
		"PATCH /api/v1/groups/{id}")
			op PATCH "$p" "$cred" '{"approval":false}' ;;
		"PUT /api/v1/groups/{id}/members/{user}")
			op PUT "${p/\{user\}/${USER[$scope]}}" "$cred" '{"role":"resident"}' ;;
		*"/members/{user}"*)
			op "$method" "${p/\{user\}/${USER[$scope]}}" "$cred" ;;
		"POST /api/v1/groups/{id}/roster")
			next_phone
			printf '姓名,手机号,住址\n矩阵户%s,%s,矩阵路%s号\n' "$SEQ" "$PHONE_NEW" "$r" >"$T/roster.$r.csv"
			OP_FILE=$T/roster.$r.csv OP_CTYPE=text/csv op POST "$p" "$cred" ;;
		"PUT /api/v1/groups/{id}/duty/rota")
			op PUT "$p" "$cred" '{"weekdays":[null,null,null,null,null,null,null]}' ;;
		"PUT /api/v1/groups/{id}/duty/days/{day}")
			op PUT "${p/\{day\}/2027-01-04}" "$cred" "{\"user\":${HPID[$scope]}}" ;;
		"DELETE /api/v1/groups/{id}/duty/days/{day}")
			op DELETE "${p/\{day\}/2027-01-04}" "$cred" ;;
		"POST /api/v1/groups/{id}/duty/leave")
			op POST "$p" "$cred" "{\"user\":${HPID[$scope]},\"from\":\"2027-01-11\",\"to\":\"2027-01-12\"}" ;;
		"DELETE /api/v1/groups/{id}/duty/leave/{leave}")
			op DELETE "${p/\{leave\}/${FRESH[$r]:-${LEAVE[$scope]}}}" "$cred" ;;
		"POST /api/v1/groups/{id}/messages")
			op POST "$p" "$cred" '{"text":"矩阵来信"}' ;;
		"POST /api/v1/groups/{id}/images")
			OP_FILE=$T/img.$scope OP_CTYPE=image/png op POST "$p" "$cred" ;;
		"POST /api/v1/groups/{id}/broadcasts")
			op POST "$p" "$cred" '{"text":"矩阵广播"}' ;;
		"GET /api/v1/groups/{id}/images/{sha}")
			op GET "${p/\{sha\}/${IMG[$scope]}}" "$cred" ;;
		*)
			op "$method" "$p" "$cred" ;;
		esac ;;
	"GET /api/v1/regions|-")
		op GET '/api/v1/regions?q=%E4%BE%BF%E6%B0%91' "$cred" ;; # 便民
	"POST /api/v1/regions/lookup|-")
		op POST "$path" "$cred" "{\"codes\":[\"${REGION[v1]}\",\"${REGION[c2]}\"]}" ;;
	"GET /api/v1/regions/{code}|"* | "GET /api/v1/regions/{code}/tree|"*)
		[ -n "${REGION[$scope]:-}" ] || return 1
		op GET "${path/\{code\}/${REGION[$scope]}}" "$cred" ;;
	"POST /api/v1/auth/login|-")
		who=$caller
		[ -n "${PHONE[$who]:-}" ] || who=resident
		op POST "$path" "$cred" "$(login_json "$who")" ;;
	"POST /api/v1/me/password|-")
		op POST "$path" "$cred" \
			"{\"old_password\":\"${PASS[$caller]:-$DEMO_PW}\",\"new_password\":\"$NEW_PW\"}" ;;
	"POST /api/v1/invites/accept|-")
		next_phone
		op POST "$path" "$cred" \
			"{\"code\":\"${INVITE[$r]}\",\"name\":\"受邀$SEQ\",\"phone\":\"$PHONE_NEW\",\"password\":\"Joined-2026\"}" ;;
	"POST /api/v1/users|v1+role")
		next_phone
		op POST "$path" "$cred" \
			"{\"name\":\"矩阵$SEQ\",\"phone\":\"$PHONE_NEW\",\"region\":\"${REGION[v1]}\",\"role\":\"key_person\"}" ;;
	"POST /api/v1/users|"*)
		[ -n "${REGION[$scope]:-}" ] || return 1
		next_phone
		op POST "$path" "$cred" \
			"{\"name\":\"矩阵$SEQ\",\"phone\":\"$PHONE_NEW\",\"region\":\"${REGION[$scope]}\"}" ;;
	"GET /api/v1/users|"*)
		[ -n "${REGION[$scope]:-}" ] || return 1
		op GET "$path?region=${REGION[$scope]}" "$cred" ;;
	"GET /api/v1/users/{id}|"*)
		s=${scope%+reveal}
		case $s in
		self) id=${SELF[$caller]:-} ;;
		none) id=$NOID ;;
		*) id=${USER[$s]:-} ;;
		esac
		[ -n "$id" ] || return 1
		[ "$s" != "$scope" ] && q='?reveal=true&reason=matrix-check'
		op GET "/api/v1/users/$id${q:-}" "$cred" ;;
	"POST /api/v1/users/{id}/roles|"*) # SCOPE or SCOPE>WHERE: grant a role in WHERE
		s=${scope%%>*} where=${scope#*>}
		[ "$where" = none ] && where=v1
		[ -n "${REGION[$where]:-}" ] || return 1
		case $s in none) id=$NOID ;; *) id=${FRESH[$r]:-${USER[$s]:-}} ;; esac
		[ -n "$id" ] || return 1
		op POST "/api/v1/users/$id/roles" "$cred" \
			"{\"role\":\"key_person\",\"region\":\"${REGION[$where]}\"}" ;;
	"DELETE /api/v1/users/{id}/roles/{role}/{region}|"*)
		where=$scope
		[ "$where" = none ] && where=v1
		[ -n "${REGION[$where]:-}" ] || return 1
		case $scope in none) id=$NOID ;; *) id=${FRESH[$r]:-${USER[$scope]:-}} ;; esac
		[ -n "$id" ] || return 1
		op DELETE "/api/v1/users/$id/roles/resident/${REGION[$where]}" "$cred" ;;
	"POST /api/v1/households|"*)
		[ -n "${REGION[$scope]:-}" ] || return 1
		op POST "$path" "$cred" "{\"region\":\"${REGION[$scope]}\",\"address\":\"矩阵街$r号\"}" ;;
	"GET /api/v1/households/{id}|"*)
		id=${HH[$scope]:-}
		[ "$scope" = none ] && id=$NOID
		[ -n "$id" ] || return 1
		op GET "/api/v1/households/$id" "$cred" ;;
	"POST /api/v1/invites|"*)
		[ -n "${REGION[$scope]:-}" ] || return 1
		op POST "$path" "$cred" "{\"region\":\"${REGION[$scope]}\"}" ;;
	"GET /api/v1/audit|"*)
		case $scope in
		none) object=user:$NOID ;;
		hh:*) object=household:${HH[${scope#hh:}]:-} ;;
		region:*) object=region:${REGION[${scope#region:}]:-} ;;
		*) object=user:${USER[$scope]:-} ;;
		esac
		[[ $object == *: ]] && return 1
		op GET "$path?object=$object" "$cred" ;;
	# --- demands
	"POST /api/v1/demands|home")
		op POST "$path" "$cred" '{"category":"roads.lights","description":"矩阵诉求"}' ;;
	# --- the patrol's alerts
	"GET /api/v1/alerts|-")
		op GET "$path" "$cred" ;;
	"GET /api/v1/alerts/events|-")
		OP_STREAM=1 op GET "$path" "$cred" ;;
	"POST /api/v1/patrol/run|-")
		op POST "$path" "$cred" ;;
	# --- the statistics of demands
	"GET /api/v1/stats|"* | "GET /api/v1/stats/export.csv|"* | "GET /api/v1/stats/export.xlsx|"*)
		[ -n "${REGION[$scope]:-}" ] || return 1
		op GET "$path?region=${REGION[$scope]}&from=2026-11" "$cred" ;;
	"GET /api/v1/stats/ranking|"*)
		[ -n "${REGION[$scope]:-}" ] || return 1
		op GET "$path?region=${REGION[$scope]}&from=2026-11&rate=response" "$cred" ;;
	"POST /api/v1/alerts/{id}/acknowledge|"* | "POST /api/v1/alerts/{id}/close|"*)
		id=${FRESH[$r]:-${ALERT[$scope]:-}}
		[ -n "$id" ] || return 1
		op POST "${path/\{id\}/$id}" "$cred" ;;
	# --- 督办
	"POST /api/v1/supervision|"*)
		[ -n "${DEMAND[$scope]:-}" ] || return 1
		op POST "$path" "$cred" "$(sup_json "$scope")" ;;
	"POST /api/v1/supervision/{id}/acknowledge|"* | "POST /api/v1/supervision/notices/{id}/acknowledge|"*)
		id=${FRESH[$r]:-${SUP[$scope]:-}}
		[ -n "$id" ] || return 1
		op POST "${path/\{id\}/$id}" "$cred" ;;
	"GET /api/v1/supervision/notices|"*)
		[ -n "${REGION[$scope]:-}" ] || return 1
		op GET "$path?period=$PERIOD&region=${REGION[$scope]}" "$cred" ;;
	"POST /api/v1/demands|"*)
		[ -n "${REGION[$scope]:-}" ] || return 1
		op POST "$path" "$cred" "$(demand_json "$scope")" ;;
	"GET /api/v1/demands|-" | "GET /api/v1/demands/categories|-" | "GET /api/v1/demands/settings|-")
		op GET "$path" "$cred" ;;
	"GET /api/v1/demands/categories|"*)
		[ -n "${REGION[$scope]:-}" ] || return 1
		op GET "$path?region=${REGION[$scope]}" "$cred" ;;
	"GET /api/v1/demands/settings|"*)
		[ -n "${REGION[$scope]:-}" ] || return 1
		op GET "$path?county=${REGION[$scope]:0:6}" "$cred" ;;
	"GET /api/v1/demands/similar|"*)
		[ -n "${REGION[$scope]:-}" ] || return 1
		op GET "$path?region=${REGION[$scope]}&category=roads.lights" "$cred" ;;
	"GET /api/v1/demands/{id}|"*)
		id=${DEMAND[$scope]:-}
		[ "$scope" = none ] && id=$NOID
		[ -n "$id" ] || return 1
		op GET "/api/v1/demands/$id" "$cred" ;;
	"POST /api/v1/demands/{id}/actions|v1+followup")
		[ -n "${DFU[$r]:-}" ] || return 1
		op POST "/api/v1/demands/${DFU[$r]}/actions" "$cred" \
			'{"action":"follow_up","version":3,"resolved":true,"rating":"satisfied"}' ;;
	"POST /api/v1/demands/{id}/actions|"*)
		id=${DFRESH[$r]:-${DEMAND[$scope]:-}}
		[ "$scope" = none ] && id=$NOID
		[ -n "$id" ] || return 1
		op POST "/api/v1/demands/$id/actions" "$cred" '{"action":"acknowledge","version":1}' ;;
	"POST /api/v1/demands/{id}/photos|"*)
		id=${DEMAND[$scope]:-}
		[ "$scope" = none ] && id=$NOID
		[ -n "$id" ] || return 1
		printf '\x89PNG\r\n\x1a\nmatrix photo of row %s\n' "$r" >"$T/photo.row$r"
		OP_FILE=$T/photo.row$r OP_CTYPE=image/png op POST "/api/v1/demands/$id/photos" "$cred" ;;
	"GET /api/v1/demands/{id}/photos/{sha}|"*)
		id=${DEMAND[$scope]:-} sha=${PHOTO[$scope]:-}
		[ "$scope" = none ] && id=$NOID sha=${PHOTO[v1]:-}
		[ -n "$id" ] && [ -n "$sha" ] || return 1
		op GET "/api/v1/demands/$id/photos/$sha" "$cred" ;;
	"GET /api/v1/demands/{id}/contact|"*)
		id=${DEMAND[$scope]:-}
		[ "$scope" = none ] && id=$NOID
		[ -n "$id" ] || return 1
		op GET "/api/v1/demands/$id/contact?reason=%E7%9F%A9%E9%98%B5" "$cred" ;; # 矩阵
	# --- Open311: the credential as api_key, never a header
	"POST /open311/v2/requests."*"|"*)
		[ -n "${REGION[$scope]:-}" ] || return 1
		OP_FORM="api_key=$cred&service_code=roads.lights&attribute%5Bvillage%5D=${REGION[$scope]}&description=%E7%9F%A9%E9%98%B5" \
			op POST "$path" "" ;;
	"GET /open311/v2/requests/{service_request_id}|"* | "GET /open311/v2/tokens/{token}|"*)
		id=${DEMAND[$scope]:-}
		[ "$scope" = none ] && id=$NOID
		[ -n "$id" ] || return 1
		op GET "${path%%\{*}$id.json?api_key=$cred" "" ;;
	"GET /open311/v2/services/{service_code}|-")
		op GET "/open311/v2/services/roads.lights.json?api_key=$cred" "" ;;
	"GET /open311/v2/"*"|-")
		op GET "$path?api_key=$cred" "" ;;
	# --- 一件事 bundles
	"GET /api/v1/bundles|home")
		op GET "$path" "$cred" ;;
	"GET /api/v1/bundles|"*)
		[ -n "${REGION[$scope]:-}" ] || return 1
		op GET "$path?region=${REGION[$scope]}" "$cred" ;;
	"POST /api/v1/bundles|"*)
		[ -n "${REGION[$scope]:-}" ] || return 1
		op POST "$path" "$cred" "$(bundle_json "$scope" "$r")" ;;
	"GET /api/v1/bundles/{id}"*"|"* | "POST /api/v1/bundles/{id}/services/{code}|"*)
		id=${BUNDLE[$scope]:-}
		[ "$scope" = none ] && id=$NOID
		[ -n "$id" ] || return 1
		q=${path/\{id\}/$id}
		case $path in
		*/person) op GET "$q?reason=%E7%9F%A9%E9%98%B5" "$cred" ;; # 矩阵
		*/services/*)
			if [ "$caller" = system_admin ]; then q=${q/\{code\}/bus_pass}
			else q=${q/\{code\}/certificate}; fi
			op POST "$q" "$cred" '{"state":"done"}' ;;
		*) op GET "$q" "$cred" ;;
		esac ;;
	# --- entitlements of 免申即享
	"GET /api/v1/entitlements|home")
		op GET "$path" "$cred" ;;
	"GET /api/v1/entitlements|"*)
		[ -n "${REGION[$scope]:-}" ] || return 1
		op GET "$path?region=${REGION[$scope]}" "$cred" ;;
	"POST /api/v1/entitlements/runs|-")
		op POST "$path" "$cred" '{"programme":"shenyang.disability_premium","at":"2026-10-09"}' ;;
	*" /api/v1/entitlements/{id}"*"|"*)
		id=${ENT[$scope]:-}
		[ "$scope" = none ] && id=$NOID
		[ -n "$id" ] || return 1
		q=${path/\{id\}/$id}
		case $path in
		*/person) op GET "$q?reason=%E7%9F%A9%E9%98%B5" "$cred" ;; # 矩阵
		*/objection | */appeal) op POST "$q" "$cred" '{"text":"矩阵"}' ;;
		*/review) op POST "$q" "$cred" '{"decision":"dismiss"}' ;;
		*/consent) op POST "$q" "$cred" '{"answer":"refuse","channel":"sms"}' ;;
		*) op GET "$q" "$cred" ;;
		esac ;;
	# --- delivery tasks and the outbox
	"GET /api/v1/deliveries|home" | "GET /api/v1/outbox|home")
		op GET "$path" "$cred" ;;
	"GET /api/v1/outbox|"*)
		[ -n "${REGION[$scope]:-}" ] || return 1
		op GET "$path?region=${REGION[$scope]}" "$cred" ;;
	*" /api/v1/deliveries/{id}"*"|"*)
		id=${DELIVERY[$scope]:-}
		[ "$scope" = none ] && id=$NOID
		[ -n "$id" ] || return 1
		q=${path/\{id\}/$id}
		case $path in
		*/actions/*) op POST "${q/\{action\}/note}" "$cred" '{"words":"矩阵"}' ;;
		*) op GET "$q" "$cred" ;;
		esac ;;
	"GET /api/v1/outbox/{id}/phone|"*)
		id=${OUTBOX[$scope]:-}
		[ "$scope" = none ] && id=$NOID
		[ -n "$id" ] || return 1
		op GET "${path/\{id\}/$id}" "$cred" ;;
	# --- the data-sharing exchange
	"GET /api/v1/exchange/"*"|-")
		op GET "$path" "$cred" ;;
	"POST /api/v1/exchange/datasets/{code}/batches/{batch}|none")
		printf 'id_number,grade\n1,1\n' >"$T/exchange.csv"
		OP_FILE=$T/exchange.csv OP_CTYPE=text/csv \
			op POST /api/v1/exchange/datasets/nosuch/batches/b1 "$cred" ;;
	"GET /api/v1/exchange/subscriptions/{id}/"*"|none" | \
		"POST /api/v1/exchange/subscriptions/{id}/approve|none")
		op "$method" "${path/\{id\}/$NOID}" "$cred" ;;
	*) return 1 ;;
	esac
}

batch rows
declare -A OPOF
for r in "${!ROWS[@]}"; do
	op_row "$r" && OPOF[$r]=$NOPS
done
run_batch
for r in "${!ROWS[@]}"; do
	IFS=$'\t' read -r method path caller scope expect <<<"${ROWS[$r]}"
	desc="$method $path as $caller on $scope: $expect"
	n=${OPOF[$r]:-}
	if [ -z "$n" ]; then
		fail "$desc" "the test knows no request for scope '$scope' of this route"
		continue
	fi
	got=${STATUSES[$n - 1]:-none}
	if [ "$got" = "$expect" ]; then
		pass "$desc"
	else
		answer "$n"
		fail "$desc" "status $got; body: ${ANSWER:0:200}"
	fi
done
echo "# ${#ROWS[@]} rows, $((SECONDS - started)) s in all"

finish
