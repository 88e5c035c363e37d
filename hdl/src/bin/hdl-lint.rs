//! Lints the Verilog of every build with Verilator; exits 1 on any finding.

use std::process::ExitCode;

fn main() -> ExitCode {
    if std::env::args().len() > 1 {
        eprintln!("usage: hdl-lint\n\nRuns `verilator --lint-only -Wall` on every build. Waived:");
        for (w, why) in hdl::lint::WAIVERS {
            eprintln!("  {w}: {why}");
        }
        return ExitCode::from(2);
    }
    let dir = std::env::temp_dir().join("opentoe-lint");
    let mut bad = 0;
    for b in hdl::verilog::builds() {
        match hdl::lint::lint(&b, &dir) {
            Ok(findings) if findings.is_empty() => println!("clean  {}", b.name),
            Ok(findings) => {
                bad += 1;
                println!("FAIL   {}", b.name);
                for f in findings {
                    println!("  {f}");
                }
            }
            Err(e) => {
                eprintln!("hdl-lint: cannot run verilator ({e}); install it with scripts/setup.sh");
                return ExitCode::FAILURE;
            }
        }
    }
    for (w, why) in hdl::lint::WAIVERS {
        println!("waived {w}: {why}");
    }
    if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
