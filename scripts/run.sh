#!/usr/bin/env bash
# `make run`: create the database with the demo county if it does not exist,
# bring its schema up to date, and serve it on BIANMIN_LISTEN (default
# 127.0.0.1:8080) until Ctrl-C.
set -euo pipefail
bin=${1:-build/bianmin}
db=${BIANMIN_DB:-var/bianmin.db}
listen=${BIANMIN_LISTEN:-127.0.0.1:8080}
export BIANMIN_DB=$db BIANMIN_LISTEN=$listen

if [ ! -e "$db" ]; then
	"$bin" init --demo
else
	"$bin" migrate
fi
echo
echo "  便民 bianmin is starting: open http://$listen/"
echo "  demo county: 便民县（演示） code 990101 — http://$listen/api/v1/regions/990101"
echo "  API document: http://$listen/api/v1/openapi.json"
echo "  (accounts arrive with the accounts issue; no sign-in is needed yet)"
echo "  stop with Ctrl-C"
echo
exec "$bin" serve
