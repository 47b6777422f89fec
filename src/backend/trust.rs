//! Trust material as operators get it. J-LIS publishes its JPKI CA certificates as DER `.cer`
//! files and keeps several generations valid under one DN (authca01–03, signca…); test CAs come
//! as PEM. Every certificate and CRL input of madoguchi goes through here: a file (PEM with one
//! or several entries, or DER) or a directory of such files. An issuer is chosen by key
//! identifier and signature, never by its name alone, for chains and for CRLs alike: with three
//! CAs under one DN, a name says nothing about which key signed.

use openssl::hash::MessageDigest;
use openssl::x509::{X509Crl, X509Ref, X509};
use std::path::{Path, PathBuf};

/// How deep a chain may go above the certificate (JPKI: the CA signs end entities directly).
const MAX_DEPTH: usize = 4;

/// The files a path names: itself, or of a directory its files with one of `exts` (sorted;
/// hidden files — a downloader's `.signca.cer.part` — are left out). The second list holds
/// the directory's other files, for the caller to name as not read.
pub fn files_of(path: &Path, exts: &[&str]) -> Result<(Vec<PathBuf>, Vec<PathBuf>), String> {
    if !path.is_dir() {
        return Ok((vec![path.to_path_buf()], Vec::new()));
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|f| f.is_file())
        .collect();
    entries.sort();
    let (mut read, mut other) = (Vec::new(), Vec::new());
    for f in entries {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        let ext = f
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if exts.contains(&ext.as_str()) {
            read.push(f);
        } else {
            other.push(f);
        }
    }
    Ok((read, other))
}

/// File name endings read as certificates in a directory.
pub const CERT_EXTS: [&str; 4] = ["cer", "crt", "der", "pem"];
/// File name endings read as CRLs in a directory.
pub const CRL_EXTS: [&str; 3] = ["crl", "pem", "der"];

/// The certificates of one file's bytes: every PEM certificate in it, or one DER certificate.
pub fn parse_certificates(bytes: &[u8]) -> Option<Vec<X509>> {
    if let Ok(v) = X509::stack_from_pem(bytes) {
        if !v.is_empty() {
            return Some(v);
        }
    }
    X509::from_der(bytes).ok().map(|x| vec![x])
}

