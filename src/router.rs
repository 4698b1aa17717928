//! Which path goes where: `/mcp` (Origin check, CORS, then the transport), `/admin/api/*` and the
//! console, the OAuth authorization server (`oauth::routes`), `/health`; what is answered before a body is read (`before_body`); every answer carries
//! its request id. Above the transport and the admin, which it hands requests to; `http` below it
//! holds only the plain types.

use crate::http::log;
use crate::http::origin::origin_allowed;
use crate::http::{body, HttpRequest, HttpResponse, Outcome};
use crate::json;
use crate::mcp::headers::VERSION_HEADER;
use crate::mcp::jsonrpc::SERVER_ERROR;
use crate::mcp::stream::ResponseStream;
use crate::services::Services;
use crate::transport::{self, ReplyTo};

/// The purpose of the key `/health` names `CREDENTIALS_KEY` by (`crypto::derive_key`).
const KEY_ID_LABEL: &str = "odoo-mcp-edge/key-id/v1";

const CORS_ALLOW_HEADERS: &str =
    "Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Mcp-Method, Mcp-Name, Last-Event-ID";
const CORS_EXPOSE_HEADERS: &str = "Mcp-Session-Id, WWW-Authenticate, Retry-After, X-Request-Id";

/// Routes `req`, and tags the outcome with a fresh request id (in the log line and the
/// `x-request-id` header) and Cloudflare's `cf-ray`, when there is one.
pub async fn route(req: &HttpRequest, svc: &Services<'_>, stream: &ResponseStream) -> Outcome {
    let request_id = log::new_request_id();
    stream.add_head_header(log::REQUEST_ID_HEADER, request_id.clone());
    let outcome = route_tagged(req, svc, stream).await;
    tag(outcome, req, request_id)
}

/// The answer to a request whose body is not read yet, when there is one without it (tagged as
/// `route` tags): a declared length over the limit (413, whatever the path), and on a POST to `/mcp`
/// whose length is not declared (chunked: its size is known only once read), the Origin gate and a
/// missing or impossible key (401, as authentication would answer after reading). Everything else,
/// a keyless body of declared length within the limit too (its 401 then echoes the request's id), is
/// read first, at most `body::BODY_READ_LIMIT` bytes of it.
pub async fn before_body(req: &HttpRequest, svc: &Services<'_>) -> Option<Outcome> {
    let declared = body::declared_length(req);
    let outcome = if declared.is_some_and(|n| n > body::MAX_BODY_BYTES as u64) {
        too_large(req).into()
    } else if cfg!(feature = "mcp") && declared.is_none() && req.method == "POST" && req.path == "/mcp" {
        match origin_gate(req, svc).await {
            Err(refused) => refused,
            Ok(cors) => {
                let mut outcome = transport::refuse_unread(req, svc).await?;
                for (name, value) in cors {
                    outcome.response = outcome.response.with_header(name, value);
                }
                outcome
            }
        }
    } else {
        return None;
    };
    Some(tag(outcome, req, log::new_request_id()))
}

/// The refusal of a body over `MAX_BODY_BYTES`, in the error shape of what was asked for: the admin API's
/// own under `/admin`, JSON-RPC elsewhere (unread, so with no id to echo: the version header alone says
/// the era's form).
fn too_large(req: &HttpRequest) -> HttpResponse {
    let limit = body::MAX_BODY_BYTES;
    if is_admin(&req.path) {
        let message = format!("the body is larger than {limit} bytes");
        return HttpResponse::json(413, &json!({"error": {"code": "too_large", "message": message}}));
    }
    ReplyTo::unread(req.header(VERSION_HEADER)).error(
        413,
        SERVER_ERROR,
        format!("Payload Too Large: at most {limit} bytes"),
    )
}

/// Whether `path` belongs to the `admin` half (the console, its API, the OAuth authorization server): the
/// Worker built with `mcp` alone hands such a request, untouched, to the Worker built with `admin`
/// (the adapter's `ADMIN` service binding), which routes it through this same router.
pub fn for_admin(path: &str) -> bool {
    is_admin(path) || crate::oauth::routes::answers(path)
}

/// The console and its API (`/admin`, `/admin/…`).
fn is_admin(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/")
}

/// Adds the request id (header and log line), the error a response carries for the log, and `cf-ray`.
fn tag(mut outcome: Outcome, req: &HttpRequest, request_id: String) -> Outcome {
    outcome.response = outcome.response.with_header(log::REQUEST_ID_HEADER, request_id.clone());
    outcome.log.insert("request_id".into(), json!(request_id));
    if let Some(error) = outcome.response.log_error.take() {
        outcome.log.insert("error".into(), json!(crate::text::truncate(&error, 300)));
    }
    if let Some(ray) = req.header("cf-ray") {
        outcome.log.insert("ray".into(), json!(crate::text::truncate(ray, 64)));
    }
    outcome
}

