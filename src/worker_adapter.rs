//! The thin Cloudflare Workers adapter: converts `worker` types to the core's and back (the body read
//! only when the core's `before_body` gives no answer without it, never past the core's limit),
//! implements the core's `Db` on D1 (with `platform::retry_transient`'s bounded, jittered retry of
//! transient errors) and its `Http` on `fetch` (with a per-call timeout), and runs the after-response
//! statements and writes the request's log line in `wait_until`.

use crate::config::Settings;
use crate::http::{HttpRequest, HttpResponse};
use crate::mcp::stream::ResponseStream;
use crate::platform::{self, Db, Http, HttpError, InboundResponse, LocalBoxFuture, OutboundRequest, Stmt};
use futures_util::future::{select, Either};
use futures_util::StreamExt;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::*;

mod d1;
use d1::D1Db;

/// How often a quiet SSE stream gets a comment line.
const KEEPALIVE: Duration = Duration::from_millis(1000);

/// Hands `req` to the admin half's Worker through the `ADMIN` service binding (wrangler.toml [[services]]).
#[cfg(not(feature = "admin"))]
async fn to_admin(req: Request, env: &Env) -> Result<Response> {
    // What this isolate's `/mcp` requests left to write goes first: the console then shows them.
    let queued = crate::store::after::take();
    if !queued.stmts.is_empty() {
        if let Ok(d1) = env.d1("DB") {
            run_after(&D1Db { d1 }, queued).await;
        }
    }
    match env.service("ADMIN") {
        Ok(admin) => admin.fetch_request(req).await,
        Err(_) => {
            console_error!(
                "{}",
                crate::json!({"event": "config_error", "error": "the service binding ADMIN is missing (wrangler.toml [[services]])"})
            );
            Response::error("the admin Worker is not bound (service binding ADMIN)", 500)
        }
    }
}

/// What a request is served with, owned, so that a streamed response can outlive `fetch`.
struct State {
    db: D1Db,
    settings: Rc<Settings>,
    subrequests: crate::subrequests::Subrequests,
}

