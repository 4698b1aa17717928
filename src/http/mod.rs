//! HTTP in the core: plain request/response types (no `worker` types), Origin checks, the log line,
//! the strict JSON parser, and how much of a body is read. No routing: that is `router`, above.

pub mod body;
pub mod log;
pub mod origin;
pub mod strict_json;

use crate::platform::Stmt;
use serde_json::Value;

/// An incoming request, its body read (at most `body::BODY_READ_LIMIT` bytes of it), or not yet read
/// and empty when given to `lib::before_body`.
#[derive(Debug, Clone, Default)]
pub struct HttpRequest {
    pub method: String,
    pub path: String,
    /// The query string without `?` (empty when none).
    pub query: String,
    /// This request's own origin, `scheme://host[:port]`, as the runtime received it.
    pub origin: String,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// A query parameter, percent-decoded (`+` as space); the first one of that name.
    pub fn query_param(&self, name: &str) -> Option<String> {
        urlencoded_value(&self.query, name)
    }

    /// A cookie's value, the first of that name.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "cookie")
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// Whether this request came over plain HTTP to loopback (a local run): the only case where a
    /// cookie may drop `Secure`.
    pub fn is_plain_loopback(&self) -> bool {
        self.origin.strip_prefix("http://").is_some_and(|rest| origin::is_loopback_host(origin::host_of(rest)))
    }

    /// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
    pub fn bearer_token(&self) -> Option<&str> {
        let value = self.header("authorization")?.trim();
        let (scheme, token) = value.split_once(' ')?;
        let token = token.trim();
        (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
    }
}

/// The origin (`scheme://host[:port]`) and the query (without `?`) of a URL as the runtime serialises a
/// request's (WHATWG's `href`: lower-case host, no default port, `?` and `#` percent-encoded in the
/// path), read by slicing rather than by parsing it again. Userinfo, which no HTTP request carries,
/// is left out of the origin as a parser would. Not such a URL: both empty.
pub fn origin_and_query(href: &str) -> (String, String) {
    let Some((scheme, rest)) = href.split_once("://") else {
        return (String::new(), String::new());
    };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let after = &rest[authority.len()..];
    let query = after.split_once('?').map_or("", |(_, q)| q.split_once('#').map_or(q, |(q, _)| q));
    (format!("{scheme}://{host_port}"), query.to_string())
}

/// The first value of `name` in `application/x-www-form-urlencoded` text (a query string or a form
/// body), decoded; a name without `=` has the empty value.
pub fn urlencoded_value(encoded: &str, name: &str) -> Option<String> {
    encoded
        .split('&')
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .find(|(k, _)| percent_decode(k) == name)
        .map(|(_, v)| percent_decode(v))
}

/// Decodes `%XX` escapes and `+` of a URL query component; invalid escapes stay as they are and
/// invalid UTF-8 becomes U+FFFD.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() && bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit() => {
                let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
                out.push(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_and_query_as_a_parser_reads_them() {
        for href in [
            "https://mcp.example.com/mcp",
            "https://mcp.example.com/mcp?x=1&y=%20z",
            "http://127.0.0.1:8787/oauth/authorize?client_id=a&state=b#frag",
            "https://mcp.example.com:8443/",
            "https://xn--bcher-kva.example/mcp?",
            "http://[::1]:9000/admin/api/keys?q=a?b",
            "https://user:pa%40ss@mcp.example.com/mcp?q",
            "https://mcp.example.com?only=query",
            "https://mcp.example.com#only-fragment",
        ] {
            let url = url::Url::parse(href).unwrap();
            let (origin, query) = origin_and_query(href);
            assert_eq!(origin, url.origin().ascii_serialization(), "{href}");
            assert_eq!(query, url.query().unwrap_or(""), "{href}");
        }
        assert_eq!(origin_and_query("not a url"), (String::new(), String::new()));
    }

    #[test]
    fn query_parameters_are_decoded() {
        let r = HttpRequest {
            query: "event=tool_call&q=crm%20lead&x=%zz&plus=a+b&empty&pct=%".into(),
            ..Default::default()
        };
        assert_eq!(r.query_param("event").as_deref(), Some("tool_call"));
        assert_eq!(r.query_param("q").as_deref(), Some("crm lead"));
        assert_eq!(r.query_param("x").as_deref(), Some("%zz"));
        assert_eq!(r.query_param("plus").as_deref(), Some("a b"));
        assert_eq!(r.query_param("empty").as_deref(), Some(""));
        assert_eq!(r.query_param("pct").as_deref(), Some("%"));
        assert_eq!(r.query_param("nope"), None);
        assert_eq!(percent_decode("%C3%A9%FF"), "é\u{FFFD}");
    }
}

#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Why it failed, for the request's log line only (never sent): e.g. D1's own error message.
    pub log_error: Option<String>,
}

impl HttpResponse {
    pub fn empty(status: u16) -> HttpResponse {
        HttpResponse { status, headers: Vec::new(), body: Vec::new(), log_error: None }
    }

    pub fn json(status: u16, value: &Value) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(value).unwrap_or_default(),
            log_error: None,
        }
    }

    pub fn text(status: u16, content_type: &str, body: impl Into<String>) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into().into_bytes(),
            log_error: None,
        }
    }

    /// Records why this response is a failure, for the log line (never for the client). Never secrets.
    pub fn with_log_error(mut self, context: impl Into<String>) -> HttpResponse {
        self.log_error = Some(context.into());
        self
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> HttpResponse {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Fields the core adds to the request's one structured log line (era, JSON-RPC method, tool, …).
/// Never keys, credentials or bodies.
pub type LogFields = serde_json::Map<String, Value>;

/// What the core hands back to the runtime: the response, the statements to run after it has been
/// sent (audit rows, last-used stamps), which cost the client nothing (`wait_until` in Workers), and
/// what to log about the request.
#[derive(Debug)]
pub struct Outcome {
    pub response: HttpResponse,
    pub after: Vec<Stmt>,
    pub log: LogFields,
}

impl Outcome {
    pub fn new(response: HttpResponse, after: Vec<Stmt>) -> Outcome {
        Outcome { response, after, log: LogFields::new() }
    }
}

impl From<HttpResponse> for Outcome {
    fn from(response: HttpResponse) -> Outcome {
        Outcome { response, after: Vec::new(), log: LogFields::new() }
    }
}
