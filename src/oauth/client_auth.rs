//! Who is calling the token and revocation endpoints (RFC 6749 §2.3.1): a public client names itself
//! with `client_id`; a client registered with a secret proves it, by HTTP Basic or in the form. A
//! blocked client is refused here, so blocking one stops its refreshes at once.

use super::error::OAuthError;
use super::params::Params;
use crate::http::{percent_decode, HttpRequest};
use crate::platform::Db;
use crate::policy::keys::{constant_time_eq, hash};
use crate::store::oauth::clients::{self, ClientRow};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

fn unknown() -> OAuthError {
    OAuthError::new("invalid_client", "unknown client, or a wrong client secret")
}

/// `Authorization: Basic base64(urlencode(id):urlencode(secret))`, if sent.
fn basic(req: &HttpRequest) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = req.header("authorization") else { return Ok(None) };
    let Some((scheme, encoded)) = value.trim().split_once(' ') else { return Err(unknown()) };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::new("invalid_client", "client authentication must be HTTP Basic or in the form"));
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| unknown())?;
    let text = String::from_utf8(decoded).map_err(|_| unknown())?;
    let (id, secret) = text.split_once(':').ok_or_else(unknown)?;
    Ok(Some((percent_decode(id), percent_decode(secret))))
}

/// The calling client, authenticated as it registered.
pub async fn authenticate(db: &dyn Db, req: &HttpRequest, p: &Params) -> Result<ClientRow, OAuthError> {
    let (id, secret) = match (basic(req)?, p.get("client_id"), p.get("client_secret")) {
        (Some(_), _, Some(_)) => {
            return Err(OAuthError::invalid_request("client credentials are given twice (header and form)"))
        }
        (Some((id, secret)), named, None) => {
            if named.is_some_and(|n| n != id) {
                return Err(OAuthError::invalid_request("client_id differs from the authenticated client"));
            }
            (id, Some(secret))
        }
        (None, Some(id), secret) => (id.to_string(), secret.map(str::to_string)),
        (None, None, _) => return Err(OAuthError::new("invalid_client", "client_id is required")),
    };
    let client =
        clients::find(db, &id).await.map_err(|_| OAuthError::temporarily_unavailable())?.ok_or_else(unknown)?;
    if client.blocked_at.is_some() {
        return Err(OAuthError::new("invalid_client", "this client is blocked by the server's administrator"));
    }
    match (&client.secret_hash, secret) {
        (None, None) => Ok(client),
        (None, Some(_)) => Err(OAuthError::new("invalid_client", "this client registered without a secret")),
        (Some(stored), Some(given)) if constant_time_eq(stored, &hash(&given)) => Ok(client),
        (Some(_), _) => Err(unknown()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(auth: &str) -> HttpRequest {
        HttpRequest { headers: vec![("authorization".into(), auth.into())], ..Default::default() }
    }

    #[test]
    fn basic_credentials_are_url_decoded() {
        let encoded = STANDARD.encode("omcl_a%3Ab:s%2Fx");
        assert_eq!(basic(&req(&format!("Basic {encoded}"))).unwrap(), Some(("omcl_a:b".into(), "s/x".into())));
        assert_eq!(basic(&HttpRequest::default()).unwrap(), None);
        assert_eq!(basic(&req("Bearer x")).unwrap_err().code, "invalid_client");
        assert_eq!(basic(&req("Basic !!!")).unwrap_err().code, "invalid_client");
    }
}
