#!/usr/bin/env bash
# The read-path benchmark (issue 7): the release binary on 100,000 generated articles, on SQLite
# and on PostgreSQL, with its response cache and without, against the ceiling of nginx serving
# a file with the same bytes as the article list answer, same connections and duration.
#
#   bash bench/run.sh                 # both backends; BACKENDS=sqlite for one
#
# Settings (environment): DURATION=10 CONNECTIONS=64 THREADS=2 ARTICLES=100000 SITES=10
# SEED=42 CACHE_MB=32. The SQLite dataset is kept in target/bench/ and reused while its size
# and seed are the same; the PostgreSQL one in the schema portal_bench_data of PG_URL.
# Needs root for apt-get (wrk, nginx).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
ARTICLES=${ARTICLES:-100000}
SITES=${SITES:-10}
SEED=${SEED:-42}
CACHE_MB=${CACHE_MB:-32}
BACKENDS=${BACKENDS:-sqlite postgres}
PORT=${PORT:-18191}
NGINX_PORT=${NGINX_PORT:-18192}
RAW_PORT=${RAW_PORT:-18193}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
export PGOPTIONS="--client-min-messages=warning"

source bench/lib.sh
bench_install

cargo build --release --quiet --bin portal --example bytes_server
BIN=target/release/portal
WORK=$(mktemp -d)
chmod 755 "$WORK"   # nginx workers read from here
trap 'kill $(jobs -p) 2>/dev/null || true; nginx_stop; rm -rf "$WORK"' EXIT
mkdir -p target/bench

