//! Streamable HTTP on `/mcp`, both protocol eras on one endpoint. This module holds the gates every
//! POST passes (auth → Content-Type → Accept → size → parse), the era's classification and the
//! hand-off to its lane: `session_lane` (2025 era, sessions) or `stateless_lane` (2026-07-28). The
//! lanes serve a request through `reply` and `dispatch` once their own rules have passed, and never
//! call back into this module. Also GET (a session's stream, carrying the lists' changes: `listen`),
//! DELETE (ends a session), `refuse_unread` (the key check of a body not read yet) and the
//! authentication failures' answers.

pub mod dispatch;
pub mod early;
pub mod listen;
pub mod reply;
pub mod session_lane;
pub mod stateless_lane;

pub use reply::ReplyTo;

use crate::capabilities;
use crate::http::body::MAX_BODY_BYTES;
use crate::http::strict_json;
use crate::http::{HttpRequest, HttpResponse, LogFields, Outcome};
use crate::json;
use crate::mcp::era::{self, Era};
use crate::mcp::headers::{SESSION_HEADER, VERSION_HEADER};
use crate::mcp::jsonrpc::{
    self, HEADER_MISMATCH, INVALID_PARAMS, INVALID_REQUEST, PARSE_ERROR, SERVER_ERROR, SESSION_NOT_FOUND,
};
use crate::mcp::stream::ResponseStream;
use crate::policy::auth::{authenticate, AuthContext, AuthFailure};
use crate::policy::failures;
use crate::services::Services;
use crate::store::{self, AuditEvent};
use reply::{content_type_is_json, http_error, store_unavailable, store_unavailable_to, Admitted};
use serde_json::Value;

