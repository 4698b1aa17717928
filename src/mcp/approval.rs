//! Asking the person before what cannot be undone (a key's `Approval`), by the protocol's own way of
//! asking the person, never the model:
//! - Session era: `elicitation/create` sent on the request's own SSE stream (started for it if need be).
//!   The client posts the answer as a JSON-RPC response, maybe to another isolate: `deliver` hands it to
//!   the question in this isolate's mailbox when it waits here, else it goes to D1 (`approval_answers`).
//!   The question looks at its mailbox every tenth of a second and at D1 seldom (the answer and the
//!   request's cancellation in one round trip), until an answer, the client leaving or cancelling,
//!   `WAIT_MS`, or the subrequests its call still needs end the wait.
//! - 2026-07-28: an `input_required` result carries the question and a `requestState` signed with a key
//!   derived for this purpose, bound to the key, the call (tool and arguments) and an expiry. The retry
//!   bringing the answer runs the call once (its nonce is recorded in `approval_uses`).
//!
//! Only an "accept" with the box ticked approves; a decline, a dismissal or no answer does nothing. A
//! client that cannot be asked gets a refusal saying what to do; no argument the model could set skips
//! the question.

use super::asking::{Asking, NO_ELICITATION, NO_STREAM};
use super::context::RequestCtx;
use super::jsonrpc::RpcError;
use super::stream::{sse_frame, sse_head, ResponseStream};
use crate::crypto::{derive_key, hmac_sha256};
use crate::json;
use crate::platform::now_ms;
use crate::policy::keys;
use crate::store;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;

/// The id prefix of the server's questions in the session era (a response with another id is no answer).
pub const ID_PREFIX: &str = "approval-";
/// The key of the question in a 2026-07-28 `inputRequests`, and of its answer in `inputResponses`.
pub const INPUT_KEY: &str = "approval";
/// How long a session-era question waits for its person.
pub const WAIT_MS: i64 = 120_000;
/// How long a 2026-07-28 question may be answered.
pub const STATE_TTL_MS: i64 = 10 * 60_000;
/// The HKDF label of the key `requestState` is signed with.
const KEY_LABEL: &str = "odoo-mcp-edge/approval/v1";
const MAC_LEN: usize = 16;
/// The mailbox is looked at this often (free); D1 first after `FIRST_POLL_MS`, then less and less often.
const LOOK_MS: u64 = 100;
const FIRST_POLL_MS: i64 = 1_000;
const MAX_POLL_GAP_MS: i64 = 5_000;

/// Why the call did not run.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    Declined,
    /// The person dismissed the question.
    Dismissed,
    /// Accepted without ticking the box.
    Unconfirmed,
    NoAnswer,
    /// This request or client cannot ask; the text says why and what to do.
    Unable(String),
    /// A 2026-07-28 approval brought back a second time.
    AlreadyUsed,
    /// A 2026-07-28 `requestState` that is not one this server signed for this key and call.
    Invalid,
}

impl Refusal {
    /// One word for the audit row.
    pub fn outcome(&self) -> &'static str {
        match self {
            Refusal::Declined => "declined",
            Refusal::Dismissed => "dismissed",
            Refusal::Unconfirmed => "unconfirmed",
            Refusal::NoAnswer => "no_answer",
            Refusal::Unable(_) => "cannot_ask",
            Refusal::AlreadyUsed => "already_used",
            Refusal::Invalid => "invalid_state",
        }
    }

    /// In words, for the tool's result: what happened, and that nothing was done.
    pub fn message(&self) -> String {
        match self {
            Refusal::Declined => "The person declined: nothing was done.".into(),
            Refusal::Dismissed => "The person dismissed the question without approving: nothing was done.".into(),
            Refusal::Unconfirmed => "The person answered without ticking the confirmation: nothing was done.".into(),
            Refusal::NoAnswer => format!(
                "No answer came from the person within {} seconds: nothing was done. Ask again when they are ready.",
                WAIT_MS / 1000
            ),
            Refusal::Unable(why) => why.clone(),
            Refusal::AlreadyUsed => {
                "This approval was already used once: nothing was done again. Call the tool again to ask anew.".into()
            }
            Refusal::Invalid => "The approval state sent back is not valid for this key and call (altered, or from \
                another call): nothing was done. Call the tool again to ask anew."
                .into(),
        }
    }
}

