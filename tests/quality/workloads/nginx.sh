# Web server: Debian's nginx, its workers as www-data, serves a randomly named docroot on
# loopback to a urllib client; its configuration (mime.types from the package), pid file and
# logs are the run's own. Mode "other": the directory listing and a page that is not there.
# Usage: nginx.sh SEED DIR MODE
set -euo pipefail
seed=$1 dir=$2 mode=$3
source "$(dirname "$0")/lib.sh"
RANDOM=$seed
chmod 755 "$dir"  # the workers (www-data) read the docroot
www=$dir/$(token 8)
mkdir -p "$www/$(token 5)"
pages=$((3 + RANDOM % 5))
for ((i = 0; i < pages; i++)); do
  echo "<p>page $i of $seed: $RANDOM</p>" > "$www/$(token 8).html"
done
echo "<p>nested</p>" > "$(echo "$www"/*/)/$(token 6).html"
chmod -R a+rX "$www"
port=$((20000 + SRANDOM % 20000))
cat > "$dir/nginx.conf" <<CONF
user www-data;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  access_log $dir/access.log;
  server {
    listen 127.0.0.1:$port;
    root $www;
    autoindex on;
  }
}
CONF
timeout 30 nginx -c "$dir/nginx.conf" -g 'daemon off;' &
server=$!
trap 'kill "$server" 2> /dev/null || true' EXIT
timeout 20 /usr/bin/python3 - "$port" "$www" "$mode" "$(token 8)" <<'PY'
import os, sys, time, urllib.error, urllib.request
port, www, mode, missing = sys.argv[1:5]
names = sorted(os.path.relpath(os.path.join(d, f), www) for d, _, files in os.walk(www) for f in files)
if mode == "other":
    names += ["", missing + ".html"]
for attempt in range(100):  # until nginx listens
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/{names[0]}", timeout=5).read()
        break
    except OSError:
        time.sleep(0.05)
for name in names:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/{name}", timeout=5).read()
    except urllib.error.HTTPError:
        pass
PY
kill -QUIT "$server"
wait "$server" || true
trap - EXIT
