#!/usr/bin/python3
"""bulk_echo.py HOST MB [SERVE_ADDR]: one connection to HOST's echo service (port 7) that sends MB
megabytes of random bytes while a second thread reads the echo back; prints 'ok SECONDS' when every
byte came back as sent, or what went wrong. With SERVE_ADDR instead of a client it is the Linux
echo server the tests compare synack with: listen on SERVE_ADDR port 7, echo every connection.
With TCP_CC set (cubic, reno, bbr ...), every socket uses that congestion control: the tests
compare synack's with Linux's like for like, whatever the host's default is."""
import os
import socket
import sys
import threading
import time

CC = os.environ.get("TCP_CC", "").encode()


def cc(sock):
    if CC:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, CC)


def serve(addr):
    s = socket.socket()
    cc(s)  # accepted connections inherit it
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 7))
    s.listen(4)

    def echo(c):
        while True:
            d = c.recv(65536)
            if not d:
                break
            c.sendall(d)
        c.close()

    while True:
        c, _ = s.accept()
        threading.Thread(target=echo, args=(c,), daemon=True).start()


def client(host, mb):
    data = os.urandom(mb * 1024 * 1024)
    t0 = time.time()
    s = socket.socket()
    cc(s)
    s.settimeout(60)
    s.connect((host, 7))
    got = bytearray()

    def reader():
        while len(got) < len(data):
            c = s.recv(1 << 20)
            if not c:
                break
            got.extend(c)

    t = threading.Thread(target=reader)
    t.start()
    s.sendall(data)
    t.join(200)
    took = time.time() - t0
    s.close()
    if bytes(got) == data:
        print("ok %.3f" % took)
    else:
        print("mismatch: %d of %d bytes back" % (len(got), len(data)))


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2])
    else:
        try:
            client(sys.argv[1], int(sys.argv[2]))
        except OSError as e:
            print("error: %s" % e)