/// The CRLs of one file's bytes: every PEM CRL in it, or one DER CRL.
pub fn parse_crls(bytes: &[u8]) -> Option<Vec<X509Crl>> {
    const BEGIN: &[u8] = b"-----BEGIN X509 CRL-----";
    const END: &[u8] = b"-----END X509 CRL-----";
    let mut out = Vec::new();
    let mut rest = bytes;
    while let Some(start) = find(rest, BEGIN) {
        let end = find(&rest[start..], END).map(|e| start + e + END.len())?;
        out.push(X509Crl::from_pem(&rest[start..end]).ok()?);
        rest = &rest[end..];
    }
    if !out.is_empty() {
        return Some(out);
    }
    X509Crl::from_der(bytes).ok().map(|c| vec![c])
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Every certificate of `path` (a file or a directory of them). Anything that is not a
/// certificate is an error naming the file and what was expected.
pub fn load_certificates(path: &Path) -> Result<Vec<X509>, String> {
    let (files, _) = files_of(path, &CERT_EXTS)?;
    if files.is_empty() {
        return Err(format!(
            "{}: no certificate files (*.cer, *.crt, *.der, *.pem) in this directory",
            path.display()
        ));
    }
    let mut out = Vec::new();
    for f in files {
        let bytes = std::fs::read(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        let certs = parse_certificates(&bytes).ok_or_else(|| {
            format!(
                "{}: not a PEM or DER X.509 certificate (expected a .cer/.der file as J-LIS publishes, or PEM)",
                f.display()
            )
        })?;
        out.extend(certs);
    }
    Ok(out)
}

/// Every CRL of one file (PEM, one or several, or DER), or an error naming it.
pub fn load_crl_file(f: &Path) -> Result<Vec<X509Crl>, String> {
    let bytes = std::fs::read(f).map_err(|e| format!("{}: {e}", f.display()))?;
    parse_crls(&bytes).ok_or_else(|| format!("{}: not a CRL (PEM or DER X.509 CRL expected)", f.display()))
}

fn same_name(a: &openssl::x509::X509NameRef, b: &openssl::x509::X509NameRef) -> bool {
    a.try_cmp(b).is_ok_and(|o| o.is_eq())
}

/// Whether `ca` issued `cert`: its subject is the certificate's issuer, its key identifier
/// (when both carry one) is the one the certificate names, and its key verifies the
/// certificate's signature.
pub fn issued_by(cert: &X509Ref, ca: &X509Ref) -> bool {
    if !same_name(ca.subject_name(), cert.issuer_name()) {
        return false;
    }
    if let (Some(aki), Some(ski)) = (cert.authority_key_id(), ca.subject_key_id()) {
        if aki.as_slice() != ski.as_slice() {
            return false;
        }
    }
    ca.public_key().is_ok_and(|k| cert.verify(&k).unwrap_or(false))
}

/// Whether `ca` signed `crl`: the name, the key identifier when both carry one, and the
/// signature.
pub fn crl_issued_by(crl: &X509Crl, ca: &X509Ref) -> bool {
    if !same_name(ca.subject_name(), crl.issuer_name()) {
        return false;
    }
    if let (Some(aki), Some(ski)) = (crl_authority_key_id(crl), ca.subject_key_id()) {
        if aki != ski.as_slice() {
            return false;
        }
    }
    ca.public_key().is_ok_and(|k| crl.verify(&k).unwrap_or(false))
}

/// Whether a CRL may speak for a certificate when the issuing CA itself is not at hand (the
/// station's `[checks]` CRL): the same issuer name, and the same authority key identifier
/// when both carry one — so a CRL of another generation under the same DN is not applied.
pub fn crl_matches_certificate(crl: &X509Crl, cert: &X509Ref) -> bool {
    if !same_name(crl.issuer_name(), cert.issuer_name()) {
        return false;
    }
    match (crl_authority_key_id(crl), cert.authority_key_id()) {
        (Some(a), Some(b)) => a == b.as_slice(),
        _ => true,
    }
}

fn self_signed(x: &X509Ref) -> bool {
    issued_by(x, x)
}

/// The anchors (and intermediates) `cert` chains to among `trust`, nearest first, each chosen
/// by key identifier and signature. `None` when no trusted certificate signed it.
pub fn chain_of(trust: &[X509], cert: &X509Ref) -> Option<Vec<X509>> {
    let mut path: Vec<X509> = Vec::new();
    let mut current = cert.to_owned();
    for _ in 0..MAX_DEPTH {
        let issuer = trust.iter().find(|ca| issued_by(&current, ca))?.clone();
        let top = self_signed(&issuer);
        path.push(issuer.clone());
        if top {
            return Some(path);
        }
        current = issuer;
    }
    None
}

/// The keyIdentifier of a CRL's authorityKeyIdentifier extension (RFC 5280 §5.2.1): the
/// openssl crate does not expose it for CRLs.
pub fn crl_authority_key_id(crl: &X509Crl) -> Option<Vec<u8>> {
    super::der::crl_authority_key_id(&crl.to_der().ok()?)
}

/// The partition a CRL covers: its issuingDistributionPoint's name (DER), `None` for a full
/// CRL of its issuer.
pub fn crl_partition(crl: &X509Crl) -> Option<Vec<u8>> {
    super::der::crl_issuing_point(&crl.to_der().ok()?)
}

/// Whether a CRL of `partition` speaks for `cert`: a full CRL for every certificate of its
/// issuer; a partitioned one (J-LIS publishes one per municipality for the 利用者証明用
/// certificates) only for a certificate that names that distribution point.
pub fn partition_covers(partition: Option<&[u8]>, cert: &X509Ref) -> bool {
    match partition {
        None => true,
        Some(p) => cert
            .to_der()
            .map(|d| super::der::certificate_points(&d).iter().any(|c| c == p))
            .unwrap_or(false),
    }
}

/// What an operator checks of a trust anchor against a trusted copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub subject: String,
    pub not_before: String,
    pub not_after: String,
    /// SHA-256 of the DER, `AB:CD:…` as `openssl x509 -fingerprint -sha256` prints it.
    pub sha256: String,
    /// Days until notAfter (negative once expired).
    pub days_left: i64,
}

/// How soon an anchor's end is worth a warning at start.
pub const WARN_DAYS: i64 = 90;

impl Anchor {
    pub fn of(x: &X509Ref) -> Anchor {
        let now = crate::time::unix_ms() / 1000;
        let date = |t: &openssl::asn1::Asn1TimeRef| {
            asn1_unix(t).map_or_else(|| t.to_string(), |s| crate::time::rfc3339(s * 1000))
        };
        let not_after = asn1_unix(x.not_after()).unwrap_or(0);
        Anchor {
            subject: name_text(x.subject_name()),
            not_before: date(x.not_before()),
            not_after: date(x.not_after()),
            sha256: x
                .digest(MessageDigest::sha256())
                .map(|d| d.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":"))
                .unwrap_or_default(),
            days_left: (not_after - now).div_euclid(86_400),
        }
    }

    /// The start-up line for the operator.
    pub fn describe(&self) -> String {
        format!(
            "{} (valid {} to {}), SHA-256 {}",
            self.subject, self.not_before, self.not_after, self.sha256
        )
    }

    /// A warning when the anchor has expired or expires within `WARN_DAYS`.
    pub fn warning(&self) -> Option<String> {
        if self.days_left < 0 {
            Some(format!(
                "{} expired on {}: the certificates it issued have expired too; remove it when its successor is in place",
                self.subject, self.not_after
            ))
        } else if self.days_left < WARN_DAYS {
            Some(format!(
                "{} expires in {} days ({}): install its successor next to it",
                self.subject, self.days_left, self.not_after
            ))
        } else {
            None
        }
    }
}

