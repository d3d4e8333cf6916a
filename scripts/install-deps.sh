#!/usr/bin/env bash
# Installs what the gateway needs to build and test, and nothing that is already there.
# Every machine (a developer's, CI's) starts bare, so `make run` and `make test` call this.
set -euo pipefail

packages=(liburing-dev libquickfix-dev libssl-dev pkg-config iproute2 python3 python3-pip python3-pytest python3-numpy tshark libxml2-utils)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
    echo "install-deps: installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    # tshark asks whether non-root users may capture; the tests capture as root.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The complete FIX 4.4 dictionary (every message and field): QuickFIX's spec/FIX44.xml,
# taken from PyPI's quickfix source distribution at install time. It is QuickFIX's file
# (QuickFIX Software License), so it is fetched, not committed (fix-dictionaries/.gitignore);
# the venue's own statement of what it answers is fix-dictionaries/CIFT-FIX44.xml.
here="$(cd "$(dirname "$0")/.." && pwd)"
full="$here/fix-dictionaries/FIX44.xml"
if [ ! -s "$full" ]; then
    echo "install-deps: fetching the FIX 4.4 dictionary (PyPI quickfix sdist, spec/FIX44.xml)"
    tmp=$(mktemp -d)
    if ! python3 -m pip download --quiet --no-deps --no-binary :all: "quickfix==1.16.0" -d "$tmp" >/dev/null \
        || ! tar -xzf "$tmp"/quickfix-*.tar.gz -C "$tmp" --wildcards '*/spec/FIX44.xml'; then
        rm -rf "$tmp"
        echo "install-deps: could not fetch quickfix's FIX44.xml from PyPI; put a complete FIX 4.4 dictionary (QuickFIX XML) at $full"
        exit 1
    fi
    cp "$tmp"/quickfix-*/spec/FIX44.xml "$full.tmp" && mv "$full.tmp" "$full"
    rm -rf "$tmp"
fi

# A third-party FIX client for the interop tests (Tests/IntegrationTests/FIXSimplefixTests.swift).
if ! python3 -c "import simplefix" 2>/dev/null; then
    echo "install-deps: installing simplefix (PyPI)"
    python3 -m pip install --quiet "simplefix==1.0.17" 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages "simplefix==1.0.17"
fi

command -v swift >/dev/null || { echo "install-deps: swift is not on PATH (Swift 6.3 is expected at /opt/swift)"; exit 1; }
