# lib.sh: shared set-up for the real-peer tests. Each test makes its own network namespace, starts a
# synack process whose port reaches into it, gives the Linux side an address in 198.18.0.0/15
# (the RFC 2544 benchmarking range, the only one these tests use), and removes everything it made,
# processes by PID, on exit.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
CONSOLE=$BUILD/app/console/synack-console
PY=/usr/bin/python3            # Debian's python, where scapy lives
TAG=${TAG:-sk$$}
NS=$TAG-ns
PIDS=()
TMP=$(mktemp -d)
FAILS=0
CHECKS=0

cleanup() {
  trap '' INT TERM   # a second signal must not cut the clean-up short
  for p in "${PIDS[@]}"; do
    kill -TERM "$p" 2>/dev/null
  done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  ip netns del "$NS" 2>/dev/null
  ip link del "$TAG-a" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT    # bash runs no EXIT trap when a signal kills it: exit instead
trap 'exit 143' TERM

ok()   { CHECKS=$((CHECKS + 1)); echo "  ok   $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "  FAIL $*"; }
check() { # description command...
  local d=$1; shift
  if "$@"; then ok "$d"; else fail "$d"; fi
}
finish() {
  [ -n "${KEEP_LOG:-}" ] && cp "$TMP/console.log" "$KEEP_LOG"
  echo "$((CHECKS - FAILS)) passed, $FAILS failed"
  [ "$FAILS" -eq 0 ]
}

# One check per PASS or FAIL line a checking script printed into file $1 ($2 names the script);
# lines starting with one of the further words are its figures, skipped; anything else fails.
verdict_checks() { # file name [figure words...]
  local file=$1 name=$2 word rest; shift 2
  [ -s "$file" ] || { fail "$name printed nothing"; return; }
  while read -r word rest; do
    case $word in
      PASS) ok "$rest" ;;
      FAIL) fail "$rest" ;;
      *) [[ " $* " == *" $word "* ]] || fail "$name: $word $rest" ;;
    esac
  done <"$file"
}

# Waits until interface $1 exists (in namespace $2 if given), up to ~20 s.
wait_iface() {
  for _ in $(seq 200); do
    if [ -n "${2:-}" ]; then ip netns exec "$2" ip link show "$1" >/dev/null 2>&1 && return 0
    else ip link show "$1" >/dev/null 2>&1 && return 0; fi
    sleep 0.1
  done
  return 1
}

# Starts synack-console in the background with the given arguments, inside namespace $NS (so that
# a TAP it creates is born there); its output goes to $TMP/console.log. Sets SYNACK_PID.
start_synack() {
  ip netns exec "$NS" "$CONSOLE" --no-interactive --control "$TMP/ctl" "$@" >"$TMP/console.log" 2>&1 &
  SYNACK_PID=$!
  PIDS+=("$SYNACK_PID")
}

# A TAP port for synack in a fresh namespace: synack 198.18.0.2, Linux 198.18.0.1 on the TAP's
# kernel side. Extra arguments go to synack-console (e.g. --cmd "listen 80 http").
start_tap_pair() {
  ip netns add "$NS"
  ip netns exec "$NS" ip link set lo up
  start_synack --config "$ROOT/drivers-config/tap.ini" --set "port0.devargs=iface=$TAG" \
    --set "port0.ip=198.18.0.2/24" "$@"
  wait_iface "$TAG" "$NS" || { echo "TAP $TAG never appeared"; cat "$TMP/console.log"; return 1; }
  wait_ready || { echo "synack did not start"; cat "$TMP/console.log"; return 1; }
  ip netns exec "$NS" ip addr add 198.18.0.1/24 dev "$TAG"
  ip netns exec "$NS" ip link set "$TAG" up
}

