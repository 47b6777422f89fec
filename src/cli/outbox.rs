//! `madoguchi outbox list|flush|export|retry`: the queue without personal data (ids, status,
//! ages), sending now, hand-carry export of sealed records, and putting a reviewed record back.

use super::{fail, Failure, Outcome};
use madoguchi::backend::delivery;
use madoguchi::backend::outbox::{Outbox, OutboxError, Status};
use madoguchi::config::Config;
use madoguchi::lang::Lang;
use madoguchi::seam::Verdict;
use madoguchi::time::unix_ms;
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand)]
pub enum OutboxCmd {
    /// Records with status, attempts, age and last error (no personal data).
    List {
        /// Print a JSON array (every field, and each record's key id).
        #[arg(long)]
        json: bool,
    },
    /// Try to deliver every pending record now and report.
    Flush,
    /// Write undelivered records (sealed as stored) as JSON lines, for hand-carry to
    /// `madoguchi receive import`. They stay queued, marked carried.
    Export {
        /// The file to write (created 0600; an existing file is never overwritten).
        file: PathBuf,
    },
    /// Put a record in review back into the queue (after the backend was fixed).
    Retry {
        /// The record's id, as `outbox list` shows it.
        id: String,
    },
}

/// The first 12 characters of the `kid` a stored body is sealed to; `legacy` for the first
/// release's envelope, `unsealed` for a plain payload.
fn kid_of(body: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    if let Some(h) = v["jwe"].as_str().and_then(madoguchi::backend::jwe::peek_header) {
        return madoguchi::text::escape_untrusted(&h.kid).chars().take(12).collect();
    }
    if v.get("sealed").is_some() {
        return "legacy".into();
    }
    "unsealed".into()
}

/// `s` padded with spaces to `width` terminal columns (Japanese titles take two a character),
/// on the left when `right`.
fn pad(s: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(unicode_width::UnicodeWidthStr::width(s)));
    if right {
        fill + s
    } else {
        s.to_string() + &fill
    }
}

pub fn run(lang: Lang, config_path: Option<&Path>, cmd: OutboxCmd) -> Outcome {
    let cfg = Config::load(config_path).map_err(|e| fail(Failure::Usage, e))?;
    let path = cfg.outbox_path();
    // Never created here: the station makes its outbox. An operator command beside a running
    // station opens it like the station does (backend::db), so the station keeps its locks.
    let mut outbox = match Outbox::open_existing(&path, cfg.backend.queue_limit) {
        Ok(o) => o,
        Err(e @ OutboxError::Missing(_)) => return Err(fail(Failure::Internal, e)),
        Err(e) => return Err(fail(Failure::Internal, format_args!("{}: {e}", path.display()))),
    };
    match cmd {
        OutboxCmd::List { json: true } => list_json(&outbox),
        OutboxCmd::List { json: false } => list(lang, &outbox),
        OutboxCmd::Flush => flush(&cfg, &mut outbox),
        OutboxCmd::Export { file } => export(&cfg, &mut outbox, &file),
        OutboxCmd::Retry { id } => {
            outbox.retry(&id).map_err(|e| fail(Failure::Internal, e))?;
            println!("{id} is queued again");
            Ok(())
        }
    }
}

/// Every field of every record, and the `kid` each is sealed to.
fn list_json(outbox: &Outbox) -> Outcome {
    let rows = outbox.list().map_err(|e| fail(Failure::Internal, e))?;
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(r).unwrap_or_default();
            v["kid"] = outbox
                .body(&r.id)
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                .and_then(|b| b["jwe"].as_str().and_then(madoguchi::backend::jwe::peek_header))
                .map(|h| serde_json::Value::String(h.kid))
                .unwrap_or_default();
            v
        })
        .collect();
    println!("{}", serde_json::to_string_pretty(&rows).unwrap_or_default());
    Ok(())
}

