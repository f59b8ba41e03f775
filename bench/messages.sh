#!/usr/bin/env bash
# bench/messages.sh BIN - group messages: posting, bulk ingest, a 项城-sized
# day, search, and the server's memory meanwhile.
#
# Phases (BENCH_MSG_PHASES, default "post ingest day search"):
#   post    POST /api/v1/groups/G/messages with wrk (bench/messages.lua), 64
#           connections, real Chinese texts (../shared/data/complaints cut to
#           chat-sized pieces), round robin over BENCH_MSG_USERS signed-in
#           residents, each an active member of a different village group of
#           the demo county; on SQLite and on PostgreSQL (as bench/http.sh:
#           a throwaway cluster, or BENCH_PG_URI). Every 201 is durable
#           (SQLite synchronous=FULL, PostgreSQL synchronous_commit=on): the
#           commits and writes counted by GET /metrics show the group commit.
#   ingest  POST /api/v1/ingest/messages, bodies of 1,000 messages written
#           beforehand, BENCH_INGEST_CLIENTS curl clients at once (keep-alive),
#           BENCH_INGEST_N messages per run, on both backends. BENCH_INGEST_MODE
#           [queued]: each call sends "Prefer: respond-async" and is answered
#           once taken (durable, stored by the server's loader right after:
#           loaded_s is how long after the last answer the queue was empty);
#           stored: each call is answered once its messages are stored.
#   day     a 项城-sized day on a fresh SQLite database: import the divisions
#           of 项城 (411681), `groups sync --within 411681` (523 groups), the
#           other 2,346 of 2,869 as ad-hoc groups (POST /api/v1/groups, 16
#           clients: BENCH_ADHOC_CLIENTS), 690,000 households in rosters
#           (POST /api/v1/groups/G/roster, one per group), 130,000 messages
#           ingested; each step timed, and the total, with the server's CPU
#           seconds in the ad-hoc groups, rosters and ingest.
#   search  a SQLite demo database with BENCH_SEARCH_N messages, then GET
#           /api/v1/messages/search with 2-4 character words of the
#           real messages (wrk, BENCH_SEARCH_CONNECTIONS connections) as the
#           county supervisor (groups.read on the county) and as a resident
#           (member of one group): p50/p95/p99. The messages are written
#           directly (BENCH_SEARCH_LOAD=rows, bench/messages_rows.sql: 10 M
#           through the API take ~20 minutes and measure ingest) and indexed
#           by `bianmin search rebuild` (timed: the indexer's cost); with
#           BENCH_SEARCH_LOAD=ingest the demo database of the earlier phases
#           is topped up by the ingest API and indexed by the server; with
#           BENCH_SEARCH_DB=FILE an existing SQLite database (with its
#           FILE.search: e.g. a copy of a BENCH_KEEP run's search.db) is
#           measured as it is, nothing loaded (BENCH_SEARCH_N: its label).
#           Each run also gives the server's CPU per request (cpu_ms).
# The server's VmRSS/VmHWM is read from /proc after each phase.
#
# Environment (defaults in brackets): BENCH_DURATION [10] seconds per wrk run,
# BENCH_REPEAT [3], BENCH_BACKENDS ["sqlite postgresql"], BENCH_MSG_USERS [16],
# BENCH_THREADS [2], BENCH_CONNECTIONS [64], BENCH_INGEST_N [200000],
# BENCH_INGEST_CLIENTS [4], BENCH_INGEST_MODE [queued], BENCH_INGEST_KEYS [seq] (random: hashed keys, see
# messages_gen.py), BENCH_ADHOC_CLIENTS [16], BENCH_ROSTER_CLIENTS [4],
# BENCH_DAY_GROUPS [2869], BENCH_DAY_MEMBERS
# [690000], BENCH_DAY_MESSAGES [130000], BENCH_SEARCH_N [1000000],
# BENCH_SEARCH_LOAD [rows], BENCH_SEARCH_DB, BENCH_SEARCH_CONNECTIONS [8], BENCH_SERVE_ARGS (e.g. "--threads 64"),
# BENCH_MSG_PERF=1 (a flat perf profile of the server during the first post
# run, the first and last ingest runs, the rosters, the day's ingest and the searches; the data
# kept in the work folder with BENCH_KEEP), BENCH_MSG_PERF_ARGS (more perf
# record options, e.g. "--call-graph dwarf"), BENCH_KEEP,
# BENCH_PG_URI, BENCH_PG_BIN. Needs python3 (inputs), jq, sqlite3, wrk, curl.
# Quick check: BENCH_DURATION=2 BENCH_REPEAT=1 BENCH_INGEST_N=5000 BENCH_DAY_GROUPS=600
#   BENCH_DAY_MEMBERS=6000 BENCH_DAY_MESSAGES=5000 BENCH_SEARCH_N=20000 bench/messages.sh
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bin=${1:-build/bianmin}
[ -x "$bin" ] || bench_die "no bianmin binary at $bin (run make)"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_DURATION=${BENCH_DURATION:-10}
BENCH_REPEAT=${BENCH_REPEAT:-3}
BENCH_THREADS=${BENCH_THREADS:-2}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-64}
MSG_USERS=${BENCH_MSG_USERS:-16}
INGEST_N=${BENCH_INGEST_N:-200000}
INGEST_CLIENTS=${BENCH_INGEST_CLIENTS:-4}
INGEST_MODE=${BENCH_INGEST_MODE:-queued}
case $INGEST_MODE in queued | stored) ;; *) bench_die "BENCH_INGEST_MODE is queued or stored, not '$INGEST_MODE'" ;; esac
DAY_GROUPS=${BENCH_DAY_GROUPS:-2869}
DAY_MEMBERS=${BENCH_DAY_MEMBERS:-690000}
DAY_MESSAGES=${BENCH_DAY_MESSAGES:-130000}
SEARCH_N=${BENCH_SEARCH_N:-1000000}
SEARCH_CONNECTIONS=${BENCH_SEARCH_CONNECTIONS:-8}
SEARCH_LOAD=${BENCH_SEARCH_LOAD:-rows}
SEARCH_DB=${BENCH_SEARCH_DB:-}
PHASES=${BENCH_MSG_PHASES:-post ingest day search}
COMPLAINTS=${BENCH_COMPLAINTS:-$BENCH_TOP/../shared/data/complaints}
DIVISIONS=${BENCH_DIVISIONS:-$BENCH_TOP/../shared/data/divisions}
secs=$(bench_seconds "$BENCH_DURATION")
gen() { python3 "$here/messages_gen.py" "$@"; }
has() { local x=$1; shift; [[ " $* " == *" $x "* ]]; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# VmRSS with its anonymous and file-backed (the readers' mmap of the database) parts, and VmHWM
rss_line() { awk '/^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 } /^VmHWM:/ { h = $2 } END {
	printf "VmRSS %.1f MiB (anon %.1f, file %.1f), peak VmHWM %.1f MiB", r / 1024, a / 1024, f / 1024, h / 1024 }' "/proc/$1/status"; }
# perf_start NAME PID / perf_stop: a flat profile (self time) of the server while a step runs
PERF_PID=
perf_start() {
	[ "${BENCH_MSG_PERF:-0}" = 1 ] || return 0
	# shellcheck disable=SC2086 # options split on purpose
	perf record -q -F 499 ${BENCH_MSG_PERF_ARGS:-} -p "$2" -o "$BT/perf-$1.data" >"$BT/perf-$1.log" 2>&1 &
	PERF_PID=$! PERF_NAME=$1
}
perf_stop() {
	[ -n "$PERF_PID" ] || return 0
	kill -INT "$PERF_PID" 2>/dev/null; wait "$PERF_PID" 2>/dev/null || true
	PERF_PID=
	echo "  profile of the server during $PERF_NAME (perf, self time, top entries):"
	perf report -i "$BT/perf-$PERF_NAME.data" --no-children --sort dso,symbol --stdio >"$BT/perf-$PERF_NAME.txt" 2>/dev/null || true
	{ grep -v '^#' "$BT/perf-$PERF_NAME.txt" || true; } | sed '/^$/d' | sed -n '1,14s/^/    /p'
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0) ? n / s : 0 }'; }

