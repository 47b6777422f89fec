//! Station configuration: TOML at `$XDG_CONFIG_HOME/madoguchi/config.toml` (or `--config`).
//! Every field has a default except what only the operator can know (the backend). A broken
//! file names the file, the line and what is wrong, and nothing starts half-way.

use crate::flow::{FaceStep, FlowConfig};
use crate::lang::Lang;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Names this station in every record (and in the client certificate, with mTLS).
    pub station_id: String,
    /// The language each citizen starts in (they may pick another on the consent screen):
    /// ja, en, zh-Hans, ko, es, pt-BR or vi.
    pub lang: String,
    /// The clerk's language (status line, help line, diagnostics); default: `lang`.
    pub clerk_lang: Option<String>,
    /// Built-in theme name (default, high-contrast, monochrome) or a theme file.
    pub theme: String,
    /// How the card face's photo is drawn: asked of the terminal once at start (`auto`), or
    /// `sixel`, `kitty`, `halfblocks`, `off`.
    pub graphics: Graphics,
    /// Reader to use: exact name or a substring. Empty: the first reader with a card.
    pub reader: String,
    /// Wipe and start over after this many seconds without activity.
    pub idle_timeout_secs: u64,
    /// The terms the citizen agrees to (the SHA-256 of the text shown goes into what is
    /// signed): one file (in the language `lang`), or one per language, e.g.
    /// `[terms_file] ja = "…", en = "…"`. A citizen whose language has none is shown the
    /// Japanese text with a line saying so.
    pub terms_file: Option<LangFiles>,
    /// Identifies the terms version in the record.
    pub terms_id: String,
    /// A privacy notice (個人情報の取り扱い): its own read-to-the-end step after the terms,
    /// its id and the SHA-256 of the text shown signed beside the terms'. One file or one per
    /// language, like `terms_file` (and the same Japanese fallback).
    pub privacy_file: Option<LangFiles>,
    pub privacy_id: String,
    pub steps: Steps,
    pub backend: Backend,
    pub checks: Checks,
    pub operator: Operator,
    /// `madoguchi receive` (the reference receiver), for a host that runs one. Its flags
    /// override these.
    pub receiver: Receiver,
}

/// `graphics`: how the card face's pictures are drawn (docs/operations.md, "Pictures").
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Graphics {
    /// Ask the terminal once at start (sixel, kitty; else grey half-blocks).
    #[default]
    Auto,
    Sixel,
    Kitty,
    /// Grey half-blocks: an outline only, not enough to compare a face.
    Halfblocks,
    /// No pictures: the photo can't be compared at this station.
    Off,
}

/// `[steps] card_face`: the clerk's card-face step (券面確認, the chip's photo).
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CardFace {
    #[default]
    Off,
    /// After the four items are read; the clerk may go on without it.
    Offer,
    /// No record without the photo compared.
    Require,
}

/// The receiver's settings, the same names as its flags.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Receiver {
    pub listen: Option<String>,
    /// Plain-HTTP address for /healthz, /readyz and /metrics only (probes and Prometheus
    /// without a client certificate), e.g. 127.0.0.1:9464.
    pub ops_listen: Option<String>,
    /// A SQLite file, or `postgres://user@host:port/db`. Never a password here: it comes from
    /// a pgpass file (`backend::pgconn`), or the server uses peer or certificate auth.
    pub database_url: Option<String>,
    pub trust_ca: Option<PathBuf>,
    pub crl: Vec<PathBuf>,
    pub crl_grace_hours: Option<u64>,
    pub no_crl: bool,
    pub seal_key: Vec<PathBuf>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub client_ca: Option<PathBuf>,
    /// CRLs of the client CA: station certificates on them are refused (a stolen laptop).
    pub client_crl: Vec<PathBuf>,
    /// Days a record's signed time may lie in the past (default 90).
    pub max_record_age_days: Option<u64>,
    /// Records that prove no card (`unauthenticated`), from bound stations only.
    pub allow_unauthenticated: bool,
    /// The old name of `allow_unauthenticated`.
    pub allow_unsigned: bool,
    /// The 利用者証明用 CA certificates (file or directory), for `card-authenticated` records.
    pub auth_ca: Option<PathBuf>,
    /// Their CRLs (files or directories).
    pub auth_crl: Vec<PathBuf>,
    /// With `auth_ca`: no auth CRL, said on every card-authenticated record.
    pub no_auth_crl: bool,
}

