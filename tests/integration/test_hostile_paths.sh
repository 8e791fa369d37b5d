# issue 7: hostile data seen by the recorder never widens or injects a rule: paths longer than
# the kernel buffer are marked truncated and skipped, deleted files and names with newlines,
# quotes, commas and AARE metacharacters come out exact. And not being root is a clear error.
source "$(dirname "$0")/lib.sh"
require_bpf

db=$TEST_TMP/hostile.db
# The hostile names live in a directory of their own, where the workload creates nothing: what
# it creates is its data, whose names a profile generalises whatever they are (the deep tree
# and the deleted file below are made elsewhere).
work=$TEST_TMP/w
made=$TEST_TMP/made
mkdir -p "$work" "$made"

# 1. A path deeper than the in-kernel buffer (4096 bytes), built by nesting directories and
#    opened relative to the deepest one, so no single syscall argument is too long.
long=$(printf 'd%.0s' $(seq 200))
(cd "$made" && "$ARMORER" learn --db "$db" --profile hostile --quiet -- "$WORKLOAD" deep 25 "$long" leaf.txt)
check "a path longer than the kernel buffer is stored flagged truncated" \
  test "$(sql "$db" "SELECT count(*) FROM observations WHERE profile='hostile' AND object LIKE '%/leaf.txt' AND (flags & 1) = 1")" -ge 1

# 2. Hostile names, through the real recorder.
names=(
  $'new\nline' 'quo"te' 'com,ma' 'x, ** rwx,' '{a,b}' 'star*' 'q?' '[set]' 'caret^' 'back\slash'
  'hash#tag' 'sp ace' '@{HOME}' $'\xff\xfe' '..dots'
)
# The files exist before the run: written, not created, they are not the workload's data; any
# widening here would come from the names.
args=()
for name in "${names[@]}"; do
  : > "$work/$name"
  args+=(write "$work/$name" --)
done
args+=(read "$work/${names[0]}")
"$ARMORER" learn --db "$db" --profile hostile --quiet -- "$WORKLOAD" "${args[@]}"

# 3. A file unlinked while open, then changed through its descriptor.
"$ARMORER" learn --db "$db" --profile hostile --quiet -- /bin/sh -c \
  "exec 3> '$made/gone.txt'; rm '$made/gone.txt'; echo data >&3; exec 3>&-"

"$ARMORER" emit --db "$db" --profile hostile > "$TEST_TMP/hostile.profile" 2>"$TEST_TMP/emit.err"
check "the profile with hostile names compiles" compiles "$TEST_TMP/hostile.profile"
check "the truncated path is skipped with a comment, not written shorter" \
  grep -q "# skipped:.*truncated" "$TEST_TMP/hostile.profile"
check "no rule line ends in a truncated suffix of the deep path" \
  test "$(grep -v '^ *#' "$TEST_TMP/hostile.profile" | grep -c 'leaf.txt')" -eq 0
broad=$(grep -v '^ *#' "$TEST_TMP/hostile.profile" | grep -F "$work" | grep -F '**' || true)
[[ -z $broad ]] || printf '    broad rule: %s\n' "$broad"
check "no rule over the hostile names spans directories (**)" test -z "$broad"
for name in "${names[@]}"; do
  printf '%s\n' "$work/$name" >> "$TEST_TMP/expected-paths"
done
# Every hostile path is allowed by the profile (armorer check), and nothing nearby is.
check "armorer check: the recorded accesses are all allowed" \
  "$ARMORER" check --db "$db" --profile hostile "$TEST_TMP/hostile.profile"
: > "$TEST_TMP/probes.tsv"
printf 'file\tw\t%s\n' "$work/other" "$work/a" "$work/new" "$work/com" "$work/x" "$work/starX" \
  "$work/qq" "$work/s" "$work/sp" "$work/hash" "$work/{a,b}X" "/etc/passwd" >> "$TEST_TMP/probes.tsv"
set +e
"$ARMORER" check --accesses "$TEST_TMP/probes.tsv" "$TEST_TMP/hostile.profile" > "$TEST_TMP/probes.out" 2>&1
set -e
check "none of 12 nearby probe paths is writable" \
  test "$(grep -c -F "$work" "$TEST_TMP/probes.out")" -ge 11

# 4. Not root: a clear error naming the cause and the alternative, and nothing written.
chmod 0777 "$TEST_TMP"
set +e
setpriv --reuid=65534 --regid=65534 --clear-groups \
  "$ARMORER" learn --db "$TEST_TMP/nobody.db" --profile p -- /bin/true 2>"$TEST_TMP/nobody.err"
status=$?
set -e
check "learn as non-root exits 1" test "$status" -eq 1
check "the message names root and the --audit-log alternative" \
  grep -q "needs root.*--audit-log" "$TEST_TMP/nobody.err"
check "nothing was written as non-root" test ! -e "$TEST_TMP/nobody.db"
finish
