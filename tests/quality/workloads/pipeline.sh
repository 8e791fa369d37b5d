# Shell pipeline: log files with random names summarised with cat, awk, sort, uniq, grep, cut,
# sed, tr, wc. Mode "other": the logs sit one directory deeper, a second report is written into
# a directory of its own, and grep counts instead of listing.
# Usage: pipeline.sh SEED DIR MODE
set -euo pipefail
seed=$1 dir=$2 mode=$3
source "$(dirname "$0")/lib.sh"
RANDOM=$seed
in=$dir/$(token 8)
[[ $mode == other ]] && in=$in/$(token 5)
mkdir -p "$in"
files=$((3 + RANDOM % 4))
for ((i = 0; i < files; i++)); do
  lines=$((20 + RANDOM % 50))
  for ((j = 0; j < lines; j++)); do
    echo "host$((RANDOM % 7)) GET /item/$((RANDOM % 13)) $((RANDOM % 500))"
  done > "$in/$(token 8).log"
done
out=$dir/report-$(token 6)
cat "$in"/*.log | awk '{print $1, $3}' | sort | uniq -c | sort -rn | head -5 > "$out.top"
grep -h "GET /item/1 " "$in"/*.log | cut -d' ' -f4 | awk '{s += $1} END {print s + 0}' > "$out.sum"
sed 's/host/node/' "$out.top" | tr 'a-z' 'A-Z' > "$out.txt"
wc -l "$in"/*.log > "$out.counts"
date -u +%s >> "$out.txt"
if [[ $mode == other ]]; then
  mkdir -p "$dir/summary"
  grep -c "GET" "$in"/*.log > "$dir/summary/$(token 6).hits"
fi
