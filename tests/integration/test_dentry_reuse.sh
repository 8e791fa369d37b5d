# The recorder's first-level de-duplication is keyed by kernel objects (the dentry of an open
# file). When memory pressure frees dentries, new files get the freed addresses: each must
# still be recorded, not taken for the file that had the address before.
source "$(dirname "$0")/lib.sh"
require_bpf

count=2000
tree=$TEST_TMP/tree
mkdir -p "$tree/a" "$tree/b"
for ((i = 0; i < count; i++)); do
  echo a > "$tree/a/$i"
  echo b > "$tree/b/$i"
done
db=$TEST_TMP/reuse.db

# Reading a/ fills the de-duplication map; flushing the dentry cache frees those dentries
# (drop_caches=2 drops dentries and inodes only, never data); b/ then reuses their addresses.
cd "$tree"
"$ARMORER" learn --db "$db" --profile reuse --quiet -- sh -c \
  'cat a/* > /dev/null; sync; echo 2 > /proc/sys/vm/drop_caches; cat b/* > /dev/null'
cd /

recorded() { sql "$db" "SELECT count(*) FROM observations WHERE profile = 'reuse' AND kind = 'file' AND object GLOB '$tree/$1/[0-9]*'"; }
check "every file of a/ is recorded" test "$(recorded a)" -eq "$count"
check "every file of b/, read after the dentry cache was flushed, is recorded" \
  test "$(recorded b)" -eq "$count"

finish
