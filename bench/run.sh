#!/usr/bin/env bash
# armorer's performance bench (`./dev bench`, or `bash bench/run.sh [BUILD_DIR]`), as root.
#
#   overhead  the same workloads untraced, under `armorer learn`, and under `strace -f`
#             (the ptrace approach), interleaved per repetition; medians and ratios
#   loss      a burst of unique events with a 1 MiB and the default ring buffer: the reported
#             loss must equal what is missing from the recording
#   scale     `armorer emit` on synthetic recordings of 10k, 100k and 1M observations
#   kernels   each BPF program's verified instructions and load time on every kernel of the
#             test matrix (bench/kernel_table.sh; boots the VMs)
#
# Environment (defaults in brackets):
#   BENCH_PARTS          parts to run ["overhead loss scale kernels"]
#   BENCH_REPS           repetitions of untraced and armorer runs [5]
#   BENCH_STRACE_REPS    repetitions of strace runs, the first ones of the interleaving [2]
#   BENCH_STRACE_TIMEOUT seconds before a strace run is stopped and shown as "> N" [20]
#   BENCH_WORKLOADS      subset of "file tar exec syscall network"
#   BENCH_STRESS_FILES   files created by the loss stress workload [200000]
#   BENCH_SCALE          observation counts for emit [10000 100000 1000000]
#   BENCH_KEEP=1         keep the work directory (raw figures in results.tsv)
set -euo pipefail

SOURCE_DIR=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
BUILD_DIR=$(readlink -f "${1:-$SOURCE_DIR/build}")
PARTS=${BENCH_PARTS:-overhead loss scale kernels}
REPS=${BENCH_REPS:-5}
STRACE_REPS=${BENCH_STRACE_REPS:-2}
STRACE_TIMEOUT=${BENCH_STRACE_TIMEOUT:-20}
WORKLOADS=${BENCH_WORKLOADS:-file tar exec syscall network}
STRESS_FILES=${BENCH_STRESS_FILES:-200000}
SCALE=${BENCH_SCALE:-10000 100000 1000000}

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root: armorer learn loads BPF programs"
for tool in strace sqlite3 /usr/bin/python3 timeout; do
  command -v "$tool" >/dev/null || die "'$tool' is missing (apt-get install strace sqlite3 python3 coreutils)"
done
if [[ ! -f $BUILD_DIR/CMakeCache.txt ]]; then
  cmake -S "$SOURCE_DIR" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
log "building armorer and the bench tools in $BUILD_DIR"
cmake --build "$BUILD_DIR" -j 2 --target armorer bench_tools >/dev/null
ARMORER=$BUILD_DIR/cli/armorer
TOOLS=$BUILD_DIR/bench

WORK=$(mktemp -d /tmp/armorer-bench.XXXXXX)
SHM=$(mktemp -d /dev/shm/armorer-bench.XXXXXX)
cleanup() {
  rm -rf "$SHM"
  if [[ ${BENCH_KEEP:-0} == 1 ]]; then echo "bench: raw figures kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
RESULTS=$WORK/results.tsv
: > "$RESULTS"

source "$SOURCE_DIR/bench/workloads.sh"
known_workload() { workload "$1" || die "unknown workload '$1'"; }

# measure NAME VARIANT: runs one workload once and appends a line to $RESULTS:
# name variant wall_s cpu_s total_wall_s total_cpu_s peak_rss_kib lost status
# bench_timeit runs twice: inside the traced tree (the workload alone) and around the whole
# command (recorder start-up, shutdown and its own CPU included).
measure() {
  local name=$1 variant=$2 inner=$WORK/inner outer=$WORK/outer db=$WORK/run.db status=ok lost=-
  known_workload "$name"
  rm -f "$inner" "$outer" "$db" "$db-wal" "$db-shm"
  case $variant in
    untraced)
      "$TOOLS/bench_timeit" "$outer" -- \
        "$TOOLS/bench_timeit" "$inner" -- "${WL[@]}" >/dev/null || status=failed ;;
    armorer)
      "$TOOLS/bench_timeit" "$outer" -- \
        "$ARMORER" learn --db "$db" --profile bench --quiet -- \
        "$TOOLS/bench_timeit" "$inner" -- "${WL[@]}" >/dev/null || status=failed
      lost=$(sqlite3 "$db" "SELECT lost_events FROM runs" 2>/dev/null) || lost=- ;;
    strace)
      # timeout signals its whole process group, so a stopped strace leaves no workload behind.
      local rc=0
      "$TOOLS/bench_timeit" "$outer" -- \
        timeout -k 5 "$STRACE_TIMEOUT" strace -f -o /dev/null \
        "$TOOLS/bench_timeit" "$inner" -- "${WL[@]}" >/dev/null 2>&1 || rc=$?
      ((rc == 124 || rc == 137)) && status=timeout
      ((rc != 0 && rc != 124 && rc != 137)) && status=failed ;;
  esac
  local wall=- cpu=- twall=- tcpu=- rss=-
  [[ -s $inner ]] && read -r wall cpu _ < "$inner"
  [[ -s $outer ]] && read -r twall tcpu rss < "$outer"
  [[ $status == timeout ]] && wall=$STRACE_TIMEOUT
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$variant" "$wall" "$cpu" "$twall" "$tcpu" \
    "$rss" "$lost" "$status" >> "$RESULTS"
  [[ $status != failed ]] || echo "bench: $variant run of $name failed" >&2
}

