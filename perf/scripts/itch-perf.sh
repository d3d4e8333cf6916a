#!/usr/bin/env bash
# Order entry -> market data (perf/README.md, "Market data: order -> Add Order,
# publish throughput"). Builds what is missing or stale, one build at a time:
#   the gateway (release)   $GATEWAY_SCRATCH  (default <repo>/.build-gw)
#   cift-perf (release)     $PERF_SCRATCH     (default <repo>/perf/.build-perf)
# then runs `cift-perf itch` against a gateway it starts, inside a private network
# namespace whose loopback carries multicast (as scripts/run-tests.sh does for the
# tests; needs root or user namespaces), and writes $OUT/itch.json
# (default <repo>/perf/.results). A closed loop of $WARMUP + $ORDERS orders (at most
# $DURATION s), then a burst of $BURST orders (at most $BURST_DURATION s) and a sweep.
# Extra arguments go to `cift-perf itch`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SWIFT="${SWIFT:-swift}"
GATEWAY_SCRATCH="${GATEWAY_SCRATCH:-$root/.build-gw}"
PERF_SCRATCH="${PERF_SCRATCH:-$root/perf/.build-perf}"
OUT="${OUT:-$root/perf/.results}"
WARMUP="${WARMUP:-1000}"
ORDERS="${ORDERS:-10000}"
DURATION="${DURATION:-10}"
BURST="${BURST:-20000}"
BURST_DURATION="${BURST_DURATION:-5}"

echo "== building the gateway (release)" >&2
(cd "$root" && "$SWIFT" build -c release --scratch-path "$GATEWAY_SCRATCH" --product cift-gateway)
echo "== building cift-perf (release)" >&2
(cd "$root/perf" && "$SWIFT" build -c release --scratch-path "$PERF_SCRATCH" --product cift-perf)

mkdir -p "$OUT"
gateway="$("$SWIFT" build -c release --scratch-path "$GATEWAY_SCRATCH" --show-bin-path --package-path "$root")/cift-gateway"
perf="$("$SWIFT" build -c release --scratch-path "$PERF_SCRATCH" --show-bin-path --package-path "$root/perf")/cift-perf"
args=(itch --gateway "$gateway" --warmup "$WARMUP" --orders "$ORDERS" --duration "$DURATION"
      --burst "$BURST" --burst-duration "$BURST_DURATION" --json "$OUT/itch.json" "$@")
quoted="$(printf '%q ' "$perf" "${args[@]}")"
echo "== running in a multicast network namespace: $quoted" >&2
unshare_args=(--net)
[ "$(id -u)" -ne 0 ] && unshare_args=(--net --map-root-user)
exec unshare "${unshare_args[@]}" sh -c \
    "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && exec $quoted"
