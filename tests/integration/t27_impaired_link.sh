#!/usr/bin/env bash
# Real peer 27: data over a reordering, duplicating, slow and lossy link, against Linux and beside
# Linux. This kernel has no netem, so a namespace R runs synack-impair (tests/tools/impair.c), which
# bridges two links at layer 2 and impairs both directions: client namespace C 198.18.1.1 <-> synack
# 198.18.1.2 (AF_PACKET on a veth), and C 198.18.3.1 <-> Linux in namespace L 198.18.3.2 (a python
# echo server). For each of the link's profiles below, the client sends MB megabytes (100) to each
# echo server in turn and reads them back: every byte must come back as sent. synack's counters for
# the profile (what it held out of order, what it received twice, what it resent and why) and both
# servers' goodput are printed beside each other: figures, not pass/fail checks. synack's buffers
# are BUF bytes (1 MiB, as for t26); PROFILES picks profiles by name.
. "$(dirname "$0")/lib.sh"
MB=${MB:-100}
# Linux's sockets (the client's, and the Linux server's) use LINUX_CC: cubic by default, the
# kernel's own default and RFC 9438's, a loss-based controller like synack's NewReno. A host may
# default to another (this one to bbr, which does not slow down for random loss at all):
# LINUX_CC=bbr measures against that.
export TCP_CC=${LINUX_CC:-cubic}
BUF=${BUF:-1048576}
IMPAIR=$BUILD/tests/unit/synack-impair
R=$TAG-r C=$TAG-c L=$TAG-l
# name | synack-impair options (netem's words: reorder = held back, duplicate, delay, loss)
ALL_PROFILES=(
  "reorder|--reorder 2 --reorder-us 300"
  "duplicate|--dup 2"
  "delay20ms|--delay-us 20000"
  "loss5|--loss 5 --data-only"
  "mixed|--delay-us 2000 --loss 1 --dup 1 --reorder 1 --reorder-us 500"
)
PROFILES=${PROFILES:-reorder duplicate delay20ms loss5 mixed}
echo "t27: $MB MB each way over an impaired link ($PROFILES), synack beside Linux"
IMPAIR_PID=
cleanup_more() {
  [ -n "$IMPAIR_PID" ] && kill -TERM "$IMPAIR_PID" 2>/dev/null
  ip netns del "$R" 2>/dev/null; ip netns del "$C" 2>/dev/null; ip netns del "$L" 2>/dev/null
}
trap 'cleanup_more; cleanup' EXIT
[ -x "$IMPAIR" ] || { fail "synack-impair is not built ($IMPAIR)"; finish; exit 1; }
ip netns add "$NS"   # lib.sh's cleanup removes it; unused otherwise
for n in "$R" "$C" "$L"; do ip netns add "$n"; ip netns exec "$n" ip link set lo up; done
# Frames must reach the emulator as they go on the wire: veth_link turns the offloads off.
veth_link - "$TAG-a" "$R" ra
veth_link "$C" "$TAG-c0" "$R" rc0
veth_link "$C" "$TAG-c1" "$R" rc1
veth_link "$L" "$TAG-l0" "$R" rl
# R only bridges: no address and no forwarding, so its own kernel leaves the frames alone.
ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=0
ip netns exec "$R" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec "$C" ip addr add 198.18.1.1/24 dev "$TAG-c0"
ip netns exec "$C" ip addr add 198.18.3.1/24 dev "$TAG-c1"
ip netns exec "$L" ip addr add 198.18.3.2/24 dev "$TAG-l0"
start_bulk_servers 198.18.1.2/24 || { finish; exit 1; }

# The total column of a counter in the last "show stats" the console printed (0 when not listed).
stat_now() {
  awk -v k="$1" '/^synack> show stats/ { v = 0 } $1 == k { v = $NF } END { print v + 0 }' "$TMP/console.log"
}
KEYS="tcp.ooo_segs tcp.ooo_dup tcp.seg_unacceptable tcp.sack_out tcp.dsack_out tcp.fast_retransmits tcp.recoveries_undone tcp.sack_rtx tcp.rto_data tcp.rtx_data tcp.tlp_probes"
snap() { synack_cmd "show stats" >/dev/null; for k in $KEYS; do printf '%s ' "$(stat_now "$k")"; done; }

for p in "${ALL_PROFILES[@]}"; do
  name=${p%%|*} args=${p#*|}
  [[ " $PROFILES " == *" $name "* ]] || continue
  echo " profile $name: synack-impair $args"
  # shellcheck disable=SC2086
  ip netns exec "$R" "$IMPAIR" --pair rc0,ra --pair rc1,rl --seed 27 $args >"$TMP/impair-$name.log" 2>&1 &
  IMPAIR_PID=$!
  PIDS+=("$IMPAIR_PID")
  sleep 0.3
  kill -0 "$IMPAIR_PID" 2>/dev/null || { fail "$name: synack-impair did not start: $(cat "$TMP/impair-$name.log")"; continue; }
  before=$(snap)
  out_s=$(ip netns exec "$C" timeout 300 "$PY" "$ROOT/tests/integration/bulk_echo.py" 198.18.1.2 "$MB" 2>&1)
  after=$(snap)
  out_l=$(ip netns exec "$C" timeout 300 "$PY" "$ROOT/tests/integration/bulk_echo.py" 198.18.3.2 "$MB" 2>&1)
  kill -TERM "$IMPAIR_PID"; wait "$IMPAIR_PID" 2>/dev/null; IMPAIR_PID=
  check "$name: $MB MB echoed intact by synack ($out_s)" [ "${out_s%% *}" = ok ]
  check "$name: $MB MB echoed intact by Linux over the same link ($out_l)" [ "${out_l%% *}" = ok ]
  # "IF -> IF: rx N tx N lost N duplicated N reordered N overflow N errors N", one line a direction
  hits=$(awk '$2 == "->" { l += $9; d += $11; r += $13; o += $15 } END { print l + 0, d + 0, r + 0, o + 0 }' \
    "$TMP/impair-$name.log")
  read -r lost duped reord over <<<"$hits"
  check "$name: the link did what it was asked (lost $lost, duplicated $duped, held back $reord) and overflowed nowhere ($over)" \
    [ \( "$((lost + duped + reord))" -gt 0 -o "$name" = delay20ms \) -a "$over" = 0 ]
  # shellcheck disable=SC2206
  b=($before) a=($after) i=0 line=
  for k in $KEYS; do line="$line ${k#tcp.} $(( ${a[$i]:-0} - ${b[$i]:-0} ))"; i=$((i + 1)); done
  echo "  synack:$line"
  print_goodput "($name)" "$MB" "$out_s" "$out_l"
done
synack_cmd "show states" >/dev/null
stop_synack
over=$(stat_value actions_overflow)
check "no action list overflowed (${over:-?})" [ "${over:-1}" = 0 ]
check "synack exited cleanly (rc ${SYNACK_RC:-?})" [ "${SYNACK_RC:-1}" = 0 ]
finish