bench_need_tools
command -v python3 >/dev/null || bench_die "python3 is needed to write the inputs"
ls "$COMPLAINTS"/*.csv >/dev/null 2>&1 || { echo "SKIP: no real messages in $COMPLAINTS"; exit 0; }
bench_backends
if has postgresql "${backends[@]}" && { has post $PHASES || has ingest $PHASES; }; then bench_pg_need; fi
bench_init

texts="$BT/texts.jsonl"
ntexts=$(gen texts "$texts" "$COMPLAINTS"/*.csv)
words="$BT/words.txt"
nwords=$(gen words "$words" "$COMPLAINTS"/*.csv)
python3 -c 'import sys, urllib.parse
for w in open(sys.argv[1], encoding="utf-8"): print(urllib.parse.quote(w.strip()))' "$words" >"$BT/words.url"

echo "== bianmin messages benchmark  $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
bench_machine
echo "bianmin: $("$bin" version 2>/dev/null | head -n 1), commit $(git -C "$BENCH_TOP" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$BENCH_TOP" diff --quiet HEAD -- src 2>/dev/null || echo ' (src modified)')"
echo "inputs:  $ntexts real texts (subjects, details cut to <= 120 characters), $nwords search words"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min); CI busy: $(pgrep -f 'scripts/test.sh|\.ci/run' >/dev/null && echo yes || echo no)"
echo

# json_post URL TOKEN BODY: POST a JSON body with a bearer token; prints the answer.
json_post() {
	local auth=()
	[ -n "$2" ] && auth=(-H "Authorization: Bearer $2")
	curl -sS --max-time 30 "${auth[@]}" -H 'Content-Type: application/json' --data-binary "$3" "$1"
}

login() { # URL PHONE PASSWORD -> token
	json_post "$1/api/v1/auth/login" "" "{\"phone\":\"$2\",\"password\":\"$3\"}" | jq -r .token
}


# msg_wrk OUT CONNECTIONS URL MODE FILE FILE: wrk with bench/messages.lua.
msg_wrk() {
	local out=$1 conns=$2 url=$3
	shift 3
	timeout -k 5 $((secs + 30)) wrk -t"$BENCH_THREADS" -c"$conns" -d"${secs}s" --timeout 5s --latency \
		-s "$here/messages.lua" "$url" -- "$@" >"$out" 2>&1 &
	WRK_PID=$!
	local rc=0
	wait "$WRK_PID" || rc=$?
	WRK_PID=
	[ "$rc" -eq 0 ] || { cat "$out" >&2; bench_die "wrk failed against $url"; }
}

declare -A URL DB PID KEY BRIDGE
: >"$BT/results"
record() { echo "$*" >>"$BT/results"; }

# start one server per backend on the demo county, with a system_admin key
# and a bridge key for it
start_backend() {
	local b=$1 db
	if [ "$b" = sqlite ]; then db="$BT/bianmin.db"; else start_pg; db=$PG_URI; fi
	# shellcheck disable=SC2086 # a list of words
	start_bianmin_on "$b" "$db" "$bin" ${BENCH_SERVE_ARGS:-}
	URL[$b]=$BIANMIN_URL DB[$b]=$db PID[$b]=$BIANMIN_PID
	KEY[$b]=$("$bin" --db "$db" apikey add msgadm --role system_admin --region 990101 | grep -o 'bmk_[A-Za-z0-9_-]*' | head -n 1)
	BRIDGE[$b]=$("$bin" --db "$db" apikey add msgbridge --role bridge --region 990101 | grep -o 'bmk_[A-Za-z0-9_-]*' | head -n 1)
	[ -n "${KEY[$b]}" ] && [ -n "${BRIDGE[$b]}" ] || bench_die "apikey add failed on $b"
	local r
	r=$(bench_rss "${PID[$b]}")
	echo "  $b: ${URL[$b]}  VmRSS at start $(mib "${r% *}") MiB"
}

# MSG_USERS residents, each an active member of a different village group,
# signed in with a password of their own: "TOKEN GROUP" lines in $BT/users-B.
make_users() {
	local b=$1 u=${URL[$1]} k=${KEY[$1]} i
	bench_list_groups "$u" "$k" 990101 village "$BT/villages-$b"
	: >"$BT/users-$b"
	one_user() {
		local i=$1 g reg r uid otp tok phone
		read -r g reg < <(sed -n "$((i + 1))p" "$BT/villages-$b")
		phone=$((13600000000 + i))
		r=$(json_post "$u/api/v1/users" "$k" "{\"name\":\"压测居民$i\",\"phone\":\"$phone\",\"region\":\"$reg\"}")
		uid=$(jq -r .id <<<"$r") otp=$(jq -r .one_time_password <<<"$r")
		tok=$(login "$u" "$phone" "$otp")
		json_post "$u/api/v1/me/password" "$tok" "{\"old_password\":\"$otp\",\"new_password\":\"Bench-pw-2026!\"}" >/dev/null
		curl -sf --max-time 30 -X PUT -H "Authorization: Bearer $k" -H 'Content-Type: application/json' \
			--data-binary '{"role":"resident"}' "$u/api/v1/groups/$g/members/$uid" >/dev/null ||
			bench_die "cannot make user $uid a member of group $g on $b"
		echo "$tok $g"
	}
	local pids=() p
	for i in $(seq 0 $((MSG_USERS - 1))); do
		one_user "$i" >>"$BT/users-$b" &
		pids+=($!)
		if [ ${#pids[@]} -eq 4 ]; then
			for p in "${pids[@]}"; do wait "$p"; done
			pids=()
		fi
	done
	for p in "${pids[@]}"; do wait "$p"; done
	[ "$(grep -c . "$BT/users-$b")" -eq "$MSG_USERS" ] || bench_die "could not make $MSG_USERS members on $b"
}

phase_post() {
	local b r u t0 t1 c0 w0 c1 w1 cs0 rps p50 p99 n err lat
	echo "-- post: POST /api/v1/groups/G/messages, wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d${secs}s, $MSG_USERS members in $MSG_USERS village groups, round robin"
	for b in "${backends[@]}"; do make_users "$b"; done
	for b in "${backends[@]}"; do # warm-up
		BENCH_THREADS=$BENCH_THREADS msg_wrk "$BT/post-warm-$b.txt" "$BENCH_CONNECTIONS" "${URL[$b]}" post "$BT/users-$b" "$texts"
	done
	# load: 1-minute load average at the end of the run; http_us, writer_us,
	# indexer_us: µs of CPU per request (utime + stime of each server thread
	# from /proc) of the HTTP threads, the SQLite writer and its indexer
	printf '%-4s %-10s %9s %8s %8s %8s %9s %6s %9s %8s %7s %8s %5s %8s %9s %10s\n' run backend msgs/s p50_ms p95_ms p99_ms posted errors commits writes w/commit commit_ms load http_us writer_us indexer_us
	for r in $(seq 1 "$BENCH_REPEAT"); do
		for b in "${backends[@]}"; do
			u=${URL[$b]}
			c0=$(bench_metric bianmin_db_commits_total "$u") w0=$(bench_metric bianmin_db_writes_total "$u")
			cs0=$(bench_metric bianmin_db_commit_seconds_total "$u")
			[ "$r" = 1 ] && perf_start "post-$b" "${PID[$b]}"
			t0=$(thread_ticks "${PID[$b]}")
			msg_wrk "$BT/post-$b-$r.txt" "$BENCH_CONNECTIONS" "$u" post "$BT/users-$b" "$texts"
			t1=$(thread_ticks "${PID[$b]}")
			[ "$r" = 1 ] && perf_stop >"$BT/post-perf-$b.txt"
			c1=$(bench_metric bianmin_db_commits_total "$u") w1=$(bench_metric bianmin_db_writes_total "$u")
			read -r rps p50 p99 n err < <(wrk_field "$BT/post-$b-$r.txt")
			read -r _ _ lat _ < <(grep '^latency_us' "$BT/post-$b-$r.txt")
			awk -v r="$r" -v b="$b" -v rps="$rps" -v p50="$p50" -v p95="$lat" -v p99="$p99" -v n="$n" -v e="$err" \
				-v c="$((c1 - c0))" -v w="$((w1 - w0))" -v cs0="$cs0" -v cs1="$(bench_metric bianmin_db_commit_seconds_total "$u")" \
				-v load="$(cut -d' ' -f1 /proc/loadavg)" -v cpu="$(cpu_us "$t0" "$t1" "$n")" 'BEGIN {
				split(cpu, u, " ")
				printf "%-4s %-10s %9.0f %8.2f %8.2f %8.2f %9d %6d %9d %8d %7.1f %8.3f %5.1f %8.1f %9.1f %10.1f\n", r, b, rps, p50, p95 / 1000, p99, n, e,
					c, w, (c > 0 ? w / c : 0), (c > 0 ? (cs1 - cs0) * 1000 / c : 0), load, u[1], u[2], u[3] }' | tee -a "$BT/post-table"
		done
	done
	for b in "${backends[@]}"; do
		[ -f "$BT/post-perf-$b.txt" ] && cat "$BT/post-perf-$b.txt"
		awk -v b="$b" '$2 == b' "$BT/post-table" >"$BT/post-$b.rows"
		record post "$b" "$(awk '{ print $3 }' "$BT/post-$b.rows" | bench_median)" \
			"$(awk '{ print $5 }' "$BT/post-$b.rows" | bench_median)" "$(awk '{ print $6 }' "$BT/post-$b.rows" | bench_median)" \
			"$(awk '{ print $11 }' "$BT/post-$b.rows" | bench_median)"
		r=$(bench_rss "${PID[$b]}")
		echo "  $b: median $(awk '{ print $3 }' "$BT/post-$b.rows" | bench_median) msgs/s, p99 $(awk '{ print $6 }' "$BT/post-$b.rows" | bench_median) ms, writes/commit $(awk '{ print $11 }' "$BT/post-$b.rows" | bench_median); server $(rss_line "${PID[$b]}")"
	done
	echo
}

# ingest_into B N PREFIX [MODE]: N messages into backend B's demo groups,
# bodies written first (not timed), each call stored (MODE stored, the
# default) or queued. Sets ING_SECS, ING_STORED (messages stored or
# queued), and ING_T0 (the server's thread_ticks before the first call).
ingest_into() {
	local b=$1 n=$2 prefix=$3 mode=${4:-stored} d="$BT/ingest-$3" header= field=stored
	if [ "$mode" = queued ]; then header="Prefer: respond-async" field=queued; fi
	[ -s "$BT/villages-$b" ] || bench_list_groups "${URL[$b]}" "${KEY[$b]}" 990101 village "$BT/villages-$b"
	awk '{ print $1 }' "$BT/villages-$b" >"$BT/vgroups-$b"
	rm -rf "$d"
	gen ingest "$d" "$texts" "$prefix" 0 "$n" "$BT/vgroups-$b" >/dev/null
	for f in "$d"/body-*.json; do echo "${URL[$b]}/api/v1/ingest/messages $f"; done >"$d.list"
	ING_T0=$(thread_ticks "${PID[$b]}")
	BATCH_HEADER=$header bench_curl_batch "ing-$prefix" "$INGEST_CLIENTS" application/json "${BRIDGE[$b]}" "$d.list"
	ING_SECS=$BATCH_SECS
	ING_STORED=$(bench_sum_field "$field" "$BT/ing-$prefix-answers")
	rm -rf "$d"
}

# thread_ticks PID: "http writer indexer loader" clock ticks (utime +
# stime) used so far by the server's threads: the HTTP threads (every
# thread but the three below), db-writer and db-indexer (SQLite's; 0 on
# PostgreSQL) and ingest-loader (the queue's loader).
thread_ticks() {
	cat /proc/"$1"/task/*/stat 2>/dev/null | awk '{
		name = $0; sub(/^[^(]*\(/, "", name); sub(/\).*/, "", name)
		rest = $0; sub(/.*\) /, "", rest); split(rest, f, " ")
		t = f[12] + f[13]
		if (name == "db-writer") w += t; else if (name == "db-indexer") x += t
		else if (name == "ingest-loader") l += t; else h += t
	} END { print h + 0, w + 0, x + 0, l + 0 }'
}

