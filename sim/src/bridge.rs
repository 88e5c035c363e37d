//! Safe Rust API over the Verilated models linked in by `build.rs`.
//!
//! A [`Sim`] owns one model instance. Ports are looked up once by name and
//! then poked and peeked through raw pointers into Verilator's port storage,
//! so a clock cycle costs two FFI calls (two `eval`s). The unsafe code is
//! confined to this module; widths and directions are checked on lookup.

use std::ffi::{CString, c_void};
use std::os::raw::c_char;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortDir {
    In,
    Out,
}

#[derive(Debug)]
pub struct PortInfo {
    pub name: &'static str,
    pub bits: usize,
    pub dir: PortDir,
}

pub struct Ffi {
    new: unsafe extern "C" fn(*const c_char) -> *mut c_void,
    tracing: unsafe extern "C" fn(*mut c_void) -> i32,
    eval: unsafe extern "C" fn(*mut c_void),
    dump: unsafe extern "C" fn(*mut c_void, u64),
    free: unsafe extern "C" fn(*mut c_void),
    port: unsafe extern "C" fn(*mut c_void, i32) -> *mut c_void,
}

/// One Verilated build: a block at one width.
pub struct ModelInfo {
    pub name: &'static str,
    pub block: &'static str,
    pub width: usize,
    pub variant: &'static str,
    pub params: &'static [(&'static str, u64)],
    pub ports: &'static [PortInfo],
    ffi: Ffi,
}

include!(concat!(env!("OUT_DIR"), "/models.rs"));

/// Finds the standard Verilated build of `block` at `width` bytes per beat.
pub fn model(block: &str, width: usize) -> Option<&'static ModelInfo> {
    MODELS
        .iter()
        .find(|m| m.block == block && m.width == width && m.variant.is_empty())
}

/// Finds a Verilated build by its full name (e.g. `tx_checksum_w8_small`).
pub fn model_named(name: &str) -> Option<&'static ModelInfo> {
    MODELS.iter().find(|m| m.name == name)
}

impl ModelInfo {
    /// A figure the build publishes, e.g. `max_frame`.
    pub fn param(&self, name: &str) -> Option<u64> {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("model {model} has no port `{port}`")]
    NoPort { model: &'static str, port: String },
    #[error("cannot open waveform file {0}")]
    Wave(String),
}

/// A handle to an input port of one [`Sim`].
#[derive(Clone, Copy, Debug)]
pub struct Input(usize);
/// A handle to an output port of one [`Sim`].
#[derive(Clone, Copy, Debug)]
pub struct Output(usize);

pub struct Sim {
    raw: *mut c_void,
    info: &'static ModelInfo,
    ptrs: Vec<*mut u8>,
    /// Null for a block with a clock per side (no `clock` port).
    clock: *mut u8,
    cycles: u64,
    /// Waveform time of the next `eval`.
    now: u64,
    tracing: bool,
}

// SAFETY: the model is plain memory owned by this value; nothing in it is
// shared, so moving it to another thread moves all of it.
unsafe impl Send for Sim {}

impl Sim {
    /// Instantiates `info`; with `wave`, every half clock cycle is written
    /// to that VCD file.
    pub fn new(info: &'static ModelInfo, wave: Option<&Path>) -> Result<Self, SimError> {
        let path = wave.map(|p| CString::new(p.to_string_lossy().as_bytes()).unwrap());
        // SAFETY: `new` is the shim's constructor; the path outlives the
        // call (the shim copies it) or is null for no waveform.
        let raw = unsafe { (info.ffi.new)(path.as_ref().map_or(std::ptr::null(), |p| p.as_ptr())) };
        // SAFETY: `raw` is the live model just made.
        let tracing = unsafe { (info.ffi.tracing)(raw) } != 0;
        let ptrs: Vec<*mut u8> = (0..info.ports.len())
            // SAFETY: `raw` is live and `i` indexes the shim's own port table.
            .map(|i| unsafe { (info.ffi.port)(raw, i as i32) }.cast())
            .collect();
        let mut sim = Self {
            raw,
            info,
            clock: std::ptr::null_mut(),
            ptrs,
            cycles: 0,
            now: 0,
            tracing,
        };
        if let (Some(w), false) = (wave, tracing) {
            return Err(SimError::Wave(w.display().to_string()));
        }
        if let Ok(clock) = sim.input("clock") {
            sim.clock = sim.ptrs[clock.0];
        }
        Ok(sim)
    }

    pub fn info(&self) -> &'static ModelInfo {
        self.info
    }

    fn find(&self, name: &str, dir: PortDir) -> Result<usize, SimError> {
        self.info
            .ports
            .iter()
            .position(|p| p.name == name && p.dir == dir)
            .ok_or_else(|| SimError::NoPort {
                model: self.info.name,
                port: name.to_owned(),
            })
    }

    pub fn input(&self, name: &str) -> Result<Input, SimError> {
        self.find(name, PortDir::In).map(Input)
    }

    pub fn output(&self, name: &str) -> Result<Output, SimError> {
        self.find(name, PortDir::Out).map(Output)
    }

    pub fn bits(&self, port: usize) -> usize {
        self.info.ports[port].bits
    }

    /// Clocks until `done` holds after `eval`, at most `cycles` times;
    /// whether it came to hold.
    pub fn run_until(&mut self, cycles: u64, done: impl Fn(&Sim) -> bool) -> bool {
        for _ in 0..cycles {
            self.eval();
            if done(self) {
                return true;
            }
            self.tick();
        }
        false
    }

