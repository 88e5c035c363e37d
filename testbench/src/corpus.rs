//! The shared corpus of real TCP captures and what its MANIFEST.tsv measured
//! about each (with tshark), so tests can run every trace and check counts.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Where the corpus is, when it is not beside the work tree.
pub const TRACES_ENV: &str = "OPENTOE_TRACES";
/// Set to 1 where a missing corpus must fail tests instead of skipping them.
pub const REQUIRE_ENV: &str = "OPENTOE_REQUIRE_CORPUS";

/// One capture file, as the manifest describes it.
#[derive(Clone, Debug)]
pub struct Trace {
    pub path: PathBuf,
    /// As listed, for messages.
    pub relative_path: String,
    pub sha256: String,
    pub bytes: u64,
    /// As tshark names it, e.g. `EN10MB(1)`.
    pub link_type: String,
    /// Every frame in the file, of any protocol.
    pub packets: u64,
    pub tcp_streams: u64,
    pub features: Vec<String>,
    pub checksum_note: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{}: sha256 {got}, the manifest says {want}: the file changed; restore the corpus",
        path.display()
    )]
    Digest {
        path: PathBuf,
        want: String,
        got: String,
    },
    #[error("{}:{line}: {problem}", path.display())]
    Manifest {
        path: PathBuf,
        line: usize,
        problem: String,
    },
}

/// The corpus directory: `$OPENTOE_TRACES`, else `shared/traces` beside the
/// work tree or one of its parents, where developer machines and CI put it.
pub fn traces_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(TRACES_ENV) {
        return Some(PathBuf::from(dir)).filter(|d| has_manifest(d));
    }
    beside_an_ancestor(Path::new(env!("CARGO_MANIFEST_DIR")))
}

fn has_manifest(dir: &Path) -> bool {
    dir.join("MANIFEST.tsv").is_file()
}

fn beside_an_ancestor(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|a| a.join("shared/traces"))
        .find(|d| has_manifest(d))
}

/// Reads `dir/MANIFEST.tsv`; columns are found by their header name so the
/// manifest can gain columns.
pub fn manifest(dir: &Path) -> Result<Vec<Trace>, CorpusError> {
    let path = dir.join("MANIFEST.tsv");
    let text = std::fs::read_to_string(&path).map_err(|source| CorpusError::Io {
        path: path.clone(),
        source,
    })?;
    let error = |line: usize, problem: String| CorpusError::Manifest {
        path: path.clone(),
        line,
        problem,
    };
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let header: Vec<&str> = lines
        .next()
        .ok_or_else(|| error(1, "empty manifest".into()))?
        .1
        .split('\t')
        .collect();
    let columns: HashMap<&str, usize> = header.iter().enumerate().map(|(i, &n)| (n, i)).collect();
    let mut traces = Vec::new();
    for (line, row) in lines.filter(|(_, l)| !l.trim().is_empty()) {
        let fields: Vec<&str> = row.split('\t').collect();
        if fields.len() != header.len() {
            let problem = format!("{} fields, the header has {}", fields.len(), header.len());
            return Err(error(line, problem));
        }
        let text = |name: &str| match columns.get(name) {
            Some(&i) => Ok(fields[i].to_string()),
            None => Err(error(1, format!("no column `{name}`"))),
        };
        let number = |name: &str| {
            let value = text(name)?;
            value
                .parse::<u64>()
                .map_err(|_| error(line, format!("{name} `{value}` is not a number")))
        };
        let relative_path = text("relative_path")?;
        traces.push(Trace {
            path: dir.join(&relative_path),
            relative_path,
            sha256: text("sha256")?,
            bytes: number("bytes")?,
            link_type: text("link_type")?,
            packets: number("packets")?,
            tcp_streams: number("tcp_streams")?,
            features: text("notable_features")?
                .split(',')
                .filter(|f| !f.is_empty())
                .map(String::from)
                .collect(),
            checksum_note: text("checksum_note")?,
        });
    }
    Ok(traces)
}

