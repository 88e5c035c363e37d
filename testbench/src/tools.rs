//! External tools the tests use as oracles (tshark): there, or a printed
//! skip, or a failure where `OPENTOE_REQUIRE_TOOLS=1` (CI) says they must be.

use std::io::Write as _;
use std::process::{Command, Stdio};

pub const REQUIRE_ENV: &str = "OPENTOE_REQUIRE_TOOLS";

/// Whether `tool` runs (`tool --version`); `hint` says how to get it.
/// Panics when it does not and tools are required.
pub fn available(tool: &str, hint: &str) -> bool {
    let ok = runs(tool, &["--version"]);
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

/// What `toe tap` needs: root, /dev/net/tun, iproute2, curl and bash.
/// A skip is printed; with `OPENTOE_REQUIRE_TOOLS=1` a missing piece fails.
pub fn tap() -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let missing: Vec<&str> = [
        (!root).then_some("root"),
        (!std::path::Path::new("/dev/net/tun").exists()).then_some("/dev/net/tun"),
        (!runs("ip", &["-V"])).then_some("ip (iproute2)"),
        (!runs("curl", &["--version"])).then_some("curl"),
        (!runs("bash", &["--version"])).then_some("bash"),
        (!runs("python3", &["--version"])).then_some("python3"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if missing.is_empty() {
        return true;
    }
    let what = missing.join(", ");
    if std::env::var(REQUIRE_ENV).is_ok_and(|v| v == "1") {
        panic!("toe tap tests need {what} and {REQUIRE_ENV}=1: run as root after scripts/setup.sh");
    }
    let _ = writeln!(std::io::stderr(), "SKIPPED: toe tap tests need {what}");
    false
}

fn runs(tool: &str, args: &[&str]) -> bool {
    Command::new(tool)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
