#!/usr/bin/env bash
# Configures (once) and builds one flavour of synack. Usage: scripts/build.sh [release|asan|fuzz]
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
case "$flavour" in
  release) dir=build;      opts=(-Dbuildtype=release -Dwerror=true) ;;
  asan)    dir=build-asan; opts=(-Dbuildtype=debug -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false) ;;
  fuzz)    dir=build-fuzz; opts=(-Dbuildtype=debug -Dfuzz=true -Dtests=false -Db_sanitize=address,undefined -Db_lundef=false)
           export CC=clang ;;
  *) echo "build.sh: unknown flavour '$flavour' (release, asan, fuzz)" >&2; exit 2 ;;
esac
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" "${opts[@]}" >/dev/null
fi
ninja -C "$dir" >/dev/null
