//! Storing and delivering results: payload + statement, sealing, the durable outbox,
//! delivery over HTTPS, and the reference receiver.

pub mod carry;
pub mod crl;
pub mod db;
pub mod delivery;
pub mod der;
pub mod jwe;
pub mod metrics;
pub mod outbox;
pub mod pgconn;
pub mod receiver;
pub mod seal;
pub mod station;
pub mod store;
pub mod trust;
