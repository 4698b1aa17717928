//! The session lane (protocol 2025-11-25 down to 2024-11-05): version header → `initialize` or a live
//! session of this key, whose negotiated version the header must name → the message (or, in a session
//! of 2025-03-26 or older, a batch, whose elements each need the subrequest budget left) → dispatch. A request that asks
//! for progress (or whose session has a log level) from a client that accepts SSE is streamed;
//! `notifications/cancelled` is recorded in D1 for the request it names.

use super::dispatch::{self, serve_message, serve_request};
use super::reply::{encode, http_error, readable_id, reply, rpc_error, store_unavailable, Admitted};
use crate::http::{HttpResponse, LogFields};
use crate::json;
use crate::mcp::approval;
use crate::mcp::context::{Lane, RequestCtx};
use crate::mcp::headers::{SESSION_HEADER, VERSION_HEADER};
use crate::mcp::jsonrpc::{self, classify, Message, RpcError, INVALID_REQUEST, SERVER_ERROR, SESSION_NOT_FOUND};
use crate::mcp::lifecycle;
use crate::mcp::stream::Notifier;
use crate::platform::Stmt;
use crate::policy::keys;
use crate::store;
use crate::store::sessions::SessionState;
use serde_json::{Map, Value};

const MAX_BATCH: usize = 50;

/// How many requests a session-era body counts for against the key's rate limit: one per message of a
/// batch (an oversized batch counts as the largest served, `MAX_BATCH`: it is refused whole), else one.
pub fn weight(body: &Value) -> i64 {
    match body {
        Value::Array(items) => items.len().clamp(1, MAX_BATCH) as i64,
        _ => 1,
    }
}

/// Serves a POST the gates admitted into the session lane.
pub async fn serve(post: &Admitted<'_>, after: &mut Vec<Stmt>, log: &mut LogFields) -> HttpResponse {
    let header_version = post.req.header(VERSION_HEADER).map(str::trim);
    if let Some(v) = header_version.filter(|v| !lifecycle::is_supported(v)) {
        return rpc_error(
            400,
            &readable_id(post.body),
            &RpcError::new(
                SERVER_ERROR,
                format!(
                    "Bad Request: Unsupported protocol version: {} (supported versions: {})",
                    crate::text::truncate(v, 40),
                    lifecycle::SESSION_VERSIONS.join(", ")
                ),
            ),
        );
    }
    // A body that is no JSON-RPC message is refused as such, before the session rules: an `initialize`
    // with ill-typed params (or a bare `42`) must not be told to send initialize first.
    let single = match post.body {
        Value::Array(_) => None,
        single => match classify(single) {
            Err((id, err)) => return rpc_error(400, &id, &err),
            Ok(message) => Some(message),
        },
    };
    // `initialize` opens a session; everything else needs a live one of this key.
    if let Some(Message::Request { id, method, params }) = &single {
        log.insert("method".into(), json!(crate::text::truncate(method, 64)));
        if method == "initialize" {
            return initialize(post, id, params).await;
        }
    }
    // The request's own id when it has one (null for a batch or a notification, as JSON-RPC 2.0 says).
    let refuse = |status: u16, code: i64, message: &str| {
        rpc_error(status, &readable_id(post.body), &RpcError::new(code, message))
    };
    let session = match post.req.header(SESSION_HEADER) {
        None => {
            return refuse(400, SERVER_ERROR, "Bad Request: Mcp-Session-Id header is required (send initialize first)")
        }
        Some(_) => match &post.auth.session {
            Some(s) if !s.ended => s,
            _ => {
                return refuse(
                    404,
                    SESSION_NOT_FOUND,
                    "Session not found: it ended or never existed; initialize a new one",
                )
            }
        },
    };
    // The version was negotiated once, at `initialize`: a header naming another one is refused, not
    // believed (it would otherwise unlock batches in a session that never negotiated them). Absent, it
    // is the session's (2025-03-26 clients send none).
    if let Some(h) = header_version.filter(|h| *h != session.protocol_version) {
        return refuse(
            400,
            SERVER_ERROR,
            &format!(
                "Bad Request: MCP-Protocol-Version {} differs from this session's protocol version {}",
                crate::text::truncate(h, 40),
                session.protocol_version
            ),
        );
    }
    let version = session.protocol_version.as_str();
    match (post.body, single) {
        (Value::Array(items), _) => batch(post, session, version, items, after, log).await,
        (_, None) => HttpResponse::empty(202),
        (_, Some(Message::Response { id, result })) => answer(post, session, &id, result.as_ref()).await,
        (_, Some(Message::Notification { method, params })) => notification(post, session, &method, &params).await,
        (_, Some(Message::Request { id, method, params })) => {
            request(post, Lane::Session { version, session }, id, &method, &params, after, log).await
        }
    }
}

async fn request(
    post: &Admitted<'_>,
    lane: Lane<'_>,
    id: Value,
    method: &str,
    params: &Map<String, Value>,
    after: &mut Vec<Stmt>,
    log: &mut LogFields,
) -> HttpResponse {
    match serve_request(post, lane, &id, method, params, after, log).await {
        // A cancelled request gets no response at all.
        None => HttpResponse::empty(202),
        Some(Ok(result)) => reply(post, 200, &jsonrpc::success(&id, result)),
        Some(Err(e)) => reply(post, 200, &jsonrpc::failure(&id, &e)),
    }
}

async fn notification(
    post: &Admitted<'_>,
    session: &SessionState,
    method: &str,
    params: &Map<String, Value>,
) -> HttpResponse {
    if method == "notifications/cancelled" {
        if let Some(request_id) =
            params.get("requestId").filter(|i| jsonrpc::is_id(i) && store::cancellations::recordable(i))
        {
            // Written before the 202, so that the request's next checkpoint (maybe in another isolate) sees it.
            if let Err(e) =
                post.svc.db.batch(vec![store::cancellations::record(&session.id, request_id, post.svc.now)]).await
            {
                return store_unavailable(&e.into());
            }
        }
    }
    HttpResponse::empty(202)
}

