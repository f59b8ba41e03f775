#!/usr/bin/env bash
# bench/http.sh BIN - HTTP throughput of bianmin on SQLite and on
# PostgreSQL, against nginx, with wrk.
#
# Runs two bianmin servers side by side, one per backend, each on a
# temporary database with the demo county (`BIN --db DB init --demo`):
#   sqlite      a SQLite file in the temporary folder
#   postgresql  a throwaway cluster made with initdb in the temporary folder
#               and started with pg_ctl on a free port of 127.0.0.1 (TCP,
#               PostgreSQL's default settings, fsync and synchronous_commit
#               on), or a throwaway database on the server BENCH_PG_URI names
# Each is served by `BIN --db DB serve --listen 127.0.0.1:0 --access-log
# false` and gets an API key (system_admin of the demo county) and one
# household. nginx (bench/nginx.conf: worker_processes auto, its own pid
# file, error log and temp paths in the temporary folder) serves a static
# copy of /healthz's JSON on another port. Then wrk --latency runs against
#   healthz  GET /healthz                        (public; schema check)
#   region   GET /api/v1/regions/990101          (public; the demo county,
#                                                 20 towns: a cached answer)
#   hh-get   GET /api/v1/households/ID           (API key: a signed-in read)
#   hh-post  POST /api/v1/households             (API key: one household and
#                                                 one audit entry, durable)
# on each backend, and nginx GET /healthz (static file, the reference),
# BENCH_REPEAT times, interleaved (healthz on sqlite, healthz on postgresql,
# region on sqlite, ..., nginx; then again). It prints every run, the median
# req/s and median p99 latency of each target side by side (SQLite |
# PostgreSQL | nginx), the bianmin/nginx ratios per backend, the CPU time
# per request of the server under test and of postgres, the memory of the
# servers and of postgres after the runs, and the bytes per row (with
# indexes) of the rows hh-post wrote. Stops and removes everything it
# started on exit (the cluster, or the database it made on BENCH_PG_URI's
# server).
#
# Environment (defaults in brackets):
#   BENCH_BACKENDS     sqlite and/or postgresql  ["sqlite postgresql"]
#   BENCH_ENDPOINTS    of healthz region hh-get hh-post  [all four]
#   BENCH_PG_URI       a libpq URI of a maintenance database of an existing
#                      server (e.g. postgresql://u:pw@db1/postgres) whose user
#                      may create databases; none: a throwaway cluster
#   BENCH_PG_BIN       folder of initdb, pg_ctl and psql
#                      [the newest /usr/lib/postgresql/*/bin]
#   BENCH_DURATION     seconds per wrk run, 10, 10s or 1m  [10]
#   BENCH_WARMUP       seconds of unrecorded warm-up per target, 0 = none [2]
#   BENCH_REPEAT       runs per target  [3]
#   BENCH_THREADS      wrk threads  [2]
#   BENCH_CONNECTIONS  wrk connections  [64]
#   BENCH_TARGET       req/s healthz and region should reach on SQLite [40000]
#   BENCH_STRICT       1: exit 1 when such a median is below BENCH_TARGET
#   BENCH_SERVE_ARGS   extra `bianmin serve` arguments, e.g. "--threads 4"
#   BENCH_QUIET        before each run wait up to this many seconds for the
#                      machine to be quiet (< 5% CPU busy for 1 s); 0 = off [60]
#   BENCH_RETRIES      times a run is repeated when other processes took more
#                      than BENCH_MAX_OTHER percent of the CPU during it [2]
#   BENCH_MAX_OTHER    see BENCH_RETRIES [10]
#   BENCH_KEEP         1: keep the temporary folder (logs, wrk reports; the
#                      cluster is stopped all the same)
# A quick check: BENCH_DURATION=2 BENCH_WARMUP=0 bench/http.sh build/bianmin
#
# wrk, the servers, postgres and this script share the machine's cores, so
# the figures are lower than a server alone would reach; compare the ratios.
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

bench_backends
endpoints=()
for e in ${BENCH_ENDPOINTS:-healthz region hh-get hh-post}; do
	case $e in
	healthz | region | hh-get | hh-post) endpoints+=("$e") ;;
	*) bench_die "BENCH_ENDPOINTS: unknown endpoint '$e' (healthz, region, hh-get, hh-post)" ;;
	esac
