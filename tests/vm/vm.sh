#!/usr/bin/env bash
# VM test harness: boots Debian's stock kernels under qemu with the host's root filesystem
# shared read-only (under a tmpfs overlay, so the guest can write anywhere and nothing reaches
# the host) and runs one command as root in the guest. See tests/vm/README.md.
#
#   vm.sh kernels                     the matrix names: 5.10 6.1 6.12 sid
#   vm.sh fetch [--refresh] NAME      download and prepare that kernel (once); print its cache dir
#   vm.sh accel                       the accelerator runs use: kvm or tcg
#   vm.sh run NAME [--timeout SECONDS] [--kmsg FILE] [--env VAR=VALUE]... [--share DIR]... \
#             -- COMMAND [ARG...]
#       runs COMMAND in the guest with the caller's working directory, prints its stdout and
#       stderr, writes the guest's kernel log to FILE, and exits with its exit status.
#       --share DIR mounts the host's DIR writable at the same path in the guest (to get files
#       back, or to run in a directory under /tmp, which is a fresh tmpfs in the guest).
#       Harness failures (no boot, timeout, missing 9p...) exit 125 with a one-line message.
#
# Environment: ARMORER_VM_CACHE (default /var/cache/armorer-vm), ARMORER_VM_ACCEL=kvm|tcg to
# skip the probe, ARMORER_VM_MEM (default 3G), ARMORER_VM_KEEP=1|0 to keep the run directory
# always|never (by default, only after a harness failure),
# ARMORER_VM_MIRROR (default http://deb.debian.org) for the kernel downloads.
set -euo pipefail

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
CACHE=${ARMORER_VM_CACHE:-/var/cache/armorer-vm}
NAMES=(5.10 6.1 6.12 sid)
declare -A SUITE=([5.10]=bullseye [6.1]=bookworm [6.12]=trixie [sid]=sid)
GUEST_IO=/run/armorer-vm # where guest-init.sh mounts the per-run share
GUEST_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() { echo "vm.sh: $*" >&2; exit 125; }
harness_fail() { echo "vm.sh: harness failure: $*" >&2; exit 125; }

need_tools() {
  local t
  for t in qemu-system-x86_64 cpio gzip xz dpkg-deb apt-get flock timeout /bin/busybox; do
    command -v "$t" >/dev/null || die "$t is missing (the packages are in ./dev's PACKAGES)"
  done
}

check_name() {
  [[ -n ${SUITE[${1:-}]:-} ]] || die "unknown kernel '${1:-}'; one of: ${NAMES[*]}"
}

# fetch NAME [refresh]: prepare $CACHE/kernels/NAME once (see fetch-kernel.sh) and print it.
# The lock serialises concurrent fetches; fetch-kernel.sh renames a complete directory into place.
fetch() {
  local name=$1 refresh=${2:-} dir=$CACHE/kernels/$1
  check_name "$name"
  if [[ -z $refresh && -f $dir/kver ]]; then echo "$dir"; return; fi
  need_tools
  mkdir -p "$CACHE/kernels"
  # Explicit error checks: set -e does not apply in a function called as `x=$(fetch) || ...`.
  (
    flock 9 || exit 1
    if [[ -n $refresh ]]; then
      rm -rf "$dir.new" "$dir.old"
      "$HERE/fetch-kernel.sh" "${SUITE[$name]}" "$dir.new" || exit $?
      if [[ -e $dir ]]; then mv "$dir" "$dir.old" || exit 1; fi
      mv "$dir.new" "$dir" && rm -rf "$dir.old"
    elif [[ ! -f $dir/kver ]]; then
      echo "vm.sh: fetching the $name kernel (Debian ${SUITE[$name]})" >&2
      rm -rf "$dir" # a leftover of an older, interrupted layout
      "$HERE/fetch-kernel.sh" "${SUITE[$name]}" "$dir"
    fi
  ) 9>"$CACHE/kernels/$name.lock" || return $?
  echo "$dir"
}

