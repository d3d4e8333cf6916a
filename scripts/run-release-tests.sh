#!/usr/bin/env bash
# The hot-path tests again, built with optimisations (release, -enable-testing), in their
# own scratch folder (.build-release-tests): code that leans on unsafe pointers, inout
# sinks and unowned references can behave differently once the optimiser has been at it
# (a risk-tracking sink once lost its events in release builds only). Runs the engine
# (MatchingTests, including the randomized comparison with the reference model), the
# rings, the shared value types and the engine runtime (EngineRuntimeTests), and ends
# with one line, "swift (release): N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT="${SWIFT:-swift}"
scratch="${RELEASE_TEST_SCRATCH:-.build-release-tests}"
filter="${RELEASE_TEST_FILTER:-^(MatchingTests|RingsTests|GatewayCoreTests)\.|EngineRuntimeTests}"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$SWIFT" build -c release -Xswiftc -enable-testing --build-tests --scratch-path "$scratch" || exit 1
"$SWIFT" test -c release -Xswiftc -enable-testing --skip-build --disable-swift-testing --scratch-path "$scratch" \
    --filter "$filter" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(grep -a -E "^[[:space:]]*Executed [0-9]+ tests?, with " "$log" | tail -1)
if [ -z "$summary" ]; then
    echo "swift (release): the test run ended without a summary (exit status $status)"
    exit $((status == 0 ? 1 : status))
fi
executed=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
failed=$(sed -E 's/.* ([0-9]+) failures?.*/\1/' <<<"$summary")
echo "swift (release): $((executed - failed)) passed, $failed failed"
[ "$executed" -gt 0 ] || { echo "swift (release): no test ran"; exit 1; }
exit "$status"
