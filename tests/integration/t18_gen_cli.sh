#!/usr/bin/env bash
# synack-gen's bad input: each mistake gets one line naming it and exit code 2, before anything
# starts (no EAL, no port); a profile's mistake names file, section and key; an unreachable
# destination (no ARP answer) is reported within a few seconds with a non-zero exit, never a hang;
# a tuple space too small for the asked rate is refused with what to change.
. "$(dirname "$0")/lib.sh"
echo "t18: synack-gen's errors"
GEN=$BUILD/app/gen/synack-gen
CFG=$ROOT/drivers-config/ring.ini
bad() { # description expected-substring args...
  local d=$1 want=$2; shift 2
  local out rc
  out=$(timeout 20 "$GEN" "$@" 2>&1); rc=$?
  local lines
  lines=$(printf '%s\n' "$out" | grep -c .)
  if [ "$rc" = 2 ] && [ "$lines" = 1 ] && printf '%s' "$out" | grep -qF -- "$want"; then ok "$d: exit 2, one line ($out)"
  else fail "$d: rc $rc, $lines lines: $out"; fi
}
bad "unknown option" "unknown option '--bogus'" --config "$CFG" --dst 198.18.4.2:80 --bogus
bad "bad address" "--dst: '198.18.4.300:80' has a bad address" --config "$CFG" --dst 198.18.4.300:80
bad "rate not a number" "--rate: 'fast' is not a rate" --config "$CFG" --dst 198.18.4.2:80 --rate fast
bad "count not a number" "--count: '12x' is not a count" --config "$CFG" --dst 198.18.4.2:80 --count 12x
bad "empty port range" "--sport: '2000-1000' is an empty range" --config "$CFG" --dst 198.18.4.2:80 --sport 2000-1000
bad "no destination" "--dst is required" --config "$CFG" --rate 10
bad "duration and count" "exclude each other" --config "$CFG" --dst 198.18.4.2:80 --count 5 --duration 3
bad "bad close" "--close: 'later' is not one of client, server, rst" --config "$CFG" --dst 198.18.4.2:80 --close later
bad "bad listen" "--listen: '80:ftp' names no application" --config "$CFG" --listen 80:ftp --dst 198.18.4.2:80
cat >"$TMP/p.ini" <<'INI'
[script web]
weight = 3
http = /index.html
[script raw]
reqest_bytes = 64
INI
bad "profile key misspelt" "p.ini: [script raw] reqest_bytes = '64': unknown key" --config "$CFG" --dst 198.18.4.2:80 --profile "$TMP/p.ini"
printf '[script x]\nscript = send 5; expct 5\n' >"$TMP/q.ini"
bad "profile script misspelt" "step 2: 'expct': unknown step" --config "$CFG" --dst 198.18.4.2:80 --profile "$TMP/q.ini"
bad "tuple space" "needs" --config "$CFG" --dst 198.18.4.2:80 --rate 100000 --msl 60 --close client

# No ARP answer: a TAP with nobody on its kernel side.
ip netns add "$NS"
start=$SECONDS
out=$(ip netns exec "$NS" timeout 30 "$GEN" --config "$ROOT/drivers-config/tap.ini" --set "port0.devargs=iface=$TAG" \
  --set port0.ip=198.18.0.2/24 --dst 198.18.0.1:80 --rate 10 --duration 3 2>&1); rc=$?
took=$((SECONDS - start))
check "unreachable destination: non-zero exit (rc $rc), not a hang" [ "$rc" = 1 ]
check "... within a few seconds (${took}s)" [ "$took" -le 15 ]
check "... and says so" grep -q "did not answer ARP" <<<"$out"

# ARP answered, SYNs never: the TAP's kernel side has the address, and shield.bpf.c drops what
# comes to its ports 40000..44999 before the kernel sees it (no RST either). --connect-timeout
# gives each connection up at 500 ms, long before the SYN retries (247 s) or the drain.
if clang -O2 -target bpf -I/usr/include/x86_64-linux-gnu -c "$ROOT/tests/integration/shield.bpf.c" \
  -o "$TMP/shield.o"; then
  # The last run's TAP goes with its process; wait until it has.
  for _ in $(seq 50); do ip netns exec "$NS" ip link show "$TAG" >/dev/null 2>&1 || break; sleep 0.1; done
  start=$SECONDS
  ip netns exec "$NS" timeout 60 "$GEN" --config "$ROOT/drivers-config/tap.ini" --set "port0.devargs=iface=$TAG" \
    --set port0.ip=198.18.0.2/24 --dst 198.18.0.1:40080 --count 5 --concurrency 5 --connect-timeout 500 \
    >"$TMP/gen-cto.out" 2>&1 &
  gp=$!
  PIDS+=("$gp")
  # The TAP may come and go once more as the port starts: set its kernel side up until the
  # address and the filter are both there (without the filter its kernel would reset the SYNs).
  for _ in $(seq 100); do
    if ip netns exec "$NS" ip link show "$TAG" >/dev/null 2>&1; then
      # The filter first: once the address answers ARP, the SYNs come.
      ip netns exec "$NS" tc qdisc replace dev "$TAG" clsact 2>/dev/null
      ip netns exec "$NS" tc filter replace dev "$TAG" ingress pref 1 handle 1 bpf direct-action \
        obj "$TMP/shield.o" sec tc 2>/dev/null
      ip netns exec "$NS" tc filter show dev "$TAG" ingress 2>/dev/null | grep -q bpf &&
        ip netns exec "$NS" ip addr replace 198.18.0.1/24 dev "$TAG" 2>/dev/null &&
        ip netns exec "$NS" ip link set "$TAG" up 2>/dev/null
      sleep 0.2
      ip netns exec "$NS" ip -4 addr show dev "$TAG" 2>/dev/null | grep -q 198.18.0.1 &&
        ip netns exec "$NS" tc filter show dev "$TAG" ingress 2>/dev/null | grep -q bpf && break
    fi
    sleep 0.1
  done
  wait "$gp"; rc=$?
  took=$((SECONDS - start))
  check "silent destination: non-zero exit (rc $rc)" [ "$rc" = 1 ]
  check "... its 5 connections counted connect-timeout" grep -Eq "connect-timeout +5\b" "$TMP/gen-cto.out"
  check "... within seconds, not the SYN retries' 247 (${took}s)" [ "$took" -le 20 ]
else
  fail "build shield.bpf.c (clang, libbpf-dev)"
fi
finish
