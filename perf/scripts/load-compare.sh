#!/usr/bin/env bash
# The latency harness's comparison (perf/RESULTS.md, perf/README.md "Load harness"):
# builds what is missing or stale, one build at a time, each in its own scratch folder
#   the gateway (release)          $GATEWAY_SCRATCH  (default <repo>/.build-gw)
#   cift-perf (release)            $PERF_SCRATCH     (default <repo>/perf/.build-perf)
#   the QuickFIX acceptor (g++)    $QUICKFIX_OUT     (default <repo>/.build-qf)
# then, inside a private network namespace whose loopback carries multicast (needs root
# or user namespaces), runs `cift-perf load` three times against gateways it starts:
#   1. OUCH --compare --feed: gateway and TCP floor, new orders only (rest/market)
#   2. FIX  --compare --feed: gateway, QuickFIX/C++ acceptor and TCP floor, same load
#   3. OUCH --feed, open loop at $RATE requests/s with the full mix (cancels, replaces)
# Each run: $CONNECTIONS connections, $WARMUP + at most $ORDERS requests or $DURATION s.
# Results (summary, load.json, .hgrm, load.html) go to $OUT/{ouch,fix,ouch-open}
# (default <repo>/perf/.results/load). Defaults: about a minute in all. The long run:
#   ORDERS=150000 DURATION=60 RATE=20000 perf/scripts/load-compare.sh
# Extra arguments go to every `cift-perf load`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SWIFT="${SWIFT:-swift}"
GATEWAY_SCRATCH="${GATEWAY_SCRATCH:-$root/.build-gw}"
PERF_SCRATCH="${PERF_SCRATCH:-$root/perf/.build-perf}"
QUICKFIX_OUT="${QUICKFIX_OUT:-$root/.build-qf}"
OUT="${OUT:-$root/perf/.results/load}"
CONNECTIONS="${CONNECTIONS:-4}"
IN_FLIGHT="${IN_FLIGHT:-1}"
WARMUP="${WARMUP:-2000}"
ORDERS="${ORDERS:-20000}"
DURATION="${DURATION:-8}"
RATE="${RATE:-5000}"
MIX="${MIX:-rest=50,cancel=20,replace=10,market=20}"

echo "== building the gateway (release)" >&2
(cd "$root" && "$SWIFT" build -c release --scratch-path "$GATEWAY_SCRATCH" --product cift-gateway)
echo "== building cift-perf (release)" >&2
(cd "$root/perf" && "$SWIFT" build -c release --scratch-path "$PERF_SCRATCH" --product cift-perf)
echo "== building the QuickFIX acceptor" >&2
"$root/perf/quickfix-acceptor/build.sh" "$QUICKFIX_OUT" >/dev/null

mkdir -p "$OUT"
gateway="$("$SWIFT" build -c release --scratch-path "$GATEWAY_SCRATCH" --show-bin-path --package-path "$root")/cift-gateway"
perf="$("$SWIFT" build -c release --scratch-path "$PERF_SCRATCH" --show-bin-path --package-path "$root/perf")/cift-perf"
common=(--gateway "$gateway" --feed --connections "$CONNECTIONS" --warmup "$WARMUP" --orders "$ORDERS" --duration "$DURATION")
runs=(
    "$(printf '%q ' "$perf" load --protocol ouch --compare --in-flight "$IN_FLIGHT" "${common[@]}" --out "$OUT/ouch" "$@")"
    "$(printf '%q ' "$perf" load --protocol fix --compare --quickfix "$QUICKFIX_OUT/quickfix-acceptor" --in-flight "$IN_FLIGHT" "${common[@]}" --out "$OUT/fix" "$@")"
    "$(printf '%q ' "$perf" load --protocol ouch --mode open --rate "$RATE" --mix "$MIX" "${common[@]}" --out "$OUT/ouch-open" "$@")"
)
script="ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo"
for run in "${runs[@]}"; do
    echo "== $run" >&2
    script="$script && echo && $run"
done
unshare_args=(--net)
[ "$(id -u)" -ne 0 ] && unshare_args=(--net --map-root-user)
exec unshare "${unshare_args[@]}" sh -c "$script"
