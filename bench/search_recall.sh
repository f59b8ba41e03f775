#!/usr/bin/env bash
# bench/search_recall.sh [BIN] - Chinese full-text search: which tokenizer
# (recall and precision on the real messages), how fast on a million
# synthetic ones, and whether the same terms work in PostgreSQL. The
# figures are quoted in docs/search.md; bench/search_recall.c says how
# each is measured.
#
# BIN is build/bench/search_recall (built here when missing, with
# bench/search.mk). Prints SKIP and exits 0 when ../shared/data/complaints
# (or $BIANMIN_DATA/complaints) is absent. Settings:
#   BENCH_SEARCH_N=1000000   synthetic messages (0: none)
#   BENCH_SEARCH_COMPACT=0   1: also build them with 'bianmin compact'
#   BENCH_SEARCH_PG=auto     PostgreSQL check in a throwaway cluster
#                            (pg_virtualenv -t); 0: skip it
#   SEARCH_FTS_TUNE=SQL      run on the synthetic table before filling it,
#                            e.g. "INSERT INTO f(f, rank) VALUES('automerge', 16)"
# Temporary files (the synthetic database: ~1 GiB per million) live in a
# private folder under $TMPDIR, removed at exit.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$top/build/bench/search_recall}
data=${BIANMIN_DATA:-$top/../shared/data}
n=${BENCH_SEARCH_N:-1000000}
compact=${BENCH_SEARCH_COMPACT:-0}
pg=${BENCH_SEARCH_PG:-auto}

if [ ! -d "$data/complaints" ]; then
	echo "SKIP search: no real messages in $data/complaints"
	exit 0
fi
if [ ! -x "$bin" ]; then
	mk=(-f Makefile -f bench/search.mk)
	grep -q '^include bench/search.mk' "$top/Makefile" && mk=()
	make -C "$top" --no-print-directory "${mk[@]}" "${bin#"$top"/}" >&2
fi

status=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bianmin-search-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo "commit: $(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)"
echo
echo "## 1. tokenizers on the real messages"
"$bin" -d "$data" -p "$tmp/pg.sql"

if [ "$pg" != 0 ]; then
	echo
	echo "## 2. the same terms in PostgreSQL (tsvector of positions, GIN, tsquery <->)"
	if command -v pg_virtualenv >/dev/null && compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
		if ! (cd "$tmp" && pg_virtualenv -t psql -X -q -v ON_ERROR_STOP=1 -f "$tmp/pg.sql") 2>&1 |
			grep -vE '^(Creating new|Dropping cluster)'; then
			echo "FAILED: the PostgreSQL check"
			status=1
		fi
	else
		echo "SKIP PostgreSQL check: pg_virtualenv and a PostgreSQL server are needed"
	fi
fi

if [ "$n" -gt 0 ]; then
	echo
	echo "## 3. $n synthetic messages, 'bianmin'"
	"$bin" -d "$data" -s -n "$n" -f "$tmp/synthetic.db" | sed -n '/^synthetic messages/,$p'
	if [ "$compact" = 1 ]; then
		echo
		echo "## 3b. $n synthetic messages, 'bianmin compact'"
		"$bin" -d "$data" -s -n "$n" -f "$tmp/synthetic.db" -c | sed -n '/^synthetic messages/,$p'
	fi
fi
echo
echo "load $(cut -d' ' -f1-3 /proc/loadavg) at the end"
exit $status
