#!/usr/bin/env bash
# Does an order's latency jump while expensive, rare work runs in the same duty cycle?
# (issue 12; specs/threading.md "Work that is expensive and rare"). One gateway, started
# here with TLS in threading mode $MODE; the same closed-loop OUCH load (cift-perf load
# --target, $CONNECTIONS connection(s), 1 in flight) three times: quiet, while waves of
# $STORM TLS handshakes arrive every $WAVE_MS ms on the gateway's TLS listener (each
# handshake an RSA-2048 signature on the gateway's thread), while a FIX client that has
# $RESEND_ORDERS reports stored asks for all of them again (ResendRequest 1..0) once a
# second and reads them, and quiet again.
# Placement: cift-perf and the storm on CPU $CLIENT_CORES, the gateway on $SERVER_CORES.
#   MODE=shared STORM=50 perf/scripts/stall-probe.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SWIFT="${SWIFT:-swift}"
MODE="${MODE:-shared}"
STORM="${STORM:-50}"
WAVE_MS="${WAVE_MS:-250}"
RESEND_ORDERS="${RESEND_ORDERS:-10000}"
CONNECTIONS="${CONNECTIONS:-1}"
ORDERS="${ORDERS:-20000}"
DURATION="${DURATION:-6}"
CLIENT_CORES="${CLIENT_CORES:-0}"
SERVER_CORES="${SERVER_CORES:-0,1}"
gateway="${GATEWAY:-$("$SWIFT" build -c release --scratch-path "$root/.build-gw" --show-bin-path --package-path "$root")/cift-gateway}"
perf="${PERF:-$("$SWIFT" build -c release --scratch-path "$root/perf/.build-perf" --show-bin-path --package-path "$root/perf")/cift-perf}"
dir=$(mktemp -d)
gw=""
trap '[ -n "$gw" ] && kill "$gw" 2>/dev/null; rm -rf "$dir"' EXIT
"$root/scripts/make-test-certificates.sh" "$dir/tls" >/dev/null
read -r ouch tls < <(python3 -c "
import socket
ports = []
for _ in range(2):
    s = socket.socket(); s.bind(('127.0.0.1', 0)); ports.append(s.getsockname()[1]); s.close()
print(*ports)")
echo "== $(date -u +%FT%TZ), $(nproc) CPUs; uptime:$(uptime); mode $MODE; gateway on CPUs $SERVER_CORES, clients on $CLIENT_CORES"

# A fresh gateway (and data directory) per phase: a load's users start their UserRefNums
# at 1, which a gateway that saw them already would refuse.
start_gateway() {
    [ -n "${gw:-}" ] && { kill -TERM "$gw"; wait "$gw" || true; }
    mkdir -p "$dir/$1"
    cp -r "$dir/tls" "$dir/$1/tls"
    "$root/perf/scripts/gateway-toml.sh" "$dir/$1" "$MODE" "$ouch" "$tls" > "$dir/$1/gw.toml"
    taskset -c "$SERVER_CORES" "$gateway" run --config "$dir/$1/gw.toml" >"$dir/$1/gw.out" 2>"$dir/$1/gw.err" &
    gw=$!
    for _ in $(seq 1 100); do grep -q "ready in" "$dir/$1/gw.err" 2>/dev/null && break; sleep 0.1; done
    grep -o "threading:.*" "$dir/$1/gw.err" || true
}

load() {
    taskset -c "$CLIENT_CORES" "$perf" load --protocol ouch --target "127.0.0.1:$ouch" --connections "$CONNECTIONS" \
        --in-flight 1 --warmup 1000 --orders "$ORDERS" --duration "$DURATION" --out "$dir/$1/load" 2>/dev/null \
        | grep -E "^target|order → ack|answers/s"
}

echo; echo "== quiet"; start_gateway quiet; load quiet
echo; echo "== while waves of $STORM TLS handshakes (every $WAVE_MS ms) hit the TLS listener"; start_gateway storm
taskset -c "$CLIENT_CORES" python3 - "$tls" "$STORM" "$((DURATION + 4))" "$dir/tls/ca.pem" "$WAVE_MS" <<'PY' &
import socket, ssl, sys, threading, time
port, clients, seconds, ca, wave = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], float(sys.argv[5]) / 1000
context = ssl.create_default_context(cafile=ca)
context.check_hostname = False
start = time.time()
end = start + seconds
done = [0]
def client():
    # One handshake per wave: every `wave` seconds all clients connect at once, so about
    # `clients` handshakes are in progress together.
    tick = start
    while tick < end:
        time.sleep(max(0.0, tick - time.time()))
        try:
            with socket.create_connection(("127.0.0.1", port)) as raw:
                with context.wrap_socket(raw, server_hostname="127.0.0.1"):
                    done[0] += 1
        except OSError:
            pass
        tick += wave
