//! Token revocation (`POST /revoke`, RFC 7009): a client gives up a token. Revoking a refresh token
//! ends its grant (and so every token of it); revoking an access token ends that token. The answer is
//! 200 whatever was found, so that the endpoint tells no one which tokens exist.

use super::client_auth;
use super::token::{error_response, form_body};
use crate::http::{HttpRequest, HttpResponse, Outcome};
use crate::policy::keys::hash;
use crate::services::Services;
use crate::store::oauth::grants;
use crate::store::oauth::tokens::{self, Kind};

pub async fn handle(req: &HttpRequest, svc: &Services<'_>) -> Outcome {
    let form = match form_body(req) {
        Ok(form) => form,
        Err(e) => return error_response(&e).into(),
    };
    let network = crate::policy::failures::client_of(req, svc.settings);
    if let Some(refusal) = super::token::throttled(svc, &network).await {
        return refusal.into();
    }
    let client = match client_auth::authenticate(svc.db, req, &form).await {
        Ok(client) => client,
        Err(e) => {
            let _ = crate::policy::failures::count_now(svc.db, &network, svc.now).await;
            return error_response(&e).into();
        }
    };
    let Some(token) = form.get("token") else {
        return error_response(&super::error::OAuthError::invalid_request("token is required")).into();
    };
    let mut after = Vec::new();
    if let Ok(Some((kind, row))) = tokens::find(svc.db, &hash(token)).await {
        // Only the client a token was issued to may revoke it (RFC 7009 §2.1).
        if row.client_id == client.client_id {
            let stmts = match kind {
                Kind::Access => {
                    let Ok(unused) = crate::policy::keys::generate() else {
                        return error_response(&super::error::OAuthError::temporarily_unavailable()).into();
                    };
                    let mut stmts = vec![tokens::delete(&hash(token))];
                    stmts.extend(grants::retire_access(row.key_id, &hash(token), &unused.hash));
                    stmts
                }
                Kind::Refresh | Kind::Code => grants::revoke(row.key_id, svc.now),
            };
            // Now, not after the response: a revoked token must not work a moment longer.
            if svc.db.batch(stmts).await.is_err() {
                return error_response(&super::error::OAuthError::temporarily_unavailable()).into();
            }
            let what = if kind == Kind::Access {
                "the client revoked an access token"
            } else {
                "the client revoked its grant"
            };
            after.push(super::audit("oauth_revoked", Some(row.key_id), None, "ok", what, svc.now));
        }
    }
    Outcome::new(HttpResponse::empty(200).with_header("cache-control", "no-store"), after)
}
