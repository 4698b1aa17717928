//! Administration: the JSON API under `/admin/api` and the browser console under `/admin`, which uses
//! that API. A caller is the `ADMIN_TOKEN` as a bearer (scripts, curl; constant-time check) or a console
//! session cookie, whose changes must also carry the session's CSRF token.
//!
//! - `body/`: the one reader of request bodies (typed, strict: unknown or repeated fields are refused)
//! - `connections.rs`: connections, detection, browsing credentials; `moves.rs`: what changing a
//!   connection's Odoo address does to the credentials held for the old one
//! - `permissions.rs`: model permissions and field policies
//! - `browse.rs`: the connection's models and fields from Odoo, for the console's pickers
//! - `keys.rs`: issuing, revoking and confirming MCP keys; `snippets.rs`: the client configurations shown
//!   with a new key
//! - `oauth.rs`: OAuth per connection (on or off, who may connect, a grant's default scope), grants
//!   (approve, refuse, revoke) and clients (pre-register, block)
//! - `audit.rs`, `settings.rs`: the audit trail; run-time settings
//! - `session.rs`, `console.rs`: the console's login and its pages

mod audit;
pub mod body;
mod browse;
mod connections;
pub mod console;
mod key_context;
mod keys;
mod moves;
mod oauth;
mod permissions;
pub mod session;
mod settings;
pub mod snippets;
mod views;

use crate::http::{HttpRequest, HttpResponse, Outcome};
use crate::json;
use crate::platform::Stmt;
use crate::policy::keys::constant_time_eq;
use crate::services::Services;
use crate::store::{self, connections as conn_store, AuditEvent, StoreError};
use serde_json::Value;

/// An admin API failure: an HTTP status, a stable code and a readable message.
#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    /// Why, for the log line only (D1's own message behind a `store_error`).
    pub context: Option<String>,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), context: None }
    }

    fn with_context(mut self, context: String) -> ApiError {
        self.context = Some(context);
        self
    }

    fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "invalid_request", message)
    }

    fn not_found(what: &str) -> ApiError {
        ApiError::new(404, "not_found", format!("no such {what}"))
    }

    fn response(&self) -> HttpResponse {
        let response = HttpResponse::json(self.status, &json!({"error": {"code": self.code, "message": self.message}}));
        match &self.context {
            Some(c) => response.with_log_error(c.clone()),
            None => response,
        }
    }
}

