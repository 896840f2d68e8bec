#!/usr/bin/python3
"""blackbox.py IFACE: hand-made TCP segments (scapy) against synack's HTTP server at 198.18.0.2:80
from 198.18.0.1, checked against RFC 9293, RFC 2018 and RFC 5961. The caller keeps the tester's
kernel from resetting these connections (shield.bpf.c). Prints PASS/FAIL lines."""
import random
import socket
import sys
import time

from scapy.all import Ether, IP, TCP, Raw, conf, get_if_hwaddr, getmacbyip, raw

conf.verb = 0
IFACE = sys.argv[1]
ME, PEER, PORT = "198.18.0.1", "198.18.0.2", 80
MYMAC = get_if_hwaddr(IFACE)
PEERMAC = getmacbyip(PEER)
SOCK = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
SOCK.bind((IFACE, 0))
SOCK.settimeout(0.05)
REQ = b"GET / HTTP/1.1\r\nHost: blackbox\r\n\r\n"


def ok(cond, msg):
    print(("PASS " if cond else "FAIL ") + msg)
    sys.stdout.flush()


def tx(pkt):
    SOCK.send(raw(Ether(src=MYMAC, dst=PEERMAC) / pkt))


def rx(sport, timeout=1.0, want=None):
    end = time.time() + timeout
    while time.time() < end:
        try:
            b = SOCK.recv(65535)
        except socket.timeout:
            continue
        p = Ether(b)
        if IP in p and TCP in p and p[IP].src == PEER and p[TCP].dport == sport:
            if want is None or want(p):
                return p
    return None


def seg(sport, flags, seq, ack=0, payload=b"", options=None, **kw):
    t = TCP(sport=sport, dport=PORT, flags=flags, seq=seq % 2**32, ack=ack % 2**32, window=65535,
            options=options or [], **kw)
    p = IP(src=ME, dst=PEER) / t
    return p / Raw(payload) if payload else p


def opts_of(p):
    return dict((k, v) for k, v in p[TCP].options if isinstance(k, str))


def handshake(sport, options=None):
    """Returns (our next seq, the server's next seq, the SYN-ACK) or None."""
    isn = random.randrange(2**32)
    tx(seg(sport, "S", isn, options=options))
    sa = rx(sport, 1.0, lambda p: p[TCP].flags == "SA")
    if sa is None:
        return None
    tx(seg(sport, "A", isn + 1, sa[TCP].seq + 1))
    return isn + 1, sa[TCP].seq + 1, sa


def read_response(sport, snd, rcv, timeout=3.0):
    """Acknowledges what the server sends until its FIN or timeout; returns (bytes, segment sizes)."""
    data, sizes, end = b"", [], time.time() + timeout
    while time.time() < end:
        p = rx(sport, 0.2)
        if p is None:
            continue
        n = len(p[TCP].payload)
        if n and p[TCP].seq % 2**32 == rcv % 2**32:
            data += bytes(p[TCP].payload)
            sizes.append(n)
            rcv += n
        if "F" in p[TCP].flags and p[TCP].seq % 2**32 == rcv % 2**32:
            rcv += 1
            tx(seg(sport, "A", snd, rcv))
            return data, sizes
        if n:
            tx(seg(sport, "A", snd, rcv))
    return data, sizes


# 1. No options on the SYN: the server assumes a 536-byte MSS (RFC 9293 §3.7.1) and sends no larger.
h = handshake(40001)
ok(h is not None, "a SYN without options is answered")
if h:
    snd, rcv, sa = h
    ok("MSS" in opts_of(sa), "the SYN-ACK carries an MSS option (%s)" % opts_of(sa).get("MSS"))
    ok("Timestamp" not in opts_of(sa) and "SAckOK" not in opts_of(sa),
       "nothing the SYN did not offer is in force (options %s)" % sorted(opts_of(sa)))
    tx(seg(40001, "PA", snd, rcv, REQ))
    data, sizes = read_response(40001, snd + len(REQ), rcv)
    ok(data.startswith(b"HTTP/1.1 200") and len(data) > 2000, "the response arrives (%d bytes)" % len(data))
    ok(sizes and max(sizes) <= 536, "no segment over 536 bytes (largest %s)" % (max(sizes) if sizes else None))

