#!/usr/bin/env bash
# Real peer 1: curl, in a namespace, fetches http://198.18.0.2/ from synack's HTTP responder over
# net_tap, and gets 200 and the whole body (a known pattern); keep-alive serves several on one
# connection. Also: ping (ICMP echo) and ARP answered.
# With START_PAIR (a lib.sh pair-starter and its leading arguments, e.g. "start_veth_pair af_xdp")
# and DRIVER_LABEL set by the caller the same test runs over another driver (t6).
. "$(dirname "$0")/lib.sh"
echo "t1: curl over ${DRIVER_LABEL:-net_tap}"
${START_PAIR:-start_tap_pair} --cmd "listen 80 http body 3000" --cmd "listen 8080 http body 100 keepalive" || { fail "start"; finish; exit 1; }

body_ok() { # file length: the pattern synack serves: 'a'+(i%26), newline every 64th byte
  "$PY" - "$1" "$2" <<'PYEOF'
import sys
data = open(sys.argv[1], 'rb').read()
n = int(sys.argv[2])
want = bytes((10 if i % 64 == 63 else 97 + i % 26) for i in range(n))
sys.exit(0 if data == want else 1)
PYEOF
}

code=$(ip netns exec "$NS" curl -s -m 10 -o "$TMP/body" -w '%{http_code}' http://198.18.0.2/)
check "curl gets 200 (got $code)" [ "$code" = 200 ]
check "the body is the 3000 bytes synack serves" body_ok "$TMP/body" 3000
codes=$(ip netns exec "$NS" curl -s -m 10 -o /dev/null -o /dev/null -o /dev/null -w '%{http_code} %{num_connects}\n' \
  http://198.18.0.2:8080/ http://198.18.0.2:8080/ http://198.18.0.2:8080/ | tr '\n' ' ')
check "keep-alive: three 200s over one connection ($codes)" [ "$codes" = "200 1 200 0 200 0 " ]
check "ping: ICMP echo answered" ip netns exec "$NS" ping -c 2 -W 2 -q 198.18.0.2
finish
