//! `verilator --lint-only -Wall` over every build.
//!
//! rust-hdl's output needs two warnings waived, each for a reason of the
//! generator rather than of the design; everything else must be clean.

use crate::verilog::Build;
use std::path::Path;
use std::process::Command;

/// Waived Verilator warnings, with why.
pub const WAIVERS: &[(&str, &str)] = &[
    (
        "WIDTH",
        "rust-hdl widens operands with masks and writes 32-bit literals; widths are checked in Rust",
    ),
    (
        "DECLFILENAME",
        "rust-hdl writes every module of a build into one file named after the build",
    ),
];

/// Lints `b` in `dir`; returns Verilator's warning and error lines.
pub fn lint(b: &Build, dir: &Path) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let v = dir.join(format!("{}.v", b.name));
    std::fs::write(&v, &b.verilog)?;
    let mut cmd = Command::new("verilator");
    cmd.args(["--lint-only", "-Wall", "--top-module", "top"]);
    for (w, _) in WAIVERS {
        cmd.arg(format!("-Wno-{w}"));
    }
    let out = cmd.arg(&v).output()?;
    Ok(String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("%Warning") || l.starts_with("%Error"))
        .map(String::from)
        .collect())
}