threads = [threading.Thread(target=client) for _ in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
print("storm: %d handshakes in %.0f s, in waves of %d every %.0f ms" % (done[0], seconds, clients, wave * 1000))
PY
storm=$!
sleep 1
load storm
wait "$storm"
echo; echo "== while a FIX client's $RESEND_ORDERS stored reports are resent, again and again"; start_gateway resend
fix=$(grep -o "FIX 4.4 on 127.0.0.1:[0-9]*" "$dir/resend/gw.err" | grep -o "[0-9]*$")
taskset -c "$CLIENT_CORES" python3 - "$fix" "$RESEND_ORDERS" "$((DURATION + 3))" "$dir/resend/fix.ready" <<'PY' > "$dir/resend/fix.out" &
import socket, sys, time
port, orders, seconds, ready = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
seq = [1]
def message(msg_type, fields):
    body = "35=%s\x0149=CLIENT1\x0156=CIFT\x0134=%d\x0152=%s\x01" % (
        msg_type, seq[0], time.strftime("%Y%m%d-%H:%M:%S.000", time.gmtime()))
    body += "".join("%d=%s\x01" % f for f in fields)
    seq[0] += 1
    head = "8=FIX.4.4\x019=%d\x01" % len(body)
    total = sum((head + body).encode()) % 256
    return (head + body + "10=%03d\x01" % total).encode()
s = socket.create_connection(("127.0.0.1", port))
s.sendall(message("A", [(98, "0"), (108, "30"), (553, "CLIENT1"), (554, "demo")]))
buffer = b""
def read_until(count_tag, want):
    # Reads until `want` messages containing count_tag have arrived; returns the last seq seen.
    global buffer
    seen, last = 0, 0
    while seen < want:
        chunk = s.recv(1 << 20)
        if not chunk: raise SystemExit("closed")
        buffer += chunk
        while b"\x0110=" in buffer:
            end = buffer.index(b"\x0110=") + 8
            msg, buffer = buffer[:end], buffer[end:]
            if count_tag in msg:
                seen += 1
                last = int(msg.split(b"\x0134=")[1].split(b"\x01")[0])
    return last
read_until(b"\x0135=A\x01", 1)
# Resting buys far below the load's prices, on another symbol.
for n in range(orders):
    s.sendall(message("D", [(11, "S%d" % n), (55, "SPY"), (54, "1"), (60, "20261121-12:00:00.000"),
                            (38, "100"), (40, "2"), (44, "%.2f" % (1 + (n % 400) * 0.01)), (59, "0")]))
    if n % 200 == 199: read_until(b"\x0135=8\x01", 200)
read_until(b"\x0135=8\x01", orders % 200)
open(ready, "w").close()
start, end, took = time.time(), time.time() + seconds, []
while time.time() < end:
    began = time.time()
    s.sendall(message("2", [(7, "1"), (16, "0")]))
    read_until(b"\x0135=8\x01", orders)
    took.append(time.time() - began)
    time.sleep(max(0.0, 1.0 - (time.time() - began)))
print("resend: %d resends of %d reports, each in %s s" % (len(took), orders, ", ".join("%.2f" % t for t in took)))
PY
resender=$!
for _ in $(seq 1 600); do [ -e "$dir/resend/fix.ready" ] && break; sleep 0.1; done
sleep 0.5
load resend
wait "$resender" || true
cat "$dir/resend/fix.out"

echo; echo "== quiet again"; start_gateway after; load after
