#!/usr/bin/env bash
# Install the front end's pinned npm packages (web/package-lock.json, with
# `npm ci`) when web/node_modules is missing or older than the lock file, then
# copy the prebuilt browser files the pages load into web/vendor/. There is no
# other build step: web/*.js are served as written. Neither node_modules nor
# vendor/ is committed (.gitignore). No browser is ever downloaded here
# (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD): the tests drive Debian's chromium.
#
# usage: scripts/web.sh
set -euo pipefail
web=$(cd "$(dirname "$0")/../web" && pwd)
if ! command -v npm >/dev/null; then
	echo "scripts/web.sh: npm is needed for the web front end (scripts/deps.sh installs nodejs and npm)" >&2
	exit 1
fi
stamp=$web/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ "$web/package-lock.json" -nt "$stamp" ]; then
	(cd "$web" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2)
fi
nm=$web/node_modules
mkdir -p "$web/vendor"
# Preact's hooks import the bare name "preact"; the site's Content-Security-
# Policy forbids an inline import map, so the copy names the file instead.
cp "$nm/preact/dist/preact.mjs" "$web/vendor/preact.mjs"
sed 's#from"preact"#from"./preact.mjs"#g' "$nm/preact/hooks/dist/hooks.mjs" >"$web/vendor/hooks.mjs"
cp "$nm/htm/dist/htm.mjs" "$web/vendor/htm.mjs"
cp "$nm/echarts/dist/echarts.esm.min.mjs" "$web/vendor/echarts.mjs"
grep -q 'from"preact"' "$web/vendor/hooks.mjs" && { echo "scripts/web.sh: hooks.mjs still imports 'preact'" >&2; exit 1; }
exit 0