# Waits for synack-console to have run its start-up commands (it prints "ready" then).
wait_ready() {
  for _ in $(seq 200); do
    grep -q '^synack-console: ready' "$TMP/console.log" 2>/dev/null && return 0
    kill -0 "$SYNACK_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# Stops synack (SIGTERM: it prints its final counters and exits cleanly) and waits for it.
stop_synack() {
  kill -TERM "$SYNACK_PID" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$SYNACK_PID" 2>/dev/null || break; sleep 0.1; done
  wait "$SYNACK_PID" 2>/dev/null
  SYNACK_RC=$?
}

# A counter from the final "show stats" that synack-console prints on exit: the total column.
# show stats lists non-zero counters only, so a counter missing from a printed table is 0.
stat_value() {
  awk -v k="$1" '/final counters:/ { seen = 1; v = "" } seen && $1 == k { v = $NF }
    END { if (v != "") print v; else if (seen) print 0 }' "$TMP/console.log"
}

# Starts synack on the crossed net_ring pair (extra console arguments pass through), serving HTTP
# on port 80, has it open N connections to itself and waits until all N got their response. For
# t7 and t11: no traffic leaves the process; the namespace only keeps the run apart.
run_ring_http_load() { # N [synack-console arguments...]
  local n=$1; shift
  ip netns add "$NS"
  start_synack --config "$ROOT/drivers-config/ring.ini" "$@" --cmd "listen 80 http body 64"
  wait_ready || { fail "start"; cat "$TMP/console.log"; return 1; }
  synack_cmd "connect 198.18.4.2 80 count $n http"
  for _ in $(seq 120); do
    synack_cmd "show stats" >/dev/null
    [ "$(awk '$1 == "conns_completed" { v = $NF } END { print v + 0 }' "$TMP/console.log")" -ge "$n" ] && break
    sleep 0.5
  done
}

# Runs a console command in the running synack (through its --control FIFO) and waits for the log
# to show it ran; its output follows in $TMP/console.log.
synack_cmd() {
  local before
  before=$(grep -c '^synack> ' "$TMP/console.log")
  printf '%s\n' "$1" >"$TMP/ctl"
  for _ in $(seq 100); do
    [ "$(grep -c '^synack> ' "$TMP/console.log")" -gt "$before" ] && { sleep 0.2; return 0; }
    sleep 0.05
  done
  return 1
}

# Starts synack-console like start_synack, but in the root namespace: for a port on an interface
# that lives there (net_af_packet and net_af_xdp open an existing interface by name, in the
# namespace of the process). Output to $TMP/console.log; sets SYNACK_PID.
start_synack_root() {
  "$CONSOLE" --no-interactive "$@" >"$TMP/console.log" 2>&1 &
  SYNACK_PID=$!
  PIDS+=("$SYNACK_PID")
}

# Runs a command in namespace $1, or in the root namespace when $1 is "-".
nsx() { local n=$1; shift; if [ "$n" = - ]; then "$@"; else ip netns exec "$n" "$@"; fi; }

# One goodput line for a bulk echo run by synack and by Linux: WHAT says which, OUT_S and OUT_L are
# bulk_echo.py's "ok SECONDS" for each, MB the megabytes sent each way; nothing unless both ok.
print_goodput() { # WHAT MB OUT_S OUT_L
  [ "${3%% *}" = ok ] && [ "${4%% *}" = ok ] || return 0
  awk -v what="$1" -v cc="${TCP_CC:-default}" -v mb="$2" -v s="${3#ok }" -v l="${4#ok }" 'BEGIN {
    printf "  goodput %s, %d MB each way: synack %.1f MB/s, Linux (%s) %.1f MB/s (%.2f x)\n",
      what, mb, 2 * mb / s, cc, 2 * mb / l, l / s }'
}

# The two echo servers of t26 and t27: synack on net_af_packet over $TAG-a at ADDR (send and
# receive buffers of $BUF bytes, extra synack-console arguments after it, then SETS), and Linux's
# bulk_echo.py in namespace $L at 198.18.3.2. Fails the test when synack does not start.
start_bulk_servers() { # ADDR/PREFIX [synack-console arguments...]
  local addr=$1; shift
  start_synack_root --control "$TMP/ctl" --config "$ROOT/drivers-config/af_packet.ini" \
    --set "port0.devargs=iface=$TAG-a,qpairs=1" --set "port0.ip=$addr" "$@" \
    --set "engine.snd_buf=$BUF" --set "engine.rcv_buf=$BUF" ${SETS:-} --cmd "listen 7 echo"
  wait_ready || { fail "synack did not start: $(tail -3 "$TMP/console.log")"; return 1; }
  ip netns exec "$L" "$PY" "$ROOT/tests/integration/bulk_echo.py" serve 198.18.3.2 >/dev/null 2>&1 &
  PIDS+=($!)
}

