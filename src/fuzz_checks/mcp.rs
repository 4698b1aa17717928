//! Invariants of an incoming MCP POST: JSON-RPC classification (`mcp::jsonrpc`), era classification
//! (`mcp::era`) and the modern routing headers (`mcp::headers`).
//!
//! Input: optional header lines `name: value`, a blank line, then the body; without a header block
//! (the first `\n\n` not preceded only by such lines) the whole input is the body.

use crate::http::HttpRequest;
use crate::mcp::era::{self, Era, FIRST_MODERN, META_PROTOCOL_VERSION};
use crate::mcp::headers::{self, METHOD_HEADER, NAME_HEADER, VERSION_HEADER};
use crate::mcp::jsonrpc::{self, Message, INVALID_REQUEST};
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use serde_json::{Map, Value};

pub fn mcp_message(data: &[u8]) {
    let (headers, body) = split_headers(data);
    for (_, value) in &headers {
        header_value(value);
    }
    // The transport's parser: `serde_json`'s, refusing duplicated keys and nothing else.
    let strict = crate::http::strict_json::parse(body);
    let plain = serde_json::from_slice::<Value>(body);
    match (&strict, &plain) {
        (Ok(s), Ok(p)) => assert_eq!(s, p, "the strict parse reads what serde_json reads"),
        (Ok(_), Err(e)) => panic!("strict parse accepted what serde_json refuses: {e}"),
        (Err(e), Ok(_)) => assert!(
            e.to_string().starts_with("duplicate key"),
            "strict parse refused valid JSON for another reason: {e}"
        ),
        (Err(_), Err(_)) => {}
    }
    let Ok(body) = strict else {
        return;
    };
    // As the transport reads it: the first occurrence, trimmed.
    let version = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(VERSION_HEADER)).map(|(_, v)| v.trim());
    era_of(&body, version);
    match &body {
        Value::Array(items) => items.iter().for_each(|m| message(m, &headers)),
        m => message(m, &headers),
    }
}

fn split_headers(data: &[u8]) -> (Vec<(String, String)>, &[u8]) {
    let Some(end) = data.windows(2).position(|w| w == b"\n\n") else {
        return (Vec::new(), data);
    };
    let Ok(head) = std::str::from_utf8(&data[..end]) else {
        return (Vec::new(), data);
    };
    let mut out = Vec::new();
    for line in head.split('\n') {
        match line.split_once(':') {
            Some((name, value)) if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') => {
                out.push((name.to_string(), value.to_string()));
            }
            _ => return (Vec::new(), data),
        }
    }
    (out, &data[end + 2..])
}

fn claims(msg: &Value) -> bool {
    msg.pointer("/params/_meta").and_then(Value::as_object).is_some_and(|m| m.contains_key(META_PROTOCOL_VERSION))
}

/// The routing table's properties, stated independently of its `match`.
fn era_of(body: &Value, version: Option<&str>) {
    let era = era::classify(body, version);
    let modern = version.is_some_and(era::is_modern_version);
    if let Some(v) = version.filter(|v| era::is_modern_version(v)) {
        assert!(
            v.len() == 10 && v >= FIRST_MODERN && v.bytes().filter(|b| *b == b'-').count() == 2,
            "{v:?} is not a modern date"
        );
    }
    if !modern {
        assert_eq!(era, era::classify(body, None), "a non-modern header version changes the era");
    }
    match body {
        // A batch under a modern header, or with a claim in it, is a modern batch (refused as such).
        Value::Array(items) => {
            let want = if modern || items.iter().any(claims) { Era::StatelessBatch } else { Era::Session };
            assert_eq!(era, want, "batch");
        }
        _ if claims(body) => assert_eq!(era, Era::Stateless, "a claim is always stateless"),
        // Not a message at all, under a 2026-07-28 header: the stateless lane says so.
        _ if !body.is_object() && modern => {
            assert_eq!(era, Era::Stateless, "a non-object under a modern header")
        }
        _ => {
            let method = body.get("method");
            let want = match method {
                // Responses (and method-less junk) are session traffic whatever the header says.
                None => Era::Session,
                Some(_) if !modern => Era::Session,
                Some(m) if m.as_str() == Some("initialize") => Era::InitializeWithModernHeader,
                Some(_) => Era::StatelessWithoutEnvelope,
            };
            assert_eq!(era, want, "unclaimed message with header {version:?}");
        }
    }
}

