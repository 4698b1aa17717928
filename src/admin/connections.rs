//! Connections (with version and transport detection, and the optional Odoo user the console browses
//! with) and the per-model permissions and field policies on them.

use super::{admin_audit, required, str_field, ApiError, ApiResult};
use crate::odoo::client::Call;
use crate::odoo::{self, schema, OdooClient, OdooErrorKind};
use crate::platform::Stmt;
use crate::policy::crypto;
use crate::policy::permissions::{is_model_name, sensitive_reason, FieldMode, FieldPolicy, ModelPermission};
use crate::store::{self, connections, connections::ConnectionRecord};
use crate::Services;
use serde_json::{json, Map, Value};
use std::cell::Cell;

async fn detect(svc: &Services<'_>, url: &str) -> Result<(String, odoo::Detected), ApiError> {
    let url = odoo::url::normalize(url, svc.settings.dev_allow_loopback)
        .map_err(|e| ApiError::bad_request(format!("url: {}", e.0)))?;
    let detected = odoo::detect(svc.http, &url, svc.settings.odoo_timeout_ms).await.map_err(|e| {
        ApiError::new(502, "odoo_unreachable", format!("could not detect the Odoo version at {url}: {}", e.message))
    })?;
    Ok((url, detected))
}

/// Checks an Odoo login and API key against a connection and returns the user's uid. A JSON-2 key is
/// not tied to a login on the wire, so the key's own login is compared too.
pub async fn verify_user(
    svc: &Services<'_>,
    conn: &odoo::Connection,
    login: &str,
    api_key: &str,
) -> Result<i64, ApiError> {
    let uid_cell = Cell::new(None);
    let client = OdooClient::new(svc.http, conn, login, api_key, &uid_cell, svc.settings.odoo_timeout_ms);
    let uid = client.whoami().await.map_err(|e| match e.kind {
        OdooErrorKind::AccessDenied => ApiError::new(
            400,
            "odoo_rejected_credentials",
            format!("Odoo rejected the login or API key of '{login}' (is the API key valid and not expired?)"),
        ),
        _ => {
            ApiError::new(502, "odoo_unreachable", format!("could not verify the credentials with Odoo: {}", e.message))
        }
    })?;
    let read = Call {
        model: "res.users",
        method: "read",
        ids: Some(&[uid]),
        params: vec![("fields", json!(["login"]))],
        positional: 0,
    };
    if let Ok(Value::Array(rows)) = client.call(&read).await {
        if let Some(actual) = rows.first().and_then(|r| r.get("login")).and_then(Value::as_str) {
            if actual != login {
                return Err(ApiError::bad_request(format!(
                    "this Odoo API key belongs to '{actual}', not to '{login}'"
                )));
            }
        }
    }
    Ok(uid)
}

/// Reads the optional `odoo_login` + `odoo_api_key` pair of a connection body.
fn browse_pair(b: &Map<String, Value>) -> Result<Option<(&str, &str)>, ApiError> {
    match (str_field(b, "odoo_login", 200)?, str_field(b, "odoo_api_key", 500)?) {
        (Some(l), Some(k)) => Ok(Some((l, k))),
        (None, None) => Ok(None),
        _ => Err(ApiError::bad_request(
            "'odoo_login' and 'odoo_api_key' go together (the Odoo user the console lists models with)",
        )),
    }
}

/// Verifies and encrypts browsing credentials, returning the statement that stores them.
async fn browse_credentials_stmt(
    svc: &Services<'_>,
    c: &ConnectionRecord,
    login: &str,
    api_key: &str,
) -> Result<Stmt, ApiError> {
    let cred_key = svc
        .settings
        .credentials_key
        .as_ref()
        .ok_or_else(|| ApiError::new(503, "not_configured", crypto::CryptoError::NotConfigured.to_string()))?;
    verify_user(svc, &c.odoo(), login, api_key).await?;
    let enc = crypto::encrypt(cred_key, api_key).map_err(|e| ApiError::new(500, "encryption_failed", e.to_string()))?;
    Ok(connections::set_browse_credentials(c.id, login, &enc, svc.now))
}

