#!/usr/bin/env bash
# synack-gen against real servers in a namespace: Debian's nginx at 2,000 conn/s for 5 s, HTTP/1.1
# GET with 10 requests per connection (keep-alive): every connection completes and the requests
# synack-gen counts equal the lines nginx wrote to its access log; a port nobody listens on (the
# kernel answers RST) is counted as refused; python's http.server at a low rate.
# Over net_tap by default; `t15_gen_nginx.sh af_xdp` runs the same over net_af_xdp on a veth pair
# (t19). Linux is 198.18.0.1, synack-gen 198.18.0.2.
. "$(dirname "$0")/lib.sh"
DRIVER=${1:-tap}
echo "t15: synack-gen against nginx and python over $DRIVER"
GEN=$BUILD/app/gen/synack-gen
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up

if [ "$DRIVER" = af_xdp ]; then
  # lib.sh's veth set-up, without its console: $TAG-a (root namespace) is synack-gen's, $TAG-b
  # the namespace's, with transmit checksums done in software (a veth never offloads them).
  ip link add "$TAG-a" numtxqueues 1 numrxqueues 1 type veth \
    peer name "$TAG-b" numtxqueues 1 numrxqueues 1 netns "$NS" || exit 1
  sysctl -qw "net.ipv6.conf.$TAG-a.disable_ipv6=1" "net.ipv4.conf.$TAG-a.forwarding=0"
  ip link set "$TAG-a" up
  ip netns exec "$NS" ethtool -K "$TAG-b" tx off >/dev/null || { echo "ethtool failed"; exit 1; }
  ip netns exec "$NS" ip addr add 198.18.0.1/24 dev "$TAG-b"
  ip netns exec "$NS" ip link set "$TAG-b" up
  LINUX_IF=$TAG-b
else
  LINUX_IF=$TAG
fi

# Runs synack-gen with the port (in the namespace for a TAP, which it creates there; in the root
# namespace for AF_XDP, which opens $TAG-a). The load begins 3 s after start, once a TAP's kernel
# side has its address. Output in $TMP/gen-$1.log, exit code in GEN_RC.
run_gen() { # name args...
  local name=$1; shift
  if [ "$DRIVER" = af_xdp ]; then
    "$GEN" --config "$ROOT/drivers-config/af_xdp.ini" --set "port0.devargs=iface=$TAG-a,start_queue=0,queue_count=1" \
      --set port0.ip=198.18.0.2/24 --file-prefix "$TAG" --start-at +1 "$@" >"$TMP/gen-$name.log" 2>&1 &
    GEN_PID=$!
    PIDS+=("$GEN_PID")
  else
    ip netns exec "$NS" "$GEN" --config "$ROOT/drivers-config/tap.ini" --set "port0.devargs=iface=$TAG" \
      --set port0.ip=198.18.0.2/24 --start-at +3 "$@" >"$TMP/gen-$name.log" 2>&1 &
    GEN_PID=$!
    PIDS+=("$GEN_PID")
    wait_iface "$TAG" "$NS" || { echo "TAP never appeared"; cat "$TMP/gen-$name.log"; return 1; }
    ip netns exec "$NS" ip addr add 198.18.0.1/24 dev "$TAG" 2>/dev/null
    ip netns exec "$NS" ip link set "$TAG" up
  fi
  wait "$GEN_PID"
  GEN_RC=$?
}

