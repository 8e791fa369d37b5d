# Small database: the sqlite3 CLI creates a randomly named DB file, loads rows in a
# transaction, indexes, queries, dumps and backs it up. Mode "other": write-ahead logging (the
# -wal and -shm files), and the schema is printed too.
# Usage: sqlite.sh SEED DIR MODE
set -euo pipefail
seed=$1 dir=$2 mode=$3
source "$(dirname "$0")/lib.sh"
RANDOM=$seed
db=$dir/$(token 8).sqlite
rows=$((50 + RANDOM % 200))
load=$dir/load-$(token 6).sql
{
  [[ $mode == other ]] && echo "PRAGMA journal_mode=WAL;"
  echo "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT, price INTEGER, shelf INTEGER);"
  echo "BEGIN;"
  for ((i = 0; i < rows; i++)); do
    echo "INSERT INTO item (name, price, shelf) VALUES" \
         "('item-$RANDOM', $((RANDOM % 1000)), $((RANDOM % 9)));"
  done
  echo "COMMIT;"
  echo "CREATE INDEX by_shelf ON item (shelf);"
} > "$load"
sqlite3 "$db" < "$load"
sqlite3 "$db" "SELECT shelf, count(*), sum(price) FROM item GROUP BY shelf ORDER BY 3 DESC;" \
  > "$dir/report.txt"
sqlite3 "$db" "UPDATE item SET price = price + 1 WHERE shelf = $((RANDOM % 9));
               DELETE FROM item WHERE price < 10;"
[[ $mode == other ]] && sqlite3 "$db" ".schema" > "$dir/schema.sql"
sqlite3 "$db" ".dump" > "$dir/dump.sql"
backup=$dir/backup-$(token 6).sqlite
sqlite3 "$db" ".backup '$backup'"
sqlite3 -readonly "$backup" "PRAGMA integrity_check;" > "$dir/check.txt"
