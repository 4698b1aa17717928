//! What the console needs to pick models and fields: the connection's models from `ir.model` and a
//! model's fields from `fields_get`, read as the connection's browsing user (never an MCP key's user),
//! each merged with the permissions in force; and whether a model exists, before a permission is set.

use super::connections::browse_client_key;
use super::views::permission_json;
use super::{ApiError, ApiResult};
use crate::access::ModelPermission;
use crate::json;
use crate::odoo::call::Call;
use crate::odoo::names::is_model_name;
use crate::odoo::{Connection, OdooClient, OdooErrorKind};
use crate::services::Services;
use crate::store::connections;
use crate::store::schema_cache;
use serde_json::Value;
use std::cell::Cell;

const MAX_MODELS: i64 = 200;

/// `GET …/odoo-models?q=`: the connection's (non-transient) models whose name or label matches `q`.
pub async fn models(svc: &Services<'_>, id: i64, q: &str) -> ApiResult {
    let user = BrowseUser::load(svc, id).await?;
    let uid = Cell::new(None);
    let client = user.client(svc, &uid);
    let q = q.trim();
    let mut domain = vec![json!(["transient", "=", false])];
    if !q.is_empty() {
        domain.extend([json!("|"), json!(["model", "ilike", q]), json!(["name", "ilike", q])]);
    }
    let call = Call {
        model: "ir.model",
        method: "search_read",
        ids: None,
        params: vec![
            ("domain", json!(domain)),
            ("fields", json!(["model", "name"])),
            ("limit", json!(MAX_MODELS + 1)),
            ("order", json!("model")),
        ],
        positional: 1,
    };
    let rows = match client.call(&call).await.map_err(odoo_failure)? {
        Value::Array(rows) => rows,
        _ => return Err(ApiError::new(502, "odoo_answer", "Odoo's ir.model answer is not a list")),
    };
    let permissions = connections::model_permissions(svc.db, id).await?;
    let truncated = rows.len() as i64 > MAX_MODELS;
    let models: Vec<Value> = rows
        .iter()
        .take(MAX_MODELS as usize)
        .filter_map(|r| Some((r.get("model")?.as_str()?, r.get("name").and_then(Value::as_str).unwrap_or(""))))
        .filter(|(m, _)| is_model_name(m))
        .map(|(m, label)| {
            let p = permissions
                .iter()
                .find(|(pm, _)| pm == m)
                .map(|(_, p)| p.clone())
                .unwrap_or_else(ModelPermission::default);
            let mut v = permission_json(m, &p);
            v["name"] = json!(label);
            v
        })
        .collect();
    Ok((200, json!({"connection_id": id, "query": q, "models": models, "truncated": truncated})))
}

/// `GET …/odoo-models/{model}/fields`: the model's fields (name, label, type) for a field policy, each with
/// what Odoo computes it from (`depends`, with a related field's path), so that an administrator sees
/// which fields carry another's value before choosing.
pub async fn fields(svc: &Services<'_>, id: i64, model: &str) -> ApiResult {
    if !is_model_name(model) {
        return Err(ApiError::bad_request("not a model name"));
    }
    let user = BrowseUser::load(svc, id).await?;
    let uid = Cell::new(None);
    let client = user.client(svc, &uid);
    let s = match schema_cache::browse_fields(&client, &user.conn, &user.login, model, svc.now).await {
        Ok(s) => s,
        // JSON-2 answers 404 for an unknown model, /jsonrpc a UserError in the user's language: ask
        // ir.model rather than read the message.
        Err(e) if matches!(e.kind, OdooErrorKind::NotFound | OdooErrorKind::UserError) => {
            return Err(match exists(&client, model).await {
                Ok(false) => unknown_model(model),
                _ => odoo_failure(e),
            })
        }
        Err(e) => return Err(odoo_failure(e)),
    };
    let fields: Vec<Value> = s
        .fields
        .values()
        .map(|f| {
            let mut computed_from = f.depends.clone();
            computed_from.extend(f.related.iter().filter(|r| !f.depends.contains(r)).cloned());
            json!({"name": f.name, "label": f.label, "type": f.ftype, "relation": f.relation, "computed_from": computed_from})
        })
        .collect();
    Ok((200, json!({"model": model, "fields": fields})))
}

/// Whether Odoo has `model`, asked as the connection's browsing user; `None` when it has none.
pub async fn model_exists(svc: &Services<'_>, id: i64, model: &str) -> Result<Option<bool>, ApiError> {
    let Some(user) = BrowseUser::load_optional(svc, id).await? else {
        return Ok(None);
    };
    let uid = Cell::new(None);
    exists(&user.client(svc, &uid), model).await.map(Some).map_err(|e| {
        ApiError::new(502, "odoo_error", format!("could not look the model up in Odoo: {}", e.user_message()))
    })
}

async fn exists(client: &OdooClient<'_>, model: &str) -> Result<bool, crate::odoo::OdooError> {
    let call = Call {
        model: "ir.model",
        method: "search_read",
        ids: None,
        params: vec![("domain", json!([["model", "=", model]])), ("fields", json!(["model"])), ("limit", json!(1))],
        positional: 1,
    };
    Ok(matches!(client.call(&call).await?, Value::Array(rows) if !rows.is_empty()))
}

fn unknown_model(model: &str) -> ApiError {
    ApiError::new(404, "unknown_model", format!("Odoo has no model '{model}'"))
}

/// A connection's browsing user, decrypted for one admin request.
struct BrowseUser {
    conn: Connection,
    login: String,
    key: String,
}

impl BrowseUser {
    async fn load(svc: &Services<'_>, id: i64) -> Result<BrowseUser, ApiError> {
        BrowseUser::load_optional(svc, id).await?.ok_or_else(no_browse_user)
    }

    async fn load_optional(svc: &Services<'_>, id: i64) -> Result<Option<BrowseUser>, ApiError> {
        let c = connections::get(svc.db, id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
        let Some((login, enc)) = connections::browse_credentials(svc.db, id).await? else {
            return Ok(None);
        };
        Ok(Some(BrowseUser { key: browse_client_key(svc, &enc)?, conn: c.odoo(), login }))
    }

    fn client<'a>(&'a self, svc: &'a Services<'_>, uid: &'a Cell<Option<i64>>) -> OdooClient<'a> {
        OdooClient::new(svc.http, &self.conn, &self.login, &self.key, uid, svc.settings.odoo_timeout_ms)
    }
}

fn no_browse_user() -> ApiError {
    ApiError::new(
        409,
        "no_browse_user",
        "set an Odoo user on this connection (odoo_login and odoo_api_key) to list its models and fields",
    )
}

fn odoo_failure(e: crate::odoo::OdooError) -> ApiError {
    ApiError::new(502, "odoo_error", format!("Odoo answered: {}", e.user_message()))
}
