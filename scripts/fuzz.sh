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
# Where JSON Schema cannot say what the service requires, the hooks below (written to
# .local/fuzz/hooks.py) make the *positive* cases schemathesis generates realistic; each one
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

# ---------------------------------------------------------------------------
# Hooks: what JSON Schema cannot say (see the header of this file). They touch positive
# cases only.
# ---------------------------------------------------------------------------

cat >"$WORK/hooks.py" <<'PY'
"""schemathesis hooks for scripts/fuzz.sh (generated; edit the script, not this file)."""

import json
import os
import urllib.error
import urllib.parse
import urllib.request
import zlib

import random

import schemathesis
from hypothesis import strategies as st
from schemathesis.core.parameters import ParameterLocation

BASE_URL = os.environ["FUZZ_BASE_URL"]
PERSONA_IDS = os.environ["FUZZ_PERSONA_IDS"].split()


# --- Edge values (generation, not realism: these widen what is drawn) ----------------------

_DAY = 24 * 60  # minutes


def _month_days(year, month):
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


@st.composite
def _instant(draw):
    """A `date-time` (as JSON Schema reads it) drawn at the edges of the API's range.

    schemathesis' own generator draws dates from Hypothesis' `st.dates()`, which almost never
    gives the first or last day of the calendar, so no value of it leaves 0000-01-01..9999-12-31
    once converted to UTC. This one draws those two days with offsets pointing out of the range
    and a local time at, just before and just after the point where the UTC form crosses the
    edge, plus 29 February, month ends, ±23:59, long fractions and leap seconds (which the API
    refuses). Whether a value is valid is the schema's business (`Instant`: its `pattern`
    states the range): schemathesis keeps the in-range ones for positive cases and the
    out-of-range ones where it negates the pattern."""
    fraction = draw(st.sampled_from(["", ".0", ".5", ".999999", ".999999999", ".000001", ".123456789012"]))
    separator = draw(st.sampled_from("Tt"))
    edge = draw(st.sampled_from(["0000-01-01", "9999-12-31", "leap", None, None]))
    if edge == "leap":
        date = draw(st.sampled_from(["2016-12-31", "2026-06-30", "9999-12-31", "0000-12-31"]))
        return f"{date}{separator}23:59:60{fraction}Z"
    if edge is None:
        year = draw(st.sampled_from([0, 1, 1900, 2000, 2024, 2026, 2100, 2400, 9998, 9999]) | st.integers(0, 9999))
        month = draw(st.sampled_from([1, 2, 12]) | st.integers(1, 12))
        last = _month_days(year, month)
        day = draw(st.sampled_from([1, last]) | st.integers(1, last))
        date = f"{year:04}-{month:02}-{day:02}"
    else:
        date = edge
    offset = draw(st.sampled_from([0, 1, 59, 60, 12 * 60, _DAY - 2, _DAY - 1]) | st.integers(0, _DAY - 1))
    # On an edge date, mostly the sign that points out of the range.
    outward = "+" if edge == "0000-01-01" else "-"
    sign = draw(st.sampled_from([outward, outward, outward, "-" if outward == "+" else "+"]))
    crossing = offset if sign == "+" else _DAY - offset
    minute = draw(st.sampled_from([crossing - 1, crossing, crossing + 1, 0, _DAY - 1]) | st.integers(0, _DAY - 1))
    minute = min(max(minute, 0), _DAY - 1)
    second = draw(st.sampled_from([0, 59]) | st.integers(0, 59))
    if offset == 0:
        zone = draw(st.sampled_from(["Z", "z", "+00:00", "-00:00"]))
    else:
        zone = f"{sign}{offset // 60:02}:{offset % 60:02}"
    return f"{date}{separator}{minute // 60:02}:{minute % 60:02}:{second:02}{fraction}{zone}"


schemathesis.openapi.format("date-time", _instant())

