# Temp files: mktemp names, a pid-named file, an flock-protected append, then merge, move and
# clean up.
# Usage: tempfiles.sh SEED DIR
set -euo pipefail
seed=$1 dir=$2
RANDOM=$seed
tmp=$(mktemp -d)
work=$(mktemp "$tmp/work.XXXXXX")
pidfile="/tmp/quality-worker-$$.pid"
echo $$ > "$pidfile"
items=$((3 + RANDOM % 6))
for ((i = 0; i < items; i++)); do
  item=$(mktemp -p "$tmp" item.XXXXXXXX)
  echo "entry $RANDOM" > "$item"
  flock "$dir/app.lock" sh -c "cat '$item' >> '$work'"
done
sort "$work" > "$dir/merged-$seed.txt"
mv "$work" "$dir/result-$seed.txt"
rm -rf "$tmp" "$pidfile"
