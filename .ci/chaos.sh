#!/usr/bin/env bash
# chaos.sh [FLAGS...]
#
# Runs the data-integrity proofs of internal/chaos (issue 13) and prints
# their counts: the chaos test (two clients exchanging
# messages while their links are cut, frozen and refused at random), the
# same with one of the accounts on two devices (issue 18), and the
# crash test (a client killed with SIGKILL 20 times mid-burst), on Prosody
# and ejabberd. Extra FLAGS go to the test binary, e.g. -chaos.faults=1000
# for `make soak`. Exits with the tests' status. Not under the race
# detector: it slows the clients tenfold, and what it then measures is
# servers dropping sessions whose queues overflow (the chaos test's
# servers keep 5,000 unacknowledged stanzas and no archive; an overflow
# with an archive is core/mam's TestOverflowCaughtUp); core's own tests
# run with -race.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
timeout=${CHAOS_TIMEOUT:-20m}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# CHAOS_SKIP (a go test -skip pattern) leaves some out, e.g.
# CHAOS_SKIP='/^prosody$' to run ejabberd's alone.
skip=()
if [ -n "${CHAOS_SKIP:-}" ]; then
	skip=(-skip "$CHAOS_SKIP")
	echo "chaos: skipping $CHAOS_SKIP"
fi
go test -count=1 -timeout "$timeout" -v -run '^(TestChaos|TestChaosDevices|TestCrash)$' "${skip[@]}" ./internal/chaos/ "$@" >"$log" 2>&1 || status=$?
# The counts, each failure's lines, and the verdicts.
grep -E '^\s+(chaos|crash): |_test\.go:[0-9]+: |^(--- |ok|FAIL|panic)' "$log" | sed -E 's/^\s+[a-z_]+_test\.go:[0-9]+: /  /; s/^\s+(chaos|crash): /  \1: /' || true
if [ "$status" -ne 0 ]; then
	echo "chaos: failed; the last lines of the run:" >&2
	tail -n 40 "$log" >&2
fi
exit "$status"
