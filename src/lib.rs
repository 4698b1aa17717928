//! Odoo MCP at the edge: an MCP server for Odoo that runs as a Cloudflare Worker.
//!
//! Everything but `worker_adapter` is plain Rust that builds and tests natively; the runtime is
//! reached only through the traits in `platform`. See ARCHITECTURE.md for the map.

// A panic in wasm takes the isolate down: nothing outside tests may unwrap (checked by `make lint`).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod admin;
#[cfg(feature = "bench")]
mod bench;
pub mod capabilities;
pub mod config;
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzz_checks;
pub mod http;
pub mod mcp;
pub mod net;
pub mod odoo;
pub mod platform;
pub mod policy;
pub mod store;

#[cfg(target_arch = "wasm32")]
mod worker_adapter;

use config::Settings;
use platform::{Db, Http};

/// What a request is served with: the runtime's database and HTTP client, the settings, and the time
/// the request arrived.
pub struct Services<'a> {
    pub db: &'a dyn Db,
    pub http: &'a dyn Http,
    pub settings: &'a Settings,
    pub now: i64,
}

/// The whole server: one request in, one response (and statements to run after it) out. A streamed
/// response is collected in full; runtimes that can stream use `serve`.
pub async fn handle(req: http::HttpRequest, svc: &Services<'_>) -> http::Outcome {
    let stream = mcp::stream::ResponseStream::new();
    let mut outcome = serve(req, svc, &stream).await;
    if let Some(streamed) = stream.into_buffered_response() {
        outcome.response = streamed;
    }
    outcome
}

/// Serves one request. If the response turns into a stream, `stream` gets its head (see
/// `ResponseStream::started`) while this future keeps running and feeds the body; the returned
/// `Outcome`'s response is then meaningless, its `after` and `log` still apply.
pub async fn serve(req: http::HttpRequest, svc: &Services<'_>, stream: &mcp::stream::ResponseStream) -> http::Outcome {
    // Every outbound request of the core leaves through the guard.
    let guarded = net::Guarded::new(svc.http, svc.settings.dev_allow_loopback);
    let svc = &Services { http: &guarded, ..*svc };
    #[cfg(feature = "bench")]
    return bench::serve_counted(req, svc, stream).await;
    #[cfg(not(feature = "bench"))]
    http::router::route(&req, svc, stream).await
}
