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
tag=
# Whatever a test left behind if a signal cut its own clean-up short: its namespace (and with it
# the Linux end of the pair) and synack's end, both named after the tag we gave it.
sweep() {
  [ -n "$tag" ] || return 0
  ip netns del "$tag-ns" 2>/dev/null
  ip link del "$tag-a" 2>/dev/null
  tag=
}
trap '[ -n "$tag" ] && cat "$log"; sweep; rm -f "$log"' EXIT   # a cut-short test's output too
trap 'exit 130' INT
trap 'exit 143' TERM
passed=0
failed=0
n=0
for t in t1_curl_http.sh t2_echo_cycles.sh; do
  n=$((n + 1))
  tag=sk$$x$n          # lib.sh's TAG: at most 12 characters, so "$tag-a" fits IFNAMSIZ
  start=$SECONDS
  # Output to a file, not a pipe: a reader killed by the same signal would SIGPIPE the test
  # in the middle of its clean-up.
  TAG=$tag START_PAIR="start_veth_pair $drv" DRIVER_LABEL="net_$drv" bash "$dir/$t" >"$log" 2>&1
  rc=$?
  sweep
  cat "$log"
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