# cpu_us T0 T1 N: µs of CPU per message of each thread kind between two
# thread_ticks readings, for N messages: "http writer indexer loader".
cpu_us() {
	awk -v a="$1" -v b="$2" -v n="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= 4; i++) printf "%.1f%s", (n > 0 ? (y[i] - x[i]) * 1e6 / hz / n : 0), (i < 4 ? " " : "\n") }'
}

phase_ingest() {
	local b r c0 w0 c1 w1 m t1 idx ld
	echo "-- ingest: POST /api/v1/ingest/messages, 1,000 messages a call, $INGEST_CLIENTS clients, $INGEST_N messages a run, $INGEST_MODE"
	# msgs/s: messages answered (queued or stored) per second of the calls;
	# loaded_s: seconds after the last answer until no queued message was
	# left to store (0 when stored); indexed_s: seconds after that until the
	# last message was findable (SQLite indexes after the commit, on a
	# thread of its own);
	# http_us, writer_us, indexer_us, loader_us: µs of CPU per message spent by
	# the HTTP threads, the SQLite writer and its indexer, and the queue's
	# loader (utime + stime of
	# each thread from /proc, from the first call until all is findable)
	printf '%-4s %-10s %10s %8s %9s %8s %8s %8s %9s %5s %8s %9s %10s %9s\n' run backend msgs/s seconds stored calls commits loaded_s indexed_s load http_us writer_us indexer_us loader_us
	for r in $(seq 1 "$BENCH_REPEAT"); do
		for b in "${backends[@]}"; do
			c0=$(bench_metric bianmin_db_commits_total "${URL[$b]}")
			# the first and the last run profiled: the writer's cost grows with the database
			if [ "$r" = 1 ] || [ "$r" = "$BENCH_REPEAT" ]; then perf_start "ingest-$b-$r" "${PID[$b]}"; fi
			ingest_into "$b" "$INGEST_N" "ing$r-$b" "$INGEST_MODE"
			c1=$(bench_metric bianmin_db_commits_total "${URL[$b]}")
			ld=$(bench_wait_queue "${URL[$b]}")
			perf_stop >>"$BT/ingest-perf-$b.txt"
			idx=$(bench_wait_indexed "${URL[$b]}")
			t1=$(thread_ticks "${PID[$b]}")
			printf '%-4s %-10s %10s %8s %9s %8s %8s %8s %9s %5s %8s %9s %10s %9s\n' "$r" "$b" "$(rate "$ING_STORED" "$ING_SECS")" "$ING_SECS" \
				"$ING_STORED" "$BATCH_OK" "$((c1 - c0))" "$ld" "$idx" "$(cut -d' ' -f1 /proc/loadavg)" \
				$(cpu_us "$ING_T0" "$t1" "$ING_STORED") | tee -a "$BT/ingest-table"
		done
	done
	for b in "${backends[@]}"; do
		[ -f "$BT/ingest-perf-$b.txt" ] && cat "$BT/ingest-perf-$b.txt"
		m=$(awk -v b="$b" '$2 == b { print $3 }' "$BT/ingest-table" | bench_median)
		record ingest "$b" "$m"
		r=$(bench_rss "${PID[$b]}")
		echo "  $b: median $m msgs/s; server $(rss_line "${PID[$b]}")"
	done
	echo
}

