#!/usr/bin/env bash
# `make run`: create the database if it does not exist, bring its schema up
# to date, load the demo county and its demo accounts (printed), and serve
# on BIANMIN_LISTEN (default 127.0.0.1:8080) until Ctrl-C.
set -euo pipefail
bin=${1:-build/bianmin}
db=${BIANMIN_DB:-var/bianmin.db}
listen=${BIANMIN_LISTEN:-127.0.0.1:8080}
export BIANMIN_DB=$db BIANMIN_LISTEN=$listen

# init creates the file and brings the schema up to date; demo is
# idempotent and prints the demo accounts every time.
"$bin" --log-level warn init
"$bin" --log-level warn demo
echo
echo "  便民 bianmin is starting: open http://$listen/"
echo "  demo county: 便民县（演示） code 990101 — http://$listen/api/v1/regions/990101"
echo "  sign in: POST http://$listen/api/v1/auth/login {\"phone\":\"19900000002\",\"password\":\"demo-2026\"}"
echo "  API document: http://$listen/api/v1/openapi.json"
echo "  stop with Ctrl-C"
echo
exec "$bin" serve
