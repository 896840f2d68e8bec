#!/usr/bin/env bash
# gen_concurrency.sh: how many established keep-alive connections one synack-gen process holds
# with both sides in it (the crossed ring pair: a client core and a server core), each making one
# HTTP request every 10 s. N connections are started over 10 s (so that their requests are
# spread as evenly: N / 10 a second), each makes 3 requests 10 s apart and closes. Prints the
# summary, the peak of connections held and the resident memory per connection.
# Usage: bench/gen_concurrency.sh [N] (default 10,000,000 a side; ~8 GB of memory at that).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
PY=/usr/bin/python3
N=${1:-10000000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
RATE=$((N / 10))
TCB=$((N + N / 20))
printf '[script keepalive]\nscript = http GET / host=198.18.4.2; expect http 200; pause 10000; repeat 3; close\n' \
  >"$TMP/ka.ini"
# A /16 on each port, and sources 198.18.8.0/22 (1,024 addresses x 55,536 ports: 56 M tuples).
/usr/bin/time -v "$BUILD/app/gen/synack-gen" --config "$ROOT/drivers-config/ring.ini" \
  --set "engine.tcb_per_core=$TCB" --set port0.ip=198.18.4.1/16 --set port1.ip=198.18.4.2/16 \
  --listen 80:http:64:keepalive --dst 198.18.4.2:80 --src 198.18.8.0/22 --rate "$RATE" --duration 10 \
  --msl 1 --drain 90 --profile "$TMP/ka.ini" --json "$TMP/conc.json" --quiet >"$TMP/out.log" 2>&1
rc=$?
grep -vE "^\s+(Page size|Exit|Swaps|File|Socket|Signals|Average|Minor|Major|Volun|Invol|Percent|System time|User time|Command)" \
  "$TMP/out.log" | grep -v TELEMETRY
"$PY" - "$TMP/conc.json" "$TMP/out.log" <<'PY'
import json, re, sys
j = json.load(open(sys.argv[1]))
rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(sys.argv[2]).read()).group(1))
peak = max(s['conns_in_use'] for s in j['timeline'])
req = j['totals']['requests']; t = [s for s in j['timeline'] if s['counts']['requests']]
print(f"gen_concurrency: peak {peak} connections held in the process (both sides), "
      f"{rss_kb * 1024 / peak:.0f} resident bytes per connection ({rss_kb / 1048576:.2f} GiB in all), "
      f"{req} requests, retransmits {j['run']['retransmits']}, dropped here {j['run']['drops']['tx_dropped']}")
PY
exit $rc
