//! OAuth as the administrator controls it: per connection, whether its sign-in is offered, who may
//! connect (anyone of its Odoo database, listed logins, or "ask me"), a grant's default scope (never
//! wider than the connection's model permissions) and rate limit; the grants beside the keys
//! (approve, refuse, revoke: its tokens stop at once); the clients (pre-register one that needs a fixed
//! id, block one).

use super::body::{BodyError, Text};
use super::keys::{checked_scope, models_enabled};
use super::{admin_audit, ApiError, ApiResult};
use crate::access::{Approval, Scope};
use crate::json;
use crate::oauth::redirect;
use crate::platform::Stmt;
use crate::policy::tokens;
use crate::services::Services;
use crate::store::connections;
use crate::store::oauth::clients::{self, ClientRow};
use crate::store::oauth::grants;
use crate::store::oauth::settings::{self, OAuthSettings};
use serde::Deserialize;

/// `PUT /admin/api/connections/{id}/oauth`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    enabled: bool,
    /// any, list or ask.
    who: Text<10>,
    #[serde(default)]
    logins: Vec<Text<200>>,
    /// Absent or null: read only, on every model the connection enables.
    #[serde(default)]
    scope: Option<Scope>,
    #[serde(default)]
    rate_limit: Option<i64>,
    /// What a new grant runs only once its person approved it: "delete", "action". Absent: none.
    #[serde(default)]
    approval: Vec<Text<20>>,
}

fn settings_json(s: &OAuthSettings) -> serde_json::Value {
    json!({
        "connection_id": s.connection_id,
        "enabled": s.enabled,
        "who": s.who,
        "logins": s.logins,
        "scope": s.scope.clone().unwrap_or_else(|| json!({"operations": ["read"]})),
        "rate_limit": s.rate_limit,
        "approval": s.approval.names(),
        "updated_at": s.updated_at,
    })
}

