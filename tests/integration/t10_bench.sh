#!/usr/bin/env bash
# synack-bench's own checks: a short --quick run on net_ring and Linux produces the table, the JSON
# and the CSV with every workload and mode, and every connection is accounted for (started =
# completed + failed, failed = 0); the JSON carries the run's meta, null for what a mode does not
# measure, each second's repetition and whole latency distributions, and the plots are drawn.
# Speed is never checked here: figures belong to the benchmark.
# Then each kind of bad argument gets a one-line error and exit code 2.
. "$(dirname "$0")/lib.sh"
BENCH=$BUILD/bench/synack-bench
echo "t10: synack-bench structure and accounting"
"$BENCH" --quick --duration 1 --reps 2 --json "$TMP/b.json" --csv "$TMP/b.csv" --plots "$TMP/plots" \
  >"$TMP/out" 2>"$TMP/err"
rc=$?
check "synack-bench --quick exits 0 (rc $rc)" [ "$rc" = 0 ]
for w in handshake close request; do
  for m in ring linux; do
    check "the table has $w/$m" grep -qE "^$w +$m " "$TMP/out"
  done
done
check "a progress line came every second" grep -q "conn/s" "$TMP/err"
verdict=$("$PY" - "$TMP/b.json" "$TMP/b.csv" <<'PYEOF'
import csv, json, sys
j = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
bad = []
for r in j["results"]:
    k = "%s/%s" % (r["mode"], r["workload"])
    if r["started"] != r["completed"] + r["failed"]:
        bad.append("%s started %d != completed %d + failed %d" % (k, r["started"], r["completed"], r["failed"]))
    if r["failed"] != 0:
        bad.append("%s failed %d" % (k, r["failed"]))
    if r["completed"] <= 0:
        bad.append("%s completed nothing" % k)
    for f in ("conn_per_s", "ratio_to_linux", "cycles_per_conn_client", "connect_latency_ns", "timewait_ended_early"):
        if f not in r:
            bad.append("%s lacks %s" % (k, f))
    # synack's close and request run 2 x MSL (--quick: 1 s) unmeasured first: TIME-WAIT's steady state.
    if k in ("ring/close", "ring/request") and (r.get("timewait_fill_s") != 2 * j["msl_s"] or r["timewait_peak"] <= 0):
        bad.append("%s: fill %s s (MSL %s), TIME-WAIT peak %s" % (k, r.get("timewait_fill_s"), j["msl_s"], r["timewait_peak"]))
if len(j["results"]) != 6 or len(rows) != 6:
    bad.append("%d JSON results, %d CSV rows (want 6 each)" % (len(j["results"]), len(rows)))
print("; ".join(bad) or "ok")
PYEOF
)
check "JSON and CSV: six results, started = completed + failed, none failed, close and request filled 2 x MSL first ($verdict)" [ "$verdict" = ok ]
for w in close request; do
  check "the table reports $w's TIME-WAIT at its steady state" grep -qE "^$w ring: TIME-WAIT after a 2 s fill \(2 x MSL\)" "$TMP/out"
done
check "plots drawn (rate and latency PNGs)" [ -s "$TMP/plots/rate-handshake.png" -a -s "$TMP/plots/latency-request.png" ]

# The same JSON: what run it is, null (not 0) where a figure does not apply, the repetition of
# each second, and each latency histogram whole (summary, HdrHistogram's percentile rows, buckets).
verdict=$("$PY" - "$TMP/b.json" "$TMP" <<'PYEOF'
import json, re, sys
j = json.load(open(sys.argv[1]))
bad = []
m = j.get("meta", {})
if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(m.get("time"))) or not m.get("ended", "") >= m.get("time", "~"):
    bad.append("meta time %s ended %s" % (m.get("time"), m.get("ended")))
if not isinstance(m.get("commit"), str) or not m["commit"] or m["commit"] == "@VCS_TAG@":
    bad.append("meta commit %r" % m.get("commit"))
