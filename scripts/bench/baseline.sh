#!/usr/bin/env bash
# Builds the release binary of an older commit for `make bench` to measure side by side
# (BENCH_BASELINE_BIN, docs/benchmarks.md#authentication) and prints its path.
#
#   scripts/bench/baseline.sh [COMMIT]        # default a26bb13: main before authentication
#   BENCH_BASELINE_BIN=$(scripts/bench/baseline.sh) make bench
#
# The commit's tree is extracted with `git archive` into .local/bench/baseline-<commit>/src
# (nothing is checked out or committed) and built with `cargo build --release` into a target
# directory of its own next to it, so this worktree's target/ is left alone; the binary is
# copied to .local/bench/baseline-<commit>/solicitudes-api. A second call with the binary
# present builds nothing. (Not this worktree's target/: cargo tells a workspace's crates apart
# by name and version, not by path, so the older tree's crates would be taken as up to date
# for this one, and the next build of this tree would fail or, worse, link old code.)
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
rev=${1:-a26bb13}
short=$(git -C "$repo" rev-parse --short=7 "$rev^{commit}")
dir="$repo/.local/bench/baseline-$short"
bin="$dir/solicitudes-api"

if [ ! -x "$bin" ]; then
    rm -rf "$dir/src"
    mkdir -p "$dir/src"
    git -C "$repo" archive "$short" | tar -x -C "$dir/src"
    target="$dir/target"
    echo "baseline: building $short's release binary (cargo build --release, target $target)" >&2
    (cd "$dir/src" && CARGO_TARGET_DIR="$target" "${CARGO:-cargo}" build --release \
        -p solicitudes-api >&2)
    cp "$target/release/solicitudes-api" "$bin.tmp"
    mv "$bin.tmp" "$bin"
fi
echo "$bin"
