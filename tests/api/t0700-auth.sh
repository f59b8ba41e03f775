#!/usr/bin/env bash
# t0700: signing in and out. The sign-in reply (token, CSRF token, cookies);
# wrong credentials; the throttle (per account and per address, lifted when
# the window has passed); sessions by Bearer and by cookie with the CSRF
# header; a disabled account's session refused until re-enabled; logout;
# expiry ("13 hours later" with BIANMIN_CLOCK_OFFSET); bad and stale
# credentials; API keys made, listed and revoked with the CLI.
# Argon2id costs ~0.1 s per sign-in attempt, so attempts are few.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/accounts.sh"

# cookie NAME: the Set-Cookie line for NAME in the last reply ('' if none).
cookie() { grep -i "^Set-Cookie: $1=" "$T/headers" | head -n 1 | tr -d '\r'; }

not_grep() { ! grep "$@"; }
# not_in_log TEXT: TEXT appears in no log of this script's daemons.
not_in_log() { ! cat "$T"/*.log | grep -qF -- "$1"; }

# restart OFFSET: stop the daemon and start it again with its clock moved
# (the log of the run that ends is kept as old-N.log).
restart() {
	if stop_server; then pass "the daemon stops cleanly before the restart at +$1 s"
	else fail "the daemon stops cleanly before the restart at +$1 s" "$(tail -n 5 "$T/serve.log")"; fi
	cp "$T/serve.log" "$T/old-$1.log"
	BIANMIN_CLOCK_OFFSET=$1 start_server || { fail "the daemon starts at +$1 s"; finish; exit 1; }
	check "the restarted daemon logs its clock offset of $1 s" \
		grep -q "event=clock.offset seconds=$1 " "$T/serve.log"
}

PW=demo-2026
VA=19900000002   # village_admin of 990101103200
CS=19900000006   # county_supervisor of 990101
AO=19900000007   # agency_operator
LW=19900000008   # lawyer

bm init --demo >/dev/null 2>&1
start_server || { fail "server starts"; finish; exit 1; }

# --- a successful sign-in -----------------------------------------------------
login $VA $PW
expect_status 200 "the right phone and password sign in (200)"
TOK=$(json .token) CSRF=$(json .csrf_token)
check "the reply carries a session token bms_..." grep -Eq '^bms_[A-Za-z0-9_-]{40,}$' <<<"$TOK"
check "the reply carries a CSRF token" grep -Eq '^[A-Za-z0-9_-]{40,}$' <<<"$CSRF"
expect_json .user.id 2 "the reply names the person signed in (user 2)"
expect_json .user.phone '199****0002' "the person's phone is masked in the sign-in reply"
expect_json '.user.roles[0].role + " " + .user.roles[0].region' 'village_admin 990101103200' \
	"the reply lists the person's role and its region"
check "expires_at is 12 hours from now (default session_ttl)" \
	test "$(jq -r '((.expires_at | fromdateiso8601) - now) | fabs < 60 + 43200 and . > 43200 - 60' "$T/body")" = true
c=$(cookie bm_session)
check "Set-Cookie bm_session carries the token" grep -q "^Set-Cookie: bm_session=$TOK;" <<<"$c"
check "the bm_session cookie is HttpOnly" grep -q '; HttpOnly' <<<"$c"
check "the bm_session cookie is SameSite=Strict" grep -q '; SameSite=Strict' <<<"$c"
check "the bm_session cookie lasts as long as the session (Max-Age=43200)" grep -Eq "; Max-Age=(43200|4319[0-9]);" <<<"$c"
c=$(cookie bm_csrf)
check "Set-Cookie bm_csrf carries the CSRF token" grep -q "^Set-Cookie: bm_csrf=$CSRF;" <<<"$c"
check "the bm_csrf cookie is readable by the page (not HttpOnly)" test -n "$c" -a -z "$(grep HttpOnly <<<"$c")"
check "the bm_csrf cookie is SameSite=Strict" grep -q '; SameSite=Strict' <<<"$c"
check "the sign-in reply is not cached" test "$(header Cache-Control)" = no-store
check "the password never reaches the log" not_in_log "$PW"
check "the session token never reaches the log" not_in_log "$TOK"

# --- malformed sign-ins: refused before any password is tried -----------------
login 12345 $PW
expect_error 400 invalid phone "a phone number of bad format is refused with 400 naming phone"
req POST /api/v1/auth/login -H 'Content-Type: application/json' --data-binary '{"phone":"19900000002"}'
expect_error 400 invalid password "a sign-in without password is refused with 400 naming password"
login $VA ''
expect_error 400 invalid password "an empty password is refused with 400 naming password"
req POST /api/v1/auth/login -H 'Content-Type: application/json' --data-binary '{"password":"demo-2026"}'
expect_error 400 invalid phone "a sign-in without phone is refused with 400 naming phone"
req POST /api/v1/auth/login -H 'Content-Type: application/json' --data-binary '{"phone":19900000002,"password":"demo-2026"}'
expect_error 400 invalid phone "a phone that is a number, not a string, is refused naming phone"

# --- sessions: Bearer, cookie, CSRF -------------------------------------------
as "$TOK" GET /api/v1/me
expect_status 200 "GET /api/v1/me with the Bearer token answers 200"
expect_json .id 2 "and it is the person who signed in"
req GET /api/v1/me -b "bm_session=$TOK"
expect_status 200 "GET /api/v1/me with the session cookie answers 200"
expect_json .id 2 "and the cookie names the same person"
HH='{"region":"990101103200","address":"第一个村 1 号"}'
req POST /api/v1/households -b "bm_session=$TOK" -H 'Content-Type: application/json' --data-binary "$HH"
expect_error 403 forbidden - "a cookie POST without X-CSRF-Token is refused with 403" X-CSRF-Token
req POST /api/v1/households -b "bm_session=$TOK" -H "X-CSRF-Token: ${CSRF}x" \
	-H 'Content-Type: application/json' --data-binary "$HH"
expect_error 403 forbidden - "a cookie POST with a wrong X-CSRF-Token is refused with 403"
req POST /api/v1/households -b "bm_session=$TOK" -H "X-CSRF-Token: $TOK" \
	-H 'Content-Type: application/json' --data-binary "$HH"
expect_error 403 forbidden - "the session token itself is no CSRF token"
req POST /api/v1/households -b "bm_session=$TOK" -H "X-CSRF-Token: $CSRF" \
	-H 'Content-Type: application/json' --data-binary "$HH"
expect_status 201 "a cookie POST with the right X-CSRF-Token goes through (201)"
as "$TOK" POST /api/v1/households "$HH"
expect_status 201 "a Bearer POST needs no CSRF token (201)"
check "no household was made by the refused cookie POSTs (ids 1 and 2 only)" \
	test "$(json .id)" = 2

# --- a disabled account -----------------------------------------------------------
# users.disabled set behind the daemon's back: the session check reads it
# with the session, on every request.
db_sql "$DB" "UPDATE users SET disabled = true WHERE id = 2"
as "$TOK" GET /api/v1/me
expect_error 401 unauthenticated - "the session of a disabled account is refused with 401" \
	"this account is disabled"
db_sql "$DB" "UPDATE users SET disabled = false WHERE id = 2"
as "$TOK" GET /api/v1/me
expect_status 200 "re-enabled, the same session works again (200)"

# --- bad and stale credentials --------------------------------------------------
as not-a-token GET /api/v1/me
expect_error 401 unauthenticated - "a garbage Bearer token is refused with 401" "unknown session"
as bms_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA GET /api/v1/me
expect_error 401 unauthenticated - "a well-formed but unknown session token is refused with 401"
as bmk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA GET /api/v1/users
expect_error 401 unauthenticated - "an unknown API key is refused with 401" "unknown API key"
req GET /api/v1/me -H "Authorization: Basic $(printf '19900000002:demo-2026' | base64)"
expect_error 401 unauthenticated - "an Authorization header that is not Bearer is refused with 401" Bearer
req GET /api/v1/me -H "Authorization: $TOK"
expect_error 401 unauthenticated - "a bare token without 'Bearer ' is refused with 401"
req GET /api/v1/me
expect_error 401 unauthenticated - "no credentials on a signed-in route: 401" "sign in"
req GET /api/v1/regions/990101 -b 'bm_session=bms_stale'
expect_status 200 "a stale session cookie on a public route still answers (anonymously)"
req GET /api/v1/me -b 'bm_session=bms_stale'
expect_error 401 unauthenticated - "a stale session cookie on a signed-in route is refused with 401"
req GET /api/v1/regions/990101 -H 'Authorization: Bearer bms_stale'
expect_error 401 unauthenticated - "a stale Bearer token is refused even on a public route"

# A browser holding a stale cookie can still sign in (no CSRF asked of it).
login $CS $PW -b 'bm_session=bms_stale'
expect_status 200 "a browser with a stale session cookie can sign in"
TOK2=$(json .token)

# --- logout ---------------------------------------------------------------------
req POST /api/v1/auth/logout -b "bm_session=$TOK2"
expect_error 403 forbidden - "logout by cookie without X-CSRF-Token is refused"
as "$TOK2" GET /api/v1/me
expect_status 200 "so the session still works"
as "$TOK2" POST /api/v1/auth/logout
expect_status 200 "POST /api/v1/auth/logout ends the session (200)"
check "logout clears the bm_session cookie" grep -q '^Set-Cookie: bm_session=; .*Max-Age=0' <<<"$(cookie bm_session)"
check "logout clears the bm_csrf cookie" grep -q '^Set-Cookie: bm_csrf=; .*Max-Age=0' <<<"$(cookie bm_csrf)"
as "$TOK2" GET /api/v1/me
expect_error 401 unauthenticated - "the token of a closed session is refused with 401" closed
req GET /api/v1/me -b "bm_session=$TOK2"
expect_error 401 unauthenticated - "and so is its cookie" closed
as "$TOK2" POST /api/v1/auth/logout
expect_error 401 unauthenticated - "logging out twice is refused with 401"
as "$TOK" GET /api/v1/me
expect_status 200 "another person's session is untouched by the logout"

# --- API keys, made with the CLI ------------------------------------------------
bm apikey add feed --role county_supervisor --region 990101 >"$T/out" 2>"$T/err"
check "apikey add exits 0" test $? -eq 0
KEY=$(grep -E '^bmk_' "$T/out")
check "apikey add prints one bmk_ key" grep -Eq '^bmk_[A-Za-z0-9_-]{40,}$' <<<"$KEY"
check "apikey add says the key is shown once" grep -q 'shown once' "$T/out"
KID=$(sed -nE "s/^API key ([0-9]+) 'feed'.*/\1/p" "$T/out")
as "$KEY" GET '/api/v1/users?region=990101'
expect_status 200 "the key works as a Bearer token: GET /api/v1/users?region=990101 (200)"
check "and lists the county's accounts (9 demo accounts)" test "$(json '.users | length')" -ge 9
as "$KEY" GET '/api/v1/users?region=990101103200'
expect_status 200 "the county key sees a village under its county"
as "$KEY" POST /api/v1/households "$HH"
expect_error 403 forbidden - "a county_supervisor key may not register households (403)"
as "$KEY" GET /api/v1/me
expect_error 400 invalid - "/api/v1/me with an API key: it is no person (400)"
req GET /api/v1/users -b "bm_session=$KEY"
expect_error 401 unauthenticated - "an API key is not taken as a session cookie"
bm apikey add town --role town_supervisor --region 990101103 >"$T/out" 2>&1
TKEY=$(grep -E '^bmk_' "$T/out")
as "$TKEY" GET '/api/v1/users?region=990101'
expect_error 404 not_found - "a key for a town does not see the county's accounts (404)"
as "$TKEY" GET '/api/v1/users?region=990101103201'
expect_status 200 "a key for a town sees a village of that town"
bm apikey list >"$T/out" 2>&1
check "apikey list exits 0" test $? -eq 0
check "apikey list shows the key's id, name, role and region" \
	grep -Eq "^$KID +feed +county_supervisor +990101 " "$T/out"
check "apikey list never shows the key itself" not_grep -F "$KEY" "$T/out"
bm apikey revoke "$KID" >"$T/out" 2>&1
check "apikey revoke exits 0" test $? -eq 0
as "$KEY" GET '/api/v1/users?region=990101'
expect_error 401 unauthenticated - "a revoked key is refused with 401" revoked
bm apikey list >"$T/out" 2>&1
check "apikey list marks the key revoked" grep -Eq "^$KID +feed .* revoked$" "$T/out"
as "$TKEY" GET '/api/v1/users?region=990101103201'
expect_status 200 "the other key still works"
bm apikey add bad --role mayor --region 990101 >"$T/out" 2>"$T/err"
check "apikey add with an unknown role exits 3" test $? -eq 3
check "and says which role" grep -q "unknown role 'mayor'" "$T/err"
check "and prints no key" not_grep -q bmk_ "$T/out"
bm apikey add bad --role resident --region 110101 >"$T/out" 2>"$T/err"
check "apikey add with a region not in the registry exits 3" test $? -eq 3
check "and says the region is not in the registry" grep -q "'110101' is not in the registry" "$T/err"
bm apikey add bad --role resident --region 12x >/dev/null 2>&1
check "apikey add with a malformed region exits 3" test $? -eq 3
bm apikey revoke 999 >/dev/null 2>&1
check "apikey revoke of an unknown key exits 4" test $? -eq 4
bm apikey add feed2 --role resident >/dev/null 2>&1
check "apikey add without --region is a usage error (exit 2)" test $? -eq 2

# --- wrong credentials and the throttle -------------------------------------------
# Each address of 127.0.0.0/8 is its own client, so the per-account and the
# per-address locks can be told apart.
if [ "$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "$BASE/healthz")" != 200 ]; then
	skip "throttle: curl cannot send from 127.0.0.2, so addresses cannot be told apart"
	THROTTLE=0
else
	THROTTLE=1
	# Sources: .2 and .3 fail for the lawyer; .4 is clean; .7 fails for the
	# agency operator; .8 signs the operator in; .9 tries an unknown phone.
	login $LW wrong-password-1 --interface 127.0.0.2
	expect_error 401 unauthenticated - "a wrong password is refused with 401"
	WRONG=$(json .error.message)
	login 13800000000 wrong-password-1 --interface 127.0.0.9
	expect_error 401 unauthenticated - "an unknown phone number is refused with 401"
	check "with the very same message as a wrong password ('$WRONG')" \
		test "$(json .error.message)" = "$WRONG"
	for i in 2 3 4; do login $LW wrong-password-$i --interface 127.0.0.2; done
	expect_error 401 unauthenticated - "the 4th wrong password for an account is still a 401"
	login $LW wrong-password-5 --interface 127.0.0.3
	expect_error 401 unauthenticated - "the 5th wrong password (from another address) is a 401"
	login $LW $PW --interface 127.0.0.4
	expect_error 429 too_many_requests - \
		"after 5 failures the account is locked: even the right password, from a clean address, gets 429" \
		"try again in 15 minutes"
	login $LW $PW --interface 127.0.0.4
	expect_error 429 too_many_requests - "and it stays locked"
	# A success clears the account's failures: 4 failures, a success, one
	# more failure, and the right password still signs in.
	for i in 1 2 3 4; do login $AO wrong-password-$i --interface 127.0.0.7; done
	expect_error 401 unauthenticated - "4 wrong passwords for another account: 401"
	login $AO $PW --interface 127.0.0.4
	expect_status 200 "the lock is the account's: another account signs in from the address refused a moment ago"
	login $AO wrong-password-5 --interface 127.0.0.8
	expect_error 401 unauthenticated - "after that success, one more wrong password is a 401"
	login $AO $PW --interface 127.0.0.8
	expect_status 200 "and no lock follows (the success had cleared the 4 earlier failures)"
	# The address: its 5th failure, for an account never tried before, locks it.
	login 13800000001 wrong-password --interface 127.0.0.2
	expect_error 401 unauthenticated - "a 5th failure from one address (another, unknown account) is a 401"
	login $AO $PW --interface 127.0.0.2
	expect_error 429 too_many_requests - "then that address is locked: a right password from it gets 429"
	check "no failed password reaches the log" not_in_log wrong-password
fi

# --- 1000 s later: the lock has lifted ---------------------------------------------
restart 1000
if [ $THROTTLE = 1 ]; then
	login $LW $PW --interface 127.0.0.4
	expect_status 200 "1000 s later (past the 15-minute window) the locked account signs in"
	LTOK=$(json .token)
	login $AO $PW --interface 127.0.0.2
	expect_status 200 "and the locked address is free again"
else
	login $LW $PW
	expect_status 200 "1000 s later the lawyer signs in"
	LTOK=$(json .token)
fi
as "$TOK" GET /api/v1/me
expect_status 200 "a session survives a restart of the daemon"
as "$TOK2" GET /api/v1/me
expect_error 401 unauthenticated - "a closed session stays closed after a restart" closed

# --- 43300 s later: past the 12-hour session_ttl -------------------------------------
restart 43300
as "$TOK" GET /api/v1/me
expect_error 401 unauthenticated - "43300 s later the session's token is refused with 401" expired
req GET /api/v1/me -b "bm_session=$TOK"
expect_error 401 unauthenticated - "and so is its cookie" expired
req GET /api/v1/regions/990101 -b "bm_session=$TOK"
expect_status 200 "an expired cookie on a public route still answers (anonymously)"
as "$LTOK" GET /api/v1/me
expect_status 200 "a session opened at +1000 s still lives at +43300 s (ends at +44200 s)"
as "$TOK2" GET /api/v1/me
expect_error 401 unauthenticated - "a closed session still says closed, not expired" closed
as "$TKEY" GET '/api/v1/users?region=990101103201'
expect_status 200 "API keys do not expire with time"

check "no request of this script was answered with a 5xx status" not_grep -q 'status=5[0-9][0-9]' "$T"/*.log
finish
