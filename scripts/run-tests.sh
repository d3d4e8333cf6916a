#!/usr/bin/env bash
# Runs the whole Swift test suite (XCTest) and ends with one plain summary line,
# "swift: N passed, N failed", that CI and people can read without scrolling.
set -uo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift test --skip-build --disable-swift-testing 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

summary=$(grep -E "^[[:space:]]*Executed [0-9]+ tests?, with [0-9]+ failures?" "$log" | tail -1)
executed=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
failed=$(sed -E 's/.*with ([0-9]+) failures?.*/\1/' <<<"$summary")
if [ -z "$summary" ]; then
    echo "swift: the test run ended without a summary (exit status $status)"
    exit $((status == 0 ? 1 : status))
fi
echo "swift: $((executed - failed)) passed, $failed failed"
if [ "$executed" -eq 0 ]; then
    echo "swift: no test ran"
    exit 1
fi
exit "$status"
