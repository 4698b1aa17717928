//! The one structured log line per request, for Workers Logs and `wrangler tail`: which request
//! (`request_id`, echoed to the client as `x-request-id`), who (the key's display prefix), what (era,
//! JSON-RPC method, tool, model), how long, and how it ended (`outcome`).
//!
//! Only what the core chose to record goes in: never headers, bodies, query strings, keys,
//! credentials or record contents.

use super::LogFields;
use crate::json;
use serde_json::Value;

/// The response header carrying the request id, so that a user can quote it to an operator.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// A fresh request id: 16 hex characters. Only for correlating lines, so a failed random source
/// gives the time instead of failing the request.
pub fn new_request_id() -> String {
    let mut bytes = [0u8; 8];
    match crate::platform::random_bytes(&mut bytes) {
        Ok(()) => bytes.iter().map(|b| format!("{b:02x}")).collect(),
        Err(_) => format!("{:016x}", crate::platform::now_ms()),
    }
}

/// The line: request id, HTTP method and path, status, duration, then the core's fields. A request
/// whose handler named no `outcome` gets one from its status.
pub fn line(http_method: &str, path: &str, status: u16, duration_ms: i64, fields: &LogFields) -> String {
    let mut line = json!({
        "request_id": fields.get("request_id").cloned().unwrap_or(Value::Null),
        "http_method": http_method,
        "path": crate::text::truncate(path, 200),
        "status": status,
        "duration_ms": duration_ms,
    });
    if let Some(obj) = line.as_object_mut() {
        obj.extend(fields.iter().filter(|(k, _)| k.as_str() != "request_id").map(|(k, v)| (k.clone(), v.clone())));
        obj.entry("outcome").or_insert_with(|| json!(outcome_for_status(status)));
    }
    line.to_string()
}

/// How a request ended, when only its status says: the gates (key, Origin, rate limit, size) and the
/// admin API answer without naming an outcome.
fn outcome_for_status(status: u16) -> &'static str {
    match status {
        200..=399 => "ok",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 | 406 | 415 => "refused",
        413 => "too_large",
        429 => "rate_limited",
        400..=499 => "bad_request",
        503 => "unavailable",
        _ => "error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_has_the_fixed_fields_then_the_core_ones_and_an_outcome_from_the_status() {
        let mut fields = LogFields::new();
        fields.insert("request_id".into(), json!("00112233aabbccdd"));
        fields.insert("tool".into(), json!("odoo_search"));
        let v: Value = serde_json::from_str(&line("POST", "/mcp", 200, 12, &fields)).unwrap();
        assert_eq!(v["request_id"], "00112233aabbccdd");
        assert_eq!(
            (v["http_method"].as_str(), v["path"].as_str(), v["status"].as_u64(), v["duration_ms"].as_i64()),
            (Some("POST"), Some("/mcp"), Some(200), Some(12))
        );
        assert_eq!((v["tool"].as_str(), v["outcome"].as_str()), (Some("odoo_search"), Some("ok")));

        fields.insert("outcome".into(), json!("denied"));
        let v: Value = serde_json::from_str(&line("POST", "/mcp", 200, 1, &fields)).unwrap();
        assert_eq!(v["outcome"], "denied", "a handler's outcome wins over the status");
        for (status, outcome) in [
            (401, "unauthorized"),
            (403, "forbidden"),
            (413, "too_large"),
            (429, "rate_limited"),
            (400, "bad_request"),
            (503, "unavailable"),
            (500, "error"),
        ] {
            let v: Value = serde_json::from_str(&line("POST", "/mcp", status, 1, &LogFields::new())).unwrap();
            assert_eq!(v["outcome"], outcome, "{status}");
        }
    }

    #[test]
    fn request_ids_are_16_hex_characters_and_differ() {
        let (a, b) = (new_request_id(), new_request_id());
        assert!(a.len() == 16 && a.bytes().all(|c| c.is_ascii_hexdigit()), "{a}");
        assert_ne!(a, b);
    }
}