impl From<body::BodyError> for ApiError {
    fn from(e: body::BodyError) -> ApiError {
        match e {
            body::BodyError::TooLarge => ApiError::new(413, "too_large", e.to_string()),
            _ => ApiError::bad_request(e.to_string()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match &e {
            StoreError::Db(crate::platform::DbError::Constraint(_)) => {
                ApiError::new(409, "conflict", "this conflicts with an existing entry (is the name already used?)")
            }
            _ if e.is_transient() => ApiError::new(503, "store_busy", "the database is busy; retry shortly"),
            _ => ApiError::new(500, "store_error", "the database answered unexpectedly"),
        }
        .with_context(format!("D1: {e}"))
    }
}

type ApiResult = Result<(u16, Value), ApiError>;

/// Whether the request carries the admin token as a bearer, or a live console session (with the
/// session's CSRF token on every change). The error is the response to send.
async fn authorize(req: &HttpRequest, svc: &Services<'_>, token: &str) -> Result<(), Box<Outcome>> {
    if req.bearer_token().is_some_and(|t| constant_time_eq(t, token)) {
        return Ok(());
    }
    if let Some(s) = session::verify(token, req, svc.now) {
        if req.method == "GET" || session::csrf_ok(token, &s, req) {
            return Ok(());
        }
        return Err(Box::new(
            ApiError::new(403, "csrf", "this change lacks the console's CSRF token; reload the page").response().into(),
        ));
    }
    // The same words as `/mcp`'s: no credential at all, or one that matches nothing.
    let outcome = if req.bearer_token().is_none() && req.cookie(session::COOKIE).is_none() {
        "missing_key"
    } else {
        "unknown_key"
    };
    let audit = AuditEvent { event: "auth_failure", tool: Some("admin_api"), outcome, ..Default::default() };
    let refusal = failed_authentication(req, svc, &audit, || {
        ApiError::new(401, "unauthorized", "send 'Authorization: Bearer <ADMIN_TOKEN>'")
            .response()
            .with_header("www-authenticate", "Bearer realm=\"odoo-mcp-admin\"")
    })
    .await;
    Err(Box::new(refusal))
}

/// A failed administrator authentication (API or console login), counted against the client's address
/// (`policy::failures`, one round trip on this failure path only): `refusal` with the failure recorded
/// in its group, or 429 with nothing written once the address used up this minute's failures.
pub(crate) async fn failed_authentication(
    req: &HttpRequest,
    svc: &Services<'_>,
    audit: &AuditEvent<'_>,
    refusal: impl FnOnce() -> HttpResponse,
) -> Outcome {
    use crate::policy::failures;
    let client = failures::client_of(req, svc.settings);
    match failures::count_now(svc.db, &client, svc.now).await {
        failures::Counted::Yes => Outcome::new(refusal(), crate::store::failures::grouped(&client, audit, svc.now)),
        failures::Counted::Throttled { retry_after_s } => {
            let mut outcome: Outcome = ApiError::new(
                429,
                "too_many_failures",
                format!("too many failed authentications from this network; retry in {retry_after_s} s"),
            )
            .response()
            .with_header("retry-after", retry_after_s.to_string())
            .into();
            outcome.log.insert("outcome".into(), json!("throttled"));
            outcome
        }
    }
}

pub async fn handle(req: &HttpRequest, svc: &Services<'_>) -> Outcome {
    let Some(token) = svc.settings.admin_token.as_deref() else {
        return ApiError::new(503, "admin_disabled", "the admin API is disabled: set the ADMIN_TOKEN secret")
            .response()
            .into();
    };
    if let Err(refusal) = authorize(req, svc, token).await {
        return *refusal;
    }
    let path = req.path.trim_start_matches("/admin/api").trim_matches('/');
    let segments: Vec<&str> = if path.is_empty() { vec![] } else { path.split('/').collect() };
    if let ("GET", ["audit", "export"]) = (req.method.as_str(), segments.as_slice()) {
        return audit::export(req, svc)
            .await
            .unwrap_or_else(|e| e.response())
            .with_header("cache-control", "no-store")
            .into();
    }
    let mut after = Vec::new();
    let response = match route(req, svc, &segments, &mut after).await {
        Ok((status, body)) => HttpResponse::json(status, &body),
        Err(e) => e.response(),
    };
    Outcome::new(response.with_header("cache-control", "no-store"), after)
}

async fn route(req: &HttpRequest, svc: &Services<'_>, seg: &[&str], after: &mut Vec<Stmt>) -> ApiResult {
    let method = req.method.as_str();
    if matches!(method, "GET" | "DELETE") {
        // Routes without a body: anything sent with them would be ignored, so it is refused.
        body::none(&req.body)?;
    }
    match (method, seg) {
        ("GET", ["connections"]) => Ok((200, json!({"connections": conn_store::list(svc.db).await?}))),
        ("POST", ["connections"]) => connections::create(svc, body::read(&req.body)?, after).await,
        ("GET", ["connections", id]) => {
            let c = conn_store::get(svc.db, parse_id(id)?).await?.ok_or_else(|| ApiError::not_found("connection"))?;
            Ok((200, json!(c)))
        }
        ("PUT", ["connections", id]) => connections::update(svc, parse_id(id)?, body::read(&req.body)?, after).await,
        ("POST", ["connections", id, "detect"]) => {
            body::none(&req.body)?;
            connections::update(svc, parse_id(id)?, Default::default(), after).await
        }
        ("POST", ["connections", id, "test"]) => {
            body::none(&req.body)?;
            connections::test(svc, parse_id(id)?, after).await
        }
        ("GET", ["connections", id, "models"]) => permissions::list(svc, parse_id(id)?).await,
        ("DELETE", ["connections", id, "schema-cache"]) => {
            connections::clear_schema_cache(svc, parse_id(id)?, after).await
        }
        ("PUT", ["connections", id, "models", model]) => {
            permissions::set(svc, parse_id(id)?, model, body::read(&req.body)?, after).await
        }
        ("DELETE", ["connections", id, "models", model]) => permissions::remove(svc, parse_id(id)?, model, after).await,
        ("GET", ["connections", id, "odoo-models"]) => {
            browse::models(svc, parse_id(id)?, &req.query_param("q").unwrap_or_default()).await
        }
        ("GET", ["connections", id, "odoo-models", model, "fields"]) => browse::fields(svc, parse_id(id)?, model).await,
        ("GET", ["keys"]) => Ok((200, json!({"keys": store::keys::list(svc.db).await?}))),
        ("POST", ["keys"]) => keys::issue(svc, body::read(&req.body)?, &req.origin, after).await,
        ("DELETE", ["keys", id]) => keys::revoke(svc, parse_id(id)?, after).await,
        ("POST", ["keys", id, "revoke"]) => {
            body::none(&req.body)?;
            keys::revoke(svc, parse_id(id)?, after).await
        }
        ("PUT", ["keys", id, "context"]) => key_context::set(svc, parse_id(id)?, body::read(&req.body)?, after).await,
        ("PUT", ["keys", id, "approval"]) => {
            keys::set_approval(svc, parse_id(id)?, body::read(&req.body)?, after).await
        }
        ("POST", ["keys", id, "confirm"]) => {
            body::none(&req.body)?;
            keys::confirm(svc, parse_id(id)?, after).await
        }
        ("GET", ["connections", id, "oauth"]) => oauth::get_settings(svc, parse_id(id)?).await,
        ("PUT", ["connections", id, "oauth"]) => {
            oauth::put_settings(svc, parse_id(id)?, body::read(&req.body)?, after).await
        }
        ("GET", ["oauth", "grants"]) => oauth::list_grants(svc).await,
        ("POST", ["oauth", "grants", id, decision @ ("approve" | "refuse" | "revoke")]) => {
            body::none(&req.body)?;
            match *decision {
                "revoke" => oauth::revoke(svc, parse_id(id)?, after).await,
                d => oauth::decide(svc, parse_id(id)?, d == "approve", after).await,
            }
        }
        ("GET", ["oauth", "clients"]) => oauth::list_clients(svc).await,
        ("POST", ["oauth", "clients"]) => oauth::create_client(svc, body::read(&req.body)?, after).await,
        ("POST", ["oauth", "clients", verb @ ("block" | "unblock")]) => {
            oauth::block(svc, body::read(&req.body)?, *verb == "block", after).await
        }
        ("GET", ["audit"]) => audit::list(req, svc).await,
        ("GET", ["audit", "hourly"]) => audit::hourly(svc).await,
        ("GET", ["settings"]) => settings::get(svc).await,
        ("PUT", ["settings"]) => settings::put(svc, body::read(&req.body)?, after).await,
        (
            _,
            ["connections"]
            | ["connections", _]
            | ["connections", _, "models" | "detect" | "test" | "odoo-models" | "schema-cache" | "oauth"]
            | ["connections", _, "models", _]
            | ["connections", _, "odoo-models", _, "fields"]
            | ["keys"]
            | ["keys", _]
            | ["keys", _, "revoke" | "confirm" | "approval" | "context"]
            | ["oauth", "grants" | "clients"]
            | ["oauth", "grants", _, "approve" | "refuse" | "revoke"]
            | ["oauth", "clients", "block" | "unblock"]
            | ["audit"]
            | ["audit", "export" | "hourly"]
            | ["settings"],
        ) => Err(ApiError::new(405, "method_not_allowed", format!("{method} is not allowed here"))),
        _ => Err(ApiError::new(404, "not_found", "no such admin API route; see the README")),
    }
}

fn parse_id(s: &str) -> Result<i64, ApiError> {
    s.parse()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(|| ApiError::bad_request(format!("'{}' is not an id", crate::text::truncate(s, 40))))
}

pub(crate) fn admin_audit(action: &str, connection_id: Option<i64>, detail: &str, now: i64) -> Stmt {
    AuditEvent {
        event: "admin_action",
        connection_id,
        operation: Some(action),
        outcome: "ok",
        detail: Some(detail),
        ..Default::default()
    }
    .stmt(now)
}
