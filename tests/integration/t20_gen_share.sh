#!/usr/bin/env bash
# Past one host: two synack-gen instances, each on its own TAP into one namespace (a bridge joins
# the TAPs to nginx's address), begin together with --start-at and split one rate with --share 1/2
# and 2/2. Each keeps to its half of the source ports; `synack-gen merge` adds their reports, and
# the merged requests equal nginx's access-log lines; the merged seconds carry the whole rate.
. "$(dirname "$0")/lib.sh"
echo "t20: two synack-gen instances, --start-at and --share, merged"
GEN=$BUILD/app/gen/synack-gen
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
jq_() { "$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" ip link add br0 type bridge
ip netns exec "$NS" ip addr add 198.18.0.1/24 dev br0
ip netns exec "$NS" ip link set br0 up

write_nginx_conf "$TMP/nginx" 198.18.0.1:8080 hello '$remote_addr $remote_port $status'
ip netns exec "$NS" "$NGINX" -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" >"$TMP/nginx/stdout.log" 2>&1 &
PIDS+=("$!")

# Both begin at the same second, 4 s from now: time for each TAP to appear and join the bridge.
at=$(( $(date +%s) + 4 ))
for i in 1 2; do
  ip netns exec "$NS" "$GEN" --config "$ROOT/drivers-config/tap.ini" --set "port0.devargs=iface=$TAG-$i" \
    --set "port0.ip=198.18.0.$((i + 1))/24" --dst 198.18.0.1:8080 --rate 2000 --duration 3 --http / \
    --share "$i/2" --start-at "$at" --msl 2 --json "$TMP/gen$i.json" >"$TMP/gen$i.log" 2>&1 &
  eval "GEN$i=$!"
  PIDS+=("$!")
done
for i in 1 2; do
  wait_iface "$TAG-$i" "$NS" || { fail "TAP $TAG-$i never appeared"; finish; exit 1; }
  ip netns exec "$NS" ip link set "$TAG-$i" master br0
  ip netns exec "$NS" ip link set "$TAG-$i" up
done
wait "$GEN1"; rc1=$?
wait "$GEN2"; rc2=$?
check "both instances exit 0 (rc $rc1, $rc2)" [ "$rc1" = 0 ] && [ "$rc2" = 0 ]
s1=$(jq_ "$TMP/gen1.json" "j['totals']['started']"); s2=$(jq_ "$TMP/gen2.json" "j['totals']['started']")
check "each ran 1,000/s for 3 s ($s1, $s2)" [ "${s1:-0}" -ge 2950 ] && [ "${s1:-0}" -le 3050 ] && \
  [ "${s2:-0}" -ge 2950 ] && [ "${s2:-0}" -le 3050 ]
t1=$(jq_ "$TMP/gen1.json" "j['run']['started_at']"); t2=$(jq_ "$TMP/gen2.json" "j['run']['started_at']")
skew=$("$PY" -c "print(int(abs($t1 - $t2) * 1000))")
check "they began together (${skew} ms apart)" [ "$skew" -le 500 ]
# --share i/2 of ports 10000-65535: 1 takes 10000-37767, 2 takes 37768-65535.
ports=$(awk '$1 == "198.18.0.2" && ($2 < 10000 || $2 > 37767) { bad++ } $1 == "198.18.0.3" && ($2 < 37768 || $2 > 65535) { bad++ }
  END { print bad + 0 }' "$TMP/nginx/access.log")
check "each instance kept to its half of the source ports ($ports outside)" [ "$ports" = 0 ]

"$GEN" merge --json "$TMP/all.json" "$TMP/gen1.json" "$TMP/gen2.json" >"$TMP/merge.log" 2>&1
rc=$?
check "merge exits 0 (rc $rc)" [ "$rc" = 0 ]
req=$(jq_ "$TMP/all.json" "j['totals']['requests']")
lines=$(wc -l <"$TMP/nginx/access.log")
check "merged requests equal nginx's log lines ($req, $lines)" [ "$req" = "$lines" ] && [ "$req" = "$((s1 + s2))" ]
full=$(jq_ "$TMP/all.json" "sum(1 for s in j['timeline'] if s['dt'] > 0.9 and 1900 <= s['counts']['started'] / s['dt'] <= 2100)")
check "the merged timeline carries the whole 2,000/s in each of its seconds ($full of 3)" [ "$full" = 3 ]
finish
