#!/usr/bin/env bash
# One kernel of the matrix (ctest -L kernels): runs recorder_suite.sh on the host's own kernel
# ("host") or in a VM booting that Debian kernel (tests/vm/vm.sh), with results in
# BUILD_DIR/kernels/NAME/ for compare.sh.
# usage: run_kernel.sh NAME BUILD_DIR SOURCE_DIR
set -euo pipefail
NAME=$1 BUILD=$(readlink -f "$2") SOURCE=$(readlink -f "$3")
HERE=$SOURCE/tests/kernels
OUT=$BUILD/kernels/$NAME
expected=$(awk -v name="$NAME" '$1 == name { print $2 }' "$HERE/matrix.txt")
[[ -n $expected ]] || { echo "run_kernel.sh: '$NAME' is not in $HERE/matrix.txt"; exit 1; }
rm -rf "$OUT"
mkdir -p "$OUT"

if [[ $NAME == host ]]; then
  exec bash "$HERE/recorder_suite.sh" "$BUILD" "$SOURCE" "$OUT" "$expected"
fi

# The kernel is downloaded once from Debian's archive and cached; without the archive it cannot
# be booted at all.
status=0
"$SOURCE/tests/vm/vm.sh" fetch "$NAME" > /dev/null || status=$?
if ((status == 2)); then
  echo "SKIP: the $NAME kernel cannot be downloaded from the Debian archive (see above)"
  exit 77
fi
((status == 0)) || exit "$status"

# The guest sees the host's tree, but its /tmp is its own: share what lives there.
shares=()
for dir in "$SOURCE" "$BUILD" "$OUT"; do
  [[ $dir == /tmp/* && $dir != "$SOURCE"/* ]] && shares+=(--share "$dir")
done
[[ " ${shares[*]} " == *" $OUT "* ]] || shares+=(--share "$OUT")
cd "$BUILD"
status=0
"$SOURCE/tests/vm/vm.sh" run "$NAME" --timeout 1200 --kmsg "$OUT/kmsg.txt" "${shares[@]}" -- \
  bash "$HERE/recorder_suite.sh" "$BUILD" "$SOURCE" "$OUT" "$expected" || status=$?
((status == 125)) && echo "FAIL: the VM harness failed (see above); the guest's kernel log: $OUT/kmsg.txt"
exit "$status"
