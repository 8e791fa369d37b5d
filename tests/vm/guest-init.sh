#!/bin/busybox sh
# PID 1 of the guest booted by vm.sh (busybox sh). It runs twice:
#  stage 1, as /init of the initramfs: load the 9p and overlay modules, build the root (the
#    host's / over 9p, read-only, under a tmpfs overlay so the guest can write anywhere), mount
#    the kernel filesystems in it and switch_root into it;
#  stage 2, as /run/armorer-vm-init in the new root: run the command that vm.sh wrote to the
#    writable share, store its output, exit status and the kernel log there, and power off.
# Lines starting with "armorer-vm: error:" on the console tell vm.sh why the harness failed.

IO=/run/armorer-vm # the writable share of the host's per-run directory
BB=/bin/busybox
P9='trans=virtio,version=9p2000.L,msize=512000'

mark() { echo "armorer-vm: $*" >/dev/kmsg; } # timestamped in the kernel log (--kmsg)

fail() {
  echo "armorer-vm: error: $*"
  $BB poweroff -f
}

stage1() {
  export PATH=/bin
  $BB --install -s /bin # the applets are not linked in the initramfs otherwise
  mount -t devtmpfs devtmpfs /dev
  exec </dev/console >/dev/console 2>&1 # the initramfs has no /dev/console for the kernel to open
  mount -t proc proc /proc
  mount -t sysfs sysfs /sys

  for m in $(cat /modules); do
    insmod "/lib/modules/$m.ko" || fail "insmod $m.ko failed (depends on: $(tr '\0' '\n' <"/lib/modules/$m.ko" | sed -n 's/^depends=//p'))"
  done

  mark "modules loaded"
  mount -t 9p -o "$P9,ro" hostroot /mnt/lower || fail "cannot mount the host root over 9p"
  mount -t tmpfs -o mode=755 overlay-rw /mnt/rw
  mkdir /mnt/rw/upper /mnt/rw/work
  mount -t overlay -o lowerdir=/mnt/lower,upperdir=/mnt/rw/upper,workdir=/mnt/rw/work root /mnt/root ||
    fail "cannot mount the overlay root"

  R=/mnt/root
  mount --move /dev $R/dev
  mount --move /proc $R/proc
  mount --move /sys $R/sys
  mkdir -p $R/dev/pts $R/dev/shm
  # What udev would add. Without /dev/fd, execveat(fd, "", AT_EMPTY_PATH) fails with ENOENT on
  # 5.10 (runc: "could not ensure we are a cloned binary").
  ln -s /proc/self/fd $R/dev/fd
  ln -s /proc/self/fd/0 $R/dev/stdin
  ln -s /proc/self/fd/1 $R/dev/stdout
  ln -s /proc/self/fd/2 $R/dev/stderr
  mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts $R/dev/pts
  mount -t tmpfs -o mode=1777,nosuid,nodev shm $R/dev/shm
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs $R/tmp
  mount -t tmpfs -o mode=755,nosuid,nodev tmpfs $R/run
  mount -t securityfs securityfs $R/sys/kernel/security || fail "cannot mount securityfs"
  # No tracefs or debugfs: the recorder must work on hosts that mount neither.
  mount_cgroups $R/sys/fs/cgroup

  mkdir -p $R$IO
  mount -t 9p -o "$P9" io $R$IO || fail "cannot mount the writable 9p share"
  # Extra writable shares (vm.sh --share), at the same path as on the host. cache=mmap: shared
  # writable mmap, which SQLite's WAL needs (its -shm file); without it: "disk I/O error".
  while IFS="	" read -r tag path; do
    mkdir -p "$R$path" && mount -t 9p -o "$P9,cache=mmap" "$tag" "$R$path" || fail "cannot mount $path over 9p"
  done <$R$IO/shares

  cp /init $R/run/armorer-vm-init
  echo "armorer-vm: root mounted" >$R/dev/kmsg # /dev has moved
  exec switch_root $R $BB sh /run/armorer-vm-init
}

# Hybrid like the host: a v1 hierarchy per controller on a tmpfs, name=systemd, and cgroup2 at
# unified. A controller the kernel lacks in v1 (memory and cpuset from 6.12 on) is left out; it
# then belongs to the unified hierarchy.
mount_cgroups() {
  mount -t tmpfs -o mode=755,nosuid,nodev,noexec cgroup "$1"
  for c in cpu cpuacct cpuset memory devices freezer blkio pids; do
    mkdir "$1/$c"
    mount -t cgroup -o "$c" cgroup "$1/$c" 2>/dev/null || rmdir "$1/$c"
  done
  mkdir "$1/systemd" "$1/unified"
  mount -t cgroup -o none,name=systemd cgroup "$1/systemd"
  mount -t cgroup2 cgroup2 "$1/unified"
}

stage2() {
  export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  $BB hostname armorer-vm
  $BB ip link set lo up || $BB ifconfig lo up
  echo 0 >/proc/sys/kernel/printk_ratelimit # AppArmor audit lines are rate-limited otherwise

  # command.sh (written by vm.sh) sets the environment and the working directory, then execs the
  # command. bash from the host's root reads it, since vm.sh quotes the arguments with printf %q.
  mark "command starts"
  $BB env -i /bin/bash $IO/command.sh </dev/null >$IO/stdout 2>$IO/stderr
  echo $? >$IO/status.tmp
  mark "command ended with status $(cat $IO/status.tmp)"

  dmesg >$IO/kmsg 2>/dev/null || $BB dmesg -s 16777216 >$IO/kmsg
  mv $IO/status.tmp $IO/status # last: vm.sh reads its presence as "the command ran"
  sync
  $BB poweroff -f
}

if [ "$0" = /init ]; then stage1; else stage2; fi
fail "stage ended unexpectedly"
