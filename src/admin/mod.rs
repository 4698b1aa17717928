//! The admin JSON API under `/admin/api`, guarded by the `ADMIN_TOKEN` secret (constant-time check).
//! Enough to script a whole setup with curl: connections (with version/transport detection), model
//! permissions, keys (issued only after Odoo accepts the user's credentials), listing and revocation.

mod keys;

use crate::http::{HttpRequest, HttpResponse, Outcome};
use crate::odoo::{self, schema};
use crate::policy::keys::constant_time_eq;
use crate::policy::permissions::{is_model_name, sensitive_reason, FieldMode, FieldPolicy, ModelPermission};
use crate::store::{self, connections, AuditEvent, StoreError};
use crate::Services;
use serde_json::{json, Map, Value};

/// An admin API failure: an HTTP status, a stable code and a readable message.
#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into() }
    }

    fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "invalid_request", message)
    }

    fn not_found(what: &str) -> ApiError {
        ApiError::new(404, "not_found", format!("no such {what}"))
    }

    fn response(&self) -> HttpResponse {
        HttpResponse::json(self.status, &json!({"error": {"code": self.code, "message": self.message}}))
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match &e {
            StoreError::Db(crate::platform::DbError::Constraint(_)) => ApiError::new(409, "conflict", "this conflicts with an existing entry (is the name already used?)"),
            _ if e.is_transient() => ApiError::new(503, "store_busy", "the database is busy; retry shortly"),
            _ => ApiError::new(500, "store_error", "the database answered unexpectedly"),
        }
    }
}

type ApiResult = Result<(u16, Value), ApiError>;

pub async fn handle(req: &HttpRequest, svc: &Services<'_>) -> Outcome {
    let Some(token) = svc.settings.admin_token.as_deref() else {
        return ApiError::new(503, "admin_disabled", "the admin API is disabled: set the ADMIN_TOKEN secret").response().into();
    };
    if !req.bearer_token().is_some_and(|t| constant_time_eq(t, token)) {
        let audit = AuditEvent { event: "auth_failure", tool: Some("admin_api"), outcome: "bad_admin_token", ..Default::default() };
        let response = ApiError::new(401, "unauthorized", "send 'Authorization: Bearer <ADMIN_TOKEN>'").response().with_header("www-authenticate", "Bearer realm=\"odoo-mcp-admin\"");
        return Outcome::new(response, vec![audit.stmt(svc.now)]);
    }
    let path = req.path.trim_start_matches("/admin/api").trim_matches('/');
    let segments: Vec<&str> = if path.is_empty() { vec![] } else { path.split('/').collect() };
    let mut after = Vec::new();
    let result = route(req, svc, &segments, &mut after).await;
    let response = match result {
        Ok((status, body)) => HttpResponse::json(status, &body),
        Err(e) => e.response(),
    };
    Outcome::new(response, after)
}

