#!/usr/bin/env bash
# Real peer 25: synack's counters against a capture. Over a TAP, Linux fetches 20 pages with curl,
# opens and resets 5 connections (python, SO_LINGER 0), and sends 5 SYNs to a port nobody listens
# on; tcpdump records every TCP segment both ways. Each of synack's TCP counters must equal what
# the capture shows: segments in and out, SYNs in, SYN-ACKs and RSTs out, RSTs in, handshakes,
# and payload bytes each way (issue 15 §2: a counter says exactly what happened).
. "$(dirname "$0")/lib.sh"
echo "t25: counters against a capture"
start_tap_pair --cmd "listen 80 http body 3000" || { fail "start"; finish; exit 1; }
ip netns exec "$NS" tcpdump -i "$TAG" -U -n -w "$TMP/cap.pcap" tcp >/dev/null 2>"$TMP/tcpdump.err" &
TCPDUMP=$!
PIDS+=("$TCPDUMP")
for _ in $(seq 100); do grep -q 'listening on' "$TMP/tcpdump.err" && break; sleep 0.1; done
for i in $(seq 20); do
  ip netns exec "$NS" curl -s -m 5 -o /dev/null http://198.18.0.2/ || fail "curl $i"
done
ip netns exec "$NS" "$PY" - <<'PYEOF'
import socket, struct, time
for i in range(5):
    s = socket.create_connection(("198.18.0.2", 80), timeout=5)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()  # an RST, at once
for i in range(5):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("198.18.0.2", 81))
    except OSError:
        pass
    s.close()
time.sleep(0.5)
PYEOF
# Everything settled (curl's connections closed by Linux first: synack has no TIME-WAIT to wait).
sleep 1
kill -INT "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null
stop_synack
"$PY" - "$TMP/cap.pcap" >"$TMP/counts" 2>&1 <<'PYEOF'
import sys
from scapy.all import rdpcap, IP, TCP
n = dict(seg_in=0, seg_out=0, syn_in=0, synack_out=0, rst_out=0, rst_in=0, data_bytes_in=0, data_bytes_out=0)
conns = set()
for p in rdpcap(sys.argv[1]):
    if IP not in p or TCP not in p:
        continue
    t, f = p[TCP], str(p[TCP].flags)
    plen = p[IP].len - p[IP].ihl * 4 - t.dataofs * 4
    if p[IP].dst == "198.18.0.2":
        n["seg_in"] += 1
        n["data_bytes_in"] += plen
        if f == "S":
            n["syn_in"] += 1
        if "R" in f:
            n["rst_in"] += 1
    else:
        n["seg_out"] += 1
        n["data_bytes_out"] += plen
        if "S" in f and "A" in f:
            n["synack_out"] += 1
            conns.add((t.dport, t.ack))
        if "R" in f:
            n["rst_out"] += 1
for k, v in n.items():
    print(k, v)
PYEOF
while read -r k v; do
  got=$(stat_value "tcp.$k")
  check "tcp.$k ${got:-0} = the capture's $v" [ "${got:-0}" = "$v" ]
done <"$TMP/counts"
hs=$(stat_value tcp.handshakes)
check "tcp.handshakes ${hs:-0} = 25 (20 curl, 5 reset)" [ "${hs:-0}" = 25 ]
[ -s "$TMP/counts" ] || fail "the capture could not be read: $(cat "$TMP/counts")"
finish
