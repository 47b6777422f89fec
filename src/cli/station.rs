//! `madoguchi` (the station on a PC/SC reader) and `madoguchi demo` (virtual card and an
//! in-process receiver on loopback: no reader, no pcscd, no network).

use super::{fail, Failure, Outcome};
use madoguchi::app::readers::{PcscReaders, VirtualReader};
use madoguchi::app::{self, StationOptions};
use madoguchi::backend::delivery::DeliveryConfig;
use madoguchi::backend::receiver::{self, LoopbackTls, ReceiverConfig};
use madoguchi::backend::station::{StationCrl, StationStore};
use madoguchi::card::vcard::{
    pki::TestPki,
    profile::{CertState, Profile},
    VirtualCard,
};
use madoguchi::config::{CardFace, Config, Graphics};
use madoguchi::flow::FlowConfig;
use madoguchi::lang::Lang;
use madoguchi::picture::Setting;
use madoguchi::ui::station::{CounterInfo, DemoSecrets};
use madoguchi::ui::theme::Theme;
use openssl::pkey::PKey;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const DEMO_TERMS: &str = include_str!("../../examples/terms-demo.txt");
pub const DEMO_TERMS_EN: &str = include_str!("../../examples/terms-demo.en.txt");
pub const DEMO_TERMS_KO: &str = include_str!("../../examples/terms-demo.ko.txt");

fn load_config(path: Option<&Path>) -> Result<Config, Failure> {
    Config::load(path).map_err(|e| fail(Failure::Usage, e))
}

fn counter(cfg: &Config) -> CounterInfo {
    CounterInfo {
        contact: cfg.operator.contact.clone(),
        konbini_reset: cfg.operator.konbini_reset,
        reset_here: cfg.operator.reset_here,
    }
}

/// A text (terms, privacy notice) in each language that has it.
type Texts = Vec<(Lang, String)>;

/// The texts of config key `key` (`terms_file`, `privacy_file`) by language, in the order of
/// `paths` (the default, Japanese, text first).
fn read_texts(key: &str, paths: &[(Lang, PathBuf)]) -> Result<Texts, Failure> {
    paths
        .iter()
        .map(|(lang, path)| {
            std::fs::read_to_string(path)
                .map(|t| (*lang, t))
                .map_err(|e| fail(Failure::Usage, format_args!("{key} {}: {e}", path.display())))
        })
        .collect()
}

/// The configuration's `graphics` as the pictures' setting.
fn graphics(cfg: &Config) -> Setting {
    match cfg.graphics {
        Graphics::Auto => Setting::Auto,
        Graphics::Sixel => Setting::Sixel,
        Graphics::Kitty => Setting::Kitty,
        Graphics::Halfblocks => Setting::HalfBlocks,
        Graphics::Off => Setting::Off,
    }
}

fn theme(cfg: &Config) -> Result<Theme, Failure> {
    Theme::resolve(&cfg.theme, Theme::no_color_env()).map_err(|e| fail(Failure::Usage, e))
}

/// What the station's run came to.
fn station(run: Result<(), app::RunError>) -> Outcome {
    run.map_err(|e| match e {
        app::RunError::Terminal(_) => fail(Failure::Internal, e),
        // Said in the log: the terminal that failed can't show it.
        app::RunError::Draw(_) => Failure::Internal,
    })
}

/// The station on a real reader, configured by the config file.
pub fn run_station(lang: Option<Lang>, config_path: Option<&Path>) -> Outcome {
    let cfg = load_config(config_path)?;
    let theme = theme(&cfg)?;
    let paths = cfg.terms_paths();
    if paths.is_empty() {
        return Err(fail(
            Failure::Usage,
            "terms_file is not set in the configuration (the citizen must read the terms). Try `madoguchi demo`.",
        ));
    }
    let terms = read_texts("terms_file", &paths)?;
    let store = station_store(&cfg, &terms)?;
    let privacy = read_texts("privacy_file", &cfg.privacy_paths())?;
    let store = with_privacy(store, &cfg.privacy_id, &privacy);
    let reader = (!cfg.reader.is_empty()).then(|| cfg.reader.clone());
    station(app::run(StationOptions {
        lang: lang.unwrap_or(cfg.clerk_language()),
        theme,
        terms,
        station_id: cfg.station_id.clone(),
        flow: FlowConfig {
            lang: lang.unwrap_or(cfg.language()),
            ..cfg.flow()
        },
        readers: Box::new(PcscReaders::new(reader)),
        backend: Arc::new(store),
        privacy,
        counter: counter(&cfg),
        demo_secrets: None,
        graphics: graphics(&cfg),
        demo_face: None,
    }))
}

