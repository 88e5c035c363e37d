//! Builds the Verilator bridge: every build from `hdl::verilog::builds()`
//! becomes Verilog, is compiled by Verilator into C++, and is linked here
//! with a small generated shim that hands Rust raw pointers to the ports.
//! C++ is optimized (-O2) even in debug builds: at -O0 the simulation runs
//! ten times slower.

//!
//! Without the `verilated` feature there is nothing to build.

fn main() {
    #[cfg(feature = "verilated")]
    verilated::build();
}

#[cfg(feature = "verilated")]
mod verilated {
    use std::fmt::Write as _;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use hdl::verilog::{Build, Dir};

    pub fn build() {
        println!("cargo:rerun-if-changed=build.rs");
        println!("cargo:rerun-if-env-changed=VERILATOR");
        println!("cargo:rerun-if-env-changed=OPENTOE_SIM_BUILDS");
        let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
        let verilator = std::env::var("VERILATOR").unwrap_or_else(|_| "verilator".into());
        let root = verilator_root(&verilator);
        let mut builds = hdl::verilog::builds();
        // For quick iterations on one block: `OPENTOE_SIM_BUILDS=rx_engine`
        // (comma-separated name prefixes) verilates only those builds; tests of
        // the others then fail to find their model.
        if let Ok(only) = std::env::var("OPENTOE_SIM_BUILDS") {
            let prefixes: Vec<&str> = only.split(',').filter(|p| !p.is_empty()).collect();
            builds.retain(|b| prefixes.iter().any(|p| b.name.starts_with(p)));
        }

        let mut cc = cc::Build::new();
        cc.cpp(true)
            .std("c++17")
            .opt_level(2)
            .debug(false)
            .warnings(false)
            .include(root.join("include"))
            .include(root.join("include/vltstd"))
            .define("VM_COVERAGE", "0")
            .define("VM_SC", "0")
            .define("VM_TRACE", "1")
            .define("VM_TRACE_VCD", "1")
            .define("VM_TRACE_FST", "0")
            .flag_if_supported("-fno-strict-aliasing");
        for f in [
            "verilated.cpp",
            "verilated_vcd_c.cpp",
            "verilated_threads.cpp",
        ] {
            cc.file(root.join("include").join(f));
        }

        let mut shim = String::from("#include <cstdint>\n#include \"verilated_vcd_c.h\"\n");
        let mut rust = String::new();
        for b in &builds {
            let dir = verilate(&verilator, &out, b);
            cc.include(&dir);
            for entry in std::fs::read_dir(&dir).unwrap() {
                let p = entry.unwrap().path();
                if p.extension().is_some_and(|e| e == "cpp") {
                    cc.file(p);
                }
            }
            shim_for(b, &mut shim, &mut rust);
        }
        writeln!(rust, "pub static MODELS: &[ModelInfo] = &[").unwrap();
        for b in &builds {
            writeln!(rust, "    {}_INFO,", b.name.to_uppercase()).unwrap();
        }
        writeln!(rust, "];").unwrap();

        let shim_path = out.join("shim.cpp");
        std::fs::write(&shim_path, shim).unwrap();
        std::fs::write(out.join("models.rs"), rust).unwrap();
        cc.file(&shim_path);
        cc.compile("opentoe_verilated");
        println!("cargo:rustc-link-lib=pthread");
    }

