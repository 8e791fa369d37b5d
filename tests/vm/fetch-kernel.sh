#!/usr/bin/env bash
# fetch-kernel.sh SUITE DEST: download the current stock kernel of a Debian suite and lay out
# in DEST what vm.sh boots:
#   vmlinuz          the kernel
#   config           its build configuration
#   kver             the kernel release string (what `uname -r` says in the guest)
#   packages         the Debian packages and versions it came from
#   modules/NAME.ko  the modules the guest needs for 9p and overlayfs, decompressed
#   initramfs.gz     busybox + those modules + the list of them in load order (/modules);
#                    vm.sh appends the guest's /init to it at each run
# vm.sh calls this under its lock. Everything is built in a temporary directory that is renamed
# to DEST at the end, so DEST is either complete or absent. Exit 2 on a download failure.
set -euo pipefail

suite=$1 dest=$2
cache=$(dirname "$(dirname "$dest")") # DEST is CACHE/kernels/NAME
mirror=${ARMORER_VM_MIRROR:-http://deb.debian.org}

# In load order (busybox's insmod does not resolve dependencies). Missing ones are built in or
# do not exist in that version (5.10 has no netfs; 6.12 builds virtio in).
MODULES=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
         netfs fscache 9pnet 9pnet_virtio 9p overlay)

net_error() {
  echo "vm.sh: cannot download the $suite kernel from $mirror: $*" >&2
  exit 2
}

# A private apt state per suite, so that the host's sources, lists and dpkg status are neither
# read nor changed. Lists are kept between fetches; apt-get update refreshes them.
apt_dir=$cache/apt/$suite
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
{
  echo "deb $mirror/debian $suite main"
  if [[ $suite == bookworm ]]; then # the newest 6.1 is in the point-release and security suites
    echo "deb $mirror/debian bookworm-updates main"
    echo "deb $mirror/debian-security bookworm-security main"
  fi
} >"$apt_dir/sources.list"
apt_opts=(
  -o Dir::Etc::sourcelist="$apt_dir/sources.list" -o Dir::Etc::sourceparts=-
  -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache"
  -o Dir::State::status=/dev/null -o Debug::NoLocking=1
  -o APT::Architecture=amd64 -o APT::Architectures=amd64
  -o APT::Sandbox::User=root # apt's _apt user could not write into the scratch directory
)

tmp=$(mktemp -d "$dest.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

apt-get "${apt_opts[@]}" -q --error-on=any update >"$tmp/apt.log" 2>&1 ||
  net_error "apt-get update failed: $(grep -m1 -E '^(E|W):' "$tmp/apt.log" || tail -n1 "$tmp/apt.log")"

# The metapackage linux-image-amd64 depends on the current linux-image-KVER. From sid's 7.x on,
# that package is empty and depends on linux-binary-KVER (vmlinuz), linux-modules-KVER and
# linux-base-KVER (config): fetch whichever of those it names.
depends() { apt-cache "${apt_opts[@]}" depends --no-recommends --no-suggests "$1" | awk '$1 == "Depends:" {print $2}'; }
image=$(depends linux-image-amd64 | grep -m1 '^linux-image-' || true)
[[ -n $image ]] || { echo "vm.sh: linux-image-amd64 of $suite names no linux-image package" >&2; exit 1; }
kver=${image#linux-image-}
packages=("$image")
while read -r dep; do
  for part in binary modules base; do
    [[ $dep == "linux-$part-$kver" ]] && packages+=("$dep")
  done
done < <(depends "$image")

mkdir "$tmp/debs" "$tmp/root"
(cd "$tmp/debs" && apt-get "${apt_opts[@]}" -q download "${packages[@]}") >"$tmp/apt.log" 2>&1 ||
  net_error "apt-get download ${packages[*]} failed: $(grep -m1 '^E:' "$tmp/apt.log" || tail -n1 "$tmp/apt.log")"
for deb in "$tmp"/debs/*.deb; do
  dpkg-deb -x "$deb" "$tmp/root" # unpacked into the scratch dir, never installed
  dpkg-deb -f "$deb" Package Version | paste -sd' ' | sed 's/Package: //; s/ Version: / /' >>"$tmp/out.packages"
done

# Layouts differ: 5.10/6.1 use /boot and /lib/modules, 6.12 /boot and /usr/lib/modules,
# 7.x keeps vmlinuz and config under /usr/lib/modules/KVER.
first_existing() { for f in "$@"; do [[ -e $f ]] && { echo "$f"; return; }; done; }
r=$tmp/root
vmlinuz=$(first_existing "$r/boot/vmlinuz-$kver" "$r/usr/lib/modules/$kver/vmlinuz" "$r/lib/modules/$kver/vmlinuz")
config=$(first_existing "$r/boot/config-$kver" "$r/usr/lib/modules/$kver/config" "$r/lib/modules/$kver/config")
moddir=$(first_existing "$r/usr/lib/modules/$kver" "$r/lib/modules/$kver")
[[ -n $vmlinuz && -n $moddir ]] || { echo "vm.sh: no vmlinuz or modules in ${packages[*]}" >&2; exit 1; }

out=$tmp/out
init=$tmp/initramfs
mkdir -p "$out/modules" "$init"/{bin,dev,proc,sys,lib/modules,mnt/lower,mnt/rw,mnt/root}
cp "$vmlinuz" "$out/vmlinuz"
[[ -n $config ]] && cp "$config" "$out/config"
echo "$kver" >"$out/kver"
mv "$tmp/out.packages" "$out/packages"

# The "depends=" string of a module's .modinfo section (kmod's modinfo may not be installed).
ko_depends() { tr '\0' '\n' <"$1" | sed -n 's/^depends=//p' | tr ',' ' '; }

loaded=()
for m in "${MODULES[@]}"; do
  ko=$(find "$moddir/kernel" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" | head -n1)
  [[ -n $ko ]] || continue # built in, or does not exist in this version
  case $ko in
    *.xz) xz -dc "$ko" >"$out/modules/$m.ko" ;;
    *.zst) zstd -qdc "$ko" >"$out/modules/$m.ko" ;;
    *) cp "$ko" "$out/modules/$m.ko" ;;
  esac
  # Every dependency must be loaded before it, or be built in: warn when the list is stale.
  for dep in $(ko_depends "$out/modules/$m.ko"); do
    [[ " ${loaded[*]} " == *" $dep "* ]] || grep -q "/$dep\.ko" "$moddir/modules.builtin" 2>/dev/null ||
      echo "vm.sh: warning: $m.ko of $kver depends on $dep, which is not loaded before it" >&2
  done
  loaded+=("$m")
done
cp "$out"/modules/*.ko "$init/lib/modules/"
printf '%s\n' "${loaded[@]}" >"$init/modules"
cp /bin/busybox "$init/bin/busybox" # busybox-static: the guest's PID 1 needs no libraries
(cd "$init" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -6 >"$out/initramfs.gz"

mv "$out" "$dest"