/// The station's outbox as the configuration has it: the backend key records are sealed to,
/// delivery, the CRL, each language's terms.
fn station_store(cfg: &Config, terms: &[(Lang, String)]) -> Result<StationStore, Failure> {
    let seal_key = match &cfg.backend.public_key {
        Some(p) => std::fs::read(p)
            .map_err(|e| e.to_string())
            .and_then(|text| madoguchi::backend::jwe::public_keys(&text))
            // The first key is the newest: records are sealed to it.
            .map(|keys| keys.into_iter().next())
            .map_err(|e| fail(Failure::Usage, format_args!("public_key {}: {e}", p.display())))?,
        None => None,
    };
    let delivery = cfg.backend.delivery();
    if let Some(d) = &delivery {
        madoguchi::backend::delivery::client(d)
            .map_err(|e| fail(Failure::Usage, format_args!("backend TLS settings: {e}")))?;
    }
    let outbox = cfg.outbox_path();
    let store = StationStore::open(
        outbox.clone(),
        cfg.backend.queue_limit,
        &cfg.station_id,
        &cfg.terms_id,
        &terms[0].1,
        seal_key,
        delivery,
    )
    .map_err(|e| fail(Failure::Usage, format_args!("outbox {}: {e}", outbox.display())))?;
    let store = with_terms(store, terms);
    let store = match &cfg.checks.crl_file {
        Some(path) => store.with_crl(
            StationCrl::load(path, cfg.checks.crl_max_age_hours as i64 * 3600)
                .map_err(|e| fail(Failure::Usage, format_args!("[checks] crl_file {e}")))?,
        ),
        None => store,
    };
    let store = match &cfg.checks.card_face_issuer_key {
        Some(path) => store.with_face_issuer(
            std::fs::read(path)
                .map_err(|e| e.to_string())
                .and_then(|bytes| madoguchi::card::face::issuer_key(&bytes))
                .map_err(|e| {
                    fail(
                        Failure::Usage,
                        format_args!("[checks] card_face_issuer_key {}: {e}", path.display()),
                    )
                })?,
        ),
        None => store,
    };
    Ok(store.with_allow_unauthenticated(cfg.steps.allow_unauthenticated))
}

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Person on the virtual card: yamada, sato (旧氏), yoshino (under 15), takahashi,
    /// takahashi-jiro (髙→高 in the certificate), yoshida (𠮷→吉, 﨑→崎), sato-kyuushi (旧氏 in
    /// the certificate), moved (certificate not renewed: review), nocert-adult (no signing
    /// certificate, 15 or over), furigana (EF 02 with a trailing field), expired (Code 21),
    /// revoked (Code 23), lasttry, locked — or a profile TOML file. The PIN and password are
    /// shown in the status line.
    #[arg(long, default_value = "yamada", value_parser = super::ProfileArg, hide_possible_values = true)]
    profile: String,
    /// Slow each APDU down (ms), to try pulling the card (F8) mid-read.
    #[arg(long, default_value_t = 0)]
    apdu_delay_ms: u64,
    /// Slow each store of a record down (ms), to try quitting while one is being saved.
    #[arg(long, default_value_t = 0)]
    store_delay_ms: u64,
    /// Keep the demo's outbox and receiver database here (default: a temporary directory).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Station configuration (theme, language, steps, `terms_file`, `privacy_file`); the
    /// backend part is ignored.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Show the privacy notice step (the demo's text, in Japanese, English and Korean, says
    /// what this station sends), unless the configuration names its own `privacy_file`.
    #[arg(long)]
    privacy: bool,
}

pub const DEMO_PRIVACY: &str = include_str!("../../examples/privacy-demo.txt");
pub const DEMO_PRIVACY_EN: &str = include_str!("../../examples/privacy-demo.en.txt");
pub const DEMO_PRIVACY_KO: &str = include_str!("../../examples/privacy-demo.ko.txt");

