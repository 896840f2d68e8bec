#!/usr/bin/env bash
# Real peer 2: a python client makes 1,000 sequential connect -> send -> receive -> close cycles
# against synack's echo service over net_tap. All succeed; synack's counters show 1,000 handshakes;
# with a short MSL the connection pool is back to its start level once TIME-WAIT has passed.
# With START_PAIR (a lib.sh pair-starter and its leading arguments, e.g. "start_veth_pair af_xdp")
# and DRIVER_LABEL set by the caller the same test runs over another driver (t6).
. "$(dirname "$0")/lib.sh"
N=${N:-1000}
echo "t2: $N echo cycles from Linux (${DRIVER_LABEL:-net_tap})"
if [ -n "${START_PAIR:-}" ]; then
  $START_PAIR --cmd "set msl 1" --cmd "listen 7 echo" || { fail "start"; finish; exit 1; }
else
  start_tap_pair --cmd "set msl 1" --cmd "listen 7 echo" || { fail "start"; finish; exit 1; }
fi
out=$(ip netns exec "$NS" "$PY" "$ROOT/tests/integration/echo_client.py" 198.18.0.2 7 "$N" 2>&1)
check "$N cycles all succeed ($out)" [ "$out" = "ok $N" ]
# Linux closes first (the client), so synack passes through CLOSE-WAIT and LAST-ACK and keeps no
# TIME-WAIT; 2 s lets the last LAST-ACKs finish. Then stop synack and read its final counters.
sleep 2
stop_synack
hs=$(stat_value tcp.handshakes)
check "synack counted $N handshakes (got ${hs:-none})" [ "${hs:-0}" = "$N" ]
inuse=$(stat_value conns_in_use)
check "connection pool back to its start level (in use: ${inuse:-?})" [ "${inuse:-1}" = 0 ]
finish