/// One line per record under titles in the clerk's language; the values stay codes (scripts
/// use --json).
fn list(lang: Lang, outbox: &Outbox) -> Outcome {
    let rows = outbox.list().map_err(|e| fail(Failure::Internal, e))?;
    let now = unix_ms();
    let [id, status, attempts, age, next, assurance, kid, last_error] = madoguchi::i18n::outbox_columns(lang);
    println!(
        "{} {} {} {} {}  {} {} {last_error}",
        pad(id, 38, false),
        pad(status, 15, false),
        pad(attempts, 8, true),
        pad(age, 9, true),
        pad(next, 9, true),
        pad(assurance, 18, false),
        pad(kid, 12, false),
    );
    for r in rows {
        let age = (now - r.created_ms).max(0) / 1000;
        let next = if r.status == Status::Pending {
            format!("{}s", ((r.next_attempt_ms - now).max(0) / 1000))
        } else {
            "-".into()
        };
        // Which backend key the record is sealed to: what still needs an old key before the
        // operator retires it.
        let kid = outbox
            .body(&r.id)
            .ok()
            .map(|b| kid_of(&b))
            .unwrap_or_else(|| "-".into());
        let status = match (r.status, r.carried) {
            (Status::Delivered, _) | (_, false) => format!("{:?}", r.status).to_lowercase(),
            (_, true) => format!("{}+carried", format!("{:?}", r.status).to_lowercase()),
        };
        println!(
            "{:<38} {:<15} {:>8} {:>8}s {:>9}  {:<18} {:<12} {}",
            r.id,
            status,
            r.attempts,
            age,
            next,
            // signed, card-authenticated or unauthenticated ("-": stored before the levels)
            r.assurance.as_deref().unwrap_or("-"),
            kid,
            madoguchi::text::escape_untrusted(&r.last_error.unwrap_or_default())
        );
    }
    Ok(())
}

/// One delivery pass over every record now; records still queued afterwards: unfinished.
fn flush(cfg: &Config, outbox: &mut Outbox) -> Outcome {
    let Some(dcfg) = cfg.backend.delivery() else {
        return Err(fail(Failure::Usage, "no backend url in the configuration"));
    };
    let client = delivery::client(&dcfg).map_err(|e| fail(Failure::Usage, e))?;
    outbox.make_all_due().map_err(|e| fail(Failure::Internal, e))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|_| Failure::Internal)?;
    // One pass: rows that fail get their next attempt scheduled, not retried here.
    let result = rt.block_on(async {
        let due = outbox.due(unix_ms(), usize::MAX >> 1)?;
        let total = due.len();
        let mut counts = (0u32, 0u32, 0u32);
        let mut progress = super::progress::Progress::new(total);
        for (entry, body) in due {
            let o = delivery::deliver(&client, &dcfg, &entry.id, &body).await;
            match delivery::record(outbox, &dcfg, &entry.id, entry.attempts, &o)? {
                Verdict::Accepted => counts.0 += 1,
                Verdict::Queued => counts.2 += 1,
                _ => counts.1 += 1,
            }
            progress.step(
                &entry.id,
                &format!("{o:?}"),
                &format!("delivered {}  review {}  queued {}", counts.0, counts.1, counts.2),
            );
        }
        progress.done();
        Ok::<_, OutboxError>(counts)
    });
    let (d, r, q) = result.map_err(|e| fail(Failure::Internal, e))?;
    println!("delivered {d}, review {r}, still queued {q}");
    if q > 0 {
        return Err(Failure::Unfinished);
    }
    Ok(())
}

/// The undelivered records, sealed as stored, as JSON lines in a new 0600 file; they stay
/// queued, marked carried, once the file is on disk.
fn export(cfg: &madoguchi::config::Config, outbox: &mut Outbox, file: &Path) -> Outcome {
    // Signed with the station's client certificate when it has one: the receiver then binds
    // the records to this station as it does over mutual TLS (what card-authenticated records
    // need).
    let key = match (&cfg.backend.client_cert, &cfg.backend.client_key) {
        (Some(c), Some(k)) => {
            Some(madoguchi::backend::carry::StationKey::load(c, k).map_err(|e| fail(Failure::Usage, e))?)
        }
        _ => None,
    };
    let rows = outbox.undelivered().map_err(|e| fail(Failure::Internal, e))?;
    let mut out = String::new();
    for (e, body) in &rows {
        let line = madoguchi::backend::carry::line(&e.id, e.sealed, body, key.as_ref())
            .map_err(|err| fail(Failure::Internal, err))?;
        out.push_str(&line);
        out.push('\n');
    }
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)
        .and_then(|mut f| f.write_all(out.as_bytes()).and_then(|_| f.sync_all()))
        .map_err(|e| fail(Failure::Internal, format_args!("{}: {e}", file.display())))?;
    let ids: Vec<String> = rows.iter().map(|(e, _)| e.id.clone()).collect();
    if let Err(e) = outbox.mark_carried(&ids) {
        eprintln!("madoguchi: the file is written, but marking the records carried failed: {e}");
    }
    println!(
        "exported {} record(s) to {} (they stay queued, marked carried: a later delivery is a duplicate)",
        rows.len(),
        file.display()
    );
    if key.is_none() && !rows.is_empty() {
        eprintln!(
            "madoguchi: note: the lines are not signed (no client_cert/client_key in [backend]): the receiver takes only signed records from them, not card-authenticated ones"
        );
    }
    if rows.iter().any(|(e, _)| !e.sealed) {
        eprintln!("madoguchi: warning: some records are NOT sealed (seal = false): handle the file as personal data");
    }
    Ok(())
}