/// Checks the station makes itself before the citizen leaves.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Checks {
    /// A CRL of the signing CA (PEM or DER): a revoked certificate is told as Code 23 at once,
    /// offline too. Without it, revocation is the backend's verdict, later.
    pub crl_file: Option<PathBuf>,
    /// A CRL older than this (from its thisUpdate) is not used: the station says nothing
    /// rather than trust a stale list.
    pub crl_max_age_hours: u64,
    /// The public key (PEM or DER, RSA ≥ 2048) of the card face's issuer: DF 28 is verified
    /// with it. Without it the card face's signature is "not verified" (未検証): J-LIS does
    /// not publish the key.
    pub card_face_issuer_key: Option<PathBuf>,
}

impl Default for Checks {
    fn default() -> Checks {
        Checks {
            crl_file: None,
            crl_max_age_hours: 48,
            card_face_issuer_key: None,
        }
    }
}

/// Who runs this counter: shown on 完了 and on the lock, expiry and revocation screens.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Operator {
    /// Lines such as the counter's name, phone number and opening hours.
    pub contact: Vec<String>,
    /// The municipality offers コンビニ resets of the signing password: the lock screen says
    /// so (seed 000's wording).
    pub konbini_reset: bool,
    /// This counter resets PINs itself: the lock screen says so.
    pub reset_here: bool,
}

impl Default for Operator {
    fn default() -> Operator {
        Operator {
            contact: Vec::new(),
            konbini_reset: true,
            reset_here: false,
        }
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Steps {
    /// Sign the per-enrollment statement with the card's signing key.
    pub signature: bool,
    /// Cards without a signing certificate whose holder is under 15 (by the card's birth
    /// date) finish with the four items only.
    pub allow_unsigned_minors: bool,
    /// The same for holders of 15 or over (certificate not requested, or a card issued
    /// without one). Off: they are told where to get a certificate.
    pub allow_unsigned_adults: bool,
    /// Ask for a contact e-mail address after the data is confirmed (連絡先).
    pub email: bool,
    /// The address is optional (as the privacy notice must then say): the citizen may skip
    /// the step with a key the screen names.
    pub email_optional: bool,
    /// The domain your mails come from, named in the warning about carrier-mail filters.
    pub email_sender_domain: Option<String>,
    /// Records that prove no card (`unauthenticated`: no signature and no 利用者証明
    /// challenge) may be stored; the clerk sees when one is. Off: every record is `signed` or
    /// `card-authenticated`.
    pub allow_unauthenticated: bool,
    /// The clerk's card-face step (券面確認): after the four items are read, the clerk types
    /// the card's expiry year and security code and compares the chip's photo with the person.
    pub card_face: CardFace,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Backend {
    /// Base URL; records go to `{url}/v1/enrollments`. https, or http to loopback only.
    pub url: Option<String>,
    /// PEM bundle of CAs trusted for the backend's TLS certificate. It replaces the system
    /// roots (default: the system roots).
    pub ca_file: Option<PathBuf>,
    /// A proxy for the backend connection (`http://host:port`). Without it none is used,
    /// whatever `HTTP(S)_PROXY` says.
    pub proxy: Option<String>,
    /// Client certificate and key (PEM) for mutual TLS.
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    /// The backend's public key (PEM): personal data is sealed to it before it is written.
    pub public_key: Option<PathBuf>,
    /// Must be set to false explicitly to store records unsealed (no `public_key`).
    pub seal: Option<bool>,
    /// The outbox database (default: `$XDG_DATA_HOME/madoguchi/outbox.sqlite3`).
    pub outbox: Option<PathBuf>,
    /// At this many undelivered records the station refuses to start a new enrollment.
    pub queue_limit: u64,
    pub connect_timeout_secs: u64,
    pub request_timeout_secs: u64,
}

/// `terms_file` and `privacy_file`: one path, or a table of paths by language.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum LangFiles {
    One(PathBuf),
    PerLang(std::collections::BTreeMap<String, PathBuf>),
}

impl LangFiles {
    /// The files by language, the Japanese (else the first) first: it is what a language
    /// without its own is shown. One file is in `lang`, the station's language.
    fn paths(&self, lang: Lang) -> Vec<(Lang, PathBuf)> {
        let mut out: Vec<(Lang, PathBuf)> = match self {
            LangFiles::One(p) => vec![(lang, p.clone())],
            LangFiles::PerLang(m) => m
                .iter()
                .filter_map(|(l, p)| Some((Lang::parse(l)?, p.clone())))
                .collect(),
        };
        out.sort_by_key(|(l, _)| Lang::ALL.iter().position(|x| x == l));
        out
    }

    /// A table key that names no language, if any.
    fn unknown_lang(&self) -> Option<&str> {
        match self {
            LangFiles::One(_) => None,
            LangFiles::PerLang(m) => m.keys().map(String::as_str).find(|l| Lang::parse(l).is_none()),
        }
    }
}

const LANGS: &str = "ja, en, zh-Hans, ko, es, pt-BR or vi";

impl Default for Config {
    fn default() -> Config {
        Config {
            station_id: hostname(),
            lang: "ja".into(),
            clerk_lang: None,
            theme: "default".into(),
            graphics: Graphics::Auto,
            reader: String::new(),
            idle_timeout_secs: 180,
            terms_file: None,
            terms_id: "terms".into(),
            privacy_file: None,
            privacy_id: "privacy".into(),
            steps: Steps::default(),
            backend: Backend::default(),
            checks: Checks::default(),
            operator: Operator::default(),
            receiver: Receiver::default(),
        }
    }
}

impl Default for Steps {
    fn default() -> Steps {
        Steps {
            signature: true,
            allow_unsigned_minors: true,
            allow_unsigned_adults: false,
            email: false,
            email_optional: false,
            email_sender_domain: None,
            allow_unauthenticated: false,
            card_face: CardFace::Off,
        }
    }
}

impl Default for Backend {
    fn default() -> Backend {
        Backend {
            url: None,
            ca_file: None,
            proxy: None,
            client_cert: None,
            client_key: None,
            public_key: None,
            seal: None,
            outbox: None,
            queue_limit: 10_000,
            connect_timeout_secs: 10,
            request_timeout_secs: 30,
        }
    }
}

impl Backend {
    /// Delivery settings; None when no backend URL is set (store only).
    pub fn delivery(&self) -> Option<crate::backend::delivery::DeliveryConfig> {
        let url = self.url.as_ref()?;
        Some(crate::backend::delivery::DeliveryConfig {
            ca_file: self.ca_file.clone(),
            proxy: self.proxy.clone(),
            client_cert: self.client_cert.clone(),
            client_key: self.client_key.clone(),
            connect_timeout: std::time::Duration::from_secs(self.connect_timeout_secs),
            request_timeout: std::time::Duration::from_secs(self.request_timeout_secs),
            ..crate::backend::delivery::DeliveryConfig::new(url)
        })
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "station".into())
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}:{line}: {message}")]
    Invalid { path: String, line: usize, message: String },
}

/// `$XDG_CONFIG_HOME/madoguchi/config.toml`, or `~/.config/…`.
pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("madoguchi").join("config.toml"))
}

