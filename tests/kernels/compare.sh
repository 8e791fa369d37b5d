#!/usr/bin/env bash
# After every kernel of the matrix ran (run_kernel.sh), compares the reference workload's
# observations across kernels: each kernel's must equal the host kernel's, except for the
# differences known_differences.txt lists (each explained in docs/kernels.md). Prints the matrix
# as a table and writes it to BUILD_DIR/kernels/matrix.md.
# usage: compare.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$(readlink -f "$1") SOURCE=$(readlink -f "$2")
HERE=$SOURCE/tests/kernels
RESULTS=$BUILD/kernels
exec /usr/bin/python3 - "$RESULTS" "$HERE/matrix.txt" "$HERE/known_differences.txt" <<'PY'
import json, os, sys

results, matrix_file, known_file = sys.argv[1:4]
names = [line.split()[0] for line in open(matrix_file) if line.strip() and not line.startswith("#")]

# known_differences.txt: "KERNEL +|- OBSERVATION" ('+' only on that kernel, '-' missing there).
known = set()
for line in open(known_file):
    line = line.rstrip("\n")
    if line.strip() and not line.startswith("#"):
        kernel, sign, observation = line.split(" ", 2)
        known.add((kernel, sign, observation))

def read_lines(path):
    with open(path) as f:
        return set(f.read().splitlines())

available = [n for n in names if os.path.exists(os.path.join(results, n, "reference.txt"))]
missing = [n for n in names if n not in available]
if "host" not in available:
    print("compare: the host kernel's results are missing (run ctest -L kernels)")
    sys.exit(1)
base = read_lines(os.path.join(results, "host", "reference.txt"))

unexplained, used = [], set()
for name in available:
    if name == "host":
        continue
    lines = read_lines(os.path.join(results, name, "reference.txt"))
    for sign, diff in (("+", lines - base), ("-", base - lines)):
        for observation in sorted(diff):
            if (name, sign, observation) in known:
                used.add((name, sign, observation))
            else:
                unexplained.append(f"{name} {sign} {observation}")
stale = sorted(k for k in known if k[0] in available and k not in used)

rows = ["| kernel | release | exec | capability checks | largest program (verified insns) | load | recorder tests |",
        "|---|---|---|---|---|---|---|"]
for name in names:
    doctor_path = os.path.join(results, name, "doctor.json")
    if not os.path.exists(doctor_path):
        rows.append(f"| {name} | not run | | | | | |")
        continue
    doctor = json.load(open(doctor_path))
    hooks = {h["hook"]: h for h in doctor["hooks"]}
    largest = max(doctor["hooks"], key=lambda h: h["verified_insns"])
    summary = open(os.path.join(results, name, "summary")).read().splitlines()
    tests = [l for l in summary if "test_" in l]
    passed = sum(1 for l in tests if l.startswith("ok"))
    def path(hook):
        h = hooks.get(hook)
        return f"{h['path']} ({h['program']})" if h else "?"
    rows.append(f"| {name} | {doctor['kernel']} | {path('sched_process_exec')} | {path('cap_capable')} | "
                f"{largest['program']}: {largest['verified_insns']:,} ({100 * largest['verified_insns'] / 1e6:.1f}%) | "
                f"{doctor['load_seconds']:.2f} s | {passed}/{len(tests)} |")
table = "\n".join(rows)
print(table)
with open(os.path.join(results, "matrix.md"), "w") as f:
    f.write(table + "\n")

for line in unexplained:
    print(f"FAIL - unexplained difference from the host kernel: {line}")
for kernel, sign, observation in stale:
    print(f"FAIL - known_differences.txt lists a difference that no longer occurs: {kernel} {sign} {observation}")
if unexplained or stale:
    sys.exit(1)
print(f"ok   - the reference workload gives the same observations on {', '.join(available)}"
      f" (apart from {len(used)} known differences)")
if missing:
    print(f"SKIP: not run on {', '.join(missing)}")
    sys.exit(77)
PY
