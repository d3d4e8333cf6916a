#!/usr/bin/env bash
# Prints a gateway configuration for a script that starts cift-gateway itself: every
# file under DIR, loopback listeners (OUCH on OUCH_PORT, the rest on ports the kernel
# picks), threading mode MODE, and with TLS_PORT the OUCH TLS listener there, using the
# test PKI in DIR/tls (scripts/make-test-certificates.sh).
#   perf/scripts/gateway-toml.sh DIR MODE [OUCH_PORT [TLS_PORT]] > gateway.toml
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir=$1 mode=$2 ouch=${3:-0} tls=${4:-}
cat <<TOML
data_dir = "$dir/data"
[threading]
mode = "$mode"
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
TOML
if [ -n "$tls" ]; then
    cat <<TOML
[tls]
certificate = "$dir/tls/server.pem"
private_key = "$dir/tls/server.key"
ouch_listen = "127.0.0.1:$tls"
fix_listen = "127.0.0.1:0"
TOML
fi
