#!/usr/bin/env bash
# The profile-quality evaluation (docs/quality.md): how complete and how tight are learned
# profiles when production is not the training run?
#
# For each workload (tests/quality/workloads/*.sh): train with `armorer learn` on two runs, then
# run it four more times under strace (an independent tracer) and turn what those runs did into
# access lists (strace_accesses.py): two runs that take the training's code paths ("same
# paths") and two that take others ("other paths": deeper trees, another journal mode, a 404,
# other temp-name prefixes, without running a program training did not). Every run, like a CI
# job or a container, works in a fresh directory with a random name (mktemp -d), and its data
# names (files, directories, repositories, branches) are random per run. `armorer check
# --accesses` then tells how much of each list the profile allows (completeness), how much of a
# fixed sample of unrelated host files it allows (over-grant), and which attack probes it
# denies. The same is measured for an exact-paths baseline built from the same DB.
#
# Usage (root, as `learn` loads BPF): tests/quality/run.sh [ARMORER_BINARY]
#   QUALITY_WORKLOADS="pipeline git"  run only these
#   QUALITY_KEEP=1                    keep the work directory (DBs, profiles, traces, check output)
set -euo pipefail
HERE=$(dirname "$(readlink -f "$0")")
ARMORER=$(readlink -f "${1:-$HERE/../../build/cli/armorer}")
read -r -a WORKLOADS <<< "${QUALITY_WORKLOADS:-pipeline archive sqlite git server tempfiles nginx redis}"
PY=(/usr/bin/python3 -B)
# Training and test runs get the same small environment.
CLEAN_ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 TERM=dumb)
STRACE=(strace -f -y -s 4096 -qq -e trace=%file,%desc,%network,execve)

die() { echo "quality: $*" >&2; exit 1; }
[[ -x $ARMORER ]] || die "no armorer binary at $ARMORER (build first, or pass its path)"
[[ $(id -u) -eq 0 ]] || die "run as root: armorer learn loads BPF programs"
for tool in strace apparmor_parser sqlite3 git /usr/bin/python3 nginx redis-server; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done

BASE=$(mktemp -d /tmp/armorer-quality.XXXXXX)
cleanup() {  # the work directory is kept on failure, to look at what went wrong
  local status=$?
  if ((status == 0)) && [[ ${QUALITY_KEEP:-0} != 1 ]]; then
    rm -rf "$BASE"
  else
    echo "quality: work directory kept: $BASE" >&2
  fi
}
trap cleanup EXIT
started=$SECONDS
log() { printf '[%3ds] %s\n' $((SECONDS - started)) "$*" >&2; }

"${PY[@]}" "$HERE/quality.py" hostfiles "$BASE/hostfiles.txt"

# check_list PROFILE LIST: armorer check's verdict, kept for the report; exit 1 only means
# "something was refused".
check_list() {
  local dir=$1 profile=$2 list=$3 status=0
  "$ARMORER" check --accesses "$dir/$list.tsv" "$dir/$profile.profile" \
    > "$dir/$profile.$list.out" 2> "$dir/$profile.$list.err" || status=$?
  if ((status > 1)) || { ((status == 1)) && [[ ! -s $dir/$profile.$list.out ]]; }; then
    die "armorer check failed on $dir/$profile.profile: $(cat "$dir/$profile.$list.err")"
  fi
}

# run_workload SCRIPT SEED MODE COMMAND...: the workload in a fresh, randomly named work
# directory, under COMMAND (armorer learn or strace); prints the directory.
run_workload() {
  local script=$1 seed=$2 mode=$3 work
  shift 3
  work=$(mktemp -d /tmp/job.XXXXXXXX)
  (cd "$work" && "${CLEAN_ENV[@]}" "$@" /usr/bin/bash "$script" "$seed" "$work" "$mode" > /dev/null) ||
    die "$(basename "$script" .sh) seed $seed ($mode) failed under $1 (work directory $work)"
  echo "$work"
}

for workload in "${WORKLOADS[@]}"; do
  script=$HERE/workloads/$workload.sh
  [[ -f $script ]] || die "unknown workload $workload"
  dir=$BASE/$workload
  mkdir -p "$dir"
  for seed in 1 2; do
    work=$(run_workload "$script" "$seed" same "$ARMORER" learn --db "$dir/train.db" \
             --profile "q-$workload" --label "seed $seed" --quiet --)
    rm -rf "$work"
  done
  "$ARMORER" emit --db "$dir/train.db" --profile "q-$workload" --output "$dir/armorer.profile"
  "${PY[@]}" "$HERE/quality.py" baseline "$dir/train.db" "q-$workload" "exact-$workload" \
    > "$dir/exact.profile"
  log "$workload: trained on two runs"

  for test in "3 same" "4 same" "5 other" "6 other"; do
    read -r seed mode <<< "$test"
    work=$(run_workload "$script" "$seed" "$mode" "${STRACE[@]}" -o "$dir/strace$seed.txt")
    # Converted at once: ownership is read from the files the run left behind.
    "${PY[@]}" "$HERE/strace_accesses.py" "$dir/strace$seed.txt" "$work" > "$dir/test$seed.tsv"
    rm -rf "$work"
  done
  "${PY[@]}" "$HERE/quality.py" merge "$dir"/test[34].tsv > "$dir/same.tsv"
  "${PY[@]}" "$HERE/quality.py" merge "$dir"/test[56].tsv > "$dir/other.tsv"
  "${PY[@]}" "$HERE/quality.py" merge "$dir"/test[3456].tsv > "$dir/test.tsv"
  "${PY[@]}" "$HERE/quality.py" sample "$BASE/hostfiles.txt" "$dir/train.db" "q-$workload" \
    "$dir/test.tsv" > "$dir/sample.tsv"
  "${PY[@]}" "$HERE/quality.py" probes "$dir/train.db" "q-$workload" "$dir/test.tsv" > "$dir/probes.tsv"
  for profile in armorer exact; do
    for list in same other sample probes; do check_list "$dir" "$profile" "$list"; done
  done
  log "$workload: tested on two runs of the same paths and two of other paths"
done

"${PY[@]}" "$HERE/quality.py" report "$BASE" "${WORKLOADS[@]}"
log "done"
