//! A station's configuration file, as the tests write them.

use super::pcscd::READER;
use std::path::{Path, PathBuf};

/// The terms a test station shows.
pub const TERMS: &str = "Short terms.\nAgree with Enter.";

/// A station on the vpcd reader, in English: `dir/terms.txt` (`TERMS`) and `dir/config.toml`
/// naming the station, the reader and the terms, then `rest` (the test's own settings and
/// sections). Returns the config's path.
pub fn on_reader(dir: &Path, station_id: &str, rest: &str) -> PathBuf {
    let terms = dir.join("terms.txt");
    std::fs::write(&terms, TERMS).unwrap();
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "station_id = \"{station_id}\"\nlang = \"en\"\nreader = \"{READER}\"\nterms_file = \"{}\"\n{rest}",
            terms.display()
        ),
    )
    .unwrap();
    cfg
}

/// A station delivering to `url` from `outbox`, unsealed: `dir/config.toml`.
pub fn delivering(dir: &Path, url: &str, outbox: &Path) -> PathBuf {
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[backend]\nurl = \"{url}\"\nseal = false\noutbox = \"{}\"\n",
            outbox.display()
        ),
    )
    .unwrap();
    cfg
}
