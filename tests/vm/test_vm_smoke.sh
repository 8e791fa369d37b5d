#!/usr/bin/env bash
# Smoke test of the VM harness on one kernel of the matrix: tests/vm/test_vm_smoke.sh 6.1
# Three boots: the main checks, argument/environment/--share round trips, and the timeout.
set -euo pipefail

name=${1:?usage: test_vm_smoke.sh KERNEL (one of: $(tests/vm/vm.sh kernels 2>/dev/null | paste -sd' '))}
vm=$(dirname "$(readlink -f "$0")")/vm.sh
cd / # the guest runs commands in the caller's directory, which may be under /tmp (the guest's own)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then echo "ok - $name: $what"; passed=$((passed + 1)); else echo "FAIL - $name: $what"; failed=$((failed + 1)); fi
}

kver=$(cat "$("$vm" fetch "$name")/kver")
token=$$.$RANDOM

# 1. One boot for most checks.
start=$SECONDS
rc=0
"$vm" run "$name" --kmsg "$tmp/kmsg" -- sh -c '
  uname -r
  cat /sys/module/apparmor/parameters/enabled
  test -e /sys/kernel/btf/vmlinux && echo btf=yes
  echo guest-only >/tmp/armorer-vm-smoke.$1
  test -f /tmp/armorer-vm-smoke.$1 && echo tmp-written
  echo on-stderr >&2
  exit 3' sh "$token" >"$tmp/out" 2>"$tmp/err" || rc=$?
echo "# $name: a call took $((SECONDS - start)) s (kernel $kver, accel $("$vm" accel))"
check "uname -r in the guest is $kver, not the host's $(uname -r)" \
  test "$(sed -n 1p "$tmp/out")" = "$kver" -a "$kver" != "$(uname -r)"
check "the exit status comes back (3)" test "$rc" = 3
check "stdout and stderr come back separately" \
  test "$(cat "$tmp/err")" = on-stderr -a "$(grep -c on-stderr "$tmp/out")" = 0
check "AppArmor is enabled (/sys/module/apparmor/parameters/enabled = Y)" test "$(sed -n 2p "$tmp/out")" = Y
check "/sys/kernel/btf/vmlinux exists" grep -qx btf=yes "$tmp/out"
check "a file written under /tmp in the guest does not reach the host" \
  eval 'grep -qx tmp-written "$tmp/out" && test ! -e /tmp/armorer-vm-smoke.$token'
check "--kmsg captures the kernel log" grep -q "Linux version $kver" "$tmp/kmsg"
if ((failed)); then sed 's/^/#   stdout: /' "$tmp/out"; sed 's/^/#   stderr: /' "$tmp/err"; fi

# 2. Arguments with spaces and quotes, --env, the working directory, and --share.
mkdir "$tmp/share dir"
rc=0
(cd "$tmp/share dir" && "$vm" run "$name" --share . --env 'FOO=a b "c" $HOME' -- \
  sh -c 'printf "<%s>\n" "$@" "$FOO" "$PWD" "$HOME"; echo back >result' sh 'one two' "it's" '$HOME' '') \
  >"$tmp/out2" 2>"$tmp/err2" || rc=$?
printf '<%s>\n' 'one two' "it's" '$HOME' '' 'a b "c" $HOME' "$tmp/share dir" /root >"$tmp/want2"
check "arguments, --env and the working directory arrive intact" cmp -s "$tmp/out2" "$tmp/want2"
check "a file written under --share reaches the host" test "$(cat "$tmp/share dir/result" 2>/dev/null)" = back
((rc == 0)) || sed 's/^/#   /' "$tmp/err2"

# 3. A guest that does not finish in time is killed and reported as a harness failure.
rc=0
"$vm" run "$name" --timeout 2 -- true >/dev/null 2>"$tmp/err3" || rc=$?
check "a timeout exits 125 with a message" eval 'test "$rc" = 125 && grep -q "harness failure: .*timed out" "$tmp/err3"'
kept=$(sed -n 's/.*console log: \(.*\)\/console\.log$/\1/p' "$tmp/err3")
[[ $kept == */armorer-vm.* ]] && rm -rf "$kept" # vm.sh keeps a failed run's directory

echo "$passed passed, $failed failed"
((failed == 0))