/// Where a question stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Approved,
    Refused(Refusal),
    /// 2026-07-28: answer the request with this `input_required` result; the client retries with the answer.
    Ask(Value),
}

/// The call a question is about, as the signed state binds it: the tool's name and its arguments.
pub struct Call<'a> {
    pub tool: &'a str,
    pub arguments: &'a Map<String, Value>,
}

/// Asks the person `question` and returns their verdict. `reserve` is the subrequests the call needs once
/// approved: a session-era wait never spends them. `Err` only for a cancelled request.
pub async fn ask(ctx: &RequestCtx<'_>, call: &Call<'_>, question: &str, reserve: u32) -> Result<Verdict, RpcError> {
    match &ctx.asking {
        Asking::Unable(why) => Ok(Verdict::Refused(Refusal::Unable(unable(why)))),
        Asking::Rounds { elicitation: false, .. } => Ok(Verdict::Refused(Refusal::Unable(unable(NO_ELICITATION)))),
        Asking::Rounds { responses, state, .. } => {
            rounds(ctx, call, question, responses.as_ref(), state.as_deref()).await
        }
        Asking::Stream(stream) => match &ctx.lane {
            super::context::Lane::Session { session, .. } => {
                on_stream(ctx, stream, &session.id, question, reserve).await
            }
            super::context::Lane::Stateless { .. } => Ok(Verdict::Refused(Refusal::Unable(unable(NO_STREAM)))),
        },
    }
}

fn unable(why: &str) -> String {
    format!(
        "This key runs this only after its person approves it, and the approval could not be asked: {why}. Nothing \
         was done. Use an MCP client that can ask its user for approval (form elicitation), or ask the \
         administrator to lift the approval rule for this key."
    )
}

/// The question's `elicitation/create` params: the message and one box to tick.
pub fn question_params(question: &str) -> Value {
    json!({
        "message": question,
        "requestedSchema": {
            "type": "object",
            "properties": {"confirm": {"type": "boolean", "title": "Yes, do it", "description": "Tick to approve exactly what is described", "default": false}},
            "required": ["confirm"]
        }
    })
}

/// What an answer says, in one word: `accept` only for an accept with the box ticked; an error answer
/// or one that cannot be read is a dismissal.
pub fn answer_of(result: Option<&Value>) -> &'static str {
    let Some(r) = result else { return "cancel" };
    match r.get("action").and_then(Value::as_str) {
        Some("accept") if r.pointer("/content/confirm") == Some(&Value::Bool(true)) => "accept",
        Some("accept") => "unconfirmed",
        Some("decline") => "decline",
        _ => "cancel",
    }
}

fn verdict_of(answer: &str) -> Verdict {
    match answer {
        "accept" => Verdict::Approved,
        "decline" => Verdict::Refused(Refusal::Declined),
        "unconfirmed" => Verdict::Refused(Refusal::Unconfirmed),
        _ => Verdict::Refused(Refusal::Dismissed),
    }
}

thread_local! {
    /// Questions waiting in this isolate, by session and question id: `None` until answered.
    static MAILBOX: RefCell<HashMap<String, Option<&'static str>>> = RefCell::new(HashMap::new());
}

fn mailbox_key(session_id: &str, question_id: &str) -> String {
    format!("{session_id}\n{question_id}")
}

/// Hands a client's answer to the question `question_id` of the session, when that question waits in
/// this isolate; `false` when it does not (the answer must then go through D1).
pub fn deliver(session_id: &str, question_id: &str, answer: &'static str) -> bool {
    MAILBOX.with(|m| match m.borrow_mut().get_mut(&mailbox_key(session_id, question_id)) {
        Some(slot) => {
            slot.get_or_insert(answer);
            true
        }
        None => false,
    })
}

