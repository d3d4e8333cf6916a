#!/usr/bin/env bash
# Threading modes side by side (issue 12, perf/RESULTS.md "Threading modes"): the same
# loads against the gateway in each mode, each run with its own TCP floor (and QuickFIX
# for FIX) measured in the same invocation, then the goals as ratios, met or missed.
#
# Placement (2-core machine): cift-perf and its clients on CPU $CLIENT_CORES; the gateway,
# the QuickFIX acceptor and the floor's echo thread on CPU $SERVER_CORES (cift-perf load
# --server-cores). The mode `dedicated-unpinned` is today's old layout as it ran before
# the agents: dedicated threads free to use every CPU, only the engine pinned.
#
# Per mode: 1. OUCH closed loop, --compare --feed (gateway, floor); 2. FIX closed loop,
# --compare (gateway, QuickFIX, floor); 3. FIX at $FIX_DEPTH in flight per connection
# (throughput); 4. OUCH open loop at $RATE requests/s, full mix. Then the idle gateway's
# CPU use over $IDLE_SECONDS s. Results under $OUT/<mode>/, the table on stdout.
#   MODES="dedicated-unpinned dedicated shared" ORDERS=20000 perf/scripts/threading-compare.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SWIFT="${SWIFT:-swift}"
GATEWAY_SCRATCH="${GATEWAY_SCRATCH:-$root/.build-gw}"
PERF_SCRATCH="${PERF_SCRATCH:-$root/perf/.build-perf}"
QUICKFIX_OUT="${QUICKFIX_OUT:-$root/.build-qf}"
OUT="${OUT:-$root/perf/.results/threading}"
MODES="${MODES:-dedicated-unpinned dedicated split shared}"
CLIENT_CORES="${CLIENT_CORES:-0}"
SERVER_CORES="${SERVER_CORES:-1}"
CONNECTIONS="${CONNECTIONS:-4}"
FIX_DEPTH="${FIX_DEPTH:-16}"
WARMUP="${WARMUP:-2000}"
ORDERS="${ORDERS:-20000}"
DURATION="${DURATION:-8}"
RATE="${RATE:-20000}"
MIX="${MIX:-rest=50,cancel=20,replace=10,market=20}"
IDLE_SECONDS="${IDLE_SECONDS:-10}"
SKIP_BUILD="${SKIP_BUILD:-0}"

if [ "$SKIP_BUILD" != 1 ]; then
    echo "== building the gateway (release)" >&2
    (cd "$root" && "$SWIFT" build -c release --scratch-path "$GATEWAY_SCRATCH" --product cift-gateway)
    echo "== building cift-perf (release)" >&2
    (cd "$root/perf" && "$SWIFT" build -c release --scratch-path "$PERF_SCRATCH" --product cift-perf)
    echo "== building the QuickFIX acceptor" >&2
    "$root/perf/quickfix-acceptor/build.sh" "$QUICKFIX_OUT" >/dev/null
fi
gateway="${GATEWAY:-$("$SWIFT" build -c release --scratch-path "$GATEWAY_SCRATCH" --show-bin-path --package-path "$root")/cift-gateway}"
perf="${PERF:-$("$SWIFT" build -c release --scratch-path "$PERF_SCRATCH" --show-bin-path --package-path "$root/perf")/cift-perf}"
quickfix="${QUICKFIX:-$QUICKFIX_OUT/quickfix-acceptor}"
mkdir -p "$OUT"

echo "== $(date -u +%FT%TZ) on $(hostname), $(nproc) CPUs; uptime:$(uptime)"
script="ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo"
for entry in $MODES; do
    mode=${entry%-unpinned}
    cores=$SERVER_CORES
    [ "$entry" != "$mode" ] && cores=$(seq -s, 0 $(($(nproc) - 1)))
    dir="$OUT/$entry"
    mkdir -p "$dir"
    set_mode=(--gateway-set "threading.mode=\"$mode\"")
    common=(--gateway "$gateway" --connections "$CONNECTIONS" --warmup "$WARMUP" --orders "$ORDERS" --duration "$DURATION" --server-cores "$cores")
    runs=(
        "$(printf '%q ' taskset -c "$CLIENT_CORES" "$perf" load --protocol ouch --compare --feed --in-flight 1 "${common[@]}" "${set_mode[@]}" --out "$dir/ouch")"
        "$(printf '%q ' taskset -c "$CLIENT_CORES" "$perf" load --protocol fix --compare --quickfix "$quickfix" --in-flight 1 "${common[@]}" "${set_mode[@]}" --out "$dir/fix")"
        "$(printf '%q ' taskset -c "$CLIENT_CORES" "$perf" load --protocol fix --compare --quickfix "$quickfix" --in-flight "$FIX_DEPTH" "${common[@]}" "${set_mode[@]}" --out "$dir/fix-depth")"
        "$(printf '%q ' taskset -c "$CLIENT_CORES" "$perf" load --protocol ouch --mode open --rate "$RATE" --mix "$MIX" --feed "${common[@]}" "${set_mode[@]}" --out "$dir/ouch-open")"
    )
    for run in "${runs[@]}"; do
        script="$script && echo && echo '== [$entry] servers on CPUs $cores' && $run"
    done
done
unshare_args=(--net)
[ "$(id -u)" -ne 0 ] && unshare_args=(--net --map-root-user)
unshare "${unshare_args[@]}" sh -c "$script"

# The idle gateway: no client at all, CPU time over IDLE_SECONDS (utime + stime of every thread).
for entry in $MODES; do
    mode=${entry%-unpinned}
    cores=$SERVER_CORES
    [ "$entry" != "$mode" ] && cores=$(seq -s, 0 $(($(nproc) - 1)))
    dir=$(mktemp -d)
    "$root/perf/scripts/gateway-toml.sh" "$dir" "$mode" > "$dir/idle.toml"
    taskset -c "$cores" "$gateway" run --config "$dir/idle.toml" >"$dir/out" 2>"$dir/err" &
    pid=$!
    for _ in $(seq 1 100); do grep -q "ready in" "$dir/err" 2>/dev/null && break; sleep 0.1; done
    sleep 1
    if command -v perf >/dev/null && perf stat -e task-clock -p "$pid" -- sleep 0.1 >/dev/null 2>&1; then
        # perf's task-clock: the CPU time of every thread, to the microsecond.
        ms=$(perf stat -x, -e task-clock -p "$pid" -- sleep "$IDLE_SECONDS" 2>&1 | awk -F, '/task-clock/ {print $1}')
        how="perf stat task-clock"
    else
        # utime + stime in clock ticks (10 ms each): coarse, it over- or under-counts short runs.
        ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
        before=$(ticks)
        sleep "$IDLE_SECONDS"
        after=$(ticks)
        ms=$(python3 -c "print(1000.0 * ($after - $before) / $(getconf CLK_TCK))")
        how="/proc/PID/stat ticks"
    fi
    kill -TERM "$pid"; wait "$pid" || true
    python3 -c "print('idle $entry: %.2f%% of one core over $IDLE_SECONDS s ($how)' % (100.0 * $ms / 1000.0 / $IDLE_SECONDS))" | tee "$OUT/$entry/idle.txt"
    rm -rf "$dir"
done

python3 "$root/perf/scripts/threading-table.py" "$OUT" $MODES
