#!/usr/bin/env bash
# scripts/fuzz.sh — schema-driven fuzzing of the running service with schemathesis.
#
# Usage: scripts/fuzz.sh            (or `make fuzz`)
#
# 1. Creates .local/venv (python3 -m venv) when missing and installs the pinned schemathesis.
# 2. Hands the database and the service to the workspace's harness, `cargo xtask service`
#    (xtask/): it builds the API (`cargo build -p solicitudes-api`), creates a fresh database
#    `fuzz_<time>_<pid>` on TEST_DATABASE_URL's server when it is set (like `make test`), else
#    on the test cluster, starts target/debug/solicitudes-api serve on a free port with a
#    bootstrap admin (a password made up for the run), waits for /readyz and runs the rest of
#    this script against it (SERVICE_BASE_URL, SERVICE_LOG); afterwards, also on Ctrl-C, it
#    stops the service, drops the database, and fails the run if the service died during it.
# 3. Logs in and files a few personas and solicitudes. Every case is sent as that
#    admin (a schemathesis auth provider that logs in again when a fuzzed logout ended the
#    session), so `ignored_auth` checks that each protected operation refuses it without.
# 4. Runs `st run` against /openapi.json with every check (`--checks all`), every phase
#    (examples, coverage, fuzzing, stateful), a fixed seed and a per-request timeout. Any
#    failure fails the script. The service's log goes to .local/fuzz/api.log, schemathesis'
#    reports (JUnit, NDJSON) to .local/fuzz/report/.
#
# Environment: CARGO (default cargo), TEST_DATABASE_URL, PGPORT_TEST, FUZZ_SEED (default
# 20261122), FUZZ_MAX_EXAMPLES (per operation and phase; default 400 since v1.1 doubled the
# operations to 28 — 1000 gave about 10 800 test cases in about 3 minutes over the 16 of v1),
# FUZZ_MIN_CASES (default 1000: a run that executes fewer test cases fails, so a schema or
# hook change that silently stops generation cannot pass), FUZZ_WORKERS (default 1: CPython
# 3.11 before 3.11.8 can crash compiling in several threads at once), FUZZ_KEEP_DB=1 keeps the
# database (its URL is printed), FUZZ_HOOK_DEBUG=FILE logs what the hooks did to each case.
# Exit status: schemathesis', or 1 when the service died during the run or too few cases ran.
#
# The checks are never weakened: `--checks all`, default expected statuses, nothing excluded.
# Where JSON Schema cannot say what the service requires, the hooks (scripts/fuzz/hooks.py)
# make the *positive* cases schemathesis generates realistic; each one
# names the rule it stands for:
#   - a whole number spelled as a float (`34.0`) is a JSON Schema integer, but the contract
#     makes it a 422 (`edad` must be a JSON integer);
#   - `persona_id` must name an existing persona (a foreign key; a 422 otherwise);
#   - `cursor` is an opaque token that only the service can mint (a real one is fetched for
#     the same filters, or the parameter is left out);
#   - `If-Match` naming another version is a 412 (state, not shape): the current ETag is
#     added to the generated list of tags;
#   - schemathesis 4.32's coverage phase only draws [A-Za-z0-9] for positive header values,
#     so an optional If-Match gets a negative value inside a case labelled positive; such a
#     case is sent without the header.
# Negative cases are sent as generated, except that the hooks may widen them with more values
# the API refuses (a negative case stays negative): see "Edge values" below.
#
# Edge values: schemathesis' generators do not reach the edges of this API's types, so the
# hooks add them (docs/operations.md, "Schema-driven fuzzing", says why it missed them):
#   - `format: date-time` is drawn by `_instant` (registered with schemathesis.openapi.format):
#     the dates 0000-01-01 and 9999-12-31 with offsets pointing out of the range and local
#     times at, just before and just after the crossing, 29 February, month ends, ±23:59,
#     `t`/`z`, long fractions, leap seconds. The schema (`Instant`: format + pattern) decides
#     which are valid, so positive cases get the in-range ones and must answer 2xx.
#   - negative list queries get, a quarter of the time, `limit` at the i32/i64 bounds (and one
#     past them), and half of the time on /solicitudes an instant outside the range
#     (`_outside_instant`): they must answer 4xx, never 5xx.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO="$(pwd -P)"
readonly REPO
readonly CARGO="${CARGO:-cargo}"
readonly SCHEMATHESIS_VERSION="4.32.5"
readonly VENV="$REPO/.local/venv"
readonly WORK="$REPO/.local/fuzz"
readonly SEED="${FUZZ_SEED:-20261122}"
readonly MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-400}"
readonly MIN_CASES="${FUZZ_MIN_CASES:-1000}"
readonly WORKERS="${FUZZ_WORKERS:-1}"

