//! The committed register document is the one the contract generates.

#[test]
fn docs_registers_md_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/registers.md");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == spec::regs_doc::markdown(),
        "docs/registers.md is stale: run `cargo run -p spec --bin regs-doc > docs/registers.md`"
    );
}
