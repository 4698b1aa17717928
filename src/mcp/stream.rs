//! Streamed responses: a request that carries a progress token or a log level, from a client that
//! accepts `text/event-stream`, is answered with SSE so that `notifications/progress` and
//! `notifications/message` can precede the result on that request's own stream.
//!
//! `ResponseStream` is the hand-off between the core and the runtime. The core calls `start` with the
//! response head, `send`s SSE frames and `finish`es; the runtime waits for `started`, returns the head
//! at once and feeds the body from `poll_chunk`. When the client closes the stream, the runtime drops
//! its `BodyReader`, which marks the client gone: that is cancellation, seen by `client_gone`/`gone`.

use crate::http::HttpResponse;
use crate::json;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

#[derive(Default)]
struct Shared {
    head: Option<HttpResponse>,
    /// Added to the head when streaming starts (e.g. CORS headers decided by the router).
    head_headers: Vec<(String, String)>,
    started: bool,
    chunks: VecDeque<Vec<u8>>,
    finished: bool,
    client_gone: bool,
    reader: Option<Waker>,
    head_waiter: Option<Waker>,
    gone_waiters: Vec<Waker>,
}

/// One response's stream, shared (by `Rc`) between the request's handler and the runtime.
#[derive(Clone, Default)]
pub struct ResponseStream(Rc<RefCell<Shared>>);

fn wake(w: Option<Waker>) {
    if let Some(w) = w {
        w.wake();
    }
}

impl ResponseStream {
    pub fn new() -> ResponseStream {
        ResponseStream::default()
    }

    /// Headers the head will carry if the response becomes a stream.
    pub fn add_head_header(&self, name: &str, value: String) {
        self.0.borrow_mut().head_headers.push((name.to_ascii_lowercase(), value));
    }

    /// Switches the response to a stream: the head (status and headers) goes to the client now.
    pub fn start(&self, mut head: HttpResponse) {
        let waiter = {
            let mut s = self.0.borrow_mut();
            head.headers.append(&mut s.head_headers);
            s.head = Some(head);
            s.started = true;
            s.head_waiter.take()
        };
        wake(waiter);
    }

    pub fn is_started(&self) -> bool {
        self.0.borrow().started
    }

    /// Queues one chunk of the body (dropped if the client has gone).
    pub fn send(&self, chunk: Vec<u8>) {
        let reader = {
            let mut s = self.0.borrow_mut();
            if s.client_gone || s.finished {
                return;
            }
            s.chunks.push_back(chunk);
            s.reader.take()
        };
        wake(reader);
    }

    /// Ends the body after the queued chunks.
    pub fn finish(&self) {
        let reader = {
            let mut s = self.0.borrow_mut();
            s.finished = true;
            s.reader.take()
        };
        wake(reader);
    }

    /// The client closed the stream before it was finished.
    pub fn client_gone(&self) -> bool {
        self.0.borrow().client_gone
    }

    /// Resolves when the client closes the stream (never, if it does not).
    pub fn gone(&self) -> Gone {
        Gone(self.clone())
    }

    /// Resolves with the head once the core has started streaming.
    pub fn started(&self) -> Started {
        Started(self.clone())
    }

    /// The runtime's end of the body. Dropping it before the end means the client went away.
    pub fn reader(&self) -> BodyReader {
        BodyReader(self.clone())
    }

    /// Everything queued so far, for runtimes (and tests) that send the body in one piece.
    pub fn take_buffered(&self) -> Vec<u8> {
        self.0.borrow_mut().chunks.drain(..).flatten().collect()
    }

    /// The head and the whole body, when the handler has already finished.
    pub fn into_buffered_response(self) -> Option<HttpResponse> {
        let head = self.0.borrow_mut().head.take()?;
        Some(HttpResponse { body: self.take_buffered(), ..head })
    }
}

pub struct Started(ResponseStream);

