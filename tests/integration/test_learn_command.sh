# issue 2: `armorer learn -- CMD` records resolved paths, access kinds, execs, capabilities
# and sockets of a real process tree, and `armorer emit` turns them into a valid profile.
source "$(dirname "$0")/lib.sh"
require_bpf

db=$TEST_TMP/learn.db
work=$TEST_TMP/work
mkdir -p "$work/sub"
echo data > "$work/target.txt"
ln -s target.txt "$work/link"
echo more > "$work/sub/other.txt"
cp /bin/true "$work/prog"

cd "$work"
"$ARMORER" learn --db "$db" --profile itest --quiet -- "$WORKLOAD" \
  read ./sub/../link -- read-at "$work/sub" other.txt -- write new.txt -- append new.txt -- \
  lock target.txt -- mmap-exec "$work/prog" -- mkdir newdir -- chmod new.txt -- \
  rename new.txt renamed.txt -- link renamed.txt hard.txt -- unlink hard.txt -- rmdir newdir -- \
  raw-socket -- tcp-socket -- chmod-fd "$work/sub/other.txt" -- unix-bind-connect sock -- exec /bin/cat "$work/target.txt" >/dev/null
status=$?
cd /
check "learn exits with the command's status (0)" test "$status" -eq 0

check "relative path through a symlink resolves to the target, read" \
  has_obs "$db" itest file "$work/target.txt" $ACC_READ
check "dirfd-relative open resolves to an absolute path" has_obs "$db" itest file "$work/sub/other.txt" $ACC_READ
check "created file: write + create" has_obs "$db" itest file "$work/new.txt" $((ACC_CREATE))
check "append is recorded as append" has_obs "$db" itest file "$work/new.txt" $ACC_APPEND
check "flock is recorded as lock" has_obs "$db" itest file "$work/target.txt" $ACC_LOCK
check "PROT_EXEC mmap is recorded as mmap-exec" has_obs "$db" itest file "$work/prog" $ACC_MMAP_EXEC
check "mkdir: directory path with trailing slash, create" has_obs "$db" itest file "$work/newdir/" $ACC_CREATE
check "rmdir: remove" has_obs "$db" itest file "$work/newdir/" $ACC_REMOVE
check "chmod: setattr" has_obs "$db" itest file "$work/new.txt" $ACC_SETATTR
check "rename source" has_obs "$db" itest file "$work/new.txt" $ACC_RENAME_SRC
check "rename destination" has_obs "$db" itest file "$work/renamed.txt" $ACC_RENAME_DST
check "chmod of /proc/self/fd/N is recorded on the file behind it" \
  has_obs "$db" itest file "$work/sub/other.txt" $ACC_SETATTR
check "no literal /proc/self/fd/N rule is recorded" \
  test "$(sql "$db" "SELECT count(*) FROM observations WHERE object LIKE '/proc/self/fd/%'")" -eq 0
check "bind() of a unix socket path creates the socket file" has_obs "$db" itest file "$work/sock" $ACC_CREATE
check "connect() to it writes the socket file" has_obs "$db" itest file "$work/sock" $ACC_WRITE
check "hard link" has_obs "$db" itest file "$work/hard.txt" $ACC_LINK
check "unlink" has_obs "$db" itest file "$work/hard.txt" $ACC_REMOVE
check "child exec recorded with its resolved path" has_obs "$db" itest exec /usr/bin/cat $ACC_EXEC
check "the child's own reads are recorded" has_obs "$db" itest file "$work/target.txt" $ACC_READ
# The kernel maps ld.so itself, with no system call; cat has exited long before its events are read.
ldso=$(readlink -f /lib64/ld-linux-x86-64.so.2)
check "the ELF interpreter the kernel mapped for the short-lived child is recorded (r + m)" \
  test "$(sql "$db" "SELECT count(*) FROM observations WHERE profile='itest' AND subject='/usr/bin/cat' AND object='$ldso' AND access=$((ACC_READ | ACC_MMAP_EXEC))")" -eq 1