/// A POST to `/mcp`: the gates, in order, then the hand-off to the lane of the message's era.
pub async fn handle_post(req: &HttpRequest, svc: &Services<'_>, stream: &ResponseStream) -> Outcome {
    let content_ok = content_type_is_json(req.header("content-type"));
    let parsed: Option<Result<Value, serde_json::Error>> =
        (content_ok && req.body.len() <= MAX_BODY_BYTES).then(|| strict_json::parse(&req.body));
    let header_version = req.header(VERSION_HEADER).map(str::trim);
    let era = match &parsed {
        Some(Ok(body)) => era::classify(body, header_version),
        _ => Era::Session,
    };
    // The stateless lane never reads a session id, not even to touch it during authentication.
    let session_id = if era == Era::Session { req.header(SESSION_HEADER) } else { None };
    let message = match &parsed {
        Some(Ok(body)) => jsonrpc::classify(body).ok(),
        _ => None,
    };
    // The model the message concerns, as the capabilities read it: its schema comes with authentication.
    let schema_model = message.as_ref().and_then(capabilities::model_of);
    // Errors before a lane takes over echo the request's id when the body could be parsed.
    let reply_to = match &parsed {
        Some(Ok(body)) => ReplyTo::parsed(Some(body), era),
        _ => ReplyTo::unread(header_version),
    };
    // A batch counts one request per message against the rate limit, whatever becomes of it.
    let weight = match &parsed {
        Some(Ok(body)) if era == Era::Session => session_lane::weight(body),
        _ => 1,
    };
    // A warm key's read sends its Odoo call now, alongside the authentication batch (`early`), unless a
    // gate after authentication is sure to refuse the request.
    let key_hash = req.bearer_token().map(crate::policy::keys::hash);
    let may_pass = content_ok && matches!(era, Era::Session | Era::Stateless);
    let started = match (&message, &key_hash) {
        (Some(m), Some(hash)) if may_pass => early::start(svc, hash, m),
        _ => None,
    };
    let authenticating = authenticate_request(req, svc, session_id, schema_model.as_deref(), weight);
    let auth = match early::alongside(started.as_ref(), key_hash.as_deref(), svc, authenticating).await {
        Ok(a) => a,
        Err(failure) => return early::noted(started.as_ref(), refuse_request(failure, req, svc, &reply_to).await),
    };
    if let Some(refusal) = beyond_scope(&auth, parsed.as_ref().and_then(|p| p.as_ref().ok()), req, &reply_to) {
        early::refused(started.as_ref(), &auth.key_hash, svc.now);
        return early::noted(started.as_ref(), refusal.into());
    }
    // The early call's answer goes to the request's first Odoo call if that is the same call.
    let handoff = started.as_ref().map(|s| early::Handoff::new(svc.http, s));
    let handed = handoff.as_ref().map(|h| Services { http: h, ..*svc });
    let svc = handed.as_ref().unwrap_or(svc);
    let mut after = Vec::new();
    if auth.last_used_at.is_none_or(|at| svc.now - at >= store::keys::LAST_USE_STEP_MS) {
        after.push(store::keys::touch(auth.key_id, svc.now));
    }
    if auth.last_used_at.is_none() {
        after.push(auth.audit_event("key_first_use", "ok").stmt(svc.now));
    }
    let mut log = LogFields::new();
    log.insert("key".into(), json!(auth.key_prefix));
    log.insert("era".into(), json!(if matches!(era, Era::Session) { "session" } else { "stateless" }));

    let response = 'gates: {
        if !content_ok {
            break 'gates reply_to.error(
                415,
                SERVER_ERROR,
                "Unsupported Media Type: Content-Type must be application/json",
            );
        }
        let Some(wants_sse) = response_encoding(req.header("accept")) else {
            break 'gates reply_to.error(
                406,
                SERVER_ERROR,
                "Not Acceptable: the client must accept application/json or text/event-stream",
            );
        };
        let body = match parsed {
            None => {
                break 'gates reply_to.error(
                    413,
                    SERVER_ERROR,
                    format!("Payload Too Large: at most {MAX_BODY_BYTES} bytes"),
                )
            }
            Some(Err(e)) => break 'gates reply_to.error(400, PARSE_ERROR, format!("Parse error: {e}")),
            Some(Ok(body)) => body,
        };
        let post = Admitted {
            req,
            svc,
            auth: &auth,
            body: &body,
            wants_sse,
            accepts_sse: accepts_sse(req.header("accept")),
            stream,
        };
        match era {
            Era::Session => session_lane::serve(&post, &mut after, &mut log).await,
            Era::Stateless => stateless_lane::serve(&post, &mut after, &mut log).await,
            Era::StatelessWithoutEnvelope if body.get("id").is_none() => HttpResponse::empty(202),
            Era::StatelessWithoutEnvelope => reply_to.error(
                400,
                INVALID_PARAMS,
                "Invalid params: a 2026-07-28 request must carry params._meta with io.modelcontextprotocol/protocolVersion and io.modelcontextprotocol/clientCapabilities",
            ),
            Era::InitializeWithModernHeader => reply_to.error(
                400,
                HEADER_MISMATCH,
                "Header mismatch: MCP-Protocol-Version names 2026-07-28, which has no initialize; send initialize without it, or server/discover with the request envelope",
            ),
            Era::StatelessBatch => reply_to.error(400, INVALID_REQUEST, "Invalid Request: protocol 2026-07-28 has no JSON-RPC batches"),
        }
    };
    early::noted(started.as_ref(), Outcome { response, after, log })
}