/// The corpus for a test, or `None` after printing a SKIPPED line when it
/// cannot be found (CI clones may not have it), unless `$OPENTOE_REQUIRE_CORPUS=1`.
/// Panics when the corpus is required, or found but unreadable: the test
/// cannot go on either way.
pub fn for_test() -> Option<Vec<Trace>> {
    let Some(dir) = traces_dir() else {
        if std::env::var(REQUIRE_ENV).is_ok_and(|v| v == "1") {
            panic!(
                "trace corpus not found (no MANIFEST.tsv in ${TRACES_ENV} or ../shared/traces) \
                 and {REQUIRE_ENV}=1: point {TRACES_ENV} at the corpus"
            );
        }
        // Straight to stderr: the test harness hides print! output of
        // passing tests, and a skip must be seen.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: trace corpus not found (set {TRACES_ENV})"
        );
        return None;
    };
    let traces = manifest(&dir).unwrap_or_else(|e| panic!("{e}"));
    for t in &traces {
        verify(t).unwrap_or_else(|e| panic!("{e}"));
    }
    Some(traces)
}

/// Checks that `t` is the file the manifest measured: its counts are
/// what the tests hold the reader and the engine to.
pub fn verify(t: &Trace) -> Result<(), CorpusError> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(&t.path).map_err(|source| CorpusError::Io {
        path: t.path.clone(),
        source,
    })?;
    let got: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if !got.eq_ignore_ascii_case(&t.sha256) {
        return Err(CorpusError::Digest {
            path: t.path.clone(),
            want: t.sha256.clone(),
            got,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest_of(name: &str, text: &str) -> Result<Vec<Trace>, CorpusError> {
        let dir =
            std::env::temp_dir().join(format!("opentoe-corpus-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("MANIFEST.tsv"), text).unwrap();
        manifest(&dir)
    }

    const HEADER: &str = "packets\trelative_path\tsha256\tbytes\tlink_type\ttcp_streams\t\
                          notable_features\tchecksum_note\textra\n";

    #[test]
    fn the_corpus_is_found_beside_an_ancestor() {
        let root = std::env::temp_dir().join(format!("opentoe-find-{}", std::process::id()));
        let start = root.join("main/testbench");
        std::fs::create_dir_all(&start).unwrap();
        assert_eq!(beside_an_ancestor(&start), None);
        let traces = root.join("shared/traces");
        std::fs::create_dir_all(&traces).unwrap();
        std::fs::write(traces.join("MANIFEST.tsv"), HEADER).unwrap();
        assert_eq!(beside_an_ancestor(&start), Some(traces));
    }

    #[test]
    fn columns_are_found_by_name() {
        let text = format!("{HEADER}3\ta/b.pcap\tff\t336\tEN10MB(1)\t1\tfin,ipv4\tok\tx\n\n");
        let traces = manifest_of("good", &text).unwrap();
        assert_eq!(traces.len(), 1);
        let t = &traces[0];
        assert_eq!(
            (t.relative_path.as_str(), t.packets, t.bytes),
            ("a/b.pcap", 3, 336)
        );
        assert!(t.path.ends_with("a/b.pcap"));
        assert_eq!(t.features, ["fin", "ipv4"]);
    }

    #[test]
    fn a_changed_file_fails_its_digest() {
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let text = format!("{HEADER}0\ta.pcap\t{empty}\t0\tEN10MB(1)\t0\t\tok\t\n");
        let traces = manifest_of("digest", &text).unwrap();
        std::fs::write(&traces[0].path, b"").unwrap();
        verify(&traces[0]).unwrap();
        std::fs::write(&traces[0].path, b"x").unwrap();
        let e = verify(&traces[0]).unwrap_err().to_string();
        assert!(e.contains("the file changed"), "{e}");
    }

    #[test]
    fn bad_rows_name_their_line() {
        let short = format!("{HEADER}3\ta.pcap\n");
        let e = manifest_of("short", &short).unwrap_err().to_string();
        assert!(
            e.ends_with("MANIFEST.tsv:2: 2 fields, the header has 9"),
            "{e}"
        );
        let nan = format!("{HEADER}x\ta.pcap\tff\t1\tEN10MB(1)\t1\t\tok\t\n");
        let e = manifest_of("nan", &nan).unwrap_err().to_string();
        assert!(e.ends_with(":2: packets `x` is not a number"), "{e}");
        let e = manifest_of("nocol", "relative_path\nx\n")
            .unwrap_err()
            .to_string();
        assert!(e.ends_with(":1: no column `sha256`"), "{e}");
    }
}
