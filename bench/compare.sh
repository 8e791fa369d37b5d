#!/usr/bin/env bash
# A/B comparison of two armorer binaries on the bench workloads, interleaved run by run so
# that the machine's background load hits both alike; prints medians. Used to measure each
# recorder change before it is committed (docs/performance.md).
# Usage: bash bench/compare.sh BUILD_DIR ARMORER_A ARMORER_B [WORKLOAD...]
#   BUILD_DIR holds the bench tools (cmake --build BUILD_DIR --target bench_tools);
#   BENCH_REPS repetitions [7]; workloads: file tar exec syscall network stress [file syscall]
set -euo pipefail

BUILD_DIR=$(readlink -f "$1")
A=$(readlink -f "$2")
B=$(readlink -f "$3")
shift 3
[[ $# -gt 0 ]] && WORKLOADS=("$@") || WORKLOADS=(file syscall)
REPS=${BENCH_REPS:-7}
TOOLS=$BUILD_DIR/bench
WORK=$(mktemp -d /tmp/armorer-compare.XXXXXX)
SHM=$(mktemp -d /dev/shm/armorer-compare.XXXXXX)
trap 'rm -rf "$WORK" "$SHM"' EXIT

source "$(dirname "$(readlink -f "$0")")/workloads.sh"
known_workload() { workload "$1" || { echo "compare: unknown workload '$1'" >&2; exit 2; }; }

# One run: workload wall/CPU (inside), total wall/CPU and peak RSS (outside), lost events.
run() {
  local label=$1 binary=$2 name=$3 db=$WORK/run.db
  known_workload "$name"
  rm -rf "$db"* "$SHM/files"
  mkdir "$SHM/files"
  "$TOOLS/bench_timeit" "$WORK/outer" -- "$binary" learn --db "$db" --profile ab --quiet -- \
    "$TOOLS/bench_timeit" "$WORK/inner" -- "${WL[@]}" >/dev/null
  local wall cpu twall tcpu rss
  read -r wall cpu _ < "$WORK/inner"
  read -r twall tcpu rss < "$WORK/outer"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$label" "$wall" "$cpu" "$twall" "$tcpu" "$rss" \
    "$(sqlite3 "$db" 'SELECT lost_events FROM runs')" >> "$WORK/ab.tsv"
}

for name in "${WORKLOADS[@]}"; do known_workload "$name"; [[ $name == stress ]] || "${WL[@]}" >/dev/null; done
for ((rep = 0; rep < REPS; rep++)); do
  for name in "${WORKLOADS[@]}"; do
    if ((rep % 2)); then run B "$B" "$name"; run A "$A" "$name"; else run A "$A" "$name"; run B "$B" "$name"; fi
  done
done
echo "A = $A"
echo "B = $B"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); medians of $REPS runs each"
/usr/bin/python3 - "$WORK/ab.tsv" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
print("| workload | binary | wall s | workload CPU s | total wall s | total CPU s | peak RSS MiB | lost |")
print("|---|---|---|---|---|---|---|---|")
for name in dict.fromkeys(r[0] for r in rows):
    for label in ("A", "B"):
        runs = [r for r in rows if r[0] == name and r[1] == label]
        med = lambda i: statistics.median(float(r[i]) for r in runs)
        print(f"| {name} | {label} | {med(2):.3f} | {med(3):.3f} | {med(4):.3f} | {med(5):.3f} | "
              f"{med(6) / 1024:.1f} | {','.join(sorted({r[7] for r in runs}))} |")
PY
