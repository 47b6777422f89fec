//! The applications and files the station may touch — and nothing else.
//!
//! The client addresses files only through [`Ef`], which has no variant for 券面事項入力補助AP
//! EF 01 (My Number) or EF 03 (its J-LIS signature, which holds a hash of the My Number).
//! The [`super::guard`] checks every APDU against this same table before it leaves the process.

/// 公的個人認証AP (JPKI-AP).
pub const AID_JPKI: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
/// 券面事項入力補助AP.
pub const AID_TEXT: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];

/// EF IDs in 券面事項入力補助AP that must never be selected (documented for the guard and tests).
pub const FORBIDDEN_TEXT_EFS: [u16; 2] = [0x0001, 0x0003];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Application {
    /// 券面事項入力補助AP.
    Text,
    /// 公的個人認証AP.
    Jpki,
}

impl Application {
    pub fn aid(self) -> &'static [u8] {
        match self {
            Application::Text => &AID_TEXT,
            Application::Jpki => &AID_JPKI,
        }
    }

    /// The application whose AID is exactly `aid`. Never by prefix: the card selects an
    /// application by an 8-byte prefix of its AID, which the text AP shares with others.
    pub fn from_aid(aid: &[u8]) -> Option<Application> {
        [Application::Text, Application::Jpki]
            .into_iter()
            .find(|a| a.aid() == aid)
    }
}

/// What the station may do with a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Verify,
    Sign,
}

/// Every elementary file the station uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ef {
    /// 券面事項入力補助用暗証番号 (text AP 0011).
    TextPin,
    /// 基本4情報 (text AP 0002).
    Basic4,
    /// Token information (JPKI 0006), `JPKIAPICCTOKEN2` on a My Number Card.
    JpkiToken,
    /// 署名用電子証明書 (JPKI 0001): readable after the signing password.
    SignCert,
    /// Signing CA certificate (JPKI 0002).
    SignCaCert,
    /// 利用者証明用電子証明書 (JPKI 000A).
    AuthCert,
    /// Authentication CA certificate (JPKI 000B).
    AuthCaCert,
    /// Signing private key (JPKI 001A): select, then COMPUTE DIGITAL SIGNATURE.
    SignKey,
    /// 署名用パスワード (JPKI 001B).
    SignPassword,
}

pub const ALL_EFS: [Ef; 9] = [
    Ef::TextPin,
    Ef::Basic4,
    Ef::JpkiToken,
    Ef::SignCert,
    Ef::SignCaCert,
    Ef::AuthCert,
    Ef::AuthCaCert,
    Ef::SignKey,
    Ef::SignPassword,
];

impl Ef {
    pub fn app(self) -> Application {
        match self {
            Ef::TextPin | Ef::Basic4 => Application::Text,
            _ => Application::Jpki,
        }
    }

    pub fn fid(self) -> u16 {
        match self {
            Ef::TextPin => 0x0011,
            Ef::Basic4 => 0x0002,
            Ef::JpkiToken => 0x0006,
            Ef::SignCert => 0x0001,
            Ef::SignCaCert => 0x0002,
            Ef::AuthCert => 0x000A,
            Ef::AuthCaCert => 0x000B,
            Ef::SignKey => 0x001A,
            Ef::SignPassword => 0x001B,
        }
    }

    pub fn access(self) -> Access {
        match self {
            Ef::TextPin | Ef::SignPassword => Access::Verify,
            Ef::SignKey => Access::Sign,
            _ => Access::Read,
        }
    }

    /// The allowlisted EF with this FID in `app`, if any.
    pub fn lookup(app: Application, fid: u16) -> Option<Ef> {
        ALL_EFS.into_iter().find(|ef| ef.app() == app && ef.fid() == fid)
    }

    pub fn is_certificate(self) -> bool {
        matches!(self, Ef::SignCert | Ef::SignCaCert | Ef::AuthCert | Ef::AuthCaCert)
    }

    /// Upper bound on the content we accept from this EF (a lying header can't make us read
    /// megabytes). Certificates are ~1.7 KB, EF 02 well under 1 KB.
    pub fn max_len(self) -> usize {
        match self {
            Ef::Basic4 => 4096,
            Ef::JpkiToken => 64,
            _ => 8192,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_ef_reaches_my_number_or_ef03() {
        for fid in FORBIDDEN_TEXT_EFS {
            assert_eq!(Ef::lookup(Application::Text, fid), None);
        }
        for ef in ALL_EFS {
            assert_eq!(Ef::lookup(ef.app(), ef.fid()), Some(ef));
            assert!(!(ef.app() == Application::Text && FORBIDDEN_TEXT_EFS.contains(&ef.fid())));
        }
        assert_eq!(Application::from_aid(&AID_TEXT), Some(Application::Text));
        assert_eq!(
            Application::from_aid(&[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02]),
            None
        );
    }
}
