//! The receiver's lifecycle: listeners bound, a runtime of its own, the accept loop with its
//! slots and admission gate, the operations listener, and the stop (`Control`) and join
//! (`ReceiverHandle`) of a running receiver.

use super::admission;
use super::config::{Limits, ReceiverConfig, TlsConfig};
use super::connection::{serve_connection, serve_http};
use super::http::ops_router;
use super::peer::Tls;
use super::state::{until_stopped, Shared};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// Starts the receiver on its own thread. `listen` like "127.0.0.1:0".
pub fn spawn(listen: &str, cfg: ReceiverConfig, tls: Option<TlsConfig>) -> Result<ReceiverHandle, String> {
    let mtls = tls.as_ref().is_some_and(|t| t.client_ca.is_some());
    let shared = Shared::open(cfg, tls.map(Tls::new).transpose()?)?;
    let std_listener = std::net::TcpListener::bind(listen).map_err(|e| format!("{listen}: {e}"))?;
    admission::widen_backlog(&std_listener).map_err(|e| format!("{listen}: listen: {e}"))?;
    std_listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let addr = std_listener.local_addr().map_err(|e| e.to_string())?;
    let (stop, _) = tokio::sync::watch::channel(false);
    let stop = Arc::new(stop);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(std::thread::available_parallelism().map_or(2, |n| n.get()).max(2))
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let control = Control {
        stop: Arc::clone(&stop),
        shared: Arc::clone(&shared),
        rt: rt.handle().clone(),
    };
    let thread = std::thread::Builder::new()
        .name("receiver".into())
        .spawn(move || {
            rt.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
                    return;
                };
                tokio::spawn(Arc::clone(&shared).watch_store(stop.subscribe()));
                let max = shared.cfg.limits.max_connections.max(1);
                let slots = Arc::new(tokio::sync::Semaphore::new(max));
                let gate = admission::Gate::new(max, shared.cfg.limits.per_address);
                accept_loop(&listener, &slots, Some(&gate), &stop, |tcp, admission, permit| {
                    let _ = tcp.set_nodelay(true);
                    let shared = Arc::clone(&shared);
                    let stopped = stop.subscribe();
                    tokio::spawn(async move {
                        let _ = serve_connection(tcp, admission, mtls, shared, stopped).await;
                        drop(permit);
                    });
                })
                .await;
                // Refuse new connections from now on; let the ones in flight finish.
                drop(listener);
                let grace = shared.cfg.limits.shutdown_grace;
                if tokio::time::timeout(grace, slots.acquire_many(max as u32))
                    .await
                    .is_err()
                {
                    tracing::warn!("shutdown: connections still open after the grace; stopping anyway");
                }
            });
        })
        .map_err(|e| e.to_string())?;
    Ok(ReceiverHandle {
        addr,
        control,
        thread: Some(thread),
    })
}

/// Starts the operations listener of a running receiver (`Control`) on the receiver's runtime:
/// `/healthz`, `/readyz` and `/metrics` over plain HTTP on `listen`. It stops accepting when
/// the receiver stops. Returns the address bound.
pub fn spawn_ops(listen: &str, control: &Control) -> Result<SocketAddr, String> {
    let std_listener = std::net::TcpListener::bind(listen).map_err(|e| format!("{listen}: {e}"))?;
    admission::widen_backlog(&std_listener).map_err(|e| format!("{listen}: listen: {e}"))?;
    std_listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let addr = std_listener.local_addr().map_err(|e| e.to_string())?;
    let shared = Arc::clone(&control.shared);
    let stop = Arc::clone(&control.stop);
    control.rt.spawn(async move {
        let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
            return;
        };
        let slots = Arc::new(tokio::sync::Semaphore::new(OPS_CONNECTIONS));
        let limits = ops_limits(&shared.cfg.limits);
        // The same door as the stations': sockets from one address that say nothing cannot
        // take the slots a liveness probe needs.
        let gate = admission::Gate::new(OPS_CONNECTIONS, shared.cfg.limits.per_address);
        accept_loop(&listener, &slots, Some(&gate), &stop, |tcp, admitted, permit| {
            let app = ops_router(Arc::clone(&shared));
            let limits = limits.clone();
            let stopped = stop.subscribe();
            tokio::spawn(async move {
                let _ = serve_http(tcp, app, limits, admitted, stopped).await;
                drop(permit);
            });
        })
        .await;
    });
    Ok(addr)
}

/// Stops or reloads a running receiver (signals in `madoguchi receive`, tests).
#[derive(Clone)]
pub struct Control {
    stop: Arc<tokio::sync::watch::Sender<bool>>,
    shared: Arc<Shared>,
    /// The receiver's runtime: the operations listener runs on it too, so pooled database
    /// connections (whose drivers run where they were opened) all live as long as it does.
    rt: tokio::runtime::Handle,
}

impl Control {
    /// Graceful stop: new connections are refused at once, requests in flight finish (up to
    /// `Limits::shutdown_grace`), idle keep-alive connections close.
    pub fn shutdown(&self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        let _ = self.stop.send(true);
    }

