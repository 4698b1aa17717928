//! The session-era Streamable HTTP transport on `/mcp` (protocol 2025-11-25 down to 2024-11-05):
//! auth → content checks → parse → version header → session → dispatch, each failure with the status
//! and JSON-RPC error the spec and real clients expect.

use super::dispatch::{dispatch, RequestCtx};
use super::jsonrpc::{self, classify, Message, RpcError, INVALID_REQUEST, PARSE_ERROR, SERVER_ERROR, SESSION_NOT_FOUND};
use super::lifecycle;
use crate::http::{HttpRequest, HttpResponse, Outcome};
use crate::policy::auth::{authenticate, AuthContext, AuthFailure};
use crate::policy::keys::{self, KEY_PREFIX};
use crate::store::{self, AuditEvent};
use crate::Services;
use serde_json::{json, Value};

/// Bodies above this are refused with 413 before parsing.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
const MAX_BATCH: usize = 50;
pub const SESSION_HEADER: &str = "mcp-session-id";
pub const VERSION_HEADER: &str = "mcp-protocol-version";

/// An error answered at the HTTP level, with a JSON-RPC body whose id is null.
pub fn http_error(status: u16, code: i64, message: impl Into<String>) -> HttpResponse {
    HttpResponse::json(status, &json!({"jsonrpc": "2.0", "error": {"code": code, "message": message.into()}, "id": null}))
}

pub async fn handle_post(req: &HttpRequest, svc: &Services<'_>) -> Outcome {
    let auth = match authenticate_request(req, svc).await {
        Ok(a) => a,
        Err(outcome) => return outcome,
    };
    let mut after = vec![store::keys::touch(auth.key_id, svc.now)];
    if auth.first_use {
        after.push(AuditEvent { event: "key_first_use", key_id: Some(auth.key_id), key_prefix: Some(&auth.key_prefix), connection_id: Some(auth.connection_id), outcome: "ok", ..Default::default() }.stmt(svc.now));
    }
    let response = post_authenticated(req, svc, &auth, &mut after).await;
    Outcome { response, after }
}

async fn post_authenticated(req: &HttpRequest, svc: &Services<'_>, auth: &AuthContext, after: &mut Vec<crate::platform::Stmt>) -> HttpResponse {
    if !content_type_is_json(req.header("content-type")) {
        return http_error(415, SERVER_ERROR, "Unsupported Media Type: Content-Type must be application/json");
    }
    let Some(wants_sse) = response_encoding(req.header("accept")) else {
        return http_error(406, SERVER_ERROR, "Not Acceptable: the client must accept application/json or text/event-stream");
    };
    if req.body.len() > MAX_BODY_BYTES {
        return http_error(413, SERVER_ERROR, format!("Payload Too Large: at most {MAX_BODY_BYTES} bytes"));
    }
    let body: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return http_error(400, PARSE_ERROR, format!("Parse error: {e}")),
    };
    let header_version = req.header(VERSION_HEADER).map(str::trim);
    if let Some(v) = header_version {
        if v == lifecycle::MODERN {
            // Clients that try the stateless era first fall back to `initialize` on a plain 400.
            return http_error(400, SERVER_ERROR, "Bad Request: protocol version 2026-07-28 needs its request envelope (params._meta); start with initialize for the session era");
        }
        if !lifecycle::is_supported(v) {
            return http_error(400, SERVER_ERROR, format!(
                "Bad Request: Unsupported protocol version: {} (supported versions: {})",
                store::truncate(v, 40), lifecycle::SESSION_VERSIONS.join(", ")
            ));
        }
    }

    // `initialize` opens a session; everything else needs a live one of this key.
    if let Ok(Message::Request { id, method, params }) = classify(&body) {
        if method == "initialize" {
            return initialize(svc, auth, &id, &params, wants_sse).await;
        }
    }
    let session = match req.header(SESSION_HEADER) {
        None => return http_error(400, SERVER_ERROR, "Bad Request: Mcp-Session-Id header is required (send initialize first)"),
        Some(_) => match &auth.session {
            Some(s) if !s.ended => s,
            _ => return http_error(404, SESSION_NOT_FOUND, "Session not found: it ended or never existed; initialize a new one"),
        },
    };
    let version = header_version.unwrap_or(&session.protocol_version);
    let ctx = RequestCtx::new(svc, auth, version, session);

    let replies = match &body {
        Value::Array(items) => {
            if !lifecycle::allows_batches(version) {
                return http_error(400, INVALID_REQUEST, format!("Invalid Request: JSON-RPC batches are not supported in protocol version {version}"));
            }
            if items.is_empty() || items.len() > MAX_BATCH {
                return http_error(400, INVALID_REQUEST, format!("Invalid Request: a batch must hold 1 to {MAX_BATCH} messages"));
            }
            let mut replies = Vec::new();
            for item in items {
                replies.extend(handle_message(&ctx, item, true).await);
            }
            if replies.is_empty() {
                None
            } else {
                Some(Value::Array(replies))
            }
        }
        single => match classify(single) {
            Err((id, err)) => return HttpResponse::json(400, &jsonrpc::failure(&id, &err)),
            Ok(_) => handle_message(&ctx, single, false).await,
        },
    };
    after.extend(ctx.into_after());
    match replies {
        None => HttpResponse::empty(202),
        Some(reply) => encode(&reply, wants_sse),
    }
}

