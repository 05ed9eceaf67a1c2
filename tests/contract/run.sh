#!/usr/bin/env bash
# The contract (issue 16): the committed OpenAPI document says what the server does.
#   1. openapi-spec-validator: the document is valid OpenAPI 3.1;
#   2. redocly lint (recommended rules, tests/contract/redocly.yaml): zero errors;
#   3. schemathesis, every check, signed in as an admin, against the release binary on the
#      demo wards, on SQLite and on PostgreSQL: no failure (beyond those recorded in
#      tests/contract/baseline-<backend>.json, if one is committed: each still to fix);
#   4. the typed client of examples/typescript, built from the document, against both.
#
#   bash tests/contract/run.sh            # BACKENDS="sqlite" for one; EXAMPLES=25 SEED=16
#
# Tools land in the clone only: Python ones in target/tools/contract, npm ones in each
# package's node_modules. PG_URL names the PostgreSQL database whose schema portal_contract
# is made afresh for each run.
set -euo pipefail
cd "$(dirname "$0")/../.."

BACKENDS=${BACKENDS:-sqlite postgres}
EXAMPLES=${EXAMPLES:-25}
SEED=${SEED:-16}
PORT=${PORT:-18291}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
BIN_GIVEN=${BIN:-}
BIN=${BIN:-target/release/portal}
TOOLS=target/tools/contract
export PGOPTIONS="--client-min-messages=warning"

if [ ! -x "$TOOLS/bin/st" ] || ! cmp -s tests/contract/requirements.txt "$TOOLS/requirements.txt"; then
    rm -rf "$TOOLS"
    python3 -m venv "$TOOLS"
    "$TOOLS/bin/pip" install -q --disable-pip-version-check -r tests/contract/requirements.txt
    cp tests/contract/requirements.txt "$TOOLS/requirements.txt"
fi
(cd tests/contract && npm ci --no-audit --no-fund --silent)
(cd examples/typescript && npm ci --no-audit --no-fund --silent)

echo "contract: openapi-spec-validator"
"$TOOLS/bin/openapi-spec-validator" openapi/openapi.json
echo "contract: redocly lint"
tests/contract/node_modules/.bin/redocly lint --config tests/contract/redocly.yaml --format stylish openapi/openapi.json
echo "contract: the typed client compiles (tsc --strict)"
(cd examples/typescript && npm run --silent build)

# Always through cargo, so the binary is the code's (a no-op when it is up to date).
[ -n "${BIN_GIVEN:-}" ] || cargo build --release --quiet --bin portal
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

ADMIN=contract@chiminh.gov.vn
PASSWORD=kiem-tra-hop-dong-7Qx!2026
BASE=http://127.0.0.1:$PORT

# Starts the server on $1 (a database URL) with the demo wards and one admin.
start() {
    env -i PATH="$PATH" HOME="$HOME" DATABASE_URL="$1" HOST=127.0.0.1 PORT="$PORT" LOG_LEVEL=warn \
        PORTAL_ADMIN_EMAIL=$ADMIN PORTAL_ADMIN_PASSWORD=$PASSWORD PORTAL_UPLOAD_DIR="$WORK/uploads" \
        PORTAL_ACCESS_TOKEN_TTL_SECS=7200 PORTAL_VISIT_RATE_PER_MINUTE=100000 \
        "$BIN" serve > "$WORK/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 3000); do
        curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null && return 0
        kill -0 "$SERVER" 2>/dev/null || break
        sleep 0.01
    done
    cat "$WORK/server.log" >&2
    echo "contract: the server did not start on $1" >&2
    return 1
}

stop() {
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
}

for backend in $BACKENDS; do
    case $backend in
        sqlite) url="sqlite://$WORK/contract.db" ;;
        postgres)
            psql "$PG_URL" -qc 'DROP SCHEMA IF EXISTS portal_contract CASCADE' -c 'CREATE SCHEMA portal_contract' >/dev/null
            url="$PG_URL&options=-csearch_path%3Dportal_contract" ;;
        *) echo "contract: unknown backend $backend" >&2; exit 1 ;;
    esac
    rm -rf "$WORK/contract.db" "$WORK/uploads"
    start "$url"
    token=$(curl -fsS "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"email\": \"$ADMIN\", \"password\": \"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

    echo "contract: the typed client against $backend"
    (cd examples/typescript && PORTAL_URL=$BASE PORTAL_EMAIL=$ADMIN PORTAL_PASSWORD=$PASSWORD npm run --silent start)

    # Failures accepted for now, if any are recorded (st run ... --baseline FILE writes one).
    baseline=tests/contract/baseline-$backend.json
    [ -f "$baseline" ] || baseline=
    echo "contract: schemathesis against $backend (seed $SEED, at most $EXAMPLES examples per operation)"
    "$TOOLS/bin/python" tests/contract/st.py --no-color --config-file tests/contract/schemathesis.toml run openapi/openapi.json --url "$BASE" \
        --checks all --phases examples,coverage,fuzzing --max-examples "$EXAMPLES" --seed "$SEED" \
        --generation-database none --header "Authorization: Bearer $token" --workers 2 \
        ${baseline:+--baseline "$baseline"} \
        --report junit --report-dir "target/contract/$backend" \
        || { stop; tail -50 "$WORK/server.log" >&2; exit 1; }
    stop
done
echo "contract: all checks passed"
