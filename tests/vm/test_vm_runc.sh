#!/usr/bin/env bash
# In the guest of one kernel (tests/vm/test_vm_runc.sh 6.1): apparmor_parser loads a profile,
# runc runs a busybox container under it, and AppArmor denies what the profile denies.
set -euo pipefail

name=${1:?usage: test_vm_runc.sh KERNEL}
vm=$(dirname "$(readlink -f "$0")")/vm.sh
cd / # the guest runs commands in the caller's directory, which may be under /tmp (the guest's own)
passed=0 failed=0
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then echo "ok - $name: $what"; passed=$((passed + 1)); else echo "FAIL - $name: $what"; failed=$((failed + 1)); fi
}

# Runs in the guest; /tmp is the guest's own tmpfs.
guest_script='
set -u
apparmor_parser -r <<EOF && echo parser=ok
abi <abi/3.0>,
profile vm-runc-test flags=(attach_disconnected,mediate_deleted) {
  file,
  signal,
  audit deny /data/** r,
}
EOF
b=/tmp/bundle
mkdir -p $b/rootfs/bin $b/rootfs/proc $b/rootfs/dev $b/rootfs/sys $b/rootfs/data
cp /bin/busybox $b/rootfs/bin/ && ln -s busybox $b/rootfs/bin/sh && ln -s busybox $b/rootfs/bin/cat
echo secret >$b/rootfs/data/input.txt
cd $b && runc spec
/usr/bin/python3 - <<EOF
import json
c = json.load(open("config.json"))
c["process"].update(terminal=False, apparmorProfile="vm-runc-test",
                    args=["/bin/sh", "-c", "cat /proc/self/attr/current; cat /data/input.txt || echo read=denied"])
json.dump(c, open("config.json", "w"))
EOF
runc run vm-runc-test && echo runc=ok
'
out=$("$vm" run "$name" --kmsg "${TMPDIR:-/tmp}/vm-runc.$$.kmsg" -- bash -c "$guest_script" 2>&1) || true
kmsg=$(cat "${TMPDIR:-/tmp}/vm-runc.$$.kmsg" 2>/dev/null || true)
rm -f "${TMPDIR:-/tmp}/vm-runc.$$.kmsg"

check "apparmor_parser loads a profile" grep -qx parser=ok <<<"$out"
check "runc runs a busybox container" grep -qx runc=ok <<<"$out"
check "the container runs confined by the profile" grep -qx 'vm-runc-test (enforce)' <<<"$out"
check "AppArmor denies the read the profile denies" grep -qx read=denied <<<"$out"
check "the denial is in the kernel log" \
  grep -q 'apparmor="DENIED" operation="open" .*profile="vm-runc-test" name="/data/input.txt"' <<<"$kmsg"
((failed == 0)) || sed 's/^/#   /' <<<"$out"
echo "$passed passed, $failed failed"
((failed == 0))
