#!/usr/bin/env bash
# Every test of the project: formatting, clippy, the model-only `toe`
# without Verilator, the guards, then the whole workspace (RTL against the
# model, tshark and Linux as oracles, lint, synthesis checks).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
# A missing tool or corpus fails the tests here instead of skipping them.
export OPENTOE_REQUIRE_TOOLS=1 OPENTOE_REQUIRE_CORPUS=1
step() { echo "test: $*" >&2; }

step "formatting and clippy"
cargo fmt --all --check
cargo clippy --quiet --workspace --all-targets -- -D warnings

step "toe --backend model builds and runs without Verilator"
scripts/model-only.sh

step "a corpus test fails when the corpus is missing"
cargo test --quiet -p testbench --test capture --no-run
empty=$(mktemp -d)
if OPENTOE_TRACES="$empty" cargo test --quiet -p testbench --test capture corpus_files \
    >"$empty.log" 2>&1; then
    echo "test: the corpus guard passed with an empty corpus ($empty)" >&2
    exit 1
fi
grep -q "trace corpus not found" "$empty.log" || {
    cat "$empty.log" >&2
    echo "test: the corpus test failed, but not for want of the corpus" >&2
    exit 1
}
rm -rf "$empty" "$empty.log"

step "the workspace"
cargo test --workspace
