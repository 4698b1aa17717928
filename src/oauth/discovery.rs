//! The well-known documents as HTTP answers: JSON, readable from any origin (browser-based clients
//! discover cross-origin), cacheable for a while.

use super::metadata::{self, Document};
use super::resource::Issuer;
use crate::http::{HttpRequest, HttpResponse};

/// The answer to a well-known path, if it is one of ours.
pub fn answer(req: &HttpRequest) -> Option<HttpResponse> {
    let document = metadata::document_at(&req.path)?;
    let Some(issuer) = Issuer::of(&req.origin) else { return Some(HttpResponse::empty(400)) };
    let body = match document {
        Document::ProtectedResource => metadata::protected_resource(&issuer),
        Document::AuthorizationServer => metadata::authorization_server(&issuer),
    };
    Some(
        HttpResponse::json(200, &body)
            .with_header("cache-control", "public, max-age=300")
            .with_header("access-control-allow-origin", "*"),
    )
}