overhead() {
  log "overhead: warming the page cache and the recorder"
  local name rep variant
  for name in $WORKLOADS; do known_workload "$name"; "${WL[@]}" >/dev/null; done
  "$ARMORER" learn --db "$WORK/warm.db" --profile warm --quiet -- /bin/true
  rm -f "$WORK"/warm.db*
  declare -A strace_timed_out=()
  local order=(untraced armorer strace)
  for ((rep = 0; rep < REPS; rep++)); do
    log "overhead: repetition $((rep + 1))/$REPS"
    for name in $WORKLOADS; do
      # Rotate the variant order each repetition: no variant always runs right after strace.
      for ((i = 0; i < 3; i++)); do
        variant=${order[(i + rep) % 3]}
        if [[ $variant == strace ]]; then
          ((rep < STRACE_REPS)) || continue
          [[ -z ${strace_timed_out[$name]:-} ]] || continue
        fi
        measure "$name" "$variant"
        [[ $variant != strace ]] || ! tail -n 1 "$RESULTS" | grep -q 'timeout$' ||
          strace_timed_out[$name]=1
      done
    done
  done
}

# stress_run BUFFER_MIB: one recording of the unique-file burst; appends to $WORK/loss.tsv.
stress_run() {
  local buffer=$1 dir=$SHM/files db=$WORK/stress.db
  rm -rf "$dir" "$db" "$db-wal" "$db-shm"
  mkdir "$dir"
  local summary
  # The 300 ms pause before exit keeps the workload's last events (its exit) out of a full
  # buffer, so that every lost event is one of the created files.
  summary=$("$TOOLS/bench_timeit" "$WORK/outer" -- "$ARMORER" learn --db "$db" --profile stress \
    --json --buffer-size "$buffer" -- "$TOOLS/bench_create_files" "$dir" "$STRESS_FILES" 300 2>/dev/null |
    tail -n 1)
  local created
  created=$(find "$dir" -type f | wc -l)
  /usr/bin/python3 - "$summary" "$db" "$dir" "$buffer" "$created" "$(cat "$WORK/outer")" \
    >> "$WORK/loss.tsv" <<'PY'
import json, sqlite3, sys
summary, db, directory, buffer, created, outer = sys.argv[1:]
s = json.loads(summary)
con = sqlite3.connect(db)
run_events, run_lost = con.execute("SELECT events, lost_events FROM runs").fetchone()
recorded = con.execute("SELECT count(DISTINCT object) FROM observations WHERE kind = 'file'"
                       " AND object GLOB ?", (directory + "/f*",)).fetchone()[0]
wall, _, rss = outer.split()
print("\t".join(str(x) for x in [buffer, created, recorded, s["lost_events"], run_lost,
                                 s["events"], run_events, wall, rss]))
PY
  rm -rf "$dir"
}

loss() {
  log "loss: $STRESS_FILES unique files, untraced, then 1 MiB and default (16 MiB) buffers"
  local dir=$SHM/files
  mkdir "$dir"
  "$TOOLS/bench_timeit" "$WORK/inner" -- "$TOOLS/bench_create_files" "$dir" "$STRESS_FILES" >/dev/null
  read -r STRESS_UNTRACED _ < "$WORK/inner"
  rm -rf "$dir"
  : > "$WORK/loss.tsv"
  stress_run 1
  stress_run 16
}

scale() {
  : > "$WORK/scale.tsv"
  local n reps db
  for n in $SCALE; do
    log "scale: $n observations"
    db=$WORK/scale-$n.db
    rm -f "$db"*
    "$TOOLS/bench_timeit" "$WORK/inner" -- "$TOOLS/bench_gen_recording" "$db" synth "$n" >/dev/null
    local gen
    read -r gen _ < "$WORK/inner"
    reps=3
    ((n < 1000000)) || reps=1
    for ((rep = 0; rep < reps; rep++)); do
      "$TOOLS/bench_timeit" "$WORK/outer" -- \
        "$ARMORER" emit --db "$db" --profile synth --output "$WORK/scale.profile"
      printf '%s\t%s\t%s\t%s\n' "$n" "$gen" "$(tr ' ' '\t' < "$WORK/outer")" \
        "$(wc -l < "$WORK/scale.profile")" >> "$WORK/scale.tsv"
    done
    rm -f "$db"* "$WORK/scale.profile"
  done
}

machine() {
  echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
       "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r)," \
       "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
}

START=$(date +%s)
MACHINE=$(machine)
STRESS_UNTRACED=-
kernels() {
  log "kernels: each program's verification on every kernel of the test matrix"
  bash "$SOURCE_DIR/bench/kernel_table.sh" "$BUILD_DIR" > "$WORK/kernels.md"
}

for part in $PARTS; do
  case $part in
    overhead|loss|scale|kernels) "$part" ;;
    *) die "unknown part '$part' (overhead, loss, scale, kernels)" ;;
  esac
done

echo
echo "$MACHINE"
echo "bench took $(($(date +%s) - START)) s; load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 "$SOURCE_DIR/bench/report.py" "$WORK" "$STRESS_FILES" "$STRESS_UNTRACED"
[[ ! -s $WORK/kernels.md ]] || cat "$WORK/kernels.md"
