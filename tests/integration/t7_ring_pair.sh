#!/usr/bin/env bash
# Real peers 7: in one process, a client core and a server core joined by a crossed net_ring pair
# (drivers-config/ring.ini): 10,000 connections opened, used (an HTTP request and its response) and
# closed, every one accounted for in the counters: started = completed + failed, none failed, and
# nothing left in the pool once TIME-WAIT (2 x MSL of 2 s) has passed.
. "$(dirname "$0")/lib.sh"
N=${N:-10000}
echo "t7: $N connections over a net_ring pair, client core and server core in one process"
run_ring_http_load "$N" || { finish; exit 1; }
# The TIME-WAITs of the side that closed first (its 32-byte ring entries), listed like ss -tan,
# read without a lock while the worker runs.
mark=$(wc -l <"$TMP/console.log")
synack_cmd "show conn"
tw_lines=$(tail -n +"$((mark + 1))" "$TMP/console.log" |
  grep -cE '^TIME-WAIT +0 +0 +198\.18\.4\.[12]:[0-9]+ +198\.18\.4\.[12]:[0-9]+ +[01]$')
check "show conn lists connections in TIME-WAIT ($tw_lines of $N)" [ "$tw_lines" -gt 0 -a "$tw_lines" -le "$N" ]
sleep 5   # TIME-WAIT (2 x 2 s) on the side that closed first
stop_synack
started=$(stat_value tcp.active_opens); ok_n=$(stat_value conns_completed); failed_n=$(stat_value conns_failed)
check "$N connections started ($started)" [ "$started" = "$N" ]
check "started = completed + failed ($started = $ok_n + $failed_n)" [ "$started" = "$((ok_n + failed_n))" ]
check "none failed ($failed_n)" [ "$failed_n" = 0 ]
check "the server accepted every one (passive opens $(stat_value tcp.passive_opens))" [ "$(stat_value tcp.passive_opens)" = "$N" ]
check "every connection closed on both sides (conns_closed $(stat_value conns_closed))" [ "$(stat_value conns_closed)" = "$((2 * N))" ]
check "pool back to empty (in use $(stat_value conns_in_use), TIME-WAIT $(stat_value tw_in_use))" \
  [ "$(stat_value conns_in_use)" = 0 -a "$(stat_value tw_in_use)" = 0 ]
finish
