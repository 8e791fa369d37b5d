# Shared helpers for integration tests: sourced by tests/integration/test_*.sh, which are run
# as `bash SCRIPT ARMORER SOURCE_DIR WORKLOAD`.
set -euo pipefail

ARMORER=$(readlink -f "$1")
SOURCE_DIR=$(readlink -f "$2")
WORKLOAD=$(readlink -f "${3:-/bin/true}")
FEATURES=/usr/share/apparmor-features/features
TEST_TMP=$(mktemp -d /tmp/armorer-test.XXXXXX)
FAILURES=0
CHECKS=0
trap 'rm -rf "$TEST_TMP"' EXIT

# Access bits of core/observation.h.
ACC_READ=1 ACC_WRITE=2 ACC_APPEND=4 ACC_CREATE=8 ACC_REMOVE=16 ACC_RENAME_SRC=32
ACC_RENAME_DST=64 ACC_LINK=128 ACC_LOCK=256 ACC_SETATTR=512 ACC_MMAP_EXEC=1024 ACC_EXEC=2048

skip() { echo "SKIP: $*"; exit 77; }

# BPF tests need root and a BTF kernel; CI is root, so only a kernel without BTF may skip.
require_bpf() {
  [[ -e /sys/kernel/btf/vmlinux ]] || skip "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
  [[ $(id -u) -eq 0 ]] || { echo "FAIL: this test loads BPF programs and must run as root"; exit 1; }
}

pass() { CHECKS=$((CHECKS + 1)); echo "ok   - $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILURES=$((FAILURES + 1)); echo "FAIL - $*"; }
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

# sql DB QUERY: runs a query on an armorer database.
sql() { sqlite3 -batch -noheader "$1" "$2"; }

# field JSON NAME: a value from armorer's --json summary.
field() { /usr/bin/python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# has_obs DB PROFILE KIND OBJECT [ACCESS_BIT]: an observation with that object (and bit) exists.
has_obs() {
  local db=$1 profile=$2 kind=$3 object=$4 bit=${5:-0}
  local q="SELECT count(*) FROM observations WHERE profile='$profile' AND kind='$kind' AND object='$object'"
  ((bit)) && q+=" AND (access & $bit) != 0"
  [[ $(sql "$db" "$q") -gt 0 ]]
}

# compiles PROFILE_FILE: apparmor_parser accepts it offline.
compiles() {
  local out
  if ! out=$(apparmor_parser -Q -K -M "$FEATURES" "$1" 2>&1); then
    echo "    apparmor_parser: $out"
    return 1
  fi
}

finish() {
  echo "# $CHECKS checks, $FAILURES failed"
  ((FAILURES == 0))
}

# wait_for_file FILE [SECONDS]: waits until FILE exists (armorer's --ready-file).
wait_for_file() {
  local i
  for ((i = 0; i < ${2:-20} * 10; i++)); do [[ -e $1 ]] && return 0; sleep 0.1; done
  echo "timed out waiting for $1"
  return 1
}

# wait_for_obs DB PROFILE OBJECT: waits (up to 5 s) until `learn` has committed a batch holding
# that object; returns 1 on timeout.
wait_for_obs() {
  local i
  for ((i = 0; i < 100; i++)); do
    [[ $(sql "$1" "SELECT count(*) FROM observations WHERE profile='$2' AND object='$3'") -gt 0 ]] && return 0
    sleep 0.05
  done
  return 1
}

# make_busybox_bundle DIR COMMAND: an OCI bundle with a busybox-static rootfs running
# `/bin/sh -c COMMAND`; no downloads.
make_busybox_bundle() {
  local bundle=$1 command=$2
  mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/etc" "$bundle/rootfs/proc" "$bundle/rootfs/dev" \
           "$bundle/rootfs/sys" "$bundle/rootfs/tmp" "$bundle/rootfs/data"
  cp /bin/busybox "$bundle/rootfs/bin/busybox"
  local applet
  for applet in sh cat ls echo sleep wc head grep touch rm mkdir; do
    ln -sf busybox "$bundle/rootfs/bin/$applet"
  done
  echo "root:x:0:0:root:/root:/bin/sh" > "$bundle/rootfs/etc/passwd"
  echo "secret-data" > "$bundle/rootfs/data/input.txt"
  (cd "$bundle" && runc spec)
  /usr/bin/python3 - "$bundle/config.json" "$command" <<'PY'
import json, sys
path, command = sys.argv[1], sys.argv[2]
config = json.load(open(path))
config["process"]["terminal"] = False
config["process"]["args"] = ["/bin/sh", "-c", command]
config["root"]["readonly"] = False
json.dump(config, open(path, "w"), indent=1)
PY
}
