#!/usr/bin/env bash
# t0500: the command line: help, exit codes, settings and their precedence
# (default < config file < environment < flag), version, init/migrate/demo,
# and a daemon that stops cleanly on SIGTERM.
. "$(dirname "$0")/lib.sh"

# Settings from the caller's environment must not leak into these checks.
for v in $(compgen -e | grep '^BIANMIN_'); do
	case $v in BIANMIN_TOP | BIANMIN_DATA | BIANMIN_TEST_PG) ;; *) unset "$v" ;; esac
done

# run ARGS...: run the binary (never longer than 10 s); sets RC, output in
# $T/out and $T/err.
run() {
	timeout 10 "$BIANMIN" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# setting NAME: "value source" of NAME in the last `config dump`.
setting() { awk -v n="$1" '$1 == n { sub(/;$/, "", $5); print $3, $5 }' "$T/out"; }

# --- help and usage -------------------------------------------------------------
run help
check "help exits 0" test "$RC" -eq 0
for c in serve init migrate import demo config version help; do
	check "help lists the command $c" grep -q "^  $c\\b" "$T/out"
done
check "help explains the exit codes" grep -q 'exit codes: 0 ok' "$T/out"
run --help
check "--help exits 0 with the overview" test "$RC" -eq 0 -a -n "$(grep '^usage: bianmin' "$T/out")"
run help import
check "help import shows import's usage" grep -q '^usage: bianmin import divisions FILE' "$T/out"
for c in serve init migrate import demo config version; do
	run --db "$T/none.db" "$c" -h
	check "$c -h exits 0 with its usage" test "$RC" -eq 0 -a -n "$(grep "^usage: bianmin $c" "$T/out")"
done
check "asking for help created no database" test ! -e "$T/none.db"
run
check "no command is a usage error (exit 2)" test "$RC" -eq 2 -a -n "$(grep '^usage:' "$T/err")"
run frobnicate
check "an unknown command exits 2" test "$RC" -eq 2
check "and the message names it" grep -q "'frobnicate' is not a command" "$T/err"
run config
check "config without dump is a usage error (exit 2)" test "$RC" -eq 2
run import
check "import without arguments is a usage error (exit 2)" test "$RC" -eq 2
run --db "$DB" import towns x.csv
check "import of an unknown kind is a usage error naming it" test "$RC" -eq 2 -a -n "$(grep "'towns'" "$T/err")"
run --listen
check "a flag without its value is a usage error (exit 2)" test "$RC" -eq 2

# --- version --------------------------------------------------------------------
run version
check "version exits 0" test "$RC" -eq 0
check "version prints the program and its libraries" grep -Eq '^bianmin [^ ]+ \(sqlite [0-9.]+, libmicrohttpd [0-9.]+, jansson [0-9.]+\)$' "$T/out"
cp "$T/out" "$T/version"
run --version
check "--version prints the same" cmp -s "$T/out" "$T/version"
run version extra
check "version with an argument is a usage error" test "$RC" -eq 2

# --- a database that does not exist -------------------------------------------
MISSING=$(missing_db missing)
for c in serve migrate demo "import divisions $T/x.csv"; do
	# shellcheck disable=SC2086
	run --db "$MISSING" --listen 127.0.0.1:0 $c
	check "${c%% *} on a missing database exits 4" test "$RC" -eq 4
	check "${c%% *} says the database does not exist" grep -q "database '$MISSING' does not exist" "$T/err"
done
if on_pg; then
	check "none of them created the database" test -z "$(pg_admin -c "SELECT 1 FROM pg_database WHERE datname = '$(pg_name missing)'")"
else
	check "none of them created the database" test ! -e "$MISSING"
fi

# --- init, migrate, demo ------------------------------------------------------
run --db "$DB" init
check "init creates the database (exit 0)" test "$RC" -eq 0
check "and the database holds the schema" db_exists "$DB"
check "init reports the migrations applied" grep -q 'applied [0-9]* migration' "$T/out"
run --db "$DB" init
check "init again is harmless" test "$RC" -eq 0 -a -n "$(grep 'is current' "$T/out")"
if on_pg; then
	(cd "$T" && "$BIANMIN" --db "$DB" init >/dev/null 2>&1)
	check "init on a postgresql:// URI makes no folder named after it" test ! -e "$T/postgresql:"
fi
run --db "$DB" migrate
check "migrate on a current database exits 0" test "$RC" -eq 0 -a -n "$(grep 'is current' "$T/out")"
run --db "$DB" demo
check "demo loads the demo county" grep -q '523 regions added' "$T/out"
run --db "$DB" demo
check "demo again changes nothing" grep -q '0 regions added, 0 updated, 523 unchanged' "$T/out"
run --db "$DB" init --force
check "init with an unknown argument is a usage error" test "$RC" -eq 2

# --- settings and their precedence ------------------------------------------------
printf '# a comment\n\nlisten = 127.0.0.1:1111\nthreads=3\n' >"$T/bianmin.conf"
run config dump
check "config dump exits 0" test "$RC" -eq 0
check "config dump shows every setting" \
	test "$(grep -cE '^(db|listen|threads|log_level|access_log|web_root|max_body|connection_limit|timeout) ' "$T/out")" -eq 9
check "without file, env or flag, listen is the default" test "$(setting listen)" = "127.0.0.1:8080 default"
run --config "$T/bianmin.conf" config dump
check "the config file overrides the default" test "$(setting listen)" = "127.0.0.1:1111 file"
check "the config file takes name=value without spaces" test "$(setting threads)" = "3 file"
check "what the file does not set stays default" test "$(setting timeout)" = "30 default"
BIANMIN_LISTEN=127.0.0.1:2222 run --config "$T/bianmin.conf" config dump
check "the environment overrides the file" test "$(setting listen)" = "127.0.0.1:2222 env"
BIANMIN_LISTEN=127.0.0.1:2222 run --config "$T/bianmin.conf" --listen 127.0.0.1:3333 config dump
check "a flag overrides the environment" test "$(setting listen)" = "127.0.0.1:3333 flag"
BIANMIN_LISTEN=127.0.0.1:2222 run --config "$T/bianmin.conf" config dump --listen=127.0.0.1:4444
check "a flag may follow the command, as --flag=value" test "$(setting listen)" = "127.0.0.1:4444 flag"
BIANMIN_CONFIG=$T/bianmin.conf run config dump
check "BIANMIN_CONFIG names the config file" test "$(setting listen)" = "127.0.0.1:1111 file"

run --threads many config dump
check "a bad flag value is refused (exit 3)" test "$RC" -eq 3
check "the message names the option and the value" grep -q "option 'threads' .* not 'many'" "$T/err"
printf 'timeout = 0\n' >"$T/bad.conf"
run --config "$T/bad.conf" config dump
check "a bad value in the config file is refused (exit 3)" test "$RC" -eq 3
check "the message names the file, line and option" grep -q "bad.conf:1: option 'timeout'" "$T/err"
printf 'colour = blue\n' >"$T/unknown.conf"
run --config "$T/unknown.conf" config dump
check "an unknown option in the config file is refused (exit 3) naming it" \
	test "$RC" -eq 3 -a -n "$(grep "unknown option 'colour'" "$T/err")"
BIANMIN_ACCESS_LOG=maybe run config dump
check "a bad environment value is refused naming variable and option" \
	test "$RC" -eq 3 -a -n "$(grep "BIANMIN_ACCESS_LOG: option 'access_log'" "$T/err")"
run --db "$DB" --log-level loud serve --listen 127.0.0.1:0
check "serve with a bad setting does not start (exit 3)" test "$RC" -eq 3 -a -n "$(grep "option 'log_level'" "$T/err")"
run --config "$T/none.conf" config dump
check "a config file that cannot be read fails (exit 1) naming it" test "$RC" -eq 1 -a -n "$(grep "none.conf" "$T/err")"
run --db "$DB" serve --listen 127.0.0.1:99999
check "serve with a bad listen address is refused (exit 3) naming it" test "$RC" -eq 3 -a -n "$(grep "127.0.0.1:99999" "$T/err")"

# --- serve and SIGTERM ----------------------------------------------------------
start_server || { fail "server starts"; finish; exit 1; }
req GET /healthz
expect_status 200 "the daemon serves the database made by init"
# An idle keep-alive connection and a request whose body never completes
# must not hold the shutdown up.
port=${BASE##*:}
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n' >&3
read -r -t 10 line <&3
check "a keep-alive client got its answer" grep -q '^HTTP/1.1 200' <<<"$line"
exec 4<>"/dev/tcp/127.0.0.1/$port"
printf 'POST /api/v1/regions/lookup HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"co' >&4
pid=$SERVER_PID
kill -TERM "$pid"
timeout 10 tail --pid="$pid" -f /dev/null
wait "$pid"
rc=$?
SERVER_PID=
exec 3<&- 4<&-
check "SIGTERM stops the daemon with exit 0, open connections notwithstanding" test "$rc" -eq 0
check "the daemon logs event=serve.stopping with the signal" grep -q 'event=serve.stopping signal=15' "$T/serve.log"
check "the daemon logs event=serve.stopped" grep -q 'event=serve.stopped' "$T/serve.log"
check "the stop is logged last" test -n "$(tail -n 1 "$T/serve.log" | grep 'event=serve.stopped')"

finish
