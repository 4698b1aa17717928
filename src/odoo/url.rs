//! Which Odoo base URLs a connection may store: what `net::guard` lets the Worker fetch, as a plain base
//! (no query or fragment), normalised as the WHATWG parser serialises it (lower-case scheme and host,
//! punycode, no default port) and without a trailing slash.

use crate::net::guard;

#[derive(Debug, PartialEq)]
pub struct UrlError(pub String);

/// Validates and normalises an Odoo base URL.
pub fn normalize(raw: &str, allow_loopback: bool) -> Result<String, UrlError> {
    let raw = raw.trim();
    if !raw.contains("://") {
        return Err(UrlError("the URL must start with https://".into()));
    }
    if raw.chars().any(|c| c.is_control() || c == ' ' || c == '\\') {
        return Err(UrlError("the URL must be a plain base URL, without spaces or control characters".into()));
    }
    let url = guard::check(raw, allow_loopback).map_err(|r| UrlError(r.message()))?;
    if url.query().is_some() || url.fragment().is_some() || raw.contains(['?', '#']) {
        return Err(UrlError("the URL must be a plain base URL, without credentials, query or fragment".into()));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// The origin (`scheme://host[:port]`) of a URL `normalize` returned: where credentials sent to it go.
pub fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_is_scheme_host_and_port() {
        assert_eq!(origin_of("https://erp.example.com:8443/odoo"), "https://erp.example.com:8443");
        assert_eq!(origin_of("https://acme.odoo.com"), "https://acme.odoo.com");
        assert_eq!(origin_of("http://127.0.0.1:8069/x/y"), "http://127.0.0.1:8069");
    }

    #[test]
    fn https_public_urls_are_normalised() {
        assert_eq!(normalize("https://Acme.odoo.com/", false).unwrap(), "https://acme.odoo.com");
        assert_eq!(
            normalize("https://erp.example.com:8443/odoo/", false).unwrap(),
            "https://erp.example.com:8443/odoo"
        );
    }

    #[test]
    fn plain_http_and_internal_targets_are_refused() {
        for bad in [
            "http://acme.odoo.com",
            "ftp://acme.odoo.com",
            "acme.odoo.com",
            "https://10.0.0.5",
            "https://192.168.1.1",
            "https://172.16.0.1",
            "https://169.254.169.254",
            "https://127.0.0.1",
            "https://localhost",
            "https://[::1]",
            "https://[fd00::1]",
            "https://2130706433",
            "https://0x7f.1",
            "https://intranet",
            "https://odoo.internal",
            "https://user:pw@acme.odoo.com",
            "https://acme.odoo.com?x=1",
            "https://acme.odoo.com:0",
            "https://acme.odoo.com:99999",
        ] {
            assert!(normalize(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn loopback_only_when_allowed() {
        assert!(normalize("http://127.0.0.1:8069", false).is_err());
        assert_eq!(normalize("http://127.0.0.1:8069/", true).unwrap(), "http://127.0.0.1:8069");
        assert_eq!(normalize("http://localhost:8069", true).unwrap(), "http://localhost:8069");
        assert!(normalize("http://10.0.0.1:8069", true).is_err(), "dev mode allows loopback only");
    }
}