# i32 and i64 bounds and one past them: schemathesis draws an int64 `limit` within the int64
# range (never past it) and rarely at its ends.
_EDGE_INTEGERS = [
    -(2**63) - 1, -(2**63), -(2**31) - 1, -(2**31), -1, 0, 101, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**30,
]


def _outside_instant(rng):
    """A `date-time` the API refuses (a 422): its UTC form lies outside 0000-01-01..9999-12-31,
    by an offset on one of the two edge dates, or it is a leap second. The schema's `pattern`
    says so, but schemathesis negates a pattern with random strings, never with these."""
    fraction = rng.choice(["", ".5", ".999999999", ".123456789012"])
    second = rng.choice([0, 59, rng.randint(0, 59)])
    offset = rng.choice([1, 60, _DAY - 1, rng.randint(1, _DAY - 1)])
    kind = rng.choice(["0000", "9999", "leap"])
    if kind == "leap":
        return rng.choice(["2016-12-31T23:59:60Z", "9999-12-31T23:59:60.5Z", "2026-07-01T01:59:60+02:00"])
    if kind == "0000":  # +offset larger than the local time: before 0000-01-01T00:00:00Z
        date, sign, minute = "0000-01-01", "+", rng.choice([0, offset - 1, rng.randint(0, offset - 1)])
    else:  # -offset taking the time to 24:00 or past it: in year 10000
        date, sign, minute = "9999-12-31", "-", rng.choice([_DAY - 1, _DAY - offset, rng.randint(_DAY - offset, _DAY - 1)])
    zone = f"{sign}{offset // 60:02}:{offset % 60:02}"
    return f"{date}T{minute // 60:02}:{minute % 60:02}:{second:02}{fraction}{zone}"


def _negative_edges(case):
    # A negative query stays negative when a parameter gets another value the API refuses, so
    # this only widens what the negative cases try: an out-of-range `limit` (valid: 1..=100)
    # at the i32/i64 bounds, an instant out of the range. Positive cases are left alone.
    query = case.query if isinstance(case.query, dict) else None
    if query is None or case.method.upper() != "GET" or case.path not in ("/api/v1/personas", "/api/v1/solicitudes"):
        return
    rng = random.Random(zlib.crc32(repr(sorted(query.items(), key=str)).encode()))
    if rng.random() < 0.25:
        query["limit"] = rng.choice(_EDGE_INTEGERS)
        _debug(case, f"limit {query['limit']}")
    if case.path == "/api/v1/solicitudes" and rng.random() < 0.5:
        name = rng.choice(["created_after", "created_before"])
        query[name] = _outside_instant(rng)
        _debug(case, f"{name} {query[name]}")


def _positive(case):
    meta = case.meta
    return meta is not None and meta.generation.mode.is_positive


def _whole_floats_as_ints(value):
    # JSON Schema counts 34.0 as an integer; the contract says `edad` must be a JSON integer
    # and answers 34.0 with a 422 (int_type). No keyword can tell 34 from 34.0, so positive
    # cases spell whole numbers as integers. (No body field of this API is a float.)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole_floats_as_ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_floats_as_ints(v) for v in value]
    return value


