# shellcheck shell=bash
# shellcheck disable=SC2034 # the globals set here are read by the callers
# bench/lib.sh - what the HTTP benchmark scripts source.
#
# Gives a private temporary folder ($BT), starts bianmin (start_bianmin, or
# start_bianmin_on for a given database: several may run at once), a
# PostgreSQL server for it (start_pg: a throwaway cluster made with initdb in
# $BT, or a throwaway database on the server of BENCH_PG_URI) and the
# reference nginx (start_nginx) on free ports of 127.0.0.1, runs wrk
# (run_wrk) and parses its --latency report, and stops and removes
# everything it started when the script exits (bench_cleanup, installed as
# the EXIT trap). Every wait is bounded. Traffic goes to 127.0.0.1 only
# (and to BENCH_PG_URI's server when one is given).
#
# Needs: bash, wrk, nginx (Debian nginx-light or nginx), curl, coreutils;
# for PostgreSQL, Debian's postgresql (initdb, pg_ctl, psql; as root also
# runuser and the postgres user), or psql and BENCH_PG_URI.

BENCH_TOP=${BENCH_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BT=
BIANMIN_PID=
BIANMIN_PIDS=()
NGINX_PID=
BIANMIN_URL=
NGINX_URL=
NGINX_BIN=
WRK_PID=
PG_BIN=
PG_URI=
PG_PID=
PG_DESC=
PG_DATA=
PG_AS=()
PG_ADMIN_URI=
PG_DBNAME=

bench_say() { printf '%s\n' "$*" >&2; }
bench_die() { bench_say "bench: $*"; exit 1; }

# Check the tools; print how to install the missing ones.
bench_need_tools() {
	local missing=() pkgs=()
	command -v wrk >/dev/null 2>&1 || { missing+=(wrk); pkgs+=(wrk); }
	NGINX_BIN=$(command -v nginx 2>/dev/null || true)
	[ -z "$NGINX_BIN" ] && [ -x /usr/sbin/nginx ] && NGINX_BIN=/usr/sbin/nginx
	[ -z "$NGINX_BIN" ] && { missing+=(nginx); pkgs+=(nginx-light); }
	command -v curl >/dev/null 2>&1 || { missing+=(curl); pkgs+=(curl); }
	command -v timeout >/dev/null 2>&1 || { missing+=(timeout); pkgs+=(coreutils); }
	if [ ${#missing[@]} -gt 0 ]; then
		bench_say "bench: missing tools: ${missing[*]}"
		bench_say "  install the Debian packages with:  scripts/deps.sh ${pkgs[*]}   (as root)"
		bench_say "  or:  sudo apt-get install -y --no-install-recommends ${pkgs[*]}"
		exit 1
	fi
}

# Stop one process: SIGTERM, wait up to 5 s, then SIGKILL it and its children.
bench_stop_pid() {
	local pid=$1 name=$2 i
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		bench_say "bench: $name (pid $pid) did not stop in 5 s; killing it"
		pkill -KILL -P "$pid" 2>/dev/null
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null || true
	return 0
}

# bench_backends: the array backends from BENCH_BACKENDS ("sqlite
# postgresql" by default; postgres and pg name PostgreSQL too).
bench_backends() {
	local b
	backends=()
	for b in ${BENCH_BACKENDS:-sqlite postgresql}; do
		case $b in
		sqlite) backends+=(sqlite) ;;
		postgresql | postgres | pg) backends+=(postgresql) ;;
		*) bench_die "BENCH_BACKENDS: unknown backend '$b' (sqlite, postgresql)" ;;
		esac
	done
	[ ${#backends[@]} -gt 0 ] || bench_die "BENCH_BACKENDS names no backend"
}

# Databases a benchmark made on the PostgreSQL server besides its own
# (BENCH_PG_DBS+=(NAME)), dropped by bench_cleanup (with the throwaway
# cluster they go with it anyway).
BENCH_PG_DBS=()

bench_cleanup() {
	local rc=$? d
	set +e # nothing may cut the cleanup short:
	# not a reader that went away either (`make bench | tee`, Ctrl-C): a
	# message written into a closed pipe must not kill us before postgres
	# is stopped.
	trap '' PIPE
	trap - EXIT INT TERM
	for d in "${BENCH_PG_DBS[@]}"; do
		timeout 30 "$PG_BIN/psql" -qAtX -d "$PG_URI" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1
	done
	BENCH_PG_DBS=()
	bench_stop_pid "$WRK_PID" wrk
	WRK_PID=
	bench_stop_pid "$NGINX_PID" nginx
	NGINX_PID=
	local p
	for p in "${BIANMIN_PIDS[@]}"; do
		bench_stop_pid "$p" bianmin
	done
	BIANMIN_PIDS=()
	BIANMIN_PID=
	bench_pg_stop
	[ -n "$BT" ] && [ -z "${BENCH_KEEP:-}" ] && rm -rf "$BT"
	[ -n "$BT" ] && [ -n "${BENCH_KEEP:-}" ] && bench_say "bench: kept $BT"
	exit $rc
}

bench_init() {
	BT=$(mktemp -d "${TMPDIR:-/tmp}/bianmin-bench.XXXXXX")
	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# The reader of our output gone (tee killed by Ctrl-C): clean up all
	# the same, rather than die at the next echo and leave postgres running.
	trap 'exit 141' PIPE
}

# start_bianmin BIN [serve arguments...]: a demo SQLite database in $BT and
# `bianmin serve` on a free port with the access log off. Sets BIANMIN_PID
# and BIANMIN_URL.
start_bianmin() {
	local bin=$1
	shift
	start_bianmin_on sqlite "$BT/bianmin.db" "$bin" "$@"
}

# start_bianmin_on NAME DB BIN [serve arguments...]: `BIN --db DB init
# --demo` (DB: a SQLite file or a postgresql:// URI of an empty database),
# then `BIN --db DB serve` on a free port with the access log off; its log
# is $BT/bianmin-NAME.log (plain $BT/bianmin.log for sqlite). Sets
# BIANMIN_PID and BIANMIN_URL; the cleanup stops every server started so.
start_bianmin_on() {
	local name=$1 db=$2 bin=$3 i port log init
	shift 3
	log="$BT/bianmin-$name.log" init="$BT/init-$name.log"
	[ "$name" = sqlite ] && log="$BT/bianmin.log" init="$BT/init.log"
	"$bin" --db "$db" init --demo >"$init" 2>&1 ||
		{ cat "$init" >&2; bench_die "bianmin init --demo failed on $name"; }
	: >"$log"
	"$bin" --db "$db" serve --listen 127.0.0.1:0 --access-log false \
		--web-root "$BENCH_TOP/web" "$@" 2>>"$log" &
	BIANMIN_PID=$!
	BIANMIN_PIDS+=("$BIANMIN_PID")
	for i in $(seq 1 200); do
		grep -q 'event=serve.ready' "$log" && break
		kill -0 "$BIANMIN_PID" 2>/dev/null || break
		sleep 0.05
	done
	port=$(grep -o 'event=serve.ready url=http://127.0.0.1:[0-9]*' "$log" | head -n 1 | sed 's/.*://')
	if [ -z "$port" ]; then
		cat "$log" >&2
		bench_die "bianmin on $name did not start within 10 s"
	fi
	BIANMIN_URL="http://127.0.0.1:$port"
}

# ---- PostgreSQL ----

# bench_pg_need: find the PostgreSQL programs (BENCH_PG_BIN, else the newest
# /usr/lib/postgresql/*/bin, else PATH). Without BENCH_PG_URI the server
# programs are needed too. Sets PG_BIN; exits saying what to install.
bench_pg_need() {
	local d
	PG_BIN=${BENCH_PG_BIN:-}
	if [ -z "$PG_BIN" ]; then
		d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
		if [ -n "$d" ] && [ -x "$d/psql" ]; then
			PG_BIN=$d
		elif command -v psql >/dev/null 2>&1; then
			PG_BIN=$(dirname "$(command -v psql)")
		fi
	fi
	if [ -n "${BENCH_PG_URI:-}" ]; then
		[ -n "$PG_BIN" ] && [ -x "$PG_BIN/psql" ] && return 0
		bench_say "bench: BENCH_PG_URI is set but psql is missing"
	else
		[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && [ -x "$PG_BIN/psql" ] &&
			{ [ "$(id -u)" != 0 ] || { command -v runuser >/dev/null && id postgres >/dev/null 2>&1; }; } &&
			return 0
		bench_say "bench: the PostgreSQL column needs a PostgreSQL server (initdb, pg_ctl, psql; as root"
		bench_say "  also runuser and the postgres user), or BENCH_PG_URI naming an existing server"
	fi
	bench_say "  install the Debian packages with:  scripts/deps.sh postgresql   (as root)"
	bench_say "  or run SQLite only:  BENCH_BACKENDS=sqlite"
	exit 1
}

# psql on the maintenance database, quiet, stopping at the first error.
bench_psql() { "$PG_BIN/psql" -qAtX -v ON_ERROR_STOP=1 "$@"; }

# start_pg: an empty database for bianmin, URI in PG_URI. With BENCH_PG_URI
# (a libpq URI of a maintenance database, e.g. postgresql://u:p@host/postgres,
# whose user may CREATE DATABASE) a database bianmin_bench_PID is created on
# that server and dropped on exit; otherwise a throwaway cluster is made in
# $BT/pg by initdb (run as postgres when we are root) and started with pg_ctl
# on a free port of 127.0.0.1, TCP with a random password (PGPASSWORD is
# exported for bianmin and psql), all other settings PostgreSQL's defaults
# (fsync and synchronous_commit on). Sets PG_URI, PG_DESC and PG_PID (the
# postmaster, when it runs on this machine and can be found; else empty).
start_pg() {
	if [ -n "${BENCH_PG_URI:-}" ]; then
		start_pg_existing
	else
		start_pg_cluster
	fi
}

start_pg_existing() {
	local dd
	PG_DBNAME="bianmin_bench_$$"
	PG_ADMIN_URI=$BENCH_PG_URI
	bench_psql -d "$PG_ADMIN_URI" -c "CREATE DATABASE $PG_DBNAME ENCODING 'UTF8' TEMPLATE template0" \
		>"$BT/pg-create.log" 2>&1 ||
		{ PG_ADMIN_URI=; cat "$BT/pg-create.log" >&2; bench_die "cannot create database $PG_DBNAME on BENCH_PG_URI's server"; }
	# the same server, our database (as tests/api/lib.sh does)
	PG_URI=$(sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\1/$PG_DBNAME#" <<<"$PG_ADMIN_URI")
	PG_DESC="existing server (BENCH_PG_URI), throwaway database $PG_DBNAME"
	# Its postmaster, to count its CPU and memory: only when it is local and
	# we may read its data directory (superuser or pg_read_all_settings).
	dd=$(bench_psql -d "$PG_URI" -c 'SHOW data_directory' 2>/dev/null || true)
	if [ -n "$dd" ] && [ -r "$dd/postmaster.pid" ]; then
		PG_PID=$(head -n 1 "$dd/postmaster.pid")
		kill -0 "$PG_PID" 2>/dev/null || PG_PID=
	fi
	if [ -z "$PG_PID" ]; then
		bench_say "bench: cannot see BENCH_PG_URI's postmaster here: its CPU counts as other%"
		bench_say "  (raise BENCH_MAX_OTHER if that server runs on this machine) and its memory is not shown"
	fi
}

start_pg_cluster() {
	local dir="$BT/pg" port log try
	mkdir -p "$dir/run"
	PG_DATA="$dir/data"
	PGPASSWORD=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
	export PGPASSWORD
	(umask 077 && printf '%s\n' "$PGPASSWORD" >"$dir/pwfile")
	PG_AS=()
	if [ "$(id -u)" = 0 ]; then
		# initdb refuses root: the cluster belongs to postgres, who must
		# get through $BT (no listing: mode 711) to its own folder.
		chmod 711 "$BT"
		chown -R postgres: "$dir"
		PG_AS=(runuser -u postgres --)
	fi
	chmod 700 "$dir"
	"${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -U bench --pwfile="$dir/pwfile" -E UTF8 --locale=C \
		--auth=scram-sha-256 >"$BT/pg-initdb.log" 2>&1 ||
		{ cat "$BT/pg-initdb.log" >&2; PG_DATA=; bench_die "initdb failed"; }
	rm -f "$dir/pwfile"
	log="$dir/server.log"
	for try in 1 2 3 4 5; do
		port=$(bench_free_port)
		"${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir/run" \
			start >"$BT/pg-start.log" 2>&1 && break
		grep -q 'Address already in use\|could not bind' "$log" 2>/dev/null && [ "$try" -lt 5 ] && continue
		cat "$BT/pg-start.log" "$log" >&2 2>/dev/null
		bench_die "the PostgreSQL server did not start"
	done
	PG_PID=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)
	PG_ADMIN_URI="postgresql://bench@127.0.0.1:$port/postgres"
	bench_psql -d "$PG_ADMIN_URI" -c "CREATE DATABASE bianmin ENCODING 'UTF8' TEMPLATE template0" ||
		bench_die "cannot create the database bianmin in the throwaway cluster"
	PG_ADMIN_URI= # dropped with the cluster
	PG_URI="postgresql://bench@127.0.0.1:$port/bianmin"
	PG_DESC="throwaway cluster (initdb in the temporary folder), 127.0.0.1:$port over TCP, default settings"
}

# Stop what start_pg started: the throwaway cluster (fast shutdown, then
# SIGKILL) or the throwaway database on BENCH_PG_URI's server. Run by the
# cleanup after the bianmin servers have stopped.
bench_pg_stop() {
	if [ -n "$PG_ADMIN_URI" ] && [ -n "$PG_DBNAME" ]; then
		timeout 30 "$PG_BIN/psql" -qAtX -d "$PG_ADMIN_URI" -c "DROP DATABASE IF EXISTS $PG_DBNAME WITH (FORCE)" >/dev/null 2>&1 ||
			timeout 30 "$PG_BIN/psql" -qAtX -d "$PG_ADMIN_URI" -c "DROP DATABASE IF EXISTS $PG_DBNAME" >/dev/null 2>&1 ||
			bench_say "bench: could not drop database $PG_DBNAME on BENCH_PG_URI's server; drop it by hand"
		PG_ADMIN_URI=
		PG_DBNAME=
		PG_PID=
	fi
	if [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
		# The postmaster is not our child: once stopped it may linger as a
		# zombie until its new parent reaps it, which kill -0 cannot tell.
		if ! timeout 40 "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 &&
			[ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null &&
			[ "$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$PG_PID/stat" 2>/dev/null)" != Z ]; then
			bench_say "bench: postgres (pid $PG_PID) did not stop in 30 s; killing it"
			pkill -KILL -P "$PG_PID" 2>/dev/null
			kill -KILL "$PG_PID" 2>/dev/null
		fi
	fi
	PG_DATA=
	PG_PID=
}

# "PSS RSS COUNT" in KiB of a process and its children: proportional set
# size (shared pages, e.g. PostgreSQL's shared buffers, counted once), the
# sum of VmRSS (shared pages counted in every process) and the count.
bench_pss_tree() {
	local pid=$1 pss=0 rss=0 n=0 p a b
	for p in $pid $(pgrep -P "$pid" 2>/dev/null); do
		a=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
		b=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		[ -n "$b" ] || continue
		pss=$((pss + ${a:-0})) rss=$((rss + b)) n=$((n + 1))
	done
	echo "$pss $rss $n"
}

# A port of 127.0.0.1 nobody listens on (the kernel may still hand it out
# meanwhile; start_nginx retries).
bench_free_port() {
	local port used
	used=$(ss -Htln 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u)
	while :; do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 30000))
		grep -qx "$port" <<<"$used" || break
	done
	echo "$port"
}

# start_nginx BODY_FILE: nginx serving BODY_FILE as /healthz on a free port.
# Sets NGINX_PID and NGINX_URL.
start_nginx() {
	local body=$1 dir="$BT/nginx" port temp="" m
	mkdir -p "$dir/www" "$dir/tmp"
	cp "$body" "$dir/www/healthz.json"
	# As root the workers run as nobody: they must reach www/ (read only).
	chmod 711 "$BT" "$dir"
	chmod 755 "$dir/www"
	chmod 644 "$dir/www/healthz.json"
	for m in client_body proxy fastcgi uwsgi scgi; do
		if [ "$m" = client_body ] || ! "$NGINX_BIN" -V 2>&1 | grep -q -- "--without-http_${m}_module"; then
			temp+="    ${m}_temp_path $dir/tmp/$m;"$'\n'
		fi
	done
	for _ in 1 2 3 4 5; do
		port=$(bench_free_port)
		awk -v dir="$dir" -v port="$port" -v temp="$temp" '
			/^@TEMP_PATHS@$/ { printf "%s", temp; next }
			{ gsub(/@DIR@/, dir); gsub(/@PORT@/, port); print }' \
			"$BENCH_TOP/bench/nginx.conf" >"$dir/nginx.conf"
		: >"$dir/error.log"
		"$NGINX_BIN" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" 2>>"$dir/stderr.log" &
		NGINX_PID=$!
		for _ in $(seq 1 100); do
			kill -0 "$NGINX_PID" 2>/dev/null || break
			curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz" && break
			sleep 0.05
		done
		if kill -0 "$NGINX_PID" 2>/dev/null &&
			curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz"; then
			NGINX_URL="http://127.0.0.1:$port"
			return 0
		fi
		bench_stop_pid "$NGINX_PID" nginx
		NGINX_PID=
		cat "$dir/error.log" "$dir/stderr.log" 2>/dev/null | grep -q 'Address already in use' || break
	done
	cat "$dir/error.log" "$dir/stderr.log" >&2 2>/dev/null
	bench_die "nginx did not start"
}

# Seconds of a wrk duration (10, 10s, 2m, 1h).
bench_seconds() {
	case $1 in
	*h) echo $((${1%h} * 3600)) ;;
	*m) echo $((${1%m} * 60)) ;;
	*s) echo $((${1%s})) ;;
	*) echo $(($1)) ;;
	esac
}