# day_cpu_start NAME PID / day_cpu_stop: around a step of the day, the
# server's CPU seconds in it ("http writer indexer" threads, utime + stime)
# into DAY_CPU[NAME], its commits and the writer's seconds in them (the WAL
# write and fsync, when it does nothing else) into DAY_COMMITS[NAME], and a
# perf profile with BENCH_MSG_PERF=1.
declare -A DAY_CPU DAY_COMMITS
day_commits() { echo "$(bench_metric bianmin_db_commits_total "${URL[day]}") $(bench_metric bianmin_db_commit_seconds_total "${URL[day]}")"; }
day_cpu_start() { DAY_CPU_NAME=$1 DAY_CPU_PID=$2 DAY_CPU_T0=$(thread_ticks "$2") DAY_COMMITS0=$(day_commits); perf_start "$1" "$2"; }
day_cpu_stop() {
	DAY_CPU[$DAY_CPU_NAME]=$(awk -v a="$DAY_CPU_T0" -v b="$(thread_ticks "$DAY_CPU_PID")" -v hz="$(getconf CLK_TCK)" 'BEGIN {
		split(a, x, " "); split(b, y, " "); printf "%.2f %.2f %.2f", (y[1] - x[1]) / hz, (y[2] - x[2]) / hz, (y[3] - x[3]) / hz }')
	DAY_COMMITS[$DAY_CPU_NAME]=$(awk -v a="$DAY_COMMITS0" -v b="$(day_commits)" 'BEGIN {
		split(a, x, " "); split(b, y, " "); printf "%d commits, %.2f s in them", y[1] - x[1], y[2] - x[2] }')
	perf_stop
}

