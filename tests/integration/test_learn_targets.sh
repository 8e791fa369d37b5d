# issue 3: record a real runc container, a cgroup, a running pid tree; stop on SIGINT.
source "$(dirname "$0")/lib.sh"
require_bpf
command -v runc >/dev/null || { echo "FAIL: runc is not installed (./dev installs it)"; exit 1; }
[[ -e /sys/fs/cgroup/unified/cgroup.procs || -e /sys/fs/cgroup/cgroup.procs ]] \
  || skip "this kernel has no cgroup v2 hierarchy mounted"

db=$TEST_TMP/targets.db
cg_root=/sys/fs/cgroup/unified
[[ -e $cg_root/cgroup.procs ]] || cg_root=/sys/fs/cgroup

# --- a runc container, attached between `runc create` and `runc start` ------------------
id=armorer-test-$$
bundle=$TEST_TMP/bundle
make_busybox_bundle "$bundle" 'cat /etc/passwd > /dev/null; ls /bin > /dev/null; cat /data/input.txt > /tmp/copy; wc -l /tmp/copy > /dev/null'
cleanup_container() { runc delete -f "$id" >/dev/null 2>&1 || true; }
trap 'cleanup_container; rm -rf "$TEST_TMP"' EXIT
runc create --bundle "$bundle" "$id" </dev/null >/dev/null 2>&1
"$ARMORER" learn --db "$db" --profile box --container "${id:0:18}" --quiet \
  --ready-file "$TEST_TMP/ready.box" --duration 30 &
learner=$!
wait_for_file "$TEST_TMP/ready.box"
runc start "$id"
wait "$learner"
check "container learn ends by itself when the container exits" test $? -eq 0
check "... when it exits, not at --duration (30 s)" \
  test "$(sql "$db" "SELECT ended_ms - started_ms FROM runs WHERE profile='box'")" -lt 15000
check "entrypoint exec is recorded container-relative" has_obs "$db" box exec /bin/busybox $ACC_EXEC
check "container read of /etc/passwd is container-relative" has_obs "$db" box file /etc/passwd $ACC_READ
check "container read of /data/input.txt" has_obs "$db" box file /data/input.txt $ACC_READ
check "container write of /tmp/copy" has_obs "$db" box file /tmp/copy $ACC_WRITE
check "no host rootfs path leaks into the recording" \
  test "$(sql "$db" "SELECT count(*) FROM observations WHERE profile='box' AND object LIKE '$TEST_TMP%'")" -eq 0
check "no runc init noise (/proc/self/fd, runc's own files)" \
  test "$(sql "$db" "SELECT count(*) FROM observations WHERE profile='box' AND (object LIKE '/proc/%/fd%' OR subject LIKE '%runc%' OR object LIKE '%runc%')")" -eq 0
"$ARMORER" emit --db "$db" --profile box > "$TEST_TMP/box.profile"
check "container profile compiles" compiles "$TEST_TMP/box.profile"
cleanup_container

# --- a cgroup: a process inside is recorded, the same work outside is not -------------------
cg=$cg_root/armorer-test-$$
mkdir "$cg"
echo inside > "$TEST_TMP/inside.txt"
echo outside > "$TEST_TMP/outside.txt"
"$ARMORER" learn --db "$db" --profile cg --cgroup "$cg" --quiet --ready-file "$TEST_TMP/ready.cg" \
  --duration 20 &
learner=$!
wait_for_file "$TEST_TMP/ready.cg"
sh -c "echo \$\$ > $cg/cgroup.procs; exec cat $TEST_TMP/inside.txt" > /dev/null
cat "$TEST_TMP/outside.txt" > /dev/null
wait "$learner"
check "cgroup learn ends when the cgroup's processes are gone" test $? -eq 0
check "... when they are gone, not at --duration (20 s)" \
  test "$(sql "$db" "SELECT ended_ms - started_ms FROM runs WHERE profile='cg'")" -lt 10000
check "the cgroup member's read is recorded" has_obs "$db" cg file "$TEST_TMP/inside.txt" $ACC_READ
check "the same read outside the cgroup is not" \
  test "$(sql "$db" "SELECT count(*) FROM observations WHERE object='$TEST_TMP/outside.txt'")" -eq 0
rmdir "$cg"

# --- --pid: a running tree, and the children it starts later --------------------------------
echo marker > "$TEST_TMP/marker.txt"
sh -c "while [ ! -e $TEST_TMP/go ]; do sleep 0.05; done; cat $TEST_TMP/marker.txt > /dev/null" &
tree=$!
"$ARMORER" learn --db "$db" --profile pidtree --pid "$tree" --quiet --ready-file "$TEST_TMP/ready.pid" &
learner=$!
wait_for_file "$TEST_TMP/ready.pid"
touch "$TEST_TMP/go"
wait "$tree"
wait "$learner"
check "--pid learn ends when the tree is gone" test $? -eq 0
check "--pid records a child started after attaching" has_obs "$db" pidtree exec /usr/bin/cat $ACC_EXEC
check "--pid records the child's read" has_obs "$db" pidtree file "$TEST_TMP/marker.txt" $ACC_READ

# --- SIGINT keeps everything recorded so far ------------------------------------------------
"$ARMORER" learn --db "$db" --profile interrupted --quiet --ready-file "$TEST_TMP/ready.int" -- \
  "$WORKLOAD" read "$TEST_TMP/marker.txt" -- exec /bin/true -- sleep 30 &
learner=$!
wait_for_file "$TEST_TMP/ready.int"
wait_for_obs "$db" interrupted /usr/bin/true || true
kill -INT "$learner"
set +e; wait "$learner"; status=$?; set -e
check "SIGINT ends learn with the command's signal status (130)" test "$status" -eq 130
check "the interrupted run is marked interrupted" \
  test "$(sql "$db" "SELECT status FROM runs WHERE profile='interrupted'")" = interrupted
check "what was recorded before SIGINT is kept" has_obs "$db" interrupted file "$TEST_TMP/marker.txt" $ACC_READ
"$ARMORER" emit --db "$db" --profile interrupted > "$TEST_TMP/int.profile" 2>"$TEST_TMP/int.err"
check "emit warns that it uses an interrupted run" grep -q interrupted "$TEST_TMP/int.err"
finish
