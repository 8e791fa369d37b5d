#!/usr/bin/env bash
# One reference workload that touches every kind of fact (files through every path operation,
# exec, a capability, sockets, system calls), recorded with `armorer learn`; prints the
# observations one per line, with the work directory and the workload's path replaced by
# @REF and @WORKLOAD, so that recordings on different kernels can be compared line by line.
# usage: reference_workload.sh ARMORER WORKLOAD
set -euo pipefail
ARMORER=$(readlink -f "$1") WORKLOAD=$(readlink -f "$2")
REF=/tmp/armorer-reference
rm -rf "$REF"
mkdir -p "$REF/sub"
trap 'rm -rf "$REF"' EXIT
echo data > "$REF/target.txt"
ln -s target.txt "$REF/link"
echo more > "$REF/sub/other.txt"
cp /bin/true "$REF/prog"
cd "$REF"
# The same environment everywhere (a locale, for one, makes cat read a dozen more files).
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
"$ARMORER" learn --db "$REF/ref.db" --profile reference --quiet -- "$WORKLOAD" \
  read ./sub/../link -- read-at "$REF/sub" other.txt -- write new.txt -- append new.txt -- \
  lock target.txt -- mmap-exec "$REF/prog" -- mkdir newdir -- chmod new.txt -- \
  rename new.txt renamed.txt -- link renamed.txt hard.txt -- unlink hard.txt -- rmdir newdir -- \
  raw-socket -- tcp-socket -- chmod-fd "$REF/sub/other.txt" -- unix-bind-connect sock -- \
  exec /bin/cat "$REF/target.txt" > /dev/null
sqlite3 -batch -noheader -separator ' ' "$REF/ref.db" \
  "SELECT kind, subject, object, access, flags FROM observations ORDER BY kind, subject, object, access, flags" |
  sed -e "s|$REF|@REF|g" -e "s|$WORKLOAD|@WORKLOAD|g"
