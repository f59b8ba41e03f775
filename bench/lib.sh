# shellcheck shell=bash
# shellcheck disable=SC2034 # the globals set here are read by the callers
# bench/lib.sh - what the HTTP benchmark scripts source.
#
# Gives a private temporary folder ($BT), starts bianmin (start_bianmin) and
# the reference nginx (start_nginx) on free ports of 127.0.0.1, runs wrk
# (run_wrk) and parses its --latency report, and stops everything it started
# when the script exits (bench_cleanup, installed as the EXIT trap). Every
# wait is bounded. Traffic goes to 127.0.0.1 only.
#
# Needs: bash, wrk, nginx (Debian nginx-light or nginx), curl, coreutils.

BENCH_TOP=${BENCH_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BT=
BIANMIN_PID=
NGINX_PID=
BIANMIN_URL=
NGINX_URL=
NGINX_BIN=
WRK_PID=

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

bench_cleanup() {
	local rc=$?
	set +e # nothing may cut the cleanup short
	trap - EXIT INT TERM
	bench_stop_pid "$WRK_PID" wrk
	WRK_PID=
	bench_stop_pid "$NGINX_PID" nginx
	NGINX_PID=
	bench_stop_pid "$BIANMIN_PID" bianmin
	BIANMIN_PID=
	[ -n "$BT" ] && [ -z "${BENCH_KEEP:-}" ] && rm -rf "$BT"
	[ -n "$BT" ] && [ -n "${BENCH_KEEP:-}" ] && bench_say "bench: kept $BT"
	exit $rc
}

bench_init() {
	BT=$(mktemp -d "${TMPDIR:-/tmp}/bianmin-bench.XXXXXX")
	trap bench_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# start_bianmin BIN [serve arguments...]: a demo database in $BT and
# `bianmin serve` on a free port with the access log off. Sets BIANMIN_PID
# and BIANMIN_URL.
start_bianmin() {
	local bin=$1 i port
	shift
	"$bin" --db "$BT/bianmin.db" init --demo >"$BT/init.log" 2>&1 ||
		{ cat "$BT/init.log" >&2; bench_die "bianmin init --demo failed"; }
	: >"$BT/bianmin.log"
	"$bin" --db "$BT/bianmin.db" serve --listen 127.0.0.1:0 --access-log false \
		--web-root "$BENCH_TOP/web" "$@" 2>>"$BT/bianmin.log" &
	BIANMIN_PID=$!
	for i in $(seq 1 200); do
		grep -q 'event=serve.ready' "$BT/bianmin.log" && break
		kill -0 "$BIANMIN_PID" 2>/dev/null || break
		sleep 0.05
	done
	port=$(grep -o 'event=serve.ready url=http://127.0.0.1:[0-9]*' "$BT/bianmin.log" | head -n 1 | sed 's/.*://')
	if [ -z "$port" ]; then
		cat "$BT/bianmin.log" >&2
		bench_die "bianmin did not start within 10 s"
	fi
	BIANMIN_URL="http://127.0.0.1:$port"
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

# run_wrk OUT DURATION URL: wrk with --latency into OUT, bounded in time.
run_wrk() {
	local out=$1 dur=$2 url=$3 secs
	secs=$(bench_seconds "$dur")
	# In the background and waited for, so that a signal reaches our trap
	# at once rather than when wrk ends.
	timeout -k 5 $((secs + 30)) wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"${secs}s" \
		--timeout 5s --latency "$url" >"$out" 2>&1 &
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
