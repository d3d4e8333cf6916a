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

command -v swift >/dev/null || { echo "install-deps: swift is not on PATH (Swift 6.3 is expected at /opt/swift)"; exit 1; }
