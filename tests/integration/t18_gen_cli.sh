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
finish
