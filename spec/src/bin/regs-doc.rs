//! Prints `docs/registers.md`.

fn main() {
    print!("{}", spec::regs_doc::markdown());
}
