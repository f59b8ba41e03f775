#!/usr/bin/env bash
# bench/demands.sh BIN - demands (诉求, issue #6): raising them through the API,
# and the escalation sweep over a million open ones.
#
# Phases (BENCH_DEM_PHASES, default "raise sweep"):
#   raise   POST /api/v1/demands with wrk (bench/demands.lua), 64 connections,
#           round robin over BENCH_DEM_USERS signed-in residents (made with
#           POST /api/v1/users, signed in, one-time password changed), each of
#           a different village of the demo county; the 留言主题 and 留言详情 of
#           real complaints (../shared/data/complaints) as title and
#           description; categories cycling through the codes of
#           GET /api/v1/demands/categories. On SQLite and on PostgreSQL (as
#           bench/http.sh: a throwaway cluster, or BENCH_PG_URI). Every 201 is
#           durable: the commits and writes counted by GET /metrics show the
#           group commit; the CPU of all cores is split into the server's (and
#           postgres'), wrk's, other processes' and idle. Target: >= 2,000/s.
#   sweep   for each size of BENCH_SWEEP_SIZES: a fresh demo database filled
#           directly (bench/demands_gen.py: SQL through sqlite3, COPY through
#           psql, bypassing the API) with that many open demands, their clocks
#           and timelines, next_check spread over 30 days from BENCH_SWEEP_MARGIN
#           seconds after the fill; then `BIN --db DB demands sweep` timed (wall
#           clock of the whole command, and its user and system CPU) with
#           BIANMIN_CLOCK_OFFSET chosen so that exactly K demands are due, for
#           each K of BENCH_SWEEP_DUE, BENCH_SWEEP_REPEAT times (K interleaved);
#           the demands a sweep changed are put back as they were (and its
#           timeline lines, events and audit entries removed) before the next
#           run, untimed. Then, untimed, with BENCH_SWEEP_PROFILE=1, a sweep of
#           BENCH_SWEEP_PROFILE_K due under strace -c -f (system calls: fsyncs,
#           round trips), on SQLite one timing each fdatasync, on PostgreSQL
#           one with every statement's server time logged, and one under perf
#           (CPU profile). Target: < 1 s over 1,000,000.
# The bianmin binary is copied into the temporary folder first (others may
# rebuild build/ meanwhile); its checksum is printed.
#
# Environment (defaults in brackets): BENCH_DURATION [10] seconds per wrk run,
# BENCH_WARMUP [2], BENCH_REPEAT [3], BENCH_BACKENDS ["sqlite postgresql"],
# BENCH_DEM_USERS [16], BENCH_THREADS [2], BENCH_CONNECTIONS [64],
# BENCH_SERVE_ARGS, BENCH_SWEEP_SIZES ["100000 1000000"], BENCH_SWEEP_DUE
# ["0 100 1000 10000"], BENCH_SWEEP_REPEAT [3], BENCH_SWEEP_TIMEOUT [900]
# seconds per sweep, BENCH_SWEEP_MARGIN [21600], BENCH_SWEEP_PROFILE [1],
# BENCH_SWEEP_PROFILE_K [1000], BENCH_SWEEP_ZERO_REPEAT [10] (K=0 sweeps back
# to back after the others, and one under strace -c: the fixed cost per size),
# BENCH_DEM_PERF=1 (a perf profile of the server, and of postgres, during the
# first raise run),
# BENCH_FILL_TIMEOUT [3600] seconds per fill, BENCH_KEEP, BENCH_PG_URI,
# BENCH_PG_BIN. Needs python3, jq, sqlite3, wrk, curl; strace and perf for the
# profiles. The sweep phase needs about 2.5 GB of disk per backend for 1,000,000.
# Quick check: BENCH_DURATION=2 BENCH_REPEAT=1 BENCH_SWEEP_SIZES=20000
#   BENCH_SWEEP_DUE="0 100 1000" BENCH_SWEEP_REPEAT=1 bench/demands.sh build/bianmin
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

