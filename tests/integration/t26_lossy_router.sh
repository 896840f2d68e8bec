#!/usr/bin/env bash
# Real peer 26: data through a lossy router, against Linux and beside Linux. A namespace R routes
# between a Linux client namespace C (198.18.1.1) and two servers: synack (198.18.2.2, AF_PACKET on
# a veth, gateway R) and, for comparison, Linux itself in namespace L (198.18.3.2, a python echo
# server). R drops LOSS % (1 by default) of the data segments it forwards, both ways (a tc ingress
# BPF filter, lossy.bpf.c, on each of its interfaces: this kernel has no netem, and dropping at a
# router's ingress is a loss TCP cannot tell from the wire's). The client sends MB megabytes (100)
# to each echo server and reads them back: every byte must come back as sent. synack must have
# repaired its own losses by fast retransmit and held what Linux's arrived past a hole; the
# goodput of both servers is printed beside each other (a figure, not a pass/fail check). synack's
# send and receive buffers are BUF bytes (1 MiB: Linux autotunes its own to a few MiB, and a
# 16 KiB window cannot carry a loss at this speed); SETS adds synack-console arguments (e.g.
# "--set engine.rto_min_ms=200"); PCAP names a file to keep R's capture of synack's side in.
. "$(dirname "$0")/lib.sh"
LOSS=${LOSS:-1}
MB=${MB:-100}
# Linux's sockets (the client's, and the Linux server's) use LINUX_CC: cubic by default, the
# kernel's own default and RFC 9438's, a loss-based controller like synack's NewReno. A host may
# default to another (this one to bbr, which does not slow down for random loss at all):
# LINUX_CC=bbr measures against that.
export TCP_CC=${LINUX_CC:-cubic}
BUF=${BUF:-1048576}
R=$TAG-r C=$TAG-c L=$TAG-l
echo "t26: $MB MB each way through a router dropping $LOSS % both ways, synack beside Linux"
cleanup_more() { ip netns del "$R" 2>/dev/null; ip netns del "$C" 2>/dev/null; ip netns del "$L" 2>/dev/null; }
trap 'cleanup_more; cleanup' EXIT
clang -O2 -target bpf -DLOSS_PCT="$LOSS" -I/usr/include/x86_64-linux-gnu -c "$ROOT/tests/integration/lossy.bpf.c" \
  -o "$TMP/lossy.o" || { fail "build lossy.bpf.c (clang, libbpf-dev)"; finish; exit 1; }
ip netns add "$NS"   # lib.sh's cleanup removes it; unused otherwise
for n in "$R" "$C" "$L"; do ip netns add "$n"; ip netns exec "$n" ip link set lo up; done
veth_link - "$TAG-a" "$R" rs
veth_link "$C" "$TAG-c0" "$R" rc
veth_link "$L" "$TAG-l0" "$R" rl
ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$R" ip addr add 198.18.1.254/24 dev rc
ip netns exec "$R" ip addr add 198.18.2.254/24 dev rs
ip netns exec "$R" ip addr add 198.18.3.254/24 dev rl
ip netns exec "$C" ip addr add 198.18.1.1/24 dev "$TAG-c0"
ip netns exec "$L" ip addr add 198.18.3.2/24 dev "$TAG-l0"
ip netns exec "$C" ip route add 198.18.0.0/15 via 198.18.1.254
ip netns exec "$L" ip route add 198.18.0.0/15 via 198.18.3.254
for i in rc rs rl; do
  ip netns exec "$R" tc qdisc add dev "$i" clsact &&
    ip netns exec "$R" tc filter add dev "$i" ingress bpf direct-action obj "$TMP/lossy.o" sec tc ||
    { fail "the lossy filter on R's $i"; finish; exit 1; }
done
start_bulk_servers 198.18.2.2/24 --set "port0.gateway=198.18.2.254" || { finish; exit 1; }
sleep 0.5
run_echo() { # server -> prints "ok SECONDS" or the failure
  ip netns exec "$C" timeout 240 "$PY" "$ROOT/tests/integration/bulk_echo.py" "$1" "$MB" 2>&1
}
if [ -n "${PCAP:-}" ]; then
  ip netns exec "$R" tcpdump -i rs -s 96 -w "$PCAP" tcp port 7 2>/dev/null & PIDS+=($!)
  sleep 0.5
fi
rtx0=$(ip netns exec "$C" nstat -az TcpRetransSegs 2>/dev/null | awk '$1 == "TcpRetransSegs" { print $2 }')
out_s=$(run_echo 198.18.2.2)
rtx1=$(ip netns exec "$C" nstat -az TcpRetransSegs 2>/dev/null | awk '$1 == "TcpRetransSegs" { print $2 }')
out_l=$(run_echo 198.18.3.2)
check "$MB MB echoed intact by synack through the lossy router ($out_s)" [ "${out_s%% *}" = ok ]
check "$MB MB echoed intact by Linux through the same router ($out_l)" [ "${out_l%% *}" = ok ]
check "the router dropped Linux's segments to synack (client resent $(( ${rtx1:-0} - ${rtx0:-0} )))" \
  [ "$(( ${rtx1:-0} - ${rtx0:-0} ))" -gt 0 ]
rs_rx=$(ip netns exec "$R" cat /sys/class/net/rs/statistics/rx_packets)
stop_synack
held=$(stat_value tcp.ooo_segs)
sacks=$(stat_value tcp.sack_out)
frtx=$(stat_value tcp.fast_retransmits)
srtx=$(stat_value tcp.sack_rtx)
rto=$(stat_value tcp.rto_data)
rtxd=$(stat_value tcp.rtx_data)
check "synack held what arrived past the holes (ooo_segs ${held:-0}) and SACKed it (sack_out ${sacks:-0})" \
  [ "${held:-0}" -gt 0 -a "${sacks:-0}" -gt 0 ]
check "synack repaired its own losses by fast retransmit (${frtx:-0}; SACK holes ${srtx:-0}, RTOs ${rto:-0}, resent ${rtxd:-0})" \
  [ "${frtx:-0}" -gt 0 ]
over=$(stat_value actions_overflow)
check "no action list overflowed (${over:-?})" [ "${over:-1}" = 0 ]
# What synack handed its port against what reached the router: equal, or the kernel refused some
# (AF_PACKET drops a frame longer than the MTU and says so only in dmesg).
tx=$(stat_value tx_pkts)
check "every frame synack handed its port reached the router (${tx:-?} sent, ${rs_rx:-?} received)" \
  [ "${tx:-0}" -gt 0 -a "${tx:-0}" = "${rs_rx:-x}" ]
tlp=$(stat_value tcp.tlp_probes)
lrtx=$(stat_value tcp.lost_rtx)
echo "  tail loss probes ${tlp:-0}, retransmissions found lost ${lrtx:-0}"
print_goodput "at $LOSS % loss each way" "$MB" "$out_s" "$out_l"
finish
