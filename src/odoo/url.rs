//! Which Odoo URLs a connection may use: `https://` to a public host name or public IP. In dev (the
//! `DEV_ALLOW_LOOPBACK` setting) also `http://` or `https://` to a loopback host. Never private,
//! link-local or other internal addresses: the Worker must not be turned into a probe of a network.

use crate::http::origin::{host_of, is_loopback_host};

#[derive(Debug, PartialEq)]
pub struct UrlError(pub String);

/// Validates and normalises an Odoo base URL (lower-case scheme and host, no trailing slash).
pub fn normalize(raw: &str, allow_loopback: bool) -> Result<String, UrlError> {
    let raw = raw.trim();
    let (scheme, rest) = raw
        .split_once("://")
        .ok_or_else(|| UrlError("the URL must start with https://".into()))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(UrlError("the URL must start with https://".into()));
    }
    if rest.contains(['?', '#', '@', '\\', ' ']) || rest.chars().any(|c| c.is_control()) {
        return Err(UrlError(
            "the URL must be a plain base URL, without credentials, query or fragment".into(),
        ));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
        None => (rest, ""),
    };
    let authority = authority.to_ascii_lowercase();
    let host = host_of(&authority);
    if host.is_empty() {
        return Err(UrlError("the URL has no host".into()));
    }
    if let Some(port) = authority
        .strip_prefix(host)
        .and_then(|p| p.strip_prefix(':'))
    {
        if port.parse::<u16>().map_or(true, |p| p == 0) {
            return Err(UrlError("the URL has an invalid port".into()));
        }
    } else if authority != host {
        return Err(UrlError("the URL has an invalid host".into()));
    }
    let loopback = is_loopback_host(host);
    if loopback {
        if !allow_loopback {
            return Err(UrlError(
                "loopback addresses are not allowed for Odoo connections".into(),
            ));
        }
    } else {
        if scheme != "https" {
            return Err(UrlError(
                "the URL must use https:// (Odoo credentials travel in every request)".into(),
            ));
        }
        if is_internal_host(host) {
            return Err(UrlError(
                "private, link-local and internal addresses are not allowed for Odoo connections"
                    .into(),
            ));
        }
        if !host.contains('.') && !host.starts_with('[') {
            return Err(UrlError("the host must be a public domain name".into()));
        }
    }
    Ok(format!("{scheme}://{authority}{path}"))
}

/// The origin (`scheme://host[:port]`) of a URL `normalize` returned: where credentials sent to it go.
pub fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

/// IP literals in non-public ranges, and names that only resolve internally.
fn is_internal_host(host: &str) -> bool {
    if host.ends_with(".local")
        || host.ends_with(".internal")
        || host.ends_with(".localhost")
        || host == "0.0.0.0"
    {
        return true;
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return match v6.parse::<std::net::Ipv6Addr>() {
            Ok(ip) => {
                let seg = ip.segments();
                ip.is_loopback()
                    || ip.is_unspecified()
                    || (seg[0] & 0xfe00) == 0xfc00 // unique local
                    || (seg[0] & 0xffc0) == 0xfe80 // link-local
                    || ip.to_ipv4_mapped().is_some_and(|v4| is_internal_v4(&v4))
            }
            Err(_) => true,
        };
    }
    // A real domain's last label is never numeric; one that is (or is hex) is an IP literal, and only a
    // plain dotted quad is accepted as one ("2130706433" and "0x7f.1" also reach 127.0.0.1).
    let last = host.rsplit('.').next().unwrap_or(host);
    if last.chars().all(|c| c.is_ascii_digit()) || last.starts_with("0x") {
        return match host.parse::<std::net::Ipv4Addr>() {
            Ok(ip) => is_internal_v4(&ip),
            Err(_) => true,
        };
    }
    false
}

fn is_internal_v4(ip: &std::net::Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || o[0] == 0
        || (o[0] == 100 && (64..128).contains(&o[1])) // carrier-grade NAT
        || (o[0] == 198 && (o[1] == 18 || o[1] == 19)) // benchmarking
        || o[0] >= 224 // multicast and reserved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_public_urls_are_normalised() {
        assert_eq!(
            normalize("https://Acme.odoo.com/", false).unwrap(),
            "https://acme.odoo.com"
        );
        assert_eq!(
            normalize("https://erp.example.com:8443/odoo/", false).unwrap(),
            "https://erp.example.com:8443/odoo"
        );
    }

    #[test]
    fn the_origin_is_scheme_host_and_port() {
        assert_eq!(
            origin_of("https://erp.example.com:8443/odoo"),
            "https://erp.example.com:8443"
        );
        assert_eq!(origin_of("https://acme.odoo.com"), "https://acme.odoo.com");
        assert_eq!(
            origin_of("http://127.0.0.1:8069/x/y"),
            "http://127.0.0.1:8069"
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
        assert_eq!(
            normalize("http://127.0.0.1:8069/", true).unwrap(),
            "http://127.0.0.1:8069"
        );
        assert_eq!(
            normalize("http://localhost:8069", true).unwrap(),
            "http://localhost:8069"
        );
        assert!(
            normalize("http://10.0.0.1:8069", true).is_err(),
            "dev mode allows loopback only"
        );
    }
}
