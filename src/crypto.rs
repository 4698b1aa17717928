//! Encryption of Odoo API keys at rest: AES-256-GCM under the `CREDENTIALS_KEY` secret, a fresh
//! 96-bit nonce per value, stored as base64(nonce || ciphertext+tag). Also HMAC, and the keys of other
//! purposes derived from `CREDENTIALS_KEY` (HKDF-SHA256, one label per purpose).
//!
//! Why Odoo API keys are still encrypted under `CREDENTIALS_KEY` itself: every stored row was encrypted
//! that way, and deriving their key now would need every row re-encrypted in the same deploy. Each new
//! purpose gets its own derived key instead, so no derived key can stand in for the encryption key, nor
//! one purpose's for another's.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hkdf::Hkdf;
use sha2::{Digest, Sha256};

#[derive(Debug, PartialEq)]
pub enum CryptoError {
    NotConfigured,
    Malformed,
    /// Wrong key, or the value was tampered with.
    Undecryptable,
    NoRandomness,
}

impl std::fmt::Display for CryptoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CryptoError::NotConfigured => "CREDENTIALS_KEY is not configured on this deployment",
            CryptoError::Malformed => "stored credential is malformed",
            CryptoError::Undecryptable => {
                "stored credential cannot be decrypted: CREDENTIALS_KEY was changed, or the two Workers hold different ones \
                 (compare credentials_key_id at /health and /admin/health); else issue a new key"
            }
            CryptoError::NoRandomness => "no randomness available",
        })
    }
}

/// Parses the `CREDENTIALS_KEY` secret: standard or URL-safe base64 of exactly 32 bytes.
pub fn parse_key(b64: &str) -> Result<[u8; 32], CryptoError> {
    let b64 = b64.trim();
    let bytes = STANDARD
        .decode(b64)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(b64.trim_end_matches('=')))
        .map_err(|_| CryptoError::Malformed)?;
    bytes.try_into().map_err(|_| CryptoError::Malformed)
}

pub fn encrypt(key: &[u8; 32], plaintext: &str) -> Result<String, CryptoError> {
    let cipher = Aes256Gcm::new(key.into());
    let mut nonce = [0u8; 12];
    crate::platform::random_bytes(&mut nonce).map_err(|_| CryptoError::NoRandomness)?;
    let ct = cipher.encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes()).map_err(|_| CryptoError::Undecryptable)?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&ct);
    Ok(STANDARD.encode(out))
}

pub fn decrypt(key: &[u8; 32], stored: &str) -> Result<String, CryptoError> {
    let raw = STANDARD.decode(stored).map_err(|_| CryptoError::Malformed)?;
    if raw.len() < 12 + 16 {
        return Err(CryptoError::Malformed);
    }
    let (nonce, ct) = raw.split_at(12);
    let pt =
        Aes256Gcm::new(key.into()).decrypt(Nonce::from_slice(nonce), ct).map_err(|_| CryptoError::Undecryptable)?;
    String::from_utf8(pt).map_err(|_| CryptoError::Malformed)
}

/// The key of one purpose, derived from `master` (the `CREDENTIALS_KEY`) with HKDF-SHA256 (RFC 5869):
/// no salt, the purpose's `label` as info (e.g. `odoo-mcp-edge/cursor/v1`; a new version of a label
/// retires every value made under the old one).
pub fn derive_key(master: &[u8], label: &str) -> [u8; 32] {
    let mut okm = [0u8; 32];
    let expanded = Hkdf::<Sha256>::new(None, master).expand(label.as_bytes(), &mut okm);
    // HKDF refuses only outputs longer than 255 hashes; 32 bytes is one.
    debug_assert!(expanded.is_ok());
    okm
}

/// HMAC-SHA256 (RFC 2104).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_detection() {
        let key = [7u8; 32];
        let stored = encrypt(&key, "odoo-api-key-123").unwrap();
        assert!(!stored.contains("odoo-api-key-123"));
        assert_eq!(decrypt(&key, &stored).unwrap(), "odoo-api-key-123");
        assert_ne!(stored, encrypt(&key, "odoo-api-key-123").unwrap(), "fresh nonce each time");
        assert_eq!(decrypt(&[8u8; 32], &stored), Err(CryptoError::Undecryptable));
        let mut raw = STANDARD.decode(&stored).unwrap();
        raw[20] ^= 1;
        assert_eq!(decrypt(&key, &STANDARD.encode(raw)), Err(CryptoError::Undecryptable));
        assert_eq!(decrypt(&key, "%%"), Err(CryptoError::Malformed));
    }

    #[test]
    fn parses_32_byte_keys_only() {
        assert!(parse_key(&STANDARD.encode([1u8; 32])).is_ok());
        assert_eq!(parse_key(&STANDARD.encode([1u8; 16])), Err(CryptoError::Malformed));
        assert_eq!(parse_key("not base64!"), Err(CryptoError::Malformed));
    }

    #[test]
    fn hkdf_matches_rfc5869_case_3() {
        // IKM 22 × 0x0b, no salt, no info: the first 32 bytes of OKM.
        assert_eq!(
            crate::policy::keys::hex(&derive_key(&[0x0b; 22], "")),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
        );
    }

    #[test]
    fn derived_keys_differ_by_purpose_and_from_the_master() {
        let master = [42u8; 32];
        let cursor = derive_key(&master, "odoo-mcp-edge/cursor/v1");
        assert_ne!(cursor, master);
        assert_ne!(cursor, derive_key(&master, "odoo-mcp-edge/cursor/v2"));
        assert_ne!(cursor, derive_key(&[43u8; 32], "odoo-mcp-edge/cursor/v1"));
        assert_eq!(cursor, derive_key(&master, "odoo-mcp-edge/cursor/v1"));
    }

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(crate::policy::keys::hex(&mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
