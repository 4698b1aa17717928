//! The call log: which Odoo call an API request makes (model, method,
//! transport, the login or uid it claims; never the API key), worked out from
//! the request before it is served, for `GET /__fake/calls` and
//! `FakeOdoo::calls`.

use crate::http::Shared;
use crate::server::Request;
use serde_json::{json, Value};

/// The protocol a call came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// `POST /jsonrpc` and `POST /web/webclient/version_info`.
    JsonRpc,
    /// `/json/2/<model>/<method>`.
    Json2,
    /// The plain-HTTP version probes `GET /web/version` and `/json/version`.
    Http,
}

impl Transport {
    /// `"jsonrpc"`, `"json2"` or `"http"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::JsonRpc => "jsonrpc",
            Transport::Json2 => "json2",
            Transport::Http => "http",
        }
    }
}

/// One Odoo call the server received, in arrival order.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The model of an `execute_kw`/`execute`/JSON-2 call; `None` for service
    /// calls and version probes.
    pub model: Option<String>,
    /// The Odoo method (`search_read`, `fields_get`...), or `service.method`
    /// for service calls and probes: `common.version`, `common.authenticate`,
    /// `common.login`, `db.list`, `web.version` (`GET /web/version`,
    /// `/json/version`), `web.version_info` (`/web/webclient/version_info`).
    pub method: String,
    pub transport: Transport,
    /// The uid an `execute_kw` passes, the login `authenticate`/`login`
    /// pass, the login whose API key a JSON-2 bearer matches; else null.
    pub login_or_uid: Value,
    /// Milliseconds since the server started.
    pub at_ms: u64,
}

impl Call {
    /// `{"model", "method", "transport", "login_or_uid", "at_ms"}`.
    pub fn to_json(&self) -> Value {
        json!({
            "model": self.model,
            "method": self.method,
            "transport": self.transport.as_str(),
            "login_or_uid": self.login_or_uid,
            "at_ms": self.at_ms,
        })
    }

    /// Whether a `methods` filter entry names this call: the method itself,
    /// or the bare name of a service call (`version` for `common.version`).
    pub fn matches(&self, entry: &str) -> bool {
        self.method == entry || (self.model.is_none() && self.method.rsplit_once('.').is_some_and(|(_, m)| m == entry))
    }
}

/// What an API request is: its transport, the JSON-RPC `id` (for fault
/// envelopes), and the call if it can be told from the request.
pub struct Probe {
    pub transport: Transport,
    pub id: Value,
    pub call: Option<Call>,
}

fn call(model: Option<&str>, method: String, transport: Transport, who: Value) -> Call {
    Call { model: model.map(str::to_string), method, transport, login_or_uid: who, at_ms: 0 }
}

/// The login or uid a `/jsonrpc` call claims (`args[1]` of `execute_kw`,
/// `execute`, `login` and `authenticate`; `args[2]` is the key).
fn claimed(args: &[Value]) -> Value {
    match args.get(1) {
        Some(v @ (Value::Number(_) | Value::String(_))) => v.clone(),
        _ => Value::Null,
    }
}

fn jsonrpc_call(body: &Value) -> Option<Call> {
    let params = body.get("params")?.as_object()?;
    let service = params.get("service")?.as_str()?;
    let method = params.get("method")?.as_str()?;
    let args: &[Value] = params.get("args").and_then(Value::as_array).map_or(&[], Vec::as_slice);
    let t = Transport::JsonRpc;
    Some(match (service, method) {
        ("object", "execute_kw" | "execute") => {
            let model = args.get(3).and_then(Value::as_str);
            match (model, args.get(4).and_then(Value::as_str)) {
                (Some(model), Some(m)) => call(Some(model), m.to_string(), t, claimed(args)),
                _ => call(None, format!("object.{}", method), t, claimed(args)),
            }
        }
        ("common", "login" | "authenticate") => call(None, format!("common.{}", method), t, claimed(args)),
        _ => call(None, format!("{}.{}", service, method), t, Value::Null),
    })
}

/// Identifies the call an API request (`path` already stripped of its query)
/// makes.
pub fn probe(shared: &Shared, path: &str, req: &Request) -> Probe {
    if path == "/json/2" || path.starts_with("/json/2/") {
        let segments: Vec<&str> = path["/json/2".len()..].trim_start_matches('/').split('/').collect();
        let call = match segments.as_slice() {
            [model, method] if !model.is_empty() && !method.is_empty() => {
                let who = crate::json2::bearer(req.header("Authorization"))
                    .and_then(|key| {
                        let store = shared.lock();
                        let user = store.users.iter().find(|u| u.key == key);
                        user.map(|u| json!(u.login))
                    })
                    .unwrap_or(Value::Null);
                Some(call(Some(model), method.to_string(), Transport::Json2, who))
            }
            _ => None,
        };
        return Probe { transport: Transport::Json2, id: Value::Null, call };
    }
    if path == "/web/version" || path == "/json/version" {
        return Probe {
            transport: Transport::Http,
            id: Value::Null,
            call: Some(call(None, "web.version".into(), Transport::Http, Value::Null)),
        };
    }
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let id = body.get("id").cloned().unwrap_or(Value::Null);
    let call = if path == "/jsonrpc" {
        jsonrpc_call(&body)
    } else {
        Some(call(None, "web.version_info".into(), Transport::JsonRpc, Value::Null))
    };
    Probe { transport: Transport::JsonRpc, id, call }
}
