# tests/api/accounts.sh - helpers of the account tests (t07xx), sourced after
# lib.sh: a clean BIANMIN_* environment, error checks, requests as a token
# holder, sign-in, and resident ID numbers with the right check character.

# Settings from the caller's environment must not leak into these tests.
for v in $(compgen -e | grep '^BIANMIN_'); do
	case $v in BIANMIN | BIANMIN_TOP | BIANMIN_DATA | BIANMIN_TEST_PG) ;; *) unset "$v" ;; esac
done

# expect_error STATUS CODE FIELD DESCRIPTION [MESSAGE_PART]: the last reply
# is an error of that status and code naming FIELD ("-": none), whose
# message contains MESSAGE_PART when given.
expect_error() {
	local got want="$2|$3" msg
	got=$(jq -r '.error | "\(.code)|\(.field // "-")"' "$T/body" 2>/dev/null)
	msg=$(jq -r '.error.message // ""' "$T/body" 2>/dev/null)
	if [ "$STATUS" = "$1" ] && [ "$got" = "$want" ] && [[ -z "${5:-}" || "$msg" == *"$5"* ]]; then
		pass "$4"
	else
		fail "$4" "status $STATUS (want $1), code|field '$got' (want '$want'), message '$msg'${5:+ (want it to contain '$5')}"
	fi
}

# as TOKEN METHOD PATH [JSON]: a request with a Bearer token.
as() {
	if [ $# -gt 3 ]; then
		req "$2" "$3" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
			--data-binary "$4"
	else
		req "$2" "$3" -H "Authorization: Bearer $1"
	fi
}

# login PHONE PASSWORD [curl arguments...]: POST /api/v1/auth/login.
login() {
	local body
	body=$(jq -nc --arg p "$1" --arg w "$2" '{phone: $p, password: $w}')
	shift 2
	req POST /api/v1/auth/login -H 'Content-Type: application/json' --data-binary "$body" "$@"
}

# id18 FIRST17: the resident ID number with its right check character.
id18() {
	local s=$1 w=(7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) sum=0 i c=10X98765432
	for i in $(seq 0 16); do sum=$((sum + ${s:i:1} * ${w[i]})); done
	echo "$s${c:sum % 11:1}"
}
