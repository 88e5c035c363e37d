//! `rx_place` through the registers and DMA: the driver (`host::nic`) on
//! the engine model installs a connection, posts a small receive ring and
//! takes a stream sent with loss, duplicates, reordering and a window
//! larger than the ring. A minimal receiver on top (the ring's bytes up
//! to each completion's rcv_nxt, frames the engine left to the host, its
//! own rcv_nxt written back) must hand on exactly the bytes sent, with no
//! DMA fault, and most of them placed by the engine.

use host::device::Device;
use host::model_device::ModelDevice;
use host::nic::{Config, Nic, PostedRing, RxEvent};
use host::sim_device::SimDevice;
use host::tcp::segment::{Addressing, Checksums, Header, Options, build};
use model::conn_table::Table;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use spec::conn_table::{Cmd, CmdStatus, Key, seq_lt};
use spec::tcp::{ACK, PSH};
use std::collections::BTreeMap;

const ISN: u32 = 0xFFFF_0000; // the stream wraps sequence space
const LOG_SIZE: u8 = 14;

struct Receiver {
    ring: PostedRing,
    /// The next byte the application lacks, and the engine's rcv_nxt as
    /// the last completion told it.
    rcv_nxt: u32,
    engine: u32,
    /// Bytes beyond rcv_nxt from frames the engine left to the host.
    ahead: BTreeMap<u32, u8>,
    got: Vec<u8>,
    placed: u64,
}