pub async fn get_settings(svc: &Services<'_>, connection_id: i64) -> ApiResult {
    connections::get(svc.db, connection_id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    let s = settings::for_connection(svc.db, connection_id).await?.unwrap_or(OAuthSettings {
        connection_id,
        enabled: false,
        who: "ask".into(),
        logins: Vec::new(),
        scope: None,
        rate_limit: None,
        approval: Approval::default(),
        updated_at: 0,
    });
    Ok((200, settings_json(&s)))
}

pub async fn put_settings(svc: &Services<'_>, connection_id: i64, b: SettingsBody, after: &mut Vec<Stmt>) -> ApiResult {
    connections::get(svc.db, connection_id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    let who = b.who.as_str();
    if !matches!(who, "any" | "list" | "ask") {
        return Err(BodyError::invalid("who", "must be any (every user of the Odoo database), list (the logins given) or ask (an administrator approves each)").into());
    }
    if who == "list" && b.logins.is_empty() {
        return Err(BodyError::invalid("logins", "must name at least one Odoo login when who is list").into());
    }
    if b.logins.len() > 500 {
        return Err(BodyError::invalid("logins", "at most 500 logins").into());
    }
    if b.rate_limit.is_some_and(|n| !(1..=100_000).contains(&n)) {
        return Err(BodyError::invalid("rate_limit", "must be requests per minute, 1 to 100000").into());
    }
    let scope = b.scope.map(checked_scope).transpose()?;
    if let Some(scope) = &scope {
        models_enabled(svc, connection_id, scope).await?;
    }
    let approval = super::keys::checked_approval(&b.approval)?;
    let mut logins: Vec<String> = b.logins.into_iter().map(Text::into_string).collect();
    logins.sort_by_key(|l| crate::platform::lowercase(l));
    logins.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let s = OAuthSettings {
        connection_id,
        enabled: b.enabled,
        who: who.into(),
        logins,
        scope: scope.map(|s| json!(s)),
        rate_limit: b.rate_limit,
        approval,
        updated_at: svc.now,
    };
    svc.db.batch(settings::save(&s)).await.map_err(crate::store::StoreError::from)?;
    let state = if s.enabled { format!("on, who may connect: {}", s.who) } else { "off".into() };
    after.push(admin_audit("oauth.settings", Some(connection_id), &format!("OAuth sign-in {state}"), svc.now));
    Ok((200, settings_json(&s)))
}

pub async fn list_grants(svc: &Services<'_>) -> ApiResult {
    Ok((200, json!({"grants": grants::list(svc.db).await?})))
}

/// `POST /admin/api/oauth/grants/{id}/approve|refuse`.
pub async fn decide(svc: &Services<'_>, key_id: i64, approve: bool, after: &mut Vec<Stmt>) -> ApiResult {
    let grant = grants::find(svc.db, key_id).await?.ok_or_else(|| ApiError::not_found("grant"))?;
    if !grants::decide(svc.db, key_id, approve, svc.now).await? {
        return Err(ApiError::new(
            409,
            "not_pending",
            format!("this grant is {}, not waiting for a decision", grant.status),
        ));
    }
    let verb = if approve { "approve" } else { "refuse" };
    let detail =
        format!("grant {key_id}: {} for client {}", grant.odoo_login, crate::text::truncate(&grant.client_id, 120));
    after.push(admin_audit(&format!("oauth.{verb}"), Some(grant.connection_id), &detail, svc.now));
    let decided = grants::find(svc.db, key_id).await?.ok_or_else(|| ApiError::not_found("grant"))?;
    Ok((200, json!(decided)))
}

/// `POST /admin/api/oauth/grants/{id}/revoke`: the grant's tokens stop working at once.
pub async fn revoke(svc: &Services<'_>, key_id: i64, after: &mut Vec<Stmt>) -> ApiResult {
    let grant = grants::find(svc.db, key_id).await?.ok_or_else(|| ApiError::not_found("grant"))?;
    let results = svc.db.batch(grants::revoke(key_id, svc.now)).await.map_err(crate::store::StoreError::from)?;
    if results.first().is_some_and(|rows| !rows.is_empty()) {
        let detail =
            format!("grant {key_id}: {} for client {}", grant.odoo_login, crate::text::truncate(&grant.client_id, 120));
        after.push(admin_audit("oauth.revoke", Some(grant.connection_id), &detail, svc.now));
    }
    let revoked = grants::find(svc.db, key_id).await?.ok_or_else(|| ApiError::not_found("grant"))?;
    Ok((200, json!(revoked)))
}

pub async fn list_clients(svc: &Services<'_>) -> ApiResult {
    Ok((200, json!({"clients": clients::list(svc.db).await?})))
}

/// `POST /admin/api/oauth/clients`: a client with a fixed id, for one that cannot register itself.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewClientBody {
    client_name: Text<200>,
    redirect_uris: Vec<Text<2000>>,
    /// A confidential client gets a secret (shown once); a public one proves itself with PKCE alone.
    #[serde(default)]
    confidential: bool,
}

pub async fn create_client(svc: &Services<'_>, b: NewClientBody, after: &mut Vec<Stmt>) -> ApiResult {
    if b.redirect_uris.is_empty() || b.redirect_uris.len() > 10 {
        return Err(BodyError::invalid("redirect_uris", "must list 1 to 10 redirect URIs").into());
    }
    for (i, uri) in b.redirect_uris.iter().enumerate() {
        redirect::check_registrable(uri.as_str())
            .map_err(|why| BodyError::invalid(format!("redirect_uris[{i}]"), why.to_string()))?;
    }
    let no_randomness = |_| ApiError::new(500, "no_randomness", "no randomness available");
    let client_id = tokens::client_id().map_err(no_randomness)?;
    let secret =
        if b.confidential { Some(tokens::issue(tokens::Kind::ClientSecret).map_err(no_randomness)?) } else { None };
    let row = ClientRow {
        client_id: client_id.clone(),
        source: "admin".into(),
        name: Some(b.client_name.into_string()),
        client_uri: None,
        redirect_uris: b.redirect_uris.into_iter().map(Text::into_string).collect(),
        auth_method: if b.confidential { "client_secret_basic" } else { "none" }.into(),
        secret_hash: secret.as_ref().map(|s| s.hash.clone()),
        created_at: svc.now,
        fetched_at: None,
        last_used_at: None,
        blocked_at: None,
    };
    svc.db.batch(vec![clients::save(&row)]).await.map_err(crate::store::StoreError::from)?;
    after.push(admin_audit("oauth.client_create", None, &format!("client {client_id}"), svc.now));
    let mut out = json!(row);
    if let Some(secret) = secret {
        out["client_secret"] = json!(secret.secret);
        out["notice"] = json!("This is the only time the client secret is shown. Store it now.");
    }
    Ok((201, out))
}

/// `POST /admin/api/oauth/clients/block|unblock` with `{"client_id": …}` (an id may be a URL, so it
/// travels in the body, not the path). Blocking revokes the client's grants.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientRef {
    client_id: Text<2000>,
}

pub async fn block(svc: &Services<'_>, b: ClientRef, blocked: bool, after: &mut Vec<Stmt>) -> ApiResult {
    let client_id = b.client_id.as_str();
    let mut stmts = vec![clients::set_blocked(client_id, blocked.then_some(svc.now))];
    let live = if blocked { grants::live_for_client(svc.db, client_id).await? } else { Vec::new() };
    for key_id in &live {
        stmts.extend(grants::revoke(*key_id, svc.now));
    }
    let results = svc.db.batch(stmts).await.map_err(crate::store::StoreError::from)?;
    if results.first().is_none_or(|rows| rows.is_empty()) {
        return Err(ApiError::not_found("client"));
    }
    let verb = if blocked { "block" } else { "unblock" };
    let detail = format!("client {} ({} grants revoked)", crate::text::truncate(client_id, 200), live.len());
    after.push(admin_audit(&format!("oauth.client_{verb}"), None, &detail, svc.now));
    let client = clients::find(svc.db, client_id).await?.ok_or_else(|| ApiError::not_found("client"))?;
    Ok((200, json!(client)))
}
