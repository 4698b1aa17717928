//! The injected faults' answers, shaped like what a client meets in the wild
//! behind a reverse proxy: Odoo's own 500, nginx's 502 and 429 pages, a body
//! Python's `json.dumps` can produce but no JSON parser accepts, a cut-off
//! body, a connection closed without an answer, and a 200 whose result has
//! the wrong shape.

use crate::calls::{Probe, Transport};
use crate::control::Fault;
use crate::errors::{Kind, OdooError};
use crate::http::Reply;
use crate::out::Out;
use crate::server::Answer;
use crate::OdooVersion;
use serde_json::{json, Value};

/// The werkzeug `InternalServerError` text Odoo serializes.
const INTERNAL: &str = "500 Internal Server Error: The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.";

/// nginx's built-in error page for `status`.
fn nginx_page(status: u16, title: &str) -> Reply {
    let body = format!(
        "<html>\r\n<head><title>{status} {title}</title></head>\r\n<body>\r\n<center><h1>{status} {title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    let mut reply = Reply::html(status, "text/html", body);
    reply.headers.push(("Server".into(), "nginx".into()));
    reply
}

/// Odoo's 500: on `/jsonrpc` the JSON-RPC error envelope, elsewhere the bare
/// serialized exception (JSON-2's shape).
fn server_error(version: OdooVersion, probe: &Probe) -> Reply {
    let err = OdooError::new(Kind::InternalServerError, INTERNAL);
    let body = match probe.transport {
        Transport::JsonRpc => {
            let code = if version.is_19() { 0 } else { 200 };
            Out::obj(vec![
                ("jsonrpc", Out::V(json!("2.0"))),
                ("id", Out::V(probe.id.clone())),
                (
                    "error",
                    Out::obj(vec![
                        ("code", Out::V(json!(code))),
                        ("message", Out::V(json!("Odoo Server Error"))),
                        ("data", err.data(version)),
                    ]),
                ),
            ])
        }
        Transport::Json2 | Transport::Http => err.data(version),
    };
    Reply::json(500, body.to_json())
}

/// 200 `application/json` with a Python `NaN` in it.
fn malformed(probe: &Probe) -> Reply {
    let result = r#"[{"id": 7, "name": "Azure Interior", "probability": NaN}]"#;
    let body = match probe.transport {
        Transport::JsonRpc => format!(r#"{{"jsonrpc": "2.0", "id": {}, "result": {}}}"#, probe.id, result),
        Transport::Json2 | Transport::Http => result.to_string(),
    };
    Reply::json(200, body)
}

/// 200 with `result` as the call's result: in the JSON-RPC envelope on
/// `/jsonrpc` (no `result` member for `null`, as Odoo answers a method that
/// returned None), the bare JSON elsewhere.
pub fn wrong_shape(probe: &Probe, result: &Value) -> Reply {
    let body = match probe.transport {
        Transport::JsonRpc => {
            let mut envelope = json!({"jsonrpc": "2.0", "id": probe.id});
            if !result.is_null() {
                envelope["result"] = result.clone();
            }
            envelope.to_string()
        }
        Transport::Json2 | Transport::Http => result.to_string(),
    };
    Reply::json(200, body)
}

/// Where a `redirect` fault sends the client: the same path, another host.
pub const MOVED_TO: &str = "http://odoo-moved.example.com";

/// The answer for `fault` (`Truncated` and `WrongShape` are the caller's:
/// they carry the call out).
pub fn answer(fault: Fault, version: OdooVersion, probe: &Probe, path: &str) -> Answer {
    match fault {
        Fault::Http500 => Answer::Reply(server_error(version, probe)),
        Fault::Html => Answer::Reply(nginx_page(502, "Bad Gateway")),
        Fault::RateLimited => {
            let mut reply = nginx_page(429, "Too Many Requests");
            reply.headers.push(("Retry-After".into(), "3".into()));
            Answer::Reply(reply)
        }
        Fault::MalformedJson => Answer::Reply(malformed(probe)),
        Fault::Close => Answer::Close,
        Fault::Redirect => {
            let mut reply = Reply::html(
                307,
                "text/html; charset=utf-8",
                "<!doctype html>\n<title>Redirecting...</title>\n".to_string(),
            );
            reply.headers.push(("Location".into(), format!("{}{}", MOVED_TO, path)));
            Answer::Reply(reply)
        }
        Fault::Truncated => Answer::Truncated(malformed(probe)),
        Fault::WrongShape => Answer::Reply(wrong_shape(probe, &Value::Bool(false))),
    }
}
