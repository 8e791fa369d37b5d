# Temp files: mktemp names, a pid-named file, an flock-protected append, then merge, move and
# clean up. Mode "other": cache files of another mktemp prefix, and an editor-style backup.
# Usage: tempfiles.sh SEED DIR MODE
set -euo pipefail
seed=$1 dir=$2 mode=$3
RANDOM=$seed
tmp=$(mktemp -d)
work=$(mktemp "$tmp/work.XXXXXX")
pidfile="/tmp/quality-worker-$$.pid"
echo $$ > "$pidfile"
items=$((3 + RANDOM % 6))
prefix=item
[[ $mode == other ]] && prefix=cache
for ((i = 0; i < items; i++)); do
  item=$(mktemp -p "$tmp" "$prefix.XXXXXXXX")
  echo "entry $RANDOM" > "$item"
  flock "$dir/app.lock" sh -c "cat '$item' >> '$work'"
done
sort "$work" > "$dir/merged.txt"
[[ $mode == other ]] && mv "$dir/merged.txt" "$dir/merged.txt~" && sort "$work" > "$dir/merged.txt"
mv "$work" "$dir/result.txt"
rm -rf "$tmp" "$pidfile"