# accel [NAME]: kvm or tcg. On some hosts a KVM guest hangs early in boot, so KVM is used only
# once a trivial command has run under it within 20 s. The answer is cached per host kernel.
accel() {
  case ${ARMORER_VM_ACCEL:-} in
    kvm | tcg) echo "$ARMORER_VM_ACCEL"; return ;;
    '') ;;
    *) die "ARMORER_VM_ACCEL must be kvm or tcg, not '$ARMORER_VM_ACCEL'" ;;
  esac
  local file name=${1:-}
  file=$CACHE/accel.$(uname -r)
  if [[ ! -s $file ]]; then
    mkdir -p "$CACHE"
    if [[ -z $name ]]; then # any kernel already fetched will do, else the Debian 12 one
      name=6.1
      for n in "${NAMES[@]}"; do [[ -f $CACHE/kernels/$n/kver ]] && { name=$n; break; }; done
    fi
    fetch "$name" >/dev/null # not under the probe's time limit
    (
      flock 9
      [[ -s $file ]] && exit 0
      if [[ -r /dev/kvm && -w /dev/kvm ]] &&
        (cd / && ARMORER_VM_ACCEL=kvm ARMORER_VM_KEEP=0 timeout 60 "$HERE/vm.sh" run "$name" --timeout 20 -- true) >/dev/null 2>&1; then
        echo kvm >"$file"
      else
        echo tcg >"$file"
      fi
    ) 9>"$file.lock"
  fi
  cat "$file"
}

qemu_escape() { echo "${1//,/,,}"; } # a comma separates qemu's sub-options

