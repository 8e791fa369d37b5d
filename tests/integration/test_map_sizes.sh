# The kernel side's map sizes are options (issue 6): --max-processes sizes the task map, and a
# full one is counted and reported; --dedup-entries sizes the de-duplication map, and a full
# one forgets old facts, which may repeat an event but never loses one.
source "$(dirname "$0")/lib.sh"
require_bpf

db=$TEST_TMP/maps.db

# 40 processes alive at once with room for 16: the rest are counted, not silently dropped.
set +e
summary=$("$ARMORER" learn --db "$db" --profile small --json --max-processes 16 -- \
  sh -c 'for i in $(seq 40); do sleep 1 & done; wait' 2>"$TEST_TMP/small.err")
status=$?
set -e
check "learn --max-processes 16 exits with the command's status" test "$status" -eq 0
not_followed=$(field "$summary" processes_not_followed)
check "processes not followed are counted in --json (got $not_followed)" test "$not_followed" -gt 0
check "... and warned about, naming the option" grep -q "rerun with a larger --max-processes" "$TEST_TMP/small.err"

# 6000 distinct files read twice with room for 4096 facts: every file is recorded once.
mkdir "$TEST_TMP/many"
(cd "$TEST_TMP/many" && seq 6000 | xargs touch)
summary=$("$ARMORER" learn --db "$db" --profile dedup --quiet --json --dedup-entries 4096 -- \
  sh -c "cat $TEST_TMP/many/* $TEST_TMP/many/* > /dev/null")
check "no event lost with a small de-dup map" test "$(field "$summary" lost_events)" -eq 0
# The map really was small: the second pass found the files forgotten and sent them again
# (with the default size it sends about 6,100 events in all).
check "the second pass was sent again ($(field "$summary" events) events)" \
  test "$(field "$summary" events)" -gt 9000
check "all 6000 files recorded, each once" \
  test "$(sql "$db" "SELECT count(*) FROM observations WHERE profile='dedup' AND kind='file' \
AND object LIKE '$TEST_TMP/many/%' AND object != '$TEST_TMP/many/'")" -eq 6000

set +e
"$ARMORER" learn --db "$db" --profile bad --max-processes 0 -- /bin/true 2>"$TEST_TMP/bad.err"
status=$?
set -e
check "--max-processes 0 is a usage error (exit 2)" test "$status" -eq 2
check "... with a one-line message naming the option" \
  bash -c "[[ \$(wc -l <'$TEST_TMP/bad.err') -eq 1 ]] && grep -q -- --max-processes '$TEST_TMP/bad.err'"

finish