impl State {
    fn services(&self, now: i64) -> crate::services::Services<'_> {
        crate::services::Services {
            db: &self.db,
            http: &FetchHttp,
            settings: &self.settings,
            now,
            subrequests: &self.subrequests,
            sleep: |ms| Box::pin(timer(ms)),
        }
    }
}

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    let started = platform::now_ms();
    let (method, path) = (req.method().to_string(), req.path());
    // The console's static files, the admin Worker's ([assets] in wrangler.admin.toml; the public Worker
    // has none, so that no asset routing stands in front of its MCP calls): one that reaches this Worker
    // rather than being served before it goes to the binding.
    #[cfg(feature = "admin")]
    if path.starts_with(crate::admin::console::ASSETS) {
        if let Ok(assets) = env.assets("ASSETS") {
            return assets.fetch_request(req).await.map(Into::into);
        }
    }
    // Built without the admin half (the deployed `/mcp` Worker): the console's, its API's and the
    // authorization server's paths go, untouched, to the Worker that has it.
    #[cfg(not(feature = "admin"))]
    if crate::router::for_admin(&path) {
        return to_admin(req, &env).await.map(Into::into);
    }
    let settings = settings_of(&env);
    let Ok(d1) = env.d1("DB") else {
        console_error!(
            "{}",
            crate::json!({"event": "config_error", "error": "the D1 binding DB is missing (wrangler.toml [[d1_databases]])"})
        );
        return Response::error("D1 binding DB is missing", 500).map(Into::into);
    };
    let state = Rc::new(State { db: D1Db { d1 }, settings, subrequests: crate::subrequests::Subrequests::new() });
    // The core decides first whether the body is needed at all (a keyless chunked POST is not);
    // otherwise it is read, and no further than the core's limit.
    let mut core_req = head_of(&req);
    if let Some(outcome) = crate::before_body(&core_req, &state.services(started)).await {
        // A body of declared length ends where it says, and the runtime drains it unread, so the client,
        // still sending, gets the answer; only one without an end (chunked) is cancelled.
        if crate::http::body::declared_length(&core_req).is_none() {
            discard_body(&req, &ctx);
        }
        return answer(outcome, &method, &path, started, &state, &ctx);
    }
    if !matches!(req.method(), Method::Get | Method::Head | Method::Options) {
        core_req.body = read_bounded(&mut req, crate::http::body::declared_length(&core_req)).await;
    }
    let stream = ResponseStream::new();
    let work = {
        let (state, stream) = (state.clone(), stream.clone());
        async move {
            let svc = state.services(started);
            #[cfg(feature = "bench")]
            let before_core = platform::now_ms() - started;
            #[allow(unused_mut)]
            let mut outcome = crate::serve(core_req, &svc, &stream).await;
            // `make bench`: the adapter's share (settings, reading the request) before the core ran.
            #[cfg(feature = "bench")]
            outcome.response.headers.push(("x-bench-before-core-ms".into(), before_core.to_string()));
            outcome
        }
    };
    match select(Box::pin(work), Box::pin(stream.started())).await {
        Either::Left((mut outcome, _)) => {
            // Finished first, possibly after starting a stream that is now complete.
            if let Some(streamed) = stream.into_buffered_response() {
                outcome.response = streamed;
            }
            answer(outcome, &method, &path, started, &state, &ctx)
        }
        Either::Right((head, work)) => {
            // Streamed: the head goes out now; the handler keeps feeding the body from `wait_until`.
            // When the client closes the stream, the body (and its reader) is dropped: cancellation.
            let (reader, status) = (stream.reader(), head.status);
            // Keep-alive comments: they keep proxies from timing out a quiet stream, and a write is what
            // tells the runtime that the client has gone (it then cancels the body: cancellation).
            let mut tick = Box::pin(Delay::from(KEEPALIVE));
            let body = futures_util::stream::poll_fn(move |cx| match reader.poll_chunk(cx) {
                std::task::Poll::Pending => match tick.as_mut().poll(cx) {
                    std::task::Poll::Ready(()) => {
                        tick = Box::pin(Delay::from(KEEPALIVE));
                        std::task::Poll::Ready(Some(b": keepalive\n\n".to_vec()))
                    }
                    std::task::Poll::Pending => std::task::Poll::Pending,
                },
                ready => ready,
            })
            .map(Ok::<Vec<u8>, Error>);
            ctx.wait_until(async move {
                let outcome = work.await;
                write_log(status, &log_line(&method, &path, status, started, &outcome.log));
                if let Some(write) = after_work(&state, &path, outcome.after, &outcome.log) {
                    write.await;
                }
            });
            Ok(Response::from_stream(body)?
                .with_status(head.status)
                .with_headers(runtime_headers(&head.headers)?)
                .into())
        }
    }
}

thread_local! {
    static SETTINGS: std::cell::OnceCell<Rc<Settings>> = const { std::cell::OnceCell::new() };
}

/// The settings from the secrets and vars, read once per isolate: they are fixed for its life (a
/// changed secret or var is a new version of the Worker, served by new isolates).
fn settings_of(env: &Env) -> Rc<Settings> {
    SETTINGS.with(|s| {
        s.get_or_init(|| {
            Rc::new(Settings::from_env(|name| {
                env.secret(name).ok().map(|s| s.to_string()).or_else(|| env.var(name).ok().map(|v| v.to_string()))
            }))
        })
        .clone()
    })
}

/// A whole answer: its log line and its after-response statements in `wait_until`, the response.
fn answer(
    outcome: crate::http::Outcome,
    method: &str,
    path: &str,
    started: i64,
    state: &Rc<State>,
    ctx: &Context,
) -> Result<web_sys::Response> {
    // The line, with the request's duration to now, is written a turn after the response has gone:
    // `console.log` is synchronous, and a runner's log plumbing (Miniflare's, `wrangler dev`'s) then
    // delayed every answer by about 0.6 ms (`make bench`). Deployed, Workers Logs keeps what
    // `wait_until` writes as it keeps the rest of the request's.
    let status = outcome.response.status;
    let line = log_line(method, path, status, started, &outcome.log);
    ctx.wait_until(async move {
        timer(0).await;
        write_log(status, &line);
    });
    if let Some(work) = after_work(state, path, outcome.after, &outcome.log) {
        ctx.wait_until(work);
    }
    into_runtime_response(outcome.response)
}

