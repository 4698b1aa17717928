//! Opaque pagination cursors: an offset bound, by an HMAC under a deployment secret, to exactly the
//! query it pages (key, model, domain, order, fields). A cursor cannot be forged, altered, or replayed
//! against another query.
//!
//! The secret is [`key`]: derived from `CREDENTIALS_KEY` for this purpose only, never that key itself
//! (which encrypts Odoo API keys). Cursors signed before the derivation are refused as invalid like any
//! altered one; clients start the listing again.

use crate::config::Settings;
use crate::crypto::{derive_key, hmac_sha256};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

const MAC_LEN: usize = 16;
/// The HKDF label of the cursor key; a new version invalidates every cursor issued under the old one.
pub const KEY_LABEL: &str = "odoo-mcp-edge/cursor/v1";

/// The key cursors are signed with. Without a `CREDENTIALS_KEY` (a deployment that cannot call Odoo
/// either) it is derived from zeros, so only the list methods' pagination, which exposes nothing, works.
pub fn key(settings: &Settings) -> [u8; 32] {
    derive_key(&settings.credentials_key.unwrap_or_default(), KEY_LABEL)
}

pub fn encode(secret: &[u8], binding: &str, offset: u64) -> String {
    let payload = offset.to_string();
    let mac = &hmac_sha256(secret, format!("{binding}\n{payload}").as_bytes())[..MAC_LEN];
    format!("{payload}.{}", URL_SAFE_NO_PAD.encode(mac))
}

/// The offset, if the cursor was issued for this very binding.
pub fn decode(secret: &[u8], binding: &str, cursor: &str) -> Option<u64> {
    let (payload, mac_b64) = cursor.split_once('.')?;
    let offset: u64 = payload.parse().ok()?;
    if offset.to_string() != payload {
        return None;
    }
    let given = URL_SAFE_NO_PAD.decode(mac_b64).ok()?;
    let want = &hmac_sha256(secret, format!("{binding}\n{payload}").as_bytes())[..MAC_LEN];
    (given.len() == MAC_LEN && given.iter().zip(want).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0).then_some(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_only_for_their_query() {
        let c = encode(b"secret", "q1", 40);
        assert_eq!(decode(b"secret", "q1", &c), Some(40));
        assert_eq!(decode(b"secret", "q2", &c), None, "bound to the query");
        assert_eq!(decode(b"other", "q1", &c), None, "bound to the deployment");
        let forged = c.replacen("40", "80", 1);
        assert_eq!(decode(b"secret", "q1", &forged), None);
        for junk in ["", ".", "40", "x.y", "040.AAAA", "-1.AAAA"] {
            assert_eq!(decode(b"secret", "q1", junk), None, "{junk}");
        }
    }
}
