//! Writes the Verilog of every build into a directory.

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = match (args.next(), args.next()) {
        (Some(d), None) if !d.starts_with('-') => PathBuf::from(d),
        _ => {
            eprintln!("usage: hdl-gen DIR\n\nWrites DIR/<build>.v for every block and width.");
            std::process::exit(2);
        }
    };
    std::fs::create_dir_all(&dir)?;
    for b in hdl::verilog::builds() {
        let path = dir.join(format!("{}.v", b.name));
        std::fs::write(&path, &b.verilog)?;
        println!("{}", path.display());
    }
    Ok(())
}
