//! Whether an Odoo login and API key are a real user of a connection's database, and which: what key
//! issuance and the OAuth sign-in both check before anything depends on the credentials.

use super::call::Call;
use super::{Connection, OdooClient, OdooErrorKind};
use crate::json;
use crate::platform::Http;
use serde_json::Value;
use std::cell::Cell;

#[derive(Debug, Clone, PartialEq)]
pub enum VerifyError {
    /// Odoo refused the login or the API key.
    Rejected,
    /// The API key works but belongs to another login (JSON-2 does not tie a key to a login on the wire).
    OtherLogin(String),
    /// Odoo could not be asked.
    Unreachable(String),
}

/// The uid of `login`, if `api_key` is one of its keys on `conn`.
pub async fn verify(
    http: &dyn Http,
    conn: &Connection,
    login: &str,
    api_key: &str,
    timeout_ms: u64,
) -> Result<i64, VerifyError> {
    let uid_cell = Cell::new(None);
    let client = OdooClient::new(http, conn, login, api_key, &uid_cell, timeout_ms);
    let uid = client.whoami().await.map_err(|e| match e.kind {
        OdooErrorKind::AccessDenied => VerifyError::Rejected,
        _ => VerifyError::Unreachable(e.message),
    })?;
    let read = Call {
        model: "res.users",
        method: "read",
        ids: Some(&[uid]),
        params: vec![("fields", json!(["login"]))],
        positional: 0,
    };
    if let Ok(Value::Array(rows)) = client.call(&read).await {
        if let Some(actual) = rows.first().and_then(|r| r.get("login")).and_then(Value::as_str) {
            if actual != login {
                return Err(VerifyError::OtherLogin(actual.to_string()));
            }
        }
    }
    Ok(uid)
}