async fn route(req: &HttpRequest, svc: &Services<'_>, seg: &[&str], after: &mut Vec<crate::platform::Stmt>) -> ApiResult {
    let method = req.method.as_str();
    match (method, seg) {
        ("GET", ["connections"]) => Ok((200, json!({"connections": connections::list(svc.db).await?}))),
        ("POST", ["connections"]) => create_connection(svc, &body(req)?, after).await,
        ("GET", ["connections", id]) => {
            let c = connections::get(svc.db, parse_id(id)?).await?.ok_or_else(|| ApiError::not_found("connection"))?;
            Ok((200, json!(c)))
        }
        ("PUT", ["connections", id]) => update_connection(svc, parse_id(id)?, &body(req)?, after).await,
        ("POST", ["connections", id, "detect"]) => update_connection(svc, parse_id(id)?, &Map::new(), after).await,
        ("GET", ["connections", id, "models"]) => {
            let id = parse_id(id)?;
            connections::get(svc.db, id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
            let rows = connections::model_permissions(svc.db, id).await?;
            let models: Vec<Value> = rows.iter().map(|(m, p)| permission_json(m, p)).collect();
            Ok((200, json!({"connection_id": id, "models": models})))
        }
        ("PUT", ["connections", id, "models", model]) => set_permission(svc, parse_id(id)?, model, &body(req)?, after).await,
        ("GET", ["keys"]) => Ok((200, json!({"keys": store::keys::list(svc.db).await?}))),
        ("POST", ["keys"]) => keys::issue(svc, &body(req)?, after).await,
        ("DELETE", ["keys", id]) | ("POST", ["keys", id, "revoke"]) => keys::revoke(svc, parse_id(id)?, after).await,
        (_, ["connections"] | ["connections", _] | ["connections", _, "models"] | ["connections", _, "models", _] | ["connections", _, "detect"] | ["keys"] | ["keys", _] | ["keys", _, "revoke"]) => {
            Err(ApiError::new(405, "method_not_allowed", format!("{method} is not allowed here")))
        }
        _ => Err(ApiError::new(404, "not_found", "no such admin API route; see the README")),
    }
}

fn body(req: &HttpRequest) -> Result<Map<String, Value>, ApiError> {
    if req.body.len() > 64 * 1024 {
        return Err(ApiError::new(413, "too_large", "the body is larger than 64 KiB"));
    }
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::bad_request("the body must be a JSON object")),
        Err(e) => Err(ApiError::bad_request(format!("the body is not valid JSON: {e}"))),
    }
}

fn parse_id(s: &str) -> Result<i64, ApiError> {
    s.parse().ok().filter(|i| *i > 0).ok_or_else(|| ApiError::bad_request(format!("'{}' is not an id", store::truncate(s, 40))))
}

pub(crate) fn str_field<'a>(b: &'a Map<String, Value>, name: &str, max: usize) -> Result<Option<&'a str>, ApiError> {
    match b.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Err(ApiError::bad_request(format!("'{name}' must not be empty"))),
        Some(Value::String(s)) if s.len() > max => Err(ApiError::bad_request(format!("'{name}' is longer than {max} characters"))),
        Some(Value::String(s)) => Ok(Some(s.trim())),
        Some(_) => Err(ApiError::bad_request(format!("'{name}' must be a string"))),
    }
}

pub(crate) fn required<'a>(b: &'a Map<String, Value>, name: &str, max: usize) -> Result<&'a str, ApiError> {
    str_field(b, name, max)?.ok_or_else(|| ApiError::bad_request(format!("'{name}' is required")))
}

async fn detect(svc: &Services<'_>, url: &str) -> Result<(String, odoo::Detected), ApiError> {
    let url = odoo::url::normalize(url, svc.settings.dev_allow_loopback).map_err(|e| ApiError::bad_request(format!("url: {}", e.0)))?;
    let detected = odoo::detect(svc.http, &url, svc.settings.odoo_timeout_ms)
        .await
        .map_err(|e| ApiError::new(502, "odoo_unreachable", format!("could not detect the Odoo version at {url}: {}", e.message)))?;
    Ok((url, detected))
}

async fn create_connection(svc: &Services<'_>, b: &Map<String, Value>, after: &mut Vec<crate::platform::Stmt>) -> ApiResult {
    let name = required(b, "name", 100)?;
    let database = required(b, "database", 200)?;
    let (url, detected) = detect(svc, required(b, "url", 500)?).await?;
    let c = connections::insert(svc.db, name, &url, database, &detected, svc.now).await?;
    after.push(admin_audit("connection.create", Some(c.id), &format!("{} {} {}", c.url, c.odoo_version, c.transport.as_str()), svc.now));
    Ok((201, json!(c)))
}

