# issue 3: `armorer learn --audit-log` stores AppArmor complain-mode records as a run, from a
# file or stdin, counts garbage instead of failing, and the result emits a valid profile.
source "$(dirname "$0")/lib.sh"

db=$TEST_TMP/audit.db
samples=$SOURCE_DIR/samples/audit

"$ARMORER" learn --db "$db" --profile webapp --audit-log "$samples/auditd_complain.log" \
  --executable /usr/bin/webapp --json --quiet > "$TEST_TMP/summary.json"
check "audit learn succeeds on a log with garbage lines" test $? -eq 0
check "the JSON summary counts kept and malformed records" /usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["source"] == "audit" and s["records_kept"] == 35 and s["malformed"] == 5, s' "$TEST_TMP/summary.json"
check "a complain-mode file record is stored" has_obs "$db" webapp file /etc/webapp/config.yaml $ACC_READ
check "a capability record is stored" has_obs "$db" webapp capability net_bind_service
check "the run is stored with source audit" \
  test "$(sql "$db" "SELECT source || ':' || status FROM runs WHERE profile='webapp'")" = "audit:complete"

"$ARMORER" learn --db "$db" --profile webapp --audit-log - --quiet < "$samples/auditd_complain.log"
check "a second run (the log on stdin) accumulates into the same profile" \
  test "$(sql "$db" "SELECT count(*) FROM runs WHERE profile='webapp'")" -eq 2
check "counts of the same facts add up across runs" \
  test "$(sql "$db" "SELECT count(DISTINCT run_id) FROM observation_runs")" -eq 2

"$ARMORER" learn --db "$db" --profile backup --aa-profile /usr/bin/backup-agent --audit-log - --quiet \
  < "$samples/kernel_syslog.log"
check "kernel/syslog/journal lines of a path-named AppArmor profile" \
  test "$(sql "$db" "SELECT count(*) FROM observations WHERE profile='backup'")" -gt 10
"$ARMORER" emit --db "$db" --profile backup > "$TEST_TMP/backup.profile"
check "the profile learned from kernel log lines compiles" compiles "$TEST_TMP/backup.profile"

"$ARMORER" emit --db "$db" --profile webapp > "$TEST_TMP/webapp.profile"
check "the profile learned from audit logs compiles" compiles "$TEST_TMP/webapp.profile"
check "it grants the complain-mode read" grep -q "/etc/webapp/config.yaml r" "$TEST_TMP/webapp.profile"

set +e
"$ARMORER" learn --db "$db" --profile webapp --audit-log "$TEST_TMP/missing.log" 2>"$TEST_TMP/err"
status=$?
set -e
check "a missing log file: exit 1 with its name" test "$status" -eq 1 -a "$(grep -c missing.log "$TEST_TMP/err")" -eq 1
# The first staging run needs a profile before any data exists: complain mode, no rules.
"$ARMORER" emit --bootstrap --profile webapp > "$TEST_TMP/bootstrap.profile"
check "emit --bootstrap writes a profile that compiles" compiles "$TEST_TMP/bootstrap.profile"
check "the bootstrap profile is in complain mode" grep -q "flags=(complain," "$TEST_TMP/bootstrap.profile"
check "the bootstrap profile has no rules (so every access is logged)" \
  test "$(grep -v '^ *#' "$TEST_TMP/bootstrap.profile" | grep -c ',$')" -eq 1
set +e
"$ARMORER" emit --bootstrap --profile webapp --db "$db" 2>/dev/null; with_db=$?
"$ARMORER" emit --profile webapp 2>/dev/null; without_db=$?
set -e
check "--bootstrap with --db, or emit without --db: usage errors (2)" test "$with_db$without_db" = 22
"$ARMORER" emit --db "$db" --profile webapp --mode complain > "$TEST_TMP/complain.profile"
check "emit --mode complain sets the complain flag and compiles" \
  grep -q "flags=(complain," "$TEST_TMP/complain.profile"
finish
