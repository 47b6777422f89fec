//! What became of one request (`Receipt`): the answer, and what the request log, the
//! metrics and `receive import` need to know of it.

use axum::http::StatusCode;
use serde_json::{json, Value};

/// What became of one request: the answer, and what the request log, the metrics and
/// `receive import` need to know of it.
pub struct Receipt {
    pub status: u16,
    /// The JSON answer.
    pub answer: String,
    /// The answer's `result` (OK, CARD_DATA_MISMATCH, CRL_STALE…).
    pub result: String,
    /// The answer's `error`, when there is one (structure, never data).
    pub detail: Option<String>,
    pub disposition: Disposition,
    /// The station whose key this is, once known.
    pub station: Option<String>,
    /// The answer's `assurance`: the level proven, on an acceptance.
    pub assurance: Option<String>,
    /// End the connection after answering (the rest of the request was not read).
    pub(super) close: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// A new row: accepted (200) or kept for review (422).
    Stored,
    /// Answered before with this body: the same answer again.
    Replayed,
    /// The key was answered before with another body: refused (422), nothing stored.
    Conflict,
    /// Answered, nothing stored: a malformed or refused request, or a 503 to retry.
    NotStored,
}

impl Receipt {
    pub(super) fn new(status: u16, answer: String, disposition: Disposition, station: Option<String>) -> Receipt {
        let v: Value = serde_json::from_str(&answer).unwrap_or(Value::Null);
        Receipt {
            status,
            result: v["result"].as_str().unwrap_or("ERROR").to_string(),
            detail: v["error"].as_str().map(str::to_string),
            assurance: v["assurance"].as_str().map(str::to_string),
            answer,
            disposition,
            station,
            close: false,
        }
    }

    /// Answered without storing anything.
    pub(super) fn of(status: StatusCode, result: &str, detail: &str) -> Receipt {
        let answer = json!({"result": result, "error": detail}).to_string();
        Receipt::new(status.as_u16(), answer, Disposition::NotStored, None)
    }

    pub(super) fn closing(mut self) -> Receipt {
        self.close = true;
        self
    }

    pub(super) fn internal() -> Receipt {
        Receipt::new(
            500,
            json!({"result": "ERROR"}).to_string(),
            Disposition::NotStored,
            None,
        )
    }
}
