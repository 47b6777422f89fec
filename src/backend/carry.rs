//! The hand-carry file: `outbox export` writes it on a field laptop that can't reach the
//! backend, `receive import` reads it at the office. One JSON object a line; each holds one
//! request body as the station stores and would send it (sealed when the station seals), so
//! the receiver treats it exactly like the same record arriving over HTTPS.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Written in every line (a reader of a later format can tell).
pub const FORMAT: &str = "madoguchi-carry-1";

/// The station's proof that a carried line is its own: its client certificate (the one it
/// delivers with over mutual TLS) and its signature over `signed_bytes`. With it, the receiver
/// binds the line's record to that station as it binds a record sent over mutual TLS.
#[derive(Clone, Serialize, Deserialize)]
pub struct StationProof {
    /// The station's certificate, base64 DER.
    pub cert: String,
    /// Its key's signature (ECDSA or RSA PKCS#1 v1.5, SHA-256) over `signed_bytes`, base64.
    pub sig: String,
}

/// No `Debug`: with `seal = false` the body is personal data.
#[derive(Serialize, Deserialize)]
pub struct Carried {
    /// Absent in files of the first release (same shape otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The Idempotency-Key the record is delivered under.
    pub enrollment_id: String,
    pub sealed: bool,
    /// The request body (JSON). The receiver compares bodies by their canonical JSON, so
    /// the byte form here needn't match what the station later sends over the network.
    pub body: Value,
    /// Absent when the station has no client certificate (or wrote the file before this).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub station: Option<StationProof>,
}

/// What the station signs of a line: the format, the key, and the body's JSON as the receiver
/// compares bodies (keys sorted, no spaces).
pub fn signed_bytes(enrollment_id: &str, body: &Value) -> Vec<u8> {
    let mut b = format!("{FORMAT}\n{enrollment_id}\n").into_bytes();
    b.extend(serde_json::to_vec(body).unwrap_or_default());
    b
}

/// A station's client certificate and key, to sign the lines it exports.
pub struct StationKey {
    key: openssl::pkey::PKey<openssl::pkey::Private>,
    cert_der: Vec<u8>,
}

impl StationKey {
    /// The `client_cert` and `client_key` (PEM) of the station's `[backend]` configuration.
    pub fn load(cert: &std::path::Path, key: &std::path::Path) -> Result<StationKey, String> {
        let read = |p: &std::path::Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
        let x = openssl::x509::X509::from_pem(&read(cert)?).map_err(|e| format!("{}: {e}", cert.display()))?;
        let key =
            openssl::pkey::PKey::private_key_from_pem(&read(key)?).map_err(|e| format!("{}: {e}", key.display()))?;
        let cert_der = x.to_der().map_err(|e| e.to_string())?;
        Ok(StationKey { key, cert_der })
    }

    fn prove(&self, enrollment_id: &str, body: &Value) -> Result<StationProof, String> {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut signer =
            openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &self.key).map_err(|e| e.to_string())?;
        let sig = signer
            .sign_oneshot_to_vec(&signed_bytes(enrollment_id, body))
            .map_err(|e| e.to_string())?;
        Ok(StationProof {
            cert: b64.encode(&self.cert_der),
            sig: b64.encode(sig),
        })
    }
}

