#!/usr/bin/env bash
# Hugepages optional, processes side by side: two synack processes run at once, one on hugepages
# (EAL --in-memory) and one without (--no-huge, its own file prefix), each a client core and a
# server core over its own net_ring pair; both complete their connections. Then synack-bench runs
# on hugepages (--huge). The test reserves the hugepages it needs and gives back exactly what it
# took.
. "$(dirname "$0")/lib.sh"
N=${N:-2000}
echo "t8: a hugepage process and a --no-huge process at once"
HP=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
before=$(cat "$HP")
mounted=
restore() {
  echo "$before" >"$HP"
  [ -n "$mounted" ] && umount /dev/hugepages 2>/dev/null
}
trap 'cleanup; restore' EXIT
echo $((before + 700)) >"$HP"
if ! mount | grep -q 'type hugetlbfs'; then
  mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages && mounted=1
fi
got=$(cat "$HP")
check "hugepages reserved ($got of $((before + 700)))" [ "$got" -ge $((before + 600)) ]

ip netns add "$NS"
run_one_process() { # name extra-args...
  local name=$1; shift
  ip netns exec "$NS" "$CONSOLE" --no-interactive --control "$TMP/$name.ctl" --config "$ROOT/drivers-config/ring.ini" \
    --set engine.timewait_per_core=65536 --set engine.tcb_per_core=16384 --set engine.synrcv_per_core=4096 \
    --cmd "listen 80 http body 64" --cmd "connect 198.18.4.2 80 count $N http" "$@" >"$TMP/$name.log" 2>&1 &
  PIDS+=("$!")
  eval "PID_$name=$!"
}
run_one_process huge --huge
run_one_process nohuge
for _ in $(seq 100); do
  a=$(grep -c '^synack-console: ready' "$TMP/huge.log"); b=$(grep -c '^synack-console: ready' "$TMP/nohuge.log")
  [ "$a" = 1 ] && [ "$b" = 1 ] && break
  sleep 0.2
done
check "both processes started (hugepages: $a, no hugepages: $b)" [ "$a" = 1 -a "$b" = 1 ]
sleep 6
for name in huge nohuge; do
  eval "kill -TERM \$PID_$name"
done
sleep 3
for name in huge nohuge; do
  okn=$(awk '/final counters:/ { s = 1 } s && $1 == "conns_completed" { print $NF }' "$TMP/$name.log")
  check "$name: $N connections completed (${okn:-0})" [ "${okn:-0}" = "$N" ]
done
grep -q -- 'EAL did not start\|Cannot' "$TMP/huge.log" && cat "$TMP/huge.log" | head -20

# synack-bench on hugepages too: its ring and memif processes (the memif server a process of its
# own), every connection accounted for, and the pages all free again afterwards.
free_before=$(awk '/HugePages_Free/ { print $2 }' /proc/meminfo)
"$BUILD/bench/synack-bench" --huge --mode ring,memif --workload handshake,close --duration 1 --reps 1 --msl 1 \
  --no-steady --timewait-entries 100000 --json "$TMP/bench.json" >"$TMP/bench.out" 2>&1
rc=$?
verdict=$("$PY" - "$TMP/bench.json" <<'PYEOF'
import json, sys
j = json.load(open(sys.argv[1]))
bad = ["%s/%s started %d completed %d failed %d" % (r["mode"], r["workload"], r["started"], r["completed"], r["failed"])
       for r in j["results"] if r["failed"] or not r["completed"] or r["started"] != r["completed"]]
if not j.get("hugepages") or len(j["results"]) != 4:
    bad.append("hugepages %s, %d results" % (j.get("hugepages"), len(j["results"])))
print("; ".join(bad) or "ok")
PYEOF
)
check "synack-bench --huge: ring and memif ran on hugepages, every connection completed (rc $rc: $verdict)" \
  [ "$rc" = 0 -a "$verdict" = ok ]
free_after=$(awk '/HugePages_Free/ { print $2 }' /proc/meminfo)
check "and gave every hugepage back ($free_before free before, $free_after after)" [ "$free_after" = "$free_before" ]
finish
