# A capability check made with someone else's credentials (override_creds) is not the
# workload's: overlayfs checks its mounter's CAP_SYS_ADMIN on the first lookup of each file, and
# AppArmor then asks the mounter's label, not the workload's. access() overrides with a copy of
# the caller's own credentials, so its checks are the workload's.
source "$(dirname "$0")/lib.sh"
require_bpf
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
grep -qw overlay /proc/filesystems || skip "this kernel has no overlay filesystem"

db=$TEST_TMP/creds.db
mkdir -p "$TEST_TMP"/{lower,upper,work,merged}
echo data > "$TEST_TMP/lower/data.txt"
cp /bin/cat "$TEST_TMP/lower/cat"
mount -t overlay overlay -o "lowerdir=$TEST_TMP/lower,upperdir=$TEST_TMP/upper,workdir=$TEST_TMP/work" \
  "$TEST_TMP/merged"
trap 'umount "$TEST_TMP/merged" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT

"$ARMORER" learn --db "$db" --profile overlay --quiet -- "$TEST_TMP/merged/cat" "$TEST_TMP/merged/data.txt" >/dev/null
check "a program on overlay storage reads its file" has_obs "$db" overlay file "$TEST_TMP/merged/data.txt" $ACC_READ
check "overlayfs's own CAP_SYS_ADMIN checks (the mounter's credentials) are not the workload's" \
  test "$(sql "$db" "SELECT count(*) FROM observations WHERE profile='overlay' AND kind='capability'")" -eq 0

echo secret > "$TEST_TMP/private.txt"
chmod 000 "$TEST_TMP/private.txt"
chown nobody "$TEST_TMP/private.txt"
"$ARMORER" learn --db "$db" --profile access --quiet -- \
  /usr/bin/python3 -c "import os, sys; sys.exit(0 if os.access('$TEST_TMP/private.txt', os.R_OK) else 1)"
check "root's access() to a file it may not read is granted" test $? -eq 0
check "... through dac_read_search, checked with access()'s copy of the caller's credentials" \
  has_obs "$db" access capability dac_read_search
finish
