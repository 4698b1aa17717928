//! The Odoo connector: one client over two transports (JSON-2 for 19+, `/jsonrpc` for 16–18 and as a
//! fallback), the shape of each method's answer, version detection, the error taxonomy, URL rules,
//! Odoo's naming rules, domain validation, a model's fields (`fields_get`) and the context a key's calls
//! carry (companies, language, time zone). It knows nothing of keys,
//! permissions or storage.

pub mod answer;
pub mod call;
pub mod client;
pub mod context;
pub mod derived;
pub mod domain;
pub mod domain_values;
pub mod error;
pub mod html_text;
pub mod names;
pub mod readback;
pub mod schema;
pub mod sql_errors;
pub mod url;
pub mod users;
pub mod values;
pub mod version;

pub use client::OdooClient;
pub use error::{OdooError, OdooErrorKind};
pub use version::{detect, Detected};

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// `POST /json/2/<model>/<method>` with a bearer API key (Odoo saas~18.4, 19 and later).
    Json2,
    /// `POST /jsonrpc` with `common.authenticate` once, then `object.execute_kw` (Odoo 16–21).
    Jsonrpc,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Json2 => "json2",
            Transport::Jsonrpc => "jsonrpc",
        }
    }

    pub fn parse(s: &str) -> Option<Transport> {
        match s {
            "json2" => Some(Transport::Json2),
            "jsonrpc" => Some(Transport::Jsonrpc),
            _ => None,
        }
    }
}

/// Where and how to reach one Odoo database.
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    /// Base URL without a trailing slash.
    pub url: String,
    pub database: String,
    pub major: i64,
    pub minor: i64,
    pub transport: Transport,
}

impl Connection {
    /// `formatted_read_group` and list-shaped recordset results exist from saas~18.2 / 19.
    pub fn at_least(&self, major: i64, minor: i64) -> bool {
        (self.major, self.minor) >= (major, minor)
    }
}
