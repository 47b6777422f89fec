//! HTTP: the routes (`POST /v1/enrollments`, `/healthz`, `/readyz`, `/metrics`), reading a
//! body within its limit and deadline, and the JSON contract — every answer, the router's
//! own 404 and 405 and our 413, 408 and 431 included, is `{"result": …}` with its status
//! (docs/backend-api.md).

use super::config::{BODY_LIMIT, HEADER_LIMIT, MAX_HEADERS};
use super::peer::Peer;
use super::receipt::Receipt;
use super::state::Shared;
use super::submit::{store_unavailable, submit};
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The stations' listener: `POST /v1/enrollments` and the operations routes.
pub(super) fn router(shared: Arc<Shared>) -> Router<()> {
    with_contract(ops_routes().route("/v1/enrollments", post(enroll)), shared)
}

/// The operations listener (`--ops-listen`): health, readiness and metrics only.
pub(super) fn ops_router(shared: Arc<Shared>) -> Router<()> {
    with_contract(ops_routes(), shared)
}

/// Health, readiness and metrics: on the main listener, and alone on the operations listener
/// (`--ops-listen`: plain HTTP, so a load balancer or Prometheus reaches them without a
/// station's client certificate). They carry counts and states, never a record.
fn ops_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/healthz", axum::routing::get(healthz))
        .route("/readyz", axum::routing::get(readyz))
        .route("/metrics", axum::routing::get(metrics))
}

/// Routes with the JSON contract: unknown paths 404 `{"result":"NOT_FOUND"}`.
fn with_contract(routes: Router<Arc<Shared>>, shared: Arc<Shared>) -> Router<()> {
    routes
        .fallback(not_found)
        .layer(axum::middleware::from_fn(json_contract))
        .with_state(shared)
}

/// `POST /v1/enrollments`: one record, counted and logged whatever became of it.
async fn enroll(State(shared): State<Arc<Shared>>, Extension(peer): Extension<Peer>, req: Request) -> Response {
    let started = Instant::now();
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty() && k.len() <= 100)
        .map(str::to_string);
    let bound = matches!(peer, Peer::Bound(_));
    let receipt = {
        // Counted out by drop, also when the client goes away mid-request.
        let _in_flight = shared.metrics.in_flight();
        enroll_request(&shared, peer, key.clone(), req).await
    };
    shared.account(&receipt, key.as_deref(), bound, started.elapsed());
    receipt.response()
}

async fn enroll_request(shared: &Arc<Shared>, peer: Peer, key: Option<String>, req: Request) -> Receipt {
    let (parts, body) = req.into_parts();
    let Some(key) = key else {
        return Receipt::of(StatusCode::BAD_REQUEST, "INVALID_REQUEST", "missing Idempotency-Key");
    };
    if peer == Peer::NoStation {
        return Receipt::of(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "the client certificate must name exactly one station (one CN)",
        );
    }
    let body = match read_body(body, &parts.headers, BODY_LIMIT, shared.cfg.limits.body).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            return Receipt::of(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                &format!("body larger than {BODY_LIMIT} bytes"),
            )
            .closing()
        }
        Err(BodyError::Timeout) => {
            return Receipt::of(
                StatusCode::REQUEST_TIMEOUT,
                "REQUEST_TIMEOUT",
                "body not received in time",
            )
            .closing()
        }
        Err(BodyError::Broken) => {
            return Receipt::of(StatusCode::BAD_REQUEST, "INVALID_REQUEST", "body not readable").closing()
        }
    };
    submit(shared, peer, key, &body).await
}

enum BodyError {
    TooLarge,
    Timeout,
    Broken,
}

