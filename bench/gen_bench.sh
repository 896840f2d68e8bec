#!/usr/bin/env bash
# gen_bench.sh: synack-gen's benchmarks, in one run so that the ratios share the host's state:
#   1. open loop against closed loop: synack-bench's closed-loop handshake rate (ring pair, and
#      memif between two processes) beside the highest open-loop rate synack-gen sustains on the
#      same ports (--find-max, handshakes closed by RST as the bench's are);
#   2. rate accuracy: synack-gen at 1 k, 100 k and 1 M conn/s on the ring pair, the starts it made
#      against rate x time, and the worst full second.
# Each process's lcores sit on one CPU of its own (client CPU 0, responder CPU 1), as synack-bench's.
# Figures, not pass/fail: it prints a table and writes $OUT/gen-bench.json. Needs root for memif's
# socket only when /run is not writable. Usage: bench/gen_bench.sh [OUT_DIR] (default /tmp/gen-bench).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
GEN=$BUILD/app/gen/synack-gen
BENCH=$BUILD/bench/synack-bench
PY=/usr/bin/python3
OUT=${1:-/tmp/gen-bench}
STEP=${STEP:-3}
mkdir -p "$OUT"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
trap cleanup EXIT
jq_() { "$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

echo "gen_bench: closed loop (synack-bench), ring and memif handshakes"
"$BENCH" --mode ring,memif --workload handshake --count 2000000 --reps 3 --msl 1 --json "$OUT/closed.json" \
  >"$OUT/closed.log" 2>&1
closed_ring=$(jq_ "$OUT/closed.json" "[r for r in j['results'] if r['mode'] == 'ring' and r['workload'] == 'handshake'][0]['conn_per_s']")
closed_memif=$(jq_ "$OUT/closed.json" "[r for r in j['results'] if r['mode'] == 'memif' and r['workload'] == 'handshake'][0]['conn_per_s']")
grep "cross-core" "$OUT/closed.log"

echo "gen_bench: open loop (synack-gen --find-max), ring pair"
"$GEN" --config "$ROOT/drivers-config/ring.ini" --file-prefix gb-ring --listen 81:rr:64 --dst 198.18.4.2:81 \
  --src 198.18.4.64/26 --close rst --msl 1 --rate 1M --find-max --step "$STEP" --max-p99 20 \
  --json "$OUT/open-ring.json" >"$OUT/open-ring.log" 2>&1
open_ring=$(jq_ "$OUT/open-ring.json" "j['find_max']['highest_rate']")
cat "$OUT/open-ring.log" | grep -E "^ +[0-9]+ |highest"

echo "gen_bench: open loop (synack-gen --find-max), memif: a synack-gen responder in a second process"
SOCK=$OUT/memif.sock
rm -f "$SOCK"
"$GEN" --config "$ROOT/drivers-config/memif-server.ini" --file-prefix gb-srv \
  --set "port0.devargs=role=server,id=0,socket=$SOCK,mac=02:00:00:00:03:01" --listen 80:rr:64 --lcores 0@1,1@1 \
  >"$OUT/responder.log" 2>&1 &
SRV=$!
PIDS+=("$SRV")
for _ in $(seq 100); do grep -q "responder: serving" "$OUT/responder.log" && break; sleep 0.1; done
"$GEN" --config "$ROOT/drivers-config/memif-client.ini" --file-prefix gb-cli \
  --set "port0.devargs=role=client,id=0,socket=$SOCK,mac=02:00:00:00:03:02" --dst 198.18.3.1:80 --lcores 0@0,1@0 \
  --src 198.18.3.64/26 --close rst --msl 1 --rate 500k --find-max --step "$STEP" --max-p99 20 \
  --json "$OUT/open-memif.json" >"$OUT/open-memif.log" 2>&1
kill -TERM "$SRV"; wait "$SRV" 2>/dev/null
open_memif=$(jq_ "$OUT/open-memif.json" "j['find_max']['highest_rate']")
cat "$OUT/open-memif.log" | grep -E "^ +[0-9]+ |highest"

echo "gen_bench: rate accuracy, ring pair"
acc=()
for r in 1000 100000 1000000; do
  "$GEN" --config "$ROOT/drivers-config/ring.ini" --file-prefix gb-acc --listen 81:rr:64 --dst 198.18.4.2:81 \
    --src 198.18.4.64/26 --request-bytes 64 --response-bytes 64 --msl 1 --rate "$r" --duration 5 --quiet \
    --json "$OUT/acc-$r.json" >"$OUT/acc-$r.log" 2>&1
  acc+=("$("$PY" - "$OUT/acc-$r.json" "$r" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); r = float(sys.argv[2])
started = j['at_stop']['started']; t = j['run']['load_s']
full = [s for s in j['timeline'] if s['dt'] > 0.9 and s['t'] <= t + 0.01]
worst = max(abs(s['counts']['started'] / s['dt'] - r) / r for s in full) if full else float('nan')
print(f"{int(r)} {started} {t:.4f} {100 * (started / (r * t) - 1):+.3f} {100 * worst:.3f} {j['totals']['failed']}")
PY
)")
done

"$PY" - "$OUT" "$closed_ring" "$closed_memif" "$open_ring" "$open_memif" "${acc[@]}" <<'PY'
import json, sys
out, cr, cm, orr, om = sys.argv[1:6]
def f(x):
    return None if x in ('None', '') else float(x)
cr, cm, orr, om = map(f, (cr, cm, orr, om))
rows = [l.split() for l in sys.argv[6:]]
print()
print(f"{'ports':8} {'closed loop/s':>14} {'open loop/s':>14} {'open/closed':>12}")
for name, c, o in (('ring', cr, orr), ('memif', cm, om)):
    ratio = f"{o / c:.3f}" if c and o else '-'
    print(f"{name:8} {c or 0:14.0f} {o or 0:14.0f} {ratio:>12}")
print()
print(f"{'asked/s':>10} {'started':>10} {'load s':>8} {'error %':>8} {'worst s %':>10} {'failed':>7}")
acc = []
for r, s, t, e, w, fl in rows:
    print(f"{r:>10} {s:>10} {t:>8} {e:>8} {w:>10} {fl:>7}")
    acc.append({'asked': int(r), 'started': int(s), 'load_s': float(t), 'error_pct': float(e),
                'worst_second_pct': float(w), 'failed': int(fl)})
json.dump({'closed_loop': {'ring': cr, 'memif': cm}, 'open_loop': {'ring': orr, 'memif': om},
           'accuracy': acc}, open(f"{out}/gen-bench.json", 'w'), indent=1)
PY
