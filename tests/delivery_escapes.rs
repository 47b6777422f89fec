//! The station's delivery stays on the configured https backend (issue: https-only could be
//! escaped): no redirects followed, no proxy from the environment, loopback decided by the
//! parsed host, and `ca_file` replacing the system roots.

use madoguchi::backend::delivery::{self, DeliveryConfig, Outcome};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A one-thread HTTP server answering every request with `answer`; counts requests.
fn server(answer: String) -> (String, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let h = Arc::clone(&hits);
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buf = [0u8; 65536];
            let _ = s.read(&mut buf);
            h.fetch_add(1, Ordering::SeqCst);
            let _ = s.write_all(answer.as_bytes());
        }
    });
    (format!("http://{addr}"), hits)
}

fn post(url: &str) -> Outcome {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let cfg = DeliveryConfig {
        request_timeout: Duration::from_secs(5),
        ..DeliveryConfig::new(url)
    };
    let client = delivery::client(&cfg).unwrap();
    rt.block_on(delivery::deliver(&client, &cfg, "id-1", b"{\"personal\":\"data\"}"))
}

#[test]
fn no_redirect_no_environment_proxy_and_loopback_by_parsed_host() {
    // 1. A 307 to another host is not followed: the record is not re-sent elsewhere.
    let ok = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\nConnection: close\r\n\r\n{\"result\":\"OK\"}";
    let (elsewhere, elsewhere_hits) = server(ok.to_string());
    let (redirecting, redirect_hits) = server(format!(
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: {elsewhere}/v1/enrollments\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    ));
    let out = post(&redirecting);
    assert_eq!(redirect_hits.load(Ordering::SeqCst), 1);
    assert_eq!(
        elsewhere_hits.load(Ordering::SeqCst),
        0,
        "the redirect was followed: {out:?}"
    );
    assert!(
        !matches!(out, Outcome::Delivered),
        "a redirect is not a delivery: {out:?}"
    );

    // 2. HTTP(S)_PROXY in the environment is ignored (this binary has one test: no other
    //    thread reads the environment meanwhile).
    let (proxy, proxy_hits) = server(ok.to_string());
    let (backend, backend_hits) = server(ok.to_string());
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        std::env::set_var(var, &proxy);
    }
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");
    let out = post(&backend);
    assert_eq!(out, Outcome::Delivered);
    assert_eq!(
        proxy_hits.load(Ordering::SeqCst),
        0,
        "the environment's proxy saw the record"
    );
    assert_eq!(backend_hits.load(Ordering::SeqCst), 1);

    // 3. Plain http only to a parsed loopback host.
    for bad in [
        "http://127.attacker.example",
        "http://localhost@attacker.example/",
        "http://10.0.0.1",
    ] {
        assert!(delivery::client(&DeliveryConfig::new(bad)).is_err(), "{bad}");
    }
    assert!(delivery::is_loopback_url("http://[::1]:8080"));
    assert!(delivery::client(&DeliveryConfig::new("https://backend.example")).is_ok());

    // 4. ca_file replaces the system roots: an empty bundle is an error, not "system roots".
    let dir = std::env::temp_dir().join(format!("madoguchi-escapes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("empty.pem"), "").unwrap();
    let cfg = DeliveryConfig {
        ca_file: Some(dir.join("empty.pem")),
        ..DeliveryConfig::new("https://backend.example")
    };
    assert!(delivery::client(&cfg).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}
