#!/usr/bin/env bash
# bench/classify.sh [BENCH_BIN [BIANMIN_BIN]] - the patrol's building blocks
# on the real messages: keyword matcher and message classifier throughput
# on one core (bench/patrol_bench.c says what each figure is), then the
# classifier's held-out scores with the commands that reproduce them. The
# figures are quoted in bench/RESULTS-patrol.md and docs/classify.md.
#
# BENCH_BIN is build/bench/patrol_bench and BIANMIN_BIN build/bianmin, each
# built here when missing (bench/patrol.mk). Prints SKIP and exits 0 when
# ../shared/data/complaints (or $BIANMIN_DATA/complaints) is absent.
# Settings: BENCH_RUNS=7 (runs per figure; medians are printed),
# BENCH_DAY=130000 (messages of "a day"), BENCH_CPU=1 (the core the
# benchmark is pinned to with taskset when there is one; empty: not pinned).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=${1:-$top/build/bench/patrol_bench}
bin=${2:-$top/build/bianmin}
data=${BIANMIN_DATA:-$top/../shared/data}
data=$(cd "$data" 2>/dev/null && pwd || echo "$data")
runs=${BENCH_RUNS:-7}
day=${BENCH_DAY:-130000}
cpu=${BENCH_CPU-1}
c=$data/complaints

if [ ! -f "$c/teddy2020C_attach2_labeled_messages_SAMPLE.csv" ]; then
	echo "SKIP classify: no real messages in $c"
	exit 0
fi
mk=(-f Makefile -f bench/patrol.mk)
[ -x "$bench" ] || make -C "$top" --no-print-directory "${mk[@]}" "${bench#"$top"/}" >&2
[ -x "$bin" ] || make -C "$top" --no-print-directory "${bin#"$top"/}" >&2

pin=()
if [ -n "$cpu" ] && command -v taskset >/dev/null && [ "$(nproc)" -gt "$cpu" ]; then
	pin=(taskset -c "$cpu")
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)"
echo "pinned: ${pin[*]:-no}"
echo
echo "## throughput (medians of $runs runs)"
echo "\$ ${pin[*]:+${pin[*]} }${bench#"$top"/} -d $data -t $top -r $runs -n $day"
(cd "$top" && "${pin[@]}" "$bench" -d "$data" -t "$top" -r "$runs" -n "$day")

cd "$top"
b=${bin#"$top"/}
echo
echo "## category: the labelled messages, held-out fold 0"
echo "\$ $b classify eval $c/teddy2020C_attach2_labeled_messages_SAMPLE.csv"
"$bin" classify eval "$c/teddy2020C_attach2_labeled_messages_SAMPLE.csv" 2>&1
echo
echo "## category: the same, 5-fold cross-validation"
echo "\$ $b classify eval --folds $c/teddy2020C_attach2_labeled_messages_SAMPLE.csv"
"$bin" classify eval --folds "$c/teddy2020C_attach2_labeled_messages_SAMPLE.csv" 2>&1 | grep -E '^(scored|category)'
echo
files=("$c/teddy2020C_attach2_labeled_messages_SAMPLE.csv" "$c/teddy2020C_attach3_messages_with_likes.csv"
	"$c/teddy2020C_attach4_messages_with_replies.csv" data/patrol/intent.csv)
echo "## intent: the three board files and our own lines, held-out fold 0"
echo "\$ $b classify eval ${files[*]}"
"$bin" classify eval "${files[@]}" 2>&1 | sed -n '/^intent/,/^category/p' | grep -v '^category'
echo
echo "## intent: the same, 5-fold cross-validation"
echo "\$ $b classify eval --folds ${files[*]}"
"$bin" classify eval --folds "${files[@]}" 2>&1 | sed -n '/^intent/,/^category/p' | grep -v '^category'
echo
echo "## intent: our own lines alone (the default model's data), 5-fold cross-validation"
echo "\$ $b classify eval --folds data/patrol/intent.csv"
"$bin" classify eval --folds data/patrol/intent.csv 2>&1 | sed -n '/^intent/,/^category/p' | grep -v '^category'
echo
echo "load $(cut -d' ' -f1-3 /proc/loadavg) at the end"
