#!/usr/bin/env bash
# An application built outside the tree: `meson install` into a scratch directory, then
# app/example/upper.c compiled on its own against the installed headers and archives through
# pkg-config (`cc upper.c $(pkg-config --cflags --libs synack)`), and run: it answers a Linux
# client's line over net_tap as the in-tree build does.
. "$(dirname "$0")/lib.sh"
echo "t16: an application built against the installed synack (pkg-config)"
DEST=$TMP/dest
check "meson install into a scratch directory" meson install -C "$BUILD" --destdir "$DEST" --quiet
pcf=$(find "$DEST" -name synack.pc | head -1)
check "synack.pc installed ($pcf)" [ -n "$pcf" ]
# The file names its install prefix; the scratch copy lives under DEST.
sed -i "s|^prefix=.*|prefix=$DEST$(sed -n 's/^prefix=//p' "$pcf")|" "$pcf"
export PKG_CONFIG_PATH=$(dirname "$pcf")
mkdir -p "$TMP/out"
cp "$ROOT/app/example/upper.c" "$TMP/out/"
check "upper.c builds outside the tree" cc -std=c11 -D_GNU_SOURCE -O2 -o "$TMP/out/upper" "$TMP/out/upper.c" \
  $(pkg-config --cflags --libs synack)
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" "$TMP/out/upper" --config "$ROOT/drivers-config/tap.ini" \
  --set "port0.devargs=iface=$TAG" --set port0.ip=198.18.0.2/24 --port 7000 >"$TMP/upper.log" 2>&1 &
PIDS+=("$!")
wait_iface "$TAG" "$NS" || { fail "TAP never appeared"; cat "$TMP/upper.log"; finish; exit 1; }
for _ in $(seq 100); do grep -q listening "$TMP/upper.log" && break; sleep 0.1; done
ip netns exec "$NS" ip addr add 198.18.0.1/24 dev "$TAG"
ip netns exec "$NS" ip link set "$TAG" up
out=$(ip netns exec "$NS" "$PY" -c '
import socket
s = socket.create_connection(("198.18.0.2", 7000), timeout=5)
s.sendall(b"built outside\n")
got = b""
while not got.endswith(b"\n"):
    c = s.recv(100)
    if not c: break
    got += c
print(got.decode().strip())')
check "it answers ($out)" [ "$out" = "BUILT OUTSIDE [1]" ]
finish
