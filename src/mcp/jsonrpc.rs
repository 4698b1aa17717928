//! JSON-RPC 2.0 messages as MCP uses them: classification of an incoming message, and the error type
//! every protocol-level failure becomes.

use crate::json;
use serde_json::{Map, Value};

pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;
pub const INTERNAL_ERROR: i64 = -32603;
/// Transport-level errors (the TS SDK's convention).
pub const SERVER_ERROR: i64 = -32000;
pub const SESSION_NOT_FOUND: i64 = -32001;
/// Session era: `resources/read` of a URI that does not exist.
pub const RESOURCE_NOT_FOUND: i64 = -32002;
/// Modern era: a routing header disagrees with the body, or a required one is missing.
pub const HEADER_MISMATCH: i64 = -32020;
/// Modern era: the request needs a client capability it did not declare.
pub const MISSING_CLIENT_CAPABILITY: i64 = -32021;
/// Modern era: the request claims a protocol version we do not serve.
pub const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;
/// Never sent: marks a request that was cancelled, to which no response is sent at all.
pub const CANCELLED: i64 = -32800;

/// A protocol error: becomes a JSON-RPC `error` object.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> RpcError {
        RpcError { code, message: message.into(), data: None }
    }

    pub fn invalid_params(message: impl Into<String>) -> RpcError {
        RpcError::new(INVALID_PARAMS, message)
    }

    pub fn method_not_found(method: &str) -> RpcError {
        RpcError::new(METHOD_NOT_FOUND, format!("Method not found: {}", crate::text::truncate(method, 100)))
    }

    pub fn with_data(mut self, data: Value) -> RpcError {
        self.data = Some(data);
        self
    }

    pub fn cancelled() -> RpcError {
        RpcError::new(CANCELLED, "Request cancelled")
    }

    pub fn is_cancelled(&self) -> bool {
        self.code == CANCELLED
    }

    pub fn to_json(&self) -> Value {
        let mut e = json!({"code": self.code, "message": self.message});
        if let Some(d) = &self.data {
            e["data"] = d.clone();
        }
        e
    }
}

/// One incoming JSON-RPC message.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Request {
        id: Value,
        method: String,
        params: Map<String, Value>,
    },
    Notification {
        method: String,
        params: Map<String, Value>,
    },
    /// A reply to a server-initiated request (the only ones are approval questions, `mcp::approval`):
    /// its id, and its result (`None` for an error reply).
    Response {
        id: Value,
        result: Option<Value>,
    },
}

/// Classifies a parsed JSON value. The error carries the request id when one could be read.
pub fn classify(v: &Value) -> Result<Message, (Value, RpcError)> {
    let invalid = |id: Value, msg: &str| (id, RpcError::new(INVALID_REQUEST, format!("Invalid Request: {msg}")));
    let Some(obj) = v.as_object() else {
        return Err(invalid(Value::Null, "a message must be a JSON object"));
    };
    let id = obj.get("id").cloned();
    let usable_id = id.clone().filter(is_id);
    let echo = usable_id.clone().unwrap_or(Value::Null);
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(invalid(echo, "\"jsonrpc\" must be \"2.0\""));
    }
    match obj.get("method") {
        Some(Value::String(method)) => {
            let params = match obj.get("params") {
                None | Some(Value::Null) => Map::new(),
                Some(Value::Object(p)) => p.clone(),
                Some(_) => return Err(invalid(echo, "\"params\" must be an object")),
            };
            match id {
                None => Ok(Message::Notification { method: method.clone(), params }),
                Some(_) if usable_id.is_none() => Err(invalid(Value::Null, "\"id\" must be a string or an integer")),
                Some(id) => Ok(Message::Request { id, method: method.clone(), params }),
            }
        }
        Some(_) => Err(invalid(echo, "\"method\" must be a string")),
        None if usable_id.is_some() && (obj.contains_key("result") || obj.contains_key("error")) => {
            Ok(Message::Response {
                id: echo,
                result: obj.get("result").filter(|_| !obj.contains_key("error")).cloned(),
            })
        }
        None => Err(invalid(echo, "neither a request, a notification nor a response")),
    }
}

/// Whether a value can be a request id (or a progress token): a string or an integer.
pub fn is_id(v: &Value) -> bool {
    v.is_string() || v.is_i64() || v.is_u64()
}

pub fn success(id: &Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

pub fn failure(id: &Value, err: &RpcError) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": err.to_json()})
}

/// An error whose request id is unknown, in the 2026-07-28 era: its schema allows leaving `id` out,
/// not `null`.
pub fn failure_without_id(err: &RpcError) -> Value {
    json!({"jsonrpc": "2.0", "error": err.to_json()})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_messages() {
        assert!(matches!(classify(&json!({"jsonrpc": "2.0", "id": 1, "method": "ping"})), Ok(Message::Request { .. })));
        assert!(matches!(
            classify(&json!({"jsonrpc": "2.0", "id": "a", "method": "ping", "params": {}})),
            Ok(Message::Request { .. })
        ));
        assert!(matches!(
            classify(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"})),
            Ok(Message::Notification { .. })
        ));
        assert!(matches!(classify(&json!({"jsonrpc": "2.0", "id": 5, "result": {}})), Ok(Message::Response { .. })));
    }

    #[test]
    fn rejects_invalid_envelopes_keeping_the_id() {
        for (v, id) in [
            (json!([1]), Value::Null),
            (json!({"id": 1, "method": "ping"}), json!(1)),
            (json!({"jsonrpc": "1.0", "id": "x", "method": "ping"}), json!("x")),
            (json!({"jsonrpc": "2.0", "id": null, "method": "ping"}), Value::Null),
            (json!({"jsonrpc": "2.0", "id": 1.5, "method": "ping"}), Value::Null),
            (json!({"jsonrpc": "2.0", "id": true, "method": "ping"}), Value::Null),
            (json!({"jsonrpc": "2.0", "id": 2, "method": 7}), json!(2)),
            (json!({"jsonrpc": "2.0", "id": 3, "method": "ping", "params": [1]}), json!(3)),
            (json!({"jsonrpc": "2.0", "id": 4}), json!(4)),
        ] {
            let (got_id, err) = classify(&v).unwrap_err();
            assert_eq!(err.code, INVALID_REQUEST, "{v}");
            assert_eq!(got_id, id, "{v}");
        }
    }
}
