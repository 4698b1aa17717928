//! Issuing, revoking and confirming MCP keys. A key is issued only after Odoo accepted the user's login
//! and API key; the MCP key is returned once and only its hash is kept; the Odoo API key is stored
//! encrypted. A key suspended by its connection's move (`moves.rs`) works again once confirmed.

use super::body::{BodyError, Secret, Text};
use super::{admin_audit, ApiError, ApiResult};
use crate::access::{Approval, Scope};
use crate::crypto;
use crate::json;
use crate::odoo::names::is_model_name;
use crate::platform::Stmt;
use crate::policy::keys;
use crate::services::Services;
use crate::store::{self, connections};
use serde::Deserialize;

/// How far ahead an expiry may be set; further than this is a typo (seconds for milliseconds, an
/// extra digit), and a key that long-lived should be rotated anyway.
const MAX_LIFETIME_MS: i64 = 3653 * 24 * 3600 * 1000;
/// The largest integer a JavaScript client (the console) reads exactly.
const MAX_SAFE_INTEGER: i64 = 1 << 53;

/// `POST /admin/api/keys`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    connection_id: i64,
    label: Text<200>,
    odoo_login: Text<200>,
    odoo_api_key: Secret<500>,
    /// Absent or null: every model and operation the connection enables.
    #[serde(default)]
    scope: Option<Scope>,
    #[serde(default)]
    rate_limit: Option<i64>,
    #[serde(default)]
    expires_at: Option<i64>,
    /// What the key runs only once its person approved it: "delete", "action". Absent: none.
    #[serde(default)]
    approval: Vec<Text<20>>,
    /// The companies it may use (the default first), its language and time zone (absent: the Odoo
    /// user's own).
    #[serde(default)]
    companies: Option<Vec<i64>>,
    #[serde(default)]
    lang: Option<Text<20>>,
    #[serde(default)]
    tz: Option<Text<64>>,
}

/// `PUT /admin/api/keys/{id}/approval`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalBody {
    approval: Vec<Text<20>>,
}

/// The operations named in an `approval` list, each one that can need approval.
pub(super) fn checked_approval(names: &[Text<20>]) -> Result<Approval, BodyError> {
    let names: Vec<&str> = names.iter().map(Text::as_str).collect();
    Approval::from_names(&names).map_err(|bad| {
        BodyError::invalid(
            "approval",
            format!("'{bad}' cannot need approval: list \"delete\" and/or \"action\" (or nothing)"),
        )
    })
}

/// What a key's scope may say: something (an empty scope narrows nothing and is a mistake), no empty
/// list, only model names. That the models are enabled on the connection is checked in `issue`.
pub(super) fn checked_scope(scope: Scope) -> Result<Scope, BodyError> {
    if scope.models.is_none() && scope.operations.is_none() && scope.actions.is_none() {
        return Err(BodyError::invalid(
            "scope",
            "must narrow something: give 'models', 'operations' and/or 'actions', or leave 'scope' out for \
             every model, operation and action the connection enables",
        ));
    }
    let mut scope = scope;
    if let Some(models) = &mut scope.models {
        if models.is_empty() {
            return Err(BodyError::invalid("scope.models", "must not be empty (the key could use no model)"));
        }
        if let Some(i) = models.iter().position(|m| !is_model_name(m)) {
            return Err(BodyError::invalid(format!("scope.models[{i}]"), "is not a model name (e.g. res.partner)"));
        }
        *models = crate::text::sorted_unique(std::mem::take(models));
    }
    if let Some(ops) = &mut scope.operations {
        if ops.is_empty() {
            return Err(BodyError::invalid("scope.operations", "must not be empty (the key could do nothing)"));
        }
        // In `Operation::ALL`'s order, which is theirs (`Ord`), each once: a filter, not a sort.
        *ops = crate::access::Operation::ALL.into_iter().filter(|op| ops.contains(op)).collect();
    }
    if let Some(actions) = scope.actions.take() {
        if actions.is_empty() {
            return Err(BodyError::invalid(
                "scope.actions",
                "must not be empty (leave 'action' out of 'operations' for a key that runs no action)",
            ));
        }
        let checked = crate::access::validated_actions(actions)
            .map_err(|e| BodyError::invalid("scope.actions", format!("refused: {e}")))?;
        scope.actions = Some(checked);
    }
    Ok(scope)
}

fn checked_expiry(expires_at: i64, now: i64) -> Result<i64, BodyError> {
    let field = "expires_at";
    if expires_at > MAX_SAFE_INTEGER {
        return Err(BodyError::invalid(field, "must be at most 2^53 (milliseconds since the epoch)"));
    }
    if expires_at <= now {
        return Err(BodyError::invalid(field, "must be a future time in milliseconds since the epoch"));
    }
    if expires_at > now.saturating_add(MAX_LIFETIME_MS) {
        return Err(BodyError::invalid(field, "must be within ten years (milliseconds since the epoch, not seconds)"));
    }
    Ok(expires_at)
}

