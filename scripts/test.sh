#!/usr/bin/env bash
# Every test of the project: formatting, clippy, then the whole workspace
# (RTL against the model, tshark as the oracle, lint, synthesis checks).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
export OPENTOE_REQUIRE_TOOLS=1
cargo fmt --all --check
cargo clippy --quiet --workspace --all-targets -- -D warnings
cargo test --workspace
