#!/usr/bin/python3
"""synflood.py IFACE N [NET]: N SYNs to NET.2:80 (NET 198.18.0 unless given) from the fixed
sources NET.11..18 (ports 40000..44999), paced over about two seconds, while curl from NET.1
fetches a page; then
completes COMPLETE of the flood's handshakes by answering their SYN-ACKs (whose ISNs are SYN
cookies once the half-open bound is reached). Prints PASS/FAIL lines and 'rate N' (SYNs a second
sent). Every SYN has a tuple of its own."""
import random
import socket
import subprocess
import sys
import threading
import time

from scapy.all import Ether, IP, TCP, get_if_hwaddr, getmacbyip, raw

IFACE, N = sys.argv[1], int(sys.argv[2])
NET = sys.argv[3] if len(sys.argv) > 3 else "198.18.0"
if not NET.startswith("198.18.") and not NET.startswith("198.19."):
    sys.exit("synflood.py: %s: not inside 198.18.0.0/15" % NET)
COMPLETE = 20
PEER = NET + ".2"
MYMAC = get_if_hwaddr(IFACE)
PEERMAC = getmacbyip(PEER)
SOURCES = ["%s.%d" % (NET, i) for i in range(11, 19)]
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
sock.bind((IFACE, 0))
sock.settimeout(0.05)


def ok(cond, msg):
    print(("PASS " if cond else "FAIL ") + msg)
    sys.stdout.flush()


synacks = {}
stop = False


def listen():
    while not stop:
        try:
            b = sock.recv(65535)
        except socket.timeout:
            continue
        p = Ether(b)
        if IP in p and TCP in p and p[IP].src == PEER and p[TCP].flags == "SA" and p[IP].dst in SOURCES:
            synacks[(p[IP].dst, p[TCP].dport)] = p


t = threading.Thread(target=listen)
t.start()
frames = []
for i in range(N):
    src = SOURCES[i % len(SOURCES)]
    f = Ether(src=MYMAC, dst=PEERMAC) / IP(src=src, dst=PEER) / TCP(
        sport=40000 + (i // len(SOURCES)) % 5000, dport=80, flags="S", seq=random.randrange(2**32),
        window=65535, options=[("MSS", 1460)])
    frames.append(raw(f))
# Its local port outside the shielded 40000..44999 (Linux picks from 32768..60999).
curl = subprocess.Popen(["curl", "-s", "-m", "10", "-o", "/dev/null", "-w", "%{http_code}", "--local-port", "55000-55999",
                         "--interface", NET + ".1", "http://%s/" % PEER], stdout=subprocess.PIPE)
t0 = time.time()
for i, f in enumerate(frames):
    sock.send(f)
    if i % 50 == 49:
        time.sleep(0.004)
took = time.time() - t0
code = curl.communicate()[0].decode()
ok(code == "200", "curl from another address got its page during the flood (HTTP %s)" % code)
time.sleep(0.5)
# Answer some SYN-ACKs as a real client would: the cookies must hold.
done = 0
for (src, sport), p in list(synacks.items())[-COMPLETE:]:  # the last: answered with cookies
    ack = Ether(src=MYMAC, dst=PEERMAC) / IP(src=src, dst=PEER) / TCP(
        sport=sport, dport=80, flags="A", seq=p[TCP].ack, ack=p[TCP].seq + 1, window=65535)
    sock.send(raw(ack))
    done += 1
time.sleep(0.5)
stop = True
t.join()
ok(len(synacks) >= N * 8 // 10, "SYN-ACKs came back for the flood (%d of %d)" % (len(synacks), N))
print("rate %d" % (N / took))
print("completed %d" % done)
