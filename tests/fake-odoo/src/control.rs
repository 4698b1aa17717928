//! The test-control surface: delays and faults injected into API calls
//! (`POST /__fake/control`, `FakeOdoo::control`), and the call log
//! (`GET`/`DELETE /__fake/calls`, `FakeOdoo::calls`). Rules match calls by
//! Odoo method name (see [`crate::Call::matches`]); no `methods` = every API
//! request, identifiable or not.

use crate::calls::Call;
use crate::http::Reply;
use serde_json::{json, Map, Value};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A fault an API call can be answered with instead of its real answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// 500 with Odoo's JSON error shape (`werkzeug.exceptions.InternalServerError`).
    Http500,
    /// 502 with a reverse proxy's (nginx) HTML error page.
    Html,
    /// 429 with `Retry-After: 3` and nginx's small HTML page.
    RateLimited,
    /// 200 `application/json` whose body is not JSON (a Python `NaN`).
    MalformedJson,
    /// The real answer's head and half its body, then the connection closes
    /// (the call itself is carried out).
    Truncated,
    /// The request is read, then the connection closes with no answer.
    Close,
    /// 307 to the same path on `http://odoo-moved.example.com` (a moved
    /// database, or a proxy sending clients elsewhere); the call is not run.
    Redirect,
    /// The call is carried out, then answered with a 200 whose result is
    /// plausible JSON of the wrong shape (the rule's `answer`, `false` by
    /// default): what an override that forgot its `return`, or a layer in
    /// front of Odoo that rewrites answers, sends.
    WrongShape,
}

impl Fault {
    pub const ALL: [Fault; 8] = [
        Fault::Http500,
        Fault::Html,
        Fault::RateLimited,
        Fault::MalformedJson,
        Fault::Truncated,
        Fault::Close,
        Fault::Redirect,
        Fault::WrongShape,
    ];

    /// The name used in `{"fault": ...}`.
    pub fn as_str(self) -> &'static str {
        match self {
            Fault::Http500 => "http_500",
            Fault::Html => "html",
            Fault::RateLimited => "rate_limited",
            Fault::MalformedJson => "malformed_json",
            Fault::Truncated => "truncated",
            Fault::Close => "close",
            Fault::Redirect => "redirect",
            Fault::WrongShape => "wrong_shape",
        }
    }

    pub fn parse(name: &str) -> Option<Fault> {
        Fault::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// `None`: every call; else the entries of `methods`, sorted.
type Filter = Option<Vec<String>>;

fn filter_matches(filter: &Filter, call: Option<&Call>) -> bool {
    match (filter, call) {
        (None, _) => true,
        (Some(entries), Some(call)) => entries.iter().any(|e| call.matches(e)),
        (Some(_), None) => false,
    }
}

struct FaultRule {
    fault: Fault,
    filter: Filter,
    /// `None`: until reset.
    remaining: Option<u64>,
    /// `wrong_shape`: the result sent instead of the real one.
    answer: Value,
}

/// The fault one call gets.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub fault: Fault,
    /// `wrong_shape`: the result to send (`null`: none, as Odoo answers a
    /// method that returned None).
    pub answer: Value,
}

#[derive(Default)]
struct Rules {
    delays: Vec<(Duration, Filter)>,
    faults: Vec<FaultRule>,
}

/// Delays, faults and the call log of one server.
pub struct Control {
    started: Instant,
    rules: Mutex<Rules>,
    log: Mutex<Vec<Call>>,
}

