#!/usr/bin/env bash
# scripts/dev-admin.sh — the dev admin of `make run` and `make seed` on the embedded
# default database (the `dev` cluster of `cargo xtask pg`).
#
# Usage: eval "$(scripts/dev-admin.sh env)"
#
# Prints `export APP__AUTH__BOOTSTRAP_ADMIN_EMAIL=… APP__AUTH__BOOTSTRAP_ADMIN_PASSWORD=…`
# for the service's bootstrap admin (auth.bootstrap_admin_email / _password: created at
# start-up when the database has no active admin). The password is generated once, from the
# kernel's CSPRNG (/dev/urandom: 18 bytes, 144 bits, base64url), into .local/dev-admin.txt
# (git-ignored, mode 600), and reused on every later run; `make clean-db` deletes it with
# the database. Where it is goes to stderr. If APP__AUTH__BOOTSTRAP_ADMIN_EMAIL or _PASSWORD
# is already set, that choice is kept and nothing is printed.

set -euo pipefail

readonly EMAIL="admin@localhost"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
readonly REPO_ROOT
readonly FILE="$REPO_ROOT/.local/dev-admin.txt"
readonly SHOWN=".local/dev-admin.txt"

note() { printf 'scripts/dev-admin.sh: %s\n' "$*" >&2; }

[[ "${1:-}" == env && $# -eq 1 ]] || {
    sed -n '5p' "${BASH_SOURCE[0]}" | sed 's/^# //' >&2
    exit 2
}

if [[ -n "${APP__AUTH__BOOTSTRAP_ADMIN_EMAIL:-}${APP__AUTH__BOOTSTRAP_ADMIN_PASSWORD:-}" ]]; then
    note "APP__AUTH__BOOTSTRAP_ADMIN_* set: using that bootstrap admin, not $SHOWN"
    exit 0
fi

password=""
if [[ -s "$FILE" ]]; then
    password="$(sed -n 's/^password: //p' "$FILE" | head -n 1)"
    [[ -n "$password" ]] || {
        note "error: $SHOWN has no 'password: ' line; delete it to get a new one"
        exit 1
    }
else
    mkdir -p -- "$(dirname "$FILE")"
    password="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
    if [[ -s "$REPO_ROOT/.local/postgres/dev.password" ]]; then
        # The dev cluster exists already (run this before `cargo xtask pg up dev`, as the Makefile
        # does) and may have its admin: the bootstrap only acts when no active admin exists,
        # so an admin@localhost made with a lost password stays as it was.
        note "new $SHOWN for an existing dev database: if it already has an active admin, the new password is not applied (make clean-db starts over; solicitudes-api usuarios crear adds an admin)"
    fi
    (
        umask 077
        cat >"$FILE" <<EOF
# The dev admin of \`make run\` and \`make seed\` on the embedded dev database, made by
# scripts/dev-admin.sh from /dev/urandom. Log in with it in the web application
# (http://127.0.0.1:8000/) or in Swagger UI (/docs, Authorize). Kept until \`make clean-db\`.
email: $EMAIL
password: $password
EOF
    )
fi
chmod 600 -- "$FILE"
note "dev admin: $EMAIL; its password is in $SHOWN"
printf 'export APP__AUTH__BOOTSTRAP_ADMIN_EMAIL=%q APP__AUTH__BOOTSTRAP_ADMIN_PASSWORD=%q\n' "$EMAIL" "$password"
