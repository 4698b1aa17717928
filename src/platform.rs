//! The seam between the core and its runtime: SQL execution (`Db`), outbound HTTP (`Http`), the clock
//! and randomness. The Worker adapter implements these with D1 and `fetch`; native tests implement them
//! with SQLite and a plain TCP client. Nothing else in the core knows which runtime it runs on.

use serde_json::{Map, Value};
use std::future::Future;
use std::pin::Pin;

/// A future that need not be `Send`: JS-backed futures in wasm never are.
pub type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// One SQL statement with positional (`?1`, `?2`, …) parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    pub sql: &'static str,
    pub params: Vec<Value>,
}

impl Stmt {
    pub fn new(sql: &'static str, params: Vec<Value>) -> Stmt {
        Stmt { sql, params }
    }
}

/// A result row: column name → value (integers, floats, text, null).
pub type Row = Map<String, Value>;

#[derive(Debug, Clone, PartialEq)]
pub enum DbError {
    /// Worth retrying: the database was busy or the connection to it was lost.
    Transient(String),
    /// A constraint was violated (e.g. a duplicate name).
    Constraint(String),
    Other(String),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::Transient(m) => write!(f, "database temporarily unavailable: {m}"),
            DbError::Constraint(m) => write!(f, "database constraint: {m}"),
            DbError::Other(m) => write!(f, "database error: {m}"),
        }
    }
}

/// Executes statements as one batch (one round trip, one implicit transaction in D1) and returns the
/// rows of each statement in order.
pub trait Db {
    fn batch<'a>(&'a self, stmts: Vec<Stmt>) -> LocalBoxFuture<'a, Result<Vec<Vec<Row>>, DbError>>;
}

/// Classifies a driver message. D1 and SQLite report busy databases and lost connections in text.
pub fn classify_db_error(message: &str) -> DbError {
    let m = message.to_ascii_lowercase();
    if m.contains("unique constraint") || m.contains("constraint failed") {
        DbError::Constraint(message.to_string())
    } else if m.contains("sqlite_busy")
        || m.contains("database is locked")
        || m.contains("network connection lost")
        || m.contains("object to be reset")
        || m.contains("reset because its code was updated")
        || m.contains("internal error")
    {
        DbError::Transient(message.to_string())
    } else {
        DbError::Other(message.to_string())
    }
}

/// An outbound HTTP request (always to an Odoo server), sent through `net::Guarded`.
#[derive(Debug, Clone)]
pub struct OutboundRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub timeout_ms: u64,
}

#[derive(Debug, Clone)]
pub struct InboundResponse {
    pub status: u16,
    pub content_type: String,
    /// The `Retry-After` header, when the answer had one (a 429 or 503).
    pub retry_after: Option<String>,
    /// The `Location` header of a redirect (3xx), which is never followed.
    pub location: Option<String>,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum HttpError {
    Timeout,
    /// Connection refused, DNS failure, TLS failure, reset …
    Network(String),
    /// The URL is not one the Worker may fetch (`net::guard`); nothing was sent.
    Refused(String),
}

pub trait Http {
    fn send<'a>(&'a self, req: OutboundRequest) -> LocalBoxFuture<'a, Result<InboundResponse, HttpError>>;
}

/// Milliseconds since the Unix epoch.
#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

#[cfg(not(target_arch = "wasm32"))]
pub fn now_ms() -> i64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Fills `buf` from the platform's CSPRNG (crypto.getRandomValues in workerd).
pub fn random_bytes(buf: &mut [u8]) -> Result<(), String> {
    getrandom::getrandom(buf).map_err(|e| format!("no randomness available: {e}"))
}
