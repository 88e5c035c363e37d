#!/usr/bin/env bash
# The demo: a real capture through the RTL rx_checksum (under Verilator) and
# the reference model, compared frame by frame. Extra arguments go to
# `toe replay` (try --json, --width 8, --wave out.vcd).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh sim
cargo run --quiet --release --bin toe -- replay testbench/traces/kerberos_tso.pcapng "$@"