/// The writing of the statements that follow a response (audit rows, last-used stamps, a fetched
/// schema), to run in `wait_until`: `/mcp`'s through the isolate's queue (`store::after`: audit rows
/// gathered for up to a second), the console's, its API's and sign-in's at once.
/// `None`: nothing to write, or a write already planned takes them.
fn after_work(
    state: &Rc<State>,
    path: &str,
    after: Vec<Stmt>,
    log: &crate::http::LogFields,
) -> Option<LocalBoxFuture<'static, ()>> {
    use crate::store::after::{self, Batch, Next};
    let request_id = log.get("request_id").and_then(|v| v.as_str()).map(str::to_string);
    let state = state.clone();
    let batch = match path {
        "/mcp" => match after::queue(after, request_id.as_deref()) {
            Next::Nothing => return None,
            Next::WriteNow(batch) => batch,
            Next::WriteAfterGathering => {
                return Some(Box::pin(async move {
                    timer(after::GATHER_MS).await;
                    run_after(&state.db, after::take()).await;
                }))
            }
        },
        _ if after.is_empty() => return None,
        _ => Batch { stmts: after, request_ids: request_id.into_iter().collect() },
    };
    Some(Box::pin(async move { run_after(&state.db, batch).await }))
}

/// Writes statements that follow responses. A failure loses them, so it is logged with the requests
/// they belong to and what the statements were, never their values.
async fn run_after(db: &D1Db, batch: crate::store::after::Batch) {
    if batch.stmts.is_empty() {
        return;
    }
    // The statements' first words ("INSERT INTO audit"): static SQL, which carries no values.
    let statements: Vec<String> =
        batch.stmts.iter().map(|s| s.sql.split_whitespace().take(3).collect::<Vec<_>>().join(" ")).collect();
    if let Err(e) = db.batch(batch.stmts).await {
        console_error!(
            "{}",
            crate::json!({
                "event": "after_response_write_failed",
                "request_ids": batch.request_ids,
                "statements": statements,
                "error": crate::text::truncate(&e.to_string(), 300),
            })
        );
    }
}

/// The request's one structured line (`http::log`); never headers or bodies (they carry keys).
fn log_line(method: &str, path: &str, status: u16, started: i64, fields: &crate::http::LogFields) -> String {
    crate::http::log::line(method, path, status, platform::now_ms() - started, fields)
}

/// Writes a request's line: to the error stream for a 5xx.
fn write_log(status: u16, line: &str) {
    if status >= 500 {
        console_error!("{line}");
    } else {
        console_log!("{line}");
    }
}

/// The daily cron trigger: retention of rate counters, sessions and audit rows.
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let settings = Settings::from_env(|name| env.var(name).ok().map(|v| v.to_string()));
    let Ok(d1) = env.d1("DB") else {
        console_error!("{}", crate::json!({"event": "retention", "error": "D1 binding DB is missing"}));
        return;
    };
    let stmts = crate::store::retention::sweep(platform::now_ms(), settings.audit_retention_days);
    match (D1Db { d1 }).batch(stmts).await {
        Ok(_) => console_log!(
            "{}",
            crate::json!({"event": "retention", "outcome": "ok", "audit_days": settings.audit_retention_days})
        ),
        Err(e) => {
            console_error!("{}", crate::json!({"event": "retention", "outcome": "error", "error": e.to_string()}))
        }
    }
}

/// The request as the core sees it, its body not read yet.
fn head_of(req: &Request) -> HttpRequest {
    let (origin, query) = crate::http::origin_and_query(&req.inner().url());
    HttpRequest {
        method: req.method().to_string(),
        path: req.path(),
        query,
        origin,
        headers: req.headers().entries().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect(),
        body: Vec::new(),
    }
}

/// Tells the runtime that the body will not be read, so that it stops receiving it (and `wrangler dev`'s
/// middleware, which drains an unused body before answering, does not wait for one that never ends).
fn discard_body(req: &Request, ctx: &Context) {
    if let Some(body) = req.inner().body() {
        let cancelled = wasm_bindgen_futures::JsFuture::from(body.cancel());
        ctx.wait_until(async move {
            let _ = cancelled.await;
        });
    }
}

/// The body: whole when its declared length is within the core's limit (the runtime holds it to that
/// length; one promise rather than a reader's several), otherwise as a stream until its end or one byte
/// past the limit, whichever comes first: the rest is never read (the core answers 413 once
/// authentication passes). A streamed body that breaks off is what was received of it; a whole one,
/// nothing.
async fn read_bounded(req: &mut Request, declared: Option<u64>) -> Vec<u8> {
    if crate::http::body::read_whole(declared) {
        return req.bytes().await.unwrap_or_default();
    }
    let mut body = Vec::new();
    let Ok(mut chunks) = req.stream() else {
        return body;
    };
    while let Some(Ok(chunk)) = chunks.next().await {
        if crate::http::body::append_bounded(&mut body, &chunk) {
            break;
        }
    }
    body
}

