# issue 7: one database, several armorer processes at once. Two `learn`s writing together
# (even racing to create the file) both land with their observations, and `emit` reading
# while a `learn` writes succeeds with a profile that compiles (WAL + busy timeout).
source "$(dirname "$0")/lib.sh"
require_bpf

db=$TEST_TMP/shared.db
for name in a1 a2 b1 b2 c1 c2 c3; do echo "$name" > "$TEST_TMP/$name.txt"; done

# 1. Two recorders started at the same instant on a database that does not exist yet.
learn_bg() { # learn_bg LABEL WORKLOAD_STEPS...
  local label=$1; shift
  "$ARMORER" learn --db "$db" --profile shared --label "$label" --quiet -- "$WORKLOAD" "$@" \
    > "$TEST_TMP/$label.out" 2> "$TEST_TMP/$label.err"
}
learn_bg A read "$TEST_TMP/a1.txt" -- sleep 1 -- read "$TEST_TMP/a2.txt" &
pid_a=$!
learn_bg B read "$TEST_TMP/b1.txt" -- sleep 1 -- read "$TEST_TMP/b2.txt" &
pid_b=$!
status_a=0 status_b=0
wait "$pid_a" || status_a=$?
wait "$pid_b" || status_b=$?
check "learn A succeeded next to B" test "$status_a" -eq 0
check "learn B succeeded next to A" test "$status_b" -eq 0
cat "$TEST_TMP/A.err" "$TEST_TMP/B.err"
check "both runs landed, complete" \
  test "$(sql "$db" "SELECT group_concat(label || ':' || status, ' ') FROM (SELECT label, status FROM runs WHERE profile='shared' ORDER BY label)")" = "A:complete B:complete"
for file in a1 a2 b1 b2; do
  check "the read of $file.txt is recorded" has_obs "$db" shared file "$TEST_TMP/$file.txt" $ACC_READ
done
# Each observation stays linked to the run that saw it, not to the other one.
linked_runs() { # linked_runs FILE: labels of the runs linked to the read of FILE
  sql "$db" "SELECT group_concat(r.label) FROM observation_runs l JOIN observations o ON o.id = l.observation_id JOIN runs r ON r.id = l.run_id WHERE o.object = '$TEST_TMP/$1.txt'"
}
check "a1.txt is linked to run A only" test "$(linked_runs a1)" = A
check "b2.txt is linked to run B only" test "$(linked_runs b2)" = B
check "the database passes SQLite's integrity check" test "$(sql "$db" "PRAGMA integrity_check")" = ok

# 2. emit over and over while a recorder writes (batches land during the run) and an
# audit-log learn of another profile writes too. The workload reads its next file only after
# the next emit, so that however slow the machine, emits and writes interleave.
for i in $(seq 200); do cat "$SOURCE_DIR/samples/audit/auditd_complain.log"; done > "$TEST_TMP/big.log"
"$ARMORER" learn --db "$db" --profile shared --label C --quiet --ready-file "$TEST_TMP/ready.C" -- \
  "$WORKLOAD" read "$TEST_TMP/c1.txt" -- await "$TEST_TMP/go.1" -- read "$TEST_TMP/c2.txt" \
  -- await "$TEST_TMP/go.2" -- read "$TEST_TMP/c3.txt" -- await "$TEST_TMP/go.3" &
pid_c=$!
"$ARMORER" learn --db "$db" --profile webapp --label audit --quiet --audit-log "$TEST_TMP/big.log" &
pid_audit=$!
wait_for_file "$TEST_TMP/ready.C"
emits=0 emit_failures=0 bad_profiles=0
while kill -0 "$pid_c" 2>/dev/null; do
  emits=$((emits + 1))
  if "$ARMORER" emit --db "$db" --profile shared > "$TEST_TMP/emit.$emits" 2> "$TEST_TMP/emit.$emits.err"; then
    compiles "$TEST_TMP/emit.$emits" || bad_profiles=$((bad_profiles + 1))
  else
    emit_failures=$((emit_failures + 1))
    cat "$TEST_TMP/emit.$emits.err"
  fi
  touch "$TEST_TMP/go.$emits"
done
status_c=0 status_audit=0
wait "$pid_c" || status_c=$?
wait "$pid_audit" || status_audit=$?
echo "    $emits emits while learn C was writing"
check "emit ran while learn was writing" test "$emits" -ge 3
check "every emit during the learn succeeded" test "$emit_failures" -eq 0
check "every profile emitted during the learn compiles" test "$bad_profiles" -eq 0
check "learn C succeeded while emit was reading" test "$status_c" -eq 0
check "the audit-log learn succeeded alongside" test "$status_audit" -eq 0
for file in c1 c2 c3; do
  check "the read of $file.txt is recorded" has_obs "$db" shared file "$TEST_TMP/$file.txt" $ACC_READ
done
check "the audit-log run landed" has_obs "$db" webapp file /etc/webapp/config.yaml $ACC_READ
"$ARMORER" emit --db "$db" --profile shared > "$TEST_TMP/final.profile"
check "the final profile compiles" compiles "$TEST_TMP/final.profile"
# The markers may be generalised into one glob: ask explain which rule grants each read.
for file in a1 a2 b1 b2 c1 c2 c3; do
  check "the final profile allows reading $file.txt" \
    "$ARMORER" explain --db "$db" --profile shared "$TEST_TMP/$file.txt" > /dev/null
done

finish
