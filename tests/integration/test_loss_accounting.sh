# issue 6: the recorder reports exactly how many events it could not deliver. A burst of
# unique file creations while armorer's reader is stopped overflows a 1 MiB ring buffer; every
# created file must then be either recorded or counted lost, and the JSON summary, the run row
# and the kernel's count of written events must agree. A small workload loses nothing.
source "$(dirname "$0")/lib.sh"
require_bpf
# The build's own copy of bench/create_files.c, else one compiled here.
stress=$(dirname "$ARMORER")/../bench/bench_create_files
if [[ ! -x $stress ]]; then
  command -v cc >/dev/null || skip "no C compiler to build bench/create_files.c (apt-get install build-essential)"
  stress=$TEST_TMP/create_files
  cc -O2 -o "$stress" "$SOURCE_DIR/bench/create_files.c"
fi
# On tmpfs the burst is as fast as the recorder lets it be, not as slow as the disk.
files=$(mktemp -d /dev/shm/armorer-loss.XXXXXX)
trap 'rm -rf "$TEST_TMP" "$files"' EXIT

# recorded DB DIR: distinct files created under DIR that the run recorded.
recorded() { sql "$1" "SELECT count(DISTINCT object) FROM observations WHERE kind = 'file' AND object GLOB '$2/f*'"; }

# A small workload with the default buffer: nothing lost, everything recorded.
db=$TEST_TMP/small.db
mkdir "$files/small"
summary=$("$ARMORER" learn --db "$db" --profile small --quiet --json -- "$stress" "$files/small" 1000 | tail -n 1)
check "small workload: no event lost" test "$(field "$summary" lost_events)" -eq 0
check "small workload: all 1000 files recorded" test "$(recorded "$db" "$files/small")" -eq 1000
check "small workload: every event written was delivered" \
  test "$(field "$summary" events)" -eq "$(sql "$db" "SELECT events FROM runs")"

# The burst: create_files stops its parent (armorer) for the burst and resumes it after; only
# file creations happen meanwhile (see bench/create_files.c), so each lost event is one file.
db=$TEST_TMP/burst.db
mkdir "$files/burst"
summary=$("$ARMORER" learn --db "$db" --profile burst --quiet --json --buffer-size 1 -- \
  "$stress" "$files/burst" 30000 1000 stop-parent 2>/dev/null | tail -n 1)
created=$(find "$files/burst" -type f | wc -l)
got=$(recorded "$db" "$files/burst")
lost=$(field "$summary" lost_events)
echo "    created $created, recorded $got, lost $lost"
check "burst: all 30000 files were created" test "$created" -eq 30000
check "burst: the 1 MiB buffer overflowed" test "$lost" -gt 0
check "burst: recorded + lost == created" test $((got + lost)) -eq "$created"
check "burst: the run row holds the same loss" test "$(sql "$db" "SELECT lost_events FROM runs")" -eq "$lost"
check "burst: every event written was delivered" \
  test "$(field "$summary" events)" -eq "$(sql "$db" "SELECT events FROM runs")"
check "burst: the run is complete" test "$(sql "$db" "SELECT status FROM runs")" = complete

finish
