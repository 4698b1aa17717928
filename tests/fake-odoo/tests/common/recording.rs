//! Recorded exchanges with real Odoo (`tests/fixtures/odoo/<version>/<folder>`)
//! and the structural comparison every replay test applies to the fake's
//! answer: status, content type family, JSON types, object keys (recursively,
//! on sampled list items; so the presence or absence of `result` too), list
//! emptiness, and the error's class, message, arguments, debug line and
//! context.

use super::{request, Resp, ADMIN_KEY, DEMO2_KEY};
use serde_json::Value;
use std::path::PathBuf;

pub struct Fixture {
    pub name: String,
    pub request: Value,
    pub response: Value,
}

impl Fixture {
    /// The model and method a recorded model call names: `execute_kw`'s third and fourth arguments
    /// after the credentials, or JSON-2's path (`/json/2/<model>/<method>`).
    pub fn model_and_method(&self) -> (String, String) {
        let body = &self.request["body"];
        if let Some(args) = body["params"]["args"].as_array() {
            let s = |i: usize| args.get(i).and_then(Value::as_str).unwrap_or("").to_string();
            return (s(3), s(4));
        }
        let path = self.request["path"].as_str().unwrap_or("");
        let mut parts = path.rsplit('/');
        let method = parts.next().unwrap_or("").to_string();
        (parts.next().unwrap_or("").to_string(), method)
    }
}

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/odoo")
}

/// Every file of `<version>/<folder>`, in name order.
pub fn load(version: &str, folder: &str) -> Vec<Fixture> {
    let dir = fixtures_dir().join(version).join(folder);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixture dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).expect("read fixture");
            let v: Value = serde_json::from_str(&text).expect("fixture json");
            Fixture {
                name: path.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_string(),
                request: v["request"].clone(),
                response: v["response"].clone(),
            }
        })
        .collect()
}

/// Sends a recorded request (`{method, path, headers, body}`) to the fake on
/// `port`, with the redacted API keys put back.
pub fn send(port: u16, req: &Value) -> Resp {
    let text = req.to_string().replace("<API_KEY:admin>", ADMIN_KEY).replace("<API_KEY:demo2>", DEMO2_KEY);
    let req: Value = serde_json::from_str(&text).expect("request json");
    let headers: Vec<(String, String)> = req["headers"]
        .as_object()
        .map(|h| h.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string())).collect())
        .unwrap_or_default();
    let header_refs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let method = req["method"].as_str().unwrap_or("POST");
    let path = req["path"].as_str().unwrap_or("/");
    let body = match &req["body"] {
        Value::Null if method == "GET" => String::new(),
        b => b.to_string(),
    };
    request(port, method, path, &header_refs, body.as_bytes())
}

/// The id a `create` answered: `48` or `[48]`, bare (JSON-2) or in the
/// JSON-RPC envelope.
pub fn created_id(body: &Value) -> Option<i64> {
    let result = body.get("result").unwrap_or(body);
    result.as_i64().or_else(|| result.get(0).and_then(Value::as_i64))
}

pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Structural comparison: types, keys, sampled list items. Inside list items,
/// `false` (Odoo's empty value: no author, no email...) matches any type.
pub fn compare(path: &str, expected: &Value, actual: &Value, errors: &mut Vec<String>) {
    let nested = path.contains('[');
    if nested && (expected == &Value::Bool(false) || actual == &Value::Bool(false)) {
        return;
    }
    if kind(expected) != kind(actual) {
        errors.push(format!("{}: expected {} got {} ({})", path, kind(expected), kind(actual), actual));
        return;
    }
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let mut ek: Vec<&String> = e.keys().collect();
            let mut ak: Vec<&String> = a.keys().collect();
            ek.sort();
            ak.sort();
            if ek != ak {
                errors.push(format!("{}: keys {:?} != {:?}", path, ek, ak));
                return;
            }
            for (k, ev) in e {
                compare(&format!("{}.{}", path, k), ev, &a[k], errors);
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            let mut idx: Vec<usize> = (0..e.len().min(a.len()).min(3)).collect();
            if e.len() == a.len() && e.len() > 3 {
                idx.push(e.len() - 1);
            }
            for i in idx {
                compare(&format!("{}[{}]", path, i), &e[i], &a[i], errors);
            }
        }
        _ => {}
    }
}

