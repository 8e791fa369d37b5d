# The AARE matcher against apparmor_parser, at CI depth: runs the differential doctest
# (tests/unit/test_aare_differential.cpp) with more patterns, more hostile names and several
# seeds than the quick unit run. Usage: bash test_aare_differential.sh ARMORER SOURCE_DIR
set -euo pipefail

FEATURES=/usr/share/apparmor-features/features
PARSER=$(command -v apparmor_parser || true)
[[ -n $PARSER ]] || PARSER=/sbin/apparmor_parser
if [[ ! -x $PARSER ]]; then
  echo "SKIP: apparmor_parser is not installed (apt install apparmor); nothing to compare with"
  exit 77
fi
if [[ ! -r $FEATURES ]]; then
  echo "SKIP: $FEATURES is missing (it ships with the apparmor package)"
  exit 77
fi

# The doctest binary sits in the build tree next to the armorer binary's directory.
BUILD_DIR=$(dirname "$(dirname "$(readlink -f "$1")")")
TEST_BINARY=$BUILD_DIR/tests/test_aare_differential
if [[ ! -x $TEST_BINARY ]]; then
  echo "FAIL: $TEST_BINARY not built (build the test_aare_differential target)"
  exit 1
fi

status=0
for seed in 101 202 303; do
  echo "== seed $seed"
  if ! ARMORER_AARE_SEED=$seed ARMORER_AARE_PATTERNS=2000 ARMORER_AARE_LITERALS=4000 \
      "$TEST_BINARY" --no-intro; then
    status=1
  fi
done
exit $status