impl Default for Control {
    fn default() -> Control {
        Control { started: Instant::now(), rules: Mutex::default(), log: Mutex::default() }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Longest delay accepted (10 minutes).
const MAX_DELAY_MS: u64 = 600_000;

fn parse_methods(body: &Map<String, Value>) -> Result<Filter, String> {
    let Some(v) = body.get("methods") else {
        return Ok(None);
    };
    let Some(items) = v.as_array() else {
        return Err("\"methods\" must be an array of method names".into());
    };
    let mut names = Vec::new();
    for item in items {
        match item.as_str() {
            Some(s) if !s.is_empty() => names.push(s.to_string()),
            _ => return Err("\"methods\" must hold non-empty strings".into()),
        }
    }
    if names.is_empty() {
        return Err("\"methods\" is empty; omit it to match every call".into());
    }
    names.sort();
    names.dedup();
    Ok(Some(names))
}

fn parse_u64(body: &Map<String, Value>, key: &str) -> Result<Option<u64>, String> {
    match body.get(key) {
        None => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or_else(|| format!("\"{}\" must be a non-negative integer", key)),
    }
}

impl Control {
    /// Applies a control body (the `POST /__fake/control` JSON): `reset`
    /// first, then `delay_ms`, then `fault` (both with `methods`).
    pub fn apply(&self, body: &Value) -> Result<(), String> {
        let Some(body) = body.as_object() else {
            return Err("expected a JSON object".into());
        };
        const KEYS: [&str; 6] = ["reset", "delay_ms", "methods", "fault", "count", "answer"];
        if let Some(k) = body.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(format!("unknown key \"{}\" (expected one of {:?})", k, KEYS));
        }
        let reset = match body.get("reset") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err("\"reset\" must be true or false".into()),
        };
        let filter = parse_methods(body)?;
        let delay = parse_u64(body, "delay_ms")?;
        if delay.is_some_and(|ms| ms > MAX_DELAY_MS) {
            return Err(format!("\"delay_ms\" must be at most {}", MAX_DELAY_MS));
        }
        let count = parse_u64(body, "count")?;
        let fault = match body.get("fault") {
            None => None,
            Some(v) => {
                let name = v.as_str().unwrap_or("");
                let names: Vec<&str> = Fault::ALL.iter().map(|f| f.as_str()).collect();
                Some(Fault::parse(name).ok_or_else(|| format!("unknown fault {} (expected one of {:?})", v, names))?)
            }
        };
        let answer = body.get("answer").cloned();
        if answer.is_some() && fault != Some(Fault::WrongShape) {
            return Err("\"answer\" goes with \"fault\": \"wrong_shape\"".into());
        }
        if count.is_some() && fault.is_none() {
            return Err("\"count\" needs a \"fault\"".into());
        }
        if count == Some(0) {
            return Err("\"count\" must be at least 1 (omit it: until reset)".into());
        }
        if body.contains_key("methods") && delay.is_none() && fault.is_none() {
            return Err("\"methods\" needs a \"delay_ms\" or a \"fault\"".into());
        }
        if !reset && delay.is_none() && fault.is_none() {
            return Err("expected \"delay_ms\", \"fault\" or \"reset\"".into());
        }
        let mut rules = lock(&self.rules);
        if reset {
            *rules = Rules::default();
        }
        if let Some(ms) = delay {
            rules.delays.retain(|(_, f)| *f != filter);
            if ms > 0 {
                rules.delays.push((Duration::from_millis(ms), filter.clone()));
            }
        }
        if let Some(fault) = fault {
            rules.faults.retain(|r| r.filter != filter);
            rules.faults.push(FaultRule {
                fault,
                filter,
                remaining: count,
                answer: answer.unwrap_or(Value::Bool(false)),
            });
        }
        Ok(())
    }

    /// Logs `call` (stamped with its arrival time) if there is one, and
    /// returns the delay and the fault (consuming one of its count) it gets.
    pub fn arrive(&self, mut call: Option<Call>) -> (Duration, Option<Hit>) {
        if let Some(c) = call.as_mut() {
            c.at_ms = self.started.elapsed().as_millis() as u64;
            lock(&self.log).push(c.clone());
        }
        let call = call.as_ref();
        let mut rules = lock(&self.rules);
        let delay =
            rules.delays.iter().filter(|(_, f)| filter_matches(f, call)).map(|(d, _)| *d).max().unwrap_or_default();
        let mut fault = None;
        if let Some(rule) = rules.faults.iter_mut().find(|r| filter_matches(&r.filter, call)) {
            fault = Some(Hit { fault: rule.fault, answer: rule.answer.clone() });
            if let Some(n) = rule.remaining.as_mut() {
                *n = n.saturating_sub(1);
            }
        }
        rules.faults.retain(|r| r.remaining != Some(0));
        (delay, fault)
    }

    /// The call log, in arrival order.
    pub fn calls(&self) -> Vec<Call> {
        lock(&self.log).clone()
    }

    pub fn clear_calls(&self) {
        lock(&self.log).clear();
    }

    /// Answers `/__fake/control` and `/__fake/calls`.
    pub fn endpoint(&self, http_method: &str, path: &str, body: &[u8]) -> Reply {
        let ok = || Reply::json(200, json!({"ok": true}).to_string());
        let bad = |msg: String| Reply::json(400, json!({"ok": false, "error": msg}).to_string());
        match (path, http_method) {
            ("/__fake/control", "POST") => match serde_json::from_slice::<Value>(body) {
                Ok(v) => match self.apply(&v) {
                    Ok(()) => ok(),
                    Err(msg) => bad(msg),
                },
                Err(e) => bad(format!("body is not JSON: {}", e)),
            },
            ("/__fake/calls", "GET") => {
                let calls: Vec<Value> = self.calls().iter().map(Call::to_json).collect();
                Reply::json(200, json!({ "calls": calls }).to_string())
            }
            ("/__fake/calls", "DELETE") => {
                self.clear_calls();
                ok()
            }
            ("/__fake/control", _) | ("/__fake/calls", _) => {
                let mut reply = Reply::json(405, json!({"ok": false, "error": "method not allowed"}).to_string());
                let allow = if path == "/__fake/control" { "POST" } else { "GET, DELETE" };
                reply.headers.push(("Allow".into(), allow.into()));
                reply
            }
            _ => Reply::json(
                404,
                json!({"ok": false, "error": "unknown control path; use /__fake/control or /__fake/calls"}).to_string(),
            ),
        }
    }
}
