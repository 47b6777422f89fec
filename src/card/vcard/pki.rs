//! A test PKI made at run time with openssl: two self-signed "JPKI-like" CAs (signing and
//! authentication) and per-person certificates shaped like the real ones (card-protocol §11):
//! the signing certificate carries the four items as subjectAltName otherNames
//! `1.2.392.200149.8.5.5.1`–`.6` (UTF8String). Nothing here is a real J-LIS key or certificate,
//! and no private key is committed: the CA can be kept in a directory the caller names.

use super::profile::{CertState, Profile};
use crate::wareki;
use openssl::asn1::{Asn1Integer, Asn1Object, Asn1Time};
use openssl::bn::{BigNum, MsbOption};
use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::extension::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAlternativeName, SubjectKeyIdentifier,
};
use openssl::x509::{X509Builder, X509Name, X509NameBuilder, X509};
use std::path::Path;

pub const OID_NAME: &str = "1.2.392.200149.8.5.5.1";
pub const OID_NAME_FLAGS: &str = "1.2.392.200149.8.5.5.2";
pub const OID_GENDER: &str = "1.2.392.200149.8.5.5.3";
pub const OID_BIRTH: &str = "1.2.392.200149.8.5.5.4";
pub const OID_ADDRESS: &str = "1.2.392.200149.8.5.5.5";
pub const OID_ADDRESS_FLAGS: &str = "1.2.392.200149.8.5.5.6";

const DAY: i64 = 86_400;

pub struct Ca {
    pub key: PKey<Private>,
    pub cert: X509,
}

/// The two CAs of the test PKI.
pub struct TestPki {
    pub sign_ca: Ca,
    pub auth_ca: Ca,
}