# run_wrk OUT DURATION URL [WRK ARGUMENTS...]: wrk with --latency into OUT,
# bounded in time; e.g. `-s FILE.lua` for a script that sets the method,
# headers and body.
run_wrk() {
	local out=$1 dur=$2 url=$3 secs
	shift 3
	secs=$(bench_seconds "$dur")
	# In the background and waited for, so that a signal reaches our trap
	# at once rather than when wrk ends.
	timeout -k 5 $((secs + 30)) wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"${secs}s" \
		--timeout 5s --latency "$@" "$url" >"$out" 2>&1 &
	WRK_PID=$!
	local rc=0
	wait "$WRK_PID" || rc=$?
	WRK_PID=
	[ "$rc" -eq 0 ] || { cat "$out" >&2; bench_die "wrk failed against $url"; }
}

# wrk_field OUT: "REQ_PER_SEC P50_MS P99_MS REQUESTS ERRORS" from a wrk
# --latency report (ERRORS: non-2xx/3xx responses plus socket errors).
wrk_field() {
	awk '
		function ms(s,   v) {
			v = s + 0
			if (s ~ /us$/) return v / 1000
			if (s ~ /ms$/) return v
			if (s ~ /m$/) return v * 60000
			if (s ~ /h$/) return v * 3600000
			if (s ~ /s$/) return v * 1000
			return v
		}
		/^ *50% / { p50 = ms($2) }
		/^ *99% / { p99 = ms($2) }
		/requests in/ { n = $1 }
		/Non-2xx or 3xx responses:/ { err += $NF }
		/Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
		/^Requests\/sec:/ { rps = $2 }
		END { printf "%.2f %.3f %.3f %d %d\n", rps, p50, p99, n, err }' "$1"
}

