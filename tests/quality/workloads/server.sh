# Server: python3's http.server on loopback serves generated pages to a urllib client; both
# bounded in time. The port is the kernel's choice (port 0), read back from the server's log.
# Usage: server.sh SEED DIR
set -euo pipefail
seed=$1 dir=$2
RANDOM=$seed
www="$dir/www-$seed"
mkdir -p "$www" "$dir/fetched"
pages=$((3 + RANDOM % 5))
for ((i = 0; i < pages; i++)); do
  echo "<p>page $i of $seed: $RANDOM</p>" > "$www/page-$RANDOM.html"
done
timeout 30 /usr/bin/python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$www" \
  > "$dir/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2> /dev/null || true' EXIT  # also when the client fails
port=
for ((i = 0; i < 200; i++)); do
  port=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$dir/server.log" | head -1)
  [[ -n $port ]] && break
  sleep 0.05
done
[[ -n $port ]] || { echo "server did not start: $(cat "$dir/server.log")" >&2; exit 1; }
timeout 20 /usr/bin/python3 - "$port" "$www" "$dir/fetched" <<'PY'
import os, sys, urllib.request
port, www, out = sys.argv[1], sys.argv[2], sys.argv[3]
for name in sorted(os.listdir(www)):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{name}", timeout=5) as response:
        with open(os.path.join(out, name), "wb") as f:
            f.write(response.read())
PY
kill "$server"
wait "$server" || true
trap - EXIT
