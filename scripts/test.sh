#!/usr/bin/env bash
# `make test`: run every test layer and print one closing line
# "N passed, N failed, N skipped". Layers: unit (cmocka binaries), api
# (tests/api/t*.sh against a live daemon), layout (scripts/check-layout.sh),
# fuzz (each harness replaying its
# corpus in tests/fuzz/corpus; one pass or failure per harness). A layer whose
# tool is absent is skipped with a SKIP line saying why. Exit status is
# non-zero on any failure.
#
# usage: scripts/test.sh BUILD_DIR [layout|unit|api|fuzz]...
set -uo pipefail
build=${1:-build}
shift || true
layers=("${@:-layout unit api fuzz}")
layers=(${layers[*]})
top=$(cd "$(dirname "$0")/.." && pwd)
export BIANMIN="$top/$build/bianmin"
export BIANMIN_DATA=${BIANMIN_DATA:-$top/../shared/data}
export BIANMIN_TOP=$top

passed=0 failed=0 skipped=0
failures=()

run_unit() {
	local t out ok bad
	for t in "$top/$build"/tests/test_*; do
		[ -x "$t" ] || continue
		out=$("$t" 2>&1)
		local rc=$?
		# cmocka's closing summary: "[  PASSED  ] N test(s)." and, when
		# any, "[  FAILED  ] N test(s), listed below:" / "[  SKIPPED ] ..."
		ok=$(sed -nE 's/^\[  PASSED  \] ([0-9]+) test.*/\1/p' <<<"$out" | tail -n 1)
		bad=$(sed -nE 's/^\[  FAILED  \] ([0-9]+) test.*/\1/p' <<<"$out" | tail -n 1)
		sk=$(sed -nE 's/^\[  SKIPPED \] ([0-9]+) test.*/\1/p' <<<"$out" | tail -n 1)
		ok=${ok:-0} bad=${bad:-0} sk=${sk:-0}
		grep '^SKIP' <<<"$out" || true
		if [ $rc -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
		passed=$((passed + ok)) failed=$((failed + bad)) skipped=$((skipped + sk))
		if [ "$bad" -ne 0 ]; then
			failures+=("unit $(basename "$t")")
			echo "$out"
		fi
		printf 'unit %-28s %3d passed, %d failed, %d skipped\n' "$(basename "$t")" "$ok" "$bad" "$sk"
	done
}

run_api() {
	local t out last p f s
	for t in "$top"/tests/api/t[0-9]*.sh; do
		out=$(bash "$t" 2>&1)
		local rc=$?
		last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -n 1)
		p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"${last:-0 passed}")
		f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"${last:-x 1 failed}")
		s=$(grep -oE '[0-9]+ skipped' <<<"$last" | grep -oE '[0-9]+' || echo 0)
		if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + ${s:-0}))
		if [ "$f" -ne 0 ]; then
			failures+=("api $(basename "$t")")
			echo "$out" | grep -v '^ok '
		else
			grep -E '^SKIP' <<<"$out" || true
		fi
		printf 'api  %-28s %3d passed, %d failed, %d skipped\n' "$(basename "$t")" "$p" "$f" "${s:-0}"
	done
}

run_fuzz() {
	local t name out rc found=0
	for t in "$top/$build"/tests/replay_fuzz_*; do
		[ -x "$t" ] || continue
		found=1
		name=${t##*/replay_fuzz_}
		out=$("$t" "$top/tests/fuzz/corpus/$name" 2>&1)
		rc=$?
		if [ $rc -eq 0 ]; then
			passed=$((passed + 1))
			printf 'fuzz fuzz_%-23s %s\n' "$name" "$(tail -n 1 <<<"$out")"
		else
			failed=$((failed + 1))
			failures+=("fuzz fuzz_$name")
			# the input that broke it, then what broke
			grep '^replay: /' <<<"$out" | tail -n 1
			grep -v '^replay: /' <<<"$out" | head -n 40
			printf 'fuzz fuzz_%-23s FAILED (exit %d)\n' "$name" "$rc"
		fi
	done
	if [ $found -eq 0 ]; then
		echo "SKIP fuzz: no replay binaries in $build/tests (make test builds them)"
		skipped=$((skipped + 1))
	fi
}

for layer in "${layers[@]}"; do
	case $layer in
	unit) run_unit ;;
	api)
		if command -v curl >/dev/null && command -v jq >/dev/null; then run_api
		else echo "SKIP api: curl and jq are needed (scripts/deps.sh installs them)"; fi ;;
	fuzz) run_fuzz ;;
	layout)
		# the dependency rule and file headers of style.md: one line per file
		if out=$("$top/scripts/check-layout.sh"); then
			passed=$((passed + 1)); echo "layout: every source file follows the layout rules"
		else
			failed=$((failed + 1)); failures+=("layout"); echo "$out"
		fi ;;
	*) echo "unknown test layer '$layer'" >&2; exit 2 ;;
	esac
done

[ ${#failures[@]} -gt 0 ] && printf 'FAILED: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
