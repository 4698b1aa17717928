//! Dynamic Client Registration (`POST /register`, RFC 7591): anyone may register a client, so each
//! registration counts against the address's minute like a failed authentication (at most
//! `AUTH_FAILURES_PER_MINUTE`), and a registration no one signs in with expires (the daily sweep).

use super::error::OAuthError;
use super::registration;
use crate::http::{strict_json, HttpRequest, HttpResponse, Outcome};
use crate::json;
use crate::policy::failures::{self, Counted};
use crate::policy::tokens::{self, Kind};
use crate::services::Services;
use crate::store::oauth::clients::{self, ClientRow};

fn error(e: &OAuthError) -> Outcome {
    HttpResponse::json(e.status, &e.body()).with_header("cache-control", "no-store").into()
}

pub async fn handle(req: &HttpRequest, svc: &Services<'_>) -> Outcome {
    let json = req
        .header("content-type")
        .and_then(|c| c.split(';').next())
        .is_some_and(|c| c.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return error(&OAuthError::invalid_request("the registration must be application/json"));
    }
    let body = match strict_json::parse(&req.body) {
        Ok(body) => body,
        Err(e) => return error(&OAuthError::new("invalid_client_metadata", format!("the body is not JSON: {e}"))),
    };
    let meta = match registration::from_registration(&body) {
        Ok(meta) => meta,
        Err(e) => return error(&e),
    };
    let network = failures::client_of(req, svc.settings);
    if let Counted::Throttled { retry_after_s } = failures::count_now(svc.db, &network, svc.now).await {
        let e = OAuthError::slow_down("too many registrations from this address; wait a minute");
        return HttpResponse::json(429, &e.body()).with_header("retry-after", retry_after_s.to_string()).into();
    }
    let Ok(client_id) = tokens::client_id() else {
        return error(&OAuthError::no_randomness());
    };
    let secret = if meta.auth_method.has_secret() {
        match tokens::issue(Kind::ClientSecret) {
            Ok(s) => Some(s),
            Err(_) => return error(&OAuthError::no_randomness()),
        }
    } else {
        None
    };
    let row = ClientRow {
        client_id: client_id.clone(),
        source: "registered".into(),
        name: meta.name.clone(),
        client_uri: meta.client_uri.clone(),
        redirect_uris: meta.redirect_uris.clone(),
        auth_method: meta.auth_method.as_str().into(),
        secret_hash: secret.as_ref().map(|s| s.hash.clone()),
        created_at: svc.now,
        fetched_at: None,
        last_used_at: None,
        blocked_at: None,
    };
    if svc.db.batch(vec![clients::save(&row)]).await.is_err() {
        return error(&OAuthError::temporarily_unavailable());
    }
    let detail = format!(
        "client {client_id} registered as '{}'",
        crate::text::truncate(meta.name.as_deref().unwrap_or("(no name)"), 80)
    );
    let audit = super::audit("oauth_client_registered", None, None, "ok", &detail, svc.now);
    let mut answer = json!({
        "client_id": client_id,
        "client_id_issued_at": svc.now / 1000,
        "redirect_uris": meta.redirect_uris,
        "token_endpoint_auth_method": meta.auth_method.as_str(),
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
    });
    if let Some(name) = &meta.name {
        answer["client_name"] = json!(name);
    }
    if let Some(uri) = &meta.client_uri {
        answer["client_uri"] = json!(uri);
    }
    if let Some(secret) = secret {
        answer["client_secret"] = json!(secret.secret);
        answer["client_secret_expires_at"] = json!(0);
    }
    Outcome::new(HttpResponse::json(201, &answer).with_header("cache-control", "no-store"), vec![audit])
}
