//! Model permissions and field policies on a connection: list, set (a new model is first looked up in
//! Odoo when the connection has a browsing user), and remove.

use super::body::{BodyError, Patch};
use super::views::permission_json;
use super::{admin_audit, browse, ApiError, ApiResult};
use crate::access::{FieldMode, FieldPolicy, ModelPermission};
use crate::json;
use crate::odoo::names::is_model_name;
use crate::platform::Stmt;
use crate::policy::permissions::sensitive_reason;
use crate::services::Services;
use crate::store::connections;
use serde::Deserialize;
use serde_json::Value;

/// `PUT …/models/{model}`: absent (or null) flags are false, and absent (or null) `actions` none;
/// absent `fields` keeps the policy in force, `null` removes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionBody {
    #[serde(default)]
    read: Option<bool>,
    #[serde(default)]
    create: Option<bool>,
    #[serde(default)]
    update: Option<bool>,
    #[serde(default)]
    delete: Option<bool>,
    #[serde(default)]
    unlock_sensitive: Option<bool>,
    #[serde(default)]
    fields: Patch<FieldPolicy>,
    /// The button methods a key may call on the model (`odoo_action`), e.g. `["action_confirm"]`.
    #[serde(default)]
    actions: Option<Vec<String>>,
}

pub async fn list(svc: &Services<'_>, id: i64) -> ApiResult {
    connections::get(svc.db, id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    let rows = connections::model_permissions(svc.db, id).await?;
    let models: Vec<Value> = rows.iter().map(|(m, p)| permission_json(m, p)).collect();
    Ok((200, json!({"connection_id": id, "models": models})))
}

fn model_name(model: &str) -> Result<(), ApiError> {
    if is_model_name(model) {
        return Ok(());
    }
    Err(ApiError::bad_request(format!("'{}' is not a model name (e.g. res.partner)", crate::text::truncate(model, 80))))
}

pub async fn set(svc: &Services<'_>, id: i64, model: &str, b: PermissionBody, after: &mut Vec<Stmt>) -> ApiResult {
    model_name(model)?;
    connections::get(svc.db, id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    let flag = |v: Option<bool>| v.unwrap_or(false);
    let p = ModelPermission {
        read: flag(b.read),
        create: flag(b.create),
        update: flag(b.update),
        delete: flag(b.delete),
        sensitive_unlocked: flag(b.unlock_sensitive),
        fields: None,
        actions: crate::access::validated_actions(b.actions.unwrap_or_default())
            .map_err(|e| BodyError::invalid("actions", format!("refused: {e}")))?,
    };
    // Absent `fields` keeps the policy in force: re-sending the flags must never widen what a key sees.
    let new_policy = match b.fields {
        Patch::Absent => None,
        Patch::Null => Some(None),
        Patch::Set(policy) => {
            Some(Some(policy.validated().map_err(|e| ApiError::bad_request(format!("'fields': {e}")))?))
        }
    };
    if p.sensitive_unlocked && sensitive_reason(model).is_none() {
        return Err(BodyError::invalid(
            "unlock_sensitive",
            format!("does not apply: '{model}' is not a sensitive model"),
        )
        .into());
    }
    let existing =
        connections::model_permissions(svc.db, id).await?.into_iter().find(|(m, _)| m == model).map(|(_, p)| p);
    if existing.is_none() && browse::model_exists(svc, id, model).await? == Some(false) {
        // A row for a model Odoo does not have would sit in the list doing nothing (or start working
        // under a name nobody chose, once a module adds it).
        return Err(ApiError::new(
            404,
            "unknown_model",
            format!("Odoo has no model '{model}' (looked up in ir.model as the connection's browsing user)"),
        ));
    }
    let before = existing.unwrap_or_default();
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
            "{model} read={} create={} update={} delete={} unlock_sensitive={} actions={}",
            p.read,
            p.create,
            p.update,
            p.delete,
            p.sensitive_unlocked,
            if p.actions.is_empty() { "none".to_string() } else { p.actions.join(",") }
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
            after.push(admin_audit("model.fields", Some(id), crate::text::truncate(&detail, 900), svc.now));
            policy
        }
        None => before.fields,
    };
    Ok((200, permission_json(model, &ModelPermission { fields, ..p })))
}

/// `DELETE …/models/{model}`: the model's permissions and field policy go; it is refused again.
pub async fn remove(svc: &Services<'_>, id: i64, model: &str, after: &mut Vec<Stmt>) -> ApiResult {
    model_name(model)?;
    connections::get(svc.db, id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    if !connections::remove_model_permission(svc.db, id, model).await? {
        return Err(ApiError::not_found("permission for this model"));
    }
    after.push(admin_audit("model.remove", Some(id), model, svc.now));
    Ok((200, json!({"connection_id": id, "model": model, "removed": true})))
}
