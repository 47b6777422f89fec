//! `madoguchi outbox list|flush|export|retry`: the queue without personal data (ids, status,
//! ages), sending now, hand-carry export of sealed records, and putting a reviewed record back.

use madoguchi::backend::delivery;
use madoguchi::backend::outbox::{now_ms, Outbox};
use madoguchi::config::Config;
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand)]
pub enum OutboxCmd {
    /// Records with status, attempts, age and last error (no personal data).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Try to deliver every pending record now and report.
    Flush,
    /// Write undelivered records (sealed as stored) as JSON lines, for hand-carry.
    Export { file: PathBuf },
    /// Put a record in review back into the queue (after the backend was fixed).
    Retry { id: String },
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

/// Progress of a long flush: on a terminal one line redrawn in place with a bar; otherwise
/// (a script, a log) one plain line per record.
struct Progress {
    total: usize,
    done: usize,
    tty: bool,
}

impl Progress {
    fn new(total: usize) -> Progress {
        use std::io::IsTerminal;
        Progress {
            total,
            done: 0,
            tty: std::io::stdout().is_terminal(),
        }
    }

    fn step(&mut self, id: &str, outcome: &str, (d, r, q): (u32, u32, u32)) {
        use std::io::Write;
        self.done += 1;
        if !self.tty {
            println!("{id} {}", madoguchi::text::escape_untrusted(outcome));
            return;
        }
        let width = 30;
        let filled = (self.done * width).checked_div(self.total).unwrap_or(width);
        let bar: String = "#".repeat(filled) + &"-".repeat(width - filled);
        print!(
            "\r[{bar}] {}/{}  delivered {d}  review {r}  queued {q}",
            self.done, self.total
        );
        let _ = std::io::stdout().flush();
    }

    fn done(&self) {
        if self.tty && self.total > 0 {
            println!();
        }
    }
}

pub fn run(config_path: Option<&Path>, cmd: OutboxCmd) -> u8 {
    let cfg = match Config::load(config_path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("madoguchi: {e}");
            return 2;
        }
    };
    let path = cfg.outbox_path();
    let mut outbox = match Outbox::open(&path, cfg.backend.queue_limit) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("madoguchi: {}: {e}", path.display());
            return 1;
        }
    };
    match cmd {
        OutboxCmd::List { json } => {
            let rows = match outbox.list() {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("madoguchi: {e}");
                    return 1;
                }
            };
            if json {
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
                return 0;
            }
            let now = now_ms();
            println!(
                "{:<38} {:<9} {:>8} {:>9} {:>9}  {:<12} last error",
                "id", "status", "attempts", "age", "next in", "key (kid)"
            );
            for r in rows {
                let age = (now - r.created_ms).max(0) / 1000;
                let next = if r.status == madoguchi::backend::outbox::Status::Pending {
                    format!("{}s", ((r.next_attempt_ms - now).max(0) / 1000))
                } else {
                    "-".into()
                };
                // Which backend key the record is sealed to: what still needs an old key
                // before the operator retires it.
                let kid = outbox
                    .body(&r.id)
                    .ok()
                    .map(|b| kid_of(&b))
                    .unwrap_or_else(|| "-".into());
                println!(
                    "{:<38} {:<9} {:>8} {:>8}s {:>9}  {:<12} {}",
                    r.id,
                    format!("{:?}", r.status).to_lowercase(),
                    r.attempts,
                    age,
                    next,
                    kid,
                    madoguchi::text::escape_untrusted(&r.last_error.unwrap_or_default())
                );
            }
            0
        }
        OutboxCmd::Flush => {
            let Some(dcfg) = cfg.backend.delivery() else {
                eprintln!("madoguchi: no backend url in the configuration");
                return 2;
            };
            let client = match delivery::client(&dcfg) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("madoguchi: {e}");
                    return 2;
                }
            };
            if let Err(e) = outbox.make_all_due() {
                eprintln!("madoguchi: {e}");
                return 1;
            }
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return 1;
            };
            // One pass: rows that fail get their next attempt scheduled, not retried here.
            let result = rt.block_on(async {
                let due = outbox.due(now_ms(), usize::MAX >> 1)?;
                let total = due.len();
                let mut counts = (0u32, 0u32, 0u32);
                let mut progress = Progress::new(total);
                for (entry, body) in due {
                    let o = delivery::deliver(&client, &dcfg, &entry.id, &body).await;
                    match delivery::record(&mut outbox, &dcfg, &entry.id, entry.attempts, &o)? {
                        madoguchi::flow::Verdict::Accepted => counts.0 += 1,
                        madoguchi::flow::Verdict::Queued => counts.2 += 1,
                        _ => counts.1 += 1,
                    }
                    progress.step(&entry.id, &format!("{o:?}"), counts);
                }
                progress.done();
                Ok::<_, madoguchi::backend::outbox::OutboxError>(counts)
            });
            match result {
                Ok((d, r, q)) => {
                    println!("delivered {d}, review {r}, still queued {q}");
                    if q > 0 {
                        3
                    } else {
                        0
                    }
                }
                Err(e) => {
                    eprintln!("madoguchi: {e}");
                    1
                }
            }
        }
        OutboxCmd::Export { file } => {
            let rows = match outbox.undelivered() {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("madoguchi: {e}");
                    return 1;
                }
            };
            let mut out = String::new();
            for (e, body) in &rows {
                let body: serde_json::Value = serde_json::from_slice(body).unwrap_or(serde_json::Value::Null);
                out.push_str(&serde_json::json!({"enrollment_id": e.id, "sealed": e.sealed, "body": body}).to_string());
                out.push('\n');
            }
            use std::io::Write;
            use std::os::unix::fs::OpenOptionsExt;
            let written = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&file)
                .and_then(|mut f| f.write_all(out.as_bytes()).and_then(|_| f.sync_all()));
            match written {
                Ok(()) => {
                    println!("exported {} record(s) to {}", rows.len(), file.display());
                    if rows.iter().any(|(e, _)| !e.sealed) {
                        eprintln!("madoguchi: warning: some records are NOT sealed (seal = false): handle the file as personal data");
                    }
                    0
                }
                Err(e) => {
                    eprintln!("madoguchi: {}: {e}", file.display());
                    1
                }
            }
        }
        OutboxCmd::Retry { id } => match outbox.retry(&id) {
            Ok(()) => {
                println!("{id} is queued again");
                0
            }
            Err(e) => {
                eprintln!("madoguchi: {e}");
                1
            }
        },
    }
}
