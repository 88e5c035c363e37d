#!/usr/bin/env bash
# The demo: a real capture (six handshakes, a 1.3 MB in-order transfer)
# through the engine's RX path, the RTL under Verilator against the
# reference model frame by frame, with the emulated host installing
# connections so the fast path takes the transfer; then through the TX
# path, its segments merged into TSO super-frames that the engine cuts
# again. Extra arguments go to both `toe replay` runs (try --json).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh sim
trace=testbench/traces/irc-dcc-send.pcapng
cargo build --quiet --release --bin toe
target/release/toe replay "$trace" "$@"
echo
target/release/toe replay "$trace" --tx "$@"
