#!/usr/bin/env bash
# ./dev demo: learn the sample batch job twice (different inputs), then emit its AppArmor
# profile and ECS settings, and check the profile with apparmor_parser.
set -euo pipefail
ARMORER=$(readlink -f "$1")
HERE=$(dirname "$(readlink -f "$0")")
demo=$(mktemp -d /tmp/armorer-demo.XXXXXX)
db=$demo/armorer.db

make_input() { # DIR SEED
  mkdir -p "$1"
  for i in 1 2 3; do
    for j in $(seq 1 $((5 + $2 * i))); do echo "event-$((j % 4)) seed-$2"; done > "$1/app$i.log"
  done
}

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "recording two training runs of samples/workloads/report.sh"
for seed in 1 2; do
  make_input "$demo/in$seed" "$seed"
  "$ARMORER" learn --db "$db" --profile demo-report --label "seed $seed" -- \
    "$HERE/workloads/report.sh" "$demo/in$seed" "$demo/out$seed"
done

step "armorer emit --format apparmor"
"$ARMORER" emit --db "$db" --profile demo-report --output "$demo/demo-report"
cat "$demo/demo-report"

step "armorer emit --format ecs"
"$ARMORER" emit --db "$db" --profile demo-report --format ecs

step "apparmor_parser -Q -K (offline compile)"
if apparmor_parser -Q -K -M /usr/share/apparmor-features/features "$demo/demo-report"; then
  echo "apparmor_parser: the profile compiles"
else
  echo "apparmor_parser rejected the profile" >&2
  exit 1
fi
echo
echo "Files are in $demo (database: $db)"
