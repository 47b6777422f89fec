//! Canonical bytes and their digests: JSON of personal data in a buffer of exactly its size,
//! and SHA-256 in hex. What the card data, the statement and the payload are hashed as.

use serde::Serialize;
use zeroize::Zeroizing;

/// JSON of personal data in a buffer of exactly its size: serialised once to count, then into
/// a buffer that never grows (a growing `Vec` leaves copies in the memory it frees).
pub fn to_json_exact<T: Serialize + ?Sized>(value: &T) -> Result<Zeroizing<Vec<u8>>, serde_json::Error> {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut n = Count(0);
    serde_json::to_writer(&mut n, value)?;
    let mut out = Zeroizing::new(Vec::with_capacity(n.0));
    serde_json::to_writer(&mut *out, value)?;
    debug_assert_eq!(out.len(), out.capacity());
    Ok(out)
}

pub fn sha256_hex(b: &[u8]) -> String {
    openssl::sha::sha256(b).iter().map(|x| format!("{x:02x}")).collect()
}
