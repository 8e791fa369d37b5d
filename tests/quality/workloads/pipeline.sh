# Shell pipeline: seed-dependent log files summarised with awk, sort, uniq, grep, sed, wc.
# Usage: pipeline.sh SEED DIR
set -euo pipefail
seed=$1 dir=$2
RANDOM=$seed
mkdir -p "$dir/in"
files=$((3 + RANDOM % 4))
for ((i = 0; i < files; i++)); do
  lines=$((20 + RANDOM % 50))
  for ((j = 0; j < lines; j++)); do
    echo "host$((RANDOM % 7)) GET /item/$((RANDOM % 13)) $((RANDOM % 500))"
  done > "$dir/in/log-$seed-$i.txt"
done
cat "$dir"/in/*.txt | awk '{print $1, $3}' | sort | uniq -c | sort -rn | head -5 > "$dir/top-$seed.txt"
grep -h "GET /item/1 " "$dir"/in/*.txt | cut -d' ' -f4 | awk '{s += $1} END {print s + 0}' \
  > "$dir/sum-$seed.txt"
sed 's/host/node/' "$dir/top-$seed.txt" | tr 'a-z' 'A-Z' > "$dir/report-$seed.txt"
wc -l "$dir"/in/*.txt > "$dir/counts-$seed.txt"
date -u +%s >> "$dir/report-$seed.txt"
