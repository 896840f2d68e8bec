#!/usr/bin/env bash
# Real peers 11: TIME-WAIT outgrowing its table. With room for 64 TIME-WAIT entries on the server
# core (engine.timewait_per_worker: worker 0 keeps 1 M, worker 1, whose HTTP server closes first,
# gets 64), 2,000 HTTP connections over the net_ring pair leave most of their TIME-WAITs in full TCBs, each
# ended by its own 2 x MSL timer (the LINGER timer, as FIN-WAIT-2's limit is). Every connection
# still completes, every one is closed on both sides once 2 x MSL has passed, the pool is empty
# again, and the engine is alive to say so.
. "$(dirname "$0")/lib.sh"
N=${N:-2000}
echo "t11: TIME-WAIT table of 64 entries on the server core, $N connections over a net_ring pair"
run_ring_http_load "$N" --set engine.timewait_per_worker=1048576,64 || { finish; exit 1; }
sleep 6   # 2 x MSL (2 s) and then some, for the TIME-WAITs kept in full TCBs
synack_cmd "show stats" >/dev/null
alive=$(tail -n 400 "$TMP/console.log" | grep -c "conns_in_use")
stop_synack
started=$(stat_value tcp.active_opens); ok_n=$(stat_value conns_completed); failed_n=$(stat_value conns_failed)
check "the engine still answers after the timers ran" [ "$alive" -ge 1 ]
check "the table overflowed (drop_tw_full $(stat_value drop_tw_full))" [ "$(stat_value drop_tw_full)" -gt 0 ]
check "$N connections started ($started), none failed ($failed_n)" [ "$started" = "$N" -a "$failed_n" = 0 ]
check "every one completed ($ok_n)" [ "$ok_n" = "$N" ]
check "every connection closed on both sides (conns_closed $(stat_value conns_closed))" [ "$(stat_value conns_closed)" = "$((2 * N))" ]
check "pool back to empty (in use $(stat_value conns_in_use), TIME-WAIT $(stat_value tw_in_use))" \
  [ "$(stat_value conns_in_use)" = 0 -a "$(stat_value tw_in_use)" = 0 ]
finish
