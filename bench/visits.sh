#!/usr/bin/env bash
# Benchmark of the visit beacon (issue 6), on SQLite and on PostgreSQL, against nginx serving a
# small static file with the same connections and duration, in the same run.
#
#   bash bench/visits.sh            # DURATION=10 CONNECTIONS=64 by default
#
# For each backend: the release binary serves a fresh demo database; wrk posts beacons for
# DURATION seconds while a second wrk reads the visit summary (its p99 is the figure that
# matters there); then ab sends exactly EXACT beacons, the server is stopped with SIGTERM, and
# the stored total must equal what was sent. Needs root for apt-get (wrk, nginx, ab).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
EXACT=${EXACT:-20000}
PORT=${PORT:-18181}
NGINX_PORT=${NGINX_PORT:-18182}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
export PGOPTIONS="--client-min-messages=warning"

source bench/lib.sh
bench_install

cargo build --release --quiet
BIN=target/release/portal
WORK=$(mktemp -d)
chmod 755 "$WORK"   # nginx workers run as www-data
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null; rm -rf "$WORK"' EXIT

UA='Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36'
BODY='{"path":"/tin-tuc/dang-bo-phuong-chi-minh","article_id":1}'
printf '%s' "$BODY" > "$WORK/body.json"
cat > "$WORK/beacon.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "$UA"
LUA

# The reference: nginx serving a small static file.
mkdir -p "$WORK/www"
printf 'ok' > "$WORK/www/ok.txt"
nginx_start "$WORK/www" "$NGINX_PORT"
wait_up "http://127.0.0.1:$NGINX_PORT/ok.txt"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$NGINX_PORT/ok.txt" > "$WORK/nginx.txt"
read -r NGINX_RPS NGINX_P50 NGINX_P99 < <(parse_wrk "$WORK/nginx.txt")
nginx_stop

ROWS=()
run_backend() {
    local name=$1 url=$2
    local env=(DATABASE_URL="$url" PORT="$PORT" LOG_LEVEL=warn PORTAL_VISIT_RATE_PER_MINUTE=0 PORTAL_WORKERS=2
               DATABASE_POOL_SIZE=8 PORTAL_JWT_SECRET=bench-signing-key-bench-signing-key-32)
    env "${env[@]}" "$BIN" serve & local pid=$!
    wait_up "http://127.0.0.1:$PORT/readyz"
    local base="http://127.0.0.1:$PORT/api/v1/sites/phuong-chi-minh"
    # Beacons under load, and the summary read beside them.
    wrk -t1 -c2 -d"${DURATION}s" --latency "$base/visits/summary" > "$WORK/$name-summary.txt" &
    local reader=$!
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/beacon.lua" "$base/visits" > "$WORK/$name-beacon.txt"
    wait "$reader"
    read -r rps p50 p99 < <(parse_wrk "$WORK/$name-beacon.txt")
    read -r _ _ sp99 < <(parse_wrk "$WORK/$name-summary.txt")
    kill -TERM "$pid"; wait "$pid" || true
    # Exactness: a fresh database, exactly EXACT beacons, a clean stop, then the stored total.
    if [ "$name" = sqlite ]; then rm -f "${url#sqlite://}"*; else reset_pg; fi
    env "${env[@]}" "$BIN" serve & pid=$!
    wait_up "http://127.0.0.1:$PORT/readyz"
    ab -q -k -n "$EXACT" -c "$CONNECTIONS" -p "$WORK/body.json" -T application/json -H "User-Agent: $UA" "$base/visits" > "$WORK/$name-ab.txt"
    local failed; failed=$(awk '/^Failed requests:/ {print $3}' "$WORK/$name-ab.txt")
    local non2xx; non2xx=$(awk '/^Non-2xx responses:/ {print $3}' "$WORK/$name-ab.txt"); non2xx=${non2xx:-0}
    kill -TERM "$pid"; wait "$pid" || true
    local stored
    if [ "$name" = sqlite ]; then
        stored=$(env DATABASE_URL="$url" python3 - "${url#sqlite://}" <<'PY'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("select coalesce(sum(page_views), 0) from visit_days").fetchone()[0])
PY
)
    else
        stored=$(psql "$PG_URL" -tAc "select coalesce(sum(page_views), 0) from portal_bench.visit_days")
    fi
    local exact="no"
    [ "$stored" = "$EXACT" ] && [ "$failed" = 0 ] && [ "$non2xx" = 0 ] && exact="yes"
    ROWS+=("| beacon, $name | $rps | $p50 | $p99 | $(ratio "$rps" "$NGINX_RPS") | $sp99 | $EXACT sent, $stored stored: $exact |")
}

reset_pg() {
    psql "$PG_URL" -qc 'DROP SCHEMA IF EXISTS portal_bench CASCADE' -c 'CREATE SCHEMA portal_bench' >/dev/null
}

run_backend sqlite "sqlite://$WORK/bench.db"
reset_pg
run_backend postgres "$PG_URL&options=-csearch_path%3Dportal_bench"
psql "$PG_URL" -qc 'DROP SCHEMA IF EXISTS portal_bench CASCADE' >/dev/null

echo
echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s over loopback, load generator on the same machine"
echo
echo "| what | requests/s | p50 ms | p99 ms | of nginx | summary p99 ms (under load) | exact |"
echo "|---|---|---|---|---|---|---|"
echo "| nginx, static file (reference) | $NGINX_RPS | $NGINX_P50 | $NGINX_P99 | 100% | | |"
printf '%s\n' "${ROWS[@]}"
