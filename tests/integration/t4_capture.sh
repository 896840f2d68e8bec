#!/usr/bin/env bash
# Real peer 4: a tcpdump capture of a handshake between Linux (curl) and synack shows the SYN-ACK
# acknowledging the client's ISN + 1, valid IPv4 and TCP checksums on everything synack sent, and
# sane MSS and window-scale options.
. "$(dirname "$0")/lib.sh"
echo "t4: tcpdump capture of a handshake"
start_tap_pair --cmd "listen 80 http body 200" || { fail "start"; finish; exit 1; }
ip netns exec "$NS" tcpdump -i "$TAG" -U -n -w "$TMP/cap.pcap" tcp port 80 >/dev/null 2>"$TMP/tcpdump.err" &
TCPDUMP=$!
PIDS+=("$TCPDUMP")
# Only once tcpdump says it listens is the capture armed.
for _ in $(seq 100); do grep -q 'listening on' "$TMP/tcpdump.err" && break; sleep 0.1; done
ip netns exec "$NS" curl -s -m 5 -o /dev/null http://198.18.0.2/
# Wait until the whole conversation (both FINs) is in the file, then stop tcpdump.
for _ in $(seq 50); do
  [ "$(ip netns exec "$NS" tcpdump -r "$TMP/cap.pcap" -n 'tcp[tcpflags] & tcp-fin != 0' 2>/dev/null | wc -l)" -ge 2 ] && break
  sleep 0.1
done
kill -INT "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null
"$PY" - "$TMP/cap.pcap" >"$TMP/verdict" 2>&1 <<'PYEOF'
import sys
from scapy.all import rdpcap, IP, TCP
pk = [p for p in rdpcap(sys.argv[1]) if IP in p and TCP in p]
syn = next((p for p in pk if p[TCP].flags == "S"), None)
sa = next((p for p in pk if p[TCP].flags == "SA"), None)
if syn is None or sa is None:
    print("FAIL the capture holds no handshake (%d TCP packets)" % len(pk))
    sys.exit(0)
ok = lambda c, m: print(("PASS " if c else "FAIL ") + m)
ok(sa[IP].src == "198.18.0.2", "the SYN-ACK comes from synack")
ok(sa[TCP].ack == (syn[TCP].seq + 1) % 2**32, "SYN-ACK ack %d = client ISN %d + 1" % (sa[TCP].ack, syn[TCP].seq))
opts = dict((k, v) for k, v in sa[TCP].options if isinstance(k, str))
ok("MSS" in opts and 536 <= opts["MSS"] <= 1460, "MSS option sane: %s" % opts.get("MSS"))
ok("WScale" in opts and 0 <= opts["WScale"] <= 14, "window scale sane: %s" % opts.get("WScale"))
bad = 0
for p in pk:
    if p[IP].src != "198.18.0.2":
        continue
    ip = p[IP].copy()
    want_ip, want_tcp = ip.chksum, ip[TCP].chksum
    del ip.chksum
    del ip[TCP].chksum
    ip = IP(bytes(ip))
    if ip.chksum != want_ip or ip[TCP].chksum != want_tcp:
        bad += 1
ok(bad == 0, "every segment synack sent has valid IPv4 and TCP checksums (%d bad of %d)" %
   (bad, sum(1 for p in pk if p[IP].src == "198.18.0.2")))
PYEOF
while read -r verdict msg; do
  if [ "$verdict" = PASS ]; then ok "$msg"; else fail "$verdict $msg"; fi
done <"$TMP/verdict"
finish