def _wire(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return str(value)


# --- Authentication -----------------------------------------------------------------------

_TOKEN = [None]


def _login():
    body = urllib.parse.urlencode({
        "grant_type": "password",
        "username": os.environ["FUZZ_ADMIN_EMAIL"],
        "password": os.environ["FUZZ_ADMIN_PASSWORD"],
    }).encode()
    request = urllib.request.Request(BASE_URL + "/api/v1/auth/token", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["access_token"]


def _token():
    """The admin's bearer token; logs in again after a fuzzed request ended the session (see
    `after_call`)."""
    if _TOKEN[0] is None:
        _TOKEN[0] = _login()
    return _TOKEN[0]


@schemathesis.hook
def after_call(context, case, response):
    # `POST /auth/logout` (or closing its own session) ends the run's session: the next case
    # logs in again. Any 401 to a request that carried the run's token means the same.
    sent = (case.headers or {}).get("Authorization")
    ours = sent == f"Bearer {_TOKEN[0]}"
    if ours and (response.status_code == 401 or (case.path == "/api/v1/auth/logout" and response.status_code == 204)):
        _TOKEN[0] = None


@schemathesis.auth(refresh_interval=None)
class _AdminBearer:
    """Every case is sent as the run's admin (`ignored_auth` then checks that the protected
    operations refuse the same request without it)."""

    def get(self, case, ctx):
        return _token()

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


def _authorized(url):
    return urllib.request.Request(url, headers={"Authorization": "Bearer " + _token()})


def _real_cursor(path, query):
    # `cursor` is opaque: only a `next_cursor` the service minted for the same filters is
    # valid (anything else is a 422 cursor_invalid, by contract). Ask the service for one.
    params = {k: _wire(v) for k, v in query.items() if k not in ("cursor", "limit") and v is not None}
    params["limit"] = "1"
    url = BASE_URL + path + "?" + urllib.parse.urlencode(params, doseq=True)
    try:
        with urllib.request.urlopen(_authorized(url), timeout=10) as response:
            return json.load(response).get("next_cursor")
    except Exception:
        return None


def _current_etag(solicitud_id):
    url = BASE_URL + "/api/v1/solicitudes/" + urllib.parse.quote(str(solicitud_id), safe="")
    try:
        with urllib.request.urlopen(_authorized(url), timeout=10) as response:
            return response.headers.get("ETag")
    except Exception:
        return None


_DEBUG = os.environ.get("FUZZ_HOOK_DEBUG")  # a file to log each case's treatment to


def _debug(case, what):
    if _DEBUG:
        with open(_DEBUG, "a") as f:
            f.write(f"{case.meta.phase.name if case.meta else None} {case.method} {case.path} {what}\n")


def _realistic(case):
    if not _positive(case):
        _debug(case, "negative " + repr(case.query))
        query_meta = case.meta.components.get(ParameterLocation.QUERY) if case.meta else None
        if query_meta is not None and query_meta.mode.is_negative:
            _negative_edges(case)
        return case
    _debug(case, "positive " + repr(case.query))
    headers = case.headers if case.headers is not None else {}
    if_match = next((k for k in headers if k.lower() == "if-match"), None)
    header_meta = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    if if_match is not None and header_meta is not None and header_meta.mode.is_negative:
        # Not a rule of the API but a quirk of schemathesis 4.32 (coverage phase): positive
        # header values are drawn from [A-Za-z0-9] only, which no If-Match value can be, so the
        # optional header gets a negative value and the case is still labelled positive. Send
        # that case without the header, which is what a positive case may do.
        del headers[if_match]
        if_match = None
        _debug(case, "dropped a negative If-Match from a positive case")
    if isinstance(case.body, (dict, list)):
        case.body = _whole_floats_as_ints(case.body)
    if (
        case.method.upper() in ("POST", "PATCH")
        and case.path in ("/api/v1/solicitudes", "/api/v1/usuarios", "/api/v1/usuarios/{id}")
        and isinstance(case.body, dict)
        and (
            "persona_id" in case.body
            # The run's admin files for no persona of its own, and a solicitante account needs
            # one: without it, a 422 by contract (state, not shape).
            or case.path == "/api/v1/solicitudes"
            or (case.method.upper() == "POST" and case.body.get("rol") == "solicitante")
        )
    ):
        # persona_id must name an existing persona (a foreign key: a 422 otherwise, by
        # contract); a random UUID names none. `null` (unlinking) is refused for a solicitante
        # account, whichever the generated id names (state again): a persona instead.
        case.body["persona_id"] = PERSONA_IDS[zlib.crc32(str(case.body.get("persona_id")).encode()) % len(PERSONA_IDS)]
    if case.method.upper() == "POST" and case.path == "/api/v1/auth/password" and isinstance(case.body, dict):
        # `actual` must be the account's password (a wrong one is a 422 by contract); a
        # positive case knows it, and keeps it (the run logs in with it again after a logout).
        case.body["actual"] = os.environ["FUZZ_ADMIN_PASSWORD"]
        case.body["nueva"] = os.environ["FUZZ_ADMIN_PASSWORD"]
    if if_match is not None and str(headers[if_match]).strip() != "*" and case.path.startswith("/api/v1/solicitudes/{id}"):
        # If-Match names versions; a well-formed tag naming another version than the current
        # one is a 412 by contract (it depends on state, not on the shape of the request).
        # Keep the generated tags and add the current one: a list matches if any tag does.
        etag = _current_etag((case.path_parameters or {}).get("id"))
        if etag is not None:
            headers[if_match] = f"{headers[if_match]}, {etag}"
            _debug(case, "if-match " + headers[if_match])
    if case.method.upper() == "GET" and isinstance(case.query, dict) and "cursor" in case.query:
        cursor = _real_cursor(case.path, case.query)
        if cursor is None:
            del case.query["cursor"]
        else:
            case.query["cursor"] = cursor
        _debug(case, f"cursor {cursor}")
    return case


@schemathesis.hook
def map_case(context, case):
    return _realistic(case)


@schemathesis.hook
def before_add_examples(context, examples):
    # The examples phase does not run map_case; its cases are positive.
    for i, case in enumerate(examples):
        examples[i] = _realistic(case)
PY

# ---------------------------------------------------------------------------
# Run
# ---------------------------------------------------------------------------

say "schemathesis $SCHEMATHESIS_VERSION: all checks, seed $SEED, $MAX_EXAMPLES examples per operation and phase"
rm -rf "$WORK/report"
started_at=$SECONDS
set +e
FUZZ_BASE_URL="$BASE_URL" \
    FUZZ_PERSONA_IDS="${persona_ids[*]}" \
    SCHEMATHESIS_HOOKS="$WORK/hooks.py" \
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
python3 - "$WORK/report" "$MIN_CASES" "$elapsed" <<'PY' || { ((status != 0)) || status=1; }
import collections, glob, json, os, sys

files = sorted(glob.glob(os.path.join(sys.argv[1], "ndjson-*.ndjson")))
if not files:
    sys.exit("scripts/fuzz.sh: schemathesis wrote no report")
checks = collections.defaultdict(collections.Counter)
cases = collections.Counter()
for line in open(files[-1], encoding="utf-8"):
    event = json.loads(line)
    finished = event.get("ScenarioFinished")
    if not finished:
        continue
    recorder = finished.get("recorder") or {}
    cases[finished.get("phase")] += len(recorder.get("cases") or {})
    for results in (recorder.get("checks") or {}).values():
        for result in results:
            checks[result["name"]][result["status"]] += 1
print("\ntest cases per phase: " + ", ".join(f"{p} {n}" for p, n in cases.items()) + f"; total {sum(cases.values())}")
print(f"{'check':<30} {'cases':>7} {'passed':>7} {'failed':>7}")
for name in sorted(checks):
    c = checks[name]
    total = sum(c.values())
    failed = total - c["success"] - c["skip"]
    print(f"{name:<30} {total:>7} {c['success']:>7} {failed:>7}")
total, minimum, elapsed = sum(cases.values()), int(sys.argv[2]), int(sys.argv[3])
print(f"{total} test cases in {elapsed} s")
if total < minimum:
    sys.exit(f"scripts/fuzz.sh: only {total} test cases ran (FUZZ_MIN_CASES={minimum})")
PY

if ((status == 0)); then
    say "passed"
else
    say "FAILED (exit $status); service log ${API_LOG#"$REPO"/}, reports in ${WORK#"$REPO"/}/report/"
fi
exit "$status"