/// A new directory under the temp dir, 0700, with an unpredictable name (created, never
/// reused: another user can't prepare it or guess it).
pub fn private_temp_dir(prefix: &str) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    for _ in 0..16 {
        let mut r = [0u8; 12];
        openssl::rand::rand_bytes(&mut r).map_err(std::io::Error::other)?;
        let name: String = r.iter().map(|b| format!("{b:02x}")).collect();
        let d = std::env::temp_dir().join(format!("{prefix}-{name}"));
        match std::fs::DirBuilder::new().mode(0o700).create(&d) {
            Ok(()) => return Ok(d),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no fresh temporary directory"))
}

/// The demo's terms: Japanese, English and Korean.
fn demo_terms() -> Vec<(Lang, String)> {
    vec![
        (Lang::Ja, DEMO_TERMS.to_string()),
        (Lang::En, DEMO_TERMS_EN.to_string()),
        (Lang::Ko, DEMO_TERMS_KO.to_string()),
    ]
}

/// The demo's privacy notice: Japanese, English and Korean, like its terms.
fn demo_privacy() -> Vec<(Lang, String)> {
    vec![
        (Lang::Ja, DEMO_PRIVACY.to_string()),
        (Lang::En, DEMO_PRIVACY_EN.to_string()),
        (Lang::Ko, DEMO_PRIVACY_KO.to_string()),
    ]
}

/// Each language's terms hash, signed when a citizen chose that language.
fn with_terms(store: StationStore, terms: &[(Lang, String)]) -> StationStore {
    terms.iter().fold(store, |s, (l, t)| s.with_terms(l.code(), t))
}

/// The privacy notice's id and each language's hash; the first text (Japanese) is what a
/// language without its own is shown. No texts: no notice.
fn with_privacy(store: StationStore, id: &str, texts: &[(Lang, String)]) -> StationStore {
    let Some((_, default)) = texts.first() else {
        return store;
    };
    texts.iter().fold(store.with_privacy(id, default), |s, (l, t)| {
        s.with_privacy_in(l.code(), t)
    })
}

/// The demo's card, receiver and station store: the test PKI, the card's keys, the backend's
/// seal key pair (the station only ever has the public half), a CRL naming a revoked
/// profile's certificate, and the receiver on loopback with mutual TLS.
fn make_demo(
    profile: &Profile,
    dir: &Path,
    cfg: &Config,
    terms: &[(Lang, String)],
    privacy: &[(Lang, String)],
) -> Result<super::deferred::Made, String> {
    let pki = TestPki::generate().map_err(|e| e.to_string())?;
    let card = VirtualCard::new(profile, &pki).map_err(|e| e.to_string())?;
    let seal_private =
        PKey::from_rsa(openssl::rsa::Rsa::generate(2048).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    let seal_public = PKey::public_key_from_pem(&seal_private.public_key_to_pem().map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    let revoked: Vec<openssl::x509::X509> = match (&card.sign_cert_der, profile.signing_certificate) {
        (Some(der), CertState::Revoked) => vec![openssl::x509::X509::from_der(der).map_err(|e| e.to_string())?],
        _ => Vec::new(),
    };
    let serials: Vec<&openssl::asn1::Asn1IntegerRef> = revoked.iter().map(|c| c.serial_number()).collect();
    let crl = pki.signing_crl(&serials).map_err(|e| e.to_string())?;
    let tls = LoopbackTls::create(&dir.join("tls"), &cfg.station_id).map_err(|e| format!("demo TLS: {e}"))?;
    let rx = receiver::spawn(
        "127.0.0.1:0",
        ReceiverConfig {
            db: dir.join("receiver.sqlite3").into(),
            trust_ca: vec![pki.sign_ca.cert.clone()],
            crl: Some(crl),
            seal_keys: vec![seal_private],
            // Holders under 15 sign nothing: their 利用者証明 challenge is checked against the
            // auth CA; a record that proves no card (the flow before the challenge) is
            // accepted because the station is bound (mTLS).
            allow_unsigned: true,
            auth_ca: vec![pki.auth_ca.cert.clone()],
            auth_crl_source: None,
            ..Default::default()
        },
        Some(tls.server()),
    )?;
    let delivery = DeliveryConfig {
        backoff_base: Duration::from_millis(500),
        backoff_cap: Duration::from_secs(10),
        ca_file: Some(tls.ca),
        client_cert: Some(tls.client_cert),
        client_key: Some(tls.client_key),
        ..DeliveryConfig::new(&rx.url(true))
    };
    let store = StationStore::open(
        dir.join("outbox.sqlite3"),
        cfg.backend.queue_limit,
        &cfg.station_id,
        &cfg.terms_id,
        &terms[0].1,
        Some(seal_public),
        Some(delivery),
    )?;
    // The virtual card's face is signed by the test PKI's issuer: the demo verifies DF 28 with
    // it, as a station with `[checks] card_face_issuer_key` would.
    let face_issuer = PKey::public_key_from_pem(&pki.face_issuer_pem()).map_err(|e| e.to_string())?;
    let store = with_terms(store, terms)
        .with_allow_unauthenticated(cfg.steps.allow_unauthenticated)
        .with_face_issuer(face_issuer);
    Ok(super::deferred::Made {
        card: Mutex::new(card),
        store: with_privacy(store, &cfg.privacy_id, privacy),
        receiver: Mutex::new(Some(rx)),
    })
}

/// The demo's configuration: the file given, else a demo station's.
fn demo_config(path: Option<&Path>) -> Result<Config, Failure> {
    match path {
        Some(p) => load_config(Some(p)),
        // The demo offers the clerk's card-face step (the status line shows the code to type).
        None => {
            let mut cfg = Config {
                station_id: "demo-station".into(),
                terms_id: "demo-terms".into(),
                ..Config::default()
            };
            cfg.steps.card_face = CardFace::Offer;
            Ok(cfg)
        }
    }
}

/// The configuration's own terms and privacy notice (a trainer previews the city's), else
/// the demo's; the demo's privacy notice only when asked for.
fn demo_texts(cfg: &mut Config, privacy: bool) -> Result<(Texts, Texts), Failure> {
    let terms = match read_texts("terms_file", &cfg.terms_paths())? {
        t if t.is_empty() => demo_terms(),
        t => t,
    };
    let privacy = match read_texts("privacy_file", &cfg.privacy_paths())? {
        p if !p.is_empty() => p,
        _ if privacy => {
            cfg.privacy_id = "demo-privacy".into();
            demo_privacy()
        }
        _ => Vec::new(),
    };
    Ok((terms, privacy))
}

pub fn run_demo(lang: Option<Lang>, args: DemoArgs) -> Outcome {
    let mut cfg = demo_config(args.config.as_deref())?;
    let theme = theme(&cfg)?;
    let profile = Profile::named(&args.profile).map_err(|e| {
        eprintln!("madoguchi demo: {e}");
        Failure::Usage
    })?;
    let dir = match &args.data_dir {
        Some(d) => std::fs::create_dir_all(d).map(|_| d.clone()),
        None => private_temp_dir("madoguchi-demo"),
    }
    .map_err(|e| {
        eprintln!("madoguchi demo: data directory: {e}");
        Failure::Internal
    })?;
    let (terms, privacy) = demo_texts(&mut cfg, args.privacy)?;
    let mut flow_cfg = cfg.flow();
    flow_cfg.lang = lang.unwrap_or(cfg.language());
    flow_cfg.privacy = !privacy.is_empty();
    // Draw first, make keys after: the setup runs beside the first frame (the citizen reads
    // the terms meanwhile), and the card and the backend wait for it when first used.
    let kit = Arc::new(super::deferred::Kit::default());
    let backend = Arc::new(
        super::deferred::Deferred::new(Arc::clone(&kit)).with_store_delay(Duration::from_millis(args.store_delay_ms)),
    );
    let setup_thread = {
        let backend = Arc::clone(&backend);
        let (profile, dir, cfg, privacy, terms) = (
            profile.clone(),
            dir.clone(),
            cfg.clone(),
            privacy.clone(),
            terms.clone(),
        );
        std::thread::spawn(move || backend.ready(make_demo(&profile, &dir, &cfg, &terms, &privacy)))
    };
    let outcome = station(app::run(StationOptions {
        lang: lang.unwrap_or(cfg.clerk_language()),
        theme,
        terms,
        station_id: cfg.station_id.clone(),
        flow: flow_cfg,
        readers: Box::new(VirtualReader::new(
            kit.clone(),
            Duration::from_millis(args.apdu_delay_ms),
        )),
        backend,
        privacy,
        counter: counter(&cfg),
        demo_secrets: Some(DemoSecrets {
            pin: profile.pin.clone(),
            password: profile.sign_password.clone(),
            auth_pin: profile.auth_pin().to_string(),
        }),
        graphics: graphics(&cfg),
        demo_face: (cfg.steps.card_face != CardFace::Off).then(|| {
            let year = profile.card_expiry().map(|d| d.year().to_string()).unwrap_or_default();
            (year, profile.security_code())
        }),
    }));
    let _ = setup_thread.join();
    if let Some(rx) = kit.take_receiver() {
        rx.stop();
    }
    let received = receiver::accepted_count(&dir.join("receiver.sqlite3")).unwrap_or(0);
    eprintln!(
        "madoguchi demo: {received} record(s) received and verified by the demo receiver ({})",
        dir.display()
    );
    if args.data_dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// Issue 25 item 10: each language's demo terms are in that language only (the Japanese
    /// ones once ended in an English paragraph).
    #[test]
    fn the_japanese_demo_terms_are_japanese() {
        let ascii_words = DEMO_TERMS
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() > 3)
            .count();
        assert!(ascii_words == 0, "English in the Japanese demo terms");
    }

    #[test]
    fn demo_directory_is_private_and_unpredictable() {
        let a = private_temp_dir("madoguchi-test").unwrap();
        let b = private_temp_dir("madoguchi-test").unwrap();
        assert_ne!(a, b);
        assert!(!a.to_string_lossy().contains(&std::process::id().to_string()));
        assert_eq!(std::fs::metadata(&a).unwrap().permissions().mode() & 0o777, 0o700);
        let _ = std::fs::remove_dir(&a);
        let _ = std::fs::remove_dir(&b);
    }
}
