# issue 7: a database armorer cannot use — corrupt, not SQLite, from a newer armorer,
# read-only, on a full disk — gives one clear error line and a non-zero exit, and armorer
# never modifies or truncates what is there.
source "$(dirname "$0")/lib.sh"
[[ $(id -u) -eq 0 ]] || skip "mounts a read-only bind mount and a full tmpfs: needs root"

LOG=$SOURCE_DIR/samples/audit/auditd_complain.log
MOUNTS=()
cleanup() {
  local m
  for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  rm -rf "$TEST_TMP"
}
trap cleanup EXIT

learn_into() { "$ARMORER" learn --db "$1" --profile webapp --quiet --audit-log "$LOG"; }
digest() { sha256sum "$1" | cut -d' ' -f1; }

# refused WHAT DB EXPECTED_TEXT ARMORER_ARGS...: armorer exits non-zero with one stderr line
# that contains EXPECTED_TEXT, and the database file is byte for byte what it was.
refused() {
  local what=$1 db=$2 expected=$3; shift 3
  local before after status=0
  before=$(digest "$db")
  "$ARMORER" "$@" > "$TEST_TMP/out" 2> "$TEST_TMP/err" || status=$?
  after=$(digest "$db")
  echo "    $what: exit $status: $(head -c 300 "$TEST_TMP/err")"
  check "$what: exits non-zero" test "$status" -ne 0
  check "$what: one error line" test "$(wc -l < "$TEST_TMP/err")" -eq 1
  check "$what: the message says '$expected'" grep -q -- "$expected" "$TEST_TMP/err"
  check "$what: the file is unchanged" test "$before" = "$after"
  check "$what: no rollback journal or non-empty WAL left next to it" \
    test ! -e "$db-journal" -a ! -s "$db-wal"
}

good=$TEST_TMP/good.db
learn_into "$good"
runs_in() { sql "$1" "SELECT count(*) FROM runs WHERE profile='webapp'"; }
check "a real database to damage" test "$(runs_in "$good")" -eq 1
size=$(stat -c %s "$good")

# 1. Corrupt: the middle pages overwritten with garbage, and a file cut in half.
cp "$good" "$TEST_TMP/garbled.db"
head -c 4096 /dev/urandom | dd of="$TEST_TMP/garbled.db" bs=4096 seek=1 conv=notrunc status=none
for cmd in emit learn; do
  args=(emit --db "$TEST_TMP/garbled.db" --profile webapp)
  [[ $cmd == learn ]] && args=(learn --db "$TEST_TMP/garbled.db" --profile webapp --quiet --audit-log "$LOG")
  refused "garbled pages ($cmd)" "$TEST_TMP/garbled.db" "corrupt" "${args[@]}"
done
cp "$good" "$TEST_TMP/truncated.db"
truncate -s $((size / 2)) "$TEST_TMP/truncated.db"
refused "truncated file (emit)" "$TEST_TMP/truncated.db" "corrupt" \
  emit --db "$TEST_TMP/truncated.db" --profile webapp
refused "truncated file (learn)" "$TEST_TMP/truncated.db" "corrupt" \
  learn --db "$TEST_TMP/truncated.db" --profile webapp --quiet --audit-log "$LOG"

# 2. Not an SQLite file at all (someone passed the wrong path).
cp "$LOG" "$TEST_TMP/notes.db"
refused "not SQLite (emit)" "$TEST_TMP/notes.db" "not an armorer database" \
  emit --db "$TEST_TMP/notes.db" --profile webapp
refused "not SQLite (learn)" "$TEST_TMP/notes.db" "not an armorer database" \
  learn --db "$TEST_TMP/notes.db" --profile webapp --quiet --audit-log "$LOG"

# 3. A database written by a newer armorer (schema version 99).
cp "$good" "$TEST_TMP/newer.db"
sql "$TEST_TMP/newer.db" "PRAGMA user_version = 99"
refused "newer schema (emit)" "$TEST_TMP/newer.db" "schema version 99" \
  emit --db "$TEST_TMP/newer.db" --profile webapp
refused "newer schema (learn)" "$TEST_TMP/newer.db" "schema version 99" \
  learn --db "$TEST_TMP/newer.db" --profile webapp --quiet --audit-log "$LOG"

