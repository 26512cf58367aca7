#!/usr/bin/env python3
"""`make bench`: the service's throughput and latency, measured beside the database's own limit.

What it does (docs/benchmarks.md explains how to read the results):

1. Builds the release binary (`cargo build --release -p solicitudes-api`) and the small
   open-loop load generator (scripts/bench/loadgen/, a workspace member:
   `cargo build --release -p solicitudes-loadgen`); installs `wrk` with apt-get when it is
   missing.
2. Creates a fresh database `bench_<timestamp>` in a private PostgreSQL cluster of the
   workspace's harness (`cargo xtask pg up bench`, xtask/; the `dev` cluster if that fails)
   and seeds it with `solicitudes-api seed --personas 1000 --solicitudes 100000`.
3. Starts the release binary against it with the harness (`cargo xtask service
   --database-url …`: a free loopback port, ready on /readyz), with the service's default
   settings (pool_max_size 10, log level info: one access-log line per request) and a
   bootstrap admin (a fresh random password each run), logs in as that admin, and sends its
   bearer token with every request of every scenario. With BENCH_BASELINE_BIN (a binary from
   before authentication, e.g. built from a26bb13) it starts that one too, on the same
   database; it gets the same request bytes and ignores the Authorization header.
4. For each endpoint — GET by id, list first page, list filtered, list deep page (cursor ~90 %
   deep), POST, PATCH with If-Match, transition — it runs:
   * **closed loop**: wrk, N connections (default 10) for D seconds (default 10): the maximum
     throughput, errors, database statements per request (pg_stat_statements), CPU time per
     request of the API process and of the PostgreSQL backends, peak RSS (VmHWM);
   * **open loop**: loadgen at 80 % of that maximum for D seconds: p50/p99/p99.9 latency
     corrected for coordinated omission (measured from when each request was due);
   * **the limit**: pgbench -M prepared with the same SQL (scripts/bench/pgbench/*.sql, copied
     from crates/persistence), the same number of clients, for D seconds.
   Writes use each row once per run: PATCH and transition rows are reset (version 1, pendiente,
   prioridad baja) before every run, so every request really changes a row.
   With a baseline, each closed loop runs for both binaries in turn (BENCH_ROUNDS rounds,
   BENCH_GET_ROUNDS for GET by id, the order alternating; the median counts), then both open
   loops at one rate (a fraction of the slower one's maximum).
5. **login**: POST /auth/token in a closed loop (BENCH_LOGIN_CONNECTIONS logins at a time:
   login throughput, bounded by Argon2 on purpose), then GET by id at a fixed open-loop rate
   without and during a login storm (the same logins in a loop), to show GET's latency stays
   bounded while every core hashes.
6. Writes .local/bench/results-<timestamp>.json (and bench/latest.json), prints a table and
   the targets of docs/benchmarks.md, stops the API and drops the database.

Knobs (environment variables, or the flags of `--help`): BENCH_DURATION (10), BENCH_WARMUP (3),
BENCH_CONNECTIONS (10), BENCH_THREADS (2), BENCH_RATE_FRACTION (0.8), BENCH_ONLY (comma list of
endpoints, `login` for the login scenario), BENCH_POOL_SIZE (service default), BENCH_LOG_LEVEL
(service default), BENCH_BIN (a prebuilt binary: skips the build), BENCH_KEEP_DB (1: keep the database), BENCH_PERF (1: record
system-wide `perf` profiles), BENCH_TRACK_PLANNING (1: count plannings per request too),
BENCH_STRICT (1: exit 1 when a target is missed), BENCH_GEN_RT (0: run the open-loop generator at
normal priority instead of SCHED_FIFO), BENCH_BASELINE_BIN (a binary without authentication,
measured side by side), BENCH_ROUNDS (1) and BENCH_GET_ROUNDS (3): closed-loop rounds per binary
(alternating with the baseline's; the median counts), BENCH_LOGIN_CONNECTIONS (8), BENCH_STORM_GET_RATE (GET req/s during the login
storm; default BENCH_STORM_GET_FRACTION, 0.25, of GET's closed-loop maximum), BENCH_ADMIN_URL
(a PostgreSQL URL whose role may CREATE DATABASE, instead of the local clusters), BENCH_NOTE (free
text stored in the results).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import secrets
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = REPO / "scripts" / "bench"
OUT_ROOT = REPO / ".local" / "bench"
CLK_TCK = os.sysconf("SC_CLK_TCK")

ENDPOINTS = [
    ("get", "GET /solicitudes/{id}", "read"),
    ("list_first", "GET /solicitudes", "read"),
    ("list_filtered", "GET /solicitudes?estado&prioridad", "read"),
    ("list_deep", "GET /solicitudes?cursor (90 %)", "read"),
    ("post", "POST /solicitudes", "write"),
    ("patch", "PATCH /solicitudes/{id} If-Match", "write"),
    ("transition", "POST /solicitudes/{id}/transiciones", "write"),
]

# Targets (docs/benchmarks.md, issue #5).
TARGET_GET_RATIO = 0.60
TARGET_STMTS = {"get": 1, "post": 1, "patch": 2, "transition": 2}
TARGET_TAIL = 5.0  # p99 <= 5 x p50 at 80 % of the maximum rate
TARGET_RSS_MB = 50
# Authentication against the last binary without it (issue #12), GET by id, side by side.
TARGET_AUTH_RPS = 0.90  # throughput >= 90 % of the baseline's
TARGET_AUTH_CPU = 1.10  # API CPU per request <= 110 % of the baseline's

SEED_TITULO = "Solicitud del banco de pruebas"
SEED_DESCRIPCION = "Creada por make bench."
WARMUP_ROWS = 2000  # write-pool rows reserved for warming up PATCH and transition

# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def say(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def die(msg: str) -> "NoReturn":  # type: ignore[name-defined]  # noqa: F821
    print(f"bench: error: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def env_default(name: str, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return type(default)(value) if default is not None else value


def xtask(*args: str, **kw) -> subprocess.CompletedProcess:
    """`cargo xtask ARGS` (the workspace's harness, xtask/), its stdout captured."""
    cargo = os.environ.get("CARGO", "cargo")
    return run([cargo, "xtask", *args], cwd=REPO, stdout=subprocess.PIPE, **kw)


def run(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=False, text=True, **kw)


def proc_stat(pid: int) -> tuple[int, int] | None:
    """(ppid, utime+stime in ticks) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    rest = s[s.rindex(")") + 2 :].split()
    return int(rest[1]), int(rest[11]) + int(rest[12])


def proc_status_kb(pid: int, key: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak_rss(pid: int) -> bool:
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0).
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def box_ticks() -> tuple[int, int]:
    """(busy, total) ticks of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    total = sum(parts[:8])
    return total - idle, total


def git_info() -> dict:
    def g(*args):
        r = run(["git", "-C", str(REPO), *args], capture_output=True)
        return r.stdout.strip() if r.returncode == 0 else None

    status = g("status", "--porcelain", "--untracked-files=no")
    return {"commit": g("rev-parse", "HEAD"), "dirty": bool(status) if status is not None else None}


# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------


class Pg:
    """A PostgreSQL server reached over TCP; the password travels in PGPASSWORD, never argv."""

    def __init__(self, url: str, bin_dir: Path):
        u = urllib.parse.urlsplit(url)
        self.host = u.hostname or "127.0.0.1"
        self.port = u.port or 5432
        self.user = urllib.parse.unquote(u.username or "")
        self.password = urllib.parse.unquote(u.password or "")
        self.admin_db = (u.path or "/postgres").lstrip("/") or "postgres"
        self.bin = bin_dir

    def url(self, db: str) -> str:
        auth = urllib.parse.quote(self.user, safe="")
        if self.password:
            auth += ":" + urllib.parse.quote(self.password, safe="")
        return f"postgres://{auth}@{self.host}:{self.port}/{db}"

    def conninfo(self, db: str) -> str:
        return f"host={self.host} port={self.port} user={self.user} dbname={db} sslmode=disable"

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["PGPASSWORD"] = self.password
        env["PGCONNECT_TIMEOUT"] = "10"
        return env

    def sql(self, db: str, sql: str, check: bool = True) -> list[list[str]]:
        r = run(
            [str(self.bin / "psql"), "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
             "-d", self.conninfo(db), "-f", "-"],
            input=sql, capture_output=True, env=self.env(),
        )
        if r.returncode != 0:
            if check:
                die(f"psql failed on {db}: {r.stderr.strip()}\n--- SQL ---\n{sql[:2000]}")
            return []
        return [line.split("\t") for line in r.stdout.splitlines() if line != ""]

    def scalar(self, db: str, sql: str):
        rows = self.sql(db, sql)
        return rows[0][0] if rows else None


def pg_bin_dir() -> Path:
    """The PostgreSQL programs' directory (psql, pgbench): `cargo xtask pg deps`, which
    installs Debian's postgresql when they are missing."""
    r = xtask("pg", "deps", "--json")
    if r.returncode != 0:
        die("psql not found: `cargo xtask pg deps` failed (see above); install PostgreSQL or set PG_BIN")
    return Path(json.loads(r.stdout)["bin_dir"])


def start_cluster() -> tuple[str, str, bool]:
    """(admin URL, cluster name, whether we started it). Tries the `bench` cluster first."""
    if os.environ.get("BENCH_ADMIN_URL"):
        return os.environ["BENCH_ADMIN_URL"], "BENCH_ADMIN_URL", False
    # A private `bench` cluster of the harness (names other than dev and test take the port of
    # their first start from PGPORT). Durable like dev and production: fsync,
    # synchronous_commit and full_page_writes on, unless BENCH_PG_FSYNC=off.
    env = dict(os.environ, PGPORT=os.environ.get("BENCH_PGPORT", "54327"),
               PG_FSYNC=os.environ.get("BENCH_PG_FSYNC", "on"))
    for name in ("bench", "dev"):
        r = xtask("pg", "up", name, "--json", env=env, stderr=subprocess.PIPE)
        if r.returncode == 0:
            up = json.loads(r.stdout)
            if name == "dev":
                say("no `bench` cluster: using the dev cluster "
                    "(a separate database, dropped at the end)")
            return up["url"], name, up["started"]
        if name == "bench":
            why = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "no URL"
            say(f"`cargo xtask pg up bench` did not work ({why}); falling back to dev")
        else:
            sys.stderr.write(r.stderr)
            die("could not start the dev cluster with `cargo xtask pg up dev`")
    raise AssertionError


# ---------------------------------------------------------------------------------------------
# CPU sampling: API process, this database's PostgreSQL backends, the load generator, the box
# ---------------------------------------------------------------------------------------------


class Sampler:
    """Samples utime+stime of the processes of interest every 100 ms while a run lasts.

    Backends that start during the run (pgbench's) count from zero; the last sample of a
    process that exits before the end (pgbench's backends when pgbench exits) is kept, so
    short-lived processes are counted too (to within one sampling interval).
    """

    def __init__(self, api_pid: int | None, postmaster: int, dbname: str):
        self.api_pid = api_pid
        self.postmaster = postmaster
        self.dbname = dbname.encode()
        self.gen_pid: int | None = None
        self._stop = threading.Event()
        self.first: dict[tuple[str, int], int] = {}
        self.last: dict[tuple[str, int], int] = {}

    def _backends(self):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            st = proc_stat(pid)
            if st is None or st[0] != self.postmaster:
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    title = f.read()
            except OSError:
                continue
            if b" " + self.dbname + b" " in title:
                yield pid, st[1]

    def _sample(self, initial: bool):
        seen = {}
        if self.api_pid:
            st = proc_stat(self.api_pid)
            if st:
                seen[("api", self.api_pid)] = st[1]
        if self.gen_pid:
            st = proc_stat(self.gen_pid)
            if st:
                seen[("gen", self.gen_pid)] = st[1]
        for pid, ticks in self._backends():
            seen[("pg", pid)] = ticks
        for key, ticks in seen.items():
            if initial:
                self.first[key] = ticks
            elif key not in self.first:
                self.first[key] = 0 if key[0] != "gen" else 0
            self.last[key] = max(self.last.get(key, 0), ticks)

    def __enter__(self):
        self.box0 = box_ticks()
        self.t0 = time.monotonic()
        self._sample(initial=True)
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def _loop(self):
        while not self._stop.wait(0.1):
            self._sample(initial=False)

    def __exit__(self, *exc):
        self._sample(initial=False)
        self._stop.set()
        self._thread.join()
        self.box1 = box_ticks()
        self.t1 = time.monotonic()

    def seconds(self, group: str) -> float:
        ticks = sum(self.last[k] - self.first.get(k, 0) for k in self.last if k[0] == group)
        return ticks / CLK_TCK

    def summary(self, requests: int) -> dict:
        busy = (self.box1[0] - self.box0[0]) / CLK_TCK
        total = (self.box1[1] - self.box0[1]) / CLK_TCK
        api, pg, gen = self.seconds("api"), self.seconds("pg"), self.seconds("gen")
        per = (lambda s: round(s * 1e6 / requests, 1)) if requests else (lambda s: None)
        return {
            "wall_s": round(self.t1 - self.t0, 2),
            "api_cpu_s": round(api, 2), "pg_cpu_s": round(pg, 2), "gen_cpu_s": round(gen, 2),
            "api_cpu_us_per_req": per(api), "pg_cpu_us_per_req": per(pg),
            "gen_cpu_us_per_req": per(gen),
            "box_busy_share": round(busy / total, 3) if total else None,
            # Busy time of everything else on the machine (other people's builds, the kernel's
            # softirq time charged to nobody), as a share of both cores.
            "other_busy_share": round(max(0.0, busy - api - pg - gen) / total, 3) if total else None,
        }


# ---------------------------------------------------------------------------------------------
# The benchmark
# ---------------------------------------------------------------------------------------------


def http_request(method: str, path: str, port: int, headers: dict | None = None,
                 body: dict | None = None, form: dict | None = None) -> bytes:
    """One raw HTTP/1.1 request: a JSON `body` or a urlencoded `form`, or no body."""
    if form is not None:
        data, ctype = urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
    elif body is not None:
        data, ctype = json.dumps(body, ensure_ascii=False).encode(), "application/json"
    else:
        data, ctype = b"", None
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    for k, v in (headers or {}).items():
        lines.append(f"{k}: {v}")
    if ctype is not None:
        lines.append(f"Content-Type: {ctype}")
        lines.append(f"Content-Length: {len(data)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


def median(xs: list[float]) -> float | None:
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


def ratio(a, b, digits: int = 3):
    return round(a / b, digits) if a is not None and b else None


def write_requests(path: Path, reqs: list[bytes]) -> Path:
    with open(path, "wb") as f:
        for r in reqs:
            f.write(str(len(r)).encode() + b"\n" + r)
    return path


class Api:
    """One binary under test: the binary, the harness running it (`cargo xtask service`,
    stopped by closing its stdin), its port, process id and log.

    `authenticates` is False for the baseline (a binary from before authentication): it gets
    no bootstrap admin and ignores the Authorization header the requests carry.
    """

    def __init__(self, label: str, binary: Path, authenticates: bool):
        self.label = label
        self.bin = binary
        self.authenticates = authenticates
        self.proc: subprocess.Popen | None = None  # cargo xtask service
        self.port = 0
        self.service_pid: int | None = None
        self.log = None
        self.log_path: Path | None = None
        self.rss_idle_kb: int | None = None

    @property
    def pid(self) -> int:
        """The service's own process id (CPU and memory are sampled from /proc/PID)."""
        assert self.service_pid is not None
        return self.service_pid

    def stop(self):
        """Closes the harness' stdin: it stops the service (SIGTERM, then SIGKILL) and exits."""
        if self.proc is not None and self.proc.poll() is None:
            if self.proc.stdin:
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait()


class Bench:
    def __init__(self, args):
        self.args = args
        self.ts = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.out = OUT_ROOT / self.ts
        self.out.mkdir(parents=True, exist_ok=True)
        self.api: Api | None = None  # the binary measured (with authentication)
        self.base: Api | None = None  # BENCH_BASELINE_BIN, measured side by side
        self.token: str | None = None
        self.admin_email = "bench-admin@example.com"
        # The bootstrap admin's password: fresh for every run, never written anywhere.
        self.admin_password = secrets.token_urlsafe(24)
        self.db = f"bench_{self.ts.replace('-', '_')}"
        self.pg: Pg | None = None
        self.results: dict = {}
        self.cleanup_cluster: str | None = None

    # -- setup ---------------------------------------------------------------------------

    def ensure_tools(self):
        if not shutil.which("wrk"):
            say("wrk is missing: installing Debian's wrk")
            cmd = ["apt-get", "install", "-y", "-qq", "wrk"]
            if os.geteuid() != 0:
                if shutil.which("sudo") and run(["sudo", "-n", "true"]).returncode == 0:
                    cmd = ["sudo", "-n", *cmd]
                else:
                    die("wrk is not installed and there is no password-less sudo: "
                        "run `sudo apt-get install wrk`")
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            if run(cmd, env=env).returncode != 0:
                upd = ["apt-get", "update", "-qq"] if cmd[0] != "sudo" else ["sudo", "-n", "apt-get", "update", "-qq"]
                run(upd, env=env)
                if run(cmd, env=env).returncode != 0:
                    die("could not install wrk with apt-get")
        self.pg_bin = pg_bin_dir()
        self.gen_priority = self.generator_priority()
        self.pgbench = self.pg_bin / "pgbench"
        if not self.pgbench.exists():
            self.pgbench = Path(shutil.which("pgbench") or "/nonexistent")
        if not self.pgbench.exists():
            say("pgbench not found: the database limit will not be measured")
            self.pgbench = None

    def generator_priority(self) -> list[str]:
        """The prefix that runs the open-loop generator at real-time priority, when allowed.

        Generator, API and PostgreSQL share two cores here. At the default priority the
        generator's own threads wait for a core like everything else, and since latency is
        measured from when each request was *due*, the generator's scheduling delays would be
        counted as the service's latency. A real client does not share the server's cores, so
        the generator runs SCHED_FIFO (it sleeps until a request is due, then blocks on the
        socket: it never spins; about 20 µs of CPU per request). BENCH_GEN_RT=0 turns this off.
        """
        if os.environ.get("BENCH_GEN_RT", "1") == "0":
            return []
        chrt = shutil.which("chrt")
        if chrt and run([chrt, "-f", "1", "true"], capture_output=True).returncode == 0:
            return [chrt, "-f", "1"]
        say("note: cannot run the generator at real-time priority (chrt -f needs root or "
            "CAP_SYS_NICE): its scheduling delays will count in the open-loop latencies")
        return []

    @property
    def target(self) -> Path:
        """Cargo's target directory."""
        target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
        return target if target.is_absolute() else REPO / target

    def build_release(self, package: str, binary: str) -> Path:
        """`cargo build --release -p PACKAGE`; the path of its binary."""
        say(f"building {binary} (cargo build --release -p {package})")
        cargo = os.environ.get("CARGO", "cargo")
        if run([cargo, "build", "--release", "-p", package], cwd=REPO).returncode != 0:
            die(f"cargo build --release -p {package} failed")
        return self.target / "release" / binary

    def build(self):
        if self.args.bin:
            self.bin = Path(self.args.bin).resolve()
            if not self.bin.exists():
                die(f"BENCH_BIN={self.bin} does not exist")
        else:
            self.bin = self.build_release("solicitudes-api", "solicitudes-api")
        self.api = Api("auth", self.bin, authenticates=True)
        if self.args.baseline_bin:
            base = Path(self.args.baseline_bin).resolve()
            if not base.exists():
                die(f"BENCH_BASELINE_BIN={base} does not exist")
            self.base = Api("baseline", base, authenticates=False)
        # The open-loop generator: scripts/bench/loadgen, a workspace member.
        self.loadgen = self.build_release("solicitudes-loadgen", "loadgen")

    def create_database(self):
        url, cluster, started = start_cluster()
        self.cluster = cluster
        if started and cluster == "bench":
            self.cleanup_cluster = "bench"
        self.pg = Pg(url, self.pg_bin)
        self.pg.sql(self.pg.admin_db, f'CREATE DATABASE "{self.db}"')
        say(f"database {self.db} on the {cluster} cluster (127.0.0.1:{self.pg.port})")
        settings = self.pg.sql(self.db, """
            SELECT name, setting FROM pg_settings WHERE name IN
              ('server_version', 'shared_buffers', 'fsync', 'synchronous_commit',
               'full_page_writes', 'max_connections', 'shared_preload_libraries',
               'max_wal_size', 'checkpoint_timeout', 'work_mem', 'jit')""")
        self.pg_settings = {k: v for k, v in settings}
        self.pss = "pg_stat_statements" in self.pg_settings.get("shared_preload_libraries", "")
        if self.pss:
            self.pg.sql(self.db, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            if self.args.track_planning:
                # Counts plannings too (pg_stat_statements.plans): shows which statements are
                # planned at every execution. Off by default: it adds a little contention.
                self.pg.sql(self.db, f'ALTER DATABASE "{self.db}" SET '
                                     "pg_stat_statements.track_planning = on")
        else:
            say("pg_stat_statements is not preloaded: statements per request will be missing")
        backend = self.pg.scalar(self.db, "SELECT pg_backend_pid()")
        # psql's backend has exited by now, but the postmaster is the parent of all of them.
        self.postmaster = self._postmaster_pid(int(backend))

    def _postmaster_pid(self, backend_pid: int) -> int:
        rows = self.pg.sql(self.db, "SELECT pid FROM pg_stat_activity WHERE backend_type = "
                                    "'checkpointer'")
        if rows:
            st = proc_stat(int(rows[0][0]))
            if st:
                return st[0]
        st = proc_stat(backend_pid)
        return st[0] if st else -1

    def api_env(self, api: Api | None = None) -> dict:
        """The environment of a binary: the database and the knobs; for a binary that
        authenticates, the bootstrap admin the benchmark logs in as. (The baseline gets no
        APP__AUTH__ key: a binary from before authentication refuses unknown keys.)"""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("APP__") and k not in ("RUST_LOG", "DATABASE_URL")}
        env["DATABASE_URL"] = self.pg.url(self.db)
        if self.args.pool_size:
            env["APP__DATABASE__POOL_MAX_SIZE"] = str(self.args.pool_size)
        if self.args.log_level:
            env["APP__LOG__LEVEL"] = self.args.log_level
        if api is not None and api.authenticates:
            env["APP__AUTH__BOOTSTRAP_ADMIN_EMAIL"] = self.admin_email
            env["APP__AUTH__BOOTSTRAP_ADMIN_PASSWORD"] = self.admin_password
        return env

    def seed(self):
        n_p, n_s = self.args.personas, self.args.solicitudes
        say(f"seeding {n_p} personas and {n_s} solicitudes")
        t0 = time.monotonic()
        r = run([str(self.api.bin), "seed", "--personas", str(n_p), "--solicitudes", str(n_s)],
                env=self.api_env(), capture_output=True)
        if r.returncode != 0:
            sys.stderr.write(r.stderr)
            die("seeding failed")
        self.seed_s = round(time.monotonic() - t0, 1)
        self.pg.sql(self.db, """
            CREATE TABLE bench_ids (n int PRIMARY KEY, id uuid NOT NULL);
            INSERT INTO bench_ids SELECT row_number() OVER (ORDER BY random()), id FROM solicitudes;
            CREATE TABLE bench_personas (n int PRIMARY KEY, id uuid NOT NULL);
            INSERT INTO bench_personas SELECT row_number() OVER (ORDER BY random()), id FROM personas;
            -- Rows PATCH and transition runs use once each, reset before every run.
            CREATE TABLE bench_pool (n int PRIMARY KEY, id uuid NOT NULL);
            INSERT INTO bench_pool SELECT row_number() OVER (ORDER BY random()), id FROM solicitudes;
            CREATE SEQUENCE bench_seq;
            CREATE FUNCTION bench_uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
              SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid $$;
        """)
        self.pg.sql(self.db, "VACUUM ANALYZE")
        self.checkpoint()
        self.ids = [r[0] for r in self.pg.sql(self.db, "SELECT id FROM bench_ids ORDER BY n")]
        self.personas = [r[0] for r in self.pg.sql(self.db, "SELECT id FROM bench_personas ORDER BY n")]
        self.pool = [r[0] for r in self.pg.sql(self.db, "SELECT id FROM bench_pool ORDER BY n")]

    def checkpoint(self):
        self.pg.sql(self.db, "CHECKPOINT", check=False)

    def start_api(self, api: Api):
        """Starts `api` with the harness: `cargo xtask service --database-url …` puts it on a
        free loopback port, waits for /readyz, prints one JSON line (port, pid, …) and keeps it
        running until its stdin closes ([`Api.stop`]). The log is written in append mode: it
        can be truncated between runs while the API keeps writing."""
        api.log_path = self.out / f"api-{api.label}.log"
        cargo = os.environ.get("CARGO", "cargo")
        api.proc = subprocess.Popen(
            [cargo, "xtask", "service", "--database-url", self.pg.url(self.db),
             "--bin", str(api.bin), "--log", str(api.log_path)],
            cwd=REPO, env=self.api_env(api), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True)
        line = api.proc.stdout.readline()
        if not line:
            api.proc.wait()
            die(f"the {api.label} API did not start (see above and {api.log_path})")
        info = json.loads(line)
        api.port, api.service_pid = info["port"], info["pid"]
        api.rss_idle_kb = proc_status_kb(api.pid, "VmRSS")
        say(f"{api.label} API ({api.bin}, pid {api.pid}) ready on 127.0.0.1:{api.port}; idle RSS "
            f"{(api.rss_idle_kb or 0) / 1024:.1f} MB")

    def login(self) -> str:
        """Logs in as the bootstrap admin (JSON body) and returns the bearer token.

        The service creates that admin in the background after start-up (/readyz does not wait
        for it), so this first waits for its row: a login tried too early would be a failure,
        and five failures block the account for 30 s."""
        email = self.admin_email.replace("'", "''")
        deadline = time.monotonic() + 60
        while not self.pg.sql(self.db, "SELECT 1 FROM usuarios WHERE lower(email) = "
                                       f"lower('{email}') AND activo AND rol = 'admin'"):
            if time.monotonic() > deadline:
                die(f"the bootstrap admin did not appear within 60 s (see {self.api.log_path})")
            time.sleep(0.1)
        c = http.client.HTTPConnection("127.0.0.1", self.api.port, timeout=30)
        c.request("POST", "/api/v1/auth/token",
                  body=json.dumps({"username": self.admin_email, "password": self.admin_password}),
                  headers={"Content-Type": "application/json"})
        res = c.getresponse()
        body = res.read()
        c.close()
        if res.status != 200:
            die(f"logging in as the bootstrap admin failed: {res.status} {body[:300]!r}")
        token = json.loads(body)["access_token"]
        self.admin_id = self.pg.scalar(self.db, "SELECT id FROM usuarios WHERE lower(email) = "
                                                f"lower('{email}')")
        say(f"logged in as {self.admin_email} (admin)")
        return token

    def auth_headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def log_problems(self) -> dict:
        """Counts WARN/ERROR lines of the APIs' logs since the last call, then truncates them."""
        counts = {"warn": 0, "error": 0}
        samples = []
        for api in self.apis:
            try:
                with open(api.log_path, "rb") as f:
                    for line in f:
                        if b" WARN " in line or b'"level":"WARN"' in line:
                            counts["warn"] += 1
                        elif b" ERROR " in line or b'"level":"ERROR"' in line:
                            counts["error"] += 1
                        else:
                            continue
                        if len(samples) < 3:
                            samples.append(f"{api.label}: " +
                                           line.decode(errors="replace").strip()[:300])
                os.truncate(api.log_path, 0)
            except OSError:
                pass
        if samples:
            counts["samples"] = samples
        return counts

    def deep_cursor(self) -> dict:
        """Walks the default list (100 a page) to ~90 % of the rows; returns the cursor there."""
        total = len(self.ids)
        target = int(total * 0.9)
        c = http.client.HTTPConnection("127.0.0.1", self.api.port, timeout=30)
        cursor, seen, pages, last = None, 0, 0, None
        t0 = time.monotonic()
        while seen < target:
            path = "/api/v1/solicitudes?limit=100" + (f"&cursor={cursor}" if cursor else "")
            c.request("GET", path, headers=self.auth_headers())
            res = c.getresponse()
            body = json.loads(res.read())
            if res.status != 200:
                die(f"walking the list failed: {res.status} {body}")
            seen += len(body["items"])
            pages += 1
            last = body["items"][-1]
            cursor = body["next_cursor"]
            if not cursor:
                die("the list ended before 90 % of the rows")
        c.close()
        say(f"deep cursor: walked {pages} pages ({seen} rows) in {time.monotonic() - t0:.1f} s")
        return {"cursor": cursor, "created_at": last["created_at"], "id": last["id"],
                "offset": seen}

    # -- requests --------------------------------------------------------------------------

    def requests_for(self, name: str, port: int, rows: list[str] | None = None) -> list[bytes]:
        """The raw requests of an endpoint, each with the bearer token (the baseline, a binary
        without authentication, gets the same bytes and ignores the header)."""
        p, auth = port, self.auth_headers()
        if name == "get":
            return [http_request("GET", f"/api/v1/solicitudes/{i}", p, auth) for i in self.ids]
        if name == "list_first":
            return [http_request("GET", "/api/v1/solicitudes", p, auth)]
        if name == "list_filtered":
            return [http_request("GET", "/api/v1/solicitudes?estado=pendiente&prioridad=alta", p,
                                 auth)]
        if name == "list_deep":
            return [http_request("GET", f"/api/v1/solicitudes?cursor={self.deep['cursor']}", p,
                                 auth)]
        if name == "post":
            rnd = random.Random(5)
            return [http_request("POST", "/api/v1/solicitudes", p, auth, body={
                "titulo": SEED_TITULO, "descripcion": SEED_DESCRIPCION, "prioridad": "media",
                "persona_id": rnd.choice(self.personas)}) for _ in range(20000)]
        if name == "patch":
            return [http_request("PATCH", f"/api/v1/solicitudes/{i}", p,
                                 {**auth, "If-Match": '"1"'}, body={"prioridad": "urgente"})
                    for i in rows]
        if name == "transition":
            return [http_request("POST", f"/api/v1/solicitudes/{i}/transiciones", p,
                                 {**auth, "If-Match": '"1"'}, body={"estado": "en_revision"})
                    for i in rows]
        if name == "login":
            # The form Swagger UI's Authorize sends; the right password (failures would be
            # throttled: 5 per account).
            return [http_request("POST", "/api/v1/auth/token", p, form={
                "grant_type": "password", "username": self.admin_email,
                "password": self.admin_password})]
        raise ValueError(name)

    def reset_pool(self):
        """PATCH/transition rows back to pendiente, version 1, prioridad baja; vacuum; checkpoint."""
        t0 = time.monotonic()
        n = self.pg.scalar(self.db, """
            WITH r AS (
              UPDATE solicitudes s SET estado = 'pendiente', version = 1, prioridad = 'baja'
              FROM bench_pool p
              WHERE s.id = p.id AND (s.estado, s.version, s.prioridad)
                    IS DISTINCT FROM ('pendiente'::estado, 1, 'baja'::prioridad)
              RETURNING 1)
            SELECT count(*) FROM r""")
        self.pg.sql(self.db, "VACUUM ANALYZE solicitudes; VACUUM ANALYZE solicitud_eventos;"
                             "ALTER SEQUENCE bench_seq RESTART")
        self.checkpoint()
        say(f"  reset {n} rows, vacuumed, checkpointed ({time.monotonic() - t0:.1f} s)")

    def changed_rows(self, name: str) -> int:
        cond = ("s.version = 2 AND s.prioridad = 'urgente'" if name == "patch"
                else "s.version = 2 AND s.estado = 'en_revision'")
        return int(self.pg.scalar(self.db, f"SELECT count(*) FROM solicitudes s JOIN bench_pool p "
                                           f"ON p.id = s.id WHERE {cond}"))

    # -- measurements ----------------------------------------------------------------------

    def stmt_reset(self):
        if self.pss:
            self.pg.sql(self.db, "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database "
                                 "WHERE datname = current_database()), 0)")

    def stmt_read(self) -> tuple[int | None, int | None, list]:
        """(statements executed, statements planned, the most frequent ones) since the reset."""
        if not self.pss:
            return None, None, []
        rows = self.pg.sql(self.db, """
            SELECT calls, plans, left(regexp_replace(query, '\\s+', ' ', 'g'), 160)
            FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
            WHERE d.datname = current_database() AND s.query NOT LIKE '%pg_stat_statements%'
            ORDER BY calls DESC""")
        total = sum(int(r[0]) for r in rows)
        plans = sum(int(r[1]) for r in rows) if self.args.track_planning else None
        return total, plans, [{"calls": int(r[0]), "plans": int(r[1]), "query": r[2]}
                              for r in rows[:8]]

    def perf_start(self, tag: str):
        if not self.args.perf:
            return None
        data = self.out / f"perf-{tag}.data"
        return subprocess.Popen(["perf", "record", "-a", "-F", "499", "-g", "-o", str(data)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def perf_stop(self, proc, tag: str):
        if proc is None:
            return
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        data = self.out / f"perf-{tag}.data"
        with open(self.out / f"perf-{tag}.txt", "w") as f:
            for sort in ("comm,dso", "comm,dso,symbol"):
                r = run(["perf", "report", "-i", str(data), "--no-children", "--stdio",
                         "--sort", sort, "--percent-limit", "0.7", "-g", "none"],
                        capture_output=True)
                f.write(f"==== perf report --sort {sort}\n{r.stdout}\n")
        data.unlink(missing_ok=True)

    def wrk(self, reqfile: Path, duration: float, api: Api, connections: int | None = None) -> dict:
        a = self.args
        conns = connections or a.connections
        threads = max(1, min(a.threads, conns))
        env = dict(os.environ, BENCH_REQUESTS=str(reqfile), BENCH_THREADS=str(threads))
        cmd = ["wrk", "-t", str(threads), "-c", str(conns),
               "-d", f"{max(1, int(round(duration)))}s",
               "--timeout", "10s", "-s", str(HERE / "requests.lua"), f"http://127.0.0.1:{api.port}/"]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        return {"proc": proc}

    @staticmethod
    def wrk_result(proc) -> dict:
        out, err = proc.communicate()
        m = re.search(r"^BENCH_JSON (.*)$", out, re.M)
        if proc.returncode != 0 or not m:
            die(f"wrk failed:\n{out}\n{err}")
        j = json.loads(m.group(1))
        e = j["errors"]
        j["error_count"] = e["connect"] + e["read"] + e["write"] + e["status"] + e["timeout"]
        j["rps"] = round(j["requests"] / (j["duration_us"] / 1e6), 1)
        j["latency_ms"] = {k: round(v / 1000, 3) for k, v in j.pop("latency_us").items()}
        return j

    def closed_loop(self, name: str, reqfile: Path, api: Api,
                    connections: int | None = None) -> dict:
        self.stmt_reset()
        peak_reset = reset_peak_rss(api.pid)
        perf = self.perf_start(f"{name}-{api.label}")
        sampler = Sampler(api.pid, self.postmaster, self.db)
        w = self.wrk(reqfile, self.args.duration, api, connections)
        sampler.gen_pid = w["proc"].pid
        with sampler:
            res = self.wrk_result(w["proc"])
        self.perf_stop(perf, f"{name}-{api.label}")
        stmts, plans, top = self.stmt_read()
        res["cpu"] = sampler.summary(res["requests"])
        res["stmts_total"] = stmts
        res["stmts_per_req"] = round(stmts / res["requests"], 3) if stmts is not None and res["requests"] else None
        if plans is not None and res["requests"]:
            res["plans_per_req"] = round(plans / res["requests"], 3)
        if res["requests"]:
            # Each statement's calls per request: shows what a request sends (a GET by id with
            # a cached session: the SELECT once, the session look-up ~0).
            for t in top:
                t["per_req"] = round(t["calls"] / res["requests"], 4)
        res["top_statements"] = top
        res["rss_peak_kb"] = proc_status_kb(api.pid, "VmHWM") if peak_reset else None
        res["rss_end_kb"] = proc_status_kb(api.pid, "VmRSS")
        return res

    def open_loop(self, name: str, reqfile: Path, rate: float, once: bool, api: Api) -> dict:
        return self.open_loop_finish(self.open_loop_start(reqfile, rate, once, api))

    def open_loop_start(self, reqfile: Path, rate: float, once: bool, api: Api) -> tuple:
        """Starts loadgen at `rate` (with its CPU sampler running); see open_loop_finish."""
        a = self.args
        cmd = [str(self.loadgen), "--addr", f"127.0.0.1:{api.port}", "--requests", str(reqfile),
               "--rate", f"{rate:.1f}", "--duration", str(a.duration),
               "--connections", str(a.connections)]
        if once:
            cmd.append("--once")
        sampler = Sampler(api.pid, self.postmaster, self.db)
        proc = subprocess.Popen(self.gen_priority + cmd, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        sampler.gen_pid = proc.pid
        sampler.__enter__()
        return proc, sampler

    def open_loop_finish(self, started: tuple) -> dict:
        proc, sampler = started
        try:
            out, err = proc.communicate()
        finally:
            sampler.__exit__(None, None, None)
        if proc.returncode != 0:
            die(f"loadgen failed:\n{out}\n{err}")
        j = json.loads(out)
        j["error_count"] = j["non_2xx"] + j["io_errors"]
        j["cpu"] = sampler.summary(j["requests"])
        for k in ("latency_corrected_us", "latency_uncorrected_us"):
            if j[k]:
                j[k.replace("_us", "_ms")] = {p: round(v / 1000, 3) for p, v in j.pop(k).items()}
        return j

    def pgbench_run(self, name: str) -> dict | None:
        if not self.pgbench:
            return None
        a = self.args
        d = self.deep
        defs = {
            "nids": len(self.ids), "one": 1, "lim": 21, "estados": "{pendiente}",
            "prioridades": "{alta}", "cur_ts": d["created_at"], "cur_id": d["id"],
            "npersonas": len(self.personas), "titulo": SEED_TITULO,
            "descripcion": SEED_DESCRIPCION, "prioridad": "urgente" if name == "patch" else "media",
            "versions": "{1}", "destino": "en_revision", "desde": "{pendiente}",
            "actor": self.admin_id,
        }
        cmd = [str(self.pgbench), "-n", "-M", "prepared", "-c", str(a.connections),
               "-j", str(a.threads), "-T", str(int(round(a.duration))), "-f",
               str(HERE / "pgbench" / f"{name}.sql")]
        for k, v in defs.items():
            cmd += ["-D", f"{k}={v}"]
        cmd.append(self.pg.conninfo(self.db))
        perf = self.perf_start(f"{name}-pgbench")
        sampler = Sampler(None, self.postmaster, self.db)
        proc = subprocess.Popen(cmd, env=self.pg.env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        sampler.gen_pid = proc.pid
        with sampler:
            out, err = proc.communicate()
        self.perf_stop(perf, f"{name}-pgbench")
        if proc.returncode != 0:
            die(f"pgbench failed for {name}:\n{out}\n{err}")

        def num(pattern):
            m = re.search(pattern, out)
            return float(m.group(1)) if m else None

        txns = int(num(r"number of transactions actually processed: (\d+)") or 0)
        res = {
            "tps": round(num(r"tps = ([\d.]+) \(without initial connection time\)") or 0, 1),
            "transactions": txns,
            "failed": int(num(r"number of failed transactions: (\d+)") or 0),
            "latency_avg_ms": num(r"latency average = ([\d.]+) ms"),
            "cpu": sampler.summary(txns),
        }
        if name in ("patch", "transition"):
            used = int(self.pg.scalar(self.db, "SELECT last_value FROM bench_seq"))
            res["pool_exhausted"] = used > len(self.pool)
            res["rows_changed"] = self.changed_rows(name)
        return res

    # -- per endpoint ----------------------------------------------------------------------

    def endpoint(self, name: str, label: str, kind: str, index: int) -> dict:
        """Every run of one endpoint: closed loop and open loop for the binary (and the
        baseline, alternating), then pgbench once."""
        a = self.args
        say(f"{name}: {label}")
        r: dict = {"label": label, "kind": kind}
        files = self.out / "requests"
        files.mkdir(exist_ok=True)
        pooled = name in ("patch", "transition")
        reqs = {}
        for api in self.apis:
            tag = f"{name}-{api.label}"
            if pooled:
                warm_rows, main_rows = self.pool[:WARMUP_ROWS], self.pool[WARMUP_ROWS:]
                reqs[api.label] = (
                    write_requests(files / f"{tag}-warmup.req",
                                   self.requests_for(name, api.port, warm_rows)),
                    write_requests(files / f"{tag}.req", self.requests_for(name, api.port, main_rows)))
            else:
                reqs[api.label] = (None, write_requests(files / f"{tag}.req",
                                                        self.requests_for(name, api.port)))
        self.log_problems()

        # Closed loops: each binary in turn, the order alternating from round to round and
        # from endpoint to endpoint, so neither always runs first (a warmer cache, a quieter
        # moment of the machine).
        rounds = a.get_rounds if name == "get" else a.rounds
        runs: dict[str, list[dict]] = {api.label: [] for api in self.apis}
        for rnd in range(max(1, rounds)):
            order = self.apis if (rnd + index) % 2 == 0 else self.apis[::-1]
            for api in order:
                runs[api.label].append(self.closed_run(name, api, *reqs[api.label], pooled))
        closed = {label: self.pick_round(rs) for label, rs in runs.items()}
        r["closed"] = c = closed["auth"]

        # Open loops at one rate for both: a fraction of the slower one's maximum.
        rate = max(1.0, min(x["rps"] for x in closed.values()) * a.rate_fraction)
        opened = {}
        for api in (self.apis if index % 2 == 0 else self.apis[::-1]):
            if pooled:
                self.reset_pool()
            opened[api.label] = o = self.open_loop(name, reqs[api.label][1], rate, pooled, api)
            if pooled:
                o["rows_changed"] = self.changed_rows(name)
            lat = o.get("latency_corrected_ms") or {}
            say(f"  {api.label} open loop at {rate:.0f} req/s: p50 {lat.get('p50')} ms, "
                f"p99 {lat.get('p99')} ms, p99.9 {lat.get('p99_9')} ms, errors {o['error_count']}")
        r["open"] = opened["auth"]
        if self.base is not None:
            r["baseline"] = {"closed": closed["baseline"], "open": opened["baseline"]}
            r["vs_baseline"] = self.compare(runs, opened)

        if pooled:
            self.reset_pool()
        r["pgbench"] = p = self.pgbench_run(name)
        if p:
            say(f"  pgbench: {p['tps']:.0f} tps, failed {p['failed']}")
        r["log"] = self.log_problems()
        self.evaluate(name, r)
        return r

    def closed_run(self, name: str, api: Api, warmfile: Path | None, reqfile: Path,
                   pooled: bool) -> dict:
        """Warm-up, then one closed-loop run of `api`."""
        a = self.args
        if pooled:
            self.reset_pool()
            # Warm the pool's connections (prepared statements, type look-ups) on rows of their own.
            wr = run([str(self.loadgen), "--addr", f"127.0.0.1:{api.port}", "--requests",
                      str(warmfile), "--rate", "0", "--duration", str(a.warmup), "--connections",
                      str(a.connections), "--once"], capture_output=True)
            if wr.returncode != 0:
                die(f"loadgen failed while warming up {name}: {wr.stderr}")
            warm_ok = sum(v for k, v in json.loads(wr.stdout)["statuses"].items()
                          if k.startswith("2"))
        else:
            self.wrk_result(self.wrk(reqfile, a.warmup, api)["proc"])
        c = self.closed_loop(name, reqfile, api)
        if pooled:
            # Rows the closed-loop run changed (the warm-up's are subtracted).
            c["rows_changed"] = self.changed_rows(name) - warm_ok
            if c.get("wrapped"):
                say(f"  warning: wrk ran out of fresh {name} rows; later requests failed")
        say(f"  {api.label} closed loop: {c['rps']:.0f} req/s, errors {c['error_count']}, "
            f"statements/request {c['stmts_per_req']}, API CPU {c['cpu']['api_cpu_us_per_req']} µs/req")
        return c

    @staticmethod
    def pick_round(rs: list[dict]) -> dict:
        """The round with the median throughput (the first of two), with every round's
        figures in `rounds` when there were several; errors are those of all rounds."""
        best = sorted(rs, key=lambda x: x["rps"])[(len(rs) - 1) // 2]
        if len(rs) > 1:
            best = dict(best)
            best["rounds"] = [{"rps": x["rps"], "api_cpu_us_per_req": x["cpu"]["api_cpu_us_per_req"],
                               "stmts_per_req": x["stmts_per_req"],
                               "other_busy_share": x["cpu"]["other_busy_share"]} for x in rs]
            best["error_count"] = sum(x["error_count"] for x in rs)
        return best

    @staticmethod
    def compare(runs: dict[str, list[dict]], opened: dict[str, dict]) -> dict:
        """The binary against the baseline: medians over the rounds of the closed loop, and the
        open loop at the same rate."""
        def med(label, f):
            return median([f(x) for x in runs[label]])

        def pair(f_closed):
            x, b = med("auth", f_closed), med("baseline", f_closed)
            return {"auth": x, "baseline": b, "ratio": ratio(x, b)}

        def lat(label):
            return opened[label].get("latency_corrected_ms") or {}

        def open_cpu(label):
            return opened[label]["cpu"]["api_cpu_us_per_req"]

        return {
            "rounds": len(runs["auth"]),
            "rps": pair(lambda x: x["rps"]),
            "api_cpu_us_per_req": pair(lambda x: x["cpu"]["api_cpu_us_per_req"]),
            "pg_cpu_us_per_req": pair(lambda x: x["cpu"]["pg_cpu_us_per_req"]),
            "stmts_per_req": pair(lambda x: x["stmts_per_req"]),
            "closed_latency_ms": {k: {"p50": median([x["latency_ms"]["p50"] for x in runs[k]]),
                                      "p99": median([x["latency_ms"]["p99"] for x in runs[k]])}
                                  for k in runs},
            "open_rate": opened["auth"].get("target_rate"),
            "open_latency_ms": {k: {p: lat(k).get(p) for p in ("p50", "p99", "p99_9")} for k in opened},
            # CPU per request at one fixed rate: disturbed by the machine's noise far less
            # than the maximum throughput (docs/benchmarks.md, the release profile).
            "open_api_cpu_us_per_req": {"auth": open_cpu("auth"), "baseline": open_cpu("baseline"),
                                        "ratio": ratio(open_cpu("auth"), open_cpu("baseline"))},
        }

    def evaluate(self, name: str, r: dict):
        c, o, p = r["closed"], r["open"], r.get("pgbench")
        r["ratio"] = round(c["rps"] / p["tps"], 3) if p and p["tps"] else None
        lat = o.get("latency_corrected_ms") or {}
        r["tail_ratio"] = round(lat["p99"] / lat["p50"], 2) if lat.get("p50") else None
        r["errors"] = c["error_count"] + o["error_count"] + (p["failed"] if p else 0) + \
            r["log"]["error"]
        if "baseline" in r:
            r["errors"] += r["baseline"]["closed"]["error_count"] + r["baseline"]["open"]["error_count"]
        t = {}
        if name == "get" and r["ratio"] is not None:
            t["ratio_ge_60pct"] = r["ratio"] >= TARGET_GET_RATIO
        if name in TARGET_STMTS and c["stmts_per_req"] is not None:
            # A few statements of connection set-up may land in the window: allow 1 %.
            t["stmts_per_req"] = c["stmts_per_req"] <= TARGET_STMTS[name] * 1.01
        if name == "get" and "vs_baseline" in r:
            v = r["vs_baseline"]
            t["rps_ge_90pct_of_baseline"] = (v["rps"]["ratio"] or 0) >= TARGET_AUTH_RPS
            t["api_cpu_le_110pct_of_baseline"] = (v["api_cpu_us_per_req"]["ratio"] or 9) <= TARGET_AUTH_CPU
        if r["tail_ratio"] is not None:
            t["p99_le_5x_p50"] = r["tail_ratio"] <= TARGET_TAIL
        if c.get("rss_peak_kb"):
            t["rss_le_50mb"] = c["rss_peak_kb"] <= TARGET_RSS_MB * 1024
        t["zero_errors"] = r["errors"] == 0
        r["targets"] = t

    # -- login -----------------------------------------------------------------------------

    def login_scenario(self) -> dict:
        """Login throughput (closed loop, BENCH_LOGIN_CONNECTIONS logins at a time), then GET by
        id at a fixed rate without and during a login storm (the same logins in a loop)."""
        a = self.args
        files = self.out / "requests"
        files.mkdir(exist_ok=True)
        api = self.api
        say(f"login: POST /auth/token, {a.login_connections} at a time")
        login_req = write_requests(files / "login.req", self.requests_for("login", api.port))
        get_req = files / "get-auth.req"
        if not get_req.exists():
            write_requests(get_req, self.requests_for("get", api.port))
        self.log_problems()
        res: dict = {"connections": a.login_connections}

        self.wrk_result(self.wrk(login_req, a.warmup, api, a.login_connections)["proc"])
        res["closed"] = c = self.closed_loop("login", login_req, api, a.login_connections)
        say(f"  login closed loop: {c['rps']:.1f} logins/s, p50 {c['latency_ms']['p50']} ms, "
            f"p99 {c['latency_ms']['p99']} ms, errors {c['error_count']}, "
            f"statements/login {c['stmts_per_req']}, API CPU {c['cpu']['api_cpu_us_per_req']} µs/login")

        get = self.results["endpoints"].get("get")
        if a.storm_get_rate:
            rate = a.storm_get_rate
        elif get:
            rate = get["closed"]["rps"] * a.storm_get_fraction
        else:
            rate = 1000.0
        res["get_rate"] = round(rate, 1)
        # Warm the GET path again (the login runs filled the caches with other things).
        self.wrk_result(self.wrk(get_req, a.warmup, api)["proc"])
        res["get_quiet"] = q = self.open_loop("get", get_req, rate, False, api)
        lq = q.get("latency_corrected_ms") or {}
        say(f"  GET at {rate:.0f} req/s, no storm: p50 {lq.get('p50')} ms, p99 {lq.get('p99')} ms, "
            f"p99.9 {lq.get('p99_9')} ms")

        # The storm runs for the whole GET run and a second either side of it.
        storm = self.wrk(login_req, a.duration + 2, api, a.login_connections)
        time.sleep(1)
        res["get_storm"] = s = self.open_loop("get", get_req, rate, False, api)
        res["storm"] = st = self.wrk_result(storm["proc"])
        ls = s.get("latency_corrected_ms") or {}
        say(f"  GET at {rate:.0f} req/s during the storm ({st['rps']:.1f} logins/s): "
            f"p50 {ls.get('p50')} ms, p99 {ls.get('p99')} ms, p99.9 {ls.get('p99_9')} ms")
        res["log"] = self.log_problems()
        res["errors"] = (c["error_count"] + q["error_count"] + s["error_count"] + st["error_count"]
                         + res["log"]["error"])
        res["targets"] = {"zero_errors": res["errors"] == 0}
        return res

    # -- output ----------------------------------------------------------------------------

    def table(self) -> str:
        head = ("endpoint", "API req/s", "pgbench tps", "ratio", "stmt/req", "p50 ms", "p99 ms",
                "p99.9 ms", "p99/p50", "API µs/req", "PG µs/req", "RSS MB", "errors", "busy")
        rows = []
        for name, r in self.results["endpoints"].items():
            c, o, p = r["closed"], r["open"], r.get("pgbench")
            lat = o.get("latency_corrected_ms") or {}
            rows.append((
                name, f"{c['rps']:.0f}", f"{p['tps']:.0f}" if p else "-",
                f"{r['ratio'] * 100:.0f} %" if r["ratio"] is not None else "-",
                f"{c['stmts_per_req']:.2f}" if c["stmts_per_req"] is not None else "-",
                f"{lat.get('p50', 0):.2f}", f"{lat.get('p99', 0):.2f}", f"{lat.get('p99_9', 0):.2f}",
                f"{r['tail_ratio']:.1f}" if r["tail_ratio"] else "-",
                f"{c['cpu']['api_cpu_us_per_req']:.0f}", f"{c['cpu']['pg_cpu_us_per_req']:.0f}",
                f"{c['rss_peak_kb'] / 1024:.1f}" if c.get("rss_peak_kb") else "-",
                str(r["errors"]), f"{self.busy(r) * 100:.0f} %",
            ))
        widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
        fmt = lambda row: "  ".join(  # noqa: E731
            (cell.ljust(w) if i == 0 else cell.rjust(w)) for i, (cell, w) in enumerate(zip(row, widths)))
        lines = [fmt(head), fmt(tuple("-" * w for w in widths))] + [fmt(row) for row in rows]
        return "\n".join(lines)

    def baseline_table(self) -> str:
        """The binary (auth) against the baseline, endpoint by endpoint."""
        head = ("endpoint", "auth req/s", "base req/s", "ratio", "auth API µs", "base API µs",
                "ratio", "at rate", "auth µs", "base µs", "auth p50/p99 ms", "base p50/p99 ms",
                "auth stmt", "base stmt")
        rows = []
        for name, r in self.results["endpoints"].items():
            v = r.get("vs_baseline")
            if not v:
                continue
            pct = lambda x: f"{x * 100:.0f} %" if x is not None else "-"  # noqa: E731
            num = lambda x, f="{:.0f}": f.format(x) if x is not None else "-"  # noqa: E731
            lat = lambda k: (f"{num(v['open_latency_ms'][k]['p50'], '{:.2f}')} / "  # noqa: E731
                             f"{num(v['open_latency_ms'][k]['p99'], '{:.2f}')}")
            oc = v["open_api_cpu_us_per_req"]
            rows.append((
                name, num(v["rps"]["auth"]), num(v["rps"]["baseline"]), pct(v["rps"]["ratio"]),
                num(v["api_cpu_us_per_req"]["auth"]), num(v["api_cpu_us_per_req"]["baseline"]),
                pct(v["api_cpu_us_per_req"]["ratio"]), num(v["open_rate"]),
                num(oc["auth"]), num(oc["baseline"]), lat("auth"), lat("baseline"),
                num(v["stmts_per_req"]["auth"], "{:.3f}"),
                num(v["stmts_per_req"]["baseline"], "{:.3f}"),
            ))
        if not rows:
            return ""
        widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
        fmt = lambda row: "  ".join(  # noqa: E731
            (cell.ljust(w) if i == 0 else cell.rjust(w)) for i, (cell, w) in enumerate(zip(row, widths)))
        return "\n".join([fmt(head), fmt(tuple("-" * w for w in widths))] + [fmt(r) for r in rows])

    def login_text(self) -> str:
        lg = self.results.get("login")
        if not lg:
            return ""
        c, q, s, st = lg["closed"], lg["get_quiet"], lg["get_storm"], lg["storm"]
        lq, ls = q.get("latency_corrected_ms") or {}, s.get("latency_corrected_ms") or {}
        uq, us = q.get("latency_uncorrected_ms") or {}, s.get("latency_uncorrected_ms") or {}
        return "\n".join([
            f"login (POST /auth/token, {lg['connections']} at a time): {c['rps']:.1f} logins/s, "
            f"p50 {c['latency_ms']['p50']:.0f} ms, p99 {c['latency_ms']['p99']:.0f} ms, "
            f"API CPU {c['cpu']['api_cpu_us_per_req'] / 1000:.1f} ms/login, "
            f"{c['stmts_per_req']} statements/login, errors {c['error_count']}, peak RSS "
            f"{(c.get('rss_peak_kb') or 0) / 1024:.1f} MB",
            f"GET by id at {lg['get_rate']:.0f} req/s (corrected p50 / p99 / p99.9 ms; uncorrected p99):",
            f"  no storm:     {lq.get('p50')} / {lq.get('p99')} / {lq.get('p99_9')}; {uq.get('p99')}"
            f"  ({q['achieved_rate']:.0f} req/s, errors {q['error_count']})",
            f"  during storm: {ls.get('p50')} / {ls.get('p99')} / {ls.get('p99_9')}; {us.get('p99')}"
            f"  ({s['achieved_rate']:.0f} req/s, errors {s['error_count']}; "
            f"{st['rps']:.1f} logins/s meanwhile)",
        ])

    @staticmethod
    def busy(r: dict) -> float:
        """The largest share of the machine that other programs used during this endpoint's runs."""
        runs = [r["closed"], r["open"]] + ([r["pgbench"]] if r.get("pgbench") else [])
        if r.get("baseline"):
            runs += [r["baseline"]["closed"], r["baseline"]["open"]]
        return max(x["cpu"]["other_busy_share"] or 0 for x in runs)

    def targets_text(self) -> tuple[str, bool]:
        lines, ok = [], True
        scenarios = dict(self.results["endpoints"])
        if self.results.get("login"):
            scenarios["login"] = self.results["login"]
        for name, r in scenarios.items():
            for t, passed in r["targets"].items():
                ok &= passed
                if not passed:
                    lines.append(f"  MISSED  {name}: {t}")
        met = sum(v for r in scenarios.values() for v in r["targets"].values())
        total = sum(len(r["targets"]) for r in scenarios.values())
        lines.insert(0, f"targets: {met}/{total} met")
        return "\n".join(lines), ok

    # -- main ------------------------------------------------------------------------------

    def main(self) -> int:
        a = self.args
        started = dt.datetime.now(dt.timezone.utc)
        load_before = os.getloadavg()
        self.ensure_tools()
        self.build()
        if load_before[0] > 0.5:
            say(f"note: load average before the run is {load_before[0]:.2f} — other work on this "
                "machine will show in the results (other_busy_share)")
        try:
            self.create_database()
            self.seed()
            for api in self.apis:
                self.start_api(api)
            self.token = self.login()
            self.deep = self.deep_cursor()
            only = [x for x in a.only.split(",") if x] if a.only else None
            self.results = {
                "schema": 1,
                "started_at": started.isoformat(timespec="seconds"),
                "git": git_info(),
                "note": a.note,
                "host": {
                    "cpus": os.cpu_count(), "kernel": platform.release(),
                    "cpu_model": _cpu_model(), "load_avg_before": [round(x, 2) for x in load_before],
                },
                "config": {
                    "duration_s": a.duration, "warmup_s": a.warmup,
                    "connections": a.connections, "threads": a.threads,
                    "rate_fraction": a.rate_fraction, "personas": a.personas,
                    "solicitudes": a.solicitudes,
                    "pool_max_size": a.pool_size or "service default (10)",
                    "log_level": a.log_level or "service default (info)",
                    "binary": str(self.bin),
                    "binary_size": self.bin.stat().st_size,
                    "baseline_binary": str(self.base.bin) if self.base else None,
                    "baseline_binary_size": self.base.bin.stat().st_size if self.base else None,
                    "rounds": a.rounds, "get_rounds": a.get_rounds,
                    "login_connections": a.login_connections,
                    "generator_closed": "wrk " + (run(["wrk", "-v"], capture_output=True).stdout
                                                  .split("\n")[0].split(" ")[1] if shutil.which("wrk") else ""),
                    "generator_open": "scripts/bench/loadgen (solicitudes-loadgen)",
                    "generator_open_priority": " ".join(self.gen_priority[1:]) or "default",
                },
                "database": {"cluster": self.cluster, "name": self.db,
                             "settings": self.pg_settings, "seed_s": self.seed_s,
                             "deep_cursor_offset": self.deep["offset"]},
                "rss_idle_kb": self.api.rss_idle_kb,
                "baseline_rss_idle_kb": self.base.rss_idle_kb if self.base else None,
                "endpoints": {},
            }
            index = 0
            for name, label, kind in ENDPOINTS:
                if only and name not in only:
                    continue
                self.results["endpoints"][name] = self.endpoint(name, label, kind, index)
                index += 1
            peaks = [r["closed"].get("rss_peak_kb") or 0 for r in self.results["endpoints"].values()]
            self.results["rss_peak_kb"] = max([*peaks, proc_status_kb(self.api.pid, "VmHWM") or 0])
            # Last: it fills the sessions table and Argon2's memory shows in the peak RSS.
            if not only or "login" in only:
                self.results["login"] = self.login_scenario()
            self.results["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
            self.results["finished_at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        finally:
            self.stop()
        return self.report()

    def report(self) -> int:
        path = OUT_ROOT / f"results-{self.ts}.json"
        path.write_text(json.dumps(self.results, indent=2, ensure_ascii=False) + "\n")
        if not self.args.no_copy:
            (REPO / "bench").mkdir(exist_ok=True)
            shutil.copyfile(path, REPO / "bench" / "latest.json")
        table = self.table() if self.results["endpoints"] else ""
        targets, ok = self.targets_text()
        other = [self.busy(r) for r in self.results["endpoints"].values()] or [0.0]
        print()
        print(f"solicitudes bench {self.ts}: {self.args.connections} connections, "
              f"{self.args.duration:g} s per run, latency at {self.args.rate_fraction:.0%} of the "
              f"closed-loop maximum (corrected for coordinated omission)")
        print(table)
        print(f"peak RSS {self.results['rss_peak_kb'] / 1024:.1f} MB (idle {self.api.rss_idle_kb / 1024:.1f} MB); "
              f"busy = CPU used by other programs during an endpoint's runs (share of all cores)")
        comparison = self.baseline_table()
        if comparison:
            print()
            print(f"against the baseline ({self.base.bin}), median of {self.args.rounds} closed-loop "
                  f"round(s) each ({self.args.get_rounds} for get), alternating; API µs = CPU per "
                  "request in the closed loop, then at one open-loop rate for both:")
            print(comparison)
        login = self.login_text()
        if login:
            print()
            print(login)
        if max(other) > 0.10:
            print(f"WARNING: other programs used up to {max(other) * 100:.0f} % of the machine during "
                  "the runs; the numbers are lower and noisier than on a quiet machine")
        print(targets)
        print(f"results: {path.relative_to(REPO)}" + ("" if self.args.no_copy else " (copied to bench/latest.json)"))
        return 1 if (self.args.strict and not ok) else 0

    @property
    def apis(self) -> list[Api]:
        """The binaries under test: the one built here (auth) and the baseline, if any."""
        return [x for x in (self.api, self.base) if x is not None]

    def stop(self):
        for api in self.apis:
            api.stop()
        if self.pg is not None:
            if self.args.keep_db:
                say(f"keeping database {self.db} (BENCH_KEEP_DB=1)")
            else:
                self.pg.sql(self.pg.admin_db, f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)',
                            check=False)
        if self.cleanup_cluster:
            xtask("pg", "down", self.cleanup_cluster, stderr=subprocess.PIPE)


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=float, default=env_default("BENCH_DURATION", 10.0))
    p.add_argument("--warmup", type=float, default=env_default("BENCH_WARMUP", 3.0))
    p.add_argument("--connections", type=int, default=env_default("BENCH_CONNECTIONS", 10))
    p.add_argument("--threads", type=int, default=env_default("BENCH_THREADS", 2))
    p.add_argument("--rate-fraction", type=float, default=env_default("BENCH_RATE_FRACTION", 0.8))
    p.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""))
    p.add_argument("--pool-size", type=int, default=env_default("BENCH_POOL_SIZE", 0))
    p.add_argument("--log-level", default=os.environ.get("BENCH_LOG_LEVEL", ""))
    p.add_argument("--bin", default=os.environ.get("BENCH_BIN", ""))
    p.add_argument("--baseline-bin", default=os.environ.get("BENCH_BASELINE_BIN", ""),
                   help="a binary without authentication, measured side by side")
    p.add_argument("--rounds", type=int, default=env_default("BENCH_ROUNDS", 1),
                   help="closed-loop rounds per binary and endpoint (alternating)")
    p.add_argument("--get-rounds", type=int, default=env_default("BENCH_GET_ROUNDS", 3),
                   help="the same for GET by id (the acceptance figure)")
    p.add_argument("--login-connections", type=int,
                   default=env_default("BENCH_LOGIN_CONNECTIONS", 8))
    p.add_argument("--storm-get-rate", type=float, default=env_default("BENCH_STORM_GET_RATE", 0.0),
                   help="GET rate during the login storm (default: a fraction of GET's maximum)")
    p.add_argument("--storm-get-fraction", type=float,
                   default=env_default("BENCH_STORM_GET_FRACTION", 0.25))
    p.add_argument("--personas", type=int, default=env_default("BENCH_PERSONAS", 1000))
    p.add_argument("--solicitudes", type=int, default=env_default("BENCH_SOLICITUDES", 100000))
    p.add_argument("--keep-db", action="store_true", default=os.environ.get("BENCH_KEEP_DB") == "1")
    p.add_argument("--perf", action="store_true", default=os.environ.get("BENCH_PERF") == "1")
    p.add_argument("--strict", action="store_true", default=os.environ.get("BENCH_STRICT") == "1")
    p.add_argument("--track-planning", action="store_true",
                   default=os.environ.get("BENCH_TRACK_PLANNING") == "1",
                   help="also count plannings per request (pg_stat_statements.track_planning)")
    p.add_argument("--no-copy", action="store_true", default=os.environ.get("BENCH_NO_COPY") == "1",
                   help="do not copy the results to bench/latest.json")
    p.add_argument("--note", default=os.environ.get("BENCH_NOTE", ""))
    a = p.parse_args()
    a.threads = max(1, min(a.threads, a.connections))
    return a


if __name__ == "__main__":
    bench = Bench(parse_args())
    try:
        sys.exit(bench.main())
    except KeyboardInterrupt:
        bench.stop()
        sys.exit(130)
