//! Issuing and revoking MCP keys. A key is issued only after Odoo accepted the user's login and API key;
//! the MCP key is returned once and only its hash is kept; the Odoo API key is stored encrypted.

use super::{admin_audit, required, str_field, ApiError, ApiResult};
use crate::platform::Stmt;
use crate::policy::permissions::Scope;
use crate::policy::{crypto, keys};
use crate::store::{self, connections};
use crate::Services;
use serde_json::{json, Map, Value};

/// `origin` is this Worker's own origin, for the client snippets (`{origin}/mcp`).
pub async fn issue(svc: &Services<'_>, b: &Map<String, Value>, origin: &str, after: &mut Vec<Stmt>) -> ApiResult {
    let connection_id = b
        .get("connection_id")
        .and_then(Value::as_i64)
        .ok_or_else(|| ApiError::bad_request("'connection_id' is required (an integer)"))?;
    let label = required(b, "label", 200)?;
    let login = required(b, "odoo_login", 200)?;
    let odoo_api_key = required(b, "odoo_api_key", 500)?;
    let scope = match b.get("scope") {
        None | Some(Value::Null) => None,
        Some(v) => Some(serde_json::from_value::<Scope>(v.clone()).map_err(|e| {
            ApiError::bad_request(format!(
                "'scope' is invalid: {e}; expected {{\"models\": [...], \"operations\": [\"read\", ...]}}"
            ))
        })?),
    };
    let rate_limit = match b.get("rate_limit") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_i64()
                .filter(|n| (1..=100_000).contains(n))
                .ok_or_else(|| ApiError::bad_request("'rate_limit' must be requests per minute, 1 to 100000"))?,
        ),
    };
    let expires_at = match b.get("expires_at") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_i64().filter(|t| *t > svc.now).ok_or_else(|| {
            ApiError::bad_request("'expires_at' must be a future time in milliseconds since the epoch")
        })?),
    };
    let _ = str_field(b, "note", 500)?;
    let cred_key = svc
        .settings
        .credentials_key
        .as_ref()
        .ok_or_else(|| ApiError::new(503, "not_configured", crypto::CryptoError::NotConfigured.to_string()))?;
    let conn = connections::get(svc.db, connection_id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    // The credentials must work before a key that depends on them exists.
    let uid = super::connections::verify_user(svc, &conn.odoo(), login, odoo_api_key).await?;

    let new_key = keys::generate().map_err(|e| ApiError::new(500, "no_randomness", e))?;
    let enc =
        crypto::encrypt(cred_key, odoo_api_key).map_err(|e| ApiError::new(500, "encryption_failed", e.to_string()))?;
    let scope_json = scope.as_ref().map(|s| json!(s).to_string());
    let row = store::keys::NewKeyRow {
        key_hash: &new_key.hash,
        prefix: &new_key.display_prefix,
        label,
        connection_id,
        odoo_login: login,
        odoo_key_enc: &enc,
        odoo_uid: Some(uid),
        scope_json: scope_json.as_deref(),
        rate_limit,
        expires_at,
    };
    let summary = store::keys::insert(svc.db, &row, svc.now).await?;
    after.push(admin_audit(
        "key.issue",
        Some(connection_id),
        &format!("key {} ({}) for Odoo user {login}", summary.id, summary.prefix),
        svc.now,
    ));
    let mut out = json!(summary);
    out["key"] = json!(new_key.secret);
    out["notice"] = json!("This is the only time the key is shown. Store it now.");
    let endpoint = format!("{origin}/mcp");
    out["snippets"] = super::snippets::for_key(&endpoint, &new_key.secret);
    out["endpoint"] = json!(endpoint);
    Ok((201, out))
}

pub async fn revoke(svc: &Services<'_>, id: i64, after: &mut Vec<Stmt>) -> ApiResult {
    let k = store::keys::revoke(svc.db, id, svc.now).await?.ok_or_else(|| ApiError::not_found("key"))?;
    after.push(admin_audit("key.revoke", Some(k.connection_id), &format!("key {} ({})", k.id, k.prefix), svc.now));
    Ok((200, json!(k)))
}
