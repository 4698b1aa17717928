//! The token endpoint (`POST /token`, OAuth 2.1 §3.2): an authorization code for the first tokens,
//! a refresh token for the next. A code or refresh token works once; presented again, it means someone
//! else has it, and the whole grant is revoked (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2). Every answer is
//! `no-store`, and an error never echoes what the client sent.

use super::client_auth;
use super::error::OAuthError;
use super::params::Params;
use super::resource::Issuer;
use super::{pkce, scope};
use crate::access::{Operation, Scope};
use crate::http::{HttpRequest, HttpResponse, Outcome};
use crate::json;
use crate::platform::Stmt;
use crate::policy::failures::{self, Counted};
use crate::policy::tokens::{self, Kind as Secret, ACCESS_TTL_MS, REFRESH_IDLE_TTL_MS};
use crate::services::Services;
use crate::store::oauth::clients::ClientRow;
use crate::store::oauth::grants::{self, GrantSummary};
use crate::store::oauth::tokens::{self as rows, Kind, NewToken, Taken};
use serde::{Deserialize, Serialize};

/// What an authorization code remembers of its request (stored with it as JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeDetail {
    pub redirect_uri: String,
    /// Whether the authorization request named the redirect (then the token request must too).
    pub redirect_named: bool,
    pub code_challenge: String,
}

fn json_response(status: u16, body: &serde_json::Value) -> HttpResponse {
    HttpResponse::json(status, body).with_header("cache-control", "no-store").with_header("pragma", "no-cache")
}

pub fn error_response(e: &OAuthError) -> HttpResponse {
    let r = json_response(e.status, &e.body());
    if e.status == 401 {
        r.with_header("www-authenticate", "Basic realm=\"odoo-mcp\"")
    } else {
        r
    }
}

pub async fn handle(req: &HttpRequest, svc: &Services<'_>) -> Outcome {
    let network = failures::client_of(req, svc.settings);
    if let Some(refusal) = throttled(svc, &network).await {
        return refusal.into();
    }
    let mut after = Vec::new();
    let response = match token(req, svc, &mut after).await {
        Ok(body) => json_response(200, &body),
        Err(e) => {
            // Guessing codes, tokens or client secrets costs the address its minute's allowance of
            // failures, as a wrong key does on /mcp.
            if matches!(e.code, "invalid_grant" | "invalid_client") {
                let _: Counted = failures::count_now(svc.db, &network, svc.now).await;
            }
            error_response(&e)
        }
    };
    Outcome::new(response, after)
}

/// 429 when the address has used up this minute's failures (`AUTH_FAILURES_PER_MINUTE`).
pub async fn throttled(svc: &Services<'_>, network: &crate::store::failures::Client) -> Option<HttpResponse> {
    let blocked = svc.db.batch(vec![crate::store::failures::blocked(network, svc.now)]).await;
    if !blocked.is_ok_and(|r| r.iter().any(|rows| !rows.is_empty())) {
        return None;
    }
    let e = OAuthError::slow_down("too many failed attempts from this address; wait a minute");
    Some(error_response(&e).with_header("retry-after", failures::retry_after_s(svc.now).to_string()))
}

async fn token(req: &HttpRequest, svc: &Services<'_>, after: &mut Vec<Stmt>) -> Result<serde_json::Value, OAuthError> {
    let form = form_body(req)?;
    let client = client_auth::authenticate(svc.db, req, &form).await?;
    let issuer = Issuer::of(&req.origin).ok_or_else(|| OAuthError::invalid_request("unknown server address"))?;
    match form.require("grant_type")? {
        "authorization_code" => redeem_code(svc, &form, &client, &issuer, after).await,
        "refresh_token" => refresh(svc, &form, &client, &issuer, after).await,
        _ => Err(OAuthError::new("unsupported_grant_type", "use authorization_code or refresh_token")),
    }
}

