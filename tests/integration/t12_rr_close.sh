#!/usr/bin/env bash
# Real peer 12: the request workload's server (rr) against Linux's TCP. Without keepalive it closes
# first, as an HTTP/1.0 server does: its FIN rides on the answer, so synack sends three segments
# (SYN-ACK, answer+FIN, the ACK of the client's FIN) and, having closed first, holds TIME-WAIT
# (RFC 9293 §3.6). With keepalive it answers every request and leaves the close to the client.
. "$(dirname "$0")/lib.sh"
echo "t12: rr closes first with its answer; rr keepalive answers each request"
start_tap_pair --cmd "listen 81 rr body 64" --cmd "listen 82 rr body 64 keepalive" || { fail "start"; finish; exit 1; }
ip netns exec "$NS" tcpdump -i "$TAG" -U -n -w "$TMP/cap.pcap" tcp port 81 >/dev/null 2>"$TMP/tcpdump.err" &
TCPDUMP=$!
PIDS+=("$TCPDUMP")
for _ in $(seq 100); do grep -q 'listening on' "$TMP/tcpdump.err" && break; sleep 0.1; done

# A Linux client: one 64-byte request, then everything until EOF; then close. And on the keepalive
# port: two requests, an answer to each, and the connection still open after the second.
ip netns exec "$NS" "$PY" - >"$TMP/client" 2>&1 <<'PYEOF'
import socket
s = socket.create_connection(("198.18.0.2", 81), timeout=5)
s.sendall(b"q" * 64)
got = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    got += b
s.close()
print("close-port answer %d bytes then EOF" % len(got))
k = socket.create_connection(("198.18.0.2", 82), timeout=5)
answers = []
for i in range(2):
    k.sendall(b"r" * 64)
    n = 0
    while n < 64:
        b = k.recv(64 - n)
        if not b:
            break
        n += len(b)
    answers.append(n)
k.settimeout(0.5)
try:
    still_open = k.recv(1) == b"" and "closed" or "data"
except socket.timeout:
    still_open = "open"
k.close()
print("keepalive answers %s, then %s" % (",".join(map(str, answers)), still_open))
PYEOF
check "close port: the Linux client got the 64-byte answer, then EOF ($(head -1 "$TMP/client"))" \
  grep -q "^close-port answer 64 bytes then EOF" "$TMP/client"
check "keepalive port: two answers of 64 bytes, the connection left open ($(tail -1 "$TMP/client"))" \
  grep -q "^keepalive answers 64,64, then open" "$TMP/client"

for _ in $(seq 50); do
  [ "$(ip netns exec "$NS" tcpdump -r "$TMP/cap.pcap" -n 'tcp[tcpflags] & tcp-fin != 0' 2>/dev/null | wc -l)" -ge 2 ] && break
  sleep 0.1
done
sleep 0.3
kill -INT "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null
"$PY" - "$TMP/cap.pcap" >"$TMP/verdict" 2>&1 <<'PYEOF'
import sys
from scapy.all import rdpcap, IP, TCP
pk = [p for p in rdpcap(sys.argv[1]) if IP in p and TCP in p]
ok = lambda c, m: print(("PASS " if c else "FAIL ") + m)
srv = [p for p in pk if p[IP].src == "198.18.0.2"]
cli = [p for p in pk if p[IP].src == "198.18.0.1"]
F, A, S, P = 0x01, 0x10, 0x02, 0x08
flags = lambda p: int(p[TCP].flags)
fl = lambda ps: " ".join(str(p[TCP].flags) + ("/%d" % len(p[TCP].payload) if len(p[TCP].payload) else "") for p in ps)
ok(len(srv) == 3, "synack sent 3 segments: SYN-ACK, answer+FIN, ACK (%s)" % fl(srv))
ans = [p for p in srv if len(p[TCP].payload) == 64]
ok(len(ans) == 1 and flags(ans[0]) & F, "the 64-byte answer carries synack's FIN (%s)" % fl(ans))
cfin = [p for p in cli if flags(p) & F]
if ans and cfin:
    a = ans[0][TCP]
    ok(cfin[0][TCP].ack == (a.seq + 64 + 1) % 2**32, "the client's FIN acknowledges the answer and synack's FIN")
    last = [p for p in srv if p.time >= cfin[0].time and flags(p) == A]
    ok(len(last) == 1 and last[0][TCP].ack == (cfin[0][TCP].seq + 1) % 2**32,
       "synack's last segment is the ACK of the client's FIN")
else:
    ok(False, "no answer or no client FIN in the capture (%s | %s)" % (fl(srv), fl(cli)))
PYEOF
while read -r verdict msg; do
  if [ "$verdict" = PASS ]; then ok "$msg"; else fail "$verdict $msg"; fi
done <"$TMP/verdict"

# synack closed first on port 81: the connection is in its TIME-WAIT table now (2 x MSL, 60 s).
synack_cmd "show conn"
check "show conn lists synack's side of the port-81 connection in TIME-WAIT" \
  grep -qE "^TIME-WAIT +0 +0 +198\.18\.0\.2:81 +198\.18\.0\.1:[0-9]+ " "$TMP/console.log"
check "and none on the keepalive port (the client closed first there)" \
  bash -c "! grep -qE '^TIME-WAIT .* 198\.18\.0\.2:82 ' '$TMP/console.log'"
stop_synack
finish
