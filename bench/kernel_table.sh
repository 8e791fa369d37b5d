#!/usr/bin/env bash
# Per program and kernel: the instructions the verifier processed and the time to load the
# program on its own (bench_bpf_load_cost), on every kernel of tests/kernels/matrix.txt: the
# host's own, and Debian's stock kernels booted with tests/vm/vm.sh. The VMs run under TCG unless
# `vm.sh accel` says kvm: their load times are emulated, comparable with each other, not with
# the host's. Part "kernels" of `./dev bench`; also runs alone:
#   bash bench/kernel_table.sh [BUILD_DIR]
set -euo pipefail
SOURCE_DIR=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
BUILD_DIR=$(readlink -f "${1:-$SOURCE_DIR/build}")
TOOL=$BUILD_DIR/bench/bench_bpf_load_cost
[[ -x $TOOL ]] || { echo "kernel_table: build bench_bpf_load_cost first (cmake --build $BUILD_DIR --target bench_tools)" >&2; exit 1; }
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT

while read -r name _; do
  [[ -z $name || $name == \#* ]] && continue
  echo "==> $name" >&2
  if [[ $name == host ]]; then
    "$TOOL" >> "$rows"
  elif ! (cd "$BUILD_DIR" && "$SOURCE_DIR/tests/vm/vm.sh" run "$name" -- "$TOOL") >> "$rows"; then
    echo "kernel_table: $name: no figures (see above)" >&2
  fi
done < "$SOURCE_DIR/tests/kernels/matrix.txt"

accel=$("$SOURCE_DIR/tests/vm/vm.sh" accel 2>/dev/null || echo "?")
/usr/bin/python3 - "$rows" "$accel" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
kernels = list(dict.fromkeys(r["kernel"] for r in rows))
programs = list(dict.fromkeys(r["program"] for r in rows))
cell = {(r["kernel"], r["program"]): r for r in rows}
print(f"\nVerified instructions (share of the 1,000,000 limit) and load time of each program alone, per kernel "
      f"(VMs under {sys.argv[2]}; the first row is the maps and BTF alone, which every load pays):\n")
print("| program | " + " | ".join(kernels) + " |")
print("|---|" + "---|" * len(kernels))
for program in programs:
    cells = []
    for kernel in kernels:
        r = cell.get((kernel, program))
        if r is None:
            cells.append("-")
        elif not r["loaded"]:
            cells.append("refused: " + r["error"][:60])
        elif not program:
            cells.append(f"{r['load_ms']:.0f} ms")
        else:
            cells.append(f"{r['verified_insns']:,} ({r['verified_insns'] / 1e4:.1f}%), {r['load_ms']:.0f} ms")
    label = "(maps and BTF)" if not program else f"{program} ({next(r['path'] for r in rows if r['program'] == program)})"
    print(f"| {label} | " + " | ".join(cells) + " |")
PY
