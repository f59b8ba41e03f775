#!/usr/bin/env bash
# t0100: the web front end end to end in a real browser (journey.mjs, with
# playwright-core driving Debian's chromium), against a daemon on a temporary
# database with the demo county, its clock set to the next Monday 10:00 China
# time (duty hours, a working day) and its scheduled jobs off, so that no
# clock runs out while the browser works. Screenshots of every page at 360
# and 1280 px go to $BIANMIN_SHOTS (default build/browser-shots).
#
# SKIP (not a failure) when node or chromium is missing; scripts/deps.sh
# test installs both.
. "$(dirname "$0")/../api/lib.sh"

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if ! command -v node >/dev/null || [ ! -x "$CHROMIUM" ]; then
	skip "browser: node and $CHROMIUM are needed (scripts/deps.sh test installs nodejs and chromium)"
	finish
	exit 0
fi
if ! "$BIANMIN_TOP/scripts/web.sh"; then
	fail "setup: scripts/web.sh installs and copies the front end's libraries"
	finish
	exit 1
fi

bm init --demo >"$T/init.out" 2>&1
check "setup: init --demo" test $? -eq 0

# The offset that makes the daemon's now the next Monday, 10:00 China time.
now=$(date +%s)
china_dow=$(TZ=Asia/Shanghai date -d "@$now" +%u)
monday=$(TZ=Asia/Shanghai date -d "@$((now + (8 - china_dow) * 86400))" +%F)
OFF=$(($(TZ=Asia/Shanghai date -d "$monday 10:00:00" +%s) - now))
BIANMIN_CLOCK_OFFSET=$OFF start_server --jobs false || { fail "the daemon starts"; finish; exit 1; }

shots=${BIANMIN_SHOTS:-$BIANMIN_TOP/build/browser-shots}
rm -rf "$shots"
BASE=$BASE SHOTS=$shots CHROMIUM=$CHROMIUM BIANMIN_TOP=$BIANMIN_TOP \
	node "$(dirname "$0")/journey.mjs" >"$T/journey.out" 2>&1
rc=$?
cat "$T/journey.out"
last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$T/journey.out" | tail -n 1)
if [ -z "$last" ]; then
	fail "the browser journey ran to its closing line" "node exit $rc"
else
	read -r p _ f _ <<<"${last//,/}"
	PASS=$((PASS + p)) FAIL=$((FAIL + f)) N=$((N + p + f))
	[ "$f" -eq 0 ] && [ $rc -ne 0 ] && fail "node exited $rc"
fi
n_shots=$(find "$shots" -name '*.png' 2>/dev/null | wc -l)
check "screenshots at 360 and 1280 px were written to $shots ($n_shots)" test "$n_shots" -ge 40
finish