    /// Reads the trust file (when the receiver was started from one) and the CRLs again. On
    /// an error the ones in use stay. Returns what is in use now.
    pub fn reload(&self) -> Result<String, String> {
        self.shared.reload()
    }

    /// What the receiver trusts now, one line per anchor (what for, subject, validity,
    /// SHA-256), each followed by a `warning: …` line when it has expired or ends within 90
    /// days: said at start, after each reload, and daily.
    pub fn trust_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (what, a) in self.shared.anchors() {
            out.push(format!("trusts ({what}): {}", a.describe()));
            if let Some(w) = a.warning() {
                out.push(format!("warning: {w}"));
            }
        }
        out
    }

    /// Only the warnings of `trust_lines` (the daily reminder).
    pub fn trust_warnings(&self) -> Vec<String> {
        self.trust_lines()
            .into_iter()
            .filter(|l| l.starts_with("warning: "))
            .collect()
    }
}

/// A running receiver: its address and control; stopped (gracefully) when dropped.
pub struct ReceiverHandle {
    pub addr: SocketAddr,
    control: Control,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ReceiverHandle {
    pub fn url(&self, tls: bool) -> String {
        format!("{}://{}", if tls { "https" } else { "http" }, self.addr)
    }

    pub fn control(&self) -> Control {
        self.control.clone()
    }

    pub fn stop(mut self) {
        self.shutdown_now();
    }

    fn shutdown_now(&mut self) {
        self.control.shutdown();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Blocks until the server stops (the CLI: after `Control::shutdown`).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ReceiverHandle {
    fn drop(&mut self) {
        self.shutdown_now();
    }
}

/// Accepts until the receiver stops: a slot first (beyond the slots, connections wait in the
/// backlog), then a connection, handed to `serve` with its slot. A failing accept (EMFILE…)
/// backs off instead of spinning.
async fn accept_loop(
    listener: &tokio::net::TcpListener,
    slots: &Arc<tokio::sync::Semaphore>,
    gate: Option<&Arc<admission::Gate>>,
    stop: &tokio::sync::watch::Sender<bool>,
    mut serve: impl FnMut(tokio::net::TcpStream, Option<admission::Admission>, tokio::sync::OwnedSemaphorePermit),
) {
    let mut stopped = stop.subscribe();
    let mut backoff = None;
    loop {
        // Accepted first, so the source is known: a refused socket is closed at once instead
        // of waiting in the backlog in front of the stations.
        let (tcp, from) = tokio::select! {
            _ = until_stopped(&mut stopped) => return,
            r = listener.accept() => match r {
                Ok(c) => {
                    backoff = None;
                    c
                }
                Err(_) => {
                    let pause = accept_backoff(backoff);
                    backoff = Some(pause);
                    tokio::select! {
                        _ = until_stopped(&mut stopped) => return,
                        _ = tokio::time::sleep(pause) => continue,
                    }
                }
            },
        };
        let admission = match gate {
            Some(g) => match g.admit(from.ip(), slots.available_permits()) {
                Some(a) => Some(a),
                None => continue, // dropped: closed
            },
            None => None,
        };
        let permit = tokio::select! {
            _ = until_stopped(&mut stopped) => return,
            p = Arc::clone(slots).acquire_owned() => match p { Ok(p) => p, Err(_) => return },
        };
        serve(tcp, admission, permit);
    }
}

/// First pause after a failed accept (EMFILE, ENFILE, ENOBUFS…), doubled up to the cap, so a
/// persistent error doesn't spin a core.
const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(50);
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

fn accept_backoff(previous: Option<Duration>) -> Duration {
    previous.map_or(ACCEPT_BACKOFF_MIN, |d| (d * 2).min(ACCEPT_BACKOFF_MAX))
}

/// Connections the operations listener serves at once. Its answers touch no database (/readyz
/// reads the state the receiver keeps), so nothing on it waits for the store, and liveness is
/// never queued behind readiness; the slots are for sockets that say nothing, which
/// `OPS_DEADLINE` closes, and the admission gate keeps one address from taking them all.
const OPS_CONNECTIONS: usize = 512;

/// On the operations listener: a connection that sends no complete request head, or stays idle
/// after an answer, for this long is closed. Probes ask and go; a scraper reconnects.
const OPS_DEADLINE: Duration = Duration::from_secs(1);

/// The operations listener's own limits: short, whatever the stations' are.
fn ops_limits(stations: &Limits) -> Limits {
    Limits {
        tls_handshake: OPS_DEADLINE,
        headers: stations.headers.min(OPS_DEADLINE),
        body: stations.body.min(OPS_DEADLINE),
        idle: stations.idle.min(OPS_DEADLINE),
        max_connections: OPS_CONNECTIONS,
        ..stations.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_errors_back_off_50_ms_doubling_to_1_s() {
        let mut d = None;
        let mut seen = Vec::new();
        for _ in 0..8 {
            let next = accept_backoff(d);
            seen.push(next.as_millis());
            d = Some(next);
        }
        assert_eq!(seen, [50, 100, 200, 400, 800, 1000, 1000, 1000]);
    }
}
