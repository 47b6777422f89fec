//! A person on the virtual card: TOML files under `tests/fixtures/profiles/`.
//!
//! Test data only, made up. The My Number on a virtual card is generated with a valid check
//! digit so the card is realistic, and the station can never read it anyway.

use crate::card::basic4::BirthDate;
use serde::Deserialize;
use std::path::Path;

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CertState {
    /// Valid for five years from yesterday.
    #[default]
    Valid,
    /// Expired a month ago.
    Expired,
    /// Valid dates, but its serial is meant to be on the CRL (the receiver checks).
    Revoked,
    /// No signing certificate, key or password (holders under 15).
    None,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tries {
    #[serde(default = "three")]
    pub pin: u8,
    #[serde(default = "five")]
    pub sign_password: u8,
    /// 利用者証明用暗証番号: its own counter.
    #[serde(default = "three")]
    pub auth_pin: u8,
    /// 照合番号B of the 券面事項確認AP (EF 0012): its own counter. The real card's maximum is
    /// not published; the virtual card takes 3.
    #[serde(default = "three")]
    pub pin_b: u8,
}

fn three() -> u8 {
    3
}
fn five() -> u8 {
    5
}
fn yes() -> bool {
    true
}

impl Default for Tries {
    fn default() -> Tries {
        Tries {
            pin: 3,
            sign_password: 5,
            auth_pin: 3,
            pin_b: 3,
        }
    }
}

/// How the card face prints the year of birth (hence 照合番号B's first two digits).
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FaceYear {
    /// 和暦: cards of Japanese nationals.
    #[default]
    Wareki,
    /// 西暦: foreign residents' cards.
    Seireki,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Short id used on the command line (`--profile yamada`).
    pub id: String,
    /// 氏名 as the card face shows it (surname, U+3000, given name).
    pub name: String,
    #[serde(default)]
    pub former_name: Option<String>,
    /// Chip code: "1" male, "2" female, "9" not applicable.
    pub gender: String,
    /// YYYY-MM-DD.
    pub birth_date: String,
    pub address: String,
    /// 券面事項入力補助用暗証番号 (4 digits).
    pub pin: String,
    /// 利用者証明用暗証番号 (4 digits), a PIN of its own (for a child, set by the 法定代理人).
    /// The same as `pin` when absent, as many citizens choose.
    #[serde(default)]
    pub auth_pin: Option<String>,
    /// 署名用パスワード (6–16, A–Z 0–9). Ignored when `signing_certificate = "none"`.
    #[serde(default)]
    pub sign_password: Option<String>,
    #[serde(default)]
    pub tries: Tries,
    #[serde(default)]
    pub signing_certificate: CertState,
    /// The 利用者証明用電子証明書: every card has one (no age limit), so `none` is not a
    /// state of it. Unless said otherwise it shares the signing certificate's expiry (both
    /// are issued together) and is valid.
    #[serde(default)]
    pub auth_certificate: Option<CertState>,
    /// Write EF 02's outer length as `82 HH LL` (seen in clients) instead of the short form.
    #[serde(default = "yes")]
    pub ef02_long_header: bool,
    /// Whether the card accepts extended-length APDUs.
    #[serde(default = "yes")]
    pub extended_length: bool,
    /// 12-digit My Number (synthetic). Generated from the id when absent.
    #[serde(default)]
    pub my_number: Option<String>,
    /// The signing certificate's name carries the 旧氏 (`name（former）`); otherwise the
    /// certificate has the name alone.
    #[serde(default)]
    pub certificate_former_name: bool,
    /// The address the signing certificate was issued with, when it differs from the chip
    /// (moved, certificate not renewed).
    #[serde(default)]
    pub certificate_address: Option<String>,
    /// A furigana field after the four items in EF 02 (cards since 2026 carry more fields;
    /// the tag is unconfirmed, so the reader must skip it whatever it is).
    #[serde(default)]
    pub furigana: Option<String>,
    /// The card's expiry (YYYY-MM-DD) as its face prints it (券面事項確認AP DF 29); its year is
    /// part of 照合番号B. Ten years after issue when absent: 2035, on the birthday.
    #[serde(default)]
    pub card_expiry: Option<String>,
    /// The 4-digit セキュリティコード printed on the card face (DF 2A), the last part of
    /// 照合番号B. Made from the id when absent.
    #[serde(default)]
    pub security_code: Option<String>,
    /// Whether the face prints the birth year in 和暦 (default) or 西暦 (foreign residents).
    #[serde(default)]
    pub face_year: FaceYear,
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read profile {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("profile {path}: {message}")]
    Parse { path: String, message: String },
    #[error("profile {id}: {message}")]
    Invalid { id: String, message: String },
}

impl Profile {
    pub fn from_toml(text: &str, origin: &str) -> Result<Profile, ProfileError> {
        let p: Profile = toml::from_str(text).map_err(|e| ProfileError::Parse {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
        p.validate()?;
        Ok(p)
    }

    pub fn load(path: &Path) -> Result<Profile, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Profile::from_toml(&text, &path.display().to_string())
    }

    fn invalid(&self, message: &str) -> ProfileError {
        ProfileError::Invalid {
            id: self.id.clone(),
            message: message.to_string(),
        }
    }

    fn validate(&self) -> Result<(), ProfileError> {
        if self.birth().is_none() {
            return Err(self.invalid("birth_date must be YYYY-MM-DD and exist"));
        }
        if self.gender.len() != 1 || !self.gender.as_bytes()[0].is_ascii_digit() {
            return Err(self.invalid("gender must be one digit (1, 2 or 9)"));
        }
        if crate::secret::Pin::new(self.pin.as_bytes()).is_err() {
            return Err(self.invalid("pin must be 4 digits"));
        }
        if crate::secret::AuthPin::new(self.auth_pin().as_bytes()).is_err() {
            return Err(self.invalid("auth_pin must be 4 digits"));
        }
        if self.auth_certificate == Some(CertState::None) {
            return Err(self.invalid("auth_certificate cannot be none: every card has one"));
        }
        if self.signing_certificate != CertState::None {
            match &self.sign_password {
                Some(p)
                    if p.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                        && (6..=16).contains(&p.len()) => {}
                _ => return Err(self.invalid("sign_password must be 6–16 of A–Z 0–9")),
            }
        }
        if self.tries.pin > 3 || self.tries.sign_password > 5 || self.tries.auth_pin > 3 || self.tries.pin_b > 3 {
            return Err(self.invalid("tries exceed the card maximum (3 / 5 / 3 / 3)"));
        }
        if self.card_expiry().is_none() {
            return Err(self.invalid("card_expiry must be YYYY-MM-DD and exist"));
        }
        if let Some(c) = &self.security_code {
            if c.len() != 4 || !c.bytes().all(|b| b.is_ascii_digit()) {
                return Err(self.invalid("security_code must be 4 digits"));
            }
        }
        if self.pin_b().is_none() {
            return Err(self.invalid("no 照合番号B can be made of birth_date and card_expiry"));
        }
        if let Some(n) = &self.my_number {
            if n.len() != 12 || !n.bytes().all(|b| b.is_ascii_digit()) {
                return Err(self.invalid("my_number must be 12 digits"));
            }
        }
        Ok(())
    }

    /// The 利用者証明用暗証番号: `auth_pin`, else the same digits as `pin`.
    pub fn auth_pin(&self) -> &str {
        self.auth_pin.as_deref().unwrap_or(&self.pin)
    }

    /// The state of the 利用者証明用電子証明書: as said, else expired with an expired signing
    /// certificate (both are issued together), else valid.
    pub fn auth_certificate(&self) -> CertState {
        self.auth_certificate.unwrap_or(match self.signing_certificate {
            CertState::Expired => CertState::Expired,
            _ => CertState::Valid,
        })
    }

    pub fn birth(&self) -> Option<BirthDate> {
        BirthDate::from_iso(&self.birth_date)
    }

    /// The card's expiry: `card_expiry`, else 2035 on the birthday (28 February for 29).
    pub fn card_expiry(&self) -> Option<BirthDate> {
        match &self.card_expiry {
            Some(d) => BirthDate::from_iso(d),
            None => {
                let b = self.birth()?;
                BirthDate::new(2035, b.month(), b.day()).or_else(|| BirthDate::new(2035, 2, 28))
            }
        }
    }

    /// The セキュリティコード: `security_code`, else four digits made from the id.
    pub fn security_code(&self) -> String {
        if let Some(c) = &self.security_code {
            return c.clone();
        }
        let h = self
            .id
            .bytes()
            .fold(2166136261u32, |h, b| (h ^ b as u32).wrapping_mul(16777619));
        format!("{:04}", h % 10_000)
    }

    /// 照合番号B as the clerk types it: the birth date as the face prints it, the expiry
    /// year, the security code (14 digits). Test data: the demo shows it.
    pub fn pin_b(&self) -> Option<String> {
        use crate::card::face::{birth_as_printed, PrintedYear};
        let year = match self.face_year {
            FaceYear::Wareki => PrintedYear::Wareki,
            FaceYear::Seireki => PrintedYear::Seireki,
        };
        let birth = birth_as_printed(self.birth()?, year)?;
        let expiry = self.card_expiry()?.year();
        Some(format!(
            "{}{expiry:04}{}",
            std::str::from_utf8(&birth[..]).ok()?,
            self.security_code()
        ))
    }

    /// The name text as the virtual card stores it in EF 02 (see `basic4::split_former_name`).
    pub fn card_name(&self) -> String {
        match &self.former_name {
            Some(f) => format!("{}（{}）", self.name, f),
            None => self.name.clone(),
        }
    }

    /// 12-digit My Number with a valid check digit (card-protocol §5.2).
    pub fn my_number(&self) -> String {
        if let Some(n) = &self.my_number {
            return n.clone();
        }
        let seed = self.id.bytes().fold(1469598103934665603u64, |h, b| {
            (h ^ b as u64).wrapping_mul(1099511628211)
        });
        let body: Vec<u32> = (0..11).map(|i| ((seed >> (i * 5)) % 10) as u32).collect();
        let mut s: String = body.iter().map(|d| char::from(b'0' + *d as u8)).collect();
        s.push(char::from(b'0' + check_digit(&body) as u8));
        s
    }
}

/// My Number check digit over the first 11 digits.
pub fn check_digit(first11: &[u32]) -> u32 {
    let sum: u32 = first11
        .iter()
        .rev()
        .enumerate()
        .map(|(n, d)| d * if n < 6 { n as u32 + 2 } else { n as u32 - 4 })
        .sum();
    let r = sum % 11;
    if r <= 1 {
        0
    } else {
        11 - r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit_matches_the_known_example() {
        let d: Vec<u32> = "12345678901".bytes().map(|b| (b - b'0') as u32).collect();
        assert_eq!(check_digit(&d), 8);
    }

    #[test]
    fn profile_validation() {
        let ok = r#"id = "t"
name = "山田　太郎"
gender = "1"
birth_date = "1980-02-17"
address = "東京都"
pin = "1234"
sign_password = "ABC123"
"#;
        let p = Profile::from_toml(ok, "inline").unwrap();
        assert_eq!(p.my_number().len(), 12);
        assert!(Profile::from_toml(&ok.replace("1980-02-17", "1980-02-30"), "x").is_err());
        assert!(Profile::from_toml(&ok.replace("\"1234\"", "\"12345\""), "x").is_err());
        assert!(Profile::from_toml(&ok.replace("ABC123", "abc123"), "x").is_err());
        assert_eq!(p.auth_pin(), "1234", "the text PIN's digits when none is given");
        let own = Profile::from_toml(&format!("{ok}auth_pin = \"5678\"\n"), "x").unwrap();
        assert_eq!((own.pin.as_str(), own.auth_pin()), ("1234", "5678"));
        assert!(Profile::from_toml(&format!("{ok}auth_pin = \"567\"\n"), "x").is_err());
        assert!(Profile::from_toml(&format!("{ok}auth_certificate = \"none\"\n"), "x").is_err());
        assert!(Profile::from_toml(&format!("{ok}[tries]\nauth_pin = 4\n"), "x").is_err());
        assert!(Profile::from_toml(&format!("{ok}[tries]\npin_b = 4\n"), "x").is_err());
        assert!(Profile::from_toml(&format!("{ok}security_code = \"123\"\n"), "x").is_err());
        assert!(Profile::from_toml(&format!("{ok}card_expiry = \"2035-02-30\"\n"), "x").is_err());
        // 照合番号B: card-protocol's test card (1980-02-17, 2035, 2285).
        let b = Profile::from_toml(
            &format!("{ok}card_expiry = \"2035-02-17\"\nsecurity_code = \"2285\"\n"),
            "x",
        )
        .unwrap();
        assert_eq!(b.pin_b().as_deref(), Some("55021720352285"));
        let foreign = Profile::from_toml(
            &format!("{ok}card_expiry = \"2035-02-17\"\nsecurity_code = \"2285\"\nface_year = \"seireki\"\n"),
            "x",
        )
        .unwrap();
        assert_eq!(foreign.pin_b().as_deref(), Some("80021720352285"));
        assert_eq!(p.card_expiry().unwrap().iso(), "2035-02-17", "the default");
        assert_eq!(p.security_code().len(), 4);
        let e = Profile::from_toml(&format!("{ok}colour = 1\n"), "x").unwrap_err();
        assert!(e.to_string().contains("colour"), "{e}");
    }
}

/// The profiles shipped in `examples/profiles/`, built into the binary so `--profile NAME`
/// works from any directory.
pub const BUILTIN: [(&str, &str); 15] = [
    ("yamada", include_str!("../../../examples/profiles/yamada.toml")),
    ("sato", include_str!("../../../examples/profiles/sato.toml")),
    ("yoshino", include_str!("../../../examples/profiles/yoshino.toml")),
    ("takahashi", include_str!("../../../examples/profiles/takahashi.toml")),
    ("expired", include_str!("../../../examples/profiles/expired.toml")),
    ("revoked", include_str!("../../../examples/profiles/revoked.toml")),
    ("lasttry", include_str!("../../../examples/profiles/lasttry.toml")),
    ("locked", include_str!("../../../examples/profiles/locked.toml")),
    (
        "takahashi-jiro",
        include_str!("../../../examples/profiles/takahashi-jiro.toml"),
    ),
    ("yoshida", include_str!("../../../examples/profiles/yoshida.toml")),
    (
        "sato-kyuushi",
        include_str!("../../../examples/profiles/sato-kyuushi.toml"),
    ),
    ("moved", include_str!("../../../examples/profiles/moved.toml")),
    (
        "nocert-adult",
        include_str!("../../../examples/profiles/nocert-adult.toml"),
    ),
    ("furigana", include_str!("../../../examples/profiles/furigana.toml")),
    ("authlocked", include_str!("../../../examples/profiles/authlocked.toml")),
];

impl Profile {
    /// A built-in profile by id, or a profile file by path.
    pub fn named(name: &str) -> Result<Profile, ProfileError> {
        if let Some((_, text)) = BUILTIN.iter().find(|(id, _)| *id == name) {
            return Profile::from_toml(text, name);
        }
        if Path::new(name).exists() {
            return Profile::load(Path::new(name));
        }
        Err(ProfileError::Invalid {
            id: name.to_string(),
            message: format!(
                "no such built-in profile or file (built-in: {})",
                BUILTIN.iter().map(|(id, _)| *id).collect::<Vec<_>>().join(", ")
            ),
        })
    }
}

#[cfg(test)]
mod builtin_tests {
    use super::*;

    #[test]
    fn all_builtin_profiles_parse_and_ids_match() {
        for (id, text) in BUILTIN {
            assert_eq!(Profile::named(id).unwrap().id, id);
            // Every demo card says its 利用者証明用暗証番号 (the demo's status line shows it).
            assert!(text.contains("\nauth_pin = "), "{id} carries no auth_pin");
            // And the card face's expiry and security code (the demo shows 照合番号B's parts).
            assert!(text.contains("\ncard_expiry = "), "{id} carries no card_expiry");
            assert!(text.contains("\nsecurity_code = "), "{id} carries no security_code");
        }
        // At least one adult and the child have a 利用者証明用 PIN other than their
        // 券面事項入力補助用 PIN: a flow that reused one for the other would fail there.
        let differs = |id: &str| {
            let p = Profile::named(id).unwrap();
            p.auth_pin() != p.pin
        };
        assert!(differs("yoshino"), "the child");
        assert!(BUILTIN.iter().any(|(id, _)| *id != "yoshino" && differs(id)));
        assert!(Profile::named("nobody").is_err());
    }
}