phase_day() {
	local db="$BT/day.db" r
	echo "-- day: a 项城-sized day on a fresh SQLite database ($DAY_GROUPS groups, $DAY_MEMBERS members, $DAY_MESSAGES messages)"
	start_bianmin_on day "$db" "$bin"
	PID[day]=$BIANMIN_PID URL[day]=$BIANMIN_URL
	DAY_HOOK_START=day_cpu_start DAY_HOOK_STOP=day_cpu_stop
	bench_day_build "$bin" "$db" "${URL[day]}" "${PID[day]}" "$texts"
	# CPU seconds of the server per step (http, writer, indexer threads):
	# much less sensitive to the load of a shared machine than the wall
	for r in adhoc rosters day-ingest; do
		[ -n "${DAY_CPU[$r]:-}" ] && echo "  server CPU in $r: ${DAY_CPU[$r]} s (http writer indexer); ${DAY_COMMITS[$r]}"
	done
	[ -n "${DAY_CPU[rosters]:-}" ] && echo "  rosters: $(awk -v c="${DAY_CPU[rosters]}" -v n="$DAY_JOINED" 'BEGIN {
		split(c, x, " "); printf "%.1f µs of server CPU per member (writer %.1f)", (x[1] + x[2] + x[3]) * 1e6 / n, x[2] * 1e6 / n }')"
	echo "  all findable $(bench_wait_indexed "${URL[day]}") s after the last call (not counted)"
	record day-members "$DAY_JOINED" "$DAY_ROSTER"
	echo "  day total (sync + ad-hoc groups + rosters + messages): $DAY_TOTAL s  $(awk -v t="$DAY_TOTAL" 'BEGIN { print (t < 10 ? "ok (< 10 s)" : "ABOVE 10 s") }')"
	record day "$DAY_SYNC" "$DAY_ADHOC" "$DAY_ROSTER" "$DAY_INGEST" "$DAY_TOTAL"
	r=$(bench_rss "${PID[day]}")
	echo "  server $(rss_line "${PID[day]}"); database $(du -h "$db" | cut -f1) (+ WAL $(du -h "$db-wal" 2>/dev/null | cut -f1))"
	record rss day "${r% *}" "${r#* }"
	bench_stop_pid "${PID[day]}" bianmin
	echo
}