done
[ ${#endpoints[@]} -gt 0 ] || bench_die "BENCH_ENDPOINTS names no endpoint"
has() { local x=$1; shift; [[ " $* " == *" $x "* ]]; }

bench_need_tools
has postgresql "${backends[@]}" && bench_pg_need
bench_init

declare -A srv_pid srv_log srv_threads
declare -A url desc size wrkargs

# One bianmin per backend, with its API key, its household and the wrk
# scripts that carry the key.
for b in "${backends[@]}"; do
	if [ "$b" = sqlite ]; then
		db="$BT/bianmin.db"
		srv_log[$b]="$BT/bianmin.log"
	else
		start_pg
		db=$PG_URI
		srv_log[$b]="$BT/bianmin-$b.log"
	fi
	# shellcheck disable=SC2086 # BENCH_SERVE_ARGS is a list of words
	start_bianmin_on "$b" "$db" "$bin" ${BENCH_SERVE_ARGS:-}
	srv_pid[$b]=$BIANMIN_PID
	srv_threads[$b]=$(grep -o 'threads=[0-9]*' "${srv_log[$b]}" | head -n 1 | cut -d= -f2)
	u=$BIANMIN_URL
	curl -sf --max-time 5 -o "$BT/healthz-$b.json" "$u/healthz" ||
		bench_die "bianmin on $b: GET /healthz failed"
	curl -sf --max-time 5 -o "$BT/region-$b.json" "$u/api/v1/regions/990101" ||
		bench_die "bianmin on $b: GET /api/v1/regions/990101 failed (no demo county?)"
	key=$("$bin" --db "$db" apikey add bench --role system_admin --region 990101 2>>"$BT/apikey-$b.log" |
		grep -o 'bmk_[A-Za-z0-9_-]*' | head -n 1 || true)
	[ -n "$key" ] || { cat "$BT/apikey-$b.log" >&2; bench_die "bianmin on $b: apikey add failed"; }
	body='{"region":"990101103200","address":"演示路 1 号"}'
	hh=$(curl -sf --max-time 5 -X POST -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
		--data-binary "$body" "$u/api/v1/households" | grep -o '"id":[0-9]*' | head -n 1 | cut -d: -f2 || true)
	[ -n "$hh" ] || bench_die "bianmin on $b: POST /api/v1/households failed"
	curl -sf --max-time 5 -o "$BT/hh-get-$b.json" -H "Authorization: Bearer $key" "$u/api/v1/households/$hh" ||
		bench_die "bianmin on $b: GET /api/v1/households/$hh failed"
	(
		umask 077
		printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$key" >"$BT/get-$b.lua"
		printf '%s\n' 'wrk.method = "POST"' 'wrk.headers["Content-Type"] = "application/json"' \
			"wrk.headers[\"Authorization\"] = \"Bearer $key\"" "wrk.body = '$body'" >"$BT/post-$b.lua"
	)
	url[healthz.$b]="$u/healthz" wrkargs[healthz.$b]=
	url[region.$b]="$u/api/v1/regions/990101" wrkargs[region.$b]=
	url[hh-get.$b]="$u/api/v1/households/$hh" wrkargs[hh-get.$b]="-s $BT/get-$b.lua"
	url[hh-post.$b]="$u/api/v1/households" wrkargs[hh-post.$b]="-s $BT/post-$b.lua"
	size[healthz.$b]=$(wc -c <"$BT/healthz-$b.json")
	size[region.$b]=$(wc -c <"$BT/region-$b.json")
	size[hh-get.$b]=$(wc -c <"$BT/hh-get-$b.json")
	size[hh-post.$b]=$(curl -sf --max-time 5 -X POST -H "Authorization: Bearer $key" \
		-H 'Content-Type: application/json' --data-binary "$body" "$u/api/v1/households" | wc -c)
done
desc[healthz]="GET /healthz"
desc[region]="GET /api/v1/regions/990101"
desc[hh-get]="GET /api/v1/households/ID (API key)"
desc[hh-post]="POST /api/v1/households (API key)"
desc[nginx]="nginx GET /healthz (static file)"

first=${backends[0]}
start_nginx "$BT/healthz-$first.json"
url[nginx]="$NGINX_URL/healthz" wrkargs[nginx]=
size[nginx]=$(wc -c <"$BT/nginx/www/healthz.json")

# The order of the runs: each endpoint on every backend, then nginx.
targets=()
for e in "${endpoints[@]}"; do
	for b in "${backends[@]}"; do targets+=("$e.$b"); done
done
targets+=(nginx)
servers=()
for b in "${backends[@]}"; do servers+=("${srv_pid[$b]}"); done
servers+=("$NGINX_PID")
[ -n "$PG_PID" ] && servers+=("$PG_PID")

echo "== bianmin HTTP benchmark, SQLite and PostgreSQL  $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
bench_machine
echo "bianmin: $("$bin" version 2>/dev/null | head -n 1) --access-log false ${BENCH_SERVE_ARGS:-}"
for b in "${backends[@]}"; do
	if [ "$b" = sqlite ]; then
		printf '  %-10s threads=%s  database: SQLite file in the temporary folder\n' "$b" "${srv_threads[$b]:-?}"
	else
		printf '  %-10s threads=%s  database: %s\n' "$b" "${srv_threads[$b]:-?}" "$PG_DESC"
		v=$(bench_psql -d "$PG_URI" -c 'SHOW server_version' 2>/dev/null || echo '?')
		set_=$(bench_psql -d "$PG_URI" -F= -c "SELECT name, setting || coalesce(unit, '') FROM pg_settings
			WHERE name IN ('shared_buffers', 'max_connections', 'fsync', 'synchronous_commit', 'wal_level')
			ORDER BY name" 2>/dev/null | tr '\n' ' ' || true)
		printf '  %-10s PostgreSQL %s: %s\n' "" "$v" "$set_"
	fi
done
echo "nginx:   worker_processes auto, access_log off (bench/nginx.conf)"
echo "wrk:     -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d${secs}s --latency, ${BENCH_REPEAT} runs per target interleaved, ${warm}s warm-up"
echo "quiet:   each run waits up to ${BENCH_QUIET}s for the machine to be quiet (BENCH_QUIET)"
echo "note:    wrk, the servers and postgres share the same $(nproc) core(s), traffic on 127.0.0.1 only"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load:    $load0 (1, 5, 15 min) before the runs"
for t in "${targets[@]}"; do
	printf '  %-18s %-38s %6s bytes  %s\n' "$t" "${desc[${t%%.*}]}" "${size[$t]}" "${url[$t]}"
done
echo

declare -A rss0
for b in "${backends[@]}"; do rss0[$b]=$(bench_rss "${srv_pid[$b]}"); done

if [ "$warm" -gt 0 ]; then
	for t in "${targets[@]}"; do
		# shellcheck disable=SC2086 # wrkargs is a list of words
		run_wrk "$BT/warmup-$t.txt" "$warm" "${url[$t]}" ${wrkargs[$t]}
	done
fi

: >"$BT/runs"
hz=$(getconf CLK_TCK)
printf '%-5s %-18s %9s %8s %8s %9s %6s %5s %5s %5s %6s %6s %6s\n' run target req/s p50_ms p99_ms requests errors \
	srv% wrk% idle% other% srv_us pg_us
for r in $(seq 1 "$BENCH_REPEAT"); do
	for t in "${targets[@]}"; do
		for try in $(seq 0 "$BENCH_RETRIES"); do
			bench_wait_quiet "$BENCH_QUIET"
			[ "$QUIET_WAITED" -gt 0 ] &&
				echo "      ($t: waited ${QUIET_WAITED}s for a quiet machine; ${QUIET_BUSY}% busy at the start)"
			# the server under test, and postgres (for the postgresql targets)
			me=$NGINX_PID pgp=
			[ "$t" = nginx ] || me=${srv_pid[${t#*.}]}
			[ "${t#*.}" = postgresql ] && pgp=$PG_PID
			bench_cpu_mark "${servers[@]}"
			me0=$(bench_ticks "$me") pg0=$(bench_ticks "$pgp")
			# shellcheck disable=SC2086 # wrkargs is a list of words
			run_wrk "$BT/wrk-$t-$r.txt" "$secs" "${url[$t]}" ${wrkargs[$t]}
			me1=$(bench_ticks "$me") pg1=$(bench_ticks "$pgp")
			bench_cpu_other "${servers[@]}"
			read -r rps p50 p99 n err < <(wrk_field "$BT/wrk-$t-$r.txt")
			# CPU time per request, in microseconds, of the server and of postgres
			read -r srv_us pg_us < <(awk -v a=$((me1 - me0)) -v b=$((pg1 - pg0)) -v n="$n" -v hz="$hz" \
				'BEGIN { if (n < 1) n = 1; printf "%.0f %.0f\n", a * 1e6 / hz / n, b * 1e6 / hz / n }')
			[ -n "$pgp" ] || pg_us=-
			line=$(printf '%-5s %-18s %9.0f %8.3f %8.3f %9d %6d %5s %5s %5s %6s %6s %6s' "$r" "$t" "$rps" "$p50" "$p99" "$n" "$err" \
				"$CPU_SERVERS" "$CPU_WRK" "$CPU_IDLE" "$CPU_OTHER" "$srv_us" "$pg_us")
			if [ "$CPU_OTHER" -gt "$BENCH_MAX_OTHER" ] && [ "$try" -lt "$BENCH_RETRIES" ]; then
				echo "$line  discarded (other% > $BENCH_MAX_OTHER), again"
				continue
			fi
			echo "$t $r $rps $p50 $p99 $n $err $CPU_IDLE $CPU_OTHER $srv_us $pg_us" >>"$BT/runs"
			echo "$line"
			break
		done
	done
done

declare -A rss1
for b in "${backends[@]}"; do rss1[$b]=$(bench_rss "${srv_pid[$b]}"); done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
nginx_rss=$(bench_rss_tree "$NGINX_PID")
pg_mem=
[ -n "$PG_PID" ] && pg_mem=$(bench_pss_tree "$PG_PID")

declare -A mrps mp99 msrv mpg
total_err=0
for t in "${targets[@]}"; do
	mrps[$t]=$(awk -v t="$t" '$1 == t { print $3 }' "$BT/runs" | bench_median)
	mp99[$t]=$(awk -v t="$t" '$1 == t { print $5 }' "$BT/runs" | bench_median)
	msrv[$t]=$(awk -v t="$t" '$1 == t { print $10 }' "$BT/runs" | bench_median)
	mpg[$t]=$(awk -v t="$t" '$1 == t && $11 != "-" { print $11 }' "$BT/runs" | bench_median)
	e=$(awk -v t="$t" '$1 == t { s += $7 } END { print s + 0 }' "$BT/runs")
	total_err=$((total_err + e))
done

# "req/s (p99 ms)" of a target's medians, or "-".
cell() {
	[ -n "${mrps[$1]:-}" ] || { echo "-"; return; }
	awk -v a="${mrps[$1]}" -v p="${mp99[$1]}" 'BEGIN { printf "%.0f (%.2f ms)\n", a, p }'
}
# "req/s ratio (p99 ratio)" of target $1 over target $2, or "-".
ratio() {
	if [ -z "${mrps[$1]:-}" ] || [ -z "${mrps[$2]:-}" ]; then
		echo "-"
		return
	fi
	awk -v a="${mrps[$1]}" -v b="${mrps[$2]}" -v p="${mp99[$1]}" -v q="${mp99[$2]}" 'BEGIN {
		printf "%.2f (%.2f)\n", (b > 0 ? a / b : 0), (q > 0 ? p / q : 0) }'
}

echo
echo "medians of $BENCH_REPEAT runs: req/s (p99 latency)"
printf '%-8s %-38s %-20s %-20s %-20s\n' target request SQLite PostgreSQL nginx
for e in "${endpoints[@]}"; do
	n=-
	case $e in healthz | region) n=$(cell nginx) ;; esac
	printf '%-8s %-38s %-20s %-20s %-20s\n' "$e" "${desc[$e]}" "$(cell "$e.sqlite")" "$(cell "$e.postgresql")" "$n"
done
if has sqlite "${backends[@]}"; then
	for e in healthz region; do
		has "$e" "${endpoints[@]}" || continue
		awk -v e="$e" -v v="${mrps[$e.sqlite]}" -v g="$BENCH_TARGET" 'BEGIN {
			printf "  %s on SQLite: %s\n", e, (v >= g ? "ok (>= " g " req/s)" : "BELOW " g " req/s") }'
	done
fi

echo
echo "ratios of the medians: req/s (p99 latency)"
printf '%-8s %-20s %-20s %-20s\n' target SQLite/nginx PostgreSQL/nginx PostgreSQL/SQLite
for e in "${endpoints[@]}"; do
	a=- c=-
	case $e in healthz | region) a=$(ratio "$e.sqlite" nginx) c=$(ratio "$e.postgresql" nginx) ;; esac
	printf '%-8s %-20s %-20s %-20s\n' "$e" "$a" "$c" "$(ratio "$e.postgresql" "$e.sqlite")"
done

echo
echo "CPU time per request (medians, microseconds; srv: the server under test, all its threads;"
echo "pg: postgres and its backends; user + system time, not the loopback's interrupt time):"
printf '%-8s %-12s %-12s %-12s %-12s %-12s\n' target "SQLite srv" "PG srv" "PG pg" "PG total" "nginx srv"
us() {
	if [ -n "${1:-}" ] && [ "$1" != nan ]; then printf '%.0f' "$1"; else printf '%s' -; fi
}
for e in "${endpoints[@]}"; do
	a=$(us "${msrv[$e.sqlite]:-}") c=$(us "${msrv[$e.postgresql]:-}") d=$(us "${mpg[$e.postgresql]:-}")
	tot=-
	[ "$c" != - ] && [ "$d" != - ] && tot=$((c + d))
	n=-
	case $e in healthz | region) n=$(us "${msrv[nginx]:-}") ;; esac
	printf '%-8s %-12s %-12s %-12s %-12s %-12s\n' "$e" "$a" "$c" "$d" "$tot" "$n"
done

echo
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
echo "memory after the runs (MiB):"
for b in "${backends[@]}"; do
	read -r r0 _ <<<"${rss0[$b]}"
	read -r r1 hwm <<<"${rss1[$b]}"
	printf '  bianmin on %-10s VmRSS %s before the runs, %s after (peak VmHWM %s)\n' \
		"$b" "$(mib "$r0")" "$(mib "$r1")" "$(mib "$hwm")"
done
printf '  nginx master+workers VmRSS %s\n' "$(mib "$nginx_rss")"
if [ -n "$pg_mem" ]; then
	read -r pss prss pn <<<"$pg_mem"
	printf '  postgres (%s processes) Pss %s (shared buffers counted once), sum of VmRSS %s\n' \
		"$pn" "$(mib "$pss")" "$(mib "$prss")"
fi

# What the writes cost on disk: rows and bytes per row (table and its
# indexes) of the tables hh-post appends to, on each backend.
if has hh-post "${endpoints[@]}"; then
	echo "storage of the rows written (table + its indexes, after the runs):"
	for b in "${backends[@]}"; do
		for tbl in audit_log households; do
			if [ "$b" = postgresql ]; then
				# a partitioned table (audit_log) is the sum of its partitions
				row=$(bench_psql -d "$PG_URI" -F' ' -c "SELECT (SELECT count(*) FROM $tbl),
					coalesce((SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('$tbl')),
						pg_total_relation_size('$tbl'))" 2>/dev/null || true)
			elif command -v sqlite3 >/dev/null 2>&1; then
				row=$(sqlite3 -readonly "$BT/bianmin.db" "SELECT (SELECT count(*) FROM $tbl),
					(SELECT sum(pgsize) FROM dbstat WHERE name IN
						(SELECT name FROM sqlite_master WHERE tbl_name = '$tbl'))" 2>/dev/null | tr '|' ' ' || true)
			else
				row=
			fi
			read -r nrows bytes <<<"${row:-0 0}"
			if [ "${nrows:-0}" -gt 0 ] && [ -n "${bytes:-}" ]; then
				awk -v b="$b" -v t="$tbl" -v n="$nrows" -v s="$bytes" 'BEGIN {
					printf "  %-10s %-10s %8d rows %8.1f MiB %6.0f bytes/row\n", b, t, n, s / 1048576, s / n }'
			else
				printf '  %-10s %-10s not measured (needs psql, or sqlite3 with dbstat)\n' "$b" "$tbl"
			fi
		done
	done
fi

echo "load:    $load1 (1, 5, 15 min) after the runs"
echo "cpu:     percent of all $(nproc) cores during each run: srv% the servers (bianmin on every"
echo "         backend, nginx and postgres, user + system), wrk% wrk, idle% left idle, other%"
echo "         other processes (above a few points: something else ran meanwhile and the run"
echo "         is not trustworthy). The remainder is interrupt time (loopback traffic) charged"
echo "         to no process."
maxo=$(awk '{ if ($9 > m) m = $9 } END { print m + 0 }' "$BT/runs")
[ "$maxo" -gt "$BENCH_MAX_OTHER" ] &&
	echo "warning: up to $maxo% of the CPU went to other processes during a kept run; rerun on a quiet machine"

status=0
if [ "$total_err" -gt 0 ]; then
	echo "warning: $total_err failed requests or socket errors (see the errors column)"
fi
for b in "${backends[@]}"; do
	kill -0 "${srv_pid[$b]}" 2>/dev/null ||
		{ echo "bianmin on $b died during the benchmark:"; cat "${srv_log[$b]}"; status=1; }
done
if [ "${BENCH_STRICT:-0}" = 1 ] && has sqlite "${backends[@]}"; then
	for e in healthz region; do
		has "$e" "${endpoints[@]}" || continue
		awk -v v="${mrps[$e.sqlite]}" -v g="$BENCH_TARGET" 'BEGIN { exit !(v < g) }' &&
			{ echo "FAIL: $e median on SQLite ${mrps[$e.sqlite]} req/s is below $BENCH_TARGET"; status=1; }
	done
fi
exit $status