/// Reads the whole body, at most `limit` bytes, within `timeout` (a client dribbling its body
/// doesn't hold the connection longer).
async fn read_body(
    body: axum::body::Body,
    headers: &HeaderMap,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, BodyError> {
    use axum::body::HttpBody;
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let mut body = body;
    // Too large: the rest is read and dropped (up to DRAIN_LIMIT, briefly) so that a client
    // still sending reads the JSON 413 instead of a reset; past that the connection closes.
    async fn drain(body: &mut axum::body::Body) {
        use axum::body::HttpBody;
        let mut seen = 0usize;
        let go = async {
            while let Some(Ok(frame)) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut *body).poll_frame(cx)).await {
                seen += frame.data_ref().map_or(0, |d| d.len());
                if seen > DRAIN_LIMIT {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(5), go).await;
    }
    if declared.is_some_and(|n| n > limit as u64) {
        if declared.is_some_and(|n| n <= DRAIN_LIMIT as u64) {
            drain(&mut body).await;
        }
        return Err(BodyError::TooLarge);
    }
    let read = async {
        let mut buf = Vec::with_capacity(declared.unwrap_or(0) as usize);
        while let Some(frame) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await {
            let frame = frame.map_err(|_| BodyError::Broken)?;
            if let Ok(data) = frame.into_data() {
                if buf.len() + data.len() > limit {
                    return Err(BodyError::TooLarge);
                }
                buf.extend_from_slice(&data);
            }
        }
        Ok(Bytes::from(buf))
    };
    let result = tokio::time::timeout(timeout, read)
        .await
        .map_err(|_| BodyError::Timeout)?;
    if matches!(result, Err(BodyError::TooLarge)) {
        drain(&mut body).await;
    }
    result
}

/// How much of an oversized body is read and dropped before the 413 is sent.
const DRAIN_LIMIT: usize = 8 * 1024 * 1024;

/// Liveness: the receiver answers (no database call).
async fn healthz() -> Response {
    (StatusCode::OK, Json(json!({"result": "OK", "status": "alive"}))).into_response()
}

/// Readiness: not shutting down, the store answered its last call (requests' and the ping
/// each second: no query per probe, so a hung database never holds a probe), and every CRL is
/// current (a stale one would answer its issuer's records with CRL_STALE): the signing CA's and
/// the 利用者証明用 CA's alike. Else 503.
async fn readyz(State(shared): State<Arc<Shared>>) -> Response {
    let crls: Vec<Value> = shared
        .crl_figures()
        .iter()
        .map(|c| json!({"kind": c.kind, "issuer": c.issuer, "age_secs": c.age_secs, "fresh": c.fresh}))
        .collect();
    if shared.stopping.load(Ordering::SeqCst) {
        return Receipt::of(
            StatusCode::SERVICE_UNAVAILABLE,
            "SHUTTING_DOWN",
            "this receiver is stopping",
        )
        .response();
    }
    if !shared.store_ok.load(Ordering::SeqCst) {
        return store_unavailable().response();
    }
    // A stale station CRL still refuses what it lists (revocations stand); the signing and
    // 利用者証明用 CRLs decide records, and a stale one answers them CRL_STALE.
    let stale = crls
        .iter()
        .filter(|c| c["fresh"] == false && c["kind"] != "station")
        .count();
    if stale > 0 {
        return respond(
            503,
            &json!({
                "result": "CRL_STALE",
                "error": format!("{stale} CRL(s) past nextUpdate plus the grace; their records get CRL_STALE"),
                "crls": crls,
            })
            .to_string(),
        );
    }
    let mut ok = json!({"result": "OK", "store": "reachable"});
    if !crls.is_empty() {
        ok["crls"] = json!(crls);
    }
    (StatusCode::OK, Json(ok)).into_response()
}

const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Prometheus text exposition.
async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    let text = shared.metrics.render(&shared.crl_figures(), shared.started.elapsed());
    (
        StatusCode::OK,
        [(axum::http::header::CONTENT_TYPE, PROMETHEUS_TEXT)],
        text,
    )
        .into_response()
}

/// Every answer is `{"result": …}` JSON: headers past our limits get 431 here, and the
/// router's own empty or text answers (404, 405, …) are replaced by JSON with the same status.
async fn json_contract(req: Request, next: axum::middleware::Next) -> Response {
    let head = req.method().as_str().len()
        + req.uri().to_string().len()
        + 12
        + req
            .headers()
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 4)
            .sum::<usize>();
    if head > HEADER_LIMIT || req.headers().len() > MAX_HEADERS {
        return answer(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "HEADERS_TOO_LARGE",
            &format!("request headers over {HEADER_LIMIT} bytes or {MAX_HEADERS} fields"),
            true,
        );
    }
    ensure_json(next.run(req).await)
}

fn ensure_json(r: Response) -> Response {
    use axum::http::header;
    // Ours: JSON, and the Prometheus text of /metrics.
    let is_ours = r
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v == PROMETHEUS_TEXT);
    if is_ours {
        return r;
    }
    let status = r.status();
    let (result, detail) = match status {
        StatusCode::NOT_FOUND => ("NOT_FOUND", "no such resource (POST /v1/enrollments)"),
        StatusCode::METHOD_NOT_ALLOWED => ("METHOD_NOT_ALLOWED", "method not allowed (POST /v1/enrollments)"),
        StatusCode::PAYLOAD_TOO_LARGE => ("PAYLOAD_TOO_LARGE", "body too large"),
        StatusCode::REQUEST_TIMEOUT => ("REQUEST_TIMEOUT", "request not received in time"),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ("HEADERS_TOO_LARGE", "request headers too large"),
        s if s.is_server_error() => ("ERROR", "internal error"),
        _ => ("INVALID_REQUEST", "malformed request"),
    };
    let (mut parts, _) = r.into_parts();
    let mut json = answer(status, result, detail, false);
    for h in [header::ALLOW, header::CONNECTION, header::RETRY_AFTER] {
        if let Some(v) = parts.headers.remove(&h) {
            json.headers_mut().insert(h, v);
        }
    }
    json
}

async fn not_found() -> Response {
    answer(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "no such resource (POST /v1/enrollments)",
        false,
    )
}

/// A JSON answer; `close` also ends the connection (the rest of the request is not read).
fn answer(status: StatusCode, result: &str, detail: &str, close: bool) -> Response {
    let mut r = (status, Json(json!({"result": result, "error": detail}))).into_response();
    if close {
        r.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
    }
    r
}

impl Receipt {
    /// The answer as sent: JSON, `Retry-After` on a 503, `Connection: close` when the rest of
    /// the request was not read.
    fn response(&self) -> Response {
        let mut r = respond(self.status, &self.answer);
        if self.close {
            r.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
        }
        r
    }
}

fn respond(status: u16, answer: &str) -> Response {
    let answer: Value = serde_json::from_str(answer).unwrap_or(Value::Null);
    let after = retry_after(answer["result"].as_str().unwrap_or(""));
    let mut r = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        Json(answer),
    )
        .into_response();
    if status == 503 {
        r.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static(after),
        );
    }
    r
}

/// Seconds a station waits before retrying a 503: a CRL is refreshed by a job that runs
/// every few minutes at best; a database restarts or another receiver takes over in seconds.
fn retry_after(result: &str) -> &'static str {
    match result {
        "CRL_STALE" => "300",
        _ => "5",
    }
}
