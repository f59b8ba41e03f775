# tests/api/clock.sh - the daemon's clock set to chosen China times, for the
# scripts whose findings depend on the time of day (demands, patrol, 督办,
# statistics, exchange): sourced after lib.sh, accounts.sh and (for
# at_china) groups.sh.
# Nothing waits for time: the daemon's clock is shifted with
# BIANMIN_CLOCK_OFFSET.

# china_epoch "YYYY-MM-DD HH:MM:SS": that China time (UTC+8) in seconds.
china_epoch() { echo $(($(date -u -d "$1 UTC" +%s) - 8 * 3600)); }

# china_offset "YYYY-MM-DD HH:MM:SS": the clock offset that makes now that
# China time.
china_offset() { echo $(($(china_epoch "$1") - $(date +%s))); }

# at_china "YYYY-MM-DD HH:MM:SS": the daemon restarted at that China time,
# its scheduled jobs off, the demo persons signed in again (signin_demo);
# the script ends when it cannot.
at_china() {
	[ -n "$SERVER_PID" ] && stop_server
	BIANMIN_CLOCK_OFFSET=$(china_offset "$1") start_server --jobs false ||
		{ fail "the daemon starts at $1"; finish; exit 1; }
	signin_demo || { finish; exit 1; }
}
