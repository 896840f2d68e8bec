#!/usr/bin/env bash
# The console's load commands on the real engine (the crossed ring pair, one process): `load start`
# with synack-gen's options runs while the prompt stays live, `show load` prints synack-gen's
# progress line for the last second, and once the load is over, synack-gen's summary: every
# started connection completed, reconciled. A second load after it; `load stop` of a running one.
. "$(dirname "$0")/lib.sh"
echo "t21: the console's load start / show load / load stop"
ip netns add "$NS"
start_synack --config "$ROOT/drivers-config/ring.ini" --cmd "listen 80 http body 64"
wait_ready || { fail "start"; cat "$TMP/console.log"; finish; exit 1; }
synack_cmd "load start --dst 198.18.4.2:80 --rate 20000 --duration 2 --http / --msl 1"
check "an engine option is refused by name" grep -q "load start: --msl is synack-gen.s, not the console.s" "$TMP/console.log"
synack_cmd "load start --dst 198.18.4.2:80 --rate 20000 --duration 2 --http /"
sleep 1.5
synack_cmd "show load"
check "while it runs, show load prints synack-gen's progress line" grep -qE "^ +[0-9]+s +[0-9]+ +[0-9]+ " "$TMP/console.log"
check "... under its header" grep -q "started/s complete/s" "$TMP/console.log"
sleep 2.5
synack_cmd "show load"
line=$(grep -m1 "(holds)" "$TMP/console.log")
n=$(awk '/\(holds\)/ { print $9; exit }' "$TMP/console.log")
check "after it, the summary: about 40,000 started, every one completed, reconciled ($line)" \
  [ "${n:-0}" -ge 39800 ] && [ "${n:-0}" -le 40300 ] && grep -q "in flight: $n = $n + 0 + 0 (holds)" "$TMP/console.log"
synack_cmd "load start --dst 198.18.4.2:80 --rate 1000 --duration 60 --http /"
sleep 1.2
synack_cmd "load stop"
for _ in $(seq 50); do grep -q "load stopped after" "$TMP/console.log" && break; sleep 0.1; done
check "load stop ends a running load early and prints its summary" grep -q "load stopped after" "$TMP/console.log"
n=$(grep -c "(holds)" "$TMP/console.log")
check "... which reconciles too ($n summaries)" [ "$n" -ge 2 ]
synack_cmd "load start --dst 198.18.4.2:80 --rate fast"
check "a bad option is named" grep -q "load start: --rate: 'fast' is not a rate" "$TMP/console.log"
stop_synack
check "the console exits cleanly (rc $SYNACK_RC)" [ "$SYNACK_RC" = 0 ]
finish
