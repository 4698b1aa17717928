//! The secrets the authorization server hands out: authorization codes, access tokens, refresh tokens
//! and client secrets. Each is 256 random bits behind a prefix that says what it is (so that a key and
//! a token are told apart before any lookup, and secret scanners recognise them), stored only as its
//! SHA-256 hash, and short-lived or rotated.

use super::keys;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// An authorization code is redeemed within this (RFC 6749 §4.1.2 recommends at most ten minutes; the
/// client redeems it at once).
pub const CODE_TTL_MS: i64 = 60_000;
/// An access token lives an hour; its refresh token gets the next one.
pub const ACCESS_TTL_MS: i64 = 60 * 60_000;
/// A refresh token not used for this long expires, and with it the grant's sign-in.
pub const REFRESH_IDLE_TTL_MS: i64 = 30 * 24 * 60 * 60_000;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Code,
    Access,
    Refresh,
    ClientSecret,
}

impl Kind {
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Code => "omac_",
            Kind::Access => "omat_",
            Kind::Refresh => "omrt_",
            Kind::ClientSecret => "omcs_",
        }
    }
}

/// A secret to hand out once, and the hash it is stored and looked up by.
pub struct Issued {
    pub secret: String,
    pub hash: String,
}

pub fn issue(kind: Kind) -> Result<Issued, String> {
    let mut raw = [0u8; 32];
    crate::platform::random_bytes(&mut raw)?;
    let secret = format!("{}{}", kind.prefix(), URL_SAFE_NO_PAD.encode(raw));
    Ok(Issued { hash: keys::hash(&secret), secret })
}

/// Whether `presented` has the form of a secret of `kind` (prefix, then 43 base64url characters):
/// anything else is refused without a lookup.
pub fn has_form(kind: Kind, presented: &str) -> bool {
    presented.strip_prefix(kind.prefix()).is_some_and(|rest| {
        rest.len() == 43 && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// The display prefix of a grant's `keys` row: what the audit and the log show for a token's requests
/// (never a part of the token).
pub const GRANT_PREFIX: &str = "oauth";

/// Whether `presented` could be a key or an access token this server issued: what is refused before a
/// body is read without a lookup.
pub fn may_be_presented(presented: &str) -> bool {
    keys::may_be_a_key(presented) || has_form(Kind::Access, presented)
}

/// A client id this server issued at registration (not secret: it is in every authorization URL).
pub fn client_id() -> Result<String, String> {
    Ok(format!("omcl_{}", keys::random_id(16)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_recognised_by_its_form() {
        for kind in [Kind::Code, Kind::Access, Kind::Refresh, Kind::ClientSecret] {
            let issued = issue(kind).unwrap();
            assert!(has_form(kind, &issued.secret));
            assert_eq!(issued.hash, keys::hash(&issued.secret));
            assert!(!keys::may_be_a_key(&issued.secret), "a token is never taken for a key");
            for other in
                [Kind::Code, Kind::Access, Kind::Refresh, Kind::ClientSecret].into_iter().filter(|k| *k != kind)
            {
                assert!(!has_form(other, &issued.secret));
            }
        }
        assert!(!has_form(Kind::Access, "omat_short"));
        assert!(!has_form(Kind::Access, &format!("omat_{}", "a".repeat(42) + "!")));
        assert_ne!(issue(Kind::Access).unwrap().secret, issue(Kind::Access).unwrap().secret);
        assert!(client_id().unwrap().starts_with("omcl_"));
    }
}