/// Removes the question from the mailbox however its wait ends.
struct Waiting(String);

impl Waiting {
    fn new(key: String) -> Waiting {
        MAILBOX.with(|m| m.borrow_mut().insert(key.clone(), None));
        Waiting(key)
    }

    fn answer(&self) -> Option<&'static str> {
        MAILBOX.with(|m| m.borrow().get(&self.0).copied().flatten())
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        MAILBOX.with(|m| m.borrow_mut().remove(&self.0));
    }
}

async fn on_stream(
    ctx: &RequestCtx<'_>,
    stream: &ResponseStream,
    session_id: &str,
    question: &str,
    reserve: u32,
) -> Result<Verdict, RpcError> {
    let svc = ctx.svc;
    match store::approvals::client_can_elicit(svc.db, session_id).await {
        Ok(true) => {}
        Ok(false) => return Ok(Verdict::Refused(Refusal::Unable(unable(NO_ELICITATION)))),
        Err(_) => return Ok(Verdict::Refused(Refusal::Unable(unable("the database could not be reached to check")))),
    }
    let id = match keys::random_id(16) {
        Ok(r) => format!("{ID_PREFIX}{r}"),
        Err(_) => return Ok(Verdict::Refused(Refusal::Unable(unable("no randomness to name the question")))),
    };
    let waiting = Waiting::new(mailbox_key(session_id, &id));
    if !stream.is_started() {
        stream.start(sse_head());
    }
    stream.send(sse_frame(
        &json!({"jsonrpc": "2.0", "id": id, "method": "elicitation/create", "params": question_params(question)}),
    ));
    let cancelled_id = ctx.request_id.to_string();
    let started = now_ms();
    let (mut next_poll, mut gap) = (started + FIRST_POLL_MS, FIRST_POLL_MS);
    loop {
        if let Some(answer) = waiting.answer() {
            return Ok(verdict_of(answer));
        }
        if stream.client_gone() {
            return Err(RpcError::cancelled());
        }
        let now = now_ms();
        if now - started >= WAIT_MS {
            return Ok(Verdict::Refused(Refusal::NoAnswer));
        }
        if now >= next_poll {
            // The call itself must still fit in what is left: waiting longer is not worth failing it.
            if svc.subrequests_left() <= reserve {
                return Ok(Verdict::Refused(Refusal::NoAnswer));
            }
            // A failed look is simply tried again at the next one.
            match store::approvals::poll(svc.db, session_id, &id, &cancelled_id).await {
                Ok((Some(answer), _)) => return Ok(verdict_of(&answer)),
                Ok((None, true)) => return Err(RpcError::cancelled()),
                _ => {}
            }
            gap = (gap * 3 / 2).min(MAX_POLL_GAP_MS);
            next_poll = now_ms() + gap;
        }
        (svc.sleep)(LOOK_MS).await;
    }
}

/// The key `requestState` is signed with (as cursors', derived from `CREDENTIALS_KEY` for this purpose).
fn state_key(ctx: &RequestCtx<'_>) -> [u8; 32] {
    derive_key(&ctx.svc.settings.credentials_key.unwrap_or_default(), KEY_LABEL)
}

fn mac(secret: &[u8], payload: &str, key_id: i64, call: &Call<'_>) -> Vec<u8> {
    let bound = format!("{payload}\n{key_id}\n{}\n{}", call.tool, Value::Object(call.arguments.clone()));
    hmac_sha256(secret, bound.as_bytes())[..MAC_LEN].to_vec()
}

/// A new signed state: `expiry.nonce.mac`, bound to the key and the call.
fn new_state(ctx: &RequestCtx<'_>, call: &Call<'_>) -> Result<String, String> {
    let payload = format!("{}.{}", ctx.svc.now + STATE_TTL_MS, keys::random_id(16)?);
    Ok(format!("{payload}.{}", URL_SAFE_NO_PAD.encode(mac(&state_key(ctx), &payload, ctx.auth.key_id, call))))
}

