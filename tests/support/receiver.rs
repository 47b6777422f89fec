//! A receiver in this process, on a free loopback port.

use madoguchi::backend::receiver::{self, LoopbackTls, ReceiverConfig, ReceiverHandle, TlsConfig};
use madoguchi::backend::store::StoreLocation;
use openssl::x509::X509;
use std::path::Path;

/// What most tests start from: records in `db`, signing certificates chained to `ca`.
pub fn config(db: impl Into<StoreLocation>, ca: &X509) -> ReceiverConfig {
    ReceiverConfig {
        db: db.into(),
        trust_ca: vec![ca.clone()],
        ..Default::default()
    }
}

/// A receiver of `cfg` on 127.0.0.1 (plain HTTP without `tls`).
pub fn spawn(cfg: ReceiverConfig, tls: Option<TlsConfig>) -> ReceiverHandle {
    receiver::spawn("127.0.0.1:0", cfg, tls).expect("the receiver starts")
}

/// A receiver that binds its stations by client certificate, as a city runs it: a throwaway
/// CA in `dir/tls` and a certificate naming `station`; records in `db`, signing certificates
/// chained to `ca`, and unauthenticated records taken (from bound stations only).
pub fn bound(dir: &Path, station: &str, db: impl Into<StoreLocation>, ca: &X509) -> (LoopbackTls, ReceiverHandle) {
    let tls = LoopbackTls::create(&dir.join("tls"), station).unwrap();
    let rx = spawn(
        ReceiverConfig {
            allow_unsigned: true,
            ..config(db, ca)
        },
        Some(tls.server()),
    );
    (tls, rx)
}

/// [`bound`], and `card-authenticated` records (a child's 利用者証明 challenge) verified
/// against the 利用者証明用 CA `auth_ca` (no auth CRL).
pub fn bound_with_auth(
    dir: &Path,
    station: &str,
    db: impl Into<StoreLocation>,
    ca: &X509,
    auth_ca: &X509,
) -> (LoopbackTls, ReceiverHandle) {
    let tls = LoopbackTls::create(&dir.join("tls"), station).unwrap();
    let rx = spawn(
        ReceiverConfig {
            allow_unsigned: true,
            auth_ca: vec![auth_ca.clone()],
            ..config(db, ca)
        },
        Some(tls.server()),
    );
    (tls, rx)
}
