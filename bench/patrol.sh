#!/usr/bin/env bash
# bench/patrol.sh BIN - the smart patrol (智能巡群) over a 项城-sized day, and
# the statistics of demands over many demands (issue #7's targets: a patrol
# over 130,000 messages in 2,869 groups < 200 ms; statistics over 10 M
# demands < 2 s).
#
# Phases (BENCH_PATROL_PHASES, default "sweep stats"):
#   sweep   per backend of BENCH_BACKENDS: a 项城-sized day built as
#           bench/messages.sh's "day" phase does (bench_day_build in
#           bench/lib.sh: the divisions of 项城, groups sync, ad-hoc groups up
#           to BENCH_DAY_GROUPS, BENCH_DAY_MEMBERS households in rosters,
#           BENCH_DAY_MESSAGES messages ingested through the API, each stored
#           at the time of its call), on a server started with --jobs false
#           (its own patrol job must not read the day first), then stopped.
#           Then BENCH_REPEAT runs of: the first sweep in a server (a daemon
#           started on the day with its clock at T1, then POST
#           /api/v1/patrol/run timed: the sweep as the job runs it), and,
#           each timed as a whole command (wall
#           clock, user and system CPU): `BIN --db DB patrol --at T1` (T1: a
#           second after the last message; the first sweep reads the whole
#           day), `BIN --db DB patrol --at T1+60s` (a minute later, nothing
#           new), and, unless BENCH_PATROL_DUE=0, the morning sweep that finds
#           every watched question unanswered: the clock moved
#           (BIANMIN_CLOCK_OFFSET) to a minute after the latest due time of
#           the watch list (the acknowledgement window counts in duty hours
#           only, 08:00-20:00 China time), `patrol --at` that instant. Before
#           each run the patrol's state is reset (untimed) to what posting the
#           day left: no watermarks (patrol_marks), no alerts nor the events
#           they appended (alert.raised), and the watch list (patrol_watch)
#           and inbox (patrol_inbox) as they were after the build (messages
#           are judged as they are posted, docs/patrol.md).
#   stats   per backend and per size N of BENCH_STATS_SIZES: a fresh demo
#           database (the demo county 990101: 20 towns, 500 villages) filled
#           directly with N demands (bench_fill_demands: bench/demands_gen.py,
#           BENCH_STATS_CLOSED of them closed over the 365 days before the fill,
#           the rest open and recent; their clocks and timelines), the
#           statistics rollup made from them by `stats rebuild` (the INSERT
#           ... SELECT of migration 0019; timed) and checked by `stats verify`
#           (timed), then BENCH_REPEAT runs of the queries of
#           BENCH_STATS_QUERIES, each timed as a whole command: year = `BIN
#           --db DB stats --region 990101 --from D0 --to D1` over the whole
#           year (every demand counted), village = the same `--by village` (a
#           row per village), month = the county's current month, town = the
#           current month of town 990101103, vday = yesterday of village
#           990101103200. A size above the first is filled only when the
#           first fill's rate says it takes less than BENCH_STATS_FILL_MAX
#           seconds; otherwise the projection is printed. Then, per size of
#           BENCH_STATS_ROLLUP_SIZES, a fresh demo database whose rollup alone
#           is written as that many demands would make it
#           (bench/rollup_gen.py: the 500 villages x 366 days, the closed
#           demands' mix of demands_gen.py) and the same queries: a read
#           touches only the rollup, and 10 M demands take half an hour to
#           fill.
# The bianmin binary is copied into the temporary folder first (others may
# rebuild build/ meanwhile); its checksum is printed.
#
# Before and after a change: BENCH_PATROL_BASELINE=OLD_BIN times OLD_BIN too,
# alternating with BIN on the same day: in each run, its server sweep and
# first sweep, then BIN's (each after the reset), so that the ratio comes
# from one run on one database under the same load (rows b-server and
# b-first; OLD_BIN must read the day's schema: build it from the same tree
# without the change). In the stats phase each query runs with OLD_BIN just
# before BIN (rows b-year, b-village...), and their outputs must be equal. BENCH_PATROL_DAY=FILE takes the SQLite day from FILE (the
# patrol.db, with its .search file, of a run kept by BENCH_KEEP), copied and
# migrated, instead of building it again (two minutes or more).
#
# Environment (defaults in brackets): BENCH_BACKENDS ["sqlite postgresql"],
# BENCH_REPEAT [5], BENCH_DAY_GROUPS [2869], BENCH_DAY_MEMBERS [690000],
# BENCH_DAY_MESSAGES [130000], BENCH_INGEST_CLIENTS [4], BENCH_ROSTER_CLIENTS
# [4], BENCH_PATROL_DUE [1], BENCH_STATS_SIZES ["1000000"],
# BENCH_STATS_CLOSED [0.9], BENCH_STATS_FILL_MAX [900], BENCH_STATS_QUERIES
# ["year village month town vday"], BENCH_STATS_ROLLUP_SIZES ["10000000"], BENCH_FILL_TIMEOUT [3600],
# BENCH_PATROL_BASELINE, BENCH_PATROL_DAY (above), BENCH_KEEP (keeps the
# folder and its SQLite databases), BENCH_PG_URI, BENCH_PG_BIN. Needs
# python3, jq, sqlite3, curl (and PostgreSQL for its column: see
# bench/lib.sh). About 2 GB of disk per million demands and backend.
# Quick check: BENCH_REPEAT=2 BENCH_DAY_GROUPS=600 BENCH_DAY_MEMBERS=6000
#   BENCH_DAY_MESSAGES=5000 BENCH_STATS_SIZES="20000 40000" bench/patrol.sh build/bianmin
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