# 2. Every option offered: each answered in kind (RFC 7323 §2.2, §3.2; RFC 2018 §2).
opts = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (12345, 0)), ("NOP", None), ("WScale", 7)]
h = handshake(40002, opts)
ok(h is not None, "a SYN with MSS, SACK-permitted, timestamps and window scale is answered")
if h:
    o = opts_of(h[2])
    ok("SAckOK" in o and "WScale" in o and "Timestamp" in o and o["Timestamp"][1] == 12345,
       "the SYN-ACK answers SACK-permitted, window scale and the timestamp (TSecr %s)" % (o.get("Timestamp"),))
    tx(seg(40002, "R", h[0]))

# 3. A bad checksum and an illegal option length: dropped, no answer (the caller checks the counters).
tx(IP(src=ME, dst=PEER) / TCP(sport=40003, dport=PORT, flags="S", seq=1000, chksum=0x1234))
ok(rx(40003, 0.5) is None, "a SYN with a bad checksum draws nothing")
tx(IP(src=ME, dst=PEER) / TCP(sport=40004, dport=PORT, flags="S", seq=1000, options=[(2, b"\x05")]))
ok(rx(40004, 0.5) is None, "a SYN whose MSS option has length 3 draws nothing")

# 4. RFC 5961: an in-window RST that is not exact and a SYN draw a challenge ACK; the exact RST resets.
h = handshake(40005)
if h:
    snd, rcv, _ = h
    tx(seg(40005, "R", snd + 100))
    c = rx(40005, 0.5)
    ok(c is not None and c[TCP].flags == "A" and c[TCP].ack == snd % 2**32,
       "an in-window RST draws a challenge ACK (%s)" % (c[TCP].flags if c is not None else None))
    time.sleep(0.6)  # one challenge ACK per connection per 500 ms
    tx(seg(40005, "S", random.randrange(2**32)))
    c = rx(40005, 0.5)
    ok(c is not None and c[TCP].flags == "A" and c[TCP].ack == snd % 2**32, "a SYN on the connection draws a challenge ACK")
    tx(seg(40005, "R", snd))
    time.sleep(0.2)
    tx(seg(40005, "A", snd, rcv))
    c = rx(40005, 0.5)
    ok(c is not None and "R" in c[TCP].flags, "after the exact RST the connection is gone (an ACK draws an RST)")

# 5. Out of order: the request's second half first is held and SACKed (RFC 2018 §4), the first
#    half completes it, one response.
h = handshake(40006, [("MSS", 1460), ("SAckOK", b"")])
if h:
    snd, rcv, _ = h
    tx(seg(40006, "PA", snd + 10, rcv, REQ[10:]))
    d = rx(40006, 0.5)
    blocks = [v for k, v in d[TCP].options if k == "SAck"] if d is not None else []
    ok(d is not None and d[TCP].ack == snd % 2**32, "the out-of-order half draws a duplicate ACK at once")
    ok(blocks and blocks[0] == ((snd + 10) % 2**32, (snd + len(REQ)) % 2**32),
       "which SACKs the half that is held (%s)" % (blocks,))
    tx(seg(40006, "PA", snd, rcv, REQ[:10]))
    data, _ = read_response(40006, snd + len(REQ), rcv)
    ok(data.startswith(b"HTTP/1.1 200") and data.count(b"HTTP/1.1") == 1, "one response to the reassembled request")

# 6. 10,000 blind segments (RSTs and data at random sequence numbers) against an established
#    connection: it survives, and no injected byte reaches the application.
h = handshake(40007)
if h:
    snd, rcv, _ = h
    frames = []
    for i in range(10000):
        s = random.randrange(2**32)
        if (s - snd) % 2**32 < 70000:
            s = (s + 200000) % 2**32  # blind: never near the window
        f = seg(40007, "R", s) if i % 2 else seg(40007, "PA", s, rcv, b"EVIL / HTTP/1.1\r\n\r\n")
        frames.append(raw(Ether(src=MYMAC, dst=PEERMAC) / f))
    t0 = time.time()
    for i, f in enumerate(frames):
        SOCK.send(f)
        if i % 50 == 49:
            time.sleep(0.002)  # paced: the TAP's queue holds 1,000 frames
    took = time.time() - t0
    time.sleep(0.5)
    tx(seg(40007, "PA", snd, rcv, REQ))
    data, _ = read_response(40007, snd + len(REQ), rcv, 5.0)
    ok(data.startswith(b"HTTP/1.1 200") and data.count(b"HTTP/1.1") == 1 and b"EVIL" not in data,
       "after 10,000 blind RSTs and data segments (sent in %.1f s) the connection answers its request once" % took)
