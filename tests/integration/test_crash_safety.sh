# issue 7: `kill -9` of `armorer learn` leaves a database that opens, keeps every committed
# batch, and marks the run interrupted; emit warns about it. A v1 database migrates forward.
source "$(dirname "$0")/lib.sh"
require_bpf

db=$TEST_TMP/crash.db
echo marker > "$TEST_TMP/marker.txt"
for attempt in 1 2 3; do
  "$ARMORER" learn --db "$db" --profile crash --quiet --ready-file "$TEST_TMP/ready.$attempt" -- \
    "$WORKLOAD" read "$TEST_TMP/marker.txt" -- exec /bin/true -- sleep 30 &
  learner=$!
  wait_for_file "$TEST_TMP/ready.$attempt"
  # Wait until a batch is committed, then kill at a slightly different moment each time.
  wait_for_obs "$db" crash "$TEST_TMP/marker.txt" || true
  sleep "0.$((attempt * 2))"
  kill -9 "$learner"
  wait "$learner" 2>/dev/null || true
  pkill -f "$WORKLOAD read $TEST_TMP/marker.txt" || true
done

check "the database passes SQLite's integrity check after kill -9" \
  test "$(sql "$db" "PRAGMA integrity_check")" = ok
check "committed batches survive" has_obs "$db" crash file "$TEST_TMP/marker.txt" $ACC_READ
"$ARMORER" emit --db "$db" --profile crash > "$TEST_TMP/crash.profile" 2> "$TEST_TMP/crash.err"
check "emit still works on the killed runs" compiles "$TEST_TMP/crash.profile"
check "emit warns that the last killed run did not finish" grep -q "run 3 did not finish" "$TEST_TMP/crash.err"
check "each new learn closed the runs of recorders killed before it" \
  test "$(sql "$db" "SELECT group_concat(status) FROM runs WHERE profile='crash'")" = "interrupted,interrupted,running"

# The next read-write open (another learn) marks the dead recorders' runs interrupted.
"$ARMORER" learn --db "$db" --profile crash --quiet -- /bin/true
check "runs of killed recorders are marked interrupted" \
  test "$(sql "$db" "SELECT count(*) FROM runs WHERE profile='crash' AND status='interrupted'")" -eq 3
check "the new run is complete" \
  test "$(sql "$db" "SELECT status FROM runs WHERE profile='crash' ORDER BY id DESC LIMIT 1")" = complete

# A database of schema version 1 (before runs had owners) is migrated forward in place.
v1=$TEST_TMP/v1.db
sqlite3 "$v1" < "$SOURCE_DIR/schema/sql/001_initial.sql"
sql "$v1" "PRAGMA application_id = 1095912786; PRAGMA user_version = 1; INSERT INTO runs (profile, source, target, started_ms, status) VALUES ('old', 'ebpf', 'command: x', 1, 'complete');"
"$ARMORER" learn --db "$v1" --profile old --quiet -- /bin/true
check "a schema-1 database is migrated to the latest version" \
  test "$(sql "$v1" "PRAGMA user_version")" -eq "$(ls "$SOURCE_DIR"/schema/sql/*.sql | wc -l)"
check "its old run is kept" test "$(sql "$v1" "SELECT count(*) FROM runs WHERE profile='old'")" -eq 2
finish
