//! Early start: a read's Odoo call sent at the same time as the authentication batch, rather than
//! after it, so that a warm read costs max(D1, Odoo) instead of D1 + Odoo.
//!
//! The rules (ARCHITECTURE.md, "Early start", says why a revoked key still never sees data):
//! - Only a single request for a read (`capabilities::may_start_early`: the read tools,
//!   `resources/read`, `completion/complete`); a write, a batch or a notification never starts early.
//! - Only for a key a batch passed in this isolate less than `warm::WARM_TTL_MS` ago and not refused
//!   since nor within `warm::REFUSAL_PAUSE_MS` (`warm`). The request is then run, with what that
//!   batch found, up to its first await (nothing is awaited: a handler that would need D1 first, such
//!   as a schema this isolate does not hold, simply does not start early), and the Odoo requests it
//!   made by then (its first, or a few made at once) are sent; the batch follows them a turn of the
//!   event loop later (`alongside` says why).
//! - The batch decides as always. Refused, and the early call is dropped unseen: the answer is the
//!   refusal, and nothing counts or audits the dropped call. Passed, and the request is served as if
//!   nothing had started, with the batch's own findings; its Odoo requests get the early answers only
//!   while each is the very request sent early (`handoff`), so that any change the batch brought
//!   (permissions, scope, field policy, credentials, connection, schema) makes it send its own.

pub mod handoff;
pub mod warm;

use super::dispatch;
use crate::capabilities;
use crate::http::Outcome;
use crate::mcp::context::{Lane, RequestCtx};
use crate::mcp::jsonrpc::Message;
use crate::mcp::stream::Notifier;
use crate::platform::{Db, DbError, Http, HttpError, InboundResponse, LocalBoxFuture, OutboundRequest, Row, Stmt};
use crate::policy::auth::{AuthContext, AuthFailure};
use crate::services::Services;
use crate::subrequests::Subrequests;
pub use handoff::{Handoff, Started};
use std::cell::RefCell;
use std::future::{poll_fn, Future};
use std::task::{Context, Waker};

/// The early call of `message` for the key `key_hash`, sent through `svc.http`, when the rules allow
/// one; `None` otherwise.
pub fn start<'a>(svc: &Services<'a>, key_hash: &str, message: &Message) -> Option<Started<'a>> {
    let Message::Request { id, method, params } = message else { return None };
    if !capabilities::may_start_early(message) {
        return None;
    }
    let auth = warm::passed(key_hash, svc.now)?;
    // Over /jsonrpc without a uid the first request would be the login, after which the batch (which
    // then knows the uid the login stored) always sends another: wasted, so not started.
    if auth.connection.transport == crate::odoo::Transport::Jsonrpc && auth.odoo_uid.is_none() {
        return None;
    }
    let sent = first_requests(svc, &auth, id, method, params);
    if sent.is_empty() {
        return None;
    }
    let http: &'a dyn Http = svc.http;
    Some(Started::new(sent.into_iter().map(|req| (req.clone(), http.send(req))).collect()))
}

/// Awaits `auth` (the authentication batch) while driving the early call; then keeps this isolate's
/// memory of the key up to date with what the batch said, and drops the early call if it refused.
///
/// The early call's requests go first, and the batch a turn of the event loop (`sleep(0)`) after them:
/// sent in the same turn, the batch reached local D1 first, whose SQLite transaction and commit to disk
/// run on the thread that was to send the Odoo request, and the Odoo call, the longer of the two, waited
/// for them (−3.9 ms per warm read in `make bench`, docs/performance.md). Deployed, D1 is a network hop
/// that a turn delays by nothing measurable, and Odoo's request still leaves first. The answer waits
/// for the batch all the same.
pub async fn alongside<F>(
    started: Option<&Started<'_>>,
    key_hash: Option<&str>,
    svc: &Services<'_>,
    auth: F,
) -> F::Output
where
    F: Future<Output = Result<AuthContext, AuthFailure>>,
{
    let now = svc.now;
    let mut auth = std::pin::pin!(auth);
    if let Some(s) = started {
        let mut turn = (svc.sleep)(0);
        poll_fn(|cx| {
            s.drive(cx);
            turn.as_mut().poll(cx)
        })
        .await;
    }
    let result = poll_fn(|cx| {
        let polled = auth.as_mut().poll(cx);
        if polled.is_pending() {
            if let Some(s) = started {
                s.drive(cx);
            }
        }
        polled
    })
    .await;
    match (&result, key_hash) {
        (Ok(a), _) => warm::confirm(a, now),
        // A key of ours refused (revoked, expired, suspended, over its rate limit): nothing early for a while.
        (Err(f), Some(hash)) if f.known_key().is_some() => warm::refuse(hash, now),
        // Unknown now, or the store failed: forget what was held of it.
        (Err(_), Some(hash)) => warm::forget(hash),
        (Err(_), None) => {}
    }
    if result.is_err() {
        if let Some(s) = started {
            s.drop_unseen();
        }
    }
    result
}

/// A request refused after its batch passed the key (beyond its grant's scope): the early call is
/// dropped, and the key starts nothing early for a while.
pub fn refused(started: Option<&Started<'_>>, key_hash: &str, now: i64) {
    if let Some(s) = started {
        s.drop_unseen();
    }
    warm::refuse(key_hash, now);
}

/// The request's log line says what became of its early call: `used`, or `dropped` (refused, or the
/// request made another call first).
pub fn noted(started: Option<&Started<'_>>, mut outcome: Outcome) -> Outcome {
    if let Some(s) = started {
        outcome.log.insert("early".into(), crate::json!(if s.was_used() { "used" } else { "dropped" }));
    }
    outcome
}

/// At most this many requests start early (those a request makes at once before awaiting anything).
const MAX_EARLY: usize = 4;

/// The request, run with what the key's last passing batch found, up to the point where it awaits
/// something: the Odoo requests it made by then (one, or a few made at once). Nothing it does is kept
/// (its statements, log fields and notifications go nowhere).
fn first_requests(
    svc: &Services<'_>,
    auth: &AuthContext,
    id: &serde_json::Value,
    method: &str,
    params: &serde_json::Map<String, serde_json::Value>,
) -> Vec<OutboundRequest> {
    let capture = Capture::default();
    let subrequests = Subrequests::new();
    let dry = Services { db: &Unreachable, http: &capture, subrequests: &subrequests, ..*svc };
    let notify = Notifier::silent();
    let ctx = RequestCtx::new(&dry, auth, Lane::Stateless { log_threshold: None }, id.clone(), &notify);
    let mut run = std::pin::pin!(dispatch::dispatch(&ctx, method, params));
    // One poll: everything up to the first await that is not immediately ready.
    let _ = run.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    let mut sent = capture.0.take();
    if sent.len() > MAX_EARLY {
        sent.clear();
    }
    sent
}

/// The `Http` of the dry run: keeps the requests and never answers.
#[derive(Default)]
struct Capture(RefCell<Vec<OutboundRequest>>);

impl Http for Capture {
    fn send<'a>(&'a self, req: OutboundRequest) -> LocalBoxFuture<'a, Result<InboundResponse, HttpError>> {
        self.0.borrow_mut().push(req);
        Box::pin(std::future::pending())
    }
}

/// The `Db` of the dry run: never answers, so a handler that needs D1 before Odoo starts nothing early.
struct Unreachable;

impl Db for Unreachable {
    fn batch<'a>(&'a self, _stmts: Vec<Stmt>) -> LocalBoxFuture<'a, Result<Vec<Vec<Row>>, DbError>> {
        Box::pin(std::future::pending())
    }
}