/// `$XDG_DATA_HOME/madoguchi`, or `~/.local/share/…`.
pub fn data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("madoguchi")
}

/// A `postgres://` URL with a password in it, however spelled (`user:pw@`, `?password=`,
/// `?pass%77ord=`): refused in files and on command lines (where `ps` shows it to every
/// user). A pgpass file holds it (`backend::pgconn`).
pub fn url_has_password(url: &str) -> bool {
    crate::backend::store::StoreLocation::parse(url).holds_password()
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The key written on the line at `offset`, with its table (`steps.card_face`): what a value
/// the parser refused belongs to (its message names only the value).
fn key_at(text: &str, offset: usize) -> Option<String> {
    let start = text[..offset.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let key = line.split_once('=')?.0.trim();
    if key.is_empty() || key.starts_with('#') || key.starts_with('[') {
        return None;
    }
    let table = text[..start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|l| l.trim_matches(['[', ']']).trim());
    Some(match table {
        Some(t) => format!("{t}.{key}"),
        None => key.to_string(),
    })
}

impl Config {
    pub fn parse(text: &str, path: &str) -> Result<Config, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| s.start);
            let message = match at.and_then(|o| key_at(text, o)) {
                Some(key) if !e.message().contains(&key) => format!("{key}: {}", e.message()),
                _ => e.message().to_string(),
            };
            ConfigError::Invalid {
                path: path.to_string(),
                line: at.map(|o| line_of(text, o)).unwrap_or(0),
                message,
            }
        })?;
        cfg.validate(text, path)?;
        Ok(cfg)
    }

    /// Loads `path`, or the default path when it exists, or the defaults.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match path {
            Some(p) => p.to_path_buf(),
            None => match default_path() {
                Some(p) if p.exists() => p,
                _ => return Ok(Config::default()),
            },
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Config::parse(&text, &path.display().to_string())
    }

    fn validate(&self, text: &str, path: &str) -> Result<(), ConfigError> {
        let invalid = |key: &str, message: String| {
            let line = text
                .lines()
                // `key = …`, or the `[key]` header of a table.
                .position(|l| {
                    let l = l.trim_start();
                    l.starts_with(key) || l.strip_prefix('[').is_some_and(|l| l.starts_with(key))
                })
                .map(|i| i + 1)
                .unwrap_or(0);
            Err(ConfigError::Invalid {
                path: path.to_string(),
                line,
                message,
            })
        };
        if Lang::parse(&self.lang).is_none() {
            return invalid("lang", format!("lang = {:?}: expected {}", self.lang, LANGS));
        }
        for (key, files) in [("terms_file", &self.terms_file), ("privacy_file", &self.privacy_file)] {
            if let Some(l) = files.as_ref().and_then(LangFiles::unknown_lang) {
                return invalid(key, format!("{key}.{l}: expected {LANGS}"));
            }
        }
        if let Some(l) = self.clerk_lang.as_deref().filter(|l| Lang::parse(l).is_none()) {
            return invalid("clerk_lang", format!("clerk_lang = {l:?}: expected {LANGS}"));
        }
        if self.station_id.trim().is_empty() || self.station_id.len() > 64 {
            return invalid("station_id", "station_id must be 1-64 characters".into());
        }
        if self.idle_timeout_secs < 10 {
            return invalid("idle_timeout_secs", "idle_timeout_secs must be at least 10".into());
        }
        if let Some(url) = &self.backend.url {
            if !crate::backend::delivery::url_allowed(url) {
                return invalid(
                    "url",
                    format!("url = {url:?}: must be https:// (plain http only to loopback)"),
                );
            }
        }
        match (&self.backend.public_key, self.backend.seal) {
            (None, Some(false)) | (Some(_), None | Some(true)) => {}
            (None, None | Some(true)) if self.backend.url.is_some() => {
                return invalid(
                    "[backend]",
                    "no public_key: set public_key to seal records, or seal = false to store them unencrypted".into(),
                )
            }
            (Some(_), Some(false)) => return invalid("seal", "seal = false contradicts public_key".into()),
            _ => {}
        }
        if self.backend.client_cert.is_some() != self.backend.client_key.is_some() {
            return invalid("client_", "client_cert and client_key go together".into());
        }
        if let Some(url) = &self.receiver.database_url {
            if url_has_password(url) {
                return invalid(
                    "database_url",
                    "database_url holds a password: put it in a pgpass file instead (PGPASSFILE, ~/.pgpass, or the systemd credential `pgpass`)".into(),
                );
            }
        }
        Ok(())
    }

    pub fn language(&self) -> Lang {
        Lang::parse(&self.lang).unwrap_or_default()
    }

    /// The terms files by language, the Japanese (else the first) first: it is what a
    /// language without its own is shown.
    pub fn terms_paths(&self) -> Vec<(Lang, PathBuf)> {
        self.terms_file.as_ref().map_or(vec![], |f| f.paths(self.language()))
    }

    /// The privacy notice's files, ordered as [`Config::terms_paths`]; empty: no notice.
    pub fn privacy_paths(&self) -> Vec<(Lang, PathBuf)> {
        self.privacy_file.as_ref().map_or(vec![], |f| f.paths(self.language()))
    }

    /// The clerk's language: `clerk_lang`, else `lang`.
    pub fn clerk_language(&self) -> Lang {
        self.clerk_lang
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_else(|| self.language())
    }

    pub fn flow(&self) -> FlowConfig {
        FlowConfig {
            signature: self.steps.signature,
            allow_unsigned_minors: self.steps.allow_unsigned_minors,
            allow_unsigned_adults: self.steps.allow_unsigned_adults,
            allow_unauthenticated: self.steps.allow_unauthenticated,
            idle_timeout_ms: self.idle_timeout_secs * 1000,
            email: self.steps.email,
            email_optional: self.steps.email_optional,
            email_sender_domain: self.steps.email_sender_domain.clone(),
            privacy: self.privacy_file.is_some(),
            lang: self.language(),
            card_face: match self.steps.card_face {
                CardFace::Off => FaceStep::Off,
                CardFace::Offer => FaceStep::Offer,
                CardFace::Require => FaceStep::Require,
            },
            ..FlowConfig::default()
        }
    }

    /// The outbox database: configured, or under the XDG data directory.
    pub fn outbox_path(&self) -> PathBuf {
        self.backend
            .outbox
            .clone()
            .unwrap_or_else(|| data_dir().join("outbox.sqlite3"))
    }

    /// Records are sealed (a public key is configured).
    pub fn sealed(&self) -> bool {
        self.backend.public_key.is_some()
    }
}

#[cfg(test)]
mod tests;