fn content_family(ct: &str) -> &'static str {
    if ct.contains("json") {
        "json"
    } else {
        "html"
    }
}

/// Checks one answer against the recording; returns the problems found.
/// `exact`: the seeds mirror this recording, so the values must match too
/// (the JSON-RPC `id` aside).
pub fn check(f: &Fixture, expected: &Value, status: u16, content_type: &str, body: &str, exact: bool) -> Vec<String> {
    let mut errors = Vec::new();
    let exp_status = f.response["status"].as_u64().unwrap_or(0) as u16;
    if status != exp_status {
        errors.push(format!("status {} != {}", status, exp_status));
    }
    let exp_ct = f.response["content_type"].as_str().unwrap_or("");
    if content_family(exp_ct) != content_family(content_type) {
        errors.push(format!("content type {} != {}", content_type, exp_ct));
    }
    if content_family(exp_ct) == "html" {
        if Some(body) != expected.as_str() {
            errors.push("html body differs".into());
        }
        return errors;
    }
    let actual: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => {
            errors.push(format!("body is not JSON: {} ({})", e, body));
            return errors;
        }
    };
    compare("$", expected, &actual, &mut errors);
    let root = |v: &Value| {
        if v.get("jsonrpc").is_some() {
            v.get("result").cloned()
        } else {
            Some(v.clone())
        }
    };
    if let (Some(Value::Array(e)), Some(Value::Array(a))) = (root(expected), root(&actual)) {
        if e.is_empty() != a.is_empty() {
            errors.push(format!("result emptiness differs: {} vs {} items", e.len(), a.len()));
        }
    }
    let error_of = |v: &Value| -> Option<Value> {
        if let Some(e) = v.get("error") {
            return Some(e["data"].clone());
        }
        (v.get("arguments").is_some() && v.get("name").is_some()).then(|| v.clone())
    };
    if let Some(exp_err) = error_of(expected) {
        let act_err = error_of(&actual).unwrap_or(Value::Null);
        for key in ["name", "message", "arguments", "debug", "context"] {
            if exp_err[key] != act_err[key] {
                errors.push(format!("error {}: expected {} got {}", key, exp_err[key], act_err[key]));
            }
        }
        if let Some(code) = expected.get("error").map(|e| e["code"].clone()) {
            if actual["error"]["code"] != code || actual["error"]["message"] != expected["error"]["message"] {
                errors.push(format!("error envelope differs: {}", actual["error"]));
            }
        }
    }
    if exact {
        let strip = |v: &Value| {
            let mut v = v.clone();
            if let Some(o) = v.as_object_mut() {
                o.remove("id");
            }
            v
        };
        let (e, a) = if expected.get("jsonrpc").is_some() {
            (strip(expected), strip(&actual))
        } else {
            (expected.clone(), actual.clone())
        };
        if e != a {
            errors.push(format!("exact match expected:\n  recorded {}\n  got      {}", e, a));
        }
    }
    errors
}

/// Sends `req` (a recording's request, perhaps adapted to the fake's ids) and checks the answer against
/// the recording `f`; the failure's text, naming the recording under `place` (`16/probes`), if any.
pub fn replay_one(port: u16, f: &Fixture, req: &Value, exact: bool, place: &str) -> Option<String> {
    let sent = send(port, req);
    let problems = check(f, &f.response["body"], sent.status, &sent.content_type, &sent.body, exact);
    (!problems.is_empty()).then(|| format!("{place}/{}:\n    {}", f.name, problems.join("\n    ")))
}

/// Fails on every recording the fake answered differently, and when fewer than `at_least` were replayed
/// (`what`: which recordings, for the message).
pub fn assert_replayed(count: usize, failures: &[String], at_least: usize, what: &str) {
    assert!(count >= at_least, "only {count} {what}");
    assert!(
        failures.is_empty(),
        "{} of {count} recordings answered differently:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
