//! With the most verbose logging on, a full read, a signature and the card face (照合番号B,
//! EF 0002) leave no PIN, password or card data in the log.

use madoguchi::card::client::sha256_digest_info;
use madoguchi::card::client::MyNumberCard;
use madoguchi::card::files::Ef;
use madoguchi::card::vcard::{pki::TestPki, profile::Profile, VirtualCard};
use madoguchi::secret::{Pin, PinB, PinKind, SignPassword};
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);
impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn verbose_log_holds_no_secret() {
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .without_time()
        .with_writer(move || writer.clone())
        .finish();
    let profile = Profile::from_toml(
        r#"id = "secret"
name = "秘密　花子"
former_name = "旧姓子"
gender = "2"
birth_date = "1961-07-13"
address = "秘密県秘密市秘密町"
pin = "7391"
sign_password = "QZX7391PW"
card_expiry = "2033-07-13"
security_code = "4826"
"#,
        "inline",
    )
    .unwrap();
    tracing::subscriber::with_default(subscriber, || {
        let pki = TestPki::generate().unwrap();
        let mut c = MyNumberCard::new(VirtualCard::new(&profile, &pki).unwrap());
        c.pin_tries(PinKind::TextPin).unwrap();
        let _ = c.verify(Pin::new(b"8264").unwrap().secret());
        c.verify(Pin::new(profile.pin.as_bytes()).unwrap().secret()).unwrap();
        let info = c.read_basic_four().unwrap();
        tracing::debug!(?info, "decoded");
        c.verify(
            SignPassword::new(profile.sign_password.as_ref().unwrap().as_bytes())
                .unwrap()
                .secret(),
        )
        .unwrap();
        c.read_certificate(Ef::SignCert).unwrap();
        c.sign(&sha256_digest_info(&[7u8; 32])).unwrap();
        c.pin_b_tries().unwrap();
        let _ = c.verify_pin_b(&PinB::new(b"36071320339999").unwrap());
        c.verify_pin_b(&PinB::new(profile.pin_b().unwrap().as_bytes()).unwrap())
            .unwrap();
        let face = c.read_card_face().unwrap();
        tracing::debug!(?face, "card face");
    });
    let raw = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    // Round-trip times are numbers that could collide with a 4-digit PIN by chance.
    let log: String = raw
        .split(' ')
        .filter(|w| !w.starts_with("us="))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        log.contains("VERIFY 00 20 00 80 [hidden]"),
        "VERIFY is logged, hidden:\n{log}"
    );
    assert!(log.contains("READ BINARY"), "{log}");
    let pin_hex: String = profile.pin.bytes().map(|b| format!("{b:02X}")).collect();
    let pin_b = profile.pin_b().unwrap();
    assert_eq!(pin_b, "36071320334826", "昭和36年7月13日, 2033, 4826");
    let pin_b_hex: String = pin_b.bytes().map(|b| format!("{b:02X}")).collect();
    for secret in [
        profile.pin.as_str(),
        pin_hex.as_str(),
        "8264",
        "38323634",
        profile.sign_password.as_deref().unwrap(),
        "秘密",
        "旧姓子",
        "1961",
        "0713",
        pin_b.as_str(),
        pin_b_hex.as_str(),
        "36071320339999",
        "4826",
    ] {
        assert!(!log.contains(secret), "log contains {secret:?}:\n{log}");
    }
}
