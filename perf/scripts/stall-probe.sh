#!/usr/bin/env bash
# Does an order's latency jump while expensive, rare work runs in the same duty cycle?
# (issue 12; specs/threading.md "Work that is expensive and rare"). One gateway, started
# here with TLS in threading mode $MODE; the same closed-loop OUCH load (cift-perf load
# --target, $CONNECTIONS connection(s), 1 in flight) three times: quiet, while $STORM
# clients do TLS handshakes on the gateway's TLS listener back to back (each handshake an
# RSA-2048 signature on the gateway's thread), and quiet again. Prints the three summaries.
# Placement: cift-perf and the storm on CPU $CLIENT_CORES, the gateway on $SERVER_CORES.
#   MODE=shared STORM=50 perf/scripts/stall-probe.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SWIFT="${SWIFT:-swift}"
MODE="${MODE:-shared}"
STORM="${STORM:-50}"
CONNECTIONS="${CONNECTIONS:-1}"
ORDERS="${ORDERS:-20000}"
DURATION="${DURATION:-6}"
CLIENT_CORES="${CLIENT_CORES:-0}"
SERVER_CORES="${SERVER_CORES:-0,1}"
gateway="${GATEWAY:-$("$SWIFT" build -c release --scratch-path "$root/.build-gw" --show-bin-path --package-path "$root")/cift-gateway}"
perf="${PERF:-$("$SWIFT" build -c release --scratch-path "$root/perf/.build-perf" --show-bin-path --package-path "$root/perf")/cift-perf}"
dir=$(mktemp -d)
trap 'kill "${gw:-0}" 2>/dev/null || true; rm -rf "$dir"' EXIT
"$root/scripts/make-test-certificates.sh" "$dir/tls" >/dev/null
read -r ouch tls < <(python3 -c "
import socket
ports = []
for _ in range(2):
    s = socket.socket(); s.bind(('127.0.0.1', 0)); ports.append(s.getsockname()[1]); s.close()
print(*ports)")
cat > "$dir/gw.toml" <<TOML
data_dir = "$dir/data"
[threading]
mode = "$MODE"
[ouch]
listen = "127.0.0.1:$ouch"
[fix]
listen = "127.0.0.1:0"
dictionary = "$root/fix-dictionaries/FIX44.xml"
[market_data]
retransmission = "127.0.0.1:0"
snapshot = "127.0.0.1:0"
[shared_memory]
signals = "$dir/signals"
fills = "$dir/fills"
[tls]
certificate = "$dir/tls/server.pem"
private_key = "$dir/tls/server.key"
ouch_listen = "127.0.0.1:$tls"
fix_listen = "127.0.0.1:0"
TOML
echo "== $(date -u +%FT%TZ), $(nproc) CPUs; uptime:$(uptime); mode $MODE; gateway on CPUs $SERVER_CORES, clients on $CLIENT_CORES"
taskset -c "$SERVER_CORES" "$gateway" run --config "$dir/gw.toml" >"$dir/gw.out" 2>"$dir/gw.err" &
gw=$!
for _ in $(seq 1 100); do grep -q "ready in" "$dir/gw.err" 2>/dev/null && break; sleep 0.1; done
grep "threading:" "$dir/gw.err" || true

load() {
    taskset -c "$CLIENT_CORES" "$perf" load --protocol ouch --target "127.0.0.1:$ouch" --connections "$CONNECTIONS" \
        --in-flight 1 --warmup 1000 --orders "$ORDERS" --duration "$DURATION" --out "$dir/$1" 2>/dev/null | sed -n '1,6p'
}

echo; echo "== quiet"; load quiet
echo; echo "== while $STORM clients handshake back to back on the TLS listener"
taskset -c "$CLIENT_CORES" python3 - "$tls" "$STORM" "$((DURATION + 4))" "$dir/tls/ca.pem" <<'PY' &
import socket, ssl, sys, threading, time
port, clients, seconds, ca = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
context = ssl.create_default_context(cafile=ca)
context.check_hostname = False
end = time.time() + seconds
done = [0]
def storm():
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port)) as raw:
                with context.wrap_socket(raw, server_hostname="127.0.0.1"):
                    done[0] += 1
        except OSError:
            time.sleep(0.01)
threads = [threading.Thread(target=storm) for _ in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
print("storm: %d handshakes in %.0f s (%.0f/s)" % (done[0], seconds, done[0] / seconds))
PY
storm=$!
sleep 1
load storm
wait "$storm"
echo; echo "== quiet again"; load after