    /// Sets an input of up to 64 bits; extra high bits are dropped.
    #[inline]
    pub fn set(&mut self, port: Input, value: u64) {
        let bits = self.info.ports[port.0].bits;
        let p = self.ptrs[port.0];
        let v = if bits >= 64 {
            value
        } else {
            value & ((1u64 << bits) - 1)
        };
        // Verilator stores ports of <=8, <=16, <=32 and <=64 bits as
        // uint8_t, uint16_t, uint32_t and uint64_t.
        // SAFETY: `p` points at this input's storage in the live model, of
        // the type its width (checked on lookup) says.
        unsafe {
            match bits {
                0..=8 => *p = v as u8,
                9..=16 => *(p as *mut u16) = v as u16,
                17..=32 => *(p as *mut u32) = v as u32,
                33..=64 => *(p as *mut u64) = v,
                _ => panic!("{}: use set_bytes for {bits}-bit ports", self.info.name),
            }
        }
    }

    #[inline]
    pub fn get(&self, port: Output) -> u64 {
        let bits = self.info.ports[port.0].bits;
        let p = self.ptrs[port.0];
        // SAFETY: as in `set`: this output's storage, typed by its width.
        unsafe {
            match bits {
                0..=8 => u64::from(*p),
                9..=16 => u64::from(*(p as *const u16)),
                17..=32 => u64::from(*(p as *const u32)),
                33..=64 => *(p as *const u64),
                _ => panic!("{}: use get_bytes for {bits}-bit ports", self.info.name),
            }
        }
    }

    /// Sets a port of any width from little-endian bytes (byte lane 0 first).
    pub fn set_bytes(&mut self, port: Input, bytes: &[u8]) {
        let bits = self.info.ports[port.0].bits;
        if bits <= 64 {
            let mut b = [0u8; 8];
            let n = bytes.len().min(8);
            b[..n].copy_from_slice(&bytes[..n]);
            self.set(port, u64::from_le_bytes(b));
            return;
        }
        // Wider ports are arrays of 32-bit words, least significant first.
        let words = bits.div_ceil(32);
        let p = self.ptrs[port.0] as *mut u32;
        for w in 0..words {
            let mut b = [0u8; 4];
            for (i, v) in b.iter_mut().enumerate() {
                *v = bytes.get(w * 4 + i).copied().unwrap_or(0);
            }
            // SAFETY: a port wider than 64 bits is `words` 32-bit words.
            unsafe { *p.add(w) = u32::from_le_bytes(b) };
        }
    }

    /// Reads a port of any width as little-endian bytes.
    pub fn get_bytes(&self, port: Output, out: &mut [u8]) {
        let bits = self.info.ports[port.0].bits;
        if bits <= 64 {
            let v = self.get(port).to_le_bytes();
            let n = out.len().min(8);
            out[..n].copy_from_slice(&v[..n]);
            return;
        }
        let p = self.ptrs[port.0] as *const u32;
        for (w, chunk) in out.chunks_mut(4).enumerate().take(bits.div_ceil(32)) {
            // SAFETY: `w` is below the port's `bits.div_ceil(32)` words.
            let v = unsafe { *p.add(w) }.to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }

    /// Settles combinational logic: call after changing inputs and before
    /// reading outputs.
    #[inline]
    pub fn eval(&mut self) {
        // SAFETY: `raw` is the live model this value owns.
        unsafe {
            (self.info.ffi.eval)(self.raw);
            if self.tracing {
                (self.info.ffi.dump)(self.raw, self.now);
            }
        }
    }

    /// One rising clock edge. The clock falls again at once; the next
    /// [`Sim::eval`] settles that together with new inputs, so a cycle costs
    /// two evaluations.
    #[inline]
    pub fn tick(&mut self) {
        assert!(
            !self.clock.is_null(),
            "{} has no `clock`: use edge",
            self.info.name
        );
        // SAFETY: `raw` is live; `clock` points at its 1-bit clock input.
        unsafe { self.rise(self.clock) };
        self.cycles += 1;
        self.now = self.cycles * 10;
    }

    /// For a block with a clock per side: sets the waveform time (in
    /// picoseconds, never decreasing) of the next [`Sim::eval`] and
    /// [`Sim::edge`].
    pub fn at(&mut self, ps: u64) {
        self.now = ps * 10;
    }

    /// One rising edge of the clock input `clock`, as [`Sim::tick`] is
    /// for `clock`; counted in [`Sim::cycles`] with every other clock's.
    pub fn edge(&mut self, clock: Input) {
        assert_eq!(
            self.bits(clock.0),
            1,
            "{}: a clock is one bit",
            self.info.name
        );
        // SAFETY: `raw` is live and the port is a 1-bit input (checked).
        unsafe { self.rise(self.ptrs[clock.0]) };
        self.cycles += 1;
    }

    /// Raises `clock`, settles, records, and lowers it again.
    ///
    /// # Safety
    /// `clock` points at a 1-bit input of the live model.
    unsafe fn rise(&mut self, clock: *mut u8) {
        // SAFETY: as the caller promises.
        unsafe {
            *clock = 1;
            (self.info.ffi.eval)(self.raw);
            if self.tracing {
                (self.info.ffi.dump)(self.raw, self.now + 5);
            }
            *clock = 0;
        }
    }

    /// Holds the `reset` input high for two clock cycles.
    pub fn reset(&mut self) -> Result<(), SimError> {
        let reset = self.input("reset")?;
        self.set(reset, 1);
        for _ in 0..2 {
            self.eval();
            self.tick();
        }
        self.set(reset, 0);
        Ok(())
    }

    /// Clock cycles run so far.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        // SAFETY: `raw` was made by `new` and is freed once, here.
        unsafe { (self.info.ffi.free)(self.raw) };
    }
}
