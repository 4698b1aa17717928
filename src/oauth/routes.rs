//! Where the authorization server answers: the well-known documents, `/register`, `/authorize` (and
//! its stylesheet and waiting page), `/token`, `/revoke`. The JSON endpoints are readable from any
//! origin (browser-based clients register and redeem codes cross-origin; no cookie is involved); the
//! sign-in form's answer must come from this origin's own page.

use super::{discovery, metadata, page, register, revoke, sign_in, token};
use crate::http::{HttpRequest, HttpResponse, Outcome};
use crate::services::Services;
use crate::store::oauth::settings;

/// The answer, if `req` is for the authorization server.
pub async fn handle(req: &HttpRequest, svc: &Services<'_>) -> Option<Outcome> {
    let path = req.path.as_str();
    let cross_origin = metadata::document_at(path).is_some()
        || matches!(path, metadata::REGISTER_PATH | metadata::TOKEN_PATH | metadata::REVOKE_PATH);
    let outcome: Outcome = match (req.method.as_str(), path) {
        ("OPTIONS", _) if cross_origin => HttpResponse::empty(204)
            .with_header("access-control-allow-methods", "GET, POST, OPTIONS")
            .with_header("access-control-allow-headers", "Authorization, Content-Type, MCP-Protocol-Version")
            .with_header("access-control-max-age", "600")
            .into(),
        // Nothing is advertised, and no client registered, until a connection offers OAuth sign-in.
        ("GET", _) | ("POST", _) if advertised(req) && !settings::any_enabled(svc.db).await => not_offered(),
        ("GET", _) if metadata::document_at(path).is_some() => discovery::answer(req)?.into(),
        ("POST", metadata::REGISTER_PATH) => register::handle(req, svc).await,
        ("POST", metadata::TOKEN_PATH) => token::handle(req, svc).await,
        ("POST", metadata::REVOKE_PATH) => revoke::handle(req, svc).await,
        ("GET", metadata::AUTHORIZE_PATH) => sign_in::show(req, svc).await,
        ("POST", metadata::AUTHORIZE_PATH) if from_this_origin(req) => sign_in::answer(req, svc).await,
        ("POST", metadata::AUTHORIZE_PATH) => page::html(
            403,
            {
                let l = crate::i18n::choose(req);
                page::message(
                    l,
                    &l.tr("Not allowed"),
                    &l.tr("This form may be sent only from this server's own sign-in page."),
                )
            },
            None,
        )
        .into(),
        ("GET", sign_in::WAIT_PATH) => sign_in::wait(req, svc).await,
        ("GET", page::STYLE_PATH) => page::stylesheet().into(),
        (_, _) if cross_origin || path == metadata::AUTHORIZE_PATH => HttpResponse::json(
            405,
            &crate::json!({"error": "invalid_request", "error_description": "method not allowed"}),
        )
        .into(),
        _ => return None,
    };
    let mut outcome = outcome;
    if cross_origin {
        outcome.response = outcome.response.with_header("access-control-allow-origin", "*");
    }
    Some(outcome)
}

/// Whether `path` is one of the authorization server's (what `handle` may answer): a Worker built without
/// the `admin` half hands these to the one built with it (`router::for_admin`).
pub fn answers(path: &str) -> bool {
    metadata::document_at(path).is_some()
        || matches!(
            path,
            metadata::REGISTER_PATH
                | metadata::TOKEN_PATH
                | metadata::REVOKE_PATH
                | metadata::AUTHORIZE_PATH
                | sign_in::WAIT_PATH
                | page::STYLE_PATH
        )
}

/// What is answered only while a connection offers OAuth: the metadata documents and registration.
fn advertised(req: &HttpRequest) -> bool {
    match req.method.as_str() {
        "GET" => metadata::document_at(&req.path).is_some(),
        "POST" => req.path == metadata::REGISTER_PATH,
        _ => false,
    }
}

fn not_offered() -> Outcome {
    let body =
        crate::json!({"error": "access_denied", "error_description": "OAuth sign-in is not enabled on this server"});
    HttpResponse::json(404, &body).into()
}

/// A browser's form answer carries `Origin`; it must be this server's (a page elsewhere cannot answer
/// for the person, besides lacking the ticket bound to their browser).
fn from_this_origin(req: &HttpRequest) -> bool {
    match req.header("origin") {
        Some(origin) => origin.trim_end_matches('/').eq_ignore_ascii_case(&req.origin),
        None => true,
    }
}