/// Whether `proof` is a signature over the line by the key of the certificate it carries: the
/// certificate itself (its CA, clientAuth, revocation) is the receiver's to check. Returns it.
pub fn verify_proof(enrollment_id: &str, body: &Value, proof: &StationProof) -> Result<openssl::x509::X509, String> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let der = b64
        .decode(&proof.cert)
        .map_err(|_| "station certificate is not base64".to_string())?;
    let sig = b64
        .decode(&proof.sig)
        .map_err(|_| "station signature is not base64".to_string())?;
    let x = openssl::x509::X509::from_der(&der).map_err(|_| "station certificate is not a certificate".to_string())?;
    let key = x.public_key().map_err(|e| e.to_string())?;
    let mut v =
        openssl::sign::Verifier::new(openssl::hash::MessageDigest::sha256(), &key).map_err(|e| e.to_string())?;
    if v.verify_oneshot(&sig, &signed_bytes(enrollment_id, body))
        .unwrap_or(false)
    {
        Ok(x)
    } else {
        Err("the station's signature does not verify over the line".into())
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CarryError {
    /// Says where, never what: a line may hold an unsealed record.
    #[error("line {0}: not a carried record")]
    Malformed(usize),
    #[error("line {0}: written in a later format (this version reads madoguchi-carry-1)")]
    Format(usize),
}

/// One line of the file (without its newline), signed by the station when it has a key.
pub fn line(enrollment_id: &str, sealed: bool, body: &[u8], station: Option<&StationKey>) -> Result<String, String> {
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let station = station.map(|k| k.prove(enrollment_id, &body)).transpose()?;
    Ok(serde_json::to_string(&Carried {
        format: Some(FORMAT.into()),
        enrollment_id: enrollment_id.into(),
        sealed,
        body,
        station,
    })
    .unwrap_or_default())
}

/// Reads line `n` (1-based, for the message) of a carried file; blank lines give `None`.
pub fn parse(n: usize, line: &str) -> Result<Option<(Carried, Vec<u8>)>, CarryError> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    let c: Carried = serde_json::from_str(line).map_err(|_| CarryError::Malformed(n))?;
    if let Some(f) = c.format.as_deref().filter(|f| *f != FORMAT) {
        let _ = f;
        return Err(CarryError::Format(n));
    }
    if c.enrollment_id.is_empty() || c.enrollment_id.len() > 100 || !c.body.is_object() {
        return Err(CarryError::Malformed(n));
    }
    let body = serde_json::to_vec(&c.body).map_err(|_| CarryError::Malformed(n))?;
    Ok(Some((c, body)))
}

/// The longest line read from a carried file: a request body at the HTTP limit
/// (`receiver::BODY_LIMIT`) plus the line's own fields. A longer line is skipped unread (its
/// bytes are never held), so a file of any size reads in bounded memory.
pub const LINE_LIMIT: usize = super::receiver::BODY_LIMIT + 4096;

/// One line of a carried file, as `Lines` reads it.
pub enum Line {
    Text(String),
    /// Longer than the limit: skipped, never buffered.
    TooLong,
    NotUtf8,
}

/// The lines of a carried file, numbered from 1, each at most `limit` bytes in memory.
pub struct Lines<R> {
    reader: R,
    number: usize,
    limit: usize,
}

impl<R: std::io::BufRead> Lines<R> {
    pub fn new(reader: R, limit: usize) -> Lines<R> {
        Lines {
            reader,
            number: 0,
            limit,
        }
    }
}

impl<R: std::io::BufRead> Iterator for Lines<R> {
    type Item = std::io::Result<(usize, Line)>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut buf = Vec::new();
        let (mut any, mut too_long) = (false, false);
        loop {
            let avail = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Some(Err(e)),
            };
            if avail.is_empty() {
                if !any {
                    return None;
                }
                break;
            }
            any = true;
            let (end, used, found) = match avail.iter().position(|b| *b == b'\n') {
                Some(i) => (i, i + 1, true),
                None => (avail.len(), avail.len(), false),
            };
            if !too_long {
                if buf.len() + end > self.limit {
                    too_long = true;
                    buf = Vec::new();
                } else {
                    buf.extend_from_slice(&avail[..end]);
                }
            }
            self.reader.consume(used);
            if found {
                break;
            }
        }
        self.number += 1;
        let line = if too_long {
            Line::TooLong
        } else {
            String::from_utf8(buf).map_or(Line::NotUtf8, Line::Text)
        };
        Some(Ok((self.number, line)))
    }
}