pub async fn create(svc: &Services<'_>, b: &Map<String, Value>, after: &mut Vec<Stmt>) -> ApiResult {
    let name = required(b, "name", 100)?;
    let database = required(b, "database", 200)?;
    let browse = browse_pair(b)?;
    let (url, detected) = detect(svc, required(b, "url", 500)?).await?;
    let mut c = connections::insert(svc.db, name, &url, database, &detected, svc.now).await?;
    if let Some((login, key)) = browse {
        match browse_credentials_stmt(svc, &c, login, key).await {
            Ok(stmt) => {
                store::query(svc.db, stmt).await?;
                c.browse_login = Some(login.to_string());
            }
            Err(e) => {
                // Nothing half-made: the connection goes with its refused credentials.
                store::query(svc.db, Stmt::new("DELETE FROM connections WHERE id = ?1", vec![store::int(c.id)]))
                    .await?;
                return Err(e);
            }
        }
    }
    after.push(admin_audit(
        "connection.create",
        Some(c.id),
        &format!("{} {} {}", c.url, c.odoo_version, c.transport.as_str()),
        svc.now,
    ));
    Ok((201, json!(c)))
}

pub async fn update(svc: &Services<'_>, id: i64, b: &Map<String, Value>, after: &mut Vec<Stmt>) -> ApiResult {
    Ok((200, json!(update_record(svc, id, b, after).await?)))
}

