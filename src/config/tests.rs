use super::*;

#[test]
fn the_annotated_example_parses() {
    let text = include_str!("../../examples/madoguchi.toml");
    let c = Config::parse(text, "examples/madoguchi.toml").unwrap();
    assert_eq!(c.station_id, "counter-01");
    assert!(c.steps.signature);
    assert!(c.sealed());
}

#[test]
fn terms_file_is_one_path_or_one_per_language() {
    let c = Config::parse("lang = \"en\"\nterms_file = \"/t.txt\"\n", "s.toml").unwrap();
    assert_eq!(c.terms_paths(), vec![(Lang::En, PathBuf::from("/t.txt"))]);
    assert_eq!((c.language(), c.clerk_language()), (Lang::En, Lang::En));
    let c = Config::parse(
        "clerk_lang = \"ja\"\n[terms_file]\nko = \"/ko.txt\"\nja = \"/ja.txt\"\npt-BR = \"/pt.txt\"\n",
        "s.toml",
    )
    .unwrap();
    assert_eq!(
        c.terms_paths(),
        vec![
            (Lang::Ja, PathBuf::from("/ja.txt")),
            (Lang::Ko, PathBuf::from("/ko.txt")),
            (Lang::PtBr, PathBuf::from("/pt.txt")),
        ],
        "Japanese first: it is what a language without terms is shown"
    );
    assert_eq!(c.clerk_language(), Lang::Ja);
    assert!(Config::parse("[terms_file]\nfr = \"/fr.txt\"\n", "s.toml").is_err());
    assert!(Config::parse("clerk_lang = \"fr\"\n", "s.toml").is_err());
    // A receiver section; never a password in it.
    let r = Config::parse(
        "[receiver]\nlisten = \"0.0.0.0:8443\"\ndatabase_url = \"postgres://rx@db:5432/records\"\ncrl = [\"/a.crl\", \"/b.crl\"]\n",
        "r.toml",
    )
    .unwrap();
    assert_eq!(
        r.receiver.database_url.as_deref(),
        Some("postgres://rx@db:5432/records")
    );
    assert_eq!(r.receiver.crl.len(), 2);
    for bad in [
        "postgres://rx:hunter2@db/records",
        "postgres://db/records?password=hunter2",
        "postgres://db/records?pass%77ord=hunter2",
    ] {
        let e = Config::parse(&format!("[receiver]\ndatabase_url = \"{bad}\"\n"), "r.toml").unwrap_err();
        assert!(
            e.to_string().contains("pgpass") && !e.to_string().contains("hunter2"),
            "{e}"
        );
    }
    assert!(
        Config::parse("[receiver]\ndb = \"x\"\n", "r.toml").is_err(),
        "unknown key"
    );
}

#[test]
fn unauthenticated_records_are_off_unless_the_operator_says_so() {
    assert!(!Config::default().steps.allow_unauthenticated);
    assert!(!Config::default().flow().allow_unauthenticated);
    let c = Config::parse("[steps]\nallow_unauthenticated = true\n", "s.toml").unwrap();
    assert!(c.steps.allow_unauthenticated);
    // The flow has it too: it takes such a record only then, and the clerk's status line
    // says so all the time.
    assert!(c.flow().allow_unauthenticated);
    let r = Config::parse(
        "[receiver]\nauth_ca = \"/etc/a\"\nauth_crl = [\"/etc/a.crl\"]\nallow_unauthenticated = true\n",
        "r.toml",
    )
    .unwrap()
    .receiver;
    assert_eq!(
        (r.auth_ca, r.auth_crl.len(), r.no_auth_crl, r.allow_unauthenticated),
        (Some(PathBuf::from("/etc/a")), 1, false, true)
    );
}

