# issue 4: `armorer merge` unites databases recorded on several machines (runs renumbered,
# counts summed, provenance kept) and `armorer explain` says which rule covers a path and
# which observations and runs it came from. No BPF: the runs come from audit logs.
source "$(dirname "$0")/lib.sh"

samples=$SOURCE_DIR/samples/audit
host_a=$TEST_TMP/host-a.db host_b=$TEST_TMP/host-b.db fleet=$TEST_TMP/fleet.db

"$ARMORER" learn --db "$host_a" --profile webapp --audit-log "$samples/auditd_complain.log" --label a --quiet
"$ARMORER" learn --db "$host_b" --profile webapp --audit-log "$samples/auditd_complain.log" --label b1 --quiet
"$ARMORER" learn --db "$host_b" --profile webapp --audit-log "$samples/auditd_complain.log" --label b2 --quiet
"$ARMORER" learn --db "$host_b" --profile backup --aa-profile /usr/bin/backup-agent \
  --audit-log "$samples/kernel_syslog.log" --quiet

"$ARMORER" merge "$fleet" "$host_a" "$host_b" 2>"$TEST_TMP/merge.err"
check "merge succeeds and says what it merged" grep -q "merged 4 runs" "$TEST_TMP/merge.err"
check "every run of every input is a run of OUT, renumbered" \
  test "$(sql "$fleet" "SELECT group_concat(id) FROM (SELECT id FROM runs ORDER BY id)")" = "1,2,3,4"
check "runs say where they came from" \
  test "$(sql "$fleet" "SELECT count(*) FROM runs WHERE label = 'b2 (merged from $host_b run 2)'")" -eq 1
check "every profile is merged" test "$(sql "$fleet" "SELECT count(DISTINCT profile) FROM runs")" -eq 2
sum() { sql "$1" "SELECT sum(count) FROM observations WHERE profile='webapp'"; }
check "counts are summed" test "$(sum "$fleet")" -eq $(($(sum "$host_a") + $(sum "$host_b")))
check "observations are the union" \
  test "$(sql "$fleet" "SELECT count(*) FROM observations")" -eq "$(sql "$host_b" "SELECT count(*) FROM observations")"
check "provenance: one fact seen in all three webapp runs" \
  test "$(sql "$fleet" "SELECT count(*) FROM observation_runs r JOIN observations o ON o.id = r.observation_id
                         WHERE o.object = '/etc/webapp/config.yaml'")" -eq 3

"$ARMORER" merge "$fleet" "$host_a" 2>/dev/null
check "an OUT that exists is added to" test "$(sql "$fleet" "SELECT count(*) FROM runs")" -eq 5
set +e
"$ARMORER" merge "$host_a" "$host_a" 2>"$TEST_TMP/self.err"
status=$?
set -e
check "merging a database into itself is refused (exit 2)" test "$status" -eq 2

"$ARMORER" emit --db "$fleet" --profile webapp > "$TEST_TMP/webapp.profile"
check "the merged profile compiles" compiles "$TEST_TMP/webapp.profile"

"$ARMORER" explain --db "$fleet" --profile webapp /etc/webapp/config.yaml > "$TEST_TMP/explain.out"
check "explain of a recorded path: exit 0" test $? -eq 0
check "explain says what is allowed" grep -q "^/etc/webapp/config.yaml: allows r by this rule" "$TEST_TMP/explain.out"
check "explain names the rule" grep -q "^  /etc/webapp/config.yaml r,$" "$TEST_TMP/explain.out"
# host-b's profiles merge in name order: backup is run 2, webapp's are 3 and 4.
check "explain names the runs" grep -q "in runs 1, 3, 4, 5" "$TEST_TMP/explain.out"
check "explain names the run labels" grep -q "run 3: b1 (merged from" "$TEST_TMP/explain.out"
check "explain shows the observation" grep -q "e.g. file /etc/webapp/config.yaml (read" "$TEST_TMP/explain.out"

set +e
"$ARMORER" explain --db "$fleet" --profile webapp /etc/passwd > "$TEST_TMP/none.out"
status=$?
set -e
check "explain of a path no rule covers: exit 1" test "$status" -eq 1
check "and says so" grep -q "no rule of profile webapp covers it" "$TEST_TMP/none.out"
set +e
"$ARMORER" explain --db "$fleet" --profile webapp relative/path 2>/dev/null
status=$?
set -e
check "explain of a relative path: exit 2" test "$status" -eq 2

finish
