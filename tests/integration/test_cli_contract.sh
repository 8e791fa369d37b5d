# issue 2: the CLI contract users script against: exit codes, one-line errors, and a DB that
# is never damaged by a failing command.
source "$(dirname "$0")/lib.sh"
require_bpf

db=$TEST_TMP/contract.db

# run_capture NAME CMD...: runs a command, keeping its exit status and stderr.
run_capture() {
  local name=$1; shift
  set +e
  "$@" >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.err"
  echo $? >"$TEST_TMP/$name.status"
  set -e
}
status_of() { cat "$TEST_TMP/$1.status"; }
one_line_error() { # NAME PATTERN: stderr is exactly one line and matches PATTERN
  [[ $(wc -l <"$TEST_TMP/$1.err") -eq 1 ]] && grep -Eq "$2" "$TEST_TMP/$1.err"
}

run_capture exit3 "$ARMORER" learn --db "$db" --profile contract --quiet -- /bin/sh -c 'exit 3'
check "learn exits with the command's own status (3)" test "$(status_of exit3)" -eq 3
check "the run stores the exit status" \
  test "$(sql "$db" "SELECT exit_status FROM runs WHERE profile='contract'")" -eq 3

run_capture killed "$ARMORER" learn --db "$db" --profile contract --quiet -- /bin/sh -c 'kill -TERM $$'
check "a command killed by SIGTERM gives 143" test "$(status_of killed)" -eq 143

before=$(sha256sum "$db" | cut -d' ' -f1)

run_capture unknown_flag "$ARMORER" learn --db "$db" --profile contract --frobnicate -- /bin/true
check "unknown flag: exit 2" test "$(status_of unknown_flag)" -eq 2
check "unknown flag: one-line error naming it" one_line_error unknown_flag "frobnicate"

run_capture no_separator "$ARMORER" learn --db "$db" --profile contract /bin/true
check "missing --: exit 2" test "$(status_of no_separator)" -eq 2
check "missing --: one-line error" one_line_error no_separator "usage error"

run_capture no_target "$ARMORER" learn --db "$db" --profile contract
check "no target at all: exit 2" test "$(status_of no_target)" -eq 2

run_capture no_command "$ARMORER" learn --db "$db" --profile contract -- /nonexistent/program
check "non-existent command: exit 1" test "$(status_of no_command)" -eq 1
check "non-existent command: one-line error naming it" one_line_error no_command "/nonexistent/program"

run_capture bad_name "$ARMORER" learn --db "$db" --profile 'bad name{' -- /bin/true
check "invalid profile name: exit 2" test "$(status_of bad_name)" -eq 2

mkdir -p "$TEST_TMP/ro"
chmod 0555 "$TEST_TMP/ro"
run_capture unwritable "$ARMORER" learn --db "$TEST_TMP/ro/sub/x.db" --profile contract -- /bin/true
check "unwritable DB path: exit 1" test "$(status_of unwritable)" -eq 1
check "unwritable DB path: one-line error naming the path" one_line_error unwritable "ro/sub/x.db"

echo "not a database" > "$TEST_TMP/text.db"
run_capture not_sqlite "$ARMORER" learn --db "$TEST_TMP/text.db" --profile contract -- /bin/true
check "a non-SQLite file is refused (exit 1)" test "$(status_of not_sqlite)" -eq 1
check "the non-SQLite file is left untouched" test "$(cat "$TEST_TMP/text.db")" = "not a database"

run_capture unknown_profile "$ARMORER" emit --db "$db" --profile nosuch
check "emit of an unknown profile: exit 1" test "$(status_of unknown_profile)" -eq 1
check "emit of an unknown profile: names the known ones" one_line_error unknown_profile "known: contract"

run_capture bad_format "$ARMORER" emit --db "$db" --profile contract --format yaml
check "emit --format yaml: exit 2" test "$(status_of bad_format)" -eq 2

run_capture missing_db "$ARMORER" emit --db "$TEST_TMP/none.db" --profile contract
check "emit from a missing DB: exit 1" test "$(status_of missing_db)" -eq 1
check "emit from a missing DB does not create it" test ! -e "$TEST_TMP/none.db"

after=$(sha256sum "$db" | cut -d' ' -f1)
check "the existing DB is byte-identical after every failed command" test "$before" = "$after"

run_capture help "$ARMORER" --help
check "--help exits 0" test "$(status_of help)" -eq 0
finish
