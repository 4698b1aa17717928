//! HTTP in the core: plain request/response types (no `worker` types), the router, and Origin checks.

pub mod origin;
pub mod router;

use crate::platform::Stmt;
use serde_json::Value;

/// An incoming request, already read in full.
#[derive(Debug, Clone, Default)]
pub struct HttpRequest {
    pub method: String,
    pub path: String,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
    pub fn bearer_token(&self) -> Option<&str> {
        let value = self.header("authorization")?.trim();
        let (scheme, token) = value.split_once(' ')?;
        let token = token.trim();
        (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
    }
}

#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn empty(status: u16) -> HttpResponse {
        HttpResponse { status, headers: Vec::new(), body: Vec::new() }
    }

    pub fn json(status: u16, value: &Value) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(value).unwrap_or_default(),
        }
    }

    pub fn text(status: u16, content_type: &str, body: impl Into<String>) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into().into_bytes(),
        }
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> HttpResponse {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
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
