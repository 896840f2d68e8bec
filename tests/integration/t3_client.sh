#!/usr/bin/env bash
# Real peer 3: synack as the client. A Linux HTTP server in the namespace (python's http.server)
# serves a known page; synack, with two worker cores, opens connections from both; each fetches the
# page, and the body synack received is the page. net_tap has one queue and cannot steer, so the
# replies to worker 1's connections arrive at worker 0 and travel the handoff ring (its counter
# shows it).
. "$(dirname "$0")/lib.sh"
echo "t3: synack as the HTTP client, two workers"
mkdir -p "$TMP/www"
printf 'synack fetched this page from Linux: %s\n' "$TAG" >"$TMP/www/index.html"
start_tap_pair --set engine.workers=2 || { fail "start"; finish; exit 1; }
ip netns exec "$NS" "$PY" -m http.server 8000 --bind 198.18.0.1 --directory "$TMP/www" >"$TMP/httpd.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 50); do ip netns exec "$NS" "$PY" -c 'import socket; socket.create_connection(("198.18.0.1", 8000), 1)' 2>/dev/null && break; sleep 0.1; done
synack_cmd "connect 198.18.0.1 8000 count 20 http"
sleep 4
synack_cmd "show response"
check "the page synack received is the one Linux served" grep -q "synack fetched this page from Linux: $TAG" "$TMP/console.log"
stop_synack
check "20 connections completed (conns_completed $(stat_value conns_completed))" [ "$(stat_value conns_completed)" = 20 ]
check "none failed (conns_failed $(stat_value conns_failed))" [ "$(stat_value conns_failed)" = 0 ]
w1=$(awk '/final counters:/ { s = 1 } s && $1 == "conns_opened" { print $3 }' "$TMP/console.log")
check "worker 1 opened connections too (${w1:-0})" [ "${w1:-0}" -ge 1 ]
ho=$(stat_value handoff_in)
check "replies crossed to their owner over the handoff ring (handoff_in $ho)" [ "${ho:-0}" -ge 1 ]
finish
