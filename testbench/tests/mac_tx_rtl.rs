//! `mac_tx` against the model (`model::mac::transmit`, FCS by
//! `crc32fast`) burst for burst, with random idle between frames: frames
//! of 1 to 9018 bytes (short ones padded), frames marked bad; every gap
//! at least 12 bytes, and exactly 12 back to back. tshark checks the FCS of every captured frame the
//! RTL sent. Underruns and frames too long end with `TX_ER`, are counted,
//! and no receiver (the model's) takes them.

use model::mac::{Gmii, receive, transmit};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sim::mac_tx::{MacTxRtl, bursts};
use spec::mac::MAX_FRAME;
use std::process::Command;

fn random_frames(rng: &mut StdRng, n: usize) -> Vec<(Vec<u8>, bool)> {
    (0..n)
        .map(|_| {
            let len = match rng.gen_range(0..10) {
                0 => rng.gen_range(1..60),
                1 => rng.gen_range(1515..=MAX_FRAME - 4),
                _ => rng.gen_range(60..=1514),
            };
            ((0..len).map(|_| rng.r#gen()).collect(), rng.gen_bool(0.1))
        })
        .collect()
}

#[test]
fn rtl_bursts_equal_the_model_with_the_gap() {
    for seed in 0..3 {
        let mut rng = StdRng::seed_from_u64(seed);
        let frames = random_frames(&mut rng, 300);
        let mut rtl = MacTxRtl::new(seed).expect("the mac_tx build");
        let sent = rtl
            .run(&frames, [0.0, 0.3, 0.9][seed as usize], 0.0)
            .unwrap_or_else(|e| panic!("seed {seed}: {e:#}"));
        let (got, min_gap) = bursts(&sent.cycles);
        assert_eq!(got.len(), frames.len(), "seed {seed}: bursts");
        for (i, (g, (f, bad))) in got.iter().zip(&frames).enumerate() {
            assert!(
                *g == transmit(f, *bad),
                "seed {seed}: frame {i} ({} bytes) differs",
                f.len()
            );
        }
        assert!(min_gap >= 12, "seed {seed}: a gap of {min_gap} bytes");
        if seed == 0 {
            assert_eq!(min_gap, 12, "back to back, the gap is the minimum");
        }
        let c = rtl.counters();
        let bad = frames.iter().filter(|f| f.1).count() as u32;
        assert_eq!(
            (c.frames, c.errors),
            (frames.len() as u32 - bad, bad),
            "seed {seed}"
        );
        assert_eq!((c.underruns, c.oversize), (0, 0), "seed {seed}");
        eprintln!(
            "seed {seed}: {} bursts, shortest gap {min_gap}, {c:?}",
            got.len()
        );
    }
}

#[test]
fn underruns_and_overlong_frames_end_with_an_error() {
    let mut rng = StdRng::seed_from_u64(7);
    let mut frames = random_frames(&mut rng, 300);
    for f in frames.iter_mut() {
        f.1 = false;
    }
    for k in [3, 50, 120, 200, 250] {
        frames[k].0 = (0..MAX_FRAME - 4 + k).map(|i| i as u8).collect();
    }
    let mut rtl = MacTxRtl::new(7).expect("the mac_tx build");
    let sent = rtl.run(&frames, 0.2, 0.2).unwrap();
    let c = rtl.counters();
    // A hole past the cut falls in the drained rest.
    let under: Vec<bool> = sent
        .holes
        .iter()
        .map(|h| h.is_some_and(|at| at < MAX_FRAME - 4))
        .collect();
    let long: Vec<bool> = frames
        .iter()
        .zip(&under)
        .map(|((f, _), u)| f.len() > MAX_FRAME - 4 && !u)
        .collect();
    let count = |v: &[bool]| v.iter().filter(|x| **x).count() as u32;
    assert_eq!(
        (c.underruns, c.oversize),
        (count(&under), count(&long)),
        "{c:?}"
    );
    assert!(c.underruns > 30 && c.oversize > 0, "{c:?}");
    // The receiver takes exactly the frames sent whole, padded.
    let (received, rx) = receive(&sent.cycles);
    let want: Vec<Vec<u8>> = frames
        .iter()
        .zip(under.iter().zip(&long))
        .filter(|(_, (u, l))| !**u && !**l)
        .map(|((f, _), _)| {
            let mut p = f.clone();
            p.resize(p.len().max(60), 0);
            p
        })
        .collect();
    let good: Vec<Vec<u8>> = received
        .into_iter()
        .filter(|f| !f.bad)
        .map(|f| f.bytes)
        .collect();
    assert!(
        good == want,
        "the receiver's good frames are not the frames sent whole"
    );
    assert_eq!(rx.frames, c.frames);
    eprintln!("{c:?}, receiver {rx:?}");
}

#[test]
fn tshark_finds_every_fcs_good() {
    if !testbench::tools::tshark() {
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("traces");
    let mut frames = Vec::new();
    for name in ["ipv6.pcap", "tcp-options.pcap", "http-qinq-0.pcap"] {
        for r in capture::Reader::open(&dir.join(name)).unwrap() {
            if let capture::Record::Frame(f) = r.unwrap() {
                frames.push((f.data.to_vec(), false));
            }
        }
    }
    let mut rtl = MacTxRtl::new(1).expect("the mac_tx build");
    let sent = rtl.run(&frames, 0.1, 0.0).unwrap();
    let (got, _) = bursts(&sent.cycles);
    let out = std::env::temp_dir().join(format!("opentoe-mac-tx-{}.pcap", std::process::id()));
    let mut w = capture::PcapWriter::create(&out).unwrap();
    for (i, b) in got.iter().enumerate() {
        // After the preamble and SFD: the frame and its FCS, as a capture
        // that keeps the FCS holds it.
        let mut bytes: Vec<u8> = b[8..].iter().map(|g: &Gmii| g.d).collect();
        if i == 0 {
            // A control: one FCS made wrong, which tshark must call bad.
            *bytes.last_mut().unwrap() ^= 0x80;
        }
        w.write(i as u64 * 1000, &bytes, bytes.len() as u32)
            .unwrap();
    }
    drop(w);
    let o = Command::new("tshark")
        .arg("-r")
        .arg(&out)
        .args(["-o", "eth.fcs:TRUE", "-o", "eth.check_fcs:TRUE"])
        .args(["-T", "fields", "-e", "eth.fcs.status"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    let status: Vec<&str> = text.lines().collect();
    assert_eq!(status.len(), frames.len());
    assert_eq!(status[0], "0", "tshark did not see the control's bad FCS");
    let good = status[1..].iter().filter(|s| **s == "1").count();
    let bad = status[1..].iter().filter(|s| **s == "0").count();
    assert_eq!(bad, 0, "tshark found {bad} bad FCS");
    // tshark finds the FCS only behind frames it can take apart whole.
    assert!(
        good * 2 > frames.len(),
        "tshark checked only {good} of {}",
        frames.len() - 1
    );
    eprintln!("tshark: {good} of {} FCS good", frames.len() - 1);
    let _ = std::fs::remove_file(&out);
}
