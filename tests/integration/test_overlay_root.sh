# A program run from overlay storage, the way container runtimes store images: with its root in
# an overlay mount, its executable, its libraries and the ELF interpreter the kernel mapped come
# out as paths in its own root. (From 6.8 on, a file mapped from overlayfs is a "backing file"
# whose own path is the layer's real one: the interpreter must come from the path it was opened
# by.)
source "$(dirname "$0")/lib.sh"
require_bpf
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
grep -qw overlay /proc/filesystems || skip "this kernel has no overlay filesystem"

db=$TEST_TMP/overlay.db
lower=$TEST_TMP/lower
mkdir -p "$lower/bin" "$lower/lib64" "$lower/lib/x86_64-linux-gnu" "$TEST_TMP"/{upper,work,root}
cp /bin/true "$lower/bin/true"
interp=$(readelf -l /bin/true | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
cp "$(readlink -f "$interp")" "$lower$interp"
cp "$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)" "$lower/lib/x86_64-linux-gnu/libc.so.6"
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$TEST_TMP/upper,workdir=$TEST_TMP/work" "$TEST_TMP/root"
trap 'umount "$TEST_TMP/root" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT

"$ARMORER" learn --db "$db" --profile image --quiet -- chroot "$TEST_TMP/root" /bin/true
check "the program in the overlay root ran" test $? -eq 0
check "its exec is its own root's path" has_obs "$db" image exec /bin/true $ACC_EXEC
check "its library is its own root's path" has_obs "$db" image file /lib/x86_64-linux-gnu/libc.so.6 $ACC_MMAP_EXEC
check "the interpreter the kernel mapped is its own root's path ($interp, r + m)" \
  test "$(sql "$db" "SELECT count(*) FROM observations WHERE profile='image' AND subject='/bin/true' AND object='$interp' AND access=$((ACC_READ | ACC_MMAP_EXEC)) AND flags=0")" -eq 1
check "no path of the layers below leaks into the recording" \
  test "$(sql "$db" "SELECT count(*) FROM observations WHERE profile='image' AND (object LIKE '$TEST_TMP%' OR (flags & 4) != 0) AND subject='/bin/true'")" -eq 0
finish
