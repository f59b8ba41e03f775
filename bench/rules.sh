#!/usr/bin/env bash
# bench/rules.sh [BIN] - the rules engine benchmark (issue 9: 10 M persons ×
# 20 policies in under 2 s on one core), side by side with a NumPy vectorised
# evaluation and json-rules-engine on the same policies and persons.
#
#   BENCH_PERSONS=10000000  persons generated (bench/rules_bench.c, in memory,
#                           also written to $BENCH_OUT/rules/cols/ for the others)
#   BENCH_RUNS=3            best of this many evaluations (C and NumPy)
#   BENCH_JS_PERSONS=20000  the subsample json-rules-engine runs (~100 k evals/s)
#
# Needs: python3 with numpy (Debian: apt-get install python3-numpy; not part
# of `make test`), node and npm (json-rules-engine is installed with `npm ci`
# from bench/rules-js/package-lock.json). Times are CPU time of one process
# (the machine is shared); the granted counts and amount sums of the three
# runs are compared line by line (C and NumPy over all persons, C and
# json-rules-engine over the subsample).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
bin=${1:-build/bianmin}
build=${BUILD:-$(dirname "$bin")}
out=${BENCH_OUT:-$build/bench}/rules
n=${BENCH_PERSONS:-10000000}
runs=${BENCH_RUNS:-3}
k=${BENCH_JS_PERSONS:-20000}
py=${PYTHON:-/usr/bin/python3}
mkdir -p "$out"
cd "$top"
make --no-print-directory -f Makefile -f bench/rules.mk BUILD="$build" "$build/bench/rules_bench" >&2
"$py" bench/rules_gen.py "$out"
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), gcc $(gcc -dumpversion), -O2"
echo "# bianmin (C, bench/rules_bench.c)"
"$build/bench/rules_bench" "$out" "$n" "$runs" | tee "$out/c.txt"
status=0
if "$py" -c 'import numpy' 2>/dev/null; then
	echo "# NumPy (bench/rules_numpy.py)"
	"$py" bench/rules_numpy.py "$out" "$runs" | tee "$out/numpy.txt"
	if diff <(grep '^policy' "$out/c.txt") <(grep '^policy' "$out/numpy.txt") >/dev/null; then
		echo "same decisions and amounts as bianmin: yes"
	else
		echo "same decisions and amounts as bianmin: NO"; status=1
	fi
	c=$(sed -n 's/.* = \([0-9.]*\) M person-policies.*/\1/p' "$out/c.txt")
	p=$(sed -n 's/.* = \([0-9.]*\) M person-policies.*/\1/p' "$out/numpy.txt")
	echo "ratio bianmin / NumPy: $(awk -v a="$c" -v b="$p" 'BEGIN { printf "%.1f", a / b }')"
else
	echo "SKIP NumPy: no numpy for $py (apt-get install python3-numpy)"
fi
if command -v npm >/dev/null && (cd bench/rules-js && npm ci --no-audit --no-fund --silent); then
	echo "# json-rules-engine (bench/rules-js/run.js), first $k persons"
	"$build/bench/rules_bench" "$out" "$k" 1 >"$out/c-sub.txt"
	node bench/rules-js/run.js "$out" "$k" | tee "$out/js.txt"
	if diff <(grep '^policy' "$out/c-sub.txt") <(grep '^policy' "$out/js.txt") >/dev/null; then
		echo "same decisions and amounts as bianmin on the subsample: yes"
	else
		echo "same decisions and amounts as bianmin on the subsample: NO"; status=1
	fi
	c=$(sed -n 's/.* = \([0-9.]*\) M person-policies.*/\1/p' "$out/c.txt")
	j=$(sed -n 's/.* = \([0-9.]*\) k person-policies.*/\1/p' "$out/js.txt")
	echo "ratio bianmin / json-rules-engine (per evaluation): $(awk -v a="$c" -v b="$j" 'BEGIN { printf "%.0f", a * 1000 / b }')"
else
	echo "SKIP json-rules-engine: no npm, or npm ci failed"
fi
exit $status