check "raw socket attempt records net_raw" has_obs "$db" itest capability net_raw
check "raw socket attempt records the socket" has_obs "$db" itest network "inet raw 1"
check "tcp socket recorded without SOCK_CLOEXEC bits" has_obs "$db" itest network "inet stream 0"
check "syscalls recorded per executable" has_obs "$db" itest syscall flock
check "armorer's own pre-exec child is not recorded" \
  test "$(sql "$db" "SELECT count(*) FROM observations WHERE subject LIKE '%armorer%'")" -eq 0
check "no lost events on a small workload" \
  test "$(sql "$db" "SELECT lost_events FROM runs WHERE profile='itest'")" -eq 0
check "run is complete with exit status 0" \
  test "$(sql "$db" "SELECT status || ':' || exit_status FROM runs WHERE profile='itest'")" = "complete:0"

# chmod names a directory without saying it is one; AppArmor mediates it as "dir/". chmod has
# exited long before its event is read.
"$ARMORER" learn --db "$db" --profile chmoddir --quiet -- /bin/chmod 0755 "$work/sub"
check "chmod of a directory is recorded on the directory, with its trailing /" \
  has_obs "$db" chmoddir file "$work/sub/" $ACC_SETATTR

# A plain `cat` must not come out needing sys_admin (no-audit vm_enough_memory probes).
"$ARMORER" learn --db "$db" --profile plaincat --quiet -- /bin/cat /etc/hostname >/dev/null
check "cat needs no capability at all" \
  test "$(sql "$db" "SELECT count(*) FROM observations WHERE profile='plaincat' AND kind='capability'")" -eq 0

# The memory-accounting probe (mmap, mprotect, fork, tmpfs writes) is judged once per kind of
# call and then remembered; a real CAP_SYS_ADMIN check that comes after many of them, from a
# call that is never remembered (clone into a new mount namespace), must still be recorded.
shm_file=/dev/shm/armorer-probe.$$
"$ARMORER" learn --db "$db" --profile memprobe --quiet -- "$WORKLOAD" \
  memory 50 -- write "$shm_file" -- unlink "$shm_file" >/dev/null
check "memory probes alone need no capability" \
  test "$(sql "$db" "SELECT count(*) FROM observations WHERE profile='memprobe' AND kind='capability'")" -eq 0
"$ARMORER" learn --db "$db" --profile newns --quiet -- "$WORKLOAD" \
  memory 50 -- write "$shm_file" -- unlink "$shm_file" -- clone-newns -- memory 5 >/dev/null
check "clone into a new namespace after memory probes records sys_admin" \
  has_obs "$db" newns capability sys_admin
check "... and nothing else" \
  test "$(sql "$db" "SELECT count(*) FROM observations WHERE profile='newns' AND kind='capability'")" -eq 1

"$ARMORER" emit --db "$db" --profile itest > "$TEST_TMP/itest.profile"
check "emitted profile compiles with apparmor_parser" compiles "$TEST_TMP/itest.profile"
# The rule may be generalised (the mktemp'd $TEST_TMP becomes a glob): ask which rule covers it.
check "profile grants the resolved read" \
  bash -c '"$1" explain --db "$2" --profile itest "$3" | grep -Eq "^  (owner )?[^ ]+ [a-z]*r"' _ "$ARMORER" "$db" "$work/target.txt"
check "profile grants net_raw" grep -q "capability net_raw," "$TEST_TMP/itest.profile"
check "profile grants inet raw" grep -q "network inet raw," "$TEST_TMP/itest.profile"
check "profile allows exec of cat" grep -Eq "^ */usr/bin/cat [a-z]*ix," "$TEST_TMP/itest.profile"
"$ARMORER" emit --db "$db" --profile itest --format ecs > "$TEST_TMP/itest.json"
check "ECS fragment adds NET_RAW and drops ALL" \
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); c=d["linuxParameters"]["capabilities"]; assert "NET_RAW" in c["add"] and c["drop"]==["ALL"] and d["dockerSecurityOptions"]==["apparmor:itest"]' "$TEST_TMP/itest.json"
finish
