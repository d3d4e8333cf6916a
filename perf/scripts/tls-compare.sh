#!/usr/bin/env bash
# TLS against plain TCP on one gateway (perf/RESULTS.md "TLS", issue 8): builds what is
# missing or stale, one build at a time, each in its own scratch folder
#   the gateway (release)          $GATEWAY_SCRATCH  (default <repo>/.build-gw)
#   cift-perf (release)            $PERF_SCRATCH     (default <repo>/perf/.build-perf)
# then runs `cift-perf load --tls-compare` four times, each against a gateway it starts
# with [tls] (a test PKI made by scripts/make-test-certificates.sh in the run's
# temporary directory, client certificates required):
#   OUCH plain then TLS, OUCH TLS then plain, FIX plain then TLS, FIX TLS then plain
# (the same load against the plain and the TLS listener of one process, then the echo
# floor plain and behind TLS; both orders, because on a shared 2-core machine the run
# order alone moves the gateway's p50 by 10-30%), each
# preceded by $HANDSHAKES connection set-ups per listener (TCP connect; TCP connect →
# TLS established). Each load: $CONNECTIONS connections, closed loop, $IN_FLIGHT in
# flight, $WARMUP + at most $ORDERS requests or $DURATION s, the standard mix.
# Results (summary, load.json, .hgrm, load.html) go to $OUT/{ouch,ouch-tls-first,fix,fix-tls-first}
# (default <repo>/perf/.results/tls). Defaults: about 20 s. Extra arguments go to
# every `cift-perf load`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SWIFT="${SWIFT:-swift}"
GATEWAY_SCRATCH="${GATEWAY_SCRATCH:-$root/.build-gw}"
PERF_SCRATCH="${PERF_SCRATCH:-$root/perf/.build-perf}"
OUT="${OUT:-$root/perf/.results/tls}"
CONNECTIONS="${CONNECTIONS:-4}"
IN_FLIGHT="${IN_FLIGHT:-1}"
WARMUP="${WARMUP:-2000}"
ORDERS="${ORDERS:-10000}"
DURATION="${DURATION:-5}"
HANDSHAKES="${HANDSHAKES:-200}"

echo "== building the gateway (release)" >&2
(cd "$root" && "$SWIFT" build -c release --scratch-path "$GATEWAY_SCRATCH" --product cift-gateway)
echo "== building cift-perf (release)" >&2
(cd "$root/perf" && "$SWIFT" build -c release --scratch-path "$PERF_SCRATCH" --product cift-perf)

mkdir -p "$OUT"
gateway="$("$SWIFT" build -c release --scratch-path "$GATEWAY_SCRATCH" --show-bin-path --package-path "$root")/cift-gateway"
perf="$("$SWIFT" build -c release --scratch-path "$PERF_SCRATCH" --show-bin-path --package-path "$root/perf")/cift-perf"
common=(--gateway "$gateway" --tls-compare --handshakes "$HANDSHAKES" --connections "$CONNECTIONS" --in-flight "$IN_FLIGHT"
        --warmup "$WARMUP" --orders "$ORDERS" --duration "$DURATION")
for protocol in ouch fix; do
    for first in plain tls; do
        out="$OUT/$protocol"
        extra=()
        if [ "$first" = tls ]; then out="$OUT/$protocol-tls-first"; extra=(--tls-first); fi
        echo "== $protocol, $first listener first" >&2
        "$perf" load --protocol "$protocol" "${common[@]}" "${extra[@]}" --out "$out" "$@"
        echo
    done
done
