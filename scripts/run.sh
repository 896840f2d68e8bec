#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and runs synack's main job: the
# handshake benchmark, synack-bench --quick (the handshake, close and request workloads, synack on a
# net_ring pair and over net_memif beside the Linux kernel on loopback, in the same run, on virtual
# ports: no NIC, no hugepages). Arguments go to synack-bench (e.g. --json out.json --plots plots/).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh release
exec ./build/bench/synack-bench --quick "$@"
