//! One Odoo client over two transports. Callers name a model, a method, optional record ids and the
//! method's parameters in signature order; the client turns that into a JSON-2 body (all by name) or an
//! `execute_kw` call (the first `positional` parameters by position, the rest by name), because Odoo's
//! parameter names changed between versions while positions did not. Answers are checked against the
//! method's shape (`answer.rs`).

use super::answer;
use super::call::Call;
// Re-exported: callers build their calls as `odoo::client::Call`.
use super::error::{OdooError, OdooErrorKind};
use super::{Connection, Transport};
use crate::json;
use crate::platform::{Http, HttpError, InboundResponse, OutboundRequest};
use serde_json::{Map, Value};
use std::cell::Cell;

pub struct OdooClient<'a> {
    http: &'a dyn Http,
    conn: &'a Connection,
    login: &'a str,
    api_key: &'a str,
    /// Shared with the caller, so a uid learnt here can be cached on the key afterwards.
    uid: &'a Cell<Option<i64>>,
    timeout_ms: u64,
    calls: Cell<u32>,
    /// Odoo's `context` for every method call (companies, language, time zone), if any.
    context: Option<Value>,
}

impl<'a> OdooClient<'a> {
    pub fn new(
        http: &'a dyn Http,
        conn: &'a Connection,
        login: &'a str,
        api_key: &'a str,
        uid: &'a Cell<Option<i64>>,
        timeout_ms: u64,
    ) -> Self {
        OdooClient { http, conn, login, api_key, uid, timeout_ms, calls: Cell::new(0), context: None }
    }

    /// Every method call then carries `context` (JSON-2's `context` member, `execute_kw`'s keyword).
    pub fn with_context(self, context: Option<Value>) -> Self {
        OdooClient { context, ..self }
    }

    /// The uid learnt from Odoo during this client's life (to cache on the key).
    pub fn uid(&self) -> Option<i64> {
        self.uid.get()
    }

    pub fn connection(&self) -> &Connection {
        self.conn
    }

    /// HTTP requests made to Odoo so far.
    pub fn calls(&self) -> u32 {
        self.calls.get()
    }

    /// Runs `call`; an answer of another shape than the method's (`answer::check`) is an error, and so
    /// is every answer that is not Odoo's own.
    pub async fn call(&self, call: &Call<'_>) -> Result<Value, OdooError> {
        let result = match self.call_once(call).await {
            Ok(value) => answer::check(call, value),
            Err(e) => Err(e),
        };
        result.map_err(|mut e| {
            // No answer from Odoo itself (an Odoo error names its exception), or not the answer the
            // method gives: a write may have happened.
            if e.name.is_none()
                && matches!(
                    e.kind,
                    OdooErrorKind::Timeout | OdooErrorKind::Unavailable | OdooErrorKind::UnexpectedAnswer
                )
                && answer::is_write(call.method)
            {
                e.outcome_unknown = true;
            }
            e
        })
    }

    async fn call_once(&self, call: &Call<'_>) -> Result<Value, OdooError> {
        match self.conn.transport {
            Transport::Json2 => match self.call_json2(call).await {
                // The JSON-2 route is missing (rpc addon absent, proxy): fall back to /jsonrpc.
                Err(e) if is_missing_route(&e) => self.call_jsonrpc(call).await,
                other => other,
            },
            Transport::Jsonrpc => self.call_jsonrpc(call).await,
        }
    }

    /// Logs in now if the next call would (`/jsonrpc` without a uid yet), so that calls then made at the
    /// same time do not each log in.
    pub async fn logged_in(&self) -> Result<(), OdooError> {
        if self.conn.transport == Transport::Jsonrpc && self.uid.get().is_none() {
            self.authenticate().await?;
        }
        Ok(())
    }

    /// Checks the credentials and returns the Odoo uid they belong to.
    pub async fn whoami(&self) -> Result<i64, OdooError> {
        match self.conn.transport {
            Transport::Json2 => {
                let call = Call { model: "res.users", method: "context_get", ids: None, params: vec![], positional: 0 };
                match self.call_json2(&call).await {
                    Ok(ctx) => {
                        let uid = ctx.get("uid").and_then(Value::as_i64).ok_or_else(|| {
                            OdooError::new(OdooErrorKind::Unavailable, "Odoo's context_get answer has no uid")
                        })?;
                        self.uid.set(Some(uid));
                        Ok(uid)
                    }
                    Err(e) if is_missing_route(&e) => self.authenticate().await,
                    Err(e) => Err(e),
                }
            }
            Transport::Jsonrpc => self.authenticate().await,
        }
    }

