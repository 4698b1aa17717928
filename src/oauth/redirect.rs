//! Redirect URIs: which a client may register (OAuth 2.1 §2.3.1; RFC 8252 for apps on the person's
//! machine) and whether the one an authorization request names is one of them. Matching is exact, the
//! one exception being RFC 8252 §7.3: a loopback redirect may name any port, since a native app opens
//! whichever is free when it starts. Nothing else is ever redirected to: an authorization request
//! whose redirect does not match gets an error page, never a redirect.

use url::{Host, Url};

/// Schemes no redirect may use: they run code or read local data in the browser.
const FORBIDDEN_SCHEMES: &[&str] = &["javascript", "data", "file", "vbscript", "about", "blob", "filesystem"];

#[derive(Debug, PartialEq)]
pub enum RedirectError {
    Unparsable,
    /// A host in non-ASCII letters: the build has no Unicode IDNA tables (Cargo.toml, `idna_adapter`).
    NonAsciiHost,
    Fragment,
    Userinfo,
    /// `http` to anything but this machine.
    PlainHttp,
    ForbiddenScheme(String),
}

impl std::fmt::Display for RedirectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RedirectError::Unparsable => write!(f, "is not an absolute URI"),
            RedirectError::NonAsciiHost => {
                write!(f, "must name its host in ASCII (an international domain name in its xn-- form)")
            }
            RedirectError::Fragment => write!(f, "must not have a fragment"),
            RedirectError::Userinfo => write!(f, "must not carry a user name or password"),
            RedirectError::PlainHttp => {
                write!(f, "must use https, or http to a loopback address (127.0.0.1, [::1], localhost)")
            }
            RedirectError::ForbiddenScheme(s) => write!(f, "uses the scheme '{s}', which no redirect may use"),
        }
    }
}

/// Whether `uri` may be registered as a redirect: https anywhere; http only to loopback; a private-use
/// scheme (`cursor://…`, `com.example.app:/cb`) for native apps; never a fragment or a user name.
pub fn check_registrable(uri: &str) -> Result<(), RedirectError> {
    let url = Url::parse(uri).map_err(|e| match e {
        url::ParseError::IdnaError => RedirectError::NonAsciiHost,
        _ => RedirectError::Unparsable,
    })?;
    if url.fragment().is_some() || uri.contains('#') {
        return Err(RedirectError::Fragment);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(RedirectError::Userinfo);
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "https" => Err(RedirectError::Unparsable),
        "http" if is_loopback(&url) => Ok(()),
        "http" => Err(RedirectError::PlainHttp),
        scheme if FORBIDDEN_SCHEMES.contains(&scheme) || scheme == "ws" || scheme == "wss" => {
            Err(RedirectError::ForbiddenScheme(scheme.to_string()))
        }
        _ => Ok(()),
    }
}

/// Whether the redirect an authorization request names is the registered one: the same string, or,
/// for a loopback http redirect, the same but for the port.
pub fn matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    let (Ok(reg), Ok(req)) = (Url::parse(registered), Url::parse(requested)) else { return false };
    reg.scheme() == "http"
        && req.scheme() == "http"
        && is_loopback(&reg)
        && reg.host() == req.host()
        && reg.path() == req.path()
        && reg.query() == req.query()
        && reg.fragment().is_none()
        && req.fragment().is_none()
        && req.username().is_empty()
        && req.password().is_none()
}

/// The registered redirect that `requested` matches, if any.
pub fn find<'a>(registered: &'a [String], requested: &str) -> Option<&'a str> {
    registered.iter().map(String::as_str).find(|r| matches(r, requested))
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The host a person is sent back to, named on the sign-in page ("claude.ai", "127.0.0.1", or the
/// app's scheme), so that they see where their grant goes.
pub fn shown_destination(uri: &str) -> String {
    match Url::parse(uri) {
        Ok(url) => match url.host_str() {
            Some(host) if url.scheme() == "https" || url.scheme() == "http" => host.to_string(),
            _ => format!("the app that opens {}: links", url.scheme()),
        },
        Err(_) => "an unknown place".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_ascii_host_is_refused_with_a_message_that_asks_for_its_xn_form() {
        let e = check_registrable("https://münchen.example.com/cb").unwrap_err();
        assert_eq!(e, RedirectError::NonAsciiHost);
        assert!(e.to_string().contains("xn--"), "{e}");
        assert_eq!(check_registrable("https://xn--mnchen-3ya.example.com/cb"), Ok(()));
    }

    #[test]
    fn what_may_be_registered() {
        for ok in [
            "https://claude.ai/api/mcp/auth_callback",
            "https://chatgpt.com/connector_platform_oauth_redirect",
            "http://127.0.0.1:33418/callback",
            "http://[::1]/cb",
            "http://localhost:6274/oauth/callback",
            "cursor://anysphere.cursor-retrieval/oauth/user-callback",
            "com.example.app:/oauth2redirect",
        ] {
            assert_eq!(check_registrable(ok), Ok(()), "{ok}");
        }
        assert_eq!(check_registrable("http://example.com/cb"), Err(RedirectError::PlainHttp));
        assert_eq!(check_registrable("http://127.0.0.1.example.com/cb"), Err(RedirectError::PlainHttp));
        assert_eq!(check_registrable("https://example.com/cb#x"), Err(RedirectError::Fragment));
        assert_eq!(check_registrable("https://user:pw@example.com/cb"), Err(RedirectError::Userinfo));
        assert_eq!(check_registrable("javascript:alert(1)"), Err(RedirectError::ForbiddenScheme("javascript".into())));
        assert_eq!(check_registrable("data:text/html,hi"), Err(RedirectError::ForbiddenScheme("data".into())));
        assert_eq!(check_registrable("/relative"), Err(RedirectError::Unparsable));
    }

    #[test]
    fn matching_is_exact_but_for_a_loopback_port() {
        let registered =
            vec!["https://claude.ai/api/mcp/auth_callback".to_string(), "http://127.0.0.1/callback".to_string()];
        assert!(find(&registered, "https://claude.ai/api/mcp/auth_callback").is_some());
        assert!(find(&registered, "http://127.0.0.1:49152/callback").is_some());
        for refused in [
            "https://claude.ai/api/mcp/auth_callback/",
            "https://claude.ai/api/mcp/auth_callback?x=1",
            "https://CLAUDE.ai/api/mcp/auth_callback",
            "https://evil.example/api/mcp/auth_callback",
            "http://127.0.0.1:49152/callback/../evil",
            "http://127.0.0.1:49152/other",
            "http://localhost:49152/callback",
            "http://127.0.0.1:49152/callback#frag",
        ] {
            assert!(find(&registered, refused).is_none(), "{refused}");
        }
    }

    #[test]
    fn the_destination_shown_is_the_host() {
        assert_eq!(shown_destination("https://claude.ai/api/mcp/auth_callback"), "claude.ai");
        assert_eq!(shown_destination("http://127.0.0.1:5000/cb"), "127.0.0.1");
        assert_eq!(shown_destination("cursor://anysphere/cb"), "the app that opens cursor: links");
    }
}
