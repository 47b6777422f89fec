//! The reference receiver (`madoguchi receive`, and in-process for `madoguchi demo`): opens
//! sealed bodies, checks that the record's assurance level is the one its proofs carry
//! (ASSURANCE_NOT_PROVEN), verifies with openssl in this order — chain to the trusted CA
//! (UNSUPPORTED_CERTIFICATE), validity (CERTIFICATE_EXPIRED, vendor code 21), signature over the
//! statement (SIGNATURE_MISMATCH), CRL (CERTIFICATE_REVOKED, vendor code 23), card data against
//! the certificate — or, for the 利用者証明 challenge, EF 02 as read — and the statement
//! (CARD_DATA_MISMATCH, ASSURANCE_NOT_PROVEN) — and stores idempotently in SQLite
//! or PostgreSQL (`store`). Verification runs outside any lock or transaction, one per core;
//! only the idempotency insert (per station and key, insert-or-replace-unless-success) touches
//! the database. A store out of reach is a 503 STORE_UNAVAILABLE, which stations retry.
//!
//! One room each, in the order a request meets them:
//! - `config`: what an operator sets (`ReceiverConfig`, `Limits`, `TlsConfig`);
//! - `server`: the lifecycle — listeners, the accept loop, one connection's HTTP/1.1 with its
//!   timeouts, graceful stop (`spawn`, `spawn_ops`, `Control`, `ReceiverHandle`);
//! - `admission`: who gets a connection slot at the door;
//! - `peer`: the TLS acceptor (reloaded on SIGHUP) and the station a client certificate names;
//! - `http`: routes, body reading and the JSON answer contract;
//! - `submit`: one record verified then stored idempotently (`Local` for hand-carried files);
//! - `receipt`: what became of it (`Receipt`, `Disposition`);
//! - `state`: what every connection shares, reload, and the shutdown watch;
//! - `verify`: the checks of one record, each refusal a `Refusal`;
//! - `loopback`: the throwaway CA of the demo and the tests (`LoopbackTls`).

pub mod admission;
mod config;
mod connection;
mod http;
mod loopback;
mod peer;
mod receipt;
mod server;
mod state;
mod submit;
mod verify;

pub use config::{Limits, ReceiverConfig, RequestLog, TlsConfig, BODY_LIMIT, HEADER_LIMIT, MAX_HEADERS};
pub use loopback::LoopbackTls;
pub use receipt::{Disposition, Receipt};
pub use server::{spawn, spawn_ops, Control, ReceiverHandle};
pub use submit::{accepted_count, accepted_payloads, Local};
#[doc(hidden)]
pub use verify::fuzz_check;
