//! The HTTP layer above the transport (`server.rs`): routing by path,
//! request counting, the control surface's hooks (call log, delays, faults),
//! the non-JSON pages Odoo answers with (17's website 404, 19's "No database
//! is selected", werkzeug error pages), and reply building.

use crate::calls;
use crate::control::{Control, Fault};
use crate::faults;
use crate::json2::{self, Json2Request};
use crate::jsonrpc;
use crate::out::Out;
use crate::server::{Answer, Request};
use crate::store::Store;
use crate::OdooVersion;
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// State shared by the connection threads.
pub struct Shared {
    pub version: OdooVersion,
    pub database: String,
    pub store: Mutex<Store>,
    pub requests: AtomicU64,
    pub control: Control,
    /// Set when the server stops; cuts injected delays short.
    pub stop: AtomicBool,
}

impl Shared {
    /// Locks the store (a panicked holder does not poison it for others).
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sleeps `delay`, or less if the server stops meanwhile.
    fn pause(&self, delay: Duration) {
        let end = Instant::now() + delay;
        while !self.stop.load(Ordering::SeqCst) {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            std::thread::sleep(left.min(Duration::from_millis(20)));
        }
    }
}

/// An HTTP answer.
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn json(status: u16, body: String) -> Reply {
        Reply { status, content_type: "application/json; charset=utf-8".into(), body, headers: Vec::new() }
    }

    pub fn html(status: u16, content_type: &str, body: String) -> Reply {
        Reply { status, content_type: content_type.into(), body, headers: Vec::new() }
    }

    /// A bare text body, as `odoo.http.Response("...", status=400)` sends it.
    pub fn text(status: u16, body: &str) -> Reply {
        Reply::html(status, "text/html; charset=utf-8", body.to_string())
    }
}

/// Static pages Odoo answers with.
pub mod pages {
    use super::Reply;
    use serde_json::Value;
    use std::sync::OnceLock;

    /// Odoo 17's website 404 page (for `/json/2/...` and unknown paths).
    pub fn odoo17_not_found() -> Reply {
        static PAGE: OnceLock<String> = OnceLock::new();
        let page = PAGE.get_or_init(|| {
            let raw = include_str!("../../fixtures/odoo/17/json2/not_available_404.json");
            serde_json::from_str::<Value>(raw)
                .ok()
                .and_then(|v| v["response"]["body"].as_str().map(str::to_string))
                .unwrap_or_else(|| "<!DOCTYPE html>\n<title>404 Not Found</title>\n".to_string())
        });
        Reply::html(404, "text/html;charset=utf-8", page.clone())
    }

    /// Odoo 18's answer to `/json/2/...` (no such route; the web client's
    /// login redirect, as recorded: 303 to `/web/login`).
    pub fn login_redirect() -> Reply {
        let mut reply = Reply::html(
            303,
            "text/html; charset=utf-8",
            "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href=\"/web/login\">/web/login</a>. If not, click the link.\n".to_string(),
        );
        reply.headers.push(("Location".into(), "/web/login".into()));
        reply
    }

    /// Odoo 19's page for an unknown `X-Odoo-Database`.
    pub fn no_database() -> Reply {
        let body = "<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>No database is selected and the requested URL was not found in the server-wide controllers.</p>\n<p>Please verify the hostname, <a href=/web/login>login</a> and try again.</p>\n\n<!-- Alternatively, use the X-Odoo-Database header. -->\n";
        Reply::html(404, "text/html; charset=utf-8", body.to_string())
    }

    /// A werkzeug HTML error page.
    pub fn werkzeug(status: u16, title: &str, description: &str) -> Reply {
        let desc = description
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&#34;")
            .replace('\'', "&#39;");
        let body = format!(
            "<!doctype html>\n<html lang=en>\n<title>{} {}</title>\n<h1>{}</h1>\n<p>{}</p>\n",
            status, title, title, desc
        );
        Reply::html(status, "text/html; charset=utf-8", body)
    }

    /// werkzeug's 500 page (a handler panicked).
    pub fn internal_error() -> Reply {
        werkzeug(500, "Internal Server Error", "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.")
    }

