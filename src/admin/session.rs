//! The console's login: after a constant-time check of the `ADMIN_TOKEN`, a signed, expiring cookie
//! (HttpOnly, SameSite=Strict, Secure except on loopback, `Path=/admin`), and the CSRF token bound to
//! it that every change must carry. Cookies are stateless: rotating `ADMIN_TOKEN` ends every session.

use crate::crypto::hmac_sha256;
use crate::http::HttpRequest;
use crate::policy::keys::{constant_time_eq, random_id};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

pub const COOKIE: &str = "omcp_admin";
pub const CSRF_HEADER: &str = "x-csrf-token";
const TTL_MS: i64 = 8 * 60 * 60 * 1000;

/// A verified console session.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsoleSession {
    nonce: String,
    pub expires_at: i64,
}

fn signing_key(admin_token: &str) -> [u8; 32] {
    // Derived, so the token itself never signs anything a browser holds.
    Sha256::digest(format!("odoo-mcp console session|{admin_token}")).into()
}

fn sign(admin_token: &str, message: &str) -> String {
    URL_SAFE_NO_PAD.encode(hmac_sha256(&signing_key(admin_token), message.as_bytes()))
}

/// Whether the cookie may drop `Secure`: only for a console served over plain HTTP on loopback (dev).
pub fn insecure_allowed(req: &HttpRequest) -> bool {
    req.is_plain_loopback()
}

/// A new session and its `Set-Cookie` value.
pub fn issue(admin_token: &str, now: i64, req: &HttpRequest) -> Result<(ConsoleSession, String), String> {
    let nonce = random_id(18)?;
    let expires_at = now + TTL_MS;
    let payload = format!("{expires_at}.{nonce}");
    let value = format!("{payload}.{}", sign(admin_token, &payload));
    let secure = if insecure_allowed(req) { "" } else { "; Secure" };
    let cookie = format!("{COOKIE}={value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={}{secure}", TTL_MS / 1000);
    Ok((ConsoleSession { nonce, expires_at }, cookie))
}

/// The `Set-Cookie` value that ends the session in the browser.
pub fn clear(req: &HttpRequest) -> String {
    let secure = if insecure_allowed(req) { "" } else { "; Secure" };
    format!("{COOKIE}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}

/// The request's session, if its cookie is well-signed and not expired.
pub fn verify(admin_token: &str, req: &HttpRequest, now: i64) -> Option<ConsoleSession> {
    let value = req.cookie(COOKIE)?;
    let (payload, sig) = value.rsplit_once('.')?;
    if !constant_time_eq(sig, &sign(admin_token, payload)) {
        return None;
    }
    let (exp, nonce) = payload.split_once('.')?;
    let expires_at: i64 = exp.parse().ok()?;
    (expires_at > now).then(|| ConsoleSession { nonce: nonce.to_string(), expires_at })
}

/// The CSRF token of a session (sent in the page, returned in `X-CSRF-Token`).
pub fn csrf_token(admin_token: &str, s: &ConsoleSession) -> String {
    sign(admin_token, &format!("csrf|{}", s.nonce))
}

pub fn csrf_ok(admin_token: &str, s: &ConsoleSession, req: &HttpRequest) -> bool {
    req.header(CSRF_HEADER).is_some_and(|t| constant_time_eq(t.trim(), &csrf_token(admin_token, s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req_with(cookie: &str, origin: &str) -> HttpRequest {
        HttpRequest { headers: vec![("cookie".into(), cookie.into())], origin: origin.into(), ..Default::default() }
    }

    #[test]
    fn cookies_are_signed_expiring_and_bound_to_the_token() {
        let plain = req_with("", "https://mcp.example.com");
        let (s, set) = issue("tok", 1_000, &plain).unwrap();
        assert!(
            set.contains("HttpOnly")
                && set.contains("SameSite=Strict")
                && set.contains("Secure")
                && set.contains("Path=/admin")
        );
        let value = set.split(';').next().unwrap().trim_start_matches("omcp_admin=");
        let r = req_with(&format!("other=1; omcp_admin={value}"), "https://mcp.example.com");
        assert_eq!(verify("tok", &r, 2_000), Some(s.clone()));
        assert_eq!(verify("tok", &r, s.expires_at), None, "expired");
        assert_eq!(verify("other-token", &r, 2_000), None, "a new ADMIN_TOKEN ends every session");
        let forged = value.replacen(|c: char| c.is_ascii_digit(), "9", 1);
        assert_eq!(verify("tok", &req_with(&format!("omcp_admin={forged}"), ""), 2_000), None);
        let mut with_csrf = r.clone();
        with_csrf.headers.push((CSRF_HEADER.into(), csrf_token("tok", &s)));
        assert!(csrf_ok("tok", &s, &with_csrf) && !csrf_ok("tok", &s, &r));
    }

    #[test]
    fn secure_is_dropped_only_on_loopback_http() {
        assert!(insecure_allowed(&req_with("", "http://127.0.0.1:8787")));
        assert!(insecure_allowed(&req_with("", "http://localhost:8787")));
        assert!(!insecure_allowed(&req_with("", "http://mcp.example.com")));
        assert!(!insecure_allowed(&req_with("", "https://localhost")));
        let (_, set) = issue("t", 0, &req_with("", "http://127.0.0.1:8787")).unwrap();
        assert!(!set.contains("Secure"));
    }
}