if not m.get("host") or not isinstance(m.get("cpus"), int) or m["cpus"] < 1 or "cpu_model" not in m:
    bad.append("meta host %r cpus %r cpu_model %r" % (m.get("host"), m.get("cpus"), m.get("cpu_model")))
want = ["--quick", "--duration", "1", "--reps", "2", "--json", sys.argv[1], "--csv", sys.argv[2] + "/b.csv",
        "--plots", sys.argv[2] + "/plots"]
if m.get("options") != want:
    bad.append("meta options %r" % m.get("options"))
res = {(r["mode"], r["workload"]): r for r in j["results"]}
# Linux has no TIME-WAIT count, no synack structures, no fill and no peak memory of synack's.
for w in ("handshake", "close", "request"):
    r = res.get(("linux", w), {})
    for f in ("timewait_peak", "timewait_ended_early", "timewait_bytes", "bytes_per_conn", "bytes_per_timewait",
              "timewait_fill_s", "timewait_fill_rate", "peak_rss_kb"):
        if f not in r or r[f] is not None:
            bad.append("linux/%s %s = %r, want null" % (w, f, r.get(f, "missing")))
    for mode in ("ring", "linux"):
        r = res.get((mode, w), {})
        for f in ("cycles_per_conn_client", "cycles_per_conn_server", "ratio_to_linux"):
            if not isinstance(r.get(f), (int, float)):
                bad.append("%s/%s %s = %r, want a number" % (mode, w, f, r.get(f)))
r = res.get(("ring", "handshake"), {})
if r.get("timewait_fill_s", 0) is not None or r.get("timewait_peak") != 0:
    bad.append("ring/handshake: fill %r (want null: none ran), TIME-WAIT %r (want 0)" % (r.get("timewait_fill_s"), r.get("timewait_peak")))
for (mode, w), r in res.items():
    k = "%s/%s" % (mode, w)
    reps = [p.get("rep") for p in r["series"]]
    if not reps or sorted(set(reps)) != [1, 2] or reps != sorted(reps):
        bad.append("%s series repetitions %s" % (k, reps))
    if any(p.get("second", 0) < 1 or not p.get("conn_per_s", 0) > 0 for p in r["series"]):
        bad.append("%s series %s" % (k, r["series"][:4]))
    l = r["connect_latency_ns"]
    q = [l.get(f) for f in ("p50", "p90", "p99", "p999", "p9999", "max")]
    if not l["count"] > 0 or None in q or q != sorted(q):
        bad.append("%s latency summary %s" % (k, q))
        continue
    b = l["buckets"]
    if sum(c for _, c in b) != l["count"] or [v for v, _ in b] != sorted(set(v for v, _ in b)) or l["sub_buckets"] != 128:
        bad.append("%s buckets do not add up to count %d" % (k, l["count"]))
    rows = l["percentiles"]["rows"]
    if l["percentiles"]["columns"] != ["value_ns", "percentile", "total_count", "1/(1-percentile)"]:
        bad.append("%s percentile columns %s" % (k, l["percentiles"]["columns"]))
    if rows[-1] != [l["max"], 1, l["count"], None]:
        bad.append("%s last percentile row %s (max %d count %d)" % (k, rows[-1], l["max"], l["count"]))
    levels = [x[1] for x in rows]
    if levels != sorted(set(levels)) or 0.5 not in levels or 0.9 not in levels:
        bad.append("%s percentile levels %s" % (k, levels[:12]))
    if [x[0] for x in rows] != sorted(x[0] for x in rows) or [x[2] for x in rows] != sorted(x[2] for x in rows):
        bad.append("%s percentile rows not ascending" % k)
    if any(abs(x[3] - 1 / (1 - x[1])) > 1e-6 * x[3] for x in rows[:-1]):
        bad.append("%s 1/(1-percentile) column" % k)
    # p50 is the middle of its bucket, the row at 50 % the top of the same bucket: within 1 %.
    v50 = rows[levels.index(0.5)][0]
    if not l["p50"] <= v50 <= l["p50"] * 1.01 + 1:
        bad.append("%s p50 %d, value at 50 %% %d" % (k, l["p50"], v50))