# search_rows: a fresh SQLite demo database $BT/search.db with SEARCH_N
# messages written directly (bench/messages_rows.sql), its search index made
# by `bianmin search rebuild`, then a server on it. Sets URL[sqlite] DB[sqlite]
# PID[sqlite] (a server of an earlier phase is stopped first).
search_rows() {
	local db="$BT/search.db" t0
	[ -z "${PID[sqlite]:-}" ] || bench_stop_pid "${PID[sqlite]}" bianmin
	"$bin" --db "$db" init --demo >"$BT/init-search.log" 2>&1 || { cat "$BT/init-search.log" >&2; bench_die "init --demo failed"; }
	jq -s . "$texts" >"$BT/texts.json"
	t0=$(now)
	sqlite3 -batch -bail -cmd ".parameter set @n $SEARCH_N" -cmd ".parameter set @texts '$BT/texts.json'" "$db" \
		<"$here/messages_rows.sql" >"$BT/rows.log" 2>&1 || { cat "$BT/rows.log" >&2; bench_die "loading the messages failed"; }
	echo "  $SEARCH_N messages written directly in $(since "$t0") s (bench/messages_rows.sql)"
	# the index: wall seconds, and CPU seconds (user + system) of the command
	/usr/bin/time -f '%e %U %S' -o "$BT/rebuild.time" "$bin" --db "$db" search rebuild >"$BT/rebuild.log" 2>&1 ||
		{ tail -n 5 "$BT/rebuild.log" >&2; bench_die "bianmin search rebuild failed"; }
	read -r rw ru rs <"$BT/rebuild.time"
	awk -v w="$rw" -v u="$ru" -v s="$rs" -v n="$SEARCH_N" 'BEGIN { printf "  search rebuild: %.1f s, CPU %.1f s (%.1f us a message, %.0f messages/s of CPU)\n", w, u + s, (u + s) * 1e6 / n, n / (u + s) }'
	echo "  index $(du -h "$db.search" | cut -f1) ($(sqlite3 -readonly "$db.search" 'SELECT count(DISTINCT segid) FROM messages_fts_idx' 2>/dev/null || echo '?') segments)"
	start_bianmin_on search "$db" "$bin"
	URL[sqlite]=$BIANMIN_URL DB[sqlite]=$db PID[sqlite]=$BIANMIN_PID
}