src_bin=${1:-build/bianmin}
[ -x "$src_bin" ] || bench_die "no bianmin binary at $src_bin (run make)"
src_bin=$(cd "$(dirname "$src_bin")" && pwd)/$(basename "$src_bin")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPEAT=${BENCH_REPEAT:-5}
DAY_GROUPS=${BENCH_DAY_GROUPS:-2869}
DAY_MEMBERS=${BENCH_DAY_MEMBERS:-690000}
DAY_MESSAGES=${BENCH_DAY_MESSAGES:-130000}
INGEST_CLIENTS=${BENCH_INGEST_CLIENTS:-4}
PATROL_DUE=${BENCH_PATROL_DUE:-1}
BASELINE=${BENCH_PATROL_BASELINE:-}
DAY_DB=${BENCH_PATROL_DAY:-}
STATS_SIZES=${BENCH_STATS_SIZES:-1000000}
STATS_CLOSED=${BENCH_STATS_CLOSED:-0.9}
STATS_FILL_MAX=${BENCH_STATS_FILL_MAX:-900}
STATS_QUERIES=${BENCH_STATS_QUERIES:-year village month town vday}
STATS_ROLLUP_SIZES=${BENCH_STATS_ROLLUP_SIZES:-10000000}
PHASES=${BENCH_PATROL_PHASES:-sweep stats}
COMPLAINTS=${BENCH_COMPLAINTS:-$BENCH_TOP/../shared/data/complaints}
DIVISIONS=${BENCH_DIVISIONS:-$BENCH_TOP/../shared/data/divisions}
has() { local x=$1; shift; [[ " $* " == *" $x "* ]]; }
load() { echo "$(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min); CI or other benchmarks running: $(pgrep -f 'bench/(http|messages|demands|run|search_recall|profile)\.sh|scripts/test\.sh|\.ci/run' | grep -cvx "$$") processes"; }

