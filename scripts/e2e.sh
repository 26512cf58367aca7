#!/usr/bin/env bash
# scripts/e2e.sh — end-to-end tests of the web application against the real service.
#
# Usage: scripts/e2e.sh            (or `make e2e`)
#
# 1. Builds web/ (`npm ci` when node_modules is missing or package-lock.json changed, then
#    `npm run build` → web/dist) and the API (`cargo build -p solicitudes-api`).
# 2. Creates a fresh database `e2e_<timestamp>` on the test cluster (scripts/pg.sh up test;
#    or on TEST_DATABASE_URL's server when set, like `make test`) and drops it afterwards.
# 3. Starts target/debug/solicitudes-api serve on a free port with
#    APP__SERVER__STATIC_DIR=<repo>/web/dist, so the binary serves the SPA at / and the API
#    at /api/v1 from the same origin, and a bootstrap admin with a password made up for this
#    run (APP__AUTH__BOOTSTRAP_ADMIN_EMAIL / _PASSWORD: auth.bootstrap_admin_email and
#    auth.bootstrap_admin_password), and waits for /readyz. The tests create every other
#    account through the API as that admin.
# 4. Runs `node --test web/e2e/*.test.mjs`: playwright-core drives headless Chromium
#    (/usr/bin/chromium, or $CHROMIUM; installed with apt-get when missing and running as
#    root). Screenshots of every screen, and of a failing step, go to
#    web/test-results/e2e/<walk or rol>/ (git-ignored); the service's log to
#    web/test-results/e2e-api.log.
#
# Environment: CARGO (default cargo), CHROMIUM, TEST_DATABASE_URL, PGPORT_TEST,
# E2E_KEEP_DB=1 keeps the database (its URL is printed). Exit status: the tests'.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO="$(pwd -P)"
readonly REPO
readonly WEB="$REPO/web"
readonly RESULTS="$WEB/test-results"
readonly CARGO="${CARGO:-cargo}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

say() { printf '\n==> e2e: %s\n' "$*" >&2; }
die() {
    printf 'scripts/e2e.sh: error: %s\n' "$*" >&2
    exit 1
}

# ---------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------

command -v node >/dev/null 2>&1 || die "node not found: install Node.js 20.19 or newer"
command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js 20.19 or newer"
command -v "$CARGO" >/dev/null 2>&1 || die "'$CARGO' not found: install the Rust toolchain (rustup), or set CARGO"

if [[ ! -x "$CHROMIUM" ]]; then
    if [[ "$CHROMIUM" == /usr/bin/chromium && "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        say "installing Debian's chromium (apt-get)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y --no-install-recommends chromium >/dev/null ||
            { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; } ||
            die "could not install chromium with apt-get"
    else
        die "no browser at $CHROMIUM: install Debian's chromium (sudo apt-get install chromium) or set CHROMIUM=/path/to/chromium"
    fi
fi

PSQL="$(command -v psql || true)"
if [[ -z "$PSQL" ]]; then
    PSQL="$(find /usr/lib/postgresql -path '*/bin/psql' 2>/dev/null | sort -V | tail -n 1 || true)"
fi

# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------

say "building web/ (web/dist)"
if [[ ! -d "$WEB/node_modules" || "$WEB/package-lock.json" -nt "$WEB/node_modules/.package-lock.json" ]]; then
    (cd "$WEB" && npm ci --no-audit --no-fund)
fi
(cd "$WEB" && npm run --silent build)

say "building the API (debug)"
"$CARGO" build -p solicitudes-api
readonly BIN="$REPO/target/debug/solicitudes-api"
[[ -x "$BIN" ]] || die "$BIN was not built"

# ---------------------------------------------------------------------------
# Database, service, clean-up
# ---------------------------------------------------------------------------

started_cluster=0
db_name=""
admin_url=""
server_pid=""

# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
    local status=$?
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ -n "$db_name" && "${E2E_KEEP_DB:-}" != 1 ]]; then
        "$PSQL" "$admin_url" -qX -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" >/dev/null 2>&1 ||
            echo "scripts/e2e.sh: could not drop database $db_name" >&2
    fi
    if ((started_cluster)); then
        scripts/pg.sh down test || true
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ -n "$PSQL" ]] || die "psql not found (Debian: apt-get install postgresql-client)"