    pub fn not_found_19() -> Reply {
        werkzeug(404, "Not Found", "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.")
    }

    pub fn method_not_allowed() -> Reply {
        werkzeug(405, "Method Not Allowed", "The method is not allowed for the requested URL.")
    }
}

/// The answer to a request whose Content-Type does not fit the route
/// (17: 400 BadRequest, 19: 415 UnsupportedMediaType).
pub fn bad_content_type(version: OdooVersion, route: &str, route_type: &str, empty_body: bool) -> Reply {
    match version {
        OdooVersion::V16 | OdooVersion::V17 | OdooVersion::V18 => pages::werkzeug(
            400,
            "Bad Request",
            &format!("Request inferred type is compatible with ['http'] but '{}' is type='{}'.", route, route_type),
        ),
        OdooVersion::V19 => {
            let compatible = if empty_body { "['http', 'json2']" } else { "['http']" };
            let mut reply = pages::werkzeug(
                415,
                "Unsupported Media Type",
                &format!(
                    "Request inferred type is compatible with {} but '{}' is type='{}'.\n\nPlease verify the Content-Type request header and try again.",
                    compatible, route, route_type
                ),
            );
            reply.headers.push(("Accept".into(), "application/json".into()));
            reply
        }
    }
}

/// Routes one request: the control surface (`/__fake/...`), then the API
/// requests (counted, logged, and delayed or faulted as the control rules
/// say), then every other path.
pub fn route(shared: &Shared, req: &Request) -> Answer {
    let path = req.url.split(['?', '#']).next().unwrap_or("");
    if path.starts_with("/__fake/") {
        return Answer::Reply(shared.control.endpoint(&req.method, path, &req.body));
    }
    let api = path == "/jsonrpc"
        || path == "/json/2"
        || path.starts_with("/json/2/")
        || matches!(path, "/web/version" | "/json/version" | "/web/webclient/version_info");
    if !api {
        return Answer::Reply(serve(shared, req, path));
    }
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let mut probe = calls::probe(shared, path, req);
    let (delay, hit) = shared.control.arrive(probe.call.take());
    shared.pause(delay);
    match hit.map(|h| (h.fault, h.answer)) {
        None => Answer::Reply(serve(shared, req, path)),
        Some((Fault::Truncated, _)) => Answer::Truncated(serve(shared, req, path)),
        Some((Fault::WrongShape, answer)) => {
            // Carried out (its effects stay), then the answer is replaced.
            let _ = serve(shared, req, path);
            Answer::Reply(faults::wrong_shape(&probe, &answer))
        }
        Some((fault, _)) => faults::answer(fault, shared.version, &probe, path),
    }
}

/// The real answer to a request.
fn serve(shared: &Shared, req: &Request, path: &str) -> Reply {
    let version = shared.version;
    let content_type = req.header("Content-Type");
    match path {
        "/jsonrpc" => jsonrpc::handle(shared, content_type, &req.body),
        p if p == "/json/2" || p.starts_with("/json/2/") => json2::handle(
            shared,
            &Json2Request {
                http_method: &req.method,
                path: p,
                authorization: req.header("Authorization"),
                database: req.header("X-Odoo-Database"),
                content_type,
                body: &req.body,
            },
        ),
        "/web/version" | "/json/version" if version == OdooVersion::V19 => Reply::json(
            200,
            Out::obj(vec![
                ("version_info", Out::V(json!([19, 0, 0, "final", 0, ""]))),
                ("version", Out::V(json!("19.0"))),
            ])
            .to_json(),
        ),
        "/web/webclient/version_info" => {
            let id = serde_json::from_slice::<serde_json::Value>(&req.body)
                .ok()
                .and_then(|v| v.get("id").cloned())
                .unwrap_or(serde_json::Value::Null);
            jsonrpc::envelope(version, &id, Ok(jsonrpc::version_info(version)))
        }
        _ if !version.is_19() => pages::odoo17_not_found(),
        _ => pages::not_found_19(),
    }
}