impl Receiver {
    fn take(&mut self, nic: &mut Nic<ModelDevice>, ev: RxEvent) {
        match ev {
            RxEvent::Placed(c) => {
                assert_eq!(usize::from(c.slot), self.ring.slot);
                if seq_lt(self.rcv_nxt, c.rcv_nxt) {
                    let n = c.rcv_nxt.wrapping_sub(self.rcv_nxt) as usize;
                    let bytes = nic.ring_read(&self.ring, self.rcv_nxt, n);
                    self.placed += n as u64;
                    self.push(&bytes);
                }
                self.engine = c.rcv_nxt;
            }
            RxEvent::Frame(f) => {
                let s = host::tcp::segment::parse(&f.data, true).expect("our own frames");
                for (i, b) in s.payload.iter().enumerate() {
                    let off = s.h.seq.wrapping_add(i as u32).wrapping_sub(self.rcv_nxt);
                    if off < 1 << 30 {
                        self.ahead.entry(off).or_insert(*b);
                    }
                }
                let mut run = Vec::new();
                while let Some(b) = self.ahead.remove(&(run.len() as u32)) {
                    run.push(b);
                }
                self.push(&run);
            }
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        self.got.extend_from_slice(bytes);
        self.rcv_nxt = self.rcv_nxt.wrapping_add(bytes.len() as u32);
        // Bytes the host now has are no longer ahead of it.
        let n = bytes.len() as u32;
        self.ahead = std::mem::take(&mut self.ahead)
            .into_iter()
            .filter(|(k, _)| *k >= n)
            .map(|(k, v)| (k - n, v))
            .collect();
    }
}

fn poll(nic: &mut Nic<ModelDevice>, r: &mut Receiver) {
    loop {
        nic.wait(64).unwrap();
        let evs = nic.poll_rx_events(256).unwrap();
        if evs.is_empty() {
            return;
        }
        for e in evs {
            r.take(nic, e);
        }
    }
}

#[test]
fn placed_and_host_bytes_are_the_stream() {
    let mut rng = SmallRng::seed_from_u64(16);
    let stream: Vec<u8> = (0..400_000).map(|_| rng.r#gen()).collect();
    let table = Table::new(16, 4, spec::toeplitz::DEFAULT_KEY);
    let mut nic = Nic::open(ModelDevice::new(8, 9600, table), Config::default()).unwrap();
    assert!(nic.places().unwrap(), "the model engine has rx_place");
    let a = Addressing {
        src_mac: [2, 0, 0, 0, 0, 1],
        dst_mac: [2, 0, 0, 0, 0, 2],
        src: "10.0.0.1:5001".parse().unwrap(),
        dst: "10.0.0.2:80".parse().unwrap(),
        ect: false,
    };
    let mut src = [0; 16];
    src[..4].copy_from_slice(&[10, 0, 0, 1]);
    let mut dst = [0; 16];
    dst[..4].copy_from_slice(&[10, 0, 0, 2]);
    let key = Key {
        v6: false,
        src,
        dst,
        sport: 5001,
        dport: 80,
    };
    let start = ISN.wrapping_add(1);
    let ins = nic
        .command(&Cmd::Insert {
            key,
            rcv_nxt: start,
            snd_una: 1000,
            bank: None,
        })
        .unwrap();
    assert_eq!(ins.status, CmdStatus::Ok);
    let slot = ins.slot.unwrap();
    let ring = nic.post(slot, LOG_SIZE, start, None).unwrap();
    let mut r = Receiver {
        ring,
        rcv_nxt: start,
        engine: start,
        ahead: BTreeMap::new(),
        got: Vec::new(),
        placed: 0,
    };
    // The sender: in-window segments, some lost (sent again later), some
    // twice, neighbours swapped; its window is 5/4 of the ring.
    let window = (1usize << LOG_SIZE) * 5 / 4;
    let mut next = 0usize;
    let mut frames = 0;
    while r.got.len() < stream.len() {
        let acked = r.rcv_nxt.wrapping_sub(start) as usize;
        if next < acked || rng.gen_bool(0.02) {
            next = acked; // go back, as after a timeout
        }
        let mut burst = Vec::new();
        while next < stream.len().min(acked + window) && burst.len() < 24 {
            let len = rng.gen_range(1..=1460).min(stream.len() - next);
            let h = Header {
                seq: start.wrapping_add(next as u32),
                ack: 1000,
                flags: ACK | if rng.gen_bool(0.1) { PSH } else { 0 },
                window: 512,
                opts: Options::default(),
            };
            let mut f = Vec::new();
            build(
                &a,
                &h,
                &stream[next..next + len],
                Checksums::Software,
                &mut f,
            );
            next += len;
            if rng.gen_bool(0.03) {
                continue;
            }
            if rng.gen_bool(0.03) {
                burst.push(f.clone());
            }
            burst.push(f);
        }
        for i in 1..burst.len() {
            if rng.gen_bool(0.05) {
                burst.swap(i - 1, i);
            }
        }
        frames += burst.len();
        for f in &burst {
            nic.device().wire_rx(f);
        }
        poll(&mut nic, &mut r);
        // The end of a poll: every pending completion, then the host's
        // rcv_nxt where frames it took moved it past the engine's.
        nic.flush_all_placed().unwrap();
        poll(&mut nic, &mut r);
        if seq_lt(r.engine, r.rcv_nxt) {
            nic.command(&Cmd::WriteRcvNxt(slot, r.rcv_nxt)).unwrap();
            r.engine = r.rcv_nxt;
            poll(&mut nic, &mut r);
        }
        nic.consume(&r.ring, r.rcv_nxt).unwrap();
        assert!(
            frames < 20_000,
            "no progress: {} of {} bytes",
            r.got.len(),
            stream.len()
        );
    }
    assert_eq!(r.got.len(), stream.len());
    assert!(
        r.got == stream,
        "the bytes handed on differ from the stream"
    );
    assert!(
        nic.device().mem().faults().is_empty(),
        "{:?}",
        nic.device().mem().faults()
    );
    let placed = r.placed as f64 / stream.len() as f64;
    eprintln!(
        "{frames} frames, {:.1} % of the stream placed, placer counts {:?}",
        100.0 * placed,
        nic.device().engine().placer().counts
    );
    assert!(placed > 0.5, "only {:.1} % placed", 100.0 * placed);
}
