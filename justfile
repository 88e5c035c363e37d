# opentoe everyday recipes. `just --list` shows them.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Tools installed by scripts/setup.sh live here when not on PATH already.
export PATH := env_var_or_default("OPENTOE_TOOLS", env_var("HOME") + "/.cache/opentoe/tools") + "/bin:" + env_var("PATH")

default:
    @just --list

# Replay the bundled trace through the RTL and the model (args go to `toe replay`).
demo *ARGS:
    scripts/demo.sh {{ARGS}}

# Everything CI runs: fmt, clippy, all tests.
test:
    scripts/test.sh

# Install Verilator, tshark, yosys/nextpnr and just (idempotent).
setup:
    scripts/setup.sh

# Rust formatting and clippy, then `verilator --lint-only -Wall` on every build.
lint:
    cargo fmt --all --check
    cargo clippy --quiet --workspace --all-targets -- -D warnings
    cargo run --quiet --release -p hdl --bin hdl-lint

# Formal checks (SymbiYosys): the properties in hdl/formal/ hold, and fail on mutants of the RTL.
formal:
    cargo test -p hdl --test formal -- --nocapture

# yosys + nextpnr for ECP5-25F and iCE40 HX8K on every block and width; report in build/synth.
synth *ARGS:
    cargo run --quiet --release -p hdl --bin synth -- {{ARGS}}

# Benchmarks: beat efficiency and simulation speed, as ratios; host work per MB
# over toe tap (needs root), offloads on and off; reports in build/bench.
bench:
    cargo bench -p testbench --bench blocks
    cargo bench -p testbench --bench tap
    cargo bench -p testbench --bench place

# Write the Verilog of every build into build/verilog.
verilog:
    cargo run --quiet --release -p hdl --bin hdl-gen -- build/verilog

# Replay any capture (e.g. `just replay trace.pcap --json`).
replay FILE *ARGS:
    cargo run --quiet --release --bin toe -- replay {{FILE}} {{ARGS}}

# List the connections the engine holds after replaying FILE through the driver (args go to `toe ss`).
ss FILE *ARGS:
    cargo run --quiet --release --bin toe -- ss {{FILE}} {{ARGS}}