async fn update_record(
    svc: &Services<'_>,
    id: i64,
    b: &Map<String, Value>,
    after: &mut Vec<Stmt>,
) -> Result<ConnectionRecord, ApiError> {
    let current = connections::get(svc.db, id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    let name = str_field(b, "name", 100)?.unwrap_or(&current.name).to_string();
    let database = str_field(b, "database", 200)?.unwrap_or(&current.database).to_string();
    let url = str_field(b, "url", 500)?.unwrap_or(&current.url).to_string();
    let browse = browse_pair(b)?;
    let (url, detected) = detect(svc, &url).await?;
    let probe = ConnectionRecord {
        url: url.clone(),
        database: database.clone(),
        odoo_major: detected.major,
        odoo_minor: detected.minor,
        transport: detected.transport,
        ..current.clone()
    };
    let browse_stmt = match browse {
        Some((login, key)) => Some(browse_credentials_stmt(svc, &probe, login, key).await?),
        None => None,
    };
    let mut c = connections::update(svc.db, id, &name, &url, &database, &detected, svc.now)
        .await?
        .ok_or_else(|| ApiError::not_found("connection"))?;
    c.browse_login = current.browse_login;
    if let (Some(stmt), Some((login, _))) = (browse_stmt, browse) {
        store::query(svc.db, stmt).await?;
        c.browse_login = Some(login.to_string());
    }
    // A new version or URL may change every model's fields.
    if (c.url.as_str(), c.database.as_str(), c.odoo_major, c.odoo_minor)
        != (current.url.as_str(), current.database.as_str(), current.odoo_major, current.odoo_minor)
    {
        schema::invalidate_all();
        after.push(store::schema_cache::clear(id));
    }
    after.push(admin_audit(
        "connection.update",
        Some(id),
        &format!("{} {} {}", c.url, c.odoo_version, c.transport.as_str()),
        svc.now,
    ));
    Ok(c)
}

/// `DELETE …/schema-cache`: forgets every model schema cached for the connection, in D1 and in this
/// isolate (other isolates re-check D1 on their next request for a model). For when the Odoo database
/// gained or lost fields, e.g. after a module install.
pub async fn clear_schema_cache(svc: &Services<'_>, id: i64, after: &mut Vec<Stmt>) -> ApiResult {
    connections::get(svc.db, id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    let cleared = store::query(
        svc.db,
        Stmt::new("DELETE FROM schema_cache WHERE connection_id = ?1 RETURNING model", vec![store::int(id)]),
    )
    .await?
    .len();
    schema::invalidate_all();
    after.push(admin_audit("connection.schema_cache_clear", Some(id), &format!("{cleared} cached schemas"), svc.now));
    Ok((200, json!({"connection_id": id, "cleared": cleared})))
}

/// Re-detects the version and transport (stored if they changed) and checks the browsing credentials.
pub async fn test(svc: &Services<'_>, id: i64, after: &mut Vec<Stmt>) -> ApiResult {
    let c = update_record(svc, id, &Map::new(), after).await?;
    let credentials = match connections::browse_credentials(svc.db, id).await? {
        None => {
            json!({"status": "not_set", "message": "no Odoo user set for browsing models; add odoo_login and odoo_api_key"})
        }
        Some((login, enc)) => match browse_client_key(svc, &enc) {
            Err(e) => json!({"status": "error", "message": e.message}),
            Ok(key) => match verify_user(svc, &c.odoo(), &login, &key).await {
                Ok(uid) => json!({"status": "ok", "login": login, "uid": uid}),
                Err(e) => json!({"status": "rejected", "login": login, "message": e.message}),
            },
        },
    };
    let mut out = json!(c);
    out["reachable"] = json!(true);
    out["credentials"] = credentials;
    Ok((200, out))
}

pub fn browse_client_key(svc: &Services<'_>, enc: &str) -> Result<String, ApiError> {
    let key = svc
        .settings
        .credentials_key
        .as_ref()
        .ok_or_else(|| ApiError::new(503, "not_configured", crypto::CryptoError::NotConfigured.to_string()))?;
    crypto::decrypt(key, enc).map_err(|e| ApiError::new(503, "credentials_unreadable", e.to_string()))
}

pub async fn models(svc: &Services<'_>, id: i64) -> ApiResult {
    connections::get(svc.db, id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    let rows = connections::model_permissions(svc.db, id).await?;
    let models: Vec<Value> = rows.iter().map(|(m, p)| permission_json(m, p)).collect();
    Ok((200, json!({"connection_id": id, "models": models})))
}

pub async fn set_permission(
    svc: &Services<'_>,
    id: i64,
    model: &str,
    b: &Map<String, Value>,
    after: &mut Vec<Stmt>,
) -> ApiResult {
    if !is_model_name(model) {
        return Err(ApiError::bad_request(format!(
            "'{}' is not a model name (e.g. res.partner)",
            store::truncate(model, 80)
        )));
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
        return Err(ApiError::bad_request(format!(
            "'{model}' is not a sensitive model; 'unlock_sensitive' does not apply"
        )));
    }
    let before = connections::model_permissions(svc.db, id)
        .await?
        .into_iter()
        .find(|(m, _)| m == model)
        .map(|(_, p)| p)
        .unwrap_or_default();
    connections::set_model_permission(svc.db, id, model, &p, svc.now).await?;
    let action = match (before.sensitive_unlocked, p.sensitive_unlocked) {
        (false, true) => "model.unlock_sensitive",
        (true, false) => "model.lock_sensitive",
        _ => "model.permissions",
    };
    after.push(admin_audit(
        action,
        Some(id),
        &format!(
            "{model} read={} create={} update={} delete={} unlock_sensitive={}",
            p.read, p.create, p.update, p.delete, p.sensitive_unlocked
        ),
        svc.now,
    ));
    let fields = match new_policy {
        Some(policy) => {
            connections::set_field_policy(svc.db, id, model, policy.as_ref(), svc.now).await?;
            let detail = match &policy {
                Some(fp) => format!(
                    "{model} {} {}",
                    if fp.mode == FieldMode::Allow { "allow" } else { "deny" },
                    fp.fields.join(",")
                ),
                None => format!("{model} no field policy"),
            };
            after.push(admin_audit("model.fields", Some(id), store::truncate(&detail, 900), svc.now));
            policy
        }
        None => before.fields,
    };
    Ok((200, permission_json(model, &ModelPermission { fields, ..p })))
}

pub fn permission_json(model: &str, p: &ModelPermission) -> Value {
    let mut v = json!({"model": model, "read": p.read, "create": p.create, "update": p.update, "delete": p.delete, "unlock_sensitive": p.sensitive_unlocked, "fields": p.fields});
    if let Some(reason) = sensitive_reason(model) {
        v["sensitive"] = json!(reason);
        if !p.sensitive_unlocked {
            v["blocked"] = json!(format!(
                "sensitive model ({reason}): refused to MCP clients unless unlocked with \"unlock_sensitive\": true"
            ));
        }
    }
    v
}
