//! A fake Odoo (16.0, 17.0, 18.0 or 19.0) HTTP server for tests, faithful to the recorded
//! exchanges in `tests/fixtures/odoo`: `/jsonrpc`, `/json/2/<model>/<method>`
//! (19), version probes, stateful in-memory models with realistic demo data,
//! a real domain evaluator, access rights for a restricted user, and Odoo's
//! error classes, texts and statuses per version. Each connection is served
//! on its own thread.
//!
//! ```no_run
//! use fake_odoo::{Config, FakeOdoo, OdooVersion};
//! let odoo = FakeOdoo::start(Config::new(OdooVersion::V19)).expect("start");
//! println!("{}", odoo.url());
//! ```
//!
//! # Test control
//!
//! API requests (`/jsonrpc`, `/json/2/...`, `/web/version`, `/json/version`,
//! `/web/webclient/version_info`) can be slowed down or failed, and are
//! logged. Over HTTP (answers `200 {"ok":true}`, or `400 {"ok":false,
//! "error":"..."}` on bad input):
//!
//! - `POST /__fake/control` `{"delay_ms": 1500, "methods": ["search_read"]}`:
//!   matching calls sleep that long before answering (no `methods`: every
//!   API request; a new delay replaces the one with the same `methods`;
//!   `0` removes it; the longest matching delay applies).
//! - `POST /__fake/control` `{"fault": KIND, "methods": [...], "count": N}`:
//!   the next `N` matching calls (no `count`: until reset) get the fault
//!   instead of their answer (after any delay). `KIND`: `http_500` (500,
//!   Odoo's JSON error: JSON-RPC envelope on `/jsonrpc`, bare error object on
//!   JSON-2, `werkzeug.exceptions.InternalServerError`), `html` (502, nginx's
//!   `text/html` Bad Gateway page), `rate_limited` (429, `Retry-After: 3`,
//!   nginx's page), `malformed_json` (200 `application/json` with a Python
//!   `NaN`), `truncated` (200, the real answer, which is carried out, with
//!   its full `Content-Length` but half its body, then the connection
//!   closes), `close` (the request is read, the connection closed unanswered),
//!   `redirect` (307 to the same path on `http://odoo-moved.example.com`),
//!   `wrong_shape` (the call is carried out, then answered 200 with a result
//!   of the wrong shape: the rule's `"answer"`, any JSON, `false` if absent;
//!   in the JSON-RPC envelope on `/jsonrpc`, where `null` means no `result`
//!   member, and bare on JSON-2). A long `delay_ms` (up to 10 minutes) is a
//!   hang: the call is carried out only when it ends, or never if the
//!   server stops first.
//!   `invalid_value` (`psycopg2.errors.InvalidTextRepresentation` with
//!   PostgreSQL's text and SQL excerpt, as Odoo answers `["id", "=", "abc"]`:
//!   500 on JSON-2, 200 on `/jsonrpc`).
//!   A new fault replaces the one with the same `methods`; the first matching
//!   fault applies.
//! - `POST /__fake/control` `{"reset": true}`: clears delays and faults (not
//!   the log); may be combined with a new `delay_ms`/`fault`.
//! - `GET /__fake/calls`: `{"calls": [{"model": "res.partner"|null, "method":
//!   "search_read", "transport": "jsonrpc"|"json2"|"http", "login_or_uid":
//!   2|"admin"|null, "at_ms": 12}, ...]}` in arrival order; `DELETE` clears it.
//!
//! `methods` entries match a call's Odoo method (`search_read`,
//! `fields_get`...) or, for service calls and probes (logged as
//! `common.version`, `common.authenticate`, `common.login`, `db.list`,
//! `web.version`, `web.version_info`), the full name or the part after the
//! dot. API keys are never logged. From Rust: [`FakeOdoo::control`] (same
//! JSON), [`FakeOdoo::set_delay`], [`FakeOdoo::set_fault`],
//! [`FakeOdoo::reset`], [`FakeOdoo::calls`], [`FakeOdoo::clear_calls`].

mod access;
mod attachments;
mod buttons;
mod calls;
mod company_dependent;
mod control;
mod dates;
mod derivation;
mod domain;
mod errors;
mod eval;
mod faults;
mod grouping;
mod groups;
mod http;
mod json2;
mod jsonrpc;
mod methods;
mod model_rules;
mod out;
mod records;
mod schema;
mod search;
mod seed;
mod seed_data;
mod seed_schema;
mod server;
mod signature;
mod store;
#[cfg(test)]
mod tests_domain;
mod values;

pub use calls::{Call, Transport};
pub use control::Fault;

use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Which Odoo to imitate. 17 and 19 follow the golden recordings of
/// `tests/fixtures/odoo/{17,19}`; 16 and 18 the traffic and probes recorded
/// against real 16.0 and 18.0 (`tests/fixtures/odoo/{16,18}`), and 17's
/// behaviour where those say nothing. The predicates below name each
/// difference once, so that the rest of the fake asks "which behaviour",
/// not "which version".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OdooVersion {
    V16,
    V17,
    V18,
    V19,
}

impl OdooVersion {
    pub const ALL: [OdooVersion; 4] = [OdooVersion::V16, OdooVersion::V17, OdooVersion::V18, OdooVersion::V19];

    /// `16`, `16.0`, … `19.0`.
    pub fn parse(s: &str) -> Option<OdooVersion> {
        Some(match s.strip_suffix(".0").unwrap_or(s) {
            "16" => OdooVersion::V16,
            "17" => OdooVersion::V17,
            "18" => OdooVersion::V18,
            "19" => OdooVersion::V19,
            _ => return None,
        })
    }