src_bin=${1:-build/bianmin}
[ -x "$src_bin" ] || bench_die "no bianmin binary at $src_bin (run make)"
src_bin=$(cd "$(dirname "$src_bin")" && pwd)/$(basename "$src_bin")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_DURATION=${BENCH_DURATION:-10}
BENCH_WARMUP=${BENCH_WARMUP:-2}
BENCH_REPEAT=${BENCH_REPEAT:-3}
BENCH_THREADS=${BENCH_THREADS:-2}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-64}
DEM_USERS=${BENCH_DEM_USERS:-16}
PHASES=${BENCH_DEM_PHASES:-raise sweep}
SWEEP_SIZES=${BENCH_SWEEP_SIZES:-100000 1000000}
SWEEP_DUE=${BENCH_SWEEP_DUE:-0 100 1000 10000}
SWEEP_REPEAT=${BENCH_SWEEP_REPEAT:-3}
SWEEP_TIMEOUT=${BENCH_SWEEP_TIMEOUT:-900}
SWEEP_MARGIN=${BENCH_SWEEP_MARGIN:-21600}
SWEEP_PROFILE=${BENCH_SWEEP_PROFILE:-1}
PROFILE_K=${BENCH_SWEEP_PROFILE_K:-1000}
ZERO_REPEAT=${BENCH_SWEEP_ZERO_REPEAT:-10}
FILL_TIMEOUT=${BENCH_FILL_TIMEOUT:-3600}
COMPLAINTS=${BENCH_COMPLAINTS:-$BENCH_TOP/../shared/data/complaints}
secs=$(bench_seconds "$BENCH_DURATION")
warm=$(bench_seconds "$BENCH_WARMUP")
gen() { python3 "$here/demands_gen.py" "$@"; }
has() { local x=$1; shift; [[ " $* " == *" $x "* ]]; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
load() { echo "$(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min); other benchmarks running: $(pgrep -f 'bench/(http|messages|run|search_recall|profile)\.sh|scripts/test\.sh|\.ci/run' | grep -cvx "$$") processes"; }

bench_need_tools
command -v python3 >/dev/null || bench_die "python3 is needed to write the inputs"
command -v jq >/dev/null || bench_die "jq is needed"
command -v sqlite3 >/dev/null || bench_die "sqlite3 is needed"
ls "$COMPLAINTS"/*.csv >/dev/null 2>&1 || { echo "SKIP: no real complaints in $COMPLAINTS"; exit 0; }
bench_backends
has postgresql "${backends[@]}" && bench_pg_need

bench_init

bin="$BT/bianmin"
cp "$src_bin" "$bin"
texts="$BT/texts.jsonl"
ntexts=$(gen texts "$texts" "$COMPLAINTS"/*.csv)

echo "== bianmin demands benchmark  $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
bench_machine
echo "bianmin: $("$bin" version 2>/dev/null | head -n 1), commit $(git -C "$BENCH_TOP" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$BENCH_TOP" diff --quiet HEAD -- src 2>/dev/null || echo ' (src modified)'); binary $src_bin of $(date -u -r "$src_bin" '+%H:%M:%S UTC'), sha256 $(sha256sum "$bin" | cut -c1-12)"
echo "disk:    $(df -h "$BT" | awk 'NR == 2 { print $1 ", " $4 " free" }'), temporary folder $BT"
echo "inputs:  $ntexts real complaints (留言主题 as title, 留言详情 as description, <= 4,000 characters)"
echo "load:    $(load)"
echo

json_post() { # URL TOKEN BODY
	local auth=()
	[ -n "$2" ] && auth=(-H "Authorization: Bearer $2")
	curl -sS --max-time 30 "${auth[@]}" -H 'Content-Type: application/json' --data-binary "$3" "$1"
}
login() { json_post "$1/api/v1/auth/login" "" "{\"phone\":\"$2\",\"password\":\"$3\"}" | jq -r .token; }

declare -A URL DB PID KEY
: >"$BT/results"
record() { echo "$*" >>"$BT/results"; }

start_backend() {
	local b=$1 db
	if [ "$b" = sqlite ]; then db="$BT/bianmin.db"; else [ -n "$PG_URI" ] || start_pg; db=$PG_URI; fi
	# shellcheck disable=SC2086 # a list of words
	start_bianmin_on "$b" "$db" "$bin" ${BENCH_SERVE_ARGS:-}
	URL[$b]=$BIANMIN_URL DB[$b]=$db PID[$b]=$BIANMIN_PID
	KEY[$b]=$("$bin" --db "$db" apikey add demadm --role system_admin --region 990101 | grep -o 'bmk_[A-Za-z0-9_-]*' | head -n 1)
	[ -n "${KEY[$b]}" ] || bench_die "apikey add failed on $b"
	echo "  $b: ${URL[$b]}"
}

# DEM_USERS residents, each of a different village of the demo county,
# signed in with a password of their own: one token a line in $BT/users-B.
make_users() {
	local b=$1 u=${URL[$1]} k=${KEY[$1]} i
	curl -sf --max-time 30 -H "Authorization: Bearer $k" "$u/api/v1/groups?within=990101&kind=village&limit=500" |
		jq -r '.groups[].region' >"$BT/villages-$b"
	[ "$(wc -l <"$BT/villages-$b")" -ge "$DEM_USERS" ] || bench_die "fewer than $DEM_USERS villages on $b"
	: >"$BT/users-$b"
	one_user() {
		local i=$1 reg r otp tok phone
		# every 31st village: spread over the towns
		reg=$(sed -n "$((i * 31 % $(wc -l <"$BT/villages-$b") + 1))p" "$BT/villages-$b")
		phone=$((13700000000 + i))
		r=$(json_post "$u/api/v1/users" "$k" "{\"name\":\"诉求压测居民$i\",\"phone\":\"$phone\",\"region\":\"$reg\"}")
		otp=$(jq -r .one_time_password <<<"$r")
		[ -n "$otp" ] && [ "$otp" != null ] || bench_die "cannot make a resident of $reg on $b: $r"
		tok=$(login "$u" "$phone" "$otp")
		json_post "$u/api/v1/me/password" "$tok" "{\"old_password\":\"$otp\",\"new_password\":\"Bench-pw-2026!\"}" >/dev/null
		echo "$tok"
	}
	local pids=() p
	for i in $(seq 0 $((DEM_USERS - 1))); do
		one_user "$i" >>"$BT/users-$b" &
		pids+=($!)
		if [ ${#pids[@]} -eq 4 ]; then
			for p in "${pids[@]}"; do wait "$p"; done
			pids=()
		fi
	done
	for p in "${pids[@]}"; do wait "$p"; done
	[ "$(grep -c . "$BT/users-$b")" -eq "$DEM_USERS" ] || bench_die "could not make $DEM_USERS residents on $b"
	curl -sf --max-time 30 -H "Authorization: Bearer $(head -n 1 "$BT/users-$b")" "$u/api/v1/demands/categories" |
		jq -r '.items[].code' >"$BT/cats-$b"
	[ -s "$BT/cats-$b" ] || bench_die "no categories from $u/api/v1/demands/categories"
}

# raise_perf_start B / raise_perf_stop: with BENCH_DEM_PERF=1, perf of the
# server (and of postgres) during a run
RAISE_PERF_PIDS=()
raise_perf_start() {
	[ "${BENCH_DEM_PERF:-0}" = 1 ] || return 0
	perf record -q -F 499 -g -p "${PID[$1]}" -o "$BT/raise-perf-$1.data" >/dev/null 2>&1 &
	RAISE_PERF_PIDS+=($!)
	if [ "$1" = postgresql ] && [ -n "$PG_PID" ]; then
		# the postmaster and its children: the server's connections are open already
		perf record -q -F 499 -g -p "$PG_PID,$(pgrep -d, -P "$PG_PID")" -o "$BT/raise-perf-postgres.data" >/dev/null 2>&1 &
		RAISE_PERF_PIDS+=($!)
	fi
	sleep 0.3
}
raise_perf_stop() {
	local p
	for p in "${RAISE_PERF_PIDS[@]}"; do kill -INT "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done
	RAISE_PERF_PIDS=()
}

# dem_wrk OUT DURATION URL B: wrk with bench/demands.lua.
dem_wrk() {
	local out=$1 d=$2 url=$3 b=$4 rc=0
	timeout -k 5 $((d + 30)) wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"${d}s" --timeout 5s --latency \
		-s "$here/demands.lua" "$url" -- raise "$BT/users-$b" "$BT/cats-$b" "$texts" >"$out" 2>&1 &
	WRK_PID=$!
	wait "$WRK_PID" || rc=$?
	WRK_PID=
	[ "$rc" -eq 0 ] || { cat "$out" >&2; bench_die "wrk failed against $url"; }
}

count_cases() { # B
	if [ "$1" = sqlite ]; then sqlite3 -readonly "${DB[$1]}" 'SELECT count(*) FROM cases'
	else "$PG_BIN/psql" -qAtX -d "${DB[$1]}" -c 'SELECT count(*) FROM cases'; fi
}

phase_raise() {
	local b r u c0 w0 cs0 c1 w1 cs1 rps p50 p99 n err p95 pids
	echo "-- raise: POST /api/v1/demands, wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d${secs}s, $DEM_USERS residents of $DEM_USERS villages, round robin"
	echo "servers:"
	for b in "${backends[@]}"; do start_backend "$b"; done
	[ -n "$PG_DESC" ] && has postgresql "${backends[@]}" && echo "  postgresql: $PG_DESC"
	for b in "${backends[@]}"; do make_users "$b"; done
	echo "  categories: $(wc -l <"$BT/cats-${backends[0]}") codes ($(head -n 3 "$BT/cats-${backends[0]}" | paste -sd, -), ...)"
	if [ "$warm" -gt 0 ]; then
		for b in "${backends[@]}"; do dem_wrk "$BT/raise-warm-$b.txt" "$warm" "${URL[$b]}" "$b"; done
	fi
	# the CPU of all cores (percent) used by the server and postgres, by wrk,
	# by other processes, and left idle; cpu_ms: server and postgres CPU
	# milliseconds per demand raised
	printf '%-4s %-10s %9s %8s %8s %8s %8s %6s %8s %8s %8s %9s %7s %5s %6s %5s %6s\n' run backend raised/s p50_ms p95_ms p99_ms raised errors commits writes w/commit commit_ms server% wrk% other% idle% cpu_ms
	for r in $(seq 1 "$BENCH_REPEAT"); do
		for b in "${backends[@]}"; do
			u=${URL[$b]}
			pids=("${PID[$b]}")
			[ "$b" = postgresql ] && [ -n "$PG_PID" ] && pids+=("$PG_PID")
			c0=$(bench_metric bianmin_db_commits_total "$u") w0=$(bench_metric bianmin_db_writes_total "$u")
			cs0=$(bench_metric bianmin_db_commit_seconds_total "$u")
			bench_cpu_mark "${pids[@]}"
			[ "$r" = 1 ] && raise_perf_start "$b"
			dem_wrk "$BT/raise-$b-$r.txt" "$secs" "$u" "$b"
			raise_perf_stop
			bench_cpu_other "${pids[@]}"
			c1=$(bench_metric bianmin_db_commits_total "$u") w1=$(bench_metric bianmin_db_writes_total "$u")
			cs1=$(bench_metric bianmin_db_commit_seconds_total "$u")
			read -r rps p50 p99 n err < <(wrk_field "$BT/raise-$b-$r.txt")
			read -r _ _ p95 _ < <(grep '^latency_us' "$BT/raise-$b-$r.txt")
			awk -v r="$r" -v b="$b" -v rps="$rps" -v p50="$p50" -v p95="$p95" -v p99="$p99" -v n="$n" -v e="$err" \
				-v c="$((c1 - c0))" -v w="$((w1 - w0))" -v cs0="$cs0" -v cs1="$cs1" -v o="$CPU_OTHER" \
				-v sv="$CPU_SERVERS" -v wk="$CPU_WRK" -v id="$CPU_IDLE" -v cores="$(nproc)" -v d="$secs" 'BEGIN {
				printf "%-4s %-10s %9.0f %8.2f %8.2f %8.2f %8d %6d %8d %8d %8.1f %9.3f %7s %5s %6s %5s %6.2f\n", r, b, rps, p50, p95 / 1000, p99, n, e,
					c, w, (c > 0 ? w / c : 0), (c > 0 ? (cs1 - cs0) * 1000 / c : 0), sv, wk, o, id,
					(n > 0 ? sv / 100 * cores * d * 1000 / n : 0) }' | tee -a "$BT/raise-table"
		done
	done
	for b in "${backends[@]}"; do
		if [ -f "$BT/raise-perf-$b.data" ]; then
			echo "  perf of the server during run 1 on $b: CPU by thread, then the top symbols (self time)"
			perf_top "$BT/raise-perf-$b.data"
		fi
		if [ -f "$BT/raise-perf-postgres.data" ] && [ "$b" = postgresql ]; then
			echo "  perf of postgres during run 1: top symbols (self time)"
			perf_top "$BT/raise-perf-postgres.data"
		fi
	done
	for b in "${backends[@]}"; do
		awk -v b="$b" '$2 == b' "$BT/raise-table" >"$BT/raise-$b.rows"
		local m p
		m=$(awk '{ print $3 }' "$BT/raise-$b.rows" | bench_median)
		p=$(awk '{ print $6 }' "$BT/raise-$b.rows" | bench_median)
		record raise "$b" "$m" "$p"
		echo "  $b: median $m demands/s, p95 $(awk '{ print $5 }' "$BT/raise-$b.rows" | bench_median) ms, p99 $p ms, writes/commit $(awk '{ print $11 }' "$BT/raise-$b.rows" | bench_median); $(awk -v m="$m" 'BEGIN { print (m >= 2000 ? "meets" : "BELOW") }') the target of 2,000/s; demands stored: $(count_cases "$b"); server VmHWM $(mib "$(bench_rss "${PID[$b]}" | cut -d' ' -f2)") MiB"
	done
	for b in "${backends[@]}"; do bench_stop_pid "${PID[$b]}" bianmin; done
	echo
}

# ---- the sweep ----

# the CPU ticks of postgres: the postmaster, its live children and the
# children it reaped (a sweep's backend ends with the sweep)
pg_ticks() {
	[ -n "$PG_PID" ] || { echo 0; return; }
	local t
	t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$PG_PID/stat" 2>/dev/null || echo 0)
	# shellcheck disable=SC2046 # a list of pids
	echo $((t + $(bench_ticks $(pgrep -P "$PG_PID" 2>/dev/null | tr '\n' ' '))))
}

# sweep_db B N: a fresh demo database for the sweep of N; sets SDB.
sweep_db() {
	local b=$1 n=$2 name
	if [ "$b" = sqlite ]; then
		SDB="$BT/sweep-$n.db"
		rm -f "$SDB" "$SDB"-*
	else
		[ -n "$PG_URI" ] || start_pg
		name="bianmin_sweep_${n}_$$"
		bench_psql -d "$PG_URI" -c "CREATE DATABASE $name ENCODING 'UTF8' TEMPLATE template0" ||
			bench_die "cannot create database $name"
		BENCH_PG_DBS+=("$name")
		SDB=$(sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\1/$name#" <<<"$PG_URI")
	fi
	"$bin" --db "$SDB" init --demo >"$BT/sweep-init-$b-$n.log" 2>&1 ||
		{ cat "$BT/sweep-init-$b-$n.log" >&2; bench_die "init --demo failed for the sweep on $b"; }
}

sweep_db_drop() { # B
	if [ "$1" = sqlite ]; then
		rm -f "$SDB" "$SDB"-*
	else
		local name=${BENCH_PG_DBS[-1]}
		bench_psql -d "$PG_URI" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" || true
		unset 'BENCH_PG_DBS[-1]'
	fi
}

db_size() { # B: database size
	if [ "$1" = sqlite ]; then du -h "$SDB" | cut -f1
	else bench_sq "$1" "$SDB" "SELECT pg_size_pretty(pg_database_size(current_database()))"; fi
}

# fill B N: N open demands into $SDB (bench_fill_demands, bench/lib.sh).
# Sets FILL_SECS; the instants of the due counts are in $BT/thresholds.
fill() {
	local b=$1 n=$2
	# shellcheck disable=SC2086 # a list of numbers
	bench_fill_demands "$b" "$SDB" "$n" "$texts" "$SWEEP_MARGIN" $SWEEP_DUE "$PROFILE_K"
	echo "  fill: $(sed 's/^demands_gen: //' "$BT/gen-$b-$n.log")"
	echo "  filled in $FILL_SECS s (generator piped into $([ "$b" = sqlite ] && echo 'sqlite3, synchronous=OFF' || echo 'psql COPY, synchronous_commit=off'); indexes made after; $([ "$b" = sqlite ] && echo 'WAL checkpointed' || echo 'VACUUM ANALYZE')); database $(db_size "$b")"
	echo "  open demands: $(bench_sq "$b" "$SDB" "SELECT count(*) FROM cases WHERE state NOT IN ('closed', 'merged')"), with a clock to look at (next_check > 0): $(bench_sq "$b" "$SDB" "SELECT count(*) FROM cases WHERE next_check > 0")"
}

# save the demands a sweep may change, and the marks of the appended tables
sweep_save() {
	local b=$1 tmax
	tmax=$(awk 'END { print $2 + 0 }' "$BT/thresholds")
	[ "$tmax" -gt 0 ] || tmax=0
	bench_sq_file "$b" "$SDB" <<-EOF >/dev/null
		CREATE TABLE bench_saved_cases AS SELECT * FROM cases WHERE next_check > 0 AND next_check <= $tmax;
		CREATE TABLE bench_saved_clocks AS SELECT * FROM case_clocks WHERE case_id IN (SELECT id FROM bench_saved_cases);
		CREATE TABLE bench_marks AS SELECT (SELECT coalesce(max(id), 0) FROM case_events) AS case_events,
			(SELECT coalesce(max(id), 0) FROM audit_log) AS audit_log, (SELECT coalesce(max(id), 0) FROM events) AS events;
	EOF
	echo "  saved for the resets: $(bench_sq "$b" "$SDB" "SELECT count(*) FROM bench_saved_cases") demands (those due by the largest K's instant) and their clocks"
}

# put the demands a sweep changed back as they were (untimed)
sweep_reset() {
	local b=$1 after
	if [ "$b" = sqlite ]; then after="PRAGMA wal_checkpoint(TRUNCATE);"; else after="VACUUM cases, case_clocks, case_events;"; fi
	bench_sq_file "$b" "$SDB" <<-EOF >/dev/null
		BEGIN;
		DELETE FROM case_events WHERE id > (SELECT case_events FROM bench_marks);
		DELETE FROM audit_log WHERE id > (SELECT audit_log FROM bench_marks);
		DELETE FROM events WHERE id > (SELECT events FROM bench_marks);
		DELETE FROM case_clocks WHERE case_id IN (SELECT id FROM bench_saved_cases);
		INSERT INTO case_clocks SELECT * FROM bench_saved_clocks;
		UPDATE cases SET version = s.version, state = s.state, level = s.level, assignee_user = s.assignee_user,
			assignee_group = s.assignee_group, unit = s.unit, first_receiver = s.first_receiver,
			escalations = s.escalations, updated_at = s.updated_at, closed_at = s.closed_at,
			next_check = s.next_check FROM bench_saved_cases s WHERE cases.id = s.id;
		COMMIT;
		$after
	EOF
}

# explain B: the plan of the sweep's query (STMT_CASES_DUE / PS_CASES_DUE)
explain() {
	local b=$1 t
	t=$(awk 'END { print $2 + 0 }' "$BT/thresholds")
	if [ "$b" = sqlite ]; then
		echo "  plan (EXPLAIN QUERY PLAN): $(bench_sq "$b" "$SDB" "EXPLAIN QUERY PLAN SELECT id FROM cases WHERE next_check > 0 AND next_check <= $t ORDER BY next_check, id LIMIT 512" | cut -f4 | paste -sd';' -)"
	else
		echo "  the query at K=0 (now), EXPLAIN (ANALYZE, BUFFERS):"
		bench_sq "$b" "$SDB" "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) SELECT id FROM cases WHERE next_check > 0 AND next_check <= extract(epoch from now())::bigint ORDER BY next_check, id LIMIT 512" | sed 's/^/    /'
		echo "  plan (custom, EXPLAIN ANALYZE at the largest K's instant):"
		bench_sq "$b" "$SDB" "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT id FROM cases WHERE next_check > 0 AND next_check <= $t ORDER BY next_check, id LIMIT 512" | sed 's/^/    /'
		echo "  plan (generic, as a prepared statement may use after 5 runs):"
		bench_sq_file "$b" "$SDB" <<-EOF | sed 's/^/    /'
			SET plan_cache_mode = force_generic_plan;
			PREPARE due(bigint, integer) AS SELECT id FROM cases WHERE next_check > 0 AND next_check <= \$1 ORDER BY next_check, id LIMIT \$2;
			EXPLAIN (COSTS OFF) EXECUTE due($t, 512);
		EOF
	fi
}

# offset_for K: the BIANMIN_CLOCK_OFFSET at which exactly K demands are due
offset_for() {
	local k=$1 t
	[ "$k" -eq 0 ] && { echo 0; return; }
	t=$(awk -v k="$k" '$1 == k { print $2 }' "$BT/thresholds")
	[ -n "$t" ] || bench_die "no instant for $k due demands (more than have a clock?)"
	echo $((t - $(date +%s)))
}

# run_sweep B K OUT [WRAPPER...]: `bin --db SDB demands sweep` at K due; sets
# SW_WALL SW_USER SW_SYS SW_DUE SW_CHANGED SW_PG (postgres CPU seconds)
run_sweep() {
	local b=$1 k=$2 out=$3 off pg0 pg1 rc=0
	shift 3
	off=$(offset_for "$k")
	pg0=$(pg_ticks)
	# TIMEFORMAT of bash's time: wall, user, system seconds of the command
	{ TIMEFORMAT='%R %U %S'; time BIANMIN_CLOCK_OFFSET=$off timeout -k 5 "$SWEEP_TIMEOUT" "$@" "$bin" --db "$SDB" demands sweep >"$out" 2>"$out.err"; } 2>"$out.time" || rc=$?
	# the sweep's backend counts once the postmaster has reaped it
	[ -n "$PG_PID" ] && [ "$b" = postgresql ] && sleep 0.3
	pg1=$(pg_ticks)
	SW_WALL='' SW_DUE=''
	read -r SW_WALL SW_USER SW_SYS < <(tail -n 1 "$out.time") || true
	SW_PG=$(awk -v t=$((pg1 - pg0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }')
	read -r SW_DUE SW_CHANGED < <(sed -n 's/^demands: \([0-9]*\) due, \([0-9]*\) .*/\1 \2/p' "$out") || true
	if [ "$rc" -ne 0 ] || [ -z "${SW_DUE:-}" ]; then
		cat "$out" "$out.err" >&2
		bench_die "the sweep at $k due on $b failed (exit $rc)"
	fi
}