print("; ".join(bad) or "ok")
PYEOF
)
check "JSON: meta, null where a figure does not apply, repetitions in the series, latency distributions ($verdict)" [ "$verdict" = ok ]
plots_ok() { # plots.gp
  grep -q "set format y '%.1s%c'" "$1" && grep -q "'99.9%%' 1000" "$1" &&
    [ "$(grep -c "title 'synack ring handshake'\|title 'Linux handshake'" "$1")" -ge 4 ]
}
check "plots: rates on a linear axis in k/M, legends naming synack and Linux, HDR percentile axis" \
  plots_ok "$TMP/plots/plots.gp"
check "plot data: every second with its repetition, percentile rows" \
  [ "$(awk 'NF == 3 && $3 == 2' "$TMP/plots/rate-ring-close.dat" | wc -l)" -ge 1 -a -s "$TMP/plots/latency-linux-request.dat" ]

# A TIME-WAIT table too small for rate x 2 x MSL: the oldest TIME-WAITs end early and the report
# counts them, and the load goes on. (Before, TIME-WAITs past the table stayed in full TCBs, each
# holding a place of the load for 2 x MSL: the load stopped once the table and the 65,536-TCB pool
# were full, some 66,000 connections in.)
"$BENCH" --mode ring --workload close --timewait-entries 1000 --msl 5 --duration 2 --reps 1 --no-steady \
  --json "$TMP/small.json" >"$TMP/sout" 2>"$TMP/serr"
rc=$?
verdict=$("$PY" - "$TMP/small.json" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
ok = (r["failed"] == 0 and r["started"] == r["completed"] and r["completed"] > 100000
      and r["timewait_ended_early"] > 0 and r["timewait_peak"] <= 1000)
print("ok" if ok else "started %d completed %d failed %d, %d ended early, peak %d" % (r["started"], r["completed"],
      r["failed"], r["timewait_ended_early"], r["timewait_peak"]))
PYEOF
)
check "a 1,000-entry TIME-WAIT table: rc 0 ($rc), the load went on past table and pool, early ends counted ($verdict)" \
  [ "$rc" = 0 -a "$verdict" = ok ]
check "the report warns of the early ends" grep -q "^warning: close ring: the TIME-WAIT table (1000 entries) filled: [0-9]* TIME-WAITs ended before 2 x MSL" "$TMP/sout"

# TIME-WAIT is never overrun: from one source address the close load has 55,536 ephemeral ports,
# each leaves its tuple in TIME-WAIT (2 x MSL = 120 s here), and once the walk over the ports comes
# back to its start no tuple may be used again: the load stops there, nothing fails, nothing is
# reopened. (--no-steady: no 2 x MSL fill first, which would outlast the first entries' TIME-WAIT.)
one_address() { # duration reps -> "ok" or what the JSON says, after "rc N: "
  "$BENCH" --mode ring --workload close --src-ips 1 --msl 60 --duration "$1" --reps "$2" --no-steady \
    --json "$TMP/w$2.json" >"$TMP/wout$2" 2>"$TMP/werr$2"
  printf 'rc %s: ' "$?"
  "$PY" - "$TMP/w$2.json" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
ok = r["started"] == 55536 and r["completed"] == 55536 and r["failed"] == 0 and r["timewait_peak"] == 55536
print("ok" if ok else "started %d completed %d failed %d TIME-WAIT %d" % (r["started"], r["completed"], r["failed"], r["timewait_peak"]))
PYEOF
}
verdict=$(one_address 2 1)
check "one source address: 55,536 connections, all in TIME-WAIT, none reused or failed ($verdict)" [ "$verdict" = "rc 0: ok" ]
# Two loads in a row (two repetitions) from the same address continue one walk: the second starts
# where the first stopped, finds the walk wrapped, and takes no tuple the first left in TIME-WAIT.
verdict=$(one_address 1 2)
check "one source address, two loads: still 55,536 connections in all, none reused ($verdict)" [ "$verdict" = "rc 0: ok" ]

