#!/usr/bin/env bash
# bench/http.sh BIN - HTTP throughput of bianmin against nginx, with wrk.
#
# Creates a temporary database with the demo county, serves it with
# `BIN serve --listen 127.0.0.1:0 --access-log false` and starts nginx
# (bench/nginx.conf: worker_processes auto, its own pid file, error log and
# temp paths in the temporary folder) serving a static copy of /healthz's
# JSON on another port of 127.0.0.1. Then runs wrk --latency against
#   healthz  bianmin GET /healthz
#   region   bianmin GET /api/v1/regions/990101   (the demo county, 20 towns)
#   nginx    nginx   GET /healthz                 (static file, same body)
# BENCH_REPEAT times, interleaved, prints every run, the median req/s and
# median p99 latency per target, the bianmin/nginx ratios of those medians,
# and the servers' memory after the runs. Stops everything on exit.
#
# Environment (defaults in brackets):
#   BENCH_DURATION     seconds per wrk run, 10, 10s or 1m  [10]
#   BENCH_WARMUP       seconds of unrecorded warm-up per target, 0 = none [2]
#   BENCH_REPEAT       runs per target  [3]
#   BENCH_THREADS      wrk threads  [2]
#   BENCH_CONNECTIONS  wrk connections  [64]
#   BENCH_TARGET       req/s each bianmin endpoint should reach  [40000]
#   BENCH_STRICT       1: exit 1 when a bianmin median is below BENCH_TARGET
#   BENCH_SERVE_ARGS   extra `bianmin serve` arguments, e.g. "--threads 4"
#   BENCH_QUIET        before each run wait up to this many seconds for the
#                      machine to be quiet (< 5% CPU busy for 1 s); 0 = off [60]
#   BENCH_RETRIES      times a run is repeated when other processes took more
#                      than BENCH_MAX_OTHER percent of the CPU during it [2]
#   BENCH_MAX_OTHER    see BENCH_RETRIES [10]
#   BENCH_KEEP         1: keep the temporary folder (logs, wrk reports)
# A quick check: BENCH_DURATION=2 BENCH_WARMUP=0 bench/http.sh build/bianmin
#
# wrk, the servers and this script share the machine's cores, so the
# figures are lower than a server alone would reach; compare the ratios.
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bin=${1:-build/bianmin}
[ -x "$bin" ] || bench_die "no bianmin binary at $bin (run make)"
BENCH_DURATION=${BENCH_DURATION:-10}
BENCH_WARMUP=${BENCH_WARMUP:-2}
BENCH_REPEAT=${BENCH_REPEAT:-3}
BENCH_THREADS=${BENCH_THREADS:-2}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-64}
BENCH_TARGET=${BENCH_TARGET:-40000}
BENCH_QUIET=${BENCH_QUIET:-60}
BENCH_RETRIES=${BENCH_RETRIES:-2}
BENCH_MAX_OTHER=${BENCH_MAX_OTHER:-10}
secs=$(bench_seconds "$BENCH_DURATION")
[ "$secs" -gt 0 ] || bench_die "BENCH_DURATION must be at least 1 second"
warm=$(bench_seconds "$BENCH_WARMUP")

bench_need_tools
bench_init

# shellcheck disable=SC2086 # BENCH_SERVE_ARGS is a list of words
start_bianmin "$bin" ${BENCH_SERVE_ARGS:-}
curl -sf --max-time 5 -o "$BT/healthz.json" "$BIANMIN_URL/healthz" ||
	bench_die "bianmin GET /healthz failed"
curl -sf --max-time 5 -o "$BT/region.json" "$BIANMIN_URL/api/v1/regions/990101" ||
	bench_die "bianmin GET /api/v1/regions/990101 failed (no demo county?)"
start_nginx "$BT/healthz.json"
threads=$(grep -o 'threads=[0-9]*' "$BT/bianmin.log" | head -n 1 | cut -d= -f2)

targets=(healthz region nginx)
declare -A url=(
	[healthz]="$BIANMIN_URL/healthz"
	[region]="$BIANMIN_URL/api/v1/regions/990101"
	[nginx]="$NGINX_URL/healthz"
)
declare -A desc=(
	[healthz]="bianmin GET /healthz"
	[region]="bianmin GET /api/v1/regions/990101"
	[nginx]="nginx GET /healthz (static file)"
)
declare -A size=(
	[healthz]=$(wc -c <"$BT/healthz.json")
	[region]=$(wc -c <"$BT/region.json")
	[nginx]=$(wc -c <"$BT/nginx/www/healthz.json")
)

echo "== bianmin HTTP benchmark  $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
bench_machine
echo "bianmin: $("$bin" version 2>/dev/null | head -n 1) threads=${threads:-?} --access-log false ${BENCH_SERVE_ARGS:-}"
echo "nginx:   worker_processes auto, access_log off (bench/nginx.conf)"
echo "wrk:     -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d${secs}s --latency, ${BENCH_REPEAT} runs per target interleaved, ${warm}s warm-up"
echo "quiet:   each run waits up to ${BENCH_QUIET}s for the machine to be quiet (BENCH_QUIET)"
echo "note:    wrk and both servers share the same $(nproc) core(s), traffic on 127.0.0.1 only"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load:    $load0 (1, 5, 15 min) before the runs"
for t in "${targets[@]}"; do
	printf '  %-8s %-40s %6s bytes  %s\n' "$t" "${desc[$t]}" "${size[$t]}" "${url[$t]}"
done
echo

rss0=$(bench_rss "$BIANMIN_PID")