command -v python3 >/dev/null || bench_die "python3 is needed to write the inputs"
command -v jq >/dev/null || bench_die "jq is needed"
command -v sqlite3 >/dev/null || bench_die "sqlite3 is needed"
command -v curl >/dev/null || bench_die "curl is needed"
ls "$COMPLAINTS"/*.csv >/dev/null 2>&1 || { echo "SKIP: no real messages in $COMPLAINTS"; exit 0; }
bench_backends
has postgresql "${backends[@]}" && bench_pg_need

bench_init

bin="$BT/bianmin"
cp "$src_bin" "$bin"
if [ -n "$BASELINE" ]; then
	[ -x "$BASELINE" ] || bench_die "BENCH_PATROL_BASELINE: no binary at $BASELINE"
	base_bin="$BT/bianmin-baseline"
	cp "$BASELINE" "$base_bin"
fi
[ -z "$DAY_DB" ] || [ -f "$DAY_DB" ] || bench_die "BENCH_PATROL_DAY: no database at $DAY_DB"

echo "== bianmin patrol and statistics benchmark  $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: nproc=$(nproc) cpu=\"$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)\" mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) kernel=$(uname -r)"
echo "bianmin: $("$bin" version 2>/dev/null | head -n 1), commit $(git -C "$BENCH_TOP" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$BENCH_TOP" diff --quiet HEAD -- src 2>/dev/null || echo ' (src modified)'); binary $src_bin of $(date -u -r "$src_bin" '+%H:%M:%S UTC'), sha256 $(sha256sum "$bin" | cut -c1-12)"
[ -z "$BASELINE" ] || echo "baseline: $("$base_bin" version 2>/dev/null | head -n 1); binary $BASELINE, sha256 $(sha256sum "$base_bin" | cut -c1-12)"
echo "disk:    $(df -h "$BT" | awk 'NR == 2 { print $1 ", " $4 " free" }'), temporary folder $BT"
echo "load:    $(load)"
echo

: >"$BT/results"
record() { echo "$*" >>"$BT/results"; }

# fresh_db B NAME: an empty database (a SQLite path, or a new database on
# the PostgreSQL server); sets DB to its path or URI
fresh_db() {
	local b=$1 name=$2
	if [ "$b" = sqlite ]; then
		DB="$BT/$name.db"
		rm -f "$DB" "$DB"-*
	else
		name="bianmin_${name}_$$"
		bench_psql -d "$PG_URI" -c "CREATE DATABASE $name ENCODING 'UTF8' TEMPLATE template0" >/dev/null ||
			bench_die "cannot create database $name"
		BENCH_PG_DBS+=("$name")
		DB=$(sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\1/$name#" <<<"$PG_URI")
	fi
}

drop_db() { # B DB; with BENCH_KEEP a SQLite database stays (in the kept folder)
	if [ "$1" = sqlite ]; then
		[ -n "${BENCH_KEEP:-}" ] && return 0
		rm -f "$2" "$2"-*
	else
		local name=${BENCH_PG_DBS[-1]}
		bench_psql -d "$PG_URI" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null || true
		unset 'BENCH_PG_DBS[-1]'
	fi
}

db_size() { # B DB
	if [ "$1" = sqlite ]; then du -h "$2" | cut -f1
	else bench_sq "$1" "$2" "SELECT pg_size_pretty(pg_database_size(current_database()))"; fi
}

# timed OUT [ENV=VALUE...] -- ARGS...: `env ENV... BIN --db DB ARGS` timed as
# a whole (bash's time: wall, user, system seconds); sets T_WALL T_USER T_SYS.
# BIN is $TBIN when set, else the binary under test.
timed() {
	local out=$1 envs=() rc=0
	shift
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	{ TIMEFORMAT='%R %U %S'; time env "${envs[@]}" timeout -k 5 900 "${TBIN:-$bin}" "$@" >"$out" 2>"$out.err"; } 2>"$out.time" || rc=$?
	if [ "$rc" -ne 0 ]; then
		cat "$out" "$out.err" >&2
		bench_die "bianmin $* failed (exit $rc)"
	fi
	read -r T_WALL T_USER T_SYS < <(tail -n 1 "$out.time")
}

# medians B KIND...: "KIND wall user sys" medians of the rows of the table
medians() {
	local t=$1 k
	shift
	for k in "$@"; do
		awk -v k="$k" '$2 == k' "$t" >"$t.$k"
		echo "$k $(awk '{ print $3 }' "$t.$k" | bench_median) $(awk '{ print $4 }' "$t.$k" | bench_median) $(awk '{ print $5 }' "$t.$k" | bench_median)"
	done
}

rfc3339() { date -u -d "@$1" '+%Y-%m-%dT%H:%M:%SZ'; }

# ---- the patrol over a day ----

# patrol_reset B DB: the patrol's state as before its first sweep: as
# posting the day left it (the watch list and the inbox kept after the
# build), no watermarks, no alerts
patrol_reset() {
	local after=""
	[ "$1" = sqlite ] && after="PRAGMA wal_checkpoint(TRUNCATE);"
	bench_sq_file "$1" "$2" <<-EOF >/dev/null
		BEGIN;
		DELETE FROM patrol_marks;
		DELETE FROM patrol_watch;
		INSERT INTO patrol_watch SELECT * FROM bench_patrol_watch;
		DELETE FROM patrol_inbox;
		INSERT INTO patrol_inbox SELECT * FROM bench_patrol_inbox;
		DELETE FROM alerts;
		DELETE FROM events WHERE id > $EVENTS_MARK;
		COMMIT;
		$after
	EOF
}

# server_sweep B DB T1 OUT [BIN]: the first sweep as the scheduled job runs
# it, in a server (of BIN, default the binary under test): a daemon started
# on the reset database with its clock at T1 (its rules made at start), then
# POST /api/v1/patrol/run timed from the request to the last byte of the
# answer (into OUT); wall seconds in S_WALL.
server_sweep() {
	local b=$1 db=$2 t1=$3 out=$4 sbin=${5:-$bin} s0 s1
	patrol_reset "$b" "$db"
	BIANMIN_CLOCK_OFFSET=$((t1 - $(date +%s))) start_bianmin_on "patrol-$b-server" "$db" "$sbin" --jobs false
	s0=$(date +%s%N)
	curl -sf --max-time 900 -X POST -H "Authorization: Bearer $DAY_KEY" \
		"$BIANMIN_URL/api/v1/patrol/run" >"$out" || bench_die "POST /api/v1/patrol/run failed"
	s1=$(date +%s%N)
	bench_stop_pid "$BIANMIN_PID" bianmin
	S_WALL=$(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
}

# sweep_line OUT: the last line of `patrol`: "N findings, M new alerts, K messages read"
sweep_line() { tail -n 1 "$1"; }

phase_sweep() {
	local b db r t1 t2 t3 off due_max kinds
	kinds="first second"
	[ "$PATROL_DUE" = 1 ] && kinds="first second due"
	for b in "${backends[@]}"; do
		echo "-- sweep on $b: a 项城-sized day ($DAY_GROUPS groups, $DAY_MEMBERS members, $DAY_MESSAGES messages), then \`patrol\` $REPEAT times"
		[ "$b" = postgresql ] && { [ -n "$PG_URI" ] || start_pg; echo "  postgresql: $PG_DESC"; }
		fresh_db "$b" patrol
		db=$DB
		if [ -n "$DAY_DB" ] && [ "$b" = sqlite ]; then
			cp "$DAY_DB" "$db"
			[ ! -f "$DAY_DB.search" ] || cp "$DAY_DB.search" "$db.search"
			# the inbox as posting the day left it, migrated as any
			# waiting inbox is (0025 copies its messages into it), kept
			# again in the migrated shape for the resets
			bench_sq "$b" "$db" "DELETE FROM patrol_inbox; INSERT INTO patrol_inbox SELECT * FROM bench_patrol_inbox" >/dev/null
			"$bin" --db "$db" migrate >"$BT/day-migrate.log" 2>&1 ||
				{ cat "$BT/day-migrate.log" >&2; bench_die "bianmin migrate failed on $DAY_DB"; }
			bench_sq "$b" "$db" "DROP TABLE bench_patrol_inbox; CREATE TABLE bench_patrol_inbox AS SELECT * FROM patrol_inbox" >/dev/null
			DAY_KEY=$("$bin" --db "$db" apikey add patrolbench --role system_admin --region 411681 |
				grep -o 'bmk_[A-Za-z0-9_-]*' | head -n 1)
			[ -n "$DAY_KEY" ] || bench_die "apikey add failed on $DAY_DB"
			echo "  the day of $DAY_DB (a kept run's), copied and migrated, not built"
		else
			start_bianmin_on "patrol-$b" "$db" "$bin" --jobs false
			bench_day_build "$bin" "$db" "$BIANMIN_URL" "$BIANMIN_PID" "$BT/texts-msg.jsonl"
			echo "  day built in $DAY_TOTAL s (sync $DAY_SYNC, ad-hoc groups $DAY_ADHOC, rosters $DAY_ROSTER, messages $DAY_INGEST; not what is measured here)"
			record day "$b" "$DAY_TOTAL" "$DAY_ROSTER" "$DAY_INGEST"
			# a running server keeps its search index caught up: the commands
			# timed below must not find the day's indexing left to them
			echo "  search index caught up $(bench_wait_indexed "$BIANMIN_URL") s after the day (not counted)"
			bench_stop_pid "$BIANMIN_PID" bianmin
			[ "$b" = sqlite ] && bench_sq "$b" "$db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
			[ "$b" = postgresql ] && bench_sq "$b" "$db" "VACUUM ANALYZE" >/dev/null
			# what posting the day left for the patrol (messages are judged as
			# posted: questions watched, flagged messages in the inbox), kept for
			# the resets
			bench_sq_file "$b" "$db" <<-EOF >/dev/null
				CREATE TABLE bench_patrol_watch AS SELECT * FROM patrol_watch;
				CREATE TABLE bench_patrol_inbox AS SELECT * FROM patrol_inbox;
			EOF
		fi
		echo "  posting the day left $(bench_sq "$b" "$db" "SELECT count(*) FROM patrol_watch") questions watched and $(bench_sq "$b" "$db" "SELECT count(*) FROM patrol_inbox") messages in the patrol's inbox"
		# the events before any sweep's (a kept day holds its last run's)
		EVENTS_MARK=$(bench_sq "$b" "$db" "SELECT coalesce(max(id), 0) FROM events WHERE kind NOT LIKE 'alert.%'")
		echo "  database: $(bench_sq "$b" "$db" "SELECT count(*) FROM messages") messages in $(bench_sq "$b" "$db" "SELECT count(DISTINCT group_id) FROM messages") groups ($(bench_sq "$b" "$db" "SELECT count(*) FROM groups") groups, $(bench_sq "$b" "$db" "SELECT count(*) FROM group_members") memberships); $(db_size "$b" "$db")"
		t1=$(($(bench_sq "$b" "$db" "SELECT max(at) FROM messages") + 1))
		t2=$((t1 + 60))
		echo "  first sweep at $(rfc3339 "$t1") (a second after the last message), second at $(rfc3339 "$t2")"
		echo "  load before the runs: $(load)"
		printf '  %-4s %-7s %8s %8s %8s  %s\n' run sweep wall_s user_s sys_s printed
		: >"$BT/sweep-$b"
		: >"$BT/server-$b"
		: >"$BT/server-base-$b"
		for r in $(seq 1 "$REPEAT"); do
			if [ -n "$BASELINE" ]; then
				server_sweep "$b" "$db" "$t1" "$BT/sw-$b-$r-base-server" "$base_bin"
				echo "$S_WALL" >>"$BT/server-base-$b"
				printf '  %-4s %-7s %8s %8s %8s  %s\n' "$r" b-server "$S_WALL" - - \
					"$(jq -r '"\(.findings | length) findings, \(.raised) new alerts, \(.messages) messages read"' "$BT/sw-$b-$r-base-server")"
				patrol_reset "$b" "$db"
				TBIN=$base_bin timed "$BT/sw-$b-$r-base-first" -- --db "$db" patrol --at "$(rfc3339 "$t1")"
				echo "$r base-first $T_WALL $T_USER $T_SYS" >>"$BT/sweep-$b"
				printf '  %-4s %-7s %8s %8s %8s  %s\n' "$r" b-first "$T_WALL" "$T_USER" "$T_SYS" "$(sweep_line "$BT/sw-$b-$r-base-first")"
			fi
			server_sweep "$b" "$db" "$t1" "$BT/sw-$b-$r-server"
			echo "$S_WALL" >>"$BT/server-$b"
			printf '  %-4s %-7s %8s %8s %8s  %s\n' "$r" server "$S_WALL" - - \
				"$(jq -r '"\(.findings | length) findings, \(.raised) new alerts, \(.messages) messages read"' "$BT/sw-$b-$r-server")"
			patrol_reset "$b" "$db"
			timed "$BT/sw-$b-$r-first" -- --db "$db" patrol --at "$(rfc3339 "$t1")"
			echo "$r first $T_WALL $T_USER $T_SYS" >>"$BT/sweep-$b"
			printf '  %-4s %-7s %8s %8s %8s  %s\n' "$r" first "$T_WALL" "$T_USER" "$T_SYS" "$(sweep_line "$BT/sw-$b-$r-first")"
			while [ "$(date +%s)" -lt "$t2" ]; do sleep 1; done
			timed "$BT/sw-$b-$r-second" -- --db "$db" patrol --at "$(rfc3339 "$t2")"
			echo "$r second $T_WALL $T_USER $T_SYS" >>"$BT/sweep-$b"
			printf '  %-4s %-7s %8s %8s %8s  %s\n' "$r" second "$T_WALL" "$T_USER" "$T_SYS" "$(sweep_line "$BT/sw-$b-$r-second")"
			if [ "$PATROL_DUE" = 1 ]; then
				due_max=$(bench_sq "$b" "$db" "SELECT coalesce(max(due), 0) FROM patrol_watch")
				[ "$r" = 1 ] && echo "       watch list after the second sweep: $(bench_sq "$b" "$db" "SELECT count(*) FROM patrol_watch") questions, due $(rfc3339 "$(bench_sq "$b" "$db" "SELECT coalesce(min(due), 0) FROM patrol_watch")") to $(rfc3339 "$due_max")"
				t3=$(( (due_max > t2 ? due_max : t2) + 60))
				off=$((t3 - $(date +%s) + 5))
				[ "$off" -gt 0 ] || off=0
				timed "$BT/sw-$b-$r-due" BIANMIN_CLOCK_OFFSET="$off" -- --db "$db" patrol --at "$(rfc3339 "$t3")"
				echo "$r due $T_WALL $T_USER $T_SYS" >>"$BT/sweep-$b"
				printf '  %-4s %-7s %8s %8s %8s  %s\n' "$r" due "$T_WALL" "$T_USER" "$T_SYS" "$(sweep_line "$BT/sw-$b-$r-due")"
			fi
		done
		echo "  alerts after the last run, by kind: $(bench_sq "$b" "$db" "SELECT kind || ' ' || count(*) FROM alerts GROUP BY kind ORDER BY kind" | paste -sd, -)"
		# shellcheck disable=SC2086 # a list of words
		medians "$BT/sweep-$b" $kinds | while read -r k w u s; do
			echo "  median of $REPEAT, $k sweep: wall $w s, user $u s, sys $s s"
			echo "sweep $b $k $w $u $s" >>"$BT/results"
		done
		echo "  median of $REPEAT, first sweep in a server: wall $(bench_median <"$BT/server-$b") s"
		echo "sweep $b server $(bench_median <"$BT/server-$b") - -" >>"$BT/results"
		if [ -n "$BASELINE" ]; then
			medians "$BT/sweep-$b" base-first | while read -r k w u s; do
				echo "  median of $REPEAT, the baseline's first sweep: wall $w s, user $u s, sys $s s"
				echo "sweep $b $k $w $u $s" >>"$BT/results"
			done
			echo "  median of $REPEAT, the baseline's first sweep in a server: wall $(bench_median <"$BT/server-base-$b") s"
			echo "sweep $b base-server $(bench_median <"$BT/server-base-$b") - -" >>"$BT/results"
		fi
		echo "  load after the runs: $(load)"
		drop_db "$b" "$db"
		echo
	done
}

# ---- the statistics ----

# stats_queries B N DB: BENCH_REPEAT runs of the queries of STATS_QUERIES on
# DB, their table and medians (results "stats B N QUERY wall user sys").
stats_queries() {
	local b=$1 n=$2 db=$3 r q
	echo "  queries: year = --region 990101 --from $d0 --to $d1; village = the same --by village;"
	echo "           month = --region 990101 --from $m0; town = --region 990101103 --from $m0;"
	echo "           vday = --region 990101103200 --from $dy"
	echo "  load before the runs: $(load)"
	printf '  %-4s %-8s %8s %8s %8s  %s\n' run query wall_s user_s sys_s first_row
	: >"$BT/stats-$b-$n"
	local kinds="" k
	for q in $STATS_QUERIES; do kinds="$kinds ${base_bin:+b-$q} $q"; done
	for r in $(seq 1 "$REPEAT"); do
		for q in $STATS_QUERIES; do
			# with BENCH_PATROL_BASELINE the old binary first (row b-QUERY),
			# its output compared with the new one's
			for k in ${base_bin:+b-$q} $q; do
				case $q in
				year) set -- --region 990101 --from "$d0" --to "$d1" ;;
				village) set -- --region 990101 --from "$d0" --to "$d1" --by village ;;
				month) set -- --region 990101 --from "$m0" ;;
				town) set -- --region 990101103 --from "$m0" ;;
				vday) set -- --region 990101103200 --from "$dy" ;;
				*) bench_die "BENCH_STATS_QUERIES: unknown query '$q'" ;;
				esac
				TBIN=$([ "$k" = "$q" ] && echo "$bin" || echo "${base_bin:-}") \
					timed "$BT/st-$b-$n-$k" -- --db "$db" stats "$@"
				echo "$r $k $T_WALL $T_USER $T_SYS" >>"$BT/stats-$b-$n"
				printf '  %-4s %-10s %8s %8s %8s  %s\n' "$r" "$k" "$T_WALL" "$T_USER" "$T_SYS" "$(sed -n 2p "$BT/st-$b-$n-$k" | cut -c1-90) ($(($(wc -l <"$BT/st-$b-$n-$k") - 1)) rows)"
			done
			[ -z "${base_bin:-}" ] || cmp -s "$BT/st-$b-$n-b-$q" "$BT/st-$b-$n-$q" ||
				bench_die "$q on $b: the baseline and the new binary answer differently"
		done
	done
	# shellcheck disable=SC2086 # a list of words
	medians "$BT/stats-$b-$n" $kinds | while read -r q w u s; do
		echo "  median of $REPEAT, $q: wall $w s, user $u s, sys $s s"
		echo "stats $b $n $q $w $u $s" >>"$BT/results"
	done
	echo "  load after the runs: $(load)"
}

phase_stats() {
	local b n db proj first_n="" first_secs=""
	d0=$(TZ=Asia/Shanghai date -d '366 days ago' +%F)
	d1=$(TZ=Asia/Shanghai date -d tomorrow +%F)
	m0=$(TZ=Asia/Shanghai date +%Y-%m)
	dy=$(TZ=Asia/Shanghai date -d yesterday +%F)
	for b in "${backends[@]}"; do
		[ "$b" = postgresql ] && { [ -n "$PG_URI" ] || start_pg; echo "  postgresql: $PG_DESC"; }
		first_n='' first_secs=''
		for n in $STATS_SIZES; do
			echo "-- stats on $b over $n demands ($STATS_CLOSED closed over the last 365 days, the rest open)"
			if [ -n "$first_n" ]; then
				proj=$(awk -v s="$first_secs" -v a="$first_n" -v n="$n" 'BEGIN { printf "%.0f", s * n / a }')
				if [ "$proj" -gt "$STATS_FILL_MAX" ]; then
					echo "  not filled: $first_n took $first_secs s, so $n would take about $proj s (more than BENCH_STATS_FILL_MAX=$STATS_FILL_MAX)"
					record stats-skip "$b" "$n" "$proj"
					echo
					continue
				fi
			fi
			fresh_db "$b" "stats$n"
			db=$DB
			"$bin" --db "$db" init --demo >"$BT/stats-init-$b-$n.log" 2>&1 ||
				{ cat "$BT/stats-init-$b-$n.log" >&2; bench_die "init --demo failed on $b"; }
			DEMANDS_CLOSED=$STATS_CLOSED bench_fill_demands "$b" "$db" "$n" "$BT/texts-dem.jsonl" 21600
			echo "  fill: $(sed 's/^demands_gen: //' "$BT/gen-$b-$n.log")"
			echo "  filled in $FILL_SECS s ($(awk -v n="$n" -v s="$FILL_SECS" 'BEGIN { printf "%.0f", n / s }') demands/s); database $(db_size "$b" "$db")"
			record fill "$b" "$n" "$FILL_SECS"
			[ -n "$first_n" ] || { first_n=$n first_secs=$FILL_SECS; }
			echo "  demands counted over the year: $(bench_sq "$b" "$db" "SELECT count(*) FROM cases WHERE type = 'demand' AND state <> 'merged'"), timeline lines: $(bench_sq "$b" "$db" "SELECT count(*) FROM case_events")"
			# the fill wrote the tables directly: the rollup is made as
			# migration 0019 makes it on an upgraded database
			timed "$BT/rebuild-$b-$n" -- --db "$db" stats rebuild
			echo "  rollup rebuilt (the migration's INSERT ... SELECT) in $T_WALL s: $(bench_sq "$b" "$db" "SELECT count(*) FROM stats_rollup") rows"
			record rebuild "$b" "$n" "$T_WALL"
			timed "$BT/verify-$b-$n" -- --db "$db" stats verify
			echo "  stats verify in $T_WALL s: $(cat "$BT/verify-$b-$n")"
			stats_queries "$b" "$n" "$db"
			drop_db "$b" "$db"
			echo
		done
		for n in $STATS_ROLLUP_SIZES; do
			echo "-- stats on $b over the rollup of $n demands (bench/rollup_gen.py: no demand rows)"
			fresh_db "$b" "rollup$n"
			db=$DB
			"$bin" --db "$db" init --demo >"$BT/stats-init-$b-r$n.log" 2>&1 ||
				{ cat "$BT/stats-init-$b-r$n.log" >&2; bench_die "init --demo failed on $b"; }
			bench_sq "$b" "$db" "SELECT code FROM regions WHERE length(code) = 12 AND code LIKE '990101%' ORDER BY code" >"$BT/villages"
			local t_start day0
			day0=$(date -d "$(TZ=Asia/Shanghai date -d '365 days ago' +%F) 00:00:00 +0800" +%s)
			t_start=$(bench_now)
			python3 "$here/rollup_gen.py" fill "$([ "$b" = sqlite ] && echo sqlite || echo pg)" "$n" "$day0" 366 "$BT/villages" \
				2>"$BT/rgen-$b-$n.log" | bench_sq_file "$b" "$db" >/dev/null
			[ "$b" = sqlite ] || bench_sq "$b" "$db" "VACUUM ANALYZE stats_rollup" >/dev/null
			echo "  $(sed 's/^rollup_gen: //' "$BT/rgen-$b-$n.log") written in $(bench_since "$t_start") s; database $(db_size "$b" "$db")"
			stats_queries "$b" "r$n" "$db"
			drop_db "$b" "$db"
			echo
		done
	done
}

# shellcheck disable=SC2086 # a list of words
if has sweep $PHASES; then
	python3 "$here/messages_gen.py" texts "$BT/texts-msg.jsonl" "$COMPLAINTS"/*.csv >/dev/null
	phase_sweep
fi
# shellcheck disable=SC2086 # a list of words
if has stats $PHASES; then
	python3 "$here/demands_gen.py" texts "$BT/texts-dem.jsonl" "$COMPLAINTS"/*.csv >/dev/null
	phase_stats
fi

echo "== summary"
awk '$1 == "day" { printf "day     %-10s built in %s s (rosters %s s, messages %s s)\n", $2, $3, $4, $5 }
	$1 == "sweep" { printf "patrol  %-10s %-6s sweep: median %s s wall (user %s, sys %s)%s\n", $2, $3, $4, $5, $6,
		($3 == "first" || $3 == "server" ? ($4 < 0.2 ? "  target < 200 ms: met" : "  target < 200 ms: NOT met") : "")
		wall[$2 " " $3] = $4; cpu[$2 " " $3] = $5 + $6 }
	END { for (k in wall) if (k ~ / base-/) { n = k; sub(/ base-/, " ", n)
		if (wall[n] > 0) printf "ratio   %-17s sweep: baseline / this binary = %.2f wall%s\n", n, wall[k] / wall[n],
			(cpu[n] > 0 ? sprintf(", %.2f CPU", cpu[k] / cpu[n]) : "") } }
	$1 == "fill" { printf "fill    %-10s %9d demands in %s s\n", $2, $3, $4 }
	$1 == "stats-skip" { printf "stats   %-10s %9d demands: not filled (projected fill %s s)\n", $2, $3, $4 }
	$1 == "rebuild" { printf "rollup  %-10s %9d demands: rebuilt in %s s\n", $2, $3, $4 }
	$1 == "stats" { printf "stats   %-10s %9s demands, %-7s median %s s wall (user %s, sys %s)%s\n", $2, $3, $4, $5, $6, $7,
		($4 == "year" ? ($5 < 2 ? "  target < 2 s: met at this size" : "  target < 2 s: NOT met at this size") : "") }' "$BT/results"
echo "load:    $(load) after the runs"
