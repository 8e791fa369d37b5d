# Small database: the sqlite3 CLI creates a DB file, loads seed-dependent rows in a
# transaction, indexes, queries, dumps and backs it up.
# Usage: sqlite.sh SEED DIR
set -euo pipefail
seed=$1 dir=$2
RANDOM=$seed
db="$dir/shop-$seed.sqlite"
rows=$((50 + RANDOM % 200))
{
  echo "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT, price INTEGER, shelf INTEGER);"
  echo "BEGIN;"
  for ((i = 0; i < rows; i++)); do
    echo "INSERT INTO item (name, price, shelf) VALUES" \
         "('item-$RANDOM', $((RANDOM % 1000)), $((RANDOM % 9)));"
  done
  echo "COMMIT;"
  echo "CREATE INDEX by_shelf ON item (shelf);"
} > "$dir/load-$seed.sql"
sqlite3 "$db" < "$dir/load-$seed.sql"
sqlite3 "$db" "SELECT shelf, count(*), sum(price) FROM item GROUP BY shelf ORDER BY 3 DESC;" \
  > "$dir/report-$seed.txt"
sqlite3 "$db" "UPDATE item SET price = price + 1 WHERE shelf = $((RANDOM % 9));
               DELETE FROM item WHERE price < 10;"
sqlite3 "$db" ".dump" > "$dir/dump-$seed.sql"
sqlite3 "$db" ".backup '$dir/backup-$seed.sqlite'"
sqlite3 -readonly "$dir/backup-$seed.sqlite" "PRAGMA integrity_check;" > "$dir/check-$seed.txt"
