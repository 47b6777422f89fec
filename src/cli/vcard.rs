//! `madoguchi vcard`: the virtual card in a real pcscd, through vpcd.

use super::{Failure, Outcome};
use madoguchi::card::vcard::pki::TestPki;
use madoguchi::card::vcard::profile::Profile;
use madoguchi::card::vcard::vpcd::{self, BridgeEnd, BridgeOptions};
use madoguchi::card::vcard::VirtualCard;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args)]
pub struct VcardArgs {
    /// A built-in profile (as `madoguchi demo --help` describes them) or a profile TOML file.
    #[arg(long, default_value = "yamada", value_parser = super::ProfileArg)]
    profile: String,
    /// vpcd host.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// vpcd port: 35963 is "Virtual PCD 00 00", 35964 is "Virtual PCD 00 01".
    #[arg(long, default_value_t = vpcd::DEFAULT_PORT)]
    port: u16,
    /// Delay before answering each APDU, in milliseconds.
    #[arg(long, default_value_t = 0)]
    apdu_delay_ms: u64,
    /// Pull the card (close the connection) instead of answering APDU number N+1.
    #[arg(long, value_name = "N")]
    drop_after: Option<u32>,
    /// Keep the card's counters (APDUs, VERIFYs, tries left) as JSON in this file.
    #[arg(long, value_name = "FILE")]
    stats: Option<PathBuf>,
    /// Keep the test CA here (created when absent) so certificates verify across runs.
    #[arg(long, value_name = "DIR")]
    pki_dir: Option<PathBuf>,
    /// Write the issued certificates (PEM) into this directory.
    #[arg(long, value_name = "DIR")]
    write_certs: Option<PathBuf>,
    /// ATR to present, hex (default: a My Number Card's contact ATR).
    #[arg(long)]
    atr: Option<String>,
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    let s: String = s.chars().filter(|c| !c.is_whitespace() && *c != ':').collect();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

pub fn run(args: VcardArgs) -> Outcome {
    let profile = match Profile::named(&args.profile) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("madoguchi vcard: {e}");
            return Err(Failure::Usage);
        }
    };
    let pki = match &args.pki_dir {
        Some(dir) => TestPki::load_or_create(dir).map_err(|e| e.to_string()),
        None => TestPki::generate().map_err(|e| e.to_string()),
    };
    let pki = match pki {
        Ok(p) => p,
        Err(e) => {
            eprintln!("madoguchi vcard: test PKI: {e}");
            return Err(Failure::Internal);
        }
    };
    let mut card = match VirtualCard::new(&profile, &pki) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("madoguchi vcard: issuing certificates: {e}");
            return Err(Failure::Internal);
        }
    };
    if let Some(atr) = &args.atr {
        match unhex(atr) {
            Some(a) if (2..=33).contains(&a.len()) => card.set_atr(a),
            _ => {
                eprintln!("madoguchi vcard: --atr must be 2 to 33 bytes of hex");
                return Err(Failure::Usage);
            }
        }
    }
    if let Some(dir) = &args.write_certs {
        use madoguchi::card::vcard::profile::CertState;
        let revoked = (
            profile.signing_certificate == CertState::Revoked,
            profile.auth_certificate() == CertState::Revoked,
        );
        if let Err(e) = write_certs(&card, &pki, revoked, dir) {
            eprintln!("madoguchi vcard: writing certificates to {}: {e}", dir.display());
            return Err(Failure::Internal);
        }
    }
    let opts = BridgeOptions {
        host: args.host,
        port: args.port,
        apdu_delay: Duration::from_millis(args.apdu_delay_ms),
        drop_after: args.drop_after,
        stats_file: args.stats,
        ..BridgeOptions::default()
    };
    eprintln!(
        "madoguchi vcard: profile {} → vpcd {}:{}",
        profile.id, opts.host, opts.port
    );
    match vpcd::serve(&mut card, &opts) {
        Ok(BridgeEnd::ReaderClosed) => {
            eprintln!("madoguchi vcard: pcscd closed the virtual reader");
            Ok(())
        }
        Ok(BridgeEnd::Dropped { after }) => {
            eprintln!("madoguchi vcard: card pulled after {after} APDUs");
            Ok(())
        }
        Err(e @ vpcd::BridgeError::Connect { .. }) => {
            eprintln!("madoguchi vcard: {e}");
            Err(Failure::NoService)
        }
        Err(e) => {
            eprintln!("madoguchi vcard: {e}");
            Err(Failure::Internal)
        }
    }
}

/// The card's certificates as PEM, and the CAs' CRLs (`sign-crl.pem`, `auth-crl.pem`), which
/// list the signing / 利用者証明用 certificate when the profile says it is revoked.
fn write_certs(
    card: &VirtualCard,
    pki: &TestPki,
    (revoked, auth_revoked): (bool, bool),
    dir: &std::path::Path,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let pem = |der: &[u8]| -> std::io::Result<Vec<u8>> {
        openssl::x509::X509::from_der(der)
            .and_then(|c| c.to_pem())
            .map_err(|e| std::io::Error::other(e.to_string()))
    };
    std::fs::write(dir.join("sign-ca.pem"), pem(&card.sign_ca_der)?)?;
    std::fs::write(dir.join("auth-ca.pem"), pem(&card.auth_ca_der)?)?;
    let mut serials = Vec::new();
    if let Some(der) = &card.sign_cert_der {
        std::fs::write(dir.join("sign.pem"), pem(der)?)?;
        let cert = openssl::x509::X509::from_der(der).map_err(|e| std::io::Error::other(e.to_string()))?;
        if revoked {
            serials.push(
                cert.serial_number()
                    .to_owned()
                    .map_err(|e| std::io::Error::other(e.to_string()))?,
            );
        }
    }
    let refs: Vec<&openssl::asn1::Asn1IntegerRef> = serials.iter().map(|s| s.as_ref()).collect();
    let crl = pki
        .signing_crl(&refs)
        .and_then(|c| c.to_pem())
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    std::fs::write(dir.join("sign-crl.pem"), crl)?;
    std::fs::write(dir.join("auth.pem"), pem(&card.auth_cert_der)?)?;
    let auth = openssl::x509::X509::from_der(&card.auth_cert_der).map_err(|e| std::io::Error::other(e.to_string()))?;
    let listed: Vec<&openssl::asn1::Asn1IntegerRef> = if auth_revoked {
        vec![auth.serial_number()]
    } else {
        vec![]
    };
    let crl = pki
        .auth_crl(&listed)
        .and_then(|c| c.to_pem())
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    std::fs::write(dir.join("auth-crl.pem"), crl)?;
    Ok(())
}
