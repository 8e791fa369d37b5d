# issue 5: every deployment format from one real container recording, the learned seccomp
# profile enforced by runc, and the pull-request workflow: emit --all-formats, diff, validate.
source "$(dirname "$0")/lib.sh"
require_bpf
command -v runc >/dev/null || skip "runc is not installed"
[[ -x /bin/busybox ]] || skip "busybox-static is not installed"

db=$TEST_TMP/web.db
out=$TEST_TMP/profiles
id=armorer-emit-$$
trap 'for c in $id-1 $id-2 $id-sc1 $id-sc2; do runc delete -f $c >/dev/null 2>&1; done; rm -rf "$TEST_TMP"' EXIT

# learn_container DB NAME COMMAND: one run of a busybox container under `armorer learn`.
learn_container() {
  local db=$1 name=$2 command=$3 bundle=$TEST_TMP/bundle-$2
  make_busybox_bundle "$bundle" "$command" >/dev/null
  runc create --bundle "$bundle" "$name" </dev/null >/dev/null 2>&1
  rm -f "$TEST_TMP/ready"
  # --duration only guards the test against a recorder that misses the container's end.
  "$ARMORER" learn --db "$db" --profile web --container "$name" --ready-file "$TEST_TMP/ready" --quiet \
    --duration 60 &
  local learner=$!
  wait_for_file "$TEST_TMP/ready"
  runc start "$name"
  wait "$learner"
  runc delete "$name" >/dev/null 2>&1 || true
}

# with_seccomp BUNDLE PROFILE COMMAND: the bundle runs COMMAND under the seccomp profile.
with_seccomp() {
  /usr/bin/python3 - "$1/config.json" "$2" "$3" <<'PY'
import json, sys
path, profile, command = sys.argv[1:]
config = json.load(open(path))
config["linux"]["seccomp"] = json.load(open(profile))
config["process"]["args"] = ["/bin/sh", "-c", command]
json.dump(config, open(path, "w"), indent=1)
PY
}

json_ok() { /usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1"; }
have_yaml() { /usr/bin/python3 -c 'import yaml' 2>/dev/null; }
yaml_ok() { /usr/bin/python3 -c 'import yaml,sys; yaml.safe_load(open(sys.argv[1]))' "$1"; }

workload='cat /data/input.txt; ls /tmp; echo done > /tmp/out'
learn_container "$db" $id-1 "$workload"

"$ARMORER" emit --db "$db" --profile web --all-formats --output "$out" 2>"$TEST_TMP/all.err"
check "emit --all-formats exits 0" test $? -eq 0
for file in web.apparmor web.ecs.json web.docker.txt web.compose.yaml web.k8s.yaml web.spo.yaml web.seccomp.json; do
  check "--all-formats wrote $file" test -s "$out/$file"
done
check "the AppArmor profile compiles" compiles "$out/web.apparmor"
check "armorer validate accepts it" "$ARMORER" validate "$out/web.apparmor"
check "the ECS fragment is JSON" json_ok "$out/web.ecs.json"
check "the seccomp profile is JSON" json_ok "$out/web.seccomp.json"
check "docker flags name the profile and drop every capability" \
  grep -qx -- '--security-opt apparmor=web --cap-drop ALL.*' "$out/web.docker.txt"
if have_yaml; then
  for file in web.compose.yaml web.k8s.yaml web.spo.yaml; do check "$file is YAML" yaml_ok "$out/$file"; done
  check "the SPO object holds the profile byte for byte" /usr/bin/python3 -c '
import sys, yaml
spo = yaml.safe_load(open(sys.argv[1]))
assert spo["kind"] == "AppArmorProfile" and spo["metadata"]["name"] == "web"
assert spo["spec"]["policy"] == open(sys.argv[2]).read()' "$out/web.spo.yaml" "$out/web.apparmor"
else
  echo "note: python3-yaml missing, YAML files only checked by armorer's unit tests"
fi

"$ARMORER" emit --db "$db" --profile web --all-formats --output "$TEST_TMP/again" 2>/dev/null
check "the same database gives byte-identical files" diff -r "$out" "$TEST_TMP/again"

# The learned seccomp profile, enforced by runc: the workload runs, anything else is refused.
bundle=$TEST_TMP/bundle-$id-1
with_seccomp "$bundle" "$out/web.seccomp.json" "$workload"
check "the workload runs under its learned seccomp profile" \
  bash -c "runc run --bundle '$bundle' $id-sc1 </dev/null >'$TEST_TMP/sc1.out' 2>&1 && grep -qx secret-data '$TEST_TMP/sc1.out'"
with_seccomp "$bundle" "$out/web.seccomp.json" 'mkdir /tmp/new && echo made || echo refused'
runc run --bundle "$bundle" $id-sc2 </dev/null >"$TEST_TMP/sc2.out" 2>&1 || true
check "a system call the workload never made is refused (mkdir)" grep -qx refused "$TEST_TMP/sc2.out"

# ECS: Fargate's limits go to stderr; stdout stays JSON.
"$ARMORER" emit --db "$db" --profile web --format ecs --fargate >"$TEST_TMP/fargate.json" 2>"$TEST_TMP/fargate.err"
check "--fargate output is JSON" json_ok "$TEST_TMP/fargate.json"
check "--fargate has no dockerSecurityOptions" bash -c "! grep -q dockerSecurityOptions '$TEST_TMP/fargate.json'"
check "--fargate says what it left out" grep -q "left out dockerSecurityOptions" "$TEST_TMP/fargate.err"
taskdef=$SOURCE_DIR/tests/golden/taskdef.input.json
"$ARMORER" emit --db "$db" --profile web --format ecs --task-definition "$taskdef" --container web >"$TEST_TMP/task.json"
check "the merged task definition is JSON with our option" \
  /usr/bin/python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); c=t["containerDefinitions"][0]; assert "apparmor:web" in c["dockerSecurityOptions"] and c["linuxParameters"]["capabilities"]["drop"]==["ALL"]' "$TEST_TMP/task.json"