say() { printf '\n==> fuzz: %s\n' "$*" >&2; }
die() {
    printf 'scripts/fuzz.sh: error: %s\n' "$*" >&2
    exit 1
}

# ---------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------

command -v python3 >/dev/null 2>&1 || die "python3 not found (Debian: apt-get install python3 python3-venv)"
command -v curl >/dev/null 2>&1 || die "curl not found (Debian: apt-get install curl)"
command -v "$CARGO" >/dev/null 2>&1 || die "'$CARGO' not found: install the Rust toolchain (rustup), or set CARGO"

mkdir -p "$WORK"
if [[ ! -x "$VENV/bin/python" ]]; then
    say "creating $VENV"
    if ! python3 -m venv "$VENV"; then
        rm -rf "$VENV"
        # Debian splits venv (ensurepip) off python3; CI runs as root and may install it.
        if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
            say "installing Debian's python3-venv (apt-get)"
            export DEBIAN_FRONTEND=noninteractive
            apt-get install -y --no-install-recommends python3-venv >/dev/null ||
                { apt-get update >/dev/null && apt-get install -y --no-install-recommends python3-venv >/dev/null; } ||
                die "could not install python3-venv with apt-get"
            python3 -m venv "$VENV" || die "python3 -m venv failed"
        else
            die "python3 -m venv failed (Debian: sudo apt-get install python3-venv)"
        fi
    fi
fi
if [[ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true)" != "$SCHEMATHESIS_VERSION" ]]; then
    say "installing schemathesis $SCHEMATHESIS_VERSION"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
readonly ST="$VENV/bin/st"

# ---------------------------------------------------------------------------
# Database and service: the workspace's harness (`cargo xtask service`, xtask/) builds the API
# (debug), makes a fresh database, starts the service on a free port, waits for /readyz and
# runs this script again against it; afterwards (also on Ctrl-C) it stops the service, drops
# the database and fails the run when the service died during it.
# ---------------------------------------------------------------------------

FUZZ_ADMIN_EMAIL="fuzz-admin@example.com"
if [[ -z "${SERVICE_BASE_URL:-}" ]]; then
    FUZZ_ADMIN_PASSWORD="fuzz-$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"
    # In the environment, not on a command line (where `ps` shows it): the harness passes its
    # environment on to the service, and to this script's second run.
    export FUZZ_ADMIN_PASSWORD APP__AUTH__BOOTSTRAP_ADMIN_EMAIL="$FUZZ_ADMIN_EMAIL"
    export APP__AUTH__BOOTSTRAP_ADMIN_PASSWORD="$FUZZ_ADMIN_PASSWORD"
    keep=()
    if [[ "${FUZZ_KEEP_DB:-}" == 1 ]]; then keep=(--keep-db); fi
    # Named solicitudes-api-fuzz (argv[0]) so that `ps` tells it from a dev server or a
    # benchmark's, and a `pkill -f 'solicitudes-api serve'` aimed at those does not end the run.
    # The admin the run logs in as; registration on, so POST /auth/registro is exercised for
    # real; login throttling out of reach: fuzzed logins and wrong `actual`s would otherwise
    # block the run's own account and address (throttling has its own tests: tests/acceso.rs).
    say "starting the service (cargo xtask service; log: ${WORK#"$REPO"/}/api.log)"
    exec "$CARGO" xtask service --fresh-db fuzz --log "$WORK/api.log" \
        --process-name solicitudes-api-fuzz "${keep[@]}" \
        --env APP__AUTH__OPEN_REGISTRATION=true \
        --env APP__AUTH__THROTTLE_ACCOUNT_FAILURES=1000000 \
        --env APP__AUTH__THROTTLE_ADDRESS_FAILURES=1000000 \
        -- "$REPO/scripts/fuzz.sh" "$@"
fi
export FUZZ_ADMIN_EMAIL
readonly BASE_URL="$SERVICE_BASE_URL"
readonly API_LOG="$SERVICE_LOG"

# ---------------------------------------------------------------------------
# Seed: a few personas and solicitudes in several estados, so that lists have pages (and
# cursors) and positive cases of POST /solicitudes can name an existing persona.
# ---------------------------------------------------------------------------

# The bootstrap admin is created right after the migrations: log in as soon as it exists.
token=""
for _ in $(seq 1 100); do
    token="$(curl -s -X POST "$BASE_URL/api/v1/auth/token" -d grant_type=password \
        --data-urlencode "username=$FUZZ_ADMIN_EMAIL" --data-urlencode "password=$FUZZ_ADMIN_PASSWORD" |
        python3 -c 'import json, sys; print(json.load(sys.stdin).get("access_token", ""))' 2>/dev/null || true)"
    [[ -n "$token" ]] && break
    sleep 0.2
