//! `receive import FILE…`: hand-carried files of `outbox export`, each record verified and
//! stored like one sent over HTTPS (`receiver::Local`), with accepted / duplicate / review by
//! id and no personal data.

use super::verify::{verify_config, VerifyArgs};
use crate::cli::progress::Progress;
use crate::cli::{Failure, Outcome};
use madoguchi::backend::carry::{self, Line, Lines};
use madoguchi::backend::receiver::{self, Disposition};
use madoguchi::text::escape_untrusted as esc;
use std::path::{Path, PathBuf};

/// `receive import FILE…`: every file is read twice, line by line in bounded memory (a line
/// past `carry::LINE_LIMIT` is skipped unread, a record past the HTTP body limit refused):
/// first to count the records and to stop on a file that can't be read before anything is
/// stored, then to submit each record as it is read. Only regular files are read.
pub(super) fn import(
    verify: &VerifyArgs,
    rc: &madoguchi::config::Receiver,
    client_ca: Option<&Path>,
    client_crl: Vec<PathBuf>,
    create: bool,
    files: &[PathBuf],
) -> Outcome {
    let cfg = verify_config(verify, rc).map_err(|e| failed(Failure::Usage, e))?;
    // Into the receiver's database, never a new one a typo would make.
    if let madoguchi::backend::store::StoreLocation::Sqlite(p) = &cfg.db {
        if !create && !p.is_file() {
            return Err(failed(
                Failure::Usage,
                format_args!(
                    "{}: no receiver database here (import adds to an existing one; --create makes a new one)",
                    esc(&p.display().to_string())
                ),
            ));
        }
    }
    let total = count(files).map_err(|e| failed(Failure::Internal, e))?;
    let mut local = receiver::Local::open(cfg).map_err(|e| failed(Failure::Internal, e))?;
    if let Some(ca) = client_ca {
        local = local
            .with_station_ca(ca, client_crl)
            .map_err(|e| failed(Failure::Usage, e))?;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|_| Failure::Internal)?;
    let mut run = Run {
        local: &local,
        rt: &rt,
        n: Counts::default(),
        progress: Progress::new(total),
    };
    for f in files {
        let name = esc(&f.display().to_string()).into_owned();
        for l in lines(f).map_err(|e| failed(Failure::Internal, e))? {
            let (number, line) = l.map_err(|e| failed(Failure::Internal, format_args!("{name}: {e}")))?;
            run.line(&name, number, line);
        }
    }
    run.progress.done();
    let n = run.n;
    println!(
        "imported {} record(s): accepted {}, duplicate {}, review {}, refused {}, retry later {}",
        n.records, n.accepted, n.duplicate, n.review, n.refused, n.retry
    );
    if n.review + n.refused + n.retry > 0 {
        return Err(Failure::Unfinished);
    }
    Ok(())
}

/// Says `e` as `receive import`'s; the failure it comes to.
fn failed(f: Failure, e: impl std::fmt::Display) -> Failure {
    eprintln!("madoguchi receive import: {e}");
    f
}

/// The lines of a carried file (a regular file only).
fn lines(f: &Path) -> Result<Lines<std::io::BufReader<std::fs::File>>, String> {
    let file = carry::open_regular(f).map_err(|e| format!("{}: {e}", esc(&f.display().to_string())))?;
    Ok(Lines::new(std::io::BufReader::new(file), carry::LINE_LIMIT))
}

/// The records in `files` (the lines that are not blank), or the first file that can't be read.
fn count(files: &[PathBuf]) -> Result<usize, String> {
    let mut total = 0;
    for f in files {
        total += lines(f).and_then(|mut it| {
            it.try_fold(0usize, |n, l| match l {
                Ok((_, Line::Text(t))) if t.trim().is_empty() => Ok(n),
                Ok(_) => Ok(n + 1),
                Err(e) => Err(format!("{}: {e}", esc(&f.display().to_string()))),
            })
        })?;
    }
    Ok(total)
}

#[derive(Default)]
struct Counts {
    records: u32,
    accepted: u32,
    duplicate: u32,
    review: u32,
    refused: u32,
    retry: u32,
}

impl Counts {
    fn line(&self) -> String {
        format!(
            "accepted {}  duplicate {}  review {}  refused {}  retry later {}",
            self.accepted, self.duplicate, self.review, self.refused, self.retry
        )
    }
}

/// An import under way: where records go, and what became of them so far.
struct Run<'a> {
    local: &'a receiver::Local,
    rt: &'a tokio::runtime::Runtime,
    n: Counts,
    progress: Progress,
}

impl Run<'_> {
    /// Line `number` of the file `name`: parsed, then submitted.
    fn line(&mut self, name: &str, number: usize, line: Line) {
        let n = &mut self.n;
        let parsed = match line {
            Line::Text(t) => carry::parse(number, &t).map_err(|e| e.to_string()),
            Line::TooLong => Err(format!(
                "line {number}: longer than {} bytes (the request body limit is {})",
                carry::LINE_LIMIT,
                receiver::BODY_LIMIT
            )),
            Line::NotUtf8 => Err(carry::CarryError::Malformed(number).to_string()),
        };
        let (carried, body) = match parsed {
            Ok(None) => return,
            Ok(Some((c, body))) if body.len() <= receiver::BODY_LIMIT => (c, body),
            Ok(Some(_)) => {
                n.records += 1;
                n.refused += 1;
                self.progress.note(&format!(
                    "refused\t{name}: line {number}: record larger than {} bytes (the request body limit)",
                    receiver::BODY_LIMIT
                ));
                return;
            }
            // Not a record (counted as refused, not among the records imported).
            Err(e) => {
                n.refused += 1;
                self.progress.note(&format!("refused\t{name}: {}", esc(&e)));
                return;
            }
        };
        n.records += 1;
        let id = carried.enrollment_id.clone();
        let r = self.rt.block_on(self.local.submit_carried(&carried, &body));
        let (word, counter) = match (r.disposition, r.status) {
            (Disposition::Stored, 200) => ("accepted", &mut n.accepted),
            (Disposition::Replayed, 200) => ("duplicate", &mut n.duplicate),
            (Disposition::Stored | Disposition::Replayed | Disposition::Conflict, _) => ("review", &mut n.review),
            (Disposition::NotStored, 503) => ("retry-later", &mut n.retry),
            (Disposition::NotStored, _) => ("refused", &mut n.refused),
        };
        *counter += 1;
        let reason = match &r.detail {
            Some(d) => format!("{} ({d})", r.result),
            None => r.result.clone(),
        };
        if !matches!(word, "accepted" | "duplicate") {
            self.progress.note(&format!("{word}\t{}\t{}", esc(&id), esc(&reason)));
        }
        self.progress.step(&id, &format!("{word} {reason}"), &n.line());
    }
}