/// Opens a carried file for reading, refusing anything but a regular file: a FIFO would block
/// for ever and a device (`/dev/zero`) never ends. Opened without blocking, then judged by the
/// descriptor itself (no race with a path swapped in between).
pub fn open_regular(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    if !f.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, device or directory is not read)",
        ));
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_bounded_and_numbered() {
        let long = "x".repeat(100);
        let mut bytes = format!("a\n{long}\nb\n").into_bytes();
        // A byte that is not UTF-8 on line 4.
        bytes.extend_from_slice(b"\xff\nlast");
        // A small buffer: lines span several reads.
        let r = std::io::BufReader::with_capacity(7, &bytes[..]);
        let got: Vec<(usize, String)> = Lines::new(r, 10)
            .map(|l| {
                let (n, l) = l.unwrap();
                (
                    n,
                    match l {
                        Line::Text(t) => t,
                        Line::TooLong => "<long>".into(),
                        Line::NotUtf8 => "<bytes>".into(),
                    },
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (1, "a".to_string()),
                (2, "<long>".into()),
                (3, "b".into()),
                (4, "<bytes>".into()),
                (5, "last".into())
            ]
        );
    }

    #[test]
    fn only_regular_files_are_opened() {
        assert!(open_regular(std::path::Path::new("/dev/zero")).is_err());
        assert!(open_regular(std::path::Path::new("/")).is_err());
        assert!(open_regular(std::path::Path::new("Cargo.toml")).is_ok());
    }

    #[test]
    fn a_line_reads_back_and_first_release_lines_still_read() {
        let l = line(
            "id-1",
            true,
            br#"{"jwe":"a.b.c.d.e","station_id":"s1","enrollment_id":"id-1"}"#,
            None,
        )
        .unwrap();
        let (c, body) = parse(1, &l).ok().flatten().unwrap();
        assert!(c.station.is_none(), "unsigned without a station key");
        assert_eq!(
            (c.enrollment_id.as_str(), c.sealed, c.format.as_deref()),
            ("id-1", true, Some(FORMAT))
        );
        assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["jwe"], "a.b.c.d.e");
        // The first release wrote no format.
        let old = r#"{"enrollment_id":"id-2","sealed":false,"body":{"schema":"x"}}"#;
        assert_eq!(parse(2, old).ok().flatten().unwrap().0.enrollment_id, "id-2");
        assert!(parse(3, "  ").ok().unwrap().is_none());
        assert_eq!(parse(4, "{\"name\":\"山田\"").err(), Some(CarryError::Malformed(4)));
        let later = r#"{"format":"madoguchi-carry-9","enrollment_id":"x","sealed":true,"body":{}}"#;
        assert!(matches!(parse(5, later).err(), Some(CarryError::Format(5))));
        // The message names the line, not what was in it.
        assert!(
            !parse(6, r#"{"enrollment_id":"","sealed":true,"body":{"name":"山田"}}"#)
                .err()
                .unwrap()
                .to_string()
                .contains("山田")
        );
    }

    #[test]
    fn a_signed_line_verifies_and_any_change_breaks_it() {
        let dir = std::env::temp_dir().join(format!("madoguchi-carry-sig-{}", std::process::id()));
        let tls = crate::backend::receiver::LoopbackTls::create(&dir, "field-7").unwrap();
        let key = StationKey::load(&tls.client_cert, &tls.client_key).unwrap();
        let body = br#"{"jwe":"a.b.c.d.e","station_id":"field-7","enrollment_id":"id-1"}"#;
        let l = line("id-1", true, body, Some(&key)).unwrap();
        let (c, _) = parse(1, &l).ok().flatten().unwrap();
        let proof = c.station.clone().expect("signed");
        let cert = verify_proof("id-1", &c.body, &proof).unwrap();
        assert_eq!(
            cert.to_der().unwrap(),
            openssl::x509::X509::from_pem(&std::fs::read(&tls.client_cert).unwrap())
                .unwrap()
                .to_der()
                .unwrap()
        );
        // Another id, another body: the signature no longer holds.
        assert!(verify_proof("id-2", &c.body, &proof).is_err());
        let mut other = c.body.clone();
        other["station_id"] = Value::String("counter-01".into());
        assert!(verify_proof("id-1", &other, &proof).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