done
[[ -n "$token" ]] || die "could not log in as the bootstrap admin (log: ${API_LOG#"$REPO"/})"

say "seeding"
api() { # METHOD PATH [JSON]: prints the body, fails on a non-2xx answer
    local args=(-sS --fail-with-body -X "$1" "$BASE_URL$2" -H "Authorization: Bearer $token")
    if (($# > 2)); then
        args+=(-H 'Content-Type: application/json' -d "$3")
    fi
    curl "${args[@]}"
}
json_id() { python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'; }

persona_ids=()
for i in 1 2 3; do
    persona_ids+=("$(api POST /api/v1/personas "{\"nombre\": \"Persona de prueba $i\", \"edad\": $((20 + i)), \"email\": \"fuzz$i@example.com\"}" | json_id)")
done
prioridades=(baja media alta urgente)
for i in $(seq 1 12); do
    p="${persona_ids[$((i % 3))]}"
    s="$(api POST /api/v1/solicitudes "{\"titulo\": \"Solicitud de prueba $i\", \"descripcion\": \"Texto $i\", \"prioridad\": \"${prioridades[$((i % 4))]}\", \"persona_id\": \"$p\"}" | json_id)"
    case $((i % 4)) in
        1) api POST "/api/v1/solicitudes/$s/transiciones" '{"estado": "en_revision"}' >/dev/null ;;
        2)
            api POST "/api/v1/solicitudes/$s/transiciones" '{"estado": "en_revision"}' >/dev/null
            api POST "/api/v1/solicitudes/$s/transiciones" '{"estado": "aprobada", "comentario": "Conforme"}' >/dev/null
            ;;
        3) api POST "/api/v1/solicitudes/$s/transiciones" '{"estado": "cancelada"}' >/dev/null ;;
    esac
done
echo "3 personas, 12 solicitudes" >&2

# The hooks (what JSON Schema cannot say; see the header of this file) are
# scripts/fuzz/hooks.py. They touch positive cases only.


# ---------------------------------------------------------------------------
# Run
# ---------------------------------------------------------------------------

say "schemathesis $SCHEMATHESIS_VERSION: all checks, seed $SEED, $MAX_EXAMPLES examples per operation and phase"
rm -rf "$WORK/report"
started_at=$SECONDS
set +e
FUZZ_BASE_URL="$BASE_URL" \
    FUZZ_PERSONA_IDS="${persona_ids[*]}" \
    SCHEMATHESIS_HOOKS="$REPO/scripts/fuzz/hooks.py" \
    "$ST" run "$BASE_URL/openapi.json" \
    --checks all \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "$MAX_EXAMPLES" \
    --seed "$SEED" \
    --workers "$WORKERS" \
    --request-timeout 10 \
    --generation-database none \
    --no-color \
    --report junit,ndjson \
    --report-dir "$WORK/report"
status=$?
set -e
elapsed=$((SECONDS - started_at))

# A service that crashed (or was killed) shows in schemathesis' output only as network errors:
# the harness checks, once this script is done, and fails the run.

# Per check: how many test cases it judged, and how many of them it failed. (schemathesis'
# own summary counts cases and failures, not checks.) Fails when fewer than MIN_CASES ran.
python3 "$REPO/scripts/fuzz/summary.py" "$WORK/report" "$MIN_CASES" "$elapsed" || { ((status != 0)) || status=1; }

if ((status == 0)); then
    say "passed"
else
    say "FAILED (exit $status); service log ${API_LOG#"$REPO"/}, reports in ${WORK#"$REPO"/}/report/"
fi
exit "$status"
