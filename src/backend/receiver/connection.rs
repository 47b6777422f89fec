//! One connection: the TLS handshake and the peer it proves, then HTTP/1.1 through hyper
//! with the receiver's per-phase timeouts (`Limits`), the idle timeout and graceful stop.

use super::admission::Admission;
use super::config::Limits;
use super::http::router;
use super::peer::{peer_of, Peer, Tls};
use super::state::until_stopped;
use super::state::Shared;
use axum::{Extension, Router};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// hyper's own limits, above ours: past them hyper answers a bare 431 (no body) itself and
/// closes the connection, before any of our code runs.
const HYPER_HEADER_LIMIT: usize = 64 * 1024;
const HYPER_MAX_HEADERS: usize = 200;

/// One station connection: the TLS handshake within its deadline (the acceptor as of now),
/// the peer it proves, then HTTP.
pub(super) async fn serve_connection(
    tcp: tokio::net::TcpStream,
    admission: Option<Admission>,
    mtls: bool,
    shared: Arc<Shared>,
    stopped: tokio::sync::watch::Receiver<bool>,
) -> Result<(), String> {
    let limits = shared.cfg.limits.clone();
    // The acceptor as of this connection: a reload (SIGHUP) applies to the next ones.
    match shared.tls.as_ref().map(Tls::current) {
        None => {
            let app = router(shared).layer(Extension(Peer::Unbound));
            serve_http(tcp, app, limits, admission, stopped).await
        }
        Some(acc) => {
            let ssl = openssl::ssl::Ssl::new(acc.context()).map_err(|e| e.to_string())?;
            let mut stream = tokio_openssl::SslStream::new(ssl, tcp).map_err(|e| e.to_string())?;
            tokio::time::timeout(
                shared.cfg.limits.tls_handshake,
                std::pin::Pin::new(&mut stream).accept(),
            )
            .await
            .map_err(|_| "TLS handshake timed out".to_string())?
            .map_err(|e| e.to_string())?;
            // A finished mTLS handshake is proof enough: no longer counted against its address.
            let (peer, admission) = if mtls {
                drop(admission);
                (peer_of(stream.ssl()), None)
            } else {
                (Peer::Unbound, admission)
            };
            serve_http(
                stream,
                router(shared).layer(Extension(peer)),
                limits,
                admission,
                stopped,
            )
            .await
        }
    }
}

/// When the connection last finished a request, and how many are in progress: the idle
/// timeout counts only while none is.
struct Activity {
    start: Instant,
    busy: AtomicUsize,
    last_ms: AtomicU64,
}

struct Busy(Arc<Activity>);

impl Activity {
    fn begin(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::SeqCst);
        Busy(Arc::clone(self))
    }

    /// Resolves once no request has been in progress for `idle`.
    async fn idle_for(&self, idle: Duration) {
        loop {
            let since = self
                .start
                .elapsed()
                .saturating_sub(Duration::from_millis(self.last_ms.load(Ordering::SeqCst)));
            if self.busy.load(Ordering::SeqCst) == 0 && since >= idle {
                return;
            }
            tokio::time::sleep(idle.saturating_sub(since).max(Duration::from_millis(50))).await;
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let a = &self.0;
        a.last_ms.store(a.start.elapsed().as_millis() as u64, Ordering::SeqCst);
        a.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How long a connection told to close (idle) may take to finish what it is writing.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// One HTTP/1.1 connection through `app`, with the receiver's timeouts and graceful stop.
pub(super) async fn serve_http<I>(
    io: I,
    app: Router<()>,
    limits: Limits,
    admission: Option<Admission>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> Result<(), String>
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    use hyper::service::Service as _;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.headers)
        .max_header_size(HYPER_HEADER_LIMIT)
        .max_headers(HYPER_MAX_HEADERS);
    let activity = Arc::new(Activity {
        start: Instant::now(),
        busy: AtomicUsize::new(0),
        last_ms: AtomicU64::new(0),
    });
    let app = TowerToHyperService::new(app);
    let act = Arc::clone(&activity);
    // Counted against its source address until its first request has been answered (its
    // body read too: a head followed by a dribbled body proves nothing either).
    let admission = std::sync::Mutex::new(admission);
    let svc = hyper::service::service_fn(move |req| {
        let first = admission.lock().unwrap_or_else(|e| e.into_inner()).take();
        let busy = act.begin();
        let answer = app.call(req);
        async move {
            let r = answer.await;
            drop(busy);
            drop(first);
            r
        }
    });
    let conn = builder.serve_connection(TokioIo::new(io), svc);
    tokio::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => r.map_err(|e| e.to_string()),
        _ = activity.idle_for(limits.idle) => {
            conn.as_mut().graceful_shutdown();
            match tokio::time::timeout(CLOSE_GRACE, conn).await {
                Ok(r) => r.map_err(|e| e.to_string()),
                Err(_) => Err("connection did not close".into()),
            }
        }
        // Shutdown: the request in progress is answered (with `Connection: close`), then the
        // connection ends; an idle one ends now.
        _ = until_stopped(&mut stopped) => {
            conn.as_mut().graceful_shutdown();
            match tokio::time::timeout(limits.shutdown_grace, conn).await {
                Ok(r) => r.map_err(|e| e.to_string()),
                Err(_) => Err("connection did not finish within the shutdown grace".into()),
            }
        }
    }
}
