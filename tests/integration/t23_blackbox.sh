#!/usr/bin/env bash
# Real peer 23: hand-made segments (scapy, tests/integration/blackbox.py) against synack's HTTP
# server over a TAP: a SYN without options (536-byte segments at most, RFC 9293 §3.7.1), every
# option offered, a bad checksum and an illegal option length (dropped and counted), RFC 5961's
# challenge ACKs and exact RST, the request's halves out of order (held, SACKed, one response),
# and 10,000 blind RSTs and data segments against an established connection (it survives, no
# injected byte reaches the server). The tester's kernel must not reset connections it never
# opened: with no nftables here, a tc ingress BPF filter (shield.bpf.c) drops what comes for the
# hand-made ports after scapy's packet socket has seen it.
. "$(dirname "$0")/lib.sh"
echo "t23: scapy black-box segments against synack's HTTP server"
clang -O2 -target bpf -I/usr/include/x86_64-linux-gnu -c "$ROOT/tests/integration/shield.bpf.c" \
  -o "$TMP/shield.o" || { fail "build shield.bpf.c (clang, libbpf-dev)"; finish; exit 1; }
start_tap_pair --cmd "listen 80 http body 3000" || { fail "start"; finish; exit 1; }
ip netns exec "$NS" tc qdisc add dev "$TAG" clsact &&
  ip netns exec "$NS" tc filter add dev "$TAG" ingress bpf direct-action obj "$TMP/shield.o" sec tc ||
  { fail "the shield filter on $TAG"; finish; exit 1; }
ip netns exec "$NS" timeout 120 "$PY" "$ROOT/tests/integration/blackbox.py" "$TAG" >"$TMP/verdict" 2>&1
verdict_checks "$TMP/verdict" blackbox.py
stop_synack
csum=$(stat_value drop_parse.tcp_csum)
badlen=$(stat_value drop_parse.tcp_opt_badlen)
chack=$(stat_value tcp.challenge_acks)
held=$(stat_value tcp.ooo_segs)
rsti=$(stat_value tcp.rst_in_ignored)
unacc=$(stat_value tcp.seg_unacceptable)
check "the bad checksum was counted (drop_parse.tcp_csum ${csum:-0})" [ "${csum:-0}" -ge 1 ]
check "the illegal option length was counted (drop_parse.tcp_opt_badlen ${badlen:-0})" [ "${badlen:-0}" -ge 1 ]
check "the in-window RST's challenge ACK was counted (${chack:-0})" [ "${chack:-0}" -ge 1 ]
check "the 5,000 blind RSTs reached synack and were ignored (tcp.rst_in_ignored ${rsti:-0})" [ "${rsti:-0}" -ge 5000 ]
check "the 5,000 blind data segments reached synack, unacceptable (tcp.seg_unacceptable ${unacc:-0})" \
  [ "${unacc:-0}" -ge 5000 ]
check "the out-of-order half was held (tcp.ooo_segs ${held:-0})" [ "${held:-0}" -ge 1 ]
finish