/// Handles one message; `None` when it needs no reply (notifications and responses).
async fn handle_message(ctx: &RequestCtx<'_>, msg: &Value, in_batch: bool) -> Option<Value> {
    match classify(msg) {
        Err((id, err)) => Some(jsonrpc::failure(&id, &err)),
        Ok(Message::Notification { .. }) | Ok(Message::Response) => None,
        Ok(Message::Request { id, method, .. }) if method == "initialize" && in_batch => {
            Some(jsonrpc::failure(&id, &RpcError::new(INVALID_REQUEST, "Invalid Request: initialize must not be part of a batch")))
        }
        Ok(Message::Request { id, method, params }) => Some(match dispatch(ctx, &method, &params).await {
            Ok(result) => jsonrpc::success(&id, result),
            Err(err) => jsonrpc::failure(&id, &err),
        }),
    }
}

async fn initialize(svc: &Services<'_>, auth: &AuthContext, id: &Value, params: &serde_json::Map<String, Value>, wants_sse: bool) -> HttpResponse {
    let (version, result) = lifecycle::initialize_result(params);
    let session_id = match keys::random_id(24) {
        Ok(s) => s,
        Err(e) => return http_error(500, jsonrpc::INTERNAL_ERROR, e),
    };
    let client = params.get("clientInfo");
    let field = |k: &str| client.and_then(|c| c.get(k)).and_then(Value::as_str).map(|s| store::truncate(s, 100));
    if let Err(e) = store::sessions::create(svc.db, &session_id, &auth.key_hash, &version, field("name"), field("version"), svc.now).await {
        return store_unavailable(&e);
    }
    encode(&jsonrpc::success(id, result), wants_sse).with_header(SESSION_HEADER, session_id)
}

pub async fn handle_delete(req: &HttpRequest, svc: &Services<'_>) -> Outcome {
    let auth = match authenticate_request(req, svc).await {
        Ok(a) => a,
        Err(outcome) => return outcome,
    };
    let Some(sid) = req.header(SESSION_HEADER) else {
        return http_error(400, SERVER_ERROR, "Bad Request: Mcp-Session-Id header is required").into();
    };
    match store::sessions::end(svc.db, sid, &auth.key_hash, svc.now).await {
        Ok(true) => HttpResponse::empty(200).into(),
        Ok(false) => http_error(404, SESSION_NOT_FOUND, "Session not found").into(),
        Err(e) => store_unavailable(&e).into(),
    }
}

