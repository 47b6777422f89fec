//! The hand-carry file: `outbox export` writes it on a field laptop that can't reach the
//! backend, `receive import` reads it at the office. One JSON object a line; each holds one
//! request body as the station stores and would send it (sealed when the station seals), so
//! the receiver treats it exactly like the same record arriving over HTTPS.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Written in every line (a reader of a later format can tell).
pub const FORMAT: &str = "madoguchi-carry-1";

/// No `Debug`: with `seal = false` the body is personal data.
#[derive(Serialize, Deserialize)]
pub struct Carried {
    /// Absent in files of the first release (same shape otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The Idempotency-Key the record is delivered under.
    pub enrollment_id: String,
    pub sealed: bool,
    /// The request body (JSON). The receiver compares bodies by their canonical JSON, so
    /// the byte form here needn't match what the station later sends over the network.
    pub body: Value,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CarryError {
    /// Says where, never what: a line may hold an unsealed record.
    #[error("line {0}: not a carried record")]
    Malformed(usize),
    #[error("line {0}: written in a later format (this version reads madoguchi-carry-1)")]
    Format(usize),
}

/// One line of the file (without its newline).
pub fn line(enrollment_id: &str, sealed: bool, body: &[u8]) -> String {
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    serde_json::to_string(&Carried {
        format: Some(FORMAT.into()),
        enrollment_id: enrollment_id.into(),
        sealed,
        body,
    })
    .unwrap_or_default()
}

/// Reads line `n` (1-based, for the message) of a carried file; blank lines give `None`.
pub fn parse(n: usize, line: &str) -> Result<Option<(Carried, Vec<u8>)>, CarryError> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    let c: Carried = serde_json::from_str(line).map_err(|_| CarryError::Malformed(n))?;
    if let Some(f) = c.format.as_deref().filter(|f| *f != FORMAT) {
        let _ = f;
        return Err(CarryError::Format(n));
    }
    if c.enrollment_id.is_empty() || c.enrollment_id.len() > 100 || !c.body.is_object() {
        return Err(CarryError::Malformed(n));
    }
    let body = serde_json::to_vec(&c.body).map_err(|_| CarryError::Malformed(n))?;
    Ok(Some((c, body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_reads_back_and_first_release_lines_still_read() {
        let l = line(
            "id-1",
            true,
            br#"{"jwe":"a.b.c.d.e","station_id":"s1","enrollment_id":"id-1"}"#,
        );
        let (c, body) = parse(1, &l).ok().flatten().unwrap();
        assert_eq!(
            (c.enrollment_id.as_str(), c.sealed, c.format.as_deref()),
            ("id-1", true, Some(FORMAT))
        );
        assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["jwe"], "a.b.c.d.e");
        // The first release wrote no format.
        let old = r#"{"enrollment_id":"id-2","sealed":false,"body":{"schema":"x"}}"#;
        assert_eq!(parse(2, old).ok().flatten().unwrap().0.enrollment_id, "id-2");
        assert!(parse(3, "  ").ok().unwrap().is_none());
        assert_eq!(parse(4, "{\"name\":\"山田\"").err(), Some(CarryError::Malformed(4)));
        let later = r#"{"format":"madoguchi-carry-9","enrollment_id":"x","sealed":true,"body":{}}"#;
        assert!(matches!(parse(5, later).err(), Some(CarryError::Format(5))));
        // The message names the line, not what was in it.
        assert!(
            !parse(6, r#"{"enrollment_id":"","sealed":true,"body":{"name":"山田"}}"#)
                .err()
                .unwrap()
                .to_string()
                .contains("山田")
        );
    }
}
