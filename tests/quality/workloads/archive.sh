# Archiver: a tree of randomly named directories and files packed with tar+gzip, listed,
# unpacked elsewhere and compared. Mode "other": a tree one level deeper, listed verbosely.
# Usage: archive.sh SEED DIR MODE
set -euo pipefail
seed=$1 dir=$2 mode=$3
source "$(dirname "$0")/lib.sh"
RANDOM=$seed
name=$(token 8)
tree=$dir/$name
letters=(a b c d e f)
dirs=$((2 + RANDOM % 3))
for ((d = 0; d < dirs; d++)); do
  sub=$tree/$(token 6)/$(token 4)
  [[ $mode == other ]] && sub=$sub/$(token 3)
  mkdir -p "$sub"
  files=$((2 + RANDOM % 5))
  for ((f = 0; f < files; f++)); do
    size=$((100 + RANDOM % 4000))
    letter=${letters[RANDOM % 6]}
    head -c "$size" /dev/zero | tr '\0' "$letter" > "$sub/$(token 8).dat"
  done
done
archive=$dir/backup-$(token 6).tar.gz
tar -czf "$archive" -C "$dir" "$name"
if [[ $mode == other ]]; then
  tar -tvzf "$archive" > "$dir/listing.txt"
else
  tar -tzf "$archive" | wc -l > "$dir/listing.txt"
fi
mkdir -p "$dir/restore"
tar -xzf "$archive" -C "$dir/restore"
diff -r "$tree" "$dir/restore/$name"
gzip -t "$archive"
gzip -c "$dir/listing.txt" > "$dir/listing.txt.gz"
