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
}