# median of numbers on stdin (mean of the middle two for an even count).
bench_median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_metric NAME URL: the value of a /metrics counter or gauge.
bench_metric() { curl -sf --max-time 5 "$2/metrics" | awk -v n="$1" '$1 == n { print $2 }'; }

# bench_wait_indexed URL: wait until every stored message is in the search
# index (bianmin_search_lag_messages 0; SQLite indexes on a thread of its own
# after the commit); prints the seconds waited.
# bench_wait_queue URL: wait until no queued ingest is left to store
# (bianmin_ingest_queued_messages 0); prints the seconds waited.
bench_wait_queue() {
	local t0 n
	t0=$(date +%s.%N)
	while n=$(bench_metric bianmin_ingest_queued_messages "$1") && [ "${n:-0}" != 0 ]; do sleep 0.1; done
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'
}

bench_wait_indexed() {
	local t0 lag
	t0=$(date +%s.%N)
	while lag=$(bench_metric bianmin_search_lag_messages "$1") && [ "${lag:-0}" != 0 ]; do sleep 0.2; done
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'
}

# VmRSS / VmHWM of a process in KiB: "RSS HWM".
bench_rss() {
	awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { print r + 0, h + 0 }' "/proc/$1/status" 2>/dev/null
}

# Sum of VmRSS (KiB) of a process and its children (nginx master + workers).
bench_rss_tree() {
	local pid=$1 total=0 p r
	for p in $pid $(pgrep -P "$pid" 2>/dev/null); do
		r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		total=$((total + ${r:-0}))
	done
	echo "$total"
}

