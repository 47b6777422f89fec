//! `madoguchi cert`: read one JPKI certificate as PEM. The signing certificate needs the
//! signing password (same input rules as `read`); the others need no PIN.

use super::session;
use super::{Failure, Outcome};
use madoguchi::card::files::Ef;
use madoguchi::lang::Lang;
use madoguchi::secret::PinKind;
use std::io::Write;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Which {
    /// 署名用電子証明書 (needs the signing password; holds the four items).
    Sign,
    /// Signing CA certificate.
    SignCa,
    /// 利用者証明用電子証明書.
    Auth,
    /// Authentication CA certificate.
    AuthCa,
}

pub fn run(lang: Lang, wanted: Option<&str>, which: Which, last_try: bool) -> Outcome {
    let ef = match which {
        Which::Sign => Ef::SignCert,
        Which::SignCa => Ef::SignCaCert,
        Which::Auth => Ef::AuthCert,
        Which::AuthCa => Ef::AuthCaCert,
    };
    let der = match which {
        Which::Sign => session::with_pin(lang, wanted, PinKind::SignPassword, last_try, |c| {
            c.read_certificate(ef)
        }),
        _ => session::without_pin(lang, wanted, |c| c.read_certificate(ef)),
    };
    let pem = openssl::x509::X509::from_der(&der?)
        .and_then(|c| c.to_pem())
        .map(zeroize::Zeroizing::new)
        .map_err(|_| Failure::Internal)?;
    let mut out = std::io::stdout().lock();
    out.write_all(&pem)
        .and_then(|_| out.flush())
        .map_err(|_| Failure::Internal)
}
