#!/usr/bin/env bash
# test_console.sh: drives synack-console built against tests/console/fake_engine.c (no DPDK ports,
# no root) through --cmd, --cmdfile, a piped stdin and signals, and checks what it prints: the
# views (ss-like connections, states per worker, counters by name), that wrong lines give one
# error line plus a usage and never stop the console, the option errors (exit 2), an engine that
# does not start (exit 1), and a clean stop on SIGTERM.
# Usage: test_console.sh [path/to/synack-console-fake]   (default: build/app/console/...)
# Ends with "N passed, N failed"; exits non-zero on any failure.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${1:-${CONSOLE_FAKE:-$ROOT/build/app/console/synack-console-fake}}
TMP=$(mktemp -d)
BGPID=
cleanup() {
  [ -n "$BGPID" ] && kill -KILL "$BGPID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

PASS=0
FAIL=0
ok()   { PASS=$((PASS + 1)); echo "  ok   $*"; }
fail() { FAIL=$((FAIL + 1)); echo "  FAIL $*"; }
check() { # description command...
  local d=$1; shift
  if "$@"; then ok "$d"; else fail "$d"; fi
}
finish() {
  echo "$PASS passed, $FAIL failed"
  [ "$FAIL" -eq 0 ]
  exit
}

if [ ! -x "$BIN" ]; then
  echo "test_console: no console binary at $BIN (build the synack-console-fake target)"
  FAIL=1
  finish
fi

# Runs the console with stdin closed; output (stdout and stderr) in $OUT, exit code in $RC.
OUT=$TMP/out
run() {
  "$BIN" "$@" </dev/null >"$OUT" 2>&1
  RC=$?
}
has()    { grep -qF -- "$1" "$OUT"; }
hasre()  { grep -qE -- "$1" "$OUT"; }
lacks()  { ! grep -qF -- "$1" "$OUT"; }
count()  { grep -cF -- "$1" "$OUT"; }
starts_with() { [[ "$1" == "$2"* ]]; }
# The lines printed by command number $1 of a --cmd run (between its echo and the next prompt).
section() { awk -v n="$1" '/^synack> /{k++; next} k==n' "$OUT"; }

echo "test_console: $BIN"

# ---- the views ----
run --config dummy --cmd "show states" --cmd "show conn" --cmd "show stats" --cmd "show port stats" --cmd "quit"
check "exit 0 after quit" [ "$RC" -eq 0 ]
check "show states: header has one column per worker and a total" hasre '^State +w0 +w1 +total$'
for s in CLOSED LISTEN SYN-SENT SYN-RECEIVED ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 CLOSE-WAIT CLOSING LAST-ACK TIME-WAIT; do
  section 1 | grep -qE "^$s +[0-9]+ +[0-9]+ +[0-9]+$" || { fail "show states: row $s"; continue; }
done
ok "show states: a row for each of the 11 states"
check "show states: CLOSE-WAIT pile-up on worker 0 (2 0 2)" hasre '^CLOSE-WAIT +2 +0 +2$'
check "show states: TIME-WAIT on worker 1 (0 3 3)" hasre '^TIME-WAIT +0 +3 +3$'
check "show conn: ss-like header" hasre '^State +Recv-Q +Send-Q +Local Address:Port +Peer Address:Port +Worker$'
check "show conn: one line per connection (12)" [ "$(section 2 | tail -n +2 | wc -l)" -eq 12 ]
check "show conn: RFC 9293 spelling SYN-RECEIVED" hasre '^SYN-RECEIVED +0 +0 +198\.18\.0\.2:80 +198\.18\.0\.1:40003 +0$'
check "show conn: queues and worker" hasre '^ESTABLISHED +512 +1448 +198\.18\.0\.2:80 +198\.18\.0\.1:40002 +0$'
check "show conn: worker 1's TIME-WAIT" hasre '^TIME-WAIT +0 +0 +198\.18\.0\.2:49158 +198\.18\.0\.1:8080 +1$'
check "show stats: header" hasre '^counter +w0 +w1 +total$'
check "show stats: parse drops by name (ip_fragment)" hasre '^drop_parse\.ip_fragment +3 +0 +3$'
check "show stats: parse drops by name (tcp_csum)" hasre '^drop_parse\.tcp_csum +0 +5 +5$'
check "show stats: totals" hasre '^rx_pkts +1000 +1001 +2001$'
check "show stats: zero counters left out" lacks "rx_icmp"
check "show port stats: port line" has "port 0: port0 (net_tap) 198.18.0.2/24 02:00:5e:12:00:02"
check "show port stats: counters" hasre 'ipackets 2001 +ibytes 128001 +ierrors 1 +imissed 4 +rx_nombuf 2'
check "show port stats: transmit side" hasre 'opackets 1801 +obytes 116001 +oerrors 0'
check "engine stopped at quit" has "fake engine: stopped"

# ---- wrong lines ----
run --config dummy --cmd "bogus" --cmd "show states" --cmd "quit"
check "bogus: exit 0, no crash" [ "$RC" -eq 0 ]
check "bogus: one error line naming it" [ "$(section 1 | grep -c '^error: ')" -eq 1 ]
check "bogus: the error names the word" has "error: unknown command 'bogus'"
check "bogus: the usage follows the error" [ "$(section 1 | sed -n 2p)" = "usage:" ]
check "bogus: usage lists commands" [ "$(section 1 | grep -c '^  ')" -ge 5 ]
check "bogus: the next command still runs" hasre '^TIME-WAIT +0 +3 +3$'

run --config dummy --cmd "listen 99999 echo" --cmd "show listeners" --cmd "quit"
check "listen 99999: refused with the bad value named" has "error: listen: bad argument '99999' (expected <port>"
check "listen 99999: listen usage follows" starts_with "$(section 1 | sed -n 3p)" "  listen <port> echo|discard|http|rr [body <bytes>] [keepalive]"
check "listen 99999: only the listen family's usage" [ "$(section 1 | grep -c '^  ')" -eq 3 ]
check "listen 99999: the engine never saw it" lacks "fake engine: listen"
check "listen 99999: no listener" has "no listeners"

run --config dummy --cmd "show" --cmd "show stat" --cmd "listen 80 http body" --cmd "listen 0 echo" \
  --cmd "listen 7 echo keepalive" --cmd "lisen 80 echo" --cmd "connect 198.18.0.1" --cmd "connect 0.0.0.0 80" \
  --cmd "set msl 0" --cmd "unlisten 9" --cmd "quit now" --cmd "show states extra" --cmd "quit"
check "wrong lines: exit 0" [ "$RC" -eq 0 ]
check "wrong lines: one error line each (12)" [ "$(count 'error: ')" -eq 12 ]
check "show: names what may follow" has "error: show: missing argument (expected listeners, conn, states, response, stats, port or load)"

check "show stat: names the word" has "error: show: bad argument 'stat'"
check "listen ... body: missing <bytes>" has "error: listen: missing argument (expected <bytes>"
check "listen 0: port 0 refused" has "error: listen: port 0 is not a port"
check "listen echo keepalive: http and rr only" has "error: listen: 'keepalive' applies to http and rr only"
check "lisen: a typo gets the listen usage" starts_with "$(section 6 | sed -n 3p)" "  listen <port>"
check "connect without port" has "error: connect: missing argument (expected <port>"
check "connect 0.0.0.0 refused" has "error: connect: 0.0.0.0 is not a unicast peer address"
check "set msl 0 refused" has "error: set msl: 0 s refused by the engine"
check "unlisten of a free port" has "error: unlisten 9: nothing listens on port 9"
check "quit with an extra word is an error, not a quit" has "error: quit: unexpected 'now' at the end"
check "extra word after show states" has "error: show: unexpected 'extra' at the end"

# ---- commands that change things ----
run --config dummy --cmd "listen 80 http body 3000 keepalive" --cmd "listen 7 echo" --cmd "show listeners" \
  --cmd "connect 198.18.0.1 80 count 3 http" --cmd "connect 198.18.0.9 9000" --cmd "show states" \
  --cmd "unlisten 7" --cmd "set msl 30" --cmd "show listeners" --cmd "quit" --cmd "show conn"
check "listen http: passed to the engine" has "fake engine: listen port=80 service=http body=3000 keepalive=1"
check "listen http: confirmed" has "listening on port 80: http, body 3000 bytes, keep-alive"
check "show listeners" hasre '^80 +http +3000 +keep-alive$'
check "show listeners: echo" hasre '^7 +echo +- +-$'
check "connect http: the exact request" \
  has 'connect ip=198.18.0.1 port=80 count=3 http=/'
check "connect: count defaults to 1, no request" has 'connect ip=198.18.0.9 port=9000 count=1 http=(none)'
check "connect: the new SYN-SENT connections show" hasre '^SYN-SENT +3 +1 +4$'
check "unlisten 7" has "fake engine: unlisten port=7"
check "unlisten 7: gone from show listeners" [ "$(section 9 | grep -c '^7 ')" -eq 0 ]
check "set msl 30" has "fake engine: msl=30"
check "quit stops the command list" lacks "synack> show conn"

# ---- --cmdfile, comments, blank lines, order with --cmd ----
cat >"$TMP/cmds" <<'EOF'
# a comment line

   # an indented comment
listen 8080 discard
show listeners   # a trailing comment
EOF
run --config dummy --cmd "listen 81 echo" --cmdfile "$TMP/cmds" --cmd "quit"
check "cmdfile: runs" has "fake engine: listen port=8080 service=discard"
check "cmdfile: comment lines are not run" lacks "synack> # a comment"
check "cmdfile: trailing comment ignored" hasre '^8080 +discard'
check "cmdfile: --cmd before it ran first" [ "$(grep -n 'listen port=81 ' "$OUT" | cut -d: -f1)" -lt "$(grep -n 'listen port=8080 ' "$OUT" | cut -d: -f1)" ]
check "cmdfile: 4 commands in all (2 --cmd, 2 from the file)" [ "$(count 'synack> ')" -eq 4 ]

# ---- lines no one should type ----
{
  printf '%s\n' "" "   " "#" "show" "show show show" "listen" "listen listen" "connect 198.18.0.1 80 count" \
    "connect 198.18.0.1 80 count 4294967296" "connect 198.18.0.1 65536" "connect ::1 80" "set" "set msl" \
    "set msl -1" "set msl 99999999999" "help me" "quit quit" "show conn conn" "unlisten" "unlisten -1" \
    "listen 80 http body 1 body 2" "$(head -c 400 /dev/zero | tr '\0' 'x')" "\"" "'" '\' "%s%s%s%n" \
    "listen 0x50 echo" "show	states" "$(head -c 600 /dev/zero | tr '\0' 'y')"
} >"$TMP/junk"
run --config dummy --cmdfile "$TMP/junk" --cmd "show states" --cmd "quit"
check "junk lines: exit 0" [ "$RC" -eq 0 ]
check "junk lines: still answering afterwards" hasre '^TIME-WAIT +0 +3 +3$'
check "junk lines: the over-long line is refused" has "error: line longer than 512 characters"
check "junk lines: hex port accepted as rte_cmdline parses it" has "listening on port 80: echo"
check "junk lines: a tab separates words" [ "$(grep -c '^CLOSE-WAIT ' "$OUT")" -eq 2 ]

# ---- options ----
run --config dummy --set port0.ip=198.18.0.2/24 --set port0.devargs=iface=sk0 --file-prefix t1 --mem 512 \
  --lcores 0-2 --huge --cmd quit
check "options reach the engine" \
  has "fake engine: start config=dummy set=port0.ip=198.18.0.2/24 set=port0.devargs=iface=sk0 file-prefix=t1 huge=1 mem=512 lcores=0-2"
for bad in "--bogus" "--config" "--mem abc --config dummy" "--set novalue --config dummy" "--config dummy extra" "" \
  "--cmdfile $TMP/nonexistent --config dummy" "--huge=1 --config dummy"; do
  # shellcheck disable=SC2086
  run $bad
  if [ "$RC" -eq 2 ] && [ "$(wc -l <"$OUT")" -eq 1 ] && grep -q '^synack-console: ' "$OUT"; then
    ok "bad options '$bad': one line, exit 2"
  else
    fail "bad options '$bad': rc=$RC, $(wc -l <"$OUT") lines"
  fi
done
run --help
check "--help: exit 0 and usage" [ "$RC" -eq 0 ]
check "--help: lists --no-interactive" has "--no-interactive"
run --config fail-on-purpose --cmd quit
check "engine start failure: exit 1" [ "$RC" -eq 1 ]
check "engine start failure: its message" has "synack-console: fake engine: fail-on-purpose: cannot start"

# ---- interactive prompt fed by a pipe, end of input ----
printf 'show states\nbogus\n' | "$BIN" --config dummy >"$OUT" 2>&1
RC=$?
check "stdin: exit 0 at end of input" [ "$RC" -eq 0 ]
check "stdin: prompt shown" has "synack> "
check "stdin: typed command ran" hasre '^CLOSE-WAIT +2 +0 +2'
check "stdin: wrong line reported" has "error: unknown command 'bogus'"
check "stdin: engine stopped" has "fake engine: stopped"

# ---- --no-interactive: serve until SIGTERM, then stop cleanly ----
"$BIN" --config dummy --no-interactive --cmd "listen 80 http" </dev/null >"$OUT" 2>&1 &
BGPID=$!
for _ in $(seq 50); do has "listening on port 80" && break; sleep 0.1; done
sleep 0.3
check "no-interactive: still serving after the commands" kill -0 "$BGPID"
kill -TERM "$BGPID"
RC=124
for _ in $(seq 50); do
  if ! kill -0 "$BGPID" 2>/dev/null; then wait "$BGPID"; RC=$?; break; fi
  sleep 0.1
done
BGPID=
check "no-interactive: SIGTERM ends it with exit 0" [ "$RC" -eq 0 ]
check "no-interactive: final counters in the log" hasre '^rx_pkts +1000 +1001 +2001$'
check "no-interactive: engine stopped" has "fake engine: stopped"

"$BIN" --config dummy --no-interactive </dev/null >"$OUT" 2>&1 &
BGPID=$!
sleep 0.3
kill -INT "$BGPID"
RC=124
for _ in $(seq 50); do
  if ! kill -0 "$BGPID" 2>/dev/null; then wait "$BGPID"; RC=$?; break; fi
  sleep 0.1
done
BGPID=
check "no-interactive: SIGINT ends it with exit 0" [ "$RC" -eq 0 ]
check "no-interactive: SIGINT stops the engine" has "fake engine: stopped"

# load start takes synack-gen's options: parsed here, passed to the engine as one plan.
run --config dummy --cmd "load start --dst 198.18.0.1:80 --rate 2500 --count 40 --http /x --requests 2" \
  --cmd "load stop" --cmd "load start --dst 198.18.0.1:80 --rate abc" --cmd "load start --rate 5" --cmd "quit"
check "load start: the plan reaches the engine" has "fake engine: load dst=198.18.0.1:80 ndst=1 scripts=1 rate=2500 concurrency=0 count=40"
check "load start: a bad rate is named" has "error: load start: --rate: 'abc' is not a rate"
check "load start: --dst is required" has "error: load start: --dst is required"

finish