/// What the virtual card holds for one person.
pub struct PersonKeys {
    pub sign_key: Option<Rsa<Private>>,
    pub sign_cert: Option<X509>,
    pub auth_key: Rsa<Private>,
    pub auth_cert: X509,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn random_serial() -> Result<Asn1Integer, ErrorStack> {
    let mut bn = BigNum::new()?;
    bn.rand(127, MsbOption::MAYBE_ZERO, false)?;
    bn.to_asn1_integer()
}

fn ca_name(ou: &str) -> Result<X509Name, ErrorStack> {
    let mut n = X509NameBuilder::new()?;
    n.append_entry_by_text("C", "JP")?;
    n.append_entry_by_text("O", "JPKI")?;
    n.append_entry_by_text("OU", ou)?;
    n.append_entry_by_text("OU", "madoguchi TEST CA - not J-LIS")?;
    Ok(n.build())
}

fn new_ca(ou: &str, from: i64, to: i64) -> Result<Ca, ErrorStack> {
    let key = PKey::from_rsa(Rsa::generate(2048)?)?;
    let name = ca_name(ou)?;
    let mut b = X509Builder::new()?;
    b.set_version(2)?;
    let serial = random_serial()?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(&name)?;
    b.set_issuer_name(&name)?;
    b.set_pubkey(&key)?;
    let nb = Asn1Time::from_unix(from)?;
    b.set_not_before(&nb)?;
    let na = Asn1Time::from_unix(to)?;
    b.set_not_after(&na)?;
    b.append_extension(BasicConstraints::new().critical().ca().build()?)?;
    b.append_extension(KeyUsage::new().critical().key_cert_sign().crl_sign().build()?)?;
    let ski = SubjectKeyIdentifier::new().build(&b.x509v3_context(None, None))?;
    b.append_extension(ski)?;
    b.sign(&key, MessageDigest::sha256())?;
    Ok(Ca { key, cert: b.build() })
}

/// DER of a UTF8String, the `content` otherName needs.
fn utf8_string_der(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = vec![0x0C];
    match bytes.len() {
        n if n < 0x80 => out.push(n as u8),
        n if n < 0x100 => out.extend_from_slice(&[0x81, n as u8]),
        n => out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(bytes);
    out
}

impl TestPki {
    /// CAs valid from ten years ago to ten years ahead. Each call makes a new generation:
    /// new keys under the same DNs, as J-LIS rolls its CAs.
    pub fn generate() -> Result<TestPki, ErrorStack> {
        Self::generate_dated(now() - 10 * 365 * DAY, now() + 10 * 365 * DAY)
    }

    /// CAs valid from `from` to `to` (Unix seconds).
    pub fn generate_dated(from: i64, to: i64) -> Result<TestPki, ErrorStack> {
        Ok(TestPki {
            sign_ca: new_ca("JPKI for digital signature", from, to)?,
            auth_ca: new_ca("JPKI for user authentication", from, to)?,
        })
    }

    /// Loads the CAs from `dir`, or creates them there (mode 0600 keys) when absent.
    pub fn load_or_create(dir: &Path) -> std::io::Result<TestPki> {
        let files = ["sign-ca.key", "sign-ca.pem", "auth-ca.key", "auth-ca.pem"].map(|f| dir.join(f));
        let io = |e: ErrorStack| std::io::Error::other(e.to_string());
        if files.iter().all(|f| f.exists()) {
            let read = |i: usize| std::fs::read(&files[i]);
            let ca = |k: Vec<u8>, c: Vec<u8>| -> Result<Ca, ErrorStack> {
                Ok(Ca {
                    key: PKey::private_key_from_pem(&k)?,
                    cert: X509::from_pem(&c)?,
                })
            };
            return Ok(TestPki {
                sign_ca: ca(read(0)?, read(1)?).map_err(io)?,
                auth_ca: ca(read(2)?, read(3)?).map_err(io)?,
            });
        }
        std::fs::create_dir_all(dir)?;
        let pki = TestPki::generate().map_err(io)?;
        for (i, ca) in [&pki.sign_ca, &pki.auth_ca].into_iter().enumerate() {
            write_private(&files[2 * i], &ca.key.private_key_to_pem_pkcs8().map_err(io)?)?;
            std::fs::write(&files[2 * i + 1], ca.cert.to_pem().map_err(io)?)?;
        }
        Ok(pki)
    }

    /// The card face's issuer (券面事項確認AP DF 28): the test signing CA's key doubles for it,
    /// one test key less to make. Nothing real: a real card face is signed by a key J-LIS
    /// names in the AP's EF 0004 and does not publish.
    pub fn face_issuer(&self) -> Rsa<openssl::pkey::Private> {
        self.sign_ca.key.rsa().expect("the test CAs are RSA")
    }

    /// The public half of [`Self::face_issuer`], as an operator would configure it (PEM).
    pub fn face_issuer_pem(&self) -> Vec<u8> {
        self.sign_ca.key.public_key_to_pem().expect("PEM of an RSA key")
    }

    /// Issues the person's signing certificate (unless under 15) and authentication certificate.
    pub fn issue(&self, p: &Profile) -> Result<PersonKeys, ErrorStack> {
        let auth_key = Rsa::generate(2048)?;
        // Issued with the signing certificate: expired together (a revocation after a move
        // touches the signing one only), unless the profile says otherwise.
        let auth_cert = self.leaf(
            &self.auth_ca,
            &PKey::from_rsa(auth_key.clone())?,
            None,
            p.auth_certificate(),
        )?;
        let (sign_key, sign_cert) = if p.signing_certificate == CertState::None {
            (None, None)
        } else {
            let key = Rsa::generate(2048)?;
            let cert = self.leaf(
                &self.sign_ca,
                &PKey::from_rsa(key.clone())?,
                Some(p),
                p.signing_certificate,
            )?;
            (Some(key), Some(cert))
        };
        Ok(PersonKeys {
            sign_key,
            sign_cert,
            auth_key,
            auth_cert,
        })
    }

    fn leaf(
        &self,
        ca: &Ca,
        key: &PKey<Private>,
        person: Option<&Profile>,
        state: CertState,
    ) -> Result<X509, ErrorStack> {
        let mut b = X509Builder::new()?;
        b.set_version(2)?;
        let serial = random_serial()?;
        b.set_serial_number(&serial)?;
        let mut subject = X509NameBuilder::new()?;
        subject.append_entry_by_text("C", "JP")?;
        let mut cn = BigNum::new()?;
        cn.rand(80, MsbOption::ONE, false)?;
        subject.append_entry_by_text("CN", &cn.to_hex_str()?)?;
        b.set_subject_name(&subject.build())?;
        b.set_issuer_name(ca.cert.subject_name())?;
        b.set_pubkey(key)?;
        let (from, to) = match state {
            CertState::Expired => (now() - 5 * 365 * DAY, now() - 30 * DAY),
            _ => (now() - DAY, now() + 5 * 365 * DAY),
        };
        let nb = Asn1Time::from_unix(from)?;
        b.set_not_before(&nb)?;
        let na = Asn1Time::from_unix(to)?;
        b.set_not_after(&na)?;
        b.append_extension(BasicConstraints::new().critical().build()?)?;
        let mut ku = KeyUsage::new();
        ku.critical().digital_signature();
        if person.is_some() {
            ku.non_repudiation();
        }
        b.append_extension(ku.build()?)?;
        if person.is_none() {
            // The 利用者証明用 certificate: clientAuth, as J-LIS issues it.
            b.append_extension(ExtendedKeyUsage::new().client_auth().build()?)?;
        }
        let aki = AuthorityKeyIdentifier::new()
            .keyid(false)
            .build(&b.x509v3_context(Some(&ca.cert), None))?;
        b.append_extension(aki)?;
        if let Some(p) = person {
            let birth = p.birth().expect("validated profile");
            let era = wareki::to_wareki(birth).map(|(e, _)| e.jpki_digit()).unwrap_or('0');
            // The certificate uses 3 for "unknown"; the chip's 9 maps there.
            let gender = match p.gender.as_str() {
                "1" | "2" => p.gender.clone(),
                _ => "3".to_string(),
            };
            // The text as J-LIS writes it: substitutes outside its repertoire, with flags.
            let cert_name = match (&p.former_name, p.certificate_former_name) {
                (Some(f), true) => format!("{}（{f}）", p.name),
                _ => p.name.clone(),
            };
            let (name, name_flags) = super::jlis::certificate_text(&cert_name);
            let (address, address_flags) =
                super::jlis::certificate_text(p.certificate_address.as_deref().unwrap_or(&p.address));
            let mut san = SubjectAlternativeName::new();
            san.other_name2(Asn1Object::from_str(OID_NAME)?, &utf8_string_der(&name));
            san.other_name2(Asn1Object::from_str(OID_NAME_FLAGS)?, &utf8_string_der(&name_flags));
            san.other_name2(Asn1Object::from_str(OID_GENDER)?, &utf8_string_der(&gender));
            san.other_name2(
                Asn1Object::from_str(OID_BIRTH)?,
                &utf8_string_der(&format!("{era}{}", birth.yyyymmdd())),
            );
            san.other_name2(Asn1Object::from_str(OID_ADDRESS)?, &utf8_string_der(&address));
            san.other_name2(
                Asn1Object::from_str(OID_ADDRESS_FLAGS)?,
                &utf8_string_der(&address_flags),
            );
            let ext = san.build(&b.x509v3_context(Some(&ca.cert), None))?;
            b.append_extension(ext)?;
        }
        b.sign(&ca.key, MessageDigest::sha256())?;
        Ok(b.build())
    }
}

fn write_private(path: &Path, pem: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(pem)?;
    f.sync_all()
}

/// Minimal DER writer for the CRL below.
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match content.len() {
        n if n < 0x80 => out.push(n as u8),
        n if n < 0x100 => out.extend_from_slice(&[0x81, n as u8]),
        n if n < 0x10000 => out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
        n => out.extend_from_slice(&[0x83, (n >> 16) as u8, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(content);
    out
}

fn utc_time(unix: i64) -> Vec<u8> {
    // "YYYY-MM-DDTHH:MM:SS..." → "YYMMDDHHMMSSZ"
    let t = crate::time::rfc3339(unix * 1000);
    let s = format!(
        "{}{}{}{}{}{}Z",
        &t[2..4],
        &t[5..7],
        &t[8..10],
        &t[11..13],
        &t[14..16],
        &t[17..19]
    );
    der(0x17, s.as_bytes())
}

impl TestPki {
    /// A CRL from the signing CA listing `serials` (the openssl crate has no CRL builder, so
    /// the TBSCertList is written here and signed with the CA key).
    pub fn signing_crl(
        &self,
        serials: &[&openssl::asn1::Asn1IntegerRef],
    ) -> Result<openssl::x509::X509Crl, ErrorStack> {
        self.signing_crl_dated(serials, now() - DAY, now() + 7 * DAY)
    }

    /// The same with its thisUpdate and nextUpdate (Unix seconds): a stale CRL for tests.
    pub fn signing_crl_dated(
        &self,
        serials: &[&openssl::asn1::Asn1IntegerRef],
        this_update: i64,
        next_update: i64,
    ) -> Result<openssl::x509::X509Crl, ErrorStack> {
        crl_of(&self.sign_ca.cert, &self.sign_ca.key, serials, this_update, next_update)
    }

    /// A CRL from the authentication CA listing `serials` (revoked 利用者証明用 certificates).
    pub fn auth_crl(&self, serials: &[&openssl::asn1::Asn1IntegerRef]) -> Result<openssl::x509::X509Crl, ErrorStack> {
        crl_of(
            &self.auth_ca.cert,
            &self.auth_ca.key,
            serials,
            now() - DAY,
            now() + 7 * DAY,
        )
    }
}

/// A CRL of the CA `ca` (signed with its key, RSA or EC) listing `serials`, dated `this_update`
/// to `next_update` (Unix seconds). The openssl crate has no CRL builder, so the TBSCertList is
/// written here.
pub fn crl_of(
    ca: &X509,
    key: &PKey<Private>,
    serials: &[&openssl::asn1::Asn1IntegerRef],
    this_update: i64,
    next_update: i64,
) -> Result<openssl::x509::X509Crl, ErrorStack> {
    const SHA256_RSA: [u8; 15] = [
        0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B, 0x05, 0x00,
    ];
    const SHA256_ECDSA: [u8; 12] = [0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02];
    let alg: &[u8] = if key.id() == openssl::pkey::Id::EC {
        &SHA256_ECDSA
    } else {
        &SHA256_RSA
    };
    let mut tbs = der(0x02, &[0x01]);
    tbs.extend_from_slice(alg);
    tbs.extend_from_slice(&ca.subject_name().to_der()?);
    tbs.extend_from_slice(&utc_time(this_update));
    tbs.extend_from_slice(&utc_time(next_update));
    if !serials.is_empty() {
        let mut list = Vec::new();
        for s in serials {
            let mut n = s.to_bn()?.to_vec();
            if n.first().is_none_or(|b| b & 0x80 != 0) {
                n.insert(0, 0);
            }
            let mut entry = der(0x02, &n);
            entry.extend_from_slice(&utc_time(now() - DAY));
            list.extend_from_slice(&der(0x30, &entry));
        }
        tbs.extend_from_slice(&der(0x30, &list));
    }
    // crlExtensions: the authority key identifier (RFC 5280 §5.2.1), so a CRL names the
    // generation of the CA that signed it when several share one DN.
    if let Some(ski) = ca.subject_key_id() {
        let aki = der(0x30, &der(0x80, ski.as_slice()));
        let mut ext = der(0x06, &[0x55, 0x1D, 0x23]);
        ext.extend_from_slice(&der(0x04, &aki));
        tbs.extend_from_slice(&der(0xA0, &der(0x30, &der(0x30, &ext))));
    }
    let tbs = der(0x30, &tbs);
    let mut signer = openssl::sign::Signer::new(MessageDigest::sha256(), key)?;
    signer.update(&tbs)?;
    let sig = signer.sign_to_vec()?;
    let mut bits = vec![0u8];
    bits.extend_from_slice(&sig);
    let mut body = tbs;
    body.extend_from_slice(alg);
    body.extend_from_slice(&der(0x03, &bits));
    openssl::x509::X509Crl::from_der(&der(0x30, &body))
}

#[cfg(test)]
mod crl_tests {
    use super::*;

    #[test]
    fn crl_lists_the_revoked_serial_and_verifies() {
        let pki = TestPki::generate().unwrap();
        let p = Profile::named("revoked").unwrap();
        let keys = pki.issue(&p).unwrap();
        let cert = keys.sign_cert.unwrap();
        let crl = pki.signing_crl(&[cert.serial_number()]).unwrap();
        assert!(crl.verify(&pki.sign_ca.key).unwrap());
        assert!(matches!(
            crl.get_by_serial(cert.serial_number()),
            openssl::x509::CrlStatus::Revoked(_)
        ));
        let other = pki
            .issue(&Profile::named("yamada").unwrap())
            .unwrap()
            .sign_cert
            .unwrap();
        assert!(matches!(
            crl.get_by_serial(other.serial_number()),
            openssl::x509::CrlStatus::NotRevoked
        ));
        let empty = pki.signing_crl(&[]).unwrap();
        assert!(matches!(
            empty.get_by_serial(cert.serial_number()),
            openssl::x509::CrlStatus::NotRevoked
        ));
    }
}
