//! The answers both lanes (and the gates) give: `Admitted` (the request as the lanes get it once the
//! gates passed), `reply` and `encode` (JSON or SSE), the JSON-RPC errors (`ReplyTo`, `rpc_error`,
//! `http_error`) and the database's failure. It uses no other part of the transport, so that the
//! gates, the lanes and `dispatch` can all use it.

use crate::http::body::MAX_BODY_BYTES;
use crate::http::strict_json;
use crate::http::{HttpRequest, HttpResponse};
use crate::mcp::era::{self, Era};
use crate::mcp::headers::VERSION_HEADER;
use crate::mcp::jsonrpc::{self, RpcError, SERVER_ERROR};
use crate::mcp::stream::{sse_frame, ResponseStream};
use crate::policy::auth::AuthContext;
use crate::services::Services;
use crate::store;
use serde_json::Value;

/// What both lanes are handed once the gates have passed: an authenticated POST whose body parsed.
pub struct Admitted<'r> {
    pub req: &'r HttpRequest,
    pub svc: &'r Services<'r>,
    pub auth: &'r AuthContext,
    pub body: &'r Value,
    /// JSON-RPC answers in SSE rather than JSON (the client accepts only SSE).
    pub wants_sse: bool,
    /// The client accepts SSE at all, so progress and log notifications can be streamed.
    pub accepts_sse: bool,
    pub stream: &'r ResponseStream,
}

/// An error answered at the HTTP level, with a JSON-RPC body whose id is null: for session-lane
/// answers that no single request id belongs to (a batch, a DELETE). Errors answered before a lane
/// takes over go through [`ReplyTo`], which echoes the request's id.
pub fn http_error(status: u16, code: i64, message: impl Into<String>) -> HttpResponse {
    rpc_error(status, &Value::Null, &RpcError::new(code, message))
}

/// Whom an error answered before (or instead of) a lane is addressed to: the request's own id when
/// its body could be read, otherwise what the request's era allows. JSON-RPC 2.0 and every 2025-era
/// SDK put `"id": null` there; the 2026-07-28 schema types `JSONRPCErrorResponse.id` as a string or
/// an integer and makes it optional, so that era's answer leaves the member out instead.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplyTo {
    id: Option<Value>,
    stateless: bool,
}

impl ReplyTo {
    /// A request whose body was read and, when it is JSON within the size limit, parsed.
    pub fn parsed(body: Option<&Value>, era: Era) -> ReplyTo {
        ReplyTo { id: body.map(readable_id).filter(jsonrpc::is_id), stateless: era != Era::Session }
    }

    /// A request whose body is not read (over the size limit, or not JSON): only its version header
    /// tells the era.
    pub fn unread(header_version: Option<&str>) -> ReplyTo {
        ReplyTo { id: None, stateless: header_version.map(str::trim).is_some_and(era::is_modern_version) }
    }

    /// Any request, from outside the transport (the Origin gate, a method /mcp does not serve): its
    /// body is parsed here when it is JSON within the size limit, as `handle_post` would.
    pub fn of(req: &HttpRequest) -> ReplyTo {
        let header_version = req.header(VERSION_HEADER).map(str::trim);
        if !content_type_is_json(req.header("content-type")) || req.body.is_empty() || req.body.len() > MAX_BODY_BYTES {
            return ReplyTo::unread(header_version);
        }
        match strict_json::parse(&req.body) {
            Ok(body) => ReplyTo::parsed(Some(&body), era::classify(&body, header_version)),
            Err(_) => ReplyTo::unread(header_version),
        }
    }

    /// The error as the whole HTTP answer.
    pub fn error(&self, status: u16, code: i64, message: impl Into<String>) -> HttpResponse {
        let err = RpcError::new(code, message);
        let body = match (&self.id, self.stateless) {
            (Some(id), _) => jsonrpc::failure(id, &err),
            (None, false) => jsonrpc::failure(&Value::Null, &err),
            (None, true) => jsonrpc::failure_without_id(&err),
        };
        HttpResponse::json(status, &body)
    }
}

/// A JSON-RPC error as the whole HTTP answer, echoing the request id.
pub fn rpc_error(status: u16, id: &Value, err: &RpcError) -> HttpResponse {
    HttpResponse::json(status, &jsonrpc::failure(id, err))
}

/// The id of a request body, when one can be read (to echo it in errors).
pub fn readable_id(body: &Value) -> Value {
    body.get("id").filter(|id| jsonrpc::is_id(id)).cloned().unwrap_or(Value::Null)
}

/// A request's reply: the whole HTTP answer, or the last event of its started stream.
pub fn reply(post: &Admitted<'_>, status: u16, message: &Value) -> HttpResponse {
    if post.stream.is_started() {
        post.stream.send(sse_frame(message));
        post.stream.finish();
    }
    let mut response = encode(message, post.wants_sse);
    response.status = status;
    response
}

/// The database failed in the session lane (DELETE, a notification, a batch): no single id to echo.
pub fn store_unavailable(e: &store::StoreError) -> HttpResponse {
    store_unavailable_to(e, &ReplyTo { id: None, stateless: false })
}

/// The database failed: 503 with `Retry-After` when D1 says it is worth retrying, else 500.
pub fn store_unavailable_to(e: &store::StoreError, reply_to: &ReplyTo) -> HttpResponse {
    let response = if e.is_transient() {
        reply_to
            .error(503, SERVER_ERROR, "Service temporarily unavailable: the database is busy; retry shortly")
            .with_header("retry-after", "1")
    } else {
        reply_to.error(500, jsonrpc::INTERNAL_ERROR, "Internal error: the database answered unexpectedly")
    };
    response.with_log_error(format!("D1: {e}"))
}

/// Whether a Content-Type names JSON (parameters such as `charset` allowed).
pub fn content_type_is_json(ct: Option<&str>) -> bool {
    ct.map(|c| c.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json")).unwrap_or(false)
}

/// One JSON-RPC message as a whole response, JSON or a one-event SSE stream.
pub fn encode(reply: &Value, sse: bool) -> HttpResponse {
    if sse {
        HttpResponse::text(200, "text/event-stream", format!("event: message\ndata: {reply}\n\n"))
            .with_header("cache-control", "no-cache")
    } else {
        HttpResponse::json(200, reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_must_be_json() {
        assert!(content_type_is_json(Some("application/json")));
        assert!(content_type_is_json(Some("Application/JSON; charset=utf-8")));
        assert!(!content_type_is_json(Some("text/plain")));
        assert!(!content_type_is_json(Some("application/jsonx")));
        assert!(!content_type_is_json(None));
    }
}
