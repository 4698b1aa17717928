//! Clients introduced by a Client ID Metadata Document: the `client_id` is an https URL, fetched here
//! (through the same outbound guard as Odoo URLs: no private address, no redirect), bounded in size and
//! time, and kept as a cache row for an hour. A client whose id is not a URL must have registered.

use super::registration;
use crate::platform::{HttpError, OutboundRequest};
use crate::services::Services;
use crate::store::oauth::clients::{self, ClientRow};

/// A document fetched this recently is not fetched again.
pub const CACHE_MS: i64 = 60 * 60_000;
/// Larger documents are refused: a client's metadata is a few hundred bytes.
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024;
const FETCH_TIMEOUT_MS: u64 = 5_000;

/// Why a client could not be found; said on the sign-in page (no redirect is trusted yet).
#[derive(Debug, PartialEq)]
pub struct Unknown(pub String);

/// The client named by `client_id`: registered here, or described by its metadata document.
pub async fn resolve(svc: &Services<'_>, client_id: &str) -> Result<ClientRow, Unknown> {
    let cached = clients::find(svc.db, client_id)
        .await
        .map_err(|_| Unknown("The server's database did not answer; try again in a moment.".into()))?;
    if !registration::is_metadata_url(client_id) {
        return cached.ok_or_else(|| {
            Unknown("This application is not registered with this server (unknown client_id). Connect it again from the application.".into())
        });
    }
    if let Some(row) =
        cached.as_ref().filter(|c| c.fetched_at.is_some_and(|at| at + CACHE_MS > svc.now) || c.blocked_at.is_some())
    {
        return Ok(row.clone());
    }
    let fetched = fetch(svc, client_id).await?;
    let row = ClientRow {
        client_id: client_id.to_string(),
        source: "document".into(),
        name: fetched.name,
        client_uri: fetched.client_uri,
        redirect_uris: fetched.redirect_uris,
        auth_method: fetched.auth_method.as_str().into(),
        secret_hash: None,
        created_at: cached.as_ref().map_or(svc.now, |c| c.created_at),
        fetched_at: Some(svc.now),
        last_used_at: cached.as_ref().and_then(|c| c.last_used_at),
        blocked_at: None,
    };
    svc.db
        .batch(vec![clients::save(&row)])
        .await
        .map_err(|_| Unknown("The server's database did not answer; try again in a moment.".into()))?;
    Ok(row)
}

async fn fetch(svc: &Services<'_>, client_id: &str) -> Result<registration::ClientMetadata, Unknown> {
    let refuse = |why: String| Unknown(format!("The application's metadata document could not be used: {why}."));
    registration::check_metadata_url(client_id).map_err(|e| refuse(e.description))?;
    let request = OutboundRequest {
        method: "GET",
        url: client_id.to_string(),
        headers: vec![("accept".into(), "application/json".into())],
        body: None,
        timeout_ms: FETCH_TIMEOUT_MS,
    };
    let response = svc.http.send(request).await.map_err(|e| {
        refuse(match e {
            HttpError::Timeout => "its address did not answer in time".into(),
            HttpError::Refused(_) => "its address is not one this server may fetch (a private or local address)".into(),
            HttpError::Network(m) => format!("fetching it failed ({})", crate::text::truncate(&m, 100)),
        })
    })?;
    if response.status != 200 {
        return Err(refuse(format!("its address answered HTTP {}", response.status)));
    }
    if response.body.len() > MAX_DOCUMENT_BYTES {
        return Err(refuse(format!("it is larger than {MAX_DOCUMENT_BYTES} bytes")));
    }
    let doc = crate::http::strict_json::parse(response.body.as_bytes())
        .map_err(|e| refuse(format!("it is not JSON ({e})")))?;
    registration::from_metadata_document(client_id, &doc).map_err(|e| refuse(e.description))
}
