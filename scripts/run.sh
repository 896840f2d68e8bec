#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and runs synack's main job.
# Until the handshake benchmark lands, the main job is synack-demo: an in-memory client core and
# server core going through handshakes, data, losses and closes, printing every segment and state.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh release
exec ./build/app/demo/synack-demo "$@"
