#!/usr/bin/env bash
# scripts/e2e.sh — end-to-end tests of the web application against the real service.
#
# Usage: scripts/e2e.sh            (or `make e2e`)
#
# 1. Builds web/ (`npm ci` when node_modules is missing or package-lock.json changed, then
#    `npm run build` → web/dist).
# 2. Hands the database and the service to the workspace's harness, `cargo xtask service`
#    (xtask/): it builds the API (`cargo build -p solicitudes-api`), creates a fresh database
#    `e2e_<time>_<pid>` on the test cluster (or on TEST_DATABASE_URL's server when set, like
#    `make test`), starts target/debug/solicitudes-api serve on a free port with
#    APP__SERVER__STATIC_DIR=<repo>/web/dist, so the binary serves the SPA at / and the API
#    at /api/v1 from the same origin, and a bootstrap admin with a password made up for this
#    run (APP__AUTH__BOOTSTRAP_ADMIN_EMAIL / _PASSWORD: auth.bootstrap_admin_email and
#    auth.bootstrap_admin_password), waits for /readyz and runs the rest of this script; it
#    drops the database and stops the service afterwards, also on Ctrl-C.
# 3. Checks that the binary serves the SPA at /. The tests create every other account
#    through the API as that admin.
# 4. Runs `node --test web/e2e/*.test.mjs`: playwright-core drives headless Chromium
#    (/usr/bin/chromium, or $CHROMIUM; installed with apt-get when missing and running as
#    root). Screenshots of every screen, and of a failing step, go to
#    web/test-results/e2e/<walk or rol>/ (git-ignored); the service's log to
#    web/test-results/e2e-api.log.
#
# Environment: CARGO (default cargo), CHROMIUM, TEST_DATABASE_URL, PGPORT_TEST,
# E2E_KEEP_DB=1 keeps the database (its URL is printed). Exit status: the tests', or 1 when
# the service died during them.

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

# ---------------------------------------------------------------------------
# Build, then the database and the service: the workspace's harness (`cargo xtask service`,
# xtask/) builds the API (debug), makes a fresh database, starts the service on a free port,
# waits for /readyz and runs this script again against it (SERVICE_BASE_URL, SERVICE_LOG);
# afterwards (also on Ctrl-C) it stops the service, drops the database and fails the run when
# the service died during it.
# ---------------------------------------------------------------------------

readonly ADMIN_EMAIL="admin.e2e@example.com"
if [[ -z "${SERVICE_BASE_URL:-}" ]]; then
    say "building web/ (web/dist)"
    if [[ ! -d "$WEB/node_modules" || "$WEB/package-lock.json" -nt "$WEB/node_modules/.package-lock.json" ]]; then
        (cd "$WEB" && npm ci --no-audit --no-fund)
    fi
    (cd "$WEB" && npm run --silent build)
    mkdir -p "$RESULTS"
    rm -rf "$RESULTS/e2e"
    E2E_ADMIN_PASSWORD="e2e-$(node -e 'console.log(require("crypto").randomBytes(18).toString("base64url"))')"
    # In the environment, not on a command line (where `ps` shows it): the harness passes its
    # environment on to the service, and to this script's second run.
    export E2E_ADMIN_PASSWORD APP__AUTH__BOOTSTRAP_ADMIN_EMAIL="$ADMIN_EMAIL"
    export APP__AUTH__BOOTSTRAP_ADMIN_PASSWORD="$E2E_ADMIN_PASSWORD"
    keep=()
    if [[ "${E2E_KEEP_DB:-}" == 1 ]]; then keep=(--keep-db); fi
    say "starting the service (cargo xtask service; log: ${RESULTS#"$REPO"/}/e2e-api.log)"
    exec "$CARGO" xtask service --fresh-db e2e --log "$RESULTS/e2e-api.log" \
        --static-dir "$WEB/dist" "${keep[@]}" -- "$REPO/scripts/e2e.sh" "$@"
fi
readonly BASE_URL="$SERVICE_BASE_URL"
readonly API_LOG="$SERVICE_LOG"

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
    E2E_ADMIN_EMAIL="$ADMIN_EMAIL" E2E_ADMIN_PASSWORD="$E2E_ADMIN_PASSWORD" \
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
