//! Every build passes `verilator --lint-only -Wall` with only the waivers
//! in `hdl::lint::WAIVERS`.

#[test]
fn every_build_is_lint_clean() {
    let dir = std::env::temp_dir().join(format!("opentoe-lint-test-{}", std::process::id()));
    let mut failures = Vec::new();
    for b in hdl::verilog::builds() {
        let findings =
            hdl::lint::lint(&b, &dir).expect("verilator runs (scripts/setup.sh installs it)");
        if !findings.is_empty() {
            failures.push(format!("{}:\n  {}", b.name, findings.join("\n  ")));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        failures.is_empty(),
        "lint findings:\n{}",
        failures.join("\n")
    );
}