/// A scope may name only models the connection enables (for some operation): it narrows, never widens.
pub(super) async fn models_enabled(svc: &Services<'_>, connection_id: i64, scope: &Scope) -> Result<(), ApiError> {
    let Some(models) = &scope.models else { return Ok(()) };
    let enabled = connections::model_permissions(svc.db, connection_id).await?;
    if let Some(m) = models
        .iter()
        .find(|m| !enabled.iter().any(|(e, p)| e == *m && crate::access::Operation::ALL.iter().any(|op| p.allows(*op))))
    {
        return Err(BodyError::invalid(
            "scope.models",
            format!("names '{m}', which is not enabled on this connection: enable it first, or leave it out"),
        )
        .into());
    }
    Ok(())
}

/// `origin` is this Worker's own origin, for the client snippets (`{origin}/mcp`).
pub async fn issue(svc: &Services<'_>, b: IssueBody, origin: &str, after: &mut Vec<Stmt>) -> ApiResult {
    let connection_id = b.connection_id;
    let (label, login, odoo_api_key) = (b.label.as_str(), b.odoo_login.as_str(), b.odoo_api_key.expose());
    let scope = b.scope.map(checked_scope).transpose()?;
    if b.rate_limit.is_some_and(|n| !(1..=100_000).contains(&n)) {
        return Err(BodyError::invalid("rate_limit", "must be requests per minute, 1 to 100000").into());
    }
    let rate_limit = b.rate_limit;
    let approval = checked_approval(&b.approval)?;
    let expires_at = b.expires_at.map(|t| checked_expiry(t, svc.now)).transpose()?;
    let cred_key = svc
        .settings
        .credentials_key
        .as_ref()
        .ok_or_else(|| ApiError::new(503, "not_configured", crypto::CryptoError::NotConfigured.to_string()))?;
    let conn = connections::get(svc.db, connection_id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    if let Some(scope) = &scope {
        models_enabled(svc, connection_id, scope).await?;
    }
    // The credentials must work before a key that depends on them exists.
    let uid = super::connections::verify_user(svc, &conn.odoo(), login, odoo_api_key).await?;
    let wanted = super::key_context::ContextBody { companies: b.companies, lang: b.lang, tz: b.tz };
    let context = super::key_context::checked(svc, &conn.odoo(), login, odoo_api_key, uid, &wanted).await?;

    let new_key = keys::generate().map_err(|e| ApiError::new(500, "no_randomness", e))?;
    let enc =
        crypto::encrypt(cred_key, odoo_api_key).map_err(|e| ApiError::new(500, "encryption_failed", e.to_string()))?;
    let scope_json = scope.as_ref().map(|s| json!(s).to_string());
    let row = store::keys::NewKeyRow {
        checked_url: &conn.url,
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
        approval,
        context,
    };
    let summary = store::keys::insert(svc.db, &row, svc.now).await?.ok_or_else(|| {
        ApiError::new(
            409,
            "connection_moved",
            "the connection's Odoo address changed while the key was being issued; issue it again",
        )
    })?;
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

/// Sets what a key runs only once its person approved it; it holds from the key's next request.
pub async fn set_approval(svc: &Services<'_>, id: i64, b: ApprovalBody, after: &mut Vec<Stmt>) -> ApiResult {
    let approval = checked_approval(&b.approval)?;
    let key =
        store::keys::set_approval(svc.db, id, approval, svc.now).await?.ok_or_else(|| ApiError::not_found("key"))?;
    let rule = match approval.names() {
        names if names.is_empty() => "none".to_string(),
        names => names.join(", "),
    };
    after.push(admin_audit(
        "key.approval",
        Some(key.connection_id),
        &format!("key {} ({}): approval before {rule}", key.id, key.prefix),
        svc.now,
    ));
    Ok((200, json!(key)))
}

/// Revokes a key at once. Revoking a revoked key changes nothing and writes no second audit row.
pub async fn revoke(svc: &Services<'_>, id: i64, after: &mut Vec<Stmt>) -> ApiResult {
    let (k, revoked_now) = store::keys::revoke(svc.db, id, svc.now).await?.ok_or_else(|| ApiError::not_found("key"))?;
    if revoked_now {
        after.push(admin_audit("key.revoke", Some(k.connection_id), &format!("key {} ({})", k.id, k.prefix), svc.now));
    }
    Ok((200, json!(k)))
}

/// `POST /admin/api/keys/{id}/confirm`: lifts a key's suspension after its connection moved (see
/// `moves.rs`): from now on its Odoo credentials are sent to the connection's new address.
pub async fn confirm(svc: &Services<'_>, id: i64, after: &mut Vec<Stmt>) -> ApiResult {
    let (k, lifted) = store::keys::confirm(svc.db, id).await?.ok_or_else(|| ApiError::not_found("key"))?;
    if let Some(s) = lifted {
        after.push(admin_audit(
            "key.confirm",
            Some(k.connection_id),
            &format!("key {} ({}) confirmed for {} (given for {})", k.id, k.prefix, s.to, s.from),
            svc.now,
        ));
    }
    Ok((200, json!(k)))
}
