//! The HTTP layer: worker threads on a `tiny_http` server (keep-alive and
//! concurrent connections are tiny_http's), routing by path, request
//! counting, the non-JSON pages Odoo answers with (17's website 404, 19's
//! "No database is selected", werkzeug error pages), and reply building.

use crate::json2::{self, Json2Request};
use crate::jsonrpc;
use crate::out::Out;
use crate::store::Store;
use crate::OdooVersion;
use serde_json::json;
use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// State shared by the worker threads.
pub struct Shared {
    pub version: OdooVersion,
    pub database: String,
    pub store: Mutex<Store>,
    pub requests: AtomicU64,
}

impl Shared {
    /// Locks the store (a panicked holder does not poison it for others).
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
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
        Reply {
            status,
            content_type: "application/json; charset=utf-8".into(),
            body,
            headers: Vec::new(),
        }
    }

    pub fn html(status: u16, content_type: &str, body: String) -> Reply {
        Reply {
            status,
            content_type: content_type.into(),
            body,
            headers: Vec::new(),
        }
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

    pub fn not_found_19() -> Reply {
        werkzeug(404, "Not Found", "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.")
    }

    pub fn method_not_allowed() -> Reply {
        werkzeug(
            405,
            "Method Not Allowed",
            "The method is not allowed for the requested URL.",
        )
    }
}

/// The answer to a request whose Content-Type does not fit the route
/// (17: 400 BadRequest, 19: 415 UnsupportedMediaType).
pub fn bad_content_type(
    version: OdooVersion,
    route: &str,
    route_type: &str,
    empty_body: bool,
) -> Reply {
    match version {
        OdooVersion::V17 => pages::werkzeug(
            400,
            "Bad Request",
            &format!(
                "Request inferred type is compatible with ['http'] but '{}' is type='{}'.",
                route, route_type
            ),
        ),
        OdooVersion::V19 => {
            let compatible = if empty_body {
                "['http', 'json2']"
            } else {
                "['http']"
            };
            let mut reply = pages::werkzeug(
                415,
                "Unsupported Media Type",
                &format!(
                    "Request inferred type is compatible with {} but '{}' is type='{}'.\n\nPlease verify the Content-Type request header and try again.",
                    compatible, route, route_type
                ),
            );
            reply
                .headers
                .push(("Accept".into(), "application/json".into()));
            reply
        }
    }
}

fn header<'a>(req: &'a tiny_http::Request, name: &'static str) -> Option<&'a str> {
    req.headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

const MAX_BODY: u64 = 64 * 1024 * 1024;

/// Routes one request to its handler.
fn route(shared: &Shared, req: &mut tiny_http::Request) -> Reply {
    let url = req.url().to_string();
    let path = url.split(['?', '#']).next().unwrap_or("").to_string();
    let method = req.method().as_str().to_uppercase();
    let mut body = Vec::new();
    if req
        .as_reader()
        .take(MAX_BODY)
        .read_to_end(&mut body)
        .is_err()
    {
        return pages::werkzeug(
            400,
            "Bad Request",
            "The browser (or proxy) sent a request that this server could not understand.",
        );
    }
    let version = shared.version;
    let counted = path == "/jsonrpc"
        || path == "/json/2"
        || path.starts_with("/json/2/")
        || matches!(
            path.as_str(),
            "/web/version" | "/json/version" | "/web/webclient/version_info"
        );
    if counted {
        shared.requests.fetch_add(1, Ordering::SeqCst);
    }
    let content_type = header(req, "Content-Type");
    match path.as_str() {
        "/jsonrpc" => jsonrpc::handle(shared, content_type, &body),
        p if p == "/json/2" || p.starts_with("/json/2/") => json2::handle(
            shared,
            &Json2Request {
                http_method: &method,
                path: p,
                authorization: header(req, "Authorization"),
                database: header(req, "X-Odoo-Database"),
                content_type,
                body: &body,
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
            let id = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("id").cloned())
                .unwrap_or(serde_json::Value::Null);
            jsonrpc::envelope(version, &id, Ok(jsonrpc::version_info(version)))
        }
        _ if version == OdooVersion::V17 => pages::odoo17_not_found(),
        _ => pages::not_found_19(),
    }
}

fn respond(req: tiny_http::Request, reply: Reply) {
    let mut response =
        tiny_http::Response::from_data(reply.body.into_bytes()).with_status_code(reply.status);
    let mut headers = vec![("Content-Type".to_string(), reply.content_type)];
    headers.extend(reply.headers);
    for (k, v) in headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = req.respond(response);
}

/// Serves until `stop` is set (and the worker is unblocked).
fn worker(server: Arc<tiny_http::Server>, shared: Arc<Shared>, stop: Arc<AtomicBool>) {
    loop {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let mut req = match server.recv() {
            Ok(r) => r,
            Err(_) => continue,
        };
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| route(&shared, &mut req)))
            .unwrap_or_else(|_| pages::werkzeug(500, "Internal Server Error", "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application."));
        respond(req, reply);
    }
}

/// Number of threads answering requests.
pub const WORKERS: usize = 16;

/// Starts the worker threads.
pub fn spawn(
    server: Arc<tiny_http::Server>,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
) -> Vec<JoinHandle<()>> {
    (0..WORKERS)
        .filter_map(|i| {
            let (server, shared, stop) = (server.clone(), shared.clone(), stop.clone());
            std::thread::Builder::new()
                .name(format!("fake-odoo-{}", i))
                .stack_size(8 * 1024 * 1024)
                .spawn(move || worker(server, shared, stop))
                .ok()
        })
        .collect()
}
