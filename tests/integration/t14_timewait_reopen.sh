#!/usr/bin/env bash
# Real peer 14: a new SYN on a tuple synack holds in TIME-WAIT (RFC 6191, RFC 9293 §3.10.7.4).
# Linux's client (python sockets, one fixed source port) fetches from synack's HTTP server, which
# closes first and so holds TIME-WAIT; at once it connects again from the same port. Its SYN is
# newer (timestamps), so synack ends TIME-WAIT and answers that very SYN: the second response
# comes, and Linux retransmitted no SYN (nstat TcpExtTCPSynRetrans). Twice: with TIME-WAIT in its
# table, and with the table (64 entries) full, TIME-WAIT kept in the full TCB (where the SYN used
# to end TIME-WAIT and go unanswered, answered only by Linux's retransmission a second later).
. "$(dirname "$0")/lib.sh"
echo "t14: a new SYN on a TIME-WAIT tuple, from Linux over net_tap"
start_tap_pair --set engine.timewait_per_core=64 --cmd "listen 80 http body 100" || { fail "start"; finish; exit 1; }

# fetch PORT [PORT...]: one HTTP exchange from each source port in turn; prints how many got a
# whole 200 response.
fetch() {
  ip netns exec "$NS" "$PY" - "$@" <<'PYEOF'
import errno, socket, sys, time
ok = 0
for p in sys.argv[1:]:
    # Linux's own side of the previous connection from this port may still be in LAST-ACK for
    # the moment synack's ACK of its FIN takes to cross the TAP: connect() then fails with
    # EADDRNOTAVAIL before any SYN is sent. Try again shortly (it is synack's TIME-WAIT, not
    # Linux's, that the test is about).
    for attempt in range(100):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(10)
        s.bind(("198.18.0.1", int(p)))
        try:
            s.connect(("198.18.0.2", 80))
            break
        except OSError as e:
            s.close()
            if e.errno != errno.EADDRNOTAVAIL or attempt == 99:
                raise
            time.sleep(0.01)
    s.sendall(b"GET / HTTP/1.1\r\nHost: t14\r\nConnection: close\r\n\r\n")
    data = b"".join(iter(lambda: s.recv(4096), b""))   # to the server's FIN
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    ok += head.startswith(b"HTTP/1.1 200") and len(body) == 100
print(ok)
PYEOF
}
synretrans() { ip netns exec "$NS" nstat -az TcpExtTCPSynRetrans | awk '$1 == "TcpExtTCPSynRetrans" { print $2 }'; }
counter() { synack_cmd "show stats" >/dev/null; tail -n 80 "$TMP/console.log" | awk -v k="$1" '$1 == k { v = $NF } END { print v + 0 }'; }

ip netns exec "$NS" nstat -n >/dev/null
r0=$(synretrans)
got=$(fetch 40000 40000)
r1=$(synretrans)
check "from the TIME-WAIT table: both fetches from port 40000 answered ($got of 2)" [ "$got" = 2 ]
check "synack took the SYN into the new connection (tcp.tw_reopen $(counter tcp.tw_reopen))" [ "$(counter tcp.tw_reopen)" = 1 ]
check "Linux retransmitted no SYN ($r0 -> $r1)" [ "$r1" = "$r0" ]

# Fill the 64-entry table (each fetch leaves one TIME-WAIT), then once more on a fixed port.
got=$(fetch $(seq 41000 41069))
check "70 more fetches answered ($got)" [ "$got" = 70 ]
r0=$(synretrans)
got=$(fetch 40001 40001)
r1=$(synretrans)
check "the table full (drop_tw_full $(counter drop_tw_full)): both fetches from port 40001 answered ($got of 2)" \
  [ "$got" = 2 -a "$(counter drop_tw_full)" -gt 0 ]
check "synack took the SYN from the full TCB (tcp.tw_reopen $(counter tcp.tw_reopen))" [ "$(counter tcp.tw_reopen)" = 2 ]
check "Linux retransmitted no SYN ($r0 -> $r1)" [ "$r1" = "$r0" ]
stop_synack
check "synack exited cleanly (rc $SYNACK_RC)" [ "$SYNACK_RC" = 0 ]
finish