set +e
"$ARMORER" emit --db "$db" --profile web --format ecs --task-definition "$taskdef" --container db >/dev/null 2>"$TEST_TMP/nocontainer.err"
status=$?
set -e
check "a missing container: exit 1" test "$status" -eq 1
check "a missing container: one line naming the containers" \
  bash -c "[[ \$(wc -l <'$TEST_TMP/nocontainer.err') -eq 1 ]] && grep -q 'it has: web, sidecar' '$TEST_TMP/nocontainer.err'"

# The review workflow: a second run that does more; the diff must flag it and gate on it.
db2=$TEST_TMP/web2.db
cp "$db" "$db2"
learn_container "$db2" $id-2 "$workload; cat /etc/passwd >/dev/null; echo more >> /data/input.txt"
"$ARMORER" emit --db "$db2" --profile web --all-formats --output "$TEST_TMP/new" 2>/dev/null
set +e
"$ARMORER" diff "$out/web.apparmor" "$TEST_TMP/new/web.apparmor" >"$TEST_TMP/diff.txt"
widened=$?
"$ARMORER" diff --markdown "$out/web.apparmor" "$TEST_TMP/new/web.apparmor" >"$TEST_TMP/diff.md"
"$ARMORER" diff "$TEST_TMP/new/web.apparmor" "$out/web.apparmor" >"$TEST_TMP/back.txt"
narrowed=$?
"$ARMORER" diff --db "$db" --db "$db2" --profile web >"$TEST_TMP/dbdiff.txt"
db_widened=$?
"$ARMORER" diff "$out/web.apparmor" "$out/web.apparmor" >/dev/null
same=$?
"$ARMORER" diff "$out/web.apparmor" "$TEST_TMP/none.apparmor" >/dev/null 2>&1
missing=$?
set -e
check "diff: more access exits 1" test "$widened" -eq 1
check "diff: the new read of /etc/passwd is flagged" grep -A1 -q '+ .*/etc/passwd r,' "$TEST_TMP/diff.txt"
check "diff: appending to a file it only read is flagged" grep -q '! widens: more permissions: r → ' "$TEST_TMP/diff.txt"
check "diff --markdown: summary table and diff blocks" \
  bash -c "grep -q '^| section | added | removed | widening |' '$TEST_TMP/diff.md' && grep -q '^\`\`\`diff' '$TEST_TMP/diff.md'"
check "diff: going back to the old profile widens nothing (exit 0)" test "$narrowed" -eq 0
check "diff --db OLD --db NEW agrees (exit 1)" test "$db_widened" -eq 1
check "diff: identical profiles exit 0" test "$same" -eq 0
check "diff: an unreadable input exits 2, not 1" test "$missing" -eq 2
check "the seccomp file changed only by the new system calls" \
  bash -c "! diff '$out/web.seccomp.json' '$TEST_TMP/new/web.seccomp.json' | grep -q '^< '"

# validate: the parser's own message on failure; a missing parser is an error, for emit a warning.
printf 'profile broken {\n  /etc/passwd rr x,\n}\n' >"$TEST_TMP/broken.apparmor"
set +e
"$ARMORER" validate "$TEST_TMP/broken.apparmor" 2>"$TEST_TMP/broken.err"
broken=$?
ARMORER_APPARMOR_PARSER=/nonexistent "$ARMORER" validate "$out/web.apparmor" 2>"$TEST_TMP/noparser.err"
noparser=$?
ARMORER_APPARMOR_PARSER=/nonexistent "$ARMORER" emit --db "$db" --profile web --validate >/dev/null 2>"$TEST_TMP/emitnoparser.err"
emit_noparser=$?
set -e
check "validate: a broken profile exits 1" test "$broken" -eq 1
check "validate: reports apparmor_parser's message" grep -q "broken.apparmor.*line 2" "$TEST_TMP/broken.err"
check "validate: no parser exits 1 and says so" \
  bash -c "test $noparser -eq 1 && grep -q 'apparmor_parser not found' '$TEST_TMP/noparser.err'"
check "emit --validate without a parser warns and still writes" \
  bash -c "test $emit_noparser -eq 0 && grep -q 'warning: apparmor_parser not found' '$TEST_TMP/emitnoparser.err'"
finish