/// `GET /mcp` (2025 era): the session's stream of server-initiated messages, which here carries the
/// lists' changes. 406 without `Accept: text/event-stream`; 405 for the stateless era, which has none.
pub async fn handle_get(req: &HttpRequest, svc: &Services<'_>, stream: &ResponseStream) -> Outcome {
    let refuse = |status: u16, message: &str| -> Outcome {
        let mut r = ReplyTo::of(req).error(status, SERVER_ERROR, message);
        if status == 405 {
            r = r.with_header("allow", "GET, POST, DELETE, OPTIONS");
        }
        r.into()
    };
    if req.header(VERSION_HEADER).map(str::trim).is_some_and(crate::mcp::era::is_modern_version) {
        return refuse(405, "Method Not Allowed: protocol 2026-07-28 has no GET stream; use subscriptions/listen");
    }
    if !req.header("accept").is_some_and(|a| a.to_ascii_lowercase().contains("text/event-stream")) {
        return refuse(406, "Not Acceptable: GET opens an event stream (Accept: text/event-stream)");
    }
    let sid = req.header(SESSION_HEADER);
    let auth = match authenticate_request(req, svc, sid, None, 1).await {
        Ok(a) => a,
        Err(failure) => return refuse_request(failure, req, svc, &ReplyTo::unread(req.header(VERSION_HEADER))).await,
    };
    if sid.is_none() {
        return refuse(400, "Bad Request: Mcp-Session-Id header is required (send initialize first)");
    }
    if auth.session.as_ref().is_none_or(|s| s.ended) {
        return http_error(404, SESSION_NOT_FOUND, "Session not found").into();
    }
    stream.start(crate::mcp::stream::sse_head());
    stream.send(format!("retry: {}\n\n", listen::RETRY_MS).into_bytes());
    let ended = listen::watch(
        svc,
        &auth.key_hash,
        stream,
        listen::Wanted::ALL,
        |method| json!({"jsonrpc": "2.0", "method": method}),
    )
    .await;
    stream.finish();
    let mut log = LogFields::new();
    log.insert("key".into(), json!(auth.key_prefix));
    log.insert("era".into(), json!("session"));
    log.insert("method".into(), json!("GET stream"));
    log.insert("ended".into(), json!(ended));
    Outcome { response: crate::mcp::stream::sse_head(), after: Vec::new(), log }
}

/// A DELETE of `/mcp`: ends the key's session it names.
pub async fn handle_delete(req: &HttpRequest, svc: &Services<'_>) -> Outcome {
    let sid = req.header(SESSION_HEADER);
    let key_hash = req.bearer_token().map(crate::policy::keys::hash);
    let auth =
        match early::alongside(None, key_hash.as_deref(), svc, authenticate_request(req, svc, sid, None, 1)).await {
            Ok(a) => a,
            Err(failure) => {
                return refuse_request(failure, req, svc, &ReplyTo::unread(req.header(VERSION_HEADER))).await;
            }
        };
    let Some(sid) = sid else {
        return http_error(400, SERVER_ERROR, "Bad Request: Mcp-Session-Id header is required").into();
    };
    match store::sessions::end(svc.db, sid, &auth.key_hash, svc.now).await {
        Ok(true) => HttpResponse::empty(200).into(),
        Ok(false) => http_error(404, SESSION_NOT_FOUND, "Session not found").into(),
        Err(e) => store_unavailable(&e).into(),
    }
}

/// Runs the one-round-trip authentication and turns a failure into its response and audit row.
async fn authenticate_request(
    req: &HttpRequest,
    svc: &Services<'_>,
    session_id: Option<&str>,
    schema_model: Option<&str>,
    weight: i64,
) -> Result<AuthContext, AuthFailure> {
    let presented = req.bearer_token();
    let limit = svc.settings.default_rate_limit;
    let client = failures::client_of(req, svc.settings);
    authenticate(svc.db, &client, presented, session_id, limit, schema_model, weight, svc.now).await
}

/// The whole outcome of a refused authentication.
async fn refuse_request(failure: AuthFailure, req: &HttpRequest, svc: &Services<'_>, reply_to: &ReplyTo) -> Outcome {
    let client = failures::client_of(req, svc.settings);
    // No key: nothing reached D1, so the failure is counted (or the address found throttled) now.
    let failure = match failure {
        AuthFailure::MissingKey => counted(svc, &client, AuthFailure::MissingKey).await,
        other => other,
    };
    refused(&failure, &client, reply_to, req, svc).await
}

