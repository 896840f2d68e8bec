#!/usr/bin/env bash
# Real peer 5: a Linux client connecting to a port nobody listens on gets an RST (connection
# refused); a Linux peer that dies mid-connection (killed with unread data: its kernel resets; killed
# idle: its kernel closes) leads synack to a clean close or reset, never a stuck entry.
. "$(dirname "$0")/lib.sh"
echo "t5: RST for a closed port, peers that die"
start_tap_pair --cmd "set msl 1" --cmd "listen 7 echo" --cmd "listen 80 http body 10" || { fail "start"; finish; exit 1; }
r=$(ip netns exec "$NS" "$PY" -c '
import socket
s = socket.socket()
s.settimeout(5)
try:
    s.connect(("198.18.0.2", 9)); print("connected")
except ConnectionRefusedError: print("refused")
except Exception as e: print(type(e).__name__)')
check "connect to port 9 is refused by an RST ($r)" [ "$r" = refused ]

# A peer killed while synack's echo waits unread in its socket: Linux answers with RST.
ip netns exec "$NS" "$PY" -c '
import socket, time
s = socket.create_connection(("198.18.0.2", 7), timeout=5)
s.sendall(b"x" * 5000)
time.sleep(30)' &
P1=$!; PIDS+=("$P1")
# A peer killed in the middle of a request: Linux closes with FIN, synack answers and closes.
ip netns exec "$NS" "$PY" -c '
import socket, time
s = socket.create_connection(("198.18.0.2", 80), timeout=5)
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
time.sleep(30)' &
P2=$!; PIDS+=("$P2")
sleep 1.5
kill -KILL "$P1" "$P2"; wait "$P1" "$P2" 2>/dev/null
sleep 3
stop_synack
inuse=$(stat_value conns_in_use)
check "no connection left behind (in use: ${inuse:-?})" [ "${inuse:-1}" = 0 ]
rst=$(stat_value tcp.rst_in)
check "synack saw the dead peer's RST (rst_in: ${rst:-0})" [ "${rst:-0}" -ge 1 ]
finish