bench_machine() {
	local cpu mem
	cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	echo "machine: nproc=$(nproc) cpu=\"${cpu:-unknown}\" mem=$mem kernel=$(uname -r)"
	echo "tools:   $(wrk --version 2>&1 | head -n 1 | awk '{print $1, $2}'), $("$NGINX_BIN" -v 2>&1 | sed 's/.*: //')"
}

# CPU accounting, to tell how much of the machine the benchmark had.
# bench_cpu_mark PID...: sets CPU_BUSY / CPU_IDLE_T / CPU_TOTAL (all cores,
# clock ticks from /proc/stat), CPU_PROCS (ticks used by the PIDs and their children
# threads/processes) and CPU_KIDS (ticks used by the waited-for children of
# this shell, i.e. wrk). Must run in the main shell (not in $(...)).
bench_cpu_mark() {
	local p ticks=0 t
	# busy: user nice system steal (irq/softirq time, much of it the loopback
	# traffic itself, is not charged to any process, so it is left out)
	read -r CPU_BUSY CPU_IDLE_T CPU_TOTAL < <(awk '/^cpu / {
		print $2 + $3 + $4 + $9, $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)
	for p in "$@"; do
		for t in $p $(pgrep -P "$p" 2>/dev/null); do
			ticks=$((ticks + $(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$t/stat" 2>/dev/null || echo 0)))
		done
	done
	CPU_PROCS=$ticks
	# `times` must run in this shell: in $(...) it would see no children.
	times >"$BT/times"
	CPU_KIDS=$(awk -v hz="$(getconf CLK_TCK)" 'END {
		s = 0; for (i = 1; i <= 2; i++) { split($i, a, /m|s/); s += a[1] * 60 + a[2] }
		printf "%d\n", s * hz }' "$BT/times")
}

# bench_ticks PID...: clock ticks (user + system, all threads) used so far by
# the PIDs and their child processes (e.g. postgres and its backends).
bench_ticks() {
	local p t ticks=0
	for p in "$@"; do
		for t in $p $(pgrep -P "$p" 2>/dev/null); do
			ticks=$((ticks + $(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$t/stat" 2>/dev/null || echo 0)))
		done
	done
	echo "$ticks"
}

# bench_cpu_other PID...: after a bench_cpu_mark, the share (percent of all
# cores) that processes other than the PIDs and this shell's children used
# since then, the share left idle, the share of the PIDs (the servers) and
# of this shell's children (wrk). Sets CPU_OTHER, CPU_IDLE, CPU_SERVERS and
# CPU_WRK.
bench_cpu_other() {
	local b0=$CPU_BUSY i0=$CPU_IDLE_T t0=$CPU_TOTAL p0=$CPU_PROCS k0=$CPU_KIDS
	bench_cpu_mark "$@"
	CPU_OTHER=$(awk -v b=$((CPU_BUSY - b0)) -v t=$((CPU_TOTAL - t0)) \
		-v p=$((CPU_PROCS - p0)) -v k=$((CPU_KIDS - k0)) 'BEGIN {
		o = (t > 0) ? 100 * (b - p - k) / t : 0; if (o < 0) o = 0; printf "%.0f\n", o }')
	CPU_IDLE=$(awk -v i=$((CPU_IDLE_T - i0)) -v t=$((CPU_TOTAL - t0)) 'BEGIN {
		printf "%.0f\n", (t > 0) ? 100 * i / t : 0 }')
	CPU_SERVERS=$(awk -v p=$((CPU_PROCS - p0)) -v t=$((CPU_TOTAL - t0)) 'BEGIN {
		printf "%.0f\n", (t > 0) ? 100 * p / t : 0 }')
	CPU_WRK=$(awk -v k=$((CPU_KIDS - k0)) -v t=$((CPU_TOTAL - t0)) 'BEGIN {
		printf "%.0f\n", (t > 0) ? 100 * k / t : 0 }')
}

# bench_wait_quiet MAX: wait (at most MAX seconds) until the machine has
# been quiet for a second: less than 5% of all cores busy (our servers are
# idle between runs). Sets QUIET_WAITED (seconds waited, not counting the
# final quiet second) and QUIET_BUSY (busy percent of the last second).
bench_wait_quiet() {
	local max=$1 n=0 b0 t0 b1 t1
	QUIET_WAITED=0
	QUIET_BUSY=0
	[ "$max" -gt 0 ] || return 0
	while :; do
		read -r b0 t0 < <(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)
		sleep 1
		n=$((n + 1))
		read -r b1 t1 < <(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)
		QUIET_BUSY=$(( t1 > t0 ? 100 * (b1 - b0) / (t1 - t0) : 0 ))
		[ "$QUIET_BUSY" -lt 5 ] && break
		[ "$n" -ge "$max" ] && break
	done
	QUIET_WAITED=$((n - 1))
}

# ---- shared inputs: the 项城-sized day, the direct fill of demands ----

bench_now() { date +%s.%N; }
bench_since() { awk -v a="$1" -v b="$(bench_now)" 'BEGIN { printf "%.2f", b - a }'; }
bench_rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0) ? n / s : 0 }'; }

# bench_list_groups URL KEY WITHIN KIND OUT: "ID REGION" lines of the groups
# of that kind under WITHIN (GET /api/v1/groups, every page).
bench_list_groups() {
	local after=0 page
	: >"$5"
	while :; do
		page=$(curl -sf --max-time 30 -H "Authorization: Bearer $2" \
			"$1/api/v1/groups?within=$3&kind=$4&limit=500&after=$after")
		jq -r '.groups[] | "\(.id) \(.region)"' <<<"$page" >>"$5"
		after=$(jq -r '.next_after // empty' <<<"$page")
		[ -n "$after" ] || break
	done
}

# bench_curl_batch NAME CLIENTS TYPE TOKEN LIST: POST each "URL FILE" line of
# LIST (FILE the body) with CLIENTS curl processes at once, each one
# keep-alive connection going through its share of the list in turn. Sets
# BATCH_SECS (wall time), BATCH_OK (2xx answers), BATCH_BAD and leaves the
# answers in $BT/NAME-answers. BATCH_HEADER, when set, is one more header
# of every request (e.g. "Prefer: respond-async").
bench_curl_batch() {
	local name=$1 clients=$2 type=$3 token=$4 list=$5 c pids=() t0
	rm -f "$BT/$name".cfg.* "$BT/$name".out.*
	awk -v c="$clients" -v pre="$BT/$name.cfg." -v t="$type" -v k="$token" -v h="${BATCH_HEADER:-}" '{
		f = pre (NR % c)
		printf "url = \"%s\"\nheader = \"Authorization: Bearer %s\"\nheader = \"Content-Type: %s\"\n", $1, k, t >> f
		if (h != "") printf "header = \"%s\"\n", h >> f
		printf "data-binary = \"@%s\"\nwrite-out = \"\\n@@ %%{http_code}\\n\"\nnext\n", $2 >> f
	}' "$list"
	t0=$(bench_now)
	for c in "$BT/$name".cfg.*; do
		curl -sS --max-time 3600 -K "$c" >"${c/.cfg./.out.}" 2>&1 &
		pids+=($!)
	done
	for c in "${pids[@]}"; do wait "$c" || true; done
	BATCH_SECS=$(bench_since "$t0")
	cat "$BT/$name".out.* >"$BT/$name-answers"
	BATCH_OK=$(grep -c '^@@ 2' "$BT/$name-answers" || true)
	BATCH_BAD=$(grep '^@@ ' "$BT/$name-answers" | grep -vc '^@@ 2' || true)
	if [ "$BATCH_BAD" -gt 0 ]; then
		bench_say "bench: $name: $BATCH_BAD requests failed; the first answers:"
		grep -B1 '^@@ [^2]' "$BT/$name-answers" | head -n 6 >&2
	fi
}

# bench_sum_field FIELD FILE: the sum of every "FIELD":N in FILE.
bench_sum_field() { grep -o "\"$1\":[0-9]*" "$2" | awk -F: '{ s += $2 } END { print s + 0 }'; }

# bench_day_build BIN DB URL PID TEXTS: a 项城-sized day into DB, served at
# URL by the bianmin of PID (started by the caller on DB after init --demo):
# the divisions of 项城 (411681) imported (not counted), `groups sync
# --within 411681`, the other groups up to DAY_GROUPS as ad-hoc groups
# spread over the villages (POST /api/v1/groups, BENCH_ADHOC_CLIENTS [16]
# clients: one group is one commit, and concurrent ones share it), DAY_MEMBERS
# households in rosters (POST /api/v1/groups/G/roster, one per group,
# BENCH_ROSTER_CLIENTS clients), DAY_MESSAGES messages ingested (bodies of
# 1,000 written first, INGEST_CLIENTS clients, the bridge key of 411681;
# their time is when stored). TEXTS: bench/messages_gen.py texts. Reads
# DAY_GROUPS, DAY_MEMBERS, DAY_MESSAGES, INGEST_CLIENTS and DIVISIONS; calls
# DAY_HOOK_START NAME PID / DAY_HOOK_STOP around the ad-hoc groups (NAME
# adhoc), the rosters and the ingest
# when set. Prints each step; sets DAY_SYNC DAY_ADHOC DAY_ROSTER DAY_INGEST
# (seconds), DAY_TOTAL, DAY_JOINED (members), DAY_STORED (messages) and
# DAY_KEY (a system_admin key of 411681).
bench_day_build() {
	local bin=$1 db=$2 u=$3 pid=$4 texts=$5 t0 bridge nmade extra kind g
	local gen=(python3 "$BENCH_TOP/bench/messages_gen.py")
	t0=$(bench_now)
	"$bin" --db "$db" import divisions "$DIVISIONS"/provinces.csv "$DIVISIONS"/cities.csv "$DIVISIONS"/counties.csv \
		"$DIVISIONS"/xiangcheng_divisions.csv >"$BT/day-import.log" 2>&1 || { cat "$BT/day-import.log" >&2; bench_die "import divisions failed"; }
	echo "  registry: provinces, cities, counties and 项城's 522 towns and villages imported in $(bench_since "$t0") s (not counted in the day)"
	DAY_KEY=$("$bin" --db "$db" apikey add dayadm --role system_admin --region 411681 | grep -o 'bmk_[A-Za-z0-9_-]*' | head -n 1)
	bridge=$("$bin" --db "$db" apikey add daybridge --role bridge --region 411681 | grep -o 'bmk_[A-Za-z0-9_-]*' | head -n 1)
	if [ -z "$DAY_KEY" ] || [ -z "$bridge" ]; then bench_die "apikey add failed on the day's database"; fi

	t0=$(bench_now)
	"$bin" --db "$db" groups sync --within 411681 >"$BT/day-sync.log" 2>&1 || { cat "$BT/day-sync.log" >&2; bench_die "groups sync failed"; }
	DAY_SYNC=$(bench_since "$t0")
	echo "  groups sync --within 411681: $(cat "$BT/day-sync.log")  $DAY_SYNC s"

	# the rest as ad-hoc groups spread over the villages (bodies written first)
	bench_list_groups "$u" "$DAY_KEY" 411681 village "$BT/day-villages"
	nmade=$(grep -o '[0-9]* made' "$BT/day-sync.log" | cut -d' ' -f1)
	extra=$((DAY_GROUPS - nmade))
	mkdir -p "$BT/day-adhoc"
	awk -v n="$extra" -v d="$BT/day-adhoc" -v url="$u/api/v1/groups" '{ reg[NR] = $2 } END {
		for (i = 0; i < n; i++) {
			f = d "/g" i ".json"
			printf "{\"name\":\"村民小组群%d\",\"region\":\"%s\"}", i + 1, reg[i % NR + 1] > f
			close(f)
			print url, f
		} }' "$BT/day-villages" >"$BT/day-adhoc.list"
	if [ "$extra" -gt 0 ]; then
		[ -n "${DAY_HOOK_START:-}" ] && "$DAY_HOOK_START" adhoc "$pid"
		bench_curl_batch day-adhoc "${BENCH_ADHOC_CLIENTS:-16}" application/json "$DAY_KEY" "$BT/day-adhoc.list"
		DAY_ADHOC=$BATCH_SECS
		[ -n "${DAY_HOOK_STOP:-}" ] && "$DAY_HOOK_STOP"
	else
		DAY_ADHOC=0
	fi
	echo "  $extra ad-hoc groups (POST /api/v1/groups, ${BENCH_ADHOC_CLIENTS:-16} clients): $DAY_ADHOC s ($(bench_rate "$extra" "$DAY_ADHOC")/s)"

	# rosters: every group of 411681
	: >"$BT/day-groups"
	for kind in county town village adhoc; do
		bench_list_groups "$u" "$DAY_KEY" 411681 "$kind" "$BT/day-g-$kind"
		awk '{ print $1 }' "$BT/day-g-$kind" >>"$BT/day-groups"
	done
	echo "  groups under 411681 now: $(wc -l <"$BT/day-groups")"
	t0=$(bench_now)
	"${gen[@]}" rosters "$BT/day-rosters" "$BT/day-groups" "$DAY_MEMBERS" 15000000000 >/dev/null
	while read -r g; do echo "$u/api/v1/groups/$g/roster $BT/day-rosters/roster-$g.csv"; done <"$BT/day-groups" >"$BT/day-roster.list"
	"${gen[@]}" ingest "$BT/day-msgs" "$texts" day 0 "$DAY_MESSAGES" "$BT/day-groups" >/dev/null
	for g in "$BT/day-msgs"/body-*.json; do echo "$u/api/v1/ingest/messages $g"; done >"$BT/day-msgs.list"
	echo "  inputs written in $(bench_since "$t0") s (rosters: $(du -sh "$BT/day-rosters" | cut -f1), messages: $(du -sh "$BT/day-msgs" | cut -f1); not counted)"

	[ -n "${DAY_HOOK_START:-}" ] && "$DAY_HOOK_START" rosters "$pid"
	bench_curl_batch day-roster "${BENCH_ROSTER_CLIENTS:-4}" 'text/csv' "$DAY_KEY" "$BT/day-roster.list"
	DAY_ROSTER=$BATCH_SECS
	echo "  rosters took $DAY_ROSTER s"
	[ -n "${DAY_HOOK_STOP:-}" ] && "$DAY_HOOK_STOP"
	DAY_JOINED=$(bench_sum_field joined "$BT/day-roster-answers")
	echo "  rosters: $BATCH_OK calls, $DAY_JOINED members joined ($(bench_sum_field users "$BT/day-roster-answers") accounts and households made): $DAY_ROSTER s ($(bench_rate "$DAY_JOINED" "$DAY_ROSTER") members/s)"

	[ -n "${DAY_HOOK_START:-}" ] && "$DAY_HOOK_START" day-ingest "$pid"
	bench_curl_batch day-ingest "$INGEST_CLIENTS" application/json "$bridge" "$BT/day-msgs.list"
	DAY_INGEST=$BATCH_SECS
	[ -n "${DAY_HOOK_STOP:-}" ] && "$DAY_HOOK_STOP"
	DAY_STORED=$(bench_sum_field stored "$BT/day-ingest-answers")
	echo "  messages: $DAY_STORED ingested in $BATCH_OK calls: $DAY_INGEST s ($(bench_rate "$DAY_STORED" "$DAY_INGEST")/s)"
	DAY_TOTAL=$(awk -v a="$DAY_SYNC" -v b="$DAY_ADHOC" -v c="$DAY_ROSTER" -v d="$DAY_INGEST" 'BEGIN { printf "%.2f", a + b + c + d }')
	rm -rf "$BT/day-rosters" "$BT/day-msgs" "$BT/day-adhoc"
}

# bench_sq B DB SQL: one statement on backend B (sqlite or postgresql), rows
# as tab-separated lines.
bench_sq() {
	if [ "$1" = sqlite ]; then sqlite3 -batch -noheader -separator $'\t' "$2" "$3"
	else "$PG_BIN/psql" -qAtX -F $'\t' -v ON_ERROR_STOP=1 -d "$2" -c "$3"; fi
}
# bench_sq_file B DB: a script on stdin, stopping at the first error.
bench_sq_file() {
	if [ "$1" = sqlite ]; then sqlite3 -batch -bail "$2"
	else "$PG_BIN/psql" -qAtX -v ON_ERROR_STOP=1 -d "$2" -f -; fi
}
# bench_sq_file_cmd B DB: the command of bench_sq_file in SQ_CMD (for timeout)
bench_sq_file_cmd() {
	if [ "$1" = sqlite ]; then SQ_CMD=(sqlite3 -batch -bail "$2")
	else SQ_CMD=("$PG_BIN/psql" -qAtX -v ON_ERROR_STOP=1 -d "$2" -f -); fi
}

# bench_fill_demands B DB N TEXTS MARGIN [K...]: N demands into DB (a demo
# database of the demo county 990101) written directly by
# bench/demands_gen.py fill (see there; DEMANDS_CLOSED and
# DEMANDS_CLOSED_DAYS in the environment add closed demands), bypassing the
# API: the secondary indexes of cases and case_events dropped first and made
# again after, the generator piped into sqlite3 (synchronous=OFF) or psql
# (COPY, synchronous_commit=off), then a WAL checkpoint or the sequences set
# and VACUUM ANALYZE. TEXTS: demands_gen.py texts; next_check from MARGIN
# seconds after the fill; K...: due counts whose instants go to
# $BT/thresholds. At most FILL_TIMEOUT seconds (default 3600). Sets
# FILL_SECS; the generator's summary is in $BT/gen-B-N.log.
bench_fill_demands() {
	local b=$1 db=$2 n=$3 texts=$4 margin=$5 t0 fnow first_id first_ev idx t_start gen_rc=0 load_rc=0
	shift 5
	bench_sq "$b" "$db" "SELECT g.id, g.kind, g.region_code, r.name FROM groups g JOIN regions r ON r.code = g.region_code WHERE g.kind IN ('county', 'town', 'village') ORDER BY g.id" >"$BT/groups.tsv"
	bench_sq "$b" "$db" "SELECT DISTINCT user_id FROM role_grants WHERE role IN ('county_supervisor', 'agency_operator') AND region_code = '990101' ORDER BY 1" >"$BT/handlers"
	first_id=$(($(bench_sq "$b" "$db" "SELECT coalesce(max(id), 0) FROM cases") + 1))
	first_ev=$(($(bench_sq "$b" "$db" "SELECT coalesce(max(id), 0) FROM case_events") + 1))
	if [ "$b" = sqlite ]; then
		bench_sq "$b" "$db" "SELECT sql || ';' FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('cases', 'case_events') AND sql IS NOT NULL" >"$BT/indexes.sql"
		idx=$(bench_sq "$b" "$db" "SELECT group_concat('DROP INDEX ' || name || ';', ' ') FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('cases', 'case_events') AND sql IS NOT NULL")
	else
		bench_sq "$b" "$db" "SELECT indexdef || ';' FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('cases', 'case_events') AND indexname NOT LIKE '%_pkey'" >"$BT/indexes.sql"
		idx=$(bench_sq "$b" "$db" "SELECT string_agg('DROP INDEX ' || indexname || ';', ' ') FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('cases', 'case_events') AND indexname NOT LIKE '%_pkey'")
	fi
	bench_sq "$b" "$db" "$idx" >/dev/null
	fnow=$(date +%s)
	t0=$((fnow + margin))
	bench_sq_file_cmd "$b" "$db"
	t_start=$(bench_now)
	{
		if [ "$b" = sqlite ]; then
			printf 'PRAGMA synchronous = OFF;\nPRAGMA cache_size = -262144;\n'
		else
			printf 'SET synchronous_commit = off;\nSET maintenance_work_mem = %s;\n' "'256MB'"
		fi
		timeout "${FILL_TIMEOUT:-3600}" python3 "$BENCH_TOP/bench/demands_gen.py" fill "$([ "$b" = sqlite ] && echo sqlite || echo pg)" "$n" \
			"$first_id" "$first_ev" "$fnow" "$t0" "$BT/groups.tsv" "$BT/handlers" "$texts" \
			"$BENCH_TOP/src/cases/categories.c" "$BT/thresholds" "$@" 2>"$BT/gen-$b-$n.log" || gen_rc=$?
		[ "$gen_rc" -eq 0 ] || echo "this is no SQL: the generator failed"
		cat "$BT/indexes.sql"
		if [ "$b" = sqlite ]; then
			echo "PRAGMA wal_checkpoint(TRUNCATE);"
		else
			echo "SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases));"
			echo "SELECT setval(pg_get_serial_sequence('case_events', 'id'), (SELECT max(id) FROM case_events));"
			echo "VACUUM ANALYZE cases, case_clocks, case_events;"
		fi
	} | timeout "${FILL_TIMEOUT:-3600}" "${SQ_CMD[@]}" >"$BT/fill-$b-$n.log" 2>&1 || load_rc=$?
	FILL_SECS=$(bench_since "$t_start")
	if [ "$load_rc" -ne 0 ]; then
		cat "$BT/gen-$b-$n.log" >&2
		tail -n 20 "$BT/fill-$b-$n.log" >&2
		bench_die "filling $n demands on $b failed"
	fi
}