/// `C=JP, O=JPKI, OU=…`: a CA's name (never a person's).
pub fn name_text(name: &openssl::x509::X509NameRef) -> String {
    name.entries()
        .filter_map(|e| {
            let key = e.object().nid().short_name().ok()?;
            let value = e.data().to_string().ok()?;
            // Printed to terminals and logs: a crafted name must not drive them.
            Some(format!("{key}={}", crate::text::escape_untrusted(&value)))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Seconds since the epoch of an ASN.1 time.
pub fn asn1_unix(t: &openssl::asn1::Asn1TimeRef) -> Option<i64> {
    let epoch = openssl::asn1::Asn1Time::from_unix(0).ok()?;
    let d = epoch.diff(t).ok()?;
    Some(i64::from(d.days) * 86_400 + i64::from(d.secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::vcard::pki::TestPki;
    use crate::card::vcard::profile::Profile;

    fn temp_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "madoguchi-trust-{tag}-{}-{}",
            std::process::id(),
            crate::time::unix_ms()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn der_pem_bundles_and_directories_load() {
        let gens: Vec<TestPki> = (0..3).map(|_| TestPki::generate().unwrap()).collect();
        let dir = temp_dir("load");
        // As J-LIS publishes them: DER .cer files.
        for (i, g) in gens.iter().enumerate() {
            std::fs::write(
                dir.join(format!("signca0{}.cer", i + 1)),
                g.sign_ca.cert.to_der().unwrap(),
            )
            .unwrap();
        }
        std::fs::write(dir.join("README"), b"from jpki.go.jp").unwrap();
        std::fs::write(dir.join(".signca04.cer.part"), b"\x30\x82").unwrap();
        let loaded = load_certificates(&dir).unwrap();
        assert_eq!(loaded.len(), 3);
        // A PEM bundle of all three in one file.
        let mut bundle = Vec::new();
        for g in &gens {
            bundle.extend(g.sign_ca.cert.to_pem().unwrap());
        }
        let pem = dir.join("bundle.txt");
        std::fs::write(&pem, &bundle).unwrap();
        assert_eq!(load_certificates(&pem).unwrap().len(), 3);
        // One DER file named as a file.
        assert_eq!(load_certificates(&dir.join("signca02.cer")).unwrap().len(), 1);
        // Anything else: the file is named and what was expected said.
        let junk = dir.join("junk.cer");
        std::fs::write(&junk, b"not a certificate").unwrap();
        let e = load_certificates(&dir).unwrap_err();
        assert!(
            e.contains("junk.cer") && e.contains("a PEM or DER X.509 certificate"),
            "{e}"
        );
        let empty = temp_dir("empty");
        assert!(load_certificates(&empty).unwrap_err().contains("no certificate files"));
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&empty);
    }

    #[test]
    fn the_issuer_is_the_generation_that_signed_not_the_first_with_the_name() {
        let gens: Vec<TestPki> = (0..3).map(|_| TestPki::generate().unwrap()).collect();
        let trust: Vec<X509> = gens.iter().map(|g| g.sign_ca.cert.clone()).collect();
        let p = Profile::named("yamada").unwrap();
        for (i, g) in gens.iter().enumerate() {
            let cert = g.issue(&p).unwrap().sign_cert.unwrap();
            let path = chain_of(&trust, &cert).expect("chains");
            assert_eq!(path.len(), 1);
            assert_eq!(path[0].to_der().unwrap(), trust[i].to_der().unwrap(), "generation {i}");
            for (j, ca) in trust.iter().enumerate() {
                assert_eq!(issued_by(&cert, ca), i == j);
            }
        }
        // Another PKI's certificate chains to none of them.
        let other = TestPki::generate().unwrap().issue(&p).unwrap().sign_cert.unwrap();
        assert!(chain_of(&trust[..2], &other).is_none());
    }

    #[test]
    fn a_crl_belongs_to_the_generation_that_signed_it() {
        let gens: Vec<TestPki> = (0..2).map(|_| TestPki::generate().unwrap()).collect();
        let p = Profile::named("yamada").unwrap();
        let cert = gens[1].issue(&p).unwrap().sign_cert.unwrap();
        let wrong = gens[0].signing_crl(&[cert.serial_number()]).unwrap();
        let right = gens[1].signing_crl(&[]).unwrap();
        assert!(crl_issued_by(&wrong, &gens[0].sign_ca.cert));
        assert!(!crl_issued_by(&wrong, &gens[1].sign_ca.cert));
        assert!(crl_issued_by(&right, &gens[1].sign_ca.cert));
        // Without the CA at hand, the key identifier tells them apart.
        assert_eq!(
            crl_authority_key_id(&right).as_deref(),
            gens[1].sign_ca.cert.subject_key_id().map(|k| k.as_slice())
        );
        assert!(!crl_matches_certificate(&wrong, &cert));
        assert!(crl_matches_certificate(&right, &cert));
    }

    #[test]
    fn crl_files_hold_pem_der_or_several() {
        let g = TestPki::generate().unwrap();
        let a = g.signing_crl(&[]).unwrap();
        let b = g.signing_crl_dated(&[], 0, 1).unwrap();
        let mut both = a.to_pem().unwrap();
        both.extend(b.to_pem().unwrap());
        assert_eq!(parse_crls(&both).unwrap().len(), 2);
        assert_eq!(parse_crls(&a.to_der().unwrap()).unwrap().len(), 1);
        assert!(parse_crls(b"junk").is_none());
        assert!(parse_crls(&g.sign_ca.cert.to_der().unwrap()).is_none());
    }

    #[test]
    fn anchors_say_fingerprint_and_warn_before_they_end() {
        let g = TestPki::generate().unwrap();
        let a = Anchor::of(&g.sign_ca.cert);
        assert_eq!(a.sha256.len(), 32 * 3 - 1);
        assert!(a.subject.contains("OU=JPKI for digital signature"), "{}", a.subject);
        assert!(a.warning().is_none(), "ten years left");
        let soon = Anchor {
            days_left: 30,
            ..a.clone()
        };
        assert!(soon.warning().unwrap().contains("expires in 30 days"));
        let gone = Anchor { days_left: -1, ..a };
        assert!(gone.warning().unwrap().contains("expired on"));
    }
}