# The tap modes (interop across a TAP in a namespace synack-bench makes and removes): both
# directions complete their connections and account for every one. Across a TAP the kernel may
# drop or reset a few under load (its accept queue), so here failures are allowed below 1 % and
# counted, while started = completed + failed must hold exactly.
"$BENCH" --mode tap --workload handshake,request --duration 1 --reps 1 --json "$TMP/t.json" >"$TMP/tout" 2>"$TMP/terr"
rc=$?
check "synack-bench --mode tap exits 0 (rc $rc)" [ "$rc" = 0 ]
verdict=$("$PY" - "$TMP/t.json" <<'PYEOF'
import json, sys
j = json.load(open(sys.argv[1]))
bad = ["%s/%s started %d completed %d failed %d" % (r["mode"], r["workload"], r["started"], r["completed"], r["failed"])
       for r in j["results"]
       if r["started"] != r["completed"] + r["failed"] or r["failed"] * 100 >= r["started"] or not r["completed"]]
modes = sorted(set(r["mode"] for r in j["results"]))
if modes != ["tap-cli", "tap-srv"] or len(j["results"]) != 4:
    bad.append("results: %s" % modes)
# In request the server closes first and holds TIME-WAIT: synack's in tap-srv, Linux's (not
# counted: null) in tap-cli. Both sides' cycles are measured in both directions.
tw = {(r["mode"], r["workload"]): r["timewait_peak"] for r in j["results"]}
if tw.get(("tap-srv", "request")) is None or tw.get(("tap-cli", "request"), 0) is not None:
    bad.append("request TIME-WAIT: tap-srv %r (want a count), tap-cli %r (want null)" % (tw.get(("tap-srv", "request")),
               tw.get(("tap-cli", "request"), "missing")))
bad += ["%s/%s cycles %r/%r" % (r["mode"], r["workload"], r["cycles_per_conn_client"], r["cycles_per_conn_server"])
        for r in j["results"] if r["cycles_per_conn_client"] is None or r["cycles_per_conn_server"] is None]
print("; ".join(bad) or "ok")
PYEOF
)
check "tap-srv and tap-cli: every connection accounted for, under 1 % failed, TIME-WAIT null where Linux's ($verdict)" [ "$verdict" = ok ]
check "the namespace synack-bench made is gone" [ -z "$(ip netns list | grep synack-bench)" ]

# synack-bench killed mid-run leaves nothing behind: its workload process, the memif or TAP server
# it started, Linux's peers, the server's directory and the tap mode's namespace all go with it
# (children are told by the kernel when their parent dies, PR_SET_PDEATHSIG; the process that made
# a directory or namespace removes it on SIGTERM). Before, a killed synack-bench left its workload
# running to the end of its load, and a killed workload left its memif server polling a core for good.
descendants() { local c; for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do echo "$c"; descendants "$c"; done; }
kill_midway() { # mode: starts a run, kills it once its server is up, checks what is left
  local before after kids="" left="" nkids k
  before=$(ls -d /tmp/synack-bench-* 2>/dev/null | sort)
  "$BENCH" --mode "$1" --workload handshake --duration 30 --reps 1 --no-steady >"$TMP/kout" 2>&1 &
  BP=$!
  PIDS+=("$BP")
  for _ in $(seq 150); do
    kids=$(descendants "$BP")
    for k in $kids; do grep -q synack-console "/proc/$k/comm" 2>/dev/null && break 2; done
    sleep 0.2
  done
  # The workload and its peers start one after another: wait for the run's second process (up to
  # 20 s: on a loaded host the peer may come seconds after the server), then a moment more.
  for _ in $(seq 100); do
    kids=$(descendants "$BP")
    [ "$(echo $kids | wc -w)" -ge 2 ] && break
    sleep 0.2
  done
  sleep 1
  kids=$(descendants "$BP")
  nkids=$(echo $kids | wc -w)
  kill -TERM "$BP"
  for _ in $(seq 50); do
    left=""
    for k in $kids; do kill -0 "$k" 2>/dev/null && left="$left $k"; done
    [ -z "$left" ] && break
    sleep 0.2
  done
  check "$1: synack-bench killed mid-run: its $nkids processes ended with it (left:${left:- none})" [ "$nkids" -ge 2 -a -z "$left" ]
  for k in $left; do kill -KILL "$k" 2>/dev/null; done
  wait "$BP" 2>/dev/null
  after=$(ls -d /tmp/synack-bench-* 2>/dev/null | sort)
  check "$1: and left no directory in /tmp" [ "$before" = "$after" ]
  check "$1: and no namespace of its own" [ -z "$(ip netns list | grep "synack-bench-$BP")" ]
}
kill_midway memif
kill_midway tap