    fn verilator_root(verilator: &str) -> PathBuf {
        let out = Command::new(verilator)
            .args(["--getenv", "VERILATOR_ROOT"])
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run `{verilator}` ({e}).\n\
                 Verilator 5 is needed to build the testbench: run scripts/setup.sh \
                 (or `apt-get install verilator`)."
                )
            });
        assert!(
            out.status.success(),
            "`{verilator} --getenv VERILATOR_ROOT` failed"
        );
        PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
    }

    fn verilate(verilator: &str, out: &Path, b: &Build) -> PathBuf {
        let dir = out.join(&b.name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let v = dir.join(format!("{}.v", b.name));
        std::fs::write(&v, &b.verilog).unwrap();
        let status = Command::new(verilator)
            .args([
                "--cc",
                "--trace",
                "-O3",
                "--x-assign",
                "fast",
                "--x-initial",
                "fast",
            ])
            .args(["--noassert", "-Wno-fatal", "--top-module", "top"])
            .arg("--prefix")
            .arg(format!("V{}", b.name))
            .arg("-Mdir")
            .arg(&dir)
            .arg(&v)
            .status()
            .expect("verilator runs");
        assert!(status.success(), "verilator failed on {}", v.display());
        dir
    }

    /// Verilator's C++ name for a Verilog identifier.
    fn mangle(name: &str) -> String {
        name.replace('$', "__024")
    }

    fn shim_for(b: &Build, shim: &mut String, rust: &mut String) {
        let n = &b.name;
        let class = format!("V{n}");
        writeln!(
            shim,
            r#"
#include "{class}.h"
namespace {{
struct {n}_ctx {{
    VerilatedContext ctx;
    {class}* model;
    VerilatedVcdC* vcd = nullptr;
}};
}}
extern "C" void* {n}_new(const char* vcd_path) {{
    auto* c = new {n}_ctx;
    if (vcd_path) c->ctx.traceEverOn(true);
    c->model = new {class}{{&c->ctx}};
    if (vcd_path) {{
        c->vcd = new VerilatedVcdC;
        c->model->trace(c->vcd, 99);
        c->vcd->open(vcd_path);
        if (!c->vcd->isOpen()) {{ delete c->vcd; c->vcd = nullptr; }}
    }}
    return c;
}}
extern "C" int {n}_tracing(void* p) {{ return static_cast<{n}_ctx*>(p)->vcd != nullptr; }}
extern "C" void {n}_eval(void* p) {{ static_cast<{n}_ctx*>(p)->model->eval(); }}
extern "C" void {n}_dump(void* p, uint64_t t) {{
    auto* c = static_cast<{n}_ctx*>(p);
    if (c->vcd) c->vcd->dump(t);
}}
extern "C" void {n}_free(void* p) {{
    auto* c = static_cast<{n}_ctx*>(p);
    if (c->vcd) {{ c->vcd->close(); delete c->vcd; }}
    c->model->final();
    delete c->model;
    delete c;
}}
extern "C" void* {n}_port(void* p, int i) {{
    auto* m = static_cast<{n}_ctx*>(p)->model;
    switch (i) {{"#
        )
        .unwrap();
        for (i, p) in b.ports.iter().enumerate() {
            writeln!(shim, "    case {i}: return &m->{};", mangle(&p.name)).unwrap();
        }
        writeln!(shim, "    default: return nullptr;\n    }}\n}}").unwrap();

        writeln!(
            rust,
            r#"unsafe extern "C" {{
    fn {n}_new(vcd: *const std::os::raw::c_char) -> *mut std::ffi::c_void;
    fn {n}_tracing(m: *mut std::ffi::c_void) -> i32;
    fn {n}_eval(m: *mut std::ffi::c_void);
    fn {n}_dump(m: *mut std::ffi::c_void, t: u64);
    fn {n}_free(m: *mut std::ffi::c_void);
    fn {n}_port(m: *mut std::ffi::c_void, i: i32) -> *mut std::ffi::c_void;
}}
const {upper}_INFO: ModelInfo = ModelInfo {{
    name: "{n}",
    block: "{block}",
    width: {width},
    variant: "{variant}",
    params: &{params:?},
    ports: &["#,
            upper = n.to_uppercase(),
            block = b.block,
            width = b.width,
            variant = b.variant,
            params = b.params,
        )
        .unwrap();
        for p in &b.ports {
            let dir = match p.dir {
                Dir::In => "PortDir::In",
                Dir::Out => "PortDir::Out",
            };
            writeln!(
                rust,
                "        PortInfo {{ name: \"{}\", bits: {}, dir: {dir} }},",
                p.name, p.bits
            )
            .unwrap();
        }
        writeln!(
        rust,
        "    ],\n    ffi: Ffi {{ new: {n}_new, tracing: {n}_tracing, eval: {n}_eval, dump: {n}_dump, free: {n}_free, port: {n}_port }},\n}};"
    )
    .unwrap();
    }
}
