#!/usr/bin/env bash
# scripts/check-deps.sh — keep the pure crates pure.
#
# solicitudes-domain, solicitudes-schemas and solicitudes-client must not depend,
# directly or transitively (normal dependencies only), on the database or web stacks:
# diesel (and diesel-async, diesel_migrations, ...), bb8, or actix-*. The client,
# which other services link, must not pull in OpenSSL either (openssl, openssl-sys,
# native-tls): its TLS is rustls.
# Exits non-zero naming the offending crate and the path that pulls it in.
#
# Usage: scripts/check-deps.sh        (CARGO=/path/to/cargo to override)

set -euo pipefail

CARGO="${CARGO:-cargo}"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

CHECKED=(solicitudes-domain solicitudes-schemas solicitudes-client)
# Package names, as `cargo tree --prefix none` prints them: "NAME vX.Y.Z ...".
# (openssl-probe, which only looks for certificate files, is not OpenSSL.)
FORBIDDEN='^(diesel([_-][a-z0-9_-]+)?|bb8([_-][a-z0-9_-]+)?|actix([_-][a-z0-9_-]+)?|openssl|openssl-sys|native-tls) v[0-9]'

status=0
for crate in "${CHECKED[@]}"; do
    tree="$("$CARGO" tree -p "$crate" -e normal --prefix none)"
    offenders="$(grep -E "$FORBIDDEN" <<<"$tree" | awk '{ print $1 "@" substr($2, 2) }' | sort -u || true)"
    if [[ -z "$offenders" ]]; then
        echo "check-deps: $crate: ok (no diesel, bb8, actix or OpenSSL dependencies)"
        continue
    fi
    status=1
    for dep in $offenders; do
        echo "check-deps: error: $crate depends on '$dep', which is not allowed in $crate (it must stay free of diesel, bb8, actix and OpenSSL); how it is pulled in:" >&2
        "$CARGO" tree -p "$crate" -e normal -i "$dep" >&2 || true
    done
done
exit "$status"
