#!/usr/bin/env bash
# The dependency rule of style.md, checked: src/core includes nothing of
# other modules; nobody includes another module's *_int.h; SQL text lives
# only in src/store and sql/; only *_http.c files (and src/http, src/cli)
# include http/http.h; every source file opens with a comment. Prints one
# line per violation and "layout: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bad=0 ok=0
violation() { echo "layout: $*"; bad=$((bad + 1)); }

for f in src/*/*.c src/*/*.h; do
	mod=$(basename "$(dirname "$f")")
	while IFS= read -r inc; do
		dep=${inc%%/*}
		[ "$dep" = "$mod" ] && continue
		case $mod in
		core) violation "$f includes $inc: src/core depends on nothing" ;;
		esac
		case $inc in
		*_int.h) violation "$f includes $inc, another module's private header" ;;
		http/http.h)
			case $mod/$f in
			cli/*|*_http.c) ;;
			*) violation "$f includes http/http.h: only *_http.c files may" ;;
			esac ;;
		esac
	done < <(grep -oE '^#include "[^"]+"' "$f" | sed -E 's/#include "(.*)"/\1/')
	if [ "$mod" != store ] && grep -qE '"(SELECT|INSERT|UPDATE|DELETE) ' "$f"; then
		violation "$f holds SQL text: SQL lives in src/store only"
	fi
	head -n 2 "$f" | grep -q '^/\*' || violation "$f does not open with a comment saying what it is for"
	ok=$((ok + 1))
done
echo "layout: $((ok - bad)) passed, $bad failed"
[ "$bad" -eq 0 ]
