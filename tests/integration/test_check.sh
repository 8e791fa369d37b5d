# issue 4 item 4: `armorer check` judges a profile file (includes inlined by apparmor_parser)
# against the accesses recorded in the DB or listed in a TSV file.
source "$(dirname "$0")/lib.sh"
require_bpf
command -v apparmor_parser >/dev/null || skip "apparmor_parser is not installed"

db=$TEST_TMP/check.db
work=$TEST_TMP/work
# Input and output in different directories, with different names: whatever the analyzer
# generalises, one rule covers the written file and not the read one.
mkdir -p "$work/in" "$work/out"
echo data > "$work/in/input.txt"

cd "$work"
"$ARMORER" learn --db "$db" --profile checked --quiet -- "$WORKLOAD" \
  read in/input.txt -- write out/result.log -- exec /bin/cat "$work/in/input.txt" >/dev/null
cd /
"$ARMORER" emit --db "$db" --profile checked --output "$TEST_TMP/checked"

# run_check OUT_FILE ARGS...: stdout to OUT_FILE, returns check's exit status.
run_check() {
  local out=$1; shift
  local status=0
  "$ARMORER" check "$@" > "$out" 2> "$out.err" || status=$?
  return "$status"
}

status=0; run_check "$TEST_TMP/out0" --db "$db" --profile checked "$TEST_TMP/checked" || status=$?
check "the emitted profile refuses nothing recorded (exit 0)" test "$status" -eq 0
check "and prints nothing on stdout" test ! -s "$TEST_TMP/out0"
check "the summary counts the accesses" grep -Eq "refuses 0 of [1-9][0-9]* accesses" "$TEST_TMP/out0.err"

# Without the rule for the written file (a file the workload made: the rule is out/*, for
# whatever it names its output), check names that access and fails.
grep -v "/out/" "$TEST_TMP/checked" > "$TEST_TMP/no-write"
check "the edited profile lost exactly one line" \
  test "$(($(wc -l < "$TEST_TMP/checked") - $(wc -l < "$TEST_TMP/no-write")))" -eq 1
status=0; run_check "$TEST_TMP/out1" --db "$db" --profile checked "$TEST_TMP/no-write" || status=$?
check "a profile without the write rule: exit 1" test "$status" -eq 1
check "the refused access is named: kind, subject, path, permission" \
  grep -Fxq "file	$(readlink -f "$WORKLOAD")	$work/out/result.log	w" "$TEST_TMP/out1"
check "nothing else is refused" test "$(wc -l < "$TEST_TMP/out1")" -eq 1

# Without the exec rule for cat: the exec is refused with x.
grep -v "/usr/bin/cat" "$TEST_TMP/checked" > "$TEST_TMP/no-cat"
status=0; run_check "$TEST_TMP/out2" --db "$db" --profile checked "$TEST_TMP/no-cat" || status=$?
check "a profile without the exec rule: exit 1" test "$status" -eq 1
check "the exec is named with x" grep -Eq "^exec	.*	/usr/bin/cat	x$" "$TEST_TMP/out2"

# A deny rule wins over the rule that allows.
sed 's|^}$|  deny '"$work"'/in/input.txt r,\n}|' "$TEST_TMP/checked" > "$TEST_TMP/deny"
check "the deny profile compiles" compiles "$TEST_TMP/deny"
status=0; run_check "$TEST_TMP/out3" --db "$db" --profile checked "$TEST_TMP/deny" || status=$?
check "deny wins: exit 1" test "$status" -eq 1
check "deny wins: the read is named" grep -Eq "	$work/in/input.txt	r$" "$TEST_TMP/out3"

# A plain list of accesses, as an independent tracer would give them.
printf 'owner file\tr\t%s\nowner file\tw\t%s\nfile\tmr\t/usr/lib/x86_64-linux-gnu/libc.so.6\nfile\tr\t/etc/shadow\nfile\tx\t/usr/bin/bash\ncapability\t-\tsys_admin\nnetwork\t-\tinet raw\nfile\tr\t/tmp/tab\\there\n' \
  "$work/in/input.txt" "$work/out/result.log" > "$TEST_TMP/accesses.tsv"
status=0; run_check "$TEST_TMP/out4" --accesses "$TEST_TMP/accesses.tsv" "$TEST_TMP/checked" || status=$?
check "accesses list: exit 1" test "$status" -eq 1
check "accesses list: exactly the probes are refused" diff -u - "$TEST_TMP/out4" <<EOF
capability	-	sys_admin	-
file	-	/etc/shadow	r
file	-	/tmp/tab\\there	r
file	-	/usr/bin/bash	x
network	-	inet raw	-
EOF
head -3 "$TEST_TMP/accesses.tsv" > "$TEST_TMP/allowed.tsv"
status=0; run_check "$TEST_TMP/out5" --accesses - "$TEST_TMP/checked" < "$TEST_TMP/allowed.tsv" || status=$?
check "allowed accesses from stdin: exit 0" test "$status" -eq 0

# Usage errors exit 2; a profile the parser rejects is a failure that names the parser.
status=0; run_check "$TEST_TMP/u1" --db "$db" --profile checked || status=$?
check "no PROFILE_FILE: exit 2" test "$status" -eq 2
status=0; run_check "$TEST_TMP/u2" --db "$db" "$TEST_TMP/checked" || status=$?
check "--db without --profile: exit 2" test "$status" -eq 2
status=0; run_check "$TEST_TMP/u3" --db "$db" --profile checked --accesses "$TEST_TMP/allowed.tsv" "$TEST_TMP/checked" || status=$?
check "--db and --accesses together: exit 2" test "$status" -eq 2
printf 'bad\tline\n' > "$TEST_TMP/bad.tsv"
status=0; run_check "$TEST_TMP/u4" --accesses "$TEST_TMP/bad.tsv" "$TEST_TMP/checked" || status=$?
check "malformed TSV: exit 1 naming the line" \
  bash -c "test $status -eq 1 && grep -q 'bad.tsv line 1' '$TEST_TMP/u4.err'"
printf 'profile broken {\n  /x rq,\n}\n' > "$TEST_TMP/broken"
status=0; run_check "$TEST_TMP/u5" --accesses "$TEST_TMP/allowed.tsv" "$TEST_TMP/broken" || status=$?
check "rejected profile: exit 1 with the parser's message" \
  bash -c "test $status -eq 1 && grep -q 'apparmor_parser rejected' '$TEST_TMP/u5.err'"

finish
