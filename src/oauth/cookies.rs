//! The sign-in's two cookies: the browser's nonce, which binds a sign-in page's ticket to the browser
//! it was shown in (CSRF), and the person remembered from an earlier sign-in. `__Host-`, Secure,
//! HttpOnly, SameSite=Lax; only plain HTTP to loopback (dev) drops `Secure` and so the prefix.

use crate::http::HttpRequest;

pub const NONCE: &str = "omcp_oauth_nonce";
pub const PERSON: &str = "omcp_oauth_person";

/// Cookies drop `Secure` (and so the `__Host-` prefix) only on plain HTTP to loopback (dev).
fn full_name(req: &HttpRequest, name: &str) -> String {
    if req.is_plain_loopback() {
        name.to_string()
    } else {
        format!("__Host-{name}")
    }
}

pub fn set(req: &HttpRequest, name: &str, value: &str, max_age_ms: i64) -> String {
    let secure = if req.is_plain_loopback() { "" } else { "; Secure" };
    format!("{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}", full_name(req, name), max_age_ms / 1000)
}

pub fn get<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.cookie(&full_name(req, name))
}
