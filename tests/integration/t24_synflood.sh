#!/usr/bin/env bash
# Real peer 24: a SYN flood of 20,000 SYNs in about two seconds from eight fixed sources inside
# 198.18.0.0/15 (tests/integration/synflood.py) against synack's HTTP server with a half-open
# bound of 256: the bound holds, SYN cookies answer the rest and validate when a source does
# complete (20 do), curl from another address gets its page during the flood, and synack's
# memory does not grow. The sources' kernel is kept from resetting the SYN-ACKs by shield.bpf.c
# (their ports are 40000..44999). Then, for comparison (figures, not checks), the same flood
# against Linux in a namespace of its own (198.18.4.2, a python server with a listen backlog of
# 256, tcp_syncookies=1, tcp_max_syn_backlog=256): its cookie counters and whether its curl got
# through.
. "$(dirname "$0")/lib.sh"
N=${N:-20000}
LX=$TAG-lx
cleanup_more() { ip netns del "$LX" 2>/dev/null; }
trap 'cleanup_more; cleanup' EXIT
echo "t24: a SYN flood of $N against a half-open bound of 256"
clang -O2 -target bpf -I/usr/include/x86_64-linux-gnu -c "$ROOT/tests/integration/shield.bpf.c" \
  -o "$TMP/shield.o" || { fail "build shield.bpf.c (clang, libbpf-dev)"; finish; exit 1; }
start_tap_pair --set engine.synrcv_per_core=256 --cmd "listen 80 http body 200" || { fail "start"; finish; exit 1; }
for i in $(seq 11 18); do ip netns exec "$NS" ip addr add "198.18.0.$i/24" dev "$TAG"; done
ip netns exec "$NS" tc qdisc add dev "$TAG" clsact &&
  ip netns exec "$NS" tc filter add dev "$TAG" ingress bpf direct-action obj "$TMP/shield.o" sec tc ||
  { fail "the shield filter on $TAG"; finish; exit 1; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$SYNACK_PID/status"; }
rss0=$(rss)
ip netns exec "$NS" timeout 120 "$PY" "$ROOT/tests/integration/synflood.py" "$TAG" "$N" >"$TMP/verdict" 2>&1
rate=$(awk '$1 == "rate" { print $2 }' "$TMP/verdict")
completed=$(awk '$1 == "completed" { print $2 }' "$TMP/verdict")
verdict_checks "$TMP/verdict" synflood.py rate completed
rss1=$(rss)
check "synack's memory did not grow (VmRSS ${rss0:-?} -> ${rss1:-?} kB)" [ "$(( ${rss1:-0} - ${rss0:-0} ))" -lt 4096 ]
stop_synack
syn=$(stat_value tcp.syn_in)
cookies=$(stat_value tcp.cookies_sent)
accepted=$(stat_value tcp.cookies_accepted)
rejected=$(stat_value tcp.cookies_rejected)
evicted=$(stat_value drop_synrcv_evicted)
echo "  (flood sent at ${rate:-?} SYN/s; synack took ${syn:-0} SYNs, answered ${cookies:-0} with cookies)"
check "synack took the flood's SYNs (tcp.syn_in ${syn:-0})" [ "${syn:-0}" -ge $((N * 9 / 10)) ]
check "past the bound, SYN cookies answered (tcp.cookies_sent ${cookies:-0})" [ "${cookies:-0}" -ge $((N / 2)) ]
check "no half-open connection was evicted for them (drop_synrcv_evicted ${evicted:-0})" [ "${evicted:-0}" = 0 ]
check "the completed handshakes' cookies held (tcp.cookies_accepted ${accepted:-0} of ${completed:-?}, rejected ${rejected:-0})" \
  [ "${accepted:-0}" -ge "${completed:-1}" ]

# Linux beside it, the same flood from the same namespace through a veth.
linux_row() {
  ip netns add "$LX" && ip netns exec "$LX" ip link set lo up &&
    ip link add "$TAG-x" type veth peer name "$TAG-y" && ip link set "$TAG-x" netns "$NS" &&
    ip link set "$TAG-y" netns "$LX" || return 1
  ip netns exec "$NS" ip addr add 198.18.4.1/24 dev "$TAG-x"
  for i in $(seq 11 18); do ip netns exec "$NS" ip addr add "198.18.4.$i/24" dev "$TAG-x"; done
  ip netns exec "$NS" ip link set "$TAG-x" up
  ip netns exec "$LX" ip addr add 198.18.4.2/24 dev "$TAG-y"
  ip netns exec "$LX" ip link set "$TAG-y" up
  ip netns exec "$LX" sysctl -qw net.ipv4.tcp_syncookies=1 net.ipv4.tcp_max_syn_backlog=256
  ip netns exec "$NS" tc qdisc add dev "$TAG-x" clsact &&
    ip netns exec "$NS" tc filter add dev "$TAG-x" ingress bpf direct-action obj "$TMP/shield.o" sec tc || return 1
  ip netns exec "$LX" "$PY" - >/dev/null 2>&1 <<'PYEOF' &
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.4.2", 80)); s.listen(256)
body = b"x" * 200
while True:
    c, _ = s.accept()
    try:
        c.settimeout(2); c.recv(4096)
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 200\r\nConnection: close\r\n\r\n" + body)
    except OSError:
        pass
    c.close()
PYEOF
  PIDS+=($!)
  sleep 0.5
  ip netns exec "$LX" nstat -n >/dev/null 2>&1
  ip netns exec "$NS" timeout 120 "$PY" "$ROOT/tests/integration/synflood.py" "$TAG-x" "$N" 198.18.4 >"$TMP/verdict-linux" 2>&1
  local ns; ns=$(ip netns exec "$LX" nstat -az 2>/dev/null)
  st() { awk -v k="$1" '$1 == k { print $2 }' <<<"$ns"; }
  local lrate curl
  lrate=$(awk '$1 == "rate" { print $2 }' "$TMP/verdict-linux")
  curl=$(grep -c '^PASS curl' "$TMP/verdict-linux")
  local back; back=$(grep -o 'SYN-ACKs came back for the flood ([0-9]* of' "$TMP/verdict-linux" | grep -o '[0-9]* of' | cut -d' ' -f1)
  echo "  Linux, the same flood (${lrate:-?} SYN/s): ${back:-?} SYN-ACKs back, cookies sent $(st TcpExtSyncookiesSent), accepted $(st TcpExtSyncookiesRecv), failed $(st TcpExtSyncookiesFailed); listen drops $(st TcpExtListenDrops); curl $( [ "$curl" = 1 ] && echo "got its page" || echo "did not get its page")"
}
linux_row || echo "  (Linux's row could not be set up)"
finish