/// A client's answer to an approval question (`mcp::approval`): handed to the question when it waits in
/// this isolate, else recorded in D1 before the 202, for the isolate where it waits. Any other response
/// is only acknowledged (the server asks nothing else).
async fn answer(post: &Admitted<'_>, session: &SessionState, id: &Value, result: Option<&Value>) -> HttpResponse {
    let Some(question) = id.as_str().filter(|i| i.starts_with(approval::ID_PREFIX) && i.len() <= 100) else {
        return HttpResponse::empty(202);
    };
    let said = approval::answer_of(result);
    if !approval::deliver(&session.id, question, said) {
        if let Err(e) =
            post.svc.db.batch(vec![store::approvals::record_answer(&session.id, question, said, post.svc.now)]).await
        {
            return store_unavailable(&e.into());
        }
    }
    HttpResponse::empty(202)
}

async fn batch(
    post: &Admitted<'_>,
    session: &SessionState,
    version: &str,
    items: &[Value],
    after: &mut Vec<Stmt>,
    log: &mut LogFields,
) -> HttpResponse {
    if !lifecycle::allows_batches(version) {
        return http_error(
            400,
            INVALID_REQUEST,
            format!("Invalid Request: JSON-RPC batches are not supported in protocol version {version}"),
        );
    }
    if items.is_empty() || items.len() > MAX_BATCH {
        return http_error(
            400,
            INVALID_REQUEST,
            format!("Invalid Request: a batch must hold 1 to {MAX_BATCH} messages"),
        );
    }
    let notify = Notifier::silent();
    let mut replies = Vec::new();
    let mut served = None;
    // The whole batch is one request to the runtime, with one request's subrequest budget: a message
    // starts only while what is left covers it; the others are answered without being run.
    let left = || post.svc.subrequests_left();
    for item in items {
        match classify(item) {
            Err((id, err)) => replies.push(jsonrpc::failure(&id, &err)),
            Ok(Message::Response { id, result }) => {
                if left() > 0 {
                    answer(post, session, &id, result.as_ref()).await;
                }
            }
            // A cancellation to record needs one round trip; without it, it cannot be recorded (and a
            // notification has no answer to say so).
            Ok(Message::Notification { method, params }) => {
                if left() > 0 {
                    notification(post, session, &method, &params).await;
                }
            }
            Ok(Message::Request { id, method, .. }) if method == "initialize" => {
                replies.push(jsonrpc::failure(
                    &id,
                    &RpcError::new(INVALID_REQUEST, "Invalid Request: initialize must not be part of a batch"),
                ));
            }
            Ok(Message::Request { id, method, params }) if left() < dispatch::subrequests_reserve(&method, &params) => {
                replies.push(jsonrpc::failure(&id, &over_budget(post)));
            }
            Ok(Message::Request { id, method, params }) => {
                // The same path as a single message's, without a stream: the batch's answer is one array.
                let mut fields = LogFields::new();
                fields.insert("method".into(), json!(crate::text::truncate(&method, 64)));
                let ctx = RequestCtx::new(post.svc, post.auth, Lane::Session { version, session }, id.clone(), &notify);
                match serve_message(post, ctx, &method, &params, after, &mut fields).await {
                    // A cancelled request gets no answer in the array either.
                    None => {}
                    Some(Ok(r)) => replies.push(jsonrpc::success(&id, r)),
                    Some(Err(e)) => replies.push(jsonrpc::failure(&id, &e)),
                }
                served = Some(fields);
            }
        }
    }
    // One log line for the HTTP request: it carries what a single message's carries, of the last
    // message served (method, tool, model, outcome …); earlier ones are in the audit rows.
    if let Some(fields) = served {
        log.extend(fields);
    }
    if replies.is_empty() {
        HttpResponse::empty(202)
    } else {
        encode(&Value::Array(replies), post.wants_sse)
    }
}

/// The answer to a batch's message that was not run: the budget left could not cover it.
fn over_budget(post: &Admitted<'_>) -> RpcError {
    RpcError::new(
        SERVER_ERROR,
        format!(
            "Not run: what is left of this HTTP request's subrequest budget ({} database and Odoo calls on \
             this deployment, shared by the whole batch) does not cover it; send it again in another request",
            post.svc.settings.subrequest_budget
        ),
    )
}

async fn initialize(post: &Admitted<'_>, id: &Value, params: &Map<String, Value>) -> HttpResponse {
    let (version, result) = lifecycle::initialize_result(params);
    let session_id = match keys::random_id(24) {
        Ok(s) => s,
        Err(e) => return rpc_error(500, id, &RpcError::new(jsonrpc::INTERNAL_ERROR, e)),
    };
    let client = params.get("clientInfo");
    let elicitation =
        params.get("capabilities").and_then(|c| c.get("elicitation")).is_some_and(crate::mcp::asking::form_declared);
    let field = |k: &str| client.and_then(|c| c.get(k)).and_then(Value::as_str).map(|s| crate::text::truncate(s, 100));
    let new = store::sessions::NewSession {
        id: &session_id,
        key_hash: &post.auth.key_hash,
        protocol_version: &version,
        client_name: field("name"),
        client_version: field("version"),
        elicitation,
    };
    if let Err(e) = store::sessions::create(post.svc.db, &new, post.svc.now).await {
        return store_unavailable(&e);
    }
    encode(&jsonrpc::success(id, result), post.wants_sse).with_header(SESSION_HEADER, session_id)
}
