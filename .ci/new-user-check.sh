#!/usr/bin/env bash
# Tried as a new user would: a clean clone, the README's two commands (install, start),
# then a position published with mosquitto_pub, then the REST API returns it; the wall is
# served and the admin logs in.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/hub-new-user-XXXXXX)"
chmod 755 "$work"
hub_pid=""
cleanup() {
  # the hub runs in its own process group (setsid): stop npm, the hub and its PostgreSQL together
  if [ -n "$hub_pid" ]; then kill -INT -- "-$hub_pid" 2>/dev/null || true; wait "$hub_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

git clone -q "$src" "$work/hub"
cd "$work/hub"
# Ports of their own, so that this check never meets another hub on the defaults.
export HUB_HTTP__PORT=18080 HUB_MQTT__PORT=11883 HUB_DATABASE__EMBEDDED_PORT=15433

echo "new-user: npm ci"
npm ci --no-audit --no-fund --loglevel=error >/dev/null
echo "new-user: npm start"
setsid npm start >"$work/hub.log" 2>&1 &
hub_pid=$!
for _ in $(seq 1 120); do
  grep -q "Hub ready" "$work/hub.log" && break
  kill -0 "$hub_pid" 2>/dev/null || { cat "$work/hub.log"; echo "new-user: the hub exited"; exit 1; }
  sleep 1
done
grep -q "Hub ready" "$work/hub.log" || { cat "$work/hub.log"; echo "new-user: the hub did not start in 120 s"; exit 1; }

token="$(cat data/admin-token)"
api() { curl -sS --fail-with-body -H "Authorization: Bearer $token" "$@"; }
api -X POST http://localhost:18080/api/units -H 'content-type: application/json' -d '{"id":"car-1","name":"Patrol car 1","type":"vehicle"}' >/dev/null
secret="$(api -X POST http://localhost:18080/api/units/car-1/credential | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).secret))')"
ts="$(date -u +%Y-%m-%dT%H:%M:%S.000Z)"
mosquitto_pub -h localhost -p 11883 -q 1 -i car-1 -u car-1 -P "$secret" -t units/car-1/gps \
  -m "{\"unitId\":\"car-1\",\"ts\":\"$ts\",\"lat\":22.5431,\"lon\":114.0579,\"speed\":8.5,\"heading\":90,\"accuracy\":5}"
latest="$(api http://localhost:18080/api/positions/latest)"
echo "new-user: latest positions: $latest"
echo "$latest" | grep -q '"unitId":"car-1"' || { echo "new-user: the position is not in the API"; exit 1; }
# the wall is served, and the built-in admin logs in with the admin token as the README says
curl -sS --fail http://localhost:18080/ | grep -q '<div id="root">' || { echo "new-user: the wall page is not served at /"; exit 1; }
login="$(curl -sS --fail-with-body -H 'content-type: application/json' -d "{\"username\":\"admin\",\"password\":\"$token\"}" http://localhost:18080/api/auth/login)"
echo "$login" | grep -q '"role":"admin"' || { echo "new-user: the admin could not log in: $login"; exit 1; }
echo "new-user: the README path works (clone, npm ci, npm start, mosquitto_pub, REST, the wall and the admin login)"
