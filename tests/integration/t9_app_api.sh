#!/usr/bin/env bash
# The application API from outside: synack-upper (app/example/upper.c, an application of a few
# lines on synack_app.h) answers a Linux client's lines with their upper-case copies and a count,
# over net_tap; the connection closes cleanly when the client closes. Then 1 MB of lines through it:
# its answers are longer than its input, so its send ring fills and data() leaves bytes to the
# stack (receive backpressure); every line must come back, in order, counted.
. "$(dirname "$0")/lib.sh"
echo "t9: an application of one's own (synack-upper)"
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" "$BUILD/app/example/synack-upper" --config "$ROOT/drivers-config/tap.ini" \
  --set "port0.devargs=iface=$TAG" --set port0.ip=198.18.0.2/24 --port 7000 >"$TMP/upper.log" 2>&1 &
PIDS+=("$!")
wait_iface "$TAG" "$NS" || { fail "TAP never appeared"; finish; exit 1; }
for _ in $(seq 100); do grep -q listening "$TMP/upper.log" && break; sleep 0.1; done
ip netns exec "$NS" ip addr add 198.18.0.1/24 dev "$TAG"
ip netns exec "$NS" ip link set "$TAG" up
out=$(ip netns exec "$NS" "$PY" - <<'PYEOF'
import socket
s = socket.create_connection(("198.18.0.2", 7000), timeout=5)
s.sendall(b"hello synack\nsecond line\n")
got = b""
while got.count(b"\n") < 2:
    chunk = s.recv(4096)
    if not chunk:
        break
    got += chunk
s.shutdown(socket.SHUT_WR)
rest = s.recv(100)
s.close()
print(got.decode().replace("\n", "|") + ("EOF" if rest == b"" else "MORE"))
PYEOF
)
check "lines come back upper-cased and counted ($out)" [ "$out" = "HELLO SYNACK [1]|SECOND LINE [2]|EOF" ]
big=$(ip netns exec "$NS" "$PY" - <<'PYEOF'
import socket, threading
N = 20000
lines = [("line %05d " % i + "x" * 39 + "\n").encode() for i in range(N)]   # 50 bytes each: 1 MB
s = socket.create_connection(("198.18.0.2", 7000), timeout=20)
def send():
    s.sendall(b"".join(lines))
    s.shutdown(socket.SHUT_WR)
t = threading.Thread(target=send); t.start()
got = bytearray()
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    got += chunk
t.join(); s.close()
want = b"".join(l[:-1].upper() + b" [%d]\n" % (i + 1) for i, l in enumerate(lines))
print("%d %d %s" % (len(lines), got.count(b"\n"), "same" if bytes(got) == want else "differ"))
PYEOF
)
check "1 MB of lines: every one back, in order and counted ($big)" [ "$big" = "20000 20000 same" ]
kill -TERM "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null
held=$(awk '$1 == "rx_held" { print $NF }' "$TMP/upper.log")
check "the stack held what the application could not take yet (rx_held ${held:-0})" [ "${held:-0}" -gt 0 ]
finish