impl Future for Started {
    type Output = HttpResponse;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<HttpResponse> {
        let mut s = (self.0).0.borrow_mut();
        match s.head.take() {
            Some(head) => Poll::Ready(head),
            None => {
                s.head_waiter = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

pub struct Gone(ResponseStream);

impl Future for Gone {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut s = (self.0).0.borrow_mut();
        if s.client_gone {
            Poll::Ready(())
        } else {
            s.gone_waiters.push(cx.waker().clone());
            Poll::Pending
        }
    }
}

pub struct BodyReader(ResponseStream);

impl BodyReader {
    /// The next chunk; `None` at the end of the body.
    pub fn poll_chunk(&self, cx: &mut Context<'_>) -> Poll<Option<Vec<u8>>> {
        let mut s = (self.0).0.borrow_mut();
        if let Some(chunk) = s.chunks.pop_front() {
            Poll::Ready(Some(chunk))
        } else if s.finished {
            Poll::Ready(None)
        } else {
            s.reader = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

impl Drop for BodyReader {
    fn drop(&mut self) {
        let waiters = {
            let mut s = (self.0).0.borrow_mut();
            if s.finished {
                return;
            }
            s.client_gone = true;
            s.chunks.clear();
            std::mem::take(&mut s.gone_waiters)
        };
        waiters.into_iter().for_each(Waker::wake);
    }
}

/// Polls `work` until it finishes or `stop` resolves first (`None`).
pub async fn until<T>(work: impl Future<Output = T>, stop: impl Future<Output = ()>) -> Option<T> {
    let mut work = std::pin::pin!(work);
    let mut stop = std::pin::pin!(stop);
    std::future::poll_fn(move |cx| {
        if let Poll::Ready(v) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        match stop.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// One SSE event carrying a JSON-RPC message.
pub fn sse_frame(message: &Value) -> Vec<u8> {
    format!("event: message\ndata: {message}\n\n").into_bytes()
}

/// The head of an SSE response.
pub fn sse_head() -> HttpResponse {
    HttpResponse::empty(200)
        .with_header("content-type", "text/event-stream")
        .with_header("cache-control", "no-cache")
        .with_header("x-accel-buffering", "no")
}

/// Whole numbers as JSON integers (`2`, not `2.0`).
fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

/// Log levels of `logging/setLevel` and `io.modelcontextprotocol/logLevel`, least severe first.
pub const LOG_LEVELS: [&str; 8] = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

pub fn log_level_rank(level: &str) -> Option<usize> {
    LOG_LEVELS.iter().position(|l| *l == level)
}

/// What a handler may tell the client while it works: progress and log messages, delivered only on a
/// started stream, only when the request asked for them.
pub struct Notifier {
    stream: ResponseStream,
    progress_token: Option<Value>,
    /// The lowest level the client wants, as a rank in `LOG_LEVELS`.
    log_threshold: Option<usize>,
    last_progress: RefCell<f64>,
}

impl Notifier {
    pub fn new(stream: ResponseStream, progress_token: Option<Value>, log_threshold: Option<usize>) -> Notifier {
        Notifier { stream, progress_token, log_threshold, last_progress: RefCell::new(f64::MIN) }
    }

    /// A notifier that says nothing (plain JSON responses).
    pub fn silent() -> Notifier {
        Notifier::new(ResponseStream::new(), None, None)
    }

    pub fn stream(&self) -> &ResponseStream {
        &self.stream
    }

    pub fn wants_progress(&self) -> bool {
        self.progress_token.is_some() && self.stream.is_started()
    }

    /// `notifications/progress`; progress must increase, so a repeated or lower value is skipped.
    pub fn progress(&self, progress: f64, total: Option<f64>, message: &str) {
        let Some(token) = &self.progress_token else {
            return;
        };
        if !self.stream.is_started() || progress <= *self.last_progress.borrow() {
            return;
        }
        *self.last_progress.borrow_mut() = progress;
        let mut params = json!({"progressToken": token, "progress": number(progress), "message": message});
        if let Some(t) = total {
            params["total"] = number(t);
        }
        self.stream.send(sse_frame(&json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": params})));
    }

    /// Whether a message at `level` would be sent (the client asked for that level or a lower one).
    pub fn wants_log(&self, level: &str) -> bool {
        let (Some(threshold), Some(rank)) = (self.log_threshold, log_level_rank(level)) else {
            return false;
        };
        rank >= threshold && self.stream.is_started()
    }

    /// `notifications/message` at `level`, if `wants_log(level)`.
    pub fn log(&self, level: &str, data: Value) {
        if !self.wants_log(level) {
            return;
        }
        let msg = json!({"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": level, "logger": "odoo-mcp", "data": data}});
        self.stream.send(sse_frame(&msg));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noop_cx() -> Context<'static> {
        Context::from_waker(Waker::noop())
    }

    #[test]
    fn chunks_flow_until_finish() {
        let s = ResponseStream::new();
        let reader = s.reader();
        let mut cx = noop_cx();
        assert!(reader.poll_chunk(&mut cx).is_pending());
        s.start(sse_head());
        s.send(b"a".to_vec());
        s.finish();
        assert_eq!(reader.poll_chunk(&mut cx), Poll::Ready(Some(b"a".to_vec())));
        assert_eq!(reader.poll_chunk(&mut cx), Poll::Ready(None));
        drop(reader);
        assert!(!s.client_gone(), "a finished stream was not cancelled");
    }

    #[test]
    fn dropping_the_reader_early_is_cancellation() {
        let s = ResponseStream::new();
        s.start(sse_head());
        let gone = s.gone();
        let mut gone = std::pin::pin!(gone);
        assert!(gone.as_mut().poll(&mut noop_cx()).is_pending());
        drop(s.reader());
        assert!(s.client_gone());
        assert!(gone.as_mut().poll(&mut noop_cx()).is_ready());
        s.send(b"late".to_vec());
        assert!(s.take_buffered().is_empty(), "nothing is sent after the client left");
    }

    #[test]
    fn notifier_respects_token_threshold_and_monotony() {
        let s = ResponseStream::new();
        s.start(sse_head());
        let n = Notifier::new(s.clone(), Some(json!("t")), log_level_rank("warning"));
        n.progress(1.0, Some(2.0), "one");
        n.progress(1.0, Some(2.0), "again");
        n.log("info", json!("too low"));
        n.log("error", json!("shown"));
        let body = String::from_utf8(s.take_buffered()).unwrap();
        assert_eq!(body.matches("notifications/progress").count(), 1);
        assert!(!body.contains("too low"));
        assert!(body.contains("shown"));
    }
}
