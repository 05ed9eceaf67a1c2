#!/usr/bin/env bash
# Compares two builds of portal on the uncached read path: the server's own CPU time per
# request (from /proc, so the load generator's share of the two cores does not count), and
# requests/s, two rounds with the builds alternated (requests/s alone moved by up to 15%
# between identical runs on the development machine).
#
#   cp target/release/portal /tmp/portal-old    # before a change
#   ... change, cargo build --release ...
#   bash bench/ab.sh /tmp/portal-old target/release/portal articles articles/420 home
#
# Paths are under /api/v1/sites/phuong-1/. Uses the SQLite dataset of bench/run.sh (run it
# once first) with the response cache off (CACHE_MB=32 turns it on, for the cached path);
# BACKEND=postgres uses its PostgreSQL one and also
# reports the database's CPU time per request (every postgres process, from /proc).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_install

OLD=$1 NEW=$2; shift 2
PORT=${PORT:-18191}
if [ "${BACKEND:-sqlite}" = postgres ]; then
    DB="${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}&options=-csearch_path%3Dportal_bench_data"
else
    DB="sqlite://$PWD/target/bench/portal-v3-${ARTICLES:-100000}-${SITES:-10}-${SEED:-42}.db"
    [ -f "${DB#sqlite://}" ] || { echo "no dataset at ${DB#sqlite://}: run bench/run.sh first" >&2; exit 1; }
fi
# utime + stime of processes, in clock ticks.
ticks() { local t=0 p; for p in "$@"; do t=$(( t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0) )); done; echo "$t"; }
database_pids() { pgrep -x postgres || true; }
HZ=$(getconf CLK_TCK)

for round in 1 2; do
    for bin in "$OLD" "$NEW"; do
        env DATABASE_URL="$DB" PORT="$PORT" LOG_LEVEL=warn PORTAL_SEED_DEMO=false PORTAL_CACHE_MB=${CACHE_MB:-0} \
            PORTAL_VISIT_RATE_PER_MINUTE=0 PORTAL_JWT_SECRET=bench-signing-key-bench-signing-key-32 "$bin" serve &
        pid=$!
        wait_up "http://127.0.0.1:$PORT/readyz"
        for path in "$@"; do
            url="http://127.0.0.1:$PORT/api/v1/sites/phuong-1/$path"
            wrk -t2 -c64 -d1s "$url" > /dev/null
            pids=$(database_pids)
            t0=$(ticks "$pid"); d0=$(ticks $pids)
            out=$(wrk -t2 -c64 -d4s "$url")
            t1=$(ticks "$pid"); d1=$(ticks $pids)
            requests=$(awk '/requests in/ { print $1 }' <<< "$out")
            rps=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' <<< "$out")
            echo "round $round  $bin  $path  $rps/s  $(( (t1 - t0) * 1000000 / HZ / requests )) us CPU per request$( [ "${BACKEND:-sqlite}" = postgres ] && echo ", database $(( (d1 - d0) * 1000000 / HZ / requests )) us")"
        done
        kill "$pid"; wait "$pid" 2>/dev/null || true
    done
done
