//! A small HTTP/1.1 server session: GET returns a file of the directory,
//! PUT stores the body as a file there. Keep-alive, Content-Length bodies
//! only (no chunked uploads: answered 411), paths confined to the directory.

use std::path::{Component, Path, PathBuf};

pub struct HttpSession {
    dir: PathBuf,
    input: Vec<u8>,
    /// A PUT waiting for its body: (file, length).
    body: Option<(PathBuf, usize)>,
    close: bool,
}

/// Longest request head accepted.
const HEAD_MAX: usize = 16 * 1024;

impl HttpSession {
    pub fn new(dir: PathBuf) -> HttpSession {
        HttpSession {
            dir,
            input: Vec::new(),
            body: None,
            close: false,
        }
    }

    /// The client asked to close, or the request was malformed.
    pub fn close_after(&self) -> bool {
        self.close
    }

    /// Consumes request bytes; appends responses to `out`.
    pub fn feed(&mut self, data: &[u8], out: &mut Vec<u8>) {
        self.input.extend_from_slice(data);
        while !self.close {
            if let Some((path, len)) = &self.body {
                if self.input.len() < *len {
                    return;
                }
                let body: Vec<u8> = self.input.drain(..*len).collect();
                let r = std::fs::write(path, &body);
                self.body = None;
                match r {
                    Ok(()) => respond(out, "201 Created", b"stored\n"),
                    Err(e) => respond(
                        out,
                        "500 Internal Server Error",
                        format!("{e}\n").as_bytes(),
                    ),
                }
                continue;
            }
            let Some(end) = self.input.windows(4).position(|w| w == b"\r\n\r\n") else {
                if self.input.len() > HEAD_MAX {
                    respond(out, "431 Request Header Fields Too Large", b"");
                    self.close = true;
                }
                return;
            };
            let head = String::from_utf8_lossy(&self.input[..end]).into_owned();
            self.input.drain(..end + 4);
            self.request(&head, out);
        }
    }

    fn request(&mut self, head: &str, out: &mut Vec<u8>) {
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or("").split_whitespace();
        let (method, target, version) = (first.next(), first.next(), first.next());
        let header = |name: &str| {
            head.split("\r\n").skip(1).find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| v.trim().to_string())
            })
        };
        if header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"))
            || version == Some("HTTP/1.0")
        {
            self.close = true;
        }
        let (Some(method), Some(target), Some(_)) = (method, target, version) else {
            respond(out, "400 Bad Request", b"");
            self.close = true;
            return;
        };
        let Some(path) = confined(&self.dir, target) else {
            respond(out, "403 Forbidden", b"");
            return;
        };
        match method {
            "GET" | "HEAD" => match std::fs::read(&path) {
                Ok(data) => {
                    let body = if method == "GET" { &data[..] } else { &[] };
                    out.extend_from_slice(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\n\r\n",
                            data.len()
                        )
                        .as_bytes(),
                    );
                    out.extend_from_slice(body);
                }
                Err(_) => respond(out, "404 Not Found", b"not found\n"),
            },
            "PUT" => {
                if header("transfer-encoding").is_some() {
                    respond(out, "411 Length Required", b"send Content-Length\n");
                    self.close = true;
                    return;
                }
                match header("content-length").map(|v| v.parse::<usize>()) {
                    Some(Ok(len)) => {
                        if header("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
                        {
                            out.extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
                        }
                        self.body = Some((path, len));
                    }
                    _ => {
                        respond(out, "411 Length Required", b"send Content-Length\n");
                        self.close = true;
                    }
                }
            }
            _ => respond(out, "405 Method Not Allowed", b""),
        }
    }
}

fn respond(out: &mut Vec<u8>, status: &str, body: &[u8]) {
    out.extend_from_slice(
        format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(body);
}

/// `target` as a file under `dir`, refusing anything that climbs out.
fn confined(dir: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split('?').next()?.trim_start_matches('/');
    let rel = Path::new(path);
    if path.is_empty() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(dir.join(rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_put_and_escape() {
        let dir = std::env::temp_dir().join(format!("toe-http-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.txt"), b"hello").unwrap();
        let mut h = HttpSession::new(dir.clone());
        let mut out = Vec::new();
        h.feed(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nPUT /b.txt HTTP/1.1\r\nContent-Length: 3\r\n\r\nab", &mut out);
        let text = String::from_utf8_lossy(&out).into_owned();
        assert!(
            text.starts_with("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"),
            "{text}"
        );
        assert!(text.ends_with("hello"));
        h.feed(b"c", &mut out);
        assert_eq!(std::fs::read(dir.join("b.txt")).unwrap(), b"abc");
        let mut out = Vec::new();
        h.feed(b"GET /../etc/passwd HTTP/1.1\r\n\r\n", &mut out);
        assert!(out.starts_with(b"HTTP/1.1 403"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
