# Server: python3's http.server on loopback serves randomly named pages to a urllib client; both
# bounded in time. The port is the kernel's choice (port 0), read back from the server's log.
# Mode "other": the client also asks for the directory listing and for a page that is not there
# (404).
# Usage: server.sh SEED DIR MODE
set -euo pipefail
seed=$1 dir=$2 mode=$3
source "$(dirname "$0")/lib.sh"
RANDOM=$seed
www=$dir/$(token 8)
mkdir -p "$www" "$dir/fetched"
pages=$((3 + RANDOM % 5))
for ((i = 0; i < pages; i++)); do
  echo "<p>page $i of $seed: $RANDOM</p>" > "$www/$(token 8).html"
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
timeout 20 /usr/bin/python3 - "$port" "$www" "$dir/fetched" "$mode" "$(token 8)" <<'PY'
import os, sys, urllib.error, urllib.request
port, www, out, mode, missing = sys.argv[1:6]
names = sorted(os.listdir(www))
if mode == "other":
    names += ["", missing + ".html"]
for name in names:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{name}", timeout=5) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        body = str(error.code).encode()
    with open(os.path.join(out, name or "index"), "wb") as f:
        f.write(body)
PY
kill "$server"
wait "$server" || true
trap - EXIT
