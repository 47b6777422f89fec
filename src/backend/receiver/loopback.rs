//! The demo's and the tests' throwaway CA: mTLS on loopback without any operator material.

use super::config::TlsConfig;
use openssl::asn1::Asn1Time;
use openssl::ec::{EcGroup, EcKey};
use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::x509::extension::{BasicConstraints, ExtendedKeyUsage, SubjectAlternativeName};
use openssl::x509::{X509Builder, X509NameBuilder, X509};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// mTLS on loopback for the demo and tests: a throwaway CA, a server certificate for 127.0.0.1
/// and a client certificate naming one station (EC P-256, quick to make). PEM files in `dir`,
/// keys 0600.
pub struct LoopbackTls {
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
    /// The CA's key (0600), for a test's CRL of station certificates.
    pub ca_key: PathBuf,
}

impl LoopbackTls {
    /// The receiver's side: its certificate, and stations must present one from the same CA.
    pub fn server(&self) -> TlsConfig {
        TlsConfig {
            cert: self.server_cert.clone(),
            key: self.server_key.clone(),
            client_ca: Some(self.ca.clone()),
            client_crl: Vec::new(),
        }
    }

    pub fn create(dir: &Path, station_id: &str) -> Result<LoopbackTls, String> {
        let e = |e: ErrorStack| e.to_string();
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let (ca_key, server_key, client_key) = (key().map_err(e)?, key().map_err(e)?, key().map_err(e)?);
        // Named after its station: CAs of several stations can be trusted side by side
        // (OpenSSL finds an issuer by its name).
        let ca = certificate(&format!("madoguchi demo TLS CA {station_id}"), &ca_key, Role::Ca).map_err(e)?;
        let server = certificate("localhost", &server_key, Role::Server(&ca, &ca_key)).map_err(e)?;
        let client = certificate(station_id, &client_key, Role::Station(&ca, &ca_key)).map_err(e)?;
        let pem = |c: &X509| c.to_pem().map_err(e);
        let pkcs8 = |k: &PKey<Private>| k.private_key_to_pem_pkcs8().map_err(e);
        Ok(LoopbackTls {
            ca: write(dir, "ca.pem", &pem(&ca)?, 0o644)?,
            server_cert: write(dir, "server.pem", &pem(&server)?, 0o644)?,
            server_key: write(dir, "server.key", &pkcs8(&server_key)?, 0o600)?,
            client_cert: write(dir, "station.pem", &pem(&client)?, 0o644)?,
            client_key: write(dir, "station.key", &pkcs8(&client_key)?, 0o600)?,
            ca_key: write(dir, "ca.key", &pkcs8(&ca_key)?, 0o600)?,
        })
    }
}

/// What a certificate is for, and who issues it.
enum Role<'a> {
    /// Self-signed.
    Ca,
    /// For 127.0.0.1, serverAuth.
    Server(&'a X509, &'a PKey<Private>),
    /// Naming a station, clientAuth.
    Station(&'a X509, &'a PKey<Private>),
}

fn key() -> Result<PKey<Private>, ErrorStack> {
    let group = EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1)?;
    PKey::from_ec_key(EcKey::generate(&group)?)
}

/// A certificate for `cn` and `key`, valid from now for two days.
fn certificate(cn: &str, key: &PKey<Private>, role: Role) -> Result<X509, ErrorStack> {
    let mut name = X509NameBuilder::new()?;
    name.append_entry_by_text("CN", cn)?;
    let name = name.build();
    let mut b = X509Builder::new()?;
    b.set_version(2)?;
    let mut serial = openssl::bn::BigNum::new()?;
    serial.rand(64, openssl::bn::MsbOption::MAYBE_ZERO, false)?;
    let serial = serial.to_asn1_integer()?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(&name)?;
    b.set_pubkey(key)?;
    let (from, to) = (Asn1Time::days_from_now(0)?, Asn1Time::days_from_now(2)?);
    b.set_not_before(&from)?;
    b.set_not_after(&to)?;
    let signer = match role {
        Role::Ca => {
            b.set_issuer_name(&name)?;
            b.append_extension(BasicConstraints::new().critical().ca().build()?)?;
            key
        }
        Role::Server(ca, ca_key) => {
            b.set_issuer_name(ca.subject_name())?;
            let san = SubjectAlternativeName::new()
                .ip("127.0.0.1")
                .build(&b.x509v3_context(Some(ca), None))?;
            b.append_extension(san)?;
            b.append_extension(ExtendedKeyUsage::new().server_auth().build()?)?;
            ca_key
        }
        Role::Station(ca, ca_key) => {
            b.set_issuer_name(ca.subject_name())?;
            // A station's certificate says what it is for: the receiver accepts only
            // clientAuth certificates as stations.
            b.append_extension(ExtendedKeyUsage::new().client_auth().build()?)?;
            ca_key
        }
    };
    b.sign(signer, MessageDigest::sha256())?;
    Ok(b.build())
}

/// `bytes` as a new file `name` in `dir` with `mode` (one left from an earlier run replaced).
fn write(dir: &Path, name: &str, bytes: &[u8], mode: u32) -> Result<PathBuf, String> {
    let p = dir.join(name);
    let _ = std::fs::remove_file(&p);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&p)
        .and_then(|mut f| std::io::Write::write_all(&mut f, bytes))
        .map_err(|e| format!("{}: {e}", p.display()))?;
    Ok(p)
}