/// An OAuth token asking for what its grant's scope does not hold: 403 `insufficient_scope` naming every
/// scope the call needs (RFC 6750 §3.1), so that the client can ask the person for more. A key gets the
/// tool's own refusal instead, as always.
fn beyond_scope(
    auth: &AuthContext,
    body: Option<&Value>,
    req: &HttpRequest,
    reply_to: &ReplyTo,
) -> Option<HttpResponse> {
    if auth.key_prefix != crate::policy::tokens::GRANT_PREFIX {
        return None;
    }
    let message = jsonrpc::classify(body?).ok()?;
    let needed = capabilities::operation_of(&message)?;
    let granted = auth.permissions.scope.operations.as_ref()?;
    if granted.contains(&needed) {
        return None;
    }
    let (current, wanted) = (crate::oauth::scope::to_scope(granted), crate::oauth::scope::needed_for(needed));
    if current.split(' ').any(|s| s == wanted) {
        // The grant holds that scope already, without this operation (an action, for a grant whose
        // administrator's default left actions out): asking the person again cannot help, so the tool's
        // own refusal says why.
        return None;
    }
    let scope = if current.is_empty() { wanted.to_string() } else { format!("{current} {wanted}") };
    let metadata = crate::oauth::resource::Issuer::of(&req.origin)
        .map(|issuer| format!(", resource_metadata=\"{}\"", crate::oauth::metadata::protected_resource_url(&issuer)))
        .unwrap_or_default();
    let message = format!(
        "Forbidden: this connection was granted '{current}'; to {} it needs {wanted}",
        match needed {
            crate::access::Operation::Action => "run an action",
            other => other.as_str(),
        }
    );
    Some(reply_to.error(403, SERVER_ERROR, message).with_header(
        "www-authenticate",
        format!("Bearer realm=\"odoo-mcp\", error=\"insufficient_scope\", scope=\"{scope}\"{metadata}"),
    ))
}

/// A failure found without D1, once counted against the client's address: itself, or `Throttled`.
async fn counted(svc: &Services<'_>, client: &crate::store::failures::Client, failure: AuthFailure) -> AuthFailure {
    match failures::count_now(svc.db, client, svc.now).await {
        failures::Counted::Yes => failure,
        failures::Counted::Throttled { retry_after_s } => AuthFailure::Throttled { retry_after_s },
    }
}

/// A POST whose body is not read yet, of unknown length: refused now when it has no key or one that
/// cannot be any of ours, as authentication would refuse it once read (its id is not known: the
/// answer is the unread form). Any other key is checked by authentication, after the body is read.
pub async fn refuse_unread(req: &HttpRequest, svc: &Services<'_>) -> Option<Outcome> {
    let presented = req.bearer_token();
    let failure = match presented {
        None => AuthFailure::MissingKey,
        Some(k) if !crate::policy::tokens::may_be_presented(k) => AuthFailure::UnknownKey,
        Some(_) => return None,
    };
    let client = failures::client_of(req, svc.settings);
    let failure = counted(svc, &client, failure).await;
    let reply_to = ReplyTo::unread(req.header(VERSION_HEADER).map(str::trim));
    Some(refused(&failure, &client, &reply_to, req, svc).await)
}

/// An authentication failure as the whole outcome: the response, its audit row, the log fields. A
/// failure of identity is recorded in its address's group (one audit row for its repeats), with the
/// prefix and id of the key only when the key exists; a throttled address gets nothing written.
async fn refused(
    failure: &AuthFailure,
    client: &crate::store::failures::Client,
    reply_to: &ReplyTo,
    req: &HttpRequest,
    svc: &Services<'_>,
) -> Outcome {
    let known = failure.known_key();
    let prefix = known.map(|k| k.prefix.as_str());
    let after = match failure {
        AuthFailure::RateLimited { .. } | AuthFailure::OverLimitAtOnce { .. } => vec![AuditEvent {
            event: "rate_limited",
            key_id: known.map(|k| k.id),
            key_prefix: prefix,
            connection_id: known.map(|k| k.connection_id),
            outcome: failure.audit_outcome(),
            ..Default::default()
        }
        .stmt(svc.now)],
        // A suspended key is a real key refused until an administrator confirms it: audited like a failure.
        f if f.is_identity_failure() || matches!(f, AuthFailure::Suspended(_)) => crate::store::failures::grouped(
            client,
            &AuditEvent {
                event: "auth_failure",
                key_id: known.map(|k| k.id),
                key_prefix: prefix,
                connection_id: known.map(|k| k.connection_id),
                outcome: failure.audit_outcome(),
                ..Default::default()
            },
            svc.now,
        ),
        _ => vec![],
    };
    // A 401 invites OAuth sign-in only while a connection offers it (one lookup, on this failure path).
    let offered = failure.is_identity_failure() && crate::store::oauth::settings::any_enabled(svc.db).await;
    let metadata = crate::oauth::resource::Issuer::of(&req.origin)
        .filter(|_| offered)
        .map(|issuer| crate::oauth::metadata::protected_resource_url(&issuer));
    let mut outcome = Outcome::new(auth_failure_response(failure, reply_to, metadata.as_deref()), after);
    if let Some(p) = prefix {
        outcome.log.insert("key".into(), json!(p));
    }
    outcome.log.insert("outcome".into(), json!(failure.audit_outcome()));
    outcome
}

