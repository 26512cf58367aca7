#!/usr/bin/env bash
# scripts/pg.sh — private, per-checkout PostgreSQL clusters for solicitudes.
#
# Usage:
#   scripts/pg.sh up      NAME   start (creating on first use) and print its URL
#   scripts/pg.sh url     NAME   print the URL without starting anything
#   scripts/pg.sh status  NAME   print "running"/"stopped" (exit 0 / exit 3)
#   scripts/pg.sh down    NAME   stop the cluster (no error if it is not running)
#   scripts/pg.sh destroy NAME   stop it and delete its data and password
#   scripts/pg.sh stop-immediate NAME   stop it without a shutdown checkpoint
#   scripts/pg.sh kill9   NAME   SIGKILL its postmaster (a crash), wait for
#                                its processes to go; `up` then recovers
#   scripts/pg.sh deps           make sure the PostgreSQL server binaries exist
#                                (installs Debian's `postgresql` if they do not)
#
# NAME is `dev`, `test` or any other [a-z0-9-]+ name (at most 40 characters;
# the resilience tests use `res-…`); each is a separate cluster with its own port:
#   dev  -> 127.0.0.1:54329 (override with PGPORT_DEV)
#   test -> 127.0.0.1:54328 (override with PGPORT_TEST; fsync etc. off)
#   other -> the port in PGPORT (required by the first `up`; later ones reuse
#            the port it last started on); fsync etc. off, like test
# A running cluster is reused on whatever port it was started with, unless
# the variable is set to a different port (then `up` fails: run `down` first).
# If the port is taken by anything else, `up` fails and names the variable.
#
# Only the URL goes to stdout (`up`, `url`; `status` prints its line there);
# every diagnostic goes to stderr, so callers can write
#   DATABASE_URL=$(scripts/pg.sh up dev)
#
# Other environment knobs:
#   PG_BIN   directory holding initdb/pg_ctl/postgres (default: newest
#            /usr/lib/postgresql/*/bin with initdb, preferring 15)
#   PG_FSYNC `on` keeps fsync, synchronous_commit and full_page_writes on for
#            a cluster other than dev (read at every `up`; dev always has them)
#
# Layout (<repo>/.local/ is git-ignored):
#   <repo>/.local/postgres/NAME            data directory (or a symlink to it)
#   <repo>/.local/postgres/NAME.password   the role's password, mode 600
#   <repo>/.local/postgres/NAME.lock       serialises concurrent up/down/destroy
# The cluster superuser is the role `solicitudes`; the database is `solicitudes`.
#
# initdb/postgres/pg_ctl refuse to run as root, so as root they run as the
# `postgres` system user (from Debian's package) and the data directory is
# owned by it. If that user cannot reach <repo>/.local/postgres (a checkout
# under /root, say), the data directory lives in
# /var/tmp/solicitudes-pg/<sha1(repo path):12>/NAME and the path in the repo
# is a symlink to it. We never talk to any other server on the machine.

set -euo pipefail

# All ordinary output goes to stderr; fd 3 is the real stdout, used only for
# the URL (and status word).
exec 3>&1 1>&2

readonly PROG="scripts/pg.sh"
readonly DB_NAME="solicitudes"
readonly DB_USER="solicitudes"
PREFERRED_PG_MAJOR=15

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
readonly REPO_ROOT
readonly LOCAL_DIR="$REPO_ROOT/.local/postgres"

# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

note() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
    printf '%s: error: %s\n' "$PROG" "$*" >&2
    exit 1
}

usage() {
    sed -n '3,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit "${1:-2}"
}

# Temporary files to delete on exit (the initdb password copy).
TMP_FILES=()
cleanup() {
    local f
    for f in "${TMP_FILES[@]+"${TMP_FILES[@]}"}"; do
        rm -f -- "$f"
    done
}
trap cleanup EXIT

IS_ROOT=0
if [[ "$(id -u)" -eq 0 ]]; then IS_ROOT=1; fi

# The OS user that owns the cluster and runs the server.
if ((IS_ROOT)); then SERVER_USER=postgres; else SERVER_USER="$(id -un)"; fi