# 4. Read-only. Root ignores mode bits, so the directory is bind-mounted read-only as well.
ro=$TEST_TMP/ro
mkdir "$ro"
cp "$good" "$ro/app.db"
chmod 0444 "$ro/app.db"
mount --bind "$ro" "$ro" && MOUNTS+=("$ro")
mount -o remount,bind,ro "$ro"
check "the bind mount really is read-only" bash -c "! touch '$ro/probe' 2>/dev/null"
refused "read-only file (learn)" "$ro/app.db" "read-only\|Read-only\|cannot open" \
  learn --db "$ro/app.db" --profile webapp --quiet --audit-log "$LOG"
# Reading may succeed or fail (SQLite cannot create the WAL index on a read-only file
# system), but a failure must be one line and leave the file alone.
before=$(digest "$ro/app.db")
status=0
"$ARMORER" emit --db "$ro/app.db" --profile webapp > "$TEST_TMP/ro.profile" 2> "$TEST_TMP/ro.err" || status=$?
echo "    read-only file (emit): exit $status: $(head -c 300 "$TEST_TMP/ro.err")"
if ((status == 0)); then
  check "read-only file (emit): the profile compiles" compiles "$TEST_TMP/ro.profile"
else
  check "read-only file (emit): one error line naming the database" \
    test "$(grep -c "$ro/app.db" "$TEST_TMP/ro.err")" -eq 1 -a "$(wc -l < "$TEST_TMP/ro.err")" -eq 1
fi
check "read-only file (emit): the file is unchanged" test "$before" = "$(digest "$ro/app.db")"

# 5. A full disk: a 1 MiB tmpfs holding a database, then filled. First with no room at all
# (armorer cannot even open it), then with 64 KiB left (learn starts a run and the disk
# fills up while it writes).
full=$TEST_TMP/small
mkdir "$full"
mount -t tmpfs -o size=1m tmpfs "$full" && MOUNTS+=("$full")
learn_into "$full/app.db"
check "the database on the small tmpfs holds its run" test "$(runs_in "$full/app.db")" -eq 1
# A bigger log than fits: every sample record under 300 more names.
for i in $(seq 300); do
  sed "s|name=\"/etc/webapp/config.yaml\"|name=\"/srv/data/file-$i-with-a-long-name-to-fill-pages.txt\"|" "$LOG"
done > "$TEST_TMP/big.log"
avail() { df --output=avail -B1 "$full" | tail -1 | tr -d ' '; }
# fill_leaving BYTES: fills the tmpfs until about BYTES are left.
fill_leaving() {
  rm -f "$full/filler"
  dd if=/dev/zero of="$full/filler" bs=4096 count=$((($(avail) - $1) / 4096)) status=none 2>/dev/null || true
}
for room in 0 65536; do
  fill_leaving "$room"
  what="full disk, $((room / 1024)) KiB free"
  check "$what: the tmpfs has that much room" test "$(avail)" -le $((room + 4096))
  before=$(digest "$full/app.db")
  status=0
  "$ARMORER" learn --db "$full/app.db" --profile webapp --quiet --audit-log "$TEST_TMP/big.log" \
    > /dev/null 2> "$TEST_TMP/full.err" || status=$?
  echo "    $what (learn): exit $status: $(head -c 300 "$TEST_TMP/full.err")"
  check "$what: learn exits non-zero" test "$status" -ne 0
  check "$what: one error line naming the database" \
    test "$(wc -l < "$TEST_TMP/full.err")" -eq 1 -a "$(grep -cF "$full/app.db: " "$TEST_TMP/full.err")" -eq 1
  if ((room == 0)); then
    check "$what: the file is unchanged" test "$before" = "$(digest "$full/app.db")"
  else
    check "$what: the message says the disk is full" grep -q "disk is full" "$TEST_TMP/full.err"
  fi
  rm -f "$full/filler"
  check "$what: the database passes SQLite's integrity check" \
    test "$(sql "$full/app.db" "PRAGMA integrity_check")" = ok
  check "$what: the earlier run is still there, complete" \
    test "$(sql "$full/app.db" "SELECT status FROM runs WHERE profile='webapp' ORDER BY id LIMIT 1")" = complete
  check "$what: the earlier observations are still there" \
    has_obs "$full/app.db" webapp file /etc/webapp/config.yaml $ACC_READ
  check "$what: no run is left 'running'" \
    test "$(sql "$full/app.db" "SELECT count(*) FROM runs WHERE status='running'")" -eq 0
  "$ARMORER" emit --db "$full/app.db" --profile webapp > "$TEST_TMP/full.profile"
  check "$what: emit works once there is room" compiles "$TEST_TMP/full.profile"
done

finish
