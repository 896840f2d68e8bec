#!/usr/bin/env bash
# SYN cookies on every SYN (engine.syncookies = always), 2,000 HTTP connections between a client
# core and a server core on the ring pair: every connection completes through a cookie, and the
# counters say exactly that: 2,000 SYNs in (not 4,000: a SYN answered with a cookie was counted
# twice), 2,000 cookies sent and accepted, and no RST out (an accepted cookie's ACK counted the
# RST the listener would have sent, and never did).
. "$(dirname "$0")/lib.sh"
echo "t22: SYN cookies, counted once"
N=2000
run_ring_http_load "$N" --set engine.syncookies=always
stop_synack
check "all $N completed ($(stat_value conns_completed))" [ "$(stat_value conns_completed)" = "$N" ]
check "tcp.cookies_sent $N ($(stat_value tcp.cookies_sent))" [ "$(stat_value tcp.cookies_sent)" = "$N" ]
check "tcp.cookies_accepted $N ($(stat_value tcp.cookies_accepted))" [ "$(stat_value tcp.cookies_accepted)" = "$N" ]
check "tcp.syn_in $N, each SYN once ($(stat_value tcp.syn_in))" [ "$(stat_value tcp.syn_in)" = "$N" ]
check "tcp.rst_out 0: no RST was sent ($(stat_value tcp.rst_out))" [ "$(stat_value tcp.rst_out)" = 0 ]
finish
