#!/usr/bin/env bash
# `make test`: run every test layer and print one closing line
# "N passed, N failed, N skipped". Layers: unit (cmocka binaries), api
# (tests/api/t*.sh against a live daemon on SQLite), api-pg (the PostgreSQL
# unit tests, the same scripts and the browser scripts on PostgreSQL;
# screenshots in BUILD_DIR/browser-shots-pg), unit-pg (only the
# PostgreSQL unit tests), layout (scripts/check-layout.sh), fuzz (each harness
# replaying its corpus in tests/fuzz/corpus; one pass or failure per
# harness), browser (tests/browser/t*.sh: the web front end in Debian's
# chromium driven by playwright-core, after scripts/web.sh installed the
# pinned npm packages; screenshots in BUILD_DIR/browser-shots). A layer whose
# tool is absent is skipped with a SKIP line saying why. Exit status is
# non-zero on any failure.
#
# api-pg and unit-pg run on the server BIANMIN_TEST_PG names (a libpq URI of a
# maintenance database, e.g. postgresql:///postgres) when it is set;
# otherwise this script runs itself for that layer inside a throwaway
# cluster made by pg_virtualenv -t (Debian's postgresql-common), which sets
# PGHOST, PGPORT, PGUSER and PGPASSWORD for it, and adds up its counts.
#
# usage: scripts/test.sh BUILD_DIR [layout|unit|api|api-pg|unit-pg|fuzz|browser]...
set -uo pipefail
build=${1:-build}
shift || true
layers=("${@:-layout unit api api-pg fuzz browser}")
layers=(${layers[*]})
top=$(cd "$(dirname "$0")/.." && pwd)
export BIANMIN="$top/$build/bianmin"
export BIANMIN_DATA=${BIANMIN_DATA:-$top/../shared/data}
export BIANMIN_TOP=$top

passed=0 failed=0 skipped=0
failures=()

# run_unit [pg]: the cmocka binaries; with "pg" only those of the PostgreSQL
# backend (tests/unit/test_*_pg.c), which need BIANMIN_TEST_PG. Without it
# they run in the api-pg layer when that layer is asked for too, else here
# (where they print SKIP).
run_unit() {
	local t out ok bad only=${1:-}
	for t in "$top/$build"/tests/test_*; do
		[ -x "$t" ] || continue
		case $only/${t##*/} in
		pg/*_pg) ;;
		pg/*) continue ;;
		*/*_pg) [ -z "${BIANMIN_TEST_PG:-}" ] && [[ " ${layers[*]} " == *" api-pg "* ]] && continue ;;
		esac
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

# run_api LABEL [DIR]: every script tN*.sh of tests/DIR (default api);
# LABEL (api, api-pg, browser or browser-pg) starts each line.
run_api() {
	local label=$1 dir=${2:-api} t out last p f s
	for t in "$top"/tests/"$dir"/t[0-9]*.sh; do
		local began=$SECONDS
		out=$(bash "$t" 2>&1)
		local rc=$?
		last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -n 1)
		p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"${last:-0 passed}")
		f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"${last:-x 1 failed}")
		s=$(grep -oE '[0-9]+ skipped' <<<"$last" | grep -oE '[0-9]+' || echo 0)
		if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + ${s:-0}))
		if [ "$f" -ne 0 ]; then
			failures+=("$label $(basename "$t")")
			echo "$out" | grep -v '^ok '
		else
			grep -E '^SKIP' <<<"$out" || true
		fi
		printf '%-6s %-26s %3d passed, %d failed, %d skipped (%d s)\n' "$label" "$(basename "$t")" \
			"$p" "$f" "${s:-0}" $((SECONDS - began))
	done
}

# The PostgreSQL layers, on BIANMIN_TEST_PG's server or inside a throwaway
# cluster of pg_virtualenv (this script again, its counts added): api-pg is
# the PostgreSQL unit tests and the API scripts, unit-pg the unit tests only.
run_api_pg() {
	local layer=${1:-api-pg}
	if [ "$layer" = api-pg ] && { ! command -v curl >/dev/null || ! command -v jq >/dev/null; }; then
		echo "SKIP api-pg: curl and jq are needed (scripts/deps.sh installs them)"
		skipped=$((skipped + 1)); return
	fi
	if [ -n "${BIANMIN_TEST_PG:-}" ]; then
		if ! command -v psql >/dev/null; then
			echo "SKIP $layer: psql is needed (scripts/deps.sh installs postgresql)"
			skipped=$((skipped + 1)); return
		fi
		run_unit pg
		if [ "$layer" = api-pg ]; then
			run_api api-pg
			BIANMIN_SHOTS=$top/$build/browser-shots-pg run_api browser-pg browser
		fi
		return
	fi
	if ! command -v pg_virtualenv >/dev/null || ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
		echo "SKIP $layer: pg_virtualenv and a PostgreSQL server are needed (scripts/deps.sh installs postgresql)"
		skipped=$((skipped + 1)); return
	fi
	local out rc last t0=$SECONDS
	# -t: the cluster lives in a temporary folder even for root, so that
	# runs in parallel (other checkouts) do not collide on 15/regress
	out=$(BIANMIN_TEST_PG=postgresql:///postgres pg_virtualenv -t -o max_connections=200 \
		bash "$top/scripts/test.sh" "$build" "$layer" 2>&1)
	rc=$?
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' <<<"$out" | tail -n 1)
	grep -vE '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$|^FAILED: ' <<<"$out"
	if [ -z "$last" ]; then
		failed=$((failed + 1)); failures+=("$layer (no result; pg_virtualenv exit $rc)")
		return
	fi
	local p f s
	read -r p _ f _ s _ <<<"${last//,/}"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [ "$f" -ne 0 ] || [ $rc -ne 0 ]; then
		[ "$f" -eq 0 ] && failed=$((failed + 1))
		local line
		while IFS= read -r line; do failures+=("${line#FAILED: }"); done < <(grep -E '^FAILED: ' <<<"$out")
		[ ${#failures[@]} -eq 0 ] && failures+=("$layer")
	fi
	echo "$layer: the PostgreSQL layer took $((SECONDS - t0)) s"
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
		if command -v curl >/dev/null && command -v jq >/dev/null; then run_api api
		else echo "SKIP api: curl and jq are needed (scripts/deps.sh installs them)"; fi ;;
	api-pg) run_api_pg api-pg ;;
	unit-pg) run_api_pg unit-pg ;;
	fuzz) run_fuzz ;;
	browser)
		# the scripts print their own SKIP when node or chromium is absent
		if command -v curl >/dev/null && command -v jq >/dev/null; then
			BIANMIN_SHOTS=$top/$build/browser-shots run_api browser browser
		else echo "SKIP browser: curl and jq are needed (scripts/deps.sh installs them)"; skipped=$((skipped + 1)); fi ;;
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
