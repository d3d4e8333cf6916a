#!/usr/bin/env bash
# Builds the QuickFIX acceptor measured by `cift-perf fix --compare` into the folder
# given as the only argument, with g++ against Debian's libquickfix-dev 1.15.1
# (installed by scripts/install-deps.sh). Copies its settings file and QuickFIX's own
# FIX 4.4 dictionary beside the binary:
#   <dir>/quickfix-acceptor  <dir>/acceptor.cfg  <dir>/FIX44.xml
set -euo pipefail
if [ $# -ne 1 ]; then
    echo "usage: $0 <output folder>" >&2
    exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$1"
mkdir -p "$out"
# -std=c++14: Debian's QuickFIX 1.15.1 headers use dynamic exception specifications.
g++ -std=c++14 -O2 -Wno-deprecated -o "$out/quickfix-acceptor" "$here/acceptor.cpp" -lquickfix -lpthread
cp "$here/acceptor.cfg" "$here/FIX44.xml" "$out/"
echo "$out/quickfix-acceptor"