run() {
  local name=${1:-} timeout=600 kmsg='' envs=() shares=()
  check_name "$name"
  shift
  while (($#)); do
    case $1 in
      --timeout) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--timeout needs a number of seconds"; timeout=$2; shift 2 ;;
      --kmsg) [[ -n ${2:-} ]] || die "--kmsg needs a file"; kmsg=$2; shift 2 ;;
      --env) [[ ${2:-} =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--env needs VAR=VALUE"; envs+=("$2"); shift 2 ;;
      --share) [[ -d ${2:-} ]] || die "--share needs an existing directory"; shares+=("$(readlink -f "$2")"); shift 2 ;;
      --) shift; break ;;
      *) die "unknown option '$1' (the command follows --)" ;;
    esac
  done
  (($#)) || die "no command given after --"
  need_tools

  local dir acc out
  # One line on failure: the last of fetch's messages.
  out=$(fetch "$name" 2>&1) ||
    harness_fail "cannot fetch the $name kernel: $(grep 'vm.sh: ' <<<"$out" | tail -n1 | sed 's/^vm\.sh: //')"
  dir=$(tail -n1 <<<"$out")
  acc=$(accel "$name")

  RUN=$(mktemp -d "${TMPDIR:-/tmp}/armorer-vm.XXXXXX")
  trap cleanup EXIT
  trap 'exit 143' TERM INT HUP
  local io=$RUN/io
  mkdir "$io" "$RUN/initfs"
  : >"$io/stdout"
  : >"$io/stderr"

  # The command travels as a bash script quoted with printf %q: no argument goes through the
  # kernel command line, so spaces, quotes and newlines survive.
  {
    printf 'cd -- %q 2>/dev/null || { echo %q >%q; exit 125; }\n' "$PWD" \
      "the working directory $PWD does not exist in the guest (under /tmp? use --share)" "$GUEST_IO/harness-error"
    printf 'export HOME=/root PATH=%q\n' "$GUEST_PATH"
    for e in "${envs[@]}"; do printf 'export %s=%q\n' "${e%%=*}" "${e#*=}"; done
    printf 'exec'
    printf ' %q' "$@"
    printf '\n'
  } >"$io/command.sh"

  # One host thread for both vCPUs: with multi-threaded TCG, the kernel's live code patching
  # (text_poke_bp's int3, as when a BPF program is attached to a tracepoint and its static key
  # flips) raced with the other vCPU and panicked the guest ("Oops: int3" in
  # syscall_exit_to_user_mode_prepare, 2 of 4 guests in one run of the kernel matrix).
  local qemu_accel=(-accel tcg,thread=single -cpu max)
  [[ $acc == kvm ]] && qemu_accel=(-accel kvm -cpu host)
  local fsdevs=(
    -fsdev local,id=hostroot,path=/,readonly=on,security_model=none,multidevs=remap
    -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
    -fsdev "local,id=io,path=$(qemu_escape "$io"),security_model=none,multidevs=remap"
    -device virtio-9p-pci,fsdev=io,mount_tag=io
  )
  local i=0 share
  : >"$io/shares"
  for share in "${shares[@]}"; do
    [[ $share != *$'\n'* && $share != *$'\t'* ]] || die "--share paths cannot hold tabs or newlines"
    fsdevs+=(-fsdev "local,id=share$i,path=$(qemu_escape "$share"),security_model=none,multidevs=remap"
             -device "virtio-9p-pci,fsdev=share$i,mount_tag=share$i")
    printf 'share%d\t%s\n' "$i" "$share" >>"$io/shares"
    i=$((i + 1))
  done

  # The initramfs from the cache, followed by a second archive holding this guest-init.sh as /init
  # (the kernel unpacks concatenated archives in order).
  cp "$HERE/guest-init.sh" "$RUN/initfs/init"
  chmod 755 "$RUN/initfs/init"
  { cat "$dir/initramfs.gz"; (cd "$RUN/initfs" && echo init | cpio -o -H newc -R 0:0 --quiet | gzip -1); } >"$RUN/initrd"

  # quiet: the serial console (a file) gets only warnings; log_buf_len: keep the whole kernel log
  # for --kmsg; audit_backlog_limit: without auditd, bursts of AppArmor audit lines queue up for
  # printk; panic=-1 with -no-reboot: a panic ends qemu at once.
  timeout --kill-after=10 "$timeout" qemu-system-x86_64 \
    -nodefaults -no-user-config -display none -monitor none -no-reboot \
    "${qemu_accel[@]}" -smp 2 -m "${ARMORER_VM_MEM:-3G}" \
    -kernel "$dir/vmlinuz" -initrd "$RUN/initrd" \
    -append "console=ttyS0 quiet panic=-1 log_buf_len=8M audit_backlog_limit=8192" \
    -chardev "file,id=console,path=$(qemu_escape "$RUN/console.log")" -serial chardev:console \
    "${fsdevs[@]}" </dev/null >"$RUN/qemu.log" 2>&1 &
  QEMU_PID=$!

  # Stream the output while the guest writes it through 9p; tail reads to the end once qemu is
  # gone (--pid), so nothing is lost.
  tail -s 0.2 -c +1 -f --pid=$QEMU_PID "$io/stdout" &
  TAILS=($!)
  tail -s 0.2 -c +1 -f --pid=$QEMU_PID "$io/stderr" >&2 &
  TAILS+=($!)
  local rc=0
  wait $QEMU_PID 2>/dev/null || rc=$? # 2>: no "Aborted" job notice from bash
  QEMU_PID=
  wait "${TAILS[@]}" || true
  TAILS=()

  if [[ -f $io/kmsg && -n $kmsg ]]; then cp "$io/kmsg" "$kmsg"; fi
  [[ -f $io/harness-error ]] && harness_fail "$(cat "$io/harness-error")"
  if [[ -f $io/status ]]; then
    local status
    status=$(cat "$io/status")
    exit "$status"
  fi

  # No status: say why, and keep the run directory (less the initrd) for a look at the console.
  KEEP=1
  rm -f "$RUN/initrd"
  local why
  if ((rc == 124 || rc == 137)); then
    why="timed out after $timeout s"
    grep -q 'armorer-vm' "$RUN/console.log" 2>/dev/null || why+=" (stuck before the guest's init ran: try ARMORER_VM_ACCEL=tcg)"
  elif why=$(grep -m1 -o 'armorer-vm: error: .*' "$RUN/console.log" 2>/dev/null); then
    why=${why#armorer-vm: error: }
  elif why=$(grep -m1 -o 'Kernel panic.*' "$RUN/console.log" 2>/dev/null); then
    :
  elif ((rc != 0)); then
    why="qemu exited with $rc: $(head -n1 "$RUN/qemu.log")"
  else
    why="the guest stopped without running the command (no boot?)"
  fi
  harness_fail "$name ($acc): $why; console log: $RUN/console.log"
}

cleanup() {
  [[ -n ${QEMU_PID:-} ]] && kill "$QEMU_PID" 2>/dev/null # timeout(1) passes it on to qemu
  [[ -n ${TAILS[*]:-} ]] && kill "${TAILS[@]}" 2>/dev/null
  # Kept after a harness failure (unless ARMORER_VM_KEEP=0), or always with ARMORER_VM_KEEP=1.
  local keep=${ARMORER_VM_KEEP:-${KEEP:-0}}
  if [[ -n ${RUN:-} && $keep != 1 ]]; then rm -rf "$RUN"; fi
  return 0
}

case ${1:-} in
  kernels) printf '%s\n' "${NAMES[@]}" ;;
  fetch)
    shift
    if [[ ${1:-} == --refresh ]]; then fetch "${2:-}" refresh; else fetch "${1:-}"; fi
    ;;
  accel) accel ;;
  run) shift; run "$@" ;;
  *) sed -n '5,/^set /s/^# \{0,1\}//p' "$0" >&2; exit 125 ;;
esac
