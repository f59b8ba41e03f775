#!/usr/bin/env bash
# bench/profile.sh BIN [PATH] - where bianmin spends its time under load.
#
# Starts bianmin on a temporary demo database (as bench/http.sh does), loads
# PATH (default /api/v1/regions/990101) with wrk and records the server with
# `perf record` meanwhile, then prints the hottest functions (self time) and
# the hottest call chains. Without a working perf (no binary, or
# perf_event_paranoid forbids it) it falls back to valgrind --tool=callgrind
# on a shorter, lighter run (the figures are instruction counts, not time).
#
# Environment: PROFILE_DURATION seconds of load [8], PROFILE_TOOL perf or
# callgrind [perf], PROFILE_CALLGRAPH perf's --call-graph [dwarf,16384],
# BENCH_THREADS / BENCH_CONNECTIONS for wrk [2 / 64], BENCH_SERVE_ARGS,
# BENCH_OUT folder for perf.data / callgrind.out and the report [build/bench].
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bin=${1:-build/bianmin}
path=${2:-/api/v1/regions/990101}
[ -x "$bin" ] || bench_die "no bianmin binary at $bin (run make)"
dur=${PROFILE_DURATION:-8}
tool=${PROFILE_TOOL:-perf}
BENCH_THREADS=${BENCH_THREADS:-2}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-64}
out=$(mkdir -p "${BENCH_OUT:-build/bench}" && cd "${BENCH_OUT:-build/bench}" && pwd)
bench_need_tools

if [ "$tool" = perf ]; then
	if ! command -v perf >/dev/null 2>&1 ||
		! timeout 10 perf record -q -o /dev/null -- true >/dev/null 2>&1; then
		bench_say "bench: perf is missing or not permitted here; using callgrind"
		tool=callgrind
	fi
fi
if [ "$tool" = callgrind ] && ! command -v valgrind >/dev/null 2>&1; then
	bench_die "neither perf nor valgrind works; install one: scripts/deps.sh valgrind   (as root)"
fi

bench_init
if [ "$tool" = callgrind ]; then
	# The server runs under valgrind (about 50x slower): fewer connections.
	BENCH_CONNECTIONS=${PROFILE_CONNECTIONS:-8}
	real_bin=$bin
	bin="$BT/bianmin-under-callgrind"
	printf '#!/bin/sh\nexec valgrind -q --tool=callgrind --callgrind-out-file=%s "%s" "$@"\n' \
		"$out/callgrind.out" "$(cd "$(dirname "$real_bin")" && pwd)/$(basename "$real_bin")" >"$bin"
	chmod +x "$bin"
fi
# shellcheck disable=SC2086
start_bianmin "$bin" ${BENCH_SERVE_ARGS:-}
curl -sf --max-time 30 -o /dev/null "$BIANMIN_URL$path" || bench_die "GET $path failed"

echo "== profile of bianmin GET $path  ($tool, ${dur}s, wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS)"
bench_machine

if [ "$tool" = perf ]; then
	run_wrk "$BT/warmup.txt" 1 "$BIANMIN_URL$path"
	perf record -q -F 999 --call-graph "${PROFILE_CALLGRAPH:-dwarf,16384}" -p "$BIANMIN_PID" \
		-o "$out/perf.data" -- sleep "$dur" >"$BT/perf.log" 2>&1 &
	perf_pid=$!
	run_wrk "$BT/wrk.txt" "$dur" "$BIANMIN_URL$path"
	wait "$perf_pid" || { cat "$BT/perf.log" >&2; bench_die "perf record failed"; }
	read -r rps _ p99 _ <<<"$(wrk_field "$BT/wrk.txt")"
	echo "load while recording: $rps req/s, p99 $p99 ms (perf itself costs some of it)"
	echo
	echo "-- hottest functions, self time (perf report --no-children)"
	perf report -i "$out/perf.data" --no-children --sort dso,symbol --stdio -g none \
		--percent-limit 0.7 2>/dev/null | grep -v '^#' | sed '/^$/d' | head -n 45
	echo
	echo "-- time including callees (perf report --children), top entries"
	perf report -i "$out/perf.data" --children --sort symbol --stdio -g none \
		--percent-limit 3 2>/dev/null | grep -v '^#' | sed '/^$/d' | head -n 45
	echo
	echo "(full data: perf report -i $out/perf.data)"
else
	run_wrk "$BT/wrk.txt" "$dur" "$BIANMIN_URL$path"
	bench_stop_pid "$BIANMIN_PID" bianmin
	BIANMIN_PID=
	read -r rps _ _ n _ <<<"$(wrk_field "$BT/wrk.txt")"
	total=$(callgrind_annotate "$out/callgrind.out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(/,/, "", $1); print $1 }')
	echo "requests served under callgrind: $n ($rps req/s); about $((${total:-0} / (n > 0 ? n : 1))) instructions per request (start-up included)"
	echo
	echo "-- instructions by function, inclusive (callgrind_annotate --inclusive=yes)"
	callgrind_annotate --inclusive=yes "$out/callgrind.out" 2>/dev/null |
		awk '/file:function/ { on = 1; getline; next } on && NF' | head -n 40
	echo
	echo "-- instructions by function, self"
	callgrind_annotate "$out/callgrind.out" 2>/dev/null |
		awk '/file:function/ { on = 1; getline; next } on && NF' | head -n 30
	echo
	echo "(full data: callgrind_annotate $out/callgrind.out, or kcachegrind)"
fi