/// The runtime's response, made directly rather than through `worker::Response` (which builds a
/// `Headers` only to replace it, then converts).
fn into_runtime_response(r: HttpResponse) -> Result<web_sys::Response> {
    let init = web_sys::ResponseInit::new();
    init.set_status(r.status);
    init.set_headers(&runtime_headers(&r.headers)?.0);
    let body = (!r.body.is_empty()).then(|| js_sys::Uint8Array::from(r.body.as_slice()));
    Ok(web_sys::Response::new_with_opt_buffer_source_and_init(body.as_ref().map(|b| b.as_ref()), &init)?)
}

/// A response's headers as the runtime's, each appended (a name may repeat).
fn runtime_headers(headers: &[(String, String)]) -> Result<Headers> {
    let out = Headers::new();
    for (k, v) in headers {
        out.append(k, v)?;
    }
    Ok(out)
}

struct FetchHttp;

impl Http for FetchHttp {
    fn send<'a>(&'a self, req: OutboundRequest) -> LocalBoxFuture<'a, std::result::Result<InboundResponse, HttpError>> {
        Box::pin(async move {
            // The runtime's own timer aborts the call, its answer's body included: no timer of ours to
            // race it, nor one left pending for every call that answered in time.
            let signal = web_sys::AbortSignal::timeout_with_u32(u32::try_from(req.timeout_ms).unwrap_or(u32::MAX));
            let failed = |e: JsValue| if signal.aborted() { HttpError::Timeout } else { network(e) };
            let headers = Headers::new();
            for (k, v) in &req.headers {
                headers.set(k, v).map_err(network)?;
            }
            // web_sys' request options and fetch rather than worker's: what worker's `RequestInit` and
            // `Fetch` set for these options, without the code for their Cloudflare `cf` properties
            // (worker serialises those with serde), which this worker never sets. `fetch(url, init)`
            // rather than a `Request` first: the runtime would build the request twice.
            let init = web_sys::RequestInit::new();
            init.set_method(if req.method == "GET" { "GET" } else { "POST" });
            init.set_headers(&headers.0);
            // A redirect is an answer to report, never a hop to take: it would carry the Odoo API key
            // to wherever it points (`net`).
            init.set_redirect(web_sys::RequestRedirect::Manual);
            if let Some(b) = &req.body {
                init.set_body(&JsValue::from(b.as_str()));
            }
            init.set_signal(Some(&signal));
            let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
            let resp: web_sys::Response = JsFuture::from(global.fetch_with_str_and_init(&req.url, &init))
                .await
                .and_then(JsCast::dyn_into)
                .map_err(failed)?;
            let headers = resp.headers();
            let header = |name| headers.get(name).ok().flatten();
            let content_type = header("content-type").unwrap_or_default();
            let retry_after = header("retry-after");
            let location = header("location");
            let bytes = JsFuture::from(resp.array_buffer().map_err(failed)?).await.map_err(failed)?;
            let body = String::from_utf8(js_sys::Uint8Array::new(&bytes).to_vec())
                .map_err(|e| HttpError::Network(e.to_string()))?;
            Ok(InboundResponse { status: resp.status(), content_type, retry_after, location, body })
        })
    }
}

/// A failed fetch, in worker's words for it (`worker::Error`'s), as before web_sys' fetch was called directly.
fn network(e: impl Into<Error>) -> HttpError {
    HttpError::Network(e.into().to_string())
}

/// Resolves after `ms` milliseconds (`setTimeout`). Unlike `worker::Delay`, which keeps the waker of the
/// task that first polled it, a promise's future wakes whichever task polls it last: a handler that
/// starts streaming moves from the fetch task to `wait_until`'s with its timers pending (an approval's
/// wait, a D1 retry's pause), and they must still wake it there.
fn timer(ms: u64) -> impl Future<Output = ()> {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        // No timer at all (never in workerd): resolve at once rather than hang.
        if set_timeout(&resolve, ms as f64).is_err() {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    async move {
        let _ = JsFuture::from(promise).await;
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// The global `setTimeout`, bound once rather than looked up on the global object at every call.
    #[wasm_bindgen(catch, js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, ms: f64) -> std::result::Result<JsValue, JsValue>;
}