if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
    admin_url="$TEST_DATABASE_URL"
else
    if ! scripts/pg.sh status test >/dev/null 2>&1; then
        started_cluster=1
    fi
    admin_url="$(scripts/pg.sh up test)"
fi

db_name="e2e_$(date -u +%Y%m%d%H%M%S)_$$"
say "creating database $db_name"
"$PSQL" "$admin_url" -qX -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$db_name\"" >/dev/null
db_url="$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; console.log(u.href)' "$admin_url" "$db_name")"
if [[ "${E2E_KEEP_DB:-}" == 1 ]]; then
    echo "scripts/e2e.sh: E2E_KEEP_DB=1: the database stays: $db_url" >&2
fi

port="$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
readonly BASE_URL="http://127.0.0.1:$port"
mkdir -p "$RESULTS"
rm -rf "$RESULTS/e2e"
readonly API_LOG="$RESULTS/e2e-api.log"
readonly ADMIN_EMAIL="admin.e2e@example.com"
ADMIN_PASSWORD="e2e-$(node -e 'console.log(require("crypto").randomBytes(18).toString("base64url"))')"
readonly ADMIN_PASSWORD

say "starting the service on $BASE_URL (log: ${API_LOG#"$REPO"/})"
env DATABASE_URL="$db_url" \
    APP__SERVER__HOST=127.0.0.1 \
    APP__SERVER__PORT="$port" \
    APP__SERVER__STATIC_DIR="$WEB/dist" \
    APP__AUTH__BOOTSTRAP_ADMIN_EMAIL="$ADMIN_EMAIL" \
    APP__AUTH__BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    "$BIN" serve >"$API_LOG" 2>&1 &
server_pid=$!

ready=0
for _ in $(seq 1 300); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        tail -n 30 "$API_LOG" >&2 || true
        die "the service exited during start-up (log above)"
    fi
    if node -e 'fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$BASE_URL/readyz"; then
        ready=1
        break
    fi
    sleep 0.2
done
((ready)) || {
    tail -n 30 "$API_LOG" >&2 || true
    die "the service did not become ready within 60 s (log above)"
}

# The SPA must come from the binary (server.static_dir), not from a dev server.
# shellcheck disable=SC2016 # JavaScript, not shell
node -e '
fetch(process.argv[1], { headers: { Accept: "text/html" } })
  .then(async (r) => {
    const body = await r.text();
    if (r.ok && body.includes("<div id=\"app\"></div>")) process.exit(0);
    console.error(`GET / (Accept: text/html) answered ${r.status} ${r.headers.get("content-type")}, not web/dist/index.html`);
    process.exit(1);
  }, (e) => { console.error(e.message); process.exit(1); });
' "$BASE_URL/" || die "the binary does not serve the web application at / (APP__SERVER__STATIC_DIR=$WEB/dist)"

# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------

say "running web/e2e/*.test.mjs in $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
set +e
(cd "$WEB" && E2E_BASE_URL="$BASE_URL" E2E_RESULTS_DIR="$RESULTS" \
    E2E_ADMIN_EMAIL="$ADMIN_EMAIL" E2E_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    node --test --test-reporter=spec --test-concurrency=1 e2e/*.test.mjs)
status=$?
set -e

shots="$(find "$RESULTS/e2e" -name '*.png' 2>/dev/null | wc -l)"
if ((status == 0)); then
    say "passed; $shots screenshots in ${RESULTS#"$REPO"/}/e2e/"
else
    say "FAILED (exit $status); screenshots in ${RESULTS#"$REPO"/}/e2e/ (FAILED-*.png), service log ${API_LOG#"$REPO"/}"
fi
exit "$status"