    async fn authenticate(&self) -> Result<i64, OdooError> {
        let params = json!({"service": "common", "method": "authenticate",
                            "args": [self.conn.database, self.login, self.api_key, {}]});
        match self.jsonrpc(params).await? {
            Value::Number(n) => {
                let uid = n
                    .as_i64()
                    .ok_or_else(|| OdooError::new(OdooErrorKind::Unavailable, "Odoo returned a non-integer uid"))?;
                self.uid.set(Some(uid));
                Ok(uid)
            }
            _ => Err(OdooError::new(OdooErrorKind::AccessDenied, "Access Denied")),
        }
    }

    async fn call_jsonrpc(&self, call: &Call<'_>) -> Result<Value, OdooError> {
        let uid = match self.uid.get() {
            Some(uid) => uid,
            None => self.authenticate().await?,
        };
        let mut args = Vec::new();
        if let Some(ids) = call.ids {
            args.push(json!(ids));
        }
        let mut kwargs = Map::new();
        for (i, (name, value)) in call.params.iter().enumerate() {
            if i < call.positional {
                args.push(value.clone());
            } else {
                kwargs.insert((*name).to_string(), value.clone());
            }
        }
        if let Some(context) = &self.context {
            kwargs.insert("context".into(), context.clone());
        }
        let params = json!({"service": "object", "method": "execute_kw",
            "args": [self.conn.database, uid, self.api_key, call.model, call.method, args, kwargs]});
        self.jsonrpc(params).await
    }

    async fn jsonrpc(&self, params: Value) -> Result<Value, OdooError> {
        let id = self.calls.get() + 1;
        let body = json!({"jsonrpc": "2.0", "method": "call", "id": id, "params": params});
        let resp = self.send(format!("{}/jsonrpc", self.conn.url), vec![], body.to_string()).await?;
        let parsed = parse_json_body(&resp)?;
        if resp.status != 200 {
            return Err(match parsed.as_ref().and_then(|v| v.get("error")) {
                Some(err) => OdooError::from_odoo_payload(err.get("data").unwrap_or(err), resp.status),
                None => status_error(&resp),
            });
        }
        let Some(envelope) = parsed else {
            return Err(non_json_error(&resp));
        };
        if let Some(err) = envelope.get("error") {
            return Err(OdooError::from_odoo_payload(err.get("data").unwrap_or(err), 200));
        }
        if !envelope.is_object() {
            return Err(OdooError::new(OdooErrorKind::Unavailable, "Odoo's JSON-RPC answer is not an object"));
        }
        // Odoo leaves `result` out when the method returned None (`check_access_rule`, `check_access`,
        // `action_set_lost` …): an answer without `error` is a success whose value is null.
        Ok(envelope.get("result").cloned().unwrap_or(Value::Null))
    }

    async fn call_json2(&self, call: &Call<'_>) -> Result<Value, OdooError> {
        let mut body = Map::new();
        if let Some(ids) = call.ids {
            body.insert("ids".into(), json!(ids));
        }
        for (name, value) in &call.params {
            body.insert((*name).to_string(), value.clone());
        }
        if let Some(context) = &self.context {
            body.insert("context".into(), context.clone());
        }
        let url = format!("{}/json/2/{}/{}", self.conn.url, call.model, call.method);
        let headers = vec![
            ("Authorization".to_string(), format!("bearer {}", self.api_key)),
            ("X-Odoo-Database".to_string(), self.conn.database.clone()),
        ];
        let resp = self.send(url, headers, Value::Object(body).to_string()).await?;
        match (resp.status, parse_json_body(&resp)?) {
            (200, Some(v)) => Ok(v),
            (200, None) => Err(non_json_error(&resp)),
            (status, Some(v)) if v.get("name").is_some() => Err(OdooError::from_odoo_payload(&v, status)),
            _ => Err(status_error(&resp)),
        }
    }