/// The answer to a failed authentication. A 401 names this server's Protected Resource Metadata
/// (`resource_metadata`, RFC 9728 §5.1), from which an OAuth-capable client finds how to sign in.
pub fn auth_failure_response(
    failure: &AuthFailure,
    reply_to: &ReplyTo,
    resource_metadata: Option<&str>,
) -> HttpResponse {
    let challenge = |error: Option<&str>| {
        let mut c = "Bearer realm=\"odoo-mcp\"".to_string();
        if let Some(e) = error {
            c.push_str(&format!(", error=\"{e}\""));
        }
        if let Some(url) = resource_metadata {
            c.push_str(&format!(", resource_metadata=\"{url}\""));
        }
        c
    };
    match failure {
        AuthFailure::RateLimited { retry_after_s, .. } | AuthFailure::Throttled { retry_after_s } => {
            reply_to.error(429, SERVER_ERROR, failure.message()).with_header("retry-after", retry_after_s.to_string())
        }
        // No Retry-After: waiting never makes it fit.
        AuthFailure::OverLimitAtOnce { .. } => reply_to.error(429, SERVER_ERROR, failure.message()),
        AuthFailure::Store(e) => store_unavailable_to(e, reply_to),
        // The key is known and valid; it is held back, not wrong: 403, and no invitation to re-authenticate.
        AuthFailure::Suspended(_) => reply_to.error(403, SERVER_ERROR, format!("Forbidden: {}", failure.message())),
        AuthFailure::MissingKey => reply_to
            .error(401, SERVER_ERROR, format!("Unauthorized: {}", failure.message()))
            .with_header("www-authenticate", challenge(None)),
        _ => reply_to
            .error(401, SERVER_ERROR, format!("Unauthorized: {}", failure.message()))
            .with_header("www-authenticate", challenge(Some("invalid_token"))),
    }
}

/// The media types an Accept header lists, lower-case, without those refused by `q=0`.
fn accepted_types(accept: &str) -> Vec<String> {
    accept
        .split(',')
        .filter(|part| !part.split(';').skip(1).any(|p| p.trim().replace(' ', "") == "q=0"))
        .map(|part| part.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .collect()
}

/// `Some(false)` = answer JSON, `Some(true)` = answer SSE, `None` = neither is acceptable.
/// Lenient on purpose: several real clients send only `application/json` or `*/*`.
pub fn response_encoding(accept: Option<&str>) -> Option<bool> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(false);
    };
    let types = accepted_types(accept);
    if types.iter().any(|t| t == "application/json" || t == "application/*" || t == "*/*") {
        Some(false)
    } else if types.iter().any(|t| t == "text/event-stream" || t == "text/*") {
        Some(true)
    } else {
        None
    }
}

/// Whether an SSE answer is acceptable (needed to stream progress and log notifications).
pub fn accepts_sse(accept: Option<&str>) -> bool {
    accept.is_some_and(|a| accepted_types(a).iter().any(|t| t == "text/event-stream" || t == "text/*"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_negotiation_is_lenient_but_not_blind() {
        assert_eq!(response_encoding(None), Some(false));
        assert_eq!(response_encoding(Some("application/json, text/event-stream")), Some(false));
        assert_eq!(response_encoding(Some("*/*")), Some(false));
        assert_eq!(response_encoding(Some("text/event-stream")), Some(true));
        assert_eq!(response_encoding(Some("text/html")), None);
        assert_eq!(response_encoding(Some("application/json;q=0, text/event-stream")), Some(true));
        assert!(accepts_sse(Some("application/json, text/event-stream")));
        assert!(!accepts_sse(Some("application/json")));
        assert!(!accepts_sse(Some("text/event-stream;q=0, application/json")));
    }
}
