#!/usr/bin/env bash
# Real peer 24: a SYN flood of 20,000 SYNs in about two seconds from eight fixed sources inside
# 198.18.0.0/15 (tests/integration/synflood.py) against synack's HTTP server with a half-open
# bound of 256: the bound holds, SYN cookies answer the rest and validate when a source does
# complete (20 do), curl from another address gets its page during the flood, and synack's
# memory does not grow. The sources' kernel is kept from resetting the SYN-ACKs by shield.bpf.c
# (their ports are 40000..44999).
. "$(dirname "$0")/lib.sh"
N=${N:-20000}
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
finish
