//! How a request can ask its person a question (`approval` asks it): on its own SSE stream in the
//! session era, in its result and the client's retry in 2026-07-28, or not at all (a JSON-RPC batch's
//! message, a client that accepts no stream). The lanes decide it; `RequestCtx` carries it.

use super::stream::ResponseStream;
use serde_json::{Map, Value};

/// How this request can ask its person.
#[derive(Clone)]
pub enum Asking {
    /// Session era, a single request whose client accepts SSE: the question goes on its stream.
    Stream(ResponseStream),
    /// 2026-07-28: what the request declares (form elicitation), and what a retry brings back.
    Rounds { elicitation: bool, responses: Option<Value>, state: Option<String> },
    /// No question can travel with this request; why, in words.
    Unable(&'static str),
}

impl Asking {
    /// The 2026-07-28 request's side of a question, from its `params`.
    pub fn from_stateless_params(params: &Map<String, Value>) -> Asking {
        let capabilities = params.get("_meta").and_then(|m| m.get("io.modelcontextprotocol/clientCapabilities"));
        Asking::Rounds {
            elicitation: capabilities.and_then(|c| c.get("elicitation")).is_some_and(form_declared),
            responses: params.get("inputResponses").cloned(),
            state: params.get("requestState").and_then(Value::as_str).map(str::to_string),
        }
    }
}

/// Whether an `elicitation` capability includes form mode: `{}` (form, as clients before 2025-11-25
/// declare it) or one naming `form`.
pub fn form_declared(elicitation: &Value) -> bool {
    elicitation.as_object().is_some_and(|e| e.is_empty() || e.contains_key("form"))
}

/// Why a request cannot ask its person (the refusal gives both ways out: another client, or the
/// administrator lifting the rule).
pub const NO_ELICITATION: &str = "this client did not declare that it can ask its user (form elicitation)";
pub const NO_STREAM: &str =
    "this request does not accept an event stream (Accept: text/event-stream), on which the question is asked";
pub const IN_BATCH: &str = "a question cannot be asked inside a JSON-RPC batch; send this call on its own";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn form_elicitation_is_declared_by_an_empty_object_or_form() {
        assert!(form_declared(&json!({})));
        assert!(form_declared(&json!({"form": {}})));
        assert!(form_declared(&json!({"form": {}, "url": {}})));
        assert!(!form_declared(&json!({"url": {}})));
        assert!(!form_declared(&json!(true)));
    }
}