if [ "$warm" -gt 0 ]; then
	for t in "${targets[@]}"; do
		run_wrk "$BT/warmup-$t.txt" "$warm" "${url[$t]}"
	done
fi

: >"$BT/runs"
printf '%-5s %-8s %12s %10s %10s %12s %7s %6s %6s %6s %6s\n' run target req/s p50_ms p99_ms requests errors srv% wrk% idle% other%
for r in $(seq 1 "$BENCH_REPEAT"); do
	for t in "${targets[@]}"; do
		for try in $(seq 0 "$BENCH_RETRIES"); do
			bench_wait_quiet "$BENCH_QUIET"
			[ "$QUIET_WAITED" -gt 0 ] &&
				echo "      ($t: waited ${QUIET_WAITED}s for a quiet machine; ${QUIET_BUSY}% busy at the start)"
			bench_cpu_mark "$BIANMIN_PID" "$NGINX_PID"
			run_wrk "$BT/wrk-$t-$r.txt" "$secs" "${url[$t]}"
			bench_cpu_other "$BIANMIN_PID" "$NGINX_PID"
			read -r rps p50 p99 n err < <(wrk_field "$BT/wrk-$t-$r.txt")
			line=$(printf '%-5s %-8s %12.0f %10.3f %10.3f %12d %7d %6s %6s %6s %6s' "$r" "$t" "$rps" "$p50" "$p99" "$n" "$err" \
				"$CPU_SERVERS" "$CPU_WRK" "$CPU_IDLE" "$CPU_OTHER")
			if [ "$CPU_OTHER" -gt "$BENCH_MAX_OTHER" ] && [ "$try" -lt "$BENCH_RETRIES" ]; then
				echo "$line  discarded (other% > $BENCH_MAX_OTHER), again"
				continue
			fi
			echo "$t $r $rps $p50 $p99 $n $err $CPU_IDLE $CPU_OTHER" >>"$BT/runs"
			echo "$line"
			break
		done
	done
done

rss1=$(bench_rss "$BIANMIN_PID")
load1=$(cut -d' ' -f1-3 /proc/loadavg)
nginx_rss=$(bench_rss_tree "$NGINX_PID")

echo
echo "medians of $BENCH_REPEAT runs:"
printf '%-8s %-40s %12s %10s %10s\n' target "" req/s p99_ms vs_target
declare -A mrps mp99
total_err=0
for t in "${targets[@]}"; do
	mrps[$t]=$(awk -v t="$t" '$1 == t { print $3 }' "$BT/runs" | bench_median)
	mp99[$t]=$(awk -v t="$t" '$1 == t { print $5 }' "$BT/runs" | bench_median)
	e=$(awk -v t="$t" '$1 == t { s += $7 } END { print s + 0 }' "$BT/runs")
	total_err=$((total_err + e))
	verdict=reference
	if [ "$t" != nginx ]; then
		verdict=$(awk -v v="${mrps[$t]}" -v g="$BENCH_TARGET" 'BEGIN { print (v >= g ? "ok (>= " g ")" : "BELOW " g) }')
	fi
	printf '%-8s %-40s %12.0f %10.3f %s\n' "$t" "${desc[$t]}" "${mrps[$t]}" "${mp99[$t]}" "  $verdict"
done

echo
echo "ratios bianmin/nginx (from the medians above):"
for t in healthz region; do
	awk -v t="$t" -v a="${mrps[$t]}" -v b="${mrps[nginx]}" -v p="${mp99[$t]}" -v q="${mp99[nginx]}" 'BEGIN {
		printf "  %-8s req/s %.2f   p99 latency %.2f\n", t, (b > 0 ? a / b : 0), (q > 0 ? p / q : 0) }'
done

echo
read -r r0 _ <<<"$rss0"
read -r r1 hwm <<<"$rss1"
printf 'memory: bianmin VmRSS %.1f MiB before the runs, %.1f MiB after (peak VmHWM %.1f MiB); nginx master+workers VmRSS %.1f MiB\n' \
	"$(awk -v k="$r0" 'BEGIN { print k / 1024 }')" "$(awk -v k="$r1" 'BEGIN { print k / 1024 }')" \
	"$(awk -v k="$hwm" 'BEGIN { print k / 1024 }')" "$(awk -v k="$nginx_rss" 'BEGIN { print k / 1024 }')"

echo "load:    $load1 (1, 5, 15 min) after the runs"
echo "cpu:     percent of all $(nproc) cores during each run: srv% the servers (bianmin + nginx, user +"
echo "         system), wrk% wrk, idle% left idle, other% other processes (above a few points:"
echo "         something else ran meanwhile and the run is not trustworthy). The remainder is"
echo "         interrupt time (loopback traffic) charged to no process."
maxo=$(awk '{ if ($9 > m) m = $9 } END { print m + 0 }' "$BT/runs")
[ "$maxo" -gt "$BENCH_MAX_OTHER" ] &&
	echo "warning: up to $maxo% of the CPU went to other processes during a kept run; rerun on a quiet machine"

status=0
if [ "$total_err" -gt 0 ]; then
	echo "warning: $total_err failed requests or socket errors (see the errors column)"
fi
kill -0 "$BIANMIN_PID" 2>/dev/null || { echo "bianmin died during the benchmark:"; cat "$BT/bianmin.log"; status=1; }
if [ "${BENCH_STRICT:-0}" = 1 ]; then
	for t in healthz region; do
		awk -v v="${mrps[$t]}" -v g="$BENCH_TARGET" 'BEGIN { exit !(v < g) }' &&
			{ echo "FAIL: $t median ${mrps[$t]} req/s is below $BENCH_TARGET"; status=1; }
	done
fi
exit $status
