//! The four items as a record carries them: the card's text, hashed into the statement the
//! card signs and compared with the signing certificate (`check`).

use super::canonical::{sha256_hex, to_json_exact};
use crate::card::basic4::BasicFour;
use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::Zeroizing;

/// The four items as sent: personal data, hidden from `Debug`, zeroized on drop.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CardData {
    // Sorted keys: this struct's JSON is hashed.
    pub address: String,
    pub birth_date: String,
    pub former_name: Option<String>,
    pub gender: String,
    pub name: String,
}

impl fmt::Debug for CardData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CardData([personal data hidden])")
    }
}

impl Drop for CardData {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.address.zeroize();
        self.birth_date.zeroize();
        self.former_name.zeroize();
        self.gender.zeroize();
        self.name.zeroize();
    }
}

impl CardData {
    pub fn from_basic4(b: &BasicFour) -> CardData {
        CardData {
            address: b.address.as_str().to_string(),
            birth_date: b.birth_date.iso(),
            former_name: b.former_name.as_ref().map(|f| f.as_str().to_string()),
            gender: b.gender.as_key().to_string(),
            name: b.name.as_str().to_string(),
        }
    }

    /// Canonical bytes (sorted keys, no spaces).
    pub fn canonical(&self) -> Zeroizing<Vec<u8>> {
        to_json_exact(self).unwrap_or_default()
    }

    pub fn sha256(&self) -> String {
        sha256_hex(&self.canonical())
    }
}
