# Archiver: a generated tree packed with tar+gzip, listed, unpacked elsewhere and compared.
# Usage: archive.sh SEED DIR
set -euo pipefail
seed=$1 dir=$2
RANDOM=$seed
tree="$dir/tree-$seed"
letters=(a b c d e f)
dirs=$((2 + RANDOM % 3))
for ((d = 0; d < dirs; d++)); do
  mkdir -p "$tree/part$d/sub$((RANDOM % 3))"
  files=$((2 + RANDOM % 5))
  for ((f = 0; f < files; f++)); do
    size=$((100 + RANDOM % 4000))
    # $RANDOM is read here, not inside the pipeline: a subshell's $RANDOM is not the seed's.
    letter=${letters[RANDOM % 6]} name=file-$RANDOM.dat
    head -c "$size" /dev/zero | tr '\0' "$letter" > "$tree/part$d/$name"
  done
done
tar -czf "$dir/backup-$seed.tar.gz" -C "$dir" "tree-$seed"
tar -tzf "$dir/backup-$seed.tar.gz" | wc -l > "$dir/listing-$seed.txt"
mkdir -p "$dir/restore"
tar -xzf "$dir/backup-$seed.tar.gz" -C "$dir/restore"
diff -r "$tree" "$dir/restore/tree-$seed"
gzip -t "$dir/backup-$seed.tar.gz"
gzip -c "$dir/listing-$seed.txt" > "$dir/listing-$seed.txt.gz"
