//! `receive list`: what the receiver stored — station, key, time, assurance level, result,
//! reason — and, asked for on a terminal, each accepted record's card data.

use super::verify::db_without_password;
use crate::cli::{Failure, Outcome};
use madoguchi::backend::store::StoreLocation;

/// `receive list`: every request answered, or only those for review, oldest first.
pub(super) fn list(db: &StoreLocation, review_only: bool, json: bool, show_data: bool) -> Outcome {
    use std::io::IsTerminal;
    db_without_password(db).map_err(|e| failed(Failure::Usage, e))?;
    if show_data && !std::io::stdout().is_terminal() {
        return Err(failed(
            Failure::Usage,
            "--show-data prints personal data only to a terminal",
        ));
    }
    // `with_store` never creates a SQLite file: a typo is said, not left behind as a database.
    if let StoreLocation::Sqlite(path) = db {
        if !path.exists() {
            return Err(failed(
                Failure::Usage,
                format_args!("{}: no such database", path.display()),
            ));
        }
    }
    let rows = madoguchi::backend::store::with_store(db, move |s| s.list(review_only));
    let data = if show_data {
        madoguchi::backend::receiver::accepted_payloads(db).map_err(|e| failed(Failure::Internal, e))?
    } else {
        Vec::new()
    };
    let rows = rows.map_err(|e| failed(Failure::Internal, e))?;
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
            .find(|p| p["enrollment_id"] == r.idempotency_key.as_str() && p["station_id"] == r.station_id.as_str())
            .map(|p| &p["card"]);
        if let Some(card) = card {
            for field in ["name", "former_name", "gender", "birth_date", "address"] {
                if let Some(v) = card[field].as_str().filter(|v| !v.is_empty()) {
                    println!("\t{field}: {}", madoguchi::text::escape_untrusted(v));
                }
            }
        }
    }
    Ok(())
}

/// Says `e` as `receive list`'s; the failure it comes to.
fn failed(f: Failure, e: impl std::fmt::Display) -> Failure {
    eprintln!("madoguchi receive list: {e}");
    f
}
