#!/usr/bin/env bash
# Install the Debian 12 packages bianmin needs, when missing. As root it runs
# apt-get; otherwise it prints the exact command and stops.
#
# usage: scripts/deps.sh [run|test|PACKAGE...]
#   run   (the default) what building and running need (`make run`), with
#         nodejs and npm for the web front end's pinned libraries
#         (scripts/web.sh)
#   test  that, plus what every test layer needs: cmocka, curl, jq, xmllint
#         (libxml2-utils, the Open311 client's XML), a PostgreSQL server
#         for the second backend's run and chromium for the browser tests
#         (`make test`, CI)
set -euo pipefail

run=(build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev
     zlib1g-dev libsodium-dev libqrencode-dev libxlsxwriter-dev libcurl4-openssl-dev nodejs npm)
test=("${run[@]}" libcmocka-dev curl jq libxml2-utils postgresql postgresql-common chromium)
case ${1:-run} in
run) pkgs=("${run[@]}") ;;
test) pkgs=("${test[@]}") ;;
*) pkgs=("$@") ;;
esac
missing=()
for p in "${pkgs[@]}"; do
	# NodeSource's nodejs ships npm itself and conflicts with Debian's npm
	[ "$p" = npm ] && command -v npm >/dev/null && continue
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "bianmin needs these Debian packages: ${missing[*]}" >&2
	echo "install them as root with:" >&2
	echo "  sudo apt-get update && sudo $cmd" >&2
	exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
$cmd >/dev/null
