//! Origin validation (the DNS-rebinding defence). Requests without `Origin` come from non-browser
//! clients and are left to authentication; a present Origin must be explicitly allowed.

use crate::config::Settings;

/// Whether a request carrying this `Origin` may proceed.
pub fn origin_allowed(origin: &str, settings: &Settings) -> bool {
    let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    if settings.allowed_origins.contains(&origin) {
        return true;
    }
    settings.dev_allow_loopback && is_loopback_origin(&origin)
}

/// `http(s)://localhost[:port]`, `http(s)://127.x.x.x[:port]`, `http(s)://[::1][:port]`.
pub fn is_loopback_origin(origin: &str) -> bool {
    let Some(rest) = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) else {
        return false;
    };
    let host = host_of(rest);
    // An Origin is `scheme://host[:port]` and nothing more: `http://127.0.0.1:1@evil.example` or
    // `http://localhost:3000/x` is no loopback origin.
    let port = rest.get(host.len()..).unwrap_or("");
    let port_ok = port.is_empty()
        || port.strip_prefix(':').is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    port_ok && is_loopback_host(host)
}

/// The host part of `host[:port]`, with IPv6 brackets kept.
pub fn host_of(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority.split_once(']').map(|(h, _)| &authority[..h.len() + 1]).unwrap_or(authority);
    }
    authority.split(':').next().unwrap_or(authority)
}

pub fn is_loopback_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    if host == "localhost" || host == "[::1]" || host == "::1" {
        return true;
    }
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4 && parts[0] == "127" && parts.iter().all(|p| p.parse::<u8>().is_ok())
}

/// An Origin an administrator lists (the console's settings), as a browser sends it: `https://host[:port]`
/// (`http://` only for a loopback host), lower-case, without a default port. The error says why not.
pub fn parse_origin(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim();
    // What people paste from an address bar ends with a slash; an Origin never does.
    let s = s.strip_suffix('/').unwrap_or(s);
    if !s.is_ascii() {
        return Err("must be ASCII (an international domain name in its xn-- form)");
    }
    let lower = s.to_ascii_lowercase();
    let (scheme, rest) = lower
        .split_once("://")
        .filter(|(scheme, _)| matches!(*scheme, "https" | "http"))
        .ok_or("must start with https://")?;
    if rest.is_empty()
        || rest.contains(['/', '?', '#', '@', '\\', '*', ' '])
        || rest.chars().any(|c| c.is_ascii_control())
    {
        return Err("must be scheme://host[:port] only: no path, query, credentials or wildcard");
    }
    let host = host_of(rest);
    let port = match rest.get(host.len()..).unwrap_or("") {
        "" => None,
        p => Some(
            p.strip_prefix(':')
                .filter(|d| !d.is_empty() && d.len() <= 5 && d.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|d| d.parse::<u16>().ok())
                .filter(|n| *n > 0)
                .ok_or("has an invalid port")?,
        ),
    };
    if !is_host_name(host) {
        return Err("has an invalid host");
    }
    if scheme == "http" && !is_loopback_host(host) {
        return Err("must use https:// (http:// only for a loopback host such as localhost)");
    }
    Ok(match port {
        Some(443) if scheme == "https" => format!("{scheme}://{host}"),
        Some(80) if scheme == "http" => format!("{scheme}://{host}"),
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    })
}

/// A DNS name (labels of letters, digits and inner hyphens), an IPv4 address, or a bracketed IPv6 one.
fn is_host_name(host: &str) -> bool {
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<std::net::Ipv6Addr>().is_ok();
    }
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(dev: bool, allowed: &[&str]) -> Settings {
        Settings {
            dev_allow_loopback: dev,
            allowed_origins: allowed.iter().map(|s| s.to_string()).collect(),
            ..Settings::default()
        }
    }

    #[test]
    fn foreign_origins_are_refused_and_listed_ones_allowed() {
        let s = settings(false, &["https://app.example.com"]);
        assert!(!origin_allowed("http://evil.example.com", &s));
        assert!(origin_allowed("https://app.example.com", &s));
        assert!(origin_allowed("https://APP.example.com/", &s));
        assert!(!origin_allowed("https://app.example.com.evil.net", &s));
    }

    #[test]
    fn loopback_origins_only_in_dev() {
        assert!(!origin_allowed("http://127.0.0.1:8788", &settings(false, &[])));
        let dev = settings(true, &[]);
        assert!(origin_allowed("http://127.0.0.1:8788", &dev));
        assert!(origin_allowed("http://localhost:3000", &dev));
        assert!(origin_allowed("http://[::1]:3000", &dev));
        assert!(!origin_allowed("http://127.0.0.1.evil.com", &dev));
        assert!(!origin_allowed("http://localhost.evil.com:80", &dev));
        assert!(!origin_allowed("null", &dev));
        assert!(origin_allowed("http://localhost", &dev));
        for trick in [
            "http://127.0.0.1:8788@evil.example.com",
            "http://localhost:3000/evil",
            "http://127.0.0.1:",
            "http://[::1]x",
            "http://localhost:80:81",
        ] {
            assert!(!origin_allowed(trick, &dev), "{trick}");
        }
    }

    #[test]
    fn listed_origins_are_parsed_as_a_browser_sends_them() {
        for (raw, want) in [
            ("https://claude.ai", "https://claude.ai"),
            (" https://Claude.AI/ ", "https://claude.ai"),
            ("https://app.example.com:8443", "https://app.example.com:8443"),
            ("https://app.example.com:443", "https://app.example.com"),
            ("http://localhost:3000", "http://localhost:3000"),
            ("http://127.0.0.1:80", "http://127.0.0.1"),
            ("https://[::1]:8787", "https://[::1]:8787"),
            ("https://xn--bcher-kva.example", "https://xn--bcher-kva.example"),
        ] {
            assert_eq!(parse_origin(raw).as_deref(), Ok(want), "{raw}");
        }
        for bad in [
            "http://app.example.com",
            "ftp://a.example",
            "a.example",
            "https://",
            "https://a.example/path",
            "https://a.example?x",
            "https://user@a.example",
            "https://*.example.com",
            "https://a.example:0",
            "https://a.example:99999",
            "https://a.example:",
            "https://a.example:80:81",
            "https://-a.example",
            "https://a..example",
            "https://a_b.example",
            "https://[::g]",
            "https://bücher.example",
            "https://a.example\\x",
            "https://a.example\tx",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }
}
