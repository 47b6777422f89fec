//! The applications and files the station may touch — and nothing else.
//!
//! The client addresses files only through [`Ef`], which has no variant for 券面事項入力補助AP
//! EF 01 (My Number) or EF 03 (its J-LIS signature, which holds a hash of the My Number), nor
//! for 券面事項確認AP EF 05 (the My Number as an image) or EF 13 (照合番号A, which is the My
//! Number itself). The [`super::guard`] checks every APDU against this same table before it
//! leaves the process, and refuses FIDs 0005 and 0013 under every application ([`forbidden`]).

/// 公的個人認証AP (JPKI-AP).
pub const AID_JPKI: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
/// 券面事項入力補助AP.
pub const AID_TEXT: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];

/// 券面事項確認AP: the card face (photo, name and address images) behind 照合番号B.
pub const AID_FACE: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02];

/// EF IDs in 券面事項入力補助AP that must never be selected (documented for the guard and tests).
pub const FORBIDDEN_TEXT_EFS: [u16; 2] = [0x0001, 0x0003];

/// EF IDs never selected under any application: 券面事項確認AP EF 0005 (the My Number as an
/// image) and EF 0013 (its PIN, 照合番号A: the My Number itself, so a VERIFY would send it).
pub const FORBIDDEN_EVERYWHERE: [u16; 2] = [0x0005, 0x0013];

/// Whether FID `fid` under `app` reaches the My Number (the guard refuses it by name).
pub fn forbidden(app: Application, fid: u16) -> bool {
    FORBIDDEN_EVERYWHERE.contains(&fid) || (app == Application::Text && FORBIDDEN_TEXT_EFS.contains(&fid))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Application {
    /// 券面事項入力補助AP.
    Text,
    /// 公的個人認証AP.
    Jpki,
    /// 券面事項確認AP.
    Face,
}

impl Application {
    pub fn aid(self) -> &'static [u8] {
        match self {
            Application::Text => &AID_TEXT,
            Application::Jpki => &AID_JPKI,
            Application::Face => &AID_FACE,
        }
    }

    /// The application whose AID is exactly `aid`. Never by prefix: the card selects an
    /// application by an 8-byte prefix of its AID, which the text AP shares with others.
    pub fn from_aid(aid: &[u8]) -> Option<Application> {
        [Application::Text, Application::Jpki, Application::Face]
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
    /// Authentication private key (JPKI 0017): the 利用者証明 challenge signs with it.
    AuthKey,
    /// 利用者証明用暗証番号 (JPKI 0018).
    AuthPin,
    /// 照合番号B (券面事項確認AP 0012).
    FacePinB,
    /// The card face (券面事項確認AP 0002): photo, name/address images, birth, sex, expiry.
    CardFace,
}

pub const ALL_EFS: [Ef; 13] = [
    Ef::TextPin,
    Ef::Basic4,
    Ef::JpkiToken,
    Ef::SignCert,
    Ef::SignCaCert,
    Ef::AuthCert,
    Ef::AuthCaCert,
    Ef::SignKey,
    Ef::SignPassword,
    Ef::AuthKey,
    Ef::AuthPin,
    Ef::FacePinB,
    Ef::CardFace,
];

impl Ef {
    pub fn app(self) -> Application {
        match self {
            Ef::TextPin | Ef::Basic4 => Application::Text,
            Ef::FacePinB | Ef::CardFace => Application::Face,
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
            Ef::AuthKey => 0x0017,
            Ef::AuthPin => 0x0018,
            Ef::FacePinB => 0x0012,
            Ef::CardFace => 0x0002,
        }
    }

    pub fn access(self) -> Access {
        match self {
            Ef::TextPin | Ef::SignPassword | Ef::AuthPin | Ef::FacePinB => Access::Verify,
            Ef::SignKey | Ef::AuthKey => Access::Sign,
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

    /// Whether the file is too big for one short READ BINARY: read with one extended READ
    /// where the reader allows it, else in 256-byte chunks.
    pub fn is_large(self) -> bool {
        self.is_certificate() || self == Ef::CardFace
    }

    /// Upper bound on the content we accept from this EF (a lying header can't make us read
    /// megabytes). Certificates are ~1.7 KB, EF 02 well under 1 KB; the card face is a few KB
    /// (a ~2 KB photo, three small PNGs, a key and a signature), capped where READ BINARY's
    /// offsets end (`0x7FFF`, docs/card.md).
    pub fn max_len(self) -> usize {
        match self {
            Ef::Basic4 => 4096,
            Ef::JpkiToken => 64,
            Ef::CardFace => 0x8000,
            _ => 8192,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_APPS: [Application; 3] = [Application::Text, Application::Jpki, Application::Face];

    #[test]
    fn no_ef_reaches_my_number_or_ef03() {
        for fid in FORBIDDEN_TEXT_EFS {
            assert_eq!(Ef::lookup(Application::Text, fid), None);
            assert!(forbidden(Application::Text, fid));
        }
        for ef in ALL_EFS {
            assert_eq!(Ef::lookup(ef.app(), ef.fid()), Some(ef));
            assert!(!forbidden(ef.app(), ef.fid()), "{ef:?}");
        }
        assert_eq!(Application::from_aid(&AID_TEXT), Some(Application::Text));
        // The 住基 AP and the unknown 04 01 one are not on the list.
        for last in [[0x01, 0x00], [0x04, 0x01]] {
            let mut aid = AID_FACE;
            aid[8..].copy_from_slice(&last);
            assert_eq!(Application::from_aid(&aid), None);
        }
    }

    /// 券面事項確認AP EF 0005 (the My Number as an image) and EF 0013 (照合番号A, the My Number):
    /// no file of the list under any application, and refused by name under each.
    #[test]
    fn the_my_number_image_and_its_pin_are_on_no_list() {
        for fid in FORBIDDEN_EVERYWHERE {
            for app in ALL_APPS {
                assert_eq!(Ef::lookup(app, fid), None, "{app:?} {fid:04X}");
                assert!(forbidden(app, fid), "{app:?} {fid:04X}");
            }
        }
        assert_eq!(Application::from_aid(&AID_FACE), Some(Application::Face));
        assert_eq!(Ef::lookup(Application::Face, 0x0012), Some(Ef::FacePinB));
        assert_eq!(Ef::lookup(Application::Face, 0x0002), Some(Ef::CardFace));
        // The birth-date record (0001), AP info (0003), certificate (0004) and the others of
        // the card-face AP: not needed, not listed.
        for fid in [0x0001, 0x0003, 0x0004, 0x0006, 0x0011] {
            assert_eq!(Ef::lookup(Application::Face, fid), None, "{fid:04X}");
        }
    }
}
