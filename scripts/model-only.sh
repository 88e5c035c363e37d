#!/usr/bin/env bash
# `toe` without the RTL: builds with Verilator out of reach, replays the
# bundled trace on the model, and refuses the RTL backends with advice.
set -euo pipefail
cd "$(dirname "$0")/.."
target=target/model-only
if cargo tree -p toe --no-default-features -e normal,build | grep -qE '^[^a-z]*(hdl|cc) v'; then
    echo "model-only: toe without its rtl feature still pulls in the HDL or a C++ build" >&2
    exit 1
fi
# No verilator on this PATH: a build script that called it would fail.
nov=$(mktemp -d)
for t in cargo rustc cc ld; do ln -s "$(command -v $t)" "$nov/$t"; done
PATH="$nov:$(dirname "$(command -v rustc)")" VERILATOR=/nonexistent \
    cargo build --quiet -p toe --no-default-features --target-dir "$target"
rm -rf "$nov"
toe="$target/debug/toe"
trace=testbench/traces/irc-dcc-send.pcapng
"$toe" replay "$trace" --backend model --json >"$target/model.json"
grep -q '"mismatches":0' "$target/model.json"
if "$toe" replay "$trace" --backend both 2>"$target/both.err"; then
    echo "model-only: --backend both ran without the RTL" >&2
    exit 1
fi
grep -q "use --backend model" "$target/both.err"
echo "model-only: ok ($toe replays $trace on the model; refuses the RTL)" >&2
