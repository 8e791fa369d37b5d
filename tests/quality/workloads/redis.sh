# Key-value store: Debian's redis-server with its packaged configuration, run as its own user
# (redis) with a randomly named data directory, fed and read back by redis-cli, then shut
# down saving its dump. Mode "other": the append-only file is switched on and a background save
# asked for.
# Usage: redis.sh SEED DIR MODE
set -euo pipefail
seed=$1 dir=$2 mode=$3
source "$(dirname "$0")/lib.sh"
RANDOM=$seed
chmod 755 "$dir"
data=$dir/$(token 8)
mkdir "$data"
chown redis:redis "$data"
port=$((20000 + SRANDOM % 20000))
timeout 30 runuser -u redis -- redis-server /etc/redis/redis.conf --daemonize no --supervised no \
  --port "$port" --bind 127.0.0.1 --dir "$data" --logfile "$data/redis.log" \
  --pidfile "$data/redis.pid" --dbfilename "$(token 6).rdb" &
server=$!
trap 'kill "$server" 2> /dev/null || true' EXIT
for ((i = 0; i < 200; i++)); do
  redis-cli -p "$port" PING > /dev/null 2>&1 && break
  sleep 0.05
done
keys=$((5 + RANDOM % 10))
for ((i = 0; i < keys; i++)); do
  redis-cli -p "$port" SET "item:$(token 6)" "$RANDOM" > /dev/null
done
redis-cli -p "$port" DBSIZE > "$dir/size.txt"
if [[ $mode == other ]]; then
  redis-cli -p "$port" CONFIG SET appendonly yes > /dev/null
  redis-cli -p "$port" BGSAVE > /dev/null
  sleep 1
fi
redis-cli -p "$port" SHUTDOWN SAVE > /dev/null 2>&1 || true
wait "$server" || true
trap - EXIT