# A JSON field of synack-gen's report, by a python expression over `j`.
jq_() { "$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }

write_nginx_conf "$TMP/nginx" 198.18.0.1:8080 "hello from nginx"

# 1. nginx. The TAP and nginx's address appear while synack-gen waits for its start time; nginx
#    binds once the address exists (the kernel refuses a bind to an address it does not have).
(
  for _ in $(seq 100); do ip netns exec "$NS" ip addr show dev "$LINUX_IF" 2>/dev/null | grep -q 198.18.0.1 && break; sleep 0.05; done
  exec ip netns exec "$NS" "$NGINX" -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx"
) >"$TMP/nginx/stdout.log" 2>&1 &
PIDS+=("$!")
run_gen nginx --dst 198.18.0.1:8080 --rate 2000 --duration 5 --http /index.html --requests 10 \
  --json "$TMP/nginx.json" --msl 2
check "synack-gen exits 0 against nginx (rc $GEN_RC)" [ "$GEN_RC" = 0 ]
started=$(jq_ "$TMP/nginx.json" "j['totals']['started']")
completed=$(jq_ "$TMP/nginx.json" "j['totals']['completed']")
failed=$(jq_ "$TMP/nginx.json" "j['totals']['failed']")
requests=$(jq_ "$TMP/nginx.json" "j['totals']['requests']")
check "about 2,000/s for 5 s were started ($started)" [ "${started:-0}" -ge 9500 ] && [ "${started:-0}" -le 10100 ]
check "every connection completed ($completed of $started, $failed failed)" [ "$completed" = "$started" ] && [ "$failed" = 0 ]
check "10 requests per connection ($requests)" [ "$requests" = "$((started * 10))" ]
lines=$(wc -l <"$TMP/nginx/access.log")
check "nginx logged the requests synack-gen counted ($lines lines, $requests requests)" [ "$lines" = "$requests" ]
codes=$(awk '{ print $9 }' "$TMP/nginx/access.log" | sort -u | tr '\n' ' ')
check "every one answered 200 ($codes)" [ "$codes" = "200 " ]
check "the progress block printed a line a second" [ "$(grep -cE '^ +[0-9]+s ' "$TMP/gen-nginx.log")" -ge 5 ]
check "the summary reconciles started = completed + failed + in flight" grep -q "started = completed + failed + in flight" "$TMP/gen-nginx.log"

# 2. A port nobody listens on: the kernel answers each SYN with RST.
run_gen refused --dst 198.18.0.1:8081 --count 20 --rate 100 --json "$TMP/refused.json"
check "synack-gen exits 1 when connections fail (rc $GEN_RC)" [ "$GEN_RC" = 1 ]
ref=$(jq_ "$TMP/refused.json" "j['totals']['failed_by_kind'].get('refused', 0)")
check "20 refused, counted as refused ($ref)" [ "$ref" = 20 ]

# 3. python's http.server at a low rate (HTTP/1.0: it closes after each response).
mkdir -p "$TMP/www"; echo "python page" >"$TMP/www/index.html"
( for _ in $(seq 100); do ip netns exec "$NS" ip addr show dev "$LINUX_IF" 2>/dev/null | grep -q 198.18.0.1 && break; sleep 0.05; done
  exec ip netns exec "$NS" "$PY" -m http.server 8000 --bind 198.18.0.1 --directory "$TMP/www" ) >"$TMP/py.log" 2>&1 &
PIDS+=("$!")
run_gen python --dst 198.18.0.1:8000 --rate 20 --duration 3 --http /index.html --json "$TMP/py.json" --msl 2
pc=$(jq_ "$TMP/py.json" "j['totals']['completed']"); ps=$(jq_ "$TMP/py.json" "j['totals']['started']")
check "python http.server: 20/s for 3 s, every one completed ($pc of $ps)" [ "${ps:-0}" -ge 57 ] && [ "${ps:-0}" -le 63 ] && [ "$pc" = "$ps" ]

# 4. --find-max against nginx (over the TAP only: the search is the same over any port): 1 s steps
#    from 1,000/s, doubling, then a bisection; the curve in the JSON, the highest passing rate reported.
if [ "$DRIVER" = tap ]; then
  run_gen findmax --dst 198.18.0.1:8080 --rate 1000 --find-max --step 1 --max-p99 200 --http / --msl 1 \
    --json "$TMP/fm.json"
  check "--find-max exits 0 (rc $GEN_RC)" [ "$GEN_RC" = 0 ]
  best=$(awk '/highest rate sustained:/ { print $5 }' "$TMP/gen-findmax.log")
  check "--find-max reports the highest rate sustained (${best:-none}/s)" [ "${best:-0}" -ge 1000 ]
  curve=$(jq_ "$TMP/fm.json" "len(j['find_max']['steps'])")
  jbest=$(jq_ "$TMP/fm.json" "max(s['asked'] for s in j['find_max']['steps'] if s['pass'])")
  check "... with its curve in the JSON ($curve steps, best passing $jbest)" [ "${curve:-0}" -ge 3 ] && [ "$jbest" = "$(jq_ "$TMP/fm.json" "j['find_max']['highest_rate']")" ]
fi
finish