    async fn send(
        &self,
        url: String,
        mut headers: Vec<(String, String)>,
        body: String,
    ) -> Result<InboundResponse, OdooError> {
        self.calls.set(self.calls.get() + 1);
        headers.push(("Content-Type".into(), "application/json".into()));
        headers.push(("User-Agent".into(), concat!("odoo-mcp-edge/", env!("CARGO_PKG_VERSION")).into()));
        let req = OutboundRequest { method: "POST", url, headers, body: Some(body), timeout_ms: self.timeout_ms };
        self.http.send(req).await.map_err(|e| match e {
            HttpError::Timeout => {
                OdooError::new(OdooErrorKind::Timeout, format!("no answer within {} ms", self.timeout_ms))
            }
            HttpError::Network(m) => OdooError::new(OdooErrorKind::Unavailable, format!("cannot reach Odoo: {m}")),
            HttpError::Refused(m) => {
                OdooError::new(OdooErrorKind::NotAllowed, format!("the Odoo URL is not allowed: {m}"))
            }
        })
    }
}

/// A JSON-2 route that does not exist answers an HTML 404, not an Odoo error object.
fn is_missing_route(e: &OdooError) -> bool {
    e.kind == OdooErrorKind::NotFound && e.name.is_none()
}

/// The body as JSON when it claims to be JSON; `Err` when it claims JSON but is not.
fn parse_json_body(resp: &InboundResponse) -> Result<Option<Value>, OdooError> {
    if !resp.content_type.to_ascii_lowercase().contains("json") {
        return Ok(None);
    }
    crate::json::from_str(&resp.body).map(Some).map_err(|_| {
        OdooError::new(OdooErrorKind::Unavailable, format!("Odoo sent malformed JSON (HTTP {})", resp.status))
    })
}

fn non_json_error(resp: &InboundResponse) -> OdooError {
    let what = if resp.content_type.contains("html") { "an HTML page" } else { "a non-JSON answer" };
    OdooError::new(OdooErrorKind::Unavailable, format!("Odoo answered with {what} (HTTP {})", resp.status))
}

/// A 3xx: never followed (a redirect would carry the Odoo API key to wherever it points), reported with
/// where it pointed so that an administrator can correct the connection's URL.
pub(crate) fn redirect_error(resp: &InboundResponse) -> Option<OdooError> {
    if !(300..400).contains(&resp.status) {
        return None;
    }
    let to = resp
        .location
        .as_deref()
        .map(|l| l.chars().filter(|c| !c.is_control()).take(200).collect::<String>())
        .filter(|l| !l.is_empty())
        .map(|l| format!(" to {l}"))
        .unwrap_or_default();
    Some(OdooError::new(
        OdooErrorKind::Unavailable,
        format!(
            "Odoo answered with a redirect (HTTP {}){to}, which is not followed so that Odoo credentials never go \
             to another address; the connection's URL may be out of date (an administrator can correct it)",
            resp.status
        ),
    ))
}

fn status_error(resp: &InboundResponse) -> OdooError {
    if let Some(e) = redirect_error(resp) {
        return e;
    }
    let kind = match resp.status {
        404 => OdooErrorKind::NotFound,
        401 => OdooErrorKind::AccessDenied,
        429 | 409 => OdooErrorKind::Retryable,
        _ => OdooErrorKind::Unavailable,
    };
    let what = if resp.content_type.contains("html") { " with an HTML page" } else { "" };
    let wait = resp.retry_after.as_deref().map(str::trim).filter(|r| !r.is_empty() && r.len() <= 40);
    let message = match (resp.status, wait) {
        (429, Some(w)) if w.bytes().all(|b| b.is_ascii_digit()) => {
            format!("Odoo is limiting requests (HTTP 429); it asks to wait {w} s")
        }
        (429, Some(w)) => {
            format!("Odoo is limiting requests (HTTP 429); it asks to wait until {w}")
        }
        (429, None) => "Odoo is limiting requests (HTTP 429)".to_string(),
        (status, _) => format!("Odoo answered HTTP {status}{what}"),
    };
    OdooError::new(kind, message)
}
