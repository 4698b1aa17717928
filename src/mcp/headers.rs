//! MCP's HTTP header names, and the 2026-07-28 routing headers, `Mcp-Method` and `Mcp-Name`, checked
//! against the body they mirror (SEP-2243). Names are case-insensitive, values case-sensitive, optional
//! whitespace around a value is ignored, and a value may come in the `=?base64?…?=` form, which is
//! decoded first.

use crate::http::HttpRequest;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use serde_json::{Map, Value};

/// The session lane's session id: minted by `initialize`, sent back with every later request.
pub const SESSION_HEADER: &str = "mcp-session-id";
/// The protocol version a request is sent under (both eras).
pub const VERSION_HEADER: &str = "mcp-protocol-version";
pub const METHOD_HEADER: &str = "mcp-method";
pub const NAME_HEADER: &str = "mcp-name";

/// The decoded value of a routing header, or why it is malformed.
pub fn decode_value(raw: &str) -> Result<String, String> {
    let v = raw.trim_matches([' ', '\t']);
    match v.strip_prefix("=?base64?").and_then(|s| s.strip_suffix("?=")) {
        Some(b64) => {
            let bytes = STANDARD
                .decode(b64)
                .or_else(|_| STANDARD_NO_PAD.decode(b64))
                .map_err(|_| "is not valid base64".to_string())?;
            String::from_utf8(bytes).map_err(|_| "does not decode to UTF-8".to_string())
        }
        None => Ok(v.to_string()),
    }
}

/// The body value `Mcp-Name` must mirror, for the methods that require it.
pub fn name_param(method: &str) -> Option<&'static str> {
    match method {
        "tools/call" | "prompts/get" => Some("name"),
        "resources/read" => Some("uri"),
        _ => None,
    }
}

/// One header's decoded value; several occurrences are a mismatch in themselves.
fn single(req: &HttpRequest, name: &str) -> Result<Option<String>, String> {
    let mut values = req.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v);
    let first = values.next();
    if values.next().is_some() {
        return Err(format!("header {name} is repeated"));
    }
    first.map(|raw| decode_value(raw).map_err(|e| format!("header {name} {e}"))).transpose()
}

/// Checks `Mcp-Method` and `Mcp-Name` against the body. `lenient` tolerates *missing* headers (for the
/// claude.ai carve-out, whose requests carry a 2025-era version header); a present header must always
/// match. The error text becomes a -32020 HeaderMismatch.
pub fn check(req: &HttpRequest, method: &str, params: &Map<String, Value>, lenient: bool) -> Result<(), String> {
    match single(req, METHOD_HEADER)? {
        Some(m) if m != method => {
            return Err(format!(
                "header Mcp-Method ({}) does not match the body's method",
                crate::text::truncate(&m, 60)
            ))
        }
        None if !lenient => return Err("header Mcp-Method is required".into()),
        _ => {}
    }
    let Some(param) = name_param(method) else {
        return Ok(());
    };
    let body_value = params.get(param).and_then(Value::as_str);
    match single(req, NAME_HEADER)? {
        Some(n) if Some(n.as_str()) != body_value => Err(format!("header Mcp-Name does not match params.{param}")),
        None if !lenient => Err(format!("header Mcp-Name is required for {method}")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn req(headers: &[(&str, &str)]) -> HttpRequest {
        HttpRequest {
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..Default::default()
        }
    }

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn decodes_plain_trimmed_and_base64_values() {
        assert_eq!(decode_value("  tools/list\t").as_deref(), Ok("tools/list"));
        assert_eq!(decode_value("=?base64?w6liw6k=?=").as_deref(), Ok("ébé"));
        assert_eq!(decode_value("=?base64?w6liw6k?=").as_deref(), Ok("ébé"));
        assert!(decode_value("=?base64?!!!?=").is_err());
        assert!(decode_value("=?base64?//79?=").is_err(), "not UTF-8");
    }

    #[test]
    fn method_and_name_must_mirror_the_body() {
        let p = params(json!({"name": "odoo_search"}));
        assert!(
            check(&req(&[("mcp-method", "tools/call"), ("mcp-name", "odoo_search")]), "tools/call", &p, false).is_ok()
        );
        assert!(check(
            &req(&[("mcp-method", "tools/call"), ("mcp-name", "=?base64?b2Rvb19zZWFyY2g=?=")]),
            "tools/call",
            &p,
            false
        )
        .is_ok());
        assert!(
            check(&req(&[("mcp-method", "TOOLS/CALL"), ("mcp-name", "odoo_search")]), "tools/call", &p, false).is_err(),
            "values are case-sensitive"
        );
        assert!(
            check(&req(&[("mcp-method", "tools/call"), ("mcp-name", "odoo_get")]), "tools/call", &p, false).is_err()
        );
        assert!(check(&req(&[("mcp-method", "tools/call")]), "tools/call", &p, false).is_err(), "name required");
        assert!(check(&req(&[("mcp-name", "odoo_search")]), "tools/call", &p, false).is_err(), "method required");
        assert!(
            check(
                &req(&[("mcp-method", "tools/list"), ("mcp-method", "tools/list")]),
                "tools/list",
                &Map::new(),
                false
            )
            .is_err(),
            "repeated"
        );
        assert!(
            check(&req(&[("mcp-method", "tools/list")]), "tools/list", &Map::new(), false).is_ok(),
            "no name for lists"
        );
        let uri = params(json!({"uri": "odoo://res.partner/7"}));
        assert!(check(
            &req(&[("mcp-method", "resources/read"), ("mcp-name", "odoo://res.partner/7")]),
            "resources/read",
            &uri,
            false
        )
        .is_ok());
    }

    #[test]
    fn lenient_mode_tolerates_only_missing_headers() {
        let p = params(json!({"name": "odoo_search"}));
        assert!(check(&req(&[]), "tools/call", &p, true).is_ok());
        assert!(check(&req(&[("mcp-method", "tools/list")]), "tools/call", &p, true).is_err());
        assert!(check(&req(&[("mcp-name", "other")]), "tools/call", &p, true).is_err());
    }
}
