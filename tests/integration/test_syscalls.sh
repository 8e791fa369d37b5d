# The system calls a process makes are recorded per executable, including the ones that do
# not return where the recorder looks (at sys_exit): exit_group, a successful execve (made by
# the old program), rt_sigreturn, and a call a process is still blocked in when recording stops.
source "$(dirname "$0")/lib.sh"
require_bpf

db=$TEST_TMP/calls.db
# syscall_of DB PROFILE SUBJECT_SUFFIX NAME: recorded for an executable whose path ends so.
syscall_of() {
  [[ $(sql "$1" "SELECT count(*) FROM observations WHERE profile='$2' AND kind='syscall' \
AND subject LIKE '%$3' AND object='$4'") -gt 0 ]]
}

"$ARMORER" learn --db "$db" --profile calls --quiet -- "$WORKLOAD" signal -- exec /bin/true
check "learn of the signal + exec workload succeeds" test $? -eq 0
wl=$(basename "$WORKLOAD")
check "a returning call (rt_sigaction) is recorded" syscall_of "$db" calls "/$wl" rt_sigaction
check "a signal handler's return: rt_sigreturn" syscall_of "$db" calls "/$wl" rt_sigreturn
check "execve is recorded for the program that made it" syscall_of "$db" calls "/$wl" execve
check "... and not for the program it started" \
  test "$(sql "$db" "SELECT count(*) FROM observations WHERE profile='calls' AND kind='syscall' \
AND subject LIKE '%/true' AND object='execve'")" -eq 0
check "exit_group, which never returns, is recorded" syscall_of "$db" calls /true exit_group
check "the workload's own exit_group too" syscall_of "$db" calls "/$wl" exit_group

# A process attached by pid does some work, then blocks in pause(2) until after the recording
# ends: the call it sits in must still be in the recording.
echo data > "$TEST_TMP/data.txt"
"$WORKLOAD" await "$TEST_TMP/go" -- read "$TEST_TMP/data.txt" -- pause &
sleeper=$!
trap 'kill "$sleeper" 2>/dev/null || true; rm -rf "$TEST_TMP"' EXIT
"$ARMORER" learn --db "$db" --profile blocked --pid "$sleeper" --duration 3 --quiet \
  --ready-file "$TEST_TMP/ready" &
learner=$!
wait_for_file "$TEST_TMP/ready"
touch "$TEST_TMP/go"
wait "$learner"
check "learn --pid --duration ends with status 0" test $? -eq 0
check "the attached process's read is recorded" has_obs "$db" blocked file "$TEST_TMP/data.txt" $ACC_READ
check "the call it is blocked in when recording stops (pause) is recorded" \
  syscall_of "$db" blocked "/$wl" pause
kill "$sleeper"
wait "$sleeper" 2>/dev/null || true

finish
