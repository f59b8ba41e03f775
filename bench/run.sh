#!/usr/bin/env bash
# bench/run.sh BIN - `make bench`: every benchmark in bench/, in turn.
#
# Today that is bench/http.sh (bianmin on SQLite and on a throwaway
# PostgreSQL cluster, against nginx, with wrk; see its header for the
# BENCH_* settings, e.g. BENCH_DURATION=2 for a quick run, BENCH_PG_URI for
# an existing PostgreSQL server, BENCH_BACKENDS=sqlite without one).
# Then bench/messages.sh and bench/rules.sh (the rules engine against NumPy
# and json-rules-engine; it skips what is not installed).
# Each report is printed and also saved under build/bench/.
set -euo pipefail
bin=${1:-build/bianmin}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${BENCH_OUT:-build/bench}
mkdir -p "$out"
status=0
benches=(http messages rules)
for b in "${benches[@]}"; do
	echo "### bench/$b.sh $bin"
	"$here/$b.sh" "$bin" 2>&1 | tee "$out/$b.txt" || status=1
	echo "(saved in $out/$b.txt)"
	echo
done
exit $status