# A veth pair for the tests with several namespaces (t26, t27): IF_A in namespace NS_A, IF_B in
# NS_B ("-": the root namespace), one queue each way, both up, offloads off (checksums computed,
# no GRO or TSO: the frames are as they go on a wire, which routers, capture and the emulator
# see), IPv6 off. IF_B is made in NS_B at once, so that its name never meets the root namespace's.
veth_link() { # NS_A IF_A NS_B IF_B
  local x
  if [ "$3" = - ]; then
    ip link add "$2" numtxqueues 1 numrxqueues 1 type veth peer name "$4" numtxqueues 1 numrxqueues 1
  else
    ip link add "$2" numtxqueues 1 numrxqueues 1 type veth peer name "$4" numtxqueues 1 numrxqueues 1 netns "$3"
  fi
  [ "$1" = - ] || ip link set "$2" netns "$1"
  for x in "$1 $2" "$3 $4"; do
    set -- $x
    nsx "$1" ethtool -K "$2" tx off rx off gro off tso off gso off >/dev/null 2>&1
    # IPv4 only: no router solicitation or DAD frame of the kernel's on the link, so that frame
    # counts on either end are the test's own.
    nsx "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
    nsx "$1" ip link set "$2" up
  done
}

# A veth pair for synack through net_af_packet or net_af_xdp (DRIVER: af_packet | af_xdp), in place
# of start_tap_pair: $TAG-a stays in the root namespace, synack's end, without an address; $TAG-b
# goes into a fresh namespace $NS as the Linux end, 198.18.0.1/24, with transmit checksum offload off
# (else Linux leaves TCP checksums to an offload that never runs on a veth). synack, 198.18.0.2,
# runs in the root namespace. Extra arguments go to synack-console. lib.sh's cleanup removes both
# ends (deleting $TAG-a deletes its peer, and with it an XDP program left by a killed synack).
# AF_XDP notes, kernel 6.x veth: the pair is made with one queue each way, so everything $TAG-b
# sends lands on $TAG-a's rx queue 0, the one queue_count=1 covers (a frame on an rx queue with no
# XSK bound would go to the kernel instead, unseen by synack); libxdp wants a bpffs at /sys/fs/bpf
# for its multi-program dispatcher but falls back to loading DPDK's single program without it, so
# nothing is mounted here.
start_veth_pair() { # DRIVER [synack-console arguments...]
  local drv=$1 devargs; shift
  case $drv in
    af_packet) devargs="iface=$TAG-a,qpairs=1" ;;
    af_xdp) devargs="iface=$TAG-a,start_queue=0,queue_count=1" ;;
    *) echo "start_veth_pair: driver $drv: expected af_packet or af_xdp"; return 1 ;;
  esac
  ip netns add "$NS" || return 1
  ip netns exec "$NS" ip link set lo up
  ip link add "$TAG-a" numtxqueues 1 numrxqueues 1 type veth \
    peer name "$TAG-b" numtxqueues 1 numrxqueues 1 netns "$NS" || return 1
  # synack's end: no IPv6 chatter, and nothing arriving on it is ever routed onwards by Linux.
  sysctl -qw "net.ipv6.conf.$TAG-a.disable_ipv6=1" "net.ipv4.conf.$TAG-a.forwarding=0"
  ip link set "$TAG-a" up
  ip netns exec "$NS" ethtool -K "$TAG-b" tx off >/dev/null ||
    { echo "ethtool -K $TAG-b tx off failed"; return 1; }
  ip netns exec "$NS" ip addr add 198.18.0.1/24 dev "$TAG-b"
  ip netns exec "$NS" ip link set "$TAG-b" up
  start_synack_root --config "$ROOT/drivers-config/$drv.ini" --set "port0.devargs=$devargs" \
    --set "port0.ip=198.18.0.2/24" "$@"
  wait_ready || { echo "synack did not start"; cat "$TMP/console.log"; return 1; }
}

# Writes $1/nginx.conf for Debian's nginx run by a test: one worker, in the foreground, every file
# under $1, listening on $2 (addr:port) and answering every path with 200 and $3; access log
# format $4 (nginx's "combined" when empty). Start it with: nginx -c $1/nginx.conf -p $1
write_nginx_conf() { # dir listen body [log_format]
  local dir=$1 listen=$2 body=$3 fmt=${4:-} logfmt=""
  mkdir -p "$dir"
  [ -n "$fmt" ] && logfmt="log_format t '$fmt';"
  cat >"$dir/nginx.conf" <<NGX
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
daemon off;
events { worker_connections 4096; }
http {
  $logfmt
  access_log $dir/access.log${fmt:+ t};
  keepalive_requests 100000;
  client_body_temp_path $dir;
  proxy_temp_path $dir;
  fastcgi_temp_path $dir;
  uwsgi_temp_path $dir;
  scgi_temp_path $dir;
  server {
    listen $listen;
    location / { return 200 "$body\\n"; }
  }
}
NGX
}
