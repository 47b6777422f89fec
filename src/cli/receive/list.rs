//! `receive list`: what the receiver stored — station, key, time, assurance level, result,
//! reason — and, asked for on a terminal, each accepted record's card data.

use super::verify::db_without_password;
use madoguchi::backend::store::StoreLocation;

/// `receive list`: every request answered, or only those for review, oldest first.
pub(super) fn list(db: &StoreLocation, review_only: bool, json: bool, show_data: bool) -> u8 {
    use std::io::IsTerminal;
    if let Err(e) = db_without_password(db) {
        eprintln!("madoguchi receive list: {e}");
        return 2;
    }
    if show_data && !std::io::stdout().is_terminal() {
        eprintln!("madoguchi receive list: --show-data prints personal data only to a terminal");
        return 2;
    }
    // `with_store` never creates a SQLite file: a typo is said, not left behind as a database.
    if let StoreLocation::Sqlite(path) = db {
        if !path.exists() {
            eprintln!("madoguchi receive list: {}: no such database", path.display());
            return 2;
        }
    }
    let rows = madoguchi::backend::store::with_store(db, move |s| s.list(review_only));
    let data = if show_data {
        match madoguchi::backend::receiver::accepted_payloads(db) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("madoguchi receive list: {e}");
                return 1;
            }
        }
    } else {
        Vec::new()
    };
    match rows {
        Ok(rows) => {
            for r in rows {
                if json {
                    println!("{}", serde_json::to_string(&r).unwrap_or_default());
                    continue;
                }
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    madoguchi::text::escape_untrusted(&r.station_id),
                    madoguchi::text::escape_untrusted(&r.idempotency_key),
                    madoguchi::time::rfc3339(r.received_ms),
                    // The level proven, on accepted records ("-": refused, or answered before
                    // the levels).
                    madoguchi::text::escape_untrusted(r.assurance.as_deref().unwrap_or("-")),
                    r.status,
                    r.result,
                    madoguchi::text::escape_untrusted(r.reason.as_deref().unwrap_or("")),
                );
                let card = data
                    .iter()
                    .find(|p| {
                        p["enrollment_id"] == r.idempotency_key.as_str() && p["station_id"] == r.station_id.as_str()
                    })
                    .map(|p| &p["card"]);
                if let Some(card) = card {
                    for field in ["name", "former_name", "gender", "birth_date", "address"] {
                        if let Some(v) = card[field].as_str().filter(|v| !v.is_empty()) {
                            println!("\t{field}: {}", madoguchi::text::escape_untrusted(v));
                        }
                    }
                }
            }
            0
        }
        Err(e) => {
            eprintln!("madoguchi receive list: {e}");
            1
        }
    }
}
