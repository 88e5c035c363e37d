//! External tools the tests use as oracles (tshark): there, or a printed
//! skip, or a failure where `OPENTOE_REQUIRE_TOOLS=1` (CI) says they must be.

use std::io::Write as _;
use std::process::{Command, Stdio};

pub const REQUIRE_ENV: &str = "OPENTOE_REQUIRE_TOOLS";

/// Whether `tool` runs (`tool --version`); `hint` says how to get it.
/// Panics when it does not and tools are required.
pub fn available(tool: &str, hint: &str) -> bool {
    let ok = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if std::env::var(REQUIRE_ENV).is_ok_and(|v| v == "1") {
            panic!("{tool} not found and {REQUIRE_ENV}=1: {hint}");
        }
        // Straight to stderr: the harness hides a passing test's output.
        let _ = writeln!(std::io::stderr(), "SKIPPED: {tool} not found ({hint})");
    }
    ok
}

/// tshark, which `scripts/setup.sh` installs.
pub fn tshark() -> bool {
    available("tshark", "apt-get install tshark, or run scripts/setup.sh")
}
