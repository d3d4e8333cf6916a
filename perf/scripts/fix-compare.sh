#!/usr/bin/env bash
# FIX order entry round trip: CIFT gateway vs QuickFIX/C++ vs the TCP floor
# (perf/README.md, "FIX order entry round trip"). Builds what is missing or stale, one
# build at a time, each in its own scratch folder:
#   the gateway (release)          $GATEWAY_SCRATCH  (default <repo>/.build-gw)
#   cift-perf (release)            $PERF_SCRATCH     (default <repo>/perf/.build-perf)
#   the QuickFIX acceptor (g++)    $QUICKFIX_OUT     (default <repo>/.build-qf)
# then runs a short comparison (1 and 64 in flight; each run stops at $ORDERS measured
# orders or $DURATION seconds) and writes $OUT/fix-compare.json (default <repo>/perf/.results).
# Extra arguments go to `cift-perf fix`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SWIFT="${SWIFT:-swift}"
GATEWAY_SCRATCH="${GATEWAY_SCRATCH:-$root/.build-gw}"
PERF_SCRATCH="${PERF_SCRATCH:-$root/perf/.build-perf}"
QUICKFIX_OUT="${QUICKFIX_OUT:-$root/.build-qf}"
OUT="${OUT:-$root/perf/.results}"
WARMUP="${WARMUP:-2000}"
ORDERS="${ORDERS:-30000}"
DURATION="${DURATION:-8}"

echo "== building the gateway (release)" >&2
(cd "$root" && "$SWIFT" build -c release --scratch-path "$GATEWAY_SCRATCH" --product cift-gateway)
echo "== building cift-perf (release)" >&2
(cd "$root/perf" && "$SWIFT" build -c release --scratch-path "$PERF_SCRATCH" --product cift-perf)
echo "== building the QuickFIX acceptor" >&2
"$root/perf/quickfix-acceptor/build.sh" "$QUICKFIX_OUT" >/dev/null

mkdir -p "$OUT"
gateway="$("$SWIFT" build -c release --scratch-path "$GATEWAY_SCRATCH" --show-bin-path --package-path "$root")/cift-gateway"
perf="$("$SWIFT" build -c release --scratch-path "$PERF_SCRATCH" --show-bin-path --package-path "$root/perf")/cift-perf"
echo "== running: $perf fix --compare ..." >&2
exec "$perf" fix --compare \
    --gateway "$gateway" \
    --quickfix "$QUICKFIX_OUT/quickfix-acceptor" \
    --warmup "$WARMUP" --orders "$ORDERS" --duration "$DURATION" \
    --json "$OUT/fix-compare.json" "$@"
