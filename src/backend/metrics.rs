//! The receiver's counters, rendered as Prometheus text (`GET /metrics`). Labels are HTTP
//! statuses, result codes, assurance levels and CA names: nothing personal a record carries.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds (seconds) of the verification-time buckets: an unsigned record verifies in
/// tens of microseconds, a signed one in about a millisecond, a loaded receiver in more.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Default)]
pub struct Metrics {
    /// Answers to `POST /v1/enrollments` (and imported records) by (status, result).
    requests: Mutex<BTreeMap<(u16, String), u64>>,
    /// Count per bucket, the last one +Inf.
    verify_buckets: [AtomicU64; BUCKETS.len() + 1],
    verify_sum_ns: AtomicU64,
    stored_accepted: AtomicU64,
    stored_review: AtomicU64,
    /// New accepted rows by assurance level (signed, card-authenticated, unauthenticated).
    accepted_by_level: [AtomicU64; 3],
    replayed: AtomicU64,
    in_flight: AtomicI64,
}

pub struct InFlight<'a>(&'a AtomicI64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A CRL's figures for the exposition.
pub struct CrlFigure {
    pub issuer: String,
    pub age_secs: i64,
    pub fresh: bool,
}

impl Metrics {
    pub fn answered(&self, status: u16, result: &str) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((status, result.to_string())).or_default() += 1;
        }
    }

    pub fn verified(&self, took: Duration) {
        let secs = took.as_secs_f64();
        let i = BUCKETS.iter().position(|b| secs <= *b).unwrap_or(BUCKETS.len());
        self.verify_buckets[i].fetch_add(1, Ordering::Relaxed);
        self.verify_sum_ns
            .fetch_add(took.as_nanos().min(u64::MAX as u128) as u64, Ordering::Relaxed);
    }

    /// A new row: accepted (200) or kept for review (422).
    pub fn stored(&self, accepted: bool) {
        let c = if accepted {
            &self.stored_accepted
        } else {
            &self.stored_review
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// A new accepted row of this assurance level (`signed`, `card-authenticated`,
    /// `unauthenticated`; anything else is not counted).
    pub fn accepted(&self, level: &str) {
        if let Some(i) = LEVELS.iter().position(|l| *l == level) {
            self.accepted_by_level[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A retry answered from the stored answer.
    pub fn replayed(&self) {
        self.replayed.fetch_add(1, Ordering::Relaxed);
    }

    /// One request in flight until the guard is dropped.
    pub fn in_flight(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(&self.in_flight)
    }

    /// The Prometheus text exposition (format 0.0.4).
    pub fn render(&self, crls: &[CrlFigure], uptime: Duration) -> String {
        let mut o = String::new();
        self.render_requests(&mut o);
        self.render_verify(&mut o);
        self.render_records(&mut o);
        render_crls(&mut o, crls);
        head(
            &mut o,
            "madoguchi_receiver_uptime_seconds",
            "gauge",
            "Seconds since this receiver started.",
        );
        let _ = writeln!(o, "madoguchi_receiver_uptime_seconds {}", uptime.as_secs());
        o
    }

    fn render_requests(&self, o: &mut String) {
        head(
            o,
            "madoguchi_receiver_requests_total",
            "counter",
            "Enrollment requests answered, by HTTP status and result.",
        );
        if let Ok(m) = self.requests.lock() {
            for ((status, result), n) in m.iter() {
                let _ = writeln!(
                    o,
                    "madoguchi_receiver_requests_total{{status=\"{status}\",result=\"{}\"}} {n}",
                    label(result)
                );
            }
        }
    }

    fn render_verify(&self, o: &mut String) {
        head(
            o,
            "madoguchi_receiver_verify_seconds",
            "histogram",
            "Time to verify one record: open, chain, validity, signature, CRL, card data.",
        );
        let mut cumulative = 0u64;
        for (i, c) in self.verify_buckets.iter().enumerate() {
            cumulative += c.load(Ordering::Relaxed);
            let le = BUCKETS.get(i).map_or("+Inf".to_string(), |b| b.to_string());
            let _ = writeln!(
                o,
                "madoguchi_receiver_verify_seconds_bucket{{le=\"{le}\"}} {cumulative}"
            );
        }
        let sum = self.verify_sum_ns.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = writeln!(o, "madoguchi_receiver_verify_seconds_sum {sum}");
        let _ = writeln!(o, "madoguchi_receiver_verify_seconds_count {cumulative}");
    }

    /// Rows stored, accepted by level, replayed, and requests in flight.
    fn render_records(&self, o: &mut String) {
        head(
            o,
            "madoguchi_receiver_records_stored_total",
            "counter",
            "Records this process stored as new rows, by status (a retry answered again is not counted).",
        );
        let _ = writeln!(
            o,
            "madoguchi_receiver_records_stored_total{{status=\"accepted\"}} {}",
            self.stored_accepted.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            o,
            "madoguchi_receiver_records_stored_total{{status=\"review\"}} {}",
            self.stored_review.load(Ordering::Relaxed)
        );
        head(
            o,
            "madoguchi_receiver_accepted_total",
            "counter",
            "Records this process accepted as new rows, by the assurance level proven.",
        );
        for (level, n) in LEVELS.iter().zip(&self.accepted_by_level) {
            let _ = writeln!(
                o,
                "madoguchi_receiver_accepted_total{{assurance=\"{level}\"}} {}",
                n.load(Ordering::Relaxed)
            );
        }
        head(
            o,
            "madoguchi_receiver_replayed_total",
            "counter",
            "Retries answered with the answer stored before.",
        );
        let _ = writeln!(
            o,
            "madoguchi_receiver_replayed_total {}",
            self.replayed.load(Ordering::Relaxed)
        );
        head(
            o,
            "madoguchi_receiver_in_flight_requests",
            "gauge",
            "Enrollment requests being answered now.",
        );
        let _ = writeln!(
            o,
            "madoguchi_receiver_in_flight_requests {}",
            self.in_flight.load(Ordering::SeqCst)
        );
    }
}

/// The age and freshness of each CRL (none without CRLs).
fn render_crls(o: &mut String, crls: &[CrlFigure]) {
    if !crls.is_empty() {
        head(
            o,
            "madoguchi_receiver_crl_age_seconds",
            "gauge",
            "Seconds since each CRL's thisUpdate.",
        );
        for c in crls {
            let _ = writeln!(
                o,
                "madoguchi_receiver_crl_age_seconds{{issuer=\"{}\"}} {}",
                label(&c.issuer),
                c.age_secs
            );
        }
        head(
            o,
            "madoguchi_receiver_crl_fresh",
            "gauge",
            "1 while a CRL is within nextUpdate plus the grace, else 0 (its issuer's records get CRL_STALE).",
        );
        for c in crls {
            let _ = writeln!(
                o,
                "madoguchi_receiver_crl_fresh{{issuer=\"{}\"}} {}",
                label(&c.issuer),
                u8::from(c.fresh)
            );
        }
    }
}

/// The assurance levels, as the payload spells them (record/payload.rs `Assurance`).
const LEVELS: [&str; 3] = ["signed", "card-authenticated", "unauthenticated"];

fn head(o: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value as the text format wants it: backslash, quote and newline escaped.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_counts_buckets_cumulatively_and_escapes_labels() {
        let m = Metrics::default();
        m.answered(200, "OK");
        m.answered(200, "OK");
        m.answered(422, "CARD_DATA_MISMATCH");
        m.verified(Duration::from_micros(300));
        m.verified(Duration::from_millis(3));
        m.verified(Duration::from_secs(9));
        m.stored(true);
        m.stored(false);
        m.accepted("card-authenticated");
        m.accepted("card-authenticated");
        m.accepted("signed");
        m.accepted("made-up");
        let held = m.in_flight();
        drop(m.in_flight());
        assert!(m
            .render(&[], Duration::ZERO)
            .contains("madoguchi_receiver_in_flight_requests 1\n"));
        drop(held);
        let text = m.render(
            &[CrlFigure {
                issuer: "CN=a \"b\"".into(),
                age_secs: 60,
                fresh: false,
            }],
            Duration::from_secs(5),
        );
        for line in [
            "madoguchi_receiver_requests_total{status=\"200\",result=\"OK\"} 2",
            "madoguchi_receiver_requests_total{status=\"422\",result=\"CARD_DATA_MISMATCH\"} 1",
            "madoguchi_receiver_verify_seconds_bucket{le=\"0.0005\"} 1",
            "madoguchi_receiver_verify_seconds_bucket{le=\"0.0025\"} 1",
            "madoguchi_receiver_verify_seconds_bucket{le=\"0.005\"} 2",
            "madoguchi_receiver_verify_seconds_bucket{le=\"2.5\"} 2",
            "madoguchi_receiver_verify_seconds_bucket{le=\"+Inf\"} 3",
            "madoguchi_receiver_verify_seconds_count 3",
            "madoguchi_receiver_records_stored_total{status=\"accepted\"} 1",
            "madoguchi_receiver_records_stored_total{status=\"review\"} 1",
            "madoguchi_receiver_accepted_total{assurance=\"signed\"} 1",
            "madoguchi_receiver_accepted_total{assurance=\"card-authenticated\"} 2",
            "madoguchi_receiver_accepted_total{assurance=\"unauthenticated\"} 0",
            "madoguchi_receiver_crl_age_seconds{issuer=\"CN=a \\\"b\\\"\"} 60",
            "madoguchi_receiver_crl_fresh{issuer=\"CN=a \\\"b\\\"\"} 0",
            "madoguchi_receiver_uptime_seconds 5",
            "madoguchi_receiver_in_flight_requests 0",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
        }
        // Every family has its HELP and TYPE once.
        assert_eq!(
            text.matches("# TYPE madoguchi_receiver_verify_seconds histogram")
                .count(),
            1
        );
    }
}
