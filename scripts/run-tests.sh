#!/usr/bin/env bash
# Runs the whole Swift test suite (XCTest), then the gateway integration suites again in
# each other threading mode, and ends with one plain summary line over every pass,
# "swift: N passed, N failed, N skipped", that CI and people can read without scrolling.
#
# The suite runs inside a private network namespace (unshare --net) whose loopback
# carries multicast (lo up, MULTICAST on, 224.0.0.0/4 routed to lo), so the market-data
# tests can join groups and no datagram can leave the machine. CIFT_MULTICAST_NAMESPACE=1
# tells those tests they are inside it; without a namespace (no unshare, no permission)
# they are skipped with that reason and the rest runs as usual.
#
# Threading modes (specs/threading.md): the first pass runs the gateway as `auto` picks
# for this machine; the integration tests then run again with CIFT_THREADING_MODE set
# to each other mode (dedicated, split, shared), so every runtime, integration and
# crash test runs in every mode. CIFT_TEST_MODES overrides the list of extra passes
# (empty: none).
set -uo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# SWIFT_TEST_FLAGS: extra flags for `swift test`, e.g. --scratch-path .build-mine.
flags="--skip-build --disable-swift-testing ${SWIFT_TEST_FLAGS:-}"
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
elif [ "${CIFT_MULTICAST_NAMESPACE:-}" != 1 ]; then
    echo "tests: no private network namespace could be made (needs unshare and ip, as root or with user namespaces): multicast tests will be skipped"
fi

total_executed=0
total_failed=0
total_skipped=0
overall=0

# run_pass LABEL MODE [swift test arguments...]: one `swift test` run, its counts added.
run_pass() {
    local label=$1 mode=$2
    shift 2
    local inner="ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && CIFT_MULTICAST_NAMESPACE=1 CIFT_THREADING_MODE=$mode exec swift test $flags $*"
    if [ ${#namespace[@]} -gt 0 ]; then
        "${namespace[@]}" bash -c "$inner" 2>&1 | tee "$log"
    else
        CIFT_THREADING_MODE=$mode swift test $flags "$@" 2>&1 | tee "$log"
    fi
    local status=${PIPESTATUS[0]}
    # XCTest's last line: "Executed N tests, with [K tests skipped and ]F failures (…)".
    local summary executed failed skipped=0
    # -a: a test may log bytes that are not text (a peer's garbage), which would make grep
    # print "binary file matches" instead of the line.
    summary=$(grep -a -E "^[[:space:]]*Executed [0-9]+ tests?, with " "$log" | tail -1)
    if [ -z "$summary" ]; then
        echo "swift ($label): the test run ended without a summary (exit status $status)"
        overall=1
        return
    fi
    executed=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
    failed=$(sed -E 's/.* ([0-9]+) failures?.*/\1/' <<<"$summary")
    if grep -qE "[0-9]+ tests? skipped" <<<"$summary"; then
        skipped=$(sed -E 's/.* ([0-9]+) tests? skipped.*/\1/' <<<"$summary")
    fi
    echo "swift ($label): $((executed - failed - skipped)) passed, $failed failed, $skipped skipped"
    if [ "$executed" -eq 0 ]; then
        echo "swift ($label): no test ran"
        overall=1
    fi
    [ "$status" -ne 0 ] && overall=$status
    total_executed=$((total_executed + executed))
    total_failed=$((total_failed + failed))
    total_skipped=$((total_skipped + skipped))
}

# What `auto` picks here (ThreadingMode.choose: 1–2 CPUs shared, 3 split, 4+ dedicated).
cpus=$(nproc)
if [ "$cpus" -le 2 ]; then auto=shared; elif [ "$cpus" -eq 3 ]; then auto=split; else auto=dedicated; fi
run_pass "all, threading auto = $auto" auto
modes=${CIFT_TEST_MODES-dedicated split shared}
for mode in $modes; do
    [ "$mode" = "$auto" ] && continue
    run_pass "integration, threading $mode" "$mode" --filter IntegrationTests
done

echo "swift: $((total_executed - total_failed - total_skipped)) passed, $total_failed failed, $total_skipped skipped"
exit "$overall"
