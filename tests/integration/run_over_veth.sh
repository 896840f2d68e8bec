#!/usr/bin/env bash
# run_over_veth.sh DRIVER: real peers 1 and 2 (t1_curl_http.sh, t2_echo_cycles.sh) again, over
# net_af_packet or net_af_xdp (DRIVER: af_packet | af_xdp) on a veth pair into the namespace, in
# place of net_tap (lib.sh's start_veth_pair). Each test runs as it is, in its own process with its
# own namespace, veth pair and clean-up; this adds up their "N passed, N failed" lines into one.
# Not named t<digit>*: scripts/test.sh runs those without arguments; t6_af_packet.sh and
# t6_af_xdp.sh call this. N (t2's cycle count, default 1000) passes through.
set -u
drv=${1:-}
case $drv in
  af_packet|af_xdp) ;;
  *) echo "usage: $0 af_packet|af_xdp"; echo "0 passed, 1 failed"; exit 2 ;;
esac
dir=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0
failed=0
for t in t1_curl_http.sh t2_echo_cycles.sh; do
  start=$SECONDS
  START_PAIR="start_veth_pair $drv" DRIVER_LABEL="net_$drv" bash "$dir/$t" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
  ok=0 nok=1
  if [ -n "$line" ]; then
    ok=${line%% passed*}
    nok=${line#*passed, }; nok=${nok%% failed}
  fi
  [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ] && nok=1
  passed=$((passed + ok)); failed=$((failed + nok))
  echo "($t over net_$drv: $((SECONDS - start)) s)"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
