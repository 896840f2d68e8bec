#!/usr/bin/env bash
# Installs every dependency synack builds, tests and benchmarks with, from Debian's packages.
# Idempotent: when everything is already there it checks and returns in well under a second.
set -euo pipefail

PKGS=(
  build-essential pkg-config meson ninja-build
  libdpdk-dev dpdk-dev libnuma-dev libcriterion-dev
  clang libclang-rt-14-dev libbpf-dev
  iproute2 iputils-ping ethtool tcpdump tshark python3-scapy curl nginx-light
  gnuplot-nox valgrind
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# tshark asks whether non-root users may capture; answer once, quietly.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
