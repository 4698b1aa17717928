//! PKCE (RFC 7636) with S256 only: OAuth 2.1 requires PKCE for every authorization code, and `plain`
//! would let whoever sees the authorization request redeem the code.

use super::error::OAuthError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// A SHA-256 digest in unpadded base64url is always this long.
const CHALLENGE_LEN: usize = 43;

/// Checks an authorization request's `code_challenge` and `code_challenge_method` and returns the
/// challenge to keep with the code. The method must be named: its default is `plain`.
pub fn check_challenge(challenge: Option<&str>, method: Option<&str>) -> Result<String, OAuthError> {
    let challenge = challenge.filter(|c| !c.is_empty()).ok_or_else(|| {
        OAuthError::invalid_request("code_challenge is required (PKCE with code_challenge_method=S256)")
    })?;
    match method {
        Some("S256") => {}
        Some(other) => {
            let shown = crate::text::truncate(other, 20);
            return Err(OAuthError::invalid_request(format!(
                "code_challenge_method '{shown}' is not supported: use S256"
            )));
        }
        None => return Err(OAuthError::invalid_request("code_challenge_method is required: use S256")),
    }
    let well_formed = challenge.len() == CHALLENGE_LEN && challenge.bytes().all(is_base64url);
    if !well_formed {
        return Err(OAuthError::invalid_request("code_challenge is not a base64url SHA-256 digest (43 characters)"));
    }
    Ok(challenge.to_string())
}

/// Whether `verifier` is the secret behind `challenge`. A malformed verifier never matches.
pub fn verify(verifier: &str, challenge: &str) -> Result<(), OAuthError> {
    let well_formed = (43..=128).contains(&verifier.len()) && verifier.bytes().all(is_unreserved);
    if !well_formed {
        return Err(OAuthError::new("invalid_grant", "code_verifier must be 43 to 128 unreserved characters"));
    }
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if crate::policy::keys::constant_time_eq(&computed, challenge) {
        Ok(())
    } else {
        Err(OAuthError::new("invalid_grant", "code_verifier does not match the code_challenge"))
    }
}

fn is_base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// RFC 3986's unreserved characters, which RFC 7636 §4.1 allows in a verifier.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7636 Appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn the_rfc_example_verifies() {
        assert_eq!(check_challenge(Some(CHALLENGE), Some("S256")), Ok(CHALLENGE.to_string()));
        assert_eq!(verify(VERIFIER, CHALLENGE), Ok(()));
    }

    #[test]
    fn a_wrong_verifier_is_an_invalid_grant() {
        let wrong = VERIFIER.replace('d', "e");
        assert_eq!(verify(&wrong, CHALLENGE).map_err(|e| e.code), Err("invalid_grant"));
        assert_eq!(verify("short", CHALLENGE).map_err(|e| e.code), Err("invalid_grant"));
        assert_eq!(verify(&format!("{VERIFIER} "), CHALLENGE).map_err(|e| e.code), Err("invalid_grant"));
    }

    #[test]
    fn plain_a_missing_method_and_odd_challenges_are_refused() {
        for (challenge, method) in [
            (Some(CHALLENGE), Some("plain")),
            (Some(CHALLENGE), None),
            (None, Some("S256")),
            (Some(""), Some("S256")),
            (Some("abc"), Some("S256")),
            (Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"), Some("S256")),
        ] {
            let refused = check_challenge(challenge, method).unwrap_err();
            assert_eq!(refused.code, "invalid_request", "{challenge:?} {method:?}");
        }
    }
}
