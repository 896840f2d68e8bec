#!/usr/bin/env bash
# synack-gen on both sides: a responder process (synack-gen --listen, no --dst) and a load process,
# joined by net_memif, at a rate the machine holds easily: every connection the load started was
# accepted by the responder, and completed. Then both sides in one process over the crossed ring
# pair. Namespaces are not needed (no kernel interface); the memif socket lives in the test's dir.
. "$(dirname "$0")/lib.sh"
echo "t17: synack-gen against a synack responder over memif, and over the ring pair"
GEN=$BUILD/app/gen/synack-gen
SOCK=$TMP/memif.sock
"$GEN" --config "$ROOT/drivers-config/memif-server.ini" --file-prefix "$TAG-srv" \
  --set "port0.devargs=role=server,id=0,socket=$SOCK,mac=02:00:00:00:03:01" \
  --listen 80:http:256 --listen 81:rr:64 >"$TMP/responder.log" 2>&1 &
SRV=$!
PIDS+=("$SRV")
for _ in $(seq 100); do grep -q "responder: serving" "$TMP/responder.log" && break; sleep 0.1; done
check "the responder is up" grep -q "responder: serving" "$TMP/responder.log"
"$GEN" --config "$ROOT/drivers-config/memif-client.ini" --file-prefix "$TAG-cli" \
  --set "port0.devargs=role=client,id=0,socket=$SOCK,mac=02:00:00:00:03:02" \
  --dst 198.18.3.1:80 --rate 5000 --duration 4 --http / --json "$TMP/memif.json" --msl 2 >"$TMP/load.log" 2>&1
rc=$?
check "the load exits 0 (rc $rc)" [ "$rc" = 0 ]
kill -TERM "$SRV"; wait "$SRV" 2>/dev/null
jq_() { "$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
started=$(jq_ "$TMP/memif.json" "j['totals']['started']")
completed=$(jq_ "$TMP/memif.json" "j['totals']['completed']")
accepted=$(awk '$1 == "accepted" { print $2 }' "$TMP/responder.log")
check "5,000/s for 4 s started ($started)" [ "${started:-0}" -ge 19000 ] && [ "${started:-0}" -le 20100 ]
check "every one completed ($completed)" [ "$completed" = "$started" ]
check "the responder accepted exactly what the load started ($accepted)" [ "$accepted" = "$started" ]

# Both sides in one process: the crossed ring pair (port0 the load's, port1 the responder's).
"$GEN" --config "$ROOT/drivers-config/ring.ini" --file-prefix "$TAG-ring" --listen 81:rr:64 \
  --dst 198.18.4.2:81 --count 50000 --request-bytes 64 --response-bytes 64 --close client \
  --json "$TMP/ring.json" --msl 1 >"$TMP/ring.log" 2>&1
rc=$?
check "one process, ring pair: exits 0 (rc $rc)" [ "$rc" = 0 ]
rs=$(jq_ "$TMP/ring.json" "j['totals']['started']"); rcpl=$(jq_ "$TMP/ring.json" "j['totals']['completed']")
check "exactly --count 50,000 started and completed ($rs, $rcpl)" [ "$rs" = 50000 ] && [ "$rcpl" = 50000 ]

# merge: the two runs' reports added up; histograms bucket by bucket, exactly.
"$GEN" merge --json "$TMP/merged.json" "$TMP/memif.json" "$TMP/ring.json" >"$TMP/merge.log" 2>&1
rc=$?
check "merge exits 0 (rc $rc)" [ "$rc" = 0 ]
ms=$(jq_ "$TMP/merged.json" "j['totals']['started']")
check "merged started is the sum ($ms = $started + $rs)" [ "$ms" = "$((started + rs))" ]
exact=$("$PY" - "$TMP/merged.json" "$TMP/memif.json" "$TMP/ring.json" <<'PY'
import json, sys
from collections import Counter
def b(f): return Counter({x[0]: x[1] for x in json.load(open(f))['latency']['connect']['uncorrected']['buckets']})
print(b(sys.argv[1]) == b(sys.argv[2]) + b(sys.argv[3]))
PY
)
check "the merged connect histogram is the bucket-by-bucket sum ($exact)" [ "$exact" = True ]
check "merge prints the reconciled summary" grep -q "started = completed + failed + in flight: $ms = $ms + 0 + 0 (holds)" "$TMP/merge.log"
"$GEN" merge "$TMP/none.json" >"$TMP/merge-bad.log" 2>&1
rc=$?
check "merge of a missing file: exit 2, one line (rc $rc)" [ "$rc" = 2 ] && [ "$(wc -l <"$TMP/merge-bad.log")" = 1 ]
echo '{"tool": "synack-gen", "totals": {"started": 1' >"$TMP/cut.json"
"$GEN" merge "$TMP/cut.json" >"$TMP/merge-cut.log" 2>&1
rc=$?
check "merge of a cut file: exit 2, names where ($(cat "$TMP/merge-cut.log"))" [ "$rc" = 2 ] && grep -q "cut.json: .* at byte" "$TMP/merge-cut.log"
finish
