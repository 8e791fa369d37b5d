# issue 18: a hook the kernel lacks (simulated with ARMORER_DISABLE_HOOKS) costs only its own
# kinds of fact; the run, `learn --json` and `emit` say what was not recorded.
source "$(dirname "$0")/lib.sh"
require_bpf

db=$TEST_TMP/fallback.db
cd "$TEST_TMP"
echo data > input.txt

# recorded_with JSON KIND: the attach path learn --json reports for a kind.
recorded_with() { /usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])["recorded_with"][sys.argv[2]])' "$1" "$2"; }

# --- the kernel's own choice: every kind recorded ----------------------------------------------
out=$("$ARMORER" learn --db "$db" --profile full --json --quiet -- "$WORKLOAD" read input.txt -- raw-socket)
check "learn --json names an attach path for every kind" \
  test "$(/usr/bin/python3 -c 'import json,sys; print(sorted(json.loads(sys.argv[1])["recorded_with"]))' "$out")" \
       = "['capability', 'exec', 'file', 'network', 'syscall']"
check "nothing is missing on this kernel" test "$(field "$out" not_recorded)" = "[]"
check "the run stores how it was recorded" \
  test "$(sql "$db" "SELECT recorded_with FROM runs WHERE profile='full'")" = \
       "exec=$(recorded_with "$out" exec) file=$(recorded_with "$out" file) network=$(recorded_with "$out" network) syscall=$(recorded_with "$out" syscall) capability=$(recorded_with "$out" capability)"
check "net_raw is recorded" has_obs "$db" full capability net_raw

# --- no capability hook at all -----------------------------------------------------------------
status=0
out=$(ARMORER_DISABLE_HOOKS=cap_capable "$ARMORER" learn --db "$db" --profile nocap --json -- \
      "$WORKLOAD" read input.txt -- raw-socket 2> "$TEST_TMP/nocap.err") || status=$?
check "learn without a capability hook still succeeds" test "$status" -eq 0
check "json: capability recorded with none" test "$(recorded_with "$out" capability)" = none
check "json: not_recorded names capability" test "$(field "$out" not_recorded)" = "['capability']"
check "stderr warns that capability checks were not recorded" \
  grep -q "WARNING: capability checks were NOT recorded" "$TEST_TMP/nocap.err"
check "files are still recorded" has_obs "$db" nocap file "$TEST_TMP/input.txt" $ACC_READ
check "sockets are still recorded" has_obs "$db" nocap network "inet raw 1"
check "system calls are still recorded" has_obs "$db" nocap syscall socket
check "no capability is recorded" \
  test "$(sql "$db" "SELECT count(*) FROM observations WHERE profile='nocap' AND kind='capability'")" -eq 0
check "the run's missing kinds say capability" \
  test "$(sql "$db" "SELECT missing_kinds FROM runs WHERE profile='nocap'")" = capability
"$ARMORER" emit --db "$db" --profile nocap --format ecs > /dev/null 2> "$TEST_TMP/emit.err"
check "emit --format ecs warns that the run recorded no capability checks" \
  grep -q "run [0-9]* recorded no capability checks" "$TEST_TMP/emit.err"
"$ARMORER" emit --db "$db" --profile nocap --format seccomp > /dev/null 2> "$TEST_TMP/emit-seccomp.err"
check "emit --format seccomp does not warn about capabilities it does not use" \
  test "$(grep -c "recorded no" "$TEST_TMP/emit-seccomp.err")" -eq 0

# --- only the tracepoint off: the next path the kernel accepts, or none, said either way ----------
out=$(ARMORER_DISABLE_HOOKS=cap_capable:tp_btf "$ARMORER" learn --db "$db" --profile notp --json --quiet -- \
      "$WORKLOAD" raw-socket 2> /dev/null)
path=$(recorded_with "$out" capability)
echo "    capability checks without the tracepoint: $path"
if [[ $path == none ]]; then
  check "no fallback path here: capability is missing" test "$(field "$out" not_recorded)" = "['capability']"
else
  check "the fallback path ($path) records net_raw" has_obs "$db" notp capability net_raw
  check "the fallback path ($path) does not call cat's memory probes sys_admin" \
    test "$(sql "$db" "SELECT count(*) FROM observations WHERE profile='notp' AND object='sys_admin'")" -eq 0
fi

# --- no system-call hook: processes are still followed -----------------------------------------
out=$(ARMORER_DISABLE_HOOKS=sys_exit "$ARMORER" learn --db "$db" --profile nosys --json -- \
      /bin/sh -c "cat $TEST_TMP/input.txt > /dev/null" 2> /dev/null)
check "json: file, network and syscall not recorded" \
  test "$(field "$out" not_recorded)" = "['file', 'network', 'syscall']"
check "execs are still recorded" has_obs "$db" nosys exec /usr/bin/cat $ACC_EXEC

# --- a hook that following processes needs: a clear refusal --------------------------------------
status=0
err=$(ARMORER_DISABLE_HOOKS=sched_process_exec "$ARMORER" learn --db "$db" --profile noexec -- /bin/true 2>&1) || status=$?
check "without the exec hook learn exits 1" test "$status" -eq 1
check "the error is one line naming the hook" \
  test "$(printf '%s\n' "$err" | wc -l)" -eq 1 -a -n "$(printf '%s' "$err" | grep 'sched_process_exec')"

# --- a typo is refused before anything is written -------------------------------------------------
status=0
err=$(ARMORER_DISABLE_HOOKS=cap_capabel "$ARMORER" learn --db "$TEST_TMP/typo.db" --profile t -- /bin/true 2>&1) || status=$?
check "an unknown hook name is a usage error" test "$status" -ne 0
check "the error names the unknown hook" grep -q "unknown hook or path 'cap_capabel'" <<< "$err"
check "no database was created for it" test ! -e "$TEST_TMP/typo.db"
finish