/// Runs the one-round-trip authentication and turns a failure into its response and audit row.
async fn authenticate_request(req: &HttpRequest, svc: &Services<'_>) -> Result<AuthContext, Outcome> {
    let presented = req.bearer_token();
    let limit = svc.settings.default_rate_limit;
    match authenticate(svc.db, presented, req.header(SESSION_HEADER), limit, svc.now).await {
        Ok(a) => Ok(a),
        Err(failure) => {
            // Only our own keys' display prefix is recorded: never more of what was presented.
            let prefix = presented.filter(|k| k.starts_with(KEY_PREFIX) && k.len() > 13).map(|k| &k[..13]);
            let event = if matches!(failure, AuthFailure::RateLimited { .. }) { "rate_limited" } else { "auth_failure" };
            let audit = AuditEvent { event, key_prefix: prefix, outcome: failure.audit_outcome(), ..Default::default() };
            let after = if matches!(failure, AuthFailure::Store(_)) { vec![] } else { vec![audit.stmt(svc.now)] };
            Err(Outcome { response: auth_failure_response(&failure), after })
        }
    }
}

pub fn auth_failure_response(failure: &AuthFailure) -> HttpResponse {
    match failure {
        AuthFailure::RateLimited { retry_after_s, .. } => {
            http_error(429, SERVER_ERROR, failure.message()).with_header("retry-after", retry_after_s.to_string())
        }
        AuthFailure::Store(e) => store_unavailable(e),
        AuthFailure::MissingKey => http_error(401, SERVER_ERROR, format!("Unauthorized: {}", failure.message()))
            .with_header("www-authenticate", "Bearer realm=\"odoo-mcp\""),
        _ => http_error(401, SERVER_ERROR, format!("Unauthorized: {}", failure.message()))
            .with_header("www-authenticate", "Bearer realm=\"odoo-mcp\", error=\"invalid_token\""),
    }
}

pub fn store_unavailable(e: &store::StoreError) -> HttpResponse {
    if e.is_transient() {
        http_error(503, SERVER_ERROR, "Service temporarily unavailable: the database is busy; retry shortly").with_header("retry-after", "1")
    } else {
        http_error(500, jsonrpc::INTERNAL_ERROR, "Internal error: the database answered unexpectedly")
    }
}

fn content_type_is_json(ct: Option<&str>) -> bool {
    ct.map(|c| c.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json")).unwrap_or(false)
}

/// `Some(false)` = answer JSON, `Some(true)` = answer SSE, `None` = neither is acceptable.
/// Lenient on purpose: several real clients send only `application/json` or `*/*`.
pub fn response_encoding(accept: Option<&str>) -> Option<bool> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(false);
    };
    let types: Vec<String> = accept
        .split(',')
        .filter(|part| !part.split(';').skip(1).any(|p| p.trim().replace(' ', "") == "q=0"))
        .map(|part| part.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .collect();
    if types.iter().any(|t| t == "application/json" || t == "application/*" || t == "*/*") {
        Some(false)
    } else if types.iter().any(|t| t == "text/event-stream" || t == "text/*") {
        Some(true)
    } else {
        None
    }
}

fn encode(reply: &Value, sse: bool) -> HttpResponse {
    if sse {
        HttpResponse::text(200, "text/event-stream", format!("event: message\ndata: {reply}\n\n")).with_header("cache-control", "no-cache")
    } else {
        HttpResponse::json(200, reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_negotiation_is_lenient_but_not_blind() {
        assert_eq!(response_encoding(None), Some(false));
        assert_eq!(response_encoding(Some("application/json, text/event-stream")), Some(false));
        assert_eq!(response_encoding(Some("*/*")), Some(false));
        assert_eq!(response_encoding(Some("text/event-stream")), Some(true));
        assert_eq!(response_encoding(Some("text/html")), None);
        assert_eq!(response_encoding(Some("application/json;q=0, text/event-stream")), Some(true));
    }

    #[test]
    fn content_type_must_be_json() {
        assert!(content_type_is_json(Some("application/json")));
        assert!(content_type_is_json(Some("Application/JSON; charset=utf-8")));
        assert!(!content_type_is_json(Some("text/plain")));
        assert!(!content_type_is_json(Some("application/jsonx")));
        assert!(!content_type_is_json(None));
    }
}
