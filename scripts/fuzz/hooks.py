"""schemathesis hooks for scripts/fuzz.sh: what JSON Schema cannot say (the rules each hook
stands for are listed in the header of scripts/fuzz.sh). They touch positive cases only."""

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
