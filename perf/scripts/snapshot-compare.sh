#!/usr/bin/env bash
# What the snapshot thread costs order entry (issue 14, perf/RESULTS.md "Restart after ten
# million commands"): the same OUCH closed loop (order → Accepted, with the feed) against
# the gateway with snapshots off and with a snapshot every $EVERY commands (several during
# the run), alternating $ROUNDS times, each run with its own TCP floor measured in the same
# invocation. Placement (2-core machine): cift-perf and its clients on CPU $CLIENT_CORES,
# the gateway (threading.mode = "$MODE") and the floor's echo thread on CPU $SERVER_CORES;
# the snapshot thread is the gateway's and runs at SCHED_IDLE on the same CPU set.
#   EVERY=20000 ROUNDS=2 perf/scripts/snapshot-compare.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SWIFT="${SWIFT:-swift}"
GATEWAY_SCRATCH="${GATEWAY_SCRATCH:-$root/.build-gw}"
PERF_SCRATCH="${PERF_SCRATCH:-$root/perf/.build-perf}"
OUT="${OUT:-$root/perf/.results/snapshots}"
MODE="${MODE:-shared}"
EVERY="${EVERY:-20000}"
ROUNDS="${ROUNDS:-2}"
CLIENT_CORES="${CLIENT_CORES:-0}"
SERVER_CORES="${SERVER_CORES:-1}"
CONNECTIONS="${CONNECTIONS:-4}"
WARMUP="${WARMUP:-2000}"
ORDERS="${ORDERS:-40000}"
DURATION="${DURATION:-10}"
SKIP_BUILD="${SKIP_BUILD:-0}"

if [ "$SKIP_BUILD" != 1 ]; then
    (cd "$root" && "$SWIFT" build -c release --scratch-path "$GATEWAY_SCRATCH" --product cift-gateway)
    (cd "$root/perf" && "$SWIFT" build -c release --scratch-path "$PERF_SCRATCH" --product cift-perf)
fi
gateway="${GATEWAY:-$("$SWIFT" build -c release --scratch-path "$GATEWAY_SCRATCH" --show-bin-path --package-path "$root")/cift-gateway}"
perf="${PERF:-$("$SWIFT" build -c release --scratch-path "$PERF_SCRATCH" --show-bin-path --package-path "$root/perf")/cift-perf}"
mkdir -p "$OUT"

echo "== $(date -u +%FT%TZ) on $(hostname), $(nproc) CPUs; uptime:$(uptime)"
script="ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo"
for round in $(seq 1 "$ROUNDS"); do
    for every in 0 "$EVERY"; do
        label="snapshots-$([ "$every" = 0 ] && echo off || echo "every-$every")-$round"
        run="$(printf '%q ' taskset -c "$CLIENT_CORES" "$perf" load --protocol ouch --compare --feed --in-flight 1 \
            --gateway "$gateway" --connections "$CONNECTIONS" --warmup "$WARMUP" --orders "$ORDERS" --duration "$DURATION" \
            --server-cores "$SERVER_CORES" --gateway-set "threading.mode=\"$MODE\"" \
            --gateway-set "journal.snapshot_every_commands=$every" --out "$OUT/$label")"
        script="$script && echo && echo '== $label: servers on CPUs $SERVER_CORES' && $run"
    done
done
unshare_args=(--net)
[ "$(id -u)" -ne 0 ] && unshare_args=(--net --map-root-user)
unshare "${unshare_args[@]}" sh -c "$script"