async fn update_connection(svc: &Services<'_>, id: i64, b: &Map<String, Value>, after: &mut Vec<crate::platform::Stmt>) -> ApiResult {
    let current = connections::get(svc.db, id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    let name = str_field(b, "name", 100)?.unwrap_or(&current.name).to_string();
    let database = str_field(b, "database", 200)?.unwrap_or(&current.database).to_string();
    let url = str_field(b, "url", 500)?.unwrap_or(&current.url).to_string();
    let (url, detected) = detect(svc, &url).await?;
    let c = connections::update(svc.db, id, &name, &url, &database, &detected, svc.now).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    // A new version or URL may change every model's fields.
    schema::invalidate_all();
    after.push(admin_audit("connection.update", Some(id), &format!("{} {} {}", c.url, c.odoo_version, c.transport.as_str()), svc.now));
    Ok((200, json!(c)))
}

async fn set_permission(svc: &Services<'_>, id: i64, model: &str, b: &Map<String, Value>, after: &mut Vec<crate::platform::Stmt>) -> ApiResult {
    if !is_model_name(model) {
        return Err(ApiError::bad_request(format!("'{}' is not a model name (e.g. res.partner)", store::truncate(model, 80))));
    }
    connections::get(svc.db, id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    let flag = |name: &str| -> Result<bool, ApiError> {
        match b.get(name) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(v)) => Ok(*v),
            Some(_) => Err(ApiError::bad_request(format!("'{name}' must be true or false"))),
        }
    };
    let p = ModelPermission {
        read: flag("read")?,
        create: flag("create")?,
        update: flag("update")?,
        delete: flag("delete")?,
        sensitive_unlocked: flag("unlock_sensitive")?,
        fields: None,
    };
    // Absent `fields` keeps the policy in force: re-sending the flags must never widen what a key sees.
    let new_policy = match b.get("fields") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(v) => {
            let policy = serde_json::from_value::<FieldPolicy>(v.clone())
                .map_err(|e| ApiError::bad_request(format!("'fields' is invalid: {e}; expected {{\"mode\": \"allow\" | \"deny\", \"fields\": [\"name\", ...]}} or null")))?
                .validated()
                .map_err(|e| ApiError::bad_request(format!("'fields': {e}")))?;
            Some(Some(policy))
        }
    };
    if p.sensitive_unlocked && sensitive_reason(model).is_none() {
        return Err(ApiError::bad_request(format!("'{model}' is not a sensitive model; 'unlock_sensitive' does not apply")));
    }
    let before = connections::model_permissions(svc.db, id).await?.into_iter().find(|(m, _)| m == model).map(|(_, p)| p).unwrap_or_default();
    connections::set_model_permission(svc.db, id, model, &p, svc.now).await?;
    let action = if p.sensitive_unlocked && !before.sensitive_unlocked { "model.unlock_sensitive" } else { "model.permissions" };
    after.push(admin_audit(action, Some(id), &format!("{model} read={} create={} update={} delete={} unlock_sensitive={}", p.read, p.create, p.update, p.delete, p.sensitive_unlocked), svc.now));
    let fields = match new_policy {
        Some(policy) => {
            connections::set_field_policy(svc.db, id, model, policy.as_ref(), svc.now).await?;
            let detail = match &policy {
                Some(fp) => format!("{model} {} {}", if fp.mode == FieldMode::Allow { "allow" } else { "deny" }, fp.fields.join(",")),
                None => format!("{model} no field policy"),
            };
            after.push(admin_audit("model.fields", Some(id), store::truncate(&detail, 900), svc.now));
            policy
        }
        None => before.fields,
    };
    Ok((200, permission_json(model, &ModelPermission { fields, ..p })))
}

fn permission_json(model: &str, p: &ModelPermission) -> Value {
    let mut v = json!({"model": model, "read": p.read, "create": p.create, "update": p.update, "delete": p.delete, "unlock_sensitive": p.sensitive_unlocked, "fields": p.fields});
    if let Some(reason) = sensitive_reason(model) {
        v["sensitive"] = json!(reason);
        if !p.sensitive_unlocked {
            v["blocked"] = json!(format!("sensitive model ({reason}): refused to MCP clients unless unlocked with \"unlock_sensitive\": true"));
        }
    }
    v
}

pub(crate) fn admin_audit(action: &str, connection_id: Option<i64>, detail: &str, now: i64) -> crate::platform::Stmt {
    AuditEvent { event: "admin_action", connection_id, operation: Some(action), outcome: "ok", detail: Some(detail), ..Default::default() }.stmt(now)
}