/// What a state sent back is.
#[derive(Debug, PartialEq)]
enum State {
    Valid { nonce: String },
    Expired,
    Invalid,
}

fn check_state(ctx: &RequestCtx<'_>, call: &Call<'_>, state: &str) -> State {
    let Some((payload, mac_b64)) = state.rsplit_once('.') else { return State::Invalid };
    let Some((expiry, nonce)) = payload.split_once('.') else { return State::Invalid };
    let want = URL_SAFE_NO_PAD.encode(mac(&state_key(ctx), payload, ctx.auth.key_id, call));
    if !keys::constant_time_eq(mac_b64, &want) {
        return State::Invalid;
    }
    match expiry.parse::<i64>() {
        Ok(e) if e >= ctx.svc.now => State::Valid { nonce: nonce.to_string() },
        Ok(_) => State::Expired,
        Err(_) => State::Invalid,
    }
}

async fn rounds(
    ctx: &RequestCtx<'_>,
    call: &Call<'_>,
    question: &str,
    responses: Option<&Value>,
    state: Option<&str>,
) -> Result<Verdict, RpcError> {
    let ask = || match new_state(ctx, call) {
        Ok(state) => Verdict::Ask(json!({
            "resultType": "input_required",
            "inputRequests": {INPUT_KEY: {"method": "elicitation/create", "params": question_params(question)}},
            "requestState": state,
        })),
        Err(_) => Verdict::Refused(Refusal::Unable(unable("no randomness to sign the question"))),
    };
    let nonce = match state.map(|s| check_state(ctx, call, s)) {
        // A first round, or an answer that came too late: ask (again).
        None | Some(State::Expired) => return Ok(ask()),
        Some(State::Invalid) => return Ok(Verdict::Refused(Refusal::Invalid)),
        Some(State::Valid { nonce }) => nonce,
    };
    // Responses are per round: no answer in this one means the question is asked again.
    let Some(answer) = responses.and_then(|r| r.get(INPUT_KEY)) else { return Ok(ask()) };
    match answer_of(Some(answer)) {
        "accept" => match store::approvals::use_once(ctx.svc.db, &nonce, ctx.svc.now).await {
            Ok(true) => Ok(Verdict::Approved),
            Ok(false) => Ok(Verdict::Refused(Refusal::AlreadyUsed)),
            Err(_) => Ok(Verdict::Refused(Refusal::Unable(unable("the database could not record the approval")))),
        },
        other => Ok(verdict_of(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_ticked_accept_approves() {
        assert_eq!(answer_of(Some(&json!({"action": "accept", "content": {"confirm": true}}))), "accept");
        assert_eq!(answer_of(Some(&json!({"action": "accept", "content": {"confirm": false}}))), "unconfirmed");
        assert_eq!(answer_of(Some(&json!({"action": "accept"}))), "unconfirmed");
        assert_eq!(answer_of(Some(&json!({"action": "accept", "content": {"confirm": "true"}}))), "unconfirmed");
        assert_eq!(answer_of(Some(&json!({"action": "decline"}))), "decline");
        assert_eq!(answer_of(Some(&json!({"action": "cancel"}))), "cancel");
        assert_eq!(answer_of(Some(&json!({"action": "ACCEPT", "content": {"confirm": true}}))), "cancel");
        assert_eq!(answer_of(None), "cancel");
        assert_eq!(verdict_of("accept"), Verdict::Approved);
        assert_eq!(verdict_of("whatever"), Verdict::Refused(Refusal::Dismissed));
    }

    #[test]
    fn the_mailbox_takes_answers_only_for_questions_waiting_here() {
        assert!(!deliver("s", "approval-x", "accept"), "nothing waits");
        let w = Waiting::new(mailbox_key("s", "approval-x"));
        assert_eq!(w.answer(), None);
        assert!(deliver("s", "approval-x", "decline"));
        assert!(deliver("s", "approval-x", "accept"), "delivered, but the first answer counts");
        assert_eq!(w.answer(), Some("decline"));
        drop(w);
        assert!(!deliver("s", "approval-x", "accept"), "gone with its wait");
    }
}
