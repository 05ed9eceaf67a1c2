# Shared by the benchmark scripts: tools, wrk's figures, waiting for a server, nginx.

# Installs what the benchmarks drive with, from the machine's package manager.
bench_install() {
    local missing=()
    command -v wrk >/dev/null || missing+=(wrk)
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
    command -v ab >/dev/null || missing+=(apache2-utils)
    command -v psql >/dev/null || missing+=(postgresql-client)
    if [ ${#missing[@]} -gt 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
}

# wrk's "Requests/sec" and its 50%/99% latencies, as "rps p50 p99" (latencies in ms).
parse_wrk() {
    awk '
        function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
        $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) } $1 == "Requests/sec:" { rps = $2 }
        END { printf "%.0f %.2f %.2f\n", rps, p50, p99 }' "$1"
}

# Waits (up to 10 s) until a URL answers 2xx.
wait_up() {
    for _ in $(seq 1 1000); do
        curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
        sleep 0.01
    done
    echo "no answer from $1" >&2
    return 1
}

# Starts nginx serving the folder $1 on 127.0.0.1:$2 (config and pid under $WORK/nginx).
nginx_start() {
    mkdir -p "$WORK/nginx"
    cat > "$WORK/nginx/nginx.conf" <<NGINX
worker_processes auto;
user root;
pid $WORK/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on; tcp_nopush on;
    open_file_cache max=1000 inactive=60s; open_file_cache_valid 60s;
    types { application/json json; text/plain txt; }
    client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx;
    uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
    server { listen 127.0.0.1:$2; root $1; keepalive_requests 1000000; }
}
NGINX
    "$NGINX" -c "$WORK/nginx/nginx.conf"
}

nginx_stop() {
    [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
    sleep 0.2
}

# The percentage a/b, rounded.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100*a/b; else print "-" }'
}