phase_search() {
	local b=sqlite have need chunk u tok_sup tok_res r t0 i who
	echo "-- search: GET /api/v1/messages/search?q=W&limit=20 on SQLite with $SEARCH_N messages ($SEARCH_LOAD)"
	if [ -n "$SEARCH_DB" ]; then
		if [ ! -f "$SEARCH_DB" ] || [ ! -f "$SEARCH_DB.search" ]; then
			bench_die "BENCH_SEARCH_DB: no $SEARCH_DB or $SEARCH_DB.search"
		fi
		[ -z "${PID[sqlite]:-}" ] || bench_stop_pid "${PID[sqlite]}" bianmin
		echo "  the existing database $SEARCH_DB"
		start_bianmin_on search "$SEARCH_DB" "$bin"
		URL[sqlite]=$BIANMIN_URL DB[sqlite]=$SEARCH_DB PID[sqlite]=$BIANMIN_PID
		u=${URL[$b]}
	elif [ "$SEARCH_LOAD" = rows ]; then
		search_rows
		u=${URL[$b]}
	else
		[ -n "${URL[sqlite]:-}" ] || { start_backend sqlite; }
		u=${URL[$b]}
		have=$(sqlite3 -readonly "${DB[$b]}" 'SELECT count(*) FROM messages' 2>/dev/null || echo 0)
		need=$((SEARCH_N - have))
		i=0
		t0=$(now)
		local tot_stored=0 tot_secs=0
		while [ "$need" -gt 0 ]; do
			chunk=$((need > 200000 ? 200000 : need))
			ingest_into "$b" "$chunk" "srch$i"
			tot_stored=$((tot_stored + ING_STORED))
			tot_secs=$(awk -v a="$tot_secs" -v b="$ING_SECS" 'BEGIN { print a + b }')
			need=$((need - chunk)) i=$((i + 1))
		done
		echo "  index caught up $(bench_wait_indexed "$u") s after the last ingest call"
		echo "  loaded $tot_stored messages in $tot_secs s of ingest ($(rate "$tot_stored" "$tot_secs")/s; $(since "$t0") s with writing the bodies)"
	fi
	have=$(sqlite3 -readonly "${DB[$b]}" 'SELECT count(*) FROM messages' 2>/dev/null || echo '?')
	echo "  messages now: $have; database $(du -h "${DB[$b]}" | cut -f1), free disk $(df -h "$BT" | awk 'NR == 2 { print $4 }')"
	r=$(bench_rss "${PID[$b]}")
	echo "  server after loading: $(rss_line "${PID[$b]}")"
	tok_sup=$(login "$u" 19900000006 demo-2026)
	tok_res=$(login "$u" 19900000001 demo-2026)
	echo "$tok_sup" >"$BT/tok-supervisor"
	echo "$tok_res" >"$BT/tok-resident"
	printf '%-4s %-11s %9s %8s %8s %8s %8s %9s %6s %7s\n' run caller req/s p50_ms p95_ms p99_ms max_ms requests errors cpu_ms
	for who in supervisor resident; do
		msg_wrk "$BT/search-warm-$who.txt" "$SEARCH_CONNECTIONS" "$u" search "$BT/tok-$who" "$BT/words.url"
	done
	perf_start searches "${PID[$b]}"
	for r in $(seq 1 "$BENCH_REPEAT"); do
		for who in supervisor resident; do
			t0=$(bench_ticks "${PID[$b]}")
			msg_wrk "$BT/search-$who-$r.txt" "$SEARCH_CONNECTIONS" "$u" search "$BT/tok-$who" "$BT/words.url"
			t0=$(($(bench_ticks "${PID[$b]}") - t0))
			read -r rps _ _ n err < <(wrk_field "$BT/search-$who-$r.txt")
			read -r _ a95 a50 a99 amax < <(awk '/^latency_us/ { print "x", $3, $2, $4, $5 }' "$BT/search-$who-$r.txt")
			# cpu_ms: the server's CPU (all threads) per request
			awk -v r="$r" -v w="$who" -v rps="$rps" -v a="$a50" -v b="$a95" -v c="$a99" -v m="$amax" -v n="$n" -v e="$err" \
				-v t="$t0" -v hz="$(getconf CLK_TCK)" 'BEGIN {
				printf "%-4s %-11s %9.0f %8.2f %8.2f %8.2f %8.1f %9d %6d %7.3f\n", r, w, rps, a / 1000, b / 1000, c / 1000, m / 1000, n, e,
					(n > 0 ? t * 1000 / hz / n : 0) }' |
				tee -a "$BT/search-table"
		done
	done
	perf_stop
	for who in supervisor resident; do
		record search "$who" "$(awk -v w="$who" '$2 == w { print $4 }' "$BT/search-table" | bench_median)" \
			"$(awk -v w="$who" '$2 == w { print $5 }' "$BT/search-table" | bench_median)" \
			"$(awk -v w="$who" '$2 == w { print $6 }' "$BT/search-table" | bench_median)"
		echo "  $who: median p50 $(awk -v w="$who" '$2 == w { print $4 }' "$BT/search-table" | bench_median) ms, p95 $(awk -v w="$who" '$2 == w { print $5 }' "$BT/search-table" | bench_median) ms, p99 $(awk -v w="$who" '$2 == w { print $6 }' "$BT/search-table" | bench_median) ms"
	done
	# the slowest words, one at a time (curl total time, resident then supervisor)
	echo "  slowest words (one request each, ms: supervisor / resident):"
	while read -r w; do
		a=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $tok_sup" "$u/api/v1/messages/search?limit=20&q=$w")
		c=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $tok_res" "$u/api/v1/messages/search?limit=20&q=$w")
		echo "$(python3 -c 'import sys, urllib.parse; print(urllib.parse.unquote(sys.argv[1]))' "$w") $a $c"
	done <"$BT/words.url" | awk '{ printf "%s %.1f %.1f\n", $1, $2 * 1000, $3 * 1000 }' | sort -k3 -g -r | head -n 8 | sed 's/^/    /'
	r=$(bench_rss "${PID[$b]}")
	echo "  server after the searches: $(rss_line "${PID[$b]}")"
	echo
}

if has post $PHASES || has ingest $PHASES; then
	echo "servers:"
	for b in "${backends[@]}"; do start_backend "$b"; done
	[ -n "$PG_DESC" ] && echo "  postgresql: $PG_DESC"
	echo
fi
has post $PHASES && phase_post
has ingest $PHASES && phase_ingest
has day $PHASES && phase_day
has search $PHASES && phase_search
for b in "${backends[@]}"; do
	[ -n "${PID[$b]:-}" ] || continue
	r=$(bench_rss "${PID[$b]}")
	echo "memory: bianmin on $b at the end: $(rss_line "${PID[$b]}")"
done
[ -n "$PG_PID" ] && read -r pss _ pn <<<"$(bench_pss_tree "$PG_PID")" && echo "memory: postgres ($pn processes) Pss $(mib "$pss") MiB"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) after the runs; CI busy: $(pgrep -f 'scripts/test.sh|\.ci/run' >/dev/null && echo yes || echo no)"