UA='Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36'
cat > "$WORK/beacon.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"path":"/tin-tuc/1","article_id":1}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "$UA"
LUA
# Searches for the generated subjects, across the sites, half of them with diacritics.
SEARCHES=(
  "tiem+chung+mo+rong" "b%E1%BB%87nh+vi%E1%BB%87n" "le+hoi+con+son+kiep+bac" "an+to%C3%A0n+giao+th%C3%B4ng"
  "phong+chay+chua+chay" "chuy%E1%BB%83n+%C4%91%E1%BB%95i+s%E1%BB%91" "can+cuoc+dien+tu" "dich+vu+cong+truc+tuyen"
  "hi%E1%BA%BFn+m%C3%A1u" "ve+sinh+thuc+pham" "giai+phong+mat+bang" "hoa+giai+o+co+so" "bao+ve+rung"
  "cay+vai+thieu" "l%C3%A0ng+ngh%E1%BB%81+g%E1%BB%91m" "giai+bong+chuyen" "trung+thu+cho+thieu+nhi" "hop+tac+xa"
  "di+tich+lich+su" "camera+an+ninh" "tiep+xuc+cu+tri" "quyet+toan+ngan+sach"
)
cat > "$WORK/search.lua" <<LUA
local queries = { $(printf '"%s", ' "${SEARCHES[@]}") }
local sites = tonumber(os.getenv("SITES") or "10")
local n = 0
request = function()
  n = n + 1
  local q = queries[(n % #queries) + 1]
  local site = (math.floor(n / #queries) % sites) + 1
  return wrk.format("GET", "/api/v1/sites/phuong-" .. site .. "/articles?q=" .. q)
end
LUA
export SITES

dataset() {
    local name=$1 url=$2
    if [ "$name" = sqlite ]; then
        local file=${url#sqlite://}
        [ -f "$file" ] || env DATABASE_URL="$url" "$BIN" generate --sites "$SITES" --articles "$ARTICLES" --seed "$SEED" >&2
    else
        local have
        # Reused when it has the articles, the latest resources (every ward's desk and its
        # documents, since v4) and the editors' related articles (since v3).
        have=$(psql "$PG_URL" -tAc "SELECT (SELECT count(*) FROM portal_bench_data.articles) || '/' || (SELECT count(*) FROM portal_bench_data.desks) || '/' || (SELECT count(*) > 0 FROM portal_bench_data.article_related) || '/' || (SELECT count(*) > 0 FROM portal_bench_data.documents)" 2>/dev/null || echo 0)
        if [ "$have" != "$ARTICLES/$SITES/true/true" ]; then
            psql "$PG_URL" -qc 'DROP SCHEMA IF EXISTS portal_bench_data CASCADE' -c 'CREATE SCHEMA portal_bench_data' >/dev/null
            env DATABASE_URL="$url" "$BIN" generate --sites "$SITES" --articles "$ARTICLES" --seed "$SEED" >&2
        fi
    fi
    # A kept dataset from an older version: its migrations (and any index rebuild they ask
    # for) run here, not in the start-up that is timed.
    env DATABASE_URL="$url" LOG_LEVEL=warn "$BIN" migrate >&2
}

ROWS=()
PID=
START_MS=
# Starts the server with extra settings; sets PID and START_MS (start to ready).
start() {
    local url=$1; shift
    local t0; t0=$(date +%s%N)
    env DATABASE_URL="$url" PORT="$PORT" LOG_LEVEL=warn PORTAL_SEED_DEMO=false PORTAL_VISIT_RATE_PER_MINUTE=0 \
        PORTAL_JWT_SECRET=bench-signing-key-bench-signing-key-32 "$@" "$BIN" serve &
    PID=$!
    wait_up "http://127.0.0.1:$PORT/readyz"
    START_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}
stop() {
    kill -TERM "$PID"; wait "$PID" || true
}
peak_mb() {
    awk '/VmHWM/ { printf "%.0f", $2/1024 }' "/proc/$PID/status"
}
# wrk against one read (with a script, and with other than $CONNECTIONS connections, if
# given); appends a row.
measure() {
    local label=$1 path=$2 script=${3:-} connections=${4:-$CONNECTIONS}
    local out="$WORK/$(echo "$label" | tr ' /,' '___').txt"
    if [ -n "$script" ]; then
        wrk -t"$THREADS" -c"$connections" -d"${DURATION}s" --latency -s "$script" "http://127.0.0.1:$PORT$path" > "$out"
    else
        wrk -t"$THREADS" -c"$connections" -d"${DURATION}s" --latency "http://127.0.0.1:$PORT$path" > "$out"
    fi
    local rps p50 p99 errors
    read -r rps p50 p99 < <(parse_wrk "$out")
    errors=$(awk '/Non-2xx/ { print $5 }' "$out"); errors=${errors:-0}
    ROWS+=("| $label | $rps | $p50 | $p99 | $(ratio "$rps" "$CEILING_RPS") | ${errors} |")
}

# PostgreSQL is measured where a server answers at PG_URL; without one, SQLite alone.
if [[ " $BACKENDS " == *" postgres "* ]] && ! psql "$PG_URL" -qtAc 'SELECT 1' >/dev/null 2>&1; then
    echo "no PostgreSQL at $PG_URL: measuring SQLite only (set PG_URL, or BACKENDS=sqlite)" >&2
    BACKENDS=${BACKENDS//postgres/}
    [ -n "${BACKENDS// /}" ] || { echo "nothing to measure" >&2; exit 1; }
fi

CEILING_RPS=
for backend in $BACKENDS; do
    if [ "$backend" = sqlite ]; then
        url="sqlite://$PWD/target/bench/portal-v4-$ARTICLES-$SITES-$SEED.db"
    else
        url="$PG_URL&options=-csearch_path%3Dportal_bench_data"
    fi
    dataset "$backend" "$url"
    start "$url" PORTAL_CACHE_MB="$CACHE_MB"
    site="/api/v1/sites/phuong-1"
    list="$site/articles"
    # An article with a previous and a next one: the 100th newest.
    detail="$site/articles/$(curl -fsS "http://127.0.0.1:$PORT$list?per_page=1&page=100" | sed 's/^{"data":\[{"id":\([0-9]*\).*/\1/')"
    # The articles of that article's category.
    category="$list?category=$(curl -fsS "http://127.0.0.1:$PORT$detail" | grep -o '"category":{"id":[0-9]*,"slug":"[^"]*"' | head -1 | sed 's/.*"slug":"//; s/"$//')"
    if [ -z "$CEILING_RPS" ]; then
        # The ceiling: nginx serving the same bytes as the article list answer.
        mkdir -p "$WORK/www"
        curl -fsS "http://127.0.0.1:$PORT$list" > "$WORK/www/list.json"
        nginx_start "$WORK/www" "$NGINX_PORT"
        wait_up "http://127.0.0.1:$NGINX_PORT/list.json"
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$NGINX_PORT/list.json" > "$WORK/nginx.txt"
        read -r CEILING_RPS n50 n99 < <(parse_wrk "$WORK/nginx.txt")
        nginx_stop
        ROWS+=("| nginx, the list's $(stat -c %s "$WORK/www/list.json") bytes as a file (ceiling) | $CEILING_RPS | $n50 | $n99 | 100% | 0 |")
        # A second reference: actix-web itself answering the same bytes from memory, nothing
        # else; what portal's cached reads add to actix-web is the gap to it.
        target/release/examples/bytes_server "$WORK/www/list.json" "$RAW_PORT" &
        raw=$!
        wait_up "http://127.0.0.1:$RAW_PORT/list.json"
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$RAW_PORT/list.json" > "$WORK/raw.txt"
        kill "$raw"; wait "$raw" 2>/dev/null || true
        read -r r_rps r50 r99 < <(parse_wrk "$WORK/raw.txt")
        ROWS+=("| actix-web, the same bytes from memory and nothing else (reference) | $r_rps | $r50 | $r99 | $(ratio "$r_rps" "$CEILING_RPS") | 0 |")
    fi
    cached_start=$START_MS
    measure "$backend, cached: article list" "$list"
    measure "$backend, cached: article detail" "$detail"
    measure "$backend, cached: articles of a category" "$category"
    measure "$backend, cached: category tree" "$site/categories"
    measure "$backend, cached: home bundle" "$site/home"
    measure "$backend, cached: documents in force, one kind" "$site/documents?status=in_force&kind=ke_hoach"
    measure "$backend, cached: work calendar, this week" "$site/calendar"
    measure "$backend, cached: disclosures of a year" "$site/disclosures?year=$(date +%Y)"
    measure "$backend, cached: officials" "$site/officials"
    measure "$backend, cached: RSS feed" "$site/feeds/rss.xml"
    # Warm, as the rows above are after their first request: every search of the script once.
    for site_n in $(seq 1 "$SITES"); do
        printf "url = \"http://127.0.0.1:$PORT/api/v1/sites/phuong-$site_n/articles?q=%s\"\noutput = /dev/null\n" \
            "${SEARCHES[@]}"
    done | curl -fsS -K -
    measure "$backend, cached: search (${#SEARCHES[@]} subjects × $SITES sites, warm)" "$list" "$WORK/search.lua"
    measure "$backend: visit summary" "$site/visits/summary"
    measure "$backend: visit beacon" "$site/visits" "$WORK/beacon.lua"
    cached_peak=$(peak_mb)
    stop
    start "$url" PORTAL_CACHE_MB=0
    measure "$backend, uncached: article list" "$list"
    measure "$backend, uncached: article detail" "$detail"
    measure "$backend, uncached: articles of a category" "$category"
    measure "$backend, uncached: category tree" "$site/categories"
    measure "$backend, uncached: home bundle" "$site/home"
    measure "$backend, uncached: documents in force, one kind" "$site/documents?status=in_force&kind=ke_hoach"
    measure "$backend, uncached: documents searched" "$site/documents?q=ke%20hoach%20dai%20hoi"
    measure "$backend, uncached: work calendar, this week" "$site/calendar"
    measure "$backend, uncached: RSS feed" "$site/feeds/rss.xml"
    measure "$backend, uncached: search" "$list" "$WORK/search.lua"
    # The same searches two at a time per core: how long one takes when it is not queueing.
    measure "$backend, uncached: search, 4 connections" "$list" "$WORK/search.lua" 4
    uncached_peak=$(peak_mb)
    stop
    ROWS+=("| $backend: start-up to ready ${cached_start} ms; peak memory ${cached_peak} MB cached (PORTAL_CACHE_MB=$CACHE_MB), ${uncached_peak} MB uncached | | | | | |")
done

echo
echo "$(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo);" \
     "$ARTICLES articles in $SITES sites (seed $SEED); wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s over loopback, on the same cores"
echo
echo "| what | requests/s | p50 ms | p99 ms | of ceiling | non-2xx |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