/// One message of the body: `jsonrpc::classify` agrees with the envelope, and a request or
/// notification goes through the routing-header checks.
fn message(msg: &Value, headers: &[(String, String)]) {
    let obj = msg.as_object();
    let field = |k: &str| obj.and_then(|o| o.get(k));
    match jsonrpc::classify(msg) {
        Ok(Message::Request { id, method, params }) => {
            assert!(jsonrpc::is_id(&id), "request id {id}");
            assert_eq!(field("id"), Some(&id));
            envelope(msg, &method, &params);
            routing(headers, &method, &params);
        }
        Ok(Message::Notification { method, params }) => {
            assert!(field("id").is_none(), "a notification has no id");
            envelope(msg, &method, &params);
            routing(headers, &method, &params);
        }
        Ok(Message::Response { .. }) => {
            assert!(field("method").is_none(), "a response has no method");
            assert!(field("id").is_some_and(jsonrpc::is_id), "a response has a usable id");
            assert!(field("result").is_some() || field("error").is_some());
        }
        Err((id, err)) => {
            assert_eq!(err.code, INVALID_REQUEST, "{}", err.message);
            assert!(id.is_null() || (jsonrpc::is_id(&id) && field("id") == Some(&id)), "echoed id {id}");
            let reply = jsonrpc::failure(&id, &err);
            let back: Value = serde_json::from_str(&reply.to_string()).expect("the error reply is JSON");
            assert_eq!(back, reply, "the error reply round-trips");
        }
    }
}

fn envelope(msg: &Value, method: &str, params: &Map<String, Value>) {
    assert_eq!(msg.get("jsonrpc").and_then(Value::as_str), Some("2.0"));
    assert_eq!(msg.get("method").and_then(Value::as_str), Some(method));
    match msg.get("params") {
        None | Some(Value::Null) => assert!(params.is_empty()),
        Some(p) => assert_eq!(p.as_object(), Some(params)),
    }
}

fn request(headers: &[(&str, String)]) -> HttpRequest {
    HttpRequest { headers: headers.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(), ..Default::default() }
}

fn b64(s: &str) -> String {
    format!("=?base64?{}?=", STANDARD.encode(s))
}

/// The routing headers: the input's own headers, and headers that mirror the body (which must pass).
fn routing(given: &[(String, String)], method: &str, params: &Map<String, Value>) {
    let req = HttpRequest { headers: given.to_vec(), ..Default::default() };
    let strict = headers::check(&req, method, params, false);
    let lenient = headers::check(&req, method, params, true);
    if strict.is_ok() {
        assert!(lenient.is_ok(), "lenient refuses what strict accepts: {lenient:?}");
    }
    let methods: Vec<_> = given
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(METHOD_HEADER))
        .map(|(_, v)| headers::decode_value(v))
        .collect();
    if lenient.is_ok() {
        assert!(methods.len() <= 1, "a repeated Mcp-Method passed");
        assert!(methods.iter().all(|m| m.as_deref() == Ok(method)), "a mismatched Mcp-Method passed");
    }
    if strict.is_ok() {
        assert_eq!(methods.len(), 1, "strict passed without Mcp-Method");
    }

    // Headers mirroring the body, base64 always and plain when the value survives as a header.
    let name = headers::name_param(method).map(|p| params.get(p).and_then(Value::as_str));
    let plain_ok = |v: &str| v == v.trim_matches([' ', '\t']) && !(v.starts_with("=?base64?") && v.ends_with("?="));
    let mut forms = vec![(b64(method), name.flatten().map(b64))];
    if plain_ok(method) && name.flatten().is_none_or(plain_ok) {
        forms.push((method.to_string(), name.flatten().map(str::to_string)));
    }
    for (m, n) in forms {
        let mut hs = vec![(METHOD_HEADER, m)];
        hs.extend(n.map(|n| (NAME_HEADER, n)));
        let got = headers::check(&request(&hs), method, params, false);
        match name {
            // The method needs a name the body does not give as a string: never satisfied strictly.
            Some(None) => {
                assert!(got.is_err(), "{method}: no name in the body, yet strict passed");
                assert!(headers::check(&request(&hs), method, params, true).is_ok(), "lenient refuses a missing name");
            }
            _ => assert_eq!(got, Ok(()), "{method}: mirrored headers {hs:?} refused"),
        }
    }
}

/// `decode_value` on any header value: plain values come back trimmed, base64 forms of any text decode
/// to that text (padded or not).
fn header_value(raw: &str) {
    let trimmed = raw.trim_matches([' ', '\t']);
    let decoded = headers::decode_value(raw);
    if !(trimmed.starts_with("=?base64?") && trimmed.ends_with("?=")) {
        assert_eq!(decoded.as_deref(), Ok(trimmed));
    }
    assert_eq!(headers::decode_value(&b64(raw)).as_deref(), Ok(raw));
    let unpadded = format!(" =?base64?{}?=\t", STANDARD_NO_PAD.encode(raw));
    assert_eq!(headers::decode_value(&unpadded).as_deref(), Ok(raw));
}
