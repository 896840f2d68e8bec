#!/usr/bin/env bash
# Real peers 13: TIME-WAIT outgrowing its table and then the pool's spare room. The server core
# (worker 1, whose HTTP server closes first) has room for 64 TIME-WAIT entries and 2,048 TCBs;
# 4,000 HTTP connections over the net_ring pair, within far less than 2 x MSL (4 s). The first
# TIME-WAITs past the table stay in full TCBs (t11), until a quarter of the pool is left: from
# there each new TIME-WAIT ends the table's oldest early, counted in tw_evicted, instead of
# taking a TCB. Before, they took the whole pool and the server refused connections (SYNs dropped,
# drop_pool_full) until 2 x MSL had passed. Every connection completes, the server never runs
# out of TCBs, and both sides are empty at the end.
. "$(dirname "$0")/lib.sh"
N=${N:-4000}
echo "t13: TIME-WAIT table of 64 entries and 2,048 TCBs on the server core, $N connections over a net_ring pair"
run_ring_http_load "$N" --set engine.timewait_per_worker=1048576,64 --set engine.tcb_per_core=2048 \
  --set engine.synrcv_per_core=1024 || { finish; exit 1; }
sleep 6   # 2 x MSL (4 s) and then some, for the TIME-WAITs kept in full TCBs
synack_cmd "show stats" >/dev/null
stop_synack
# The final counters' columns: worker 0 (client), worker 1 (server), total.
server_value() {
  awk -v k="$1" '/final counters:/ { seen = 1; v = "" } seen && $1 == k { v = $3 }
    END { if (v != "") print v; else if (seen) print 0 }' "$TMP/console.log"
}
started=$(stat_value tcp.active_opens); ok_n=$(stat_value conns_completed); failed_n=$(stat_value conns_failed)
check "$N connections started ($started), none failed ($failed_n)" [ "$started" = "$N" -a "$failed_n" = 0 ]
check "every one completed ($ok_n)" [ "$ok_n" = "$N" ]
check "the table overflowed into TCBs (drop_tw_full $(server_value drop_tw_full))" [ "$(server_value drop_tw_full)" -gt 0 ]
check "then the oldest TIME-WAITs ended early (tw_evicted $(server_value tw_evicted))" [ "$(server_value tw_evicted)" -gt 0 ]
check "the server never lacked a TCB (drop_pool_full $(server_value drop_pool_full))" [ "$(server_value drop_pool_full)" = 0 ]
check "every connection closed on both sides (conns_closed $(stat_value conns_closed))" [ "$(stat_value conns_closed)" = "$((2 * N))" ]
check "pool back to empty (in use $(stat_value conns_in_use), TIME-WAIT $(stat_value tw_in_use))" \
  [ "$(stat_value conns_in_use)" = 0 -a "$(stat_value tw_in_use)" = 0 ]
finish
