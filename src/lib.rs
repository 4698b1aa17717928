//! Odoo MCP at the edge: an MCP server for Odoo that runs as a Cloudflare Worker.
//!
//! Everything but `worker_adapter` is plain Rust that builds and tests natively; the runtime is
//! reached only through the traits in `platform`. See ARCHITECTURE.md for the map.

// A panic in wasm takes the isolate down: nothing outside tests may unwrap (checked by `make lint`).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod access;
pub mod admin;
#[cfg(feature = "bench")]
mod bench;
pub mod capabilities;
pub mod config;
pub mod crypto;
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzz_checks;
pub mod http;
pub mod i18n;
pub mod json;
pub mod mcp;
pub mod net;
pub mod oauth;
pub mod odoo;
pub mod platform;
pub mod policy;
pub mod router;
pub mod services;
pub mod store;
pub mod subrequests;
pub mod text;
pub mod transport;

#[cfg(target_arch = "wasm32")]
mod worker_adapter;

pub use services::Services;

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

/// The answer to a request whose body is not read yet, when it can be given without it (a declared
/// length over the limit; a POST to `/mcp` of unknown length without a usable key). `None`: read the
/// body, at most `http::body::BODY_READ_LIMIT` bytes of it (`http::body::append_bounded`), and `serve`
/// the request. Runtimes call this first, so that an unauthenticated client cannot make them read a
/// body, nor any client more of one than the limit.
pub async fn before_body(head: &http::HttpRequest, svc: &Services<'_>) -> Option<http::Outcome> {
    router::before_body(head, svc).await
}

/// Serves one request. If the response turns into a stream, `stream` gets its head (see
/// `ResponseStream::started`) while this future keeps running and feeds the body; the returned
/// `Outcome`'s response is then meaningless, its `after` and `log` still apply.
pub async fn serve(req: http::HttpRequest, svc: &Services<'_>, stream: &mcp::stream::ResponseStream) -> http::Outcome {
    // Every database round trip and fetch is counted against the subrequest budget, and every outbound
    // request of the core leaves through the guard (which counts only what it lets out).
    let metered = subrequests::Metered::new(svc.db, svc.http, svc.subrequests);
    let guarded = net::Guarded::new(&metered, svc.settings.dev_allow_loopback);
    let svc = &Services { db: &metered, http: &guarded, ..*svc };
    #[cfg(feature = "bench")]
    return bench::serve_counted(req, svc, stream).await;
    #[cfg(not(feature = "bench"))]
    router::route(&req, svc, stream).await
}