#[test]
fn privacy_file_is_one_path_or_one_per_language_like_the_terms() {
    let c = Config::parse("lang = \"ko\"\nprivacy_file = \"/p.txt\"\n", "s.toml").unwrap();
    assert_eq!(c.privacy_paths(), vec![(Lang::Ko, PathBuf::from("/p.txt"))]);
    assert!(c.flow().privacy);
    let c = Config::parse("[privacy_file]\nko = \"/p.ko.txt\"\nja = \"/p.ja.txt\"\n", "s.toml").unwrap();
    assert_eq!(
        c.privacy_paths(),
        vec![
            (Lang::Ja, PathBuf::from("/p.ja.txt")),
            (Lang::Ko, PathBuf::from("/p.ko.txt")),
        ]
    );
    assert!(c.flow().privacy);
    let none = Config::parse("", "s.toml").unwrap();
    assert!(none.privacy_paths().is_empty() && !none.flow().privacy);
    let e = Config::parse("terms_id = \"t\"\n[privacy_file]\nfr = \"/fr.txt\"\n", "s.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("privacy_file.fr") && e.contains(":2:"), "{e}");
}

#[test]
fn errors_name_file_line_and_problem() {
    let e = Config::parse("station_id = \"a\"\nlang = \"fr\"\n", "s.toml")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("s.toml:2:") && e.contains("\"fr\""), "{e}");
    let e = Config::parse("station_id = \"a\"\n\nidle_timeout_secs = \"x\"\n", "s.toml")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("s.toml:3:"), "{e}");
    let e = Config::parse("colour = 1\n", "s.toml").unwrap_err().to_string();
    assert!(e.contains("colour"), "{e}");
    let e = Config::parse("[backend]\nurl = \"http://example.com\"\nseal = false\n", "s.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("https"), "{e}");
    let e = Config::parse("[backend]\nurl = \"https://example.com\"\n", "s.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("seal = false"), "{e}");
    assert!(Config::parse("[backend]\nurl = \"http://127.0.0.1:8443\"\nseal = false\n", "s.toml").is_ok());
    // Loopback by the parsed host, not by a prefix.
    for bad in [
        "http://127.attacker.example",
        "http://localhost@attacker.example",
        "http://localhost.example",
        "ftp://127.0.0.1",
    ] {
        let text = format!("[backend]\nurl = \"{bad}\"\nseal = false\n");
        assert!(Config::parse(&text, "s.toml").is_err(), "{bad}");
    }
    for good in [
        "http://localhost:8080",
        "http://[::1]:80",
        "http://127.1.2.3",
        "https://enroll.example.jp",
    ] {
        let text = format!("[backend]\nurl = \"{good}\"\nseal = false\n");
        assert!(Config::parse(&text, "s.toml").is_ok(), "{good}");
    }
}

#[test]
fn the_card_face_step_and_graphics_take_their_words_and_refuse_others() {
    let c = Config::parse("graphics = \"sixel\"\n[steps]\ncard_face = \"require\"\n", "s.toml").unwrap();
    assert_eq!((c.graphics, c.steps.card_face), (Graphics::Sixel, CardFace::Require));
    assert_eq!(c.flow().card_face, FaceStep::Require);
    assert_eq!(
        Config::parse("[steps]\ncard_face = \"offer\"\n", "s.toml")
            .unwrap()
            .flow()
            .card_face,
        FaceStep::Offer
    );
    let none = Config::parse("", "s.toml").unwrap();
    assert_eq!((none.graphics, none.flow().card_face), (Graphics::Auto, FaceStep::Off));
    // A broken value names the file, the line, the key and the words it takes.
    for (text, line, key) in [
        (
            "station_id = \"a\"\n[steps]\ncard_face = \"yes\"\n",
            3,
            "steps.card_face",
        ),
        ("[steps]\ncard_face = true\n", 2, "steps.card_face"),
        ("station_id = \"a\"\ngraphics = \"iterm2\"\n", 2, "graphics"),
    ] {
        let e = Config::parse(text, "s.toml").unwrap_err().to_string();
        assert!(e.starts_with(&format!("s.toml:{line}:")) && e.contains(key), "{e}");
    }
    let e = Config::parse("[steps]\ncard_face = \"yes\"\n", "s.toml")
        .unwrap_err()
        .to_string();
    assert!(["off", "offer", "require"].iter().all(|w| e.contains(w)), "{e}");
    let e = Config::parse("graphics = \"iterm2\"\n", "s.toml")
        .unwrap_err()
        .to_string();
    assert!(
        ["auto", "sixel", "kitty", "halfblocks", "off"]
            .iter()
            .all(|w| e.contains(w)),
        "{e}"
    );
}
