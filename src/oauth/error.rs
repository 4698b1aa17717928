//! The errors of the authorization server, as RFC 6749 §5.2 and RFC 7591 §3.2.2 name them: a code from
//! the spec's closed list, a description for people, and the HTTP status of the endpoint's answer.

use crate::json;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct OAuthError {
    /// One of the spec's codes (`invalid_request`, `invalid_grant`, `invalid_redirect_uri`, …).
    pub code: &'static str,
    /// Said to the client developer; never holds a secret the client sent.
    pub description: String,
    pub status: u16,
}

impl OAuthError {
    pub fn new(code: &'static str, description: impl Into<String>) -> OAuthError {
        // RFC 6749 §5.2: 400 for all but a failed client authentication, which is 401.
        let status = if code == "invalid_client" { 401 } else { 400 };
        OAuthError { code, description: description.into(), status }
    }

    pub fn invalid_request(description: impl Into<String>) -> OAuthError {
        OAuthError::new("invalid_request", description)
    }

    /// D1 did not answer: the client may try again (RFC 6749 has no code for it; this is OIDC's, which
    /// clients know).
    pub fn temporarily_unavailable() -> OAuthError {
        OAuthError {
            code: "temporarily_unavailable",
            description: "the server's database did not answer; try again".into(),
            status: 503,
        }
    }

    pub fn no_randomness() -> OAuthError {
        OAuthError { code: "server_error", description: "no randomness available".into(), status: 500 }
    }

    /// The address used up its minute's allowance (`AUTH_FAILURES_PER_MINUTE`).
    pub fn slow_down(description: &str) -> OAuthError {
        OAuthError { code: "slow_down", description: description.into(), status: 429 }
    }

    /// The JSON body of a token, registration or revocation answer.
    pub fn body(&self) -> Value {
        json!({"error": self.code, "error_description": self.description})
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.description)
    }
}
