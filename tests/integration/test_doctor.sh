# issue 18: `armorer doctor` says before a training run what learning can record on this host:
# exit 0 (everything), 1 (with gaps, named), 2 (nothing, with the reason and the alternative).
source "$(dirname "$0")/lib.sh"
require_bpf

json=$("$ARMORER" doctor --json)
status=$?
check "doctor: exit 0 where every hook has an attach path" test "$status" -eq 0
check "doctor --json: verdict full" test "$(field "$json" verdict)" = full
check "doctor --json: every hook with its path and program" \
  /usr/bin/python3 -c 'import json, sys
d = json.loads(sys.argv[1])
hooks = {h["hook"]: h for h in d["hooks"]}
assert set(hooks) == {"sched_process_fork", "sched_process_exec", "sched_process_exit", "sys_exit", "cap_capable"}
assert all(h["path"] != "none" and h["program"] and h["verified_insns"] > 0 for h in hooks.values())' "$json"
check "doctor --json: every program verified within 25% of the limit" \
  /usr/bin/python3 -c 'import json, sys
d = json.loads(sys.argv[1])
assert all(h["verified_insns"] <= d["verifier_limit"] // 4 for h in d["hooks"])' "$json"

status=0
text=$(ARMORER_DISABLE_HOOKS=cap_capable "$ARMORER" doctor) || status=$?
check "doctor: exit 1 when a hook has no attach path" test "$status" -eq 1
check "doctor: names the gap and the reason" \
  grep -q "^gap   cap_capable .*NOT recorded (tp_btf: disabled by ARMORER_DISABLE_HOOKS" <<< "$text"
check "doctor: says learning works with gaps" grep -q "^learning works with gaps: capability not recorded" <<< "$text"

status=0
text=$(ARMORER_DISABLE_HOOKS=sched_process_exec "$ARMORER" doctor) || status=$?
check "doctor: exit 2 when no process can be followed" test "$status" -eq 2
check "doctor: the reason names the hook and the alternative" \
  grep -q "^eBPF recording cannot work here: .*sched_process_exec.*--audit-log" <<< "$text"

chmod 0755 "$TEST_TMP"
status=0
text=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$ARMORER" doctor 2>&1) || status=$?
check "doctor as non-root: exit 2" test "$status" -eq 2
check "doctor as non-root: says root is needed and what to do instead" \
  grep -q "^eBPF recording cannot work here: recording with eBPF needs root.*--audit-log" <<< "$text"
finish
