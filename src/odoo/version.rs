//! Detects an Odoo server's version and picks the transport: JSON-2 from saas~18.4 on, `/jsonrpc` before.

use super::error::{OdooError, OdooErrorKind};
use super::Transport;
use crate::json;
use crate::platform::{Http, HttpError, OutboundRequest};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detected {
    /// As Odoo reports it ("17.0-20240709", "19.0", "saas~18.4").
    pub version: String,
    pub major: i64,
    pub minor: i64,
    pub transport: Transport,
}

/// Asks `common.version` over `/jsonrpc` (every version up to 21), else `GET /web/version` (19+).
pub async fn detect(http: &dyn Http, url: &str, timeout_ms: u64) -> Result<Detected, OdooError> {
    let body = json!({"jsonrpc": "2.0", "method": "call", "id": 1,
                      "params": {"service": "common", "method": "version", "args": []}});
    let rpc = http
        .send(OutboundRequest {
            method: "POST",
            url: format!("{url}/jsonrpc"),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Some(body.to_string()),
            timeout_ms,
        })
        .await
        .map_err(transport_error)?;
    if let Some(e) = super::client::redirect_error(&rpc) {
        return Err(e);
    }
    if rpc.status == 200 {
        if let Some(result) = crate::json::from_str::<Value>(&rpc.body).ok().and_then(|v| v.get("result").cloned()) {
            if let Some(d) = parse(result.get("server_version_info"), result.get("server_version")) {
                return Ok(d);
            }
        }
    }
    // No (usable) /jsonrpc: a JSON-2-only Odoo (22+) or one with legacy RPC disabled.
    let web = http
        .send(OutboundRequest {
            method: "GET",
            url: format!("{url}/web/version"),
            headers: vec![],
            body: None,
            timeout_ms,
        })
        .await
        .map_err(transport_error)?;
    if web.status == 200 {
        if let Ok(v) = crate::json::from_str::<Value>(&web.body) {
            if let Some(mut d) = parse(v.get("version_info"), v.get("version")) {
                d.transport = Transport::Json2;
                return Ok(d);
            }
        }
    }
    Err(OdooError::new(
        OdooErrorKind::Unavailable,
        format!(
            "this URL does not answer like Odoo (/jsonrpc: HTTP {}, /web/version: HTTP {}); check the URL",
            rpc.status, web.status
        ),
    ))
}

fn transport_error(e: HttpError) -> OdooError {
    match e {
        HttpError::Timeout => OdooError::new(OdooErrorKind::Timeout, "Odoo did not answer the version probe in time"),
        HttpError::Network(m) => OdooError::new(OdooErrorKind::Unavailable, format!("cannot reach Odoo: {m}")),
        HttpError::Refused(m) => OdooError::new(OdooErrorKind::NotAllowed, format!("the Odoo URL is not allowed: {m}")),
    }
}

/// `[17, 0, 0, "final", 0, ""]` or `["saas~18", 4, 0, "final", 0, ""]`.
fn parse(info: Option<&Value>, version: Option<&Value>) -> Option<Detected> {
    let info = info?.as_array()?;
    let major = match info.first()? {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) => s.trim_start_matches("saas~").parse().ok()?,
        _ => return None,
    };
    let minor = info.get(1).and_then(Value::as_i64).unwrap_or(0);
    let version = version.and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| format!("{major}.{minor}"));
    let transport = if (major, minor) >= (18, 4) { Transport::Json2 } else { Transport::Jsonrpc };
    Some(Detected { version, major, minor, transport })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions_and_picks_transports() {
        let d = parse(Some(&json!([17, 0, 0, "final", 0, ""])), Some(&json!("17.0-20240709"))).unwrap();
        assert_eq!((d.major, d.minor, d.transport), (17, 0, Transport::Jsonrpc));
        let d = parse(Some(&json!(["saas~18", 4, 0, "final", 0, ""])), Some(&json!("saas~18.4"))).unwrap();
        assert_eq!((d.major, d.minor, d.transport), (18, 4, Transport::Json2));
        let d = parse(Some(&json!([19, 0, 0, "final", 0, ""])), None).unwrap();
        assert_eq!((d.version.as_str(), d.transport), ("19.0", Transport::Json2));
        assert!(parse(Some(&json!("19")), None).is_none());
    }
}