# Run a command as the server user. As root this goes through runuser; we
# `cd /` first because PostgreSQL programs complain when they cannot access
# the current directory (e.g. /root as the postgres user). All paths we pass
# are absolute.
as_server() {
    if ((IS_ROOT)); then
        (cd / && runuser -u "$SERVER_USER" -- "$@")
    else
        "$@"
    fi
}

# Is something accepting TCP connections on 127.0.0.1:PORT?
port_in_use() {
    timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# 48 hex characters from the kernel's CSPRNG: URL- and SQL-literal-safe.
random_password() {
    od -An -N24 -tx1 /dev/urandom | tr -d ' \n'
}

# ---------------------------------------------------------------------------
# Locating (and if needed installing) the server binaries
# ---------------------------------------------------------------------------

# A usable bin dir has the programs we run.
bin_dir_ok() {
    local d="$1" p
    for p in initdb pg_ctl postgres psql; do
        [[ -x "$d/$p" ]] || return 1
    done
}

# Print the bin dir to use, or nothing. Optional $1: a major version that
# must be used (the one an existing cluster was created with).
find_pg_bin() {
    local want_major="${1:-}" d
    if [[ -n "${PG_BIN:-}" ]]; then
        printf '%s\n' "$PG_BIN"
        return 0
    fi
    if [[ -n "$want_major" ]]; then
        d="/usr/lib/postgresql/$want_major/bin"
        if bin_dir_ok "$d"; then printf '%s\n' "$d"; fi
        return 0
    fi
    d="/usr/lib/postgresql/$PREFERRED_PG_MAJOR/bin"
    if bin_dir_ok "$d"; then
        printf '%s\n' "$d"
        return 0
    fi
    # Newest version that has a complete set of binaries.
    local candidates=() c
    shopt -s nullglob
    candidates=(/usr/lib/postgresql/*/bin)
    shopt -u nullglob
    if ((${#candidates[@]})); then
        while IFS= read -r c; do
            if bin_dir_ok "$c"; then
                printf '%s\n' "$c"
                return 0
            fi
        done < <(printf '%s\n' "${candidates[@]}" | sort -t/ -k5,5 -V -r)
    fi
}

install_postgresql() {
    local -a cmd_update=(apt-get update -qq)
    local -a cmd_install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)
    if ! command -v apt-get >/dev/null 2>&1; then
        die "PostgreSQL server binaries not found and this is not a Debian-like system: install the PostgreSQL server (initdb, pg_ctl, postgres) and set PG_BIN to its bin directory"
    fi
    if ((IS_ROOT)); then
        note "PostgreSQL server binaries not found; installing Debian's 'postgresql' package"
        if ! { "${cmd_update[@]}" && "${cmd_install[@]}"; }; then
            die "installing 'postgresql' with apt-get failed (see above)"
        fi
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        note "PostgreSQL server binaries not found; installing Debian's 'postgresql' package with sudo"
        if ! { sudo -n "${cmd_update[@]}" && sudo -n "${cmd_install[@]}"; }; then
            die "installing 'postgresql' with sudo apt-get failed (see above)"
        fi
    else
        die "PostgreSQL server binaries not found and cannot install them: run \`sudo apt-get install postgresql\` (or set PG_BIN to a directory with initdb, pg_ctl and postgres)"
    fi
}

# Sets PG_BIN_DIR, installing PostgreSQL if needed. $1 as for find_pg_bin.
ensure_pg_bin() {
    local want_major="${1:-}"
    PG_BIN_DIR="$(find_pg_bin "$want_major")"
    if [[ -z "$PG_BIN_DIR" && -z "$want_major" ]]; then
        install_postgresql
        PG_BIN_DIR="$(find_pg_bin)"
        [[ -n "$PG_BIN_DIR" ]] || die "installed 'postgresql' but still found no /usr/lib/postgresql/*/bin/initdb"
    fi
    if [[ -z "$PG_BIN_DIR" ]]; then
        die "cluster $NAME was created by PostgreSQL $want_major, whose binaries are not installed: install postgresql-$want_major, set PG_BIN, or run \`$PROG destroy $NAME\` to start over"
    fi
    if ((IS_ROOT)) && ! id -u "$SERVER_USER" >/dev/null 2>&1; then
        die "running as root, but there is no '$SERVER_USER' system user to run the server as (Debian's postgresql package creates it): install postgresql, or run this script as an ordinary user"
    fi
    if ((IS_ROOT)) && ! command -v runuser >/dev/null 2>&1; then
        die "running as root, but 'runuser' (util-linux) is missing; it is needed to run the server as '$SERVER_USER'"
    fi
}

# pkglibdir of the chosen installation (where pg_stat_statements.so lives).
pg_pkglibdir() {
    if [[ -x "$PG_BIN_DIR/pg_config" ]]; then
        "$PG_BIN_DIR/pg_config" --pkglibdir
    else
        # Debian layout: /usr/lib/postgresql/N/bin -> /usr/lib/postgresql/N/lib
        printf '%s\n' "$(dirname "$PG_BIN_DIR")/lib"
    fi
}

# ---------------------------------------------------------------------------
# Per-cluster paths and state
# ---------------------------------------------------------------------------

# Sets NAME, PORT, PORT_VAR, DATA_LINK, PW_FILE, LOCK_FILE, FALLBACK_DIR.
set_cluster() {
    NAME="$1"
    case "$NAME" in
        dev) PORT_VAR=PGPORT_DEV PORT="${PGPORT_DEV:-54329}" ;;
        test) PORT_VAR=PGPORT_TEST PORT="${PGPORT_TEST:-54328}" ;;
        *)
            if ! [[ "$NAME" =~ ^[a-z0-9-]{1,40}$ ]]; then
                die "bad cluster name '$NAME' (expected 'dev', 'test' or up to 40 of [a-z0-9-])"
            fi
            # Empty when PGPORT is unset: cmd_up then uses the port the cluster last
            # started on (see saved_port), and fails if it never started.
            PORT_VAR=PGPORT PORT="${PGPORT:-}"
            ;;
    esac
    if [[ -n "$PORT" ]] && { ! [[ "$PORT" =~ ^[0-9]{4,5}$ ]] || ((10#$PORT < 1024 || 10#$PORT > 65535)); }; then
        die "$PORT_VAR=$PORT is not a port number between 1024 and 65535"
    fi
    DATA_LINK="$LOCAL_DIR/$NAME"
    PW_FILE="$LOCAL_DIR/$NAME.password"
    LOCK_FILE="$LOCAL_DIR/$NAME.lock"
    local hash
    hash="$(printf '%s' "$REPO_ROOT" | sha1sum | cut -c1-12)"
    FALLBACK_BASE="/var/tmp/solicitudes-pg"
    FALLBACK_DIR="$FALLBACK_BASE/$hash/$NAME"
    REPO_HASH="$hash"
}

# The real data directory if one exists (following the symlink), else empty.
existing_data_dir() {
    if [[ -L "$DATA_LINK" ]]; then
        readlink -f -- "$DATA_LINK" || true
    elif [[ -d "$DATA_LINK" ]]; then
        printf '%s\n' "$DATA_LINK"
    fi
}

is_initialized() { [[ -n "${1:-}" && -f "$1/PG_VERSION" ]]; }

# Is the cluster in DIR running? pg_ctl checks postmaster.pid and that the
# process in it is alive; a stale file from a crash counts as not running.
# After a reboot the recorded PID may belong to an unrelated process of the
# same user: then pg_ctl (and the server) would think it is running, so we
# also look at the process name and set STALE_PID=1 in that case. The same
# goes for a postmaster that was killed but not yet reaped (a zombie: in a
# container whose init does not reap orphans promptly, after `kill9`).
# Removing such a file is safe: a new postmaster still refuses to start while
# old backends hold the shared memory (that check does not use the file).
STALE_PID=0
is_running() {
    local dir="$1" pid
    STALE_PID=0
    is_initialized "$dir" || return 1
    [[ -f "$dir/postmaster.pid" ]] || return 1
    as_server "$PG_BIN_DIR/pg_ctl" -D "$dir" status >/dev/null 2>&1 || return 1
    pid="$(sed -n '1p' "$dir/postmaster.pid" 2>/dev/null | tr -d '[:space:]')"
    if [[ "$pid" =~ ^[0-9]+$ && -r "/proc/$pid/comm" ]] \
        && [[ "$(<"/proc/$pid/comm")" != postgres* \
            || "$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null)" == Z ]]; then
        STALE_PID=1
        return 1
    fi
}

# Port a running cluster listens on (line 4 of postmaster.pid).
running_port() {
    sed -n '4p' "$1/postmaster.pid" 2>/dev/null | tr -d '[:space:]'
}

# Port the cluster in DIR was last started on (from the solicitudes.conf that
# `up` writes), or nothing.
saved_port() {
    sed -n 's/^port = \([0-9]\{4,5\}\)$/\1/p' "$1/solicitudes.conf" 2>/dev/null | head -n 1
}

# Socket directory: inside the data directory when its path is short enough
# for a Unix socket name (sun_path is 108 bytes, the socket file name adds
# ~15), otherwise a private directory under /tmp.
socket_dir_for() {
    local dir="$1"
    if ((${#dir} < 90)); then
        printf '%s\n' "$dir"
    else
        printf '/tmp/solicitudes-pg-%s-%s-%s\n' "$REPO_HASH" "$SERVER_USER" "$NAME"
    fi
}

ensure_socket_dir() {
    local sock="$1" dir="$2"
    [[ "$sock" == "$dir" ]] && return 0
    if [[ ! -e "$sock" ]]; then
        as_server mkdir -m 700 -- "$sock"
    fi
    if [[ -L "$sock" || ! -d "$sock" || "$(stat -c %U -- "$sock")" != "$SERVER_USER" ]]; then
        die "$sock exists but is not a directory owned by $SERVER_USER; remove it and retry"
    fi
}

# Tools that talk to the server over TCP: ignore the caller's libpq settings
# so that only our cluster is ever contacted.
scrub_libpq_env() {
    unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGPASSWORD PGPASSFILE \
        PGSERVICE PGSERVICEFILE PGOPTIONS PGSSLMODE PGREQUIRESSL PGTARGETSESSIONATTRS \
        PGCONNECT_TIMEOUT PGAPPNAME
}

# psql over TCP as the cluster superuser; remaining args go to psql.
psql_tcp() {
    local dbname="$1"
    shift
    PGPASSWORD="$(<"$PW_FILE")" PGCONNECT_TIMEOUT=10 \
        "$PG_BIN_DIR/psql" -X -q -v ON_ERROR_STOP=1 \
        -d "host=127.0.0.1 port=$PORT user=$DB_USER dbname=$dbname sslmode=disable" "$@"
}

print_url() {
    local pw="$1" port="$2"
    printf 'postgres://%s:%s@127.0.0.1:%s/%s\n' "$DB_USER" "$pw" "$port" "$DB_NAME" >&3
}

# ---------------------------------------------------------------------------
# Creating the cluster
# ---------------------------------------------------------------------------

# Decide where the data directory goes and create it (empty, owned by the
# server user, mode 700). Prints its path.
create_data_dir() {
    local dir="$DATA_LINK"
    # A dangling symlink (its target was cleaned away) is decided afresh.
    if [[ -L "$DATA_LINK" ]]; then rm -f -- "$DATA_LINK"; fi
    if ((IS_ROOT)) && ! runuser -u "$SERVER_USER" -- test -x "$LOCAL_DIR" 2>/dev/null; then
        dir="$FALLBACK_DIR"
        note "the '$SERVER_USER' user cannot reach $LOCAL_DIR; keeping the $NAME cluster in $dir (symlinked from the repo)"
        # /var/tmp is world-writable: refuse a directory someone else made.
        local d
        for d in "$FALLBACK_BASE" "$FALLBACK_BASE/$REPO_HASH"; do
            if [[ ! -e "$d" && ! -L "$d" ]]; then mkdir -m 755 -- "$d"; fi
            if [[ -L "$d" || ! -d "$d" || "$(stat -c %u -- "$d")" != 0 ]]; then
                die "$d is not a root-owned directory; remove it and retry"
            fi
        done
        if [[ -e "$dir" ]] && ! is_initialized "$dir" && [[ -n "$(ls -A -- "$dir")" ]]; then
            die "$dir exists, is not empty and holds no cluster; remove it and retry"
        fi
        mkdir -p -- "$dir"
        ln -sfn -- "$dir" "$DATA_LINK"
    else
        mkdir -p -- "$dir"
    fi
    if ((IS_ROOT)); then chown "$SERVER_USER:" -- "$dir"; fi
    chmod 700 -- "$dir"
    printf '%s\n' "$dir"
}

initdb_cluster() {
    local dir="$1"
    # The password is made once and kept; reuse it if the data was lost.
    if [[ ! -s "$PW_FILE" ]]; then
        (umask 077 && random_password >"$PW_FILE")
    fi
    chmod 600 -- "$PW_FILE"

    # initdb reads the password from a file the server user must be able to
    # read: hand it a private temporary copy.
    local pwcopy
    local tmpdir="${TMPDIR:-/tmp}"
    # As root, $TMPDIR may be private to root: use /tmp, which postgres can reach.
    if ((IS_ROOT)); then tmpdir=/tmp; fi
    pwcopy="$(mktemp "$tmpdir/solicitudes-pg-pw.XXXXXXXX")"
    TMP_FILES+=("$pwcopy")
    cat -- "$PW_FILE" >"$pwcopy"
    if ((IS_ROOT)); then chown "$SERVER_USER:" -- "$pwcopy"; fi

    # C.UTF-8 is built into glibc >= 2.35 (Debian 12); fall back to C.
    local locale=C.UTF-8
    if ! locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
        locale=C
        note "locale C.UTF-8 not available; using --locale=C (encoding is still UTF8)"
    fi

    note "initialising the $NAME cluster in $dir"
    local out
    if ! out="$(as_server "$PG_BIN_DIR/initdb" -D "$dir" -U "$DB_USER" \
        --encoding=UTF8 --locale="$locale" \
        --auth-local=trust --auth-host=scram-sha-256 \
        --pwfile="$pwcopy" 2>&1)"; then
        printf '%s\n' "$out" >&2
        die "initdb failed for the $NAME cluster (output above)"
    fi
    rm -f -- "$pwcopy"

    # Our settings live in their own file, rewritten at every start (so a
    # changed port or moved checkout is picked up); postgresql.conf just
    # includes it. It comes last in postgresql.conf, so it wins there.
    printf "\n# Settings managed by %s (rewritten at every start).\ninclude_if_exists = 'solicitudes.conf'\n" "$PROG" \
        | as_server tee -a "$dir/postgresql.conf" >/dev/null
}

# (Re)write <data>/solicitudes.conf for the current port and socket dir.
write_settings() {
    local dir="$1" sock="${2//\'/\'\'}" preload=""
    local so
    so="$(pg_pkglibdir)/pg_stat_statements.so"
    if [[ -f "$so" ]]; then
        preload="shared_preload_libraries = 'pg_stat_statements'"
    else
        preload="# pg_stat_statements not enabled: $so not found"
        note "pg_stat_statements.so not found in $(dirname "$so"); not preloading it"
    fi
    local extra=""
    if [[ "$NAME" != dev && "${PG_FSYNC:-}" != on ]]; then
        extra="# Throwaway test cluster: trade durability for speed.
fsync = off
synchronous_commit = off
full_page_writes = off"
    fi
    as_server tee "$dir/solicitudes.conf" >/dev/null <<EOF
# Written by $PROG for the '$NAME' cluster of $REPO_ROOT.
# Do not edit: it is rewritten at every '$PROG up $NAME'.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$sock'
unix_socket_permissions = 0700
max_connections = 200
shared_buffers = 128MB
$preload
logging_collector = off
$extra
EOF
}

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------

# pg_ctl start, with no descriptor but stdin/stdout/stderr passed on: the
# server lives on, and must not keep our real stdout (often a $(...) pipe),
# the lock (fd 9) or a CI runner's pipes open, or callers would hang.
start_server() {
    local dir="$1"
    (
        fds=()
        if [[ -d /proc/self/fd ]]; then
            for fd in /proc/self/fd/*; do fds+=("${fd##*/}"); done
        else
            fds=({3..30})
        fi
        for fd in "${fds[@]}"; do
            if ((fd > 2)); then eval "exec ${fd}>&-" 2>/dev/null || true; fi
        done
        as_server "$PG_BIN_DIR/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null
    )
}

take_lock() {
    mkdir -p -- "$LOCAL_DIR"
    exec 9>"$LOCK_FILE"
    if ! flock -w 120 9; then
        die "timed out waiting for another '$PROG' on the $NAME cluster ($LOCK_FILE)"
    fi
}

cmd_up() {
    # The server user must be able to traverse the repo's .local/postgres;
    # keep it world-searchable regardless of the caller's umask.
    (umask 022 && mkdir -p -- "$LOCAL_DIR")
    take_lock

    local dir
    dir="$(existing_data_dir)"
    local major=""
    if is_initialized "$dir"; then major="$(<"$dir/PG_VERSION")"; fi
    ensure_pg_bin "$major"

    if ! is_initialized "$dir"; then
        if [[ -n "$dir" && -d "$dir" && -n "$(ls -A -- "$dir" 2>/dev/null)" ]]; then
            die "$dir is not empty but holds no cluster (an interrupted initdb?): run \`$PROG destroy $NAME\` and retry"
        fi
        dir="$(create_data_dir)"
        initdb_cluster "$dir"
    fi

    local sock
    sock="$(socket_dir_for "$dir")"

    if [[ -z "$PORT" ]] && ! is_running "$dir"; then
        PORT="$(saved_port "$dir")"
        [[ -n "$PORT" ]] || die "no port for the $NAME cluster: set $PORT_VAR=<port>"
    fi

    if is_running "$dir"; then
        local rport
        rport="$(running_port "$dir")"
        if [[ "$rport" != "$PORT" ]]; then
            # Started earlier with another port: fine, unless this call
            # explicitly asks for a different one.
            if [[ -n "${!PORT_VAR:-}" ]]; then
                die "the $NAME cluster is already running on port $rport, but $PORT_VAR asks for $PORT: run \`$PROG down $NAME\` first"
            fi
            PORT="$rport"
        fi
        note "the $NAME cluster is already running on 127.0.0.1:$PORT"
    else
        if port_in_use "$PORT"; then
            die "port $PORT on 127.0.0.1 is taken by another process (not the $NAME cluster of this checkout): stop it, or choose another port with $PORT_VAR=<port>"
        fi
        if ((STALE_PID)); then
            note "removing stale $dir/postmaster.pid (its PID is dead or belongs to another program)"
            local stale lock
            stale="$(sed -n '1p' "$dir/postmaster.pid" 2>/dev/null | tr -d '[:space:]')"
            as_server rm -f -- "$dir/postmaster.pid"
            # The socket's lock file names the same PID and would stop the server too.
            for lock in "$sock"/.s.PGSQL.*.lock; do
                if [[ -f "$lock" && "$(sed -n '1p' "$lock" | tr -d '[:space:]')" == "$stale" ]]; then
                    as_server rm -f -- "$lock" "${lock%.lock}"
                fi
            done
        fi
        ensure_socket_dir "$sock" "$dir"
        write_settings "$dir" "$sock"
        note "starting the $NAME cluster on 127.0.0.1:$PORT (log: $dir/server.log)"
        # pg_ctl copes with a stale postmaster.pid left by a crash: the
        # server checks whether the recorded process is still alive.
        if ! start_server "$dir"; then
            note "pg_ctl start failed; last lines of $dir/server.log:"
            tail -n 20 -- "$dir/server.log" >&2 || true
            die "could not start the $NAME cluster"
        fi
    fi

    # A lost password file (data kept): set a new password over the
    # Unix socket, where local connections are trusted.
    if [[ ! -s "$PW_FILE" ]]; then
        note "password file $PW_FILE is missing; setting a new password"
        (umask 077 && random_password >"$PW_FILE")
        local pw
        pw="$(<"$PW_FILE")"
        as_server "$PG_BIN_DIR/psql" -X -q -v ON_ERROR_STOP=1 \
            -h "$sock" -p "$PORT" -U "$DB_USER" -d postgres \
            -c "ALTER ROLE $DB_USER PASSWORD '$pw'" \
            || die "could not reset the password of role $DB_USER"
    fi
    chmod 600 -- "$PW_FILE"

    scrub_libpq_env
    local exists
    if ! exists="$(psql_tcp postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'")"; then
        die "cannot connect to the $NAME cluster at 127.0.0.1:$PORT as $DB_USER (see above; if the password file no longer matches, run \`$PROG destroy $NAME\`)"
    fi
    if [[ "$exists" != 1 ]]; then
        note "creating database $DB_NAME"
        if ! psql_tcp postgres -c "CREATE DATABASE $DB_NAME"; then
            # Lost a race with a concurrent creator? Then it exists now.
            exists="$(psql_tcp postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'")"
            [[ "$exists" == 1 ]] || die "could not create database $DB_NAME"
        fi
    fi

    print_url "$(<"$PW_FILE")" "$PORT"
}

cmd_url() {
    [[ -s "$PW_FILE" ]] || die "the $NAME cluster has not been created yet: run \`$PROG up $NAME\`"
    local dir port="$PORT"
    dir="$(existing_data_dir)"
    if [[ -z "$port" ]]; then
        port="$(saved_port "$dir")"
        [[ -n "$port" ]] || die "no port for the $NAME cluster: set $PORT_VAR=<port>"
    fi
    # If it is running, report the port it really listens on.
    if [[ -f "$dir/postmaster.pid" ]] && is_initialized "$dir"; then
        PG_BIN_DIR="$(find_pg_bin "$(<"$dir/PG_VERSION")")"
        if [[ -n "$PG_BIN_DIR" ]] && is_running "$dir"; then
            port="$(running_port "$dir")"
        fi
    fi
    print_url "$(<"$PW_FILE")" "$port"
}

# Sets DIR and PG_BIN_DIR and returns 0 if the cluster is running.
probe_running() {
    DIR="$(existing_data_dir)"
    is_initialized "$DIR" || return 1
    PG_BIN_DIR="$(find_pg_bin "$(<"$DIR/PG_VERSION")")"
    [[ -n "$PG_BIN_DIR" ]] || return 1
    is_running "$DIR"
}

cmd_status() {
    if probe_running; then
        printf 'running (127.0.0.1:%s, data %s)\n' "$(running_port "$DIR")" "$DIR" >&3
        return 0
    fi
    if is_initialized "$DIR"; then
        printf 'stopped (data %s)\n' "$DIR" >&3
    else
        printf 'stopped (not created)\n' >&3
    fi
    return 3
}

stop_cluster() {
    if probe_running; then
        note "stopping the $NAME cluster"
        as_server "$PG_BIN_DIR/pg_ctl" -D "$DIR" -m fast -w -t 60 stop >/dev/null \
            || die "could not stop the $NAME cluster (see $DIR/server.log)"
    else
        note "the $NAME cluster is not running"
    fi
}

cmd_down() {
    [[ -d "$LOCAL_DIR" ]] || { note "the $NAME cluster is not running"; return 0; }
    take_lock
    stop_cluster
}

# Like a power cut for the server's clients: no shutdown checkpoint, so the
# next `up` runs crash recovery.
cmd_stop_immediate() {
    [[ -d "$LOCAL_DIR" ]] || { note "the $NAME cluster is not running"; return 0; }
    take_lock
    if probe_running; then
        note "stopping the $NAME cluster (immediate)"
        as_server "$PG_BIN_DIR/pg_ctl" -D "$DIR" -m immediate -w -t 60 stop >/dev/null \
            || die "could not stop the $NAME cluster (see $DIR/server.log)"
    else
        note "the $NAME cluster is not running"
    fi
}

# "PPID STARTTIME" of process PID (fields 4 and 22 of /proc/PID/stat; the
# name in parentheses may contain spaces), or nothing once it is gone or a
# zombie.
proc_info() {
    local stat rest
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0
    rest="${stat##*) }"
    # shellcheck disable=SC2086 # splitting the fields is the point
    set -- $rest
    [[ "$1" != Z ]] || return 0
    printf '%s %s\n' "$2" "${20}"
}

# SIGKILL the postmaster, as a crash would; postmaster.pid stays behind. Its
# children notice and exit by themselves; we wait for them (and it), because
# a new postmaster refuses to start while they still hold its shared memory.
cmd_kill9() {
    [[ -d "$LOCAL_DIR" ]] || { note "the $NAME cluster is not running"; return 0; }
    take_lock
    if ! probe_running; then
        note "the $NAME cluster is not running"
        return 0
    fi
    local pid p info procs=()
    pid="$(sed -n '1p' "$DIR/postmaster.pid" | tr -d '[:space:]')"
    [[ "$pid" =~ ^[0-9]+$ ]] || die "no PID in $DIR/postmaster.pid"
    # Remember each process with its start time, so that a PID reused later
    # by an unrelated process is not waited for.
    info="$(proc_info "$pid")"
    procs+=("$pid ${info#* }")
    for p in /proc/[0-9]*; do
        p="${p#/proc/}"
        info="$(proc_info "$p")"
        if [[ "${info%% *}" == "$pid" ]]; then procs+=("$p ${info#* }"); fi
    done
    note "killing the postmaster of the $NAME cluster (PID $pid) with SIGKILL"
    kill -KILL "$pid" || die "could not kill PID $pid"
    local entry start tries=0
    for entry in "${procs[@]}"; do
        p="${entry%% *}"
        start="${entry#* }"
        while info="$(proc_info "$p")" && [[ -n "$info" && "${info#* }" == "$start" ]]; do
            ((tries < 600)) || die "PID $p of the $NAME cluster is still alive 60 s after SIGKILL"
            sleep 0.1
            tries=$((tries + 1))
        done
    done
}

cmd_destroy() {
    [[ -d "$LOCAL_DIR" || -L "$DATA_LINK" ]] || { note "the $NAME cluster does not exist"; return 0; }
    take_lock
    stop_cluster
    local dir
    dir="$(existing_data_dir)"
    # Only ever delete the two places we create data directories in.
    if [[ -L "$DATA_LINK" ]]; then
        local target
        target="$(readlink -- "$DATA_LINK")"
        if [[ "$target" == "$FALLBACK_DIR" ]]; then
            rm -rf -- "$target"
            rmdir -- "$FALLBACK_BASE/$REPO_HASH" 2>/dev/null || true
            rmdir -- "$FALLBACK_BASE" 2>/dev/null || true
        else
            note "not deleting $target (unexpected symlink target); removing only the link"
        fi
        rm -f -- "$DATA_LINK"
    elif [[ -d "$DATA_LINK" ]]; then
        rm -rf -- "$DATA_LINK"
    fi
    if [[ -n "$dir" ]]; then
        local sock
        sock="$(socket_dir_for "$dir")"
        if [[ "$sock" != "$dir" && -d "$sock" ]]; then rm -rf -- "$sock"; fi
    fi
    rm -f -- "$PW_FILE" "$LOCK_FILE"
    note "destroyed the $NAME cluster"
}

cmd_deps() {
    NAME="(none)"
    ensure_pg_bin
    note "PostgreSQL server binaries: $PG_BIN_DIR ($("$PG_BIN_DIR/postgres" --version))"
}

# ---------------------------------------------------------------------------

main() {
    (($# >= 1)) || usage
    if [[ -n "${PG_BIN:-}" ]] && ! bin_dir_ok "$PG_BIN"; then
        die "PG_BIN=$PG_BIN does not contain initdb, pg_ctl, postgres and psql"
    fi
    local cmd="$1"
    shift
    case "$cmd" in
        deps)
            (($# == 0)) || usage
            cmd_deps
            ;;
        up | url | status | down | destroy | stop-immediate | kill9)
            (($# == 1)) || usage
            set_cluster "$1"
            "cmd_${cmd//-/_}"
            ;;
        -h | --help | help) usage 0 ;;
        *) usage ;;
    esac
}

main "$@"