    pub fn major(self) -> u8 {
        match self {
            OdooVersion::V16 => 16,
            OdooVersion::V17 => 17,
            OdooVersion::V18 => 18,
            OdooVersion::V19 => 19,
        }
    }

    /// `/json/2`, `/web/version` and the rpc addon's texts: 19 (saas~18.4+).
    pub fn is_19(self) -> bool {
        self == OdooVersion::V19
    }

    /// 18's RPC layer onwards: `get_public_method` (private-method texts
    /// quote `model.method`), `has_access` / `check_access`.
    pub fn at_least_18(self) -> bool {
        self.major() >= 18
    }

    /// `server_version` as `common.version` reports it.
    pub fn server_version(self) -> &'static str {
        match self {
            OdooVersion::V16 => "16.0-20231208",
            OdooVersion::V17 => "17.0-20240709",
            OdooVersion::V18 => "18.0-20250702",
            OdooVersion::V19 => "19.0",
        }
    }
}

/// A user who authenticates with an API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub login: String,
    pub uid: i64,
    pub api_key: String,
    /// A "Sales / User: Own Documents Only" user (like demo2) instead of an
    /// administrator.
    pub restricted: bool,
}

/// Server configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub version: OdooVersion,
    pub database: String,
    pub users: Vec<User>,
}

impl Config {
    /// The recorded setup: database `mcptest16` / `mcptest17` / `mcptest18` /
    /// `mcptest`, users `admin` (uid 2) and `demo2` (restricted; uid 7 on 19,
    /// 8 before).
    pub fn new(version: OdooVersion) -> Config {
        let (database, demo2_uid) = match version {
            OdooVersion::V16 => ("mcptest16", 8),
            OdooVersion::V17 => ("mcptest17", 8),
            OdooVersion::V18 => ("mcptest18", 8),
            OdooVersion::V19 => ("mcptest", 7),
        };
        Config {
            version,
            database: database.to_string(),
            users: vec![
                User {
                    login: "admin".into(),
                    uid: 2,
                    api_key: "admin-api-key-0000000000000000000000000001".into(),
                    restricted: false,
                },
                User {
                    login: "demo2".into(),
                    uid: demo2_uid,
                    api_key: "demo2-api-key-000000000000000000000000002".into(),
                    restricted: true,
                },
            ],
        }
    }
}

/// A running fake Odoo; stops serving (and closes its connections) when
/// dropped.
pub struct FakeOdoo {
    shared: Arc<http::Shared>,
    server: server::Running,
}

impl FakeOdoo {
    /// Starts on a free port of 127.0.0.1.
    pub fn start(config: Config) -> std::io::Result<FakeOdoo> {
        FakeOdoo::start_on(config, 0)
    }

    /// Starts on 127.0.0.1:`port` (0: any free port).
    pub fn start_on(config: Config, port: u16) -> std::io::Result<FakeOdoo> {
        let shared = Arc::new(http::Shared {
            version: config.version,
            database: config.database.clone(),
            store: Mutex::new(seed::build(&config)),
            requests: AtomicU64::new(0),
            control: control::Control::default(),
            stop: AtomicBool::new(false),
        });
        let server = server::start(port, shared.clone())?;
        Ok(FakeOdoo { shared, server })
    }

    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port())
    }

    /// Odoo API requests served so far (`/jsonrpc`, `/json/2/...` and the
    /// version probes), counted when they arrive.
    pub fn request_count(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Applies a control body, exactly as `POST /__fake/control` does
    /// (see the crate docs); `Err` carries the 400 message.
    pub fn control(&self, body: Value) -> Result<(), String> {
        self.shared.control.apply(&body)
    }

    /// Delays the calls named in `methods` (empty: every API request) by
    /// `ms` milliseconds; `0` removes the delay set for the same `methods`.
    pub fn set_delay(&self, ms: u64, methods: &[&str]) -> Result<(), String> {
        let mut body = json!({ "delay_ms": ms });
        if !methods.is_empty() {
            body["methods"] = json!(methods);
        }
        self.control(body)
    }

    /// Answers the next `count` calls named in `methods` (empty: every API
    /// request; `count` `None`: until reset) with `fault` (`wrong_shape` with
    /// `false`; [`FakeOdoo::control`] with `"answer"` for another result).
    pub fn set_fault(&self, fault: Fault, methods: &[&str], count: Option<u64>) -> Result<(), String> {
        let mut body = json!({ "fault": fault.as_str() });
        if !methods.is_empty() {
            body["methods"] = json!(methods);
        }
        if let Some(n) = count {
            body["count"] = json!(n);
        }
        self.control(body)
    }

    /// Clears every delay and fault (the call log stays).
    pub fn reset(&self) {
        let _ = self.control(json!({ "reset": true }));
    }

    /// The calls received so far, in arrival order.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.control.calls()
    }

    /// Empties the call log.
    pub fn clear_calls(&self) {
        self.shared.control.clear_calls()
    }

    /// Makes a field read-only, as a customisation that turns it into a
    /// computed field would: `fields_get` says so from now on, and `create`
    /// and `write` silently ignore values for it, as Odoo does. `false` when
    /// the model or field does not exist.
    pub fn make_readonly(&self, model: &str, field: &str) -> bool {
        let mut store = self.shared.lock();
        let Some(def) = store.models.get_mut(model).and_then(|m| m.fields.iter_mut().find(|f| f.name == field)) else {
            return false;
        };
        def.readonly = true;
        def.attrs.insert("readonly".into(), Value::Bool(true));
        true
    }
}

impl Drop for FakeOdoo {
    fn drop(&mut self) {
        self.server.shutdown();
    }
}
