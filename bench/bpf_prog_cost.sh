#!/usr/bin/env bash
# In-kernel cost of each of armorer's BPF programs while it records one command: run count,
# total and mean run time from the kernel's own accounting (kernel.bpf_stats_enabled, which
# adds about 20 ns to every run while on). The counts are host-wide: a program runs for every
# process, and returns early for those that are not recorded.
# Usage (root): bash bench/bpf_prog_cost.sh ARMORER -- COMMAND [ARG...]
set -euo pipefail

ARMORER=$(readlink -f "$1")
shift
[[ ${1:-} == -- ]] && shift
[[ $# -gt 0 ]] || { echo "usage: bpf_prog_cost.sh ARMORER -- COMMAND [ARG...]" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "bpf_prog_cost: run as root" >&2; exit 1; }

WORK=$(mktemp -d /tmp/armorer-progcost.XXXXXX)
previous=$(sysctl -n kernel.bpf_stats_enabled)
trap 'sysctl -qw kernel.bpf_stats_enabled="$previous"; rm -rf "$WORK"' EXIT
sysctl -qw kernel.bpf_stats_enabled=1

# The command runs between two pauses, so that the last sample is taken after it ended and
# while the programs are still attached.
"$ARMORER" learn --db "$WORK/run.db" --profile cost --quiet --ready-file "$WORK/ready" -- \
  sh -c 'sleep 0.3; "$@"; sleep 0.6' _ "$@" &
recorder=$!
while [[ ! -s $WORK/ready ]]; do kill -0 "$recorder" 2>/dev/null || exit 1; sleep 0.05; done

sample() {
  bpftool prog show --json | /usr/bin/python3 -c '
import json, sys
names = ("on_fork", "on_exec", "on_exit", "on_capable", "on_sys_enter", "on_sys_exit")  # on_sys_enter: binaries before 36b1a84
for p in json.load(sys.stdin):
    if p.get("name") in names and "run_cnt" in p:
        print(p["name"], p["run_cnt"], p["run_time_ns"])'
}
last=""
while kill -0 "$recorder" 2>/dev/null; do
  now=$(sample)
  [[ -n $now ]] && last=$now
  sleep 0.1
done
wait "$recorder" || true
printf '| program | runs | total ms | ns per run |\n|---|---:|---:|---:|\n'
awk '{ printf "| %s | %d | %.1f | %.0f |\n", $1, $2, $3 / 1e6, ($2 ? $3 / $2 : 0) }' <<< "$last"