badarg() { # expected-words args...
  local want=$1; shift
  "$BENCH" "$@" >"$TMP/bo" 2>"$TMP/be"
  local rc=$? lines good=no
  lines=$(wc -l <"$TMP/be")
  [ "$rc" = 2 ] && [ "$lines" = 1 ] && grep -qF -- "$want" "$TMP/be" && good=yes
  check "bad argument '$*': exit 2, one line naming it (rc $rc: $(head -c 120 "$TMP/be"))" [ "$good" = yes ]
}
badarg "--workload 'syn'" --workload syn
badarg "--concurrency '0'" --concurrency 0
badarg "--mode 'nic'" --mode nic
badarg "--duration 'abc'" --duration abc
badarg "--reps '99'" --reps 99
badarg "--src-ips '0'" --src-ips 0
badarg "--timewait-entries '10'" --timewait-entries 10
badarg "--frobnicate" --frobnicate
badarg "--no-steady" --no-steady=1
badarg "argument 'extra'" extra
badarg "--count '0'" --count 0
badarg "--count 'with --duration'" --count 1000 --duration 2

# --count: each repetition opens exactly that many connections and is timed until the last ends;
# Linux's client is given the same count.
"$BENCH" --mode ring,linux --workload handshake,close --count 30000 --reps 2 --msl 1 --json "$TMP/c.json" \
  >"$TMP/cout" 2>"$TMP/cerr"
rc=$?
verdict=$(/usr/bin/python3 - "$TMP/c.json" 2>&1 <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
bad = []
if j["count"] != 30000 or j["duration_s"] is not None:
    bad.append("count %s, duration_s %s" % (j["count"], j["duration_s"]))
for r in j["results"]:
    k = "%s/%s" % (r["mode"], r["workload"])
    if r["started"] != r["completed"] + r["failed"] or r["failed"]:
        bad.append("%s started %d completed %d failed %d" % (k, r["started"], r["completed"], r["failed"]))
    # close fills 2 x MSL first (timed); handshake is the two counted repetitions alone
    if r["workload"] == "handshake" and r["started"] != 60000:
        bad.append("%s started %d, want 2 x 30000" % (k, r["started"]))
    if r["workload"] == "close" and r["mode"] == "linux" and r["started"] != 60000:
        bad.append("%s started %d, want 2 x 30000" % (k, r["started"]))
    if not r["conn_per_s"] > 0:
        bad.append("%s: no rate" % k)
if len(j["results"]) != 4:
    bad.append("%d results (want 4)" % len(j["results"]))
print("; ".join(bad) or "ok")
PY
)
check "--count 30000 --reps 2: rc 0 ($rc), each repetition exactly 30,000 connections, all accounted for ($verdict)" \
  [ "$rc" = 0 -a "$verdict" = ok ]
check "the table's header says so" grep -q "2 x 30000 connections per figure" "$TMP/cout"
finish
