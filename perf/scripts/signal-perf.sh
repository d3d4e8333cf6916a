#!/usr/bin/env bash
# Python -> shared-memory signals ring -> engine -> fills ring (perf/README.md, "Risk
# gates and the shared-memory ring"). Builds the gateway (release) into
# $GATEWAY_SCRATCH (default <repo>/.build-gw) if missing or stale, starts it with a
# temporary configuration (free loopback ports, market data retransmission/snapshot on
# port 0, data directory and both rings in a temporary directory), runs
# perf/python/signal_perf.py measure against it, stops it and removes the directory.
#
#   WAIT_STRATEGY   the bridge thread's shared_memory.wait_strategy (default spin-park;
#                   busy-spin, spin-yield; bare names: the bridge spins shared_memory.spin_count
#                   turns and parks at most shared_memory.poll_interval_us)
#   POLL_US         shared_memory.poll_interval_us (default: the gateway's, 100)
#   ENGINE_WAIT     engine.wait_strategy (default: the gateway's, spin-park)
#   COUNT           records per single-mode run (default 20000), WARMUP (1000)
#   RATE_COUNT      signals per records/s run (default 200000), BATCH (256)
#   DURATION        seconds at most per run (default 30)
# Extra arguments go to `signal_perf.py measure`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SWIFT="${SWIFT:-swift}"
PYTHON="${PYTHON:-python3}"
GATEWAY_SCRATCH="${GATEWAY_SCRATCH:-$root/.build-gw}"
WAIT_STRATEGY="${WAIT_STRATEGY:-spin-park}"
COUNT="${COUNT:-20000}"
WARMUP="${WARMUP:-1000}"
RATE_COUNT="${RATE_COUNT:-200000}"
BATCH="${BATCH:-256}"
DURATION="${DURATION:-30}"
perf_py="$root/perf/python/signal_perf.py"

echo "== building the gateway (release)" >&2
(cd "$root" && "$SWIFT" build -c release --scratch-path "$GATEWAY_SCRATCH" --product cift-gateway)
gateway="$("$SWIFT" build -c release --scratch-path "$GATEWAY_SCRATCH" --show-bin-path --package-path "$root")/cift-gateway"

dir="$(mktemp -d /tmp/cift-signal-perf.XXXXXX)"
gateway_pid=""
cleanup() {
    if [ -n "$gateway_pid" ] && kill -0 "$gateway_pid" 2>/dev/null; then
        kill -TERM "$gateway_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$gateway_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$gateway_pid" 2>/dev/null || true
        wait "$gateway_pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Free loopback ports (TCP for FIX and OUCH, UDP for the multicast group's port).
read -r fix_port ouch_port md_port < <("$PYTHON" - <<'EOF'
import socket
socks = [socket.socket(socket.AF_INET, t) for t in (socket.SOCK_STREAM, socket.SOCK_STREAM, socket.SOCK_DGRAM)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
for s in socks: s.close()
EOF
)

settings=(
    --set ".data_dir=\"$dir/data\""
    --set "fix.listen=\"127.0.0.1:$fix_port\""
    --set "fix.dictionary=\"$root/fix-dictionaries/FIX44.xml\""
    --set "ouch.listen=\"127.0.0.1:$ouch_port\""
    --set "market_data.group=\"239.192.0.1:$md_port\""
    --set "market_data.retransmission=\"127.0.0.1:0\""
    --set "market_data.snapshot=\"127.0.0.1:0\""
    --set "shared_memory.signals=\"$dir/signals\""
    --set "shared_memory.fills=\"$dir/fills\""
    --set "shared_memory.wait_strategy=\"$WAIT_STRATEGY\""
)
[ -n "${POLL_US:-}" ] && settings+=(--set "shared_memory.poll_interval_us=$POLL_US")
[ -n "${ENGINE_WAIT:-}" ] && settings+=(--set "engine.wait_strategy=\"$ENGINE_WAIT\"")
"$gateway" config | "$PYTHON" "$perf_py" config --out "$dir/gateway.toml" "${settings[@]}"

echo "== starting the gateway (shared_memory.wait_strategy = $WAIT_STRATEGY${POLL_US:+, poll_interval_us = $POLL_US}${ENGINE_WAIT:+, engine.wait_strategy = $ENGINE_WAIT}) in $dir" >&2
"$gateway" run --config "$dir/gateway.toml" >"$dir/gateway.log" 2>&1 &
gateway_pid=$!
for _ in $(seq 600); do
    grep -q "ready in" "$dir/gateway.log" && break
    kill -0 "$gateway_pid" 2>/dev/null || { cat "$dir/gateway.log" >&2; echo "the gateway exited before it was ready" >&2; exit 1; }
    sleep 0.1
done
grep -q "ready in" "$dir/gateway.log" || { cat "$dir/gateway.log" >&2; echo "the gateway was not ready after 60 s" >&2; exit 1; }

echo "== measuring: count $COUNT (+$WARMUP warm-up), rate count $RATE_COUNT, batch $BATCH, at most $DURATION s per run" >&2
status=0
"$PYTHON" "$perf_py" measure --signals "$dir/signals" --fills "$dir/fills" --count "$COUNT" --warmup "$WARMUP" \
    --rate-count "$RATE_COUNT" --batch "$BATCH" --duration "$DURATION" \
    --wait-strategy "$WAIT_STRATEGY${POLL_US:+, poll_interval_us $POLL_US}${ENGINE_WAIT:+, engine $ENGINE_WAIT}" "$@" || status=$?
if grep -qiE "error|warning" "$dir/gateway.log"; then
    echo "== gateway log (errors and warnings):" >&2
    grep -iE "error|warning" "$dir/gateway.log" | head -20 >&2
fi
exit "$status"
