//! MCP keys: random, recognisable by their prefix, shown once, stored only as a SHA-256 hash.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// Every key starts with this, so people (and secret scanners) recognise one.
pub const KEY_PREFIX: &str = "omcp_";
/// How many characters of a key are kept for display.
const DISPLAY_LEN: usize = KEY_PREFIX.len() + 8;

pub struct NewKey {
    /// The key itself: returned to the administrator once, never stored.
    pub secret: String,
    pub hash: String,
    pub display_prefix: String,
}

/// A fresh key with 256 bits of randomness.
pub fn generate() -> Result<NewKey, String> {
    let mut raw = [0u8; 32];
    crate::platform::random_bytes(&mut raw)?;
    let secret = format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(raw));
    Ok(NewKey { hash: hash(&secret), display_prefix: secret[..DISPLAY_LEN].to_string(), secret })
}

/// Lower-case hex SHA-256: how a presented key is looked up.
pub fn hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two secrets in time independent of where they differ (and of their lengths, by comparing
/// digests).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (da, db) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    da.iter().zip(db.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A random identifier of visible ASCII (session ids).
pub fn random_id(bytes: usize) -> Result<String, String> {
    let mut raw = vec![0u8; bytes];
    crate::platform::random_bytes(&mut raw)?;
    Ok(URL_SAFE_NO_PAD.encode(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_prefixed_random_and_hashed() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert!(a.secret.starts_with(KEY_PREFIX));
        assert_eq!(a.secret.len(), KEY_PREFIX.len() + 43, "32 bytes base64url");
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.hash, hash(&a.secret));
        assert_eq!(a.hash.len(), 64);
        assert!(a.secret.starts_with(&a.display_prefix));
        assert!(!a.hash.contains(&a.secret));
    }

    #[test]
    fn constant_time_eq_compares_values() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