phase_sweep() {
	local b n r k row pids
	echo "-- sweep: \`bianmin --db DB demands sweep\` over N open demands with K due (BIANMIN_CLOCK_OFFSET), $SWEEP_REPEAT runs, K interleaved"
	for b in "${backends[@]}"; do
		[ "$b" = postgresql ] && { [ -n "$PG_URI" ] || start_pg; echo "  postgresql: $PG_DESC"; }
		for n in $SWEEP_SIZES; do
			echo "== $b, $n open demands"
			sweep_db "$b" "$n"
			fill "$b" "$n"
			record fill "$b" "$n" "$FILL_SECS"
			sweep_save "$b"
			explain "$b"
			echo "  load before the runs: $(load)"
			printf '  %-4s %-6s %6s %9s %8s %8s %8s %6s %8s %7s\n' run K due changed wall_s user_s sys_s pg_s ms/due other
			for r in $(seq 1 "$SWEEP_REPEAT"); do
				for k in $SWEEP_DUE; do
					bench_cpu_mark
					run_sweep "$b" "$k" "$BT/sweep-$b-$n-$k-$r.out"
					bench_cpu_other
					row=$(awk -v r="$r" -v k="$k" -v d="$SW_DUE" -v c="$SW_CHANGED" -v w="$SW_WALL" -v u="$SW_USER" -v s="$SW_SYS" -v p="$SW_PG" -v o="$CPU_OTHER" 'BEGIN {
						printf "%-4s %-6s %6d %9d %8.3f %8.3f %8.3f %6.2f %8s %6s%%", r, k, d, c, w, u, s, p, (d > 0 ? sprintf("%.2f", w * 1000 / d) : "-"), o }')
					echo "  $row"
					echo "$b $n $row" >>"$BT/sweep-table"
					[ "$SW_DUE" -eq "$k" ] || echo "  NOTE: $SW_DUE due where $k were meant (the clock moved past a gap?)"
					[ "$SW_DUE" -gt 0 ] && sweep_reset "$b"
				done
			done
			if [ "$ZERO_REPEAT" -gt 0 ]; then
				# K=0 back to back: the fixed cost, to compare across sizes
				for r in $(seq 1 "$ZERO_REPEAT"); do
					run_sweep "$b" 0 "$BT/zero-$b-$n-$r.out"
					echo "$SW_WALL $SW_USER $SW_SYS"
				done >"$BT/zero-$b-$n"
				echo "  K=0 again, $ZERO_REPEAT runs back to back: wall median $(cut -d' ' -f1 "$BT/zero-$b-$n" | bench_median) s (min $(cut -d' ' -f1 "$BT/zero-$b-$n" | sort -g | head -n 1), max $(cut -d' ' -f1 "$BT/zero-$b-$n" | sort -g | tail -n 1)), user $(cut -d' ' -f2 "$BT/zero-$b-$n" | bench_median) s, sys $(cut -d' ' -f3 "$BT/zero-$b-$n" | bench_median) s"
				record zero "$b" "$n" "$(cut -d' ' -f1 "$BT/zero-$b-$n" | bench_median)"
				if command -v strace >/dev/null; then
					run_sweep "$b" 0 "$BT/zero-strace-$b-$n.out" strace -f -c -o "$BT/zero-strace-$b-$n.txt"
					echo "  K=0 under strace -c: $(awk '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" && $NF ~ /^(pread64|pwrite64|fdatasync|fsync|sendto|recvfrom|poll|openat)$/ { printf "%s %d, ", $NF, $4 }' "$BT/zero-strace-$b-$n.txt" | sed 's/, $//') calls"
				fi
			fi
			echo "  printed by the last runs: $(for k in $SWEEP_DUE; do printf '[K=%s] %s  ' "$k" "$(cat "$BT/sweep-$b-$n-$k-$SWEEP_REPEAT.out")"; done)"
			for k in $SWEEP_DUE; do
				local med
				med=$(awk -v b="$b" -v n="$n" -v k="$k" '$1 == b && $2 == n && $4 == k { print $7 }' "$BT/sweep-table" | bench_median)
				record sweep "$b" "$n" "$k" "$med"
				echo "  median K=$k: $med s $(awk -v m="$med" 'BEGIN { print (m < 1 ? "(< 1 s)" : "(ABOVE 1 s)") }')"
			done
			[ "$SWEEP_PROFILE" = 1 ] && profile_sweep "$b" "$n"
			echo "  load after the runs: $(load)"
			sweep_db_drop "$b"
			echo
		done
	done
}