/// The Origin gate: a refusal, or the CORS headers the answer gets.
async fn origin_gate(req: &HttpRequest, svc: &Services<'_>) -> Result<Vec<(&'static str, String)>, Outcome> {
    let origin = req.header("origin").map(str::to_string);
    if let Some(o) = &origin {
        let admin = is_admin(&req.path);
        if (req.path == "/mcp" || admin) && !origin_permitted(o, req, admin, svc).await {
            // A browser page from another site: DNS rebinding or CSRF. Refuse before anything else, in
            // the error shape of what was asked for (JSON-RPC on /mcp, the admin API's own elsewhere).
            if admin {
                return Err(HttpResponse::json(
                    403,
                    &json!({"error": {"code": "forbidden_origin", "message": "Forbidden: Origin not allowed"}}),
                )
                .into());
            }
            return Err(ReplyTo::of(req).error(403, SERVER_ERROR, "Forbidden: Origin not allowed").into());
        }
    }
    Ok(match (origin, req.path.as_str()) {
        (Some(o), "/mcp") => vec![
            ("access-control-allow-origin", o),
            ("access-control-expose-headers", CORS_EXPOSE_HEADERS.into()),
            ("vary", "Origin".into()),
        ],
        _ => vec![],
    })
}

async fn route_tagged(req: &HttpRequest, svc: &Services<'_>, stream: &ResponseStream) -> Outcome {
    // As `before_body` answers it, for a runtime that read the body without asking first.
    if body::declared_length(req).is_some_and(|n| n > body::MAX_BODY_BYTES as u64) {
        return too_large(req).into();
    }
    let cors = match origin_gate(req, svc).await {
        Ok(cors) => cors,
        Err(refused) => return refused,
    };
    for (name, value) in &cors {
        stream.add_head_header(name, value.clone());
    }
    #[cfg(feature = "admin")]
    if let Some(outcome) = crate::oauth::routes::handle(req, svc).await {
        return outcome;
    }
    let mut outcome = match (req.method.as_str(), req.path.as_str()) {
        ("OPTIONS", "/mcp") => HttpResponse::empty(204)
            .with_header("access-control-allow-methods", "GET, POST, DELETE, OPTIONS")
            .with_header("access-control-allow-headers", CORS_ALLOW_HEADERS)
            .with_header("access-control-max-age", "600")
            .into(),
        #[cfg(feature = "mcp")]
        ("POST", "/mcp") => transport::handle_post(req, svc, stream).await,
        #[cfg(feature = "mcp")]
        ("GET", "/mcp") => transport::handle_get(req, svc, stream).await,
        #[cfg(feature = "mcp")]
        ("DELETE", "/mcp") => transport::handle_delete(req, svc).await,
        (_, "/mcp") => ReplyTo::of(req)
            .error(405, SERVER_ERROR, "Method Not Allowed")
            .with_header("allow", "GET, POST, DELETE, OPTIONS")
            .into(),
        ("GET", "/health") => health(svc).await.into(),
        // The admin half's own, as its Worker sees it (README, "Deploy to Cloudflare").
        #[cfg(feature = "admin")]
        ("GET", "/admin/health") => health(svc).await.into(),
        ("GET", "/favicon.ico") => crate::admin::console::favicon().into(),
        // A body read to the limit (its length was not declared) is refused before the admin reads it.
        (_, p) if is_admin(p) && req.body.len() > body::MAX_BODY_BYTES => too_large(req).into(),
        #[cfg(feature = "admin")]
        (_, p) if p == "/admin/api" || p.starts_with("/admin/api/") => crate::admin::handle(req, svc).await,
        #[cfg(feature = "admin")]
        (_, p) if is_admin(p) => crate::admin::console::handle(req, svc).await,
        ("GET", "/") => HttpResponse::json(200, &json!({"name": "odoo-mcp-edge", "mcp_endpoint": "/mcp"})).into(),
        _ => HttpResponse::json(404, &json!({"error": {"code": "not_found", "message": "not found"}})).into(),
    };
    for (name, value) in cors {
        outcome.response = outcome.response.with_header(name, value);
    }
    outcome
}

/// The environment's list and loopback in dev first (no I/O); the console's own pages on `/admin`;
/// then the Origins an administrator added in the settings (one lookup, browser requests only).
async fn origin_permitted(origin: &str, req: &HttpRequest, admin: bool, svc: &Services<'_>) -> bool {
    let normalised = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    origin_allowed(origin, svc.settings)
        || (admin && !req.origin.is_empty() && normalised == req.origin.to_ascii_lowercase())
        || crate::store::settings::origin_listed(svc.db, &normalised).await
}

/// Liveness for monitors and for checking a deploy: the version, whether D1 answers, and whether the
/// secrets this Worker uses are set (`CREDENTIALS_KEY` well-formed; `ADMIN_TOKEN` only where the admin
/// half is). Nothing secret, no auth: `credentials_key_id` names the key without revealing it (4 bytes of a
/// key derived from it for that alone), so that the two Workers can be seen to hold the same one.
async fn health(svc: &Services<'_>) -> HttpResponse {
    let d1 = crate::store::ping(svc.db).await;
    let key_id = svc
        .settings
        .credentials_key
        .map(|k| crate::policy::keys::hex(&crate::crypto::derive_key(&k, KEY_ID_LABEL)[..4]));
    let mut body = json!({
        "status": if d1 { "ok" } else { "degraded" },
        "version": env!("CARGO_PKG_VERSION"),
        "d1": d1,
        "credentials_key_set": key_id.is_some(),
        "credentials_key_id": key_id,
    });
    if cfg!(feature = "admin") {
        body["admin_token_set"] = json!(svc.settings.admin_token.is_some());
    }
    HttpResponse::json(if d1 { 200 } else { 503 }, &body)
}
