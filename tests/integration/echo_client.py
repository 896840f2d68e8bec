#!/usr/bin/python3
"""echo_client.py HOST PORT COUNT: COUNT sequential connect, send, receive, close cycles against an
echo service; prints 'ok N' or the first failure, exits non-zero on any failure."""
import os
import socket
import sys

host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(count):
    msg = b"synack echo %06d " % i + os.urandom(16).hex().encode()
    try:
        s = socket.create_connection((host, port), timeout=5)
        s.sendall(msg)
        got = b""
        while len(got) < len(msg):
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
        s.close()
    except OSError as e:
        print("cycle %d: %s" % (i, e))
        sys.exit(1)
    if got != msg:
        print("cycle %d: sent %r got %r" % (i, msg, got))
        sys.exit(1)
print("ok %d" % count)