perf_top() { # DATA
	perf report -i "$1" --no-children --sort comm --stdio -g none 2>/dev/null >"$1.comm" || true
	perf report -i "$1" --no-children --sort dso,symbol --stdio -g none 2>/dev/null >"$1.sym" || true
	grep -v '^#' "$1.comm" | sed '/^$/d' | sed -n '1,4s/^/    /p'
	grep -v '^#' "$1.sym" | sed '/^$/d' | sed -n '1,22s/^/    /p'
}

# untimed, at PROFILE_K due: the system calls (strace -c), the fsyncs
# (SQLite: strace -T on fdatasync only) or the statements' server times
# (PostgreSQL: log_min_duration_statement = 0 for the sweep's database), and
# the CPU profile (perf)
profile_sweep() {
	local b=$1 n=$2 k=$PROFILE_K
	[ "$k" -gt 0 ] || return 0
	if command -v strace >/dev/null; then
		run_sweep "$b" "$k" "$BT/strace-$b-$n.out" strace -f -c -w -o "$BT/strace-$b-$n.txt"
		sweep_reset "$b"
		echo "  strace -f -c -w at K=$k (wall $SW_WALL s under strace; the top system calls by time, per due demand):"
		awk -v k="$k" '$1 ~ /^[0-9.]+$/ && NF >= 5 && n++ < 9 { calls = $4; name = $NF; printf "    %-14s %7.1f%%  %8.3f s  %7d calls  %5.2f per demand  %7.3f ms each\n", name, $1, $2, calls, calls / k, (calls ? $2 * 1000 / calls : 0) }' \
			"$BT/strace-$b-$n.txt"
		if [ "$b" = sqlite ]; then
			# only the fsyncs stop the process (seccomp-bpf): little overhead
			run_sweep "$b" "$k" "$BT/fsync-$b-$n.out" strace -f --seccomp-bpf -T -e trace=fdatasync,fsync -o "$BT/fsync-$b-$n.txt"
			sweep_reset "$b"
			awk -v k="$k" -v w="$SW_WALL" '/fdatasync|fsync/ { if (match($0, /<[0-9.]+>$/)) { t += substr($0, RSTART + 1, RLENGTH - 2); n++ } } END {
				printf "  fsyncs at K=%d (strace --seccomp-bpf -T, wall %.3f s): %d fdatasync/fsync, %.3f s in them (%.1f%% of the wall), %.2f ms each, %.2f ms per due demand\n",
					k, w, n, t, (w > 0 ? 100 * t / w : 0), (n ? 1000 * t / n : 0), 1000 * t / k }' "$BT/fsync-$b-$n.txt"
		fi
	fi
	if [ "$b" = postgresql ] && [ -n "$PG_DATA" ] && [ -r "$BT/pg/server.log" ]; then
		local name=${BENCH_PG_DBS[-1]} mark
		bench_sq "$b" "$SDB" "ALTER DATABASE $name SET log_min_duration_statement = 0" >/dev/null
		mark=$(($(stat -c %s "$BT/pg/server.log") + 1))
		run_sweep "$b" "$k" "$BT/stmtlog-$b-$n.out"
		sleep 0.5
		tail -c +"$mark" "$BT/pg/server.log" >"$BT/stmtlog-$b-$n.txt"
		bench_sq "$b" "$SDB" "ALTER DATABASE $name RESET log_min_duration_statement" >/dev/null
		sweep_reset "$b"
		echo "  server time of the statements at K=$k (log_min_duration_statement = 0; wall $SW_WALL s): by statement, per due demand"
		awk -v k="$k" -v w="$SW_WALL" '
			match($0, /duration: [0-9.]+ ms  (bind|execute|parse|statement)[^:]*: /) {
				d = $0; sub(/.*duration: /, "", d); d += 0
				ph = $0; sub(/.*duration: [0-9.]+ ms  /, "", ph); sub(/[ :].*/, "", ph)
				q = substr($0, RSTART + RLENGTH); gsub(/[ \t]+/, " ", q); q = substr(q, 1, 58)
				key = ph " | " q; tot[key] += d; cnt[key]++; all += d; if (ph == "execute" || ph == "statement") rt++
			}
			END {
				for (x in tot) printf "%10.3f %8d %s\n", tot[x], cnt[x], x
				printf "%10.3f %8d TOTAL (server time of all statements; wall %.3f s; %d statements executed (one round trip each), %.1f per demand)\n", all, rt, w, rt, rt / k
			}' "$BT/stmtlog-$b-$n.txt" | sort -k1,1 -g -r | head -n 16 |
			awk -v k="$k" '{ t = $1; c = $2; $1 = ""; $2 = ""; sub(/^  /, ""); printf "    %8.1f ms %7d  %6.3f ms/demand  %s\n", t, c, t / k, $0 }' || true
	fi
	if command -v perf >/dev/null; then
		local ppid=
		if [ "$b" = postgresql ] && [ -n "$PG_PID" ]; then
			# the postmaster and the backends it forks meanwhile (the sweep's)
			perf record -q -F 999 -g -p "$PG_PID" -o "$BT/perf-postgres-$n.data" >/dev/null 2>&1 &
			ppid=$!
			sleep 0.5
		fi
		run_sweep "$b" "$k" "$BT/perf-$b-$n.out" perf record -q -F 999 -g -o "$BT/perf-$b-$n.data" --
		if [ -n "$ppid" ]; then kill -INT "$ppid" 2>/dev/null; wait "$ppid" 2>/dev/null || true; fi
		sweep_reset "$b"
		echo "  perf at K=$k (wall $SW_WALL s under perf): the sweep's CPU by thread, then its top symbols (self time)"
		perf_top "$BT/perf-$b-$n.data"
		if [ -n "$ppid" ]; then
			echo "  perf of postgres meanwhile (postmaster and the sweep's backend): top symbols (self time)"
			perf_top "$BT/perf-postgres-$n.data"
		fi
	fi
}

has raise $PHASES && phase_raise
has sweep $PHASES && phase_sweep

echo "== summary"
awk '$1 == "raise" { printf "raise   %-10s median %s demands/s, p99 %s ms  (target >= 2,000/s: %s)\n", $2, $3, $4, ($3 >= 2000 ? "met" : "NOT met") }
	$1 == "fill" { printf "fill    %-10s %8d demands in %s s\n", $2, $3, $4 }
	$1 == "zero" { printf "sweep   %-10s %8d open,     0 due, %s more runs back to back: median %s s\n", $2, $3, "'"$ZERO_REPEAT"'", $4 }
	$1 == "sweep" { printf "sweep   %-10s %8d open, %5d due: median %s s  (target < 1 s: %s)\n", $2, $3, $4, $5, ($5 < 1 ? "met" : "NOT met") }' "$BT/results"
echo "load:    $(load) after the runs"
