#!/usr/bin/env bash
# The README's second command: installs what is missing, builds, and runs every test: the Criterion
# unit suite (release build), the same suite under AddressSanitizer + UndefinedBehaviorSanitizer,
# the synack-demo traces, a bounded libFuzzer run over the parser and state machine, the console
# against a fake engine, and the real-peer integration tests (root: namespaces, TAP, veth).
# Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-45}
logdir=$(mktemp -d)
passed=0
failed=0
failures=()

note() { printf '%s\n' "$*"; }

# Criterion suite: count its test cases from its TAP output.
run_criterion() { # name binary
  local name=$1 bin=$2 tap="$logdir/$1.tap"
  "$bin" --jobs 2 --tap="$tap" >"$logdir/$name.log" 2>&1
  local rc=$?
  local ok nok
  ok=$(grep -c '^ok ' "$tap" 2>/dev/null || true)
  nok=$(grep -c '^not ok ' "$tap" 2>/dev/null || true)
  passed=$((passed + ok))
  failed=$((failed + nok))
  if [ "$rc" -ne 0 ] || [ "$nok" -ne 0 ] || [ "$ok" -eq 0 ]; then
    [ "$nok" -ne 0 ] || failed=$((failed + 1))
    failures+=("$name")
    grep -E '^not ok|Assertion|FAIL|ERROR|runtime error' "$tap" "$logdir/$name.log" | head -40
  fi
  note "$name: $ok passed, $nok failed"
}

# A single check: a command that must exit 0.
run_one() { # name command...
  local name=$1; shift
  if "$@" >"$logdir/$name.log" 2>&1; then
    passed=$((passed + 1)); note "$name: passed"
  else
    failed=$((failed + 1)); failures+=("$name"); note "$name: FAILED"; tail -30 "$logdir/$name.log"
  fi
}

./scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

# A script that ends with its own "N passed, N failed" line: its counts join the total.
run_script() { # name command...
  local name=$1; shift
  "$@" >"$logdir/$name.log" 2>&1
  local rc=$? line ok nok
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logdir/$name.log" | tail -1)
  ok=${line%% passed*}; ok=${ok:-0}
  nok=${line#*passed, }; nok=${nok%% failed*}; nok=${nok:-0}
  [ -n "$line" ] || nok=1
  if [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then nok=1; fi
  passed=$((passed + ok)); failed=$((failed + nok))
  if [ "$nok" -ne 0 ]; then
    failures+=("$name"); grep -E 'FAIL|error' "$logdir/$name.log" | head -20
  fi
  note "$name: $ok passed, $nok failed"
}

if ./scripts/build.sh release >"$logdir/build.log" 2>&1; then
  run_criterion unit build/tests/unit/synack-unit
  run_criterion pair build/tests/unit/synack-pair-test
  run_criterion config build/tests/unit/synack-config-test
  run_criterion steer build/tests/unit/synack-steer-test
  run_criterion gen build/tests/unit/synack-gen-test
  run_one demo-traces ./build/app/demo/synack-demo --msl 2
  run_script console tests/console/test_console.sh build/app/console/synack-console-fake
  # Real peers: the Linux kernel's TCP through TAP and veth ports in namespaces the tests make.
  for t in tests/integration/t[0-9]*.sh; do
    run_script "$(basename "$t" .sh)" timeout 600 bash "$t"
  done
else
  cat "$logdir/build.log"; failed=$((failed + 1)); failures+=(build-release)
fi

if ./scripts/build.sh asan >"$logdir/build-asan.log" 2>&1; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_criterion unit-asan-ubsan build-asan/tests/unit/synack-unit
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    run_criterion pair-asan-ubsan build-asan/tests/unit/synack-pair-test
else
  cat "$logdir/build-asan.log"; failed=$((failed + 1)); failures+=(build-asan)
fi

# A libFuzzer target from the real-conversation seeds, in a corpus of its own (the targets' differ).
fuzz() { # target
  local corpus="$logdir/corpus-$1"
  mkdir -p "$corpus"
  ./build-fuzz/tests/fuzz/fuzz-gen-corpus "$corpus" || return 1
  ./build-fuzz/tests/fuzz/"$1" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$logdir/$1-" -print_final_stats=1 "$corpus"
}
if ./scripts/build.sh fuzz >"$logdir/build-fuzz.log" 2>&1; then
  run_one fuzz-input fuzz fuzz-input
  # The whole endpoint: several connections, timers, cookies, delayed ACKs, held bytes.
  run_one fuzz-endpoint fuzz fuzz-endpoint
else
  cat "$logdir/build-fuzz.log"; failed=$((failed + 1)); failures+=(build-fuzz)
fi

[ ${#failures[@]} -eq 0 ] || note "failed: ${failures[*]} (logs in $logdir)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
