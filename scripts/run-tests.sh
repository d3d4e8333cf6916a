#!/usr/bin/env bash
# Runs the whole Swift test suite (XCTest) and ends with one plain summary line,
# "swift: N passed, N failed", that CI and people can read without scrolling.
#
# The suite runs inside a private network namespace (unshare --net) whose loopback
# carries multicast (lo up, MULTICAST on, 224.0.0.0/4 routed to lo), so the market-data
# tests can join groups and no datagram can leave the machine. CIFT_MULTICAST_NAMESPACE=1
# tells those tests they are inside it; without a namespace (no unshare, no permission)
# they are skipped with that reason and the rest runs as usual.
set -uo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# SWIFT_TEST_FLAGS: extra flags for `swift test`, e.g. --scratch-path .build-mine.
flags="--skip-build --disable-swift-testing ${SWIFT_TEST_FLAGS:-}"
inner="ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && CIFT_MULTICAST_NAMESPACE=1 exec swift test $flags"
namespace=()
if [ "${CIFT_MULTICAST_NAMESPACE:-}" != 1 ] && command -v unshare >/dev/null && command -v ip >/dev/null; then
    if [ "$(id -u)" -eq 0 ] && unshare --net true 2>/dev/null; then
        namespace=(unshare --net)
    elif unshare --net --map-root-user true 2>/dev/null; then
        namespace=(unshare --net --map-root-user)
    fi
fi
if [ ${#namespace[@]} -gt 0 ]; then
    echo "tests: inside a private network namespace (${namespace[*]}) with multicast on loopback"
    "${namespace[@]}" bash -c "$inner" 2>&1 | tee "$log"
else
    if [ "${CIFT_MULTICAST_NAMESPACE:-}" != 1 ]; then
        echo "tests: no private network namespace could be made (needs unshare and ip, as root or with user namespaces): multicast tests will be skipped"
    fi
    swift test $flags 2>&1 | tee "$log"
fi
status=${PIPESTATUS[0]}

# XCTest's last line: "Executed N tests, with [K tests skipped and ]F failures (…)".
summary=$(grep -E "^[[:space:]]*Executed [0-9]+ tests?, with " "$log" | tail -1)
executed=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
failed=$(sed -E 's/.* ([0-9]+) failures?.*/\1/' <<<"$summary")
skipped=0
if grep -qE "[0-9]+ tests? skipped" <<<"$summary"; then
    skipped=$(sed -E 's/.* ([0-9]+) tests? skipped.*/\1/' <<<"$summary")
fi
if [ -z "$summary" ]; then
    echo "swift: the test run ended without a summary (exit status $status)"
    exit $((status == 0 ? 1 : status))
fi
echo "swift: $((executed - failed - skipped)) passed, $failed failed, $skipped skipped"
if [ "$executed" -eq 0 ]; then
    echo "swift: no test ran"
    exit 1
fi
exit "$status"