/// The form of a token or revocation request (`application/x-www-form-urlencoded`, RFC 6749 §3.2).
pub fn form_body(req: &HttpRequest) -> Result<Params, OAuthError> {
    if req.method != "POST" {
        return Err(OAuthError::invalid_request("use POST"));
    }
    let form = req
        .header("content-type")
        .and_then(|c| c.split(';').next())
        .is_some_and(|c| c.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    if !form {
        return Err(OAuthError::invalid_request("the body must be application/x-www-form-urlencoded"));
    }
    let body = std::str::from_utf8(&req.body).map_err(|_| OAuthError::invalid_request("the body is not UTF-8"))?;
    Params::parse(body)
}

async fn redeem_code(
    svc: &Services<'_>,
    form: &Params,
    client: &ClientRow,
    issuer: &Issuer,
    after: &mut Vec<Stmt>,
) -> Result<serde_json::Value, OAuthError> {
    let code = form.require("code")?;
    let invalid = || OAuthError::new("invalid_grant", "the authorization code is invalid, expired or used");
    if !tokens::has_form(Secret::Code, code) {
        return Err(invalid());
    }
    let taken = rows::take(svc.db, Kind::Code, &crate::policy::keys::hash(code), svc.now)
        .await
        .map_err(|_| OAuthError::temporarily_unavailable())?;
    let row = match taken {
        Taken::Fresh(row) => row,
        Taken::Replayed(row) => {
            // A code presented twice was seen by someone else: end what it gave (RFC 6749 §4.1.2), now
            // rather than after the response, so that no token of it works a moment longer.
            revoke_now(svc, row.key_id).await?;
            after.push(super::audit(
                "oauth_code_reused",
                Some(row.key_id),
                None,
                "revoked",
                "an authorization code was used twice: the grant is revoked",
                svc.now,
            ));
            return Err(invalid());
        }
        Taken::Unknown => return Err(invalid()),
    };
    if row.client_id != client.client_id {
        return Err(invalid());
    }
    let detail: CodeDetail = row.detail.as_deref().and_then(|d| crate::json::from_str(d).ok()).ok_or_else(invalid)?;
    match form.get("redirect_uri") {
        Some(named) if named != detail.redirect_uri => {
            return Err(OAuthError::new("invalid_grant", "redirect_uri differs from the authorization request's"))
        }
        None if detail.redirect_named => {
            return Err(OAuthError::invalid_request("redirect_uri is required: the authorization request named one"))
        }
        _ => {}
    }
    pkce::verify(form.require("code_verifier")?, &detail.code_challenge)?;
    issuer.check_resource(form.get("resource"))?;
    let grant = live_grant(svc, row.key_id).await?;
    issue_pair(svc, &grant, client, after, "oauth_token").await
}

async fn refresh(
    svc: &Services<'_>,
    form: &Params,
    client: &ClientRow,
    issuer: &Issuer,
    after: &mut Vec<Stmt>,
) -> Result<serde_json::Value, OAuthError> {
    let presented = form.require("refresh_token")?;
    let invalid = || OAuthError::new("invalid_grant", "the refresh token is invalid, expired or revoked");
    if !tokens::has_form(Secret::Refresh, presented) {
        return Err(invalid());
    }
    if let Some(resource) = form.get("resource") {
        issuer.check_resource(Some(resource))?;
    }
    let taken = rows::take(svc.db, Kind::Refresh, &crate::policy::keys::hash(presented), svc.now)
        .await
        .map_err(|_| OAuthError::temporarily_unavailable())?;
    let row = match taken {
        Taken::Fresh(row) if row.client_id == client.client_id => row,
        Taken::Fresh(row) | Taken::Replayed(row) => {
            // Used before (or by another client): the token leaked. Revoke the whole grant, now.
            revoke_now(svc, row.key_id).await?;
            after.push(super::audit(
                "oauth_refresh_reused",
                Some(row.key_id),
                None,
                "revoked",
                "a refresh token was presented again: the grant is revoked",
                svc.now,
            ));
            return Err(invalid());
        }
        Taken::Unknown => {
            after.push(super::audit(
                "oauth_refresh_failed",
                None,
                None,
                "invalid",
                "an unknown or expired refresh token",
                svc.now,
            ));
            return Err(invalid());
        }
    };
    let grant = live_grant(svc, row.key_id).await?;
    issue_pair(svc, &grant, client, after, "oauth_refresh").await
}

async fn revoke_now(svc: &Services<'_>, key_id: i64) -> Result<(), OAuthError> {
    svc.db.batch(grants::revoke(key_id, svc.now)).await.map(|_| ()).map_err(|_| OAuthError::temporarily_unavailable())
}

async fn live_grant(svc: &Services<'_>, key_id: i64) -> Result<GrantSummary, OAuthError> {
    let grant = grants::find(svc.db, key_id).await.map_err(|_| OAuthError::temporarily_unavailable())?;
    grant.filter(|g| g.status == "active").ok_or_else(|| OAuthError::new("invalid_grant", "the grant was revoked"))
}

/// A new access token and refresh token for a grant.
async fn issue_pair(
    svc: &Services<'_>,
    grant: &GrantSummary,
    client: &ClientRow,
    after: &mut Vec<Stmt>,
    event: &str,
) -> Result<serde_json::Value, OAuthError> {
    let no_randomness = |_| OAuthError::no_randomness();
    let access = tokens::issue(Secret::Access).map_err(no_randomness)?;
    let refresh = tokens::issue(Secret::Refresh).map_err(no_randomness)?;
    let new = |hash, kind, expires_at| NewToken {
        hash,
        kind,
        key_id: grant.key_id,
        client_id: &client.client_id,
        detail: None,
        expires_at,
    };
    let access_expires = svc.now + ACCESS_TTL_MS;
    let mut stmts = vec![
        rows::insert(&new(&access.hash, Kind::Access, access_expires), svc.now),
        rows::insert(&new(&refresh.hash, Kind::Refresh, svc.now + REFRESH_IDLE_TTL_MS), svc.now),
    ];
    stmts.extend(grants::rotate_access(grant.key_id, &access.hash, access_expires));
    svc.db.batch(stmts).await.map_err(|_| OAuthError::temporarily_unavailable())?;
    after.push(crate::store::oauth::clients::touch(&client.client_id, svc.now));
    after.push(super::audit(
        event,
        Some(grant.key_id),
        None,
        "ok",
        &format!("tokens for client {}", crate::text::truncate(&client.client_id, 200)),
        svc.now,
    ));
    let operations: Vec<Operation> = grant
        .scope
        .as_ref()
        .and_then(|s| crate::json::from_value::<Scope>(s).ok())
        .and_then(|s| s.operations)
        .unwrap_or_else(|| Operation::ALL.to_vec());
    Ok(json!({
        "access_token": access.secret,
        "token_type": "Bearer",
        "expires_in": ACCESS_TTL_MS / 1000,
        "refresh_token": refresh.secret,
        "scope": scope::to_scope(&operations),
    }))
}
