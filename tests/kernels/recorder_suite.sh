#!/usr/bin/env bash
# The recorder's checks on the running kernel, run by run_kernel.sh in a VM (or on the host):
#   - armorer doctor: learning works fully, through the attach path matrix.txt expects for
#     capability checks, and every program verifies within 25% of the verifier's limit;
#   - doctor with a hook made unavailable answers 1 and names the gap;
#   - the reference workload's observations (compared across kernels by compare.sh);
#   - the recorder's integration tests (tests/integration), each of which must pass: a skip
#     counts as a failure here, since these kernels have every feature they need.
# Results go to OUT_DIR: doctor.json, reference.txt, tests/NAME.log, summary. (Each program's
# load time per kernel is bench/kernel_table.sh's.)
# usage: recorder_suite.sh BUILD_DIR SOURCE_DIR OUT_DIR EXPECTED_CAPABILITY_PATH
set -uo pipefail
BUILD=$(readlink -f "$1") SOURCE=$(readlink -f "$2") OUT=$(readlink -f "$3") EXPECTED_CAP=$4
ARMORER=$BUILD/cli/armorer
WORKLOAD=$BUILD/tests/test_workload
PY=/usr/bin/python3
# The recorder's integration tests whose outcome depends on the kernel. The others (the
# database under concurrent writers and crashes, emit, check...) run once, on the host.
TESTS=(learn_command learn_targets syscalls attach_fallback overridden_credentials overlay_root
       dentry_reuse loss_accounting map_sizes)

mkdir -p "$OUT/tests"
rm -f "$OUT"/tests/*.log "$OUT/summary"
failures=0
say() { printf '%s\n' "$*" | tee -a "$OUT/summary"; }
pass() { say "ok   - $*"; }
fail() { say "FAIL - $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
json() { $PY -c "import json, sys; d = json.load(open(sys.argv[1])); print($1)" "$OUT/doctor.json"; }

say "# kernel $(uname -r)"

# --- doctor --------------------------------------------------------------------------------------
"$ARMORER" doctor --json > "$OUT/doctor.json" 2> "$OUT/doctor.err"
status=$?
check "doctor: learning works fully (exit 0)" test "$status" -eq 0
[[ $status -eq 0 ]] || { cat "$OUT/doctor.err"; json 'd["summary"]'; }
check "doctor: capability checks through $EXPECTED_CAP" \
  test "$(json '[h["path"] for h in d["hooks"] if h["hook"] == "cap_capable"][0]')" = "$EXPECTED_CAP"
check "doctor: every other hook through tp_btf" \
  test "$(json '",".join(sorted({h["path"] for h in d["hooks"] if h["hook"] != "cap_capable"}))')" = tp_btf
largest=$(json 'max(h["verified_insns"] for h in d["hooks"])')
check "doctor: every program verifies within 25% of the limit (largest: $largest instructions)" \
  test "$largest" -gt 0 -a "$largest" -le 250000
say "     $(json '"  ".join("%s=%s:%s" % (h["hook"], h["program"], h["verified_insns"]) for h in d["hooks"])')"

ARMORER_DISABLE_HOOKS=cap_capable "$ARMORER" doctor > "$OUT/doctor-gap.txt" 2>&1
status=$?
check "doctor without a capability hook: exit 1" test "$status" -eq 1
check "doctor without a capability hook: names the gap" grep -q "gaps: capability not recorded" "$OUT/doctor-gap.txt"

# --- the reference workload ----------------------------------------------------------------------
bash "$SOURCE/tests/kernels/reference_workload.sh" "$ARMORER" "$WORKLOAD" > "$OUT/reference.txt" 2> "$OUT/reference.err"
check "the reference workload is recorded ($(wc -l < "$OUT/reference.txt") observations)" \
  test $? -eq 0 -a -s "$OUT/reference.txt"

# --- the recorder's integration tests ------------------------------------------------------------
# A test that hangs is stopped after TEST_TIMEOUT seconds, its processes and their kernel stacks
# kept in its log, and the suite goes on.
TEST_TIMEOUT=${TEST_TIMEOUT:-300}
run_test() { # run_test NAME: the test's exit status
  local log=$OUT/tests/$1.log pid waited
  bash "$SOURCE/tests/integration/test_$1.sh" "$ARMORER" "$SOURCE" "$WORKLOAD" > "$log" 2>&1 < /dev/null &
  pid=$!
  for ((waited = 0; waited < TEST_TIMEOUT * 10; waited++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    {
      echo "FAIL - the test hung: stopped after $TEST_TIMEOUT s; its processes:"
      ps -eo pid,ppid,stat,etime,wchan:30,args | grep -v ' \[' | grep -v "ps -eo"
      for p in $(pgrep -f 'armorer|runc|test_workload'); do
        echo "== $p $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)"
        cat "/proc/$p/stack" 2>/dev/null
      done
    } >> "$log"
    pkill -KILL -P "$pid"
    kill -KILL "$pid"
  fi
  wait "$pid"
}
for name in "${TESTS[@]}"; do
  started=$SECONDS
  run_test "$name"
  status=$?
  summary=$(tail -n 1 "$OUT/tests/$name.log")
  check "test_$name ($((SECONDS - started)) s, ${summary#\# })" test "$status" -eq 0
  ((status == 0)) || grep -E '^(FAIL|SKIP)' "$OUT/tests/$name.log" | sed 's/^/     /' | tee -a "$OUT/summary"
done

say "# $failures failed"
((failures == 0))
